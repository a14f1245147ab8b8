/*
 * test_extract: per-format extraction through the public document API:
 * Markdown (front matter, markup removal, carried headings), HTML (title,
 * main content, skipped elements, entities, anchors, canonical URL),
 * plain-text normalisation (CRLF, form feeds, hyphenation), invalid UTF-8
 * repair, PDF through poppler (a tiny PDF written at run time, a garbage
 * PDF, a missing, a hanging and a flooding pdftotext where pdftohtml is
 * missing; the layout itself is test_pdf.c's), stable ids and the stored
 * JSON record.
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
#include <xxhash.h>

#include "sok_doc.h"
#include "sok_text.h"

static struct sok_document *parse(const char *src, const char *text,
                                  enum sok_format fmt)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    int rc = sok_doc_parse(src, text, strlen(text), fmt, NULL, &d, &err);
    if (rc) {
        print_error("parse %s: %s\n", src, err.msg);
        fail();
    }
    return d;
}

/* ---------------------------------------------------------------- Markdown */

static const char md_doc[] =
    "---\n"
    "layout: page\n"
    "url: \"https://example.se/md\"\n"
    "---\n"
    "# Dokumentets titel\n"
    "\n"
    "## Tom rubrik\n"
    "\n"
    "### Underrubrik\n"
    "\n"
    "Text med **fet** och _kursiv_ och [länktext](http://example.se/x) "
    "och `kod` &amp; &auml; &#228;.\n"
    "\n"
    "- punkt ett\n"
    "- punkt *två*\n"
    "\n"
    "<div>rå html</div>\n"
    "\n"
    "## Andra\n"
    "Mer text  \n"
    "på ny rad.\n";

static void test_markdown(void **state)
{
    (void)state;
    struct sok_document *d = parse("docs/a.md", md_doc, SOK_FMT_MARKDOWN);
    assert_int_equal(d->format, SOK_FMT_MARKDOWN);
    assert_string_equal(d->title, "Dokumentets titel");
    assert_non_null(d->url);
    assert_string_equal(d->url, "https://example.se/md");
    assert_int_equal(d->nsections, 2);
    assert_string_equal(d->sections[0].title, "Tom rubrik – Underrubrik");
    assert_string_equal(d->sections[0].text,
                        "Text med fet och kursiv och länktext och kod & ä ä."
                        "\n\n\xE2\x80\xA2 punkt ett\n\xE2\x80\xA2 punkt två");
    assert_null(d->sections[0].anchor);
    assert_string_equal(d->sections[1].title, "Andra");
    assert_string_equal(d->sections[1].text, "Mer text\npå ny rad.");
    assert_int_equal(d->type, SOK_TYPE_OTHER);
    sok_doc_free(d);
}

/* A .txt file with two ATX headings is Markdown; with one it is not. */
static void test_txt_markdown_detection(void **state)
{
    (void)state;
    struct sok_document *d = parse("a.txt", "# Ett\n\ntext\n\n## Två\n\nmer\n",
                                   SOK_FMT_TEXT);
    assert_int_equal(d->format, SOK_FMT_MARKDOWN);
    assert_int_equal(d->nsections, 2);
    assert_string_equal(d->sections[1].title, "Två");
    sok_doc_free(d);
    d = parse("b.txt", "# Ett\n\ntext om #hashtag\n", SOK_FMT_TEXT);
    assert_int_equal(d->format, SOK_FMT_TEXT);
    sok_doc_free(d);
}

/* -------------------------------------------------------------------- HTML */

