/*
 * sok-index: builds and updates the sok search index.  This file is only the
 * command line: flags, the summary line and the exit codes of
 * ../shared/docs/CONTRACT.md; the run itself is run.c.
 *
 *   sok-index [--db DIR] [--full] [--json] [--quiet] [--verbose]
 *             [--follow-links] PATH...
 *
 * Exit codes: 0 done (unreadable files are counted in failed=), 1 usage
 * error, 2 index locked by another run, 3 index or I/O error (nothing
 * committed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "note.h"
#include "sok_err.h"

#define DEFAULT_DB "data/index"

enum { EXIT_DONE = 0, EXIT_USAGE = 1, EXIT_LOCKED = 2, EXIT_INDEX = 3 };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sok-index [--db DIR] [--full] [--json] [--quiet] [--verbose]\n"
            "                 [--follow-links] PATH...\n"
            "  --db DIR   index directory (default " DEFAULT_DB ")\n"
            "  --full     rebuild from nothing, swapped in when complete\n"
            "  --json     print the summary as one JSON object\n"
            "  --quiet    no progress display and no notes on stderr\n"
            "  --verbose  also print each phase of the run with its time\n"
            "  --follow-links  follow symbolic links out of the PATHs and to\n"
            "             folders (by default such links are named and skipped)\n"
            "Indexes .txt .md .html .htm .pdf files under each PATH.\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "full", no_argument, NULL, 'f' },
        { "json", no_argument, NULL, 'j' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "follow-links", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct sok_run_opts o = { .db = DEFAULT_DB };
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.db = optarg; break;
        case 'f': o.full = 1; break;
        case 'j': json = 1; break;
        case 'q': o.quiet = 1; break;
        case 'v': o.verbose = 1; break;
        case 'l': o.follow_links = 1; break;
        case 'h': usage(stdout); return EXIT_DONE;
        default:
            fprintf(stderr, "sok-index: unknown or incomplete option %s\n",
                    argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc || o.db[0] == '\0') {
        fprintf(stderr, "sok-index: %s\n", optind >= argc ? "no PATH given" : "empty --db");
        usage(stderr);
        return EXIT_USAGE;
    }
    o.paths = (const char *const *)argv + optind;
    o.npaths = (size_t)(argc - optind);

    struct sok_run_stats st;
    struct sok_err err = SOK_ERR_INIT;
    int rc = sok_run(&o, &st, &err);
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
    if (json)
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
