/*
 * gate: request heads checked before evhttp reads them.  See gate.h.
 *
 * Each gate follows its connection's input as a stream: `consumed` counts
 * the bytes taken off the front of the buffer (by evhttp, which drains a
 * head line by line as lines arrive, even before the head is complete),
 * `pos` the bytes the gate has read, both from the connection's start, so
 * the gate knows where a line begins whatever evhttp has taken.  Every
 * complete line is judged the moment it arrives, before evhttp sees it;
 * so no line evhttp parses was left unjudged.
 */
#include "gate.h"
#include "sok_err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

/* Methods evhttp 2.1 parses; it refuses any other token in HTML.  Not
 * CONNECT, which the gate refuses (405) like an unknown method: evhttp
 * takes a CONNECT's answer for the start of a tunnel, so it sends the
 * 405 without a Content-Length and keeps the connection open, whatever
 * "Connection: close" says, until its timeout; a client reading to the
 * answer's end waits that long. */
static const char *const k_methods[] = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH",
};

/* The codes the gate refuses with, and the only ones sok_gate_refusal()
 * reports (a client asking for SOK_GATE_PATH itself gets no other). */
static const int k_refusals[] = {
    SOK_EURI, SOK_EHEADERS, SOK_EBODY, SOK_EREQUEST, SOK_EMETHOD,
};

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int sok_gate_request_line(const char *l, size_t n)
{
    size_t m = 0;
    while (m < n && l[m] >= 'A' && l[m] <= 'Z')
        m++;
    if (m == 0 || m >= n || l[m] != ' ')
        return SOK_EREQUEST;
    size_t t = m + 1, te = t;
    while (te < n && (unsigned char)l[te] > 0x20 && l[te] != 0x7f)
        te++;
    if (te == t || te >= n || l[te] != ' ' || n - te - 1 != 8 ||
        memcmp(l + te + 1, "HTTP/", 5) != 0 || !is_digit(l[te + 6]) ||
        l[te + 7] != '.' || !is_digit(l[te + 8]))
        return SOK_EREQUEST;
    size_t tl = te - t;
    int target = l[t] == '/' || (tl == 1 && l[t] == '*') ||
                 (tl > 7 && strncasecmp(l + t, "http://", 7) == 0) ||
                 (tl > 8 && strncasecmp(l + t, "https://", 8) == 0);
    if (!target)
        return SOK_EREQUEST;
    for (size_t k = 0; k < sizeof k_methods / sizeof k_methods[0]; k++)
        if (strlen(k_methods[k]) == m && memcmp(l, k_methods[k], m) == 0)
            return 0;
    return SOK_EMETHOD;
}

static int is_name(const char *l, size_t k, const char *name)
{
    return strlen(name) == k && strncasecmp(l, name, k) == 0;
}

