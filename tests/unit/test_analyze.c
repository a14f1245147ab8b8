/*
 * test_analyze: table-driven unit tests for sok_analyze: Snowball Swedish
 * stems (real outputs), which tokens get no stem, the terms emitted for
 * body and title text with their positions and wdf, the spelling flag,
 * the stopword list, and that no term ever exceeds the schema's limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sok_analyze.h"
#include "sok_terms.h"
#include "sok_xapian.h"

static int setup(void **state)
{
    struct sok_analyzer *a = NULL;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_analyzer_new(&a, &err) != 0) {
        fprintf(stderr, "analyzer_new: %s\n", err.msg);
        return -1;
    }
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    sok_analyzer_free(*state);
    return 0;
}

/* Stems a folded word as the tokeniser would hand it over. */
static int stem_word(struct sok_analyzer *a, const char *w, unsigned flags,
                     char *out, size_t cap)
{
    struct sok_token tok = { w, strlen(w), 0, strlen(w), 1, flags };
    return sok_analyzer_stem(a, &tok, out, cap, NULL);
}

/* ------------------------------------------------------------------ stems */

struct stem_case {
    const char *word;
    const char *stem;   /* "" when the token gets no stem */
    unsigned flags;
};

static const struct stem_case stem_cases[] = {
    /* Real Snowball Swedish outputs. */
    { "fritidsbanken", "fritidsbank", SOK_TOK_WORD },
    { "fritidsbankens", "fritidsbank", SOK_TOK_WORD },
    { "kommunerna", "kommun", SOK_TOK_WORD },
    { "kommunens", "kommun", SOK_TOK_WORD },
    { "lokaler", "lokal", SOK_TOK_WORD },
    { "f\xc3\xb6rvaltningen", "f\xc3\xb6rvaltning", SOK_TOK_WORD },
    { "\xc3\xb6ppnar", "\xc3\xb6ppn", SOK_TOK_WORD },
    { "klokhet", "klok", SOK_TOK_WORD },
    { "jaktkarlarne", "jaktkarl", SOK_TOK_WORD },
    { "dagarna", "dag", SOK_TOK_WORD },
    { "verksamheten", "verksam", SOK_TOK_WORD },
    { "biblioteken", "bibliotek", SOK_TOK_WORD },
    { "skolan", "skolan", SOK_TOK_WORD },             /* "an" is no suffix */
    { "up-metoden", "up-metod", SOK_TOK_COMPOUND },
    { "metoden", "metod", SOK_TOK_WORD | SOK_TOK_PART },
    /* No stem. */
    { "2017", "", SOK_TOK_NUMBER },
    { "2017-02-13", "", SOK_TOK_NUMBER },
    { "a.b@helsingborg.se", "", SOK_TOK_EMAIL },
    { "http://www.helsingborg.se/", "", SOK_TOK_URL },
    { "kommunerna", "", SOK_TOK_WORD | SOK_TOK_TRUNCATED },
    { "i", "", SOK_TOK_WORD },
    { "\xc3\xa5", "", SOK_TOK_WORD },                  /* å: one character */
    { "", "", SOK_TOK_WORD },
};

static void test_stem_table(void **state)
{
    struct sok_analyzer *a = *state;
    char out[SOK_TERM_MAX];
    /* Twice: the second round is answered by the stem cache. */
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof stem_cases / sizeof stem_cases[0]; i++) {
            const struct stem_case *c = &stem_cases[i];
            int n = stem_word(a, c->word, c->flags, out, sizeof out);
            if (n != (int)strlen(c->stem) || strcmp(out, c->stem) != 0)
                fail_msg("stem row %zu \"%s\": got %d \"%s\", want \"%s\"", i,
                         c->word, n, out, c->stem);
        }
    }
}

