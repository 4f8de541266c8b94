/* Internal helpers shared by the regression models to build rk_fit results. */
#ifndef RK_MODELS_FIT_H
#define RK_MODELS_FIT_H

#include <stddef.h>

#include "rctkit/models.h"

/* A new zeroed rk_fit with `model` copied into f->model, n_coef coefficients
 * (all fields NAN, term ""), converged = 0, log_likelihood/deviance NAN.
 * Returns NULL with RK_ENOMEM in err on allocation failure.  Free with
 * rk_fit_free. */
rk_fit *rk__fit_new(const char *model, size_t n_coef, rk_error *err);

/* Append (or overwrite, when `name` is already present) a named extra value.
 * Names longer than 47 bytes are an RK_EINVAL error. */
rk_status rk__fit_add_extra(rk_fit *f, const char *name, double value, rk_error *err);

/* Set coefficient i's term (truncated to fit), estimate, standard error; the
 * other fields are left alone. */
void rk__fit_set_coef(rk_fit *f, size_t i, const char *term, double estimate, double std_error);

/* Fill statistic = estimate / std_error, two-sided normal p-value and Wald CI
 * at conf_level for coefficient i; when `ratio` is nonzero also exp() of the
 * estimate and of the CI (odds/hazard ratio).  Call rk__gsl_init first. */
void rk__fit_wald_z(rk_fit *f, size_t i, double conf_level, int ratio);

/* Same with a t distribution on df degrees of freedom (linear, mixed). */
void rk__fit_wald_t(rk_fit *f, size_t i, double conf_level, double df);

/* Copy a printf-style note into f->note (truncated). */
void rk__fit_note(rk_fit *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Weighted least squares by an orthogonal (QR) factorisation built row by row with Givens
 * rotations, fast for dummy columns (see fit.c): minimise sum_i w_i (z_i - x_i'b)^2
 * over the n x p row-major X (w may be NULL: all 1).  Writes beta[p] and, when
 * xtwx_inv is not NULL, (X'WX)^{-1} (p x p row-major).  A column whose residual
 * norm after the previous columns is <= 1e-7 times its own norm (R lm's
 * tolerance) is aliased: RK_EINVAL with *aliased set to its index (else -1);
 * the message is left to the caller, who knows the column names. */
rk_status rk__wls(const double *X, size_t n, size_t p, const double *w, const double *z,
                  double *beta, double *xtwx_inv, long *aliased, rk_error *err);

#endif
