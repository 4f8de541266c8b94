/* `rctkit report PLAN.yaml`: read the analysis plan and its data, compute the tables, render
 * them (text, md, csv, html, latex, json) to stdout or atomically into --out DIR. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cmd_report.h"
#include "rctkit/report.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static const rk__opt report_opts[] = {
    {"out", "DIR", "write DIR/report.<ext> and the figures (atomically) instead of printing"},
    {"format", "FMT", "text (default), md, csv, html, latex or json"},
};

static int fail(const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit report: %s\n", err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

int rk__cmd_report(int argc, char **argv)
{
    static const char usage[] = "rctkit report PLAN.yaml [--out DIR] [--format FMT]";
    static const char about[] =
        "Table 1 (baseline), Table 2 (outcomes), Table 3 (adverse events), CONSORT counts and\n"
        "sensitivity models from an analysis plan and ADaM-style CSV files (docs/report.md).";
    if (argc < 1) {
        rk__print_usage(stderr, usage, about, report_opts, NOPTS(report_opts));
        return RK_EXIT_USAGE;
    }
    rk_error err;
    rk_error_clear(&err);
    rk__args a;
    int first_opt = argv[0][0] == '-' ? 0 : 1;
    rk_status st = rk__args_parse(&a, report_opts, NOPTS(report_opts), argc - first_opt,
                                  argv + first_opt, &err);
    if (st) return fail(&err, st);
    if (a.help) {
        rk__print_usage(stdout, usage, about, report_opts, NOPTS(report_opts));
        return RK_EXIT_OK;
    }
    if (!first_opt) {
        rk_error_set(&err, RK_EINVAL, "give the plan file first: %s", usage);
        return fail(&err, RK_EINVAL);
    }
    rk_report_format fmt = RK_REPORT_TEXT;
    const char *fs = rk__arg(&a, "format");
    if (fs && (st = rk_report_format_parse(fs, &fmt, &err))) return fail(&err, st);
    rk_plan *plan = NULL;
    rk_report *rep = NULL;
    rk_buf b;
    rk_buf_init(&b, 0);
    int rc = RK_EXIT_OK;
    if ((st = rk_plan_read(argv[0], &plan, &err)) || (st = rk_report_run(plan, &rep, &err)) ||
        (st = rk_report_render(rep, fmt, &b, &err))) {
        rc = fail(&err, st);
        goto done;
    }
    const char *out = rk__arg(&a, "out");
    if (!out) {
        fwrite(b.data, 1, b.len, stdout);
        goto done;
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        rk_error_set(&err, RK_EIO, "--out %s: cannot create the directory: %s", out,
                     strerror(errno));
        rc = fail(&err, RK_EIO);
        goto done;
    }
    char path[4096];
    /* the figures first (their SHA-256 are in the report's manifest), then the report */
    for (size_t i = 0; i < rep->nfig; i++) {
        const rk_rfigure *g = &rep->fig[i];
        snprintf(path, sizeof path, "%s/figure_%s.svg", out, g->id);
        if (!(st = rk_write_file_atomic(path, g->svg, g->svg_len, &err))) {
            snprintf(path, sizeof path, "%s/figure_%s.png", out, g->id);
            st = rk_write_file_atomic(path, (const char *)g->png, g->png_len, &err);
        }
        if (st) {
            rc = fail(&err, st);
            goto done;
        }
    }
    snprintf(path, sizeof path, "%s/report.%s", out, rk_report_format_ext(fmt));
    if ((st = rk_write_file_atomic(path, b.data, b.len, &err))) {
        rc = fail(&err, st);
        goto done;
    }
    printf("wrote %s (%zu tables, %zu statistics, %zu input files in the manifest)", path,
           rep->ntab, rep->nstat, rep->nfile - rep->nfig);
    if (rep->nfig) printf(" and %zu figures (SVG, PNG)", rep->nfig);
    printf("\n");
done:
    rk_buf_free(&b);
    rk_report_free(rep);
    rk_plan_free(plan);
    return rc;
}
