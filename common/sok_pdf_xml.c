/*
 * sok_pdf_xml: pdftohtml -xml output into the line model of sok_pdf.h.
 * The XML is read with libxml2's streaming reader, one <text> run at a
 * time, so memory follows the document's text rather than its markup; it
 * comes from a tool that read an untrusted file, so anything unexpected
 * (not well-formed, no pdf2xml root, absurd numbers) is an error or
 * ignored, never trusted: attributes are clamped, nesting is bounded, and
 * the parser loads no DTD and fetches nothing.  Runs that follow each
 * other on one row become one line; bold comes from <b> or a bold font
 * name, links from <a>.
 */
#include "sok_pdf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>

/* Deeper markup inside a <text> run than this is not read. */
#define RUN_MAX_DEPTH 16
/* Font ids beyond this are not kept (pdftohtml numbers them from 0). */
#define MAX_FONTS 65536
/* Coordinates and sizes are clamped to this. */
#define COORD_MAX 1000000
/* A run further right of its row's last run than this many line heights
 * starts a line of its own (a table cell, a page number). */
#define ROW_GAP 4
/* A gap wider than this share of the line height between two runs is a
 * space even when neither run has one. */
#define SPACE_GAP 0.2

struct font {
    int size;
    unsigned char bold, set;
};

/* Font sizes seen in the line being built, and where their runs sit. */
#define LINE_SIZES 4
struct size_slot {
    int size, top, height;
    unsigned chars;
};

/* The state of one parse. */
struct parse {
    struct sok_pdf *p;
    struct font *fonts;
    size_t nfonts;
    struct sok_buf run;       /* text of the run being read */
    unsigned run_chars, run_bold, run_links;
    int open;                 /* a line is being built (the last one) */
    struct size_slot slots[LINE_SIZES];
    int outline_depth;
    int rc;
};

void sok_pdf_clear(struct sok_pdf *p)
{
    if (p == NULL)
        return;
    free(p->lines);
    free(p->pages);
    free(p->items);
    sok_buf_free(&p->text);
    memset(p, 0, sizeof *p);
}

/* Grows *arr (elements of size sz) to hold one more; FTS5-style. */
static void *grow(void *arr, size_t *cap, size_t n, size_t sz, int *rc)
{
    if (*rc)
        return NULL;
    if (n < *cap)
        return arr;
    size_t nc = *cap ? *cap * 2 : 64;
    void *na = realloc(arr, nc * sz);
    if (na == NULL) {
        *rc = SOK_ENOMEM;
        return NULL;
    }
    *cap = nc;
    return na;
}

static void quiet(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

/* Integer attribute name of n, clamped to [lo, COORD_MAX]; dflt when it
 * is absent or not a number. */
static int int_attr(xmlNodePtr n, const char *name, int lo, int dflt)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (v == NULL)
        return dflt;
    char *end;
    long x = strtol((const char *)v, &end, 10);
    int ok = end != (char *)v;
    xmlFree(v);
    if (!ok)
        return dflt;
    return x < lo ? lo : x > COORD_MAX ? COORD_MAX : (int)x;
}

/* 1 for the bold weights a font name states. */
static int bold_name(const char *family)
{
    static const char *const w[] = { "bold", "black", "heavy", "semibold",
                                     "demi", NULL };
    for (const char *const *k = w; *k; k++)
        if (strcasestr(family, *k))
            return 1;
    return 0;
}

static void add_font(struct parse *ps, xmlNodePtr n)
{
    int id = int_attr(n, "id", -1, -1);
    if (id < 0 || id >= MAX_FONTS)
        return;
    if ((size_t)id >= ps->nfonts) {
        size_t nn = (size_t)id + 1;
        struct font *nf = realloc(ps->fonts, nn * sizeof *nf);
        if (nf == NULL) {
            ps->rc = SOK_ENOMEM;
            return;
        }
        memset(nf + ps->nfonts, 0, (nn - ps->nfonts) * sizeof *nf);
        ps->fonts = nf;
        ps->nfonts = nn;
    }
    struct font *f = &ps->fonts[id];
    f->size = int_attr(n, "size", 0, 0);
    xmlChar *fam = xmlGetProp(n, (const xmlChar *)"family");
    f->bold = fam && bold_name((const char *)fam);
    xmlFree(fam);
    f->set = 1;
}

