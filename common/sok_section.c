/*
 * sok_section: cuts an extracted document into the sections that become
 * separate search hits, and gives each a title, type, date and stable id.
 *
 * Every heading starts a section, with two refinements:
 *  - A heading with no body text before the next heading is context, not a
 *    section: at the very top of the document it names the whole document
 *    (the document title); elsewhere it is carried into the next section's
 *    title as "Context – Title" ("Tema: Hälsa – Bättre hälsa för unga
 *    romer", "Allmänna frågor – Personlig representant").  The rule is
 *    the same for every format; in Markdown and HTML only a level-1/2
 *    heading can name the document.
 *  - A plain-text page that holds several news items (a news listing saved
 *    as text) becomes one section per item, with each item's sub-headings
 *    kept inside it as paragraphs.  Such a page is recognised by having at
 *    least two headings after the first that can only start an item (see
 *    item_start()); a page with meeting structure ("Närvarande", "Övriga
 *    frågor") never is one.  A heading that does not obviously start an
 *    item is a sub-heading when its block is short (under SHORT_WORDS
 *    words: a closing remark, a contact box, a poem) or lexically cohesive
 *    with the item so far: at least COHESION of its content-word stems
 *    (sok_stemset.h) already occur in the item; a long block that
 *    continues an item shares far more of its words with it than one that
 *    starts the next.  Markdown and HTML state their structure explicitly,
 *    so there every heading is its own section.
 *
 * Types come from cue words (minutes: Närvarande, Minnesanteckningar,
 * Kallelse, Dagordning, Protokoll, a working group's meeting with a date;
 * reports: Rapport, Utvärdering, Årsredovisning, ...), items of a news page
 * are news; the caller's type override wins.  Dates: a date in the section
 * title; else, in a single-topic document, the document date (from its
 * title or first short lines); else, for a news item, the first date in its
 * first paragraph.  A date without a year ("den 16 mars") takes a year
 * written in the same title or paragraph, else the document's year
 * (sok_date_doc_year); unknown stays "".
 *
 * sok_section_build() runs in phases, each a function below: the document
 * title, raw sections (headings with their bodies), news items,
 * classification (type and date), and emitting the sections, where one
 * too long to read as one hit is cut into parts (sok_section_parts.c).
 */
#include "sok_section.h"
#include "sok_buf.h"
#include "sok_date.h"
#include "sok_stemset.h"
#include "sok_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* News-item grouping (see the file comment): words under which a block
 * is short, and the share of its stems that makes it cohesive. */
#define SHORT_WORDS 120
#define COHESION 0.17

/* Heading shape limits. */
#define HEADING_MAX_CHARS 80
#define HEADING_MAX_WORDS 10

/* The separator between carried context and a title. */
#define TITLE_SEP " \xE2\x80\x93 "      /* " – " */

/* ------------------------------------------------------------------ */
/* UTF-8 helpers                                                        */

/* Decodes the code point at s[i..n); returns its byte length (>= 1) and
 * sets *cp (-1 for an invalid byte). */
static size_t next_cp(const char *s, size_t n, size_t i, utf8proc_int32_t *cp)
{
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(n - i), cp);
    if (k <= 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)k;
}

static int is_upper(utf8proc_int32_t cp)
{
    if (cp < 0)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* Case-folded, NFC copy of s[0..n) (malloc()ed), NULL on failure. */
static char *fold_dup(const char *s, size_t n)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s,
                                      (utf8proc_ssize_t)n, &out,
                                      UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE |
                                      UTF8PROC_STABLE);
    if (r < 0)
        return NULL;
    return (char *)out;
}

static int has_sub(const char *folded, const char *const *list)
{
    for (; *list; list++)
        if (strstr(folded, *list))
            return 1;
    return 0;
}

