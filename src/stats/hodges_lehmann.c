/* Exact selection of order statistics of pairwise differences and Walsh averages without materializing them, and the Hodges-Lehmann shift. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hodges_lehmann.h"
#include "stats/htest.h"

/* ------------------------------------------------------------ helpers */

/* splitmix64: a local pseudo-random stream for pivots (state lives on the stack). */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double rk__select_inplace(double *a, size_t n, size_t k)
{
    uint64_t s = 0x243F6A8885A308D3ull ^ (uint64_t)n ^ ((uint64_t)k << 17);
    size_t lo = 0, hi = n; /* the answer is in a[lo..hi-1] */
    while (hi - lo > 1) {
        double p = a[lo + (size_t)(rng_next(&s) % (hi - lo))];
        /* three-way partition: [lo,lt) < p, [lt,gt) == p, [gt,hi) > p */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (a[i] < p) {
                double t = a[lt];
                a[lt++] = a[i];
                a[i++] = t;
            } else if (a[i] > p) {
                double t = a[--gt];
                a[gt] = a[i];
                a[i] = t;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return p;
    }
    return a[k];
}

/* An implicit matrix whose rows and columns are both non-decreasing:
 *  - differences: M[i][j] = a[i] - b[nc-1-j] (rows x ascending, columns y descending);
 *  - Walsh averages: M[i][j] = (a[i] + a[j]) / 2, only j >= i belongs to the set.
 * Floating-point subtraction and addition are monotone in each argument, so the
 * computed values form a sorted matrix too and selection is exact with respect
 * to the brute-force values computed by the same formula. */
typedef struct smat {
    const double *a, *b;
    size_t nr, nc;
    int walsh;
} smat;

static inline double sm_val(const smat *m, size_t i, size_t j)
{
    if (m->walsh) return (m->a[i] + m->a[j]) / 2.0;
    return m->a[i] - m->b[m->nc - 1 - j];
}

static inline size_t sm_start(const smat *m, size_t i) { return m->walsh ? i : 0; }

/* Per row i, the first column c in [lo[i], hi[i]] with M[i][c] >= t (strict = 1)
 * or > t (strict = 0), i.e. the clamped count of smaller elements.  Valid when
 * every element left of lo[i] is below t and every one from hi[i] on is above
 * (true for a pivot drawn from the active set).  Staircase walk: p is
 * non-increasing in i. */
static uint64_t sm_count(const smat *m, double t, int strict, const size_t *lo, const size_t *hi,
                         size_t *p)
{
    uint64_t cnt = 0;
    size_t j = m->nc;
    for (size_t i = 0; i < m->nr; i++) {
        if (j > hi[i]) j = hi[i];
        if (j < lo[i]) j = lo[i];
        if (strict)
            while (j > lo[i] && sm_val(m, i, j - 1) >= t) j--;
        else
            while (j > lo[i] && sm_val(m, i, j - 1) > t) j--;
        p[i] = j;
        cnt += j - sm_start(m, i);
    }
    return cnt;
}

#define SAMPLE 4096 /* sample size of the two-pivot step */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Draw SAMPLE active elements uniformly (with replacement), sort them and return
 * two of them bracketing the relative rank frac.  cum is scratch of nr entries
 * (reused as uint64 prefix counts). Returns 0 on allocation failure. */
static int sample_pivots(const smat *m, const size_t *lo, const size_t *hi, uint64_t active,
                         double frac, uint64_t *s, size_t *cum, double *t_lo, double *t_hi)
{
    double *smp = malloc(SAMPLE * sizeof *smp);
    if (!smp) return 0;
    uint64_t acc = 0;
    for (size_t i = 0; i < m->nr; i++) {
        acc += hi[i] - lo[i];
        cum[i] = (size_t)acc; /* candidates in rows 0..i */
    }
    for (size_t t = 0; t < SAMPLE; t++) {
        uint64_t r = rng_next(s) % active;
        size_t a = 0, b = m->nr - 1; /* first row with cum > r */
        while (a < b) {
            size_t c = a + (b - a) / 2;
            if ((uint64_t)cum[c] > r) b = c;
            else a = c + 1;
        }
        uint64_t before = a ? (uint64_t)cum[a - 1] : 0;
        smp[t] = sm_val(m, a, lo[a] + (size_t)(r - before));
    }
    qsort(smp, SAMPLE, sizeof *smp, cmp_dbl);
    double centre = frac * SAMPLE, half = 3.0 * sqrt(SAMPLE * frac * (1 - frac)) + 3.0;
    double a = floor(centre - half), b = ceil(centre + half);
    if (a < 0) a = 0;
    if (b > SAMPLE - 1) b = SAMPLE - 1;
    *t_lo = smp[(size_t)a];
    *t_hi = smp[(size_t)b];
    free(smp);
    return 1;
}

/* k-th smallest (1-based) element of the implicit matrix (Johnson & Mizoguchi
 * 1978 / Monahan 1984 style): keep per-row bounds [lo[i], hi[i]) of the columns
 * that can still hold the answer, draw a pivot uniformly from them, count the
 * elements < pivot and <= pivot by a staircase walk and discard one side.
 * Once few candidates remain they are copied out and quick-selected. */
static rk_status sm_select(const smat *m, uint64_t k, double *out, rk_error *err)
{
    size_t nr = m->nr;
    size_t *lo = malloc(nr * sizeof *lo), *hi = malloc(nr * sizeof *hi);
    size_t *pl = malloc(nr * sizeof *pl), *pq = malloc(nr * sizeof *pq);
    double *buf = NULL;
    rk_status st = RK_OK;
    if (!lo || !hi || !pl || !pq) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory selecting among %zu x %zu values",
                          m->nr, m->nc);
        goto done;
    }
    uint64_t active = 0;
    for (size_t i = 0; i < nr; i++) {
        lo[i] = sm_start(m, i);
        hi[i] = m->nc;
        active += hi[i] - lo[i];
    }
    uint64_t below = 0; /* elements known to be smaller than the answer */
    uint64_t s = 0x452821E638D01377ull ^ k ^ ((uint64_t)m->nr << 32) ^ (uint64_t)m->nc;
    uint64_t small = 2 * (uint64_t)(m->nr + m->nc);
    if (small < 4096) small = 4096;
    int stalled = 0;
    for (;;) {
        if (active <= small) {
            buf = malloc((size_t)(active ? active : 1) * sizeof *buf);
            if (!buf) {
                st = rk_error_set(err, RK_ENOMEM, "out of memory selecting among %zu x %zu values",
                                  m->nr, m->nc);
                goto done;
            }
            size_t w = 0;
            for (size_t i = 0; i < nr; i++)
                for (size_t j = lo[i]; j < hi[i]; j++) buf[w++] = sm_val(m, i, j);
            if (k <= below || k - below > w) {
                st = rk_error_set(err, RK_EINTERNAL, "selection lost its target (rank %llu)",
                                  (unsigned long long)k);
                goto done;
            }
            *out = rk__select_inplace(buf, w, (size_t)(k - below - 1));
            goto done;
        }
        if (active > 64 * small && !stalled) {
            /* Floyd-Rivest style step: two pivots from a random sample, bracketing
             * rank k with high probability; 2 staircase passes shrink the candidates
             * by about sqrt(SAMPLE)/5 instead of 2 per pass for one random pivot. */
            double t_lo, t_hi;
            uint64_t before = active;
            if (!sample_pivots(m, lo, hi, active, (double)(k - below) / (double)active, &s,
                               pl /* scratch */, &t_lo, &t_hi)) {
                stalled = 1;
                continue;
            }
            uint64_t cl = sm_count(m, t_lo, 1, lo, hi, pl);
            uint64_t cq = sm_count(m, t_hi, 0, lo, hi, pq);
            if (k <= cl) {
                memcpy(hi, pl, nr * sizeof *hi);
            } else if (k > cq) {
                memcpy(lo, pq, nr * sizeof *lo);
                below = cq;
            } else {
                memcpy(lo, pl, nr * sizeof *lo);
                memcpy(hi, pq, nr * sizeof *hi);
                below = cl;
            }
            active = 0;
            for (size_t i = 0; i < nr; i++) active += hi[i] - lo[i];
            if (active * 4 > before * 3) stalled = 1; /* little progress: random pivots */
            continue;
        }
        /* pivot: a uniformly drawn active element */
        uint64_t r = rng_next(&s) % active;
        size_t pi = 0;
        while (r >= hi[pi] - lo[pi]) {
            r -= hi[pi] - lo[pi];
            pi++;
        }
        double t = sm_val(m, pi, lo[pi] + (size_t)r);
        uint64_t cl = sm_count(m, t, 1, lo, hi, pl);
        if (k <= cl) {
            memcpy(hi, pl, nr * sizeof *hi);
        } else {
            uint64_t cq = sm_count(m, t, 0, lo, hi, pq);
            if (k <= cq) {
                *out = t;
                goto done;
            }
            memcpy(lo, pq, nr * sizeof *lo);
            below = cq;
        }
        active = 0;
        for (size_t i = 0; i < nr; i++) active += hi[i] - lo[i];
    }
