/*
 * sok_sort: the one sort of sok's hot paths.  Both users sort 64-bit keys
 * (a section's shingle hashes on every search, the spelling deletion index
 * when the index changes), where an LSD radix sort is several times faster
 * than qsort() and needs no comparison callback.
 */
#ifndef SOK_SORT_H
#define SOK_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts v[0..n) ascending.  Returns 0, or SOK_ENOMEM (v unchanged) when
 * the scratch copy it needs beyond a few dozen keys cannot be had. */
int sok_sort_u64(uint64_t *v, size_t n);

#endif /* SOK_SORT_H */
