/*
 * correct: what a query word may have meant (plan.h): typed without its
 * accents, unknown to the index, a name spelt another way, rare, or
 * written apart from its neighbour.  It is the one file of the search
 * that consults spell.h; every candidate is checked against the index.
 * The plan searches the candidates beside or below the word, and each
 * correction of a word the index does not know, or holds rarely, is
 * recorded as a fix.  After the search the fixes, with the alternative
 * the top hit holds put first, make the suggestion ("Menade du ...?").
 */
#include "plan.h"
#include "vocab.h"
#include "sok_compound.h"
#include "sok_terms.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Sections a rare word's correction must be in to be suggested: far more
 * than the word's own one. */
#define RARE_CORRECTION_MIN 5

/* -------------------------------------------------------------- search */

struct folds {                  /* sok_correct_accents' walk */
    struct sok_plan *p;
    const unsigned *hl_id;
    struct sok_plan_word *wq;
    size_t left;
};

static int fold_cb(void *ctx, const char *w, size_t len)
{
    struct folds *f = ctx;
    struct sok_xq *q;
    if (sok_plan_scaled(f->p, "", w, len, SOK_FOLD_WEIGHT, &q) != 0)
        return 1;       /* the error is in p->err */
    if (q != NULL) {
        f->wq->rest[f->wq->n++] = q;
        f->left--;
        if (f->hl_id != NULL)
            sok_hl_add(f->p->hl, SOK_HL_EXACT, *f->hl_id, w, len);
    }
    return f->left == 0;
}

int sok_correct_accents(struct sok_plan *p, const char *w, size_t len,
                        const unsigned *hl_id, struct sok_plan_word *wq)
{
    struct folds f = { p, hl_id, wq, SOK_FOLD_MAX };
    sok_spell_accented(p->e, w, len, fold_cb, &f);
    return p->err->code;
}

/* A compound the index does not hold, through its parts: AND over the
 * parts of OR(stem, the stem as a part of other compounds). */
struct cparts {
    struct sok_plan *p;
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
    struct sok_xq *v[2], *q;
    sok_plan_stem(c->p, stem, len, 1.0, &v[0]);
    sok_plan_scaled(c->p, SOK_PREFIX_PART, stem, len, SOK_PART_WEIGHT, &v[1]);
    sok_plan_comb(c->p, SOK_XQ_OR, v, 2, &q);
    if (alt)
        sok_plan_or2(c->p, c->part[part], q, &c->part[part]);
    else
        c->part[part] = q;
    if (part + 1 > c->n)
        c->n = part + 1;
    sok_hl_add(c->p->hl, SOK_HL_STEM, c->id, stem, len);
    return c->p->err->code != 0;
}

/* *out absent when w does not split into two or more parts. */
static int compound_query(struct sok_plan *p, const char *w, size_t len,
                          unsigned id, struct sok_xq **out)
{
    struct cparts c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.id = id;
    *out = NULL;
    sok_analyze_compound(p->e->an, w, len, SOK_TOK_WORD, cpart_cb, &c);
    if (p->err->code != 0 || c.n < 2)
        return p->err->code;
    for (size_t k = 0; k < c.n; k++)
        if (c.part[k] == NULL)
            return 0;
    return sok_plan_comb(p, SOK_XQ_AND, c.part, c.n, out);
}

/* One synonym term as a query: a word as any query word (exact or stem,
 * its compounds and accents), a phrase by its words' exact forms. */
static int synonym_query(struct sok_plan *p, const struct sok_vocab_term *t,
                         unsigned id, struct sok_xq **out)
{
    if (t->n == 1) {
        const struct sok_vocab_word *w = &t->w[0];
        sok_hl_add(p->hl, SOK_HL_EXACT, id, w->w, w->wlen);
        return sok_plan_word(p, w->w, w->wlen, w->stem, w->slen, &id, out);
    }
    struct sok_xq *v[SOK_VOCAB_WORDS_MAX];
    for (size_t k = 0; k < t->n; k++) {
        sok_plan_term(p, "", t->w[k].w, t->w[k].wlen, &v[k]);
        sok_hl_add(p->hl, SOK_HL_EXACT, id, t->w[k].w, t->w[k].wlen);
    }
    return sok_plan_comb(p, SOK_XQ_PHRASE, v, t->n, out);
}

