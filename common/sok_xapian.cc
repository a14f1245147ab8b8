/*
 * sok_xapian: the only C++ in sok and the only file that includes Xapian.
 * It turns xapian-core 1.4's exception-throwing, reference-counted C++ API
 * into the pure C interface of sok_xapian.h: opaque handles created and
 * freed here, malloc()ed copies for everything handed out, and a negative
 * SOK_E* code plus a copied message instead of an exception.  Every exported
 * function runs its whole body inside guarded(), which hands any exception
 * to one translator, so no C++ exception can ever unwind into C frames.
 */
#include "sok_xapian.h"

#include <xapian.h>

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <deque>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sok_facets.h"
#include "sok_stub.h"
#include "sok_xresult.h"

/* The opaque handles.  Each owns one Xapian object by value; Xapian's own
 * objects are cheap reference-counted handles, so nothing here is shared
 * behind the caller's back except where noted. */
struct sok_stemmer {
    Xapian::Stem stem;
};

struct sok_xdoc {
    Xapian::Document doc;
};

struct sok_xw {
    Xapian::WritableDatabase db;
    /* Mirrors Xapian's transaction state, which it does not expose.  Every
     * change is refused outside a transaction: that is what lets
     * sok_xw_free() discard work, because WritableDatabase commits pending
     * changes on close() or destruction when no transaction is active. */
    bool in_txn = false;
    /* A commit_transaction() threw: Xapian ends the transaction but may
     * leave its changes pending, and the next flushed begin would commit
     * them, so such a writer only accepts sok_xw_free(). */
    bool broken = false;
};

struct sok_xq {
    Xapian::Query q;
};

/* A shard of a reader opened by sok_xr_open_shards. */
struct xshard {
    std::string path, host;    /* host empty: a local path */
    unsigned port = 0;
    std::string context;       /* what Xapian's NetworkErrors name it by */
    Xapian::Database db;
    bool up = false;
};

/* One value slot by docid, read once per revision: reading the facet and
 * collapse values per match through Document::get_value was a sixth of a
 * query's time (tests/bench/results/2026-12-02-syn100k-http-pool.md). */
struct xcolumn {
    std::vector<uint32_t> id;          /* by docid; 0: no value */
    std::vector<std::string> vals;     /* value of id k at k - 1 */
};

struct sok_xr {
    Xapian::Database db;       /* with shards: the up ones, combined */
    std::string cols_of;       /* uuid and revision cols were read at */
    std::deque<std::pair<unsigned, xcolumn>> cols; /* stay put as it grows */
    std::string path;
    sok_stub stub{};           /* the stub file path opens through, if any */
    std::vector<xshard> shards;
    unsigned timeout_ms = 0;
    bool remote = false;       /* some shard is remote (facets, spelling) */
};

namespace {

/* Where an exception came from decides what an InvalidArgumentError means:
 * building or running a query, it is the user's malformed query (a 400 in
 * the server); anywhere else it is a caller bug. */
enum class ctx { general, query };

/* An error the shim finds itself (a bad argument, a stem that does not
 * fit): thrown so that each check is one line, and reported by translate()
 * like any other exception.  The message is formatted at the throw, into a
 * fixed buffer, so reporting it never allocates. */
struct failure {
    int code;
    char msg[SOK_ERR_MSG_MAX];

    __attribute__((format(printf, 3, 4)))
    failure(int c, const char *fmt, ...) noexcept : code(c)
    {
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
};

}  // namespace

/* A caller bug: SOK_EINVAL with "fn: what". */
[[noreturn]] static void refuse(const char *what)
{
    throw failure(SOK_EINVAL, "%s", what);
}

static void need(bool ok, const char *what)
{
    if (!ok)
        refuse(what);
}

/* For functions that hand out an object: *out is NULL on every failure. */
template <class T>
static void reset_out(T **out)
{
    need(out != nullptr, "NULL out");
    *out = nullptr;
}

static int set_xerr(struct sok_err *err, int code, const char *fn,
                    const Xapian::Error &e) noexcept
{
    /* Formatting straight from the exception into the fixed buffer copies
     * the message before the exception dies and never allocates. */
    const char *es = e.get_error_string();
    return sok_err_set(err, code, "%s: %s: %s%s%s%s", fn, e.get_type(),
                       e.get_msg().c_str(), es ? " (" : "", es ? es : "",
                       es ? ")" : "");
}

/* Must be called from inside a catch block: rethrows the exception in
 * flight and maps it to a SOK_E* code, recording its message in err. */
static int translate(struct sok_err *err, const char *fn, ctx where) noexcept
{
    try {
        throw;
    } catch (const failure &e) {
        return sok_err_set(err, e.code, "%s: %s", fn, e.msg);
    } catch (const Xapian::DatabaseLockError &e) {
        return set_xerr(err, SOK_ELOCKED, fn, e);
    } catch (const Xapian::DatabaseOpeningError &e) {
        /* also DatabaseNotFoundError and DatabaseVersionError */
        return set_xerr(err, SOK_ENODB, fn, e);
    } catch (const Xapian::DatabaseCreateError &e) {
        return set_xerr(err, SOK_ENODB, fn, e);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return set_xerr(err, SOK_ECORRUPT, fn, e);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return set_xerr(err, SOK_EMODIFIED, fn, e);
    } catch (const Xapian::QueryParserError &e) {
        return set_xerr(err, SOK_EQUERY, fn, e);
    } catch (const Xapian::WildcardError &e) {
        return set_xerr(err, SOK_EQUERY, fn, e);
    } catch (const Xapian::InvalidArgumentError &e) {
        return set_xerr(err, where == ctx::query ? SOK_EQUERY : SOK_EINVAL,
                        fn, e);
    } catch (const Xapian::UnimplementedError &e) {
        /* e.g. a PHRASE over sub-queries Xapian cannot position */
        return set_xerr(err, where == ctx::query ? SOK_EQUERY : SOK_EXAPIAN,
                        fn, e);
    } catch (const Xapian::DocNotFoundError &e) {
        return set_xerr(err, SOK_ENOTFOUND, fn, e);
    } catch (const Xapian::Error &e) {
        /* A full disk is told apart: the indexer then gives back what the
         * run wrote and says how much space it needs (indexer/space.h).
         * Xapian keeps the errno only as its text. */
        const char *es = e.get_error_string();
        if (es && (strcmp(es, strerror(ENOSPC)) == 0 ||
                   strcmp(es, strerror(EDQUOT)) == 0))
            return set_xerr(err, SOK_ENOSPC, fn, e);
        return set_xerr(err, SOK_EXAPIAN, fn, e);
    } catch (const std::bad_alloc &) {
        return sok_err_set(err, SOK_ENOMEM, "%s: out of memory", fn);
    } catch (const std::exception &e) {
        return sok_err_set(err, SOK_EINTERNAL, "%s: %s", fn, e.what());
    } catch (...) {
        return sok_err_set(err, SOK_EINTERNAL, "%s: unknown exception", fn);
    }
}

/* The body of every exported function that can fail.  fn is the exported
 * function's name (__func__ inside body would name the lambda).  A body
 * that returns nothing succeeded with 0.  Any exception becomes
 * translate()'s code, or NULL for a body that returns a pointer (the code
 * is then only in err). */
template <class F>
static auto guarded(struct sok_err *err, const char *fn, ctx where,
                    F &&body) noexcept
{
    using R = decltype(body());
    try {
        if constexpr (std::is_void_v<R>) {
            body();
            return 0;
        } else {
            return body();
        }
    } catch (...) {
        int rc = translate(err, fn, where);
        if constexpr (std::is_pointer_v<R>)
            return static_cast<R>(nullptr);
        else
            return rc;
    }
}

/* For cleanup, which has nobody to report to. */
template <class F>
static void quietly(F &&body) noexcept
{
    try {
        body();
    } catch (...) {
    }
}

/* A (p, len) argument that may be NULL when len is 0. */
static std::string bytes(const char *p, size_t len)
{
    return std::string(p != nullptr ? p : "", len);
}

/* malloc()ed, NUL-terminated copy: the caller free()s it with the C
 * allocator, never delete. */
static char *dup_bytes(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr)
        throw std::bad_alloc();
    std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

/* ---------------------------------------------------------------- stemmer */

int sok_stemmer_new(const char *language, struct sok_stemmer **out,
                    struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(out);
        need(language != nullptr, "NULL language");
        /* An unknown language throws InvalidArgumentError: SOK_EINVAL. */
        *out = new sok_stemmer{Xapian::Stem(language)};
    });
}

