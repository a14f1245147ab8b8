/*
 * vocab: the staff's synonyms and best bets (see vocab.h): the files'
 * watches, the snapshots a builder (vocab_parse.c) is frozen into, and the
 * lookups the search path makes in them.  A snapshot is a sorted array of
 * entries, one per distinct term, each pointing into arrays that never
 * move once frozen; a lookup builds the key of the words it is given and
 * searches for it (bsearch), longest run of words first.
 */
#include "vocab_build.h"
#include "engine.h"
#include "sok_clock.h"

#include <stdlib.h>
#include <string.h>

struct loader {
    enum sok_vocab_kind kind;
    struct sok_analyzer *an;    /* owned; only the watch's loads use it,
                                   one at a time */
};

struct sok_vocab {
    struct loader l[2];         /* by kind */
    struct sok_watch *w[2];     /* NULL: that file is not used */
};

static const char *const k_what[2] = { "synonyms", "best bets" };

/* ----------------------------------------------------- normalisation */

static int norm_cb(void *ctx, const struct sok_token *tok)
{
    void **c = ctx;
    struct sok_vocab_norm *nm = c[0];
    struct sok_analyzer *an = c[1];
    struct sok_err *err = c[2];
    if (tok->flags & SOK_TOK_PART)
        return 0;
    if (nm->n == SOK_VOCAB_WORDS_MAX) {
        nm->too_many = 1;
        return 1;
    }
    struct sok_vocab_word *w = &nm->w[nm->n];
    size_t len = tok->len < SOK_TOKEN_MAX ? tok->len : SOK_TOKEN_MAX;
    char *d = nm->buf + nm->used;
    memcpy(d, tok->text, len);
    d[len] = '\0';
    w->w = d;
    w->wlen = len;
    d += len + 1;
    int n = sok_analyzer_stem(an, tok, d, SOK_TOKEN_MAX + 1, err);
    if (n < 0)
        return n;
    w->stem = d;
    w->slen = (size_t)n;
    nm->used += len + 1 + (size_t)n + 1;
    nm->n++;
    return 0;
}

int sok_vocab_norm(struct sok_analyzer *an, const char *s, size_t len,
                   struct sok_vocab_norm *out, struct sok_err *err)
{
    out->n = 0;
    out->too_many = 0;
    out->used = 0;
    void *ctx[3] = { out, an, err };
    int rc = sok_text_tokenize(s, len, 1, norm_cb, ctx, NULL, err);
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ freezing */

static void table_free(struct sok_snap *s)
{
    struct vb_table *t = (struct vb_table *)s;
    free(t->pool);
    free(t->words);
    free(t->terms);
    free(t->exps);
    free(t->targets);
    free(t->ents);
    free(t);
}

static int pair_cmp(const void *pa, const void *pb)
{
    const struct vb_pair *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c != 0)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Adds the pairs p[0..n) (one term's) to e: its expansions, each term
 * once. */
static void group_syn(struct vb_table *t, const struct vb *b,
                      const struct vb_pair *p, size_t n, struct vb_ent *e)
{
    struct sok_vocab_exp *x = t->exps + t->nrules;
    e->syn.from = &t->terms[p[0].from];
    e->syn.to = x;
    e->syn.n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = t->pool + b->terms[p[i].to].key;
        size_t j = 0;
        while (j < e->syn.n &&
               strcmp(k, t->pool + b->terms[x[j].term - t->terms].key) != 0)
            j++;
        if (j < e->syn.n)
            continue;
        x[e->syn.n].term = &t->terms[p[i].to];
        x[e->syn.n++].weight = SOK_VOCAB_SYN_WEIGHT;
    }
    t->nrules += e->syn.n;
}

/* The same for a query's best bets: each target once, at most
 * SOK_VOCAB_BETS_MAX (the lines that would add more are said). */
static void group_bets(struct vb_table *t, struct vb *b,
                       const struct vb_pair *p, size_t n, struct vb_ent *e)
{
    struct sok_vocab_target *x = t->targets + t->nrules;
    unsigned said = 0;
    e->bets.query = &t->terms[p[0].from];
    e->bets.t = x;
    e->bets.n = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vb_target *bt = &b->targets[p[i].to];
        const char *s = t->pool + bt->off;
        size_t j = 0;
        while (j < e->bets.n && strcmp(s, x[j].target) != 0)
            j++;
        if (j < e->bets.n)
            continue;
        if (e->bets.n == SOK_VOCAB_BETS_MAX) {
            if (said != p[i].line)
                fprintf(b->diag, "sok-server: %s:%u: the query has more "
                        "than %d targets in all; those past them ignored\n",
                        b->path, p[i].line, SOK_VOCAB_BETS_MAX);
            said = p[i].line;
            continue;
        }
        x[e->bets.n].target = s;
        x[e->bets.n++].section = bt->section;
    }
    t->nrules += e->bets.n;
}

