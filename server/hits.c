/*
 * hits: one tier of a plan run against the index and made into a page
 * (plan.h, sok_hits_search).  Near-duplicate sections collapse on
 * SOK_SLOT_DUPKEY in Xapian; among the top results the copies of each
 * passage are grouped into one hit (twins.h): the collapsed copies found
 * in an uncollapsed search of the same query, and hits whose text a
 * higher hit holds.  The total and the type and year facets are counted
 * over at least SOK_FACET_CHECK matches and scaled up beyond; with a type
 * filter a second search counts the types not chosen.
 */
#include "plan.h"
#include "twins.h"
#include "sok_terms.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct run {                    /* one sok_hits_search call */
    struct sok_engine *e;
    const struct sok_hl *hl;    /* the words snippets and titles mark */
    struct sok_err *err;
    int lazy;                   /* hits come without data, read when
                                   looked at (one local database: a remote
                                   shard sends a page's in one trip) */
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

enum pass {
    PASS_MAIN,      /* collapsed, the facets, hits with their keys */
    PASS_FIRST,     /* the main pass without hit data (sok_plan_tier's
                       first) */
    PASS_RANK,      /* hits with their keys, the whole (small) set */
    PASS_TWINS,     /* uncollapsed, hits with their keys: the copies of
                       collapsed hits */
    PASS_OTHERS     /* collapsed, the type facet only: the types a type
                       filter left out */
};

/* One Xapian search of q; check: matches examined at least (the main and
 * the others pass). */
static int run_one(struct run *r, const struct sok_xq *q,
                   const struct sok_search_req *req, unsigned offset,
                   unsigned limit, enum pass pass, unsigned check,
                   struct sok_xresult **out)
{
    struct sok_xsearch s;
    memset(&s, 0, sizeof s);
    s.query = q;
    s.offset = offset;
    s.limit = limit;
    /* The others pass only counts: relevance order lets Xapian stop
     * early, as the main search does. */
    s.sort_slot = req->sort_date && pass != PASS_OTHERS ? SOK_SLOT_DATE : -1;
    s.sort_desc = 1;
    s.collapse_slot = pass == PASS_TWINS ? -1 : SOK_SLOT_DUPKEY;
    s.key_slot = pass == PASS_OTHERS || pass == PASS_FIRST ? -1
                                                           : SOK_SLOT_DUPKEY;
    s.no_data = pass == PASS_FIRST || pass == PASS_OTHERS || r->lazy;
    s.check_at_least = pass == PASS_TWINS ? limit : check;
    s.facet_slots[0] = SOK_SLOT_TYPE;
    s.facet_slots[1] = SOK_SLOT_YEAR;
    s.facet_keyed[0] = SOK_SLOT_TYPE_KEYED;
    s.facet_keyed[1] = SOK_SLOT_YEAR_KEYED;
    s.facet_key_len = SOK_DUPKEY_LEN;
    s.nfacets = pass == PASS_MAIN || pass == PASS_FIRST ? 2
                : pass == PASS_OTHERS                 ? 1 : 0;
    return sok_xr_search(r->e->xr, &s, out, r->err);
}

/* The main search of q in two passes: first (q without its proximity
 * boost, the same matches) counts and facets as the main search does and
 * finds its best SOK_RERANK_DEPTH (or xlim), and q ranks only those.  A
 * proximity boost reads the positions of every match it is tried on: on
 * words that each match a tenth of the sections, that was two thirds of
 * the query's time.  The cost: a section outside first's best
 * SOK_RERANK_DEPTH is not lifted into the page by its words' order.
 * *out: first's total and facets, q's hits with the collapse counts of
 * first's (each collapse key is once among the set q ranks). */
