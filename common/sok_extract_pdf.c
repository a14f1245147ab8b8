/*
 * sok_extract_pdf: a PDF's text and structure.  A PDF is untrusted input
 * that a large C++ parser (poppler) has to read, so sok never parses one
 * in its own process: poppler's tools run in the sandboxed child of
 * sok_child.h.  pdftohtml -xml gives the layout (fonts, positions, the
 * outline), which sok_pdf.h turns into headings and paragraphs, and
 * pdfinfo the metadata (title, URL); when pdftohtml is missing or fails,
 * pdftotext's text goes through normalisation and the plain-text
 * extractor like any text file, as it did before the layout was read.
 * The steps (check the file, find the tool, make its argument, run it,
 * judge the outcome) are written once for every poppler tool.
 */
#include "sok_extract.h"
#include "sok_child.h"
#include "sok_doc.h"
#include "sok_pdf.h"
#include "sok_text.h"

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The file must be a readable regular file of at most max bytes: checked
 * here, so that its errors (SOK_EIO, SOK_ETOOBIG) are sok's own rather
 * than a tool's complaint. */
static int check_input(const char *path, size_t max, struct sok_err *err)
{
    int fd;
    int rc = sok_doc_open_file(path, max, &fd, NULL, err);
    if (rc == 0)
        close(fd);
    return rc;
}

/* The full path of poppler tool name into exe[PATH_MAX]; SOK_EFORMAT
 * naming the package when it is not installed. */
static int find_tool(const char *name, const char *path, char *exe,
                     struct sok_err *err)
{
    if (sok_child_find_exe(name, exe, PATH_MAX))
        return 0;
    return sok_err_set(err, SOK_EFORMAT,
                       "cannot extract PDF text from %s: %s not found on "
                       "PATH (install poppler-utils)", path, name);
}

/* The file argument for a tool: path itself, or "./path" when path starts
 * with '-', which the tool would take for an option.  *arg is NULL or
 * malloc()ed; *use is what goes into argv. */
static int file_arg(const char *path, char **arg, const char **use,
                    struct sok_err *err)
{
    *arg = NULL;
    *use = path;
    if (path[0] != '-')
        return 0;
    size_t pl = strlen(path);
    if ((*arg = malloc(pl + 3)) == NULL)
        return sok_err_set(err, SOK_ENOMEM, "out of memory");
    memcpy(*arg, "./", 2);
    memcpy(*arg + 2, path, pl + 1);
    *use = *arg;
    return 0;
}

/* Judges how poppler tool `tool` (found at exe) ended on path: 0 when it
 * exited with status 0, else the error: SOK_ETIMEOUT (deadline or CPU
 * limit), SOK_ETOOBIG (output cap), SOK_EFORMAT (could not run, killed,
 * or failed: a poppler tool exits non-zero on a PDF it cannot read; its
 * complaint goes into the message). */
static int tool_outcome(const char *tool, const char *exe, const char *path,
                        const struct sok_child_limits *lim,
                        const struct sok_child_result *res,
                        struct sok_err *err)
{
    switch (res->end) {
    case SOK_CHILD_TIMEOUT:
        return sok_err_set(err, SOK_ETIMEOUT, "%s took more than %u s on %s",
                           tool, lim->timeout_s, path);
    case SOK_CHILD_TOOBIG:
        return sok_err_set(err, SOK_ETOOBIG,
                           "text of %s is larger than %zu bytes", path,
                           lim->max_out);
    case SOK_CHILD_SIGNALED:
        if (res->status == SIGXCPU)
            return sok_err_set(err, SOK_ETIMEOUT,
                               "%s used more than %u s of CPU on %s", tool,
                               lim->timeout_s, path);
        return sok_err_set(err, SOK_EFORMAT,
                           "%s was killed by signal %d on %s", tool,
                           res->status, path);
    case SOK_CHILD_EXITED:
        break;
    }
    if (res->status == 126 || res->status == 127)
        return sok_err_set(err, SOK_EFORMAT, "cannot run %s (%s)", tool, exe);
    if (res->status != 0)
        return sok_err_set(err, SOK_EFORMAT, "%s failed on %s (exit %d)%s%s",
                           tool, path, res->status,
                           res->errline[0] ? ": " : "", res->errline);
    return 0;
}