static const char html_doc[] =
    "<!DOCTYPE html><html><head><meta charset=\"iso-8859-1\">"
    "<title> Stöd &amp;\n hjälp </title>"
    "<link rel=\"alternate canonical\" href=\"https://example.se/stod\">"
    "<style>.x{color:red}</style>"
    "<script>var s = \"SCRIPTTEXT\";</script></head>"
    "<body><header>HEADERTEXT</header><nav><a href=\"/\">NAVTEXT</a></nav>"
    "<div>OUTSIDE MAIN</div>"
    "<main>"
    "<h1>Stöd för familjer</h1>"
    "<p>Inledning om r&auml;ksm&ouml;rg&aring;s &#228; &#x00E5; &lt;tag&gt; "
    "och&nbsp;mer.</p>"
    "<h2 id=\"kontakt\">Kontakt</h2>"
    "<p>Ring   oss<br>på <b>telefon</b>.</p><ul><li>Första</li><li>Andra</li>"
    "</ul><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
    "<section id=\"sec-om\"><h2>Om oss</h2><p>Vi finns i Helsingborg.</p>"
    "</section>"
    "<h2><a name=\"hitta\"></a>Hitta hit</h2><p>Bredgatan 19.</p>"
    "<noscript>NOSCRIPTTEXT</noscript><template><p>TEMPLATETEXT</p></template>"
    "<script>SCRIPT2</script>"
    "</main><footer>FOOTERTEXT</footer></body></html>";

static void test_html(void **state)
{
    (void)state;
    struct sok_document *d = parse("web/stod.html", html_doc, SOK_FMT_HTML);
    assert_string_equal(d->title, "Stöd & hjälp");
    assert_non_null(d->url);
    assert_string_equal(d->url, "https://example.se/stod");
    assert_int_equal(d->nsections, 4);

    assert_string_equal(d->sections[0].title, "Stöd för familjer");
    assert_string_equal(d->sections[0].text,
                        "Inledning om räksmörgås ä å <tag> och mer.");
    assert_null(d->sections[0].anchor);

    assert_string_equal(d->sections[1].title, "Kontakt");
    assert_string_equal(d->sections[1].anchor, "kontakt");
    assert_string_equal(d->sections[1].text,
                        "Ring oss\n\npå telefon.\n\nFörsta\n\nAndra\n\na b\n\nc");

    assert_string_equal(d->sections[2].title, "Om oss");
    assert_string_equal(d->sections[2].anchor, "sec-om");
    assert_string_equal(d->sections[3].title, "Hitta hit");
    assert_string_equal(d->sections[3].anchor, "hitta");
    assert_string_equal(d->sections[3].text, "Bredgatan 19.");

    static const char *const never[] = {
        "SCRIPTTEXT", "SCRIPT2", "HEADERTEXT", "NAVTEXT", "OUTSIDE MAIN",
        "NOSCRIPTTEXT", "TEMPLATETEXT", "FOOTERTEXT", "color:red",
    };
    for (size_t i = 0; i < d->nsections; i++)
        for (size_t k = 0; k < sizeof never / sizeof never[0]; k++)
            assert_null(strstr(d->sections[i].text, never[k]));

    /* the record's URL is the canonical URL plus the anchor */
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_doc_section_record(d, 1, &b, &rc);
    assert_int_equal(rc, 0);
    json_error_t je;
    json_t *j = json_loads(b.p, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "url")),
                        "https://example.se/stod#kontakt");
    json_decref(j);
    sok_buf_free(&b);
    sok_doc_free(d);
}

/* No <title>: the first <h1>.  role=main is main content.  Several
 * <article>s (a listing): the whole body, still without nav. */
static void test_html_fallbacks(void **state)
{
    (void)state;
    struct sok_document *d = parse("a.htm",
        "<html><body><div>junk</div><div role=\"main\"><h1>Huvud</h1>"
        "<p>text</p></div></body></html>", SOK_FMT_HTML);
    assert_string_equal(d->title, "Huvud");
    assert_int_equal(d->nsections, 1);
    assert_string_equal(d->sections[0].text, "text");
    assert_null(d->url);
    sok_doc_free(d);

    d = parse("b.html",
        "<html><body><nav>meny</nav><article><h2>Ett</h2><p>a</p></article>"
        "<article><h2>Två</h2><p>b</p></article></body></html>",
        SOK_FMT_HTML);
    assert_int_equal(d->nsections, 2);
    assert_string_equal(d->sections[0].title, "Ett");
    assert_string_equal(d->sections[1].text, "b");
    assert_string_equal(d->title, "Ett");
    sok_doc_free(d);

    /* broken markup is recovered, not rejected */
    d = parse("c.html", "<p>Hej <b>du<p>andra &bogus; stycket", SOK_FMT_HTML);
    assert_int_equal(d->nsections, 1);
    assert_non_null(strstr(d->sections[0].text, "Hej du"));
    assert_non_null(strstr(d->sections[0].text, "andra"));
    sok_doc_free(d);
}

