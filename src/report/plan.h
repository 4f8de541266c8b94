/* Internal layout of a parsed analysis plan (src/report/plan.c), shared with the analysis. */
#ifndef RK_REPORT_PLAN_H
#define RK_REPORT_PLAN_H

#include <stddef.h>

#include "rctkit/data.h"
#include "rctkit/report.h"

enum { RK_SUM_MEAN_SD = 0, RK_SUM_MEDIAN_IQR, RK_SUM_N_PCT };
enum { RK_EP_HL_WILCOXON = 0, RK_EP_ORDINAL, RK_EP_FISHER, RK_EP_CHISQ, RK_EP_TTEST, RK_EP_TTE };

typedef struct rk__pvar {
    char *var, *label;
    int summary;
    size_t nlevels;
    char **levels, **level_labels; /* n_pct: categories shown, in order */
    char *event;                   /* n_pct of a yes/no variable: the "yes" value (one row) */
    int has_range;                 /* values must lie in [lo, hi] (e.g. a proportion 0-100) */
    double lo, hi;
    int line;
} rk__pvar;

typedef struct rk__pendpoint {
    char *id, *label, *param, *visit, *value, *population;
    int locf;    /* use DTYPE = LOCF records */
    int summary; /* how each arm is summarised */
    int method;
    size_t nlevels;
    char **levels, **level_labels;
    int has_range; /* AVAL and BASE of the endpoint's records must lie in [lo, hi] */
    double lo, hi;
    /* time_to_event: time to clinical improvement on `param` (derive.improvement) */
    double followup; /* end of follow-up (study day) */
    int death_rule;  /* rk_ttci_rule */
    char *death_day; /* subjects column: study day of death (NULL: no deaths recorded) */
    int line;
} rk__pendpoint;

typedef struct rk__pgrade {
    char *label;
    long lo, hi;
} rk__pgrade;

typedef struct rk__ppop {
    char *name, *flag;
} rk__ppop;

struct rk_plan {
    char *path, *dir, *title;
    char *subjects, *measurements, *adverse_events, *screening; /* as written in the plan */
    char *subject_id, *arm_var, *site_var;
    size_t narms;
    char **arm, **arm_label;
    size_t npops;
    rk__ppop *pop;
    char *baseline_pop;
    size_t nvars;
    rk__pvar *vars;
    size_t neps;
    rk__pendpoint *eps;
    size_t nsupp;
    char **supp; /* supplementary populations: Table 2 again, observed values only */
    char *ae_pop;
    size_t ngrades;
    rk__pgrade *grades;
    /* sensitivity */
    char *sens_endpoint;
    size_t nsens_pops;
    char **sens_pop;
    int sens_models[5];
    size_t nsens_models;
    size_t nsens_locf;
    char **sens_locf; /* populations in which LOCF records are used */
    /* derive: the data are as collected; populations, visits, BASE/CHG/PCHG, LOCF and time to
     * improvement come from the data layer (rk_trial_read) */
    int derive;
    size_t nwin;
    rk_visit_window *win; /* names point into win_name */
    char **win_name;
    char *primary; /* endpoint id: its parameter and visit (LOCF, PP) */
    char *improve; /* PARAMCD of the ordinal clinical status, or NULL */
    double improve_drop, discharge;
    size_t nfoot;
    char **foot;       /* plan footnotes, each attached to table foot_table[i] */
    char **foot_table; /* "table1", "table2", "table3", "consort", "sensitivity" */
};

/* Index of population `name` or -1. */
long rk__plan_pop(const rk_plan *p, const char *name);
/* Path of a plan data file relative to the plan's directory (malloc'd). */
char *rk__plan_path(const rk_plan *p, const char *file);

#endif
