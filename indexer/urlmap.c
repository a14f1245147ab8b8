/*
 * urlmap: files to their public addresses (see urlmap.h).
 */
#include "urlmap.h"
#include "sok_doc.h"
#include "walk.h"

#include <stdlib.h>
#include <string.h>

int sok_urlmap_add(struct sok_urlmap *m, const char *spec,
                   struct sok_err *err)
{
    const char *eq = strchr(spec, '=');
    const char *url = eq ? eq + 1 : "";
    int ok = eq != NULL && eq > spec &&
             (strncmp(url, "http://", 7) == 0 ||
              strncmp(url, "https://", 8) == 0 ||
              (url[0] == '/' && url[1] != '/')) &&
             sok_doc_url_safe(url) && !strchr(url, '#') && !strchr(url, '?');
    if (!ok)
        return sok_err_set(err, SOK_EINVAL, "--url-map %s: expected "
                           "DIR=URL, URL http(s)://... or /...", spec);
    if (m->n == SOK_URLMAP_MAX)
        return sok_err_set(err, SOK_EINVAL, "at most %d --url-map",
                           SOK_URLMAP_MAX);
    char *dir = strndup(spec, (size_t)(eq - spec));
    char *norm = dir ? sok_walk_normalise(dir) : NULL;
    free(dir);
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    char *u = norm ? strndup(url, ul) : NULL;
    if (u == NULL) {
        free(norm);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    size_t dl = strlen(norm);
    while (dl > 1 && norm[dl - 1] == '/')
        norm[--dl] = '\0';
    m->m[m->n].dir = norm;
    m->m[m->n].url = u;
    m->n++;
    return 0;
}

/* The length of dir when it holds path, else 0. */
static size_t holds(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    if (strcmp(dir, ".") == 0)
        return path[0] != '/' ? 1 : 0;
    if (strncmp(path, dir, n) != 0 || (path[n] != '/' && dir[n - 1] != '/'))
        return 0;
    return n;
}

char *sok_urlmap_lookup(const struct sok_urlmap *m, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t best = 0, at = 0;
    for (size_t i = 0; m != NULL && i < m->n; i++) {
        size_t n = holds(m->m[i].dir, path);
        if (n > best) {
            best = n;
            at = i;
        }
    }
    if (best == 0)
        return NULL;
    const char *rest = strcmp(m->m[at].dir, ".") == 0 ? path : path + best;
    while (*rest == '/')
        rest++;
    size_t ul = strlen(m->m[at].url);
    char *out = malloc(ul + 1 + 3 * strlen(rest) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, m->m[at].url, ul);
    size_t n = ul;
    out[n++] = '/';
    for (const unsigned char *p = (const unsigned char *)rest; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    out[n] = '\0';
    return out;
}

void sok_urlmap_free(struct sok_urlmap *m)
{
    for (size_t i = 0; m != NULL && i < m->n; i++) {
        free(m->m[i].dir);
        free(m->m[i].url);
    }
    if (m != NULL)
        m->n = 0;
}
