/*
 * prepare: one file on its way into the index, shared by the incremental
 * run (run.c) and the parallel full build (full.c): read, hash, parse and
 * analyse it (touching no database, so several threads can prepare files
 * at once), then write its sections, spelling words and "sok:file:" record
 * into a writer, or delete a file's sections.
 */
#ifndef SOK_PREPARE_H
#define SOK_PREPARE_H

#include <stddef.h>
#include <stdint.h>
#include "build.h"
#include "sok_analyze.h"
#include "sok_err.h"
#include "sok_xapian.h"
#include "walk.h"

struct sok_file_job {
    char key[33];                 /* filekey of the path */
    char hash[33];                /* content hash */
    struct sok_prepared *prep;    /* owned; NULL when skipped or failed */
    enum { SOK_JOB_CHANGED, SOK_JOB_UNCHANGED, SOK_JOB_FAILED } state;
};

/* What sok_prep_spell_cb writes to: w's spelling dictionary, only the words
 * whose hash falls in slice of nslices (1: all of them). */
struct sok_spell_ctx {
    struct sok_xw *w;
    struct sok_err *err;
    unsigned slice, nslices;
};

/* The 32 hex digits of XXH3-128 over data[0..len): a path's filekey. */
void sok_prep_key(const void *data, size_t len, char out[33]);

/* A sok_counts_each() callback (ctx: struct sok_spell_ctx) adding a word n
 * times to the spelling dictionary. */
int sok_prep_spell_cb(void *ctx, const char *word, size_t len, uint64_t n);

/* The number environment variable name holds, clamped to [lo, hi]; dflt
 * when it is unset or empty. */
unsigned sok_env_uint(const char *name, unsigned dflt, unsigned lo,
                      unsigned hi);

/* Reads, hashes, parses and analyses one file (job->key already set);
 * touches no database.  old_hash (may be NULL) is the hash the index holds:
 * an equal hash skips the work (SOK_JOB_UNCHANGED).  Returns 0 when the
 * file was handled (including SOK_JOB_FAILED, named on stderr), an error
 * code when the run must stop. */
int sok_prep_file(struct sok_analyzer *a, const struct sok_walk_file *wf,
                  const char *old_hash, int quiet, struct sok_file_job *job,
                  struct sok_err *err);

/* Writes a prepared file and its "sok:file:" record; replace deletes the
 * file's previous sections first.  fresh: a part of a full build (the
 * sections are known to be new; the caller collects the spelling words). */
int sok_prep_write(struct sok_xw *w, const struct sok_walk_file *wf,
                   const struct sok_file_job *job, int replace, int fresh,
                   struct sok_err *err);

/* Deletes the sections of the file with filekey key, and its record. */
int sok_prep_delete(struct sok_xw *w, const char *key, struct sok_err *err);

#endif /* SOK_PREPARE_H */
