/* Tests for src/stats/wilcoxon.c: the two-sample Wilcoxon rank-sum test against
 * R / coin reference values (tests/fixtures/wilcoxon.txt from make_wilcoxon.R),
 * published examples, and properties of the exact distribution. */
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

static int close_rel(double got, double want, double tol)
{
    if (isinf(want) || isinf(got)) return got == want;
    if (isnan(want)) return isnan(got);
    return fabs(got - want) <= tol * fabs(want) || fabs(got - want) <= 1e-300;
}

#define CHECK_REL(got, want, tol)                                                                  \
    do {                                                                                           \
        if (!close_rel((got), (want), (tol))) {                                                    \
            print_error("%s = %.17g, expected %.17g (line %d)\n", #got, (double)(got),             \
                        (double)(want), line_no);                                                  \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------ fixtures */

static size_t parse_list(const char *s, double *v, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        char *end;
        v[n++] = strtod(s, &end);
        if (end == s) return 0;
        s = end;
        if (*s == ',') s++;
    }
    return n;
}

static double parse_num(const char *s)
{
    if (!strcmp(s, "NA")) return NAN;
    char *end;
    double v = strtod(s, &end);
    return end == s ? NAN : v;
}

static rk_alternative parse_alt(const char *s)
{
    rk_alternative a = RK_ALT_TWO_SIDED;
    assert_int_equal(rk_alternative_parse(s, &a, NULL), RK_OK);
    return a;
}

#define MAXF 16
#define MAXN 1200

/* Run every case of a fixture file; counts per kind. */
static void run_fixture(const char *path, int *pn_exact, int *pn_asym, int *pn_ties,
                        int *pcoin_ci_agree)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char line[100000];
    double *x = malloc(MAXN * sizeof *x), *y = malloc(MAXN * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    int line_no = 0, n_exact = 0, n_asym = 0, n_ties = 0, coin_ci_agree = 0;
    while (fgets(line, sizeof line, f)) {
        line_no++;
        line[strcspn(line, "\n")] = 0;
        char *fld[MAXF] = {0};
        int nf = 0;
        for (char *p = line; nf < MAXF;) {
            fld[nf++] = p;
            char *bar = strchr(p, '|');
            if (!bar) break;
            *bar = 0;
            p = bar + 1;
        }
        assert_int_equal(nf, 13);
        size_t nx = parse_list(fld[5], x, MAXN), ny = parse_list(fld[6], y, MAXN);
        assert_true(nx > 0 && ny > 0);
        rk_wilcoxon_opts o;
        rk_wilcoxon_opts_init(&o);
        o.alternative = parse_alt(fld[1]);
        o.correct = (int)parse_num(fld[2]);
        o.mu = parse_num(fld[3]);
        o.conf_level = parse_num(fld[4]);
        o.conf_int = 1;
        int kind = !strcmp(fld[0], "exact") ? 0 : !strcmp(fld[0], "asym") ? 1 : 2;
        o.method = kind == 1 ? RK_METHOD_ASYMPTOTIC : RK_METHOD_EXACT;
        double W = parse_num(fld[7]), p = parse_num(fld[8]), est = parse_num(fld[9]);
        double lo = parse_num(fld[10]), hi = parse_num(fld[11]), lev = parse_num(fld[12]);
        rk_htest h;
        rk_error err;
        rk_status st = rk_wilcoxon_rank_sum(x, nx, y, ny, &o, &h, &err);
        if (st) print_error("line %d: %s\n", line_no, err.msg);
        assert_int_equal(st, RK_OK);
        CHECK_REL(h.statistic, W, 1e-12);
        CHECK_REL(rk_htest_get(&h, "U_y"), (double)nx * (double)ny - W, 1e-12);
        /* the HL estimate is an order statistic (or mean of two): exact */
        CHECK_REL(h.estimate, est, 1e-15);
        assert_true(h.p_value >= 0.0 && h.p_value <= 1.0);
        if (kind == 0) {
            n_exact++;
            CHECK_REL(h.p_value, p, 1e-10); /* both exact computations */
            assert_int_equal(h.exact, 1);
            CHECK_REL(h.conf_int[0], lo, 0.0); /* identical order statistics */
            CHECK_REL(h.conf_int[1], hi, 0.0);
            CHECK_REL(h.conf_level, lev, 1e-9);
        } else if (kind == 1) {
            n_asym++;
            CHECK_REL(h.p_value, p, 1e-9);
            assert_int_equal(h.exact, 0);
        } else {
            n_ties++;
            CHECK_REL(h.p_value, p, 1e-10); /* coin: exact (shift algorithm) too */
            if (h.conf_int[0] == lo && h.conf_int[1] == hi) coin_ci_agree++;
        }
    }
    fclose(f);
    free(x);
    free(y);
    *pn_exact = n_exact;
    *pn_asym = n_asym;
    *pn_ties = n_ties;
    *pcoin_ci_agree = coin_ci_agree;
}

static void test_fixture_cases(void **state)
{
    (void)state;
    int n_exact, n_asym, n_ties, coin_ci_agree;
    run_fixture(RK_FIXTURE_DIR "/wilcoxon.txt", &n_exact, &n_asym, &n_ties, &coin_ci_agree);
    print_message("fixture: %d exact, %d asymptotic, %d exact-with-ties cases; exact CI with "
                  "ties equal to coin's in %d of %d\n",
                  n_exact, n_asym, n_ties, coin_ci_agree, n_ties);
    assert_true(n_exact >= 150 && n_asym >= 300 && n_ties >= 150);
}

/* Larger samples (n = 80..200; 7-category ordinal and rounded normal data) against
 * R's exact test without ties and coin's exact test with ties. */
static void test_fixture_large(void **state)
{
    (void)state;
    int n_exact, n_asym, n_ties, coin_ci_agree;
    run_fixture(RK_FIXTURE_DIR "/wilcoxon_large.txt", &n_exact, &n_asym, &n_ties, &coin_ci_agree);
    print_message("large fixture: %d exact, %d exact-with-ties cases; CI equal to coin's in %d\n",
                  n_exact, n_ties, coin_ci_agree);
    assert_true(n_exact >= 4 && n_ties >= 8);
}

/* ------------------------------------------------- published examples */

static const double x2[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
static const double y2[] = {1.15, 0.88, 0.90, 0.74, 1.21};

static void test_x2_y2_reference(void **state)
{
    (void)state;
    int line_no = 0;
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.conf_int = 1;
    rk_htest h;
    rk_error err;
    /* STATS-CONVENTIONS.md: W = 35, p = 0.2544123, estimate 0.305, CI (-0.15, 0.76) */
    assert_int_equal(rk_wilcoxon_rank_sum(x2, 10, y2, 5, &o, &h, &err), RK_OK);
    assert_true(h.statistic == 35);
    CHECK_REL(h.p_value, 0.2544123, 1e-6);
    assert_int_equal(h.exact, 1);
    CHECK_REL(h.estimate, 0.305, 1e-12);
    CHECK_REL(h.conf_int[0], -0.15, 1e-12);
    CHECK_REL(h.conf_int[1], 0.76, 1e-12);
    CHECK_REL(rk_htest_get(&h, "U_y"), 15, 0);
    CHECK_REL(rk_htest_get(&h, "rank_sum_x"), 90, 0);
    o.alternative = RK_ALT_GREATER;
    assert_int_equal(rk_wilcoxon_rank_sum(x2, 10, y2, 5, &o, &h, &err), RK_OK);
    CHECK_REL(h.p_value, 0.1272061, 1e-6);
    o.alternative = RK_ALT_TWO_SIDED;
    o.method = RK_METHOD_ASYMPTOTIC;
    assert_int_equal(rk_wilcoxon_rank_sum(x2, 10, y2, 5, &o, &h, &err), RK_OK);
    CHECK_REL(h.p_value, 0.2446236, 1e-6);
    /* Moses limits are order statistics; R's uniroot gives (-0.1500148, 0.7599428) */
    CHECK_REL(h.conf_int[0], -0.15, 1e-12);
    CHECK_REL(h.conf_int[1], 0.76, 1e-12);
    CHECK_REL(h.estimate, 0.305, 1e-12); /* true median, not R's 0.3025083 */
    o.correct = 0;
    assert_int_equal(rk_wilcoxon_rank_sum(x2, 10, y2, 5, &o, &h, &err), RK_OK);
    CHECK_REL(h.p_value, 0.2206714, 1e-6);
}

static void test_airquality_reference(void **state)
{
    (void)state;
    int line_no = 0;
    /* airquality Ozone, Month 5 vs Month 8 (NA removed) */
    const double may[] = {41, 36, 12, 18, 28, 23, 19, 8, 7,  16, 11, 14,  18,
                          14, 34, 6,  30, 11, 1,  11, 4, 32, 23, 45, 115, 37};
    const double aug[] = {39, 9,  16, 78, 35, 66, 122, 89,  110, 44, 28,  65, 22,
                          59, 23, 31, 44, 21, 9,  45,  168, 73,  76, 118, 84, 85};
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.conf_int = 1;
    o.method = RK_METHOD_ASYMPTOTIC; /* R uses the normal approximation with ties */
    rk_htest h;
    rk_error err;
    assert_int_equal(rk_wilcoxon_rank_sum(may, 26, aug, 26, &o, &h, &err), RK_OK);
    assert_true(h.statistic == 127.5);
    CHECK_REL(h.p_value, 0.0001208078, 1e-6);
    CHECK_REL(h.estimate, -32, 0);
    assert_true(h.conf_int[0] < h.estimate && h.estimate < h.conf_int[1]);
}

static void test_sas_react_reference(void **state)
{
    (void)state;
    int line_no = 0;
    const double s1[] = {1.94, 1.94, 2.92, 2.92, 2.92, 2.92, 3.27,
                         3.27, 3.27, 3.27, 3.70, 3.70, 3.74};
    const double s2[] = {3.27, 3.27, 3.27, 3.70, 3.70, 3.74};
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.conf_int = 1;
    o.conf_level = 0.98;
    rk_htest h;
    rk_error err;
    /* coin exact with ties: two-sided p = 0.1054106; HL shift 0.35 (Stim 2 - Stim 1) */
    assert_int_equal(rk_wilcoxon_rank_sum(s2, 6, s1, 13, &o, &h, &err), RK_OK);
    assert_int_equal(h.exact, 1);
    CHECK_REL(h.p_value, 0.1054106, 1e-6);
    CHECK_REL(h.estimate, 0.35, 1e-12);
    /* our exact rule with ties reproduces coin's and SAS's Moses limits (0.00, 0.82) here;
     * SAS's exact limits are (0.00, 1.33) */
    CHECK_REL(h.conf_int[0], 0.0, 0);
    CHECK_REL(h.conf_int[1], 0.82, 1e-12);
    /* Moses 98% limits (SAS): (0.00, 0.82) */
    o.method = RK_METHOD_ASYMPTOTIC;
    assert_int_equal(rk_wilcoxon_rank_sum(s2, 6, s1, 13, &o, &h, &err), RK_OK);
    CHECK_REL(h.conf_int[0], 0.0, 0);
    CHECK_REL(h.conf_int[1], 0.82, 1e-12);
    /* swapping the groups mirrors everything */
    o.method = RK_METHOD_EXACT;
    assert_int_equal(rk_wilcoxon_rank_sum(s1, 13, s2, 6, &o, &h, &err), RK_OK);
    CHECK_REL(h.p_value, 0.1054106, 1e-6);
    CHECK_REL(h.estimate, -0.35, 1e-12);
}

/* ------------------------------------------------------------ properties */

/* Brute force: enumerate all C(N, m) subsets by bitmask. */
static void enumerate(const int64_t *sc, size_t N, size_t m, double *cnt, int64_t base)
{
    double total = 0;
    for (uint32_t mask = 0; mask < (1u << N); mask++) {
        if ((size_t)__builtin_popcount(mask) != m) continue;
        int64_t s = 0;
        for (size_t i = 0; i < N; i++)
            if (mask & (1u << i)) s += sc[i];
        cnt[s - base] += 1;
        total += 1;
    }
    (void)total;
}

static void test_exact_dist_matches_enumeration(void **state)
{
    (void)state;
    uint64_t seed = 99;
    for (int rep = 0; rep < 300; rep++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t N = 2 + (size_t)((seed >> 33) % 13); /* 2..14 */
        size_t m = 1 + (size_t)((seed >> 20) % (N - 1));
        int64_t sc[16];
        double v[16], rk[16];
        for (size_t i = 0; i < N; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            v[i] = (double)((seed >> 40) % (rep % 3 == 0 ? 3 : rep % 3 == 1 ? 6 : 1000));
        }
        assert_int_equal(rk_rank(v, N, rk, NULL, NULL), RK_OK);
        for (size_t i = 0; i < N; i++)
            sc[i] = (int64_t)(2 * rk[i]);
        if (rep % 10 == 9) /* arbitrary non-rank integer scores too */
            for (size_t i = 0; i < N; i++)
                sc[i] = (int64_t)((seed >> (2 * i)) % 9);
        double *dist = NULL;
        int64_t min_sum;
        size_t len;
        rk_error err;
        assert_int_equal(rk_ranksum_exact_dist(sc, m, N - m, &dist, &min_sum, &len, &err), RK_OK);
        double cnt[16 * 40] = {0};
        int64_t maxs = 0;
        for (size_t i = 0; i < N; i++)
            maxs += sc[i];
        assert_true(maxs < 16 * 40);
        enumerate(sc, N, m, cnt, 0);
        double total = 0, sum = 0;
        for (int64_t s = 0; s <= maxs; s++)
            total += cnt[s];
        for (int64_t s = 0; s <= maxs; s++) {
            double want = cnt[s] / total;
            double got = (s >= min_sum && s < min_sum + (int64_t)len) ? dist[s - min_sum] : 0.0;
            assert_true(fabs(got - want) <= 1e-13);
        }
        assert_true(cnt[min_sum] > 0 && cnt[min_sum + (int64_t)len - 1] > 0);
        for (size_t i = 0; i < len; i++)
            sum += dist[i];
        assert_true(fabs(sum - 1.0) < 1e-12);
        free(dist);
    }
}

/* Large exact distribution: sums to 1, symmetric without ties, non-negative. */
static void test_exact_dist_large(void **state)
{
    (void)state;
    size_t m = 120, n = 90, N = m + n;
    int64_t *sc = malloc(N * sizeof *sc);
    assert_non_null(sc);
    for (size_t i = 0; i < N; i++)
        sc[i] = (int64_t)(2 * (i + 1));
    double *dist;
    int64_t min_sum;
    size_t len;
    assert_int_equal(rk_ranksum_exact_dist(sc, m, n, &dist, &min_sum, &len, NULL), RK_OK);
    assert_int_equal(min_sum, (int64_t)(m * (m + 1)));
    assert_int_equal(len, 2 * m * n + 1);
    double sum = 0;
    for (size_t i = 0; i < len; i++) {
        assert_true(dist[i] >= 0);
        sum += dist[i];
        if (i % 2 == 0)
            assert_true(fabs(dist[i] - dist[len - 1 - i]) <= 1e-12 * dist[i] + 1e-300);
        else
            assert_true(dist[i] == 0);
    }
    assert_true(fabs(sum - 1) < 1e-10);
    free(dist);
    free(sc);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The test's exact p-values and CI limits (from windows / meet in the middle) equal
 * those computed from the full distribution (rk_ranksum_exact_dist, itself checked
 * against enumeration) on random tied and untied samples, every alternative. */
static uint64_t rng64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void test_pruned_equals_full(void **state)
{
    (void)state;
    uint64_t s = 4242;
    int line_no = 0, n_ci = 0;
    for (int rep = 0; rep < 120; rep++) {
        line_no = rep;
        size_t nx = 2 + rng64(&s) % 70, ny = 2 + rng64(&s) % 70, N = nx + ny;
        unsigned cats[] = {0, 2, 3, 4, 7, 15};
        unsigned k = cats[rng64(&s) % 6];
        double x[80], y[80], pool[160], rk[160];
        double shift = (double)(rng64(&s) % 5) * 0.3;
        for (size_t i = 0; i < nx; i++)
            x[i] = k ? (double)(rng64(&s) % k) + (rng64(&s) % 3 == 0 ? 1 : 0) * (shift > 0)
                     : (double)(rng64(&s) % 100000) / 1000.0 + shift;
        for (size_t i = 0; i < ny; i++)
            y[i] = k ? (double)(rng64(&s) % k) : (double)(rng64(&s) % 100000) / 1000.0;
        memcpy(pool, x, nx * sizeof *x);
        memcpy(pool + nx, y, ny * sizeof *y);
        rk_ties ties;
        assert_int_equal(rk_rank(pool, N, rk, &ties, NULL), RK_OK);
        int64_t sc[160], tx = 0, tall = 0;
        for (size_t i = 0; i < N; i++) {
            sc[i] = (int64_t)llround(2.0 * rk[i]);
            tall += sc[i];
            if (i < nx) tx += sc[i];
        }
        double *dist;
        int64_t mn;
        size_t len;
        assert_int_equal(rk_ranksum_exact_dist(sc, nx, ny, &dist, &mn, &len, NULL), RK_OK);
        double lower = 0, upper = 0, coin2 = 0;
        int64_t ref = (int64_t)N * tx - (int64_t)nx * tall;
        if (ref < 0) ref = -ref;
        for (size_t i = 0; i < len; i++) {
            int64_t t = mn + (int64_t)i, d = (int64_t)N * t - (int64_t)nx * tall;
            if (t <= tx) lower += dist[i];
            if (t >= tx) upper += dist[i];
            if ((d < 0 ? -d : d) >= ref) coin2 += dist[i];
        }
        double W = (double)tx / 2.0 - (double)nx * ((double)nx + 1.0) / 2.0;
        for (int alt = 0; alt < 3; alt++) {
            rk_wilcoxon_opts o;
            rk_wilcoxon_opts_init(&o);
            o.method = RK_METHOD_EXACT;
            o.alternative = (rk_alternative)alt;
            o.conf_int = (rep + alt) % 2;
            double levels[] = {0.8, 0.9, 0.95, 0.99};
            o.conf_level = levels[rng64(&s) % 4];
            rk_htest h;
            rk_error err;
            assert_int_equal(rk_wilcoxon_rank_sum(x, nx, y, ny, &o, &h, &err), RK_OK);
            double want = alt == RK_ALT_LESS      ? lower
                          : alt == RK_ALT_GREATER ? upper
                          : ties.n_tie_groups     ? coin2
                                              : 2.0 * (W > (double)nx * ny / 2.0 ? upper : lower);
            if (want > 1.0) want = 1.0;
            CHECK_REL(h.p_value, want, 1e-11);
            if (!o.conf_int) continue;
            n_ci++;
            double a = 1.0 - o.conf_level, below;
            double aq = alt == RK_ALT_TWO_SIDED ? a / 2.0 : a;
            uint64_t q = rk__ranksum_quantile(dist, mn, len, nx, aq, &below);
            if (q == 0) q = 1;
            uint64_t M = (uint64_t)nx * ny;
            double xs[80], ys[80], lo = -INFINITY, hi = INFINITY;
            memcpy(xs, x, nx * sizeof *x);
            memcpy(ys, y, ny * sizeof *y);
            qsort(xs, nx, sizeof *xs, cmp_dbl);
            qsort(ys, ny, sizeof *ys, cmp_dbl);
            if (alt != RK_ALT_LESS)
                assert_int_equal(rk_pairwise_diff_select(xs, nx, ys, ny, q, &lo, NULL), RK_OK);
            if (alt != RK_ALT_GREATER)
                assert_int_equal(rk_pairwise_diff_select(xs, nx, ys, ny, M - q + 1, &hi, NULL),
                                 RK_OK);
            if (h.conf_int[0] != lo || h.conf_int[1] != hi) {
                print_error("rep %d alt %d: CI (%.17g, %.17g), full distribution gives (%.17g, "
                            "%.17g)\n",
                            rep, alt, h.conf_int[0], h.conf_int[1], lo, hi);
                fail();
            }
        }
        free(dist);
    }
    assert_true(n_ci > 100);
}

/* p-values lie in [0, 1] and move monotonically with the statistic. */
static void test_pvalues_monotone(void **state)
{
    (void)state;
    double x[8], y[9] = {1, 2, 2, 3, 3, 3, 4, 5, 6};
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    for (int method = 1; method <= 2; method++) {
        o.method = (rk_method)method;
        double prev_less = -1, prev_greater = 2;
        for (int shift = -12; shift <= 12; shift++) {
            for (int i = 0; i < 8; i++)
                x[i] = (double)(i % 5) + shift * 0.5;
            rk_htest h;
            o.alternative = RK_ALT_LESS;
            assert_int_equal(rk_wilcoxon_rank_sum(x, 8, y, 9, &o, &h, NULL), RK_OK);
            double pl = h.p_value;
            o.alternative = RK_ALT_GREATER;
            assert_int_equal(rk_wilcoxon_rank_sum(x, 8, y, 9, &o, &h, NULL), RK_OK);
            double pg = h.p_value;
            o.alternative = RK_ALT_TWO_SIDED;
            assert_int_equal(rk_wilcoxon_rank_sum(x, 8, y, 9, &o, &h, NULL), RK_OK);
            double p2 = h.p_value;
            assert_true(pl >= 0 && pl <= 1 && pg >= 0 && pg <= 1 && p2 >= 0 && p2 <= 1);
            assert_true(pl >= prev_less - 1e-15 && pg <= prev_greater + 1e-15);
            if (method == 1) assert_true(pl + pg >= 1.0 - 1e-12); /* both tails include t */
            prev_less = pl;
            prev_greater = pg;
        }
    }
}

static void test_auto_uses_exact_with_ties(void **state)
{
    (void)state;
    const double x[] = {1, 2, 2, 3}, y[] = {2, 3, 3, 4, 4};
    rk_htest h;
    assert_int_equal(rk_wilcoxon_rank_sum(x, 4, y, 5, NULL, &h, NULL), RK_OK);
    assert_int_equal(h.exact, 1);
    assert_true(isnan(h.estimate));
    double big[60];
    for (int i = 0; i < 60; i++)
        big[i] = i;
    assert_int_equal(rk_wilcoxon_rank_sum(big, 60, y, 5, NULL, &h, NULL), RK_OK);
    assert_int_equal(h.exact, 0); /* nx >= 50: normal approximation (R's rule) */
}

static void test_bad_input(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3}, bad[] = {1, NAN}, inf[] = {INFINITY, 1};
    rk_htest h;
    rk_error err;
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    assert_int_equal(rk_wilcoxon_rank_sum(x, 0, x, 3, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "x sample is empty"));
    assert_int_equal(rk_wilcoxon_rank_sum(x, 3, x, 0, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "y sample is empty"));
    assert_int_equal(rk_wilcoxon_rank_sum(x, 3, bad, 2, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));
    assert_int_equal(rk_wilcoxon_rank_sum(inf, 2, x, 3, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "infinite"));
    o.conf_int = 1;
    o.conf_level = 1.0;
    assert_int_equal(rk_wilcoxon_rank_sum(x, 3, x, 3, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "outside (0, 1)"));
    o.conf_level = 0.0;
    assert_int_equal(rk_wilcoxon_rank_sum(x, 3, x, 3, &o, &h, &err), RK_EINVAL);
    o.conf_level = NAN;
    assert_int_equal(rk_wilcoxon_rank_sum(x, 3, x, 3, &o, &h, &err), RK_EINVAL);
    const int64_t sc[] = {1, 2, -3};
    double *dist;
    int64_t mn;
    size_t len;
    assert_int_equal(rk_ranksum_exact_dist(sc, 1, 2, &dist, &mn, &len, &err), RK_EINVAL);
    assert_null(dist);
    assert_int_equal(rk_ranksum_exact_dist(sc, 0, 2, &dist, &mn, &len, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
}

static void test_too_large_for_exact(void **state)
{
    (void)state;
    size_t n = 6000; /* predicted: > 4 GiB and ~1e13 operations */
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i + 0.25;
        y[i] = (double)i;
    }
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.method = RK_METHOD_EXACT;
    rk_htest h;
    rk_error err;
    assert_int_equal(rk_wilcoxon_rank_sum(x, n, y, n, &o, &h, &err), RK_ERANGE);
    assert_non_null(strstr(err.msg, "asymptotic"));
    assert_non_null(strstr(err.msg, "GiB"));
    free(x);
    free(y);
    /* one x against 600000 y: the windowed programme needs only two rows */
    size_t ny = 600000;
    y = malloc(ny * sizeof *y);
    assert_non_null(y);
    for (size_t i = 0; i < ny; i++)
        y[i] = (double)i;
    const double one = 0.5;
    assert_int_equal(rk_wilcoxon_rank_sum(&one, 1, y, ny, &o, &h, &err), RK_OK);
    /* W = 1: P(W <= 1) = 2 / 600001, doubled */
    assert_true(fabs(h.p_value - 4.0 / 600001.0) <= 1e-12 * h.p_value);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_cases),
        cmocka_unit_test(test_fixture_large),
        cmocka_unit_test(test_x2_y2_reference),
        cmocka_unit_test(test_airquality_reference),
        cmocka_unit_test(test_sas_react_reference),
        cmocka_unit_test(test_exact_dist_matches_enumeration),
        cmocka_unit_test(test_exact_dist_large),
        cmocka_unit_test(test_pruned_equals_full),
        cmocka_unit_test(test_pvalues_monotone),
        cmocka_unit_test(test_auto_uses_exact_with_ties),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_too_large_for_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
