/*
 * routes: one handler per route.  Each checks what it needs, parses and
 * bounds every parameter (params.c), calls the search logic (search.h),
 * renders (render.c) and ends in exactly one sok_reply*().  Index failures
 * are 503 with a generic message: the details (paths, Xapian's words) are
 * for the operator's log, not for clients.  A search that finds nothing
 * is counted (sok_search_zero_hits_total) and noted for staff
 * (zerolog.h), whether it was computed or answered from the cache.
 */
#include "httpd.h"
#include "shards.h"
#include "httperr.h"
#include "cache.h"
#include "params.h"
#include "query.h"
#include "render.h"
#include "search.h"
#include "snippet.h"
#include "sok_clock.h"
#include "suggest.h"
#include "vocab.h"
#include "web.h"
#include "zerolog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define CT_JSON "application/json; charset=utf-8"
#define CT_HTML "text/html; charset=utf-8"
#define CT_PROM "text/plain; version=0.0.4; charset=utf-8"
#define SV_NO_SECTION "Avsnittet finns inte."
/* /doc/<id> shows at most this much of a section's text: twice what
 * sok-index stores in one (SOK_SECTION_MAX), so only a record of an older
 * index, whose sections had no bound, is cut. */
#define DOC_TEXT_MAX (128u * 1024)
#define SV_DOC_CUT "<p class=\"cut\">Texten är avkortad här: avsnittet är " \
                   "för långt för att visas helt.</p>\n"
#define NO_ROUTE "no such route"
#define SCRATCH_KEEP (1u << 20)     /* a bigger scratch buffer is freed */
#ifndef SOK_VERSION
#define SOK_VERSION "unknown"
#endif
#define TAG_ZERO 1u                 /* a cached answer that found nothing */

/* Brings the engine up to date: its reader, and its view of the staff's
 * vocabulary (which also notices, at most once a second, that a file
 * changed).  A failure is not answered here: handlers validate the request
 * first (a bad request is a 400 even while the index is away) and then
 * meet SOK_ENODB from the search layer. */
static void refresh(struct sok_req *r)
{
    struct sok_err err = SOK_ERR_INIT;
    sok_vocab_view(r->engine);
    if (sok_engine_refresh(r->engine, &err) != 0) {
        static __thread int last_code;
        /* Say it once per change of state, not once per request. */
        if (err.code != last_code)
            fprintf(stderr, "sok-server: index unavailable: %s\n", err.msg);
        last_code = err.code;
    }
}

static void reply_buf(struct sok_req *r, int status, const char *ctype,
                      struct sok_buf *b, int rc)
{
    if (rc != 0)
        sok_reply_error(r, rc, NULL, NULL);
    else
        sok_reply(r, status, ctype, b->p ? b->p : "", b->n);
}

/* An error page for code; msg (Swedish, for a reader) NULL: the table's
 * text for code and param. */
static void reply_html_error(struct sok_req *r, int code, const char *msg,
                             const char *param)
{
    int status = sok_httperr_lookup(code)->status;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_render_error_html(&b, status,
                          msg ? msg : sok_httperr_sv(code, param), &rc);
    reply_buf(r, status, CT_HTML, &b, rc);
    sok_buf_free(&b);
}

/* ------------------------------------------------------------- cache */

/* A search's place in the response cache: the key, and the reader state it
 * was looked up under (an answer is only stored when the reader did not
 * move while it was computed). */

/* What cached answers are tied to besides the index revision: the
 * reader's generation and the vocabulary's, so an answer made with
 * yesterday's synonyms or best bets is not served once the files changed.
 * Both only grow, so their sum changes whenever either does. */
static unsigned long cache_gen(const struct sok_req *r)
{
    return r->engine->gen + sok_vocab_gen(&r->engine->vocab);
}

struct cached {
    char key[SOK_CACHE_KEY_MAX];
    size_t klen;                /* 0: not cached */
    unsigned long gen, rev;
};

/* A search req that found nothing: counted, and noted for staff unless a
 * filter narrowed it (then the filter, not the words, may be why). */
