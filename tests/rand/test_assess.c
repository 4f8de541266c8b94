/* Tests for src/rand/assess.c: closed forms, brute-force enumeration of every sequence with its
 * probability from the procedure's definition, simulation against exact values, and the
 * chronological-bias type-I error against R (tests/fixtures/make_rand_chron.R). */
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

static rk_rand_assessment assess(const rk_rand_design *d, size_t n, size_t budget, size_t sims)
{
    rk_rand_assess_opts o;
    rk_rand_assess_opts_init(&o);
    o.n = n;
    if (budget) o.max_exact_nodes = budget;
    if (sims) o.sims = sims;
    rk_rand_assessment r;
    rk_error e = {0};
    if (rk_rand_assess(d, &o, &r, &e)) fail_msg("%s", e.msg);
    return r;
}

static double choose(unsigned n, unsigned k)
{
    double c = 1;
    for (unsigned i = 1; i <= k; i++)
        c = c * (n - k + i) / i;
    return c;
}

/* Expected correct guesses of a random-allocation block of 2m under the convergence strategy:
 * m + 2^(2m-1) / C(2m, m) - 1/2 (Blackwell and Hodges 1957). */
static void test_rar_closed_form(void **state)
{
    (void)state;
    for (unsigned m = 1; m <= 7; m++) {
        char y[160];
        snprintf(y, sizeof y,
                 "arms: [{name: A}, {name: B}]\nprocedure: {name: random-allocation}\n"
                 "list_length: %u\n",
                 2 * m);
        rk_rand_design *d = parse(y);
        rk_rand_assessment r = assess(d, 0, 0, 0);
        double want = m + pow(2, 2 * m - 1) / choose(2 * m, m) - 0.5;
        assert_true(r.exact);
        assert_int_equal(r.sequences, (size_t)choose(2 * m, m));
        assert_true(fabs(r.correct_guesses - want) < 1e-12);
        assert_true(fabs(r.final_imbalance) < 1e-15 && fabs(r.loss) < 1e-15);
        assert_true(fabs(r.max_imbalance_worst - m) < 1e-15);
        rk_rand_design_free(d);
    }
    /* Fixed blocks of 4: the guesser restarts at every block: 3 blocks x (2 + 8/6 - 1/2). */
    rk_rand_design *d = parse("arms: [{name: A}, {name: B}]\n"
                              "procedure: {name: permuted-blocks, block_sizes: [4]}\n"
                              "list_length: 12\n");
    rk_rand_assessment r = assess(d, 0, 0, 0);
    assert_true(r.exact);
    assert_int_equal(r.sequences, 216);
    assert_true(fabs(r.correct_guesses - 3 * (2 + 8.0 / 6 - 0.5)) < 1e-12);
    rk_rand_design_free(d);
}

/* Complete randomization 1:1: half the guesses right, E[D_n^2 / n] = 1, E|D_n| = n C(n, n/2) /
 * 2^n; with no trend the t-test keeps its level exactly. */
static void test_complete_closed_form(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: A}, {name: B}]\nprocedure: {name: complete}\n"
                              "list_length: 10\n");
    rk_rand_assess_opts o;
    rk_rand_assess_opts_init(&o);
    o.theta = 0;
    rk_rand_assessment r;
    assert_int_equal(rk_rand_assess(d, &o, &r, NULL), RK_OK);
    assert_true(r.exact);
    assert_int_equal(r.sequences, 1024);
    assert_true(fabs(r.prop_correct - 0.5) < 1e-14);
    assert_true(fabs(r.loss - 1) < 1e-12);
    assert_true(fabs(r.final_imbalance - 10 * choose(10, 5) / 1024) < 1e-12);
    /* no trend: every sequence with both arms present has exactly alpha; the two one-arm
     * sequences count as no rejection */
    assert_true(fabs(r.chron_t1e - 0.05 * 1022 / 1024) < 1e-9);
    rk_rand_design_free(d);
}

/* ---- brute force ---- */

typedef struct bf {
    int proc; /* 0 blocks, 1 efron, 2 big stick, 3 maximal, 4 complete */
    unsigned ratio[2];
    unsigned sizes[4];
    size_t nsizes;
    double p;
    unsigned mti;
} bf;

