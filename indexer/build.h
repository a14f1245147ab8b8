/*
 * build: turns one parsed document into the Xapian documents of its
 * sections (terms, values, data) plus the words it adds to the spelling
 * dictionary.  It touches no database, so files can be prepared apart from
 * the single thread that writes.
 */
#ifndef SOK_BUILD_H
#define SOK_BUILD_H

#include <stddef.h>
#include "sok_analyze.h"
#include "sok_counts.h"
#include "sok_doc.h"
#include "sok_err.h"
#include "sok_xapian.h"

struct sok_prepared {
    size_t n;                        /* sections */
    struct sok_xdoc **docs;          /* owned */
    char (*uterms)[24];              /* "Q" + section id */
    size_t nterms;                   /* term entries added, all sections */
    struct sok_counts *spell;        /* owned: folded exact form -> the
                                        sum of its wdf increments */
};

/* Builds every section of doc.  filekey is the 32-hex key of the source
 * path (the F term).  On failure *out is untouched and nothing leaks. */
int sok_build_document(struct sok_analyzer *a, const struct sok_document *doc,
                       const char *filekey, struct sok_prepared **out,
                       struct sok_err *err);

void sok_prepared_free(struct sok_prepared *p);

/* Near-duplicate key of a section: 16 hex digits over its first words, so
 * the same text extracted from Markdown and from a PDF collapses to one hit.
 * Exposed for the unit tests. */
int sok_build_dupkey(const char *title, const char *text, char out[17],
                     struct sok_err *err);

#endif /* SOK_BUILD_H */
