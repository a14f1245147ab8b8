/*
 * Unit tests for the Xapian shim (common/sok_xapian.cc): every SOK_E* code
 * the shim can produce from a real Xapian database, and the behaviours the
 * indexer and server rely on (transactions that discard, delete by term
 * with spelling, facets, collapse, sort, ranges, phrases, wildcards, stub
 * swaps, refresh, compaction).  Each test works on real glass databases in
 * its own directory under one mkdtemp() tree, removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sok_terms.h"
#include "sok_xapian.h"

static char g_root[64];

static int rm_entry(const char *path, const struct stat *sb, int type,
                    struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(g_root, "/tmp/sok_test_xapian_XXXXXX");
    return mkdtemp(g_root) == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(g_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* g_root/name, in a static buffer per slot so a test can hold a few. */
static const char *tpath(int slot, const char *name)
{
    static char buf[8][256];
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", g_root, name);
    return buf[slot];
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------ fixtures */

/* One test document: the words go in as positional unprefixed terms
 * (space separated), plus their stem-less Z copies so the prefixed-term
 * rules have something to skip; values by slot. */
struct tdoc {
    const char *id;       /* unique term without the Q prefix */
    const char *words;
    const char *file;     /* F term, or NULL */
    const char *date, *type, *dupkey;
};

static void add_doc(struct sok_xw *w, const struct tdoc *t, int spelling)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xdoc *d = NULL;
    assert_int_equal(sok_xdoc_new(&d, &err), 0);
    char words[256];
    snprintf(words, sizeof words, "%s", t->words);
    unsigned pos = 1;
    for (char *save = NULL, *tok = strtok_r(words, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        assert_int_equal(sok_xdoc_add_posting(d, tok, strlen(tok), pos++, 1,
                                              &err), 0);
        char z[64];
        snprintf(z, sizeof z, "Z%s", tok);
        assert_int_equal(sok_xdoc_add_term(d, z, strlen(z), 1, &err), 0);
        if (spelling)
            assert_int_equal(sok_xw_add_spelling(w, tok, strlen(tok), 1,
                                                 &err), 0);
    }
    char q[64];
    snprintf(q, sizeof q, "Q%s", t->id);
    if (t->file) {
        char f[64];
        snprintf(f, sizeof f, "F%s", t->file);
        assert_int_equal(sok_xdoc_add_boolean(d, f, strlen(f), &err), 0);
    }
    if (t->date)
        assert_int_equal(sok_xdoc_set_value(d, SOK_SLOT_DATE, t->date,
                                            strlen(t->date), &err), 0);
    if (t->type)
        assert_int_equal(sok_xdoc_set_value(d, SOK_SLOT_TYPE, t->type,
                                            strlen(t->type), &err), 0);
    if (t->dupkey)
        assert_int_equal(sok_xdoc_set_value(d, SOK_SLOT_DUPKEY, t->dupkey,
                                            strlen(t->dupkey), &err), 0);
    /* The data is the id, so hits can be checked by name. */
    assert_int_equal(sok_xdoc_set_data(d, t->id, strlen(t->id), &err), 0);
    /* Q term deliberately not added: sok_xw_replace must add it. */
    assert_int_equal(sok_xw_replace(w, q, d, &err), 0);
    assert_int_equal(err.code, 0);
    sok_xdoc_free(d);
}

/* Creates (overwriting) a database at path holding docs[0..n). */
static void make_db(const char *path, const struct tdoc *docs, size_t n,
                    int spelling)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(path, SOK_XW_CREATE, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    for (size_t i = 0; i < n; i++)
        add_doc(w, &docs[i], spelling);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    sok_xw_free(w);
}

static unsigned long doccount(const char *path)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xr *r = NULL;
    unsigned long n = 0;
    assert_int_equal(sok_xr_open(path, &r, &err), 0);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    sok_xr_free(r);
    return n;
}

static struct sok_xq *term(const char *t)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xq *q = sok_xq_term(t, strlen(t), 1, 0, &err);
    assert_non_null(q);
    return q;
}

static struct sok_xq *pterm(const char *t, unsigned pos)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xq *q = sok_xq_term(t, strlen(t), 1, pos, &err);
    assert_non_null(q);
    return q;
}

static void search_init(struct sok_xsearch *s, const struct sok_xq *q)
{
    memset(s, 0, sizeof *s);
    s->query = q;
    s->limit = 100;
    s->sort_slot = -1;
    s->collapse_slot = -1;
    s->key_slot = -1;
}

static struct sok_xresult *search(struct sok_xr *r, const struct sok_xsearch *s)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xresult *res = NULL;
    int rc = sok_xr_search(r, s, &res, &err);
    if (rc != 0)
        fail_msg("search: %s %s", sok_err_name(rc), err.msg);
    assert_non_null(res);
    return res;
}

/* Number of hits of q in the reader, freeing everything. */
static size_t count_hits(struct sok_xr *r, struct sok_xq *q)
{
    struct sok_xsearch s;
    search_init(&s, q);
    struct sok_xresult *res = search(r, &s);
    size_t n = res->nhits;
    assert_int_equal(res->total, n);
    sok_xresult_free(res);
    return n;
}

/* Hits' data joined with ',' ("a,b,c"), for order checks. */
static void hit_ids(const struct sok_xresult *res, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < res->nhits; i++) {
        if (i)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, res->hits[i].data, cap - strlen(out) - 1);
    }
}

static const struct tdoc k_docs[] = {
    { "a", "röd bil kör fort", "f1", "20170301", "news", "d1" },
    { "b", "bil röd står still", "f1", "20160101", "news", "d1" },
    { "c", "elefant i rummet", "f2", "20180515", "report", "d2" },
    { "d", "gemensam röd elefant", "f3", "20171231", "minutes", NULL },
};
#define K_NDOCS (sizeof k_docs / sizeof k_docs[0])

/* --------------------------------------------------------------- stemmer */

