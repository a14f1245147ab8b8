/*
 * render: the HTML bodies (see render.h; the JSON ones are render_json.c).
 * The pages are in Swedish, work without JavaScript and carry no inline
 * script or style.
 */
#include "render.h"
#include "query.h"
#include "sok_terms.h"
#include "sok_doc.h"
#include "page_assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the reverse proxy serves the pages ("" or "/sok"): set once at
 * start, before any thread renders (sok_render_set_base). */
static const char *g_base = "";

void sok_render_set_base(const char *base)
{
    g_base = base != NULL ? base : "";
}

const char *sok_render_base(void)
{
    return g_base;
}

/* base + path, for an href of our own. */
static void put_own(struct sok_buf *b, const char *path, int *rc)
{
    sok_buf_puts(b, g_base, rc);
    sok_buf_puts(b, path, rc);
}

/* The link text of a section without a heading. */
#define UNTITLED "(utan rubrik)"

/* The facet of value slot slot in res, NULL when it was not counted. */
const struct sok_xfacet *sok_render_facet(const struct sok_search_res *res,
                                      unsigned slot)
{
    if (res->xres == NULL)
        return NULL;
    for (size_t i = 0; i < res->xres->nfacets; i++)
        if (res->xres->facets[i].slot == slot)
            return &res->xres->facets[i];
    return NULL;
}

/* ---------------------------------------------------------------- HTML */

/*
 * The pages work without JavaScript: every filter, the sort order and the
 * pager are plain links built by page_link().  /assets/app.js (same
 * origin, loaded with defer) only enhances them.  The Content-Security-
 * Policy (httpd.c) allows no inline script and no inline style, so the
 * markup carries neither: no <script> body, no style attribute, no on*
 * handler.  Everything that comes from the query or the index goes through
 * sok_buf_html (text and attribute values, always double-quoted) or
 * sok_render_urlenc (inside a URL); snippets and highlighted text arrive
 * already escaped from snippet.c.
 */

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

static const char *jstr(const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s != NULL ? s : "";
}

const char *sok_render_type_sv(const char *t)
{
    if (t == NULL)
        return "Övrigt";
    if (strcmp(t, "news") == 0)
        return "Nyhet";
    if (strcmp(t, "minutes") == 0)
        return "Protokoll/minnesanteckningar";
    if (strcmp(t, "report") == 0)
        return "Rapport";
    return "Övrigt";
}

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

void sok_render_date_sv(struct sok_buf *b, const char *iso, int *rc)
{
    static const char *const months[12] = {
        "januari", "februari", "mars", "april", "maj", "juni", "juli",
        "augusti", "september", "oktober", "november", "december"
    };
    if (iso == NULL || *iso == '\0')
        return;
    size_t n = strlen(iso);
    int ok = n == 10 && iso[4] == '-' && iso[7] == '-' &&
             is_digits(iso, 4) && is_digits(iso + 5, 2) &&
             is_digits(iso + 8, 2);
    int mon = ok ? (iso[5] - '0') * 10 + (iso[6] - '0') : 0;
    int day = ok ? (iso[8] - '0') * 10 + (iso[9] - '0') : 0;
    if (!ok || mon < 1 || mon > 12 || day < 1 || day > 31) {
        sok_buf_html(b, iso, n, rc);    /* not ours to reformat: as is */
        return;
    }
    sok_buf_puts(b, "<time datetime=\"", rc);
    sok_buf_append(b, iso, 10, rc);
    sok_buf_printf(b, rc, "\">%d %s %.4s</time>", day, months[mon - 1], iso);
}

/* A stored URL goes into href only when it is site-relative or http(s):
 * a document must not be able to plant "javascript:" in the page. */
static int safe_href(const char *u)
{
    return (u[0] == '/' && u[1] != '/') || strncmp(u, "http://", 7) == 0 ||
           strncmp(u, "https://", 8) == 0;
}

/* The hit's address; our own /doc/<id> pages get the query along, so the
 * page highlights its words and links back to these results. */
