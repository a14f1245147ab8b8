/*
 * cache: a bounded response cache for one worker thread, as search products
 * keep for their popular queries.  Each worker owns one (no lock, no shared
 * cache line); the key is the whole normalised request (route and every
 * search parameter, as parsed and bounded by params.c) and the entries are
 * tied to the engine's reader generation: when the reader moves to another
 * index revision (or is lost), every entry is dropped before the next
 * lookup, so an answer never outlives the revision it was computed on.
 * Least recently used entries are evicted to stay within the byte budget.
 *
 * A cached body is byte-identical to the one it was stored from, except the
 * JSON "took_ms" figure, which the caller rewrites to the time of the
 * request that is being answered (see sok_cache_ent.took_off).
 */
#ifndef SOK_CACHE_H
#define SOK_CACHE_H

#include <stddef.h>
#include "sok_err.h"
#include "search.h"

#define SOK_CACHE_MB_DEF   64       /* sok-server --cache-mb default */
#define SOK_CACHE_KEY_MAX  (SOK_PER_PAGE_MAX + 600)   /* q is <= 512 bytes */

struct sok_cache;

struct sok_cache_ent {
    const char *body;       /* borrowed from the cache: valid until the
                               next call into it */
    size_t len;
    size_t took_off;        /* where the took_ms number starts in body, and */
    size_t took_len;        /* its length; took_len 0: nothing to rewrite */
    unsigned tag;           /* the caller's, as stored (routes.c: whether
                               the answer found nothing) */
};

/* A cache holding at most cap bytes (entries, keys and bodies counted).
 * cap 0: *out is NULL, and every function below accepts a NULL cache and
 * does nothing (a lookup misses). */
int sok_cache_new(size_t cap, struct sok_cache **out, struct sok_err *err);

/* Frees c; c may be NULL. */
void sok_cache_free(struct sok_cache *c);

/* Drops every entry unless they were made under reader generation gen
 * (struct sok_engine.gen) and Xapian revision rev (sok_engine_xrev).
 * Called before each lookup.  (Both, because a search that meets
 * DatabaseModifiedError moves the reader on by itself, without a refresh.) */
void sok_cache_sync(struct sok_cache *c, unsigned long gen,
                    unsigned long rev);

/* The key of a search request on route (a letter: 'S' the JSON API, 'P' the
 * HTML page) into key (SOK_CACHE_KEY_MAX bytes); returns its length, 0 when
 * it does not fit (then the request is simply not cached). */
size_t sok_cache_key(char route, const struct sok_search_req *req,
                     char *key, size_t cap);

/* The entry for key, made most recently used; 0 and *out filled on a hit,
 * -1 on a miss. */
int sok_cache_get(struct sok_cache *c, const char *key, size_t klen,
                  struct sok_cache_ent *out);

/* Stores a copy of body under key (replacing an older entry), with the
 * caller's tag, evicting the least recently used entries to make room.  A
 * body larger than an eighth of the budget is not stored.  Failing to
 * store is not an error. */
void sok_cache_put(struct sok_cache *c, const char *key, size_t klen,
                   const char *body, size_t len, size_t took_off,
                   size_t took_len, unsigned tag);

#endif /* SOK_CACHE_H */
