/*
 * suggest: completions for a search box, behind /api/suggest.  The last
 * word typed is completed from the index vocabulary: the exact word forms
 * and the words of section titles (which count double), most frequent
 * first.
 */
#ifndef SOK_SUGGEST_H
#define SOK_SUGGEST_H

#include <stddef.h>
#include <jansson.h>
#include "engine.h"

#define SOK_SUGGEST_MAX 10

/* Completions of the last word of q[0..qlen) (valid UTF-8), each prefixed
 * with the words before it as typed.  *out is a JSON array of strings
 * owned by the caller (empty when q ends in a space). */
int sok_suggest_run(struct sok_engine *e, const char *q, size_t qlen,
                    json_t **out, struct sok_err *err);

#endif /* SOK_SUGGEST_H */