void sok_stemmer_free(struct sok_stemmer *st) noexcept
{
    delete st;
}

int sok_stemmer_stem(struct sok_stemmer *st, const char *word, size_t len,
                     char *out, size_t cap, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(st != nullptr && (word != nullptr || len == 0) &&
                 out != nullptr && cap > 0,
             "NULL argument or zero capacity");
        out[0] = '\0';
        std::string s = st->stem(bytes(word, len));
        if (s.size() >= cap || s.size() > INT_MAX)
            throw failure(SOK_ERANGE, "stem of %zu bytes does not fit in %zu",
                          s.size(), cap);
        std::memcpy(out, s.c_str(), s.size() + 1);
        return static_cast<int>(s.size());
    });
}

/* --------------------------------------------------------------- document */

int sok_xdoc_new(struct sok_xdoc **out, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(out != nullptr, "NULL out");
        *out = new sok_xdoc;
    });
}

void sok_xdoc_free(struct sok_xdoc *doc) noexcept
{
    delete doc;
}

/* Xapian takes an empty term name as "no term" in places (Query("") matches
 * everything), so an empty term is refused everywhere rather than passed
 * on. */
static std::string doc_term(const sok_xdoc *doc, const char *term,
                            size_t len)
{
    need(doc != nullptr && term != nullptr && len > 0,
         "NULL document or empty term");
    return std::string(term, len);
}

int sok_xdoc_add_posting(struct sok_xdoc *doc, const char *term, size_t len,
                         unsigned pos, unsigned wdfinc,
                         struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        std::string t = doc_term(doc, term, len);
        doc->doc.add_posting(t, pos, wdfinc);
    });
}

int sok_xdoc_add_term(struct sok_xdoc *doc, const char *term, size_t len,
                      unsigned wdfinc, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        std::string t = doc_term(doc, term, len);
        doc->doc.add_term(t, wdfinc);
    });
}

int sok_xdoc_add_boolean(struct sok_xdoc *doc, const char *term, size_t len,
                         struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        std::string t = doc_term(doc, term, len);
        doc->doc.add_boolean_term(t);
    });
}

int sok_xdoc_set_value(struct sok_xdoc *doc, unsigned slot, const char *val,
                       size_t len, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(doc != nullptr && (val != nullptr || len == 0), "NULL argument");
        /* An empty value removes the slot, as in Xapian. */
        doc->doc.add_value(slot, bytes(val, len));
    });
}

int sok_xdoc_set_data(struct sok_xdoc *doc, const char *data, size_t len,
                      struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(doc != nullptr && (data != nullptr || len == 0), "NULL argument");
        doc->doc.set_data(bytes(data, len));
    });
}

/* ----------------------------------------------------------------- writer */

int sok_xw_open(const char *path, enum sok_xw_mode mode, struct sok_xw **out,
                struct sok_err *err) noexcept
{
    /* An int: a caller can pass any value, and reading an enum that holds
     * none of its enumerators is undefined. */
    return guarded(err, __func__, ctx::general, [&, m = int{mode}] {
        reset_out(out);
        need(path != nullptr && *path != '\0', "NULL or empty path");
        int flags;
        switch (m) {
        case SOK_XW_OPEN:   flags = Xapian::DB_CREATE_OR_OPEN; break;
        case SOK_XW_CREATE: flags = Xapian::DB_CREATE_OR_OVERWRITE; break;
        case SOK_XW_SCRATCH:
            flags = Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC;
            break;
        default:            refuse("bad mode");
        }
        *out = new sok_xw{
            Xapian::WritableDatabase(path, flags | Xapian::DB_BACKEND_GLASS)};
    });
}

