/*
 * sok_extract: turns the bytes of each supported format into an extracted
 * document (sok_extract.h): a flat list of headings and body paragraphs.
 * Plain text is split by layout (blank lines, heading-shaped lines, PDF
 * line wraps and hyphenation); Markdown goes through md4c with all inline
 * markup dropped; HTML through libxml2's forgiving HTML parser, keeping the
 * main content and skipping navigation and scripts; PDF through pdftotext
 * in a resource-limited child process, after which it is plain text.
 * Deciding which headings become sections is sok_section.c's job.
 */
#include "sok_extract.h"
#include "sok_clock.h"
#include "sok_doc.h"
#include "sok_section.h"
#include "sok_text.h"
#include "sok_buf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <md4c.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/* ------------------------------------------------------------------ */
/* blocks                                                               */

void sok_xdoc_clear(struct sok_xdoc *x)
{
    if (x == NULL)
        return;
    for (size_t i = 0; i < x->n; i++) {
        free(x->blocks[i].text);
        free(x->blocks[i].anchor);
    }
    free(x->blocks);
    free(x->title);
    free(x->url);
    memset(x, 0, sizeof *x);
}

/* Maps the Unicode spaces and invisibles we normalise at s[i] (valid
 * UTF-8): returns the number of bytes consumed and sets *rep to the
 * replacement (' ', '\n' or 0 for "drop"), or returns 0 when s[i] is not
 * one of them. */
static size_t special_space(const unsigned char *s, size_t len, size_t i,
                            char *rep)
{
    if (s[i] == '\t' || s[i] == '\v') {
        *rep = ' ';
        return 1;
    }
    if (s[i] == 0xC2 && i + 1 < len) {
        if (s[i + 1] == 0xA0) { *rep = ' '; return 2; }    /* NBSP */
        if (s[i + 1] == 0xAD) { *rep = 0; return 2; }      /* soft hyphen */
    }
    if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80) {
        unsigned char c = s[i + 2];
        if (c >= 0x80 && c <= 0x8A) { *rep = ' '; return 3; } /* en/em/thin.. */
        if (c == 0x8B) { *rep = 0; return 3; }                /* ZWSP */
        if (c == 0xAF) { *rep = ' '; return 3; }              /* narrow NBSP */
        if (c == 0xA8 || c == 0xA9) { *rep = '\n'; return 3; }
    }
    if (s[i] == 0xE3 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
        *rep = ' ';                                           /* ideographic */
        return 3;
    }
    if (s[i] == 0xEF && i + 2 < len && s[i + 1] == 0xBB && s[i + 2] == 0xBF) {
        *rep = 0;                                             /* BOM */
        return 3;
    }
    return 0;
}

void sok_xdoc_add(struct sok_xdoc *x, int level, const char *text,
                  size_t len, const char *anchor, int *rc)
{
    if (*rc)
        return;
    /* Collapse blank runs to one space, drop blanks around line breaks and
     * empty lines: a block holds no empty line by contract. */
    struct sok_buf b = SOK_BUF_INIT;
    const unsigned char *s = (const unsigned char *)text;
    sok_buf_reserve(&b, len, rc);
    int pend_space = 0, pend_nl = 0;
    for (size_t i = 0; i < len && !*rc;) {
        char rep;
        size_t k = special_space(s, len, i, &rep);
        char c;
        if (k) {
            i += k;
            if (rep == 0)
                continue;
            c = rep;
        } else {
            c = (char)s[i++];
            if (c == '\r')
                c = '\n';
        }
        if (c == ' ') {
            pend_space = 1;
            continue;
        }
        if (c == '\n') {
            pend_nl = 1;
            pend_space = 0;
            continue;
        }
        if (b.n && pend_nl)
            sok_buf_putc(&b, '\n', rc);
        else if (b.n && pend_space)
            sok_buf_putc(&b, ' ', rc);
        pend_nl = pend_space = 0;
        sok_buf_putc(&b, c, rc);
    }
    if (*rc || b.n == 0) {
        sok_buf_free(&b);
        return;
    }
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 32;
        struct sok_xblock *nb = realloc(x->blocks, cap * sizeof *nb);
        if (nb == NULL) {
            *rc = SOK_ENOMEM;
            sok_buf_free(&b);
            return;
        }
        x->blocks = nb;
        x->cap = cap;
    }
    char *an = NULL;
    if (anchor && *anchor && (an = strdup(anchor)) == NULL) {
        *rc = SOK_ENOMEM;
        sok_buf_free(&b);
        return;
    }
    char *t = sok_buf_detach(&b, NULL);
    if (t == NULL) {
        free(an);
        *rc = SOK_ENOMEM;
        return;
    }
    x->blocks[x->n].level = level;
    x->blocks[x->n].text = t;
    x->blocks[x->n].anchor = an;
    x->n++;
}

