/*
 * test_text: table-driven unit tests for sok_text (UTF-8 validation and
 * repair, NFC + case folding and the tokeniser).  Each table
 * row is one input and the exact expected result, so a regression names
 * the row that broke.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sok_text.h"

/* ------------------------------------------------------------- utf8_valid */

struct valid_case {
    const char *s;
    size_t len;       /* 0: strlen(s) */
    int valid;
};

static const struct valid_case valid_cases[] = {
    { "", 0, 1 },
    { "plain ascii", 0, 1 },
    { "r\xc3\xa4ksm\xc3\xb6rg\xc3\xa5s", 0, 1 },          /* räksmörgås */
    { "a\xcc\x8a", 0, 1 },                                  /* a + ring */
    { "\xe2\x82\xac \xf0\x9f\x98\x80", 0, 1 },              /* € 😀 */
    { "\xef\xbf\xbd", 0, 1 },                               /* U+FFFD */
    { "\xf4\x8f\xbf\xbf", 0, 1 },                           /* U+10FFFF */
    { "nul\0inside", 10, 1 },                               /* NUL is valid */
    { "r\xe4ksm\xf6rg\xe5s", 0, 0 },                        /* Latin-1 */
    { "\x80", 0, 0 },                                       /* stray cont. */
    { "\xc3", 0, 0 },                                       /* truncated */
    { "ab\xc3", 0, 0 },                                     /* truncated at end */
    { "\xc0\xaf", 0, 0 },                                   /* overlong / */
    { "\xc1\xbf", 0, 0 },                                   /* overlong */
    { "\xe0\x80\xaf", 0, 0 },                               /* overlong 3 */
    { "\xf0\x80\x80\xaf", 0, 0 },                           /* overlong 4 */
    { "\xed\xa0\x80", 0, 0 },                               /* surrogate */
    { "\xed\xbf\xbf", 0, 0 },                               /* surrogate */
    { "\xf4\x90\x80\x80", 0, 0 },                           /* > U+10FFFF */
    { "\xf5\x80\x80\x80", 0, 0 },
    { "\xff", 0, 0 },
    { "\xe2\x82", 0, 0 },                                   /* cut € */
    { "0123456789abcdef\xe2\x82", 0, 0 },                   /* after fast path */
    { "0123456789abcdef\xe2\x82\xac", 0, 1 },
};

static void test_utf8_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
        const struct valid_case *c = &valid_cases[i];
        size_t len = c->len ? c->len : strlen(c->s);
        if (sok_text_utf8_valid(c->s, len) != c->valid)
            fail_msg("utf8_valid row %zu: expected %d", i, c->valid);
    }
}

/* ------------------------------------------------------------ utf8_repair */

struct repair_case {
    const char *in;
    size_t inlen;     /* 0: strlen(in) */
    const char *out;
    size_t outlen;    /* 0: strlen(out) */
    size_t nbad;
};

