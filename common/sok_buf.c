/*
 * sok_buf: growable buffer and the escaping every output path shares.
 */
#include "sok_buf.h"
#include "sok_err.h"
#include "sok_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sok_buf_reserve(struct sok_buf *b, size_t extra, int *rc)
{
    if (*rc)
        return;
    if (extra > ((size_t)-1) / 2 - b->n) {
        *rc = SOK_ENOMEM;
        return;
    }
    size_t need = b->n + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        *rc = SOK_ENOMEM;
        return;
    }
    b->p = p;
    b->cap = cap;
}

void sok_buf_append(struct sok_buf *b, const void *data, size_t len, int *rc)
{
    sok_buf_reserve(b, len, rc);
    if (*rc)
        return;
    if (len)
        memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = '\0';
}

void sok_buf_puts(struct sok_buf *b, const char *s, int *rc)
{
    sok_buf_append(b, s, strlen(s), rc);
}

void sok_buf_putc(struct sok_buf *b, char c, int *rc)
{
    sok_buf_append(b, &c, 1, rc);
}

void sok_buf_printf(struct sok_buf *b, int *rc, const char *fmt, ...)
{
    if (*rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        *rc = SOK_EINVAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        sok_buf_append(b, small, (size_t)n, rc);
        return;
    }
    sok_buf_reserve(b, (size_t)n, rc);
    if (*rc)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void sok_buf_json_str(struct sok_buf *b, const char *s, size_t len, int *rc)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < len && !*rc) {
        unsigned char c = u[i];
        const char *esc = NULL;
        char tmp[8];
        size_t seq = 1;
        if (c >= 0x80) {
            int32_t cp;
            seq = sok_utf8_decode(s + i, len - i, &cp);
            if (seq == 0)
                esc = "\xEF\xBF\xBD"; /* U+FFFD for a stray byte */
        } else if (c == '"') esc = "\\\"";
        else if (c == '\\') esc = "\\\\";
        else if (c == '\n') esc = "\\n";
        else if (c == '\r') esc = "\\r";
        else if (c == '\t') esc = "\\t";
        else if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            esc = tmp;
        }
        if (esc == NULL) {
            i += seq;
            run += seq;
            continue;
        }
        sok_buf_append(b, s + i - run, run, rc);
        sok_buf_puts(b, esc, rc);
        run = 0;
        i += 1;
    }
    sok_buf_append(b, s + i - run, run, rc);
}

void sok_buf_json_qstr(struct sok_buf *b, const char *s, int *rc)
{
    if (s == NULL) {
        sok_buf_puts(b, "null", rc);
        return;
    }
    sok_buf_putc(b, '"', rc);
    sok_buf_json_str(b, s, strlen(s), rc);
    sok_buf_putc(b, '"', rc);
}

void sok_buf_html(struct sok_buf *b, const char *s, size_t len, int *rc)
{
    size_t run = 0;
    for (size_t i = 0; i < len && !*rc; i++) {
        const char *esc;
        switch (s[i]) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        case '\'': esc = "&#39;"; break;
        case '\0': esc = "\xEF\xBF\xBD"; break;
        default: run++; continue;
        }
        sok_buf_append(b, s + i - run, run, rc);
        sok_buf_puts(b, esc, rc);
        run = 0;
    }
    sok_buf_append(b, s + len - run, run, rc);
}

void sok_buf_reset(struct sok_buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

void sok_buf_free(struct sok_buf *b)
{
    if (b == NULL)
        return;
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

char *sok_buf_detach(struct sok_buf *b, size_t *len_out)
{
    char *p = b->p;
    size_t n = b->n;
    if (p == NULL) {
        p = calloc(1, 1);
        n = 0;
    }
    b->p = NULL;
    b->n = b->cap = 0;
    if (len_out)
        *len_out = n;
    return p;
}