static void test_stem_errors(void **state)
{
    struct sok_analyzer *a = *state;
    char out[4];
    struct sok_err err = SOK_ERR_INIT;
    struct sok_token tok = { "kommunerna", 10, 0, 10, 1, SOK_TOK_WORD };
    /* Too small for the stem, cached or not. */
    assert_int_equal(sok_analyzer_stem(a, &tok, out, sizeof out, &err), SOK_ERANGE);
    assert_int_equal(err.code, SOK_ERANGE);
    sok_err_clear(&err);
    assert_int_equal(sok_analyzer_stem(a, &tok, out, sizeof out, &err), SOK_ERANGE);
    assert_int_equal(sok_analyzer_stem(NULL, &tok, out, sizeof out, NULL), SOK_EINVAL);
    assert_int_equal(sok_analyzer_stem(a, NULL, out, sizeof out, NULL), SOK_EINVAL);
    assert_int_equal(sok_analyzer_new(NULL, NULL), SOK_EINVAL);
    sok_analyzer_free(NULL);
    /* Cache sizes: a power of two, else refused; the large one stems the
     * same. */
    struct sok_analyzer *b = NULL;
    assert_int_equal(sok_analyzer_new_cached(&b, 1000, NULL), SOK_EINVAL);
    assert_null(b);
    assert_int_equal(sok_analyzer_new_cached(&b, SOK_ANALYZER_CACHE_LARGE,
                                             NULL), 0);
    char big[SOK_TERM_MAX];
    assert_int_equal(sok_analyzer_stem(b, &tok, big, sizeof big, NULL), 6);
    assert_memory_equal(big, "kommun", 6);
    sok_analyzer_free(b);
}

/* ------------------------------------------------------------- analyze */

/* Renders terms as "term@pos*wdf" (pos omitted when 0), "+w" when is_word. */
struct render {
    char buf[4096];
    size_t n;
    int nterms;
};

static int render_cb(void *ctx, const struct sok_term *t)
{
    struct render *r = ctx;
    assert_true(t->len > 0 && t->len <= SOK_TERM_MAX);
    assert_int_equal(strlen(t->term), t->len);
    r->nterms++;
    char pos[16] = "";
    if (t->pos)
        snprintf(pos, sizeof pos, "@%u", t->pos);
    int w = snprintf(r->buf + r->n, sizeof r->buf - r->n, "%s%s%s*%u%s",
                     r->n ? " " : "", t->term, pos, t->wdfinc,
                     t->is_word ? "+w" : "");
    assert_true(w > 0 && (size_t)w < sizeof r->buf - r->n);
    r->n += (size_t)w;
    return 0;
}

struct analyze_case {
    const char *in;
    unsigned flags;
    unsigned pos;       /* *pos before */
    const char *want;
    unsigned next;      /* *pos after */
};

static const struct analyze_case analyze_cases[] = {
    { "", 0, 1, "", 1 },
    { "Fritidsbanken", 0, 1, "fritidsbanken@1*1+w Zfritidsbank*1", 2 },
    { "Fritidsbankens \xc3\xb6ppnar", SOK_ANALYZE_TITLE, 5,
      "fritidsbankens@5*4+w Zfritidsbank*4 Sfritidsbankens@5*1 "
      "\xc3\xb6ppnar@6*4+w Z\xc3\xb6ppn*4 S\xc3\xb6ppnar@6*1", 7 },
    /* Stopwords are indexed; single letters get no stem, and a word that
     * is its own stem no Z term. */
    { "och i en", 0, 1, "och@1*1+w i@2*1 en@3*1+w", 4 },
    /* *pos 0 would mean "no position": the first word gets 1. */
    { "kommun", 0, 0, "kommun@1*1+w", 2 },
    { "kommunen", 0, 1, "kommunen@1*1+w Zkommun*1", 2 },
    { "IOP-avtal", 0, 1,
      "iop-avtal@1*1+w iop@1*1+w avtal@2*1+w", 3 },
    { "2017-02-13 H22", 0, 1, "2017-02-13@1*1 h22@2*1", 3 },
    { "a.b@x.se", 0, 1, "a.b@x.se@1*1 a@1*1 b@2*1 x@3*1 se@4*1", 5 },
    { "www.skolfam.se ok", 0, 1,
      "www.skolfam.se@1*1 www@1*1 skolfam@2*1 se@3*1 ok@4*1+w", 5 },
};

