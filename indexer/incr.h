/*
 * incr: the incremental part of a run over one database — every file of a
 * walk compared by content hash with what the database holds, changed and
 * new files re-indexed, vanished ones deleted — and the run's revision
 * record.  Shared by the single-database run (run.c) and the sharded one
 * (shardrun.c), which calls it once per shard with that shard's files.
 */
#ifndef SOK_INCR_H
#define SOK_INCR_H

#include "run.h"
#include "sok_err.h"
#include "sok_xapian.h"
#include "walk.h"

/* Indexes every file of walk into w (open, in a transaction) and deletes
 * the files w holds that vanished from under the walk's roots.  Counts
 * into st; *done follows the share of the files done. */
int sok_incr_run(const struct sok_run_opts *opts, const struct sok_walk *walk,
                 struct sok_xw *w, struct sok_run_stats *st, double *done,
                 struct sok_err *err);

/* The run counter ("sok:revision") of the database at path; 0 when it holds
 * none or cannot be read (a --full run may be what repairs it). */
unsigned long sok_incr_gen_revision(const char *path);

/* Sets the run's revision in w: one past the larger of what w holds and
 * rev_floor, so revisions only grow; also records the schema version. */
int sok_incr_bump_revision(struct sok_xw *w, unsigned long rev_floor,
                           struct sok_err *err);

#endif /* SOK_INCR_H */
