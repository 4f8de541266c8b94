/* Two-sample Wilcoxon rank-sum (Mann-Whitney) test: exact distribution with and without ties,
 * normal approximation, Hodges-Lehmann estimate and confidence limits. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <gsl/gsl_cdf.h>

#include "stats/hodges_lehmann.h"
#include "stats/htest.h"
#include "stats/wilcoxon.h"

void rk_wilcoxon_opts_init(rk_wilcoxon_opts *o)
{
    o->alternative = RK_ALT_TWO_SIDED;
    o->method = RK_METHOD_AUTO;
    o->correct = 1;
    o->conf_int = 0;
    o->conf_level = 0.95;
    o->mu = 0.0;
}

/* ------------------------------------------------ exact distribution */

int rk__cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void rk__ranksum_reduce(const int64_t *scores, size_t N, int64_t *c, int64_t *base, int64_t *g)
{
    memcpy(c, scores, N * sizeof *c);
    qsort(c, N, sizeof *c, rk__cmp_i64);
    int64_t b = c[0], d = 0;
    for (size_t i = 0; i < N; i++) {
        c[i] -= b;
        d = gcd64(d, c[i]);
    }
    if (d == 0) d = 1;
    for (size_t i = 0; i < N; i++)
        c[i] /= d;
    *base = b;
    *g = d;
}

/* Reduced scores c[i] = (sorted score - smallest) / g, g their gcd (1 if all
 * equal), and prefix sums pre[0..N].  Returns NULL on allocation failure. */
typedef struct reduced {
    int64_t *c, *pre;
    int64_t base, g;
} reduced;

static int reduce_scores(const int64_t *scores, size_t N, reduced *r)
{
    r->c = malloc(N * sizeof *r->c);
    r->pre = malloc((N + 1) * sizeof *r->pre);
    if (!r->c || !r->pre) {
        free(r->c);
        free(r->pre);
        return 0;
    }
    rk__ranksum_reduce(scores, N, r->c, &r->base, &r->g);
    r->pre[0] = 0;
    for (size_t i = 0; i < N; i++)
        r->pre[i + 1] = r->pre[i] + r->c[i];
    return 1;
}

/* Window of sums of j reduced scores over the whole run: from the j smallest
 * (pre[j]) to the j largest among the first N - m + j (after which j x's can
 * no longer reach m). */
static inline int64_t win_lo(const reduced *r, size_t j)
{
    return r->pre[j];
}
static inline int64_t win_hi(const reduced *r, size_t N, size_t m, size_t j)
{
    return r->pre[N - m + j] - r->pre[N - m];
}

static uint64_t cells_of(const reduced *r, size_t N, size_t m)
{
    uint64_t cells = 0;
    for (size_t j = 0; j <= m; j++) {
        cells += (uint64_t)(win_hi(r, N, m, j) - win_lo(r, j) + 1);
        if (cells > ((uint64_t)1 << 62)) break;
    }
    return cells;
}

static rk_status check_scores(const int64_t *scores, size_t m, size_t n, rk_error *err)
{
    if (m == 0 || n == 0)
        return rk_error_set(err, RK_EINVAL, "exact rank-sum distribution: %s group is empty",
                            m == 0 ? "first" : "second");
    size_t N = m + n;
    for (size_t i = 0; i < N; i++)
        if (scores[i] < 0 || scores[i] > ((int64_t)1 << 40))
            return rk_error_set(err, RK_EINVAL,
                                "exact rank-sum distribution: score %zu (%lld) is outside 0..2^40",
                                i + 1, (long long)scores[i]);
    return RK_OK;
}

uint64_t rk__ranksum_cells(const int64_t *scores, size_t m, size_t n)
{
    if (check_scores(scores, m, n, NULL)) return 0;
    reduced r;
    if (!reduce_scores(scores, m + n, &r)) return 0;
    uint64_t cells = cells_of(&r, m + n, m < n ? m : n);
    free(r.c);
    free(r.pre);
    return cells;
}

/* Dynamic programme over the sorted scores (the Streitberg-Roehmel shift idea
 * in probability form): after item i, f[j][s] = P(j of the first i items are in
 * the first group and their reduced scores sum to s), with the hypergeometric
 * step probabilities (m - j) / (N - i + 1).  Each f[j] lives in its own fixed
 * window of sums, updated in place for j descending.  Probabilities instead of
 * counts: no overflow for large N, and every term is positive (no cancellation). */
