/*
 * sok_stemset: sets of content-word stems, and how much of one set another
 * holds.  The section splitter (sok_section.c) uses them to judge lexical
 * cohesion: whether the block under a heading talks about the same things
 * as the news item before it (a sub-heading) or about something else (a
 * new item).  The stemming is deliberately crude (function words skipped,
 * a few Swedish inflection suffixes cut off): it only has to make
 * "barnen" meet "barn", and it is not the analysis that builds terms for
 * search (sok_analyze.h).  Not part of the public API.
 */
#ifndef SOK_STEMSET_H
#define SOK_STEMSET_H

#include <stddef.h>
#include <stdint.h>

#include "sok_u64set.h"

/* A plain struct: moving one (assignment, then resetting the source to
 * SOK_STEMSET_INIT) hands its table over. */
struct sok_stemset {
    struct sok_u64set h;    /* the stems' hashes */
};

#define SOK_STEMSET_INIT { SOK_U64SET_INIT }

/* Frees what s owns and resets it to empty.  s may be NULL. */
void sok_stemset_clear(struct sok_stemset *s);

/* Adds the stems of the content words of s[0..len) (valid UTF-8): words
 * are runs of letters (digits end them); those of at least three letters,
 * lower-cased, that are not function words, lose an inflection suffix
 * when at least four letters remain.  *nwords (may be NULL) is increased
 * by the number of runs of letters and digits.  Returns 0 or SOK_ENOMEM
 * (set then holds part of the stems). */
int sok_stemset_add_text(struct sok_stemset *set, const char *s, size_t len,
                         size_t *nwords);

/* Adds every stem of src to dst.  Returns 0 or SOK_ENOMEM. */
int sok_stemset_merge(struct sok_stemset *dst, const struct sok_stemset *src);

/* The fraction of cand's stems that are in of; 0 when cand is empty. */
double sok_stemset_overlap(const struct sok_stemset *cand,
                           const struct sok_stemset *of);

#endif /* SOK_STEMSET_H */
