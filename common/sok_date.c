/*
 * sok_date: finds dates in Swedish prose ("13 februari 2017", "den 16 mars",
 * "13 feb 2017", "2017-02-13", "13/2 2017") and guesses the year a text was
 * written.  The section splitter uses these to date sections; the parser is
 * deliberately strict, because a wrong date is worse than none: a day must
 * stand alone (not "2.0", not "13:30", not the digits of a phone number
 * "042-10 64 34"), a month must be a whole word, and impossible dates
 * ("31 februari") are rejected.  Only bytes are inspected, so any UTF-8
 * around the date is fine.
 */
#include "sok_date.h"

#include <string.h>

/* Years outside this range are not taken for years (they are amounts,
 * street numbers, ...). */
#define YEAR_MIN 1900
#define YEAR_MAX 2099

static const struct {
    const char *name;
    unsigned char len, month, abbrev;
} months[] = {
    { "januari", 7, 1, 0 },  { "februari", 8, 2, 0 }, { "mars", 4, 3, 0 },
    { "april", 5, 4, 0 },    { "maj", 3, 5, 0 },      { "juni", 4, 6, 0 },
    { "juli", 4, 7, 0 },     { "augusti", 7, 8, 0 },  { "september", 9, 9, 0 },
    { "oktober", 7, 10, 0 }, { "november", 8, 11, 0 },{ "december", 8, 12, 0 },
    /* abbreviations, optionally followed by '.' */
    { "jan", 3, 1, 1 }, { "feb", 3, 2, 1 }, { "mar", 3, 3, 1 },
    { "apr", 3, 4, 1 }, { "jun", 3, 6, 1 }, { "jul", 3, 7, 1 },
    { "aug", 3, 8, 1 }, { "sept", 4, 9, 1 }, { "sep", 3, 9, 1 },
    { "okt", 3, 10, 1 }, { "nov", 3, 11, 1 }, { "dec", 3, 12, 1 },
};

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int is_alpha_ascii(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Bytes >= 0x80 are treated as letters: a date glued to a non-ASCII letter
 * ("ö2") is not a date, and being strict costs nothing here. */
static int is_wordish(unsigned char c)
{
    return is_digit(c) || is_alpha_ascii(c) || c >= 0x80;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_date(int y, int m, int d)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
                                   30, 31 };
    if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1)
        return 0;
    int max = mdays[m - 1] + (m == 2 && leap(y));
    return d <= max;
}

/* Writes "YYYY-MM-DD"; the arguments are a valid_date(). */
static void put_date(char out[11], int y, int m, int d)
{
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* Reads exactly n digits at s[i..); -1 when they are not all digits. */
static int digits(const unsigned char *s, size_t len, size_t i, size_t n)
{
    if (i + n > len)
        return -1;
    int v = 0;
    for (size_t k = 0; k < n; k++) {
        if (!is_digit(s[i + k]))
            return -1;
        v = v * 10 + (s[i + k] - '0');
    }
    return v;
}

/* A 4-digit year at s[i..) that is not part of a longer number.  Returns
 * the year or 0. */
static int year_at(const unsigned char *s, size_t len, size_t i)
{
    int y = digits(s, len, i, 4);
    if (y < YEAR_MIN || y > YEAR_MAX)
        return 0;
    if (i + 4 < len && is_wordish(s[i + 4]))
        return 0;
    /* "2019.5", "2015,3": a decimal, not a year */
    if (i + 5 < len && (s[i + 4] == '.' || s[i + 4] == ',') &&
        is_digit(s[i + 5]))
        return 0;
    return y;
}

/* Matches a month word at s[i..); returns the month and sets *end. */
static int month_at(const unsigned char *s, size_t len, size_t i, size_t *end)
{
    for (size_t k = 0; k < sizeof months / sizeof months[0]; k++) {
        size_t n = months[k].len;
        if (i + n > len)
            continue;
        size_t j = 0;
        while (j < n && lower(s[i + j]) == (unsigned char)months[k].name[j])
            j++;
        if (j < n)
            continue;
        size_t e = i + n;
        if (e < len && is_wordish(s[e]))
            continue;               /* "majoriteten", "marsch" */
        if (months[k].abbrev && e < len && s[e] == '.')
            e++;
        *end = e;
        return months[k].month;
    }
    return 0;
}

/* Skips blanks (spaces, tabs, at most one line break: a date may wrap in
 * PDF text, but not across paragraphs). */
static size_t skip_blank(const unsigned char *s, size_t len, size_t i)
{
    int nl = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) {
        if (s[i] == '\n' && nl++)
            break;
        i++;
    }
    return i;
}

/* Can a number start at s[i]?  Not after a letter/digit, and not after
 * . , : - (which would make it part of "2.0", "13:30", "042-10"). */
