/* Internal interface of the random-intercept linear mixed model (exposed for tests). */
#ifndef RK_MODELS_MIXED_H
#define RK_MODELS_MIXED_H

#include <stddef.h>

#include "rctkit/models.h"

/* Sufficient statistics of a random-intercept design: per non-empty cluster
 * its size and the means of X and y, plus the pooled within-cluster
 * (centred) cross-products.  Every criterion below is a function of these. */
typedef struct rk__mixed_sums {
    size_t n, p, J; /* rows, columns of X, non-empty clusters */
    double *nj;     /* J cluster sizes */
    double *mx;     /* J x p cluster means of X, row-major */
    double *my;     /* J cluster means of y */
    double *wxx;    /* p x p pooled within-cluster sum of squares and products of X */
    double *wxy;    /* p */
    double wyy;
} rk__mixed_sums;

/* Build the sums from a design (which must have d->cluster).  Validates the
 * input (finite values, >= 2 non-empty clusters, cluster indices in range).
 * Free with rk__mixed_sums_free. */
rk_status rk__mixed_sums_init(const rk_design *d, rk__mixed_sums *s, rk_error *err);
void rk__mixed_sums_free(rk__mixed_sums *s);

/* Profiled criterion at theta = sigma_b / sigma >= 0: dev = REML criterion
 * (ml == 0) or -2 log L (ml == 1) with beta and sigma profiled out, as lme4's
 * deviance function; *dprime = d dev / d theta (analytic).  Optionally beta
 * (p) and the penalised residual sum of squares r2.  RK_EINVAL when X'V^-1 X
 * is not positive definite. */
rk_status rk__mixed_profile(const rk__mixed_sums *s, int ml, double theta, double *dev,
                            double *dprime, double *beta, double *r2, rk_error *err);

/* Hessian of the unprofiled criterion D(theta, sigma) (lmerTest's
 * parametrisation of the variance parameters) at (theta, sigma), analytic:
 * h[0] = d2D/dtheta2, h[1] = d2D/dtheta dsigma, h[2] = d2D/dsigma2. */
rk_status rk__mixed_hessian(const rk__mixed_sums *s, int ml, double theta, double sigma,
                            double h[3], rk_error *err);

/* Unprofiled criterion D(theta, sigma): lmerTest's devfun_vp. */
rk_status rk__mixed_deviance_vp(const rk__mixed_sums *s, int ml, double theta, double sigma,
                                double *dev, rk_error *err);

#endif
