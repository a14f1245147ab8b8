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

/* The stable id of a section: 16 lower-case hex digits of XXH3-64 over
 * source "\n" title "\n" occurrence (decimal, 0 for the first section with
 * that title in the document). */
void sok_section_id(const char *source, const char *title,
                    unsigned occurrence, char out[17]);

/* Fills doc->title, doc->type, doc->date, doc->sections and
 * doc->nsections from x (x->url is left for the caller).  doc->source
 * must be set; opts may be NULL (no type override).  The only error is
 * SOK_ENOMEM; doc may then hold a partial result that sok_doc_free()
 * releases. */
int sok_section_build(const struct sok_extracted *x,
                      const struct sok_doc_opts *opts,
                      struct sok_document *doc, struct sok_err *err);

#endif /* SOK_SECTION_H */
