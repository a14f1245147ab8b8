/*
 * sok_extract_pdf: text out of a PDF.  A PDF is untrusted input that a
 * large C++ parser (poppler) has to read, so sok never parses one in its
 * own process: pdftotext runs in the sandboxed child of sok_child.h, and
 * its output then goes through normalisation and the plain-text extractor
 * like any text file (sok_doc.c).  The steps (check the file, find the
 * tool, make its argument, run it, judge the outcome) are written for any
 * poppler tool, not only pdftotext.
 */
#include "sok_extract.h"
#include "sok_child.h"
#include "sok_doc.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

int sok_extract_pdf(const char *path, unsigned timeout_s, size_t max_bytes,
                    char **out, size_t *outlen, struct sok_err *err)
{
    char exe[PATH_MAX];
    char *arg = NULL;
    const char *file = path;
    struct sok_child_limits lim = { timeout_s, max_bytes };
    struct sok_child_result res = SOK_CHILD_RESULT_INIT;
    *out = NULL;
    *outlen = 0;

    int rc = check_input(path, max_bytes, err);
    if (rc == 0)
        rc = find_tool("pdftotext", path, exe, err);
    if (rc == 0)
        rc = file_arg(path, &arg, &file, err);
    if (rc == 0) {
        const char *const argv[] = { "pdftotext", "-enc", "UTF-8",
                                     "-nopgbrk", file, "-", NULL };
        rc = sok_child_run(exe, argv, &lim, &res, err);
    }
    if (rc == 0)
        rc = tool_outcome("pdftotext", exe, path, &lim, &res, err);
    if (rc == 0) {
        *out = res.out;
        *outlen = res.outlen;
        res.out = NULL;
    }
    free(arg);
    sok_child_result_clear(&res);
    return rc;
}
