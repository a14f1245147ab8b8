/*
 * urlmap: sok-index --url-map DIR=URL (repeatable): where the files under
 * DIR are published.  A file below DIR that states no address of its own
 * (a canonical link, a front-matter url:) gets URL + its path below DIR,
 * each byte outside [A-Za-z0-9-._~/] percent-encoded; the longest DIR that
 * holds the file wins.  The address is stored with each of the file's
 * sections (with "#anchor" for a section whose heading has an id), so a
 * hit leads to the page on the site; the mapping is part of what was
 * indexed, so changing it re-indexes the files it concerns.
 */
#ifndef SOK_URLMAP_H
#define SOK_URLMAP_H

#include <stddef.h>
#include "sok_err.h"

#define SOK_URLMAP_MAX 64

struct sok_urlmap {
    size_t n;
    struct { char *dir; char *url; } m[SOK_URLMAP_MAX];   /* owned */
};

/* Adds "DIR=URL".  SOK_EINVAL (message naming spec) when it has no '=',
 * an empty DIR, or a URL that is not http(s):// or site-relative ("/..."),
 * or holds what sok_doc_url_safe refuses; SOK_ENOMEM. */
int sok_urlmap_add(struct sok_urlmap *m, const char *spec,
                   struct sok_err *err);

/* The address of the file at path (as the walk stores it) in a malloc()ed
 * string, or NULL when no DIR holds it (or out of memory). */
char *sok_urlmap_lookup(const struct sok_urlmap *m, const char *path);

void sok_urlmap_free(struct sok_urlmap *m);

#endif /* SOK_URLMAP_H */
