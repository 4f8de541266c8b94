/* Parametric tests: one- and two-sample t-tests (Student, Welch) and one-way ANOVA. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "stats/describe.h"
#include "stats/htest.h"
#include "stats/ttest.h"

/* Upper tail of t for t >= 0. */
static double pt_upper_pos(double t, double df)
{
    if (df >= 2000.0) {
        /* GSL's own t cdf is accurate (<= 1.4e-13 vs R) for df >= 2000, where the
         * incomplete-beta form below loses digits to the rounding of its argument. */
        return gsl_cdf_tdist_Q(t, df);
    }
    /* GSL's gsl_cdf_tdist_Q is only ~1e-8 relative in the far tails for
     * moderate df (df = 100, t = 20: 7.5e-9; t = 30: 5e-7), so use the incomplete
     * beta identities, as R's pt() does:
     *   P(T > t) = I_{df/(df+t^2)}(df/2, 1/2) / 2                (tail form)
     *   P(T > t) = (1 - I_{t^2/(df+t^2)}(1/2, df/2)) / 2         (central form)
     * The central form is used only for t < 0.5, where the tail is > 0.3 and
     * the subtraction loses nothing. */
    if (t < 0.5) {
        double t2 = t * t;
        return 0.5 * (1.0 - gsl_sf_beta_inc(0.5, 0.5 * df, t2 / (df + t2)));
    }
    return 0.5 * gsl_sf_beta_inc(0.5 * df, 0.5, 1.0 / (1.0 + (t / df) * t));
}

double rk__pt_upper(double t, double df)
{
    rk__gsl_init();
    if (t >= 0.0) return pt_upper_pos(t, df);
    return 1.0 - pt_upper_pos(-t, df);
}

/* P(T < t). */
static double pt_lower(double t, double df)
{
    return rk__pt_upper(-t, df);
}

rk_status rk_t_test(const double *x, size_t nx, const double *y, size_t ny, int welch,
                    rk_alternative alt, double mu, double conf_level, rk_htest *res, rk_error *err)
{
    rk_htest_init(res);
    rk_status st;
    if ((st = rk__check_conf_level(conf_level, err))) return st;
    if (!isfinite(mu)) return rk_error_set(err, RK_EINVAL, "t-test: mu must be finite, not %g", mu);
    if (alt != RK_ALT_TWO_SIDED && alt != RK_ALT_LESS && alt != RK_ALT_GREATER)
        return rk_error_set(err, RK_EINVAL, "t-test: unknown alternative %d", (int)alt);
    if ((st = rk__check_finite(x, nx, "t-test x", err))) return st;
    if (y && (st = rk__check_finite(y, ny, "t-test y", err))) return st;

    /* The eps factor in the "essentially constant" test is R's t.test:
     * stderr < 10 * .Machine$double.eps * max(|mean x|, |mean y|). */
    const double eps10 = 10.0 * DBL_EPSILON;
    double mx, my = NAN, se, df;
    if (!y) {
        if (nx < 2)
            return rk_error_set(err, RK_EINVAL,
                                "t-test: x needs at least 2 observations for a variance (has %zu)",
                                nx);
        mx = rk__mean(x, nx);
        double vx = rk__sum_sq_dev(x, nx, mx) / (double)(nx - 1);
        df = (double)(nx - 1);
        se = sqrt(vx / (double)nx);
        if (!(se >= eps10 * fabs(mx)) || se == 0.0)
            return rk_error_set(err, RK_EINVAL,
                                "t-test: data are essentially constant (all x equal to %g); "
                                "the t statistic is undefined",
                                mx);
        snprintf(res->method, sizeof res->method, "One Sample t-test");
        snprintf(res->estimate_name, sizeof res->estimate_name, "mean of x");
        res->estimate = mx;
    } else {
        size_t need = welch ? 2 : 1;
        if (nx < need || ny < need)
            return rk_error_set(err, RK_EINVAL,
                                "t-test: %s needs at least %zu observation%s in each group "
                                "(x has %zu, y has %zu)",
                                welch ? "Welch's test" : "Student's test", need,
                                need > 1 ? "s" : "", nx, ny);
        if (!welch && nx + ny < 3)
            return rk_error_set(err, RK_EINVAL,
                                "t-test: Student's test needs at least 3 observations in all "
                                "(x has %zu, y has %zu)",
                                nx, ny);
        mx = rk__mean(x, nx);
        my = rk__mean(y, ny);
        double ssx = nx > 1 ? rk__sum_sq_dev(x, nx, mx) : 0.0;
        double ssy = ny > 1 ? rk__sum_sq_dev(y, ny, my) : 0.0;
        if (welch) {
            double vx = ssx / (double)(nx - 1), vy = ssy / (double)(ny - 1);
            double sx2 = vx / (double)nx, sy2 = vy / (double)ny;
            se = sqrt(sx2 + sy2);
            /* Welch-Satterthwaite degrees of freedom */
            df =
                (se * se * se * se) / (sx2 * sx2 / (double)(nx - 1) + sy2 * sy2 / (double)(ny - 1));
        } else {
            df = (double)(nx + ny - 2);
            double v = (ssx + ssy) / df;
            se = sqrt(v * (1.0 / (double)nx + 1.0 / (double)ny));
        }
        if (!(se >= eps10 * fmax(fabs(mx), fabs(my))) || se == 0.0)
            return rk_error_set(err, RK_EINVAL,
                                "t-test: data are essentially constant (no variation within "
                                "the groups); the t statistic is undefined");
        snprintf(res->method, sizeof res->method, "%s",
                 welch ? "Welch Two Sample t-test" : "Two Sample t-test");
        snprintf(res->estimate_name, sizeof res->estimate_name, "difference in means");
        res->estimate = mx - my;
    }
    double tstat = (res->estimate - mu) / se;
    snprintf(res->statistic_name, sizeof res->statistic_name, "t");
    res->statistic = tstat;
    res->alternative = alt;
    res->exact = 0; /* "exact" marks exact null distributions; t is parametric */
    res->conf_level = conf_level;
    rk__gsl_init();
    /* R t.test: CI = mu + (t +- qt) * stderr, one-sided with an infinite bound */
    if (alt == RK_ALT_LESS) {
        res->p_value = pt_lower(tstat, df);
        res->conf_int[0] = -INFINITY;
        res->conf_int[1] = mu + (tstat + gsl_cdf_tdist_Pinv(conf_level, df)) * se;
    } else if (alt == RK_ALT_GREATER) {
        res->p_value = rk__pt_upper(tstat, df);
        res->conf_int[0] = mu + (tstat - gsl_cdf_tdist_Pinv(conf_level, df)) * se;
        res->conf_int[1] = INFINITY;
    } else {
        double p = 2.0 * rk__pt_upper(fabs(tstat), df);
        res->p_value = p > 1.0 ? 1.0 : p;
        double alpha = 1.0 - conf_level;
        double q = gsl_cdf_tdist_Pinv(1.0 - alpha / 2.0, df);
        res->conf_int[0] = mu + (tstat - q) * se;
        res->conf_int[1] = mu + (tstat + q) * se;
    }
    rk_htest_add(res, "df", df);
    rk_htest_add(res, "mean_x", mx);
    rk_htest_add(res, "mean_y", my);
    rk_htest_add(res, "std_error", se);
    rk_htest_add(res, "mu", mu);
    return RK_OK;
}

