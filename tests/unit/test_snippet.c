/*
 * test_snippet: the snippet builder and highlighter (server/snippet.c),
 * with the real tokeniser and Swedish stemmer from libsok.  The server
 * module is compiled into this test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snippet.h"

static struct sok_analyzer *g_an;

static int setup(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    return sok_analyzer_new(&g_an, &err);
}

static int teardown(void **state)
{
    (void)state;
    sok_analyzer_free(g_an);
    return 0;
}

/* Adds folded word w as query word id: its exact form and its stem, as
 * the query plan does. */
static void add_word(struct sok_hl *hl, unsigned id, const char *w)
{
    char stem[SOK_TOKEN_MAX + 1];
    struct sok_token tok = { w, strlen(w), 0, strlen(w), 1, SOK_TOK_WORD };
    struct sok_err err = SOK_ERR_INIT;
    int n = sok_analyzer_stem(g_an, &tok, stem, sizeof stem, &err);
    assert_true(n >= 0);
    sok_hl_add(hl, SOK_HL_EXACT, id, w, strlen(w));
    sok_hl_add(hl, SOK_HL_STEM, id, stem, (size_t)n);
}

/* The snippet of text for hl, as a malloc()ed string. */
static char *snip(const struct sok_hl *hl, const char *text)
{
    struct sok_buf b = SOK_BUF_INIT;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_snippet(g_an, hl, text, strlen(text), &b, &err), 0);
    char *s = sok_buf_detach(&b, NULL);
    assert_non_null(s);
    return s;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_marks_exact_and_stem(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "fritidsbanken");
    char *s = snip(&hl, "Den kommande Fritidsbanken, där du ska kunna låna "
                        "träningskläder. Fritidsbankens lokal.");
    assert_non_null(strstr(s, "<mark>Fritidsbanken</mark>,"));
    assert_non_null(strstr(s, "<mark>Fritidsbankens</mark>"));
    assert_null(strstr(s, "\xe2\x80\xa6"));     /* nothing cut */
    assert_string_equal(s, "Den kommande <mark>Fritidsbanken</mark>, där du "
                           "ska kunna låna träningskläder. "
                           "<mark>Fritidsbankens</mark> lokal.");
    free(s);
}

static void test_escapes_everything_else(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "kost");
    char *s = snip(&hl, "<script>alert('x')</script> & \"kost\" <b>bra</b>");
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<b>"));
    assert_non_null(strstr(s, "&lt;script&gt;"));
    assert_non_null(strstr(s, "&amp;"));
    assert_non_null(strstr(s, "<mark>kost</mark>"));
    /* the only tags left are the marks */
    assert_int_equal(count(s, "<"), count(s, "<mark>") + count(s, "</mark>"));
    free(s);
}

static void test_best_window_and_ellipses(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "hälsa");
    add_word(&hl, 1, "romer");
    char text[8192];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "Hälsa nämns först. ");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "ord%d ", i);
    n += (size_t)snprintf(text + n, sizeof text - n,
                          "Bättre hälsa för unga romer är målet. ");
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "slut%d ", i);
    char *s = snip(&hl, text);
    /* the window with both words wins over the earlier one-word match */
    assert_non_null(strstr(s, "<mark>hälsa</mark> för unga <mark>romer</mark>"));
    assert_null(strstr(s, "<mark>Hälsa</mark> nämns"));
    assert_int_equal(strncmp(s, "\xe2\x80\xa6 ", 4), 0);
    assert_int_equal(strcmp(s + strlen(s) - 4, " \xe2\x80\xa6"), 0);
    free(s);
}

static void test_no_match_gives_start(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "saknas");
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "  Början\n\n av texten ");
    for (int i = 0; i < 80; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "ord%d ", i);
    char *s = snip(&hl, text);
    assert_int_equal(strncmp(s, "Början av texten", 16), 0);   /* collapsed */
    assert_null(strstr(s, "<mark>"));
    assert_int_equal(strcmp(s + strlen(s) - 4, " \xe2\x80\xa6"), 0);
    free(s);
}

