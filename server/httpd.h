/*
 * httpd: the evhttp glue.  N worker threads, each with its own event loop,
 * evhttp, listening socket (SO_REUSEPORT on one shared port, so the kernel
 * spreads connections and no lock is shared) and engine.  Around evhttp it
 * adds what a public server needs: a connection cap that sheds load with
 * 503, a per-request deadline that closes idle and dribbling connections,
 * survival of descriptor exhaustion, an access log, metrics, and a drain on
 * shutdown.  Routing and the handlers live in routes.c; a handler ends in
 * exactly one sok_reply*().
 */
#ifndef SOK_HTTPD_H
#define SOK_HTTPD_H

#include <stddef.h>
#include "sok_err.h"
#include "sok_buf.h"
#include "metrics.h"
#include "engine.h"
#include "staff.h"
#include "live.h"

struct sok_httpd_cfg {
    const char *db;             /* index directory */
    const char *listen;         /* "ADDR:PORT" or "[v6]:PORT"; port 0: any */
    unsigned threads;           /* >= 1 */
    unsigned max_conns;         /* open connections across all threads */
    unsigned timeout_s;         /* idle limit and per-request deadline */
    size_t cache_bytes;         /* response cache, all threads together;
                                   0: none (cache.h) */
    struct sok_engine_opts engine;  /* for every thread's engine */
    const char *base_path;      /* "" or "/sok": where the reverse proxy
                                   serves us; links carry it, and a request
                                   path may start with it */
    const char *public_url;     /* NULL, or the site's address of the
                                   search ("https://kommun.se/sok"), for
                                   opensearch.xml */
    int log_fd;                 /* where access-log lines go */
    const struct sok_live *live;    /* the first settings SIGHUP may
                                       change (live.h) */
};

struct sok_httpd;
struct sok_worker;
struct sok_httpd_job;
struct sok_cache;
struct evhttp_request;

/* Binds the sockets (SOK_EIO when it cannot), creates the workers and starts
 * them; prints "listening on ADDR:PORT" on stderr once connections are
 * accepted.  *out is freed by sok_httpd_stop(). */
int sok_httpd_start(const struct sok_httpd_cfg *cfg, struct sok_httpd **out,
                    struct sok_err *err);

/* Publishes live (which must outlive h and is never modified after) for
 * the requests from now on. */
void sok_httpd_set_live(struct sok_httpd *h, const struct sok_live *live);

/* Stops accepting, lets in-flight replies finish (at most a few seconds),
 * joins the workers and frees h.  h may be NULL. */
void sok_httpd_stop(struct sok_httpd *h);

/* ------------------------------------------------- for the handlers */

struct sok_req {
    struct sok_worker *w;       /* the loop that read it */
    struct sok_httpd_job *job;            /* httpd.c's, while at a search thread */
    const struct sok_httpd_cfg *cfg;    /* the server's, read-only */
    struct evhttp_request *ev;
    struct sok_engine *engine;  /* the search thread's (pool.h) */
    struct sok_cache *cache;    /* its too; NULL: caching is off */
    struct sok_buf *scratch;    /* its too, reused from request to
                                   request for building a body (reset
                                   before use; sok_reply copies it out) */
    struct sok_metrics *metrics;    /* this thread's */
    const struct sok_live *live;    /* the settings for this request */
    const char *path;           /* the request's path, less base_path */
    enum sok_route route;
    int head;                   /* HEAD: headers only */
    int cache_class;            /* SOK_CC_*: how long the reply may be
                                   reused (reply.c) */
    int replied;
    long long t0_us;
    uint64_t missing;           /* shards left out of the answer (shards.h),
                                   for the access log */
};

/* Cache-Control of a 200 reply: none (no-cache, the default), an answer
 * (a short max-age, with ETag), an embedded asset (a year, immutable: its
 * URL carries its hash). */
enum { SOK_CC_NONE, SOK_CC_ANSWER, SOK_CC_ASSET };

/* Sends the one reply of r: status, Content-Type, body (not sent for
 * HEAD, but its Content-Length is), plus the headers every response
 * carries; gzip when the client takes it, ETag and 304 for a 200 of
 * SOK_CC_ANSWER or SOK_CC_ASSET, CORS headers on /api/ for an allowed
 * origin.  ctype NULL: no body at all (204).  Logs and counts the request.
 * A second call is ignored. */
void sok_reply(struct sok_req *r, int status, const char *ctype,
               const char *body, size_t len);

/* For reply.c: sends r's reply, whose headers and body are in r->ev
 * (from a search thread, through the loop that read it; counted in flight
 * until evhttp has written it); whether the worker is draining. */
void sok_httpd_send(struct sok_req *r, int status, const char *reason);
int sok_httpd_draining(const struct sok_req *r);

/* The CORS headers of r's reply when r comes from an origin that
 * --cors-origin allows and asks for /api/: 1 when added (reply.c). */
int sok_reply_cors(struct sok_req *r);

/* A JSON error for code: httperr.h decides the status and the message (msg,
 * which may be NULL, is shown only for a client error); param may be
 * NULL. */
void sok_reply_error(struct sok_req *r, int code, const char *msg,
                     const char *param);

/* Every worker's metrics block, for /metrics. */
void sok_httpd_metrics(struct sok_req *r, struct sok_metrics *const **all,
                       size_t *n);

/* Implemented in routes.c: routes one request and replies. */
void sok_routes_dispatch(struct sok_req *r);

#endif /* SOK_HTTPD_H */