static const struct repair_case repair_cases[] = {
    { "", 0, "", 0, 0 },
    { "hej", 0, "hej", 0, 0 },
    { "r\xc3\xa4ksm\xc3\xb6rg\xc3\xa5s", 0, "r\xc3\xa4ksm\xc3\xb6rg\xc3\xa5s", 0, 0 },
    /* No valid multi-byte sequence at all: taken as Latin-1. */
    { "r\xe4ksm\xf6rg\xe5s", 0, "r\xc3\xa4ksm\xc3\xb6rg\xc3\xa5s", 0, 3 },
    { "\xc5SA", 0, "\xc3\x85SA", 0, 1 },
    /* Windows-1252 specials: euro, en dash, right quote; 0x81 undefined. */
    { "\x80 \x96 \x92 \x81", 0,
      "\xe2\x82\xac \xe2\x80\x93 \xe2\x80\x99 \xef\xbf\xbd", 0, 4 },
    /* Valid UTF-8 elsewhere: stray bytes become U+FFFD each. */
    { "\xc3\xa5 \xe4 x", 0, "\xc3\xa5 \xef\xbf\xbd x", 0, 1 },
    { "\xc3\xa5\x80\x80", 0, "\xc3\xa5\xef\xbf\xbd\xef\xbf\xbd", 0, 2 },
    { "\xc3\xa5 \xed\xa0\x80", 0,
      "\xc3\xa5 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0, 3 },
    { "\xc3\xa5 \xc3", 0, "\xc3\xa5 \xef\xbf\xbd", 0, 1 },
    /* NUL and C0 controls become spaces; tab, newline, CR stay. */
    { "a\0b", 3, "a b", 0, 1 },
    { "a\x01\x1b[0m\tb\r\n", 0, "a  [0m\tb\r\n", 0, 2 },
    { "\xe4\0", 2, "\xc3\xa4 ", 0, 2 },
};

static void test_utf8_repair(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof repair_cases / sizeof repair_cases[0]; i++) {
        const struct repair_case *c = &repair_cases[i];
        size_t inlen = c->inlen ? c->inlen : strlen(c->in);
        size_t want = c->outlen ? c->outlen : strlen(c->out);
        char *out = NULL;
        size_t outlen = 99, nbad = 99;
        struct sok_err err = SOK_ERR_INIT;
        int rc = sok_text_utf8_repair(c->in, inlen, &out, &outlen, &nbad, &err);
        assert_int_equal(rc, 0);
        assert_non_null(out);
        if (outlen != want || memcmp(out, c->out, want) != 0)
            fail_msg("utf8_repair row %zu: got \"%s\" (%zu bytes)", i, out,
                     outlen);
        if (nbad != c->nbad)
            fail_msg("utf8_repair row %zu: nbad %zu, expected %zu", i, nbad,
                     c->nbad);
        assert_int_equal(out[outlen], '\0');
        assert_true(sok_text_utf8_valid(out, outlen));
        free(out);
    }
}

/* Repair output is always valid, whatever the input (all byte pairs). */
static void test_utf8_repair_exhaustive_pairs(void **state)
{
    (void)state;
    unsigned char in[5];
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b++) {
            in[0] = 'x';
            in[1] = (unsigned char)a;
            in[2] = (unsigned char)b;
            in[3] = 0xC3;               /* keep a valid sequence in sight */
            in[4] = 0xA5;
            char *out = NULL;
            size_t outlen = 0;
            assert_int_equal(sok_text_utf8_repair((const char *)in, 5, &out,
                                                  &outlen, NULL, NULL), 0);
            assert_true(sok_text_utf8_valid(out, outlen));
            assert_int_equal(strlen(out), outlen);   /* no NUL inside */
            free(out);
            /* and the Latin-1 path */
            assert_int_equal(sok_text_utf8_repair((const char *)in, 3, &out,
                                                  &outlen, NULL, NULL), 0);
            assert_true(sok_text_utf8_valid(out, outlen));
            assert_int_equal(strlen(out), outlen);
            free(out);
        }
    }
}

static void test_utf8_repair_args(void **state)
{
    (void)state;
    struct sok_err err = SOK_ERR_INIT;
    size_t n = 1;
    assert_int_equal(sok_text_utf8_repair("x", 1, NULL, &n, NULL, &err),
                     SOK_EINVAL);
    assert_int_equal(err.code, SOK_EINVAL);
    char *out = NULL;
    assert_int_equal(sok_text_utf8_repair(NULL, 0, &out, &n, NULL, NULL), 0);
    assert_string_equal(out, "");
    assert_int_equal(n, 0);
    free(out);
}

/* ------------------------------------------------------------------ fold */

struct fold_case {
    const char *in;
    const char *out;
};

