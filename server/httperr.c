/*
 * httperr: code -> (HTTP status, JSON code).  Everything a client can cause
 * is a 4xx; an index that is missing, being swapped or broken is a 503 (the
 * service is unavailable, not wrong), so a 500 only ever means a bug.
 */
#include "httperr.h"

#include <stddef.h>

static const struct sok_httperr g_table[] = {
    { SOK_EINVAL,    400, "invalid_parameter" },
    { SOK_EMISSING,  400, "missing_parameter" },
    { SOK_EQUERY,    400, "query_syntax" },
    { SOK_ETOOBIG,   400, "too_large" },
    { SOK_ERANGE,    400, "out_of_range" },
    { SOK_EUTF8,     400, "invalid_utf8" },
    { SOK_ENOTFOUND, 404, "not_found" },
    { SOK_EMETHOD,   405, "method_not_allowed" },
    { SOK_EOVERLOAD, 503, "overloaded" },
    { SOK_ENOMEM,    503, "overloaded" },
    { SOK_ETIMEOUT,  503, "timeout" },
    { SOK_ENODB,     503, "index_unavailable" },
    { SOK_ECORRUPT,  503, "index_unavailable" },
    { SOK_EMODIFIED, 503, "index_unavailable" },
    { SOK_ELOCKED,   503, "index_unavailable" },
    { SOK_EIO,       503, "index_unavailable" },
    { SOK_EXAPIAN,   503, "index_unavailable" },
    { SOK_EINTERNAL, 500, "internal" },
};

static const struct sok_httperr g_internal = { SOK_EINTERNAL, 500, "internal" };

const struct sok_httperr *sok_httperr_lookup(int code)
{
    for (size_t i = 0; i < sizeof g_table / sizeof g_table[0]; i++)
        if (g_table[i].code == code)
            return &g_table[i];
    return &g_internal;
}
