/*
 * test_pdf: the PDF layout reader (sok_pdf.h) on real pdftohtml -xml
 * output, the committed fixtures in tests/unit/data/ (written by
 * make_fixtures.py from PDFs it makes: a report with running headers,
 * footers, page numbers, a contents page with dot leaders, hyphenated
 * line ends and headings by size, weight and numbering, once without and
 * once with an outline; and Chromium's print of an HTML page).  Then the
 * sections and stored records made from them, the metadata rules for
 * titles and URLs, hostile and broken XML (every truncation of a fixture,
 * markup no tool writes), and the tools' fallbacks: pdftotext when
 * pdftohtml is missing or fails, no second try after a timeout.  Run from
 * the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sok_doc.h"
#include "sok_extract.h"
#include "sok_section.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        print_error("%s not found: run from the repository root\n", path);
        fail();
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* The blocks of fixture name (tests/unit/data/NAME.xml) into x. */
static void blocks_of(const char *name, struct sok_extracted *x)
{
    char path[128];
    snprintf(path, sizeof path, "tests/unit/data/%s.xml", name);
    size_t n;
    char *xml = slurp(path, &n);
    struct sok_err err = SOK_ERR_INIT;
    int rc = sok_extract_pdf_xml(xml, n, x, &err);
    free(xml);
    if (rc) {
        print_error("%s: %s\n", name, err.msg);
        fail();
    }
}

/* The index of the block with text t, or -1. */
static long find(const struct sok_extracted *x, const char *t)
{
    for (size_t i = 0; i < x->n; i++)
        if (!strcmp(x->blocks[i].text, t))
            return (long)i;
    return -1;
}

/* Whether s occurs in any block. */
static int anywhere(const struct sok_extracted *x, const char *s)
{
    for (size_t i = 0; i < x->n; i++)
        if (strstr(x->blocks[i].text, s))
            return 1;
    return 0;
}

static void expect_heading(const struct sok_extracted *x, const char *t,
                           int level, unsigned page)
{
    long i = find(x, t);
    if (i < 0) {
        print_error("no block \"%s\"\n", t);
        fail();
    }
    if (x->blocks[i].level != level || x->blocks[i].page != page) {
        print_error("\"%s\": level %d page %u, want %d and %u\n", t,
                    x->blocks[i].level, x->blocks[i].page, level, page);
        fail();
    }
}

/* What both report fixtures share: furniture dropped, contents lines
 * marked, words rejoined. */
static void check_report_text(const struct sok_extracted *x)
{
    /* running header, footer and page numbers are gone */
    assert_false(anywhere(x, "Sida "));
    assert_false(anywhere(x, "Exempelstad kommun"));
    assert_int_equal(find(x, "Verksamhetsberättelse 2024"), 0);
    assert_false(anywhere(x, "Verksamhetsberättelse 2024 "));
    /* the contents page: one block of contents lines, leaders gone */
    long toc = find(x, "1 Inledning 3 1.1 Bakgrund 3 2 Resultat 4 "
                       "2.1 Tillförlitligheten i mätningarna 4 "
                       "Bilaga 1 Enkäten 4");
    assert_true(toc > 0);
    assert_int_equal(x->blocks[toc].kind, SOK_BLOCK_TOC);
    assert_int_equal(x->blocks[toc].page, 2);
    assert_false(anywhere(x, "...."));
    /* hyphenation: a syllable break joined, real hyphens kept */
    assert_true(anywhere(x, "Arbetet leds av socialförvaltningen tillsammans"));
    assert_true(anywhere(x, "ett nytt IOP-avtal med"));
    assert_true(anywhere(x, "stöd till barn- och ungdomsnämndens arbete"));
    assert_true(anywhere(x, "individ- och familjeomsorgen har"));
    /* the cover's subtitle is text under the cover's title */
    long sub = find(x, "Individ- och familjeomsorgen");
    assert_int_equal(sub, 1);
    assert_int_equal(x->blocks[sub].level, 0);
    for (size_t i = 0; i < x->n; i++) {
        assert_true(x->blocks[i].page >= 1 && x->blocks[i].page <= 4);
        assert_true(i == 0 || x->blocks[i].page >= x->blocks[i - 1].page);
    }
    assert_int_equal(x->flat, 0);
}