static void zero_hits(struct sok_req *r, const struct sok_search_req *req)
{
    atomic_fetch_add_explicit(&r->metrics->zero_hits, 1,
                              memory_order_relaxed);
    if (req->types == 0 && req->from[0] == '\0' && req->to[0] == '\0')
        sok_zerolog_note(r->engine->opts.zerolog, req->q, req->qlen,
                         time(NULL));
}

static void set_cache_header(struct sok_req *r, const char *v)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->ev), "X-Cache",
                      v);
}

/* Looks req up (route 'S' or 'P'); answers r and returns 1 on a hit.  The
 * engine has been refreshed. */
static int cache_lookup(struct sok_req *r, char route,
                        const struct sok_search_req *req, const char *ctype,
                        struct cached *c)
{
    c->klen = 0;
    if (r->cache == NULL)
        return 0;
    c->gen = cache_gen(r);
    c->rev = sok_engine_xrev(r->engine);
    sok_cache_sync(r->cache, c->gen, c->rev);
    c->klen = sok_cache_key(route, req, c->key, sizeof c->key);
    struct sok_cache_ent ce;
    if (sok_cache_get(r->cache, c->key, c->klen, &ce) != 0) {
        atomic_fetch_add_explicit(&r->metrics->cache_misses, 1,
                                  memory_order_relaxed);
        return 0;
    }
    atomic_fetch_add_explicit(&r->metrics->cache_hits, 1,
                              memory_order_relaxed);
    if (ce.tag & TAG_ZERO)
        zero_hits(r, req);
    set_cache_header(r, "hit");
    if (ce.took_len == 0) {
        sok_reply(r, 200, ctype, ce.body, ce.len);
        return 1;
    }
    /* took_ms says how long this request took, not the one that filled
     * the cache. */
    long long now = sok_clock_us();
    struct sok_buf *b = r->scratch;
    int rc = 0;
    sok_buf_reset(b);
    sok_buf_append(b, ce.body, ce.took_off, &rc);
    sok_buf_printf(b, &rc, "%.3f", (double)(now - r->t0_us) / 1e3);
    sok_buf_append(b, ce.body + ce.took_off + ce.took_len,
                   ce.len - ce.took_off - ce.took_len, &rc);
    if (rc != 0)
        sok_reply_error(r, rc, NULL, NULL);
    else
        sok_reply(r, 200, ctype, b->p, b->n);
    return 1;
}

/* Stores the 200 body b of a search looked up under c, which found
 * total hits. */
static void cache_store(struct sok_req *r, const struct cached *c,
                        const struct sok_buf *b, int json,
                        unsigned long total)
{
    if (r->cache == NULL || c->klen == 0 || b->p == NULL ||
        c->gen != cache_gen(r) || c->rev != sok_engine_xrev(r->engine))
        return;
    size_t off = 0, len = 0;
    if (json) {
        static const char k[] = ",\"took_ms\":";
        /* The first match is the field: before it there is only the query
         * as a JSON string, where every '"' is escaped. */
        const char *at = memmem(b->p, b->n, k, sizeof k - 1);
        if (at == NULL)
            return;
        off = (size_t)(at - b->p) + sizeof k - 1;
        len = strspn(b->p + off, "0123456789.-");
    }
    sok_cache_put(r->cache, c->key, c->klen, b->p, b->n, off, len,
                  total == 0 ? TAG_ZERO : 0);
}

/* The thread's scratch buffer, empty, for one body. */
static struct sok_buf *scratch(struct sok_req *r)
{
    if (r->scratch->cap > SCRATCH_KEEP)
        sok_buf_free(r->scratch);
    sok_buf_reset(r->scratch);
    return r->scratch;
}

/* --------------------------------------------------------------- API */

static void api_search(struct sok_req *r, const char *qs)
{
    struct sok_params p = SOK_PARAMS_INIT;
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *param = NULL;
    struct cached c;
    int rc = sok_params_parse(qs, &p, &param, &err);
    if (rc == 0)
        rc = sok_params_search(&p, &req, &param, &err);
    if (rc == 0) {
        refresh(r);
        if (cache_lookup(r, 'S', &req, CT_JSON, &c))
            goto out;
        rc = sok_search_run(r->engine, &req, &res, &err);
        param = rc == SOK_EQUERY || rc == SOK_ETOOBIG ? "q" : NULL;
        if (rc == 0 && res.total == 0)
            zero_hits(r, &req);
    }
    if (rc != 0) {
        sok_reply_error(r, rc, err.msg, param);
    } else {
        struct sok_buf *b = scratch(r);
        int brc = 0;
        sok_render_search_json(b, &req, &res, &brc);
        r->missing = res.missing;
        /* A partial answer is not kept: the shard may be back next time. */
        if (brc == 0 && res.missing == 0)
            cache_store(r, &c, b, 1, res.total);
        if (r->cache != NULL)
            set_cache_header(r, "miss");
        reply_buf(r, 200, CT_JSON, b, brc);
    }
out:
    sok_search_res_free(&res);
    sok_params_free(&p);
}

