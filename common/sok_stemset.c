/*
 * sok_stemset: the stem sets of sok_stemset.h.  A set holds the 64-bit
 * XXH3 hashes of the stems (sok_u64set.h), so adding a block's words and
 * measuring overlap cost no string copies; a hash collision merely counts
 * two different stems as one.
 */
#include "sok_stemset.h"
#include "sok_err.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <xxhash.h>

void sok_stemset_clear(struct sok_stemset *s)
{
    if (s != NULL)
        sok_u64set_clear(&s->h);
}

/* 0 marks an empty slot, so hash 0 is stored as 1. */
static int add_hash(struct sok_stemset *s, uint64_t h)
{
    return sok_u64set_add(&s->h, h ? h : 1, NULL);
}

static int has_hash(const struct sok_stemset *s, uint64_t h)
{
    return sok_u64set_has(&s->h, h ? h : 1);
}

/* Function words carry no topic. */
static const char *const stopwords[] = {
    "och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till",
    "den", "har", "de", "inte", "om", "ett", "han", "men", "var", "jag",
    "sig", "från", "vi", "så", "kan", "man", "när", "år", "säger", "hon",
    "under", "också", "efter", "eller", "nu", "sin", "där", "vid", "mot",
    "ska", "skulle", "kommer", "ut", "får", "finns", "vara", "alla",
    "andra", "mycket", "än", "här", "då", "sedan", "över", "bara", "in",
    "blir", "upp", "även", "vad", "hade", "dem", "detta", "deras", "vill",
    "många", "hur", "samt", "ha", "du", "dig", "oss", "våra", "vår", "vårt",
    "mer", "sina", "sitt", "dess", "blev", "flera", "genom", "olika",
    "hela", "utan", "mellan", "inom", "både", "varit", "bland", NULL
};

/* Longest first. */
static const char *const suffixes[] = {
    "arnas", "ernas", "ornas", "andes", "arna", "erna", "orna", "ande",
    "ende", "aste", "heten", "het", "ens", "ets", "ans", "are", "ast", "ar",
    "er", "or", "en", "et", "na", "es", "at", "ad", "s", "e", "a", NULL
};

/* Bytes in the longest stopword: longer words need no lookup. */
#define STOPWORD_MAX 7

static int is_stopword(const char *w)
{
    if (strlen(w) > STOPWORD_MAX)
        return 0;
    for (const char *const *s = stopwords; *s; s++)
        if (!strcmp(w, *s))
            return 1;
    return 0;
}

/* Crude Swedish stemming (inflection suffixes off, at least 4 letters
 * left): enough for "barnen"/"barn", "ungdomarna"/"ungdomar" to meet. */
static size_t stem(const char *w, size_t n, size_t chars)
{
    for (const char *const *s = suffixes; *s; s++) {
        size_t sl = strlen(*s);
        if (n > sl && chars >= sl + 4 && !memcmp(w + n - sl, *s, sl))
            return n - sl;
    }
    return n;
}

int sok_stemset_add_text(struct sok_stemset *set, const char *s, size_t len,
                         size_t *nwords)
{
    char w[128];
    size_t wn = 0, wc = 0;      /* bytes and letters of the word in w */
    int in_tok = 0;
    for (size_t i = 0; i <= len;) {
        int32_t cp = ' ';       /* the end of the text ends a word */
        size_t k = 1;
        if (i < len && (k = sok_utf8_decode(s + i, len - i, &cp)) == 0) {
            cp = -1;            /* not valid UTF-8: no letter */
            k = 1;
        }
        i += k;
        int letter = sok_text_is_letter(cp), digit = cp >= '0' && cp <= '9';
        if ((letter || digit) && !in_tok && nwords)
            ++*nwords;
        in_tok = letter || digit;
        if (letter) {
            char u[4];
            size_t ul = sok_utf8_encode(utf8proc_tolower(cp), u);
            if (wn + ul < sizeof w) {   /* a longer word is cut */
                memcpy(w + wn, u, ul);
                wn += ul;
                wc++;
            }
            continue;
        }
        if (wc >= 3) {
            w[wn] = '\0';
            if (!is_stopword(w) &&
                add_hash(set, XXH3_64bits(w, stem(w, wn, wc))))
                return SOK_ENOMEM;
        }
        wn = wc = 0;
    }
    return 0;
}

int sok_stemset_merge(struct sok_stemset *dst, const struct sok_stemset *src)
{
    for (size_t i = 0; i < src->h.cap; i++)
        if (src->h.v[i] && add_hash(dst, src->h.v[i]))
            return SOK_ENOMEM;
    return 0;
}

double sok_stemset_overlap(const struct sok_stemset *cand,
                           const struct sok_stemset *of)
{
    if (cand->h.n == 0)
        return 0.0;
    size_t hit = 0;
    for (size_t i = 0; i < cand->h.cap; i++)
        if (cand->h.v[i] && has_hash(of, cand->h.v[i]))
            hit++;
    return (double)hit / (double)cand->h.n;
}
