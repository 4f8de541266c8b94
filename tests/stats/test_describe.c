/* Tests for src/stats/describe.c: R's quantile types 1-9 and rk_describe,
 * checked against tests/fixtures/describe.txt (made by make_parametric.R). */
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

/* ------------------------------------------------------- fixture parsing */

#define MAX_FIELDS 16
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

/* |a - b| <= tol * max(|a|, |b|), or both NaN, or exactly equal. */
static int close_to(double a, double b, double tol)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    if (a == b) return 1;
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

#define CHECK_CLOSE(got, want, tol, line)                                                          \
    do {                                                                                           \
        if (!close_to((got), (want), (tol)))                                                       \
            fail_msg("fixture line %zu: %s = %.17g, R gives %.17g", (line), #got, (double)(got),   \
                     (double)(want));                                                              \
    } while (0)

/* ------------------------------------------------------------- R fixtures */

static void test_fixture_quantiles_and_summaries(void **state)
{
    (void)state;
    FILE *fp = open_fixture("describe.txt");
    char *line = NULL;
    size_t cap = 0, lineno = 0, nq = 0, nd = 0, nexact = 0;
    char *f[MAX_FIELDS];
    while (getline(&line, &cap, fp) > 0) {
        lineno++;
        size_t k = split(line, f);
        rk_error err;
        if (strcmp(f[0], "vec") == 0) {
            long id = inum(f[1]);
            assert_true(id >= 1 && id <= MAX_VECS);
            parse_vec(f[2], &vecs[id]);
        } else if (strcmp(f[0], "quantile") == 0) {
            assert_int_equal(k, 5);
            const vec *v = &vecs[inum(f[1])];
            double q = NAN;
            assert_int_equal(rk_quantile(v->x, v->n, num(f[3]), (int)inum(f[2]), &q, &err), RK_OK);
            /* Same arithmetic as R's quantile.default: identical up to the
             * last bit in practice; allow 2 ulp for compiler reassociation. */
            CHECK_CLOSE(q, num(f[4]), 4.5e-16, lineno);
            nexact += q == num(f[4]);
            nq++;
        } else if (strcmp(f[0], "describe") == 0) {
            assert_int_equal(k, 12);
            const vec *v = &vecs[inum(f[1])];
            rk_summary s;
            assert_int_equal(rk_describe(v->x, v->n, (int)inum(f[2]), &s, &err), RK_OK);
            assert_int_equal(s.n, inum(f[3]));
            assert_int_equal(s.n_missing, inum(f[4]));
            /* mean/sd: both two-pass in long double; summation order may differ
             * slightly from R's, hence 1e-13. */
            CHECK_CLOSE(s.mean, num(f[5]), 1e-13, lineno);
            CHECK_CLOSE(s.sd, num(f[6]), 1e-13, lineno);
            CHECK_CLOSE(s.median, num(f[7]), 4.5e-16, lineno);
            CHECK_CLOSE(s.q1, num(f[8]), 4.5e-16, lineno);
            CHECK_CLOSE(s.q3, num(f[9]), 4.5e-16, lineno);
            CHECK_CLOSE(s.min, num(f[10]), 0, lineno);
            CHECK_CLOSE(s.max, num(f[11]), 0, lineno);
            nd++;
        } else {
            fail_msg("describe.txt line %zu: unknown record '%s'", lineno, f[0]);
        }
    }
    free(line);
    fclose(fp);
    free_vecs();
    print_message("describe.txt: %zu quantiles (%zu bit-identical to R), %zu summaries\n", nq,
                  nexact, nd);
    assert_true(nq > 30000);
    assert_true(nd > 1000);
}

/* ------------------------------------------------------- hand-made checks */

