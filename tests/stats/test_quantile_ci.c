/* Tests for src/stats/quantile_ci.c: binomial order-statistic quantile CIs against R fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/stats.h"
#include "stats/quantile_ci.h"

#define MAX_FIELDS 16
#define MAX_VEC 1024

static int split_fields(char *line, char **f)
{
    int k = 0;
    char *p = line;
    f[k++] = p;
    for (; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            *p = '\0';
            break;
        }
        if (*p == '|' && k < MAX_FIELDS) {
            *p = '\0';
            f[k++] = p + 1;
        }
    }
    return k;
}

static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    assert_true(end != s);
    return v;
}

static size_t count(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    assert_true(end != s && v >= 0);
    return (size_t)v;
}

static size_t vec(const char *s, double *out)
{
    size_t n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        double v = strtod(p, &end);
        assert_true(end != p);
        assert_true(n < MAX_VEC);
        out[n++] = v;
        if (*end != ',') break;
        p = end + 1;
    }
    return n;
}

/* STATS-CONVENTIONS.md: the median rule gives (2,8), (6,15), (18,33), (40,61). */
static void test_median_reference(void **state)
{
    (void)state;
    const size_t n[] = {9, 20, 50, 100};
    const size_t l[] = {2, 6, 18, 40}, u[] = {8, 15, 33, 61};
    for (int i = 0; i < 4; i++) {
        size_t gl, gu;
        double cov;
        rk_error err;
        assert_int_equal(rk__quantile_ci_order(n[i], 0.5, 0.95, &gl, &gu, &cov, &err), RK_OK);
        assert_int_equal(gl, l[i]);
        assert_int_equal(gu, u[i]);
        assert_true(cov >= 0.95);
    }
}

/* n = 1..200, p in {0.1, 0.25, 0.5, 0.75, 0.9}, conf 0.90/0.95/0.99 (R qbinom,
 * pbinom) and data sets with estimates (R quantile type 2). */
static void test_fixture(void **state)
{
    (void)state;
    FILE *f = fopen(RK_FIXTURE_DIR "/quantile_ci.txt", "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    int nb = 0, nd = 0;
    static double x[MAX_VEC];
    while (getline(&line, &cap, f) > 0) {
        char *fl[MAX_FIELDS];
        int nf = split_fields(line, fl);
        rk_error err;
        if (!strcmp(fl[0], "qb")) {
            assert_int_equal(nf, 7);
            size_t n = count(fl[1]), l, u;
            double p = num(fl[2]), conf = num(fl[3]), cov;
            assert_int_equal(rk__quantile_ci_order(n, p, conf, &l, &u, &cov, &err), RK_OK);
            if (l != count(fl[4]) || u != count(fl[5]))
                fail_msg("n=%zu p=%g conf=%g: (%zu,%zu) want (%s,%s)", n, p, conf, l, u, fl[4],
                         fl[5]);
            /* GSL's binomial CDF (incomplete beta) vs R's pbinom: 1e-9 relative */
            double want = num(fl[6]);
            if (fabs(cov - want) > 1e-9 * want)
                fail_msg("n=%zu p=%g conf=%g: coverage %.17g want %.17g", n, p, conf, cov, want);
            assert_true(cov >= conf - 1e-12);
            nb++;
        } else {
            assert_string_equal(fl[0], "qd");
            assert_int_equal(nf, 10);
            double p = num(fl[1]), conf = num(fl[2]);
            size_t n = vec(fl[3], x);
            rk_quantile_ci q;
            assert_int_equal(rk_quantile_conf_int(x, n, p, conf, &q, &err), RK_OK);
            assert_true(q.estimate == num(fl[4]));
            assert_true(q.lower == num(fl[5]));
            assert_true(q.upper == num(fl[6]));
            assert_int_equal(q.l, count(fl[7]));
            assert_int_equal(q.u, count(fl[8]));
            assert_true(fabs(q.coverage - num(fl[9])) <= 1e-9 * num(fl[9]));
            nd++;
        }
    }
    free(line);
    fclose(f);
    assert_int_equal(nb, 200 * 5 * 3);
    assert_true(nd >= 30);
}

/* Too few observations: both bounds unattainable, not an error. */
static void test_small_n(void **state)
{
    (void)state;
    const double x[] = {3, 1, 2};
    rk_quantile_ci q;
    rk_error err;
    assert_int_equal(rk_quantile_conf_int(x, 3, 0.5, 0.95, &q, &err), RK_OK);
    assert_int_equal(q.l, 0);
    assert_int_equal(q.u, 4);
    assert_true(isinf(q.lower) && q.lower < 0);
    assert_true(isinf(q.upper) && q.upper > 0);
    assert_true(q.estimate == 2);
    assert_true(q.coverage == 1.0);
    /* p = 0.9, n = 10: the upper bound alone is unattainable */
    double y[10];
    for (int i = 0; i < 10; i++)
        y[i] = i + 1;
    assert_int_equal(rk_quantile_conf_int(y, 10, 0.9, 0.95, &q, &err), RK_OK);
    assert_int_equal(q.u, 11);
    assert_true(isinf(q.upper));
    assert_true(q.l >= 1 && q.lower == (double)q.l);
}

/* Coverage never falls below the level and the interval is ordered, for many n. */
static void test_coverage_property(void **state)
{
    (void)state;
    const double ps[] = {0.01, 0.05, 0.3, 0.5, 0.6, 0.95};
    const double cs[] = {0.5, 0.8, 0.95, 0.999};
    for (size_t n = 1; n <= 400; n += 7)
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 4; j++) {
                size_t l, u;
                double cov;
                rk_error err;
                assert_int_equal(rk__quantile_ci_order(n, ps[i], cs[j], &l, &u, &cov, &err), RK_OK);
                assert_true(l < u && u <= n + 1);
                assert_true(cov >= cs[j] - 1e-12 && cov <= 1.0 + 1e-15);
            }
    /* large n stays fast (binary search) */
    size_t l, u;
    double cov;
    assert_int_equal(rk__quantile_ci_order(1000000, 0.5, 0.95, &l, &u, &cov, NULL), RK_OK);
    assert_int_equal(l + u, 1000001);
    assert_true(cov >= 0.95 && cov < 0.951);
}

static void test_bad_input(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3, 4};
    const double bad[] = {1, NAN, 3, 4};
    rk_quantile_ci q;
    rk_error err;
    assert_int_equal(rk_quantile_conf_int(x, 0, 0.5, 0.95, &q, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(rk_quantile_conf_int(x, 4, 0.0, 0.95, &q, &err), RK_EINVAL);
    assert_int_equal(rk_quantile_conf_int(x, 4, 1.0, 0.95, &q, &err), RK_EINVAL);
    assert_int_equal(rk_quantile_conf_int(x, 4, NAN, 0.95, &q, &err), RK_EINVAL);
    assert_int_equal(rk_quantile_conf_int(x, 4, 0.5, 1.0, &q, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "confidence level"));
    assert_int_equal(rk_quantile_conf_int(bad, 4, 0.5, 0.95, &q, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_reference), cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_small_n),          cmocka_unit_test(test_coverage_property),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
