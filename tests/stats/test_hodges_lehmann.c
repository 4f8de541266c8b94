/* Tests for src/stats/hodges_lehmann.c: exact selection of pairwise differences
 * and Walsh averages against brute force, and the Hodges-Lehmann shift. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/stats.h"

/* Deterministic test data (xorshift64*). */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static double unif(uint64_t *s) { return (double)(rnd(s) >> 11) / 9007199254740992.0; }

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* n values: kind 0 continuous (may be negative), 1 heavy ties (few integers),
 * 2 all equal, 3 rounded to 1 decimal. */
static void gen(uint64_t *s, double *v, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        double u = unif(s) * 20.0 - 8.0;
        switch (kind) {
        case 1: v[i] = floor(unif(s) * 4.0) - 1.0; break;
        case 2: v[i] = 3.5; break;
        case 3: v[i] = round(u * 10.0) / 10.0; break;
        default: v[i] = u; break;
        }
    }
    qsort(v, n, sizeof *v, cmp);
}

static void test_diff_select_brute_force(void **state)
{
    (void)state;
    uint64_t s = 88172645463325252ull;
    double x[40], y[40], d[1600];
    rk_error err;
    for (int rep = 0; rep < 400; rep++) {
        size_t nx = 1 + rnd(&s) % (rep < 100 ? 5 : 40), ny = 1 + rnd(&s) % (rep < 100 ? 5 : 40);
        int kind = (int)(rnd(&s) % 4);
        gen(&s, x, nx, kind);
        gen(&s, y, ny, (int)(rnd(&s) % 4));
        size_t w = 0;
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < ny; j++) d[w++] = x[i] - y[j];
        qsort(d, w, sizeof *d, cmp);
        for (size_t k = 1; k <= w; k += (w > 50 ? 1 + rnd(&s) % 37 : 1)) {
            double v = NAN;
            assert_int_equal(rk_pairwise_diff_select(x, nx, y, ny, k, &v, &err), RK_OK);
            assert_true(v == d[k - 1]);
        }
        double v = NAN;
        assert_int_equal(rk_pairwise_diff_select(x, nx, y, ny, w, &v, &err), RK_OK);
        assert_true(v == d[w - 1]);
    }
}

/* Large enough that the pivoting phase (not just the final quickselect) runs. */
static void test_diff_select_large(void **state)
{
    (void)state;
    uint64_t s = 1234567ull;
    size_t nx = 700, ny = 500;
    double *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
    double *d = malloc(nx * ny * sizeof *d);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(d);
    rk_error err;
    for (int kind = 0; kind < 4; kind++) {
        gen(&s, x, nx, kind);
        gen(&s, y, ny, kind == 2 ? 1 : kind);
        size_t w = 0;
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < ny; j++) d[w++] = x[i] - y[j];
        qsort(d, w, sizeof *d, cmp);
        for (int r = 0; r < 60; r++) {
            uint64_t k = r == 0 ? 1 : r == 1 ? w : 1 + rnd(&s) % w;
            double v = NAN;
            assert_int_equal(rk_pairwise_diff_select(x, nx, y, ny, k, &v, &err), RK_OK);
            assert_true(v == d[k - 1]);
        }
    }
    free(x);
    free(y);
    free(d);
}

/* Big enough for the sampled two-pivot steps, with all-equal and heavily tied data
 * (a stall there must fall back to single random pivots). */
static void test_diff_select_sampled_ties(void **state)
{
    (void)state;
    uint64_t s = 31337ull;
    size_t nx = 900, ny = 800;
    double *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
    double *d = malloc(nx * ny * sizeof *d);
    assert_non_null(x);
    assert_non_null(y);
    assert_non_null(d);
    rk_error err;
    const int kinds[][2] = {{2, 2}, {1, 1}, {1, 2}, {3, 0}};
    for (int c = 0; c < 4; c++) {
        gen(&s, x, nx, kinds[c][0]);
        gen(&s, y, ny, kinds[c][1]);
        size_t w = 0;
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < ny; j++) d[w++] = x[i] - y[j];
        qsort(d, w, sizeof *d, cmp);
        for (int r = 0; r < 12; r++) {
            uint64_t k = r == 0 ? 1 : r == 1 ? w : r == 2 ? w / 2 : 1 + rnd(&s) % w;
            double v = NAN;
            assert_int_equal(rk_pairwise_diff_select(x, nx, y, ny, k, &v, &err), RK_OK);
            assert_true(v == d[k - 1]);
        }
    }
    free(x);
    free(y);
    free(d);
}

static void test_walsh_select_brute_force(void **state)
{
    (void)state;
    uint64_t s = 0xfeedbeefull;
    double x[60], d[1830];
    rk_error err;
    for (int rep = 0; rep < 400; rep++) {
        size_t n = 1 + rnd(&s) % (rep < 100 ? 5 : 60);
        gen(&s, x, n, (int)(rnd(&s) % 4));
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) d[w++] = (x[i] + x[j]) / 2;
        qsort(d, w, sizeof *d, cmp);
        for (size_t k = 1; k <= w; k += (w > 60 ? 1 + rnd(&s) % 23 : 1)) {
            double v = NAN;
            assert_int_equal(rk_walsh_select(x, n, k, &v, &err), RK_OK);
            assert_true(v == d[k - 1]);
        }
    }
}

