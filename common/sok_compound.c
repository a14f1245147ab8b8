/*
 * sok_compound: the Swedish lexicon, the compound splitter and the edit
 * distance (see sok_compound.h).  The lexicon is an open-addressing hash
 * set over one byte pool, so loading the ~150k words of sv_SE.dic is one
 * read, one pass and no sorting (a few milliseconds), and a lookup is one
 * hash and usually one memcmp: the splitter does a few hundred per word on
 * the indexer's hot path.
 */
#include "sok_compound.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sok_analyze.h"
#include "sok_text.h"

struct lex_slot {
    uint32_t off;           /* offset + 1 into pool; 0: empty */
    uint16_t len;           /* word length in bytes */
    uint16_t tag;           /* high hash bits: most misses end here */
};

struct sok_lexicon {
    char *pool;             /* words, each NUL-terminated */
    size_t pool_len, pool_cap;
    struct lex_slot *slots;
    size_t nslots;          /* power of two */
    size_t n;
};

static uint16_t tag_of(uint64_t h)
{
    return (uint16_t)(h >> 48);
}

static uint64_t hash64(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;      /* FNV-1a 64 */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int lex_grow(struct sok_lexicon *lx)
{
    size_t ns = lx->nslots ? lx->nslots * 2 : 1024;
    struct lex_slot *s = calloc(ns, sizeof *s);
    if (s == NULL)
        return SOK_ENOMEM;
    for (size_t i = 0; i < lx->nslots; i++) {
        struct lex_slot v = lx->slots[i];
        if (v.off == 0)
            continue;
        size_t k = hash64(lx->pool + v.off - 1, v.len) & (ns - 1);
        while (s[k].off != 0)
            k = (k + 1) & (ns - 1);
        s[k] = v;
    }
    free(lx->slots);
    lx->slots = s;
    lx->nslots = ns;
    return 0;
}

static int lex_add(struct sok_lexicon *lx, const char *w, size_t len)
{
    if (len == 0 || len > UINT16_MAX)
        return 0;
    if (sok_lexicon_has(lx, w, len))
        return 0;
    if (2 * (lx->n + 1) > lx->nslots && lex_grow(lx) != 0)
        return SOK_ENOMEM;
    uint64_t h = hash64(w, len);
    size_t k = h & (lx->nslots - 1);
    while (lx->slots[k].off != 0)
        k = (k + 1) & (lx->nslots - 1);
    if (lx->pool_len + len + 1 > lx->pool_cap) {
        size_t cap = lx->pool_cap ? lx->pool_cap * 2 : 1 << 16;
        while (cap < lx->pool_len + len + 1)
            cap *= 2;
        if (cap > UINT32_MAX - 1)
            return SOK_ERANGE;
        char *p = realloc(lx->pool, cap);
        if (p == NULL)
            return SOK_ENOMEM;
        lx->pool = p;
        lx->pool_cap = cap;
    }
    memcpy(lx->pool + lx->pool_len, w, len);
    lx->pool[lx->pool_len + len] = '\0';
    lx->slots[k].off = (uint32_t)lx->pool_len + 1;
    lx->slots[k].len = (uint16_t)len;
    lx->slots[k].tag = tag_of(h);
    lx->pool_len += len + 1;
    lx->n++;
    return 0;
}

int sok_lexicon_has(const struct sok_lexicon *lx, const char *w, size_t len)
{
    if (lx == NULL || lx->nslots == 0 || len == 0)
        return 0;
    uint64_t h = hash64(w, len);
    uint16_t tag = tag_of(h);
    for (size_t k = h & (lx->nslots - 1); lx->slots[k].off != 0;
         k = (k + 1) & (lx->nslots - 1)) {
        const struct lex_slot *v = &lx->slots[k];
        if (v->tag == tag && v->len == len &&
            memcmp(lx->pool + v->off - 1, w, len) == 0)
            return 1;
    }
    return 0;
}

size_t sok_lexicon_size(const struct sok_lexicon *lx)
{
    return lx ? lx->n : 0;
}

void sok_lexicon_free(struct sok_lexicon *lx)
{
    if (lx == NULL)
        return;
    free(lx->pool);
    free(lx->slots);
    free(lx);
}

/* Lower-cases in place what the dictionary capitalises: ASCII and the
 * Latin-1 capitals as UTF-8 (C3 80..C3 9E, except the multiplication sign),
 * which covers Å Ä Ö É Ü. */
static void lower_dic(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') {
            s[i] = (char)(c + 32);
        } else if (c == 0xC3 && i + 1 < len) {
            unsigned char d = (unsigned char)s[i + 1];
            if (d >= 0x80 && d <= 0x9E && d != 0x97)
                s[i + 1] = (char)(d + 0x20);
            i++;
        }
    }
}

