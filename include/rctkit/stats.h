/* rctkit statistics core: descriptive summaries, ranks, rank tests with exact
 * distributions (with and without ties), Hodges-Lehmann estimators, quantile
 * confidence intervals, contingency tables, t-tests and ANOVA.
 *
 * Every test fills an rk_htest (like R's "htest" object).  Input vectors must
 * be finite: NaN or +-Inf is rejected with RK_EINVAL (callers drop missing
 * values first; rk_describe is the exception and counts NaN as missing).
 * All functions are thread-safe: no static mutable state.
 */
#ifndef RCTKIT_STATS_H
#define RCTKIT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- results */

typedef enum rk_alternative {
    RK_ALT_TWO_SIDED = 0,
    RK_ALT_LESS,
    RK_ALT_GREATER,
    RK_ALT_NONE /* the test has no direction (chi-square, Kruskal-Wallis, ANOVA, Fisher r x c) */
} rk_alternative;

/* "two-sided", "less", "greater" or "none". */
const char *rk_alternative_name(rk_alternative alt);
/* Parse "two-sided" (also "two.sided", "two_sided"), "less", "greater". */
rk_status rk_alternative_parse(const char *s, rk_alternative *alt, rk_error *err);

typedef enum rk_method {
    RK_METHOD_AUTO = 0, /* exact when feasible, as documented per test */
    RK_METHOD_EXACT,
    RK_METHOD_ASYMPTOTIC
} rk_method;

#define RK_HTEST_MAX_EXTRA 12
#define RK_HTEST_NAME_MAX 32

typedef struct rk_htest_extra {
    char name[RK_HTEST_NAME_MAX]; /* JSON key, e.g. "df", "U", "odds_ratio" */
    double value;
} rk_htest_extra;

typedef struct rk_htest {
    char method[128];                       /* human-readable method */
    char statistic_name[RK_HTEST_NAME_MAX]; /* "W", "V", "X-squared", "t", "F", "H" */
    double statistic;
    double p_value;
    char estimate_name[64]; /* "" when there is no estimate */
    double estimate;        /* NAN when there is none */
    double conf_int[2];     /* NAN, NAN when not computed */
    double conf_level;      /* NAN when not computed */
    rk_alternative alternative;
    int exact; /* 1 when the p-value is exact */
    size_t n_extra;
    rk_htest_extra extra[RK_HTEST_MAX_EXTRA];
    char note[256]; /* convention or rule worth printing */
} rk_htest;

/* Reset every field: NaN numbers, empty strings, no extras. */
void rk_htest_init(rk_htest *h);
/* Append a named extra value (silently ignored past RK_HTEST_MAX_EXTRA). */
void rk_htest_add(rk_htest *h, const char *name, double value);
/* Look up an extra by name; NAN when absent. */
double rk_htest_get(const rk_htest *h, const char *name);

/* ---------------------------------------------------------- descriptives */

/* Quantile definitions: R's types 1-9.  SAS PROC UNIVARIATE's default
 * QNTLDEF=5 is R type 2, which is our default (RK_QUANTILE_DEFAULT). */
#define RK_QUANTILE_DEFAULT 2

/* p-quantile (0 <= p <= 1) of sorted finite data x[0..n-1], n >= 1. */
rk_status rk_quantile_sorted(const double *sorted, size_t n, double p, int type, double *out,
                             rk_error *err);
/* Same, for unsorted data (copied internally). */
rk_status rk_quantile(const double *x, size_t n, double p, int type, double *out, rk_error *err);

typedef struct rk_summary {
    size_t n;         /* non-missing */
    size_t n_missing; /* NaN entries */
    double mean, sd;  /* sd with n-1; NAN when n < 2 */
    double median, q1, q3;
    double min, max;
} rk_summary;

/* Summary of x, NaN counted as missing; +-Inf is an error.  n == 0 gives
 * NaN statistics and is not an error. */
rk_status rk_describe(const double *x, size_t n, int quantile_type, rk_summary *s, rk_error *err);

/* ------------------------------------------------------------------ ranks */

typedef struct rk_ties {
    size_t n_tie_groups; /* number of distinct values occurring more than once */
    size_t n_tied;       /* observations involved in ties */
    double sum_t3_t;     /* sum over tie groups of t^3 - t */
} rk_ties;

/* Midranks of x (1-based, ties get the average rank) into ranks[0..n-1];
 * ties may be NULL. */
rk_status rk_rank(const double *x, size_t n, double *ranks, rk_ties *ties, rk_error *err);

/* ------------------------------------------------- Wilcoxon / Mann-Whitney */

typedef struct rk_wilcoxon_opts {
    rk_alternative alternative; /* default two-sided */
    rk_method method;           /* AUTO: exact when nx < 50 and ny < 50 (R's rule),
                                   ties or not; EXACT / ASYMPTOTIC force it */
    int correct;                /* continuity correction in the normal approximation (default 1) */
    int conf_int;               /* compute HL estimate and CI (default 0) */
    double conf_level;          /* default 0.95 */
    double mu;                  /* location shift under H0 (default 0) */
} rk_wilcoxon_opts;

void rk_wilcoxon_opts_init(rk_wilcoxon_opts *o);

