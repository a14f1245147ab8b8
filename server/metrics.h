/*
 * metrics: request counters and latency histograms.  Each worker thread
 * owns one struct sok_metrics and is its only writer (relaxed atomics, no
 * lock, no shared cache line traffic on the query path); a scrape of
 * /metrics sums every worker's block.
 */
#ifndef SOK_METRICS_H
#define SOK_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include "sok_buf.h"

enum sok_route {
    SOK_ROUTE_SEARCH, SOK_ROUTE_SUGGEST, SOK_ROUTE_DOC, SOK_ROUTE_PAGE,
    SOK_ROUTE_HEALTHZ, SOK_ROUTE_METRICS, SOK_ROUTE_STAFF, SOK_ROUTE_OTHER,
    SOK_ROUTE_N
};

/* Statuses counted one by one; anything else is "other". */
#define SOK_METRIC_STATUSES { 200, 204, 304, 400, 403, 404, 405, 500, 503 }
#define SOK_METRIC_NSTATUS 10
#define SOK_METRIC_NBUCKET 12   /* latency buckets, the last is +Inf */

struct sok_metrics {
    atomic_ulong requests[SOK_ROUTE_N][SOK_METRIC_NSTATUS];
    atomic_ulong buckets[SOK_ROUTE_N][SOK_METRIC_NBUCKET];
    atomic_ulong usec_sum[SOK_ROUTE_N];
    atomic_ulong bytes_sent;
    atomic_ulong connections;       /* open now (a gauge) */
    atomic_ulong shed;              /* refused by the connection cap */
    atomic_ulong deadline_closed;   /* closed for exceeding the deadline */
    atomic_ulong accept_errors;     /* accept() failed (EMFILE, ...) */
    atomic_ulong cache_hits;        /* searches answered from the cache */
    atomic_ulong cache_misses;      /* searches the cache did not hold */
    atomic_ulong zero_hits;         /* searches that found nothing (a
                                       cached answer included) */
};

const char *sok_route_name(enum sok_route r);

/* Records one finished request. */
void sok_metrics_request(struct sok_metrics *m, enum sok_route r, int status,
                         unsigned long usec, size_t bytes);

/* What /healthz and /metrics say of the index. */
struct sok_index_info {
    int up;                     /* 0: it could not be read */
    unsigned long docs, revision;
    double committed;           /* Unix time of its last commit, 0:
                                   unknown */
};

/* The time of the last commit of the index at db (Unix seconds), 0 when
 * it cannot be told: the modification time of the current generation's
 * version file (glass rewrites "iamglass" at every commit), found through
 * the stub file XAPIANDB. */
double sok_metrics_commit_time(const char *db);

/* Prometheus text exposition of all[0..n) summed, the index gauges, the
 * build's sok_build_info and the process's standard metrics
 * (process_cpu_seconds_total, ..., from /proc/self). */
void sok_metrics_render(struct sok_buf *b, struct sok_metrics *const *all,
                        size_t n, const struct sok_index_info *ix, int *rc);

#endif /* SOK_METRICS_H */
