/*
 * space: what an indexing run costs on disk, and giving back what a failed
 * run took.
 *
 * An incremental run writes into the live generation inside one Xapian
 * transaction.  Glass never overwrites a block that the committed revision
 * uses (which is why a kill leaves that revision intact), so a run that
 * fails, on a full disk above all, leaves the table files grown by every
 * block it wrote, and they never shrink: the disk stays full for everything
 * else on it (logs, the server's files) until space is freed.  All of those
 * blocks lie past the sizes the files had when the run began, and the
 * committed revision uses none of them, so cutting the files back to those
 * sizes gives the space back without touching the revision.  That is only
 * done while the revision on disk is still the one the run started from.
 */
#ifndef SOK_SPACE_H
#define SOK_SPACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sok_err.h"

struct sok_space_file {
    char *path;                 /* owned */
    off_t size;                 /* at the snapshot */
};

/* The files of one generation directory as a run found them. */
struct sok_space_snap {
    struct sok_space_file *v;   /* owned */
    size_t n;
    unsigned long rev;          /* the Xapian revision then */
    uint64_t bytes;             /* disk space the files took */
};

#define SOK_SPACE_SNAP_INIT { NULL, 0, 0, 0 }

/* Records the size of every regular file in the glass database directory
 * gen and its committed revision. */
int sok_space_snapshot(const char *gen, struct sok_space_snap *out,
                       struct sok_err *err);

/* Cuts every file of the snapshot that grew back to its recorded size,
 * when gen still holds the snapshot's revision (no writer may be open on
 * it).  Returns the bytes given back; 0 when the revision moved on (a run
 * that committed keeps what it wrote) or nothing had grown. */
uint64_t sok_space_restore(const char *gen, const struct sok_space_snap *s);

void sok_space_snap_free(struct sok_space_snap *s);

/* Disk space taken by the tree at path (allocated blocks, links not
 * followed); 0 when absent. */
uint64_t sok_space_tree(const char *path);

/* Bytes available to this process on the file system holding path;
 * UINT64_MAX when unknown. */
uint64_t sok_space_avail(const char *path);

/* bytes in words: "812 kB", "12.3 MB", "1.42 GB" (decimal units, as df -H). */
void sok_space_format(uint64_t bytes, char out[16]);

#endif /* SOK_SPACE_H */