/* ------------------------------------------------------------------ */
/* normalisation                                                        */

int sok_extract_normalise(const char *s, size_t len, char **out,
                          size_t *outlen, size_t *nbad, struct sok_err *err)
{
    int rc = 0;
    /* Form feeds (page breaks) must become paragraph breaks before the
     * UTF-8 repair, which turns every other C0 control into a space.  0x0C
     * is never part of a multi-byte sequence, so this is safe on raw
     * bytes. */
    struct sok_buf pre = SOK_BUF_INIT;
    const char *src = s;
    size_t srclen = len;
    if (memchr(s, '\f', len)) {
        for (size_t i = 0; i < len && !rc; i++) {
            if (s[i] == '\f')
                sok_buf_append(&pre, "\n\n", 2, &rc);
            else
                sok_buf_putc(&pre, s[i], &rc);
        }
        if (rc) {
            sok_buf_free(&pre);
            return sok_err_set(err, rc, "out of memory normalising text");
        }
        src = pre.p;
        srclen = pre.n;
    }
    char *rep = NULL;
    size_t replen = 0;
    rc = sok_text_utf8_repair(src, srclen, &rep, &replen, nbad, err);
    sok_buf_free(&pre);
    if (rc)
        return rc;

    struct sok_buf b = SOK_BUF_INIT;
    const unsigned char *u = (const unsigned char *)rep;
    sok_buf_reserve(&b, replen, &rc);
    for (size_t i = 0; i < replen && !rc;) {
        char r;
        /* tabs stay: Markdown indentation counts them as four columns */
        size_t k = u[i] == '\t' ? 0 : special_space(u, replen, i, &r);
        char c;
        if (k) {
            i += k;
            if (r == 0)
                continue;
            c = r;
        } else {
            c = (char)u[i++];
            if (c == '\r') {
                if (i < replen && u[i] == '\n')
                    i++;
                c = '\n';
            }
        }
        sok_buf_putc(&b, c, &rc);
    }
    free(rep);
    if (rc) {
        sok_buf_free(&b);
        return sok_err_set(err, rc, "out of memory normalising text");
    }
    *out = sok_buf_detach(&b, outlen);
    if (*out == NULL)
        return sok_err_set(err, SOK_ENOMEM, "out of memory normalising text");
    return 0;
}

/* ------------------------------------------------------------------ */
/* plain text                                                           */

/* A line at least this long (in characters) was wrapped by the writer's
 * tool, not ended deliberately: the next line continues its paragraph.
 * PDF text wraps near 90-100 characters; names, list items and addresses
 * are far shorter. */
#define WRAP_MIN 60

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

struct line {
    const char *p;    /* trimmed */
    size_t n;
    size_t cps;       /* characters */
};

/* "• x", "- x", "* x", "– x", "o x" (Word's sub-bullet), "1. x", "2) x" */
static int is_list_item(const char *p, size_t n)
{
    if (n >= 2 && (p[0] == '-' || p[0] == '*' || p[0] == 'o') && p[1] == ' ')
        return 1;
    if (n >= 4 && (!memcmp(p, "\xE2\x80\xA2", 3) ||      /* • */
                   !memcmp(p, "\xE2\x80\x93", 3) ||      /* – */
                   !memcmp(p, "\xE2\x97\x8F", 3) ||      /* ● */
                   !memcmp(p, "\xEF\x82\xB7", 3)) && p[3] == ' ')
        return 1;
    size_t d = 0;
    while (d < n && d < 3 && p[d] >= '0' && p[d] <= '9')
        d++;
    return d > 0 && d + 1 < n && (p[d] == '.' || p[d] == ')') &&
           p[d + 1] == ' ';
}