static int has_prefix(const char *folded, const char *const *list)
{
    for (; *list; list++)
        if (!strncmp(folded, *list, strlen(*list)))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* heading shape                                                        */

/* "Label: value" lines that are data, not headings. */
static const char *const labels[] = {
    "tid", "plats", "datum", "dag", "lokal", "adress", "telefon", "tel",
    "e-post", "epost", "mejl", "mail", "kontakt", "anmälan", "när", "var",
    "pris", "kostnad", "obs", "sista", "kontaktperson", "webb", "fax", NULL
};

int sok_section_heading_shape(const char *s, size_t len)
{
    if (len == 0 || len > 4 * HEADING_MAX_CHARS)
        return 0;
    utf8proc_int32_t first;
    next_cp(s, len, 0, &first);
    if (!is_upper(first) && !(first >= '0' && first <= '9'))
        return 0;

    size_t chars = 0, words = 1;
    int letters = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        i += next_cp(s, len, i, &cp);
        chars++;
        letters |= sok_text_is_letter(cp);
        if (cp == ' ')
            words++;
    }
    if (!letters || chars > HEADING_MAX_CHARS || words > HEADING_MAX_WORDS)
        return 0;

    /* "1. Kartläggning", "2) Analys": numbered list items */
    size_t d = 0;
    while (d < len && s[d] >= '0' && s[d] <= '9')
        d++;
    if (d > 0 && d + 1 < len && (s[d] == '.' || s[d] == ')') &&
        s[d + 1] == ' ')
        return 0;

    char last = s[len - 1];
    if (strchr(".:;,)-(", last))
        return 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if ((s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i + 1] == ' ')
            return 0;                       /* two sentences */
        if (s[i] == '@')
            return 0;
    }
    if (memmem(s, len, "://", 3) || memmem(s, len, "www.", 4))
        return 0;

    const char *colon = memchr(s, ':', len);
    if (colon && colon + 1 < s + len && colon[1] == ' ') {
        size_t pn = (size_t)(colon - s);
        if (memchr(s, ' ', pn))
            return 0;      /* "Läs alla anteckningar från mötet: ..." */
        for (const char *v = colon; v < s + len; v++)
            if (*v >= '0' && *v <= '9')
                return 0;  /* "Tid: måndagen den 16 mars, klockan 13:30" */
        char *f = fold_dup(s, pn);
        int lab = 0;
        if (f) {
            for (const char *const *l = labels; *l; l++)
                if (!strcmp(f, *l))
                    lab = 1;
            free(f);
        }
        if (lab)
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* cues                                                                 */

static const char *const minutes_words[] = {
    "minnesanteckningar", "mötesanteckningar", "protokoll", "kallelse",
    "dagordning", NULL
};

/* Meetings of a standing group: with a date, the text is about that
 * meeting ("Gemensam utvecklingsgrupp 13 februari 2017"). */
static const char *const meeting_groups[] = {
    "utvecklingsgrupp", "ledningsgrupp", "styrgrupp", "arbetsgrupp",
    "referensgrupp", "samverkansgrupp", "nätverksträff", NULL
};

static const char *const report_words[] = {
    "rapport", "utvärdering", "årsredovisning", "verksamhetsberättelse",
    "kvalitetsberättelse", "årsberättelse", "förstudie", NULL
};

/* Headings that only meeting minutes have. */
static const char *const minutes_headings[] = {
    "närvarande", "frånvarande", "övriga frågor", "allmänna frågor",
    "dagordning", "mötets öppnande", "nästa möte", "justering", NULL
};

/* Title words that start a news item. */
static const char *const item_words[] = {
    "kallelse", "minnesanteckningar", "mötesanteckningar", "inbjudan",
    "protokoll", "dagordning", NULL
};

static int has_day_month(const char *s, size_t n)
{
    char tmp[11];
    return sok_date_find(s, n, 2000, tmp);   /* any year: only the form */
}

static enum sok_type title_cue(const char *title)
{
    char *f = fold_dup(title, strlen(title));
    if (f == NULL)
        return SOK_TYPE_UNSET;
    enum sok_type t = SOK_TYPE_UNSET;
    if (has_sub(f, minutes_words) ||
        (has_sub(f, meeting_groups) && has_day_month(title, strlen(title))))
        t = SOK_TYPE_MINUTES;
    else if (has_sub(f, report_words))
        t = SOK_TYPE_REPORT;
    free(f);
    return t;
}

/* A heading that can only start a news item: it is dated (a date or a
 * year), a question or exclamation, or opens with a meeting-notice word. */
static int item_start(const char *title)
{
    size_t n = strlen(title);
    if (n == 0)
        return 0;
    if (title[n - 1] == '?' || title[n - 1] == '!')
        return 1;
    if (has_day_month(title, n) || sok_date_doc_year(title, n))
        return 1;
    char *f = fold_dup(title, n);
    int r = f && has_prefix(f, item_words);
    free(f);
    return r;
}

/* Meeting structure anywhere: a "Närvarande" heading or line, or agenda
 * headings such as "Övriga frågor". */
static int has_minutes_structure(const struct sok_extracted *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const char *t = x->blocks[i].text;
        size_t n = strlen(t);
        if (n > 40) {               /* enough for a heading; cut on a */
            n = sok_utf8_floor(t, n, 40);   /* character boundary */
        }
        char *f = fold_dup(t, n);
        if (f == NULL)
            continue;
        size_t fn = strlen(f);
        while (fn && (f[fn - 1] == ':' || f[fn - 1] == ' '))
            f[--fn] = '\0';
        int hit = !strcmp(f, "närvarande") ||
                  !strncmp(f, "närvarande:", 11);
        if (!hit && x->blocks[i].level > 0)
            for (const char *const *h = minutes_headings; *h; h++)
                if (!strcmp(f, *h))
                    hit = 1;
        free(f);
        if (hit)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* building                                                             */

/* A heading and the body blocks under it: blocks[first, end). */
struct raw {
    char *title;         /* owned, with carried context */
    const struct sok_extracted_block *head;   /* NULL: text before any
                                                 heading */
    size_t first, end;
};

/* One section to emit: raws[a, b), the first raw section with the
 * sub-headings grouped into it (on a news page; elsewhere b == a + 1). */
struct item {
    size_t a, b;
};

/* What the phases of sok_section_build() hand on to each other. */
struct build {
    const struct sok_extracted *x;
    const struct sok_extracted_block *B;     /* x->blocks */
    size_t n;                                /* x->n */
    enum sok_type override;   /* the caller's, SOK_TYPE_UNSET: none */
    size_t start;        /* 1 when the top heading names the document:
                            sections start after it */
    int doc_year;        /* the year most often written; 0 when none */
    struct raw *raws;    /* owned, nraw used */
    size_t nraw;
    struct item *items;  /* owned, nitem used */
    size_t nitem;
    int minutes;         /* meeting structure somewhere */
    int news;            /* a page of news items */
};

/* A year written in s, else fallback. */
static int year_hint(const char *s, size_t n, int fallback)
{
    int y = sok_date_doc_year(s, n);
    return y ? y : fallback;
}

static int date_in(const char *s, int doc_year, char out[11])
{
    size_t n = strlen(s);
    return sok_date_find(s, n, year_hint(s, n, doc_year), out);
}

/* File name without directory and extension, "_"/"-" as spaces. */
static char *name_from_path(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    char *r = strndup(b, n);
    if (r)
        for (char *p = r; *p; p++)
            if (*p == '_' || *p == '-')
                *p = ' ';
    return r;
}

static void free_raws(struct raw *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].title);
    free(r);
}