/* Most bytes of pdfinfo's answer read. */
#define INFO_MAX (64 * 1024)
/* Most arguments a poppler tool gets here, its name and the file's
 * included. */
#define TOOL_MAX_ARGS 12

/* Runs poppler tool `tool` with options opts (NULL-terminated), then the
 * file's argument, then "-" when dash (the tool's output file: stdout),
 * on path under lim; 0 when it exited with status 0, with its output in
 * res. */
static int run_tool(const char *tool, const char *const *opts, int dash,
                    const char *path, const struct sok_child_limits *lim,
                    struct sok_child_result *res, struct sok_err *err)
{
    char exe[PATH_MAX];
    char *arg = NULL;
    const char *file = path;
    const char *argv[TOOL_MAX_ARGS + 1];
    size_t n = 0;
    int rc = find_tool(tool, path, exe, err);
    if (rc == 0)
        rc = file_arg(path, &arg, &file, err);
    if (rc == 0) {
        argv[n++] = tool;
        for (; *opts && n < TOOL_MAX_ARGS - 2; opts++)
            argv[n++] = *opts;
        argv[n++] = file;
        if (dash)
            argv[n++] = "-";
        argv[n] = NULL;
        rc = sok_child_run(exe, argv, lim, res, err);
    }
    if (rc == 0)
        rc = tool_outcome(tool, exe, path, lim, res, err);
    free(arg);
    return rc;
}

int sok_extract_pdf(const char *path, unsigned timeout_s, size_t max_bytes,
                    char **out, size_t *outlen, struct sok_err *err)
{
    static const char *const opts[] = { "-enc", "UTF-8", "-nopgbrk", NULL };
    struct sok_child_limits lim = { timeout_s, max_bytes };
    struct sok_child_result res = SOK_CHILD_RESULT_INIT;
    *out = NULL;
    *outlen = 0;
    int rc = check_input(path, max_bytes, err);
    if (rc == 0)
        rc = run_tool("pdftotext", opts, 1, path, &lim, &res, err);
    if (rc == 0) {
        *out = res.out;
        *outlen = res.outlen;
        res.out = NULL;
    }
    sok_child_result_clear(&res);
    return rc;
}

int sok_extract_pdf_xml(const char *xml, size_t len, struct sok_extracted *x,
                        struct sok_err *err)
{
    struct sok_pdf p = SOK_PDF_INIT;
    struct sok_pdf_roles r = SOK_PDF_ROLES_INIT;
    int rc = sok_pdf_parse(xml, len, &p, err);
    if (rc == 0 && (rc = sok_pdf_layout(&p, &r)) != 0)
        sok_err_set(err, rc, "out of memory reading a PDF's layout");
    if (rc == 0) {
        sok_pdf_blocks(&p, &r, x, &rc);
        if (rc)
            sok_err_set(err, rc, "out of memory writing a PDF's blocks");
    }
    sok_pdf_roles_clear(&r);
    sok_pdf_clear(&p);
    return rc;
}

/* The layout of path from pdftohtml; *nbad: bytes of its output that were
 * not UTF-8. */
static int from_layout(const char *path, const struct sok_child_limits *lim,
                       struct sok_extracted *x, size_t *nbad,
                       struct sok_err *err)
{
    static const char *const opts[] = { "-xml", "-i", "-stdout", "-q",
                                        "-nodrm", "-enc", "UTF-8", NULL };
    struct sok_child_result res = SOK_CHILD_RESULT_INIT;
    char *xml = NULL;
    size_t xlen = 0;
    int rc = run_tool("pdftohtml", opts, 0, path, lim, &res, err);
    if (rc == 0)
        rc = sok_text_utf8_repair(res.out, res.outlen, &xml, &xlen, nbad, err);
    sok_child_result_clear(&res);
    if (rc == 0)
        rc = sok_extract_pdf_xml(xml, xlen, x, err);
    free(xml);
    return rc;
}