/* Two-sample Wilcoxon rank-sum / Mann-Whitney test of x against y.
 * statistic = W = (sum of ranks of x) - nx(nx+1)/2 (R); extras: "U" (= W),
 * "U_y" (= nx*ny - W), "rank_sum_x", "expected", "variance", "z" (asymptotic),
 * "n_x", "n_y", "n_ties".  With conf_int, estimate = the Hodges-Lehmann shift
 * (true median of all x_i - y_j) and conf_int the exact or Moses limits. */
rk_status rk_wilcoxon_rank_sum(const double *x, size_t nx, const double *y, size_t ny,
                               const rk_wilcoxon_opts *o, rk_htest *res, rk_error *err);

/* Wilcoxon signed-rank test: one-sample (y == NULL) of x - mu, or paired
 * x - y - mu.  Zero differences are dropped (as R).  statistic = V = sum of
 * ranks of positive differences.  Estimate: median of Walsh averages (pseudo-median). */
rk_status rk_wilcoxon_signed_rank(const double *x, const double *y, size_t n,
                                  const rk_wilcoxon_opts *o, rk_htest *res, rk_error *err);

/* Exact null distribution of the rank-sum statistic for group sizes m (first
 * group) and n, with integer scores: the number of ways each sum of m scores out
 * of scores[0..m+n-1] can occur.  Scores are integers >= 0 (for midranks with
 * ties, pass 2*midrank).  The distribution is returned as probabilities
 * dist[s - *min_sum] for s = *min_sum .. *min_sum + *len - 1; free with free().
 * Streitberg-Roehmel shift algorithm. */
rk_status rk_ranksum_exact_dist(const int64_t *scores, size_t m, size_t n, double **dist,
                                int64_t *min_sum, size_t *len, rk_error *err);

/* k-th smallest (1-based, 1 <= k <= nx*ny) of the differences x_i - y_j, with
 * xs and ys SORTED ascending; O((nx+ny) log(nx+ny)) expected time, no n*m memory. */
rk_status rk_pairwise_diff_select(const double *xs, size_t nx, const double *ys, size_t ny,
                                  uint64_t k, double *out, rk_error *err);
/* k-th smallest (1-based, 1 <= k <= n(n+1)/2) Walsh average (x_i + x_j)/2, i <= j,
 * xs SORTED ascending. */
rk_status rk_walsh_select(const double *xs, size_t n, uint64_t k, double *out, rk_error *err);

/* Hodges-Lehmann shift of x relative to y: the median of all x_i - y_j (mean of
 * the two middle ones when nx*ny is even).  Unsorted input. */
rk_status rk_hodges_lehmann_shift(const double *x, size_t nx, const double *y, size_t ny,
                                  double *estimate, rk_error *err);

/* ---------------------------------------------- quantile confidence limits */

typedef struct rk_quantile_ci {
    double estimate;     /* sample quantile (type RK_QUANTILE_DEFAULT) */
    double lower, upper; /* X(l), X(u); +-Inf when n is too small */
    size_t l, u;         /* 1-based order statistics; 0 / n+1 when unattainable */
    double coverage;     /* achieved P(l <= B <= u-1), B ~ Bin(n, p) */
} rk_quantile_ci;

/* Distribution-free CI for the p-quantile (Hahn & Meeker): for p = 0.5 the
 * symmetric rule k = qbinom(alpha/2, n, 0.5), (X(k), X(n-k+1)); for other p the
 * equal-tailed pair l = qbinom(alpha/2, n, p), u = qbinom(1 - alpha/2, n, p) + 1
 * (docs/statistics-signrank.md). */
rk_status rk_quantile_conf_int(const double *x, size_t n, double p, double conf_level,
                               rk_quantile_ci *out, rk_error *err);

/* ------------------------------------------------------- contingency tables */

/* Pearson chi-square test of independence for an nr x nc table of counts
 * (row-major).  correct: Yates continuity correction, applied to 2x2 only (R).
 * extras: "df", and the smallest expected count "min_expected". */
rk_status rk_chisq_test(const int64_t *table, size_t nr, size_t nc, int correct, rk_htest *res,
                        rk_error *err);

/* Fisher's exact test.  2x2: R's rule (two-sided p sums tables with probability
 * <= observed * (1 + 1e-7)), estimate = conditional MLE odds ratio, exact CI at
 * conf_level, alternative honoured.  r x c: exact two-sided p only (alternative
 * must be two-sided). */
rk_status rk_fisher_test(const int64_t *table, size_t nr, size_t nc, rk_alternative alt,
                         double conf_level, rk_htest *res, rk_error *err);

/* ------------------------------------------------ k-sample and parametric */

/* Kruskal-Wallis rank-sum test, tie-corrected.  group[i] in 0..k-1; every group
 * must be non-empty.  extras: "df". */
rk_status rk_kruskal_test(const double *x, const size_t *group, size_t n, size_t k, rk_htest *res,
                          rk_error *err);

/* One-way ANOVA F test.  extras: "df1", "df2", "ss_between", "ss_within". */
rk_status rk_anova_oneway(const double *x, const size_t *group, size_t n, size_t k, rk_htest *res,
                          rk_error *err);

/* Student (welch == 0, pooled variance) or Welch two-sample t-test of x - y;
 * y == NULL gives the one-sample test of x against mu.  estimate = mean(x) - mean(y)
 * (or mean(x)); extras: "df", "mean_x", "mean_y", "std_error". */
rk_status rk_t_test(const double *x, size_t nx, const double *y, size_t ny, int welch,
                    rk_alternative alt, double mu, double conf_level, rk_htest *res, rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