static void test_analyze_table(void **state)
{
    struct sok_analyzer *a = *state;
    for (size_t i = 0; i < sizeof analyze_cases / sizeof analyze_cases[0]; i++) {
        const struct analyze_case *c = &analyze_cases[i];
        struct render r;
        memset(&r, 0, sizeof r);
        unsigned pos = c->pos;
        struct sok_err err = SOK_ERR_INIT;
        assert_int_equal(sok_analyze_text(a, c->in, strlen(c->in), c->flags, &pos,
                                          render_cb, &r, &err), 0);
        if (strcmp(r.buf, c->want) != 0)
            fail_msg("analyze row %zu \"%s\":\n  got  %s\n  want %s", i, c->in,
                     r.buf, c->want);
        if (pos != c->next)
            fail_msg("analyze row %zu: next pos %u, want %u", i, pos, c->next);
    }
}

/* Query words and indexed words meet: NFD, NFC and upper case give the
 * same exact and stem terms. */
static void test_analyze_forms_meet(void **state)
{
    struct sok_analyzer *a = *state;
    const char *forms[] = { "\xc3\x85SA", "\xc3\xa5sa", "a\xcc\x8asa", "A\xcc\x8aSA" };
    char first[sizeof ((struct render *)0)->buf] = "";
    for (size_t i = 0; i < 4; i++) {
        struct render r;
        memset(&r, 0, sizeof r);
        unsigned pos = 1;
        assert_int_equal(sok_analyze_text(a, forms[i], strlen(forms[i]), 0, &pos,
                                          render_cb, &r, NULL), 0);
        if (i == 0)
            snprintf(first, sizeof first, "%s", r.buf);
        else
            assert_string_equal(r.buf, first);
    }
    assert_string_equal(first, "\xc3\xa5sa@1*1+w");
}

static int stop_at_second(void *ctx, const struct sok_term *t)
{
    (void)t;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_analyze_stop_and_args(void **state)
{
    struct sok_analyzer *a = *state;
    int n = 0;
    unsigned pos = 1;
    assert_int_equal(sok_analyze_text(a, "kommun skola", 12, 0, &pos,
                                      stop_at_second, &n, NULL), 7);
    assert_int_equal(n, 2);
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_analyze_text(NULL, "x", 1, 0, &pos, stop_at_second, &n,
                                      &err), SOK_EINVAL);
    assert_int_equal(err.code, SOK_EINVAL);
    assert_int_equal(sok_analyze_text(a, "x", 1, 0, &pos, NULL, NULL, NULL),
                     SOK_EINVAL);
}

/* Whatever comes in, every term fits SOK_TERM_MAX and stems of cut tokens
 * are not made up. */
struct limit_ctx {
    size_t nterms, maxlen;
    int saw_trunc;
};

static int limit_cb(void *ctx, const struct sok_term *t)
{
    struct limit_ctx *c = ctx;
    assert_true(t->len > 0 && t->len <= SOK_TERM_MAX);
    assert_int_equal(strlen(t->term), t->len);
    if (t->flags & SOK_TOK_TRUNCATED) {
        c->saw_trunc = 1;
        assert_true(t->term[0] != 'Z');
        assert_false(t->is_word);
    }
    if (t->len > c->maxlen)
        c->maxlen = t->len;
    c->nterms++;
    return 0;
}

static void test_analyze_limits(void **state)
{
    struct sok_analyzer *a = *state;
    size_t cap = 100000, n = 0;
    char *in = malloc(cap);
    assert_non_null(in);
    /* Long words of multi-byte letters, long URLs and e-mails, long
     * compounds, in a title (so S terms are built as well). */
    while (n + 2000 < cap) {
        for (int i = 0; i < 150; i++)
            n += (size_t)sprintf(in + n, "\xc3\xa4");
        n += (size_t)sprintf(in + n, " http://x.se/");
        for (int i = 0; i < 300; i++)
            in[n++] = 'u';
        n += (size_t)sprintf(in + n, " ");
        for (int i = 0; i < 260; i++)
            in[n++] = 'm';
        n += (size_t)sprintf(in + n, "@x.se ");
        for (int i = 0; i < 100; i++)
            n += (size_t)sprintf(in + n, "ab-");
        n += (size_t)sprintf(in + n, "x A\xcc\x8a");
        for (int i = 0; i < 99; i++)
            n += (size_t)sprintf(in + n, "A\xcc\x8a");
        in[n++] = ' ';
    }
    struct limit_ctx c = { 0, 0, 0 };
    unsigned pos = 1;
    assert_int_equal(sok_analyze_text(a, in, n, SOK_ANALYZE_TITLE, &pos,
                                      limit_cb, &c, NULL), 0);
    assert_true(c.saw_trunc);
    assert_true(c.maxlen <= SOK_TOKEN_MAX + 1);
    assert_true(c.nterms > 1000);
    free(in);
}