static int ranked(struct run *r, const struct sok_xq *q,
                  const struct sok_xq *first, const struct sok_search_req *req,
                  unsigned xlim, unsigned check, struct sok_xresult **out)
{
    unsigned depth = xlim > SOK_RERANK_DEPTH ? xlim : SOK_RERANK_DEPTH;
    struct sok_xresult *x1 = NULL, *x2 = NULL;
    struct sok_xq *set = NULL, *within = NULL;
    unsigned *ids = NULL;
    int rc = run_one(r, first, req, 0, depth, PASS_FIRST,
                     check > depth ? check : depth, &x1);
    if (rc == 0 && (ids = malloc((x1->nhits + 1) * sizeof *ids)) == NULL)
        rc = sok_err_set(r->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; rc == 0 && i < x1->nhits; i++)
        ids[i] = x1->hits[i].docid;
    if (rc == 0 && (set = sok_xq_docids(ids, x1->nhits, r->err)) == NULL)
        rc = r->err->code;
    struct sok_xq *v[2] = { (struct sok_xq *)q, set };  /* not changed */
    if (rc == 0 &&
        (within = sok_xq_combine(SOK_XQ_FILTER, v, 2, 0, r->err)) == NULL)
        rc = r->err->code;
    if (rc == 0)
        rc = run_one(r, within, req, 0, xlim, PASS_RANK, depth, &x2);
    for (size_t i = 0; rc == 0 && i < x2->nhits; i++)
        for (size_t k = 0; k < x1->nhits; k++)
            if (x1->hits[k].docid == x2->hits[i].docid)
                x2->hits[i].collapse_count = x1->hits[k].collapse_count;
    if (rc == 0) {
        /* x1 keeps its counts and takes x2's hits; x2 frees x1's. */
        struct sok_xhit *hits = x1->hits;
        size_t n = x1->nhits;
        x1->hits = x2->hits;
        x1->nhits = x2->nhits;
        x2->hits = hits;
        x2->nhits = n;
        *out = x1;
        x1 = NULL;
    }
    sok_xresult_free(x1);
    sok_xresult_free(x2);
    sok_xq_free(within);
    sok_xq_free(set);
    free(ids);
    return rc;
}

static int fetch_data(void *ctx, unsigned docid, char **data, size_t *len,
                      struct sok_err *err)
{
    struct sok_engine *e = ctx;
    return sok_xr_data_of(e->xr, docid, data, len, err);
}

/* The hits of x as twins (zeroed, borrowing x's strings; with r->lazy,
 * fetching their data on first use). */
static int load_twins(struct run *r, const struct sok_xresult *x,
                      struct sok_twin **out)
{
    *out = calloc(x->nhits ? x->nhits : 1, sizeof **out);
    if (*out == NULL)
        return sok_err_set(r->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < x->nhits; i++) {
        struct sok_twin *t = &(*out)[i];
        const struct sok_xhit *xh = &x->hits[i];
        t->data = r->lazy ? NULL : xh->data;
        t->data_len = r->lazy ? 0 : xh->data_len;
        t->fetch = r->lazy ? fetch_data : NULL;
        t->fetch_ctx = r->e;
        t->key = xh->key;
        t->klen = xh->key_len;
        t->docid = xh->docid;
        t->score = xh->weight;
        t->collapsed = xh->collapse_count;
        t->unsure = r->e->opts.shards != NULL;
    }
    return 0;
}

/* ------------------------------------------------------------ facets */

static struct sok_xfacet *find_facet(struct sok_xresult *x, unsigned slot)
{
    for (size_t i = 0; x != NULL && i < x->nfacets; i++)
        if (x->facets[i].slot == slot)
            return &x->facets[i];
    return NULL;
}

/* Sums facet f's counts. */
static unsigned long facet_sum(const struct sok_xfacet *f)
{
    unsigned long n = 0;
    for (size_t k = 0; f != NULL && k < f->n; k++)
        n += f->counts[k].count;
    return n;
}

/* Scales every facet of x by total / seen (the matches examined stand
 * for all of them), when fewer were seen. */
static void scale_facets(struct sok_xresult *x, unsigned long seen,
                         unsigned long total)
{
    if (seen == 0 || seen >= total)
        return;
    double f = (double)total / (double)seen;
    for (size_t i = 0; i < x->nfacets; i++)
        for (size_t k = 0; k < x->facets[i].n; k++) {
            unsigned long c = x->facets[i].counts[k].count;
            x->facets[i].counts[k].count = (unsigned long)(c * f + 0.5);
        }
}

/* The number of results x holds, estimated from its sample when it stopped
 * early: seen results among every match up to docid sample_end stand for
 * the same density over all the docids.  Xapian's own estimate takes a
 * query's terms for independent, and a word, its stem and its compound
 * parts are anything but: twice the true number was common. */
static unsigned long sample_total(const struct sok_xresult *x,
                                  unsigned long seen)
{
    if (x->sample_end == 0 || seen == 0)
        return x->total;
    double est = (double)seen * (double)x->last_docid / (double)x->sample_end;
    if (est < (double)x->total_lower)
        est = (double)x->total_lower;
    if (est > (double)x->total_upper)
        est = (double)x->total_upper;
    return (unsigned long)(est + 0.5);
}

