/*
 * note: what sok-index says on stderr about a file, one line a note.  A
 * file's name may hold a newline, a carriage return or an escape
 * sequence; written as it is, it would start a line of its own (or
 * rewrite the terminal's) and anything reading the log line by line would
 * be told something else.  Every byte below 0x20, and DEL, is written as
 * \n, \r, \t or \xHH; a backslash as \\.
 */
#ifndef SOK_NOTE_H
#define SOK_NOTE_H

/* Writes "sok-index: " and fmt's text, escaped, and a newline to stderr. */
void sok_note(const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif /* SOK_NOTE_H */
