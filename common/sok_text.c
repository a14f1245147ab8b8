/*
 * sok_text: Unicode text handling shared by the indexer and the server
 * (UTF-8 at the byte level is sok_utf8.c).  It folds text to NFC + Unicode case folding with utf8proc so that NFD, NFC
 * and upper-case spellings of a word meet, and splits text into tokens with
 * byte offsets into the caller's original text.  The tokeniser runs over
 * every word of the corpus, so it never allocates: each token is folded into
 * a bounded scratch buffer on the stack, with a table-driven fast path for
 * the ASCII + Latin-1 letters that make up nearly all Swedish text.
 */
#include "sok_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

/* ---------------------------------------------------------------- folding */

/* The normalisation every term goes through: NFC (COMPOSE) + full Unicode
 * case folding.  STABLE keeps the result stable across Unicode versions. */
#define SOK_FOLD_OPTS \
    ((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD))

int sok_text_fold(const char *s, size_t len, char **out, size_t *outlen,
                  struct sok_err *err)
{
    if (out == NULL || (s == NULL && len != 0))
        return sok_err_set(err, SOK_EINVAL, "fold: NULL argument");
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (len > (size_t)(PTRDIFF_MAX / 16))
        return sok_err_set(err, SOK_ETOOBIG, "fold: input too large");

    utf8proc_uint8_t *r = NULL;
    /* utf8proc_map returns a negative utf8proc error on invalid input and
     * treats len 0 specially only with NULLTERM, which we never pass. */
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)(s ? s : ""),
                                      (utf8proc_ssize_t)len, &r, SOK_FOLD_OPTS);
    if (n < 0) {
        free(r);
        if (n == UTF8PROC_ERROR_NOMEM)
            return sok_err_set(err, SOK_ENOMEM, "fold: out of memory");
        if (n == UTF8PROC_ERROR_INVALIDUTF8 || n == UTF8PROC_ERROR_NOTASSIGNED)
            return sok_err_set(err, SOK_EUTF8, "fold: %s",
                               utf8proc_errmsg(n));
        return sok_err_set(err, SOK_EINTERNAL, "fold: %s", utf8proc_errmsg(n));
    }
    *out = (char *)r;
    if (outlen)
        *outlen = (size_t)n;
    return 0;
}

/* ------------------------------------------------------------- tokeniser */

/* Character kinds, from the Unicode general category. */
#define K_LETTER 0x01u   /* L* */
#define K_MARK   0x02u   /* M*: the ring of NFD "a\u030a" stays in its word */
#define K_DIGIT  0x04u   /* Nd */
#define K_NUMOTH 0x08u   /* Nl, No ("\u00b2", roman numerals) */
#define K_UPPER  0x10u   /* Lu, Lt */
#define K_WORD   (K_LETTER | K_MARK | K_DIGIT | K_NUMOTH)

static unsigned kind_of(int32_t cp)
{
    if (cp < 0x80) {
        if ((uint32_t)(cp - 'a') < 26)
            return K_LETTER;
        if ((uint32_t)(cp - 'A') < 26)
            return K_LETTER | K_UPPER;
        if ((uint32_t)(cp - '0') < 10)
            return K_DIGIT;
        return 0;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
        return K_LETTER | K_UPPER;
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return K_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return K_MARK;
    case UTF8PROC_CATEGORY_ND:
        return K_DIGIT;
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return K_NUMOTH;
    default:
        return 0;
    }
}

int sok_text_is_letter(int32_t cp)
{
    if (cp < 0)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL ||
           c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_LM ||
           c == UTF8PROC_CATEGORY_LO || c == UTF8PROC_CATEGORY_MN ||
           c == UTF8PROC_CATEGORY_MC;
}

#define CP_SHY   0x00AD   /* soft hyphen: invisible, kept inside words */
#define CP_HYPH  0x2010   /* HYPHEN */
#define CP_NBHY  0x2011   /* NON-BREAKING HYPHEN */
#define CP_RSQ   0x2019   /* RIGHT SINGLE QUOTATION MARK, the typographic ' */

static int is_hyphen(int32_t cp)
{
    /* En and em dashes (U+2013, U+2014) are punctuation, not joiners:
     * "Do Drom \u2013 en v\u00e4g" is four words. */
    return cp == '-' || cp == CP_HYPH || cp == CP_NBHY;
}

static int is_apostrophe(int32_t cp)
{
    return cp == '\'' || cp == CP_RSQ;
}

