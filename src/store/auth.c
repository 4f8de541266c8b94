/* Passwords (Argon2id via libsodium crypto_pwhash_str) and session tokens (32 random bytes,
 * stored only as their BLAKE2b-256 hash). */
#include <sodium.h>
#include <string.h>

#include "store/auth.h"
#include "store/store_int.h"

static int sodium_ready(void)
{
    return sodium_init() >= 0; /* idempotent and thread-safe */
}

rk_status rk_password_hash(const char *password, rk_pwcost cost, char *out, size_t size,
                           rk_error *err)
{
    if (!sodium_ready()) return rk_error_set(err, RK_EINTERNAL, "libsodium failed to initialise");
    if (size < crypto_pwhash_STRBYTES)
        return rk_error_set(err, RK_EINVAL, "password hash buffer too small");
    size_t n = strlen(password);
    if (n < 8) return rk_error_set(err, RK_EINVAL, "passwords need at least 8 characters");
    if (n > 1024) return rk_error_set(err, RK_EINVAL, "passwords are limited to 1024 characters");
    unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (cost == RK_PWCOST_MODERATE) {
        ops = crypto_pwhash_OPSLIMIT_MODERATE;
        mem = crypto_pwhash_MEMLIMIT_MODERATE;
    } else if (cost == RK_PWCOST_MIN) {
        ops = crypto_pwhash_OPSLIMIT_MIN;
        mem = crypto_pwhash_MEMLIMIT_MIN;
    }
    if (crypto_pwhash_str_alg(out, password, n, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return rk_error_set(err, RK_ENOMEM, "hashing a password ran out of memory");
    return RK_OK;
}

int rk_password_check(const char *hash, const char *password)
{
    if (!sodium_ready() || !hash || !password) return 0;
    if (strncmp(hash, "$argon2id$", 10) != 0) return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void rk__token_new(char out[RK__TOKEN_HEX + 1])
{
    unsigned char b[RK__TOKEN_BYTES];
    sodium_ready();
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, RK__TOKEN_HEX + 1, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

void rk__token_hash(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}
