/* Tests for src/models/ordinal.c: proportional-odds model against R (clm, polr) and SAS. */
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

/* ------------------------------------------------------------------ fixtures */

typedef struct fx_case {
    char name[32];
    size_t n, p, K;
    double *X, *y, *w;
    char **levels, **colnames;
    double *est, *se, *polr, *polrse, *profile, *confint;
    double loglik, lr[3], po[3];
    int has_po;
} fx_case;

static fx_case cases[64];
static size_t n_cases;

static double *parse_vec(const char *s, size_t *len)
{
    size_t cap = 16, k = 0;
    double *v = malloc(cap * sizeof *v);
    const char *p = s;
    while (*p && *p != '\n') {
        char *end;
        double x = strtod(p, &end);
        if (end == p) break;
        if (k == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = x;
        p = end;
        if (*p == ',') p++;
    }
    if (len) *len = k;
    return v;
}

static char **parse_names(const char *s)
{
    size_t k = 1;
    for (const char *p = s; *p; p++)
        k += *p == ',';
    char **v = calloc(k + 1, sizeof *v);
    size_t i = 0;
    const char *p = s;
    while (1) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        v[i] = calloc(len + 1, 1);
        memcpy(v[i], p, len);
        i++;
        if (!e) break;
        p = e + 1;
    }
    return v;
}

static fx_case *find_case(const char *name)
{
    for (size_t i = 0; i < n_cases; i++)
        if (!strcmp(cases[i].name, name)) return &cases[i];
    return NULL;
}

static int load_fixtures(void **state)
{
    (void)state;
    FILE *fp = fopen(RK_FIXTURE_DIR "/models_ordinal.txt", "r");
    if (!fp) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) > 0) {
        if (line[len - 1] == '\n') line[len - 1] = 0;
        if (line[0] == '#' || !line[0]) continue;
        char *b1 = strchr(line, '|');
        if (!b1) continue;
        *b1 = 0;
        char *name = b1 + 1, *b2 = strchr(name, '|');
        if (!b2) continue;
        *b2 = 0;
        char *rest = b2 + 1;
        if (!strcmp(line, "case")) {
            fx_case *c = &cases[n_cases++];
            snprintf(c->name, sizeof c->name, "%s", name);
            char *e;
            c->n = strtoul(rest, &e, 10);
            c->p = strtoul(e + 1, &e, 10);
            c->K = strtoul(e + 1, &e, 10);
            continue;
        }
        fx_case *c = find_case(name);
        if (!c) continue;
        if (!strcmp(line, "X"))
            c->X = parse_vec(rest, NULL);
        else if (!strcmp(line, "y"))
            c->y = parse_vec(rest, NULL);
        else if (!strcmp(line, "w"))
            c->w = strcmp(rest, "none") ? parse_vec(rest, NULL) : NULL;
        else if (!strcmp(line, "levels"))
            c->levels = parse_names(rest);
        else if (!strcmp(line, "colnames"))
            c->colnames = parse_names(rest);
        else if (!strcmp(line, "est"))
            c->est = parse_vec(rest, NULL);
        else if (!strcmp(line, "se"))
            c->se = parse_vec(rest, NULL);
        else if (!strcmp(line, "polr"))
            c->polr = parse_vec(rest, NULL);
        else if (!strcmp(line, "polrse"))
            c->polrse = parse_vec(rest, NULL);
        else if (!strcmp(line, "profile"))
            c->profile = parse_vec(rest, NULL);
        else if (!strcmp(line, "confint"))
            c->confint = parse_vec(rest, NULL);
        else if (!strcmp(line, "loglik"))
            c->loglik = strtod(rest, NULL);
        else if (!strcmp(line, "lr")) {
            double *v = parse_vec(rest, NULL);
            memcpy(c->lr, v, sizeof c->lr);
            free(v);
        } else if (!strcmp(line, "poscore")) {
            double *v = parse_vec(rest, NULL);
            memcpy(c->po, v, sizeof c->po);
            c->has_po = 1;
            free(v);
        }
    }
    free(line);
    fclose(fp);
    return n_cases >= 30 ? 0 : -1;
}

