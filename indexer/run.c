/*
 * run: one indexing run.  See run.h.
 *
 * The index remembers, per source file, the hash of its bytes (metadata
 * "sok:file:<filekey>").  A run walks the PATHs, skips files whose hash is
 * unchanged, replaces the sections of changed files (deleting by the file's
 * F term first, so sections that no longer exist go too), adds new files,
 * and deletes files under the PATHs that have vanished.  All of it happens
 * inside one Xapian transaction: a kill at any moment leaves the previous
 * revision.  A file that fails to parse is counted and named, and its
 * previous sections are kept: bad input loses nothing.
 */
#include "run.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "build.h"
#include "layout.h"
#include "sok_clock.h"
#include "progress.h"
#include "urlmap.h"
#include "sok_analyze.h"
#include "sok_doc.h"
#include "sok_terms.h"
#include "sok_xapian.h"
#include "walk.h"

/* Larger files are refused rather than read whole into memory. */
#define MAX_FILE_BYTES (256u * 1024 * 1024)

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

static void hex128(const void *data, size_t len, char out[33])
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

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

struct spell_ctx {
    struct sok_xw *w;
    struct sok_err *err;
    unsigned slice, nslices;      /* write only this share of the words */
};

static int spell_cb(void *vctx, const char *word, size_t len, uint64_t n)
{
    struct spell_ctx *c = vctx;
    if (c->nslices > 1 && XXH3_64bits(word, len) % c->nslices != c->slice)
        return 0;
    /* Xapian takes a 32-bit increment; a word summed over a huge build can
     * pass that. */
    while (n > 0) {
        unsigned inc = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
        int rc = sok_xw_add_spelling(c->w, word, len, inc, c->err);
        if (rc)
            return rc;
        n -= inc;
    }
    return 0;
}

/* Adds every word of words to w's spelling dictionary. */
static int write_spelling(struct sok_xw *w, const struct sok_counts *words,
                          struct sok_err *err)
{
    struct spell_ctx c = { w, err, 0, 1 };
    return sok_counts_each(words, spell_cb, &c);
}

/* Writes one prepared file: its sections and its spelling words, unless
 * this is a part of a full build (fresh: the sections are known to be new;
 * the caller collects the spelling words itself). */
static int write_prepared(struct sok_xw *w, const struct sok_prepared *p,
                          int fresh, struct sok_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++)
        rc = fresh ? sok_xw_add_new(w, p->uterms[i], p->docs[i], err)
                   : sok_xw_replace(w, p->uterms[i], p->docs[i], err);
    if (rc == 0 && !fresh)
        rc = write_spelling(w, p->spell, err);
    return rc;
}

static int delete_file(struct sok_xw *w, const char *key, struct sok_err *err)
{
    char term[64], meta[64];
    snprintf(term, sizeof term, SOK_PREFIX_FILE "%s", key);
    snprintf(meta, sizeof meta, SOK_META_FILE "%s", key);
    int rc = sok_xw_delete_term(w, term, 1, err);
    if (rc == 0)
        rc = sok_xw_set_metadata(w, meta, "", 0, err);
    return rc;
}

/* One file on its way into the index. */
struct file_job {
    char key[33];                 /* filekey of the path */
    char hash[33];                /* content hash */
    struct sok_prepared *prep;    /* owned; NULL when skipped or failed */
    enum { JOB_CHANGED, JOB_UNCHANGED, JOB_FAILED } state;
};

/* The number environment variable name holds, clamped to [lo, hi]; dflt
 * when it is unset or empty. */
static unsigned env_uint(const char *name, unsigned dflt, unsigned lo,
                         unsigned hi)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return dflt;
    unsigned long n = strtoul(v, NULL, 10);
    return n < lo ? lo : n > hi ? hi : (unsigned)n;
}

/* Reads, hashes, parses and analyses one file (job->key already set); touches no database, so
 * several threads can prepare files at once.  old_hash (may be NULL) is the
 * hash the index holds: an equal hash skips the work.  Returns 0 when the
 * file was handled (including JOB_FAILED, named on stderr), an error code
 * when the run must stop. */
static int prepare_file(struct sok_analyzer *a, const struct sok_walk_file *wf,
                        const char *old_hash, int quiet, struct file_job *job,
                        struct sok_err *err)
{
    job->prep = NULL;
    job->state = JOB_FAILED;

