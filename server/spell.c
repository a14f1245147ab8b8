/*
 * spell: corrections for a query word the index does not know (see
 * spell.h).  Candidates are checked against the index itself, so only words
 * that would find something are offered.
 */
#include "spell.h"
#include "sok_terms.h"
#include "sok_text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "sok_compound.h"
#include "sok_sort.h"

#define ACCENT_VARIANTS_MAX 64  /* accent-restored spellings tried a word */

/* Documents holding w exactly, or else its stem (for comparing
 * candidates: exact counts dominate). */
static unsigned long word_score(struct sok_engine *e, const char *w,
                                size_t len)
{
    char stem[SOK_TOKEN_MAX + 1];
    unsigned long f = sok_engine_termfreq(e, "", w, len);
    if (f > 0)
        return f << 20;
    size_t sl = sok_engine_stem(e, w, len, stem, sizeof stem);
    return sl ? sok_engine_stemfreq(e, stem, sl) : 0;
}

/* The best indexed spelling of w with å/ä restored for a and ö for o, as
 * typed on a keyboard without them; 0 when none is indexed.  *exact: the
 * spelling is indexed as a word (not only through its stem). */
static size_t accent_variant(struct sok_engine *e, const char *w, size_t len,
                             char *out, size_t cap, int *exact)
{
    *exact = 0;
    static const char *const alt_a[] = { "a", "\xc3\xa5", "\xc3\xa4" };
    static const char *const alt_o[] = { "o", "\xc3\xb6" };
    size_t pos[8], npos = 0, nvar = 1;
    for (size_t i = 0; i < len && npos < 8; i++) {
        size_t k = w[i] == 'a' ? 3 : w[i] == 'o' ? 2 : 0;
        if (k == 0 || nvar * k > ACCENT_VARIANTS_MAX)
            continue;
        pos[npos++] = i;
        nvar *= k;
    }
    if (npos == 0 || 2 * len >= cap)
        return 0;
    unsigned long best = 0;
    size_t best_len = 0;
    char cand[2 * SOK_TOKEN_MAX + 2];
    for (size_t v = 1; v < nvar; v++) {     /* v == 0 is w itself */
        size_t code = v, o = 0, from = 0;
        for (size_t k = 0; k < npos; k++) {
            size_t i = pos[k];
            memcpy(cand + o, w + from, i - from);
            o += i - from;
            const char *rep;
            if (w[i] == 'a') {
                rep = alt_a[code % 3];
                code /= 3;
            } else {
                rep = alt_o[code % 2];
                code /= 2;
            }
            memcpy(cand + o, rep, strlen(rep));
            o += strlen(rep);
            from = i + 1;
        }
        memcpy(cand + o, w + from, len - from);
        o += len - from;
        unsigned long s = word_score(e, cand, o);
        if (s > best && o < cap) {
            best = s;
            best_len = o;
            memcpy(out, cand, o);
            out[o] = '\0';
        }
    }
    /* word_score() puts an exact count above every stem-only one. */
    *exact = best >= (1ul << 20);
    return best_len;
}

/* The accented letters tried for an ASCII letter, as UTF-8. */
static const char *const *accents_of(char c)
{
    static const char *const a[] = { "\xc3\xa5", "\xc3\xa4", "\xc3\xa0",
                                     "\xc3\xa1", NULL };
    static const char *const e_[] = { "\xc3\xa9", "\xc3\xa8", "\xc3\xaa",
                                      "\xc3\xab", NULL };
    static const char *const o[] = { "\xc3\xb6", "\xc3\xb8", "\xc3\xb3", NULL };
    static const char *const u[] = { "\xc3\xbc", NULL };
    static const char *const i[] = { "\xc3\xad", NULL };
    static const char *const n[] = { "\xc3\xb1", NULL };
    static const char *const c_[] = { "\xc3\xa7", NULL };
    switch (c) {
    case 'a': return a;
    case 'e': return e_;
    case 'o': return o;
    case 'u': return u;
    case 'i': return i;
    case 'n': return n;
    case 'c': return c_;
    default: return NULL;
    }
}

struct accent_walk {
    struct sok_engine *e;
    const char *w;
    size_t len;
    sok_spell_word_cb cb;
    void *ctx;
    unsigned lookups;
    int stop;
    char cand[2 * SOK_TOKEN_MAX + 2];
};

/* Once the candidate differs from the word, a prefix no term starts with
 * ends the branch: most accented spellings die one letter after the
 * accent, so the walk stays near the length of the word. */