static void free_names(char **v)
{
    if (!v) return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

static int free_fixtures(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_cases; i++) {
        fx_case *c = &cases[i];
        free(c->X), free(c->y), free(c->w), free(c->est), free(c->se), free(c->polr);
        free(c->polrse), free(c->profile), free(c->confint);
        free_names(c->levels), free_names(c->colnames);
    }
    return 0;
}

static rk_design design_of(const fx_case *c)
{
    rk_design d;
    memset(&d, 0, sizeof d);
    d.n = c->n;
    d.p = c->p;
    d.X = c->X;
    d.colnames = c->colnames;
    d.y = c->y;
    d.n_levels = c->K;
    d.levels = c->levels;
    d.weight = c->w;
    return d;
}

static void assert_rel(double got, double want, double tol, const char *what, const char *name)
{
    double scale = fabs(want) > 1e-3 ? fabs(want) : 1e-3;
    if (!(fabs(got - want) <= tol * scale)) {
        print_error("%s %s: got %.12g want %.12g (rel err %.3g > %.3g)\n", name, what, got, want,
                    fabs(got - want) / scale, tol);
        fail();
    }
}

static rk_fit *fit_or_fail(const rk_design *d, rk_ordinal_convention conv, rk_ordinal_ci ci)
{
    rk_ordinal_opts o;
    rk_ordinal_opts_init(&o);
    o.convention = conv;
    o.ci = ci;
    rk_fit *f = NULL;
    rk_error err = {0};
    rk_status st = rk_ordinal_fit(d, &o, &f, &err);
    if (st != RK_OK) {
        print_error("fit failed: %s\n", err.msg);
        fail();
    }
    return f;
}

/* --------------------------------------------------------------------- tests */

/* STATS-CONVENTIONS.md: polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing) */
static void test_housing_published(void **state)
{
    (void)state;
    fx_case *c = find_case("housing");
    assert_non_null(c);
    rk_design d = design_of(c);
    rk_fit *f = fit_or_fail(&d, RK_ORDINAL_R, RK_ORDINAL_CI_WALD);
    const double beta[] = {0.56639374,  1.28881906,  -0.57235015,
                           -0.36618657, -1.09101491, 0.36028415};
    const double zeta[] = {-0.49613534, 0.69070829};
    assert_int_equal(f->n_coef, 8);
    assert_string_equal(f->coef[0].term, "Low|Medium");
    assert_string_equal(f->coef[1].term, "Medium|High");
    assert_string_equal(f->coef[2].term, "InflMedium");
    /* 8 printed digits, and polr's optim stops near 1e-7 relative */
    for (int j = 0; j < 2; j++)
        assert_true(fabs(f->coef[j].estimate - zeta[j]) < 1e-6);
    for (int j = 0; j < 6; j++)
        assert_true(fabs(f->coef[2 + j].estimate - beta[j]) < 1e-6);
    assert_true(fabs(f->deviance - 3479.1493) < 1e-4);
    assert_int_equal(f->n, 1681);
    assert_true(f->converged);
    assert_non_null(strstr(f->convention, "theta_j - x'beta"));
    assert_string_equal(f->model, "ordinal");
    rk_fit_free(f);
}

/* Every fixture: estimates and SEs vs ordinal::clm (1e-6 relative, the issue's
 * requirement; we also pass 1e-7), log-likelihood, LR test and PO score test. */
