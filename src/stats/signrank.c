/* Wilcoxon signed-rank test: exact (ties too), asymptotic, Walsh-average estimate and CIs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "stats/htest.h"
#include "stats/signrank.h"

/* R's qsignrank compares the cumulative probability with p - 10 * DBL_EPSILON. */
#define RK__QSIGNRANK_FUZZ (10.0 * 2.220446049250313e-16)

static int64_t gcd_i64(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

rk_status rk__signrank_dist(const int64_t *scores, size_t n, double **prob, int64_t *total,
                            rk_error *err)
{
    *prob = NULL;
    *total = 0;
    int64_t tot = 0;
    for (size_t i = 0; i < n; i++) {
        if (scores[i] < 1)
            return rk_error_set(err, RK_EINTERNAL,
                                "signed-rank distribution: score %zu is %lld (must be >= 1)", i + 1,
                                (long long)scores[i]);
        if (scores[i] > INT64_MAX / 4 - tot)
            return rk_error_set(err, RK_ERANGE,
                                "exact signed-rank distribution: scores too large; use the "
                                "asymptotic method");
        tot += scores[i];
    }
    double work = (double)n * (double)tot;
    if (work > RK__SIGNRANK_EXACT_MAX_WORK || (uint64_t)tot >= SIZE_MAX / sizeof(double) - 1)
        return rk_error_set(err, RK_ERANGE,
                            "exact signed-rank distribution for n = %zu would need %.3g steps "
                            "(limit %.3g); use the asymptotic method",
                            n, work, RK__SIGNRANK_EXACT_MAX_WORK);
    double *p = calloc((size_t)tot + 1, sizeof *p);
    if (!p)
        return rk_error_set(err, RK_ENOMEM,
                            "out of memory for the exact signed-rank distribution (%lld cells)",
                            (long long)tot + 1);
    /* Add one score at a time: P'(s) = (P(s) + P(s - a)) / 2.  Halving keeps the
     * values probabilities (exact binary scaling, no 2^n overflow). */
    p[0] = 1.0;
    int64_t cur = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t a = scores[i];
        for (int64_t s = cur + a; s >= a; s--)
            p[s] = 0.5 * (p[s] + p[s - a]);
        for (int64_t s = (a - 1 < cur ? a - 1 : cur); s >= 0; s--)
            p[s] *= 0.5;
        cur += a;
    }
    *prob = p;
    *total = tot;
    return RK_OK;
}

/* P(S <= s) from the probabilities p[0..tot]; 0 for s < 0, 1 for s >= tot. */
static double dist_cdf(const double *p, int64_t tot, int64_t s)
{
    if (s < 0) return 0.0;
    if (s >= tot) return 1.0;
    double c = 0.0;
    for (int64_t i = 0; i <= s; i++)
        c += p[i];
    return c > 1.0 ? 1.0 : c;
}

/* P(S >= s). */
static double dist_upper(const double *p, int64_t tot, int64_t s)
{
    if (s <= 0) return 1.0;
    if (s > tot) return 0.0;
    double c = 0.0;
    for (int64_t i = tot; i >= s; i--)
        c += p[i];
    return c > 1.0 ? 1.0 : c;
}

/* Exact CI index: k = max(1, smallest integer q >= 0 with P(V <= q) >= a), R's
 * qsignrank rule, V = S * g / 2 on the midrank scale; *tail = P(V <= k - 1). */
static uint64_t exact_ci_index(const double *p, int64_t tot, int64_t g, double a, uint64_t big_m,
                               double *tail)
{
    uint64_t q = 0;
    double c = 0.0;
    int64_t upto = -1; /* c = P(S <= upto) */
    for (;; q++) {
        int64_t smax = (int64_t)((2 * q) / (uint64_t)g); /* V <= q  <=>  S <= floor(2q/g) */
        if (smax > tot) smax = tot;
        while (upto < smax)
            c += p[++upto];
        if (c >= a - RK__QSIGNRANK_FUZZ || upto >= tot || q >= big_m) break;
    }
    uint64_t k = q < 1 ? 1 : q;
    *tail = dist_cdf(p, tot, (int64_t)((2 * (k - 1)) / (uint64_t)g));
    return k;
}

/* The k-th smallest Walsh average of sorted v[0..m-1]. */
static rk_status walsh_at(const double *v, size_t m, uint64_t k, double *out, rk_error *err)
{
    return rk_walsh_select(v, m, k, out, err);
}

