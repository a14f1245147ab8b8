/*
 * sok_xapian: a thin C interface over xapian-core 1.4.  This header is pure
 * C; sok_xapian.cc is the only C++ file in sok and the only file that
 * includes a Xapian header.  Every object is an opaque handle created and
 * freed here; memory never crosses the boundary in the other direction:
 * strings handed out are malloc()ed copies the caller free()s (or a result
 * object with its own _free).  Every function catches every C++ exception
 * and returns a negative SOK_E* code with the exception's message copied
 * into the caller's struct sok_err.
 *
 * Exception mapping: DatabaseLockError -> SOK_ELOCKED,
 * DatabaseOpeningError / DatabaseNotFoundError -> SOK_ENODB,
 * DatabaseCorruptError -> SOK_ECORRUPT, QueryParserError / invalid query
 * -> SOK_EQUERY, DatabaseModifiedError -> SOK_EMODIFIED (readers first
 * reopen and retry once inside the shim), std::bad_alloc -> SOK_ENOMEM,
 * a write that failed for want of space -> SOK_ENOSPC, anything else ->
 * SOK_EXAPIAN.
 */
#ifndef SOK_XAPIAN_H
#define SOK_XAPIAN_H

#include <stddef.h>
#include "sok_err.h"

/* The shim's definitions are noexcept (every body catches everything); C++
 * needs the declarations to say so too, C never sees it. */