static void test_layout_headings(void **state)
{
    (void)state;
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    blocks_of("pdf_layout", &x);
    check_report_text(&x);
    /* by size: 24 pt over 16 and 13; running size: bold, numbered */
    expect_heading(&x, "Verksamhetsberättelse 2024", 1, 1);
    expect_heading(&x, "Innehåll", 2, 2);
    expect_heading(&x, "1 Inledning", 2, 3);
    expect_heading(&x, "1.1 Bakgrund", 3, 3);
    expect_heading(&x, "2 Resultat", 2, 4);
    expect_heading(&x, "2.1 Tillförlitligheten i mätningarna", 4, 4);
    expect_heading(&x, "Kostnader per brukare", 4, 4);
    expect_heading(&x, "Bilaga 1 Enkäten", 4, 4);
    size_t heads = 0;
    for (size_t i = 0; i < x.n; i++)
        heads += x.blocks[i].level > 0;
    assert_int_equal(heads, 8);
    sok_extracted_clear(&x);
}

static void test_outline_headings(void **state)
{
    (void)state;
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    blocks_of("pdf_outline", &x);
    check_report_text(&x);
    /* the outline's items, at its depths; front matter from the layout */
    expect_heading(&x, "Verksamhetsberättelse 2024", 1, 1);
    expect_heading(&x, "Innehåll", 2, 2);
    expect_heading(&x, "1 Inledning", 1, 3);
    expect_heading(&x, "1.1 Bakgrund", 2, 3);
    expect_heading(&x, "2 Resultat", 1, 4);
    expect_heading(&x, "2.1 Tillförlitligheten i mätningarna", 2, 4);
    expect_heading(&x, "Bilaga 1 Enkäten", 1, 4);
    /* in the outline's document, a bold line is no heading of its own */
    long k = find(&x, "Kostnader per brukare");
    assert_true(k > 0);
    assert_int_equal(x.blocks[k].level, 0);
    sok_extracted_clear(&x);
}

static void test_chromium_print(void **state)
{
    (void)state;
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    blocks_of("pdf_chromium", &x);
    assert_int_equal(x.n, 8);
    expect_heading(&x, "Innehåll", 1, 1);
    expect_heading(&x, "Uppdraget som god man", 1, 1);
    expect_heading(&x, "Arvode och ersättning", 2, 1);
    expect_heading(&x, "Redovisning till överförmyndaren", 1, 1);
    assert_int_equal(x.blocks[1].kind, SOK_BLOCK_LINKS);
    assert_string_equal(x.blocks[1].text, "Uppdraget som god man Redovisning "
                                          "till överförmyndaren");
    assert_int_equal(x.blocks[3].kind, SOK_BLOCK_TEXT);
    assert_true(anywhere(&x, "till exempel att betala räkningar"));
    sok_extracted_clear(&x);
}

/* The document made of fixture name as sok_doc_load() makes it. */
static struct sok_document *doc_of(const char *name, const char *url)
{
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    blocks_of(name, &x);
    if (url)
        x.url = strdup(url);
    struct sok_document *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->source = strdup("rapporter/vb2024.pdf");
    d->format = SOK_FMT_PDF;
    struct sok_err err = SOK_ERR_INIT;
    assert_int_equal(sok_section_build(&x, NULL, d, &err), 0);
    d->url = x.url;
    x.url = NULL;
    sok_extracted_clear(&x);
    return d;
}

