/*
 * note: one escaped line on stderr.  See note.h.
 */
#include "note.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void sok_note(const char *fmt, ...)
{
    char small[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    char *s = small;
    if (n >= (int)sizeof small && (s = malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (s == NULL)
        s = small;              /* no memory: the note cut short */
    /* One write of the whole line (stderr is unbuffered): notes of
     * several threads of a full build do not interleave. */
    size_t cap = 12 + 4 * (n < 0 ? 0 : (size_t)n) + 2;
    char *out = malloc(cap);
    if (out == NULL) {
        fprintf(stderr, "sok-index: %s\n", s);
        if (s != small)
            free(s);
        return;
    }
    size_t o = 0;
    for (const char *p = "sok-index: "; *p; p++)
        out[o++] = *p;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        static const char hex[] = "0123456789abcdef";
        if (*p == '\\' || *p == '\n' || *p == '\r' || *p == '\t') {
            out[o++] = '\\';
            out[o++] = *p == '\\' ? '\\' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
        } else if (*p < 0x20 || *p == 0x7f) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o++] = '\n';
    fwrite(out, 1, o, stderr);
    free(out);
    if (s != small)
        free(s);
}