static void test_stemmer(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_stemmer *st = NULL;
    char out[32];

    assert_int_equal(sok_stemmer_new("swedish", &st, &err), 0);
    assert_int_equal(sok_stemmer_stem(st, "flickorna", 9, out, sizeof out,
                                      &err), 5);
    assert_string_equal(out, "flick");
    assert_int_equal(sok_stemmer_stem(st, "husen", 5, out, sizeof out, &err),
                     3);
    assert_string_equal(out, "hus");
    /* len, not the NUL, bounds the word. */
    assert_int_equal(sok_stemmer_stem(st, "husenXYZ", 5, out, sizeof out,
                                      &err), 3);
    assert_int_equal(err.code, 0);

    /* "flick" needs 6 bytes with its NUL. */
    assert_int_equal(sok_stemmer_stem(st, "flickorna", 9, out, 5, &err),
                     SOK_ERANGE);
    assert_int_equal(err.code, SOK_ERANGE);
    sok_err_clear(&err);
    assert_int_equal(sok_stemmer_stem(st, "x", 1, NULL, 8, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_stemmer_stem(NULL, "x", 1, out, 8, &err), SOK_EINVAL);
    sok_stemmer_free(st);

    sok_err_clear(&err);
    st = (struct sok_stemmer *)1;
    assert_int_equal(sok_stemmer_new("klingon", &st, &err), SOK_EINVAL);
    assert_null(st);
    assert_non_null(strstr(err.msg, "InvalidArgumentError"));
    sok_stemmer_free(NULL);
}

/* ------------------------------------------------------------ error paths */

static void test_open_missing(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xr *r = (struct sok_xr *)1;
    assert_int_equal(sok_xr_open(tpath(0, "no-such-index"), &r, &err),
                     SOK_ENODB);
    assert_null(r);
    assert_int_equal(err.code, SOK_ENODB);
    /* The exception's own type and message were copied. */
    assert_non_null(strstr(err.msg, "DatabaseNotFoundError"));
    assert_non_null(strstr(err.msg, "no-such-index"));

    /* A stub with a line Xapian cannot parse. */
    assert_int_equal(mkdir(tpath(0, "badstub"), 0755), 0);
    write_file(tpath(1, "badstub/XAPIANDB"), "frobnicate gen-1\n");
    sok_err_clear(&err);
    assert_int_equal(sok_xr_open(tpath(0, "badstub"), &r, &err), SOK_ENODB);

    sok_err_clear(&err);
    assert_int_equal(sok_xr_open(NULL, &r, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xr_open("x", NULL, &err), SOK_EINVAL);
    sok_xr_free(NULL);
}

static void test_writer_locked(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xw *w1 = NULL, *w2 = (struct sok_xw *)1;
    const char *p = tpath(0, "locked");
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w1, &err), 0);
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w2, &err), SOK_ELOCKED);
    assert_null(w2);
    assert_non_null(strstr(err.msg, "DatabaseLockError"));
    sok_xw_free(w1);

    /* Freeing the first writer released the lock. */
    sok_err_clear(&err);
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w2, &err), 0);
    sok_xw_free(w2);

    sok_err_clear(&err);
    assert_int_equal(sok_xw_open(p, (enum sok_xw_mode)7, &w2, &err),
                     SOK_EINVAL);
    sok_xw_free(NULL);
}

static void test_corrupt(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xr *r = NULL;
    const char *p = tpath(0, "corrupt");
    make_db(p, k_docs, 1, 0);
    /* Garbage over the revision file's magic. */
    write_file(tpath(1, "corrupt/iamglass"), "this is not a glass version file");
    assert_int_equal(sok_xr_open(p, &r, &err), SOK_ECORRUPT);
    assert_null(r);
    assert_non_null(strstr(err.msg, "DatabaseCorruptError"));
}

/* Any other Xapian::Error: a stub naming a remote database whose port
 * refuses connections gives a NetworkError. */
static void test_other_xapian_error(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    /* Bound but not listening: connecting to it is refused at once. */
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);

    char stub[64];
    snprintf(stub, sizeof stub, "remote :tcp 127.0.0.1:%u\n",
             (unsigned)ntohs(sa.sin_port));
    write_file(tpath(0, "remote.stub"), stub);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(tpath(0, "remote.stub"), &r, &err),
                     SOK_EXAPIAN);
    assert_null(r);
    assert_non_null(strstr(err.msg, "NetworkError"));
    close(fd);
}

static void test_query_errors(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xq *a = term("röd");

    /* Zero sub-queries: malformed (user input can produce it). */
    assert_null(sok_xq_combine(SOK_XQ_AND, &a, 0, 0, &err));
    assert_int_equal(err.code, SOK_EQUERY);
    /* Caller bugs: unknown operator, NULL sub-query, NULL array. */
    sok_err_clear(&err);
    assert_null(sok_xq_combine((enum sok_xq_op)99, &a, 1, 0, &err));
    assert_int_equal(err.code, SOK_EINVAL);
    struct sok_xq *subs[2] = { a, NULL };
    sok_err_clear(&err);
    assert_null(sok_xq_combine(SOK_XQ_OR, subs, 2, 0, &err));
    assert_int_equal(err.code, SOK_EINVAL);
    sok_err_clear(&err);
    assert_null(sok_xq_combine(SOK_XQ_OR, NULL, 2, 0, &err));
    assert_int_equal(err.code, SOK_EINVAL);
    /* An empty term would match everything. */
    sok_err_clear(&err);
    assert_null(sok_xq_term("", 0, 1, 0, &err));
    assert_int_equal(err.code, SOK_EQUERY);
    sok_err_clear(&err);
    assert_null(sok_xq_wildcard("", 0, 10, &err));
    assert_int_equal(err.code, SOK_EQUERY);
    /* Xapian's InvalidArgumentError while building a query. */
    sok_err_clear(&err);
    assert_null(sok_xq_scale(a, -1.0, &err));
    assert_int_equal(err.code, SOK_EQUERY);
    assert_non_null(strstr(err.msg, "InvalidArgumentError"));
    sok_err_clear(&err);
    assert_null(sok_xq_scale(NULL, 2.0, &err));
    assert_int_equal(err.code, SOK_EINVAL);

    /* Xapian's UnimplementedError for a query it cannot run: a phrase
     * over a non-leaf sub-query. */
    struct sok_xq *b = term("bil");
    struct sok_xq *ab[2] = { a, b };
    struct sok_xq *and = sok_xq_combine(SOK_XQ_AND, ab, 2, 0, &err);
    assert_non_null(and);
    struct sok_xq *nested[2] = { and, b };
    sok_err_clear(&err);
    assert_null(sok_xq_combine(SOK_XQ_PHRASE, nested, 2, 0, &err));
    assert_int_equal(err.code, SOK_EQUERY);
    assert_non_null(strstr(err.msg, "UnimplementedError"));
    sok_xq_free(and);
    sok_xq_free(b);

    sok_err_clear(&err);
    struct sok_xq *s = sok_xq_scale(a, 2.5, &err);
    assert_non_null(s);
    char *desc = sok_xq_describe(s);
    assert_non_null(desc);
    assert_non_null(strstr(desc, "2.5 * röd"));
    free(desc);
    assert_null(sok_xq_describe(NULL));

    sok_xq_free(s);
    sok_xq_free(a);
    sok_xq_free(NULL);
}

/* A change outside a transaction could not be discarded, so it is refused;
 * so are mismatched begin/commit. */
