/*
 * httpd: workers, sockets, connection guard, replies and the access log
 * (see httpd.h).
 *
 * The connection guard.  libevent 2.1's evhttp reports neither accepted nor
 * closed connections, and its timeouts are inactivity timeouts, which a
 * client sending a byte every few seconds never trips.  So each worker
 * sweeps its event base every SWEEP_MS: every socket event there (other
 * than the listener's and our own) belongs to a live connection, keyed by
 * (fd, bufferevent).  A table carried from sweep to sweep remembers since
 * when each connection has owed us a request (accept, or the previous
 * request); past the deadline the socket is shut down, and evhttp, seeing
 * EOF, frees the connection itself.  The bufferevent pointer is only ever
 * compared, never dereferenced; shutdown() is only called on an fd seen
 * live in this thread's base during this very sweep.  New connections are
 * noticed through evhttp's bufferevent callback, so a new connection that
 * reuses an old one's fd and address is not mistaken for it.  The same
 * sweep counts open connections for the cap.
 */
#include "httpd.h"
#include "sok_clock.h"
#include "httperr.h"
#include "cache.h"
#include "gate.h"
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#define SWEEP_MS        250
#define RESUME_MS       100     /* pause of accept() after EMFILE */
#define DRAIN_GRACE_S   5
#define FRESH_MAX       1024
#define KILLS_MAX       256
#define MAX_HEADERS     (2 * SOK_GATE_HEAD_MAX)   /* never met: the gate
                                                    refuses first */

struct slot {
    evutil_socket_t fd;         /* -1: empty */
    const void *bev;            /* identity only */
    long long since_us;         /* owes a request since */
};

struct fresh {
    const void *bev;
    long long at_us;
};

struct sok_worker {
    struct sok_httpd *srv;
    unsigned idx;
    pthread_t thread;
    int started;
    evutil_socket_t lfd;        /* listening socket (owned by evhttp) */
    int wake_fd;                /* eventfd: shutdown request */
    int reserve_fd;             /* spare descriptor for EMFILE */
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct evconnlistener *listener;
    struct event *sweep_ev, *wake_ev, *resume_ev, *grace_ev, *done_ev;
    struct sok_gates *gates;    /* one on each connection (gate.h) */
    struct sok_metrics metrics;
    int done_fd;                /* eventfd: a search thread finished */
    pthread_mutex_t done_mu;
    struct sok_httpd_job *done;           /* finished jobs, for this loop to send */
    struct sok_httpd_job *pending;        /* at the search threads (this
                                             loop's list) */
    struct slot *tab[2];        /* current and next sweep's */
    size_t tabcap;              /* power of two */
    int cur;
    size_t nconns;              /* live at the last sweep */
    struct fresh fresh[FRESH_MAX];
    size_t nfresh;
    int fresh_overflow;
    unsigned inflight;          /* requests at the search threads and
                                   replies being written */
    _Atomic int draining;
};

/* A request on its way through the search threads (pool.h). */
struct sok_httpd_job {
    struct sok_pool_job pj;
    struct sok_req r;
    int status;                 /* 0: no reply was made */
    const char *reason;
    struct sok_httpd_job *next;           /* in the done list */
    struct sok_httpd_job *pnext, **pprev; /* in the pending list */
};

struct sok_httpd {
    struct sok_httpd_cfg cfg;
    char *db;
    size_t nworkers;
    struct sok_worker *workers;
    struct sok_metrics **metrics;   /* each worker's, for /metrics */
    struct sok_pool *pool;
    unsigned cap_per_thread;
    _Atomic(const struct sok_live *) live;  /* sok_httpd_set_live */
};

/* ------------------------------------------------------ connection guard */

static struct slot *slot_find(struct slot *t, size_t cap,
                              evutil_socket_t fd, int insert)
{
    size_t mask = cap - 1;
    for (size_t i = ((size_t)fd * 2654435761u) & mask, k = 0; k < cap;
         i = (i + 1) & mask, k++) {
        if (t[i].fd == fd)
            return &t[i];
        if (t[i].fd == -1)
            return insert ? &t[i] : NULL;
    }
    return NULL;
}

static long long fresh_since(struct sok_worker *w, const void *bev)
{
    for (size_t i = 0; i < w->nfresh; i++)
        if (w->fresh[i].bev == bev)
            return w->fresh[i].at_us;
    return -1;
}

