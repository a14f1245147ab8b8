/*
 * test_section: the section splitter on the seed corpus (the five files
 * corpus/NNN_<hash>.txt, read relative to the repository root, where the
 * tests run).  Pins down, per file, the exact sections (title | type |
 * date), that news sub-headings stay inside their item, that minutes keep
 * every agenda item separate, and the properties every section has
 * (stable unique ids, ordinals, non-empty text).  A change in the
 * heuristics shows up here as a named title, not as a count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sok_doc.h"
#include "sok_section.h"
#include "sok_text.h"

/* Loads the seed file whose name starts with prefix ("000"). */
static struct sok_document *load_seed(const char *prefix,
                                      const struct sok_doc_opts *opts)
{
    char pat[64];
    snprintf(pat, sizeof pat, "corpus/%s_*.txt", prefix);
    glob_t g;
    if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc != 1) {
        print_error("seed file %s not found: run from the repo root\n", pat);
        fail();
    }
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    int rc = sok_doc_load(g.gl_pathv[0], opts, &d, &err);
    globfree(&g);
    if (rc) {
        print_error("load %s: %s\n", pat, err.msg);
        fail();
    }
    return d;
}

static const struct sok_section *find_title(const struct sok_document *d,
                                            const char *title)
{
    for (size_t i = 0; i < d->nsections; i++)
        if (!strcmp(d->sections[i].title, title))
            return &d->sections[i];
    return NULL;
}

struct expect {
    const char *title;
    const char *type;
    const char *date;
};

/* Asserts the exact section list, printing every row on a mismatch. */
static void check_sections(const struct sok_document *d,
                           const struct expect *e, size_t n)
{
    int bad = d->nsections != n;
    for (size_t i = 0; i < n || i < d->nsections; i++) {
        const struct sok_section *s = i < d->nsections ? &d->sections[i]
                                                       : NULL;
        const struct expect *x = i < n ? &e[i] : NULL;
        int ok = s && x && !strcmp(s->title, x->title) &&
                 !strcmp(sok_type_name(s->type), x->type) &&
                 !strcmp(s->date, x->date);
        if (!ok) {
            printf("section %zu: got [%s | %s | %s] want [%s | %s | %s]\n", i,
                   s ? s->title : "-", s ? sok_type_name(s->type) : "-",
                   s ? s->date : "-", x ? x->title : "-",
                   x ? x->type : "-", x ? x->date : "-");
            bad = 1;
        }
    }
    assert_int_equal(bad, 0);
}

/* Properties every document must have. */
static void check_invariants(const struct sok_document *d)
{
    assert_non_null(d->title);
    for (size_t i = 0; i < d->nsections; i++) {
        const struct sok_section *s = &d->sections[i];
        assert_int_equal(s->ordinal, i);
        assert_int_equal(strlen(s->id), 16);
        assert_int_equal(strspn(s->id, "0123456789abcdef"), 16);
        assert_non_null(s->title);
        assert_non_null(s->text);
        assert_true(s->text[0] != '\0');
        assert_true(sok_text_utf8_valid(s->text, strlen(s->text)));
        assert_null(strstr(s->text, "\n\n\n"));
        assert_true(s->text[strlen(s->text) - 1] != '\n');
        assert_true(s->date[0] == '\0' || strlen(s->date) == 10);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(d->sections[j].id, s->id);
    }
}

/* "\n\n" + heading + "\n\n" inside text: a sub-heading as its own
 * paragraph. */
static int has_para(const char *text, const char *para)
{
    size_t n = strlen(para);
    for (const char *p = strstr(text, para); p; p = strstr(p + 1, para))
        if ((p == text || (p - text >= 2 && p[-1] == '\n' && p[-2] == '\n')) &&
            (p[n] == '\0' || (p[n] == '\n' && p[n + 1] == '\n')))
            return 1;
    return 0;
}

