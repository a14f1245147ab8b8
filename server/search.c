/*
 * search: from the user's query text to ranked, highlighted hits (see
 * search.h for the relevance choices).  A "plan" holds one request's
 * analysis: the parsed query, every token of every term (analysed by the
 * indexer's tokeniser and stemmer), the Xapian queries built from them and
 * the words to highlight.
 */
#include "search.h"
#include "sok_clock.h"
#include "query.h"
#include "snippet.h"
#include "dedup.h"
#include "spell.h"
#include "sok_terms.h"
#include "sok_text.h"
#include "sok_analyze.h"
#include "sok_doc.h"
#include "sok_compound.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#define PLAN_TOKENS_MAX 64      /* tokens of all terms together */


struct tok {
    size_t off, len;        /* folded text, in plan->pool */
    size_t soff, slen;      /* stem (slen 0: none), in plan->pool */
    unsigned flags;         /* SOK_TOK_* */
    size_t qstart, qend;    /* bytes in the query */
};

struct aterm {              /* one analysed query term */
    size_t first, n;        /* its tokens in plan->toks */
    int stop;               /* a lone stopword outside a phrase */
    int unknown;            /* a single word the index does not hold */
    struct sok_xq *xq;      /* NULL: the term matches nothing searchable */
    struct sok_xq *px;      /* a single word's exact form(s), for the
                               proximity boost; NULL otherwise */
};

struct fix {                /* a correction for the suggestion */
    size_t qstart, qend;
    int capital;            /* the user wrote a capital first letter */
    size_t nalts;
    char *alts[SOK_ALTS_MAX];   /* owned; alts[0] is used unless a later
                               one is what the top hit holds */
};

struct plan {
    struct sok_engine *e;
    const char *q;
    size_t qlen;
    struct sok_query pq;
    struct sok_buf pool;
    int prc;                /* pool's rc */
    struct tok toks[PLAN_TOKENS_MAX];
    size_t ntoks;
    size_t term;            /* term being tokenised */
    int too_many;
    struct aterm at[SOK_Q_MAX_TERMS];
    struct sok_xq **xqs;    /* every query built, freed together */
    size_t nxq, capxq;
    struct fix fixes[SOK_Q_MAX_TERMS];
    size_t nfix;
    struct sok_hl *hl;
    struct sok_xq *pos_and, *pos_or, *neg;  /* results of plan_build */
    struct sok_xq *pos_known;   /* AND of the words the index knows, the
                                   unknown ones optional; NULL: none */
    unsigned npos_groups;
    struct sok_err *err;
};

static const char *ptext(const struct plan *p, size_t off)
{
    return p->pool.p + off;
}

/* ------------------------------------------------------------- queries */

/* Every query goes through keep(), which records it for plan_free(), so
 * the builders below can return and combine without tracking ownership. */
static struct sok_xq *keep(struct plan *p, struct sok_xq *q)
{
    if (q == NULL)
        return NULL;
    if (p->nxq == p->capxq) {
        size_t cap = p->capxq ? p->capxq * 2 : 64;
        struct sok_xq **v = realloc(p->xqs, cap * sizeof *v);
        if (v == NULL) {
            sok_xq_free(q);
            sok_err_set(p->err, SOK_ENOMEM, NULL);
            return NULL;
        }
        p->xqs = v;
        p->capxq = cap;
    }
    p->xqs[p->nxq++] = q;
    return q;
}

static struct sok_xq *q_term(struct plan *p, const char *prefix,
                             const char *t, size_t len)
{
    char term[SOK_TERM_MAX + 8];
    size_t pl = strlen(prefix);
    if (len == 0 || pl + len >= sizeof term)
        return NULL;
    memcpy(term, prefix, pl);
    memcpy(term + pl, t, len);
    return keep(p, sok_xq_term(term, pl + len, 1, 0, p->err));
}

/* Combines the non-NULL entries of subs; NULL when there are none. */
static struct sok_xq *q_comb(struct plan *p, enum sok_xq_op op,
                             struct sok_xq **subs, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (subs[i] != NULL)
            subs[k++] = subs[i];
    if (k == 0)
        return NULL;
    if (k == 1 && op != SOK_XQ_PHRASE)
        return subs[0];
    return keep(p, sok_xq_combine(op, subs, k, 0, p->err));
}

static struct sok_xq *q_or2(struct plan *p, struct sok_xq *a,
                            struct sok_xq *b)
{
    struct sok_xq *v[2] = { a, b };
    return q_comb(p, SOK_XQ_OR, v, 2);
}

static struct sok_xq *q_scaled(struct plan *p, const char *prefix,
                               const char *t, size_t len, double w)
{
    struct sok_xq *q = q_term(p, prefix, t, len);
    return q ? keep(p, sok_xq_scale(q, w, p->err)) : NULL;
}

/* Sections holding a word with stem s: Z + s, OR s itself, which the
 * indexer writes without a Z term when a word is its own stem
 * (sok_terms.h). */
static struct sok_xq *q_stem(struct plan *p, const char *s, size_t len,
                             double w)
{
    struct sok_xq *v[2] = { q_term(p, SOK_PREFIX_STEM, s, len),
                            q_term(p, "", s, len) };
    struct sok_xq *q = q_comb(p, SOK_XQ_OR, v, 2);
    return q && w != 1.0 ? keep(p, sok_xq_scale(q, w, p->err)) : q;
}

/* a, and below it the sections only the expansions rest[0..n) reach: a
 * section holding a scores as it would without them, so they add recall
 * but never lift a section above one that holds the word as typed.  That
 * is what OP_MAX(a, rest) was used for, but Xapian 1.4.22 crashes (a
 * deleted sub-postlist of the MAX is read) when an OP_MAX under an OP_OR
 * is pruned, as on "far" over the seed corpus; OR(a, AND_NOT(OR(rest), a))
 * never builds one.  a's posting lists are read twice: the expansions
 * exist for rare words, whose lists are short. */
static struct sok_xq *q_below(struct plan *p, struct sok_xq *a,
                              struct sok_xq **rest, size_t n)
{
    struct sok_xq *r = q_comb(p, SOK_XQ_OR, rest, n);
    if (a == NULL || r == NULL)
        return a ? a : r;
    struct sok_xq *v[2] = { r, a };
    return q_or2(p, a, q_comb(p, SOK_XQ_AND_NOT, v, 2));
}

/* Most expansions below one word: compound parts, accent forms, and
 * edit-tolerant variants (SOK_ALTS_MAX), with room to spare. */
#define WORD_EXPANSIONS_MAX (2 + SOK_FOLD_MAX + SOK_ALTS_MAX)

