/*
 * engine: reader lifecycle for one worker thread (see engine.h).
 */
#include "engine.h"
#include "shards.h"
#include "spell.h"
#include "sok_doc.h"
#include "sok_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An index written under another schema would silently return nonsense
 * (different prefixes or slots); refuse it instead.  An index without the
 * key is accepted: it predates the key or is an empty first revision. */
static int check_schema(struct sok_xr *xr, struct sok_err *err)
{
    char *val = NULL;
    size_t len = 0;
    int rc = sok_xr_get_metadata(xr, SOK_META_SCHEMA, &val, &len, err);
    int v = len > 0 ? atoi(val) : 0;
    if (rc == 0 && len > 0 &&
        (v < SOK_SCHEMA_OLDEST_READ || v > SOK_SCHEMA_VERSION))
        rc = sok_err_set(err, SOK_ECORRUPT,
                         "index has schema %.20s, this server reads %d to %d",
                         val, SOK_SCHEMA_OLDEST_READ, SOK_SCHEMA_VERSION);
    free(val);
    return rc;
}

int sok_engine_open_xr(const char *db, const struct sok_engine_opts *opts,
                       struct sok_xr **xr, struct sok_err *err)
{
    unsigned epoch[SOK_SHARDS_MAX];
    if (opts != NULL && opts->shards != NULL)
        return sok_shards_open(opts->shards, xr, epoch, err);
    return sok_xr_open(db, xr, err);
}

uint64_t sok_engine_missing(struct sok_engine *e)
{
    if (e->opts.shards == NULL || e->xr == NULL)
        return 0;
    return sok_shards_note(e->opts.shards, e->xr, e->shard_epoch);
}

static int open_reader(struct sok_engine *e, struct sok_err *err)
{
    struct sok_xr *xr = NULL;
    int rc = e->opts.shards
                 ? sok_shards_open(e->opts.shards, &xr, e->shard_epoch, err)
                 : sok_xr_open(e->db, &xr, err);
    if (rc == 0)
        rc = check_schema(xr, err);
    if (rc != 0) {
        sok_xr_free(xr);
        return rc;
    }
    e->xr = xr;
    e->gen++;
    return 0;
}

