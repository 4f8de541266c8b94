/* Binary logistic regression: IRLS as R glm, Wald and profile-likelihood CIs, separation checks. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "models/fit.h"
#include "models/frame.h"
#include "stats/htest.h"

/* Convergence: R glm's criterion |dev - dev_old| / (|dev| + 0.1) < eps, with
 * eps = 1e-10 (R's default is 1e-8; the tighter value makes the estimates agree
 * with a fully converged fit to ~1e-10 at the cost of about one more step). */
#define LOGIT_EPS 1e-10
#define LOGIT_MAXIT 50
/* A fitted probability within this of 0 or 1 means the fit is running off to
 * infinity: |eta| > 23 (R warns at 10 * DBL_EPSILON, which is later). */
#define LOGIT_MU_EPS 1e-10

typedef struct irls_out {
    double deviance;
    int iterations;
    int converged;
    int boundary;     /* some fitted probability within LOGIT_MU_EPS of 0 or 1 */
    double last_step; /* max_j |change of beta_j| / (1 + |beta_j|) in the last iteration */
} irls_out;

static double clamp_mu(double eta)
{
    /* R's binomial linkinv: thresholds at DBL_EPSILON */
    double mu = 1.0 / (1.0 + exp(-eta));
    if (mu < DBL_EPSILON) mu = DBL_EPSILON;
    if (mu > 1.0 - DBL_EPSILON) mu = 1.0 - DBL_EPSILON;
    return mu;
}

static double dev_of(const double *y, const double *w, const double *eta, size_t n)
{
    double dev = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0) continue;
        double mu = clamp_mu(eta[i]);
        dev += -2.0 * wi * (y[i] > 0.5 ? log(mu) : log1p(-mu));
    }
    return dev;
}

/* IRLS for logit(mu) = offset + X beta.  X is n x p row-major (p may be 0).
 * beta[p] out, cov[p*p] = (X'WX)^{-1} out (may be NULL).  Scratch allocated here. */
static rk_status irls(const double *X, size_t n, size_t p, const double *y, const double *w,
                      const double *offset, double *beta, double *cov, irls_out *res,
                      const rk_design *d, rk_error *err)
{
    rk_status st = RK_OK;
    double *eta = malloc(n * sizeof *eta);
    double *z = malloc(n * sizeof *z);
    double *wt = malloc(n * sizeof *wt);
    double *bnew = malloc((p ? p : 1) * sizeof *bnew);
    if (!eta || !z || !wt || !bnew) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory in logistic regression (n = %zu)", n);
        goto done;
    }
    for (size_t j = 0; j < p; j++)
        beta[j] = 0;
    /* R binomial initialize: mustart = (weights * y + 0.5) / (weights + 1) */
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        double mu = (wi * y[i] + 0.5) / (wi + 1.0);
        eta[i] = log(mu / (1.0 - mu));
    }
    double dev_old = dev_of(y, w, eta, n);
    res->converged = 0;
    res->iterations = 0;
    res->last_step = 0;
    for (int it = 1; it <= LOGIT_MAXIT; it++) {
        for (size_t i = 0; i < n; i++) {
            double mu = clamp_mu(eta[i]);
            double v = mu * (1.0 - mu);
            double off = offset ? offset[i] : 0.0;
            z[i] = eta[i] - off + (y[i] - mu) / v;
            wt[i] = (w ? w[i] : 1.0) * v;
        }
        long aliased = -1;
        if (p > 0) {
            st = rk__wls(X, n, p, wt, z, bnew, NULL, &aliased, err);
            if (st) {
                if (aliased >= 0 && d && d->colnames && d->terms)
                    st = rk_error_set(err, RK_EINVAL,
                                      "column '%s' is aliased (a linear combination of the "
                                      "columns before it, among observations with weight): "
                                      "remove the term '%s' or merge levels",
                                      d->colnames[aliased], d->terms[aliased]);
                goto done;
            }
        }
        /* step halving if the deviance is not finite or increases (as R glm.fit
         * does for non-finite deviance) */
        double dev = 0;
        for (int half = 0; half < 30; half++) {
            for (size_t i = 0; i < n; i++) {
                double e = offset ? offset[i] : 0.0;
                for (size_t j = 0; j < p; j++)
                    e += X[i * p + j] * bnew[j];
                eta[i] = e;
            }
            dev = dev_of(y, w, eta, n);
            if (isfinite(dev) && (it == 1 || dev <= dev_old * (1 + 1e-12) + 1e-12)) break;
            for (size_t j = 0; j < p; j++)
                bnew[j] = 0.5 * (bnew[j] + beta[j]);
        }
        res->last_step = 0;
        for (size_t j = 0; j < p; j++) {
            double step = fabs(bnew[j] - beta[j]) / (1.0 + fabs(bnew[j]));
            if (step > res->last_step) res->last_step = step;
        }
        memcpy(beta, bnew, p * sizeof *beta);
        res->iterations = it;
        if (fabs(dev - dev_old) / (fabs(dev) + 0.1) < LOGIT_EPS) {
            res->converged = 1;
            dev_old = dev;
            break;
        }
        dev_old = dev;
    }
    res->deviance = dev_old;
    res->boundary = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && w[i] == 0) continue;
        double mu = 1.0 / (1.0 + exp(-eta[i]));
        if (mu < LOGIT_MU_EPS || mu > 1.0 - LOGIT_MU_EPS) res->boundary = 1;
    }
    if (cov && p > 0) {
        for (size_t i = 0; i < n; i++) {
            double mu = clamp_mu(eta[i]);
            wt[i] = (w ? w[i] : 1.0) * mu * (1.0 - mu);
            z[i] = 0;
        }
        long aliased;
        st = rk__wls(X, n, p, wt, z, bnew, cov, &aliased, err);
    }
