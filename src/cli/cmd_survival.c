/* `rctkit survival km|logrank`: Kaplan-Meier curves with Greenwood SEs and medians, and the
 * (stratified) log-rank test, from a CSV file; also the reader of (time, event) columns with the
 * death-before-the-event rule that `rctkit model cox` shares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_survival.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

static const rk__opt surv_opts[] = {
    {"data", "FILE.csv", "data set, one row per patient"},
    RK__SURV_OPTS,
    {"group", "COL", "treatment arm (km: optional, one curve per level; logrank: required)"},
    {"levels", "A,B,...", "group order; only these levels are used (default: all, sorted)"},
    {"strata", "COL", "logrank: stratified test (e.g. center), risk sets within strata"},
    {"conf-level", "P", "km: confidence level (default 0.95)"},
    {"conf-type", "TYPE", "km: log (default, as R survfit), log-log or plain"},
    {"format", "FMT", "text (default) or json"},
};

/* ------------------------------------------------------------ reading */

/* Cell of `col` at table row r as a number: 0 = value in *v, 1 = missing; errors name the line. */
static rk_status cell_number(const rk_table *t, size_t r, size_t col, const char *opt, double *v,
                             int *missing, rk_error *err)
{
    const char *s = rk_table_cell(t, r, col);
    *missing = rk_cell_is_missing(s);
    if (*missing) return RK_OK;
    if (rk_parse_number(s, v, NULL) != RK_OK || !isfinite(*v))
        return rk_error_set(
            err, RK_EINVAL, "%s, line %zu: --%s column '%s' must be numeric, got '%s'",
            rk_table_source(t), rk_table_line(t, r), opt, rk_table_colname(t, col), s);
    return RK_OK;
}

static rk_status cell_flag(const rk_table *t, size_t r, size_t col, const char *opt, int *flag,
                           int *missing, rk_error *err)
{
    double v = 0;
    rk_status st = cell_number(t, r, col, opt, &v, missing, err);
    if (st || *missing) return st;
    if (v != 0 && v != 1)
        return rk_error_set(err, RK_EINVAL,
                            "%s, line %zu: --%s column '%s' must be 0 or 1, got '%s'",
                            rk_table_source(t), rk_table_line(t, r), opt, rk_table_colname(t, col),
                            rk_table_cell(t, r, col));
    *flag = (int)v;
    return RK_OK;
}

void rk__surv_data_free(rk__surv_data *s)
{
    if (!s) return;
    free(s->time);
    free(s->event);
    free(s->row);
    free(s->pos);
    memset(s, 0, sizeof *s);
}

