/*
 * full: a full build (--full, and the very first run) of every file of a
 * walk into a new generation, in parallel: worker threads write small part
 * databases under gen-N.parts/, merged by one Xapian compaction.  Nothing
 * of it is visible to readers until run.c publishes the generation.
 */
#ifndef SOK_FULL_H
#define SOK_FULL_H

#include <stdint.h>
#include "run.h"
#include "walk.h"

/* What a failed build had cost when it stopped, for the message on the
 * space a run needs. */
struct sok_full_cost {
    uint64_t parts_bytes;       /* bytes the parts held */
    double done;                /* share of the files prepared, 0..1 */
};

/* Builds every file of walk into a new database at gpath, counting into
 * st->added, st->failed and st->docs.  The parts directory is removed in
 * every case; on failure cost (may be NULL) is filled and the caller
 * removes gpath. */
int sok_full_build(const struct sok_run_opts *opts,
                   const struct sok_walk *walk, const char *gpath,
                   struct sok_run_stats *st, struct sok_full_cost *cost,
                   struct sok_err *err);

#endif /* SOK_FULL_H */
