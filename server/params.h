/*
 * params: decoding and bounding the query string, free of HTTP.  Every
 * value is percent-decoded with explicit lengths (so "%00" is seen, not
 * silently truncated), checked to be UTF-8 without control characters that
 * could not come from a form, and then each known parameter is parsed into
 * a request struct.  Errors name the parameter: *param points at a static
 * string such as "page" (or "query string" when no one parameter is to
 * blame), and err carries a message for the user.
 */
#ifndef SOK_PARAMS_H
#define SOK_PARAMS_H

#include <stddef.h>
#include "sok_err.h"
#include "search.h"

#define SOK_PARAMS_MAX 32

struct sok_param {
    const char *name;       /* NUL-terminated, into the params' memory */
    size_t nlen;
    const char *val;        /* NUL-terminated, valid UTF-8, no NUL inside */
    size_t vlen;
};

struct sok_params {
    size_t n;
    struct sok_param p[SOK_PARAMS_MAX];
    char *mem;              /* owned: all decoded names and values */
};

#define SOK_PARAMS_INIT { 0, { { NULL, 0, NULL, 0 } }, NULL }

/* Decodes the raw query string qs (NULL or "" for none).  Rejects a
 * malformed %-escape, %00, invalid UTF-8 and more than SOK_PARAMS_MAX
 * parameters.  '+' is a space.  out is always safe to free. */
int sok_params_parse(const char *qs, struct sok_params *out,
                     const char **param, struct sok_err *err);

void sok_params_free(struct sok_params *p);

/* The value of the single-valued parameter name, or NULL when absent.
 * Repeated is SOK_EINVAL; present but empty is SOK_EINVAL too. */
int sok_params_one(const struct sok_params *p, const char *name,
                   const struct sok_param **out, const char **param,
                   struct sok_err *err);

/* The query text q: one value (it may be empty) of at most
 * SOK_Q_MAX_BYTES bytes (SOK_ETOOBIG); absent is SOK_EMISSING when
 * required, else *out NULL.  On failure *param is "q". */
int sok_params_q(const struct sok_params *p, int required,
                 const struct sok_param **out, const char **param,
                 struct sok_err *err);

/* Fills req from q, page, per_page, type (repeatable), from, to, sort.
 * q is required (SOK_EMISSING).  Bounds: page >= 1, 1 <= per_page <=
 * SOK_PER_PAGE_MAX, page * per_page <= SOK_RESULT_WINDOW (SOK_ERANGE);
 * dates are real YYYY-MM-DD dates with from <= to.  Unknown parameters are
 * ignored.  req borrows from p. */
int sok_params_search(const struct sok_params *p, struct sok_search_req *req,
                      const char **param, struct sok_err *err);

/* Parses "YYYY-MM-DD" (a real calendar date) into "YYYYMMDD"; 0 or
 * SOK_EINVAL. */
int sok_params_date(const char *s, size_t len, char out[9]);

#endif /* SOK_PARAMS_H */
