/*
 * vocab: the staff's vocabulary, two files the server reads again when
 * they change while it runs (watch.h):
 *
 * Synonyms (sok-server --synonyms FILE), one rule a line:
 *     soptunna, avfallskärl, sopkärl       every term finds the others
 *     socialbidrag => ekonomiskt bistånd   the left finds the right, not
 *                                          the other way round
 *     a, b => c, d                         a and b each find c and d
 * Best bets (sok-server --best-bets FILE), one rule a line:
 *     bostadsbidrag => 0123456789abcdef, /sida/bostad, https://x.se/y
 *     a, b => TARGET ...                   several queries, same targets
 * A target is a section id (16 lower-case hex digits) or a URL: a path
 * on the site ("/...", not "//...") or http:// or https://; targets are
 * separated by commas or white space; at most SOK_VOCAB_BETS_MAX for one
 * query, in the order written (lines for the same query add up).
 *
 * In both: a term (or query) is one or more words, at most
 * SOK_VOCAB_WORDS_MAX; '#' at the start of a line or after white space
 * starts a comment; blank lines are skipped; the file is UTF-8.  A bad
 * line is refused, named with its line number and the reason on the
 * diagnostic stream, and the rest of the file kept.  A missing file is an
 * empty vocabulary.  Synonyms are not transitive: "a, b" and "b, c" do
 * not make a find c.
 *
 * Terms are normalised exactly as a query's words are (sok_vocab_norm):
 * the analyzer's tokeniser (NFC, case folding) and Snowball stemmer, each
 * word compared by its stem (by its folded form when it has none), so
 * "Soptunnan" in a query matches "soptunna" in the file.
 *
 * The files are checked from the request path (sok_vocab_view), at most
 * once a second, by one thread while the others go on with what they
 * have; each engine holds the snapshots its requests use.
 */
#ifndef SOK_VOCAB_H
#define SOK_VOCAB_H

#include <stddef.h>
#include <stdio.h>
#include "sok_err.h"
#include "sok_analyze.h"

#define SOK_VOCAB_WORDS_MAX  8      /* words of one term or query */
#define SOK_VOCAB_TERMS_MAX  64     /* terms on one line */
#define SOK_VOCAB_BETS_MAX   5      /* targets of one query */
#define SOK_VOCAB_LINE_MAX   4096   /* bytes of a line */
#define SOK_VOCAB_TARGET_MAX 2000   /* bytes of a target */

/* Weight of a synonym relative to the word typed (1), for the sections
 * only a synonym reaches.  Put below the word (sok_plan_below), a section
 * holding the word as typed scores as it would without them, but a
 * section holding only a rarer synonym can still score higher than one
 * holding a common word (measured: "hälsa => fritidsbanken" on the seed
 * corpus puts a fritidsbanken-only section first at weights 0.8, 0.3 and
 * 0.1).  So that a synonym never outranks the word typed, scale the
 * expansions by 0 when the word typed has matches of its own (they then
 * follow every section holding it), and by this weight when it has none
 * (then they are all there is, and their own ranking is what counts). */
#define SOK_VOCAB_SYN_WEIGHT 0.8

/* One word of a query or of a term: its folded form and its stem (slen
 * 0: it has none), as the plan holds them (struct sok_plan_tok).  Not
 * NUL-terminated as far as the lookups are concerned. */
struct sok_vocab_word {
    const char *w;
    size_t wlen;
    const char *stem;
    size_t slen;
};

/* A term of a file: a word or a phrase. */
struct sok_vocab_term {
    const char *text;           /* as written (trimmed), NUL-terminated */
    size_t n;                   /* words, 1..SOK_VOCAB_WORDS_MAX */
    const struct sok_vocab_word *w;     /* NUL-terminated w and stem */
};

struct sok_vocab_exp {          /* one expansion of a term */
    const struct sok_vocab_term *term;
    double weight;              /* < 1: SOK_VOCAB_SYN_WEIGHT */
};

struct sok_vocab_syn {          /* what a term expands to */
    const struct sok_vocab_term *from;  /* its first spelling in the file */
    size_t n;                   /* >= 1, none of them from itself */
    const struct sok_vocab_exp *to;     /* in the order of the file */
};

struct sok_vocab_target {
    const char *target;         /* a section id or a URL, NUL-terminated */
    int section;                /* 1: a section id (sok_engine_section),
                                   0: a URL */
};

struct sok_vocab_bets {         /* a query's best bets */
    const struct sok_vocab_term *query;
    size_t n;                   /* 1..SOK_VOCAB_BETS_MAX */
    const struct sok_vocab_target *t;   /* in the order of the file */
};

struct sok_vocab;               /* the files, for the whole process */
struct sok_vocab_syns;          /* a snapshot of the synonyms */
struct sok_vocab_betset;        /* a snapshot of the best bets */

/* The snapshots one reader holds (one per engine: struct sok_engine
 * .vocab).  Zeroed: none.  Both NULL: no vocabulary (every lookup finds
 * nothing). */
struct sok_vocab_view {
    struct sok_vocab_syns *syn;
    struct sok_vocab_betset *bets;
};

