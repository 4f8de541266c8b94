/* Benchmark of the whole report: simulate a synthetic trial of N randomized subjects (same design
 * as the demo), then read the plan and the CSV files, compute Tables 1-3, CONSORT and the
 * sensitivity models, and render the text report.  Reports wall time per phase, rows, and peak
 * memory.  usage: bench_report PLAN.yaml [N [EXTRA_VISITS [DIR]]]   (run by bench/report.sh) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "rctkit/report.h"

#include "bench_util.h"

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    long n = 0;
    int c;
    char buf[1 << 16];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < k; i++)
            n += buf[i] == '\n';
    (void)c;
    fclose(f);
    return n - 1; /* header */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_report PLAN.yaml [N [EXTRA_VISITS [DIR]]]\n");
        return 2;
    }
    size_t n = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 101;
    size_t extra = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 0;
    char dir[256], data[300], plan[300];
    if (argc > 4)
        snprintf(dir, sizeof dir, "%s", argv[4]);
    else {
        snprintf(dir, sizeof dir, "/tmp/rk_bench_report_XXXXXX");
        if (!mkdtemp(dir)) return 1;
    }
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(plan, sizeof plan, "%s/plan.yaml", dir);
    mkdir(dir, 0755);
    mkdir(data, 0755);
    /* the demo plan, next to the simulated data (its paths are data/...) */
    FILE *in = fopen(argv[1], "rb"), *out = fopen(plan, "wb");
    if (!in || !out) {
        fprintf(stderr, "cannot copy %s to %s\n", argv[1], plan);
        return 1;
    }
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, k, out);
    fclose(in);
    fclose(out);

    rk_error err;
    rk_sim_opts o;
    rk_sim_opts_init(&o);
    o.n_random = n;
    o.extra_visits = extra;
    double t0 = now();
    if (rk_simulate_trial(data, &o, &err)) {
        fprintf(stderr, "simulate: %s\n", err.msg);
        return 1;
    }
    double t1 = now();
    char meas[400];
    snprintf(meas, sizeof meas, "%s/admeas.csv", data);
    long rows = count_lines(meas);
    double t2 = now();
    rk_plan *p = NULL;
    rk_report *r = NULL;
    rk_buf b;
    rk_buf_init(&b, 0);
    if (rk_plan_read(plan, &p, &err) || rk_report_run(p, &r, &err) ||
        rk_report_render(r, RK_REPORT_TEXT, &b, &err)) {
        fprintf(stderr, "report: %s\n", err.msg);
        return 1;
    }
    double t3 = now();
    printf("subjects=%zu measurement_rows=%ld simulate_s=%.3f report_s=%.3f peak_rss_mib=%.0f "
           "statistics=%zu dir=%s\n",
           n, rows, t1 - t0, t3 - t2, peak_mib(), r->nstat, dir);
    rk_buf_free(&b);
    rk_report_free(r);
    rk_plan_free(p);
    return 0;
}