rk_status rk__surv_read(const rk_table *t, const rk__args *a, const size_t *rows, size_t n_rows,
                        rk__surv_data *out, rk_error *err)
{
    memset(out, 0, sizeof *out);
    out->followup = NAN;
    const char *tname = rk__arg(a, "time"), *ename = rk__arg(a, "event");
    const char *dname = rk__arg(a, "died"), *dtname = rk__arg(a, "death-time");
    const char *fu = rk__arg(a, "followup"), *rule = rk__arg(a, "death-rule");
    if (!tname || !ename) return rk_error_set(err, RK_EINVAL, "needs --time COL and --event COL");
    if (!dname && (dtname || fu || rule))
        return rk_error_set(err, RK_EINVAL, "--%s needs --died COL (the death flag)",
                            dtname ? "death-time"
                            : fu   ? "followup"
                                   : "death-rule");
    rk_status st;
    if (dname) {
        if (!fu)
            return rk_error_set(err, RK_EINVAL,
                                "--died needs --followup T, the end of follow-up (e.g. 28)");
        if ((st = rk__parse_option_number(fu, "followup", &out->followup, err))) return st;
        if (!(out->followup > 0))
            return rk_error_set(err, RK_EINVAL, "--followup must be > 0, not '%s'", fu);
        if (rule && (st = rk_ttci_rule_parse(rule, &out->rule, err))) return st;
    }
    size_t tc, ec, dc = 0, dtc = 0;
    if ((st = rk_table_column(t, tname, &tc, err)) || (st = rk_table_column(t, ename, &ec, err)))
        return st;
    if (dname && (st = rk_table_column(t, dname, &dc, err))) return st;
    if (dtname && (st = rk_table_column(t, dtname, &dtc, err))) return st;
    size_t m = rows ? n_rows : rk_table_nrows(t), k = 0;
    double *dtime = malloc((m ? m : 1) * sizeof *dtime);
    int *died = malloc((m ? m : 1) * sizeof *died);
    out->time = malloc((m ? m : 1) * sizeof *out->time);
    out->event = malloc((m ? m : 1) * sizeof *out->event);
    out->row = malloc((m ? m : 1) * sizeof *out->row);
    out->pos = malloc((m ? m : 1) * sizeof *out->pos);
    if (!dtime || !died || !out->time || !out->event || !out->row || !out->pos) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    const char *src = rk_table_source(t);
    for (size_t i = 0; i < m; i++) {
        size_t r = rows ? rows[i] : i;
        double tv = 0, dt = NAN;
        int ev = 0, dead = 0, miss_t, miss_e, miss_d = 0, miss_dt = 0;
        if ((st = cell_number(t, r, tc, "time", &tv, &miss_t, err)) ||
            (st = cell_flag(t, r, ec, "event", &ev, &miss_e, err)))
            goto done;
        if (dname && (st = cell_flag(t, r, dc, "died", &dead, &miss_d, err))) goto done;
        if (dead && dtname && (st = cell_number(t, r, dtc, "death-time", &dt, &miss_dt, err)))
            goto done;
        if (dead && !dtname) dt = tv;
        if (miss_t || miss_e || miss_d || miss_dt) {
            out->n_dropped++;
            continue;
        }
        size_t line = rk_table_line(t, r);
        if (tv < 0) {
            st = rk_error_set(err, RK_EINVAL, "%s, line %zu: --time '%s' is negative (%g)", src,
                              line, tname, tv);
            goto done;
        }
        if (dname) {
            if (tv > out->followup || (dead && dt > out->followup)) {
                st = rk_error_set(
                    err, RK_EINVAL,
                    "%s, line %zu: %s %g is after the end of follow-up (--followup %g)", src, line,
                    tv > out->followup ? "time" : "death time", tv > out->followup ? tv : dt,
                    out->followup);
                goto done;
            }
            if (dead && dt < 0) {
                st = rk_error_set(err, RK_EINVAL, "%s, line %zu: death time %g is negative", src,
                                  line, dt);
                goto done;
            }
            if (dead && ev && dt < tv) {
                st =
                    rk_error_set(err, RK_EINVAL,
                                 "%s, line %zu: died (time %g) before the recorded event (time %g)",
                                 src, line, dt, tv);
                goto done;
            }
            if (dead && !ev) out->n_died++;
        }
        out->time[k] = tv;
        out->event[k] = ev;
        out->row[k] = r;
        out->pos[k] = i;
        died[k] = dead;
        dtime[k] = dt;
        k++;
    }
    out->n = k;
    if (dname && k > 0) {
        double *t2 = malloc(k * sizeof *t2);
        int *e2 = malloc(k * sizeof *e2);
        if (!t2 || !e2) {
            free(t2);
            free(e2);
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            goto done;
        }
        st = rk_ttci_events(out->time, out->event, died, dtime, k, out->followup, out->rule, t2, e2,
                            err);
        if (!st) {
            memcpy(out->time, t2, k * sizeof *t2);
            memcpy(out->event, e2, k * sizeof *e2);
        }
        free(t2);
        free(e2);
    }
done:
    free(dtime);
    free(died);
    if (st) rk__surv_data_free(out);
    return st;
}

void rk__surv_rule_text(const rk__surv_data *s, const rk__args *a, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *dname = rk__arg(a, "died");
    if (!dname) return;
    char fu[32];
    rk__fmt_num(fu, sizeof fu, s->followup, 10);
    switch (s->rule) {
    case RK_TTCI_DEATH_CENSORED_AT_DEATH:
        snprintf(buf, size,
                 "died without the event (%s): %zu, censored at the time of death "
                 "[--death-rule death]",
                 dname, s->n_died);
        break;
    case RK_TTCI_DEATH_NEVER_IMPROVES:
        snprintf(buf, size,
                 "died without the event (%s): %zu, never have it: kept at risk to the "
                 "end of follow-up, time %s [--death-rule never]",
                 dname, s->n_died, fu);
        break;
    default:
        snprintf(buf, size,
                 "died without the event (%s): %zu, censored at the end of follow-up, "
                 "time %s [--death-rule followup]",
                 dname, s->n_died, fu);
        break;
    }
}

