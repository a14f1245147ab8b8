/*
 * sok_extract_html: HTML into blocks, through libxml2's forgiving HTML
 * parser.  Only the main content counts (<main>, role="main", a single
 * <article>, else <body>); navigation, page headers and footers,
 * scripts, styles, embedded frames and graphics, form controls and hidden
 * elements are skipped.  Headings keep their levels and the
 * fragment that links to them (anchor); block elements end paragraphs,
 * and a paragraph that is nearly all links is marked so (a menu left in
 * the main content, a table of contents).
 * The title comes from <title> (else the first <h1>), the URL from
 * <link rel="canonical">.
 */
#include "sok_extract.h"
#include "sok_buf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/* Deeper nesting than this is ignored rather than recursed into. */
#define HTML_MAX_DEPTH 1000

/* The state of one walk over the main content. */
struct html_ctx {
    struct sok_extracted *x;
    struct sok_buf para;      /* paragraph being collected */
    size_t link_bytes;        /* of para, inside <a href> */
    unsigned gen;             /* paragraphs flushed so far */
    int pre;          /* inside <pre>: keep line breaks */
    int rc;
};

/* A paragraph is links (a menu, a list of links) when this share of its
 * text is inside <a href>. */
#define LINK_SHARE 0.9

static int name_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name &&
           !strcasecmp((const char *)n->name, name);
}

static int name_in(const xmlNode *n, const char *const *list)
{
    for (; *list; list++)
        if (name_is(n, *list))
            return 1;
    return 0;
}

static const char *const html_skip[] = {
    "script", "style", "nav", "header", "footer", "noscript", "template",
    "head", "svg", "iframe", "select", "button", NULL
};

/* Elements that end and begin a paragraph. */
static const char *const html_block[] = {
    "p", "div", "li", "br", "tr", "ul", "ol", "dl", "dt", "dd", "table",
    "section", "article", "main", "aside", "blockquote", "pre", "figure",
    "figcaption", "form", "fieldset", "hr", "address", "details", "summary",
    "h1", "h2", "h3", "h4", "h5", "h6", "caption", "body", NULL
};

static int heading_level(const xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    const char *nm = (const char *)n->name;
    if ((nm[0] == 'h' || nm[0] == 'H') && nm[1] >= '1' && nm[1] <= '6' &&
        nm[2] == '\0')
        return nm[1] - '0';
    return 0;
}

/* Elements whose text is not content: html_skip, or marked hidden. */
static int is_skipped(const xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE)
        return 0;
    if (name_in(n, html_skip))
        return 1;
    return xmlHasProp(n, (const xmlChar *)"hidden") != NULL;
}

/* Appends text with HTML white-space collapsing (runs of blanks become one
 * space; inside <pre> line breaks are kept). */
static void html_put_text(struct sok_buf *b, const char *t, int pre, int *rc)
{
    for (; *t && !*rc; t++) {
        char c = *t;
        if (c == '\n' && pre) {
            sok_buf_putc(b, '\n', rc);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (b->n && b->p[b->n - 1] != ' ' && b->p[b->n - 1] != '\n')
                sok_buf_putc(b, ' ', rc);
            continue;
        }
        sok_buf_putc(b, c, rc);
    }
}

/* All the text under n (but what is_skipped() skips), for headings and
 * the title. */
static void html_collect(const xmlNode *n, struct sok_buf *b, int depth,
                         int *rc)
{
    for (const xmlNode *c = n->children; c && !*rc; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                html_put_text(b, (const char *)c->content, 0, rc);
        } else if (c->type == XML_ELEMENT_NODE && !is_skipped(c) &&
                   depth < HTML_MAX_DEPTH) {
            if (name_is(c, "br"))
                sok_buf_putc(b, ' ', rc);
            html_collect(c, b, depth + 1, rc);
        }
    }
}

/* The value of attribute name of n, malloc()ed; NULL when it is absent or
 * empty (or memory ran out: an anchor or URL is then missing, no more). */
