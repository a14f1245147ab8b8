/*
 * progress: a one-line progress display for long runs.  Draws only when
 * stderr is a terminal (so logs and CI output stay clean), at most a few
 * times a second.
 */
#ifndef SOK_PROGRESS_H
#define SOK_PROGRESS_H

#include <stddef.h>

struct sok_progress {
    int enabled;
    size_t total;
    double start, last_draw;
    const char *label;
};

void sok_progress_init(struct sok_progress *p, const char *label, size_t total,
                       int quiet);
/* Reports that done of total items are finished. */
void sok_progress_update(struct sok_progress *p, size_t done);
/* Clears the line. */
void sok_progress_done(struct sok_progress *p);

#endif /* SOK_PROGRESS_H */