static void test_writer_misuse(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    struct sok_xw *w = NULL;
    struct sok_xdoc *d = NULL;
    assert_int_equal(sok_xw_open(tpath(0, "misuse"), SOK_XW_CREATE, &w, &err),
                     0);
    assert_int_equal(sok_xdoc_new(&d, &err), 0);

    assert_int_equal(sok_xw_replace(w, "Qx", d, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xw_delete_term(w, "Qx", 0, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xw_add_spelling(w, "ord", 3, 1, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xw_set_metadata(w, "k", "v", 1, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xw_commit(w, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), SOK_EINVAL);
    sok_err_clear(&err);
    /* Empty terms and keys are refused before Xapian sees them. */
    assert_int_equal(sok_xw_replace(w, "", d, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xdoc_add_posting(d, "", 0, 1, 1, &err), SOK_EINVAL);
    sok_err_clear(&err);
    assert_int_equal(sok_xw_set_metadata(w, "", "v", 1, &err), SOK_EINVAL);
    sok_err_clear(&err);
    /* Xapian's own InvalidArgumentError, outside a query: SOK_EINVAL. */
    char big[300];
    memset(big, 'x', sizeof big);
    assert_int_equal(sok_xdoc_add_term(d, big, sizeof big, 1, &err), 0);
    assert_int_equal(sok_xw_replace(w, "Qbig", d, &err), SOK_EINVAL);
    assert_non_null(strstr(err.msg, "InvalidArgumentError"));

    sok_err_clear(&err);
    unsigned long n = 99;
    assert_int_equal(sok_xw_doccount(w, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(sok_xw_doccount(NULL, &n, &err), SOK_EINVAL);
    sok_xdoc_free(d);
    sok_xw_free(w);
}

/* -------------------------------------------------------------- round trip */

static void test_round_trip(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "roundtrip");
    make_db(p, k_docs, K_NDOCS, 0);

    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);
    unsigned long n = 0, rev = 0, tf = 0;
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, K_NDOCS);
    assert_int_equal(sok_xr_revision(r, &rev, &err), 0);
    assert_true(rev >= 1);
    assert_int_equal(sok_xr_termfreq(r, "röd", strlen("röd"), &tf, &err), 0);
    assert_int_equal(tf, 3);
    assert_int_equal(sok_xr_termfreq(r, "Zbil", 4, &tf, &err), 0);
    assert_int_equal(tf, 2);
    /* The unique term sok_xw_replace added. */
    assert_int_equal(sok_xr_termfreq(r, "Qc", 2, &tf, &err), 0);
    assert_int_equal(tf, 1);

    char *data = NULL;
    size_t len = 0;
    assert_int_equal(sok_xr_get_data(r, "Qc", &data, &len, &err), 0);
    assert_string_equal(data, "c");
    assert_int_equal(len, 1);
    free(data);
    assert_int_equal(sok_xr_get_data(r, "Qzz", &data, &len, &err),
                     SOK_ENOTFOUND);
    assert_null(data);
    assert_int_equal(err.code, SOK_ENOTFOUND);

    struct sok_xq *q = term("elefant");
    struct sok_xsearch s;
    search_init(&s, q);
    struct sok_xresult *res = search(r, &s);
    assert_int_equal(res->nhits, 2);
    assert_int_equal(res->total, 2);
    assert_int_equal(res->total_lower, 2);
    assert_int_equal(res->total_upper, 2);
    assert_true(res->hits[0].weight > 0);
    assert_true(res->hits[0].weight >= res->hits[1].weight);
    /* Both documents have the word once in three words: equal weights,
     * so the order is not part of the contract. */
    char ids[64];
    hit_ids(res, ids, sizeof ids);
    assert_true(strcmp(ids, "c,d") == 0 || strcmp(ids, "d,c") == 0);
    sok_xresult_free(res);

    /* offset and limit page through the hits. */
    s.offset = 1;
    s.limit = 1;
    res = search(r, &s);
    assert_int_equal(res->nhits, 1);
    assert_int_equal(res->total, 2);
    sok_xresult_free(res);

    /* Custom BM25 parameters are accepted; out-of-range ones are not. */
    s.offset = 0;
    s.limit = 10;
    s.bm25_k1 = 1.2;
    s.bm25_b = 0.75;
    res = search(r, &s);
    assert_int_equal(res->nhits, 2);
    sok_xresult_free(res);
    s.bm25_b = 2;
    sok_err_clear(&err);
    assert_int_equal(sok_xr_search(r, &s, &res, &err), SOK_EINVAL);
    assert_null(res);
    s.bm25_b = 0;
    s.nfacets = SOK_XFACET_MAX + 1;
    sok_err_clear(&err);
    assert_int_equal(sok_xr_search(r, &s, &res, &err), SOK_EINVAL);
    s.nfacets = 0;
    s.query = NULL;
    sok_err_clear(&err);
    assert_int_equal(sok_xr_search(r, &s, &res, &err), SOK_EINVAL);

    sok_xq_free(q);
    sok_xr_free(r);
}

static void test_uncommitted_discarded(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "discard");
    make_db(p, k_docs, 2, 0);

    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    add_doc(w, &k_docs[2], 0);
    add_doc(w, &k_docs[3], 0);
    assert_int_equal(sok_xw_delete_term(w, "Qa", 0, &err), 0);
    assert_int_equal(sok_xw_set_metadata(w, "k", "v", 1, &err), 0);
    unsigned long n = 0;
    /* The writer sees its own uncommitted changes... */
    assert_int_equal(sok_xw_doccount(w, &n, &err), 0);
    assert_int_equal(n, 3);
    sok_xw_free(w);
    /* ...and nothing of them survives the free. */
    assert_int_equal(doccount(p), 2);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);
    char *v = NULL;
    size_t vlen = 1;
    assert_int_equal(sok_xr_get_metadata(r, "k", &v, &vlen, &err), 0);
    assert_string_equal(v, "");
    assert_int_equal(vlen, 0);
    free(v);
    assert_int_equal(sok_xr_get_data(r, "Qa", &v, NULL, &err), 0);
    free(v);
    sok_xr_free(r);

    /* A second run after a commit is discarded the same way. */
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    add_doc(w, &k_docs[2], 0);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    add_doc(w, &k_docs[3], 0);
    sok_xw_free(w);
    assert_int_equal(doccount(p), 3);

    /* A brand-new database whose only run was never committed is empty. */
    assert_int_equal(sok_xw_open(tpath(1, "discard-new"), SOK_XW_CREATE, &w,
                                 &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    add_doc(w, &k_docs[0], 0);
    sok_xw_free(w);
    assert_int_equal(doccount(tpath(1, "discard-new")), 0);
    assert_int_equal(err.code, 0);

    /* SOK_XW_CREATE is the exception, as documented: it empties the
     * database at open, so even a writer freed unused leaves it empty. */
    assert_int_equal(sok_xw_open(p, SOK_XW_CREATE, &w, &err), 0);
    sok_xw_free(w);
    assert_int_equal(doccount(p), 0);
}

static void test_delete_term_spelling(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "delete");
    make_db(p, k_docs, K_NDOCS, 1);

    struct sok_xr *r = NULL;
    char *sug = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);
    /* "fort" is only in a (file f1); "röd" is in a, b and d. */
    assert_int_equal(sok_xr_spelling(r, "forr", 4, 1, &sug, &err), 0);
    assert_string_equal(sug, "fort");
    free(sug);
    assert_int_equal(sok_xr_spelling(r, "rödd", strlen("rödd"), 2, &sug,
                                     &err), 0);
    assert_string_equal(sug, "röd");
    free(sug);

    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    assert_int_equal(sok_xw_delete_term(w, "Ff1", 1, &err), 0);
    /* Deleting a term nobody has is not an error. */
    assert_int_equal(sok_xw_delete_term(w, "Fnone", 1, &err), 0);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    sok_xw_free(w);

    int changed = 0;
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 1);
    unsigned long n = 0, tf = 9;
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sok_xr_termfreq(r, "Ff1", 3, &tf, &err), 0);
    assert_int_equal(tf, 0);
    assert_int_equal(sok_xr_termfreq(r, "Zbil", 4, &tf, &err), 0);
    assert_int_equal(tf, 0);
    /* Words only the deleted documents had left the dictionary... */
    assert_int_equal(sok_xr_spelling(r, "forr", 4, 1, &sug, &err), 0);
    assert_string_equal(sug, "");
    free(sug);
    assert_int_equal(sok_xr_spelling(r, "stil", 4, 1, &sug, &err), 0);
    assert_string_equal(sug, "");
    free(sug);
    /* ...words another document still has stayed. */
    assert_int_equal(sok_xr_spelling(r, "rödd", strlen("rödd"), 2, &sug,
                                     &err), 0);
    assert_string_equal(sug, "röd");
    free(sug);
    assert_int_equal(err.code, 0);

    /* Without the spelling flag the dictionary is left alone. */
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    assert_int_equal(sok_xw_delete_term(w, "Ff2", 0, &err), 0);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    sok_xw_free(w);
    assert_int_equal(sok_xr_refresh(r, NULL, &err), 0);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(sok_xr_spelling(r, "rummit", 6, 1, &sug, &err), 0);
    assert_string_equal(sug, "rummet");
    free(sug);

    sok_err_clear(&err);
    assert_int_equal(sok_xr_spelling(r, "x", 1, 1, NULL, &err), SOK_EINVAL);
    sok_xr_free(r);
}