static int prefix_held(struct accent_walk *aw, size_t o)
{
    if (aw->lookups >= SOK_ACCENT_LOOKUPS) {
        aw->stop = 1;
        return 0;
    }
    aw->lookups++;
    return sok_engine_has_prefix(aw->e, aw->cand, o);
}

static void accent_step(struct accent_walk *aw, size_t i, size_t o,
                        int changed)
{
    if (aw->stop)
        return;
    if (i == aw->len) {
        if (changed && sok_engine_termfreq(aw->e, "", aw->cand, o) > 0 &&
            aw->cb(aw->ctx, aw->cand, o) != 0)
            aw->stop = 1;
        return;
    }
    aw->cand[o] = aw->w[i];
    if (!changed || prefix_held(aw, o + 1))
        accent_step(aw, i + 1, o + 1, changed);
    const char *const *alt = accents_of(aw->w[i]);
    for (size_t k = 0; alt && alt[k] && !aw->stop; k++) {
        memcpy(aw->cand + o, alt[k], 2);
        if (prefix_held(aw, o + 2))
            accent_step(aw, i + 1, o + 2, 1);
    }
}

void sok_spell_accented(struct sok_engine *e, const char *w, size_t len,
                        sok_spell_word_cb cb, void *ctx)
{
    struct accent_walk aw;
    aw.e = e;
    aw.w = w;
    aw.len = len;
    aw.cb = cb;
    aw.ctx = ctx;
    aw.lookups = 0;
    aw.stop = 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)w[i] >= 0x80)
            return;                 /* accents typed: taken as meant */
    if (len == 0 || 2 * len >= sizeof aw.cand)
        return;
    accent_step(&aw, 0, 0, 0);
}

size_t sok_spell_correction(struct sok_engine *e, const char *w, size_t len,
                            char *out, size_t cap)
{
    size_t chars = sok_utf8_chars(w, len);
    if (chars < 3)
        return 0;
    char *s = NULL;
    struct sok_err ignore = SOK_ERR_INIT;
    size_t n = 0;
    if (sok_xr_spelling(e->xr, w, len, chars >= 8 ? 2 : 1, &s,
                        &ignore) == 0) {
        n = strlen(s);
        if (n >= cap || (n == len && memcmp(s, w, len) == 0))
            n = 0;
        else
            memcpy(out, s, n + 1);
    }
    free(s);
    if (n == 0 && e->opts.shards != NULL) {
        /* A remote shard's spelling dictionary does not travel (Xapian
         * 1.4's remote backend has none): the nearest, most frequent
         * indexed word of every shard stands in for it. */
        struct sok_alts al;
        sok_spell_near(e, w, len, &al);
        if (al.n > 0 && al.a[0].len < cap) {
            n = al.a[0].len;
            memcpy(out, al.a[0].w, n + 1);
        }
    }
    return n;
}

/* Keeps the SOK_ALTS_MAX best-scored distinct words. */
static void alts_add(struct sok_alts *al, const char *w, size_t len,
                     unsigned long score)
{
    if (len == 0 || len > SOK_TOKEN_MAX || score == 0)
        return;
    for (size_t k = 0; k < al->n; k++)
        if (al->a[k].len == len && memcmp(al->a[k].w, w, len) == 0)
            return;
    size_t at = al->n;
    while (at > 0 && al->a[at - 1].score < score)
        at--;
    if (at == SOK_ALTS_MAX)
        return;
    size_t last = al->n < SOK_ALTS_MAX ? al->n : SOK_ALTS_MAX - 1;
    memmove(&al->a[at + 1], &al->a[at], (last - at) * sizeof al->a[0]);
    memcpy(al->a[at].w, w, len);
    al->a[at].w[len] = '\0';
    al->a[at].len = len;
    al->a[at].score = score;
    if (al->n < SOK_ALTS_MAX)
        al->n++;
}

/* Every indexed word one edit (deletion, transposition, substitution or
 * insertion of a Swedish letter) away from w, scored by frequency.  Only
 * for words the index does not know, so the few hundred lookups are rare;
 * Xapian's spelling dictionary offers just one candidate, and the context
 * of the query is better at choosing than frequency alone. */
