/*
 * sok_extract_md: Markdown into blocks, through md4c.  Markdown states its
 * structure, so its headings keep their levels; inline markup (emphasis,
 * links, code spans) is dropped while its text stays, raw HTML is dropped
 * whole, list items keep a bullet or their number, and table cells are
 * joined with " | ".  A YAML front-matter block at the top gives the title and URL.
 * Also decides whether a .txt file is Markdown in disguise.
 */
#include "sok_extract.h"
#include "sok_buf.h"
#include "sok_text.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <md4c.h>
#include <libxml/HTMLparser.h>     /* htmlEntityLookup: entity names */

int sok_extract_looks_markdown(const char *s, size_t len)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && s[e] != '\n')
            e++;
        size_t j = i, sp = 0;
        while (j < e && s[j] == ' ' && sp < 3) {
            j++;
            sp++;
        }
        size_t h = 0;
        while (j + h < e && s[j + h] == '#')
            h++;
        if (h >= 1 && h <= 6 && j + h < e && s[j + h] == ' ' && ++n >= 2)
            return 1;
        i = e + 1;
    }
    return 0;
}

/* The state of one md_parse() run: md4c calls back into it per block,
 * span and text run. */
struct md_ctx {
    struct sok_extracted *x;
    struct sok_buf cur;     /* block being collected */
    int level;              /* heading level of cur, 0 for body */
    int list_depth;
    unsigned ol_next[16];   /* next number per ordered-list depth, 0: ul */
    int in_table_row_cells;
    int rc;
};

static void md_flush(struct md_ctx *c)
{
    sok_extracted_add(c->x, c->level, c->cur.p, c->cur.n, NULL, &c->rc);
    sok_buf_reset(&c->cur);
    c->level = 0;
}

static void md_newline(struct md_ctx *c)
{
    if (c->cur.n && c->cur.p[c->cur.n - 1] != '\n')
        sok_buf_putc(&c->cur, '\n', &c->rc);
}

/* Blocks that are paragraphs of their own at both ends. */
static int stands_apart(MD_BLOCKTYPE t)
{
    return t == MD_BLOCK_CODE || t == MD_BLOCK_HTML || t == MD_BLOCK_TABLE ||
           t == MD_BLOCK_QUOTE;
}

/* Inside a list the items run on; outside, a block ends the paragraph. */
static void flush_outside_list(struct md_ctx *c)
{
    if (c->list_depth == 0)
        md_flush(c);
}

static int md_enter(MD_BLOCKTYPE t, void *detail, void *ud)
{
    struct md_ctx *c = ud;
    switch (t) {
    case MD_BLOCK_H:
        md_flush(c);
        c->level = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        if (c->list_depth == 0)
            md_flush(c);
        if (c->list_depth < 16)
            c->ol_next[c->list_depth] = t == MD_BLOCK_OL
                ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
        c->list_depth++;
        break;
    case MD_BLOCK_LI: {
        md_newline(c);
        int d = c->list_depth - 1;
        if (d >= 0 && d < 16 && c->ol_next[d])
            sok_buf_printf(&c->cur, &c->rc, "%u. ", c->ol_next[d]++);
        else
            sok_buf_puts(&c->cur, "\xE2\x80\xA2 ", &c->rc);   /* "• " */
        break;
    }
    case MD_BLOCK_P:
        if (c->list_depth == 0)
            md_flush(c);
        else if (c->cur.n && c->cur.p[c->cur.n - 1] != ' ')
            md_newline(c);
        break;
    case MD_BLOCK_TR:
        md_newline(c);
        c->in_table_row_cells = 0;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        if (c->in_table_row_cells++)
            sok_buf_puts(&c->cur, " | ", &c->rc);
        break;
    default:
        if (t == MD_BLOCK_HR || stands_apart(t))
            flush_outside_list(c);
        break;
    }
    return c->rc ? 1 : 0;
}

static int md_leave(MD_BLOCKTYPE t, void *detail, void *ud)
{
    struct md_ctx *c = ud;
    (void)detail;
    switch (t) {
    case MD_BLOCK_H:
        md_flush(c);
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        if (--c->list_depth == 0)
            md_flush(c);
        break;
    default:
        if (t == MD_BLOCK_P || stands_apart(t))
            flush_outside_list(c);
        break;
    }
    return c->rc ? 1 : 0;
}

static int md_span(MD_SPANTYPE t, void *detail, void *ud)
{
    (void)t;
    (void)detail;
    (void)ud;
    return 0;   /* inline markup is dropped; its text still arrives */
}

static void put_cp(struct sok_buf *b, unsigned cp, int *rc)
{
    char u[4];
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    sok_buf_append(b, u, sok_utf8_encode((int32_t)cp, u), rc);
}

