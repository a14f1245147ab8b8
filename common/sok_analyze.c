/*
 * sok_analyze: the Swedish analysis pipeline, where text becomes index
 * terms.  It runs the sok_text tokeniser and, for every token, emits the
 * exact folded form with its position, the Z-prefixed Snowball stem and,
 * for titles, the S-prefixed exact form (prefixes in sok_terms.h).  The
 * indexer and the query side both come through here, so their terms cannot
 * drift.  It is on the indexer's hot path: terms are built in buffers the
 * analyzer owns, and a small cache of recent stems keeps most words from
 * crossing into the C++ stemmer, whose std::string round trip allocates.
 * The Swedish stopword list (Snowball's) lives here too; stopwords are
 * indexed like any word and only the query side may choose to skip them.
 */
#include "sok_analyze.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sok_compound.h"
#include "sok_terms.h"
#include "sok_xapian.h"

/* ------------------------------------------------------------ stem cache */

/* Word frequencies are Zipfian: a few thousand words make up most running
 * text, so a direct-mapped cache answers most stem requests (its size:
 * sok_analyzer_new_cached()).  Words and stems longer than the key size
 * simply bypass it. */
#define STEM_CACHE_KEY   30

struct stem_slot {
    unsigned char wlen;                      /* 0: empty */
    unsigned char slen;
    char word[STEM_CACHE_KEY];
    char stem[STEM_CACHE_KEY];
};

/* Compound splits are as Zipfian as stems, and dearer (a few hundred
 * lexicon probes a word): the same kind of cache, of the same size. */
#define SPLIT_CACHE_KEY   40

struct split_slot {
    unsigned char wlen;                      /* 0: empty */
    unsigned char n;                         /* parts; 0: not split */
    unsigned char off[SOK_COMPOUND_MAX_PARTS], len[SOK_COMPOUND_MAX_PARTS];
    unsigned char alt[SOK_COMPOUND_MAX_PARTS];
    char word[SPLIT_CACHE_KEY];
};

struct sok_analyzer {
    struct sok_stemmer *stemmer;
    unsigned mask;                           /* cache slots - 1 */
    struct stem_slot *cache;                 /* mask + 1 entries */
    struct split_slot *splits;               /* mask + 1 entries */
    const struct sok_lexicon *lx;            /* shared, NULL: no splitting */
    /* Prefix + term + NUL: terms are built here, one at a time. */
    char term[SOK_TERM_MAX + 1];
};

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;                /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

int sok_analyzer_new(struct sok_analyzer **out, struct sok_err *err)
{
    return sok_analyzer_new_cached(out, SOK_ANALYZER_CACHE_SMALL, err);
}

