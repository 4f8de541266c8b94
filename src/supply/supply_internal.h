/* Internal helpers shared by the supply modules: the deterministic random stream and small
 * string utilities. */
#ifndef RK_SUPPLY_INTERNAL_H
#define RK_SUPPLY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/supply.h"

#define RK__DRBG_CHUNK 4096

/* Deterministic byte stream from a seed (see rk_kitlist_generate for the construction). */
typedef struct rk__drbg {
    unsigned char key[32];
    unsigned char buf[RK__DRBG_CHUNK];
    size_t pos;
    uint64_t chunk;
} rk__drbg;

void rk__drbg_init(rk__drbg *d, const char *domain, const char *seed);
void rk__drbg_bytes(rk__drbg *d, unsigned char *out, size_t n);
/* Uniform integer in [0, n), n >= 1, by rejection on 32-bit words. */
uint32_t rk__drbg_uniform(rk__drbg *d, uint32_t n);
void rk__drbg_wipe(rk__drbg *d);

/* Copy src into a fixed field; RK_EINVAL (naming `what`) if it does not fit or is empty when
 * required. */
rk_status rk__copy_id(char *dst, size_t size, const char *src, const char *what, int required,
                      rk_error *err);

#endif