struct sweep {
    struct sok_worker *w;
    struct slot *old, *nw;
    long long now, deadline_us;
    size_t n;
    evutil_socket_t kills[KILLS_MAX];
    size_t nkill;
};

static int sweep_event(const struct event_base *base, const struct event *e,
                       void *arg)
{
    struct sweep *s = arg;
    struct sok_worker *w = s->w;
    evutil_socket_t fd = event_get_fd(e);
    if (fd < 0 || fd == w->lfd || fd == w->wake_fd ||
        !(event_get_events(e) & (EV_READ | EV_WRITE)))
        return 0;
    const void *bev = event_get_callback_arg(e);
    sok_gates_seen(w->gates, bev);
    struct slot *sl = slot_find(s->nw, w->tabcap, fd, 1);
    if (sl != NULL && sl->fd == fd)
        return 0;               /* the other event of a counted one */
    s->n++;
    if (sl == NULL)
        return 0;               /* table full: counted, not timed */
    long long since = fresh_since(w, bev);
    if (since < 0) {
        const struct slot *o = slot_find(s->old, w->tabcap, fd, 0);
        since = (o != NULL && o->bev == bev && !w->fresh_overflow)
                    ? o->since_us : s->now;
    }
    *sl = (struct slot){ fd, bev, since };
    if (s->now - since > s->deadline_us && s->nkill < KILLS_MAX)
        s->kills[s->nkill++] = fd;
    return 0;
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    struct sok_worker *w = arg;
    struct sweep s;
    s.w = w;
    s.old = w->tab[w->cur];
    s.nw = w->tab[!w->cur];
    s.now = sok_clock_us();
    s.deadline_us = (long long)w->srv->cfg.timeout_s * 1000000;
    s.n = 0;
    s.nkill = 0;
    for (size_t i = 0; i < w->tabcap; i++)
        s.nw[i].fd = -1;
    event_base_foreach_event(w->base, sweep_event, &s);
    /* A connection hides its events while it is answered, which may take
     * a search thread a while: its gate must not be taken for gone. */
    for (const struct sok_httpd_job *j = w->pending; j != NULL; j = j->pnext) {
        struct evhttp_connection *c = evhttp_request_get_connection(j->r.ev);
        if (c != NULL)
            sok_gates_seen(w->gates, evhttp_connection_get_bufferevent(c));
    }
    /* Not from inside a request (what == 0): that connection's own events
     * are off while it is answered, and its gate must not go. */
    if (what != 0)
        sok_gates_reap(w->gates);
    w->cur = !w->cur;
    w->nconns = s.n;
    w->nfresh = 0;
    w->fresh_overflow = 0;
    atomic_store_explicit(&w->metrics.connections, s.n,
                          memory_order_relaxed);
    /* After the walk: shutdown() changes no event, but evhttp may react
     * to it only once we return to the loop. */
    for (size_t i = 0; i < s.nkill; i++)
        shutdown(s.kills[i], SHUT_RDWR);
    atomic_fetch_add_explicit(&w->metrics.deadline_closed, s.nkill,
                              memory_order_relaxed);
}

/* evhttp asks us for each new connection's bufferevent: the one moment a
 * connection's birth is visible, and where its gate (gate.h) goes on. */
static struct bufferevent *on_new_conn(struct event_base *base, void *arg)
{
    struct sok_worker *w = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1,
                                                     BEV_OPT_CLOSE_ON_FREE);
    if (bev != NULL && sok_gates_attach(w->gates, bev) != 0) {
        bufferevent_free(bev);      /* out of memory: evhttp makes one */
        return NULL;
    }
    if (bev != NULL && w->nfresh < FRESH_MAX)
        w->fresh[w->nfresh++] = (struct fresh){ bev, sok_clock_us() };
    else
        w->fresh_overflow = 1;
    return bev;
}

/* A request arrived on (fd, bev): its deadline starts over. */
static void guard_touch(struct sok_worker *w, struct evhttp_request *req,
                        long long now)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn)
                                   : NULL;
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    if (fd < 0)
        return;
    struct slot *sl = slot_find(w->tab[w->cur], w->tabcap, fd, 1);
    if (sl != NULL)
        *sl = (struct slot){ fd, bev, now };
}

/* ------------------------------------------------------------ accepting */

static __thread struct sok_worker *tl_worker;     /* this thread's */

/* The reply to a client met while out of descriptors, written straight to
 * its socket: the table's overload error, as JSON. */
