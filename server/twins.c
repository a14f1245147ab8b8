/*
 * twins: grouping the copies of one passage into one hit (see twins.h).
 */
#include "twins.h"
#include "dedup.h"
#include "sok_doc.h"

#include <stdlib.h>
#include <string.h>

int sok_twin_doc(struct sok_twin *t, struct sok_err *err)
{
    if (t->doc != NULL)
        return 0;
    if (t->data == NULL && t->fetch != NULL) {
        int rc = t->fetch(t->fetch_ctx, t->docid, &t->fetched, &t->data_len,
                          err);
        if (rc == SOK_ENOTFOUND)    /* gone since the search: shown empty */
            sok_err_clear(err);
        else if (rc != 0)
            return rc;
        t->data = t->fetched;
    }
    t->doc = sok_doc_record_parse(t->data, t->data_len);
    if (!json_is_object(t->doc)) {
        json_decref(t->doc);
        t->doc = json_object();
        if (t->doc == NULL)
            return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    return 0;
}

const char *sok_twin_str(const struct sok_twin *t, const char *key)
{
    const char *s = json_string_value(json_object_get(t->doc, key));
    return s ? s : "";
}

static int twin_shingles(struct sok_twin *t, struct sok_err *err)
{
    if (t->sh_done)
        return 0;
    t->sh_done = 1;
    int rc = sok_twin_doc(t, err);
    if (rc != 0)
        return rc;
    json_t *text = json_object_get(t->doc, "text");
    if (!json_is_string(text))
        return 0;
    return sok_dedup_shingles(json_string_value(text),
                              json_string_length(text), &t->sh, &t->nsh,
                              err);
}

void sok_twins_free(struct sok_twin *t, size_t n)
{
    for (size_t i = 0; t != NULL && i < n; i++) {
        json_decref(t[i].doc);
        t[i].doc = NULL;
        free(t[i].sh);
        t[i].sh = NULL;
        if (t[i].data == t[i].fetched)
            t[i].data = NULL;
        free(t[i].fetched);
        t[i].fetched = NULL;
    }
}

void sok_twins_groups_free(struct sok_twin_group *g, size_t n)
{
    for (size_t i = 0; g != NULL && i < n; i++) {
        free(g[i].copy);
        g[i].copy = NULL;
        g[i].n = g[i].cap = 0;
    }
}

/* ------------------------------------------------------------ faces */

/* How readable a copy's format is: the web page first, the PDF last. */
static int format_rank(const struct sok_twin *t)
{
    switch (sok_format_from_path(sok_twin_str(t, "source"))) {
    case SOK_FMT_HTML:
        return 3;
    case SOK_FMT_MARKDOWN:
        return 2;
    case SOK_FMT_PDF:
        return 0;
    default:
        return 1;
    }
}

/* How much t is preferred as the face of group self among g[0..ng): its
 * format, then a date (the richer copy), then a file whose sections
 * another group already shows, so one page does not mix two copies of a
 * document. */
static int preference(const struct sok_twin *t, const struct sok_twin_group *g,
                      size_t ng, size_t self)
{
    int v = format_rank(t) * 4 + (sok_twin_str(t, "date")[0] ? 2 : 0);
    const char *src = sok_twin_str(t, "source");
    for (size_t k = 0; k < ng; k++)
        if (k != self && g[k].n > 0 &&
            strcmp(sok_twin_str(g[k].copy[0], "source"), src) == 0)
            return v + 1;
    return v;
}

/* Puts group self's copies in order of preference, keeping the order they
 * came in (rank) among equals: copy[0] becomes its face. */
static void order_copies(struct sok_twin_group *g, size_t ng, size_t self)
{
    struct sok_twin_group *s = &g[self];
    int pref[64];
    size_t n = s->n < 64 ? s->n : 64;   /* past 64, left as they came */
    for (size_t i = 0; i < n; i++)
        pref[i] = preference(s->copy[i], g, ng, self);
    for (size_t i = 1; i < n; i++) {
        struct sok_twin *t = s->copy[i];
        int p = pref[i];
        size_t j = i;
        for (; j > 0 && pref[j - 1] < p; j--) {
            s->copy[j] = s->copy[j - 1];
            pref[j] = pref[j - 1];
        }
        s->copy[j] = t;
        pref[j] = p;
    }
}

static int add_copy(struct sok_twin_group *g, struct sok_twin *t,
                    struct sok_err *err)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 4;
        struct sok_twin **c = realloc(g->copy, cap * sizeof *c);
        if (c == NULL)
            return sok_err_set(err, SOK_ENOMEM, NULL);
        g->copy = c;
        g->cap = cap;
    }
    g->copy[g->n++] = t;
    t->taken = 1;
    return 0;
}

/* ----------------------------------------------------------- groups */

/* Whether m, an uncollapsed result, is a copy of hit h: the same collapse
 * key (Xapian folded it into h) and the same text.  Sections too short to
 * judge by content share a key only when their whole text (and title) is
 * the same. */
static int is_copy(struct sok_twin *h, struct sok_twin *m,
                   struct sok_err *err, int *rc)
{
    if (m->taken || m->docid == h->docid || h->klen == 0 ||
        m->klen != h->klen || memcmp(m->key, h->key, h->klen) != 0)
        return 0;
    if ((*rc = twin_shingles(m, err)) != 0)
        return 0;
    if (h->nsh < SOK_DEDUP_MIN && m->nsh < SOK_DEDUP_MIN)
        return 1;
    return sok_dedup_similar(h->sh, h->nsh, m->sh, m->nsh);
}

/* The group above whose copies hold h's text or lie inside it; ng when
 * none. */
static size_t holder(const struct sok_twin_group *g, size_t ng,
                     const struct sok_twin *h)
{
    for (size_t k = 0; k < ng; k++)
        for (size_t c = 0; c < g[k].n; c++)
            if (sok_dedup_similar(g[k].copy[c]->sh, g[k].copy[c]->nsh,
                                  h->sh, h->nsh))
                return k;
    return ng;
}

int sok_twins_group(struct sok_twin *h, size_t nh, struct sok_twin *m,
                    size_t nm, size_t want, struct sok_twin_group *g,
                    size_t *ng, size_t *seen, struct sok_err *err)
{
    int rc = 0;
    *ng = 0;
    *seen = 0;
    for (size_t i = 0; i < nh && *ng < want; i++) {
        struct sok_twin *t = &h[i];
        *seen = i + 1;
        if ((rc = twin_shingles(t, err)) != 0)
            return rc;
        size_t k = holder(g, *ng, t);
        struct sok_twin_group *dst = &g[k];
        if (k == *ng) {
            memset(dst, 0, sizeof *dst);
            dst->first = t;
            dst->score = t->score;
            (*ng)++;
        } else {
            t->folded = 1;
            dst->collapsed++;
        }
        dst->collapsed += t->collapsed;
        if ((rc = add_copy(dst, t, err)) != 0)
            return rc;
        for (size_t j = 0; j < nm && (t->collapsed > 0 || t->unsure); j++) {
            if (is_copy(t, &m[j], err, &rc))
                rc = add_copy(dst, &m[j], err);
            if (rc != 0)
                return rc;
        }
        /* Xapian's collapse count is a lower bound: a copy it skipped
         * unseen may still be among m. */
        if (dst->collapsed < dst->n - 1)
            dst->collapsed = (unsigned)(dst->n - 1);
        order_copies(g, *ng, k);
    }
    return 0;
}
