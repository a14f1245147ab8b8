/*
 * sok-server: ranked Swedish full-text search over HTTP.
 *
 *   sok-server [--db DIR] [--listen ADDR:PORT] [--threads N]
 *              [--max-conns N] [--timeout SECONDS] [--cache-mb N]
 *              [--quiet] [--plain] [--synonyms FILE] [--best-bets FILE]
 *              [--zero-log FILE] [--staff-allow ADDR[/BITS]]...
 *
 * Exit codes: 0 after SIGTERM/SIGINT (in-flight requests finished),
 * 1 usage error, 3 the index cannot be opened at start-up, 4 cannot listen
 * or start.  main() only parses options, checks the index, raises the
 * descriptor limit, makes what the engines share (the deletion index,
 * spell.h; the staff's vocabulary, vocab.h; the zero-hit log, zerolog.h)
 * and waits for a signal; httpd.c does the serving.
 */
#include "httpd.h"
#include "engine.h"
#include "search.h"
#include "cache.h"
#include "spell.h"
#include "vocab.h"
#include "zerolog.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_DB      "data/index"
#define DEFAULT_LISTEN  "127.0.0.1:8080"
#define DEFAULT_CONNS   1024
#define DEFAULT_TIMEOUT 10
#define MAX_THREADS     256

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sok-server [--db DIR] [--listen ADDR:PORT] [--threads N]\n"
            "                  [--max-conns N] [--timeout SECONDS] [--cache-mb N]\n"
            "                  [--quiet] [--plain] [--synonyms FILE]\n"
            "                  [--best-bets FILE] [--zero-log FILE]\n"
            "                  [--staff-allow ADDR[/BITS]]...\n"
            "  --db DIR         index directory (default %s)\n"
            "  --listen A:P     address to serve (default %s; port 0: any)\n"
            "  --threads N      worker threads (default: number of cores)\n"
            "  --max-conns N    open connections before shedding with 503 "
            "(default %d)\n"
            "  --timeout S      idle limit and deadline for a request to "
            "arrive (default %d)\n"
            "  --cache-mb N     response cache for repeated searches, in MB\n"
            "                   over all threads (default %d; 0: none)\n"
            "  --quiet          no access log on stderr\n"
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
            "                   default: loopback only)\n",
            DEFAULT_DB, DEFAULT_LISTEN, DEFAULT_CONNS, DEFAULT_TIMEOUT,
            SOK_CACHE_MB_DEF, SOK_ZEROLOG_SAVE_S);
}

static int parse_count(const char *opt, const char *s, unsigned lo,
                       unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (s == NULL || *s == '\0' || *s == '-' || *end != '\0' || errno ||
        v < lo || v > hi) {
        fprintf(stderr, "sok-server: %s needs a number from %u to %u\n", opt,
                lo, hi);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* Connections beyond the descriptor limit could not even be answered with
 * a 503, so take what the hard limit allows and keep the cap below it. */
static unsigned fit_fd_limit(unsigned max_conns, unsigned threads)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return max_conns;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
        if (want > rl.rlim_cur) {
            rl.rlim_cur = want;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    /* Per thread: listener, eventfd, reserve, the index's files (glass
     * opens one per table, up to about eight); and stdio, and slack. */
    rlim_t spare = 16 + (rlim_t)threads * 12;
    if (rl.rlim_cur <= spare + 1)
        return 1;
    if (max_conns > rl.rlim_cur - spare)
        max_conns = (unsigned)(rl.rlim_cur - spare);
    return max_conns;
}

/* What main() makes from the options beyond the server's own. */
struct files {
    const char *synonyms, *best_bets, *zero_log;   /* NULL: none */
};

/* Parses argv into cfg and fs.  Returns -1 to go on, else the exit code
 * (0 after --help). */
static int parse_args(int argc, char **argv, struct sok_httpd_cfg *cfg,
                      struct files *fs)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        struct sok_err err = SOK_ERR_INIT;
        if (strcmp(a, "--db") == 0 && v) {
            cfg->db = v;
            i++;
        } else if (strcmp(a, "--listen") == 0 && v) {
            cfg->listen = v;
            i++;
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_count(a, v, 1, MAX_THREADS, &cfg->threads))
                return 1;
            i++;
        } else if (strcmp(a, "--max-conns") == 0) {
            if (parse_count(a, v, 1, 1000000, &cfg->max_conns))
                return 1;
            i++;
        } else if (strcmp(a, "--timeout") == 0) {
            if (parse_count(a, v, 1, 3600, &cfg->timeout_s))
                return 1;
            i++;
        } else if (strcmp(a, "--cache-mb") == 0) {
            unsigned mb = 0;
            if (parse_count(a, v, 0, 65536, &mb))
                return 1;
            cfg->cache_bytes = (size_t)mb << 20;
            i++;
        } else if (strcmp(a, "--synonyms") == 0 && v) {
            fs->synonyms = v;
            i++;
        } else if (strcmp(a, "--best-bets") == 0 && v) {
            fs->best_bets = v;
            i++;
        } else if (strcmp(a, "--zero-log") == 0 && v) {
            fs->zero_log = v;
            i++;
        } else if (strcmp(a, "--staff-allow") == 0 && v) {
            if (sok_acl_add(&cfg->staff_allow, v, &err) != 0) {
                fprintf(stderr, "sok-server: %s\n", err.msg);
                return 1;
            }
            i++;
        } else if (strcmp(a, "--plain") == 0) {
            cfg->engine.plain = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            cfg->access_log = 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "sok-server: unknown or incomplete option %s\n",
                    a);
            usage(stderr);
            return 1;
        }
    }
    return -1;
}