/* One word's query in two halves: the exact form OR its stem weighted
 * down (so the exact form ranks above words that only share the stem),
 * and the expansions that go below both (q_below): the compounds holding
 * the word as a part (C) and, for a word typed without accents, the
 * indexed words that differ only by them ("for" -> "för"). */
struct word_q {
    struct sok_xq *a;
    size_t n;
    struct sok_xq *rest[WORD_EXPANSIONS_MAX];
};

/* Appends to wq, up to SOK_FOLD_MAX of them, the indexed words a word
 * typed without accents may have meant; marked in snippets under hl_id
 * (NULL: not marked), so the passage shown is one that holds them. */
struct folds {
    struct plan *p;
    const unsigned *hl_id;
    struct word_q *wq;
    size_t left;
};

static int fold_cb(void *ctx, const char *w, size_t len)
{
    struct folds *f = ctx;
    struct sok_xq *q = q_scaled(f->p, "", w, len, SOK_FOLD_WEIGHT);
    if (q != NULL) {
        f->wq->rest[f->wq->n++] = q;
        f->left--;
        if (f->hl_id != NULL)
            sok_hl_add(f->p->hl, SOK_HL_EXACT, *f->hl_id, w, len);
    }
    return f->left == 0;
}

static void q_word_parts(struct plan *p, const char *w, size_t wlen,
                         const char *stem, size_t slen,
                         const unsigned *hl_id, struct word_q *wq)
{
    struct sok_xq *v[2] = { q_term(p, "", w, wlen), NULL };
    if (slen > 0)
        v[1] = q_stem(p, stem, slen, SOK_STEM_WEIGHT);
    wq->a = q_comb(p, SOK_XQ_OR, v, 2);
    wq->n = 0;
    if (p->e->opts.plain)
        return;
    /* A common word fills the first pages with itself: compounds holding
     * it would only rank under it, yet cost a merge of their posting lists
     * on every query.  The accented forms stay: "for" typed for "för"
     * is common in English text and still meant. */
    int common = sok_engine_termfreq(p->e, "", w, wlen) >= SOK_EXPAND_BELOW;
    if (slen > 0 && !common) {
        wq->rest[wq->n++] = q_scaled(p, SOK_PREFIX_PART, stem, slen,
                                     SOK_PART_WEIGHT);
        if (hl_id != NULL)
            sok_hl_add(p->hl, SOK_HL_PART, *hl_id, stem, slen);
    }
    struct folds f = { p, hl_id, wq, SOK_FOLD_MAX };
    sok_spell_accented(p->e, w, wlen, fold_cb, &f);
}

static struct sok_xq *q_word(struct plan *p, const char *w, size_t wlen,
                             const char *stem, size_t slen,
                             const unsigned *hl_id)
{
    struct word_q wq;
    q_word_parts(p, w, wlen, stem, slen, hl_id, &wq);
    return q_below(p, wq.a, wq.rest, wq.n);
}

/* A compound the index does not hold, through its parts: AND over the
 * parts of OR(stem, the stem as a part of other compounds). */
struct cparts {
    struct plan *p;
    unsigned id;
    size_t n;
    struct sok_xq *part[SOK_COMPOUND_MAX_PARTS];
};

static int cpart_cb(void *ctx, const char *stem, size_t len, size_t part,
                    int alt)
{
    struct cparts *c = ctx;
    if (part >= SOK_COMPOUND_MAX_PARTS)
        return 0;
    struct sok_xq *v[2] = {
        q_stem(c->p, stem, len, 1.0),
        q_scaled(c->p, SOK_PREFIX_PART, stem, len, SOK_PART_WEIGHT) };
    struct sok_xq *q = q_comb(c->p, SOK_XQ_OR, v, 2);
    c->part[part] = alt ? q_or2(c->p, c->part[part], q) : q;
    if (part + 1 > c->n)
        c->n = part + 1;
    sok_hl_add(c->p->hl, SOK_HL_STEM, c->id, stem, len);
    return 0;
}

static struct sok_xq *compound_query(struct plan *p, const char *w,
                                     size_t len, unsigned id)
{
    struct cparts c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.id = id;
    sok_analyze_compound(p->e->an, w, len, SOK_TOK_WORD, cpart_cb, &c);
    if (c.n < 2)
        return NULL;
    for (size_t k = 0; k < c.n; k++)
        if (c.part[k] == NULL)
            return NULL;
    return q_comb(p, SOK_XQ_AND, c.part, c.n);
}

static struct sok_xq *q_tok(struct plan *p, const struct tok *t)
{
    return q_word(p, ptext(p, t->off), t->len, ptext(p, t->soff), t->slen,
                  NULL);
}

/* The exact forms of toks[0..n) as a phrase (one token: that word). */
static struct sok_xq *q_phrase(struct plan *p, const struct tok *const *t,
                               size_t n)
{
    struct sok_xq *v[PLAN_TOKENS_MAX];
    for (size_t i = 0; i < n; i++)
        v[i] = q_term(p, "", ptext(p, t[i]->off), t[i]->len);
    if (n == 1)
        return v[0];
    return q_comb(p, SOK_XQ_PHRASE, v, n);
}

/* ------------------------------------------------------------ analysis */

