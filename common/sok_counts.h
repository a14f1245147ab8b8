/*
 * counts: a table of strings with a count each (word -> frequency).
 *
 * The indexer sums spelling-dictionary increments here instead of handing
 * Xapian one add_spelling() call per word occurrence: Xapian keeps its own
 * per-call map and re-adds every word's trigram fragments once per
 * database, which made spelling a large share of a full build's CPU time.
 * Summed counts written once give the dictionary the same contents.
 *
 * Open addressing with linear probing over a power-of-two slot array; the
 * strings live in chunked arena storage owned by the table, so adding a
 * word allocates only when a chunk or the slot array fills up.  Not
 * thread-safe: one table per thread, merged afterwards.
 */
#ifndef SOK_COUNTS_H
#define SOK_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct sok_counts;

/* Creates an empty table.  Returns 0 or SOK_ENOMEM (*out untouched). */
int sok_counts_new(struct sok_counts **out);

/* Adds inc to the count of w[0..len) (len bytes, need not be
 * NUL-terminated; may hold any bytes but NUL).  A new word starts at inc.
 * Returns 0 or SOK_ENOMEM, in which case the table is unchanged. */
int sok_counts_add(struct sok_counts *c, const char *w, size_t len,
                   uint64_t inc);

/* Adds every word of src into dst.  Returns 0 or SOK_ENOMEM (dst then
 * holds part of src: the caller is expected to give up on it). */
int sok_counts_merge(struct sok_counts *dst, const struct sok_counts *src);

/* The count of w, 0 when absent. */
uint64_t sok_counts_get(const struct sok_counts *c, const char *w, size_t len);

/* Number of distinct words. */
size_t sok_counts_size(const struct sok_counts *c);

/* Calls cb for every word (NUL-terminated, borrowed for the call) in no
 * particular order.  A non-zero return from cb stops the walk and is
 * returned. */
typedef int (*sok_counts_cb)(void *ctx, const char *w, size_t len,
                             uint64_t count);
int sok_counts_each(const struct sok_counts *c, sok_counts_cb cb, void *ctx);

/* Empties the table, keeping its first storage chunk for reuse. */
void sok_counts_clear(struct sok_counts *c);

/* Frees the table; NULL is fine. */
void sok_counts_free(struct sok_counts *c);

#endif /* SOK_COUNTS_H */