void sok_xw_free(struct sok_xw *w) noexcept
{
    if (w == nullptr)
        return;
    /* close() and the destructor commit whatever is pending when no
     * transaction is active.  Changes are refused outside a transaction,
     * but a commit_transaction() that threw may leave changes pending with
     * the transaction ended; an unflushed begin (which, unlike a flushed
     * one, does not commit first) followed by a cancel drops everything
     * since the last commit in either case. */
    quietly([&] {
        if (!w->in_txn)
            w->db.begin_transaction(false);
        w->db.cancel_transaction();
    });
    /* Whatever happened above, the lock is released here. */
    quietly([&] { w->db.close(); });
    delete w;
}

int sok_xw_begin(struct sok_xw *w, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(w != nullptr, "NULL writer");
        need(!w->in_txn, "transaction already active");
        need(!w->broken, "a commit failed: free the writer and reopen");
        /* Flushed: commit_transaction() writes one revision to disk. */
        w->db.begin_transaction(true);
        w->in_txn = true;
    });
}

int sok_xw_commit(struct sok_xw *w, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(w != nullptr, "NULL writer");
        need(w->in_txn, "no active transaction");
        /* Xapian ends the transaction even when the commit throws. */
        w->in_txn = false;
        w->broken = true;
        w->db.commit_transaction();
        w->broken = false;
    });
}

/* Every change needs a transaction: see struct sok_xw. */
static void need_txn(const sok_xw *w)
{
    need(w != nullptr, "NULL writer");
    need(w->in_txn, "no active transaction (call sok_xw_begin)");
}

/* sok_xw_replace and sok_xw_add_new: fresh skips the lookup of an older
 * document with the same unique term. */
static void write_doc(sok_xw *w, const char *uterm, sok_xdoc *doc,
                      bool fresh)
{
    need_txn(w);
    need(uterm != nullptr && *uterm != '\0' && doc != nullptr,
         "NULL document or empty term");
    /* A document must carry its own unique term or it could never be
     * found, replaced or deleted again; adding a boolean term that is
     * already there changes nothing. */
    std::string t(uterm);
    doc->doc.add_boolean_term(t);
    if (fresh)
        w->db.add_document(doc->doc);
    else
        w->db.replace_document(t, doc->doc);
}

/* Removes the exact-word terms of the documents indexed by t from the
 * spelling dictionary, with their wdf. */
static void unspell(Xapian::WritableDatabase &db, const std::string &t)
{
    /* Collect first: changing the database while walking one of its
     * posting lists is not something Xapian promises to allow. */
    std::vector<Xapian::docid> ids(db.postlist_begin(t), db.postlist_end(t));
    for (Xapian::docid id : ids) {
        Xapian::Document d = db.get_document(id);
        for (auto it = d.termlist_begin(); it != d.termlist_end(); ++it) {
            const std::string &word = *it;
            /* Prefixed terms start with an ASCII capital (Xapian's
             * convention) and never went into the dictionary. */
            if (word.empty() || (word[0] >= 'A' && word[0] <= 'Z'))
                continue;
            db.remove_spelling(word, it.get_wdf());
        }
    }
}

int sok_xw_replace(struct sok_xw *w, const char *uterm, struct sok_xdoc *doc,
                   struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general,
                   [&] { write_doc(w, uterm, doc, false); });
}

int sok_xw_add_new(struct sok_xw *w, const char *uterm, struct sok_xdoc *doc,
                   struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general,
                   [&] { write_doc(w, uterm, doc, true); });
}

int sok_xw_delete_term(struct sok_xw *w, const char *term, int spelling,
                       struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need_txn(w);
        need(term != nullptr && *term != '\0', "NULL or empty term");
        std::string t(term);
        if (spelling)
            unspell(w->db, t);
        w->db.delete_document(t);
    });
}

int sok_xw_add_spelling(struct sok_xw *w, const char *word, size_t len,
                        unsigned freqinc, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need_txn(w);
        need(word != nullptr && len > 0, "NULL or empty word");
        w->db.add_spelling(std::string(word, len), freqinc);
    });
}

int sok_xw_set_metadata(struct sok_xw *w, const char *key, const char *val,
                        size_t len, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need_txn(w);
        need(key != nullptr && *key != '\0' && (val != nullptr || len == 0),
             "NULL argument or empty key");
        /* An empty value deletes the key, as in Xapian. */
        w->db.set_metadata(key, bytes(val, len));
    });
}

static void get_metadata(const Xapian::Database &db, const char *key,
                         char **val, size_t *len)
{
    std::string v = db.get_metadata(key);
    *val = dup_bytes(v);
    if (len != nullptr)
        *len = v.size();
}

int sok_xw_get_metadata(struct sok_xw *w, const char *key, char **val,
                        size_t *len, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(val);
        need(w != nullptr && key != nullptr && *key != '\0',
             "NULL writer or empty key");
        get_metadata(w->db, key, val, len);
    });
}

int sok_xw_metadata_walk(struct sok_xw *w, const char *prefix, sok_xmeta_cb cb,
                         void *ctx_, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(w != nullptr && cb != nullptr, "NULL writer or callback");
        std::string pfx(prefix ? prefix : "");
        for (auto it = w->db.metadata_keys_begin(pfx);
             it != w->db.metadata_keys_end(pfx); ++it) {
            const std::string &key = *it;
            std::string v = w->db.get_metadata(key);
            if (int rc = cb(ctx_, key.c_str(), v.data(), v.size()))
                return rc;
        }
        return 0;
    });
}

int sok_xw_doccount(struct sok_xw *w, unsigned long *n,
                    struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(w != nullptr && n != nullptr, "NULL argument");
        *n = w->db.get_doccount();
    });
}