static void test_fixtures_vs_clm(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_cases; i++) {
        fx_case *c = &cases[i];
        rk_design d = design_of(c);
        rk_fit *f = fit_or_fail(&d, RK_ORDINAL_R, RK_ORDINAL_CI_WALD);
        size_t q = c->K - 1 + c->p;
        assert_int_equal(f->n_coef, q);
        for (size_t j = 0; j < q; j++) {
            assert_rel(f->coef[j].estimate, c->est[j], 1e-7, "estimate", c->name);
            assert_rel(f->coef[j].std_error, c->se[j], 1e-7, "SE", c->name);
            if (c->polr) {
                /* polr: optim (BFGS, reltol 1e-8) stops early and its Hessian is
                 * numerical: estimates within 1e-3 SE, SEs within 1e-3 relative */
                if (!(fabs(f->coef[j].estimate - c->polr[j]) <= 1e-3 * c->se[j])) {
                    print_error("%s polr estimate %zu: %.10g vs %.10g\n", c->name, j,
                                f->coef[j].estimate, c->polr[j]);
                    fail();
                }
                assert_rel(f->coef[j].std_error, c->polrse[j], 1e-3, "polr SE", c->name);
            }
        }
        assert_rel(f->log_likelihood, c->loglik, 1e-10, "logLik", c->name);
        assert_rel(f->deviance, -2 * c->loglik, 1e-10, "deviance", c->name);
        assert_rel(rk_fit_get(f, "lr_statistic"), c->lr[0], 1e-7, "LR", c->name);
        assert_true(rk_fit_get(f, "lr_df") == c->lr[1]);
        assert_rel(rk_fit_get(f, "lr_p_value"), c->lr[2], 1e-6, "LR p", c->name);
        if (c->has_po) {
            assert_rel(rk_fit_get(f, "po_score_statistic"), c->po[0], 1e-6, "PO score", c->name);
            assert_true(rk_fit_get(f, "po_score_df") == c->po[1]);
            assert_rel(rk_fit_get(f, "po_score_p_value"), c->po[2], 1e-6, "PO p", c->name);
        }
        /* Wald z, p and OR are consistent */
        for (size_t j = c->K - 1; j < q; j++) {
            rk_coef *k = &f->coef[j];
            assert_rel(k->statistic, k->estimate / k->std_error, 1e-14, "z", c->name);
            assert_rel(k->ratio, exp(k->estimate), 1e-14, "OR", c->name);
            assert_true(k->conf_int[0] < k->estimate && k->estimate < k->conf_int[1]);
            assert_true(k->p_value > 0 && k->p_value <= 1);
        }
        for (size_t j = 0; j + 1 < c->K; j++)
            assert_true(isnan(f->coef[j].ratio));
        rk_fit_free(f);
    }
}

/* Profile-likelihood limits: vs exact R profiling (uniroot on clm fits with an
 * offset) to 1e-6, and vs MASS confint.polr, which interpolates a spline
 * through a coarse profile grid, to 1e-3 relative. */
static void test_profile_ci(void **state)
{
    (void)state;
    int n_checked = 0;
    for (size_t i = 0; i < n_cases; i++) {
        fx_case *c = &cases[i];
        if (!c->profile) continue;
        rk_design d = design_of(c);
        rk_fit *f = fit_or_fail(&d, RK_ORDINAL_R, RK_ORDINAL_CI_PROFILE);
        assert_string_equal(f->ci_method, "profile");
        for (size_t m = 0; m < c->p; m++) {
            rk_coef *k = &f->coef[c->K - 1 + m];
            assert_rel(k->conf_int[0], c->profile[2 * m], 1e-6, "profile lower", c->name);
            assert_rel(k->conf_int[1], c->profile[2 * m + 1], 1e-6, "profile upper", c->name);
            if (c->confint) {
                assert_rel(k->conf_int[0], c->confint[2 * m], 1e-3, "confint.polr lower", c->name);
                assert_rel(k->conf_int[1], c->confint[2 * m + 1], 1e-3, "confint.polr upper",
                           c->name);
            }
            assert_rel(k->ratio_conf_int[0], exp(k->conf_int[0]), 1e-14, "OR lower", c->name);
        }
        n_checked++;
        rk_fit_free(f);
    }
    assert_true(n_checked >= 15);
}

/* SAS: alpha_j = theta_j, beta_SAS = -beta_R, OR of a lower category = 1/OR_R,
 * CIs mirrored; the PO and LR tests do not depend on the sign. */
