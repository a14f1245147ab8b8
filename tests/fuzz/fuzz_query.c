/*
 * fuzz_query: libFuzzer target for the search-box parser (server/query.c).
 * The server only hands it valid UTF-8 (invalid UTF-8 is a 400 before the
 * parser runs), so bytes are repaired first, as the server would have
 * refused them.  Checks the parser's promises: terms lie inside q, in
 * order, with groups numbered in order of appearance, and never more than
 * SOK_Q_MAX_TERMS.
 */
#include <stdint.h>
#include <stdlib.h>

#include "query.h"
#include "sok_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = NULL;
    size_t len = 0;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_text_utf8_repair((const char *)data, size, &q, &len, NULL, &err))
        return 0;
    struct sok_query out;
    int rc = sok_query_parse(q, len, &out, &err);
    if (rc == 0) {
        if (out.n > SOK_Q_MAX_TERMS || out.ngroups > out.n)
            abort();
        unsigned next_group = 0;
        for (size_t i = 0; i < out.n; i++) {
            const struct sok_qterm *t = &out.t[i];
            if (t->off > len || t->len > len - t->off)
                abort();
            if (t->group > next_group)
                abort();            /* groups are numbered in order */
            if (t->group == next_group)
                next_group++;
            if (!sok_text_utf8_valid(q + t->off, t->len))
                abort();            /* a term cut inside a character */
        }
    } else if (rc != SOK_ETOOBIG || len <= SOK_Q_MAX_BYTES) {
        abort();                    /* the only error is an over-long q */
    }
    free(q);
    return 0;
}
