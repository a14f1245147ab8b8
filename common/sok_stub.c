/*
 * sok_stub: finds the stub file a Xapian path opens through and tells from
 * stat() whether it was replaced.  See sok_stub.h.
 */
#include "sok_stub.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static struct sok_stub_id id_of(const struct stat *sb)
{
    struct sok_stub_id id = { sb->st_dev, sb->st_ino, sb->st_mtim,
                              sb->st_size };
    return id;
}

static int same_id(const struct sok_stub_id *a, const struct sok_stub_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* path/name into buf; 0 when it does not fit (stat() would refuse it). */
static int join(char *buf, size_t cap, const char *path, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", path, name);
    return n >= 0 && (size_t)n < cap;
}

void sok_stub_find(struct sok_stub *st, const char *path)
{
    struct stat sb;
    char glass[PATH_MAX];

    memset(st, 0, sizeof *st);
    if (stat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        if (join(glass, sizeof glass, path, "iamglass") &&
            stat(glass, &sb) == 0)
            return;
        if (!join(st->file, sizeof st->file, path, "XAPIANDB") ||
            stat(st->file, &sb) != 0) {
            st->file[0] = '\0';
            return;
        }
    } else {
        /* stat() took path, so it fits. */
        snprintf(st->file, sizeof st->file, "%s", path);
    }
    st->id = id_of(&sb);
}

int sok_stub_swapped(const struct sok_stub *st, struct sok_stub_id *now)
{
    struct stat sb;

    if (st->file[0] == '\0' || stat(st->file, &sb) != 0)
        return 0;
    *now = id_of(&sb);
    return !same_id(now, &st->id);
}

void sok_stub_accept(struct sok_stub *st, const struct sok_stub_id *now)
{
    st->id = *now;
}
