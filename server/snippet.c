/*
 * snippet: best-passage selection and highlighting (see snippet.h).
 *
 * Two passes of the tokeniser over the text: the first records only the
 * matches (which word, which query ids, byte range), so memory grows with
 * the matches rather than the text; the window is chosen from those; the
 * second pass finds the byte range of the chosen words.  A "unit" is a
 * word as the reader sees it: a hyphenated compound and its parts are one
 * unit, and a match on the whole compound is not marked again part by part.
 */
#include "snippet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6"     /* U+2026 */

void sok_hl_add(struct sok_hl *hl, enum sok_hl_kind kind, unsigned id,
                const char *text, size_t len)
{
    if (len == 0 || len > SOK_TOKEN_MAX || hl->n == SOK_HL_MAX)
        return;
    for (size_t i = 0; i < hl->n; i++)
        if (hl->t[i].kind == kind && hl->t[i].len == len &&
            memcmp(hl->t[i].text, text, len) == 0)
            return;
    struct sok_hl_term *t = &hl->t[hl->n++];
    t->kind = kind;
    t->id = id % 64;
    t->len = len;
    memcpy(t->text, text, len);
    t->text[len] = '\0';
}

struct match {
    size_t unit;            /* index of the unit holding the match */
    size_t start, end;      /* bytes to mark */
    uint64_t ids;           /* query words matched */
};

struct scan {
    struct sok_analyzer *an;
    const struct sok_hl *hl;
    size_t units;           /* units seen */
    size_t whole_end;       /* end of the current unit's whole token */
    size_t marked_end;      /* end of the last whole token marked */
    struct match *m;
    size_t nm, cap;
    int oom;
};

struct part_match {
    const struct sok_hl_term *t;
    int found;
};

static int part_cb(void *ctx, const char *stem, size_t len, size_t part,
                   int alt)
{
    (void)part;
    (void)alt;
    struct part_match *pm = ctx;
    if (len == pm->t->len && memcmp(stem, pm->t->text, len) == 0)
        pm->found = 1;
    return pm->found;
}

/* Which query ids tok matches. */
static uint64_t match_token(struct scan *s, const struct sok_token *tok)
{
    uint64_t ids = 0;
    char stem[SOK_TOKEN_MAX + 1];
    int slen = -1;          /* not computed yet */
    struct part_match pm;
    for (size_t i = 0; i < s->hl->n; i++) {
        const struct sok_hl_term *t = &s->hl->t[i];
        uint64_t bit = (uint64_t)1 << t->id;
        if (ids & bit)
            continue;
        switch (t->kind) {
        case SOK_HL_EXACT:
            if (tok->len == t->len && memcmp(tok->text, t->text, t->len) == 0)
                ids |= bit;
            break;
        case SOK_HL_PREFIX:
            if (tok->len >= t->len && memcmp(tok->text, t->text, t->len) == 0)
                ids |= bit;
            break;
        case SOK_HL_STEM:
            /* Stemming every word of every hit would dominate the cost of a
             * snippet; a stem shares its first byte with its word, so only
             * plausible words are stemmed, and each at most once. */
            if (tok->len == 0 || tok->text[0] != t->text[0])
                break;
            if (slen < 0) {
                struct sok_err ignore = SOK_ERR_INIT;
                slen = sok_analyzer_stem(s->an, tok, stem, sizeof stem,
                                         &ignore);
                if (slen < 0)
                    slen = 0;
            }
            if ((size_t)slen == t->len && memcmp(stem, t->text, t->len) == 0)
                ids |= bit;
            break;
        case SOK_HL_PART:
            /* Only longer words that hold the stem's letters can have it
             * as a part (a Swedish stem is its word minus an ending); the
             * analyzer's split cache answers the common ones. */
            if (tok->len <= t->len ||
                memmem(tok->text, tok->len, t->text, t->len) == NULL)
                break;
            pm.t = t;
            pm.found = 0;
            sok_analyze_compound(s->an, tok->text, tok->len, tok->flags,
                                 part_cb, &pm);
            if (pm.found)
                ids |= bit;
            break;
        }
    }
    return ids;
}

static int scan_cb(void *ctx, const struct sok_token *tok)
{
    struct scan *s = ctx;
    int part = (tok->flags & SOK_TOK_PART) && tok->start < s->whole_end &&
               s->units > 0;
    if (!part) {
        s->units++;
        s->whole_end = tok->end;
    }
    uint64_t ids = match_token(s, tok);
    if (ids == 0 || (part && tok->start < s->marked_end))
        return 0;
    if (s->nm == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct match *m = realloc(s->m, cap * sizeof *m);
        if (m == NULL) {
            s->oom = 1;
            return 1;
        }
        s->m = m;
        s->cap = cap;
    }
    s->m[s->nm++] = (struct match){ s->units - 1, tok->start, tok->end, ids };
    if (!part)
        s->marked_end = tok->end;
    return 0;
}