static void test_000_news_page(void **state)
{
    (void)state;
    struct sok_document *d = load_seed("000", NULL);
    static const struct expect e[] = {
        { "IOP-avtal ger romska barn hjälp i skolarbetet", "news", "" },
        { "Socialdirektören sammanfattar 2015", "news", "" },
        { "Kallelse Gemensam utvecklingsgrupp 21 december", "minutes",
          "2015-12-21" },
        { "Minnesanteckningar Gemensam utvecklingsgrupp 7 december",
          "minutes", "2015-12-07" },
        { "Skolfam fyller tio år", "news", "" },
        { "Partner sökes – socialförvaltningen behöver dig!", "news", "" },
        { "Vill du hjälpa socialförvaltningen att utveckla en e-tjänst?",
          "news", "" },
        { "Vårens stödgrupper för barn och unga", "news", "" },
        { "Kallelse till Gemensam utvecklingsgrupp 7 december", "minutes",
          "2015-12-07" },
    };
    check_sections(d, e, sizeof e / sizeof e[0]);
    check_invariants(d);
    /* a page of news items that states no title of its own has none: the
     * first item's title names none of the others */
    assert_string_equal(d->title, "");
    assert_int_equal(d->type, SOK_TYPE_NEWS);
    assert_int_equal(d->format, SOK_FMT_TEXT);
    assert_string_equal(d->date, "2015-12-21");     /* newest item */

    /* sub-headings stay inside their item, as paragraphs */
    static const struct {
        const char *item, *sub;
    } subs[] = {
        { "IOP-avtal ger romska barn hjälp i skolarbetet", "Behoven styr" },
        { "IOP-avtal ger romska barn hjälp i skolarbetet",
          "Del i större projekt" },
        { "IOP-avtal ger romska barn hjälp i skolarbetet", "IOP-avtal" },
        { "Skolfam fyller tio år", "94 procent godkända i grundskolan" },
        { "Skolfam fyller tio år", "Nationell spridning" },
        { "Skolfam fyller tio år", "Så går arbetet till" },
        { "Vill du hjälpa socialförvaltningen att utveckla en e-tjänst?",
          "Anmäl intresse" },
        { "Vårens stödgrupper för barn och unga", "Kontakt och anmälan" },
        { "Kallelse Gemensam utvecklingsgrupp 21 december", "Väl mötta!" },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        assert_null(find_title(d, subs[i].sub));
        const struct sok_section *s = find_title(d, subs[i].item);
        assert_non_null(s);
        if (!has_para(s->text, subs[i].sub)) {
            print_error("\"%s\" is not a paragraph of \"%s\"\n", subs[i].sub,
                        subs[i].item);
            fail();
        }
    }
    const struct sok_section *iop = &d->sections[0];
    assert_non_null(strstr(iop->text, "Ungdomarna kartlägger tillsammans"));
    assert_non_null(strstr(iop->text, "avslutar Ann-Christine Borgman."));
    /* bullets are kept as text, one item per line */
    const struct sok_section *k = &d->sections[2];
    assert_non_null(strstr(k->text, "\n\xE2\x80\xA2 Arvodering för "
                                    "brukardelaktighet"));
    /* the numbered list keeps its line structure */
    assert_non_null(strstr(d->sections[4].text,
                           "1. Kartläggning\nTeamet börjar med"));
    sok_doc_free(d);
}

