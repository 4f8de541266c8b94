/* Internal interface of the two-sample Wilcoxon rank-sum module (src/stats/wilcoxon.c). */
#ifndef RK_STATS_WILCOXON_H
#define RK_STATS_WILCOXON_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/stats.h"

/* Largest DP table (in doubles) the exact rank-sum distribution will allocate:
 * 4 GiB; beyond it RK_ERANGE (use the asymptotic method). */
#define RK__RANKSUM_MAX_CELLS ((uint64_t)1 << 29)
/* Largest number of multiply-adds it will attempt (about a minute); beyond it RK_ERANGE. */
#define RK__RANKSUM_MAX_WORK 1e11

/* Number of doubles the exact distribution of rk_ranksum_exact_dist would need
 * for these scores (any order) and first-group size m; 0 on bad input. */
uint64_t rk__ranksum_cells(const int64_t *scores, size_t m, size_t n);

/* R's qwilcox rule on a distribution of W = (T - m(m+1)) / 2 (T = sum of doubled
 * midranks of the first group, dist as returned by rk_ranksum_exact_dist): the
 * smallest integer q >= 0 with P(W <= q) >= p (with R's 10*DBL_EPSILON fuzz).
 * *p_below receives P(W <= q - 1). */
uint64_t rk__ranksum_quantile(const double *dist, int64_t min_sum, size_t len, size_t m,
                              double p, double *p_below);

#endif
