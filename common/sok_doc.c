/*
 * sok_doc: the document model's front door (sok_doc.h).  Reads a file (or
 * takes bytes), repairs and normalises the text, hands it to the extractor
 * for its format (sok_extract.h) and the result to the section splitter
 * (sok_section.h); also names types and formats and writes the stored JSON
 * record of a section.  Invalid UTF-8 is repaired here, once, so no
 * extractor and nothing in the index ever sees it.
 */
#include "sok_doc.h"
#include "sok_extract.h"
#include "sok_section.h"
#include "sok_text.h"

#include <errno.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PDF_TIMEOUT_S 30
#define DEFAULT_MAX_BYTES ((size_t)64 << 20)

static const char *const type_names[SOK_TYPE_COUNT] = {
    "other", "news", "minutes", "report"
};

void sok_doc_init(void)
{
    xmlInitParser();
}

const char *sok_type_name(enum sok_type t)
{
    if ((int)t < 0 || (int)t >= SOK_TYPE_COUNT)
        return NULL;
    return type_names[t];
}

int sok_type_parse(const char *s, enum sok_type *out)
{
    if (s == NULL || out == NULL)
        return SOK_EINVAL;
    for (size_t i = 0; i < SOK_TYPE_COUNT; i++)
        if (!strcasecmp(s, type_names[i])) {
            *out = (enum sok_type)i;
            return 0;
        }
    return SOK_EINVAL;
}

enum sok_format sok_format_from_path(const char *path)
{
    if (path == NULL)
        return SOK_FMT_UNKNOWN;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        return SOK_FMT_UNKNOWN;
    dot++;
    if (!strcasecmp(dot, "txt") || !strcasecmp(dot, "text"))
        return SOK_FMT_TEXT;
    if (!strcasecmp(dot, "md") || !strcasecmp(dot, "markdown"))
        return SOK_FMT_MARKDOWN;
    if (!strcasecmp(dot, "html") || !strcasecmp(dot, "htm"))
        return SOK_FMT_HTML;
    if (!strcasecmp(dot, "pdf"))
        return SOK_FMT_PDF;
    return SOK_FMT_UNKNOWN;
}

void sok_doc_free(struct sok_document *doc)
{
    if (doc == NULL)
        return;
    for (size_t i = 0; i < doc->nsections; i++) {
        free(doc->sections[i].title);
        free(doc->sections[i].text);
        free(doc->sections[i].anchor);
    }
    free(doc->sections);
    free(doc->source);
    free(doc->title);
    free(doc->url);
    free(doc);
}

static size_t max_bytes_of(const struct sok_doc_opts *opts)
{
    return opts && opts->max_bytes ? opts->max_bytes : DEFAULT_MAX_BYTES;
}

/* Makes the document of source from its extracted blocks x (which it
 * clears): sections, title, URL. */