static const struct fold_case fold_cases[] = {
    { "", "" },
    { "Hej", "hej" },
    { "a\xcc\x8a", "\xc3\xa5" },                     /* NFD a+ring -> NFC å */
    { "A\xcc\x8a", "\xc3\xa5" },                     /* NFD A+ring -> å */
    { "\xc3\x85", "\xc3\xa5" },                      /* Å -> å */
    { "\xc3\x85SA", "\xc3\xa5sa" },                  /* ÅSA -> åsa */
    { "\xc3\xa5sa", "\xc3\xa5sa" },
    { "A\xcc\x8aSA", "\xc3\xa5sa" },
    { "R\xc3\x84KSM\xc3\x96RG\xc3\x85S", "r\xc3\xa4ksm\xc3\xb6rg\xc3\xa5s" },
    { "o\xcc\x88", "\xc3\xb6" },                     /* o + diaeresis */
    { "E\xcc\x81", "\xc3\xa9" },                     /* E + acute */
    { "Stra\xc3\x9f" "e", "strasse" },               /* full case folding */
    { "\xce\xa3\xce\x97", "\xcf\x83\xce\xb7" },      /* Greek */
    { "IOP-Avtal 2017", "iop-avtal 2017" },
};

static void test_fold(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fold_cases / sizeof fold_cases[0]; i++) {
        const struct fold_case *c = &fold_cases[i];
        char *out = NULL;
        size_t n = 0;
        struct sok_err err = SOK_ERR_INIT;
        assert_int_equal(sok_text_fold(c->in, strlen(c->in), &out, &n, &err), 0);
        if (strcmp(out, c->out) != 0 || n != strlen(c->out))
            fail_msg("fold row %zu: got \"%s\"", i, out);
        free(out);
    }
}

static void test_fold_invalid(void **state)
{
    (void)state;
    char *out = (char *)1;
    struct sok_err err = SOK_ERR_INIT;
    /* utf8proc_map fails on invalid input: reported, nothing leaked. */
    assert_int_equal(sok_text_fold("r\xe4k", 3, &out, NULL, &err), SOK_EUTF8);
    assert_null(out);
    assert_int_equal(err.code, SOK_EUTF8);
    assert_int_equal(sok_text_fold(NULL, 1, &out, NULL, NULL), SOK_EINVAL);
}

/* ------------------------------------------------------------- tokenize */

/* Renders tokens as "pos:text:FLAGS" separated by spaces; flag letters
 * W N E U C P ^ (capital) T (truncated).  Also checks the invariants every
 * token must keep, whatever the input. */
struct render {
    char buf[4096];
    size_t n;
    const char *src;
    size_t srclen;
    unsigned lastpos;
    int ntok;
};

static int render_cb(void *ctx, const struct sok_token *t)
{
    struct render *r = ctx;
    assert_true(t->len > 0 && t->len <= SOK_TOKEN_MAX);
    assert_int_equal(strlen(t->text), t->len);
    assert_true(sok_text_utf8_valid(t->text, t->len));
    assert_true(t->start < t->end && t->end <= r->srclen);
    assert_true(t->pos >= r->lastpos);
    r->lastpos = t->pos;
    r->ntok++;
    char fl[16];
    size_t k = 0;
    if (t->flags & SOK_TOK_WORD) fl[k++] = 'W';
    if (t->flags & SOK_TOK_NUMBER) fl[k++] = 'N';
    if (t->flags & SOK_TOK_EMAIL) fl[k++] = 'E';
    if (t->flags & SOK_TOK_URL) fl[k++] = 'U';
    if (t->flags & SOK_TOK_COMPOUND) fl[k++] = 'C';
    if (t->flags & SOK_TOK_PART) fl[k++] = 'P';
    if (t->flags & SOK_TOK_CAPITAL) fl[k++] = '^';
    if (t->flags & SOK_TOK_TRUNCATED) fl[k++] = 'T';
    fl[k] = '\0';
    int w = snprintf(r->buf + r->n, sizeof r->buf - r->n, "%s%u:%s:%s",
                     r->n ? " " : "", t->pos, t->text, fl);
    assert_true(w > 0 && (size_t)w < sizeof r->buf - r->n);
    r->n += (size_t)w;
    return 0;
}

