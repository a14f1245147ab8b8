/*
 * sok_u64set: a set of nonzero 64-bit keys, open addressing with linear
 * probing from the key's low bits, so the keys must be well mixed: hashes
 * as they are, small ids through sok_u64set_mix().  Used for the stem
 * sets of the section splitter (sok_stemset.h) and the (key, value) pairs
 * the facet counter has counted (sok_facets.h).  Not thread-safe.
 */
#ifndef SOK_U64SET_H
#define SOK_U64SET_H

#include <stddef.h>
#include <stdint.h>

/* A plain struct: all zero is the empty set. */
struct sok_u64set {
    uint64_t *v;      /* owned table; 0 marks an empty slot */
    size_t cap, n;    /* slots (0 or a power of two), keys held */
};

#define SOK_U64SET_INIT { NULL, 0, 0 }

/* Frees what s owns and resets it to empty.  s may be NULL. */
void sok_u64set_clear(struct sok_u64set *s);

/* Adds x (nonzero); *fresh (may be NULL) is 1 when x was not there yet.
 * Returns 0 or SOK_ENOMEM (s unchanged). */
int sok_u64set_add(struct sok_u64set *s, uint64_t x, int *fresh);

/* Whether s holds x. */
int sok_u64set_has(const struct sok_u64set *s, uint64_t x);

/* A bijection of 64-bit values that spreads every input bit over all
 * output bits (MurmurHash3's finaliser); 0 stays 0, nothing else maps
 * there, so mixed nonzero ids stay distinct and nonzero. */
uint64_t sok_u64set_mix(uint64_t x);

#endif /* SOK_U64SET_H */