/* ------------------------------------------------------- text, UTF-8 repair */

static void test_text_normalise(void **state)
{
    (void)state;
    struct sok_document *d = parse("n.txt",
        "Rubrik ett\r\n\r\nText  h\xC2\xA0r.   \r\n\fNy sida text.\r\n"
        "\r\nDetta är en lång rad som handlar om hur det går på arbets-\n"
        "marknaden för unga i Helsingborg och om stadens skol-\n"
        "och fritidsförvaltning som skrivit ett nytt IOP-\n"
        "avtal med föreningen.\n", SOK_FMT_TEXT);
    assert_int_equal(d->nsections, 1);
    assert_string_equal(d->title, "Rubrik ett");
    assert_string_equal(d->sections[0].title, "Rubrik ett");
    assert_string_equal(d->sections[0].text,
        "Text h r.\n\nNy sida text.\n\nDetta är en lång rad som handlar om "
        "hur det går på arbetsmarknaden för unga i Helsingborg och om stadens "
        "skol- och fritidsförvaltning som skrivit ett nytt IOP-avtal med "
        "föreningen.");
    assert_int_equal(d->repaired_bytes, 0);
    sok_doc_free(d);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    const char bad[] = "Rubrik\n\nText med fel \xff\xfe byte och r\xc3\xa4tt "
                       "och nul \0 och \x01 kontroll.\n";
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    assert_int_equal(sok_doc_parse("u.txt", bad, sizeof bad - 1, SOK_FMT_TEXT,
                                   NULL, &d, &err), 0);
    assert_true(d->repaired_bytes >= 2);
    assert_int_equal(d->nsections, 1);
    const char *t = d->sections[0].text;
    assert_true(sok_text_utf8_valid(t, strlen(t)));
    assert_non_null(strstr(t, "\xEF\xBF\xBD"));         /* U+FFFD */
    assert_non_null(strstr(t, "rätt"));
    assert_non_null(strstr(t, "kontroll."));            /* past the NUL */
    struct sok_buf b = SOK_BUF_INIT;
    int rc = 0;
    sok_doc_section_record(d, 0, &b, &rc);
    assert_int_equal(rc, 0);
    assert_true(sok_text_utf8_valid(b.p, b.n));
    sok_buf_free(&b);
    sok_doc_free(d);

    /* wholly Latin-1 text is converted, not replaced */
    const char latin[] = "R\xe4ksm\xf6rg\xe5s\n\nGod sm\xf6rg\xe5s.\n";
    assert_int_equal(sok_doc_parse("l.txt", latin, sizeof latin - 1,
                                   SOK_FMT_TEXT, NULL, &d, &err), 0);
    assert_true(d->repaired_bytes > 0);
    assert_string_equal(d->title, "Räksmörgås");
    assert_string_equal(d->sections[0].text, "God smörgås.");
    sok_doc_free(d);

    /* and in HTML and Markdown the same */
    const char hbad[] = "<h1>Ti\xfftel</h1><p>a\xc3</p>";
    assert_int_equal(sok_doc_parse("h.html", hbad, sizeof hbad - 1,
                                   SOK_FMT_HTML, NULL, &d, &err), 0);
    assert_true(d->repaired_bytes >= 2);
    assert_true(sok_text_utf8_valid(d->title, strlen(d->title)));
    sok_doc_free(d);
}

/* ------------------------------------------------------------ ids and JSON */

