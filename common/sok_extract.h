/*
 * sok_extract: internal interface between the per-format extractors
 * (sok_extract.c), the section splitter (sok_section.c) and the document
 * model (sok_doc.c).  Every format is reduced to the same thing, an
 * "extracted document": a flat list of blocks, each either a heading (with
 * its level and anchor) or a body paragraph, plus the title and URL the
 * source states explicitly.  Section splitting then works the same way for
 * every format.  Not part of the public API.
 */
#ifndef SOK_EXTRACT_H
#define SOK_EXTRACT_H

#include <stddef.h>
#include "sok_doc.h"
#include "sok_err.h"

/* One block of extracted text.  text is normalised: valid UTF-8, no CR,
 * no trailing blanks, no empty lines inside (a paragraph may hold single
 * '\n' for deliberate line breaks: list items, addresses). */
struct sok_xblock {
    int level;        /* 0: body paragraph; 1..6: heading level */
    char *text;       /* owned, never NULL, never empty */
    char *anchor;     /* owned, NULL when the source names none */
};

struct sok_xdoc {
    struct sok_xblock *blocks;    /* owned array */
    size_t n, cap;
    char *title;      /* owned title stated by the source (HTML <title>,
                         Markdown front matter), NULL when none */
    char *url;        /* owned canonical URL, NULL when none */
    int flat;         /* 1: headings were guessed from plain-text layout, so
                         their levels carry no hierarchy */
};

#define SOK_XDOC_INIT { NULL, 0, 0, NULL, NULL, 0 }

/* Frees what x owns (not x itself) and resets it.  x may be NULL. */
void sok_xdoc_clear(struct sok_xdoc *x);

/* Appends a block; text[0..len) is trimmed and must be valid UTF-8.  Blank
 * text adds nothing.  anchor may be NULL.  FTS5-style *rc. */
void sok_xdoc_add(struct sok_xdoc *x, int level, const char *text,
                  size_t len, const char *anchor, int *rc);

/* Repairs invalid UTF-8 (counting repaired bytes into *nbad) and
 * normalises whitespace: CRLF and CR become LF, form feeds a paragraph
 * break, no-break and other fixed-width spaces a space; soft hyphens,
 * zero-width spaces and byte-order marks are dropped.  Tabs and trailing
 * blanks stay (Markdown gives them meaning: indentation, hard line
 * breaks); blocks lose them in sok_xdoc_add().  *out is malloc()ed. */
int sok_extract_normalise(const char *s, size_t len, char **out,
                          size_t *outlen, size_t *nbad, struct sok_err *err);

/* 1 when plain text is clearly Markdown: at least two ATX heading lines
 * ("# ", "## ", ... up to six '#', after at most three spaces). */
int sok_extract_looks_markdown(const char *s, size_t len);

/* Extractors.  s[0..len) is normalised text (see above).  They append to x,
 * which the caller initialises and clears. */
int sok_extract_text(const char *s, size_t len, struct sok_xdoc *x,
                     struct sok_err *err);
int sok_extract_markdown(const char *s, size_t len, struct sok_xdoc *x,
                         struct sok_err *err);
int sok_extract_html(const char *s, size_t len, struct sok_xdoc *x,
                     struct sok_err *err);

/* Runs pdftotext on path in a resource-limited child process and hands
 * back its raw output (not yet repaired) in *out (malloc()ed).
 * timeout_s and max_bytes must be non-zero.  Errors: SOK_EIO (file
 * unreadable), SOK_EFORMAT (pdftotext missing or failed), SOK_ETIMEOUT,
 * SOK_ETOOBIG, SOK_ENOMEM. */
int sok_extract_pdf(const char *path, unsigned timeout_s, size_t max_bytes,
                    char **out, size_t *outlen, struct sok_err *err);

#endif /* SOK_EXTRACT_H */