/* pdftotext's text of path, as plain text. */
static int from_text(const char *path, const struct sok_child_limits *lim,
                     struct sok_extracted *x, size_t *nbad,
                     struct sok_err *err)
{
    char *data = NULL, *text = NULL;
    size_t len = 0, tlen = 0;
    int rc = sok_extract_pdf(path, lim->timeout_s, lim->max_out, &data, &len,
                             err);
    if (rc == 0)
        rc = sok_extract_normalise(data, len, &text, &tlen, nbad, err);
    free(data);
    if (rc == 0)
        rc = sok_extract_text(text, tlen, x, err);
    free(text);
    return rc;
}

/* The title and URL pdfinfo finds; a PDF that pdfinfo cannot read has
 * none, which is no error. */
static int meta(const char *path, const struct sok_child_limits *lim,
                struct sok_extracted *x)
{
    static const char *const opts[] = { "-enc", "UTF-8", "-custom", NULL };
    struct sok_child_limits ilim = { lim->timeout_s, INFO_MAX };
    struct sok_child_result res = SOK_CHILD_RESULT_INIT;
    struct sok_err ierr = SOK_ERR_INIT;
    char exe[PATH_MAX];
    int rc = 0;
    if (sok_child_find_exe("pdfinfo", exe, sizeof exe) &&
        run_tool("pdfinfo", opts, 0, path, &ilim, &res, &ierr) == 0)
        sok_extract_pdf_meta(res.out, res.outlen, path, x, &rc);
    sok_child_result_clear(&res);
    return rc;
}

int sok_extract_pdf_doc(const char *path, unsigned timeout_s,
                        size_t max_bytes, struct sok_extracted *x,
                        size_t *nbad, struct sok_err *err)
{
    struct sok_child_limits lim = { timeout_s, max_bytes };
    size_t bad = 0;
    int rc = check_input(path, max_bytes, err);
    if (rc)
        return rc;
    char exe[PATH_MAX];
    rc = SOK_EFORMAT;
    if (sok_child_find_exe("pdftohtml", exe, sizeof exe))
        rc = from_layout(path, &lim, x, &bad, err);
    /* No layout (no pdftohtml, it failed, its output too large or not
     * readable): the text, as before.  A PDF that took too long is not
     * given a second try. */
    if (rc == SOK_EFORMAT || rc == SOK_ETOOBIG) {
        sok_extracted_clear(x);
        sok_err_clear(err);
        bad = 0;
        rc = from_text(path, &lim, x, &bad, err);
    }
    if (rc == 0 && (rc = meta(path, &lim, x)) != 0)
        sok_err_set(err, rc, "out of memory reading a PDF's metadata");
    if (nbad)
        *nbad = bad;
    return rc;
}

/* ------------------------------------------------------------------ */
/* metadata                                                             */

/* s[0..n) with blanks at both ends trimmed: *s and *n adjusted. */
static void trim(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
                  (*s)[*n - 1] == '\r'))
        (*n)--;
}

/* 1 when the names a and b (bytes) are the same but for case and the
 * characters a file name uses for blanks. */
