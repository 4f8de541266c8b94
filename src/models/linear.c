/* Linear regression / ANCOVA by least squares (QR), with t inference and SAS-style LS means. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "models/fit.h"
#include "models/frame.h"
#include "stats/htest.h"

/* Name of column j's categorical term level ("groupUC-MSC" minus "group"). */
static const char *level_of(const rk_design *d, size_t j)
{
    size_t len = strlen(d->terms[j]);
    const char *c = d->colnames[j];
    if (strncmp(c, "factor(", 7) == 0) {
        const char *close = strchr(c, ')');
        return close ? close + 1 : c;
    }
    return strlen(c) >= len ? c + len : c;
}

/* LS means of the levels of `term` (SAS LSMEANS: numeric covariates at their
 * (weighted) means, levels of other categorical terms weighted equally). */
static rk_status add_lsmeans(const rk_design *d, const char *term, const double *beta,
                             const double *cov, const double *colmean, rk_fit *fit, rk_error *err)
{
    size_t p = d->p;
    long ref_col = -1;
    if (!d->ref_level || !d->terms || !d->colnames) return RK_OK; /* hand-built design */
    for (size_t j = 0; j < p; j++)
        if (d->ref_level[j] && (!term || strcmp(d->terms[j], term) == 0)) {
            ref_col = (long)j;
            break;
        }
    if (ref_col < 0) {
        if (term)
            return rk_error_set(err, RK_EINVAL,
                                "'%s' is not a categorical term of the model, so it has no LS "
                                "means",
                                term);
        return RK_OK;
    }
    if (rk__design_find(d, "(Intercept)") < 0) return RK_OK; /* needs the intercept */
    const char *gterm = d->terms[ref_col];
    size_t ncol_g = 0;
    for (size_t j = 0; j < p; j++)
        ncol_g += strcmp(d->terms[j], gterm) == 0;
    double *L = malloc(p * sizeof *L);
    if (!L) return rk_error_set(err, RK_ENOMEM, "out of memory");
    rk_status st = RK_OK;
    for (size_t a = 0; a <= ncol_g && !st; a++) {
        /* a = 0: reference level; a = k: k-th column of the term */
        const char *lname = d->ref_level[ref_col];
        size_t seen = 0;
        for (size_t j = 0; j < p; j++) {
            if (d->ref_level[j] == NULL) {
                L[j] = strcmp(d->colnames[j], "(Intercept)") == 0 ? 1.0 : colmean[j];
            } else if (strcmp(d->terms[j], gterm) == 0) {
                seen++;
                L[j] = seen == a ? 1.0 : 0.0;
                if (seen == a) lname = level_of(d, j);
            } else {
                size_t k = 1;
                for (size_t jj = 0; jj < p; jj++)
                    k += strcmp(d->terms[jj], d->terms[j]) == 0;
                L[j] = 1.0 / (double)k;
            }
        }
        double est = 0, var = 0;
        for (size_t i = 0; i < p; i++) {
            est += L[i] * beta[i];
            for (size_t j = 0; j < p; j++)
                var += L[i] * cov[i * p + j] * L[j];
        }
        char name[48];
        snprintf(name, sizeof name, "lsmean_%s", lname);
        st = rk__fit_add_extra(fit, name, est, err);
        snprintf(name, sizeof name, "lsmean_se_%s", lname);
        if (!st) st = rk__fit_add_extra(fit, name, sqrt(var), err);
    }
    if (!st && ncol_g == 1) {
        st = rk__fit_add_extra(fit, "lsmean_diff", beta[ref_col], err);
        if (!st)
            st = rk__fit_add_extra(fit, "lsmean_diff_se", sqrt(cov[ref_col * p + ref_col]), err);
    }
    free(L);
    return st;
}