static void (*fatal_hook)(int, const char *);
static std::terminate_handler prev_terminate;

static void on_terminate()
{
    struct sok_err err = SOK_ERR_INIT;
    if (fatal_hook != nullptr && std::current_exception()) {
        try {
            std::rethrow_exception(std::current_exception());
        } catch (...) {
            int rc = translate(&err, "Xapian", ctx::general);
            fatal_hook(rc, err.msg);
        }
    }
    prev_terminate != nullptr ? prev_terminate() : std::abort();
}

void sok_xapian_on_fatal(void (*hook)(int code, const char *msg)) noexcept
{
    fatal_hook = hook;
    std::terminate_handler h = std::set_terminate(on_terminate);
    if (h != on_terminate)
        prev_terminate = h;
}

int sok_xapian_compact(const char *const *srcs, size_t n, const char *dst,
                       struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(srcs != nullptr && n > 0 && dst != nullptr && *dst != '\0',
             "no sources or no destination");
        struct stat sb;
        if (stat(dst, &sb) == 0)
            throw failure(SOK_EINVAL, "%s already exists", dst);
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) {
            need(srcs[i] != nullptr, "NULL source");
            all.add_database(Xapian::Database(srcs[i]));
        }
        /* A normal multi-file glass directory (not DBCOMPACT_SINGLE_FILE),
         * so the result can be opened for writing and updated later.
         * Document ids are renumbered so the shards' ids do not clash. */
        all.compact(dst, Xapian::DB_BACKEND_GLASS);
    });
}

/* ----------------------------------------------------------------- query */

static sok_xq *wrap(Xapian::Query &&q)
{
    return new sok_xq{std::move(q)};
}

struct sok_xq *sok_xq_term(const char *term, size_t len, unsigned wqf,
                           unsigned pos, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::query, [&] {
        /* Query("") would match every document. */
        if (term == nullptr || len == 0)
            throw failure(SOK_EQUERY, "empty term");
        return wrap(Xapian::Query(std::string(term, len), wqf ? wqf : 1,
                                  pos));
    });
}

struct sok_xq *sok_xq_combine(enum sok_xq_op op, struct sok_xq *const *subs,
                              size_t n, unsigned window,
                              struct sok_err *err) noexcept
{
    /* An int, as in sok_xw_open(). */
    return guarded(err, __func__, ctx::query, [&, o = int{op}] {
        Xapian::Query::op xop;
        switch (o) {
        case SOK_XQ_AND:       xop = Xapian::Query::OP_AND; break;
        case SOK_XQ_OR:        xop = Xapian::Query::OP_OR; break;
        case SOK_XQ_AND_NOT:   xop = Xapian::Query::OP_AND_NOT; break;
        case SOK_XQ_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
        case SOK_XQ_FILTER:    xop = Xapian::Query::OP_FILTER; break;
        case SOK_XQ_PHRASE:    xop = Xapian::Query::OP_PHRASE; break;
        case SOK_XQ_NEAR:      xop = Xapian::Query::OP_NEAR; break;
        case SOK_XQ_SYNONYM:   xop = Xapian::Query::OP_SYNONYM; break;
        default:               refuse("unknown operator");
        }
        need(subs != nullptr || n == 0, "NULL sub-query array");
        /* Xapian would quietly make an empty query that matches nothing;
         * asking for that is a malformed query, not a request. */
        if (n == 0)
            throw failure(SOK_EQUERY, "no sub-queries");
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) {
            need(subs[i] != nullptr, "NULL sub-query");
            v.push_back(subs[i]->q);
        }
        /* The window means something only to PHRASE and NEAR; 0 gives
         * Xapian's default, the number of sub-queries. */
        bool positional = o == SOK_XQ_PHRASE || o == SOK_XQ_NEAR;
        return wrap(Xapian::Query(xop, v.begin(), v.end(),
                                  positional ? window : 0));
    });
}

struct sok_xq *sok_xq_scale(struct sok_xq *q, double factor,
                            struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::query, [&] {
        need(q != nullptr, "NULL query");
        /* A negative factor throws InvalidArgumentError: SOK_EQUERY. */
        return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q,
                                  factor));
    });
}

struct sok_xq *sok_xq_wildcard(const char *prefix, size_t len,
                               unsigned max_expansion,
                               struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::query, [&] {
        /* An empty prefix would expand to every term in the index,
         * prefixed ones included. */
        if (prefix == nullptr || len == 0)
            throw failure(SOK_EQUERY, "empty wildcard prefix");
        /* Keeping the most frequent terms, rather than failing or keeping
         * the alphabetically first, gives the best results for a short
         * prefix.  That mode takes a limit of 0 literally (no terms), so
         * "no limit" goes through the mode where 0 means unlimited. */
        const int keep = max_expansion != 0
                             ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                             : Xapian::Query::WILDCARD_LIMIT_ERROR;
        return wrap(Xapian::Query(Xapian::Query::OP_WILDCARD,
                                  std::string(prefix, len), max_expansion,
                                  keep));
    });
}

struct sok_xq *sok_xq_value_range(unsigned slot, const char *lo,
                                  const char *hi, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::query, [&] {
        if (lo != nullptr && hi != nullptr)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
                                      lo, hi));
        if (hi != nullptr)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi));
        /* Xapian turns VALUE_GE "" into MatchAll, documents without a
         * value included.  A set value is never empty, so it is >= "\0":
         * that bound keeps "in the range" meaning "has a value". */
        std::string from = lo != nullptr && *lo != '\0' ? std::string(lo)
                                                       : std::string(1, '\0');
        return wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, from));
    });
}

struct sok_xq *sok_xq_match_all(struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::query, [] {
        return wrap(Xapian::Query(Xapian::Query::MatchAll));
    });
}