static int finish(const char *source, enum sok_format fmt,
                  struct sok_extracted *x, size_t nbad,
                  const struct sok_doc_opts *opts, struct sok_document **out,
                  struct sok_err *err)
{
    struct sok_document *doc = calloc(1, sizeof *doc);
    if (doc == NULL || (doc->source = strdup(source)) == NULL) {
        free(doc);
        sok_extracted_clear(x);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    doc->repaired_bytes = nbad;
    doc->format = fmt;
    int rc = sok_section_build(x, opts, doc, err);
    /* A document states its own address, but a hostile one could state
     * "javascript:...": a site that puts url into an href would run it. */
    if (!rc && x->url && sok_doc_url_safe(x->url)) {
        doc->url = x->url;
        x->url = NULL;
    }
    sok_extracted_clear(x);
    if (rc) {
        sok_doc_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

/* Builds the document from raw bytes of format fmt (not PDF). */
static int build(const char *source, const char *data, size_t len,
                 enum sok_format fmt, const struct sok_doc_opts *opts,
                 struct sok_document **out, struct sok_err *err)
{
    char *text = NULL;
    size_t tlen = 0, nbad = 0;
    int rc = sok_extract_normalise(data, len, &text, &tlen, &nbad, err);
    if (rc)
        return rc;
    struct sok_extracted x = SOK_EXTRACTED_INIT;
    if (fmt == SOK_FMT_TEXT && sok_extract_looks_markdown(text, tlen))
        fmt = SOK_FMT_MARKDOWN;        /* "notes.txt" written in Markdown */
    switch (fmt) {
    case SOK_FMT_MARKDOWN:
        rc = sok_extract_markdown(text, tlen, &x, err);
        break;
    case SOK_FMT_HTML:
        rc = sok_extract_html(text, tlen, &x, err);
        break;
    case SOK_FMT_TEXT:
        rc = sok_extract_text(text, tlen, &x, err);
        break;
    default:
        rc = sok_err_set(err, SOK_EFORMAT, "unsupported format");
        break;
    }
    free(text);
    if (rc) {
        sok_extracted_clear(&x);
        return rc;
    }
    return finish(source, fmt, &x, nbad, opts, out, err);
}

int sok_doc_parse(const char *source, const char *data, size_t len,
                  enum sok_format fmt, const struct sok_doc_opts *opts,
                  struct sok_document **out, struct sok_err *err)
{
    if (out)
        *out = NULL;
    if (source == NULL || (data == NULL && len) || out == NULL)
        return sok_err_set(err, SOK_EINVAL, "sok_doc_parse: NULL argument");
    if (fmt == SOK_FMT_PDF)
        return sok_err_set(err, SOK_EINVAL,
                           "PDF cannot be parsed from memory; use "
                           "sok_doc_load");
    if (fmt != SOK_FMT_TEXT && fmt != SOK_FMT_MARKDOWN && fmt != SOK_FMT_HTML)
        return sok_err_set(err, SOK_EFORMAT, "%s: unsupported format",
                           source);
    if (len > max_bytes_of(opts))
        return sok_err_set(err, SOK_ETOOBIG, "%s: larger than %zu bytes",
                           source, max_bytes_of(opts));
    return build(source, data ? data : "", len, fmt, opts, out, err);
}

int sok_doc_url_safe(const char *url)
{
    if (url == NULL || *url == '\0')
        return 0;
    /* Browsers drop tabs and newlines inside a URL ("java\tscript:"), so
     * a URL with any control character or space is refused whole. */
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '\\')
            return 0;
    size_t n = strcspn(url, ":/?#");
    if (url[n] != ':')
        return 1;                       /* no scheme: a relative address */
    return (n == 4 && strncasecmp(url, "http", 4) == 0) ||
           (n == 5 && strncasecmp(url, "https", 5) == 0);
}

static int too_big(struct sok_err *err, const char *path, size_t max)
{
    return sok_err_set(err, SOK_ETOOBIG, "%s is larger than %zu bytes", path,
                       max);
}

/* The checks every reader of a source file makes first; also used by
 * the PDF extractor before it hands the file to pdftotext. */
int sok_doc_open_file(const char *path, size_t max, int *fd_out,
                      size_t *size_out, struct sok_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sok_err_set(err, SOK_EIO, "cannot open %s: %s", path,
                           strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sok_err_set(err, SOK_EIO, "%s is not a regular file", path);
    }
    if ((uintmax_t)st.st_size > (uintmax_t)max) {
        close(fd);
        return too_big(err, path, max);
    }
    *fd_out = fd;
    if (size_out)
        *size_out = (size_t)st.st_size;
    return 0;
}

int sok_doc_read_file(const char *path, size_t max, char **out, size_t *len,
                      struct sok_err *err)
{
    int fd;
    size_t size;
    int rc = sok_doc_open_file(path, max, &fd, &size, err);
    if (rc)
        return rc;
    size_t cap = size + 1, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL && rc == 0) {
        if (n == cap) {
            /* the file grew while we read it */
            char *nb = cap > max ? NULL : realloc(buf, cap * 2);
            if (nb == NULL) {
                rc = cap > max ? too_big(err, path, max)
                               : sok_err_set(err, SOK_ENOMEM, NULL);
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno != EINTR)
            rc = sok_err_set(err, SOK_EIO, "cannot read %s: %s", path,
                             strerror(errno));
        else if (r == 0)
            break;
        else if (r > 0)
            n += (size_t)r;
    }
    close(fd);
    if (buf == NULL)
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
    else if (rc == 0 && n > max)
        rc = too_big(err, path, max);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return 0;
}

int sok_doc_load(const char *path, const struct sok_doc_opts *opts,
                 struct sok_document **out, struct sok_err *err)
{
    if (out)
        *out = NULL;
    if (path == NULL || out == NULL)
        return sok_err_set(err, SOK_EINVAL, "sok_doc_load: NULL argument");
    enum sok_format fmt = sok_format_from_path(path);
    if (fmt == SOK_FMT_UNKNOWN)
        return sok_err_set(err, SOK_EFORMAT,
                           "%s: unsupported file type (want .txt, .md, "
                           ".html, .htm or .pdf)", path);
    static const struct sok_doc_opts defaults = SOK_DOC_OPTS_INIT;
    if (opts == NULL)
        opts = &defaults;
    size_t max = max_bytes_of(opts);
    char *data = NULL;
    size_t len = 0;
    int rc;
    if (fmt == SOK_FMT_PDF) {
        unsigned t = opts->pdf_timeout_s ? opts->pdf_timeout_s
                                         : DEFAULT_PDF_TIMEOUT_S;
        struct sok_extracted x = SOK_EXTRACTED_INIT;
        size_t nbad = 0;
        rc = sok_extract_pdf_doc(path, t, max, &x, &nbad, err);
        if (rc) {
            sok_extracted_clear(&x);
            return rc;
        }
        return finish(path, fmt, &x, nbad, opts, out, err);
    }
    rc = sok_doc_read_file(path, max, &data, &len, err);
    if (rc)
        return rc;
    rc = build(path, data, len, fmt, opts, out, err);
    free(data);
    return rc;
}

void sok_doc_section_record(const struct sok_document *doc, size_t i,
                            struct sok_buf *b, int *rc)
{
    if (*rc)
        return;
    if (doc == NULL || i >= doc->nsections) {
        *rc = SOK_EINVAL;
        return;
    }
    const struct sok_section *s = &doc->sections[i];
    sok_buf_puts(b, "{\"id\":", rc);
    sok_buf_json_qstr(b, s->id, rc);
    sok_buf_puts(b, ",\"title\":", rc);
    sok_buf_json_qstr(b, s->title, rc);
    sok_buf_puts(b, ",\"doc_title\":", rc);
    sok_buf_json_qstr(b, doc->title, rc);
    sok_buf_puts(b, ",\"source\":", rc);
    sok_buf_json_qstr(b, doc->source, rc);
    sok_buf_puts(b, ",\"url\":\"", rc);
    if (doc->url) {
        /* the document's own address, at the section: its anchor, or
         * its page (PDF viewers open "#page=N" there) */
        sok_buf_json_str(b, doc->url, strlen(doc->url), rc);
        if (s->anchor) {
            sok_buf_putc(b, '#', rc);
            sok_buf_json_str(b, s->anchor, strlen(s->anchor), rc);
        } else if (s->page && !strchr(doc->url, '#')) {
            sok_buf_printf(b, rc, "#page=%u", s->page);
        }
    } else {
        sok_buf_puts(b, "/doc/", rc);
        sok_buf_puts(b, s->id, rc);
    }
    sok_buf_puts(b, "\",\"type\":", rc);
    sok_buf_json_qstr(b, sok_type_name(s->type), rc);
    sok_buf_puts(b, ",\"date\":", rc);
    sok_buf_json_qstr(b, s->date[0] ? s->date : NULL, rc);
    if (s->page)
        sok_buf_printf(b, rc, ",\"page\":%u", s->page);
    else
        sok_buf_puts(b, ",\"page\":null", rc);
    sok_buf_printf(b, rc, ",\"ordinal\":%u,\"nsections\":%zu", s->ordinal,
                   doc->nsections);
    sok_buf_puts(b, ",\"prev\":", rc);
    sok_buf_json_qstr(b, i > 0 ? doc->sections[i - 1].id : NULL, rc);
    sok_buf_puts(b, ",\"next\":", rc);
    sok_buf_json_qstr(b, i + 1 < doc->nsections ? doc->sections[i + 1].id
                                                : NULL, rc);
    sok_buf_putc(b, '}', rc);
    sok_buf_putc(b, '\0', rc);
    sok_buf_puts(b, s->text, rc);
}

json_t *sok_doc_record_parse(const char *data, size_t len)
{
    const char *nul = data != NULL ? memchr(data, '\0', len) : NULL;
    size_t hlen = nul != NULL ? (size_t)(nul - data) : len;
    json_t *o = data != NULL ? json_loadb(data, hlen, 0, NULL) : NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    /* Validated here, word at a time over ASCII: jansson's own check
     * took half the read. */
    size_t tlen = nul != NULL ? len - hlen - 1 : 0;
    if (nul != NULL &&
        (!sok_text_utf8_valid(nul + 1, tlen) ||
         json_object_set_new(o, "text", json_stringn_nocheck(nul + 1, tlen)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}
