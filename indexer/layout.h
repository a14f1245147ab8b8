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
 */
#ifndef SOK_LAYOUT_H
#define SOK_LAYOUT_H

#include "sok_err.h"

struct sok_layout {
    char *dir;          /* owned: the --db directory */
    int lock_fd;        /* -1 when not locked */
    unsigned cur_gen;   /* generation the stub points at, 0 when none */
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

#endif /* SOK_LAYOUT_H */
