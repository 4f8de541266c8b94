/* Tests for src/rand/list.c and seq.c: reproducible lists, the exact ratio in every block, the
 * properties each procedure promises, and the CSV. */
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

static rk_rand_list *make(const rk_rand_design *d, const char *seed)
{
    unsigned char key[32];
    rk_rand_list *l = NULL;
    rk_error e = {0};
    rk_rand_seed_key(seed, key, NULL);
    if (rk_rand_list_make(d, key, &l, &e)) fail_msg("%s", e.msg);
    return l;
}

static const char *blocks21 = "arms: [{name: T, ratio: 2}, {name: P, ratio: 1}]\n"
                              "strata: [{name: site, levels: [S1, S2, S3, S4]}]\n"
                              "procedure: {name: permuted-blocks, block_sizes: [3, 6]}\n"
                              "list_length: 100\n";

static void test_reproducible(void **state)
{
    (void)state;
    rk_rand_design *d = parse(blocks21);
    rk_rand_list *a = make(d, "seed-1"), *b = make(d, "seed-1"), *c = make(d, "seed-2");
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->slot, b->slot, a->n * sizeof *a->slot);
    int differ = a->n != c->n;
    for (size_t i = 0; i < a->n && i < c->n; i++)
        differ |= a->slot[i].arm != c->slot[i].arm;
    assert_true(differ);
    /* A stratum's list depends on its own label only: adding a site changes no other list. */
    const char *more = "arms: [{name: T, ratio: 2}, {name: P, ratio: 1}]\n"
                       "strata: [{name: site, levels: [S1, S2, S3, S4, S5]}]\n"
                       "procedure: {name: permuted-blocks, block_sizes: [3, 6]}\n"
                       "list_length: 100\n";
    rk_rand_design *d5 = parse(more);
    rk_rand_list *e = make(d5, "seed-1");
    size_t n4 = a->n;
    for (size_t i = 0; i < n4; i++) {
        assert_int_equal(a->slot[i].arm, e->slot[i].arm);
        assert_int_equal(a->slot[i].block_size, e->slot[i].block_size);
    }
    rk_rand_list_free(a);
    rk_rand_list_free(b);
    rk_rand_list_free(c);
    rk_rand_list_free(e);
    rk_rand_list_free(NULL);
    rk_rand_design_free(d);
    rk_rand_design_free(d5);
}

static void test_blocks_ratio(void **state)
{
    (void)state;
    rk_rand_design *d = parse(blocks21);
    rk_rand_list *l = make(d, "ratio");
    size_t i = 0, nsize[7] = {0};
    for (size_t s = 0; s < 4; s++) {
        size_t n = 0, blk = 0;
        while (i < l->n && l->slot[i].stratum == s) {
            const rk_rand_slot *b0 = &l->slot[i];
            size_t bs = b0->block_size, cnt[2] = {0, 0};
            assert_true(bs == 3 || bs == 6);
            assert_int_equal(b0->block, ++blk);
            nsize[bs]++;
            for (size_t j = 0; j < bs; j++, i++) {
                assert_true(i < l->n);
                assert_int_equal(l->slot[i].stratum, s);
                assert_int_equal(l->slot[i].block, blk);
                assert_int_equal(l->slot[i].block_size, bs);
                assert_int_equal(l->slot[i].rand_no, i + 1);
                cnt[l->slot[i].arm]++;
            }
            assert_int_equal(cnt[0], 2 * cnt[1]); /* exactly 2:1 in every block */
            n += bs;
        }
        assert_true(n >= 100 && n < 106); /* ends on a whole block */
    }
    assert_int_equal(i, l->n);
    assert_true(nsize[3] > 0 && nsize[6] > 0);
    rk_rand_list_free(l);
    rk_rand_design_free(d);
}

/* All 6 orders of a 1:1 block of 4 are equally likely; the 4 sequences of a maximal block of 4
 * with mti 1 (ABAB, ABBA, BAAB, BABA) too. */
static void test_uniform_blocks(void **state)
{
    (void)state;
    const char *y[2] = {"arms: [{name: A}, {name: B}]\n"
                        "procedure: {name: permuted-blocks, block_sizes: [4]}\n"
                        "list_length: 48000\n",
                        "arms: [{name: A}, {name: B}]\n"
                        "procedure: {name: maximal, block_sizes: [4], mti: 1}\n"
                        "list_length: 48000\n"};
    for (int t = 0; t < 2; t++) {
        rk_rand_design *d = parse(y[t]);
        rk_rand_list *l = make(d, "uniform");
        size_t cnt[16] = {0};
        assert_int_equal(l->n, 48000);
        for (size_t i = 0; i < l->n; i += 4) {
            unsigned code = 0;
            long D = 0;
            for (size_t j = 0; j < 4; j++) {
                code = code * 2 + (unsigned)l->slot[i + j].arm;
                D += l->slot[i + j].arm ? -1 : 1;
                if (t == 1) assert_true(labs(D) <= 1);
            }
            assert_int_equal(D, 0);
            cnt[code]++;
        }
        size_t k = t == 0 ? 6 : 4;
        double expect = 12000.0 / (double)k, chi = 0;
        size_t seen = 0;
        for (int c = 0; c < 16; c++)
            if (cnt[c]) {
                seen++;
                chi += (cnt[c] - expect) * (cnt[c] - expect) / expect;
            }
        assert_int_equal(seen, k);
        assert_true(chi < 20); /* chi-square with 5 or 3 df: 20 is far in the tail */
        rk_rand_list_free(l);
        rk_rand_design_free(d);
    }
}

