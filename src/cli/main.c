/* rctkit command-line entry point: dispatches to the command modules. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_data.h"
#include "cli/cmd_model.h"
#include "cli/cmd_rand.h"
#include "cli/cmd_survival.h"
#include "cli/cmd_server.h"
#include "cli/cmd_supply.h"
#include "cli/cmd_report.h"

static const char usage[] =
    "usage: rctkit [--version] [--help] COMMAND [options]\n"
    "\n"
    "rctkit runs a randomized controlled trial's statistics, exactly as the analysis plan says.\n"
    "\n"
    "commands:\n"
    "  test       hypothesis tests: wilcoxon, signed-rank, fisher, chisq, kruskal, ttest, anova\n"
    "  describe   descriptive summaries: n, mean (SD), median (IQR), n (%)\n"
    "  ci         distribution-free confidence interval for a median or quantile\n"
    "  model      regression models: linear, logistic, ordinal, mixed, cox\n"
    "  rand       randomization: list (write a design's list), assess (its quality figures)\n"
    "  survival   Kaplan-Meier curves and medians, log-rank test (stratified)\n"
    "  trial      create a trial database from its files (design, sites, users, list)\n"
    "  serve      run the concealed-allocation server (HTTP + JSON)\n"
    "  audit      verify the audit trail's hash chain, replay dynamic allocations\n"
    "  data       trial data sets: check, derive (populations, change, LOCF), convert\n"
    "  supply     blinded kits, labels, cold chain, kit scans, visit schedule, supply reports\n"
    "  report     the paper's tables (baseline, outcomes, AEs, CONSORT) from an analysis plan\n"
    "  simulate   synthetic trial data calibrated to the seed trial (the demo)\n"
    "\n"
    "Run 'rctkit COMMAND --help' for a command's options.\n"
    "Exit codes: 0 success, 1 statistical or run-time failure, 2 bad input or usage.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return RK_EXIT_USAGE;
    }
    const char *c = argv[1];
    if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
        fputs(usage, stdout);
        return RK_EXIT_OK;
    }
    if (!strcmp(c, "--version")) {
        printf("rctkit %s\n", RK_VERSION);
        return RK_EXIT_OK;
    }
    if (!strcmp(c, "test")) return rk__cmd_test(argc - 2, argv + 2);
    if (!strcmp(c, "describe")) return rk__cmd_describe(argc - 2, argv + 2);
    if (!strcmp(c, "ci")) return rk__cmd_ci(argc - 2, argv + 2);
    if (!strcmp(c, "model")) return rk__cmd_model(argc - 2, argv + 2);
    if (!strcmp(c, "rand")) return rk__cmd_rand(argc - 2, argv + 2);
    if (!strcmp(c, "survival")) return rk__cmd_survival(argc - 2, argv + 2);
    if (!strcmp(c, "trial")) return rk__cmd_trial(argc - 2, argv + 2);
    if (!strcmp(c, "serve")) return rk__cmd_serve(argc - 2, argv + 2);
    if (!strcmp(c, "audit")) return rk__cmd_audit(argc - 2, argv + 2);
    if (!strcmp(c, "data")) return rk__cmd_data(argc - 2, argv + 2);
    if (!strcmp(c, "supply")) return rk__cmd_supply(argc - 2, argv + 2);
    if (!strcmp(c, "report")) return rk__cmd_report(argc - 2, argv + 2);
    if (!strcmp(c, "simulate")) return rk__cmd_simulate(argc - 2, argv + 2);
    fprintf(stderr, "rctkit: unknown command '%s'\n\n%s", c, usage);
    return RK_EXIT_USAGE;
}
