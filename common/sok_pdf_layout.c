/*
 * sok_pdf_layout: what each line of a PDF is (sok_pdf.h), judged from the
 * page as a reader sees it.
 *
 *  - Running text is the font size most characters are set in; its line
 *    spacing (pitch), left margin and right edge are measured per page.
 *  - Page furniture is dropped: a page number in the top or bottom margin
 *    ("12", "- 12 -", "Sida 3 av 12"), and any margin line repeated at the
 *    same height on several pages (the document's or chapter's name, the
 *    organisation), digits aside.
 *  - A table of contents is a run of lines with dot leaders before a page
 *    number, or of at least three lines ending in non-decreasing page
 *    numbers (one in its own cell at the right margin counts).
 *  - Headings come from the outline when the PDF has one: each item is
 *    looked for on its page (or the next) and the lines that spell it out
 *    become the heading; an item whose text cannot be found still starts a
 *    section on its page.  Front matter before the first item, and the
 *    whole document when there is no outline, is read from the layout: a
 *    line set clearly larger than running text (at most three lines,
 *    25 words); a wholly bold line of running size that is set apart, flush
 *    with the margin, heading-shaped and not the start of a bold paragraph;
 *    a numbered line set apart ("5.4.1 Tillförlitligheten", "§ 12",
 *    "Bilaga 2 Enkäten", "Kapitel 4").  Larger sizes are higher levels.  A
 *    first page with no running text (a cover) keeps only its largest
 *    heading; the rest of it is text.
 */
#include "sok_pdf.h"
#include "sok_section.h"
#include "sok_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* The share of a page's height at its top and bottom where headers,
 * footers and page numbers sit. */
#define MARGIN_ZONE 0.12
/* How far (pixels) a repeated margin line may move from page to page. */
#define REPEAT_TOL 4
/* Larger than running text: this factor and this many sizes more. */
#define HEAD_RATIO 1.15
#define HEAD_DELTA 2
/* Set apart: a gap above of this many pitches. */
#define APART 1.3
#define HEAD_MAX_LINES 3
#define HEAD_MAX_WORDS 25
#define BOLD_SHARE 0.9
#define MAX_LEVEL 6
/* Lines in a row of a table of contents without dot leaders. */
#define TOC_MIN_RUN 3
#define TOC_MAX_WORDS 14
/* A list of terms, not of headings (drop_term_lists()). */
#define TERMS_MIN 5
#define TERMS_WORDS 120

/* Heading candidates. */
enum { C_NONE = 0, C_SIZE, C_BOLD, C_NUM };

struct lay {
    const struct sok_pdf *p;
    struct sok_pdf_roles *r;
    size_t *first;        /* npages + 1: page k's lines are
                             [first[k - 1], first[k]) */
    unsigned char *cand;  /* nlines: C_* */
    int rc;
};

struct pair {
    int v;
    unsigned w;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    return (x->v > y->v) - (x->v < y->v);
}

/* The value of v[0..n) with the most weight (ties: the smaller); dflt
 * when n is 0.  Sorts v. */
static int mode(struct pair *v, size_t n, int dflt)
{
    if (n == 0)
        return dflt;
    qsort(v, n, sizeof *v, cmp_pair);
    int best = v[0].v;
    unsigned long long bw = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        unsigned long long w = 0;
        while (j < n && v[j].v == v[i].v)
            w += v[j++].w;
        if (w > bw) {
            bw = w;
            best = v[i].v;
        }
        i = j;
    }
    return best;
}

static const char *text_of(const struct sok_pdf *p, size_t i)
{
    return sok_pdf_text(p, p->lines[i].off);
}

/* Words (blank-separated) and letters of line i. */
static unsigned words_of(const struct sok_pdf *p, size_t i)
{
    const char *s = text_of(p, i);
    unsigned w = 1;
    for (size_t k = 0; k < p->lines[i].len; k++)
        w += s[k] == ' ';
    return w;
}

static unsigned letters_of(const char *s, size_t n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t m = sok_utf8_decode(s + i, n - i, &cp);
        if (m == 0)
            m = 1, cp = -1;
        k += sok_text_is_letter(cp) != 0;
        i += m;
    }
    return k;
}