json_t *rk__surv_rule_json(const rk__surv_data *s, const rk__args *a)
{
    if (!rk__arg(a, "died")) return NULL;
    json_t *d = json_object();
    json_object_set_new(d, "column", json_string(rk__arg(a, "died")));
    json_object_set_new(d, "rule",
                        json_string(s->rule == RK_TTCI_DEATH_CENSORED_AT_DEATH ? "death"
                                    : s->rule == RK_TTCI_DEATH_NEVER_IMPROVES  ? "never"
                                                                               : "followup"));
    json_object_set_new(d, "followup", rk__jnum(s->followup));
    json_object_set_new(d, "n_died_without_event", json_integer((json_int_t)s->n_died));
    return d;
}

void rk__factor_free(rk__factor *f)
{
    for (size_t j = 0; j < f->k; j++)
        free(f->name[j]);
    free(f->name);
    free(f->idx);
    memset(f, 0, sizeof *f);
}

static long factor_find(const rk__factor *f, const char *s)
{
    for (size_t j = 0; j < f->k; j++)
        if (!strcmp(f->name[j], s)) return (long)j;
    return -1;
}

static int factor_add(rk__factor *f, const char *s, size_t len)
{
    char **nn = realloc(f->name, (f->k + 1) * sizeof *nn);
    if (!nn) return -1;
    f->name = nn;
    if (!(f->name[f->k] = malloc(len + 1))) return -1;
    memcpy(f->name[f->k], s, len);
    f->name[f->k][len] = '\0';
    f->k++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    const char *name;
    size_t j; /* level index */
} name_ix;

static int cmp_ix(const void *a, const void *b)
{
    return strcmp(((const name_ix *)a)->name, ((const name_ix *)b)->name);
}

/* Both are numbers (checked by the caller). */
static int cmp_level(const void *a, const void *b)
{
    double u = 0, v = 0;
    rk_parse_number(*(char *const *)a, &u, NULL);
    rk_parse_number(*(char *const *)b, &v, NULL);
    return (u > v) - (u < v);
}

rk_status rk__factor_read(const rk_table *t, const char *name, const char *levels, rk__factor *f,
                          rk_error *err)
{
    memset(f, 0, sizeof *f);
    size_t col, n = rk_table_nrows(t);
    rk_status st = rk_table_column(t, name, &col, err);
    if (st) return st;
    if (!(f->idx = malloc((n ? n : 1) * sizeof *f->idx))) goto oom;
    if (levels) {
        for (const char *p = levels;;) {
            size_t len = strcspn(p, ",");
            if (len == 0)
                return rk_error_set(err, RK_EINVAL, "--levels: empty level in '%s'", levels);
            if (factor_add(f, p, len) < 0) goto oom;
            if (factor_find(f, f->name[f->k - 1]) != (long)(f->k - 1))
                return rk_error_set(err, RK_EINVAL, "--levels: level '%s' given twice",
                                    f->name[f->k - 1]);
            if (!p[len]) break;
            p += len + 1;
        }
    } else {
        /* distinct values by sorting the cells (searching the levels for every row was
         * quadratic: minutes for a column of subject IDs given as the group) */
        const char **all = malloc((n ? n : 1) * sizeof *all);
        if (!all) goto oom;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const char *c = rk_table_cell(t, i, col);
            if (!rk_cell_is_missing(c)) all[m++] = c;
        }
        if (m > 1) qsort(all, m, sizeof *all, cmp_str);
        int numeric = 1;
        for (size_t i = 0; i < m; i++) {
            if (i && !strcmp(all[i - 1], all[i])) continue;
            if (factor_add(f, all[i], strlen(all[i])) < 0) {
                free(all);
                goto oom;
            }
            double v;
            if (numeric && rk_parse_number(all[i], &v, NULL) != RK_OK) numeric = 0;
        }
        free(all);
        if (numeric && f->k > 1) qsort(f->name, f->k, sizeof *f->name, cmp_level);
    }
    /* rows matched to levels by binary search over the names */
    name_ix *ix = malloc((f->k ? f->k : 1) * sizeof *ix);
    if (!ix) goto oom;
    for (size_t j = 0; j < f->k; j++)
        ix[j] = (name_ix){f->name[j], j};
    if (f->k > 1) qsort(ix, f->k, sizeof *ix, cmp_ix);
    for (size_t i = 0; i < n; i++) {
        const char *s = rk_table_cell(t, i, col);
        name_ix key = {s, 0}, *hit = NULL;
        if (!rk_cell_is_missing(s) && f->k) hit = bsearch(&key, ix, f->k, sizeof *ix, cmp_ix);
        f->idx[i] = rk_cell_is_missing(s) ? -2 : hit ? (long)hit->j : -1;
    }
    free(ix);
    return RK_OK;
