/* rctkit models: model frames from formulas, and regression models (proportional
 * odds, logistic, linear/ANCOVA, linear mixed, Cox) plus Kaplan-Meier and log-rank.
 *
 * Work in progress (issue 3).  Shared types are fixed here; each model's entry
 * point is declared in its own section below.  Ownership: rk_design and rk_fit
 * objects returned by *_new / *_fit belong to the caller (rk_design_free,
 * rk_fit_free).  Like everything in librctkit: no aborts, no static state.
 */
#ifndef RCTKIT_MODELS_H
#define RCTKIT_MODELS_H

#include <stddef.h>

#include "rctkit/core.h"
#include "rctkit/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ model frame */

/* A numeric design built from a data table and a formula.  Rows with a missing
 * value in any variable the model uses are dropped and counted. */
typedef struct rk_design {
    size_t n;         /* rows used */
    size_t n_dropped; /* rows dropped for missing values */
    size_t p;         /* columns of X */
    double *X;        /* n x p, row-major; includes "(Intercept)" when the model has one */
    char **colnames;  /* p names: "(Intercept)", "groupUC-MSC" (treatment contrast), "age" */
    char **terms;     /* p: the formula term each column comes from ("group", "age") */
    char *response;   /* response variable name ("" for "~ x" survival formulas) */
    double *y;        /* n: numeric response; ordinal/binary: level index 0..n_levels-1 */
    size_t n_levels;  /* response levels for ordinal/binary responses (0 otherwise) */
    char **levels;    /* n_levels names, in the chosen order */
    double *weight;   /* n frequency weights, or NULL */
    size_t *cluster;  /* n random-intercept group index (from "(1 | g)"), or NULL */
    size_t n_clusters;
    char **cluster_names; /* n_clusters */
    char *cluster_var;    /* "center", or NULL */
    size_t *source_row;   /* n: row of the data table each design row came from */
    char **ref_level;     /* p (added for LS means/output): reference level of the categorical
                             term of column j, NULL for numeric columns and the intercept */
} rk_design;

void rk_design_free(rk_design *d);

/* --------------------------------------------------------------- results */

typedef struct rk_coef {
    char term[96]; /* column name, or "1|2" for an ordinal threshold */
    double estimate;
    double std_error;
    double statistic; /* z (Wald) or t */
    double p_value;
    double conf_int[2]; /* on the estimate's scale */
    double ratio;       /* exp(estimate) for OR / HR, NAN when not applicable */
    double ratio_conf_int[2];
    double df; /* t-test df (linear, mixed), NAN for z tests */
} rk_coef;

typedef struct rk_fit {
    char model[32];       /* "ordinal", "logistic", "linear", "mixed", "cox" */
    char convention[128]; /* e.g. "SAS: logit P(Y <= j) = alpha_j + x'beta; OR of a lower category"
                           */
    char ci_method[32];   /* "wald", "profile", "t" */
    size_t n;             /* observations used (sum of weights when weighted) */
    size_t n_dropped;
    int converged;
    int iterations;
    double log_likelihood; /* REML criterion's log-likelihood for REML mixed fits */
    double deviance;       /* -2 log L (REML criterion for REML fits) */
    size_t n_coef;
    rk_coef *coef;  /* regression coefficients (and thresholds, listed first for ordinal) */
    size_t n_extra; /* named extra values: "lr_statistic", "lr_df", "lr_p_value",
                       "sigma", "sd_intercept", "r_squared", "po_score_statistic" ... */
    struct {
        char name[48];
        double value;
    } * extra;
    char note[256];
} rk_fit;

void rk_fit_free(rk_fit *f);
/* Named extra value, NAN when absent. */
double rk_fit_get(const rk_fit *f, const char *name);

/* ---------------------------------------------- frame, linear, logistic (engineer E) */

