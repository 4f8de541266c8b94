/* Tests for src/models/frame.c: formula parsing and design matrices against R's
 * model.matrix (tests/fixtures/models_glm.txt, make_models_glm.R), plus bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/frame.h"
#include "rctkit/models.h"

#define MAX_FIELDS 32

static size_t split(char *line, char **f, char sep)
{
    size_t k = 0;
    line[strcspn(line, "\r\n")] = '\0';
    f[k++] = line;
    for (char *p = line; *p && k < MAX_FIELDS; p++)
        if (*p == sep) {
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

static rk_table *load_csv(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", RK_FIXTURE_DIR, name);
    rk_table *t = NULL;
    rk_error err = {0};
    if (rk_csv_read(path, &t, &err) != RK_OK) fail_msg("%s: %s", path, err.msg);
    return t;
}

static rk_table *parse_csv(const char *text)
{
    rk_table *t = NULL;
    rk_error err = {0};
    if (rk_csv_parse(text, strlen(text), "inline.csv", &t, &err) != RK_OK) fail_msg("%s", err.msg);
    return t;
}

/* refs "a=b;c=d" -> array (in place) */
static size_t parse_refs(char *s, const char **refs)
{
    if (strcmp(s, "-") == 0) return 0;
    char *f[MAX_FIELDS];
    size_t k = split(s, f, ';');
    for (size_t i = 0; i < k; i++)
        refs[i] = f[i];
    return k;
}

static void test_frames_vs_r(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/models_glm.txt", RK_FIXTURE_DIR);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char line[1 << 20];
    int cases = 0;
    while (fgets(line, sizeof line, fp)) {
        char *f[MAX_FIELDS];
        size_t k = split(line, f, '|');
        if (strcmp(f[0], "frame") != 0) continue;
        assert_int_equal(k, 8);
        rk_table *t = load_csv(f[1]);
        const char *refs[MAX_FIELDS];
        rk_frame_opts o = {0};
        o.reference = refs;
        o.n_reference = parse_refs(f[3], refs);
        if (strncmp(f[2], "died", 4) == 0) o.response_kind = RK_RESPONSE_FACTOR;
        rk_design *d = NULL;
        rk_error err = {0};
        if (rk_design_new(t, f[2], &o, &d, &err) != RK_OK) fail_msg("%s: %s", f[2], err.msg);
        assert_int_equal(d->n, strtol(f[4], NULL, 10));
        assert_int_equal(d->n_dropped, strtol(f[5], NULL, 10));
        char *names[MAX_FIELDS];
        size_t p = split(f[6], names, ',');
        assert_int_equal(d->p, p);
        for (size_t j = 0; j < p; j++)
            assert_string_equal(d->colnames[j], names[j]);
        char *s = f[7];
        for (size_t i = 0; i < d->n * d->p; i++) {
            char *c = strchr(s, ',');
            if (c) *c = '\0';
            assert_true(fabs(num(s) - d->X[i]) <= 1e-12 * fabs(d->X[i]));
            s = c ? c + 1 : s;
        }
        if (o.response_kind == RK_RESPONSE_FACTOR) assert_int_equal(d->n_levels, 2);
        rk_design_free(d);
        rk_table_free(t);
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 40);
}

static const char *csv_small = "y,g,x,c,w\n"
                               "1.5,B,3,a,1\n"
                               "2.5,A,NA,b,2\n"
                               "3.5,B,4,c,1\n"
                               "0.5,A,5,a,0\n"
                               "NA,C,1,b,1\n"
                               "2,C,2,c,3\n";

static void expect_error(rk_table *t, const char *formula, const rk_frame_opts *o, rk_status code,
                         const char *needle)
{
    rk_design *d = NULL;
    rk_error err = {0};
    rk_status st = rk_design_new(t, formula, o, &d, &err);
    if (st != code) fail_msg("%s: expected status %d, got %d (%s)", formula, code, st, err.msg);
    assert_null(d);
    if (!strstr(err.msg, needle)) fail_msg("%s: message '%s' lacks '%s'", formula, err.msg, needle);
}