static const char *render_tokens(struct render *r, const char *s, size_t len,
                                 unsigned first, unsigned *next)
{
    memset(r, 0, sizeof *r);
    r->src = s;
    r->srclen = len;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_text_tokenize(s, len, first, render_cb, r, next, &err), 0);
    return r->buf;
}

struct tok_case {
    const char *in;
    const char *want;
};

static const struct tok_case tok_cases[] = {
    { "", "" },
    { " \t\n.,;!? \xe2\x80\x93 ", "" },
    /* words, case, NFD/NFC */
    { "Hej v\xc3\xa4rlden", "1:hej:W^ 2:v\xc3\xa4rlden:W" },
    { "\xc3\x85SA \xc3\xa5sa a\xcc\x8asa A\xcc\x8aSA",
      "1:\xc3\xa5sa:W^ 2:\xc3\xa5sa:W 3:\xc3\xa5sa:W 4:\xc3\xa5sa:W^" },
    { "caf\xc3\xa9 M\xc3\xbcnchen \xc3\x96stra", "1:caf\xc3\xa9:W 2:m\xc3\xbcnchen:W^ 3:\xc3\xb6stra:W^" },
    { "stra\xc3\x9f" "e", "1:strasse:W" },
    /* hyphens */
    { "IOP-avtal", "1:iop-avtal:C^ 1:iop:WP^ 2:avtal:WP" },
    { "catch up-metoden", "1:catch:W 2:up-metoden:C 2:up:WP 3:metoden:WP" },
    { "Ann-Christine", "1:ann-christine:C^ 1:ann:WP^ 2:christine:WP^" },
    { "second hand-butik x", "1:second:W 2:hand-butik:C 2:hand:WP 3:butik:WP 4:x:W" },
    { "a-b-c d", "1:a-b-c:C 1:a:WP 2:b:WP 3:c:WP 4:d:W" },
    { "e\xe2\x80\x90post", "1:e-post:C 1:e:WP 2:post:WP" },          /* U+2010 */
    { "Do Drom \xe2\x80\x93 en v\xc3\xa4g", "1:do:W^ 2:drom:W^ 3:en:W 4:v\xc3\xa4g:W" },
    { "Do Drom \xe2\x80\x94 en", "1:do:W^ 2:drom:W^ 3:en:W" },
    { "Stockholm\xe2\x80\x93G\xc3\xb6teborg 2010\xe2\x80\x93" "2015",
      "1:stockholm:W^ 2:g\xc3\xb6teborg:W^ 3:2010:N 4:2015:N" },
    { "skol- och fritidsf\xc3\xb6rvaltning",
      "1:skol:W 2:och:W 3:fritidsf\xc3\xb6rvaltning:W" },
    { "-x- --y", "1:x:W 2:y:W" },
    { "covid-19 2017-talet",
      "1:covid-19:C 1:covid:WP 2:19:NP 3:2017-talet:C 3:2017:NP 4:talet:WP" },
    /* numbers and dates */
    { "2017-02-13 13:30 2.0 1,5 042-10 2017",
      "1:2017-02-13:N 2:13:30:N 3:2.0:N 4:1,5:N 5:042-10:N 6:2017:N" },
    { "13.30. 1,5, 12/3", "1:13.30:N 2:1,5:N 3:12/3:N" },
    { "H22 G7 QQ 3D", "1:h22:W^ 2:g7:W^ 3:qq:W^ 4:3d:W^" },
    { "1.5kg", "1:1.5:N 2:kg:W" },
    /* apostrophes */
    { "don't Zlatan\xe2\x80\x99s 'citat' 90's",
      "1:don't:W 2:zlatan's:W^ 3:citat:W 4:90:N 5:s:W" },
    /* e-mail */
    { "Mejla david.bergstrom@helsingborg.se!",
      "1:mejla:W^ 2:david.bergstrom@helsingborg.se:E 2:david:WP 3:bergstrom:WP "
      "4:helsingborg:WP 5:se:WP" },
    { "Anna.Berg@Skolfam.SE", "1:anna.berg@skolfam.se:E^ 1:anna:WP^ 2:berg:WP^ "
      "3:skolfam:WP^ 4:se:WP^" },
    { "a@b x@y.1 q@", "1:a:W 2:b:W 3:x:W 4:y:W 5:1:N 6:q:W" },
    /* URLs */
    { "se http://www.helsingborg.se/startside/uppleva-och-gora/.",
      "1:se:W 2:http://www.helsingborg.se/startside/uppleva-och-gora/:U 2:www:WP "
      "3:helsingborg:WP 4:se:WP 5:startside:WP 6:uppleva:WP 7:och:WP 8:gora:WP" },
    { "(https://x.se/a_(b)), <http://y.se>",
      "1:https://x.se/a_(b):U 1:x:WP 2:se:WP 3:a:WP 4:b:WP "
      "5:http://y.se:U 5:y:WP 6:se:WP" },
    { "www.example.se/sida, ok", "1:www.example.se/sida:U 1:www:WP 2:example:WP "
      "3:se:WP 4:sida:WP 5:ok:W" },
    { "helsingborg.se och skolfam.se.", "1:helsingborg.se:U 1:helsingborg:WP 2:se:WP "
      "3:och:W 4:skolfam.se:U 4:skolfam:WP 5:se:WP" },
    { "slut.Det t.ex. http:// www.", "1:slut:W 2:det:W^ 3:t:W 4:ex:W 5:http:W 6:www:W" },
    /* soft hyphen disappears, other invisible format chars split */
    { "fritids\xc2\xad" "banken", "1:fritidsbanken:W" },
};