static void test_compound_and_prefix(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    sok_hl_add(&hl, SOK_HL_EXACT, 0, "iop-avtal", 9);
    char *s = snip(&hl, "Ett IOP-avtal med staden.");
    assert_non_null(strstr(s, "<mark>IOP-avtal</mark>"));
    assert_int_equal(count(s, "<mark>"), 1);         /* not again per part */
    free(s);

    struct sok_hl hl2 = { 0 };
    sok_hl_add(&hl2, SOK_HL_EXACT, 0, "avtal", 5);
    s = snip(&hl2, "Ett IOP-avtal med staden.");
    assert_non_null(strstr(s, "IOP-<mark>avtal</mark>"));
    free(s);

    struct sok_hl hl3 = { 0 };
    sok_hl_add(&hl3, SOK_HL_PREFIX, 0, "fritid", 6);
    s = snip(&hl3, "En fritidslokal och fritid.");
    assert_string_equal(s, "En <mark>fritidslokal</mark> och "
                           "<mark>fritid</mark>.");
    free(s);
}

static void test_empty_and_long(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "x");
    char *s = snip(&hl, "");
    assert_string_equal(s, "");
    free(s);
    s = snip(&hl, " ... ");             /* no word: nothing to show */
    assert_string_equal(s, "");
    free(s);

    /* A section far longer than the scan limit still gives a bounded
     * snippet. */
    size_t len = SOK_SNIPPET_SCAN + 100000;
    char *big = malloc(len + 1);
    assert_non_null(big);
    for (size_t i = 0; i < len; i++)
        big[i] = i % 7 == 6 ? ' ' : 'a';
    big[len] = '\0';
    struct sok_buf b = SOK_BUF_INIT;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_snippet(g_an, &hl, big, len, &b, &err), 0);
    assert_true(b.n < SOK_SNIPPET_BYTES + 64);
    sok_buf_free(&b);
    free(big);
}

static void test_highlight_html(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "kost");
    struct sok_buf b = SOK_BUF_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *text = "Första stycket om kost.\n\nAndra <stycket>\nrad två.";
    assert_int_equal(sok_highlight_html(g_an, &hl, text, strlen(text), &b,
                                        &err), 0);
    assert_string_equal(b.p, "<p>Första stycket om <mark>kost</mark>.</p>\n"
                             "<p>Andra &lt;stycket&gt;<br>\nrad två.</p>\n");
    sok_buf_free(&b);
}

/* A title is marked and escaped as a snippet is, whole, on one line. */
static void test_highlight_line(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "fritidsbanken");
    struct sok_buf b = SOK_BUF_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *title = "  Fritidsbank <&> \"Fritidsbanken\"\n i Eslöv ";
    assert_int_equal(sok_highlight_line(g_an, &hl, title, strlen(title), &b,
                                        &err), 0);
    assert_string_equal(b.p, "<mark>Fritidsbank</mark> &lt;&amp;&gt; "
                             "&quot;<mark>Fritidsbanken</mark>&quot; i "
                             "Eslöv");
    sok_buf_reset(&b);
    assert_int_equal(sok_highlight_line(g_an, &hl, "", 0, &b, &err), 0);
    assert_true(b.n == 0);
    struct sok_hl none = { 0 };
    assert_int_equal(sok_highlight_line(g_an, &none, "a < b", 5, &b, &err),
                     0);
    assert_string_equal(b.p, "a &lt; b");
    sok_buf_free(&b);
}

/* A word of 10,000 letters does not widen a snippet past its budget,
 * first in the window or after the match. */
static void test_long_word(void **state)
{
    (void)state;
    struct sok_hl hl = { 0 };
    add_word(&hl, 0, "kottar");
    size_t n = 10000;
    char *text = malloc(n + 64);
    memset(text, 'a', n);
    strcpy(text + n, " och kottar i skogen.");
    char *s = snip(&hl, text);
    assert_true(strlen(s) <= SOK_SNIPPET_BYTES + 16);
    assert_non_null(strstr(s, "<mark>kottar</mark>"));
    free(s);
    memmove(text + 7, text, n + 1);
    memcpy(text, "kottar ", 7);
    s = snip(&hl, text);
    assert_true(strlen(s) <= SOK_SNIPPET_BYTES + 16);
    assert_non_null(strstr(s, "<mark>kottar</mark>"));
    free(s);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_exact_and_stem),
        cmocka_unit_test(test_escapes_everything_else),
        cmocka_unit_test(test_best_window_and_ellipses),
        cmocka_unit_test(test_no_match_gives_start),
        cmocka_unit_test(test_compound_and_prefix),
        cmocka_unit_test(test_empty_and_long),
        cmocka_unit_test(test_long_word),
        cmocka_unit_test(test_highlight_html),
        cmocka_unit_test(test_highlight_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
