/* Tests for src/rand/alloc.c: Pocock-Simon minimization on hand-checked small cases (factor
 * weights, base probability, unequal ratios through virtual arms), the allocation ratio kept
 * exactly at every allocation, reproducible assignment, and allocation-time Efron by stratum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/rand.h"

static rk_rand_design *parse(const char *y)
{
    rk_rand_design *d = NULL;
    rk_error e = {0};
    if (rk_rand_design_parse(y, strlen(y), "t.yaml", &d, &e)) fail_msg("%s", e.msg);
    return d;
}

static rk_rand_design *minim(double wsex, double wsite, const char *ratio_b, double p)
{
    char y[400];
    snprintf(y, sizeof y,
             "arms: [{name: A, ratio: %s}, {name: B}]\n"
             "strata:\n  - {name: sex, levels: [M, F], weight: %g}\n"
             "  - {name: site, levels: [S1, S2], weight: %g}\n"
             "procedure: {name: minimization, p: %g}\nlist_length: 20\n",
             ratio_b, wsex, wsite, p);
    return parse(y);
}

static void add(const rk_rand_design *d, rk_rand_state *st, size_t sex, size_t site, size_t arm,
                size_t varm)
{
    size_t lv[2] = {sex, site};
    rk_error e = {0};
    if (rk_rand_state_add(d, st, lv, arm, varm, &e)) fail_msg("%s", e.msg);
}

static double prob_a(const rk_rand_design *d, const rk_rand_state *st, size_t sex, size_t site)
{
    size_t lv[2] = {sex, site};
    double p[2];
    assert_int_equal(rk_rand_probs(d, st, lv, p, NULL, NULL), RK_OK);
    assert_true(fabs(p[0] + p[1] - 1) < 1e-15);
    return p[0];
}

/* 1:1, p = 0.8.  History: (M,S1) -> A, (F,S2) -> B, (F,S2) -> B.  New (M,S2):
 *   G_A = w_sex * range(M: 2,0) + w_site * range(S2: 1,2) = 2 w_sex + w_site
 *   G_B = w_sex * range(M: 1,1) + w_site * range(S2: 0,3) = 3 w_site */
static void test_weights(void **state)
{
    (void)state;
    const double w[3][2] = {{1, 1}, {3, 1}, {1, 3}}, want[3] = {0.5, 0.2, 0.8};
    for (int c = 0; c < 3; c++) {
        rk_rand_design *d = minim(w[c][0], w[c][1], "1", 0.8);
        rk_rand_state *st;
        assert_int_equal(rk_rand_state_new(d, &st, NULL), RK_OK);
        assert_true(fabs(prob_a(d, st, 0, 0) - 0.5) < 1e-15); /* empty: no preference */
        add(d, st, 0, 0, 0, 0);
        add(d, st, 1, 1, 1, 1);
        add(d, st, 1, 1, 1, 1);
        assert_int_equal(rk_rand_state_count(st), 3);
        assert_true(fabs(prob_a(d, st, 0, 1) - want[c]) < 1e-15);
        /* (F,S1): G_A = range(F: 1,2) + range(S1: 2,0) = 3 = G_B = range(F: 0,3) + 0: a tie.
         * (F,S2): G_A = range(F: 1,2) + range(S2: 1,2) = 2 < G_B = 3 + 3. */
        if (c == 0) {
            assert_true(fabs(prob_a(d, st, 1, 0) - 0.5) < 1e-15);
            assert_true(fabs(prob_a(d, st, 1, 1) - 0.8) < 1e-15);
        }
        rk_rand_state_free(st);
        rk_rand_design_free(d);
    }
}

/* 2:1 through 3 virtual arms A1, A2, B with equal 1:1:1 minimization.  Empty: 2/3.  After
 * (M,S1) -> A1, a new (M,S1): G_A1 = 2 + 2, G_A2 = 1 + 1, G_B = 1 + 1, so A2 and B share
 * p = 0.8 and A1 gets 0.2: P(A) = 0.6. */