/* ------------------------------------------------------------------ */
/* geometry                                                             */

/* Body size, pitch and each page's margin and right edge. */
static void measure(struct lay *L)
{
    const struct sok_pdf *p = L->p;
    struct sok_pdf_roles *r = L->r;
    size_t n = p->nlines;
    struct pair *v = malloc((n + 1) * sizeof *v);
    if (v == NULL) {
        L->rc = SOK_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (struct pair){ p->lines[i].size, p->lines[i].chars };
    r->body_size = mode(v, n, 0);
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        const struct sok_pdf_line *a = &p->lines[i - 1], *b = &p->lines[i];
        int d = b->top - a->top;
        if (a->size == r->body_size && b->size == r->body_size &&
            a->page == b->page && !b->same_row && d > 0 && d < 3 * a->height)
            v[k++] = (struct pair){ d, 1 };
    }
    r->pitch = mode(v, k, r->body_size + r->body_size / 3);
    if (r->pitch <= 0)
        r->pitch = 1;
    /* the margin all over, for pages of no running text */
    k = 0;
    int far = 0;
    for (size_t i = 0; i < n; i++)
        if (p->lines[i].size == r->body_size && !p->lines[i].same_row) {
            v[k++] = (struct pair){ p->lines[i].left, p->lines[i].chars };
            if (p->lines[i].right > far)
                far = p->lines[i].right;
        }
    int all_left = mode(v, k, 0);
    for (size_t pg = 1; pg <= p->npages; pg++) {
        k = 0;
        int right = 0;
        for (size_t i = L->first[pg - 1]; i < L->first[pg]; i++)
            if (p->lines[i].size == r->body_size && !p->lines[i].same_row) {
                v[k++] = (struct pair){ p->lines[i].left, p->lines[i].chars };
                if (p->lines[i].right > right)
                    right = p->lines[i].right;
            }
        r->left[pg - 1] = mode(v, k, all_left);
        r->right[pg - 1] = k ? right : far;
    }
    free(v);
}

/* ------------------------------------------------------------------ */
/* page furniture                                                       */

static int in_margin(const struct sok_pdf *p, const struct sok_pdf_line *l)
{
    int h = p->pages[l->page - 1].height;
    if (h <= 0)
        return 0;
    return l->top < MARGIN_ZONE * h ||
           l->top + l->height > (1 - MARGIN_ZONE) * h;
}

/* Skips dashes, parentheses and blanks at s[*i]. */
static void skip_deco(const char *s, size_t n, size_t *i)
{
    while (*i < n) {
        if (s[*i] == ' ' || s[*i] == '-' || s[*i] == '(' || s[*i] == ')' ||
            s[*i] == '[' || s[*i] == ']')
            (*i)++;
        else if (*i + 2 < n && (unsigned char)s[*i] == 0xE2 &&
                 (unsigned char)s[*i + 1] == 0x80 &&
                 ((unsigned char)s[*i + 2] == 0x93 ||
                  (unsigned char)s[*i + 2] == 0x94))
            *i += 3;                          /* – — */
        else
            break;
    }
}

/* 1 when s[0..n) is nothing but a page number: "12", "- 12 -", "(12)",
 * "Sida 3 av 12", "Page 3 of 12", "3/12", "3 (12)", "s. 4", "iv". */
static int page_number(const char *s, size_t n)
{
    size_t i = 0;
    skip_deco(s, n, &i);
    static const char *const words[] = { "sida ", "page ", "s. ", "sid ",
                                         NULL };
    for (const char *const *w = words; *w; w++)
        if (n - i > strlen(*w) && !strncasecmp(s + i, *w, strlen(*w))) {
            i += strlen(*w);
            break;
        }
    size_t d = sok_pdf_digits(s, n, i);
    if (d == 0) {
        size_t k = i;
        while (k < n && strchr("ivxlc", s[k]))
            k++;
        return k > i && k - i <= 6 && k == n;
    }
    if (d > 4)
        return 0;
    i += d;
    skip_deco(s, n, &i);
    int of = n - i > 3 && (!strncasecmp(s + i, "av ", 3) ||
                           !strncasecmp(s + i, "of ", 3));
    if (i < n && (s[i] == '/' || of)) {
        i += s[i] == '/' ? 1 : 3;
        skip_deco(s, n, &i);
    }
    i += sok_pdf_digits(s, n, i);
    skip_deco(s, n, &i);
    return i == n;
}