static rk_status ranksum_dist_core(const int64_t *scores, size_t m, size_t n, double **dist,
                                   int64_t *min_sum, size_t *len, rk_error *err)
{
    size_t N = m + n;
    reduced r;
    if (!reduce_scores(scores, N, &r))
        return rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
    uint64_t cells = cells_of(&r, N, m);
    if (cells > RK__RANKSUM_MAX_CELLS) {
        free(r.c);
        free(r.pre);
        return rk_error_set(err, RK_ERANGE,
                            "exact rank-sum distribution for group sizes %zu and %zu with this "
                            "tie pattern needs about %.1f GiB (limit 4 GiB); use the asymptotic "
                            "method",
                            m, n, (double)cells * 8.0 / 1073741824.0);
    }
    double work = 0.0; /* multiply-adds of the programme below */
    for (size_t i = 1; i <= N; i++) {
        size_t jmax = i < m ? i : m, jmin = i > n ? i - n : 0;
        for (size_t j = jmin; j <= jmax; j++)
            work += (double)(r.pre[i] - r.pre[i - j] - r.pre[j] + 1);
    }
    if (work > RK__RANKSUM_MAX_WORK) {
        free(r.c);
        free(r.pre);
        return rk_error_set(err, RK_ERANGE,
                            "exact rank-sum distribution for group sizes %zu and %zu would take "
                            "about %.2g operations (limit %.0e, about a minute); use the "
                            "asymptotic method",
                            m, n, work, RK__RANKSUM_MAX_WORK);
    }
    size_t *off = malloc((m + 2) * sizeof *off);
    double *f = NULL;
    if (off) {
        off[0] = 0;
        for (size_t j = 0; j <= m; j++)
            off[j + 1] = off[j] + (size_t)(win_hi(&r, N, m, j) - win_lo(&r, j) + 1);
        f = calloc(off[m + 1], sizeof *f);
    }
    if (!off || !f) {
        free(off);
        free(r.c);
        free(r.pre);
        return rk_error_set(err, RK_ENOMEM,
                            "out of memory for the exact rank-sum distribution (%.1f GiB)",
                            (double)cells * 8.0 / 1073741824.0);
    }
    f[0] = 1.0; /* f[0][0]: nothing chosen yet */
    for (size_t i = 1; i <= N; i++) {
        int64_t ci = r.c[i - 1];
        double rem = (double)(N - i + 1); /* items not yet placed, including item i */
        size_t jmax = i < m ? i : m;
        size_t jmin = i > n ? i - n : 0;
        for (size_t j = jmax + 1; j-- > jmin;) {
            double *fj = f + off[j];
            int64_t lo = win_lo(&r, j);
            int64_t newmax = r.pre[i] - r.pre[i - j]; /* j largest of the first i */
            size_t w = (size_t)(newmax - lo + 1);
            /* item i goes to the second group: (n - (i - 1 - j)) / rem */
            double py = (double)(n - (i - 1 - j)) / rem;
            if (i - 1 - j > n) py = 0.0; /* unreachable state; keep it zero */
            if (j == 0) {
                for (size_t s = 0; s < w; s++)
                    fj[s] *= py;
                continue;
            }
            /* item i goes to the first group from j - 1 chosen: (m - j + 1) / rem */
            double px = (double)(m - j + 1) / rem;
            int64_t glo = win_lo(&r, j - 1);
            int64_t s0 = glo + ci > lo ? glo + ci : lo;
            size_t a = (size_t)(s0 - lo); /* below a only the y branch contributes */
            for (size_t s = 0; s < a && s < w; s++)
                fj[s] *= py;
            /* one fused pass: g[t] is f[j-1] at sum lo + a + t - ci */
            const double *restrict g = f + off[j - 1] + (size_t)(s0 - ci - glo);
            double *restrict fa = fj + a;
            size_t cnt = a < w ? w - a : 0;
            for (size_t t = 0; t < cnt; t++)
                fa[t] = fa[t] * py + px * g[t];
        }
    }
    int64_t lo_m = win_lo(&r, m), hi_m = win_hi(&r, N, m, m);
    size_t outlen = (size_t)((hi_m - lo_m) * r.g + 1);
    double *out = calloc(outlen, sizeof *out);
    if (!out) {
        free(off);
        free(f);
        free(r.c);
        free(r.pre);
        return rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
    }
    for (int64_t s = lo_m; s <= hi_m; s++)
        out[(size_t)((s - lo_m) * r.g)] = f[off[m] + (size_t)(s - lo_m)];
    *dist = out;
    *min_sum = (int64_t)m * r.base + lo_m * r.g;
    *len = outlen;
    free(off);
    free(f);
    free(r.c);
    free(r.pre);
    return RK_OK;
}

rk_status rk_ranksum_exact_dist(const int64_t *scores, size_t m, size_t n, double **dist,
                                int64_t *min_sum, size_t *len, rk_error *err)
{
    *dist = NULL;
    rk_status st = check_scores(scores, m, n, err);
    if (st) return st;
    if (m <= n) return ranksum_dist_core(scores, m, n, dist, min_sum, len, err);
    /* the table grows like m^2 n: work with the smaller group, T = S - T_other */
    int64_t total = 0;
    for (size_t i = 0; i < m + n; i++)
        total += scores[i];
    double *d;
    int64_t mn;
    size_t l;
    if ((st = ranksum_dist_core(scores, n, m, &d, &mn, &l, err))) return st;
    for (size_t i = 0; i < l / 2; i++) {
        double t = d[i];
        d[i] = d[l - 1 - i];
        d[l - 1 - i] = t;
    }
    *dist = d;
    *min_sum = total - (mn + (int64_t)l - 1);
    *len = l;
    return RK_OK;
}

/* R's qwilcox: 10 * DBL_EPSILON fuzz on the probability (nmath/wilcox.c). */
#define RK__QWILCOX_FUZZ (10 * DBL_EPSILON)

