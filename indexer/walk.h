/*
 * walk: finds the files a run indexes.  Every supported file (.txt, .md,
 * .html, .htm, .pdf) under each PATH, recursively, in a stable (sorted)
 * order; hidden files and directories are skipped and symbolic links to
 * directories are not followed, so a link loop cannot hang the nightly run.
 *
 * A folder may hold a file named ".sok-type" containing one type name
 * (news, minutes, report, other): every document under it, at any depth,
 * gets that type unless a deeper ".sok-type" says otherwise.
 */
#ifndef SOK_WALK_H
#define SOK_WALK_H

#include <stddef.h>
#include "sok_doc.h"
#include "sok_err.h"

struct sok_walk_file {
    char *path;                 /* owned; source path as it will be stored */
    enum sok_type type;         /* folder override, SOK_TYPE_UNSET if none */
};

struct sok_walk {
    size_t n, cap;
    struct sok_walk_file *files;
    char **roots;               /* owned normalised PATH arguments */
    size_t nroots;
};

/* Normalises a path as given on the command line: drops "./" prefixes,
 * repeated and trailing slashes.  Returns a malloc()ed string. */
char *sok_walk_normalise(const char *path);

/* Collects the files under paths[0..npaths).  A PATH that does not exist is
 * SOK_ENOTFOUND (a usage error for the caller); unreadable subdirectories
 * are reported on stderr and counted in *nfailed. */
int sok_walk_collect(const char *const *paths, size_t npaths,
                     struct sok_walk *out, size_t *nfailed,
                     struct sok_err *err);

/* 1 when path lies under one of the walk's roots (or is one). */
int sok_walk_covers(const struct sok_walk *w, const char *path);

void sok_walk_free(struct sok_walk *w);

#endif /* SOK_WALK_H */
