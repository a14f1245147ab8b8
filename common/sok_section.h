/*
 * sok_section: internal interface of the section splitter (sok_section.c),
 * which turns an extracted document (sok_extract.h) into the sections of a
 * struct sok_document: which headings start sections, section titles,
 * types, dates and stable ids.  The plain-text extractor also asks it
 * whether a line is shaped like a heading, so the notion of "heading" lives
 * in one place.  Not part of the public API.
 */
#ifndef SOK_SECTION_H
#define SOK_SECTION_H

#include <stddef.h>
#include "sok_doc.h"
#include "sok_extract.h"

/* 1 when the trimmed line s[0..len) (valid UTF-8) looks like a heading by
 * itself: short (<= 80 characters, <= 10 words), starting with an
 * upper-case letter or a digit, not a list item, not ending in . : ; , )
 * (? and ! are allowed), holding no sentence break, no URL or e-mail, and
 * not a "Label: value" line such as "Tid: måndagen den 16 mars, ...".
 * Whether it really is one depends on the lines around it (the caller's
 * business). */
int sok_section_heading_shape(const char *s, size_t len);

/* What one section may hold (sok_section_parts.c): the bytes of its text,
 * past which it is cut into parts, and of its title.  64 KiB is more than
 * the longest section of the seed corpus, cfi-sv, lifelines-doc-sv and
 * gimp-help-sv (62 kB, a glossary), and a part costs a hit about a
 * millisecond. */
#define SOK_SECTION_MAX 65536
#define SOK_TITLE_MAX 400

/* The stable id of a section: 16 lower-case hex digits of XXH3-64 over
 * source "\n" title "\n" occurrence (decimal, 0 for the first section with
 * that title in the document). */
void sok_section_id(const char *source, const char *title,
                    unsigned occurrence, char out[17]);

/* Gives every section of doc its id (sok_section_id()), the occurrence
 * counting earlier sections of the same title.  SOK_ENOMEM or 0. */
int sok_section_number(struct sok_document *doc);

/* Where a section's text came from: the byte offset at which a block
 * starts in it, and the block's page (0: not paged), in text order. */
struct sok_section_mark {
    size_t off;
    unsigned page;
};

struct sok_section_marks {
    size_t n, cap;
    struct sok_section_mark *v;     /* owned */
};

/* The ends of the parts text[0..len) is cut into, none over max bytes
 * (max >= 64): paragraph breaks first, then sentence ends, spaces, and
 * character boundaries.  Writes at most cap ends (the last is len) and
 * returns their number; 0 when text fits in max (nothing to cut). */
size_t sok_section_cuts(const char *text, size_t len, size_t max,
                        size_t *ends, size_t cap);

/* Cuts the last section of doc (doc->sections has *cap slots, grown as
 * needed) into parts when its text is over SOK_SECTION_MAX bytes: the
 * first keeps its title, the others are titled "Title (del N)", each
 * with the page (from marks, may be empty) where it starts.  Ids are
 * left to sok_section_number().  SOK_ENOMEM or 0; doc then holds what it
 * has, for sok_doc_free(). */
int sok_section_split(struct sok_document *doc, size_t *cap,
                      const struct sok_section_marks *marks);

/* Cuts title (malloc()ed, in place) to at most SOK_TITLE_MAX bytes, at a
 * word where one is near, ending in "…". */
void sok_section_cap_title(char *title);

/* Fills doc->title, doc->type, doc->date, doc->sections and
 * doc->nsections from x (x->url is left for the caller).  doc->source
 * must be set; opts may be NULL (no type override).  The only error is
 * SOK_ENOMEM; doc may then hold a partial result that sok_doc_free()
 * releases. */
int sok_section_build(const struct sok_extracted *x,
                      const struct sok_doc_opts *opts,
                      struct sok_document *doc, struct sok_err *err);

#endif /* SOK_SECTION_H */
