/*
 * spell: corrections for a query word the index does not know.  Three
 * sources, best first: the word with å, ä, ö restored (typed on a keyboard
 * without them), Xapian's spelling dictionary (built by the indexer from
 * the corpus), and every indexed word within the edit budget (one edit
 * from 5 letters, two from 9; a 4-letter word: one edit, by brute force),
 * found through a deletion index over the vocabulary (sok_spell_near,
 * struct sok_spell_shared).  The search keeps several, because the other
 * words of the query and their order choose better than frequency alone;
 * the suggestion shows the one the top hit holds.
 */
#ifndef SOK_SPELL_H
#define SOK_SPELL_H

#include <stddef.h>
#include "engine.h"
#include "sok_text.h"

#define SOK_ALTS_MAX 6          /* corrections kept for one word */

struct sok_alts {               /* corrections of one word, best first */
    size_t n;
    struct {
        char w[2 * SOK_TOKEN_MAX + 2];  /* NUL-terminated, folded */
        size_t len;
        unsigned long score;
    } a[SOK_ALTS_MAX];
};

/* Fills *al with the corrections of the folded word w[0..len) that the
 * index holds (none: al->n == 0). */
void sok_spell_alts(struct sok_engine *e, const char *w, size_t len,
                    struct sok_alts *al);

/* The spelling dictionary's correction of w (never w itself) into out
 * (cap bytes, NUL-terminated); returns its length, 0 when there is none. */
size_t sok_spell_correction(struct sok_engine *e, const char *w, size_t len,
                            char *out, size_t cap);

/* Indexed words within sok_edit_budget() edits of the folded word w
 * (never w itself), nearest first, then most frequent: the edit-tolerant
 * matches.  Looked up in the deletion index over the index's vocabulary
 * that e's struct sok_spell_shared keeps: rebuilt when the index revision
 * changes, in a background thread, the previous revision's index serving
 * meanwhile (none at all: built by this call).  Takes no lock while e
 * stays on the revision of the deletion index it holds. */
void sok_spell_near(struct sok_engine *e, const char *w, size_t len,
                    struct sok_alts *al);

/* Calls cb for each indexed word that differs from the folded word
 * w[0..len) only by accents on some of its letters ("for" -> "för",
 * "idé" from "ide"), until cb returns non-zero: what a word typed without
 * them may have meant.  The accents tried are the Latin-1 ones Swedish
 * text uses (å ä à á, é è ê ë, ö ø ó, ü, í, ñ, ç); the walk follows only
 * prefixes the index holds, and gives up after SOK_ACCENT_LOOKUPS lookups. */
typedef int (*sok_spell_word_cb)(void *ctx, const char *w, size_t len);
#define SOK_ACCENT_LOOKUPS 256
void sok_spell_accented(struct sok_engine *e, const char *w, size_t len,
                        sok_spell_word_cb cb, void *ctx);

/* Builds the deletion index for e's revision now, unless there is one
 * (sok-server calls it at start-up, so no search waits for it). */
void sok_spell_prepare(struct sok_engine *e);

/* ------------------------------------------- the shared deletion index */

/* The deletion index sok_spell_near() looks words up in, for every engine
 * of a process on the index at one path (through sok_engine_opts.spell;
 * an engine given none makes its own).  It holds the newest revision's
 * and builds the next one in a thread of its own, on its own reader,
 * when an engine asks for a newer revision.  Engines use it from any
 * thread: it locks what it shares. */
struct sok_spell_shared;

/* Creates an empty one for the index at db (copied): nothing is built
 * until an engine asks.  SOK_ENOMEM is the only failure. */
int sok_spell_shared_new(const char *db, struct sok_spell_shared **out,
                         struct sok_err *err);

/* The builder opens these shards instead of the db path (engine.h:
 * sok_engine_open_xr); borrowed, outliving s. */
struct sok_shards;
void sok_spell_shared_use_shards(struct sok_spell_shared *s,
                                 struct sok_shards *shards);

/* Frees s (NULL: nothing), and every deletion index it holds; a rebuild
 * still running is stopped early and its thread joined.  Only once every
 * engine using s has been freed. */
void sok_spell_shared_free(struct sok_spell_shared *s);

/* Gives back e's reference to a revision's deletion index (sok_engine_free
 * calls it; the next sok_spell_near takes one again). */
void sok_spell_release(struct sok_engine *e);

#endif /* SOK_SPELL_H */
