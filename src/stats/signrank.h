/* Internal interface of the Wilcoxon signed-rank module (src/stats/signrank.c). */
#ifndef RK_STATS_SIGNRANK_H
#define RK_STATS_SIGNRANK_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/stats.h"

/* Largest n * (sum of reduced scores) the exact signed-rank distribution will
 * attempt (about a second of work); beyond it RK_ERANGE. */
#define RK__SIGNRANK_EXACT_MAX_WORK 2000000000.0

/* Exact null distribution of S = sum of scores[i] * I(sign_i positive) with n
 * independent fair signs (the signed-rank statistic conditional on its scores).
 * scores[i] >= 1 are integers (2 * midrank, optionally divided by a common
 * factor).  On success *prob (malloc'd, free with free()) holds P(S = s) for
 * s = 0 .. *total, *total = sum of scores.  O(n * total) time, O(total) memory;
 * RK_ERANGE when n * total exceeds RK__SIGNRANK_EXACT_MAX_WORK. */
rk_status rk__signrank_dist(const int64_t *scores, size_t n, double **prob, int64_t *total,
                            rk_error *err);

#endif
