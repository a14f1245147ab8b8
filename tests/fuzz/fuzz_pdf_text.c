/*
 * fuzz_pdf_text: libFuzzer target for what sok makes of pdftotext's and
 * pdfinfo's output when pdftohtml cannot read a PDF
 * (common/sok_extract_pdf.c's from_text and meta, in process): the text
 * normalised (form feeds are page breaks) and read by the plain-text
 * extractor (common/sok_extract_text.c), then sections built; the same
 * bytes, raw as meta() passes them, read as pdfinfo's "Key: value" lines
 * for a title and a URL.
 */
#include <stdint.h>

#include "fuzz_doc.h"
#include "sok_extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_extract_normalise((const char *)data, size, &text, &len, NULL,
                              &err))
        return 0;
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    struct sok_document *doc = NULL;
    int rc = 0;
    sok_extract_pdf_meta((const char *)data, size, "/srv/docs/rapport.pdf",
                         &x, &rc);
    if (rc == 0 && sok_extract_text(text, len, &x, &err) == 0) {
        fuzz_check_blocks(&x);
        doc = calloc(1, sizeof *doc);
        if (doc && (doc->source = strdup("fuzz.pdf")) != NULL &&
            sok_section_build(&x, NULL, doc, &err) == 0)
            fuzz_check_doc(doc);
    }
    sok_doc_free(doc);
    sok_extracted_clear(&x);
    free(text);
    return 0;
}