static double block_prefix_prob(const bf *b, unsigned s, const int *a, size_t len)
{
    /* probability that a random block of size s (exact ratio) starts with a[0..len) */
    unsigned R = b->ratio[0] + b->ratio[1], n0 = s / R * b->ratio[0], n1 = s - n0, c0 = 0, c1 = 0;
    for (size_t i = 0; i < len; i++) {
        if (a[i])
            c1++;
        else
            c0++;
    }
    if (c0 > n0 || c1 > n1) return 0;
    return choose(s - c0 - c1, n0 - c0) / choose(s, n0);
}

static unsigned maximal_count(unsigned s, unsigned mti)
{
    unsigned c = 0;
    for (unsigned x = 0; x < (1u << s); x++) {
        int D = 0, ok = 1;
        for (unsigned i = 0; i < s; i++) {
            D += (x >> i & 1) ? -1 : 1;
            if (abs(D) > (int)mti) ok = 0;
        }
        c += ok && D == 0;
    }
    return c;
}

static double seq_prob(const bf *b, const int *a, size_t n)
{
    if (b->proc == 0 || b->proc == 3) {
        if (n == 0) return 1;
        double p = 0;
        for (size_t i = 0; i < b->nsizes; i++) {
            unsigned s = b->sizes[i];
            size_t len = s < n ? s : n;
            double q = block_prefix_prob(b, s, a, len);
            if (b->proc == 3 && q > 0) {
                int D = 0, ok = 1;
                for (size_t j = 0; j < len; j++) {
                    D += a[j] ? -1 : 1;
                    if (abs(D) > (int)b->mti) ok = 0;
                }
                if (!ok)
                    q = 0;
                else if (len == s)
                    q = 1.0 / maximal_count(s, b->mti);
                else
                    fail_msg("brute force: partial maximal blocks not handled");
            }
            if (q > 0) p += q / (double)b->nsizes * seq_prob(b, a + len, n - len);
        }
        return p;
    }
    double p = 1;
    int D = 0;
    for (size_t i = 0; i < n; i++) {
        double pa; /* probability of arm 0 */
        if (b->proc == 1)
            pa = D == 0 ? 0.5 : D < 0 ? b->p : 1 - b->p;
        else if (b->proc == 2)
            pa = D >= (int)b->mti ? 0 : -D >= (int)b->mti ? 1 : 0.5;
        else
            pa = (double)b->ratio[0] / (b->ratio[0] + b->ratio[1]);
        p *= a[i] ? 1 - pa : pa;
        D += a[i] ? -1 : 1;
    }
    return p;
}

static void brute(const bf *b, size_t n, rk_rand_assessment *r)
{
    memset(r, 0, sizeof *r);
    int a[24];
    unsigned char au[24];
    unsigned R = b->ratio[0] + b->ratio[1];
    for (unsigned long x = 0; x < (1ul << n); x++) {
        for (size_t i = 0; i < n; i++)
            a[i] = (int)(x >> i & 1);
        double p = seq_prob(b, a, n);
        if (p == 0) continue;
        double hits = 0, mx = 0;
        long N[2] = {0, 0};
        for (size_t i = 0; i < n; i++) {
            long s0 = (long)(i + 1) * b->ratio[0] - (long)R * N[0];
            long s1 = (long)(i + 1) * b->ratio[1] - (long)R * N[1];
            if (s0 == s1)
                hits += 0.5;
            else if ((s0 > s1) == (a[i] == 0))
                hits += 1;
            N[a[i]]++;
            double im = (fabs((double)R * N[0] - (double)(i + 1) * b->ratio[0]) +
                         fabs((double)R * N[1] - (double)(i + 1) * b->ratio[1])) /
                        R;
            if (im > mx) mx = im;
            au[i] = (unsigned char)a[i];
        }
        double fin = (fabs((double)R * N[0] - (double)n * b->ratio[0]) +
                      fabs((double)R * N[1] - (double)n * b->ratio[1])) /
                     R;
        double loss = 0;
        for (int k = 0; k < 2; k++) {
            double e = (double)n * b->ratio[k] / R;
            loss += (N[k] - e) * (N[k] - e) / e;
        }
        double t;
        assert_int_equal(rk_rand_chron_t1e(au, n, 1, 0.05, &t, NULL), RK_OK);
        r->sequences++;
        r->correct_guesses += p * hits;
        r->max_imbalance += p * mx;
        if (mx > r->max_imbalance_worst) r->max_imbalance_worst = mx;
        r->final_imbalance += p * fin;
        r->loss += p * loss;
        r->chron_t1e += p * t;
    }
}