done:
    free(lo);
    free(hi);
    free(pl);
    free(pq);
    free(buf);
    return st;
}

/* The smallest element strictly greater than a, or a itself when at least
 * k + 1 elements are <= a (a being the k-th smallest): the (k+1)-th smallest.
 * One unclamped staircase pass, O(nr + nc). */
static double sm_next(const smat *m, uint64_t k, double a)
{
    uint64_t cnt = 0;
    double best = INFINITY;
    int found = 0;
    size_t j = m->nc;
    for (size_t i = 0; i < m->nr; i++) {
        while (j > 0 && sm_val(m, i, j - 1) > a) j--;
        size_t q = j < sm_start(m, i) ? sm_start(m, i) : j;
        cnt += q - sm_start(m, i);
        if (q < m->nc) {
            double v = sm_val(m, i, q);
            if (!found || v < best) best = v;
            found = 1;
        }
    }
    if (cnt >= k + 1 || !found) return a;
    return best;
}

static rk_status check_sorted(const double *x, size_t n, const char *what, rk_error *err)
{
    rk_status st = rk__check_finite(x, n, what, err);
    if (st) return st;
    for (size_t i = 1; i < n; i++)
        if (x[i] < x[i - 1])
            return rk_error_set(err, RK_EINVAL, "%s: values must be sorted ascending (value %zu)",
                                what, i + 1);
    return RK_OK;
}

