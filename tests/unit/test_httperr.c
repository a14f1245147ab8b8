/*
 * test_httperr: the HTTP side of sok_err.h's table (server/httperr.c):
 * every code has a status, a JSON name and words for a reader; a 5xx never
 * shows a client the error's own message; a bad parameter's page names it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "httperr.h"

static const int g_codes[] = {
#define SOK_X_CODE(name, val, status, json, msg, api, sv) name,
    SOK_ERR_TABLE(SOK_X_CODE)
#undef SOK_X_CODE
};
#define NCODES (sizeof g_codes / sizeof g_codes[0])

static void test_every_code_has_a_row(void **state)
{
    (void)state;
    for (size_t i = 1; i < NCODES; i++) {
        const struct sok_httperr *he = sok_httperr_lookup(g_codes[i]);
        assert_int_equal(he->code, g_codes[i]);
        assert_true(he->status >= 400 && he->status < 600);
        assert_non_null(he->name);
        assert_non_null(he->msg);
        assert_string_equal(he->msg, sok_err_default_msg(g_codes[i]));
        /* every page can say something */
        assert_non_null(sok_httperr_sv(g_codes[i], NULL));
        assert_non_null(sok_httperr_sv(g_codes[i], "nonsense"));
    }
    /* an unknown code is a bug: 500 */
    assert_int_equal(sok_httperr_lookup(-12345)->status, 500);
    assert_string_equal(sok_httperr_lookup(-12345)->name, "internal");
}

static void test_server_errors_hide_details(void **state)
{
    (void)state;
    const char *detail = "/var/lib/sok/index: DatabaseOpeningError";
    for (size_t i = 1; i < NCODES; i++) {
        int code = g_codes[i];
        const struct sok_httperr *he = sok_httperr_lookup(code);
        const char *m = sok_httperr_message(code, detail);
        if (he->status >= 500) {
            assert_ptr_not_equal(m, detail);
            /* and the same words on the page, whatever the parameter */
            assert_string_equal(sok_httperr_sv(code, "page"),
                                sok_httperr_sv(code, NULL));
        } else {
            assert_ptr_equal(m, detail);
        }
    }
    assert_string_equal(sok_httperr_message(SOK_ENODB, detail),
                        SOK_API_INDEX_DOWN);
    /* Codes the page text once forgot: the lock and the connection cap. */
    assert_string_equal(sok_httperr_sv(SOK_ELOCKED, NULL), SOK_SV_UNAVAILABLE);
    assert_string_equal(sok_httperr_sv(SOK_EOVERLOAD, NULL),
                        SOK_SV_UNAVAILABLE);
    assert_int_equal(sok_httperr_lookup(SOK_EOVERLOAD)->status, 503);
}

static void test_page_names_the_parameter(void **state)
{
    (void)state;
    assert_non_null(strstr(sok_httperr_sv(SOK_EQUERY, "q"), "citattecken"));
    assert_non_null(strstr(sok_httperr_sv(SOK_ERANGE, "page"), "Sidnumret"));
    assert_string_equal(sok_httperr_sv(SOK_ERANGE, "per_page"),
                        sok_httperr_sv(SOK_ERANGE, "page"));
    assert_non_null(strstr(sok_httperr_sv(SOK_EINVAL, "from"), "ÅÅÅÅ-MM-DD"));
    assert_string_equal(sok_httperr_sv(SOK_EINVAL, "to"),
                        sok_httperr_sv(SOK_EINVAL, "from"));
    assert_non_null(strstr(sok_httperr_sv(SOK_EINVAL, "type"), "dokumenttyp"));
    assert_non_null(strstr(sok_httperr_sv(SOK_EINVAL, "sort"), "sortering"));
    assert_non_null(strstr(sok_httperr_sv(SOK_EMISSING, "q"), "Skriv"));
    /* a too long q is about its length; a too large page about the page */
    assert_non_null(strstr(sok_httperr_sv(SOK_ETOOBIG, NULL), "för lång"));
    assert_non_null(strstr(sok_httperr_sv(SOK_ETOOBIG, "q"), "för lång"));
    assert_non_null(strstr(sok_httperr_sv(SOK_ETOOBIG, "page"), "Sidnumret"));
    assert_string_equal(sok_httperr_sv(SOK_EINVAL, NULL), SOK_SV_ADDRESS);
    assert_string_equal(sok_httperr_sv(SOK_EINVAL, "nonsense"),
                        SOK_SV_ADDRESS);
    assert_non_null(strstr(sok_httperr_sv(SOK_ENODB, "q"), "inte tillgänglig"));
}

static void test_json(void **state)
{
    (void)state;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_httperr_json(&b, SOK_ERANGE, "page: must be \"1\" or more", "page",
                     &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(b.p, "{\"error\":{\"code\":\"out_of_range\","
                             "\"message\":\"page: must be \\\"1\\\" or more\","
                             "\"parameter\":\"page\"}}\n");
    sok_buf_reset(&b);
    sok_httperr_json(&b, SOK_ECORRUPT, "glass: bad block", NULL, &rc);
    assert_string_equal(b.p, "{\"error\":{\"code\":\"index_unavailable\","
                             "\"message\":\"" SOK_API_INDEX_DOWN "\"}}\n");
    sok_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_a_row),
        cmocka_unit_test(test_server_errors_hide_details),
        cmocka_unit_test(test_page_names_the_parameter),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
