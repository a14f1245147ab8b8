/*
 * watch: a file the server reads again when it changes while it runs (the
 * staff's synonyms and best bets, vocab.h), and the immutable snapshots it
 * is parsed into.
 *
 * Readers never wait for a load and never lock while the file is
 * unchanged.  A snapshot is reference counted: the watch holds one
 * reference to the current one, and each reader (one per worker thread, in
 * its engine) holds one to the snapshot it uses.  A reader compares the
 * generation of its snapshot with the watch's (an atomic load); only when
 * they differ does it take a reference to the new one, under a mutex held
 * for that increment alone, and give its old one back.  A snapshot is
 * freed by whoever drops its last reference, so a request can keep using
 * the snapshot it started with while the file is replaced.
 *
 * Checking the file is a stat() of its path, done at most once per
 * SOK_WATCH_PERIOD_MS by whichever caller of sok_watch_poll() gets there
 * first; a change of device, inode, size or modification time (to the
 * nanosecond) makes that caller read and parse the file, while the others
 * carry on with the current snapshot.  A file that disappears is an empty
 * snapshot (said once on the diagnostic stream); one that cannot be read
 * keeps the current snapshot (said once).
 */
#ifndef SOK_WATCH_H
#define SOK_WATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include "sok_err.h"

#define SOK_WATCH_PERIOD_MS 1000
#define SOK_WATCH_MAX_BYTES (8u << 20)  /* a bigger file is refused */

/* The head of every snapshot (embed it first in the snapshot's struct). */
struct sok_snap {
    atomic_uint refs;
    unsigned long gen;          /* set by the watch */
    void (*free_fn)(struct sok_snap *s);
};

/* Sets up s with one reference (the caller's). */
void sok_snap_init(struct sok_snap *s, void (*free_fn)(struct sok_snap *));

/* Gives back one reference; the last one frees s.  s may be NULL. */
void sok_snap_release(struct sok_snap *s);

/* Parses a file's text[0..len) (not NUL-terminated; text NULL and len 0:
 * the file does not exist) into a new snapshot *out holding one
 * reference.  Problems with the text are the loader's to report on diag
 * (they are not failures); a failure (SOK_ENOMEM) keeps the current
 * snapshot. */
typedef int (*sok_watch_load_fn)(void *ctx, const char *path,
                                 const char *text, size_t len, FILE *diag,
                                 struct sok_snap **out,
                                 struct sok_err *err);

struct sok_watch;

/* Watches path (copied), loading it now with load(ctx, ...); what names
 * the file in messages ("synonyms").  diag NULL: stderr.  Fails with the
 * loader's failure or SOK_ENOMEM; a missing or unreadable file is not a
 * failure (an empty snapshot). */
int sok_watch_new(const char *path, const char *what, sok_watch_load_fn load,
                  void *ctx, FILE *diag, struct sok_watch **out,
                  struct sok_err *err);

/* Frees w and its reference to the current snapshot (readers may still
 * hold theirs).  w may be NULL. */
void sok_watch_free(struct sok_watch *w);

/* Checks the file when SOK_WATCH_PERIOD_MS have passed since the last
 * check (now_ms: sok_clock_us() / 1000) and no other thread is at it, and
 * reloads it when it changed.  Returns 1 when a new snapshot was made.
 * Any thread. */
int sok_watch_poll(struct sok_watch *w, long long now_ms);

/* The same now, whatever the clock, waiting for a load in progress (for
 * tests and start-up). */
int sok_watch_check(struct sok_watch *w);

/* The current snapshot for a reader that holds held (NULL: none yet):
 * held itself while it is current (no lock taken), else a new reference
 * to the current one, held's given back.  Never NULL. */
struct sok_snap *sok_watch_get(struct sok_watch *w, struct sok_snap *held);

/* Loads done so far, the first included (for tests). */
unsigned long sok_watch_loads(struct sok_watch *w);

#endif /* SOK_WATCH_H */
