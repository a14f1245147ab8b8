/*
 * test_render: the HTML side of server/render.c — Swedish dates and type
 * names, and that nothing from the query or the index reaches the page
 * unescaped (text, attribute values, URLs), while snippets (already HTML
 * with only <mark>) pass through.  The server module is compiled into this
 * test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "sok_doc.h"

static char *render_date(const char *iso)
{
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_buf_puts(&b, "", &rc);
    sok_render_date_sv(&b, iso, &rc);
    assert_int_equal(rc, 0);
    return b.p;     /* the caller frees */
}

static void test_date_sv(void **state)
{
    (void)state;
    char *s = render_date("2017-02-13");
    assert_string_equal(s, "<time datetime=\"2017-02-13\">13 februari 2017"
                           "</time>");
    free(s);
    s = render_date("2020-12-01");
    assert_string_equal(s, "<time datetime=\"2020-12-01\">1 december 2020"
                           "</time>");
    free(s);
    s = render_date("2020-13-01");          /* not a date: as is */
    assert_string_equal(s, "2020-13-01");
    free(s);
    s = render_date("<b>2017</b>");         /* and escaped */
    assert_string_equal(s, "&lt;b&gt;2017&lt;/b&gt;");
    free(s);
    s = render_date("");
    assert_string_equal(s, "");
    free(s);
    s = render_date(NULL);
    assert_string_equal(s, "");
    free(s);
}

static void test_type_sv(void **state)
{
    (void)state;
    assert_string_equal(sok_render_type_sv("news"), "Nyhet");
    assert_string_equal(sok_render_type_sv("minutes"),
                        "Protokoll/minnesanteckningar");
    assert_string_equal(sok_render_type_sv("report"), "Rapport");
    assert_string_equal(sok_render_type_sv("other"), "Övrigt");
    assert_string_equal(sok_render_type_sv("???"), "Övrigt");
    assert_string_equal(sok_render_type_sv(NULL), "Övrigt");
}

static void test_urlenc(void **state)
{
    (void)state;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    const char *q = "a b&\"<ö>";
    sok_render_urlenc(&b, q, strlen(q), &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(b.p, "a%20b%26%22%3C%C3%B6%3E");
    sok_buf_free(&b);
}

static json_t *hit_doc(const char *url)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                     "id", "0123456789abcdef",
                     "title", "Rubrik <i>\"x\"</i>",
                     "doc_title", "Dokument & annat",
                     "url", url, "type", "minutes", "date", "2017-02-13",
                     "source", "corpus/a.txt");
}

static char *render_results(const char *q, json_t *doc, unsigned page,
                            unsigned long total)
{
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    req.q = q;
    req.qlen = strlen(q);
    req.page = page;
    req.types = 1u << SOK_TYPE_MINUTES;
    struct sok_search_hit hit = { doc, 1.0, 0,
                                  (char *)"före <mark>ord</mark> &amp; efter",
                                  NULL, NULL, 0 };
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    res.total = total;
    res.nhits = 1;
    res.hits = &hit;
    res.suggestion = (char *)"rätt \"ord\"";
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_render_page_html(&b, &req, &res, NULL, &rc);
    assert_int_equal(rc, 0);
    return b.p;
}

static void test_page_escapes_everything(void **state)
{
    (void)state;
    json_t *d = hit_doc("javascript:alert(1)");
    char *s = render_results("\"><script>alert(1)</script>", d, 1, 1);
    /* Only our own script element, no other. */
    /* (its URL carries the asset's hash, for a year-long cache) */
    assert_non_null(strstr(s, "<script src=\"/assets/app.js?v="));
    assert_non_null(strstr(s, "\" defer></script>"));
    assert_null(strstr(s, "<script>"));
    assert_null(strstr(s, "javascript:"));
    assert_null(strstr(s, "style=\""));       /* the CSP allows none */
    assert_non_null(strstr(s, "value=\"&quot;&gt;&lt;script&gt;alert(1)"
                              "&lt;/script&gt;\""));
    /* A stored URL that is not http(s) or site-relative: our own page. */
    assert_non_null(strstr(s, "href=\"/doc/0123456789abcdef?q=%22%3E%3C"));
    assert_non_null(strstr(s, "Rubrik &lt;i&gt;&quot;x&quot;&lt;/i&gt;"));
    assert_non_null(strstr(s, "Dokument &amp; annat"));
    /* The snippet is HTML already: passed through untouched. */
    assert_non_null(strstr(s, "före <mark>ord</mark> &amp; efter"));
    assert_non_null(strstr(s, "Menade du <a href=\"/?q=r%C3%A4tt%20%22ord"
                              "%22\">rätt &quot;ord&quot;</a>?"));
    assert_non_null(strstr(s, "Visar 1–1 av 1 träff för"));
    assert_non_null(strstr(s, "<time datetime=\"2017-02-13\">"));
    assert_non_null(strstr(s, "Protokoll/minnesanteckningar"));
    assert_non_null(strstr(s, "lang=\"sv\""));
    free(s);
    json_decref(d);
}

