/*
 * fuzz_date: libFuzzer target for the Swedish date parser
 * (common/sok_date.c).  Dates are looked for in any extracted text, so
 * the input is taken as it comes: raw bytes, not repaired (the parser
 * reads ASCII digits and month names and must not care).  The first byte
 * picks the default year (0: none), as the section splitter passes the
 * document's year.  Checks that a found date is "YYYY-MM-DD" of a day that
 * exists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sok_date.h"

static int days_in(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d[m - 1] + (m == 2 && leap);
}

static void check_date(const char out[11])
{
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? out[i] != '-' : (out[i] < '0' || out[i] > '9'))
            abort();
    if (out[10] != '\0')
        abort();
    int y = atoi(out), m = atoi(out + 5), d = atoi(out + 8);
    if (m < 1 || m > 12 || d < 1 || d > days_in(y, m))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int year = 0;
    if (size > 0) {
        year = data[0] == 0 ? 0 : 1900 + data[0] % 200;
        data++;
        size--;
    }
    /* A copy of exactly size bytes, so reading past the end is caught. */
    char *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    char out[11];
    memset(out, 'x', sizeof out);
    if (sok_date_find(text, size, year, out))
        check_date(out);
    int y = sok_date_doc_year(text, size);
    if (y != 0 && (y < 1900 || y > 2099))
        abort();
    free(text);
    return 0;
}