int sok_correct_synonyms(struct sok_plan *p, const struct sok_plan_tok *t,
                         unsigned id, struct sok_plan_word *wq, int *found)
{
    *found = 0;
    const char *w = sok_plan_text(p, t->off);
    const struct sok_vocab_syn *syn = sok_vocab_word_synonyms(
        &p->e->vocab, w, t->len, sok_plan_text(p, t->soff), t->slen);
    if (syn == NULL)
        return 0;
    /* Below the word, so a section holding it scores as without them;
     * and weighed 0 when the word has sections of its own, so that no
     * section holding only a (rarer, so higher-scoring) synonym outranks
     * one holding the word typed (vocab.h). */
    int own = sok_engine_termfreq(p->e, "", w, t->len) > 0 ||
              (t->slen && sok_engine_stemfreq(p->e, sok_plan_text(p, t->soff),
                                              t->slen) > 0);
    double weight = own ? 0.0 : SOK_VOCAB_SYN_WEIGHT;
    for (size_t k = 0; k < syn->n && wq->n < SOK_PLAN_EXPANSIONS_MAX; k++) {
        struct sok_xq *q;
        int rc = synonym_query(p, syn->to[k].term, id, &q);
        if (rc == 0 && q != NULL)
            rc = sok_plan_scale(p, q, weight * syn->to[k].weight,
                                &wq->rest[wq->n]);
        if (rc != 0)
            return rc;
        if (wq->rest[wq->n] != NULL)
            wq->n++;
    }
    *found = !own;
    return 0;
}

/* Whether the lexicon (hunspell-sv's words and their inflections) knows
 * token t: then it is not a typo, whatever the index holds. */
static int good_swedish(struct sok_plan *p, const struct sok_plan_tok *t)
{
    return sok_lexicon_knows(sok_lexicon_default(), sok_plan_text(p, t->off),
                             t->len);
}

/* The unknown word's case of sok_correct_word: its alternatives, their
 * fix, its compound parts. */
static int unknown(struct sok_plan *p, size_t i, const struct sok_plan_tok *t,
                   unsigned id, struct sok_xq **q)
{
    struct sok_alts al;
    const char *words[SOK_ALTS_MAX];
    size_t lens[SOK_ALTS_MAX];
    sok_spell_alts(p->e, sok_plan_text(p, t->off), t->len, &al);
    for (size_t k = 0; k < al.n; k++) {
        char cstem[SOK_TOKEN_MAX + 1];
        const char *c = al.a[k].w;
        size_t cl = al.a[k].len;
        size_t csl = sok_engine_stem(p->e, c, cl, cstem, sizeof cstem);
        struct sok_xq *cq, *exact;
        sok_plan_word(p, c, cl, cstem, csl, &id, &cq);
        sok_plan_or2(p, *q, cq, q);
        sok_hl_add(p->hl, SOK_HL_EXACT, id, c, cl);
        sok_hl_add(p->hl, SOK_HL_STEM, id, cstem, csl);
        sok_plan_term(p, "", c, cl, &exact);
        int rc = sok_plan_or2(p, p->at[i].px, exact, &p->at[i].px);
        if (rc != 0)
            return rc;
        words[k] = c;
        lens[k] = cl;
    }
    sok_correct_add(&p->fixes, t->qstart, t->qend, words, lens, al.n,
                    t->flags & SOK_TOK_CAPITAL, good_swedish(p, t));
    struct sok_xq *c;
    compound_query(p, sok_plan_text(p, t->off), t->len, id, &c);
    return sok_plan_or2(p, *q, c, q);
}

/* The name's case of sok_correct_word: names and words the lexicon does
 * not know may be spelt several ways.  The variants are not in the
 * proximity boost: that would lift them over the word as typed. */
