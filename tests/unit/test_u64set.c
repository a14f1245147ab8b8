/*
 * test_u64set: the open-addressing key set (common/sok_u64set.c) under the
 * stem sets and the facet counter: every key added is found again and only
 * once, through many doublings of the table, and the mixer keeps distinct
 * ids distinct (the facet counter's pairs rely on it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "sok_u64set.h"

static void test_add_find_once(void **state)
{
    (void)state;
    struct sok_u64set s = SOK_U64SET_INIT;
    assert_false(sok_u64set_has(&s, 7));
    int fresh = 0;
    /* Small dense ids, mixed as the facet counter mixes them. */
    for (uint64_t x = 1; x <= 20000; x++) {
        assert_int_equal(sok_u64set_add(&s, sok_u64set_mix(x), &fresh), 0);
        assert_true(fresh);
    }
    assert_int_equal(s.n, 20000);
    assert_true(s.cap >= 2 * s.n);
    for (uint64_t x = 1; x <= 20000; x++) {
        assert_true(sok_u64set_has(&s, sok_u64set_mix(x)));
        assert_int_equal(sok_u64set_add(&s, sok_u64set_mix(x), &fresh), 0);
        assert_false(fresh);
    }
    assert_int_equal(s.n, 20000);
    assert_false(sok_u64set_has(&s, sok_u64set_mix(20001)));
    assert_int_equal(sok_u64set_add(&s, 99, NULL), 0);   /* fresh optional */
    assert_true(sok_u64set_has(&s, 99));
    sok_u64set_clear(&s);
    assert_int_equal(s.n, 0);
    assert_false(sok_u64set_has(&s, 99));
    sok_u64set_clear(&s);
    sok_u64set_clear(NULL);
}

static void test_mix_keeps_ids_apart(void **state)
{
    (void)state;
    assert_int_equal(sok_u64set_mix(0), 0);
    /* (key id << 32 | value id) pairs of neighbouring ids all differ
     * after mixing, and none is 0. */
    struct sok_u64set s = SOK_U64SET_INIT;
    for (uint64_t k = 1; k <= 300; k++)
        for (uint64_t v = 1; v <= 30; v++) {
            uint64_t m = sok_u64set_mix(k << 32 | v);
            int fresh = 0;
            assert_int_not_equal(m, 0);
            assert_int_equal(sok_u64set_add(&s, m, &fresh), 0);
            assert_true(fresh);
        }
    sok_u64set_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_find_once),
        cmocka_unit_test(test_mix_keeps_ids_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