uint64_t rk__ranksum_quantile(const double *dist, int64_t min_sum, size_t len, size_t m, double p,
                              double *p_below)
{
    /* W = (T - m(m+1)) / 2; index of T is T - min_sum */
    int64_t off = (int64_t)m * ((int64_t)m + 1);
    int64_t tmax = min_sum + (int64_t)len - 1;
    int64_t wmax = (tmax - off) / 2; /* W <= nx*ny */
    if (p <= 0.5) {
        double x = p - RK__QWILCOX_FUZZ, cum = 0.0, prev = 0.0;
        size_t idx = 0;
        for (int64_t q = 0; q <= wmax; q++) {
            int64_t tq = 2 * q + off; /* T <= tq  <=>  W <= q */
            prev = cum;
            while (idx < len && min_sum + (int64_t)idx <= tq)
                cum += dist[idx++];
            if (cum >= x) {
                if (p_below) *p_below = prev;
                return (uint64_t)q;
            }
        }
        if (p_below) *p_below = prev;
        return (uint64_t)wmax;
    }
    /* upper branch (R): the largest integer a with P(W >= a) > 1 - p + fuzz */
    double x = 1.0 - p + RK__QWILCOX_FUZZ, cum = 0.0;
    size_t idx = len;
    for (int64_t a = wmax; a >= 0; a--) {
        int64_t ta = 2 * a + off; /* T >= ta  <=>  W >= a */
        while (idx > 0 && min_sum + (int64_t)(idx - 1) >= ta)
            cum += dist[--idx];
        if (cum > x) {
            if (p_below) {
                double below = 0.0;
                for (size_t i = 0; i < len && min_sum + (int64_t)i < ta - 1; i++)
                    below += dist[i];
                *p_below = below;
            }
            return (uint64_t)a;
        }
    }
    if (p_below) *p_below = 0.0;
    return 0;
}

/* ------------------------------------------- windows of the exact distribution */

/* A job for rk__ranksum_band: the window [lo, hi] of T and the pruning level. */
typedef struct band_job {
    const int64_t *scores;
    size_t m, n;
    int64_t lo, hi;
    double target; /* smallest probability this window must resolve (for delta) */
    rk__ranksum_window win;
    rk_status st;
    rk_error err;
} band_job;

/* Run one window; if the dropped mass is not negligible against the smallest
 * probability read from it (below / above), run again with less pruning and
 * finally none, so the result is certified to 1e-14 relative. */
static void band_run(band_job *j)
{
    double delta = j->target * 1e-25; /* and eps = 1e8 delta: see rk__ranksum_band */
    for (int attempt = 0;; attempt++) {
        j->st = rk__ranksum_band(j->scores, j->m, j->n, j->lo, j->hi, delta, delta * 1e8, &j->win,
                                 &j->err);
        if (j->st || j->win.dropped == 0.0 || attempt == 2) return;
        /* every probability read from the window is at least one of these */
        double lo = j->win.below + j->win.dist[0];
        double hi = j->win.above + j->win.dist[j->hi - j->lo];
        double need = lo < hi ? lo : hi;
        if (j->win.dropped <= 1e-14 * need) return;
        free(j->win.dist);
        j->win.dist = NULL;
        delta = attempt == 0 ? need * 1e-30 : 0.0;
    }
}

static void *band_thread(void *arg)
{
    band_run(arg);
    return NULL;
}

/* Run jobs two at a time (the second on a new thread; sequentially if threads
 * are unavailable).  Returns the first failure. */
static rk_status band_run_all(band_job *jobs, size_t njobs, int parallel, rk_error *err)
{
    for (size_t k = 0; k < njobs; k += 2) {
        pthread_t th;
        int threaded =
            parallel && k + 1 < njobs && pthread_create(&th, NULL, band_thread, &jobs[k + 1]) == 0;
        band_run(&jobs[k]);
        if (threaded)
            pthread_join(th, NULL);
        else if (k + 1 < njobs)
            band_run(&jobs[k + 1]);
    }
    for (size_t k = 0; k < njobs; k++)
        if (jobs[k].st) {
            if (err) *err = jobs[k].err;
            return jobs[k].st;
        }
    return RK_OK;
}

/* P(T <= x) from a window result, or -1 when x is outside [lo - 1, hi]. */
static double win_cdf(const rk__ranksum_window *w, int64_t x)
{
    if (x < w->t_lo - 1 || x > w->t_hi) return -1.0;
    double c = w->below;
    for (int64_t t = w->t_lo; t <= x; t++)
        c += w->dist[t - w->t_lo];
    return c;
}

/* P(T >= x) from a window result, or -1 when x is outside [lo, hi + 1]. */
static double win_sf(const rk__ranksum_window *w, int64_t x)
{
    if (x < w->t_lo || x > w->t_hi + 1) return -1.0;
    double c = w->above;
    for (int64_t t = w->t_hi; t >= x; t--)
        c += w->dist[t - w->t_lo];
    return c;
}

/* R's qwilcox lower branch (p <= 0.5) on a window: the smallest integer q >= 0
 * with P(W <= q) >= p - fuzz, W = (T - m(m+1)) / 2, and *p_below = P(W <= q - 1).
 * Returns 0 and sets *dir = -1 / +1 when the window lies above / below the
 * answer (move it and retry), 1 when found. */