static void test_sas_convention(void **state)
{
    (void)state;
    for (size_t i = 0; i < n_cases; i += 3) {
        fx_case *c = &cases[i];
        rk_design d = design_of(c);
        for (int ci = 0; ci < 2; ci++) {
            if (ci && !c->profile) continue;
            rk_fit *r =
                fit_or_fail(&d, RK_ORDINAL_R, ci ? RK_ORDINAL_CI_PROFILE : RK_ORDINAL_CI_WALD);
            rk_fit *s =
                fit_or_fail(&d, RK_ORDINAL_SAS, ci ? RK_ORDINAL_CI_PROFILE : RK_ORDINAL_CI_WALD);
            assert_non_null(strstr(s->convention, "SAS"));
            assert_non_null(strstr(s->convention, "alpha_j + x'beta"));
            for (size_t j = 0; j < r->n_coef; j++) {
                int thr = j + 1 < c->K;
                double sg = thr ? 1 : -1;
                assert_rel(s->coef[j].estimate, sg * r->coef[j].estimate, 1e-12, "SAS est",
                           c->name);
                assert_rel(s->coef[j].std_error, r->coef[j].std_error, 1e-12, "SAS SE", c->name);
                assert_rel(s->coef[j].p_value, r->coef[j].p_value, 1e-12, "SAS p", c->name);
                if (!thr) {
                    assert_rel(s->coef[j].ratio, 1 / r->coef[j].ratio, 1e-12, "SAS OR", c->name);
                    assert_rel(s->coef[j].conf_int[0], -r->coef[j].conf_int[1], 1e-9, "SAS lo",
                               c->name);
                    assert_rel(s->coef[j].conf_int[1], -r->coef[j].conf_int[0], 1e-9, "SAS hi",
                               c->name);
                }
            }
            assert_true(rk_fit_get(s, "lr_statistic") == rk_fit_get(r, "lr_statistic"));
            rk_fit_free(r);
            rk_fit_free(s);
        }
    }
}

/* SAS/STAT PROC LOGISTIC example "Ordinal Logistic Regression" (cheese, ref='4'):
 * printed Additive1 1.6128, Additive2 4.9646, Additive3 3.3227, intercepts
 * -7.0802 ... 1.4930, -2 Log L 711.348, score test for the proportional odds
 * assumption chi-square 17.2868, DF 21, p 0.6936. */
static void test_cheese_sas_printed(void **state)
{
    (void)state;
    fx_case *c = find_case("cheese");
    assert_non_null(c);
    rk_design d = design_of(c);
    rk_fit *f = fit_or_fail(&d, RK_ORDINAL_SAS, RK_ORDINAL_CI_WALD);
    const double alpha[] = {-7.0802, -6.0250, -4.9254, -3.8568, -2.5206, -1.5685, -0.0669, 1.4930};
    const double beta[] = {1.6128, 4.9646, 3.3227};
    for (int j = 0; j < 8; j++)
        assert_true(fabs(f->coef[j].estimate - alpha[j]) < 0.6e-4);
    for (int j = 0; j < 3; j++)
        assert_true(fabs(f->coef[8 + j].estimate - beta[j]) < 0.6e-4);
    assert_true(fabs(f->deviance - 711.348) < 0.6e-3);
    assert_true(fabs(rk_fit_get(f, "po_score_statistic") - 17.2868) < 0.6e-4);
    assert_true(rk_fit_get(f, "po_score_df") == 21);
    assert_true(fabs(rk_fit_get(f, "po_score_p_value") - 0.6936) < 0.6e-4);
    rk_fit_free(f);
}