static const char k_busy[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Retry-After: 1\r\nConnection: close\r\n"
    "Content-Length: %zu\r\n\r\n%s";

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct sok_worker *w = arg;
    if (w->listener != NULL && !w->draining)
        evconnlistener_enable(w->listener);
}

/* accept() failed.  Out of descriptors, the listening socket stays readable
 * and the loop would spin: answer one waiting client through the reserve
 * descriptor (so it hears "busy" instead of hanging), then stop accepting
 * for a moment while connections close. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
    /* arg is evhttp's own (the listener's user data): find ours through
     * the thread, which owns exactly one listener. */
    struct sok_worker *w = tl_worker;
    int e = EVUTIL_SOCKET_ERROR();
    atomic_fetch_add_explicit(&w->metrics.accept_errors, 1,
                              memory_order_relaxed);
    if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM)
        return;
    if (w->reserve_fd >= 0) {
        close(w->reserve_fd);
        int c = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) {
            struct sok_buf body = SOK_BUF_INIT;
            int brc = 0;
            sok_httperr_json(&body, SOK_EOVERLOAD, NULL, NULL, &brc);
            char msg[sizeof k_busy + 256];
            int n = brc ? 0 : snprintf(msg, sizeof msg, k_busy, body.n,
                                       body.p);
            sok_buf_free(&body);
            if (n < 0 || (size_t)n >= sizeof msg)
                n = 0;
            ssize_t rc = send(c, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)rc;
            close(c);
        }
        w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    evconnlistener_disable(l);
    struct timeval tv = { 0, RESUME_MS * 1000 };
    event_add(w->resume_ev, &tv);
}

/* -------------------------------------------------------------- replies */

static void on_complete(struct evhttp_request *req, void *arg)
{
    struct sok_worker *w = arg;
    if (w->inflight > 0)
        w->inflight--;
    if (w->draining && w->inflight == 0)
        event_base_loopbreak(w->base);
}

static void send_now(struct sok_worker *w, struct evhttp_request *req,
                     int status, const char *reason)
{
    /* A client gone while its search ran: evhttp has let go of the
     * request, and sending frees it. */
    if (evhttp_request_get_connection(req) != NULL) {
        w->inflight++;
        evhttp_request_set_on_complete_cb(req, on_complete, w);
    }
    evhttp_send_reply(req, status, reason, NULL);
}

void sok_httpd_send(struct sok_req *r, int status, const char *reason)
{
    if (r->job != NULL) {
        r->job->status = status;
        r->job->reason = reason;
    } else {
        send_now(r->w, r->ev, status, reason);
    }
}

int sok_httpd_draining(const struct sok_req *r)
{
    return atomic_load_explicit(&r->w->draining, memory_order_relaxed);
}

void sok_httpd_set_live(struct sok_httpd *h, const struct sok_live *live)
{
    atomic_store_explicit(&h->live, live, memory_order_release);
}

void sok_httpd_metrics(struct sok_req *r, struct sok_metrics *const **all,
                       size_t *n)
{
    *all = r->w->srv->metrics;
    *n = r->w->srv->nworkers;
}

/* On a search thread: the request's route, with that thread's engine. */
static void job_run(struct sok_pool_job *pj, const struct sok_pool_ctx *ctx)
{
    struct sok_httpd_job *j = (struct sok_httpd_job *)pj;
    j->r.engine = ctx->engine;
    j->r.cache = ctx->cache;
    j->r.scratch = ctx->scratch;
    sok_routes_dispatch(&j->r);
    if (!j->r.replied)          /* a handler bug; never leave a client */
        sok_reply_error(&j->r, SOK_EINTERNAL, NULL, NULL);
}

/* On a search thread: back to the loop that read the request, which alone
 * may touch its connection. */
