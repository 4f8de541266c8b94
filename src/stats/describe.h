/* Internal helpers of the descriptive-statistics module, shared with the
 * t-test and ANOVA code. */
#ifndef RK_STATS_DESCRIBE_H
#define RK_STATS_DESCRIBE_H

#include <stddef.h>

/* Mean of finite x[0..n-1], n >= 1: the sum divided by n, then corrected by
 * the mean of the residuals (two-pass, like R's mean()). */
double rk__mean(const double *x, size_t n);
/* Sum of squared deviations of x[0..n-1] from m (second pass of the variance). */
double rk__sum_sq_dev(const double *x, size_t n, double m);

#endif
