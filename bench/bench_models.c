/* Benchmark of the regression models on the data sets bench/models.R writes (run by
 * bench/run.sh models): proportional odds at n = 200,000, linear, random-intercept mixed and
 * Cox at n = 1,000,000.  Usage: bench_models DIR [REPS].  Prints "name|seconds|detail". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rctkit/data.h"
#include "rctkit/models.h"

#include "bench_util.h"

static int die(const char *what, const rk_error *err)
{
    fprintf(stderr, "bench_models: %s: %s\n", what, err->msg);
    return 1;
}

static const rk_coef *coef(const rk_fit *f, const char *term)
{
    for (size_t j = 0; j < f->n_coef; j++)
        if (!strcmp(f->coef[j].term, term)) return &f->coef[j];
    return NULL;
}

typedef enum { M_ORDINAL, M_LINEAR, M_MIXED, M_COX } model_kind;

/* Fit one model on table t: design + fit timed together, best of reps. */
static int run(const char *name, const rk_table *t, const char *formula, model_kind kind, int reps)
{
    static const char *const ref[] = {"group=Placebo"};
    rk_frame_opts fo = {0};
    fo.response_kind = kind == M_ORDINAL ? RK_RESPONSE_FACTOR : RK_RESPONSE_NUMERIC;
    fo.reference = ref;
    fo.n_reference = 1;
    rk_error err;
    double best = INFINITY, best_design = INFINITY;
    rk_fit *f = NULL;
    for (int r = 0; r < reps; r++) {
        rk_design *d = NULL;
        rk_fit_free(f);
        f = NULL;
        double t0 = now();
        if (rk_design_new(t, formula, &fo, &d, &err)) return die(name, &err);
        double t1 = now();
        rk_status st = RK_OK;
        if (kind == M_ORDINAL) {
            rk_ordinal_opts o;
            rk_ordinal_opts_init(&o);
            o.convention = RK_ORDINAL_R; /* as MASS::polr */
            st = rk_ordinal_fit(d, &o, &f, &err);
        } else if (kind == M_LINEAR) {
            st = rk_linear_fit(d, "group", 0.95, &f, &err);
        } else if (kind == M_MIXED) {
            st = rk_mixed_fit(d, NULL, &f, &err);
        } else {
            /* Cox: time and event columns at the design's rows, X without the intercept */
            size_t n = d->n, p = d->p - 1, tc, ec;
            double *tm = malloc(n * sizeof *tm), *X = malloc(n * p * sizeof *X);
            int *ev = malloc(n * sizeof *ev);
            const char *names[8];
            if (!tm || !X || !ev || p > 8) return die(name, &err);
            rk_table_column(t, "days", &tc, NULL);
            rk_table_column(t, "event", &ec, NULL);
            for (size_t i = 0; i < n; i++) {
                tm[i] = strtod(rk_table_cell(t, d->source_row[i], tc), NULL);
                ev[i] = rk_table_cell(t, d->source_row[i], ec)[0] == '1';
                for (size_t j = 0; j < p; j++)
                    X[i * p + j] = d->X[i * d->p + 1 + j];
            }
            for (size_t j = 0; j < p; j++)
                names[j] = d->colnames[1 + j];
            st = rk_cox_fit(tm, ev, X, n, p, names, NULL, NULL, &f, &err);
            free(tm);
            free(X);
            free(ev);
        }
        double t2 = now();
        rk_design_free(d);
        if (st) return die(name, &err);
        if (t2 - t0 < best) {
            best = t2 - t0;
            best_design = t1 - t0;
        }
    }
    const rk_coef *g = coef(f, "groupActive");
    printf("%s|%.3f|design %.3f s + fit %.3f s; group=%.10f se=%.10f logLik=%.10f iter=%d", name,
           best, best_design, best - best_design, g ? g->estimate : NAN, g ? g->std_error : NAN,
           f->log_likelihood, f->iterations);
    if (kind == M_MIXED)
        printf(" sd_center=%.10f sigma=%.10f", rk_fit_get(f, "sd_intercept"),
               rk_fit_get(f, "sigma"));
    if (kind == M_COX) {
        const rk_coef *a = coef(f, "age");
        printf(" age=%.10f", a ? a->estimate : NAN);
    }
    printf("; peak RSS %.0f MiB\n", peak_mib());
    fflush(stdout);
    rk_fit_free(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr,
                "usage: bench_models DIR [REPS]   (DIR from Rscript bench/models.R write DIR)\n");
        return 2;
    }
    int reps = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 1;
    if (reps < 1) reps = 1;
    char path[4096];
    rk_error err;
    rk_table *po = NULL, *big = NULL;
    snprintf(path, sizeof path, "%s/bench_ordinal.csv", argv[1]);
    if (rk_csv_read(path, &po, &err)) return die(path, &err);
    if (run("ordinal_200k", po, "score ~ group", M_ORDINAL, reps)) return 1;
    rk_table_free(po);
    snprintf(path, sizeof path, "%s/bench_big.csv", argv[1]);
    double t0 = now();
    if (rk_csv_read(path, &big, &err)) return die(path, &err);
    printf("read_csv_1e6|%.3f|rk_csv_read of the 1e6-row file (not part of any fit below)\n",
           now() - t0);
    fflush(stdout);
    if (run("linear_1e6", big, "chg ~ group + base + age + center", M_LINEAR, reps) ||
        run("mixed_1e6", big, "chg ~ group + base + (1 | center)", M_MIXED, reps) ||
        run("cox_1e6", big, "~ group + age", M_COX, reps))
        return 1;
    rk_table_free(big);
    return 0;
}
