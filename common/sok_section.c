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
 *    already occur in the item.  On the seed corpus the long blocks score
 *    0.23-0.28 as sub-headings and 0.00-0.11 as new items; a poem under
 *    its own heading (97 words) attaches by length.  Markdown and HTML
 *    state their structure explicitly, so there every heading is its own
 *    section.
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
 */
#include "sok_section.h"
#include "sok_buf.h"
#include "sok_date.h"
#include "sok_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <xxhash.h>

/* News-item grouping; see the file comment. */
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

static int is_letter(utf8proc_int32_t cp)
{
    if (cp < 0)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL ||
           c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_LM ||
           c == UTF8PROC_CATEGORY_LO || c == UTF8PROC_CATEGORY_MN ||
           c == UTF8PROC_CATEGORY_MC;
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
        letters |= is_letter(cp);
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
static int has_minutes_structure(const struct sok_xdoc *x)
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
/* lexical cohesion                                                     */

/* A set of 64-bit word-stem hashes (open addressing; 0 means empty). */
struct hset {
    uint64_t *v;
    size_t cap, n;
};

static int hset_add(struct hset *s, uint64_t h)
{
    if (h == 0)
        h = 1;
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint64_t *nv = calloc(cap, sizeof *nv);
        if (nv == NULL)
            return SOK_ENOMEM;
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) {
                size_t j = s->v[i] & (cap - 1);
                while (nv[j])
                    j = (j + 1) & (cap - 1);
                nv[j] = s->v[i];
            }
        free(s->v);
        s->v = nv;
        s->cap = cap;
    }
    size_t j = h & (s->cap - 1);
    while (s->v[j]) {
        if (s->v[j] == h)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->v[j] = h;
    s->n++;
    return 0;
}

static int hset_has(const struct hset *s, uint64_t h)
{
    if (h == 0)
        h = 1;
    if (s->cap == 0)
        return 0;
    size_t j = h & (s->cap - 1);
    while (s->v[j]) {
        if (s->v[j] == h)
            return 1;
        j = (j + 1) & (s->cap - 1);
    }
    return 0;
}