#ifdef __cplusplus
#define SOK_NOEXCEPT noexcept
extern "C" {
#else
#define SOK_NOEXCEPT
#endif

/* ---------------------------------------------------------------- stemmer */

struct sok_stemmer;

/* language: a Snowball name such as "swedish". */
int sok_stemmer_new(const char *language, struct sok_stemmer **out,
                    struct sok_err *err) SOK_NOEXCEPT;
void sok_stemmer_free(struct sok_stemmer *st) SOK_NOEXCEPT;

/* Stems word[0..len) (already case folded) into out (cap bytes, NUL
 * terminated).  Returns the stem's length, or a negative code; a stem that
 * does not fit gives SOK_ERANGE.  Not thread-safe per stemmer: use one
 * stemmer per thread. */
int sok_stemmer_stem(struct sok_stemmer *st, const char *word, size_t len,
                     char *out, size_t cap, struct sok_err *err) SOK_NOEXCEPT;

/* --------------------------------------------------------------- document */

struct sok_xdoc;   /* a Xapian::Document being built */

int sok_xdoc_new(struct sok_xdoc **out, struct sok_err *err) SOK_NOEXCEPT;
void sok_xdoc_free(struct sok_xdoc *doc) SOK_NOEXCEPT;

/* Adds term at position pos (1-based) with wdf increment wdfinc.  In all
 * the term functions an empty term is SOK_EINVAL. */
int sok_xdoc_add_posting(struct sok_xdoc *doc, const char *term, size_t len,
                         unsigned pos, unsigned wdfinc,
                         struct sok_err *err) SOK_NOEXCEPT;
/* Adds term without a position. */
int sok_xdoc_add_term(struct sok_xdoc *doc, const char *term, size_t len,
                      unsigned wdfinc, struct sok_err *err) SOK_NOEXCEPT;
/* Adds a boolean term (wdf 0). */
int sok_xdoc_add_boolean(struct sok_xdoc *doc, const char *term, size_t len,
                         struct sok_err *err) SOK_NOEXCEPT;
/* An empty value clears the slot. */
int sok_xdoc_set_value(struct sok_xdoc *doc, unsigned slot, const char *val,
                       size_t len, struct sok_err *err) SOK_NOEXCEPT;
int sok_xdoc_set_data(struct sok_xdoc *doc, const char *data, size_t len,
                      struct sok_err *err) SOK_NOEXCEPT;

/* ----------------------------------------------------------------- writer */

struct sok_xw;

enum sok_xw_mode {
    SOK_XW_OPEN = 1,        /* open an existing database (creating it if absent) */
    SOK_XW_CREATE = 2,      /* create a new empty database, overwriting any */
    SOK_XW_SCRATCH = 3,     /* as SOK_XW_CREATE, for an intermediate database
                               that is thrown away after a crash anyway (a
                               part of a full build): commits skip fsync */
};
/* SOK_XW_CREATE empties an existing database at open, outside any
 * transaction: readers see it empty at once, and freeing the writer does
 * not bring the old contents back.  For a rebuild that must not disturb
 * readers, create a new directory and swap a stub (see sok_xr_refresh). */

/* Opens a glass database at path for writing, taking Xapian's single-writer
 * lock (SOK_ELOCKED if another writer holds it).  Nothing is committed until
 * sok_xw_commit(); sok_xw_free() without a commit discards the changes. */
int sok_xw_open(const char *path, enum sok_xw_mode mode, struct sok_xw **out,
                struct sok_err *err) SOK_NOEXCEPT;

/* Discards uncommitted changes and releases the lock.  w may be NULL. */
void sok_xw_free(struct sok_xw *w) SOK_NOEXCEPT;

/* Starts the all-or-nothing run (a flushed transaction).  Must be called
 * before any change: every changing function below returns SOK_EINVAL
 * outside a transaction (that is what lets sok_xw_free() discard work).
 * After sok_xw_commit() a new sok_xw_begin() starts the next run.  Reads
 * (get_metadata, metadata_walk, doccount) need no transaction and see the
 * uncommitted changes of the current one. */
int sok_xw_begin(struct sok_xw *w, struct sok_err *err) SOK_NOEXCEPT;
/* Commits everything since sok_xw_begin() as one revision. */
int sok_xw_commit(struct sok_xw *w, struct sok_err *err) SOK_NOEXCEPT;

/* Adds or replaces the document indexed by unique term uterm.  uterm is
 * added to doc as a boolean term if doc lacks it. */
int sok_xw_replace(struct sok_xw *w, const char *uterm, struct sok_xdoc *doc,
                   struct sok_err *err) SOK_NOEXCEPT;

/* Adds doc, indexed by unique term uterm, to a database the caller knows
 * cannot already hold uterm (a part of a full build): no lookup of the old
 * document, unlike sok_xw_replace. */
int sok_xw_add_new(struct sok_xw *w, const char *uterm, struct sok_xdoc *doc,
                   struct sok_err *err) SOK_NOEXCEPT;

/* Deletes every document indexed by term.  When spelling is non-zero the
 * unprefixed (exact word) terms of those documents are first removed from
 * the spelling dictionary with their wdf, undoing sok_xw_add_spelling. */
int sok_xw_delete_term(struct sok_xw *w, const char *term, int spelling,
                       struct sok_err *err) SOK_NOEXCEPT;

/* Adds freqinc to word's frequency in the spelling dictionary. */
int sok_xw_add_spelling(struct sok_xw *w, const char *word, size_t len,
                        unsigned freqinc, struct sok_err *err) SOK_NOEXCEPT;

int sok_xw_set_metadata(struct sok_xw *w, const char *key, const char *val,
                        size_t len, struct sok_err *err) SOK_NOEXCEPT;
/* *val is malloc()ed and NUL-terminated ("" with *len 0 when absent). */
int sok_xw_get_metadata(struct sok_xw *w, const char *key, char **val,
                        size_t *len, struct sok_err *err) SOK_NOEXCEPT;

/* Calls cb for every metadata key starting with prefix, in key order.  A
 * non-zero return from cb stops the walk and is returned. */
typedef int (*sok_xmeta_cb)(void *ctx, const char *key, const char *val,
                            size_t vlen);
int sok_xw_metadata_walk(struct sok_xw *w, const char *prefix, sok_xmeta_cb cb,
                         void *ctx, struct sok_err *err) SOK_NOEXCEPT;

int sok_xw_doccount(struct sok_xw *w, unsigned long *n,
                    struct sok_err *err) SOK_NOEXCEPT;

/* Merges the databases srcs[0..n) into a new database at dst (Xapian's
 * compaction), for building shards in parallel.  dst must not exist
 * (SOK_EINVAL).  The result is an ordinary multi-file glass directory;
 * document ids are renumbered so the sources' ids do not clash. */
int sok_xapian_compact(const char *const *srcs, size_t n, const char *dst,
                       struct sok_err *err) SOK_NOEXCEPT;

/* The one failure no function here can turn into a code: Xapian 1.4.22
 * lets an exception escape a noexcept function when a transaction's
 * flush fails and cancelling it fails as well (seen in commit_transaction()
 * on a full disk), and the process ends in std::terminate.  With a hook
 * set, std::terminate first calls it with that exception's code and
 * message; the hook should end the process itself (it may clean up). */
void sok_xapian_on_fatal(void (*hook)(int code, const char *msg)) SOK_NOEXCEPT;

/* ----------------------------------------------------------------- query */

struct sok_xq;     /* an immutable Xapian::Query */

/* There is no MAX operator: Xapian 1.4.22's matcher reads a freed
 * sub-postlist when it prunes an OP_MAX under an OP_OR (README,
 * "Choices").  The query plan builds "a, and below it b" as
 * OR(a, AND_NOT(b, a)) instead. */
enum sok_xq_op {
    SOK_XQ_AND, SOK_XQ_OR, SOK_XQ_AND_NOT, SOK_XQ_AND_MAYBE, SOK_XQ_FILTER,
    SOK_XQ_PHRASE, SOK_XQ_NEAR, SOK_XQ_SYNONYM
};

/* Every constructor returns NULL on failure and fills err.  Constructors that
 * take sub-queries do not take ownership: free what you create.  A
 * malformed query (which user input can produce) is SOK_EQUERY; a NULL
 * argument or unknown operator (a caller bug) is SOK_EINVAL. */
/* wqf 0 means 1; pos is the term's query position (0: none).  An empty
 * term is SOK_EQUERY (Xapian would read it as "match everything"). */
struct sok_xq *sok_xq_term(const char *term, size_t len, unsigned wqf,
                           unsigned pos, struct sok_err *err) SOK_NOEXCEPT;
/* window: for PHRASE/NEAR, 0 means the number of subqueries (ignored for
 * the other operators).  n == 0 is SOK_EQUERY. */
struct sok_xq *sok_xq_combine(enum sok_xq_op op, struct sok_xq *const *subs,
                              size_t n, unsigned window,
                              struct sok_err *err) SOK_NOEXCEPT;
/* OP_SCALE_WEIGHT; a negative factor is SOK_EQUERY. */
struct sok_xq *sok_xq_scale(struct sok_xq *q, double factor,
                            struct sok_err *err) SOK_NOEXCEPT;
/* Every term starting with prefix (already analysed, e.g. "fritid"), OR'ed,
 * at most max_expansion terms (the most frequent kept; 0: no limit); a prefix
 * no term starts with matches nothing.  An empty prefix is SOK_EQUERY. */
struct sok_xq *sok_xq_wildcard(const char *prefix, size_t len,
                               unsigned max_expansion,
                               struct sok_err *err) SOK_NOEXCEPT;
/* Documents whose value in slot lies in [lo, hi] (string order); lo or hi
 * NULL for an open end (both NULL: documents with any value in slot). */
struct sok_xq *sok_xq_value_range(unsigned slot, const char *lo,
                                  const char *hi,
                                  struct sok_err *err) SOK_NOEXCEPT;
struct sok_xq *sok_xq_match_all(struct sok_err *err) SOK_NOEXCEPT;
struct sok_xq *sok_xq_match_nothing(struct sok_err *err) SOK_NOEXCEPT;
/* The documents ids[0..n) (any order, repeats allowed), weight 0: for an
 * OP_FILTER that ranks a given set, where the query skips ids that name no
 * document (alone, Xapian would return them as they are).  Local databases
 * only: docids name documents of one database, and xapian-tcpsrv knows no
 * such source. */
struct sok_xq *sok_xq_docids(const unsigned *ids, size_t n,
                             struct sok_err *err) SOK_NOEXCEPT;
void sok_xq_free(struct sok_xq *q) SOK_NOEXCEPT;
/* Debug description (malloc()ed), as Xapian::Query::get_description();
 * NULL for a NULL q or when out of memory. */
char *sok_xq_describe(const struct sok_xq *q) SOK_NOEXCEPT;

/* ----------------------------------------------------------------- reader */

struct sok_xr;

/* Opens path read-only: a glass database directory, a stub file, or a
 * directory holding a XAPIANDB stub (which may list several shards or
 * remote databases).  A reader is not thread-safe: one per thread. */
int sok_xr_open(const char *path, struct sok_xr **out,
                struct sok_err *err) SOK_NOEXCEPT;
void sok_xr_free(struct sok_xr *r) SOK_NOEXCEPT;

/* Moves r to the latest committed revision.  When the path is (or holds) a
 * stub whose file was replaced since the last open, the database is opened
 * afresh, so a `--full` rebuild swapped in by renaming the stub is seen.
 * *changed (may be NULL) is set to 1 when the revision or database changed. */
int sok_xr_refresh(struct sok_xr *r, int *changed,
                   struct sok_err *err) SOK_NOEXCEPT;

int sok_xr_doccount(struct sok_xr *r, unsigned long *n,
                    struct sok_err *err) SOK_NOEXCEPT;
/* Revision of a single-database reader; 0 for a reader of no database or
 * of several (shards), or of a backend without revisions. */
int sok_xr_revision(struct sok_xr *r, unsigned long *rev,
                    struct sok_err *err) SOK_NOEXCEPT;
int sok_xr_termfreq(struct sok_xr *r, const char *term, size_t len,
                    unsigned long *freq, struct sok_err *err) SOK_NOEXCEPT;
int sok_xr_get_metadata(struct sok_xr *r, const char *key, char **val,
                        size_t *len, struct sok_err *err) SOK_NOEXCEPT;

/* Calls cb for terms starting with prefix in term order, with their
 * document frequency, until cb returns non-zero or limit terms were seen
 * (limit 0: no limit). */
typedef int (*sok_xterm_cb)(void *ctx, const char *term, size_t len,
                            unsigned long termfreq);
int sok_xr_terms(struct sok_xr *r, const char *prefix, size_t plen,
                 size_t limit, sok_xterm_cb cb, void *ctx,
                 struct sok_err *err) SOK_NOEXCEPT;

/* Whether some term starts with prefix: *found 1 or 0.  Cheaper than
 * sok_xr_terms() with limit 1, which also reads the term's frequency. */
int sok_xr_has_prefix(struct sok_xr *r, const char *prefix, size_t plen,
                      int *found, struct sok_err *err) SOK_NOEXCEPT;

/* Best spelling correction for word from the spelling dictionary within
 * max_edit edits; *out malloc()ed, "" when there is none. */
int sok_xr_spelling(struct sok_xr *r, const char *word, size_t len,
                    unsigned max_edit, char **out,
                    struct sok_err *err) SOK_NOEXCEPT;

/* Data of the document indexed by unique term uterm (SOK_ENOTFOUND when
 * none).  *data malloc()ed, NUL-terminated. */
int sok_xr_get_data(struct sok_xr *r, const char *uterm, char **data,
                    size_t *len, struct sok_err *err) SOK_NOEXCEPT;
/* The same by docid, for a hit searched without its data (no_data). */
int sok_xr_data_of(struct sok_xr *r, unsigned docid, char **data,
                   size_t *len, struct sok_err *err) SOK_NOEXCEPT;

/* ------------------------------------------------------------- shards */

/* One shard of a reader over several (sok-server --shards FILE): a local
 * database path (a glass directory or a stub), or host and port of an
 * xapian-tcpsrv. */
struct sok_xshard {
    const char *path;         /* NULL for a remote shard */
    const char *host;
    unsigned port;
};

/* Opens the n shards as one database; remote ones with
 * Xapian::Remote::open(host, port, timeout_ms, timeout_ms), so every
 * network step of a remote shard gives up after timeout_ms (0: Xapian's
 * default of 10 s).  Shards with skip[i] non-zero (skip may be NULL), and
 * those that fail to open, are left out ("down").  Xapian has no
 * skip-on-failure: whenever a remote shard fails inside any reader call
 * (a timeout, a closed connection that does not reopen at once), the
 * reader leaves it out and runs the call again on the others, so a
 * stalled shard costs one call timeout_ms and later calls nothing.
 * SOK_ENODB when no shard is up. */
int sok_xr_open_shards(const struct sok_xshard *v, size_t n,
                       unsigned timeout_ms, const unsigned char *skip,
                       struct sok_xr **out, struct sok_err *err) SOK_NOEXCEPT;
/* 1 when r (opened by sok_xr_open_shards) has left shard i out. */
int sok_xr_shard_down(const struct sok_xr *r, size_t i) SOK_NOEXCEPT;
/* Non-zero when r reads one local database, whose docids sok_xq_docids
 * can name (a directory of shards or a remote shard: 0). */
int sok_xr_single(const struct sok_xr *r) SOK_NOEXCEPT;
/* Leaves shard i out from now on (another reader found it failing). */
int sok_xr_shard_drop(struct sok_xr *r, size_t i,
                      struct sok_err *err) SOK_NOEXCEPT;
/* Opens shard i afresh (a new connection for a remote one) and takes it
 * back in; on failure it stays out and the error is returned.  Also how a
 * reader moves to a shard's new generation: xapian-tcpsrv opens a stub
 * once per connection. */
int sok_xr_shard_retry(struct sok_xr *r, size_t i,
                       struct sok_err *err) SOK_NOEXCEPT;

/* One search. */
#define SOK_XFACET_MAX 4
struct sok_xsearch {
    const struct sok_xq *query;
    unsigned offset;          /* first hit, 0-based */
    unsigned limit;           /* number of hits wanted */
    int sort_slot;            /* -1: relevance; else sort by this value
                                 (string order, relevance breaks ties) */
    int sort_desc;            /* with sort_slot: non-zero for descending */
    int collapse_slot;        /* -1: none; else collapse on this value */
    int key_slot;             /* -1: none; else each hit carries its value
                                 in this slot as its key (the collapse key
                                 of an uncollapsed hit, so the caller can
                                 find a collapsed hit's twins) */
    unsigned check_at_least;  /* examine at least this many (exact totals
                                 and facets); 0 means the whole database */
    unsigned nfacets;
    unsigned facet_slots[SOK_XFACET_MAX];  /* values to count */
    unsigned facet_keyed[SOK_XFACET_MAX];  /* with a collapse_slot, for
                                 remote shards: a slot holding the
                                 collapse key (facet_key_len bytes), then
                                 facet i's value, so that their value
                                 counts count each key once; 0: none
                                 (each copy of a key counts there) */
    unsigned facet_key_len;
    double bm25_k1, bm25_b;   /* 0 for Xapian's defaults */
    int no_data;              /* non-zero: hits without their data
                                 (sok_xr_data_of gives it) */
};

struct sok_xfacet_count {
    char *value;              /* NUL-terminated */
    unsigned long count;
};

/* Facet counts cover every match examined (all of them unless
 * check_at_least is smaller than the match count), not just the page of
 * hits.  With collapse_slot set they count distinct collapse keys, so
 * near-duplicates that the hit list folds into one hit count once. */
struct sok_xfacet {
    unsigned slot;
    size_t n;
    struct sok_xfacet_count *counts;   /* sorted by count desc, then value */
};

struct sok_xhit {
    unsigned docid;
    double weight;
    unsigned collapse_count;  /* near-duplicates collapsed into this hit */
    char *data;               /* document data, NUL-terminated */
    size_t data_len;
    char *key;                /* its value in key_slot, NUL-terminated;
                                 NULL without a key_slot */
    size_t key_len;
};

struct sok_xresult {
    unsigned long total;      /* matches (estimated; exact when all checked) */
    unsigned long total_lower, total_upper;
    /* When the search stopped early (the bounds differ) after examining
     * every match up to docid sample_end, the facets count those only
     * (sok_facets_sample), else every match examined; 0 for the latter. */
    unsigned long sample_end;
    unsigned long last_docid;     /* the database's highest docid */
    size_t nhits;
    struct sok_xhit *hits;
    size_t nfacets;
    struct sok_xfacet facets[SOK_XFACET_MAX];
};

/* Runs s against r.  On DatabaseModifiedError the reader is reopened and the
 * search retried once.  *out freed with sok_xresult_free(). */
int sok_xr_search(struct sok_xr *r, const struct sok_xsearch *s,
                  struct sok_xresult **out, struct sok_err *err) SOK_NOEXCEPT;
void sok_xresult_free(struct sok_xresult *res) SOK_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* SOK_XAPIAN_H */
