/* Tests for src/stats/contingency.c: Pearson chi-square test against R 4.2.2 chisq.test. */
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

#define MAXF 16
#define MAXV 64

static int close_rel(double got, double want, double rel)
{
    return fabs(got - want) <= rel * fabs(want) + 1e-300;
}

#define CHECK_REL(got, want, rel, name)                                                            \
    do {                                                                                           \
        if (!close_rel((got), (want), (rel))) {                                                    \
            print_error("%s: %s = %.17g, R %.17g (rel tol %g)\n", name, #got, (double)(got),       \
                        (double)(want), (double)(rel));                                            \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static double parse_num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    assert_true(end != s);
    return v;
}

static size_t parse_counts(char *s, int64_t *out)
{
    size_t n = 0;
    char *p = s;
    while (*p) {
        char *end;
        long long v = strtoll(p, &end, 10);
        assert_true(end != p);
        assert_true(n < MAXV);
        out[n++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}

static size_t split(char *line, char **f)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    f[n++] = line;
    for (char *p = line; *p; p++)
        if (*p == '|' && n < MAXF) {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static void test_fixture(void **state)
{
    (void)state;
    FILE *fp = fopen(RK_FIXTURE_DIR "/contingency.txt", "r");
    assert_non_null(fp);
    char line[4096];
    char *f[MAXF];
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "chisq|", 6) != 0) continue;
        assert_int_equal(split(line, f), 10);
        size_t nr = strtoul(f[2], NULL, 10), nc = strtoul(f[3], NULL, 10);
        int64_t t[MAXV];
        assert_int_equal(parse_counts(f[4], t), nr * nc);
        int correct = f[5][0] == '1';
        rk_htest h;
        rk_error err;
        assert_int_equal(rk_chisq_test(t, nr, nc, correct, &h, &err), RK_OK);
        /* same floating-point formula as R: statistic to rounding */
        double want = parse_num(f[6]);
        if (want > 1e-8)
            CHECK_REL(h.statistic, want, 1e-11, f[1]);
        else
            assert_true(fabs(h.statistic) < 1e-8);
        /* GSL gamma_inc_Q vs R pchisq */
        if (want > 1e-8) CHECK_REL(h.p_value, parse_num(f[7]), 1e-9, f[1]);
        assert_true(rk_htest_get(&h, "df") == parse_num(f[8]));
        CHECK_REL(rk_htest_get(&h, "min_expected"), parse_num(f[9]), 1e-13, f[1]);
        assert_string_equal(h.statistic_name, "X-squared");
        n++;
    }
    fclose(fp);
    print_message("chi-square: %d R cases\n", n);
    assert_true(n >= 200);
}

static void test_yates_clamp(void **state)
{
    (void)state;
    rk_htest h;
    rk_error err;
    /* |O - E| = 3 - 36/13 = 0.23 < 0.5: R clamps the correction to 0.23, X^2 = 0 */
    const int64_t t[] = {3, 3, 3, 4};
    assert_int_equal(rk_chisq_test(t, 2, 2, 1, &h, &err), RK_OK);
    assert_true(fabs(h.statistic) < 1e-12);
    assert_true(fabs(h.p_value - 1.0) < 1e-12);
    assert_non_null(strstr(h.method, "Yates"));
    /* O == E: no correction at all, method says so (R) */
    const int64_t e[] = {5, 5, 5, 5};
    assert_int_equal(rk_chisq_test(e, 2, 2, 1, &h, &err), RK_OK);
    assert_null(strstr(h.method, "Yates"));
    assert_true(h.statistic == 0.0);
    /* uncorrected 2x2: n (ad - bc)^2 / (r1 r2 c1 c2) */
    const int64_t u[] = {12, 5, 7, 19};
    assert_int_equal(rk_chisq_test(u, 2, 2, 0, &h, &err), RK_OK);
    double want = 43.0 * pow(12.0 * 19 - 5.0 * 7, 2) / (17.0 * 26 * 19 * 24);
    assert_true(fabs(h.statistic - want) < 1e-12 * want);
    /* correction only applies to 2x2 (R) */
    const int64_t t23[] = {12, 5, 7, 19, 3, 8};
    rk_htest h2;
    assert_int_equal(rk_chisq_test(t23, 2, 3, 1, &h, &err), RK_OK);
    assert_int_equal(rk_chisq_test(t23, 2, 3, 0, &h2, &err), RK_OK);
    assert_true(h.statistic == h2.statistic);
    assert_true(rk_htest_get(&h, "df") == 2.0);
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_htest h;
    rk_error err;
    const int64_t neg[] = {3, -1, 1, 3};
    assert_int_equal(rk_chisq_test(neg, 2, 2, 1, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "row 1, column 2 is negative"));
    const int64_t zrow[] = {3, 1, 0, 0, 2, 2};
    assert_int_equal(rk_chisq_test(zrow, 3, 2, 1, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "row 2 has no observations"));
    const int64_t zcol[] = {3, 1, 0, 2, 1, 0};
    assert_int_equal(rk_chisq_test(zcol, 2, 3, 1, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "column 3 has no observations"));
    const int64_t one[] = {3, 1, 2};
    assert_int_equal(rk_chisq_test(one, 1, 3, 1, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2"));
    assert_int_equal(rk_chisq_test(NULL, 2, 2, 1, &h, &err), RK_EINVAL);
    const int64_t huge[] = {INT64_MAX, 1, 1, 1};
    assert_int_equal(rk_chisq_test(huge, 2, 2, 1, &h, &err), RK_ERANGE);
    assert_non_null(strstr(err.msg, "overflow"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_yates_clamp),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
