/* Tests for src/stats/ranksum_band.c: window probabilities of the exact conditional
 * rank-sum distribution against the full distribution (itself checked against
 * enumeration in test_wilcoxon.c) on random tied and untied samples. */
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
#include "stats/wilcoxon.h"

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* doubled midranks of N values drawn from k categories (k = 0: no ties) */
static void tied_scores(uint64_t *s, size_t N, unsigned k, int64_t *sc)
{
    double *v = malloc(N * sizeof *v), *r = malloc(N * sizeof *r);
    assert_non_null(v);
    assert_non_null(r);
    for (size_t i = 0; i < N; i++)
        v[i] = k ? (double)(rng(s) % k) : (double)(rng(s) % 1000000);
    assert_int_equal(rk_rank(v, N, r, NULL, NULL), RK_OK);
    for (size_t i = 0; i < N; i++)
        sc[i] = (int64_t)llround(2.0 * r[i]);
    free(v);
    free(r);
}

/* |a - b| within a relative tolerance plus the certified absolute bound */
static int near(double a, double b, double rel, double abs_bound)
{
    return fabs(a - b) <= rel * fabs(b) + abs_bound + 1e-300;
}

/* Every window of the band programme agrees with sums of the full distribution. */
static void test_band_equals_full(void **state)
{
    (void)state;
    uint64_t s = 12345;
    int checked = 0;
    for (int rep = 0; rep < 300; rep++) {
        size_t m = 1 + rng(&s) % 25, n = 1 + rng(&s) % 25, N = m + n;
        unsigned cats[] = {0, 2, 3, 5, 7, 12};
        unsigned k = cats[rng(&s) % 6];
        int64_t sc[50];
        tied_scores(&s, N, k, sc);
        double *dist;
        int64_t mn;
        size_t len;
        assert_int_equal(rk_ranksum_exact_dist(sc, m, n, &dist, &mn, &len, NULL), RK_OK);
        for (int w = 0; w < 4; w++) {
            int64_t a = mn - 3 + (int64_t)(rng(&s) % (len + 6));
            int64_t b = w == 0 ? a : a + (int64_t)(rng(&s) % 40);
            double delta = rep % 3 == 0 ? 0.0 : 1e-30, eps = rep % 3 == 2 ? 1e-20 : 0.0;
            rk__ranksum_window win;
            assert_int_equal(rk__ranksum_band(sc, m, n, a, b, delta, eps, &win, NULL), RK_OK);
            double tol = win.dropped; /* the certified bound */
            double below = 0, above = 0;
            for (size_t i = 0; i < len; i++) {
                int64_t t = mn + (int64_t)i;
                if (t < a)
                    below += dist[i];
                else if (t > b)
                    above += dist[i];
            }
            assert_true(win.dropped <= 1e-19);
            if (!near(win.below, below, 1e-12, tol) || !near(win.above, above, 1e-12, tol)) {
                print_error("m=%zu n=%zu k=%u [%lld,%lld]: below %.17g vs %.17g, above %.17g vs "
                            "%.17g\n",
                            m, n, k, (long long)a, (long long)b, win.below, below, win.above,
                            above);
                fail();
            }
            for (int64_t t = a; t <= b; t++) {
                double want = t >= mn && t < mn + (int64_t)len ? dist[t - mn] : 0.0;
                assert_true(near(win.dist[t - a], want, 1e-12, tol));
            }
            free(win.dist);
            checked++;
        }
        free(dist);
    }
    assert_int_equal(checked, 1200);
}

/* Meet in the middle: every tail P(T <= x), P(T >= x) agrees with the full distribution. */
static void test_mid_equals_full(void **state)
{
    (void)state;
    uint64_t s = 777;
    int checked = 0;
    for (int rep = 0; rep < 300; rep++) {
        size_t m = 1 + rng(&s) % 30, n = 1 + rng(&s) % 30, N = m + n;
        unsigned cats[] = {0, 2, 3, 5, 7, 12};
        unsigned k = cats[rng(&s) % 6];
        int64_t sc[60];
        tied_scores(&s, N, k, sc);
        double *dist;
        int64_t mn;
        size_t len;
        assert_int_equal(rk_ranksum_exact_dist(sc, m, n, &dist, &mn, &len, NULL), RK_OK);
        double delta = rep % 2 ? 0.0 : 1e-30;
        rk__ranksum_mid *mid;
        assert_int_equal(rk__ranksum_mid_build(sc, m, n, delta, &mid, NULL), RK_OK);
        double tol = rk__ranksum_mid_error(mid);
        assert_true(tol <= 1e-25);
        double cum = 0.0;
        for (int64_t x = mn - 2; x <= mn + (int64_t)len + 1; x++) {
            if (x >= mn && x < mn + (int64_t)len) cum += dist[x - mn];
            double sf = 0.0;
            for (int64_t t = x > mn ? x : mn; t < mn + (int64_t)len; t++)
                sf += dist[t - mn];
            double got = rk__ranksum_mid_cdf(mid, x), got_sf = rk__ranksum_mid_sf(mid, x);
            if (!near(got, cum, 1e-12, tol) || !near(got_sf, sf, 1e-12, tol)) {
                print_error("m=%zu n=%zu k=%u x=%lld: cdf %.17g vs %.17g, sf %.17g vs %.17g\n", m,
                            n, k, (long long)x, got, cum, got_sf, sf);
                fail();
            }
            checked++;
        }
        rk__ranksum_mid_free(mid);
        free(dist);
    }
    assert_true(checked > 10000);
}

