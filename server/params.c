/*
 * params: query-string decoding and request validation (see params.h).
 */
#include "params.h"
#include "httperr.h"
#include "query.h"
#include "sok_doc.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..len) into dst (room for len + 1 bytes).  Returns the
 * decoded length, -1 for a malformed escape, -2 for a NUL byte. */
static long decode(const char *s, size_t len, char *dst)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (len - i < 3)
                return -1;
            int h = hexval((unsigned char)s[i + 1]);
            int l = hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = (unsigned char)(h * 16 + l);
            i += 2;
        }
        if (c == 0)
            return -2;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return (long)o;
}

/* Names the parameter in errors: the known ones by a static string, the
 * rest as "query string" (their bytes are not worth echoing). */
static const char *known_name(const char *name)
{
    static const char *const known[] = {
        "q", "page", "per_page", "type", "from", "to", "sort",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i]) == 0)
            return known[i];
    return "query string";
}

/* Bytes that no form field produces and no log should see raw; \t \n \r
 * are kept (a textarea can send them) and treated as spaces later. */
static int has_bad_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 1;
    }
    return 0;
}

int sok_params_parse(const char *qs, struct sok_params *out,
                     const char **param, struct sok_err *err)
{
    memset(out, 0, sizeof *out);
    *param = "query string";
    if (qs == NULL || *qs == '\0')
        return 0;
    size_t qlen = strlen(qs);
    /* Decoding never grows the text: one buffer holds every name and
     * value, each NUL-terminated. */
    out->mem = malloc(qlen + 2 * (SOK_PARAMS_MAX + 1));
    if (out->mem == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);

    char *dst = out->mem;
    const char *s = qs, *end = qs + qlen;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *seg_end = amp ? amp : end;
        if (seg_end == s) {            /* "a&&b": nothing between */
            s = seg_end + 1;
            continue;
        }
        if (out->n == SOK_PARAMS_MAX)
            return sok_err_set(err, SOK_ETOOBIG,
                               "more than %d parameters", SOK_PARAMS_MAX);
        const char *eq = memchr(s, '=', (size_t)(seg_end - s));
        const char *name_end = eq ? eq : seg_end;
        struct sok_param *p = &out->p[out->n];

        *param = "query string";
        long n = decode(s, (size_t)(name_end - s), dst);
        if (n < 0)
            return sok_err_set(err, SOK_EINVAL,
                               "a parameter name is badly %%-encoded");
        p->name = dst;
        p->nlen = (size_t)n;
        dst += n + 1;
        *param = known_name(p->name);
        if (!sok_text_utf8_valid(p->name, p->nlen))
            return sok_err_set(err, SOK_EUTF8,
                               "a parameter name is not valid UTF-8");
        if (has_bad_control(p->name, p->nlen))
            return sok_err_set(err, SOK_EINVAL,
                               "a parameter name contains a control "
                               "character");

        const char *v = eq ? eq + 1 : seg_end;
        n = decode(v, (size_t)(seg_end - v), dst);
        if (n == -1)
            return sok_err_set(err, SOK_EINVAL,
                               "%s: malformed %%-escape", *param);
        if (n == -2)
            return sok_err_set(err, SOK_EINVAL,
                               "%s: contains a NUL byte (%%00)", *param);
        p->val = dst;
        p->vlen = (size_t)n;
        dst += n + 1;
        if (!sok_text_utf8_valid(p->val, p->vlen))
            return sok_err_set(err, SOK_EUTF8,
                               "%s: not valid UTF-8", *param);
        if (has_bad_control(p->val, p->vlen))
            return sok_err_set(err, SOK_EINVAL,
                               "%s: contains a control character", *param);
        out->n++;
        s = seg_end + (amp ? 1 : 0);
    }
    *param = NULL;
    return 0;
}

void sok_params_free(struct sok_params *p)
{
    if (p == NULL)
        return;
    free(p->mem);
    p->mem = NULL;
    p->n = 0;
}

int sok_params_one(const struct sok_params *p, const char *name,
                   const struct sok_param **out, const char **param,
                   struct sok_err *err)
{
    *out = NULL;
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->p[i].name, name) != 0)
            continue;
        *param = known_name(name);
        if (*out != NULL)
            return sok_err_set(err, SOK_EINVAL,
                               "%s: given more than once", *param);
        if (p->p[i].vlen == 0)
            return sok_err_set(err, SOK_EINVAL, "%s: empty", *param);
        *out = &p->p[i];
    }
    return 0;
}