static void put_href(struct sok_buf *b, const json_t *doc, const char *q,
                     size_t qlen, int *rc)
{
    const char *u = jstr(doc, "url");
    int own = strncmp(u, "/doc/", 5) == 0 && strchr(u, '?') == NULL &&
              strchr(u, '#') == NULL;
    if (own) {
        put_own(b, "", rc);
        put_html_str(b, u, rc);
    } else if (safe_href(u)) {
        put_html_str(b, u, rc);
    } else {
        own = 1;
        put_own(b, "/doc/", rc);
        put_html_str(b, jstr(doc, "id"), rc);
    }
    if (own && q != NULL && qlen > 0) {
        sok_buf_puts(b, "?q=", rc);
        sok_render_urlenc(b, q, qlen, rc);
    }
}

static void page_head(struct sok_buf *b, const char *title, size_t tlen,
                      int *rc)
{
    sok_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n<title>", rc);
    sok_buf_html(b, title, tlen, rc);
    /* The assets' URLs carry their hash: they may be kept a year. */
    sok_buf_printf(b, rc, "</title>\n"
                   "<link rel=\"stylesheet\" href=\"%s/assets/style.css?v=%s\">"
                   "\n<script src=\"%s/assets/app.js?v=%s\" defer></script>\n"
                   "<link rel=\"search\" type=\"application/opensearchdescription"
                   "+xml\" href=\"%s/opensearch.xml\" title=\"Sök\">\n",
                   g_base, sok_page_asset_version("/assets/style.css"),
                   g_base, sok_page_asset_version("/assets/app.js"), g_base);
    sok_buf_printf(b, rc, "</head>\n<body>\n"
                    "<a class=\"skip\" href=\"#main\">Hoppa till "
                    "innehållet</a>\n"
                    "<header class=\"top\">\n<div class=\"wrap\">"
                    "<a class=\"brand\" href=\"%s/\">Sök</a>", g_base);
    sok_buf_puts(b, ""
                    "<span class=\"tagline\">i kommunens nyheter, protokoll "
                    "och rapporter</span></div>\n</header>\n"
                    "<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n", rc);
}

static void page_foot(struct sok_buf *b, int *rc)
{
    sok_buf_puts(b, "</main>\n<footer class=\"foot\"><div class=\"wrap\">"
                    "<p>Sökningen fungerar även utan JavaScript.</p>"
                    "</div></footer>\n</body>\n</html>\n", rc);
}

/* No autofocus: it would skip the skip link and the header for a
 * keyboard or screen-reader user arriving on the page. */
static void search_form(struct sok_buf *b, const char *q, size_t qlen,
                        int *rc)
{
    sok_buf_printf(b, rc, "<form id=\"search\" class=\"search\" action=\"%s/\" "
                    "method=\"get\" role=\"search\">\n", g_base);
    sok_buf_puts(b, ""
                    "<label for=\"q\">Sök bland nyheter, protokoll och "
                    "rapporter</label>\n<div class=\"row\">"
                    "<input id=\"q\" name=\"q\" type=\"search\" "
                    "maxlength=\"512\" autocomplete=\"off\" "
                    "spellcheck=\"false\"", rc);
    sok_buf_puts(b, " value=\"", rc);
    if (q != NULL)
        sok_buf_html(b, q, qlen, rc);
    sok_buf_puts(b, "\"><button type=\"submit\">Sök</button></div>\n"
                    "</form>\n", rc);
}

