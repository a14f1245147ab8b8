/*
 * test_compound: the Swedish lexicon and compound splitter (a table of
 * compounds with their parts, and words that must stay whole), the terms
 * the analyzer emits for compounds (C) and stems (Z, only where a stem
 * differs from its word), and the bounded Damerau-Levenshtein distance and
 * edit budget behind edit-tolerant matching.
 * Uses the installed hunspell-sv lexicon (/usr/share/hunspell/sv_SE.dic).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sok_analyze.h"
#include "sok_compound.h"
#include "sok_terms.h"
#include "sok_text.h"

/* Parts joined with "|", as the splitter returns them. */
static void split_str(const struct sok_lexicon *lx, const char *w, char *out,
                      size_t cap)
{
    struct sok_part p[SOK_COMPOUND_MAX_PARTS];
    size_t n = sok_compound_split(lx, w, strlen(w), p,
                                  SOK_COMPOUND_MAX_PARTS);
    size_t o = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n; k++)
        o += (size_t)snprintf(out + o, cap - o, "%s%.*s", k ? "|" : "",
                              (int)p[k].len, w + p[k].off);
}

static void test_lexicon_loads_fast(void **state)
{
    (void)state;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    const struct sok_lexicon *lx = sok_lexicon_default();
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
                (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    assert_non_null(lx);
    assert_true(sok_lexicon_size(lx) > 100000);
    /* Sanitizer builds are several times slower; still well under 1 s. */
    assert_true(ms < 1000.0);
    assert_true(sok_lexicon_has(lx, "bank", 4));
    assert_true(sok_lexicon_has(lx, "stockholm", 9));   /* folded name */
    assert_false(sok_lexicon_has(lx, "fritidsbanken", 13));
    assert_true(sok_lexicon_knows(lx, "banken", 6));
    assert_true(sok_lexicon_knows(lx, "kvinnor", 7));
    assert_true(sok_lexicon_knows(lx, "m\xc3\xa4ssan", 7));
    assert_false(sok_lexicon_knows(lx, "kuzhikov", 8));
    /* The same lexicon every time. */
    assert_ptr_equal(lx, sok_lexicon_default());
}

static const struct {
    const char *word, *parts;
} compounds[] = {
    { "fritidsbanken", "fritid|banken" },
    { "fritidsbank", "fritid|bank" },
    { "fritidsbankens", "fritid|bankens" },
    { "kvinnobehandling", "kvinn|behandling" },
    { "kvinnobehandlingen", "kvinn|behandlingen" },
    { "skollovsaktiviteter", "skollov|aktiviteter" },
    { "sommarlovsaktiviteter", "sommarlov|aktiviteter" },
    { "stadsm\xc3\xa4ssa", "stad|m\xc3\xa4ssa" },
    { "stadsm\xc3\xa4ssans", "stad|m\xc3\xa4ssans" },
    { "font\xc3\xa4nhuset", "font\xc3\xa4n|huset" },
    { "taligenk\xc3\xa4nningstj\xc3\xa4nsten",
      "taligenk\xc3\xa4nning|tj\xc3\xa4nsten" },
    { "bist\xc3\xa5ndshandl\xc3\xa4ggare", "bist\xc3\xa5nd|handl\xc3\xa4ggare" },
    { "arbetsmarknadsenheten", "arbetsmarknad|enheten" },
    { "familjehemsv\xc3\xa5rd", "familjehem|v\xc3\xa5rd" },
    { "utvecklingsgrupp", "utveckling|grupp" },
    { "skolg\xc3\xa5rdsprojekt", "skolg\xc3\xa5rd|projekt" },
    { "v\xc3\xa5rdcentralsbes\xc3\xb6k", "v\xc3\xa5rdcentral|bes\xc3\xb6k" },
    { "simhallsbes\xc3\xb6k", "simhall|bes\xc3\xb6k" },
    { "lekplatsrenovering", "lekplats|renovering" },
    { "matsalspersonal", "matsal|personal" },
    { "sjukhusparkering", "sjukhus|parkering" },
    { "l\xc3\xa4xhj\xc3\xa4lpsgrupper", "l\xc3\xa4xhj\xc3\xa4lp|grupper" },
    { "idrottshallsbokning", "idrottshall|bokning" },
    { "stadsdelsm\xc3\xb6te", "stadsdel|m\xc3\xb6te" },
    { "kulturskoleavgift", "kulturskol|avgift" },
    { "badplatsv\xc3\xa4rdar", "badplats|v\xc3\xa4rdar" },
    { "sommarjobbsans\xc3\xb6kan", "sommarjobb|ans\xc3\xb6kan" },
    { "hemtj\xc3\xa4nstgrupp", "hemtj\xc3\xa4nst|grupp" },
    { "f\xc3\xb6rskolepersonal", "f\xc3\xb6rskol|personal" },
    { "boendest\xc3\xb6""djare", "boend|st\xc3\xb6""djare" },
    { "trafiks\xc3\xa4kerhetsarbete", "trafik|s\xc3\xa4kerhetsarbete" },
    { "personalrummet", "personal|rummet" },
    { "medarbetarenk\xc3\xa4ten", "medarbetar|enk\xc3\xa4ten" },
    { "integrationsprojektet", "integration|projektet" },
    { "bibliotekskort", "bibliotek|kort" },
    { "arbetstr\xc3\xa4ningsplats", "arbetstr\xc3\xa4ning|plats" },
    { "styrgruppsm\xc3\xb6te", "styrgrupp|m\xc3\xb6te" },
    { "n\xc3\xa4mndsammantr\xc3\xa4""de", "n\xc3\xa4mnd|sammantr\xc3\xa4""de" },
    { "\xc3\xa4ldreboendeplatser", "\xc3\xa4ldreboend|platser" },
    { "lekplatsrenoveringen", "lekplats|renoveringen" },
};

static void test_split_compounds(void **state)
{
    (void)state;
    const struct sok_lexicon *lx = sok_lexicon_default();
    assert_non_null(lx);
    size_t n = sizeof compounds / sizeof compounds[0];
    assert_true(n >= 40);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char got[256];
        split_str(lx, compounds[i].word, got, sizeof got);
        if (strcmp(got, compounds[i].parts) != 0) {
            fprintf(stderr, "split %s: got \"%s\", want \"%s\"\n",
                    compounds[i].word, got, compounds[i].parts);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* Words the lexicon knows whole (inflected or not), and too short ones. */
static const char *const whole[] = {
    "bank", "banken", "m\xc3\xa4ssa", "kvinnor", "behandlingar",
    "kommunstyrelsen", "socialtj\xc3\xa4nsten", "barnomsorg", "sjukhuset",
    "kontoret", "m\xc3\xa4nniskor", "verksamheten", "f\xc3\xb6rskoleklass",
    "hemtj\xc3\xa4nsten", "utbildning", "arbetsmarknad",
    "ungdomsmottagningen", "f\xc3\xb6reningen", "kulturhuset",
    "samh\xc3\xa4llet", "medborgare", "regeringen", "ordf\xc3\xb6rande",
    "m\xc3\xb6jligheter", "information", "kvinnorna", "stockholm",
    "helsingborg", "kuzhikov", "och", "",
};

static void test_no_split(void **state)
{
    (void)state;
    const struct sok_lexicon *lx = sok_lexicon_default();
    size_t n = sizeof whole / sizeof whole[0];
    assert_true(n >= 20);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char got[256];
        split_str(lx, whole[i], got, sizeof got);
        if (got[0] != '\0') {
            fprintf(stderr, "%s must not split, got \"%s\"\n", whole[i], got);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    /* NULL and empty lexicons split nothing. */
    struct sok_part p[4];
    assert_int_equal(sok_compound_split(NULL, "fritidsbanken", 13, p, 4), 0);
    struct sok_lexicon *tiny = NULL;
    struct sok_err err = SOK_ERR_INIT;
    const char *words[] = { "fritid", "bank" };
    assert_int_equal(sok_lexicon_from_words(words, 2, &tiny, &err), 0);
    assert_int_equal(sok_compound_split(tiny, "fritidsbanken", 13, p, 4), 2);
    assert_int_equal(sok_compound_split(tiny, "fritidsbanken", 13, p, 1), 0);
    assert_int_equal(sok_compound_split(tiny, "bankfritid", 10, p, 4), 2);
    assert_int_equal(sok_compound_split(tiny, "bankbank", 8, p, 4), 2);
    assert_int_equal(sok_compound_split(tiny, "bankxbank", 9, p, 4), 0);
    sok_lexicon_free(tiny);
    sok_lexicon_free(NULL);
}

/* ---------------------------------------------------- analyzer terms */

struct collect {
    char terms[64][64];
    unsigned pos[64];
    size_t n;
};

static int collect_cb(void *ctx, const struct sok_term *t)
{
    struct collect *c = ctx;
    if (c->n < 64 && t->len < 64) {
        memcpy(c->terms[c->n], t->term, t->len);
        c->terms[c->n][t->len] = '\0';
        c->pos[c->n] = t->pos;
        c->n++;
    }
    return 0;
}

static int has_term(const struct collect *c, const char *t, unsigned *pos)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->terms[i], t) == 0) {
            if (pos)
                *pos = c->pos[i];
            return 1;
        }
    return 0;
}

static void test_analyzer_terms(void **state)
{
    (void)state;
    struct sok_analyzer *a = NULL;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_analyzer_new(&a, &err), 0);
    struct collect c;
    memset(&c, 0, sizeof c);
    const char *text = "den nya fritidsbanken och Fontänhuset, får det";
    unsigned pos = 1;
    assert_int_equal(sok_analyze_text(a, text, strlen(text),
                                      SOK_ANALYZE_PARTS, &pos, collect_cb, &c,
                                      &err), 0);
    unsigned p1 = 0, p2 = 0, p3 = 0;
    assert_true(has_term(&c, "fritidsbanken", &p1));
    assert_true(has_term(&c, SOK_PREFIX_PART "fritid", &p2));
    assert_true(has_term(&c, SOK_PREFIX_PART "bank", &p3));
    assert_int_equal(p1, 3);
    /* Parts carry no position: nothing searches them in a phrase, and a
     * position each would only cost the index writes. */
    assert_int_equal(p2, 0);
    assert_int_equal(p3, 0);
    /* A name is never split. */
    assert_true(has_term(&c, "font\xc3\xa4nhuset", NULL));
    assert_false(has_term(&c, SOK_PREFIX_PART "font\xc3\xa4n", NULL));
    /* A stem only where it differs from the word: the query side
     * searches a stem as Z + stem or the word itself. */
    assert_true(has_term(&c, SOK_PREFIX_STEM "fritidsbank", NULL));
    assert_true(has_term(&c, "f\xc3\xa5r", NULL));
    assert_false(has_term(&c, SOK_PREFIX_STEM "f\xc3\xa5r", NULL));
    assert_false(has_term(&c, SOK_PREFIX_STEM "den", NULL));
    /* No accent-folded terms (schema 2 had U terms): a query expands a
     * word typed without accents instead. */
    for (size_t i = 0; i < c.n; i++)
        assert_false(c.terms[i][0] == 'U');

    /* Without SOK_ANALYZE_PARTS: neither. */
    memset(&c, 0, sizeof c);
    pos = 1;
    assert_int_equal(sok_analyze_text(a, text, strlen(text), 0, &pos,
                                      collect_cb, &c, &err), 0);
    assert_false(has_term(&c, SOK_PREFIX_PART "bank", NULL));

    /* A section title also gives its whole-title key (T): words only. */
    memset(&c, 0, sizeof c);
    pos = 1;
    const char *title = "6.16. Rotation av IOP-avtal";
    assert_int_equal(sok_analyze_text(a, title, strlen(title),
                                      SOK_ANALYZE_TITLE | SOK_ANALYZE_PARTS,
                                      &pos, collect_cb, &c, &err), 0);
    assert_true(has_term(&c, SOK_PREFIX_TITLEKEY "rotation av iop-avtal",
                         NULL));
    char key[SOK_TITLE_KEY_MAX + 1];
    size_t klen = 0;
    assert_int_equal(sok_title_key_add(key, &klen, "banor", 5, SOK_TOK_WORD), 0);
    assert_int_equal(sok_title_key_add(key, &klen, "2017", 4, SOK_TOK_NUMBER), 0);
    assert_int_equal(sok_title_key_add(key, &klen, "text", 4, SOK_TOK_WORD), 0);
    assert_string_equal(key, "banor text");
    char big[SOK_TITLE_KEY_MAX + 2];
    memset(big, 'a', sizeof big);
    assert_int_equal(sok_title_key_add(key, &klen, big, sizeof big,
                                       SOK_TOK_WORD), -1);
    assert_string_equal(key, "banor text");

    /* The same function gives the query side its parts, cached or not. */
    for (int round = 0; round < 2; round++) {
        memset(&c, 0, sizeof c);
        pos = 1;
        const char *kv = "kvinnobehandling";
        assert_int_equal(sok_analyze_text(a, kv, strlen(kv),
                                          SOK_ANALYZE_PARTS, &pos, collect_cb,
                                          &c, &err), 0);
        assert_true(has_term(&c, SOK_PREFIX_PART "kvinn", NULL));
        assert_true(has_term(&c, SOK_PREFIX_PART "behandling", NULL));
    }
    sok_analyzer_free(a);
}

