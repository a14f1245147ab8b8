/*
 * render_json: the JSON bodies of /api/search and /api/suggest (see
 * render.h).  Everything goes through sok_buf_json_str, which also escapes
 * < > &, so JSON is never sniffed as HTML.
 */
#include "render.h"
#include "shards.h"
#include "query.h"
#include "sok_terms.h"
#include "sok_doc.h"

#include <stdio.h>
#include <stdlib.h>
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

/* A hit's url: our own /doc/<id> under the base path (render.h). */
static void put_url(struct sok_buf *b, const json_t *v, int *rc)
{
    const char *u = json_string_value(v);
    if (u != NULL && strncmp(u, "/doc/", 5) == 0 && *sok_render_base()) {
        sok_buf_putc(b, '"', rc);
        sok_buf_json_str(b, sok_render_base(), strlen(sok_render_base()), rc);
        sok_buf_json_str(b, u, json_string_length(v), rc);
        sok_buf_putc(b, '"', rc);
    } else {
        put_jstr(b, v, rc);
    }
}

static void put_qstr(struct sok_buf *b, const char *s, size_t len, int *rc)
{
    sok_buf_putc(b, '"', rc);
    sok_buf_json_str(b, s, len, rc);
    sok_buf_putc(b, '"', rc);
}

/* The hit's title_html, or (a result built without one) its title
 * escaped. */
static void put_title_json(struct sok_buf *b, const struct sok_search_hit *h,
                           int *rc)
{
    if (h->title_html != NULL) {
        sok_buf_json_qstr(b, h->title_html, rc);
        return;
    }
    const json_t *t = json_object_get(h->doc, "title");
    struct sok_buf e = SOK_BUF_INIT;
    int erc = 0;
    if (json_is_string(t))
        sok_buf_html(&e, json_string_value(t), json_string_length(t), &erc);
    if (erc != 0)
        *rc = erc;
    else
        put_qstr(b, e.n ? e.p : "", e.n, rc);
    sok_buf_free(&e);
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
    sok_buf_puts(b, ",\"notices\":[", rc);
    for (unsigned bit = 0, n = 0; bit < SOK_QNOTICE_COUNT; bit++) {
        if (!(res->notices & (1u << bit)))
            continue;
        const struct sok_qnotice *qn = sok_query_notice(bit);
        sok_buf_puts(b, n++ ? ",{\"code\":" : "{\"code\":", rc);
        sok_buf_json_qstr(b, qn->code, rc);
        sok_buf_puts(b, ",\"message\":", rc);
        sok_buf_json_qstr(b, qn->en, rc);
        sok_buf_putc(b, '}', rc);
    }
    sok_buf_puts(b, "],\"hits\":[", rc);
    static const char *const fields[] = { "id", "title", "doc_title", "url",
                                          "source", "type", "date" };
    for (size_t i = 0; i < res->nhits; i++) {
        const struct sok_search_hit *h = &res->hits[i];
        sok_buf_puts(b, i ? ",{" : "{", rc);
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            sok_buf_printf(b, rc, "%s\"%s\":", k ? "," : "", fields[k]);
            (k == 3 ? put_url : put_jstr)(b, json_object_get(h->doc,
                                                             fields[k]), rc);
        }
        sok_buf_printf(b, rc, ",\"score\":%.4f,\"collapsed\":%u,"
                       "\"recommended\":%s,\"snippet\":", h->score,
                       h->collapsed, h->recommended ? "true" : "false");
        sok_buf_json_qstr(b, h->snippet, rc);
        sok_buf_puts(b, ",\"title_html\":", rc);
        put_title_json(b, h, rc);
        sok_buf_puts(b, ",\"also\":[", rc);
        for (size_t k = 0; k < json_array_size(h->also); k++) {
            const json_t *a = json_array_get(h->also, k);
            static const char *const afields[] = { "url", "source", "id" };
            sok_buf_puts(b, k ? ",{" : "{", rc);
            for (size_t f = 0; f < 3; f++) {
                sok_buf_printf(b, rc, "%s\"%s\":", f ? "," : "", afields[f]);
                (f == 0 ? put_url : put_jstr)(b, json_object_get(a,
                                                          afields[f]), rc);
            }
            sok_buf_putc(b, '}', rc);
        }
        sok_buf_puts(b, "]}", rc);
    }
    sok_buf_puts(b, "],\"facets\":{\"type\":", rc);
    put_facet(b, sok_render_facet(res, SOK_SLOT_TYPE), rc);
    sok_buf_puts(b, ",\"year\":", rc);
    put_facet(b, sok_render_facet(res, SOK_SLOT_YEAR), rc);
    sok_buf_puts(b, res->facets_exact ? "},\"facets_exact\":true"
                                      : "},\"facets_exact\":false", rc);
    /* With --shards: whether some shard is missing from the answer, and
     * which (named as in the shards file). */
    sok_buf_puts(b, res->missing ? ",\"partial\":true,\"missing\":["
                                 : ",\"partial\":false,\"missing\":[", rc);
    for (size_t i = 0, n = 0; res->missing && i < 64; i++)
        if (res->missing & ((uint64_t)1 << i)) {
            if (n++)
                sok_buf_putc(b, ',', rc);
            sok_buf_json_qstr(b, sok_shards_name(res->shards, i), rc);
        }
    sok_buf_puts(b, "]}\n", rc);
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

