/* `rctkit describe` (summaries, n (%)) and `rctkit ci` (quantile confidence limits). */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "rctkit/data.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static int fail(const char *cmd, const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit %s: %s\n", cmd, err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

static const rk__opt describe_opts[] = {
    {"x", "LIST", "values, comma-separated (NA = missing)"},
    {"data", "FILE.csv", "read the values from a CSV file"},
    {"value", "COL", "column to summarise (numbers, or categories for n (%))"},
    {"group", "COL", "summarise separately for each group"},
    {"categorical", NULL, "n (%) of each value, even of numbers"},
    {"levels", "A,B,...", "groups to show, in order (default: all, sorted)"},
    {"quantile-type", "N", "R quantile type 1-9 (default 2 = SAS QNTLDEF=5)"},
    {"format", "FMT", "text (default) or json"},
};

/* Numeric summary of each group. */
static int describe_numeric(const rk__groups *g, const char *value, int qtype, rk__format fmt,
                            const char *cmd)
{
    rk_error err;
    rk_summary *s = calloc(g->k, sizeof *s);
    if (!s) return RK_EXIT_FAIL;
    for (size_t j = 0; j < g->k; j++) {
        rk_status st = rk_describe(g->value[j], g->n[j], qtype, &s[j], &err);
        if (st) {
            free(s);
            return fail(cmd, &err, st);
        }
    }
    int rc = RK_EXIT_OK;
    if (fmt == RK_FMT_JSON) {
        json_t *o = json_object(), *arr = json_array();
        json_object_set_new(o, "variable", json_string(value));
        json_object_set_new(o, "type", json_string("numeric"));
        json_object_set_new(o, "quantile_type", json_integer(qtype));
        json_object_set_new(o, "n_missing_dropped", json_integer((json_int_t)g->n_missing));
        for (size_t j = 0; j < g->k; j++) {
            json_t *r = json_object();
            json_object_set_new(r, "group", json_string(g->level[j]));
            json_object_set_new(r, "n", json_integer((json_int_t)s[j].n));
            json_object_set_new(r, "mean", rk__jnum(s[j].mean));
            json_object_set_new(r, "sd", rk__jnum(s[j].sd));
            json_object_set_new(r, "median", rk__jnum(s[j].median));
            json_object_set_new(r, "q1", rk__jnum(s[j].q1));
            json_object_set_new(r, "q3", rk__jnum(s[j].q3));
            json_object_set_new(r, "min", rk__jnum(s[j].min));
            json_object_set_new(r, "max", rk__jnum(s[j].max));
            json_array_append_new(arr, r);
        }
        json_object_set_new(o, "groups", arr);
        rc = rk__print_json(o);
    } else {
        printf("%s (quantile type %d%s)\n", value, qtype,
               qtype == RK_QUANTILE_DEFAULT ? " = SAS QNTLDEF=5" : "");
        printf("%-12s %6s %10s %10s %10s %10s %10s %10s %10s\n", "group", "n", "mean", "sd",
               "median", "q1", "q3", "min", "max");
        for (size_t j = 0; j < g->k; j++) {
            char c[8][32];
            const double v[8] = {s[j].mean, s[j].sd,  s[j].median, s[j].q1,
                                 s[j].q3,   s[j].min, s[j].max,    0};
            for (int i = 0; i < 7; i++)
                rk__fmt_num(c[i], sizeof c[i], v[i], 6);
            printf("%-12s %6zu %10s %10s %10s %10s %10s %10s %10s\n", g->level[j], s[j].n, c[0],
                   c[1], c[2], c[3], c[4], c[5], c[6]);
        }
        if (g->n_missing) printf("%zu rows with missing values not summarised\n", g->n_missing);
    }
    free(s);
    return rc;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort v[0..m-1] (C locale) and drop repeats; returns the number of distinct strings. */
static size_t sort_unique(const char **v, size_t m)
{
    qsort(v, m, sizeof *v, cmp_cstr);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (!k || strcmp(v[k - 1], v[i])) v[k++] = v[i];
    return k;
}

/* Index of s in v[0..m-1]: binary search when sorted, else a scan; m when absent. */
static size_t find_str(const char **v, size_t m, int sorted, const char *s)
{
    if (sorted) {
        const char **hit = bsearch(&s, v, m, sizeof *v, cmp_cstr);
        return hit ? (size_t)(hit - v) : m;
    }
    size_t j = 0;
    while (j < m && strcmp(v[j], s))
        j++;
    return j;
}

/* n (%) of each category of column vc, per group (percent of non-missing). Distinct values are
 * found by sorting, rows matched by binary search: a column of unique IDs given by mistake must not
 * take quadratic time. */
static int describe_categorical(const rk_table *t, size_t vc, long gc, const char *levels,
                                rk__format fmt)
{
    size_t nrow = rk_table_nrows(t), ncat = 0, ngrp = 0;
    const char **cat = calloc(nrow + 1, sizeof *cat), **grp = calloc(nrow + 1, sizeof *grp);
    size_t *count = NULL, *miss = NULL, *ntot = NULL;
    int rc = RK_EXIT_FAIL, grp_sorted = 0;
    if (!cat || !grp) goto oom;
    if (gc < 0) {
        grp[ngrp++] = "all";
    } else if (levels) {
        /* the user's groups, in the user's order; each must occur in the data, once */
        const char *p = levels;
        for (;;) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len == 0) { /* "A," would make a column of the rows with no group */
                fprintf(stderr, "rctkit describe: --levels: empty level in '%s'\n", levels);
                rc = RK_EXIT_USAGE;
                goto out;
            }
            const char *hit = NULL;
            for (size_t i = 0; i < nrow && !hit; i++) {
                const char *c = rk_table_cell(t, i, (size_t)gc);
                if (!rk_cell_is_missing(c) && strlen(c) == len && !strncmp(c, p, len)) hit = c;
            }
            if (!hit) {
                fprintf(stderr, "rctkit describe: --levels: no rows have group '%.*s'\n", (int)len,
                        p);
                rc = RK_EXIT_USAGE;
                goto out;
            }
            if (find_str(grp, ngrp, 0, hit) < ngrp) {
                fprintf(stderr, "rctkit describe: --levels: group '%s' given twice\n", hit);
                rc = RK_EXIT_USAGE;
                goto out;
            }
            grp[ngrp++] = hit; /* distinct and present: at most nrow of them */
            if (!e) break;
            p = e + 1;
        }
    } else {
        for (size_t i = 0; i < nrow; i++) {
            const char *c = rk_table_cell(t, i, (size_t)gc);
            if (!rk_cell_is_missing(c)) grp[ngrp++] = c;
        }
        ngrp = sort_unique(grp, ngrp);
        grp_sorted = 1;
    }
    for (size_t i = 0; i < nrow; i++) {
        const char *c = rk_table_cell(t, i, vc);
        if (!rk_cell_is_missing(c)) cat[ncat++] = c;
    }
    ncat = sort_unique(cat, ncat);
    if (ngrp && ncat + 1 > SIZE_MAX / sizeof *count / ngrp) goto oom;
    count = calloc((ncat + 1) * ngrp, sizeof *count);
    miss = calloc(ngrp + 1, sizeof *miss);
    ntot = calloc(ngrp + 1, sizeof *ntot);
    if (!count || !miss || !ntot) goto oom;
    for (size_t i = 0; i < nrow; i++) {
        size_t j = 0;
        if (gc >= 0) {
            j = find_str(grp, ngrp, grp_sorted, rk_table_cell(t, i, (size_t)gc));
            if (j == ngrp) continue;
        }
        const char *c = rk_table_cell(t, i, vc);
        if (rk_cell_is_missing(c)) {
            miss[j]++;
            continue;
        }
        count[find_str(cat, ncat, 1, c) * ngrp + j]++;
        ntot[j]++;
    }
    if (fmt == RK_FMT_JSON) {
        json_t *o = json_object(), *arr = json_array();
        json_object_set_new(o, "variable", json_string(rk_table_colname(t, vc)));
        json_object_set_new(o, "type", json_string("categorical"));
        for (size_t j = 0; j < ngrp; j++) {
            size_t n = ntot[j];
            json_t *r = json_object(), *lv = json_array();
            json_object_set_new(r, "group", json_string(grp[j]));
            json_object_set_new(r, "n", json_integer((json_int_t)n));
            json_object_set_new(r, "missing", json_integer((json_int_t)miss[j]));
            for (size_t k = 0; k < ncat; k++) {
                size_t c = count[k * ngrp + j];
                json_array_append_new(
                    lv, json_pack("{s:s,s:I,s:o}", "level", cat[k], "count", (json_int_t)c,
                                  "percent", rk__jnum(n ? 100.0 * (double)c / (double)n : NAN)));
            }
            json_object_set_new(r, "levels", lv);
            json_array_append_new(arr, r);
        }
        json_object_set_new(o, "groups", arr);
        rc = rk__print_json(o);
    } else {
        printf("%s, n (%%) of non-missing values\n%-20s", rk_table_colname(t, vc), "level");
        for (size_t j = 0; j < ngrp; j++)
            printf(" %18s", grp[j]);
        printf("\n");
        for (size_t k = 0; k < ncat; k++) {
            printf("%-20s", cat[k]);
            for (size_t j = 0; j < ngrp; j++) {
                size_t n = ntot[j], c = count[k * ngrp + j];
                char cell[48];
                snprintf(cell, sizeof cell, "%zu (%.2f%%)", c,
                         n ? 100.0 * (double)c / (double)n : 0.0);
                printf(" %18s", cell);
            }
            printf("\n");
        }
        printf("%-20s", "missing");
        for (size_t j = 0; j < ngrp; j++)
            printf(" %18zu", miss[j]);
        printf("\n");
        rc = RK_EXIT_OK;
    }
    goto out;
