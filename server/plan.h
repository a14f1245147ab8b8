/*
 * plan: what the three files of the search share (the public face is
 * search.h).  plan.c turns one request into its plan: the parsed query,
 * every token of every term (analysed by the indexer's tokeniser and
 * stemmer), the Xapian queries built from them, the tiers to try in turn,
 * and the words to highlight.  correct.c adds what a word may have meant
 * (typed without accents, unknown to the index, a name spelt another way,
 * rare, written apart from its neighbour) and keeps the fixes that make
 * the suggestion ("Menade du ...?").  hits.c runs one tier and folds its
 * hits into a page.  search.c ties the three together.
 */
#ifndef SOK_PLAN_H
#define SOK_PLAN_H

#include <stddef.h>
#include <jansson.h>
#include "search.h"
#include "query.h"
#include "snippet.h"
#include "spell.h"
#include "sok_buf.h"

#define SOK_PLAN_TOKENS_MAX 64      /* tokens of all terms together */

/* Most expansions below one word: compound parts, accent forms, and
 * edit-tolerant variants (SOK_ALTS_MAX), with room to spare. */
#define SOK_PLAN_EXPANSIONS_MAX (2 + SOK_FOLD_MAX + SOK_ALTS_MAX)

struct sok_plan_tok {
    size_t off, len;        /* folded text, in plan->pool */
    size_t soff, slen;      /* stem (slen 0: none), in plan->pool */
    unsigned flags;         /* SOK_TOK_* */
    size_t qstart, qend;    /* bytes in the query */
};

struct sok_plan_term {      /* one analysed query term */
    size_t first, n;        /* its tokens in plan->toks */
    int stop;               /* a lone stopword outside a phrase */
    int unknown;            /* a single word the index does not hold */
    struct sok_xq *xq;      /* NULL: left out (no tokens, or a stopword
                               dropped) */
    struct sok_xq *px;      /* a single word's exact form(s), for the
                               proximity boost; NULL otherwise */
};

struct sok_fix {            /* one correction for the suggestion */
    size_t qstart, qend;    /* the query text it replaces */
    int capital;            /* the user wrote a capital first letter */
    int good;               /* what it replaces is good Swedish (the
                               lexicon knows it): offered only when the
                               query finds nothing at all */
    size_t nalts;
    char *alts[SOK_ALTS_MAX];   /* owned; alts[0] is used unless a later
                               one is what the top hit holds */
};

struct sok_fixes {          /* non-overlapping (sok_correct_add) */
    size_t n;
    struct sok_fix f[SOK_Q_MAX_TERMS];
};

/* The queries a search tries in turn, the next only while the ones before
 * found nothing: "all" groups ANDed, then ("known") only the words the
 * index knows ANDed, the unknown ones optional, then "any" group.  Each is
 * whole: exclusions and filters applied. */
#define SOK_PLAN_TIERS 3

struct sok_plan_tier {
    const char *name;       /* static: "all", "known" or "any" */
    struct sok_xq *q;       /* never NULL */
    struct sok_xq *first;   /* q without its proximity boost, the same
                               matches: the search ranks q over first's
                               best SOK_RERANK_DEPTH only (hits.h); NULL
                               without a boost */
    struct sok_xq *others;  /* with a type filter, the same query within
                               the types not chosen, for the type facet;
                               NULL without one (or with every type) */
};

struct sok_plan {
    struct sok_engine *e;
    const char *q;          /* borrowed: the request's text */
    size_t qlen;
    struct sok_query pq;
    struct sok_buf pool;    /* token texts and stems, NUL-terminated */
    int prc;                /* pool's rc */
    struct sok_plan_tok toks[SOK_PLAN_TOKENS_MAX];
    size_t ntoks;
    size_t term;            /* term being tokenised */
    int too_many;
    struct sok_plan_term at[SOK_Q_MAX_TERMS];
    struct sok_xq **xqs;    /* every query built, freed together */
    size_t nxq, capxq;
    struct sok_fixes fixes;
    struct sok_hl *hl;      /* borrowed: filled with the words to mark */
    struct sok_xq *neg;     /* OR of the excluded terms; NULL: none */
    int browse;             /* nothing to search for: one tier, every
                               section, newest first */
    size_t ntiers;          /* at least 1 once built */
    struct sok_plan_tier tier[SOK_PLAN_TIERS];
    struct sok_err *err;    /* borrowed: the request's; its code is the
                               plan's sticky rc */
};