int sok_gate_header_line(const char *l, size_t n, int *seen_length)
{
    size_t k = 0;
    while (k < n && is_tchar((unsigned char)l[k]))
        k++;
    if (k == 0 || k >= n || l[k] != ':')
        return SOK_EREQUEST;            /* also folding: a leading space */
    for (size_t i = k + 1; i < n; i++) {
        unsigned char c = (unsigned char)l[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return SOK_EREQUEST;
    }
    if (is_name(l, k, SOK_GATE_HEADER))
        return SOK_EREQUEST;            /* the gate's word, not a client's */
    if (is_name(l, k, "Transfer-Encoding"))
        return SOK_EBODY;
    if (!is_name(l, k, "Content-Length"))
        return 0;
    if ((*seen_length)++)
        return SOK_EREQUEST;            /* two lengths: which is true? */
    const char *v = l + k + 1;
    size_t vn = n - k - 1;
    while (vn > 0 && (*v == ' ' || *v == '\t'))
        v++, vn--;
    while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
    size_t d = 0;
    while (d < vn && is_digit(v[d]))
        d++;
    if (d == 0 || d != vn)
        return SOK_EREQUEST;
    while (vn > 1 && *v == '0')
        v++, vn--;
    return vn == 1 && *v == '0' ? 0 : SOK_EBODY;
}

/* ------------------------------------------------------------ one gate */

struct gate {
    struct evbuffer *in;        /* the socket's input; not owned */
    const void *bev;            /* its bufferevent, for the sweep */
    size_t consumed;            /* bytes taken off the front so far */
    size_t pos;                 /* bytes judged so far (>= consumed) */
    size_t head_start;          /* where the head being read began */
    int in_head;                /* its request line was read */
    int seen_length;
    int refused;                /* the rest of the connection is dropped */
    int busy;                   /* the gate itself changes the buffer */
    int missed;                 /* sweeps since one last met it */
};

/* Keeps the first keep bytes of g->in and drops the rest. */
static void keep_front(struct gate *g, size_t keep)
{
    struct evbuffer *tmp = keep ? evbuffer_new() : NULL;
    if (tmp != NULL)
        evbuffer_remove_buffer(g->in, tmp, keep);
    evbuffer_drain(g->in, evbuffer_get_length(g->in));
    if (tmp != NULL) {
        evbuffer_add_buffer(g->in, tmp);
        evbuffer_free(tmp);
    }
}

/* Takes the len bytes at g->pos out of the buffer; what follows them is
 * at g->pos then. */
static void drop_line(struct gate *g, size_t len)
{
    size_t front = g->pos - g->consumed;
    struct evbuffer *tmp = front ? evbuffer_new() : NULL;
    if (front && tmp == NULL) {
        g->pos += len;              /* out of memory: evhttp will refuse */
        return;
    }
    g->busy = 1;
    if (tmp != NULL)
        evbuffer_remove_buffer(g->in, tmp, front);
    evbuffer_drain(g->in, len);
    if (tmp != NULL) {
        evbuffer_prepend_buffer(g->in, tmp);
        evbuffer_free(tmp);
    }
    g->busy = 0;
}

/* Replaces the line at g->pos and everything after it. */
static void refuse(struct gate *g, int code)
{
    char m[96];
    if (g->in_head)
        snprintf(m, sizeof m, SOK_GATE_HEADER ": %d\r\nConnection: close"
                              "\r\n\r\n", -code);
    else
        snprintf(m, sizeof m, "GET " SOK_GATE_PATH "%d HTTP/1.1\r\n"
                              "Connection: close\r\n\r\n", -code);
    g->busy = 1;
    keep_front(g, g->pos - g->consumed);
    evbuffer_add(g->in, m, strlen(m));
    g->busy = 0;
    g->refused = 1;
}

/* Judges every line that is complete, and refuses a line that already
 * passed its limit without being complete. */
static void judge(struct gate *g)
{
    char line[SOK_GATE_HEAD_MAX + 2];
    for (;;) {
        size_t end = g->consumed + evbuffer_get_length(g->in);
        if (g->pos >= end)
            return;
        struct evbuffer_ptr at, nl;
        if (evbuffer_ptr_set(g->in, &at, g->pos - g->consumed,
                             EVBUFFER_PTR_SET) != 0)
            return;
        nl = evbuffer_search(g->in, "\n", 1, &at);
        size_t lend = nl.pos < 0 ? end : g->consumed + (size_t)nl.pos;
        size_t n = lend - g->pos;
        if (n > (g->in_head ? SOK_GATE_HEAD_MAX : SOK_GATE_LINE_MAX) ||
            (g->in_head && lend - g->head_start > SOK_GATE_HEAD_MAX)) {
            refuse(g, g->in_head ? SOK_EHEADERS : SOK_EURI);
            return;
        }
        if (nl.pos < 0)
            return;                     /* the line is not complete yet */
        evbuffer_copyout_from(g->in, &at, line, n);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        int code = 0;
        if (!g->in_head && n == 0) {
            /* A blank line before a request: dropped, as RFC 9112
             * allows (evhttp would refuse it). */
            drop_line(g, lend + 1 - g->pos);
            continue;
        }
        if (!g->in_head) {
            code = n == 0 ? SOK_EREQUEST : sok_gate_request_line(line, n);
            g->in_head = code == 0;
            g->head_start = g->pos;
            g->seen_length = 0;
        } else if (n == 0) {
            g->in_head = 0;             /* the head is whole and good */
        } else {
            code = sok_gate_header_line(line, n, &g->seen_length);
        }
        if (code != 0) {
            refuse(g, code);
            return;
        }
        g->pos = lend + 1;
    }
}

static void on_input(struct evbuffer *in, const struct evbuffer_cb_info *info,
                     void *arg)
{
    struct gate *g = arg;
    if (g->busy)
        return;
    g->consumed += info->n_deleted;
    if (g->pos < g->consumed)
        g->pos = g->consumed;
    if (info->n_added == 0)
        return;
    if (g->refused) {
        /* Nothing after a refusal reaches evhttp. */
        g->busy = 1;
        keep_front(g, evbuffer_get_length(in) - info->n_added);
        g->busy = 0;
        return;
    }
    judge(g);
}

/* ------------------------------------------------- a worker's gates */

struct sok_gates {
    struct gate **v;            /* every gate, owned */
    size_t n, cap;
    struct gate **hash;         /* by bufferevent; NULL: empty slot */
    size_t hcap;                /* a power of two, > 2 * n */
};

static size_t slot_of(const struct sok_gates *gs, const void *bev)
{
    size_t h = (size_t)((uintptr_t)bev >> 4) * 2654435761u;
    size_t mask = gs->hcap - 1, i = h & mask;
    while (gs->hash[i] != NULL && gs->hash[i]->bev != bev)
        i = (i + 1) & mask;
    return i;
}

/* Files every live gate of v in the hash anew, in place. */
static void refile(struct sok_gates *gs)
{
    memset(gs->hash, 0, gs->hcap * sizeof *gs->hash);
    for (size_t i = 0; i < gs->n; i++)
        if (gs->v[i]->bev != NULL)
            gs->hash[slot_of(gs, gs->v[i]->bev)] = gs->v[i];
}

/* A hash of hcap slots for the gates in v. */
static int rehash(struct sok_gates *gs, size_t hcap)
{
    struct gate **h = calloc(hcap, sizeof *h);
    if (h == NULL)
        return SOK_ENOMEM;
    free(gs->hash);
    gs->hash = h;
    gs->hcap = hcap;
    refile(gs);
    return 0;
}

int sok_gates_new(struct sok_gates **out)
{
    struct sok_gates *gs = calloc(1, sizeof *gs);
    if (gs == NULL || rehash(gs, 64) != 0) {
        free(gs);
        *out = NULL;
        return SOK_ENOMEM;
    }
    *out = gs;
    return 0;
}

void sok_gates_free(struct sok_gates *gs)
{
    if (gs == NULL)
        return;
    for (size_t i = 0; i < gs->n; i++)
        free(gs->v[i]);
    free(gs->v);
    free(gs->hash);
    free(gs);
}

int sok_gates_attach(struct sok_gates *gs, struct bufferevent *bev)
{
    /* A gate already filed under this address belongs to a connection
     * that is gone: the allocator handed its bufferevent's memory out
     * again.  Its buffer went with it, so its gate is simply forgotten. */
    size_t s = slot_of(gs, bev);
    if (gs->hash[s] != NULL) {
        gs->hash[s]->bev = NULL;        /* freed by the next reap */
        refile(gs);
    }
    if (gs->n == gs->cap) {
        size_t cap = gs->cap ? gs->cap * 2 : 64;
        struct gate **v = realloc(gs->v, cap * sizeof *v);
        if (v == NULL)
            return SOK_ENOMEM;
        gs->v = v;
        gs->cap = cap;
    }
    if (2 * (gs->n + 1) >= gs->hcap && rehash(gs, gs->hcap * 2) != 0)
        return SOK_ENOMEM;
    struct gate *g = calloc(1, sizeof *g);
    if (g == NULL)
        return SOK_ENOMEM;
    g->in = bufferevent_get_input(bev);
    g->bev = bev;
    g->missed = 0;
    if (evbuffer_add_cb(g->in, on_input, g) == NULL) {
        free(g);
        return SOK_ENOMEM;
    }
    gs->v[gs->n++] = g;
    gs->hash[slot_of(gs, bev)] = g;
    return 0;
}

void sok_gates_seen(struct sok_gates *gs, const void *bev)
{
    struct gate *g = gs->hash[slot_of(gs, bev)];
    if (g != NULL)
        g->missed = -1;
}

void sok_gates_reap(struct sok_gates *gs)
{
    size_t k = 0;
    for (size_t i = 0; i < gs->n; i++) {
        struct gate *g = gs->v[i];
        /* Two sweeps in a row that did not meet it: a connection hides
         * its events only while it is being answered, far shorter. */
        if (g->bev != NULL && ++g->missed < 2) {
            gs->v[k++] = g;
        } else {
            free(g);
        }
    }
    gs->n = k;
    refile(gs);
}

int sok_gate_refusal(struct evhttp_request *req)
{
    const char *uri = evhttp_request_get_uri(req);
    const char *v = NULL;
    if (uri != NULL && strncmp(uri, SOK_GATE_PATH, strlen(SOK_GATE_PATH)) == 0)
        v = uri + strlen(SOK_GATE_PATH);
    else
        v = evhttp_find_header(evhttp_request_get_input_headers(req),
                               SOK_GATE_HEADER);
    if (v == NULL)
        return 0;
    int code = -atoi(v);
    for (size_t i = 0; i < sizeof k_refusals / sizeof k_refusals[0]; i++)
        if (code == k_refusals[i])
            return code;
    return 0;
}