struct rep {
    uint64_t h;
    int top;
    unsigned page;
    size_t i;
};

static int cmp_rep(const void *a, const void *b)
{
    const struct rep *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    if (x->top != y->top)
        return x->top < y->top ? -1 : 1;
    return (x->page > y->page) - (x->page < y->page);
}

/* The hash of line i's text with case (ASCII), blanks and digits
 * aside: "Sida 3 av 12" and "Sida 4 av 12" are the same furniture. */
static uint64_t furniture_hash(const struct sok_pdf *p, size_t i)
{
    uint64_t h = 0xcbf29ce484222325ull;           /* FNV-1a */
    const char *s = text_of(p, i);
    for (size_t k = 0; k < p->lines[i].len; k++) {
        char c = s[k];
        if (c == ' ')
            continue;
        if (c >= '0' && c <= '9')
            c = '#';
        else if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        h = (h ^ (unsigned char)c) * 0x100000001b3ull;
    }
    return h;
}

static int cmp_rep_page(const void *a, const void *b)
{
    const struct rep *x = a, *y = b;
    return (x->page > y->page) - (x->page < y->page);
}

/* The distinct pages of e[0..n) (sorts e by page). */
static size_t distinct_pages(struct rep *e, size_t n)
{
    qsort(e, n, sizeof *e, cmp_rep_page);
    size_t k = n > 0;
    for (size_t i = 1; i < n; i++)
        k += e[i].page != e[i - 1].page;
    return k;
}

static void mark_furniture(struct lay *L)
{
    const struct sok_pdf *p = L->p;
    size_t n = p->nlines, k = 0;
    struct rep *e = malloc((n + 1) * sizeof *e);
    if (e == NULL) {
        L->rc = SOK_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct sok_pdf_line *l = &p->lines[i];
        if (!in_margin(p, l))
            continue;
        if (page_number(text_of(p, i), l->len))
            L->r->role[i] = SOK_PDF_DROP;
        else
            e[k++] = (struct rep){ furniture_hash(p, i), l->top, l->page, i };
    }
    size_t need = p->npages >= 3 ? 3 : p->npages == 2 ? 2 : SIZE_MAX;
    qsort(e, k, sizeof *e, cmp_rep);
    for (size_t a = 0; a < k;) {
        size_t b = a + 1;
        while (b < k && e[b].h == e[a].h && e[b].top - e[a].top <= REPEAT_TOL)
            b++;
        if (b - a >= need && distinct_pages(e + a, b - a) >= need)
            for (size_t j = a; j < b; j++)
                L->r->role[e[j].i] = SOK_PDF_DROP;
        a = b;
    }
    free(e);
}

/* ------------------------------------------------------------------ */
/* table of contents                                                    */

/* 1 when s[0..n) holds dot leaders: four dots (or ". . . ."), two
 * ellipses or four underscores in a row. */
static int has_leader(const char *s, size_t n)
{
    size_t dots = 0, unders = 0, ell = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if (!(s[i] == ' ' && dots && i + 1 < n && s[i + 1] == '.'))
            dots = 0;
        unders = s[i] == '_' ? unders + 1 : 0;
        if (i + 2 < n && !memcmp(s + i, "\xE2\x80\xA6", 3)) {
            ell++;
            i += 2;
        } else {
            ell = 0;
        }
        if (dots >= 4 || unders >= 4 || ell >= 2)
            return 1;
    }
    return 0;
}

/* The page number s[0..n) ends with after a blank or a leader ("Bakgrund
 * 5", "Bakgrund .....5"), -1 when none; *whole: the number is all of s. */
