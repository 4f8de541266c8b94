/* Tests for src/rand/stream.c: the seed key (checked against Python's hashlib.blake2b), the
 * stream (equal to libsodium's randombytes_buf_deterministic for every prefix), pinned test
 * vectors, and unbiased integer draws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "rctkit/rand.h"

/* From tests/fixtures/make_rand_stream.py (plain Python ChaCha20 + hashlib), seed "msc-2020". */
#define STREAM_HEX "8ddf127f21d17245affe7171b49fba6f6bef902eaf34ff4681ba3b882df20320"
#define BELOW6 "551053314230"
#define UNIT0 "0.27128321712286707"

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* python3 -c "import hashlib; print(hashlib.blake2b(b'rctkit-rand-v1:msc-2020',
 * digest_size=32).hexdigest())" and keyed with it for the derived keys. */
static void test_seed_key(void **state)
{
    (void)state;
    unsigned char k[32], k2[32];
    char h[65];
    assert_int_equal(rk_rand_seed_key("msc-2020", k, NULL), RK_OK);
    hex(k, 32, h);
    assert_string_equal(h, "ea7309b434990faa6489dc1181b952f579bb99109c082f5e82aad2433669a1da");
    rk_rand_derive_key(k, "S01", k2);
    hex(k2, 32, h);
    assert_string_equal(h, "c429aa9761d6fc56d96305062fd9f32f2c8b2d21152b27be5ecd8b52de34c1b2");
    rk_rand_derive_key(k, "alloc:0", k2);
    hex(k2, 32, h);
    assert_string_equal(h, "57005526fd1f58d4a83dcab77d6a188adfe5b6a4298cdda3e07952f88a4bcde0");
    rk_error e;
    assert_int_equal(rk_rand_seed_key("", k, &e), RK_EINVAL);
    assert_string_equal(e.msg, "the seed is empty");
}

/* The stream is randombytes_buf_deterministic's output, whatever the read sizes. */
static void test_equals_libsodium(void **state)
{
    (void)state;
    unsigned char key[32], ref[1000], got[1000];
    rk_rand_seed_key("equality", key, NULL);
    randombytes_buf_deterministic(ref, sizeof ref, key);
    for (size_t step = 1; step <= 70; step += 3) {
        rk_rand_stream s;
        rk_rand_stream_init(&s, key);
        for (size_t off = 0; off < sizeof got; off += step)
            rk_rand_bytes(&s, got + off, off + step <= sizeof got ? step : sizeof got - off);
        assert_memory_equal(ref, got, sizeof ref);
    }
}

/* Pinned test vector: if any of these change, every list ever made changes. */
static void test_vector(void **state)
{
    (void)state;
    unsigned char key[32], b[32];
    char h[65];
    rk_rand_seed_key("msc-2020", key, NULL);
    rk_rand_stream s;
    rk_rand_stream_init(&s, key);
    rk_rand_bytes(&s, b, 32);
    hex(b, 32, h);
    assert_string_equal(h, STREAM_HEX);
    rk_rand_stream_init(&s, key);
    unsigned got[12];
    char line[128];
    size_t len = 0;
    for (int i = 0; i < 12; i++) {
        got[i] = rk_rand_below(&s, 6);
        len += (size_t)snprintf(line + len, sizeof line - len, "%u", got[i]);
    }
    assert_string_equal(line, BELOW6);
    rk_rand_stream_init(&s, key);
    char u[64];
    snprintf(u, sizeof u, "%.17g", rk_rand_unit(&s));
    assert_string_equal(u, UNIT0);
}

/* rk_rand_below: in range, roughly uniform, and rejection visibly at work for n just above
 * 2^31 (half the draws are rejected, so results differ from plain x mod n). */
static void test_below(void **state)
{
    (void)state;
    unsigned char key[32];
    rk_rand_seed_key("below", key, NULL);
    rk_rand_stream s;
    rk_rand_stream_init(&s, key);
    size_t c[7] = {0};
    for (int i = 0; i < 70000; i++)
        c[rk_rand_below(&s, 7)]++;
    for (int k = 0; k < 7; k++)
        assert_true(fabs((double)c[k] - 10000) < 500);
    uint32_t n = 2147483649u; /* 2^31 + 1: values >= n never appear */
    size_t high = 0;
    for (int i = 0; i < 20000; i++) {
        uint32_t x = rk_rand_below(&s, n);
        assert_true(x < n);
        high += x >= n / 2;
    }
    assert_true(fabs((double)high - 10000) < 500); /* plain mod would give ~7500 */
    assert_int_equal(rk_rand_below(&s, 1), 0);
    for (int i = 0; i < 1000; i++) {
        double u = rk_rand_unit(&s);
        assert_true(u >= 0 && u < 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_key),
        cmocka_unit_test(test_equals_libsodium),
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