/* A decimal in [lo, hi] without sign, spaces or leading '+'. */
static int parse_uint(const struct sok_param *v, unsigned lo, unsigned hi,
                      unsigned *out)
{
    if (v->vlen == 0 || v->vlen > 9)
        return -1;
    unsigned long n = 0;
    for (size_t i = 0; i < v->vlen; i++) {
        if (v->val[i] < '0' || v->val[i] > '9')
            return -1;
        n = n * 10 + (unsigned long)(v->val[i] - '0');
    }
    if (n < lo || n > hi)
        return -1;
    *out = (unsigned)n;
    return 0;
}

int sok_params_date(const char *s, size_t len, char out[9])
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                 31 };
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return SOK_EINVAL;
    int v[3] = { 0, 0, 0 };
    const int at[3] = { 0, 5, 8 }, w[3] = { 4, 2, 2 };
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < w[k]; i++) {
            char c = s[at[k] + i];
            if (c < '0' || c > '9')
                return SOK_EINVAL;
            v[k] = v[k] * 10 + (c - '0');
        }
    int y = v[0], m = v[1], d = v[2];
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
        (m == 2 && d == 29 && !leap))
        return SOK_EINVAL;
    memcpy(out, s, 4);
    memcpy(out + 4, s + 5, 2);
    memcpy(out + 6, s + 8, 2);
    out[8] = '\0';
    return 0;
}

int sok_params_q(const struct sok_params *p, int required,
                 const struct sok_param **out, const char **param,
                 struct sok_err *err)
{
    *param = "q";
    *out = NULL;
    size_t seen = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->p[i].name, "q") == 0 && seen++ == 0)
            *out = &p->p[i];
    /* An empty box is a query too (a browse), not a bad parameter. */
    if (seen > 1)
        return sok_err_set(err, SOK_EINVAL, "q: given more than once");
    if (*out == NULL && required)
        return sok_err_set(err, SOK_EMISSING, "q: required");
    if (*out != NULL && (*out)->vlen > SOK_Q_MAX_BYTES)
        return sok_err_set(err, SOK_ETOOBIG, "q: longer than %d bytes",
                           SOK_Q_MAX_BYTES);
    *param = NULL;
    return 0;
}

int sok_params_search(const struct sok_params *p, struct sok_search_req *req,
                      const char **param, struct sok_err *err)
{
    const struct sok_param *v;
    int rc;

    if ((rc = sok_params_q(p, 1, &v, param, err)) != 0)
        return rc;
    req->q = v->val;
    req->qlen = v->vlen;

    *param = "per_page";
    if ((rc = sok_params_one(p, "per_page", &v, param, err)) != 0)
        return rc;
    if (v != NULL && parse_uint(v, 1, SOK_PER_PAGE_MAX, &req->per_page))
        return sok_err_set(err, SOK_ERANGE,
                           "per_page: must be a whole number from 1 to %d",
                           SOK_PER_PAGE_MAX);

    *param = "page";
    if ((rc = sok_params_one(p, "page", &v, param, err)) != 0)
        return rc;
    if (v != NULL && parse_uint(v, 1, SOK_RESULT_WINDOW, &req->page))
        return sok_err_set(err, SOK_ERANGE,
                           "page: must be a whole number from 1 to %d",
                           SOK_RESULT_WINDOW);
    if ((unsigned long)req->page * req->per_page > SOK_RESULT_WINDOW)
        return sok_err_set(err, SOK_ERANGE,
                           "page: page * per_page may not exceed %d",
                           SOK_RESULT_WINDOW);

    *param = "type";
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->p[i].name, "type") != 0)
            continue;
        enum sok_type t;
        if (sok_type_parse(p->p[i].val, &t) != 0)
            return sok_err_set(err, SOK_EINVAL,
                               "type: must be news, minutes, report or "
                               "other");
        req->types |= 1u << (unsigned)t;
    }

    static const char *const date_names[2] = { "from", "to" };
    char *dates[2] = { req->from, req->to };
    for (int k = 0; k < 2; k++) {
        *param = date_names[k];
        if ((rc = sok_params_one(p, date_names[k], &v, param, err)) != 0)
            return rc;
        if (v != NULL && sok_params_date(v->val, v->vlen, dates[k]) != 0)
            return sok_err_set(err, SOK_EINVAL,
                               "%s: must be a date YYYY-MM-DD",
                               date_names[k]);
    }
    if (req->from[0] && req->to[0] && strcmp(req->from, req->to) > 0) {
        *param = "to";
        return sok_err_set(err, SOK_ERANGE, "to: is before from");
    }

    *param = "sort";
    if ((rc = sok_params_one(p, "sort", &v, param, err)) != 0)
        return rc;
    if (v != NULL) {
        if (strcmp(v->val, "date") == 0)
            req->sort_date = 1;
        else if (strcmp(v->val, "relevance") != 0)
            return sok_err_set(err, SOK_EINVAL,
                               "sort: must be relevance or date");
    }
    *param = NULL;
    return 0;
}
