/* `rctkit model MODEL`: build a model frame from CSV + formula, fit, print a coefficient table or
 * JSON. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_model.h"
#include "cli/cmd_survival.h"
#include "rctkit/data.h"
#include "rctkit/models.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_LIST 32

static const rk__opt model_opts[] = {
    {"data", "FILE.csv", "data set, one row per patient (or per cell with --weight)"},
    {"formula", "F", "\"y ~ group + baseline + center\"; factor(col), (1 | center) (mixed)"},
    {"reference", "VAR=LEVEL,...", "reference levels (default: first in sorted order)"},
    {"levels", "VAR=L1,L2,...",
     "outcome level order (ordinal; logistic: event 2nd); ';' between vars"},
    {"weight", "COL", "frequency weights (linear, logistic, ordinal): one row per cell"},
    {"ci", "METHOD", "wald (default) or profile (logistic, ordinal)"},
    {"conf-level", "P", "confidence level (default 0.95)"},
    {"convention", "C", "ordinal: sas (default, OR of a lower category) or r (MASS::polr)"},
    {"ml", NULL, "mixed: maximum likelihood instead of REML"},
    RK__SURV_OPTS, /* cox: --time, --event, --died, --death-time, --followup, --death-rule */
    {"strata", "COL", "cox: separate baseline hazard per level (e.g. center)"},
    {"ties", "METHOD", "cox: efron (default, as R) or breslow"},
    {"group", "TERM", "linear: categorical term for LS means (default: the first)"},
    {"max-columns", "N", "refuse designs with more fixed-effect columns (default 2000)"},
    {"format", "FMT", "text (default) or json"},
};

/* What a model's fit function gets. */
typedef struct model_ctx {
    const rk_table *table;
    const rk_design *design;
    const rk__args *args;
    double conf_level;
    int profile; /* --ci profile */
    char *rule;  /* cox with --died: how deaths were handled (filled by fit_cox) */
    size_t rule_size;
    json_t **rule_json; /* the same as JSON (fit_cox sets it; the caller frees it) */
} model_ctx;

typedef rk_status (*model_fit_fn)(const model_ctx *c, rk_fit **out, rk_error *err);

/* One row per model: adding a model is one entry here plus its fit function. */
typedef struct model_entry {
    const char *name;
    const char *title; /* heading of the text output */
    rk_response_kind response;
    const char *about;
    model_fit_fn fit;
} model_entry;

static rk_status fit_linear(const model_ctx *c, rk_fit **out, rk_error *err)
{
    if (c->profile)
        return rk_error_set(err, RK_EINVAL, "--ci profile: linear models use exact t intervals");
    return rk_linear_fit(c->design, rk__arg(c->args, "group"), c->conf_level, out, err);
}

static rk_status fit_logistic(const model_ctx *c, rk_fit **out, rk_error *err)
{
    return rk_logistic_fit(c->design, c->conf_level, c->profile ? RK_CI_PROFILE : RK_CI_WALD, out,
                           err);
}

static rk_status fit_ordinal(const model_ctx *c, rk_fit **out, rk_error *err)
{
    rk_ordinal_opts o;
    rk_ordinal_opts_init(&o);
    o.conf_level = c->conf_level;
    o.ci = c->profile ? RK_ORDINAL_CI_PROFILE : RK_ORDINAL_CI_WALD;
    const char *conv = rk__arg(c->args, "convention");
    if (conv && !strcmp(conv, "r"))
        o.convention = RK_ORDINAL_R;
    else if (conv && strcmp(conv, "sas") != 0)
        return rk_error_set(err, RK_EINVAL, "--convention must be sas or r, not '%s'", conv);
    return rk_ordinal_fit(c->design, &o, out, err);
}

static rk_status fit_mixed(const model_ctx *c, rk_fit **out, rk_error *err)
{
    if (c->profile) return rk_error_set(err, RK_EINVAL, "--ci profile is not available for mixed");
    rk_mixed_opts o;
    rk_mixed_opts_init(&o);
    o.ml = rk__flag(c->args, "ml");
    o.conf_level = c->conf_level;
    return rk_mixed_fit(c->design, &o, out, err);
}