static void test_rar_complete(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: A, ratio: 3}, {name: B, ratio: 1}]\n"
                              "strata: [{name: s, levels: [x, y]}]\n"
                              "procedure: {name: random-allocation}\nlist_length: 40\n");
    rk_rand_list *l = make(d, "rar");
    assert_int_equal(l->n, 80);
    size_t c[2][2] = {{0, 0}, {0, 0}};
    for (size_t i = 0; i < l->n; i++) {
        assert_int_equal(l->slot[i].block, 1);
        assert_int_equal(l->slot[i].block_size, 40);
        c[l->slot[i].stratum][l->slot[i].arm]++;
    }
    assert_int_equal(c[0][0], 30);
    assert_int_equal(c[1][1], 10);
    rk_rand_list_free(l);
    rk_rand_design_free(d);

    d = parse("arms: [{name: A}, {name: B, ratio: 2}, {name: C}]\n"
              "procedure: {name: complete}\nlist_length: 40000\n");
    l = make(d, "complete");
    size_t k[3] = {0, 0, 0};
    for (size_t i = 0; i < l->n; i++) {
        assert_int_equal(l->slot[i].block, 0);
        assert_int_equal(l->slot[i].block_size, 0);
        k[l->slot[i].arm]++;
    }
    assert_int_equal(l->n, 40000);
    assert_true(fabs((double)k[0] - 10000) < 400 && fabs((double)k[1] - 20000) < 500);
    rk_rand_list_free(l);
    rk_rand_design_free(d);
}

static void test_bigstick_efron(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: A}, {name: B}]\n"
                              "procedure: {name: big-stick, mti: 3}\nlist_length: 5000\n");
    rk_rand_list *l = make(d, "bs");
    long D = 0, hit = 0;
    for (size_t i = 0; i < l->n; i++) {
        D += l->slot[i].arm ? -1 : 1;
        assert_true(labs(D) <= 3);
        hit += labs(D) == 3;
    }
    assert_true(hit > 0);
    rk_rand_list_free(l);
    rk_rand_design_free(d);
    /* Efron with p = 1 is deterministic after each balanced point: pairs AB or BA. */
    d = parse("arms: [{name: A}, {name: B}]\nprocedure: {name: efron, p: 1}\nlist_length: 200\n");
    l = make(d, "efron");
    for (size_t i = 0; i + 1 < l->n; i += 2)
        assert_int_not_equal(l->slot[i].arm, l->slot[i + 1].arm);
    rk_rand_list_free(l);
    rk_rand_design_free(d);
    /* Efron 2/3: imbalance stays small, and the lagging arm gets about 2/3 of the next. */
    d = parse("arms: [{name: A}, {name: B}]\nprocedure: {name: efron}\nlist_length: 30000\n");
    l = make(d, "efron2");
    D = 0;
    long lag = 0, lagged = 0;
    for (size_t i = 0; i < l->n; i++) {
        int a = (int)l->slot[i].arm;
        if (D != 0) {
            lagged++;
            lag += (D > 0) == (a == 1);
        }
        D += a ? -1 : 1;
    }
    assert_true(fabs((double)lag / (double)lagged - 2.0 / 3) < 0.015);
    rk_rand_list_free(l);
    rk_rand_design_free(d);
}

static void test_csv_and_errors(void **state)
{
    (void)state;
    rk_rand_design *d = parse("arms: [{name: A}, {name: B}]\n"
                              "strata: [{name: site, levels: [S01]}, {name: sex, levels: [F]}]\n"
                              "procedure: {name: permuted-blocks, block_sizes: [2]}\n"
                              "list_length: 2\n");
    rk_rand_list *l = make(d, "csv");
    FILE *f = tmpfile();
    assert_int_equal(rk_rand_list_write_csv(d, l, f, NULL), RK_OK);
    rewind(f);
    char buf[256] = {0};
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = 0;
    char want[256];
    snprintf(want, sizeof want,
             "rand_no,stratum,block,block_size,arm\n1,S01|F,1,2,%s\n2,S01|F,1,2,%s\n",
             l->slot[0].arm ? "B" : "A", l->slot[1].arm ? "B" : "A");
    assert_string_equal(buf, want);
    rk_rand_list_free(l);
    rk_rand_design_free(d);
    d = parse("arms: [{name: A}, {name: B}]\nstrata: [{name: s, levels: [x]}]\n"
              "procedure: {name: minimization, p: 0.8}\nlist_length: 2\n");
    unsigned char key[32] = {0};
    rk_error e;
    assert_int_equal(rk_rand_list_make(d, key, &l, &e), RK_EINVAL);
    assert_null(l);
    assert_string_equal(e.msg, "t.yaml: minimization runs at allocation time and has no list "
                               "(use rk_rand_assign)");
    rk_rand_design_free(d);
    d = parse("arms: [{name: A}, {name: B}]\nstrata: [{name: s, levels: [x, y]}]\n"
              "procedure: {name: complete}\nlist_length: 60000000\n");
    assert_int_equal(rk_rand_list_make(d, key, &l, &e), RK_ERANGE);
    assert_string_equal(e.msg, "t.yaml: the list would have more than 1e+08 slots (2 strata x "
                               "60000000); shorten list_length");
    rk_rand_design_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reproducible),   cmocka_unit_test(test_blocks_ratio),
        cmocka_unit_test(test_uniform_blocks), cmocka_unit_test(test_rar_complete),
        cmocka_unit_test(test_bigstick_efron), cmocka_unit_test(test_csv_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