static int run_scan(struct scan *s, const char *text, size_t len,
                    struct sok_err *err)
{
    int rc = sok_text_tokenize(text, len, 1, scan_cb, s, NULL, err);
    if (s->oom)
        return sok_err_set(err, SOK_ENOMEM, NULL);
    return rc < 0 ? rc : 0;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

enum ws_mode { WS_SPACE, WS_PARAGRAPHS };

/* Appends s[0..n) HTML-escaped with whitespace runs collapsed: to one space,
 * or (WS_PARAGRAPHS) a blank line to a paragraph break and a newline to
 * <br>. */
static void put_text(struct sok_buf *b, const char *s, size_t n,
                     enum ws_mode mode, int *rc)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && !is_space((unsigned char)s[j]))
            j++;
        sok_buf_html(b, s + i, j - i, rc);
        if (j == n)
            break;
        unsigned nl = 0;
        while (j < n && is_space((unsigned char)s[j]))
            nl += s[j++] == '\n';
        if (mode == WS_PARAGRAPHS && nl >= 2)
            sok_buf_puts(b, "</p>\n<p>", rc);
        else if (mode == WS_PARAGRAPHS && nl == 1)
            sok_buf_puts(b, "<br>\n", rc);
        else
            sok_buf_putc(b, ' ', rc);
        i = j;
    }
}

/* Appends text[bs..be) with the matches inside it marked. */
static void put_marked(struct sok_buf *b, const char *text, size_t bs,
                       size_t be, const struct match *m, size_t nm,
                       enum ws_mode mode, int *rc)
{
    size_t at = bs;
    for (size_t i = 0; i < nm; i++) {
        if (m[i].start < at || m[i].end > be)
            continue;
        put_text(b, text + at, m[i].start - at, mode, rc);
        sok_buf_puts(b, "<mark>", rc);
        sok_buf_html(b, text + m[i].start, m[i].end - m[i].start, rc);
        sok_buf_puts(b, "</mark>", rc);
        at = m[i].end;
    }
    put_text(b, text + at, be - at, mode, rc);
}

/* Pass 2: the byte range of units [first, last]. */
struct bounds {
    size_t first, last;     /* units wanted */
    size_t unit;            /* units seen */
    size_t whole_end;
    size_t bs, be;
    int have_start;
    int more;               /* a unit follows the last one taken */
};

static int bounds_cb(void *ctx, const struct sok_token *tok)
{
    struct bounds *w = ctx;
    if ((tok->flags & SOK_TOK_PART) && tok->start < w->whole_end &&
        w->unit > 0)
        return 0;
    size_t u = w->unit++;
    w->whole_end = tok->end;
    if (u < w->first)
        return 0;
    if (!w->have_start) {
        w->bs = tok->start;
        w->be = tok->end;
        w->have_start = 1;
        return 0;
    }
    /* Stop at the word count or the byte budget, whichever comes first. */
    if (u > w->last || tok->end - w->bs > SOK_SNIPPET_BYTES) {
        w->more = 1;
        return 1;
    }
    w->be = tok->end;
    return 0;
}

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

int sok_snippet(struct sok_analyzer *an, const struct sok_hl *hl,
                const char *text, size_t len, struct sok_buf *out,
                struct sok_err *err)
{
    size_t scan_len = sok_utf8_floor(text, len, SOK_SNIPPET_SCAN);
    struct scan s = { an, hl, 0, 0, 0, NULL, 0, 0, 0 };
    int rc = run_scan(&s, text, scan_len, err);
    if (rc != 0) {
        free(s.m);
        return rc;
    }

    /* The window start (a match) with the most distinct ids, then the most
     * matches; the earliest on ties. */
    size_t best_i = 0, best_last = 0;
    int best_distinct = -1;
    size_t best_count = 0;
    for (size_t i = 0; i < s.nm; i++) {
        uint64_t ids = 0;
        size_t j = i;
        while (j < s.nm && s.m[j].unit < s.m[i].unit + SOK_SNIPPET_WORDS)
            ids |= s.m[j++].ids;
        int d = popcount64(ids);
        if (d > best_distinct || (d == best_distinct && j - i > best_count)) {
            best_distinct = d;
            best_count = j - i;
            best_i = i;
            best_last = s.m[j - 1].unit;
        }
    }
    size_t first = 0;
    if (s.nm > 0) {
        /* Give the first match some words of context before it, as much as
         * the window has room for after the last one. */
        size_t a = s.m[best_i].unit;
        size_t slack = SOK_SNIPPET_WORDS - (best_last - a + 1);
        size_t lead = slack / 2 < 5 ? slack / 2 : 5;
        first = a > lead ? a - lead : 0;
    }