static void test_sas_qntldef5_is_type2(void **state)
{
    (void)state;
    /* SAS PROC UNIVARIATE QNTLDEF=5 (SAS documentation, "Calculating
     * Percentiles"): with np = j + g, the p-quantile is (x_j + x_(j+1))/2 when
     * g = 0, else x_(j+1).  For x = 1..10: p = 0.25 -> np = 2.5 -> x_3 = 3;
     * p = 0.5 -> np = 5 -> (x_5 + x_6)/2 = 5.5; p = 0.75 -> 7.5 -> x_8 = 8;
     * p = 0.2 -> np = 2 -> (x_2 + x_3)/2 = 2.5. */
    const double x[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    const double p[] = {0.25, 0.5, 0.75, 0.2, 0.0, 1.0};
    const double want[] = {3, 5.5, 8, 2.5, 1, 10};
    rk_error err;
    for (size_t i = 0; i < 6; i++) {
        double q;
        assert_int_equal(rk_quantile(x, 10, p[i], RK_QUANTILE_DEFAULT, &q, &err), RK_OK);
        assert_true(q == want[i]);
        double q2;
        assert_int_equal(rk_quantile(x, 10, p[i], 2, &q2, &err), RK_OK);
        assert_true(q == q2);
    }
    rk_summary s;
    assert_int_equal(rk_describe(x, 10, RK_QUANTILE_DEFAULT, &s, &err), RK_OK);
    assert_true(s.median == 5.5 && s.q1 == 3 && s.q3 == 8);
}

static void test_fuzz_in_continuous_types(void **state)
{
    (void)state;
    /* R: quantile(1:10, 0.7, type = 6) = 7.7 (nppm = 0.7 * 11 = 7.7) and
     * quantile(1:4, 0.4, type = 4) = 1.6 (nppm = 0.4 * 4 = 1.6).
     * quantile((1:5)^2, 0.5, type = 8) = 9 exactly: nppm = 1/3 + 0.5 * (6 - 2/3)
     * = 3.0000000000000004, h < fuzz = 4 * .Machine$double.eps so R returns x[3];
     * without the fuzz the blend with x[4] = 16 would give 9.000000000000004.
     * Likewise quantile((1:6)^2, 0.42, type = 9) = 9. */
    const double x10[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const double sq[] = {1, 4, 9, 16, 25, 36};
    double q;
    rk_error err;
    assert_int_equal(rk_quantile(x10, 10, 0.7, 6, &q, &err), RK_OK);
    assert_true(fabs(q - 7.7) < 1e-12);
    assert_int_equal(rk_quantile(x10, 4, 0.4, 4, &q, &err), RK_OK);
    assert_true(fabs(q - 1.6) < 1e-12);
    assert_int_equal(rk_quantile(sq, 5, 0.5, 8, &q, &err), RK_OK);
    assert_true(q == 9.0);
    assert_int_equal(rk_quantile(sq, 6, 0.42, 9, &q, &err), RK_OK);
    assert_true(q == 9.0);
}

static void test_describe_missing_and_small(void **state)
{
    (void)state;
    rk_summary s;
    rk_error err;
    const double one[] = {NAN, 4.0, NAN};
    assert_int_equal(rk_describe(one, 3, 2, &s, &err), RK_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.n_missing, 2);
    assert_true(s.mean == 4.0 && s.median == 4.0 && s.min == 4.0 && s.max == 4.0);
    assert_true(isnan(s.sd));
    const double none[] = {NAN, NAN};
    assert_int_equal(rk_describe(none, 2, 2, &s, &err), RK_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.n_missing, 2);
    assert_true(isnan(s.mean) && isnan(s.median) && isnan(s.min));
    assert_int_equal(rk_describe(NULL, 0, 7, &s, &err), RK_OK);
    assert_int_equal(s.n, 0);
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_error err;
    rk_summary s;
    double q;
    const double inf[] = {1, INFINITY, 2};
    assert_int_equal(rk_describe(inf, 3, 2, &s, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "value 2 is infinite"));
    const double x[] = {1, 2, 3};
    assert_int_equal(rk_describe(x, 3, 0, &s, &err), RK_EINVAL);
    assert_int_equal(rk_describe(x, 3, 10, &s, &err), RK_EINVAL);
    assert_int_equal(rk_quantile(x, 3, 0.5, 10, &q, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "type 10"));
    assert_int_equal(rk_quantile(x, 3, 1.5, 7, &q, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "outside [0, 1]"));
    assert_int_equal(rk_quantile(x, 3, -0.1, 7, &q, &err), RK_EINVAL);
    assert_int_equal(rk_quantile(x, 3, NAN, 7, &q, &err), RK_EINVAL);
    assert_int_equal(rk_quantile(x, 0, 0.5, 7, &q, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "empty"));
    const double nan[] = {1, NAN};
    assert_int_equal(rk_quantile(nan, 2, 0.5, 7, &q, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));
    /* R accepts probabilities within 100 * .Machine$double.eps of [0, 1] */
    assert_int_equal(rk_quantile(x, 3, 1.0 + 1e-15, 7, &q, &err), RK_OK);
    assert_true(q == 3.0);
    assert_int_equal(rk_quantile(x, 3, -1e-15, 1, &q, &err), RK_OK);
    assert_true(q == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_quantiles_and_summaries),
        cmocka_unit_test(test_sas_qntldef5_is_type2),
        cmocka_unit_test(test_fuzz_in_continuous_types),
        cmocka_unit_test(test_describe_missing_and_small),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
