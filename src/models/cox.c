/* Cox proportional hazards regression (Efron or Breslow ties) by Newton-Raphson, as R's coxph. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "models/cox.h"
#include "models/fit.h"
#include "models/survival.h"
#include "stats/htest.h"

void rk_cox_options_init(rk_cox_options *opt)
{
    opt->ties = RK_COX_EFRON; /* R coxph default */
    opt->conf_level = 0.95;
    opt->max_iter = 20;                       /* coxph.control iter.max */
    opt->eps = 1e-9;                          /* coxph.control eps */
    opt->toler_chol = 1.8189894035458617e-12; /* coxph.control: .Machine$double.eps^0.75 */
}

rk_status rk_cox_ties_parse(const char *s, rk_cox_ties *ties, rk_error *err)
{
    if (s && !strcmp(s, "efron"))
        *ties = RK_COX_EFRON;
    else if (s && !strcmp(s, "breslow"))
        *ties = RK_COX_BRESLOW;
    else
        return rk_error_set(err, RK_EINVAL, "unknown ties method '%s' (expected efron or breslow)",
                            s ? s : "(null)");
    return RK_OK;
}

/* work: 4p + 2p^2 doubles. */
double rk__cox_loglik(const double *time, const int *event, const double *X,
                      const unsigned char *stratum_end, size_t n, size_t p, const double *beta,
                      rk_cox_ties ties, double *u, double *imat, double *work)
{
    double *a = work, *a2 = a + p, *xbar = a2 + p, *cmat = xbar + p, *cmat2 = cmat + p * p;
    double loglik = 0;
    memset(u, 0, p * sizeof *u);
    memset(imat, 0, p * p * sizeof *imat);
    double denom = 0;
    /* Walk backwards: the risk set at time t is everyone with time >= t in the stratum. */
    for (size_t ii = n; ii > 0;) {
        size_t i = ii - 1;
        if (stratum_end[i]) {
            denom = 0;
            memset(a, 0, p * sizeof *a);
            memset(cmat, 0, p * p * sizeof *cmat);
        }
        double t = time[i];
        double ndead = 0, efron_wt = 0;
        memset(a2, 0, p * sizeof *a2);
        memset(cmat2, 0, p * p * sizeof *cmat2);
        size_t j = ii;
        while (j > 0 && time[j - 1] == t && (j == ii || !stratum_end[j - 1])) {
            size_t r = j - 1;
            const double *x = X + r * p;
            double eta = 0;
            for (size_t k = 0; k < p; k++)
                eta += x[k] * beta[k];
            double risk = exp(eta);
            denom += risk;
            for (size_t k = 0; k < p; k++) {
                a[k] += risk * x[k];
                for (size_t l = 0; l <= k; l++)
                    cmat[k * p + l] += risk * x[k] * x[l];
            }
            if (event[r]) {
                ndead++;
                efron_wt += risk;
                loglik += eta;
                for (size_t k = 0; k < p; k++) {
                    u[k] += x[k];
                    a2[k] += risk * x[k];
                    for (size_t l = 0; l <= k; l++)
                        cmat2[k * p + l] += risk * x[k] * x[l];
                }
            }
            j--;
        }
        ii = j;
        if (ndead == 0) continue;
        int nsteps = (ties == RK_COX_EFRON) ? (int)ndead : 1;
        double mult = (ties == RK_COX_EFRON) ? 1.0 : ndead;
        for (int m = 0; m < nsteps; m++) {
            /* Efron: the m-th of the tied deaths sees the risk set minus m/d of the dead */
            double frac = (ties == RK_COX_EFRON) ? m / ndead : 0.0;
            double d2 = denom - frac * efron_wt;
            loglik -= mult * log(d2);
            for (size_t k = 0; k < p; k++) {
                xbar[k] = (a[k] - frac * a2[k]) / d2;
                u[k] -= mult * xbar[k];
            }
            for (size_t k = 0; k < p; k++)
                for (size_t l = 0; l <= k; l++)
                    imat[k * p + l] += mult * ((cmat[k * p + l] - frac * cmat2[k * p + l]) / d2 -
                                               xbar[k] * xbar[l]);
        }
    }
    for (size_t k = 0; k < p; k++)
        for (size_t l = 0; l < k; l++)
            imat[l * p + k] = imat[k * p + l];
    return loglik;
}

