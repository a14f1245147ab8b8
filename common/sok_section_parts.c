/*
 * sok_section_parts: what one section may cost, and the ids of sections.
 *
 * Every hit reads its section's stored record whole (the text for its
 * snippet, its words for one hit per passage), and /doc/<id> shows it
 * whole: a 50 MB text file without a heading was one 52 MB section, and
 * every query that found it took a second.  So a section whose text is
 * over SOK_SECTION_MAX bytes is cut into parts of about equal size, at
 * paragraph breaks where it can (a paragraph longer than a part at a
 * sentence end, else at a space, else at a character boundary), each a
 * section of its own that follows the one before (ordinals, so prev/next
 * run through them).  The first part keeps the section's title and so
 * its id; the others are "Title (del 2)", "(del 3)", ..., which keeps
 * their ids as stable as the cuts (a part's id does not depend on how
 * many parts follow it).  A title longer than SOK_TITLE_MAX bytes (a
 * <title> of a megabyte, ten thousand headings carried as context) is cut
 * at a word, with "…".
 */
#include "sok_section.h"
#include "sok_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#define ELLIPSIS "\xE2\x80\xA6"        /* U+2026 */

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

int sok_section_number(struct sok_document *doc)
{
    /* Sorting by (title hash, position) keeps this O(n log n) for
     * documents with very many sections. */
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

static int is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* The last byte offset in (lo, hi] of text where a part may end, best
 * kind first: after a paragraph, after a sentence, at a space; 0 when
 * there is none. */
static size_t cut_at(const char *t, size_t lo, size_t hi)
{
    for (size_t i = hi; i > lo + 1; i--)
        if (t[i - 1] == '\n' && t[i - 2] == '\n')
            return i - 2;
    for (size_t i = hi; i > lo + 1; i--)
        if (is_ws(t[i - 1]) && strchr(".!?", t[i - 2]))
            return i - 1;
    for (size_t i = hi; i > lo; i--)
        if (is_ws(t[i - 1]))
            return i - 1;
    return 0;
}

size_t sok_section_cuts(const char *text, size_t len, size_t max,
                        size_t *ends, size_t cap)
{
    if (len <= max || max < 64 || cap == 0)
        return 0;
    /* Parts of about equal size, none over max: aim at len / k, allow an
     * eighth more to reach a paragraph break. */
    size_t k = (len + max - 1) / max;
    size_t target = (len + k - 1) / k;
    size_t limit = target + target / 8 < max ? target + target / 8 : max;
    size_t n = 0, pos = 0;
    while (len - pos > limit && n + 1 < cap) {
        size_t hi = pos + limit;
        size_t end = cut_at(text, pos + target / 2, hi);
        if (end == 0)
            end = pos + sok_utf8_floor(text + pos, len - pos, limit);
        if (end <= pos)                   /* an invalid sequence: move on */
            end = hi;
        ends[n++] = end;
        pos = end;
        while (pos < len && is_ws(text[pos]))
            pos++;
    }
    ends[n++] = len;
    return n;
}

/* text[a..b) trimmed, malloc()ed. */
static char *trimmed(const char *text, size_t a, size_t b)
{
    while (a < b && is_ws(text[a]))
        a++;
    while (b > a && is_ws(text[b - 1]))
        b--;
    return strndup(text + a, b - a);
}

/* The page of the block that holds offset off of the section's text. */
static unsigned page_at(const struct sok_section_marks *m, size_t off,
                        unsigned dflt)
{
    unsigned page = dflt;
    for (size_t i = 0; i < m->n && m->v[i].off <= off; i++)
        page = m->v[i].page;
    return page;
}

/* Fills part (zeroed) as a copy of s's facts, titled "Title (del k)". */
static int new_part(const struct sok_section *s, unsigned k,
                    struct sok_section *part)
{
    size_t tl = strlen(s->title) + 24;
    part->title = malloc(tl);
    if (part->title == NULL)
        return SOK_ENOMEM;
    snprintf(part->title, tl, "%s (del %u)", s->title, k);
    if (s->anchor && (part->anchor = strdup(s->anchor)) == NULL)
        return SOK_ENOMEM;
    part->type = s->type;
    memcpy(part->date, s->date, sizeof part->date);
    part->nav = s->nav;
    return 0;
}

int sok_section_split(struct sok_document *doc, size_t *cap,
                      const struct sok_section_marks *marks)
{
    struct sok_section *s = &doc->sections[doc->nsections - 1];
    size_t len = strlen(s->text);
    /* Every part but the last holds at least a quarter of max. */
    size_t nmax = 4 * (len / SOK_SECTION_MAX) + 4;
    size_t *ends = malloc(nmax * sizeof *ends);
    if (ends == NULL)
        return SOK_ENOMEM;
    size_t n = sok_section_cuts(s->text, len, SOK_SECTION_MAX, ends, nmax);
    if (n < 2) {
        free(ends);
        return 0;
    }
    if (doc->nsections + n > *cap) {
        size_t ncap = doc->nsections + n + 1;
        struct sok_section *v = realloc(doc->sections, ncap * sizeof *v);
        if (v == NULL) {
            free(ends);
            return SOK_ENOMEM;
        }
        memset(v + *cap, 0, (ncap - *cap) * sizeof *v);
        doc->sections = v;
        *cap = ncap;
        s = &doc->sections[doc->nsections - 1];
    }
    char *text = s->text;
    size_t base = doc->nsections - 1, start = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct sok_section *part = &doc->sections[base + i];
        if (i > 0) {
            doc->nsections++;           /* so that sok_doc_free() sees it */
            if ((rc = new_part(s, (unsigned)i + 1, part)) != 0)
                break;
        }
        part->ordinal = (unsigned)(base + i);
        part->page = page_at(marks, start, s->page);
        part->text = trimmed(text, start, ends[i]);
        if (part->text == NULL)
            rc = SOK_ENOMEM;
        start = ends[i];
    }
    free(text);                 /* the parts' texts replace it */
    free(ends);
    return rc;
}

void sok_section_cap_title(char *title)
{
    size_t len = strlen(title);
    if (len <= SOK_TITLE_MAX)
        return;
    /* Room for the ellipsis and the NUL within the old length. */
    size_t keep = sok_utf8_floor(title, len, SOK_TITLE_MAX - 4);
    size_t at = keep;
    while (at > keep / 2 && !is_ws(title[at]))
        at--;
    if (at > keep / 2)
        keep = at;
    while (keep > 0 && is_ws(title[keep - 1]))
        keep--;
    memcpy(title + keep, ELLIPSIS, sizeof ELLIPSIS);
}
