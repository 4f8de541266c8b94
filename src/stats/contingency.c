/* Pearson chi-square test of independence for r x c tables (R's chisq.test) and table checks. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "stats/contingency.h"
#include "stats/htest.h"

rk_status rk__table_margins(const int64_t *table, size_t nr, size_t nc, const char *what,
                            int64_t *row, int64_t *col, int64_t *total, rk_error *err)
{
    if (!table) return rk_error_set(err, RK_EINVAL, "%s: no table given", what);
    if (nr < 2 || nc < 2)
        return rk_error_set(err, RK_EINVAL,
                            "%s: the table has %zu row(s) and %zu column(s); at least 2 of each "
                            "are needed",
                            what, nr, nc);
    if (nr > SIZE_MAX / nc)
        return rk_error_set(err, RK_ERANGE, "%s: %zu x %zu table is too large", what, nr, nc);
    for (size_t j = 0; j < nc; j++)
        col[j] = 0;
    int64_t n = 0;
    for (size_t i = 0; i < nr; i++) {
        int64_t s = 0;
        for (size_t j = 0; j < nc; j++) {
            int64_t v = table[i * nc + j];
            if (v < 0)
                return rk_error_set(err, RK_EINVAL,
                                    "%s: count in row %zu, column %zu is negative (%lld)", what,
                                    i + 1, j + 1, (long long)v);
            if (v > INT64_MAX - s || v > INT64_MAX - col[j] || v > INT64_MAX - n)
                return rk_error_set(err, RK_ERANGE, "%s: the total count overflows 64 bits", what);
            s += v;
            col[j] += v;
            n += v;
        }
        row[i] = s;
    }
    for (size_t i = 0; i < nr; i++)
        if (row[i] == 0)
            return rk_error_set(err, RK_EINVAL,
                                "%s: row %zu has no observations (all counts are zero); drop the "
                                "empty row",
                                what, i + 1);
    for (size_t j = 0; j < nc; j++)
        if (col[j] == 0)
            return rk_error_set(err, RK_EINVAL,
                                "%s: column %zu has no observations (all counts are zero); drop "
                                "the empty column",
                                what, j + 1);
    *total = n;
    return RK_OK;
}

/* Pearson's X^2 = sum (|O - E| - Y)^2 / E with E = row * col / n and, for a
 * 2x2 table with `correct`, R's Yates term Y = min(0.5, min |O - E|); df =
 * (nr - 1)(nc - 1); p = P(chi2_df >= X^2).  Extras "df" and "min_expected". */
rk_status rk_chisq_test(const int64_t *table, size_t nr, size_t nc, int correct, rk_htest *res,
                        rk_error *err)
{
    if (!res) return rk_error_set(err, RK_EINVAL, "chi-square test: no result object given");
    rk_htest_init(res);
    if (nr < 2 || nc < 2 || !table)
        return rk__table_margins(table, nr, nc, "chi-square test", NULL, NULL, NULL, err);
    int64_t *row = malloc(nr * sizeof *row);
    int64_t *col = malloc(nc * sizeof *col);
    if (!row || !col) {
        free(row);
        free(col);
        return rk_error_set(err, RK_ENOMEM, "chi-square test: out of memory");
    }
    int64_t total = 0;
    rk_status st = rk__table_margins(table, nr, nc, "chi-square test", row, col, &total, err);
    if (st) {
        free(row);
        free(col);
        return st;
    }
    double n = (double)total;
    double min_e = INFINITY, yates = 0.0;
    int use_yates = correct && nr == 2 && nc == 2;
    if (use_yates) {
        /* R chisq.test: YATES <- min(0.5, abs(x - E)) over all four cells */
        yates = 0.5;
        for (size_t i = 0; i < 2; i++)
            for (size_t j = 0; j < 2; j++) {
                double e = (double)row[i] * (double)col[j] / n;
                double d = fabs((double)table[i * nc + j] - e);
                if (d < yates) yates = d;
            }
    }
    double stat = 0.0;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nc; j++) {
            double e = (double)row[i] * (double)col[j] / n;
            double d = fabs((double)table[i * nc + j] - e) - yates;
            stat += d * d / e;
            if (e < min_e) min_e = e;
        }
    free(row);
    free(col);
    double df = (double)(nr - 1) * (double)(nc - 1);
    rk__gsl_init();
    snprintf(res->method, sizeof res->method, "%s",
             use_yates && yates > 0 ? "Pearson's Chi-squared test with Yates' continuity correction"
                                    : "Pearson's Chi-squared test");
    snprintf(res->statistic_name, sizeof res->statistic_name, "X-squared");
    res->statistic = stat;
    res->p_value = gsl_cdf_chisq_Q(stat, df);
    res->alternative = RK_ALT_NONE;
    res->exact = 0;
    rk_htest_add(res, "df", df);
    rk_htest_add(res, "min_expected", min_e);
    if (min_e < 5.0)
        snprintf(res->note, sizeof res->note,
                 "smallest expected count %.3g < 5: the chi-square approximation may be poor "
                 "(consider Fisher's exact test)",
                 min_e);
    return RK_OK;
}