static void job_done(struct sok_pool_job *pj, int ran)
{
    struct sok_httpd_job *j = (struct sok_httpd_job *)pj;
    struct sok_worker *w = j->r.w;
    if (!ran)
        j->status = 0;
    pthread_mutex_lock(&w->done_mu);
    j->next = w->done;
    w->done = j;
    pthread_mutex_unlock(&w->done_mu);
    uint64_t one = 1;
    ssize_t rc = write(w->done_fd, &one, sizeof one);
    (void)rc;
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
    struct sok_worker *w = arg;
    uint64_t v;
    ssize_t rc = read(fd, &v, sizeof v);
    (void)rc;
    pthread_mutex_lock(&w->done_mu);
    struct sok_httpd_job *j = w->done;
    w->done = NULL;
    pthread_mutex_unlock(&w->done_mu);
    while (j != NULL) {
        struct sok_httpd_job *next = j->next;
        w->inflight--;
        if (j->pnext != NULL)
            j->pnext->pprev = j->pprev;
        *j->pprev = j->pnext;
        if (j->status != 0)
            send_now(w, j->r.ev, j->status, j->reason);
        free(j);
        j = next;
    }
    if (w->draining && w->inflight == 0)
        event_base_loopbreak(w->base);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct sok_worker *w = arg;
    struct sok_req r;
    memset(&r, 0, sizeof r);
    r.w = w;
    r.cfg = &w->srv->cfg;
    r.ev = req;
    r.metrics = &w->metrics;
    r.live = atomic_load_explicit(&w->srv->live, memory_order_acquire);
    r.route = SOK_ROUTE_OTHER;
    r.head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
    r.t0_us = sok_clock_us();
    guard_touch(w, req, r.t0_us);

    /* The count since the last sweep overestimates when clients come and
     * go quickly (closed connections are only forgotten by a sweep):
     * recount before refusing anyone. */
    if (w->nconns + w->nfresh > w->srv->cap_per_thread)
        on_sweep(-1, 0, w);
    if (w->nconns + w->nfresh > w->srv->cap_per_thread) {
        atomic_fetch_add_explicit(&w->metrics.shed, 1, memory_order_relaxed);
        sok_reply_error(&r, SOK_EOVERLOAD, NULL, NULL);
        return;
    }
    int refused = sok_gate_refusal(req);
    if (refused != 0) {
        evhttp_add_header(evhttp_request_get_output_headers(req),
                          "Connection", "close");
        sok_reply_error(&r, refused, NULL, NULL);
        return;
    }
    struct sok_httpd_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        sok_reply_error(&r, SOK_ENOMEM, NULL, NULL);
        return;
    }
    j->r = r;
    j->r.job = j;
    j->pj.run = job_run;
    j->pj.done = job_done;
    w->inflight++;
    j->pnext = w->pending;
    j->pprev = &w->pending;
    if (w->pending != NULL)
        w->pending->pprev = &j->pnext;
    w->pending = j;
    sok_pool_submit(w->srv->pool, &j->pj);
}

/* ------------------------------------------------------------- shutdown */

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
    struct sok_worker *w = arg;
    event_base_loopbreak(w->base);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct sok_worker *w = arg;
    uint64_t v;
    ssize_t rc = read(fd, &v, sizeof v);
    (void)rc;
    if (w->draining)
        return;
    w->draining = 1;
    if (w->bound != NULL) {
        evhttp_del_accept_socket(w->http, w->bound);
        w->bound = NULL;
        w->listener = NULL;
    }
    if (w->inflight == 0) {
        event_base_loopbreak(w->base);
        return;
    }
    struct timeval tv = { DRAIN_GRACE_S, 0 };
    event_add(w->grace_ev, &tv);
}

static void *worker_main(void *arg)
{
    struct sok_worker *w = arg;
    tl_worker = w;
    event_base_dispatch(w->base);
    return NULL;
}

/* --------------------------------------------------------------- set-up */

/* Splits "host:port" / "[v6]:port" and resolves it for a passive socket. */
static int resolve(const char *listen, struct addrinfo **out,
                   struct sok_err *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || colon[1] == '\0')
        return sok_err_set(err, SOK_EINVAL,
                           "--listen %s: expected ADDR:PORT", listen);
    size_t hl = (size_t)(colon - listen);
    const char *h = listen;
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= sizeof host)
        return sok_err_set(err, SOK_EINVAL, "--listen: address too long");
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535)
        return sok_err_set(err, SOK_EINVAL, "--listen %s: bad port", listen);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host, colon + 1, &hints, out);
    if (rc != 0)
        return sok_err_set(err, SOK_EINVAL, "--listen %s: %s", listen,
                           gai_strerror(rc));
    return 0;
}

static int listen_socket(const struct addrinfo *ai,
                         struct sockaddr_storage *addr, socklen_t alen,
                         evutil_socket_t *out, struct sok_err *err)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    if (fd < 0)
        return sok_err_set(err, SOK_EIO, "socket: %s", strerror(errno));
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)addr, alen) != 0 || listen(fd, 1024)) {
        int e = errno;
        close(fd);
        return sok_err_set(err, SOK_EIO, "cannot listen: %s", strerror(e));
    }
    *out = fd;
    return 0;
}