static void test_page_links(void **state)
{
    (void)state;
    json_t *d = hit_doc("/doc/0123456789abcdef");
    char *s = render_results("a&b", d, 2, 35);
    assert_non_null(strstr(s, "Visar 11–11 av 35 träffar"));
    free(s);
    /* Behind a proxy's base path every link of ours carries it. */
    sok_render_set_base("/sok");
    s = render_results("a&b", d, 2, 35);
    sok_render_set_base(NULL);
    assert_non_null(strstr(s, "action=\"/sok/\""));
    assert_non_null(strstr(s, "href=\"/sok/doc/0123456789abcdef?q=a%26b\""));
    assert_non_null(strstr(s, "href=\"/sok/assets/style.css?v="));
    assert_non_null(strstr(s, "href=\"/sok/?q=a%26b"));
    assert_null(strstr(s, "href=\"/doc/"));
    assert_null(strstr(s, "href=\"/?q="));
    free(s);
    /* An estimated total says so. */
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    req.q = "a";
    req.qlen = 1;
    struct sok_search_hit hit = { d, 1.0, 0, (char *)"x", NULL, NULL, 0 };
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    res.total = 4000;
    res.facets_exact = 0;
    res.total_exact = 0;
    res.nhits = 1;
    res.hits = &hit;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_render_page_html(&b, &req, &res, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(b.p, "Visar 1–1 av cirka 4000 träffar"));
    /* Only the type facet's other types estimated: the total is exact. */
    res.total_exact = 1;
    sok_buf_reset(&b);
    sok_render_page_html(&b, &req, &res, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(b.p, "Visar 1–1 av 4000 träffar"));
    sok_buf_free(&b);
    s = render_results("a&b", d, 2, 35);
    /* The pager keeps the query and the filter; & is &amp; in href. */
    assert_non_null(strstr(s, "rel=\"prev\" href=\"/?q=a%26b&amp;type="
                              "minutes\""));
    assert_non_null(strstr(s, "rel=\"next\" href=\"/?q=a%26b&amp;type="
                              "minutes&amp;page=3\""));
    assert_non_null(strstr(s, "aria-current=\"page\""));
    /* The chosen type is marked and can be removed. */
    assert_non_null(strstr(s, "href=\"/?q=a%26b\">Alla typer</a>"));
    assert_non_null(strstr(s, "class=\"on\" aria-current=\"true\" "
                              "href=\"/?q=a%26b\">Protokoll/"));
    free(s);
    json_decref(d);
}

static void test_search_json(void **state)
{
    (void)state;
    json_t *d = hit_doc("/doc/0123456789abcdef");
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    req.q = "a\"b";
    req.qlen = 3;
    struct sok_search_hit hit = { d, 1.5, 0, (char *)"<mark>a</mark>", NULL,
                                  NULL, 0 };
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    res.total = 1;
    res.nhits = 1;
    res.hits = &hit;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_render_search_json(&b, &req, &res, &rc);
    assert_int_equal(rc, 0);
    json_error_t e;
    json_t *j = json_loads(b.p, 0, &e);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "query")),
                        "a\"b");
    assert_true(json_is_true(json_object_get(j, "facets_exact")));
    assert_true(json_is_object(json_object_get(j, "facets")));
    /* Without a title_html the title escaped; no other copy: []. */
    json_t *h0 = json_array_get(json_object_get(j, "hits"), 0);
    assert_string_equal(json_string_value(json_object_get(h0, "title_html")),
                        "Rubrik &lt;i&gt;&quot;x&quot;&lt;/i&gt;");
    assert_true(json_is_array(json_object_get(h0, "also")));
    assert_int_equal(json_array_size(json_object_get(h0, "also")), 0);
    json_decref(j);
    /* Counted over part of the matches: said so. */
    res.facets_exact = 0;
    sok_buf_reset(&b);
    sok_render_search_json(&b, &req, &res, &rc);
    j = json_loads(b.p, 0, &e);
    assert_non_null(j);
    assert_true(json_is_false(json_object_get(j, "facets_exact")));
    json_decref(j);
    sok_buf_free(&b);
    json_decref(d);
}

/* A hit with a marked title and two other copies of its passage: the
 * JSON lists them, the page names a lone PDF by its format and anything
 * else by its file, each a link to that copy. */
