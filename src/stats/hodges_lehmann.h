/* Internal interface of the Hodges-Lehmann / order-statistic selection module
 * (src/stats/hodges_lehmann.c). */
#ifndef RK_STATS_HODGES_LEHMANN_H
#define RK_STATS_HODGES_LEHMANN_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/stats.h"

/* k-th and (k+1)-th smallest (1-based) of the differences xs[i] - ys[j] (both
 * sorted ascending), 1 <= k < nx*ny; *kth1 may be NULL when k == nx*ny is
 * wanted alone.  One selection plus one O(nx+ny) staircase pass. */
rk_status rk__pairwise_diff_select2(const double *xs, size_t nx, const double *ys, size_t ny,
                                    uint64_t k, double *kth, double *kth1, rk_error *err);

/* Same for the Walsh averages (xs[i] + xs[j]) / 2, i <= j, xs sorted ascending,
 * 1 <= k <= n(n+1)/2 (k + 1 beyond the end leaves *kth1 = *kth). */
rk_status rk__walsh_select2(const double *xs, size_t n, uint64_t k, double *kth, double *kth1,
                            rk_error *err);

/* Median of the values xs[i] - ys[j] (sorted inputs): the HL shift estimate. */
rk_status rk__hl_shift_sorted(const double *xs, size_t nx, const double *ys, size_t ny,
                              double *estimate, rk_error *err);

/* k-th smallest (0-based) of a[0..n-1], n >= 1, partially reordering a.
 * Expected O(n); deterministic pseudo-random pivots (no global state). */
double rk__select_inplace(double *a, size_t n, size_t k);

#endif
