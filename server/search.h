/*
 * search: the search logic, free of HTTP.  A handler fills a
 * struct sok_search_req from bounded, validated parameters and calls
 * sok_search_run(); the result holds everything the JSON and HTML renderers
 * need.
 *
 * How a query becomes a Xapian query (the relevance choices; plan.c builds
 * it, correct.c adds the corrections, hits.c runs it):
 *  - each word is OR(exact form, Z stem scaled by SOK_STEM_WEIGHT), so an
 *    exact form outranks a stem-only match;
 *  - below the word itself, as OR(word, AND_NOT(OR(expansions), word)), so
 *    they add recall without lifting a section over one holding the word
 *    as typed: compounds holding it as a part (C terms, SOK_PART_WEIGHT),
 *    for a word typed without accents the indexed words differing only by
 *    them (SOK_FOLD_WEIGHT, at most SOK_FOLD_MAX), and for a name or a
 *    word the lexicon does not know, the indexed words within the edit
 *    budget (1 edit from 5 letters, 2 from 9; SOK_EDIT_WEIGHT); parts and
 *    edits only for a word in fewer than SOK_EXPAND_BELOW sections (a
 *    common word fills the first pages itself, and their merge costs);
 *  - a word the index does not know (no exact form, no stem) is also
 *    searched as the words it may have meant (at most SOK_ALTS_MAX: its
 *    accents restored, "vag" -> "väg", the spelling dictionary's
 *    correction, the indexed words within the edit budget) and, when it
 *    is a compound, through its parts; of the alternatives, the one the
 *    top hit holds goes into "suggestion";
 *  - a rare word (in one section at most) whose spelling-dictionary
 *    correction is far more common gets that correction as "suggestion",
 *    the search unchanged;
 *  - two adjacent words whose concatenation is indexed ("fritids bank",
 *    or with a linking s: "fritid bank") may also match as that one word
 *    (Swedish closes compounds up);
 *  - a query of plain words that is a section's whole title (T term)
 *    ranks that section first;
 *  - sok-server --plain (the engine's opts.plain) keeps of the above only
 *    the first point: no expansions, corrections, joining, title or
 *    proximity boost, for comparison;
 *  - stopwords are dropped outside phrases (unless nothing else is left);
 *    a query with nothing searchable left ("!!!") finds nothing;
 *  - groups are ANDed; when AND finds nothing and there are two groups or
 *    more, the words the index knows are ANDed (the unknown ones
 *    optional), then all groups ORed, and the result says "relaxed";
 *    either way, sections holding the query's words in order and close
 *    together (a phrase with slack, stopwords included) get a boost;
 *  - one hit per passage (twins.h): near-duplicate sections collapse on
 *    SOK_SLOT_DUPKEY, and among the top results a hit whose text a
 *    higher hit holds (or lies inside) is folded into it; the face of
 *    each hit is its preferred copy (a web page over a PDF, then a copy
 *    with a date, then one from a file the page already shows), the
 *    others are listed beside it ("also");
 *  - the type and year facets are counted over the whole result set when
 *    it has at most SOK_FACET_CHECK matches, else over the matches
 *    examined, scaled up to the estimated total (and the result says the
 *    facets are estimates).  A value counts each passage once: sections
 *    of one collapse key once, and a folded hit not again where a copy
 *    in its hit has the same value.  With a type filter the type facet
 *    also counts the types not chosen (as if that filter were off), from
 *    a second search of the query within those types; the year facet
 *    counts within the chosen types and dates.
 */
#ifndef SOK_SEARCH_H
#define SOK_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "sok_err.h"
#include "sok_xapian.h"
#include "engine.h"

#define SOK_PER_PAGE_MAX   100
#define SOK_PER_PAGE_DEF   10
#define SOK_RESULT_WINDOW  10000    /* page * per_page at most */
#define SOK_WILDCARD_MAX   64       /* terms one prefix* expands to */
#define SOK_WILDCARD_TOTAL 128      /* and all of a query's together, */
#define SOK_WILDCARD_MIN   8        /* but for this many each */
#define SOK_STEM_WEIGHT    0.5
#define SOK_PROXIMITY_WEIGHT 1.0    /* the words in order, close together */
#define SOK_RERANK_DEPTH   100      /* best matches the boost is tried on */
#define SOK_PART_WEIGHT    0.3      /* a compound's part (C terms) */
#define SOK_FOLD_WEIGHT    0.3      /* a word typed without its accents */
#define SOK_FOLD_MAX       8        /* accented forms searched for one */
#define SOK_EDIT_WEIGHT    0.3      /* a word within the edit budget */
#define SOK_TITLE_KEY_WEIGHT 1.0    /* the query is a section's whole title */
#define SOK_EXPAND_BELOW   50       /* C and edit variants only for a word
                                       in fewer sections than this */