/* Whether a search that examined at least check matches saw them all. */
static int saw_all(const struct sok_xresult *x, unsigned check)
{
    return x->total_lower == x->total_upper || x->total_upper <= check;
}

/* Sets res->total, total_exact and facets_exact from the main search,
 * which examined at least check matches.  When that was all of them, the
 * lower bound is the exact number of collapsed results (Xapian's estimate
 * can be far off once collapsing removed many), and the facets are exact.
 * Else the facets counted a sample (sok_xresult.sample_end) or the
 * matches examined: they are scaled to the estimated total (the type
 * facet's sum is the number of collapsed results counted, every section
 * having a type). */
static void facet_estimates(struct sok_search_res *res, unsigned check)
{
    struct sok_xresult *x = res->xres;
    res->facets_exact = res->total_exact = saw_all(x, check);
    if (res->facets_exact) {
        res->total = x->total_lower;
        return;
    }
    unsigned long seen = facet_sum(find_facet(x, SOK_SLOT_TYPE));
    res->total = sample_total(x, seen);
    scale_facets(x, seen, res->total);
}

/* Count descending, then value: the shim's order. */
static int cmp_count(const void *a, const void *b)
{
    const struct sok_xfacet_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* Adds the others pass's type counts (the types the filter left out, so
 * no value is in both) to the main search's type facet. */
static int merge_types(struct run *r, struct sok_xfacet *dst,
                       struct sok_xfacet *src)
{
    if (src->n == 0)
        return 0;
    struct sok_xfacet_count *c =
        realloc(dst->counts, (dst->n + src->n) * sizeof *c);
    if (c == NULL)
        return sok_err_set(r->err, SOK_ENOMEM, NULL);
    memcpy(c + dst->n, src->counts, src->n * sizeof *c);
    dst->counts = c;
    dst->n += src->n;
    src->n = 0;                 /* the values now belong to dst */
    qsort(dst->counts, dst->n, sizeof *dst->counts, cmp_count);
    return 0;
}

/* With a type filter: counts the query within the types not chosen into
 * the type facet, as the main search counts (collapsed, at least check
 * matches examined, scaled up beyond), so a filter UI can show what
 * choosing them would add.  The year facet stays within the filter. */
static int count_others(struct run *r, const struct sok_xq *others,
                        const struct sok_search_req *req, unsigned check,
                        struct sok_search_res *res)
{
    struct sok_xresult *xo = NULL;
    /* One hit, not none: without a hit to rank Xapian examines every
     * match. */
    int rc = run_one(r, others, req, 0, 1, PASS_OTHERS, check, &xo);
    struct sok_xfacet *dst = find_facet(res->xres, SOK_SLOT_TYPE);
    if (rc == 0 && dst != NULL) {
        int exact = saw_all(xo, check);
        unsigned long seen = facet_sum(&xo->facets[0]);
        if (!exact)
            scale_facets(xo, seen, sample_total(xo, seen));
        res->facets_exact = res->facets_exact && exact;
        rc = merge_types(r, dst, &xo->facets[0]);
    }
    sok_xresult_free(xo);
    return rc;
}

/* A copy's value for a facet slot, as the indexer stores it ("" none). */
static void slot_value(const struct sok_twin *t, unsigned slot, char out[16])
{
    const char *v = "";
    if (slot == SOK_SLOT_TYPE) {
        v = sok_twin_str(t, "type");
        if (*v == '\0')
            v = "other";
    } else if (strlen(sok_twin_str(t, "date")) >= 4) {
        snprintf(out, 16, "%.4s", sok_twin_str(t, "date"));
        return;
    }
    snprintf(out, 16, "%s", v);
}

static int same_key(const struct sok_twin *a, const struct sok_twin *b)
{
    if (a->klen == 0 || b->klen == 0)   /* no key: counted alone */
        return a->docid == b->docid;
    return a->klen == b->klen && memcmp(a->key, b->key, a->klen) == 0;
}

/* Takes one off each facet value that counted one passage twice: Xapian
 * counted every collapse key once per value, and a hit holds copies under
 * several keys when hits were folded into it.  Per value the passage
 * stays counted once (a PDF copy of another type still counts under
 * that type: filtering by it finds the PDF). */