static void edit1(struct sok_engine *e, const char *w, size_t len,
                  struct sok_alts *al)
{
    static const utf8proc_int32_t letters[] = {
        'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',
        'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
        0xe5, 0xe4, 0xf6, 0xe9, 0xfc,
    };
    enum { NL = sizeof letters / sizeof letters[0], MAXC = 24 };
    utf8proc_int32_t cp[MAXC + 1];
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)w + i,
                                              (utf8proc_ssize_t)(len - i),
                                              &cp[n]);
        if (k <= 0 || n == MAXC)
            return;
        i += (size_t)k;
        n++;
    }
    if (n < 4)
        return;                 /* short words have too many neighbours */
    utf8proc_int32_t c[MAXC + 2];
    char buf[4 * (MAXC + 2)];
    /* op 0 delete, 1 transpose, 2 substitute, 3 insert; at position i */
    for (int op = 0; op < 4; op++)
        for (size_t i = 0; i <= n; i++)
            for (size_t l = 0; l < (op >= 2 ? (size_t)NL : 1); l++) {
                size_t m = 0;
                if ((op < 3 && i == n) || (op == 1 && i + 1 >= n))
                    continue;
                for (size_t j = 0; j < n; j++) {
                    if (j == i && op == 0)
                        continue;
                    if (j == i && op == 3)
                        c[m++] = letters[l];
                    if (j == i && op == 2) {
                        if (letters[l] == cp[j])
                            goto next;
                        c[m++] = letters[l];
                        continue;
                    }
                    if (op == 1 && j == i) {
                        if (cp[i] == cp[i + 1])
                            goto next;
                        c[m++] = cp[i + 1];
                        c[m++] = cp[i];
                        j++;
                        continue;
                    }
                    c[m++] = cp[j];
                }
                if (op == 3 && i == n)
                    c[m++] = letters[l];
                size_t bl = 0;
                for (size_t j = 0; j < m; j++)
                    bl += (size_t)utf8proc_encode_char(
                        c[j], (utf8proc_uint8_t *)buf + bl);
                alts_add(al, buf, bl, sok_engine_termfreq(e, "", buf, bl));
            next:;
            }
}

/* ------------------------------------------------------ deletion index */

/* Symmetric-deletion index (as SymSpell): every vocabulary word of 4 to
 * DEL_MAXC characters is filed under its own hash and the hashes of its
 * one-character deletions.  A query word looks up itself and its deletions
 * (one, or two for a 9+ letter word), and every word found is checked with
 * the real distance.  That finds every word one edit away (insert, delete,
 * substitute, transpose) with n + 1 lookups, and of two-edit neighbours
 * those where two deletions of the query meet at most one of the word
 * (two deletions, a deletion and a substitution, ...).  Costs about
 * (average word length + 1) * 8 bytes per vocabulary word. */
#define DEL_MAXC 24
#define DEL_MINC 4

/* The deletion index of one index revision.  Immutable once built, so
 * engines read it without a lock; freed by whoever drops the last
 * reference (the shared object's, as its current one, and one per engine
 * holding it), counted under the shared object's mutex. */
struct sok_spell_rev {
    unsigned long docs, rev;        /* which index state it was built from */
    int refs;                       /* under sok_spell_shared.mu */
    char *pool;                     /* words, NUL-terminated */
    size_t npool, cappool;
    uint32_t *off;                  /* word -> pool offset */
    uint32_t *freq;
    size_t nwords, capwords;
    uint64_t *ent;                  /* hash << 32 | word, ascending */
    size_t nent, capent;
};

/* The newest revision's deletion index, and the one rebuild that may run
 * for a newer revision: in a thread of its own, on its own reader, while
 * engines keep using the previous one.  For those moments a word new in
 * the index is not yet offered as an edit-tolerant match (a candidate the
 * index no longer holds only matches nothing).  Only the very first build,
 * which has nothing to fall back on, is done by the engine asking
 * (sok_spell_prepare, at sok-server's start-up). */
struct sok_spell_shared {
    char *db;                       /* owned; what the builder opens */
    struct sok_engine_opts opts;    /* only .shards: opened instead of db */
    atomic_int stop;                /* set by _free: builds give up */
    pthread_mutex_t mu;             /* guards the rest, and every refs */
    struct sok_spell_rev *cur;      /* NULL until the first build */
    int building;                   /* the builder thread runs */
    int joinable;                   /* th started and not yet joined */
    pthread_t th;
    unsigned long want_docs, want_rev;  /* what the last rebuild was for */
};

/* The deletion index keys its entries by 32 bits of xxHash, the hash the
 * rest of sok uses. */
static uint32_t hash32(const char *s, size_t len)
{
    return (uint32_t)XXH3_64bits(s, len);
}