int sok_lexicon_from_words(const char *const *words, size_t n,
                           struct sok_lexicon **out, struct sok_err *err)
{
    if (out == NULL || (words == NULL && n != 0))
        return sok_err_set(err, SOK_EINVAL, "%s: NULL argument", __func__);
    *out = NULL;
    struct sok_lexicon *lx = calloc(1, sizeof *lx);
    if (lx == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        int rc = lex_add(lx, words[i], strlen(words[i]));
        if (rc != 0) {
            sok_lexicon_free(lx);
            return sok_err_set(err, rc, "lexicon: cannot add a word");
        }
    }
    *out = lx;
    return 0;
}

int sok_lexicon_load(const char *path, struct sok_lexicon **out,
                     struct sok_err *err)
{
    if (path == NULL || out == NULL)
        return sok_err_set(err, SOK_EINVAL, "%s: NULL argument", __func__);
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sok_err_set(err, SOK_EIO, "lexicon: cannot open %s", path);
    char *buf = NULL;
    size_t n = 0;
    int rc = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long sz = ftell(f);
        if (sz >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc((size_t)sz + 1);
            if (buf != NULL)
                n = fread(buf, 1, (size_t)sz, f);
        }
    }
    fclose(f);
    if (buf == NULL)
        return sok_err_set(err, SOK_EIO, "lexicon: cannot read %s", path);
    struct sok_lexicon *lx = calloc(1, sizeof *lx);
    if (lx == NULL) {
        free(buf);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    size_t i = 0, line = 0;
    while (i < n && rc == 0) {
        size_t s = i;
        while (i < n && buf[i] != '\n')
            i++;
        size_t e = i++;
        if (line++ == 0)
            continue;                        /* the word count */
        size_t w = s;
        /* "word/FLAGS"; an escaped slash "\/" does not occur in sv_SE. */
        while (w < e && buf[w] != '/' && buf[w] != '\t' && buf[w] != '\r')
            w++;
        lower_dic(buf + s, w - s);
        rc = lex_add(lx, buf + s, w - s);
    }
    free(buf);
    if (rc != 0) {
        sok_lexicon_free(lx);
        return sok_err_set(err, rc, "lexicon: out of memory");
    }
    *out = lx;
    return 0;
}

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct sok_lexicon *default_lx;

static void load_default(void)
{
    const char *path = getenv("SOK_LEXICON");
    if (path == NULL)
        path = SOK_LEXICON_PATH;
    if (path[0] == '\0')
        return;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_lexicon_load(path, &default_lx, &err) != 0)
        default_lx = NULL;
}

const struct sok_lexicon *sok_lexicon_default(void)
{
    pthread_once(&default_once, load_default);
    return default_lx;
}

/* ------------------------------------------------------------ splitting */

/* Inflectional endings tried on the last part (and on a whole word), the
 * longest first. */
static const char *const endings[] = {
    "arnas", "ernas", "ornas", "andes", "heten", "heter", "arna", "erna",
    "orna", "ande", "ende", "ades", "aren", "ens", "ets", "ars", "ers",
    "ors", "ade", "het", "en", "et", "na", "ar", "er", "or", "ad", "at",
    "as", "es", "ts", "s", "n", "t", "a", "e", "r",
};

