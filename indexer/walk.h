/*
 * walk: finds the files a run indexes.  Every supported file (.txt, .md,
 * .html, .htm, .pdf) under each PATH, recursively, in a stable (sorted)
 * order; hidden files and directories are skipped.  A symbolic link is
 * indexed only when it names a file inside one of the PATHs: a link out
 * of them ("passwd.txt -> /etc/passwd") could publish any file the nightly
 * job can read, and a link to a folder could loop.  Such links, dangling
 * links and link loops are named on stderr and counted as skipped;
 * follow_links lifts the first two rules (links are followed anywhere,
 * folders too, to MAX_DEPTH).
 *
 * A folder may hold a file named ".sok-type" containing one type name
 * (news, minutes, report, other): every document under it, at any depth,
 * gets that type unless a deeper ".sok-type" says otherwise.
 */
#ifndef SOK_WALK_H
#define SOK_WALK_H

#include <stddef.h>
#include <sys/types.h>
#include "sok_doc.h"
#include "sok_err.h"

/* Folders deeper than this are not walked. */
#define SOK_WALK_DEPTH 64

struct sok_walk_file {
    char *path;                 /* owned; source path as it will be stored */
    enum sok_type type;         /* folder override, SOK_TYPE_UNSET if none */
    char *url;                  /* owned: its public address when the run
                                   has a --url-map for it (urlmap.h), or
                                   NULL */
};

struct sok_walk {
    size_t n, cap;
    struct sok_walk_file *files;
    char **roots;               /* owned normalised PATH arguments */
    char **real;                /* owned: the realpath() of each PATH
                                   (NULL for one that has none) */
    size_t nroots, nreal;
    int follow_links;           /* follow links out of the roots, and to
                                   folders */
    int quiet;                  /* no notes on stderr */
    size_t skipped;             /* links not followed */
    struct {                    /* the folders being walked, outermost */
        dev_t dev;              /* first: a link back into one of them */
        ino_t ino;              /* is a loop */
    } open[SOK_WALK_DEPTH + 2];
    int nopen;
};

/* Normalises a path as given on the command line: drops "./" prefixes,
 * repeated and trailing slashes.  Returns a malloc()ed string. */
char *sok_walk_normalise(const char *path);

/* Collects the files under paths[0..npaths) into *out; follow_links and
 * quiet as in struct sok_walk.  A PATH that does not exist is
 * SOK_ENOTFOUND (a usage error for the caller); unreadable subdirectories
 * are reported on stderr and counted in *nfailed; links not followed are
 * counted in out->skipped. */
int sok_walk_collect(const char *const *paths, size_t npaths,
                     int follow_links, int quiet, struct sok_walk *out,
                     size_t *nfailed, struct sok_err *err);

/* 1 when path lies under one of the walk's roots (or is one). */
int sok_walk_covers(const struct sok_walk *w, const char *path);

void sok_walk_free(struct sok_walk *w);

#endif /* SOK_WALK_H */