static void api_suggest(struct sok_req *r, const char *qs)
{
    struct sok_params p = SOK_PARAMS_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *param = NULL;
    const struct sok_param *q = NULL;
    json_t *list = NULL;
    int rc = sok_params_parse(qs, &p, &param, &err);
    if (rc == 0)
        rc = sok_params_q(&p, 1, &q, &param, &err);
    if (rc == 0) {
        refresh(r);
        rc = sok_suggest_run(r->engine, q->val, q->vlen, &list, &err);
    }
    if (rc != 0) {
        sok_reply_error(r, rc, err.msg, param ? param : "q");
    } else {
        struct sok_buf b = SOK_BUF_INIT;
        int brc = 0;
        sok_render_suggest_json(&b, list, &brc);
        reply_buf(r, 200, CT_JSON, &b, brc);
        sok_buf_free(&b);
    }
    json_decref(list);
    sok_params_free(&p);
}

/* The index's state for /healthz and /metrics (after a refresh). */
static void index_info(struct sok_req *r, struct sok_index_info *ix,
                       int *code)
{
    struct sok_err err = SOK_ERR_INIT;
    memset(ix, 0, sizeof *ix);
    refresh(r);
    *code = sok_engine_stats(r->engine, &ix->docs, &ix->revision, &err);
    ix->up = *code == 0;
    ix->committed = sok_metrics_commit_time(r->cfg->db);
}

/* /healthz with --shards: as without, plus each shard's state, and
 * "degraded" while some shard is down (still 200: the others answer). */
static void shards_health(struct sok_req *r, const struct sok_index_info *ix,
                          const char *when, double age)
{
    const struct sok_shards *sh = r->cfg->engine.shards;
    struct sok_buf *b = scratch(r);
    int brc = 0, down = 0;
    for (size_t i = 0; i < sok_shards_count(sh); i++)
        down += !sok_shards_up(sh, i, NULL);
    sok_buf_printf(b, &brc, "{\"status\":\"%s\",\"docs\":%lu,"
                   "\"revision\":%lu,\"committed\":%s,\"age_seconds\":%.0f,"
                   "\"version\":\"%s\",\"shards\":[",
                   down ? "degraded" : "ok", ix->docs, ix->revision, when,
                   age < 0 ? 0 : age, SOK_VERSION);
    for (size_t i = 0; i < sok_shards_count(sh); i++) {
        double since = 0;
        int up = sok_shards_up(sh, i, &since);
        sok_buf_puts(b, i ? ",{\"name\":" : "{\"name\":", &brc);
        sok_buf_json_qstr(b, sok_shards_name(sh, i), &brc);
        sok_buf_printf(b, &brc, ",\"state\":\"%s\",\"since_seconds\":%.0f}",
                       up ? "up" : "down", (double)time(NULL) - since);
    }
    sok_buf_puts(b, "]}\n", &brc);
    reply_buf(r, 200, CT_JSON, b, brc);
}