static void test_walsh_select_large(void **state)
{
    (void)state;
    uint64_t s = 777ull;
    size_t n = 1500, w = n * (n + 1) / 2;
    double *x = malloc(n * sizeof *x), *d = malloc(w * sizeof *d);
    assert_non_null(x);
    assert_non_null(d);
    rk_error err;
    for (int kind = 0; kind < 4; kind++) {
        gen(&s, x, n, kind);
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) d[c++] = (x[i] + x[j]) / 2;
        qsort(d, w, sizeof *d, cmp);
        for (int r = 0; r < 40; r++) {
            uint64_t k = r == 0 ? 1 : r == 1 ? w : 1 + rnd(&s) % w;
            double v = NAN;
            assert_int_equal(rk_walsh_select(x, n, k, &v, &err), RK_OK);
            assert_true(v == d[k - 1]);
        }
    }
    free(x);
    free(d);
}

static void test_hl_shift_brute_force(void **state)
{
    (void)state;
    uint64_t s = 42ull;
    double x[30], y[30], d[900];
    rk_error err;
    for (int rep = 0; rep < 300; rep++) {
        size_t nx = 1 + rnd(&s) % 30, ny = 1 + rnd(&s) % 30;
        gen(&s, x, nx, (int)(rnd(&s) % 4));
        gen(&s, y, ny, (int)(rnd(&s) % 4));
        /* the function takes unsorted input: reverse x */
        for (size_t i = 0; i < nx / 2; i++) {
            double t = x[i];
            x[i] = x[nx - 1 - i];
            x[nx - 1 - i] = t;
        }
        size_t w = 0;
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < ny; j++) d[w++] = x[i] - y[j];
        qsort(d, w, sizeof *d, cmp);
        double want = w % 2 ? d[w / 2] : (d[w / 2 - 1] + d[w / 2]) / 2;
        double est = NAN;
        assert_int_equal(rk_hodges_lehmann_shift(x, nx, y, ny, &est, &err), RK_OK);
        assert_true(est == want);
    }
}

static void test_hl_reference_values(void **state)
{
    (void)state;
    rk_error err;
    double est;
    /* STATS-CONVENTIONS.md: x2/y2, true HL median 0.305 (R's uniroot says 0.3025083) */
    const double x2[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const double y2[] = {1.15, 0.88, 0.90, 0.74, 1.21};
    assert_int_equal(rk_hodges_lehmann_shift(x2, 10, y2, 5, &est, &err), RK_OK);
    assert_true(fabs(est - 0.305) < 1e-12);
    /* SAS React example: HL shift of Stim 2 relative to Stim 1 is 0.35 */
    const double s1[] = {1.94, 1.94, 2.92, 2.92, 2.92, 2.92, 3.27, 3.27, 3.27, 3.27, 3.70, 3.70, 3.74};
    const double s2[] = {3.27, 3.27, 3.27, 3.70, 3.70, 3.74};
    assert_int_equal(rk_hodges_lehmann_shift(s2, 6, s1, 13, &est, &err), RK_OK);
    assert_true(fabs(est - 0.35) < 1e-12);
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_error err;
    double v;
    const double x[] = {1, 2, 3}, bad[] = {1, NAN, 3}, unsorted[] = {3, 1, 2};
    assert_int_equal(rk_pairwise_diff_select(x, 0, x, 3, 1, &v, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(rk_pairwise_diff_select(x, 3, x, 3, 0, &v, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "outside 1..9"));
    assert_int_equal(rk_pairwise_diff_select(x, 3, x, 3, 10, &v, &err), RK_EINVAL);
    assert_int_equal(rk_pairwise_diff_select(x, 3, bad, 3, 1, &v, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));
    assert_int_equal(rk_pairwise_diff_select(unsorted, 3, x, 3, 1, &v, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "sorted"));
    assert_int_equal(rk_walsh_select(x, 0, 1, &v, &err), RK_EINVAL);
    assert_int_equal(rk_walsh_select(x, 3, 7, &v, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "outside 1..6"));
    assert_int_equal(rk_walsh_select(x, 3, 6, &v, &err), RK_OK);
    assert_true(v == 3);
    const double inf[] = {1, INFINITY};
    assert_int_equal(rk_hodges_lehmann_shift(x, 3, inf, 2, &v, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "infinite"));
    assert_int_equal(rk_hodges_lehmann_shift(x, 3, x, 0, &v, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_select_brute_force),
        cmocka_unit_test(test_diff_select_large),
        cmocka_unit_test(test_diff_select_sampled_ties),
        cmocka_unit_test(test_walsh_select_brute_force),
        cmocka_unit_test(test_walsh_select_large),
        cmocka_unit_test(test_hl_shift_brute_force),
        cmocka_unit_test(test_hl_reference_values),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