/* The link to the results page for req's query, filters and page p. */
static void page_link(struct sok_buf *b, const struct sok_search_req *req,
                      unsigned p, int *rc)
{
    put_own(b, "/?q=", rc);
    sok_render_urlenc(b, req->q, req->qlen, rc);
    for (unsigned t = 0; t < SOK_TYPE_COUNT; t++)
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

/* One filter link: <li><a href=…>label (count)</a></li>, marked as the
 * current choice when on.  The link goes to page 1 of variant v. */
static void filter_item(struct sok_buf *b, const struct sok_search_req *v,
                        const char *label, long count, int on, int *rc)
{
    sok_buf_puts(b, "<li><a ", rc);
    if (on)
        sok_buf_puts(b, "class=\"on\" aria-current=\"true\" ", rc);
    sok_buf_puts(b, "href=\"", rc);
    page_link(b, v, 1, rc);
    sok_buf_puts(b, "\">", rc);
    put_html_str(b, label, rc);
    if (count >= 0)
        sok_buf_printf(b, rc, " <span class=\"count\">(%ld)</span>", count);
    sok_buf_puts(b, "</a></li>\n", rc);
}

/* The year the request is limited to (from YYYY0101 to YYYY1231), or 0. */
static int req_year(const struct sok_search_req *req)
{
    if (strlen(req->from) != 8 || strlen(req->to) != 8 ||
        strncmp(req->from, req->to, 4) != 0 ||
        strcmp(req->from + 4, "0101") != 0 ||
        strcmp(req->to + 4, "1231") != 0 || !is_digits(req->from, 4))
        return 0;
    return atoi(req->from) / 10000;
}

static int cmp_year_desc(const void *a, const void *b)
{
    const struct sok_xfacet_count *x = a, *y = b;
    return strcmp(y->value, x->value);
}

static void filters(struct sok_buf *b, const struct sok_search_req *req,
                    const struct sok_search_res *res, int *rc)
{
    struct sok_search_req v;
    /* A <details>, open: without JavaScript everything is in view; app.js
     * folds it on a narrow screen when no filter is chosen, so the hits
     * come first. */
    sok_buf_puts(b, "<aside class=\"filters\" aria-labelledby=\"f-h\">\n"
                    "<details id=\"f-d\" open>\n"
                    "<summary id=\"f-h\">Sortera och avgränsa</summary>\n"
                    "<h3 id=\"f-sort\">Sortering</h3>\n"
                    "<ul class=\"chips\" aria-labelledby=\"f-sort\">\n", rc);
    v = *req;
    v.sort_date = 0;
    filter_item(b, &v, "Relevans", -1, !req->sort_date, rc);
    v.sort_date = 1;
    filter_item(b, &v, "Datum, nyast först", -1, req->sort_date, rc);
    sok_buf_puts(b, "</ul>\n", rc);

    const struct sok_xfacet *ft = sok_render_facet(res, SOK_SLOT_TYPE);
    sok_buf_puts(b, "<h3 id=\"f-type\">Typ</h3>\n"
                    "<ul class=\"chips\" aria-labelledby=\"f-type\">\n", rc);
    v = *req;
    v.types = 0;
    if (req->types != 0)
        filter_item(b, &v, "Alla typer", -1, 0, rc);
    static const enum sok_type order[] = { SOK_TYPE_NEWS, SOK_TYPE_MINUTES,
                                           SOK_TYPE_REPORT, SOK_TYPE_OTHER };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        unsigned t = (unsigned)order[k];
        const char *name = sok_type_name(order[k]);
        long count = -1;
        for (size_t i = 0; ft != NULL && i < ft->n; i++)
            if (strcmp(ft->counts[i].value, name) == 0)
                count = (long)ft->counts[i].count;
        int on = (req->types & (1u << t)) != 0;
        if (count < 0 && !on)
            continue;
        v = *req;
        v.types = on ? req->types & ~(1u << t) : req->types | (1u << t);
        filter_item(b, &v, sok_render_type_sv(name), count < 0 ? 0 : count,
                    on, rc);
    }
    sok_buf_puts(b, "</ul>\n", rc);

    const struct sok_xfacet *fy = sok_render_facet(res, SOK_SLOT_YEAR);
    int cur = req_year(req);
    size_t ny = fy != NULL ? fy->n : 0;
    struct sok_xfacet_count *years = NULL;
    if (ny > 0 && (years = malloc(ny * sizeof *years)) != NULL) {
        memcpy(years, fy->counts, ny * sizeof *years);
        qsort(years, ny, sizeof *years, cmp_year_desc);
    } else {
        ny = 0;
    }
    if (ny > 0 || cur) {
        sok_buf_puts(b, "<h3 id=\"f-year\">År</h3>\n"
                        "<ul class=\"chips\" aria-labelledby=\"f-year\">\n",
                     rc);
        v = *req;
        if (cur || req->from[0] || req->to[0]) {
            v.from[0] = v.to[0] = '\0';
            filter_item(b, &v, "Alla år", -1, 0, rc);
        }
        for (size_t i = 0; i < ny; i++) {
            const char *y = years[i].value;
            if (strlen(y) != 4 || !is_digits(y, 4))
                continue;
            int on = cur == atoi(y);
            v = *req;
            if (on) {
                v.from[0] = v.to[0] = '\0';
            } else {
                snprintf(v.from, sizeof v.from, "%.4s0101", y);
                snprintf(v.to, sizeof v.to, "%.4s1231", y);
            }
            filter_item(b, &v, y, (long)years[i].count, on, rc);
        }
        sok_buf_puts(b, "</ul>\n", rc);
    }
    free(years);
    sok_buf_puts(b, "</details>\n</aside>\n", rc);
}

