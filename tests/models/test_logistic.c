/* Tests for src/models/logistic.c: IRLS fits against R glm, Wald CIs
 * (confint.default) and profile-likelihood CIs (MASS confint), from
 * tests/fixtures/models_glm.txt (make_models_glm.R); separation and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/models.h"

#define MAX_FIELDS 32
#define MAX_P 24

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

static size_t nums(char *s, double *out)
{
    char *f[MAX_FIELDS];
    size_t k = split(s, f, ',');
    for (size_t i = 0; i < k; i++)
        out[i] = num(f[i]);
    return k;
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

static size_t parse_refs(char *s, const char **refs)
{
    if (strcmp(s, "-") == 0) return 0;
    char *f[MAX_FIELDS];
    size_t k = split(s, f, ';');
    for (size_t i = 0; i < k; i++)
        refs[i] = f[i];
    return k;
}

static void close_to(double got, double want, double rel, const char *what, const char *ctx)
{
    double tol = rel * fmax(fabs(want), 1e-300);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s %s: got %.17g, R %.17g (rel %.3g)", ctx, what, got, want,
                 fabs(got - want) / fabs(want));
}

static void test_glm_vs_r(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/models_glm.txt", RK_FIXTURE_DIR);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char line[1 << 20];
    int cases = 0;
    double worst_prof = 0;
    while (fgets(line, sizeof line, fp)) {
        char *f[MAX_FIELDS];
        size_t k = split(line, f, '|');
        if (strcmp(f[0], "glm") != 0) continue;
        assert_int_equal(k, 21);
        rk_table *t = load_csv(f[1]);
        const char *refs[MAX_FIELDS];
        rk_frame_opts o = {.response_kind = RK_RESPONSE_FACTOR};
        o.reference = refs;
        o.n_reference = parse_refs(f[3], refs);
        if (strcmp(f[4], "-") != 0) o.weight = f[4];
        rk_design *d = NULL;
        rk_fit *fw = NULL, *fp2 = NULL;
        rk_error err = {0};
        char ctx[300];
        snprintf(ctx, sizeof ctx, "%s %s w=%s", f[1], f[2], f[4]);
        if (rk_design_new(t, f[2], &o, &d, &err) != RK_OK) fail_msg("%s: %s", ctx, err.msg);
        if (rk_logistic_fit(d, 0.95, RK_CI_WALD, &fw, &err) != RK_OK)
            fail_msg("%s: %s", ctx, err.msg);
        if (rk_logistic_fit(d, 0.95, RK_CI_PROFILE, &fp2, &err) != RK_OK)
            fail_msg("%s: %s", ctx, err.msg);
        char *names[MAX_FIELDS];
        size_t p = split(f[5], names, ',');
        assert_int_equal(fw->n_coef, p);
        double est[MAX_P], se[MAX_P], zv[MAX_P], pv[MAX_P], wlo[MAX_P], whi[MAX_P], plo[MAX_P],
            phi[MAX_P], elo[MAX_P], ehi[MAX_P];
        nums(f[6], est), nums(f[7], se), nums(f[8], zv), nums(f[9], pv), nums(f[10], wlo),
            nums(f[11], whi), nums(f[12], plo), nums(f[13], phi);
        nums(f[19], elo), nums(f[20], ehi);
        for (size_t j = 0; j < p; j++) {
            const rk_coef *c = &fw->coef[j];
            assert_string_equal(c->term, names[j]);
            /* R fitted with epsilon 1e-15 (fully converged, see make_models_glm.R):
             * far inside the 1e-6 requirement */
            close_to(c->estimate, est[j], 1e-8, "estimate", ctx);
            close_to(c->std_error, se[j], 1e-8, "SE", ctx);
            close_to(c->statistic, zv[j], 1e-8, "z", ctx);
            close_to(c->p_value, pv[j], 1e-7, "p", ctx);
            /* limits near 0: relative to the SE */
            if (fabs(c->conf_int[0] - wlo[j]) > 1e-8 * fmax(fabs(wlo[j]), se[j]) ||
                fabs(c->conf_int[1] - whi[j]) > 1e-8 * fmax(fabs(whi[j]), se[j]))
                fail_msg("%s Wald CI (%.17g, %.17g) vs R (%.17g, %.17g)", ctx, c->conf_int[0],
                         c->conf_int[1], wlo[j], whi[j]);
            close_to(c->ratio, exp(est[j]), 1e-8, "OR", ctx);
            const rk_coef *q = &fp2->coef[j];
            assert_true(q->estimate == c->estimate);
            /* MASS confint.glm interpolates the profile on a grid with a spline, so
             * its limits carry an interpolation error (measured up to ~2e-4 of the
             * CI width here); ours are exact roots of the signed-root deviance. */
            double width = phi[j] - plo[j];
            double e0 = fabs(q->conf_int[0] - plo[j]) / width;
            double e1 = fabs(q->conf_int[1] - phi[j]) / width;
            if (e0 > worst_prof) worst_prof = e0;
            if (e1 > worst_prof) worst_prof = e1;
            /* exact roots computed in R (uniroot on glm.fit with an offset) */
            if (fabs(q->conf_int[0] - elo[j]) > 1e-8 * width ||
                fabs(q->conf_int[1] - ehi[j]) > 1e-8 * width)
                fail_msg("%s %s profile CI (%.12g, %.12g) vs R exact (%.12g, %.12g)", ctx, names[j],
                         q->conf_int[0], q->conf_int[1], elo[j], ehi[j]);
            if (e0 > 2e-3 || e1 > 2e-3)
                fail_msg("%s %s profile CI (%.10g, %.10g) vs MASS (%.10g, %.10g)", ctx, names[j],
                         q->conf_int[0], q->conf_int[1], plo[j], phi[j]);
        }
        close_to(fw->deviance, num(f[14]), 1e-10, "deviance", ctx);
        close_to(rk_fit_get(fw, "null_deviance"), num(f[15]), 1e-10, "null deviance", ctx);
        close_to(fw->log_likelihood, num(f[16]), 1e-10, "logLik", ctx);
        if (!o.weight) {
            assert_int_equal(fw->n, strtol(f[17], NULL, 10));
            assert_int_equal(fw->n_dropped, strtol(f[18], NULL, 10));
        }
        rk_fit_free(fw);
        rk_fit_free(fp2);
        rk_design_free(d);
        rk_table_free(t);
        cases++;
    }
    fclose(fp);
    print_message("worst profile CI difference vs MASS: %.3g of the CI width\n", worst_prof);
    assert_true(cases >= 60);
}

