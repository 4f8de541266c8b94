/* Tests for src/stats/signrank.c: signed-rank test vs R/coin fixtures and enumeration. */
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
#include "stats/signrank.h"

#define MAX_FIELDS 24
#define MAX_VEC 1024

/* Split line in place at '|' into at most MAX_FIELDS fields; returns the count. */
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

/* strtod with the whole field consumed; "nan", "inf", "-inf" accepted. */
static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    assert_true(end != s);
    return v;
}

/* Comma-separated vector; "-" is empty. */
static size_t vec(const char *s, double *out)
{
    if (strcmp(s, "-") == 0) return 0;
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

static rk_alternative alt_of(const char *s)
{
    if (!strcmp(s, "less")) return RK_ALT_LESS;
    if (!strcmp(s, "greater")) return RK_ALT_GREATER;
    return RK_ALT_TWO_SIDED;
}

/* |got - want| <= rel * |want| (+ tiny absolute slack); both infinite of the same
 * sign, or want NaN (not available), also pass. */
static void near(double got, double want, double rel, const char *what, const char *id)
{
    if (isnan(want)) return;
    int ok;
    if (isinf(want))
        ok = got == want;
    else
        ok = fabs(got - want) <= rel * fabs(want) + 1e-300;
    if (!ok) fail_msg("%s %s: got %.17g want %.17g", id, what, got, want);
}

static void test_paired_example(void **state)
{
    (void)state;
    /* STATS-CONVENTIONS.md: wilcox.test(x, y, paired = TRUE, alternative = "greater") */
    const double x[] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
    const double y[] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.alternative = RK_ALT_GREATER;
    rk_htest h;
    rk_error err;
    assert_int_equal(rk_wilcoxon_signed_rank(x, y, 9, &o, &h, &err), RK_OK);
    assert_string_equal(h.statistic_name, "V");
    assert_true(h.statistic == 40);
    assert_true(fabs(h.p_value - 0.01953125) < 1e-15);
    assert_int_equal(h.exact, 1);
    assert_true(rk_htest_get(&h, "n_zero") == 0);
}

/* Every R / coin case of tests/fixtures/signrank.txt, in the exact and both
 * asymptotic modes, plus AUTO's choice. */
static void test_fixture_cases(void **state)
{
    (void)state;
    FILE *f = fopen(RK_FIXTURE_DIR "/signrank.txt", "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    int ncases = 0, nR = 0;
    static double x[MAX_VEC], y[MAX_VEC];
    while (getline(&line, &cap, f) > 0) {
        char *fl[MAX_FIELDS];
        int nf = split_fields(line, fl);
        assert_int_equal(nf, 19);
        const char *id = fl[1];
        rk_wilcoxon_opts o;
        rk_wilcoxon_opts_init(&o);
        o.alternative = alt_of(fl[2]);
        o.conf_level = num(fl[3]);
        o.mu = num(fl[4]);
        size_t n = vec(fl[5], x);
        size_t ny = vec(fl[6], y);
        assert_true(ny == 0 || ny == n);
        const double *yp = ny ? y : NULL;
        double V = num(fl[7]);
        double n_used = num(fl[8]), n_zero = num(fl[9]);
        double p_exact = num(fl[10]), p_cc = num(fl[11]), p_nc = num(fl[12]);
        double est = num(fl[13]), ex_lo = num(fl[14]), ex_hi = num(fl[15]);
        double as_lo = num(fl[17]), as_hi = num(fl[18]);
        if (!strcmp(fl[16], "R")) nR++;
        o.conf_int = 1;
        rk_htest h;
        rk_error err;

        o.method = RK_METHOD_EXACT;
        if (rk_wilcoxon_signed_rank(x, yp, n, &o, &h, &err) != RK_OK)
            fail_msg("%s: %s", id, err.msg);
        if (h.statistic != V) fail_msg("%s: V %g want %g", id, h.statistic, V);
        assert_true(rk_htest_get(&h, "n") == n_used);
        assert_true(rk_htest_get(&h, "n_zero") == n_zero);
        assert_int_equal(h.exact, 1);
        /* both exact computations: 1e-9 relative */
        near(h.p_value, p_exact, 1e-9, "exact p", id);
        /* same Walsh averages as R's brute force; median of two may differ by an ulp */
        near(h.estimate, est, 1e-12, "estimate", id);
        near(h.conf_int[0], ex_lo, 1e-12, "exact lower", id);
        near(h.conf_int[1], ex_hi, 1e-12, "exact upper", id);

        o.method = RK_METHOD_ASYMPTOTIC;
        o.correct = 1;
        assert_int_equal(rk_wilcoxon_signed_rank(x, yp, n, &o, &h, &err), RK_OK);
        assert_int_equal(h.exact, 0);
        /* GSL and R both use Cody's normal CDF: agreement to rounding */
        near(h.p_value, p_cc, 1e-9, "asymptotic p (cc)", id);
        near(h.estimate, est, 1e-12, "estimate", id);
        near(h.conf_int[0], as_lo, 1e-12, "asymptotic lower", id);
        near(h.conf_int[1], as_hi, 1e-12, "asymptotic upper", id);

        o.correct = 0;
        o.conf_int = 0;
        assert_int_equal(rk_wilcoxon_signed_rank(x, yp, n, &o, &h, &err), RK_OK);
        near(h.p_value, p_nc, 1e-9, "asymptotic p (no cc)", id);
        assert_true(isnan(h.estimate));

        o.method = RK_METHOD_AUTO;
        o.correct = 1;
        assert_int_equal(rk_wilcoxon_signed_rank(x, yp, n, &o, &h, &err), RK_OK);
        assert_int_equal(h.exact, n_used < 50);
        near(h.p_value, n_used < 50 ? p_exact : p_cc, 1e-9, "auto p", id);
        ncases++;
    }
    free(line);
    fclose(f);
    assert_true(ncases >= 100);
    assert_true(nR >= 50); /* cases whose exact CI is R's own */
}

/* The exact distribution equals full enumeration of the 2^n sign vectors. */
static void test_dist_matches_enumeration(void **state)
{
    (void)state;
    const int64_t sets[][8] = {
        {2, 4, 6, 8, 10, 12, 14, 16}, /* no ties (2 * rank) */
        {3, 3, 6, 8, 11, 11, 11, 16}, /* ties: midranks 1.5,1.5 / 5.5 x3 */
        {1, 1, 1, 1, 2, 5, 5, 9},     /* arbitrary integer scores */
        {7, 7, 7, 7, 7, 7, 7, 7},     /* all tied */
    };
    for (size_t t = 0; t < sizeof sets / sizeof sets[0]; t++) {
        const int64_t *sc = sets[t];
        size_t n = 8;
        double *p;
        int64_t tot;
        rk_error err;
        assert_int_equal(rk__signrank_dist(sc, n, &p, &tot, &err), RK_OK);
        int64_t want_tot = 0;
        for (size_t i = 0; i < n; i++)
            want_tot += sc[i];
        assert_true(tot == want_tot);
        double *cnt = calloc((size_t)tot + 1, sizeof *cnt);
        assert_non_null(cnt);
        for (unsigned mask = 0; mask < (1u << n); mask++) {
            int64_t s = 0;
            for (size_t i = 0; i < n; i++)
                if (mask & (1u << i)) s += sc[i];
            cnt[s] += 1.0;
        }
        double sum = 0.0;
        for (int64_t s = 0; s <= tot; s++) {
            assert_true(fabs(p[s] - cnt[s] / 256.0) < 1e-15);
            assert_true(p[s] == p[tot - s]); /* symmetric */
            sum += p[s];
        }
        assert_true(fabs(sum - 1.0) < 1e-14);
        free(cnt);
        free(p);
    }
}

/* p-values from the API equal the enumerated sign-flip distribution on tied
 * data; p lies in [0, 1] and is monotone in V. */
static void test_pvalues_enumerated_and_monotone(void **state)
{
    (void)state;
    const double mag[] = {1, 1, 2, 3, 3, 3, 4.5, 6, 6};
    enum { N = 9 };
    double V[1 << N], pl[1 << N], pg[1 << N], pt[1 << N];
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.method = RK_METHOD_EXACT;
    for (unsigned mask = 0; mask < (1u << N); mask++) {
        double d[N];
        for (int i = 0; i < N; i++)
            d[i] = (mask & (1u << i)) ? mag[i] : -mag[i];
        rk_htest h;
        rk_error err;
        o.alternative = RK_ALT_LESS;
        assert_int_equal(rk_wilcoxon_signed_rank(d, NULL, N, &o, &h, &err), RK_OK);
        V[mask] = h.statistic;
        pl[mask] = h.p_value;
        o.alternative = RK_ALT_GREATER;
        assert_int_equal(rk_wilcoxon_signed_rank(d, NULL, N, &o, &h, &err), RK_OK);
        pg[mask] = h.p_value;
        o.alternative = RK_ALT_TWO_SIDED;
        assert_int_equal(rk_wilcoxon_signed_rank(d, NULL, N, &o, &h, &err), RK_OK);
        pt[mask] = h.p_value;
    }
    for (unsigned a = 0; a < (1u << N); a++) {
        /* enumeration: fraction of sign vectors with V <= / >= the observed V */
        int le = 0, ge = 0;
        for (unsigned b = 0; b < (1u << N); b++) {
            le += V[b] <= V[a];
            ge += V[b] >= V[a];
        }
        assert_true(fabs(pl[a] - le / 512.0) < 1e-14);
        assert_true(fabs(pg[a] - ge / 512.0) < 1e-14);
        double e = 0.25 * N * (N + 1);
        double want_t = fmin(1.0, 2.0 * (V[a] > e ? ge : le) / 512.0);
        assert_true(fabs(pt[a] - want_t) < 1e-14);
        assert_true(pt[a] >= 0 && pt[a] <= 1 && pl[a] >= 0 && pl[a] <= 1);
        for (unsigned b = 0; b < (1u << N); b++)
            if (V[b] > V[a]) {
                assert_true(pl[b] >= pl[a]);
                assert_true(pg[b] <= pg[a]);
            }
    }
}

/* Exact and asymptotic CIs agree closely for a large sample without ties, and
 * the CI always contains the estimate. */
static void test_large_sample_ci_consistency(void **state)
{
    (void)state;
    enum { N = 400 };
    double x[N];
    uint64_t s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = (double)(s >> 11) / 9007199254740992.0 - 0.47;
    }
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.conf_int = 1;
    o.method = RK_METHOD_EXACT;
    rk_htest he, ha;
    rk_error err;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, N, &o, &he, &err), RK_OK);
    o.method = RK_METHOD_ASYMPTOTIC;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, N, &o, &ha, &err), RK_OK);
    assert_true(he.estimate == ha.estimate);
    assert_true(he.conf_int[0] <= he.estimate && he.estimate <= he.conf_int[1]);
    assert_true(fabs(he.conf_int[0] - ha.conf_int[0]) < 2e-3);
    assert_true(fabs(he.conf_int[1] - ha.conf_int[1]) < 2e-3);
    print_message("exact p %.10g asymptotic p %.10g CI %.6g %.6g / %.6g %.6g\n", he.p_value,
                  ha.p_value, he.conf_int[0], he.conf_int[1], ha.conf_int[0], ha.conf_int[1]);
    assert_true(he.p_value > 0.01 && he.p_value < 0.5);
    assert_true(fabs(he.p_value - ha.p_value) < 0.01 * he.p_value);
    assert_true(fabs(rk_htest_get(&he, "conf_achieved") - 0.95) < 0.01);
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    rk_htest h;
    rk_error err;
    const double x[] = {1, 2, 3};
    const double z[] = {0, 0, 0};
    const double bad[] = {1, NAN, 3};
    const double inf[] = {1, 2, INFINITY};

    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, 0, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "no observations"));
    assert_int_equal(rk_wilcoxon_signed_rank(z, NULL, 3, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "all 3 differences"));
    assert_int_equal(rk_wilcoxon_signed_rank(x, x, 3, &o, &h, &err), RK_EINVAL); /* x - y == 0 */
    assert_int_equal(rk_wilcoxon_signed_rank(bad, NULL, 3, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));
    assert_int_equal(rk_wilcoxon_signed_rank(x, inf, 3, &o, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "infinite"));
    o.mu = NAN;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, 3, &o, &h, &err), RK_EINVAL);
    o.mu = 0;
    o.conf_int = 1;
    o.conf_level = 1.0;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, 3, &o, &h, &err), RK_EINVAL);
    o.conf_level = 0.95;
    o.alternative = (rk_alternative)7;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, 3, &o, &h, &err), RK_EINVAL);
}

