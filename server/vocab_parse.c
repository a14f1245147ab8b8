/*
 * vocab_parse: the lines of a synonyms or best-bets file (formats in
 * vocab.h) into a builder (vocab_build.h).  A line is taken whole or not
 * at all: whatever a line added is rolled back when it turns out bad.
 */
#include "vocab_build.h"

#include <stdlib.h>
#include <string.h>

/* Why a line is refused: one message each. */
enum bad {
    BAD_LONG, BAD_UTF8, BAD_ARROWS, BAD_NO_ARROW, BAD_EMPTY_SIDE,
    BAD_EMPTY_TERM, BAD_ONE_TERM, BAD_TOO_MANY_TERMS, BAD_NO_WORD,
    BAD_TOO_MANY_WORDS, BAD_SAME, BAD_TARGET, BAD_TOO_MANY_TARGETS,
    BAD_N
};

#define XSTR(x) STR(x)
#define STR(x) #x

static const char *const k_bad[BAD_N] = {
    [BAD_LONG] = "longer than " XSTR(SOK_VOCAB_LINE_MAX) " bytes",
    [BAD_UTF8] = "not valid UTF-8",
    [BAD_ARROWS] = "more than one '=>'",
    [BAD_NO_ARROW] = "no '=>' between the query and its targets",
    [BAD_EMPTY_SIDE] = "nothing on one side of '=>'",
    [BAD_EMPTY_TERM] = "an empty term (two commas in a row, or a comma at "
                       "an end)",
    [BAD_ONE_TERM] = "a single term: synonyms need two or more, or '=>'",
    [BAD_TOO_MANY_TERMS] = "more than " XSTR(SOK_VOCAB_TERMS_MAX) " terms",
    [BAD_NO_WORD] = "a term without a word to search for",
    [BAD_TOO_MANY_WORDS] = "a term of more than " XSTR(SOK_VOCAB_WORDS_MAX)
                           " words",
    [BAD_SAME] = "its terms are the same words once normalised",
    [BAD_TARGET] = "a target that is neither a section id (16 lower-case "
                   "hex digits) nor a URL (/path, http:// or https://)",
    [BAD_TOO_MANY_TARGETS] = "more than " XSTR(SOK_VOCAB_BETS_MAX)
                             " targets",
};

void sok_vb_bad(struct vb *b, unsigned line, const char *why)
{
    fprintf(b->diag, "sok-server: %s:%u: %s; line ignored\n", b->path, line,
            why);
    b->bad++;
}

void sok_vb_free(struct vb *b)
{
    sok_buf_free(&b->pool);
    free(b->words);
    free(b->terms);
    free(b->pairs);
    free(b->targets);
}

/* Room for one more element of *arr (n used of *cap, elements of size
 * sz); 0, or -1 with b->prc set. */
static int grow(struct vb *b, void **arr, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, nc * sz);
    if (p == NULL) {
        b->prc = SOK_ENOMEM;
        return -1;
    }
    *arr = p;
    *cap = nc;
    return 0;
}

#define GROW(b, name) \
    grow(b, (void **)&(b)->name, (b)->n##name, &(b)->cap##name, \
         sizeof *(b)->name)