static int stem_into_pool(struct plan *p, const struct sok_token *tok,
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
    struct plan *p = ctx;
    if (p->ntoks == PLAN_TOKENS_MAX) {
        p->too_many = 1;
        return 1;
    }
    struct tok *t = &p->toks[p->ntoks];
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

static int tokenize_terms(struct plan *p)
{
    for (size_t i = 0; i < p->pq.n; i++) {
        p->term = i;
        p->at[i].first = p->ntoks;
        int rc = sok_text_tokenize(p->q + p->pq.t[i].off, p->pq.t[i].len, 1,
                                   tok_cb, p, NULL, p->err);
        if (p->too_many)
            return sok_err_set(p->err, SOK_ETOOBIG,
                               "q has too many words");
        if (rc < 0)
            return rc;
        if (p->prc)
            return sok_err_set(p->err, p->prc, NULL);
        p->at[i].n = p->ntoks - p->at[i].first;
    }
    return 0;
}

/* A token that stands for several parts reported after it. */
static int is_whole(const struct tok *t)
{
    return (t->flags & (SOK_TOK_COMPOUND | SOK_TOK_EMAIL | SOK_TOK_URL)) &&
           !(t->flags & SOK_TOK_PART);
}

/* The tokens of term i a phrase is made of: everything but the wholes
 * (their parts carry the positions). */
static size_t leaves(struct plan *p, size_t i, const struct tok **out)
{
    size_t k = 0;
    for (size_t j = 0; j < p->at[i].n; j++) {
        const struct tok *t = &p->toks[p->at[i].first + j];
        if (!is_whole(t))
            out[k++] = t;
    }
    return k;
}

/* A term that is one plain word (no parts): the kind that can be a
 * stopword, be corrected or be joined to its neighbour. */
static const struct tok *single_word(struct plan *p, size_t i)
{
    const struct sok_qterm *qt = &p->pq.t[i];
    if (qt->kind != SOK_Q_WORD || p->at[i].n != 1)
        return NULL;
    const struct tok *t = &p->toks[p->at[i].first];
    return (t->flags & SOK_TOK_WORD) && !(t->flags & SOK_TOK_NUMBER) ? t
                                                                      : NULL;
}

/* Records that the query text [qstart, qend) reads better as one of the
 * words words[0..n) (the first unless the results say otherwise): the
 * "suggestion". */
static void add_fix(struct plan *p, size_t qstart, size_t qend,
                    const char *const *words, const size_t *lens, size_t n,
                    int capital)
{
    /* A fix spanning earlier ones (a joined pair) replaces them. */
    size_t k = 0;
    for (size_t i = 0; i < p->nfix; i++) {
        if (p->fixes[i].qstart >= qstart && p->fixes[i].qend <= qend) {
            for (size_t a = 0; a < p->fixes[i].nalts; a++)
                free(p->fixes[i].alts[a]);
        } else {
            p->fixes[k++] = p->fixes[i];
        }
    }
    p->nfix = k;
    if (p->nfix == SOK_Q_MAX_TERMS || n == 0)
        return;
    struct fix *f = &p->fixes[p->nfix];
    memset(f, 0, sizeof *f);
    f->qstart = qstart;
    f->qend = qend;
    f->capital = capital;
    for (size_t i = 0; i < n && i < SOK_ALTS_MAX; i++) {
        char *w = malloc(lens[i] + 1);
        if (w == NULL)
            break;
        memcpy(w, words[i], lens[i]);
        w[lens[i]] = '\0';
        f->alts[f->nalts++] = w;
    }
    if (f->nalts > 0)
        p->nfix++;
}

/* Appends word with its first letter upper-cased. */
static void put_capital(struct sok_buf *b, const char *w, int *rc)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)w, -1,
                                          &cp);
    utf8proc_uint8_t up[4];
    utf8proc_ssize_t m = n > 0 ? utf8proc_encode_char(utf8proc_toupper(cp),
                                                      up) : 0;
    if (m <= 0) {
        sok_buf_puts(b, w, rc);
        return;
    }
    sok_buf_append(b, up, (size_t)m, rc);
    sok_buf_puts(b, w + n, rc);
}

/* Adjacent one-word groups i, i + 1 whose concatenation is indexed
 * ("fritids bank" -> "fritidsbank"): their query becomes OR(AND(both),
 * the joined word).  Returns the joined query or NULL. */
static struct sok_xq *joined(struct plan *p, size_t i)
{
    const struct tok *a = single_word(p, i), *b = single_word(p, i + 1);
    if (a == NULL || b == NULL || a->len + b->len > SOK_TOKEN_MAX)
        return NULL;
    char w[2 * SOK_TOKEN_MAX + 2], stem[SOK_TOKEN_MAX + 1];
    size_t len = 0, sl = 0;
    /* As typed ("fritids bank"), else with a linking s ("fritid bank"). */
    for (int link = 0; link < 2; link++) {
        memcpy(w, ptext(p, a->off), a->len);
        len = a->len;
        if (link)
            w[len++] = 's';
        memcpy(w + len, ptext(p, b->off), b->len);
        len += b->len;
        w[len] = '\0';
        sl = sok_engine_stem(p->e, w, len, stem, sizeof stem);
        if (sok_engine_termfreq(p->e, "", w, len) > 0 ||
            (sl > 0 && sok_engine_stemfreq(p->e, stem, sl) > 0))
            break;
        if (link)
            return NULL;
    }
    unsigned id = (unsigned)p->pq.t[i].group;
    sok_hl_add(p->hl, SOK_HL_EXACT, id, w, len);
    sok_hl_add(p->hl, SOK_HL_STEM, id, stem, sl);
    if (p->at[i].unknown || p->at[i + 1].unknown) {
        const char *words[1] = { w };
        add_fix(p, a->qstart, b->qend, words, &len, 1,
                a->flags & SOK_TOK_CAPITAL);
    }
    return q_word(p, w, len, stem, sl, &id);
}

/* The query for one word term, with corrections when the index does not
 * know the word. */
static struct sok_xq *word_term(struct plan *p, size_t i, unsigned id)
{
    const struct tok *leaf[PLAN_TOKENS_MAX];
    size_t nl = leaves(p, i, leaf);
    const struct tok *t0 = &p->toks[p->at[i].first];
    int highlight = !p->pq.t[i].negated;

    if (is_whole(t0) && nl == p->at[i].n - 1) {
        /* "IOP-avtal": the whole form, or its parts as a phrase. */
        if (highlight) {
            sok_hl_add(p->hl, SOK_HL_EXACT, id, ptext(p, t0->off), t0->len);
            sok_hl_add(p->hl, SOK_HL_STEM, id, ptext(p, t0->soff), t0->slen);
            for (size_t k = 0; k < nl; k++)
                sok_hl_add(p->hl, SOK_HL_EXACT, id, ptext(p, leaf[k]->off),
                           leaf[k]->len);
        }
        return q_or2(p, q_tok(p, t0), nl ? q_phrase(p, leaf, nl) : NULL);
    }
    if (nl != 1) {
        /* Several words run together ("a/b"): a phrase. */
        for (size_t k = 0; highlight && k < nl; k++)
            sok_hl_add(p->hl, SOK_HL_EXACT, id, ptext(p, leaf[k]->off),
                       leaf[k]->len);
        return q_phrase(p, leaf, nl);
    }

    const struct tok *t = leaf[0];
    struct word_q wq;
    q_word_parts(p, ptext(p, t->off), t->len, ptext(p, t->soff), t->slen,
                 highlight ? &id : NULL, &wq);
    struct sok_xq *q = q_below(p, wq.a, wq.rest, wq.n);
    if (highlight) {
        sok_hl_add(p->hl, SOK_HL_EXACT, id, ptext(p, t->off), t->len);
        sok_hl_add(p->hl, SOK_HL_STEM, id, ptext(p, t->soff), t->slen);
    }
    if (p->pq.t[i].negated || single_word(p, i) == NULL || p->e->opts.plain)
        return q;
    p->at[i].px = q_term(p, "", ptext(p, t->off), t->len);

