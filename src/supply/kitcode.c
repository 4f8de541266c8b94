/* Kit codes: the alphabet without confusable symbols and the ISO/IEC 7064 hybrid check symbol
 * (MOD 31,30). */
#include <string.h>

#include "rctkit/supply.h"

static int symbol_value(char c)
{
    const char *p = c ? strchr(RK_KITCODE_ALPHABET, c) : NULL;
    return p ? (int)(p - RK_KITCODE_ALPHABET) : -1;
}

/* ISO/IEC 7064 hybrid system, M = 30: P = M; for each symbol a: S = (P + a) mod M, S = M if 0;
 * P = 2S mod (M + 1).  The check symbol c makes (P + c) mod M == 1. */
static int hybrid_check(const char *body, size_t n)
{
    const int M = RK_KITCODE_RADIX;
    int p = M;
    for (size_t i = 0; i < n; i++) {
        int a = symbol_value(body[i]);
        if (a < 0) return -1;
        int s = (p + a) % M;
        if (s == 0) s = M;
        p = (2 * s) % (M + 1);
    }
    return (M + 1 - p) % M;
}

rk_status rk_kitcode_check(const char *body, char *check, rk_error *err)
{
    if (!body || strlen(body) != RK_KITCODE_LEN)
        return rk_error_set(err, RK_EINVAL, "kit code body '%s' must have %d symbols",
                            body ? body : "", RK_KITCODE_LEN);
    int c = hybrid_check(body, RK_KITCODE_LEN);
    if (c < 0)
        return rk_error_set(err, RK_EINVAL,
                            "kit code body '%s' has a symbol outside %s (no 0, 1, 5, I, O, S)",
                            body, RK_KITCODE_ALPHABET);
    *check = RK_KITCODE_ALPHABET[c];
    return RK_OK;
}

int rk_kitcode_valid(const char *code)
{
    if (!code || strlen(code) != RK_KITCODE_LEN + 1) return 0;
    int c = hybrid_check(code, RK_KITCODE_LEN);
    return c >= 0 && RK_KITCODE_ALPHABET[c] == code[RK_KITCODE_LEN];
}