static void test_ids_and_json(void **state)
{
    (void)state;
    const char *t = "Kommande möten\n\nEtt.\n\nAnnat\n\nTvå.\n\n"
                    "Kommande möten\n\nTre.\n";
    struct sok_document *a = parse("x/a.txt", t, SOK_FMT_TEXT);
    struct sok_document *a2 = parse("x/a.txt", t, SOK_FMT_TEXT);
    struct sok_document *b = parse("x/b.txt", t, SOK_FMT_TEXT);
    assert_int_equal(a->nsections, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(a->sections[i].id, a2->sections[i].id);
        assert_string_not_equal(a->sections[i].id, b->sections[i].id);
    }
    /* same title twice: different occurrence, different id */
    assert_string_equal(a->sections[0].title, a->sections[2].title);
    assert_string_not_equal(a->sections[0].id, a->sections[2].id);
    /* the documented formula */
    char want[17];
    const char k1[] = "x/a.txt\nKommande möten\n1";
    snprintf(want, sizeof want, "%016llx",
             (unsigned long long)XXH3_64bits(k1, strlen(k1)));
    assert_string_equal(a->sections[2].id, want);

    struct sok_buf buf = SOK_BUF_INIT;
    int rc = 0;
    sok_doc_section_record(a, 0, &buf, &rc);
    assert_int_equal(rc, 0);
    /* the JSON, a NUL, the text as it is */
    size_t hlen = strlen(buf.p);
    assert_int_equal(buf.n, hlen + 1 + strlen("Ett."));
    assert_string_equal(buf.p + hlen + 1, "Ett.");
    assert_null(strstr(buf.p, "\"text\""));
    json_t *j = sok_doc_record_parse(buf.p, buf.n);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 13);
    assert_true(json_is_null(json_object_get(j, "page")));   /* not paged */
    assert_string_equal(json_string_value(json_object_get(j, "id")),
                        a->sections[0].id);
    assert_string_equal(json_string_value(json_object_get(j, "title")),
                        "Kommande möten");
    assert_string_equal(json_string_value(json_object_get(j, "doc_title")),
                        a->title);
    assert_string_equal(json_string_value(json_object_get(j, "source")),
                        "x/a.txt");
    char url[32];
    snprintf(url, sizeof url, "/doc/%s", a->sections[0].id);
    assert_string_equal(json_string_value(json_object_get(j, "url")), url);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "other");
    assert_true(json_is_null(json_object_get(j, "date")));
    assert_int_equal(json_integer_value(json_object_get(j, "ordinal")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "nsections")), 3);
    assert_true(json_is_null(json_object_get(j, "prev")));
    assert_string_equal(json_string_value(json_object_get(j, "next")),
                        a->sections[1].id);
    assert_string_equal(json_string_value(json_object_get(j, "text")), "Ett.");
    json_decref(j);

    sok_buf_reset(&buf);
    sok_doc_section_record(a, 2, &buf, &rc);
    j = sok_doc_record_parse(buf.p, buf.n);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "prev")),
                        a->sections[1].id);
    assert_true(json_is_null(json_object_get(j, "next")));
    json_decref(j);

    /* out of range: an error, nothing appended */
    size_t n = buf.n;
    sok_doc_section_record(a, 3, &buf, &rc);
    assert_int_not_equal(rc, 0);
    assert_int_equal(buf.n, n);

    sok_buf_free(&buf);
    sok_doc_free(a);
    sok_doc_free(a2);
    sok_doc_free(b);
}

/* A record's text comes back byte for byte, whatever it holds; a record
 * of schema 6 (all JSON) still reads; what is not a record reads as NULL. */
static void test_record_formats(void **state)
{
    (void)state;
    const char *t = "Rubrik\n\nCitat \"så\" \\ och {klammer}, tab\tslut.\n"
                    "\nRad två: åäö ﬁ €.\n";
    struct sok_document *d = parse("x/r.txt", t, SOK_FMT_TEXT);
    struct sok_buf buf = SOK_BUF_INIT;
    int rc = 0;
    sok_doc_section_record(d, 0, &buf, &rc);
    assert_int_equal(rc, 0);
    json_t *j = sok_doc_record_parse(buf.p, buf.n);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "text")),
                        d->sections[0].text);
    assert_non_null(strchr(d->sections[0].text, '"'));
    json_decref(j);

    const char old[] = "{\"id\":\"ab\",\"title\":\"T\",\"text\":\"x \\\"y\\\"\"}";
    j = sok_doc_record_parse(old, strlen(old));
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "text")),
                        "x \"y\"");
    json_decref(j);

    const char bad_utf8[] = "{\"id\":\"ab\"}\0caf\xe9";
    assert_null(sok_doc_record_parse(bad_utf8, sizeof bad_utf8 - 1));
    const char no_json[] = "{\"id\":\0text";
    assert_null(sok_doc_record_parse(no_json, sizeof no_json - 1));
    assert_null(sok_doc_record_parse("[1]", 3));
    assert_null(sok_doc_record_parse("", 0));
    assert_null(sok_doc_record_parse(NULL, 0));
    /* an empty text */
    const char empty[] = "{\"id\":\"ab\"}\0";
    j = sok_doc_record_parse(empty, sizeof empty - 1);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "text")), "");
    json_decref(j);
    sok_buf_free(&buf);
    sok_doc_free(d);
}

