/*
 * sok-index: builds and updates the sok search index.  This file is only the
 * command line: flags, the config file, the summary line, the exit codes of
 * ../shared/docs/CONTRACT.md and the node-exporter textfile; the run
 * itself is run.c.
 *
 *   sok-index [--config FILE] [--db DIR] [--shards N] [--full] [--json] [--quiet]
 *             [--verbose] [--follow-links] [--url-map DIR=URL]...
 *             [--metrics-file FILE] PATH...
 *
 * Exit codes: 0 done (unreadable files are counted in failed=), 1 usage
 * error, 2 index locked by another run, 3 index or I/O error (nothing
 * committed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "shardrun.h"
#include "note.h"
#include "sok_conf.h"
#include "sok_err.h"
#include "urlmap.h"

#define DEFAULT_DB "data/index"
#define MAX_PATHS 256
#ifndef SOK_VERSION
#define SOK_VERSION "unknown"
#endif

enum { EXIT_DONE = 0, EXIT_USAGE = 1, EXIT_LOCKED = 2, EXIT_INDEX = 3 };
enum { O_DB = 256, O_FULL, O_JSON, O_QUIET, O_VERBOSE, O_LINKS, O_MAP,
       O_METRICS, O_PATH, O_CONFIG, O_HELP, O_VERSION, O_SHARDS };

static const struct option k_opts[] = {
    { "db", required_argument, NULL, O_DB },
    { "full", no_argument, NULL, O_FULL },
    { "shards", required_argument, NULL, O_SHARDS },
    { "json", no_argument, NULL, O_JSON },
    { "quiet", no_argument, NULL, O_QUIET },
    { "verbose", no_argument, NULL, O_VERBOSE },
    { "follow-links", no_argument, NULL, O_LINKS },
    { "url-map", required_argument, NULL, O_MAP },
    { "metrics-file", required_argument, NULL, O_METRICS },
    { "path", required_argument, NULL, O_PATH },    /* config only */
    { "config", required_argument, NULL, O_CONFIG },
    { "help", no_argument, NULL, O_HELP },
    { "version", no_argument, NULL, O_VERSION },
    { NULL, 0, NULL, 0 },
};

struct cli {
    struct sok_run_opts o;
    struct sok_urlmap map;
    int json;
    const char *config, *metrics;
    struct sok_run_stats last;  /* the run's counts, for the textfile */
    const char *paths[MAX_PATHS];
    size_t npaths;
    struct sok_conf_strs owned; /* the config file's values */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sok-index [--config FILE] [--db DIR] [--shards N] [--full]\n"
            "                 [--json]\n"
            "                 [--quiet] [--verbose] [--follow-links]\n"
            "                 [--url-map DIR=URL]... [--metrics-file FILE] "
            "PATH...\n"
            "  --config FILE  read options from FILE first (\"db = DIR\",\n"
            "             \"path = DIR\" for a PATH; the command line wins)\n"
            "  --db DIR   index directory (default " DEFAULT_DB ")\n"
            "  --shards N write N databases DIR/shard-0 .. DIR/shard-N-1, each\n"
            "             file in the one a hash of its path names (changing N\n"
            "             needs --full); later runs keep the index's number\n"
            "  --full     rebuild from nothing, swapped in when complete\n"
            "  --json     print the summary as one JSON object\n"
            "  --quiet    no progress display and no notes on stderr\n"
            "  --verbose  also print each phase of the run with its time\n"
            "  --follow-links  follow symbolic links out of the PATHs and to\n"
            "             folders (by default such links are named and skipped)\n"
            "  --url-map DIR=URL  files under DIR are published at URL + their\n"
            "             path below DIR (repeatable); a hit links there\n"
            "  --metrics-file FILE  write the run's outcome for node-exporter's\n"
            "             textfile collector (FILE ends in .prom)\n"
            "Indexes .txt .md .html .htm .pdf files under each PATH.\n");
}

