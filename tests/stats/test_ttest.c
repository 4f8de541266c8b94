/* Tests for src/stats/ttest.c: Student, Welch and one-sample t-tests and
 * one-way ANOVA, against tests/fixtures/parametric.txt (make_parametric.R),
 * plus property and bad-input tests. */
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
#include "stats/ttest.h"

/* ------------------------------------------------------- fixture parsing */

#define MAX_FIELDS 24
#define MAX_VECS 1024

typedef struct vec {
    double *x;
    size_t n;
} vec;

static vec vecs[MAX_VECS + 1];

/* Split line in place at '|' (and strip the newline); returns the field count. */
static size_t split(char *line, char **f)
{
    size_t k = 0;
    line[strcspn(line, "\r\n")] = '\0';
    f[k++] = line;
    for (char *p = line; *p && k < MAX_FIELDS; p++)
        if (*p == '|') {
            *p = '\0';
            f[k++] = p + 1;
        }
    return k;
}

static double num(const char *s)
{
    if (strcmp(s, "NA") == 0) return NAN;
    char *end;
    double v = strtod(s, &end);
    assert_true(end != s && *end == '\0');
    return v;
}

static long inum(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    assert_true(end != s && *end == '\0');
    return v;
}

static void parse_vec(char *s, vec *v)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    v->x = malloc(cap * sizeof *v->x);
    assert_non_null(v->x);
    v->n = 0;
    char *p = s;
    for (;;) {
        char *c = strchr(p, ',');
        if (c) *c = '\0';
        v->x[v->n++] = num(p);
        if (!c) break;
        p = c + 1;
    }
}

static FILE *open_fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", RK_FIXTURE_DIR, name);
    FILE *fp = fopen(path, "r");
    if (!fp) fail_msg("cannot open fixture %s", path);
    return fp;
}

static void free_vecs(void)
{
    for (size_t i = 0; i <= MAX_VECS; i++) {
        free(vecs[i].x);
        vecs[i].x = NULL;
    }
}

/* |a - b| <= tol * max(|a|, |b|, scale): relative, but absolute near zero on
 * the given scale (a CI bound near 0 is judged against the standard error). */
static int close_scaled(double a, double b, double tol, double scale)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    if (a == b) return 1;
    return fabs(a - b) <= tol * fmax(fmax(fabs(a), fabs(b)), scale);
}

#define CHECK_SCALED(got, want, tol, scale, line)                                                  \
    do {                                                                                           \
        if (!close_scaled((got), (want), (tol), (scale)))                                          \
            fail_msg("fixture line %zu: %s = %.17g, R gives %.17g", (line), #got, (double)(got),   \
                     (double)(want));                                                              \
    } while (0)

static size_t *group_codes(const vec *g)
{
    size_t *c = malloc((g->n ? g->n : 1) * sizeof *c);
    assert_non_null(c);
    for (size_t i = 0; i < g->n; i++)
        c[i] = (size_t)g->x[i];
    return c;
}

/* ------------------------------------------------------------- R fixtures */