int sok_analyzer_new_cached(struct sok_analyzer **out, unsigned slots,
                            struct sok_err *err)
{
    if (out == NULL)
        return sok_err_set(err, SOK_EINVAL, "analyzer_new: NULL out");
    *out = NULL;
    if (slots == 0 || (slots & (slots - 1)) != 0)
        return sok_err_set(err, SOK_EINVAL,
                           "analyzer_new: cache slots not a power of two");
    struct sok_analyzer *a = calloc(1, sizeof *a);
    if (a != NULL) {
        a->mask = slots - 1;
        a->cache = calloc(slots, sizeof *a->cache);
        a->splits = calloc(slots, sizeof *a->splits);
        a->lx = sok_lexicon_default();
    }
    if (a == NULL || a->cache == NULL || a->splits == NULL) {
        sok_analyzer_free(a);
        return sok_err_set(err, SOK_ENOMEM, "analyzer_new: out of memory");
    }
    int rc = sok_stemmer_new("swedish", &a->stemmer, err);
    if (rc != 0) {
        sok_analyzer_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void sok_analyzer_free(struct sok_analyzer *a)
{
    if (a == NULL)
        return;
    sok_stemmer_free(a->stemmer);
    free(a->cache);
    free(a->splits);
    free(a);
}

/* ------------------------------------------------------------------ stem */

/* Whether valid UTF-8 s[0..len) (len >= 1) holds more than one character. */
static int more_than_one_char(const char *s, size_t len)
{
    int32_t cp;
    return len > sok_utf8_decode(s, len, &cp);
}

int sok_analyzer_stem(struct sok_analyzer *a, const struct sok_token *tok,
                      char *out, size_t cap, struct sok_err *err)
{
    if (a == NULL || tok == NULL || out == NULL || cap == 0 ||
        (tok->text == NULL && tok->len != 0))
        return sok_err_set(err, SOK_EINVAL, "analyzer_stem: NULL argument");
    out[0] = '\0';
    /* Numbers and addresses have no inflection; a cut token has lost its
     * ending, so a stem of it would be noise; a single letter stems to
     * itself at best. */
    if (tok->flags & (SOK_TOK_NUMBER | SOK_TOK_EMAIL | SOK_TOK_URL |
                      SOK_TOK_TRUNCATED))
        return 0;
    if (tok->len == 0 || !more_than_one_char(tok->text, tok->len))
        return 0;

    struct stem_slot *slot = NULL;
    if (tok->len <= STEM_CACHE_KEY) {
        slot = &a->cache[hash_bytes(tok->text, tok->len) &
                         a->mask];
        if (slot->wlen == tok->len &&
            memcmp(slot->word, tok->text, tok->len) == 0) {
            if (slot->slen >= cap)
                return sok_err_set(err, SOK_ERANGE,
                                   "analyzer_stem: stem does not fit");
            memcpy(out, slot->stem, slot->slen);
            out[slot->slen] = '\0';
            return slot->slen;
        }
    }

    int n = sok_stemmer_stem(a->stemmer, tok->text, tok->len, out, cap, err);
    if (n < 0)
        return n;
    if (slot != NULL && n <= STEM_CACHE_KEY) {
        slot->wlen = (unsigned char)tok->len;
        slot->slen = (unsigned char)n;
        memcpy(slot->word, tok->text, tok->len);
        memcpy(slot->stem, out, (size_t)n);
    }
    return n;
}

/* ------------------------------------------------------------- compounds */

/* Splits w through the cache; fills parts, returns their number. */
static size_t split_cached(struct sok_analyzer *a, const char *w, size_t len,
                           struct sok_part *parts)
{
    struct split_slot *slot = NULL;
    if (len <= SPLIT_CACHE_KEY) {
        slot = &a->splits[hash_bytes(w, len) & a->mask];
        if (slot->wlen == len && memcmp(slot->word, w, len) == 0) {
            for (size_t k = 0; k < slot->n; k++) {
                parts[k].off = slot->off[k];
                parts[k].len = slot->len[k];
                parts[k].alt_len = slot->alt[k];
            }
            return slot->n;
        }
    }
    size_t n = sok_compound_split(a->lx, w, len, parts,
                                  SOK_COMPOUND_MAX_PARTS);
    if (slot != NULL) {
        slot->wlen = (unsigned char)len;
        slot->n = (unsigned char)n;
        memcpy(slot->word, w, len);
        for (size_t k = 0; k < n; k++) {
            slot->off[k] = (unsigned char)parts[k].off;
            slot->len[k] = (unsigned char)parts[k].len;
            slot->alt[k] = (unsigned char)parts[k].alt_len;
        }
    }
    return n;
}

int sok_analyze_compound(struct sok_analyzer *a, const char *w, size_t len,
                         unsigned tokflags, sok_part_cb cb, void *ctx)
{
    if (a == NULL || w == NULL || cb == NULL || a->lx == NULL)
        return 0;
    /* Names (capitalised in the source), hyphenated words and their
     * parts, numbers and addresses are never split. */
    if (!(tokflags & SOK_TOK_WORD) ||
        (tokflags & (SOK_TOK_CAPITAL | SOK_TOK_PART | SOK_TOK_COMPOUND |
                     SOK_TOK_NUMBER | SOK_TOK_EMAIL | SOK_TOK_URL |
                     SOK_TOK_TRUNCATED)))
        return 0;
    /* Two parts of SOK_COMPOUND_MIN_PART characters need this many bytes
     * at least: most running words stop here, before any hashing. */
    if (len < 2 * SOK_COMPOUND_MIN_PART)
        return 0;
    struct sok_part parts[SOK_COMPOUND_MAX_PARTS];
    size_t n = split_cached(a, w, len, parts);
    char stem[SOK_TERM_MAX], prev[SOK_TERM_MAX];
    size_t prevlen = 0;
    for (size_t k = 0; k < n; k++) {
        for (int alt = 0; alt < 2; alt++) {
            size_t pl = alt ? parts[k].alt_len : parts[k].len;
            if (pl == 0)
                continue;
            struct sok_token t = { w + parts[k].off, pl, 0, 0, 0,
                                   SOK_TOK_WORD };
            int sl = sok_analyzer_stem(a, &t, stem, sizeof stem, NULL);
            if (sl <= 0)
                continue;
            if (alt && (size_t)sl == prevlen && memcmp(stem, prev, prevlen) == 0)
                continue;
            int rc = cb(ctx, stem, (size_t)sl, k, alt);
            if (rc != 0)
                return rc;
            memcpy(prev, stem, (size_t)sl);
            prevlen = (size_t)sl;
        }
    }
    return 0;
}

/* --------------------------------------------------------------- analyze */

/* 1 when folded s[0..len) is a word worth offering as a spelling
 * correction: two or more characters, letters and combining marks only,
 * with hyphens or apostrophes allowed between them ("iop-avtal", "don't"). */
static int is_letter_word(const char *s, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0, nchars = 0;
    int prev_sep = 1;

    while (i < len) {
        utf8proc_int32_t cp;
        if (p[i] < 0x80) {
            cp = p[i++];
        } else {
            utf8proc_ssize_t n = utf8proc_iterate(p + i,
                                                  (utf8proc_ssize_t)(len - i),
                                                  &cp);
            if (n <= 0)
                return 0;
            i += (size_t)n;
        }
        if (cp == '-' || cp == '\'') {
            if (prev_sep)
                return 0;
            prev_sep = 1;
            continue;
        }
        if (cp >= 'a' && cp <= 'z') {
            /* the common case */
        } else if (cp < 0x80) {
            return 0;
        } else {
            switch (utf8proc_category(cp)) {
            case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
            case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
            case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
            case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
                break;
            default:
                return 0;
            }
        }
        prev_sep = 0;
        nchars++;
    }
    return nchars >= 2 && !prev_sep;
}

struct analyze_ctx {
    struct sok_analyzer *a;
    unsigned flags;
    sok_term_cb cb;
    void *ctx;
    struct sok_err *err;
    /* Set while the PART tokens of an e-mail address or URL arrive: those
     * ("startside", "gora") are not words for the spelling dictionary. */
    int in_addr;
    /* The whole-title key being built (SOK_ANALYZE_TITLE with
     * SOK_ANALYZE_PARTS); key_bad: too long, none is emitted. */
    char key[SOK_TITLE_KEY_MAX + 1];
    size_t key_len;
    int key_bad;
};

int sok_title_key_add(char *key, size_t *len, const char *w, size_t wlen,
                      unsigned flags)
{
    if (!(flags & (SOK_TOK_WORD | SOK_TOK_COMPOUND)) ||
        (flags & (SOK_TOK_PART | SOK_TOK_NUMBER)) || wlen == 0)
        return 0;
    size_t need = *len + (*len > 0) + wlen;
    if (need > SOK_TITLE_KEY_MAX)
        return -1;
    if (*len > 0)
        key[(*len)++] = ' ';
    memcpy(key + *len, w, wlen);
    *len += wlen;
    key[*len] = '\0';
    return 0;
}

struct part_emit {
    struct analyze_ctx *c;
    const struct sok_token *tok;
    unsigned wdf;
};

static int emit_part(void *vctx, const char *stem, size_t len, size_t part,
                     int alt)
{
    struct part_emit *pe = vctx;
    struct sok_analyzer *a = pe->c->a;
    if (len + 2 > sizeof a->term)
        return 0;
    a->term[0] = SOK_PREFIX_PART[0];
    memcpy(a->term + 1, stem, len);
    a->term[len + 1] = '\0';
    /* No position: C terms are only ever searched as single terms (never
     * in a phrase or the proximity boost), and a position entry each was a
     * tenth of a full build's position writes. */
    struct sok_term t = { a->term, len + 1, 0, pe->wdf, pe->tok->flags, 0 };
    return pe->c->cb(pe->c->ctx, &t);
}

static int analyze_token(void *vctx, const struct sok_token *tok)
{
    struct analyze_ctx *c = vctx;
    struct sok_analyzer *a = c->a;
    unsigned wdf = (c->flags & SOK_ANALYZE_TITLE) ? SOK_TITLE_WDF : 1;
    int rc;

    if ((c->flags & SOK_ANALYZE_TITLE) && (c->flags & SOK_ANALYZE_PARTS) &&
        !c->key_bad &&
        sok_title_key_add(c->key, &c->key_len, tok->text, tok->len,
                          tok->flags) != 0)
        c->key_bad = 1;
    if (tok->flags & (SOK_TOK_EMAIL | SOK_TOK_URL))
        c->in_addr = 1;
    else if (!(tok->flags & SOK_TOK_PART))
        c->in_addr = 0;
    /* The tokeniser caps tokens at SOK_TOKEN_MAX; this guards the schema
     * limit should either constant change. */
    if (tok->len == 0 || tok->len + 1 > SOK_TERM_MAX)
        return 0;

    struct sok_term t;
    t.term = tok->text;
    t.len = tok->len;
    t.pos = tok->pos;
    t.wdfinc = wdf;
    t.flags = tok->flags;
    t.is_word = (tok->flags & (SOK_TOK_WORD | SOK_TOK_COMPOUND | SOK_TOK_PART)) &&
                !(tok->flags & SOK_TOK_TRUNCATED) && !c->in_addr &&
                is_letter_word(tok->text, tok->len);
    if ((rc = c->cb(c->ctx, &t)) != 0)
        return rc;

    /* Z + stem: the stem fits in SOK_TERM_MAX - 1 bytes plus NUL, so the
     * prefixed term never exceeds SOK_TERM_MAX.  A word that is its own
     * stem gets none: the exact term already says it, and the query side
     * searches a stem as Z + stem OR the stem itself (sok_terms.h).  That
     * is a third of the Z entries, and Xapian's write cost follows the
     * number of entries. */
    int n = sok_analyzer_stem(a, tok, a->term + 1, SOK_TERM_MAX, NULL);
    if (n > 0 && (size_t)n == tok->len &&
        memcmp(a->term + 1, tok->text, tok->len) == 0)
        n = 0;
    if (n > 0) {
        a->term[0] = SOK_PREFIX_STEM[0];
        t.term = a->term;
        t.len = (size_t)n + 1;
        t.pos = 0;
        t.wdfinc = wdf;
        t.is_word = 0;
        if ((rc = c->cb(c->ctx, &t)) != 0)
            return rc;
    } else if (n < 0 && n != SOK_ERANGE) {
        /* A stem too long for a term is skipped; anything else is a real
         * failure of the stemmer. */
        return sok_err_set(c->err, n, "analyze: stemming failed");
    }

    /* C + the stems of a compound's parts, at the compound's position
     * (sok_terms.h).  */
    if (!c->in_addr && (c->flags & SOK_ANALYZE_PARTS)) {
        struct part_emit pe = { c, tok, wdf };
        if ((rc = sok_analyze_compound(a, tok->text, tok->len, tok->flags,
                                       emit_part, &pe)) != 0)
            return rc;
    }

    if (c->flags & SOK_ANALYZE_TITLE) {
        a->term[0] = SOK_PREFIX_TITLE[0];
        memcpy(a->term + 1, tok->text, tok->len);
        a->term[tok->len + 1] = '\0';
        t.term = a->term;
        t.len = tok->len + 1;
        t.pos = tok->pos;
        t.wdfinc = 1;
        t.is_word = 0;
        if ((rc = c->cb(c->ctx, &t)) != 0)
            return rc;
    }
    return 0;
}

int sok_analyze_text(struct sok_analyzer *a, const char *text, size_t len,
                     unsigned flags, unsigned *pos, sok_term_cb cb, void *ctx,
                     struct sok_err *err)
{
    if (a == NULL || cb == NULL || (text == NULL && len != 0))
        return sok_err_set(err, SOK_EINVAL, "analyze: NULL argument");
    /* Position 0 means "no position" in struct sok_term: start at 1. */
    unsigned first = (pos != NULL && *pos != 0) ? *pos : 1, next = first;
    struct analyze_ctx *c = malloc(sizeof *c);
    if (c == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    c->a = a;
    c->flags = flags;
    c->cb = cb;
    c->ctx = ctx;
    c->err = err;
    c->in_addr = 0;
    c->key_len = 0;
    c->key_bad = 0;
    int rc = sok_text_tokenize(text, len, first, analyze_token, c, &next, err);
    if (pos != NULL)
        *pos = next;
    /* T + the title's words: a query that is the whole title finds it. */
    if (rc == 0 && c->key_len > 0 && !c->key_bad) {
        a->term[0] = SOK_PREFIX_TITLEKEY[0];
        memcpy(a->term + 1, c->key, c->key_len);
        a->term[c->key_len + 1] = '\0';
        struct sok_term t = { a->term, c->key_len + 1, 0, 1, 0, 0 };
        rc = cb(ctx, &t);
    }
    free(c);
    return rc;
}

/* ------------------------------------------------------------- stopwords */

/* The Snowball Swedish stop word list
 * (https://snowballstem.org/algorithms/swedish/stop.txt), 114 words,
 * sorted by bytes for binary search (the unit test checks the order). */
static const char *const sv_stopwords[] = {
    "alla", "allt", "att", "av", "blev", "bli", "blir", "blivit", "de", "dem",
    "den", "denna", "deras", "dess", "dessa", "det", "detta", "dig", "din",
    "dina", "ditt", "du", "d\xc3\xa4r", "d\xc3\xa5", "efter", "ej", "eller",
    "en", "er", "era", "ert", "ett", "fr\xc3\xa5n", "f\xc3\xb6r", "ha", "hade",
    "han", "hans", "har", "henne", "hennes", "hon", "honom", "hur",
    "h\xc3\xa4r", "i", "icke", "ingen", "inom", "inte", "jag", "ju", "kan",
    "kunde", "man", "med", "mellan", "men", "mig", "min", "mina", "mitt",
    "mot", "mycket", "ni", "nu", "n\xc3\xa4r", "n\xc3\xa5gon",
    "n\xc3\xa5got", "n\xc3\xa5gra", "och", "om", "oss", "p\xc3\xa5", "samma",
    "sedan", "sig", "sin", "sina", "sitta", "sj\xc3\xa4lv", "skulle", "som",
    "s\xc3\xa5", "s\xc3\xa5" "dan", "s\xc3\xa5" "dana", "s\xc3\xa5" "dant",
    "till", "under", "upp", "ut", "utan", "vad", "var", "vara",
    "varf\xc3\xb6r", "varit", "varje", "vars", "vart", "vem", "vi", "vid",
    "vilka", "vilkas", "vilken", "vilket", "v\xc3\xa5r", "v\xc3\xa5ra",
    "v\xc3\xa5rt", "\xc3\xa4n", "\xc3\xa4r", "\xc3\xa5t", "\xc3\xb6ver",
};

const char *const *sok_sv_stopwords(size_t *n)
{
    if (n)
        *n = sizeof sv_stopwords / sizeof sv_stopwords[0];
    return sv_stopwords;
}

int sok_sv_is_stopword(const char *word, size_t len)
{
    if (word == NULL || len == 0)
        return 0;
    size_t lo = 0, hi = sizeof sv_stopwords / sizeof sv_stopwords[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *w = sv_stopwords[mid];
        size_t wl = strlen(w);
        int cmp = memcmp(word, w, len < wl ? len : wl);
        if (cmp == 0)
            cmp = len < wl ? -1 : len > wl;
        if (cmp == 0)
            return 1;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}
