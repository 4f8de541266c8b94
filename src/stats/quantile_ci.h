/* Internal interface of the distribution-free quantile CI module (src/stats/quantile_ci.c). */
#ifndef RK_STATS_QUANTILE_CI_H
#define RK_STATS_QUANTILE_CI_H

#include <stddef.h>

#include "rctkit/stats.h"

/* Order statistics (1-based) of the distribution-free CI for the p-quantile
 * from n observations, 0 < p < 1, 0 < conf_level < 1 (rule in
 * docs/statistics-signrank.md).  *l = 0 / *u = n + 1 mark an unattainable
 * lower / upper bound; *coverage = P(l <= B <= u - 1), B ~ Binomial(n, p). */
rk_status rk__quantile_ci_order(size_t n, double p, double conf_level, size_t *l, size_t *u,
                                double *coverage, rk_error *err);

#endif