/* Frees what the engines shared, after them: the vocabulary, the zero-hit
 * log (its last save) and the deletion index (which also stops and joins
 * a rebuild still running). */
static void free_shared(struct sok_engine_opts *o)
{
    sok_vocab_free(o->vocab);
    sok_zerolog_free(o->zerolog);
    sok_spell_shared_free(o->spell);
}

/* Makes what the workers' engines share into cfg->engine; 0 or the exit
 * code. */
static int make_shared(struct sok_httpd_cfg *cfg, const struct files *fs)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_zerolog_cfg zc = SOK_ZEROLOG_CFG_INIT;
    zc.path = fs->zero_log;
    int rc = sok_spell_shared_new(cfg->db, &cfg->engine.spell, &err);
    if (rc == 0)
        rc = sok_zerolog_new(&zc, &cfg->engine.zerolog, &err);
    if (rc == 0 && (fs->synonyms || fs->best_bets))
        rc = sok_vocab_new(fs->synonyms, fs->best_bets, NULL,
                           &cfg->engine.vocab, &err);
    if (rc != 0) {
        fprintf(stderr, "sok-server: %s\n", err.msg);
        free_shared(&cfg->engine);
        return 4;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sok_httpd_cfg cfg = { DEFAULT_DB, DEFAULT_LISTEN, 0, DEFAULT_CONNS,
                                 DEFAULT_TIMEOUT, 1,
                                 (size_t)SOK_CACHE_MB_DEF << 20,
                                 SOK_ENGINE_OPTS_INIT, { 0, { { 0 } } } };
    struct files fs = { NULL, NULL, NULL };
    int rc = parse_args(argc, argv, &cfg, &fs);
    if (rc >= 0)
        return rc;
    if (cfg.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
    }
    cfg.max_conns = fit_fd_limit(cfg.max_conns, cfg.threads);

    /* Signals are taken by sigwait() in this thread only, so they are
     * blocked before any thread is started (the zero-hit log's saver
     * inherits the mask); a peer that hangs up mid-reply must not kill the
     * process. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((rc = make_shared(&cfg, &fs)) != 0)
        return rc;

    /* A server without an index would answer nothing but 503: refuse to
     * start, so a deployment mistake is seen at once. */
    struct sok_err err = SOK_ERR_INIT;
    struct sok_engine *probe = NULL;
    rc = sok_engine_new(cfg.db, &cfg.engine, &probe, &err);
    if (rc == 0)
        sok_spell_prepare(probe);   /* not on the first searches' path */
    sok_engine_free(probe);
    if (rc != 0) {
        fprintf(stderr, "sok-server: cannot open the index at %s: %s\n"
                        "sok-server: build it with: sok-index --db %s "
                        "PATH...\n", cfg.db, err.msg, cfg.db);
        free_shared(&cfg.engine);
        return 3;
    }

    struct sok_httpd *h = NULL;
    if (sok_httpd_start(&cfg, &h, &err) != 0) {
        fprintf(stderr, "sok-server: %s\n", err.msg);
        free_shared(&cfg.engine);
        return err.code == SOK_EINVAL ? 1 : 4;
    }
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "sok-server: %s, finishing in-flight requests\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    sok_httpd_stop(h);
    free_shared(&cfg.engine);
    fprintf(stderr, "sok-server: stopped\n");
    return 0;
}
