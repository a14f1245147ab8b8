/*
 * counts: string -> count hash table with arena storage.  See sok_counts.h.
 */
#include "sok_counts.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "sok_err.h"

#define CHUNK_MIN   (64u * 1024u)
#define SLOTS_MIN   256u

/* A word in the arena: its count, its length, then its bytes and a NUL. */
struct entry {
    uint64_t count;
    uint32_t len;
    char w[];
};

struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(8) unsigned char mem[];
};

struct slot {
    uint64_t hash;               /* 0: empty (real hashes are forced odd) */
    struct entry *e;
};

struct sok_counts {
    struct slot *slots;
    size_t nslots;               /* power of two */
    size_t n;
    struct chunk *chunks;        /* newest first */
};

static uint64_t hash_of(const char *w, size_t len)
{
    return XXH3_64bits(w, len) | 1;
}

static struct chunk *chunk_new(size_t need)
{
    size_t cap = need > CHUNK_MIN ? need : CHUNK_MIN;
    struct chunk *ch = malloc(sizeof *ch + cap);
    if (ch == NULL)
        return NULL;
    ch->next = NULL;
    ch->used = 0;
    ch->cap = cap;
    return ch;
}

int sok_counts_new(struct sok_counts **out)
{
    struct sok_counts *c = calloc(1, sizeof *c);
    if (c == NULL)
        return SOK_ENOMEM;
    c->slots = calloc(SLOTS_MIN, sizeof *c->slots);
    if (c->slots == NULL) {
        free(c);
        return SOK_ENOMEM;
    }
    c->nslots = SLOTS_MIN;
    *out = c;
    return 0;
}

static struct slot *find(const struct sok_counts *c, uint64_t h,
                         const char *w, size_t len)
{
    size_t mask = c->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct slot *s = &c->slots[i];
        if (s->hash == 0)
            return s;
        if (s->hash == h && s->e->len == len && memcmp(s->e->w, w, len) == 0)
            return s;
    }
}

static int grow(struct sok_counts *c)
{
    size_t n = c->nslots * 2;
    struct slot *v = calloc(n, sizeof *v);
    if (v == NULL)
        return SOK_ENOMEM;
    for (size_t i = 0; i < c->nslots; i++) {
        struct slot *s = &c->slots[i];
        if (s->hash == 0)
            continue;
        size_t j = (size_t)s->hash & (n - 1);
        while (v[j].hash != 0)
            j = (j + 1) & (n - 1);
        v[j] = *s;
    }
    free(c->slots);
    c->slots = v;
    c->nslots = n;
    return 0;
}

static struct entry *store(struct sok_counts *c, const char *w, size_t len)
{
    size_t need = (sizeof(struct entry) + len + 1 + 7) & ~(size_t)7;
    struct chunk *ch = c->chunks;
    if (ch == NULL || ch->cap - ch->used < need) {
        ch = chunk_new(need);
        if (ch == NULL)
            return NULL;
        ch->next = c->chunks;
        c->chunks = ch;
    }
    struct entry *e = (struct entry *)(ch->mem + ch->used);
    ch->used += need;
    e->count = 0;
    e->len = (uint32_t)len;
    memcpy(e->w, w, len);
    e->w[len] = '\0';
    return e;
}

static int add_hashed(struct sok_counts *c, uint64_t h, const char *w,
                      size_t len, uint64_t inc)
{
    struct slot *s = find(c, h, w, len);
    if (s->hash != 0) {
        s->e->count += inc;
        return 0;
    }
    /* Keep the load under 1/2 so probes stay short. */
    if ((c->n + 1) * 2 > c->nslots) {
        if (grow(c) != 0)
            return SOK_ENOMEM;
        s = find(c, h, w, len);
    }
    struct entry *e = store(c, w, len);
    if (e == NULL)
        return SOK_ENOMEM;
    e->count = inc;
    s->hash = h;
    s->e = e;
    c->n++;
    return 0;
}

int sok_counts_add(struct sok_counts *c, const char *w, size_t len,
                   uint64_t inc)
{
    if (len > UINT32_MAX)
        return SOK_ENOMEM;
    return add_hashed(c, hash_of(w, len), w, len, inc);
}

int sok_counts_merge(struct sok_counts *dst, const struct sok_counts *src)
{
    for (size_t i = 0; i < src->nslots; i++) {
        const struct slot *s = &src->slots[i];
        if (s->hash == 0)
            continue;
        int rc = add_hashed(dst, s->hash, s->e->w, s->e->len, s->e->count);
        if (rc)
            return rc;
    }
    return 0;
}

uint64_t sok_counts_get(const struct sok_counts *c, const char *w, size_t len)
{
    const struct slot *s = find(c, hash_of(w, len), w, len);
    return s->hash ? s->e->count : 0;
}

size_t sok_counts_size(const struct sok_counts *c)
{
    return c->n;
}

int sok_counts_each(const struct sok_counts *c, sok_counts_cb cb, void *ctx)
{
    for (size_t i = 0; i < c->nslots; i++) {
        const struct slot *s = &c->slots[i];
        if (s->hash == 0)
            continue;
        int rc = cb(ctx, s->e->w, s->e->len, s->e->count);
        if (rc)
            return rc;
    }
    return 0;
}

void sok_counts_clear(struct sok_counts *c)
{
    struct chunk *keep = c->chunks;
    if (keep) {
        /* Keep the oldest chunk (the end of the list): it is the one sized
         * CHUNK_MIN unless a single huge word forced a bigger one. */
        while (keep->next)
            keep = keep->next;
        for (struct chunk *ch = c->chunks; ch != keep;) {
            struct chunk *next = ch->next;
            free(ch);
            ch = next;
        }
        keep->used = 0;
    }
    c->chunks = keep;
    memset(c->slots, 0, c->nslots * sizeof *c->slots);
    c->n = 0;
}

void sok_counts_free(struct sok_counts *c)
{
    if (c == NULL)
        return;
    for (struct chunk *ch = c->chunks; ch;) {
        struct chunk *next = ch->next;
        free(ch);
        ch = next;
    }
    free(c->slots);
    free(c);
}