    const char *w = ptext(p, t->off);
    unsigned long fe = sok_engine_termfreq(p->e, "", w, t->len);
    unsigned long fs = t->slen ? sok_engine_stemfreq(p->e, ptext(p, t->soff),
                                                     t->slen) : 0;
    if (fe == 0 && fs == 0) {
        /* Unknown: search the likely intended words too, and let the
         * other words and their order pick among them. */
        p->at[i].unknown = 1;
        struct sok_alts al;
        sok_spell_alts(p->e, w, t->len, &al);
        const char *words[SOK_ALTS_MAX];
        size_t lens[SOK_ALTS_MAX];
        for (size_t k = 0; k < al.n; k++) {
            char cstem[SOK_TOKEN_MAX + 1];
            const char *c = al.a[k].w;
            size_t cl = al.a[k].len;
            size_t csl = sok_engine_stem(p->e, c, cl, cstem, sizeof cstem);
            q = q_or2(p, q, q_word(p, c, cl, cstem, csl, &id));
            sok_hl_add(p->hl, SOK_HL_EXACT, id, c, cl);
            sok_hl_add(p->hl, SOK_HL_STEM, id, cstem, csl);
            p->at[i].px = q_or2(p, p->at[i].px, q_term(p, "", c, cl));
            words[k] = c;
            lens[k] = cl;
        }
        add_fix(p, t->qstart, t->qend, words, lens, al.n,
                t->flags & SOK_TOK_CAPITAL);
        /* A compound: through its parts ("taligenkänningstjänsten"). */
        q = q_or2(p, q, compound_query(p, w, t->len, id));
        return q;
    }
    /* Names and words the lexicon does not know (capitalised, or absent
     * from it) may be spelt several ways: the indexed words within the
     * edit budget match too, below the word as typed. */
    if (fe < SOK_EXPAND_BELOW && ((t->flags & SOK_TOK_CAPITAL) ||
        !sok_lexicon_knows(sok_lexicon_default(), w, t->len))) {
        struct sok_alts al;
        sok_spell_near(p->e, w, t->len, &al);
        for (size_t k = 0; k < al.n && wq.n < WORD_EXPANSIONS_MAX; k++) {
            char cstem[SOK_TOKEN_MAX + 1];
            const char *c = al.a[k].w;
            size_t cl = al.a[k].len;
            size_t csl = sok_engine_stem(p->e, c, cl, cstem, sizeof cstem);
            struct sok_xq *v[2] = {
                q_scaled(p, "", c, cl, SOK_EDIT_WEIGHT),
                csl ? q_stem(p, cstem, csl,
                             SOK_EDIT_WEIGHT * SOK_STEM_WEIGHT) : NULL };
            wq.rest[wq.n] = q_comb(p, SOK_XQ_OR, v, 2);
            if (wq.rest[wq.n] != NULL)
                wq.n++;
            /* Not in the proximity boost (px): that would lift sections
             * holding the variants above those holding the word. */
            sok_hl_add(p->hl, SOK_HL_EXACT, id, c, cl);
        }
        if (al.n > 0)
            q = q_below(p, wq.a, wq.rest, wq.n);
    }
    if (fe <= 1 && fs <= 1) {
        /* Rare: only suggest, when the correction is far more common. */
        char corr[2 * SOK_TOKEN_MAX + 2];
        size_t cl = sok_spell_correction(p->e, w, t->len, corr, sizeof corr);
        if (cl > 0 && sok_engine_termfreq(p->e, "", corr, cl) >= 5) {
            const char *words[1] = { corr };
            add_fix(p, t->qstart, t->qend, words, &cl, 1,
                    t->flags & SOK_TOK_CAPITAL);
        }
    }
    return q;
}

static struct sok_xq *prefix_term(struct plan *p, size_t i, unsigned id)
{
    const struct tok *leaf[PLAN_TOKENS_MAX];
    size_t nl = leaves(p, i, leaf);
    const struct tok *t0 = &p->toks[p->at[i].first];
    /* The prefix is the whole compound when there is one ("iop-av*"),
     * else the last word; words before it must be present too. */
    const struct tok *pre = is_whole(t0) ? t0 : leaf[nl - 1];
    size_t chars = sok_utf8_chars(ptext(p, pre->off), pre->len);
    if (chars < SOK_Q_MIN_PREFIX) {
        sok_err_set(p->err, SOK_EQUERY,
                    "q has a prefix shorter than %d characters before '*'",
                    SOK_Q_MIN_PREFIX);
        return NULL;
    }
    struct sok_xq *v[PLAN_TOKENS_MAX + 1];
    size_t n = 0;
    v[n++] = keep(p, sok_xq_wildcard(ptext(p, pre->off), pre->len,
                                     SOK_WILDCARD_MAX, p->err));
    if (!p->pq.t[i].negated)
        sok_hl_add(p->hl, SOK_HL_PREFIX, id, ptext(p, pre->off), pre->len);
    for (size_t k = 0; !is_whole(t0) && k + 1 < nl; k++) {
        v[n++] = q_tok(p, leaf[k]);
        if (!p->pq.t[i].negated)
            sok_hl_add(p->hl, SOK_HL_EXACT, id, ptext(p, leaf[k]->off),
                       leaf[k]->len);
    }
    return q_comb(p, SOK_XQ_AND, v, n);
}

static struct sok_xq *phrase_term(struct plan *p, size_t i, unsigned *id)
{
    const struct tok *leaf[PLAN_TOKENS_MAX];
    size_t nl = leaves(p, i, leaf);
    for (size_t k = 0; !p->pq.t[i].negated && k < nl; k++)
        sok_hl_add(p->hl, SOK_HL_EXACT, (*id)++, ptext(p, leaf[k]->off),
                   leaf[k]->len);
    return nl ? q_phrase(p, leaf, nl) : NULL;
}

/* The plain words of the query (stopwords included, OR groups and
 * exclusions not) as a phrase with room for a word or two between them;
 * NULL for fewer than two. */
static struct sok_xq *proximity(struct plan *p)
{
    struct sok_xq *v[SOK_Q_MAX_TERMS];
    size_t n = 0;
    if (p->e->opts.plain)
        return NULL;
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
        return NULL;
    struct sok_xq *q = keep(p, sok_xq_combine(SOK_XQ_PHRASE, v, n,
                                              (unsigned)n + 2, p->err));
    return q ? keep(p, sok_xq_scale(q, SOK_PROXIMITY_WEIGHT, p->err)) : NULL;
}

/* The query as a whole section title (T term): only for a query of plain
 * words, no phrases, prefixes, exclusions or OR.  NULL otherwise. */