/* The stem cache never changes an answer: over every word of the seed
 * corpus (twice, so the second pass hits the cache), the analyzer's stem
 * equals the stemmer's. */
struct corpus_ctx {
    struct sok_analyzer *a;
    struct sok_stemmer *st;
    size_t nwords;
};

static int corpus_cb(void *vctx, const struct sok_token *tok)
{
    struct corpus_ctx *c = vctx;
    char s1[SOK_TERM_MAX], s2[SOK_TERM_MAX];
    int n1 = sok_analyzer_stem(c->a, tok, s1, sizeof s1, NULL);
    assert_true(n1 >= 0);
    if (n1 == 0)
        return 0;
    int n2 = sok_stemmer_stem(c->st, tok->text, tok->len, s2, sizeof s2, NULL);
    assert_int_equal(n1, n2);
    assert_string_equal(s1, s2);
    c->nwords++;
    return 0;
}

static void test_stem_cache_corpus(void **state)
{
    struct corpus_ctx c = { *state, NULL, 0 };
    assert_int_equal(sok_stemmer_new("swedish", &c.st, NULL), 0);
    DIR *d = opendir("corpus");
    if (d == NULL) {
        sok_stemmer_free(c.st);
        skip();   /* run from the repository root */
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 4 || strcmp(e->d_name + nl - 4, ".txt") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "corpus/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char *buf = malloc(1 << 20);
        assert_non_null(buf);
        size_t len = fread(buf, 1, 1 << 20, f);
        fclose(f);
        for (int round = 0; round < 2; round++)
            assert_int_equal(sok_text_tokenize(buf, len, 1, corpus_cb, &c, NULL,
                                               NULL), 0);
        free(buf);
    }
    closedir(d);
    sok_stemmer_free(c.st);
    assert_true(c.nwords > 1000);
}

/* ------------------------------------------------------------- stopwords */

struct stop_case {
    const char *w;
    int stop;
};

static const struct stop_case stop_cases[] = {
    { "och", 1 }, { "i", 1 }, { "att", 1 }, { "det", 1 }, { "som", 1 },
    { "p\xc3\xa5", 1 }, { "\xc3\xa4r", 1 }, { "s\xc3\xa5", 1 },
    { "s\xc3\xa5" "dan", 1 }, { "s\xc3\xa5" "dana", 1 }, { "\xc3\xb6ver", 1 },
    { "alla", 1 }, { "vilkas", 1 }, { "icke", 1 }, { "varf\xc3\xb6r", 1 },
    { "", 0 }, { "a", 0 }, { "oc", 0 }, { "ochs", 0 }, { "Och", 0 },
    { "fritidsbanken", 0 }, { "kommun", 0 }, { "s\xc3\xa4", 0 }, { "zzz", 0 },
    { "\xc3\xb6", 0 }, { "\xc3\xb6verallt", 0 },
};

static void test_stopwords(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof stop_cases / sizeof stop_cases[0]; i++)
        if (sok_sv_is_stopword(stop_cases[i].w, strlen(stop_cases[i].w)) !=
            stop_cases[i].stop)
            fail_msg("stopword row %zu \"%s\"", i, stop_cases[i].w);
    assert_int_equal(sok_sv_is_stopword(NULL, 3), 0);
    /* Length is honoured: "och" inside a longer buffer. */
    assert_int_equal(sok_sv_is_stopword("ochs", 3), 1);

    /* The list: Snowball's 114 words, sorted for the binary search, each
     * of them found. */
    size_t n = 0;
    const char *const *list = sok_sv_stopwords(&n);
    assert_int_equal(n, 114);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(list[i - 1], list[i]) >= 0)
            fail_msg("stopword list out of order at \"%s\"", list[i]);
        assert_int_equal(sok_sv_is_stopword(list[i], strlen(list[i])), 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stem_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_forms_meet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_stop_and_args, setup, teardown),
        cmocka_unit_test_setup_teardown(test_analyze_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stem_cache_corpus, setup, teardown),
        cmocka_unit_test(test_stopwords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
