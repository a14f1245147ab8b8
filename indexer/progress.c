/*
 * progress: terminal progress bar.  See progress.h.
 */
#include "progress.h"
#include "sok_clock.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

void sok_progress_init(struct sok_progress *p, const char *label, size_t total,
                       int quiet)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->total = total;
    p->start = sok_clock_us() / 1e6;
    p->last_draw = 0;
    p->label = label;
}

void sok_progress_update(struct sok_progress *p, size_t done)
{
    if (!p->enabled)
        return;
    double now = sok_clock_us() / 1e6;
    if (done < p->total && now - p->last_draw < 0.2)
        return;
    p->last_draw = now;
    double frac = p->total ? (double)done / (double)p->total : 1.0;
    int width = 30, fill = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    double el = now - p->start;
    double rate = el > 0 ? (double)done / el : 0;
    double eta = rate > 0 ? (double)(p->total - done) / rate : 0;
    fprintf(stderr, "\r%s [%s] %zu/%zu %5.1f%% %7.1f/s ETA %d:%02d  ", p->label,
            bar, done, p->total, frac * 100.0, rate, (int)eta / 60, (int)eta % 60);
    fflush(stderr);
}

void sok_progress_done(struct sok_progress *p)
{
    if (!p->enabled)
        return;
    fprintf(stderr, "\r%*s\r", 100, "");
    fflush(stderr);
}
