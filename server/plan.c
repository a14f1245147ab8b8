/*
 * plan: from the user's query text to the Xapian queries a search tries
 * (see search.h for the relevance choices, plan.h for the plan).  The text
 * is parsed (query.h), each term tokenised and stemmed as the indexer
 * does, each term becomes a query (with the corrections of correct.c for
 * words the index does not know), the terms of a group are ORed, the
 * groups ANDed into the first tier and loosened into the later ones, and
 * every tier gets the proximity and title boost, the exclusions and the
 * filters.
 */
#include "plan.h"
#include "sok_analyze.h"
#include "sok_doc.h"
#include "sok_terms.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>

#define NO_TERM ((size_t)-1)

int sok_plan_word_parts(struct sok_plan *p, const char *w, size_t wlen,
                        const char *stem, size_t slen, const unsigned *hl_id,
                        struct sok_plan_word *wq)
{
    struct sok_xq *v[2] = { NULL, NULL };
    if (slen == wlen && memcmp(stem, w, wlen) == 0) {
        /* A word that is its own stem: exact OR (Z + stem OR stem) would
         * walk the word's posting list twice (for a common word, 8% of the
         * query's instructions).  OR adds its parts' weights, so one list
         * carrying both weights scores every section the same. */
        sok_plan_scaled(p, "", w, wlen, 1.0 + SOK_STEM_WEIGHT, &v[0]);
        sok_plan_scaled(p, SOK_PREFIX_STEM, stem, slen, SOK_STEM_WEIGHT,
                        &v[1]);
    } else {
        sok_plan_term(p, "", w, wlen, &v[0]);
        if (slen > 0)
            sok_plan_stem(p, stem, slen, SOK_STEM_WEIGHT, &v[1]);
    }
    int rc = sok_plan_comb(p, SOK_XQ_OR, v, 2, &wq->a);
    wq->n = 0;
    if (rc != 0 || p->e->opts.plain)
        return rc;
    /* A common word fills the first pages with itself: compounds holding
     * it would only rank under it, yet cost a merge of their posting lists
     * on every query.  The accented forms stay: "for" typed for "för"
     * is common in English text and still meant. */
    int common = sok_engine_termfreq(p->e, "", w, wlen) >= SOK_EXPAND_BELOW;
    if (slen > 0 && !common) {
        rc = sok_plan_scaled(p, SOK_PREFIX_PART, stem, slen, SOK_PART_WEIGHT,
                             &wq->rest[wq->n++]);
        if (rc != 0)
            return rc;
        if (hl_id != NULL)
            sok_hl_add(p->hl, SOK_HL_PART, *hl_id, stem, slen);
    }
    return sok_correct_accents(p, w, wlen, hl_id, wq);
}

int sok_plan_word(struct sok_plan *p, const char *w, size_t wlen,
                  const char *stem, size_t slen, const unsigned *hl_id,
                  struct sok_xq **out)
{
    struct sok_plan_word wq;
    int rc = sok_plan_word_parts(p, w, wlen, stem, slen, hl_id, &wq);
    if (rc != 0) {
        *out = NULL;
        return rc;
    }
    return sok_plan_below(p, wq.a, wq.rest, wq.n, out);
}

static int q_tok(struct sok_plan *p, const struct sok_plan_tok *t,
                 struct sok_xq **out)
{
    return sok_plan_word(p, sok_plan_text(p, t->off), t->len,
                         sok_plan_text(p, t->soff), t->slen, NULL, out);
}

/* The exact forms of t[0..n) as a phrase (one token: that word). */
static int q_phrase(struct sok_plan *p, const struct sok_plan_tok *const *t,
                    size_t n, struct sok_xq **out)
{
    struct sok_xq *v[SOK_PLAN_TOKENS_MAX];
    for (size_t i = 0; i < n; i++)
        sok_plan_term(p, "", sok_plan_text(p, t[i]->off), t[i]->len, &v[i]);
    if (n == 1) {
        *out = v[0];
        return p->err->code;
    }
    return sok_plan_comb(p, SOK_XQ_PHRASE, v, n, out);
}

