/*
 * hits: one tier of a plan run against the index and folded into a page
 * (plan.h, sok_hits_search).  Near-duplicate sections collapse on
 * SOK_SLOT_DUPKEY in Xapian; among the top results the face of each
 * collapsed group is chosen from its twins so that one page does not mix
 * two copies of a document (and prefers the copy with a date), and a hit
 * whose text a higher hit contains is folded into it (dedup.h).  The total
 * and the type and year facets are counted over at least SOK_FACET_CHECK
 * matches and scaled up beyond.
 */
#include "plan.h"
#include "dedup.h"
#include "sok_terms.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct run {                    /* one sok_hits_search call */
    struct sok_engine *e;
    const struct sok_hl *hl;    /* the words snippets mark */
    struct sok_err *err;
};

/* ------------------------------------------------------------ searches */

/* Matches the main search examines at least, for `wanted` hits: counting
 * every match of a common word costs more than the rest of the query
 * together, so past SOK_FACET_CHECK the total and the facets are
 * estimated (facet_estimates). */
static unsigned main_check(unsigned wanted)
{
    return wanted > SOK_FACET_CHECK ? wanted : SOK_FACET_CHECK;
}

/* One Xapian search.  With collapse, the main search: collapsed on the
 * duplicate key, totals and facets over at least SOK_FACET_CHECK matches.
 * Without, the twins of collapsed hits (see choose_twins). */
static int run_one(struct run *r, const struct sok_xq *q,
                   const struct sok_search_req *req, unsigned offset,
                   unsigned limit, int collapse, struct sok_xresult **out)
{
    struct sok_xsearch s;
    memset(&s, 0, sizeof s);
    s.query = q;
    s.offset = offset;
    s.limit = limit;
    s.sort_slot = req->sort_date ? SOK_SLOT_DATE : -1;
    s.sort_desc = 1;
    s.collapse_slot = collapse ? SOK_SLOT_DUPKEY : -1;
    s.check_at_least = collapse ? main_check(offset + limit) : limit;
    if (collapse) {
        s.nfacets = 2;
        s.facet_slots[0] = SOK_SLOT_TYPE;
        s.facet_slots[1] = SOK_SLOT_YEAR;
    }
    return sok_xr_search(r->e->xr, &s, out, r->err);
}

/* ------------------------------------------------------------ hits */

struct cand {                   /* a hit being chosen */
    const struct sok_xhit *x;   /* where it came from */
    json_t *doc;                /* owned; NULL until cand_doc() */
    double score;
    unsigned collapsed;
    unsigned docid;
    uint64_t *sh;               /* owned shingles, see dedup.h */
    size_t nsh;
    int sh_done, taken;
};

/* Parses the record on first use: most twins are never looked at. */
static int cand_doc(struct run *r, struct cand *c)
{
    if (c->doc != NULL)
        return 0;
    c->doc = json_loadb(c->x->data, c->x->data_len, 0, NULL);
    if (!json_is_object(c->doc)) {
        /* A record this server cannot read is shown empty rather than
         * failing the whole page. */
        json_decref(c->doc);
        c->doc = json_object();
        if (c->doc == NULL)
            return sok_err_set(r->err, SOK_ENOMEM, NULL);
    }
    return 0;
}

static int cand_shingles(struct run *r, struct cand *c)
{
    if (c->sh_done)
        return 0;
    c->sh_done = 1;
    int rc = cand_doc(r, c);
    if (rc != 0)
        return rc;
    json_t *t = json_object_get(c->doc, "text");
    if (!json_is_string(t))
        return 0;
    return sok_dedup_shingles(json_string_value(t), json_string_length(t),
                              &c->sh, &c->nsh, r->err);
}

static const char *cand_str(const struct cand *c, const char *key)
{
    const char *s = json_string_value(json_object_get(c->doc, key));
    return s ? s : "";
}

static void cand_free(struct cand *c, size_t n)
{
    for (size_t i = 0; c != NULL && i < n; i++) {
        json_decref(c[i].doc);
        free(c[i].sh);
    }
    free(c);
}

static int load_all(struct run *r, const struct sok_xresult *x,
                    struct cand **out)
{
    *out = calloc(x->nhits ? x->nhits : 1, sizeof **out);
    if (*out == NULL)
        return sok_err_set(r->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < x->nhits; i++) {
        struct cand *c = &(*out)[i];
        c->x = &x->hits[i];
        c->score = c->x->weight;
        c->collapsed = c->x->collapse_count;
        c->docid = c->x->docid;
    }
    return 0;
}

