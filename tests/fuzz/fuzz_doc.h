/*
 * fuzz_doc: what every extractor target checks of the document it built
 * (static inline, so each target stays one file and links nothing more).
 * Whatever the input, a document holds valid UTF-8 only, its sections
 * have 16-hex-digit ids, and none is over the size a section may have
 * (sok_section.h): an extractor that broke these would hand the index
 * text the server then trusts.
 */
#ifndef FUZZ_DOC_H
#define FUZZ_DOC_H

#include <stdlib.h>
#include <string.h>

#include "sok_doc.h"
#include "sok_section.h"
#include "sok_text.h"

static inline void fuzz_check_str(const char *s, int may_be_null)
{
    if (s == NULL) {
        if (!may_be_null)
            abort();
        return;
    }
    if (!sok_text_utf8_valid(s, strlen(s)))
        abort();
}

static inline void fuzz_check_doc(const struct sok_document *doc)
{
    fuzz_check_str(doc->title, 0);
    fuzz_check_str(doc->url, 1);
    if (doc->url && !sok_doc_url_safe(doc->url))
        abort();                    /* javascript: and the like */
    if (doc->date[0] && strlen(doc->date) != 10)
        abort();
    for (size_t i = 0; i < doc->nsections; i++) {
        const struct sok_section *s = &doc->sections[i];
        fuzz_check_str(s->title, 0);
        fuzz_check_str(s->text, 0);
        fuzz_check_str(s->anchor, 1);
        if (strlen(s->id) != 16 || strspn(s->id, "0123456789abcdef") != 16)
            abort();
        if (strlen(s->text) > SOK_SECTION_MAX)
            abort();
        if (strlen(s->title) > SOK_TITLE_MAX + 16)   /* + " (del N)" */
            abort();
    }
}

#endif /* FUZZ_DOC_H */