done:
    free(eta);
    free(z);
    free(wt);
    free(bnew);
    return st;
}

/* Quasi-complete separation by one categorical level: with an intercept, a level
 * (including the reference) whose observations all have the same outcome sends
 * the fit to infinity.  Returns 1 and writes a message. */
static int level_separation(const rk_design *d, char *msg, size_t len)
{
    size_t n = d->n, p = d->p;
    if (!d->ref_level || !d->terms || !d->colnames || !d->levels) return 0; /* hand-built design */
    for (size_t j = 0; j < p; j++) {
        if (!d->ref_level[j]) continue;
        int first_of_term = j == 0 || strcmp(d->terms[j - 1], d->terms[j]) != 0;
        /* each non-reference level column, and (once per term) the reference level */
        for (int ref = 0; ref <= first_of_term; ref++) {
            double cnt[2] = {0, 0};
            for (size_t i = 0; i < n; i++) {
                double wi = d->weight ? d->weight[i] : 1.0;
                if (wi == 0) continue;
                int in;
                if (ref) {
                    in = 1;
                    for (size_t k = j; k < p && strcmp(d->terms[k], d->terms[j]) == 0; k++)
                        if (d->X[i * p + k] != 0) in = 0;
                } else {
                    in = d->X[i * p + j] != 0;
                }
                if (in) cnt[d->y[i] > 0.5] += wi;
            }
            if (cnt[0] + cnt[1] > 0 && (cnt[0] == 0 || cnt[1] == 0)) {
                const char *lvl = ref ? d->ref_level[j] : d->colnames[j] + strlen(d->terms[j]);
                snprintf(msg, len,
                         "quasi-complete separation: every observation (%g) with %s = %s has %s = "
                         "%s, so the odds ratio for '%s' is infinite; use exact or Firth "
                         "logistic regression, or merge levels",
                         cnt[0] + cnt[1], d->terms[j], lvl, d->response,
                         d->levels[cnt[1] > 0 ? 1 : 0], d->terms[j]);
                return 1;
            }
        }
    }
    return 0;
}

typedef struct profile_ctx {
    const rk_design *d;
    const double *Xr; /* n x (p-1) without column j */
    size_t j;
    double dev_hat;
    double target; /* signed-root target z */
    double sign;
    double *beta_r;
    double *offset;
    rk_status st;
    rk_error *err;
    int failed;
} profile_ctx;

/* Signed root of the deviance difference at beta_j = b, minus the target. */
static double profile_fn(double b, void *vp)
{
    profile_ctx *c = vp;
    const rk_design *d = c->d;
    size_t n = d->n, p = d->p;
    for (size_t i = 0; i < n; i++)
        c->offset[i] = b * d->X[i * p + c->j];
    irls_out r;
    rk_status st =
        irls(c->Xr, n, p - 1, d->y, d->weight, c->offset, c->beta_r, NULL, &r, NULL, c->err);
    if (st || !r.converged) {
        c->failed = 1;
        if (st) c->st = st;
        return NAN;
    }
    double dd = r.deviance - c->dev_hat;
    if (dd < 0) dd = 0;
    return c->sign * sqrt(dd) - c->target;
}

/* Profile-likelihood limit on one side (side = -1 lower, +1 upper) for column j:
 * the b where sqrt(dev(b) - dev_hat) = z, found by bracketing from the estimate
 * in steps of the SE, then Brent's method to 1e-10 relative. */
