/*
 * full: the parallel build of a new generation.  See full.h.
 *
 * A full build (and the very first run) is written in parallel: each worker
 * thread prepares files and writes them into small "part" databases, which
 * are merged into the new generation by one Xapian compaction at the end.
 * Xapian's write cost grows with the size of the database being updated
 * (its in-memory maps of every term of the uncommitted changes, then the
 * B-tree): small parts plus one sequential merge is much cheaper than
 * growing one database, and the parts use every core.  A part is closed
 * after PART_POSTINGS term entries (about 4,000 of the synthetic corpus's
 * 400-word documents) or PART_SECTIONS sections, whichever comes first.
 * Smaller parts make Xapian's maps cheaper, but the compaction keeps every
 * part's postlist chunk of a term as a chunk of its own (it never joins
 * them), so each part adds a B-tree entry per term it holds: 253 parts made
 * syn100k's postlist table 479 MB, 26 parts 263 MB (README, "Choices").
 * Everything lives in DIR/gen-N.parts/ until the merge, and nothing is
 * visible until the stub is swapped, so the all-or-nothing guarantee holds.
 */
#include "full.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "prepare.h"
#include "progress.h"
#include "sok_clock.h"
#include "sok_counts.h"
#include "sok_doc.h"
#include "space.h"

#define PART_POSTINGS_DEFAULT 3000000
#define PART_SECTIONS_DEFAULT 20000
#define MAX_THREADS 16
#define FLUSH_THRESHOLD "20"

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
        struct sok_file_job job;
        sok_prep_key(wf->path, strlen(wf->path), job.key);
        rc = sok_prep_file(a, wf, NULL, c->quiet, &job, &err);
        if (rc == 0 && job.state == SOK_JOB_CHANGED) {
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
                rc = sok_prep_write(w, wf, &job, 0, 1, &err);
            if (rc == 0 && sok_counts_merge(wk->spell, job.prep->spell) != 0)
                rc = sok_err_set(&err, SOK_ENOMEM, NULL);
            in_part += (unsigned)job.prep->n;
            in_part_postings += job.prep->nterms;
            if (rc == 0 && (in_part >= c->part_sections ||
                            in_part_postings >= c->part_postings))
                rc = close_part(c, &w, &path, &err);
            wk->added++;
        } else if (rc == 0 && job.state == SOK_JOB_FAILED) {
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
        struct sok_spell_ctx sc = { w, &j->err, j->slice, j->nslices };
        rc = sok_counts_each(j->words, sok_prep_spell_cb, &sc);
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

/* Merges the parts into the new generation at gpath (an empty database
 * when nothing was indexed). */
static int merge_parts(struct full_ctx *c, const char *gpath, int verbose,
                       int progress, struct sok_err *err)
{
    double t = sok_clock_us() / 1e6;
    if (progress)
        fprintf(stderr, "merging %zu parts...\r", c->nparts);
    /* The line a test watches for to kill a run inside its merge. */
    if (verbose)
        fprintf(stderr, "sok-index: merging %zu parts\n", c->nparts);
    int rc;
    if (c->nparts > 0) {
        rc = sok_xapian_compact((const char *const *)c->parts, c->nparts,
                                gpath, err);
    } else {
        struct sok_xw *w = NULL;
        rc = sok_xw_open(gpath, SOK_XW_CREATE, &w, err);
        if (rc == 0)
            rc = sok_xw_begin(w, err);
        if (rc == 0)
            rc = sok_xw_commit(w, err);
        sok_xw_free(w);
    }
    if (progress)
        fprintf(stderr, "%40s\r", "");
    if (rc == 0 && verbose)
        fprintf(stderr, "sok-index: %zu parts merged in %.2f s\n",
                c->nparts, sok_clock_us() / 1e6 - t);
    return rc;
}

int sok_full_build(const struct sok_run_opts *opts,
                   const struct sok_walk *walk, const char *gpath,
                   struct sok_run_stats *st, struct sok_full_cost *cost,
                   struct sok_err *err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nthreads = sok_env_uint("SOK_INDEX_THREADS",
                                     ncpu > 0 ? (unsigned)ncpu : 1, 1,
                                     MAX_THREADS);
    if (nthreads > walk->n)
        nthreads = walk->n ? (unsigned)walk->n : 1;
    size_t plen = strlen(gpath) + 8;
    char *parts_dir = malloc(plen);
    if (parts_dir == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    snprintf(parts_dir, plen, "%s.parts", gpath);
    sok_layout_remove_tree(parts_dir);
    if (mkdir(parts_dir, 0755) != 0) {
        int rc = sok_err_set(err, errno == ENOSPC ? SOK_ENOSPC : SOK_EIO,
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
    c.part_postings = sok_env_uint("SOK_PART_POSTINGS", PART_POSTINGS_DEFAULT,
                                   1, 1u << 30);
    c.part_sections = sok_env_uint("SOK_PART_SECTIONS", PART_SECTIONS_DEFAULT,
                                   1, 1u << 30);
    atomic_init(&c.next_file, 0);
    atomic_init(&c.done, 0);
    atomic_init(&c.next_part, 0);
    atomic_init(&c.stop, 0);
    pthread_mutex_init(&c.mu, NULL);

    sok_doc_init();
    /* Xapian flushes a writer's in-memory changes every N documents
     * (10,000 by default).  A part's changes are held in std::maps whose
     * cost grows with their size; flushing every 20 documents keeps them
     * small and cut a syn100k build's CPU by about a quarter.  The user's
     * own setting wins, and incremental runs keep Xapian's default. */
    int set_flush = getenv("XAPIAN_FLUSH_THRESHOLD") == NULL &&
                    setenv("XAPIAN_FLUSH_THRESHOLD", FLUSH_THRESHOLD, 1) == 0;
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
    if (set_flush)
        unsetenv("XAPIAN_FLUSH_THRESHOLD");
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

    if (rc == 0)
        rc = merge_parts(&c, gpath, opts->verbose, prog.enabled, err);
    if (rc != 0 && cost != NULL) {
        /* What the run had written, and how far it had got, before the
         * parts go: what sok_run() tells of the space a run needs. */
        cost->parts_bytes = sok_space_tree(parts_dir);
        cost->done = walk->n ? (double)atomic_load(&c.done) / (double)walk->n
                             : 1.0;
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
