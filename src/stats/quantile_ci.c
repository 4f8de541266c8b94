/* Distribution-free binomial order-statistic CIs for quantiles (Hahn & Meeker). */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "stats/htest.h"
#include "stats/quantile_ci.h"

/* R's qbinom: the target probability is multiplied by 1 - 64 * DBL_EPSILON
 * (left-continuity fuzz) before searching. */
#define RK__QBINOM_FUZZ (1.0 - 64.0 * DBL_EPSILON)

/* P(B <= k), B ~ Binomial(n, p); k may be negative or >= n. */
static double binom_cdf(long long k, unsigned n, double p)
{
    if (k < 0) return 0.0;
    if (k >= (long long)n) return 1.0;
    return gsl_cdf_binomial_P((unsigned)k, p, n);
}

/* P(B > k). */
static double binom_upper(long long k, unsigned n, double p)
{
    if (k < 0) return 1.0;
    if (k >= (long long)n) return 0.0;
    return gsl_cdf_binomial_Q((unsigned)k, p, n);
}

/* R's qbinom(prob, n, p): the smallest k in 0..n with P(B <= k) >= prob (fuzzed);
 * binary search, O(log n) CDF evaluations. */
static size_t binom_quantile(double prob, unsigned n, double p)
{
    double target = prob * RK__QBINOM_FUZZ;
    size_t lo = 0, hi = n; /* answer in [lo, hi]; P(B <= n) = 1 >= target */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (binom_cdf((long long)mid, n, p) >= target)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

rk_status rk__quantile_ci_order(size_t n, double p, double conf_level, size_t *l, size_t *u,
                                double *coverage, rk_error *err)
{
    if (n == 0)
        return rk_error_set(err, RK_EINVAL, "quantile confidence interval: the sample is empty");
    if (n > UINT_MAX)
        return rk_error_set(err, RK_ERANGE,
                            "quantile confidence interval: n = %zu is too large (max %u)", n,
                            UINT_MAX);
    if (!(p > 0.0 && p < 1.0))
        return rk_error_set(err, RK_EINVAL,
                            "quantile confidence interval: p = %g must be strictly between 0 and 1",
                            p);
    rk_status st = rk__check_conf_level(conf_level, err);
    if (st) return st;
    rk__gsl_init();
    unsigned nn = (unsigned)n;
    double alpha = 1.0 - conf_level;
    if (p == 0.5) {
        /* the symmetric median rule: k = qbinom(alpha/2, n, 0.5), (X(k), X(n-k+1)) */
        size_t k = binom_quantile(alpha / 2.0, nn, 0.5);
        if (k == 0) {
            *l = 0;
            *u = n + 1;
        } else {
            *l = k;
            *u = n - k + 1;
        }
    } else {
        /* equal tails: P(B < l) < alpha/2 and P(B >= u) <= alpha/2 */
        *l = binom_quantile(alpha / 2.0, nn, p);
        *u = binom_quantile(1.0 - alpha / 2.0, nn, p) + 1;
    }
    /* coverage = 1 - P(B <= l-1) - P(B > u-1), accurate near 1 */
    *coverage = 1.0 - binom_cdf((long long)*l - 1, nn, p) - binom_upper((long long)*u - 1, nn, p);
    return RK_OK;
}

rk_status rk_quantile_conf_int(const double *x, size_t n, double p, double conf_level,
                               rk_quantile_ci *out, rk_error *err)
{
    if (!out)
        return rk_error_set(err, RK_EINVAL,
                            "quantile confidence interval: result must not be NULL");
    if (n > 0 && !x)
        return rk_error_set(err, RK_EINVAL, "quantile confidence interval: x must not be NULL");
    rk_status st = rk__check_finite(x, n, "quantile confidence interval", err);
    if (st) return st;
    size_t l, u;
    double cov;
    if ((st = rk__quantile_ci_order(n, p, conf_level, &l, &u, &cov, err))) return st;
    double *s = rk__sorted_copy(x, n, err);
    if (!s) return RK_ENOMEM;
    double est;
    st = rk_quantile_sorted(s, n, p, RK_QUANTILE_DEFAULT, &est, err);
    if (!st) {
        out->estimate = est;
        out->l = l;
        out->u = u;
        out->lower = l == 0 ? -INFINITY : s[l - 1];
        out->upper = u == n + 1 ? INFINITY : s[u - 1];
        out->coverage = cov;
    }
    free(s);
    return st;
}
