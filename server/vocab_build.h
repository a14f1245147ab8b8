/*
 * vocab_build: what vocab.c (the snapshots, their lookups and lifecycle)
 * and vocab_parse.c (the files' lines) share: the builder a file's rules
 * are collected in while it is parsed, by offsets that survive the pool
 * growing, and the snapshot it is frozen into.  Internal to the two.
 */
#ifndef SOK_VOCAB_BUILD_H
#define SOK_VOCAB_BUILD_H

#include "vocab.h"
#include "watch.h"
#include "sok_buf.h"

struct vb_word { size_t w, wlen, s, slen; };    /* offsets into pool */
struct vb_term { size_t text, key, w0, n; };    /* w0: first in words */
struct vb_pair {
    size_t from;            /* a term */
    size_t to;              /* a term, or (best bets) a target */
    size_t order;           /* the pair's place in the file */
    unsigned line;
    const char *key;        /* from's key, set once the pool is final */
};
struct vb_target { size_t off; int section; };

struct vb {
    enum sok_vocab_kind kind;
    struct sok_analyzer *an;
    const char *path;
    FILE *diag;
    unsigned bad;           /* lines refused */
    struct sok_buf pool;    /* NUL-terminated texts, words, stems, keys */
    int prc;                /* pool's rc (and the arrays': SOK_ENOMEM) */
    int arc;                /* the analyzer's rc */
    struct vb_word *words;
    size_t nwords, capwords;
    struct vb_term *terms;
    size_t nterms, capterms;
    struct vb_pair *pairs;
    size_t npairs, cappairs;
    struct vb_target *targets;
    size_t ntargets, captargets;
    size_t max_words;
};

/* One entry of a snapshot: a term's key (its words' stems, or folded
 * forms, joined by single spaces) and what it leads to. */
struct vb_ent {
    const char *key;
    size_t nwords;
    struct sok_vocab_syn syn;       /* SOK_VOCAB_SYNONYMS */
    struct sok_vocab_bets bets;     /* SOK_VOCAB_BEST_BETS */
};

/* An immutable snapshot (both kinds; the public opaque types wrap it). */
struct vb_table {
    struct sok_snap snap;
    enum sok_vocab_kind kind;
    char *pool;
    struct sok_vocab_word *words;
    struct sok_vocab_term *terms;
    struct sok_vocab_exp *exps;
    struct sok_vocab_target *targets;
    struct vb_ent *ents;            /* sorted by key (strcmp) */
    size_t nents, nrules, max_words;
};

struct sok_vocab_syns { struct vb_table t; };
struct sok_vocab_betset { struct vb_table t; };

/* ------------------------------------------ interface to vocab_parse.c */

/* Parses text[0..len) line by line into b (b->kind, an, path, diag set,
 * the rest zeroed): each good line's terms, words and pairs added, each
 * bad one said on b->diag and counted in b->bad.  Failures are left in
 * b->prc / b->arc. */
void sok_vb_parse(struct vb *b, const char *text, size_t len);

/* Says on b->diag that line is refused for why, and counts it. */
void sok_vb_bad(struct vb *b, unsigned line, const char *why);

/* Frees what b holds (not b). */
void sok_vb_free(struct vb *b);

#endif /* SOK_VOCAB_BUILD_H */