static struct sok_xq *title_key(struct plan *p)
{
    char key[SOK_TITLE_KEY_MAX + 1];
    size_t len = 0;
    if (p->e->opts.plain || p->pq.ngroups != p->pq.n)
        return NULL;
    for (size_t i = 0; i < p->pq.n; i++) {
        if (p->pq.t[i].kind != SOK_Q_WORD || p->pq.t[i].negated)
            return NULL;
        for (size_t j = 0; j < p->at[i].n; j++) {
            const struct tok *t = &p->toks[p->at[i].first + j];
            if (sok_title_key_add(key, &len, ptext(p, t->off), t->len,
                                  t->flags) != 0)
                return NULL;
        }
    }
    if (len == 0)
        return NULL;
    return q_scaled(p, SOK_PREFIX_TITLEKEY, key, len, SOK_TITLE_KEY_WEIGHT);
}

/* Analyses every term and builds p->pos_and, p->pos_or (NULL when nothing
 * searchable is left) and p->neg. */
static int plan_build(struct plan *p)
{
    int rc = sok_query_parse(p->q, p->qlen, &p->pq, p->err);
    if (rc != 0)
        return rc;
    if (p->e->xr == NULL)
        return sok_err_set(p->err, SOK_ENODB, NULL);
    if ((rc = tokenize_terms(p)) != 0)
        return rc;

    /* Stopwords are dropped outside phrases, unless the query is nothing
     * but stopwords ("vem är vi"), which would leave nothing to find. */
    int all_stop = 1;
    for (size_t i = 0; i < p->pq.n; i++) {
        const struct tok *t = single_word(p, i);
        p->at[i].stop = t != NULL && sok_sv_is_stopword(ptext(p, t->off),
                                                        t->len);
        if (!p->pq.t[i].negated && !p->at[i].stop && p->at[i].n > 0)
            all_stop = 0;
    }
    unsigned id = SOK_Q_MAX_TERMS;  /* ids for phrase words; groups
                                       use their own number */
    for (size_t i = 0; i < p->pq.n; i++) {
        if (p->at[i].n == 0)
            continue;
        if (p->at[i].stop && !all_stop) {
            /* Not searched for, but part of the words' order. */
            const struct tok *t = single_word(p, i);
            if (!p->pq.t[i].negated)
                p->at[i].px = q_term(p, "", ptext(p, t->off), t->len);
            continue;
        }
        unsigned gid = p->pq.t[i].group;
        switch (p->pq.t[i].kind) {
        case SOK_Q_WORD:
            p->at[i].xq = word_term(p, i, gid);
            break;
        case SOK_Q_PREFIX:
            p->at[i].xq = prefix_term(p, i, gid);
            break;
        case SOK_Q_PHRASE:
            p->at[i].xq = phrase_term(p, i, &id);
            break;
        }
        if (p->err->code != 0)
            return p->err->code;
    }

    /* Groups: OR of their terms; negated terms collected apart. */
    struct sok_xq *groups[SOK_Q_MAX_TERMS], *negs[SOK_Q_MAX_TERMS];
    size_t ng = 0, nn = 0;
    size_t group_term[SOK_Q_MAX_TERMS];    /* a group's only term, or -1 */
    for (unsigned g = 0; g < p->pq.ngroups; g++) {
        struct sok_xq *v[SOK_Q_MAX_TERMS];
        size_t n = 0, count = 0, last = 0;
        for (size_t i = 0; i < p->pq.n; i++) {
            if (p->pq.t[i].group != g)
                continue;
            count++;
            last = i;
            if (p->pq.t[i].negated)
                negs[nn++] = p->at[i].xq;
            else
                v[n++] = p->at[i].xq;
        }
        if (n == 0)
            continue;
        struct sok_xq *gq = q_comb(p, SOK_XQ_OR, v, n);
        if (gq == NULL) {
            if (p->err->code != 0)
                return p->err->code;
            continue;       /* only stopwords or punctuation */
        }
        group_term[ng] = count == 1 ? last : (size_t)-1;
        groups[ng++] = gq;
    }

    /* Join adjacent single words that the index holds as one word. */
    struct sok_xq *and_v[SOK_Q_MAX_TERMS], *known_v[SOK_Q_MAX_TERMS];
    struct sok_xq *unknown_v[SOK_Q_MAX_TERMS];
    size_t na = 0, nknown = 0, nunknown = 0;
    for (size_t g = 0; g < ng; g++) {
        size_t i = group_term[g];
        if (!p->e->opts.plain && g + 1 < ng && i != (size_t)-1 &&
            group_term[g + 1] == i + 1) {
            struct sok_xq *j = joined(p, i);
            if (j != NULL) {
                struct sok_xq *both[2] = { groups[g], groups[g + 1] };
                struct sok_xq *a = q_comb(p, SOK_XQ_AND, both, 2);
                groups[g + 1] = q_or2(p, a, j);
                group_term[g + 1] = (size_t)-1;    /* join once */
                continue;   /* the pair now counts as one group */
            }
        }
        and_v[na++] = groups[g];
        if (i != (size_t)-1 && p->at[i].unknown)
            unknown_v[nunknown++] = groups[g];
        else
            known_v[nknown++] = groups[g];
    }
    p->npos_groups = (unsigned)na;
    struct sok_xq *or_v[SOK_Q_MAX_TERMS];
    memcpy(or_v, and_v, na * sizeof *or_v);
    p->pos_and = q_comb(p, SOK_XQ_AND, and_v, na);
    p->pos_or = q_comb(p, SOK_XQ_OR, or_v, na);
    p->neg = q_comb(p, SOK_XQ_OR, negs, nn);
    if (nknown > 0 && nunknown > 0) {
        /* A misspelling whose correction is wrong should not sink the
         * rest of the query: the second try requires only known words. */
        struct sok_xq *v[2] = { q_comb(p, SOK_XQ_AND, known_v, nknown),
                                q_comb(p, SOK_XQ_OR, unknown_v, nunknown) };
        p->pos_known = q_comb(p, SOK_XQ_AND_MAYBE, v, 2);
    }

    /* Sections holding the words in the query's order, close together,
     * rank above those that merely hold them all. */
    struct sok_xq *prox = proximity(p);
    struct sok_xq *tk = title_key(p);
    if (tk != NULL) {
        struct sok_xq *v[2] = { prox, tk };
        prox = q_comb(p, SOK_XQ_OR, v, 2);
    }
    if (prox != NULL) {
        struct sok_xq *v[2] = { p->pos_and, prox };
        p->pos_and = q_comb(p, SOK_XQ_AND_MAYBE, v, 2);
        v[0] = p->pos_or;
        v[1] = prox;
        p->pos_or = q_comb(p, SOK_XQ_AND_MAYBE, v, 2);
        if (p->pos_known != NULL) {
            v[0] = p->pos_known;
            v[1] = prox;
            p->pos_known = q_comb(p, SOK_XQ_AND_MAYBE, v, 2);
        }
    }
    return p->err->code;
}