/* ------------------------------------------------------------ distance */

static void test_edit_distance(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        unsigned d;
    } t[] = {
        { "kuzhikov", "kuzhikov", 0 },
        { "kuzhikov", "kuzhicov", 1 },          /* substitute */
        { "kuzhikov", "kuzhiov", 1 },           /* delete */
        { "kuzhiov", "kuzhicov", 1 },           /* insert */
        { "fritidbanken", "fritidsbanken", 1 },
        { "behnadling", "behandling", 1 },      /* transpose */
        { "f\xc3\xa5r", "far", 1 },             /* one code point */
        { "m\xc3\xa4ssa", "massa", 1 },
        { "taligenkanning", "taligenk\xc3\xa4nning", 1 },
        { "kommunstyrelsen", "komunstyrelsn", 2 },
        { "abc", "", 3 },
        { "", "", 0 },
        { "arbetsmarknad", "arbetsmarknadsenhet", 3 },  /* above max */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        unsigned d = sok_edit_distance(t[i].a, strlen(t[i].a), t[i].b,
                                       strlen(t[i].b), 2);
        unsigned want = t[i].d > 2 ? 3 : t[i].d;
        if (d != want)
            fprintf(stderr, "distance %s %s: %u, want %u\n", t[i].a, t[i].b,
                    d, want);
        assert_int_equal(d, want);
        /* Symmetric. */
        assert_int_equal(sok_edit_distance(t[i].b, strlen(t[i].b), t[i].a,
                                           strlen(t[i].a), 2), want);
    }
    assert_int_equal(sok_edit_distance("abcdef", 6, "badcfe", 6, 5), 3);
    assert_int_equal(sok_edit_distance("abcdef", 6, "badcfe", 6, 1), 2);
}

static void test_edit_budget(void **state)
{
    (void)state;
    assert_int_equal(sok_edit_budget(3), 0);
    assert_int_equal(sok_edit_budget(4), 0);
    assert_int_equal(sok_edit_budget(5), 1);
    assert_int_equal(sok_edit_budget(8), 1);
    assert_int_equal(sok_edit_budget(9), 2);
    assert_int_equal(sok_edit_budget(20), 2);
    assert_int_equal(sok_utf8_chars("f\xc3\xa5r", 4), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lexicon_loads_fast),
        cmocka_unit_test(test_split_compounds),
        cmocka_unit_test(test_no_split),
        cmocka_unit_test(test_analyzer_terms),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_edit_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
