/*
 * sok_sort: LSD radix sort on bytes, the eight histograms taken in one
 * pass over the keys; insertion sort for short arrays, where the
 * histograms would cost more than the sort.
 */
#include "sok_sort.h"
#include "sok_err.h"

#include <stdlib.h>
#include <string.h>

#define SHORT_SORT 32

static void insertion_sort(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

int sok_sort_u64(uint64_t *v, size_t n)
{
    if (n <= SHORT_SORT) {
        insertion_sort(v, n);
        return 0;
    }
    uint64_t *tmp = malloc(n * sizeof *tmp);
    size_t (*count)[256] = calloc(8, sizeof *count);
    if (tmp == NULL || count == NULL) {
        free(tmp);
        free(count);
        return SOK_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < 8; d++)
            count[d][(v[i] >> (8 * d)) & 0xff]++;
    uint64_t *src = v, *dst = tmp;
    for (unsigned d = 0; d < 8; d++) {
        size_t sum = 0;
        for (size_t k = 0; k < 256; k++) {
            size_t c = count[d][k];
            count[d][k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[d][(src[i] >> (8 * d)) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    /* An even number of passes: the result is back in v. */
    free(tmp);
    free(count);
    return 0;
}