/* ---------------------------------------------- interface to plan.c */

/* Builds the plan of req on e's reader: its tiers (a query with nothing
 * searchable left, "*" or "!!!", is a browse: one tier matching every
 * section), the
 * fixes, and the words to mark added to hl (caller-owned, zeroed by the
 * caller; it must outlive the plan's use).  e, req->q and err are
 * borrowed for the plan's life.  On success *out is the plan
 * (sok_plan_free); on failure *out is NULL and err says why: SOK_EQUERY /
 * SOK_ETOOBIG for the query text, SOK_ENODB without an index, SOK_ENOMEM
 * or a code of the shim's. */
int sok_plan_new(struct sok_engine *e, const struct sok_search_req *req,
                 struct sok_hl *hl, struct sok_err *err,
                 struct sok_plan **out);

/* Frees p and every query it built; p may be NULL. */
void sok_plan_free(struct sok_plan *p);

/* For the unit test (tests/unit/test_plan.c): the plan of req as text, one
 * line "NAME: DESCRIPTION" per tier (sok_xq_describe), then a line
 * "suggestion: TEXT" when the corrections make one (before any hit could
 * choose among the alternatives).  *out malloc()ed; NULL on failure, with
 * the rc and err of sok_plan_new (or SOK_ENOMEM). */
int sok_plan_describe(struct sok_engine *e, const struct sok_search_req *req,
                      char **out, struct sok_err *err);

/*
 * The query builders, for plan.c and correct.c.  Every one returns 0 or a
 * negative SOK_E* code (recorded in p->err, first error wins) and stores
 * its result in *out: a query the plan owns (freed by sok_plan_free), or
 * NULL for "absent": there is no such part (no stem, no expansion, no
 * boost), and sok_plan_comb leaves it out of whatever it combines.  NULL
 * never means "failed" (that is the rc) nor "matches nothing" (that is a
 * sok_xq_match_nothing() query).  Once p->err holds an error every
 * builder returns it at once with *out NULL, so a sequence of builds needs
 * one check at its end.  Sub-queries are borrowed.
 */

/* Records q, just made by a shim constructor, for sok_plan_free(); a NULL
 * q is the constructor's failure, which it wrote into p->err. */
int sok_plan_keep(struct sok_plan *p, struct sok_xq *q, struct sok_xq **out);

/* The term prefix + t[0..len); absent for an empty t; a term too long for
 * the index (SOK_TERM_MAX) matches nothing. */
int sok_plan_term(struct sok_plan *p, const char *prefix, const char *t,
                  size_t len, struct sok_xq **out);

/* q (absent: absent) scaled by w. */
int sok_plan_scale(struct sok_plan *p, struct sok_xq *q, double w,
                   struct sok_xq **out);

/* sok_plan_term scaled by w. */
int sok_plan_scaled(struct sok_plan *p, const char *prefix, const char *t,
                    size_t len, double w, struct sok_xq **out);

/* Sections holding a word with stem s: Z + s, OR s itself (which the
 * indexer writes without a Z term when a word is its own stem), scaled by
 * w unless it is 1. */
int sok_plan_stem(struct sok_plan *p, const char *s, size_t len, double w,
                  struct sok_xq **out);

/* subs[0..n) combined by op, the absent ones left out (subs is compacted
 * in place); absent when all are; a single one is itself, except as a
 * PHRASE. */