static void test_bad_formulas(void **state)
{
    (void)state;
    rk_table *t = parse_csv(csv_small);
    expect_error(t, "y ~ g + nosuch", NULL, RK_EINVAL, "nosuch");
    expect_error(t, "nosuch ~ g", NULL, RK_EINVAL, "nosuch");
    expect_error(t, "y ~ g * x", NULL, RK_EINVAL, "interaction");
    expect_error(t, "y ~ g:x", NULL, RK_EINVAL, "position 6");
    expect_error(t, "y ~ log(x)", NULL, RK_EINVAL, "functions");
    expect_error(t, "y g", NULL, RK_EINVAL, "no '~'");
    expect_error(t, "y ~ ", NULL, RK_EINVAL, "nothing after");
    expect_error(t, "y ~ g +", NULL, RK_EINVAL, "missing");
    expect_error(t, "y ~ g - x", NULL, RK_EINVAL, "'-'");
    expect_error(t, "y ~ g + (1 | c) + (1 | g)", NULL, RK_EINVAL, "only one");
    expect_error(t, "y ~ g + (x | c)", NULL, RK_EINVAL, "random intercepts");
    expect_error(t, "y ~ y + g", NULL, RK_EINVAL, "also appears");
    expect_error(t, "g ~ x", NULL, RK_EINVAL, "must be numeric");
    const char *bad_ref[] = {"g=Z"};
    rk_frame_opts o = {.reference = bad_ref, .n_reference = 1};
    expect_error(t, "y ~ g", &o, RK_EINVAL, "'Z' does not occur");
    const char *num_ref[] = {"x=3"};
    rk_frame_opts o2 = {.reference = num_ref, .n_reference = 1};
    expect_error(t, "y ~ x", &o2, RK_EINVAL, "factor(x)");
    const char *other_ref[] = {"c=a"};
    rk_frame_opts o3 = {.reference = other_ref, .n_reference = 1};
    expect_error(t, "y ~ g", &o3, RK_EINVAL, "not a categorical term");
    const char *lev_num[] = {"x=1,2,3"};
    rk_frame_opts o5 = {.levels = lev_num, .n_levels = 1};
    expect_error(t, "y ~ x + g", &o5, RK_EINVAL, "level order 'x=1,2,3' names a variable");
    const char *lev_bad[] = {"g"};
    rk_frame_opts o6 = {.levels = lev_bad, .n_levels = 1};
    expect_error(t, "y ~ g", &o6, RK_EINVAL, "not of the form");
    rk_frame_opts o4 = {.weight = "g"};
    expect_error(t, "y ~ x", &o4, RK_EINVAL, "weight");
    rk_table_free(t);
    rk_table *t1 = parse_csv("y,g\n1,A\n2,A\nNA,B\n");
    expect_error(t1, "y ~ g", NULL, RK_EINVAL, "single level");
    rk_frame_opts of = {.response_kind = RK_RESPONSE_FACTOR};
    expect_error(t1, "g ~ y", &of, RK_EINVAL, "single category");
    rk_table_free(t1);
    rk_table *t2 = parse_csv("y,g\nNA,A\n2,NA\n");
    expect_error(t2, "y ~ g", NULL, RK_EINVAL, "no rows left");
    rk_table_free(t2);
}

static void test_small_design(void **state)
{
    (void)state;
    rk_table *t = parse_csv(csv_small);
    const char *ref[] = {"g=B"};
    rk_frame_opts o = {.reference = ref, .n_reference = 1, .weight = "w"};
    rk_design *d = NULL;
    rk_error err = {0};
    assert_int_equal(rk_design_new(t, "y ~ g + x + (1 | c)", &o, &d, &err), RK_OK);
    /* rows 2 (x NA) and 5 (y NA) dropped */
    assert_int_equal(d->n, 4);
    assert_int_equal(d->n_dropped, 2);
    assert_int_equal(d->p, 4);
    assert_string_equal(d->colnames[1], "gA");
    assert_string_equal(d->colnames[2], "gC");
    assert_string_equal(d->ref_level[1], "B");
    assert_null(d->ref_level[3]);
    assert_string_equal(d->terms[2], "g");
    assert_string_equal(d->cluster_var, "c");
    assert_int_equal(d->n_clusters, 2); /* level "b" only occurs in dropped rows */
    assert_string_equal(d->cluster_names[1], "c");
    size_t want_rows[] = {0, 2, 3, 5};
    double want_w[] = {1, 1, 0, 3};
    size_t want_cl[] = {0, 1, 0, 1};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(d->source_row[i], want_rows[i]);
        assert_true(d->weight[i] == want_w[i]);
        assert_int_equal(d->cluster[i], want_cl[i]);
    }
    double want_x[] = {1, 0, 0, 3, 1, 0, 0, 4, 1, 1, 0, 5, 1, 0, 1, 2};
    for (size_t i = 0; i < 16; i++)
        assert_true(d->X[i] == want_x[i]);
    rk_design_free(d);

    /* factor response with a level order; no response; no intercept */
    const char *lev[] = {"g=C,B,A"};
    rk_frame_opts of = {.response_kind = RK_RESPONSE_FACTOR, .levels = lev, .n_levels = 1};
    assert_int_equal(rk_design_new(t, "g ~ x", &of, &d, &err), RK_OK);
    assert_int_equal(d->n_levels, 3);
    assert_string_equal(d->levels[0], "C");
    assert_true(d->y[0] == 1 && d->y[1] == 1 && d->y[2] == 2 && d->y[3] == 0);
    rk_design_free(d);
    const char *lev_bad[] = {"g=C,B"};
    of.levels = lev_bad;
    expect_error(t, "g ~ x", &of, RK_EINVAL, "does not list the value 'A'");
    assert_int_equal(rk_design_new(t, "~ g", NULL, &d, &err), RK_OK);
    assert_string_equal(d->response, "");
    assert_null(d->y);
    assert_int_equal(d->n, 6);
    rk_design_free(d);
    assert_int_equal(rk_design_new(t, "y ~ 0 + g", NULL, &d, &err), RK_OK);
    assert_int_equal(d->p, 3);
    assert_string_equal(d->colnames[0], "gA");
    rk_design_free(d);
    rk_frame_opts oni = {.no_intercept = 1};
    assert_int_equal(rk_design_new(t, "y ~ -1 + x", NULL, &d, &err), RK_OK);
    assert_int_equal(d->p, 1);
    assert_string_equal(d->colnames[0], "x");
    rk_design_free(d);
    assert_int_equal(rk_design_new(t, "y ~ x", &oni, &d, &err), RK_OK);
    assert_int_equal(d->p, 1);
    assert_string_equal(d->colnames[0], "x");
    rk_design_free(d);
    /* numeric factor levels sort numerically (as R's factor()), backquoted names */
    rk_table *t3 = parse_csv("y,dose level\n1,10\n2,9\n3,100\n4,9\n");
    assert_int_equal(rk_design_new(t3, "y ~ factor(`dose level`)", NULL, &d, &err), RK_OK);
    assert_int_equal(d->p, 3);
    assert_string_equal(d->colnames[1], "factor(dose level)10");
    assert_string_equal(d->colnames[2], "factor(dose level)100");
    rk_design_free(d);
    rk_table_free(t3);
    rk_table_free(t);
}

