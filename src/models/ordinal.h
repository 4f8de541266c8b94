/* Internal interface of the proportional-odds (cumulative logit) model. */
#ifndef RK_MODELS_ORDINAL_H
#define RK_MODELS_ORDINAL_H

#include <stddef.h>

#include "rctkit/models.h"

/* Log-likelihood, score and observed information (minus the Hessian) of the
 * cumulative logit model logit P(Y <= j) = theta_j - x'beta_j at thresholds
 * theta (K-1) and one common beta (p), for rows X (n x p, row-major), levels y
 * (0..K-1) and weights w (NULL = 1).  general == 0: the proportional-odds model,
 * parameters (theta, beta), q = K-1+p.  general != 0: the unconstrained model
 * with beta_j = beta for every j, parameters (theta, beta_1, ..., beta_{K-1}),
 * q = (K-1)(1+p).  g (q) and info (q x q, row-major) may be NULL.  Returns the
 * log-likelihood, -INFINITY when a fitted probability of an observed level is 0. */
double rk__ordinal_eval(const double *X, const double *y, const double *w, size_t n, size_t p,
                        size_t K, const double *theta, const double *beta, int general, double *g,
                        double *info);

#endif
