/*
 * walk: file discovery for a run.  See walk.h.
 */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TYPE_FILE ".sok-type"
#define MAX_DEPTH 64

char *sok_walk_normalise(const char *path)
{
    size_t len = strlen(path);
    char *out = malloc(len + 2);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    const char *p = path;
    while (p[0] == '.' && p[1] == '/') {
        p += 2;
        while (*p == '/')
            p++;
    }
    for (; *p; p++) {
        if (*p == '/' && o > 0 && out[o - 1] == '/')
            continue;
        if (*p == '/' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')) {
            p++;            /* "a/./b" -> "a/b" */
            continue;
        }
        out[o++] = *p;
    }
    while (o > 1 && out[o - 1] == '/')
        o--;
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    return out;
}

static int push_file(struct sok_walk *w, const char *path, enum sok_type t,
                     struct sok_err *err)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        struct sok_walk_file *f = realloc(w->files, cap * sizeof *f);
        if (f == NULL)
            return sok_err_set(err, SOK_ENOMEM, NULL);
        w->files = f;
        w->cap = cap;
    }
    char *p = strdup(path);
    if (p == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    w->files[w->n].path = p;
    w->files[w->n].type = t;
    w->n++;
    return 0;
}

/* Reads a folder's .sok-type, if any, over the inherited type. */
static enum sok_type folder_type(const char *dir, enum sok_type inherited)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" TYPE_FILE, dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return inherited;
    char word[32] = { 0 };
    enum sok_type t = inherited;
    if (fscanf(f, "%31s", word) == 1 && sok_type_parse(word, &t) != 0) {
        fprintf(stderr, "sok-index: %s: unknown type \"%s\" ignored\n", path, word);
        t = inherited;
    }
    fclose(f);
    return t;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct sok_walk *w, const char *dir, enum sok_type t,
                    int depth, size_t *nfailed, struct sok_err *err)
{
    if (depth > MAX_DEPTH)
        return 0;
    t = folder_type(dir, t);
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "sok-index: %s: %s\n", dir, strerror(errno));
        (*nfailed)++;
        return 0;
    }
    size_t n = 0, cap = 0;
    char **names = NULL;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                rc = sok_err_set(err, SOK_ENOMEM, NULL);
                break;
            }
            names = nn;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0)
        qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(len);
        if (p == NULL) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
            break;
        }
        if (strcmp(dir, ".") == 0)
            snprintf(p, len, "%s", names[i]);
        else if (dir[strlen(dir) - 1] == '/')
            snprintf(p, len, "%s%s", dir, names[i]);
        else
            snprintf(p, len, "%s/%s", dir, names[i]);
        struct stat lst, st;
        if (lstat(p, &lst) == 0) {
            if (S_ISDIR(lst.st_mode))
                rc = walk_dir(w, p, t, depth + 1, nfailed, err);
            else if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
                     sok_format_from_path(p) != SOK_FMT_UNKNOWN)
                rc = push_file(w, p, t, err);
        }
        free(p);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* The folder override for a single file named on the command line comes
 * from its own folder. */
static enum sok_type file_folder_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return folder_type(".", SOK_TYPE_UNSET);
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return folder_type(dir[0] ? dir : "/", SOK_TYPE_UNSET);
}

int sok_walk_collect(const char *const *paths, size_t npaths,
                     struct sok_walk *out, size_t *nfailed,
                     struct sok_err *err)
{
    memset(out, 0, sizeof *out);
    out->roots = calloc(npaths ? npaths : 1, sizeof *out->roots);
    if (out->roots == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    int rc = 0;
    for (size_t i = 0; i < npaths && rc == 0; i++) {
        char *root = sok_walk_normalise(paths[i]);
        if (root == NULL) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
            break;
        }
        out->roots[out->nroots++] = root;
        struct stat st;
        if (stat(root, &st) != 0) {
            rc = sok_err_set(err, SOK_ENOTFOUND, "%s: %s", paths[i], strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(out, root, SOK_TYPE_UNSET, 0, nfailed, err);
        } else if (S_ISREG(st.st_mode)) {
            if (sok_format_from_path(root) == SOK_FMT_UNKNOWN)
                rc = sok_err_set(err, SOK_EINVAL, "%s: not a supported file type "
                                 "(.txt .md .html .htm .pdf)", paths[i]);
            else
                rc = push_file(out, root, file_folder_type(root), err);
        } else {
            rc = sok_err_set(err, SOK_EINVAL, "%s: not a file or directory", paths[i]);
        }
    }
    if (rc)
        sok_walk_free(out);
    return rc;
}

int sok_walk_covers(const struct sok_walk *w, const char *path)
{
    for (size_t i = 0; i < w->nroots; i++) {
        const char *r = w->roots[i];
        size_t n = strlen(r);
        if (strcmp(r, ".") == 0 && path[0] != '/')
            return 1;
        if (strncmp(path, r, n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return 1;
    }
    return 0;
}

void sok_walk_free(struct sok_walk *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->files[i].path);
    free(w->files);
    for (size_t i = 0; i < w->nroots; i++)
        free(w->roots[i]);
    free(w->roots);
    memset(w, 0, sizeof *w);
}