/* How the response of a formula is read. */
typedef enum rk_response_kind {
    RK_RESPONSE_NUMERIC = 0, /* numbers (linear, mixed); y holds the values */
    RK_RESPONSE_FACTOR       /* categories (ordinal, logistic): y holds the level index
                                0..n_levels-1 in the chosen order; levels sorted as R's
                                factor() (numerically when all values are numbers, else
                                C-locale strcmp) unless `levels` gives an order */
} rk_response_kind;

/* Options of rk_design_new; a zeroed struct means: numeric response, intercept,
 * first sorted level as reference, no weights. */
typedef struct rk_frame_opts {
    rk_response_kind response_kind;
    const char *const *reference; /* n_reference strings "var=Level": reference level of a
                                     categorical term (default: first sorted level) */
    size_t n_reference;
    const char *const *levels; /* n_levels strings "var=l1,l2,...": level order of a
                                  factor response (all levels that occur must be listed) */
    size_t n_levels;
    const char *weight; /* frequency-weight column (>= 0), or NULL */
    int no_intercept;   /* 1: drop "(Intercept)" (also "y ~ 0 + x" / "- 1") */
    size_t max_columns; /* most fixed-effect columns allowed; 0: RK_DESIGN_MAX_COLUMNS */
} rk_frame_opts;

/* Default cap on the fixed-effect columns of a design.  Fitting costs O(n p^2 + p^3) time and
 * O(n p) memory: a 600-level factor took about 1 s in review; by the cube law 2,000 levels take
 * ~40 s and 6,000 ~17 minutes.  A factor with that many levels (a subject or center ID) is a
 * grouping factor: model it as a random intercept "(1 | g)". */
#define RK_DESIGN_MAX_COLUMNS 2000

/* Build the design of `formula` on table t.  Formulas: "y ~ a + b + c", "y ~ 1",
 * "~ a" (no response), "factor(col)" to treat a numeric column as categorical,
 * "(1 | g)" for a random intercept (at most one).  Non-numeric columns are
 * categorical with treatment contrasts (columns named "<var><level>", as R's
 * model.matrix).  Rows with a missing value (rk_cell_is_missing) in any variable
 * used, including the weight, are dropped and counted.  Errors (RK_EINVAL) name
 * the formula position or the column: unknown column, unsupported syntax
 * (interactions, functions other than factor), a reference level that does not
 * occur, a factor with one level, no rows left.  RK_ERANGE when the design would have more
 * than o->max_columns (default RK_DESIGN_MAX_COLUMNS) columns; the message names the factor
 * with the most levels and suggests a random intercept.  o may be NULL.  *out belongs to
 * the caller (rk_design_free). */
rk_status rk_design_new(const rk_table *t, const char *formula, const rk_frame_opts *o,
                        rk_design **out, rk_error *err);

/* Ordinary least squares (linear regression / ANCOVA) on design d (numeric
 * response; frequency weights honoured).  Coefficients with SEs, t statistics,
 * two-sided p-values and t CIs at conf_level on n - p df.  Extras: "sigma",
 * "r_squared", "adj_r_squared", "df_residual", "f_statistic", "f_p_value", and
 * when the design has a two-level categorical term `group` given in
 * `group_term` (may be NULL: the first categorical term): "lsmean_<level>" and
 * "lsmean_se_<level>" for each level (SAS LSMEANS: covariates at their means,
 * other categorical terms weighted equally) and "lsmean_diff", "lsmean_diff_se"
 * (= the group coefficient).  Aliased (linearly dependent) columns are an
 * RK_EINVAL error naming the column.  *out belongs to the caller. */
rk_status rk_linear_fit(const rk_design *d, const char *group_term, double conf_level, rk_fit **out,
                        rk_error *err);

typedef enum rk_ci_method { RK_CI_WALD = 0, RK_CI_PROFILE } rk_ci_method;

