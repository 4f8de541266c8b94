/* Tests for src/supply/kitcode.c, drbg.c, kitlist.c: check symbols, the seeded kit list against
 * an independent Python implementation, blocks, uniqueness, blinded files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rctkit/supply.h"
#include "supply/supply_internal.h"

static void test_check_symbol_detects_every_substitution(void **state)
{
    (void)state;
    rk__drbg d;
    rk__drbg_init(&d, "test", "substitutions");
    size_t trans = 0, trans_caught = 0;
    for (int n = 0; n < 3000; n++) {
        char code[RK_KITCODE_SIZE];
        for (int i = 0; i < RK_KITCODE_LEN; i++)
            code[i] = RK_KITCODE_ALPHABET[rk__drbg_uniform(&d, RK_KITCODE_RADIX)];
        code[RK_KITCODE_LEN] = 0;
        char c;
        assert_int_equal(rk_kitcode_check(code, &c, NULL), RK_OK);
        code[RK_KITCODE_LEN] = c;
        code[RK_KITCODE_LEN + 1] = 0;
        assert_true(rk_kitcode_valid(code));
        for (int i = 0; i <= RK_KITCODE_LEN; i++) { /* every position, check symbol included */
            char keep = code[i];
            for (int a = 0; a < RK_KITCODE_RADIX; a++) {
                if (RK_KITCODE_ALPHABET[a] == keep) continue;
                code[i] = RK_KITCODE_ALPHABET[a];
                assert_false(rk_kitcode_valid(code));
            }
            code[i] = keep;
        }
        for (int i = 0; i < RK_KITCODE_LEN; i++) { /* adjacent transpositions */
            if (code[i] == code[i + 1]) continue;
            char t = code[i];
            code[i] = code[i + 1];
            code[i + 1] = t;
            trans++;
            trans_caught += !rk_kitcode_valid(code);
            code[i + 1] = code[i];
            code[i] = t;
        }
    }
    /* The hybrid systems catch almost all adjacent transpositions (not all). */
    assert_true((double)trans_caught / (double)trans > 0.95);
    assert_false(rk_kitcode_valid("8CBR73MT"));
    assert_false(rk_kitcode_valid("8CBR73MT60"));
    assert_false(rk_kitcode_valid("8CBR73MO6")); /* O is not in the alphabet */
    assert_true(rk_kitcode_valid("8CBR73MT6"));
    rk_error err;
    assert_int_equal(rk_kitcode_check("8CBR73M1", &(char){0}, &err), RK_EINVAL);
    assert_string_equal(err.msg, "kit code body '8CBR73M1' has a symbol outside "
                                 "2346789ABCDEFGHJKLMNPQRTUVWXYZ (no 0, 1, 5, I, O, S)");
}

static rk_kitlist_spec spec21(const char *seed, unsigned mult, size_t blocks)
{
    rk_kitlist_spec s;
    memset(&s, 0, sizeof s);
    s.seed = seed;
    s.n_arms = 2;
    s.arm[0] = "UC-MSC";
    s.arm[1] = "placebo";
    s.ratio[0] = 2;
    s.ratio[1] = 1;
    s.block_mult = mult;
    s.n_blocks = blocks;
    s.lot = "PK2001";
    s.expiry = 18400;
    s.batch[0] = "MSC-B1";
    s.batch[1] = "PBO-B1";
    return s;
}

/* tests/fixtures/kitlist.txt comes from tests/fixtures/make_kitlist.py (hashlib + cryptography's
 * ChaCha20, no libsodium). */