    struct bounds w = { first, first + SOK_SNIPPET_WORDS - 1, 0, 0, 0, 0, 0,
                        0 };
    rc = sok_text_tokenize(text, scan_len, 1, bounds_cb, &w, NULL, err);
    if (rc >= 0 && s.nm > 0 && first < s.m[best_i].unit &&
        w.be < s.m[best_i].end) {
        /* The words before the match took the whole byte budget (one of
         * ten thousand letters): the passage starts at the match. */
        first = s.m[best_i].unit;
        w = (struct bounds){ first, first + SOK_SNIPPET_WORDS - 1, 0, 0, 0,
                             0, 0, 0 };
        rc = sok_text_tokenize(text, scan_len, 1, bounds_cb, &w, NULL, err);
    }
    if (rc < 0) {
        free(s.m);
        return rc;
    }
    if (!w.have_start) {            /* no words at all */
        free(s.m);
        return 0;
    }
    int cut_start = first > 0;
    int cut_end = w.more || scan_len < len;
    size_t be = w.be;
    if (!cut_end) {
        be = len;           /* keep the closing punctuation */
    } else {
        while (be < len && be - w.be < 3 && text[be] != '\0' &&
               strchr(".,;:!?)\"'", text[be]) != NULL)
            be++;
    }

    int brc = 0;
    if (cut_start)
        sok_buf_puts(out, ELLIPSIS " ", &brc);
    size_t bs = cut_start ? w.bs : 0;
    while (bs < w.bs && is_space((unsigned char)text[bs]))
        bs++;
    /* The window's first word alone can pass the byte budget (a run of
     * ten thousand letters): it is cut too. */
    if (be - bs > SOK_SNIPPET_BYTES + 8) {
        be = bs + sok_utf8_floor(text + bs, be - bs, SOK_SNIPPET_BYTES);
        cut_end = 1;
    }
    while (be > bs && is_space((unsigned char)text[be - 1]))
        be--;
    put_marked(out, text, bs, be, s.m, s.nm, WS_SPACE, &brc);
    if (cut_end)
        sok_buf_puts(out, " " ELLIPSIS, &brc);
    free(s.m);
    return brc ? sok_err_set(err, brc, NULL) : 0;
}

/* All of text[0..len), trimmed, with the matches marked; paragraphs
 * (<p>...</p>) or one line. */
static int highlight(struct sok_analyzer *an, const struct sok_hl *hl,
                     const char *text, size_t len, enum ws_mode mode,
                     struct sok_buf *out, struct sok_err *err)
{
    struct scan s = { an, hl, 0, 0, 0, NULL, 0, 0, 0 };
    int rc = hl->n ? run_scan(&s, text, len, err) : 0;
    if (rc != 0) {
        free(s.m);
        return rc;
    }
    size_t bs = 0, be = len;
    while (bs < be && is_space((unsigned char)text[bs]))
        bs++;
    while (be > bs && is_space((unsigned char)text[be - 1]))
        be--;
    int brc = 0;
    if (mode == WS_PARAGRAPHS)
        sok_buf_puts(out, "<p>", &brc);
    put_marked(out, text, bs, be, s.m, s.nm, mode, &brc);
    if (mode == WS_PARAGRAPHS)
        sok_buf_puts(out, "</p>\n", &brc);
    free(s.m);
    return brc ? sok_err_set(err, brc, NULL) : 0;
}

int sok_highlight_html(struct sok_analyzer *an, const struct sok_hl *hl,
                       const char *text, size_t len, struct sok_buf *out,
                       struct sok_err *err)
{
    return highlight(an, hl, text, len, WS_PARAGRAPHS, out, err);
}

int sok_highlight_line(struct sok_analyzer *an, const struct sok_hl *hl,
                       const char *text, size_t len, struct sok_buf *out,
                       struct sok_err *err)
{
    size_t scan_len = sok_utf8_floor(text, len, SOK_SNIPPET_SCAN);
    return highlight(an, hl, text, scan_len, WS_SPACE, out, err);
}