/* Source bytes of one token are folded at most this far: enough for
 * SOK_TOKEN_MAX folded bytes (folding shrinks text by well under 2.5x) while
 * keeping the scratch space bounded for megabyte-long "words". */
#define FOLD_SRC_MAX 512
/* Code points utf8proc may produce for FOLD_SRC_MAX bytes; more only for
 * pathological input, which is then cut shorter. */
#define FOLD_CP_MAX 2048

/* The tokeniser's state; lives on the stack of sok_text_tokenize. */
struct tk {
    const unsigned char *s;
    size_t len;
    sok_token_cb cb;
    void *ctx;
    unsigned pos;
    /* No e-mail address or domain name starts in [current, addr_fail):
     * remembered so a long "a.b.c.d..." run is not rescanned from every
     * word in it, which would be quadratic. */
    size_t addr_fail;
    int32_t cps[FOLD_CP_MAX + 1];   /* +1: utf8proc_reencode's NUL */
    char text[SOK_TOKEN_MAX + 1];
};

/* Decodes the character at i: returns its byte length (0 at the end) and
 * its kind; *cp gets the code point, or -1 for an invalid byte, which is
 * then skipped as a one-byte separator. */
static unsigned kind_at(const struct tk *t, size_t i, int32_t *cp, size_t *n)
{
    int32_t c;
    if (i >= t->len) {
        *n = 0;
        if (cp)
            *cp = -1;
        return 0;
    }
    if (t->s[i] < 0x80) {
        c = t->s[i];
        *n = 1;
    } else {
        *n = sok_utf8_decode((const char *)t->s + i, t->len - i, &c);
        if (*n == 0) {
            *n = 1;
            if (cp)
                *cp = -1;
            return 0;
        }
    }
    if (cp)
        *cp = c;
    return kind_of(c);
}

/* Byte length at or below n where p can be cut without splitting a
 * character or separating a base from its combining marks (which NFC might
 * compose with it).  p[n] must be readable. */
static size_t cut_point(const unsigned char *p, size_t n)
{
    size_t orig;
    while (n > 0 && sok_utf8_cont(p[n]))
        n--;
    orig = n;
    for (int guard = 0; n > 0 && guard < 32; guard++) {
        int32_t cp;
        if (sok_utf8_decode((const char *)p + n, 4, &cp) == 0 || kind_of(cp) != K_MARK)
            return n;
        do
            n--;
        while (n > 0 && sok_utf8_cont(p[n]));
    }
    return orig;   /* a wall of marks: any boundary will do */
}

/*
 * Folds token bytes [a,b) into t->text (NFC + case folding, exactly as
 * sok_text_fold; in addition U+2019 becomes "'", U+2010/U+2011 become "-"
 * and soft hyphens vanish, so a query typed on a keyboard meets typeset
 * text).  Returns the length, cut at a character boundary to SOK_TOKEN_MAX
 * with *trunc set; 0 when nothing is left.
 */
