/* Tests for src/stats/fisher.c: Fisher's exact test, 2x2 and r x c, against R 4.2.2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rctkit/stats.h"
#include "stats/fisher.h"

#define MAXF 16
#define MAXV 64

/* Relative closeness with an absolute floor for values near 0; Inf == Inf. */
static int close_rel(double got, double want, double rel)
{
    if (isinf(want) || isinf(got)) return got == want;
    if (isnan(want) || isnan(got)) return isnan(want) && isnan(got);
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
    if (!strcmp(s, "Inf")) return INFINITY;
    if (!strcmp(s, "-Inf")) return -INFINITY;
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

/* Split a line in place on '|' into at most MAXF fields. */
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

static FILE *open_fixture(void)
{
    FILE *fp = fopen(RK_FIXTURE_DIR "/contingency.txt", "r");
    assert_non_null(fp);
    return fp;
}

static void test_published(void **state)
{
    (void)state;
    rk_htest h;
    rk_error err;
    /* R: fisher.test(TeaTasting) */
    const int64_t tea[] = {3, 1, 1, 3};
    assert_int_equal(rk_fisher_test(tea, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
    CHECK_REL(h.p_value, 0.4857142857142857, 1e-12, "TeaTasting");
    assert_int_equal(rk_fisher_test(tea, 2, 2, RK_ALT_GREATER, 0.95, &h, &err), RK_OK);
    CHECK_REL(h.p_value, 0.2428571428571429, 1e-12, "TeaTasting greater");
    /* R: fisher.test(Convictions); CI printed by R to 7 digits with uniroot's
     * 1.2e-4 tolerance (we solve exactly: 0.0033172 vs R 0.0033258) */
    const int64_t conv[] = {2, 15, 10, 3};
    assert_int_equal(rk_fisher_test(conv, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
    CHECK_REL(h.p_value, 0.0005367241, 1e-7, "Convictions");
    CHECK_REL(h.estimate, 0.04693661, 1e-6, "Convictions");
    CHECK_REL(rk_htest_get(&h, "odds_ratio"), h.estimate, 0, "Convictions");
    CHECK_REL(h.conf_int[0], 0.003325764, 5e-3, "Convictions");
    CHECK_REL(h.conf_int[1], 0.3631823, 1e-4, "Convictions");
    assert_string_equal(h.estimate_name, "odds ratio");
    assert_true(h.exact);
    /* R: fisher.test(Job) */
    const int64_t job[] = {1, 3, 10, 6, 2, 3, 10, 7, 1, 6, 14, 12, 0, 1, 9, 11};
    clock_t c0 = clock();
    assert_int_equal(rk_fisher_test(job, 4, 4, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    CHECK_REL(h.p_value, 0.782684939, 1e-9, "Job");
    assert_true(secs < 1.0); /* includes sanitizer overhead */
    assert_true(isnan(h.estimate));
}

/* Seed trial 002 (hUC-MSC 12 vs control 29), Tables 1-2: the printed p-values
 * are two-sided Fisher p-values (not the chi-square the methods section names). */
static void test_seed_trial(void **state)
{
    (void)state;
    static const struct {
        int64_t t[4];
        double printed, digits;
    } cases[] = {
        {{3, 9, 5, 24}, 0.672, 1e-3},  /* diabetes */
        {{11, 1, 20, 9}, 0.231, 1e-3}, /* respiratory rate > 24/min */
        {{2, 10, 1, 28}, 0.200, 1e-3}, /* clinical improvement day 3 */
        {{7, 5, 5, 24}, 0.020, 1e-3},  /* day 7 */
        {{11, 1, 15, 14}, 0.03, 1e-2}, /* day 14 */
        {{12, 0, 25, 4}, 0.302, 1e-3}, /* day 28 */
        {{7, 5, 3, 26}, 0.0028, 1e-4}, /* scale 3 at day 7 */
        {{2, 10, 7, 22}, 0.702, 1e-3}, /* ALT < 50 */
        {{8, 4, 19, 10}, 1.000, 1e-3}, /* cough */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rk_htest h;
        rk_error err;
        assert_int_equal(rk_fisher_test(cases[i].t, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
        if (fabs(h.p_value - cases[i].printed) > 0.5 * cases[i].digits) {
            print_error("seed case %zu: p = %.6f, paper %g\n", i, h.p_value, cases[i].printed);
            fail();
        }
    }
}

static void test_fixture_2x2(void **state)
{
    (void)state;
    FILE *fp = open_fixture();
    char line[4096];
    char *f[MAXF];
    int n = 0;
    double worst_r = 0.0;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "fisher2|", 8) != 0) continue;
        assert_int_equal(split(line, f), 12);
        int64_t t[MAXV];
        assert_int_equal(parse_counts(f[2], t), 4);
        rk_alternative alt;
        assert_int_equal(rk_alternative_parse(f[3], &alt, NULL), RK_OK);
        double conf = parse_num(f[4]);
        rk_htest h;
        rk_error err;
        assert_int_equal(rk_fisher_test(t, 2, 2, alt, conf, &h, &err), RK_OK);
        /* both exact sums of hypergeometric probabilities */
        CHECK_REL(h.p_value, parse_num(f[5]), 1e-9, f[1]);
        /* roots: vs R's code re-run with uniroot tol 1e-15; the residual
         * difference is the flatness of the equations near the root */
        CHECK_REL(h.estimate, parse_num(f[6]), 1e-7, f[1]);
        CHECK_REL(h.conf_int[0], parse_num(f[7]), 1e-7, f[1]);
        CHECK_REL(h.conf_int[1], parse_num(f[8]), 1e-7, f[1]);
        /* plain fisher.test: uniroot's default absolute tolerance 1.2e-4 on
         * t = OR or 1/OR limits its precision (see docs) */
        double lo_r = parse_num(f[10]);
        if (isfinite(lo_r) && lo_r > 0) {
            double r = fabs(h.conf_int[0] - lo_r) / lo_r;
            if (r > worst_r) worst_r = r;
        }
        /* the two R runs share the p-value exactly */
        assert_true(h.p_value >= 0.0 && h.p_value <= 1.0);
        n++;
    }
    fclose(fp);
    print_message("fisher 2x2: %d R cases; worst rel. diff. of lower limit vs plain fisher.test "
                  "%.2g\n",
                  n, worst_r);
    assert_true(n >= 100);
}

static void test_fixture_rxc(void **state)
{
    (void)state;
    FILE *fp = open_fixture();
    char line[4096];
    char *f[MAXF];
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "fisherrc|", 9) != 0) continue;
        assert_int_equal(split(line, f), 6);
        size_t nr = strtoul(f[2], NULL, 10), nc = strtoul(f[3], NULL, 10);
        int64_t t[MAXV];
        assert_int_equal(parse_counts(f[4], t), nr * nc);
        rk_htest h;
        rk_error err;
        rk_status st = rk_fisher_test(t, nr, nc, RK_ALT_TWO_SIDED, 0.95, &h, &err);
        if (st) print_error("%s: %s\n", f[1], err.msg);
        assert_int_equal(st, RK_OK);
        /* FEXACT and ours are both exact sums; FEXACT's own rounding (it
         * compares log probabilities with tolerance 3.45e-7) bounds agreement */
        CHECK_REL(h.p_value, parse_num(f[5]), 1e-7, f[1]);
        n++;
    }
    fclose(fp);
    print_message("fisher r x c: %d R cases\n", n);
    assert_true(n >= 40);
}

/* ------------------------------------------------ brute-force enumeration */

typedef struct brute {
    size_t nr, nc;
    int64_t row[8], col[8], cell[64];
    double lfact[256];
    double lconst, lthresh, p;
} brute;

static void brute_rec(brute *b, size_t pos, int64_t *rowrem, int64_t *colrem)
{
    size_t i = pos / b->nc, j = pos % b->nc;
    if (pos == b->nr * b->nc) {
        double lp = b->lconst;
        for (size_t k = 0; k < b->nr * b->nc; k++)
            lp -= b->lfact[b->cell[k]];
        if (lp <= b->lthresh) b->p += exp(lp);
        return;
    }
    int64_t lo = 0, hi = rowrem[i] < colrem[j] ? rowrem[i] : colrem[j];
    if (j == b->nc - 1) lo = hi = rowrem[i]; /* last cell of a row is forced */
    if (i == b->nr - 1) {
        if (colrem[j] > hi || colrem[j] < lo) return;
        lo = hi = colrem[j];
    }
    for (int64_t v = lo; v <= hi; v++) {
        if (v > colrem[j] || v > rowrem[i]) break;
        b->cell[pos] = v;
        rowrem[i] -= v;
        colrem[j] -= v;
        brute_rec(b, pos + 1, rowrem, colrem);
        rowrem[i] += v;
        colrem[j] += v;
    }
}

static double brute_p(const int64_t *t, size_t nr, size_t nc)
{
    brute b;
    memset(&b, 0, sizeof b);
    b.nr = nr;
    b.nc = nc;
    int64_t n = 0;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nc; j++) {
            b.row[i] += t[i * nc + j];
            b.col[j] += t[i * nc + j];
            n += t[i * nc + j];
        }
    for (int k = 1; k < 256; k++)
        b.lfact[k] = b.lfact[k - 1] + log((double)k);
    b.lconst = -b.lfact[n];
    for (size_t i = 0; i < nr; i++)
        b.lconst += b.lfact[b.row[i]];
    for (size_t j = 0; j < nc; j++)
        b.lconst += b.lfact[b.col[j]];
    double lobs = b.lconst;
    for (size_t k = 0; k < nr * nc; k++)
        lobs -= b.lfact[t[k]];
    b.lthresh = lobs + log1p(1e-7); /* R: relErr 1 + 1e-7 */
    int64_t rr[8], cr[8];
    memcpy(rr, b.row, sizeof rr);
    memcpy(cr, b.col, sizeof cr);
    brute_rec(&b, 0, rr, cr);
    return b.p;
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static void test_rxc_matches_brute_force(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    int done = 0;
    for (int it = 0; it < 300; it++) {
        size_t nr = 2 + lcg(&seed) % 3, nc = 2 + lcg(&seed) % 3;
        int64_t t[64];
        int maxc = 1 + (int)(lcg(&seed) % (nr * nc > 6 ? 4 : 9));
        for (size_t k = 0; k < nr * nc; k++)
            t[k] = (int64_t)(lcg(&seed) % (uint64_t)(maxc + 1));
        int ok = 1;
        for (size_t i = 0; i < nr && ok; i++) {
            int64_t s = 0;
            for (size_t j = 0; j < nc; j++)
                s += t[i * nc + j];
            ok = s > 0;
        }
        for (size_t j = 0; j < nc && ok; j++) {
            int64_t s = 0;
            for (size_t i = 0; i < nr; i++)
                s += t[i * nc + j];
            ok = s > 0;
        }
        if (!ok) continue;
        double want = brute_p(t, nr, nc), got;
        rk_error err;
        assert_int_equal(rk__fisher_rxc_pvalue(t, nr, nc, &got, &err), RK_OK);
        if (!close_rel(got, want, 1e-10)) {
            print_error("case %d (%zux%zu): network %.17g brute force %.17g\n", it, nr, nc, got,
                        want);
            fail();
        }
        assert_true(got >= 0.0 && got <= 1.0);
        /* the transposed table has the same p-value */
        int64_t tt[64];
        for (size_t i = 0; i < nr; i++)
            for (size_t j = 0; j < nc; j++)
                tt[j * nr + i] = t[i * nc + j];
        double gt;
        assert_int_equal(rk__fisher_rxc_pvalue(tt, nc, nr, &gt, &err), RK_OK);
        assert_true(close_rel(gt, got, 1e-12));
        done++;
    }
    assert_true(done > 200);
}

static void test_2x2_paths_agree(void **state)
{
    (void)state;
    uint64_t seed = 777;
    for (int it = 0; it < 300; it++) {
        int64_t t[4];
        uint64_t maxc = it < 150 ? 10 : 400;
        for (int k = 0; k < 4; k++)
            t[k] = (int64_t)(lcg(&seed) % (maxc + 1));
        if (t[0] + t[1] == 0 || t[2] + t[3] == 0 || t[0] + t[2] == 0 || t[1] + t[3] == 0) continue;
        rk_htest h;
        rk_error err;
        assert_int_equal(rk_fisher_test(t, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
        double p;
        assert_int_equal(rk__fisher_rxc_pvalue(t, 2, 2, &p, &err), RK_OK);
        if (!close_rel(p, h.p_value, 1e-9)) {
            print_error("%lld %lld %lld %lld: 2x2 %.17g network %.17g\n", (long long)t[0],
                        (long long)t[1], (long long)t[2], (long long)t[3], h.p_value, p);
            fail();
        }
        /* one-sided p-values add up to 1 + P(X = x) >= 1; CI contains the MLE */
        rk_htest lo, gr;
        assert_int_equal(rk_fisher_test(t, 2, 2, RK_ALT_LESS, 0.95, &lo, &err), RK_OK);
        assert_int_equal(rk_fisher_test(t, 2, 2, RK_ALT_GREATER, 0.95, &gr, &err), RK_OK);
        assert_true(lo.p_value + gr.p_value >= 1.0 - 1e-12);
        assert_true(h.p_value <= 1.0 && h.p_value > 0.0);
        assert_true(h.conf_int[0] <= h.estimate && h.estimate <= h.conf_int[1]);
    }
}

static void test_boundaries_and_large_counts(void **state)
{
    (void)state;
    rk_htest h;
    rk_error err;
    /* x at the lower end of its support: OR 0, lower limit 0 (R) */
    const int64_t lo[] = {0, 5, 6, 2};
    assert_int_equal(rk_fisher_test(lo, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
    assert_true(h.estimate == 0.0 && h.conf_int[0] == 0.0 && isfinite(h.conf_int[1]));
    const int64_t hi[] = {5, 0, 2, 6};
    assert_int_equal(rk_fisher_test(hi, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
    assert_true(isinf(h.estimate) && isinf(h.conf_int[1]) && h.conf_int[0] > 0.0);
    /* one-sided intervals */
    assert_int_equal(rk_fisher_test(hi, 2, 2, RK_ALT_LESS, 0.9, &h, &err), RK_OK);
    assert_true(h.conf_int[0] == 0.0 && isinf(h.conf_int[1]) && h.p_value == 1.0);
    /* margins in the thousands: log space, no overflow */
    const int64_t big[] = {4000, 3500, 3700, 3900};
    assert_int_equal(rk_fisher_test(big, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
    assert_true(h.p_value > 0.0 && h.p_value < 1e-3);
    assert_true(h.conf_int[0] < h.estimate && h.estimate < h.conf_int[1]);
    const int64_t big3[] = {400, 350, 370, 390, 380, 420};
    assert_int_equal(rk_fisher_test(big3, 2, 3, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_OK);
    assert_true(h.p_value > 0.0 && h.p_value <= 1.0);
}

static void test_too_large_is_erange(void **state)
{
    (void)state;
    int64_t t[64];
    for (int k = 0; k < 64; k++)
        t[k] = 20 + (k * 7) % 13;
    rk_htest h;
    rk_error err;
    clock_t c0 = clock();
    assert_int_equal(rk_fisher_test(t, 8, 8, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_ERANGE);
    assert_non_null(strstr(err.msg, "chi-square"));
    assert_true((double)(clock() - c0) / CLOCKS_PER_SEC < 60.0);
    /* more observations than the log-factorial table allows */
    const int64_t many[] = {4000000, 4000000, 4000000, 4000000, 4000000, 4000000};
    assert_int_equal(rk_fisher_test(many, 2, 3, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_ERANGE);
    assert_non_null(strstr(err.msg, "chi-square"));
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_htest h;
    rk_error err;
    const int64_t ok[] = {3, 1, 1, 3};
    const int64_t neg[] = {3, -1, 1, 3};
    assert_int_equal(rk_fisher_test(neg, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "negative"));
    const int64_t zrow[] = {3, 1, 0, 0, 2, 2};
    assert_int_equal(rk_fisher_test(zrow, 3, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "row 2 has no observations"));
    const int64_t zcol[] = {3, 0, 1, 1, 0, 2};
    assert_int_equal(rk_fisher_test(zcol, 2, 3, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "column 2 has no observations"));
    assert_int_equal(rk_fisher_test(ok, 1, 4, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_EINVAL);
    assert_int_equal(rk_fisher_test(NULL, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_EINVAL);
    assert_int_equal(rk_fisher_test(ok, 2, 2, RK_ALT_TWO_SIDED, 1.0, &h, &err), RK_EINVAL);
    assert_int_equal(rk_fisher_test(ok, 2, 2, RK_ALT_TWO_SIDED, 0.0, &h, &err), RK_EINVAL);
    assert_int_equal(rk_fisher_test(ok, 2, 2, RK_ALT_TWO_SIDED, NAN, &h, &err), RK_EINVAL);
    const int64_t t23[] = {3, 1, 2, 1, 3, 2};
    assert_int_equal(rk_fisher_test(t23, 2, 3, RK_ALT_LESS, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "two-sided"));
    const int64_t huge[] = {INT64_MAX, 1, 1, 1};
    assert_int_equal(rk_fisher_test(huge, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_ERANGE);
    const int64_t big[] = {INT64_MAX / 4, 1, 1, INT64_MAX / 4};
    assert_int_equal(rk_fisher_test(big, 2, 2, RK_ALT_TWO_SIDED, 0.95, &h, &err), RK_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published),
        cmocka_unit_test(test_seed_trial),
        cmocka_unit_test(test_fixture_2x2),
        cmocka_unit_test(test_fixture_rxc),
        cmocka_unit_test(test_rxc_matches_brute_force),
        cmocka_unit_test(test_2x2_paths_agree),
        cmocka_unit_test(test_boundaries_and_large_counts),
        cmocka_unit_test(test_too_large_is_erange),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
