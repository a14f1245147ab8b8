/*
 * render: JSON and HTML bodies (see render.h).  Markup is kept plain; the
 * page works without JavaScript and in Swedish.
 */
#include "render.h"
#include "sok_terms.h"
#include "sok_doc.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- JSON */

/* A JSON string from a jansson value (strings may hold any UTF-8, even
 * U+0000, hence the explicit length), or null. */
static void put_jstr(struct sok_buf *b, const json_t *v, int *rc)
{
    if (!json_is_string(v)) {
        sok_buf_puts(b, "null", rc);
        return;
    }
    sok_buf_putc(b, '"', rc);
    sok_buf_json_str(b, json_string_value(v), json_string_length(v), rc);
    sok_buf_putc(b, '"', rc);
}

static void put_qstr(struct sok_buf *b, const char *s, size_t len, int *rc)
{
    sok_buf_putc(b, '"', rc);
    sok_buf_json_str(b, s, len, rc);
    sok_buf_putc(b, '"', rc);
}

void sok_render_error_json(struct sok_buf *b, const char *code,
                           const char *msg, const char *param, int *rc)
{
    sok_buf_puts(b, "{\"error\":{\"code\":", rc);
    sok_buf_json_qstr(b, code, rc);
    sok_buf_puts(b, ",\"message\":", rc);
    sok_buf_json_qstr(b, msg, rc);
    if (param != NULL) {
        sok_buf_puts(b, ",\"parameter\":", rc);
        sok_buf_json_qstr(b, param, rc);
    }
    sok_buf_puts(b, "}}\n", rc);
}

static const struct sok_xfacet *facet(const struct sok_search_res *res,
                                      unsigned slot)
{
    if (res->xres == NULL)
        return NULL;
    for (size_t i = 0; i < res->xres->nfacets; i++)
        if (res->xres->facets[i].slot == slot)
            return &res->xres->facets[i];
    return NULL;
}

static void put_facet(struct sok_buf *b, const struct sok_xfacet *f, int *rc)
{
    sok_buf_putc(b, '{', rc);
    for (size_t i = 0; f != NULL && i < f->n; i++) {
        if (i > 0)
            sok_buf_putc(b, ',', rc);
        sok_buf_json_qstr(b, f->counts[i].value, rc);
        sok_buf_printf(b, rc, ":%lu", f->counts[i].count);
    }
    sok_buf_putc(b, '}', rc);
}

void sok_render_search_json(struct sok_buf *b,
                            const struct sok_search_req *req,
                            const struct sok_search_res *res, int *rc)
{
    sok_buf_puts(b, "{\"query\":", rc);
    put_qstr(b, req->q, req->qlen, rc);
    sok_buf_printf(b, rc,
                   ",\"total\":%lu,\"page\":%u,\"per_page\":%u,"
                   "\"took_ms\":%.3f,\"relaxed\":%s,\"suggestion\":",
                   res->total, req->page, req->per_page, res->took_ms,
                   res->relaxed ? "true" : "false");
    sok_buf_json_qstr(b, res->suggestion, rc);
    sok_buf_puts(b, ",\"hits\":[", rc);
    static const char *const fields[] = { "id", "title", "doc_title", "url",
                                          "source", "type", "date" };
    for (size_t i = 0; i < res->nhits; i++) {
        const struct sok_search_hit *h = &res->hits[i];
        sok_buf_puts(b, i ? ",{" : "{", rc);
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            sok_buf_printf(b, rc, "%s\"%s\":", k ? "," : "", fields[k]);
            put_jstr(b, json_object_get(h->doc, fields[k]), rc);
        }
        sok_buf_printf(b, rc, ",\"score\":%.4f,\"collapsed\":%u,"
                       "\"snippet\":", h->score, h->collapsed);
        sok_buf_json_qstr(b, h->snippet, rc);
        sok_buf_putc(b, '}', rc);
    }
    sok_buf_puts(b, "],\"facets\":{\"type\":", rc);
    put_facet(b, facet(res, SOK_SLOT_TYPE), rc);
    sok_buf_puts(b, ",\"year\":", rc);
    put_facet(b, facet(res, SOK_SLOT_YEAR), rc);
    sok_buf_puts(b, "}}\n", rc);
}

