/*
 * reply: the one reply of a request (httpd.h: sok_reply) and its
 * access-log line.  What every answer gets is decided here, once: the
 * security headers, Cache-Control, an ETag and 304 for what a client may
 * reuse, gzip for a client that takes it (zlib), CORS for an allowed
 * origin on /api/, and the log line.
 *
 * The access log is Apache's combined format with the request's duration
 * in microseconds after it (Apache's %D), one line per request, written
 * with a single write() so that the lines of several threads never mix:
 *
 *   127.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /api/search?q=x HTTP/1.1" 200 1234 "-" "curl/7.88.1" 567
 *
 * i.e. LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D"
 * (GoAccess: --log-format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %D').  The
 * time is UTC.  %h is the peer, or, when the peer is a trusted proxy
 * (--trusted-proxy), the last address in X-Forwarded-For that is not one.
 * In the request line every byte outside printable ASCII, and '"' and '\',
 * is percent-encoded; in the quoted headers such bytes are \xHH.  The q
 * parameter is kept, masked (q=-) or dropped (--log-query).
 */
#include "httpd.h"
#include "shards.h"
#include "httperr.h"
#include "sok_clock.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <xxhash.h>
#include <zlib.h>

#define LOG_TARGET_MAX  2048
#define LOG_HEADER_MAX  512
#define GZIP_MIN        256     /* smaller bodies go as they are */
#define ASSET_MAX_AGE   "public, max-age=31536000, immutable"

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default:  return "Status";
    }
}

static const char *method_name(enum evhttp_cmd_type c)
{
    switch (c) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    default: return "OTHER";
    }
}

/* ------------------------------------------------------------ the log */

static const char k_hex[] = "0123456789ABCDEF";

static int parse_ip(const char *s, size_t n, struct sockaddr_storage *ss)
{
    char tmp[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, tmp, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        return 1;
    }
    if (inet_pton(AF_INET6, tmp, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        return 1;
    }
    return 0;
}

static void addr_str(const struct sockaddr *sa, char *out, size_t cap)
{
    snprintf(out, cap, "-");
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                  out, (socklen_t)cap);
}

/* The client's address: the peer, unless the peer is a trusted proxy
 * that names the client in X-Forwarded-For (read from the right: every
 * hop a trusted proxy added is passed over). */
static void client_addr(const struct sok_req *r, char *out, size_t cap)
{
    struct evhttp_connection *c = evhttp_request_get_connection(r->ev);
    const struct sockaddr *peer = c ? evhttp_connection_get_addr(c) : NULL;
    addr_str(peer, out, cap);
    const struct sok_acl *t = &r->live->trusted;
    if (peer == NULL || t->n == 0 || !sok_acl_allows(t, peer))
        return;
    const char *xff = evhttp_find_header(
        evhttp_request_get_input_headers(r->ev), "X-Forwarded-For");
    for (size_t end = xff ? strlen(xff) : 0; end > 0;) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
            a++;
        while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
            b--;
        struct sockaddr_storage ss;
        if (!parse_ip(xff + a, b - a, &ss))
            return;                     /* not an address: stop trusting */
        addr_str((struct sockaddr *)&ss, out, cap);
        if (!sok_acl_allows(t, (struct sockaddr *)&ss))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}