rk_status rk_wilcoxon_signed_rank(const double *x, const double *y, size_t n,
                                  const rk_wilcoxon_opts *o, rk_htest *res, rk_error *err)
{
    rk_wilcoxon_opts def;
    if (!o) {
        rk_wilcoxon_opts_init(&def);
        o = &def;
    }
    if (!x || !res)
        return rk_error_set(err, RK_EINVAL, "signed-rank test: x and the result must not be NULL");
    if (n == 0)
        return rk_error_set(err, RK_EINVAL, "signed-rank test: no observations (x is empty)");
    rk_status st = rk__check_finite(x, n, y ? "signed-rank test, x" : "signed-rank test", err);
    if (st) return st;
    if (y && (st = rk__check_finite(y, n, "signed-rank test, y", err))) return st;
    if (!isfinite(o->mu))
        return rk_error_set(err, RK_EINVAL, "signed-rank test: mu must be a finite number");
    if (o->alternative != RK_ALT_TWO_SIDED && o->alternative != RK_ALT_LESS &&
        o->alternative != RK_ALT_GREATER)
        return rk_error_set(err, RK_EINVAL, "signed-rank test: unknown alternative %d",
                            (int)o->alternative);
    if (o->method != RK_METHOD_AUTO && o->method != RK_METHOD_EXACT &&
        o->method != RK_METHOD_ASYMPTOTIC)
        return rk_error_set(err, RK_EINVAL, "signed-rank test: unknown method %d", (int)o->method);
    if (o->conf_int && (st = rk__check_conf_level(o->conf_level, err))) return st;
    rk__gsl_init();
    rk_htest_init(res);

    double *d = malloc(3 * n * sizeof *d);
    int64_t *scores = NULL;
    double *prob = NULL, *v = NULL;
    if (!d) return rk_error_set(err, RK_ENOMEM, "out of memory for %zu differences", n);
    double *absd = d + n, *ranks = d + 2 * n;
    size_t m = 0, nzero = 0;
    for (size_t i = 0; i < n; i++) {
        /* R's order of operations: (x - y) - mu, so ties and zeros match R bit for bit */
        double di = y ? (x[i] - y[i]) - o->mu : x[i] - o->mu;
        if (!isfinite(di)) {
            st = rk_error_set(err, RK_EINVAL,
                              "signed-rank test: difference %zu overflows (values too large)",
                              i + 1);
            goto done;
        }
        if (di == 0.0)
            nzero++;
        else
            d[m++] = di;
    }
    if (m == 0) {
        st = rk_error_set(err, RK_EINVAL,
                          "signed-rank test: all %zu differences equal mu = %g; zero differences "
                          "are dropped (as R does), so nothing is left to test",
                          n, o->mu);
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        absd[i] = fabs(d[i]);
    rk_ties ties;
    if ((st = rk_rank(absd, m, ranks, &ties, err))) goto done;
    double stat = 0.0;
    for (size_t i = 0; i < m; i++)
        if (d[i] > 0) stat += ranks[i];

    double nd = (double)m;
    double expected = nd * (nd + 1.0) / 4.0;
    double variance = nd * (nd + 1.0) * (2.0 * nd + 1.0) / 24.0 - ties.sum_t3_t / 48.0;
    double sigma = sqrt(variance);
    int exact;
    if (o->method == RK_METHOD_AUTO)
        exact = m < 50; /* R wilcox.test: exact when n < 50 (here also with ties) */
    else
        exact = o->method == RK_METHOD_EXACT;

    int64_t tot = 0, g = 0;
    rk_alternative alt = o->alternative;
    double pval;
    if (exact) {
        scores = malloc(m * sizeof *scores);
        if (!scores) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory for %zu scores", m);
            goto done;
        }
        for (size_t i = 0; i < m; i++) {
            scores[i] = (int64_t)llround(2.0 * ranks[i]); /* midranks are multiples of 1/2 */
            g = gcd_i64(scores[i], g);
        }
        for (size_t i = 0; i < m; i++)
            scores[i] /= g;
        if ((st = rk__signrank_dist(scores, m, &prob, &tot, err))) goto done;
        int64_t s_obs = llround(2.0 * stat) / g;
        double lower = dist_cdf(prob, tot, s_obs), upper = dist_upper(prob, tot, s_obs);
        if (alt == RK_ALT_LESS)
            pval = lower;
        else if (alt == RK_ALT_GREATER)
            pval = upper;
        else /* R: doubled tail on the side of the observed V; coin's |T| rule agrees (symmetric) */
            pval = fmin(1.0, 2.0 * (stat > expected ? upper : lower));
        snprintf(res->method, sizeof res->method, "Wilcoxon signed rank exact test%s",
                 ties.n_tie_groups ? " (conditional on ties)" : "");
    } else {
        double z0 = stat - expected, cc = 0.0;
        if (o->correct) /* R wilcox.test: continuity correction of 0.5 towards the mean */
            cc = alt == RK_ALT_TWO_SIDED ? 0.5 * (double)((z0 > 0) - (z0 < 0))
                                         : (alt == RK_ALT_GREATER ? 0.5 : -0.5);
        double z = (z0 - cc) / sigma;
        if (alt == RK_ALT_LESS)
            pval = gsl_cdf_ugaussian_P(z);
        else if (alt == RK_ALT_GREATER)
            pval = gsl_cdf_ugaussian_Q(z);
        else
            pval = 2.0 * fmin(gsl_cdf_ugaussian_P(z), gsl_cdf_ugaussian_Q(z));
        snprintf(res->method, sizeof res->method, "Wilcoxon signed rank test%s",
                 o->correct ? " with continuity correction" : "");
        rk_htest_add(res, "z", z);
    }
    snprintf(res->statistic_name, sizeof res->statistic_name, "V");
    res->statistic = stat;
    res->p_value = pval;
    res->alternative = alt;
    res->exact = exact;
    rk_htest_add(res, "n", nd);
    rk_htest_add(res, "n_zero", (double)nzero);
    rk_htest_add(res, "n_ties", (double)ties.n_tied);
    rk_htest_add(res, "expected", expected);
    rk_htest_add(res, "variance", variance);
    /* note: only conventions that affected this result */
    if (nzero)
        snprintf(res->note, sizeof res->note, "%zu zero difference%s dropped (R's rule)", nzero,
                 nzero == 1 ? "" : "s");
    if (exact && ties.n_tie_groups) {
        size_t len = strlen(res->note);
        snprintf(res->note + len, sizeof res->note - len,
                 "%sexact distribution conditional on the tied |differences| (as coin)",
                 len ? "; " : "");
    }

    if (o->conf_int) {
        v = malloc(m * sizeof *v);
        if (!v) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory for %zu values", m);
            goto done;
        }
        /* R computes the estimate and CI from the non-zero differences, shifted back by mu */
        for (size_t i = 0; i < m; i++)
            v[i] = d[i] + o->mu;
        qsort(v, m, sizeof *v, rk__cmp_double);
        uint64_t big_m = (uint64_t)m * ((uint64_t)m + 1) / 2;
        double est, w1, w2;
        if (big_m % 2) {
            if ((st = walsh_at(v, m, (big_m + 1) / 2, &est, err))) goto done;
        } else {
            if ((st = walsh_at(v, m, big_m / 2, &w1, err))) goto done;
            if ((st = walsh_at(v, m, big_m / 2 + 1, &w2, err))) goto done;
            est = 0.5 * (w1 + w2);
        }
        double alpha = 1.0 - o->conf_level;
        double a = alt == RK_ALT_TWO_SIDED ? alpha / 2.0 : alpha;
        uint64_t k;
        double tail;
        if (exact) {
            k = exact_ci_index(prob, tot, g, a, big_m, &tail);
        } else {
            /* normal approximation of P(V <= q), with the 0.5 continuity correction
             * when o->correct: k = ceil(E - cc + sigma * z_a), clamped to 1..M */
            double cc = o->correct ? 0.5 : 0.0;
            double kq = ceil((double)big_m / 2.0 - cc + sigma * gsl_cdf_ugaussian_Pinv(a));
            k = kq < 1.0 ? 1 : (kq > (double)big_m ? big_m : (uint64_t)kq);
            tail = gsl_cdf_ugaussian_P(((double)k - 1.0 + cc - expected) / sigma);
        }
        double achieved = alt == RK_ALT_TWO_SIDED ? 2.0 * tail : tail;
        double lo = -INFINITY, hi = INFINITY;
        if (alt != RK_ALT_LESS && (st = walsh_at(v, m, k, &lo, err))) goto done;
        if (alt != RK_ALT_GREATER && (st = walsh_at(v, m, big_m - k + 1, &hi, err))) goto done;
        snprintf(res->estimate_name, sizeof res->estimate_name, "(pseudo)median");
        res->estimate = est;
        res->conf_int[0] = lo;
        res->conf_int[1] = hi;
        res->conf_level = o->conf_level;
        rk_htest_add(res, "conf_achieved", 1.0 - achieved);
        if (achieved - alpha > alpha / 2.0) { /* R's "requested conf.level not achievable" */
            res->conf_level = 1.0 - achieved;
            size_t len = strlen(res->note);
            snprintf(res->note + len, sizeof res->note - len,
                     "%srequested conf level %g not achievable with n = %zu, reporting %.4g",
                     len ? "; " : "", o->conf_level, m, 1.0 - achieved);
        }
    }
    st = RK_OK;
done:
    free(d);
    free(scores);
    free(prob);
    free(v);
    return st;
}