static void rev_free(struct sok_spell_rev *d)
{
    if (d == NULL)
        return;
    free(d->pool);
    free(d->off);
    free(d->freq);
    free(d->ent);
    free(d);
}

/* Drops one reference (under mu); returns d when that was the last, for
 * the caller to free once the lock is released, else NULL. */
static struct sok_spell_rev *rev_unref(struct sok_spell_rev *d)
{
    return d != NULL && --d->refs == 0 ? d : NULL;
}

/* A build in progress; stop, when set, ends it early. */
struct build {
    struct sok_spell_rev *d;
    const atomic_int *stop;
    int failed;
};

static int ent_add(struct sok_spell_rev *d, uint32_t h, uint32_t word)
{
    if (d->nent == d->capent) {
        size_t cap = d->capent ? d->capent * 2 : 4096;
        uint64_t *v = realloc(d->ent, cap * sizeof *v);
        if (v == NULL)
            return -1;
        d->ent = v;
        d->capent = cap;
    }
    d->ent[d->nent++] = (uint64_t)h << 32 | word;
    return 0;
}

/* Makes room for one more word of len bytes; -1 when out of memory. */
static int word_room(struct sok_spell_rev *d, size_t len)
{
    if (d->nwords == d->capwords) {
        size_t cap = d->capwords ? d->capwords * 2 : 4096;
        uint32_t *o = realloc(d->off, cap * sizeof *o);
        if (o == NULL)
            return -1;
        d->off = o;
        uint32_t *f = realloc(d->freq, cap * sizeof *f);
        if (f == NULL)
            return -1;
        d->freq = f;
        d->capwords = cap;
    }
    if (d->npool + len + 1 > d->cappool) {
        size_t cap = d->cappool ? d->cappool * 2 : 65536;
        while (cap < d->npool + len + 1)
            cap *= 2;
        if (cap > UINT32_MAX)
            return -1;              /* offsets are 32 bits */
        char *p = realloc(d->pool, cap);
        if (p == NULL)
            return -1;
        d->pool = p;
        d->cappool = cap;
    }
    return 0;
}

