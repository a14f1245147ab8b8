/*
 * sok_extract: internal interface between the per-format extractors, the
 * section splitter (sok_section.c) and the document model (sok_doc.c).
 * Every format is reduced to the same thing, an extracted document
 * (struct sok_extracted): a flat list of blocks, each either a heading
 * (with its level and anchor) or a body paragraph, plus the title and URL
 * the source states explicitly.  Section splitting then works the same way
 * for every format.  The blocks and normalisation live in sok_extract.c,
 * each format in its own file: sok_extract_text.c, sok_extract_md.c,
 * sok_extract_html.c and sok_extract_pdf.c (which runs poppler's tools
 * through sok_child.h and reads pdftohtml's layout through sok_pdf.h).
 * Blocks carry the page they start on and whether they are navigation
 * (links, contents lines).  Not part of the public API.
 */
#ifndef SOK_EXTRACT_H
#define SOK_EXTRACT_H

#include <stddef.h>
#include "sok_doc.h"
#include "sok_err.h"

/* What a body block is to a reader.  Navigation repeats what other
 * sections are called: a section made only of it is not a hit for their
 * words (sok_section.c). */
enum sok_block_kind {
    SOK_BLOCK_TEXT = 0,   /* running text (and every heading) */
    SOK_BLOCK_LINKS,      /* (nearly) all links: a menu, a list of links */
    SOK_BLOCK_TOC         /* lines of a table of contents (dot leaders, a
                             column of page numbers): never indexed */
};

/* One block of extracted text.  text is normalised: valid UTF-8, no CR,
 * no tabs, no blank runs, no trailing blanks, no empty lines inside (a
 * paragraph may hold single '\n' for deliberate line breaks: list items,
 * addresses). */
struct sok_extracted_block {
    int level;        /* 0: body paragraph; 1..6: heading level */
    char *text;       /* owned, never NULL, never empty */
    char *anchor;     /* owned, NULL when the source names none */
    unsigned page;    /* 1-based page it starts on; 0: not paged */
    enum sok_block_kind kind;   /* SOK_BLOCK_TEXT for headings */
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

/* sok_extracted_add() without an anchor, for a block that starts on page
 * (0: not paged) and is of kind. */
void sok_extracted_add_at(struct sok_extracted *x, int level,
                          const char *text, size_t len, unsigned page,
                          enum sok_block_kind kind, int *rc);

/* How a line that ends in a hyphen continues on the next line, in every
 * extractor that rejoins lines (plain text, PDF): prev[0..pn) is the
 * trimmed line so far, next[0..nn) the trimmed next line. */
enum sok_hyphen {
    SOK_HYPHEN_NONE = 0,   /* no hyphen at the line end: an ordinary break */
    SOK_HYPHEN_DROP,       /* a hyphenation point: "social-" + "förvaltningen"
                              is "socialförvaltningen" */
    SOK_HYPHEN_KEEP,       /* a real hyphen: "IOP-" + "avtal" is "IOP-avtal",
                              as is one before a capital or in a URL */
    SOK_HYPHEN_SPACE       /* a suspended compound: "barn-" + "och unga" is
                              "barn- och unga" */
};
enum sok_hyphen sok_extract_hyphen(const char *prev, size_t pn,
                                   const char *next, size_t nn);

/* 1 when the trimmed line p[0..n) starts a list item: "• x", "- x",
 * "* x", "– x", "o x" (Word's sub-bullet), "1. x", "2) x". */
int sok_extract_list_item(const char *p, size_t n);

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

/* A PDF into blocks.  pdftohtml's XML (fonts, positions, outline) read by
 * sok_extract_pdf_xml(), with the title and URL that pdfinfo finds in the
 * document's metadata (sok_extract_pdf_meta()); when pdftohtml is missing
 * or fails (but not when it ran out of time), pdftotext's text through
 * sok_extract_text(), as before.  *nbad (may be NULL) receives the bytes
 * of invalid UTF-8 repaired.  Errors: those of sok_extract_pdf(). */
int sok_extract_pdf_doc(const char *path, unsigned timeout_s,
                        size_t max_bytes, struct sok_extracted *x,
                        size_t *nbad, struct sok_err *err);

/* The layout of pdftohtml -xml output xml[0..len) (valid UTF-8) as blocks
 * (sok_pdf.h): headings from the outline, else from fonts, weight and
 * numbering; running headers, footers and page numbers dropped; words
 * hyphenated at a line end joined; a table of contents as SOK_BLOCK_TOC.
 * Every block has its page.  SOK_EFORMAT when xml is not such output. */
int sok_extract_pdf_xml(const char *xml, size_t len, struct sok_extracted *x,
                        struct sok_err *err);

/* Reads pdfinfo's output info[0..len) for the PDF at path: its Title into
 * x->title when it is meaningful (not empty, not a file name, not
 * "Microsoft Word - x.docx"), a URL entry (http or https) into x->url.
 * Either stays as it was otherwise.  FTS5-style *rc (SOK_ENOMEM). */
void sok_extract_pdf_meta(const char *info, size_t len, const char *path,
                          struct sok_extracted *x, int *rc);

/* 1 when title (valid UTF-8) can stand as the title of the PDF at path:
 * some letters, not the file's own name, not a tool's label for a file
 * ("Microsoft Word - rapport.docx", "Dokument1", "untitled"). */
int sok_extract_pdf_title_ok(const char *title, const char *path);

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
