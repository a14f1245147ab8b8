/*
 * pool: the search threads.  See pool.h.
 */
#include "pool.h"
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>

struct searcher {
    struct sok_pool *pool;
    pthread_t thread;
    int started;
    struct sok_engine *engine;
    struct sok_cache *cache;
    struct sok_buf scratch;
};

struct sok_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sok_pool_job *head, *tail;
    int stopping;
    unsigned n;
    struct searcher *s;
};

static struct sok_pool_job *take(struct sok_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->head == NULL && !p->stopping)
        pthread_cond_wait(&p->cv, &p->mu);
    struct sok_pool_job *j = p->stopping ? NULL : p->head;
    if (j != NULL) {
        p->head = j->next;
        if (p->head == NULL)
            p->tail = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    return j;
}

static void *searcher_main(void *arg)
{
    struct searcher *s = arg;
    struct sok_pool_ctx ctx = { s->engine, s->cache, &s->scratch };
    struct sok_pool_job *j;
    while ((j = take(s->pool)) != NULL) {
        j->run(j, &ctx);
        j->done(j, 1);
    }
    return NULL;
}

int sok_pool_new(unsigned nthreads, const char *db,
                 const struct sok_engine_opts *opts, size_t cache_bytes,
                 struct sok_pool **out, struct sok_err *err)
{
    *out = NULL;
    struct sok_pool *p = calloc(1, sizeof *p);
    struct searcher *s = p ? calloc(nthreads, sizeof *s) : NULL;
    if (s == NULL) {
        free(p);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->s = s;
    p->n = nthreads;
    int rc = 0;
    for (unsigned i = 0; i < nthreads && rc == 0; i++) {
        s[i].pool = p;
        s[i].scratch = (struct sok_buf)SOK_BUF_INIT;
        struct sok_err oerr = SOK_ERR_INIT;
        int erc = sok_engine_new(db, opts, &s[i].engine, &oerr);
        if (s[i].engine == NULL)
            rc = sok_err_set(err, erc, "%s", oerr.msg);
        else
            rc = sok_cache_new(cache_bytes, &s[i].cache, err);
    }
    for (unsigned i = 0; i < nthreads && rc == 0; i++) {
        if (pthread_create(&s[i].thread, NULL, searcher_main, &s[i]) != 0)
            rc = sok_err_set(err, SOK_EINTERNAL,
                             "cannot start a search thread");
        else
            s[i].started = 1;
    }
    if (rc != 0) {
        sok_pool_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void sok_pool_submit(struct sok_pool *p, struct sok_pool_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->tail != NULL)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void sok_pool_free(struct sok_pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n; i++)
        if (p->s[i].started)
            pthread_join(p->s[i].thread, NULL);
    struct sok_pool_job *j = p->head;
    while (j != NULL) {
        struct sok_pool_job *next = j->next;
        j->done(j, 0);
        j = next;
    }
    for (unsigned i = 0; i < p->n; i++) {
        sok_engine_free(p->s[i].engine);
        sok_cache_free(p->s[i].cache);
        sok_buf_free(&p->s[i].scratch);
    }
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->s);
    free(p);
}
