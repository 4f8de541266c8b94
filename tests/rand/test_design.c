/* Tests for src/rand/design.c: the design file, its strata, and the exact messages (file, line,
 * column) for bad designs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/rand.h"

static void test_example(void **state)
{
    (void)state;
    rk_rand_design *d;
    rk_error e = {0};
    assert_int_equal(
        rk_rand_design_read(RK_FIXTURE_DIR "/../../examples/msc-trial/design.yaml", &d, &e), RK_OK);
    assert_int_equal(d->narms, 2);
    assert_string_equal(d->arms[0].name, "UC-MSC");
    assert_int_equal(d->arms[0].ratio, 2);
    assert_string_equal(d->arms[1].name, "placebo");
    assert_int_equal(d->arms[1].ratio, 1);
    assert_int_equal(d->ratio_sum, 3);
    assert_int_equal(d->proc, RK_RAND_BLOCKS);
    assert_int_equal(d->nblock_sizes, 2);
    assert_int_equal(d->block_sizes[0], 3);
    assert_int_equal(d->block_sizes[1], 6);
    assert_int_equal(d->list_length, 60);
    assert_int_equal(rk_rand_nstrata(d), 2);
    rk_buf b;
    rk_buf_init(&b, 0);
    assert_int_equal(rk_rand_stratum_label(d, 1, &b, NULL), RK_OK);
    assert_string_equal(b.data, "S02");
    rk_buf_free(&b);
    rk_rand_design_free(d);
    rk_rand_design_free(NULL);
}

static void test_strata(void **state)
{
    (void)state;
    const char *y = "arms: [{name: A}, {name: B}]\n"
                    "strata:\n"
                    "  - {name: site, levels: [S01, S02, S03]}\n"
                    "  - {name: sex, levels: [F, M]}\n"
                    "procedure: {name: efron, p: 3/4}\n"
                    "list_length: 10\n";
    rk_rand_design *d;
    assert_int_equal(rk_rand_design_parse(y, strlen(y), "t.yaml", &d, NULL), RK_OK);
    assert_int_equal(rk_rand_nstrata(d), 6);
    assert_true(d->p == 0.75);
    rk_buf b;
    rk_buf_init(&b, 0);
    size_t lv[2];
    for (size_t s = 0; s < 6; s++) {
        rk_rand_stratum_levels(d, s, lv);
        assert_int_equal(rk_rand_stratum_index(d, lv), s);
    }
    rk_rand_stratum_levels(d, 3, lv);
    assert_int_equal(lv[0], 1);
    assert_int_equal(lv[1], 1);
    rk_rand_stratum_label(d, 3, &b, NULL);
    assert_string_equal(b.data, "S02|M");
    rk_buf_free(&b);
    rk_rand_design_free(d);
}

typedef struct bad {
    const char *yaml, *msg;
    rk_status code;
} bad;

static void test_bad(void **state)
{
    (void)state;
    static const bad cases[] = {
        {"arms: [{name: A, ratio: 2}, {name: B}]\n"
         "procedure: {name: permuted-blocks, block_sizes: [3, 4]}\nlist_length: 10",
         "t.yaml:2:53: block size 4 is not a multiple of the ratio sum 3 (each block holds the "
         "arms in their exact ratio)",
         RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\n"
         "procedure: {name: permuted-blocks, block_size: 4}\nlist_length: 10",
         "t.yaml:2:36: unknown key 'block_size' in procedure (expected: name, block_sizes, p, "
         "mti)",
         RK_EPARSE},
        {"arms: [{name: A}, {name: B}\nprocedure: x",
         "t.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence at line 1, "
         "column 7)",
         RK_EPARSE},
        {"arms: [{name: A, ratio: 2}, {name: B}]\nprocedure:\n  name: efron\nlist_length: 10",
         "t.yaml:3:9: procedure efron needs 2 arms in a 1:1 ratio (use permuted-blocks or "
         "minimization for other ratios)",
         RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\ncolour: blue",
         "t.yaml:2:1: unknown key 'colour' in the design (expected: trial, arms, strata, "
         "procedure, list_length)",
         RK_EPARSE},
        {"", "t.yaml: the design file is empty", RK_EPARSE},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: random-allocation}\nlist_length: 9",
         "t.yaml:3:14: list_length 9 is not a multiple of the ratio sum 2 (the random "
         "allocation rule allocates the exact ratio)",
         RK_EINVAL},
        {"arms: [{name: A}, {name: A}]", "t.yaml:1:26: arm 'A' named twice", RK_EINVAL},
        {"arms: [{name: A, ratio: -1}, {name: B}]",
         "t.yaml:1:25: ratio must be a whole number, not '-1'", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nstrata:\n  - name: site\n    levels: [S1, S1]",
         "t.yaml:4:18: level 'S1' of factor 'site' given twice", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nstrata:\n  - name: site\n    levels: [S1, S2]\n"
         "    weight: 2\nprocedure: {name: complete}\nlist_length: 3",
         "t.yaml:5:13: weight applies to minimization only", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: minimization, p: 0.8}\nlist_length: 3",
         "t.yaml:2:12: minimization needs strata (the factors to balance)", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: maximal, block_sizes: [4], mti: 3}\n"
         "list_length: 3",
         "t.yaml:2:51: mti 3 is larger than half the block size 4 (it would never bind)",
         RK_EINVAL},
        {"- a", "t.yaml:1:1: the design must be a mapping, not a list", RK_EPARSE},
        {"arms: [{name: 'A|B'}, {name: B}]",
         "t.yaml:1:15: arm name 'A|B' contains '|' (not allowed in list files)", RK_EINVAL},
        {"arms: [{name: A}]", "t.yaml:1:7: a design needs at least 2 arms, found 1", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: urn}\nlist_length: 3",
         "t.yaml:2:19: unknown procedure 'urn' (expected complete, permuted-blocks, "
         "random-allocation, efron, big-stick, maximal or minimization)",
         RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: complete, p: 0.5}\nlist_length: 3",
         "t.yaml:2:32: p does not apply to procedure complete", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: efron, p: 0.3}\nlist_length: 3",
         "t.yaml:2:29: Efron's p must be from 0.5 to 1, not 0.3", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: efron, p: abc}\nlist_length: 3",
         "t.yaml:2:29: p must be a number (e.g. 0.8 or 2/3), not 'abc'", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: permuted-blocks}\nlist_length: 3",
         "t.yaml:2:12: procedure permuted-blocks needs block_sizes", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: complete}",
         "t.yaml:1:1: the design has no list_length (slots per stratum)", RK_EINVAL},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: complete}\nlist_length: [3]",
         "t.yaml:3:14: list_length must be a scalar, not a list", RK_EPARSE},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: complete}\nlist_length: 3\n---\n"
         "arms: []\n",
         "t.yaml:4:1: a second YAML document; a design file holds one", RK_EPARSE},
        {"arms: [{name: A}, {name: B}]\nprocedure: {name: complete}\nlist_length: 3\n"
         "list_length: 4",
         "t.yaml:4:1: key 'list_length' given twice in the design", RK_EPARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rk_rand_design *d = (rk_rand_design *)1;
        rk_error e = {0};
        rk_status st = rk_rand_design_parse(cases[i].yaml, strlen(cases[i].yaml), "t.yaml", &d, &e);
        if (st != cases[i].code || strcmp(e.msg, cases[i].msg))
            fail_msg("case %zu: got %d '%s'", i, (int)st, e.msg);
        assert_null(d);
    }
    rk_rand_design *d;
    rk_error e;
    assert_int_equal(rk_rand_design_read("/nonexistent/x.yaml", &d, &e), RK_EIO);
    assert_string_equal(e.msg, "/nonexistent/x.yaml: cannot open: No such file or directory");
}

/* Every prefix of a valid file and single-byte corruptions of it: a status and a message,
 * never a crash or a leak (ASan), and no design on failure. */