static void hset_clear(struct hset *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Function words carry no topic. */
static const char *const stopwords[] = {
    "och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till",
    "den", "har", "de", "inte", "om", "ett", "han", "men", "var", "jag",
    "sig", "från", "vi", "så", "kan", "man", "när", "år", "säger", "hon",
    "under", "också", "efter", "eller", "nu", "sin", "där", "vid", "mot",
    "ska", "skulle", "kommer", "ut", "får", "finns", "vara", "alla",
    "andra", "mycket", "än", "här", "då", "sedan", "över", "bara", "in",
    "blir", "upp", "även", "vad", "hade", "dem", "detta", "deras", "vill",
    "många", "hur", "samt", "ha", "du", "dig", "oss", "våra", "vår", "vårt",
    "mer", "sina", "sitt", "dess", "blev", "flera", "genom", "olika",
    "hela", "utan", "mellan", "inom", "både", "varit", "bland", NULL
};

/* Longest first. */
static const char *const suffixes[] = {
    "arnas", "ernas", "ornas", "andes", "arna", "erna", "orna", "ande",
    "ende", "aste", "heten", "het", "ens", "ets", "ans", "are", "ast", "ar",
    "er", "or", "en", "et", "na", "es", "at", "ad", "s", "e", "a", NULL
};

/* Bytes in the longest stopword: longer words need no lookup. */
#define STOPWORD_MAX 7

static int is_stopword(const char *w)
{
    if (strlen(w) > STOPWORD_MAX)
        return 0;
    for (const char *const *s = stopwords; *s; s++)
        if (!strcmp(w, *s))
            return 1;
    return 0;
}

/* Crude Swedish stemming (inflection suffixes off, at least 4 letters
 * left): enough for "barnen"/"barn", "ungdomarna"/"ungdomar" to meet. */
static size_t stem(const char *w, size_t n, size_t chars)
{
    for (const char *const *s = suffixes; *s; s++) {
        size_t sl = strlen(*s);
        if (n > sl && chars >= sl + 4 && !memcmp(w + n - sl, *s, sl))
            return n - sl;
    }
    return n;
}

/* Adds the content-word stems of s[0..n) to set and counts the words
 * (letter or digit runs) into *nwords (may be NULL). */
static int add_words(struct hset *set, const char *s, size_t n,
                     size_t *nwords)
{
    char w[128];
    size_t wn = 0, wc = 0;
    int in_tok = 0;
    for (size_t i = 0; i <= n;) {
        utf8proc_int32_t cp = ' ';
        size_t k = 1;
        if (i < n)
            k = next_cp(s, n, i, &cp);
        i += k;
        int letter = is_letter(cp), digit = cp >= '0' && cp <= '9';
        if ((letter || digit) && !in_tok && nwords)
            ++*nwords;
        in_tok = letter || digit;
        if (letter) {
            char u[4];
            utf8proc_ssize_t ul = utf8proc_encode_char(utf8proc_tolower(cp),
                                                       (utf8proc_uint8_t *)u);
            if (ul > 0 && wn + (size_t)ul < sizeof w) {
                memcpy(w + wn, u, (size_t)ul);
                wn += (size_t)ul;
                wc++;
            }
            continue;
        }
        if (wc >= 3) {
            w[wn] = '\0';
            if (!is_stopword(w) &&
                hset_add(set, XXH3_64bits(w, stem(w, wn, wc))))
                return SOK_ENOMEM;
        }
        wn = wc = 0;
    }
    return 0;
}

/* Fraction of cand's stems present in item. */
static double cohesion(const struct hset *cand, const struct hset *item)
{
    if (cand->n == 0)
        return 0.0;
    size_t hit = 0;
    for (size_t i = 0; i < cand->cap; i++)
        if (cand->v[i] && hset_has(item, cand->v[i]))
            hit++;
    return (double)hit / (double)cand->n;
}

/* ------------------------------------------------------------------ */
/* building                                                             */

void sok_section_id(const char *source, const char *title,
                    unsigned occurrence, char out[17])
{
    char num[16];
    int nn = snprintf(num, sizeof num, "%u", occurrence);
    size_t sl = strlen(source), tl = strlen(title);
    size_t len = sl + 1 + tl + 1 + (size_t)nn;
    char small[512];
    char *buf = len <= sizeof small ? small : malloc(len);
    uint64_t h;
    if (buf) {
        memcpy(buf, source, sl);
        buf[sl] = '\n';
        memcpy(buf + sl + 1, title, tl);
        buf[sl + 1 + tl] = '\n';
        memcpy(buf + sl + 2 + tl, num, (size_t)nn);
        h = XXH3_64bits(buf, len);
        if (buf != small)
            free(buf);
    } else {
        /* No memory for the concatenation: the streaming API gives the
         * same hash without it. */
        XXH3_state_t *st = XXH3_createState();
        if (st == NULL) {
            memset(out, '0', 16);
            out[16] = '\0';
            return;
        }
        XXH3_64bits_reset(st);
        XXH3_64bits_update(st, source, sl);
        XXH3_64bits_update(st, "\n", 1);
        XXH3_64bits_update(st, title, tl);
        XXH3_64bits_update(st, "\n", 1);
        XXH3_64bits_update(st, num, (size_t)nn);
        h = XXH3_64bits_digest(st);
        XXH3_freeState(st);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* A heading and the body blocks under it: blocks[first, end). */
struct raw {
    char *title;                 /* owned, with carried context */
    const struct sok_xblock *head;   /* NULL for text before any heading */
    size_t first, end;
};

struct item {
    size_t a, b;                 /* raws[a, b) */
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

struct title_key {
    uint64_t h;
    size_t i;
};

static int cmp_key(const void *a, const void *b)
{
    const struct title_key *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Gives every section its id: the occurrence number of its title counts
 * earlier sections with the same title.  Sorting by (title hash, position)
 * keeps this O(n log n) for documents with very many sections. */
static int number_titles(struct sok_document *doc)
{
    size_t n = doc->nsections;
    struct title_key *k = malloc((n + 1) * sizeof *k);
    if (k == NULL)
        return SOK_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *t = doc->sections[i].title;
        k[i].h = XXH3_64bits(t, strlen(t));
        k[i].i = i;
    }
    qsort(k, n, sizeof *k, cmp_key);
    for (size_t j = 0; j < n;) {
        size_t e = j;
        unsigned occ = 0;
        while (e < n && k[e].h == k[j].h) {
            struct sok_section *s = &doc->sections[k[e].i];
            /* equal hashes of different titles only shift numbers */
            sok_section_id(doc->source, s->title, occ++, s->id);
            e++;
        }
        j = e;
    }
    free(k);
    return 0;
}

static void free_raws(struct raw *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].title);
    free(r);
}

int sok_section_build(const struct sok_xdoc *x, const struct sok_doc_opts *opts,
                      struct sok_document *doc, struct sok_err *err)
{
    int rc = 0;
    const struct sok_xblock *B = x->blocks;
    size_t n = x->n;
    struct raw *raws = NULL;
    struct item *items = NULL;
    size_t nraw = 0, nitem = 0;
    struct sok_buf all = SOK_BUF_INIT, carry = SOK_BUF_INIT;
    struct hset iset = { 0 }, cset = { 0 };
    enum sok_type override = opts ? opts->type_override : SOK_TYPE_UNSET;

    /* The document's year: the one most often written in it. */
    for (size_t i = 0; i < n; i++) {
        sok_buf_puts(&all, B[i].text, &rc);
        sok_buf_append(&all, "\n\n", 2, &rc);
    }
    if (rc)
        goto oom;
    int doc_year = sok_date_doc_year(all.p ? all.p : "", all.n);

    /* An empty heading at the very top names the document. */
    size_t start = 0;
    const char *dtitle = x->title;
    if (n >= 2 && B[0].level > 0 && B[1].level > 0 &&
        (x->flat || B[0].level <= 2)) {
        if (dtitle == NULL)
            dtitle = B[0].text;
        start = 1;
    }
    for (size_t i = start; dtitle == NULL && i < n; i++)
        if (B[i].level > 0)
            dtitle = B[i].text;
    doc->title = dtitle ? strdup(dtitle) : name_from_path(doc->source);
    if (doc->title == NULL)
        goto oom;

    /* Raw sections: one per heading that has a body (empty ones are
     * carried into the next title), plus the text before the first. */
    raws = calloc(n + 1, sizeof *raws);
    if (raws == NULL)
        goto oom;
    for (size_t i = start; i < n;) {
        size_t j = i;
        const struct sok_xblock *h = NULL;
        if (B[i].level > 0)
            h = &B[j++];
        size_t first = j;
        while (j < n && B[j].level == 0)
            j++;
        if (h && first == j && j < n) {        /* empty: context */
            sok_buf_puts(&carry, h->text, &rc);
            sok_buf_puts(&carry, TITLE_SEP, &rc);
            if (rc)
                goto oom;
            i = j;
            continue;
        }
        struct raw *r = &raws[nraw++];
        r->head = h;
        r->first = first;
        r->end = j;
        sok_buf_puts(&carry, h ? h->text : doc->title, &rc);
        if (rc || (r->title = sok_buf_detach(&carry, NULL)) == NULL)
            goto oom;
        i = j;
    }
    /* A document without any text has no sections: nothing to find. */

    /* Is this a page of news items? */
    int minutes_struct = has_minutes_structure(x);
    int news = 0;
    if (x->flat && !minutes_struct && nraw >= 3) {
        size_t starts = 0;
        for (size_t k = 1; k < nraw; k++)
            starts += raws[k].head && item_start(raws[k].title);
        news = starts >= 2;
    }

    items = calloc(nraw + 1, sizeof *items);
    if (items == NULL)
        goto oom;
    if (!news) {
        for (size_t k = 0; k < nraw; k++)
            items[nitem++] = (struct item){ k, k + 1 };
    } else {
        items[nitem++] = (struct item){ 0, 1 };
        if (add_words(&iset, raws[0].title, strlen(raws[0].title), NULL))
            goto oom;
        for (size_t j = raws[0].first; j < raws[0].end; j++)
            if (add_words(&iset, B[j].text, strlen(B[j].text), NULL))
                goto oom;
        for (size_t k = 1; k < nraw; k++) {
            size_t words = 0;
            hset_clear(&cset);
            if (add_words(&cset, raws[k].title, strlen(raws[k].title), NULL))
                goto oom;
            for (size_t j = raws[k].first; j < raws[k].end; j++)
                if (add_words(&cset, B[j].text, strlen(B[j].text), &words))
                    goto oom;
            int sub = !item_start(raws[k].title) &&
                      (words < SHORT_WORDS ||
                       cohesion(&cset, &iset) >= COHESION);
            if (sub) {
                items[nitem - 1].b = k + 1;
                for (size_t v = 0; v < cset.cap; v++)
                    if (cset.v[v] && hset_add(&iset, cset.v[v]))
                        goto oom;
            } else {
                items[nitem++] = (struct item){ k, k + 1 };
                hset_clear(&iset);
                iset = cset;
                memset(&cset, 0, sizeof cset);
            }
        }
    }

    /* Document type and date. */
    enum sok_type dtype;
    enum sok_type dcue = title_cue(doc->title);
    if (override != SOK_TYPE_UNSET)
        dtype = override;
    else if (news)
        dtype = SOK_TYPE_NEWS;
    else if (minutes_struct)
        dtype = SOK_TYPE_MINUTES;
    else if (dcue != SOK_TYPE_UNSET)
        dtype = dcue;
    else
        dtype = SOK_TYPE_OTHER;
    doc->type = dtype;
    doc->date[0] = '\0';
    if (!news) {
        if (!date_in(doc->title, doc_year, doc->date)) {
            /* a dateline among the first few short blocks */
            for (size_t i = start; i < n && i < start + 5; i++)
                if (strlen(B[i].text) <= 120 &&
                    date_in(B[i].text, doc_year, doc->date))
                    break;
        }
    }

    doc->sections = calloc(nitem + 1, sizeof *doc->sections);
    if (doc->sections == NULL)
        goto oom;
    for (size_t s = 0; s < nitem; s++) {
        struct sok_section *sec = &doc->sections[s];
        const struct raw *r0 = &raws[items[s].a];
        doc->nsections = s + 1;
        sec->ordinal = (unsigned)s;
        sec->title = strdup(r0->title);
        if (sec->title == NULL)
            goto oom;
        if (r0->head && r0->head->anchor &&
            (sec->anchor = strdup(r0->head->anchor)) == NULL)
            goto oom;

        /* Text: the body, then each sub-heading as its own paragraph
         * followed by its body. */
        struct sok_buf t = SOK_BUF_INIT;
        for (size_t k = items[s].a; k < items[s].b; k++) {
            if (k > items[s].a) {
                if (t.n)
                    sok_buf_append(&t, "\n\n", 2, &rc);
                sok_buf_puts(&t, raws[k].title, &rc);
            }
            for (size_t j = raws[k].first; j < raws[k].end; j++) {
                if (t.n)
                    sok_buf_append(&t, "\n\n", 2, &rc);
                sok_buf_puts(&t, B[j].text, &rc);
            }
        }
        if (rc || (sec->text = sok_buf_detach(&t, NULL)) == NULL) {
            sok_buf_free(&t);
            goto oom;
        }

        enum sok_type cue = title_cue(sec->title);
        if (override != SOK_TYPE_UNSET)
            sec->type = override;
        else if (news)
            sec->type = cue != SOK_TYPE_UNSET ? cue : SOK_TYPE_NEWS;
        else if (dtype == SOK_TYPE_OTHER && cue != SOK_TYPE_UNSET)
            sec->type = cue;
        else
            sec->type = dtype;

        sec->date[0] = '\0';
        if (!(r0->head && date_in(sec->title, doc_year, sec->date))) {
            if (!news)
                memcpy(sec->date, doc->date, sizeof sec->date);
            else if (r0->first < r0->end)
                date_in(B[r0->first].text, doc_year, sec->date);
        }
        /* A news page is as recent as its newest item. */
        if (news && strcmp(sec->date, doc->date) > 0)
            memcpy(doc->date, sec->date, sizeof doc->date);
    }
    if (number_titles(doc))
        goto oom;

    hset_clear(&iset);
    hset_clear(&cset);
    free(items);
    free_raws(raws, nraw);
    sok_buf_free(&all);
    sok_buf_free(&carry);
    return 0;

oom:
    hset_clear(&iset);
    hset_clear(&cset);
    free(items);
    free_raws(raws, nraw);
    sok_buf_free(&all);
    sok_buf_free(&carry);
    return sok_err_set(err, SOK_ENOMEM, "out of memory splitting sections");
}
