/*
 * dedup: shingles and containment (see dedup.h).
 */
#include "dedup.h"
#include "sok_sort.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct sh_ctx {
    uint64_t win[4];            /* hashes of the last four words */
    size_t words;
    uint64_t *v;
    size_t n, cap;
    int oom;
};

static int sh_token(void *vctx, const struct sok_token *tok)
{
    struct sh_ctx *c = vctx;
    if (tok->flags & SOK_TOK_PART)
        return 0;               /* the whole compound stands for them */
    if (c->words == SOK_DEDUP_TOKENS)
        return 1;
    c->win[c->words % 4] = XXH3_64bits(tok->text, tok->len);
    c->words++;
    if (c->words < 4)
        return 0;
    uint64_t h = 0;
    for (size_t k = c->words - 4; k < c->words; k++)
        h = (h ^ c->win[k % 4]) * 0x100000001b3ull + (h >> 29);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        uint64_t *v = realloc(c->v, cap * sizeof *v);
        if (v == NULL) {
            c->oom = 1;
            return 1;
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = h;
    return 0;
}

int sok_dedup_shingles(const char *text, size_t len, uint64_t **out,
                       size_t *n, struct sok_err *err)
{
    struct sh_ctx c;
    memset(&c, 0, sizeof c);
    *out = NULL;
    *n = 0;
    int rc = sok_text_tokenize(text, len, 1, sh_token, &c, NULL, err);
    if (c.oom || rc < 0) {
        free(c.v);
        return c.oom ? sok_err_set(err, SOK_ENOMEM, NULL) : rc;
    }
    if (c.n > 0) {
        if (sok_sort_u64(c.v, c.n) != 0) {
            free(c.v);
            return sok_err_set(err, SOK_ENOMEM, NULL);
        }
        size_t k = 1;
        for (size_t i = 1; i < c.n; i++)
            if (c.v[i] != c.v[k - 1])
                c.v[k++] = c.v[i];
        c.n = k;
    }
    *out = c.v;
    *n = c.n;
    return 0;
}

int sok_dedup_similar(const uint64_t *a, size_t na, const uint64_t *b,
                      size_t nb)
{
    size_t small = na < nb ? na : nb;
    if (small < SOK_DEDUP_MIN)
        return 0;
    /* Walk the smaller set s through the larger l, giving up as soon as
     * too many of s's hashes have been missed for the rest to reach the
     * threshold (most pairs are unrelated and fail early). */
    const uint64_t *sv = na <= nb ? a : b, *lv = na <= nb ? b : a;
    size_t nl = na <= nb ? nb : na;
    double need = SOK_DEDUP_CONTAIN * (double)small;
    size_t may_miss = (size_t)((double)small - need);   /* floor */
    size_t i = 0, j = 0, common = 0, missed = 0;
    while (i < small && j < nl) {
        if (sv[i] < lv[j]) {
            i++;
            if (++missed > may_miss)
                return 0;
        } else if (sv[i] > lv[j]) {
            j++;
        } else {
            common++;
            i++;
            j++;
        }
    }
    return (double)common >= need;
}