namespace {

/* The sections of a sorted docid list, weight 0: the second pass of a
 * search ranks the first pass's best matches only (sok_xq_docids). */
class DocidSource : public Xapian::PostingSource {
  public:
    explicit DocidSource(std::vector<Xapian::docid> ids)
        : ids_(std::move(ids))
    {
        set_maxweight(0);
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return n(); }
    Xapian::doccount get_termfreq_max() const override { return n(); }
    void init(const Xapian::Database &) override { at_ = kBefore; }
    void next(double) override { at_ = at_ == kBefore ? 0 : at_ + 1; }
    void skip_to(Xapian::docid did, double) override
    {
        auto from = ids_.begin() + long(at_ == kBefore ? 0 : at_);
        at_ = size_t(std::lower_bound(from, ids_.end(), did) - ids_.begin());
    }
    bool at_end() const override { return at_ != kBefore && at_ >= n(); }
    Xapian::docid get_docid() const override { return ids_[at_]; }
    PostingSource *clone() const override { return new DocidSource(ids_); }

  private:
    static constexpr size_t kBefore = ~size_t(0);   /* before the first */
    Xapian::doccount n() const { return Xapian::doccount(ids_.size()); }
    std::vector<Xapian::docid> ids_;
    size_t at_ = kBefore;
};

}  // namespace

struct sok_xq *sok_xq_docids(const unsigned *ids, size_t n,
                             struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::query, [&] {
        need(ids != nullptr || n == 0, "NULL docids");
        std::vector<Xapian::docid> v(ids, ids + n);
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        /* The query owns the source once released to it. */
        return wrap(Xapian::Query((new DocidSource(std::move(v)))->release()));
    });
}

struct sok_xq *sok_xq_match_nothing(struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::query, [] {
        return wrap(Xapian::Query(Xapian::Query::MatchNothing));
    });
}

void sok_xq_free(struct sok_xq *q) noexcept
{
    delete q;
}

char *sok_xq_describe(const struct sok_xq *q) noexcept
{
    /* No err to fill: NULL is the whole report. */
    return guarded(nullptr, __func__, ctx::general, [&]() -> char * {
        return q != nullptr ? dup_bytes(q->q.get_description()) : nullptr;
    });
}

/* ----------------------------------------------------------------- reader */

static Xapian::Database open_shard(const xshard &s, unsigned timeout_ms)
{
    if (s.host.empty())
        return Xapian::Database(s.path);
    return Xapian::Remote::open(s.host, s.port, timeout_ms, timeout_ms);
}

/* Rebuilds r->db from the shards that are up. */
static void combine(sok_xr *r)
{
    Xapian::Database db;
    bool any = false;
    for (const xshard &s : r->shards)
        if (s.up) {
            db.add_database(s.db);
            any = true;
        }
    if (!any)
        throw failure(SOK_ENODB, "every shard is down");
    r->db = db;
}

/* A remote shard of r failed with e: reconnected at once when its
 * connection was merely closed (xapian-tcpsrv's idle timeout), else left
 * out.  False when e names no shard of r that is up (nothing to do). */
static bool fail_over(sok_xr *r, const Xapian::NetworkError &e)
{
    for (xshard &s : r->shards) {
        if (!s.up || s.host.empty() || s.context != e.get_context())
            continue;
        s.up = false;
        /* Xapian's errors carry no RTTI: the type is told by name.  A
         * timeout that came from the shard ("REMOTE:") is xapian-tcpsrv
         * closing an idle connection, not the shard stalling. */
        if (std::strcmp(e.get_type(), "NetworkTimeoutError") != 0 ||
            e.get_msg().compare(0, 7, "REMOTE:") == 0) {
            try {
                s.db = open_shard(s, r->timeout_ms);
                s.up = true;
            } catch (const Xapian::Error &) {
            }
        }
        combine(r);
        return true;
    }
    return false;
}

/* Runs f, and once more after reopen() if a writer's commit recycled the
 * blocks f was reading; with shards, again without each remote shard that
 * fails.  f must be safe to run more than once. */
template <typename F>
static void with_retry(sok_xr *r, F &&f)
{
    for (size_t tries = 0;; tries++) {
        try {
            try {
                f();
                return;
            } catch (const Xapian::DatabaseModifiedError &) {
            }
            r->db.reopen();
            f();
            return;
        } catch (const Xapian::NetworkError &e) {
            if (tries > 2 * r->shards.size() || !fail_over(r, e))
                throw;
        }
    }
}

/* Revision of a single local database; 0 when Xapian has none to give
 * (no shard, several shards, or a backend without revisions). */
static unsigned long revision_of(const Xapian::Database &db)
{
    if (db.size() != 1)
        return 0;
    try {
        return db.get_revision();
    } catch (const Xapian::InvalidOperationError &) {
        return 0;
    }
}

int sok_xr_open(const char *path, struct sok_xr **out,
                struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(out);
        need(path != nullptr && *path != '\0', "NULL or empty path");
        std::unique_ptr<sok_xr> r(new sok_xr);
        r->path = path;
        /* Stat the stub before opening: if it is swapped in between, we
         * open the new database and remember the old stub, which costs one
         * needless reopen later; the other order could miss a swap for
         * good. */
        sok_stub_find(&r->stub, path);
        r->db = Xapian::Database(r->path);
        *out = r.release();
    });
}

void sok_xr_free(struct sok_xr *r) noexcept
{
    if (r == nullptr)
        return;
    quietly([&] { r->db.close(); });
    delete r;
}