static int same_name(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    for (;; i++, j++) {
        while (i < an && strchr(" _-.", a[i]))
            i++;
        while (j < bn && strchr(" _-.", b[j]))
            j++;
        if (i == an || j == bn)
            return i == an && j == bn;
        char x = a[i], y = b[j];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
}

static int has_ext(const char *t, size_t n)
{
    static const char *const ext[] = { ".doc", ".docx", ".dot", ".odt",
        ".rtf", ".pdf", ".ppt", ".pptx", ".xls", ".xlsx", ".ods", ".odp",
        ".indd", ".txt", ".htm", ".html", ".pages", ".qxp", ".tex", NULL };
    for (const char *const *e = ext; *e; e++) {
        size_t k = strlen(*e);
        if (n > k && !strncasecmp(t + n - k, *e, k))
            return 1;
    }
    return 0;
}

int sok_extract_pdf_title_ok(const char *title, const char *path)
{
    static const char *const tools[] = { "microsoft word",
        "microsoft powerpoint", "microsoft excel", "powerpoint", NULL };
    static const char *const blank[] = { "untitled", "namnlös", "namnlöst",
        "utan titel", "no title", "title", "titel", "rubrik", "dokument",
        "document", "presentation", "powerpointpresentation", "slide", "doc",
        NULL };
    const char *t = title;
    size_t n = strlen(title);
    trim(&t, &n);
    unsigned letters = 0;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t m = sok_utf8_decode(t + i, n - i, &cp);
        if (m == 0)
            return 0;
        letters += sok_text_is_letter(cp) != 0;
        i += m;
    }
    if (letters < 2 || has_ext(t, n))
        return 0;
    for (const char *const *k = tools; *k; k++)
        if (n >= strlen(*k) && !strncasecmp(t, *k, strlen(*k)))
            return 0;              /* "Microsoft Word - rapport" */
    /* "Dokument1", "Presentation2", "Untitled": a tool's placeholder */
    size_t e = n;
    while (e > 0 && t[e - 1] >= '0' && t[e - 1] <= '9')
        e--;
    for (const char *const *k = blank; *k; k++)
        if (same_name(t, e, *k, strlen(*k)))
            return 0;
    if (memchr(t, '\\', n) || (t[0] == '/' && memchr(t + 1, '/', n - 1)))
        return 0;                  /* a path */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t bn = strlen(base);
    const char *dot = strrchr(base, '.');
    return !same_name(t, n, base, dot && dot > base ? (size_t)(dot - base)
                                                   : bn);
}

/* The value of "Key:" in pdfinfo's line s[0..n) (value trimmed), or NULL
 * when the line is of another key. */
static const char *value_of(const char *s, size_t n, const char *key,
                            size_t *vn)
{
    size_t k = strlen(key);
    if (n <= k || memcmp(s, key, k) != 0 || s[k] != ':')
        return NULL;
    const char *v = s + k + 1;
    *vn = n - k - 1;
    trim(&v, vn);
    return v;
}

static int url_ok(const char *v, size_t n)
{
    if (!(n > 8 && !strncmp(v, "https://", 8)) &&
        !(n > 7 && !strncmp(v, "http://", 7)))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= ' ' || v[i] == '"' || v[i] == '<' ||
            v[i] == '>' || v[i] == '\\' || (unsigned char)v[i] >= 0x7F)
            return 0;
    return 1;
}

void sok_extract_pdf_meta(const char *info, size_t len, const char *path,
                          struct sok_extracted *x, int *rc)
{
    for (size_t i = 0; i < len && !*rc;) {
        const char *s = info + i;
        const char *nl = memchr(s, '\n', len - i);
        size_t n = nl ? (size_t)(nl - s) : len - i;
        i += n + 1;
        size_t vn;
        const char *v;
        char **slot = NULL;
        if ((v = value_of(s, n, "Title", &vn)) != NULL && x->title == NULL &&
            sok_text_utf8_valid(v, vn)) {
            char *t = strndup(v, vn);
            if (t == NULL)
                *rc = SOK_ENOMEM;
            else if (sok_extract_pdf_title_ok(t, path)) {
                x->title = t;
                t = NULL;
            }
            free(t);
        } else if ((v = value_of(s, n, "URL", &vn)) != NULL &&
                   x->url == NULL && url_ok(v, vn)) {
            slot = &x->url;
        }
        if (slot && (*slot = strndup(v, vn)) == NULL)
            *rc = SOK_ENOMEM;
    }
}
