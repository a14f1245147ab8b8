/*
 * sok-server: ranked Swedish full-text search over HTTP.
 *
 *   sok-server [--config FILE] [--check-config] [--db DIR]
 *              [--listen ADDR:PORT] [--threads N] [--max-conns N]
 *              [--timeout SECONDS] [--cache-mb N] [--quiet] [--plain]
 *              [--synonyms FILE] [--best-bets FILE] [--zero-log FILE]
 *              [--staff-allow ADDR[/BITS]]... [--wait-for-index] ...
 *
 * (options.c has them all, and the config file's keys.)  Exit codes: 0
 * after SIGTERM/SIGINT (in-flight requests finished), or after
 * --check-config found nothing wrong; 1 usage or config error; 3 the index
 * cannot be opened at start-up (unless --wait-for-index); 4 cannot listen
 * or start.  main() only loads the options, checks the index, raises the
 * descriptor limit, makes what the engines share (the deletion index,
 * spell.h; the staff's vocabulary, vocab.h; the zero-hit log, zerolog.h),
 * tells systemd it is ready (notify.h) and waits for signals: SIGHUP reads
 * the config file again (options.h says what can change); httpd.c does the
 * serving.
 */
#include "httpd.h"
#include "engine.h"
#include "notify.h"
#include "options.h"
#include "shards.h"
#include "render.h"
#include "search.h"
#include "page_assets.h"
#include "spell.h"
#include "vocab.h"
#include "zerolog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_THREADS 256
#define MAX_RELOADS 1024    /* settings kept alive for requests in flight */

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

/* Points the access log's descriptor (fixed: *fd, or a new one when *fd
 * is -1) at path, or at stderr for NULL; a reload reopens it, which is
 * what logrotate's postrotate asks for.  dup2() swaps it under the
 * workers' feet without a moment when it is closed. */
static int open_log(const char *path, int *fd)
{
    int nfd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                          0640)
                   : fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (nfd < 0) {
        fprintf(stderr, "sok-server: cannot open the access log %s: %s\n",
                path ? path : "(stderr)", strerror(errno));
        return -1;
    }
    if (*fd < 0) {
        *fd = nfd;
        return 0;
    }
    int rc = dup3(nfd, *fd, O_CLOEXEC) < 0 ? -1 : 0;
    close(nfd);
    return rc;
}

/* Frees what the engines shared, after them: the vocabulary, the zero-hit
 * log (its last save) and the deletion index (which also stops and joins
 * a rebuild still running). */
static void free_shared(struct sok_engine_opts *o)
{
    sok_shards_free(o->shards);
    sok_vocab_free(o->vocab);
    sok_zerolog_free(o->zerolog);
    sok_spell_shared_free(o->spell);
}

/* Makes what the workers' engines share into o->cfg.engine; 0 or the exit
 * code. */
static int make_shared(struct sok_options *o)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_zerolog_cfg zc = SOK_ZEROLOG_CFG_INIT;
    struct sok_engine_opts *e = &o->cfg.engine;
    zc.path = o->zero_log;
    int rc = 0;
    if (o->shards != NULL) {
        /* The shards file stands for the index in what is said of it. */
        o->cfg.db = o->shards;
        rc = sok_shards_load(o->shards, o->shard_timeout_ms, &e->shards,
                             &err);
        if (rc == 0)
            rc = sok_shards_start(e->shards, &err);
    }
    if (rc == 0)
        rc = sok_spell_shared_new(o->cfg.db, &e->spell, &err);
    if (rc == 0)
        sok_spell_shared_use_shards(e->spell, e->shards);
    if (rc == 0)
        rc = sok_zerolog_new(&zc, &e->zerolog, &err);
    if (rc == 0 && (o->synonyms || o->best_bets))
        rc = sok_vocab_new(o->synonyms, o->best_bets, NULL, &e->vocab, &err);
    if (rc != 0) {
        fprintf(stderr, "sok-server: %s\n", err.msg);
        free_shared(e);
        return 4;
    }
    return 0;
}

/* Whether the index opens; says why not on stderr. */
static int probe_index(struct sok_options *o, int wait)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_engine *probe = NULL;
    int rc = sok_engine_new(o->cfg.db, &o->cfg.engine, &probe, &err);
    if (rc == 0)
        sok_spell_prepare(probe);   /* not on the first searches' path */
    sok_engine_free(probe);
    if (rc != 0)
        fprintf(stderr, "sok-server: cannot open the index at %s: %s\n"
                        "sok-server: build it with: sok-index --db %s "
                        "PATH...%s\n", o->cfg.db, err.msg, o->cfg.db,
                wait ? "\nsok-server: --wait-for-index: serving 503 until "
                       "there is one" : "");
    return rc == 0;
}

