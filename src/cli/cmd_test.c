/* `rctkit test ...`: hypothesis tests from number lists, CSV columns or tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

/* Two samples, from --x/--y or from --data/--value/--group [--levels]. */
typedef struct samples {
    double *x, *y;
    size_t nx, ny;
    rk__groups g;
    int from_file;
    char desc[512];
} samples;

static void samples_free(samples *s)
{
    if (s->from_file)
        rk__groups_free(&s->g);
    else {
        free(s->x);
        free(s->y);
    }
}

static rk_status get_samples(const rk__args *a, int need_y, int allow_k, samples *s,
                             rk_error *err)
{
    memset(s, 0, sizeof *s);
    const char *data = rk__arg(a, "data"), *xs = rk__arg(a, "x");
    if (data && xs) return rk_error_set(err, RK_EINVAL, "give either --x or --data, not both");
    if (data) {
        const char *value = rk__arg(a, "value"), *group = rk__arg(a, "group");
        if (!value) return rk_error_set(err, RK_EINVAL, "--data needs --value COLUMN");
        if (need_y && !group) return rk_error_set(err, RK_EINVAL, "--data needs --group COLUMN");
        rk_status st = rk__read_groups(data, value, group, rk__arg(a, "levels"), &s->g, err);
        if (st) return st;
        s->from_file = 1;
        if (!allow_k && group && s->g.k != 2) {
            rk_error_set(err, RK_EINVAL,
                         "%s: column '%s' has %zu groups; this test compares two (choose them "
                         "with --levels A,B)",
                         data, group, s->g.k);
            rk__groups_free(&s->g);
            s->from_file = 0;
            return RK_EINVAL;
        }
        s->x = s->g.value[0];
        s->nx = s->g.n[0];
        if (s->g.k > 1) {
            s->y = s->g.value[1];
            s->ny = s->g.n[1];
        }
        int len = snprintf(s->desc, sizeof s->desc, "%s by %s:", value, group ? group : "-");
        for (size_t j = 0; j < s->g.k && len > 0 && (size_t)len < sizeof s->desc; j++)
            len += snprintf(s->desc + len, sizeof s->desc - (size_t)len, "%s %s (n = %zu)",
                            j ? "," : "", s->g.level[j], s->g.n[j]);
        if (s->g.n_missing && len > 0 && (size_t)len < sizeof s->desc)
            snprintf(s->desc + len, sizeof s->desc - (size_t)len, "; %zu rows with missing values dropped",
                     s->g.n_missing);
        return RK_OK;
    }
    if (!xs) return rk_error_set(err, RK_EINVAL, "no data: give --x (and --y) or --data");
    size_t mx = 0, my = 0;
    rk_status st = rk__parse_list(xs, "x", &s->x, &s->nx, &mx, err);
    if (st) return st;
    const char *ys = rk__arg(a, "y");
    if (ys && (st = rk__parse_list(ys, "y", &s->y, &s->ny, &my, err))) {
        free(s->x);
        return st;
    }
    if (need_y && !ys) {
        free(s->x);
        return rk_error_set(err, RK_EINVAL, "this test needs two samples: give --y too");
    }
    if (ys)
        snprintf(s->desc, sizeof s->desc, "x (n = %zu) and y (n = %zu)%s", s->nx, s->ny,
                 mx + my ? "; missing (NA) values dropped" : "");
    else
        snprintf(s->desc, sizeof s->desc, "x (n = %zu)%s", s->nx,
                 mx ? "; missing (NA) values dropped" : "");
    return RK_OK;
}

static rk_status common_opts(const rk__args *a, rk_alternative *alt, double *level,
                             rk__format *fmt, rk_error *err)
{
    rk_status st;
    const char *s;
    if ((s = rk__arg(a, "alternative")) && (st = rk_alternative_parse(s, alt, err))) return st;
    if ((s = rk__arg(a, "conf-level"))) {
        if ((st = rk__parse_option_number(s, "conf-level", level, err))) return st;
        if (!(*level > 0 && *level < 1))
            return rk_error_set(err, RK_EINVAL, "--conf-level %s is outside (0, 1)", s);
    }
    return rk__parse_format(rk__arg(a, "format"), fmt, err);
}