static int is_lower_start(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c = (unsigned char)p[0];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    /* å ä ö é ü ø æ (C3 A0..C3 BF are the Latin-1 lower-case letters) */
    return c == 0xC3 && n > 1 && (unsigned char)p[1] >= 0xA0;
}

/* Appends line l to the paragraph in b, which already ends with line prev:
 * rejoins words hyphenated at the line end, joins wrapped lines with a
 * space and keeps deliberate line breaks as '\n'. */
static void join_line(struct sok_buf *b, const struct line *prev,
                      const struct line *l, int *rc)
{
    if (b->n == 0) {
        sok_buf_append(b, l->p, l->n, rc);
        return;
    }
    const char *pp = prev->p;
    size_t pn = prev->n;
    if (pn >= 2 && pp[pn - 1] == '-' && pp[pn - 2] != ' ' &&
        pp[pn - 2] != '-' && is_lower_start(l->p, l->n) &&
        !is_list_item(l->p, l->n)) {
        /* "skol-\noch fritid": a suspended compound, keep "skol- och" */
        static const char *const conj[] = { "och ", "eller ", "samt ",
                                            "respektive ", "till ", "som " };
        for (size_t k = 0; k < sizeof conj / sizeof conj[0]; k++)
            if (l->n > strlen(conj[k]) &&
                !strncmp(l->p, conj[k], strlen(conj[k]))) {
                sok_buf_putc(b, ' ', rc);
                sok_buf_append(b, l->p, l->n, rc);
                return;
            }
        /* Inside a URL, a path or an already hyphenated compound
         * ("inbjudan-till-...-av-\nsocialtjansten", "IOP-\navtal") the
         * hyphen is real: keep it and join without a space.  Otherwise it
         * is a hyphenation point: drop it. */
        size_t ws = pn - 1;
        while (ws > 0 && pp[ws - 1] != ' ')
            ws--;
        int real = 0;
        for (size_t k = ws; k + 1 < pn; k++)
            if (pp[k] == '-' || pp[k] == '/' || pp[k] == '.' ||
                pp[k] == '@' || (pp[k] >= '0' && pp[k] <= '9') ||
                (pp[k] >= 'A' && pp[k] <= 'Z' && k + 2 == pn))
                real = 1;
        if (!real)
            b->n--, b->p[b->n] = '\0';
        sok_buf_append(b, l->p, l->n, rc);
        return;
    }
    if (prev->cps >= WRAP_MIN && !is_list_item(l->p, l->n))
        sok_buf_putc(b, ' ', rc);
    else
        sok_buf_putc(b, '\n', rc);
    sok_buf_append(b, l->p, l->n, rc);
}