static size_t pool_add(struct vb *b, const char *s, size_t len)
{
    size_t off = b->pool.n;
    sok_buf_append(&b->pool, s, len, &b->prc);
    sok_buf_putc(&b->pool, '\0', &b->prc);
    return off;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* s[0..*len) without white space at either end; returns its start. */
static const char *trim(const char *s, size_t *len)
{
    size_t a = 0, n = *len;
    while (a < n && is_blank(s[a]))
        a++;
    while (n > a && is_blank(s[n - 1]))
        n--;
    *len = n - a;
    return s + a;
}

/* Adds the term s[0..len) (trimmed, not empty): its text, words and key.
 * Returns its index, or -1 with *why set (or b->arc / b->prc). */
static long add_term(struct vb *b, const char *s, size_t len, enum bad *why)
{
    struct sok_vocab_norm nm;
    struct sok_err err = SOK_ERR_INIT;
    if (sok_vocab_norm(b->an, s, len, &nm, &err) != 0) {
        b->arc = err.code;
        return -1;
    }
    if (nm.n == 0 || nm.too_many) {
        *why = nm.n == 0 ? BAD_NO_WORD : BAD_TOO_MANY_WORDS;
        return -1;
    }
    if (GROW(b, terms) != 0)
        return -1;
    struct vb_term *t = &b->terms[b->nterms];
    t->text = pool_add(b, s, len);
    t->w0 = b->nwords;
    t->n = nm.n;
    for (size_t i = 0; i < nm.n; i++) {
        if (GROW(b, words) != 0)
            return -1;
        struct vb_word *w = &b->words[b->nwords++];
        w->w = pool_add(b, nm.w[i].w, nm.w[i].wlen);
        w->wlen = nm.w[i].wlen;
        w->s = pool_add(b, nm.w[i].stem, nm.w[i].slen);
        w->slen = nm.w[i].slen;
    }
    t->key = b->pool.n;
    for (size_t i = 0; i < nm.n; i++) {
        if (i > 0)
            sok_buf_putc(&b->pool, ' ', &b->prc);
        if (nm.w[i].slen > 0)
            sok_buf_append(&b->pool, nm.w[i].stem, nm.w[i].slen, &b->prc);
        else
            sok_buf_append(&b->pool, nm.w[i].w, nm.w[i].wlen, &b->prc);
    }
    sok_buf_putc(&b->pool, '\0', &b->prc);
    if (b->prc != 0)
        return -1;
    if (nm.n > b->max_words)
        b->max_words = nm.n;
    return (long)b->nterms++;
}

/* The comma-separated terms of s[0..len) added, their indexes into
 * idx[0..*n) (room for SOK_VOCAB_TERMS_MAX).  0, or -1 (*why set unless
 * b->prc / b->arc is). */
static int add_terms(struct vb *b, const char *s, size_t len, size_t *idx,
                     size_t *n, enum bad *why)
{
    *n = 0;
    for (size_t i = 0;;) {
        const char *c = memchr(s + i, ',', len - i);
        size_t plen = (c ? (size_t)(c - s) : len) - i;
        const char *p = trim(s + i, &plen);
        if (plen == 0) {
            *why = BAD_EMPTY_TERM;
            return -1;
        }
        if (*n == SOK_VOCAB_TERMS_MAX) {
            *why = BAD_TOO_MANY_TERMS;
            return -1;
        }
        long t = add_term(b, p, plen, why);
        if (t < 0)
            return -1;
        idx[(*n)++] = (size_t)t;
        if (c == NULL)
            return 0;
        i = (size_t)(c - s) + 1;
    }
}

static const char *key_of(const struct vb *b, size_t term)
{
    return b->pool.p + b->terms[term].key;
}

static int add_pair(struct vb *b, size_t from, size_t to, unsigned line)
{
    if (GROW(b, pairs) != 0)
        return -1;
    b->pairs[b->npairs] = (struct vb_pair){ from, to, b->npairs, line, NULL };
    b->npairs++;
    return 0;
}

/* Pairs from each of a[0..na) to each of c[0..nc) of other words; how
 * many were added. */
static size_t pairs_between(struct vb *b, const size_t *a, size_t na,
                            const size_t *c, size_t nc, unsigned line)
{
    size_t k = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nc; j++)
            if (strcmp(key_of(b, a[i]), key_of(b, c[j])) != 0 &&
                add_pair(b, a[i], c[j], line) == 0)
                k++;
    return k;
}

/* A target: a section id or a URL (vocab.h). */
static int target_ok(const char *s, size_t n, int *section)
{
    size_t hex = 0;
    while (hex < n && ((s[hex] >= '0' && s[hex] <= '9') ||
                       (s[hex] >= 'a' && s[hex] <= 'f')))
        hex++;
    *section = hex == 16 && n == 16;
    if (*section)
        return 1;
    if (n > SOK_VOCAB_TARGET_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == '"' || s[i] == '<' ||
            s[i] == '>' || s[i] == '\\' || s[i] == 0x7f)
            return 0;
    if (n >= 1 && s[0] == '/')
        return n == 1 || s[1] != '/';
    if (n > 7 && memcmp(s, "http://", 7) == 0)
        return 1;
    return n > 8 && memcmp(s, "https://", 8) == 0;
}

/* The targets of s[0..len) (separated by commas or white space) added,
 * with a pair from each of q[0..nq) to each. */
