/*
 * test_query: the server's search-box parser (server/query.c) and query
 * string decoding (server/params.c), table-driven.  The server modules are
 * compiled into this test directly: they are not part of libsok.a.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "params.h"
#include "httperr.h"
#include "sok_doc.h"

/* ------------------------------------------------------------- parser */

/* Expected terms written compactly: one entry per term,
 * "[-]KIND:text:group" with KIND w (word), p (phrase) or x (prefix); and
 * the notices the reading raised. */
struct parse_case {
    const char *q;
    unsigned notices;
    const char *terms[6];
};

#define N(name) SOK_QNOTICE(name)

static const struct parse_case parse_cases[] = {
    { "fritidsbanken", 0, { "w:fritidsbanken:0" } },
    { "  Vorta   Drom ", 0, { "w:Vorta:0", "w:Drom:1" } },
    { "\"Bättre hälsa för unga romer\"", 0,
      { "p:Bättre hälsa för unga romer:0" } },
    { "kost -träning", 0, { "w:kost:0", "-w:träning:1" } },
    { "kost -\"god kost\"", 0, { "w:kost:0", "-p:god kost:1" } },
    { "fritid OR bank skola", 0,
      { "w:fritid:0", "w:bank:0", "w:skola:1" } },
    { "a OR b OR c", 0, { "w:a:0", "w:b:0", "w:c:0" } },
    { "fritid*", 0, { "x:fritid:0" } },
    { "fri* skola", 0, { "x:fri:0", "w:skola:1" } },
    { "åäö*", 0, { "x:åäö:0" } },           /* characters, not bytes */
    { "IOP-avtal", 0, { "w:IOP-avtal:0" } },
    { "e-tjänst", 0, { "w:e-tjänst:0" } },
    { "or", 0, { "w:or:0" } },              /* only upper-case OR is syntax */
    { "-OR x", 0, { "-w:OR:0", "w:x:1" } },
    { "ab\"cd ef\"", 0, { "w:ab:0", "p:cd ef:1" } },
    { "x\ty\nz", 0, { "w:x:0", "w:y:1", "w:z:2" } },
    { "+barn", 0, { "w:barn:0" } },
    { "barn AND romska", 0, { "w:barn:0", "w:romska:1" } },
    { "(a OR b) c", 0, { "w:a:0", "w:b:0", "w:c:1" } },
    { "stöd(grupper)", 0, { "w:stöd:0", "w:grupper:1" } },
    /* what a person types, read as they meant it */
    { "\"fritidsbanken", N(UNCLOSED_QUOTE), { "p:fritidsbanken:0" } },
    { "fritidsbanken\"", N(UNCLOSED_QUOTE), { "w:fritidsbanken:0" } },
    { "a \"b c", N(UNCLOSED_QUOTE), { "w:a:0", "p:b c:1" } },
    { "Skolfam - fyller tio år", N(OPERATOR),
      { "w:Skolfam:0", "w:fyller:1", "w:tio:2", "w:år:3" } },
    { "eftermiddagsskola -", N(OPERATOR), { "w:eftermiddagsskola:0" } },
    { "a -- b", N(OPERATOR), { "w:a:0", "w:b:1" } },
    { "a + b", N(OPERATOR), { "w:a:0", "w:b:1" } },
    { "OR stödgrupper", N(OPERATOR), { "w:stödgrupper:0" } },
    { "stödgrupper OR", N(OPERATOR), { "w:stödgrupper:0" } },
    { "a OR OR b", N(OPERATOR), { "w:a:0", "w:b:0" } },
    { "-a OR b", N(OPERATOR), { "-w:a:0", "w:b:1" } },
    { "a OR -b", N(OPERATOR), { "w:a:0", "-w:b:1" } },
    { "AND a", N(OPERATOR), { "w:a:0" } },
    { "a AND", N(OPERATOR), { "w:a:0" } },
    { "a AND AND b", N(OPERATOR), { "w:a:0", "w:b:1" } },
    { "fr* skolfam", N(SHORT_PREFIX), { "w:fr:0", "w:skolfam:1" } },
    { "åä*", N(SHORT_PREFIX), { "w:åä:0" } },
    { "(stödgrupper", N(BRACKETS), { "w:stödgrupper:0" } },
    { "stödgrupper)", N(BRACKETS), { "w:stödgrupper:0" } },
    { ") a (", N(BRACKETS), { "w:a:0" } },
    { "-a", N(ONLY_EXCLUDED), { "w:a:0" } },
    { "-a -b", N(ONLY_EXCLUDED), { "w:a:0", "w:b:1" } },
    { "\"fritid -", N(UNCLOSED_QUOTE), { "p:fritid -:0" } },
    /* nothing to search for: a browse */
    { "*", N(BROWSE), { NULL } },
    { "**", N(BROWSE), { NULL } },
    { "\"\"", N(BROWSE), { NULL } },
    { "\"   \"", N(BROWSE), { NULL } },
    { "()", N(BROWSE), { NULL } },
    { "-", N(OPERATOR) | N(BROWSE), { NULL } },
    { "OR", N(OPERATOR) | N(BROWSE), { NULL } },
    { "\"", N(UNCLOSED_QUOTE) | N(BROWSE), { NULL } },
    { "   ", N(BROWSE), { NULL } },
    { "", N(BROWSE), { NULL } },
};