void sok_render_suggest_json(struct sok_buf *b, const json_t *list, int *rc)
{
    sok_buf_puts(b, "{\"suggestions\":[", rc);
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (i > 0)
            sok_buf_putc(b, ',', rc);
        put_jstr(b, json_array_get(list, i), rc);
    }
    sok_buf_puts(b, "]}\n", rc);
}

/* ---------------------------------------------------------------- HTML */

void sok_render_urlenc(struct sok_buf *b, const char *s, size_t len, int *rc)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            sok_buf_putc(b, (char)c, rc);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            sok_buf_append(b, e, 3, rc);
        }
    }
}

static void put_html_str(struct sok_buf *b, const char *s, int *rc)
{
    if (s != NULL)
        sok_buf_html(b, s, strlen(s), rc);
}

static void put_html_j(struct sok_buf *b, const json_t *v, int *rc)
{
    if (json_is_string(v))
        sok_buf_html(b, json_string_value(v), json_string_length(v), rc);
}

static const char *jstr(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s != NULL ? s : "";
}

static const char *type_sv(const char *t)
{
    if (strcmp(t, "news") == 0)
        return "Nyhet";
    if (strcmp(t, "minutes") == 0)
        return "Protokoll";
    if (strcmp(t, "report") == 0)
        return "Rapport";
    return "Övrigt";
}

/* A stored URL goes into href only when it is site-relative or http(s):
 * a document must not be able to plant "javascript:" in the page. */
static int safe_href(const char *u)
{
    return (u[0] == '/' && u[1] != '/') || strncmp(u, "http://", 7) == 0 ||
           strncmp(u, "https://", 8) == 0;
}

static void put_href(struct sok_buf *b, const json_t *doc, int *rc)
{
    const char *u = jstr(doc, "url");
    if (safe_href(u)) {
        put_html_str(b, u, rc);
    } else {
        sok_buf_puts(b, "/doc/", rc);
        put_html_str(b, jstr(doc, "id"), rc);
    }
}

static const char k_style[] =
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:1rem auto;"
    "padding:0 1rem;line-height:1.5;color:#222}"
    "form{display:flex;gap:.5rem;margin:1rem 0}"
    "input[type=search]{flex:1;font-size:1.1rem;padding:.4rem}"
    "button{font-size:1.1rem;padding:.4rem 1rem}"
    "mark{background:#ffe66b}"
    ".meta{color:#555;font-size:.9rem;margin:0}"
    ".hits{padding-left:1.2rem}.hits h2{font-size:1.15rem;margin:1.2rem 0 0}"
    ".info{color:#555}.error{color:#a00}nav a{margin-right:1rem}";

static void page_head(struct sok_buf *b, const char *title, size_t tlen,
                      int *rc)
{
    sok_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n<title>", rc);
    sok_buf_html(b, title, tlen, rc);
    sok_buf_puts(b, "</title>\n<style>", rc);
    sok_buf_puts(b, k_style, rc);
    sok_buf_puts(b, "</style>\n</head>\n<body>\n", rc);
}

static void search_form(struct sok_buf *b, const char *q, size_t qlen,
                        int *rc)
{
    sok_buf_puts(b, "<header>\n<form action=\"/\" method=\"get\" "
                    "role=\"search\">\n<label for=\"q\" hidden>Sök</label>\n"
                    "<input id=\"q\" name=\"q\" type=\"search\" "
                    "maxlength=\"512\" autofocus value=\"", rc);
    if (q != NULL)
        sok_buf_html(b, q, qlen, rc);
    sok_buf_puts(b, "\">\n<button type=\"submit\">Sök</button>\n</form>\n"
                    "</header>\n", rc);
}