static void plan_free(struct plan *p)
{
    for (size_t i = 0; i < p->nxq; i++)
        sok_xq_free(p->xqs[i]);
    free(p->xqs);
    for (size_t i = 0; i < p->nfix; i++)
        for (size_t a = 0; a < p->fixes[i].nalts; a++)
            free(p->fixes[i].alts[a]);
    sok_buf_free(&p->pool);
}

struct find_word {
    const char *w;
    size_t len;
};

static int find_word_cb(void *ctx, const struct sok_token *tok)
{
    const struct find_word *f = ctx;
    return tok->len == f->len && memcmp(tok->text, f->w, f->len) == 0;
}

/* 1 when the record's title or text holds the (folded) word. */
static int holds_word(const json_t *doc, const char *word)
{
    static const char *const fields[] = { "title", "text" };
    struct find_word fw = { word, strlen(word) };
    for (size_t k = 0; k < 2; k++) {
        const json_t *v = json_object_get(doc, fields[k]);
        struct sok_err ignore = SOK_ERR_INIT;
        if (json_is_string(v) &&
            sok_text_tokenize(json_string_value(v), json_string_length(v), 1,
                              find_word_cb, &fw, NULL, &ignore) == 1)
            return 1;
    }
    return 0;
}

/* For each correction with several candidates, the one the top hit holds
 * (in its title or text) is what the user most likely meant. */
static void prefer_found(struct plan *p, const json_t *doc)
{
    for (size_t i = 0; i < p->nfix; i++) {
        struct fix *f = &p->fixes[i];
        if (f->nalts < 2 || holds_word(doc, f->alts[0]))
            continue;
        for (size_t a = 1; a < f->nalts; a++) {
            if (holds_word(doc, f->alts[a])) {
                char *t = f->alts[0];
                f->alts[0] = f->alts[a];
                f->alts[a] = t;
                break;
            }
        }
    }
}

/* The query text with every correction applied; NULL when none. */
static char *suggestion(const struct plan *p)
{
    if (p->nfix == 0)
        return NULL;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    size_t at = 0;
    /* Fixes are recorded term by term, joined pairs last: put them in
     * query order (they do not overlap, add_fix sees to that). */
    const struct fix *order[SOK_Q_MAX_TERMS];
    for (size_t i = 0; i < p->nfix; i++) {
        size_t j = i;
        while (j > 0 && order[j - 1]->qstart > p->fixes[i].qstart) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = &p->fixes[i];
    }
    for (size_t i = 0; i < p->nfix; i++) {
        const struct fix *f = order[i];
        if (f->qstart < at)
            continue;
        sok_buf_append(&b, p->q + at, f->qstart - at, &rc);
        if (f->capital)
            put_capital(&b, f->alts[0], &rc);
        else
            sok_buf_puts(&b, f->alts[0], &rc);
        at = f->qend;
    }
    sok_buf_append(&b, p->q + at, p->qlen - at, &rc);
    if (rc != 0) {
        sok_buf_free(&b);
        return NULL;
    }
    return sok_buf_detach(&b, NULL);
}

/* ---------------------------------------------------------------- run */

/* Type and date filters around q. */
static struct sok_xq *filtered(struct plan *p, struct sok_xq *q,
                               const struct sok_search_req *req)
{
    struct sok_xq *v[3] = { q, NULL, NULL };
    if (req->types != 0) {
        struct sok_xq *tv[SOK_TYPE_COUNT];
        size_t n = 0;
        for (unsigned t = 0; t < SOK_TYPE_COUNT; t++) {
            const char *name = sok_type_name((enum sok_type)t);
            if ((req->types & (1u << t)) && name != NULL)
                tv[n++] = q_term(p, SOK_PREFIX_TYPE, name, strlen(name));
        }
        v[1] = q_comb(p, SOK_XQ_OR, tv, n);
    }
    if (req->from[0] || req->to[0])
        v[2] = keep(p, sok_xq_value_range(SOK_SLOT_DATE,
                                          req->from[0] ? req->from : NULL,
                                          req->to[0] ? req->to : NULL,
                                          p->err));
    if (p->err->code != 0)
        return NULL;
    return q_comb(p, SOK_XQ_FILTER, v, 3);
}

/* The whole query: positive part, exclusions, filters. */
static struct sok_xq *final_query(struct plan *p, struct sok_xq *pos,
                                  const struct sok_search_req *req)
{
    struct sok_xq *q = pos;
    if (p->neg != NULL) {
        struct sok_xq *v[2] = { pos, p->neg };
        q = q_comb(p, SOK_XQ_AND_NOT, v, 2);
    }
    q = filtered(p, q, req);
    if (q == NULL && p->err->code == 0)
        sok_err_set(p->err, SOK_EINTERNAL, "query construction failed");
    return q;
}

/* Matches the main search examines at least, for `wanted` hits: counting
 * every match of a common word costs more than the rest of the query
 * together, so past SOK_FACET_CHECK the total and the facets are
 * estimated (facet_estimates). */
static unsigned main_check(unsigned wanted)
{
    return wanted > SOK_FACET_CHECK ? wanted : SOK_FACET_CHECK;
}

/* One Xapian search.  With collapse, the main search: collapsed on the
 * duplicate key, totals and facets over at least SOK_FACET_CHECK matches.
 * Without, the twins of collapsed hits (see choose_twins). */
static int run_one(struct plan *p, const struct sok_xq *q,
                   const struct sok_search_req *req, unsigned offset,
                   unsigned limit, int collapse, struct sok_xresult **out)
{
    struct sok_xsearch s;
    memset(&s, 0, sizeof s);
    s.query = q;
    s.offset = offset;
    s.limit = limit;
    s.sort_slot = req->sort_date ? SOK_SLOT_DATE : -1;
    s.sort_desc = 1;
    s.collapse_slot = collapse ? SOK_SLOT_DUPKEY : -1;
    s.check_at_least = collapse ? main_check(offset + limit) : limit;
    if (collapse) {
        s.nfacets = 2;
        s.facet_slots[0] = SOK_SLOT_TYPE;
        s.facet_slots[1] = SOK_SLOT_YEAR;
    }
    return sok_xr_search(p->e->xr, &s, out, p->err);
}

/* ------------------------------------------------------------ hits */