/* ------------------------------------------------------------ analysis */

static int stem_into_pool(struct sok_plan *p, const struct sok_token *tok,
                          size_t *soff, size_t *slen)
{
    char stem[SOK_TOKEN_MAX + 1];
    int n = sok_analyzer_stem(p->e->an, tok, stem, sizeof stem, p->err);
    if (n < 0)
        return n;
    *soff = p->pool.n;
    *slen = (size_t)n;
    sok_buf_append(&p->pool, stem, (size_t)n, &p->prc);
    sok_buf_putc(&p->pool, '\0', &p->prc);
    return 0;
}

static int tok_cb(void *ctx, const struct sok_token *tok)
{
    struct sok_plan *p = ctx;
    if (p->ntoks == SOK_PLAN_TOKENS_MAX) {
        p->too_many = 1;
        return 1;
    }
    struct sok_plan_tok *t = &p->toks[p->ntoks];
    const struct sok_qterm *qt = &p->pq.t[p->term];
    t->off = p->pool.n;
    t->len = tok->len;
    t->flags = tok->flags;
    t->qstart = qt->off + tok->start;
    t->qend = qt->off + tok->end;
    sok_buf_append(&p->pool, tok->text, tok->len, &p->prc);
    sok_buf_putc(&p->pool, '\0', &p->prc);
    t->soff = 0;
    t->slen = 0;
    if (stem_into_pool(p, tok, &t->soff, &t->slen) != 0)
        return -1;
    p->ntoks++;
    return 0;
}

/* Parses the query and tokenises every term. */
static int analyse(struct sok_plan *p)
{
    int rc = sok_query_parse(p->q, p->qlen, &p->pq, p->err);
    if (rc != 0)
        return rc;
    if (p->e->xr == NULL)
        return sok_err_set(p->err, SOK_ENODB, NULL);
    for (size_t i = 0; i < p->pq.n; i++) {
        p->term = i;
        p->at[i].first = p->ntoks;
        rc = sok_text_tokenize(p->q + p->pq.t[i].off, p->pq.t[i].len, 1,
                               tok_cb, p, NULL, p->err);
        if (p->too_many) {
            /* Words run together ("a/b/c/...") can hold more tokens than
             * the plan has room for: the terms that fit are searched. */
            p->ntoks = p->at[i].first;
            p->pq.n = i;
            p->pq.notices |= SOK_QNOTICE(TOO_MANY_WORDS);
            break;
        }
        if (rc < 0)
            return rc;
        if (p->prc)
            return sok_err_set(p->err, p->prc, NULL);
        p->at[i].n = p->ntoks - p->at[i].first;
    }
    return 0;
}

/* A token that stands for several parts reported after it. */
static int is_whole(const struct sok_plan_tok *t)
{
    return (t->flags & (SOK_TOK_COMPOUND | SOK_TOK_EMAIL | SOK_TOK_URL)) &&
           !(t->flags & SOK_TOK_PART);
}

/* The tokens of term i a phrase is made of: everything but the wholes
 * (their parts carry the positions). */
static size_t leaves(const struct sok_plan *p, size_t i,
                     const struct sok_plan_tok **out)
{
    size_t k = 0;
    for (size_t j = 0; j < p->at[i].n; j++) {
        const struct sok_plan_tok *t = &p->toks[p->at[i].first + j];
        if (!is_whole(t))
            out[k++] = t;
    }
    return k;
}

const struct sok_plan_tok *sok_plan_single_word(const struct sok_plan *p,
                                                size_t i)
{
    const struct sok_qterm *qt = &p->pq.t[i];
    if (qt->kind != SOK_Q_WORD || p->at[i].n != 1)
        return NULL;
    const struct sok_plan_tok *t = &p->toks[p->at[i].first];
    return (t->flags & SOK_TOK_WORD) && !(t->flags & SOK_TOK_NUMBER) ? t
                                                                      : NULL;
}

