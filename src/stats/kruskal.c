/* Kruskal-Wallis rank-sum test for k independent samples, tie-corrected (as R's kruskal.test). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "stats/htest.h"

rk_status rk_kruskal_test(const double *x, const size_t *group, size_t n, size_t k, rk_htest *res,
                          rk_error *err)
{
    rk_htest_init(res);
    rk_status st;
    if ((st = rk__check_finite(x, n, "Kruskal-Wallis test", err))) return st;
    if (k < 2)
        return rk_error_set(err, RK_EINVAL, "Kruskal-Wallis test needs at least 2 groups (got %zu)",
                            k);
    for (size_t i = 0; i < n; i++)
        if (group[i] >= k)
            return rk_error_set(err, RK_EINVAL,
                                "Kruskal-Wallis test: observation %zu has group index %zu, "
                                "outside 0..%zu",
                                i + 1, group[i], k - 1);
    size_t *cnt = calloc(k, sizeof *cnt);
    double *rsum = calloc(k, sizeof *rsum);
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (!cnt || !rsum || !r) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for %zu observations", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        cnt[group[i]]++;
    for (size_t j = 0; j < k; j++)
        if (cnt[j] == 0) {
            st = rk_error_set(err, RK_EINVAL,
                              "Kruskal-Wallis test: group index %zu has no observations", j);
            goto done;
        }
    rk_ties ties;
    if ((st = rk_rank(x, n, r, &ties, err))) goto done;
    double dn = (double)n;
    /* tie correction 1 - sum(t^3 - t) / (n^3 - n); zero when all values tie */
    double corr = 1.0 - ties.sum_t3_t / (dn * dn * dn - dn);
    if (!(corr > 0.0)) {
        st = rk_error_set(err, RK_EINVAL,
                          "Kruskal-Wallis test: all %zu observations are equal, so the ranks "
                          "carry no information (R returns NaN)",
                          n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        rsum[group[i]] += r[i];
    double s = 0.0;
    for (size_t j = 0; j < k; j++)
        s += rsum[j] * rsum[j] / (double)cnt[j];
    /* H = (12 / (n (n + 1)) sum R_j^2 / n_j - 3 (n + 1)) / correction */
    double h = (12.0 * s / (dn * (dn + 1.0)) - 3.0 * (dn + 1.0)) / corr;
    if (h < 0.0) h = 0.0; /* rounding when all rank means are equal */
    double df = (double)(k - 1);
    rk__gsl_init();
    snprintf(res->method, sizeof res->method, "Kruskal-Wallis rank-sum test");
    snprintf(res->statistic_name, sizeof res->statistic_name, "H");
    res->statistic = h;
    res->p_value = gsl_cdf_chisq_Q(h, df);
    res->alternative = RK_ALT_NONE;
    res->exact = 0; /* chi-square approximation */
    rk_htest_add(res, "df", df);
    rk_htest_add(res, "n_tie_groups", (double)ties.n_tie_groups);
    if (ties.n_tie_groups > 0)
        snprintf(res->note, sizeof res->note,
                 "tie-corrected: H divided by 1 - sum(t^3 - t)/(n^3 - n) = %.6g", corr);
done:
    free(cnt);
    free(rsum);
    free(r);
    return st;
}