static void fold_facets(struct sok_search_res *res,
                        const struct sok_twin_group *g, size_t ng)
{
    static const unsigned slots[2] = { SOK_SLOT_TYPE, SOK_SLOT_YEAR };
    for (size_t s = 0; s < 2; s++) {
        struct sok_xfacet *f = find_facet(res->xres, slots[s]);
        for (size_t k = 0; f != NULL && k < ng; k++) {
            for (size_t i = 1; i < g[k].n; i++) {
                char v[16], w[16];
                slot_value(g[k].copy[i], slots[s], v);
                int seen_v = 0, seen_key = 0;
                for (size_t j = 0; j < i && *v; j++) {
                    slot_value(g[k].copy[j], slots[s], w);
                    if (strcmp(v, w) != 0)
                        continue;
                    seen_v = 1;
                    seen_key |= same_key(g[k].copy[i], g[k].copy[j]);
                }
                if (!seen_v || seen_key)
                    continue;
                for (size_t c = 0; c < f->n; c++)
                    if (strcmp(f->counts[c].value, v) == 0 &&
                        f->counts[c].count > 0)
                        f->counts[c].count--;
            }
        }
    }
}

/* ------------------------------------------------------------ page */

/* The other copies of group g as JSON, {"url","source","id"} each. */
static int also_json(struct run *r, const struct sok_twin_group *g,
                     json_t **out)
{
    json_t *a = json_array();
    int rc = a != NULL ? 0 : sok_err_set(r->err, SOK_ENOMEM, NULL);
    for (size_t i = 1; i < g->n && rc == 0; i++) {
        struct sok_twin *t = g->copy[i];
        if ((rc = sok_twin_doc(t, r->err)) != 0)
            break;
        json_t *o = json_pack("{s:s, s:s, s:s}", "url",
                              sok_twin_str(t, "url"), "source",
                              sok_twin_str(t, "source"), "id",
                              sok_twin_str(t, "id"));
        if (json_array_append_new(a, o) != 0)
            rc = sok_err_set(r->err, SOK_ENOMEM, NULL);
    }
    if (rc != 0) {
        json_decref(a);
        a = NULL;
    }
    *out = a;
    return rc;
}

/* field of doc highlighted into *out (malloc()ed HTML): the snippet of
 * its "text", or all of its "title". */
static int marked(struct run *r, const json_t *doc, const char *field,
                  char **out)
{
    json_t *v = json_object_get(doc, field);
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = strcmp(field, "text") == 0
                 ? sok_snippet(r->e->an, r->hl, s, n, &b, r->err)
                 : sok_highlight_line(r->e->an, r->hl, s, n, &b, r->err);
    if (rc == 0 && (*out = sok_buf_detach(&b, NULL)) == NULL)
        rc = sok_err_set(r->err, SOK_ENOMEM, NULL);
    sok_buf_free(&b);
    return rc;
}

/* Moves groups g[0..n) into res as hits: their faces' records, snippets
 * and titles, and the other copies. */
static int emit_hits(struct run *r, struct sok_twin_group *g, size_t n,
                     struct sok_search_res *res)
{
    if (n == 0)
        return 0;
    res->hits = calloc(n, sizeof *res->hits);
    if (res->hits == NULL)
        return sok_err_set(r->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        struct sok_twin *face = g[i].copy[0];
        int rc = sok_twin_doc(face, r->err);
        if (rc != 0)
            return rc;
        struct sok_search_hit *o = &res->hits[res->nhits++];
        o->doc = face->doc;
        face->doc = NULL;
        o->score = g[i].score;
        o->collapsed = g[i].collapsed;
        if ((rc = marked(r, o->doc, "text", &o->snippet)) != 0 ||
            (rc = marked(r, o->doc, "title", &o->title_html)) != 0 ||
            (rc = also_json(r, &g[i], &o->also)) != 0)
            return rc;
    }
    return 0;
}

/* The page of res from the top of the main search x (xlim hits asked
 * for, h[0..x->nhits) its hits): the passages grouped from the top
 * (twins.h), the total and facets less the folds. */