static void test_unequal_ratio(void **state)
{
    (void)state;
    rk_rand_design *d = minim(1, 1, "2", 0.8);
    rk_rand_state *st;
    assert_int_equal(rk_rand_state_new(d, &st, NULL), RK_OK);
    size_t lv[2] = {0, 0};
    double p[2], vp[3];
    assert_int_equal(rk_rand_probs(d, st, lv, p, vp, NULL), RK_OK);
    assert_true(fabs(p[0] - 2.0 / 3) < 1e-15);
    add(d, st, 0, 0, 0, 0);
    assert_int_equal(rk_rand_probs(d, st, lv, p, vp, NULL), RK_OK);
    assert_true(fabs(vp[0] - 0.2) < 1e-15 && fabs(vp[1] - 0.4) < 1e-15 &&
                fabs(vp[2] - 0.4) < 1e-15);
    assert_true(fabs(p[0] - 0.6) < 1e-15);
    rk_error e;
    size_t bad[2] = {0, 2};
    assert_int_equal(rk_rand_probs(d, st, bad, p, NULL, &e), RK_EINVAL);
    assert_string_equal(e.msg, "factor 'site': level index 2 out of range (2 levels)");
    assert_int_equal(rk_rand_state_add(d, st, lv, 1, 0, &e), RK_EINVAL);
    assert_string_equal(e.msg, "virtual arm 0 does not belong to arm 'B'");
    rk_rand_state_free(st);
    rk_rand_design_free(d);
}

/* With the virtual-arm expansion every allocation has marginal P(A) = 2/3 exactly (the
 * procedure treats the 3 virtual arms symmetrically).  Enumerate every history of 4 subjects:
 * covariates equally likely, allocations by the procedure's probabilities. */
typedef struct hist {
    size_t lv[8][2], arm[8], varm[8];
} hist;

static void walk(const rk_rand_design *d, hist *h, size_t i, size_t n, double prob, double *pa)
{
    if (i == n) return;
    for (size_t sex = 0; sex < 2; sex++)
        for (size_t site = 0; site < 2; site++) {
            rk_rand_state *st;
            assert_int_equal(rk_rand_state_new(d, &st, NULL), RK_OK);
            for (size_t j = 0; j < i; j++)
                assert_int_equal(rk_rand_state_add(d, st, h->lv[j], h->arm[j], h->varm[j], NULL),
                                 RK_OK);
            size_t lv[2] = {sex, site};
            double p[2], vp[3];
            assert_int_equal(rk_rand_probs(d, st, lv, p, vp, NULL), RK_OK);
            rk_rand_state_free(st);
            double q = prob / 4;
            pa[i] += q * p[0];
            for (size_t v = 0; v < 3; v++) {
                if (vp[v] == 0) continue;
                h->lv[i][0] = sex;
                h->lv[i][1] = site;
                h->arm[i] = v < 2 ? 0 : 1;
                h->varm[i] = v;
                walk(d, h, i + 1, n, q * vp[v], pa);
            }
        }
}

static void test_ratio_preserved(void **state)
{
    (void)state;
    rk_rand_design *d = minim(1, 2, "2", 0.9);
    hist h;
    double pa[4] = {0};
    walk(d, &h, 0, 4, 1, pa);
    for (int i = 0; i < 4; i++)
        if (fabs(pa[i] - 2.0 / 3) > 1e-12) fail_msg("allocation %d: P(A) = %.15g", i + 1, pa[i]);
    rk_rand_design_free(d);
}

/* rk_rand_assign: the same key and history give the same arms; a replay through
 * rk_rand_state_add gives the same state; with one factor and p = 1 no level is ever more than
 * 1 apart. */