static rk_status fit_cox(const model_ctx *c, rk_fit **out, rk_error *err)
{
    const rk_design *d = c->design;
    if (c->profile) return rk_error_set(err, RK_EINVAL, "--ci profile is not available for cox");
    if (d->weight)
        return rk_error_set(err, RK_EINVAL,
                            "--weight is not available for cox (case weights are not "
                            "implemented): give one row per patient");
    rk_cox_options o;
    rk_cox_options_init(&o);
    o.conf_level = c->conf_level;
    const char *ties = rk__arg(c->args, "ties"), *strata = rk__arg(c->args, "strata");
    rk_status st = ties ? rk_cox_ties_parse(ties, &o.ties, err) : RK_OK;
    if (st) return st;
    if (!rk__arg(c->args, "time") || !rk__arg(c->args, "event"))
        return rk_error_set(err, RK_EINVAL, "cox needs --%s COL",
                            rk__arg(c->args, "time") ? "event" : "time");
    size_t n = d->n, p = d->p, j0 = 0;
    if (p > 0 && !strcmp(d->colnames[0], "(Intercept)")) j0 = 1; /* Cox has no intercept */
    size_t q = p - j0;
    rk__surv_data sd;
    rk__factor sf = {0};
    double *X = NULL;
    size_t *sidx = NULL;
    const char **names = calloc(q ? q : 1, sizeof *names);
    if (!names) return rk_error_set(err, RK_ENOMEM, "out of memory");
    if ((st = rk__surv_read(c->table, c->args, d->source_row, n, &sd, err))) {
        free(names);
        return st;
    }
    size_t nx = sd.n * q, m = 0, dropped = sd.n_dropped;
    X = malloc((nx > 0 ? nx : 1) * sizeof *X);
    sidx = malloc((sd.n ? sd.n : 1) * sizeof *sidx);
    if (!X || !sidx) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    if (strata && (st = rk__factor_read(c->table, strata, NULL, &sf, err))) goto done;
    for (size_t i = 0; i < sd.n; i++) { /* compact: drop rows with a missing stratum */
        if (strata && sf.idx[sd.row[i]] < 0) {
            dropped++;
            continue;
        }
        sd.time[m] = sd.time[i];
        sd.event[m] = sd.event[i];
        sidx[m] = strata ? (size_t)sf.idx[sd.row[i]] : 0;
        for (size_t j = 0; j < q; j++)
            X[m * q + j] = d->X[sd.pos[i] * p + j0 + j];
        m++;
    }
    for (size_t j = 0; j < q; j++)
        names[j] = d->colnames[j0 + j];
    st = rk_cox_fit(sd.time, sd.event, X, m, q, names, strata ? sidx : NULL, &o, out, err);
    if (!st) {
        (*out)->n_dropped += dropped;
        if (strata) {
            char *cv = (*out)->convention;
            size_t len = strlen(cv);
            snprintf(cv + len, sizeof((*out)->convention) - len, "; strata(%s)", strata);
        }
        rk__surv_rule_text(&sd, c->args, c->rule, c->rule_size);
        *c->rule_json = rk__surv_rule_json(&sd, c->args);
    }
done:
    rk__surv_data_free(&sd);
    rk__factor_free(&sf);
    free(X);
    free(sidx);
    free(names);
    return st;
}

static const model_entry models[] = {
    {"linear", "Linear regression (least squares)", RK_RESPONSE_NUMERIC,
     "linear regression / ANCOVA (least squares, t tests, LS means)", fit_linear},
    {"logistic", "Logistic regression", RK_RESPONSE_FACTOR,
     "binary logistic regression (odds ratios)", fit_logistic},
    {"ordinal", "Proportional-odds model", RK_RESPONSE_FACTOR,
     "proportional-odds (cumulative logit) model", fit_ordinal},
    {"mixed", "Linear mixed model", RK_RESPONSE_NUMERIC,
     "linear mixed model with a random intercept (REML)", fit_mixed},
    {"cox", "Cox proportional hazards", RK_RESPONSE_NUMERIC,
     "Cox proportional hazards (--time, --event, formula \"~ group\")", fit_cox},
};