static void test_tokenize_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tok_cases / sizeof tok_cases[0]; i++) {
        const struct tok_case *c = &tok_cases[i];
        struct render r;
        unsigned next = 0;
        const char *got = render_tokens(&r, c->in, strlen(c->in), 1, &next);
        if (strcmp(got, c->want) != 0)
            fail_msg("tokenize row %zu \"%s\":\n  got  %s\n  want %s", i, c->in,
                     got, c->want);
    }
}

/* Offsets are byte offsets into the original text, not the folded one:
 * "A\u030aSA" folds to 4 bytes but spans 5. */
struct off_case {
    const char *in;
    const char *want;   /* "start-end" of each token */
};

static const struct off_case off_cases[] = {
    { "A\xcc\x8aSA \xc3\x85SA", "0-5 6-10" },
    { "  IOP-avtal.", "2-11 2-5 6-11" },
    { "x mailto a.b@c.se.", "0-1 2-8 9-17 9-10 11-12 13-14 15-17" },
    { "(http://x.se/p).", "1-14 8-9 10-12 13-14" },
    { "Zlatan\xe2\x80\x99s", "0-10" },
    { "fritids\xc2\xad" "banken", "0-15" },
};

struct off_render {
    char buf[512];
    size_t n;
};

static int off_cb(void *ctx, const struct sok_token *t)
{
    struct off_render *r = ctx;
    r->n += (size_t)snprintf(r->buf + r->n, sizeof r->buf - r->n, "%s%zu-%zu",
                             r->n ? " " : "", t->start, t->end);
    assert_true(r->n < sizeof r->buf);
    return 0;
}

static void test_tokenize_offsets(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof off_cases / sizeof off_cases[0]; i++) {
        struct off_render r = { { 0 }, 0 };
        assert_int_equal(sok_text_tokenize(off_cases[i].in, strlen(off_cases[i].in),
                                           1, off_cb, &r, NULL, NULL), 0);
        if (strcmp(r.buf, off_cases[i].want) != 0)
            fail_msg("offsets row %zu: got %s, want %s", i, r.buf,
                     off_cases[i].want);
    }
}

