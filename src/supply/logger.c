/* Cold-chain logger files: one pass over a shipment's temperature CSV detecting excursions,
 * transit time, gaps, out-of-order and malformed rows. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"
#include "supply/supply_internal.h"

void rk_logger_config_init(rk_logger_config *c)
{
    c->min_c = 8.0; /* seed trial: ice box at 8-12 degrees C */
    c->max_c = 12.0;
    c->interval = 300;
    c->max_transit = 6 * 3600; /* seed trial: rail transport under 6 h */
}

void rk_logger_report_free(rk_logger_report *rep)
{
    if (!rep) return;
    free(rep->excursions);
    free(rep->issues);
    rep->excursions = NULL;
    rep->issues = NULL;
    rep->n_excursions = rep->n_issues = rep->n_issues_kept = 0;
}

static rk_status issue(rk_logger_report *r, size_t line, rk_logger_issue_kind kind, rk_error *err,
                       const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static rk_status issue(rk_logger_report *r, size_t line, rk_logger_issue_kind kind, rk_error *err,
                       const char *fmt, ...)
{
    r->n_issues++;
    if (r->n_issues_kept == RK_LOGGER_MAX_ISSUES) return RK_OK;
    if (!r->issues) {
        r->issues = calloc(RK_LOGGER_MAX_ISSUES, sizeof *r->issues);
        if (!r->issues) return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    rk_logger_issue *i = &r->issues[r->n_issues_kept++];
    i->line = line;
    i->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(i->msg, sizeof i->msg, fmt, ap);
    va_end(ap);
    return RK_OK;
}

static rk_status push_excursion(rk_logger_report *r, size_t *cap, const rk_excursion *e,
                                rk_error *err)
{
    if (r->n_excursions == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        rk_excursion *p = realloc(r->excursions, nc * sizeof *p);
        if (!p) return rk_error_set(err, RK_ENOMEM, "out of memory");
        r->excursions = p;
        *cap = nc;
    }
    r->excursions[r->n_excursions++] = *e;
    return RK_OK;
}

/* Splits line [s, e) at commas into up to max fields (pointers into a copy in `scratch`); quotes
 * around a whole field are removed.  Returns the field count (max + 1 if there are more). */
static size_t split(const char *s, const char *e, char *scratch, size_t scap, char **f, size_t max)
{
    size_t n = (size_t)(e - s);
    if (n >= scap) n = scap - 1;
    memcpy(scratch, s, n);
    scratch[n] = 0;
    if (n && scratch[n - 1] == '\r') scratch[--n] = 0;
    size_t k = 0;
    char *p = scratch;
    for (;;) {
        char *c = strchr(p, ',');
        if (c) *c = 0;
        if (k < max) {
            size_t l = strlen(p);
            if (l >= 2 && p[0] == '"' && p[l - 1] == '"') {
                p[l - 1] = 0;
                p++;
            }
            f[k] = p;
        }
        k++;
        if (!c) break;
        p = c + 1;
    }
    return k > max ? max + 1 : k;
}

#define MAX_FIELDS 16

static void fmt_dur(rk_time s, char *b, size_t n)
{
    if (s >= 3600)
        snprintf(b, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
    else
        snprintf(b, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
}

rk_status rk_logger_parse(const char *text, size_t len, const char *name,
                          const rk_logger_config *cfg, rk_logger_report *r, rk_error *err)
{
    rk_logger_config def;
    if (!cfg) {
        rk_logger_config_init(&def);
        cfg = &def;
    }
    memset(r, 0, sizeof *r);
    r->min_c = INFINITY;
    r->max_c = -INFINITY;
    char scratch[512], *f[MAX_FIELDS];
    const char *p = text, *end = text + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (len == 0 || p == end)
        return rk_error_set(err, RK_EPARSE,
                            "%s: the logger file is empty: the shipment stays quarantined", name);
    size_t nh = split(p, nl ? nl : end, scratch, sizeof scratch, f, MAX_FIELDS);
    long ct = -1, cv = -1;
    for (size_t i = 0; i < nh && i < MAX_FIELDS; i++) {
        if (!strcmp(f[i], "time")) ct = (long)i;
        if (!strcmp(f[i], "temp_c")) cv = (long)i;
    }
    if (ct < 0 || cv < 0 || nh > MAX_FIELDS)
        return rk_error_set(err, RK_EPARSE,
                            "%s:1: the header must name columns 'time' and 'temp_c' (at most %d "
                            "columns): is this a logger export? The shipment stays quarantined",
                            name, MAX_FIELDS);
    size_t line = 1, prev_line = 0, exc_cap = 0;
    int have = 0, in_exc = 0;
    rk_time prev = 0;
    rk_excursion cur;
    memset(&cur, 0, sizeof cur);
    rk_status st = RK_OK;
    p = nl ? nl + 1 : end;
    while (p < end && !st) {
        nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *q = p;
        p = nl ? nl + 1 : end;
        if (le == q || (le == q + 1 && *q == '\r')) continue; /* blank line */
        size_t k = split(q, le, scratch, sizeof scratch, f, MAX_FIELDS);
        if (k != nh) {
            st = issue(r, line, RK_LOG_MALFORMED, err,
                       "line %zu: malformed row: %zu fields, the header has %zu", line, k, nh);
            continue;
        }
        rk_time t;
        double v;
        if (rk_time_parse(f[ct], &t, NULL) != RK_OK) {
            st = issue(r, line, RK_LOG_MALFORMED, err,
                       "line %zu: malformed row: time '%.40s' is not YYYY-MM-DDTHH:MM:SSZ", line,
                       f[ct]);
            continue;
        }
        if (rk_parse_number(f[cv], &v, NULL) != RK_OK) {
            st = issue(r, line, RK_LOG_MALFORMED, err,
                       "line %zu: malformed row: temperature '%.40s' is not a number", line, f[cv]);
            continue;
        }
        if (!(v >= -100.0 && v <= 100.0)) { /* no logger records that: a corrupt field */
            st = issue(r, line, RK_LOG_MALFORMED, err,
                       "line %zu: malformed row: temperature %g C is not a plausible reading "
                       "(-100 to 100 C)",
                       line, v);
            continue;
        }
        if (have && t <= prev) {
            char a[24], b[24];
            rk_time_format(t, a, sizeof a);
            rk_time_format(prev, b, sizeof b);
            st = issue(r, line, RK_LOG_OUT_OF_ORDER, err,
                       "line %zu: out of order: %s is not after %s (line %zu); reading ignored",
                       line, a, b, prev_line);
            continue;
        }
        if (have && t - prev > cfg->interval) {
            char d[48];
            fmt_dur(t - prev, d, sizeof d);
            st = issue(r, line, RK_LOG_GAP, err,
                       "line %zu: gap of %s after line %zu (logging interval %llds): temperature "
                       "unknown in between",
                       line, d, prev_line, (long long)cfg->interval);
            if (st) break;
        }
        if (!have) r->first = t;
        r->last = t;
        r->n_readings++;
        if (v < r->min_c) r->min_c = v;
        if (v > r->max_c) r->max_c = v;
        int out = v < cfg->min_c ? -1 : v > cfg->max_c ? 1 : 0;
        if (in_exc && (out == 0 || (out > 0) != cur.hot)) { /* excursion ends here */
            cur.end = t;
            cur.line_end = line;
            st = push_excursion(r, &exc_cap, &cur, err);
            in_exc = 0;
        }
        if (out != 0 && !in_exc) {
            in_exc = 1;
            cur.hot = out > 0;
            cur.start = t;
            cur.line_start = line;
            cur.extreme_c = v;
        } else if (in_exc) {
            if (cur.hot ? v > cur.extreme_c : v < cur.extreme_c) cur.extreme_c = v;
        }
        have = 1;
        prev = t;
        prev_line = line;
    }
    if (!st && in_exc) {
        cur.end = prev;
        cur.line_end = prev_line;
        st = push_excursion(r, &exc_cap, &cur, err);
    }
    if (st) {
        rk_logger_report_free(r);
        return st;
    }
    r->transit_exceeded = r->n_readings >= 2 && r->last - r->first > cfg->max_transit;
    char d[48];
    fmt_dur(r->last - r->first, d, sizeof d);
    if (r->n_readings < 2)
        snprintf(r->verdict, sizeof r->verdict,
                 "QUARANTINE: %zu usable readings; the cold chain cannot be shown", r->n_readings);
    else if (r->n_excursions || r->n_issues || r->transit_exceeded)
        snprintf(r->verdict, sizeof r->verdict,
                 "QUARANTINE: %zu excursion(s), %zu bad row(s)/gap(s), transit %s%s",
                 r->n_excursions, r->n_issues, d, r->transit_exceeded ? " (over the limit)" : "");
    else {
        snprintf(r->verdict, sizeof r->verdict, "OK: %zu readings within %g-%g C, transit %s",
                 r->n_readings, cfg->min_c, cfg->max_c, d);
        r->release_ok = 1;
    }
    return RK_OK;
}

rk_status rk_logger_read(const char *path, const rk_logger_config *cfg, rk_logger_report *rep,
                         rk_error *err)
{
    memset(rep, 0, sizeof *rep);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return rk_error_set(err, RK_EIO, "%s: cannot open: %s; the shipment stays quarantined",
                            path, strerror(errno));
    rk_buf b;
    rk_buf_init(&b, (size_t)1 << 31);
    char chunk[65536];
    size_t n;
    rk_status st = RK_OK;
    while (!st && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        st = rk_buf_append(&b, chunk, n, err);
    int bad = ferror(fp);
    fclose(fp);
    if (!st && bad)
        st = rk_error_set(err, RK_EIO, "%s: read error; the shipment stays quarantined", path);
    if (!st) st = rk_logger_parse(b.data ? b.data : "", b.len, path, cfg, rep, err);
    rk_buf_free(&b);
    return st;
}