static void pager(struct sok_buf *b, const struct sok_search_req *req,
                  const struct sok_search_res *res, int *rc)
{
    unsigned long total = res->total < SOK_RESULT_WINDOW ? res->total
                                                         : SOK_RESULT_WINDOW;
    unsigned last = (unsigned)((total + req->per_page - 1) / req->per_page);
    if (last <= 1 && req->page <= 1)
        return;
    sok_buf_puts(b, "<nav class=\"pager\" aria-label=\"Sidor\">\n<ul>\n", rc);
    if (req->page > 1) {
        sok_buf_puts(b, "<li><a rel=\"prev\" href=\"", rc);
        page_link(b, req, req->page - 1, rc);
        sok_buf_puts(b, "\">Föregående<span class=\"sr-only\"> sida"
                        "</span></a></li>\n", rc);
    }
    /* First, last and two either side of the current page. */
    unsigned gap = 0;
    for (unsigned p = 1; p <= last; p++) {
        if (p != 1 && p != last && (p + 2 < req->page || p > req->page + 2)) {
            if (!gap)
                sok_buf_puts(b, "<li class=\"gap\" aria-hidden=\"true\">…"
                                "</li>\n", rc);
            gap = 1;
            continue;
        }
        gap = 0;
        if (p == req->page) {
            sok_buf_printf(b, rc, "<li><a aria-current=\"page\" href=\"");
            page_link(b, req, p, rc);
            sok_buf_printf(b, rc, "\"><span class=\"sr-only\">Sida </span>"
                                  "%u</a></li>\n", p);
        } else {
            sok_buf_puts(b, "<li><a href=\"", rc);
            page_link(b, req, p, rc);
            sok_buf_printf(b, rc, "\"><span class=\"sr-only\">Sida </span>"
                                  "%u</a></li>\n", p);
        }
    }
    if (req->page < last) {
        sok_buf_puts(b, "<li><a rel=\"next\" href=\"", rc);
        page_link(b, req, req->page + 1, rc);
        sok_buf_puts(b, "\">Nästa<span class=\"sr-only\"> sida</span></a>"
                        "</li>\n", rc);
    }
    sok_buf_puts(b, "</ul>\n</nav>\n", rc);
}

/* "Finns även som PDF, i fil.txt": a link to each other copy of the
 * passage, a PDF named by its format unless that would not tell two
 * apart, anything else by its file's name. */