/* Positions start at first_pos, compounds and addresses take one per part,
 * and *next_pos continues after the last one. */
static void test_tokenize_positions(void **state)
{
    (void)state;
    struct render r;
    unsigned next = 0;
    assert_string_equal(render_tokens(&r, "ett IOP-avtal", 13, 100, &next),
                        "100:ett:W 101:iop-avtal:C^ 101:iop:WP^ 102:avtal:WP");
    assert_int_equal(next, 103);
    assert_string_equal(render_tokens(&r, "", 0, 7, &next), "");
    assert_int_equal(next, 7);
    assert_string_equal(render_tokens(&r, "a b", 3, 1, NULL), "1:a:W 2:b:W");
}

/* A non-zero callback result stops tokenising and is returned. */
static int stop_after_two(void *ctx, const struct sok_token *t)
{
    (void)t;
    int *n = ctx;
    return ++*n == 2 ? 42 : 0;
}

static void test_tokenize_stop(void **state)
{
    (void)state;
    int n = 0;
    unsigned next = 0;
    assert_int_equal(sok_text_tokenize("a b c d", 7, 1, stop_after_two, &n,
                                       &next, NULL), 42);
    assert_int_equal(n, 2);
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_text_tokenize("a", 1, 1, NULL, NULL, NULL, &err),
                     SOK_EINVAL);
    assert_int_equal(err.code, SOK_EINVAL);
}

/* Overlong tokens are cut at a character boundary to SOK_TOKEN_MAX bytes
 * and flagged; offsets still cover the whole source word. */
static void test_tokenize_long(void **state)
{
    (void)state;
    static char in[300000];
    struct render r;

    /* 300 x "ö" = 600 bytes: the cut must not split a 2-byte character. */
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)sprintf(in + n, "\xc3\xb6");
    render_tokens(&r, in, n, 1, NULL);
    assert_int_equal(r.ntok, 1);
    const char *want_flags = ":WT";
    assert_non_null(strstr(r.buf, want_flags));
    /* 60 x "ö" is exactly SOK_TOKEN_MAX bytes */
    assert_int_equal(strlen(r.buf), strlen("1:") + 120 + strlen(want_flags));

    /* One byte over the limit after an odd ASCII prefix. */
    n = (size_t)sprintf(in, "a");
    for (int i = 0; i < 60; i++)
        n += (size_t)sprintf(in + n, "\xc3\xb6");
    render_tokens(&r, in, n, 1, NULL);
    assert_int_equal(strlen(r.buf), strlen("1:") + 119 + strlen(":WT"));

    /* Exactly the limit: not truncated. */
    memset(in, 'x', SOK_TOKEN_MAX + 1);
    render_tokens(&r, in, SOK_TOKEN_MAX, 1, NULL);
    assert_null(strstr(r.buf, "T"));
    render_tokens(&r, in, SOK_TOKEN_MAX + 1, 1, NULL);
    assert_non_null(strstr(r.buf, ":WT"));

    /* NFD letters over the limit (slow path) */
    n = 0;
    for (int i = 0; i < 200; i++)
        n += (size_t)sprintf(in + n, "A\xcc\x8a");
    render_tokens(&r, in, n, 1, NULL);
    assert_int_equal(r.ntok, 1);
    assert_non_null(strstr(r.buf, ":W^T"));

    /* A long URL and a 300 KB "word": one token each, bounded work. */
    n = (size_t)sprintf(in, "http://x.se/");
    memset(in + n, 'q', 400);
    n += 400;
    render_tokens(&r, in, n, 1, NULL);
    assert_int_equal(r.ntok, 4);                  /* URL, x, se, qqq... */
    assert_non_null(strstr(r.buf, ":UT"));
    assert_non_null(strstr(r.buf, ":WPT"));
    memset(in, 'k', sizeof in);
    render_tokens(&r, in, sizeof in, 1, NULL);
    assert_int_equal(r.ntok, 1);
}

