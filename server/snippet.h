/*
 * snippet: the highlighted passage of a hit.  The query side lists what to
 * mark (struct sok_hl: exact folded words, Z stems, prefixes, compound
 * part stems, each tagged
 * with the id of the query word it came from); the text is run through the
 * same tokeniser and stemmer as the indexer, so exactly the words that made
 * the section match get marked.  Output is HTML-escaped text in which
 * <mark>...</mark> is the only markup.
 */
#ifndef SOK_SNIPPET_H
#define SOK_SNIPPET_H

#include <stddef.h>
#include "sok_err.h"
#include "sok_buf.h"
#include "sok_text.h"
#include "sok_analyze.h"

#define SOK_HL_MAX 96           /* terms to mark */
#define SOK_SNIPPET_WORDS 30    /* words in a snippet window */
#define SOK_SNIPPET_BYTES 480   /* and at most this many bytes of text */
#define SOK_SNIPPET_SCAN 262144 /* bytes of a section searched for the
                                   best window (bounds the work per hit) */

/* SOK_HL_PART: the stem of a part of a compound word ("bank" marks
 * "fritidsbanken"), as the indexer's C terms hold it. */
enum sok_hl_kind { SOK_HL_EXACT, SOK_HL_STEM, SOK_HL_PREFIX, SOK_HL_PART };

struct sok_hl_term {
    enum sok_hl_kind kind;
    unsigned id;                /* query word, < 64: windows are scored by
                                   the number of distinct ids they hold */
    size_t len;
    char text[SOK_TOKEN_MAX + 1];   /* folded word, stem or prefix */
};

struct sok_hl {
    size_t n;
    struct sok_hl_term t[SOK_HL_MAX];
};

/* Adds a term (ignored when empty, too long, already present or the set is
 * full: highlighting is best effort).  id is taken modulo 64. */
void sok_hl_add(struct sok_hl *hl, enum sok_hl_kind kind, unsigned id,
                const char *text, size_t len);

/* Appends to out the best passage of text[0..len): the window of
 * SOK_SNIPPET_WORDS words holding the most distinct query words (then the
 * most matches, then the earliest), matches in <mark>, whitespace runs
 * collapsed to one space, "…" where the text was cut.  With no match the
 * passage is the start of the text.  an stems the text's words. */
int sok_snippet(struct sok_analyzer *an, const struct sok_hl *hl,
                const char *text, size_t len, struct sok_buf *out,
                struct sok_err *err);

/* Appends all of text[0..len) as HTML paragraphs (<p>...</p>, one per
 * blank-line separated block; a single newline becomes <br>) with matches
 * in <mark>. */
int sok_highlight_html(struct sok_analyzer *an, const struct sok_hl *hl,
                       const char *text, size_t len, struct sok_buf *out,
                       struct sok_err *err);

/* Appends all of text[0..len) (a title: at most SOK_SNIPPET_SCAN bytes
 * of it) as one line, as sok_snippet marks and escapes a passage:
 * matches in <mark>, whitespace runs collapsed to one space, trimmed, no
 * other markup. */
int sok_highlight_line(struct sok_analyzer *an, const struct sok_hl *hl,
                       const char *text, size_t len, struct sok_buf *out,
                       struct sok_err *err);

#endif /* SOK_SNIPPET_H */