static rk_table *parse_csv(const char *text)
{
    rk_table *t = NULL;
    rk_error err = {0};
    if (rk_csv_parse(text, strlen(text), "inline.csv", &t, &err) != RK_OK) fail_msg("%s", err.msg);
    return t;
}

static rk_status fit_csv(const char *csv, const char *formula, const char *weight, rk_ci_method ci,
                         rk_fit **fit, rk_error *err)
{
    rk_table *t = parse_csv(csv);
    rk_frame_opts o = {.weight = weight, .response_kind = RK_RESPONSE_FACTOR};
    rk_design *d = NULL;
    if (rk_design_new(t, formula, &o, &d, err) != RK_OK) fail_msg("%s", err->msg);
    rk_status st = rk_logistic_fit(d, 0.95, ci, fit, err);
    rk_design_free(d);
    rk_table_free(t);
    return st;
}

/* The profile limits are where the deviance rises by qchisq(0.95, 1). */
static void test_profile_definition(void **state)
{
    (void)state;
    const char *csv = "y,x\n0,1\n0,2\n1,3\n0,4\n1,5\n1,6\n0,7\n1,8\n1,9\n1,10\n";
    rk_fit *f = NULL;
    rk_error err = {0};
    assert_int_equal(fit_csv(csv, "y ~ x", NULL, RK_CI_PROFILE, &f, &err), RK_OK);
    /* check by refitting with the slope fixed at each limit, via an offset-free
     * trick: the profile deviance at the limit equals dev + 3.841459 */
    double lo = f->coef[1].conf_int[0], hi = f->coef[1].conf_int[1];
    assert_true(lo < f->coef[1].estimate && f->coef[1].estimate < hi);
    assert_true(f->coef[1].ratio_conf_int[0] == exp(lo));
    /* profile intervals are asymmetric for a small sample */
    assert_true(fabs((hi - f->coef[1].estimate) - (f->coef[1].estimate - lo)) > 1e-3);
    rk_fit_free(f);
}