/* 1 when the heading B[i] is over navigation only: the blocks up to the
 * next heading are all links or contents lines ("Innehåll"). */
static int heads_nav(const struct build *b, size_t i)
{
    size_t j = i + 1;
    while (j < b->n && b->B[j].level == 0 && b->B[j].kind != SOK_BLOCK_TEXT)
        j++;
    return j > i + 1 && (j == b->n || b->B[j].level > 0);
}

/* Phase 1, the title: the document's year, and doc->title: the title the
 * source states, else an empty heading at the very top, else the first
 * heading (not one over navigation), else the file name.  An empty
 * heading at the very top names the document in any case, so sections
 * start after it (b->start). */
static int doc_title(struct build *b, struct sok_document *doc)
{
    const struct sok_extracted_block *B = b->B;
    int rc = 0;
    struct sok_buf all = SOK_BUF_INIT;
    for (size_t i = 0; i < b->n; i++) {
        sok_buf_puts(&all, B[i].text, &rc);
        sok_buf_append(&all, "\n\n", 2, &rc);
    }
    if (rc == 0)
        b->doc_year = sok_date_doc_year(all.p ? all.p : "", all.n);
    sok_buf_free(&all);
    if (rc)
        return rc;

    const char *dtitle = b->x->title;
    if (b->n >= 2 && B[0].level > 0 && B[1].level > 0 &&
        (b->x->flat || B[0].level <= 2)) {
        if (dtitle == NULL)
            dtitle = B[0].text;
        b->start = 1;
    }
    for (size_t i = b->start; dtitle == NULL && i < b->n; i++)
        if (B[i].level > 0 && !heads_nav(b, i))
            dtitle = B[i].text;
    doc->title = dtitle ? strdup(dtitle) : name_from_path(doc->source);
    return doc->title ? 0 : SOK_ENOMEM;
}

