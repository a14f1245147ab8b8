/*
 * sok_extract_text: plain text (and pdftotext's output) into blocks.
 * Plain text states no structure, so it is read from the layout: blank
 * lines end paragraphs, a heading-shaped line (sok_section.h) between
 * blank lines or right above a long paragraph line is a heading, lines
 * wrapped by the writer's tool are joined again and words hyphenated at a
 * line end rejoined.  The headings it finds have no real levels, so it
 * marks the document flat.
 */
#include "sok_extract.h"
#include "sok_buf.h"
#include "sok_section.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>

/* A line at least this long (in characters) was wrapped by the writer's
 * tool, not ended deliberately: the next line continues its paragraph.
 * Text wrapped by a tool (PDF text above all) runs well past it; names,
 * list items and addresses end far short of it. */
#define WRAP_MIN 60

/* One line of the text, trimmed of blanks. */
struct line {
    const char *p;
    size_t n;
    size_t cps;       /* characters */
};

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
    switch (sok_extract_hyphen(prev->p, prev->n, l->p, l->n)) {
    case SOK_HYPHEN_SPACE:
        sok_buf_putc(b, ' ', rc);
        break;
    case SOK_HYPHEN_DROP:
        b->n--, b->p[b->n] = '\0';
        break;
    case SOK_HYPHEN_KEEP:
        break;
    case SOK_HYPHEN_NONE:
        if (prev->cps >= WRAP_MIN && !sok_extract_list_item(l->p, l->n))
            sok_buf_putc(b, ' ', rc);
        else
            sok_buf_putc(b, '\n', rc);
        break;
    }
    sok_buf_append(b, l->p, l->n, rc);
}

/* Cuts s[0..len) at every '\n' into L (room for one line more than s
 * has newlines), each line trimmed of blanks; returns the count. */
static size_t split_lines(const char *s, size_t len, struct line *L)
{
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
    return n;
}

/* Sets head[i] for the lines L[0..n) that are headings. */
static void mark_headings(const struct line *L, size_t n, unsigned char *head)
{
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
}

/* Appends the headings (level 2) and the paragraphs between them to x;
 * blank lines and headings end paragraphs.  FTS5-style *rc. */
static void add_blocks(const struct line *L, size_t n,
                       const unsigned char *head, struct sok_extracted *x,
                       int *rc)
{
    struct sok_buf para = SOK_BUF_INIT;
    size_t prev = 0;
    for (size_t i = 0; i < n && !*rc; i++) {
        if (L[i].n == 0 || head[i]) {
            sok_extracted_add(x, 0, para.p, para.n, NULL, rc);
            sok_buf_reset(&para);
            if (head[i])
                sok_extracted_add(x, 2, L[i].p, L[i].n, NULL, rc);
            continue;
        }
        join_line(&para, &L[prev], &L[i], rc);
        prev = i;
    }
    sok_extracted_add(x, 0, para.p, para.n, NULL, rc);
    sok_buf_free(&para);
}

int sok_extract_text(const char *s, size_t len, struct sok_extracted *x,
                     struct sok_err *err)
{
    int rc = 0;
    size_t nl = 1;
    for (size_t i = 0; i < len; i++)
        nl += s[i] == '\n';
    struct line *L = calloc(nl, sizeof *L);
    unsigned char *head = calloc(nl, 1);
    if (L == NULL || head == NULL)
        rc = SOK_ENOMEM;
    if (rc == 0) {
        size_t n = split_lines(s, len, L);
        mark_headings(L, n, head);
        add_blocks(L, n, head, x, &rc);
        x->flat = 1;
    }
    free(L);
    free(head);
    if (rc)
        return sok_err_set(err, rc, "out of memory splitting text");
    return 0;
}
