/*
 * suggest: prefix completion for the search box (see suggest.h).
 */
#include "suggest.h"
#include "sok_buf.h"
#include "sok_terms.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>

#define SUGGEST_WALK 2000       /* vocabulary terms looked at per prefix */

struct completion {
    char *term;             /* owned, without prefix */
    unsigned long score;
};

struct walk {
    struct completion *c;
    size_t n, cap;
    size_t skip;            /* bytes of prefix to strip */
    unsigned long weight;
    int oom;
};

static int walk_cb(void *ctx, const char *term, size_t len,
                   unsigned long freq)
{
    struct walk *w = ctx;
    if (len <= w->skip)
        return 0;
    term += w->skip;
    len -= w->skip;
    /* Addresses and URLs are not what a search box completes to. */
    if (memchr(term, '@', len) || memchr(term, '/', len))
        return 0;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct completion *c = realloc(w->c, cap * sizeof *c);
        if (c == NULL) {
            w->oom = 1;
            return 1;
        }
        w->c = c;
        w->cap = cap;
    }
    char *s = malloc(len + 1);
    if (s == NULL) {
        w->oom = 1;
        return 1;
    }
    memcpy(s, term, len);
    s[len] = '\0';
    w->c[w->n++] = (struct completion){ s, freq * w->weight };
    return 0;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct completion *x = a, *y = b;
    int c = strcmp(x->term, y->term);
    if (c != 0)
        return c;
    return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

static int score_cmp(const void *a, const void *b)
{
    const struct completion *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return strcmp(x->term, y->term);
}

int sok_suggest_run(struct sok_engine *e, const char *q, size_t qlen,
                    json_t **out, struct sok_err *err)
{
    *out = NULL;
    if (e->xr == NULL)
        return sok_err_set(err, SOK_ENODB, NULL);
    json_t *arr = json_array();
    if (arr == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);

    /* Complete the last word; the words before it are kept as typed. */
    size_t ws = qlen;
    while (ws > 0 && q[ws - 1] != ' ' && q[ws - 1] != '\t')
        ws--;
    char *folded = NULL;
    size_t flen = 0;
    int rc = 0;
    if (ws == qlen) {           /* ends with a space: nothing to complete */
        *out = arr;
        return 0;
    }
    rc = sok_text_fold(q + ws, qlen - ws, &folded, &flen, err);
    if (rc != 0 || flen == 0 || flen > SOK_TERM_MAX) {
        free(folded);
        if (rc != 0) {
            json_decref(arr);
            return rc;
        }
        *out = arr;
        return 0;
    }

    struct walk w = { NULL, 0, 0, 0, 1, 0 };
    char key[SOK_TERM_MAX + 8];
    size_t pl = strlen(SOK_PREFIX_TITLE);
    memcpy(key, SOK_PREFIX_TITLE, pl);
    memcpy(key + pl, folded, flen);
    /* Title words count double: they name what a section is about. */
    w.skip = pl;
    w.weight = 2;
    rc = sok_xr_terms(e->xr, key, pl + flen, SUGGEST_WALK, walk_cb, &w, err);
    if (rc == 0 && !w.oom) {
        w.skip = 0;
        w.weight = 1;
        rc = sok_xr_terms(e->xr, folded, flen, SUGGEST_WALK, walk_cb, &w,
                          err);
    }
    if (w.oom)
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
    if (rc == 0 && w.n > 0) {
        /* One entry per word: sorted by term, the first of each run has
         * its best score; sum the title and body scores. */
        qsort(w.c, w.n, sizeof *w.c, cand_cmp);
        size_t k = 0;
        for (size_t i = 0; i < w.n; i++) {
            if (k > 0 && strcmp(w.c[k - 1].term, w.c[i].term) == 0) {
                w.c[k - 1].score += w.c[i].score;
                free(w.c[i].term);
                continue;
            }
            w.c[k++] = w.c[i];
        }
        w.n = k;
        qsort(w.c, w.n, sizeof *w.c, score_cmp);
        struct sok_buf b = SOK_BUF_INIT;
        int brc = 0;
        for (size_t i = 0; i < w.n && i < SOK_SUGGEST_MAX; i++) {
            sok_buf_reset(&b);
            sok_buf_append(&b, q, ws, &brc);
            sok_buf_puts(&b, w.c[i].term, &brc);
            if (brc != 0 || json_array_append_new(arr,
                                                  json_stringn(b.p, b.n)))
                brc = SOK_ENOMEM;
        }
        sok_buf_free(&b);
        if (brc != 0)
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
    }
    for (size_t i = 0; i < w.n; i++)
        free(w.c[i].term);
    free(w.c);
    free(folded);
    if (rc != 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

