/*
 * sok_extract: what all the extractors share (sok_extract.h): the block
 * list of an extracted document, and the normalisation every raw text gets
 * before an extractor sees it (UTF-8 repair, line ends, the Unicode spaces
 * and invisibles).  Both map the same characters the same way, through
 * special_space(), so text that arrives through different formats ends up
 * alike in the index.  The formats live in sok_extract_text.c,
 * sok_extract_md.c, sok_extract_html.c and sok_extract_pdf.c.
 */
#include "sok_extract.h"
#include "sok_buf.h"
#include "sok_text.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* blocks                                                               */

void sok_extracted_clear(struct sok_extracted *x)
{
    if (x == NULL)
        return;
    for (size_t i = 0; i < x->n; i++) {
        free(x->blocks[i].text);
        free(x->blocks[i].anchor);
    }
    free(x->blocks);
    free(x->title);
    free(x->url);
    memset(x, 0, sizeof *x);
}

/* Maps the Unicode spaces and invisibles we normalise at s[i] (valid
 * UTF-8): returns the number of bytes consumed and sets *rep to the
 * replacement (' ', '\n' or 0 for "drop"), or returns 0 when s[i] is not
 * one of them. */
static size_t special_space(const unsigned char *s, size_t len, size_t i,
                            char *rep)
{
    if (s[i] == '\t' || s[i] == '\v') {
        *rep = ' ';
        return 1;
    }
    if (s[i] == 0xC2 && i + 1 < len) {
        if (s[i + 1] == 0xA0) { *rep = ' '; return 2; }    /* NBSP */
        if (s[i + 1] == 0xAD) { *rep = 0; return 2; }      /* soft hyphen */
    }
    if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80) {
        unsigned char c = s[i + 2];
        if (c >= 0x80 && c <= 0x8A) { *rep = ' '; return 3; } /* en/em/thin.. */
        if (c == 0x8B) { *rep = 0; return 3; }                /* ZWSP */
        if (c == 0xAF) { *rep = ' '; return 3; }              /* narrow NBSP */
        if (c == 0xA8 || c == 0xA9) { *rep = '\n'; return 3; }
    }
    if (s[i] == 0xE3 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
        *rep = ' ';                                           /* ideographic */
        return 3;
    }
    if (s[i] == 0xEF && i + 2 < len && s[i + 1] == 0xBB && s[i + 2] == 0xBF) {
        *rep = 0;                                             /* BOM */
        return 3;
    }
    return 0;
}

void sok_extracted_add(struct sok_extracted *x, int level, const char *text,
                       size_t len, const char *anchor, int *rc)
{
    if (*rc)
        return;
    /* Collapse blank runs to one space, drop blanks around line breaks and
     * empty lines: a block holds no empty line by contract. */
    struct sok_buf b = SOK_BUF_INIT;
    const unsigned char *s = (const unsigned char *)text;
    sok_buf_reserve(&b, len, rc);
    int pend_space = 0, pend_nl = 0;
    for (size_t i = 0; i < len && !*rc;) {
        char rep;
        size_t k = special_space(s, len, i, &rep);
        char c;
        if (k) {
            i += k;
            if (rep == 0)
                continue;
            c = rep;
        } else {
            c = (char)s[i++];
            if (c == '\r')
                c = '\n';
        }
        if (c == ' ') {
            pend_space = 1;
            continue;
        }
        if (c == '\n') {
            pend_nl = 1;
            pend_space = 0;
            continue;
        }
        if (b.n && pend_nl)
            sok_buf_putc(&b, '\n', rc);
        else if (b.n && pend_space)
            sok_buf_putc(&b, ' ', rc);
        pend_nl = pend_space = 0;
        sok_buf_putc(&b, c, rc);
    }
    if (*rc || b.n == 0) {
        sok_buf_free(&b);
        return;
    }
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 32;
        struct sok_extracted_block *nb = realloc(x->blocks, cap * sizeof *nb);
        if (nb == NULL) {
            *rc = SOK_ENOMEM;
            sok_buf_free(&b);
            return;
        }
        x->blocks = nb;
        x->cap = cap;
    }
    char *an = NULL;
    if (anchor && *anchor && (an = strdup(anchor)) == NULL) {
        *rc = SOK_ENOMEM;
        sok_buf_free(&b);
        return;
    }
    char *t = sok_buf_detach(&b, NULL);
    if (t == NULL) {
        free(an);
        *rc = SOK_ENOMEM;
        return;
    }
    x->blocks[x->n].level = level;
    x->blocks[x->n].text = t;
    x->blocks[x->n].anchor = an;
    x->blocks[x->n].page = 0;
    x->blocks[x->n].kind = SOK_BLOCK_TEXT;
    x->n++;
}

void sok_extracted_add_at(struct sok_extracted *x, int level,
                          const char *text, size_t len, unsigned page,
                          enum sok_block_kind kind, int *rc)
{
    size_t n = x->n;
    sok_extracted_add(x, level, text, len, NULL, rc);
    if (x->n > n) {
        x->blocks[n].page = page;
        x->blocks[n].kind = kind;
    }
}

/* ------------------------------------------------------------------ */
/* lines                                                                */

