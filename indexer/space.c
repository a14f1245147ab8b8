/*
 * space: disk space of a run.  See space.h.
 */
#include "space.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sok_xapian.h"

/* The committed revision of the database at gen; 0 when unreadable. */
static unsigned long revision_of(const char *gen)
{
    struct sok_err ignore = SOK_ERR_INIT;
    struct sok_xr *r = NULL;
    unsigned long rev = 0;
    if (sok_xr_open(gen, &r, &ignore) == 0)
        sok_xr_revision(r, &rev, &ignore);
    sok_xr_free(r);
    return rev;
}

int sok_space_snapshot(const char *gen, struct sok_space_snap *out,
                       struct sok_err *err)
{
    *out = (struct sok_space_snap)SOK_SPACE_SNAP_INIT;
    DIR *d = opendir(gen);
    if (d == NULL && errno == ENOENT)
        return 0;
    if (d == NULL)
        return sok_err_set(err, SOK_EIO, "cannot list the generation %s: %s",
                           gen, strerror(errno));
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", gen, e->d_name) >=
                (int)sizeof path ||
            lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            struct sok_space_file *v = realloc(out->v, cap * sizeof *v);
            if (v == NULL) {
                rc = sok_err_set(err, SOK_ENOMEM, NULL);
                break;
            }
            out->v = v;
        }
        out->v[out->n].path = strdup(path);
        if (out->v[out->n].path == NULL) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
            break;
        }
        out->v[out->n++].size = st.st_size;
        out->bytes += (uint64_t)st.st_blocks * 512;
    }
    closedir(d);
    if (rc == 0)
        out->rev = revision_of(gen);
    else
        sok_space_snap_free(out);
    return rc;
}

uint64_t sok_space_restore(const char *gen, const struct sok_space_snap *s)
{
    /* A revision of 0 is one that could not be read: then nothing is
     * known about which blocks it uses, and nothing is cut. */
    if (s->n == 0 || s->rev == 0 || revision_of(gen) != s->rev)
        return 0;
    uint64_t back = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct stat st;
        if (stat(s->v[i].path, &st) != 0 || st.st_size <= s->v[i].size)
            continue;
        uint64_t before = (uint64_t)st.st_blocks * 512;
        if (truncate(s->v[i].path, s->v[i].size) != 0 ||
            stat(s->v[i].path, &st) != 0)
            continue;
        uint64_t after = (uint64_t)st.st_blocks * 512;
        back += before > after ? before - after : 0;
    }
    return back;
}

void sok_space_snap_free(struct sok_space_snap *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].path);
    free(s->v);
    *s = (struct sok_space_snap)SOK_SPACE_SNAP_INIT;
}

/* nftw() has no context argument: the sum of one walk at a time. */
static _Thread_local uint64_t tree_sum;

static int add_entry(const char *path, const struct stat *st, int flag,
                     struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    tree_sum += (uint64_t)st->st_blocks * 512;
    return 0;
}

uint64_t sok_space_tree(const char *path)
{
    tree_sum = 0;
    nftw(path, add_entry, 16, FTW_PHYS);   /* absent: 0; else what it saw */
    return tree_sum;
}

uint64_t sok_space_avail(const char *path)
{
    struct statvfs v;
    if (statvfs(path, &v) != 0)
        return UINT64_MAX;
    return (uint64_t)v.f_bavail * v.f_frsize;
}

void sok_space_format(uint64_t bytes, char out[16])
{
    if (bytes < 1000000)
        snprintf(out, 16, "%llu kB", (unsigned long long)(bytes + 999) / 1000);
    else if (bytes < 1000000000)
        snprintf(out, 16, "%.1f MB", (double)bytes / 1e6);
    else
        snprintf(out, 16, "%.2f GB", (double)bytes / 1e9);
}