static void addr_text(const struct sockaddr_storage *a, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)a;
        inet_ntop(AF_INET, &s->sin_addr, host, sizeof host);
        port = ntohs(s->sin_port);
        snprintf(buf, cap, "%s:%u", host, port);
    } else {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)a;
        inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof host);
        port = ntohs(s->sin6_port);
        snprintf(buf, cap, "[%s]:%u", host, port);
    }
}

static int worker_init(struct sok_httpd *srv, struct sok_worker *w,
                       evutil_socket_t lfd, struct sok_err *err)
{
    w->srv = srv;
    w->lfd = lfd;
    w->wake_fd = -1;
    w->done_fd = -1;
    pthread_mutex_init(&w->done_mu, NULL);
    w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    w->tabcap = 64;
    while (w->tabcap < 2 * (size_t)srv->cap_per_thread + 64)
        w->tabcap *= 2;
    for (int k = 0; k < 2; k++) {
        w->tab[k] = malloc(w->tabcap * sizeof *w->tab[k]);
        if (w->tab[k] == NULL) {
            close(lfd);
            return sok_err_set(err, SOK_ENOMEM, NULL);
        }
        for (size_t i = 0; i < w->tabcap; i++)
            w->tab[k][i].fd = -1;
    }
    if (sok_gates_new(&w->gates) != 0) {
        close(lfd);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }

    struct event_config *ec = event_config_new();
    if (ec != NULL)
        /* One thread per base: skip libevent's locking. */
        event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
    w->base = ec ? event_base_new_with_config(ec) : NULL;
    event_config_free(ec);
    w->http = w->base ? evhttp_new(w->base) : NULL;
    if (w->http == NULL) {
        close(lfd);
        return sok_err_set(err, SOK_ENOMEM, "cannot create event loop");
    }
    evhttp_set_timeout(w->http, (int)srv->cfg.timeout_s);
    evhttp_set_max_headers_size(w->http, MAX_HEADERS);
    evhttp_set_max_body_size(w->http, 0);
    /* Let every method reach our handler, which answers 405 in JSON
     * (evhttp's own refusal would be HTML without our headers). */
    evhttp_set_allowed_methods(w->http,
                               EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
                               EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                               EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                               EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
                               EVHTTP_REQ_PATCH);
    evhttp_set_gencb(w->http, on_request, w);
    evhttp_set_bevcb(w->http, on_new_conn, w);
    w->bound = evhttp_accept_socket_with_handle(w->http, lfd);
    if (w->bound == NULL) {
        close(lfd);
        return sok_err_set(err, SOK_EIO, "cannot accept on socket");
    }
    w->listener = evhttp_bound_socket_get_listener(w->bound);
    evconnlistener_set_error_cb(w->listener, on_accept_error);

    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->done_ev = w->done_fd >= 0 ? event_new(w->base, w->done_fd,
                                             EV_READ | EV_PERSIST, on_done, w)
                                 : NULL;
    w->sweep_ev = event_new(w->base, -1, EV_PERSIST, on_sweep, w);
    w->wake_ev = w->wake_fd >= 0 ? event_new(w->base, w->wake_fd,
                                             EV_READ | EV_PERSIST, on_wake, w)
                                 : NULL;
    w->resume_ev = evtimer_new(w->base, on_resume, w);
    w->grace_ev = evtimer_new(w->base, on_grace, w);
    struct timeval tv = { 0, SWEEP_MS * 1000 };
    if (w->sweep_ev == NULL || w->wake_ev == NULL || w->resume_ev == NULL ||
        w->grace_ev == NULL || w->done_ev == NULL ||
        event_add(w->sweep_ev, &tv) != 0 || event_add(w->wake_ev, NULL) != 0 ||
        event_add(w->done_ev, NULL) != 0)
        return sok_err_set(err, SOK_ENOMEM, "cannot create events");
    return 0;
}

