/*
 * fuzz_html: libFuzzer target for the HTML extractor
 * (common/sok_extract_html.c, libxml2's HTML parser),
 * through sok_doc_parse() as the indexer reads a file: bytes repaired and
 * normalised, blocks extracted, sections built.  Checks the blocks with
 * fuzz_check_blocks() and the document with fuzz_check_doc().
 */
#include <stdint.h>

#include "fuzz_doc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sok_doc_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sok_document *doc = NULL;
    struct sok_err err = SOK_ERR_INIT;
    /* The blocks first, which the document hides. */
    char *text = NULL;
    size_t len = 0;
    if (sok_extract_normalise((const char *)data, size, &text, &len, NULL,
                              &err) == 0) {
        struct sok_extracted x = SOK_EXTRACTED_INIT;
        if (sok_extract_html(text, len, &x, &err) == 0)
            fuzz_check_blocks(&x);
        sok_extracted_clear(&x);
        free(text);
        sok_err_clear(&err);
    }
    if (sok_doc_parse("fuzz.html", (const char *)data, size, SOK_FMT_HTML, NULL,
                      &doc, &err) == 0)
        fuzz_check_doc(doc);
    sok_doc_free(doc);
    return 0;
}