int sok_engine_new(const char *db, const struct sok_engine_opts *opts,
                   struct sok_engine **out, struct sok_err *err)
{
    static const struct sok_engine_opts defaults = SOK_ENGINE_OPTS_INIT;
    *out = NULL;
    struct sok_engine *e = calloc(1, sizeof *e);
    if (e == NULL || (e->db = strdup(db)) == NULL) {
        free(e);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    e->opts = opts ? *opts : defaults;
    int rc = 0;
    if (e->opts.spell == NULL) {
        rc = sok_spell_shared_new(db, &e->spell_own, err);
        e->opts.spell = e->spell_own;
        if (rc == 0)
            sok_spell_shared_use_shards(e->spell_own, e->opts.shards);
    }
    if (rc == 0)
        rc = sok_analyzer_new(&e->an, err);
    if (rc != 0) {
        sok_engine_free(e);
        return rc;
    }
    *out = e;
    return open_reader(e, err);
}

void sok_engine_free(struct sok_engine *e)
{
    if (e == NULL)
        return;
    sok_spell_release(e);
    sok_vocab_view_release(&e->vocab);
    sok_spell_shared_free(e->spell_own);
    sok_xr_free(e->xr);
    sok_analyzer_free(e->an);
    free(e->db);
    free(e);
}

int sok_engine_refresh(struct sok_engine *e, struct sok_err *err)
{
    if (e->xr != NULL) {
        int changed = 0;
        struct sok_err tmp = SOK_ERR_INIT;
        if (e->opts.shards != NULL &&
            sok_shards_sync(e->opts.shards, e->xr, e->shard_epoch))
            e->gen++;
        if (sok_xr_refresh(e->xr, &changed, &tmp) == 0) {
            if (!changed)
                return 0;
            e->gen++;
            if (check_schema(e->xr, &tmp) == 0)
                return 0;
        }
        /* The reader is broken (index deleted, stub swapped to something
         * unreadable, schema changed): drop it and try a clean open, which
         * also reports the up-to-date reason. */
        sok_xr_free(e->xr);
        e->xr = NULL;
        e->gen++;
    }
    return open_reader(e, err);
}

int sok_engine_stats(struct sok_engine *e, unsigned long *docs,
                     unsigned long *revision, struct sok_err *err)
{
    if (e->xr == NULL)
        return sok_err_set(err, SOK_ENODB, NULL);
    return sok_engine_reader_stats(e->xr, docs, revision, err);
}

int sok_engine_reader_stats(struct sok_xr *xr, unsigned long *docs,
                            unsigned long *revision, struct sok_err *err)
{
    int rc = sok_xr_doccount(xr, docs, err);
    if (rc != 0)
        return rc;
    char *val = NULL;
    size_t len = 0;
    rc = sok_xr_get_metadata(xr, SOK_META_REVISION, &val, &len, err);
    if (rc == 0 && len > 0)
        *revision = strtoul(val, NULL, 10);
    else if (rc == 0)
        rc = sok_xr_revision(xr, revision, err);
    free(val);
    return rc;
}

unsigned long sok_engine_xrev(struct sok_engine *e)
{
    unsigned long rev = 0;
    struct sok_err ignore = SOK_ERR_INIT;
    if (e->xr == NULL || sok_xr_revision(e->xr, &rev, &ignore) != 0)
        return 0;
    return rev;
}

unsigned long sok_engine_termfreq(struct sok_engine *e, const char *prefix,
                                  const char *t, size_t len)
{
    char term[SOK_TERM_MAX + 8];
    size_t pl = strlen(prefix);
    unsigned long f = 0;
    if (e->xr == NULL || len == 0 || pl + len >= sizeof term)
        return 0;
    memcpy(term, prefix, pl);
    memcpy(term + pl, t, len);
    struct sok_err ignore = SOK_ERR_INIT;
    if (sok_xr_termfreq(e->xr, term, pl + len, &f, &ignore) != 0)
        return 0;
    return f;
}

unsigned long sok_engine_stemfreq(struct sok_engine *e, const char *s,
                                  size_t len)
{
    return sok_engine_termfreq(e, SOK_PREFIX_STEM, s, len) +
           sok_engine_termfreq(e, "", s, len);
}

int sok_engine_has_prefix(struct sok_engine *e, const char *p, size_t len)
{
    int found = 0;
    struct sok_err ignore = SOK_ERR_INIT;
    if (e->xr == NULL || sok_xr_has_prefix(e->xr, p, len, &found, &ignore))
        return 0;
    return found;
}

size_t sok_engine_stem(struct sok_engine *e, const char *w, size_t len,
                       char *out, size_t cap)
{
    struct sok_token tok = { w, len, 0, len, 1, SOK_TOK_WORD };
    struct sok_err ignore = SOK_ERR_INIT;
    int n = sok_analyzer_stem(e->an, &tok, out, cap, &ignore);
    return n > 0 ? (size_t)n : 0;
}

int sok_engine_section(struct sok_engine *e, const char *id, json_t **doc,
                       struct sok_err *err)
{
    *doc = NULL;
    if (e->xr == NULL)
        return sok_err_set(err, SOK_ENODB, NULL);
    if (strlen(id) > 32)
        return sok_err_set(err, SOK_ENOTFOUND, "no such section");
    char uterm[64];
    snprintf(uterm, sizeof uterm, "%s%s", SOK_PREFIX_ID, id);
    char *data = NULL;
    size_t len = 0;
    int rc = sok_xr_get_data(e->xr, uterm, &data, &len, err);
    if (rc != 0) {
        free(data);
        return rc;
    }
    *doc = sok_doc_record_parse(data, len);
    free(data);
    if (!json_is_object(*doc)) {
        json_decref(*doc);
        *doc = NULL;
        return sok_err_set(err, SOK_ECORRUPT, "unreadable section record");
    }
    return 0;
}