/* ------------------------------------------------------------- public */

rk_status rk__pairwise_diff_select2(const double *xs, size_t nx, const double *ys, size_t ny,
                                    uint64_t k, double *kth, double *kth1, rk_error *err)
{
    if (nx == 0 || ny == 0)
        return rk_error_set(err, RK_EINVAL, "pairwise differences: %s sample is empty",
                            nx == 0 ? "first" : "second");
    if ((uint64_t)nx > UINT64_MAX / (uint64_t)ny)
        return rk_error_set(err, RK_ERANGE, "pairwise differences: %zu x %zu is too many", nx, ny);
    uint64_t total = (uint64_t)nx * (uint64_t)ny;
    if (k < 1 || k > total)
        return rk_error_set(err, RK_EINVAL,
                            "pairwise differences: rank %llu is outside 1..%llu",
                            (unsigned long long)k, (unsigned long long)total);
    rk_status st = check_sorted(xs, nx, "pairwise differences (x)", err);
    if (!st) st = check_sorted(ys, ny, "pairwise differences (y)", err);
    if (st) return st;
    smat m = {xs, ys, nx, ny, 0};
    double v = NAN;
    st = sm_select(&m, k, &v, err);
    if (st) return st;
    *kth = v;
    if (kth1) *kth1 = k < total ? sm_next(&m, k, v) : v;
    return RK_OK;
}

rk_status rk__walsh_select2(const double *xs, size_t n, uint64_t k, double *kth, double *kth1,
                            rk_error *err)
{
    if (n == 0) return rk_error_set(err, RK_EINVAL, "Walsh averages: the sample is empty");
    uint64_t total = (uint64_t)n % 2 == 0 ? ((uint64_t)n / 2) * ((uint64_t)n + 1)
                                          : (uint64_t)n * (((uint64_t)n + 1) / 2);
    if (k < 1 || k > total)
        return rk_error_set(err, RK_EINVAL, "Walsh averages: rank %llu is outside 1..%llu",
                            (unsigned long long)k, (unsigned long long)total);
    rk_status st = check_sorted(xs, n, "Walsh averages", err);
    if (st) return st;
    smat m = {xs, xs, n, n, 1};
    double v = NAN;
    st = sm_select(&m, k, &v, err);
    if (st) return st;
    *kth = v;
    if (kth1) *kth1 = k < total ? sm_next(&m, k, v) : v;
    return RK_OK;
}

rk_status rk_pairwise_diff_select(const double *xs, size_t nx, const double *ys, size_t ny,
                                  uint64_t k, double *out, rk_error *err)
{
    return rk__pairwise_diff_select2(xs, nx, ys, ny, k, out, NULL, err);
}

rk_status rk_walsh_select(const double *xs, size_t n, uint64_t k, double *out, rk_error *err)
{
    return rk__walsh_select2(xs, n, k, out, NULL, err);
}

rk_status rk__hl_shift_sorted(const double *xs, size_t nx, const double *ys, size_t ny,
                              double *estimate, rk_error *err)
{
    if (nx == 0 || ny == 0)
        return rk_error_set(err, RK_EINVAL, "Hodges-Lehmann shift: %s sample is empty",
                            nx == 0 ? "x" : "y");
    uint64_t total = (uint64_t)nx * (uint64_t)ny;
    double a, b;
    /* R's median(): the middle value, or the mean of the two middle ones */
    rk_status st = rk__pairwise_diff_select2(xs, nx, ys, ny, (total + 1) / 2, &a, &b, err);
    if (st) return st;
    *estimate = total % 2 ? a : (a + b) / 2.0;
    return RK_OK;
}

rk_status rk_hodges_lehmann_shift(const double *x, size_t nx, const double *y, size_t ny,
                                  double *estimate, rk_error *err)
{
    if (nx == 0 || ny == 0)
        return rk_error_set(err, RK_EINVAL, "Hodges-Lehmann shift: %s sample is empty",
                            nx == 0 ? "x" : "y");
    rk_status st = rk__check_finite(x, nx, "Hodges-Lehmann shift (x)", err);
    if (!st) st = rk__check_finite(y, ny, "Hodges-Lehmann shift (y)", err);
    if (st) return st;
    double *xs = rk__sorted_copy(x, nx, err);
    if (!xs) return RK_ENOMEM;
    double *ys = rk__sorted_copy(y, ny, err);
    if (!ys) {
        free(xs);
        return RK_ENOMEM;
    }
    st = rk__hl_shift_sorted(xs, nx, ys, ny, estimate, err);
    free(xs);
    free(ys);
    return st;
}
