/*
 * query: the search-box syntax, parsed without touching the index or the
 * analyzer, so it can be tested alone.
 *
 *   word            a word; words are combined with AND
 *   "two words"     a phrase (stopwords count only here)
 *   -word -"a b"    exclude
 *   +word           the word (it is required anyway)
 *   a OR b          either (OR joins the terms on each side into a group)
 *   a AND b         both (the default; AND is only read as a separator)
 *   fritid*         every word starting with "fritid" (>= SOK_Q_MIN_PREFIX
 *                   characters before the '*')
 *   ( )             grouping marks are read as spaces
 *
 * A search box on a public site never refuses what a person types: input
 * that breaks the syntax gets its most sensible reading, and each
 * reinterpretation sets a notice bit (SOK_QNOTICE_TABLE) that the answer
 * reports.  A quote never closed closes at the end; a '-', '+', OR or AND
 * with no word on its side, or doubled, is a separator; a '*' after too
 * short a prefix is dropped; unpaired brackets are dropped; a query of
 * nothing but exclusions searches for those words; past SOK_Q_MAX_TERMS
 * words the rest is dropped.  A query left with no term at all ("*", "()",
 * "\"\"") is a browse: the caller lists the newest sections.  The only
 * error is q over SOK_Q_MAX_BYTES bytes (SOK_ETOOBIG).
 */
#ifndef SOK_QUERY_H
#define SOK_QUERY_H

#include <stddef.h>
#include "sok_err.h"

#define SOK_Q_MAX_BYTES  512
#define SOK_Q_MAX_TERMS  32
#define SOK_Q_MIN_PREFIX 3

enum sok_qkind { SOK_Q_WORD, SOK_Q_PHRASE, SOK_Q_PREFIX };

struct sok_qterm {
    enum sok_qkind kind;
    size_t off, len;        /* the term's text in q, without '-', the quotes
                               or the trailing '*' */
    unsigned group;         /* terms joined by OR share a group; groups are
                               numbered 0.. in order of appearance */
    int negated;
};

/* What the parser read differently from what was typed: name, JSON code,
 * English message (API), Swedish text (the page). */
#define SOK_QNOTICE_TABLE(X)                                                 \
    X(UNCLOSED_QUOTE, "unclosed_quote",                                      \
      "a quote was not closed: the phrase runs to the end of the query",     \
      "Ett citattecken stängdes inte: frasen gäller till slutet.")           \
    X(OPERATOR, "operator_ignored",                                          \
      "a '-', '+', OR or AND without a word on its side was read as a space",\
      "Ett ensamt -, +, OR eller AND lästes som mellanrum.")                 \
    X(SHORT_PREFIX, "short_prefix",                                          \
      "a '*' after fewer than three letters was dropped: the word itself "   \
      "is searched", "En * efter färre än tre bokstäver togs bort.")          \
    X(BRACKETS, "unbalanced_brackets",                                       \
      "brackets that did not pair up were dropped",                          \
      "Parenteser utan sin motsvarighet togs bort.")                         \
    X(ONLY_EXCLUDED, "only_excluded",                                        \
      "the query only excluded words: they are searched for instead",        \
      "Sökfrågan uteslöt bara ord, så de söks i stället.")                   \
    X(TOO_MANY_WORDS, "too_many_words",                                      \
      "only the first words of the query are searched",                      \
      "Bara de första orden i sökfrågan används.")                           \
    X(BROWSE, "browse",                                                      \
      "nothing to search for: the newest sections are listed",               \
      "Inget att söka efter, så här är de senaste avsnitten.")

enum sok_qnotice_bit {
#define SOK_X_QBIT(name, code, en, sv) SOK_QNOTICE_BIT_##name,
    SOK_QNOTICE_TABLE(SOK_X_QBIT)
#undef SOK_X_QBIT
    SOK_QNOTICE_COUNT
};

#define SOK_QNOTICE(name) (1u << SOK_QNOTICE_BIT_##name)

struct sok_qnotice {
    const char *code;       /* JSON "code": stable, lower_snake_case */
    const char *en;         /* JSON "message" */
    const char *sv;         /* the page's line */
};

/* The row of notice bit number bit (0 .. SOK_QNOTICE_COUNT - 1). */
const struct sok_qnotice *sok_query_notice(unsigned bit);

struct sok_query {
    size_t n;               /* terms; 0: a browse (SOK_QNOTICE(BROWSE)) */
    unsigned ngroups;
    unsigned notices;       /* SOK_QNOTICE(...) bits */
    struct sok_qterm t[SOK_Q_MAX_TERMS];
};

/* Parses q[0..len) (valid UTF-8) into *out.  Returns 0, or SOK_ETOOBIG
 * with a message for the user in err when q is over SOK_Q_MAX_BYTES. */
int sok_query_parse(const char *q, size_t len, struct sok_query *out,
                    struct sok_err *err);

#endif /* SOK_QUERY_H */
