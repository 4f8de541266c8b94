/* Descriptive statistics: R's nine sample-quantile types and the rk_describe summary. */
#include <math.h>
#include <stdlib.h>

#include "stats/describe.h"
#include "stats/htest.h"

double rk__mean(const double *x, size_t n)
{
    /* Two passes in long double, as R's mean(): the correction term removes
     * most of the rounding error of the first sum. */
    long double s = 0.0L;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    s /= (long double)n;
    if (!isfinite((double)s)) return (double)s;
    long double r = 0.0L;
    for (size_t i = 0; i < n; i++)
        r += x[i] - s;
    return (double)(s + r / (long double)n);
}

double rk__sum_sq_dev(const double *x, size_t n, double m)
{
    long double s = 0.0L; /* accumulated in long double, as R's var() */
    for (size_t i = 0; i < n; i++) {
        long double d = (long double)x[i] - m;
        s += d * d;
    }
    return (double)s;
}

/* x[k-1] for 1-based k clamped to 1..n: R pads the sorted data as
 * c(x[1], x[1], x, x[n], x[n]) so that j = 0 and j = n + 1 read the ends. */
static double order_stat(const double *x, size_t n, double k)
{
    if (k < 1.0) return x[0];
    if (k > (double)n) return x[n - 1];
    return x[(size_t)k - 1];
}

rk_status rk_quantile_sorted(const double *sorted, size_t n, double p, int type, double *out,
                             rk_error *err)
{
    if (n == 0) return rk_error_set(err, RK_EINVAL, "quantile of an empty sample is undefined");
    if (type < 1 || type > 9)
        return rk_error_set(err, RK_EINVAL, "quantile type %d is not one of R's types 1 to 9",
                            type);
    /* R quantile.default: probabilities within 100 * .Machine$double.eps of
     * [0, 1] are accepted and clamped. */
    const double eps = 100.0 * 2.220446049250313e-16;
    if (!(p >= -eps && p <= 1.0 + eps))
        return rk_error_set(err, RK_EINVAL, "probability %g is outside [0, 1]", p);
    if (p < 0.0) p = 0.0;
    if (p > 1.0) p = 1.0;
    rk_status st = rk__check_finite(sorted, n, "quantile", err);
    if (st) return st;
    const double *x = sorted;
    double dn = (double)n;

    if (type == 7) {
        /* R: index = 1 + (n - 1) p, linear between x[lo] and x[hi]. */
        double index = 1.0 + (dn - 1.0) * p;
        double lo = floor(index), hi = ceil(index);
        double q = x[(size_t)lo - 1];
        double xh = x[(size_t)hi - 1];
        if (index > lo && xh != q) {
            double h = index - lo;
            q = (1.0 - h) * q + h * xh;
        }
        *out = q;
        return RK_OK;
    }

    double j, h;
    if (type <= 3) {
        /* Discontinuous types; R 4.2.2 applies no fuzz here. */
        double nppm = type == 3 ? dn * p - 0.5 : dn * p;
        j = floor(nppm);
        if (type == 1)
            h = nppm > j ? 1.0 : 0.0;
        else if (type == 2)
            h = nppm > j ? 1.0 : 0.5; /* SAS QNTLDEF=5: average at exact order statistics */
        else
            h = (nppm != j || fmod(j, 2.0) != 0.0) ? 1.0 : 0.0;
    } else {
        /* Continuous types: R's plotting positions (a, b). */
        static const double ab[6][2] = {
            {0.0, 1.0},             /* 4: linear in the ECDF */
            {0.5, 0.5},             /* 5: piecewise linear, Hazen */
            {0.0, 0.0},             /* 6: Weibull, E[F(x_(k))] = k/(n+1) (SAS QNTLDEF=4) */
            {1.0, 1.0},             /* 7: not reached (handled above) */
            {1.0 / 3.0, 1.0 / 3.0}, /* 8: median-unbiased */
            {3.0 / 8.0, 3.0 / 8.0}, /* 9: Blom, normal-unbiased */
        };
        double a = ab[type - 4][0], b = ab[type - 4][1];
        /* R quantile.default: fuzz <- 4 * .Machine$double.eps */
        const double fuzz = 4.0 * 2.220446049250313e-16;
        double nppm = a + p * (dn + 1.0 - a - b);
        j = floor(nppm + fuzz);
        h = nppm - j;
        if (fabs(h) < fuzz) h = 0.0;
    }
    double lo = order_stat(x, n, j), hi = order_stat(x, n, j + 1.0);
    double q = lo;
    if (h == 1.0)
        q = hi;
    else if (h > 0.0 && h < 1.0 && lo != hi)
        q = (1.0 - h) * lo + h * hi;
    *out = q;
    return RK_OK;
}

rk_status rk_quantile(const double *x, size_t n, double p, int type, double *out, rk_error *err)
{
    if (n == 0) return rk_error_set(err, RK_EINVAL, "quantile of an empty sample is undefined");
    rk_status st = rk__check_finite(x, n, "quantile", err);
    if (st) return st;
    double *s = rk__sorted_copy(x, n, err);
    if (!s) return RK_ENOMEM;
    st = rk_quantile_sorted(s, n, p, type, out, err);
    free(s);
    return st;
}

rk_status rk_describe(const double *x, size_t n, int quantile_type, rk_summary *s, rk_error *err)
{
    s->n = 0;
    s->n_missing = 0;
    s->mean = s->sd = s->median = s->q1 = s->q3 = s->min = s->max = NAN;
    if (quantile_type < 1 || quantile_type > 9)
        return rk_error_set(err, RK_EINVAL, "quantile type %d is not one of R's types 1 to 9",
                            quantile_type);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            s->n_missing++;
        else if (isinf(x[i]))
            return rk_error_set(err, RK_EINVAL, "describe: value %zu is infinite; remove or fix it",
                                i + 1);
        else
            m++;
    }
    s->n = m;
    if (m == 0) return RK_OK;
    double *v = malloc(m * sizeof *v);
    if (!v) return rk_error_set(err, RK_ENOMEM, "out of memory summarising %zu values", m);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) v[k++] = x[i];
    /* moments in the input order (as R sums), quantiles from the sorted copy */
    s->mean = rk__mean(v, m);
    if (m >= 2) s->sd = sqrt(rk__sum_sq_dev(v, m, s->mean) / (double)(m - 1));
    qsort(v, m, sizeof *v, rk__cmp_double);
    s->min = v[0];
    s->max = v[m - 1];
    rk_status st = rk_quantile_sorted(v, m, 0.5, quantile_type, &s->median, err);
    if (!st) st = rk_quantile_sorted(v, m, 0.25, quantile_type, &s->q1, err);
    if (!st) st = rk_quantile_sorted(v, m, 0.75, quantile_type, &s->q3, err);
    free(v);
    return st;
}