int sok_extract_text(const char *s, size_t len, struct sok_xdoc *x,
                     struct sok_err *err)
{
    int rc = 0;
    size_t nl = 1;
    for (size_t i = 0; i < len; i++)
        nl += s[i] == '\n';
    struct line *L = calloc(nl, sizeof *L);
    unsigned char *head = calloc(nl, 1);
    if (L == NULL || head == NULL) {
        free(L);
        free(head);
        return sok_err_set(err, SOK_ENOMEM, "out of memory splitting text");
    }
    size_t n = 0;
    for (size_t i = 0; i <= len;) {
        size_t e = i;
        while (e < len && s[e] != '\n')
            e++;
        size_t a = i, z = e;
        while (a < z && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\t'))
            z--;
        L[n].p = s + a;
        L[n].n = z - a;
        L[n].cps = sok_utf8_chars(s + a, z - a);
        n++;
        i = e + 1;
    }

    /* Heading lines: heading-shaped, after a blank line (or at the top),
     * and followed by a blank line or by a long (wrapped) paragraph line:
     * PDF text puts the body right under its heading, while a list of
     * short lines ("Ivan Kuzhiov\nGiuliano Silvia") is no heading. */
    for (size_t i = 0; i < n; i++) {
        if (L[i].n == 0 || (i > 0 && L[i - 1].n != 0))
            continue;
        if (i + 1 >= n)
            continue;
        if (L[i + 1].n != 0 && L[i + 1].cps < WRAP_MIN)
            continue;
        if (sok_section_heading_shape(L[i].p, L[i].n))
            head[i] = 1;
    }
    /* A heading must introduce something: the last line is none, and a
     * question or exclamation followed by another heading is the closing
     * remark of what precedes it ("Väl mötta!"), not a title. */
    for (size_t i = n; i-- > 0;) {
        if (!head[i])
            continue;
        size_t j = i + 1;
        while (j < n && L[j].n == 0)
            j++;
        char last = L[i].p[L[i].n - 1];
        if (j >= n || ((last == '?' || last == '!') && head[j]))
            head[i] = 0;
    }

    struct sok_buf para = SOK_BUF_INIT;
    size_t prev = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (L[i].n == 0 || head[i]) {
            sok_xdoc_add(x, 0, para.p, para.n, NULL, &rc);
            sok_buf_reset(&para);
            if (head[i])
                sok_xdoc_add(x, 2, L[i].p, L[i].n, NULL, &rc);
            continue;
        }
        join_line(&para, &L[prev], &L[i], &rc);
        prev = i;
    }
    sok_xdoc_add(x, 0, para.p, para.n, NULL, &rc);
    sok_buf_free(&para);
    free(L);
    free(head);
    x->flat = 1;
    if (rc)
        return sok_err_set(err, rc, "out of memory splitting text");
    return 0;
}

/* ------------------------------------------------------------------ */
/* Markdown                                                             */

struct md_ctx {
    struct sok_xdoc *x;
    struct sok_buf cur;     /* block being collected */
    int level;              /* heading level of cur, 0 for body */
    int list_depth;
    unsigned ol_next[16];   /* next number per ordered-list depth, 0: ul */
    int in_table_row_cells;
    int rc;
};

static void md_flush(struct md_ctx *c)
{
    sok_xdoc_add(c->x, c->level, c->cur.p, c->cur.n, NULL, &c->rc);
    sok_buf_reset(&c->cur);
    c->level = 0;
}