/* Binary logistic regression by IRLS (R glm's criterion |dev - dev_old| /
 * (|dev| + 0.1) < eps, with eps = 1e-10 rather than R's 1e-8; at most 50 iterations).  d must have
 * a factor response with exactly 2 levels; the second level is the event (y = 1), as in R glm.
 * Coefficients with Wald z tests, CIs (Wald, or profile likelihood as
 * MASS::confint.glm) and odds ratios.  Extras: "lr_statistic", "lr_df",
 * "lr_p_value", "null_deviance", "aic".  Complete or quasi-complete separation
 * is an RK_ENOCONV error saying which term separates.  *out belongs to the caller. */
rk_status rk_logistic_fit(const rk_design *d, double conf_level, rk_ci_method ci, rk_fit **out,
                          rk_error *err);

/* end frame, linear, logistic */

/* ---------------------------------------------- ordinal (engineer F) */

/* Sign convention of the proportional-odds model (docs/models-ordinal.md). */
typedef enum rk_ordinal_convention {
    RK_ORDINAL_SAS = 0, /* logit P(Y <= j) = alpha_j + x'beta; OR of a LOWER category (default) */
    RK_ORDINAL_R        /* logit P(Y <= j) = theta_j - x'beta (MASS::polr, ordinal::clm) */
} rk_ordinal_convention;

typedef enum rk_ordinal_ci {
    RK_ORDINAL_CI_WALD = 0, /* estimate +- z * SE (default) */
    RK_ORDINAL_CI_PROFILE   /* profile likelihood (MASS confint.polr, SAS CLODDS=PL) */
} rk_ordinal_ci;

typedef struct rk_ordinal_opts {
    rk_ordinal_convention convention;
    rk_ordinal_ci ci;
    double conf_level; /* 0 < level < 1 */
    double tolerance;  /* largest absolute score component at convergence */
    int max_iter;      /* Newton-Raphson iterations */
} rk_ordinal_opts;

/* Defaults: SAS convention, Wald CIs, conf_level 0.95, tolerance 1e-10, max_iter 100. */
void rk_ordinal_opts_init(rk_ordinal_opts *o);

/* Fit the proportional-odds (cumulative logit) model to d by Newton-Raphson.
 * d->y holds level indices 0..d->n_levels-1 (d->levels order), d->weight optional
 * frequency weights (NULL = 1 each, must be finite and >= 0).  An "(Intercept)"
 * column in d->X is ignored: the thresholds play its role.  o == NULL means
 * defaults.  On success *out (caller frees with rk_fit_free) lists the K-1
 * thresholds first ("Low|Medium"), then one coefficient per X column with
 * odds ratios; extras lr_statistic, lr_df, lr_p_value, null_log_likelihood,
 * aic, and for K >= 3 po_score_statistic, po_score_df, po_score_p_value (SAS's
 * score test of the proportional-odds assumption).  Errors: RK_EINVAL for bad
 * input (fewer than 2 levels, a level without observations, NaN, collinear or
 * constant columns, separation), RK_ENOCONV when Newton-Raphson fails,
 * RK_ENOMEM. */
rk_status rk_ordinal_fit(const rk_design *d, const rk_ordinal_opts *o, rk_fit **out, rk_error *err);
/* end ordinal */

/* ---------------------------------------------- mixed (engineer G) */

typedef struct rk_mixed_opts {
    int ml;            /* 0: REML (default, as lme4 and SAS PROC MIXED); 1: maximum likelihood */
    double conf_level; /* confidence level of the coefficient CIs, default 0.95 */
} rk_mixed_opts;

void rk_mixed_opts_init(rk_mixed_opts *o);

/* Linear mixed model with a random intercept per cluster:
 *   y = X beta + b[cluster] + e,  b ~ N(0, sigma_b^2),  e ~ N(0, sigma^2).
 * d must have d->cluster (from "(1 | g)") with at least 2 non-empty clusters,
 * no weights, finite X and y, X of full column rank and n > p.  o may be NULL
 * (REML, 95% CIs).  On success *out (caller frees with rk_fit_free) holds the
 * fixed effects (GLS estimates, SEs, t statistics with Satterthwaite df as
 * lmerTest, p-values and t CIs), log_likelihood = -deviance / 2 where deviance
 * is the REML criterion (REML) or -2 log L (ML), and extras "sd_intercept",
 * "sigma", "var_intercept", "var_residual", "theta" (sigma_b / sigma), "icc",
 * "n_clusters", "reml" (1 or 0).  See docs/models-mixed.md. */