/* -------------------------------------------------------------- metadata */

struct walk_ctx {
    char seen[256];
    int calls;
    int stop_at;          /* return 42 on this call (1-based), 0: never */
};

static int walk_cb(void *vctx, const char *key, const char *val, size_t vlen)
{
    struct walk_ctx *c = vctx;
    char item[96];
    snprintf(item, sizeof item, "%s=%.*s;", key, (int)vlen, val);
    strncat(c->seen, item, sizeof c->seen - strlen(c->seen) - 1);
    return ++c->calls == c->stop_at ? 42 : 0;
}

static void test_metadata(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "meta");
    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(p, SOK_XW_CREATE, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    assert_int_equal(sok_xw_set_metadata(w, SOK_META_SCHEMA, "1", 1, &err),
                     0);
    assert_int_equal(sok_xw_set_metadata(w, "sok:file:bb", "h2\t3\tb.txt", 10,
                                         &err), 0);
    assert_int_equal(sok_xw_set_metadata(w, "sok:file:aa", "h1\t1\ta.txt", 10,
                                         &err), 0);
    /* Embedded NUL survives: lengths, not strings. */
    assert_int_equal(sok_xw_set_metadata(w, "bin", "a\0b", 3, &err), 0);

    /* The walk sees this run's uncommitted keys, in key order. */
    struct walk_ctx c;
    memset(&c, 0, sizeof c);
    assert_int_equal(sok_xw_metadata_walk(w, SOK_META_FILE, walk_cb, &c,
                                          &err), 0);
    assert_string_equal(c.seen,
                        "sok:file:aa=h1\t1\ta.txt;sok:file:bb=h2\t3\tb.txt;");
    assert_int_equal(sok_xw_commit(w, &err), 0);

    memset(&c, 0, sizeof c);
    c.stop_at = 1;
    assert_int_equal(sok_xw_metadata_walk(w, "sok:", walk_cb, &c, &err), 42);
    assert_int_equal(c.calls, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(sok_xw_metadata_walk(w, NULL, walk_cb, &c, &err), 0);
    assert_int_equal(c.calls, 4);

    char *v = NULL;
    size_t len = 0;
    assert_int_equal(sok_xw_get_metadata(w, "sok:file:aa", &v, &len, &err), 0);
    assert_string_equal(v, "h1\t1\ta.txt");
    free(v);
    assert_int_equal(err.code, 0);
    sok_err_clear(&err);
    assert_int_equal(sok_xw_metadata_walk(w, "", NULL, &c, &err), SOK_EINVAL);
    sok_xw_free(w);

    struct sok_xr *r = NULL;
    sok_err_clear(&err);
    assert_int_equal(sok_xr_open(p, &r, &err), 0);
    assert_int_equal(sok_xr_get_metadata(r, SOK_META_SCHEMA, &v, &len, &err),
                     0);
    assert_string_equal(v, "1");
    assert_int_equal(len, 1);
    free(v);
    assert_int_equal(sok_xr_get_metadata(r, "bin", &v, &len, &err), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(v, "a\0b", 4);
    free(v);
    assert_int_equal(sok_xr_get_metadata(r, "absent", &v, &len, &err), 0);
    assert_string_equal(v, "");
    assert_int_equal(len, 0);
    free(v);
    sok_xr_free(r);
}

/* --------------------------------------------------------- facets, collapse */

static const struct tdoc k_facet_docs[] = {
    { "n1", "möte om budget", NULL, "20170101", "news", "dup" },
    { "n2", "möte om budget", NULL, "20170102", "news", "dup" },
    { "n3", "möte i styrelsen", NULL, "20170103", "news", "u3" },
    { "r1", "rapport om möte", NULL, "20170104", "report", "u4" },
    { "r2", "rapport om möte", NULL, "20170105", "report", "u5" },
    { "m1", "protokoll möte", NULL, "20170106", "minutes", "u6" },
    { "x1", "annat", NULL, "20170107", "other", "u7" },
};

static void test_facets(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "facets");
    make_db(p, k_facet_docs, 7, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);

    struct sok_xq *q = term("möte");
    struct sok_xsearch s;
    search_init(&s, q);
    s.limit = 2;          /* facets count every match, not just the page */
    s.nfacets = 2;
    s.facet_slots[0] = SOK_SLOT_TYPE;
    s.facet_slots[1] = SOK_SLOT_DUPKEY;
    struct sok_xresult *res = search(r, &s);
    assert_int_equal(res->nhits, 2);
    assert_int_equal(res->total, 6);
    assert_int_equal(res->nfacets, 2);

    const struct sok_xfacet *f = &res->facets[0];
    assert_int_equal(f->slot, SOK_SLOT_TYPE);
    /* By count descending, then value: news 3, report 2, minutes 1. */
    assert_int_equal(f->n, 3);
    assert_string_equal(f->counts[0].value, "news");
    assert_int_equal(f->counts[0].count, 3);
    assert_string_equal(f->counts[1].value, "report");
    assert_int_equal(f->counts[1].count, 2);
    assert_string_equal(f->counts[2].value, "minutes");
    assert_int_equal(f->counts[2].count, 1);

    f = &res->facets[1];
    assert_int_equal(f->slot, SOK_SLOT_DUPKEY);
    assert_int_equal(f->n, 5);
    assert_string_equal(f->counts[0].value, "dup");
    assert_int_equal(f->counts[0].count, 2);
    /* Ties sorted by value. */
    assert_string_equal(f->counts[1].value, "u3");
    assert_string_equal(f->counts[4].value, "u6");
    sok_xresult_free(res);

    /* A query matching nothing has empty facets. */
    struct sok_xq *none = sok_xq_match_nothing(&err);
    assert_non_null(none);
    s.query = none;
    res = search(r, &s);
    assert_int_equal(res->nhits, 0);
    assert_int_equal(res->total, 0);
    assert_int_equal(res->nfacets, 2);
    assert_int_equal(res->facets[0].n, 0);
    assert_null(res->facets[0].counts);
    sok_xresult_free(res);

    sok_xq_free(none);
    sok_xq_free(q);
    sok_xr_free(r);
}

static void test_collapse(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "collapse");
    make_db(p, k_facet_docs, 7, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);

    struct sok_xq *q = term("budget");
    struct sok_xsearch s;
    search_init(&s, q);
    struct sok_xresult *res = search(r, &s);
    assert_int_equal(res->nhits, 2);
    assert_int_equal(res->hits[0].collapse_count, 0);
    assert_null(res->hits[0].key);          /* no key_slot, no key */
    sok_xresult_free(res);

    /* Uncollapsed hits can carry their collapse key, to find the twins of
     * a collapsed hit. */
    s.key_slot = SOK_SLOT_DUPKEY;
    res = search(r, &s);
    assert_int_equal(res->nhits, 2);
    for (size_t i = 0; i < res->nhits; i++) {
        assert_string_equal(res->hits[i].key, "dup");
        assert_int_equal(res->hits[i].key_len, 3);
    }
    sok_xresult_free(res);
    s.key_slot = -1;

    /* n1 and n2 share the dup key: one hit, one collapsed into it. */
    s.collapse_slot = SOK_SLOT_DUPKEY;
    s.nfacets = 1;
    s.facet_slots[0] = SOK_SLOT_TYPE;
    res = search(r, &s);
    assert_int_equal(res->nhits, 1);
    assert_int_equal(res->total, 1);
    assert_int_equal(res->hits[0].collapse_count, 1);
    /* Facets count the collapsed result set: the two near-duplicates
     * are one hit, so they are one in the facet too. */
    assert_int_equal(res->facets[0].n, 1);
    assert_string_equal(res->facets[0].counts[0].value, "news");
    assert_int_equal(res->facets[0].counts[0].count, 1);
    assert_true(strcmp(res->hits[0].data, "n1") == 0 ||
                strcmp(res->hits[0].data, "n2") == 0);
    sok_xresult_free(res);

    /* Documents without a collapse value are never collapsed together. */
    struct sok_xq *all = sok_xq_match_all(&err);
    assert_non_null(all);
    s.query = all;
    res = search(r, &s);
    assert_int_equal(res->nhits, 6);
    size_t collapsed = 0;
    for (size_t i = 0; i < res->nhits; i++)
        collapsed += res->hits[i].collapse_count;
    assert_int_equal(collapsed, 1);
    sok_xresult_free(res);

    sok_xq_free(all);
    sok_xq_free(q);
    sok_xr_free(r);
}

