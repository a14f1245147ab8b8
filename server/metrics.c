/*
 * metrics: per-thread counters, summed at scrape time (see metrics.h).
 */
#include "metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#ifndef SOK_VERSION
#define SOK_VERSION "unknown"
#endif
#ifndef SOK_XAPIAN_VERSION
#define SOK_XAPIAN_VERSION "unknown"
#endif

static const int k_statuses[] = SOK_METRIC_STATUSES;
/* Upper bounds of the latency buckets, in microseconds. */
static const unsigned long k_bounds[SOK_METRIC_NBUCKET - 1] = {
    250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
    1000000,
};

const char *sok_route_name(enum sok_route r)
{
    static const char *const names[SOK_ROUTE_N] = {
        "search", "suggest", "doc", "page", "healthz", "metrics", "staff",
        "other",
    };
    return (unsigned)r < SOK_ROUTE_N ? names[r] : "other";
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < SOK_METRIC_NSTATUS - 1; i++)
        if (k_statuses[i] == status)
            return i;
    return SOK_METRIC_NSTATUS - 1;
}

void sok_metrics_request(struct sok_metrics *m, enum sok_route r, int status,
                         unsigned long usec, size_t bytes)
{
    if ((unsigned)r >= SOK_ROUTE_N)
        r = SOK_ROUTE_OTHER;
    size_t b = 0;
    while (b < SOK_METRIC_NBUCKET - 1 && usec > k_bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->requests[r][status_index(status)], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->buckets[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->usec_sum[r], usec, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bytes_sent, bytes, memory_order_relaxed);
}

static unsigned long sum(struct sok_metrics *const *all, size_t n,
                         size_t field_off)
{
    unsigned long s = 0;
    for (size_t i = 0; i < n; i++) {
        atomic_ulong *f = (atomic_ulong *)((char *)all[i] + field_off);
        s += atomic_load_explicit(f, memory_order_relaxed);
    }
    return s;
}

#define SUM(field) sum(all, n, offsetof(struct sok_metrics, field))

double sok_metrics_commit_time(const char *db)
{
    char path[4096], stub[256], gen[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/XAPIANDB", db);
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(stub, 1, sizeof stub - 1, f) : 0;
    if (f)
        fclose(f);
    stub[n] = '\0';
    /* "auto gen-000003": a generation below db; no stub: db itself */
    if (n > 0 && sscanf(stub, "auto %127s", gen) == 1 && !strchr(gen, '/'))
        snprintf(path, sizeof path, "%s/%s/iamglass", db, gen);
    else
        snprintf(path, sizeof path, "%s/iamglass", db);
    if (stat(path, &st) != 0)
        return 0;
    return (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
}

/* When the process started (CLOCK_REALTIME): taken before main(), as
 * /proc/uptime, which the kernel's start tick is relative to, is hidden
 * under ProcSubset=pid. */
static double g_started;

__attribute__((constructor)) static void note_start(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    g_started = (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The process metrics every Prometheus client library exports. */
static void process_metrics(struct sok_buf *b, int *rc)
{
    char stat[1024];
    FILE *f = fopen("/proc/self/stat", "re");
    size_t n = f ? fread(stat, 1, sizeof stat - 1, f) : 0;
    if (f)
        fclose(f);
    stat[n] = '\0';
    const char *p = strrchr(stat, ')');
    unsigned long utime = 0, stime = 0, vsize = 0;
    long rss = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
                            "%*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %lu %ld",
                            &utime, &stime, &vsize, &rss) != 4)
        return;
    double tck = (double)sysconf(_SC_CLK_TCK);
    size_t fds = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        fds += e->d_name[0] != '.';
    if (d)
        closedir(d);
    struct rlimit rl = { 0, 0 };
    getrlimit(RLIMIT_NOFILE, &rl);
    sok_buf_printf(b, rc,
                   "# HELP process_cpu_seconds_total User and system CPU "
                   "time spent in seconds.\n"
                   "# TYPE process_cpu_seconds_total counter\n"
                   "process_cpu_seconds_total %.2f\n"
                   "# HELP process_start_time_seconds Start time of the "
                   "process since unix epoch in seconds.\n"
                   "# TYPE process_start_time_seconds gauge\n"
                   "process_start_time_seconds %.2f\n"
                   "# HELP process_resident_memory_bytes Resident memory "
                   "size in bytes.\n"
                   "# TYPE process_resident_memory_bytes gauge\n"
                   "process_resident_memory_bytes %ld\n"
                   "# HELP process_virtual_memory_bytes Virtual memory size "
                   "in bytes.\n"
                   "# TYPE process_virtual_memory_bytes gauge\n"
                   "process_virtual_memory_bytes %lu\n"
                   "# HELP process_open_fds Number of open file "
                   "descriptors.\n# TYPE process_open_fds gauge\n"
                   "process_open_fds %zu\n"
                   "# HELP process_max_fds Maximum number of open file "
                   "descriptors.\n# TYPE process_max_fds gauge\n"
                   "process_max_fds %llu\n",
                   (double)(utime + stime) / tck, g_started,
                   rss * sysconf(_SC_PAGESIZE), vsize, fds > 0 ? fds - 1 : 0,
                   (unsigned long long)rl.rlim_cur);
}

void sok_metrics_render(struct sok_buf *b, struct sok_metrics *const *all,
                        size_t n, const struct sok_index_info *ix, int *rc)
{
    sok_buf_puts(b, "# HELP sok_http_requests_total HTTP requests by route "
                    "and status.\n# TYPE sok_http_requests_total counter\n",
                 rc);
    for (int r = 0; r < SOK_ROUTE_N; r++)
        for (size_t s = 0; s < SOK_METRIC_NSTATUS; s++) {
            unsigned long v = SUM(requests[r][s]);
            if (v == 0)
                continue;
            if (s < SOK_METRIC_NSTATUS - 1)
                sok_buf_printf(b, rc, "sok_http_requests_total{route=\"%s\","
                               "status=\"%d\"} %lu\n",
                               sok_route_name((enum sok_route)r),
                               k_statuses[s], v);
            else
                sok_buf_printf(b, rc, "sok_http_requests_total{route=\"%s\","
                               "status=\"other\"} %lu\n",
                               sok_route_name((enum sok_route)r), v);
        }

    sok_buf_puts(b, "# HELP sok_http_request_duration_seconds Time from "
                    "request to reply.\n# TYPE "
                    "sok_http_request_duration_seconds histogram\n", rc);
    for (int r = 0; r < SOK_ROUTE_N; r++) {
        const char *name = sok_route_name((enum sok_route)r);
        unsigned long cum = 0;
        for (size_t k = 0; k < SOK_METRIC_NBUCKET; k++) {
            cum += SUM(buckets[r][k]);
            if (k < SOK_METRIC_NBUCKET - 1)
                sok_buf_printf(b, rc, "sok_http_request_duration_seconds_"
                               "bucket{route=\"%s\",le=\"%g\"} %lu\n", name,
                               (double)k_bounds[k] / 1e6, cum);
            else
                sok_buf_printf(b, rc, "sok_http_request_duration_seconds_"
                               "bucket{route=\"%s\",le=\"+Inf\"} %lu\n", name,
                               cum);
        }
        sok_buf_printf(b, rc, "sok_http_request_duration_seconds_sum{route="
                       "\"%s\"} %.6f\n", name,
                       (double)SUM(usec_sum[r]) / 1e6);
        sok_buf_printf(b, rc, "sok_http_request_duration_seconds_count{route="
                       "\"%s\"} %lu\n", name, cum);
    }

    sok_buf_printf(b, rc,
                   "# HELP sok_http_response_bytes_total Body bytes sent.\n"
                   "# TYPE sok_http_response_bytes_total counter\n"
                   "sok_http_response_bytes_total %lu\n"
                   "# HELP sok_http_connections Open client connections.\n"
                   "# TYPE sok_http_connections gauge\n"
                   "sok_http_connections %lu\n"
                   "# HELP sok_http_shed_total Requests refused with 503 by "
                   "the connection cap.\n"
                   "# TYPE sok_http_shed_total counter\n"
                   "sok_http_shed_total %lu\n"
                   "# HELP sok_http_deadline_closed_total Connections closed "
                   "for exceeding the request deadline.\n"
                   "# TYPE sok_http_deadline_closed_total counter\n"
                   "sok_http_deadline_closed_total %lu\n"
                   "# HELP sok_http_accept_errors_total Failed accepts "
                   "(descriptor exhaustion).\n"
                   "# TYPE sok_http_accept_errors_total counter\n"
                   "sok_http_accept_errors_total %lu\n"
                   "# HELP sok_cache_hits_total Searches answered from the "
                   "response cache.\n"
                   "# TYPE sok_cache_hits_total counter\n"
                   "sok_cache_hits_total %lu\n"
                   "# HELP sok_cache_misses_total Searches the response "
                   "cache did not hold.\n"
                   "# TYPE sok_cache_misses_total counter\n"
                   "sok_cache_misses_total %lu\n"
                   "# HELP sok_search_zero_hits_total Searches (API and "
                   "page) that found nothing.\n"
                   "# TYPE sok_search_zero_hits_total counter\n"
                   "sok_search_zero_hits_total %lu\n",
                   SUM(bytes_sent), SUM(connections), SUM(shed),
                   SUM(deadline_closed), SUM(accept_errors),
                   SUM(cache_hits), SUM(cache_misses), SUM(zero_hits));
    sok_buf_printf(b, rc,
                   "# HELP sok_index_up Whether the index could be read.\n"
                   "# TYPE sok_index_up gauge\nsok_index_up %d\n",
                   ix->up ? 1 : 0);
    if (ix->up)
        sok_buf_printf(b, rc,
                       "# HELP sok_index_revision Index revision served.\n"
                       "# TYPE sok_index_revision gauge\n"
                       "sok_index_revision %lu\n"
                       "# HELP sok_index_documents Sections in the index.\n"
                       "# TYPE sok_index_documents gauge\n"
                       "sok_index_documents %lu\n",
                       ix->revision, ix->docs);
    if (ix->committed > 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        double age = (double)now.tv_sec + now.tv_nsec / 1e9 - ix->committed;
        sok_buf_printf(b, rc,
                       "# HELP sok_index_commit_timestamp_seconds When the "
                       "index was last committed (Unix time).\n"
                       "# TYPE sok_index_commit_timestamp_seconds gauge\n"
                       "sok_index_commit_timestamp_seconds %.3f\n"
                       "# HELP sok_index_age_seconds Seconds since the index "
                       "was last committed.\n"
                       "# TYPE sok_index_age_seconds gauge\n"
                       "sok_index_age_seconds %.3f\n",
                       ix->committed, age < 0 ? 0 : age);
    }
    sok_buf_printf(b, rc,
                   "# HELP sok_build_info The running build (always 1).\n"
                   "# TYPE sok_build_info gauge\n"
                   "sok_build_info{version=\"%s\",xapian=\"%s\","
                   "libevent=\"%s\"} 1\n",
                   SOK_VERSION, SOK_XAPIAN_VERSION, event_get_version());
    process_metrics(b, rc);
}