/* The target as the log keeps it: q kept, masked or dropped. */
static size_t log_target(const char *t, enum sok_logq mode, char *out,
                         size_t cap)
{
    size_t n = 0;
    const char *qs = strchr(t, '?');
    size_t plen = qs ? (size_t)(qs - t) : strlen(t);
    for (size_t i = 0; i < plen && n < cap; i++)
        out[n++] = t[i];
    if (qs == NULL)
        return n;
    char sep = '?';
    for (const char *p = qs + 1; *p;) {
        size_t len = strcspn(p, "&");
        int isq = (len >= 2 && p[0] == 'q' && p[1] == '=') ||
                  (len == 1 && p[0] == 'q');
        if (!(isq && mode == SOK_LOGQ_DROP) && n + 3 < cap) {
            out[n++] = sep;
            sep = '&';
            const char *v = isq && mode == SOK_LOGQ_MASK ? "q=-" : p;
            size_t vl = isq && mode == SOK_LOGQ_MASK ? 3 : len;
            for (size_t i = 0; i < vl && n < cap; i++)
                out[n++] = v[i];
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return n;
}

/* A header's value, quoted as Apache does: '"', '\' and bytes outside
 * printable ASCII as \xHH; "-" when absent. */
static size_t log_quoted(const char *v, char *out)
{
    size_t n = 0;
    out[n++] = '"';
    if (v == NULL || *v == '\0')
        out[n++] = '-';
    for (size_t i = 0; v != NULL && v[i] && i < LOG_HEADER_MAX; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            memcpy(out + n, "\\x", 2);
            out[n + 2] = k_hex[c >> 4];
            out[n + 3] = k_hex[c & 15];
            n += 4;
        } else {
            out[n++] = (char)c;
        }
    }
    out[n++] = '"';
    return n;
}

static void access_log(struct sok_req *r, int status, size_t bytes,
                       long long usec)
{
    char line[LOG_TARGET_MAX * 3 + LOG_HEADER_MAX * 8 + 256];
    char addr[INET6_ADDRSTRLEN + 1], target[LOG_TARGET_MAX];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    client_addr(r, addr, sizeof addr);
    size_t n = (size_t)snprintf(line, 96, "%s - - ", addr);
    n += strftime(line + n, 40, "[%d/%b/%Y:%H:%M:%S +0000] \"", &tm);
    n += (size_t)snprintf(line + n, 16, "%s ",
                          method_name(evhttp_request_get_command(r->ev)));
    const char *t = evhttp_request_get_uri(r->ev);
    size_t tl = t ? log_target(t, r->live->log_query, target, sizeof target)
                  : 0;
    for (size_t i = 0; i < tl; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            line[n++] = '%';
            line[n++] = k_hex[c >> 4];
            line[n++] = k_hex[c & 15];
        } else {
            line[n++] = (char)c;
        }
    }
    n += (size_t)snprintf(line + n, 64, " HTTP/%d.%d\" %d ", r->ev->major,
                          r->ev->minor, status);
    n += bytes ? (size_t)snprintf(line + n, 32, "%zu ", bytes)
               : (size_t)snprintf(line + n, 32, "- ");
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
    n += log_quoted(evhttp_find_header(in, "Referer"), line + n);
    line[n++] = ' ';
    n += log_quoted(evhttp_find_header(in, "User-Agent"), line + n);
    n += (size_t)snprintf(line + n, 32, " %lld", usec);
    /* A partial answer names the shards it lacks, after the time. */
    const struct sok_shards *sh = r->cfg->engine.shards;
    for (size_t i = 0, k = 0; sh && r->missing && i < sok_shards_count(sh);
         i++)
        if ((r->missing & ((uint64_t)1 << i)) &&
            n + 300 < sizeof line)
            n += (size_t)snprintf(line + n, 300, "%s%s", k++ ? "," :
                                  " missing=\"", sok_shards_name(sh, i));
    if (sh && r->missing)
        line[n++] = '"';
    line[n++] = '\n';
    ssize_t rc = write(r->cfg->log_fd, line, n);
    (void)rc;
}

/* ------------------------------------------------------ what may vary */

/* Whether the client takes gzip: a "gzip" (or "*") coding not given q=0. */
static int accepts_gzip(struct evkeyvalq *in)
{
    const char *ae = evhttp_find_header(in, "Accept-Encoding");
    for (const char *p = ae; p != NULL && *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",;");
        int gz = (len == 4 && strncasecmp(p, "gzip", 4) == 0) ||
                 (len == 1 && *p == '*');
        const char *end = p + strcspn(p, ",");
        const char *qv = memchr(p, ';', (size_t)(end - p));
        int zero = 0;
        if (qv != NULL) {
            qv += 1 + strspn(qv + 1, " \t");
            zero = (qv[0] == 'q' || qv[0] == 'Q') && qv[1] == '=' &&
                   strtod(qv + 2, NULL) == 0.0;
        }
        if (gz && !zero)
            return 1;
        p = end;
    }
    return 0;
}

static int compressible(const char *ctype)
{
    return strncmp(ctype, "text/", 5) == 0 ||
           strncmp(ctype, "application/json", 16) == 0 ||
           strncmp(ctype, "application/opensearchdescription+xml", 37) == 0;
}

/* body[0..len) as gzip into a malloc()ed *out; 0 when it did not pay. */
static size_t gzip_body(const char *body, size_t len, char **out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    *out = NULL;
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return 0;
    uLong cap = deflateBound(&z, (uLong)len);
    char *buf = malloc(cap);
    size_t n = 0;
    if (buf != NULL) {
        z.next_in = (Bytef *)body;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)buf;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < len)
            n = z.total_out;
    }
    deflateEnd(&z);
    if (n == 0)
        free(buf);
    else
        *out = buf;
    return n;
}

/* Whether If-None-Match names tag (or is "*"). */
static int etag_matches(struct evkeyvalq *in, const char *tag)
{
    const char *inm = evhttp_find_header(in, "If-None-Match");
    if (inm == NULL)
        return 0;
    /* A weak comparison: W/"x" and "x" are the same tag. */
    const char *bare = tag + 2;         /* tag is W/"..." */
    return strstr(inm, bare) != NULL || strcmp(inm, "*") == 0;
}

/* CORS for a request from an allowed Origin on /api/: 1 when added. */
int sok_reply_cors(struct sok_req *r)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    const char *origin = evhttp_find_header(in, "Origin");
    if (r->path == NULL || strncmp(r->path, "/api/", 5) != 0)
        return 0;
    if (origin == NULL)
        return 0;
    for (size_t i = 0; i < r->live->ncors; i++) {
        const char *ok = r->live->cors[i];
        if (strcmp(ok, "*") == 0 || strcmp(ok, origin) == 0) {
            evhttp_add_header(out, "Access-Control-Allow-Origin",
                              strcmp(ok, "*") == 0 ? "*" : origin);
            evhttp_add_header(out, "Access-Control-Expose-Headers",
                              "X-Cache, ETag");
            return 1;
        }
    }
    return 0;
}

