/*
 * test_twins: one hit per passage (server/twins.c).  Copies of a passage
 * under one collapse key and hits whose text a higher hit holds become
 * one group; its face is the web page over the PDF, then the dated copy,
 * then a file the page already shows; what is not a copy stays apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twins.h"

#define T_MINUTES "Mötet öppnades och dagordningen godkändes. Fritidsbanken " \
    "ska låna ut utrustning till barn och unga i hela kommunen."
#define T_MORE " Nästa möte hålls i mars och då tas budgeten upp igen " \
    "tillsammans med frågan om nya lokaler för föreningarna."
#define T_OTHER "Skolfam stöttar familjehemsplacerade barn i skolan med " \
    "psykolog och specialpedagog under flera år."

struct fixture {
    char data[8][1024];
    struct sok_twin t[8];
};

/* Twin i of f: a record with that source, date ("" none) and text, under
 * collapse key key ("" none). */
static struct sok_twin *twin(struct fixture *f, size_t i, const char *source,
                             const char *date, const char *text,
                             const char *key, unsigned collapsed)
{
    char dq[32];
    snprintf(dq, sizeof dq, *date ? "\"%s\"" : "null", date);
    int n = snprintf(f->data[i], sizeof f->data[i],
                     "{\"id\":\"id%zu\",\"title\":\"T\",\"url\":\"/doc/id%zu\","
                     "\"source\":\"%s\",\"type\":\"minutes\",\"date\":%s,"
                     "\"text\":\"%s\"}", i, i, source, dq, text);
    assert_true(n > 0 && (size_t)n < sizeof f->data[i]);
    struct sok_twin *t = &f->t[i];
    memset(t, 0, sizeof *t);
    t->data = f->data[i];
    t->data_len = (size_t)n;
    t->key = key;
    t->klen = strlen(key);
    t->docid = (unsigned)i + 1;
    t->score = 10.0 - (double)i;
    t->collapsed = collapsed;
    return t;
}

/* fetch for lazy twins: the fixture's record of docid (docid 3: gone),
 * counting the calls. */
static unsigned g_fetches;
static int fetch(void *ctx, unsigned docid, char **data, size_t *len,
                 struct sok_err *err)
{
    struct fixture *f = ctx;
    g_fetches++;
    *data = NULL;
    if (docid == 3)
        return sok_err_set(err, SOK_ENOTFOUND, "no document");
    *data = strdup(f->data[docid - 1]);
    *len = strlen(*data);
    return *data ? 0 : sok_err_set(err, SOK_ENOMEM, NULL);
}

static const char *src(const struct sok_twin *t)
{
    return sok_twin_str(t, "source");
}

static void done(struct fixture *f, struct sok_twin_group *g, size_t ng)
{
    sok_twins_groups_free(g, ng);
    sok_twins_free(f->t, 8);
}

/* The PDF copy ranks first and Xapian collapsed the web page into it:
 * the web page is shown, the PDF listed beside it. */
static void test_collapsed_web_page_is_face(void **state)
{
    (void)state;
    static struct fixture f;
    memset(&f, 0, sizeof f);
    twin(&f, 0, "a/protokoll.pdf", "2017-02-13", T_MINUTES, "k1", 1);
    twin(&f, 1, "a/protokoll.pdf", "2017-02-13", T_MINUTES, "k1", 0);
    twin(&f, 2, "a/protokoll.html", "", T_MINUTES, "k1", 0);
    f.t[1].docid = f.t[0].docid;    /* the hit itself, uncollapsed */
    struct sok_twin_group g[4];
    size_t ng, seen;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_twins_group(f.t, 1, f.t + 1, 2, 4, g, &ng, &seen,
                                     &err), 0);
    assert_int_equal(ng, 1);
    assert_int_equal(seen, 1);
    assert_int_equal(g[0].n, 2);
    assert_string_equal(src(g[0].copy[0]), "a/protokoll.html");
    assert_string_equal(src(g[0].copy[1]), "a/protokoll.pdf");
    assert_ptr_equal(g[0].first, &f.t[0]);
    assert_true(g[0].score == 10.0);
    assert_int_equal(g[0].collapsed, 1);
    done(&f, g, ng);
}

/* Files cut differently: a section inside a longer one of another file
 * is folded into the higher hit, and the web page is the face whichever
 * ranked first. */