static void test_sections_and_records(void **state)
{
    (void)state;
    struct sok_document *d = doc_of("pdf_layout", "https://example.se/vb.pdf");
    static const struct {
        const char *title;
        unsigned page;
        int nav;
    } want[] = {
        { "Verksamhetsberättelse 2024", 1, 0 }, { "Innehåll", 2, 1 },
        { "1 Inledning", 3, 0 }, { "1.1 Bakgrund", 3, 0 },
        { "2 Resultat", 4, 0 },
        { "2.1 Tillförlitligheten i mätningarna", 4, 0 },
        { "Kostnader per brukare", 4, 0 }, { "Bilaga 1 Enkäten", 4, 0 },
    };
    assert_int_equal(d->nsections, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < d->nsections; i++) {
        assert_string_equal(d->sections[i].title, want[i].title);
        assert_int_equal(d->sections[i].page, want[i].page);
        assert_int_equal(d->sections[i].nav, want[i].nav);
    }
    /* the first heading names the document (its metadata said nothing) */
    assert_string_equal(d->title, "Verksamhetsberättelse 2024");
    /* a section of contents keeps its text for reading */
    assert_non_null(strstr(d->sections[1].text, "1.1 Bakgrund 3"));

    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_doc_section_record(d, 3, &b, &rc);
    assert_int_equal(rc, 0);
    json_error_t je;
    json_t *j = json_loads(b.p, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "url")),
                        "https://example.se/vb.pdf#page=3");
    assert_int_equal(json_integer_value(json_object_get(j, "page")), 3);
    json_decref(j);
    sok_buf_free(&b);
    sok_doc_free(d);

    /* no address of its own: our /doc/ page, no fragment */
    d = doc_of("pdf_chromium", NULL);
    assert_int_equal(d->nsections, 4);
    assert_int_equal(d->sections[0].nav, 1);
    assert_string_equal(d->title, "Uppdraget som god man");
    b = (struct sok_buf)SOK_BUF_INIT;
    sok_doc_section_record(d, 1, &b, &rc);
    j = json_loads(b.p, 0, &je);
    assert_non_null(j);
    assert_non_null(strstr(json_string_value(json_object_get(j, "url")),
                           "/doc/"));
    assert_null(strchr(json_string_value(json_object_get(j, "url")), '#'));
    assert_int_equal(json_integer_value(json_object_get(j, "page")), 1);
    json_decref(j);
    sok_buf_free(&b);
    sok_doc_free(d);
}

static void test_titles_and_meta(void **state)
{
    (void)state;
    const char *p = "/srv/dok/vb2024_slutlig.pdf";
    assert_true(sok_extract_pdf_title_ok("Verksamhetsberättelse 2024", p));
    assert_true(sok_extract_pdf_title_ok("tech", p));
    assert_false(sok_extract_pdf_title_ok("", p));
    assert_false(sok_extract_pdf_title_ok("   ", p));
    assert_false(sok_extract_pdf_title_ok("12", p));
    assert_false(sok_extract_pdf_title_ok("Microsoft Word - vb2024.docx", p));
    assert_false(sok_extract_pdf_title_ok("Microsoft Word - Rapport", p));
    assert_false(sok_extract_pdf_title_ok("rapport.doc", p));
    assert_false(sok_extract_pdf_title_ok("vb2024_slutlig", p));
    assert_false(sok_extract_pdf_title_ok("VB2024 slutlig", p));
    assert_false(sok_extract_pdf_title_ok("Dokument1", p));
    assert_false(sok_extract_pdf_title_ok("Untitled", p));
    assert_false(sok_extract_pdf_title_ok("C:\\Users\\x\\Desktop\\a", p));

    static const char info[] =
        "Title:           Microsoft Word - vb2024_slutlig.docx\n"
        "Author:          Anna\n"
        "URL:             https://www.example.se/vb2024.pdf\n"
        "Pages:           4\n";
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    int rc = 0;
    sok_extract_pdf_meta(info, sizeof info - 1, p, &x, &rc);
    assert_int_equal(rc, 0);
    assert_null(x.title);
    assert_string_equal(x.url, "https://www.example.se/vb2024.pdf");
    sok_extracted_clear(&x);

    static const char info2[] =
        "Title:           Årsredovisning 2023  \n"
        "URL:             javascript:alert(1)\n"
        "Title:           Another title\n";
    sok_extract_pdf_meta(info2, sizeof info2 - 1, p, &x, &rc);
    assert_string_equal(x.title, "Årsredovisning 2023");
    assert_null(x.url);
    sok_extracted_clear(&x);
    sok_extract_pdf_meta("Title:", 6, p, &x, &rc);   /* cut short */
    assert_null(x.title);
    sok_extracted_clear(&x);
}