static int near(struct sok_plan *p, const struct sok_plan_tok *t,
                unsigned long fe, unsigned id, struct sok_plan_word *wq,
                struct sok_xq **q)
{
    const char *w = sok_plan_text(p, t->off);
    if (fe >= SOK_EXPAND_BELOW || (!(t->flags & SOK_TOK_CAPITAL) &&
        sok_lexicon_knows(sok_lexicon_default(), w, t->len)))
        return 0;
    struct sok_alts al;
    sok_spell_near(p->e, w, t->len, &al);
    for (size_t k = 0; k < al.n && wq->n < SOK_PLAN_EXPANSIONS_MAX; k++) {
        char cstem[SOK_TOKEN_MAX + 1];
        const char *c = al.a[k].w;
        size_t cl = al.a[k].len;
        size_t csl = sok_engine_stem(p->e, c, cl, cstem, sizeof cstem);
        struct sok_xq *v[2] = { NULL, NULL };
        sok_plan_scaled(p, "", c, cl, SOK_EDIT_WEIGHT, &v[0]);
        if (csl > 0)
            sok_plan_stem(p, cstem, csl, SOK_EDIT_WEIGHT * SOK_STEM_WEIGHT,
                          &v[1]);
        int rc = sok_plan_comb(p, SOK_XQ_OR, v, 2, &wq->rest[wq->n]);
        if (rc != 0)
            return rc;
        if (wq->rest[wq->n] != NULL)
            wq->n++;
        sok_hl_add(p->hl, SOK_HL_EXACT, id, c, cl);
    }
    return al.n > 0 ? sok_plan_below(p, wq->a, wq->rest, wq->n, q) : 0;
}

/* The rare word's case of sok_correct_word: likely a typo, but the index
 * holds it, so only a fix; the search is unchanged. */
static void rare(struct sok_plan *p, const struct sok_plan_tok *t,
                 unsigned long fe, unsigned long fs)
{
    if (fe > 1 || fs > 1)
        return;
    char corr[2 * SOK_TOKEN_MAX + 2];
    size_t cl = sok_spell_correction(p->e, sok_plan_text(p, t->off), t->len,
                                     corr, sizeof corr);
    if (cl > 0 &&
        sok_engine_termfreq(p->e, "", corr, cl) >= RARE_CORRECTION_MIN) {
        const char *words[1] = { corr };
        sok_correct_add(&p->fixes, t->qstart, t->qend, words, &cl, 1,
                        t->flags & SOK_TOK_CAPITAL, good_swedish(p, t));
    }
}

int sok_correct_word(struct sok_plan *p, size_t i,
                     const struct sok_plan_tok *t, unsigned id,
                     struct sok_plan_word *wq, struct sok_xq **q)
{
    const char *w = sok_plan_text(p, t->off);
    unsigned long fe = sok_engine_termfreq(p->e, "", w, t->len);
    unsigned long fs = t->slen ? sok_engine_stemfreq(p->e,
                                                     sok_plan_text(p, t->soff),
                                                     t->slen) : 0;
    if (fe == 0 && fs == 0) {
        /* Let the other words and their order pick among the
         * alternatives. */
        p->at[i].unknown = 1;
        return unknown(p, i, t, id, q);
    }
    int rc = near(p, t, fe, id, wq, q);
    if (rc == 0)
        rare(p, t, fe, fs);
    return rc;
}

int sok_correct_joined(struct sok_plan *p, size_t i, struct sok_xq **out)
{
    const struct sok_plan_tok *a = sok_plan_single_word(p, i);
    const struct sok_plan_tok *b = sok_plan_single_word(p, i + 1);
    *out = NULL;
    if (a == NULL || b == NULL || a->len + b->len > SOK_TOKEN_MAX)
        return 0;
    char w[2 * SOK_TOKEN_MAX + 2], stem[SOK_TOKEN_MAX + 1];
    size_t len = 0, sl = 0;
    for (int link = 0; link < 2; link++) {
        memcpy(w, sok_plan_text(p, a->off), a->len);
        len = a->len;
        if (link)
            w[len++] = 's';
        memcpy(w + len, sok_plan_text(p, b->off), b->len);
        len += b->len;
        w[len] = '\0';
        sl = sok_engine_stem(p->e, w, len, stem, sizeof stem);
        if (sok_engine_termfreq(p->e, "", w, len) > 0 ||
            (sl > 0 && sok_engine_stemfreq(p->e, stem, sl) > 0))
            break;
        if (link)
            return 0;
    }
    unsigned id = (unsigned)p->pq.t[i].group;
    sok_hl_add(p->hl, SOK_HL_EXACT, id, w, len);
    sok_hl_add(p->hl, SOK_HL_STEM, id, stem, sl);
    if (p->at[i].unknown || p->at[i + 1].unknown) {
        const char *words[1] = { w };
        /* Writing a compound apart is a misspelling even of two good
         * words ("fritids banken"). */
        sok_correct_add(&p->fixes, a->qstart, b->qend, words, &len, 1,
                        a->flags & SOK_TOK_CAPITAL, 0);
    }
    return sok_plan_word(p, w, len, stem, sl, &id, out);
}

