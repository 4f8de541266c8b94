/* Exact conditional rank-sum tails when the scores take at most three distinct values (2 x g
 * tables, g <= 3): sums of hypergeometric probabilities, no dynamic programme. */
#include <stdlib.h>
#include <string.h>

#include "stats/wilcoxon.h"

struct rk__ranksum_cat {
    int64_t v[3];      /* the distinct scores, ascending (padded when fewer) */
    size_t t[3];       /* how many items carry each */
    size_t m;          /* first-group size */
    size_t a1lo, a1hi; /* range of a1 = first-group items with score v[0] */
    double *p1;        /* P(a1), a1 = a1lo..a1hi */
    size_t *off;       /* per a1: offset of its a2 table in q / pre / suf */
    size_t *a2lo, *a2hi;
    double *pre, *suf; /* P(a2 <= b | a1) from the low end, P(a2 >= b | a1) from the high end */
};

/* Normalised probabilities of a = lo..hi proportional to C(A, a) C(B, r - a),
 * by the ratio recurrence from the mode (no lgamma: relative error ~1e-14). */
static void hyper_pmf(size_t A, size_t B, size_t r, size_t lo, size_t hi, double *w)
{
    double dA = (double)A, dB = (double)B, dr = (double)r;
    size_t mode = (size_t)((dr + 1.0) * (dA + 1.0) / (dA + dB + 2.0));
    if (mode < lo) mode = lo;
    if (mode > hi) mode = hi;
    w[mode - lo] = 1.0;
    for (size_t a = mode; a < hi; a++) { /* w(a + 1) / w(a) */
        double da = (double)a;
        w[a + 1 - lo] = w[a - lo] * (dA - da) * (dr - da) / ((da + 1.0) * (dB - dr + da + 1.0));
    }
    for (size_t a = mode; a > lo; a--) { /* w(a - 1) / w(a) */
        double da = (double)a;
        w[a - 1 - lo] = w[a - lo] * da * (dB - dr + da) / ((dA - da + 1.0) * (dr - da + 1.0));
    }
    double s = 0.0;
    for (size_t a = lo; a <= hi; a++)
        s += w[a - lo];
    for (size_t a = lo; a <= hi; a++)
        w[a - lo] /= s;
}

void rk__ranksum_cat_free(rk__ranksum_cat *c)
{
    if (!c) return;
    free(c->p1);
    free(c->off);
    free(c->a2lo);
    free(c->a2hi);
    free(c->pre);
    free(c->suf);
    free(c);
}

rk_status rk__ranksum_cat_build(const int64_t *scores, size_t m, size_t n, rk__ranksum_cat **out,
                                rk_error *err)
{
    *out = NULL;
    size_t N = m + n;
    if (m == 0 || n == 0)
        return rk_error_set(err, RK_EINVAL, "exact rank-sum distribution: %s group is empty",
                            m == 0 ? "first" : "second");
    int64_t *s = malloc(N * sizeof *s);
    rk__ranksum_cat *c = calloc(1, sizeof *c);
    if (!s || !c) {
        free(s);
        free(c);
        return rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
    }
    memcpy(s, scores, N * sizeof *s);
    qsort(s, N, sizeof *s, rk__cmp_i64);
    size_t g = 0;
    for (size_t i = 0; i < N; i++) {
        if (i == 0 || s[i] != s[i - 1]) {
            if (g == 3) { /* more than three values: not for this method */
                free(s);
                free(c);
                return RK_OK;
            }
            c->v[g++] = s[i];
        }
        c->t[g - 1]++;
    }
    free(s);
    for (size_t k = g; k < 3; k++)
        c->v[k] = c->v[k - 1] + 1; /* empty categories */
    c->m = m;
    size_t t1 = c->t[0], t23 = c->t[1] + c->t[2];
    c->a1lo = m > t23 ? m - t23 : 0;
    c->a1hi = m < t1 ? m : t1;
    size_t n1 = c->a1hi - c->a1lo + 1, tot = 0;
    c->p1 = malloc(n1 * sizeof *c->p1);
    c->off = malloc(n1 * sizeof *c->off);
    c->a2lo = malloc(n1 * sizeof *c->a2lo);
    c->a2hi = malloc(n1 * sizeof *c->a2hi);
    if (!c->p1 || !c->off || !c->a2lo || !c->a2hi) goto nomem;
    hyper_pmf(t1, t23, m, c->a1lo, c->a1hi, c->p1);
    for (size_t i = 0; i < n1; i++) {
        size_t r = m - (c->a1lo + i);
        c->a2lo[i] = r > c->t[2] ? r - c->t[2] : 0;
        c->a2hi[i] = r < c->t[1] ? r : c->t[1];
        c->off[i] = tot;
        tot += c->a2hi[i] - c->a2lo[i] + 1;
    }
    c->pre = malloc(tot * sizeof *c->pre);
    c->suf = malloc(tot * sizeof *c->suf);
    if (!c->pre || !c->suf) goto nomem;
    for (size_t i = 0; i < n1; i++) {
        size_t r = m - (c->a1lo + i), lo = c->a2lo[i], hi = c->a2hi[i];
        double *w = c->suf + c->off[i]; /* pmf first, then cumulated */
        hyper_pmf(c->t[1], c->t[2], r, lo, hi, w);
        double *p = c->pre + c->off[i];
        double acc = 0.0;
        for (size_t a = 0; a <= hi - lo; a++)
            p[a] = acc += w[a];
        acc = 0.0;
        for (size_t a = hi - lo + 1; a-- > 0;)
            w[a] = acc += w[a];
    }
    *out = c;
    return RK_OK;
nomem:
    rk__ranksum_cat_free(c);
    return rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
}

/* floor / ceil of a / b for b > 0 */
static int64_t fdiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}
static int64_t cdiv(int64_t a, int64_t b)
{
    return -fdiv(-a, b);
}

/* T = a1 v1 + a2 v2 + (r - a2) v3, r = m - a1: decreasing in a2.
 * P(T <= x) = sum_a1 P(a1) P(a2 >= ceil((a1 v1 + r v3 - x) / (v3 - v2)) | a1);
 * P(T >= x) = sum_a1 P(a1) P(a2 <= floor(...) | a1). */
static double cat_tail(const rk__ranksum_cat *c, int64_t x, int upper)
{
    int64_t d = c->v[2] - c->v[1];
    double acc = 0.0;
    for (size_t i = 0; i <= c->a1hi - c->a1lo; i++) {
        int64_t a1 = (int64_t)(c->a1lo + i), r = (int64_t)c->m - a1;
        int64_t num = a1 * c->v[0] + r * c->v[2] - x;
        int64_t lo = (int64_t)c->a2lo[i], hi = (int64_t)c->a2hi[i];
        double q;
        if (!upper) {
            int64_t b = cdiv(num, d);
            q = b <= lo ? c->suf[c->off[i]] : b > hi ? 0.0 : c->suf[c->off[i] + (size_t)(b - lo)];
        } else {
            int64_t b = fdiv(num, d);
            q = b >= hi  ? c->pre[c->off[i] + (size_t)(hi - lo)]
                : b < lo ? 0.0
                         : c->pre[c->off[i] + (size_t)(b - lo)];
        }
        acc += c->p1[i] * q;
    }
    return acc;
}

double rk__ranksum_cat_cdf(const rk__ranksum_cat *c, int64_t x)
{
    return cat_tail(c, x, 0);
}
double rk__ranksum_cat_sf(const rk__ranksum_cat *c, int64_t x)
{
    return cat_tail(c, x, 1);
}