/* --------------------------------------------------------------- terms */

/* The whole form of a compound term ("IOP-avtal"), or its parts as a
 * phrase; t0 is the whole, leaf[0..nl) its parts. */
static int whole_term(struct sok_plan *p, const struct sok_plan_tok *t0,
                      const struct sok_plan_tok *const *leaf, size_t nl,
                      const unsigned *hl_id, struct sok_xq **out)
{
    struct sok_xq *w, *ph = NULL;
    if (hl_id != NULL) {
        sok_hl_add(p->hl, SOK_HL_EXACT, *hl_id, sok_plan_text(p, t0->off),
                   t0->len);
        sok_hl_add(p->hl, SOK_HL_STEM, *hl_id, sok_plan_text(p, t0->soff),
                   t0->slen);
        for (size_t k = 0; k < nl; k++)
            sok_hl_add(p->hl, SOK_HL_EXACT, *hl_id,
                       sok_plan_text(p, leaf[k]->off), leaf[k]->len);
    }
    q_tok(p, t0, &w);
    if (nl > 0)
        q_phrase(p, leaf, nl, &ph);
    return sok_plan_or2(p, w, ph, out);
}

/* Term i, the single word t: the word with its expansions, and unless it
 * is excluded (or in plain mode) its proximity form and the corrections
 * (correct.c). */
static int one_word(struct sok_plan *p, size_t i, const struct sok_plan_tok *t,
                    unsigned id, struct sok_xq **out)
{
    int highlight = !p->pq.t[i].negated;
    const char *w = sok_plan_text(p, t->off);
    const char *s = sok_plan_text(p, t->soff);
    struct sok_plan_word wq;
    int syn = 0;
    int rc = sok_plan_word_parts(p, w, t->len, s, t->slen,
                                 highlight ? &id : NULL, &wq);
    if (rc == 0 && highlight && !p->e->opts.plain)
        rc = sok_correct_synonyms(p, t, id, &wq, &syn);
    if (rc == 0)
        rc = sok_plan_below(p, wq.a, wq.rest, wq.n, out);
    if (rc != 0)
        return rc;
    if (highlight) {
        sok_hl_add(p->hl, SOK_HL_EXACT, id, w, t->len);
        sok_hl_add(p->hl, SOK_HL_STEM, id, s, t->slen);
    }
    if (p->pq.t[i].negated || sok_plan_single_word(p, i) == NULL ||
        p->e->opts.plain)
        return 0;
    if ((rc = sok_plan_term(p, "", w, t->len, &p->at[i].px)) != 0)
        return rc;
    /* A word the index lacks but the staff gave synonyms is what they
     * meant, not a typo. */
    if (syn)
        return 0;
    return sok_correct_word(p, i, t, id, &wq, out);
}

/* A word term: one word, a compound, or several words run together
 * ("a/b"), which must be a phrase. */
static int word_term(struct sok_plan *p, size_t i, unsigned id,
                     struct sok_xq **out)
{
    const struct sok_plan_tok *leaf[SOK_PLAN_TOKENS_MAX];
    size_t nl = leaves(p, i, leaf);
    const struct sok_plan_tok *t0 = &p->toks[p->at[i].first];
    int highlight = !p->pq.t[i].negated;

    if (is_whole(t0) && nl == p->at[i].n - 1)
        return whole_term(p, t0, leaf, nl, highlight ? &id : NULL, out);
    if (nl != 1) {
        for (size_t k = 0; highlight && k < nl; k++)
            sok_hl_add(p->hl, SOK_HL_EXACT, id,
                       sok_plan_text(p, leaf[k]->off), leaf[k]->len);
        return q_phrase(p, leaf, nl, out);
    }
    return one_word(p, i, leaf[0], id, out);
}

