/*
 * sok_stub: tells a reader that the stub file it opened through was
 * replaced.  A stub is a small file naming the database(s) Xapian opens
 * (the indexer's DIR/XAPIANDB); a `--full` rebuild renames a new one over
 * it, and Xapian's reopen() never looks at it again, so the shim asks here
 * whether to open afresh.  Plain C over stat(): no Xapian needed, so it
 * lives outside the shim (sok_xapian.cc), which is its only caller.
 */
#ifndef SOK_STUB_H
#define SOK_STUB_H

#include <limits.h>
#include <sys/types.h>
#include <time.h>

/* Identity of a stub file: a rename() over it gives a new inode, and an
 * in-place rewrite a new mtime. */
struct sok_stub_id {
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
};

/* Caller-owned, no resources: nothing to free.  The fixed buffer is enough
 * because stat() refuses any longer path (ENAMETOOLONG). */
struct sok_stub {
    char file[PATH_MAX];       /* the stub file; "" when there is none */
    struct sok_stub_id id;     /* its identity when last found or accepted */
};

#ifdef __cplusplus
extern "C" {
#endif

/* Fills st with the stub file that decides what path opens, and that
 * file's identity: path itself when it is not a directory; path/XAPIANDB
 * when path is a directory holding one and no glass database (Xapian
 * prefers the database); otherwise none (a database directory, whose own
 * revisions reopen() follows, or nothing at path).  Never fails: what
 * cannot be stat()ed is not a stub. */
void sok_stub_find(struct sok_stub *st, const char *path);

/* 1 when st's file is no longer the one recorded, with *now its current
 * identity; 0 when it is the same, when there is no stub, or when the file
 * cannot be stat()ed right now (say, deleted): that is not a swap, and the
 * open database stays in use. */
int sok_stub_swapped(const struct sok_stub *st, struct sok_stub_id *now);

/* Records now as st's identity: call once the swap has been acted on, so
 * that a failed reopen is tried again at the next check. */
void sok_stub_accept(struct sok_stub *st, const struct sok_stub_id *now);

#ifdef __cplusplus
}
#endif

#endif /* SOK_STUB_H */
