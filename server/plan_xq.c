/*
 * plan_xq: the query builders of the plan (plan.h), for plan.c and
 * correct.c: every query they make is the plan's, freed with it, and
 * every one follows one rule for failure (an rc, sticky in p->err) and
 * one for absence (NULL, which a combination leaves out).
 */
#include "plan.h"
#include "sok_terms.h"

#include <stdlib.h>
#include <string.h>

int sok_plan_keep(struct sok_plan *p, struct sok_xq *q, struct sok_xq **out)
{
    *out = NULL;
    if (q == NULL)
        return p->err->code ? p->err->code
                            : sok_err_set(p->err, SOK_EINTERNAL, NULL);
    if (p->nxq == p->capxq) {
        size_t cap = p->capxq ? p->capxq * 2 : 64;
        struct sok_xq **v = realloc(p->xqs, cap * sizeof *v);
        if (v == NULL) {
            sok_xq_free(q);
            return sok_err_set(p->err, SOK_ENOMEM, NULL);
        }
        p->xqs = v;
        p->capxq = cap;
    }
    p->xqs[p->nxq++] = q;
    *out = q;
    return 0;
}

int sok_plan_term(struct sok_plan *p, const char *prefix, const char *t,
                  size_t len, struct sok_xq **out)
{
    char term[SOK_TERM_MAX + 8];
    size_t pl = strlen(prefix);
    *out = NULL;
    if (p->err->code != 0)
        return p->err->code;
    if (len == 0)
        return 0;
    if (pl + len >= sizeof term)
        return sok_plan_keep(p, sok_xq_match_nothing(p->err), out);
    memcpy(term, prefix, pl);
    memcpy(term + pl, t, len);
    return sok_plan_keep(p, sok_xq_term(term, pl + len, 1, 0, p->err), out);
}

int sok_plan_scaled(struct sok_plan *p, const char *prefix, const char *t,
                    size_t len, double w, struct sok_xq **out)
{
    struct sok_xq *q;
    int rc = sok_plan_term(p, prefix, t, len, &q);
    if (rc != 0 || q == NULL) {
        *out = NULL;
        return rc;
    }
    return sok_plan_keep(p, sok_xq_scale(q, w, p->err), out);
}

int sok_plan_scale(struct sok_plan *p, struct sok_xq *q, double w,
                   struct sok_xq **out)
{
    *out = NULL;
    if (p->err->code != 0 || q == NULL)
        return p->err->code;
    return sok_plan_keep(p, sok_xq_scale(q, w, p->err), out);
}

int sok_plan_comb(struct sok_plan *p, enum sok_xq_op op,
                  struct sok_xq **subs, size_t n, struct sok_xq **out)
{
    *out = NULL;
    if (p->err->code != 0)
        return p->err->code;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (subs[i] != NULL)
            subs[k++] = subs[i];
    if (k == 0)
        return 0;
    if (k == 1 && op != SOK_XQ_PHRASE) {
        *out = subs[0];
        return 0;
    }
    return sok_plan_keep(p, sok_xq_combine(op, subs, k, 0, p->err), out);
}

int sok_plan_or2(struct sok_plan *p, struct sok_xq *a, struct sok_xq *b,
                 struct sok_xq **out)
{
    struct sok_xq *v[2] = { a, b };
    return sok_plan_comb(p, SOK_XQ_OR, v, 2, out);
}

int sok_plan_stem(struct sok_plan *p, const char *s, size_t len, double w,
                  struct sok_xq **out)
{
    struct sok_xq *v[2], *q;
    sok_plan_term(p, SOK_PREFIX_STEM, s, len, &v[0]);
    sok_plan_term(p, "", s, len, &v[1]);
    int rc = sok_plan_comb(p, SOK_XQ_OR, v, 2, &q);
    if (rc != 0 || q == NULL || w == 1.0) {
        *out = q;
        return rc;
    }
    return sok_plan_keep(p, sok_xq_scale(q, w, p->err), out);
}

/* The shim offers no OP_MAX (see sok_xapian.h), so "below" is built from
 * AND_NOT.  a's posting lists are read twice: the expansions exist for
 * rare words, whose lists are short. */
int sok_plan_below(struct sok_plan *p, struct sok_xq *a,
                   struct sok_xq **rest, size_t n, struct sok_xq **out)
{
    struct sok_xq *r, *only;
    int rc = sok_plan_comb(p, SOK_XQ_OR, rest, n, &r);
    if (rc != 0 || a == NULL || r == NULL) {
        *out = rc != 0 ? NULL : a ? a : r;
        return rc;
    }
    struct sok_xq *v[2] = { r, a };
    sok_plan_comb(p, SOK_XQ_AND_NOT, v, 2, &only);
    return sok_plan_or2(p, a, only, out);
}