static void test_matches_independent_implementation(void **state)
{
    (void)state;
    FILE *f = fopen(RK_FIXTURE_DIR "/kitlist.txt", "r");
    assert_non_null(f);
    char line[256], seed[256], code[256];
    unsigned mult, num;
    int arm, checked = 0;
    rk_kitlist *l = NULL;
    char cur[256] = "";
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *p = line, *tok[5];
        for (int i = 0; i < 5; i++) {
            tok[i] = p;
            p += strcspn(p, " \n");
            *p++ = 0;
        }
        snprintf(seed, sizeof seed, "%s", tok[0]);
        for (char *q = seed; *q; q++)
            if (*q == '_') *q = ' ';
        mult = (unsigned)strtoul(tok[1], NULL, 10);
        num = (unsigned)strtoul(tok[2], NULL, 10);
        snprintf(code, sizeof code, "%s", tok[3]);
        arm = (int)strtol(tok[4], NULL, 10);
        if (strcmp(cur, seed) != 0) {
            rk_kitlist_free(l);
            rk_kitlist_spec s = spec21(seed, mult, 12 / (3 * mult));
            assert_int_equal(rk_kitlist_generate(&s, &l, NULL), RK_OK);
            snprintf(cur, sizeof cur, "%s", seed);
        }
        assert_int_equal(l->kit[num - 1].number, num);
        assert_string_equal(l->kit[num - 1].code, code);
        assert_int_equal(l->kit[num - 1].arm, arm);
        checked++;
    }
    fclose(f);
    rk_kitlist_free(l);
    assert_int_equal(checked, 24);
}

static void test_blocks_balanced_codes_unique_reproducible(void **state)
{
    (void)state;
    rk_kitlist_spec s = spec21("blocks", 2, 500);
    rk_kitlist *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(rk_kitlist_generate(&s, &a, NULL), RK_OK);
    assert_int_equal(rk_kitlist_generate(&s, &b, NULL), RK_OK);
    s.seed = "blocks2";
    assert_int_equal(rk_kitlist_generate(&s, &c, NULL), RK_OK);
    assert_int_equal(a->n, 3000);
    size_t same = 0;
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->kit[i].code, b->kit[i].code);
        assert_int_equal(a->kit[i].arm, b->kit[i].arm);
        same += !strcmp(a->kit[i].code, c->kit[i].code);
        assert_true(rk_kitcode_valid(a->kit[i].code));
        assert_string_equal(a->kit[i].batch, a->kit[i].arm == 0 ? "MSC-B1" : "PBO-B1");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(a->kit[i].code, a->kit[j].code);
    }
    assert_int_equal(same, 0);
    for (size_t blk = 0; blk < 500; blk++) { /* exactly 4:2 in every block of 6 */
        int n0 = 0;
        for (size_t i = 0; i < 6; i++)
            n0 += a->kit[blk * 6 + i].arm == 0;
        assert_int_equal(n0, 4);
    }
    rk_kitlist_free(a);
    rk_kitlist_free(b);
    rk_kitlist_free(c);
}

/* Each position in a block is the placebo arm with probability 1/3: a biased shuffle or biased
 * integer draw would show here (4.5 standard errors). */
static void test_positions_uniform(void **state)
{
    (void)state;
    rk_kitlist_spec s = spec21("uniform", 1, 60000);
    rk_kitlist *l = NULL;
    assert_int_equal(rk_kitlist_generate(&s, &l, NULL), RK_OK);
    for (int pos = 0; pos < 3; pos++) {
        size_t k = 0;
        for (size_t b = 0; b < 60000; b++)
            k += l->kit[b * 3 + (size_t)pos].arm == 1;
        double p = (double)k / 60000.0, se = sqrt(1.0 / 3 * 2.0 / 3 / 60000.0);
        assert_true(fabs(p - 1.0 / 3) < 4.5 * se);
    }
    rk_kitlist_free(l);
    rk__drbg d;
    rk__drbg_init(&d, "test", "uniform draws");
    size_t cnt[7] = {0};
    for (int i = 0; i < 70000; i++)
        cnt[rk__drbg_uniform(&d, 7)]++;
    for (int i = 0; i < 7; i++)
        assert_true(fabs((double)cnt[i] - 10000.0) < 4.5 * sqrt(10000.0 * 6 / 7));
}