static void test_001_markdown_minutes(void **state)
{
    (void)state;
    struct sok_document *d = load_seed("001", NULL);
    static const char *const titles[] = {
        "Närvarande",
        "Tema: Hälsa – Bättre hälsa för unga romer",
        "Eftermiddagsskola och IOP-avtal",
        "Do Drom – en väg in på arbetsmarknaden",
        "Spridning",
        "Fritidsbank",
        "Lokal idrott",
        "Allmänna frågor – Personlig representant",
        "CurioCity Mashup",
        "Stöd till föräldrar med placerade barn",
        "Maskrosbarn",
        "Medskapade tjänster",
        "Frukostmingel om digitalisering",
    };
    struct expect e[sizeof titles / sizeof titles[0]];
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        e[i] = (struct expect){ titles[i], "minutes", "2017-02-13" };
    check_sections(d, e, sizeof e / sizeof e[0]);
    check_invariants(d);
    /* .txt holding Markdown is parsed as Markdown */
    assert_int_equal(d->format, SOK_FMT_MARKDOWN);
    assert_string_equal(d->title, "Gemensam utvecklingsgrupp 13 februari 2017");
    assert_string_equal(d->date, "2017-02-13");
    assert_int_equal(d->type, SOK_TYPE_MINUTES);

    const struct sok_section *s = find_title(d, "Fritidsbank");
    assert_non_null(s);
    assert_string_equal(s->date, "2017-02-13");
    assert_int_equal(s->type, SOK_TYPE_MINUTES);
    assert_null(s->anchor);
    /* hard line breaks survive; markup does not */
    assert_non_null(strstr(d->sections[0].text,
                           "Bent Nielsen, IFS\nAnne Eskilsson"));
    for (size_t i = 0; i < d->nsections; i++) {
        assert_null(strstr(d->sections[i].text, "**"));
        assert_null(strstr(d->sections[i].title, "**"));
    }
    /* link text kept, link target dropped; autolinks keep the URL */
    s = find_title(d, "Lokal idrott");
    assert_non_null(s);
    assert_non_null(strstr(s->text, "hitta på helsingborg.se > Uppleva"));
    assert_null(strstr(s->text, "](http"));
    assert_non_null(strstr(s->text, "http://www.helsingborg.se/startside/"));
    sok_doc_free(d);
}

static void test_002_pdf_text_minutes(void **state)
{
    (void)state;
    struct sok_document *d = load_seed("002", NULL);
    static const char *const titles[] = {
        "Bättre hälsa för unga romer",
        "Eftermiddagsskola och IOP-avtal",
        "Do Drom – en väg in på arbetsmarknaden",
        "Spridning",
        "Fritidsbank",
        "Lokal idrott",
        "Allmänna frågor – Personlig representant",
        "CurioCity Mashup",
        "Stöd till föräldrar med placerade barn",
        "Maskrosbarn",
        "Medskapade tjänster",
        "Frukostmingel om digitalisering",
    };
    /* no date anywhere near the top of this extract */
    struct expect e[sizeof titles / sizeof titles[0]];
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        e[i] = (struct expect){ titles[i], "minutes", "" };
    check_sections(d, e, sizeof e / sizeof e[0]);
    check_invariants(d);
    /* the empty heading at the top names the document */
    assert_string_equal(d->title, "Tema: Hälsa");
    assert_int_equal(d->type, SOK_TYPE_MINUTES);

    /* PDF line wraps are joined into paragraphs */
    const struct sok_section *s = &d->sections[0];
    assert_non_null(strstr(s->text, "skolgång och genom Vorta Drom inledde"));
    assert_non_null(strstr(s->text, "matlagningsgrupper.\n\nDet har gått"));
    /* a URL hyphenated at the line end is rejoined with its hyphen */
    s = find_title(d, "Frukostmingel om digitalisering");
    assert_non_null(s);
    assert_non_null(strstr(s->text,
        "https://oppnasoc.helsingborg.se/inbjudan-till-frukostmingel-om-"
        "digitalisering-av-socialtjansten-7-mars/"));
    assert_null(strstr(s->text, "av- socialtjansten"));
    /* the title line is not repeated in the text */
    assert_null(strstr(s->text, "Frukostmingel om digitalisering\n"));
    sok_doc_free(d);
}