/* LDL' Cholesky in place (lower triangle), as survival's cholesky2: a pivot
 * below toler * max|diag| marks the matrix singular.  Returns the index of the
 * first singular column, or p when the matrix is positive definite. */
static size_t chol_ldl(double *A, size_t p, double toler)
{
    double eps = 0;
    for (size_t i = 0; i < p; i++)
        if (fabs(A[i * p + i]) > eps) eps = fabs(A[i * p + i]);
    eps *= toler;
    for (size_t i = 0; i < p; i++) {
        double pivot = A[i * p + i];
        if (!(pivot > eps) || !isfinite(pivot)) return i;
        for (size_t j = i + 1; j < p; j++) {
            double temp = A[j * p + i] / pivot;
            A[j * p + i] = temp;
            A[j * p + j] -= temp * temp * pivot;
            for (size_t k = j + 1; k < p; k++)
                A[k * p + j] -= temp * A[k * p + i];
        }
    }
    return p;
}

/* Solve (L D L') x = b in place using chol_ldl's factor. */
static void chol_solve(const double *A, size_t p, double *b)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            b[i] -= A[i * p + j] * b[j];
    for (size_t i = p; i > 0; i--) {
        size_t r = i - 1;
        b[r] /= A[r * p + r];
        for (size_t j = r + 1; j < p; j++)
            b[r] -= A[j * p + r] * b[j];
    }
}

/* Inverse of the matrix factored by chol_ldl into inv (full symmetric). */
static void chol_inverse(const double *A, size_t p, double *inv, double *col)
{
    for (size_t c = 0; c < p; c++) {
        for (size_t i = 0; i < p; i++)
            col[i] = (i == c);
        chol_solve(A, p, col);
        for (size_t i = 0; i < p; i++)
            inv[i * p + c] = col[i];
    }
}

typedef struct {
    double time;
    size_t stratum, row;
} cox_key;

static int cmp_cox(const void *a, const void *b)
{
    const cox_key *x = a, *y = b;
    if (x->stratum != y->stratum) return (x->stratum > y->stratum) - (x->stratum < y->stratum);
    if (x->time != y->time) return (x->time > y->time) - (x->time < y->time);
    return (x->row > y->row) - (x->row < y->row);
}

