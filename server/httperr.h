/*
 * httperr: what an HTTP client sees of an error.  Search logic reports
 * SOK_E* codes through a struct sok_err; only the HTTP layer turns them into
 * a status, a stable machine-readable code and a message, all read from the
 * one table in sok_err.h.  The JSON error is for programs (English, the
 * error's own message for a 4xx); the HTML error page is for a reader
 * (Swedish, naming the parameter at fault, never the index's details).
 */
#ifndef SOK_HTTPERR_H
#define SOK_HTTPERR_H

#include "sok_err.h"
#include "sok_buf.h"

struct sok_httperr {
    int code;               /* SOK_E* */
    int status;             /* HTTP status */
    const char *name;       /* JSON "code": stable, lower_snake_case */
    const char *msg;        /* default message */
    const char *api;        /* a 5xx's message for clients, NULL: msg */
    const char *sv;         /* page text, NULL: by parameter */
};

/* The row for code; never NULL: a code not in the table maps to
 * SOK_EINTERNAL's row, 500 (a bug, since every code a client can cause is
 * listed). */
const struct sok_httperr *sok_httperr_lookup(int code);

/* The message of a JSON error for code: the caller's own msg (may be NULL)
 * for a client error, which says what to fix; for a 5xx, or without msg,
 * the table's.  A static string or msg. */
const char *sok_httperr_message(int code, const char *msg);

/* Appends {"error":{"code","message","parameter"}} for code, with
 * sok_httperr_message(code, msg); param may be NULL (then no "parameter"). */
void sok_httperr_json(struct sok_buf *b, int code, const char *msg,
                      const char *param, int *rc);

/* The Swedish text of an error page for code and the parameter to blame
 * (may be NULL).  A static string. */
const char *sok_httperr_sv(int code, const char *param);

#endif /* SOK_HTTPERR_H */