static void healthz(struct sok_req *r)
{
    struct sok_index_info ix;
    int rc = 0;
    index_info(r, &ix, &rc);
    char body[512], when[40] = "null";
    double age = 0;
    if (ix.committed > 0) {
        time_t t = (time_t)ix.committed;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
        age = (double)time(NULL) - ix.committed;
    }
    int n;
    const struct sok_shards *sh = r->cfg->engine.shards;
    if (rc == 0 && sh != NULL) {
        shards_health(r, &ix, when, age);
        return;
    }
    if (rc == 0)
        n = snprintf(body, sizeof body,
                     "{\"status\":\"ok\",\"docs\":%lu,\"revision\":%lu,"
                     "\"committed\":%s,\"age_seconds\":%.0f,"
                     "\"version\":\"%s\"}\n", ix.docs, ix.revision, when,
                     age < 0 ? 0 : age, SOK_VERSION);
    else
        n = snprintf(body, sizeof body,
                     "{\"status\":\"unavailable\",\"error\":{\"code\":"
                     "\"%s\",\"message\":\"%s\"},\"version\":\"%s\"}\n",
                     sok_httperr_lookup(rc)->name,
                     sok_httperr_message(rc, NULL), SOK_VERSION);
    sok_reply(r, rc == 0 ? 200 : sok_httperr_lookup(rc)->status, CT_JSON,
              body, (size_t)n);
}

static void metrics(struct sok_req *r)
{
    struct sok_index_info ix;
    int code = 0;
    index_info(r, &ix, &code);
    struct sok_metrics *const *all;
    size_t n;
    sok_httpd_metrics(r, &all, &n);
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_metrics_render(&b, all, n, &ix, &rc);
    const struct sok_shards *sh = r->cfg->engine.shards;
    if (sh != NULL)
        sok_buf_puts(&b, "# HELP sok_shard_up Whether the shard answers (--shards).\n"
                     "# TYPE sok_shard_up gauge\n", &rc);
    for (size_t i = 0; sh != NULL && i < sok_shards_count(sh); i++) {
        sok_buf_puts(&b, "sok_shard_up{shard=\"", &rc);
        for (const char *c = sok_shards_name(sh, i); *c; c++) {
            if (*c == '"' || *c == '\\')
                sok_buf_putc(&b, '\\', &rc);
            sok_buf_putc(&b, *c == '\n' ? ' ' : *c, &rc);
        }
        sok_buf_printf(&b, &rc, "\"} %d\n", sok_shards_up(sh, i, NULL));
    }
    reply_buf(r, 200, CT_PROM, &b, rc);
    sok_buf_free(&b);
}

/* -------------------------------------------------------------- HTML */

/* q given once and empty: on the page that is an empty search box. */
static void page(struct sok_req *r, const char *qs)
{
    struct sok_params p = SOK_PARAMS_INIT;
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *param = NULL;
    const struct sok_param *q = NULL;
    struct sok_buf *b = scratch(r);
    struct cached c;
    int brc = 0, status = 200;

    int rc = sok_params_parse(qs, &p, &param, &err);
    if (rc == 0)
        rc = sok_params_q(&p, 0, &q, &param, &err);
    if (rc == 0 && (q == NULL || q->vlen == 0)) {
        /* The front page, or the form sent with an empty box: "*" is
         * how a reader asks for the newest sections. */
        sok_render_page_html(b, NULL, NULL, NULL, &brc);  /* the form */
    } else {
        if (rc == 0)
            rc = sok_params_search(&p, &req, &param, &err);
        if (rc == 0) {
            refresh(r);
            if (cache_lookup(r, 'P', &req, CT_HTML, &c))
                goto out;
            rc = sok_search_run(r->engine, &req, &res, &err);
            if (rc == 0 && res.total == 0)
                zero_hits(r, &req);
        }
        if (rc != 0) {
            status = sok_httperr_lookup(rc)->status;
            if (rc == SOK_EQUERY || rc == SOK_ETOOBIG)
                param = "q";
            sok_render_page_html(b, req.q ? &req : NULL, NULL,
                                 sok_httperr_sv(rc, param), &brc);
        } else {
            sok_render_page_html(b, &req, &res, NULL, &brc);
            r->missing = res.missing;
            if (brc == 0 && res.missing == 0)
                cache_store(r, &c, b, 0, res.total);
            if (r->cache != NULL)
                set_cache_header(r, "miss");
        }
    }
    reply_buf(r, status, CT_HTML, b, brc);
out:
    sok_search_res_free(&res);
    sok_params_free(&p);
}

/* A section id: exactly 16 lower-case hex digits. */
static int valid_id(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++)
        if (!((id[n] >= '0' && id[n] <= '9') ||
              (id[n] >= 'a' && id[n] <= 'f')))
            return 0;
    return n == 16;
}