static void *alloc_n(size_t n, size_t sz, int *rc)
{
    void *p = malloc((n ? n : 1) * sz);
    if (p == NULL)
        *rc = SOK_ENOMEM;
    return p;
}

/* b frozen into an immutable snapshot *out (one reference). */
static int freeze(struct vb *b, struct vb_table **out, struct sok_err *err)
{
    *out = NULL;
    int rc = b->prc;
    struct vb_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    sok_snap_init(&t->snap, table_free);
    t->kind = b->kind;
    t->max_words = b->max_words;
    t->pool = sok_buf_detach(&b->pool, NULL);
    t->words = alloc_n(b->nwords, sizeof *t->words, &rc);
    t->terms = alloc_n(b->nterms, sizeof *t->terms, &rc);
    t->exps = alloc_n(b->npairs, sizeof *t->exps, &rc);
    t->targets = alloc_n(b->npairs, sizeof *t->targets, &rc);
    t->ents = alloc_n(b->npairs, sizeof *t->ents, &rc);
    if (rc != 0 || (t->pool == NULL && b->nwords > 0)) {
        table_free(&t->snap);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    for (size_t i = 0; i < b->nwords; i++)
        t->words[i] = (struct sok_vocab_word){
            t->pool + b->words[i].w, b->words[i].wlen,
            t->pool + b->words[i].s, b->words[i].slen };
    for (size_t i = 0; i < b->nterms; i++)
        t->terms[i] = (struct sok_vocab_term){
            t->pool + b->terms[i].text, b->terms[i].n,
            t->words + b->terms[i].w0 };
    for (size_t i = 0; i < b->npairs; i++)
        b->pairs[i].key = t->pool + b->terms[b->pairs[i].from].key;
    if (b->npairs > 0)
        qsort(b->pairs, b->npairs, sizeof *b->pairs, pair_cmp);
    for (size_t i = 0; i < b->npairs;) {
        size_t j = i + 1;
        while (j < b->npairs && strcmp(b->pairs[j].key, b->pairs[i].key) == 0)
            j++;
        struct vb_ent *e = &t->ents[t->nents++];
        memset(e, 0, sizeof *e);
        e->key = b->pairs[i].key;
        e->nwords = b->terms[b->pairs[i].from].n;
        if (b->kind == SOK_VOCAB_SYNONYMS)
            group_syn(t, b, b->pairs + i, j - i, e);
        else
            group_bets(t, b, b->pairs + i, j - i, e);
        i = j;
    }
    *out = t;
    return 0;
}

/* A snapshot of text[0..len) (NULL: empty) read as a file of kind. */
static int build(enum sok_vocab_kind kind, struct sok_analyzer *an,
                 const char *path, const char *text, size_t len, FILE *diag,
                 struct vb_table **out, unsigned *bad, struct sok_err *err)
{
    struct vb b;
    memset(&b, 0, sizeof b);
    b.kind = kind;
    b.an = an;
    b.path = path ? path : "-";
    b.diag = diag ? diag : stderr;
    b.pool = (struct sok_buf)SOK_BUF_INIT;
    if (text != NULL)
        sok_vb_parse(&b, text, len);
    int rc = b.arc ? sok_err_set(err, b.arc, "%s: cannot normalise its "
                                 "terms", b.path)
                   : 0;
    if (rc == 0)
        rc = freeze(&b, out, err);
    if (bad != NULL)
        *bad = b.bad;
    sok_vb_free(&b);
    if (rc == 0 && text != NULL) {
        const struct vb_table *t = *out;
        fprintf(b.diag, kind == SOK_VOCAB_SYNONYMS
                ? "sok-server: synonyms %s: terms %zu, synonyms %zu, "
                  "lines refused %u\n"
                : "sok-server: best bets %s: queries %zu, targets %zu, "
                  "lines refused %u\n", b.path, t->nents, t->nrules, b.bad);
    }
    return rc;
}

int sok_vocab_parse(enum sok_vocab_kind kind, struct sok_analyzer *an,
                    const char *path, const char *text, size_t len,
                    FILE *diag, struct sok_vocab_view *view,
                    unsigned *lines_bad, struct sok_err *err)
{
    struct vb_table *t = NULL;
    int rc = build(kind, an, path, text ? text : "", len, diag, &t,
                   lines_bad, err);
    if (rc != 0)
        return rc;
    if (kind == SOK_VOCAB_SYNONYMS) {
        if (view->syn)
            sok_snap_release(&view->syn->t.snap);
        view->syn = (struct sok_vocab_syns *)t;
    } else {
        if (view->bets)
            sok_snap_release(&view->bets->t.snap);
        view->bets = (struct sok_vocab_betset *)t;
    }
    return 0;
}

size_t sok_vocab_rules(const struct sok_vocab_view *view,
                       enum sok_vocab_kind kind)
{
    const struct vb_table *t = kind == SOK_VOCAB_SYNONYMS
        ? (view->syn ? &view->syn->t : NULL)
        : (view->bets ? &view->bets->t : NULL);
    return t ? t->nrules : 0;
}

/* ------------------------------------------------------------- lookups */

static int ent_cmp(const void *key, const void *pe)
{
    return strcmp(key, ((const struct vb_ent *)pe)->key);
}

/* The entry of t for exactly the words w[0..n), or NULL. */
static const struct vb_ent *find(const struct vb_table *t,
                                 const struct sok_vocab_word *w, size_t n)
{
    char key[SOK_VOCAB_WORDS_MAX * (SOK_TOKEN_MAX + 1) + 1];
    size_t k = 0;
    if (t == NULL || n == 0 || n > t->max_words || t->nents == 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s = w[i].slen ? w[i].stem : w[i].w;
        size_t len = w[i].slen ? w[i].slen : w[i].wlen;
        if (len == 0 || len > SOK_TOKEN_MAX || memchr(s, ' ', len))
            return NULL;            /* no term of a file has such a word */
        if (i > 0)
            key[k++] = ' ';
        memcpy(key + k, s, len);
        k += len;
    }
    key[k] = '\0';
    return bsearch(key, t->ents, t->nents, sizeof *t->ents, ent_cmp);
}

const struct sok_vocab_syn *sok_vocab_synonyms(const struct sok_vocab_view *v,
                                               const struct sok_vocab_word *w,
                                               size_t n, size_t *used)
{
    *used = 0;
    const struct vb_table *t = v && v->syn ? &v->syn->t : NULL;
    if (t == NULL)
        return NULL;
    for (size_t k = n < t->max_words ? n : t->max_words; k > 0; k--) {
        const struct vb_ent *e = find(t, w, k);
        if (e != NULL) {
            *used = k;
            return &e->syn;
        }
    }
    return NULL;
}

const struct sok_vocab_syn *sok_vocab_word_synonyms(
    const struct sok_vocab_view *v, const char *w, size_t wlen,
    const char *stem, size_t slen)
{
    struct sok_vocab_word one = { w, wlen, stem, slen };
    const struct vb_ent *e = find(v && v->syn ? &v->syn->t : NULL, &one, 1);
    return e ? &e->syn : NULL;
}

const struct sok_vocab_bets *sok_vocab_best_bets(
    const struct sok_vocab_view *v, const struct sok_vocab_word *w, size_t n)
{
    const struct vb_ent *e = find(v && v->bets ? &v->bets->t : NULL, w, n);
    return e ? &e->bets : NULL;
}

int sok_vocab_best_bets_q(const struct sok_vocab_view *v,
                          struct sok_analyzer *an, const char *q, size_t len,
                          const struct sok_vocab_bets **out,
                          struct sok_err *err)
{
    *out = NULL;
    if (v == NULL || v->bets == NULL || v->bets->t.nents == 0)
        return 0;
    struct sok_vocab_norm nm;
    int rc = sok_vocab_norm(an, q, len, &nm, err);
    if (rc == 0 && !nm.too_many)
        *out = sok_vocab_best_bets(v, nm.w, nm.n);
    return rc;
}

/* ----------------------------------------------------------- lifecycle */

static int load_cb(void *ctx, const char *path, const char *text, size_t len,
                   FILE *diag, struct sok_snap **out, struct sok_err *err)
{
    struct loader *l = ctx;
    struct vb_table *t = NULL;
    int rc = build(l->kind, l->an, path, text, len, diag, &t, NULL, err);
    *out = rc == 0 ? &t->snap : NULL;
    return rc;
}

int sok_vocab_new(const char *synonyms, const char *best_bets, FILE *diag,
                  struct sok_vocab **out, struct sok_err *err)
{
    *out = NULL;
    struct sok_vocab *v = calloc(1, sizeof *v);
    if (v == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    const char *path[2] = { synonyms, best_bets };
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (path[k] == NULL)
            continue;
        v->l[k].kind = (enum sok_vocab_kind)k;
        /* A few words per load: a small cache is plenty. */
        rc = sok_analyzer_new_cached(&v->l[k].an, 1024, err);
        if (rc == 0)
            rc = sok_watch_new(path[k], k_what[k], load_cb, &v->l[k], diag,
                               &v->w[k], err);
    }
    if (rc != 0) {
        sok_vocab_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

void sok_vocab_free(struct sok_vocab *v)
{
    if (v == NULL)
        return;
    for (int k = 0; k < 2; k++) {
        sok_watch_free(v->w[k]);
        sok_analyzer_free(v->l[k].an);
    }
    free(v);
}

void sok_vocab_refresh(struct sok_vocab *v, struct sok_vocab_view *view)
{
    if (v == NULL)
        return;
    long long now = sok_clock_us() / 1000;
    if (v->w[SOK_VOCAB_SYNONYMS] != NULL) {
        struct sok_watch *w = v->w[SOK_VOCAB_SYNONYMS];
        sok_watch_poll(w, now);
        struct sok_snap *s = sok_watch_get(w, view->syn ? &view->syn->t.snap
                                                        : NULL);
        view->syn = (struct sok_vocab_syns *)s;
    }
    if (v->w[SOK_VOCAB_BEST_BETS] != NULL) {
        struct sok_watch *w = v->w[SOK_VOCAB_BEST_BETS];
        sok_watch_poll(w, now);
        struct sok_snap *s = sok_watch_get(w, view->bets
                                                  ? &view->bets->t.snap
                                                  : NULL);
        view->bets = (struct sok_vocab_betset *)s;
    }
}

unsigned long sok_vocab_gen(const struct sok_vocab_view *view)
{
    return (view->syn ? view->syn->t.snap.gen : 0) +
           (view->bets ? view->bets->t.snap.gen : 0);
}

void sok_vocab_view_release(struct sok_vocab_view *view)
{
    if (view->syn != NULL)
        sok_snap_release(&view->syn->t.snap);
    if (view->bets != NULL)
        sok_snap_release(&view->bets->t.snap);
    view->syn = NULL;
    view->bets = NULL;
}

const struct sok_vocab_view *sok_vocab_view(struct sok_engine *e)
{
    sok_vocab_refresh(e->opts.vocab, &e->vocab);
    return &e->vocab;
}