static void test_assign(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: A}, {name: B}]\n"
                              "strata: [{name: sex, levels: [M, F]}]\n"
                              "procedure: {name: minimization, p: 1}\nlist_length: 20\n");
    unsigned char key[32];
    rk_rand_seed_key("assign", key, NULL);
    rk_rand_state *a, *b, *c;
    assert_int_equal(rk_rand_state_new(d, &a, NULL), RK_OK);
    assert_int_equal(rk_rand_state_new(d, &b, NULL), RK_OK);
    assert_int_equal(rk_rand_state_new(d, &c, NULL), RK_OK);
    size_t arms[40], cnt[2][2] = {{0, 0}, {0, 0}};
    for (size_t i = 0; i < 40; i++) {
        size_t lv[1] = {(i / 3) % 2}, x, y, v;
        assert_int_equal(rk_rand_assign(d, a, key, lv, &x, &v, NULL), RK_OK);
        assert_int_equal(rk_rand_assign(d, b, key, lv, &y, NULL, NULL), RK_OK);
        assert_int_equal(x, y);
        assert_int_equal(rk_rand_state_add(d, c, lv, x, v, NULL), RK_OK);
        double pa[2], pc[2];
        assert_int_equal(rk_rand_probs(d, a, lv, pa, NULL, NULL), RK_OK);
        assert_int_equal(rk_rand_probs(d, c, lv, pc, NULL, NULL), RK_OK);
        assert_true(pa[0] == pc[0]);
        arms[i] = x;
        cnt[lv[0]][x]++;
        /* p = 1 with one subject per sex at a time: each sex is never 2 apart */
        assert_true(labs((long)cnt[lv[0]][0] - (long)cnt[lv[0]][1]) <= 1);
    }
    (void)arms;
    rk_rand_state_free(a);
    rk_rand_state_free(b);
    rk_rand_state_free(c);
    rk_rand_state_free(NULL);
    rk_rand_design_free(d);
}

/* Efron at allocation time works within the subject's stratum. */
static void test_efron_strata(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: A}, {name: B}]\n"
                              "strata: [{name: site, levels: [S1, S2]}]\n"
                              "procedure: {name: efron, p: 0.75}\nlist_length: 10\n");
    rk_rand_state *st;
    assert_int_equal(rk_rand_state_new(d, &st, NULL), RK_OK);
    size_t s1[1] = {0}, s2[1] = {1};
    double p[2];
    assert_int_equal(rk_rand_state_add(d, st, s1, 0, 0, NULL), RK_OK);
    assert_int_equal(rk_rand_probs(d, st, s1, p, NULL, NULL), RK_OK);
    assert_true(fabs(p[1] - 0.75) < 1e-15);
    assert_int_equal(rk_rand_probs(d, st, s2, p, NULL, NULL), RK_OK);
    assert_true(fabs(p[1] - 0.5) < 1e-15);
    rk_rand_state_free(st);
    rk_rand_design_free(d);
    d = parse("arms: [{name: A}, {name: B}]\nprocedure: {name: permuted-blocks, block_sizes: [2]}\n"
              "list_length: 10\n");
    rk_error e;
    assert_int_equal(rk_rand_state_new(d, &st, &e), RK_EINVAL);
    assert_string_equal(e.msg, "t.yaml: procedure permuted-blocks makes lists; allocation time "
                               "applies to complete, efron, big-stick and minimization");
    rk_rand_design_free(d);
}

/* assess on minimization simulates; with p = 1 and one factor level it is perfectly
 * balanced after every pair, so the final imbalance of an even n is 0. */
static void test_assess_minimization(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: A}, {name: B}]\n"
                              "strata: [{name: all, levels: [x]}]\n"
                              "procedure: {name: minimization, p: 1}\nlist_length: 10\n");
    rk_rand_assess_opts o;
    rk_rand_assess_opts_init(&o);
    o.sims = 200;
    rk_rand_assessment r;
    assert_int_equal(rk_rand_assess(d, &o, &r, NULL), RK_OK);
    assert_false(r.exact);
    assert_true(r.final_imbalance == 0);
    assert_true(r.max_imbalance_worst == 1);
    /* deterministic after each odd subject: 5 sure guesses + 5 coin flips */
    assert_true(fabs(r.correct_guesses - 7.5) < 1e-12);
    rk_rand_design_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights),         cmocka_unit_test(test_unequal_ratio),
        cmocka_unit_test(test_ratio_preserved), cmocka_unit_test(test_assign),
        cmocka_unit_test(test_efron_strata),    cmocka_unit_test(test_assess_minimization),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
