/*
 * twins: one hit per passage, whatever the formats.  The city publishes
 * the same minutes as a web page and as a PDF, so one passage is often
 * indexed twice: as sections with the same duplicate key (Xapian
 * collapses them on SOK_SLOT_DUPKEY, and the collapsed copies are found
 * in an uncollapsed search of the same query), or, where the two files
 * were cut into sections at different places, as a section whose text
 * lies inside another one (found by content, dedup.h).  Either way the
 * passage is shown once, as a group: the preferred copy is its face (a
 * web page over Markdown over text over PDF, then a copy with a date,
 * then one from a file the page already shows, then the better ranked)
 * and the others are listed beside it ("also").
 *
 * Pure logic over stored records: the callers run the searches.
 */
#ifndef SOK_TWINS_H
#define SOK_TWINS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "sok_err.h"

struct sok_twin {               /* a section in the running */
    /* Given by the caller (borrowed, outliving the twin): */
    const char *data;           /* its stored record (JSON); NULL: fetch */
    size_t data_len;
    /* With data NULL: gives the record of docid on first use (malloc()ed,
     * the twin's; SOK_ENOTFOUND: none), so that a hit never looked at
     * costs no read. */
    int (*fetch)(void *ctx, unsigned docid, char **data, size_t *len,
                 struct sok_err *err);
    void *fetch_ctx;
    const char *key;            /* its collapse key; klen 0: none */
    size_t klen;
    unsigned docid;
    double score;
    unsigned collapsed;         /* copies Xapian collapsed into it */
    int unsure;                 /* collapsed may miss copies: Xapian 1.4
                                   merges remote shards' collapsed results
                                   without counting the copies it drops
                                   across them, so look for copies anyway */
    /* Worked out (zero them first; sok_twins_free frees them): */
    json_t *doc;                /* owned: the record, parsed on first use */
    char *fetched;              /* owned: the record fetch gave */
    uint64_t *sh;               /* owned: its shingles (dedup.h) */
    size_t nsh;
    int sh_done;
    int taken;                  /* a copy in some group already */
    int folded;                 /* a hit folded into a higher group */
};

struct sok_twin_group {         /* one hit of the result list */
    struct sok_twin *first;     /* the hit that opened the group */
    double score;               /* the group's, from its best hit */
    unsigned collapsed;         /* sections folded into it: Xapian's
                                   collapse counts and the folded hits
                                   with theirs, at least n - 1 */
    size_t n;                   /* copies found: copy[0] is the face shown,
                                   the others follow, preferred first */
    size_t cap;
    struct sok_twin **copy;     /* owned array of borrowed twins */
};

/* Groups the collapsed results h[0..nh) (rank order) into g, from the
 * top, until want groups are made (each hit looked at costs a parse and
 * its shingles): every hit opens a group with the copies of its collapse
 * key found among the uncollapsed results m[0..nm) (m may be NULL) whose
 * text is its own, unless its text lies inside (or holds) a copy in a
 * group above, when it is folded into that group (h[i].folded) with its
 * copies.  g has room for want groups; *ng receives their number, *seen
 * the hits of h looked at.  Faces are chosen as the header says.
 * Returns 0 or a negative code with err (SOK_ENOMEM). */
int sok_twins_group(struct sok_twin *h, size_t nh, struct sok_twin *m,
                    size_t nm, size_t want, struct sok_twin_group *g,
                    size_t *ng, size_t *seen, struct sok_err *err);

/* Frees the copy arrays of g[0..n); g may be NULL. */
void sok_twins_groups_free(struct sok_twin_group *g, size_t n);

/* Parses t's record on first use (a record that cannot be read becomes an
 * empty object, so a page shows it empty rather than failing).  0 or
 * SOK_ENOMEM. */
int sok_twin_doc(struct sok_twin *t, struct sok_err *err);

/* A string field of t's parsed record, "" when absent. */
const char *sok_twin_str(const struct sok_twin *t, const char *key);

/* Frees what t[0..n) worked out (not t itself); t may be NULL. */
void sok_twins_free(struct sok_twin *t, size_t n);

#endif /* SOK_TWINS_H */
