/* The reproducible randomization stream: libsodium's deterministic ChaCha20 generator keyed
 * from the seed, and unbiased uniform integers and reals drawn from it. */
#include <string.h>

#include <sodium.h>

#include "rctkit/rand.h"

/* randombytes_buf_deterministic uses this nonce with ChaCha20-IETF (libsodium 1.0.12+). */
static const unsigned char drg_nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {
    'L', 'i', 'b', 's', 'o', 'd', 'i', 'u', 'm', 'D', 'R', 'G'};

rk_status rk_rand_seed_key(const char *seed, unsigned char key[RK_RAND_KEYBYTES], rk_error *err)
{
    static const char prefix[] = "rctkit-rand-v1:";
    if (!seed || !*seed) return rk_error_set(err, RK_EINVAL, "the seed is empty");
    if (sodium_init() < 0) return rk_error_set(err, RK_EINTERNAL, "libsodium failed to start");
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, RK_RAND_KEYBYTES);
    crypto_generichash_update(&h, (const unsigned char *)prefix, sizeof prefix - 1);
    crypto_generichash_update(&h, (const unsigned char *)seed, strlen(seed));
    crypto_generichash_final(&h, key, RK_RAND_KEYBYTES);
    return RK_OK;
}

void rk_rand_derive_key(const unsigned char parent[RK_RAND_KEYBYTES], const char *label,
                        unsigned char out[RK_RAND_KEYBYTES])
{
    crypto_generichash(out, RK_RAND_KEYBYTES, (const unsigned char *)label, strlen(label), parent,
                       RK_RAND_KEYBYTES);
}

void rk_rand_stream_init(rk_rand_stream *s, const unsigned char key[RK_RAND_KEYBYTES])
{
    memcpy(s->key, key, RK_RAND_KEYBYTES);
    s->block = 0;
    s->pos = sizeof s->buf;
}

static void refill(rk_rand_stream *s)
{
    static const unsigned char zero[64];
    crypto_stream_chacha20_ietf_xor_ic(s->buf, zero, sizeof s->buf, drg_nonce, s->block, s->key);
    s->block++;
    s->pos = 0;
}

void rk_rand_bytes(rk_rand_stream *s, unsigned char *out, size_t n)
{
    while (n > 0) {
        if (s->pos == sizeof s->buf) refill(s);
        size_t k = sizeof s->buf - s->pos;
        if (k > n) k = n;
        memcpy(out, s->buf + s->pos, k);
        s->pos += (unsigned)k;
        out += k;
        n -= k;
    }
}

uint32_t rk_rand_u32(rk_rand_stream *s)
{
    unsigned char b[4];
    rk_rand_bytes(s, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint32_t rk_rand_below(rk_rand_stream *s, uint32_t n)
{
    if (n <= 1) return 0;
    /* 2^32 mod n computed in 32 bits: (2^32 - n) mod n. */
    uint32_t rem = (uint32_t)(0u - n) % n;
    uint32_t x;
    do {
        x = rk_rand_u32(s);
    } while (x > UINT32_MAX - rem); /* x < 2^32 - rem */
    return x % n;
}

double rk_rand_unit(rk_rand_stream *s)
{
    unsigned char b[8];
    rk_rand_bytes(s, b, 8);
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | b[i];
    return (double)(x >> 11) * 0x1p-53;
}