static void test_003_news_page(void **state)
{
    (void)state;
    struct sok_document *d = load_seed("003", NULL);
    static const struct expect e[] = {
        { "Gemensam utvecklingsgrupp 16 mars om stöd för ungdomar",
          "minutes", "2020-03-16" },
        { "Minnesanteckningar från Gemensam utvecklingsgrupp 24 februari",
          "minutes", "2020-02-24" },
        { "Vernisssage för Bostad först-vägg", "news", "2020-02-27" },
        { "Test av medborgartjänst", "news", "" },
        { "Gemensam utvecklingsgrupp 24 februari – tema sysselsättning och "
          "arbetsträning", "minutes", "2020-02-24" },
        { "Fontänhuset Helsingborg utbildar i digitalt projekt", "news", "" },
        { "Minnesanteckningar-Gemensam utvecklingsgrupp 20 januari",
          "minutes", "2020-01-20" },
        { "Den nya kvinnobehandlingen", "news", "" },
        { "Test av taligenkänning", "news", "" },
    };
    check_sections(d, e, sizeof e / sizeof e[0]);
    check_invariants(d);
    assert_string_equal(d->title, "");      /* states none of its own */
    assert_int_equal(d->type, SOK_TYPE_NEWS);
    assert_string_equal(d->date, "2020-03-16");

    static const struct {
        size_t item;
        const char *sub;
    } subs[] = {
        { 0, "Övrigt på dagordningen" },
        { 0, "Kommande möten" },
        { 1, "Kommande möten" },
        { 2, "Från minglet" },
        { 2, "Klink och klunk vid Öresund" },
        { 4, "Övrigt på dagordningen" },
        { 4, "Kommande möten" },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        assert_null(find_title(d, subs[i].sub));
        if (!has_para(d->sections[subs[i].item].text, subs[i].sub)) {
            print_error("\"%s\" is not a paragraph of item %zu\n",
                        subs[i].sub, subs[i].item);
            fail();
        }
    }
    /* label lines are text, not headings */
    assert_non_null(strstr(d->sections[0].text,
                           "Tid: måndagen den 16 mars, klockan 13:30-15:30"));
    assert_non_null(strstr(d->sections[2].text, "(Dikt av Eva Henriksson)"));
    sok_doc_free(d);
}

static void test_004_plain_minutes(void **state)
{
    (void)state;
    struct sok_document *d = load_seed("004", NULL);
    /* no year is written anywhere, so "12 april" cannot be dated */
    static const struct expect e[] = {
        { "Närvarande", "minutes", "" },
        { "Områdesarbete Adolfsberg", "minutes", "" },
        { "Utvecklingsarbete som insats", "minutes", "" },
        { "Sammansättningen av den här gruppen", "minutes", "" },
        { "Utbildningsdagar i tjänstedesign", "minutes", "" },
        { "I, Daniel Blake", "minutes", "" },
    };
    check_sections(d, e, sizeof e / sizeof e[0]);
    check_invariants(d);
    assert_string_equal(d->title, "Ledningsgrupp för utveckling 12 april");
    assert_int_equal(d->type, SOK_TYPE_MINUTES);
    assert_string_equal(d->date, "");
    /* the list of names is one paragraph of lines, not headings */
    assert_null(find_title(d, "Ivan Kuzhiov"));
    assert_non_null(strstr(d->sections[0].text,
                           "Ivan Kuzhiov\nGiuliano Silvia\nHåkan Hallgren"));
    sok_doc_free(d);
}

/* The year of a dated title without a year: the document's year. */
static void test_year_from_document(void **state)
{
    (void)state;
    const char *t =
        "Kallelse till möte 16 mars\n\n"
        "Vi ses den 16 mars i stora salen, som vanligt på måndag.\n\n"
        "Protokoll 2 februari\n\n"
        "Protokollet från mötet 2019 är klart. Det gäller året 2019.\n\n"
        "Nytt om bostad 2020\n\n"
        "Något har hänt under 2019 och 2021, och mer kommer att hända.\n";
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    assert_int_equal(sok_doc_parse("y.txt", t, strlen(t), SOK_FMT_TEXT, NULL,
                                   &d, &err), 0);
    assert_int_equal(d->nsections, 3);
    assert_int_equal(d->type, SOK_TYPE_NEWS);
    assert_string_equal(d->sections[0].date, "2019-03-16");   /* doc year */
    assert_string_equal(d->sections[1].date, "2019-02-02");
    assert_string_equal(d->sections[2].date, "");   /* a year is no date */
    sok_doc_free(d);
}

