/*
 * bets: best bets first.  See bets.h.
 */
#include "bets.h"
#include "vocab.h"
#include "sok_buf.h"

#include <stdlib.h>
#include <string.h>

/* s highlighted into *out: a passage of it (snippet) or all of it. */
static int marked(struct sok_engine *e, const struct sok_hl *hl,
                  const json_t *v, int passage, char **out,
                  struct sok_err *err)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = passage ? sok_snippet(e->an, hl, s, n, &b, err)
                     : sok_highlight_line(e->an, hl, s, n, &b, err);
    if (rc == 0 && (*out = sok_buf_detach(&b, NULL)) == NULL)
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
    sok_buf_free(&b);
    return rc;
}

/* The record of a target: the section's own, or for an address one that
 * names it (title and url). */
static int target_doc(struct sok_engine *e, const struct sok_vocab_target *t,
                      json_t **doc, struct sok_err *err)
{
    *doc = NULL;
    if (t->section) {
        struct sok_err ignore = SOK_ERR_INIT;
        int rc = sok_engine_section(e, t->target, doc, &ignore);
        return rc == SOK_ENOTFOUND ? 0 : rc ? sok_err_set(err, rc, "%s",
                                                          ignore.msg) : 0;
    }
    *doc = json_pack("{s:n, s:s, s:n, s:s, s:n, s:n, s:n, s:s}", "id",
                     "title", t->target, "doc_title", "url", t->target,
                     "source", "type", "date", "text", "");
    return *doc ? 0 : sok_err_set(err, SOK_ENOMEM, NULL);
}

static int same_id(const json_t *a, const json_t *b)
{
    const char *x = json_string_value(json_object_get(a, "id"));
    const char *y = json_string_value(json_object_get(b, "id"));
    return x && y && strcmp(x, y) == 0;
}

int sok_bets_apply(struct sok_engine *e, const struct sok_hl *hl,
                   const struct sok_search_req *req,
                   struct sok_search_res *res, struct sok_err *err)
{
    const struct sok_vocab_bets *bets = NULL;
    if (req->page != 1 ||
        sok_vocab_best_bets_q(&e->vocab, e->an, req->q, req->qlen, &bets,
                              err) != 0 || bets == NULL)
        return err->code;
    size_t cap = res->nhits + bets->n, n = 0;
    struct sok_search_hit *v = calloc(cap, sizeof *v);
    if (v == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    int rc = 0;
    for (size_t i = 0; i < bets->n && rc == 0; i++) {
        struct sok_search_hit *h = &v[n];
        if ((rc = target_doc(e, &bets->t[i], &h->doc, err)) != 0 ||
            h->doc == NULL)
            continue;
        h->recommended = 1;
        n++;
        rc = marked(e, hl, json_object_get(h->doc, "text"), 1, &h->snippet,
                    err);
        if (rc == 0)
            rc = marked(e, hl, json_object_get(h->doc, "title"), 0,
                        &h->title_html, err);
    }
    if (rc != 0) {
        for (size_t i = 0; i < n; i++) {
            json_decref(v[i].doc);
            free(v[i].snippet);
            free(v[i].title_html);
        }
        free(v);
        return rc;
    }
    size_t nbets = n;
    for (size_t i = 0; i < res->nhits; i++) {
        int dup = 0;
        for (size_t k = 0; k < nbets && !dup; k++)
            dup = same_id(v[k].doc, res->hits[i].doc);
        if (!dup) {
            v[n++] = res->hits[i];
            continue;
        }
        json_decref(res->hits[i].doc);
        free(res->hits[i].snippet);
        free(res->hits[i].title_html);
        json_decref(res->hits[i].also);
    }
    free(res->hits);
    res->hits = v;
    res->nhits = n;
    if (res->total < n)
        res->total = n;             /* the page never says fewer than it shows */
    return 0;
}
