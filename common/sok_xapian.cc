/*
 * sok_xapian: the only C++ in sok and the only file that includes Xapian.
 * It turns xapian-core 1.4's exception-throwing, reference-counted C++ API
 * into the pure C interface of sok_xapian.h: opaque handles created and
 * freed here, malloc()ed copies for everything handed out, and a negative
 * SOK_E* code plus a copied message instead of an exception.  Every exported
 * function runs its whole body inside try and hands any exception to one
 * translator, so no C++ exception can ever unwind into C frames.
 */
#include "sok_xapian.h"

#include <xapian.h>
#include <map>
#include <unordered_map>

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

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

/* Identity of a stub file: a rename() over it gives a new inode, and an
 * in-place rewrite a new mtime. */
struct sok_stub_id {
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
};

struct sok_xr {
    Xapian::Database db;
    std::string path;
    std::string stub;          /* "" when path is a plain database dir */
    sok_stub_id stub_id{};
    bool stub_known = false;   /* stub_id valid (stat succeeded at open) */
};

namespace {

/* Where an exception came from decides what an InvalidArgumentError means:
 * building or running a query, it is the user's malformed query (a 400 in
 * the server); anywhere else it is a caller bug. */
enum class ctx { general, query };

int set_xerr(struct sok_err *err, int code, const char *fn,
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
int translate(struct sok_err *err, const char *fn, ctx where) noexcept
{
    try {
        throw;
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
        return set_xerr(err, SOK_EXAPIAN, fn, e);
    } catch (const std::bad_alloc &) {
        return sok_err_set(err, SOK_ENOMEM, "%s: out of memory", fn);
    } catch (const std::exception &e) {
        return sok_err_set(err, SOK_EINTERNAL, "%s: %s", fn, e.what());
    } catch (...) {
        return sok_err_set(err, SOK_EINTERNAL, "%s: unknown exception", fn);
    }
}

int einval(struct sok_err *err, const char *fn, const char *what) noexcept
{
    return sok_err_set(err, SOK_EINVAL, "%s: %s", fn, what);
}

/* malloc()ed, NUL-terminated copy: the caller free()s it with the C
 * allocator, never delete. */
char *dup_bytes(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr)
        throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

}  // namespace

/* ---------------------------------------------------------------- stemmer */

int sok_stemmer_new(const char *language, struct sok_stemmer **out,
                    struct sok_err *err) noexcept
{
    try {
        if (out == nullptr)
            return einval(err, __func__, "NULL out");
        *out = nullptr;
        if (language == nullptr)
            return einval(err, __func__, "NULL language");
        /* An unknown language throws InvalidArgumentError: SOK_EINVAL. */
        *out = new sok_stemmer{Xapian::Stem(language)};
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

void sok_stemmer_free(struct sok_stemmer *st) noexcept
{
    delete st;
}

int sok_stemmer_stem(struct sok_stemmer *st, const char *word, size_t len,
                     char *out, size_t cap, struct sok_err *err) noexcept
{
    try {
        if (st == nullptr || (word == nullptr && len > 0) || out == nullptr ||
            cap == 0)
            return einval(err, __func__, "NULL argument or zero capacity");
        out[0] = '\0';
        std::string s = st->stem(std::string(word ? word : "", len));
        if (s.size() >= cap || s.size() > INT_MAX)
            return sok_err_set(err, SOK_ERANGE,
                               "%s: stem of %zu bytes does not fit in %zu",
                               __func__, s.size(), cap);
        std::memcpy(out, s.data(), s.size());
        out[s.size()] = '\0';
        return static_cast<int>(s.size());
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

/* --------------------------------------------------------------- document */

int sok_xdoc_new(struct sok_xdoc **out, struct sok_err *err) noexcept
{
    try {
        if (out == nullptr)
            return einval(err, __func__, "NULL out");
        *out = new sok_xdoc;
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

void sok_xdoc_free(struct sok_xdoc *doc) noexcept
{
    delete doc;
}

/* Xapian takes an empty term name as "no term" in places (Query("") matches
 * everything), so an empty term is refused everywhere rather than passed
 * on. */
int sok_xdoc_add_posting(struct sok_xdoc *doc, const char *term, size_t len,
                         unsigned pos, unsigned wdfinc,
                         struct sok_err *err) noexcept
{
    try {
        if (doc == nullptr || term == nullptr || len == 0)
            return einval(err, __func__, "NULL document or empty term");
        doc->doc.add_posting(std::string(term, len), pos, wdfinc);
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xdoc_add_term(struct sok_xdoc *doc, const char *term, size_t len,
                      unsigned wdfinc, struct sok_err *err) noexcept
{
    try {
        if (doc == nullptr || term == nullptr || len == 0)
            return einval(err, __func__, "NULL document or empty term");
        doc->doc.add_term(std::string(term, len), wdfinc);
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xdoc_add_boolean(struct sok_xdoc *doc, const char *term, size_t len,
                         struct sok_err *err) noexcept
{
    try {
        if (doc == nullptr || term == nullptr || len == 0)
            return einval(err, __func__, "NULL document or empty term");
        doc->doc.add_boolean_term(std::string(term, len));
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xdoc_set_value(struct sok_xdoc *doc, unsigned slot, const char *val,
                       size_t len, struct sok_err *err) noexcept
{
    try {
        if (doc == nullptr || (val == nullptr && len > 0))
            return einval(err, __func__, "NULL argument");
        /* An empty value removes the slot, as in Xapian. */
        doc->doc.add_value(slot, std::string(val ? val : "", len));
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xdoc_set_data(struct sok_xdoc *doc, const char *data, size_t len,
                      struct sok_err *err) noexcept
{
    try {
        if (doc == nullptr || (data == nullptr && len > 0))
            return einval(err, __func__, "NULL argument");
        doc->doc.set_data(std::string(data ? data : "", len));
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

/* ----------------------------------------------------------------- writer */

int sok_xw_open(const char *path, enum sok_xw_mode mode, struct sok_xw **out,
                struct sok_err *err) noexcept
{
    try {
        if (out == nullptr)
            return einval(err, __func__, "NULL out");
        *out = nullptr;
        if (path == nullptr || *path == '\0')
            return einval(err, __func__, "NULL or empty path");
        int flags;
        switch (mode) {
        case SOK_XW_OPEN:   flags = Xapian::DB_CREATE_OR_OPEN; break;
        case SOK_XW_CREATE: flags = Xapian::DB_CREATE_OR_OVERWRITE; break;
        case SOK_XW_SCRATCH:
            flags = Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC;
            break;
        default:            return einval(err, __func__, "bad mode");
        }
        std::unique_ptr<sok_xw> w(new sok_xw{
            Xapian::WritableDatabase(path, flags | Xapian::DB_BACKEND_GLASS)});
        *out = w.release();
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
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
    try {
        if (!w->in_txn)
            w->db.begin_transaction(false);
        w->db.cancel_transaction();
    } catch (...) {
        /* Nothing to report to: the lock is still released below. */
    }
    try {
        w->db.close();
    } catch (...) {
    }
    delete w;
}

int sok_xw_begin(struct sok_xw *w, struct sok_err *err) noexcept
{
    try {
        if (w == nullptr)
            return einval(err, __func__, "NULL writer");
        if (w->in_txn)
            return einval(err, __func__, "transaction already active");
        if (w->broken)
            return einval(err, __func__,
                          "a commit failed: free the writer and reopen");
        /* Flushed: commit_transaction() writes one revision to disk. */
        w->db.begin_transaction(true);
        w->in_txn = true;
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xw_commit(struct sok_xw *w, struct sok_err *err) noexcept
{
    try {
        if (w == nullptr)
            return einval(err, __func__, "NULL writer");
        if (!w->in_txn)
            return einval(err, __func__, "no active transaction");
        /* Xapian ends the transaction even when the commit throws. */
        w->in_txn = false;
        w->broken = true;
        w->db.commit_transaction();
        w->broken = false;
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

namespace {

int need_txn(const struct sok_xw *w, struct sok_err *err, const char *fn)
{
    if (w == nullptr)
        return einval(err, fn, "NULL writer");
    if (!w->in_txn)
        return einval(err, fn, "no active transaction (call sok_xw_begin)");
    return 0;
}

}  // namespace

namespace {

/* sok_xw_replace and sok_xw_add_new: fresh skips the lookup of an older
 * document with the same unique term. */
int write_doc(struct sok_xw *w, const char *uterm, struct sok_xdoc *doc,
              bool fresh, struct sok_err *err, const char *fn) noexcept
{
    try {
        if (int rc = need_txn(w, err, fn))
            return rc;
        if (uterm == nullptr || *uterm == '\0' || doc == nullptr)
            return einval(err, fn, "NULL document or empty term");
        /* A document must carry its own unique term or it could never be
         * found, replaced or deleted again; adding a boolean term that is
         * already there changes nothing. */
        std::string t(uterm);
        doc->doc.add_boolean_term(t);
        if (fresh)
            w->db.add_document(doc->doc);
        else
            w->db.replace_document(t, doc->doc);
        return 0;
    } catch (...) {
        return translate(err, fn, ctx::general);
    }
}

}  // namespace

int sok_xw_replace(struct sok_xw *w, const char *uterm, struct sok_xdoc *doc,
                   struct sok_err *err) noexcept
{
    return write_doc(w, uterm, doc, false, err, __func__);
}

int sok_xw_add_new(struct sok_xw *w, const char *uterm, struct sok_xdoc *doc,
                   struct sok_err *err) noexcept
{
    return write_doc(w, uterm, doc, true, err, __func__);
}

int sok_xw_delete_term(struct sok_xw *w, const char *term, int spelling,
                       struct sok_err *err) noexcept
{
    try {
        if (int rc = need_txn(w, err, __func__))
            return rc;
        if (term == nullptr || *term == '\0')
            return einval(err, __func__, "NULL or empty term");
        std::string t(term);
        if (spelling) {
            /* Collect first: changing the database while walking one of
             * its posting lists is not something Xapian promises to allow. */
            std::vector<Xapian::docid> ids;
            for (auto p = w->db.postlist_begin(t); p != w->db.postlist_end(t);
                 ++p)
                ids.push_back(*p);
            for (Xapian::docid id : ids) {
                Xapian::Document d = w->db.get_document(id);
                for (auto it = d.termlist_begin(); it != d.termlist_end();
                     ++it) {
                    const std::string &word = *it;
                    /* Prefixed terms start with an ASCII capital (Xapian's
                     * convention) and never went into the dictionary. */
                    if (word.empty() || (word[0] >= 'A' && word[0] <= 'Z'))
                        continue;
                    w->db.remove_spelling(word, it.get_wdf());
                }
            }
        }
        w->db.delete_document(t);
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xw_add_spelling(struct sok_xw *w, const char *word, size_t len,
                        unsigned freqinc, struct sok_err *err) noexcept
{
    try {
        if (int rc = need_txn(w, err, __func__))
            return rc;
        if (word == nullptr || len == 0)
            return einval(err, __func__, "NULL or empty word");
        w->db.add_spelling(std::string(word, len), freqinc);
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xw_set_metadata(struct sok_xw *w, const char *key, const char *val,
                        size_t len, struct sok_err *err) noexcept
{
    try {
        if (int rc = need_txn(w, err, __func__))
            return rc;
        if (key == nullptr || *key == '\0' || (val == nullptr && len > 0))
            return einval(err, __func__, "NULL argument or empty key");
        /* An empty value deletes the key, as in Xapian. */
        w->db.set_metadata(key, std::string(val ? val : "", len));
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

namespace {

int get_metadata(const Xapian::Database &db, const char *key, char **val,
                 size_t *len)
{
    std::string v = db.get_metadata(key);
    *val = dup_bytes(v);
    if (len != nullptr)
        *len = v.size();
    return 0;
}

}  // namespace

int sok_xw_get_metadata(struct sok_xw *w, const char *key, char **val,
                        size_t *len, struct sok_err *err) noexcept
{
    try {
        if (val == nullptr)
            return einval(err, __func__, "NULL out");
        *val = nullptr;
        if (w == nullptr || key == nullptr || *key == '\0')
            return einval(err, __func__, "NULL writer or empty key");
        return get_metadata(w->db, key, val, len);
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xw_metadata_walk(struct sok_xw *w, const char *prefix, sok_xmeta_cb cb,
                         void *ctx_, struct sok_err *err) noexcept
{
    try {
        if (w == nullptr || cb == nullptr)
            return einval(err, __func__, "NULL writer or callback");
        std::string pfx(prefix ? prefix : "");
        for (auto it = w->db.metadata_keys_begin(pfx);
             it != w->db.metadata_keys_end(pfx); ++it) {
            const std::string &key = *it;
            std::string v = w->db.get_metadata(key);
            if (int rc = cb(ctx_, key.c_str(), v.data(), v.size()))
                return rc;
        }
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xw_doccount(struct sok_xw *w, unsigned long *n,
                    struct sok_err *err) noexcept
{
    try {
        if (w == nullptr || n == nullptr)
            return einval(err, __func__, "NULL argument");
        *n = w->db.get_doccount();
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xapian_compact(const char *const *srcs, size_t n, const char *dst,
                       struct sok_err *err) noexcept
{
    try {
        if (srcs == nullptr || n == 0 || dst == nullptr || *dst == '\0')
            return einval(err, __func__, "no sources or no destination");
        struct stat sb;
        if (stat(dst, &sb) == 0)
            return sok_err_set(err, SOK_EINVAL, "%s: %s already exists",
                               __func__, dst);
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) {
            if (srcs[i] == nullptr)
                return einval(err, __func__, "NULL source");
            all.add_database(Xapian::Database(srcs[i]));
        }
        /* A normal multi-file glass directory (not DBCOMPACT_SINGLE_FILE),
         * so the result can be opened for writing and updated later.
         * Document ids are renumbered so the shards' ids do not clash. */
        all.compact(dst, Xapian::DB_BACKEND_GLASS);
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

/* ----------------------------------------------------------------- query */

namespace {

sok_xq *wrap(Xapian::Query &&q)
{
    return new sok_xq{std::move(q)};
}

}  // namespace

struct sok_xq *sok_xq_term(const char *term, size_t len, unsigned wqf,
                           unsigned pos, struct sok_err *err) noexcept
{
    try {
        /* Query("") would match every document. */
        if (term == nullptr || len == 0) {
            sok_err_set(err, SOK_EQUERY, "%s: empty term", __func__);
            return nullptr;
        }
        return wrap(Xapian::Query(std::string(term, len), wqf ? wqf : 1,
                                  pos));
    } catch (...) {
        translate(err, __func__, ctx::query);
        return nullptr;
    }
}

struct sok_xq *sok_xq_combine(enum sok_xq_op op, struct sok_xq *const *subs,
                              size_t n, unsigned window,
                              struct sok_err *err) noexcept
{
    try {
        Xapian::Query::op xop;
        bool positional = false;
        switch (op) {
        case SOK_XQ_AND:       xop = Xapian::Query::OP_AND; break;
        case SOK_XQ_OR:        xop = Xapian::Query::OP_OR; break;
        case SOK_XQ_AND_NOT:   xop = Xapian::Query::OP_AND_NOT; break;
        case SOK_XQ_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
        case SOK_XQ_FILTER:    xop = Xapian::Query::OP_FILTER; break;
        case SOK_XQ_PHRASE:
            xop = Xapian::Query::OP_PHRASE;
            positional = true;
            break;
        case SOK_XQ_NEAR:
            xop = Xapian::Query::OP_NEAR;
            positional = true;
            break;
        case SOK_XQ_SYNONYM:   xop = Xapian::Query::OP_SYNONYM; break;
        default:
            einval(err, __func__, "unknown operator");
            return nullptr;
        }
        if (subs == nullptr && n > 0) {
            einval(err, __func__, "NULL sub-query array");
            return nullptr;
        }
        /* Xapian would quietly make an empty query that matches nothing;
         * asking for that is a malformed query, not a request. */
        if (n == 0) {
            sok_err_set(err, SOK_EQUERY, "%s: no sub-queries", __func__);
            return nullptr;
        }
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) {
            if (subs[i] == nullptr) {
                einval(err, __func__, "NULL sub-query");
                return nullptr;
            }
            v.push_back(subs[i]->q);
        }
        /* The window means something only to PHRASE and NEAR; 0 gives
         * Xapian's default, the number of sub-queries. */
        return wrap(Xapian::Query(xop, v.begin(), v.end(),
                                  positional ? window : 0));
    } catch (...) {
        translate(err, __func__, ctx::query);
        return nullptr;
    }
}

struct sok_xq *sok_xq_scale(struct sok_xq *q, double factor,
                            struct sok_err *err) noexcept
{
    try {
        if (q == nullptr) {
            einval(err, __func__, "NULL query");
            return nullptr;
        }
        /* A negative factor throws InvalidArgumentError: SOK_EQUERY. */
        return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q,
                                  factor));
    } catch (...) {
        translate(err, __func__, ctx::query);
        return nullptr;
    }
}

struct sok_xq *sok_xq_wildcard(const char *prefix, size_t len,
                               unsigned max_expansion,
                               struct sok_err *err) noexcept
{
    try {
        /* An empty prefix would expand to every term in the index,
         * prefixed ones included. */
        if (prefix == nullptr || len == 0) {
            sok_err_set(err, SOK_EQUERY, "%s: empty wildcard prefix",
                        __func__);
            return nullptr;
        }
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
    } catch (...) {
        translate(err, __func__, ctx::query);
        return nullptr;
    }
}

struct sok_xq *sok_xq_value_range(unsigned slot, const char *lo,
                                  const char *hi, struct sok_err *err) noexcept
{
    try {
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
    } catch (...) {
        translate(err, __func__, ctx::query);
        return nullptr;
    }
}

struct sok_xq *sok_xq_match_all(struct sok_err *err) noexcept
{
    try {
        return wrap(Xapian::Query(Xapian::Query::MatchAll));
    } catch (...) {
        translate(err, __func__, ctx::query);
        return nullptr;
    }
}

struct sok_xq *sok_xq_match_nothing(struct sok_err *err) noexcept
{
    try {
        return wrap(Xapian::Query(Xapian::Query::MatchNothing));
    } catch (...) {
        translate(err, __func__, ctx::query);
        return nullptr;
    }
}

void sok_xq_free(struct sok_xq *q) noexcept
{
    delete q;
}

char *sok_xq_describe(const struct sok_xq *q) noexcept
{
    try {
        if (q == nullptr)
            return nullptr;
        return dup_bytes(q->q.get_description());
    } catch (...) {
        return nullptr;
    }
}

/* ----------------------------------------------------------------- reader */

namespace {

bool same_stub(const sok_stub_id &a, const sok_stub_id &b)
{
    return a.dev == b.dev && a.ino == b.ino && a.size == b.size &&
           a.mtime.tv_sec == b.mtime.tv_sec &&
           a.mtime.tv_nsec == b.mtime.tv_nsec;
}

bool stat_stub(const std::string &stub, sok_stub_id *id)
{
    struct stat sb;
    if (stat(stub.c_str(), &sb) != 0)
        return false;
    id->dev = sb.st_dev;
    id->ino = sb.st_ino;
    id->mtime = sb.st_mtim;
    id->size = sb.st_size;
    return true;
}

/* The stub file that decides what path opens, or "" when path is a
 * database directory (whose own revisions reopen() follows). */
std::string find_stub(const std::string &path)
{
    struct stat sb;
    if (stat(path.c_str(), &sb) != 0)
        return std::string();
    if (!S_ISDIR(sb.st_mode))
        return path;
    /* Xapian prefers a glass database over a stub in the same dir. */
    if (stat((path + "/iamglass").c_str(), &sb) == 0)
        return std::string();
    std::string stub = path + "/XAPIANDB";
    if (stat(stub.c_str(), &sb) == 0)
        return stub;
    return std::string();
}

/* Runs f, and once more after reopen() if a writer's commit recycled the
 * blocks f was reading.  f must be safe to run twice. */
template <typename F>
void with_retry(sok_xr *r, F &&f)
{
    try {
        f();
        return;
    } catch (const Xapian::DatabaseModifiedError &) {
    }
    r->db.reopen();
    f();
}

/* Revision of a single local database; 0 when Xapian has none to give
 * (no shard, several shards, or a backend without revisions). */
unsigned long revision_of(const Xapian::Database &db)
{
    if (db.size() != 1)
        return 0;
    try {
        return db.get_revision();
    } catch (const Xapian::InvalidOperationError &) {
        return 0;
    }
}

}  // namespace

int sok_xr_open(const char *path, struct sok_xr **out,
                struct sok_err *err) noexcept
{
    try {
        if (out == nullptr)
            return einval(err, __func__, "NULL out");
        *out = nullptr;
        if (path == nullptr || *path == '\0')
            return einval(err, __func__, "NULL or empty path");
        std::unique_ptr<sok_xr> r(new sok_xr);
        r->path = path;
        r->stub = find_stub(r->path);
        /* Stat before opening: if the stub is swapped in between, we open
         * the new database and remember the old stub, which costs one
         * needless reopen later; the other order could miss a swap for
         * good. */
        if (!r->stub.empty())
            r->stub_known = stat_stub(r->stub, &r->stub_id);
        r->db = Xapian::Database(r->path);
        *out = r.release();
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

void sok_xr_free(struct sok_xr *r) noexcept
{
    if (r == nullptr)
        return;
    try {
        r->db.close();
    } catch (...) {
    }
    delete r;
}

int sok_xr_refresh(struct sok_xr *r, int *changed,
                   struct sok_err *err) noexcept
{
    try {
        if (changed != nullptr)
            *changed = 0;
        if (r == nullptr)
            return einval(err, __func__, "NULL reader");
        if (!r->stub.empty()) {
            sok_stub_id now;
            /* A stub that cannot be stat()ed right now (say, deleted) does
             * not count as a swap: keep serving the open database. */
            if (stat_stub(r->stub, &now) &&
                (!r->stub_known || !same_stub(now, r->stub_id))) {
                Xapian::Database fresh(r->path);
                r->db = std::move(fresh);
                r->stub_id = now;
                r->stub_known = true;
                if (changed != nullptr)
                    *changed = 1;
                return 0;
            }
        }
        unsigned long before = revision_of(r->db);
        bool reopened = r->db.reopen();
        /* With one shard the revision is exact; with several, reopen()'s
         * "might have changed" is all Xapian offers. */
        bool moved = r->db.size() == 1 ? revision_of(r->db) != before
                                       : reopened;
        if (changed != nullptr)
            *changed = moved ? 1 : 0;
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_doccount(struct sok_xr *r, unsigned long *n,
                    struct sok_err *err) noexcept
{
    try {
        if (r == nullptr || n == nullptr)
            return einval(err, __func__, "NULL argument");
        with_retry(r, [&] { *n = r->db.get_doccount(); });
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_revision(struct sok_xr *r, unsigned long *rev,
                    struct sok_err *err) noexcept
{
    try {
        if (r == nullptr || rev == nullptr)
            return einval(err, __func__, "NULL argument");
        *rev = revision_of(r->db);
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_termfreq(struct sok_xr *r, const char *term, size_t len,
                    unsigned long *freq, struct sok_err *err) noexcept
{
    try {
        if (r == nullptr || freq == nullptr || (term == nullptr && len > 0))
            return einval(err, __func__, "NULL argument");
        std::string t(term ? term : "", len);
        with_retry(r, [&] { *freq = r->db.get_termfreq(t); });
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_get_metadata(struct sok_xr *r, const char *key, char **val,
                        size_t *len, struct sok_err *err) noexcept
{
    try {
        if (val == nullptr)
            return einval(err, __func__, "NULL out");
        *val = nullptr;
        if (r == nullptr || key == nullptr || *key == '\0')
            return einval(err, __func__, "NULL reader or empty key");
        with_retry(r, [&] { get_metadata(r->db, key, val, len); });
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_terms(struct sok_xr *r, const char *prefix, size_t plen,
                 size_t limit, sok_xterm_cb cb, void *ctx_,
                 struct sok_err *err) noexcept
{
    try {
        if (r == nullptr || cb == nullptr || (prefix == nullptr && plen > 0))
            return einval(err, __func__, "NULL argument");
        std::string pfx(prefix ? prefix : "", plen);
        int rc = 0;
        size_t seen = 0;
        /* Retrying after the callback has seen terms would show it some of
         * them twice, so only a walk that has delivered nothing retries. */
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
        try {
            walk();
        } catch (const Xapian::DatabaseModifiedError &) {
            if (seen != 0)
                throw;
            r->db.reopen();
            walk();
        }
        return rc;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_has_prefix(struct sok_xr *r, const char *prefix, size_t plen,
                      int *found, struct sok_err *err) noexcept
{
    try {
        if (r == nullptr || found == nullptr || (prefix == nullptr && plen > 0))
            return einval(err, __func__, "NULL argument");
        std::string pfx(prefix ? prefix : "", plen);
        with_retry(r, [&] {
            *found = r->db.allterms_begin(pfx) != r->db.allterms_end(pfx);
        });
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_spelling(struct sok_xr *r, const char *word, size_t len,
                    unsigned max_edit, char **out,
                    struct sok_err *err) noexcept
{
    try {
        if (out == nullptr)
            return einval(err, __func__, "NULL out");
        *out = nullptr;
        if (r == nullptr || (word == nullptr && len > 0))
            return einval(err, __func__, "NULL argument");
        std::string w(word ? word : "", len);
        std::string s;
        with_retry(r, [&] { s = r->db.get_spelling_suggestion(w, max_edit); });
        *out = dup_bytes(s);
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

int sok_xr_get_data(struct sok_xr *r, const char *uterm, char **data,
                    size_t *len, struct sok_err *err) noexcept
{
    try {
        if (data == nullptr)
            return einval(err, __func__, "NULL out");
        *data = nullptr;
        if (r == nullptr || uterm == nullptr || *uterm == '\0')
            return einval(err, __func__, "NULL reader or empty term");
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
            return sok_err_set(err, SOK_ENOTFOUND, "%s: no document %s",
                               __func__, uterm);
        *data = dup_bytes(d);
        if (len != nullptr)
            *len = d.size();
        return 0;
    } catch (...) {
        return translate(err, __func__, ctx::general);
    }
}

namespace {

struct result_deleter {
    void operator()(sok_xresult *res) const noexcept
    {
        sok_xresult_free(res);
    }
};
using result_ptr = std::unique_ptr<sok_xresult, result_deleter>;

template <typename T>
T *calloc_array(size_t n)
{
    if (n == 0)
        return nullptr;
    T *p = static_cast<T *>(std::calloc(n, sizeof(T)));
    if (p == nullptr)
        throw std::bad_alloc();
    return p;
}

/* Facet counts for every facet slot in one pass over the matches (a
 * spy per slot read the document's values once per slot).  With a
 * collapse key: Xapian 1.4 runs match spies before the collapse, so
 * counting documents would count both copies of a duplicate that the hit
 * list shows once.  Per facet value, this counts the distinct collapse
 * keys instead (a document without a key counts alone), which is what the
 * collapsed result set holds.  Nearly every key is seen once, so a key
 * remembers the few values it has been counted under and nothing else is
 * stored per match.  Local databases only: a remote shard would need the
 * spy to be serialisable. */
class FacetSpy : public Xapian::MatchSpy {
  public:
    FacetSpy(const unsigned *slots, unsigned n, int cslot)
        : slots_(slots, slots + n), cslot_(cslot), counts_(n) {}

    void operator()(const Xapian::Document &doc, double) override
    {
        std::string v[SOK_XFACET_MAX];
        for (size_t i = 0; i < slots_.size(); i++)
            v[i] = doc.get_value(slots_[i]);
        std::string k;
        if (cslot_ >= 0)
            k = doc.get_value(static_cast<Xapian::valueno>(cslot_));
        if (k.empty()) {
            for (size_t i = 0; i < slots_.size(); i++)
                if (!v[i].empty())
                    counts_[i][v[i]]++;
            return;
        }
        auto ins = seen_.try_emplace(std::move(k));
        auto &had = ins.first->second;
        for (size_t i = 0; i < slots_.size(); i++) {
            if (v[i].empty())
                continue;
            bool dup = false;
            for (const auto &h : had)
                if (h.first == i && h.second == v[i]) {
                    dup = true;
                    break;
                }
            if (dup)
                continue;
            counts_[i][v[i]]++;
            had.emplace_back(i, v[i]);
        }
    }

    const std::unordered_map<std::string, Xapian::doccount> &
    counts(size_t i) const
    {
        return counts_[i];
    }

  private:
    std::vector<Xapian::valueno> slots_;
    int cslot_;
    std::vector<std::unordered_map<std::string, Xapian::doccount>> counts_;
    std::unordered_map<std::string,
                       std::vector<std::pair<size_t, std::string>>> seen_;
};

/* One complete search: builds a fresh result each time, so a retry after
 * DatabaseModifiedError starts clean (the unique_ptr frees a half-built
 * one). */
result_ptr run_search(const Xapian::Database &db, const sok_xsearch *s)
{
    /* Enquire keeps a plain pointer to the spy, so it is declared first
     * and outlives it. */
    FacetSpy spy(s->facet_slots, s->nfacets, s->collapse_slot);
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

    if (s->nfacets > 0)
        enq.add_matchspy(&spy);

    Xapian::doccount check =
        s->check_at_least != 0 ? s->check_at_least : db.get_doccount();
    Xapian::MSet mset = enq.get_mset(s->offset, s->limit, check);

    result_ptr res(calloc_array<sok_xresult>(1));
    res->total = mset.get_matches_estimated();
    res->total_lower = mset.get_matches_lower_bound();
    res->total_upper = mset.get_matches_upper_bound();

    res->hits = calloc_array<sok_xhit>(mset.size());
    for (auto it = mset.begin(); it != mset.end(); ++it) {
        /* nhits only counts fully built hits, so a throw here leaves
         * sok_xresult_free() nothing half-done to trip over. */
        sok_xhit &h = res->hits[res->nhits];
        std::string data = it.get_document().get_data();
        h.data = dup_bytes(data);
        h.data_len = data.size();
        h.docid = *it;
        h.weight = it.get_weight();
        h.collapse_count = it.get_collapse_count();
        res->nhits++;
    }

    for (unsigned i = 0; i < s->nfacets; i++) {
        std::vector<std::pair<std::string, Xapian::doccount>> counts(
            spy.counts(i).begin(), spy.counts(i).end());
        std::sort(counts.begin(), counts.end(),
                  [](const auto &a, const auto &b) {
                      return a.second != b.second ? a.second > b.second
                                                  : a.first < b.first;
                  });
        sok_xfacet &f = res->facets[i];
        f.slot = s->facet_slots[i];
        f.counts = calloc_array<sok_xfacet_count>(counts.size());
        res->nfacets = i + 1;
        for (const auto &c : counts) {
            f.counts[f.n].value = dup_bytes(c.first);
            f.counts[f.n].count = c.second;
            f.n++;
        }
    }
    return res;
}

}  // namespace

int sok_xr_search(struct sok_xr *r, const struct sok_xsearch *s,
                  struct sok_xresult **out, struct sok_err *err) noexcept
{
    try {
        if (out == nullptr)
            return einval(err, __func__, "NULL out");
        *out = nullptr;
        if (r == nullptr || s == nullptr || s->query == nullptr)
            return einval(err, __func__, "NULL reader, search or query");
        if (s->nfacets > SOK_XFACET_MAX)
            return einval(err, __func__, "too many facets");
        if (s->bm25_k1 < 0 || s->bm25_b < 0 || s->bm25_b > 1)
            return einval(err, __func__, "BM25 parameter out of range");
        result_ptr res;
        with_retry(r, [&] { res = run_search(r->db, s); });
        *out = res.release();
        return 0;
    } catch (...) {
        /* Errors surfacing while matching are mostly about the query
         * (e.g. positional operators over sub-queries without positions). */
        return translate(err, __func__, ctx::query);
    }
}

void sok_xresult_free(struct sok_xresult *res) noexcept
{
    if (res == nullptr)
        return;
    for (size_t i = 0; i < res->nhits; i++)
        std::free(res->hits[i].data);
    std::free(res->hits);
    for (size_t i = 0; i < res->nfacets && i < SOK_XFACET_MAX; i++) {
        for (size_t j = 0; j < res->facets[i].n; j++)
            std::free(res->facets[i].counts[j].value);
        std::free(res->facets[i].counts);
    }
    std::free(res);
}