static void compare(const char *yaml, const bf *b, size_t n)
{
    rk_rand_design *d = parse(yaml);
    rk_rand_assessment got = assess(d, n, 0, 0), want;
    brute(b, n, &want);
    assert_true(got.exact);
    if (got.sequences < want.sequences)
        fail_msg("%s: %zu sequences, brute force %zu", yaml, got.sequences, want.sequences);
    double g[6] = {got.correct_guesses, got.max_imbalance, got.max_imbalance_worst,
                   got.final_imbalance, got.loss,          got.chron_t1e};
    double w[6] = {want.correct_guesses, want.max_imbalance, want.max_imbalance_worst,
                   want.final_imbalance, want.loss,          want.chron_t1e};
    for (int i = 0; i < 6; i++)
        if (!(fabs(g[i] - w[i]) < 1e-10))
            fail_msg("%s\nfigure %d: assess %.15g, brute force %.15g", yaml, i, g[i], w[i]);
    rk_rand_design_free(d);
}

static void test_brute_force(void **state)
{
    (void)state;
    bf b = {.proc = 0, .ratio = {1, 1}, .sizes = {4}, .nsizes = 1};
    compare("arms: [{name: A}, {name: B}]\nprocedure: {name: permuted-blocks, block_sizes: [4]}\n"
            "list_length: 10\n",
            &b, 10);
    bf b2 = {.proc = 0, .ratio = {1, 1}, .sizes = {2, 4, 6}, .nsizes = 3};
    compare("arms: [{name: A}, {name: B}]\n"
            "procedure: {name: permuted-blocks, block_sizes: [2, 4, 6]}\nlist_length: 11\n",
            &b2, 11);
    bf b3 = {.proc = 0, .ratio = {2, 1}, .sizes = {3, 6}, .nsizes = 2};
    compare("arms: [{name: T, ratio: 2}, {name: P}]\n"
            "procedure: {name: permuted-blocks, block_sizes: [3, 6]}\nlist_length: 12\n",
            &b3, 12);
    bf b4 = {.proc = 1, .ratio = {1, 1}, .p = 2.0 / 3};
    compare("arms: [{name: A}, {name: B}]\nprocedure: {name: efron}\nlist_length: 12\n", &b4, 12);
    bf b5 = {.proc = 2, .ratio = {1, 1}, .mti = 2};
    compare("arms: [{name: A}, {name: B}]\nprocedure: {name: big-stick, mti: 2}\n"
            "list_length: 12\n",
            &b5, 12);
    bf b6 = {.proc = 3, .ratio = {1, 1}, .sizes = {6}, .nsizes = 1, .mti = 2};
    compare("arms: [{name: A}, {name: B}]\nprocedure: {name: maximal, block_sizes: [6], mti: 2}\n"
            "list_length: 12\n",
            &b6, 12);
    bf b7 = {.proc = 4, .ratio = {3, 1}};
    compare("arms: [{name: A, ratio: 3}, {name: B}]\nprocedure: {name: complete}\n"
            "list_length: 9\n",
            &b7, 9);
}

/* Simulation agrees with the exact value within 4 standard errors. */
static void test_simulation(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: T, ratio: 2}, {name: P}]\n"
                              "procedure: {name: permuted-blocks, block_sizes: [3, 6]}\n"
                              "list_length: 12\n");
    rk_rand_assessment ex = assess(d, 0, 0, 0), sim = assess(d, 0, 1, 20000);
    assert_true(ex.exact);
    assert_false(sim.exact);
    assert_int_equal(sim.sequences, 20000);
    assert_true(sim.se_prop_correct > 0);
    assert_true(fabs(sim.prop_correct - ex.prop_correct) < 4 * sim.se_prop_correct);
    assert_true(fabs(sim.chron_t1e - ex.chron_t1e) < 4 * sim.se_chron_t1e);
    assert_true(fabs(sim.loss - ex.loss) < 0.05 * ex.loss + 0.01);
    rk_rand_design_free(d);
    /* too long for enumeration: simulated */
    d = parse("arms: [{name: A}, {name: B}]\nprocedure: {name: random-allocation}\n"
              "list_length: 100\n");
    rk_rand_assessment r = assess(d, 0, 0, 2000);
    assert_false(r.exact);
    double want = 50 + pow(2, 99) / choose(100, 50) - 0.5;
    assert_true(fabs(r.correct_guesses - want) < 4 * r.se_prop_correct * 100);
    rk_rand_design_free(d);
}