int sok_xr_open_shards(const struct sok_xshard *v, size_t n,
                       unsigned timeout_ms, const unsigned char *skip,
                       struct sok_xr **out, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(out);
        need(v != nullptr && n > 0, "no shards");
        std::unique_ptr<sok_xr> r(new sok_xr);
        r->timeout_ms = timeout_ms != 0 ? timeout_ms : 10000;
        r->shards.resize(n);
        std::string why;       /* the first shard's failure, for one alone */
        for (size_t i = 0; i < n; i++) {
            xshard &s = r->shards[i];
            need(v[i].path != nullptr || v[i].host != nullptr,
                 "shard without path or host");
            if (v[i].path != nullptr) {
                s.path = v[i].path;
            } else {
                s.host = v[i].host;
                s.port = v[i].port;
                s.context = "remote:tcp(" + s.host + ":" +
                            std::to_string(s.port) + ")";
                r->remote = true;
            }
            if (skip != nullptr && skip[i])
                continue;
            try {
                s.db = open_shard(s, r->timeout_ms);
                s.up = true;
            } catch (const Xapian::NetworkError &e) {
                why = why.empty() ? e.get_description() : why;
            } catch (const Xapian::DatabaseOpeningError &e) {
                why = why.empty() ? e.get_description() : why;
            }
        }
        if (!why.empty() && n == 1)
            throw failure(SOK_ENODB, "%s", why.c_str());
        combine(r.get());
        *out = r.release();
    });
}

int sok_xr_shard_down(const struct sok_xr *r, size_t i) noexcept
{
    return r != nullptr && i < r->shards.size() && !r->shards[i].up;
}

int sok_xr_single(const struct sok_xr *r) noexcept
{
    return r != nullptr && !r->remote && r->db.size() == 1;
}

int sok_xr_shard_drop(struct sok_xr *r, size_t i,
                      struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(r != nullptr && i < r->shards.size(), "no such shard");
        if (!r->shards[i].up)
            return;
        r->shards[i].up = false;
        try {
            combine(r);
        } catch (...) {
            r->shards[i].up = true;    /* the last one stays */
            throw;
        }
        r->shards[i].db = Xapian::Database();
    });
}

int sok_xr_shard_retry(struct sok_xr *r, size_t i,
                       struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(r != nullptr && i < r->shards.size(), "no such shard");
        xshard &s = r->shards[i];
        s.up = false;
        s.db = Xapian::Database();
        s.db = open_shard(s, r->timeout_ms);
        s.up = true;
        combine(r);
    });
}

int sok_xr_refresh(struct sok_xr *r, int *changed,
                   struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        if (changed != nullptr)
            *changed = 0;
        need(r != nullptr, "NULL reader");
        sok_stub_id now;
        bool moved = true;
        if (!r->shards.empty()) {
            /* A shard's new generation comes through sok_xr_shard_retry;
             * reopen() only follows local shards' own commits. */
            with_retry(r, [&] { moved = r->db.reopen(); });
        } else if (sok_stub_swapped(&r->stub, &now)) {
            r->db = Xapian::Database(r->path);
            sok_stub_accept(&r->stub, &now);
        } else {
            unsigned long before = revision_of(r->db);
            bool reopened = r->db.reopen();
            /* With one shard the revision is exact; with several,
             * reopen()'s "might have changed" is all Xapian offers. */
            moved = r->db.size() == 1 ? revision_of(r->db) != before
                                      : reopened;
        }
        if (changed != nullptr)
            *changed = moved ? 1 : 0;
    });
}

int sok_xr_doccount(struct sok_xr *r, unsigned long *n,
                    struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(r != nullptr && n != nullptr, "NULL argument");
        with_retry(r, [&] { *n = r->db.get_doccount(); });
    });
}

int sok_xr_revision(struct sok_xr *r, unsigned long *rev,
                    struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(r != nullptr && rev != nullptr, "NULL argument");
        *rev = revision_of(r->db);
    });
}

int sok_xr_termfreq(struct sok_xr *r, const char *term, size_t len,
                    unsigned long *freq, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(r != nullptr && freq != nullptr && (term != nullptr || len == 0),
             "NULL argument");
        std::string t = bytes(term, len);
        with_retry(r, [&] { *freq = r->db.get_termfreq(t); });
    });
}

int sok_xr_get_metadata(struct sok_xr *r, const char *key, char **val,
                        size_t *len, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(val);
        need(r != nullptr && key != nullptr && *key != '\0',
             "NULL reader or empty key");
        with_retry(r, [&] { get_metadata(r->db, key, val, len); });
    });
}

int sok_xr_terms(struct sok_xr *r, const char *prefix, size_t plen,
                 size_t limit, sok_xterm_cb cb, void *ctx_,
                 struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(r != nullptr && cb != nullptr && (prefix != nullptr || plen == 0),
             "NULL argument");
        std::string pfx = bytes(prefix, plen);
        int rc = 0;
        size_t seen = 0;
        auto walk = [&] {
            for (auto it = r->db.allterms_begin(pfx);
                 it != r->db.allterms_end(pfx); ++it) {
                if (limit != 0 && seen >= limit)
                    break;
                const std::string &t = *it;
                unsigned long tf = it.get_termfreq();
                seen++;
                if ((rc = cb(ctx_, t.c_str(), t.size(), tf)) != 0)
                    break;
            }
        };
        /* Not with_retry(): retrying after the callback has seen terms
         * would show it some of them twice, so only a walk that has
         * delivered nothing retries. */
        with_retry(r, [&] {
            if (seen != 0) {
                /* A failure after terms were delivered is not retried. */
                throw failure(SOK_EMODIFIED, "index changed during a walk");
            }
            walk();
        });
        return rc;
    });
}

int sok_xr_has_prefix(struct sok_xr *r, const char *prefix, size_t plen,
                      int *found, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        need(r != nullptr && found != nullptr &&
                 (prefix != nullptr || plen == 0),
             "NULL argument");
        std::string pfx = bytes(prefix, plen);
        /* A remote shard answers allterms_begin() with every term of the
         * prefix, one message each; a wildcard of one expansion is looked
         * up on the shard itself, in one round trip. */
        Xapian::Query w(Xapian::Query::OP_WILDCARD, pfx, 1,
                        Xapian::Query::WILDCARD_LIMIT_FIRST);
        with_retry(r, [&] {
            if (r->remote && !pfx.empty()) {
                Xapian::Enquire enq(r->db);
                enq.set_query(w);
                *found = enq.get_mset(0, 0).get_matches_upper_bound() > 0;
                return;
            }
            *found = r->db.allterms_begin(pfx) != r->db.allterms_end(pfx);
        });
    });
}