static void test_hyphen_rule(void **state)
{
    (void)state;
#define H(a, b) sok_extract_hyphen(a, strlen(a), b, strlen(b))
    assert_int_equal(H("av social-", "förvaltningen"), SOK_HYPHEN_DROP);
    assert_int_equal(H("ett nytt IOP-", "avtal med"), SOK_HYPHEN_KEEP);
    assert_int_equal(H("en ny e-", "tjänst"), SOK_HYPHEN_KEEP);
    assert_int_equal(H("till barn-", "och unga"), SOK_HYPHEN_SPACE);
    assert_int_equal(H("Norrköpings-", "Kommun"), SOK_HYPHEN_NONE);
    assert_int_equal(H("se www.x.se/a-", "b"), SOK_HYPHEN_KEEP);
    assert_int_equal(H("ingen rad", "slut"), SOK_HYPHEN_NONE);
    assert_int_equal(H("tankstreck -", "sedan"), SOK_HYPHEN_NONE);
#undef H
}

/* Broken and hostile pdftohtml output: an error or an empty document,
 * never a crash (the sanitizers watch). */
static void test_hostile_xml(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "not xml at all", "<pdf2xml><page>",
        "<?xml version=\"1.0\"?><html><body>x</body></html>",
        "<pdf2xml><page number=\"1\"><text font=\"0\">a</tex></page></pdf2xml>",
        "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;"
        "&a;&a;&a;&a;\">]><pdf2xml><page><text>&b;&b;&b;</text></page>"
        "</pdf2xml><x/>",
    };
    struct sok_err err = SOK_ERR_INIT;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sok_extracted x = SOK_EXTRACTED_INIT;
        sok_err_clear(&err);
        assert_int_equal(sok_extract_pdf_xml(bad[i], strlen(bad[i]), &x, &err),
                         SOK_EFORMAT);
        sok_extracted_clear(&x);
    }
    /* odd but well-formed: clamped, ignored, never trusted */
    static const char odd[] =
        "<pdf2xml><text top=\"5\">outside a page</text>"
        "<page height=\"-5\" width=\"99999999999\">"
        "<fontspec id=\"70000\" size=\"-3\"/><fontspec id=\"x\"/>"
        "<fontspec id=\"2\" size=\"9999999999\" family=\"X-Bold\"/>"
        "<text top=\"-99999999999\" left=\"abc\" height=\"0\" font=\"2\">"
        "<b><i><a><b><i><a><b><i><a><b><i><a><b><i><a><b><i><a><b><i>deep"
        "</i></b></a></i></b></a></i></b></a></i></b></a></i></b></a></i></b>"
        "</a></i></b></text><text font=\"99\"/><text>\xEF\xAC\x81nns</text></page>"
        "<outline><item page=\"0\">x</item><item page=\"99999\">y</item>"
        "<item>z</item><outline><outline><item page=\"1\">Kapitel 1</item>"
        "</outline></outline><item page=\"1\"></item></outline></pdf2xml>";
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    assert_int_equal(sok_extract_pdf_xml(odd, sizeof odd - 1, &x, &err), 0);
    assert_true(find(&x, "Kapitel 1") >= 0);     /* a heading of its own */
    assert_true(anywhere(&x, "finns"));          /* ligature spelt out */
    sok_extracted_clear(&x);

    /* every cut of a real document */
    size_t n;
    char *xml = slurp("tests/unit/data/pdf_outline.xml", &n);
    for (size_t cut = 0; cut < n; cut += 37) {
        struct sok_extracted y = SOK_EXTRACTED_INIT;
        int rc = sok_extract_pdf_xml(xml, cut, &y, &err);
        assert_true(rc == 0 || rc == SOK_EFORMAT);
        sok_extracted_clear(&y);
    }
    free(xml);
}