static rk_status profile_limit(profile_ctx *c, double est, double se, double z, int side,
                               double *limit)
{
    c->sign = side;
    c->target = side * z;
    double lo = est, hi = est + side * z * se;
    double fhi = profile_fn(hi, c);
    int k = 0;
    while (!c->failed && side * fhi < 0 && k < 30) {
        lo = hi;
        hi = est + side * z * se * (1.0 + 0.5 * (k + 1)) * (k + 1);
        fhi = profile_fn(hi, c);
        k++;
    }
    if (c->failed || side * fhi < 0) {
        *limit = side * INFINITY;
        return RK_ENOCONV;
    }
    gsl_function F = {profile_fn, c};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    double a = side > 0 ? lo : hi, b = side > 0 ? hi : lo;
    if (gsl_root_fsolver_set(s, &F, a, b) != GSL_SUCCESS) {
        gsl_root_fsolver_free(s);
        *limit = NAN;
        return RK_ENOCONV;
    }
    int status = GSL_CONTINUE;
    for (int it = 0; it < 200 && status == GSL_CONTINUE; it++) {
        if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS || c->failed) break;
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                        1e-12, 1e-11);
    }
    *limit = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    return status == GSL_SUCCESS && !c->failed ? RK_OK : RK_ENOCONV;
}

static rk_status profile_cis(const rk_design *d, rk_fit *fit, double dev_hat, double conf_level,
                             rk_error *err)
{
    size_t n = d->n, p = d->p;
    rk_status st = RK_OK;
    size_t nxr = n * (p - 1);
    double *Xr = malloc((nxr > 0 ? nxr : 1) * sizeof *Xr);
    double *beta_r = malloc((p ? p : 1) * sizeof *beta_r);
    double *offset = malloc(n * sizeof *offset);
    if (!Xr || !beta_r || !offset) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for profile CIs");
        goto done;
    }
    double z = gsl_cdf_ugaussian_Qinv((1.0 - conf_level) / 2.0);
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0, m = 0; k < p; k++)
                if (k != j) Xr[i * (p - 1) + m++] = d->X[i * p + k];
        profile_ctx c = {d, Xr, j, dev_hat, 0, 0, beta_r, offset, RK_OK, err, 0};
        rk_coef *cf = &fit->coef[j];
        for (int side = -1; side <= 1; side += 2) {
            double lim = NAN;
            c.failed = 0;
            rk_status s = profile_limit(&c, cf->estimate, cf->std_error, z, side, &lim);
            if (c.st) {
                st = c.st;
                goto done;
            }
            if (s != RK_OK && s != RK_ENOCONV) {
                st = s;
                goto done;
            }
            if (s == RK_ENOCONV) {
                lim = NAN;
                rk__fit_note(fit, "profile-likelihood limit for '%s' could not be found", cf->term);
            }
            cf->conf_int[side < 0 ? 0 : 1] = lim;
        }
        cf->ratio_conf_int[0] = exp(cf->conf_int[0]);
        cf->ratio_conf_int[1] = exp(cf->conf_int[1]);
    }
done:
    free(Xr);
    free(beta_r);
    free(offset);
    return st;
}

