/*
 * options: sok-server's command line and configuration file (see
 * options.h).  One table of long options serves both: a config key is
 * looked up in it by name, so every flag is a key and no key exists that
 * is not a flag.
 */
#include "options.h"
#include "shards.h"
#include "cache.h"
#include "sok_conf.h"
#include "zerolog.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_DB      "data/index"
#define DEFAULT_LISTEN  "127.0.0.1:8080"
#define DEFAULT_CONNS   1024
#define DEFAULT_TIMEOUT 10
#define MAX_THREADS     256

/* The keys a config file may hold, then those of the command line only
 * (from O_CONFIG on). */
enum {
    O_DB = 256, O_LISTEN, O_THREADS, O_CONNS, O_TIMEOUT, O_CACHE, O_QUIET,
    O_PLAIN, O_SYN, O_BETS, O_ZLOG, O_STAFF, O_WAIT, O_ALOG, O_LOGQ,
    O_PROXY, O_CORS, O_BASE, O_PUBLIC, O_MAXAGE, O_SHARDS, O_SHARD_TIMEOUT,
    O_CONFIG, O_CHECK, O_HELP, O_VERSION
};

static const struct option k_opts[] = {
    { "db", required_argument, NULL, O_DB },
    { "listen", required_argument, NULL, O_LISTEN },
    { "threads", required_argument, NULL, O_THREADS },
    { "max-conns", required_argument, NULL, O_CONNS },
    { "timeout", required_argument, NULL, O_TIMEOUT },
    { "cache-mb", required_argument, NULL, O_CACHE },
    { "quiet", no_argument, NULL, O_QUIET },
    { "plain", no_argument, NULL, O_PLAIN },
    { "synonyms", required_argument, NULL, O_SYN },
    { "best-bets", required_argument, NULL, O_BETS },
    { "zero-log", required_argument, NULL, O_ZLOG },
    { "staff-allow", required_argument, NULL, O_STAFF },
    { "wait-for-index", no_argument, NULL, O_WAIT },
    { "access-log", required_argument, NULL, O_ALOG },
    { "log-query", required_argument, NULL, O_LOGQ },
    { "trusted-proxy", required_argument, NULL, O_PROXY },
    { "cors-origin", required_argument, NULL, O_CORS },
    { "base-path", required_argument, NULL, O_BASE },
    { "public-url", required_argument, NULL, O_PUBLIC },
    { "cache-max-age", required_argument, NULL, O_MAXAGE },
    { "shards", required_argument, NULL, O_SHARDS },
    { "shard-timeout", required_argument, NULL, O_SHARD_TIMEOUT },
    /* the command line's only */
    { "config", required_argument, NULL, O_CONFIG },
    { "check-config", no_argument, NULL, O_CHECK },
    { "help", no_argument, NULL, O_HELP },
    { "version", no_argument, NULL, O_VERSION },
    { NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: sok-server [--config FILE] [--check-config] [--db DIR]\n"
        "                  [--listen ADDR:PORT] [--threads N] [--max-conns N]\n"
        "                  [--timeout SECONDS] [--cache-mb N] [--quiet]\n"
        "                  [--plain] [--synonyms FILE] [--best-bets FILE]\n"
        "                  [--zero-log FILE] [--staff-allow ADDR[/BITS]]...\n"
        "                  [--wait-for-index] [--access-log FILE]\n"
        "                  [--log-query keep|mask|drop]\n"
        "                  [--trusted-proxy ADDR[/BITS]]...\n"
        "                  [--cors-origin ORIGIN]... [--base-path /PATH]\n"
        "                  [--public-url URL] [--cache-max-age S]\n"
        "                  [--shards FILE] [--shard-timeout MS]\n"
        "  --config FILE    read the options from FILE first (keys: the long\n"
        "                   options, \"db = DIR\"); SIGHUP reads it again\n"
        "  --check-config   check the options and the file, then exit\n"
        "  --db DIR         index directory (default %s; a sharded one\n"
        "                   opens all its shards)\n"
        "  --shards FILE    search the shards FILE names, one a line: a\n"
        "                   database path or \"remote HOST:PORT\" (an\n"
        "                   xapian-tcpsrv), instead of --db\n"
        "  --shard-timeout MS  how long a remote shard may take to answer\n"
        "                   before it is left out (default %d)\n"
        "  --listen A:P     address to serve (default %s; port 0: any)\n"
        "  --threads N      event loops and search threads, N of each\n"
        "                   (default: number of cores; four a core with\n"
        "                   --shards)\n"
        "  --max-conns N    open connections before shedding with 503 "
        "(default %d)\n"
        "  --timeout S      idle limit and deadline for a request to "
        "arrive (default %d)\n"
        "  --cache-mb N     response cache for repeated searches, in MB\n"
        "                   over all threads (default %d; 0: none)\n"
        "  --quiet          no access log\n"
        "  --plain          exact + stem matching only: no compound parts,\n"
        "                   edit tolerance, accent folding, corrections,\n"
        "                   word joining or proximity boost\n"
        "  --synonyms FILE  staff's synonyms, one rule a line: \"a, b, c\"\n"
        "                   (each finds the others) or \"a => b\" (a finds\n"
        "                   b); read again when it changes\n"
        "  --best-bets FILE staff's best bets, \"query => TARGET, ...\" (a\n"
        "                   section id or a URL), shown first; read again\n"
        "                   when it changes\n"
        "  --zero-log FILE  keep the searches that found nothing (for\n"
        "                   /staff/) in FILE across restarts (saved every\n"
        "                   %ds and at exit; without it: in memory)\n"
        "  --staff-allow A[/BITS]  clients that may see /staff/ "
        "(repeatable;\n"
        "                   default: loopback only)\n"
        "  --wait-for-index serve without an index (503 until sok-index has\n"
        "                   committed one) instead of exiting 3\n"
        "  --access-log FILE  the access log (combined format) in FILE,\n"
        "                   reopened on SIGHUP (default: stderr)\n"
        "  --log-query M    the q parameter in the log: keep (default), mask\n"
        "                   (q=-) or drop\n"
        "  --trusted-proxy A[/BITS]  a reverse proxy whose X-Forwarded-For\n"
        "                   names the client in the log (repeatable)\n"
        "  --cors-origin O  an origin whose pages may call /api/ (\"https://\n"
        "                   www.kommun.se\", or * for any; repeatable)\n"
        "  --base-path P    the path the proxy serves us under (\"/sok\")\n"
        "  --public-url URL the search's public address, for opensearch.xml\n"
        "  --cache-max-age S  how long clients may reuse an answer (default\n"
        "                   %d s; the page's assets: a year)\n",
        DEFAULT_DB, SOK_SHARD_TIMEOUT_DEF, DEFAULT_LISTEN, DEFAULT_CONNS,
        DEFAULT_TIMEOUT,
        SOK_CACHE_MB_DEF, SOK_ZEROLOG_SAVE_S, SOK_MAX_AGE_DEF);
}