/* The link to the results page with the request's filters and page p. */
static void page_link(struct sok_buf *b, const struct sok_search_req *req,
                      unsigned p, int *rc)
{
    sok_buf_puts(b, "/?q=", rc);
    sok_render_urlenc(b, req->q, req->qlen, rc);
    for (unsigned t = 0; t < 4; t++)
        if (req->types & (1u << t))
            sok_buf_printf(b, rc, "&amp;type=%s",
                           sok_type_name((enum sok_type)t));
    if (req->from[0])
        sok_buf_printf(b, rc, "&amp;from=%.4s-%.2s-%.2s", req->from,
                       req->from + 4, req->from + 6);
    if (req->to[0])
        sok_buf_printf(b, rc, "&amp;to=%.4s-%.2s-%.2s", req->to,
                       req->to + 4, req->to + 6);
    if (req->sort_date)
        sok_buf_puts(b, "&amp;sort=date", rc);
    if (req->per_page != SOK_PER_PAGE_DEF)
        sok_buf_printf(b, rc, "&amp;per_page=%u", req->per_page);
    if (p > 1)
        sok_buf_printf(b, rc, "&amp;page=%u", p);
}

static void results(struct sok_buf *b, const struct sok_search_req *req,
                    const struct sok_search_res *res, int *rc)
{
    sok_buf_printf(b, rc, "<p class=\"info\">%lu %s (%.1f ms)</p>\n",
                   res->total, res->total == 1 ? "träff" : "träffar",
                   res->took_ms);
    if (res->suggestion != NULL) {
        sok_buf_puts(b, "<p>Menade du <a href=\"/?q=", rc);
        sok_render_urlenc(b, res->suggestion, strlen(res->suggestion), rc);
        sok_buf_puts(b, "\">", rc);
        put_html_str(b, res->suggestion, rc);
        sok_buf_puts(b, "</a>?</p>\n", rc);
    }
    if (res->relaxed)
        sok_buf_puts(b, "<p class=\"info\">Ingen träff innehöll alla orden; "
                        "här är träffar med något av dem.</p>\n", rc);
    if (res->nhits == 0 && res->total == 0)
        sok_buf_puts(b, "<p>Inga träffar. Prova andra eller färre ord.</p>\n",
                     rc);
    sok_buf_printf(b, rc, "<ol class=\"hits\" start=\"%u\">\n",
                   (req->page - 1) * req->per_page + 1);
    for (size_t i = 0; i < res->nhits; i++) {
        const json_t *d = res->hits[i].doc;
        const char *title = jstr(d, "title");
        if (*title == '\0')
            title = jstr(d, "doc_title");
        sok_buf_puts(b, "<li>\n<h2><a href=\"", rc);
        put_href(b, d, rc);
        sok_buf_puts(b, "\">", rc);
        put_html_str(b, *title ? title : "(utan rubrik)", rc);
        sok_buf_puts(b, "</a></h2>\n<p class=\"meta\">", rc);
        put_html_j(b, json_object_get(d, "doc_title"), rc);
        sok_buf_printf(b, rc, " · %s", type_sv(jstr(d, "type")));
        if (*jstr(d, "date")) {
            sok_buf_puts(b, " · ", rc);
            put_html_j(b, json_object_get(d, "date"), rc);
        }
        sok_buf_puts(b, "</p>\n<p>", rc);
        sok_buf_puts(b, res->hits[i].snippet, rc);  /* already HTML */
        sok_buf_puts(b, "</p>\n</li>\n", rc);
    }
    sok_buf_puts(b, "</ol>\n<nav>", rc);
    if (req->page > 1) {
        sok_buf_puts(b, "<a rel=\"prev\" href=\"", rc);
        page_link(b, req, req->page - 1, rc);
        sok_buf_puts(b, "\">Föregående</a>", rc);
    }
    unsigned long shown = (unsigned long)req->page * req->per_page;
    if (res->total > shown && shown < SOK_RESULT_WINDOW) {
        sok_buf_puts(b, "<a rel=\"next\" href=\"", rc);
        page_link(b, req, req->page + 1, rc);
        sok_buf_puts(b, "\">Nästa</a>", rc);
    }
    sok_buf_puts(b, "</nav>\n", rc);
}