/* ----------------------------------------------------------- replies */

static void add_fixed_headers(struct sok_req *r, struct evkeyvalq *h,
                              int status, const char *ctype)
{
    if (ctype != NULL)
        evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (ctype != NULL && strncmp(ctype, "text/html", 9) == 0) {
        evhttp_add_header(h, "Content-Security-Policy",
                          "default-src 'self'; script-src 'self'; "
                          "style-src 'self'; img-src 'self'; "
                          "connect-src 'self'; object-src 'none'; "
                          "form-action 'self'; base-uri 'none'; "
                          "frame-ancestors 'none'");
        evhttp_add_header(h, "Referrer-Policy", "same-origin");
    }
    if (status == 405)
        evhttp_add_header(h, "Allow", "GET, HEAD");
    if (sok_httpd_draining(r) || status == 503)
        evhttp_add_header(h, "Connection", "close");
    if (r->path != NULL && strncmp(r->path, "/api/", 5) == 0 && status != 204)
        sok_reply_cors(r);
}

/* Cache-Control and ETag of a 200; 1 when the client holds it (304). */
static int cache_headers(struct sok_req *r, struct evkeyvalq *h, int status,
                         const char *body, size_t len)
{
    int cc = status == 200 ? r->cache_class : SOK_CC_NONE;
    if (cc == SOK_CC_NONE) {
        evhttp_add_header(h, "Cache-Control", "no-cache");
        return 0;
    }
    char v[64];
    if (cc == SOK_CC_ASSET)
        snprintf(v, sizeof v, ASSET_MAX_AGE);
    else
        snprintf(v, sizeof v, "public, max-age=%u", r->live->max_age);
    evhttp_add_header(h, "Cache-Control", v);
    char tag[40];
    snprintf(tag, sizeof tag, "W/\"%016llx\"",
             (unsigned long long)XXH3_64bits(body, len));
    evhttp_add_header(h, "ETag", tag);
    return etag_matches(evhttp_request_get_input_headers(r->ev), tag);
}

void sok_reply(struct sok_req *r, int status, const char *ctype,
               const char *body, size_t len)
{
    if (r->replied)
        return;
    r->replied = 1;
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    add_fixed_headers(r, h, status, ctype);
    if (ctype != NULL && cache_headers(r, h, status, body, len))
        status = 304;
    /* One Vary: what CORS and gzip answer by. */
    int by_origin = r->path != NULL && strncmp(r->path, "/api/", 5) == 0;
    int by_coding = ctype != NULL && compressible(ctype);
    if (by_origin || by_coding)
        evhttp_add_header(h, "Vary", by_origin && by_coding
                                         ? "Origin, Accept-Encoding"
                                         : by_origin ? "Origin"
                                                     : "Accept-Encoding");
    char *gz = NULL;
    if (status != 304 && by_coding) {
        if (len >= GZIP_MIN &&
            accepts_gzip(evhttp_request_get_input_headers(r->ev))) {
            size_t gn = gzip_body(body, len, &gz);
            if (gn > 0) {
                evhttp_add_header(h, "Content-Encoding", "gzip");
                body = gz;
                len = gn;
            }
        }
    }
    if (status == 304 || status == 204) {
        len = 0;
    } else if (r->head) {
        /* evhttp sends no body for HEAD and then omits Content-Length;
         * HEAD must announce what GET would send. */
        char cl[32];
        snprintf(cl, sizeof cl, "%zu", len);
        evhttp_add_header(h, "Content-Length", cl);
    } else {
        evbuffer_add(evhttp_request_get_output_buffer(r->ev), body, len);
    }
    free(gz);
    sok_httpd_send(r, status, reason(status));

    long long usec = sok_clock_us() - r->t0_us;
    sok_metrics_request(r->metrics, r->route, status, (unsigned long)usec,
                        len);
    if (r->live->access_log)
        access_log(r, status, r->head ? 0 : len, usec);
}

void sok_reply_error(struct sok_req *r, int code, const char *msg,
                     const char *param)
{
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_httperr_json(&b, code, msg, param, &rc);
    if (rc != 0) {
        /* Out of memory: the same error, without allocating. */
        const struct sok_httperr *he = sok_httperr_lookup(SOK_ENOMEM);
        char oom[128];
        int n = snprintf(oom, sizeof oom,
                         "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n",
                         he->name, he->msg);
        sok_reply(r, he->status, "application/json; charset=utf-8", oom,
                  (size_t)n);
    } else {
        sok_reply(r, sok_httperr_lookup(code)->status,
                  "application/json; charset=utf-8", b.p, b.n);
    }
    sok_buf_free(&b);
}
