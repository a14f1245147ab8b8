/*
 * shardrun: a run over a sharded index (sok-index --shards N).  Every file
 * goes to the shard a stable hash of its path names; each run writes a new
 * generation of every shard and commits them together by renaming one stub
 * that names the set (layout.h), so a kill at any moment leaves the old set
 * or the new one, whole.
 */
#ifndef SOK_SHARDRUN_H
#define SOK_SHARDRUN_H

#include "layout.h"
#include "run.h"
#include "walk.h"

#define SOK_SHARDS_MAX 64

/* The shard (0..nshards-1) a file with filekey key (32 hex digits) goes
 * to: its first 32 bits modulo nshards, stable across runs and machines. */
unsigned sok_shardrun_pick(const char *key, unsigned nshards);

/* Runs once over lay (open and locked by the caller, pruned) with the
 * files of walk, into opts->shards shards (0: as many as the index has).
 * Returns as sok_run() does; changing the number of shards needs --full
 * (SOK_EINVAL otherwise).  On failure nothing was published and what the
 * run wrote has been removed. */
int sok_shardrun(const struct sok_run_opts *opts, const struct sok_walk *walk,
                 struct sok_layout *lay, struct sok_run_stats *st,
                 struct sok_err *err);

#endif /* SOK_SHARDRUN_H */
