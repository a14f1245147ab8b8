/*
 * layout: index directory, generations, stub and run lock.  See layout.h.
 */
#include "layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STUB_NAME "XAPIANDB"
#define LOCK_NAME "sok.lock"
#define GEN_FMT "gen-%06u"
#define SHARD_FMT "shard-%u"

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int mkdir_p(const char *dir, struct sok_err *err)
{
    char *tmp = strdup(dir);
    if (tmp == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    for (char *p = tmp + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                int rc = sok_err_set(err, SOK_EIO,
                                     "cannot create the directory %s: %s",
                                     tmp, strerror(errno));
                free(tmp);
                return rc;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
    free(tmp);
    return 0;
}

/* One line of a sharded stub: "auto shard-K/gen-N", K counting from 0. */
static int shard_line(const char *line, unsigned k, unsigned *gen)
{
    unsigned got = 0;
    return sscanf(line, "auto shard-%u/gen-%u", &got, gen) == 2 && got == k &&
           *gen > 0;
}

/* Reads the generation number (and for a sharded index the number of
 * shards) out of the stub; 0 when there is no stub. */
static int read_stub(const char *dir, unsigned *gen, unsigned *nshards,
                     struct sok_err *err)
{
    *gen = 0;
    *nshards = 0;
    char *path = path_join(dir, STUB_NAME);
    if (path == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        int e = errno;
        free(path);
        if (e == ENOENT)
            return 0;
        return sok_err_set(err, SOK_EIO, "cannot read %s/" STUB_NAME ": %s", dir,
                           strerror(e));
    }
    char line[256];
    int rc = 0, ok = fgets(line, sizeof line, f) != NULL;
    if (ok && sscanf(line, "auto gen-%u", gen) == 1 && *gen > 0)
        ok = 1;
    else if (ok && shard_line(line, 0, gen)) {
        /* Every shard of a set is at the set's generation: a line that
         * says otherwise was not written by sok-index. */
        unsigned g = 0;
        for (*nshards = 1; ok && fgets(line, sizeof line, f) != NULL;
             (*nshards)++)
            ok = shard_line(line, *nshards, &g) && g == *gen;
    } else
        ok = 0;
    if (!ok)
        rc = sok_err_set(err, SOK_ECORRUPT,
                         "%s is not a sok index stub (expected \"auto gen-N\")", path);
    fclose(f);
    free(path);
    return rc;
}

int sok_layout_open(const char *dir, struct sok_layout *out,
                    struct sok_err *err)
{
    out->dir = NULL;
    out->lock_fd = -1;
    out->cur_gen = 0;
    out->nshards = 0;
    int rc = mkdir_p(dir, err);
    if (rc)
        return rc;
    out->dir = strdup(dir);
    char *lock = path_join(dir, LOCK_NAME);
    if (out->dir == NULL || lock == NULL) {
        free(lock);
        sok_layout_close(out);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    out->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (out->lock_fd < 0) {
        rc = sok_err_set(err, SOK_EIO, "cannot open the lock file %s: %s", lock,
                         strerror(errno));
        free(lock);
        sok_layout_close(out);
        return rc;
    }
    if (flock(out->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            rc = sok_err_set(err, SOK_ELOCKED,
                             "index %s is locked by another sok-index run", dir);
        else
            rc = sok_err_set(err, SOK_EIO, "cannot lock %s: %s", lock,
                             strerror(errno));
        free(lock);
        sok_layout_close(out);
        return rc;
    }
    free(lock);
    rc = read_stub(dir, &out->cur_gen, &out->nshards, err);
    if (rc)
        sok_layout_close(out);
    return rc;
}

void sok_layout_close(struct sok_layout *l)
{
    if (l == NULL)
        return;
    if (l->lock_fd >= 0)
        close(l->lock_fd);   /* releases the flock */
    l->lock_fd = -1;
    free(l->dir);
    l->dir = NULL;
}

char *sok_layout_gen_path(const struct sok_layout *l, unsigned gen)
{
    char name[32];
    snprintf(name, sizeof name, GEN_FMT, gen);
    return path_join(l->dir, name);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int sok_layout_remove_tree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT
        ? 0 : -1;
}

/* Removes the generations in dir other than cur and cur - 1, and every
 * parts directory. */
static int prune_dir(const char *dir, unsigned cur, struct sok_err *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return sok_err_set(err, SOK_EIO, "cannot list %s: %s", dir,
                           strerror(errno));
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        unsigned gen;
        int end = 0;
        if (sscanf(e->d_name, "gen-%u%n", &gen, &end) != 1)
            continue;
        /* Parts of a full build are scratch: the run lock means no other
         * run is using them.  The current generation and its predecessor
         * stay: a reader that opened the predecessor just before a swap may
         * still be using it. */
        int parts = strcmp(e->d_name + end, ".parts") == 0;
        if (!parts && e->d_name[end] != '\0')
            continue;
        if (!parts && (gen == cur || (cur > 0 && gen + 1 == cur)))
            continue;
        char *p = path_join(dir, e->d_name);
        if (p == NULL) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
            break;
        }
        if (sok_layout_remove_tree(p) != 0)
            rc = sok_err_set(err, SOK_EIO, "cannot remove %s: %s", p,
                             strerror(errno));
        free(p);
    }
    closedir(d);
    return rc;
}

int sok_layout_prune(const struct sok_layout *l, struct sok_err *err)
{
    int rc = prune_dir(l->dir, l->cur_gen, err);
    /* Shard directories follow the same rule: a set's generation number is
     * every shard's, so what a run left unpublished (a kill before the
     * swap) is what lies past cur_gen. */
    for (unsigned k = 0; rc == 0; k++) {
        char *sd = sok_layout_shard_path(l, k);
        struct stat st;
        if (sd == NULL)
            return sok_err_set(err, SOK_ENOMEM, NULL);
        if (stat(sd, &st) != 0) {
            free(sd);
            break;
        }
        rc = prune_dir(sd, l->cur_gen, err);
        free(sd);
    }
    return rc;
}

char *sok_layout_shard_path(const struct sok_layout *l, unsigned shard)
{
    char name[32];
    snprintf(name, sizeof name, SHARD_FMT, shard);
    return path_join(l->dir, name);
}

char *sok_layout_shard_gen_path(const struct sok_layout *l, unsigned shard,
                                unsigned gen)
{
    char name[64];
    snprintf(name, sizeof name, SHARD_FMT "/" GEN_FMT, shard, gen);
    return path_join(l->dir, name);
}

/* Writes text into dir/name through name.tmp, fsynced and renamed over it,
 * then fsyncs dir: after a crash the file is the old one or the new one. */
static int write_atomic(const char *dir, const char *name, const char *text,
                        struct sok_err *err)
{
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n = strlen(text);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
        rc = sok_err_set(err, errno == ENOSPC ? SOK_ENOSPC : SOK_EIO,
                         "cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    close(fd);
    if (rename(tmp, path) != 0)
        return sok_err_set(err, SOK_EIO, "cannot rename %s: %s", tmp,
                           strerror(errno));
    /* The rename is durable only once the directory itself is synced. */
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return 0;
}

int sok_layout_sync_shards(const struct sok_layout *l, struct sok_err *err)
{
    char line[64];
    snprintf(line, sizeof line, "auto " GEN_FMT "\n", l->cur_gen);
    int rc = 0;
    for (unsigned k = 0; k < l->nshards && rc == 0; k++) {
        char *sd = sok_layout_shard_path(l, k);
        if (sd == NULL)
            return sok_err_set(err, SOK_ENOMEM, NULL);
        rc = write_atomic(sd, STUB_NAME, line, err);
        free(sd);
    }
    return rc;
}

int sok_layout_publish_set(struct sok_layout *l, unsigned gen,
                           unsigned nshards, struct sok_err *err)
{
    size_t cap = 64 * (size_t)nshards + 1;
    char *text = malloc(cap);
    if (text == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    size_t n = 0;
    for (unsigned k = 0; k < nshards; k++)
        n += (size_t)snprintf(text + n, cap - n, "auto " SHARD_FMT "/" GEN_FMT
                              "\n", k, gen);
    /* The one rename that commits the run: DIR/XAPIANDB names the set. */
    int rc = write_atomic(l->dir, STUB_NAME, text, err);
    free(text);
    if (rc)
        return rc;
    l->cur_gen = gen;
    l->nshards = nshards;
    return sok_layout_sync_shards(l, err);
}

int sok_layout_publish(struct sok_layout *l, unsigned gen, struct sok_err *err)
{
    char line[64];
    snprintf(line, sizeof line, "auto " GEN_FMT "\n", gen);
    int rc = write_atomic(l->dir, STUB_NAME, line, err);
    if (rc == 0) {
        l->cur_gen = gen;
        l->nshards = 0;
    }
    return rc;
}
