/*
 * dedup: near-duplicate sections that Xapian's collapse on SOK_SLOT_DUPKEY
 * cannot handle alone.  The same minutes stored twice (Markdown and PDF
 * text) give twin sections; the collapse keeps whichever twin scores
 * higher, so one result page can mix both files, and where the two files
 * were cut into sections differently one twin's text sits inside another
 * section and has no equal key at all.  Both are recognised by content:
 * a section's word 4-grams (shingles) contained in another's.
 */
#ifndef SOK_DEDUP_H
#define SOK_DEDUP_H

#include <stddef.h>
#include <stdint.h>
#include "sok_err.h"

#define SOK_DEDUP_TOKENS  20000  /* words of a section looked at: more
                                    than one holds (SOK_SECTION_MAX, 64
                                    KiB, is about 10,000 words); bounds a
                                    hit's cost in an index of schema 4 too,
                                    whose sections had no bound */
#define SOK_DEDUP_CONTAIN 0.8    /* share of the smaller set contained */
#define SOK_DEDUP_MIN     3      /* fewer shingles: too short to judge */

/* The sorted, distinct hashes of the word 4-grams of text[0..len) (valid
 * UTF-8): words are runs of letters, marks and digits, case folded and
 * in compatibility decomposition, so layout, case and how a character
 * is composed do not matter.  *out malloc()ed (NULL when *n is 0). */
int sok_dedup_shingles(const char *text, size_t len, uint64_t **out,
                       size_t *n, struct sok_err *err);

/* 1 when the smaller of the two sets lies at least SOK_DEDUP_CONTAIN
 * inside the other; 0 also when either is shorter than SOK_DEDUP_MIN. */
int sok_dedup_similar(const uint64_t *a, size_t na, const uint64_t *b,
                      size_t nb);

#endif /* SOK_DEDUP_H */