rk_status rk_mixed_fit(const rk_design *d, const rk_mixed_opts *o, rk_fit **out, rk_error *err);

/* end mixed */

/* ---------------------------------------------- survival and cox (engineer H) */
/* Kaplan-Meier, log-rank and Cox take plain arrays (no model frame): time[i] >= 0
 * finite, event[i] 0 (censored) or 1 (event), group[i] in 0..n_groups-1.
 * Methods, conventions and the R behaviour matched: docs/models-survival.md. */

/* Confidence interval for S(t) (R survfit's conf.type). */
typedef enum rk_km_ci {
    RK_KM_CI_LOG = 0, /* exp(log S +- z se(log S)), upper capped at 1: R's default "log" */
    RK_KM_CI_LOGLOG,  /* "log-log": on log(-log S); NAN where S is 0 or 1 */
    RK_KM_CI_PLAIN    /* "plain": S +- z S se(log S), clipped to [0, 1] */
} rk_km_ci;

/* One group's Kaplan-Meier curve, one entry per distinct observed time (events
 * and censorings, like survfit's $time).  NAN stands where R prints NA. */
typedef struct rk_km_curve {
    size_t n;        /* subjects in the group */
    double n_events; /* total events */
    size_t n_times;
    double *time, *n_risk, *n_event, *n_censor;
    double *surv;         /* S(t) */
    double *std_err;      /* Greenwood SE of log S(t) (survfit's $std.err); Inf once S = 0 */
    double *std_err_surv; /* Greenwood SE of S(t) = S * std_err (summary.survfit); NAN if S = 0 */
    double *lower, *upper;
    double median, median_lower, median_upper; /* as print.survfit; NAN = not reached */
} rk_km_curve;

typedef struct rk_km {
    size_t n_groups;
    rk_km_curve *curve; /* n_groups curves, by group index */
    double conf_level;
    rk_km_ci conf_type;
} rk_km;

/* Kaplan-Meier estimate per group (group may be NULL: one group, n_groups 1)
 * with Greenwood variances, pointwise CIs and median survival with CI.  Every
 * group must have at least one subject; a group without events is allowed (S = 1).
 * On success *out is a new rk_km (free with rk_km_free); on error *out is NULL. */
rk_status rk_km_fit(const double *time, const int *event, const size_t *group, size_t n,
                    size_t n_groups, double conf_level, rk_km_ci conf_type, rk_km **out,
                    rk_error *err);
void rk_km_free(rk_km *km);
/* "log", "log-log" (or "loglog"), "plain". */
rk_status rk_km_ci_parse(const char *s, rk_km_ci *ci, rk_error *err);
const char *rk_km_ci_name(rk_km_ci ci);

/* Log-rank test (R survdiff, rho = 0), optionally stratified. */
typedef struct rk_logrank {
    size_t n_groups;
    size_t n_strata;
    double statistic; /* chi-square */
    double df;        /* groups with expected > 0, minus 1 */
    double p_value;
    double *observed; /* n_groups, summed over strata */
    double *expected; /* n_groups, summed over strata */
    double *variance; /* n_groups x n_groups, row-major, summed over strata */
} rk_logrank;

/* The most groups rk_logrank_test compares (its work grows with the square of the groups). */
#define RK_LOGRANK_MAX_GROUPS 100

/* k-sample log-rank test (2 to RK_LOGRANK_MAX_GROUPS groups).  strata may be NULL (then
 * n_strata is ignored); otherwise O - E and the variance are summed over strata (survdiff with
 * strata()).  Needs at least 2 non-empty groups and at least one event.
 * On success *out is a new rk_logrank (free with rk_logrank_free). */