/* "&amp;", "&#228;", "&#xE4;" -> UTF-8; unknown entities stay as written. */
static void put_entity(struct sok_buf *b, const char *e, size_t n, int *rc)
{
    if (n >= 4 && e[0] == '&' && e[1] == '#' && e[n - 1] == ';') {
        int hex = e[2] == 'x' || e[2] == 'X';
        char tmp[16];
        size_t dn = n - 3 - (size_t)hex;
        if (dn > 0 && dn < sizeof tmp) {
            memcpy(tmp, e + 2 + hex, dn);
            tmp[dn] = '\0';
            char *end;
            unsigned long v = strtoul(tmp, &end, hex ? 16 : 10);
            if (*end == '\0') {
                put_cp(b, v > 0x10FFFF ? 0xFFFD : (unsigned)v, rc);
                return;
            }
        }
    } else if (n >= 3 && n < 40 && e[0] == '&' && e[n - 1] == ';') {
        char name[40];
        memcpy(name, e + 1, n - 2);
        name[n - 2] = '\0';
        const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
        if (d) {
            put_cp(b, d->value, rc);
            return;
        }
    }
    sok_buf_append(b, e, n, rc);
}

static int md_text(MD_TEXTTYPE t, const MD_CHAR *text, MD_SIZE size,
                   void *ud)
{
    struct md_ctx *c = ud;
    switch (t) {
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_LATEXMATH:
        sok_buf_append(&c->cur, text, size, &c->rc);
        break;
    case MD_TEXT_ENTITY:
        put_entity(&c->cur, text, size, &c->rc);
        break;
    case MD_TEXT_BR:
        sok_buf_putc(&c->cur, '\n', &c->rc);
        break;
    case MD_TEXT_SOFTBR:
        sok_buf_putc(&c->cur, ' ', &c->rc);
        break;
    case MD_TEXT_NULLCHAR:
        sok_buf_puts(&c->cur, "\xEF\xBF\xBD", &c->rc);
        break;
    case MD_TEXT_HTML:      /* raw HTML tags: markup, not text */
    default:
        break;
    }
    return c->rc ? 1 : 0;
}

/* A front-matter block "---\nkey: value\n...\n---" at the very top.
 * Returns the number of bytes it spans (0 when there is none) and takes
 * url: and title: from it. */
static size_t front_matter(const char *s, size_t len, struct sok_extracted *x,
                           int *rc)
{
    if (len < 4 || memcmp(s, "---\n", 4) != 0)
        return 0;
    size_t i = 4;
    while (i < len) {
        size_t e = i;
        while (e < len && s[e] != '\n')
            e++;
        if ((e - i == 3 && (!memcmp(s + i, "---", 3) ||
                            !memcmp(s + i, "...", 3))))
            return e < len ? e + 1 : e;
        const char *colon = memchr(s + i, ':', e - i);
        /* YAML lines: "key: value", continuations, list items, comments;
         * anything else means the "---" was a thematic break. */
        if (!colon && e > i && s[i] != ' ' && s[i] != '-' && s[i] != '#')
            break;
        if (colon) {
            size_t kn = (size_t)(colon - (s + i));
            const char *v = colon + 1;
            const char *ve = s + e;
            while (v < ve && *v == ' ')
                v++;
            while (ve > v && ve[-1] == ' ')
                ve--;
            if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
                v++;
                ve--;
            }
            char **dst = NULL;
            if (kn == 3 && !strncasecmp(s + i, "url", 3))
                dst = &x->url;
            else if (kn == 5 && !strncasecmp(s + i, "title", 5))
                dst = &x->title;
            if (dst && ve > v && *dst == NULL &&
                (*dst = strndup(v, (size_t)(ve - v))) == NULL)
                *rc = SOK_ENOMEM;
        }
        i = e + 1;
    }
    /* no closing line or not YAML: a thematic break, not front matter */
    free(x->url);
    free(x->title);
    x->url = x->title = NULL;
    return 0;
}

int sok_extract_markdown(const char *s, size_t len, struct sok_extracted *x,
                         struct sok_err *err)
{
    struct md_ctx c;
    memset(&c, 0, sizeof c);
    c.x = x;
    size_t skip = front_matter(s, len, x, &c.rc);
    if (c.rc)
        return sok_err_set(err, c.rc, "out of memory reading front matter");
    if (len - skip > UINT_MAX)
        return sok_err_set(err, SOK_ETOOBIG, "Markdown text too large");

    MD_PARSER p;
    memset(&p, 0, sizeof p);
    p.abi_version = 0;
    p.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS |
              MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS;
    p.enter_block = md_enter;
    p.leave_block = md_leave;
    p.enter_span = md_span;
    p.leave_span = md_span;
    p.text = md_text;
    int r = md_parse(s + skip, (MD_SIZE)(len - skip), &p, &c);
    if (!c.rc)
        md_flush(&c);
    sok_buf_free(&c.cur);
    if (c.rc)
        return sok_err_set(err, c.rc, "out of memory rendering Markdown");
    if (r != 0)
        return sok_err_set(err, SOK_EFORMAT, "Markdown parser failed (%d)",
                           r);
    return 0;
}