static int fail(const char *cmd, const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit %s: %s\n", cmd, err->msg[0] ? err->msg : rk_strerror(st));
    /* only these two have --asymptotic (fisher's message already names chi-square) */
    if (st == RK_ERANGE && (!strcmp(cmd, "test wilcoxon") || !strcmp(cmd, "test signed-rank")))
        fprintf(stderr, "hint: use --asymptotic for the normal approximation\n");
    return rk__exit_code(st);
}

/* ------------------------------------------------------------ wilcoxon */

static const rk__opt wilcoxon_opts[] = {
    {"x", "LIST", "first sample, comma-separated (NA = missing)"},
    {"y", "LIST", "second sample (signed-rank: paired with x)"},
    {"data", "FILE.csv", "read the samples from a CSV file"},
    {"value", "COL", "column holding the values"},
    {"group", "COL", "column holding the group; the first level is x"},
    {"levels", "A,B", "the two groups to compare, in order (default: sorted levels)"},
    {"mu", "NUM", "location shift under the null hypothesis (default 0)"},
    {"alternative", "ALT", "two-sided (default), less or greater"},
    {"exact", NULL, "exact p-value (also with ties)"},
    {"asymptotic", NULL, "normal approximation with tie-corrected variance"},
    {"no-correct", NULL, "no continuity correction in the normal approximation"},
    {"conf-int", NULL, "Hodges-Lehmann estimate and confidence interval"},
    {"conf-level", "NUM", "confidence level (default 0.95)"},
    {"format", "FMT", "text (default) or json"},
};

static int run_wilcoxon(int argc, char **argv, int signed_rank)
{
    const char *cmd = signed_rank ? "test signed-rank" : "test wilcoxon";
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, wilcoxon_opts, NOPTS(wilcoxon_opts), argc, argv, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        if (signed_rank)
            rk__print_usage(stdout, "rctkit test signed-rank --x LIST [--y LIST | --mu NUM] [options]",
                            "Wilcoxon signed-rank test, one-sample (x - mu) or paired (x - y), with "
                            "the Walsh-average\n(pseudo-median) estimate and confidence interval. "
                            "Zero differences are dropped.\nExact p-values (also with ties) when "
                            "fewer than 50 non-zero differences.",
                            wilcoxon_opts, NOPTS(wilcoxon_opts));
        else
            rk__print_usage(stdout, "rctkit test wilcoxon (--x LIST --y LIST | --data FILE --value COL --group COL) [options]",
                            "Wilcoxon rank-sum (Mann-Whitney) test of x against y, W = rank sum of x "
                            "- nx(nx+1)/2 (R).\nExact p-values (also with ties) when both samples "
                            "have fewer than 50 values;\n--conf-int adds the Hodges-Lehmann shift "
                            "(median of all x - y differences) and its CI.",
                            wilcoxon_opts, NOPTS(wilcoxon_opts));
        return RK_EXIT_OK;
    }
    rk_wilcoxon_opts o;
    rk_wilcoxon_opts_init(&o);
    rk__format fmt;
    if ((st = common_opts(&a, &o.alternative, &o.conf_level, &fmt, &err))) return fail(cmd, &err, st);
    if (rk__flag(&a, "exact") && rk__flag(&a, "asymptotic")) {
        rk_error_set(&err, RK_EINVAL, "--exact and --asymptotic exclude each other");
        return fail(cmd, &err, RK_EINVAL);
    }
    o.method = rk__flag(&a, "exact") ? RK_METHOD_EXACT
               : rk__flag(&a, "asymptotic") ? RK_METHOD_ASYMPTOTIC
                                           : RK_METHOD_AUTO;
    o.correct = !rk__flag(&a, "no-correct");
    o.conf_int = rk__flag(&a, "conf-int");
    const char *mu = rk__arg(&a, "mu");
    if (mu && (st = rk__parse_option_number(mu, "mu", &o.mu, &err))) return fail(cmd, &err, st);
    samples s;
    if ((st = get_samples(&a, !signed_rank, 0, &s, &err))) return fail(cmd, &err, st);
    rk_htest h;
    if (signed_rank) {
        if (s.y && s.ny != s.nx) {
            rk_error_set(&err, RK_EINVAL, "paired samples differ in length: x has %zu, y has %zu",
                         s.nx, s.ny);
            st = RK_EINVAL;
        } else {
            st = rk_wilcoxon_signed_rank(s.x, s.y, s.nx, &o, &h, &err);
        }
    } else {
        st = rk_wilcoxon_rank_sum(s.x, s.nx, s.y, s.ny, &o, &h, &err);
    }
    int rc = st ? fail(cmd, &err, st) : rk__print_htest(&h, fmt, s.desc);
    samples_free(&s);
    return rc;
}

