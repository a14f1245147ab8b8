/*
 * sok_facets: facet counts with collapse keys counted once.  See
 * sok_facets.h.  The counts are sok_counts tables; so is the record of
 * which (key, facet, value) has been counted, one entry per triple, which
 * with nearly every key seen once costs about what the matches' values
 * themselves do.  Values read from the shim's columns come as ids
 * instead: counts in arrays by value id, the record a set of (key id,
 * value id) pairs, and the names looked up once at the end.
 */
#include "sok_facets.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sok_buf.h"
#include "sok_counts.h"
#include "sok_err.h"
#include "sok_u64set.h"

/* Facet counts by value id (ids start at 1). */
struct idcounts {
    unsigned long *c;           /* by value id */
    size_t n;
};

struct sok_facets {
    unsigned n;
    struct idcounts byid[SOK_XFACET_MAX];
    struct idcounts byid_sample[SOK_XFACET_MAX];
    struct sok_u64set seen_ids[SOK_XFACET_MAX]; /* (key id, value id) */
    struct sok_counts *counts[SOK_XFACET_MAX];   /* value -> count */
    struct sok_counts *seen;                     /* triples counted */
    struct sok_buf triple;                       /* scratch */
    struct sok_counts *sample[SOK_XFACET_MAX];   /* counts as the sample filled */
    unsigned long sample_n;     /* matches the sample holds when full */
    unsigned long added;        /* matches added */
    unsigned long sample_end;   /* docid of its last; 0: not full */
};