static void add_page(struct parse *ps, xmlNodePtr n)
{
    struct sok_pdf *p = ps->p;
    p->pages = grow(p->pages, &p->cappages, p->npages, sizeof *p->pages,
                    &ps->rc);
    if (ps->rc)
        return;
    /* pages are counted, not taken from number="": the outline's page=""
     * counts them the same way */
    struct sok_pdf_page *pg = &p->pages[p->npages++];
    pg->height = int_attr(n, "height", 0, 0);
    pg->width = int_attr(n, "width", 0, 0);
}

/* Appends text t to the run, ligatures spelt out, counting its
 * characters other than blanks (and those of them bold or in a link). */
static void run_text(struct parse *ps, const char *t, int bold, int link)
{
    static const char *const lig[] = { "ff", "fi", "fl", "ffi", "ffl",
                                       "st", "st" };
    for (const unsigned char *s = (const unsigned char *)t; *s && !ps->rc;
         s++) {
        if (s[0] == 0xEF && s[1] == 0xAC && s[2] >= 0x80 && s[2] <= 0x86) {
            const char *l = lig[s[2] - 0x80];
            sok_buf_puts(&ps->run, l, &ps->rc);
            unsigned k = (unsigned)strlen(l);
            ps->run_chars += k;
            ps->run_bold += bold ? k : 0;
            ps->run_links += link ? k : 0;
            s += 2;
            continue;
        }
        int blank = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
        sok_buf_putc(&ps->run, blank ? ' ' : (char)*s, &ps->rc);
        if (!blank && (*s & 0xC0) != 0x80) {
            ps->run_chars++;
            ps->run_bold += bold != 0;
            ps->run_links += link != 0;
        }
    }
}

/* The text under n, with the <b> and <a> it is inside. */
static void run_walk(struct parse *ps, xmlNodePtr n, int bold, int link,
                     int depth)
{
    for (xmlNodePtr c = n->children; c && !ps->rc; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                run_text(ps, (const char *)c->content, bold, link);
        } else if (c->type == XML_ELEMENT_NODE && depth < RUN_MAX_DEPTH) {
            const char *nm = (const char *)c->name;
            run_walk(ps, c, bold || !strcmp(nm, "b"),
                     link || !strcmp(nm, "a"), depth + 1);
        }
    }
}

/* Ends the line being built: its blanks at the end go, its size and
 * position are those of most of its characters. */
static void close_line(struct parse *ps)
{
    if (!ps->open)
        return;
    struct sok_pdf *p = ps->p;
    struct sok_pdf_line *l = &p->lines[p->nlines - 1];
    while (l->len && p->text.p[l->off + l->len - 1] == ' ')
        l->len--;
    p->text.n = l->off + l->len;
    const struct size_slot *best = &ps->slots[0];
    for (int k = 1; k < LINE_SIZES; k++)
        if (ps->slots[k].chars > best->chars)
            best = &ps->slots[k];
    l->size = best->size;
    l->top = best->top;
    l->height = best->height;
    ps->open = 0;
    if (l->len == 0)
        p->nlines--;       /* nothing but blanks */
}

static void count_size(struct parse *ps, int size, int top, int height,
                       unsigned chars)
{
    int k = 0;
    while (k < LINE_SIZES && ps->slots[k].chars && ps->slots[k].size != size)
        k++;
    if (k == LINE_SIZES)
        return;              /* a fifth size in one line: too small to tell */
    if (ps->slots[k].chars == 0) {
        ps->slots[k].size = size;
        ps->slots[k].top = top;
        ps->slots[k].height = height;
    }
    ps->slots[k].chars += chars;
}