struct cand {                   /* a hit being chosen */
    const struct sok_xhit *x;   /* where it came from */
    json_t *doc;                /* owned; NULL until cand_doc() */
    double score;
    unsigned collapsed;
    unsigned docid;
    uint64_t *sh;               /* owned shingles, see dedup.h */
    size_t nsh;
    int sh_done, taken;
};

/* Parses the record on first use: most twins are never looked at. */
static int cand_doc(struct plan *p, struct cand *c)
{
    if (c->doc != NULL)
        return 0;
    c->doc = json_loadb(c->x->data, c->x->data_len, 0, NULL);
    if (!json_is_object(c->doc)) {
        /* A record this server cannot read is shown empty rather than
         * failing the whole page. */
        json_decref(c->doc);
        c->doc = json_object();
        if (c->doc == NULL)
            return sok_err_set(p->err, SOK_ENOMEM, NULL);
    }
    return 0;
}

static int cand_shingles(struct plan *p, struct cand *c)
{
    if (c->sh_done)
        return 0;
    c->sh_done = 1;
    int rc = cand_doc(p, c);
    if (rc != 0)
        return rc;
    json_t *t = json_object_get(c->doc, "text");
    if (!json_is_string(t))
        return 0;
    return sok_dedup_shingles(json_string_value(t), json_string_length(t),
                              &c->sh, &c->nsh, p->err);
}

static const char *cand_str(const struct cand *c, const char *key)
{
    const char *s = json_string_value(json_object_get(c->doc, key));
    return s ? s : "";
}

static void cand_free(struct cand *c, size_t n)
{
    for (size_t i = 0; c != NULL && i < n; i++) {
        json_decref(c[i].doc);
        free(c[i].sh);
    }
    free(c);
}

static int load_all(struct plan *p, const struct sok_xresult *x,
                    struct cand **out)
{
    *out = calloc(x->nhits ? x->nhits : 1, sizeof **out);
    if (*out == NULL)
        return sok_err_set(p->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < x->nhits; i++) {
        struct cand *c = &(*out)[i];
        c->x = &x->hits[i];
        c->score = c->x->weight;
        c->collapsed = c->x->collapse_count;
        c->docid = c->x->docid;
    }
    return 0;
}

/* How much a twin is preferred as the face of its group: a file the page
 * already shows (so twins do not mix the two copies), then a record with a
 * date (the richer copy). */
static int preference(const struct cand *c, const struct cand *kept,
                      const size_t *kidx, size_t nk)
{
    int v = cand_str(c, "date")[0] ? 1 : 0;
    const char *src = cand_str(c, "source");
    for (size_t k = 0; k < nk; k++)
        if (strcmp(cand_str(&kept[kidx[k]], "source"), src) == 0)
            return v + 2;
    return v;
}

/* For every collapsed hit, picks the face of its group among its twins in
 * the uncollapsed list m[0..nm) (keeping the group's rank and score), and
 * folds hits whose text another higher hit already contains.  Fills
 * kidx[0..*nk) with the hits kept, in rank order, stopping once want are
 * kept (each hit costs a parse and its shingles); *seen: hits looked at. */
static int choose_twins(struct plan *p, struct cand *h, size_t nh,
                        struct cand *m, size_t nm, size_t want,
                        size_t *kidx, size_t *nk, size_t *seen)
{
    int rc;
    *nk = 0;
    *seen = 0;
    for (size_t i = 0; i < nh && *nk < want; i++) {
        *seen = i + 1;
        if ((rc = cand_shingles(p, &h[i])) != 0)
            return rc;
        if (h[i].collapsed > 0 && m != NULL) {
            size_t best = (size_t)-1;
            int best_pref = preference(&h[i], h, kidx, *nk);
            for (size_t j = 0; j < nm; j++) {
                int is_hit = 0;
                for (size_t k = 0; k < nh && !is_hit; k++)
                    is_hit = m[j].docid == h[k].docid;
                if (is_hit || m[j].taken)
                    continue;
                if ((rc = cand_doc(p, &m[j])) != 0)
                    return rc;
                int pref = preference(&m[j], h, kidx, *nk);
                if (pref <= best_pref)
                    continue;
                if ((rc = cand_shingles(p, &m[j])) != 0)
                    return rc;
                if (sok_dedup_similar(h[i].sh, h[i].nsh, m[j].sh, m[j].nsh)) {
                    best = j;
                    best_pref = pref;
                }
            }
            if (best != (size_t)-1) {
                struct cand *t = &m[best];
                json_t *d = h[i].doc;
                uint64_t *sh = h[i].sh;
                size_t nsh = h[i].nsh;
                h[i].doc = t->doc;
                h[i].sh = t->sh;
                h[i].nsh = t->nsh;
                t->doc = d;
                t->sh = sh;
                t->nsh = nsh;
                t->taken = 1;
            }
        }
        size_t k = 0;
        while (k < *nk && !sok_dedup_similar(h[kidx[k]].sh, h[kidx[k]].nsh,
                                             h[i].sh, h[i].nsh))
            k++;
        if (k < *nk)
            h[kidx[k]].collapsed += 1 + h[i].collapsed;
        else
            kidx[(*nk)++] = i;
    }
    return 0;
}

/* Moves the chosen hits into res, with their snippets. */
static int emit_hits(struct plan *p, struct cand *h, const size_t *kidx,
                     size_t n, struct sok_search_res *res)
{
    if (n == 0)
        return 0;
    res->hits = calloc(n, sizeof *res->hits);
    if (res->hits == NULL)
        return sok_err_set(p->err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        struct cand *c = &h[kidx[i]];
        int rc = cand_doc(p, c);
        if (rc != 0)
            return rc;
        struct sok_search_hit *o = &res->hits[res->nhits++];
        o->doc = c->doc;
        c->doc = NULL;
        o->score = c->score;
        o->collapsed = c->collapsed;
        json_t *text = json_object_get(o->doc, "text");
        struct sok_buf b = SOK_BUF_INIT;
        rc = sok_snippet(p->e->an, p->hl,
                         json_is_string(text) ? json_string_value(text) : "",
                         json_is_string(text) ? json_string_length(text) : 0,
                         &b, p->err);
        if (rc != 0) {
            sok_buf_free(&b);
            return rc;
        }
        o->snippet = sok_buf_detach(&b, NULL);
        if (o->snippet == NULL)
            return sok_err_set(p->err, SOK_ENOMEM, NULL);
    }
    return 0;
}

/* Sets res->total and res->facets_exact from the main search, which
 * examined at least check matches.  When that was all of them, the lower
 * bound is the exact number of collapsed results (Xapian's estimate can be
 * far off once collapsing removed many), and the facets are exact.  Else
 * the facets counted only the matches examined: they are scaled to the
 * estimated total (the type facet's sum is the number of collapsed results
 * examined, every section having a type). */