int sok_extract_list_item(const char *p, size_t n)
{
    if (n >= 2 && (p[0] == '-' || p[0] == '*' || p[0] == 'o') && p[1] == ' ')
        return 1;
    if (n >= 4 && (!memcmp(p, "\xE2\x80\xA2", 3) ||      /* • */
                   !memcmp(p, "\xE2\x80\x93", 3) ||      /* – */
                   !memcmp(p, "\xE2\x97\x8F", 3) ||      /* ● */
                   !memcmp(p, "\xEF\x82\xB7", 3)) && p[3] == ' ')
        return 1;
    size_t d = 0;
    while (d < n && d < 3 && p[d] >= '0' && p[d] <= '9')
        d++;
    return d > 0 && d + 1 < n && (p[d] == '.' || p[d] == ')') &&
           p[d + 1] == ' ';
}

static int is_lower_start(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c = (unsigned char)p[0];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    /* å ä ö é ü ø æ (C3 A0..C3 BF are the Latin-1 lower-case letters) */
    return c == 0xC3 && n > 1 && (unsigned char)p[1] >= 0xA0;
}

enum sok_hyphen sok_extract_hyphen(const char *pp, size_t pn,
                                   const char *l, size_t ln)
{
    if (pn < 2 || pp[pn - 1] != '-' || pp[pn - 2] == ' ' ||
        pp[pn - 2] == '-')
        return SOK_HYPHEN_NONE;
    /* "Norrköpings-\nKommun", "- punkt": not a word broken in two */
    if (!is_lower_start(l, ln) || sok_extract_list_item(l, ln))
        return SOK_HYPHEN_NONE;
    /* "skol-\noch fritid": a suspended compound, keep "skol- och" */
    static const char *const conj[] = { "och ", "eller ", "samt ",
                                        "respektive ", "till ", "som " };
    for (size_t k = 0; k < sizeof conj / sizeof conj[0]; k++)
        if (ln > strlen(conj[k]) && !strncmp(l, conj[k], strlen(conj[k])))
            return SOK_HYPHEN_SPACE;
    /* Inside a URL, a path or an already hyphenated compound
     * ("inbjudan-till-...-av-\nsocialtjansten", "IOP-\navtal") the hyphen
     * is real: keep it and join without a space.  Otherwise it is a
     * hyphenation point: drop it. */
    size_t ws = pn - 1;
    while (ws > 0 && pp[ws - 1] != ' ')
        ws--;
    for (size_t k = ws; k + 1 < pn; k++)
        if (pp[k] == '-' || pp[k] == '/' || pp[k] == '.' || pp[k] == '@' ||
            (pp[k] >= '0' && pp[k] <= '9') ||
            (pp[k] >= 'A' && pp[k] <= 'Z' && k + 2 == pn))
            return SOK_HYPHEN_KEEP;
    /* "e-\npost": one letter is an abbreviation, not a syllable */
    if (pn - 1 - ws == 1)
        return SOK_HYPHEN_KEEP;
    return SOK_HYPHEN_DROP;
}

/* ------------------------------------------------------------------ */
/* normalisation                                                        */

int sok_extract_normalise(const char *s, size_t len, char **out,
                          size_t *outlen, size_t *nbad, struct sok_err *err)
{
    int rc = 0;
    /* Form feeds (page breaks) must become paragraph breaks before the
     * UTF-8 repair, which turns every other C0 control into a space.  0x0C
     * is never part of a multi-byte sequence, so this is safe on raw
     * bytes. */
    struct sok_buf pre = SOK_BUF_INIT;
    const char *src = s;
    size_t srclen = len;
    if (memchr(s, '\f', len)) {
        for (size_t i = 0; i < len && !rc; i++) {
            if (s[i] == '\f')
                sok_buf_append(&pre, "\n\n", 2, &rc);
            else
                sok_buf_putc(&pre, s[i], &rc);
        }
        if (rc) {
            sok_buf_free(&pre);
            return sok_err_set(err, rc, "out of memory normalising text");
        }
        src = pre.p;
        srclen = pre.n;
    }
    char *rep = NULL;
    size_t replen = 0;
    rc = sok_text_utf8_repair(src, srclen, &rep, &replen, nbad, err);
    sok_buf_free(&pre);
    if (rc)
        return rc;

    struct sok_buf b = SOK_BUF_INIT;
    const unsigned char *u = (const unsigned char *)rep;
    sok_buf_reserve(&b, replen, &rc);
    for (size_t i = 0; i < replen && !rc;) {
        char r;
        /* tabs stay: Markdown indentation counts them as four columns */
        size_t k = u[i] == '\t' ? 0 : special_space(u, replen, i, &r);
        char c;
        if (k) {
            i += k;
            if (r == 0)
                continue;
            c = r;
        } else {
            c = (char)u[i++];
            if (c == '\r') {
                if (i < replen && u[i] == '\n')
                    i++;
                c = '\n';
            }
        }
        sok_buf_putc(&b, c, &rc);
    }
    free(rep);
    if (rc) {
        sok_buf_free(&b);
        return sok_err_set(err, rc, "out of memory normalising text");
    }
    *out = sok_buf_detach(&b, outlen);
    if (*out == NULL)
        return sok_err_set(err, SOK_ENOMEM, "out of memory normalising text");
    return 0;
}