/* ------------------------------------------------------------ API corners */

static void test_api(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        enum sok_format f;
    } fmts[] = {
        { "a.txt", SOK_FMT_TEXT }, { "dir.d/A.TXT", SOK_FMT_TEXT },
        { "a.md", SOK_FMT_MARKDOWN }, { "a.markdown", SOK_FMT_MARKDOWN },
        { "a.html", SOK_FMT_HTML }, { "a.HTM", SOK_FMT_HTML },
        { "a.pdf", SOK_FMT_PDF }, { "a.doc", SOK_FMT_UNKNOWN },
        { "txt", SOK_FMT_UNKNOWN }, { ".txt", SOK_FMT_UNKNOWN },
        { "dir.txt/file", SOK_FMT_UNKNOWN }, { "", SOK_FMT_UNKNOWN },
    };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        assert_int_equal(sok_format_from_path(fmts[i].path), fmts[i].f);
    assert_int_equal(sok_format_from_path(NULL), SOK_FMT_UNKNOWN);

    enum sok_type t;
    for (int k = SOK_TYPE_OTHER; k <= SOK_TYPE_REPORT; k++) {
        assert_int_equal(sok_type_parse(sok_type_name(k), &t), 0);
        assert_int_equal(t, k);
    }
    assert_string_equal(sok_type_name(SOK_TYPE_MINUTES), "minutes");
    assert_null(sok_type_name(SOK_TYPE_UNSET));
    assert_null(sok_type_name((enum sok_type)7));
    assert_int_equal(sok_type_parse("nyheter", &t), SOK_EINVAL);
    assert_int_equal(sok_type_parse(NULL, &t), SOK_EINVAL);

    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = (struct sok_document *)1;
    assert_int_equal(sok_doc_parse("a.pdf", "%PDF", 4, SOK_FMT_PDF, NULL, &d,
                                   &err), SOK_EINVAL);
    assert_null(d);
    sok_err_clear(&err);
    struct sok_doc_opts o = SOK_DOC_OPTS_INIT;
    o.max_bytes = 10;
    assert_int_equal(sok_doc_parse("a.txt", "01234567890", 11, SOK_FMT_TEXT,
                                   &o, &d, &err), SOK_ETOOBIG);
    sok_err_clear(&err);
    assert_int_equal(sok_doc_load("no/such/file.txt", NULL, &d, &err),
                     SOK_EIO);
    sok_err_clear(&err);
    assert_int_equal(sok_doc_load("corpus", NULL, &d, &err), SOK_EFORMAT);
    sok_err_clear(&err);
    assert_int_equal(sok_doc_load("Makefile.doc", NULL, &d, &err),
                     SOK_EFORMAT);

    /* empty input: a document without sections */
    d = parse("e.txt", "", SOK_FMT_TEXT);
    assert_int_equal(d->nsections, 0);
    assert_string_equal(d->title, "e");
    sok_doc_free(d);
    sok_doc_free(NULL);
}

/* --------------------------------------------------------------------- PDF */

static char tmpdir[64];

static void write_file(const char *path, const void *data, size_t len,
                       mode_t mode)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* A minimal valid one-page PDF with two lines of WinAnsi text, xref
 * offsets computed as it is written. */
