/*
 * run: one indexing run.  See run.h.
 *
 * The index remembers, per source file, the hash of its bytes (metadata
 * "sok:file:<filekey>").  A run walks the PATHs, skips files whose hash is
 * unchanged, replaces the sections of changed files (deleting by the file's
 * F term first, so sections that no longer exist go too), adds new files,
 * and deletes files under the PATHs that have vanished.  All of it happens
 * inside one Xapian transaction: a kill at any moment leaves the previous
 * revision.  A file that fails to parse is counted and named, and its
 * previous sections are kept: bad input loses nothing.
 */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "build.h"
#include "layout.h"
#include "progress.h"
#include "sok_analyze.h"
#include "sok_doc.h"
#include "sok_terms.h"
#include "sok_xapian.h"
#include "walk.h"

/* Larger files are refused rather than read whole into memory. */
#define MAX_FILE_BYTES (256u * 1024 * 1024)

/* One file the index already holds. */
struct known {
    char key[33];        /* filekey */
    char hash[33];       /* content hash */
    char *path;          /* owned */
    int seen;            /* present in this run's walk */
};

struct known_set {
    size_t n, cap;
    struct known *v;     /* sorted by key once loaded */
};

static void hex128(const void *data, size_t len, char out[33])
{
    XXH128_hash_t h = XXH3_128bits(data, len);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

static int load_known(void *vctx, const char *key, const char *val, size_t vlen)
{
    struct known_set *ks = vctx;
    if (vlen == 0)
        return 0;
    if (ks->n == ks->cap) {
        size_t cap = ks->cap ? ks->cap * 2 : 256;
        struct known *v = realloc(ks->v, cap * sizeof *v);
        if (v == NULL)
            return SOK_ENOMEM;
        ks->v = v;
        ks->cap = cap;
    }
    struct known *k = &ks->v[ks->n];
    memset(k, 0, sizeof *k);
    snprintf(k->key, sizeof k->key, "%s", key + strlen(SOK_META_FILE));
    /* value: "hash\tnsections\tpath" */
    const char *t1 = memchr(val, '\t', vlen);
    const char *t2 = t1 ? memchr(t1 + 1, '\t', vlen - (size_t)(t1 + 1 - val)) : NULL;
    if (t1 == NULL || t2 == NULL)
        return 0;                       /* not ours: ignore */
    snprintf(k->hash, sizeof k->hash, "%.*s", (int)(t1 - val), val);
    k->path = strndup(t2 + 1, vlen - (size_t)(t2 + 1 - val));
    if (k->path == NULL)
        return SOK_ENOMEM;
    ks->n++;
    return 0;
}

static int cmp_known(const void *a, const void *b)
{
    return strcmp(((const struct known *)a)->key, ((const struct known *)b)->key);
}

static struct known *find_known(struct known_set *ks, const char *key)
{
    struct known probe;
    snprintf(probe.key, sizeof probe.key, "%s", key);
    return ks->n ? bsearch(&probe, ks->v, ks->n, sizeof *ks->v, cmp_known) : NULL;
}

static void free_known(struct known_set *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        free(ks->v[i].path);
    free(ks->v);
}

static int read_file(const char *path, char **data, size_t *len,
                     struct sok_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sok_err_set(err, SOK_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || (size_t)st.st_size > MAX_FILE_BYTES) {
        fclose(f);
        return sok_err_set(err, SOK_ETOOBIG, "%s: larger than %u MiB", path,
                           MAX_FILE_BYTES >> 20);
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {                 /* the file grew while we read it */
            if (cap > MAX_FILE_BYTES) {
                free(buf);
                fclose(f);
                return sok_err_set(err, SOK_ETOOBIG, "%s: too large", path);
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return sok_err_set(err, SOK_ENOMEM, NULL);
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return sok_err_set(err, SOK_EIO, "%s: read error", path);
    }
    *data = buf;
    *len = n;
    return 0;
}

/* Writes one prepared file: its sections, its spelling words. */
static int write_prepared(struct sok_xw *w, const struct sok_prepared *p,
                          struct sok_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++)
        rc = sok_xw_replace(w, p->uterms[i], p->docs[i], err);
    for (size_t i = 0; i < p->nspell && rc == 0; i++)
        rc = sok_xw_add_spelling(w, p->spell[i].word, strlen(p->spell[i].word),
                                 p->spell[i].freq, err);
    return rc;
}

static int delete_file(struct sok_xw *w, const char *key, struct sok_err *err)
{
    char term[64], meta[64];
    snprintf(term, sizeof term, SOK_PREFIX_FILE "%s", key);
    snprintf(meta, sizeof meta, SOK_META_FILE "%s", key);
    int rc = sok_xw_delete_term(w, term, 1, err);
    if (rc == 0)
        rc = sok_xw_set_metadata(w, meta, "", 0, err);
    return rc;
}

/* Indexes one file.  Returns 0 when the file was handled (including "failed
 * to parse", which only bumps st->failed), an error code when the index
 * itself failed and the run must stop. */
static int index_file(struct sok_xw *w, struct sok_analyzer *a,
                      const struct sok_walk_file *wf, struct known_set *ks,
                      int quiet, struct sok_run_stats *st,
                      struct sok_err *err)
{
    char key[33], hash[33];
    hex128(wf->path, strlen(wf->path), key);
    struct known *k = find_known(ks, key);
    if (k)
        k->seen = 1;

    struct sok_err ferr = SOK_ERR_INIT;
    char *data = NULL;
    size_t len = 0;
    if (read_file(wf->path, &data, &len, &ferr) != 0) {
        fprintf(stderr, "sok-index: failed: %s\n", ferr.msg);
        st->failed++;
        return 0;
    }
    /* The folder's type override is part of what was indexed: changing a
     * .sok-type re-indexes the files under it. */
    XXH3_state_t *hs = XXH3_createState();
    if (hs == NULL) {
        free(data);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    XXH3_128bits_reset(hs);
    XXH3_128bits_update(hs, data, len);
    char tag[8];
    snprintf(tag, sizeof tag, "\n%d%d", (int)wf->type, SOK_SCHEMA_VERSION);
    XXH3_128bits_update(hs, tag, strlen(tag));
    XXH128_hash_t h = XXH3_128bits_digest(hs);
    XXH3_freeState(hs);
    snprintf(hash, sizeof hash, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);

    if (k && strcmp(k->hash, hash) == 0) {
        free(data);
        st->unchanged++;
        return 0;
    }

    struct sok_doc_opts o = SOK_DOC_OPTS_INIT;
    o.type_override = wf->type;
    struct sok_document *doc = NULL;
    enum sok_format fmt = sok_format_from_path(wf->path);
    int prc = fmt == SOK_FMT_PDF
        ? sok_doc_load(wf->path, &o, &doc, &ferr)
        : sok_doc_parse(wf->path, data, len, fmt, &o, &doc, &ferr);
    free(data);
    if (prc != 0) {
        fprintf(stderr, "sok-index: failed: %s: %s\n", wf->path, ferr.msg);
        st->failed++;
        return 0;   /* the file's previous sections, if any, stay */
    }
    if (doc->repaired_bytes && !quiet)
        fprintf(stderr, "sok-index: %s: repaired %zu bytes of invalid UTF-8\n",
                wf->path, doc->repaired_bytes);

    struct sok_prepared *p = NULL;
    int rc = sok_build_document(a, doc, key, &p, err);
    sok_doc_free(doc);
    if (rc)
        return rc;
    if (k)
        rc = delete_file(w, key, err);
    if (rc == 0)
        rc = write_prepared(w, p, err);
    if (rc == 0) {
        char meta[64];
        snprintf(meta, sizeof meta, SOK_META_FILE "%s", key);
        size_t vlen = strlen(hash) + strlen(wf->path) + 32;
        char *val = malloc(vlen);
        if (val == NULL) {
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
        } else {
            snprintf(val, vlen, "%s\t%zu\t%s", hash, p->n, wf->path);
            rc = sok_xw_set_metadata(w, meta, val, strlen(val), err);
            free(val);
        }
    }
    sok_prepared_free(p);
    if (rc == 0) {
        if (k)
            st->updated++;
        else
            st->added++;
    }
    return rc;
}

static int bump_revision(struct sok_xw *w, struct sok_err *err)
{
    char *val = NULL;
    size_t len = 0;
    int rc = sok_xw_get_metadata(w, SOK_META_REVISION, &val, &len, err);
    if (rc)
        return rc;
    unsigned long rev = strtoul(val, NULL, 10) + 1;
    free(val);
    char buf[32];
    snprintf(buf, sizeof buf, "%lu", rev);
    rc = sok_xw_set_metadata(w, SOK_META_REVISION, buf, strlen(buf), err);
    snprintf(buf, sizeof buf, "%d", SOK_SCHEMA_VERSION);
    if (rc == 0)
        rc = sok_xw_set_metadata(w, SOK_META_SCHEMA, buf, strlen(buf), err);
    return rc;
}

int sok_run(const struct sok_run_opts *opts, struct sok_run_stats *st,
            struct sok_err *err)
{
    double t0 = sok_now();
    memset(st, 0, sizeof *st);
    struct sok_walk walk;
    struct sok_layout lay = { NULL, -1, 0 };
    struct known_set ks = { 0, 0, NULL };
    struct sok_xw *w = NULL;
    struct sok_analyzer *a = NULL;
    char *gpath = NULL;
    int rc = sok_walk_collect(opts->paths, opts->npaths, &walk, &st->failed, err);
    if (rc)
        return rc;
    rc = sok_layout_open(opts->db, &lay, err);
    if (rc)
        goto out;
    rc = sok_layout_prune(&lay, err);
    if (rc)
        goto out;
    /* A full run, or the very first, builds a new generation aside. */
    int fresh = opts->full || lay.cur_gen == 0;
    unsigned gen = fresh ? lay.cur_gen + 1 : lay.cur_gen;
    gpath = sok_layout_gen_path(&lay, gen);
    if (gpath == NULL) {
        rc = sok_err_set(err, SOK_ENOMEM, NULL);
        goto out;
    }
    rc = sok_xw_open(gpath, fresh ? SOK_XW_CREATE : SOK_XW_OPEN, &w, err);
    if (rc == 0)
        rc = sok_xw_begin(w, err);
    if (rc == 0 && !fresh) {
        rc = sok_xw_metadata_walk(w, SOK_META_FILE, load_known, &ks, err);
        if (rc > 0)
            rc = sok_err_set(err, SOK_ENOMEM, NULL);
        qsort(ks.v, ks.n, sizeof *ks.v, cmp_known);
    }
    if (rc == 0)
        rc = sok_analyzer_new(&a, err);
    if (rc)
        goto out;

    struct sok_progress prog;
    sok_progress_init(&prog, "indexing", walk.n, opts->quiet);
    for (size_t i = 0; i < walk.n && rc == 0; i++) {
        rc = index_file(w, a, &walk.files[i], &ks, opts->quiet, st, err);
        sok_progress_update(&prog, i + 1);
    }
    sok_progress_done(&prog);
    unsigned long docs = 0;
    for (size_t i = 0; i < ks.n && rc == 0; i++) {
        struct known *k = &ks.v[i];
        if (k->seen || !sok_walk_covers(&walk, k->path)) {
            docs++;
            continue;
        }
        rc = delete_file(w, k->key, err);
        st->deleted++;
    }
    st->docs = docs + st->added;
    if (rc == 0)
        rc = bump_revision(w, err);
    if (rc == 0)
        rc = sok_xw_commit(w, err);
    if (rc == 0)
        rc = sok_xw_doccount(w, &st->sections, err);
    sok_xw_free(w);
    w = NULL;
    if (rc == 0 && fresh)
        rc = sok_layout_publish(&lay, gen, err);
    if (rc == 0)
        rc = sok_layout_prune(&lay, err);
out:
    sok_xw_free(w);
    sok_analyzer_free(a);
    free(gpath);
    free_known(&ks);
    sok_layout_close(&lay);
    sok_walk_free(&walk);
    st->seconds = sok_now() - t0;
    return rc;
}