static char *prop_dup(const xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (v == NULL)
        return NULL;
    char *r = NULL;
    if (*v)
        r = strdup((const char *)v);
    xmlFree(v);
    return r;
}

/* An <a name> / <a id> under n, depth-first. */
static char *anchor_in(const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (name_is(c, "a")) {
            char *a = prop_dup(c, "id");
            if (a == NULL)
                a = prop_dup(c, "name");
            if (a)
                return a;
        }
        if (depth < HTML_MAX_DEPTH) {
            char *a = anchor_in(c, depth + 1);
            if (a)
                return a;
        }
    }
    return NULL;
}

/* The fragment that links to heading h: its id, an <a name|id> inside it,
 * an empty <a name|id> right before it, or the id of the enclosing
 * <section>/<article>.  malloc()ed or NULL. */
static char *heading_anchor(const xmlNode *h)
{
    char *a = prop_dup(h, "id");
    if (a == NULL)
        a = anchor_in(h, 0);
    if (a == NULL) {
        const xmlNode *p = h->prev;
        while (p && p->type == XML_TEXT_NODE && p->content &&
               strspn((const char *)p->content, " \t\r\n") ==
                   strlen((const char *)p->content))
            p = p->prev;
        if (p && name_is(p, "a") && p->children == NULL) {
            a = prop_dup(p, "id");
            if (a == NULL)
                a = prop_dup(p, "name");
        }
    }
    for (const xmlNode *p = h->parent; a == NULL && p; p = p->parent)
        if (name_is(p, "section") || name_is(p, "article"))
            a = prop_dup(p, "id");
    return a;
}

static void html_flush(struct html_ctx *c)
{
    enum sok_block_kind k = c->para.n && c->link_bytes >=
                            LINK_SHARE * c->para.n ? SOK_BLOCK_LINKS
                                                   : SOK_BLOCK_TEXT;
    sok_extracted_add_at(c->x, 0, c->para.p, c->para.n, 0, k, &c->rc);
    sok_buf_reset(&c->para);
    c->link_bytes = 0;
    c->gen++;
}

static void html_walk(struct html_ctx *c, const xmlNode *n, int depth)
{
    for (const xmlNode *k = n->children; k && !c->rc; k = k->next) {
        if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) {
            if (k->content)
                html_put_text(&c->para, (const char *)k->content, c->pre,
                              &c->rc);
            continue;
        }
        if (k->type != XML_ELEMENT_NODE || is_skipped(k) ||
            depth >= HTML_MAX_DEPTH)
            continue;
        int lvl = heading_level(k);
        if (lvl) {
            html_flush(c);
            struct sok_buf t = SOK_BUF_INIT;
            html_collect(k, &t, depth + 1, &c->rc);
            char *an = heading_anchor(k);
            sok_extracted_add(c->x, lvl, t.p, t.n, an, &c->rc);
            free(an);
            sok_buf_free(&t);
            continue;
        }
        int block = name_in(k, html_block);
        if (block)
            html_flush(c);
        else if (name_is(k, "td") || name_is(k, "th"))
            html_put_text(&c->para, " ", 0, &c->rc);
        int was_pre = c->pre;
        if (name_is(k, "pre"))
            c->pre = 1;
        int link = name_is(k, "a") && xmlHasProp(k, (const xmlChar *)"href");
        size_t before = c->para.n;
        unsigned gen = c->gen;
        html_walk(c, k, depth + 1);
        if (link && gen == c->gen && c->para.n > before)
            c->link_bytes += c->para.n - before;
        c->pre = was_pre;
        if (block)
            html_flush(c);
    }
}

/* Depth-first search for the first element satisfying pred. */
static const xmlNode *html_find(const xmlNode *n, int (*pred)(const xmlNode *),
                                int depth)
{
    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (pred(c))
            return c;
        if (depth < HTML_MAX_DEPTH) {
            const xmlNode *r = html_find(c->children, pred, depth + 1);
            if (r)
                return r;
        }
    }
    return NULL;
}