rk_status rk_anova_oneway(const double *x, const size_t *group, size_t n, size_t k, rk_htest *res,
                          rk_error *err)
{
    rk_htest_init(res);
    rk_status st;
    if ((st = rk__check_finite(x, n, "ANOVA", err))) return st;
    if (k < 2) return rk_error_set(err, RK_EINVAL, "ANOVA needs at least 2 groups (got %zu)", k);
    for (size_t i = 0; i < n; i++)
        if (group[i] >= k)
            return rk_error_set(err, RK_EINVAL,
                                "ANOVA: observation %zu has group index %zu, outside 0..%zu", i + 1,
                                group[i], k - 1);
    size_t *cnt = calloc(k, sizeof *cnt);
    double *mean = calloc(k, sizeof *mean);
    double *corr = calloc(k, sizeof *corr);
    if (!cnt || !mean || !corr) {
        free(cnt);
        free(mean);
        free(corr);
        return rk_error_set(err, RK_ENOMEM, "out of memory for %zu groups", k);
    }
    for (size_t i = 0; i < n; i++) {
        cnt[group[i]]++;
        mean[group[i]] += x[i];
    }
    st = RK_OK;
    for (size_t j = 0; j < k && !st; j++)
        if (cnt[j] == 0)
            st = rk_error_set(err, RK_EINVAL, "ANOVA: group index %zu has no observations", j);
    if (!st && n <= k)
        st = rk_error_set(err, RK_EINVAL,
                          "ANOVA needs more observations than groups (%zu observations, %zu "
                          "groups): no within-group degrees of freedom",
                          n, k);
    if (st) {
        free(cnt);
        free(mean);
        free(corr);
        return st;
    }
    /* two-pass group means: sum / n, then the mean residual as a correction */
    for (size_t j = 0; j < k; j++)
        mean[j] /= (double)cnt[j];
    for (size_t i = 0; i < n; i++)
        corr[group[i]] += x[i] - mean[group[i]];
    for (size_t j = 0; j < k; j++)
        mean[j] += corr[j] / (double)cnt[j];
    double grand = rk__mean(x, n);
    double ssw = 0.0, ssb = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean[group[i]];
        ssw += d * d;
    }
    for (size_t j = 0; j < k; j++) {
        double d = mean[j] - grand;
        ssb += (double)cnt[j] * d * d;
    }
    free(cnt);
    free(mean);
    free(corr);
    if (!(ssw > 0.0))
        return rk_error_set(err, RK_EINVAL,
                            "ANOVA: no variation within groups (every group is constant); the F "
                            "statistic is undefined");
    double df1 = (double)(k - 1), df2 = (double)(n - k);
    double F = (ssb / df1) / (ssw / df2);
    rk__gsl_init();
    snprintf(res->method, sizeof res->method, "One-way analysis of variance");
    snprintf(res->statistic_name, sizeof res->statistic_name, "F");
    res->statistic = F;
    res->p_value = gsl_cdf_fdist_Q(F, df1, df2);
    res->alternative = RK_ALT_NONE;
    res->exact = 0; /* "exact" marks exact null distributions; F is parametric */
    rk_htest_add(res, "df1", df1);
    rk_htest_add(res, "df2", df2);
    rk_htest_add(res, "ss_between", ssb);
    rk_htest_add(res, "ss_within", ssw);
    return RK_OK;
}