/* Applies option id with argument v; on: a switch's state. */
static int apply(struct cli *c, int id, const char *v, int on,
                 struct sok_err *err)
{
    switch (id) {
    case O_DB: c->o.db = v; break;
    case O_FULL: c->o.full = on; break;
    case O_JSON: c->json = on; break;
    case O_QUIET: c->o.quiet = on; break;
    case O_VERBOSE: c->o.verbose = on; break;
    case O_LINKS: c->o.follow_links = on; break;
    case O_METRICS: c->metrics = v; break;
    case O_SHARDS: {
        char *end = NULL;
        unsigned long n = strtoul(v, &end, 10);
        if (end == v || *end != '\0' || n < 1 || n > SOK_SHARDS_MAX)
            return sok_err_set(err, SOK_EINVAL, "--shards takes 1 to %d, "
                               "not %s", SOK_SHARDS_MAX, v);
        c->o.shards = (unsigned)n;
        break;
    }
    case O_CONFIG: c->config = v; break;
    case O_MAP: return sok_urlmap_add(&c->map, v, err);
    case O_PATH:
        if (c->npaths == MAX_PATHS)
            return sok_err_set(err, SOK_EINVAL, "at most %d PATHs",
                               MAX_PATHS);
        c->paths[c->npaths++] = v;
        break;
    default:
        return sok_err_set(err, SOK_EINTERNAL, NULL);
    }
    return 0;
}

static int conf_line(void *ctx, const char *key, const char *value,
                     unsigned line, struct sok_err *err)
{
    struct cli *c = ctx;
    const struct option *opt = NULL;
    int on = 1;
    char *v = NULL;
    int rc = sok_conf_value(k_opts, O_CONFIG, c->config, key, value, line,
                            &c->owned, &opt, &on, &v, err);
    if (rc != 0)
        return rc;
    struct sok_err aerr = SOK_ERR_INIT;
    if (apply(c, opt->val, v, on, &aerr) != 0)
        return sok_err_set(err, aerr.code, "config %s:%u: %s", c->config,
                           line, aerr.msg);
    return 0;
}

/* Reads the command line (and the config file it names) into c: -1 to
 * go on, else the exit code. */
static int parse(int argc, char **argv, struct cli *c)
{
    int ch;
    opterr = 0;
    for (int pass = 0; pass < 2; pass++) {
        optind = 0;
        while ((ch = getopt_long(argc, argv, "h", k_opts, NULL)) != -1) {
            struct sok_err err = SOK_ERR_INIT;
            if (ch == 'h')
                ch = O_HELP;
            if (ch == O_HELP || ch == O_VERSION) {
                if (ch == O_HELP)
                    usage(stdout);
                else
                    printf("sok-index %s\n", SOK_VERSION);
                return EXIT_DONE;
            }
            if (ch == '?' || ch == ':' || ch == O_PATH) {
                fprintf(stderr, "sok-index: unknown or incomplete option "
                        "%s\n", argv[optind - 1]);
                usage(stderr);
                return EXIT_USAGE;
            }
            if ((pass == 0) != (ch == O_CONFIG))
                continue;
            if (apply(c, ch, optarg, 1, &err) != 0) {
                fprintf(stderr, "sok-index: %s\n", err.msg);
                return EXIT_USAGE;
            }
        }
        struct sok_err err = SOK_ERR_INIT;
        if (pass == 0 && c->config &&
            sok_conf_read(c->config, conf_line, c, &err) != 0) {
            fprintf(stderr, "sok-index: %s\n", err.msg);
            return EXIT_USAGE;
        }
    }
    /* PATHs on the command line replace the config file's */
    if (optind < argc)
        c->npaths = 0;
    for (int i = optind; i < argc && c->npaths < MAX_PATHS; i++)
        c->paths[c->npaths++] = argv[i];
    if (c->npaths == 0 || c->o.db[0] == '\0') {
        fprintf(stderr, "sok-index: %s\n",
                c->npaths == 0 ? "no PATH given" : "empty --db");
        usage(stderr);
        return EXIT_USAGE;
    }
    c->o.paths = c->paths;
    c->o.npaths = c->npaths;
    c->o.urlmap = &c->map;
    return -1;
}

/* The last success's time from the previous textfile, so that a failed
 * run does not hide how old the index is. */
static double last_success(const char *path)
{
    static const char key[] = "sok_index_last_success_timestamp_seconds ";
    char line[256];
    double t = 0;
    FILE *f = fopen(path, "re");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, sizeof key - 1) == 0)
            t = strtod(line + sizeof key - 1, NULL);
    if (f)
        fclose(f);
    return t;
}

/* The node-exporter textfile of this run, through FILE.tmp renamed over
 * FILE so the collector never reads half of one. */
