/* Deterministic random stream for kit lists: libsodium's randombytes_buf_deterministic in keyed
 * chunks, and unbiased integer draws. */
#include <string.h>

#include <sodium.h>

#include "supply/supply_internal.h"

static void refill(rk__drbg *d)
{
    unsigned char idx[8], sub[randombytes_SEEDBYTES];
    for (int i = 0; i < 8; i++)
        idx[i] = (unsigned char)(d->chunk >> (8 * i));
    crypto_generichash(sub, sizeof sub, idx, sizeof idx, d->key, sizeof d->key);
    randombytes_buf_deterministic(d->buf, sizeof d->buf, sub);
    sodium_memzero(sub, sizeof sub);
    d->chunk++;
    d->pos = 0;
}

void rk__drbg_init(rk__drbg *d, const char *domain, const char *seed)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof d->key);
    crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, (const unsigned char *)seed, strlen(seed));
    crypto_generichash_final(&st, d->key, sizeof d->key);
    d->chunk = 0;
    refill(d);
}

void rk__drbg_bytes(rk__drbg *d, unsigned char *out, size_t n)
{
    while (n > 0) {
        if (d->pos == sizeof d->buf) refill(d);
        size_t k = sizeof d->buf - d->pos;
        if (k > n) k = n;
        memcpy(out, d->buf + d->pos, k);
        d->pos += k;
        out += k;
        n -= k;
    }
}

uint32_t rk__drbg_uniform(rk__drbg *d, uint32_t n)
{
    if (n <= 1) return 0;
    /* Reject the top 2^32 mod n values so every residue is equally likely. */
    uint32_t limit = (uint32_t)(0u - ((uint32_t)(0x100000000ull % n)));
    for (;;) {
        unsigned char b[4];
        rk__drbg_bytes(d, b, 4);
        uint32_t x =
            (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        if (limit == 0 || x < limit) return x % n;
    }
}

void rk__drbg_wipe(rk__drbg *d)
{
    sodium_memzero(d, sizeof *d);
}
