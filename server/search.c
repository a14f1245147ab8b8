/*
 * search: the public face of the search (search.h), tying its three jobs
 * together: the plan of a request (plan.c), its tiers run in turn until
 * one finds something (hits.c), and the suggestion made from the
 * corrections once the top hit is known (correct.c).  It is the only file
 * that knows all three, so each of them stays about one job.
 */
#include "plan.h"
#include "bets.h"
#include "sok_clock.h"

#include <stdlib.h>

/* Plans req and runs its tiers in turn until one finds something; *pp is
 * the plan (sok_plan_free), NULL on failure. */
static int plan_and_run(struct sok_engine *e, const struct sok_search_req *req,
                        struct sok_hl *hl, struct sok_search_res *res,
                        struct sok_plan **pp, struct sok_err *err)
{
    struct sok_plan *p = NULL;
    int rc = sok_plan_new(e, req, hl, err, &p);
    struct sok_search_req newest;
    if (rc == 0 && p->browse) {
        newest = *req;      /* a browse lists the newest sections */
        newest.sort_date = 1;
        req = &newest;
    }
    size_t k = 0;
    for (; rc == 0 && k < p->ntiers; k++) {
        if (k > 0) {
            if (res->total > 0)
                break;
            sok_search_res_free(res);
            res->relaxed = 1;
        }
        rc = sok_hits_search(e, hl, p->tier[k].q, p->tier[k].first, req, res,
                             err);
    }
    /* The type facet's other types, for the tier whose hits these are. */
    if (rc == 0)
        rc = sok_hits_count_others(e, p->tier[k - 1].others, req, res, err);
    if (rc == 0)
        res->notices = p->pq.notices;
    *pp = p;
    return rc;
}

/* Matches of req with one kind of filter taken off: how many sections
 * the page can offer to show by removing a filter that emptied it. */
static unsigned long total_without(struct sok_engine *e,
                                   const struct sok_search_req *req,
                                   int types)
{
    struct sok_search_req r = *req;
    if (types)
        r.types = 0;
    else
        r.from[0] = r.to[0] = '\0';
    r.page = 1;
    r.per_page = 1;
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_plan *p = NULL;
    struct sok_hl *hl = calloc(1, sizeof *hl);
    unsigned long n = 0;
    if (hl != NULL && plan_and_run(e, &r, hl, &res, &p, &err) == 0)
        n = res.total;
    sok_plan_free(p);
    sok_search_res_free(&res);
    free(hl);
    return n;
}

int sok_search_run(struct sok_engine *e, const struct sok_search_req *req,
                   struct sok_search_res *res, struct sok_err *err)
{
    double t0 = sok_clock_us() / 1e3;
    struct sok_search_res empty = SOK_SEARCH_RES_INIT;
    *res = empty;
    struct sok_plan *p = NULL;
    struct sok_hl *hl = calloc(1, sizeof *hl);
    int rc = hl ? plan_and_run(e, req, hl, res, &p, err)
                : sok_err_set(err, SOK_ENOMEM, NULL);
    if (rc == 0 && !p->browse) {
        if (res->total > 0)
            sok_correct_drop_good(&p->fixes);
        if (res->nhits > 0)
            sok_correct_prefer(&p->fixes, res->hits[0].doc);
        /* Best effort: without memory for it, no suggestion. */
        (void)sok_correct_suggestion(&p->fixes, p->q, p->qlen,
                                     &res->suggestion);
    }
    if (rc == 0 && !p->browse)
        rc = sok_bets_apply(e, hl, req, res, err);
    if (rc == 0 && res->total == 0) {
        if (req->types != 0)
            res->total_without_types = total_without(e, req, 1);
        if (req->from[0] || req->to[0])
            res->total_without_dates = total_without(e, req, 0);
    }
    sok_plan_free(p);
    free(hl);
    res->missing = sok_engine_missing(e);
    res->shards = e->opts.shards;
    res->took_ms = sok_clock_us() / 1e3 - t0;
    return rc;
}

void sok_search_res_free(struct sok_search_res *res)
{
    if (res == NULL)
        return;
    for (size_t i = 0; i < res->nhits; i++) {
        json_decref(res->hits[i].doc);
        free(res->hits[i].snippet);
        free(res->hits[i].title_html);
        json_decref(res->hits[i].also);
    }
    free(res->hits);
    free(res->suggestion);
    sok_xresult_free(res->xres);
    struct sok_search_res empty = SOK_SEARCH_RES_INIT;
    *res = empty;
}

int sok_search_highlights(struct sok_engine *e, const char *q, size_t qlen,
                          struct sok_hl *hl, struct sok_err *err)
{
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    struct sok_plan *p = NULL;
    req.q = q;
    req.qlen = qlen;
    int rc = sok_plan_new(e, &req, hl, err, &p);
    sok_plan_free(p);
    return rc;
}