static int parse_count(const char *opt, const char *s, unsigned lo,
                       unsigned hi, unsigned *out, struct sok_err *err)
{
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (s == NULL || *s == '\0' || *s == '-' || *end != '\0' || errno ||
        v < lo || v > hi)
        return sok_err_set(err, SOK_EINVAL, "--%s needs a number from %u "
                           "to %u", opt, lo, hi);
    *out = (unsigned)v;
    return 0;
}

/* "/sok" (no trailing '/', nothing but path characters) or "" for "/". */
static int set_base(struct sok_options *o, const char *v, struct sok_err *err)
{
    size_t n = strlen(v);
    while (n > 0 && v[n - 1] == '/')
        n--;
    int ok = n < SOK_BASE_MAX && (n == 0 || v[0] == '/');
    for (size_t i = 0; ok && i < n; i++)
        ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
             (v[i] >= '0' && v[i] <= '9') || strchr("/-._~", v[i]) != NULL;
    if (!ok || strstr(v, "//") != NULL || strstr(v, "/.") != NULL)
        return sok_err_set(err, SOK_EINVAL, "--base-path %s: expected a "
                           "path such as /sok", v);
    char *s = NULL;
    int rc = sok_conf_keep(&o->owned, v, n, &s, err);
    if (rc == 0)
        o->cfg.base_path = s;
    return rc;
}

