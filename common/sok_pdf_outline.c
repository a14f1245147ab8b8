/*
 * sok_pdf_outline: the PDF's own outline (bookmarks) as headings, and the
 * numbering that headings carry ("5.4.1", "§ 12", "Bilaga 2"), which both
 * the outline and the layout (sok_pdf_layout.c) need to see past.  An item
 * names a page, not a place on it: the heading is the first line from that
 * page on (or the next: viewers and tools disagree on the page a bookmark
 * at a page's top belongs to) whose text, folded, spells out the item's,
 * over up to three lines, numbering aside if need be.  Running headers,
 * contents lines and lines taken already are never it, and each item is
 * looked for after the one before, so that the headings keep the
 * outline's order.
 */
#include "sok_pdf.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

/* Lines one outline item may span. */
#define ITEM_MAX_LINES 3
/* A new paragraph: a gap of more than this many pitches. */
#define PARA_GAP 1.3
#define MAX_LEVEL 6

size_t sok_pdf_digits(const char *s, size_t n, size_t i)
{
    size_t k = 0;
    while (i + k < n && s[i + k] >= '0' && s[i + k] <= '9')
        k++;
    return k;
}

static int upper_at(const char *s, size_t n)
{
    int32_t cp;
    if (n == 0 || sok_utf8_decode(s, n, &cp) == 0)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* "Kapitel 4", "Bilaga B", "Del IV": the word's length and the number's
 * after it, 0 when s does not start so. */
static size_t named_number(const char *s, size_t n)
{
    static const char *const w[] = { "kapitel ", "bilaga ", "bilagor ",
                                     "avsnitt ", "del ", "appendix ",
                                     "underbilaga ", "chapter ", NULL };
    for (const char *const *k = w; *k; k++) {
        size_t i = strlen(*k);
        if (n <= i || strncasecmp(s, *k, i) != 0 || !upper_at(s, 1))
            continue;
        size_t d = sok_pdf_digits(s, n, i);
        if (d == 0)
            while (i + d < n && strchr("IVXLCABDEFGH", s[i + d]))
                d++;
        return d > 0 && d <= 5 ? i + d : 0;
    }
    if (n >= 2 && !memcmp(s, "\xC2\xA7", 2)) {              /* § */
        size_t i = 2;
        while (i < n && s[i] == ' ')
            i++;
        size_t d = sok_pdf_digits(s, n, i);
        return d ? i + d : 0;
    }
    return 0;
}

size_t sok_pdf_numbering(const char *s, size_t n, int *named)
{
    size_t i = named_number(s, n), d = 0;
    *named = i > 0;
    if (*named) {
        if (i < n && (s[i] == ':' || s[i] == '.'))
            i++;                              /* "Bilaga 2: Enkäten" */
    } else {
        int depth = 0;
        while ((d = sok_pdf_digits(s, n, i)) > 0 && d <= 2) {
            i += d;
            depth++;
            if (i + 1 < n && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9')
                i++;
            else
                break;
        }
        if (depth == 0 || d > 2)
            return 0;
        if (depth > 1 && i < n && s[i] == '.')
            i++;                              /* "5.4.1." */
    }
    if (i == n)
        return *named ? n : 0;
    if (s[i] != ' ')
        return 0;
    while (i < n && s[i] == ' ')
        i++;
    if (!*named && !upper_at(s + i, n - i))
        return 0;                             /* "3 personer deltog" */
    return i;
}

char *sok_pdf_key(const char *s, size_t n, int skip_num)
{
    int named;
    size_t k = skip_num ? sok_pdf_numbering(s, n, &named) : 0;
    utf8proc_uint8_t *f = NULL;
    utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)s + k,
                                      (utf8proc_ssize_t)(n - k), &f,
                                      UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE |
                                      UTF8PROC_STRIPMARK | UTF8PROC_STABLE);
    if (m < 0)
        return strdup("");
    size_t o = 0;
    for (utf8proc_ssize_t i = 0; i < m; i++) {
        unsigned char c = f[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            f[o++] = c;
    }
    f[o] = '\0';
    return (char *)f;
}

/* How many lines from i on spell out key (folded with skip_num); 0 when
 * they do not.  *rc: SOK_ENOMEM. */
static size_t spells(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                     size_t i, const char *key, int skip_num, int *rc)
{
    size_t kl = strlen(key), have = 0;
    for (size_t m = 0; m < ITEM_MAX_LINES && i + m < p->nlines; m++) {
        const struct sok_pdf_line *l = &p->lines[i + m];
        if (r->role[i + m] != SOK_PDF_BODY || l->page != p->lines[i].page ||
            (m > 0 && l->same_row))
            return 0;
        /* numbering is only ever at the start of the first line */
        char *k = sok_pdf_key(sok_pdf_text(p, l->off), l->len,
                              skip_num && m == 0);
        if (k == NULL) {
            *rc = SOK_ENOMEM;
            return 0;
        }
        size_t n = strlen(k);
        int ok = n > 0 && have + n <= kl && !memcmp(key + have, k, n);
        free(k);
        if (!ok)
            return 0;
        have += n;
        if (have == kl)
            return m + 1;
    }
    return 0;
}

/* The first line from `from` on, on page pg or the next, that spells out
 * item it; *m its line count.  p->nlines when none. */
static size_t find_item(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                        const size_t *first, size_t from,
                        const struct sok_pdf_item *it, size_t *m, int *rc)
{
    const char *t = sok_pdf_text(p, it->off);
    size_t end = first[it->page + 1 <= p->npages ? it->page + 1 : p->npages];
    for (int skip = 0; skip < 2 && !*rc; skip++) {
        char *key = sok_pdf_key(t, it->len, skip);
        if (key == NULL) {
            *rc = SOK_ENOMEM;
            break;
        }
        for (size_t i = from; *key && i < end && !*rc; i++)
            if ((*m = spells(p, r, i, key, skip, rc)) > 0) {
                free(key);
                return i;
            }
        free(key);
    }
    return p->nlines;
}

/* Where item it, which no line spells out, starts a section of its own:
 * at the top of its page when the outline has found nothing there yet,
 * else at the page's next paragraph after the heading found there (a gap
 * of more than a line's), else after the page. */
static size_t lost_at(const struct sok_pdf *p, const struct sok_pdf_roles *r,
                      const size_t *first, const struct sok_pdf_item *it,
                      size_t cursor)
{
    size_t a = first[it->page - 1], e = first[it->page];
    if (cursor <= a)
        return a;
    if (cursor >= e)
        return cursor;
    size_t prev = cursor - 1;
    for (size_t j = cursor; j < e; j++) {
        if (r->role[j] == SOK_PDF_DROP || p->lines[j].same_row)
            continue;
        if (j > cursor && r->role[prev] == SOK_PDF_BODY &&
            p->lines[j].top - p->lines[prev].top > PARA_GAP * r->pitch)
            return j;
        prev = j;
    }
    return e;
}

size_t sok_pdf_outline_headings(const struct sok_pdf *p, const size_t *first,
                                struct sok_pdf_roles *r, int *rc)
{
    size_t cursor = 0, head = p->nlines;
    r->at = malloc((p->nitems + 1) * sizeof *r->at);
    r->lost = malloc((p->nitems + 1) * sizeof *r->lost);
    if (r->at == NULL || r->lost == NULL) {
        *rc = SOK_ENOMEM;
        return head;
    }
    for (size_t k = 0; k < p->nitems && !*rc; k++) {
        const struct sok_pdf_item *it = &p->items[k];
        if (it->page < 1 || it->page > p->npages)
            continue;                 /* leads outside the document */
        size_t from = first[it->page - 1] > cursor ? first[it->page - 1]
                                                   : cursor;
        size_t m = 0;
        size_t i = find_item(p, r, first, from, it, &m, rc);
        unsigned char lvl = (unsigned char)(it->level < MAX_LEVEL ? it->level
                                                                   : MAX_LEVEL);
        if (i < p->nlines) {
            for (size_t j = i; j < i + m; j++) {
                r->role[j] = j == i ? SOK_PDF_HEAD : SOK_PDF_HEAD_MORE;
                r->level[j] = lvl;
            }
            cursor = i + m;
        } else {
            /* not found on its page: a heading of its own there */
            r->at[r->nat] = i = lost_at(p, r, first, it, cursor);
            r->lost[r->nat++] = it;
            cursor = i;
        }
        if (head == p->nlines || i < head)
            head = i;
    }
    return head;
}