static size_t make_pdf(char *out, size_t cap)
{
    static const char content[] =
        "BT /F1 18 Tf 72 720 Td (Protokoll 13 februari 2017) Tj ET\n"
        "BT /F1 12 Tf 72 690 Td (Fritidsbanken i Esl\\366v \\344r "
        "\\366ppen f\\366r alla som vill prova p\\345 idrott.) Tj ET\n";
    const char *objs[5];
    char o4[512];
    snprintf(o4, sizeof o4, "<< /Length %zu >>\nstream\n%sendstream",
             strlen(content), content);
    objs[0] = "<< /Type /Catalog /Pages 2 0 R >>";
    objs[1] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    objs[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
              "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>";
    objs[3] = o4;
    objs[4] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
              "/Encoding /WinAnsiEncoding >>";
    size_t off[5], n = 0;
    n += (size_t)snprintf(out + n, cap - n, "%%PDF-1.4\n");
    for (int i = 0; i < 5; i++) {
        off[i] = n;
        n += (size_t)snprintf(out + n, cap - n, "%d 0 obj\n%s\nendobj\n",
                              i + 1, objs[i]);
    }
    size_t xref = n;
    n += (size_t)snprintf(out + n, cap - n,
                          "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 0; i < 5; i++)
        n += (size_t)snprintf(out + n, cap - n, "%010zu 00000 n \n", off[i]);
    n += (size_t)snprintf(out + n, cap - n,
                          "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n"
                          "%zu\n%%%%EOF\n", xref);
    assert_true(n < cap);
    return n;
}

static int pdf_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sok_test_extract.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int pdf_teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "ok.pdf", "bad.pdf", "pdftotext",
                                         "-dash.pdf" };
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    return rmdir(tmpdir);
}

static void test_pdf(void **state)
{
    (void)state;
    char pdf[2048], path[128];
    size_t n = make_pdf(pdf, sizeof pdf);
    snprintf(path, sizeof path, "%s/ok.pdf", tmpdir);
    write_file(path, pdf, n, 0644);

    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    int rc = sok_doc_load(path, NULL, &d, &err);
    if (rc) {
        print_error("pdf: %s\n", err.msg);
        fail();
    }
    assert_int_equal(d->format, SOK_FMT_PDF);
    assert_int_equal(d->nsections, 1);
    assert_string_equal(d->title, "Protokoll 13 februari 2017");
    assert_string_equal(d->sections[0].title, "Protokoll 13 februari 2017");
    assert_non_null(strstr(d->sections[0].text,
                           "Fritidsbanken i Eslöv är öppen för alla"));
    assert_string_equal(d->sections[0].date, "2017-02-13");
    assert_int_equal(d->type, SOK_TYPE_MINUTES);
    char first[17];
    memcpy(first, d->sections[0].id, sizeof first);
    sok_doc_free(d);
    /* stable across loads */
    assert_int_equal(sok_doc_load(path, NULL, &d, &err), 0);
    assert_string_equal(d->sections[0].id, first);
    sok_doc_free(d);

    /* a file name that looks like an option */
    char dash[128];
    snprintf(dash, sizeof dash, "%s/-dash.pdf", tmpdir);
    write_file(dash, pdf, n, 0644);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmpdir), 0);
    rc = sok_doc_load("-dash.pdf", NULL, &d, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(d->nsections, 1);
    sok_doc_free(d);
}

static void test_pdf_garbage(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/bad.pdf", tmpdir);
    const char junk[] = "this is not a PDF at all\n\x01\x02\x03";
    write_file(path, junk, sizeof junk - 1, 0644);
    struct sok_err err = SOK_ERR_INIT;
    struct sok_document *d = NULL;
    assert_int_equal(sok_doc_load(path, NULL, &d, &err), SOK_EFORMAT);
    assert_null(d);
    assert_non_null(strstr(err.msg, "pdftotext"));
}

/* Loads path with PATH set to dir (then restored). */
static int load_with_path(const char *dir, const char *path,
                          const struct sok_doc_opts *o, struct sok_err *err)
{
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", dir, 1);
    struct sok_document *d = NULL;
    int rc = sok_doc_load(path, o, &d, err);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("PATH");
    }
    sok_doc_free(d);
    return rc;
}