static void test_sort_by_value(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "sort");
    make_db(p, k_docs, K_NDOCS, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);

    struct sok_xq *all = sok_xq_match_all(&err);
    struct sok_xsearch s;
    search_init(&s, all);
    s.sort_slot = SOK_SLOT_DATE;
    char ids[64];
    /* Dates: a 20170301, b 20160101, c 20180515, d 20171231. */
    struct sok_xresult *res = search(r, &s);
    hit_ids(res, ids, sizeof ids);
    assert_string_equal(ids, "b,a,d,c");
    sok_xresult_free(res);
    s.sort_desc = 1;
    res = search(r, &s);
    hit_ids(res, ids, sizeof ids);
    assert_string_equal(ids, "c,d,a,b");
    sok_xresult_free(res);
    s.limit = 2;
    s.offset = 1;
    res = search(r, &s);
    hit_ids(res, ids, sizeof ids);
    assert_string_equal(ids, "d,a");
    sok_xresult_free(res);

    sok_xq_free(all);
    sok_xr_free(r);
}

static void test_value_range(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "range");
    /* e has no date at all. */
    struct tdoc docs[K_NDOCS + 1];
    memcpy(docs, k_docs, sizeof k_docs);
    docs[K_NDOCS] = (struct tdoc){ "e", "utan datum", NULL, NULL, NULL, NULL };
    make_db(p, docs, K_NDOCS + 1, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);

    struct {
        const char *lo, *hi;
        size_t want;
    } cases[] = {
        { "20170101", "20171231", 2 },  /* a, d: both ends inclusive */
        { "20170101", NULL, 3 },        /* a, c, d */
        { NULL, "20170301", 2 },        /* a, b */
        { NULL, NULL, 4 },              /* every dated document */
        { "", NULL, 4 },                /* e has no value: not >= "" */
        { "2019", "2020", 0 },
        { "20180101", "20170101", 0 },  /* empty range */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sok_xq *q = sok_xq_value_range(SOK_SLOT_DATE, cases[i].lo,
                                              cases[i].hi, &err);
        assert_non_null(q);
        assert_int_equal(count_hits(r, q), cases[i].want);
        sok_xq_free(q);
    }

    /* As a filter on a text query. */
    struct sok_xq *subs[2];
    subs[0] = term("röd");
    subs[1] = sok_xq_value_range(SOK_SLOT_DATE, "20170101", NULL, &err);
    struct sok_xq *f = sok_xq_combine(SOK_XQ_FILTER, subs, 2, 0, &err);
    assert_non_null(f);
    assert_int_equal(count_hits(r, f), 2);   /* a, d (b is 2016) */
    sok_xq_free(f);
    sok_xq_free(subs[0]);
    sok_xq_free(subs[1]);
    sok_xr_free(r);
}

