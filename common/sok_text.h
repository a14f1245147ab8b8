/*
 * sok_text: Unicode text handling shared by indexer and server: UTF-8
 * validation and repair, NFC + case folding (utf8proc), and the word
 * tokeniser.  The tokeniser reports byte offsets into the caller's original
 * text through a callback (as FTS5's tokenizers do), so snippets can
 * highlight the original bytes while terms are built from folded text.
 */
#ifndef SOK_TEXT_H
#define SOK_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "sok_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- UTF-8 bytes (sok_utf8.c) ----
 * The one place sok walks UTF-8 by hand.  Unless said otherwise s[0..len)
 * must be valid UTF-8 (sok_text_utf8_repair makes it so). */

/* Whether byte c continues a sequence (10xxxxxx), i.e. is not where a
 * character starts. */
static inline int sok_utf8_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Decodes one strictly valid sequence at s[0..len) (len >= 1; any bytes):
 * returns its length 1..4 and stores the code point in *cp, or returns 0
 * when s does not start one (overlong, surrogate, above U+10FFFF,
 * truncated, a stray continuation byte).  As strict as utf8proc. */
size_t sok_utf8_decode(const char *s, size_t len, int32_t *cp);

/* Writes the scalar value cp into d (room for 4 bytes); returns the
 * length. */
size_t sok_utf8_encode(int32_t cp, char *d);

/* Code points in s[0..len). */
size_t sok_utf8_chars(const char *s, size_t len);

/* The largest length <= max that does not split a character of s[0..len)
 * (len when max >= len). */
size_t sok_utf8_floor(const char *s, size_t len, size_t max);

/* Byte offsets of the characters of s[0..len) into at[0..n), at[n] = len
 * (at has room for max + 1); returns n, or 0 when there are more than
 * max characters. */
size_t sok_utf8_starts(const char *s, size_t len, size_t *at, size_t max);

/* Returns 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int sok_text_utf8_valid(const char *s, size_t len);

/* Copies s[0..len) into a malloc()ed NUL-terminated *out, repairing invalid
 * UTF-8: when the input contains no valid multi-byte sequence at all it is
 * taken as Windows-1252 / Latin-1 and converted; otherwise each invalid byte
 * becomes U+FFFD.  NUL bytes and other C0 controls except \t \n \r become a
 * space.  *nbad (may be NULL) receives the number of bytes repaired. */
int sok_text_utf8_repair(const char *s, size_t len, char **out, size_t *outlen,
                         size_t *nbad, struct sok_err *err);

/* ---- folding and tokens (sok_text.c) ---- */

/* NFC + Unicode case folding of s[0..len) into a malloc()ed *out.  NFD and
 * NFC input fold to the same bytes ("A\u030a" and "\u00c5" both give
 * "\u00e5"). */
int sok_text_fold(const char *s, size_t len, char **out, size_t *outlen,
                  struct sok_err *err);

/* Whether the code point cp (negative: none) is a letter or a combining
 * mark on one (Unicode L*, Mn, Mc): what a word is made of. */
int sok_text_is_letter(int32_t cp);

/* Token flags. */
#define SOK_TOK_WORD      0x001u  /* letters (may contain digits) */
#define SOK_TOK_NUMBER    0x002u  /* digits, possibly with . , : / - inside
                                     ("2017-02-13", "13:30", "2.0") */
#define SOK_TOK_EMAIL     0x004u  /* kept whole: "a.b@helsingborg.se" */
#define SOK_TOK_URL       0x008u  /* kept whole: "http://...", "www...." */
#define SOK_TOK_COMPOUND  0x010u  /* whole hyphenated word "iop-avtal" */
#define SOK_TOK_PART      0x020u  /* part of a COMPOUND/EMAIL/URL token */
#define SOK_TOK_CAPITAL   0x040u  /* first letter upper case in the source */
#define SOK_TOK_TRUNCATED 0x080u  /* cut to SOK_TOKEN_MAX bytes */

/* Folded tokens longer than this are cut at a character boundary. */
#define SOK_TOKEN_MAX 120

struct sok_token {
    const char *text;   /* folded (NFC + case folded), NUL-terminated;
                           borrowed: valid only during the callback.
                           Beyond sok_text_fold, U+2019 becomes "'",
                           U+2010/U+2011 become "-" and soft hyphens
                           are dropped, as a keyboard would type them */
    size_t len;         /* bytes of text */
    size_t start, end;  /* byte offsets of the token in the original input
                           (the whole source word, even when TRUNCATED) */
    unsigned pos;       /* word position; see sok_text_tokenize */
    unsigned flags;     /* SOK_TOK_* */
};

/* Returning non-zero from the callback stops tokenising; that value is
 * returned by sok_text_tokenize. */
typedef int (*sok_token_cb)(void *ctx, const struct sok_token *tok);

/*
 * Splits s[0..len) (valid UTF-8) into tokens in order of appearance.
 * Words are maximal runs of letters, marks and digits (so "å" written as
 * "a" + combining ring stays one word, and é/ü/ø stay inside words);
 * apostrophes between letters stay inside.  Positions start at first_pos and
 * advance by one per word.  A hyphenated word ("IOP-avtal",
 * "up-metoden") is reported first whole (COMPOUND, at the position of its
 * first part), then part by part (PART, consecutive positions); e-mail
 * addresses and URLs likewise (EMAIL/URL whole, then their word parts;
 * an URL's scheme "http" is not one of them).  A bare domain name with a
 * common top-level domain ("skolfam.se") counts as an URL.
 * Numbers keep internal . , : / - between digits whole ("2017-02-13").
 * *next_pos (may be NULL) receives the position after the last token.
 */
int sok_text_tokenize(const char *s, size_t len, unsigned first_pos,
                      sok_token_cb cb, void *ctx, unsigned *next_pos,
                      struct sok_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SOK_TEXT_H */