int sok_plan_comb(struct sok_plan *p, enum sok_xq_op op,
                  struct sok_xq **subs, size_t n, struct sok_xq **out);

/* OR(a, b), either may be absent. */
int sok_plan_or2(struct sok_plan *p, struct sok_xq *a, struct sok_xq *b,
                 struct sok_xq **out);

/* a, and below it the sections only the expansions rest[0..n) reach:
 * OR(a, AND_NOT(OR(rest), a)).  A section holding a scores as it would
 * without them, so they add recall but never lift a section above one that
 * holds the word as typed. */
int sok_plan_below(struct sok_plan *p, struct sok_xq *a,
                   struct sok_xq **rest, size_t n, struct sok_xq **out);

/* One word's query in two halves: a, the exact form OR its stem weighted
 * down (an exact match ranks above one on the stem alone), and the
 * expansions that go below it (sok_plan_below). */
struct sok_plan_word {
    struct sok_xq *a;
    size_t n;
    struct sok_xq *rest[SOK_PLAN_EXPANSIONS_MAX];
};

/* The folded word w (stem[0..slen), slen 0: none) as a, and below it
 * (not in plain mode) the compounds holding it as a part, for a word rarer
 * than SOK_EXPAND_BELOW sections, and the indexed words a word typed
 * without accents may have meant.  The expansions are marked in snippets
 * under *hl_id (hl_id NULL: not marked). */
int sok_plan_word_parts(struct sok_plan *p, const char *w, size_t wlen,
                        const char *stem, size_t slen, const unsigned *hl_id,
                        struct sok_plan_word *wq);

/* The same, combined: sok_plan_below(wq.a, wq.rest). */
int sok_plan_word(struct sok_plan *p, const char *w, size_t wlen,
                  const char *stem, size_t slen, const unsigned *hl_id,
                  struct sok_xq **out);

/* Term i's token when the term is one plain word (no parts, not a
 * number): the kind that can be a stopword, be corrected or be joined to
 * its neighbour; NULL otherwise. */
const struct sok_plan_tok *sok_plan_single_word(const struct sok_plan *p,
                                                size_t i);

/* Text at off in p->pool (a token's folded form or stem). */
static inline const char *sok_plan_text(const struct sok_plan *p, size_t off)
{
    return p->pool.p + off;
}

/* ------------------------------------------- interface to correct.c */

/* Appends to wq's expansions, up to SOK_FOLD_MAX of them, the indexed
 * words the folded word w, typed without accents, may have meant ("for"
 * -> "för"); marked under *hl_id (NULL: not marked), so the passage shown
 * is one that holds them.  Returns the builders' rc. */
int sok_correct_accents(struct sok_plan *p, const char *w, size_t len,
                        const unsigned *hl_id, struct sok_plan_word *wq);

/* The staff's synonyms of the word of token t (vocab.h), added to wq's
 * expansions (room allowing), each a word or a phrase, marked in hl as
 * query word id; weighed 0 when the word has sections of its own, so none
 * outranks it.  *found tells whether they stand in for a word the index
 * does not hold (then it is no misspelling). */
int sok_correct_synonyms(struct sok_plan *p, const struct sok_plan_tok *t,
                         unsigned id, struct sok_plan_word *wq, int *found);

/* The corrections of term i, the single word t (not excluded), whose
 * query *q is sok_plan_below(wq) and which is marked under id:
 *  - unknown to the index (no exact form, no stem; at[i].unknown is set,
 *    for the "known" tier): the words it may have meant (sok_spell_alts:
 *    accents restored, the spelling dictionary, the edit budget) ORed on
 *    and in the proximity boost, so the other words and their order pick
 *    among them, and recorded as one fix; and a compound the index does
 *    not hold through its parts ("taligenkänningstjänsten");
 *  - a name (capitalised) or a word the lexicon does not know, in fewer
 *    than SOK_EXPAND_BELOW sections: the indexed words within the edit
 *    budget as expansions below it (not in the proximity boost, which
 *    would lift the variants over the word);
 *  - rare (in at most one section, as a word and by its stem): the
 *    spelling dictionary's correction as a fix when it is far more
 *    common.
 * Returns the builders' rc. */