static void facet_estimates(struct sok_search_res *res, unsigned check)
{
    struct sok_xresult *x = res->xres;
    res->facets_exact = x->total_lower == x->total_upper ||
                        x->total_upper <= check;
    if (res->facets_exact) {
        res->total = x->total_lower;
        return;
    }
    res->total = x->total;
    unsigned long seen = 0;
    for (size_t i = 0; i < x->nfacets; i++)
        if (x->facets[i].slot == SOK_SLOT_TYPE)
            for (size_t k = 0; k < x->facets[i].n; k++)
                seen += x->facets[i].counts[k].count;
    if (seen == 0 || seen >= x->total)
        return;
    double f = (double)x->total / (double)seen;
    for (size_t i = 0; i < x->nfacets; i++)
        for (size_t k = 0; k < x->facets[i].n; k++) {
            unsigned long c = x->facets[i].counts[k].count;
            x->facets[i].counts[k].count = (unsigned long)(c * f + 0.5);
        }
}

/* Runs the search for pos and fills res.  Within the first
 * SOK_DEDUP_WINDOW results the page is cut from a deduplicated list taken
 * from the top, so pages stay consistent; deeper pages are Xapian's. */
static int search_pos(struct plan *p, struct sok_xq *pos,
                      const struct sok_search_req *req,
                      struct sok_search_res *res)
{
    const struct sok_xq *q = final_query(p, pos, req);
    if (q == NULL)
        return p->err->code;
    unsigned offset = (req->page - 1) * req->per_page;
    int window = offset + req->per_page <= SOK_DEDUP_WINDOW;
    unsigned xoff = window ? 0 : offset;
    unsigned xlim = window ? offset + req->per_page + SOK_DEDUP_EXTRA
                           : req->per_page;
    int rc = run_one(p, q, req, xoff, xlim, 1, &res->xres);
    if (rc != 0)
        return rc;
    facet_estimates(res, main_check(xoff + xlim));
    const struct sok_xresult *x = res->xres;

    struct cand *h = NULL, *m = NULL;
    struct sok_xresult *xm = NULL;
    size_t *kidx = calloc(x->nhits ? x->nhits : 1, sizeof *kidx);
    size_t nk = 0;
    if (kidx == NULL)
        rc = sok_err_set(p->err, SOK_ENOMEM, NULL);
    if (rc == 0)
        rc = load_all(p, x, &h);
    if (rc == 0 && window) {
        int collapsed = 0;
        for (size_t i = 0; i < x->nhits; i++)
            collapsed |= x->hits[i].collapse_count > 0;
        if (collapsed) {
            unsigned lim = 2 * xlim < SOK_DEDUP_TWINS ? 2 * xlim
                                                      : SOK_DEDUP_TWINS;
            rc = run_one(p, q, req, 0, lim, 0, &xm);
            if (rc == 0)
                rc = load_all(p, xm, &m);
        }
        /* When Xapian returned every match, all are deduplicated for an
         * exact total; else only as many as fill the page (the total is
         * an estimate there, less the folds seen). */
        size_t want = x->nhits < xlim ? x->nhits : offset + req->per_page;
        size_t seen = 0;
        if (rc == 0)
            rc = choose_twins(p, h, x->nhits, m, xm ? xm->nhits : 0, want,
                              kidx, &nk, &seen);
        if (rc == 0) {
            size_t folded = seen - nk;
            if (x->nhits < xlim)        /* saw every match */
                res->total = nk;
            else
                res->total = res->total > folded ? res->total - folded : nk;
            size_t from = offset < nk ? offset : nk;
            size_t to = from + req->per_page < nk ? from + req->per_page : nk;
            rc = emit_hits(p, h, kidx + from, to - from, res);
        }
    } else if (rc == 0) {
        for (size_t i = 0; i < x->nhits; i++)
            kidx[i] = i;
        rc = emit_hits(p, h, kidx, x->nhits, res);
    }
    cand_free(h, x->nhits);
    cand_free(m, xm ? xm->nhits : 0);
    sok_xresult_free(xm);
    free(kidx);
    return rc;
}

int sok_search_run(struct sok_engine *e, const struct sok_search_req *req,
                   struct sok_search_res *res, struct sok_err *err)
{
    double t0 = sok_clock_us() / 1e3;
    struct sok_search_res empty = SOK_SEARCH_RES_INIT;
    *res = empty;
    struct plan *p = calloc(1, sizeof *p);
    struct sok_hl *hl = calloc(1, sizeof *hl);
    int rc = 0;
    if (p == NULL || hl == NULL) {
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
        goto done;
    }
    p->e = e;
    p->q = req->q;
    p->qlen = req->qlen;
    p->hl = hl;
    p->err = err;
    if ((rc = plan_build(p)) != 0)
        goto done;
    if (p->pos_and != NULL) {
        /* AND; else without the unknown words; else OR. */
        struct sok_xq *tries[3] = { p->pos_and, p->pos_known, p->pos_or };
        for (size_t k = 0; k < 3 && rc == 0; k++) {
            if (tries[k] == NULL || (k > 0 && p->npos_groups < 2))
                continue;
            if (k > 0) {
                if (res->total > 0)
                    break;
                sok_search_res_free(res);
                res->relaxed = 1;
            }
            rc = search_pos(p, tries[k], req, res);
        }
    }
    if (rc == 0) {
        if (res->nhits > 0)
            prefer_found(p, res->hits[0].doc);
        res->suggestion = suggestion(p);
    }

done:
    if (p != NULL)
        plan_free(p);
    free(p);
    free(hl);
    res->took_ms = sok_clock_us() / 1e3 - t0;
    return rc;
}

void sok_search_res_free(struct sok_search_res *res)
{
    if (res == NULL)
        return;
    for (size_t i = 0; i < res->nhits; i++) {
        json_decref(res->hits[i].doc);
        free(res->hits[i].snippet);
    }
    free(res->hits);
    free(res->suggestion);
    sok_xresult_free(res->xres);
    struct sok_search_res empty = SOK_SEARCH_RES_INIT;
    *res = empty;
}

int sok_search_highlights(struct sok_engine *e, const char *q, size_t qlen,
                          struct sok_hl *hl, struct sok_err *err)
{
    struct plan *p = calloc(1, sizeof *p);
    if (p == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    p->e = e;
    p->q = q;
    p->qlen = qlen;
    p->hl = hl;
    p->err = err;
    int rc = plan_build(p);
    plan_free(p);
    free(p);
    return rc;
}

