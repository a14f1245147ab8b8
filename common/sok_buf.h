/*
 * sok_buf: a growable byte buffer.  Appends take `int *rc` in the style of
 * SQLite FTS5: once *rc is non-zero every append is a no-op, so a long
 * sequence of appends needs one check at the end.  The buffer is always
 * NUL-terminated (when p != NULL) so it can be handed to C string APIs.
 */
#ifndef SOK_BUF_H
#define SOK_BUF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sok_buf {
    char *p;      /* owned; NULL until the first append */
    size_t n;     /* bytes used, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
};

#define SOK_BUF_INIT { NULL, 0, 0 }

/* Ensures room for `extra` more bytes plus the NUL.  Sets *rc = SOK_ENOMEM
 * on failure.  Does nothing if *rc is already set. */
void sok_buf_reserve(struct sok_buf *b, size_t extra, int *rc);

void sok_buf_append(struct sok_buf *b, const void *data, size_t len, int *rc);
void sok_buf_puts(struct sok_buf *b, const char *s, int *rc);
void sok_buf_putc(struct sok_buf *b, char c, int *rc);
void sok_buf_printf(struct sok_buf *b, int *rc, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Appends s[0..len) as the inside of a JSON string (no quotes): escapes
 * '"', '\\', control characters, and '<', '>', '&' (as \u003c etc.) so JSON
 * can never be sniffed as HTML.  Invalid UTF-8 bytes become U+FFFD. */
void sok_buf_json_str(struct sok_buf *b, const char *s, size_t len, int *rc);

/* Appends a quoted JSON string, or `null` when s is NULL. */
void sok_buf_json_qstr(struct sok_buf *b, const char *s, int *rc);

/* Appends s[0..len) HTML-escaped (&, <, >, ", ' escaped): safe in text and
 * in quoted attribute values. */
void sok_buf_html(struct sok_buf *b, const char *s, size_t len, int *rc);

/* Empties the buffer but keeps its memory for reuse. */
void sok_buf_reset(struct sok_buf *b);

/* Releases the memory.  b may be NULL. */
void sok_buf_free(struct sok_buf *b);

/* Hands the contents to the caller (who frees with free()) and empties b.
 * Returns "" freshly allocated when the buffer is empty; NULL on ENOMEM. */
char *sok_buf_detach(struct sok_buf *b, size_t *len_out);

#ifdef __cplusplus
}
#endif

#endif /* SOK_BUF_H */