static void also_html(struct sok_buf *b, const struct sok_search_req *req,
                      const struct sok_search_hit *h, int *rc)
{
    size_t n = json_array_size(h->also), pdfs = 0;
    if (n == 0)
        return;
    int face_pdf = sok_format_from_path(jstr(h->doc, "source")) ==
                   SOK_FMT_PDF;
    for (size_t i = 0; i < n; i++)
        pdfs += sok_format_from_path(jstr(json_array_get(h->also, i),
                                          "source")) == SOK_FMT_PDF;
    sok_buf_puts(b, "<p class=\"also\">", rc);
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(h->also, i);
        const char *src = jstr(a, "source"), *slash = strrchr(src, '/');
        int pdf = sok_format_from_path(src) == SOK_FMT_PDF;
        sok_buf_puts(b, i ? ", <a href=\"" : "<a href=\"", rc);
        put_href(b, a, req->q, req->qlen, rc);
        sok_buf_puts(b, i ? "\">" : "\">Finns även ", rc);
        if (pdf && pdfs == 1 && !face_pdf) {
            sok_buf_puts(b, "som PDF", rc);
        } else {
            sok_buf_puts(b, "i ", rc);
            put_html_str(b, slash ? slash + 1 : src, rc);
        }
        sok_buf_puts(b, "</a>", rc);
    }
    sok_buf_puts(b, "</p>\n", rc);
}

static void hit_html(struct sok_buf *b, const struct sok_search_req *req,
                     const struct sok_search_hit *h, int *rc)
{
    const json_t *d = h->doc;
    const char *title = jstr(d, "title");
    int own = *title != '\0';
    if (!own)
        title = jstr(d, "doc_title");
    sok_buf_puts(b, h->recommended ? "<li class=\"hit rec\">\n<h3><a href=\""
                                   : "<li class=\"hit\">\n<h3><a href=\"", rc);
    put_href(b, d, req->q, req->qlen, rc);
    sok_buf_puts(b, "\">", rc);
    if (own && h->title_html != NULL && *h->title_html)
        sok_buf_puts(b, h->title_html, rc);     /* already HTML */
    else
        put_html_str(b, *title ? title : UNTITLED, rc);
    sok_buf_puts(b, "</a></h3>\n<p class=\"meta\">", rc);
    const char *dt = jstr(d, "doc_title");
    if (*dt && strcmp(dt, title) != 0) {
        sok_buf_puts(b, "<span class=\"doc\">", rc);
        put_html_str(b, dt, rc);
        sok_buf_puts(b, "</span> ", rc);
    }
    if (h->recommended)
        sok_buf_puts(b, "<strong class=\"rec\">Rekommenderad</strong> ", rc);
    if (!h->recommended || *jstr(d, "type")) {
        sok_buf_puts(b, "<span class=\"type\">", rc);
        put_html_str(b, sok_render_type_sv(jstr(d, "type")), rc);
        sok_buf_puts(b, "</span>", rc);
    }
    if (*jstr(d, "date")) {
        sok_buf_puts(b, " <span class=\"date\">", rc);
        sok_render_date_sv(b, jstr(d, "date"), rc);
        sok_buf_puts(b, "</span>", rc);
    }
    if (strncmp(jstr(d, "url"), "/doc/", 5) != 0) {
        /* The hit leads to the document's own address; the text as
         * indexed stays one click away. */
        sok_buf_puts(b, " <a class=\"text\" href=\"", rc);
        put_own(b, "/doc/", rc);
        put_html_str(b, jstr(d, "id"), rc);
        if (req->qlen > 0) {
            sok_buf_puts(b, "?q=", rc);
            sok_render_urlenc(b, req->q, req->qlen, rc);
        }
        sok_buf_puts(b, "\">Visa text</a>", rc);
    }
    sok_buf_puts(b, "</p>\n<p class=\"snippet\">", rc);
    sok_buf_puts(b, h->snippet ? h->snippet : "", rc);  /* already HTML */
    sok_buf_puts(b, "</p>\n", rc);
    also_html(b, req, h, rc);
    sok_buf_puts(b, "</li>\n", rc);
}

static void put_quoted_q(struct sok_buf *b, const struct sok_search_req *req,
                         int *rc)
{
    sok_buf_puts(b, "”<span class=\"q\">", rc);
    sok_buf_html(b, req->q, req->qlen, rc);
    sok_buf_puts(b, "</span>”", rc);
}

