/*
 * test_date: table-driven tests for the date finder (sok_date_find) and
 * the document-year guess (sok_date_doc_year).  Each row is one input and
 * the exact expected result; rejections (impossible dates, times, version
 * numbers, phone numbers) are rows too, so a regression names the row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sok_date.h"

struct date_case {
    const char *text;
    int default_year;
    const char *want;     /* NULL: no date */
};

static const struct date_case date_cases[] = {
    /* Swedish long and short forms */
    { "Gemensam utvecklingsgrupp 13 februari 2017", 0, "2017-02-13" },
    { "13 feb 2017", 0, "2017-02-13" },
    { "13 feb. 2017", 0, "2017-02-13" },
    { "Den 1 januari 2020 blev barnkonventionen svensk lag", 0,
      "2020-01-01" },
    { "13 FEBRUARI 2017", 0, "2017-02-13" },
    { "13 Februari 2017", 0, "2017-02-13" },
    { "den 5 maj, 2019", 0, "2019-05-05" },
    { "1:a maj 2018", 0, "2018-05-01" },
    { "31 december 1999", 0, "1999-12-31" },
    { "13 sept 2017", 0, "2017-09-13" },
    { "7 okt 2021", 0, "2021-10-07" },
    /* no year: the default year, or nothing */
    { "den 16 mars", 2020, "2020-03-16" },
    { "den 16 mars", 0, NULL },
    { "Kallelse Gemensam utvecklingsgrupp 21 december", 2015, "2015-12-21" },
    { "Tid: måndagen den 16 mars, klockan 13:30-15:30", 2020, "2020-03-16" },
    /* a date wrapped across a PDF line */
    { "möte den 13\nfebruari 2017", 0, "2017-02-13" },
    /* ISO and numeric */
    { "2017-02-13", 0, "2017-02-13" },
    { "publicerad 2017-02-13.", 0, "2017-02-13" },
    { "13/2 2017", 0, "2017-02-13" },
    { "13/2/2017", 0, "2017-02-13" },
    { "29 februari 2016", 0, "2016-02-29" },
    /* the first date wins; one with an unknown year is skipped */
    { "den 2 mars och 7 mars 2017", 0, "2017-03-07" },
    { "den 2 mars och 7 mars 2017", 2016, "2016-03-02" },
    /* rejections */
    { "31 februari 2017", 0, NULL },
    { "29 februari 2017", 0, NULL },
    { "0 mars 2017", 0, NULL },
    { "32 mars 2017", 0, NULL },
    { "2017-02-30", 0, NULL },
    { "2017-13-01", 0, NULL },
    { "20170213", 0, NULL },
    { "Ung framtid 2.0", 2020, NULL },
    { "klockan 13:30", 2020, NULL },
    { "klockan 13:30-15:30", 2020, NULL },
    { "ring 042-10 64 34 eller 0702- 10 64 34", 2020, NULL },
    { "13/2", 2020, NULL },                  /* a fraction, not a date */
    { "13 majoriteten", 2020, NULL },        /* not the month "maj" */
    { "13 marsch 2017", 0, NULL },
    { "5 år", 2020, NULL },
    { "", 2020, NULL },
    { "1,5 maj", 2020, NULL },               /* "5" belongs to "1,5" */
    { "x13 mars 2017", 0, NULL },            /* glued to a word */
    { "kl. 8:00–17:00 den", 2020, NULL },
};

static void test_date_find_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof date_cases / sizeof date_cases[0]; i++) {
        const struct date_case *c = &date_cases[i];
        char out[11] = "x";
        int r = sok_date_find(c->text, strlen(c->text), c->default_year, out);
        int ok = c->want ? (r == 1 && !strcmp(out, c->want))
                         : (r == 0 && out[0] == '\0');
        if (!ok) {
            printf("row %zu: \"%s\" (year %d): got %d \"%s\", want %s\n", i,
                   c->text, c->default_year, r, r ? out : "",
                   c->want ? c->want : "none");
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* The length bound is honoured: nothing past len is read. */
static void test_date_find_len(void **state)
{
    (void)state;
    char out[11];
    const char *t = "13 februari 2017";
    assert_int_equal(sok_date_find(t, 11, 2000, out), 1);   /* "13 februari" */
    assert_string_equal(out, "2000-02-13");
    assert_int_equal(sok_date_find(t, 11, 0, out), 0);
    assert_int_equal(sok_date_find(t, 0, 2000, out), 0);
    assert_int_equal(sok_date_find(NULL, 0, 2000, out), 0);
}

struct year_case {
    const char *text;
    int want;
};

static const struct year_case year_cases[] = {
    { "", 0 },
    { "inga årtal här", 0 },
    { "Kvalitetsmässan 2015", 2015 },
    { "2008 och 2015", 2015 },                         /* tie: the later */
    { "2020, 2020 och 2022", 2020 },                   /* most frequent */
    { "mellan 2018-september 2019 och 2019", 2019 },
    { "2017-02-13", 2017 },
    { "version 2.2019 och 3,2015", 0 },                /* decimals */
    { "telefon 042-10 64 34, 0702- 10 64 34", 0 },
    { "20170213 och 1850 och 2100", 0 },               /* out of range */
    { "år 1990", 1990 },
};

static void test_doc_year_table(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof year_cases / sizeof year_cases[0]; i++) {
        const struct year_case *c = &year_cases[i];
        int y = sok_date_doc_year(c->text, strlen(c->text));
        if (y != c->want) {
            printf("row %zu: \"%s\": got %d, want %d\n", i, c->text, y,
                   c->want);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_find_table),
        cmocka_unit_test(test_date_find_len),
        cmocka_unit_test(test_doc_year_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