static size_t fold_token(struct tk *t, size_t a, size_t b, int *trunc)
{
    const unsigned char *p = t->s + a;
    size_t n = b - a, o = 0, k;

    *trunc = 0;
    if (n > FOLD_SRC_MAX) {
        n = cut_point(p, FOLD_SRC_MAX);
        *trunc = 1;
    }

    /* Fast path: ASCII and precomposed Latin-1 letters (U+00C0..U+00FF,
     * always "\xc3" + one byte) are NFC already and fold by arithmetic. */
    for (k = 0; k < n;) {
        unsigned c = p[k];
        if (c < 0x80) {
            if (o + 1 > SOK_TOKEN_MAX) {
                *trunc = 1;
                break;
            }
            t->text[o++] = (char)((uint32_t)(c - 'A') < 26 ? c + 32 : c);
            k++;
        } else if (c == 0xC3 && k + 1 < n) {
            unsigned c2 = p[k + 1];
            if (o + 2 > SOK_TOKEN_MAX) {
                *trunc = 1;
                break;
            }
            if (c2 == 0x9F) {           /* sharp s folds to "ss" */
                t->text[o++] = 's';
                t->text[o++] = 's';
            } else {
                if (c2 < 0x9F && c2 != 0x97)   /* upper case, not U+00D7 */
                    c2 += 0x20;
                t->text[o++] = (char)0xC3;
                t->text[o++] = (char)c2;
            }
            k += 2;
        } else {
            goto slow;
        }
    }
    t->text[o] = '\0';
    return o;

slow:
    *trunc = n < b - a;
    {
        utf8proc_ssize_t m;
        for (;;) {
            m = utf8proc_decompose(p, (utf8proc_ssize_t)n, t->cps, FOLD_CP_MAX,
                                   SOK_FOLD_OPTS);
            if (m < 0)
                return 0;
            if (m <= FOLD_CP_MAX)
                break;
            n = cut_point(p, n / 2);
            *trunc = 1;
            if (n == 0)
                return 0;
        }
        m = utf8proc_reencode(t->cps, m, SOK_FOLD_OPTS);
        if (m < 0)
            return 0;
        const unsigned char *f = (const unsigned char *)t->cps;
        size_t fl = (size_t)m;
        o = 0;
        for (k = 0; k < fl;) {
            size_t cl = f[k] < 0x80 ? 1 : f[k] < 0xE0 ? 2 : f[k] < 0xF0 ? 3 : 4;
            const unsigned char *r = f + k;
            size_t rl = cl;
            if (cl == 2 && f[k] == 0xC2 && f[k + 1] == 0xAD) {
                rl = 0;                                   /* soft hyphen */
            } else if (cl == 3 && f[k] == 0xE2 && f[k + 1] == 0x80) {
                if (f[k + 2] == 0x99) {
                    r = (const unsigned char *)"'";
                    rl = 1;
                } else if (f[k + 2] == 0x90 || f[k + 2] == 0x91) {
                    r = (const unsigned char *)"-";
                    rl = 1;
                }
            }
            if (o + rl > SOK_TOKEN_MAX) {
                *trunc = 1;
                break;
            }
            /* r may point into f, which never overlaps t->text. */
            memcpy(t->text + o, r, rl);
            o += rl;
            k += cl;
        }
        t->text[o] = '\0';
        return o;
    }
}

/* 1 when the first letter of [a,b) is upper (or title) case. */
static int starts_capital(const struct tk *t, size_t a, size_t b)
{
    while (a < b) {
        size_t n;
        unsigned k = kind_at(t, a, NULL, &n);
        if (k & K_LETTER)
            return (k & K_UPPER) != 0;
        a += n;
    }
    return 0;
}

static int emit(struct tk *t, size_t a, size_t b, unsigned flags, unsigned pos)
{
    int trunc;
    size_t n = fold_token(t, a, b, &trunc);
    if (n == 0)
        return 0;
    if (trunc)
        flags |= SOK_TOK_TRUNCATED;
    if (!(flags & SOK_TOK_NUMBER) && starts_capital(t, a, b))
        flags |= SOK_TOK_CAPITAL;
    struct sok_token tok = { t->text, n, a, b, pos, flags };
    return t->cb(t->ctx, &tok);
}

/*
 * One element of a word: a run of word characters, with apostrophes and
 * soft hyphens between letters ("don't", "Zlatan\u2019s").  A run of digits
 * continues over . , : / - followed by digits, so "2017-02-13", "13:30",
 * "1,5" and "042-10" stay whole; *numeric tells whether it was all digits.
 */
static size_t scan_element(const struct tk *t, size_t i, int *numeric)
{
    size_t j = i, n, n2;
    int32_t cp;
    int all_digit = 1;
    unsigned prev = 0;

    for (;;) {
        unsigned k = kind_at(t, j, &cp, &n);
        if (k & K_WORD) {
            all_digit &= (k & K_DIGIT) != 0;
            prev = k;
            j += n;
            continue;
        }
        if (n != 0 && (is_apostrophe(cp) || cp == CP_SHY) &&
            (prev & (K_LETTER | K_MARK)) &&
            (kind_at(t, j + n, NULL, &n2) & K_LETTER)) {
            all_digit = 0;
            prev = 0;
            j += n;
            continue;
        }
        break;
    }
    if (all_digit) {
        while (j + 1 < t->len) {
            unsigned c = t->s[j];
            if (c != '.' && c != ',' && c != ':' && c != '/' && c != '-')
                break;
            if (!(kind_at(t, j + 1, NULL, &n2) & K_DIGIT))
                break;
            j++;
            while (kind_at(t, j, NULL, &n2) & K_DIGIT)
                j += n2;
        }
    }
    *numeric = all_digit;
    return j;
}

/* Length of the hyphen at i that joins two elements of a compound, or 0. */
static size_t joining_hyphen(const struct tk *t, size_t i)
{
    int32_t cp;
    size_t n, n2;
    kind_at(t, i, &cp, &n);
    if (n == 0 || !is_hyphen(cp))
        return 0;
    /* "skol- och fritidsf\u00f6rvaltning": a trailing hyphen joins nothing. */
    if (!(kind_at(t, i + n, NULL, &n2) & K_WORD))
        return 0;
    return n;
}