static long trailing_number(const char *s, size_t n, int *whole)
{
    size_t e = n;
    while (e > 0 && s[e - 1] >= '0' && s[e - 1] <= '9')
        e--;
    *whole = e == 0;
    if (e == n || n - e > 4)
        return -1;
    if (e > 0 && s[e - 1] != ' ' && s[e - 1] != '.' &&
        (unsigned char)s[e - 1] != 0xA6)
        return -1;
    long v = 0;              /* (the text is not NUL-terminated) */
    for (size_t k = e; k < n; k++)
        v = v * 10 + (s[k] - '0');
    return v;
}

/* The page number a contents entry at line i points to: its own trailing
 * number, or the number alone in the next cell of its row; -1 when none.
 * *cell is set to 1 when that next line is the number. */
static long entry_number(const struct sok_pdf *p, size_t i, int *cell)
{
    int whole;
    *cell = 0;
    const struct sok_pdf_line *l = &p->lines[i];
    long v = trailing_number(text_of(p, i), l->len, &whole);
    if (v >= 0 && !whole)
        return v;
    if (v >= 0 || i + 1 >= p->nlines || !p->lines[i + 1].same_row)
        return -1;
    v = trailing_number(text_of(p, i + 1), p->lines[i + 1].len, &whole);
    if (v < 0 || !whole)
        return -1;
    *cell = 1;
    return v;
}

static void mark_toc(struct lay *L)
{
    const struct sok_pdf *p = L->p;
    unsigned char *role = L->r->role;
    long max_page = (long)p->npages + 10;
    size_t run = 0, start = 0;
    long last = -1;
    for (size_t i = 0; i <= p->nlines; i++) {
        int cell = 0;
        long v = -1;
        if (i < p->nlines && role[i] == SOK_PDF_DROP)
            continue;          /* a footer between two pages of contents */
        if (i < p->nlines && role[i] == SOK_PDF_BODY) {
            v = entry_number(p, i, &cell);
            int leader = v >= 0 && has_leader(text_of(p, i), p->lines[i].len);
            if (leader) {
                role[i] = SOK_PDF_TOC;
                if (cell)
                    role[i + 1] = SOK_PDF_TOC;
            }
            if (v > max_page || (!leader && words_of(p, i) > TOC_MAX_WORDS))
                v = -1;
        }
        if (v >= 0 && (run == 0 || v >= last)) {
            if (run++ == 0)
                start = i;
            last = v;
            i += (size_t)cell;
            continue;
        }
        if (run >= TOC_MIN_RUN)
            for (size_t j = start; j < i; j++)
                if (role[j] == SOK_PDF_BODY)
                    role[j] = SOK_PDF_TOC;
        run = 0;
        if (v >= 0) {          /* a lower number starts the next run */
            run = 1;
            start = i;
            last = v;
            i += (size_t)cell;
        }
    }
}

/* ------------------------------------------------------------------ */
/* headings from the layout                                             */

/* The nearest line before i on its page that is not furniture or a
 * cell; n (p->nlines) when none.  dir -1: before, +1: after. */
static size_t neighbour(const struct lay *L, size_t i, int dir)
{
    const struct sok_pdf *p = L->p;
    unsigned pg = p->lines[i].page;
    for (size_t j = i; dir < 0 ? j-- > 0 : ++j < p->nlines;) {
        if (p->lines[j].page != pg)
            break;
        if (L->r->role[j] != SOK_PDF_DROP && !p->lines[j].same_row)
            return j;
    }
    return p->nlines;
}

/* Set apart from the line above: the first on its page, a gap of APART
 * pitches, or above it (a new column). */
static int apart_above(const struct lay *L, size_t i)
{
    size_t j = neighbour(L, i, -1);
    if (j == L->p->nlines)
        return 1;
    int gap = L->p->lines[i].top - L->p->lines[j].top;
    return gap < 0 || gap >= APART * L->r->pitch;
}

static int all_bold(const struct sok_pdf_line *l)
{
    return l->chars && l->bold >= BOLD_SHARE * l->chars;
}

/* The line right below i is bold too: i starts a bold paragraph. */
static int bold_below(const struct lay *L, size_t i)
{
    size_t j = neighbour(L, i, +1);
    if (j == L->p->nlines)
        return 0;
    int gap = L->p->lines[j].top - L->p->lines[i].top;
    return gap >= 0 && gap < APART * L->r->pitch &&
           all_bold(&L->p->lines[j]);
}

