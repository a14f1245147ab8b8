/*
 * httperr: the one table that maps error codes to what an HTTP client sees.
 * Search logic reports common SOK_E* codes (plus the few server-only codes
 * below) through a struct sok_err; only the HTTP layer turns them into a
 * status and a stable, machine-readable code for the JSON error body.
 */
#ifndef SOK_HTTPERR_H
#define SOK_HTTPERR_H

#include "sok_err.h"

/* Server-only codes, below the range of sok_err.h's table. */
enum {
    SOK_EMISSING  = -100,   /* a required parameter is absent */
    SOK_EMETHOD   = -101,   /* a method other than GET or HEAD */
    SOK_EOVERLOAD = -102,   /* the connection cap is reached: shed load */
};

struct sok_httperr {
    int code;               /* SOK_E* */
    int status;             /* HTTP status */
    const char *name;       /* JSON "code": stable, lower_snake_case */
};

/* The row for code; never NULL: a code not in the table maps to
 * 500 "internal" (a bug, since every code a client can cause is listed). */
const struct sok_httperr *sok_httperr_lookup(int code);

#endif /* SOK_HTTPERR_H */
