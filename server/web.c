/*
 * web: assets, robots.txt, opensearch.xml, openapi.json and the CORS
 * preflight (see web.h).
 */
#include "web.h"
#include "page_assets.h"
#include "render.h"

#include <stdio.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define CT_TEXT "text/plain; charset=utf-8"
#define CT_OSD "application/opensearchdescription+xml; charset=utf-8"
#define CT_JSON "application/json; charset=utf-8"

/* The site's address of the search page, for opensearch.xml: --public-url,
 * else http:// + the Host the client asked for (when it looks like a host)
 * + the base path. */
static void public_url(struct sok_req *r, struct sok_buf *b, int *rc)
{
    if (r->cfg->public_url != NULL) {
        size_t n = strlen(r->cfg->public_url);
        while (n > 0 && r->cfg->public_url[n - 1] == '/')
            n--;
        sok_buf_html(b, r->cfg->public_url, n, rc);
        return;
    }
    const char *host = evhttp_find_header(
        evhttp_request_get_input_headers(r->ev), "Host");
    if (host == NULL || *host == '\0' || strlen(host) > 255 ||
        host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")])
        host = "localhost";
    sok_buf_puts(b, "http://", rc);
    sok_buf_puts(b, host, rc);
    sok_buf_puts(b, sok_render_base(), rc);
}

static void opensearch(struct sok_req *r)
{
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/"
                     "opensearch/1.1/\">\n<ShortName>Sök</ShortName>\n"
                     "<Description>Sök i kommunens nyheter, protokoll och "
                     "rapporter</Description>\n"
                     "<InputEncoding>UTF-8</InputEncoding>\n"
                     "<Url type=\"text/html\" method=\"get\" template=\"", &rc);
    public_url(r, &b, &rc);
    sok_buf_puts(&b, "/?q={searchTerms}\"/>\n"
                     "<Url type=\"application/json\" template=\"", &rc);
    public_url(r, &b, &rc);
    sok_buf_puts(&b, "/api/search?q={searchTerms}&amp;page={startPage?}\"/>"
                     "\n</OpenSearchDescription>\n", &rc);
    r->cache_class = SOK_CC_ANSWER;
    if (rc != 0)
        sok_reply_error(r, rc, NULL, NULL);
    else
        sok_reply(r, 200, CT_OSD, b.p, b.n);
    sok_buf_free(&b);
}

/* Crawlers may read the front page; results, the API, the text views
 * (the site has the documents themselves) and staff's pages they skip. */
static void robots(struct sok_req *r)
{
    char body[640];
    const char *base = sok_render_base();
    int n = snprintf(body, sizeof body,
                     "User-agent: *\nDisallow: %s/api/\nDisallow: %s/doc/\n"
                     "Disallow: %s/staff/\nDisallow: %s/?\n",
                     base, base, base, base);
    r->cache_class = SOK_CC_ANSWER;
    sok_reply(r, 200, CT_TEXT, body, (size_t)n);
}

/* openapi.json with its servers' url set to the base path. */
static void openapi(struct sok_req *r)
{
    static const char mark[] = "@BASE@";
    struct sok_asset a;
    sok_page_openapi(&a);
    const char *at = memmem(a.data, a.len, mark, sizeof mark - 1);
    const char *base = *sok_render_base() ? sok_render_base() : "/";
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    if (at == NULL) {
        sok_buf_append(&b, a.data, a.len, &rc);
    } else {
        sok_buf_append(&b, a.data, (size_t)(at - a.data), &rc);
        sok_buf_puts(&b, base, &rc);
        size_t off = (size_t)(at - a.data) + sizeof mark - 1;
        sok_buf_append(&b, at + sizeof mark - 1, a.len - off, &rc);
    }
    r->cache_class = SOK_CC_ANSWER;
    if (rc != 0)
        sok_reply_error(r, rc, NULL, NULL);
    else
        sok_reply(r, 200, CT_JSON, b.p, b.n);
    sok_buf_free(&b);
}

int sok_web_route(struct sok_req *r, const char *path)
{
    struct sok_asset a;
    if (strncmp(path, "/assets/", 8) == 0 && sok_page_asset(path, &a)) {
        /* the URL's ?v= is the hash; whatever it says, this build's file */
        r->cache_class = SOK_CC_ASSET;
        sok_reply(r, 200, a.ctype, a.data, a.len);
    } else if (strcmp(path, "/robots.txt") == 0) {
        robots(r);
    } else if (strcmp(path, "/opensearch.xml") == 0) {
        opensearch(r);
    } else if (strcmp(path, "/api/openapi.json") == 0) {
        openapi(r);
    } else {
        return 0;
    }
    return 1;
}

/* A header list as a preflight may ask for it: tokens and commas only. */
static int token_list(const char *s)
{
    return s != NULL && strlen(s) < 256 &&
           s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "0123456789-_, ")] == '\0';
}

int sok_web_preflight(struct sok_req *r)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    const char *method = evhttp_find_header(in, "Access-Control-Request-Method");
    if (evhttp_request_get_command(r->ev) != EVHTTP_REQ_OPTIONS ||
        method == NULL || evhttp_find_header(in, "Origin") == NULL ||
        strncmp(r->path, "/api/", 5) != 0)
        return 0;
    evhttp_add_header(out, "Allow", "GET, HEAD, OPTIONS");
    if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
        sok_reply_cors(r)) {
        const char *hdrs = evhttp_find_header(in,
                                              "Access-Control-Request-Headers");
        evhttp_add_header(out, "Access-Control-Allow-Methods",
                          "GET, HEAD, OPTIONS");
        if (token_list(hdrs))
            evhttp_add_header(out, "Access-Control-Allow-Headers", hdrs);
        evhttp_add_header(out, "Access-Control-Max-Age", "600");
    }
    sok_reply(r, 204, NULL, "", 0);
    return 1;
}