/* Phase 2, raw sections: one per heading that has a body, plus the text
 * before the first heading (titled doc_title).  A heading with no body
 * before the next heading is context, carried into the next title.  A
 * document without any text gets no raw section: nothing to find. */
static int raw_sections(struct build *b, const char *doc_title)
{
    const struct sok_extracted_block *B = b->B;
    int rc = 0;
    struct sok_buf carry = SOK_BUF_INIT;
    b->raws = calloc(b->n + 1, sizeof *b->raws);
    if (b->raws == NULL)
        return SOK_ENOMEM;
    for (size_t i = b->start; i < b->n && rc == 0;) {
        size_t j = i;
        const struct sok_extracted_block *h = NULL;
        if (B[i].level > 0)
            h = &B[j++];
        size_t first = j;
        while (j < b->n && B[j].level == 0)
            j++;
        if (h && first == j && j < b->n) {        /* empty: context */
            sok_buf_puts(&carry, h->text, &rc);
            sok_buf_puts(&carry, TITLE_SEP, &rc);
        } else {
            struct raw *r = &b->raws[b->nraw++];
            r->head = h;
            r->first = first;
            r->end = j;
            sok_buf_puts(&carry, h ? h->text : doc_title, &rc);
            if (rc == 0 && (r->title = sok_buf_detach(&carry, NULL)) == NULL)
                rc = SOK_ENOMEM;
        }
        i = j;
    }
    sok_buf_free(&carry);
    return rc;
}

/* Adds the stems of raws[k]'s title and body to set, counting the body's
 * words into *words (may be NULL). */
static int raw_words(const struct build *b, size_t k, struct sok_stemset *set,
                     size_t *words)
{
    const struct raw *r = &b->raws[k];
    int rc = sok_stemset_add_text(set, r->title, strlen(r->title), NULL);
    for (size_t j = r->first; j < r->end && rc == 0; j++)
        rc = sok_stemset_add_text(set, b->B[j].text, strlen(b->B[j].text),
                                  words);
    return rc;
}

/* Groups the raw sections of a news page into items (see the file
 * comment): the first opens an item; each later one joins the current
 * item as a sub-heading or opens the next. */
static int group_items(struct build *b)
{
    /* the stems of the current item and of the candidate raw section */
    struct sok_stemset istems = SOK_STEMSET_INIT;
    struct sok_stemset cstems = SOK_STEMSET_INIT;
    b->items[b->nitem++] = (struct item){ 0, 1 };
    int rc = raw_words(b, 0, &istems, NULL);
    for (size_t k = 1; k < b->nraw && rc == 0; k++) {
        size_t words = 0;
        sok_stemset_clear(&cstems);
        if ((rc = raw_words(b, k, &cstems, &words)) != 0)
            break;
        int sub = !item_start(b->raws[k].title) &&
                  (words < SHORT_WORDS ||
                   sok_stemset_overlap(&cstems, &istems) >= COHESION);
        if (sub) {
            b->items[b->nitem - 1].b = k + 1;
            rc = sok_stemset_merge(&istems, &cstems);
        } else {
            b->items[b->nitem++] = (struct item){ k, k + 1 };
            sok_stemset_clear(&istems);
            istems = cstems;
            cstems = (struct sok_stemset)SOK_STEMSET_INIT;
        }
    }
    sok_stemset_clear(&istems);
    sok_stemset_clear(&cstems);
    return rc;
}

