/*
 * cache: per-thread response cache (see cache.h).  A chained hash table of
 * entries, each one allocation holding its key and body, on a doubly
 * linked LRU list; the table doubles when it holds more entries than
 * buckets.
 */
#include "cache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ent {
    struct ent *chain;          /* next in the bucket */
    struct ent *prev, *next;    /* LRU list: head most recent */
    uint64_t hash;
    size_t klen, blen, took_off, took_len;
    unsigned tag;
    char data[];                /* key, then body */
};

struct sok_cache {
    size_t cap, used;           /* bytes */
    unsigned long gen, rev;
    int have_gen;
    struct ent **tab;
    size_t nbuckets, nents;     /* nbuckets: a power of two */
    struct ent *head, *tail;
};

static uint64_t hash64(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static size_t ent_bytes(const struct ent *e)
{
    return sizeof *e + e->klen + e->blen + sizeof(struct ent *);
}

int sok_cache_new(size_t cap, struct sok_cache **out, struct sok_err *err)
{
    *out = NULL;
    if (cap == 0)
        return 0;
    struct sok_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    c->cap = cap;
    c->nbuckets = 256;
    c->tab = calloc(c->nbuckets, sizeof *c->tab);
    if (c->tab == NULL) {
        free(c);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    *out = c;
    return 0;
}

static void unlink_lru(struct sok_cache *c, struct ent *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(struct sok_cache *c, struct ent *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

/* Removes e from its bucket and the LRU list and frees it. */
static void drop(struct sok_cache *c, struct ent *e)
{
    struct ent **pp = &c->tab[e->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->chain;
    *pp = e->chain;
    unlink_lru(c, e);
    c->used -= ent_bytes(e);
    c->nents--;
    free(e);
}

static void clear(struct sok_cache *c)
{
    struct ent *e = c->head;
    while (e != NULL) {
        struct ent *n = e->next;
        free(e);
        e = n;
    }
    memset(c->tab, 0, c->nbuckets * sizeof *c->tab);
    c->head = c->tail = NULL;
    c->used = 0;
    c->nents = 0;
}

void sok_cache_free(struct sok_cache *c)
{
    if (c == NULL)
        return;
    clear(c);
    free(c->tab);
    free(c);
}

void sok_cache_sync(struct sok_cache *c, unsigned long gen,
                    unsigned long rev)
{
    if (c == NULL || (c->have_gen && c->gen == gen && c->rev == rev))
        return;
    clear(c);
    c->gen = gen;
    c->rev = rev;
    c->have_gen = 1;
}

size_t sok_cache_key(char route, const struct sok_search_req *req,
                     char *key, size_t cap)
{
    int n = snprintf(key, cap, "%c|%u|%u|%x|%s|%s|%d|", route, req->page,
                     req->per_page, req->types, req->from, req->to,
                     req->sort_date);
    if (n < 0 || (size_t)n + req->qlen > cap)
        return 0;
    memcpy(key + n, req->q, req->qlen);
    return (size_t)n + req->qlen;
}

static struct ent *find(const struct sok_cache *c, uint64_t h,
                        const char *key, size_t klen)
{
    for (struct ent *e = c->tab[h & (c->nbuckets - 1)]; e; e = e->chain)
        if (e->hash == h && e->klen == klen &&
            memcmp(e->data, key, klen) == 0)
            return e;
    return NULL;
}

int sok_cache_get(struct sok_cache *c, const char *key, size_t klen,
                  struct sok_cache_ent *out)
{
    if (c == NULL || klen == 0)
        return -1;
    struct ent *e = find(c, hash64(key, klen), key, klen);
    if (e == NULL)
        return -1;
    if (c->head != e) {
        unlink_lru(c, e);
        push_front(c, e);
    }
    out->body = e->data + e->klen;
    out->len = e->blen;
    out->took_off = e->took_off;
    out->took_len = e->took_len;
    out->tag = e->tag;
    return 0;
}

/* Doubles the bucket array (failure only means longer chains). */
static void grow(struct sok_cache *c)
{
    size_t nb = c->nbuckets * 2;
    struct ent **t = calloc(nb, sizeof *t);
    if (t == NULL)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct ent *e = c->tab[i];
        while (e != NULL) {
            struct ent *n = e->chain;
            e->chain = t[e->hash & (nb - 1)];
            t[e->hash & (nb - 1)] = e;
            e = n;
        }
    }
    free(c->tab);
    c->tab = t;
    c->nbuckets = nb;
}

void sok_cache_put(struct sok_cache *c, const char *key, size_t klen,
                   const char *body, size_t len, size_t took_off,
                   size_t took_len, unsigned tag)
{
    if (c == NULL || klen == 0)
        return;
    size_t need = sizeof(struct ent) + klen + len + sizeof(struct ent *);
    if (need > c->cap / 8)
        return;
    uint64_t h = hash64(key, klen);
    struct ent *old = find(c, h, key, klen);
    if (old != NULL)
        drop(c, old);
    while (c->used + need > c->cap && c->tail != NULL)
        drop(c, c->tail);
    struct ent *e = malloc(sizeof *e + klen + len);
    if (e == NULL)
        return;
    e->hash = h;
    e->klen = klen;
    e->blen = len;
    e->took_off = took_off;
    e->took_len = took_len;
    e->tag = tag;
    memcpy(e->data, key, klen);
    memcpy(e->data + klen, body, len);
    if (c->nents >= c->nbuckets)
        grow(c);
    struct ent **b = &c->tab[h & (c->nbuckets - 1)];
    e->chain = *b;
    *b = e;
    push_front(c, e);
    c->used += need;
    c->nents++;
}
