/*
 * sok_compound: Swedish word knowledge the analysis pipeline needs beyond
 * the stemmer.  A lexicon (the words of Debian's hunspell-sv sv_SE.dic,
 * affix flags stripped, lower-cased, in a hash set), a compound splitter
 * that honours Swedish linking letters (fritid-s-banken,
 * kvinn-o-behandling, skollov-s-aktiviteter), and a bounded
 * Damerau-Levenshtein distance for edit-tolerant matching.  The indexer and
 * the server share one read-only lexicon per process (sok_lexicon_default),
 * loaded once on first use.
 */
#ifndef SOK_COMPOUND_H
#define SOK_COMPOUND_H

#include <stddef.h>
#include "sok_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the default lexicon is read from; the environment variable
 * SOK_LEXICON overrides it ("" or a missing file: no lexicon, and so no
 * compound splitting). */
#define SOK_LEXICON_PATH "/usr/share/hunspell/sv_SE.dic"

struct sok_lexicon;

/* Loads a hunspell .dic file (first line a count, then "word[/FLAGS]"):
 * words lower-cased (ASCII and Å/Ä/Ö/É/Ü), flags dropped.  *out owned by
 * the caller (sok_lexicon_free). */
int sok_lexicon_load(const char *path, struct sok_lexicon **out,
                     struct sok_err *err);

/* A lexicon of n given (folded) words, for tests. */
int sok_lexicon_from_words(const char *const *words, size_t n,
                           struct sok_lexicon **out, struct sok_err *err);

void sok_lexicon_free(struct sok_lexicon *lx);

/* Number of distinct words. */
size_t sok_lexicon_size(const struct sok_lexicon *lx);

/* 1 when folded w[0..len) is a lexicon word as is. */
int sok_lexicon_has(const struct sok_lexicon *lx, const char *w, size_t len);

/* 1 when w is the lexicon word itself or an inflection of one the
 * splitter recognises ("banken" -> bank, "kvinnor" -> kvinna). */
int sok_lexicon_knows(const struct sok_lexicon *lx, const char *w,
                      size_t len);

/* The process's shared lexicon (SOK_LEXICON_PATH or $SOK_LEXICON), loaded
 * on the first call, thread-safe; NULL when there is none.  Never freed. */
const struct sok_lexicon *sok_lexicon_default(void);

/* One part of a compound: bytes [off, off + len) of the word, without the
 * linking letter that may follow it. */
struct sok_part {
    size_t off, len;
    size_t alt_len;     /* non-zero: the part may also be read as its first
                           alt_len bytes plus a linking letter ("fritids"
                           as fritid-s, "kvinno" as kvinn-o) */
};

#define SOK_COMPOUND_MAX_PARTS 4
#define SOK_COMPOUND_MIN_PART  3   /* characters */

/*
 * Splits the folded word w[0..len) into at most max parts (each a lexicon
 * word, or a lexicon word's form inside compounds: "skol" for skola,
 * followed by an optional linking s/o/u/e; the last part may be inflected).
 * Fewest parts win, then the split with the longest parts.  Returns the
 * number of parts (>= 2), or 0 when w is not split: too short, known to
 * the lexicon whole (or as an inflection), or no split into lexicon words
 * exists.  Names are the caller's business (it knows the capitals).
 */
size_t sok_compound_split(const struct sok_lexicon *lx, const char *w,
                          size_t len, struct sok_part *parts, size_t max);

/* Damerau-Levenshtein distance (optimal string alignment: insert, delete,
 * substitute, transpose adjacent) between UTF-8 a and b, counted in code
 * points; any value above max is reported as max + 1. */
unsigned sok_edit_distance(const char *a, size_t alen, const char *b,
                           size_t blen, unsigned max);

/* The edits a word of `chars` characters tolerates: 0 below 5, 1 from 5,
 * 2 from 9. */
unsigned sok_edit_budget(size_t chars);

#ifdef __cplusplus
}
#endif

#endif /* SOK_COMPOUND_H */