/* Phase 3, news items: whether this is a page of news items (plain text
 * without meeting structure, at least two later headings that can only
 * start an item); if so its raw sections are grouped into items, else
 * each is an item of its own. */
static int news_items(struct build *b)
{
    b->minutes = has_minutes_structure(b->x);
    if (b->x->flat && !b->minutes && b->nraw >= 3) {
        size_t starts = 0;
        for (size_t k = 1; k < b->nraw; k++)
            starts += b->raws[k].head && item_start(b->raws[k].title);
        b->news = starts >= 2;
    }
    b->items = calloc(b->nraw + 1, sizeof *b->items);
    if (b->items == NULL)
        return SOK_ENOMEM;
    if (b->news)
        return group_items(b);
    for (size_t k = 0; k < b->nraw; k++)
        b->items[b->nitem++] = (struct item){ k, k + 1 };
    return 0;
}

/* A page of news items has a title of its own when the source states one
 * or a heading heads the page (b->start); else its title is its first
 * item's, which names no other item: it has none. */
static int news_title(const struct build *b, struct sok_document *doc)
{
    if (!b->news || b->x->title || b->start)
        return 0;
    free(doc->title);
    doc->title = strdup("");
    return doc->title ? 0 : SOK_ENOMEM;
}

/* Phase 4, classification: the document's type (the caller's override,
 * else news page, meeting structure, its title's cue, other) and date (a
 * date in its title, else a dateline among the first few short blocks;
 * a news page's date comes from its items in phase 5). */
static void classify(const struct build *b, struct sok_document *doc)
{
    enum sok_type cue = title_cue(doc->title);
    if (b->override != SOK_TYPE_UNSET)
        doc->type = b->override;
    else if (b->news)
        doc->type = SOK_TYPE_NEWS;
    else if (b->minutes)
        doc->type = SOK_TYPE_MINUTES;
    else if (cue != SOK_TYPE_UNSET)
        doc->type = cue;
    else
        doc->type = SOK_TYPE_OTHER;
    doc->date[0] = '\0';
    if (b->news || date_in(doc->title, b->doc_year, doc->date))
        return;
    for (size_t i = b->start; i < b->n && i < b->start + 5; i++)
        if (strlen(b->B[i].text) <= 120 &&
            date_in(b->B[i].text, b->doc_year, doc->date))
            break;
}

/* 1 when item it holds navigation only: body blocks, every one of them
 * links or contents lines. */
static int item_nav(const struct build *b, const struct item *it)
{
    size_t body = 0;
    for (size_t k = it->a; k < it->b; k++)
        for (size_t j = b->raws[k].first; j < b->raws[k].end; j++) {
            if (b->B[j].kind == SOK_BLOCK_TEXT)
                return 0;
            body++;
        }
    return body > 0;
}

/* Records in m where block j starts in the text being built (t.n). */
static void mark(struct sok_section_marks *m, size_t off, unsigned page,
                 int *rc)
{
    if (*rc)
        return;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct sok_section_mark *v = realloc(m->v, cap * sizeof *v);
        if (v == NULL) {
            *rc = SOK_ENOMEM;
            return;
        }
        m->v = v;
        m->cap = cap;
    }
    m->v[m->n++] = (struct sok_section_mark){ off, page };
}

/* The text of item it: the first raw section's body, then each
 * sub-heading as its own paragraph followed by its body; paragraphs
 * separated by a blank line.  Contents lines are left out, unless they
 * are all there is (nav: a section of navigation, kept for reading).
 * Where each block starts goes into m (emptied first), for cutting a long
 * section into parts.  malloc()ed; NULL on ENOMEM. */
static char *item_text(const struct build *b, const struct item *it, int nav,
                       struct sok_section_marks *m)
{
    int rc = 0;
    struct sok_buf t = SOK_BUF_INIT;
    m->n = 0;
    for (size_t k = it->a; k < it->b; k++) {
        if (k > it->a) {
            if (t.n)
                sok_buf_append(&t, "\n\n", 2, &rc);
            sok_buf_puts(&t, b->raws[k].title, &rc);
        }
        for (size_t j = b->raws[k].first; j < b->raws[k].end; j++) {
            if (!nav && b->B[j].kind == SOK_BLOCK_TOC)
                continue;
            if (t.n)
                sok_buf_append(&t, "\n\n", 2, &rc);
            mark(m, t.n, b->B[j].page, &rc);
            sok_buf_puts(&t, b->B[j].text, &rc);
        }
    }
    char *r = rc ? NULL : sok_buf_detach(&t, NULL);
    sok_buf_free(&t);
    return r;
}