int sok_xr_spelling(struct sok_xr *r, const char *word, size_t len,
                    unsigned max_edit, char **out,
                    struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(out);
        need(r != nullptr && (word != nullptr || len == 0), "NULL argument");
        std::string w = bytes(word, len);
        std::string s;
        with_retry(r, [&] { s = r->db.get_spelling_suggestion(w, max_edit); });
        *out = dup_bytes(s);
    });
}

int sok_xr_get_data(struct sok_xr *r, const char *uterm, char **data,
                    size_t *len, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(data);
        need(r != nullptr && uterm != nullptr && *uterm != '\0',
             "NULL reader or empty term");
        std::string t(uterm);
        bool found = false;
        std::string d;
        with_retry(r, [&] {
            auto p = r->db.postlist_begin(t);
            found = p != r->db.postlist_end(t);
            if (found)
                d = r->db.get_document(*p).get_data();
        });
        if (!found)
            throw failure(SOK_ENOTFOUND, "no document %s", uterm);
        *data = dup_bytes(d);
        if (len != nullptr)
            *len = d.size();
    });
}

int sok_xr_data_of(struct sok_xr *r, unsigned docid, char **data,
                   size_t *len, struct sok_err *err) noexcept
{
    return guarded(err, __func__, ctx::general, [&] {
        reset_out(data);
        need(r != nullptr && docid != 0, "NULL reader or docid 0");
        std::string d;
        try {
            with_retry(r, [&] { d = r->db.get_document(docid).get_data(); });
        } catch (const Xapian::DocNotFoundError &) {
            throw failure(SOK_ENOTFOUND, "no document %u", docid);
        }
        *data = dup_bytes(d);
        if (len != nullptr)
            *len = d.size();
    });
}

/* A C helper's failure (always SOK_ENOMEM from the helpers here) as the
 * exception translate() reports. */
static void alloc_ok(int rc)
{
    if (rc != 0)
        throw std::bad_alloc();
}

namespace {

struct result_deleter {
    void operator()(sok_xresult *res) const noexcept
    {
        sok_xresult_free(res);
    }
};
using result_ptr = std::unique_ptr<sok_xresult, result_deleter>;

/* Hands every match's facet values and collapse key to sok_facets, which
 * does the counting.  In-process only: a remote shard runs its spies
 * itself, and xapian-tcpsrv knows only Xapian's own, so with remote shards
 * run_search counts through ValueCountMatchSpy instead (documents, not
 * collapse keys: a twin's copies each count there). */
class FacetSpy : public Xapian::MatchSpy {
  public:
    /* cols: the facet slots' columns, then the collapse slot's; NULL to
     * read each match's values from its document. */
    FacetSpy(const sok_xsearch *s, const xcolumn *const *cols)
        : s_(s), cols_(cols)
    {
        alloc_ok(sok_facets_new(s->nfacets, &f_));
    }
    ~FacetSpy() override { sok_facets_free(f_); }

    /* With columns, by value id: hashing two value strings per match was
     * a tenth of a common word's search. */
    void operator()(const Xapian::Document &doc, double) override
    {
        unsigned nv = s_->nfacets + (s_->collapse_slot >= 0 ? 1 : 0);
        bool key = s_->collapse_slot >= 0;
        Xapian::docid did = doc.get_docid();
        if (cols_ != nullptr) {
            uint32_t id[SOK_XFACET_MAX + 1];
            for (unsigned i = 0; i < nv; i++)
                id[i] = did < cols_[i]->id.size() ? cols_[i]->id[did] : 0;
            alloc_ok(sok_facets_add_ids(f_, did, id, key ? id[nv - 1] : 0));
            return;
        }
        std::string v[SOK_XFACET_MAX + 1];
        const char *p[SOK_XFACET_MAX + 1];
        size_t n[SOK_XFACET_MAX + 1];
        for (unsigned i = 0; i < nv; i++) {
            v[i] = doc.get_value(i < s_->nfacets ? s_->facet_slots[i]
                                                 : unsigned(s_->collapse_slot));
            p[i] = v[i].data();
            n[i] = v[i].size();
        }
        alloc_ok(sok_facets_add(f_, did, p, n, key ? p[nv - 1] : "",
                                key ? n[nv - 1] : 0));
    }

    const sok_facets *counts() const { return f_; }
    sok_facets *counts() { return f_; }

  private:
    const sok_xsearch *s_;
    const xcolumn *const *cols_;
    sok_facets *f_ = nullptr;
};

}  // namespace

/* The value of a column's id (sok_facets_name_fn). */
static const char *column_value(const void *col, uint32_t id, size_t *len)
{
    const std::string &v = static_cast<const xcolumn *>(col)->vals[id - 1];
    *len = v.size();
    return v.data();
}

/* slot's column of r's one local database, as read at r->cols_of. */
static const xcolumn *column(sok_xr *r, unsigned slot)
{
    for (auto &c : r->cols)
        if (c.first == slot)
            return &c.second;
    xcolumn c;            /* filled whole before it is kept */
    c.id.assign(r->db.get_lastdocid() + 1, 0);
    std::unordered_map<std::string, uint32_t> seen;
    for (auto v = r->db.valuestream_begin(slot);
         v != r->db.valuestream_end(slot); ++v) {
        auto ins = seen.emplace(*v, uint32_t(c.vals.size() + 1));
        if (ins.second)
            c.vals.push_back(*v);
        c.id[v.get_docid()] = ins.first->second;
    }
    r->cols.emplace_back(slot, std::move(c));
    return &r->cols.back().second;
}

/* One complete search: builds a fresh result each time, so a retry after
 * DatabaseModifiedError starts clean (the unique_ptr frees a half-built
 * one). */
