/*
 * sok_pdf_blocks: the judged lines of a PDF (sok_pdf_layout.c) written as
 * the headings and paragraphs of an extracted document.  Body lines join
 * into one paragraph while they follow each other at the running line
 * spacing, and across a page break when the last line of the page runs to
 * the right edge and the next page's first line starts at the margin; a
 * word hyphenated at a line end is joined again by the rule all extractors
 * share (sok_extract_hyphen()).  A paragraph is of one kind throughout:
 * text, links (a line is a link when nearly all of it is) or contents
 * lines, whose dot leaders are dropped.
 */
#include "sok_pdf.h"

#include <stdlib.h>
#include <string.h>

/* A line is a link when this share of its characters is. */
#define LINK_SHARE 0.9
/* Lines of a paragraph follow each other this many pitches apart at most
 * (at the running size; larger type spaces its lines more). */
#define PARA_GAP 1.3
/* The last line of a page that ends this close to the right edge (share
 * of the text's width) runs on onto the next page. */
#define FULL_LINE 0.07

struct para {
    struct sok_buf b;
    enum sok_block_kind kind;
    unsigned page;
    size_t last;          /* its last line */
    int open;
};

static enum sok_block_kind kind_of(const struct sok_pdf *p,
                                   const struct sok_pdf_roles *r, size_t i)
{
    const struct sok_pdf_line *l = &p->lines[i];
    if (r->role[i] == SOK_PDF_TOC)
        return SOK_BLOCK_TOC;
    if (l->chars && l->links >= LINK_SHARE * l->chars)
        return SOK_BLOCK_LINKS;
    return SOK_BLOCK_TEXT;
}

static void flush(struct para *pa, struct sok_extracted *x, int *rc)
{
    if (pa->open)
        sok_extracted_add_at(x, 0, pa->b.p, pa->b.n, pa->page, pa->kind, rc);
    sok_buf_reset(&pa->b);
    pa->open = 0;
}

/* Appends s[0..n) to b; in a contents line, dot leaders become a blank
 * ("Bakgrund ........ 5" reads "Bakgrund 5"). */
static void put_line(struct sok_buf *b, const char *s, size_t n, int toc,
                     int *rc)
{
    if (!toc) {
        sok_buf_append(b, s, n, rc);
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i, dots = 0;
        while (j < n && (s[j] == '.' || s[j] == ' '))
            dots += s[j++] == '.';
        if (dots >= 3) {
            if (b->n && b->p[b->n - 1] != ' ')
                sok_buf_putc(b, ' ', rc);
        } else if (j == i) {
            j++;
        }
        if (dots < 3)
            sok_buf_append(b, s + i, j - i, rc);
        i = j;
    }
}

/* Line i goes on with the paragraph that ends with line pa->last. */
static int goes_on(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                   const struct para *pa, size_t i, enum sok_block_kind k)
{
    const struct sok_pdf_line *a = &p->lines[pa->last], *b = &p->lines[i];
    const char *t = sok_pdf_text(p, b->off);
    if (k != pa->kind || sok_extract_list_item(t, b->len))
        return 0;
    if (b->same_row)
        return k == SOK_BLOCK_TOC;     /* its page number */
    int body = r->body_size > 0 ? r->body_size : 1;
    int size = a->size > body ? a->size : body;
    if (a->page == b->page) {
        int d = b->top - a->top;
        return d > 0 && d <= PARA_GAP * r->pitch * size / body;
    }
    if (b->page != a->page + 1)
        return 0;
    for (size_t j = pa->last + 1; j < i; j++)
        if (r->role[j] != SOK_PDF_DROP)
            return 0;                  /* not the next page's first line */
    int la = r->left[a->page - 1], ra = r->right[a->page - 1];
    int slack = b->height / 2 > 4 ? b->height / 2 : 4;
    return a->right >= ra - FULL_LINE * (ra - la) &&
           abs(b->left - r->left[b->page - 1]) <= slack;
}

static void add_line(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                     struct para *pa, size_t i, struct sok_extracted *x,
                     int *rc)
{
    enum sok_block_kind k = kind_of(p, r, i);
    const struct sok_pdf_line *l = &p->lines[i];
    const char *t = sok_pdf_text(p, l->off);
    if (pa->open && goes_on(p, r, pa, i, k)) {
        const struct sok_pdf_line *a = &p->lines[pa->last];
        switch (sok_extract_hyphen(sok_pdf_text(p, a->off), a->len, t,
                                   l->len)) {
        case SOK_HYPHEN_DROP:
            pa->b.n--;
            break;
        case SOK_HYPHEN_KEEP:
            break;
        default:
            sok_buf_putc(&pa->b, ' ', rc);
        }
    } else {
        flush(pa, x, rc);
        pa->open = 1;
        pa->kind = k;
        pa->page = l->page;
    }
    put_line(&pa->b, t, l->len, k == SOK_BLOCK_TOC, rc);
    pa->last = i;
}

/* The heading that starts at line i (with the lines that go on with it);
 * returns its last line. */
static size_t add_heading(const struct sok_pdf *p,
                          const struct sok_pdf_roles *r, size_t i,
                          struct sok_extracted *x, int *rc)
{
    struct sok_buf h = SOK_BUF_INIT;
    const struct sok_pdf_line *l = &p->lines[i];
    sok_buf_append(&h, sok_pdf_text(p, l->off), l->len, rc);
    size_t j = i;
    while (j + 1 < p->nlines && r->role[j + 1] == SOK_PDF_HEAD_MORE) {
        const struct sok_pdf_line *a = &p->lines[j], *b = &p->lines[j + 1];
        const char *t = sok_pdf_text(p, b->off);
        enum sok_hyphen y = sok_extract_hyphen(sok_pdf_text(p, a->off),
                                               a->len, t, b->len);
        if (y == SOK_HYPHEN_DROP)
            h.n--;
        else if (y != SOK_HYPHEN_KEEP)
            sok_buf_putc(&h, ' ', rc);
        sok_buf_append(&h, t, b->len, rc);
        j++;
    }
    sok_extracted_add_at(x, r->level[i] ? r->level[i] : 1, h.p, h.n, l->page,
                         SOK_BLOCK_TEXT, rc);
    sok_buf_free(&h);
    return j;
}

/* The outline items without a line of their own due before line i. */
static void add_lost(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                     size_t *k, size_t i, struct para *pa,
                     struct sok_extracted *x, int *rc)
{
    for (; *k < r->nat && r->at[*k] <= i; (*k)++) {
        const struct sok_pdf_item *it = r->lost[*k];
        flush(pa, x, rc);
        sok_extracted_add_at(x, it->level < 6 ? it->level : 6,
                             sok_pdf_text(p, it->off), it->len, it->page,
                             SOK_BLOCK_TEXT, rc);
    }
}

void sok_pdf_blocks(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                    struct sok_extracted *x, int *rc)
{
    struct para pa;
    memset(&pa, 0, sizeof pa);
    size_t lost = 0;
    for (size_t i = 0; i < p->nlines && !*rc; i++) {
        add_lost(p, r, &lost, i, &pa, x, rc);
        switch (r->role[i]) {
        case SOK_PDF_DROP:
        case SOK_PDF_HEAD_MORE:      /* (one without its start: none) */
            break;
        case SOK_PDF_HEAD:
            flush(&pa, x, rc);
            i = add_heading(p, r, i, x, rc);
            break;
        default:
            add_line(p, r, &pa, i, x, rc);
        }
    }
    add_lost(p, r, &lost, p->nlines, &pa, x, rc);
    flush(&pa, x, rc);
    sok_buf_free(&pa.b);
    x->flat = 0;
}
