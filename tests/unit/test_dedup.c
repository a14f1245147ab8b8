/*
 * test_dedup: content near-duplicates (server/dedup.c): the same text laid
 * out differently is similar, a section inside a longer one is similar,
 * different text and texts too short to judge are not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "sok_sort.h"

static void shingles(const char *text, uint64_t **v, size_t *n)
{
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_dedup_shingles(text, strlen(text), v, n, &err), 0);
}

static int similar(const char *a, const char *b)
{
    uint64_t *va, *vb;
    size_t na, nb;
    shingles(a, &va, &na);
    shingles(b, &vb, &nb);
    int r = sok_dedup_similar(va, na, vb, nb);
    assert_int_equal(r, sok_dedup_similar(vb, nb, va, na));   /* symmetric */
    free(va);
    free(vb);
    return r;
}

static const char k_md[] =
    "Den kommande Fritidsbanken, där du ska kunna låna träningskläder och "
    "utrustning, kan också bidra till att fler kan prova på olika "
    "träningsformer.";
/* The same words from PDF text: other line breaks, spacing and case. */
static const char k_pdf[] =
    "Den kommande Fritidsbanken, där du ska kunna låna träningskläder och \n"
    "utrustning,  kan också bidra till att fler kan prova på olika\n"
    "TRÄNINGSFORMER. ";

static void test_layout_and_case_do_not_matter(void **state)
{
    (void)state;
    assert_true(similar(k_md, k_pdf));
}

static void test_contained_in_longer(void **state)
{
    (void)state;
    char longer[1024];
    strcpy(longer, "Fritidsbank\n\n");
    strcat(longer, k_md);
    strcat(longer, " Lokal idrott. Hur kan man få reda på vilka "
                   "idrottsaktiviteter som finns lokalt där du bor?");
    assert_true(similar(k_md, longer));
}

static void test_different_and_short(void **state)
{
    (void)state;
    assert_false(similar(k_md, "Eftermiddagsskolan är dock öppen för alla "
                               "och det är ett tjugotal barn, från "
                               "förskoleklass till nionde klass."));
    assert_false(similar("Närvarande", "Närvarande"));  /* too short */
    assert_false(similar("", k_md));
    uint64_t *v;
    size_t n;
    shingles("ett två tre", &v, &n);
    assert_int_equal(n, 0);
    assert_null(v);
    shingles("ett två tre fyra fem ett två tre fyra", &v, &n);
    assert_int_equal(n, 5);                 /* repeated 4-grams once */
    for (size_t i = 1; i < n; i++)
        assert_true(v[i - 1] < v[i]);
    free(v);
}

/* How a character is composed, its case and ligatures do not matter; a
 * stray byte and punctuation separate words. */
static void test_composition(void **state)
{
    (void)state;
    assert_true(similar("Förvaltningen fick ﬁnansiering för ÅTTA nya "
                        "platser i år",
                        "fo\xcc\x88rvaltningen – fick finansiering för "
                        "a\xcc\x8atta nya platser i A\xcc\x8aR"));
    assert_false(similar("förvaltningen fick pengar för åtta nya platser",
                         "forvaltningen fick pengar for atta nya platser"));
    uint64_t *v, *w;
    size_t n, m;
    shingles("ett, två; tre\xff" "fyra fem", &v, &n);
    shingles("ett två tre fyra fem", &w, &m);
    assert_int_equal(n, 2);
    assert_int_equal(m, 2);
    assert_memory_equal(v, w, n * sizeof *v);
    free(v);
    free(w);
}

/* A section at the end of another as long as a section can be (64 KiB,
 * SOK_SECTION_MAX: about 7,000 of these words) is still found inside it;
 * past SOK_DEDUP_TOKENS words nothing is looked at, which bounds what a
 * hit costs in an index of schema 4, whose sections had no bound. */
static void test_deep_inside_long(void **state)
{
    (void)state;
    size_t cap = 40000 * 12 + sizeof k_md;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t n = 0;
    for (unsigned i = 0; n + sizeof k_md + 12 < 65536; i++)
        n += (size_t)snprintf(big + n, cap - n, "ord%u ", i);
    memcpy(big + n, k_md, sizeof k_md);
    assert_true(similar(k_pdf, big));
    n = 0;
    for (unsigned i = 0; i < SOK_DEDUP_TOKENS + 100; i++)
        n += (size_t)snprintf(big + n, cap - n, "ord%u ", i);
    memcpy(big + n, k_md, sizeof k_md);
    assert_false(similar(k_pdf, big));
    free(big);
}

/* The merge with its early exit and the radix sort against the obvious
 * versions, on random sets of many sizes and overlaps. */
static int similar_ref(const uint64_t *a, size_t na, const uint64_t *b,
                       size_t nb)
{
    size_t small = na < nb ? na : nb, common = 0;
    if (small < SOK_DEDUP_MIN)
        return 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            common += a[i] == b[j];
    return (double)common >= SOK_DEDUP_CONTAIN * (double)small;
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static int cmp64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_fast_paths_agree(void **state)
{
    (void)state;
    uint64_t seed = 88172645463325252ull;
    uint64_t a[300], b[300], c[300];
    for (int round = 0; round < 400; round++) {
        size_t na = 1 + rnd(&seed) % 300, nb = 1 + rnd(&seed) % 300;
        unsigned share = (unsigned)(rnd(&seed) % 101);  /* % of b from a */
        for (size_t i = 0; i < na; i++)
            a[i] = rnd(&seed) >> (round % 3 ? 0 : 40);  /* small values too */
        for (size_t j = 0; j < nb; j++)
            b[j] = rnd(&seed) % 100 < share ? a[rnd(&seed) % na]
                                            : rnd(&seed);
        memcpy(c, a, na * sizeof *a);
        assert_int_equal(sok_sort_u64(a, na), 0);
        qsort(c, na, sizeof *c, cmp64);
        assert_memory_equal(a, c, na * sizeof *a);
        qsort(b, nb, sizeof *b, cmp64);
        size_t ka = 1, kb = 1;          /* sets: distinct values */
        for (size_t i = 1; i < na; i++)
            if (a[i] != a[ka - 1])
                a[ka++] = a[i];
        for (size_t j = 1; j < nb; j++)
            if (b[j] != b[kb - 1])
                b[kb++] = b[j];
        assert_int_equal(sok_dedup_similar(a, ka, b, kb),
                         similar_ref(a, ka, b, kb));
        assert_int_equal(sok_dedup_similar(b, kb, a, ka),
                         similar_ref(a, ka, b, kb));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_and_case_do_not_matter),
        cmocka_unit_test(test_contained_in_longer),
        cmocka_unit_test(test_different_and_short),
        cmocka_unit_test(test_composition),
        cmocka_unit_test(test_deep_inside_long),
        cmocka_unit_test(test_fast_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
