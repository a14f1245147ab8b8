/*
 * sok_conf: the configuration file of sok-server and sok-index.  Its keys
 * are the programs' long options without the dashes, one a line:
 *
 *     # a comment (at the start of a line, or after white space)
 *     db = /var/lib/sok/index
 *     listen = 127.0.0.1:8080
 *     staff-allow = 10.1.0.0/16       (a repeatable option: one line each)
 *     quiet                           (a switch: alone, or = yes / no)
 *
 * White space around the key and the value is dropped; a value runs to
 * the end of the line (no quoting: a path may hold spaces).  The file is
 * UTF-8 text of at most SOK_CONF_MAX bytes.  The programs apply the file
 * first and their command line over it, so a flag given on the command
 * line wins over the file's line.
 */
#ifndef SOK_CONF_H
#define SOK_CONF_H

#include <stddef.h>
#include "sok_err.h"

#define SOK_CONF_MAX (1u << 20)

/* Called for each key line: key and value (NULL for a bare key) are
 * NUL-terminated and live until sok_conf_read returns; line is 1-based.
 * Returns 0 to go on, or a negative SOK_E* code (its message in err) to
 * stop the read. */
typedef int (*sok_conf_fn)(void *ctx, const char *key, const char *value,
                           unsigned line, struct sok_err *err);

/* Reads the file at path and calls fn for every key line.  SOK_EIO when
 * it cannot be read, SOK_ETOOBIG past SOK_CONF_MAX, SOK_EINVAL for a line
 * that is not "key", "key = value" (a key is letters, digits and '-');
 * every message names path and the line.  Otherwise what fn returned. */
int sok_conf_read(const char *path, sok_conf_fn fn, void *ctx,
                  struct sok_err *err);

struct option;

/* For a key line of the file at path: finds key among the getopt_long
 * table opts (those whose val is below cmdline_only: the command line's
 * own, --config and --help, are no keys) into *opt, and reads a switch's
 * value into *on (1 for the other options).  SOK_EINVAL, naming path and
 * line, for an unknown key, a switch whose value is not yes or no, or an
 * option without a value. */
int sok_conf_option(const struct option *opts, int cmdline_only,
                    const char *path, const char *key, const char *value,
                    unsigned line, const struct option **opt, int *on,
                    struct sok_err *err);

/* The strings a program keeps from its config file (the values its
 * options point into), freed together by sok_conf_strs_free. */
struct sok_conf_strs {
    char **v;
    size_t n;
};

/* A copy of s[0..len) kept in l, into *out; SOK_ENOMEM. */
int sok_conf_keep(struct sok_conf_strs *l, const char *s, size_t len,
                  char **out, struct sok_err *err);
void sok_conf_strs_free(struct sok_conf_strs *l);

/* sok_conf_option, and for an option that takes a value a copy of value
 * kept in l, into *v (NULL for a switch). */
int sok_conf_value(const struct option *opts, int cmdline_only,
                   const char *path, const char *key, const char *value,
                   unsigned line, struct sok_conf_strs *l,
                   const struct option **opt, int *on, char **v,
                   struct sok_err *err);

/* A switch's value: 1 for NULL, "yes", "true", "on", "1"; 0 for "no",
 * "false", "off", "0"; -1 for anything else. */
int sok_conf_bool(const char *value);

#endif /* SOK_CONF_H */