static void format_term(const char *q, const struct sok_qterm *t, char *out,
                        size_t cap)
{
    char kind = t->kind == SOK_Q_WORD ? 'w' : t->kind == SOK_Q_PHRASE ? 'p'
                                                                       : 'x';
    snprintf(out, cap, "%s%c:%.*s:%u", t->negated ? "-" : "", kind,
             (int)t->len, q + t->off, t->group);
}

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const struct parse_case *c = &parse_cases[i];
        struct sok_query pq;
        struct sok_err err = SOK_ERR_INIT;
        int rc = sok_query_parse(c->q, strlen(c->q), &pq, &err);
        if (rc != 0)
            fail_msg("case %zu (%s): rc %d (%s)", i, c->q, rc, err.msg);
        if (pq.notices != c->notices)
            fail_msg("case %zu (%s): notices %#x, want %#x", i, c->q,
                     pq.notices, c->notices);
        size_t n = 0;
        while (n < 6 && c->terms[n] != NULL)
            n++;
        if (pq.n != n)
            fail_msg("case %zu (%s): %zu terms, want %zu", i, c->q, pq.n, n);
        for (size_t k = 0; k < n; k++) {
            char got[256];
            format_term(c->q, &pq.t[k], got, sizeof got);
            if (strcmp(got, c->terms[k]) != 0)
                fail_msg("case %zu term %zu: %s, want %s", i, k, got,
                         c->terms[k]);
        }
    }
}

static void test_notice_table(void **state)
{
    (void)state;
    for (unsigned b = 0; b < SOK_QNOTICE_COUNT; b++) {
        const struct sok_qnotice *n = sok_query_notice(b);
        assert_non_null(n);
        assert_true(n->code[0] && n->en[0] && n->sv[0]);
        for (unsigned b2 = 0; b2 < b; b2++)
            assert_string_not_equal(n->code, sok_query_notice(b2)->code);
    }
    assert_null(sok_query_notice(SOK_QNOTICE_COUNT));
}

static void test_parse_limits(void **state)
{
    (void)state;
    char q[2048];
    struct sok_query pq;
    struct sok_err err = SOK_ERR_INIT;

    /* 32 words are searched; past them the rest is dropped, and said; a
     * phrase counts its words. */
    size_t n = 0;
    for (int i = 0; i < 32; i++)
        n += (size_t)snprintf(q + n, sizeof q - n, "w%d ", i);
    assert_int_equal(sok_query_parse(q, n, &pq, &err), 0);
    assert_int_equal(pq.n, 32);
    assert_int_equal(pq.notices, 0);
    n += (size_t)snprintf(q + n, sizeof q - n, "extra");
    assert_int_equal(sok_query_parse(q, n, &pq, &err), 0);
    assert_int_equal(pq.n, 32);
    assert_int_equal(pq.notices, SOK_QNOTICE(TOO_MANY_WORDS));

    n = (size_t)snprintf(q, sizeof q, "x \"");
    for (int i = 0; i < 32; i++)
        n += (size_t)snprintf(q + n, sizeof q - n, "w%d ", i);
    n += (size_t)snprintf(q + n, sizeof q - n, "\" y");
    assert_int_equal(sok_query_parse(q, n, &pq, &err), 0);
    assert_int_equal(pq.n, 1);          /* the phrase would pass the cap */
    assert_int_equal(pq.notices, SOK_QNOTICE(TOO_MANY_WORDS));

    /* 512 bytes pass, 513 do not. */
    memset(q, 'a', 513);
    sok_err_clear(&err);
    assert_int_equal(sok_query_parse(q, 512, &pq, &err), 0);
    sok_err_clear(&err);
    assert_int_equal(sok_query_parse(q, 513, &pq, &err), SOK_ETOOBIG);
}

/* ------------------------------------------------------------- params */

struct qs_case {
    const char *qs;
    int code;
    const char *param;          /* named in the error */
};