rk_status rk_linear_fit(const rk_design *d, const char *group_term, double conf_level, rk_fit **out,
                        rk_error *err)
{
    if (!out) return rk_error_set(err, RK_EINVAL, "rk_linear_fit: out is NULL");
    *out = NULL;
    if (!d) return rk_error_set(err, RK_EINVAL, "rk_linear_fit: no design");
    rk_status st = rk__check_conf_level(conf_level, err);
    if (st) return st;
    if (!d->y || d->n_levels > 0)
        return rk_error_set(err, RK_EINVAL, "a linear model needs a numeric response");
    size_t n = d->n, p = d->p;
    st = rk__check_finite(d->y, n, "response", err);
    if (st) return st;
    st = rk__check_finite(d->X, n * p, "design matrix", err);
    if (st) return st;
    double sw = 0;
    for (size_t i = 0; i < n; i++)
        sw += d->weight ? d->weight[i] : 1.0;
    if (!(sw > (double)p))
        return rk_error_set(err, RK_EINVAL,
                            "%g observations leave no residual degrees of freedom for %zu "
                            "coefficients",
                            sw, p);
    rk__gsl_init();
    double *beta = calloc(p ? p : 1, sizeof *beta);
    double *cov = calloc(p ? p * p : 1, sizeof *cov);
    double *colmean = calloc(p ? p : 1, sizeof *colmean);
    rk_fit *fit = rk__fit_new("linear", p, err);
    if (!beta || !cov || !colmean || !fit) {
        st = fit ? rk_error_set(err, RK_ENOMEM, "out of memory") : RK_ENOMEM;
        goto done;
    }
    long aliased;
    st = rk__wls(d->X, n, p, d->weight, d->y, beta, cov, &aliased, err);
    if (st) {
        if (aliased >= 0 && d->colnames && d->terms)
            st = rk_error_set(err, RK_EINVAL,
                              "column '%s' is aliased (a linear combination of the columns "
                              "before it): remove the term '%s' or merge levels",
                              d->colnames[aliased], d->terms[aliased]);
        goto done;
    }
    double rss = 0, ybar = 0;
    for (size_t i = 0; i < n; i++)
        ybar += (d->weight ? d->weight[i] : 1.0) * d->y[i];
    ybar /= sw;
    double tss = 0;
    int has_int = rk__design_find(d, "(Intercept)") >= 0;
    for (size_t i = 0; i < n; i++) {
        double wi = d->weight ? d->weight[i] : 1.0;
        double fv = 0;
        for (size_t j = 0; j < p; j++) {
            fv += d->X[i * p + j] * beta[j];
            colmean[j] += wi * d->X[i * p + j];
        }
        double r = d->y[i] - fv;
        rss += wi * r * r;
        double c = has_int ? d->y[i] - ybar : d->y[i];
        tss += wi * c * c;
    }
    for (size_t j = 0; j < p; j++)
        colmean[j] /= sw;
    /* A perfect fit (constant response, or a response that is a covariate's copy) leaves residuals
     * at rounding level: standard errors, t and F would be rounding noise (R lm warns "essentially
     * perfect fit"; rctkit's t-test refuses constant data the same way). */
    double yy = 0;
    for (size_t i = 0; i < n; i++)
        yy += (d->weight ? d->weight[i] : 1.0) * d->y[i] * d->y[i];
    if (rss <= 4096.0 * DBL_EPSILON * DBL_EPSILON * yy) {
        st = rk_error_set(err, RK_EINVAL,
                          "the model fits the response exactly (no residual variation: is the "
                          "response constant, or determined by the covariates?); standard errors "
                          "and tests are undefined");
        goto done;
    }
    double df = sw - (double)p;
    double s2 = rss / df;
    for (size_t k = 0; k < p * p; k++)
        cov[k] *= s2;
    for (size_t j = 0; j < p; j++) {
        rk__fit_set_coef(fit, j, d->colnames ? d->colnames[j] : NULL, beta[j],
                         sqrt(cov[j * p + j]));
        rk__fit_wald_t(fit, j, conf_level, df);
    }
    snprintf(fit->convention, sizeof fit->convention,
             "least squares; t tests on n - p df; LS means at covariate means (SAS LSMEANS)");
    snprintf(fit->ci_method, sizeof fit->ci_method, "t");
    fit->n = (size_t)llround(sw);
    fit->n_dropped = d->n_dropped;
    fit->converged = 1;
    fit->iterations = 0;
    fit->log_likelihood = -0.5 * sw * (log(2.0 * M_PI * rss / sw) + 1.0);
    fit->deviance = -2.0 * fit->log_likelihood;
    double r2 = tss > 0 ? 1.0 - rss / tss : NAN;
    double dfm = (double)p - (has_int ? 1.0 : 0.0);
    double fstat = dfm > 0 ? ((tss - rss) / dfm) / s2 : NAN;
    double fp = dfm > 0 ? gsl_cdf_fdist_Q(fstat, dfm, df) : NAN;
    if ((st = rk__fit_add_extra(fit, "sigma", sqrt(s2), err)) ||
        (st = rk__fit_add_extra(fit, "r_squared", r2, err)) ||
        (st = rk__fit_add_extra(fit, "adj_r_squared",
                                1.0 - (1.0 - r2) * (sw - (has_int ? 1.0 : 0.0)) / df, err)) ||
        (st = rk__fit_add_extra(fit, "df_residual", df, err)) ||
        (st = rk__fit_add_extra(fit, "f_statistic", fstat, err)) ||
        (st = rk__fit_add_extra(fit, "f_p_value", fp, err)))
        goto done;
    st = add_lsmeans(d, group_term, beta, cov, colmean, fit, err);
    if (st) goto done;
    *out = fit;
    fit = NULL;
done:
    rk_fit_free(fit);
    free(beta);
    free(cov);
    free(colmean);
    return st;
}