rk_status rk_logrank_test(const double *time, const int *event, const size_t *group, size_t n,
                          size_t n_groups, const size_t *strata, size_t n_strata, rk_logrank **out,
                          rk_error *err);
void rk_logrank_free(rk_logrank *lr);

/* Cox proportional hazards (R survival::coxph). */
typedef enum rk_cox_ties { RK_COX_EFRON = 0, RK_COX_BRESLOW } rk_cox_ties;

typedef struct rk_cox_options {
    rk_cox_ties ties;  /* RK_COX_EFRON (R's default) */
    double conf_level; /* 0.95 */
    int max_iter;      /* 20, coxph.control iter.max */
    double eps;        /* 1e-9, coxph.control eps: |1 - loglik_old / loglik_new| */
    double toler_chol; /* 2^-39 = .Machine$double.eps^0.75, coxph.control toler.chol */
} rk_cox_options;

void rk_cox_options_init(rk_cox_options *opt);
/* "efron", "breslow". */
rk_status rk_cox_ties_parse(const char *s, rk_cox_ties *ties, rk_error *err);

/* Fit a Cox model to n subjects with p covariates X (n x p, row-major; no
 * intercept column), term names `names` (p strings, may be NULL: "x1".."xp"),
 * optional strata (NULL, or indices: separate baseline hazards).  opt may be
 * NULL (defaults).  On success *out is a new rk_fit, model "cox": coefficients
 * are log hazard ratios with Wald z, p and CIs, ratio = hazard ratio; extras
 * "loglik_null", "lr_statistic", "lr_df", "lr_p_value", "wald_statistic",
 * "wald_df", "wald_p_value", "score_statistic", "score_df", "score_p_value",
 * "n_events".  Errors: RK_EINVAL for bad input, no events or collinear
 * covariates; RK_ENOCONV when Newton-Raphson does not converge or a
 * coefficient drifts to infinity (monotone likelihood, e.g. no events in one arm). */
rk_status rk_cox_fit(const double *time, const int *event, const double *X, size_t n, size_t p,
                     const char *const *names, const size_t *strata, const rk_cox_options *opt,
                     rk_fit **out, rk_error *err);

/* Time to clinical improvement with death as a competing terminal event: how a
 * subject who dies before improving enters the (time, event) data. */
typedef enum rk_ttci_rule {
    RK_TTCI_DEATH_CENSORED_AT_FOLLOWUP = 0, /* default: censored at the end of follow-up */
    RK_TTCI_DEATH_CENSORED_AT_DEATH,        /* censored at the time of death */
    RK_TTCI_DEATH_NEVER_IMPROVES            /* never improves: same data as the default */
} rk_ttci_rule;

/* Build time[i], event[i] for n subjects from: time_to_improvement (time of
 * improvement if improved[i], else the last time seen without improvement),
 * improved[i] 0/1, died[i] 0/1 (may be NULL: no deaths), death_time[i] (read
 * only where died[i]; may be NULL when died is NULL), the follow-up length
 * `followup` (> 0; every time must be <= followup) and the rule.  Improved
 * subjects: (time_to_improvement, 1).  Alive without improvement:
 * (time_to_improvement, 0).  Died without improving: (followup, 0) under the
 * default and NEVER_IMPROVES rules, (death_time, 0) under CENSORED_AT_DEATH.
 * A death before a recorded improvement is an RK_EINVAL error. */
rk_status rk_ttci_events(const double *time_to_improvement, const int *improved, const int *died,
                         const double *death_time, size_t n, double followup, rk_ttci_rule rule,
                         double *time_out, int *event_out, rk_error *err);
/* "followup" (or "censor-followup"), "death" (or "censor-death"), "never". */
rk_status rk_ttci_rule_parse(const char *s, rk_ttci_rule *rule, rk_error *err);
/* end survival and cox */

#ifdef __cplusplus
}
#endif
#endif
