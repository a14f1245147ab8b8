/*
 * fuzz_doc: what every extractor target checks of the document it built
 * (static inline, so each target stays one file and links nothing more).
 * Whatever the input, the blocks an extractor writes are normalised as
 * sok_extract.h says, a document holds valid UTF-8 only, its sections
 * have 16-hex-digit ids, and none is over the size a section may have
 * (sok_section.h): an extractor that broke these would hand the index
 * text the server then trusts.
 */
#ifndef FUZZ_DOC_H
#define FUZZ_DOC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sok_doc.h"
#include "sok_extract.h"
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

/* The blocks of x as sok_extract.h promises them: a level of 0..6,
 * text never empty, valid UTF-8, without CR, tabs, runs of spaces,
 * blanks at a line's end or empty lines. */
static inline void fuzz_check_blocks(const struct sok_extracted *x)
{
    fuzz_check_str(x->title, 1);
    fuzz_check_str(x->url, 1);
    for (size_t i = 0; i < x->n; i++) {
        const struct sok_extracted_block *b = &x->blocks[i];
        fuzz_check_str(b->text, 0);
        fuzz_check_str(b->anchor, 1);
        if (b->level < 0 || b->level > 6 || b->text[0] == '\0')
            abort();
        if (strpbrk(b->text, "\r\t") || strstr(b->text, "  ") ||
            strstr(b->text, " \n") || strstr(b->text, "\n\n"))
            abort();
        size_t n = strlen(b->text);
        if (b->text[n - 1] == ' ' || b->text[n - 1] == '\n')
            abort();
    }
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

/* One input through an extractor as the indexer reads a file: the blocks
 * of extract (which the document hides) checked, then the document that
 * sok_doc_parse() makes of it as name in format fmt. */
static inline void fuzz_extractor(const uint8_t *data, size_t size,
                                  int (*extract)(const char *, size_t,
                                                 struct sok_extracted *,
                                                 struct sok_err *),
                                  const char *name, enum sok_format fmt)
{
    struct sok_document *doc = NULL;
    struct sok_err err = SOK_ERR_INIT;
    char *text = NULL;
    size_t len = 0;
    if (sok_extract_normalise((const char *)data, size, &text, &len, NULL,
                              &err) == 0) {
        struct sok_extracted x = SOK_EXTRACTED_INIT;
        if (extract(text, len, &x, &err) == 0)
            fuzz_check_blocks(&x);
        sok_extracted_clear(&x);
        free(text);
        sok_err_clear(&err);
    }
    if (sok_doc_parse(name, (const char *)data, size, fmt, NULL, &doc,
                      &err) == 0)
        fuzz_check_doc(doc);
    sok_doc_free(doc);
}

#endif /* FUZZ_DOC_H */