/* A factor with thousands of levels (a subject ID as a fixed effect) costs O(p^3): refused with
 * RK_ERANGE and a pointer to the random intercept, before any large allocation. */
static void test_column_limit(void **state)
{
    (void)state;
    rk_buf b;
    rk_buf_init(&b, 1 << 20);
    assert_int_equal(rk_buf_appendf(&b, NULL, "y,x,id\n"), RK_OK);
    for (int i = 0; i < 2101; i++) /* 2,101 subjects, 2 rows each: 2,100 + 1 columns */
        for (int r = 0; r < 2; r++)
            assert_int_equal(rk_buf_appendf(&b, NULL, "%d.5,%d,S%04d\n", (i * 7 + r) % 13, r, i),
                             RK_OK);
    rk_table *t = parse_csv(b.data);
    rk_buf_free(&b);
    rk_design *d = NULL;
    rk_error err = {0};
    assert_int_equal(rk_design_new(t, "y ~ x + id", NULL, &d, &err), RK_ERANGE);
    assert_null(d);
    assert_string_equal(err.msg,
                        "'y ~ x + id' needs 2102 fixed-effect columns, more than the limit of "
                        "2000: 'id' has 2101 levels, and a fit's time grows as the cube of the "
                        "columns; for a grouping factor (a subject or center ID) use a random "
                        "intercept \"(1 | id)\" (rctkit model mixed), or raise the limit "
                        "(--max-columns)");
    /* the random intercept is the way: 2 columns */
    assert_int_equal(rk_design_new(t, "y ~ x + (1 | id)", NULL, &d, &err), RK_OK);
    assert_int_equal(d->p, 2);
    assert_int_equal(d->n_clusters, 2101);
    rk_design_free(d);
    /* configurable: a lower cap, numeric columns counted too; the cap itself is allowed */
    rk_frame_opts o = {.max_columns = 2};
    assert_int_equal(rk_design_new(t, "y ~ x", &o, &d, &err), RK_OK);
    rk_design_free(d);
    o.max_columns = 1;
    assert_int_equal(rk_design_new(t, "y ~ x", &o, &d, &err), RK_ERANGE);
    assert_string_equal(err.msg, "'y ~ x' needs 2 fixed-effect columns, more than the limit of 1; "
                                 "raise the limit (--max-columns)");
    o.max_columns = 3000;
    assert_int_equal(rk_design_new(t, "y ~ x + id", &o, &d, &err), RK_OK);
    assert_int_equal(d->p, 2102);
    rk_design_free(d);
    rk_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_vs_r),
        cmocka_unit_test(test_bad_formulas),
        cmocka_unit_test(test_small_design),
        cmocka_unit_test(test_column_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