/* How much a twin is preferred as the face of its group: a file the page
 * already shows (so twins do not mix the two copies), then a record with a
 * date (the richer copy). */
static int preference(const struct cand *c, const struct cand *kept,
                      const size_t *kidx, size_t nk)
{
    int v = cand_str(c, "date")[0] ? 1 : 0;
    const char *src = cand_str(c, "source");
    for (size_t k = 0; k < nk; k++)
        if (strcmp(cand_str(&kept[kidx[k]], "source"), src) == 0)
            return v + 2;
    return v;
}

/* For every collapsed hit, picks the face of its group among its twins in
 * the uncollapsed list m[0..nm) (keeping the group's rank and score), and
 * folds hits whose text another higher hit already contains.  Fills
 * kidx[0..*nk) with the hits kept, in rank order, stopping once want are
 * kept (each hit costs a parse and its shingles); *seen: hits looked at. */
static int choose_twins(struct run *r, struct cand *h, size_t nh,
                        struct cand *m, size_t nm, size_t want,
                        size_t *kidx, size_t *nk, size_t *seen)
{
    int rc;
    *nk = 0;
    *seen = 0;
    for (size_t i = 0; i < nh && *nk < want; i++) {
        *seen = i + 1;
        if ((rc = cand_shingles(r, &h[i])) != 0)
            return rc;
        if (h[i].collapsed > 0 && m != NULL) {
            size_t best = (size_t)-1;
            int best_pref = preference(&h[i], h, kidx, *nk);
            for (size_t j = 0; j < nm; j++) {
                int is_hit = 0;
                for (size_t k = 0; k < nh && !is_hit; k++)
                    is_hit = m[j].docid == h[k].docid;
                if (is_hit || m[j].taken)
                    continue;
                if ((rc = cand_doc(r, &m[j])) != 0)
                    return rc;
                int pref = preference(&m[j], h, kidx, *nk);
                if (pref <= best_pref)
                    continue;
                if ((rc = cand_shingles(r, &m[j])) != 0)
                    return rc;
                if (sok_dedup_similar(h[i].sh, h[i].nsh, m[j].sh, m[j].nsh)) {
                    best = j;
                    best_pref = pref;
                }
            }
            if (best != (size_t)-1) {
                struct cand *t = &m[best];
                json_t *d = h[i].doc;
                uint64_t *sh = h[i].sh;
                size_t nsh = h[i].nsh;
                h[i].doc = t->doc;
                h[i].sh = t->sh;
                h[i].nsh = t->nsh;
                t->doc = d;
                t->sh = sh;
                t->nsh = nsh;
                t->taken = 1;
            }
        }
        size_t k = 0;
        while (k < *nk && !sok_dedup_similar(h[kidx[k]].sh, h[kidx[k]].nsh,
                                             h[i].sh, h[i].nsh))
            k++;
        if (k < *nk)
            h[kidx[k]].collapsed += 1 + h[i].collapsed;
        else
            kidx[(*nk)++] = i;
    }
    return 0;
}

/* Moves the chosen hits into res, with their snippets. */
static int emit_hits(struct run *r, struct cand *h, const size_t *kidx,
                     size_t n, struct sok_search_res *res)
{
    if (n == 0)
        return 0;
    res->hits = calloc(n, sizeof *res->hits);
    if (res->hits == NULL)
        return sok_err_set(r->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        struct cand *c = &h[kidx[i]];
        int rc = cand_doc(r, c);
        if (rc != 0)
            return rc;
        struct sok_search_hit *o = &res->hits[res->nhits++];
        o->doc = c->doc;
        c->doc = NULL;
        o->score = c->score;
        o->collapsed = c->collapsed;
        json_t *text = json_object_get(o->doc, "text");
        struct sok_buf b = SOK_BUF_INIT;
        rc = sok_snippet(r->e->an, r->hl,
                         json_is_string(text) ? json_string_value(text) : "",
                         json_is_string(text) ? json_string_length(text) : 0,
                         &b, r->err);
        if (rc != 0) {
            sok_buf_free(&b);
            return rc;
        }
        o->snippet = sok_buf_detach(&b, NULL);
        if (o->snippet == NULL)
            return sok_err_set(r->err, SOK_ENOMEM, NULL);
    }
    return 0;
}

/* ---------------------------------------------------------------- page */

/* Sets res->total and res->facets_exact from the main search, which
 * examined at least check matches.  When that was all of them, the lower
 * bound is the exact number of collapsed results (Xapian's estimate can be
 * far off once collapsing removed many), and the facets are exact.  Else
 * the facets counted only the matches examined: they are scaled to the
 * estimated total (the type facet's sum is the number of collapsed results
 * examined, every section having a type). */
