/*
 * sok_clock: the one clock sok measures durations with.  Monotonic, so a
 * wall-clock step (NTP, a manual date change) never gives a negative or
 * huge duration in a log line, a deadline or a metric.
 */
#ifndef SOK_CLOCK_H
#define SOK_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Microseconds on CLOCK_MONOTONIC since an arbitrary start. */
static inline int64_t sok_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif /* SOK_CLOCK_H */
