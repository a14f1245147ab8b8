/*
 * prepare: one file on its way into the index.  See prepare.h.
 */
#include "prepare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "sok_doc.h"
#include "note.h"
#include "sok_terms.h"

/* Larger files are refused rather than read whole into memory. */
#define MAX_FILE_BYTES (256u * 1024 * 1024)

void sok_prep_key(const void *data, size_t len, char out[33])
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}


int sok_prep_spell_cb(void *vctx, const char *word, size_t len, uint64_t n)
{
    struct sok_spell_ctx *c = vctx;
    if (c->nslices > 1 && XXH3_64bits(word, len) % c->nslices != c->slice)
        return 0;
    /* Xapian takes a 32-bit increment; a word summed over a huge build can
     * pass that. */
    while (n > 0) {
        unsigned inc = n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
        int rc = sok_xw_add_spelling(c->w, word, len, inc, c->err);
        if (rc)
            return rc;
        n -= inc;
    }
    return 0;
}

/* Adds every word of words to w's spelling dictionary. */
static int write_spelling(struct sok_xw *w, const struct sok_counts *words,
                          struct sok_err *err)
{
    struct sok_spell_ctx c = { w, err, 0, 1 };
    return sok_counts_each(words, sok_prep_spell_cb, &c);
}

/* Writes one prepared file: its sections and its spelling words, unless
 * this is a part of a full build (fresh: the sections are known to be new;
 * the caller collects the spelling words itself). */
static int write_prepared(struct sok_xw *w, const struct sok_prepared *p,
                          int fresh, struct sok_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++)
        rc = fresh ? sok_xw_add_new(w, p->uterms[i], p->docs[i], err)
                   : sok_xw_replace(w, p->uterms[i], p->docs[i], err);
    if (rc == 0 && !fresh)
        rc = write_spelling(w, p->spell, err);
    return rc;
}

int sok_prep_delete(struct sok_xw *w, const char *key, struct sok_err *err)
{
    char term[64], meta[64];
    snprintf(term, sizeof term, SOK_PREFIX_FILE "%s", key);
    snprintf(meta, sizeof meta, SOK_META_FILE "%s", key);
    int rc = sok_xw_delete_term(w, term, 1, err);
    if (rc == 0)
        rc = sok_xw_set_metadata(w, meta, "", 0, err);
    return rc;
}


/* The number environment variable name holds, clamped to [lo, hi]; dflt
 * when it is unset or empty. */
unsigned sok_env_uint(const char *name, unsigned dflt, unsigned lo,
                         unsigned hi)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return dflt;
    unsigned long n = strtoul(v, NULL, 10);
    return n < lo ? lo : n > hi ? hi : (unsigned)n;
}

/* See prepare.h.  Runs in several threads of a full build at once. */
int sok_prep_file(struct sok_analyzer *a, const struct sok_walk_file *wf,
                        const char *old_hash, int quiet, struct sok_file_job *job,
                        struct sok_err *err)
{
    job->prep = NULL;
    job->state = SOK_JOB_FAILED;

    struct sok_err ferr = SOK_ERR_INIT;
    char *data = NULL;
    size_t len = 0;
    if (sok_doc_read_file(wf->path, MAX_FILE_BYTES, &data, &len, &ferr) != 0) {
        sok_note("failed: %s", ferr.msg);
        return 0;
    }
    /* The folder's type override and the schema are part of what was
     * indexed: changing a .sok-type, or upgrading sok, re-indexes. */
    XXH3_state_t *hs = XXH3_createState();
    if (hs == NULL) {
        free(data);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    XXH3_128bits_reset(hs);
    XXH3_128bits_update(hs, data, len);
    char tag[16];
    snprintf(tag, sizeof tag, "\n%d %d", (int)wf->type, SOK_SCHEMA_VERSION);
    XXH3_128bits_update(hs, tag, strlen(tag));
    if (wf->url != NULL)        /* a new --url-map re-indexes */
        XXH3_128bits_update(hs, wf->url, strlen(wf->url));
    XXH128_hash_t h = XXH3_128bits_digest(hs);
    XXH3_freeState(hs);
    snprintf(job->hash, sizeof job->hash, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);

    if (old_hash && strcmp(old_hash, job->hash) == 0) {
        free(data);
        job->state = SOK_JOB_UNCHANGED;
        return 0;
    }

    struct sok_doc_opts o = SOK_DOC_OPTS_INIT;
    o.type_override = wf->type;
    struct sok_document *doc = NULL;
    enum sok_format fmt = sok_format_from_path(wf->path);
    if (fmt == SOK_FMT_PDF)   /* 0: the default limit a PDF tool gets */
        o.pdf_timeout_s = sok_env_uint("SOK_PDF_TIMEOUT", 0, 0, 3600);
    int prc = fmt == SOK_FMT_PDF
        ? sok_doc_load(wf->path, &o, &doc, &ferr)
        : sok_doc_parse(wf->path, data, len, fmt, &o, &doc, &ferr);
    free(data);
    if (prc != 0) {
        sok_note("failed: %s: %s", wf->path, ferr.msg);
        return 0;   /* the file's previous sections, if any, stay */
    }
    if (doc->url == NULL && wf->url != NULL)
        doc->url = strdup(wf->url);     /* out of memory: /doc/<id> */
    if (doc->repaired_bytes && !quiet)
        sok_note("%s: repaired %zu bytes of invalid UTF-8",
                 wf->path, doc->repaired_bytes);
    int rc = sok_build_document(a, doc, job->key, &job->prep, err);
    sok_doc_free(doc);
    if (rc == 0)
        job->state = SOK_JOB_CHANGED;
    return rc;
}

/* See prepare.h; fresh as in write_prepared(). */
int sok_prep_write(struct sok_xw *w, const struct sok_walk_file *wf,
                      const struct sok_file_job *job, int replace, int fresh,
                      struct sok_err *err)
{
    int rc = replace ? sok_prep_delete(w, job->key, err) : 0;
    if (rc == 0)
        rc = write_prepared(w, job->prep, fresh, err);
    if (rc)
        return rc;
    char meta[64];
    snprintf(meta, sizeof meta, SOK_META_FILE "%s", job->key);
    size_t vlen = strlen(job->hash) + strlen(wf->path) + 32;
    char *val = malloc(vlen);
    if (val == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    snprintf(val, vlen, "%s\t%zu\t%s", job->hash, job->prep->n, wf->path);
    rc = sok_xw_set_metadata(w, meta, val, strlen(val), err);
    free(val);
    return rc;
}
