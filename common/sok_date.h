/*
 * sok_date: dates written in Swedish text ("13 februari 2017", "den 16
 * mars", "2017-02-13", "13/2 2017"), for a document's and a news item's
 * date, and the year a document most plausibly dates from.
 */
#ifndef SOK_DATE_H
#define SOK_DATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Finds the first Swedish or ISO date in text[0..len): "13 februari 2017",
 * "den 16 mars" (year from default_year; skipped when default_year is 0),
 * "2017-02-13", "13/2 2017".  Writes "YYYY-MM-DD" into out and returns 1,
 * or returns 0 when there is none. */
int sok_date_find(const char *text, size_t len, int default_year,
                  char out[11]);

/* The year a document most plausibly dates from: the most frequent year
 * 1900-2099 written in it (ties: the latest), 0 when none. */
int sok_date_doc_year(const char *text, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SOK_DATE_H */
