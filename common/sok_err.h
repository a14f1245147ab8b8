/*
 * sok_err: error codes and the caller-owned error record every fallible sok
 * function fills.  One X-macro table generates the enum, the code names used
 * in JSON errors and the default messages, so they cannot drift apart.
 * The record has a fixed buffer: reporting an error never allocates.
 */
#ifndef SOK_ERR_H
#define SOK_ERR_H

#include <stddef.h>

/* name, value, default message */
#define SOK_ERR_TABLE(X)                                                     \
    X(SOK_OK,         0,   "ok")                                             \
    X(SOK_ENOMEM,    -1,   "out of memory")                                  \
    X(SOK_EINVAL,    -2,   "invalid argument")                               \
    X(SOK_EIO,       -3,   "input/output error")                             \
    X(SOK_ENOTFOUND, -4,   "not found")                                      \
    X(SOK_ELOCKED,   -5,   "index is locked by another writer")              \
    X(SOK_ENODB,     -6,   "index does not exist or cannot be opened")       \
    X(SOK_ECORRUPT,  -7,   "index is corrupt")                               \
    X(SOK_EQUERY,    -8,   "malformed query")                                \
    X(SOK_EMODIFIED, -9,   "index was modified while reading")               \
    X(SOK_EXAPIAN,   -10,  "search engine error")                            \
    X(SOK_ETOOBIG,   -11,  "input too large")                                \
    X(SOK_EFORMAT,   -12,  "unsupported or malformed document")              \
    X(SOK_ETIMEOUT,  -13,  "operation timed out")                            \
    X(SOK_ERANGE,    -14,  "value out of range")                             \
    X(SOK_EUTF8,     -15,  "invalid UTF-8")                                  \
    X(SOK_EINTERNAL, -16,  "internal error")

enum sok_code {
#define SOK_X_ENUM(name, val, msg) name = val,
    SOK_ERR_TABLE(SOK_X_ENUM)
#undef SOK_X_ENUM
};

#define SOK_ERR_MSG_MAX 256

/* Caller-owned.  Initialise with SOK_ERR_INIT or sok_err_clear(). */
struct sok_err {
    int code;                     /* 0 or a negative SOK_E* */
    char msg[SOK_ERR_MSG_MAX];    /* NUL-terminated, human readable */
};

#define SOK_ERR_INIT { 0, { 0 } }

#ifdef __cplusplus
extern "C" {
#endif

/* Resets err to "no error".  err may be NULL. */
void sok_err_clear(struct sok_err *err);

/* Records code and a printf-style message unless an error is already
 * recorded (the first error wins).  err may be NULL.  Returns code, so a
 * failing function can `return sok_err_set(err, SOK_EIO, "...")`.
 * fmt may be NULL: the table's default message is used. */
int sok_err_set(struct sok_err *err, int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Static name of code ("SOK_ELOCKED"), or "SOK_EUNKNOWN". */
const char *sok_err_name(int code);

/* Static default message for code. */
const char *sok_err_default_msg(int code);

#ifdef __cplusplus
}
#endif

#endif /* SOK_ERR_H */
