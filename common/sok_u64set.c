/*
 * sok_u64set: an open-addressing set of 64-bit keys.  See sok_u64set.h.
 */
#include "sok_u64set.h"

#include <stdlib.h>

#include "sok_err.h"

#define CAP_MIN 64

void sok_u64set_clear(struct sok_u64set *s)
{
    if (s == NULL)
        return;
    free(s->v);
    s->v = NULL;
    s->cap = s->n = 0;
}

/* x's slot among cap: the one holding it, or the empty one it would
 * take. */
static size_t slot_of(const uint64_t *v, size_t cap, uint64_t x)
{
    size_t j = x & (cap - 1);
    while (v[j] != 0 && v[j] != x)
        j = (j + 1) & (cap - 1);
    return j;
}

int sok_u64set_add(struct sok_u64set *s, uint64_t x, int *fresh)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : CAP_MIN;
        uint64_t *v = calloc(cap, sizeof *v);
        if (v == NULL)
            return SOK_ENOMEM;
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i] != 0)
                v[slot_of(v, cap, s->v[i])] = s->v[i];
        free(s->v);
        s->v = v;
        s->cap = cap;
    }
    size_t j = slot_of(s->v, s->cap, x);
    int is_new = s->v[j] == 0;
    if (is_new) {
        s->v[j] = x;
        s->n++;
    }
    if (fresh != NULL)
        *fresh = is_new;
    return 0;
}

int sok_u64set_has(const struct sok_u64set *s, uint64_t x)
{
    return s->cap != 0 && s->v[slot_of(s->v, s->cap, x)] == x;
}

uint64_t sok_u64set_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}
