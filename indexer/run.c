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
 * previous sections are kept: bad input loses nothing.  A run that fails
 * gives back the space it took (space.h: what it wrote into the live
 * generation, or the new generation of a --full run), and on a full disk
 * says how much it needs.
 */
#include "run.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "full.h"
#include "incr.h"
#include "shardrun.h"
#include "layout.h"
#include "note.h"
#include "prepare.h"
#include "progress.h"
#include "urlmap.h"
#include "sok_analyze.h"
#include "sok_clock.h"
#include "sok_terms.h"
#include "sok_xapian.h"
#include "space.h"
#include "walk.h"

/* The bytes of the files of walk. */
static uint64_t walk_bytes(const struct sok_walk *walk)
{
    uint64_t n = 0;
    struct stat st;
    for (size_t i = 0; i < walk->n; i++)
        if (stat(walk->files[i].path, &st) == 0)
            n += (uint64_t)st.st_size;
    return n;
}

/* What a run knows of its disk space, for when it fails. */
struct run_space {
    uint64_t avail;               /* free when it began */
    struct sok_space_snap snap;   /* the live generation (incremental) */
    struct sok_full_cost cost;    /* a full build's, when that failed */
    uint64_t base;                /* full: the generation it replaces, or
                                     (the first run) an estimate of it */
    double done;                  /* incremental: share of the files done */
    int committing;               /* the final commit had begun */
};

/* Gives back what a run that committed nothing wrote: the new generation
 * of a full run (gpath) is removed, the live generation of an incremental
 * one cut back (space.h).  On a full disk err's message is replaced by
 * one saying how much space the run needs, from what it had written and
 * how far it had got, with a fifth more for what it cannot see: an
 * incremental run writes about half of its blocks while it reads the
 * files and the other half in its commit (Xapian holds the posting lists
 * till then); a full build writes its parts, then as much again in the
 * merge, and its parts hold little until they are closed, so what it
 * replaces (or, the first time, the bytes it reads) is the better guide. */
static void give_back(const char *db, const char *gpath, int fresh,
                      struct run_space *sp, struct sok_err *err)
{
    uint64_t need;
    char parts_dir[4096];
    snprintf(parts_dir, sizeof parts_dir, "%s.parts", gpath);
    if (fresh && sp->cost.parts_bytes == 0) {
        /* Still there when Xapian ended the process (on_fatal()). */
        sp->cost.parts_bytes = sok_space_tree(parts_dir);
        sp->cost.done = 1.0;
    }
    if (fresh) {
        double done = sp->cost.done < 0.05 ? 0.05 : sp->cost.done;
        double parts = (double)sp->cost.parts_bytes / done;
        double base = (double)sp->base;
        double tree = (double)sok_space_tree(gpath);
        need = (uint64_t)(2.4 * (parts > base ? parts : base));
        if (need < (uint64_t)(1.2 * tree))
            need = (uint64_t)(1.2 * tree);
    } else {
        uint64_t now = sok_space_tree(gpath);
        double share = sp->committing ? 0.5 : 0.5 * sp->done;
        need = (uint64_t)(1.2 * (double)(now > sp->snap.bytes
                                         ? now - sp->snap.bytes : 0) /
                          (share < 0.05 ? 0.05 : share));
    }
    if (fresh) {
        sok_layout_remove_tree(parts_dir);
        sok_layout_remove_tree(gpath);
    } else
        sok_space_restore(gpath, &sp->snap);
    if (err->code != SOK_ENOSPC || sp->avail == UINT64_MAX)
        return;
    if (need < sp->avail + (1u << 20))
        need = sp->avail + (1u << 20);
    char need_s[16], avail_s[16];
    sok_space_format(need, need_s);
    sok_space_format(sp->avail, avail_s);
    sok_err_clear(err);
    sok_err_set(err, SOK_ENOSPC, "no space left on the device holding %s: "
                "this run needs about %s free there and had %s; what it "
                "wrote has been removed", db, need_s, avail_s);
}

/* The run under way, for on_fatal(). */
static struct {
    const char *db, *gpath;
    int fresh;
    struct run_space *sp;
} live;

/* Xapian can end the process in std::terminate on a full disk
 * (sok_xapian_on_fatal()); the run still gives back what it wrote, says
 * so, and exits 3 as any index error does (CONTRACT.md).  The run is one
 * that committed nothing: the hook is set only around the writing. */
static void on_fatal(int code, const char *msg)
{
    struct sok_err err = SOK_ERR_INIT;
    sok_err_set(&err, code, "%s", msg);
    if (live.gpath)
        give_back(live.db, live.gpath, live.fresh, live.sp, &err);
    sok_note("%s (%s); nothing was committed", err.msg, sok_err_name(err.code));
    _exit(3);
}