/* A docid set ranks as given: the second pass of a search (hits.c). */
static void test_docids(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "docids");
    make_db(p, k_docs, K_NDOCS, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);

    assert_true(sok_xr_single(r));
    assert_false(sok_xr_single(NULL));
    /* Any order, repeats too. */
    unsigned ids[] = { 4, 1, 4, 3 };
    struct sok_xq *set = sok_xq_docids(ids, 4, &err);
    assert_non_null(set);
    struct sok_xsearch s;
    search_init(&s, set);
    struct sok_xresult *res = search(r, &s);
    char got[64];
    hit_ids(res, got, sizeof got);
    assert_string_equal(got, "a,c,d");
    assert_int_equal(res->total, 3);
    sok_xresult_free(res);

    /* As a filter: the text query's ranking over the set only.  "röd"
     * matches a, b and d; b is not in the set, and the query skips a
     * docid past the last one (a set read before a deletion). */
    sok_xq_free(set);
    unsigned ids2[] = { 4, 99, 1, 3 };
    set = sok_xq_docids(ids2, 4, &err);
    struct sok_xq *subs[2] = { term("röd"), set };
    struct sok_xq *f = sok_xq_combine(SOK_XQ_FILTER, subs, 2, 0, &err);
    assert_non_null(f);
    search_init(&s, f);
    res = search(r, &s);
    assert_int_equal(res->nhits, 2);
    assert_true(res->hits[0].weight > 0);
    assert_true(res->hits[0].docid == 1 || res->hits[0].docid == 4);
    assert_true(res->hits[1].docid == 1 || res->hits[1].docid == 4);
    sok_xresult_free(res);

    /* no_data: the same hits with their keys but not their data, which
     * sok_xr_data_of gives by docid. */
    s.no_data = 1;
    s.key_slot = SOK_SLOT_DUPKEY;
    res = search(r, &s);
    assert_int_equal(res->nhits, 2);
    assert_int_equal(res->hits[0].data_len, 0);
    assert_string_equal(res->hits[0].data, "");
    assert_non_null(res->hits[0].key);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(sok_xr_data_of(r, res->hits[0].docid, &data, &len, &err), 0);
    assert_string_equal(data, res->hits[0].docid == 1 ? "a" : "d");
    assert_int_equal(len, 1);
    free(data);
    assert_int_equal(sok_xr_data_of(r, 99, &data, &len, &err), SOK_ENOTFOUND);
    assert_null(data);
    sok_err_clear(&err);
    sok_xresult_free(res);
    sok_xq_free(f);
    sok_xq_free(subs[0]);
    sok_xq_free(set);

    /* The empty set matches nothing; NULL with a count is a caller bug. */
    set = sok_xq_docids(NULL, 0, &err);
    assert_non_null(set);
    assert_int_equal(count_hits(r, set), 0);
    sok_xq_free(set);
    assert_null(sok_xq_docids(NULL, 1, &err));
    assert_int_equal(err.code, SOK_EINVAL);
    sok_xr_free(r);
}

static void test_phrase(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "phrase");
    make_db(p, k_docs, K_NDOCS, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);

    /* a: "röd bil ...", b: "bil röd ...". */
    struct sok_xq *subs[2] = { pterm("röd", 1), pterm("bil", 2) };
    struct sok_xq *q;
    char ids[64];
    struct sok_xsearch s;

    q = sok_xq_combine(SOK_XQ_AND, subs, 2, 0, &err);
    assert_int_equal(count_hits(r, q), 2);
    sok_xq_free(q);

    q = sok_xq_combine(SOK_XQ_PHRASE, subs, 2, 0, &err);
    assert_non_null(q);
    search_init(&s, q);
    struct sok_xresult *res = search(r, &s);
    hit_ids(res, ids, sizeof ids);
    assert_string_equal(ids, "a");
    sok_xresult_free(res);
    sok_xq_free(q);

    /* NEAR ignores order. */
    q = sok_xq_combine(SOK_XQ_NEAR, subs, 2, 2, &err);
    assert_int_equal(count_hits(r, q), 2);
    sok_xq_free(q);

    /* A wider phrase window lets words in between: "röd ... elefant"
     * in d ("gemensam röd elefant") is adjacent, "röd ... fort" in a
     * is two words apart. */
    struct sok_xq *subs2[2] = { pterm("röd", 1), pterm("fort", 2) };
    q = sok_xq_combine(SOK_XQ_PHRASE, subs2, 2, 0, &err);
    assert_int_equal(count_hits(r, q), 0);
    sok_xq_free(q);
    q = sok_xq_combine(SOK_XQ_PHRASE, subs2, 2, 4, &err);
    assert_int_equal(count_hits(r, q), 1);
    sok_xq_free(q);

    /* OR, AND_NOT, AND_MAYBE, SYNONYM. */
    struct sok_xq *or_subs[2] = { term("fort"), term("rummet") };
    q = sok_xq_combine(SOK_XQ_OR, or_subs, 2, 0, &err);
    assert_int_equal(count_hits(r, q), 2);
    sok_xq_free(q);
    q = sok_xq_combine(SOK_XQ_SYNONYM, or_subs, 2, 0, &err);
    assert_int_equal(count_hits(r, q), 2);
    sok_xq_free(q);
    struct sok_xq *not_subs[2] = { term("röd"), term("bil") };
    q = sok_xq_combine(SOK_XQ_AND_NOT, not_subs, 2, 0, &err);
    assert_int_equal(count_hits(r, q), 1);    /* d */
    sok_xq_free(q);
    q = sok_xq_combine(SOK_XQ_AND_MAYBE, not_subs, 2, 0, &err);
    assert_int_equal(count_hits(r, q), 3);
    sok_xq_free(q);
    assert_int_equal(err.code, 0);

    for (int i = 0; i < 2; i++) {
        sok_xq_free(subs[i]);
        sok_xq_free(subs2[i]);
        sok_xq_free(or_subs[i]);
        sok_xq_free(not_subs[i]);
    }
    sok_xr_free(r);
}