static void test_type_override(void **state)
{
    (void)state;
    struct sok_doc_opts o = SOK_DOC_OPTS_INIT;
    o.type_override = SOK_TYPE_REPORT;
    struct sok_document *d = load_seed("000", &o);
    assert_int_equal(d->type, SOK_TYPE_REPORT);
    for (size_t i = 0; i < d->nsections; i++)
        assert_int_equal(d->sections[i].type, SOK_TYPE_REPORT);
    /* the override changes types only, never the cut */
    assert_int_equal(d->nsections, 9);
    sok_doc_free(d);
}

/* A news page whose first line heads the page (a heading right over the
 * first item's) is titled by it; without one it has no title (000, 003). */
static void test_news_page_title(void **state)
{
    (void)state;
    static const char body[] =
        "Socialförvaltningen bjuder in till ett öppet möte om stöd till "
        "familjer, där alla som vill får komma och ställa frågor om hur "
        "stödet fungerar i praktiken och vad som händer under året.\n\n";
    char t[2048];
    snprintf(t, sizeof t, "Nyheter från socialförvaltningen\n\n"
             "Öppet möte 12 mars 2019\n\n%sNytt stöd den 3 april 2019\n\n%s"
             "Välkommen på sommarläger!\n\n%s", body, body, body);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    assert_int_equal(sok_doc_parse("n.txt", t, strlen(t), SOK_FMT_TEXT, NULL,
                                   &d, &err), 0);
    assert_int_equal(d->type, SOK_TYPE_NEWS);
    assert_int_equal(d->nsections, 3);
    assert_string_equal(d->title, "Nyheter från socialförvaltningen");
    assert_string_equal(d->sections[0].title, "Öppet möte 12 mars 2019");
    sok_doc_free(d);
    /* without the line over it: no title of its own */
    const char *u = strstr(t, "Öppet möte");
    assert_int_equal(sok_doc_parse("n.txt", u, strlen(u), SOK_FMT_TEXT, NULL,
                                   &d, &err), 0);
    assert_int_equal(d->type, SOK_TYPE_NEWS);
    assert_string_equal(d->title, "");
    sok_doc_free(d);
}

static void test_corpus_total_and_stable_ids(void **state)
{
    (void)state;
    static const char *const seeds[] = { "000", "001", "002", "003", "004" };
    size_t total = 0;
    for (size_t i = 0; i < 5; i++) {
        struct sok_document *a = load_seed(seeds[i], NULL);
        struct sok_document *b = load_seed(seeds[i], NULL);
        assert_int_equal(a->nsections, b->nsections);
        for (size_t k = 0; k < a->nsections; k++) {
            assert_string_equal(a->sections[k].id, b->sections[k].id);
            assert_string_equal(a->sections[k].text, b->sections[k].text);
        }
        total += a->nsections;
        sok_doc_free(a);
        sok_doc_free(b);
    }
    printf("seed corpus: %zu sections\n", total);
    assert_true(total >= 30);
    assert_int_equal(total, 49);
}

/* A text of n bytes: paragraphs of para bytes (sentences of ten words)
 * separated by blank lines; para 0: one paragraph. */
static char *long_text(size_t n, size_t para)
{
    char *t = malloc(n + 1);
    assert_non_null(t);
    size_t i = 0, in_para = 0, words = 0;
    while (i < n) {
        const char *w = words % 10 == 9 ? "ord. " : "ord ";
        if (para && in_para >= para) {
            w = "\n\n";
            in_para = 0;
        }
        size_t wl = strlen(w);
        if (i + wl > n)
            break;
        memcpy(t + i, w, wl);
        i += wl;
        in_para += wl;
        words++;
    }
    t[i] = '\0';
    return t;
}