/* 1 when b[0..len) + suffix is a lexicon word (suffix may be ""). */
static int has_plus(const struct sok_lexicon *lx, const char *b, size_t len,
                    const char *suffix)
{
    char w[128];
    size_t sl = strlen(suffix);
    if (len + sl > sizeof w)
        return 0;
    memcpy(w, b, len);
    memcpy(w + len, suffix, sl);
    return sok_lexicon_has(lx, w, len + sl);
}

/* w is a lexicon word, possibly inflected: the base itself, or the base
 * minus its final -a/-e ("kvinnor" from kvinna, "pojkar" from pojke). */
static int known_form(const struct sok_lexicon *lx, const char *w, size_t len,
                      size_t minchars);

/* known_form without the genitive -s. */
static int known_inflected(const struct sok_lexicon *lx, const char *w,
                           size_t len, size_t minchars)
{
    if (sok_lexicon_has(lx, w, len))
        return 1;
    for (size_t k = 0; k < sizeof endings / sizeof endings[0]; k++) {
        size_t el = strlen(endings[k]);
        if (el >= len || memcmp(w + len - el, endings[k], el) != 0)
            continue;
        size_t bl = len - el;
        if (sok_utf8_chars(w, bl) < minchars)
            continue;
        if (sok_lexicon_has(lx, w, bl) || has_plus(lx, w, bl, "a") ||
            has_plus(lx, w, bl, "e"))
            return 1;
    }
    return 0;
}

/* w is a lexicon word, possibly inflected and in the genitive
 * ("skolans"). */
static int known_form(const struct sok_lexicon *lx, const char *w, size_t len,
                      size_t minchars)
{
    if (known_inflected(lx, w, len, minchars))
        return 1;
    return len > 1 && w[len - 1] == 's' &&
           sok_utf8_chars(w, len - 1) >= minchars &&
           known_inflected(lx, w, len - 1, minchars);
}

int sok_lexicon_knows(const struct sok_lexicon *lx, const char *w,
                      size_t len)
{
    return lx != NULL && len > 0 && known_form(lx, w, len, 2);
}

/* A non-final part: a lexicon word as is, or its compounding form without
 * a final -a/-e (skol- for skola, pojk- for pojke).  Stopwords ("och",
 * "som") are never parts. */
static int head_ok(const struct sok_lexicon *lx, const char *w, size_t len)
{
    if (sok_sv_is_stopword(w, len))
        return 0;
    return sok_lexicon_has(lx, w, len) || has_plus(lx, w, len, "a") ||
           has_plus(lx, w, len, "e");
}

#define SPLIT_MAX_BYTES 96

struct best {
    unsigned char nparts;   /* 0: no split from here */
    unsigned score;         /* sum of squared part lengths */
    unsigned char end, next;  /* this part's end; where the next begins */
};

