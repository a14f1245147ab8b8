/*
 * httperr: the HTTP side of sok_err.h's table.  Everything a client can
 * cause is a 4xx; an index that is missing, being swapped or broken is a 503
 * (the service is unavailable, not wrong), so a 500 only ever means a bug.
 */
#include "httperr.h"

#include <stddef.h>
#include <string.h>

static const struct sok_httperr g_table[] = {
#define SOK_X_ROW(name, val, status, json, msg, api, sv) \
    { name, status, json, msg, api, sv },
    SOK_ERR_TABLE(SOK_X_ROW)
#undef SOK_X_ROW
};

/* A bad parameter is told by the parameter's name: a reader of the page
 * did not type "page=0" or "from=2017-13-01", a link or a form did.  Each
 * row covers the space-separated parameters it lists. */
static const struct {
    const char *params;
    const char *sv;
} g_params[] = {
    { "q",             "Skriv vad du vill söka efter." },
    { "page per_page", "Sidnumret finns inte för den här sökningen." },
    { "from to",       "Datumet måste vara ett riktigt datum, skrivet "
                       "ÅÅÅÅ-MM-DD, och från-datumet får inte vara efter "
                       "till-datumet." },
    { "type",          "Okänd dokumenttyp." },
    { "sort",          "Okänd sortering: välj relevans eller datum." },
};

const struct sok_httperr *sok_httperr_lookup(int code)
{
    for (size_t i = 0; i < sizeof g_table / sizeof g_table[0]; i++)
        if (g_table[i].code == code)
            return &g_table[i];
    return sok_httperr_lookup(SOK_EINTERNAL);
}

const char *sok_httperr_message(int code, const char *msg)
{
    const struct sok_httperr *he = sok_httperr_lookup(code);
    if (he->status >= 500 || msg == NULL)
        return he->api ? he->api : he->msg;
    return msg;
}

void sok_httperr_json(struct sok_buf *b, int code, const char *msg,
                      const char *param, int *rc)
{
    sok_buf_puts(b, "{\"error\":{\"code\":", rc);
    sok_buf_json_qstr(b, sok_httperr_lookup(code)->name, rc);
    sok_buf_puts(b, ",\"message\":", rc);
    sok_buf_json_qstr(b, sok_httperr_message(code, msg), rc);
    if (param != NULL) {
        sok_buf_puts(b, ",\"parameter\":", rc);
        sok_buf_json_qstr(b, param, rc);
    }
    sok_buf_puts(b, "}}\n", rc);
}

static const char *param_sv(const char *param)
{
    size_t n = strlen(param);
    for (size_t i = 0; i < sizeof g_params / sizeof g_params[0]; i++)
        for (const char *p = g_params[i].params; *p != '\0';) {
            size_t w = strcspn(p, " ");
            if (w == n && memcmp(p, param, n) == 0)
                return g_params[i].sv;
            p += w + (p[w] == ' ');
        }
    return NULL;
}

const char *sok_httperr_sv(int code, const char *param)
{
    const struct sok_httperr *he = sok_httperr_lookup(code);
    /* Not the reader's doing: the same words whatever the parameter. */
    if (he->status != 400)
        return he->sv;
    /* A query that cannot be read, or is too long, is about q itself;
     * other parameters over their bounds are named. */
    if (he->sv != NULL && (param == NULL || strcmp(param, "q") == 0))
        return he->sv;
    const char *t = param ? param_sv(param) : NULL;
    if (t != NULL)
        return t;
    return he->sv ? he->sv : SOK_SV_ADDRESS;
}