/* Each line: arms|theta|alpha|p (R: integrate over the noncentral chi-square)|p (simulated). */
static void test_chron_fixture(void **state)
{
    (void)state;
    FILE *f = fopen(RK_FIXTURE_DIR "/rand_chron.txt", "r");
    assert_non_null(f);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *bar = strchr(line, '|');
        assert_non_null(bar);
        size_t len = (size_t)(bar - line);
        unsigned char a[128];
        assert_true(len < sizeof a);
        for (size_t i = 0; i < len; i++)
            a[i] = (unsigned char)(line[i] - '0');
        char *end;
        double theta = strtod(bar + 1, &end);
        double alpha = strtod(end + 1, &end);
        double want = strtod(end + 1, &end);
        double got;
        assert_int_equal(rk_rand_chron_t1e(a, len, theta, alpha, &got, NULL), RK_OK);
        if (!(fabs(got - want) < 1e-9 * want + 1e-12))
            fail_msg("%.*s theta %g: got %.15g, R %.15g", (int)len, line, theta, got, want);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 9);
    rk_error e;
    double t;
    assert_int_equal(rk_rand_chron_t1e((const unsigned char *)"\0\1", 2, 1, 1.5, &t, &e),
                     RK_EINVAL);
    assert_string_equal(e.msg, "alpha must be in (0, 1), not 1.5");
}

/* Exact figures from an independent brute force in R (tests/fixtures/make_rand_assess.R). */
static void test_r_fixture(void **state)
{
    (void)state;
    static const struct {
        const char *id, *yaml;
    } designs[] = {
        {"efron", "arms: [{name: A}, {name: B}]\nprocedure: {name: efron}\nlist_length: 10\n"},
        {"bigstick2",
         "arms: [{name: A}, {name: B}]\nprocedure: {name: big-stick, mti: 2}\nlist_length: 10\n"},
        {"blocks4", "arms: [{name: A}, {name: B}]\n"
                    "procedure: {name: permuted-blocks, block_sizes: [4]}\nlist_length: 10\n"},
        {"blocks3_21", "arms: [{name: A, ratio: 2}, {name: B}]\n"
                       "procedure: {name: permuted-blocks, block_sizes: [3]}\nlist_length: 9\n"},
        {"complete_21", "arms: [{name: A, ratio: 2}, {name: B}]\n"
                        "procedure: {name: complete}\nlist_length: 8\n"},
    };
    FILE *f = fopen(RK_FIXTURE_DIR "/rand_assess.txt", "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *bar = strchr(line, '|');
        assert_non_null(bar);
        *bar = 0;
        const char *yaml = NULL;
        for (size_t i = 0; i < sizeof designs / sizeof designs[0]; i++)
            if (!strcmp(designs[i].id, line)) yaml = designs[i].yaml;
        assert_non_null(yaml);
        char *p = bar + 1, *end;
        double v[7];
        for (int k = 0; k < 7; k++) {
            v[k] = strtod(p, &end);
            assert_true(end != p);
            p = end + 1;
        }
        rk_rand_design *d = parse(yaml);
        rk_rand_assessment r = assess(d, 0, 0, 0);
        assert_true(r.exact);
        assert_int_equal(r.n, (size_t)v[0]);
        double g[6] = {r.correct_guesses, r.max_imbalance, r.max_imbalance_worst,
                       r.final_imbalance, r.loss,          r.chron_t1e};
        for (int k = 0; k < 6; k++)
            if (!(fabs(g[k] - v[k + 1]) < 1e-10 * fabs(v[k + 1]) + 1e-12))
                fail_msg("%s figure %d: rctkit %.15g, R %.15g", line, k, g[k], v[k + 1]);
        rk_rand_design_free(d);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rar_closed_form), cmocka_unit_test(test_complete_closed_form),
        cmocka_unit_test(test_brute_force),     cmocka_unit_test(test_simulation),
        cmocka_unit_test(test_chron_fixture),   cmocka_unit_test(test_r_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
