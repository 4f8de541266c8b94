/* Internal helpers of the t-test / ANOVA module. */
#ifndef RK_STATS_TTEST_H
#define RK_STATS_TTEST_H

/* P(T > t) for Student's t with df > 0 degrees of freedom, any finite t,
 * accurate to about 1e-13 relative even far in the tails (see
 * docs/statistics-parametric.md). */
double rk__pt_upper(double t, double df);

#endif
