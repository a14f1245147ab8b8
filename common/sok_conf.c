/*
 * sok_conf: reads "key = value" lines for the programs' options (see
 * sok_conf.h).  The whole file is read at once (it is small), split into
 * lines in place, and each key line handed to the caller.
 */
#include "sok_conf.h"
#include "sok_doc.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = '\0';
    return s;
}

/* Cuts a comment: '#' at the start or after white space. */
static char *cut_comment(char *s, char *end)
{
    for (char *p = s; p < end; p++)
        if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t'))
            return p;
    return end;
}

static int valid_key(const char *k)
{
    if (*k == '\0')
        return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '-')
            return 0;
    return 1;
}

int sok_conf_read(const char *path, sok_conf_fn fn, void *ctx,
                  struct sok_err *err)
{
    char *data = NULL;
    size_t len = 0;
    struct sok_err rerr = SOK_ERR_INIT;
    int rc = sok_doc_read_file(path, SOK_CONF_MAX, &data, &len, &rerr);
    if (rc != 0)
        return sok_err_set(err, rc, "config %s: %s", path, rerr.msg);
    unsigned line = 0;
    for (char *p = data, *stop = data + len; rc == 0 && p < stop;) {
        char *nl = memchr(p, '\n', (size_t)(stop - p));
        char *end = nl ? nl : stop;
        line++;
        if (memchr(p, '\0', (size_t)(end - p)) != NULL) {
            rc = sok_err_set(err, SOK_EINVAL, "config %s:%u: a NUL byte",
                             path, line);
            break;
        }
        char *s = trim(p, cut_comment(p, end));
        p = end + 1;
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        char *key = eq ? trim(s, eq) : s;
        char *val = eq ? trim(eq + 1, eq + 1 + strlen(eq + 1)) : NULL;
        if (!valid_key(key))
            rc = sok_err_set(err, SOK_EINVAL, "config %s:%u: expected "
                             "\"key = value\", not \"%.60s\"", path, line, s);
        else
            rc = fn(ctx, key, val, line, err);
    }
    free(data);
    return rc;
}

int sok_conf_bool(const char *v)
{
    if (v == NULL || strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
        strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
        return 1;
    if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
        strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
        return 0;
    return -1;
}

int sok_conf_option(const struct option *opts, int cmdline_only,
                    const char *path, const char *key, const char *value,
                    unsigned line, const struct option **opt, int *on,
                    struct sok_err *err)
{
    const struct option *o = opts;
    while (o->name != NULL && strcmp(o->name, key) != 0)
        o++;
    if (o->name == NULL || o->val >= cmdline_only)
        return sok_err_set(err, SOK_EINVAL, "config %s:%u: unknown key %s",
                           path, line, key);
    *opt = o;
    *on = 1;
    if (o->has_arg == no_argument && (*on = sok_conf_bool(value)) < 0)
        return sok_err_set(err, SOK_EINVAL, "config %s:%u: %s takes yes "
                           "or no", path, line, key);
    if (o->has_arg != no_argument && (value == NULL || *value == '\0'))
        return sok_err_set(err, SOK_EINVAL, "config %s:%u: %s needs a "
                           "value", path, line, key);
    return 0;
}

int sok_conf_keep(struct sok_conf_strs *l, const char *s, size_t len,
                  char **out, struct sok_err *err)
{
    char *c = strndup(s, len);
    char **grown = c ? realloc(l->v, (l->n + 1) * sizeof *grown) : NULL;
    if (grown == NULL) {
        free(c);
        return sok_err_set(err, SOK_ENOMEM, NULL);
    }
    l->v = grown;
    l->v[l->n++] = c;
    *out = c;
    return 0;
}

void sok_conf_strs_free(struct sok_conf_strs *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int sok_conf_value(const struct option *opts, int cmdline_only,
                   const char *path, const char *key, const char *value,
                   unsigned line, struct sok_conf_strs *l,
                   const struct option **opt, int *on, char **v,
                   struct sok_err *err)
{
    *v = NULL;
    int rc = sok_conf_option(opts, cmdline_only, path, key, value, line, opt,
                             on, err);
    if (rc == 0 && (*opt)->has_arg != no_argument)
        rc = sok_conf_keep(l, value, strlen(value), v, err);
    return rc;
}