static int add_cors(struct sok_live *l, const char *v, struct sok_err *err)
{
    size_t n = strlen(v);
    int ok = strcmp(v, "*") == 0 ||
             ((strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0)
              && strcspn(v, " \t\"\\,;") == n && v[n - 1] != '/');
    if (!ok || n >= SOK_ORIGIN_MAX)
        return sok_err_set(err, SOK_EINVAL, "--cors-origin %s: expected "
                           "scheme://host[:port] or *", v);
    if (l->ncors == SOK_CORS_MAX)
        return sok_err_set(err, SOK_EINVAL, "at most %d --cors-origin",
                           SOK_CORS_MAX);
    memcpy(l->cors[l->ncors++], v, n + 1);
    return 0;
}

/* Applies option id with argument v (NULL for a switch); on: the switch's
 * state (a config line may say "quiet = no"). */
static int apply(struct sok_options *o, int id, const char *v, int on,
                 struct sok_err *err)
{
    struct sok_httpd_cfg *c = &o->cfg;
    unsigned mb = 0;
    int rc = 0;
    switch (id) {
    case O_DB: c->db = v; break;
    case O_LISTEN: c->listen = v; break;
    case O_THREADS:
        return parse_count("threads", v, 1, MAX_THREADS, &c->threads, err);
    case O_CONNS:
        return parse_count("max-conns", v, 1, 1000000, &c->max_conns, err);
    case O_TIMEOUT:
        return parse_count("timeout", v, 1, 3600, &c->timeout_s, err);
    case O_CACHE:
        rc = parse_count("cache-mb", v, 0, 65536, &mb, err);
        c->cache_bytes = (size_t)mb << 20;
        return rc;
    case O_MAXAGE:
        return parse_count("cache-max-age", v, 0, 86400, &o->live.max_age,
                           err);
    case O_QUIET: o->live.access_log = !on; break;
    case O_PLAIN: c->engine.plain = on; break;
    case O_WAIT: o->wait_for_index = on; break;
    case O_CHECK: o->check_config = on; break;
    case O_SYN: o->synonyms = v; break;
    case O_BETS: o->best_bets = v; break;
    case O_ZLOG: o->zero_log = v; break;
    case O_ALOG: o->access_log_path = v; break;
    case O_PUBLIC: c->public_url = v; break;
    case O_SHARDS: o->shards = v; break;
    case O_SHARD_TIMEOUT:
        return parse_count("shard-timeout", v, 1, 600000,
                           &o->shard_timeout_ms, err);
    case O_CONFIG: o->config = v; break;
    case O_STAFF: return sok_acl_add(&o->live.staff_allow, v, err);
    case O_PROXY: return sok_acl_add(&o->live.trusted, v, err);
    case O_CORS: return add_cors(&o->live, v, err);
    case O_BASE: return set_base(o, v, err);
    case O_LOGQ:
        if (strcmp(v, "keep") == 0)
            o->live.log_query = SOK_LOGQ_KEEP;
        else if (strcmp(v, "mask") == 0)
            o->live.log_query = SOK_LOGQ_MASK;
        else if (strcmp(v, "drop") == 0)
            o->live.log_query = SOK_LOGQ_DROP;
        else
            return sok_err_set(err, SOK_EINVAL, "--log-query %s: expected "
                               "keep, mask or drop", v);
        break;
    default:
        return sok_err_set(err, SOK_EINTERNAL, NULL);
    }
    return 0;
}

/* One line of the config file: its key is a long option. */
static int conf_line(void *ctx, const char *key, const char *value,
                     unsigned line, struct sok_err *err)
{
    struct sok_options *o = ctx;
    const struct option *opt = NULL;
    int on = 1;
    char *v = NULL;
    int rc = sok_conf_value(k_opts, O_CONFIG, o->config, key, value, line,
                            &o->owned, &opt, &on, &v, err);
    if (rc != 0)
        return rc;
    struct sok_err aerr = SOK_ERR_INIT;
    if (apply(o, opt->val, v, on, &aerr) != 0)
        return sok_err_set(err, aerr.code, "config %s:%u: %s", o->config,
                           line, aerr.msg);
    return 0;
}

