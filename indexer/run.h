/*
 * run: one sok-index run — walk the PATHs, compare every file's content
 * hash with what the index holds, re-index changed and new files with all
 * their sections, delete vanished ones, and commit the whole run as one
 * revision (or, with --full, build a new generation aside and swap it in).
 * Nothing is visible to readers until the single commit or swap at the end.
 */
#ifndef SOK_RUN_H
#define SOK_RUN_H

#include <stddef.h>
#include "sok_err.h"

struct sok_urlmap;

struct sok_run_opts {
    const char *db;                 /* --db DIR */
    int full;                       /* --full */
    unsigned shards;                /* --shards N; 0: as the index has
                                       (one database when unsharded) */
    int quiet;                      /* --quiet: no progress, no notes */
    int verbose;                    /* --verbose: phases and their times */
    int follow_links;               /* --follow-links: links out of the
                                       PATHs and to folders too */
    const struct sok_urlmap *urlmap;    /* --url-map; NULL: none */
    const char *const *paths;
    size_t npaths;
};

struct sok_run_stats {
    size_t added, updated, deleted, unchanged, failed;
    size_t skipped;                 /* links not followed (walk.h) */
    unsigned long docs;             /* files in the index after the run */
    unsigned long sections;         /* Xapian documents after the run */
    double seconds;
};

/* Runs once.  Returns 0, or: SOK_ENOTFOUND/SOK_EINVAL for a bad PATH (a
 * usage error), SOK_ELOCKED when another run holds the index, anything else
 * for an index or I/O error — in every error case nothing was committed. */
int sok_run(const struct sok_run_opts *opts, struct sok_run_stats *st,
            struct sok_err *err);

#endif /* SOK_RUN_H */