/* --------------------------------------------------------------- tools */

static char tmpdir[64];

static void put_file(const char *dir, const char *name, const char *text,
                     mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static int tools_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sok_test_pdf.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int tools_teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "pdftohtml", "pdftotext", "a.pdf" };
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    return rmdir(tmpdir);
}

/* Loads path with only tmpdir on PATH. */
static int load_in(const char *path, const struct sok_doc_opts *o,
                   struct sok_document **d, struct sok_err *err)
{
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", tmpdir, 1);
    int rc = sok_doc_load(path, o, d, err);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    return rc;
}

static void test_tool_fallbacks(void **state)
{
    (void)state;
    /* the tools are scripts here: the file only has to exist */
    char pdf[128];
    snprintf(pdf, sizeof pdf, "%s/a.pdf", tmpdir);
    put_file(tmpdir, "a.pdf", "%PDF-1.4\n", 0644);
    /* pdftotext alone answers for a missing pdftohtml */
    put_file(tmpdir, "pdftotext", "#!/bin/sh\necho 'Rubrik här'\necho\n"
             "echo 'Text från pdftotext om socialförvaltningen.'\n", 0755);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    assert_int_equal(load_in(pdf, NULL, &d, &err), 0);
    assert_non_null(strstr(d->sections[0].text, "från pdftotext"));
    assert_int_equal(d->sections[0].page, 0);
    sok_doc_free(d);
    /* and for one that fails */
    put_file(tmpdir, "pdftohtml", "#!/bin/sh\necho 'Syntax Error' >&2\n"
             "exit 1\n", 0755);
    assert_int_equal(load_in(pdf, NULL, &d, &err), 0);
    assert_non_null(strstr(d->sections[0].text, "från pdftotext"));
    sok_doc_free(d);
    /* and for output that is not pdftohtml's */
    put_file(tmpdir, "pdftohtml", "#!/bin/sh\necho '<pdf2xml><page>'\n",
             0755);
    assert_int_equal(load_in(pdf, NULL, &d, &err), 0);
    sok_doc_free(d);
    /* a pdftohtml that hangs: the file fails at the limit, no second try */
    put_file(tmpdir, "pdftohtml", "#!/bin/sh\nexec /bin/sleep 30\n", 0755);
    put_file(tmpdir, "pdftotext", "#!/bin/sh\necho tried >&2\nexit 3\n", 0755);
    struct sok_doc_opts o = SOK_DOC_OPTS_INIT;
    o.pdf_timeout_s = 1;
    sok_err_clear(&err);
    assert_int_equal(load_in(pdf, &o, &d, &err), SOK_ETIMEOUT);
    assert_null(d);
    assert_non_null(strstr(err.msg, "pdftohtml"));
    /* both failing: pdftotext's complaint is the one told */
    put_file(tmpdir, "pdftohtml", "#!/bin/sh\nexit 1\n", 0755);
    sok_err_clear(&err);
    assert_int_equal(load_in(pdf, NULL, &d, &err), SOK_EFORMAT);
    assert_non_null(strstr(err.msg, "pdftotext failed"));
}

int main(void)
{
    sok_doc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_headings),
        cmocka_unit_test(test_outline_headings),
        cmocka_unit_test(test_chromium_print),
        cmocka_unit_test(test_sections_and_records),
        cmocka_unit_test(test_titles_and_meta),
        cmocka_unit_test(test_hyphen_rule),
        cmocka_unit_test(test_hostile_xml),
        cmocka_unit_test_setup_teardown(test_tool_fallbacks, tools_setup,
                                        tools_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
