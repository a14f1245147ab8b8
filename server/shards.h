/*
 * shards: the shards of sok-server --shards FILE, shared by every worker's
 * engine.  FILE holds one shard a line: a local database path, or
 * "remote HOST:PORT" for an xapian-tcpsrv ('#' starts a comment).  Each
 * engine has a reader of its own over all of them (sok_xr_open_shards);
 * what is shared here is each shard's state.  A reader that finds a shard
 * failing (a timeout or a lost connection) leaves it out, and after the
 * request the engine tells the set (sok_shards_note), so the other engines
 * leave it out too at their next request instead of each waiting for the
 * timeout.  A thread of the set's own probes every shard that is down every
 * SOK_SHARDS_PROBE_S seconds, off the request path, and every shard that is
 * up every SOK_SHARDS_CHECK_S seconds for a new generation (xapian-tcpsrv
 * opens a shard's stub once per connection, so only a new connection sees
 * a nightly run); either bumps the shard's epoch, and engines reconnect to
 * a shard whose epoch moved.
 */
#ifndef SOK_SHARDS_H
#define SOK_SHARDS_H

#include <stddef.h>
#include <stdint.h>
#include "sok_err.h"
#include "sok_xapian.h"

#define SOK_SHARDS_MAX 64
#define SOK_SHARDS_PROBE_S 5
#define SOK_SHARDS_CHECK_S 10
#define SOK_SHARD_TIMEOUT_DEF 2000   /* --shard-timeout MS */

struct sok_shards;

/* Reads FILE into *out (timeout_ms: every network step of a remote shard;
 * see sok_xr_open_shards).  SOK_EINVAL for a line that names no shard or
 * more than SOK_SHARDS_MAX of them (the message names the line), SOK_EIO
 * when FILE cannot be read.  Nothing is opened yet. */
int sok_shards_load(const char *file, unsigned timeout_ms,
                    struct sok_shards **out, struct sok_err *err);

/* Starts the probing thread.  SOK_EINTERNAL when it cannot start. */
int sok_shards_start(struct sok_shards *s, struct sok_err *err);

/* Stops the thread and frees s (NULL: nothing); only once no engine uses
 * it. */
void sok_shards_free(struct sok_shards *s);

size_t sok_shards_count(const struct sok_shards *s);
/* The line that named shard i ("remote 10.0.0.5:7001", a path). */
const char *sok_shards_name(const struct sok_shards *s, size_t i);
/* 1 when shard i is up, as far as the set knows; *since (may be NULL)
 * gets the time (CLOCK_REALTIME seconds) it last changed state. */
int sok_shards_up(const struct sok_shards *s, size_t i, double *since);

/* Opens a reader over every shard the set holds up; epoch (count
 * entries) records what it opened, for sok_shards_sync. */
int sok_shards_open(struct sok_shards *s, struct sok_xr **out,
                    unsigned *epoch, struct sok_err *err);

/* Before a request: leaves out of xr the shards the set holds down, takes
 * back those that are up again, and reconnects those whose epoch moved.
 * Returns 1 when xr changed. */
int sok_shards_sync(struct sok_shards *s, struct sok_xr *xr,
                    unsigned *epoch);

/* After a request: the shards xr left out although the set held them up
 * (still at the epoch xr opened) are marked down, said on stderr.
 * Returns the mask of the shards xr left out (bit i: shard i). */
uint64_t sok_shards_note(struct sok_shards *s, struct sok_xr *xr,
                         const unsigned *epoch);

#endif /* SOK_SHARDS_H */
