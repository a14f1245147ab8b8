/*
 * test_counts: the word -> count table the indexer sums spelling words in
 * (common/sok_counts.c): counts add up, words differing only in length or
 * a byte stay apart, the table survives growth to many words, merging adds
 * counts, and clearing really empties it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sok_counts.h"

static struct sok_counts *new_counts(void)
{
    struct sok_counts *c = NULL;
    assert_int_equal(sok_counts_new(&c), 0);
    assert_non_null(c);
    return c;
}

static void add(struct sok_counts *c, const char *w, uint64_t inc)
{
    assert_int_equal(sok_counts_add(c, w, strlen(w), inc), 0);
}

static uint64_t get(const struct sok_counts *c, const char *w)
{
    return sok_counts_get(c, w, strlen(w));
}

static void test_sums(void **state)
{
    (void)state;
    struct sok_counts *c = new_counts();
    add(c, "fritidsbanken", 2);
    add(c, "fritidsbanken", 3);
    add(c, "fritidsbank", 1);        /* a prefix is another word */
    add(c, "förskola", 1);
    add(c, "forskola", 4);           /* differs in one character */
    assert_int_equal(sok_counts_size(c), 4);
    assert_int_equal(get(c, "fritidsbanken"), 5);
    assert_int_equal(get(c, "fritidsbank"), 1);
    assert_int_equal(get(c, "förskola"), 1);
    assert_int_equal(get(c, "forskola"), 4);
    assert_int_equal(get(c, "skola"), 0);
    /* Only len bytes count: the rest of the buffer is not part of it. */
    assert_int_equal(sok_counts_add(c, "fritidsbankenXYZ", 13, 1), 0);
    assert_int_equal(get(c, "fritidsbanken"), 6);
    sok_counts_free(c);
}

struct walk {
    size_t n;
    uint64_t total;
    int saw_nul_terminated;
};

static int walk_cb(void *ctx, const char *w, size_t len, uint64_t count)
{
    struct walk *k = ctx;
    k->n++;
    k->total += count;
    k->saw_nul_terminated += w[len] == '\0' && strlen(w) == len;
    return 0;
}

static int stop_cb(void *ctx, const char *w, size_t len, uint64_t count)
{
    (void)w, (void)len, (void)count;
    return ++*(int *)ctx == 3 ? 42 : 0;
}

static void test_growth_and_walk(void **state)
{
    (void)state;
    struct sok_counts *c = new_counts();
    char w[32];
    /* Far past the first slot array and storage chunk. */
    for (unsigned i = 0; i < 50000; i++) {
        snprintf(w, sizeof w, "ord%u", i);
        add(c, w, i % 7 + 1);
    }
    for (unsigned i = 0; i < 50000; i += 2) {
        snprintf(w, sizeof w, "ord%u", i);
        add(c, w, 100);
    }
    assert_int_equal(sok_counts_size(c), 50000);
    for (unsigned i = 0; i < 50000; i += 4999) {
        snprintf(w, sizeof w, "ord%u", i);
        assert_int_equal(get(c, w), i % 7 + 1 + (i % 2 == 0 ? 100 : 0));
    }
    struct walk k = { 0, 0, 0 };
    assert_int_equal(sok_counts_each(c, walk_cb, &k), 0);
    assert_int_equal(k.n, 50000);
    assert_int_equal(k.saw_nul_terminated, 50000);
    uint64_t want = 25000 * 100;
    for (unsigned i = 0; i < 50000; i++)
        want += i % 7 + 1;
    assert_int_equal(k.total, want);
    int calls = 0;
    assert_int_equal(sok_counts_each(c, stop_cb, &calls), 42);
    assert_int_equal(calls, 3);
    sok_counts_free(c);
}

static void test_merge_and_clear(void **state)
{
    (void)state;
    struct sok_counts *a = new_counts(), *b = new_counts();
    add(a, "barn", 3);
    add(a, "unga", 1);
    add(b, "barn", 4);
    add(b, "stöd", 2);
    assert_int_equal(sok_counts_merge(a, b), 0);
    assert_int_equal(sok_counts_size(a), 3);
    assert_int_equal(get(a, "barn"), 7);
    assert_int_equal(get(a, "unga"), 1);
    assert_int_equal(get(a, "stöd"), 2);
    assert_int_equal(get(b, "barn"), 4);          /* src untouched */

    char big[100000];                  /* a word bigger than a chunk */
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    add(a, big, 1);
    sok_counts_clear(a);
    assert_int_equal(sok_counts_size(a), 0);
    assert_int_equal(get(a, "barn"), 0);
    assert_int_equal(get(a, big), 0);
    add(a, "barn", 1);
    assert_int_equal(get(a, "barn"), 1);
    sok_counts_free(a);
    sok_counts_free(b);
    sok_counts_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums),
        cmocka_unit_test(test_growth_and_walk),
        cmocka_unit_test(test_merge_and_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