/* What kind of heading line i could be (C_*), by itself. */
static int classify(const struct lay *L, size_t i)
{
    const struct sok_pdf *p = L->p;
    const struct sok_pdf_line *l = &p->lines[i];
    const char *s = text_of(p, i);
    int body = L->r->body_size;
    if (L->r->role[i] != SOK_PDF_BODY || l->same_row ||
        words_of(p, i) > HEAD_MAX_WORDS)
        return C_NONE;
    unsigned letters = letters_of(s, l->len);
    if (l->size >= HEAD_RATIO * body && l->size >= body + HEAD_DELTA)
        return letters >= 2 ? C_SIZE : C_NONE;
    int slack = l->height / 2 > 4 ? l->height / 2 : 4;
    if (l->size < body - 1 || !apart_above(L, i) ||
        abs(l->left - L->r->left[l->page - 1]) > slack)
        return C_NONE;
    int named;
    size_t k = sok_pdf_numbering(s, l->len, &named);
    if (k == l->len ? named : k > 0 && sok_section_heading_shape(s + k,
                                                                 l->len - k))
        return C_NUM;
    if (letters >= 2 && all_bold(l) && sok_section_heading_shape(s, l->len) &&
        !bold_below(L, i))
        return C_BOLD;
    return C_NONE;
}

/* Lines i and j (> i) belong to one heading set in large type. */
static int same_heading(const struct lay *L, size_t i, size_t j)
{
    const struct sok_pdf_line *a = &L->p->lines[i], *b = &L->p->lines[j];
    int h = a->height > b->height ? a->height : b->height;
    return L->cand[i] == C_SIZE && L->cand[j] == C_SIZE &&
           a->page == b->page && a->size == b->size &&
           b->top > a->top && b->top - a->top <= h + h * 7 / 10;
}

/* Large type over more than HEAD_MAX_LINES lines or HEAD_MAX_WORDS words
 * is a paragraph set large (an introduction), not a heading. */
static void drop_long_runs(struct lay *L, size_t from, size_t to)
{
    for (size_t i = from; i < to;) {
        if (L->cand[i] != C_SIZE) {
            i++;
            continue;
        }
        size_t j = i + 1;
        unsigned words = words_of(L->p, i);
        while (j < to && same_heading(L, j - 1, j))
            words += words_of(L->p, j++);
        if (j - i > HEAD_MAX_LINES || words > HEAD_MAX_WORDS)
            memset(L->cand + i, C_NONE, j - i);
        i = j;
    }
}

/* Many bold lines with little text between them, under one heading, are
 * the terms of a list (a bibliography's authors, a glossary, contacts),
 * not headings: demoted when a span between larger headings holds at
 * least TERMS_MIN of them and less than TERMS_WORDS words of text each. */
static void drop_term_lists(struct lay *L, size_t from, size_t to)
{
    size_t span = from, terms = 0, words = 0;
    for (size_t i = from; i <= to; i++) {
        int head = i < to && (L->cand[i] == C_SIZE || L->cand[i] == C_NUM ||
                              L->r->role[i] == SOK_PDF_HEAD);
        if (i < to && !head) {
            if (L->cand[i] == C_BOLD)
                terms++;
            else if (L->r->role[i] == SOK_PDF_BODY)
                words += words_of(L->p, i);
            continue;
        }
        if (terms >= TERMS_MIN && words < TERMS_WORDS * terms)
            for (size_t j = span; j < i; j++)
                if (L->cand[j] == C_BOLD)
                    L->cand[j] = C_NONE;
        span = i + 1;
        terms = words = 0;
    }
}

/* A first page with nothing but headings is a cover: only the first
 * heading in its largest type is one (the document's name), the rest is
 * its text. */