static void test_robust(void **state)
{
    (void)state;
    const char *y = "trial: x\narms:\n  - {name: A, ratio: 2}\n  - name: B\n"
                    "strata:\n  - {name: site, levels: [S1, S2], weight: 2}\n"
                    "procedure: {name: minimization, p: 0.75}\nlist_length: 12\n";
    size_t n = strlen(y), ok = 0;
    char buf[512];
    const char subst[] = "x:-[]{},|#&*!' \n0";
    for (size_t len = 0; len <= n; len++) {
        rk_rand_design *d = NULL;
        rk_error e = {0};
        rk_status st = rk_rand_design_parse(y, len, "t.yaml", &d, &e);
        if (st) {
            assert_null(d);
            assert_true(strncmp(e.msg, "t.yaml", 6) == 0);
        } else {
            ok++;
        }
        rk_rand_design_free(d);
    }
    assert_true(ok >= 1);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof subst - 1; k++) {
            memcpy(buf, y, n);
            buf[i] = subst[k];
            rk_rand_design *d = NULL;
            rk_error e = {0};
            if (rk_rand_design_parse(buf, n, "t.yaml", &d, &e)) {
                assert_null(d);
                assert_true(e.msg[0] != 0);
            }
            rk_rand_design_free(d);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_strata),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_robust),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