/* How the query was read other than as typed, in one discreet line. */
static void notices(struct sok_buf *b, unsigned bits, int *rc)
{
    if (bits == 0)
        return;
    sok_buf_puts(b, "<p class=\"notice\">", rc);
    for (unsigned bit = 0, n = 0; bit < SOK_QNOTICE_COUNT; bit++)
        if (bits & (1u << bit)) {
            if (n++)
                sok_buf_putc(b, ' ', rc);
            put_html_str(b, sok_query_notice(bit)->sv, rc);
        }
    sok_buf_puts(b, "</p>\n", rc);
}

/* One link a filter that emptied the list, to take it off, with what the
 * list then holds. */
static void unfilter_link(struct sok_buf *b, const struct sok_search_req *v,
                          const char *what, unsigned long n, int *rc)
{
    sok_buf_puts(b, "<li><a href=\"", rc);
    page_link(b, v, 1, rc);
    sok_buf_printf(b, rc, "\">Ta bort %s (%lu %s)</a></li>\n", what, n,
                   n == 1 ? "träff" : "träffar");
}

/* For a list a filter emptied: a link taking off each filter that would
 * give it hits, and one taking off every filter when there are several. */
static void unfilter_links(struct sok_buf *b, const struct sok_search_req *req,
                           const struct sok_search_res *res, int *rc)
{
    int dates = req->from[0] || req->to[0], both = req->types && dates;
    if (!res->total_without_types && !res->total_without_dates && !both)
        return;
    struct sok_search_req v = *req;
    sok_buf_puts(b, "<ul class=\"unfilter\">\n", rc);
    if (res->total_without_types > 0) {
        v.types = 0;
        unfilter_link(b, &v, "filtret på typ", res->total_without_types, rc);
        v.types = req->types;
    }
    if (res->total_without_dates > 0) {
        v.from[0] = v.to[0] = '\0';
        unfilter_link(b, &v, "filtret på datum", res->total_without_dates,
                      rc);
    }
    if (both) {
        v = *req;
        v.types = 0;
        v.from[0] = v.to[0] = '\0';
        sok_buf_puts(b, "<li><a href=\"", rc);
        page_link(b, &v, 1, rc);
        sok_buf_puts(b, "\">Sök utan filter</a></li>\n", rc);
    }
    sok_buf_puts(b, "</ul>\n", rc);
}