static size_t html_count(const xmlNode *n, int (*pred)(const xmlNode *),
                         int depth)
{
    size_t k = 0;
    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (pred(c))
            k++;
        else if (depth < HTML_MAX_DEPTH)
            k += html_count(c->children, pred, depth + 1);
    }
    return k;
}

static int is_main(const xmlNode *n) { return name_is(n, "main"); }
static int is_article(const xmlNode *n) { return name_is(n, "article"); }
static int is_title(const xmlNode *n) { return name_is(n, "title"); }
static int is_body(const xmlNode *n) { return name_is(n, "body"); }
static int is_h1(const xmlNode *n) { return name_is(n, "h1"); }

static int is_role_main(const xmlNode *n)
{
    xmlChar *r = xmlGetProp(n, (const xmlChar *)"role");
    int yes = r && !strcasecmp((const char *)r, "main");
    xmlFree(r);
    return yes;
}

static int is_canonical(const xmlNode *n)
{
    if (!name_is(n, "link"))
        return 0;
    xmlChar *r = xmlGetProp(n, (const xmlChar *)"rel");
    int yes = 0;
    if (r) {
        /* rel is a space-separated token list */
        char *save = NULL;
        for (char *t = strtok_r((char *)r, " \t\r\n", &save); t;
             t = strtok_r(NULL, " \t\r\n", &save))
            if (!strcasecmp(t, "canonical"))
                yes = 1;
        xmlFree(r);
    }
    return yes;
}

/* Trimmed, white-space collapsed text of n, malloc()ed; NULL when empty. */
static char *html_text_of(const xmlNode *n, int *rc)
{
    struct sok_buf b = SOK_BUF_INIT;
    html_collect(n, &b, 0, rc);
    while (b.n && b.p[b.n - 1] == ' ')
        b.p[--b.n] = '\0';
    char *r = NULL;
    if (!*rc && b.n) {
        size_t lead = b.p[0] == ' ';
        r = strdup(b.p + lead);
        if (r == NULL)
            *rc = SOK_ENOMEM;
    }
    sok_buf_free(&b);
    return r;
}

/* The element holding the page's main content: <main>, else an element
 * with role="main", else the only <article> (with several, the page is a
 * listing and the whole body counts), else <body>, else the root. */
static const xmlNode *main_content(const xmlNode *root)
{
    const xmlNode *top = html_find(root, is_main, 0);
    if (top == NULL)
        top = html_find(root, is_role_main, 0);
    if (top == NULL && html_count(root, is_article, 0) == 1)
        top = html_find(root, is_article, 0);
    if (top == NULL)
        top = html_find(root, is_body, 0);
    return top ? top : root;
}

int sok_extract_html(const char *s, size_t len, struct sok_extracted *x,
                     struct sok_err *err)
{
    if (len > INT_MAX)
        return sok_err_set(err, SOK_ETOOBIG, "HTML too large");
    /* The bytes are already UTF-8 (repaired), so the encoding is forced:
     * a stale <meta charset> must not make libxml2 re-decode them. */
    htmlDocPtr d = htmlReadMemory(s, (int)len, NULL, "UTF-8",
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                  HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (d == NULL)
        return sok_err_set(err, SOK_EFORMAT, "HTML could not be parsed");
    const xmlNode *root = xmlDocGetRootElement(d);
    struct html_ctx c;
    memset(&c, 0, sizeof c);
    c.x = x;
    if (root) {
        const xmlNode *t = html_find(root, is_title, 0);
        if (t)
            x->title = html_text_of(t, &c.rc);
        const xmlNode *h1 = x->title ? NULL : html_find(root, is_h1, 0);
        if (h1)
            x->title = html_text_of(h1, &c.rc);
        const xmlNode *canon = html_find(root, is_canonical, 0);
        if (canon && !c.rc)
            x->url = prop_dup(canon, "href");
        html_walk(&c, main_content(root), 0);
        html_flush(&c);
    }
    sok_buf_free(&c.para);
    xmlFreeDoc(d);
    if (c.rc)
        return sok_err_set(err, c.rc, "out of memory extracting HTML");
    return 0;
}
