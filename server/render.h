/*
 * render: response bodies.  JSON goes through sok_buf_json_str (which also
 * escapes < > &, so JSON is never sniffed as HTML); HTML through
 * sok_buf_html, except snippets and highlighted text, which snippet.c has
 * already escaped.  Every function appends to b and follows the sok_buf
 * convention: once *rc is set, nothing more happens.
 */
#ifndef SOK_RENDER_H
#define SOK_RENDER_H

#include <jansson.h>
#include "sok_buf.h"
#include "search.h"

/* The facet of value slot slot in res (SOK_SLOT_TYPE, SOK_SLOT_YEAR),
 * NULL when it was not counted. */
struct sok_xfacet;
const struct sok_xfacet *sok_render_facet(const struct sok_search_res *res,
                                          unsigned slot);

/* The /api/search body of CONTRACT.md (render_json.c). */
void sok_render_search_json(struct sok_buf *b,
                            const struct sok_search_req *req,
                            const struct sok_search_res *res, int *rc);

/* {"suggestions": [...]} from a JSON array of strings. */
void sok_render_suggest_json(struct sok_buf *b, const json_t *list, int *rc);

/* The search page.  req and res NULL: the empty form; error non-NULL: the
 * form with that message instead of results. */
void sok_render_page_html(struct sok_buf *b, const struct sok_search_req *req,
                          const struct sok_search_res *res,
                          const char *error, int *rc);

/* The page of one section: its record, the text already turned into HTML
 * (body_html), and q (may be NULL) carried along in the links. */
void sok_render_doc_html(struct sok_buf *b, const json_t *doc,
                         const char *body_html, const char *q, int *rc);

/* A short HTML page for an error on an HTML route. */
void sok_render_error_html(struct sok_buf *b, int status, const char *msg,
                           int *rc);

/* The Swedish name of a type ("minutes" -> "Protokoll/minnesanteckningar");
 * "Övrigt" for NULL or anything unknown.  A static string. */
const char *sok_render_type_sv(const char *type);

/* Appends an ISO date "YYYY-MM-DD" as
 * <time datetime="2017-02-13">13 februari 2017</time>; anything that is
 * not such a date is appended HTML-escaped as it is; NULL or "" appends
 * nothing. */
void sok_render_date_sv(struct sok_buf *b, const char *iso, int *rc);

/* The path every link of ours starts with ("" or "/sok", no trailing
 * '/'): set once before any thread renders; base NULL is "". */
void sok_render_set_base(const char *base);
const char *sok_render_base(void);

/* Appends s[0..len) percent-encoded for a URL query value. */
void sok_render_urlenc(struct sok_buf *b, const char *s, size_t len, int *rc);

#endif /* SOK_RENDER_H */
