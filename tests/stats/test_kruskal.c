/* Tests for src/stats/kruskal.c: Kruskal-Wallis against R's kruskal.test
 * (tests/fixtures/parametric.txt, made by make_parametric.R), properties and bad input. */
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

static void test_fixture_kruskal(void **state)
{
    (void)state;
    FILE *fp = open_fixture("parametric.txt");
    char *line = NULL;
    size_t cap = 0, lineno = 0, nk = 0, nties = 0;
    char *f[MAX_FIELDS];
    while (getline(&line, &cap, fp) > 0) {
        lineno++;
        size_t k = split(line, f);
        rk_error err;
        if (strcmp(f[0], "vec") == 0) {
            long id = inum(f[1]);
            assert_true(id >= 1 && id <= MAX_VECS);
            parse_vec(f[2], &vecs[id]);
        } else if (strcmp(f[0], "kruskal") == 0) {
            assert_int_equal(k, 7);
            const vec *x = &vecs[inum(f[1])];
            const vec *g = &vecs[inum(f[2])];
            size_t *gc = group_codes(g);
            rk_htest h;
            rk_status st = rk_kruskal_test(x->x, gc, x->n, (size_t)inum(f[3]), &h, &err);
            free(gc);
            if (st) fail_msg("line %zu: %s", lineno, err.msg);
            /* same formula as R; sums of midranks are exact in double */
            CHECK_SCALED(h.statistic, num(f[4]), 1e-12, 0, lineno);
            assert_true(rk_htest_get(&h, "df") == num(f[5]));
            /* GSL chi-square upper tail vs R's pchisq: <= 1e-13 relative */
            CHECK_SCALED(h.p_value, num(f[6]), 1e-10, 0, lineno);
            nties += rk_htest_get(&h, "n_tie_groups") > 0;
            nk++;
        }
    }
    free(line);
    fclose(fp);
    free_vecs();
    print_message("parametric.txt: %zu Kruskal-Wallis tests (%zu with ties)\n", nk, nties);
    assert_true(nk >= 50);
    assert_true(nties >= 20);
}

/* ------------------------------------------------------- hand-made checks */

static void test_airquality(void **state)
{
    (void)state;
    /* STATS-CONVENTIONS.md: kruskal.test(Ozone ~ Month, airquality) =
     * 29.266576, df 4, p = 6.900714e-06.  The data are the fixture's airquality
     * record (Ozone without NA, group = Month - 5); find it by its H. */
    FILE *fp = open_fixture("parametric.txt");
    char *line = NULL;
    size_t cap = 0;
    char *f[MAX_FIELDS];
    int found = 0;
    while (getline(&line, &cap, fp) > 0) {
        split(line, f);
        if (strcmp(f[0], "vec") == 0) parse_vec(f[2], &vecs[inum(f[1])]);
        if (strcmp(f[0], "kruskal") == 0 && strncmp(f[4], "29.2665", 7) == 0) {
            const vec *x = &vecs[inum(f[1])];
            const vec *g = &vecs[inum(f[2])];
            assert_int_equal(x->n, 116);
            size_t *gc = group_codes(g);
            rk_htest h;
            rk_error err;
            assert_int_equal(rk_kruskal_test(x->x, gc, x->n, 5, &h, &err), RK_OK);
            free(gc);
            assert_true(fabs(h.statistic - 29.266576) < 5e-7);
            assert_true(rk_htest_get(&h, "df") == 4);
            assert_true(fabs(h.p_value - 6.900714e-06) < 5e-13);
            assert_string_equal(h.statistic_name, "H");
            found = 1;
        }
    }
    free(line);
    fclose(fp);
    free_vecs();
    assert_true(found);
}