rk_status rk_cox_fit(const double *time, const int *event, const double *X, size_t n, size_t p,
                     const char *const *names, const size_t *strata, const rk_cox_options *opt,
                     rk_fit **out, rk_error *err)
{
    const char *what = "Cox model";
    if (!out) return rk_error_set(err, RK_EINVAL, "%s: output pointer is NULL", what);
    *out = NULL;
    rk_cox_options defaults;
    if (!opt) {
        rk_cox_options_init(&defaults);
        opt = &defaults;
    }
    rk_status st;
    if ((st = rk__surv_check(time, event, n, what, err))) return st;
    if (p == 0) return rk_error_set(err, RK_EINVAL, "%s: no covariates", what);
    if (!X) return rk_error_set(err, RK_EINVAL, "%s: covariate matrix is NULL", what);
    if ((st = rk__check_finite(X, n * p, "Cox model covariates", err))) return st;
    if ((st = rk__check_conf_level(opt->conf_level, err))) return st;
    if (opt->ties != RK_COX_EFRON && opt->ties != RK_COX_BRESLOW)
        return rk_error_set(err, RK_EINVAL, "%s: unknown ties method %d", what, (int)opt->ties);
    if (opt->max_iter < 1 || !(opt->eps > 0) || !(opt->toler_chol > 0))
        return rk_error_set(err, RK_EINVAL, "%s: max_iter must be >= 1 and eps, toler_chol > 0",
                            what);
    double nev = 0;
    for (size_t i = 0; i < n; i++)
        nev += event[i];
    if (nev == 0)
        return rk_error_set(err, RK_EINVAL, "%s: there are no events, so nothing can be estimated",
                            what);
    rk__gsl_init();

    rk_fit *fit = NULL;
    cox_key *key = malloc(n * sizeof *key);
    double *st_time = malloc(n * sizeof *st_time);
    int *st_event = malloc(n * sizeof *st_event);
    unsigned char *send = malloc(n);
    double *Xs = malloc(n * p * sizeof *Xs);
    double *mem = malloc((8 * p + 4 * p * p) * sizeof *mem);
    if (!key || !st_time || !st_event || !send || !Xs || !mem) {
        st = rk_error_set(err, RK_ENOMEM, "%s: out of memory for %zu observations", what, n);
        goto done;
    }
    double *beta = mem, *newbeta = beta + p, *u = newbeta + p, *step = u + p, *imat = step + p,
           *work = imat + p * p; /* work: 4p + 2p^2 (loglik) then inverse */
    for (size_t i = 0; i < n; i++)
        key[i] = (cox_key){time[i], strata ? strata[i] : 0, i};
    qsort(key, n, sizeof *key, cmp_cox);
    /* center covariates (coxph does too); the partial likelihood is unchanged */
    for (size_t k = 0; k < p; k++) {
        double mean = 0;
        for (size_t i = 0; i < n; i++)
            mean += X[i * p + k];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            Xs[i * p + k] = X[key[i].row * p + k] - mean;
    }
    for (size_t i = 0; i < n; i++) {
        st_time[i] = key[i].time;
        st_event[i] = event[key[i].row];
        send[i] = (i + 1 == n) || key[i + 1].stratum != key[i].stratum;
    }

    /* Newton-Raphson as survival's coxfit6.c: start at 0, step halving when
     * the log partial likelihood decreases, stop when |1 - old/new| <= eps. */
    memset(beta, 0, p * sizeof *beta);
    double loglik0 =
        rk__cox_loglik(st_time, st_event, Xs, send, n, p, beta, opt->ties, u, imat, work);
    size_t sing = chol_ldl(imat, p, opt->toler_chol);
    if (sing < p) {
        st = rk_error_set(err, RK_EINVAL,
                          "%s: covariate '%s' is constant or collinear with the others", what,
                          names ? names[sing] : "?");
        goto done;
    }
    memcpy(step, u, p * sizeof *u);
    chol_solve(imat, p, step);
    double score = 0;
    for (size_t k = 0; k < p; k++) {
        score += u[k] * step[k];
        newbeta[k] = beta[k] + step[k];
    }
    double oldlk = loglik0, newlk = loglik0;
    int halving = 0, converged = 0, iter;
    for (iter = 1; iter <= opt->max_iter; iter++) {
        newlk =
            rk__cox_loglik(st_time, st_event, Xs, send, n, p, newbeta, opt->ties, u, imat, work);
        sing = chol_ldl(imat, p, opt->toler_chol);
        if (sing < p) {
            st = rk_error_set(err, RK_EINVAL,
                              "%s: covariate '%s' is collinear with the others (information "
                              "matrix singular at iteration %d)",
                              what, names ? names[sing] : "?", iter);
            goto done;
        }
        if (fabs(1.0 - oldlk / newlk) <= opt->eps && !halving) {
            converged = 1;
            break;
        }
        if (iter == opt->max_iter) break;
        if (!(newlk >= oldlk)) { /* not improving (or NaN): halve the step */
            halving = 1;
            for (size_t k = 0; k < p; k++)
                newbeta[k] = (newbeta[k] + beta[k]) / 2.0;
        } else {
            halving = 0;
            oldlk = newlk;
            memcpy(step, u, p * sizeof *u);
            chol_solve(imat, p, step);
            for (size_t k = 0; k < p; k++) {
                beta[k] = newbeta[k];
                newbeta[k] += step[k];
            }
        }
    }
    if (!converged) {
        st = rk_error_set(err, RK_ENOCONV,
                          "%s: Newton-Raphson did not converge in %d iterations (a hazard ratio "
                          "may be 0 or infinite, e.g. no events in one arm)",
                          what, opt->max_iter);
        goto done;
    }
    double *var = work, *col = work + p * p;
    chol_inverse(imat, p, var, col);
    /* R coxph.fit: a coefficient whose score still moves it (|u'V| > eps and
     * > sqrt(eps) |beta|) is drifting to infinity (monotone likelihood). */
    for (size_t k = 0; k < p; k++) {
        double infs = 0;
        for (size_t l = 0; l < p; l++)
            infs += u[l] * var[l * p + k];
        infs = fabs(infs);
        if (!isfinite(u[k]) || (infs > opt->eps && infs > sqrt(opt->eps) * fabs(newbeta[k]))) {
            st = rk_error_set(err, RK_ENOCONV,
                              "%s: the log partial likelihood converged before covariate '%s'; "
                              "its hazard ratio is 0 or infinite (monotone likelihood: e.g. "
                              "no events in one arm)",
                              what, names ? names[k] : "?");
            goto done;
        }
    }
    fit = rk__fit_new("cox", p, err);
    if (!fit) {
        st = RK_ENOMEM;
        goto done;
    }
    snprintf(fit->convention, sizeof fit->convention,
             "R survival::coxph: log hazard ratio per unit of the covariate, %s ties",
             opt->ties == RK_COX_EFRON ? "Efron" : "Breslow");
    snprintf(fit->ci_method, sizeof fit->ci_method, "wald");
    fit->n = n;
    fit->converged = 1;
    fit->iterations = iter;
    fit->log_likelihood = newlk;
    fit->deviance = -2.0 * newlk;
    char buf[32];
    double wald = 0;
    for (size_t k = 0; k < p; k++) {
        const char *nm = names ? names[k] : NULL;
        if (!nm) {
            snprintf(buf, sizeof buf, "x%zu", k + 1);
            nm = buf;
        }
        rk__fit_set_coef(fit, k, nm, newbeta[k], sqrt(var[k * p + k]));
        rk__fit_wald_z(fit, k, opt->conf_level, 1);
    }
    /* Wald test b' V^-1 b; imat still holds the LDL' factor of the information */
    /* information = L D L': b' I b = sum_i D_i (L' b)_i^2 */
    for (size_t i = 0; i < p; i++) {
        double lb = newbeta[i];
        for (size_t j = i + 1; j < p; j++)
            lb += imat[j * p + i] * newbeta[j];
        wald += imat[i * p + i] * lb * lb;
    }
    double df = (double)p, lr = 2.0 * (newlk - loglik0);
    struct {
        const char *name;
        double value;
    } ex[] = {
        {"loglik_null", loglik0},
        {"lr_statistic", lr},
        {"lr_df", df},
        {"lr_p_value", gsl_cdf_chisq_Q(lr, df)},
        {"wald_statistic", wald},
        {"wald_df", df},
        {"wald_p_value", gsl_cdf_chisq_Q(wald, df)},
        {"score_statistic", score},
        {"score_df", df},
        {"score_p_value", gsl_cdf_chisq_Q(score, df)},
        {"n_events", nev},
    };
    for (size_t e = 0; e < sizeof ex / sizeof ex[0]; e++)
        if ((st = rk__fit_add_extra(fit, ex[e].name, ex[e].value, err))) goto done;
    rk__fit_note(fit, "%.0f events; Newton-Raphson converged in %d iterations (coxph eps %g)", nev,
                 iter, opt->eps);
    *out = fit;
    fit = NULL;
    st = RK_OK;
done:
    rk_fit_free(fit);
    free(key);
    free(st_time);
    free(st_event);
    free(send);
    free(Xs);
    free(mem);
    return st;
}
