/*
 * shardrun: a run over a sharded index.  See shardrun.h.
 *
 * Why each incremental run copies every shard before writing: Xapian 1.4
 * cannot open a named revision, and a shard committed in place would be
 * seen by its readers (xapian-tcpsrv above all) before the other shards
 * had committed, or, after a kill in between, for good: a set with some
 * shards at the new revision and some at the old.  Committing into copies
 * and publishing them with one rename keeps the published databases
 * read-only, at the cost of copying each shard once per run (a sequential
 * copy_file_range(), cheap next to indexing for the nightly runs this is
 * for).  Every shard gets the same generation number and revision, so the
 * set is one number.
 */
#include "shardrun.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "full.h"
#include "incr.h"
#include "note.h"
#include "prepare.h"
#include "sok_xapian.h"

unsigned sok_shardrun_pick(const char *key, unsigned nshards)
{
    char head[9];
    memcpy(head, key, 8);
    head[8] = '\0';
    return nshards ? (unsigned)(strtoul(head, NULL, 16) % nshards) : 0;
}

/* Copies the regular file src to dst (created), fsynced. */
static int copy_file(const char *src, const char *dst, struct sok_err *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    struct stat st;
    int rc = 0;
    if (in < 0 || out < 0 || fstat(in, &st) != 0)
        rc = -1;
    for (off_t left = rc ? 0 : st.st_size; left > 0;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
        if (n <= 0) {
            rc = -1;
            break;
        }
        left -= n;
    }
    if (rc == 0 && fsync(out) != 0)
        rc = -1;
    if (rc)
        rc = sok_err_set(err, errno == ENOSPC ? SOK_ENOSPC : SOK_EIO,
                         "cannot copy %s to %s: %s", src, dst,
                         strerror(errno));
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

/* Copies the glass database directory src into the new directory dst,
 * all but its lock file (no writer is open: the run lock is held). */
static int copy_db(const char *src, const char *dst, struct sok_err *err)
{
    if (mkdir(dst, 0755) != 0)
        return sok_err_set(err, errno == ENOSPC ? SOK_ENOSPC : SOK_EIO,
                           "cannot create %s: %s", dst, strerror(errno));
    DIR *d = opendir(src);
    if (d == NULL)
        return sok_err_set(err, SOK_ENODB, "cannot read the shard's "
                           "generation %s: %s", src, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char a[4096], b[4096];
        struct stat st;
        snprintf(a, sizeof a, "%s/%s", src, e->d_name);
        snprintf(b, sizeof b, "%s/%s", dst, e->d_name);
        if (strcmp(e->d_name, "flintlock") == 0 || lstat(a, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        rc = copy_file(a, b, err);
    }
    closedir(d);
    return rc;
}

/* The files of walk that go to shard k, as a walk sharing walk's roots
 * and file records: free only its files array. */
static int sub_walk(const struct sok_walk *walk, unsigned k, unsigned n,
                    struct sok_walk *out, struct sok_err *err)
{
    *out = *walk;
    out->n = 0;
    out->cap = 0;
    out->files = malloc((walk->n ? walk->n : 1) * sizeof *out->files);
    if (out->files == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    for (size_t i = 0; i < walk->n; i++) {
        char key[33];
        const char *p = walk->files[i].path;
        sok_prep_key(p, strlen(p), key);
        if (sok_shardrun_pick(key, n) == k)
            out->files[out->n++] = walk->files[i];
    }
    return 0;
}

static void add_stats(struct sok_run_stats *to, const struct sok_run_stats *s)
{
    to->added += s->added;
    to->updated += s->updated;
    to->deleted += s->deleted;
    to->unchanged += s->unchanged;
    to->failed += s->failed;
    to->docs += s->docs;
    to->sections += s->sections;
}

/* Writes shard k's generation gen of the run: a full build of its files,
 * or a copy of its current generation brought up to date, committed with
 * revision rev_floor + 1. */
static int write_shard(const struct sok_run_opts *opts,
                       const struct sok_walk *walk, struct sok_layout *lay,
                       unsigned k, unsigned n, int fresh, unsigned gen,
                       unsigned long rev_floor, struct sok_run_stats *st,
                       struct sok_err *err)
{
    struct sok_walk sub;
    struct sok_run_stats ss;
    struct sok_xw *w = NULL;
    double done = 0;
    memset(&ss, 0, sizeof ss);
    char *sd = sok_layout_shard_path(lay, k);
    char *gpath = sok_layout_shard_gen_path(lay, k, gen);
    char *cur = sok_layout_shard_gen_path(lay, k, lay->cur_gen);
    int rc = sd && gpath && cur ? 0 : sok_err_set(err, SOK_ENOMEM, NULL);
    if (rc == 0 && mkdir(sd, 0755) != 0 && errno != EEXIST)
        rc = sok_err_set(err, SOK_EIO, "cannot create the shard directory "
                         "%s: %s", sd, strerror(errno));
    if (rc == 0)
        rc = sub_walk(walk, k, n, &sub, err);
    else
        sub.files = NULL;
    if (rc == 0 && fresh)
        rc = sok_full_build(opts, &sub, gpath, &ss, NULL, err);
    else if (rc == 0)
        rc = copy_db(cur, gpath, err);
    if (rc == 0)
        rc = sok_xw_open(gpath, SOK_XW_OPEN, &w, err);
    if (rc == 0)
        rc = sok_xw_begin(w, err);
    if (rc == 0 && !fresh)
        rc = sok_incr_run(opts, &sub, w, &ss, &done, err);
    if (rc == 0)
        rc = sok_incr_bump_revision(w, rev_floor, err);
    if (rc == 0)
        rc = sok_xw_commit(w, err);
    if (rc == 0)
        rc = sok_xw_doccount(w, &ss.sections, err);
    sok_xw_free(w);
    if (rc == 0)
        add_stats(st, &ss);
    if (rc == 0 && opts->verbose)
        fprintf(stderr, "sok-index: shard %u of %u written (%lu files)\n",
                k, n, ss.docs);
    free(sub.files);
    free(sd);
    free(gpath);
    free(cur);
    return rc;
}

/* Removes generation gen (and its parts) of shards 0..n-1. */
static void remove_gen(const struct sok_layout *lay, unsigned n, unsigned gen)
{
    for (unsigned k = 0; k < n; k++) {
        char *g = sok_layout_shard_gen_path(lay, k, gen);
        char parts[4200];
        if (g == NULL)
            continue;
        snprintf(parts, sizeof parts, "%s.parts", g);
        sok_layout_remove_tree(parts);
        sok_layout_remove_tree(g);
        free(g);
    }
}

/* The run under way, for on_fatal(). */
static struct {
    const struct sok_layout *lay;
    unsigned n, gen;
} live;

/* As in run.c: Xapian may end the process on a full disk; what the run
 * wrote goes, and it exits 3 as any index error does. */
static void on_fatal(int code, const char *msg)
{
    if (live.lay)
        remove_gen(live.lay, live.n, live.gen);
    sok_note("%s (%s); nothing was committed", msg, sok_err_name(code));
    _exit(3);
}

int sok_shardrun(const struct sok_run_opts *opts, const struct sok_walk *walk,
                 struct sok_layout *lay, struct sok_run_stats *st,
                 struct sok_err *err)
{
    unsigned n = opts->shards ? opts->shards : lay->nshards;
    int fresh = opts->full || lay->nshards == 0;
    if (n == 0 || n > SOK_SHARDS_MAX)
        return sok_err_set(err, SOK_EINTERNAL, NULL);   /* main.c checks */
    if (!fresh && n != lay->nshards)
        return sok_err_set(err, SOK_EINVAL, "the index at %s has %u shards: "
                           "changing that re-partitions it, which needs "
                           "--full --shards %u", lay->dir, lay->nshards, n);
    if (!fresh && lay->cur_gen > 0) {
        /* A kill after the commit record but before the shards' own stubs
         * were rewritten left those a set behind. */
        int rc = sok_layout_sync_shards(lay, err);
        if (rc)
            return rc;
    }
    unsigned gen = lay->cur_gen + 1;
    unsigned long rev_floor =
        lay->cur_gen > 0 ? sok_incr_gen_revision(lay->dir) : 0;
    live.lay = lay;
    live.n = n;
    live.gen = gen;
    sok_xapian_on_fatal(on_fatal);
    remove_gen(lay, n, gen);
    int rc = 0;
    for (unsigned k = 0; k < n && rc == 0; k++)
        rc = write_shard(opts, walk, lay, k, n, fresh, gen, rev_floor, st,
                         err);
    live.lay = NULL;
    /* The line a test watches for to kill a run inside its commit. */
    if (rc == 0 && opts->verbose)
        fprintf(stderr, "sok-index: committing\n");
    if (rc == 0)
        rc = sok_layout_publish_set(lay, gen, n, err);
    if (rc && lay->cur_gen != gen)
        remove_gen(lay, n, gen);
    else if (rc == 0)
        rc = sok_layout_prune(lay, err);
    return rc;
}
