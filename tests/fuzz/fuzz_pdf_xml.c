/*
 * fuzz_pdf_xml: libFuzzer target for the reader of pdftohtml -xml output
 * (common/sok_pdf_xml.c, the layout judgement in sok_pdf_layout.c and
 * sok_pdf_outline.c, the blocks of sok_pdf_blocks.c), in process: the
 * child's output is what a hostile PDF controls, so it is fuzzed, not the
 * child.  The bytes are repaired to UTF-8 as sok_extract_pdf.c does
 * before it hands them over, and the blocks then become sections.
 */
#include <stdint.h>

#include "fuzz_doc.h"
#include "sok_extract.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sok_doc_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = NULL;
    size_t len = 0;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_text_utf8_repair((const char *)data, size, &xml, &len, NULL,
                             &err))
        return 0;
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    struct sok_document *doc = NULL;
    if (sok_extract_pdf_xml(xml, len, &x, &err) == 0) {
        fuzz_check_blocks(&x);
        for (size_t i = 0; i < x.n; i++)
            if (x.blocks[i].page == 0)
                abort();            /* every block has its page */
        doc = calloc(1, sizeof *doc);
        if (doc && (doc->source = strdup("fuzz.pdf")) != NULL &&
            sok_section_build(&x, NULL, doc, &err) == 0)
            fuzz_check_doc(doc);
    }
    sok_doc_free(doc);
    sok_extracted_clear(&x);
    free(xml);
    return 0;
}
