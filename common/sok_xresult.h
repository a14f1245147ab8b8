/*
 * sok_xresult: builds the plain C search result (struct sok_xresult, in
 * sok_xapian.h) that the shim hands out, and frees it.  Its memory belongs
 * to the C allocator throughout, so the code that allocates it and the
 * sok_xresult_free() declared in sok_xapian.h live together here; the
 * shim (sok_xapian.cc) only reads Xapian and calls in.  Facet counts are
 * filled by sok_facets_get() (sok_facets.h).
 */
#ifndef SOK_XRESULT_H
#define SOK_XRESULT_H

#include <stddef.h>

#include "sok_xapian.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An empty result with room for cap hits.  Returns 0 or SOK_ENOMEM (*out
 * untouched).  Free with sok_xresult_free(). */
int sok_xresult_new(size_t cap, struct sok_xresult **out);

/* Appends a hit, copying data[0..len) and, when key is not NULL,
 * key[0..klen).  The caller adds at most the cap given to
 * sok_xresult_new().  Returns 0 or SOK_ENOMEM (res unchanged: nhits only
 * counts complete hits, so the result stays fit to free). */
int sok_xresult_add_hit(struct sok_xresult *res, unsigned docid,
                        double weight, unsigned collapse_count,
                        const char *data, size_t len, const char *key,
                        size_t klen);

#ifdef __cplusplus
}
#endif

#endif /* SOK_XRESULT_H */
