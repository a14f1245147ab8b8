/*
 * sok_utf8: the byte-level half of sok_text.h.  Everything in sok that walks
 * UTF-8 by hand (counting characters, cutting at a character boundary,
 * decoding one sequence) calls these, so there is one definition of a valid
 * sequence: the strict one of Unicode's Table 3-7, which is also what
 * utf8proc accepts.  Validation and repair live here too because extracted
 * documents arrive in any encoding and must be valid UTF-8 before anything
 * else reads them.
 */
#include "sok_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t sok_utf8_decode(const char *str, size_t len, int32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (len < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = (int32_t)(((c & 0x1Fu) << 6) | (s[1] & 0x3Fu));
        return 2;
    }
    if (c < 0xF0) {
        if (len < 3 || (s[2] & 0xC0) != 0x80)
            return 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* surrogates */
        if (s[1] < lo || s[1] > hi)
            return 0;
        *cp = (int32_t)(((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) |
                        (s[2] & 0x3Fu));
        return 3;
    }
    if (c < 0xF5) {
        if (len < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xF0)
            lo = 0x90;          /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
        if (s[1] < lo || s[1] > hi)
            return 0;
        *cp = (int32_t)(((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
                        ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu));
        return 4;
    }
    return 0;
}

size_t sok_utf8_encode(int32_t cp, char *d)
{
    uint32_t c = (uint32_t)cp;
    if (c < 0x80) {
        d[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        d[0] = (char)(0xC0 | (c >> 6));
        d[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        d[0] = (char)(0xE0 | (c >> 12));
        d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        d[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (c >> 18));
    d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    d[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

int sok_text_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    if (s == NULL)
        return len == 0;
    while (i < len) {
        /* ASCII runs dominate: skip eight bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int32_t cp;
        size_t n = sok_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* Windows-1252 0x80..0x9F; 0 marks the five undefined bytes.  0xA0..0xFF
 * are Latin-1 and map to themselves. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0,
};

/* C0 controls other than tab, newline and carriage return (and NUL) would
 * end C strings early or confuse terminals and JSON consumers. */
static int is_bad_control(unsigned c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

int sok_text_utf8_repair(const char *s, size_t len, char **out, size_t *outlen,
                         size_t *nbad, struct sok_err *err)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i, nmulti = 0, ninvalid = 0, bad = 0;

    if (out == NULL || (s == NULL && len != 0))
        return sok_err_set(err, SOK_EINVAL, "utf8_repair: NULL argument");
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (nbad)
        *nbad = 0;

    /* First pass: is this UTF-8 with a few broken bytes, or a legacy
     * single-byte encoding?  A text that has high bytes but not a single
     * valid multi-byte sequence is almost certainly Windows-1252/Latin-1
     * ("r\xe4ksm\xf6rg\xe5s"); one valid sequence means it was meant as
     * UTF-8, and guessing per byte would garble the valid parts. */
    for (i = 0; i < len;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int32_t cp;
        size_t n = sok_utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            ninvalid++;
            i++;
        } else {
            nmulti++;
            i += n;
        }
    }
    int latin1 = ninvalid > 0 && nmulti == 0;

    /* Worst cases: one byte -> U+FFFD (3 bytes), Latin-1 -> at most 3. */
    if (len > (SIZE_MAX - 1) / 3)
        return sok_err_set(err, SOK_ETOOBIG, "utf8_repair: input too large");
    char *d = malloc(len * 3 + 1);
    if (d == NULL)
        return sok_err_set(err, SOK_ENOMEM, "utf8_repair: out of memory");

    size_t o = 0;
    for (i = 0; i < len;) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (is_bad_control(c)) {
                d[o++] = ' ';
                bad++;
            } else {
                d[o++] = (char)c;
            }
            i++;
            continue;
        }
        if (latin1) {
            int32_t cp = c >= 0xA0 ? (int32_t)c : (int32_t)cp1252_c1[c - 0x80];
            if (cp == 0)
                cp = 0xFFFD;
            o += sok_utf8_encode(cp, d + o);
            bad++;
            i++;
            continue;
        }
        int32_t cp;
        size_t n = sok_utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            memcpy(d + o, "\xEF\xBF\xBD", 3);
            o += 3;
            bad++;
            i++;
        } else {
            memcpy(d + o, p + i, n);
            o += n;
            i += n;
        }
    }
    d[o] = '\0';
    *out = d;
    if (outlen)
        *outlen = o;
    if (nbad)
        *nbad = bad;
    return 0;
}

size_t sok_utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += !sok_utf8_cont((unsigned char)s[i]);
    return n;
}

size_t sok_utf8_floor(const char *s, size_t len, size_t max)
{
    if (max >= len)
        return len;
    while (max > 0 && sok_utf8_cont((unsigned char)s[max]))
        max--;
    return max;
}

size_t sok_utf8_starts(const char *s, size_t len, size_t *at, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (sok_utf8_cont((unsigned char)s[i]))
            continue;
        if (n == max)
            return 0;
        at[n++] = i;
    }
    at[n] = len;
    return n;
}