static void test_pdf_tool_failures(void **state)
{
    (void)state;
    char pdf[2048], path[128], tool[128];
    size_t n = make_pdf(pdf, sizeof pdf);
    snprintf(path, sizeof path, "%s/ok.pdf", tmpdir);
    write_file(path, pdf, n, 0644);
    snprintf(tool, sizeof tool, "%s/pdftotext", tmpdir);
    struct sok_err err = SOK_ERR_INIT;

    /* missing tool: a clear message */
    assert_int_equal(load_with_path("/nonexistent-sok-dir", path, NULL, &err),
                     SOK_EFORMAT);
    assert_non_null(strstr(err.msg, "pdftotext not found"));

    /* a hanging tool is killed at the time limit */
    static const char hang[] = "#!/bin/sh\nexec /bin/sleep 30\n";
    write_file(tool, hang, sizeof hang - 1, 0755);
    struct sok_doc_opts o = SOK_DOC_OPTS_INIT;
    o.pdf_timeout_s = 1;
    sok_err_clear(&err);
    assert_int_equal(load_with_path(tmpdir, path, &o, &err), SOK_ETIMEOUT);

    /* endless output stops at max_bytes */
    static const char flood[] = "#!/bin/sh\nexec /usr/bin/yes hej\n";
    write_file(tool, flood, sizeof flood - 1, 0755);
    o.pdf_timeout_s = 10;
    o.max_bytes = 4096;
    sok_err_clear(&err);
    assert_int_equal(load_with_path(tmpdir, path, &o, &err), SOK_ETOOBIG);

    /* a failing tool's complaint reaches the message */
    static const char fails[] = "#!/bin/sh\necho 'Syntax Error: boom' >&2\n"
                                "exit 1\n";
    write_file(tool, fails, sizeof fails - 1, 0755);
    sok_err_clear(&err);
    assert_int_equal(load_with_path(tmpdir, path, NULL, &err), SOK_EFORMAT);
    assert_non_null(strstr(err.msg, "Syntax Error: boom"));
}

/* A document may state its own address, never one that runs code. */
static void test_unsafe_urls(void **state)
{
    (void)state;
    static const char *const safe[] = {
        "https://example.se/stod", "HTTP://example.se/", "//example.se/a",
        "/nyheter/x/", "nyheter/x.html", "x.html#a:b", "?q=a:b",
    };
    static const char *const unsafe[] = {
        "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
        " javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox", "file:///etc/passwd", "mailto:a@b.se",
        "https://exa mple.se", "https:\\\\evil", "", NULL,
    };
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
        if (!sok_doc_url_safe(safe[i]))
            fail_msg("refused %s", safe[i]);
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++)
        if (sok_doc_url_safe(unsafe[i]))
            fail_msg("accepted %s", unsafe[i]);

    static const char *const docs[][2] = {
        { "x.html", "<html><head><title>T</title><link rel=\"canonical\" "
                    "href=\"javascript:alert(1)\"></head><body><p>Text "
                    "om stöd.</p></body></html>" },
        { "x.md", "---\nurl: javascript:alert(1)\n---\n# Rubrik\n\nText om "
                  "stöd.\n" },
    };
    for (size_t i = 0; i < 2; i++) {
        struct sok_document *d = parse(docs[i][0], docs[i][1],
                                       i ? SOK_FMT_MARKDOWN : SOK_FMT_HTML);
        assert_null(d->url);
        struct sok_buf b = SOK_BUF_INIT;
        int rc = 0;
        sok_doc_section_record(d, 0, &b, &rc);
        assert_int_equal(rc, 0);
        assert_null(strstr(b.p, "javascript"));
        assert_non_null(strstr(b.p, "\"url\":\"/doc/"));
        sok_buf_free(&b);
        sok_doc_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_txt_markdown_detection),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_html_fallbacks),
        cmocka_unit_test(test_text_normalise),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_ids_and_json),
        cmocka_unit_test(test_record_formats),
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_unsafe_urls),
        cmocka_unit_test_setup_teardown(test_pdf, pdf_setup, pdf_teardown),
        cmocka_unit_test_setup_teardown(test_pdf_garbage, pdf_setup,
                                        pdf_teardown),
        cmocka_unit_test_setup_teardown(test_pdf_tool_failures, pdf_setup,
                                        pdf_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
