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
    fuzz_extractor(data, size, sok_extract_html, "fuzz.html", SOK_FMT_HTML);
    return 0;
}