static void test_fixture_ttest_anova(void **state)
{
    (void)state;
    FILE *fp = open_fixture("parametric.txt");
    char *line = NULL;
    size_t cap = 0, lineno = 0, nt = 0, na = 0;
    char *f[MAX_FIELDS];
    double worst_p = 0.0;
    while (getline(&line, &cap, fp) > 0) {
        lineno++;
        size_t k = split(line, f);
        rk_error err;
        if (strcmp(f[0], "vec") == 0) {
            long id = inum(f[1]);
            assert_true(id >= 1 && id <= MAX_VECS);
            parse_vec(f[2], &vecs[id]);
        } else if (strcmp(f[0], "ttest") == 0) {
            assert_int_equal(k, 16);
            rk_alternative alt;
            assert_int_equal(rk_alternative_parse(f[2], &alt, &err), RK_OK);
            const vec *x = &vecs[inum(f[5])];
            const vec *y = strcmp(f[6], "-") == 0 ? NULL : &vecs[inum(f[6])];
            int welch = strcmp(f[1], "welch") == 0;
            rk_htest h;
            rk_status st = rk_t_test(x->x, x->n, y ? y->x : NULL, y ? y->n : 0, welch, alt,
                                     num(f[3]), num(f[4]), &h, &err);
            if (st) fail_msg("line %zu: %s", lineno, err.msg);
            double se = num(f[13]);
            /* t, df, mean, SE: same formulas as R, summation order may differ */
            CHECK_SCALED(h.statistic, num(f[7]), 1e-12, 0, lineno);
            CHECK_SCALED(rk_htest_get(&h, "df"), num(f[8]), 1e-12, 0, lineno);
            /* p: incomplete beta vs R's pt, 1e-10 relative (GSL's accuracy is ~1e-13 here) */
            CHECK_SCALED(h.p_value, num(f[9]), 1e-10, 0, lineno);
            double rel = fabs(h.p_value - num(f[9])) / num(f[9]);
            if (rel > worst_p) worst_p = rel;
            /* CI: qt from GSL's inverse t (<= 1e-13 vs R), bounds judged on the SE scale */
            CHECK_SCALED(h.conf_int[0], num(f[10]), 1e-10, se, lineno);
            CHECK_SCALED(h.conf_int[1], num(f[11]), 1e-10, se, lineno);
            CHECK_SCALED(h.estimate, num(f[12]), 1e-12, se, lineno);
            CHECK_SCALED(rk_htest_get(&h, "std_error"), se, 1e-12, 0, lineno);
            CHECK_SCALED(rk_htest_get(&h, "mean_x"), num(f[14]), 1e-13, 0, lineno);
            CHECK_SCALED(rk_htest_get(&h, "mean_y"), num(f[15]), 1e-13, 0, lineno);
            assert_true(h.conf_level == num(f[4]));
            assert_int_equal(h.alternative, alt);
            nt++;
        } else if (strcmp(f[0], "anova") == 0) {
            assert_int_equal(k, 9);
            const vec *x = &vecs[inum(f[1])];
            const vec *g = &vecs[inum(f[2])];
            size_t *gc = group_codes(g);
            size_t kk = 0;
            for (size_t i = 0; i < g->n; i++)
                if (gc[i] + 1 > kk) kk = gc[i] + 1;
            rk_htest h;
            rk_status st = rk_anova_oneway(x->x, gc, x->n, kk, &h, &err);
            free(gc);
            if (st) fail_msg("line %zu: %s", lineno, err.msg);
            /* R computes the sums of squares by QR (lm), we by group means */
            CHECK_SCALED(h.statistic, num(f[3]), 1e-11, 0, lineno);
            assert_true(rk_htest_get(&h, "df1") == num(f[4]));
            assert_true(rk_htest_get(&h, "df2") == num(f[5]));
            CHECK_SCALED(h.p_value, num(f[6]), 1e-10, 0, lineno);
            CHECK_SCALED(rk_htest_get(&h, "ss_between"), num(f[7]), 1e-11, num(f[8]), lineno);
            CHECK_SCALED(rk_htest_get(&h, "ss_within"), num(f[8]), 1e-11, 0, lineno);
            na++;
        }
    }
    free(line);
    fclose(fp);
    free_vecs();
    print_message("parametric.txt: %zu t-tests (worst p relative error %.2g), %zu ANOVAs\n", nt,
                  worst_p, na);
    assert_true(nt >= 150);
    assert_true(na >= 50);
}

/* ------------------------------------------------------- hand-made checks */