/* Pathological punctuation must stay linear: "a.b.c.d..." is scanned for
 * an e-mail address or domain once, not once per word. */
static int count_cb(void *ctx, const struct sok_token *t)
{
    (void)t;
    ++*(size_t *)ctx;
    return 0;
}

static void test_tokenize_linear(void **state)
{
    (void)state;
    size_t n = 2000000, count = 0;
    char *in = malloc(n);
    assert_non_null(in);
    for (size_t i = 0; i < n; i++)
        in[i] = (i & 1) ? '.' : 'a';
    assert_int_equal(sok_text_tokenize(in, n, 1, count_cb, &count, NULL, NULL), 0);
    assert_int_equal(count, n / 2);
    for (size_t i = 0; i < n; i++)
        in[i] = (i & 1) ? '-' : 'a';            /* one huge compound */
    count = 0;
    assert_int_equal(sok_text_tokenize(in, n, 1, count_cb, &count, NULL, NULL), 0);
    assert_int_equal(count, n / 2 + 1);
    free(in);
}

/* Invalid UTF-8 reaching the tokeniser separates words instead of failing. */
static void test_tokenize_invalid(void **state)
{
    (void)state;
    struct render r;
    const char in[] = "r\xe4ksm\xf6rg\xe5s \xff\xc3 ok\xed\xa0\x80x";
    assert_string_equal(render_tokens(&r, in, sizeof in - 1, 1, NULL),
                        "1:r:W 2:ksm:W 3:rg:W 4:s:W 5:ok:W 6:x:W");
}

/* The token text is exactly sok_text_fold of the source slice, so the
 * Latin-1 fast path and utf8proc can never disagree.  Tried for every
 * character of U+0000..U+07FF and some beyond, alone and after "a". */
static int check_fold_cb(void *ctx, const struct sok_token *t)
{
    const char *src = ctx;
    char *f = NULL;
    size_t fl = 0;
    assert_int_equal(sok_text_fold(src + t->start, t->end - t->start, &f, &fl,
                                   NULL), 0);
    if (fl != t->len || memcmp(f, t->text, fl) != 0)
        fail_msg("token \"%s\" != fold \"%s\"", t->text, f);
    free(f);
    return 0;
}

static void test_tokenize_fold_agrees(void **state)
{
    (void)state;
    char in[16];
    for (int32_t cp = 0x20; cp < 0x3000; cp++) {
        if (cp >= 0x800 && cp % 7 != 0)
            continue;                           /* sample the rest */
        if (cp == 0x2019 || cp == 0x2010 || cp == 0x2011 || cp == 0xAD)
            continue;                           /* normalised on purpose */
        unsigned char *p = (unsigned char *)in + 1;
        in[0] = 'A';
        if (cp < 0x80) {
            p[0] = (unsigned char)cp;
            p[1] = 0;
        } else if (cp < 0x800) {
            p[0] = (unsigned char)(0xC0 | (cp >> 6));
            p[1] = (unsigned char)(0x80 | (cp & 0x3F));
            p[2] = 0;
        } else {
            if (cp >= 0xD800 && cp < 0xE000)
                continue;
            p[0] = (unsigned char)(0xE0 | (cp >> 12));
            p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            p[2] = (unsigned char)(0x80 | (cp & 0x3F));
            p[3] = 0;
        }
        strcat(in, "B");
        assert_int_equal(sok_text_tokenize(in, strlen(in), 1, check_fold_cb,
                                           in, NULL, NULL), 0);
        assert_int_equal(sok_text_tokenize(in + 1, strlen(in + 1), 1,
                                           check_fold_cb, in + 1, NULL, NULL), 0);
    }
}

/* The normalisations beyond sok_text_fold, on purpose: typographic
 * apostrophe and hyphens as typed on a keyboard, soft hyphens dropped. */