void sok_render_page_html(struct sok_buf *b, const struct sok_search_req *req,
                          const struct sok_search_res *res,
                          const char *error, int *rc)
{
    const char *q = req ? req->q : NULL;
    size_t qlen = req ? req->qlen : 0;
    if (q != NULL && qlen > 0) {
        struct sok_buf t = SOK_BUF_INIT;
        int trc = 0;
        sok_buf_append(&t, q, qlen, &trc);
        sok_buf_puts(&t, " – Sök", &trc);
        page_head(b, trc ? "Sök" : t.p, trc ? 4 : t.n, rc);
        sok_buf_free(&t);
    } else {
        page_head(b, "Sök", 4, rc);
    }
    sok_buf_puts(b, "<main>\n<h1>Sök</h1>\n", rc);
    search_form(b, q, qlen, rc);
    if (error != NULL) {
        sok_buf_puts(b, "<p class=\"error\">", rc);
        put_html_str(b, error, rc);
        sok_buf_puts(b, "</p>\n", rc);
    } else if (req != NULL && res != NULL) {
        results(b, req, res, rc);
    }
    sok_buf_puts(b, "</main>\n</body>\n</html>\n", rc);
}

static void doc_link(struct sok_buf *b, const char *id, const char *q,
                     int *rc)
{
    sok_buf_puts(b, "/doc/", rc);
    put_html_str(b, id, rc);
    if (q != NULL && *q) {
        sok_buf_puts(b, "?q=", rc);
        sok_render_urlenc(b, q, strlen(q), rc);
    }
}

void sok_render_doc_html(struct sok_buf *b, const json_t *doc,
                         const char *body_html, const char *q, int *rc)
{
    const char *title = jstr(doc, "title");
    if (*title == '\0')
        title = jstr(doc, "doc_title");
    page_head(b, title, strlen(title), rc);
    sok_buf_puts(b, "<main>\n", rc);
    search_form(b, q, q ? strlen(q) : 0, rc);
    sok_buf_puts(b, "<article>\n<h1>", rc);
    put_html_str(b, *title ? title : "(utan rubrik)", rc);
    sok_buf_puts(b, "</h1>\n<p class=\"meta\">", rc);
    put_html_j(b, json_object_get(doc, "doc_title"), rc);
    sok_buf_printf(b, rc, " · %s", type_sv(jstr(doc, "type")));
    if (*jstr(doc, "date")) {
        sok_buf_puts(b, " · ", rc);
        put_html_j(b, json_object_get(doc, "date"), rc);
    }
    sok_buf_puts(b, " · ", rc);
    put_html_j(b, json_object_get(doc, "source"), rc);
    sok_buf_puts(b, "</p>\n", rc);
    sok_buf_puts(b, body_html, rc);
    sok_buf_puts(b, "</article>\n<nav>", rc);
    const char *prev = jstr(doc, "prev"), *next = jstr(doc, "next");
    if (*prev) {
        sok_buf_puts(b, "<a rel=\"prev\" href=\"", rc);
        doc_link(b, prev, q, rc);
        sok_buf_puts(b, "\">Föregående avsnitt</a>", rc);
    }
    if (*next) {
        sok_buf_puts(b, "<a rel=\"next\" href=\"", rc);
        doc_link(b, next, q, rc);
        sok_buf_puts(b, "\">Nästa avsnitt</a>", rc);
    }
    const char *url = jstr(doc, "url");
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
        sok_buf_puts(b, "<a href=\"", rc);
        put_html_str(b, url, rc);
        sok_buf_puts(b, "\">Originalet</a>", rc);
    }
    if (q != NULL && *q) {
        sok_buf_puts(b, "<a href=\"/?q=", rc);
        sok_render_urlenc(b, q, strlen(q), rc);
        sok_buf_puts(b, "\">Tillbaka till träffarna</a>", rc);
    }
    sok_buf_puts(b, "</nav>\n</main>\n</body>\n</html>\n", rc);
}

void sok_render_error_html(struct sok_buf *b, int status, const char *msg,
                           int *rc)
{
    char title[32];
    snprintf(title, sizeof title, "Fel %d", status);
    page_head(b, title, strlen(title), rc);
    sok_buf_puts(b, "<main>\n<h1>", rc);
    put_html_str(b, title, rc);
    sok_buf_puts(b, "</h1>\n<p class=\"error\">", rc);
    put_html_str(b, msg, rc);
    sok_buf_puts(b, "</p>\n<p><a href=\"/\">Till sökningen</a></p>\n</main>\n"
                    "</body>\n</html>\n", rc);
}