static enum bad add_targets(struct vb *b, const char *s, size_t len,
                            const size_t *q, size_t nq, unsigned line)
{
    size_t first = b->ntargets;
    for (size_t i = 0; i < len;) {
        while (i < len && (is_blank(s[i]) || s[i] == ','))
            i++;
        size_t j = i;
        while (j < len && !is_blank(s[j]) && s[j] != ',')
            j++;
        if (j == i)
            break;
        int section = 0;
        if (!target_ok(s + i, j - i, &section))
            return BAD_TARGET;
        if (b->ntargets - first == SOK_VOCAB_BETS_MAX)
            return BAD_TOO_MANY_TARGETS;
        if (GROW(b, targets) != 0)
            return BAD_N;
        b->targets[b->ntargets].off = pool_add(b, s + i, j - i);
        b->targets[b->ntargets++].section = section;
        i = j;
    }
    if (b->ntargets == first)
        return BAD_EMPTY_SIDE;
    for (size_t i = 0; i < nq; i++)
        for (size_t t = first; t < b->ntargets; t++)
            add_pair(b, q[i], t, line);
    return BAD_N;
}

/* Where the comment of s[0..len) starts ('#' first or after white
 * space), or len. */
static size_t comment_at(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '#' && (i == 0 || is_blank(s[i - 1])))
            return i;
    return len;
}

/* The rules of one line (without its newline), trimmed, not empty. */
static enum bad rules(struct vb *b, const char *s, size_t n, unsigned line)
{
    size_t a[SOK_VOCAB_TERMS_MAX], c[SOK_VOCAB_TERMS_MAX], na = 0, nc = 0;
    enum bad why = BAD_N;
    const char *arrow = memmem(s, n, "=>", 2);
    if (arrow && memmem(arrow + 2, n - (size_t)(arrow + 2 - s), "=>", 2))
        return BAD_ARROWS;
    if (arrow == NULL && b->kind == SOK_VOCAB_BEST_BETS)
        return BAD_NO_ARROW;
    size_t llen = arrow ? (size_t)(arrow - s) : n;
    size_t rlen = arrow ? n - llen - 2 : 0;
    const char *r = arrow ? trim(arrow + 2, &rlen) : NULL;
    trim(s, &llen);
    if (arrow && (llen == 0 || rlen == 0))
        return BAD_EMPTY_SIDE;
    if (add_terms(b, s, llen, a, &na, &why) != 0)
        return why;
    if (b->kind == SOK_VOCAB_BEST_BETS)
        return add_targets(b, r, rlen, a, na, line);
    if (arrow == NULL && na < 2)
        return BAD_ONE_TERM;
    if (arrow && add_terms(b, r, rlen, c, &nc, &why) != 0)
        return why;
    size_t k = arrow ? pairs_between(b, a, na, c, nc, line)
                     : pairs_between(b, a, na, a, na, line);
    return k == 0 && b->prc == 0 ? BAD_SAME : BAD_N;
}

/* One line: taken whole, or said and rolled back. */
static void line_of(struct vb *b, const char *s, size_t n, unsigned line)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    enum bad why = BAD_N;
    if (n > SOK_VOCAB_LINE_MAX)
        why = BAD_LONG;
    else if (!sok_text_utf8_valid(s, n))
        why = BAD_UTF8;
    if (why == BAD_N) {
        n = comment_at(s, n);
        s = trim(s, &n);
        if (n == 0)
            return;
        size_t pool = b->pool.n, nw = b->nwords, nt = b->nterms,
               np = b->npairs, ntg = b->ntargets, mw = b->max_words;
        why = rules(b, s, n, line);
        if (why == BAD_N && b->prc == 0 && b->arc == 0)
            return;
        b->pool.n = pool;
        b->nwords = nw;
        b->nterms = nt;
        b->npairs = np;
        b->ntargets = ntg;
        b->max_words = mw;
        if (why == BAD_N)
            return;                 /* out of memory: b->prc says */
    }
    sok_vb_bad(b, line, k_bad[why]);
}

void sok_vb_parse(struct vb *b, const char *text, size_t len)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;                  /* a byte-order mark some editors add */
        len -= 3;
    }
    unsigned line = 0;
    for (size_t i = 0; i < len && b->prc == 0 && b->arc == 0;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        line_of(b, text + i, e - i, ++line);
        i = e + 1;
    }
}
