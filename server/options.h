/*
 * options: sok-server's settings, from its command line (getopt_long) and
 * its configuration file (--config FILE, whose keys are the long options:
 * common/sok_conf.h).  The file is applied first and the command line over
 * it; a repeatable option (staff-allow, trusted-proxy, cors-origin) takes
 * the lines of both.
 *
 * What SIGHUP can change while the server runs is struct sok_live, which
 * the server publishes whole (httpd.h: sok_httpd_set_live) and never
 * modifies after: the access log (quiet, access-log, log-query,
 * trusted-proxy), who is staff (staff-allow), CORS (cors-origin) and the
 * answers' max-age (cache-max-age).  Every other key needs a restart: a
 * reload that changes one says so on stderr and keeps the running value.
 */
#ifndef SOK_OPTIONS_H
#define SOK_OPTIONS_H

#include <stddef.h>
#include "httpd.h"
#include "sok_conf.h"

struct sok_options {
    struct sok_httpd_cfg cfg;   /* cfg.live points at live below */
    struct sok_live live;
    const char *synonyms, *best_bets, *zero_log;    /* NULL: none */
    const char *config;         /* --config FILE, NULL: none */
    const char *access_log_path;    /* NULL: stderr */
    int check_config;           /* --check-config: only check, exit */
    int wait_for_index;         /* --wait-for-index */
    const char *shards;         /* --shards FILE, NULL: none (shards.h) */
    unsigned shard_timeout_ms;  /* --shard-timeout MS */
    struct sok_conf_strs owned; /* the config file's values */
};

/* Fills o from the defaults, then the config file, then argv.  Returns -1
 * when the server is to go on, else the exit code: 0 after --help or
 * --version, 1 for a usage error (said on stderr).  argv is kept: o points
 * into it.  Free o with sok_options_free() whatever the result. */
int sok_options_load(int argc, char **argv, struct sok_options *o);

void sok_options_free(struct sok_options *o);

/* After a reload into now: says on stderr which keys that need a restart
 * differ from was (the running values stay). */
void sok_options_restart_keys(const struct sok_options *was,
                              const struct sok_options *now);

#endif /* SOK_OPTIONS_H */