static void doc(struct sok_req *r, const char *id, const char *qs)
{
    struct sok_params p = SOK_PARAMS_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *param = NULL;
    const struct sok_param *q = NULL;
    json_t *d = NULL;
    struct sok_hl *hl = NULL;
    struct sok_buf body = SOK_BUF_INIT, b = SOK_BUF_INIT;
    int brc = 0;

    if (!valid_id(id)) {
        reply_html_error(r, SOK_ENOTFOUND, SV_NO_SECTION, NULL);
        return;
    }
    int rc = sok_params_parse(qs, &p, &param, &err);
    if (rc == 0)
        rc = sok_params_q(&p, 0, &q, &param, &err);
    if (rc != 0) {
        reply_html_error(r, rc, NULL, param);
        goto out;
    }
    refresh(r);
    rc = sok_engine_section(r->engine, id, &d, &err);
    if (rc != 0) {
        reply_html_error(r, rc, rc == SOK_ENOTFOUND ? SV_NO_SECTION : NULL,
                         NULL);
        goto out;
    }
    hl = calloc(1, sizeof *hl);
    if (hl == NULL) {
        reply_html_error(r, SOK_ENOMEM, NULL, NULL);
        goto out;
    }
    if (q != NULL) {
        /* A query that does not parse only loses its highlighting. */
        struct sok_err ignore = SOK_ERR_INIT;
        if (sok_search_highlights(r->engine, q->val, q->vlen, hl,
                                  &ignore) != 0)
            hl->n = 0;
    }
    json_t *text = json_object_get(d, "text");
    const char *tv = json_is_string(text) ? json_string_value(text) : "";
    size_t tn = json_is_string(text) ? json_string_length(text) : 0;
    size_t shown = sok_utf8_floor(tv, tn, DOC_TEXT_MAX);
    rc = sok_highlight_html(r->engine->an, hl, tv, shown, &body, &err);
    if (rc != 0) {
        reply_html_error(r, rc, NULL, NULL);
        goto out;
    }
    if (shown < tn)
        sok_buf_puts(&body, SV_DOC_CUT, &brc);
    sok_render_doc_html(&b, d, body.p ? body.p : "", q ? q->val : NULL,
                        &brc);
    reply_buf(r, 200, CT_HTML, &b, brc);
out:
    free(hl);
    json_decref(d);
    sok_buf_free(&body);
    sok_buf_free(&b);
    sok_params_free(&p);
}

/* ------------------------------------------------------------- staff */

/* Whether r comes from staff: straight from an address the allow list
 * holds, not through a proxy (behind the site's reverse proxy everyone
 * has the proxy's address, loopback; staff.h). */
static int from_staff(struct sok_req *r)
{
    struct evkeyvalq *h = evhttp_request_get_input_headers(r->ev);
    if (evhttp_find_header(h, "Forwarded") != NULL ||
        evhttp_find_header(h, "X-Forwarded-For") != NULL ||
        evhttp_find_header(h, "X-Real-IP") != NULL)
        return 0;
    struct evhttp_connection *c = evhttp_request_get_connection(r->ev);
    return c != NULL &&
           sok_acl_allows(&r->live->staff_allow, evhttp_connection_get_addr(c));
}

/* The optional limit parameter (1..SOK_ZEROLOG_ENTRIES), into *limit. */
static int staff_limit(const struct sok_params *p, size_t *limit,
                       const char **param, struct sok_err *err)
{
    const struct sok_param *v = NULL;
    *limit = SOK_STAFF_LIMIT_DEF;
    int rc = sok_params_one(p, "limit", &v, param, err);
    if (rc != 0 || v == NULL)
        return rc;
    char *end = NULL;
    unsigned long n = v->val[0] >= '0' && v->val[0] <= '9'
                          ? strtoul(v->val, &end, 10) : 0;
    if (end == NULL || *end != '\0' || n < 1 || n > SOK_ZEROLOG_ENTRIES) {
        *param = "limit";
        return sok_err_set(err, SOK_ERANGE, "limit must be a number from 1 "
                           "to %d", SOK_ZEROLOG_ENTRIES);
    }
    *limit = (size_t)n;
    return 0;
}

/* GET /staff/zero-hits (JSON) and /staff/ (html): the searches of the
 * last days that found nothing, most frequent first. */