/* ------------------------------------------------------- fisher, chisq */

static const rk__opt table_opts[] = {
    {"table", "R1/R2/...", "counts: rows separated by '/', cells by ',' (e.g. 7,5/5,24)"},
    {"alternative", "ALT", "two-sided (default), less or greater (2x2 Fisher only)"},
    {"conf-level", "NUM", "confidence level for the odds ratio (default 0.95)"},
    {"no-correct", NULL, "chi-square: no Yates continuity correction for 2x2"},
    {"format", "FMT", "text (default) or json"},
};

static int run_table(int argc, char **argv, int fisher)
{
    const char *cmd = fisher ? "test fisher" : "test chisq";
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, table_opts, NOPTS(table_opts), argc, argv, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        if (fisher)
            rk__print_usage(stdout, "rctkit test fisher --table 7,5/5,24 [--alternative ALT] [--conf-level NUM]",
                            "Fisher's exact test. 2x2: R's two-sided rule, conditional maximum-"
                            "likelihood odds ratio\nand exact CI; r x c: exact two-sided p-value.",
                            table_opts, NOPTS(table_opts));
        else
            rk__print_usage(stdout, "rctkit test chisq --table 8,4/16,13 [--no-correct]",
                            "Pearson chi-square test of independence; 2x2 tables get Yates' "
                            "continuity correction\nunless --no-correct (as R's chisq.test).",
                            table_opts, NOPTS(table_opts));
        return RK_EXIT_OK;
    }
    rk_alternative alt = RK_ALT_TWO_SIDED;
    double level = 0.95;
    rk__format fmt;
    if ((st = common_opts(&a, &alt, &level, &fmt, &err))) return fail(cmd, &err, st);
    const char *ts = rk__arg(&a, "table");
    if (!ts) {
        rk_error_set(&err, RK_EINVAL, "--table is required (e.g. --table 7,5/5,24)");
        return fail(cmd, &err, RK_EINVAL);
    }
    if (!fisher && (rk__arg(&a, "alternative") || rk__arg(&a, "conf-level"))) {
        rk_error_set(&err, RK_EINVAL, "chi-square takes no --alternative or --conf-level");
        return fail(cmd, &err, RK_EINVAL);
    }
    if (fisher && rk__flag(&a, "no-correct")) {
        rk_error_set(&err, RK_EINVAL, "--no-correct applies to chisq, not fisher");
        return fail(cmd, &err, RK_EINVAL);
    }
    int64_t *cells;
    size_t nr, nc;
    if ((st = rk__parse_table(ts, &cells, &nr, &nc, &err))) return fail(cmd, &err, st);
    rk_htest h;
    st = fisher ? rk_fisher_test(cells, nr, nc, alt, level, &h, &err)
                : rk_chisq_test(cells, nr, nc, !rk__flag(&a, "no-correct"), &h, &err);
    char desc[64];
    snprintf(desc, sizeof desc, "%zu x %zu table", nr, nc);
    free(cells);
    return st ? fail(cmd, &err, st) : rk__print_htest(&h, fmt, desc);
}

/* ----------------------------------------------- kruskal, anova, ttest */