/* Terms one prefix* of this query expands to: SOK_WILDCARD_MAX for one,
 * a share of SOK_WILDCARD_TOTAL for several (at least SOK_WILDCARD_MIN).
 * The matcher's work grows with the terms ORed: on cfi-sv and
 * gimp-help-sv twenty prefixes took 35 ms at best with 64 terms each, 14
 * ms with 8, and a request behind them on the same thread waits. */
static unsigned wildcard_limit(const struct sok_plan *p)
{
    unsigned n = 0;
    for (size_t i = 0; i < p->pq.n; i++)
        n += p->pq.t[i].kind == SOK_Q_PREFIX;
    unsigned share = n ? SOK_WILDCARD_TOTAL / n : SOK_WILDCARD_MAX;
    return share > SOK_WILDCARD_MAX ? SOK_WILDCARD_MAX
         : share < SOK_WILDCARD_MIN ? SOK_WILDCARD_MIN : share;
}

static int prefix_term(struct sok_plan *p, size_t i, unsigned id,
                       struct sok_xq **out)
{
    const struct sok_plan_tok *leaf[SOK_PLAN_TOKENS_MAX];
    size_t nl = leaves(p, i, leaf);
    const struct sok_plan_tok *t0 = &p->toks[p->at[i].first];
    int highlight = !p->pq.t[i].negated;
    /* The prefix is the whole compound when there is one ("iop-av*"),
     * else the last word; words before it must be present too. */
    const struct sok_plan_tok *pre = is_whole(t0) ? t0 : leaf[nl - 1];
    const char *ptxt = sok_plan_text(p, pre->off);
    *out = NULL;
    if (sok_utf8_chars(ptxt, pre->len) < SOK_Q_MIN_PREFIX) {
        /* "a/b*": the part before '*' is too short to expand. */
        p->pq.notices |= SOK_QNOTICE(SHORT_PREFIX);
        return word_term(p, i, id, out);
    }
    struct sok_xq *v[SOK_PLAN_TOKENS_MAX + 1];
    size_t n = 0;
    int rc = sok_plan_keep(p, sok_xq_wildcard(ptxt, pre->len,
                                              wildcard_limit(p), p->err),
                           &v[n++]);
    if (rc != 0)
        return rc;
    if (highlight)
        sok_hl_add(p->hl, SOK_HL_PREFIX, id, ptxt, pre->len);
    for (size_t k = 0; !is_whole(t0) && k + 1 < nl; k++) {
        q_tok(p, leaf[k], &v[n++]);
        if (highlight)
            sok_hl_add(p->hl, SOK_HL_EXACT, id,
                       sok_plan_text(p, leaf[k]->off), leaf[k]->len);
    }
    return sok_plan_comb(p, SOK_XQ_AND, v, n, out);
}

/* A quoted phrase; its words are marked under ids of their own, from
 * *id on. */
static int phrase_term(struct sok_plan *p, size_t i, unsigned *id,
                       struct sok_xq **out)
{
    const struct sok_plan_tok *leaf[SOK_PLAN_TOKENS_MAX];
    size_t nl = leaves(p, i, leaf);
    for (size_t k = 0; !p->pq.t[i].negated && k < nl; k++)
        sok_hl_add(p->hl, SOK_HL_EXACT, (*id)++,
                   sok_plan_text(p, leaf[k]->off), leaf[k]->len);
    *out = NULL;
    return nl ? q_phrase(p, leaf, nl, out) : 0;
}

/* Marks the lone stopwords.  They are dropped outside phrases unless the
 * query is nothing but stopwords ("vem är vi"), which would leave nothing
 * to find: returns 1 then. */