static void results(struct sok_buf *b, const struct sok_search_req *req,
                    const struct sok_search_res *res, int *rc)
{
    unsigned long first = (unsigned long)(req->page - 1) * req->per_page + 1;
    sok_buf_puts(b, "<h2 id=\"status\" class=\"status\" tabindex=\"-1\">",
                 rc);
    if (res->nhits > 0) {
        /* Past SOK_FACET_CHECK matches the total is an estimate. */
        sok_buf_printf(b, rc, "Visar %lu–%lu av %s%lu %s för ", first,
                       first + res->nhits - 1,
                       res->total_exact ? "" : "cirka ", res->total,
                       res->total == 1 ? "träff" : "träffar");
        put_quoted_q(b, req, rc);
    } else if (res->total > 0) {
        sok_buf_printf(b, rc, "Inga fler träffar på sida %u för ",
                       req->page);
        put_quoted_q(b, req, rc);
        sok_buf_puts(b, "</h2>\n<p><a href=\"", rc);
        page_link(b, req, 1, rc);
        sok_buf_printf(b, rc, "\">Till första sidan av %lu %s</a></p>\n",
                       res->total, res->total == 1 ? "träff" : "träffar");
        return;
    } else {
        sok_buf_puts(b, "Inga träffar för ", rc);
        put_quoted_q(b, req, rc);
    }
    sok_buf_puts(b, "</h2>\n", rc);
    /* The shards' addresses are the operator's business, not the page's. */
    if (res->missing)
        sok_buf_puts(b, "<p class=\"partial\">Några träffar kan saknas: en "
                     "del av sökindexet svarar inte just nu.</p>\n", rc);
    if (res->suggestion != NULL) {
        sok_buf_puts(b, "<p class=\"suggestion\">Menade du <a href=\"", rc);
        put_own(b, "/?q=", rc);
        sok_render_urlenc(b, res->suggestion, strlen(res->suggestion), rc);
        sok_buf_puts(b, "\">", rc);
        put_html_str(b, res->suggestion, rc);
        sok_buf_puts(b, "</a>?</p>\n", rc);
    }
    notices(b, res->notices, rc);
    if (res->relaxed)
        sok_buf_puts(b, "<p class=\"info\">Inga träffar på alla ord – här "
                        "är träffar på några av dem.</p>\n", rc);
    if (res->total == 0) {
        sok_buf_puts(b, "<p class=\"info\">Kontrollera stavningen eller "
                        "prova andra eller färre ord.</p>\n", rc);
        unfilter_links(b, req, res, rc);
        return;
    }
    sok_buf_puts(b, "<div class=\"layout\">\n", rc);
    filters(b, req, res, rc);
    sok_buf_puts(b, "<section class=\"hits-wrap\" aria-labelledby=\"h-h\">\n"
                    "<h2 id=\"h-h\" class=\"sr-only\">Träffar</h2>\n", rc);
    sok_buf_printf(b, rc, "<ol class=\"hits\" start=\"%lu\">\n", first);
    for (size_t i = 0; i < res->nhits; i++)
        hit_html(b, req, &res->hits[i], rc);
    sok_buf_puts(b, "</ol>\n", rc);
    pager(b, req, res, rc);
    sok_buf_puts(b, "</section>\n</div>\n", rc);
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
        sok_buf_puts(&t, "”", &trc);
        sok_buf_append(&t, q, qlen, &trc);
        sok_buf_puts(&t, "”", &trc);
        if (req->page > 1)
            sok_buf_printf(&t, &trc, " – sida %u", req->page);
        sok_buf_puts(&t, " – Sök", &trc);
        page_head(b, trc ? "Sök" : t.p, trc ? 4 : t.n, rc);
        sok_buf_free(&t);
    } else {
        page_head(b, "Sök", 4, rc);
    }
    sok_buf_puts(b, "<h1>Sök</h1>\n", rc);
    search_form(b, q, qlen, rc);
    sok_buf_puts(b, "<div id=\"results\" class=\"results\">\n", rc);
    if (error != NULL) {
        sok_buf_puts(b, "<h2 id=\"status\" class=\"status\" tabindex=\"-1\">"
                        "Sökningen kunde inte göras</h2>\n"
                        "<p class=\"error\">", rc);
        put_html_str(b, error, rc);
        sok_buf_puts(b, "</p>\n", rc);
        if (q != NULL && qlen > 0) {
            sok_buf_puts(b, "<p class=\"info\">Du sökte på ”<span "
                            "class=\"q\">", rc);
            sok_buf_html(b, q, qlen, rc);
            sok_buf_puts(b, "</span>”.</p>\n", rc);
        }
    } else if (req != NULL && res != NULL) {
        results(b, req, res, rc);
    }
    sok_buf_puts(b, "</div>\n", rc);
    page_foot(b, rc);
}