static const rk__opt ksample_opts[] = {
    {"data", "FILE.csv", "CSV file with one row per observation"},
    {"value", "COL", "column holding the values"},
    {"group", "COL", "column holding the group"},
    {"levels", "A,B,...", "groups to include, in order (default: all, sorted)"},
    {"format", "FMT", "text (default) or json"},
};

static int run_ksample(int argc, char **argv, int anova)
{
    const char *cmd = anova ? "test anova" : "test kruskal";
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, ksample_opts, NOPTS(ksample_opts), argc, argv, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        rk__print_usage(stdout,
                        anova ? "rctkit test anova --data FILE.csv --value COL --group COL"
                              : "rctkit test kruskal --data FILE.csv --value COL --group COL",
                        anova ? "One-way analysis of variance (F test) across the groups."
                              : "Kruskal-Wallis rank-sum test across the groups, tie-corrected "
                                "(as R's kruskal.test).",
                        ksample_opts, NOPTS(ksample_opts));
        return RK_EXIT_OK;
    }
    rk__format fmt;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) return fail(cmd, &err, st);
    if (!rk__arg(&a, "data") || !rk__arg(&a, "group")) {
        rk_error_set(&err, RK_EINVAL, "needs --data FILE.csv --value COL --group COL");
        return fail(cmd, &err, RK_EINVAL);
    }
    samples s;
    if ((st = get_samples(&a, 1, 1, &s, &err))) return fail(cmd, &err, st);
    size_t n = 0;
    for (size_t j = 0; j < s.g.k; j++) n += s.g.n[j];
    double *x = malloc((n ? n : 1) * sizeof *x);
    size_t *gi = malloc((n ? n : 1) * sizeof *gi);
    int rc;
    if (!x || !gi) {
        rk_error_set(&err, RK_ENOMEM, "out of memory");
        rc = fail(cmd, &err, RK_ENOMEM);
    } else {
        size_t k = 0;
        for (size_t j = 0; j < s.g.k; j++)
            for (size_t i = 0; i < s.g.n[j]; i++) {
                x[k] = s.g.value[j][i];
                gi[k++] = j;
            }
        rk_htest h;
        st = anova ? rk_anova_oneway(x, gi, n, s.g.k, &h, &err)
                   : rk_kruskal_test(x, gi, n, s.g.k, &h, &err);
        rc = st ? fail(cmd, &err, st) : rk__print_htest(&h, fmt, s.desc);
    }
    free(x);
    free(gi);
    samples_free(&s);
    return rc;
}

static const rk__opt ttest_opts[] = {
    {"x", "LIST", "first sample, comma-separated (NA = missing)"},
    {"y", "LIST", "second sample (omit for a one-sample test)"},
    {"data", "FILE.csv", "read the samples from a CSV file"},
    {"value", "COL", "column holding the values"},
    {"group", "COL", "column holding the group; the first level is x"},
    {"levels", "A,B", "the two groups to compare, in order"},
    {"welch", NULL, "Welch's test (unequal variances) instead of Student's"},
    {"paired", NULL, "paired test of x - y"},
    {"mu", "NUM", "mean (difference) under the null hypothesis (default 0)"},
    {"alternative", "ALT", "two-sided (default), less or greater"},
    {"conf-level", "NUM", "confidence level (default 0.95)"},
    {"format", "FMT", "text (default) or json"},
};

