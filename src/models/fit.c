/* The rk_fit result object shared by all regression models, and helpers to fill it. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "models/fit.h"
#include "stats/htest.h"
#include "stats/ttest.h"

void rk_fit_free(rk_fit *f)
{
    if (!f) return;
    free(f->coef);
    free(f->extra);
    free(f);
}

double rk_fit_get(const rk_fit *f, const char *name)
{
    if (!f || !name) return NAN;
    for (size_t i = 0; i < f->n_extra; i++)
        if (strcmp(f->extra[i].name, name) == 0) return f->extra[i].value;
    return NAN;
}

rk_fit *rk__fit_new(const char *model, size_t n_coef, rk_error *err)
{
    rk_fit *f = calloc(1, sizeof *f);
    if (!f) {
        rk_error_set(err, RK_ENOMEM, "out of memory allocating a model fit");
        return NULL;
    }
    snprintf(f->model, sizeof f->model, "%s", model ? model : "");
    f->log_likelihood = NAN;
    f->deviance = NAN;
    if (n_coef > 0) {
        f->coef = calloc(n_coef, sizeof *f->coef);
        if (!f->coef) {
            free(f);
            rk_error_set(err, RK_ENOMEM, "out of memory allocating %zu coefficients", n_coef);
            return NULL;
        }
    }
    f->n_coef = n_coef;
    for (size_t i = 0; i < n_coef; i++) {
        rk_coef *c = &f->coef[i];
        c->estimate = c->std_error = c->statistic = c->p_value = NAN;
        c->conf_int[0] = c->conf_int[1] = NAN;
        c->ratio = NAN;
        c->ratio_conf_int[0] = c->ratio_conf_int[1] = NAN;
        c->df = NAN;
    }
    return f;
}

rk_status rk__fit_add_extra(rk_fit *f, const char *name, double value, rk_error *err)
{
    if (strlen(name) >= sizeof f->extra[0].name)
        return rk_error_set(err, RK_EINVAL, "extra value name '%s' is too long", name);
    for (size_t i = 0; i < f->n_extra; i++)
        if (strcmp(f->extra[i].name, name) == 0) {
            f->extra[i].value = value;
            return RK_OK;
        }
    void *p = realloc(f->extra, (f->n_extra + 1) * sizeof *f->extra);
    if (!p) return rk_error_set(err, RK_ENOMEM, "out of memory adding '%s' to a fit", name);
    f->extra = p;
    snprintf(f->extra[f->n_extra].name, sizeof f->extra[0].name, "%s", name);
    f->extra[f->n_extra].value = value;
    f->n_extra++;
    return RK_OK;
}

void rk__fit_set_coef(rk_fit *f, size_t i, const char *term, double estimate, double std_error)
{
    rk_coef *c = &f->coef[i];
    snprintf(c->term, sizeof c->term, "%s", term ? term : "");
    c->estimate = estimate;
    c->std_error = std_error;
}

void rk__fit_wald_z(rk_fit *f, size_t i, double conf_level, int ratio)
{
    rk_coef *c = &f->coef[i];
    double z = c->estimate / c->std_error;
    c->statistic = z;
    c->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
    double q = gsl_cdf_ugaussian_Qinv((1.0 - conf_level) / 2.0);
    c->conf_int[0] = c->estimate - q * c->std_error;
    c->conf_int[1] = c->estimate + q * c->std_error;
    c->df = NAN;
    if (ratio) {
        c->ratio = exp(c->estimate);
        c->ratio_conf_int[0] = exp(c->conf_int[0]);
        c->ratio_conf_int[1] = exp(c->conf_int[1]);
    }
}

void rk__fit_wald_t(rk_fit *f, size_t i, double conf_level, double df)
{
    rk_coef *c = &f->coef[i];
    double t = c->estimate / c->std_error;
    c->statistic = t;
    c->p_value = isnan(t) ? NAN : 2.0 * rk__pt_upper(fabs(t), df);
    if (c->p_value > 1.0) c->p_value = 1.0;
    double q = gsl_cdf_tdist_Qinv((1.0 - conf_level) / 2.0, df);
    c->conf_int[0] = c->estimate - q * c->std_error;
    c->conf_int[1] = c->estimate + q * c->std_error;
    c->df = df;
}

void rk__fit_note(rk_fit *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->note, sizeof f->note, fmt, ap);
    va_end(ap);
}

rk_status rk__wls(const double *X, size_t n, size_t p, const double *w, const double *z,
                  double *beta, double *xtwx_inv, long *aliased, rk_error *err)
{
    *aliased = -1;
    if (p == 0) return RK_OK;
    if (n < p)
        return rk_error_set(err, RK_EINVAL, "%zu observations are too few for %zu coefficients", n,
                            p);
    rk__gsl_init();
    rk_status st = RK_OK;
    gsl_matrix *A = gsl_matrix_alloc(n, p);
    gsl_vector *tau = gsl_vector_alloc(p);
    gsl_vector *b = gsl_vector_alloc(n);
    gsl_matrix *R = gsl_matrix_alloc(p, p);
    double *norm = calloc(p, sizeof *norm);
    if (!A || !tau || !b || !R || !norm) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for a %zu x %zu least-squares problem", n,
                          p);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double s = w ? sqrt(w[i]) : 1.0;
        for (size_t j = 0; j < p; j++) {
            double a = s * X[i * p + j];
            gsl_matrix_set(A, i, j, a);
            norm[j] += a * a;
        }
        gsl_vector_set(b, i, s * z[i]);
    }
    if (gsl_linalg_QR_decomp(A, tau) != GSL_SUCCESS) {
        st = rk_error_set(err, RK_EINTERNAL, "QR decomposition failed");
        goto done;
    }
    for (size_t j = 0; j < p; j++) {
        /* R lm (dqrdc2): tol = 1e-7 relative to the column's norm */
        if (!(fabs(gsl_matrix_get(A, j, j)) > 1e-7 * sqrt(norm[j]))) {
            *aliased = (long)j;
            st = rk_error_set(err, RK_EINVAL, "design column %zu is aliased", j + 1);
            goto done;
        }
    }
    gsl_linalg_QR_QTvec(A, tau, b);
    for (size_t jj = p; jj-- > 0;) {
        double s = gsl_vector_get(b, jj);
        for (size_t k = jj + 1; k < p; k++)
            s -= gsl_matrix_get(A, jj, k) * beta[k];
        beta[jj] = s / gsl_matrix_get(A, jj, jj);
    }
    if (xtwx_inv) {
        gsl_matrix_set_zero(R);
        for (size_t i = 0; i < p; i++)
            for (size_t j = i; j < p; j++)
                gsl_matrix_set(R, i, j, gsl_matrix_get(A, i, j));
        if (gsl_linalg_tri_invert(CblasUpper, CblasNonUnit, R) != GSL_SUCCESS) {
            st = rk_error_set(err, RK_EINTERNAL, "triangular inverse failed");
            goto done;
        }
        /* (X'WX)^{-1} = R^{-1} R^{-T} */
        for (size_t i = 0; i < p; i++)
            for (size_t j = i; j < p; j++) {
                double s = 0;
                for (size_t k = j; k < p; k++)
                    s += gsl_matrix_get(R, i, k) * gsl_matrix_get(R, j, k);
                xtwx_inv[i * p + j] = xtwx_inv[j * p + i] = s;
            }
    }
done:
    gsl_matrix_free(A);
    gsl_vector_free(tau);
    gsl_vector_free(b);
    gsl_matrix_free(R);
    free(norm);
    return st;
}