/* Grouped counts with frequency weights == one row per patient. */
static void test_grouped_equals_expanded(void **state)
{
    (void)state;
    fx_case *c = find_case("housing");
    size_t N = 0;
    for (size_t i = 0; i < c->n; i++)
        N += (size_t)c->w[i];
    double *X = malloc(N * c->p * sizeof *X), *y = malloc(N * sizeof *y);
    size_t r = 0;
    /* expand in reverse order, so row order differs too */
    for (size_t i = c->n; i-- > 0;)
        for (size_t k = 0; k < (size_t)c->w[i]; k++, r++) {
            memcpy(X + r * c->p, c->X + i * c->p, c->p * sizeof *X);
            y[r] = c->y[i];
        }
    rk_design g = design_of(c), e = design_of(c);
    e.n = N;
    e.X = X;
    e.y = y;
    e.weight = NULL;
    for (int ci = 0; ci < 2; ci++) {
        rk_fit *fg =
            fit_or_fail(&g, RK_ORDINAL_SAS, ci ? RK_ORDINAL_CI_PROFILE : RK_ORDINAL_CI_WALD);
        rk_fit *fe =
            fit_or_fail(&e, RK_ORDINAL_SAS, ci ? RK_ORDINAL_CI_PROFILE : RK_ORDINAL_CI_WALD);
        assert_int_equal(fe->n, fg->n);
        assert_int_equal(fe->n, 1681);
        for (size_t j = 0; j < fg->n_coef; j++) {
            assert_rel(fe->coef[j].estimate, fg->coef[j].estimate, 1e-9, "expanded est", "housing");
            assert_rel(fe->coef[j].std_error, fg->coef[j].std_error, 1e-9, "expanded SE",
                       "housing");
            assert_rel(fe->coef[j].conf_int[0], fg->coef[j].conf_int[0], 1e-8, "expanded lo",
                       "housing");
            assert_rel(fe->coef[j].conf_int[1], fg->coef[j].conf_int[1], 1e-8, "expanded hi",
                       "housing");
        }
        assert_rel(fe->log_likelihood, fg->log_likelihood, 1e-11, "expanded logLik", "housing");
        assert_rel(rk_fit_get(fe, "po_score_statistic"), rk_fit_get(fg, "po_score_statistic"), 1e-8,
                   "expanded PO", "housing");
        rk_fit_free(fg);
        rk_fit_free(fe);
    }
    free(X);
    free(y);
}

/* An "(Intercept)" column is ignored; zero-weight rows are the same as absent rows. */
static void test_intercept_and_zero_weights(void **state)
{
    (void)state;
    fx_case *c = find_case("cheese");
    size_t p1 = c->p + 1, n1 = c->n + 1;
    double *X = calloc(n1 * p1, sizeof *X), *y = calloc(n1, sizeof *y), *w = calloc(n1, sizeof *w);
    for (size_t i = 0; i < c->n; i++) {
        X[i * p1] = 1;
        memcpy(X + i * p1 + 1, c->X + i * c->p, c->p * sizeof *X);
        y[i] = c->y[i];
        w[i] = c->w[i];
    }
    X[c->n * p1] = 1;
    X[c->n * p1 + 1] = 1000; /* an extreme row with weight 0 */
    y[c->n] = 0;
    w[c->n] = 0;
    char *names[] = {"(Intercept)", c->colnames[0], c->colnames[1], c->colnames[2]};
    rk_design d = design_of(c);
    d.n = n1, d.p = p1, d.X = X, d.y = y, d.weight = w, d.colnames = names;
    rk_fit *f = fit_or_fail(&d, RK_ORDINAL_R, RK_ORDINAL_CI_WALD);
    assert_int_equal(f->n_coef, c->K - 1 + c->p);
    for (size_t j = 0; j < f->n_coef; j++)
        assert_rel(f->coef[j].estimate, c->est[j], 1e-7, "with intercept", "cheese");
    rk_fit_free(f);
    free(X), free(y), free(w);
}

static rk_status fit_status(const rk_design *d, rk_error *err)
{
    rk_fit *f = (rk_fit *)1;
    rk_status st = rk_ordinal_fit(d, NULL, &f, err);
    if (st == RK_OK)
        rk_fit_free(f);
    else
        assert_null(f);
    return st;
}