oom:
    fprintf(stderr, "rctkit describe: out of memory\n");
    rc = RK_EXIT_FAIL;
out:
    free(cat);
    free(grp);
    free(count);
    free(miss);
    free(ntot);
    return rc;
}

/* 1 when every non-missing cell of column c parses as a number, 0 when fewer than 90% do
 * (categorical).  In between, a mostly numeric column with a few bad cells (`1e999`, `12,5`, a
 * typo): -1 with *bad the first bad row and *n_num, *n_all the counts, so that the caller refuses
 * rather than silently switching to n (%). */
static int column_kind(const rk_table *t, size_t c, size_t *bad, size_t *n_num, size_t *n_all)
{
    size_t num = 0, all = 0, first = 0;
    for (size_t i = 0; i < rk_table_nrows(t); i++) {
        const char *s = rk_table_cell(t, i, c);
        double v;
        if (rk_cell_is_missing(s)) continue;
        all++;
        if (rk_parse_number(s, &v, NULL) == RK_OK)
            num++;
        else if (all - num == 1)
            first = i;
    }
    *bad = first, *n_num = num, *n_all = all;
    if (num == all) return 1;
    return 10 * num >= 9 * all ? -1 : 0; /* >= 90% numbers: a few bad cells, not categories */
}

int rk__cmd_describe(int argc, char **argv)
{
    const char *cmd = "describe";
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, describe_opts, NOPTS(describe_opts), argc, argv, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        rk__print_usage(
            stdout,
            "rctkit describe (--x LIST | --data FILE.csv --value COL [--group COL]) [options]",
            "Descriptive summary: n, mean, SD (n-1), median, quartiles, min, max for "
            "numbers;\nn (%) of non-missing values for categories. Missing: empty, NA "
            "or '.'.\nA column of numbers with a few cells that are not numbers "
            "(>= 90% numbers) is refused,\nnaming the first bad cell; --categorical "
            "counts its values instead.",
            describe_opts, NOPTS(describe_opts));
        return RK_EXIT_OK;
    }
    rk__format fmt;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) return fail(cmd, &err, st);
    int qtype = RK_QUANTILE_DEFAULT;
    const char *qs = rk__arg(&a, "quantile-type");
    if (qs) {
        if (strlen(qs) != 1 || qs[0] < '1' || qs[0] > '9') {
            rk_error_set(&err, RK_EINVAL, "--quantile-type must be 1 to 9, not '%s'", qs);
            return fail(cmd, &err, RK_EINVAL);
        }
        qtype = qs[0] - '0';
    }
    const char *data = rk__arg(&a, "data"), *xs = rk__arg(&a, "x");
    if (!!data == !!xs) {
        rk_error_set(&err, RK_EINVAL, "give either --x LIST or --data FILE.csv --value COL");
        return fail(cmd, &err, RK_EINVAL);
    }
    if (xs && rk__flag(&a, "categorical")) {
        rk_error_set(&err, RK_EINVAL, "--categorical applies to --data FILE.csv --value COL");
        return fail(cmd, &err, RK_EINVAL);
    }
    rk__groups g;
    memset(&g, 0, sizeof g);
    if (xs) {
        double *v;
        size_t n, miss;
        if ((st = rk__parse_list(xs, "x", &v, &n, &miss, &err))) return fail(cmd, &err, st);
        char *lv = strdup("x");
        double **vv = malloc(sizeof *vv);
        size_t *nn = malloc(sizeof *nn);
        char **ll = malloc(sizeof *ll);
        if (!lv || !vv || !nn || !ll) {
            free(v), free(lv), free(vv), free(nn), free(ll);
            return RK_EXIT_FAIL;
        }
        ll[0] = lv, vv[0] = v, nn[0] = n;
        g.k = 1, g.level = ll, g.value = vv, g.n = nn, g.n_missing = miss;
        int rc = describe_numeric(&g, "x", qtype, fmt, cmd);
        rk__groups_free(&g);
        return rc;
    }
    const char *value = rk__arg(&a, "value"), *group = rk__arg(&a, "group");
    if (!value) {
        rk_error_set(&err, RK_EINVAL, "--data needs --value COLUMN");
        return fail(cmd, &err, RK_EINVAL);
    }
    rk_table *t;
    if ((st = rk_csv_read(data, &t, &err))) return fail(cmd, &err, st);
    size_t vc, gcol = 0;
    if ((st = rk_table_column(t, value, &vc, &err)) ||
        (group && (st = rk_table_column(t, group, &gcol, &err)))) {
        rk_table_free(t);
        return fail(cmd, &err, st);
    }
    int rc, kind = 0;
    size_t bad = 0, n_num = 0, n_all = 0;
    if (!rk__flag(&a, "categorical")) kind = column_kind(t, vc, &bad, &n_num, &n_all);
    if (kind < 0) {
        rk_error_set(&err, RK_EINVAL,
                     "%s:%zu:%zu: '%.40s' in column '%s' is not a number, but %zu of its %zu "
                     "non-missing values are: correct the cell (a decimal point, not a comma; "
                     "numbers up to 1.8e308), mark it missing (NA), or give --categorical to "
                     "count every value as a category, n (%%)",
                     rk_table_source(t), rk_table_line(t, bad), vc + 1, rk_table_cell(t, bad, vc),
                     value, n_num, n_all);
        rk_table_free(t);
        return fail(cmd, &err, RK_EINVAL);
    }
    if (kind > 0) {
        rk_table_free(t);
        if ((st = rk__read_groups(data, value, group, rk__arg(&a, "levels"), &g, &err)))
            return fail(cmd, &err, st);
        rc = describe_numeric(&g, value, qtype, fmt, cmd);
        rk__groups_free(&g);
    } else {
        rc = describe_categorical(t, vc, group ? (long)gcol : -1, rk__arg(&a, "levels"), fmt);
        rk_table_free(t);
    }
    return rc;
}