static const struct qs_case qs_cases[] = {
    { "q=fritidsbanken", 0, NULL },
    { "q=a+b&page=2&per_page=100&type=news&type=minutes", 0, NULL },
    { "q=x&from=2017-01-01&to=2017-12-31&sort=date", 0, NULL },
    { "q=x&utm_source=y", 0, NULL },            /* unknown: ignored */
    { "q=x&&&", 0, NULL },
    { "q=%C3%A5", 0, NULL },
    { "", SOK_EMISSING, "q" },
    { "page=2", SOK_EMISSING, "q" },
    { "q=", 0, NULL },                          /* an empty box: a browse */
    { "q", 0, NULL },
    { "q=a&q=b", SOK_EINVAL, "q" },
    { "q=%00", SOK_EINVAL, "q" },
    { "q=a%00b", SOK_EINVAL, "q" },
    { "q=%zz", SOK_EINVAL, "q" },
    { "q=%4", SOK_EINVAL, "q" },
    { "q=%", SOK_EINVAL, "q" },
    { "q=%C3", SOK_EUTF8, "q" },
    { "q=%FF%FE", SOK_EUTF8, "q" },
    { "q=%ED%A0%80", SOK_EUTF8, "q" },          /* surrogate */
    { "q=a%01b", SOK_EINVAL, "q" },
    { "q=x&page=0", SOK_ERANGE, "page" },
    { "q=x&page=-1", SOK_ERANGE, "page" },
    { "q=x&page=abc", SOK_ERANGE, "page" },
    { "q=x&page=1e3", SOK_ERANGE, "page" },
    { "q=x&page=99999999999", SOK_ERANGE, "page" },
    { "q=x&page=", SOK_EINVAL, "page" },
    { "q=x&page=1&page=2", SOK_EINVAL, "page" },
    { "q=x&per_page=0", SOK_ERANGE, "per_page" },
    { "q=x&per_page=101", SOK_ERANGE, "per_page" },
    { "q=x&per_page=100&page=101", SOK_ERANGE, "page" },
    { "q=x&per_page=100&page=100", 0, NULL },
    { "q=x&type=blog", SOK_EINVAL, "type" },
    { "q=x&type=", SOK_EINVAL, "type" },
    { "q=x&from=2017-02-30", SOK_EINVAL, "from" },
    { "q=x&from=2017-13-01", SOK_EINVAL, "from" },
    { "q=x&from=2017-1-1", SOK_EINVAL, "from" },
    { "q=x&to=yesterday", SOK_EINVAL, "to" },
    { "q=x&from=2018-01-01&to=2017-01-01", SOK_ERANGE, "to" },
    { "q=x&from=2016-02-29", 0, NULL },
    { "q=x&from=2017-02-29", SOK_EINVAL, "from" },
    { "q=x&sort=random", SOK_EINVAL, "sort" },
    { "q=x&%ZZ=1", SOK_EINVAL, "query string" },
    { "q=x&a%00=1", SOK_EINVAL, "query string" },
    { "q=x&junk=%00", SOK_EINVAL, "query string" },
};

static void test_params_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof qs_cases / sizeof qs_cases[0]; i++) {
        const struct qs_case *c = &qs_cases[i];
        struct sok_params p = SOK_PARAMS_INIT;
        struct sok_search_req req = SOK_SEARCH_REQ_INIT;
        struct sok_err err = SOK_ERR_INIT;
        const char *param = NULL;
        int rc = sok_params_parse(c->qs, &p, &param, &err);
        if (rc == 0)
            rc = sok_params_search(&p, &req, &param, &err);
        if (rc != c->code)
            fail_msg("case %zu (%s): rc %d, want %d (%s)", i, c->qs, rc,
                     c->code, err.msg);
        if (rc != 0 && (param == NULL || strcmp(param, c->param) != 0))
            fail_msg("case %zu (%s): parameter %s, want %s", i, c->qs,
                     param ? param : "(null)", c->param);
        sok_params_free(&p);
    }
}

static void test_params_values(void **state)
{
    (void)state;
    struct sok_params p = SOK_PARAMS_INIT;
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *param = NULL;
    assert_int_equal(sok_params_parse("q=%22a+b%22+c&page=3&per_page=20"
                                      "&type=report&from=2017-02-13"
                                      "&sort=date", &p, &param, &err), 0);
    assert_int_equal(sok_params_search(&p, &req, &param, &err), 0);
    assert_int_equal(req.qlen, 7);
    assert_memory_equal(req.q, "\"a b\" c", 7);
    assert_int_equal(req.page, 3);
    assert_int_equal(req.per_page, 20);
    assert_int_equal(req.types, 1u << SOK_TYPE_REPORT);
    assert_string_equal(req.from, "20170213");
    assert_string_equal(req.to, "");
    assert_int_equal(req.sort_date, 1);
    sok_params_free(&p);

    /* More than SOK_PARAMS_MAX parameters. */
    char qs[1024];
    size_t n = 0;
    for (int i = 0; i <= SOK_PARAMS_MAX; i++)
        n += (size_t)snprintf(qs + n, sizeof qs - n, "a%d=1&", i);
    sok_err_clear(&err);
    assert_int_equal(sok_params_parse(qs, &p, &param, &err), SOK_ETOOBIG);
    sok_params_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_notice_table),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_params_table),
        cmocka_unit_test(test_params_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
