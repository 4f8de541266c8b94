/* Tests for src/models/survival.c: Kaplan-Meier, log-rank and the TTCI death rule, against R
 * survival. */
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

/* ---------------------------------------------------- fixture reading */

typedef struct {
    size_t n;
    double *v;
} vec;

static vec parse_vec(const char *s)
{
    vec r = {0, NULL};
    size_t cap = 16;
    r.v = malloc(cap * sizeof *r.v);
    const char *p = s;
    while (*p) {
        char *end;
        double x;
        if (!strncmp(p, "NA", 2) && (p[2] == ',' || p[2] == 0)) {
            x = NAN;
            end = (char *)p + 2;
        } else {
            x = strtod(p, &end); /* also reads NaN, Inf */
            assert_true(end != p);
        }
        if (r.n == cap) r.v = realloc(r.v, (cap *= 2) * sizeof *r.v);
        r.v[r.n++] = x;
        p = end;
        if (*p == ',') p++;
    }
    return r;
}

static size_t split(char *line, char **f, size_t max)
{
    size_t k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < max; p++)
        if (*p == '|') {
            *p = 0;
            f[k++] = p + 1;
        }
    return k;
}

/* Relative closeness; NaN matches NaN and Inf matches Inf. */
static int close_rel(double a, double b, double tol)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b)) return a == b;
    return fabs(a - b) <= tol * fmax(fabs(b), 1e-300) || fabs(a - b) < 1e-300;
}

static void check_vec(const double *got, vec want, const char *what, const char *cs, double tol)
{
    for (size_t i = 0; i < want.n; i++)
        if (!close_rel(got[i], want.v[i], tol)) {
            print_error("%s: %s[%zu] = %.17g, R %.17g\n", cs, what, i, got[i], want.v[i]);
            fail();
        }
}

typedef struct {
    char name[64];
    vec time, status, group, strata;
    double *t;
    int *ev;
    size_t *g, *s;
    size_t n, k, ns;
} surv_case;

static void case_clear(surv_case *c)
{
    free(c->time.v);
    free(c->status.v);
    free(c->group.v);
    free(c->strata.v);
    free(c->ev);
    free(c->g);
    free(c->s);
    memset(c, 0, sizeof *c);
}

static void case_ready(surv_case *c)
{
    if (c->ev) return;
    c->n = c->time.n;
    c->t = c->time.v;
    c->ev = malloc(c->n * sizeof *c->ev);
    c->g = malloc(c->n * sizeof *c->g);
    c->s = c->strata.v ? malloc(c->n * sizeof *c->s) : NULL;
    c->k = c->ns = 0;
    for (size_t i = 0; i < c->n; i++) {
        c->ev[i] = (int)c->status.v[i];
        c->g[i] = (size_t)c->group.v[i];
        if (c->g[i] + 1 > c->k) c->k = c->g[i] + 1;
        if (c->s) {
            c->s[i] = (size_t)c->strata.v[i];
            if (c->s[i] + 1 > c->ns) c->ns = c->s[i] + 1;
        }
    }
}

static int n_km, n_lr;

static void run_km_line(surv_case *c, char **f, size_t nf)
{
    assert_int_equal(nf, 13);
    case_ready(c);
    size_t g = (size_t)strtol(f[1], NULL, 10);
    rk_km_ci ci;
    assert_int_equal(rk_km_ci_parse(f[2], &ci, NULL), RK_OK);
    double level = strtod(f[3], NULL);
    rk_km *km = NULL;
    rk_error err;
    assert_int_equal(rk_km_fit(c->t, c->ev, c->g, c->n, c->k, level, ci, &km, &err), RK_OK);
    const rk_km_curve *cv = &km->curve[g];
    vec v[9];
    for (int i = 0; i < 9; i++)
        v[i] = parse_vec(f[4 + i]);
    char cs[128];
    snprintf(cs, sizeof cs, "%s group %zu %s %.2f", c->name, g, f[2], level);
    assert_int_equal(cv->n_times, v[0].n);
    check_vec(cv->time, v[0], "time", cs, 0);
    check_vec(cv->n_risk, v[1], "n.risk", cs, 0);
    check_vec(cv->n_event, v[2], "n.event", cs, 0);
    check_vec(cv->n_censor, v[3], "n.censor", cs, 0);
    check_vec(cv->surv, v[4], "surv", cs, 1e-10);
    check_vec(cv->std_err, v[5], "std.err", cs, 1e-10);
    check_vec(cv->lower, v[6], "lower", cs, 1e-10);
    check_vec(cv->upper, v[7], "upper", cs, 1e-10);
    double med[3] = {cv->median, cv->median_lower, cv->median_upper};
    check_vec(med, v[8], "median/LCL/UCL", cs, 0);
    for (int i = 0; i < 9; i++)
        free(v[i].v);
    rk_km_free(km);
    n_km++;
}