oom:
    return rk_error_set(err, RK_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------ output */

/* sig significant digits, but never an exponent for a number whose integer part has more
 * digits than that (366810, not 3.6681e+05); NA for NaN. */
static const char *fmt(char *buf, size_t size, double v, int sig)
{
    if (isnan(v))
        snprintf(buf, size, "NA");
    else if (isfinite(v) && fabs(v) >= pow(10.0, sig) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        rk__fmt_num(buf, size, v, sig);
    return buf;
}

typedef struct surv_ctx {
    const char *data, *group, *strata;
    const rk__args *a;
    const rk__factor *g;
    size_t n, n_dropped, n_left_out;
    const size_t *group_n; /* subjects per group */
    char rule[256];
} surv_ctx;

static void print_header(const surv_ctx *c, const char *title)
{
    printf("%s: time %s, event %s", title, rk__arg(c->a, "time"), rk__arg(c->a, "event"));
    if (c->group) printf(", by %s", c->group);
    if (c->strata) printf(", stratified by %s", c->strata);
    printf("\ndata: %s, n = %zu used, %zu dropped for missing values", c->data, c->n, c->n_dropped);
    if (c->n_left_out) printf(", %zu in levels not chosen", c->n_left_out);
    printf("\n");
    if (c->rule[0]) printf("%s\n", c->rule);
}

static void json_header(json_t *o, const surv_ctx *c, const char *method, const rk__surv_data *s)
{
    json_object_set_new(o, "method", json_string(method));
    json_object_set_new(o, "data", json_string(c->data));
    json_object_set_new(o, "time", json_string(rk__arg(c->a, "time")));
    json_object_set_new(o, "event", json_string(rk__arg(c->a, "event")));
    json_object_set_new(o, "group", c->group ? json_string(c->group) : json_null());
    json_object_set_new(o, "n", json_integer((json_int_t)c->n));
    json_object_set_new(o, "n_dropped", json_integer((json_int_t)c->n_dropped));
    json_t *d = rk__surv_rule_json(s, c->a);
    json_object_set_new(o, "death_rule", d ? d : json_null());
}

static int print_km(const rk_km *km, const surv_ctx *c, const rk__surv_data *s, rk__format f)
{
    char lv[32];
    rk__fmt_num(lv, sizeof lv, 100 * km->conf_level, 6);
    if (f == RK_FMT_JSON) {
        json_t *o = json_object(), *arr = json_array();
        json_header(o, c, "Kaplan-Meier", s);
        json_object_set_new(o, "conf_level", json_real(km->conf_level));
        json_object_set_new(o, "conf_type", json_string(rk_km_ci_name(km->conf_type)));
        for (size_t g = 0; g < km->n_groups; g++) {
            const rk_km_curve *k = &km->curve[g];
            json_t *go = json_object(), *tab = json_array();
            json_object_set_new(go, "level", json_string(c->g ? c->g->name[g] : "all"));
            json_object_set_new(go, "n", json_integer((json_int_t)k->n));
            json_object_set_new(go, "events", rk__jnum(k->n_events));
            json_object_set_new(go, "median", rk__jnum(k->median));
            json_object_set_new(
                go, "median_conf_int",
                json_pack("[oo]", rk__jnum(k->median_lower), rk__jnum(k->median_upper)));
            for (size_t i = 0; i < k->n_times; i++) {
                json_t *r = json_object();
                json_object_set_new(r, "time", rk__jnum(k->time[i]));
                json_object_set_new(r, "n_risk", rk__jnum(k->n_risk[i]));
                json_object_set_new(r, "n_event", rk__jnum(k->n_event[i]));
                json_object_set_new(r, "n_censor", rk__jnum(k->n_censor[i]));
                json_object_set_new(r, "survival", rk__jnum(k->surv[i]));
                json_object_set_new(r, "std_err", rk__jnum(k->std_err_surv[i]));
                json_object_set_new(r, "std_err_log", rk__jnum(k->std_err[i]));
                json_object_set_new(
                    r, "conf_int", json_pack("[oo]", rk__jnum(k->lower[i]), rk__jnum(k->upper[i])));
                json_array_append_new(tab, r);
            }
            json_object_set_new(go, "table", tab);
            json_array_append_new(arr, go);
        }
        json_object_set_new(o, "curves", arr);
        return rk__print_json(o);
    }
    print_header(c, "Kaplan-Meier estimate");
    printf("%s%% confidence intervals: %s (R survfit conf.type \"%s\"); std.err: Greenwood SE of "
           "S(t)\n\n",
           lv, rk_km_ci_name(km->conf_type), rk_km_ci_name(km->conf_type));
    size_t w = 5;
    for (size_t g = 0; c->g && g < km->n_groups; g++)
        if (strlen(c->g->name[g]) > w) w = strlen(c->g->name[g]);
    char a[32], b[32], d[32], e[32];
    printf("%-*s %7s %7s %9s %9s %9s\n", (int)w, c->g ? "group" : "", "n", "events", "median",
           "lower", "upper");
    for (size_t g = 0; g < km->n_groups; g++) {
        const rk_km_curve *k = &km->curve[g];
        printf("%-*s %7zu %7s %9s %9s %9s\n", (int)w, c->g ? c->g->name[g] : "all", k->n,
               fmt(a, sizeof a, k->n_events, 10), fmt(b, sizeof b, k->median, 7),
               fmt(d, sizeof d, k->median_lower, 7), fmt(e, sizeof e, k->median_upper, 7));
    }
    printf("(median time to the event with its %s%% CI, as R print.survfit; NA = not reached)\n",
           lv);
    for (size_t g = 0; g < km->n_groups; g++) {
        const rk_km_curve *k = &km->curve[g];
        if (c->g)
            printf("\n%s = %s\n", c->group, c->g->name[g]);
        else
            printf("\n");
        printf("%9s %7s %7s %9s %9s %9s %9s\n", "time", "n.risk", "n.event", "survival", "std.err",
               "lower", "upper");
        for (size_t i = 0; i < k->n_times; i++) {
            if (k->n_event[i] == 0) continue; /* event times, as summary.survfit */
            char t[32], r[32], ne[32], sv[32], se[32];
            printf("%9s %7s %7s %9s %9s %9s %9s\n", fmt(t, sizeof t, k->time[i], 7),
                   fmt(r, sizeof r, k->n_risk[i], 10), fmt(ne, sizeof ne, k->n_event[i], 10),
                   fmt(sv, sizeof sv, k->surv[i], 5), fmt(se, sizeof se, k->std_err_surv[i], 5),
                   fmt(a, sizeof a, k->lower[i], 5), fmt(b, sizeof b, k->upper[i], 5));
        }
    }
    return RK_EXIT_OK;
}

static int print_logrank(const rk_logrank *lr, const surv_ctx *c, const rk__surv_data *s,
                         rk__format f)
{
    size_t k = lr->n_groups;
    if (f == RK_FMT_JSON) {
        json_t *o = json_object(), *arr = json_array();
        json_header(o, c, "log-rank (R survdiff, rho = 0)", s);
        json_object_set_new(o, "strata", c->strata ? json_string(c->strata) : json_null());
        json_object_set_new(o, "n_strata", json_integer((json_int_t)lr->n_strata));
        json_object_set_new(o, "statistic", rk__jnum(lr->statistic));
        json_object_set_new(o, "df", rk__jnum(lr->df));
        json_object_set_new(o, "p_value", rk__jnum(lr->p_value));
        for (size_t j = 0; j < k; j++) {
            json_t *r = json_object();
            json_object_set_new(r, "level", json_string(c->g->name[j]));
            json_object_set_new(r, "n", json_integer((json_int_t)c->group_n[j]));
            json_object_set_new(r, "observed", rk__jnum(lr->observed[j]));
            json_object_set_new(r, "expected", rk__jnum(lr->expected[j]));
            json_object_set_new(r, "variance", rk__jnum(lr->variance[j * k + j]));
            json_array_append_new(arr, r);
        }
        json_object_set_new(o, "groups", arr);
        return rk__print_json(o);
    }
    print_header(c, "Log-rank test");
    printf("\n");
    size_t w = 5;
    for (size_t j = 0; j < k; j++)
        if (strlen(c->g->name[j]) > w) w = strlen(c->g->name[j]);
    printf("%-*s %7s %9s %9s %10s %10s\n", (int)w, "group", "N", "observed", "expected",
           "(O-E)^2/E", "(O-E)^2/V");
    for (size_t j = 0; j < k; j++) {
        char n1[32], n2[32], n3[32], n4[32];
        double oe = lr->observed[j] - lr->expected[j];
        printf("%-*s %7zu %9s %9s %10s %10s\n", (int)w, c->g->name[j], c->group_n[j],
               fmt(n1, sizeof n1, lr->observed[j], 10), fmt(n2, sizeof n2, lr->expected[j], 5),
               fmt(n3, sizeof n3, oe * oe / lr->expected[j], 4),
               fmt(n4, sizeof n4, oe * oe / lr->variance[j * k + j], 4));
    }
    char st[32], df[32], p[32];
    printf("\nchi-square = %s on %s df, p-value = %s\n", fmt(st, sizeof st, lr->statistic, 7),
           fmt(df, sizeof df, lr->df, 7), fmt(p, sizeof p, lr->p_value, 7));
    return RK_EXIT_OK;
}

/* ------------------------------------------------------------ command */

static void surv_usage(FILE *f)
{
    fprintf(f,
            "usage: rctkit survival ANALYSIS --data FILE.csv --time COL --event COL [options]\n"
            "\nanalyses:\n"
            "  km         Kaplan-Meier curves (Greenwood SE, log CI) and median with CI per group\n"
            "  logrank    log-rank test (R survdiff), stratified with --strata\n"
            "\nRun 'rctkit survival ANALYSIS --help' for the options.\n");
}

static int fail(const char *cmd, const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit survival %s: %s\n", cmd, err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

int rk__cmd_survival(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        surv_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    const char *cmd = argv[0];
    int is_km = !strcmp(cmd, "km");
    if (!is_km && strcmp(cmd, "logrank") != 0) {
        fprintf(stderr, "rctkit survival: unknown analysis '%s'\n\n", cmd);
        surv_usage(stderr);
        return RK_EXIT_USAGE;
    }
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, surv_opts, NOPTS(surv_opts), argc - 1, argv + 1, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        char usage[128];
        snprintf(usage, sizeof usage,
                 "rctkit survival %s --data FILE.csv --time COL --event COL [options]", cmd);
        rk__print_usage(stdout, usage,
                        is_km ? "Kaplan-Meier curves per group with Greenwood standard errors, "
                                "pointwise CIs and the median with its CI (R survfit)."
                              : "Log-rank test comparing the groups (R survdiff, rho = 0), "
                                "stratified with --strata.",
                        surv_opts, NOPTS(surv_opts));
        return RK_EXIT_OK;
    }
    rk__format f;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &f, &err))) return fail(cmd, &err, st);
    const char *data = rk__arg(&a, "data"), *group = rk__arg(&a, "group");
    const char *strata = rk__arg(&a, "strata"), *levels = rk__arg(&a, "levels");
    if (!data) {
        rk_error_set(&err, RK_EINVAL, "--data FILE.csv is required (see --help)");
        return fail(cmd, &err, RK_EINVAL);
    }
    const char *bad = NULL;
    if (is_km && strata) bad = "--strata applies to logrank, not km";
    if (!is_km && (rk__arg(&a, "conf-level") || rk__arg(&a, "conf-type")))
        bad = "--conf-level and --conf-type apply to km, not logrank";
    if (!is_km && !group) bad = "logrank needs --group COL";
    if (levels && !group) bad = "--levels needs --group COL";
    if (bad) {
        rk_error_set(&err, RK_EINVAL, "%s", bad);
        return fail(cmd, &err, RK_EINVAL);
    }
    double level = 0.95;
    rk_km_ci ctype = RK_KM_CI_LOG;
    const char *ls = rk__arg(&a, "conf-level"), *ct = rk__arg(&a, "conf-type");
    if ((ls && (st = rk__parse_option_number(ls, "conf-level", &level, &err))) ||
        (ct && (st = rk_km_ci_parse(ct, &ctype, &err))))
        return fail(cmd, &err, st);

    rk_table *t = NULL;
    rk__factor g = {0}, s = {0};
    rk__surv_data sd = {0};
    size_t *rows = NULL, *gi = NULL, *si = NULL, *gn = NULL;
    rk_km *km = NULL;
    rk_logrank *lr = NULL;
    int rc = RK_EXIT_OK;
    if ((st = rk_csv_read(data, &t, &err))) goto fail;
    if (group && (st = rk__factor_read(t, group, levels, &g, &err))) goto fail;
    if (strata && (st = rk__factor_read(t, strata, NULL, &s, &err))) goto fail;
    size_t nr = rk_table_nrows(t), m = 0, missing = 0, left_out = 0;
    rows = malloc((nr ? nr : 1) * sizeof *rows);
    gi = malloc((nr ? nr : 1) * sizeof *gi);
    si = malloc((nr ? nr : 1) * sizeof *si);
    gn = calloc(g.k ? g.k : 1, sizeof *gn);
    if (!rows || !gi || !si || !gn) {
        st = rk_error_set(&err, RK_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nr; i++) {
        if ((group && g.idx[i] == -2) || (strata && s.idx[i] == -2)) {
            missing++;
            continue;
        }
        if (group && g.idx[i] < 0) {
            left_out++;
            continue;
        }
        rows[m++] = i;
    }
    if ((st = rk__surv_read(t, &a, rows, m, &sd, &err))) goto fail;
    if (sd.n == 0) {
        st = rk_error_set(&err, RK_EINVAL, "%s: no rows left after dropping missing values", data);
        goto fail;
    }
    for (size_t i = 0; i < sd.n; i++) {
        gi[i] = group ? (size_t)g.idx[sd.row[i]] : 0;
        si[i] = strata ? (size_t)s.idx[sd.row[i]] : 0;
        if (group) gn[gi[i]]++;
    }
    for (size_t j = 0; j < g.k; j++)
        if (gn[j] == 0) {
            st = rk_error_set(&err, RK_EINVAL,
                              "%s: group '%s' of '%s' has no rows with a time and "
                              "event",
                              data, g.name[j], group);
            goto fail;
        }
    surv_ctx c = {data,     group, strata, &a, group ? &g : NULL, sd.n, missing + sd.n_dropped,
                  left_out, gn,    ""};
    rk__surv_rule_text(&sd, &a, c.rule, sizeof c.rule);
    if (is_km) {
        if ((st = rk_km_fit(sd.time, sd.event, group ? gi : NULL, sd.n, group ? g.k : 1, level,
                            ctype, &km, &err)))
            goto fail;
        rc = print_km(km, &c, &sd, f);
    } else {
        if ((st = rk_logrank_test(sd.time, sd.event, gi, sd.n, g.k, strata ? si : NULL,
                                  strata ? s.k : 0, &lr, &err)))
            goto fail;
        rc = print_logrank(lr, &c, &sd, f);
    }
    goto done;
fail:
    rc = fail(cmd, &err, st);
done:
    rk_km_free(km);
    rk_logrank_free(lr);
    rk__surv_data_free(&sd);
    rk__factor_free(&g);
    rk__factor_free(&s);
    free(rows);
    free(gi);
    free(si);
    free(gn);
    rk_table_free(t);
    return rc;
}