/* Whether a run at (top, height, left) continues the open line: 0 no,
 * 1 on it, 2 on its row but far to the right (a line of its own). */
static int continues(const struct parse *ps, unsigned page, int top,
                     int height, int left)
{
    if (!ps->open)
        return 0;
    const struct sok_pdf_line *l = &ps->p->lines[ps->p->nlines - 1];
    const struct size_slot *s = &ps->slots[0];
    int lt = s->top, lb = s->top + s->height;
    int over = (top + height < lb ? top + height : lb) -
               (top > lt ? top : lt);
    int low = height < s->height ? height : s->height;
    if (l->page != page || over * 2 < low || left + low < l->right)
        return 0;
    int h = height > s->height ? height : s->height;
    return left - l->right > ROW_GAP * h ? 2 : 1;
}

static void add_run(struct parse *ps, xmlNodePtr n)
{
    struct sok_pdf *p = ps->p;
    if (p->npages == 0)
        return;             /* text outside any page */
    sok_buf_reset(&ps->run);
    ps->run_chars = ps->run_bold = ps->run_links = 0;
    int fid = int_attr(n, "font", -1, -1);
    const struct font *f = fid >= 0 && (size_t)fid < ps->nfonts &&
                           ps->fonts[fid].set ? &ps->fonts[fid] : NULL;
    run_walk(ps, n, f && f->bold, 0, 0);
    if (ps->rc || ps->run.n == 0)
        return;
    unsigned page = (unsigned)p->npages;
    int top = int_attr(n, "top", -COORD_MAX, 0);
    int left = int_attr(n, "left", -COORD_MAX, 0);
    int width = int_attr(n, "width", 0, 0);
    int height = int_attr(n, "height", 1, 1);
    int size = f ? f->size : 0;
    int how = continues(ps, page, top, height, left);
    if (how != 1) {
        close_line(ps);
        if (ps->run_chars == 0)
            return;         /* blanks between lines */
        p->lines = grow(p->lines, &p->caplines, p->nlines, sizeof *p->lines,
                        &ps->rc);
        if (ps->rc)
            return;
        struct sok_pdf_line *l = &p->lines[p->nlines++];
        memset(l, 0, sizeof *l);
        memset(ps->slots, 0, sizeof ps->slots);
        l->page = page;
        l->left = left;
        l->right = left;
        l->off = p->text.n;
        l->same_row = how == 2;
        ps->open = 1;
    }
    struct sok_pdf_line *l = &p->lines[p->nlines - 1];
    const char *t = ps->run.p;
    size_t tn = ps->run.n;
    int had = l->len > 0 && p->text.p[l->off + l->len - 1] == ' ';
    if (l->len == 0 || had)
        while (tn && *t == ' ')
            t++, tn--;       /* no blank at the start, no double blank */
    else if (*t != ' ' && (double)(left - l->right) > SPACE_GAP * height)
        sok_buf_putc(&p->text, ' ', &ps->rc);
    sok_buf_append(&p->text, t, tn, &ps->rc);
    l->len = p->text.n - l->off;
    if (left + width > l->right)
        l->right = left + width;
    l->chars += ps->run_chars;
    l->bold += ps->run_bold;
    l->links += ps->run_links;
    count_size(ps, size, top, height, ps->run_chars);
}