#define SOK_DEDUP_WINDOW   100      /* top results deduplicated by content */
#define SOK_DEDUP_EXTRA    10       /* more fetched, to fill folded slots */
#define SOK_DEDUP_TWINS    200      /* uncollapsed results searched for the
                                       twins of collapsed hits */
#define SOK_FACET_CHECK    2000     /* matches examined at least, for the
                                       total and the facets; beyond, both
                                       are estimates (facets_exact 0) */

struct sok_search_req {
    const char *q;          /* borrowed: valid UTF-8 without NUL */
    size_t qlen;
    unsigned page;          /* 1-based */
    unsigned per_page;
    unsigned types;         /* bit (1u << enum sok_type) per wanted type;
                               0: every type */
    char from[9], to[9];    /* "YYYYMMDD" inclusive, "" for an open end */
    int sort_date;          /* newest first instead of by relevance */
};

#define SOK_SEARCH_REQ_INIT { NULL, 0, 1, SOK_PER_PAGE_DEF, 0, "", "", 0 }

struct sok_search_hit {
    json_t *doc;            /* owned: the stored record (sok_doc.h) */
    double score;
    unsigned collapsed;     /* near-duplicates folded into this hit */
    char *snippet;          /* owned: HTML, only <mark> is markup */
    char *title_html;       /* owned: the title as snippet is (HTML, only
                               <mark> is markup); NULL: escape "title" */
    json_t *also;           /* owned: the other copies of the passage, an
                               array of {"url", "source", "id"}, preferred
                               first; NULL: none */
    int recommended;        /* a best bet of the staff's (bets.h) */
};

struct sok_search_res {
    unsigned long total;
    int facets_exact;       /* every match was examined: total and facets
                               are exact, else scaled-up estimates */
    int total_exact;        /* total alone is exact (the type facet's count
                               of the types not chosen may still be an
                               estimate) */
    int relaxed;            /* the AND of every group found nothing: these
                               are a looser tier's results (the known
                               words ANDed, or any group) */
    char *suggestion;       /* owned corrected query, NULL when none */
    double took_ms;
    size_t nhits;
    struct sok_search_hit *hits;        /* owned */
    struct sok_xresult *xres;           /* owned: the facets live here */
    unsigned notices;       /* SOK_QNOTICE(...) bits: how q was read
                               other than as typed (query.h) */
    unsigned long total_without_types;  /* when nothing was found: the   */
    unsigned long total_without_dates;  /* matches without that filter */
    uint64_t missing;       /* with --shards: the shards left out of this
                               answer (bit i: shard i), which is then
                               partial; 0: every shard answered */
    const struct sok_shards *shards;    /* borrowed: whose names those are */
};

#define SOK_SEARCH_RES_INIT { .facets_exact = 1, .total_exact = 1 }

/* Runs req on e's reader (the caller has refreshed it).  On success *res
 * is filled (free with sok_search_res_free); on failure err says why:
 * SOK_EQUERY / SOK_ETOOBIG for the query text (the user's fault), index
 * codes otherwise (SOK_ENODB without an index).  res is always safe to
 * free. */
int sok_search_run(struct sok_engine *e, const struct sok_search_req *req,
                   struct sok_search_res *res, struct sok_err *err);

void sok_search_res_free(struct sok_search_res *res);

/* The words of q to highlight, for /doc/<id>?q=... (the same analysis as
 * a search, without running one).  Adds them to *hl (snippet.h; the
 * caller's, zeroed by it).  Fails as sok_search_run does for q. */
struct sok_hl;
int sok_search_highlights(struct sok_engine *e, const char *q, size_t qlen,
                          struct sok_hl *hl, struct sok_err *err);

#endif /* SOK_SEARCH_H */