static int number_starts(const unsigned char *s, size_t i)
{
    if (i == 0)
        return 1;
    unsigned char p = s[i - 1];
    return !(is_wordish(p) || p == '.' || p == ',' || p == ':' || p == '-');
}

/* Tries every date form at s[i] (a digit that starts a number).  Returns 1
 * and fills out, or 0. */
static int date_at(const unsigned char *s, size_t len, size_t i,
                   int default_year, char out[11])
{
    size_t nd = 0;
    while (i + nd < len && is_digit(s[i + nd]))
        nd++;

    if (nd == 4) {                        /* 2017-02-13 */
        int y = digits(s, len, i, 4);
        if (i + 10 <= len && s[i + 4] == '-' && s[i + 7] == '-') {
            int m = digits(s, len, i + 5, 2), d = digits(s, len, i + 8, 2);
            if (m > 0 && d > 0 && !(i + 10 < len && is_wordish(s[i + 10])) &&
                valid_date(y, m, d)) {
                put_date(out, y, m, d);
                return 1;
            }
        }
        return 0;
    }
    if (nd < 1 || nd > 2)
        return 0;

    int d = digits(s, len, i, nd);
    size_t j = i + nd;

    if (j < len && s[j] == '/') {         /* 13/2 2017, 13/2/2017 */
        size_t k = j + 1, nm = 0;
        while (k + nm < len && is_digit(s[k + nm]))
            nm++;
        if (nm < 1 || nm > 2)
            return 0;
        int m = digits(s, len, k, nm);
        k += nm;
        if (k < len && (s[k] == ' ' || s[k] == '/' || s[k] == '-')) {
            int y = year_at(s, len, k + 1);
            if (y && valid_date(y, m, d)) {
                put_date(out, y, m, d);
                return 1;
            }
        }
        return 0;                         /* "1/2" alone is a fraction */
    }

    /* Swedish ordinal suffixes: "1:a maj", "2:e april" */
    if (j + 1 < len && s[j] == ':' && (lower(s[j + 1]) == 'a' ||
                                       lower(s[j + 1]) == 'e') &&
        !(j + 2 < len && is_wordish(s[j + 2])))
        j += 2;
    if (j >= len || (s[j] != ' ' && s[j] != '\t' && s[j] != '\n'))
        return 0;                         /* "13:30", "2.0", "10-års" */
    j = skip_blank(s, len, j);
    size_t e;
    int m = month_at(s, len, j, &e);
    if (!m)
        return 0;

    /* optional year: "13 februari 2017", "13 feb. 2017", "5 maj, 2019" */
    size_t k = e;
    if (k < len && s[k] == ',')
        k++;
    size_t k2 = skip_blank(s, len, k);
    int y = (k2 > k || (k2 == k && k > e)) ? year_at(s, len, k2) : 0;
    if (!y)
        y = default_year;
    if (!y)
        return 0;
    if (!valid_date(y, m, d))
        return 0;
    put_date(out, y, m, d);
    return 1;
}

int sok_date_find(const char *text, size_t len, int default_year,
                  char out[11])
{
    const unsigned char *s = (const unsigned char *)text;
    if (text == NULL || out == NULL)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]) || !number_starts(s, i))
            continue;
        if (date_at(s, len, i, default_year, out))
            return 1;
        while (i + 1 < len && is_digit(s[i + 1]))
            i++;                          /* next number, not next digit */
    }
    out[0] = '\0';
    return 0;
}

int sok_date_doc_year(const char *text, size_t len)
{
    static const int span = YEAR_MAX - YEAR_MIN + 1;
    unsigned count[YEAR_MAX - YEAR_MIN + 1];
    const unsigned char *s = (const unsigned char *)text;
    memset(count, 0, sizeof count);
    if (text == NULL)
        return 0;
    for (size_t i = 0; i + 4 <= len; i++) {
        if (!is_digit(s[i]))
            continue;
        if (i > 0 && (is_wordish(s[i - 1]) ||
                      ((s[i - 1] == '.' || s[i - 1] == ',') && i > 1 &&
                       is_digit(s[i - 2])))) {
            while (i + 1 < len && is_digit(s[i + 1]))
                i++;
            continue;
        }
        int y = year_at(s, len, i);
        if (y)
            count[y - YEAR_MIN]++;
        while (i + 1 < len && is_digit(s[i + 1]))
            i++;
    }
    int best = 0;
    unsigned bestn = 0;
    for (int k = 0; k < span; k++)
        if (count[k] && count[k] >= bestn) {   /* ties: the later year */
            bestn = count[k];
            best = YEAR_MIN + k;
        }
    return best;
}
