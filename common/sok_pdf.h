/*
 * sok_pdf: internal interface of the PDF layout reader.  pdftohtml -xml
 * describes a PDF as pages of positioned text runs, each in a font of the
 * document's <fontspec> table, followed by the outline (bookmarks) when the
 * PDF has one (../shared/docs/PDF.md).  sok_pdf_xml.c reads that XML into
 * the model below: visual lines (the runs of one row, in the order the PDF
 * draws them) and outline items.  sok_pdf_layout.c judges each line (running
 * header or footer, page number, table of contents, heading, body) and
 * sok_pdf_blocks.c writes headings and paragraphs as the blocks of an
 * extracted document (sok_extract.h).  Not part of the public API.
 */
#ifndef SOK_PDF_H
#define SOK_PDF_H

#include <stddef.h>
#include "sok_buf.h"
#include "sok_err.h"
#include "sok_extract.h"

/* One visual line: the text runs of one row of a page that follow each
 * other in the PDF.  Runs far apart on one row (table cells, a page number
 * at the right margin) are lines of their own, the later ones marked
 * same_row.  Coordinates are pdftohtml's (pixels at its zoom, y downwards
 * from the page's top edge). */
struct sok_pdf_line {
    unsigned page;        /* 1-based: pages[page - 1] */
    int top, left, right, height;
    int size;             /* font size of most of its characters */
    unsigned chars;       /* characters other than blanks */
    unsigned bold;        /* of which in a bold font */
    unsigned links;       /* of which inside a link */
    size_t off, len;      /* its text: sok_pdf.text.p[off, off + len),
                             valid UTF-8, no blank at either end */
    unsigned char same_row;
};

struct sok_pdf_page {
    int height, width;
};

/* An outline item: a title and the page it leads to. */
struct sok_pdf_item {
    size_t off, len;      /* its title in sok_pdf.text */
    unsigned page;        /* 1-based */
    int level;            /* 1: top level */
};

struct sok_pdf {
    struct sok_pdf_line *lines;
    size_t nlines, caplines;
    struct sok_pdf_page *pages;
    size_t npages, cappages;
    struct sok_pdf_item *items;
    size_t nitems, capitems;
    struct sok_buf text;  /* every line's and item's text */
};

#define SOK_PDF_INIT { NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, SOK_BUF_INIT }

/* Frees what p owns (not p) and resets it.  p may be NULL. */
void sok_pdf_clear(struct sok_pdf *p);

/* The text of line l. */
static inline const char *sok_pdf_text(const struct sok_pdf *p, size_t off)
{
    return p->text.p + off;
}

/* Reads pdftohtml -xml output xml[0..len) (valid UTF-8) into p, which the
 * caller initialises with SOK_PDF_INIT and clears, also on error.  Text
 * gets its ligatures (U+FB00..U+FB06) spelt out.  Errors: SOK_EFORMAT
 * (not well-formed XML, not pdf2xml), SOK_ETOOBIG (more than the parser
 * takes), SOK_ENOMEM. */
int sok_pdf_parse(const char *xml, size_t len, struct sok_pdf *p,
                  struct sok_err *err);

/* What sok_pdf_layout() finds each line to be. */
enum sok_pdf_role {
    SOK_PDF_BODY = 0,
    SOK_PDF_DROP,         /* running header or footer, page number */
    SOK_PDF_TOC,          /* a line of a table of contents */
    SOK_PDF_HEAD,         /* a heading; its level in level[] */
    SOK_PDF_HEAD_MORE     /* the heading of the line before goes on */
};

/* The judgement of every line of a parsed PDF, and what the blocks need
 * to know of the page geometry. */
struct sok_pdf_roles {
    unsigned char *role;  /* p->nlines: enum sok_pdf_role */
    unsigned char *level; /* p->nlines: 1..6 for SOK_PDF_HEAD lines */
    int body_size;        /* the font size of running text */
    int pitch;            /* its line spacing (top to top) */
    int *left, *right;    /* p->npages: where running text starts and the
                             furthest it reaches on each page */
    /* Outline items no line could be found for: each a heading of its own
     * before line at[k] (p->nlines: at the end), in order. */
    size_t *at, nat;
    const struct sok_pdf_item **lost;
};

#define SOK_PDF_ROLES_INIT { NULL, NULL, 0, 0, NULL, NULL, NULL, 0, NULL }

/* Judges every line of p (see sok_pdf_role) into *r, which the caller
 * initialises with SOK_PDF_ROLES_INIT and clears with
 * sok_pdf_roles_clear(), also on error (SOK_ENOMEM). */
int sok_pdf_layout(const struct sok_pdf *p, struct sok_pdf_roles *r);

/* Frees what r owns and resets it.  r may be NULL. */
void sok_pdf_roles_clear(struct sok_pdf_roles *r);

/* The run of ASCII digits at s[i..n): its length. */
size_t sok_pdf_digits(const char *s, size_t n, size_t i);

/* The length of the numbering s[0..n) starts with, the blanks after it
 * included: "5.4.1 ", "4 " (before a capital), "§ 12 ", "Bilaga 2: ",
 * "Kapitel IV "; 0 when none ("1. " starts a list item, "3 personer" a
 * sentence).  *named: a word numbers it ("§", "Bilaga"), so it may stand
 * alone as a heading. */
size_t sok_pdf_numbering(const char *s, size_t n, int *named);

/* Marks the lines that spell out the outline's items as SOK_PDF_HEAD with
 * the item's depth as level, and lists the items no line was found for in
 * r->at / r->lost (sok_pdf_outline.c).  first: p->npages + 1 line indexes,
 * page k's lines being [first[k - 1], first[k]).  Returns the first line
 * the outline's headings start at (p->nlines: none).  *rc: SOK_ENOMEM. */
size_t sok_pdf_outline_headings(const struct sok_pdf *p, const size_t *first,
                                struct sok_pdf_roles *r, int *rc);

/* The folded key two titles are compared by (case, accents, everything
 * but letters and digits dropped; skip_num: leading numbering "4.2" too)
 * of s[0..n), malloc()ed; NULL on ENOMEM. */
char *sok_pdf_key(const char *s, size_t n, int skip_num);

/* Appends p's headings and paragraphs to x as r judged them: a heading's
 * lines joined into one block, body lines joined into paragraphs (words
 * hyphenated at a line end rejoined, sok_extract_hyphen()), a paragraph
 * of links SOK_BLOCK_LINKS, one of a table of contents SOK_BLOCK_TOC,
 * each block with the page it starts on.  FTS5-style *rc. */
void sok_pdf_blocks(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                    struct sok_extracted *x, int *rc);

#endif /* SOK_PDF_H */