static void worker_free(struct sok_worker *w)
{
    if (w->http != NULL)
        evhttp_free(w->http);   /* closes listener and connections */
    if (w->sweep_ev)
        event_free(w->sweep_ev);
    if (w->wake_ev)
        event_free(w->wake_ev);
    if (w->resume_ev)
        event_free(w->resume_ev);
    if (w->grace_ev)
        event_free(w->grace_ev);
    if (w->done_ev)
        event_free(w->done_ev);
    if (w->base != NULL)
        event_base_free(w->base);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    if (w->reserve_fd >= 0)
        close(w->reserve_fd);
    if (w->done_fd >= 0)
        close(w->done_fd);
    /* Searches finished after the loop stopped (its grace ran out). */
    while (w->done != NULL) {
        struct sok_httpd_job *next = w->done->next;
        free(w->done);
        w->done = next;
    }
    pthread_mutex_destroy(&w->done_mu);
    free(w->tab[0]);
    free(w->tab[1]);
    sok_gates_free(w->gates);
}

int sok_httpd_start(const struct sok_httpd_cfg *cfg, struct sok_httpd **out,
                    struct sok_err *err)
{
    *out = NULL;
    struct sok_httpd *h = calloc(1, sizeof *h);
    if (h == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    h->cfg = *cfg;
    h->db = strdup(cfg->db);
    h->workers = calloc(cfg->threads, sizeof *h->workers);
    h->metrics = calloc(cfg->threads, sizeof *h->metrics);
    h->cap_per_thread = (cfg->max_conns + cfg->threads - 1) / cfg->threads;
    if (h->db == NULL || h->workers == NULL || h->metrics == NULL) {
        sok_httpd_stop(h);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    h->cfg.db = h->db;
    h->cfg.listen = NULL;
    atomic_init(&h->live, cfg->live);

    /* The index was checked by the caller; should it vanish in between,
     * the engines reopen per request and answer 503 meanwhile. */
    int rc = sok_pool_new(cfg->threads, h->db, &cfg->engine,
                          cfg->cache_bytes / cfg->threads, &h->pool, err);
    if (rc != 0) {
        sok_httpd_stop(h);
        return rc;
    }
    struct addrinfo *ai = NULL;
    rc = resolve(cfg->listen, &ai, err);
    if (rc != 0) {
        sok_httpd_stop(h);
        return rc;
    }
    struct sockaddr_storage addr;
    socklen_t alen = (socklen_t)ai->ai_addrlen;
    memcpy(&addr, ai->ai_addr, ai->ai_addrlen);

    for (unsigned i = 0; i < cfg->threads && rc == 0; i++) {
        evutil_socket_t lfd = -1;
        rc = listen_socket(ai, &addr, alen, &lfd, err);
        if (rc != 0)
            break;
        if (i == 0) {
            /* Port 0: every other thread binds the port the first got. */
            socklen_t l = sizeof addr;
            getsockname(lfd, (struct sockaddr *)&addr, &l);
            alen = l;
        }
        struct sok_worker *w = &h->workers[i];
        w->idx = i;
        h->metrics[i] = &w->metrics;
        h->nworkers = i + 1;
        rc = worker_init(h, w, lfd, err);
    }
    freeaddrinfo(ai);
    for (size_t i = 0; rc == 0 && i < h->nworkers; i++) {
        if (pthread_create(&h->workers[i].thread, NULL, worker_main,
                           &h->workers[i]) != 0)
            rc = sok_err_set(err, SOK_EINTERNAL,
                             "cannot start a server thread");
        else
            h->workers[i].started = 1;
    }
    if (rc != 0) {
        sok_httpd_stop(h);
        return rc;
    }
    char text[INET6_ADDRSTRLEN + 16];
    addr_text(&addr, text, sizeof text);
    fprintf(stderr, "listening on %s (%u threads)\n", text, cfg->threads);
    *out = h;
    return 0;
}

void sok_httpd_stop(struct sok_httpd *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->nworkers; i++) {
        struct sok_worker *w = &h->workers[i];
        if (!w->started)
            continue;
        uint64_t one = 1;
        ssize_t rc = write(w->wake_fd, &one, sizeof one);
        (void)rc;
    }
    for (size_t i = 0; i < h->nworkers; i++)
        if (h->workers[i].started)
            pthread_join(h->workers[i].thread, NULL);
    /* Before the loops' memory goes: a search still running posts its
     * job back to its loop. */
    sok_pool_free(h->pool);
    for (size_t i = 0; i < h->nworkers; i++)
        worker_free(&h->workers[i]);
    free(h->workers);
    free(h->metrics);
    free(h->db);
    free(h);
}