/* --------------------------------------------------------------- fixes */

void sok_correct_add(struct sok_fixes *fx, size_t qstart, size_t qend,
                     const char *const *words, const size_t *lens, size_t n,
                     int capital, int good)
{
    size_t k = 0;
    for (size_t i = 0; i < fx->n; i++) {
        if (fx->f[i].qstart >= qstart && fx->f[i].qend <= qend) {
            for (size_t a = 0; a < fx->f[i].nalts; a++)
                free(fx->f[i].alts[a]);
        } else {
            fx->f[k++] = fx->f[i];
        }
    }
    fx->n = k;
    if (fx->n == SOK_Q_MAX_TERMS || n == 0)
        return;
    struct sok_fix *f = &fx->f[fx->n];
    memset(f, 0, sizeof *f);
    f->qstart = qstart;
    f->qend = qend;
    f->capital = capital;
    f->good = good;
    for (size_t i = 0; i < n && i < SOK_ALTS_MAX; i++) {
        char *w = malloc(lens[i] + 1);
        if (w == NULL)
            break;
        memcpy(w, words[i], lens[i]);
        w[lens[i]] = '\0';
        f->alts[f->nalts++] = w;
    }
    if (f->nalts > 0)
        fx->n++;
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

void sok_correct_prefer(struct sok_fixes *fx, const json_t *doc)
{
    for (size_t i = 0; i < fx->n; i++) {
        struct sok_fix *f = &fx->f[i];
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

int sok_correct_suggestion(const struct sok_fixes *fx, const char *q,
                           size_t qlen, char **out)
{
    *out = NULL;
    if (fx->n == 0)
        return 0;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    size_t at = 0;
    /* Fixes are recorded term by term, joined pairs last: put them in
     * query order (they do not overlap, sok_correct_add sees to that). */
    const struct sok_fix *order[SOK_Q_MAX_TERMS];
    for (size_t i = 0; i < fx->n; i++) {
        size_t j = i;
        while (j > 0 && order[j - 1]->qstart > fx->f[i].qstart) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = &fx->f[i];
    }
    for (size_t i = 0; i < fx->n; i++) {
        const struct sok_fix *f = order[i];
        if (f->qstart < at)
            continue;
        sok_buf_append(&b, q + at, f->qstart - at, &rc);
        if (f->capital)
            put_capital(&b, f->alts[0], &rc);
        else
            sok_buf_puts(&b, f->alts[0], &rc);
        at = f->qend;
    }
    sok_buf_append(&b, q + at, qlen - at, &rc);
    if (rc == 0 && (*out = sok_buf_detach(&b, NULL)) == NULL)
        rc = SOK_ENOMEM;
    sok_buf_free(&b);
    return rc;
}

void sok_correct_drop_good(struct sok_fixes *fx)
{
    size_t k = 0;
    for (size_t i = 0; i < fx->n; i++) {
        if (!fx->f[i].good) {
            fx->f[k++] = fx->f[i];
            continue;
        }
        for (size_t a = 0; a < fx->f[i].nalts; a++)
            free(fx->f[i].alts[a]);
    }
    fx->n = k;
}

void sok_correct_free(struct sok_fixes *fx)
{
    if (fx == NULL)
        return;
    for (size_t i = 0; i < fx->n; i++)
        for (size_t a = 0; a < fx->f[i].nalts; a++)
            free(fx->f[i].alts[a]);
    fx->n = 0;
}