static void test_weights_equal_expanded(void **state)
{
    (void)state;
    rk_fit *a = NULL, *b = NULL;
    rk_error err = {0};
    assert_int_equal(fit_csv("y,g,n\n0,A,3\n1,A,2\n0,B,1\n1,B,4\n0,C,2\n1,C,2\n", "y ~ g", "n",
                             RK_CI_PROFILE, &a, &err),
                     RK_OK);
    assert_int_equal(fit_csv("y,g\n0,A\n0,A\n0,A\n1,A\n1,A\n0,B\n1,B\n1,B\n1,B\n1,B\n0,C\n0,C\n"
                             "1,C\n1,C\n",
                             "y ~ g", NULL, RK_CI_PROFILE, &b, &err),
                     RK_OK);
    assert_int_equal(a->n, 14);
    for (size_t j = 0; j < 3; j++) {
        close_to(a->coef[j].estimate, b->coef[j].estimate, 1e-9, "est", "weights");
        close_to(a->coef[j].std_error, b->coef[j].std_error, 1e-9, "SE", "weights");
        close_to(a->coef[j].conf_int[0], b->coef[j].conf_int[0], 1e-8, "lo", "weights");
        close_to(a->coef[j].conf_int[1], b->coef[j].conf_int[1], 1e-8, "hi", "weights");
    }
    /* saturated 2x3 table: OR of B vs A = (4/1)/(2/3) = 6 */
    close_to(a->coef[1].ratio, 6.0, 1e-9, "OR", "weights");
    close_to(a->coef[2].ratio, 1.5, 1e-9, "OR", "weights");
    rk_fit_free(a);
    rk_fit_free(b);
}

static void test_separation(void **state)
{
    (void)state;
    rk_fit *f = NULL;
    rk_error err = {0};
    /* no events in arm B: quasi-complete separation by a level */
    assert_int_equal(fit_csv("died,g,age\n0,B,50\n0,B,60\n0,B,70\n1,A,50\n0,A,60\n1,A,70\n0,A,65\n",
                             "died ~ g + age", NULL, RK_CI_WALD, &f, &err),
                     RK_ENOCONV);
    assert_null(f);
    assert_non_null(strstr(err.msg, "quasi-complete separation"));
    assert_non_null(strstr(err.msg, "g = B"));
    /* events only in the reference arm's complement: reference level separated */
    assert_int_equal(
        fit_csv("died,g\n0,A\n0,A\n1,B\n0,B\n", "died ~ g", NULL, RK_CI_WALD, &f, &err),
        RK_ENOCONV);
    assert_non_null(strstr(err.msg, "g = A"));
    /* complete separation by a continuous covariate */
    assert_int_equal(
        fit_csv("y,x\n0,1\n0,2\n0,3\n1,4\n1,5\n1,6\n", "y ~ x", NULL, RK_CI_WALD, &f, &err),
        RK_ENOCONV);
    assert_null(f);
    assert_non_null(strstr(err.msg, "separation"));
    /* quasi-complete separation by a continuous covariate (tie at the boundary) */
    assert_int_equal(
        fit_csv("y,x\n0,1\n0,2\n0,3\n1,3\n1,5\n1,6\n0,3\n", "y ~ x", NULL, RK_CI_WALD, &f, &err),
        RK_ENOCONV);
    assert_null(f);
}

/* Extreme covariate values give fitted probabilities of 0 or 1 without
 * separation: a valid fit (R glm warns, and agrees). */
