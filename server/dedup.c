/*
 * dedup: shingles and containment (see dedup.h).
 */
#include "dedup.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>

struct sh_ctx {
    uint64_t win[4];            /* hashes of the last four words */
    size_t words;
    uint64_t *v;
    size_t n, cap;
    int oom;
};

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int sh_token(void *vctx, const struct sok_token *tok)
{
    struct sh_ctx *c = vctx;
    if (tok->flags & SOK_TOK_PART)
        return 0;               /* the whole compound stands for them */
    if (c->words == SOK_DEDUP_TOKENS)
        return 1;
    c->win[c->words % 4] = fnv1a(tok->text, tok->len);
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

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
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
        qsort(c.v, c.n, sizeof *c.v, cmp_u64);
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
    size_t i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) {
            i++;
        } else if (a[i] > b[j]) {
            j++;
        } else {
            common++;
            i++;
            j++;
        }
    }
    return (double)common >= SOK_DEDUP_CONTAIN * (double)small;
}