static void test_hand_computed(void **state)
{
    (void)state;
    /* No ties: groups {1,2,3}, {4,5}, {6,7,8,9}; rank sums 6, 9, 30, n = 9:
     * H = 12/(9*10) * (36/3 + 81/2 + 900/4) - 3*10 = 7.0 (R agrees: 7, df 2,
     * p = exp(-3.5) = 0.0301973834223185). */
    const double x[] = {3, 8, 1, 5, 9, 2, 6, 4, 7};
    const size_t g[] = {0, 2, 0, 1, 2, 0, 2, 1, 2};
    rk_htest h;
    rk_error err;
    assert_int_equal(rk_kruskal_test(x, g, 9, 3, &h, &err), RK_OK);
    assert_true(fabs(h.statistic - 7.0) < 1e-13);
    assert_true(fabs(h.p_value - exp(-3.5)) < 1e-15);
    assert_true(rk_htest_get(&h, "df") == 2);
    assert_int_equal(h.exact, 0);
    assert_int_equal(h.alternative, RK_ALT_NONE);
}

static void test_properties(void **state)
{
    (void)state;
    const double x[] = {2.1, 3.3, 3.3, 1.0, 5.2, 4.4, 3.3, 0.5, 2.1, 6.0, 7.5, 2.1};
    const size_t g[] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 2, 0};
    rk_htest a, b, c;
    rk_error err;
    assert_int_equal(rk_kruskal_test(x, g, 12, 3, &a, &err), RK_OK);
    /* ranks only: a strictly increasing transform leaves H unchanged */
    double y[12];
    for (int i = 0; i < 12; i++)
        y[i] = exp(x[i]) * 10 - 3;
    assert_int_equal(rk_kruskal_test(y, g, 12, 3, &b, &err), RK_OK);
    assert_true(fabs(a.statistic - b.statistic) < 1e-12);
    /* relabelling the groups and reordering the observations change nothing */
    size_t g2[12];
    double x2[12];
    for (int i = 0; i < 12; i++) {
        x2[i] = x[11 - i];
        g2[i] = (g[11 - i] + 1) % 3;
    }
    assert_int_equal(rk_kruskal_test(x2, g2, 12, 3, &c, &err), RK_OK);
    assert_true(fabs(a.statistic - c.statistic) < 1e-12);
    assert_true(fabs(a.p_value - c.p_value) < 1e-14);
    /* identical groups give H = 0, p = 1 */
    const double z[] = {1, 2, 3, 1, 2, 3};
    const size_t gz[] = {0, 0, 0, 1, 1, 1};
    assert_int_equal(rk_kruskal_test(z, gz, 6, 2, &a, &err), RK_OK);
    assert_true(fabs(a.statistic) < 1e-13);
    assert_true(fabs(a.p_value - 1) < 1e-12);
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_htest h;
    rk_error err;
    const double x[] = {1, 2, 3, 4, 5};
    const size_t g_empty[] = {0, 0, 2, 2, 0};
    assert_int_equal(rk_kruskal_test(x, g_empty, 5, 3, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "group index 1 has no observations"));
    const size_t g_bad[] = {0, 1, 7, 1, 0};
    assert_int_equal(rk_kruskal_test(x, g_bad, 5, 2, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "observation 3"));
    const size_t g_one[] = {0, 0, 0, 0, 0};
    assert_int_equal(rk_kruskal_test(x, g_one, 5, 1, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2 groups"));
    const double ties[] = {4, 4, 4, 4};
    const size_t g2[] = {0, 1, 0, 1};
    assert_int_equal(rk_kruskal_test(ties, g2, 4, 2, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "all 4 observations are equal"));
    const double nan[] = {1, 2, NAN, 4};
    assert_int_equal(rk_kruskal_test(nan, g2, 4, 2, &h, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));
    const double inf[] = {1, INFINITY, 3, 4};
    assert_int_equal(rk_kruskal_test(inf, g2, 4, 2, &h, &err), RK_EINVAL);
    assert_int_equal(rk_kruskal_test(NULL, NULL, 0, 2, &h, &err), RK_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_kruskal), cmocka_unit_test(test_airquality),
        cmocka_unit_test(test_hand_computed),   cmocka_unit_test(test_properties),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
