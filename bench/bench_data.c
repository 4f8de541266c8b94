/* Benchmark of the trial data layer: a synthetic trial written as CSV (ADSL + long
 * measurements), then read and derived (windows, baseline, CHG/PCHG, LOCF, populations,
 * improvement).  One step per process so getrusage's peak memory belongs to that step.
 *   bench_data gen DIR [N_SUBJECTS]   writes DIR/adsl.csv and DIR/adlb.csv (10 rows/subject)
 *   bench_data read DIR               CSV parse of adlb.csv only
 *   bench_data derive DIR             rk_trial_read: read both, validate, derive everything
 * Prints "step|seconds|peak MiB|detail".  bench/data.sh runs it beside R. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rctkit/data.h"

#include "bench_util.h"

static uint64_t rng_state = 20261130ull;
static double unif(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((double)((rng_state * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}
static int irange(int lo, int hi)
{
    return lo + (int)(unif() * (hi - lo + 1));
}

static int gen(const char *dir, long n)
{
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/adsl.csv", dir);
    snprintf(p2, sizeof p2, "%s/adlb.csv", dir);
    FILE *a = fopen(p1, "w"), *m = fopen(p2, "w");
    if (!a || !m) {
        perror(dir);
        return 1;
    }
    static char abuf[1 << 20], mbuf[1 << 20];
    setvbuf(a, abuf, _IOFBF, sizeof abuf);
    setvbuf(m, mbuf, _IOFBF, sizeof mbuf);
    fputs("USUBJID,SITEID,ARM,RANDDT,TRTSDT,MAJDEVFL,AGE,SEX\n", a);
    fputs("USUBJID,PARAMCD,ADY,AVAL,AVALU\n", m);
    size_t rows = 0;
    for (long i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "S%07ld", i + 1);
        const char *arm = unif() < 2.0 / 3 ? "UC-MSC" : "Placebo";
        int rd = irange(0, 27), dosed = unif() > 0.01;
        char rdt[16], tdt[16];
        rk_format_date(21979 + rd, rdt, sizeof rdt); /* from 2020-03-05 */
        rk_format_date(21979 + rd + irange(0, 2), tdt, sizeof tdt);
        fprintf(a, "%s,%02d,%s,%s,%s,%s,%d,%s\n", id, (int)(i % 20) + 1, arm, rdt, dosed ? tdt : "",
                unif() < 0.03 ? "Y" : "N", irange(30, 80), unif() < 0.5 ? "F" : "M");
        /* LESPROP (%): baseline, day 10, day 28 (5% missed), follow-up day 40 */
        double b = 5 + 55 * unif();
        int lday[4] = {irange(-5, 1), 10 + irange(-3, 3), 28 + irange(-6, 6), 40};
        for (int k = 0; k < 4; k++) {
            double v = k == 0 ? b : b * (0.3 + 0.8 * unif());
            if (k == 2 && unif() < 0.05)
                fprintf(m, "%s,LESPROP,%d,,%%\n", id, lday[k]);
            else
                fprintf(m, "%s,LESPROP,%d,%.2f,%%\n", id, lday[k], v);
        }
        /* CS6 six-category scale on days 1, 5, 10, 14, 21, 28 */
        int cs = irange(2, 4);
        static const int cday[6] = {1, 5, 10, 14, 21, 28};
        for (int k = 0; k < 6; k++) {
            if (k && unif() < 0.3 && cs > 1) cs--;
            fprintf(m, "%s,CS6,%d,%d,\n", id, cday[k], cs);
        }
        rows += 10;
    }
    if (fclose(a) || fclose(m)) {
        perror("write");
        return 1;
    }
    printf("gen|-|%.0f|%ld subjects, %zu measurement rows\n", peak_mib(), n, rows);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_data gen|read|derive DIR [N_SUBJECTS]\n");
        return 2;
    }
    const char *dir = argv[2];
    if (!strcmp(argv[1], "gen")) return gen(dir, argc > 3 ? strtol(argv[3], NULL, 10) : 1000000);
    rk_error err;
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/adsl.csv", dir);
    snprintf(p2, sizeof p2, "%s/adlb.csv", dir);
    double t0 = now();
    if (!strcmp(argv[1], "read")) {
        rk_table *t;
        if (rk_csv_read(p2, &t, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        printf("read adlb.csv|%.2f|%.0f|%zu rows\n", now() - t0, peak_mib(), rk_table_nrows(t));
        rk_table_free(t);
        return 0;
    }
    static const char *arms[] = {"UC-MSC", "Placebo"};
    static const rk_visit_window win[] = {
        {"BASELINE", 1, -7, 1}, {"DAY10", 10, 7, 13}, {"DAY28", 28, 21, 35}};
    rk_trial_opts o;
    rk_trial_opts_init(&o);
    o.arms = arms;
    o.n_arms = 2;
    o.windows = win;
    o.n_windows = 3;
    o.primary_param = "LESPROP";
    o.primary_visit = "DAY28";
    o.improve_param = "CS6";
    rk_trial *t;
    if (rk_trial_read(p1, p2, NULL, &o, &t, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double el = now() - t0;
    size_t pp = 0, mitt = 0, locf = 0, pchg = 0;
    double sum = 0;
    for (size_t i = 0; i < t->n_subjects; i++) {
        pp += t->subjects[i].pp;
        mitt += t->subjects[i].mitt;
    }
    for (size_t i = 0; i < t->n_measures; i++) {
        locf += t->measures[i].locf;
        if (!isnan(t->measures[i].pchg)) {
            pchg++;
            sum += t->measures[i].pchg;
        }
    }
    printf("read+derive|%.2f|%.0f|%zu subjects, %zu records (%zu LOCF), mITT %zu, PP %zu, "
           "%zu PCHG (mean %.6f), %zu improvement times\n",
           el, peak_mib(), t->n_subjects, t->n_measures, locf, mitt, pp, pchg, sum / (double)pchg,
           t->n_tti);
    rk_trial_free(t);
    return 0;
}
