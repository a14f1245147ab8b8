/*
 * fuzz_tokenize: libFuzzer target for the tokeniser (sok_text_tokenize,
 * common/sok_text.c) and the Swedish analysis built on it
 * (sok_analyze_text, common/sok_analyze.c, which stems through the Xapian
 * shim and splits compounds).  The indexer and the server repair bytes to
 * valid UTF-8 before either sees them, so this target does too.  Checks
 * that every token lies inside the input, is no longer than SOK_TOKEN_MAX
 * and has a position from the first one on, below *next_pos, and that
 * terms are NUL-terminated at their length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sok_analyze.h"
#include "sok_text.h"

static struct sok_analyzer *analyzer;

struct span {
    size_t len;
    unsigned max_pos;
};

static int on_token(void *ctx, const struct sok_token *tok)
{
    struct span *s = ctx;
    if (tok->start > tok->end || tok->end > s->len || tok->pos < 1)
        abort();
    if (tok->pos > s->max_pos)
        s->max_pos = tok->pos;
    if (tok->len > SOK_TOKEN_MAX || strlen(tok->text) != tok->len)
        abort();
    return 0;
}

static int on_term(void *ctx, const struct sok_term *t)
{
    (void)ctx;
    if (t->term == NULL || strlen(t->term) != t->len)
        abort();
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct sok_err err = SOK_ERR_INIT;
    if (sok_analyzer_new(&analyzer, &err))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = NULL;
    size_t len = 0;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_text_utf8_repair((const char *)data, size, &s, &len, NULL, &err))
        return 0;
    struct span sp = { len, 0 };
    unsigned next = 0;
    if (sok_text_tokenize(s, len, 1, on_token, &sp, &next, &err))
        abort();
    if (sp.max_pos >= next && sp.max_pos > 0)
        abort();                    /* *next_pos is past every token */
    /* The flags the indexer uses for a title, and those of body text. */
    unsigned pos = 1;
    sok_err_clear(&err);
    (void)sok_analyze_text(analyzer, s, len,
                           SOK_ANALYZE_TITLE | SOK_ANALYZE_PARTS, &pos,
                           on_term, NULL, &err);
    sok_err_clear(&err);
    (void)sok_analyze_text(analyzer, s, len, 0, &pos, on_term, NULL, &err);
    free(s);
    return 0;
}
