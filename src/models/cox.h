/* Internal interface of the Cox proportional hazards fit (src/models/cox.c). */
#ifndef RK_MODELS_COX_H
#define RK_MODELS_COX_H

#include <stddef.h>

#include "rctkit/models.h"

/* Log partial likelihood, score u (p) and information imat (p x p, row-major)
 * at beta for data already sorted by (stratum, time) ascending, with
 * covariates X (n x p, row-major, centered).  stratum_end[i] is nonzero on the
 * last row of each stratum.  Exposed for the tests. */
double rk__cox_loglik(const double *time, const int *event, const double *X,
                      const unsigned char *stratum_end, size_t n, size_t p, const double *beta,
                      rk_cox_ties ties, double *u, double *imat, double *work);

#endif