static int vocab_cb(void *ctx, const char *term, size_t len,
                    unsigned long tf)
{
    struct build *b = ctx;
    struct sok_spell_rev *d = b->d;
    if (atomic_load_explicit(b->stop, memory_order_relaxed))
        return b->failed = 1;
    size_t at[DEL_MAXC + 1];
    size_t n = sok_utf8_starts(term, len, at, DEL_MAXC);
    if (n < DEL_MINC)
        return 0;
    /* Letters only: numbers and codes have no spelling. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)term[i];
        if ((c < 'a' || c > 'z') && c < 0x80 && c != '-')
            return 0;
    }
    if (word_room(d, len) != 0)
        return b->failed = 1;
    uint32_t id = (uint32_t)d->nwords++;
    d->off[id] = (uint32_t)d->npool;
    d->freq[id] = tf > UINT32_MAX ? UINT32_MAX : (uint32_t)tf;
    memcpy(d->pool + d->npool, term, len);
    d->pool[d->npool + len] = '\0';
    d->npool += len + 1;
    if (ent_add(d, hash32(term, len), id) != 0)
        return b->failed = 1;
    char buf[4 * DEL_MAXC];
    for (size_t k = 0; k < n; k++) {
        size_t bl = at[k];
        memcpy(buf, term, at[k]);
        memcpy(buf + bl, term + at[k + 1], len - at[k + 1]);
        bl += len - at[k + 1];
        if (ent_add(d, hash32(buf, bl), id) != 0)
            return b->failed = 1;
    }
    return 0;
}

/* The deletion index of the revision xr is on, (docs, rev); NULL when out
 * of memory, on a read error or when *stop was set.  Unprefixed terms
 * start with a digit, a lower-case letter or a UTF-8 lead byte; prefixes
 * are upper case.  Only the letters are walked. */
static struct sok_spell_rev *rev_build(struct sok_xr *xr, unsigned long docs,
                                       unsigned long rev,
                                       const atomic_int *stop)
{
    struct build b = { NULL, stop, 0 };
    if ((b.d = calloc(1, sizeof *b.d)) == NULL)
        return NULL;
    b.d->docs = docs;
    b.d->rev = rev;
    static const char leads[] = "abcdefghijklmnopqrstuvwxyz\xc3\xc4\xc5";
    struct sok_err err = SOK_ERR_INIT;
    for (size_t i = 0; leads[i] != '\0' && !b.failed; i++)
        if (sok_xr_terms(xr, leads + i, 1, 0, vocab_cb, &b, &err) < 0)
            b.failed = 1;
    if (b.failed || sok_sort_u64(b.d->ent, b.d->nent) != 0) {
        rev_free(b.d);
        return NULL;
    }
    return b.d;
}

/* Makes nd (one reference, the shared object's) the current index, under
 * mu; returns the previous one when that was its last reference, for the
 * caller to free after unlocking. */
static struct sok_spell_rev *rev_install(struct sok_spell_shared *s,
                                         struct sok_spell_rev *nd)
{
    struct sok_spell_rev *old = s->cur;
    nd->refs = 1;
    s->cur = nd;
    return rev_unref(old);
}

static void *builder_main(void *arg)
{
    struct sok_spell_shared *s = arg;
    struct sok_xr *xr = NULL;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_spell_rev *nd = NULL, *old = NULL;
    unsigned long docs = 0, rev = 0;
    if (sok_engine_open_xr(s->db, &s->opts, &xr, &err) == 0 &&
        sok_engine_reader_stats(xr, &docs, &rev, &err) == 0)
        nd = rev_build(xr, docs, rev, &s->stop);
    sok_xr_free(xr);
    pthread_mutex_lock(&s->mu);
    if (nd != NULL)
        old = rev_install(s, nd);
    s->building = 0;
    pthread_mutex_unlock(&s->mu);
    rev_free(old);
    return NULL;
}

/* Starts the builder for (docs, rev) unless it runs or was already started
 * for it (under mu); 0 when it runs. */
static int rebuild_start(struct sok_spell_shared *s, unsigned long docs,
                         unsigned long rev)
{
    if (s->building || (s->want_docs == docs && s->want_rev == rev))
        return 0;
    if (s->joinable) {
        /* It has cleared building: past its last use of mu, so joining
         * under mu cannot wait on us. */
        pthread_join(s->th, NULL);
        s->joinable = 0;
    }
    if (pthread_create(&s->th, NULL, builder_main, s) != 0)
        return -1;
    s->building = s->joinable = 1;
    s->want_docs = docs;
    s->want_rev = rev;
    return 0;
}

int sok_spell_shared_new(const char *db, struct sok_spell_shared **out,
                         struct sok_err *err)
{
    *out = NULL;
    struct sok_spell_shared *s = calloc(1, sizeof *s);
    if (s == NULL || (s->db = strdup(db)) == NULL) {
        free(s);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    atomic_init(&s->stop, 0);
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s->db);
        free(s);
        return sok_err_set(err, SOK_ENOMEM, "cannot create a mutex");
    }
    *out = s;
    return 0;
}

void sok_spell_shared_use_shards(struct sok_spell_shared *s,
                                 struct sok_shards *shards)
{
    s->opts.shards = shards;
}

void sok_spell_shared_free(struct sok_spell_shared *s)
{
    if (s == NULL)
        return;
    atomic_store_explicit(&s->stop, 1, memory_order_relaxed);
    /* No engine is left to start another builder: the one that may run is
     * the last, and it gives up at its next vocabulary word. */
    if (s->joinable)
        pthread_join(s->th, NULL);
    rev_free(rev_unref(s->cur));
    pthread_mutex_destroy(&s->mu);
    free(s->db);
    free(s);
}

/* The deletion index for e's revision (or, while a rebuild for a new
 * revision runs, the previous one), held by e until it asks for another
 * revision's or is freed. */
static const struct sok_spell_rev *rev_get(struct sok_engine *e)
{
    struct sok_spell_shared *s = e->opts.spell;
    unsigned long docs = 0, rev = 0;
    struct sok_err err = SOK_ERR_INIT;
    if (s == NULL || e->xr == NULL ||
        sok_engine_stats(e, &docs, &rev, &err) != 0)
        return NULL;
    struct sok_spell_rev *d = e->spell_rev, *old = NULL, *drop = NULL;
    if (d != NULL && d->docs == docs && d->rev == rev)
        return d;                   /* the common case: no lock */
    pthread_mutex_lock(&s->mu);
    d = s->cur;
    if (d != NULL && (d->docs != docs || d->rev != rev) &&
        rebuild_start(s, docs, rev) != 0)
        d = NULL;
    if (d == NULL) {
        /* Nothing to fall back on: built here, under the lock (the other
         * engines would only build the same thing). */
        d = rev_build(e->xr, docs, rev, &s->stop);
        if (d != NULL)
            old = rev_install(s, d);
    }
    if (d != e->spell_rev) {
        if (d != NULL)
            d->refs++;
        drop = rev_unref(e->spell_rev);
        e->spell_rev = d;
    }
    pthread_mutex_unlock(&s->mu);
    rev_free(old);
    rev_free(drop);
    return d;
}