/* Meet in the middle with long runs of tied scores (the sweeps take a run of equal
 * scores in one step, cut at 48 items): tails equal the full distribution. */
static void test_mid_long_runs(void **state)
{
    (void)state;
    uint64_t s = 4242;
    int checked = 0;
    for (int rep = 0; rep < 16; rep++) {
        size_t m = 25 + rng(&s) % 45, n = 25 + rng(&s) % 45, N = m + n;
        unsigned cats[] = {2, 4, 5, 6};
        unsigned k = cats[rep % 4];
        int64_t sc[200];
        tied_scores(&s, N, k, sc);
        double *dist;
        int64_t mn;
        size_t len;
        assert_int_equal(rk_ranksum_exact_dist(sc, m, n, &dist, &mn, &len, NULL), RK_OK);
        double delta = rep % 2 ? 0.0 : 1e-30;
        rk__ranksum_mid *mid;
        assert_int_equal(rk__ranksum_mid_build(sc, m, n, delta, &mid, NULL), RK_OK);
        double tol = rk__ranksum_mid_error(mid);
        assert_true(tol <= 1e-25);
        double *suf = calloc(len + 1, sizeof *suf); /* suf[i] = sum of dist[i..] */
        assert_non_null(suf);
        for (size_t i = len; i-- > 0;)
            suf[i] = suf[i + 1] + dist[i];
        double cum = 0.0;
        for (int64_t x = mn - 2; x <= mn + (int64_t)len + 1; x++) {
            if (x >= mn && x < mn + (int64_t)len) cum += dist[x - mn];
            int64_t u = x + 1 - mn; /* P(T >= x + 1) */
            double want_sf = u <= 0 ? suf[0] : u >= (int64_t)len ? 0.0 : suf[u];
            double got = rk__ranksum_mid_cdf(mid, x), got_sf = rk__ranksum_mid_sf(mid, x + 1);
            if (!near(got, cum, 1e-12, tol) || !near(got_sf, want_sf, 1e-12, tol)) {
                print_error("m=%zu n=%zu k=%u x=%lld: cdf %.17g vs %.17g, sf %.17g vs %.17g\n", m,
                            n, k, (long long)x, got, cum, got_sf, want_sf);
                fail();
            }
            checked++;
        }
        rk__ranksum_mid_free(mid);
        free(suf);
        free(dist);
    }
    assert_true(checked > 500);
}

/* At most three distinct scores: the closed-form sums equal the full distribution; more
 * than three: no engine is built. */
static void test_cat_equals_full(void **state)
{
    (void)state;
    uint64_t s = 31337;
    int checked = 0;
    for (int rep = 0; rep < 400; rep++) {
        size_t m = 1 + rng(&s) % 40, n = 1 + rng(&s) % 40, N = m + n;
        unsigned k = 1 + (unsigned)(rng(&s) % 4); /* 1..4 categories */
        int64_t sc[80];
        tied_scores(&s, N, k, sc);
        double *dist;
        int64_t mn;
        size_t len;
        assert_int_equal(rk_ranksum_exact_dist(sc, m, n, &dist, &mn, &len, NULL), RK_OK);
        rk__ranksum_cat *cat;
        assert_int_equal(rk__ranksum_cat_build(sc, m, n, &cat, NULL), RK_OK);
        size_t distinct = 0;
        for (size_t i = 0; i < N; i++) {
            int seen = 0;
            for (size_t j = 0; j < i; j++)
                seen |= sc[j] == sc[i];
            distinct += !seen;
        }
        if (distinct > 3) {
            assert_null(cat);
            free(dist);
            continue;
        }
        assert_non_null(cat);
        double cum = 0.0;
        for (int64_t x = mn - 2; x <= mn + (int64_t)len + 1; x++) {
            if (x >= mn && x < mn + (int64_t)len) cum += dist[x - mn];
            double sf = 0.0;
            for (int64_t t = x > mn ? x : mn; t < mn + (int64_t)len; t++)
                sf += dist[t - mn];
            double got = rk__ranksum_cat_cdf(cat, x), got_sf = rk__ranksum_cat_sf(cat, x);
            if (!near(got, cum, 1e-12, 1e-300) || !near(got_sf, sf, 1e-12, 1e-300)) {
                print_error("m=%zu n=%zu k=%u x=%lld: cdf %.17g vs %.17g, sf %.17g vs %.17g\n", m,
                            n, k, (long long)x, got, cum, got_sf, sf);
                fail();
            }
            checked++;
        }
        rk__ranksum_cat_free(cat);
        free(dist);
    }
    assert_true(checked > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_equals_full),
        cmocka_unit_test(test_mid_equals_full),
        cmocka_unit_test(test_mid_long_runs),
        cmocka_unit_test(test_cat_equals_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
