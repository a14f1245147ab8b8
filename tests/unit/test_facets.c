/*
 * test_facets: the match spy's counter (common/sok_facets.c): a collapse
 * key counts once per value, and the sample holds exactly the counts of
 * the first n matches, with the docid it ended at, while the counts go on
 * (the search's estimates scale the sample, so a sample that leaked a
 * later match or missed one would skew every facet past SOK_FACET_CHECK).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sok_err.h"
#include "sok_facets.h"

static struct sok_facets *new_facets(unsigned n)
{
    struct sok_facets *f = NULL;
    assert_int_equal(sok_facets_new(n, &f), 0);
    assert_non_null(f);
    return f;
}

/* One match, docid did, with type t and year y (NULL: none), key k. */
static void add(struct sok_facets *f, unsigned long did, const char *t,
                const char *y, const char *k)
{
    const char *v[2] = { t ? t : "", y ? y : "" };
    size_t n[2] = { t ? strlen(t) : 0, y ? strlen(y) : 0 };
    assert_int_equal(sok_facets_add(f, did, v, n, k ? k : "",
                                    k ? strlen(k) : 0), 0);
}

/* The count of val in facet i, from the sample or from all. */
static unsigned long count_of(const struct sok_facets *f, unsigned i,
                              const char *val, int sample)
{
    struct sok_xfacet x = { 0 };
    assert_int_equal(sample ? sok_facets_get_sample(f, i, &x)
                            : sok_facets_get(f, i, &x), 0);
    unsigned long c = 0;
    for (size_t k = 0; k < x.n; k++) {
        if (strcmp(x.counts[k].value, val) == 0)
            c = x.counts[k].count;
        free(x.counts[k].value);
    }
    free(x.counts);
    return c;
}

static void test_keys_count_once(void **state)
{
    (void)state;
    struct sok_facets *f = new_facets(2);
    add(f, 1, "minutes", "2017", "k1");
    add(f, 2, "minutes", "2017", "k1");     /* the twin of docid 1 */
    add(f, 3, "minutes", "2018", "k2");
    add(f, 4, "news", NULL, NULL);          /* no key: counts alone */
    add(f, 5, "news", NULL, NULL);
    assert_int_equal(count_of(f, 0, "minutes", 0), 2);
    assert_int_equal(count_of(f, 0, "news", 0), 2);
    assert_int_equal(count_of(f, 1, "2017", 0), 1);
    assert_int_equal(count_of(f, 1, "2018", 0), 1);
    /* No sample asked for: none kept, none ended. */
    assert_int_equal(sok_facets_sample_end(f), 0);
    assert_int_equal(count_of(f, 0, "minutes", 1), 0);
    sok_facets_free(f);
    sok_facets_free(NULL);
}

static void test_sample_is_the_prefix(void **state)
{
    (void)state;
    struct sok_facets *f = new_facets(2);
    sok_facets_sample(f, 3);
    add(f, 10, "minutes", "2017", "a");
    add(f, 11, "minutes", "2017", "a");     /* collapsed into docid 10 */
    assert_int_equal(sok_facets_sample_end(f), 0);  /* not full yet */
    add(f, 14, "news", "2018", "b");
    assert_int_equal(sok_facets_sample_end(f), 14);
    add(f, 20, "news", "2019", "c");        /* past the sample */
    add(f, 21, "minutes", "2019", "d");
    assert_int_equal(count_of(f, 0, "minutes", 1), 1);
    assert_int_equal(count_of(f, 0, "news", 1), 1);
    assert_int_equal(count_of(f, 1, "2017", 1), 1);
    assert_int_equal(count_of(f, 1, "2019", 1), 0);
    assert_int_equal(count_of(f, 0, "minutes", 0), 2);
    assert_int_equal(count_of(f, 0, "news", 0), 2);
    assert_int_equal(count_of(f, 1, "2019", 0), 2);
    assert_int_equal(sok_facets_sample_end(f), 14);
    sok_facets_free(f);
}

static void test_short_result_never_fills(void **state)
{
    (void)state;
    struct sok_facets *f = new_facets(1);
    sok_facets_sample(f, 200);
    for (unsigned long d = 1; d <= 199; d++) {
        const char *v[1] = { "news" };
        size_t n[1] = { 4 };
        assert_int_equal(sok_facets_add(f, d, v, n, "", 0), 0);
    }
    /* 199 of 200: Xapian saw every match, the counts are exact. */
    assert_int_equal(sok_facets_sample_end(f), 0);
    assert_int_equal(count_of(f, 0, "news", 0), 199);
    sok_facets_free(f);
}

/* Value names by id (1-based) for the id counter: TYPES then YEARS. */
static const char *const TYPES[] = { "news", "minutes", "report", "other" };
static char years[20][5];

static const char *type_name(const void *ctx, uint32_t id, size_t *len)
{
    (void)ctx;
    *len = strlen(TYPES[id - 1]);
    return TYPES[id - 1];
}

static const char *year_name(const void *ctx, uint32_t id, size_t *len)
{
    (void)ctx;
    *len = 4;
    return years[id - 1];
}

/* The column path (ids) counts exactly what the string path counts, all
 * and sample, over enough distinct (key, value) pairs that the id set
 * grows several times. */
static void test_ids_count_as_strings(void **state)
{
    (void)state;
    for (int y = 0; y < 20; y++)
        snprintf(years[y], sizeof years[y], "%d", 2000 + y);
    struct sok_facets *fs = new_facets(2), *fi = new_facets(2);
    sok_facets_sample(fs, 2000);
    sok_facets_sample(fi, 2000);
    uint64_t r = 42;
    for (unsigned long did = 1; did <= 6000; did++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        uint32_t t = (uint32_t)(r >> 33) % 5, y = (uint32_t)(r >> 40) % 21;
        uint32_t k = (uint32_t)(r >> 20) % 3000;    /* 0: no key */
        char key[16];
        snprintf(key, sizeof key, "k%u", k);
        add(fs, did, t ? TYPES[t - 1] : NULL, y ? years[y - 1] : NULL,
            k ? key : NULL);
        uint32_t vid[2] = { t, y };
        assert_int_equal(sok_facets_add_ids(fi, did, vid, k), 0);
    }
    assert_int_equal(sok_facets_resolve(fi, 0, type_name, NULL), 0);
    assert_int_equal(sok_facets_resolve(fi, 1, year_name, NULL), 0);
    assert_int_equal(sok_facets_resolve(fi, 2, year_name, NULL), SOK_EINVAL);
    assert_int_equal(sok_facets_sample_end(fi), sok_facets_sample_end(fs));
    assert_int_not_equal(sok_facets_sample_end(fi), 0);
    for (int sample = 0; sample < 2; sample++) {
        unsigned long sum = 0;
        for (int t = 0; t < 4; t++) {
            unsigned long c = count_of(fi, 0, TYPES[t], sample);
            assert_int_equal(c, count_of(fs, 0, TYPES[t], sample));
            sum += c;
        }
        assert_true(sum > 0);
        for (int y = 0; y < 20; y++)
            assert_int_equal(count_of(fi, 1, years[y], sample),
                             count_of(fs, 1, years[y], sample));
    }
    sok_facets_free(fs);
    sok_facets_free(fi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_count_once),
        cmocka_unit_test(test_sample_is_the_prefix),
        cmocka_unit_test(test_short_result_never_fills),
        cmocka_unit_test(test_ids_count_as_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
