/*
 * sok_facets: counts facet values over the matches of one search, for the
 * shim's match spy (sok_xapian.cc), and hands the counts over as the
 * struct sok_xfacet of a search result.  With a collapse key, Xapian 1.4
 * runs match spies before the collapse, so counting documents would count
 * both copies of a duplicate that the hit list shows once.  Per facet
 * value this counts the distinct collapse keys instead (a match without a
 * key counts alone), which is what the collapsed result set holds.  Keys
 * and values are byte strings.  Not thread-safe: one counter per search.
 */
#ifndef SOK_FACETS_H
#define SOK_FACETS_H

#include <stddef.h>
#include <stdint.h>

#include "sok_xapian.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sok_facets;

/* A counter for n facets (at most SOK_XFACET_MAX).  Returns 0, SOK_EINVAL
 * or SOK_ENOMEM (*out untouched). */
int sok_facets_new(unsigned n, struct sok_facets **out);

/* f may be NULL. */
void sok_facets_free(struct sok_facets *f);

/* Also counts the first n matches added apart, as a sample: Xapian
 * examines every match in docid order until check_at_least of them, and
 * only then starts skipping, so the first check_at_least matches are all
 * the matches up to some docid (sok_facets_sample_end), an unbiased
 * sample to estimate from when the search stops early.  0: no sample. */
void sok_facets_sample(struct sok_facets *f, unsigned long n);

/* Counts one match, docid did: val[i] (len[i] bytes; 0 for none) is its
 * value for facet i, key (klen bytes; 0 for none) its collapse key.
 * Returns 0 or SOK_ENOMEM (the counts are then unreliable: give up on
 * the search). */
int sok_facets_add(struct sok_facets *f, unsigned long did,
                   const char *const *val, const size_t *len,
                   const char *key, size_t klen);

/* sok_facets_add() for values read from columns (the shim's per-docid
 * arrays of value ids): vid[i] is the match's value id for facet i, key
 * the id of its collapse key (0 for none, in either).  Equal ids are
 * equal strings, so this counts what sok_facets_add() would, without
 * hashing strings per match; sok_facets_resolve() turns the ids into
 * values afterwards.  Returns 0 or SOK_ENOMEM. */
int sok_facets_add_ids(struct sok_facets *f, unsigned long did,
                       const uint32_t *vid, uint32_t key);

/* The value of id (1-based) of facet i's column, len bytes. */
typedef const char *(*sok_facets_name_fn)(const void *ctx, uint32_t id,
                                          size_t *len);

/* Adds facet i's counts by id (and its sample's) to its counts by value,
 * naming each id through name(ctx, ...).  Returns 0, SOK_EINVAL or
 * SOK_ENOMEM. */
int sok_facets_resolve(struct sok_facets *f, unsigned i,
                       sok_facets_name_fn name, const void *ctx);

/* The docid of the sample's last match: the sample holds every match
 * added with a docid up to it.  0 while the sample is not full (or none
 * was asked for). */
unsigned long sok_facets_sample_end(const struct sok_facets *f);

/* Adds n matches with value val[0..len) to facet i, as counted elsewhere
 * (a remote shard's Xapian::ValueCountMatchSpy, which counts documents:
 * twins there count once per copy).  Returns 0, SOK_EINVAL or SOK_ENOMEM. */
int sok_facets_add_count(struct sok_facets *f, unsigned i, const char *val,
                         size_t len, unsigned long n);

/* Facet i's counts into out->counts and out->n, sorted by count
 * (descending), then value (byte order); out->slot is left alone.  The
 * array and each value are malloc()ed, as sok_xresult_free() expects.
 * Returns 0 or SOK_ENOMEM (out then holds the counts copied so far, still
 * fit for sok_xresult_free()). */
int sok_facets_get(const struct sok_facets *f, unsigned i,
                   struct sok_xfacet *out);

/* As sok_facets_get(), facet i's counts within the sample. */
int sok_facets_get_sample(const struct sok_facets *f, unsigned i,
                          struct sok_xfacet *out);

#ifdef __cplusplus
}
#endif

#endif /* SOK_FACETS_H */
