/*
 * sok_err: error codes and the caller-owned error record every fallible sok
 * function fills.  One X-macro table holds every fact about a code (its
 * value, HTTP status, JSON name, messages in English and Swedish); the enum,
 * the messages and the HTTP layer's lookups are all generated from it, so
 * they cannot drift apart.
 * The record has a fixed buffer: reporting an error never allocates.
 */
#ifndef SOK_ERR_H
#define SOK_ERR_H

#include <stddef.h>

/* What a reader of the search page is told: the index's troubles are not
 * theirs to fix, an address they did not write by hand is not theirs to
 * correct. */
#define SOK_SV_UNAVAILABLE \
    "Sökningen är inte tillgänglig just nu. Försök igen om en stund."
#define SOK_SV_ADDRESS "Adressen innehåller fel. Börja om från sökrutan."
/* What an API client is told when the index cannot answer: the error's own
 * message names paths and Xapian internals, which are for the log. */
#define SOK_API_INDEX_DOWN "the search index is unavailable, try again shortly"

/*
 * One row per code: name, value, HTTP status, the JSON error "code" (stable,
 * lower_snake_case), the default message (English, for logs and the API),
 * the message an API client gets for a 5xx instead of the error's own (NULL:
 * the default message), and the Swedish text of an error page (NULL: it
 * depends on the parameter to blame; see server/httperr.c).  Codes below
 * SOK_EINTERNAL are the server's own.
 */
#define SOK_ERR_TABLE(X)                                                     \
    X(SOK_OK,          0, 200, "ok", "ok", NULL, NULL)                       \
    X(SOK_ENOMEM,     -1, 503, "overloaded", "out of memory", NULL,          \
      SOK_SV_UNAVAILABLE)                                                    \
    X(SOK_EINVAL,     -2, 400, "invalid_parameter", "invalid argument",      \
      NULL, NULL)                                                            \
    X(SOK_EIO,        -3, 503, "index_unavailable", "input/output error",    \
      SOK_API_INDEX_DOWN, SOK_SV_UNAVAILABLE)                                \
    X(SOK_ENOTFOUND,  -4, 404, "not_found", "not found", NULL,               \
      "Sidan finns inte.")                                                   \
    X(SOK_ELOCKED,    -5, 503, "index_unavailable",                          \
      "index is locked by another writer", SOK_API_INDEX_DOWN,               \
      SOK_SV_UNAVAILABLE)                                                    \
    X(SOK_ENODB,      -6, 503, "index_unavailable",                          \
      "index does not exist or cannot be opened", SOK_API_INDEX_DOWN,        \
      SOK_SV_UNAVAILABLE)                                                    \
    X(SOK_ECORRUPT,   -7, 503, "index_unavailable", "index is corrupt",      \
      SOK_API_INDEX_DOWN, SOK_SV_UNAVAILABLE)                                \
    X(SOK_EQUERY,     -8, 400, "query_syntax", "malformed query", NULL,      \
      "Sökfrågan kunde inte tolkas. Kontrollera att citattecken och "        \
      "parenteser kommer i par.")                                            \
    X(SOK_EMODIFIED,  -9, 503, "index_unavailable",                          \
      "index was modified while reading", SOK_API_INDEX_DOWN,                \
      SOK_SV_UNAVAILABLE)                                                    \
    X(SOK_EXAPIAN,   -10, 503, "index_unavailable", "search engine error",   \
      SOK_API_INDEX_DOWN, SOK_SV_UNAVAILABLE)                                \
    X(SOK_ETOOBIG,   -11, 400, "too_large", "input too large", NULL,         \
      "Sökfrågan är för lång. Använd färre ord.")                            \
    X(SOK_EFORMAT,   -12, 500, "internal",                                   \
      "unsupported or malformed document", NULL, SOK_SV_UNAVAILABLE)         \
    X(SOK_ETIMEOUT,  -13, 503, "timeout", "operation timed out",             \
      SOK_API_INDEX_DOWN, SOK_SV_UNAVAILABLE)                                \
    X(SOK_ERANGE,    -14, 400, "out_of_range", "value out of range", NULL,   \
      NULL)                                                                  \
    X(SOK_EUTF8,     -15, 400, "invalid_utf8", "invalid UTF-8", NULL, NULL)  \
    X(SOK_EINTERNAL, -16, 500, "internal", "internal error", NULL,           \
      SOK_SV_UNAVAILABLE)                                                    \
    X(SOK_EMISSING,  -17, 400, "missing_parameter",                          \
      "a required parameter is missing", NULL, NULL)                         \
    X(SOK_EMETHOD,   -18, 405, "method_not_allowed", "method not allowed",   \
      NULL, SOK_SV_ADDRESS)                                                  \
    X(SOK_EOVERLOAD, -19, 503, "overloaded",                                 \
      "too many connections, try again", NULL, SOK_SV_UNAVAILABLE)           \
    X(SOK_EURI,      -30, 414, "request_line_too_long",                      \
      "request line too long", NULL, SOK_SV_ADDRESS)                         \
    X(SOK_EHEADERS,  -31, 431, "headers_too_large",                          \
      "request headers too large", NULL, SOK_SV_ADDRESS)                     \
    X(SOK_EBODY,     -32, 413, "body_not_accepted",                          \
      "a request body is not accepted", NULL, SOK_SV_ADDRESS)                \
    X(SOK_EREQUEST,  -33, 400, "bad_request", "malformed request", NULL,     \
      SOK_SV_ADDRESS)                                                        \
    X(SOK_EFORBIDDEN, -20, 403, "forbidden",                                 \
      "this page is for the site's staff only", NULL,                        \
      "Sidan är bara för kommunens personal.")                               \
    X(SOK_ENOSPC,    -21, 503, "index_unavailable",                          \
      "no space left on the device", SOK_API_INDEX_DOWN,                     \
      SOK_SV_UNAVAILABLE)

enum sok_code {
#define SOK_X_ENUM(name, val, status, json, msg, api, sv) name = val,
    SOK_ERR_TABLE(SOK_X_ENUM)
#undef SOK_X_ENUM
};

#define SOK_ERR_MSG_MAX 256

/* Caller-owned.  Initialise with SOK_ERR_INIT or sok_err_clear(). */
struct sok_err {
    int code;                     /* 0 or a negative SOK_E* */
    char msg[SOK_ERR_MSG_MAX];    /* NUL-terminated, human readable */
};

#define SOK_ERR_INIT { 0, { 0 } }

#ifdef __cplusplus
extern "C" {
#endif

/* Resets err to "no error".  err may be NULL. */
void sok_err_clear(struct sok_err *err);

/* Records code and a printf-style message unless an error is already
 * recorded (the first error wins).  err may be NULL.  Returns code, so a
 * failing function can `return sok_err_set(err, SOK_EIO, "...")`.
 * fmt may be NULL: the table's default message is used. */
int sok_err_set(struct sok_err *err, int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Static name of code ("SOK_ELOCKED"), or "SOK_EUNKNOWN". */
const char *sok_err_name(int code);

/* Static default message for code. */
const char *sok_err_default_msg(int code);

#ifdef __cplusplus
}
#endif

#endif /* SOK_ERR_H */