rk_status rk_logistic_fit(const rk_design *d, double conf_level, rk_ci_method ci, rk_fit **out,
                          rk_error *err)
{
    if (!out) return rk_error_set(err, RK_EINVAL, "rk_logistic_fit: out is NULL");
    *out = NULL;
    if (!d) return rk_error_set(err, RK_EINVAL, "rk_logistic_fit: no design");
    rk_status st = rk__check_conf_level(conf_level, err);
    if (st) return st;
    if (ci != RK_CI_WALD && ci != RK_CI_PROFILE)
        return rk_error_set(err, RK_EINVAL, "unknown CI method %d", (int)ci);
    if (!d->y || d->n_levels != 2)
        return rk_error_set(err, RK_EINVAL,
                            "logistic regression needs an outcome with exactly 2 categories "
                            "('%s' has %zu)",
                            d->response ? d->response : "", d->n_levels);
    size_t n = d->n, p = d->p;
    /* names for messages (a hand-built design may lack them) */
    const char *resp = d->response && d->response[0] ? d->response : "y";
    const char *lev0 = d->levels ? d->levels[0] : "0", *lev1 = d->levels ? d->levels[1] : "1";
    st = rk__check_finite(d->X, n * p, "design matrix", err);
    if (st) return st;
    if (p == 0) return rk_error_set(err, RK_EINVAL, "the model has no coefficients");
    double sw = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = d->weight ? d->weight[i] : 1.0;
        sw += wi;
        sy += wi * d->y[i];
    }
    if (!(sw > 0)) return rk_error_set(err, RK_EINVAL, "all weights are zero");
    if (sy == 0 || sy == sw)
        return rk_error_set(err, RK_EINVAL, "all %g observations have %s = %s: nothing to model",
                            sw, resp, sy == 0 ? lev0 : lev1);
    char msg[RK_ERROR_MSG_MAX];
    if (rk__design_find(d, "(Intercept)") >= 0 && level_separation(d, msg, sizeof msg))
        return rk_error_set(err, RK_ENOCONV, "%s", msg);
    rk__gsl_init();
    double *beta = calloc(p, sizeof *beta);
    double *cov = calloc(p * p, sizeof *cov);
    rk_fit *fit = rk__fit_new("logistic", p, err);
    if (!beta || !cov || !fit) {
        st = fit ? rk_error_set(err, RK_ENOMEM, "out of memory") : RK_ENOMEM;
        goto done;
    }
    irls_out r;
    st = irls(d->X, n, p, d->y, d->weight, NULL, beta, cov, &r, d, err);
    if (st) goto done;
    /* Separation: fitted probabilities at 0/1 while the estimates are still
     * moving (a diverging direction; at a genuine optimum the last step is
     * ~1e-5 or less), or no convergence at all. */
    int separated = r.boundary && (r.last_step > 1e-3 || !r.converged);
    if (separated || !r.converged) {
        size_t jmax = 0;
        for (size_t j = 0; j < p; j++)
            if (fabs(beta[j]) > fabs(beta[jmax])) jmax = j;
        if (separated)
            st = rk_error_set(err, RK_ENOCONV,
                              "complete or quasi-complete separation: fitted probabilities "
                              "numerically 0 or 1 after %d iterations and the estimates diverge "
                              "(largest: '%s' = %.4g); the maximum-likelihood estimate does not "
                              "exist, use exact or Firth logistic regression",
                              r.iterations, d->colnames ? d->colnames[jmax] : "?", beta[jmax]);
        else
            st = rk_error_set(err, RK_ENOCONV,
                              "logistic regression did not converge in %d iterations "
                              "(relative deviance change tolerance %g)",
                              r.iterations, LOGIT_EPS);
        goto done;
    }
    for (size_t j = 0; j < p; j++) {
        rk__fit_set_coef(fit, j, d->colnames ? d->colnames[j] : NULL, beta[j],
                         sqrt(cov[j * p + j]));
        rk__fit_wald_z(fit, j, conf_level, 1);
    }
    snprintf(fit->convention, sizeof fit->convention,
             "logit P(%s = %s) = x'beta (R glm); odds ratio of '%s' vs '%s'", resp, lev1, lev1,
             lev0);
    snprintf(fit->ci_method, sizeof fit->ci_method, "%s", ci == RK_CI_PROFILE ? "profile" : "wald");
    fit->n = (size_t)llround(sw);
    fit->n_dropped = d->n_dropped;
    fit->converged = 1;
    fit->iterations = r.iterations;
    fit->deviance = r.deviance;
    fit->log_likelihood = -0.5 * r.deviance; /* 0/1 responses: saturated log-likelihood 0 */
    /* null model: intercept only (R: mu = weighted mean), or eta = 0 without one */
    int has_int = rk__design_find(d, "(Intercept)") >= 0;
    double mu0 = has_int ? sy / sw : 0.5;
    double null_dev = -2.0 * (sy * log(mu0) + (sw - sy) * log1p(-mu0));
    double lr = null_dev - r.deviance;
    double lr_df = (double)p - (has_int ? 1.0 : 0.0);
    if ((st = rk__fit_add_extra(fit, "null_deviance", null_dev, err)) ||
        (st = rk__fit_add_extra(fit, "lr_statistic", lr, err)) ||
        (st = rk__fit_add_extra(fit, "lr_df", lr_df, err)) ||
        (st = rk__fit_add_extra(fit, "lr_p_value",
                                lr_df > 0 ? gsl_cdf_chisq_Q(lr > 0 ? lr : 0, lr_df) : NAN, err)) ||
        (st = rk__fit_add_extra(fit, "aic", r.deviance + 2.0 * (double)p, err)))
        goto done;
    if (ci == RK_CI_PROFILE) {
        st = profile_cis(d, fit, r.deviance, conf_level, err);
        if (st) goto done;
    }
    *out = fit;
    fit = NULL;
done:
    rk_fit_free(fit);
    free(beta);
    free(cov);
    return st;
}