static void model_usage(FILE *f)
{
    fprintf(f, "usage: rctkit model MODEL --data FILE.csv --formula F [options]\n\nmodels:\n");
    for (size_t i = 0; i < NOPTS(models); i++)
        fprintf(f, "  %-10s %s\n", models[i].name, models[i].about);
    fprintf(f, "\nRun 'rctkit model MODEL --help' for the options.\n");
}

static int fail(const char *cmd, const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit model %s: %s\n", cmd, err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

/* Split "a=1,b=2" into items that each contain '=' (a piece without '=' belongs
 * to the previous item, so "score=1,2,3" stays whole); ';' always splits. */
static size_t split_assignments(char *s, const char **items, size_t max)
{
    size_t k = 0;
    char *p = s;
    while (*p && k < max) {
        char *start = p;
        char *end = p;
        while (*end) {
            if (*end == ';') break;
            if (*end == ',') {
                const char *nx = end + 1;
                size_t len = strcspn(nx, ",;");
                const char *eq = memchr(nx, '=', len);
                if (eq) break;
            }
            end++;
        }
        char c = *end;
        *end = '\0';
        if (*start) items[k++] = start;
        if (!c) break;
        p = end + 1;
    }
    return k;
}

static const char *ratio_name(const rk_fit *f)
{
    if (!strcmp(f->model, "cox")) return "hazard_ratio";
    if (!strcmp(f->model, "logistic") || !strcmp(f->model, "ordinal")) return "odds_ratio";
    return NULL;
}

static int print_fit_json(const rk_fit *f, const char *formula, const char *data, double level,
                          json_t *rule)
{
    json_t *o = json_object(), *arr = json_array();
    json_object_set_new(o, "model", json_string(f->model));
    json_object_set_new(o, "convention", json_string(f->convention));
    json_object_set_new(o, "formula", json_string(formula));
    json_object_set_new(o, "data", json_string(data));
    if (rule) json_object_set(o, "death_rule", rule);
    json_object_set_new(o, "n", json_integer((json_int_t)f->n));
    json_object_set_new(o, "n_dropped", json_integer((json_int_t)f->n_dropped));
    json_object_set_new(o, "converged", json_boolean(f->converged));
    json_object_set_new(o, "iterations", json_integer(f->iterations));
    json_object_set_new(o, "log_likelihood", rk__jnum(f->log_likelihood));
    json_object_set_new(o, "deviance", rk__jnum(f->deviance));
    json_object_set_new(o, "ci_method", json_string(f->ci_method));
    json_object_set_new(o, "conf_level", json_real(level));
    const char *rn = ratio_name(f);
    for (size_t j = 0; j < f->n_coef; j++) {
        const rk_coef *c = &f->coef[j];
        json_t *r = json_object();
        json_object_set_new(r, "term", json_string(c->term));
        json_object_set_new(r, "estimate", rk__jnum(c->estimate));
        json_object_set_new(r, "std_error", rk__jnum(c->std_error));
        json_object_set_new(r, "statistic", rk__jnum(c->statistic));
        if (!isnan(c->df)) json_object_set_new(r, "df", rk__jnum(c->df));
        json_object_set_new(r, "conf_int",
                            json_pack("[oo]", rk__jnum(c->conf_int[0]), rk__jnum(c->conf_int[1])));
        json_object_set_new(r, "p_value", rk__jnum(c->p_value));
        if (rn && !isnan(c->ratio) && strcmp(c->term, "(Intercept)") != 0) {
            char key[48];
            json_object_set_new(r, rn, rk__jnum(c->ratio));
            snprintf(key, sizeof key, "%s_conf_int", rn);
            json_object_set_new(
                r, key,
                json_pack("[oo]", rk__jnum(c->ratio_conf_int[0]), rk__jnum(c->ratio_conf_int[1])));
        }
        json_array_append_new(arr, r);
    }
    json_object_set_new(o, "coefficients", arr);
    json_t *ex = json_object();
    for (size_t i = 0; i < f->n_extra; i++)
        json_object_set_new(ex, f->extra[i].name, rk__jnum(f->extra[i].value));
    json_object_set_new(o, "extra", ex);
    if (f->note[0]) json_object_set_new(o, "note", json_string(f->note));
    return rk__print_json(o);
}

static void print_fit_text(const rk_fit *f, const char *about, const char *formula,
                           const char *data, double level, const char *rule)
{
    char a[64], b[64], lv[32];
    printf("%s: %s\n", about, formula);
    printf("data: %s, n = %zu used, %zu dropped for missing values\n", data, f->n, f->n_dropped);
    printf("convention: %s\n", f->convention);
    if (rule[0]) printf("%s\n", rule);
    if (f->iterations > 0 || strcmp(f->model, "linear") != 0)
        printf("%s after %d iterations; ", f->converged ? "converged" : "NOT converged",
               f->iterations);
    rk__fmt_num(a, sizeof a, f->log_likelihood, 8);
    printf("log-likelihood = %s\n\n", a);
    size_t w = 4;
    for (size_t j = 0; j < f->n_coef; j++)
        if (strlen(f->coef[j].term) > w) w = strlen(f->coef[j].term);
    rk__fmt_num(lv, sizeof lv, 100 * level, 6);
    const char *rn = ratio_name(f);
    int is_t = f->n_coef > 0 && !isnan(f->coef[0].df);
    char cih[96];
    snprintf(cih, sizeof cih, "%s%% CI (%s)", lv, f->ci_method);
    printf("%-*s %11s %11s %9s %11s  %-*s", (int)w, "term", "estimate", "std.error",
           is_t ? "t" : "z", "p-value", rn ? 25 : 0, cih);
    if (rn) printf(" %11s  %s", !strcmp(rn, "odds_ratio") ? "odds ratio" : "hazard ratio", cih);
    printf("\n");
    for (size_t j = 0; j < f->n_coef; j++) {
        const rk_coef *c = &f->coef[j];
        char e[32], s[32], z[32], p[32], ci[160];
        rk__fmt_num(e, sizeof e, c->estimate, 6);
        rk__fmt_num(s, sizeof s, c->std_error, 6);
        rk__fmt_num(z, sizeof z, c->statistic, 4);
        rk__fmt_num(p, sizeof p, c->p_value, 4);
        rk__fmt_num(a, sizeof a, c->conf_int[0], 6);
        rk__fmt_num(b, sizeof b, c->conf_int[1], 6);
        snprintf(ci, sizeof ci, "%s to %s", a, b);
        int show = rn && !isnan(c->ratio) && strcmp(c->term, "(Intercept)") != 0;
        printf("%-*s %11s %11s %9s %11s  %-*s", (int)w, c->term, e, s, z, p, show ? 25 : 0, ci);
        if (show) {
            rk__fmt_num(e, sizeof e, c->ratio, 6);
            rk__fmt_num(a, sizeof a, c->ratio_conf_int[0], 6);
            rk__fmt_num(b, sizeof b, c->ratio_conf_int[1], 6);
            printf(" %11s  %s to %s", e, a, b);
        }
        printf("\n");
    }
    if (f->n_extra) printf("\n");
    for (size_t i = 0; i < f->n_extra; i++) {
        rk__fmt_num(a, sizeof a, f->extra[i].value, 7);
        printf("%s = %s\n", f->extra[i].name, a);
    }
    if (f->note[0]) printf("note: %s\n", f->note);
}

int rk__cmd_model(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        model_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    const model_entry *m = NULL;
    for (size_t i = 0; i < NOPTS(models); i++)
        if (!strcmp(argv[0], models[i].name)) m = &models[i];
    if (!m) {
        fprintf(stderr, "rctkit model: unknown model '%s'\n\n", argv[0]);
        model_usage(stderr);
        return RK_EXIT_USAGE;
    }
    const char *cmd = m->name;
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, model_opts, NOPTS(model_opts), argc - 1, argv + 1, &err);
    if (st) return fail(cmd, &err, st);
    if (a.help) {
        char usage[128];
        snprintf(usage, sizeof usage, "rctkit model %s --data FILE.csv --formula F [options]",
                 m->name);
        rk__print_usage(stdout, usage, m->about, model_opts, NOPTS(model_opts));
        return RK_EXIT_OK;
    }
    rk__format fmt;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) return fail(cmd, &err, st);
    if (strcmp(m->name, "cox") != 0) {
        static const char *const cox_only[] = {"time",     "event",      "died",   "death-time",
                                               "followup", "death-rule", "strata", "ties"};
        for (size_t i = 0; i < NOPTS(cox_only); i++)
            if (rk__arg(&a, cox_only[i])) {
                rk_error_set(&err, RK_EINVAL, "--%s applies to cox, not %s", cox_only[i], m->name);
                return fail(cmd, &err, RK_EINVAL);
            }
    }
    const char *data = rk__arg(&a, "data"), *formula = rk__arg(&a, "formula");
    if (!data || !formula) {
        rk_error_set(&err, RK_EINVAL, "--data FILE.csv and --formula are required (see --help)");
        return fail(cmd, &err, RK_EINVAL);
    }
    double level = 0.95;
    const char *ls = rk__arg(&a, "conf-level");
    if (ls && (st = rk__parse_option_number(ls, "conf-level", &level, &err)))
        return fail(cmd, &err, st);
    const char *ci = rk__arg(&a, "ci");
    if (ci && strcmp(ci, "wald") != 0 && strcmp(ci, "profile") != 0) {
        rk_error_set(&err, RK_EINVAL, "--ci must be wald or profile, not '%s'", ci);
        return fail(cmd, &err, RK_EINVAL);
    }
    /* options split into lists (copies: argv stays intact) */
    char *refbuf = rk__arg(&a, "reference") ? strdup(rk__arg(&a, "reference")) : NULL;
    char *levbuf = rk__arg(&a, "levels") ? strdup(rk__arg(&a, "levels")) : NULL;
    const char *refs[MAX_LIST], *levs[MAX_LIST];
    rk_frame_opts fo = {0};
    fo.response_kind = m->response;
    fo.reference = refs;
    fo.n_reference = refbuf ? split_assignments(refbuf, refs, MAX_LIST) : 0;
    fo.levels = levs;
    fo.n_levels = 0;
    if (levbuf) { /* "score=1,2,3;arm=A,B": split at ';' only */
        char *p = levbuf;
        while (p && fo.n_levels < MAX_LIST) {
            char *semi = strchr(p, ';');
            if (semi) *semi = '\0';
            if (*p) levs[fo.n_levels++] = p;
            p = semi ? semi + 1 : NULL;
        }
    }
    fo.weight = rk__arg(&a, "weight");
    const char *mc = rk__arg(&a, "max-columns");
    if (mc) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(mc, &end, 10);
        if (mc[0] < '0' || mc[0] > '9' || *end || errno || v < 1 || v > 1000000) {
            rk_error_set(&err, RK_EINVAL,
                         "--max-columns must be a whole number from 1 to "
                         "1000000, not '%s'",
                         mc);
            free(refbuf);
            free(levbuf);
            return fail(cmd, &err, RK_EINVAL);
        }
        fo.max_columns = (size_t)v;
    }
    rk_table *t = NULL;
    rk_design *d = NULL;
    rk_fit *f = NULL;
    char rule[256] = "";
    json_t *rule_json = NULL;
    int rc;
    if ((st = rk_csv_read(data, &t, &err)) || (st = rk_design_new(t, formula, &fo, &d, &err))) {
        rc = fail(cmd, &err, st);
        goto done;
    }
    model_ctx c = {t, d, &a, level, ci && !strcmp(ci, "profile"), rule, sizeof rule, &rule_json};
    if ((st = m->fit(&c, &f, &err))) {
        rc = fail(cmd, &err, st);
        goto done;
    }
    if (fmt == RK_FMT_JSON) {
        rc = print_fit_json(f, formula, data, level, rule_json);
    } else {
        print_fit_text(f, m->title, formula, data, level, rule);
        rc = RK_EXIT_OK;
    }
done:
    json_decref(rule_json);
    rk_fit_free(f);
    rk_design_free(d);
    rk_table_free(t);
    free(refbuf);
    free(levbuf);
    return rc;
}
