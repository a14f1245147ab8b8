/*
 * fuzz_section: libFuzzer target for the section splitter
 * (common/sok_section.c, sok_section_parts.c) fed blocks directly, so
 * that block shapes no extractor happens to produce reach it too.  The
 * input (repaired to UTF-8) is read a line a block: "#".."######" and a
 * space make a heading of that level, "@" a block of links, ">" a line
 * of a table of contents, "\f" turns the page, anything else is body
 * text.  The first byte also sets the part size for sok_section_cuts(),
 * whose ends are checked against its contract, and, when odd, repeats the
 * lines past SOK_SECTION_MAX, so sections are cut into parts; every line
 * is asked sok_section_heading_shape().
 */
#include <stdint.h>

#include "fuzz_doc.h"
#include "sok_extract.h"

static void add_line(struct sok_extracted *x, const char *s, size_t n,
                     unsigned *page, int *rc)
{
    (void)sok_section_heading_shape(s, n);
    int level = 0;
    while (level < (int)n && level < 6 && s[level] == '#')
        level++;
    enum sok_block_kind kind = SOK_BLOCK_TEXT;
    if (level > 0 && (size_t)level < n && s[level] == ' ') {
        s += level + 1;
        n -= (size_t)level + 1;
    } else {
        level = 0;
        if (n > 0 && s[0] == '\f') {
            ++*page;
            s++, n--;
        }
        if (n > 0 && (s[0] == '@' || s[0] == '>')) {
            kind = s[0] == '@' ? SOK_BLOCK_LINKS : SOK_BLOCK_TOC;
            s++, n--;
        }
    }
    sok_extracted_add_at(x, level, s, n, *page, kind, rc);
}

static void check_cuts(const char *s, size_t len, size_t max)
{
    size_t cap = 4 * (len / max) + 4;
    size_t *ends = malloc(cap * sizeof *ends);
    if (ends == NULL)
        return;
    size_t n = sok_section_cuts(s, len, max, ends, cap);
    if (n == 0 && len > max)
        abort();
    /* A part starts past the blanks after the end of the one before
     * (sok_section_split() trims them). */
    size_t prev = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        while (i > 0 && start < ends[i] && strchr(" \n\t\r\f\v", s[start]))
            start++;
        if (ends[i] <= prev || ends[i] - start > max)
            abort();
        if (!sok_text_utf8_valid(s + start, ends[i] - start))
            abort();                /* cut inside a character */
        prev = start = ends[i];
    }
    if (n > 0 && prev != len)
        abort();
    free(ends);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max = 64 + (size ? data[0] : 0) * 4;
    char *s = NULL;
    size_t len = 0;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_text_utf8_repair((const char *)data, size, &s, &len, NULL, &err))
        return 0;
    check_cuts(s, len, max);

    struct sok_extracted x = SOK_EXTRACTED_INIT;
    unsigned page = 1;
    int rc = 0;
    /* An odd first byte reads the lines over and over, past what one
     * section may hold, so that sections are cut into parts. */
    size_t rounds = size && (data[0] & 1) && len ? SOK_SECTION_MAX / len + 2 : 1;
    for (size_t r = 0; r < rounds && rc == 0; r++)
        for (size_t i = 0; i < len && rc == 0;) {
            const char *nl = memchr(s + i, '\n', len - i);
            size_t e = nl ? (size_t)(nl - s) : len;
            add_line(&x, s + i, e - i, &page, &rc);
            i = e + 1;
        }
    if (rc == 0)
        fuzz_check_blocks(&x);
    struct sok_document *doc = calloc(1, sizeof *doc);
    if (rc == 0 && doc && (doc->source = strdup("fuzz.txt")) != NULL &&
        sok_section_build(&x, NULL, doc, &err) == 0)
        fuzz_check_doc(doc);
    sok_doc_free(doc);
    sok_extracted_clear(&x);
    free(s);
    return 0;
}