/* A section's type and date.  Type: the override, else on a news page its
 * title's cue or news, else its title's cue in a document of no
 * particular type, else the document's type.  Date: one in its title,
 * else the document's, else on a news page the first date in its first
 * paragraph; a news page is as recent as its newest item. */
static void classify_section(const struct build *b, const struct raw *r0,
                             struct sok_document *doc,
                             struct sok_section *sec)
{
    enum sok_type cue = title_cue(sec->title);
    if (b->override != SOK_TYPE_UNSET)
        sec->type = b->override;
    else if (b->news)
        sec->type = cue != SOK_TYPE_UNSET ? cue : SOK_TYPE_NEWS;
    else if (doc->type == SOK_TYPE_OTHER && cue != SOK_TYPE_UNSET)
        sec->type = cue;
    else
        sec->type = doc->type;

    sec->date[0] = '\0';
    if (!(r0->head && date_in(sec->title, b->doc_year, sec->date))) {
        if (!b->news)
            memcpy(sec->date, doc->date, sizeof sec->date);
        else if (r0->first < r0->end)
            date_in(b->B[r0->first].text, b->doc_year, sec->date);
    }
    if (b->news && strcmp(sec->date, doc->date) > 0)
        memcpy(doc->date, sec->date, sizeof doc->date);
}

/* Phase 5, emit: one section of doc per item, with its title, anchor,
 * text, type, date and id; a long one cut into parts
 * (sok_section_split()).  On error doc holds the sections so far. */
static int emit(const struct build *b, struct sok_document *doc)
{
    size_t cap = b->nitem + 1;
    doc->sections = calloc(cap, sizeof *doc->sections);
    if (doc->sections == NULL)
        return SOK_ENOMEM;
    struct sok_section_marks marks = { 0, 0, NULL };
    int rc = 0;
    sok_section_cap_title(doc->title);
    for (size_t s = 0; s < b->nitem && rc == 0; s++) {
        struct sok_section *sec = &doc->sections[doc->nsections++];
        const struct raw *r0 = &b->raws[b->items[s].a];
        sec->ordinal = (unsigned)(doc->nsections - 1);
        if ((sec->title = strdup(r0->title)) == NULL ||
            (r0->head && r0->head->anchor &&
             (sec->anchor = strdup(r0->head->anchor)) == NULL)) {
            rc = SOK_ENOMEM;
            break;
        }
        sok_section_cap_title(sec->title);
        sec->nav = item_nav(b, &b->items[s]);
        if ((sec->text = item_text(b, &b->items[s], sec->nav, &marks)) == NULL) {
            rc = SOK_ENOMEM;
            break;
        }
        if (r0->head)
            sec->page = r0->head->page;
        else if (r0->first < r0->end)
            sec->page = b->B[r0->first].page;
        classify_section(b, r0, doc, sec);
        if (strlen(sec->text) > SOK_SECTION_MAX)
            rc = sok_section_split(doc, &cap, &marks);
    }
    free(marks.v);
    return rc ? rc : sok_section_number(doc);
}

int sok_section_build(const struct sok_extracted *x,
                      const struct sok_doc_opts *opts,
                      struct sok_document *doc, struct sok_err *err)
{
    struct build b = {
        .x = x, .B = x->blocks, .n = x->n,
        .override = opts ? opts->type_override : SOK_TYPE_UNSET,
    };
    int rc = doc_title(&b, doc);
    if (rc == 0)
        rc = raw_sections(&b, doc->title);
    if (rc == 0)
        rc = news_items(&b);
    if (rc == 0)
        rc = news_title(&b, doc);
    if (rc == 0) {
        classify(&b, doc);
        rc = emit(&b, doc);
    }
    free(b.items);
    free_raws(b.raws, b.nraw);
    if (rc)
        return sok_err_set(err, rc, "out of memory splitting sections");
    return 0;
}