static void check_cuts(const char *t, size_t len, const char *ends_at)
{
    size_t ends[64];
    size_t n = sok_section_cuts(t, len, SOK_SECTION_MAX, ends, 64);
    assert_true(n >= len / SOK_SECTION_MAX + 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(ends[i] > start);
        assert_true(ends[i] - start <= SOK_SECTION_MAX);
        /* about equal: none under a quarter of the bound but the last */
        if (i + 1 < n) {
            assert_true(ends[i] - start >= SOK_SECTION_MAX / 4);
            assert_non_null(strchr(ends_at, t[ends[i]]));
        }
        assert_true(sok_text_utf8_valid(t + start, ends[i] - start));
        start = ends[i];
        while (start < len && strchr(" \n", t[start]))
            start++;
    }
    assert_int_equal(ends[n - 1], len);
}

static void test_long_sections_cut(void **state)
{
    (void)state;
    char *t = long_text(300000, 900);            /* paragraphs */
    assert_int_equal(sok_section_cuts(t, 60000, SOK_SECTION_MAX, NULL, 0), 0);
    check_cuts(t, strlen(t), "\n");
    free(t);
    t = long_text(300000, 0);                    /* sentences only */
    check_cuts(t, strlen(t), " ");
    free(t);
    size_t n = 200001;                           /* "å" without a space */
    t = malloc(n + 1);
    for (size_t i = 0; i + 1 < n; i += 2)
        memcpy(t + i, "\xc3\xa5", 2);
    t[n - 1] = 'x';
    t[n] = '\0';
    check_cuts(t, n, "\xc3\xa5x");
    free(t);
}

static void test_long_section_parts(void **state)
{
    (void)state;
    char *body = long_text(200000, 700);
    size_t n = strlen(body) + 64;
    char *src = malloc(n);
    snprintf(src, n, "Lång rapport\n\n%s\n\nSlutord\n\nKort text efteråt.\n", body);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    assert_int_equal(sok_doc_parse("lang.txt", src, strlen(src), SOK_FMT_TEXT,
                                   NULL, &d, &err), 0);
    assert_true(d->nsections >= 5);
    char id[17];
    sok_section_id("lang.txt", "Lång rapport", 0, id);
    assert_string_equal(d->sections[0].title, "Lång rapport");
    assert_string_equal(d->sections[0].id, id);     /* the first keeps it */
    size_t parts = 0;
    for (size_t i = 0; i < d->nsections; i++) {
        const struct sok_section *s = &d->sections[i];
        assert_int_equal(s->ordinal, i);
        assert_true(strlen(s->text) <= SOK_SECTION_MAX);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(d->sections[k].id, s->id);
        char want[64];
        snprintf(want, sizeof want, "Lång rapport (del %zu)", i + 1);
        if (i > 0 && strcmp(s->title, want) == 0)
            parts++;
    }
    assert_int_equal(parts + 2, d->nsections);      /* + first, "Slutord" */
    assert_string_equal(d->sections[d->nsections - 1].title, "Slutord");
    sok_doc_free(d);
    free(src);
    free(body);
}

static void test_long_title_cut(void **state)
{
    (void)state;
    size_t n = 5000;
    char *title = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        title[i] = i % 6 == 5 ? ' ' : 'a';
    title[n] = '\0';
    sok_section_cap_title(title);
    size_t len = strlen(title);
    assert_true(len <= SOK_TITLE_MAX && len > SOK_TITLE_MAX / 2);
    assert_string_equal(title + len - 3, "\xe2\x80\xa6");
    assert_true(title[len - 4] == 'a');             /* cut at a word */
    free(title);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_000_news_page),
        cmocka_unit_test(test_001_markdown_minutes),
        cmocka_unit_test(test_002_pdf_text_minutes),
        cmocka_unit_test(test_003_news_page),
        cmocka_unit_test(test_004_plain_minutes),
        cmocka_unit_test(test_year_from_document),
        cmocka_unit_test(test_type_override),
        cmocka_unit_test(test_news_page_title),
        cmocka_unit_test(test_corpus_total_and_stable_ids),
        cmocka_unit_test(test_long_sections_cut),
        cmocka_unit_test(test_long_section_parts),
        cmocka_unit_test(test_long_title_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