/* Reads the files (either path may be NULL: not used) and watches them;
 * bad lines and missing files are said on diag (NULL: stderr), never a
 * failure.  SOK_ENOMEM is the only failure.  The paths are copied. */
int sok_vocab_new(const char *synonyms, const char *best_bets, FILE *diag,
                  struct sok_vocab **out, struct sok_err *err);

/* Frees v (NULL: nothing).  Views may outlive it (their snapshots are
 * freed when they are released), but no view may be refreshed from v
 * afterwards: free the engines first. */
void sok_vocab_free(struct sok_vocab *v);

/* Brings view up to date with v: checks the files when a second has
 * passed (sok_watch_poll, reloading one that changed) and moves view to
 * the newest snapshots.  No lock while nothing changed.  v NULL: nothing. */
void sok_vocab_refresh(struct sok_vocab *v, struct sok_vocab_view *view);

/* A number that grows whenever view moves to another snapshot of either
 * file (0: none held); what the response cache ties answers to. */
unsigned long sok_vocab_gen(const struct sok_vocab_view *view);

/* Gives back view's snapshots and zeroes it. */
void sok_vocab_view_release(struct sok_vocab_view *view);

/* For the search path: e's view, refreshed (sok_vocab_refresh with
 * e->opts.vocab).  Never NULL (without a vocabulary: an empty one).  Call
 * it once per request; what the lookups below return from it stays valid
 * until the next call on e, or sok_engine_free(e). */
struct sok_engine;
const struct sok_vocab_view *sok_vocab_view(struct sok_engine *e);

/* The synonyms of the longest term of the file that the words
 * w[0..n) start with (a query's words in order, without the parts of a
 * hyphenated word, an e-mail address or a URL: tokens without
 * SOK_TOK_PART), *used set to its words; NULL (and *used 0) when no term
 * starts them.  v may be NULL. */
const struct sok_vocab_syn *sok_vocab_synonyms(const struct sok_vocab_view *v,
                                               const struct sok_vocab_word *w,
                                               size_t n, size_t *used);

/* The synonyms of the one word w[0..wlen) (folded) with stem
 * stem[0..slen) (slen 0: none): a term of exactly that word; NULL when
 * none.  v may be NULL. */
const struct sok_vocab_syn *sok_vocab_word_synonyms(
    const struct sok_vocab_view *v, const char *w, size_t wlen,
    const char *stem, size_t slen);

/* The best bets of the query made of exactly the words w[0..n) (as for
 * sok_vocab_synonyms); NULL when none.  v may be NULL. */
const struct sok_vocab_bets *sok_vocab_best_bets(
    const struct sok_vocab_view *v, const struct sok_vocab_word *w, size_t n);

/* The same for the query text q[0..len) (valid UTF-8, as typed),
 * normalised with an (the caller's thread's analyzer: e->an).  0 and *out
 * (NULL: none); an analyzer failure is returned with *out NULL. */
int sok_vocab_best_bets_q(const struct sok_vocab_view *v,
                          struct sok_analyzer *an, const char *q, size_t len,
                          const struct sok_vocab_bets **out,
                          struct sok_err *err);

/* ------------------------------------------------------ normalisation */

/* A text's words, as the vocabulary compares them. */
struct sok_vocab_norm {
    size_t n;
    int too_many;               /* more than SOK_VOCAB_WORDS_MAX words */
    struct sok_vocab_word w[SOK_VOCAB_WORDS_MAX];
    size_t used;                /* of buf */
    char buf[SOK_VOCAB_WORDS_MAX * 2 * (SOK_TOKEN_MAX + 1)];
};

/* The words of s[0..len) (valid UTF-8) into *out: tokenised and folded by
 * sok_text_tokenize, without SOK_TOK_PART tokens, each stemmed by
 * sok_analyzer_stem.  Returns 0 or the analyzer's code. */
int sok_vocab_norm(struct sok_analyzer *an, const char *s, size_t len,
                   struct sok_vocab_norm *out, struct sok_err *err);

/* ---------------------------------------------- parsing, for the tests */

enum sok_vocab_kind { SOK_VOCAB_SYNONYMS, SOK_VOCAB_BEST_BETS };

/* Reads text[0..len) as a file of kind (path names it in the messages on
 * diag; an: the analyzer to normalise with) into a new snapshot that
 * replaces view's of that kind (the old one released).  *lines_bad (may
 * be NULL) receives the number of refused lines.  SOK_ENOMEM or the
 * analyzer's code are the only failures (view unchanged). */
int sok_vocab_parse(enum sok_vocab_kind kind, struct sok_analyzer *an,
                    const char *path, const char *text, size_t len,
                    FILE *diag, struct sok_vocab_view *view,
                    unsigned *lines_bad, struct sok_err *err);

/* Rules (synonym pairs, or best-bet targets) in view's snapshot of kind. */
size_t sok_vocab_rules(const struct sok_vocab_view *view,
                       enum sok_vocab_kind kind);

#endif /* SOK_VOCAB_H */