static void md_newline(struct md_ctx *c)
{
    if (c->cur.n && c->cur.p[c->cur.n - 1] != '\n')
        sok_buf_putc(&c->cur, '\n', &c->rc);
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
    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_HR:
    case MD_BLOCK_QUOTE:
        if (c->list_depth == 0)
            md_flush(c);
        break;
    default:
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
    case MD_BLOCK_P:
    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_QUOTE:
        if (c->list_depth == 0)
            md_flush(c);
        break;
    default:
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
static size_t front_matter(const char *s, size_t len, struct sok_xdoc *x,
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

int sok_extract_markdown(const char *s, size_t len, struct sok_xdoc *x,
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

/* ------------------------------------------------------------------ */
/* HTML                                                                 */

/* Deeper nesting than this is ignored rather than recursed into. */
#define HTML_MAX_DEPTH 1000

struct html_ctx {
    struct sok_xdoc *x;
    struct sok_buf para;
    int pre;          /* inside <pre>: keep line breaks */
    int rc;
};

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

/* All the text under n (skipping what html_skip names), for headings and
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
    sok_xdoc_add(c->x, 0, c->para.p, c->para.n, NULL, &c->rc);
    sok_buf_reset(&c->para);
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
            sok_xdoc_add(c->x, lvl, t.p, t.n, an, &c->rc);
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
        html_walk(c, k, depth + 1);
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

int sok_extract_html(const char *s, size_t len, struct sok_xdoc *x,
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
        if (canon && !c.rc) {
            x->url = prop_dup(canon, "href");
        }

        /* Main content when the page marks it; with several <article>s
         * (a listing) the whole body is used. */
        const xmlNode *top = html_find(root, is_main, 0);
        if (top == NULL)
            top = html_find(root, is_role_main, 0);
        if (top == NULL && html_count(root, is_article, 0) == 1)
            top = html_find(root, is_article, 0);
        if (top == NULL)
            top = html_find(root, is_body, 0);
        if (top == NULL)
            top = root;
        html_walk(&c, top, 0);
        html_flush(&c);
    }
    sok_buf_free(&c.para);
    xmlFreeDoc(d);
    if (c.rc)
        return sok_err_set(err, c.rc, "out of memory extracting HTML");
    return 0;
}

/* ------------------------------------------------------------------ */
/* PDF                                                                  */

/* Address-space limit for pdftotext: a hostile PDF may make it allocate
 * without bound; real documents need far less. */
#define PDF_AS_LIMIT ((rlim_t)1 << 30)

/* Finds an executable name on PATH into out (PATH_MAX).  Done in the
 * parent: between fork and exec only async-signal-safe calls are made. */
static int find_exe(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *e = strchr(path, ':');
        size_t n = e ? (size_t)(e - path) : strlen(path);
        if (n > 0 && n + 1 + strlen(name) + 1 <= cap) {
            memcpy(out, path, n);
            out[n] = '/';
            strcpy(out + n + 1, name);
            if (access(out, X_OK) == 0)
                return 1;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

static void kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

int sok_extract_pdf(const char *path, unsigned timeout_s, size_t max_bytes,
                    char **out, size_t *outlen, struct sok_err *err)
{
    char exe[PATH_MAX];
    *out = NULL;
    *outlen = 0;

    int fd;
    int rc0 = sok_doc_open_file(path, max_bytes, &fd, NULL, err);
    if (rc0)
        return rc0;
    if (!find_exe("pdftotext", exe, sizeof exe)) {
        close(fd);
        return sok_err_set(err, SOK_EFORMAT,
                           "cannot extract PDF text from %s: pdftotext not "
                           "found on PATH (install poppler-utils)", path);
    }

    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0) {
        close(fd);
        return sok_err_set(err, SOK_EIO, "pipe: %s", strerror(errno));
    }
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(fd);
        close(po[0]);
        close(po[1]);
        return sok_err_set(err, SOK_EIO, "pipe: %s", strerror(errno));
    }
    close(fd);
    /* A name starting with '-' would be taken for an option. */
    char *arg = NULL;
    if (path[0] == '-') {
        size_t pl = strlen(path);
        arg = malloc(pl + 3);
        if (arg == NULL) {
            close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
            return sok_err_set(err, SOK_ENOMEM, "out of memory");
        }
        memcpy(arg, "./", 2);
        memcpy(arg + 2, path, pl + 1);
    }

    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        free(arg);
        close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
        return sok_err_set(err, SOK_EIO, "fork: %s", strerror(e));
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls from here to exec */
        struct rlimit as = { PDF_AS_LIMIT, PDF_AS_LIMIT };
        struct rlimit cpu = { (rlim_t)timeout_s, (rlim_t)timeout_s + 1 };
        struct rlimit core = { 0, 0 };
        setrlimit(RLIMIT_AS, &as);
        setrlimit(RLIMIT_CPU, &cpu);
        setrlimit(RLIMIT_CORE, &core);
        int nul = open("/dev/null", O_RDONLY);
        if (nul < 0 || dup2(nul, 0) < 0 || dup2(po[1], 1) < 0 ||
            dup2(pe[1], 2) < 0)
            _exit(126);
        /* dup2 onto the same number keeps close-on-exec: clear it */
        for (int k = 0; k < 3; k++)
            fcntl(k, F_SETFD, 0);
        char *argv[] = { (char *)"pdftotext", (char *)"-enc",
                         (char *)"UTF-8", (char *)"-nopgbrk",
                         arg ? arg : (char *)path,
                         (char *)"-", NULL };
        execv(exe, argv);
        _exit(127);
    }
    free(arg);
    close(po[1]);
    close(pe[1]);

    struct sok_buf ob = SOK_BUF_INIT, eb = SOK_BUF_INIT;
    int rc = 0, open_o = 1, open_e = 1, timed_out = 0, too_big = 0;
    long long deadline = (sok_clock_us() / 1000) + (long long)timeout_s * 1000;
    char chunk[65536];
    while ((open_o || open_e) && !rc) {
        long long left = deadline - (sok_clock_us() / 1000);
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pf[2];
        int np = 0, io = -1, ie = -1;
        if (open_o) {
            pf[np].fd = po[0];
            pf[np].events = POLLIN;
            io = np++;
        }
        if (open_e) {
            pf[np].fd = pe[0];
            pf[np].events = POLLIN;
            ie = np++;
        }
        int pr = poll(pf, (nfds_t)np, left > INT_MAX ? INT_MAX : (int)left);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            rc = SOK_EIO;
            break;
        }
        if (io >= 0 && pf[io].revents) {
            ssize_t r = read(po[0], chunk, sizeof chunk);
            if (r > 0) {
                if (ob.n + (size_t)r > max_bytes) {
                    too_big = 1;
                    break;
                }
                sok_buf_append(&ob, chunk, (size_t)r, &rc);
            } else if (r == 0 || errno != EINTR) {
                open_o = 0;
            }
        }
        if (ie >= 0 && pf[ie].revents) {
            ssize_t r = read(pe[0], chunk, sizeof chunk);
            if (r > 0) {
                if (eb.n < 4096)      /* enough for a message */
                    sok_buf_append(&eb, chunk, (size_t)r, &rc);
            } else if (r == 0 || errno != EINTR) {
                open_e = 0;
            }
        }
    }
    close(po[0]);
    close(pe[0]);

    int status = 0;
    if (timed_out || too_big || rc) {
        kill_and_reap(pid);
    } else {
        /* Both pipes are closed, so the child is exiting; still bound the
         * wait in case it closed them and kept running. */
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (w < 0 && errno != EINTR) {
                rc = SOK_EIO;
                break;
            }
            if ((sok_clock_us() / 1000) >= deadline) {
                kill_and_reap(pid);
                timed_out = 1;
                break;
            }
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
    }

    /* First line of pdftotext's complaint, for the message. */
    char msg[160] = "";
    if (eb.n) {
        size_t k = 0;
        while (k < eb.n && k + 1 < sizeof msg && eb.p[k] != '\n') {
            msg[k] = eb.p[k];
            k++;
        }
        msg[k] = '\0';
    }
    sok_buf_free(&eb);

    int ret = 0;
    if (timed_out)
        ret = sok_err_set(err, SOK_ETIMEOUT,
                          "pdftotext took more than %u s on %s", timeout_s,
                          path);
    else if (too_big)
        ret = sok_err_set(err, SOK_ETOOBIG,
                          "text of %s is larger than %zu bytes", path,
                          max_bytes);
    else if (rc)
        ret = sok_err_set(err, rc, "reading pdftotext output for %s", path);
    else if (WIFSIGNALED(status))
        ret = WTERMSIG(status) == SIGXCPU
            ? sok_err_set(err, SOK_ETIMEOUT,
                          "pdftotext used more than %u s of CPU on %s",
                          timeout_s, path)
            : sok_err_set(err, SOK_EFORMAT,
                          "pdftotext was killed by signal %d on %s",
                          WTERMSIG(status), path);
    else if (WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == 126)
        ret = sok_err_set(err, SOK_EFORMAT, "cannot run pdftotext (%s)", exe);
    else if (WEXITSTATUS(status) != 0)
        ret = sok_err_set(err, SOK_EFORMAT,
                          "pdftotext failed on %s (exit %d)%s%s", path,
                          WEXITSTATUS(status), msg[0] ? ": " : "", msg);
    if (ret) {
        sok_buf_free(&ob);
        return ret;
    }
    *out = sok_buf_detach(&ob, outlen);
    if (*out == NULL)
        return sok_err_set(err, SOK_ENOMEM, "out of memory reading PDF text");
    return 0;
}
