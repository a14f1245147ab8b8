/*
 * sok_extract: internal interface between the per-format extractors, the
 * section splitter (sok_section.c) and the document model (sok_doc.c).
 * Every format is reduced to the same thing, an extracted document
 * (struct sok_extracted): a flat list of blocks, each either a heading
 * (with its level and anchor) or a body paragraph, plus the title and URL
 * the source states explicitly.  Section splitting then works the same way
 * for every format.  The blocks and normalisation live in sok_extract.c,
 * each format in its own file: sok_extract_text.c, sok_extract_md.c,
 * sok_extract_html.c and sok_extract_pdf.c (which runs pdftotext through
 * sok_child.h).  Not part of the public API.
 */
#ifndef SOK_EXTRACT_H
#define SOK_EXTRACT_H

#include <stddef.h>
#include "sok_doc.h"
#include "sok_err.h"

/* One block of extracted text.  text is normalised: valid UTF-8, no CR,
 * no tabs, no blank runs, no trailing blanks, no empty lines inside (a
 * paragraph may hold single '\n' for deliberate line breaks: list items,
 * addresses). */
struct sok_extracted_block {
    int level;        /* 0: body paragraph; 1..6: heading level */
    char *text;       /* owned, never NULL, never empty */
    char *anchor;     /* owned, NULL when the source names none */
};

/* An extracted document.  The caller owns it (usually on the stack,
 * initialised with SOK_EXTRACTED_INIT) and releases it with
 * sok_extracted_clear(). */
struct sok_extracted {
    struct sok_extracted_block *blocks;    /* owned array */
    size_t n, cap;
    char *title;      /* owned title stated by the source (HTML <title>,
                         Markdown front matter), NULL when none */
    char *url;        /* owned canonical URL, NULL when none */
    int flat;         /* 1: headings were guessed from plain-text layout, so
                         their levels carry no hierarchy */
};

#define SOK_EXTRACTED_INIT { NULL, 0, 0, NULL, NULL, 0 }

/* Frees what x owns (not x itself) and resets it.  x may be NULL. */
void sok_extracted_clear(struct sok_extracted *x);

/* Appends a block holding text[0..len) (valid UTF-8), with blank runs
 * collapsed to one space, blanks around line breaks and empty lines
 * dropped, and the spaces sok_extract_normalise() maps handled the same
 * way.  Text that is blank after this adds nothing.  anchor may be NULL or
 * "" (none); it is copied.  FTS5-style *rc: does nothing once *rc is set,
 * sets it to SOK_ENOMEM on failure. */
void sok_extracted_add(struct sok_extracted *x, int level, const char *text,
                       size_t len, const char *anchor, int *rc);

/* Repairs invalid UTF-8 (counting repaired bytes into *nbad, which may be
 * NULL) and normalises whitespace: CRLF and CR become LF, form feeds a
 * paragraph break, no-break and other fixed-width spaces a space; soft
 * hyphens, zero-width spaces and byte-order marks are dropped.  Tabs and
 * trailing blanks stay (Markdown gives them meaning: indentation, hard
 * line breaks); blocks lose them in sok_extracted_add().  *out is
 * malloc()ed and NUL-terminated. */
int sok_extract_normalise(const char *s, size_t len, char **out,
                          size_t *outlen, size_t *nbad, struct sok_err *err);

/* 1 when plain text is clearly Markdown: at least two ATX heading lines
 * ("# ", "## ", ... up to six '#', after at most three spaces). */
int sok_extract_looks_markdown(const char *s, size_t len);

/* Extractors.  s[0..len) is normalised text (see above).  They append to x,
 * which the caller initialises and clears, also on error.  Errors:
 * SOK_ENOMEM; SOK_ETOOBIG when the parser cannot take len bytes;
 * SOK_EFORMAT when the parser gives up. */
int sok_extract_text(const char *s, size_t len, struct sok_extracted *x,
                     struct sok_err *err);
int sok_extract_markdown(const char *s, size_t len, struct sok_extracted *x,
                         struct sok_err *err);
int sok_extract_html(const char *s, size_t len, struct sok_extracted *x,
                     struct sok_err *err);

/* Runs pdftotext on path in a sandboxed child process (sok_child.h) and
 * hands back its raw output (not yet repaired: it goes through
 * sok_extract_normalise() and sok_extract_text() like any plain text) in
 * *out (malloc()ed, NUL-terminated; NULL on error).  timeout_s and
 * max_bytes must be non-zero; max_bytes bounds both the PDF file and the
 * text.  Errors: SOK_EIO (file unreadable, or the child could not be
 * run), SOK_EFORMAT (pdftotext missing or failed), SOK_ETIMEOUT (wall
 * clock or CPU time), SOK_ETOOBIG, SOK_ENOMEM. */
int sok_extract_pdf(const char *path, unsigned timeout_s, size_t max_bytes,
                    char **out, size_t *outlen, struct sok_err *err);

#endif /* SOK_EXTRACT_H */
