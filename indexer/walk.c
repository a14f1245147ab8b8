/*
 * walk: file discovery for a run.  See walk.h.
 */
#include "walk.h"
#include "note.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TYPE_FILE ".sok-type"

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
    w->files[w->n].url = NULL;      /* run.c sets it only under --url-map */
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
        sok_note("%s: unknown type \"%s\" ignored", path, word);
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
                    int depth, size_t *nfailed, struct sok_err *err);

static void skip_link(struct sok_walk *w, const char *path, const char *why)
{
    w->skipped++;
    if (!w->quiet)
        sok_note("%s: %s, skipped", path, why);
}

/* Whether the resolved path real lies inside one of the roots. */
static int inside_roots(const struct sok_walk *w, const char *real)
{
    for (size_t i = 0; i < w->nreal; i++) {
        const char *r = w->real[i];
        size_t n = r ? strlen(r) : 0;
        if (r != NULL && strncmp(real, r, n) == 0 &&
            (real[n] == '\0' || real[n] == '/' || strcmp(r, "/") == 0))
            return 1;
    }
    return 0;
}

/* A symbolic link met in a folder: see walk.h for what is followed. */
static int walk_link(struct sok_walk *w, const char *p, enum sok_type t,
                     int depth, size_t *nfailed, struct sok_err *err)
{
    struct stat st;
    if (stat(p, &st) != 0) {
        skip_link(w, p, errno == ELOOP ? "a link loop" : "a dangling link");
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        for (int k = 0; k < w->nopen; k++)
            if (w->open[k].dev == st.st_dev && w->open[k].ino == st.st_ino) {
                skip_link(w, p, "a link loop");
                return 0;
            }
        if (w->follow_links)
            return walk_dir(w, p, t, depth + 1, nfailed, err);
        skip_link(w, p, "a link to a folder, not followed");
        return 0;
    }
    if (!S_ISREG(st.st_mode) || sok_format_from_path(p) == SOK_FMT_UNKNOWN)
        return 0;
    char *real = w->follow_links ? NULL : realpath(p, NULL);
    if (!w->follow_links && (real == NULL || !inside_roots(w, real))) {
        skip_link(w, p, "a link out of the indexed folders");
        free(real);
        return 0;
    }
    free(real);
    return push_file(w, p, t, err);
}

static int walk_dir(struct sok_walk *w, const char *dir, enum sok_type t,
                    int depth, size_t *nfailed, struct sok_err *err)
{
    if (depth > SOK_WALK_DEPTH)
        return 0;
    t = folder_type(dir, t);
    DIR *d = opendir(dir);
    struct stat ds;
    if (d == NULL || fstat(dirfd(d), &ds) != 0) {
        sok_note("%s: %s", dir, strerror(errno));
        (*nfailed)++;
        if (d != NULL)
            closedir(d);
        return 0;
    }
    w->open[w->nopen].dev = ds.st_dev;
    w->open[w->nopen++].ino = ds.st_ino;
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
        struct stat lst;
        if (lstat(p, &lst) != 0)
            ;                       /* gone since readdir: nothing to do */
        else if (S_ISLNK(lst.st_mode))
            rc = walk_link(w, p, t, depth, nfailed, err);
        else if (S_ISDIR(lst.st_mode))
            rc = walk_dir(w, p, t, depth + 1, nfailed, err);
        else if (S_ISREG(lst.st_mode) &&
                 sok_format_from_path(p) != SOK_FMT_UNKNOWN)
            rc = push_file(w, p, t, err);
        free(p);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    w->nopen--;
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
                     int follow_links, int quiet, struct sok_walk *out,
                     size_t *nfailed, struct sok_err *err)
{
    memset(out, 0, sizeof *out);
    out->follow_links = follow_links;
    out->quiet = quiet;
    out->roots = calloc(npaths ? npaths : 1, sizeof *out->roots);
    out->real = calloc(npaths ? npaths : 1, sizeof *out->real);
    if (out->roots == NULL || out->real == NULL) {
        sok_walk_free(out);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    /* Every root's real path first: a link in one root may name a file
     * in another. */
    for (out->nreal = 0; out->nreal < npaths; out->nreal++)
        out->real[out->nreal] = realpath(paths[out->nreal], NULL);
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
    for (size_t i = 0; i < w->n; i++) {
        free(w->files[i].path);
        free(w->files[i].url);
    }
    free(w->files);
    for (size_t i = 0; i < w->nroots; i++)
        free(w->roots[i]);
    free(w->roots);
    for (size_t i = 0; i < w->nreal; i++)
        free(w->real[i]);
    free(w->real);
    memset(w, 0, sizeof *w);
}