size_t sok_compound_split(const struct sok_lexicon *lx, const char *w,
                          size_t len, struct sok_part *parts, size_t max)
{
    if (lx == NULL || w == NULL || parts == NULL || max < 2 ||
        len > SPLIT_MAX_BYTES)
        return 0;
    size_t nchars = sok_utf8_chars(w, len);
    if (nchars < 2 * SOK_COMPOUND_MIN_PART)
        return 0;
    if (max > SOK_COMPOUND_MAX_PARTS)
        max = SOK_COMPOUND_MAX_PARTS;
    if (known_form(lx, w, len, 2))
        return 0;
    /* best[i]: the best split of w[i..len) into parts, computed from the
     * end.  Positions are byte offsets at character boundaries. */
    struct best best[SPLIT_MAX_BYTES + 1];
    memset(best, 0, sizeof best);
    static const char links[] = { 0, 's', 'o', 'u', 'e' };
    for (size_t i = len; i-- > 0;) {
        if (sok_utf8_cont((unsigned char)w[i]))
            continue;
        size_t rest = sok_utf8_chars(w + i, len - i);
        if (rest < SOK_COMPOUND_MIN_PART)
            continue;
        struct best b = { 0, 0, 0, 0 };
        if (i > 0 && known_form(lx, w + i, len - i, SOK_COMPOUND_MIN_PART)) {
            b.nparts = 1;
            b.score = (unsigned)(rest * rest);
            b.end = (unsigned char)len;
            b.next = (unsigned char)len;
        }
        /* A head w[i..j) followed by a linking letter or not. */
        for (size_t j = i + 1; j < len; j++) {
            if (sok_utf8_cont((unsigned char)w[j]))
                continue;
            size_t hc = sok_utf8_chars(w + i, j - i);
            if (hc < SOK_COMPOUND_MIN_PART)
                continue;
            if (!head_ok(lx, w + i, j - i))
                continue;
            for (size_t l = 0; l < sizeof links; l++) {
                size_t nx = j;
                if (links[l] != 0) {
                    if (w[j] != links[l])
                        continue;
                    nx = j + 1;
                }
                if (nx >= len || best[nx].nparts == 0 ||
                    best[nx].nparts + 1u > max)
                    continue;
                unsigned np = best[nx].nparts + 1u;
                /* The linking letter counts with its head, so
                 * "arbetsmarknad-s-enheten" beats "arbetsmarknad-senheten". */
                size_t lc = hc + (nx - j);
                unsigned sc = best[nx].score + (unsigned)(lc * lc);
                if (b.nparts == 0 || np < b.nparts ||
                    (np == b.nparts && sc > b.score)) {
                    b.nparts = (unsigned char)np;
                    b.score = sc;
                    b.end = (unsigned char)j;
                    b.next = (unsigned char)nx;
                }
            }
        }
        best[i] = b;
    }
    if (best[0].nparts < 2)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < len && n < max; i = best[i].next) {
        parts[n].off = i;
        parts[n].len = best[i].end - i;
        parts[n].alt_len = 0;
        /* "fritids", "kvinno": the head may itself end in a linking
         * letter; its shorter form is offered too. */
        size_t pl = parts[n].len;
        if (best[i].nparts > 1 && pl > 1 && strchr("soue", w[i + pl - 1]) &&
            sok_utf8_chars(w + i, pl - 1) >= SOK_COMPOUND_MIN_PART &&
            head_ok(lx, w + i, pl - 1))
            parts[n].alt_len = pl - 1;
        n++;
        if (best[i].nparts == 1)
            break;
    }
    return n;
}

/* ------------------------------------------------------------- distance */

#define DIST_MAXC 64

/* The code points of s[0..len), at most cap; an invalid byte counts as one
 * character of its own. */
static size_t decode(const char *s, size_t len, int32_t *cp, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < cap;) {
        size_t k = sok_utf8_decode(s + i, len - i, &cp[n]);
        if (k == 0) {
            cp[n] = (unsigned char)s[i];
            k = 1;
        }
        n++;
        i += k;
    }
    return n;
}

unsigned sok_edit_distance(const char *a, size_t alen, const char *b,
                           size_t blen, unsigned max)
{
    int32_t x[DIST_MAXC], y[DIST_MAXC];
    size_t n = decode(a, alen, x, DIST_MAXC), m = decode(b, blen, y, DIST_MAXC);
    if ((n > m ? n - m : m - n) > max)
        return max + 1;
    /* Three rows of the OSA matrix. */
    unsigned r0[DIST_MAXC + 1], r1[DIST_MAXC + 1], r2[DIST_MAXC + 1];
    unsigned *pp = r0, *prev = r1, *cur = r2;
    for (size_t j = 0; j <= m; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        unsigned rowmin = cur[0];
        for (size_t j = 1; j <= m; j++) {
            unsigned cost = x[i - 1] != y[j - 1];
            unsigned v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] &&
                x[i - 2] == y[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
        unsigned *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m] > max ? max + 1 : prev[m];
}

unsigned sok_edit_budget(size_t chars)
{
    return chars >= 9 ? 2 : chars >= 5 ? 1 : 0;
}
