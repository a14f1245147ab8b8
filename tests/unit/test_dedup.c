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

#include <stdlib.h>
#include <string.h>

#include "../../server/dedup.c"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_and_case_do_not_matter),
        cmocka_unit_test(test_contained_in_longer),
        cmocka_unit_test(test_different_and_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
