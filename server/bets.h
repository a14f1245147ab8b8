/*
 * bets: the staff's best bets (vocab.h) in a result: for a query the
 * best-bets file names, its sections and addresses come first on the
 * first page, each marked recommended ("Rekommenderad" on the page),
 * whatever their rank; a section that was also a hit is not shown twice.
 * They come on top of the page and are not counted in total.
 */
#ifndef SOK_BETS_H
#define SOK_BETS_H

#include "search.h"
#include "snippet.h"

/* Puts the best bets of req's query first in res (page 1 only), their
 * snippets and titles marked with hl's words.  A section id the index no
 * longer holds is left out.  0, or SOK_ENOMEM / a shim code (res is then
 * as it was). */
int sok_bets_apply(struct sok_engine *e, const struct sok_hl *hl,
                   const struct sok_search_req *req,
                   struct sok_search_res *res, struct sok_err *err);

#endif /* SOK_BETS_H */
