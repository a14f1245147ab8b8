/*
 * build: section -> Xapian document.  See build.h and common/sok_terms.h
 * for the schema this writes.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "sok_buf.h"
#include "sok_terms.h"
#include "sok_text.h"

/* Positions left empty between title, document title and body, so a phrase
 * can never match across two fields. */
#define FIELD_GAP 100

/* Words of the body the duplicate key looks at.  Enough to tell apart two
 * sections that merely open the same way, few enough that text appended at
 * the end of one copy (a PDF footer) does not matter. */
#define DUPKEY_WORDS 24
#define DUPKEY_MIN_WORDS 8

struct term_ctx {
    struct sok_xdoc *doc;
    struct sok_prepared *prep;
    struct sok_err *err;
};

static int on_term(void *vctx, const struct sok_term *t)
{
    struct term_ctx *c = vctx;
    int rc;
    c->prep->nterms++;
    if (t->pos)
        rc = sok_xdoc_add_posting(c->doc, t->term, t->len, t->pos, t->wdfinc, c->err);
    else
        rc = sok_xdoc_add_term(c->doc, t->term, t->len, t->wdfinc, c->err);
    /* The spelling dictionary gets the same increments as the wdf of the
     * exact term, so deleting the document (which removes spelling by wdf)
     * takes back exactly what was added. */
    if (rc == 0 && t->is_word && t->len >= 3) {
        rc = sok_counts_add(c->prep->spell, t->term, t->len, t->wdfinc);
        if (rc)
            sok_err_set(c->err, rc, NULL);
    }
    return rc;
}

struct dup_ctx {
    XXH3_state_t *st;
    unsigned n;
};

static int on_dup_token(void *vctx, const struct sok_token *tok)
{
    struct dup_ctx *c = vctx;
    if (tok->flags & SOK_TOK_PART)
        return 0;
    if (c->n >= DUPKEY_WORDS)
        return 1;                    /* enough: stop tokenising */
    XXH3_64bits_update(c->st, tok->text, tok->len);
    XXH3_64bits_update(c->st, " ", 1);
    c->n++;
    return 0;
}

/* Counts body words up to DUPKEY_MIN_WORDS, then stops the tokeniser. */
static int on_count_token(void *vctx, const struct sok_token *tok)
{
    unsigned *n = vctx;
    if (tok->flags & SOK_TOK_PART)
        return 0;
    return ++*n >= DUPKEY_MIN_WORDS;
}

int sok_build_dupkey(const char *title, const char *text, char out[17],
                     struct sok_err *err)
{
    XXH3_state_t *st = XXH3_createState();
    if (st == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    XXH3_64bits_reset(st);
    struct dup_ctx c = { st, 0 };
    unsigned nbody = 0;
    int rc = sok_text_tokenize(text, strlen(text), 0, on_count_token, &nbody,
                               NULL, err);
    /* A body too short to identify the section on its own is keyed with
     * its title in front.  Positive returns are the callbacks' "stop". */
    if (rc >= 0 && nbody < DUPKEY_MIN_WORDS)
        rc = sok_text_tokenize(title, strlen(title), 0, on_dup_token, &c, NULL, err);
    if (rc >= 0)
        rc = sok_text_tokenize(text, strlen(text), 0, on_dup_token, &c, NULL, err);
    snprintf(out, 17, "%016llx", (unsigned long long)XXH3_64bits_digest(st));
    XXH3_freeState(st);
    return rc < 0 ? rc : 0;
}

static int analyze(struct sok_analyzer *a, const char *s, unsigned flags,
                   unsigned *pos, struct term_ctx *c)
{
    int rc = sok_analyze_text(a, s, strlen(s), flags, pos, on_term, c, c->err);
    *pos += FIELD_GAP;
    return rc;
}

static int names_a_section(const struct sok_document *doc)
{
    for (size_t i = 0; i < doc->nsections; i++)
        if (strcmp(doc->title, doc->sections[i].title) == 0)
            return 1;
    return 0;
}

static int build_section(struct sok_analyzer *a, const struct sok_document *doc,
                         size_t i, const char *filekey, struct sok_prepared *p,
                         struct sok_err *err)
{
    const struct sok_section *s = &doc->sections[i];
    struct sok_xdoc *xd = NULL;
    struct sok_buf b = SOK_BUF_INIT;
    int rc = sok_xdoc_new(&xd, err);
    if (rc)
        return rc;
    struct term_ctx c = { xd, p, err };
    unsigned pos = 1;
    /* SOK_ANALYZE_PARTS: compound parts (C) and unaccented forms (U). */
    rc = analyze(a, s->title, SOK_ANALYZE_TITLE | SOK_ANALYZE_PARTS, &pos, &c);
    /* The document's title (a meeting's name and date) helps find every
     * section of it, but only at body weight, and only when it names the
     * whole document: on a news page it is the first item's title, which
     * says nothing about the other items.  A section of navigation (a
     * table of contents, a list of links) is found by its own title only:
     * its text is the other sections' titles. */
    if (rc == 0 && doc->title[0] && !names_a_section(doc) && !s->nav)
        rc = analyze(a, doc->title, SOK_ANALYZE_PARTS, &pos, &c);
    if (rc == 0 && !s->nav)
        rc = analyze(a, s->text, SOK_ANALYZE_PARTS, &pos, &c);