static void test_files_blinded_and_roundtrip(void **state)
{
    (void)state;
    rk_kitlist_spec s = spec21("files", 1, 4);
    rk_kitlist *l = NULL, *r = NULL, *rb = NULL;
    assert_int_equal(rk_kitlist_generate(&s, &l, NULL), RK_OK);
    char dir[] = "/tmp/rk_kitlist_XXXXXX", bp[64], up[64];
    assert_non_null(mkdtemp(dir));
    snprintf(bp, sizeof bp, "%s/kits.csv", dir);
    snprintf(up, sizeof up, "%s/arms.csv", dir);
    assert_int_equal(rk_kitlist_write_blinded(l, bp, NULL), RK_OK);
    assert_int_equal(rk_kitlist_write_unblinded(l, up, NULL), RK_OK);
    /* the blinded file names no arm and no batch */
    FILE *f = fopen(bp, "r");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    assert_null(strstr(buf, "UC-MSC"));
    assert_null(strstr(buf, "placebo"));
    assert_null(strstr(buf, "MSC-B1"));
    assert_null(strstr(buf, "arm"));
    assert_int_equal(strncmp(buf, "number,code,lot,expiry\n1,", 25), 0);
    assert_int_equal(rk_kitlist_read(bp, up, &r, NULL), RK_OK);
    assert_int_equal(rk_kitlist_read(bp, NULL, &rb, NULL), RK_OK);
    assert_int_equal(r->n, l->n);
    for (size_t i = 0; i < l->n; i++) {
        assert_string_equal(r->kit[i].code, l->kit[i].code);
        assert_string_equal(r->arm[r->kit[i].arm], l->arm[l->kit[i].arm]);
        assert_string_equal(r->kit[i].batch, l->kit[i].batch);
        assert_int_equal(r->kit[i].expiry, l->kit[i].expiry);
        assert_int_equal(rb->kit[i].arm, -1);
    }
    /* a mistyped code in the file is caught by its check symbol */
    f = fopen(bp, "w");
    fprintf(f, "number,code,lot,expiry\n1,%s,PK2001,2020-05-18\n2,8CBR73MT7,PK2001,2020-05-18\n",
            l->kit[0].code);
    fclose(f);
    rk_error err;
    rk_kitlist *bad = NULL;
    assert_int_equal(rk_kitlist_read(bp, NULL, &bad, &err), RK_EPARSE);
    assert_null(bad);
    char want[256];
    snprintf(want, sizeof want,
             "%s:3: '8CBR73MT7' is not a valid kit code (check symbol wrong or length not 9): "
             "was the file edited?",
             bp);
    assert_string_equal(err.msg, want);
    /* a repeated code is refused with both lines */
    f = fopen(bp, "w");
    fprintf(f, "number,code,lot,expiry\n1,%s,PK2001,2020-05-18\n2,%s,PK2001,2020-05-18\n",
            l->kit[0].code, l->kit[0].code);
    fclose(f);
    assert_int_equal(rk_kitlist_read(bp, NULL, &bad, &err), RK_EPARSE);
    snprintf(want, sizeof want, "%s:3: kit code %s repeats line 2", bp, l->kit[0].code);
    assert_string_equal(err.msg, want);
    unlink(bp);
    unlink(up);
    rmdir(dir);
    rk_kitlist_free(l);
    rk_kitlist_free(r);
    rk_kitlist_free(rb);
}

static void test_spec_errors(void **state)
{
    (void)state;
    rk_kitlist_spec s = spec21("", 1, 4);
    rk_kitlist *l = NULL;
    rk_error err;
    assert_int_equal(rk_kitlist_generate(&s, &l, &err), RK_EINVAL);
    assert_string_equal(err.msg, "the kit list needs a seed (--seed TEXT)");
    s.seed = "x";
    s.ratio[1] = 0;
    assert_int_equal(rk_kitlist_generate(&s, &l, &err), RK_EINVAL);
    assert_string_equal(err.msg, "arm 'placebo': ratio 0 must be 1 to 100");
    assert_null(l);
    /* two arms of one name: allocation by arm name could never reach the second one's kits */
    s.ratio[1] = 1;
    s.arm[1] = s.arm[0];
    assert_int_equal(rk_kitlist_generate(&s, &l, &err), RK_EINVAL);
    assert_string_equal(err.msg, "arm 'UC-MSC' is named twice");
    assert_null(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_symbol_detects_every_substitution),
        cmocka_unit_test(test_matches_independent_implementation),
        cmocka_unit_test(test_blocks_balanced_codes_unique_reproducible),
        cmocka_unit_test(test_positions_uniform),
        cmocka_unit_test(test_files_blinded_and_roundtrip),
        cmocka_unit_test(test_spec_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
