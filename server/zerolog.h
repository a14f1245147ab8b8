/*
 * zerolog: the searches that found nothing, kept for the site's staff (the
 * words people use that the site does not).  One table for the whole
 * process, shared by every worker thread under a mutex: only a search that
 * found nothing touches it, and then for a lookup in a fixed table.
 *
 * What is kept of a search is its query, normalised (NFC + case folding,
 * runs of white space made one space, cut to SOK_ZEROLOG_KEY_MAX bytes),
 * how often it was made on each of the last SOK_ZEROLOG_DAYS days, in all,
 * and the first and last day (UTC) it was made: never an address, a time of
 * day or anything else about the person.  A query that looks like it holds
 * something personal (an '@', or six digits or more in one run, spaces and
 * dashes between them included: a personal identity number, a phone
 * number) is not kept at all.
 *
 * The table is bounded: SOK_ZEROLOG_ENTRIES queries (a fixed allocation).
 * A new query in a full table takes the place of the least valuable one:
 * the fewest searches in the window, then the longest unseen, then the
 * fewest in all.  Counts are never inherited by the newcomer, so every
 * count shown is one that really happened (a query evicted and seen again
 * starts from one).
 *
 * With a file (sok-server --zero-log FILE) the table is read back at start
 * (a file that is not one is said on the diagnostic stream and ignored, to
 * be replaced at the next save) and saved every SOK_ZEROLOG_SAVE_S seconds
 * when it changed, by a thread of its own, and when freed: written to
 * FILE.tmp, flushed to disk, renamed over FILE.
 */
#ifndef SOK_ZEROLOG_H
#define SOK_ZEROLOG_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include "sok_err.h"

#define SOK_ZEROLOG_ENTRIES 1000    /* queries kept (the default) */
#define SOK_ZEROLOG_KEY_MAX 200     /* bytes of a normalised query */
#define SOK_ZEROLOG_DAYS    30      /* the window staff see */
#define SOK_ZEROLOG_SAVE_S  60      /* seconds between saves (the default) */

struct sok_zerolog;

struct sok_zerolog_cfg {
    const char *path;       /* NULL: in memory only */
    size_t entries;         /* 0: SOK_ZEROLOG_ENTRIES */
    unsigned save_s;        /* 0: SOK_ZEROLOG_SAVE_S */
    FILE *diag;             /* NULL: stderr */
};

#define SOK_ZEROLOG_CFG_INIT { NULL, 0, 0, NULL }

/* Creates the table, reads cfg->path back when it exists (see above: a bad
 * file is never an error) and starts the saving thread.  Fails only with
 * SOK_ENOMEM or when the thread cannot be started.  cfg->path is copied. */
int sok_zerolog_new(const struct sok_zerolog_cfg *cfg,
                    struct sok_zerolog **out, struct sok_err *err);

/* Stops the saving thread, saves a last time when anything changed, frees
 * z.  z may be NULL.  Only once no thread notes into z any more. */
void sok_zerolog_free(struct sok_zerolog *z);

/* Counts one search for q[0..len) (valid UTF-8, as typed) that found
 * nothing, at wall-clock time now.  z may be NULL (nothing is kept).  A
 * query empty once normalised, or holding something personal (see above),
 * is not kept.  Safe from any thread; never fails (out of memory, the
 * search is simply not kept). */
void sok_zerolog_note(struct sok_zerolog *z, const char *q, size_t len,
                      time_t now);

/* The key q[0..len) is kept under, into out (cap bytes, NUL-terminated;
 * at least SOK_ZEROLOG_KEY_MAX + 1): its length, 0 when it is empty or
 * not to be kept. */
size_t sok_zerolog_key(const char *q, size_t len, char *out, size_t cap);

/* One kept query, as staff see it. */
struct sok_zerolog_row {
    char query[SOK_ZEROLOG_KEY_MAX + 1];
    unsigned long count;    /* searches in the SOK_ZEROLOG_DAYS days up to
                               and including now's */
    unsigned long total;    /* since first_day */
    long first_day, last_day;   /* days since 1970-01-01, UTC */
};

/* The queries searched in the window ending on now's day (count > 0), most
 * searched first (then last seen latest, then by bytes), at most max of
 * them (0: all), into *rows (malloc()ed, caller frees; NULL when *n is
 * 0).  z may be NULL (no rows).  SOK_ENOMEM is the only failure. */
int sok_zerolog_top(struct sok_zerolog *z, time_t now, size_t max,
                    struct sok_zerolog_row **rows, size_t *n,
                    struct sok_err *err);

/* Writes the table to its file now (atomically, see above); 0 without a
 * file.  SOK_EIO (with the reason) when it cannot. */
int sok_zerolog_save(struct sok_zerolog *z, struct sok_err *err);

/* "YYYY-MM-DD" of day (days since 1970-01-01) into out (11 bytes). */
void sok_zerolog_date(long day, char out[11]);

#endif /* SOK_ZEROLOG_H */