    char term[64];
    const char *tname = sok_type_name(s->type);
    if (tname == NULL)
        tname = "other";
    if (rc == 0) {
        snprintf(p->uterms[i], sizeof p->uterms[i], SOK_PREFIX_ID "%s", s->id);
        rc = sok_xdoc_add_boolean(xd, p->uterms[i], strlen(p->uterms[i]), err);
    }
    if (rc == 0) {
        snprintf(term, sizeof term, SOK_PREFIX_FILE "%s", filekey);
        rc = sok_xdoc_add_boolean(xd, term, strlen(term), err);
    }
    if (rc == 0) {
        snprintf(term, sizeof term, SOK_PREFIX_TYPE "%s", tname);
        rc = sok_xdoc_add_boolean(xd, term, strlen(term), err);
    }
    if (rc == 0)
        rc = sok_xdoc_set_value(xd, SOK_SLOT_TYPE, tname, strlen(tname), err);
    if (rc == 0 && s->date[0]) {
        char ymd[9] = { 0 };
        memcpy(ymd, s->date, 4);
        memcpy(ymd + 4, s->date + 5, 2);
        memcpy(ymd + 6, s->date + 8, 2);
        rc = sok_xdoc_set_value(xd, SOK_SLOT_DATE, ymd, 8, err);
        if (rc == 0)
            rc = sok_xdoc_set_value(xd, SOK_SLOT_YEAR, ymd, 4, err);
        snprintf(term, sizeof term, SOK_PREFIX_YEAR "%.4s", ymd);
        if (rc == 0)
            rc = sok_xdoc_add_boolean(xd, term, strlen(term), err);
        snprintf(term, sizeof term, SOK_PREFIX_MONTH "%.6s", ymd);
        if (rc == 0)
            rc = sok_xdoc_add_boolean(xd, term, strlen(term), err);
    }
    char dup[17];
    if (rc == 0)
        rc = sok_build_dupkey(s->title, s->text, dup, err);
    if (rc == 0)
        rc = sok_xdoc_set_value(xd, SOK_SLOT_DUPKEY, dup, 16, err);
    /* The key, then the facet's value: a remote shard's value counts of
     * these tell passages from copies (sok_terms.h). */
    char keyed[SOK_DUPKEY_LEN + 32];
    int kn = snprintf(keyed, sizeof keyed, "%.16s%s", dup, tname);
    if (rc == 0 && kn > 0 && (size_t)kn < sizeof keyed)
        rc = sok_xdoc_set_value(xd, SOK_SLOT_TYPE_KEYED, keyed, (size_t)kn,
                                err);
    if (rc == 0 && s->date[0]) {
        snprintf(keyed, sizeof keyed, "%.16s%.4s", dup, s->date);
        rc = sok_xdoc_set_value(xd, SOK_SLOT_YEAR_KEYED, keyed,
                                SOK_DUPKEY_LEN + 4, err);
    }
    if (rc == 0) {
        snprintf(term, sizeof term, "%06u", s->ordinal);
        rc = sok_xdoc_set_value(xd, SOK_SLOT_ORDINAL, term, strlen(term), err);
    }
    if (rc == 0)
        rc = sok_xdoc_set_value(xd, SOK_SLOT_FILE, filekey, strlen(filekey), err);
    if (rc == 0) {
        int brc = 0;
        sok_doc_section_record(doc, i, &b, &brc);
        if (brc)
            rc = sok_err_set(err, brc, "cannot encode section data");
        else
            rc = sok_xdoc_set_data(xd, b.p, b.n, err);
    }
    sok_buf_free(&b);
    if (rc) {
        sok_xdoc_free(xd);
        return rc;
    }
    p->docs[i] = xd;
    return 0;
}

int sok_build_document(struct sok_analyzer *a, const struct sok_document *doc,
                       const char *filekey, struct sok_prepared **out,
                       struct sok_err *err)
{
    struct sok_prepared *p = calloc(1, sizeof *p);
    if (p == NULL)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    size_t n = doc->nsections;
    p->docs = calloc(n ? n : 1, sizeof *p->docs);
    p->uterms = calloc(n ? n : 1, sizeof *p->uterms);
    if (p->docs == NULL || p->uterms == NULL || sok_counts_new(&p->spell)) {
        sok_prepared_free(p);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    p->n = n;
    for (size_t i = 0; i < n; i++) {
        int rc = build_section(a, doc, i, filekey, p, err);
        if (rc) {
            sok_prepared_free(p);
            return rc;
        }
    }
    *out = p;
    return 0;
}

void sok_prepared_free(struct sok_prepared *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        sok_xdoc_free(p->docs[i]);
    free(p->docs);
    free(p->uterms);
    sok_counts_free(p->spell);
    free(p);
}
