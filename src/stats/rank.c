/* Midranks with ties and tie statistics. */
#include <stdlib.h>

#include "stats/htest.h"

typedef struct rank_item {
    double v;
    size_t i;
} rank_item;

static int cmp_item(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->v != y->v) return (x->v > y->v) - (x->v < y->v);
    return (x->i > y->i) - (x->i < y->i); /* stable: deterministic order */
}

rk_status rk_rank(const double *x, size_t n, double *ranks, rk_ties *ties, rk_error *err)
{
    rk_status st = rk__check_finite(x, n, "rank", err);
    if (st) return st;
    if (ties) {
        ties->n_tie_groups = 0;
        ties->n_tied = 0;
        ties->sum_t3_t = 0.0;
    }
    if (n == 0) return RK_OK;
    rank_item *it = malloc(n * sizeof *it);
    if (!it) return rk_error_set(err, RK_ENOMEM, "out of memory ranking %zu values", n);
    for (size_t i = 0; i < n; i++) {
        it[i].v = x[i];
        it[i].i = i;
    }
    qsort(it, n, sizeof *it, cmp_item);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && it[b].v == it[a].v) b++;
        /* positions a..b-1 (0-based) share the average of ranks a+1..b */
        double mid = 0.5 * ((double)(a + 1) + (double)b);
        for (size_t k = a; k < b; k++) ranks[it[k].i] = mid;
        size_t t = b - a;
        if (t > 1 && ties) {
            ties->n_tie_groups++;
            ties->n_tied += t;
            double td = (double)t;
            ties->sum_t3_t += td * td * td - td;
        }
        a = b;
    }
    free(it);
    return RK_OK;
}