int sok_run(const struct sok_run_opts *opts, struct sok_run_stats *st,
            struct sok_err *err)
{
    double t0 = sok_clock_us() / 1e6;
    memset(st, 0, sizeof *st);
    struct sok_walk walk;
    struct sok_layout lay = { NULL, -1, 0, 0 };
    struct run_space sp = { 0, SOK_SPACE_SNAP_INIT, { 0, 0 }, 0, 0, 0 };
    struct sok_xw *w = NULL;
    char *gpath = NULL;
    int fresh = 0, committed = 0;
    int rc = sok_walk_collect(opts->paths, opts->npaths, opts->follow_links,
                              opts->quiet, &walk, &st->failed, err);
    if (rc)
        return rc;
    st->skipped = walk.skipped;
    for (size_t i = 0; opts->urlmap != NULL && i < walk.n; i++)
        walk.files[i].url = sok_urlmap_lookup(opts->urlmap,
                                              walk.files[i].path);
    rc = sok_layout_open(opts->db, &lay, err);
    if (rc == 0)
        rc = sok_layout_prune(&lay, err);
    if (rc)
        goto out;
    if (opts->shards > 0 || lay.nshards > 0) {
        if (opts->shards > 0 && lay.nshards == 0 && lay.cur_gen > 0 &&
            !opts->full)
            rc = sok_err_set(err, SOK_EINVAL, "the index at %s is one "
                             "database: sharding it needs --full --shards "
                             "%u", opts->db, opts->shards);
        else
            rc = sok_shardrun(opts, &walk, &lay, st, err);
        goto out;
    }
    /* A full run, or the very first, builds a new generation aside. */
    fresh = opts->full || lay.cur_gen == 0;
    unsigned gen = fresh ? lay.cur_gen + 1 : lay.cur_gen;
    unsigned long rev_floor = 0;
    gpath = sok_layout_gen_path(&lay, gen);
    char *cur = sok_layout_gen_path(&lay, lay.cur_gen);
    if (gpath && cur && fresh && lay.cur_gen > 0) {
        rev_floor = sok_incr_gen_revision(cur);
        sp.base = sok_space_tree(cur);
    } else if (fresh) {
        /* A rough guide: an index of small files takes several times
         * their bytes (the generated corpus five), one of PDFs less. */
        sp.base = walk_bytes(&walk) * 4;
    }
    free(cur);
    if (gpath == NULL || cur == NULL) {
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
        goto out;
    }
    sp.avail = sok_space_avail(opts->db);
    live.db = opts->db;
    live.gpath = gpath;
    live.fresh = fresh;
    live.sp = &sp;
    sok_xapian_on_fatal(on_fatal);
    if (fresh) {
        rc = sok_full_build(opts, &walk, gpath, st, &sp.cost, err);
        /* The run's own records go in with one small commit on the merged
         * database, still before anything is published. */
        if (rc == 0)
            rc = sok_xw_open(gpath, SOK_XW_OPEN, &w, err);
        if (rc == 0)
            rc = sok_xw_begin(w, err);
    } else {
        rc = sok_space_snapshot(gpath, &sp.snap, err);
        if (rc == 0)
            rc = sok_xw_open(gpath, SOK_XW_OPEN, &w, err);
        if (rc == 0)
            rc = sok_xw_begin(w, err);
        if (rc == 0)
            rc = sok_incr_run(opts, &walk, w, st, &sp.done, err);
    }
    if (rc == 0)
        rc = sok_incr_bump_revision(w, rev_floor, err);
    if (rc == 0) {
        sp.committing = 1;
        /* The line a test watches for to kill a run inside its commit. */
        if (opts->verbose)
            fprintf(stderr, "sok-index: committing\n");
        rc = sok_xw_commit(w, err);
        committed = rc == 0 && !fresh;
    }
    if (rc == 0)
        rc = sok_xw_doccount(w, &st->sections, err);
    sok_xw_free(w);
    w = NULL;
    live.gpath = NULL;          /* past the writing: nothing to give back */
    if (rc == 0 && fresh)
        rc = sok_layout_publish(&lay, gen, err);
    committed |= fresh && lay.cur_gen == gen;
    if (rc == 0)
        rc = sok_layout_prune(&lay, err);
out:
    sok_xw_free(w);             /* cancels an open transaction */
    live.gpath = NULL;
    if (rc && !committed && gpath && lay.lock_fd >= 0 && lay.nshards == 0)
        give_back(opts->db, gpath, fresh, &sp, err);
    sok_space_snap_free(&sp.snap);
    free(gpath);
    sok_layout_close(&lay);
    sok_walk_free(&walk);
    st->seconds = sok_clock_us() / 1e6 - t0;
    return rc;
}