/* A wildcard keeps only the max_expansion most frequent terms. */
static void test_wildcard(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "wildcard");
    /* fritid in 3 docs, friskvård in 2, frihet in 1. */
    static const struct tdoc docs[] = {
        { "1", "fritid", NULL, NULL, NULL, NULL },
        { "2", "fritid", NULL, NULL, NULL, NULL },
        { "3", "fritid friskvård", NULL, NULL, NULL, NULL },
        { "4", "friskvård", NULL, NULL, NULL, NULL },
        { "5", "frihet", NULL, NULL, NULL, NULL },
        { "6", "fred", NULL, NULL, NULL, NULL },
    };
    make_db(p, docs, 6, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);

    struct {
        const char *prefix;
        unsigned max;
        size_t want;
    } cases[] = {
        { "fri", 0, 5 },      /* no limit */
        { "fri", 3, 5 },
        { "fri", 2, 4 },      /* fritid + friskvård: docs 1-4 */
        { "fri", 1, 3 },      /* fritid */
        { "fr", 10, 6 },
        { "fritid", 1, 3 },   /* the whole word is its own prefix */
        { "frx", 10, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sok_xq *q = sok_xq_wildcard(cases[i].prefix,
                                           strlen(cases[i].prefix),
                                           cases[i].max, &err);
        assert_non_null(q);
        assert_int_equal(count_hits(r, q), cases[i].want);
        sok_xq_free(q);
    }
    /* Prefixed terms start upper-case, so a lower-case wildcard never
     * reaches the Z stems (which would double the counts above). */
    unsigned long tf = 0;
    assert_int_equal(sok_xr_termfreq(r, "Zfritid", 7, &tf, &err), 0);
    assert_int_equal(tf, 3);
    sok_xr_free(r);
}

static void test_spelling(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "spelling");
    make_db(p, k_docs, K_NDOCS, 1);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);
    char *sug = NULL;
    assert_int_equal(sok_xr_spelling(r, "elefamt", 7, 2, &sug, &err), 0);
    assert_string_equal(sug, "elefant");
    free(sug);
    /* Too far for max_edit 1. */
    assert_int_equal(sok_xr_spelling(r, "elafamt", 7, 1, &sug, &err), 0);
    assert_string_equal(sug, "");
    free(sug);
    /* A correctly spelt word has no suggestion. */
    assert_int_equal(sok_xr_spelling(r, "elefant", 7, 2, &sug, &err), 0);
    assert_string_equal(sug, "");
    free(sug);
    assert_int_equal(err.code, 0);
    sok_xr_free(r);
}

struct terms_ctx {
    char seen[256];
    int calls, stop_at;
};

static int terms_cb(void *vctx, const char *t, size_t len, unsigned long tf)
{
    struct terms_ctx *c = vctx;
    char item[64];
    snprintf(item, sizeof item, "%.*s:%lu;", (int)len, t, tf);
    strncat(c->seen, item, sizeof c->seen - strlen(c->seen) - 1);
    return ++c->calls == c->stop_at ? 7 : 0;
}

static void test_terms(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "terms");
    make_db(p, k_docs, K_NDOCS, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);
    struct terms_ctx c;

    memset(&c, 0, sizeof c);
    assert_int_equal(sok_xr_terms(r, "F", 1, 0, terms_cb, &c, &err), 0);
    assert_string_equal(c.seen, "Ff1:2;Ff2:1;Ff3:1;");
    memset(&c, 0, sizeof c);
    assert_int_equal(sok_xr_terms(r, "Zb", 2, 0, terms_cb, &c, &err), 0);
    assert_string_equal(c.seen, "Zbil:2;");
    memset(&c, 0, sizeof c);
    assert_int_equal(sok_xr_terms(r, "F", 1, 2, terms_cb, &c, &err), 0);
    assert_string_equal(c.seen, "Ff1:2;Ff2:1;");
    memset(&c, 0, sizeof c);
    c.stop_at = 1;
    assert_int_equal(sok_xr_terms(r, "F", 1, 0, terms_cb, &c, &err), 7);
    assert_int_equal(c.calls, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(sok_xr_terms(r, "Qzz", 3, 0, terms_cb, &c, &err), 0);
    assert_int_equal(c.calls, 0);
    assert_int_equal(sok_xr_terms(r, NULL, 0, 3, terms_cb, &c, &err), 0);
    assert_int_equal(c.calls, 3);
    assert_int_equal(err.code, 0);
    assert_int_equal(sok_xr_terms(r, NULL, 0, 0, NULL, &c, &err), SOK_EINVAL);

    /* Prefix existence: a whole term, a part of one, none. */
    int found = -1;
    assert_int_equal(sok_xr_has_prefix(r, "Zbil", 4, &found, &err), 0);
    assert_int_equal(found, 1);
    assert_int_equal(sok_xr_has_prefix(r, "Zb", 2, &found, &err), 0);
    assert_int_equal(found, 1);
    assert_int_equal(sok_xr_has_prefix(r, "Qzz", 3, &found, &err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(sok_xr_has_prefix(r, "F", 1, NULL, &err), SOK_EINVAL);
    sok_xr_free(r);
}

/* ------------------------------------------------------- refresh and stubs */

static void test_refresh_sees_commit(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "refresh");
    make_db(p, k_docs, 2, 0);
    struct sok_xr *r = NULL;
    assert_int_equal(sok_xr_open(p, &r, &err), 0);
    unsigned long rev1 = 0, rev2 = 0, n = 0;
    assert_int_equal(sok_xr_revision(r, &rev1, &err), 0);

    int changed = -1;
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 0);

    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w, &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    add_doc(w, &k_docs[2], 0);
    assert_int_equal(sok_xw_commit(w, &err), 0);

    /* Before the refresh the reader keeps its snapshot. */
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(sok_xr_revision(r, &rev2, &err), 0);
    assert_true(rev2 > rev1);
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 0);

    /* A begun but uncommitted run is invisible to a refresh. */
    assert_int_equal(sok_xw_begin(w, &err), 0);
    add_doc(w, &k_docs[3], 0);
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 0);
    sok_xw_free(w);
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(err.code, 0);
    assert_int_equal(sok_xr_refresh(NULL, &changed, &err), SOK_EINVAL);
    sok_xr_free(r);
}

/* Many commits behind a reader's snapshot, Xapian recycles the blocks it
 * would read and throws DatabaseModifiedError; the shim reopens and
 * retries, so the caller sees the newest revision and no error. */
static void fill(struct sok_xw *w, int n, const char *word, int round)
{
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_xw_begin(w, &err), 0);
    for (int i = 0; i < n; i++) {
        char id[16], words[96];
        snprintf(id, sizeof id, "n%d", i);
        snprintf(words, sizeof words, "%s variant%d runda%d ord%d", word, i,
                 round, (i + round) % 97);
        struct tdoc t = { id, words, NULL, NULL, NULL, NULL };
        add_doc(w, &t, 0);
    }
    assert_int_equal(sok_xw_commit(w, &err), 0);
}

