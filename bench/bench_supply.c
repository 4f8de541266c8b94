/* Supply benchmark: kit scans per second (no sink; a sink that writes each record as a JSON line
 * into a BLAKE2b hash chain, as the audit trail will; the same appended to a file), and the time
 * to import a 1,000,000-reading logger file.  usage: bench_supply [LOGGER_FILE]
 * (the logger file is written there, default /tmp/rk_bench_logger.csv, and kept for
 * bench/supply.sh to time awk and R on the same file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "rctkit/supply.h"

#include "bench_util.h"

typedef struct chain {
    unsigned char prev[32];
    FILE *f; /* NULL: memory only */
    size_t n;
} chain;

static rk_status chain_record(void *ctx, const rk_supply_record *r, rk_error *err)
{
    chain *c = ctx;
    char line[512];
    int n = snprintf(line, sizeof line,
                     "{\"seq\":%llu,\"kit\":\"%s\",\"action\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
                     "\"when\":%lld,\"who\":\"%s\",\"where\":\"%s\",\"why\":\"%s\",\"site\":\"%s\","
                     "\"shipment\":\"%s\",\"subject\":\"%s\"}",
                     (unsigned long long)r->seq, r->kit, r->action, rk_kit_state_name(r->from),
                     rk_kit_state_name(r->to), (long long)r->when, r->who, r->where, r->why,
                     r->site, r->shipment, r->subject);
    if (n < 0 || (size_t)n >= sizeof line)
        return rk_error_set(err, RK_EINTERNAL, "record too long");
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, c->prev, 32);
    crypto_generichash_update(&st, (const unsigned char *)line, (size_t)n);
    crypto_generichash_final(&st, c->prev, 32);
    if (c->f) {
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, c->prev, 32);
        if (fprintf(c->f, "%s %s\n", hex, line) < 0)
            return rk_error_set(err, RK_EIO, "write failed");
    }
    c->n++;
    return RK_OK;
}

static double run_scans(const rk_kitlist *l, const rk_supply_sink *sink, size_t *nscans)
{
    rk_supply *s = NULL;
    rk_error err;
    if (rk_supply_new(l, sink, &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    rk_batch_release b[2] = {{.batch = "MSC-B1",
                              .viability_trypan = 96,
                              .viability_7aad = 93,
                              .cd73 = 99,
                              .cd90 = 99,
                              .cd105 = 98,
                              .sterile = 1},
                             {.batch = "PBO-B1", .placebo = 1, .sterile = 1}};
    rk_supply_set_batches(s, b, 2, NULL, NULL);
    static const rk_kit_state path[] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED,
                                        RK_KIT_STORED};
    double t0 = now();
    size_t n = 0;
    for (size_t p = 0; p < 4; p++)
        for (size_t i = 0; i < l->n; i++) {
            rk_scan sc = {.kit = l->kit[i].code,
                          .to = path[p],
                          .who = "bench",
                          .where = "depot",
                          .when = 1583049600 + (rk_time)(p * 3600),
                          .site = "WUH",
                          .shipment = "SH1"};
            if (rk_supply_scan(s, &sc, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                exit(1);
            }
            n++;
        }
    double t = now() - t0;
    rk_supply_free(s);
    *nscans = n;
    return t;
}

static void write_logger(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs("time,temp_c,lat,lon\n", f);
    rk_time t = 1583049600; /* 2020-03-01T08:00:00Z */
    unsigned x = 12345;
    for (size_t i = 0; i < n; i++) {
        char ts[32];
        x = x * 1103515245u + 12345u;
        double temp = 10.0 + ((double)(x >> 16 & 0x7fff) / 32768.0 - 0.5) * 3.0;
        if (i % 50000 >= 100 && i % 50000 < 112) temp = 13.5; /* an excursion now and then */
        if (i % 200000 == 7) t += 60;                         /* a gap */
        rk_time_format(t, ts, sizeof ts);
        fprintf(f, "%s,%.1f,%.4f,%.4f\n", ts, temp, 39.08 - 1e-5 * (double)i,
                117.2 - 3e-6 * (double)i);
        t += 5;
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *logger = argc > 1 ? argv[1] : "/tmp/rk_bench_logger.csv";
    if (sodium_init() < 0) return 1;
    rk_kitlist_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.seed = "bench";
    spec.n_arms = 2;
    spec.arm[0] = "UC-MSC";
    spec.arm[1] = "placebo";
    spec.ratio[0] = 2;
    spec.ratio[1] = 1;
    spec.block_mult = 2;
    spec.n_blocks = 50000; /* 300,000 kits */
    spec.lot = "PK1";
    spec.expiry = 20000;
    spec.batch[0] = "MSC-B1";
    spec.batch[1] = "PBO-B1";
    rk_kitlist *l = NULL;
    double t0 = now();
    if (rk_kitlist_generate(&spec, &l, NULL)) return 1;
    printf("kit list generation|%.3f|%zu kits\n", now() - t0, l->n);
    size_t n;
    double t = run_scans(l, NULL, &n);
    printf("scans, no sink|%.3f|%zu scans, %.0f scans/s\n", t, n, (double)n / t);
    chain c = {{0}, NULL, 0};
    rk_supply_sink sink = {&c, chain_record};
    t = run_scans(l, &sink, &n);
    printf("scans, JSON + BLAKE2b chain in memory|%.3f|%zu scans, %.0f scans/s\n", t, n,
           (double)n / t);
    chain cf = {{0}, fopen("/tmp/rk_bench_journal.txt", "w"), 0};
    sink.ctx = &cf;
    t = run_scans(l, &sink, &n);
    fclose(cf.f);
    remove("/tmp/rk_bench_journal.txt");
    printf("scans, JSON + chain + file (no fsync)|%.3f|%zu scans, %.0f scans/s\n", t, n,
           (double)n / t);
    rk_kitlist_free(l);

    write_logger(logger, 1000000);
    rk_logger_config cfg;
    rk_logger_config_init(&cfg);
    cfg.interval = 5;
    cfg.max_transit = 100LL * 86400;
    double best = 1e9;
    rk_logger_report r;
    for (int rep = 0; rep < 3; rep++) {
        t0 = now();
        rk_error err;
        if (rk_logger_read(logger, &cfg, &r, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        t = now() - t0;
        if (t < best) best = t;
        if (rep < 2) rk_logger_report_free(&r);
    }
    printf("logger import, 1e6 readings|%.3f|%zu readings, %zu excursions, %zu issues\n", best,
           r.n_readings, r.n_excursions, r.n_issues);
    rk_logger_report_free(&r);
    return 0;
}