int sok_facets_new(unsigned n, struct sok_facets **out)
{
    if (n > SOK_XFACET_MAX)
        return SOK_EINVAL;
    struct sok_facets *f = calloc(1, sizeof *f);
    if (f == NULL)
        return SOK_ENOMEM;
    f->n = n;
    int rc = n > 0 ? sok_counts_new(&f->seen) : 0;
    for (unsigned i = 0; i < n && rc == 0; i++)
        rc = sok_counts_new(&f->counts[i]);
    if (rc != 0) {
        sok_facets_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void sok_facets_free(struct sok_facets *f)
{
    if (f == NULL)
        return;
    for (unsigned i = 0; i < f->n; i++) {
        sok_counts_free(f->counts[i]);
        sok_counts_free(f->sample[i]);
        free(f->byid[i].c);
        free(f->byid_sample[i].c);
        sok_u64set_clear(&f->seen_ids[i]);
    }
    sok_counts_free(f->seen);
    sok_buf_free(&f->triple);
    free(f);
}

/* Whether (key, facet i, val) is new, recording it.  The key's length
 * comes first, so no two triples share an encoding; as four raw bytes,
 * not digits: this runs for every match a search examines, and printf
 * was half its cost. */
static int first_time(struct sok_facets *f, const char *key, size_t klen,
                      unsigned i, const char *val, size_t len, int *rc)
{
    uint32_t kl = (uint32_t)klen;
    sok_buf_reset(&f->triple);
    sok_buf_append(&f->triple, (const char *)&kl, sizeof kl, rc);
    sok_buf_append(&f->triple, key, klen, rc);
    sok_buf_putc(&f->triple, (char)('0' + i), rc);
    sok_buf_append(&f->triple, val, len, rc);
    if (*rc != 0 || sok_counts_get(f->seen, f->triple.p, f->triple.n) != 0)
        return 0;
    *rc = sok_counts_add(f->seen, f->triple.p, f->triple.n, 1);
    return *rc == 0;
}

static int copy_cb(void *ctx, const char *w, size_t len, uint64_t count)
{
    return sok_counts_add(ctx, w, len, count);
}

void sok_facets_sample(struct sok_facets *f, unsigned long n)
{
    f->sample_n = n;
}

unsigned long sok_facets_sample_end(const struct sok_facets *f)
{
    return f->sample_end;
}

/* One more match added, docid did: when it fills the sample, the sample
 * is the counts so far (a copy now costs nothing per match: a facet has
 * a handful of values). */
static int note_added(struct sok_facets *f, unsigned long did)
{
    int rc = 0;
    if (++f->added != f->sample_n)
        return 0;
    for (unsigned i = 0; i < f->n && rc == 0; i++) {
        struct idcounts *a = &f->byid[i], *b = &f->byid_sample[i];
        if ((rc = sok_counts_new(&f->sample[i])) == 0)
            rc = sok_counts_each(f->counts[i], copy_cb, f->sample[i]);
        if (rc == 0 && a->n > 0) {
            if ((b->c = malloc(a->n * sizeof *b->c)) == NULL)
                return SOK_ENOMEM;
            memcpy(b->c, a->c, a->n * sizeof *b->c);
            b->n = a->n;
        }
    }
    f->sample_end = did;
    return rc;
}

int sok_facets_add(struct sok_facets *f, unsigned long did,
                   const char *const *val, const size_t *len,
                   const char *key, size_t klen)
{
    int rc = 0;
    for (unsigned i = 0; i < f->n && rc == 0; i++) {
        if (len[i] == 0)
            continue;
        if (klen > 0 && !first_time(f, key, klen, i, val[i], len[i], &rc))
            continue;
        rc = sok_counts_add(f->counts[i], val[i], len[i], 1);
    }
    return rc != 0 ? rc : note_added(f, did);
}

/* Counts one more match with value id for a. */
static int idcounts_add(struct idcounts *a, uint32_t id)
{
    if (id >= a->n) {
        size_t n = (size_t)id + 1 > 2 * a->n ? (size_t)id + 1 : 2 * a->n;
        unsigned long *c = realloc(a->c, n * sizeof *c);
        if (c == NULL)
            return SOK_ENOMEM;
        memset(c + a->n, 0, (n - a->n) * sizeof *c);
        a->c = c;
        a->n = n;
    }
    a->c[id]++;
    return 0;
}

int sok_facets_add_ids(struct sok_facets *f, unsigned long did,
                       const uint32_t *vid, uint32_t key)
{
    int rc = 0, fresh = 1;
    for (unsigned i = 0; i < f->n && rc == 0; i++) {
        if (vid[i] == 0)
            continue;
        /* Mixed: the set probes from the low bits, which alone would
         * hold only the value id. */
        uint64_t pair = sok_u64set_mix((uint64_t)key << 32 | vid[i]);
        if (key != 0 &&
            ((rc = sok_u64set_add(&f->seen_ids[i], pair, &fresh)) != 0 ||
             !fresh))
            continue;
        rc = idcounts_add(&f->byid[i], vid[i]);
    }
    return rc != 0 ? rc : note_added(f, did);
}

/* Adds the counts by id of a to c, naming the ids through name. */
static int resolve(const struct idcounts *a, struct sok_counts *c,
                   sok_facets_name_fn name, const void *ctx)
{
    int rc = 0;
    for (size_t id = 1; id < a->n && rc == 0; id++)
        if (a->c[id] > 0) {
            size_t len = 0;
            const char *v = name(ctx, (uint32_t)id, &len);
            rc = len > 0 ? sok_counts_add(c, v, len, a->c[id]) : 0;
        }
    return rc;
}

int sok_facets_resolve(struct sok_facets *f, unsigned i,
                       sok_facets_name_fn name, const void *ctx)
{
    if (i >= f->n)
        return SOK_EINVAL;
    int rc = resolve(&f->byid[i], f->counts[i], name, ctx);
    if (rc == 0 && f->sample[i] != NULL)
        rc = resolve(&f->byid_sample[i], f->sample[i], name, ctx);
    return rc;
}

int sok_facets_add_count(struct sok_facets *f, unsigned i, const char *val,
                         size_t len, unsigned long n)
{
    if (i >= f->n)
        return SOK_EINVAL;
    return len > 0 && n > 0 ? sok_counts_add(f->counts[i], val, len, n) : 0;
}

struct entry {
    const char *w;
    size_t len;
    uint64_t count;
};

struct gather {
    struct entry *v;
    size_t n;
};

static int gather_cb(void *ctx, const char *w, size_t len, uint64_t count)
{
    struct gather *g = ctx;
    g->v[g->n].w = w;
    g->v[g->n].len = len;
    g->v[g->n].count = count;
    g->n++;
    return 0;
}

/* Count descending, then value in byte order (a prefix first). */
static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = memcmp(x->w, y->w, x->len < y->len ? x->len : y->len);
    if (c != 0)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* The counts of table c into out, as sok_facets_get() describes. */
static int get_counts(const struct sok_counts *c, struct sok_xfacet *out)
{
    size_t n = c != NULL ? sok_counts_size(c) : 0;
    struct gather g = { NULL, 0 };

    out->n = 0;
    out->counts = NULL;
    if (n == 0)
        return 0;
    g.v = malloc(n * sizeof *g.v);
    out->counts = calloc(n, sizeof *out->counts);
    if (g.v == NULL || out->counts == NULL) {
        free(g.v);
        return SOK_ENOMEM;
    }
    sok_counts_each(c, gather_cb, &g);
    qsort(g.v, g.n, sizeof *g.v, cmp_entry);
    for (size_t j = 0; j < g.n; j++) {
        char *v = malloc(g.v[j].len + 1);
        if (v == NULL)
            break;
        memcpy(v, g.v[j].w, g.v[j].len);
        v[g.v[j].len] = '\0';
        out->counts[j].value = v;
        out->counts[j].count = (unsigned long)g.v[j].count;
        out->n++;
    }
    free(g.v);
    return out->n == n ? 0 : SOK_ENOMEM;
}

int sok_facets_get(const struct sok_facets *f, unsigned i,
                   struct sok_xfacet *out)
{
    return get_counts(f->counts[i], out);
}

int sok_facets_get_sample(const struct sok_facets *f, unsigned i,
                          struct sok_xfacet *out)
{
    return get_counts(f->sample[i], out);
}
