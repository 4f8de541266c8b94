/* Internal helpers shared by the statistics modules. */
#ifndef RK_STATS_HTEST_H
#define RK_STATS_HTEST_H

#include <stddef.h>

#include "rctkit/stats.h"

/* Fail with RK_EINVAL naming `what` if any x[i] is NaN or infinite. */
rk_status rk__check_finite(const double *x, size_t n, const char *what, rk_error *err);
/* Fail unless 0 < level < 1. */
rk_status rk__check_conf_level(double level, rk_error *err);
/* Turn GSL's abort-on-error handler off, once per process (thread-safe). */
void rk__gsl_init(void);
/* qsort comparator for doubles, ascending. */
int rk__cmp_double(const void *a, const void *b);
/* Sorted copy of x (malloc'd) or NULL with err set. */
double *rk__sorted_copy(const double *x, size_t n, rk_error *err);

#endif
