/* Benchmark of the Wilcoxon rank-sum test and Hodges-Lehmann selection (run by bench/run.sh). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rctkit/stats.h"

#include "bench_util.h"

static uint64_t rng_state = 20240611ull;
static double unif(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((double)((rng_state * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void)
{
    return sqrt(-2.0 * log(unif())) * cos(6.283185307179586 * unif());
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fill(double *v, size_t n, double shift, double round_to)
{
    for (size_t i = 0; i < n; i++) {
        v[i] = gauss() + shift;
        if (round_to > 0) v[i] = round(v[i] / round_to) * round_to;
    }
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* 7-category ordinal outcome: a latent normal (mean shift) cut at fixed points */
static void fill_ordinal(double *v, size_t n, double shift)
{
    for (size_t i = 0; i < n; i++) {
        double c = floor((gauss() + shift) * 7.0 / 5.0 + 3.5);
        v[i] = c < 0 ? 0 : c > 6 ? 6 : c;
    }
}

/* Run the test and print "name|seconds|detail". */
static void run(const char *name, const double *x, size_t nx, const double *y, size_t ny,
                rk_method method, int reps)
{
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    o.method = method;
    o.conf_int = 1;
    rk_htest h;
    rk_error err;
    double best = INFINITY, best_cpu = INFINITY;
    rk_status st = RK_OK;
    for (int r = 0; r < reps; r++) {
        double t0 = now(), c0 = cpu_now();
        st = rk_wilcoxon_rank_sum(x, nx, y, ny, &o, &h, &err);
        double t = now() - t0, c = cpu_now() - c0;
        if (t < best) best = t;
        if (c < best_cpu) best_cpu = c;
        if (st) break;
    }
    if (st)
        printf("%s|NA|%s: %s\n", name, rk_strerror(st), err.msg);
    else
        printf("%s|%.4f|p=%.10g est=%.6g CI=(%.6g, %.6g) cpu %.3f s, peak RSS %.0f MiB\n", name,
               best, h.p_value, h.estimate, h.conf_int[0], h.conf_int[1], best_cpu, peak_mib());
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    int only_exact = argc > 1 && !strcmp(argv[1], "--exact"); /* skip the 1e5/1e6 HL cases */
    int only_big = argc > 1 && !strcmp(argv[1], "--big");     /* only n = m = 2000 */
    if (only_big) only_exact = 1;
    /* 1. HL estimate + Moses CI at n = m = 1e5 and 1e6, against sorting the pooled 2n values */
    size_t sizes[] = {100000, 1000000};
    for (int s = 0; s < (only_exact ? 0 : quick ? 1 : 2); s++) {
        size_t n = sizes[s];
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        double *pool = malloc(2 * n * sizeof *pool);
        if (!x || !y || !pool) return 1;
        fill(x, n, 0.1, 0);
        fill(y, n, 0.0, 0);
        memcpy(pool, x, n * sizeof *x);
        memcpy(pool + n, y, n * sizeof *y);
        double t0 = now();
        qsort(pool, 2 * n, sizeof *pool, cmp);
        double tsort = now() - t0;
        printf("qsort_pooled_%zu|%.4f|qsort of the 2n pooled values\n", n, tsort);
        double est;
        t0 = now();
        rk_status st = rk_hodges_lehmann_shift(x, n, y, n, &est, NULL);
        printf("hl_estimate_%zu|%.4f|estimate %.6g (%s)\n", n, now() - t0, est,
               st ? "failed" : "ok");
        char name[64];
        snprintf(name, sizeof name, "hl_ci_asymptotic_%zu", n);
        run(name, x, n, y, n, RK_METHOD_ASYMPTOTIC, 1);
        free(x);
        free(y);
        free(pool);
    }
    /* 2. exact, no ties, n = m = 200 (R's wilcox.test exact) */
    {
        size_t n = 200;
        double x[200], y[200];
        fill(x, n, 0.3, 0);
        fill(y, n, 0.0, 0);
        run("exact_noties_200", x, n, y, n, RK_METHOD_EXACT, 3);
    }
    /* 3. exact with ties + exact CI, n = m = 300 (coin): normal data rounded to 0.1, and
     * a 7-category ordinal outcome */
    {
        size_t n = 300;
        double x[300], y[300];
        fill(x, n, 0.3, 0.1);
        fill(y, n, 0.0, 0.1);
        run("exact_ties_300", x, n, y, n, RK_METHOD_EXACT, 3);
        fill_ordinal(x, n, 0.3);
        fill_ordinal(y, n, 0.0);
        run("exact_ord7_300", x, n, y, n, RK_METHOD_EXACT, 3);
    }
    /* 4. exact with ties + exact CI at n = m = 1000 and 2000 (rounded normal, 7-category ordinal)
     */
    if (!quick) {
        size_t ns[] = {1000, 2000};
        for (int s = only_big; s < 2; s++) {
            size_t n = ns[s];
            double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
            if (!x || !y) return 1;
            fill(x, n, 0.1, 0.1);
            fill(y, n, 0.0, 0.1);
            char name[64];
            snprintf(name, sizeof name, "exact_ties_%zu", n);
            run(name, x, n, y, n, RK_METHOD_EXACT, 1);
            fill_ordinal(x, n, 0.1);
            fill_ordinal(y, n, 0.0);
            snprintf(name, sizeof name, "exact_ord7_%zu", n);
            run(name, x, n, y, n, RK_METHOD_EXACT, 1);
            free(x);
            free(y);
        }
    }
    return 0;
}