static int win_quantile(const rk__ranksum_window *w, size_t m, double p, uint64_t *q,
                        double *p_below, int *dir)
{
    int64_t off = (int64_t)m * ((int64_t)m + 1);
    double x = p - RK__QWILCOX_FUZZ;
    /* first q whose T = 2q + off is >= t_lo - 1 */
    int64_t qa = (w->t_lo - 1 - off) > 0 ? (w->t_lo - 1 - off + 1) / 2 : 0;
    int64_t qb = (w->t_hi - off) >= 0 ? (w->t_hi - off) / 2 : -1;
    if (qb < qa) {
        *dir = qa > 0 ? -1 : 1;
        return 0;
    }
    double prev = qa == 0 ? 0.0 : -1.0; /* P(W <= qa - 1): unknown below the window */
    for (int64_t k = qa; k <= qb; k++) {
        double c = win_cdf(w, 2 * k + off);
        if (c >= x) {
            if (prev < 0.0) { /* the answer may be below the window */
                *dir = -1;
                return 0;
            }
            *q = (uint64_t)k;
            *p_below = prev;
            return 1;
        }
        prev = c;
    }
    *dir = 1;
    return 0;
}

/* Tails from whichever exact engine was built: the few-category sums or meet in the middle. */
static double tail_cdf(const rk__ranksum_mid *mid, const rk__ranksum_cat *cat, int64_t x)
{
    return cat ? rk__ranksum_cat_cdf(cat, x) : rk__ranksum_mid_cdf(mid, x);
}

static double tail_sf(const rk__ranksum_mid *mid, const rk__ranksum_cat *cat, int64_t x)
{
    return cat ? rk__ranksum_cat_sf(cat, x) : rk__ranksum_mid_sf(mid, x);
}

/* R's qwilcox lower branch on the meet-in-the-middle tables: the smallest
 * integer 0 <= q <= M with P(W <= q) >= p - fuzz; *p_below = P(W <= q - 1).
 * Each P(W <= q) is a pass over the middle layers, so the search takes Newton
 * steps on the normal scale (q += (z(p) - z(P(W <= q))) sd, the distribution
 * being close to normal) inside a shrinking bracket, bisecting when a step does
 * not shrink it enough: typically 3 to 5 evaluations. */
static uint64_t mid_quantile(const rk__ranksum_mid *mid, const rk__ranksum_cat *cat, size_t m,
                             uint64_t M, double p, double q0, double sd, double *p_below)
{
    int64_t off = (int64_t)m * ((int64_t)m + 1), iM = (int64_t)M;
    double x = p - RK__QWILCOX_FUZZ;
#define CDF_Q(q) ((q) < 0 ? 0.0 : tail_cdf(mid, cat, 2 * (q) + off))
    int64_t lo = -1, hi = iM; /* invariant: P(W <= lo) < x <= P(W <= hi) */
    double c_lo = 0.0, c_hi = 1.0;
    int have_lo = 0, have_hi = 0, iter = 0;
    double zx = gsl_cdf_ugaussian_Pinv(x > 1e-300 ? x : 1e-300);
    int64_t g = q0 < 0 ? 0 : q0 > (double)iM ? iM : (int64_t)floor(q0 + 0.5);
    while (hi - lo > 1) {
        if (g <= lo || g >= hi) g = lo + (hi - lo) / 2;
        double c = CDF_Q(g);
        if (c >= x) {
            hi = g;
            c_hi = c;
            have_hi = 1;
        } else {
            lo = g;
            c_lo = c;
            have_lo = 1;
        }
        if (hi - lo <= 1) break;
        /* Newton step on the normal scale from the last point, nudged inside */
        double zc = gsl_cdf_ugaussian_Pinv(c > 1e-300 ? (c < 1 ? c : 1 - 1e-16) : 1e-300);
        double step = (zx - zc) * sd;
        int64_t ng = (int64_t)floor((double)g + step + (step > 0 ? 0.5 : -0.5));
        if (ng <= lo) ng = lo + 1;
        if (ng >= hi) ng = hi - 1;
        /* every fourth evaluation with a finite bracket bisects (guaranteed progress) */
        if (have_lo && have_hi && ++iter % 4 == 0) ng = lo + (hi - lo) / 2;
        g = ng;
    }
    (void)c_hi;
    *p_below = hi == 0 ? 0.0 : (lo == hi - 1 && have_lo ? c_lo : CDF_Q(hi - 1));
#undef CDF_Q
    return (uint64_t)hi;
}

/* The exact p-value from the meet-in-the-middle tables (see the test below for
 * the rules); th[0..nth-1] are coin's two thresholds with ties (nth = 0: p = 1). */
static double mid_pvalue(const rk__ranksum_mid *mid, const rk__ranksum_cat *cat, rk_alternative alt,
                         int has_ties, int above_centre, int64_t tx, const int64_t *th, size_t nth)
{
    if (alt == RK_ALT_LESS) return tail_cdf(mid, cat, tx);
    if (alt == RK_ALT_GREATER) return tail_sf(mid, cat, tx);
    if (!has_ties) return 2.0 * (above_centre ? tail_sf(mid, cat, tx) : tail_cdf(mid, cat, tx));
    if (nth == 0) return 1.0;
    return tail_cdf(mid, cat, th[0]) + tail_sf(mid, cat, th[1]);
}

/* ------------------------------------------------------------- the test */

static double order_stat(const double *xs, size_t nx, const double *ys, size_t ny, uint64_t k,
                         rk_status *st, rk_error *err)
{
    double v = NAN;
    if (!*st) *st = rk_pairwise_diff_select(xs, nx, ys, ny, k, &v, err);
    return v;
}