static int grouped_page(struct run *r, const struct sok_xq *q,
                        const struct sok_search_req *req, unsigned xlim,
                        struct sok_twin *h, struct sok_search_res *res)
{
    const struct sok_xresult *x = res->xres;
    unsigned offset = (req->page - 1) * req->per_page;
    struct sok_twin *m = NULL;
    struct sok_xresult *xm = NULL;
    int rc = 0, collapsed = 0;
    for (size_t i = 0; i < x->nhits; i++)
        collapsed |= x->hits[i].collapse_count > 0 || h[i].unsure;
    if (collapsed) {
        unsigned lim = 2 * xlim < SOK_DEDUP_TWINS ? 2 * xlim
                                                  : SOK_DEDUP_TWINS;
        rc = run_one(r, q, req, 0, lim, PASS_TWINS, 0, &xm);
        if (rc == 0)
            rc = load_twins(r, xm, &m);
    }
    /* When Xapian returned every match, all are grouped for an exact
     * total; else only as many as fill the page (the total is an
     * estimate there, less the folds seen). */
    size_t want = x->nhits < xlim ? x->nhits : offset + req->per_page;
    size_t ng = 0, seen = 0;
    struct sok_twin_group *g = calloc(want ? want : 1, sizeof *g);
    if (rc == 0 && g == NULL)
        rc = sok_err_set(r->err, SOK_ENOMEM, NULL);
    if (rc == 0)
        rc = sok_twins_group(h, x->nhits, m, xm ? xm->nhits : 0, want, g,
                             &ng, &seen, r->err);
    if (rc == 0) {
        size_t folded = seen - ng;
        if (x->nhits < xlim)        /* saw every match */
            res->total = ng;
        else
            res->total = res->total > folded ? res->total - folded : ng;
        fold_facets(res, g, ng);
        size_t from = offset < ng ? offset : ng;
        size_t to = from + req->per_page < ng ? from + req->per_page : ng;
        rc = emit_hits(r, g + from, to - from, res);
    }
    sok_twins_groups_free(g, ng);
    free(g);
    sok_twins_free(m, xm ? xm->nhits : 0);
    free(m);
    sok_xresult_free(xm);
    return rc;
}

/* A page past SOK_DEDUP_WINDOW: Xapian's hits as they come, one group
 * each. */
static int plain_page(struct run *r, struct sok_twin *h, size_t n,
                      struct sok_search_res *res)
{
    struct sok_twin_group *g = calloc(n ? n : 1, sizeof *g);
    struct sok_twin **faces = calloc(n ? n : 1, sizeof *faces);
    int rc = g && faces ? 0 : sok_err_set(r->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        faces[i] = &h[i];
        g[i].copy = &faces[i];
        g[i].n = 1;
        g[i].first = &h[i];
        g[i].score = h[i].score;
        g[i].collapsed = h[i].collapsed;
    }
    if (rc == 0)
        rc = emit_hits(r, g, n, res);
    free(faces);
    free(g);
    return rc;
}

/* The main search's window of req: its first hit (*xoff) and how many
 * (*xlim); returns whether the page lies within SOK_DEDUP_WINDOW. */
static int window_of(const struct sok_search_req *req, unsigned *xoff,
                     unsigned *xlim)
{
    unsigned offset = (req->page - 1) * req->per_page;
    int window = offset + req->per_page <= SOK_DEDUP_WINDOW;
    *xoff = window ? 0 : offset;
    *xlim = window ? offset + req->per_page + SOK_DEDUP_EXTRA
                   : req->per_page;
    return window;
}

int sok_hits_search(struct sok_engine *e, const struct sok_hl *hl,
                    const struct sok_xq *q, const struct sok_xq *first,
                    const struct sok_search_req *req,
                    struct sok_search_res *res, struct sok_err *err)
{
    int single = sok_xr_single(e->xr);
    struct run run = { e, hl, err, single }, *r = &run;
    unsigned xoff, xlim;
    int window = window_of(req, &xoff, &xlim);
    unsigned check = main_check(xoff + xlim);
    /* Docids name sections of one local database only (shards keep one
     * pass); a date order leaves the boost nothing but ties to break. */
    int two = first != NULL && window && !req->sort_date && single;
    int rc = two ? ranked(r, q, first, req, xlim, check, &res->xres)
                 : run_one(r, q, req, xoff, xlim, PASS_MAIN, check,
                           &res->xres);
    if (rc != 0)
        return rc;
    facet_estimates(res, check);
    const struct sok_xresult *x = res->xres;

    struct sok_twin *h = NULL;
    rc = load_twins(r, x, &h);
    if (rc == 0 && window)
        rc = grouped_page(r, q, req, xlim, h, res);
    else if (rc == 0)
        rc = plain_page(r, h, x->nhits, res);
    sok_twins_free(h, x->nhits);
    free(h);
    return rc;
}

int sok_hits_count_others(struct sok_engine *e, const struct sok_xq *others,
                          const struct sok_search_req *req,
                          struct sok_search_res *res, struct sok_err *err)
{
    struct run run = { e, NULL, err, 0 };
    unsigned xoff, xlim;
    (void)window_of(req, &xoff, &xlim);
    if (others == NULL || res->xres == NULL)
        return 0;
    return count_others(&run, others, req, main_check(xoff + xlim), res);
}