static void run_logrank_line(surv_case *c, char **f, size_t nf)
{
    assert_int_equal(nf, 7);
    case_ready(c);
    int stratified = (int)strtol(f[1], NULL, 10);
    rk_logrank *lr = NULL;
    rk_error err;
    assert_int_equal(
        rk_logrank_test(c->t, c->ev, c->g, c->n, c->k, stratified ? c->s : NULL, c->ns, &lr, &err),
        RK_OK);
    char cs[128];
    snprintf(cs, sizeof cs, "%s log-rank%s", c->name, stratified ? " stratified" : "");
    double chi = strtod(f[2], NULL), df = strtod(f[3], NULL), p = strtod(f[4], NULL);
    check_vec(&lr->statistic, (vec){1, &chi}, "chisq", cs, 1e-9);
    assert_true(lr->df == df);
    /* GSL's chi-square tail against R's pchisq: both accurate to ~1e-14 here */
    check_vec(&lr->p_value, (vec){1, &p}, "p", cs, 1e-9);
    vec o = parse_vec(f[5]), e = parse_vec(f[6]);
    assert_int_equal(o.n, lr->n_groups);
    check_vec(lr->observed, o, "observed", cs, 0);
    check_vec(lr->expected, e, "expected", cs, 1e-10);
    free(o.v);
    free(e.v);
    rk_logrank_free(lr);
    n_lr++;
}

static void test_fixtures(void **state)
{
    (void)state;
    FILE *fp = fopen(RK_FIXTURE_DIR "/models_survival.txt", "r");
    assert_non_null(fp);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    surv_case c;
    memset(&c, 0, sizeof c);
    char *f[16];
    while ((len = getline(&line, &cap, fp)) > 0) {
        if (line[len - 1] == '\n') line[len - 1] = 0;
        size_t nf = split(line, f, 16);
        if (!strcmp(f[0], "case")) {
            case_clear(&c);
            snprintf(c.name, sizeof c.name, "%s", f[1]);
        } else if (!strcmp(f[0], "time"))
            c.time = parse_vec(f[1]);
        else if (!strcmp(f[0], "status"))
            c.status = parse_vec(f[1]);
        else if (!strcmp(f[0], "group"))
            c.group = parse_vec(f[1]);
        else if (!strcmp(f[0], "strata"))
            c.strata = parse_vec(f[1]);
        else if (!strcmp(f[0], "km"))
            run_km_line(&c, f, nf);
        else if (!strcmp(f[0], "logrank"))
            run_logrank_line(&c, f, nf);
    }
    case_clear(&c);
    free(line);
    fclose(fp);
    print_message("compared %d Kaplan-Meier curves and %d log-rank tests with R\n", n_km, n_lr);
    assert_true(n_km >= 200);
    assert_true(n_lr >= 60);
}

/* ---------------------------------------------------- published values */