rk_status rk_wilcoxon_rank_sum(const double *x, size_t nx, const double *y, size_t ny,
                               const rk_wilcoxon_opts *o, rk_htest *res, rk_error *err)
{
    rk_wilcoxon_opts def;
    if (!o) {
        rk_wilcoxon_opts_init(&def);
        o = &def;
    }
    rk_htest_init(res);
    if (nx == 0 || ny == 0)
        return rk_error_set(err, RK_EINVAL,
                            "Wilcoxon rank-sum test: the %s sample is empty (need at least one "
                            "observation in each group)",
                            nx == 0 ? "x" : "y");
    rk_status st = rk__check_finite(x, nx, "Wilcoxon rank-sum test (x)", err);
    if (!st) st = rk__check_finite(y, ny, "Wilcoxon rank-sum test (y)", err);
    if (st) return st;
    if (!isfinite(o->mu))
        return rk_error_set(err, RK_EINVAL, "Wilcoxon rank-sum test: mu must be finite");
    if (o->conf_int && (st = rk__check_conf_level(o->conf_level, err))) return st;
    if (o->alternative != RK_ALT_TWO_SIDED && o->alternative != RK_ALT_LESS &&
        o->alternative != RK_ALT_GREATER)
        return rk_error_set(err, RK_EINVAL, "Wilcoxon rank-sum test: unknown alternative");

    size_t N = nx + ny;
    double *pool = malloc(N * sizeof *pool), *rk = malloc(N * sizeof *rk);
    int64_t *scores = malloc(N * sizeof *scores);
    double *xs = NULL, *ys = NULL, *dist = NULL;
    band_job jobs[3]; /* windows of the exact distribution (p-value, CI) */
    size_t njobs = 0;
    rk__ranksum_mid *mid = NULL; /* or both halves of it */
    rk__ranksum_cat *cat = NULL; /* or closed-form sums for <= 3 distinct scores */
    memset(jobs, 0, sizeof jobs);
    if (!pool || !rk || !scores) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory (Wilcoxon test, %zu values)", N);
        goto done;
    }
    for (size_t i = 0; i < nx; i++)
        pool[i] = x[i] - o->mu;
    for (size_t i = 0; i < ny; i++)
        pool[nx + i] = y[i];
    rk_ties ties;
    if ((st = rk_rank(pool, N, rk, &ties, err))) goto done;
    int64_t tx = 0, tall = 0; /* sums of doubled midranks (exact integers) */
    for (size_t i = 0; i < N; i++) {
        scores[i] = (int64_t)llround(2.0 * rk[i]);
        tall += scores[i];
        if (i < nx) tx += scores[i];
    }
    double dnx = (double)nx, dny = (double)ny, dN = (double)N;
    double W = (double)tx / 2.0 - dnx * (dnx + 1.0) / 2.0; /* R: sum of ranks - nx(nx+1)/2 */
    double mnw = dnx * dny;
    double var = (mnw / 12.0) * ((dN + 1.0) - ties.sum_t3_t / (dN * (dN - 1.0)));
    int has_ties = ties.n_tie_groups > 0;

    int exact;
    switch (o->method) {
    case RK_METHOD_EXACT: exact = 1; break;
    case RK_METHOD_ASYMPTOTIC: exact = 0; break;
    default: exact = nx < 50 && ny < 50; /* R's rule, kept with ties too */
    }

    res->alternative = o->alternative;
    snprintf(res->statistic_name, sizeof res->statistic_name, "W");
    res->statistic = W;
    rk_htest_add(res, "U", W);
    rk_htest_add(res, "U_y", mnw - W);
    rk_htest_add(res, "rank_sum_x", (double)tx / 2.0);
    rk_htest_add(res, "expected", mnw / 2.0);
    rk_htest_add(res, "variance", var);

    int64_t min_sum = 0;
    size_t len = 0;
    double alpha = o->conf_int ? 1.0 - o->conf_level : 0.0;
    int two = o->alternative == RK_ALT_TWO_SIDED;
    double alpha_q = two ? alpha / 2.0 : alpha;    /* CI quantile level */
    int64_t off = (int64_t)nx * ((int64_t)nx + 1); /* T = 2 W + off */
    int ci_window = exact && o->conf_int && alpha_q <= 0.5;
    size_t ci_job = 0;
    double mid_p = NAN;
    int64_t ci_half = 0; /* half-width of the CI window in W units */
    if (exact) {
        /* Only windows of the exact conditional distribution are computed: at the
         * p-value thresholds and around the CI quantile (normal guess), each by the
         * pruned programme rk__ranksum_band; independent windows run on 2 threads. */
        rk__gsl_init();
        double sdT = 2.0 * sqrt(var), ET = (double)nx * (double)tall / dN;
        int64_t th[2];
        size_t nth = 0;
        __int128 ref = (__int128)N * tx - (__int128)nx * tall;
        if (ref < 0) ref = -ref;
        if (o->alternative != RK_ALT_TWO_SIDED || !has_ties) {
            th[nth++] = tx;
        } else if (ref > 0) { /* coin: T <= t1 or T >= t2, |N T - m S| >= ref */
            __int128 lo_num = (__int128)nx * tall - ref, hi_num = (__int128)nx * tall + ref;
            __int128 t1 =
                lo_num >= 0 ? lo_num / (__int128)N : -((-lo_num + (__int128)N - 1) / (__int128)N);
            __int128 t2 =
                hi_num >= 0 ? (hi_num + (__int128)N - 1) / (__int128)N : -((-hi_num) / (__int128)N);
            th[nth++] = (int64_t)t1;
            th[nth++] = (int64_t)t2;
        }
        for (size_t k = 0; k < nth; k++) {
            band_job *j = &jobs[njobs++];
            j->scores = scores;
            j->m = nx;
            j->n = ny;
            j->lo = j->hi = th[k];
            double z = sdT > 0 ? fabs((double)th[k] - ET) / sdT : 0.0;
            j->target = gsl_cdf_ugaussian_Q(z) * 1e-3;
        }
        if (ci_window) {
            double sdW = sqrt(var);
            double q0 = mnw / 2.0 + gsl_cdf_ugaussian_Pinv(alpha_q) * sdW;
            ci_half = (int64_t)(0.05 * sdW) + 8;
            int64_t qlo = (int64_t)floor(q0) - ci_half, qhi = (int64_t)ceil(q0) + ci_half;
            if (qlo < 0) qlo = 0;
            if (qhi < qlo) qhi = qlo;
            int64_t lo = 2 * qlo + off - 2, hi = 2 * qhi + off;
            /* share a p-value window when it is close by */
            for (size_t k = 0; k < njobs; k++) {
                int64_t a = jobs[k].lo < lo ? jobs[k].lo : lo,
                        b = jobs[k].hi > hi ? jobs[k].hi : hi;
                if ((double)(b - a) <= 2.0 * sdT + (double)(hi - lo)) {
                    jobs[k].lo = a;
                    jobs[k].hi = b;
                    if (jobs[k].target > alpha_q * 1e-1) jobs[k].target = alpha_q * 1e-1;
                    ci_job = k + 1;
                    break;
                }
            }
            if (!ci_job) {
                band_job *j = &jobs[njobs++];
                j->scores = scores;
                j->m = nx;
                j->n = ny;
                j->lo = lo;
                j->hi = hi;
                j->target = alpha_q * 1e-1;
                ci_job = njobs;
            }
        }
        /* At most three distinct scores (e.g. a 3-category outcome): closed-form sums. */
        if ((st = rk__ranksum_cat_build(scores, nx, ny, &cat, err))) goto done;
        if (!cat) {
            /* Two engines, chosen on predicted cost (a model of where the mass lies):
             * - meet in the middle: two half sweeps on two threads, then every tail is
             *   one pass over the middle layers (best with several windows);
             * - one pruned sweep per window (jobs above, two at a time), which also
             *   sums decided states (best for a single window or very unequal sizes).
             * Hopeless sizes are refused before starting. */
            double band_work = 0.0, band_mem = 0.0, band_wall = 0.0;
            for (size_t k = 0; k < njobs; k++) {
                double w, l;
                if ((st = rk__ranksum_band_predict(scores, nx, ny, jobs[k].lo, jobs[k].hi, &w, &l,
                                                   err)))
                    goto done;
                band_work += w;
                if (w > band_wall) band_wall = w;
                if (l * RK__RANKSUM_BYTES_PER_STATE > band_mem)
                    band_mem = l * RK__RANKSUM_BYTES_PER_STATE;
            }
            if (njobs > 2 || band_work / 2.0 > band_wall) band_wall = band_work / 2.0;
            double mid_work, mid_live;
            if ((st = rk__ranksum_band_predict(scores, nx, ny, INT64_MIN / 4, INT64_MAX / 4,
                                               &mid_work, &mid_live, err)))
                goto done;
            double mid_mem = 2.0 * mid_live * RK__RANKSUM_BYTES_PER_STATE;
            int use_mid = mid_mem <= 4.0 * 1073741824.0 && mid_work <= RK__RANKSUM_BAND_MAX_WORK &&
                          (mid_work / 2.0 <= band_wall || band_mem > 4.0 * 1073741824.0 ||
                           band_work > RK__RANKSUM_BAND_MAX_WORK);
            if (!use_mid && band_mem > 4.0 * 1073741824.0) {
                st = rk_error_set(
                    err, RK_ERANGE,
                    "exact rank-sum distribution for group sizes %zu and %zu with this "
                    "tie pattern needs about %.1f GiB (limit 4 GiB); use the asymptotic "
                    "method",
                    nx, ny, (mid_mem < band_mem ? mid_mem : band_mem) / 1073741824.0);
                goto done;
            }
            if (!use_mid && band_work > RK__RANKSUM_BAND_MAX_WORK) {
                st = rk_error_set(
                    err, RK_ERANGE,
                    "exact rank-sum distribution for group sizes %zu and %zu would take "
                    "about %.2g operations (limit %.0e, a few minutes); use the "
                    "asymptotic method",
                    nx, ny, band_work < mid_work ? band_work : mid_work, RK__RANKSUM_BAND_MAX_WORK);
                goto done;
            }
            if (use_mid) {
                double target = 1.0;
                for (size_t k = 0; k < njobs; k++)
                    if (jobs[k].target < target) target = jobs[k].target;
                /* each dropped state is below delta and there are fewer drops than
                 * multiply-adds (predicted work): dropped mass <= 1e-10 target a
                 * priori, target <= 1/10 of any probability to be read.  The mass
                 * actually dropped is summed and checked below; in practice it is
                 * 1e-4 to 1e-3 of that bound, so the check passes with a wide margin
                 * (otherwise: again with a smaller delta). */
                double delta = target * 1e-10 / (mid_work > 1.0 ? mid_work : 1.0);
                for (int attempt = 0;; attempt++) {
                    if ((st = rk__ranksum_mid_build(scores, nx, ny, delta, &mid, err))) {
                        if (st != RK_ERANGE || band_mem > 4.0 * 1073741824.0 ||
                            band_work > RK__RANKSUM_BAND_MAX_WORK)
                            goto done;
                        st = RK_OK; /* the layers did not fit after all: one window at a time */
                        mid = NULL;
                        break;
                    }
                    /* certify: the error bound must be negligible against what is read */
                    double p =
                        mid_pvalue(mid, NULL, o->alternative, has_ties, W > mnw / 2.0, tx, th, nth);
                    mid_p = p;
                    double need = ci_window && alpha_q * 0.5 < p ? alpha_q * 0.5 : p;
                    double e = rk__ranksum_mid_error(mid);
                    if (e == 0.0 || e <= 1e-14 * need || attempt == 2) break;
                    rk__ranksum_mid_free(mid);
                    mid = NULL;
                    delta = attempt == 0 && need > 0 ? need * 1e-30 : 0.0;
                }
            }
            if (!mid && (st = band_run_all(jobs, njobs, 2.0 * band_mem <= 4.0 * 1073741824.0, err)))
                goto done;
        }
        double p;
        if (cat) {
            p = mid_pvalue(NULL, cat, o->alternative, has_ties, W > mnw / 2.0, tx, th, nth);
        } else if (mid) {
            p = mid_p; /* computed when certifying the tables */
        } else if (nth == 0) {
            p = 1.0; /* t at the centre: every split is at least as extreme */
        } else if (o->alternative == RK_ALT_LESS) {
            p = win_cdf(&jobs[0].win, tx);
        } else if (o->alternative == RK_ALT_GREATER) {
            p = win_sf(&jobs[0].win, tx);
        } else if (!has_ties) {
            /* R wilcox.test: the tail on the observed side, doubled */
            p = 2.0 * (W > mnw / 2.0 ? win_sf(&jobs[0].win, tx) : win_cdf(&jobs[0].win, tx));
        } else {
            /* coin: P(|T - E| >= |t - E|), compared exactly as |N T - m S| in integers */
            p = win_cdf(&jobs[0].win, th[0]) + win_sf(&jobs[1].win, th[1]);
        }
        res->p_value = p > 1.0 ? 1.0 : p;
        res->exact = 1;
        snprintf(res->method, sizeof res->method, "%s",
                 has_ties ? "Wilcoxon rank sum exact test (conditional on ties)"
                          : "Wilcoxon rank sum exact test");
    } else {
        rk__gsl_init();
        double z = W - mnw / 2.0, corr = 0.0;
        if (o->correct) /* R wilcox.test: 0.5 towards the mean, signed by alternative */
            corr = o->alternative == RK_ALT_TWO_SIDED ? (z > 0   ? 0.5
                                                         : z < 0 ? -0.5
                                                                 : 0.0)
                   : o->alternative == RK_ALT_GREATER ? 0.5
                                                      : -0.5;
        double sd = sqrt(var);
        if (sd > 0) {
            z = (z - corr) / sd;
            double pl = gsl_cdf_ugaussian_P(z), pu = gsl_cdf_ugaussian_Q(z);
            res->p_value = o->alternative == RK_ALT_LESS      ? pl
                           : o->alternative == RK_ALT_GREATER ? pu
                                                              : 2.0 * (pl < pu ? pl : pu);
            if (res->p_value > 1.0) res->p_value = 1.0;
        } else {
            z = NAN; /* every observation tied: no evidence either way */
            res->p_value = 1.0;
        }
        rk_htest_add(res, "z", z);
        res->exact = 0;
        snprintf(res->method, sizeof res->method, "%s",
                 o->correct ? "Wilcoxon rank sum test with continuity correction"
                            : "Wilcoxon rank sum test (normal approximation)");
    }
    rk_htest_add(res, "n_x", dnx);
    rk_htest_add(res, "n_y", dny);
    rk_htest_add(res, "n_ties", (double)ties.n_tied);

    if (o->conf_int) {
        xs = rk__sorted_copy(x, nx, err);
        ys = xs ? rk__sorted_copy(y, ny, err) : NULL;
        if (!xs || !ys) {
            st = RK_ENOMEM;
            goto done;
        }
        if ((st = rk__hl_shift_sorted(xs, nx, ys, ny, &res->estimate, err))) goto done;
        snprintf(res->estimate_name, sizeof res->estimate_name,
                 "difference in location (Hodges-Lehmann)");
        double level = o->conf_level;
        uint64_t M = (uint64_t)nx * (uint64_t)ny, qu = 0;
        double lo = -INFINITY, hi = INFINITY;
        if (exact) {
            /* R's exact rule: qu = qwilcox(alpha/2) (alpha one-sided), at least 1;
             * limits d[qu] and d[M - qu + 1].  With ties the quantile comes from
             * the conditional distribution of the observed tie pattern. */
            double below = 0.0;
            if (ci_window && (mid || cat)) {
                double q0 = mnw / 2.0 + gsl_cdf_ugaussian_Pinv(alpha_q) * sqrt(var);
                qu = mid_quantile(mid, cat, nx, M, alpha_q, q0, sqrt(var), &below);
            } else if (ci_window) {
                /* the quantile from the window; move or widen it until it is inside */
                const rk__ranksum_window *w = &jobs[ci_job - 1].win;
                band_job extra;
                memset(&extra, 0, sizeof extra);
                int found = 0, dir = 0;
                for (int attempt = 0; attempt < 40 && !found; attempt++) {
                    found = win_quantile(w, nx, alpha_q, &qu, &below, &dir);
                    if (found) break;
                    int64_t lo = (attempt ? extra.lo : w->t_lo),
                            hi = (attempt ? extra.hi : w->t_hi);
                    int64_t step = 4 * (ci_half + (hi - lo) / 4) + 4;
                    if (dir < 0)
                        lo -= step;
                    else
                        hi += step;
                    if (lo < off - 2) lo = off - 2;
                    free(extra.win.dist);
                    memset(&extra, 0, sizeof extra);
                    extra.scores = scores;
                    extra.m = nx;
                    extra.n = ny;
                    extra.lo = lo;
                    extra.hi = hi;
                    extra.target = alpha_q * 1e-1;
                    if ((st = band_run_all(&extra, 1, 0, err))) break;
                    w = &extra.win;
                }
                free(extra.win.dist);
                if (st) goto done;
                if (!found) {
                    st = rk_error_set(err, RK_EINTERNAL,
                                      "exact Wilcoxon CI: quantile window search did not converge");
                    goto done;
                }
            } else {
                if (!dist &&
                    (st = rk_ranksum_exact_dist(scores, nx, ny, &dist, &min_sum, &len, err)))
                    goto done;
                qu = rk__ranksum_quantile(dist, min_sum, len, nx, alpha_q, &below);
            }
            if (qu == 0) {
                qu = 1;
                below = 0.0; /* achieved alpha = 2 * P(W <= qu - 1) = 2 * P(W <= 0) */
                if (ci_window && (mid || cat)) {
                    below = tail_cdf(mid, cat, off);
                } else if (ci_window) {
                    below = win_cdf(&jobs[ci_job - 1].win, off);
                    if (below < 0) { /* not in the first window: it was moved */
                        band_job z;
                        memset(&z, 0, sizeof z);
                        z.scores = scores;
                        z.m = nx;
                        z.n = ny;
                        z.lo = z.hi = off;
                        z.target = alpha_q * 1e-1;
                        if ((st = band_run_all(&z, 1, 0, err))) goto done;
                        below = win_cdf(&z.win, off);
                        free(z.win.dist);
                    }
                } else {
                    for (size_t i = 0; i < len && min_sum + (int64_t)i <= off; i++)
                        below += dist[i];
                }
            }
            double achieved = two ? 2.0 * below : below;
            if (achieved - alpha > alpha / 2.0) level = 1.0 - achieved; /* R: not achievable */
            if (qu > M) qu = M;
            if (o->alternative != RK_ALT_LESS) lo = order_stat(xs, nx, ys, ny, qu, &st, err);
            if (o->alternative != RK_ALT_GREATER)
                hi = order_stat(xs, nx, ys, ny, M - qu + 1, &st, err);
            snprintf(res->note, sizeof res->note, "%s",
                     has_ties ? "exact CI: order statistics d[q], d[M+1-q] of the differences, q "
                                "from the exact conditional null distribution given the ties"
                              : "exact CI: order statistics d[q], d[M+1-q] of the differences, q "
                                "= qwilcox(alpha/2) as R");
        } else {
            /* Moses: C = M/2 - z * sd (tie-corrected), rounded to the nearest integer,
             * clamped to 1..M; limits d[C], d[M+1-C]. */
            rk__gsl_init();
            double zq = gsl_cdf_ugaussian_Qinv(two ? alpha / 2.0 : alpha);
            double c = floor((double)M / 2.0 - zq * sqrt(var) + 0.5);
            if (c < 1.0) c = 1.0;
            if (c > (double)M) c = (double)M;
            qu = (uint64_t)c;
            if (o->alternative != RK_ALT_LESS) lo = order_stat(xs, nx, ys, ny, qu, &st, err);
            if (o->alternative != RK_ALT_GREATER)
                hi = order_stat(xs, nx, ys, ny, M - qu + 1, &st, err);
            snprintf(res->note, sizeof res->note, "%s",
                     "Moses CI: order statistics d[C], d[M+1-C], C = round(M/2 - z*sd) with "
                     "tie-corrected sd; estimate is the true median of the differences");
        }
        if (st) goto done;
        res->conf_int[0] = lo;
        res->conf_int[1] = hi;
        res->conf_level = level;
    }

done:
    free(pool);
    free(rk);
    free(scores);
    free(xs);
    free(ys);
    free(dist);
    for (size_t k = 0; k < njobs; k++)
        free(jobs[k].win.dist);
    rk__ranksum_mid_free(mid);
    rk__ranksum_cat_free(cat);
    return st;
}