static void test_bad_input(void **state)
{
    (void)state;
    double X[] = {0, 1, 0, 1, 0, 1, 1, 0};
    double y[] = {0, 1, 2, 2, 1, 0, 2, 0};
    char *lev[] = {"mild", "moderate", "severe"};
    char *cn[] = {"grp"};
    rk_design d;
    memset(&d, 0, sizeof d);
    d.n = 8, d.p = 1, d.X = X, d.y = y, d.n_levels = 3, d.levels = lev, d.colnames = cn;
    rk_error err;
    assert_int_equal(fit_status(&d, &err), RK_OK);

    rk_design e = d;
    e.n_levels = 1;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2"));

    double y2[] = {0, 2, 2, 2, 0, 0, 2, 0}; /* 'moderate' empty */
    e = d, e.y = y2;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "'moderate'"));

    double Xn[] = {0, 1, NAN, 1, 0, 1, 1, 0};
    e = d, e.X = Xn;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "NaN"));

    double yn[] = {0, 1, 2, 2, NAN, 0, 2, 0};
    e = d, e.y = yn;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "outcome"));

    double yb[] = {0, 1, 2, 3, 1, 0, 2, 0};
    e = d, e.y = yb;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);

    double wneg[] = {1, 1, 1, -1, 1, 1, 1, 1};
    e = d, e.weight = wneg;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "negative"));

    double Xc[] = {0, 2, 1, 2, 0, 2, 1, 2, 0, 2, 1, 2, 1, 2, 0, 2}; /* constant 2nd column */
    char *cn2[] = {"grp", "site"};
    e = d, e.p = 2, e.X = Xc, e.colnames = cn2;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "'site'"));
    assert_non_null(strstr(err.msg, "constant"));

    double Xl[] = {0, 0, 1, 2, 0, 0, 1, 2, 0, 0, 1, 2, 1, 2, 0, 0}; /* site = 2 grp */
    e.X = Xl;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "collinear"));

    /* complete separation: every treated patient is 'severe', no control is */
    double Xs[] = {0, 0, 0, 0, 1, 1, 1, 0};
    double ys[] = {0, 1, 0, 1, 2, 2, 2, 1};
    e = d, e.X = Xs, e.y = ys;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "separation"));
    assert_non_null(strstr(err.msg, "'grp'"));

    /* quasi-complete separation: treated are moderate or severe, controls mild or moderate */
    double Xq[] = {0, 0, 0, 1, 1, 1, 1, 0};
    double yq[] = {0, 1, 0, 1, 2, 2, 2, 1};
    e.X = Xq, e.y = yq;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "separation"));

    rk_ordinal_opts o;
    rk_ordinal_opts_init(&o);
    o.conf_level = 1.5;
    rk_fit *f = NULL;
    assert_int_equal(rk_ordinal_fit(&d, &o, &f, &err), RK_EINVAL);
    assert_null(f);
    rk_ordinal_opts_init(&o);
    o.max_iter = 0;
    assert_int_equal(rk_ordinal_fit(&d, &o, &f, &err), RK_EINVAL);
    assert_int_equal(rk_ordinal_fit(NULL, NULL, &f, &err), RK_EINVAL);
    e = d, e.n = 0;
    assert_int_equal(fit_status(&e, &err), RK_EINVAL);
}

/* Thresholds-only model (no covariates) reproduces the marginal cumulative logits. */
static void test_thresholds_only(void **state)
{
    (void)state;
    double y[] = {0, 1, 1, 2, 2, 2};
    char *lev[] = {"a", "b", "c"};
    rk_design d;
    memset(&d, 0, sizeof d);
    d.n = 6, d.p = 0, d.y = y, d.n_levels = 3, d.levels = lev;
    rk_fit *f = fit_or_fail(&d, RK_ORDINAL_SAS, RK_ORDINAL_CI_WALD);
    assert_int_equal(f->n_coef, 2);
    assert_rel(f->coef[0].estimate, log(1.0 / 5.0), 1e-12, "theta1", "marg");
    assert_true(fabs(f->coef[1].estimate) < 1e-12); /* logit(3/6) */
    assert_string_equal(f->coef[0].term, "a|b");
    assert_rel(f->log_likelihood, log(1 / 6.0) + 2 * log(2 / 6.0) + 3 * log(3 / 6.0), 1e-12, "ll",
               "marg");
    assert_true(isnan(rk_fit_get(f, "lr_statistic")));
    rk_fit_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_housing_published),
        cmocka_unit_test(test_fixtures_vs_clm),
        cmocka_unit_test(test_profile_ci),
        cmocka_unit_test(test_sas_convention),
        cmocka_unit_test(test_cheese_sas_printed),
        cmocka_unit_test(test_grouped_equals_expanded),
        cmocka_unit_test(test_intercept_and_zero_weights),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_thresholds_only),
    };
    return cmocka_run_group_tests(tests, load_fixtures, free_fixtures);
}