static void facet_estimates(struct sok_search_res *res, unsigned check)
{
    struct sok_xresult *x = res->xres;
    res->facets_exact = x->total_lower == x->total_upper ||
                        x->total_upper <= check;
    if (res->facets_exact) {
        res->total = x->total_lower;
        return;
    }
    res->total = x->total;
    unsigned long seen = 0;
    for (size_t i = 0; i < x->nfacets; i++)
        if (x->facets[i].slot == SOK_SLOT_TYPE)
            for (size_t k = 0; k < x->facets[i].n; k++)
                seen += x->facets[i].counts[k].count;
    if (seen == 0 || seen >= x->total)
        return;
    double f = (double)x->total / (double)seen;
    for (size_t i = 0; i < x->nfacets; i++)
        for (size_t k = 0; k < x->facets[i].n; k++) {
            unsigned long c = x->facets[i].counts[k].count;
            x->facets[i].counts[k].count = (unsigned long)(c * f + 0.5);
        }
}

/* The page of res from the top of the main search x (xlim hits asked
 * for): twins chosen and contained texts folded over the hits, and the
 * total less the folds.  h[0..x->nhits) are x's hits, kidx room for as
 * many indexes. */
static int dedup_page(struct run *r, const struct sok_xq *q,
                      const struct sok_search_req *req, unsigned xlim,
                      struct cand *h, size_t *kidx,
                      struct sok_search_res *res)
{
    const struct sok_xresult *x = res->xres;
    unsigned offset = (req->page - 1) * req->per_page;
    struct cand *m = NULL;
    struct sok_xresult *xm = NULL;
    int rc = 0, collapsed = 0;
    for (size_t i = 0; i < x->nhits; i++)
        collapsed |= x->hits[i].collapse_count > 0;
    if (collapsed) {
        unsigned lim = 2 * xlim < SOK_DEDUP_TWINS ? 2 * xlim
                                                  : SOK_DEDUP_TWINS;
        rc = run_one(r, q, req, 0, lim, 0, &xm);
        if (rc == 0)
            rc = load_all(r, xm, &m);
    }
    /* When Xapian returned every match, all are deduplicated for an
     * exact total; else only as many as fill the page (the total is an
     * estimate there, less the folds seen). */
    size_t want = x->nhits < xlim ? x->nhits : offset + req->per_page;
    size_t nk = 0, seen = 0;
    if (rc == 0)
        rc = choose_twins(r, h, x->nhits, m, xm ? xm->nhits : 0, want, kidx,
                          &nk, &seen);
    if (rc == 0) {
        size_t folded = seen - nk;
        if (x->nhits < xlim)        /* saw every match */
            res->total = nk;
        else
            res->total = res->total > folded ? res->total - folded : nk;
        size_t from = offset < nk ? offset : nk;
        size_t to = from + req->per_page < nk ? from + req->per_page : nk;
        rc = emit_hits(r, h, kidx + from, to - from, res);
    }
    cand_free(m, xm ? xm->nhits : 0);
    sok_xresult_free(xm);
    return rc;
}

int sok_hits_search(struct sok_engine *e, const struct sok_hl *hl,
                    const struct sok_xq *q, const struct sok_search_req *req,
                    struct sok_search_res *res, struct sok_err *err)
{
    struct run run = { e, hl, err }, *r = &run;
    unsigned offset = (req->page - 1) * req->per_page;
    int window = offset + req->per_page <= SOK_DEDUP_WINDOW;
    unsigned xoff = window ? 0 : offset;
    unsigned xlim = window ? offset + req->per_page + SOK_DEDUP_EXTRA
                           : req->per_page;
    int rc = run_one(r, q, req, xoff, xlim, 1, &res->xres);
    if (rc != 0)
        return rc;
    facet_estimates(res, main_check(xoff + xlim));
    const struct sok_xresult *x = res->xres;

    struct cand *h = NULL;
    size_t *kidx = calloc(x->nhits ? x->nhits : 1, sizeof *kidx);
    if (kidx == NULL)
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
    if (rc == 0)
        rc = load_all(r, x, &h);
    if (rc == 0 && window) {
        rc = dedup_page(r, q, req, xlim, h, kidx, res);
    } else if (rc == 0) {
        for (size_t i = 0; i < x->nhits; i++)
            kidx[i] = i;
        rc = emit_hits(r, h, kidx, x->nhits, res);
    }
    cand_free(h, x->nhits);
    free(kidx);
    return rc;
}