static void add_item(struct parse *ps, xmlTextReaderPtr r, xmlNodePtr n)
{
    struct sok_pdf *p = ps->p;
    int page = int_attr(n, "page", 0, 0);
    xmlChar *t = xmlTextReaderReadString(r);
    if (t == NULL || page <= 0) {
        xmlFree(t);
        return;             /* an item that leads nowhere we can tell */
    }
    /* the title, white space collapsed */
    size_t off = p->text.n;
    for (const xmlChar *s = t; *s && !ps->rc; s++) {
        int blank = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
        if (!blank)
            sok_buf_putc(&p->text, (char)*s, &ps->rc);
        else if (p->text.n > off && p->text.p[p->text.n - 1] != ' ')
            sok_buf_putc(&p->text, ' ', &ps->rc);
    }
    xmlFree(t);
    while (p->text.n > off && p->text.p[p->text.n - 1] == ' ')
        p->text.n--;
    if (ps->rc || p->text.n == off)
        return;
    p->items = grow(p->items, &p->capitems, p->nitems, sizeof *p->items,
                    &ps->rc);
    if (ps->rc)
        return;
    struct sok_pdf_item *it = &p->items[p->nitems++];
    it->off = off;
    it->len = p->text.n - off;
    it->page = (unsigned)page;
    it->level = ps->outline_depth > 0 ? ps->outline_depth : 1;
}

/* Handles the element the reader is on; returns 1 when it consumed the
 * element's subtree (a <text> run), so the reader moves past it. */
static int on_element(struct parse *ps, xmlTextReaderPtr r, const char *nm)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(r);
    if (n == NULL)
        return 0;
    if (!strcmp(nm, "text")) {
        n = xmlTextReaderExpand(r);
        if (n == NULL)
            ps->rc = SOK_EFORMAT;
        else
            add_run(ps, n);
        return 1;
    }
    if (!strcmp(nm, "page")) {
        close_line(ps);
        add_page(ps, n);
    } else if (!strcmp(nm, "fontspec")) {
        add_font(ps, n);
    } else if (!strcmp(nm, "outline")) {
        close_line(ps);
        if (!xmlTextReaderIsEmptyElement(r))
            ps->outline_depth++;
    } else if (!strcmp(nm, "item")) {
        add_item(ps, r, n);
    }
    return 0;
}

int sok_pdf_parse(const char *xml, size_t len, struct sok_pdf *p,
                  struct sok_err *err)
{
    if (len > INT_MAX)
        return sok_err_set(err, SOK_ETOOBIG, "pdftohtml output too large");
    xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)len, NULL, "UTF-8",
                                            XML_PARSE_NONET |
                                            XML_PARSE_NOERROR |
                                            XML_PARSE_NOWARNING);
    if (r == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    xmlTextReaderSetStructuredErrorHandler(r, quiet, NULL);
    struct parse ps;
    memset(&ps, 0, sizeof ps);
    ps.p = p;
    int root = 0;
    int ret = xmlTextReaderRead(r);
    while (ret == 1 && ps.rc == 0) {
        int type = xmlTextReaderNodeType(r);
        const char *nm = (const char *)xmlTextReaderConstLocalName(r);
        if (nm == NULL)
            nm = "";
        if (type == XML_READER_TYPE_ELEMENT && !root) {
            if (strcmp(nm, "pdf2xml") != 0)
                break;
            root = 1;
        } else if (type == XML_READER_TYPE_ELEMENT &&
                   on_element(&ps, r, nm)) {
            ret = xmlTextReaderNext(r);
            continue;
        } else if (type == XML_READER_TYPE_END_ELEMENT &&
                   !strcmp(nm, "outline") && ps.outline_depth > 0) {
            ps.outline_depth--;
        }
        ret = xmlTextReaderRead(r);
    }
    close_line(&ps);
    xmlFreeTextReader(r);
    free(ps.fonts);
    sok_buf_free(&ps.run);
    if (ps.rc == SOK_ENOMEM)
        return sok_err_set(err, SOK_ENOMEM, "out of memory reading PDF "
                           "layout");
    if (ps.rc || ret < 0 || !root)
        return sok_err_set(err, SOK_EFORMAT,
                           "pdftohtml output is not pdf2xml XML");
    return 0;
}
