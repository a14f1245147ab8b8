/*
 * layout: the on-disk shape of an index directory (--db DIR).
 *
 *   DIR/XAPIANDB      Xapian stub file: "auto gen-NNNNNN".  Readers open DIR
 *                     and Xapian follows the stub, so DIR can later name
 *                     several shards or remote databases without readers
 *                     changing.
 *   DIR/gen-NNNNNN/   a glass database, one per full build.
 *   DIR/sok.lock      flock()ed for the whole of a run: one writer at a time,
 *                     including a --full build that writes a new generation.
 *
 * An incremental run commits into the current generation inside one Xapian
 * transaction.  A --full run builds gen-(N+1) aside and then renames a new
 * stub over XAPIANDB: rename() is atomic, so readers see the old index or the
 * new one, never a half-built one, and a crash before the rename leaves only
 * an unreferenced directory that the next run removes.
 *
 * A sharded index (sok-index --shards N) holds one database per shard, and
 * every run, incremental or full, writes a new generation of each:
 *
 *   DIR/XAPIANDB              "auto shard-0/gen-N" ... one line per shard:
 *                             the commit record, renamed into place
 *                             atomically, naming the set a reader opens.
 *   DIR/shard-K/gen-N/        shard K's glass database of set N.
 *   DIR/shard-K/XAPIANDB      "auto gen-N": what `xapian-tcpsrv DIR/shard-K`
 *                             opens; rewritten after DIR/XAPIANDB.
 *
 * An incremental run copies each shard's generation and commits into the
 * copy (shardrun.c says why), so no shard's published database is ever
 * written to and a kill leaves the old set whole.
 */
#ifndef SOK_LAYOUT_H
#define SOK_LAYOUT_H

#include "sok_err.h"

struct sok_layout {
    char *dir;          /* owned: the --db directory */
    int lock_fd;        /* -1 when not locked */
    unsigned cur_gen;   /* generation the stub points at, 0 when none */
    unsigned nshards;   /* shards of a sharded index, 0 for one database */
};

/* Creates DIR if needed and takes the run lock without waiting.
 * SOK_ELOCKED when another run holds it; SOK_EIO for anything else. */
int sok_layout_open(const char *dir, struct sok_layout *out,
                    struct sok_err *err);

/* Releases the lock and memory.  l may be NULL. */
void sok_layout_close(struct sok_layout *l);

/* Path of generation gen, malloc()ed. */
char *sok_layout_gen_path(const struct sok_layout *l, unsigned gen);

/* Removes generation directories other than the current one and the one
 * before it (a reader may still be finishing a request on that). */
int sok_layout_prune(const struct sok_layout *l, struct sok_err *err);

/* Removes the directory tree at path (absent is fine); -1 with errno on
 * failure.  Does not follow symbolic links. */
int sok_layout_remove_tree(const char *path);

/* Points the stub at gen: writes XAPIANDB.tmp, fsyncs it, renames it over
 * XAPIANDB and fsyncs DIR. */
int sok_layout_publish(struct sok_layout *l, unsigned gen,
                       struct sok_err *err);

/* DIR/shard-K and DIR/shard-K/gen-NNNNNN, malloc()ed. */
char *sok_layout_shard_path(const struct sok_layout *l, unsigned shard);
char *sok_layout_shard_gen_path(const struct sok_layout *l, unsigned shard,
                                unsigned gen);

/* Commits a sharded run: writes the stub naming shard-0/gen-N ..
 * shard-(nshards-1)/gen-N as XAPIANDB.tmp, fsyncs, renames it over
 * XAPIANDB and fsyncs DIR (the commit point), then points each shard's own
 * stub at gen-N (sok_layout_sync_shards). */
int sok_layout_publish_set(struct sok_layout *l, unsigned gen,
                           unsigned nshards, struct sok_err *err);

/* Points every DIR/shard-K/XAPIANDB at the set's generation: they follow
 * DIR/XAPIANDB, and a kill between the two renames leaves them behind
 * until the next run calls this. */
int sok_layout_sync_shards(const struct sok_layout *l, struct sok_err *err);

#endif /* SOK_LAYOUT_H */