static void write_metrics(const char *path, int code,
                          const struct sok_run_stats *st, double t0)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    double ok_at = code == EXIT_DONE ? now : last_success(path);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (f == NULL) {
        fprintf(stderr, "sok-index: cannot write %s\n", tmp);
        return;
    }
    fprintf(f, "# HELP sok_index_last_run_timestamp_seconds When the last "
               "sok-index run ended.\n"
               "# TYPE sok_index_last_run_timestamp_seconds gauge\n"
               "sok_index_last_run_timestamp_seconds %.3f\n"
               "# HELP sok_index_last_run_success Whether the last run "
               "committed (exit 0).\n"
               "# TYPE sok_index_last_run_success gauge\n"
               "sok_index_last_run_success %d\n"
               "# HELP sok_index_last_run_exit_code The last run's exit "
               "code.\n# TYPE sok_index_last_run_exit_code gauge\n"
               "sok_index_last_run_exit_code %d\n"
               "# HELP sok_index_last_run_duration_seconds How long the last "
               "run took.\n"
               "# TYPE sok_index_last_run_duration_seconds gauge\n"
               "sok_index_last_run_duration_seconds %.3f\n",
            now, code == EXIT_DONE, code, now - t0);
    if (ok_at > 0)
        fprintf(f, "# HELP sok_index_last_success_timestamp_seconds When a "
                   "run last committed.\n"
                   "# TYPE sok_index_last_success_timestamp_seconds gauge\n"
                   "sok_index_last_success_timestamp_seconds %.3f\n", ok_at);
    if (code == EXIT_DONE)
        fprintf(f, "# HELP sok_index_last_run_files Files of the last run "
                   "by outcome.\n# TYPE sok_index_last_run_files gauge\n"
                   "sok_index_last_run_files{result=\"added\"} %zu\n"
                   "sok_index_last_run_files{result=\"updated\"} %zu\n"
                   "sok_index_last_run_files{result=\"deleted\"} %zu\n"
                   "sok_index_last_run_files{result=\"unchanged\"} %zu\n"
                   "sok_index_last_run_files{result=\"failed\"} %zu\n"
                   "sok_index_last_run_files{result=\"skipped\"} %zu\n"
                   "# HELP sok_index_files Files in the index.\n"
                   "# TYPE sok_index_files gauge\nsok_index_files %lu\n"
                   "# HELP sok_index_sections Sections in the index.\n"
                   "# TYPE sok_index_sections gauge\n"
                   "sok_index_sections %lu\n",
                st->added, st->updated, st->deleted, st->unchanged,
                st->failed, st->skipped, st->docs, st->sections);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "sok-index: cannot write %s\n", path);
        remove(tmp);
    }
}

static int run(struct cli *c)
{
    struct sok_run_stats st;
    struct sok_err err = SOK_ERR_INIT;
    memset(&st, 0, sizeof st);
    int rc = sok_run(&c->o, &st, &err);
    c->last = st;
    if (rc == SOK_ENOTFOUND || rc == SOK_EINVAL) {
        sok_note("%s", err.msg);
        return EXIT_USAGE;
    }
    if (rc == SOK_ELOCKED) {
        sok_note("%s", err.msg);
        return EXIT_LOCKED;
    }
    if (rc) {
        sok_note("%s (%s); nothing was committed", err.msg, sok_err_name(rc));
        return EXIT_INDEX;
    }
    if (c->json)
        printf("{\"added\": %zu, \"updated\": %zu, \"deleted\": %zu, "
               "\"unchanged\": %zu, \"failed\": %zu, \"docs\": %lu, "
               "\"sections\": %lu, \"seconds\": %.2f, \"skipped\": %zu}\n",
               st.added, st.updated, st.deleted, st.unchanged, st.failed,
               st.docs, st.sections, st.seconds, st.skipped);
    else
        printf("added=%zu updated=%zu deleted=%zu unchanged=%zu failed=%zu "
               "docs=%lu sections=%lu seconds=%.2f skipped=%zu\n",
               st.added, st.updated, st.deleted, st.unchanged, st.failed,
               st.docs, st.sections, st.seconds, st.skipped);
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    static struct cli c;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c.o.db = DEFAULT_DB;
    int rc = parse(argc, argv, &c);
    if (rc < 0)
        rc = run(&c);
    /* A run that found another still going leaves that run's file. */
    if (c.metrics != NULL && rc != EXIT_LOCKED)
        write_metrics(c.metrics, rc, &c.last, (double)ts.tv_sec +
                      ts.tv_nsec / 1e9);
    sok_urlmap_free(&c.map);
    sok_conf_strs_free(&c.owned);
    return rc;
}
