/*
 * query: the search-box syntax, parsed without touching the index or the
 * analyzer, so it can be tested alone and a syntax error is always a 400.
 *
 *   word            a word; words are combined with AND
 *   "two words"     a phrase (stopwords count only here)
 *   -word -"a b"    exclude
 *   a OR b          either (OR joins the terms on each side into a group)
 *   fritid*         every word starting with "fritid" (>= SOK_Q_MIN_PREFIX
 *                   characters before the '*')
 *
 * Errors (SOK_EQUERY unless noted): an unbalanced quote, an empty phrase, a
 * lone '-', OR at either end or next to another OR or an excluded term, '*'
 * without a long enough prefix, a query with nothing but exclusions; q over
 * SOK_Q_MAX_BYTES bytes or SOK_Q_MAX_TERMS words is SOK_ETOOBIG.
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

struct sok_query {
    size_t n;               /* terms */
    unsigned ngroups;
    struct sok_qterm t[SOK_Q_MAX_TERMS];
};

/* Parses q[0..len) (valid UTF-8) into *out.  Returns 0, or a negative code
 * with a message for the user in err. */
int sok_query_parse(const char *q, size_t len, struct sok_query *out,
                    struct sok_err *err);

#endif /* SOK_QUERY_H */