static int run_ttest(int argc, char **argv)
{
    const char *cmd = "test ttest";
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, ttest_opts, NOPTS(ttest_opts), argc, argv, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        rk__print_usage(stdout, "rctkit test ttest --x LIST [--y LIST] [--welch | --paired] [options]",
                        "Student's (pooled variance) or Welch's two-sample t-test, the paired "
                        "t-test, or the\none-sample t-test of x against mu.",
                        ttest_opts, NOPTS(ttest_opts));
        return RK_EXIT_OK;
    }
    rk_alternative alt = RK_ALT_TWO_SIDED;
    double level = 0.95, mu = 0;
    rk__format fmt;
    if ((st = common_opts(&a, &alt, &level, &fmt, &err))) return fail(cmd, &err, st);
    const char *mus = rk__arg(&a, "mu");
    if (mus && (st = rk__parse_option_number(mus, "mu", &mu, &err))) return fail(cmd, &err, st);
    int paired = rk__flag(&a, "paired");
    if (paired && rk__flag(&a, "welch")) {
        rk_error_set(&err, RK_EINVAL, "--paired and --welch exclude each other");
        return fail(cmd, &err, RK_EINVAL);
    }
    samples s;
    if ((st = get_samples(&a, paired, 0, &s, &err))) return fail(cmd, &err, st);
    rk_htest h;
    if (paired) {
        if (s.nx != s.ny) {
            rk_error_set(&err, RK_EINVAL, "paired samples differ in length: x has %zu, y has %zu",
                         s.nx, s.ny);
            st = RK_EINVAL;
        } else {
            double *d = malloc((s.nx ? s.nx : 1) * sizeof *d);
            if (!d) {
                st = rk_error_set(&err, RK_ENOMEM, "out of memory");
            } else {
                for (size_t i = 0; i < s.nx; i++) d[i] = s.x[i] - s.y[i];
                st = rk_t_test(d, s.nx, NULL, 0, 0, alt, mu, level, &h, &err);
                if (!st) {
                    /* R 4.2 t.test(paired = TRUE): the estimate is the "mean difference" */
                    snprintf(h.method, sizeof h.method, "Paired t-test");
                    snprintf(h.estimate_name, sizeof h.estimate_name, "mean difference");
                    size_t k = 0; /* mean_x is the differences' mean; there is no mean_y */
                    for (size_t i = 0; i < h.n_extra; i++) {
                        if (!strcmp(h.extra[i].name, "mean_y")) continue;
                        h.extra[k] = h.extra[i];
                        if (!strcmp(h.extra[k].name, "mean_x"))
                            snprintf(h.extra[k].name, sizeof h.extra[k].name, "mean_difference");
                        k++;
                    }
                    h.n_extra = k;
                }
                free(d);
            }
        }
    } else {
        st = rk_t_test(s.x, s.nx, s.y, s.y ? s.ny : 0, rk__flag(&a, "welch"), alt, mu, level, &h,
                       &err);
    }
    int rc = st ? fail(cmd, &err, st) : rk__print_htest(&h, fmt, s.desc);
    samples_free(&s);
    return rc;
}

int rk__cmd_test(int argc, char **argv)
{
    static const char *usage =
        "usage: rctkit test TEST [options]   (rctkit test TEST --help for each)\n\n"
        "tests:\n"
        "  wilcoxon      Wilcoxon rank-sum / Mann-Whitney, exact with ties, Hodges-Lehmann CI\n"
        "  signed-rank   Wilcoxon signed-rank (one-sample or paired), Walsh-average estimate\n"
        "  fisher        Fisher's exact test (2x2 with odds ratio, or r x c)\n"
        "  chisq         Pearson chi-square test (Yates for 2x2 unless --no-correct)\n"
        "  kruskal       Kruskal-Wallis rank-sum test\n"
        "  ttest         Student, Welch, paired or one-sample t-test\n"
        "  anova         one-way analysis of variance\n";
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    const char *t = argv[0];
    if (!strcmp(t, "wilcoxon")) return run_wilcoxon(argc - 1, argv + 1, 0);
    if (!strcmp(t, "signed-rank")) return run_wilcoxon(argc - 1, argv + 1, 1);
    if (!strcmp(t, "fisher")) return run_table(argc - 1, argv + 1, 1);
    if (!strcmp(t, "chisq")) return run_table(argc - 1, argv + 1, 0);
    if (!strcmp(t, "kruskal")) return run_ksample(argc - 1, argv + 1, 0);
    if (!strcmp(t, "anova")) return run_ksample(argc - 1, argv + 1, 1);
    if (!strcmp(t, "ttest")) return run_ttest(argc - 1, argv + 1);
    fprintf(stderr, "rctkit test: unknown test '%s'\n%s", t, usage);
    return RK_EXIT_USAGE;
}
