/*
 * query: a hand-written scanner for the search-box syntax (see query.h).
 * It only finds the structure, and reads anything a person types; turning
 * the text of each term into index terms is the analyzer's job in the
 * query plan (plan.c).
 */
#include "query.h"
#include "sok_text.h"

#include <string.h>

static const struct sok_qnotice g_notices[] = {
#define SOK_X_QROW(name, code, en, sv) { code, en, sv },
    SOK_QNOTICE_TABLE(SOK_X_QROW)
#undef SOK_X_QROW
};

const struct sok_qnotice *sok_query_notice(unsigned bit)
{
    return bit < SOK_QNOTICE_COUNT ? &g_notices[bit] : NULL;
}

/* ASCII whitespace and the other C0 controls separate terms. */
static int is_space(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* Outside a phrase, brackets separate terms too. */
static int is_sep(unsigned char c)
{
    return is_space(c) || c == '(' || c == ')';
}

/* Whitespace-separated words in s[0..len), for the term cap. */
static unsigned count_words(const char *s, size_t len)
{
    unsigned n = 0;
    int in = 0;
    for (size_t i = 0; i < len; i++) {
        int sep = is_space((unsigned char)s[i]);
        if (!sep && !in)
            n++;
        in = !sep;
    }
    return n;
}

struct parse {
    const char *q;
    size_t len, i;
    struct sok_query *out;
    unsigned words;         /* counted against SOK_Q_MAX_TERMS */
    int pending_or;         /* an OR was read: the next term joins a group */
    int pending_and;        /* an AND was read, its right side not yet */
    int depth;              /* brackets open */
};

enum { TERM, NONE, OP_OR, OP_AND };

static void notice(struct parse *ps, unsigned bit)
{
    ps->out->notices |= bit;
}

/* Skips separators, pairing brackets as it goes. */
static void skip_seps(struct parse *ps)
{
    while (ps->i < ps->len && is_sep((unsigned char)ps->q[ps->i])) {
        char c = ps->q[ps->i++];
        if (c == '(')
            ps->depth++;
        else if (c == ')' && ps->depth > 0)
            ps->depth--;
        else if (c == ')')
            notice(ps, SOK_QNOTICE(BRACKETS));
    }
}

/* A '-' right before a term excludes it, a '+' is dropped (a term is
 * required anyway); with no term right after it, either is a separator.
 * 0 when the sign was such a separator. */
static int read_sign(struct parse *ps, struct sok_qterm *t)
{
    char c = ps->q[ps->i];
    if (c != '-' && c != '+')
        return 1;
    ps->i++;
    if (ps->i >= ps->len || is_sep((unsigned char)ps->q[ps->i]) ||
        ps->q[ps->i] == '-' || ps->q[ps->i] == '+') {
        notice(ps, SOK_QNOTICE(OPERATOR));
        return 0;
    }
    t->negated = c == '-';
    return 1;
}

/* A phrase from the quote at ps->i to the next one, or to the end when
 * there is none.  NONE for a phrase without words. */
static int read_phrase(struct parse *ps, struct sok_qterm *t, unsigned *w)
{
    size_t start = ps->i + 1;
    const char *close = memchr(ps->q + start, '"', ps->len - start);
    size_t end = close ? (size_t)(close - ps->q) : ps->len;
    if (close == NULL)
        notice(ps, SOK_QNOTICE(UNCLOSED_QUOTE));
    t->kind = SOK_Q_PHRASE;
    t->off = start;
    t->len = end - start;
    ps->i = close ? end + 1 : ps->len;
    *w = count_words(ps->q + t->off, t->len);
    return *w ? TERM : NONE;
}

/* A word, a prefix or an operator at ps->i. */
static int read_word(struct parse *ps, struct sok_qterm *t, unsigned *w)
{
    const char *q = ps->q;
    size_t s = ps->i;
    while (ps->i < ps->len && !is_sep((unsigned char)q[ps->i]) &&
           q[ps->i] != '"')
        ps->i++;
    size_t wl = ps->i - s;
    if (!t->negated && wl == 2 && memcmp(q + s, "OR", 2) == 0)
        return OP_OR;
    if (!t->negated && wl == 3 && memcmp(q + s, "AND", 3) == 0)
        return OP_AND;
    size_t stars = 0;
    while (stars < wl && q[s + wl - 1 - stars] == '*')
        stars++;
    wl -= stars;
    if (wl == 0)
        return NONE;                /* "*" alone asks for nothing */
    if (stars && sok_utf8_chars(q + s, wl) < SOK_Q_MIN_PREFIX)
        notice(ps, SOK_QNOTICE(SHORT_PREFIX));
    else if (stars)
        t->kind = SOK_Q_PREFIX;
    t->off = s;
    t->len = wl;
    *w = 1;
    return TERM;
}

/* OR joins the terms on its sides; at an edge, doubled or next to an
 * excluded term it joins nothing and is a separator.  AND is what a space
 * means already. */
static void operator(struct parse *ps, int op)
{
    struct sok_query *out = ps->out;
    int edge = out->n == 0 || ps->pending_or || ps->pending_and;
    if (op == OP_OR && (edge || out->t[out->n - 1].negated))
        notice(ps, SOK_QNOTICE(OPERATOR));
    else if (op == OP_OR)
        ps->pending_or = 1;
    else if (edge)
        notice(ps, SOK_QNOTICE(OPERATOR));
    else
        ps->pending_and = 1;
}

/* Adds t (w words); 0 when the word cap is reached and parsing stops. */
static int add_term(struct parse *ps, struct sok_qterm *t, unsigned w)
{
    struct sok_query *out = ps->out;
    if (ps->words + w > SOK_Q_MAX_TERMS || out->n == SOK_Q_MAX_TERMS) {
        notice(ps, SOK_QNOTICE(TOO_MANY_WORDS));
        return 0;
    }
    if (ps->pending_or && t->negated)
        notice(ps, SOK_QNOTICE(OPERATOR));
    if (ps->pending_or && !t->negated)
        t->group = out->t[out->n - 1].group;
    else
        t->group = out->ngroups++;
    ps->pending_or = ps->pending_and = 0;
    ps->words += w;
    out->t[out->n++] = *t;
    return 1;
}

/* What is left to say once every term is read. */
static void finish(struct parse *ps)
{
    struct sok_query *out = ps->out;
    if (ps->pending_or || ps->pending_and)
        notice(ps, SOK_QNOTICE(OPERATOR));
    if (ps->depth > 0)
        notice(ps, SOK_QNOTICE(BRACKETS));
    if (out->n == 0) {
        notice(ps, SOK_QNOTICE(BROWSE));
        return;
    }
    for (size_t k = 0; k < out->n; k++)
        if (!out->t[k].negated)
            return;
    for (size_t k = 0; k < out->n; k++)
        out->t[k].negated = 0;
    notice(ps, SOK_QNOTICE(ONLY_EXCLUDED));
}

int sok_query_parse(const char *q, size_t len, struct sok_query *out,
                    struct sok_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > SOK_Q_MAX_BYTES)
        return sok_err_set(err, SOK_ETOOBIG,
                           "q is longer than %d bytes", SOK_Q_MAX_BYTES);
    struct parse ps = { q, len, 0, out, 0, 0, 0, 0 };
    for (;;) {
        skip_seps(&ps);
        if (ps.i >= len)
            break;
        struct sok_qterm t = { SOK_Q_WORD, 0, 0, 0, 0 };
        if (!read_sign(&ps, &t))
            continue;
        unsigned w = 0;
        int kind = q[ps.i] == '"' ? read_phrase(&ps, &t, &w)
                                  : read_word(&ps, &t, &w);
        if (kind == OP_OR || kind == OP_AND)
            operator(&ps, kind);
        else if (kind == TERM && !add_term(&ps, &t, w))
            break;
    }
    finish(&ps);
    return 0;
}
