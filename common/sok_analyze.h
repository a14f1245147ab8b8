/*
 * sok_analyze: the Swedish analysis pipeline, the one place where text
 * becomes index terms.  The indexer feeds section text through it to build
 * documents; the server feeds query words through the same functions, so
 * query terms and indexed terms cannot drift.  See sok_terms.h for the
 * prefixes.  An analyzer holds a stemmer and scratch space: use one per
 * thread.
 */
#ifndef SOK_ANALYZE_H
#define SOK_ANALYZE_H

#include <stddef.h>
#include "sok_err.h"
#include "sok_text.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sok_analyzer;

/* An analyzer with SOK_ANALYZER_CACHE_SMALL cache slots. */
int sok_analyzer_new(struct sok_analyzer **out, struct sok_err *err);

/* Stem and compound-split cache slots (each; a power of two).  A query
 * process meets the words of its queries: the small cache holds them, and
 * keeps the server's memory small.  A full build meets the corpus's long
 * tail of distinct words too: the large cache, for the indexer's workers,
 * saves re-stemming and re-splitting them at the cost of memory per
 * analyzer (README, "Choices"). */
#define SOK_ANALYZER_CACHE_SMALL 65536u
#define SOK_ANALYZER_CACHE_LARGE 262144u
int sok_analyzer_new_cached(struct sok_analyzer **out, unsigned slots,
                            struct sok_err *err);
void sok_analyzer_free(struct sok_analyzer *a);

/* Stem of a folded token into out (cap bytes, NUL-terminated).  Returns the
 * stem's length, 0 when the token gets no stem (numbers, e-mail addresses,
 * URLs, truncated tokens), or a negative code. */
int sok_analyzer_stem(struct sok_analyzer *a, const struct sok_token *tok,
                      char *out, size_t cap, struct sok_err *err);

/* One term produced for indexing. */
struct sok_term {
    const char *term;   /* with prefix, NUL-terminated, borrowed */
    size_t len;
    unsigned pos;       /* 0: no position */
    unsigned wdfinc;
    unsigned flags;     /* SOK_TOK_* of the source token */
    int is_word;        /* 1 for an exact unprefixed word form that may feed
                           the spelling dictionary */
};

typedef int (*sok_term_cb)(void *ctx, const struct sok_term *t);

#define SOK_ANALYZE_TITLE 0x1u  /* text is a section title: also emit S
                                   terms, and weight with SOK_TITLE_WDF */
#define SOK_ANALYZE_PARTS 0x2u  /* also emit C (compound part) terms; the
                                   indexer sets it */

/*
 * Tokenises text[0..len) and emits, for every token: the exact folded form
 * (unprefixed, with position), its stem (Z prefix, no position) unless the
 * token gets none or is its own stem, with SOK_ANALYZE_PARTS for a compound
 * the stems of its parts (C prefix, no positions), and with SOK_ANALYZE_TITLE
 * the S-prefixed exact form (with both flags, at the end, T + the title's
 * key, see sok_title_key_add).
 * Stopwords are not dropped.  Positions continue from *pos, which is
 * updated; leave a gap between fields so phrases cannot cross them.
 */
int sok_analyze_text(struct sok_analyzer *a, const char *text, size_t len,
                     unsigned flags, unsigned *pos, sok_term_cb cb, void *ctx,
                     struct sok_err *err);

/* Called with the stem of each part of a compound (part: its index;
 * alt: 1 for the second reading of a part ending in a linking letter,
 * "kvinn" beside "kvinno"). */
typedef int (*sok_part_cb)(void *ctx, const char *stem, size_t len,
                           size_t part, int alt);

/*
 * The compound parts of folded word w[0..len) as the indexer emits them
 * under SOK_PREFIX_PART: for a token with flags tokflags (SOK_TOK_*) that
 * may be split (a plain word, not capitalised, not known to the lexicon
 * whole), calls cb with each part's Snowball stem.  Returns 0, or the
 * first non-zero return of cb.  No lexicon: nothing is split.
 */
int sok_analyze_compound(struct sok_analyzer *a, const char *w, size_t len,
                         unsigned tokflags, sok_part_cb cb, void *ctx);

/* Appends folded word w (a token with SOK_TOK_* flags) to the whole-title
 * key in key[0..*len) (SOK_TITLE_KEY_MAX + 1 bytes, NUL-terminated): words
 * only, numbers and the parts of hyphenated words skipped, one space
 * between.  The indexer emits T + the key of every section title; the
 * query side builds the same key from the query.  Returns 0, or -1 when
 * the key would grow past SOK_TITLE_KEY_MAX (nothing appended). */
int sok_title_key_add(char *key, size_t *len, const char *w, size_t wlen,
                      unsigned flags);

/* 1 when the folded word is a Swedish stopword ("och", "i", "att", ...). */
int sok_sv_is_stopword(const char *word, size_t len);

/* The stopword list itself (Snowball's Swedish list, folded, sorted by
 * bytes): a static array of *n NUL-terminated words, never freed. */
const char *const *sok_sv_stopwords(size_t *n);

#ifdef __cplusplus
}
#endif

#endif /* SOK_ANALYZE_H */
