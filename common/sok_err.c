/*
 * sok_err: the error record.  See sok_err.h.
 */
#include "sok_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sok_err_clear(struct sok_err *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

int sok_err_set(struct sok_err *err, int code, const char *fmt, ...)
{
    if (err == NULL || err->code != 0)
        return code;
    err->code = code;
    if (fmt == NULL) {
        snprintf(err->msg, sizeof err->msg, "%s", sok_err_default_msg(code));
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *sok_err_name(int code)
{
    switch (code) {
#define SOK_X_NAME(name, val, status, json, msg, api, sv) \
    case val: return #name;
    SOK_ERR_TABLE(SOK_X_NAME)
#undef SOK_X_NAME
    default: return "SOK_EUNKNOWN";
    }
}

const char *sok_err_default_msg(int code)
{
    switch (code) {
#define SOK_X_MSG(name, val, status, json, msg, api, sv) \
    case val: return msg;
    SOK_ERR_TABLE(SOK_X_MSG)
#undef SOK_X_MSG
    default: return "unknown error";
    }
}
