/*
 * engine: the per-thread search state.  Each worker thread owns one engine:
 * a Xapian reader and an analyzer, neither of which is thread-safe, so the
 * query path needs no lock.  The engine keeps the reader on the newest
 * committed revision and survives the index disappearing and coming back.
 */
#ifndef SOK_ENGINE_H
#define SOK_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "sok_err.h"
#include "sok_xapian.h"
#include "sok_analyze.h"
#include "vocab.h"

struct sok_spell_shared;        /* spell.h */
struct sok_zerolog;             /* zerolog.h */
struct sok_spell_rev;           /* spell.c */
struct sok_shards;              /* shards.h */

/* What every engine of a process shares, set once at start-up. */
struct sok_engine_opts {
    int plain;                  /* sok-server --plain: exact + stem only,
                                   without compound parts, edit tolerance,
                                   accent folding, corrections, joining of
                                   adjacent words and the proximity boost
                                   (for measuring what they buy) */
    struct sok_spell_shared *spell; /* borrowed, outlives the engines: the
                                   deletion index for edit-tolerant
                                   matches, built once for all of them;
                                   NULL: the engine makes its own */
    struct sok_vocab *vocab;    /* borrowed, outlives the engines: the
                                   staff's synonyms and best bets
                                   (vocab.h), read through
                                   sok_vocab_view(e); NULL: none */
    struct sok_zerolog *zerolog;    /* borrowed, outlives the engines: where
                                   searches that found nothing are
                                   counted for staff (zerolog.h); NULL:
                                   nowhere */
    struct sok_shards *shards;  /* borrowed, outlives the engines: the
                                   shards of --shards FILE, opened instead
                                   of the db path (shards.h); NULL: none */
};

#define SOK_ENGINE_OPTS_INIT { 0, NULL, NULL, NULL, NULL }

struct sok_engine {
    char *db;                   /* owned: the --db path */
    struct sok_engine_opts opts;    /* opts.spell: never NULL (spell_own
                                       when the caller gave none) */
    struct sok_xr *xr;          /* NULL while the index cannot be opened */
    struct sok_analyzer *an;    /* owned */
    unsigned long gen;          /* changes whenever the reader moves to
                                   another revision, is lost or reopened:
                                   what per-thread caches are tied to */
    struct sok_spell_shared *spell_own; /* owned, or NULL */
    struct sok_spell_rev *spell_rev;    /* the deletion index this engine
                                           holds a reference to (spell.c) */
    struct sok_vocab_view vocab;    /* the vocabulary snapshots this
                                       engine's requests use (vocab.c) */
    unsigned shard_epoch[64];   /* with opts.shards: what xr opened of
                                   each shard (shards.h) */
};

/* Creates an engine for the index at db and opens it; opts (NULL: the
 * defaults) is copied, opts->spell staying borrowed.  A failure to open
 * the index is reported (SOK_ENODB, ...) but *out is still set, with no
 * reader, so a caller may keep the engine and retry per request; only
 * SOK_ENOMEM or an analyzer failure leave *out NULL. */
int sok_engine_new(const char *db, const struct sok_engine_opts *opts,
                   struct sok_engine **out, struct sok_err *err);

/* Frees e; e may be NULL. */
void sok_engine_free(struct sok_engine *e);

/* Called at the start of each request: moves the reader to the latest
 * committed revision (following a stub swap), or reopens the index when
 * the reader was lost.  On failure the reader is dropped and the code
 * (SOK_ENODB, SOK_ECORRUPT, ...) returned; the next call tries again.  A
 * schema outside SOK_SCHEMA_OLDEST_READ..SOK_SCHEMA_VERSION is
 * SOK_ECORRUPT. */
int sok_engine_refresh(struct sok_engine *e, struct sok_err *err);

/* Opens a reader on db, or on the shards of opts->shards when set: how
 * an engine and the spelling builder open the index. */
int sok_engine_open_xr(const char *db, const struct sok_engine_opts *opts,
                       struct sok_xr **xr, struct sok_err *err);

/* With --shards: the shards e's reader has left out, as a mask (bit i:
 * shard i), telling the set of those it found failing (call after a
 * request's searching); 0 without shards. */
uint64_t sok_engine_missing(struct sok_engine *e);

/* Document count and revision of the open index (after a refresh).  The
 * revision is the indexer's run counter ("sok:revision" metadata) when the
 * index has one, else Xapian's revision. */
int sok_engine_stats(struct sok_engine *e, unsigned long *docs,
                     unsigned long *revision, struct sok_err *err);

/* The same for any reader xr (the spelling builder has its own). */
int sok_engine_reader_stats(struct sok_xr *xr, unsigned long *docs,
                            unsigned long *revision, struct sok_err *err);

/* Xapian's revision of the open reader (0 when there is none, or for a
 * database of several shards): with gen, identifies what it serves. */
unsigned long sok_engine_xrev(struct sok_engine *e);

/* Documents holding term prefix + t[0..len); 0 also on any error (callers
 * use it to compare candidates, where "unknown" is the safe answer). */
unsigned long sok_engine_termfreq(struct sok_engine *e, const char *prefix,
                                  const char *t, size_t len);

/* Documents holding a word with stem s[0..len): Z + s, plus the word s
 * itself, which carries no Z term (sok_terms.h).  A section holding both
 * counts twice: callers compare it with 0 or use it as a rough size. */
unsigned long sok_engine_stemfreq(struct sok_engine *e, const char *s,
                                  size_t len);

/* Whether some term of the index starts with p[0..len). */
int sok_engine_has_prefix(struct sok_engine *e, const char *p, size_t len);

/* Stem of the folded word w[0..len) into out (cap bytes); 0 when it has
 * none (or on error). */
size_t sok_engine_stem(struct sok_engine *e, const char *w, size_t len,
                       char *out, size_t cap);

/* The stored record of section id (16 hex digits), SOK_ENOTFOUND when
 * there is none.  *doc owned by the caller. */
int sok_engine_section(struct sok_engine *e, const char *id, json_t **doc,
                       struct sok_err *err);

#endif /* SOK_ENGINE_H */