    struct sok_err ferr = SOK_ERR_INIT;
    char *data = NULL;
    size_t len = 0;
    if (sok_doc_read_file(wf->path, MAX_FILE_BYTES, &data, &len, &ferr) != 0) {
        fprintf(stderr, "sok-index: failed: %s\n", ferr.msg);
        return 0;
    }
    /* The folder's type override and the schema are part of what was
     * indexed: changing a .sok-type, or upgrading sok, re-indexes. */
    XXH3_state_t *hs = XXH3_createState();
    if (hs == NULL) {
        free(data);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    XXH3_128bits_reset(hs);
    XXH3_128bits_update(hs, data, len);
    char tag[16];
    snprintf(tag, sizeof tag, "\n%d %d", (int)wf->type, SOK_SCHEMA_VERSION);
    XXH3_128bits_update(hs, tag, strlen(tag));
    if (wf->url != NULL)        /* a new --url-map re-indexes */
        XXH3_128bits_update(hs, wf->url, strlen(wf->url));
    XXH128_hash_t h = XXH3_128bits_digest(hs);
    XXH3_freeState(hs);
    snprintf(job->hash, sizeof job->hash, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);

    if (old_hash && strcmp(old_hash, job->hash) == 0) {
        free(data);
        job->state = JOB_UNCHANGED;
        return 0;
    }

    struct sok_doc_opts o = SOK_DOC_OPTS_INIT;
    o.type_override = wf->type;
    struct sok_document *doc = NULL;
    enum sok_format fmt = sok_format_from_path(wf->path);
    if (fmt == SOK_FMT_PDF)   /* 0: the default limit a PDF tool gets */
        o.pdf_timeout_s = env_uint("SOK_PDF_TIMEOUT", 0, 0, 3600);
    int prc = fmt == SOK_FMT_PDF
        ? sok_doc_load(wf->path, &o, &doc, &ferr)
        : sok_doc_parse(wf->path, data, len, fmt, &o, &doc, &ferr);
    free(data);
    if (prc != 0) {
        fprintf(stderr, "sok-index: failed: %s: %s\n", wf->path, ferr.msg);
        return 0;   /* the file's previous sections, if any, stay */
    }
    if (doc->url == NULL && wf->url != NULL)
        doc->url = strdup(wf->url);     /* out of memory: /doc/<id> */
    if (doc->repaired_bytes && !quiet)
        fprintf(stderr, "sok-index: %s: repaired %zu bytes of invalid UTF-8\n",
                wf->path, doc->repaired_bytes);
    int rc = sok_build_document(a, doc, job->key, &job->prep, err);
    sok_doc_free(doc);
    if (rc == 0)
        job->state = JOB_CHANGED;
    return rc;
}

/* Writes a prepared file and its "sok:file:" record; replace deletes the
 * file's previous sections first.  fresh: see write_prepared(). */
static int write_file(struct sok_xw *w, const struct sok_walk_file *wf,
                      const struct file_job *job, int replace, int fresh,
                      struct sok_err *err)
{
    int rc = replace ? delete_file(w, job->key, err) : 0;
    if (rc == 0)
        rc = write_prepared(w, job->prep, fresh, err);
    if (rc)
        return rc;
    char meta[64];
    snprintf(meta, sizeof meta, SOK_META_FILE "%s", job->key);
    size_t vlen = strlen(job->hash) + strlen(wf->path) + 32;
    char *val = malloc(vlen);
    if (val == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    snprintf(val, vlen, "%s\t%zu\t%s", job->hash, job->prep->n, wf->path);
    rc = sok_xw_set_metadata(w, meta, val, strlen(val), err);
    free(val);
    return rc;
}

/* Indexes one file in an incremental run. */
static int index_file(struct sok_xw *w, struct sok_analyzer *a,
                      const struct sok_walk_file *wf, struct known_set *ks,
                      int quiet, struct sok_run_stats *st,
                      struct sok_err *err)
{
    struct file_job job;
    hex128(wf->path, strlen(wf->path), job.key);
    struct known *k = find_known(ks, job.key);
    if (k)
        k->seen = 1;
    int rc = prepare_file(a, wf, k ? k->hash : NULL, quiet, &job, err);
    if (rc == 0 && job.state == JOB_CHANGED)
        rc = write_file(w, wf, &job, k != NULL, 0, err);
    sok_prepared_free(job.prep);
    if (rc)
        return rc;
    switch (job.state) {
    case JOB_UNCHANGED: st->unchanged++; break;
    case JOB_FAILED: st->failed++; break;
    case JOB_CHANGED: if (k) st->updated++; else st->added++; break;
    }
    return 0;
}

/* ------------------------------------------------------------ full build */

/*
 * A full build (and the very first run) is written in parallel: each worker
 * thread prepares files and writes them into small "part" databases, which
 * are merged into the new generation by one Xapian compaction at the end.
 * Xapian's write cost grows with the size of the database being updated
 * (its in-memory maps of every term of the uncommitted changes, then the
 * B-tree): small parts plus one sequential merge is much cheaper than
 * growing one database, and the parts use every core.  A part is closed
 * after PART_POSTINGS term entries (about 400 of the synthetic corpus's
 * 400-word documents: smaller parts make Xapian's maps cheaper, more parts
 * make the merge dearer; README, "Choices") or PART_SECTIONS sections,
 * whichever comes first.
 * Everything lives in DIR/gen-N.parts/ until the merge, and nothing is
 * visible until the stub is swapped, so the all-or-nothing guarantee holds.
 */
#define PART_POSTINGS_DEFAULT 300000
#define PART_SECTIONS_DEFAULT 20000
#define MAX_THREADS 16

struct full_ctx {
    const struct sok_walk *walk;
    const char *parts_dir;
    int quiet;
    unsigned part_sections;
    unsigned part_postings;
    atomic_size_t next_file;      /* work queue: next walk index */
    atomic_size_t done;           /* files finished, for the progress bar */
    atomic_uint next_part;        /* part number allocator */
    atomic_int stop;              /* set by a failing worker */
    pthread_mutex_t mu;           /* guards err and the part list */
    struct sok_err err;           /* first error of any worker */
    char **parts;                 /* committed part paths */
    size_t nparts, capparts;
};

struct worker {
    struct full_ctx *c;
    pthread_t tid;
    size_t added, failed;
    struct sok_counts *spell;     /* owned: the spelling words written */
};

static int add_part(struct full_ctx *c, char *path)
{
    pthread_mutex_lock(&c->mu);
    int rc = 0;
    if (c->nparts == c->capparts) {
        size_t cap = c->capparts ? c->capparts * 2 : 64;
        char **v = realloc(c->parts, cap * sizeof *v);
        if (v == NULL)
            rc = SOK_ENOMEM;
        else {
            c->parts = v;
            c->capparts = cap;
        }
    }
    if (rc == 0)
        c->parts[c->nparts++] = path;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* Commits and closes the worker's open part, if any. */
static int close_part(struct full_ctx *c, struct sok_xw **w, char **path,
                      struct sok_err *err)
{
    if (*w == NULL)
        return 0;
    int rc = sok_xw_commit(*w, err);
    sok_xw_free(*w);
    *w = NULL;
    if (rc == 0) {
        rc = add_part(c, *path);
        if (rc)
            sok_err_set(err, rc, NULL);
        else
            *path = NULL;
    }
    free(*path);
    *path = NULL;
    return rc;
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct full_ctx *c = wk->c;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_analyzer *a = NULL;
    struct sok_xw *w = NULL;
    char *path = NULL;
    unsigned in_part = 0;
    size_t in_part_postings = 0;
    int rc = sok_analyzer_new_cached(&a, SOK_ANALYZER_CACHE_LARGE, &err);
    while (rc == 0 && !atomic_load(&c->stop)) {
        size_t i = atomic_fetch_add(&c->next_file, 1);
        if (i >= c->walk->n)
            break;
        const struct sok_walk_file *wf = &c->walk->files[i];
        struct file_job job;
        hex128(wf->path, strlen(wf->path), job.key);
        rc = prepare_file(a, wf, NULL, c->quiet, &job, &err);
        if (rc == 0 && job.state == JOB_CHANGED) {
            if (w == NULL) {
                char name[32];
                snprintf(name, sizeof name, "/part-%06u",
                         atomic_fetch_add(&c->next_part, 1));
                size_t n = strlen(c->parts_dir) + sizeof name;
                path = malloc(n);
                if (path == NULL)
                    rc = sok_err_set(&err, SOK_ENOMEM, NULL);
                else
                    snprintf(path, n, "%s%s", c->parts_dir, name);
                if (rc == 0)
                    rc = sok_xw_open(path, SOK_XW_SCRATCH, &w, &err);
                if (rc == 0)
                    rc = sok_xw_begin(w, &err);
                in_part = 0;
                in_part_postings = 0;
            }
            if (rc == 0)
                rc = write_file(w, wf, &job, 0, 1, &err);
            if (rc == 0 && sok_counts_merge(wk->spell, job.prep->spell) != 0)
                rc = sok_err_set(&err, SOK_ENOMEM, NULL);
            in_part += (unsigned)job.prep->n;
            in_part_postings += job.prep->nterms;
            if (rc == 0 && (in_part >= c->part_sections ||
                            in_part_postings >= c->part_postings))
                rc = close_part(c, &w, &path, &err);
            wk->added++;
        } else if (rc == 0 && job.state == JOB_FAILED) {
            wk->failed++;
        }
        sok_prepared_free(job.prep);
        atomic_fetch_add(&c->done, 1);
    }
    if (rc == 0)
        rc = close_part(c, &w, &path, &err);
    sok_xw_free(w);
    free(path);
    sok_analyzer_free(a);
    if (rc) {
        atomic_store(&c->stop, 1);
        pthread_mutex_lock(&c->mu);
        sok_err_set(&c->err, err.code, "%s", err.msg);
        pthread_mutex_unlock(&c->mu);
    }
    return NULL;
}

/* The spelling words of the whole build go into parts of their own, which
 * hold no documents: each word's trigrams are then added once, not once per
 * part.  The words are split between threads by hash, so the slices share
 * no word and the cores share the work. */
struct spell_job {
    struct full_ctx *c;
    const struct sok_counts *words;
    unsigned slice, nslices;
    pthread_t tid;
    int rc;
    struct sok_err err;
};

static void *spelling_slice(void *arg)
{
    struct spell_job *j = arg;
    struct full_ctx *c = j->c;
    size_t n = strlen(c->parts_dir) + 32;
    char *path = malloc(n);
    if (path == NULL) {
        j->rc = sok_err_set(&j->err, SOK_ENOMEM, NULL);
        return NULL;
    }
    snprintf(path, n, "%s/spelling-%u", c->parts_dir, j->slice);
    struct sok_xw *w = NULL;
    int rc = sok_xw_open(path, SOK_XW_SCRATCH, &w, &j->err);
    if (rc == 0)
        rc = sok_xw_begin(w, &j->err);
    if (rc == 0) {
        struct spell_ctx sc = { w, &j->err, j->slice, j->nslices };
        rc = sok_counts_each(j->words, spell_cb, &sc);
    }
    if (rc == 0)
        rc = close_part(c, &w, &path, &j->err);
    sok_xw_free(w);
    free(path);
    j->rc = rc;
    return NULL;
}

static int spelling_parts(struct full_ctx *c, const struct sok_counts *words,
                          unsigned nthreads, struct sok_err *err)
{
    if (sok_counts_size(words) == 0)
        return 0;
    struct spell_job jobs[MAX_THREADS];
    unsigned started = 0;
    int rc = 0;
    for (unsigned i = 0; i < nthreads; i++) {
        jobs[i] = (struct spell_job){ c, words, i, nthreads, 0, 0, SOK_ERR_INIT };
        if (i + 1 == nthreads)
            spelling_slice(&jobs[i]);         /* the last one here */
        else if (pthread_create(&jobs[i].tid, NULL, spelling_slice, &jobs[i]) != 0) {
            rc = sok_err_set(err, SOK_EINTERNAL,
                             "cannot start a spelling thread");
            break;
        } else
            started++;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(jobs[i].tid, NULL);
    for (unsigned i = 0; i < nthreads && rc == 0; i++)
        if (jobs[i].rc)
            rc = sok_err_set(err, jobs[i].rc, "%s", jobs[i].err.msg);
    return rc;
}

/* Builds every file of the walk into a new database at gpath. */
static int full_build(const struct sok_run_opts *opts,
                      const struct sok_walk *walk, const char *gpath,
                      struct sok_run_stats *st, struct sok_err *err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nthreads = env_uint("SOK_INDEX_THREADS",
                                 ncpu > 0 ? (unsigned)ncpu : 1, 1, MAX_THREADS);
    if (nthreads > walk->n)
        nthreads = walk->n ? (unsigned)walk->n : 1;
    size_t plen = strlen(gpath) + 8;
    char *parts_dir = malloc(plen);
    if (parts_dir == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    snprintf(parts_dir, plen, "%s.parts", gpath);
    sok_layout_remove_tree(parts_dir);
    if (mkdir(parts_dir, 0755) != 0) {
        int rc = sok_err_set(err, SOK_EIO,
                             "cannot create the parts directory %s: %s",
                             parts_dir, strerror(errno));
        free(parts_dir);
        return rc;
    }

    struct full_ctx c;
    memset(&c, 0, sizeof c);
    c.walk = walk;
    c.parts_dir = parts_dir;
    c.quiet = opts->quiet;
    c.part_postings = env_uint("SOK_PART_POSTINGS", PART_POSTINGS_DEFAULT, 1,
                               1u << 30);
    c.part_sections = env_uint("SOK_PART_SECTIONS", PART_SECTIONS_DEFAULT, 1,
                               1u << 30);
    atomic_init(&c.next_file, 0);
    atomic_init(&c.done, 0);
    atomic_init(&c.next_part, 0);
    atomic_init(&c.stop, 0);
    pthread_mutex_init(&c.mu, NULL);

    sok_doc_init();
    double t0 = sok_clock_us() / 1e6;
    struct worker wk[MAX_THREADS];
    memset(wk, 0, sizeof wk);
    unsigned started = 0;
    int rc = 0;
    for (; started < nthreads; started++) {
        wk[started].c = &c;
        if (sok_counts_new(&wk[started].spell) != 0) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
            atomic_store(&c.stop, 1);
            break;
        }
        if (pthread_create(&wk[started].tid, NULL, worker_main, &wk[started]) != 0) {
            rc = sok_err_set(err, SOK_EINTERNAL,
                             "cannot start an indexing thread");
            atomic_store(&c.stop, 1);
            break;
        }
    }
    struct sok_progress prog;
    sok_progress_init(&prog, "indexing", walk->n, opts->quiet);
    while (started && atomic_load(&c.done) < walk->n && !atomic_load(&c.stop)) {
        sok_progress_update(&prog, atomic_load(&c.done));
        usleep(100000);
    }
    for (unsigned i = 0; i < started; i++) {
        pthread_join(wk[i].tid, NULL);
        st->added += wk[i].added;
        st->failed += wk[i].failed;
    }
    sok_progress_update(&prog, atomic_load(&c.done));
    sok_progress_done(&prog);
    if (rc == 0 && c.err.code)
        rc = sok_err_set(err, c.err.code, "%s", c.err.msg);
    double t = sok_clock_us() / 1e6;
    if (opts->verbose)
        fprintf(stderr, "sok-index: %zu files prepared and written into %zu "
                "parts by %u threads in %.2f s\n", walk->n, c.nparts, started,
                t - t0);
    for (unsigned i = 1; i < started && rc == 0; i++)
        if (sok_counts_merge(wk[0].spell, wk[i].spell) != 0)
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
    if (rc == 0 && started)
        rc = spelling_parts(&c, wk[0].spell, started, err);
    if (rc == 0 && opts->verbose && started)
        fprintf(stderr, "sok-index: %zu spelling words written in %.2f s\n",
                sok_counts_size(wk[0].spell), sok_clock_us() / 1e6 - t);
    for (unsigned i = 0; i < MAX_THREADS; i++)
        sok_counts_free(wk[i].spell);

    if (rc == 0) {
        t = sok_clock_us() / 1e6;
        if (prog.enabled)
            fprintf(stderr, "merging %zu parts...\r", c.nparts);
        if (c.nparts > 0) {
            rc = sok_xapian_compact((const char *const *)c.parts, c.nparts,
                                    gpath, err);
        } else {
            struct sok_xw *w = NULL;      /* nothing indexed: an empty db */
            rc = sok_xw_open(gpath, SOK_XW_CREATE, &w, err);
            if (rc == 0)
                rc = sok_xw_begin(w, err);
            if (rc == 0)
                rc = sok_xw_commit(w, err);
            sok_xw_free(w);
        }
        if (prog.enabled)
            fprintf(stderr, "%40s\r", "");
        if (rc == 0 && opts->verbose)
            fprintf(stderr, "sok-index: %zu parts merged in %.2f s\n",
                    c.nparts, sok_clock_us() / 1e6 - t);
    }
    for (size_t i = 0; i < c.nparts; i++)
        free(c.parts[i]);
    free(c.parts);
    pthread_mutex_destroy(&c.mu);
    sok_layout_remove_tree(parts_dir);
    free(parts_dir);
    st->docs = st->added;
    return rc;
}

static int bump_revision(struct sok_xw *w, struct sok_err *err)
{
    char *val = NULL;
    size_t len = 0;
    int rc = sok_xw_get_metadata(w, SOK_META_REVISION, &val, &len, err);
    if (rc)
        return rc;
    unsigned long rev = strtoul(val, NULL, 10) + 1;
    free(val);
    char buf[32];
    snprintf(buf, sizeof buf, "%lu", rev);
    rc = sok_xw_set_metadata(w, SOK_META_REVISION, buf, strlen(buf), err);
    snprintf(buf, sizeof buf, "%d", SOK_SCHEMA_VERSION);
    if (rc == 0)
        rc = sok_xw_set_metadata(w, SOK_META_SCHEMA, buf, strlen(buf), err);
    return rc;
}

int sok_run(const struct sok_run_opts *opts, struct sok_run_stats *st,
            struct sok_err *err)
{
    double t0 = sok_clock_us() / 1e6;
    memset(st, 0, sizeof *st);
    struct sok_walk walk;
    struct sok_layout lay = { NULL, -1, 0 };
    struct known_set ks = { 0, 0, NULL };
    struct sok_xw *w = NULL;
    struct sok_analyzer *a = NULL;
    char *gpath = NULL;
    int rc = sok_walk_collect(opts->paths, opts->npaths, opts->follow_links,
                              opts->quiet, &walk, &st->failed, err);
    if (rc)
        return rc;
    st->skipped = walk.skipped;
    for (size_t i = 0; opts->urlmap != NULL && i < walk.n; i++)
        walk.files[i].url = sok_urlmap_lookup(opts->urlmap,
                                              walk.files[i].path);
    rc = sok_layout_open(opts->db, &lay, err);
    if (rc)
        goto out;
    rc = sok_layout_prune(&lay, err);
    if (rc)
        goto out;
    /* A full run, or the very first, builds a new generation aside. */
    int fresh = opts->full || lay.cur_gen == 0;
    unsigned gen = fresh ? lay.cur_gen + 1 : lay.cur_gen;
    gpath = sok_layout_gen_path(&lay, gen);
    if (gpath == NULL) {
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
        goto out;
    }
    if (fresh) {
        rc = full_build(opts, &walk, gpath, st, err);
        /* The run's own records go in with one small commit on the merged
         * database, still before anything is published. */
        if (rc == 0)
            rc = sok_xw_open(gpath, SOK_XW_OPEN, &w, err);
        if (rc == 0)
            rc = sok_xw_begin(w, err);
    } else {
        rc = sok_xw_open(gpath, SOK_XW_OPEN, &w, err);
        if (rc == 0)
            rc = sok_xw_begin(w, err);
        if (rc == 0) {
            rc = sok_xw_metadata_walk(w, SOK_META_FILE, load_known, &ks, err);
            if (rc > 0)
                rc = sok_err_set(err, SOK_ENOMEM, NULL);
            qsort(ks.v, ks.n, sizeof *ks.v, cmp_known);
        }
        if (rc == 0)
            rc = sok_analyzer_new(&a, err);
        struct sok_progress prog;
        sok_progress_init(&prog, "indexing", walk.n, opts->quiet);
        for (size_t i = 0; i < walk.n && rc == 0; i++) {
            rc = index_file(w, a, &walk.files[i], &ks, opts->quiet, st, err);
            sok_progress_update(&prog, i + 1);
        }
        sok_progress_done(&prog);
        unsigned long docs = 0;
        for (size_t i = 0; i < ks.n && rc == 0; i++) {
            struct known *k = &ks.v[i];
            if (k->seen || !sok_walk_covers(&walk, k->path)) {
                docs++;
                continue;
            }
            rc = delete_file(w, k->key, err);
            st->deleted++;
        }
        st->docs = docs + st->added;
    }
    if (rc == 0)
        rc = bump_revision(w, err);
    if (rc == 0)
        rc = sok_xw_commit(w, err);
    if (rc == 0)
        rc = sok_xw_doccount(w, &st->sections, err);
    sok_xw_free(w);
    w = NULL;
    if (rc == 0 && fresh)
        rc = sok_layout_publish(&lay, gen, err);
    if (rc == 0)
        rc = sok_layout_prune(&lay, err);
out:
    sok_xw_free(w);
    sok_analyzer_free(a);
    free(gpath);
    free_known(&ks);
    sok_layout_close(&lay);
    sok_walk_free(&walk);
    st->seconds = sok_clock_us() / 1e6 - t0;
    return rc;
}