static void test_tokenize_normalise(void **state)
{
    (void)state;
    struct render r;
    const char *in = "DON\xe2\x80\x99T e\xe2\x80\x91" "bok";
    assert_string_equal(render_tokens(&r, in, strlen(in), 1, NULL),
                        "1:don't:W^ 2:e-bok:C 2:e:WP 3:bok:WP");
}

/* Random strings built from the fragments that steer the tokeniser: every
 * token keeps the invariants (offsets inside the input, increasing
 * positions, length within SOK_TOKEN_MAX, valid folded UTF-8), and
 * repair always yields valid UTF-8.  Deterministic (fixed LCG seed). */
struct inv_ctx {
    size_t srclen;
    unsigned lastpos;
    size_t ntok;
};

static int invariant_cb(void *ctx, const struct sok_token *t)
{
    struct inv_ctx *c = ctx;
    assert_true(t->len > 0 && t->len <= SOK_TOKEN_MAX);
    assert_int_equal(strlen(t->text), t->len);
    assert_true(sok_text_utf8_valid(t->text, t->len));
    assert_true(t->start < t->end && t->end <= c->srclen);
    assert_true(t->pos >= c->lastpos);
    c->lastpos = t->pos;
    c->ntok++;
    return 0;
}

static void test_tokenize_random(void **state)
{
    (void)state;
    static const char *const frags[] = {
        "a", "Z", "\xc3\xa5", "\xc3\x85", "A\xcc\x8a", "\xcc\x8a", "7", "0",
        "-", "--", ".", ",", ":", "/", "@", "'", "\xe2\x80\x99", " ", "\n",
        "\xe2\x80\x93", "\xc2\xad", "\xe2\x80\x90", "http://", "https://",
        "www.", ".se", ".nu", "(", ")", ")", "_", "\xff", "\xc3", "\xed\xa0\x80",
        "\x80", "\xf0\x9f\x98\x80", "\xe2\x82\xac", "\xc3\x9f", "\0",
    };
    const size_t nf = sizeof frags / sizeof frags[0];
    char in[2048];
    uint32_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        size_t want = (seed >> 16) % 200;
        for (size_t k = 0; k < want; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *f = frags[(seed >> 16) % nf];
            size_t fl = *f ? strlen(f) : 1;
            if (n + fl >= sizeof in)
                break;
            memcpy(in + n, f, fl);
            n += fl;
        }
        struct inv_ctx c = { n, 0, 0 };
        unsigned next = 0;
        assert_int_equal(sok_text_tokenize(in, n, 1, invariant_cb, &c, &next,
                                           NULL), 0);
        assert_true(next >= c.lastpos);

        char *out = NULL;
        size_t outlen = 0;
        assert_int_equal(sok_text_utf8_repair(in, n, &out, &outlen, NULL, NULL), 0);
        assert_true(sok_text_utf8_valid(out, outlen));
        struct inv_ctx c2 = { outlen, 0, 0 };
        assert_int_equal(sok_text_tokenize(out, outlen, 1, invariant_cb, &c2,
                                           NULL, NULL), 0);
        char *f = NULL;
        assert_int_equal(sok_text_fold(out, outlen, &f, NULL, NULL), 0);
        free(f);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_utf8_repair_exhaustive_pairs),
        cmocka_unit_test(test_utf8_repair_args),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_invalid),
        cmocka_unit_test(test_tokenize_table),
        cmocka_unit_test(test_tokenize_offsets),
        cmocka_unit_test(test_tokenize_positions),
        cmocka_unit_test(test_tokenize_stop),
        cmocka_unit_test(test_tokenize_long),
        cmocka_unit_test(test_tokenize_linear),
        cmocka_unit_test(test_tokenize_invalid),
        cmocka_unit_test(test_tokenize_fold_agrees),
        cmocka_unit_test(test_tokenize_normalise),
        cmocka_unit_test(test_tokenize_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