static void test_extreme_but_not_separated(void **state)
{
    (void)state;
    rk_fit *f = NULL;
    rk_error err = {0};
    assert_int_equal(fit_csv("y,x\n0,0\n0,1\n0,2\n0,3\n1,4\n0,5\n0,6\n1,7\n0,8\n0,9\n1,10\n"
                             "0,11\n1,12\n1,13\n0,14\n1,15\n1,16\n1,17\n0,18\n1,19\n1,20\n"
                             "1,200\n0,-150\n",
                             "y ~ x", NULL, RK_CI_WALD, &f, &err),
                     RK_OK);
    /* R 4.2.2 glm(epsilon = 1e-15) */
    close_to(f->coef[0].estimate, -2.228775771082779, 1e-8, "intercept", "extreme");
    close_to(f->coef[1].estimate, 0.209779988593887, 1e-8, "slope", "extreme");
    rk_fit_free(f);
}

static void test_bad_input(void **state)
{
    (void)state;
    rk_fit *f = NULL;
    rk_error err = {0};
    rk_table *t = parse_csv("y,g,x\n0,A,1\n1,B,2\n2,A,3\n1,B,1\n");
    rk_frame_opts o = {.response_kind = RK_RESPONSE_FACTOR};
    rk_design *d = NULL;
    assert_int_equal(rk_design_new(t, "y ~ g + x", &o, &d, &err), RK_OK);
    assert_int_equal(rk_logistic_fit(d, 0.95, RK_CI_WALD, &f, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "exactly 2 categories"));
    rk_design_free(d);
    rk_frame_opts on = {0};
    assert_int_equal(rk_design_new(t, "x ~ g", &on, &d, &err), RK_OK);
    assert_int_equal(rk_logistic_fit(d, 0.95, RK_CI_WALD, &f, &err), RK_EINVAL);
    rk_design_free(d);
    rk_table_free(t);
    t = parse_csv("y,g,x,x2\n0,A,1,2\n1,B,2,4\n1,A,3,6\n0,B,1,2\n0,A,2,4\n1,B,5,10\n");
    assert_int_equal(rk_design_new(t, "y ~ g + x + x2", &o, &d, &err), RK_OK);
    assert_int_equal(rk_logistic_fit(d, 0.95, RK_CI_WALD, &f, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "'x2' is aliased"));
    assert_int_equal(rk_logistic_fit(d, 0, RK_CI_WALD, &f, &err), RK_EINVAL);
    assert_int_equal(rk_logistic_fit(d, 0.95, (rk_ci_method)7, &f, &err), RK_EINVAL);
    d->X[5] = NAN;
    assert_int_equal(rk_logistic_fit(d, 0.95, RK_CI_WALD, &f, &err), RK_EINVAL);
    rk_design_free(d);
    rk_table_free(t);
}

/* A design built by hand (no names, no reference levels) must work too. */
static void test_hand_built_design(void **state)
{
    (void)state;
    double X[] = {1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1};
    double y[] = {0, 1, 1, 0, 0, 1};
    rk_design d = {0};
    d.n = 6;
    d.p = 2;
    d.X = X;
    d.y = y;
    d.n_levels = 2;
    rk_fit *f = NULL;
    rk_error err = {0};
    assert_int_equal(rk_logistic_fit(&d, 0.95, RK_CI_PROFILE, &f, &err), RK_OK);
    /* 2x2 table: x=0: 1 of 3 events, x=1: 2 of 3: OR = (2/1)/(1/2) = 4 */
    close_to(f->coef[1].ratio, 4.0, 1e-9, "OR", "hand-built");
    assert_string_equal(f->coef[0].term, "");
    rk_fit_free(f);
    rk_fit *g = NULL;
    double yl[] = {0.5, 1.5, 1.0, 0.0, 2.0, 3.0};
    d.y = yl;
    d.n_levels = 0;
    assert_int_equal(rk_linear_fit(&d, NULL, 0.95, &g, &err), RK_OK);
    assert_true(isnan(rk_fit_get(g, "lsmean_diff")));
    rk_fit_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glm_vs_r),
        cmocka_unit_test(test_profile_definition),
        cmocka_unit_test(test_weights_equal_expanded),
        cmocka_unit_test(test_separation),
        cmocka_unit_test(test_extreme_but_not_separated),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_hand_built_design),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
