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
    size_t n;              /* rows used */
    size_t n_dropped;      /* rows dropped for missing values */
    size_t p;              /* columns of X */
    double *X;             /* n x p, row-major; includes "(Intercept)" when the model has one */
    char **colnames;       /* p names: "(Intercept)", "groupUC-MSC" (treatment contrast), "age" */
    char **terms;          /* p: the formula term each column comes from ("group", "age") */
    char *response;        /* response variable name ("" for "~ x" survival formulas) */
    double *y;             /* n: numeric response; ordinal/binary: level index 0..n_levels-1 */
    size_t n_levels;       /* response levels for ordinal/binary responses (0 otherwise) */
    char **levels;         /* n_levels names, in the chosen order */
    double *weight;        /* n frequency weights, or NULL */
    size_t *cluster;       /* n random-intercept group index (from "(1 | g)"), or NULL */
    size_t n_clusters;
    char **cluster_names;  /* n_clusters */
    char *cluster_var;     /* "center", or NULL */
    size_t *source_row;    /* n: row of the data table each design row came from */
} rk_design;

void rk_design_free(rk_design *d);

/* --------------------------------------------------------------- results */

typedef struct rk_coef {
    char term[96];         /* column name, or "1|2" for an ordinal threshold */
    double estimate;
    double std_error;
    double statistic;      /* z (Wald) or t */
    double p_value;
    double conf_int[2];    /* on the estimate's scale */
    double ratio;          /* exp(estimate) for OR / HR, NAN when not applicable */
    double ratio_conf_int[2];
    double df;             /* t-test df (linear, mixed), NAN for z tests */
} rk_coef;

typedef struct rk_fit {
    char model[32];        /* "ordinal", "logistic", "linear", "mixed", "cox" */
    char convention[128];  /* e.g. "SAS: logit P(Y <= j) = alpha_j + x'beta; OR of a lower category" */
    char ci_method[32];    /* "wald", "profile", "t" */
    size_t n;              /* observations used (sum of weights when weighted) */
    size_t n_dropped;
    int converged;
    int iterations;
    double log_likelihood; /* REML criterion's log-likelihood for REML mixed fits */
    double deviance;       /* -2 log L (REML criterion for REML fits) */
    size_t n_coef;
    rk_coef *coef;         /* regression coefficients (and thresholds, listed first for ordinal) */
    size_t n_extra;        /* named extra values: "lr_statistic", "lr_df", "lr_p_value",
                              "sigma", "sd_intercept", "r_squared", "po_score_statistic" ... */
    struct { char name[48]; double value; } *extra;
    char note[256];
} rk_fit;

void rk_fit_free(rk_fit *f);
/* Named extra value, NAN when absent. */
double rk_fit_get(const rk_fit *f, const char *name);

/* ---------------------------------------------- frame, linear, logistic (engineer E) */
/* end frame, linear, logistic */

/* ---------------------------------------------- ordinal (engineer F) */
/* end ordinal */

/* ---------------------------------------------- mixed (engineer G) */
/* end mixed */

/* ---------------------------------------------- survival and cox (engineer H) */
/* end survival and cox */

#ifdef __cplusplus
}
#endif
#endif
