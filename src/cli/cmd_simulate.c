/* `rctkit simulate trial`: write the synthetic demo trial (the collected data as CSV) calibrated to
 * the seed phase 2 UC-MSC trial. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cmd_report.h"
#include "rctkit/report.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static const rk__opt sim_opts[] = {
    {"out", "DIR", "directory for screening.csv, adsl.csv, admeas.csv, adae.csv (required)"},
    {"seed", "N", "random seed (default 20200305); same seed, same files"},
    {"subjects", "N", "randomized subjects (default 101, the seed trial's)"},
    {"extra-visits", "K", "extra repeated measurements per subject (benchmarks; default 0)"},
};

static int fail(const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit simulate: %s\n", err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

static rk_status parse_size(const char *s, const char *opt, unsigned long long *out, rk_error *err)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-') goto bad;
    *out = strtoull(s, &end, 10);
    if (*end || errno) goto bad;
    return RK_OK;
bad:
    return rk_error_set(err, RK_EINVAL, "--%s must be a whole number, not '%s'", opt, s ? s : "");
}

int rk__cmd_simulate(int argc, char **argv)
{
    static const char usage[] = "rctkit simulate trial --out DIR [--seed N] [--subjects N]";
    static const char about[] =
        "Synthetic patient-level data calibrated to the seed phase 2 UC-MSC trial's design and\n"
        "published summaries (docs/report.md). The data are synthetic, not the trial's patients.";
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        rk__print_usage(argc < 1 ? stderr : stdout, usage, about, sim_opts, NOPTS(sim_opts));
        return argc < 1 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    rk_error err;
    rk_error_clear(&err);
    if (strcmp(argv[0], "trial") != 0) {
        rk_error_set(&err, RK_EINVAL, "unknown simulation '%s' (available: trial)", argv[0]);
        return fail(&err, RK_EINVAL);
    }
    rk__args a;
    rk_status st = rk__args_parse(&a, sim_opts, NOPTS(sim_opts), argc - 1, argv + 1, &err);
    if (st) return fail(&err, st);
    if (a.help) {
        rk__print_usage(stdout, usage, about, sim_opts, NOPTS(sim_opts));
        return RK_EXIT_OK;
    }
    rk_sim_opts o;
    rk_sim_opts_init(&o);
    unsigned long long v = 0;
    if (rk__arg(&a, "seed")) {
        if ((st = parse_size(rk__arg(&a, "seed"), "seed", &v, &err))) return fail(&err, st);
        o.seed = (uint64_t)v;
    }
    if (rk__arg(&a, "subjects")) {
        if ((st = parse_size(rk__arg(&a, "subjects"), "subjects", &v, &err))) return fail(&err, st);
        o.n_random = (size_t)v;
    }
    if (rk__arg(&a, "extra-visits")) {
        if ((st = parse_size(rk__arg(&a, "extra-visits"), "extra-visits", &v, &err)))
            return fail(&err, st);
        o.extra_visits = (size_t)v;
    }
    const char *out = rk__arg(&a, "out");
    if (!out) {
        rk_error_set(&err, RK_EINVAL, "--out DIR is required");
        return fail(&err, RK_EINVAL);
    }
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        rk_error_set(&err, RK_EIO, "--out %s: cannot create the directory: %s", out,
                     strerror(errno));
        return fail(&err, RK_EIO);
    }
    if ((st = rk_simulate_trial(out, &o, &err))) return fail(&err, st);
    printf("wrote %s/screening.csv, adsl.csv, admeas.csv, adae.csv: synthetic trial, %zu "
           "randomized, seed %llu\n",
           out, o.n_random, (unsigned long long)o.seed);
    return RK_EXIT_OK;
}