/* The settings published so far (the first is o's own): kept until exit,
 * as a request may still read one that a reload has replaced. */
struct lives {
    struct sok_live *v[MAX_RELOADS];
    size_t n;
};

/* SIGHUP: the config file and the command line again, into a new
 * struct sok_live; the rest stays as it runs. */
static void reload(int argc, char **argv, struct sok_options *run,
                   struct sok_httpd *h, struct lives *ls)
{
    struct sok_options *now = calloc(1, sizeof *now);
    sok_notify("RELOADING=1");
    int rc = now ? sok_options_load(argc, argv, now) : 1;
    if (rc >= 0 || ls->n == MAX_RELOADS) {
        fprintf(stderr, "sok-server: reload failed; the settings stay as "
                        "they were\n");
    } else {
        struct sok_live *l = malloc(sizeof *l);
        if (l != NULL) {
            *l = now->live;
            ls->v[ls->n++] = l;
            sok_options_restart_keys(run, now);
            open_log(now->access_log_path, &run->cfg.log_fd);
            sok_httpd_set_live(h, l);
            fprintf(stderr, "sok-server: reloaded%s%s\n",
                    run->config ? " " : "", run->config ? run->config : "");
        }
    }
    if (now)
        sok_options_free(now);
    free(now);
    sok_notify("READY=1");
}

/* Serves until SIGTERM or SIGINT; SIGHUP reloads.  The exit code. */
static int serve(int argc, char **argv, struct sok_options *o,
                 const sigset_t *set)
{
    struct sok_err err = SOK_ERR_INIT;
    struct sok_httpd *h = NULL;
    if (sok_httpd_start(&o->cfg, &h, &err) != 0) {
        fprintf(stderr, "sok-server: %s\n", err.msg);
        return err.code == SOK_EINVAL ? 1 : 4;
    }
    char status[300];
    snprintf(status, sizeof status, "READY=1\nSTATUS=serving %s", o->cfg.db);
    sok_notify(status);
    struct lives *ls = calloc(1, sizeof *ls);
    int sig = 0;
    while (sigwait(set, &sig) == 0 && sig == SIGHUP)
        if (ls != NULL)
            reload(argc, argv, o, h, ls);
    sok_notify("STOPPING=1");
    fprintf(stderr, "sok-server: %s, finishing in-flight requests\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    sok_httpd_stop(h);
    for (size_t i = 0; ls != NULL && i < ls->n; i++)
        free(ls->v[i]);
    free(ls);
    return 0;
}

int main(int argc, char **argv)
{
    struct sok_options *o = calloc(1, sizeof *o);
    if (o == NULL)
        return 4;
    int rc = sok_options_load(argc, argv, o);
    if (rc < 0 && o->check_config && o->shards != NULL) {
        struct sok_shards *sh = NULL;
        struct sok_err err = SOK_ERR_INIT;
        if (sok_shards_load(o->shards, o->shard_timeout_ms, &sh, &err) != 0) {
            fprintf(stderr, "sok-server: %s\n", err.msg);
            rc = 1;
        }
        sok_shards_free(sh);
    }
    if (rc < 0 && o->check_config) {
        printf("sok-server: the configuration is valid%s%s\n",
               o->config ? ": " : "", o->config ? o->config : "");
        rc = 0;
    }
    if (rc >= 0) {
        sok_options_free(o);
        free(o);
        return rc;
    }
    if (o->cfg.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        /* Over remote shards a thread mostly waits on the network: four a
         * core gave 2.4 times the answers a second of one a core (syn10k,
         * one loopback shard, 16 connections). */
        if (o->shards != NULL)
            n *= 4;
        o->cfg.threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS
                                                     : (unsigned)n;
    }
    o->cfg.max_conns = fit_fd_limit(o->cfg.max_conns, o->cfg.threads);
    o->cfg.log_fd = -1;
    if (open_log(o->access_log_path, &o->cfg.log_fd) != 0) {
        sok_options_free(o);
        free(o);
        return 1;
    }
    sok_render_set_base(o->cfg.base_path);
    sok_page_asset_version(NULL);   /* computed before threads start */

    /* Signals are taken by sigwait() in this thread only, so they are
     * blocked before any thread is started (the zero-hit log's saver
     * inherits the mask); a peer that hangs up mid-reply must not kill the
     * process. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((rc = make_shared(o)) == 0) {
        /* A server without an index would answer nothing but 503: unless
         * told to wait for one, refuse to start, so a deployment mistake
         * is seen at once. */
        if (!probe_index(o, o->wait_for_index) && !o->wait_for_index)
            rc = 3;
        else
            rc = serve(argc, argv, o, &set);
        free_shared(&o->cfg.engine);
        if (rc == 0)
            fprintf(stderr, "sok-server: stopped\n");
    }
    sok_options_free(o);
    free(o);
    return rc;
}