static void test_contained_is_folded(void **state)
{
    (void)state;
    static struct fixture f;
    memset(&f, 0, sizeof f);
    twin(&f, 0, "p.pdf", "", T_MINUTES T_MORE, "k1", 0);
    twin(&f, 1, "other.html", "", T_OTHER, "k2", 0);
    twin(&f, 2, "p.html", "", T_MINUTES, "k3", 0);
    struct sok_twin_group g[4];
    size_t ng, seen;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_twins_group(f.t, 3, NULL, 0, 4, g, &ng, &seen,
                                     &err), 0);
    assert_int_equal(ng, 2);
    assert_int_equal(seen, 3);
    assert_string_equal(src(g[0].copy[0]), "p.html");
    assert_string_equal(src(g[0].copy[1]), "p.pdf");
    assert_ptr_equal(g[0].first, &f.t[0]);      /* keeps the PDF's rank */
    assert_int_equal(g[0].collapsed, 1);
    assert_true(f.t[2].folded);
    assert_false(f.t[0].folded);
    assert_int_equal(g[1].n, 1);
    assert_string_equal(src(g[1].copy[0]), "other.html");
    done(&f, g, ng);
}

/* Twins without data fetch it on first use only: the groups wanted are
 * made from the first hits, the others are never read; a record gone
 * since the search is an empty one. */
static void test_fetched_when_looked_at(void **state)
{
    (void)state;
    static struct fixture f;
    memset(&f, 0, sizeof f);
    twin(&f, 0, "a.html", "", T_MINUTES, "k1", 0);
    twin(&f, 1, "b.html", "", T_OTHER, "k2", 0);
    twin(&f, 2, "c.html", "", T_MORE, "k3", 0);
    twin(&f, 3, "d.html", "", T_MORE, "k4", 0);
    for (size_t i = 0; i < 4; i++) {
        f.t[i].data = NULL;
        f.t[i].data_len = 0;
        f.t[i].fetch = fetch;
        f.t[i].fetch_ctx = &f;
    }
    struct sok_twin_group g[4];
    size_t ng, seen;
    struct sok_err err = SOK_ERR_INIT;
    g_fetches = 0;
    assert_int_equal(sok_twins_group(f.t, 4, NULL, 0, 3, g, &ng, &seen,
                                     &err), 0);
    assert_int_equal(ng, 3);
    assert_int_equal(g_fetches, 3);             /* d was never read */
    assert_null(f.t[3].fetched);
    assert_string_equal(src(g[0].copy[0]), "a.html");
    assert_string_equal(src(g[1].copy[0]), "b.html");
    assert_string_equal(src(g[2].copy[0]), "");  /* docid 3: gone */
    assert_int_equal(err.code, 0);
    done(&f, g, ng);
    assert_null(f.t[0].fetched);
    assert_null(f.t[0].data);
}

/* Among copies of one format the one with a date is the face; a section
 * under the same key with other text (a template) is no copy; a group
 * stops being made once want are. */
static void test_dated_and_not_copies(void **state)
{
    (void)state;
    static struct fixture f;
    memset(&f, 0, sizeof f);
    twin(&f, 0, "001.txt", "", T_MINUTES, "k1", 2);
    twin(&f, 1, "other.txt", "", T_OTHER, "k2", 0);
    twin(&f, 2, "002.txt", "2017-02-13", T_MINUTES, "k1", 0);
    twin(&f, 3, "003.txt", "2018-01-01", T_OTHER, "k1", 0);
    struct sok_twin_group g[1];
    size_t ng, seen;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_twins_group(f.t, 2, f.t + 2, 2, 1, g, &ng, &seen,
                                     &err), 0);
    assert_int_equal(ng, 1);
    assert_int_equal(seen, 1);
    assert_int_equal(g[0].n, 2);
    assert_string_equal(src(g[0].copy[0]), "002.txt");
    assert_string_equal(src(g[0].copy[1]), "001.txt");
    assert_int_equal(g[0].collapsed, 2);    /* Xapian's count stays */
    assert_false(f.t[3].taken);
    done(&f, g, ng);
}

/* Between copies alike in format and date, the file another hit already
 * shows wins, so one page does not mix two copies of a document; short
 * sections under one key are copies. */
static void test_file_shown_and_short(void **state)
{
    (void)state;
    static struct fixture f;
    memset(&f, 0, sizeof f);
    twin(&f, 0, "b.txt", "", T_OTHER, "k0", 0);
    twin(&f, 1, "a.txt", "", "Närvarande", "k1", 1);
    twin(&f, 2, "b.txt", "", "Närvarande", "k1", 0);
    struct sok_twin_group g[4];
    size_t ng, seen;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_twins_group(f.t, 2, f.t + 2, 1, 4, g, &ng, &seen,
                                     &err), 0);
    assert_int_equal(ng, 2);
    assert_int_equal(g[1].n, 2);
    assert_string_equal(src(g[1].copy[0]), "b.txt");
    assert_string_equal(src(g[1].copy[1]), "a.txt");
    done(&f, g, ng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collapsed_web_page_is_face),
        cmocka_unit_test(test_contained_is_folded),
        cmocka_unit_test(test_dated_and_not_copies),
        cmocka_unit_test(test_file_shown_and_short),
        cmocka_unit_test(test_fetched_when_looked_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
