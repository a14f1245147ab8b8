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
#define SOK_METRIC_STATUSES { 200, 400, 403, 404, 405, 500, 503 }
#define SOK_METRIC_NSTATUS 8
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

/* Prometheus text exposition of all[0..n) summed, plus the index gauges
 * (index_up 0 when the index could not be read). */
void sok_metrics_render(struct sok_buf *b, struct sok_metrics *const *all,
                        size_t n, int index_up, unsigned long docs,
                        unsigned long revision, int *rc);

#endif /* SOK_METRICS_H */
