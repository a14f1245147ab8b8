/*
 * sok_xresult: allocating, filling and freeing struct sok_xresult.  See
 * sok_xresult.h.
 */
#include "sok_xresult.h"

#include <stdlib.h>
#include <string.h>

#include "sok_err.h"

int sok_xresult_new(size_t cap, struct sok_xresult **out)
{
    struct sok_xresult *res = calloc(1, sizeof *res);
    if (res == NULL)
        return SOK_ENOMEM;
    if (cap > 0 && (res->hits = calloc(cap, sizeof *res->hits)) == NULL) {
        free(res);
        return SOK_ENOMEM;
    }
    *out = res;
    return 0;
}

/* A NUL-terminated malloc()ed copy of s[0..len), or NULL. */
static char *copy(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p == NULL)
        return NULL;
    if (len > 0)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

int sok_xresult_add_hit(struct sok_xresult *res, unsigned docid,
                        double weight, unsigned collapse_count,
                        const char *data, size_t len, const char *key,
                        size_t klen)
{
    struct sok_xhit *h = &res->hits[res->nhits];
    h->data = copy(data, len);
    h->key = key != NULL ? copy(key, klen) : NULL;
    if (h->data == NULL || (key != NULL && h->key == NULL)) {
        free(h->data);
        free(h->key);
        h->data = h->key = NULL;
        return SOK_ENOMEM;
    }
    h->data_len = len;
    h->key_len = key != NULL ? klen : 0;
    h->docid = docid;
    h->weight = weight;
    h->collapse_count = collapse_count;
    res->nhits++;
    return 0;
}

void sok_xresult_free(struct sok_xresult *res)
{
    if (res == NULL)
        return;
    for (size_t i = 0; i < res->nhits; i++) {
        free(res->hits[i].data);
        free(res->hits[i].key);
    }
    free(res->hits);
    for (size_t i = 0; i < res->nfacets && i < SOK_XFACET_MAX; i++) {
        for (size_t j = 0; j < res->facets[i].n; j++)
            free(res->facets[i].counts[j].value);
        free(res->facets[i].counts);
    }
    free(res);
}