static void cover(struct lay *L, size_t from, size_t to)
{
    const struct sok_pdf *p = L->p;
    size_t end = p->npages ? L->first[1] : 0;
    if (end > to)
        end = to;
    int big = 0;
    size_t heads = 0;
    for (size_t i = from; i < end; i++) {
        if (L->r->role[i] == SOK_PDF_DROP)
            continue;
        if (L->cand[i] == C_NONE)
            return;
        heads++;
        if (p->lines[i].size > big)
            big = p->lines[i].size;
    }
    if (heads < 2)
        return;
    /* the first heading in the largest type stays, with its lines */
    size_t keep = from;
    while (keep < end && (L->r->role[keep] == SOK_PDF_DROP ||
                          p->lines[keep].size < big))
        keep++;
    size_t last = keep;
    while (last + 1 < end && same_heading(L, last, last + 1))
        last++;
    for (size_t i = from; i < end; i++)
        if (i < keep || i > last)
            L->cand[i] = C_NONE;
}

static int cmp_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x < y) - (x > y);
}

/* Headings from the layout among lines [from, to). */
static void layout_headings(struct lay *L, size_t from, size_t to)
{
    const struct sok_pdf *p = L->p;
    for (size_t i = from; i < to; i++)
        L->cand[i] = (unsigned char)classify(L, i);
    drop_long_runs(L, from, to);
    drop_term_lists(L, from, to);
    if (from == 0)
        cover(L, from, to);
    /* levels: the larger the type, the higher; running size below all */
    int sizes[MAX_LEVEL];
    size_t ns = 0;
    for (size_t i = from; i < to; i++) {
        if (L->cand[i] != C_SIZE)
            continue;
        size_t k = 0;
        while (k < ns && sizes[k] != p->lines[i].size)
            k++;
        if (k == ns && ns < MAX_LEVEL - 1)
            sizes[ns++] = p->lines[i].size;
    }
    qsort(sizes, ns, sizeof *sizes, cmp_desc);
    for (size_t i = from; i < to; i++) {
        if (L->cand[i] == C_NONE)
            continue;
        size_t k = 0;
        while (k < ns && L->cand[i] == C_SIZE && sizes[k] > p->lines[i].size)
            k++;
        if (L->cand[i] != C_SIZE)
            k = ns;
        L->r->role[i] = i > from && same_heading(L, i - 1, i)
                        ? SOK_PDF_HEAD_MORE : SOK_PDF_HEAD;
        L->r->level[i] = (unsigned char)(k + 1 > MAX_LEVEL ? MAX_LEVEL : k + 1);
    }
}

/* ------------------------------------------------------------------ */
/* all of it                                                            */

void sok_pdf_roles_clear(struct sok_pdf_roles *r)
{
    if (r == NULL)
        return;
    free(r->role);
    free(r->level);
    free(r->left);
    free(r->right);
    free(r->at);
    free(r->lost);
    memset(r, 0, sizeof *r);
}

int sok_pdf_layout(const struct sok_pdf *p, struct sok_pdf_roles *r)
{
    size_t n = p->nlines, np = p->npages;
    struct lay L = { p, r, NULL, NULL, 0 };
    r->role = calloc(n + 1, 1);
    r->level = calloc(n + 1, 1);
    r->left = calloc(np + 1, sizeof *r->left);
    r->right = calloc(np + 1, sizeof *r->right);
    L.first = calloc(np + 1, sizeof *L.first);
    L.cand = calloc(n + 1, 1);
    if (!r->role || !r->level || !r->left || !r->right || !L.first ||
        !L.cand) {
        L.rc = SOK_ENOMEM;
    } else {
        /* lines come page by page: page k's are [first[k-1], first[k]) */
        size_t i = 0;
        for (size_t pg = 1; pg <= np; pg++) {
            while (i < n && p->lines[i].page <= pg)
                i++;
            L.first[pg] = i;
        }
        measure(&L);
    }
    if (L.rc == 0)
        mark_furniture(&L);
    if (L.rc == 0)
        mark_toc(&L);
    size_t head = n;
    if (L.rc == 0 && p->nitems >= 2)
        head = sok_pdf_outline_headings(p, L.first, r, &L.rc);
    if (L.rc == 0)
        layout_headings(&L, 0, head);
    free(L.first);
    free(L.cand);
    return L.rc;
}
