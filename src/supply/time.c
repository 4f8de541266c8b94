/* Dates and times for supply records: ISO 8601 parsing and formatting in UTC (no time zone
 * database; civil-from-days arithmetic after H. Hinnant). */
#include <stdio.h>
#include <string.h>

#include "rctkit/supply.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* Parses YYYY-MM-DD at s; 1 on success. */
static int parse_ymd(const char *s, int64_t *days)
{
    int y, m, d;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return 0;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return 1;
}

rk_status rk_date_parse(const char *s, rk_date *out, rk_error *err)
{
    int64_t days;
    if (!s || strlen(s) != 10 || !parse_ymd(s, &days))
        return rk_error_set(err, RK_EPARSE, "'%s' is not a date (expected YYYY-MM-DD)", s ? s : "");
    *out = (rk_date)days;
    return RK_OK;
}

rk_status rk_time_parse(const char *s, rk_time *out, rk_error *err)
{
    int64_t days;
    int hh, mi, ss = 0;
    size_t n = s ? strlen(s) : 0;
    if (n >= 16 && parse_ymd(s, &days) && (s[10] == 'T' || s[10] == ' ') &&
        digits(s + 11, 2, &hh) && s[13] == ':' && digits(s + 14, 2, &mi)) {
        size_t p = 16;
        int ok = 1;
        if (n > p && s[p] == ':') {
            ok = n >= p + 3 && digits(s + p + 1, 2, &ss);
            p += 3;
        }
        if (ok && n > p && s[p] == 'Z') p++;
        if (ok && p == n && hh < 24 && mi < 60 && ss < 60) {
            *out = days * 86400 + hh * 3600 + mi * 60 + ss;
            return RK_OK;
        }
    }
    return rk_error_set(err, RK_EPARSE,
                        "'%s' is not a time (expected YYYY-MM-DDTHH:MM[:SS][Z], UTC)", s ? s : "");
}

void rk_date_format(rk_date d, char *buf, size_t size)
{
    int y;
    unsigned m, dd;
    civil_from_days(d, &y, &m, &dd);
    snprintf(buf, size, "%04d-%02u-%02u", y, m, dd);
}

void rk_time_format(rk_time t, char *buf, size_t size)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
}
