/*
 * dedup: shingles and containment (see dedup.h).
 */
#include "dedup.h"
#include "sok_sort.h"
#include "sok_text.h"

#include <utf8proc.h>

#include <stdlib.h>
#include <string.h>

/* Words are split and folded here rather than by sok_text_tokenize: a
 * containment check reads every word of every candidate, and a PDF
 * section can run to 50,000 words, where the full tokeniser (NFC, case
 * folding and compound rules per token) took 3 ms per 20,000 words.
 * This splitter is about ten times faster and agrees with itself, which
 * is all containment needs: a word is a maximal run of letters, marks
 * and digits; ASCII is folded by table, every other character through
 * utf8proc's compatibility decomposition with case folding (so "Å",
 * "å" and "a" + combining ring are one word, and "ﬁ" is "fi"). */

#define FNV_PRIME 0x100000001b3ull
#define FNV_BASIS 0xcbf29ce484222325ull
#define FOLD_CACHE 0x180         /* code points cached: Latin-1, Latin A */
#define FOLD_MAX 4               /* folded code points kept per character */

struct fold {                   /* one non-ASCII character, folded */
    unsigned char known, word, n;
    int32_t cp[FOLD_MAX];
};

struct sh_ctx {
    uint64_t win[4];            /* hashes of the last four words */
    size_t words;
    uint64_t *v;
    size_t n, cap;
    int oom;
    struct fold cache[FOLD_CACHE];
};

static int sh_push(struct sh_ctx *c, uint64_t word)
{
    c->win[c->words & 3] = word;
    c->words++;
    if (c->words < 4)
        return 0;
    uint64_t h = 0;
    for (size_t k = c->words - 4; k < c->words; k++)
        h = (h ^ c->win[k & 3]) * FNV_PRIME + (h >> 29);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        uint64_t *v = realloc(c->v, cap * sizeof *v);
        if (v == NULL) {
            c->oom = 1;
            return -1;
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = h;
    return 0;
}

static void fold_cp(int32_t cp, struct fold *f)
{
    utf8proc_category_t cat = utf8proc_category(cp);
    f->known = 1;
    f->n = 0;
    f->word = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO);
    if (!f->word)
        return;
    utf8proc_int32_t out[FOLD_MAX];
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, out, FOLD_MAX,
        UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD, &last);
    if (n < 1 || n > FOLD_MAX) {    /* no fold (or a long one): as is */
        f->cp[0] = cp;
        f->n = 1;
        return;
    }
    for (utf8proc_ssize_t i = 0; i < n; i++)
        f->cp[i] = out[i];
    f->n = (unsigned char)n;
}

/* ASCII: 0 for a separator, else the folded byte. */
static int32_t ascii_fold(unsigned char b)
{
    if (b >= 'A' && b <= 'Z')
        return b + 32;
    if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'))
        return b;
    return 0;
}

int sok_dedup_shingles(const char *text, size_t len, uint64_t **out,
                       size_t *n, struct sok_err *err)
{
    struct sh_ctx *c = calloc(1, sizeof *c);
    *out = NULL;
    *n = 0;
    if (c == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    uint64_t h = FNV_BASIS;
    int inword = 0;
    size_t i = 0;
    while (i < len && c->words < SOK_DEDUP_TOKENS && !c->oom) {
        unsigned char b = (unsigned char)text[i];
        if (b < 0x80) {             /* ASCII, most of the text: by hand */
            int32_t a = ascii_fold(b);
            i++;
            if (a != 0) {
                h = (h ^ (uint64_t)a) * FNV_PRIME;
                inword = 1;
                continue;
            }
        } else {
            struct fold tmp = { 1, 0, 0, { 0 } }, *f = &tmp;
            int32_t cp;
            size_t k = sok_utf8_decode(text + i, len - i, &cp);
            i += k ? k : 1;         /* a stray byte: a separator */
            if (k != 0) {
                if (cp < FOLD_CACHE)
                    f = &c->cache[cp];
                if (f == &tmp || !f->known)
                    fold_cp(cp, f);
            }
            if (f->word) {
                for (unsigned j = 0; j < f->n; j++)
                    h = (h ^ (uint64_t)(uint32_t)f->cp[j]) * FNV_PRIME;
                inword = 1;
                continue;
            }
        }
        if (inword) {
            sh_push(c, h);
            h = FNV_BASIS;
            inword = 0;
        }
    }
    if (inword && c->words < SOK_DEDUP_TOKENS && !c->oom)
        sh_push(c, h);
    int rc = 0;
    if (c->oom) {
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
    } else if (c->n > 0) {
        if (sok_sort_u64(c->v, c->n) != 0) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
        } else {
            size_t k = 1;
            for (size_t j = 1; j < c->n; j++)
                if (c->v[j] != c->v[k - 1])
                    c->v[k++] = c->v[j];
            *out = c->v;
            *n = k;
            c->v = NULL;
        }
    }
    free(c->v);
    free(c);
    return rc;
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
