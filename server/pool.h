/*
 * pool: the search threads.
 *
 * A loop thread (httpd.c) reads requests and writes replies; what a
 * request asks of the index runs here, on whichever search thread is
 * free, with that thread's own engine, response cache and scratch buffer.
 * So a slow search (twenty wildcards, a query of death) holds up only its
 * own client: the other connections read by the same loop go on to the
 * other search threads, and a queue forms only when every one is busy.
 *
 * The caller owns each job: the pool runs it once (or, at shutdown, not at
 * all) and hands it back through its done callback, on a search thread.
 */
#ifndef SOK_POOL_H
#define SOK_POOL_H

#include "sok_buf.h"
#include "sok_err.h"
#include "engine.h"

#include <stddef.h>

struct sok_cache;
struct sok_pool;

/* What a job runs with: the search thread's own. */
struct sok_pool_ctx {
    struct sok_engine *engine;
    struct sok_cache *cache;    /* NULL: caching is off */
    struct sok_buf *scratch;
};

struct sok_pool_job {
    struct sok_pool_job *next;  /* the pool's */
    void (*run)(struct sok_pool_job *j, const struct sok_pool_ctx *ctx);
    /* Called once the job ran, or with ran 0 for a job the pool stopped
     * before running. */
    void (*done)(struct sok_pool_job *j, int ran);
};

/* Starts nthreads search threads, each with an engine over db (opened as
 * sok_engine_new does: a missing index is not an error, it answers 503
 * until it appears) and a response cache of cache_bytes (0: none). */
int sok_pool_new(unsigned nthreads, const char *db,
                 const struct sok_engine_opts *opts, size_t cache_bytes,
                 struct sok_pool **out, struct sok_err *err);

/* Queues j for the next free search thread. */
void sok_pool_submit(struct sok_pool *p, struct sok_pool_job *j);

/* Lets each thread finish the job it runs, hands back those never run
 * (done with ran 0), joins the threads and frees p.  p may be NULL. */
void sok_pool_free(struct sok_pool *p);

#endif /* SOK_POOL_H */