/* Small n: R's qu = max(qu, 1) rule and its "not achievable" conf level. */
static void test_small_n_ci(void **state)
{
    (void)state;
    /* R: wilcox.test(c(1.5, -0.2, 3), conf.int = TRUE): CI (-0.2, 3), warning,
     * conf.level 1 - signif(0.25, 2) = 0.75 */
    const double x[] = {1.5, -0.2, 3};
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.conf_int = 1;
    rk_htest h;
    rk_error err;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, 3, &o, &h, &err), RK_OK);
    assert_true(h.conf_int[0] == -0.2 && h.conf_int[1] == 3);
    assert_true(fabs(h.conf_level - 0.75) < 1e-15);
    assert_non_null(strstr(h.note, "not achievable"));
    assert_true(h.statistic == 5);
    assert_true(fabs(h.p_value - 0.5) < 1e-15); /* 2 * P(V >= 5) = 2 * 2/8 */
}

/* Forced exact on a huge sample is refused with RK_ERANGE; AUTO goes asymptotic. */
static void test_exact_too_large(void **state)
{
    (void)state;
    enum { N = 3000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (int i = 0; i < N; i++)
        x[i] = (i % 2 ? 1.0 : -1.0) * (i + 1) + 0.5;
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.method = RK_METHOD_EXACT;
    rk_htest h;
    rk_error err;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, N, &o, &h, &err), RK_ERANGE);
    assert_non_null(strstr(err.msg, "asymptotic"));
    o.method = RK_METHOD_AUTO;
    assert_int_equal(rk_wilcoxon_signed_rank(x, NULL, N, &o, &h, &err), RK_OK);
    assert_int_equal(h.exact, 0);
    assert_true(h.p_value >= 0 && h.p_value <= 1);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paired_example),
        cmocka_unit_test(test_fixture_cases),
        cmocka_unit_test(test_dist_matches_enumeration),
        cmocka_unit_test(test_pvalues_enumerated_and_monotone),
        cmocka_unit_test(test_large_sample_ci_consistency),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_small_n_ci),
        cmocka_unit_test(test_exact_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