static void test_sleep_data(void **state)
{
    (void)state;
    /* R: with(sleep, t.test(extra[group == 1], extra[group == 2])):
     * t = -1.8608, df = 17.776, p = 0.07939414, CI (-3.3654832, 0.2054832);
     * var.equal = TRUE: t = -1.8608, df = 18, p = 0.07919;
     * paired: t = -4.0621, df = 9, p = 0.002833, CI (-2.4598858, -0.7001142). */
    const double g1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    const double g2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    rk_htest h;
    rk_error err;
    assert_int_equal(rk_t_test(g1, 10, g2, 10, 1, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_OK);
    assert_true(fabs(h.statistic + 1.8608134) < 1e-6);
    assert_true(fabs(rk_htest_get(&h, "df") - 17.776474) < 1e-5);
    assert_true(fabs(h.p_value - 0.07939414019) < 1e-10);
    assert_true(fabs(h.conf_int[0] + 3.3654832) < 1e-6 && fabs(h.conf_int[1] - 0.2054832) < 1e-6);
    assert_true(fabs(h.estimate + 1.58) < 1e-12);
    assert_int_equal(rk_t_test(g1, 10, g2, 10, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_OK);
    assert_true(rk_htest_get(&h, "df") == 18);
    assert_true(fabs(h.p_value - 0.07918671422) < 1e-10);
    double d[10];
    for (int i = 0; i < 10; i++)
        d[i] = g1[i] - g2[i];
    assert_int_equal(rk_t_test(d, 10, NULL, 0, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_OK);
    assert_true(fabs(h.statistic + 4.0621) < 1e-4);
    assert_true(fabs(h.p_value - 0.002832890197) < 1e-12);
    assert_true(fabs(h.conf_int[0] + 2.4598858) < 1e-6 && fabs(h.conf_int[1] + 0.7001142) < 1e-6);
    assert_true(isnan(rk_htest_get(&h, "mean_y")));
}

static void test_far_tail_accuracy(void **state)
{
    (void)state;
    /* P(T_100 > 20) = 4.9971339306684723e-37 (R: pt(20, 100, lower.tail = FALSE));
     * GSL's gsl_cdf_tdist_Q is off by 7.5e-9 relative here. */
    assert_true(fabs(rk__pt_upper(20, 100) / 4.9971339306684723e-37 - 1) < 1e-12);
    /* pt(30, 100, lower.tail = FALSE) = 4.190166279344168e-52 (GSL: 5e-7 off) */
    assert_true(fabs(rk__pt_upper(30, 100) / 4.190166279344168e-52 - 1) < 1e-11);
    /* pt(50, 1000, lower.tail = FALSE): GSL alone is 3e-10 off */
    assert_true(fabs(rk__pt_upper(50, 1000) / 1.3793362061624403e-274 - 1) < 1e-12);
    /* large df goes through GSL: pt(30, 1e5, lower.tail = FALSE), pt(-3, 5000),
     * pt(0.3, 1e4, lower.tail = FALSE) */
    assert_true(fabs(rk__pt_upper(30, 1e5) / 3.6892684361109122e-197 - 1) < 1e-12);
    assert_true(fabs(rk__pt_upper(3, 5000) / 1.3565545121428954e-03 - 1) < 1e-12);
    assert_true(fabs(rk__pt_upper(0.3, 1e4) / 3.8209169561466610e-01 - 1) < 1e-12);
    /* symmetric and complementary */
    assert_true(fabs(rk__pt_upper(-1.5, 7.3) + rk__pt_upper(1.5, 7.3) - 1) < 1e-15);
    assert_true(rk__pt_upper(0, 4) == 0.5);
}

static void test_properties(void **state)
{
    (void)state;
    const double x[] = {5.1, 4.8, 6.3, 5.9, 7.2, 4.4, 5.5};
    const double y[] = {4.0, 4.6, 3.9, 5.2, 4.1, 4.7, 3.5, 4.9, 5.0};
    rk_error err;
    rk_htest a, b, c, l, g;
    for (int welch = 0; welch <= 1; welch++) {
        /* swapping the samples flips the sign of t and the direction of the test */
        assert_int_equal(rk_t_test(x, 7, y, 9, welch, RK_ALT_TWO_SIDED, 0.3, 0.9, &a, &err), 0);
        assert_int_equal(rk_t_test(y, 9, x, 7, welch, RK_ALT_TWO_SIDED, -0.3, 0.9, &b, &err), 0);
        assert_true(fabs(a.statistic + b.statistic) < 1e-12);
        assert_true(fabs(a.p_value - b.p_value) < 1e-14);
        assert_true(fabs(a.conf_int[0] + b.conf_int[1]) < 1e-12);
        assert_int_equal(rk_t_test(x, 7, y, 9, welch, RK_ALT_LESS, 0.3, 0.9, &l, &err), 0);
        assert_int_equal(rk_t_test(x, 7, y, 9, welch, RK_ALT_GREATER, 0.3, 0.9, &g, &err), 0);
        assert_true(fabs(l.p_value + g.p_value - 1) < 1e-14);
        assert_true(fabs(a.p_value - 2 * fmin(l.p_value, g.p_value)) < 1e-14);
        assert_true(isinf(l.conf_int[0]) && l.conf_int[0] < 0 && isinf(g.conf_int[1]));
        /* the two-sided 90% CI's bounds are the one-sided 95% bounds */
        assert_int_equal(rk_t_test(x, 7, y, 9, welch, RK_ALT_LESS, 0.3, 0.95, &l, &err), 0);
        assert_int_equal(rk_t_test(x, 7, y, 9, welch, RK_ALT_GREATER, 0.3, 0.95, &g, &err), 0);
        assert_true(fabs(l.conf_int[1] - a.conf_int[1]) < 1e-12);
        assert_true(fabs(g.conf_int[0] - a.conf_int[0]) < 1e-12);
        /* the CI is centred on the estimate; mu moves t but not the CI */
        assert_true(fabs((a.conf_int[0] + a.conf_int[1]) / 2 - a.estimate) < 1e-12);
        assert_int_equal(rk_t_test(x, 7, y, 9, welch, RK_ALT_TWO_SIDED, 0, 0.9, &c, &err), 0);
        assert_true(fabs(c.conf_int[0] - a.conf_int[0]) < 1e-12);
        assert_true(c.statistic > a.statistic);
    }
    /* equal sizes: Student and Welch give the same t */
    assert_int_equal(rk_t_test(x, 7, y, 7, 0, RK_ALT_TWO_SIDED, 0, 0.95, &a, &err), 0);
    assert_int_equal(rk_t_test(x, 7, y, 7, 1, RK_ALT_TWO_SIDED, 0, 0.95, &b, &err), 0);
    assert_true(fabs(a.statistic - b.statistic) < 1e-12);
    assert_true(rk_htest_get(&b, "df") <= rk_htest_get(&a, "df"));
    /* ANOVA with two groups is the pooled t-test: F = t^2, same p */
    double xy[16];
    size_t gi[16];
    for (size_t i = 0; i < 7; i++)
        xy[i] = x[i], gi[i] = 0;
    for (size_t i = 0; i < 9; i++)
        xy[7 + i] = y[i], gi[7 + i] = 1;
    assert_int_equal(rk_t_test(x, 7, y, 9, 0, RK_ALT_TWO_SIDED, 0, 0.95, &a, &err), 0);
    assert_int_equal(rk_anova_oneway(xy, gi, 16, 2, &b, &err), 0);
    assert_true(fabs(b.statistic / (a.statistic * a.statistic) - 1) < 1e-12);
    assert_true(fabs(b.p_value / a.p_value - 1) < 1e-10);
    /* ANOVA is invariant to a shift and to relabelling the groups */
    for (size_t i = 0; i < 16; i++)
        xy[i] += 1e6, gi[i] = 1 - gi[i];
    assert_int_equal(rk_anova_oneway(xy, gi, 16, 2, &c, &err), 0);
    assert_true(fabs(c.statistic / b.statistic - 1) < 1e-8);
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_error err;
    rk_htest h;
    const double x[] = {1, 2, 3, 4};
    const double c[] = {2.5, 2.5, 2.5};
    const double nan[] = {1, NAN, 3};
    /* too few observations for a variance */
    assert_int_equal(rk_t_test(x, 1, NULL, 0, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2"));
    assert_int_equal(rk_t_test(x, 1, x, 4, 1, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    assert_int_equal(rk_t_test(x, 0, x, 4, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    assert_int_equal(rk_t_test(x, 1, x + 1, 1, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    /* Student with one observation in x is fine (R agrees) */
    assert_int_equal(rk_t_test(x, 1, x + 1, 3, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_OK);
    /* R: "data are essentially constant" */
    assert_int_equal(rk_t_test(c, 3, NULL, 0, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "essentially constant"));
    const double zeros[] = {0, 0, 0};
    assert_int_equal(rk_t_test(zeros, 3, NULL, 0, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err),
                     RK_EINVAL);
    assert_int_equal(rk_t_test(c, 3, c, 2, 1, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "essentially constant"));
    /* NaN / Inf, conf level, mu */
    assert_int_equal(rk_t_test(nan, 3, NULL, 0, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));
    const double inf[] = {1, 2, -INFINITY};
    assert_int_equal(rk_t_test(x, 4, inf, 3, 0, RK_ALT_TWO_SIDED, 0, 0.95, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "infinite"));
    assert_int_equal(rk_t_test(x, 4, NULL, 0, 0, RK_ALT_TWO_SIDED, 0, 1.0, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "confidence level"));
    assert_int_equal(rk_t_test(x, 4, NULL, 0, 0, RK_ALT_TWO_SIDED, 0, NAN, &h, &err), RK_EINVAL);
    assert_int_equal(rk_t_test(x, 4, NULL, 0, 0, RK_ALT_TWO_SIDED, NAN, 0.95, &h, &err), RK_EINVAL);
    /* ANOVA: empty group, bad index, constant groups, no residual df */
    const double v[] = {1, 2, 3, 4, 5};
    size_t g_empty[] = {0, 0, 2, 2, 0};
    assert_int_equal(rk_anova_oneway(v, g_empty, 5, 3, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "group index 1 has no observations"));
    size_t g_bad[] = {0, 1, 5, 1, 0};
    assert_int_equal(rk_anova_oneway(v, g_bad, 5, 2, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "observation 3"));
    size_t g_one[] = {0, 0, 0, 0, 0};
    assert_int_equal(rk_anova_oneway(v, g_one, 5, 1, &h, &err), RK_EINVAL);
    const double w[] = {1, 1, 2, 2, 2};
    size_t g2[] = {0, 0, 1, 1, 1};
    assert_int_equal(rk_anova_oneway(w, g2, 5, 2, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "no variation within groups"));
    size_t g3[] = {0, 1};
    assert_int_equal(rk_anova_oneway(v, g3, 2, 2, &h, &err), RK_EINVAL);
    assert_int_equal(rk_anova_oneway(nan, g2, 3, 2, &h, &err), RK_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_ttest_anova), cmocka_unit_test(test_sleep_data),
        cmocka_unit_test(test_far_tail_accuracy),   cmocka_unit_test(test_properties),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
