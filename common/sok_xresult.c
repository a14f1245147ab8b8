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

int sok_xresult_add_hit(struct sok_xresult *res, unsigned docid,
                        double weight, unsigned collapse_count,
                        const char *data, size_t len)
{
    struct sok_xhit *h = &res->hits[res->nhits];
    h->data = malloc(len + 1);
    if (h->data == NULL)
        return SOK_ENOMEM;
    if (len > 0)
        memcpy(h->data, data, len);
    h->data[len] = '\0';
    h->data_len = len;
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
    for (size_t i = 0; i < res->nhits; i++)
        free(res->hits[i].data);
    free(res->hits);
    for (size_t i = 0; i < res->nfacets && i < SOK_XFACET_MAX; i++) {
        for (size_t j = 0; j < res->facets[i].n; j++)
            free(res->facets[i].counts[j].value);
        free(res->facets[i].counts);
    }
    free(res);
}