int sok_correct_word(struct sok_plan *p, size_t i,
                     const struct sok_plan_tok *t, unsigned id,
                     struct sok_plan_word *wq, struct sok_xq **q);

/* Adjacent one-word groups i, i + 1 whose concatenation, as typed or with
 * a linking s ("fritids bank", "fritid bank" -> "fritidsbank"), is
 * indexed: Swedish closes compounds up, so writing one apart is a slip.
 * *out is the joined word's query, marked under group i's id, and a fix
 * when either word is unknown; absent when the index holds no such word
 * (or either group is not one plain word).  Returns the builders' rc. */
int sok_correct_joined(struct sok_plan *p, size_t i, struct sok_xq **out);

/* Records that the query text [qstart, qend) reads better as one of
 * words[0..n) (the first unless sok_correct_prefer says otherwise); good
 * when that text is good Swedish all the same.  A fix spanning earlier
 * ones (a joined pair) replaces them.  Best effort: no fix when n is 0,
 * the table is full or memory runs out. */
void sok_correct_add(struct sok_fixes *fx, size_t qstart, size_t qend,
                     const char *const *words, const size_t *lens, size_t n,
                     int capital, int good);

/* Drops the fixes of good Swedish: for a query that found something, a
 * word the lexicon knows is not a misspelling, even when the index lacks
 * it ("missbruk och beroende" is not "missbruk och boende"). */
void sok_correct_drop_good(struct sok_fixes *fx);

/* For each fix with several alternatives, puts first the one the record
 * doc (the top hit) holds in its title or text: what the user most likely
 * meant. */
void sok_correct_prefer(struct sok_fixes *fx, const json_t *doc);

/* q[0..qlen) with every fix applied, in *out (malloc()ed); *out NULL when
 * there is no fix.  0, or SOK_ENOMEM (*out NULL): a caller may go without
 * a suggestion. */
int sok_correct_suggestion(const struct sok_fixes *fx, const char *q,
                           size_t qlen, char **out);

/* Frees the fixes' alternatives and empties fx; fx may be NULL. */
void sok_correct_free(struct sok_fixes *fx);

/* ---------------------------------------------- interface to hits.c */

/* Runs q, one whole tier of a plan, for req on e's reader and fills res
 * (with first, the tier's: in two passes, sok_plan_tier):
 * total and facets (exact when every match was examined, else scaled-up
 * estimates), and the page of hits with snippets and titles marking hl's
 * words.  Within the first SOK_DEDUP_WINDOW results the page is cut from
 * a list of one hit per passage, grouped from the top (twins.h), so pages
 * stay consistent; deeper pages are Xapian's.  res must be empty
 * (SOK_SEARCH_RES_INIT or freed); on failure it may hold part of a result
 * and is safe to free.  Returns 0 or a negative code, with err. */
int sok_hits_search(struct sok_engine *e, const struct sok_hl *hl,
                    const struct sok_xq *q, const struct sok_xq *first,
                    const struct sok_search_req *req,
                    struct sok_search_res *res, struct sok_err *err);

/* Adds to res's type facet the counts of others, the tier's query within
 * the types req did not choose (tier.others; NULL: nothing to do), counted
 * as the main search counts (collapsed, examining as many matches, scaled
 * up beyond), so a filter UI can show what choosing them would add;
 * facets_exact then also says whether they were all counted.  For the
 * tier whose hits res holds (sok_hits_search).  Returns 0 or a negative
 * code, with err. */
int sok_hits_count_others(struct sok_engine *e, const struct sok_xq *others,
                          const struct sok_search_req *req,
                          struct sok_search_res *res, struct sok_err *err);

#endif /* SOK_PLAN_H */