/* ---------------------------------------------------------------- ci */

static const rk__opt ci_opts[] = {
    {"x", "LIST", "values, comma-separated (NA = missing)"},
    {"data", "FILE.csv", "read the values from a CSV file"},
    {"value", "COL", "column holding the values"},
    {"quantile", "P", "which quantile (default 0.5, the median)"},
    {"conf-level", "NUM", "confidence level (default 0.95)"},
    {"format", "FMT", "text (default) or json"},
};

int rk__cmd_ci(int argc, char **argv)
{
    const char *cmd = "ci median";
    if (argc < 1 || strcmp(argv[0], "median") != 0) {
        if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
            printf("usage: rctkit ci median [options]   (rctkit ci median --help)\n");
            return RK_EXIT_OK;
        }
        fprintf(stderr, "usage: rctkit ci median [options]   (rctkit ci median --help)\n");
        return RK_EXIT_USAGE;
    }
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, ci_opts, NOPTS(ci_opts), argc - 1, argv + 1, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        rk__print_usage(stdout,
                        "rctkit ci median (--x LIST | --data FILE.csv --value COL) [--quantile P] "
                        "[--conf-level NUM]",
                        "Distribution-free confidence interval for the median or any quantile "
                        "(Hahn & Meeker):\norder statistics X(l), X(u) chosen from the "
                        "binomial distribution; the achieved coverage is printed.",
                        ci_opts, NOPTS(ci_opts));
        return RK_EXIT_OK;
    }
    rk__format fmt;
    double p = 0.5, level = 0.95;
    const char *s;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) return fail(cmd, &err, st);
    if ((s = rk__arg(&a, "quantile")) && (st = rk__parse_option_number(s, "quantile", &p, &err)))
        return fail(cmd, &err, st);
    if ((s = rk__arg(&a, "conf-level")) &&
        (st = rk__parse_option_number(s, "conf-level", &level, &err)))
        return fail(cmd, &err, st);
    const char *data = rk__arg(&a, "data"), *xs = rk__arg(&a, "x");
    if (!!data == !!xs) {
        rk_error_set(&err, RK_EINVAL, "give either --x LIST or --data FILE.csv --value COL");
        return fail(cmd, &err, RK_EINVAL);
    }
    rk__groups g;
    double *x = NULL;
    size_t n = 0;
    if (xs) {
        if ((st = rk__parse_list(xs, "x", &x, &n, NULL, &err))) return fail(cmd, &err, st);
    } else {
        if (!rk__arg(&a, "value")) {
            rk_error_set(&err, RK_EINVAL, "--data needs --value COLUMN");
            return fail(cmd, &err, RK_EINVAL);
        }
        if ((st = rk__read_groups(data, rk__arg(&a, "value"), NULL, NULL, &g, &err)))
            return fail(cmd, &err, st);
        x = g.value[0];
        n = g.n[0];
        g.value[0] = NULL;
        rk__groups_free(&g);
    }
    rk_quantile_ci q;
    st = rk_quantile_conf_int(x, n, p, level, &q, &err);
    free(x);
    if (st) return fail(cmd, &err, st);
    if (fmt == RK_FMT_JSON) {
        json_t *o = json_object();
        json_object_set_new(o, "method",
                            json_string("distribution-free quantile CI (Hahn & Meeker)"));
        json_object_set_new(o, "quantile", json_real(p));
        json_object_set_new(o, "n", json_integer((json_int_t)n));
        json_object_set_new(o, "estimate", rk__jnum(q.estimate));
        json_object_set_new(o, "conf_int", json_pack("[oo]", rk__jnum(q.lower), rk__jnum(q.upper)));
        json_object_set_new(o, "conf_level", json_real(level));
        json_object_set_new(o, "order_statistics",
                            json_pack("[II]", (json_int_t)q.l, (json_int_t)q.u));
        json_object_set_new(o, "coverage", rk__jnum(q.coverage));
        return rk__print_json(o);
    }
    char e[32], lo[32], hi[32], cov[32], lv[32];
    rk__fmt_num(e, sizeof e, q.estimate, 7);
    rk__fmt_num(lo, sizeof lo, q.lower, 7);
    rk__fmt_num(hi, sizeof hi, q.upper, 7);
    rk__fmt_num(cov, sizeof cov, q.coverage, 6);
    rk__fmt_num(lv, sizeof lv, 100 * level, 6);
    printf("Distribution-free confidence interval for the %g quantile (Hahn & Meeker)\n", p);
    printf("data: x (n = %zu)\nestimate: %s\n", n, e);
    printf("%s%% confidence interval: %s to %s (order statistics %zu and %zu, coverage %s)\n", lv,
           lo, hi, q.l, q.u, cov);
    return RK_EXIT_OK;
}