static void test_modified_retry(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *p = tpath(0, "modified");
    const unsigned long ndocs = 500;
    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(p, SOK_XW_OPEN, &w, &err), 0);
    int round = 0;
    fill(w, ndocs, "röd", round);

    /* Which commit first recycles a block a stale reader needs depends on
     * Xapian's block allocation, so try readers left further and further
     * behind until one, never refreshed, shows the newest revision: only
     * the shim's reopen-and-retry can have moved it there (without it the
     * search fails with SOK_EMODIFIED). */
    unsigned long total = 0;
    for (int behind = 1; behind <= 8 && total == 0; behind++) {
        struct sok_xr *r = NULL;
        assert_int_equal(sok_xr_open(p, &r, &err), 0);
        for (int i = 0; i < behind; i++)
            fill(w, ndocs, "blå", ++round);
        char word[32];
        snprintf(word, sizeof word, "runda%d", round);
        struct sok_xq *q = term(word);
        struct sok_xsearch s;
        search_init(&s, q);
        s.limit = 10;
        struct sok_xresult *res = search(r, &s);
        total = res->total;
        /* The old snapshot has no document from this round. */
        assert_true(total == 0 || total == ndocs);
        if (total == ndocs) {
            char *data = NULL;
            assert_int_equal(sok_xr_get_data(r, "Qn1", &data, NULL, &err), 0);
            assert_string_equal(data, "n1");
            free(data);
        }
        sok_xresult_free(res);
        sok_xq_free(q);
        sok_xr_free(r);
    }
    assert_int_equal(total, ndocs);
    sok_xw_free(w);
}

static void test_stub_swap(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    const char *dir = tpath(0, "stubdir");
    assert_int_equal(mkdir(dir, 0755), 0);
    make_db(tpath(1, "stubdir/gen-1"), k_docs, 2, 0);
    write_file(tpath(2, "stubdir/XAPIANDB"), "auto gen-1\n");

    struct sok_xr *r = NULL;
    unsigned long n = 0, rev = 0;
    assert_int_equal(sok_xr_open(dir, &r, &err), 0);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sok_xr_revision(r, &rev, &err), 0);
    assert_true(rev >= 1);
    int changed = -1;
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 0);

    /* A full rebuild next to it, swapped in by renaming a new stub. */
    make_db(tpath(3, "stubdir/gen-2"), k_docs, K_NDOCS, 0);
    write_file(tpath(4, "stubdir/XAPIANDB.tmp"), "auto gen-2\n");
    assert_int_equal(rename(tpath(4, "stubdir/XAPIANDB.tmp"),
                            tpath(2, "stubdir/XAPIANDB")), 0);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, K_NDOCS);
    char *data = NULL;
    assert_int_equal(sok_xr_get_data(r, "Qd", &data, NULL, &err), 0);
    assert_string_equal(data, "d");
    free(data);
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 0);

    /* Commits to the database the stub names are followed as usual. */
    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(tpath(3, "stubdir/gen-2"), SOK_XW_OPEN, &w,
                                 &err), 0);
    assert_int_equal(sok_xw_begin(w, &err), 0);
    assert_int_equal(sok_xw_delete_term(w, "Qa", 0, &err), 0);
    assert_int_equal(sok_xw_commit(w, &err), 0);
    sok_xw_free(w);
    assert_int_equal(sok_xr_refresh(r, &changed, &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, K_NDOCS - 1);
    sok_xr_free(r);

    /* The stub file itself can be opened too, and two shards in one stub
     * add up (revision 0: no single revision). */
    write_file(tpath(4, "stubdir/both.stub"), "auto gen-1\nauto gen-2\n");
    assert_int_equal(sok_xr_open(tpath(4, "stubdir/both.stub"), &r, &err), 0);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, 2 + K_NDOCS - 1);
    assert_int_equal(sok_xr_revision(r, &rev, &err), 0);
    assert_int_equal(rev, 0);
    assert_int_equal(err.code, 0);
    sok_xr_free(r);
}

static void test_compact(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    make_db(tpath(0, "shard-a"), k_docs, 2, 1);
    make_db(tpath(1, "shard-b"), k_docs + 2, K_NDOCS - 2, 1);
    const char *srcs[2] = { tpath(0, "shard-a"), tpath(1, "shard-b") };
    const char *dst = tpath(2, "merged");
    assert_int_equal(sok_xapian_compact(srcs, 2, dst, &err), 0);

    /* A normal glass directory, not a single file. */
    struct stat sb;
    assert_int_equal(stat(dst, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(stat(tpath(3, "merged/iamglass"), &sb), 0);

    struct sok_xr *r = NULL;
    unsigned long n = 0;
    assert_int_equal(sok_xr_open(dst, &r, &err), 0);
    assert_int_equal(sok_xr_doccount(r, &n, &err), 0);
    assert_int_equal(n, K_NDOCS);
    char *data = NULL;
    assert_int_equal(sok_xr_get_data(r, "Qa", &data, NULL, &err), 0);
    assert_string_equal(data, "a");
    free(data);
    assert_int_equal(sok_xr_get_data(r, "Qd", &data, NULL, &err), 0);
    assert_string_equal(data, "d");
    free(data);
    /* The spelling dictionaries were merged too. */
    char *sug = NULL;
    assert_int_equal(sok_xr_spelling(r, "elefamt", 7, 2, &sug, &err), 0);
    assert_string_equal(sug, "elefant");
    free(sug);
    sok_xr_free(r);

    /* The merged database is writable. */
    struct sok_xw *w = NULL;
    assert_int_equal(sok_xw_open(dst, SOK_XW_OPEN, &w, &err), 0);
    sok_xw_free(w);
    assert_int_equal(err.code, 0);

    /* dst exists; a source is missing; nothing to compact. */
    assert_int_equal(sok_xapian_compact(srcs, 2, dst, &err), SOK_EINVAL);
    sok_err_clear(&err);
    const char *bad[2] = { srcs[0], tpath(4, "no-such-shard") };
    assert_int_equal(sok_xapian_compact(bad, 2, tpath(5, "merged2"), &err),
                     SOK_ENODB);
    sok_err_clear(&err);
    assert_int_equal(sok_xapian_compact(srcs, 0, tpath(5, "merged2"), &err),
                     SOK_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stemmer),
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_writer_locked),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_other_xapian_error),
        cmocka_unit_test(test_query_errors),
        cmocka_unit_test(test_writer_misuse),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_uncommitted_discarded),
        cmocka_unit_test(test_delete_term_spelling),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_facets),
        cmocka_unit_test(test_collapse),
        cmocka_unit_test(test_sort_by_value),
        cmocka_unit_test(test_value_range),
        cmocka_unit_test(test_docids),
        cmocka_unit_test(test_phrase),
        cmocka_unit_test(test_wildcard),
        cmocka_unit_test(test_spelling),
        cmocka_unit_test(test_terms),
        cmocka_unit_test(test_refresh_sees_commit),
        cmocka_unit_test(test_modified_retry),
        cmocka_unit_test(test_stub_swap),
        cmocka_unit_test(test_compact),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