static void test_title_and_also(void **state)
{
    (void)state;
    json_t *d = hit_doc("/doc/0123456789abcdef");
    json_object_set_new(d, "source", json_string("corpus/protokoll.html"));
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    req.q = "ord";
    req.qlen = 3;
    struct sok_search_hit hit = { d, 1.5, 2, (char *)"<mark>ord</mark>",
                                  (char *)"Rubrik &amp; <mark>ord</mark>",
                                  NULL, 0 };
    hit.also = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]",
                         "url", "/doc/1111111111111111", "source",
                         "corpus/pdf/protokoll.pdf", "id", "1111111111111111",
                         "url", "https://example.org/p<1>", "source",
                         "corpus/protokoll.md", "id", "2222222222222222");
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    res.total = 1;
    res.nhits = 1;
    res.hits = &hit;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_render_search_json(&b, &req, &res, &rc);
    assert_int_equal(rc, 0);
    json_error_t e;
    json_t *j = json_loads(b.p, 0, &e);
    assert_non_null(j);
    json_t *h0 = json_array_get(json_object_get(j, "hits"), 0);
    assert_string_equal(json_string_value(json_object_get(h0, "title_html")),
                        "Rubrik &amp; <mark>ord</mark>");
    assert_true(json_equal(json_object_get(h0, "also"), hit.also));
    assert_int_equal(json_integer_value(json_object_get(h0, "collapsed")), 2);
    json_decref(j);

    sok_buf_reset(&b);
    sok_render_page_html(&b, &req, &res, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(b.p, "<h3><a href=\"/doc/0123456789abcdef?q=ord"
                                "\">Rubrik &amp; <mark>ord</mark></a></h3>"));
    assert_non_null(strstr(b.p, "<p class=\"also\"><a href=\"/doc/"
                                "1111111111111111?q=ord\">Finns även som "
                                "PDF</a>, <a href=\"https://example.org/"
                                "p&lt;1&gt;\">i protokoll.md</a></p>"));
    /* Two PDFs: named by their files. */
    json_object_set_new(json_array_get(hit.also, 1), "source",
                        json_string("b/protokoll2.pdf"));
    sok_buf_reset(&b);
    sok_render_page_html(&b, &req, &res, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(b.p, ">Finns även i protokoll.pdf</a>, "));
    assert_non_null(strstr(b.p, ">i protokoll2.pdf</a></p>"));
    sok_buf_free(&b);
    json_decref(hit.also);
    json_decref(d);
}

static void test_no_hits(void **state)
{
    (void)state;
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    req.q = "<b>x";
    req.qlen = 4;
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_render_page_html(&b, &req, &res, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(b.p, "Inga träffar för ”<span class=\"q\">"
                                "&lt;b&gt;x</span>”"));
    assert_null(strstr(b.p, "<b>"));
    sok_buf_free(&b);
}

static void test_doc_page(void **state)
{
    (void)state;
    json_t *d = hit_doc("https://example.org/a\"b");
    json_object_set_new(d, "prev", json_string("1111111111111111"));
    json_object_set_new(d, "next", json_string("2222222222222222"));
    json_object_set_new(d, "ordinal", json_integer(1));
    json_object_set_new(d, "nsections", json_integer(3));
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_render_doc_html(&b, d, "<p>Text <mark>ord</mark></p>\n", "ö \"q\"",
                        &rc);
    assert_int_equal(rc, 0);
    const char *s = b.p;
    assert_non_null(strstr(s, "<h1>Rubrik &lt;i&gt;"));
    assert_non_null(strstr(s, "<p>Text <mark>ord</mark></p>"));
    assert_non_null(strstr(s, "href=\"/?q=%C3%B6%20%22q%22\">Tillbaka till "
                              "träffarna</a>"));
    assert_non_null(strstr(s, "href=\"/doc/1111111111111111?q=%C3%B6%20%22q"
                              "%22\">← Föregående avsnitt"));
    assert_non_null(strstr(s, "Nästa avsnitt"));
    assert_non_null(strstr(s, "href=\"https://example.org/a&quot;b\""));
    assert_non_null(strstr(s, "<dd>2 av 3</dd>"));
    assert_non_null(strstr(s, "value=\"ö &quot;q&quot;\""));
    sok_buf_free(&b);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_sv),
        cmocka_unit_test(test_type_sv),
        cmocka_unit_test(test_urlenc),
        cmocka_unit_test(test_page_escapes_everything),
        cmocka_unit_test(test_page_links),
        cmocka_unit_test(test_search_json),
        cmocka_unit_test(test_title_and_also),
        cmocka_unit_test(test_no_hits),
        cmocka_unit_test(test_doc_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