static result_ptr run_search(sok_xr *r, const sok_xsearch *s)
{
    const Xapian::Database &db = r->db;
    bool remote = r->remote;
    /* Columns only where a revision names the contents exactly. */
    const xcolumn *cols[SOK_XFACET_MAX + 1] = {};
    unsigned long rev = remote ? 0 : revision_of(db);
    bool columns = s->nfacets > 0 && rev != 0;
    /* With the uuid: a new generation's revisions count from 1 again. */
    std::string of = columns ? db.get_uuid() + ":" + std::to_string(rev) : "";
    if (columns && of != r->cols_of) {
        r->cols.clear();
        r->cols_of = of;
    }
    for (unsigned i = 0; columns && i < s->nfacets; i++)
        cols[i] = column(r, s->facet_slots[i]);
    if (columns && s->collapse_slot >= 0)
        cols[s->nfacets] = column(r, unsigned(s->collapse_slot));
    /* Enquire keeps a plain pointer to the spy, so it is declared first
     * and outlives it. */
    FacetSpy spy(s, columns ? cols : nullptr);
    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> vspies;
    Xapian::Enquire enq(db);
    /* 1, 0, 1, 0.5, 0.5 are BM25Weight's own defaults (k1, k2, k3, b,
     * min_normlen); only k1 and b are tunable from sok. */
    enq.set_weighting_scheme(Xapian::BM25Weight(
        s->bm25_k1 != 0 ? s->bm25_k1 : 1.0, 0, 1,
        s->bm25_b != 0 ? s->bm25_b : 0.5, 0.5));
    enq.set_query(s->query->q);
    if (s->sort_slot >= 0)
        /* Relevance breaks ties, so equal dates still rank sensibly. */
        enq.set_sort_by_value_then_relevance(
            static_cast<Xapian::valueno>(s->sort_slot), s->sort_desc != 0);
    else
        enq.set_sort_by_relevance();
    if (s->collapse_slot >= 0)
        enq.set_collapse_key(static_cast<Xapian::valueno>(s->collapse_slot));

    /* Keyed: each (key, value) counts once, which is what FacetSpy
     * counts. */
    bool keyed = s->collapse_slot >= 0 && s->facet_key_len > 0;
    for (unsigned i = 0; i < s->nfacets; i++)
        keyed = keyed && s->facet_keyed[i] != 0;
    for (unsigned i = 0; remote && i < s->nfacets; i++) {
        vspies.emplace_back(new Xapian::ValueCountMatchSpy(
            keyed ? s->facet_keyed[i] : s->facet_slots[i]));
        enq.add_matchspy(vspies.back().get());
    }
    if (s->nfacets > 0 && !remote)
        enq.add_matchspy(&spy);

    Xapian::doccount check =
        s->check_at_least != 0 ? s->check_at_least : db.get_doccount();
    sok_facets_sample(spy.counts(), check);
    Xapian::MSet mset = enq.get_mset(s->offset, s->limit, check);

    sok_xresult *fresh = nullptr;
    alloc_ok(sok_xresult_new(mset.size(), &fresh));
    result_ptr res(fresh);
    res->total = mset.get_matches_estimated();
    res->total_lower = mset.get_matches_lower_bound();
    res->total_upper = mset.get_matches_upper_bound();
    /* Asks a remote shard for every hit's document at once, not one round
     * trip per hit. */
    if (remote)
        mset.fetch();
    for (auto it = mset.begin(); it != mset.end(); ++it) {
        Xapian::Document doc = it.get_document();
        std::string data = s->no_data ? "" : doc.get_data(), key;
        if (s->key_slot >= 0)
            key = doc.get_value(static_cast<Xapian::valueno>(s->key_slot));
        alloc_ok(sok_xresult_add_hit(res.get(), *it, it.get_weight(),
                                     it.get_collapse_count(), data.data(),
                                     data.size(),
                                     s->key_slot >= 0 ? key.data() : nullptr,
                                     key.size()));
    }
    for (unsigned i = 0; i < vspies.size(); i++)
        for (auto v = vspies[i]->values_begin(); v != vspies[i]->values_end();
             ++v) {
            size_t skip = keyed ? s->facet_key_len : 0;
            if ((*v).size() > skip)
                alloc_ok(sok_facets_add_count(
                    spy.counts(), i, (*v).data() + skip,
                    (*v).size() - skip, keyed ? 1 : v.get_termfreq()));
        }
    for (unsigned i = 0; columns && i < s->nfacets; i++)
        alloc_ok(sok_facets_resolve(spy.counts(), i, column_value, cols[i]));
    /* Fewer than check matches met the spy: Xapian examined them all but
     * leaves the bounds apart when collapsing.  Else the sample counts. */
    unsigned long end = sok_facets_sample_end(spy.counts());
    if (s->nfacets > 0 && !remote && end == 0)
        res->total = res->total_upper = res->total_lower;
    else if (res->total_lower != res->total_upper)
        res->sample_end = end;
    res->last_docid = db.get_lastdocid();
    for (unsigned i = 0; i < s->nfacets; i++) {
        res->facets[i].slot = s->facet_slots[i];
        res->nfacets = i + 1;
        alloc_ok((res->sample_end ? sok_facets_get_sample : sok_facets_get)(
            spy.counts(), i, &res->facets[i]));
    }
    return res;
}

int sok_xr_search(struct sok_xr *r, const struct sok_xsearch *s,
                  struct sok_xresult **out, struct sok_err *err) noexcept
{
    /* Errors surfacing while matching are mostly about the query (e.g.
     * positional operators over sub-queries without positions). */
    return guarded(err, __func__, ctx::query, [&] {
        reset_out(out);
        need(r != nullptr && s != nullptr && s->query != nullptr,
             "NULL reader, search or query");
        need(s->nfacets <= SOK_XFACET_MAX, "too many facets");
        need(s->bm25_k1 >= 0 && s->bm25_b >= 0 && s->bm25_b <= 1,
             "BM25 parameter out of range");
        result_ptr res;
        with_retry(r, [&] { res = run_search(r, s); });
        *out = res.release();
    });
}