static void defaults(struct sok_options *o)
{
    memset(o, 0, sizeof *o);
    o->cfg.db = DEFAULT_DB;
    o->cfg.listen = DEFAULT_LISTEN;
    o->cfg.max_conns = DEFAULT_CONNS;
    o->cfg.timeout_s = DEFAULT_TIMEOUT;
    o->cfg.cache_bytes = (size_t)SOK_CACHE_MB_DEF << 20;
    o->cfg.engine = (struct sok_engine_opts)SOK_ENGINE_OPTS_INIT;
    o->cfg.base_path = "";
    o->cfg.log_fd = 2;
    o->live.access_log = 1;
    o->live.max_age = SOK_MAX_AGE_DEF;
    o->shard_timeout_ms = SOK_SHARD_TIMEOUT_DEF;
}

/* One pass of getopt_long over argv; only: apply only that option (the
 * first pass looks for --config, --help and --version).  -1 to go on, else
 * the exit code. */
static int scan(int argc, char **argv, struct sok_options *o, int only)
{
    int c;
    optind = 0;     /* glibc: start over, whatever came before */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", k_opts, NULL)) != -1) {
        struct sok_err err = SOK_ERR_INIT;
        if (c == '?' || c == ':') {
            fprintf(stderr, "sok-server: unknown or incomplete option %s\n",
                    argv[optind - 1]);
            usage(stderr);
            return 1;
        }
        if (c == O_HELP)
            c = 'h';
        if (only && c == 'h') {
            usage(stdout);
            return 0;
        }
        if (only && c == O_VERSION) {
            printf("sok-server %s\n", SOK_VERSION);
            return 0;
        }
        if ((only && c != only) || (!only && (c == O_CONFIG || c == 'h')))
            continue;
        if (apply(o, c, optarg, 1, &err) != 0) {
            fprintf(stderr, "sok-server: %s\n", err.msg);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sok-server: unexpected argument %s\n", argv[optind]);
        usage(stderr);
        return 1;
    }
    return -1;
}

int sok_options_load(int argc, char **argv, struct sok_options *o)
{
    defaults(o);
    int rc = scan(argc, argv, o, O_CONFIG);
    if (rc >= 0)
        return rc;
    struct sok_err err = SOK_ERR_INIT;
    if (o->config && sok_conf_read(o->config, conf_line, o, &err) != 0) {
        fprintf(stderr, "sok-server: %s\n", err.msg);
        return 1;
    }
    if ((rc = scan(argc, argv, o, 0)) >= 0)
        return rc;
    if (o->cfg.db[0] == '\0') {
        fprintf(stderr, "sok-server: empty --db\n");
        return 1;
    }
    o->cfg.live = &o->live;
    return -1;
}

void sok_options_free(struct sok_options *o)
{
    sok_conf_strs_free(&o->owned);
}

static int differs(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

void sok_options_restart_keys(const struct sok_options *was,
                              const struct sok_options *now)
{
    const struct sok_httpd_cfg *a = &was->cfg, *b = &now->cfg;
    const char *keys[20];
    size_t n = 0;
    /* With --shards the running db is the shards file (main.c). */
    if (!was->shards && differs(a->db, b->db)) keys[n++] = "db";
    if (differs(a->listen, b->listen)) keys[n++] = "listen";
    if (b->threads && a->threads != b->threads) keys[n++] = "threads";
    if (a->timeout_s != b->timeout_s) keys[n++] = "timeout";
    if (a->cache_bytes != b->cache_bytes) keys[n++] = "cache-mb";
    if (a->engine.plain != b->engine.plain) keys[n++] = "plain";
    if (differs(a->base_path, b->base_path)) keys[n++] = "base-path";
    if (differs(a->public_url, b->public_url)) keys[n++] = "public-url";
    if (differs(was->synonyms, now->synonyms)) keys[n++] = "synonyms";
    if (differs(was->best_bets, now->best_bets)) keys[n++] = "best-bets";
    if (differs(was->zero_log, now->zero_log)) keys[n++] = "zero-log";
    if (differs(was->shards, now->shards)) keys[n++] = "shards";
    if (was->shard_timeout_ms != now->shard_timeout_ms)
        keys[n++] = "shard-timeout";
    if (was->wait_for_index != now->wait_for_index)
        keys[n++] = "wait-for-index";
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "sok-server: reload: %s changes only at a restart "
                "(the running value stays)\n", keys[i]);
}