/* A word, number or hyphenated compound starting at i; *end gets its end. */
static int emit_chunk(struct tk *t, size_t i, size_t *end)
{
    int numeric;
    unsigned nelem = 1;
    size_t j = scan_element(t, i, &numeric), h;
    int first_numeric = numeric;

    while ((h = joining_hyphen(t, j)) != 0) {
        j = scan_element(t, j + h, &numeric);
        nelem++;
    }
    *end = j;
    if (nelem == 1)
        return emit(t, i, j, first_numeric ? SOK_TOK_NUMBER : SOK_TOK_WORD,
                    t->pos++);

    /* Whole first, then the parts, rescanned rather than stored so a
     * pathological "a-a-a-...-a" needs no memory. */
    int rc = emit(t, i, j, SOK_TOK_COMPOUND, t->pos);
    for (size_t a = i; rc == 0 && a < j;) {
        size_t e = scan_element(t, a, &numeric);
        rc = emit(t, a, e,
                  SOK_TOK_PART | (numeric ? SOK_TOK_NUMBER : SOK_TOK_WORD),
                  t->pos++);
        size_t hl = joining_hyphen(t, e);
        if (e >= j || hl == 0)
            break;
        a = e + hl;
    }
    return rc;
}

/* An URL or e-mail address [a,e): whole, then its word parts from pa on
 * (the scheme "http" is no word of the address). */
static int emit_addr(struct tk *t, size_t a, size_t e, size_t pa,
                     unsigned flags)
{
    unsigned p0 = t->pos, np = 0;
    int rc = emit(t, a, e, flags, p0);
    for (size_t j = pa; rc == 0 && j < e;) {
        size_t n;
        unsigned k = kind_at(t, j, NULL, &n);
        if (!(k & K_WORD)) {
            j += n;
            continue;
        }
        size_t r = j;
        int all_digit = 1;
        while (r < e && ((k = kind_at(t, r, NULL, &n)) & K_WORD)) {
            all_digit &= (k & K_DIGIT) != 0;
            r += n;
        }
        rc = emit(t, j, r,
                  SOK_TOK_PART | (all_digit ? SOK_TOK_NUMBER : SOK_TOK_WORD),
                  p0 + np);
        np++;
        j = r;
    }
    t->pos = p0 + (np ? np : 1);
    return rc;
}

/* Characters an URL runs over: printable ASCII except those RFC 3986
 * excludes and that delimit URLs in prose, and non-ASCII letters and
 * digits (paths like "/uppleva-och-g\u00f6ra"). */
static int url_char(int32_t cp, unsigned kind)
{
    if (cp < 0)
        return 0;
    if (cp < 0x80)
        return cp > 0x20 && cp < 0x7F && strchr("<>\"`{}|\\^", (int)cp) == NULL;
    return (kind & K_WORD) != 0;
}

/* Extends an URL from j over url_char()s, then gives back trailing
 * punctuation that belongs to the sentence: "(se http://x.se/a)." */
static size_t url_tail(const struct tk *t, size_t start, size_t j)
{
    size_t n;
    int32_t cp;
    long open = 0, close = 0;

    for (;;) {
        unsigned k = kind_at(t, j, &cp, &n);
        if (n == 0 || !url_char(cp, k))
            break;
        open += cp == '(';
        close += cp == ')';
        j += n;
    }
    while (j > start) {
        unsigned c = t->s[j - 1];
        if (c == ')') {
            if (close <= open)
                break;
            close--;
        } else if (strchr(".,;:!?'\"]}*", (int)c) == NULL || c == 0) {
            break;
        }
        j--;
    }
    return j;
}

/* An URL with a scheme or "www." at i; *pa gets where its parts start. */
static size_t match_url(const struct tk *t, size_t i, size_t *pa)
{
    const char *s = (const char *)t->s + i;
    size_t rem = t->len - i, pre, n;

    if (rem > 7 && strncasecmp(s, "http://", 7) == 0)
        pre = 7;
    else if (rem > 8 && strncasecmp(s, "https://", 8) == 0)
        pre = 8;
    else if (rem > 4 && strncasecmp(s, "www.", 4) == 0)
        pre = 0;   /* "www" is part of the host name */
    else
        return 0;
    size_t body = i + (pre ? pre : 4);
    if (!(kind_at(t, body, NULL, &n) & K_WORD))
        return 0;
    *pa = i + pre;
    size_t e = url_tail(t, body, body);
    return e > body ? e : 0;
}

