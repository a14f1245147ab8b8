/*
 * inproc: the search engine's floor, without HTTP.  Runs a file of query
 * strings (one URL query string a line, exactly as sent to /api/search,
 * e.g. "q=hus+bil&page=5") in process through the same path the server
 * takes: sok_params_parse -> sok_params_search -> sok_engine_refresh ->
 * sok_search_run (the JSON rendering is not included).
 *
 *   inproc --db DIR --queries FILE [--rounds N] [--warmup N]
 *
 * Prints one line per query and round on stdout: "round index ms total"
 * (total = -1 when the query failed, with the error on stderr), and a
 * closing "# queries=Q seconds=S qps=X" line.  Used by tests/bench/bench.py.
 */
#include "engine.h"
#include "params.h"
#include "search.h"
#include "sok_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    return sok_clock_us() / 1e3;
}

static int run_one(struct sok_engine *e, const char *qs, unsigned long *total)
{
    struct sok_params p = SOK_PARAMS_INIT;
    struct sok_search_req req = SOK_SEARCH_REQ_INIT;
    struct sok_search_res res = SOK_SEARCH_RES_INIT;
    struct sok_err err = SOK_ERR_INIT;
    const char *param = NULL;
    int rc = sok_params_parse(qs, &p, &param, &err);
    if (rc == 0)
        rc = sok_params_search(&p, &req, &param, &err);
    if (rc == 0)
        rc = sok_engine_refresh(e, &err);
    if (rc == 0)
        rc = sok_search_run(e, &req, &res, &err);
    if (rc == 0)
        *total = res.total;
    else
        fprintf(stderr, "inproc: %s: %s (%s)\n", qs, err.msg,
                sok_err_name(rc));
    sok_search_res_free(&res);
    sok_params_free(&p);
    return rc;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *qfile = NULL;
    unsigned rounds = 1, warmup = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            qfile = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc)
            warmup = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: inproc --db DIR --queries FILE "
                            "[--rounds N] [--warmup N]\n");
            return 1;
        }
    }
    if (!db || !qfile) {
        fprintf(stderr, "inproc: --db and --queries are required\n");
        return 1;
    }

    FILE *f = fopen(qfile, "r");
    if (!f) {
        perror(qfile);
        return 1;
    }
    char **qs = NULL;
    size_t nq = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (nq == cap) {
            cap = cap ? cap * 2 : 256;
            char **n = realloc(qs, cap * sizeof *qs);
            if (!n)
                return 1;
            qs = n;
        }
        qs[nq++] = strdup(line);
    }
    free(line);
    fclose(f);

    struct sok_engine *e = NULL;
    struct sok_err err = SOK_ERR_INIT;
    int rc = sok_engine_new(db, NULL, &e, &err);
    if (rc != 0) {
        fprintf(stderr, "inproc: %s: %s\n", db, err.msg);
        sok_engine_free(e);
        return 3;
    }

    unsigned long total = 0;
    for (unsigned w = 0; w < warmup; w++)
        for (size_t i = 0; i < nq; i++)
            run_one(e, qs[i], &total);

    int failed = 0;
    double t0 = now_ms();
    for (unsigned r = 0; r < rounds; r++) {
        for (size_t i = 0; i < nq; i++) {
            double a = now_ms();
            total = 0;
            int qrc = run_one(e, qs[i], &total);
            double b = now_ms();
            failed |= qrc != 0;
            printf("%u %zu %.4f %ld\n", r, i, b - a,
                   qrc == 0 ? (long)total : -1L);
        }
    }
    double secs = (now_ms() - t0) / 1e3;
    printf("# queries=%zu seconds=%.4f qps=%.1f\n", nq * rounds, secs,
           secs > 0 ? nq * rounds / secs : 0.0);

    for (size_t i = 0; i < nq; i++)
        free(qs[i]);
    free(qs);
    sok_engine_free(e);
    return failed ? 4 : 0;
}