static int mark_stopwords(struct sok_plan *p)
{
    int all_stop = 1;
    for (size_t i = 0; i < p->pq.n; i++) {
        const struct sok_plan_tok *t = sok_plan_single_word(p, i);
        p->at[i].stop = t != NULL &&
                        sok_sv_is_stopword(sok_plan_text(p, t->off), t->len);
        if (!p->pq.t[i].negated && !p->at[i].stop && p->at[i].n > 0)
            all_stop = 0;
    }
    return all_stop;
}

/* Builds every term's query (at[i].xq), and the proximity form of each
 * dropped stopword. */
static int build_terms(struct sok_plan *p)
{
    int all_stop = mark_stopwords(p);
    unsigned id = SOK_Q_MAX_TERMS;  /* ids for phrase words; groups
                                       use their own number */
    for (size_t i = 0; i < p->pq.n; i++) {
        struct sok_plan_term *at = &p->at[i];
        unsigned gid = p->pq.t[i].group;
        int rc = 0;
        if (at->n == 0)
            continue;
        if (at->stop && !all_stop) {
            /* Not searched for, but part of the words' order. */
            const struct sok_plan_tok *t = sok_plan_single_word(p, i);
            if (!p->pq.t[i].negated)
                rc = sok_plan_term(p, "", sok_plan_text(p, t->off), t->len,
                                   &at->px);
        } else {
            switch (p->pq.t[i].kind) {
            case SOK_Q_WORD:
                rc = word_term(p, i, gid, &at->xq);
                break;
            case SOK_Q_PREFIX:
                rc = prefix_term(p, i, gid, &at->xq);
                break;
            case SOK_Q_PHRASE:
                rc = phrase_term(p, i, &id, &at->xq);
                break;
            }
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- tiers */

struct groups {
    size_t n;                               /* positive groups */
    struct sok_xq *q[SOK_Q_MAX_TERMS];      /* OR of each one's terms */
    size_t term[SOK_Q_MAX_TERMS];           /* its only term, or NO_TERM */
    size_t nneg;
    struct sok_xq *neg[SOK_Q_MAX_TERMS];    /* the excluded terms */
};

/* Each group's terms ORed; the excluded terms apart.  A group whose terms
 * are all left out (stopwords, punctuation) is left out too. */
static int collect_groups(struct sok_plan *p, struct groups *g)
{
    g->n = g->nneg = 0;
    for (unsigned k = 0; k < p->pq.ngroups; k++) {
        struct sok_xq *v[SOK_Q_MAX_TERMS], *gq;
        size_t n = 0, count = 0, last = 0;
        for (size_t i = 0; i < p->pq.n; i++) {
            if (p->pq.t[i].group != k)
                continue;
            count++;
            last = i;
            if (p->pq.t[i].negated)
                g->neg[g->nneg++] = p->at[i].xq;
            else
                v[n++] = p->at[i].xq;
        }
        if (n == 0)
            continue;
        int rc = sok_plan_comb(p, SOK_XQ_OR, v, n, &gq);
        if (rc != 0)
            return rc;
        if (gq == NULL)
            continue;
        g->term[g->n] = count == 1 ? last : NO_TERM;
        g->q[g->n++] = gq;
    }
    return 0;
}

struct conj {                       /* what the tiers AND */
    size_t n, nknown, nunknown;
    struct sok_xq *all[SOK_Q_MAX_TERMS];
    struct sok_xq *known[SOK_Q_MAX_TERMS];  /* groups of known words */
    struct sok_xq *unknown[SOK_Q_MAX_TERMS];/* single unknown words */
};

/* The groups to AND, with adjacent single words that the index holds as
 * one word joined (sok_correct_joined): their pair counts as one group,
 * OR(AND(both), the joined word). */
static int join_groups(struct sok_plan *p, struct groups *g, struct conj *c)
{
    c->n = c->nknown = c->nunknown = 0;
    for (size_t k = 0; k < g->n; k++) {
        size_t i = g->term[k];
        if (!p->e->opts.plain && k + 1 < g->n && i != NO_TERM &&
            g->term[k + 1] == i + 1) {
            struct sok_xq *j, *both;
            int rc = sok_correct_joined(p, i, &j);
            if (rc != 0)
                return rc;
            if (j != NULL) {
                struct sok_xq *v[2] = { g->q[k], g->q[k + 1] };
                sok_plan_comb(p, SOK_XQ_AND, v, 2, &both);
                if ((rc = sok_plan_or2(p, both, j, &g->q[k + 1])) != 0)
                    return rc;
                g->term[k + 1] = NO_TERM;      /* join once */
                continue;
            }
        }
        c->all[c->n++] = g->q[k];
        if (i != NO_TERM && p->at[i].unknown)
            c->unknown[c->nunknown++] = g->q[k];
        else
            c->known[c->nknown++] = g->q[k];
    }
    return 0;
}

/* The plain words of the query (stopwords included, OR groups and
 * exclusions not) as a phrase with room for a word or two between them;
 * absent for fewer than two. */
static int proximity(struct sok_plan *p, struct sok_xq **out)
{
    struct sok_xq *v[SOK_Q_MAX_TERMS], *q;
    size_t n = 0;
    *out = NULL;
    if (p->e->opts.plain)
        return 0;
    for (size_t i = 0; i < p->pq.n; i++) {
        if (p->at[i].px == NULL)
            continue;
        int alone = 1;
        for (size_t k = 0; k < p->pq.n && alone; k++)
            alone = k == i || p->pq.t[k].group != p->pq.t[i].group;
        if (alone)
            v[n++] = p->at[i].px;
    }
    if (n < 2)
        return 0;
    int rc = sok_plan_keep(p, sok_xq_combine(SOK_XQ_PHRASE, v, n, (unsigned)n + 2,
                                    p->err), &q);
    if (rc != 0)
        return rc;
    return sok_plan_keep(p, sok_xq_scale(q, SOK_PROXIMITY_WEIGHT, p->err), out);
}

/* The query as a whole section title (T term): only for a query of plain
 * words, no phrases, prefixes, exclusions or OR; absent otherwise. */
static int title_key(struct sok_plan *p, struct sok_xq **out)
{
    char key[SOK_TITLE_KEY_MAX + 1];
    size_t len = 0;
    *out = NULL;
    if (p->e->opts.plain || p->pq.ngroups != p->pq.n)
        return 0;
    for (size_t i = 0; i < p->pq.n; i++) {
        if (p->pq.t[i].kind != SOK_Q_WORD || p->pq.t[i].negated)
            return 0;
        for (size_t j = 0; j < p->at[i].n; j++) {
            const struct sok_plan_tok *t = &p->toks[p->at[i].first + j];
            if (sok_title_key_add(key, &len, sok_plan_text(p, t->off),
                                  t->len, t->flags) != 0)
                return 0;
        }
    }
    return sok_plan_scaled(p, SOK_PREFIX_TITLEKEY, key, len,
                           SOK_TITLE_KEY_WEIGHT, out);
}

/* *q AND_MAYBE boost: sections holding the words in the query's order,
 * close together, or whose title the query is, rank above those that
 * merely hold them all.  An absent *q becomes the boost itself. */
static int boosted(struct sok_plan *p, struct sok_xq *boost,
                   struct sok_xq **q)
{
    struct sok_xq *v[2] = { *q, boost };
    return sok_plan_comb(p, SOK_XQ_AND_MAYBE, v, 2, q);
}

/* Type and date filters around q. */
static int filtered(struct sok_plan *p, struct sok_xq *q,
                    const struct sok_search_req *req, struct sok_xq **out)
{
    struct sok_xq *v[3] = { q, NULL, NULL };
    if (req->types != 0) {
        struct sok_xq *tv[SOK_TYPE_COUNT];
        size_t n = 0;
        for (unsigned t = 0; t < SOK_TYPE_COUNT; t++) {
            const char *name = sok_type_name((enum sok_type)t);
            if ((req->types & (1u << t)) && name != NULL)
                sok_plan_term(p, SOK_PREFIX_TYPE, name, strlen(name),
                              &tv[n++]);
        }
        sok_plan_comb(p, SOK_XQ_OR, tv, n, &v[1]);
    }
    if ((req->from[0] || req->to[0]) && p->err->code == 0)
        sok_plan_keep(p, sok_xq_value_range(SOK_SLOT_DATE,
                                   req->from[0] ? req->from : NULL,
                                   req->to[0] ? req->to : NULL, p->err),
             &v[2]);
    return sok_plan_comb(p, SOK_XQ_FILTER, v, 3, out);
}

/* pos (not absent) without the excluded terms, within the filters, as
 * *q; with a type filter and others non-NULL, also the same within the
 * types not chosen (for their facet counts) as *others. */
static int confined(struct sok_plan *p, struct sok_xq *pos,
                    const struct sok_search_req *req, struct sok_xq **q,
                    struct sok_xq **others)
{
    *q = pos;
    if (p->neg != NULL) {
        struct sok_xq *v[2] = { pos, p->neg };
        sok_plan_comb(p, SOK_XQ_AND_NOT, v, 2, q);
    }
    unsigned rest = ~req->types & ((1u << SOK_TYPE_COUNT) - 1);
    if (others != NULL && req->types != 0 && rest != 0) {
        struct sok_search_req o = *req;
        o.types = rest;
        filtered(p, *q, &o, others);
    }
    return filtered(p, *q, req, q);
}

/* Appends tier name: pos confined; first, when not NULL, is pos without
 * its proximity boost (the same matches), confined too: the query whose
 * best matches the tier's query ranks (plan.h).  The others count from
 * it, the cheaper one. */
static int add_tier(struct sok_plan *p, const char *name, struct sok_xq *pos,
                    struct sok_xq *first, const struct sok_search_req *req)
{
    struct sok_plan_tier *t = &p->tier[p->ntiers];
    t->name = name;
    t->others = t->first = NULL;
    int rc = confined(p, pos, req, &t->q, first ? NULL : &t->others);
    if (rc == 0 && first != NULL)
        rc = confined(p, first, req, &t->first, &t->others);
    if (rc == 0)
        p->ntiers++;
    return rc;
}

/* The tiers from the groups c ANDs: "all" of them; with two groups or
 * more, then "known" (when some are unknown words and some not) and
 * "any".  No group left: one tier that matches nothing. */
static int build_tiers(struct sok_plan *p, struct conj *c,
                       const struct sok_search_req *req)
{
    struct sok_xq *any_v[SOK_Q_MAX_TERMS], *v[2] = { NULL, NULL };
    struct sok_xq *all, *any, *known = NULL, *prox, *tk, *boost;
    memcpy(any_v, c->all, c->n * sizeof *any_v);  /* comb compacts c->all */
    sok_plan_comb(p, SOK_XQ_AND, c->all, c->n, &all);
    sok_plan_comb(p, SOK_XQ_OR, any_v, c->n, &any);
    if (c->nknown > 0 && c->nunknown > 0) {
        /* A misspelling whose correction is wrong should not sink the
         * rest of the query: this tier requires only the known words. */
        sok_plan_comb(p, SOK_XQ_AND, c->known, c->nknown, &v[0]);
        sok_plan_comb(p, SOK_XQ_OR, c->unknown, c->nunknown, &v[1]);
        sok_plan_comb(p, SOK_XQ_AND_MAYBE, v, 2, &known);
    }
    proximity(p, &prox);
    title_key(p, &tk);
    v[0] = prox;
    v[1] = tk;
    sok_plan_comb(p, SOK_XQ_OR, v, 2, &boost);
    /* The same without the proximity boost: positions are read for every
     * match of the words, which made it the costliest part of a query of
     * common words (plan.h, first). */
    struct sok_xq *all1 = NULL, *any1 = NULL, *known1 = NULL;
    if (prox != NULL && all != NULL) {
        all1 = all;
        any1 = any;
        known1 = known;
        boosted(p, tk, &all1);
        boosted(p, tk, &any1);
        if (known != NULL)
            boosted(p, tk, &known1);
    }
    boosted(p, boost, &all);
    boosted(p, boost, &any);
    if (known != NULL)
        boosted(p, boost, &known);
    if (p->err->code != 0)
        return p->err->code;
    p->ntiers = 0;
    int rc = 0;
    if (all == NULL) {
        /* Nothing searchable left ("*", "!!!", "()"): a browse of the
         * newest sections, filters and exclusions applied. */
        p->browse = 1;
        p->pq.notices |= SOK_QNOTICE(BROWSE);
        rc = sok_plan_keep(p, sok_xq_match_all(p->err), &all);
        return rc ? rc : add_tier(p, "browse", all, NULL, req);
    }
    rc = add_tier(p, "all", all, all1, req);
    if (c->n >= 2) {        /* one group: nothing to loosen */
        if (rc == 0 && known != NULL)
            rc = add_tier(p, "known", known, known1, req);
        if (rc == 0)
            rc = add_tier(p, "any", any, any1, req);
    }
    return rc;
}

/* ----------------------------------------------------------------- plan */

int sok_plan_new(struct sok_engine *e, const struct sok_search_req *req,
                 struct sok_hl *hl, struct sok_err *err,
                 struct sok_plan **out)
{
    *out = NULL;
    struct sok_plan *p = calloc(1, sizeof *p);
    if (p == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    p->e = e;
    p->q = req->q;
    p->qlen = req->qlen;
    p->hl = hl;
    p->err = err;
    struct groups g;
    struct conj c;
    int rc = analyse(p);
    if (rc == 0)
        rc = build_terms(p);
    if (rc == 0)
        rc = collect_groups(p, &g);
    if (rc == 0)
        rc = join_groups(p, &g, &c);
    if (rc == 0)
        rc = sok_plan_comb(p, SOK_XQ_OR, g.neg, g.nneg, &p->neg);
    if (rc == 0)
        rc = build_tiers(p, &c, req);
    if (rc != 0) {
        sok_plan_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void sok_plan_free(struct sok_plan *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nxq; i++)
        sok_xq_free(p->xqs[i]);
    free(p->xqs);
    sok_correct_free(&p->fixes);
    sok_buf_free(&p->pool);
    free(p);
}

int sok_plan_describe(struct sok_engine *e, const struct sok_search_req *req,
                      char **out, struct sok_err *err)
{
    *out = NULL;
    struct sok_hl *hl = calloc(1, sizeof *hl);
    if (hl == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    struct sok_plan *p = NULL;
    int rc = sok_plan_new(e, req, hl, err, &p);
    if (rc == 0) {
        struct sok_buf b = SOK_BUF_INIT;
        int brc = 0;
        char *s = NULL;
        for (size_t k = 0; k < p->ntiers && brc == 0; k++) {
            char *d = sok_xq_describe(p->tier[k].q);
            if (d == NULL)
                brc = SOK_ENOMEM;
            else
                sok_buf_printf(&b, &brc, "%s: %s\n", p->tier[k].name, d);
            free(d);
        }
        if (brc == 0)
            brc = sok_correct_suggestion(&p->fixes, p->q, p->qlen, &s);
        if (s != NULL)
            sok_buf_printf(&b, &brc, "suggestion: %s\n", s);
        free(s);
        if (brc == 0 && (*out = sok_buf_detach(&b, NULL)) == NULL)
            brc = SOK_ENOMEM;
        sok_buf_free(&b);
        if (brc != 0)
            rc = sok_err_set(err, brc, NULL);
    }
    sok_plan_free(p);
    free(hl);
    return rc;
}
