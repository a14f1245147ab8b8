/*
 * fuzz_html: libFuzzer target for the HTML extractor
 * (common/sok_extract_html.c, libxml2's HTML parser),
 * through sok_doc_parse() as the indexer reads a file: bytes repaired and
 * normalised, blocks extracted, sections built.  Checks the document with
 * fuzz_check_doc().
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
    if (sok_doc_parse("fuzz.html", (const char *)data, size, SOK_FMT_HTML, NULL,
                      &doc, &err) == 0)
        fuzz_check_doc(doc);
    sok_doc_free(doc);
    return 0;
}