void sok_spell_release(struct sok_engine *e)
{
    struct sok_spell_shared *s = e->opts.spell;
    if (s == NULL || e->spell_rev == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    struct sok_spell_rev *drop = rev_unref(e->spell_rev);
    pthread_mutex_unlock(&s->mu);
    e->spell_rev = NULL;
    rev_free(drop);
}

static void rev_lookup(const struct sok_spell_rev *d, const char *v,
                       size_t vl, const char *w, size_t len, unsigned max,
                       struct sok_alts *al)
{
    uint64_t h = hash32(v, vl);
    size_t lo = 0, hi = d->nent;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->ent[mid] >> 32 < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < d->nent && d->ent[i] >> 32 == h; i++) {
        uint32_t word = (uint32_t)d->ent[i];
        const char *c = d->pool + d->off[word];
        size_t cl = strlen(c);
        if (cl == len && memcmp(c, w, len) == 0)
            continue;
        unsigned dd = sok_edit_distance(w, len, c, cl, max);
        if (dd > max)
            continue;
        /* Nearer first, then more frequent: the score orders both. */
        unsigned long score = ((unsigned long)(3 - dd) << 32) |
                              d->freq[word];
        alts_add(al, c, cl, score);
    }
}
void sok_spell_near(struct sok_engine *e, const char *w, size_t len,
                    struct sok_alts *al)
{
    al->n = 0;
    size_t at[DEL_MAXC + 1];
    size_t n = sok_utf8_starts(w, len, at, DEL_MAXC);
    unsigned max = sok_edit_budget(n);
    if (n == 0 || max == 0)
        return;
    const struct sok_spell_rev *d = rev_get(e);
    if (d == NULL)
        return;
    char buf[4 * DEL_MAXC], buf2[4 * DEL_MAXC];
    rev_lookup(d, w, len, w, len, max, al);
    for (size_t k = 0; k < n; k++) {
        size_t bl = at[k];
        memcpy(buf, w, at[k]);
        memcpy(buf + bl, w + at[k + 1], len - at[k + 1]);
        bl += len - at[k + 1];
        rev_lookup(d, buf, bl, w, len, max, al);
        if (max < 2)
            continue;
        /* Second deletions, each pair once (k2 > k). */
        size_t at2[DEL_MAXC + 1];
        size_t n2 = sok_utf8_starts(buf, bl, at2, DEL_MAXC);
        for (size_t k2 = k; k2 < n2; k2++) {
            size_t b2 = at2[k2];
            memcpy(buf2, buf, at2[k2]);
            memcpy(buf2 + b2, buf + at2[k2 + 1], bl - at2[k2 + 1]);
            b2 += bl - at2[k2 + 1];
            rev_lookup(d, buf2, b2, w, len, max, al);
        }
    }
}

void sok_spell_prepare(struct sok_engine *e)
{
    rev_get(e);
}

void sok_spell_alts(struct sok_engine *e, const char *w, size_t len,
                    struct sok_alts *al)
{
    char c[2 * SOK_TOKEN_MAX + 2];
    size_t cl;
    int exact;
    al->n = 0;
    if ((cl = accent_variant(e, w, len, c, sizeof c, &exact)) > 0)
        alts_add(al, c, cl, ~0ul);
    /* A word the index holds once its accents are restored was typed on a
     * keyboard without them: the spelling dictionary would offer the same
     * word, and asking it is the dearest step here (Xapian inflates a
     * trigram list per letter, about 1.7 ms a word at syn100k). */
    if (!exact && (cl = sok_spell_correction(e, w, len, c, sizeof c)) > 0)
        alts_add(al, c, cl, ~0ul - 1);
    if (sok_edit_budget(sok_utf8_chars(w, len)) == 0) {
        edit1(e, w, len, al);     /* 4 letters: the old brute force */
        return;
    }
    struct sok_alts near;
    sok_spell_near(e, w, len, &near);
    for (size_t k = 0; k < near.n; k++)
        alts_add(al, near.a[k].w, near.a[k].len, near.a[k].score);
}