static void doc_link(struct sok_buf *b, const char *id, const char *q,
                     int *rc)
{
    put_own(b, "/doc/", rc);
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
    {
        struct sok_buf t = SOK_BUF_INIT;
        int trc = 0;
        sok_buf_puts(&t, *title ? title : "Avsnitt", &trc);
        sok_buf_puts(&t, " – Sök", &trc);
        page_head(b, trc ? "Sök" : t.p, trc ? 4 : t.n, rc);
        sok_buf_free(&t);
    }
    sok_buf_puts(b, "<p class=\"back\"><a href=\"", rc);
    put_own(b, "/", rc);
    if (q != NULL && *q) {
        sok_buf_puts(b, "?q=", rc);
        sok_render_urlenc(b, q, strlen(q), rc);
        sok_buf_puts(b, "\">Tillbaka till träffarna</a></p>\n", rc);
    } else {
        sok_buf_puts(b, "\">Till sökningen</a></p>\n", rc);
    }
    sok_buf_puts(b, "<article class=\"doc\">\n<h1>", rc);
    put_html_str(b, *title ? title : UNTITLED, rc);
    sok_buf_puts(b, "</h1>\n<dl class=\"facts\">\n", rc);
    const char *dt = jstr(doc, "doc_title");
    if (*dt) {
        sok_buf_puts(b, "<div><dt>Dokument</dt><dd>", rc);
        put_html_str(b, dt, rc);
        sok_buf_puts(b, "</dd></div>\n", rc);
    }
    sok_buf_puts(b, "<div><dt>Typ</dt><dd>", rc);
    put_html_str(b, sok_render_type_sv(jstr(doc, "type")), rc);
    sok_buf_puts(b, "</dd></div>\n", rc);
    if (*jstr(doc, "date")) {
        sok_buf_puts(b, "<div><dt>Datum</dt><dd>", rc);
        sok_render_date_sv(b, jstr(doc, "date"), rc);
        sok_buf_puts(b, "</dd></div>\n", rc);
    }
    json_int_t ord = json_integer_value(json_object_get(doc, "ordinal"));
    json_int_t nsec = json_integer_value(json_object_get(doc, "nsections"));
    if (nsec > 1 && ord >= 0 && ord < nsec)
        sok_buf_printf(b, rc, "<div><dt>Avsnitt</dt><dd>%lld av %lld</dd>"
                              "</div>\n", (long long)ord + 1,
                       (long long)nsec);
    sok_buf_puts(b, "</dl>\n<div class=\"text\">\n", rc);
    sok_buf_puts(b, body_html, rc);
    sok_buf_puts(b, "</div>\n</article>\n", rc);
    const char *prev = jstr(doc, "prev"), *next = jstr(doc, "next");
    const char *url = jstr(doc, "url");
    int orig = strncmp(url, "http://", 7) == 0 ||
               strncmp(url, "https://", 8) == 0;
    if (*prev || *next || orig) {
        sok_buf_puts(b, "<nav class=\"sections\" aria-label=\"Avsnitt i "
                        "dokumentet\">\n<ul>\n", rc);
        if (*prev) {
            sok_buf_puts(b, "<li><a rel=\"prev\" href=\"", rc);
            doc_link(b, prev, q, rc);
            sok_buf_puts(b, "\">← Föregående avsnitt</a></li>\n", rc);
        }
        if (*next) {
            sok_buf_puts(b, "<li><a rel=\"next\" href=\"", rc);
            doc_link(b, next, q, rc);
            sok_buf_puts(b, "\">Nästa avsnitt →</a></li>\n", rc);
        }
        if (orig) {
            sok_buf_puts(b, "<li><a href=\"", rc);
            put_html_str(b, url, rc);
            sok_buf_puts(b, "\">Originalet</a></li>\n", rc);
        }
        sok_buf_puts(b, "</ul>\n</nav>\n", rc);
    }
    /* The file's name only: where the index reads from is the operator's
     * business, not the reader's. */
    const char *src = jstr(doc, "source"), *slash = strrchr(src, '/');
    if (slash != NULL)
        src = slash + 1;
    if (*src) {
        sok_buf_puts(b, "<p class=\"source\">Källa: <span>", rc);
        put_html_str(b, src, rc);
        sok_buf_puts(b, "</span></p>\n", rc);
    }
    sok_buf_puts(b, "<h2 class=\"again\">Ny sökning</h2>\n", rc);
    search_form(b, q, q ? strlen(q) : 0, rc);
    page_foot(b, rc);
}

void sok_render_error_html(struct sok_buf *b, int status, const char *msg,
                           int *rc)
{
    char title[32];
    snprintf(title, sizeof title, "Fel %d", status);
    page_head(b, title, strlen(title), rc);
    sok_buf_puts(b, "<h1>", rc);
    put_html_str(b, title, rc);
    sok_buf_puts(b, "</h1>\n<p class=\"error\">", rc);
    put_html_str(b, msg, rc);
    sok_buf_puts(b, "</p>\n<p><a href=\"", rc);
    put_own(b, "/\">Till sökningen</a></p>\n", rc);
    page_foot(b, rc);
}
