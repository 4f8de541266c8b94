/* Internal interface of the two-sample Wilcoxon rank-sum module (src/stats/wilcoxon.c). */
#ifndef RK_STATS_WILCOXON_H
#define RK_STATS_WILCOXON_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/stats.h"

/* Largest DP table (in doubles) the exact rank-sum distribution will allocate:
 * 4 GiB; beyond it RK_ERANGE (use the asymptotic method). */
#define RK__RANKSUM_MAX_CELLS ((uint64_t)1 << 29)
/* Largest number of multiply-adds it will attempt (about a minute); beyond it RK_ERANGE. */
#define RK__RANKSUM_MAX_WORK 1e11
/* Largest predicted work of the windowed programme (rk__ranksum_band) that the
 * test attempts (a few minutes); the programme itself stops at 4x this. */
#define RK__RANKSUM_BAND_MAX_WORK 1e12
/* Memory per state predicted by rk__ranksum_band_predict (measured: the
 * prediction overestimates the live states 1.6x at n = m = 1000 (mid), rows keep <= 25% slack) */
#define RK__RANKSUM_BYTES_PER_STATE 6.0

/* qsort comparator for int64_t. */
int rk__cmp_i64(const void *a, const void *b);
/* The scores on their smallest lattice: c[0..N-1] (caller's array) = the sorted scores minus
 * the smallest (*base), divided by the gcd of those differences (*g; 1 when all are equal), so
 * that a sum of j scores is j * base + g * (sum of j of the c). */
void rk__ranksum_reduce(const int64_t *scores, size_t N, int64_t *c, int64_t *base, int64_t *g);

/* Number of doubles the exact distribution of rk_ranksum_exact_dist would need
 * for these scores (any order) and first-group size m; 0 on bad input. */
uint64_t rk__ranksum_cells(const int64_t *scores, size_t m, size_t n);

/* R's qwilcox rule on a distribution of W = (T - m(m+1)) / 2 (T = sum of doubled
 * midranks of the first group, dist as returned by rk_ranksum_exact_dist): the
 * smallest integer q >= 0 with P(W <= q) >= p (with R's 10*DBL_EPSILON fuzz).
 * *p_below receives P(W <= q - 1). */
uint64_t rk__ranksum_quantile(const double *dist, int64_t min_sum, size_t len, size_t m, double p,
                              double *p_below);

/* Exact conditional probabilities of T = sum of the first group's scores in a
 * window: below = P(T < t_lo), above = P(T > t_hi), dist[k] = P(T = t_lo + k)
 * for k = 0..t_hi - t_lo (malloc'd).  States of the programme whose every
 * completion falls on one side of the window are summed into below/above
 * (exact).  Two optional prunings, both certified: with delta > 0, states of
 * probability < delta at the ends of a row are dropped; with eps > 0, states
 * whose completion reaches the window with probability <= eps (Serfling's
 * bound) are summed into the side they almost surely end on.  `dropped` bounds
 * the total error: every returned probability is within dropped of the exact
 * value (up to rounding).  work = multiply-adds done, peak_cells = doubles
 * allocated at the end, peak_live = most states alive at once. */
typedef struct rk__ranksum_window {
    double below, above, dropped, work;
    int64_t t_lo, t_hi;
    double *dist;
    uint64_t peak_cells, peak_live;
} rk__ranksum_window;

rk_status rk__ranksum_band(const int64_t *scores, size_t m, size_t n, int64_t t_lo, int64_t t_hi,
                           double delta, double eps, rk__ranksum_window *out, rk_error *err);

/* Predicted multiply-adds and peak number of live states of rk__ranksum_band
 * for this window (a Gaussian model of where the probability mass lies; used
 * to refuse hopeless problems before starting). */
rk_status rk__ranksum_band_predict(const int64_t *scores, size_t m, size_t n, int64_t t_lo,
                                   int64_t t_hi, double *work, double *live, rk_error *err);

/* Meet in the middle: the programme over the lower half of the sorted scores
 * (forward) and over the upper half (backward, from the largest) on two
 * threads, with negligible states (< delta) dropped; any tail probability then
 * costs one pass over the two middle layers:
 *   P(T <= x) = sum_j sum_s F_j(s) B_{m-j}(<= x - s) / |B_{m-j}|.
 * rk__ranksum_mid_error bounds the absolute error of every tail (dropped
 * forward mass + 2 x dropped backward mass). */
typedef struct rk__ranksum_mid rk__ranksum_mid;
rk_status rk__ranksum_mid_build(const int64_t *scores, size_t m, size_t n, double delta,
                                rk__ranksum_mid **out, rk_error *err);
double rk__ranksum_mid_cdf(const rk__ranksum_mid *mid, int64_t x); /* P(T <= x) */
double rk__ranksum_mid_sf(const rk__ranksum_mid *mid, int64_t x);  /* P(T >= x) */
double rk__ranksum_mid_error(const rk__ranksum_mid *mid);
/* multiply-adds done, doubles allocated, states in the two middle layers */
void rk__ranksum_mid_stats(const rk__ranksum_mid *mid, double *work, uint64_t *cells,
                           uint64_t *live);
void rk__ranksum_mid_free(rk__ranksum_mid *mid);

/* Scores with at most three distinct values (a 2 x g table, g <= 3): the tails
 * are sums over the first group's count in the lowest category of a
 * hypergeometric probability times a hypergeometric tail (probabilities by ratio
 * recurrences, cumulated from each end): O(t1 t2) memory and time to build,
 * O(t1) per tail.  *out is NULL (and RK_OK) when there are more than three
 * distinct scores. */
typedef struct rk__ranksum_cat rk__ranksum_cat;
rk_status rk__ranksum_cat_build(const int64_t *scores, size_t m, size_t n, rk__ranksum_cat **out,
                                rk_error *err);
double rk__ranksum_cat_cdf(const rk__ranksum_cat *c, int64_t x); /* P(T <= x) */
double rk__ranksum_cat_sf(const rk__ranksum_cat *c, int64_t x);  /* P(T >= x) */
void rk__ranksum_cat_free(rk__ranksum_cat *c);

#endif
