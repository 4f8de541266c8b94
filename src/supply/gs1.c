/* GS1 helpers: GTIN check digit and the element string (01)(21)(10)(17) of a kit label. */
#include <stdio.h>
#include <string.h>

#include "rctkit/supply.h"

int rk_gtin_valid(const char *gtin)
{
    if (!gtin || strlen(gtin) != 14) return 0;
    int sum = 0;
    for (int i = 0; i < 14; i++)
        if (gtin[i] < '0' || gtin[i] > '9') return 0;
    /* GS1 General Specifications 7.9.1: weights 3,1,3,... from the digit left of the check. */
    for (int i = 12, w = 3; i >= 0; i--, w = 4 - w)
        sum += (gtin[i] - '0') * w;
    return (10 - sum % 10) % 10 == gtin[13] - '0';
}

/* Characters allowed here: a safe subset of GS1 "character set 82" (no parentheses, which the
 * element-string notation uses as delimiters). */
static int gs1_field_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 20) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-' || c == '.' || c == '/' || c == '_'))
            return 0;
    }
    return 1;
}

rk_status rk_gs1_element_string(const char *gtin, const char *serial, const char *lot,
                                rk_date expiry, char *buf, size_t size, rk_error *err)
{
    if (!rk_gtin_valid(gtin))
        return rk_error_set(err, RK_EINVAL,
                            "GTIN '%s' is not 14 digits with a valid GS1 check digit: copy it "
                            "from the GS1 registration (pad a GTIN-13 with a leading 0)",
                            gtin ? gtin : "");
    if (!gs1_field_ok(serial))
        return rk_error_set(err, RK_EINVAL,
                            "serial '%s' must be 1-20 characters A-Z, a-z, 0-9, - . / _", serial);
    if (!gs1_field_ok(lot))
        return rk_error_set(err, RK_EINVAL,
                            "lot '%s' must be 1-20 characters A-Z, a-z, 0-9, - . / _", lot);
    char d[16];
    rk_date_format(expiry, d, sizeof d); /* YYYY-MM-DD -> YYMMDD */
    int n = snprintf(buf, size, "(01)%s(21)%s(10)%s(17)%.2s%.2s%.2s", gtin, serial, lot, d + 2,
                     d + 5, d + 8);
    if (n < 0 || (size_t)n >= size)
        return rk_error_set(err, RK_EINVAL, "GS1 element string too long for its buffer");
    return RK_OK;
}