static void test_ovarian_median(void **state)
{
    (void)state;
    /* R: survfit(Surv(futime, fustat) ~ 1, ovarian) prints median 638, 0.95LCL 464, UCL NA */
    const double t[] = {59,  115, 156, 421,  431,  448,  464,  475,  477, 563, 638, 744, 769,
                        770, 803, 855, 1040, 1106, 1129, 1206, 1227, 268, 329, 353, 365, 377};
    const int e[] = {1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0};
    rk_km *km = NULL;
    rk_error err;
    assert_int_equal(rk_km_fit(t, e, NULL, 26, 1, 0.95, RK_KM_CI_LOG, &km, &err), RK_OK);
    assert_int_equal(km->curve[0].n, 26);
    assert_true(km->curve[0].n_events == 12);
    assert_true(km->curve[0].median == 638);
    assert_true(km->curve[0].median_lower == 464);
    assert_true(isnan(km->curve[0].median_upper));
    rk_km_free(km);
}

/* ---------------------------------------------------- properties */

static void test_no_censoring_is_empirical(void **state)
{
    (void)state;
    const double t[] = {5, 3, 3, 8, 1, 9, 9, 9, 2, 7};
    const int e[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    rk_km *km = NULL;
    assert_int_equal(rk_km_fit(t, e, NULL, 10, 1, 0.9, RK_KM_CI_PLAIN, &km, NULL), RK_OK);
    const rk_km_curve *c = &km->curve[0];
    for (size_t i = 0; i < c->n_times; i++) {
        size_t above = 0;
        for (int j = 0; j < 10; j++)
            above += t[j] > c->time[i];
        assert_true(fabs(c->surv[i] - above / 10.0) < 1e-15);
        /* without censoring Greenwood's SE of S is the binomial sqrt(S(1-S)/n) */
        if (c->surv[i] > 0)
            assert_true(fabs(c->std_err_surv[i] - sqrt(c->surv[i] * (1 - c->surv[i]) / 10.0)) <
                        1e-14);
    }
    /* S = 0.5 exactly on [5, 7): print.survfit's median is (5 + 7) / 2 = 6 (R prints 6) */
    assert_true(c->median == 6);
    rk_km_free(km);
}

static void test_order_and_group_invariance(void **state)
{
    (void)state;
    const double t[] = {4, 1, 7, 7, 3, 9, 2, 6, 6, 5, 8, 2};
    const int e[] = {1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1};
    const size_t g[] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    double t2[12];
    int e2[12];
    size_t g2[12];
    for (int i = 0; i < 12; i++) {
        t2[i] = t[11 - i];
        e2[i] = e[11 - i];
        g2[i] = 1 - g[11 - i]; /* relabel the groups too */
    }
    rk_logrank *a = NULL, *b = NULL;
    assert_int_equal(rk_logrank_test(t, e, g, 12, 2, NULL, 0, &a, NULL), RK_OK);
    assert_int_equal(rk_logrank_test(t2, e2, g2, 12, 2, NULL, 0, &b, NULL), RK_OK);
    assert_true(fabs(a->statistic - b->statistic) < 1e-12);
    assert_true(a->observed[0] == b->observed[1]);
    assert_true(fabs(a->observed[0] + a->observed[1] - a->expected[0] - a->expected[1]) < 1e-12);
    /* one stratum = unstratified */
    const size_t one[12] = {0};
    rk_logrank *s = NULL;
    assert_int_equal(rk_logrank_test(t, e, g, 12, 2, one, 1, &s, NULL), RK_OK);
    assert_true(s->statistic == a->statistic);
    rk_logrank_free(a);
    rk_logrank_free(b);
    rk_logrank_free(s);
    /* KM of a group equals KM of that group's data alone */
    rk_km *k2 = NULL, *k1 = NULL;
    double tg[6];
    int eg[6];
    int m = 0;
    for (int i = 0; i < 12; i++)
        if (g[i] == 1) {
            tg[m] = t[i];
            eg[m++] = e[i];
        }
    assert_int_equal(rk_km_fit(t, e, g, 12, 2, 0.95, RK_KM_CI_LOGLOG, &k2, NULL), RK_OK);
    assert_int_equal(rk_km_fit(tg, eg, NULL, 6, 1, 0.95, RK_KM_CI_LOGLOG, &k1, NULL), RK_OK);
    assert_int_equal(k1->curve[0].n_times, k2->curve[1].n_times);
    for (size_t i = 0; i < k1->curve[0].n_times; i++)
        assert_true(k1->curve[0].surv[i] == k2->curve[1].surv[i]);
    rk_km_free(k1);
    rk_km_free(k2);
}

/* ---------------------------------------------------- bad input */

static void test_bad_input(void **state)
{
    (void)state;
    double t[] = {1, 2, 3, 4};
    int e[] = {1, 0, 1, 1};
    size_t g[] = {0, 0, 2, 2};
    rk_km *km = NULL;
    rk_logrank *lr = NULL;
    rk_error err;
    assert_int_equal(rk_km_fit(t, e, g, 4, 3, 0.95, RK_KM_CI_LOG, &km, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "group index 1 has no observations"));
    assert_null(km);
    assert_int_equal(rk_logrank_test(t, e, g, 4, 3, NULL, 0, &lr, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "no observations"));
    assert_int_equal(rk_km_fit(t, e, NULL, 4, 1, 1.5, RK_KM_CI_LOG, &km, &err), RK_EINVAL);
    assert_int_equal(rk_km_fit(t, e, NULL, 0, 1, 0.95, RK_KM_CI_LOG, &km, &err), RK_EINVAL);
    t[1] = -2;
    assert_int_equal(rk_km_fit(t, e, NULL, 4, 1, 0.95, RK_KM_CI_LOG, &km, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "negative"));
    t[1] = NAN;
    assert_int_equal(rk_km_fit(t, e, NULL, 4, 1, 0.95, RK_KM_CI_LOG, &km, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "observation 2"));
    t[1] = 2;
    e[2] = 2;
    assert_int_equal(rk_km_fit(t, e, NULL, 4, 1, 0.95, RK_KM_CI_LOG, &km, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "event of observation 3"));
    size_t g2[] = {0, 1, 0, 1};
    int none[] = {0, 0, 0, 0};
    assert_int_equal(rk_logrank_test(t, none, g2, 4, 2, NULL, 0, &lr, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "no events"));
    assert_int_equal(rk_logrank_test(t, none, g2, 4, 1, NULL, 0, &lr, &err), RK_EINVAL);
    assert_null(lr);
    size_t s[] = {0, 5, 0, 0};
    int ev[] = {1, 1, 1, 1};
    assert_int_equal(rk_logrank_test(t, ev, g2, 4, 2, s, 2, &lr, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "stratum index 5"));
    /* a column of IDs given as the group: 50,000 groups made a 20 GB variance matrix and
     * O(groups^2) work per event time (a hang); refused up front */
    {
        enum { NG = RK_LOGRANK_MAX_GROUPS + 1 };
        double tt[2 * NG];
        int ee[2 * NG];
        size_t gg[2 * NG];
        for (size_t i = 0; i < 2 * NG; i++) {
            tt[i] = (double)(i % 7 + 1);
            ee[i] = 1;
            gg[i] = i / 2;
        }
        assert_int_equal(rk_logrank_test(tt, ee, gg, 2 * NG, NG, NULL, 0, &lr, &err), RK_EINVAL);
        assert_string_equal(err.msg, "log-rank test: 101 groups; it compares at most 100 (is the "
                                     "group column the treatment arm?)");
        assert_null(lr);
        assert_int_equal(rk_logrank_test(tt, ee, gg, 2 * (NG - 1), NG - 1, NULL, 0, &lr, &err),
                         RK_OK);
        rk_logrank_free(lr);
        lr = NULL;
    }
    /* a group without events is a valid KM curve: S = 1 throughout */
    assert_int_equal(rk_km_fit(t, none, NULL, 4, 1, 0.95, RK_KM_CI_LOG, &km, &err), RK_OK);
    assert_true(km->curve[0].surv[3] == 1 && isnan(km->curve[0].median));
    rk_km_free(km);
    rk_km_ci ci;
    assert_int_equal(rk_km_ci_parse("logit", &ci, &err), RK_EINVAL);
}

/* ---------------------------------------------------- TTCI death rule */

static void test_ttci_rules(void **state)
{
    (void)state;
    /* subjects: improved day 5; alive unimproved, last seen day 20; died day 3
     * unimproved; died day 12 after improving on day 10 */
    const double tti[] = {5, 20, 0, 10};
    const int imp[] = {1, 0, 0, 1};
    const int died[] = {0, 0, 1, 1};
    const double dt[] = {0, 0, 3, 12};
    double t[4];
    int e[4];
    rk_error err;
    assert_int_equal(
        rk_ttci_events(tti, imp, died, dt, 4, 28, RK_TTCI_DEATH_CENSORED_AT_FOLLOWUP, t, e, &err),
        RK_OK);
    const double ta[] = {5, 20, 28, 10};
    const int ea[] = {1, 0, 0, 1};
    for (int i = 0; i < 4; i++)
        assert_true(t[i] == ta[i] && e[i] == ea[i]);
    assert_int_equal(
        rk_ttci_events(tti, imp, died, dt, 4, 28, RK_TTCI_DEATH_NEVER_IMPROVES, t, e, &err), RK_OK);
    for (int i = 0; i < 4; i++)
        assert_true(t[i] == ta[i] && e[i] == ea[i]);
    assert_int_equal(
        rk_ttci_events(tti, imp, died, dt, 4, 28, RK_TTCI_DEATH_CENSORED_AT_DEATH, t, e, &err),
        RK_OK);
    assert_true(t[2] == 3 && e[2] == 0);
    rk_ttci_rule r;
    assert_int_equal(rk_ttci_rule_parse("death", &r, &err), RK_OK);
    assert_int_equal(r, RK_TTCI_DEATH_CENSORED_AT_DEATH);
    assert_int_equal(rk_ttci_rule_parse("ignore", &r, &err), RK_EINVAL);
    /* death before a recorded improvement, times beyond follow-up */
    const double dt_bad[] = {0, 0, 3, 8};
    assert_int_equal(rk_ttci_events(tti, imp, died, dt_bad, 4, 28, 0, t, e, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "subject 4 died"));
    assert_int_equal(rk_ttci_events(tti, imp, died, dt, 4, 15, 0, t, e, &err), RK_EINVAL);
    assert_int_equal(rk_ttci_events(tti, imp, NULL, NULL, 4, 0, 0, t, e, &err), RK_EINVAL);
}

/* Why the rule matters: deaths censored at death leave the risk set early and
 * raise the KM estimate of improvement; censoring them at the end of follow-up
 * keeps them at risk (they never improve). */
static void test_ttci_rule_changes_km(void **state)
{
    (void)state;
    const double tti[] = {2, 4, 6, 8, 28, 28, 0, 0, 0, 0};
    const int imp[] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    const int died[] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    const double dt[] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
    double t[10];
    int e[10];
    double imp_a, imp_b;
    rk_km *km = NULL;
    assert_int_equal(rk_ttci_events(tti, imp, died, dt, 10, 28, 0, t, e, NULL), RK_OK);
    assert_int_equal(rk_km_fit(t, e, NULL, 10, 1, 0.95, RK_KM_CI_LOG, &km, NULL), RK_OK);
    imp_a = 1 - km->curve[0].surv[3]; /* after day 8 */
    assert_true(fabs(imp_a - 0.4) < 1e-15);
    rk_km_free(km);
    assert_int_equal(
        rk_ttci_events(tti, imp, died, dt, 10, 28, RK_TTCI_DEATH_CENSORED_AT_DEATH, t, e, NULL),
        RK_OK);
    assert_int_equal(rk_km_fit(t, e, NULL, 10, 1, 0.95, RK_KM_CI_LOG, &km, NULL), RK_OK);
    imp_b = 1 - km->curve[0].surv[4]; /* times 1 (deaths), 2, 4, 6, 8 */
    assert_true(fabs(imp_b - 4.0 / 6.0) < 1e-15);
    rk_km_free(km);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_ovarian_median),
        cmocka_unit_test(test_no_censoring_is_empirical),
        cmocka_unit_test(test_order_and_group_invariance),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_ttci_rules),
        cmocka_unit_test(test_ttci_rule_changes_km),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
