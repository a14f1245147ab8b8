/*
 * incr: the incremental part of a run.  See incr.h.
 */
#include "incr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "prepare.h"
#include "progress.h"
#include "sok_analyze.h"
#include "sok_terms.h"

/* One file the index already holds. */
struct known {
    char key[33];        /* filekey */
    char hash[33];       /* content hash */
    char *path;          /* owned */
    int seen;            /* present in this run's walk */
};

struct known_set {
    size_t n, cap;
    struct known *v;     /* sorted by key once loaded */
};

static int load_known(void *vctx, const char *key, const char *val, size_t vlen)
{
    struct known_set *ks = vctx;
    if (vlen == 0)
        return 0;
    if (ks->n == ks->cap) {
        size_t cap = ks->cap ? ks->cap * 2 : 256;
        struct known *v = realloc(ks->v, cap * sizeof *v);
        if (v == NULL)
            return SOK_ENOMEM;
        ks->v = v;
        ks->cap = cap;
    }
    struct known *k = &ks->v[ks->n];
    memset(k, 0, sizeof *k);
    snprintf(k->key, sizeof k->key, "%s", key + strlen(SOK_META_FILE));
    /* value: "hash\tnsections\tpath" */
    const char *t1 = memchr(val, '\t', vlen);
    const char *t2 = t1 ? memchr(t1 + 1, '\t', vlen - (size_t)(t1 + 1 - val)) : NULL;
    if (t1 == NULL || t2 == NULL)
        return 0;                       /* not ours: ignore */
    snprintf(k->hash, sizeof k->hash, "%.*s", (int)(t1 - val), val);
    k->path = strndup(t2 + 1, vlen - (size_t)(t2 + 1 - val));
    if (k->path == NULL)
        return SOK_ENOMEM;
    ks->n++;
    return 0;
}

static int cmp_known(const void *a, const void *b)
{
    return strcmp(((const struct known *)a)->key, ((const struct known *)b)->key);
}

static struct known *find_known(struct known_set *ks, const char *key)
{
    struct known probe;
    snprintf(probe.key, sizeof probe.key, "%s", key);
    return ks->n ? bsearch(&probe, ks->v, ks->n, sizeof *ks->v, cmp_known) : NULL;
}

static void free_known(struct known_set *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        free(ks->v[i].path);
    free(ks->v);
}

/* Indexes one file in an incremental run. */
static int index_file(struct sok_xw *w, struct sok_analyzer *a,
                      const struct sok_walk_file *wf, struct known_set *ks,
                      int quiet, struct sok_run_stats *st,
                      struct sok_err *err)
{
    struct sok_file_job job;
    sok_prep_key(wf->path, strlen(wf->path), job.key);
    struct known *k = find_known(ks, job.key);
    if (k)
        k->seen = 1;
    int rc = sok_prep_file(a, wf, k ? k->hash : NULL, quiet, &job, err);
    if (rc == 0 && job.state == SOK_JOB_CHANGED)
        rc = sok_prep_write(w, wf, &job, k != NULL, 0, err);
    sok_prepared_free(job.prep);
    if (rc)
        return rc;
    switch (job.state) {
    case SOK_JOB_UNCHANGED: st->unchanged++; break;
    case SOK_JOB_FAILED: st->failed++; break;
    case SOK_JOB_CHANGED: if (k) st->updated++; else st->added++; break;
    }
    return 0;
}

/* The revision the generation at path holds; 0 when it holds none or
 * cannot be read (a --full run may be what repairs it). */
unsigned long sok_incr_gen_revision(const char *path)
{
    struct sok_err ignore = SOK_ERR_INIT;
    struct sok_xr *r = NULL;
    char *val = NULL;
    size_t len = 0;
    unsigned long rev = 0;
    if (sok_xr_open(path, &r, &ignore) == 0 &&
        sok_xr_get_metadata(r, SOK_META_REVISION, &val, &len, &ignore) == 0)
        rev = strtoul(val ? val : "0", NULL, 10);
    free(val);
    sok_xr_free(r);
    return rev;
}

/* Sets the run's revision: one past the larger of what w holds and rev_floor
 * (the revision of the generation a --full build replaces), so revisions
 * only grow and a monitor never sees one go back. */
int sok_incr_bump_revision(struct sok_xw *w, unsigned long rev_floor,
                           struct sok_err *err)
{
    char *val = NULL;
    size_t len = 0;
    int rc = sok_xw_get_metadata(w, SOK_META_REVISION, &val, &len, err);
    if (rc)
        return rc;
    unsigned long rev = strtoul(val ? val : "0", NULL, 10);
    rev = (rev > rev_floor ? rev : rev_floor) + 1;
    free(val);
    char buf[32];
    snprintf(buf, sizeof buf, "%lu", rev);
    rc = sok_xw_set_metadata(w, SOK_META_REVISION, buf, strlen(buf), err);
    snprintf(buf, sizeof buf, "%d", SOK_SCHEMA_VERSION);
    if (rc == 0)
        rc = sok_xw_set_metadata(w, SOK_META_SCHEMA, buf, strlen(buf), err);
    return rc;
}

/* The incremental part of a run: every file of the walk indexed into w
 * (open, in a transaction), the files the index holds that vanished from
 * under the PATHs deleted.  *done follows the share of the files done. */
int sok_incr_run(const struct sok_run_opts *opts, const struct sok_walk *walk,
                 struct sok_xw *w, struct sok_run_stats *st, double *done,
                 struct sok_err *err)
{
    struct known_set ks = { 0, 0, NULL };
    struct sok_analyzer *a = NULL;
    int rc = sok_xw_metadata_walk(w, SOK_META_FILE, load_known, &ks, err);
    if (rc > 0)
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
    qsort(ks.v, ks.n, sizeof *ks.v, cmp_known);
    if (rc == 0)
        rc = sok_analyzer_new(&a, err);
    struct sok_progress prog;
    sok_progress_init(&prog, "indexing", walk->n, opts->quiet);
    for (size_t i = 0; i < walk->n && rc == 0; i++) {
        rc = index_file(w, a, &walk->files[i], &ks, opts->quiet, st, err);
        sok_progress_update(&prog, i + 1);
        *done = (double)(i + 1) / (double)walk->n;
    }
    sok_progress_done(&prog);
    unsigned long docs = 0;
    for (size_t i = 0; i < ks.n && rc == 0; i++) {
        struct known *k = &ks.v[i];
        if (k->seen || !sok_walk_covers(walk, k->path)) {
            docs++;
            continue;
        }
        rc = sok_prep_delete(w, k->key, err);
        st->deleted++;
    }
    st->docs = docs + st->added;
    sok_analyzer_free(a);
    free_known(&ks);
    return rc;
}