/* Top-level domains that mark "helsingborg.se" as an address.  Kept short:
 * "slut.Det" with a missing space must stay two words. */
static int is_tld(const struct tk *t, size_t a, size_t b)
{
    static const char *const tlds[] = {
        "se", "nu", "com", "net", "org", "eu", "info", "io", "dk", "fi",
        "no", "uk", "gov", "edu", "int", "biz",
    };
    size_t n = b - a;
    for (size_t i = 0; i < sizeof tlds / sizeof tlds[0]; i++)
        if (strlen(tlds[i]) == n &&
            strncasecmp((const char *)t->s + a, tlds[i], n) == 0)
            return 1;
    return 0;
}

/* Host name labels from i: word runs joined by single '.' or '-'.  Returns
 * the end; *dots counts the dots, *last gets the start of the last label. */
static size_t scan_labels(const struct tk *t, size_t i, int allow_under,
                          unsigned *dots, unsigned *unders, size_t *last)
{
    size_t j = i, n;
    *dots = 0;
    *unders = 0;
    *last = i;
    for (;;) {
        while (kind_at(t, j, NULL, &n) & K_WORD)
            j += n;
        if (j + 1 >= t->len)
            break;
        unsigned c = t->s[j];
        if (c != '.' && c != '-' && !(allow_under && c == '_'))
            break;
        if (!(kind_at(t, j + 1, NULL, &n) & K_WORD))
            break;
        *dots += c == '.';
        *unders += c == '_';
        j++;
        *last = j;
    }
    return j;
}

/* An e-mail address or a bare domain name ("skolfam.se", with an optional
 * path) at i.  *flags gets SOK_TOK_EMAIL or SOK_TOK_URL. */
static size_t match_addr(struct tk *t, size_t i, unsigned *flags)
{
    unsigned dots, unders;
    size_t last, j = scan_labels(t, i, 1, &dots, &unders, &last), n;

    if (j < t->len && t->s[j] == '@') {
        if (kind_at(t, j + 1, NULL, &n) & K_WORD) {
            size_t e = scan_labels(t, j + 1, 0, &dots, &unders, &last);
            /* The last label is the top-level domain: letters, two or
             * more, so "a@b.1" or "x@y.z" stay words. */
            int ok = dots > 0 && e - last >= 2;
            for (size_t q = last; ok && q < e; q += n)
                ok = (kind_at(t, q, NULL, &n) & K_LETTER) != 0;
            if (ok) {
                *flags = SOK_TOK_EMAIL;
                return e;
            }
        }
    } else if (dots > 0 && unders == 0 && is_tld(t, last, j)) {
        *flags = SOK_TOK_URL;
        if (j < t->len && t->s[j] == '/')
            return url_tail(t, j, j);
        return j;
    }
    /* Every later start inside [i, j) reaches the same end and fails the
     * same way. */
    t->addr_fail = j;
    return 0;
}

int sok_text_tokenize(const char *s, size_t len, unsigned first_pos,
                      sok_token_cb cb, void *ctx, unsigned *next_pos,
                      struct sok_err *err)
{
    if (next_pos)
        *next_pos = first_pos;
    if (cb == NULL || (s == NULL && len != 0))
        return sok_err_set(err, SOK_EINVAL, "tokenize: NULL argument");

    /* ~8 KB: the scratch for folding one token, reused for all of them. */
    struct tk t;
    t.s = (const unsigned char *)s;
    t.len = len;
    t.cb = cb;
    t.ctx = ctx;
    t.pos = first_pos;
    t.addr_fail = 0;

    int rc = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t n, e = 0, pa = 0;
        unsigned k = kind_at(&t, i, &cp, &n), flags = 0;
        if (!(k & K_WORD)) {
            i += n;
            continue;
        }
        if ((cp | 0x20) == 'h' || (cp | 0x20) == 'w')
            e = match_url(&t, i, &pa);
        if (e != 0) {
            rc = emit_addr(&t, i, e, pa, SOK_TOK_URL);
        } else if (i >= t.addr_fail && (e = match_addr(&t, i, &flags)) != 0) {
            rc = emit_addr(&t, i, e, i, flags);
        } else {
            rc = emit_chunk(&t, i, &e);
        }
        if (rc != 0)
            break;
        i = e;
    }
    if (next_pos)
        *next_pos = t.pos;
    return rc;
}