static void staff(struct sok_req *r, const char *qs, int html)
{
    struct sok_params p = SOK_PARAMS_INIT;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_zerolog_row *rows = NULL;
    const char *param = NULL;
    size_t n = 0, limit = 0;
    int rc = from_staff(r) ? 0 : SOK_EFORBIDDEN;
    if (rc == 0)
        rc = sok_params_parse(qs, &p, &param, &err);
    if (rc == 0)
        rc = staff_limit(&p, &limit, &param, &err);
    if (rc == 0)
        rc = sok_zerolog_top(r->engine->opts.zerolog, time(NULL), limit,
                             &rows, &n, &err);
    if (rc != 0 && html) {
        reply_html_error(r, rc, NULL, param);
    } else if (rc != 0) {
        sok_reply_error(r, rc, rc == SOK_EFORBIDDEN ? NULL : err.msg, param);
    } else {
        struct sok_buf *b = scratch(r);
        int brc = 0;
        if (html)
            sok_staff_html(b, rows, n, &brc);
        else
            sok_staff_json(b, rows, n, &brc);
        reply_buf(r, 200, html ? CT_HTML : CT_JSON, b, brc);
    }
    free(rows);
    sok_params_free(&p);
}

/* ------------------------------------------------------------ routing */

/* The request's path less the base path the proxy serves us under (a
 * proxy that strips it sends the rest, one that does not sends it whole:
 * both are served). */
static const char *route_path(const struct sok_req *r, const char *path)
{
    if (path == NULL || *path == '\0')
        return "/";
    const char *base = r->cfg->base_path;
    size_t bl = base ? strlen(base) : 0;
    if (bl > 0 && strncmp(path, base, bl) == 0 &&
        (path[bl] == '/' || path[bl] == '\0'))
        return path[bl] ? path + bl : "/";
    return path;
}

void sok_routes_dispatch(struct sok_req *r)
{
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(r->ev);
    const char *path = route_path(r, u ? evhttp_uri_get_path(u) : NULL);
    const char *qs = u ? evhttp_uri_get_query(u) : NULL;
    r->path = path;

    if (strcmp(path, "/api/search") == 0)
        r->route = SOK_ROUTE_SEARCH;
    else if (strcmp(path, "/api/suggest") == 0)
        r->route = SOK_ROUTE_SUGGEST;
    else if (strncmp(path, "/doc/", 5) == 0)
        r->route = SOK_ROUTE_DOC;
    else if (strcmp(path, "/") == 0)
        r->route = SOK_ROUTE_PAGE;
    else if (strcmp(path, "/healthz") == 0)
        r->route = SOK_ROUTE_HEALTHZ;
    else if (strcmp(path, "/metrics") == 0)
        r->route = SOK_ROUTE_METRICS;
    else if (strcmp(path, "/staff/zero-hits") == 0 ||
             strcmp(path, "/staff/") == 0 || strcmp(path, "/staff") == 0)
        r->route = SOK_ROUTE_STAFF;
    else
        r->route = SOK_ROUTE_OTHER;     /* assets are counted here too */

    if (sok_web_preflight(r))
        return;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(r->ev);
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        sok_reply_error(r, SOK_EMETHOD, "only GET and HEAD are allowed",
                        NULL);
        return;
    }
    /* What a client may reuse for a while (reply.c adds ETag, 304). */
    if (r->route <= SOK_ROUTE_PAGE)
        r->cache_class = SOK_CC_ANSWER;
    switch (r->route) {
    case SOK_ROUTE_SEARCH:  api_search(r, qs); break;
    case SOK_ROUTE_SUGGEST: api_suggest(r, qs); break;
    case SOK_ROUTE_DOC:     doc(r, path + 5, qs); break;
    case SOK_ROUTE_PAGE:    page(r, qs); break;
    case SOK_ROUTE_HEALTHZ: healthz(r); break;
    case SOK_ROUTE_METRICS: metrics(r); break;
    case SOK_ROUTE_STAFF:
        staff(r, qs, strcmp(path, "/staff/zero-hits") != 0);
        break;
    default:
        if (!sok_web_route(r, path))
            sok_reply_error(r, SOK_ENOTFOUND, NO_ROUTE, NULL);
        break;
    }
}
