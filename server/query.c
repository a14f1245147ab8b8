/*
 * query: a hand-written scanner for the search-box syntax (see query.h).
 * It only finds the structure; turning the text of each term into index
 * terms is the analyzer's job in the query plan (plan.c).
 */
#include "query.h"
#include "sok_text.h"

#include <string.h>

#define OR_NEGATED "q has 'OR' next to an excluded term"
#define OR_ALONE   "q has 'OR' without a term on both sides"

/* ASCII whitespace and the other C0 controls separate terms. */
static int is_sep(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* Whitespace-separated words in s[0..len), for the term cap. */
static unsigned count_words(const char *s, size_t len)
{
    unsigned n = 0;
    int in = 0;
    for (size_t i = 0; i < len; i++) {
        int sep = is_sep((unsigned char)s[i]);
        if (!sep && !in)
            n++;
        in = !sep;
    }
    return n;
}

int sok_query_parse(const char *q, size_t len, struct sok_query *out,
                    struct sok_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > SOK_Q_MAX_BYTES)
        return sok_err_set(err, SOK_ETOOBIG,
                           "q is longer than %d bytes", SOK_Q_MAX_BYTES);

    unsigned words = 0;
    int pending_or = 0;     /* an OR was read: the next term joins a group */
    size_t i = 0;
    for (;;) {
        while (i < len && is_sep((unsigned char)q[i]))
            i++;
        if (i >= len)
            break;

        struct sok_qterm t = { SOK_Q_WORD, 0, 0, 0, 0 };
        if (q[i] == '-') {
            if (i + 1 >= len || is_sep((unsigned char)q[i + 1]))
                return sok_err_set(err, SOK_EQUERY,
                                   "q has a lone '-': write it right before "
                                   "the word to exclude");
            t.negated = 1;
            i++;
        }

        if (q[i] == '"') {
            const char *close = memchr(q + i + 1, '"', len - i - 1);
            if (close == NULL)
                return sok_err_set(err, SOK_EQUERY,
                                   "q has an unbalanced quote");
            t.kind = SOK_Q_PHRASE;
            t.off = i + 1;
            t.len = (size_t)(close - q) - t.off;
            i = t.off + t.len + 1;
            unsigned w = count_words(q + t.off, t.len);
            if (w == 0)
                return sok_err_set(err, SOK_EQUERY, "q has an empty phrase");
            words += w;
        } else {
            size_t s = i;
            while (i < len && !is_sep((unsigned char)q[i]) && q[i] != '"')
                i++;
            size_t wl = i - s;
            if (!t.negated && wl == 2 && q[s] == 'O' && q[s + 1] == 'R') {
                if (out->n == 0 || pending_or)
                    return sok_err_set(err, SOK_EQUERY, "%s", OR_ALONE);
                if (out->t[out->n - 1].negated)
                    return sok_err_set(err, SOK_EQUERY, "%s", OR_NEGATED);
                pending_or = 1;
                continue;
            }
            size_t stars = 0;
            while (stars < wl && q[s + wl - 1 - stars] == '*')
                stars++;
            if (stars) {
                wl -= stars;
                if (wl == 0)
                    return sok_err_set(err, SOK_EQUERY,
                                       "q has '*' without a word before it");
                if (sok_utf8_chars(q + s, wl) < SOK_Q_MIN_PREFIX)
                    return sok_err_set(err, SOK_EQUERY,
                                       "q has a prefix shorter than %d "
                                       "characters before '*'",
                                       SOK_Q_MIN_PREFIX);
                t.kind = SOK_Q_PREFIX;
            }
            t.off = s;
            t.len = wl;
            words++;
        }

        if (words > SOK_Q_MAX_TERMS)
            return sok_err_set(err, SOK_ETOOBIG,
                               "q has more than %d terms", SOK_Q_MAX_TERMS);
        if (pending_or) {
            if (t.negated)
                return sok_err_set(err, SOK_EQUERY, "%s", OR_NEGATED);
            t.group = out->t[out->n - 1].group;
            pending_or = 0;
        } else {
            t.group = out->ngroups++;
        }
        out->t[out->n++] = t;
    }

    if (pending_or)
        return sok_err_set(err, SOK_EQUERY, "%s", OR_ALONE);
    if (out->n == 0)
        return sok_err_set(err, SOK_EQUERY, "q has no terms");
    for (size_t k = 0; k < out->n; k++)
        if (!out->t[k].negated)
            return 0;
    return sok_err_set(err, SOK_EQUERY,
                       "q only excludes words: add a word to search for");
}
