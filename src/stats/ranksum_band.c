/* Exact conditional rank-sum probabilities restricted to a window of the statistic: the shift
 * dynamic programme with network-style pruning of decided states (Mehta-Patel-Tsiatis) and
 * certified pruning of negligible ones. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "stats/wilcoxon.h"

/* floor / ceil of a / b for b > 0 */
static int64_t fdiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}
static int64_t cdiv(int64_t a, int64_t b)
{
    return -fdiv(-a, b);
}

/* One row f[j][.] of the programme: values v[s - base] for s in [lo, hi]
 * (empty when lo > hi), capacity cap cells from base. */
typedef struct brow {
    double *v;
    int64_t base, lo, hi;
    size_t cap;
} brow;

typedef struct band_ctx {
    brow *rows;
    uint64_t cells;     /* allocated doubles over all rows */
    uint64_t max_cells; /* limit on cells */
} band_ctx;

/* Make [nlo, nhi] addressable in row r, keeping the values of [r->lo, r->hi].
 * Returns 0 when the memory limit is hit or allocation fails. */
static int row_reserve(band_ctx *c, brow *r, int64_t nlo, int64_t nhi)
{
    size_t need = (size_t)(nhi - nlo + 1);
    if (r->v && nlo >= r->base && nhi < r->base + (int64_t)r->cap &&
        (r->cap < 4096 || need > r->cap / 2))
        return 1;
    int empty = r->lo > r->hi;
    if (r->v && need <= r->cap && (r->cap < 4096 || need > r->cap / 2)) {
        /* slide the live cells to the left end */
        if (!empty)
            memmove(r->v + (r->lo - nlo), r->v + (r->lo - r->base),
                    (size_t)(r->hi - r->lo + 1) * sizeof *r->v);
        r->base = nlo;
        return 1;
    }
    size_t cap = need + need / 16 + 16;
    if (c->cells - r->cap + cap > c->max_cells) return 0;
    if (r->v && !empty) {
        /* realloc (grows or shrinks in place where it can; big rows are remapped,
         * not copied) after moving the live cells to the left end */
        memmove(r->v, r->v + (r->lo - r->base), (size_t)(r->hi - r->lo + 1) * sizeof *r->v);
        double *v = realloc(r->v, cap * sizeof *v);
        if (!v) return 0;
        if (nlo != r->lo) memmove(v + (r->lo - nlo), v, (size_t)(r->hi - r->lo + 1) * sizeof *v);
        c->cells = c->cells - r->cap + cap;
        r->v = v;
        r->cap = cap;
        r->base = nlo;
        return 1;
    }
    double *v = malloc(cap * sizeof *v);
    if (!v) return 0;
    if (!empty)
        memcpy(v + (r->lo - nlo), r->v + (r->lo - r->base),
               (size_t)(r->hi - r->lo + 1) * sizeof *v);
    free(r->v);
    c->cells = c->cells - r->cap + cap;
    r->v = v;
    r->cap = cap;
    r->base = nlo;
    return 1;
}

/* Free the buffers of rows [a, b) (rows that can no longer hold mass). */
static void rows_release(band_ctx *c, size_t a, size_t b)
{
    for (size_t j = a; j < b; j++) {
        brow *r = &c->rows[j];
        if (!r->v) continue;
        free(r->v);
        c->cells -= r->cap;
        r->v = NULL;
        r->cap = 0;
        r->lo = 1;
        r->hi = 0;
    }
}

static double sum_range(const brow *r, int64_t a, int64_t b)
{
    double s = 0.0;
    for (int64_t t = a; t <= b; t++)
        s += r->v[t - r->base];
    return s;
}

/* One item of the programme on row r (j) from its old self (scaled by py, when
 * self) and the old row p (j - 1) shifted by the item's score ci (scaled by px,
 * when prev).  Returns 0 when memory runs out. */
static inline int row_step(band_ctx *ctx, brow *r, const brow *p, int self, int prev, double py,
                           double px, int64_t ci, double *work)
{
    int64_t plo = prev ? p->lo + ci : 0, phi = prev ? p->hi + ci : -1;
    if (!self) {
        r->lo = 1;
        r->hi = 0;
        if (!row_reserve(ctx, r, plo, phi)) return 0;
        double *restrict d = r->v + (plo - r->base);
        const double *restrict s = p->v + (p->lo - p->base);
        size_t w = (size_t)(phi - plo + 1);
        for (size_t t = 0; t < w; t++)
            d[t] = px * s[t];
        r->lo = plo;
        r->hi = phi;
        *work += (double)w;
    } else if (!prev) {
        double *d = r->v + (r->lo - r->base);
        size_t w = (size_t)(r->hi - r->lo + 1);
        for (size_t t = 0; t < w; t++)
            d[t] *= py;
        *work += (double)w;
    } else {
        int64_t nlo = r->lo < plo ? r->lo : plo, nhi = r->hi > phi ? r->hi : phi;
        if (!row_reserve(ctx, r, nlo, nhi)) return 0;
        double *v = r->v - r->base; /* v[s] addresses sum s */
        for (int64_t s = nlo; s < r->lo; s++)
            v[s] = 0.0;
        for (int64_t s = r->hi + 1; s <= nhi; s++)
            v[s] = 0.0;
        /* parts of the old row not hit by the shifted previous row */
        int64_t e1 = r->hi < plo - 1 ? r->hi : plo - 1;
        for (int64_t s = r->lo; s <= e1; s++)
            v[s] *= py;
        int64_t s2 = r->lo > phi + 1 ? r->lo : phi + 1;
        for (int64_t s = s2; s <= r->hi; s++)
            v[s] *= py;
        double *restrict d = v + plo;
        const double *restrict src = p->v + (p->lo - p->base);
        size_t w = (size_t)(phi - plo + 1);
        for (size_t t = 0; t < w; t++)
            d[t] = d[t] * py + px * src[t];
        r->lo = nlo;
        r->hi = nhi;
        *work += (double)(nhi - nlo + 1);
    }
    return 1;
}

/* The sweep is a few multiply-adds per state: an AVX2 clone (chosen at load time
 * on CPUs that have it) runs it about twice as fast.  AVX2 without FMA rounds
 * exactly as the baseline, so results do not depend on the CPU. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define RK__SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RK__SIMD_CLONES
#endif

RK__SIMD_CLONES
rk_status rk__ranksum_band(const int64_t *scores, size_t m, size_t n, int64_t t_lo, int64_t t_hi,
                           double delta, double eps, rk__ranksum_window *out, rk_error *err)
{
    double log_eps = eps > 0.0 ? -log(eps) : 0.0;
    memset(out, 0, sizeof *out);
    out->t_lo = t_lo;
    out->t_hi = t_hi;
    if (m == 0 || n == 0)
        return rk_error_set(err, RK_EINVAL, "exact rank-sum window: %s group is empty",
                            m == 0 ? "first" : "second");
    if (t_hi < t_lo)
        return rk_error_set(err, RK_EINVAL, "exact rank-sum window: empty window [%lld, %lld]",
                            (long long)t_lo, (long long)t_hi);
    size_t N = m + n;
    for (size_t i = 0; i < N; i++)
        if (scores[i] < 0 || scores[i] > ((int64_t)1 << 40))
            return rk_error_set(err, RK_EINVAL,
                                "exact rank-sum window: score %zu (%lld) is outside 0..2^40", i + 1,
                                (long long)scores[i]);
    if (t_hi - t_lo > ((int64_t)1 << 32))
        return rk_error_set(err, RK_ERANGE, "exact rank-sum window: window too wide");
    int64_t total = 0;
    for (size_t i = 0; i < N; i++)
        total += scores[i];
    int swap = m > n; /* run on the smaller group: T = total - T_other */
    size_t mm = swap ? n : m, nn = swap ? m : n;
    int64_t wlo = swap ? total - t_hi : t_lo, whi = swap ? total - t_lo : t_hi;

    rk_status st = RK_OK;
    int64_t *c = malloc(N * sizeof *c), *pre = malloc((N + 1) * sizeof *pre);
    band_ctx ctx = {calloc(mm + 1, sizeof(brow)), 0, RK__RANKSUM_MAX_CELLS};
    double *dist = calloc((size_t)(t_hi - t_lo + 1), sizeof *dist);
    if (!c || !pre || !ctx.rows || !dist) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
        goto done;
    }
    int64_t base, g;
    rk__ranksum_reduce(scores, N, c, &base, &g);
    pre[0] = 0;
    for (size_t i = 0; i < N; i++)
        pre[i + 1] = pre[i] + c[i];
    /* window in reduced sums: T = mm * base + g * s */
    int64_t slo = cdiv(wlo - (int64_t)mm * base, g), shi = fdiv(whi - (int64_t)mm * base, g);
    for (size_t j = 0; j <= mm; j++)
        ctx.rows[j].lo = 1, ctx.rows[j].hi = 0;
    if (!row_reserve(&ctx, &ctx.rows[0], 0, 0)) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
        goto done;
    }
    ctx.rows[0].lo = ctx.rows[0].hi = 0;
    ctx.rows[0].v[0] = 1.0;
    double below = 0.0, above = 0.0, dropped = 0.0, work = 0.0;
    size_t jlo = 0, jhi = 0; /* rows that may be non-empty */
    for (size_t i = 1; i <= N; i++) {
        int64_t ci = c[i - 1];
        double rem = (double)(N - i + 1);
        size_t top = jhi + 1 < mm ? jhi + 1 : mm;
        size_t bot = i > nn && i - nn > jlo ? i - nn : jlo;
        size_t R = N - i; /* items left after this one */
        for (size_t j = top + 1; j-- > bot;) {
            brow *r = &ctx.rows[j];
            brow *p = j > 0 && j - 1 >= jlo && j - 1 <= jhi ? &ctx.rows[j - 1] : NULL;
            double py = i - 1 - j < nn ? (double)(nn - (i - 1 - j)) / rem : 0.0;
            if (i - 1 < j) py = 0.0; /* row j was unreachable before this item */
            double px = (double)(mm - j + 1) / rem;
            int self = r->lo <= r->hi && py > 0.0 && j >= jlo && j <= jhi;
            int prev = p && p->lo <= p->hi;
            if (!self && !prev) {
                r->lo = 1;
                r->hi = 0;
                continue;
            }
            if (!row_step(&ctx, r, p, self, prev, py, px, ci, &work)) goto nomem;
            /* decided states: every completion below or above the window */
            size_t k = mm - j; /* first-group items still to place among the R left */
            int64_t minrem = pre[i + k] - pre[i], maxrem = pre[N] - pre[N - k];
            int64_t cut = slo - maxrem - 1; /* s <= cut: T < window */
            if (r->lo <= cut) {
                int64_t e = cut < r->hi ? cut : r->hi;
                below += sum_range(r, r->lo, e);
                r->lo = e + 1;
            }
            cut = shi - minrem + 1; /* s >= cut: T > window */
            if (r->hi >= cut && r->lo <= r->hi) {
                int64_t b = cut > r->lo ? cut : r->lo;
                above += sum_range(r, b, r->hi);
                r->hi = b - 1;
            }
            /* states whose completion reaches the window with probability <= eps
             * (Serfling's bound for sampling without replacement, applied to the
             * k picks or the R - k non-picks): their mass goes to the side where
             * they almost surely end; the error, <= eps times that mass, is added
             * to dropped */
            if (eps > 0.0 && k > 0 && k < R && r->lo <= r->hi) {
                double kk = (double)(k < R - k ? k : R - k), dR = (double)R;
                double range = (double)(c[N - 1] - c[i]);
                double half = sqrt(kk * (1.0 - (kk - 1.0) / dR) * range * range / 2.0 * log_eps);
                double mu = (double)k * (double)(pre[N] - pre[i]) / dR;
                double up = ceil((double)shi - mu + half) + 1.0;
                double dn = floor((double)slo - mu - half) - 1.0;
                if (dn >= (double)r->lo) {
                    int64_t e = dn < (double)r->hi ? (int64_t)dn : r->hi;
                    double v = sum_range(r, r->lo, e);
                    below += v;
                    dropped += eps * v;
                    r->lo = e + 1;
                }
                if (up <= (double)r->hi && r->lo <= r->hi) {
                    int64_t b = up > (double)r->lo ? (int64_t)up : r->lo;
                    double v = sum_range(r, b, r->hi);
                    above += v;
                    dropped += eps * v;
                    r->hi = b - 1;
                }
            }
            /* negligible states at the ends of the row (certified: their mass is summed) */
            if (delta > 0.0) {
                while (r->lo <= r->hi && r->v[r->lo - r->base] < delta)
                    dropped += r->v[r->lo++ - r->base];
                while (r->lo <= r->hi && r->v[r->hi - r->base] < delta)
                    dropped += r->v[r->hi-- - r->base];
            }
        }
        uint64_t live = 0;
        for (size_t j = bot; j <= top; j++)
            if (ctx.rows[j].lo <= ctx.rows[j].hi)
                live += (uint64_t)(ctx.rows[j].hi - ctx.rows[j].lo + 1);
        if (live > out->peak_live) out->peak_live = live;
        /* new range of possibly non-empty rows */
        size_t a = bot, b = top;
        while (a <= b && ctx.rows[a].lo > ctx.rows[a].hi)
            a++;
        while (b > a && ctx.rows[b].lo > ctx.rows[b].hi)
            b--;
        if (a > b) { /* everything decided */
            jlo = 1;
            jhi = 0;
            break;
        }
        rows_release(&ctx, jlo, a); /* the first row in use never moves down */
        rows_release(&ctx, b + 1, top + 1);
        jlo = a;
        jhi = b;
        if (work > 4 * RK__RANKSUM_BAND_MAX_WORK) {
            st = rk_error_set(err, RK_ERANGE,
                              "exact rank-sum distribution for group sizes %zu and %zu stopped "
                              "after %.2g operations (limit %.0e); use the "
                              "asymptotic method",
                              m, n, work, 4 * RK__RANKSUM_BAND_MAX_WORK);
            goto done;
        }
    }
    if (jlo <= jhi && jhi == mm) {
        brow *r = &ctx.rows[mm];
        for (int64_t s = r->lo; s <= r->hi; s++) {
            int64_t T = (int64_t)mm * base + g * s;
            if (swap) T = total - T;
            dist[T - t_lo] = r->v[s - r->base];
        }
    }
    out->below = swap ? above : below;
    out->above = swap ? below : above;
    out->dropped = dropped;
    out->dist = dist;
    out->work = work;
    out->peak_cells = ctx.cells;
    dist = NULL;
    goto done;
nomem:
    st = rk_error_set(err, ctx.cells > RK__RANKSUM_MAX_CELLS / 2 ? RK_ERANGE : RK_ENOMEM,
                      "exact rank-sum distribution for group sizes %zu and %zu needs more than "
                      "%.1f GiB (limit 4 GiB); use the asymptotic method",
                      m, n, (double)ctx.cells * 8.0 / 1073741824.0);
done:
    if (ctx.rows)
        for (size_t j = 0; j <= mm; j++)
            free(ctx.rows[j].v);
    free(ctx.rows);
    free(c);
    free(pre);
    free(dist);
    return st;
}

rk_status rk__ranksum_band_predict(const int64_t *scores, size_t m, size_t n, int64_t t_lo,
                                   int64_t t_hi, double *work, double *live, rk_error *err)
{
    *work = *live = 0.0;
    size_t N = m + n;
    if (m > n) { /* the programme runs on the smaller group; the window width is what matters */
        size_t t = m;
        m = n;
        n = t;
    }
    int64_t *c = malloc(N * sizeof *c);
    double *pre = malloc((N + 1) * sizeof *pre), *pre2 = malloc((N + 1) * sizeof *pre2);
    if (!c || !pre || !pre2) {
        free(c);
        free(pre);
        free(pre2);
        return rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
    }
    int64_t base, g;
    rk__ranksum_reduce(scores, N, c, &base, &g);
    pre[0] = pre2[0] = 0.0;
    for (size_t i = 0; i < N; i++) {
        double v = (double)c[i];
        pre[i + 1] = pre[i] + v;
        pre2[i + 1] = pre2[i] + v * v;
    }
    double win = (double)(t_hi - t_lo) / (double)g;
    const double Z = 11.0; /* states within ~11 sd carry mass above 1e-30 of the peak */
    double dm = (double)m, dN = (double)N;
    for (size_t i = 1; i <= N; i++) {
        double di = (double)i;
        double mu = di * dm / dN;
        double sdj = sqrt(di * (dm / dN) * (1.0 - dm / dN) * (dN - di) / (dN > 1 ? dN - 1 : 1));
        double jl = floor(mu - Z * sdj - 1), jh = ceil(mu + Z * sdj + 1);
        if (jl < 0) jl = 0;
        if (jl < di - (double)n) jl = di - (double)n;
        if (jh > dm) jh = dm;
        if (jh > di) jh = di;
        double mean = pre[i] / di, var = pre2[i] / di - mean * mean;
        if (var < 0) var = 0;
        double sum = 0.0;
        for (double jd = jl; jd <= jh; jd++) {
            size_t j = (size_t)jd, k = m - j;
            double reach = pre[i] - pre[i - j] - pre[j] + 1;
            double band = (pre[N] - pre[N - k]) - (pre[i + k] - pre[i]) + win + 1;
            double sds = i > 1 ? sqrt(jd * (di - jd) / (di - 1) * var) : 0.0;
            double w = 2 * Z * sds + 1;
            if (reach < w) w = reach;
            if (band < w) w = band;
            sum += w;
        }
        *work += sum;
        if (sum > *live) *live = sum;
    }
    free(c);
    free(pre);
    free(pre2);
    return RK_OK;
}

/* ------------------------------------------------ meet in the middle */

/* Tied items are processed a run at a time: for a run of t equal scores cv
 * after i items, new row j is
 *   sum_k P(k of the t go to the first group | row j - k) old row j - k shifted by k cv,
 * one pass over each source row instead of t passes (the sweep is limited by
 * memory traffic, not arithmetic).  The output is built in blocks that stay in
 * the first-level cache (2048 doubles: 512 was 5% slower).  Runs are cut at RUN_MAX items (binomial
 * coefficients stay far from overflow, the weights are products of at most 2 RUN_MAX ratios). */
#define RUN_MAX 48
#define RUN_MAX_BIG 8
#define BLOCK 2048

/* d[u] += f s[u] for u in [a, e] */
static inline void axpy(double *restrict d, const double *restrict s, double f, int64_t a,
                        int64_t e)
{
    for (int64_t u = a; u <= e; u++)
        d[u] += f * s[u];
}

/* d[u] += f s[u] + g t[u] for u in [a, e] */
static inline void axpy2(double *restrict d, const double *restrict s, double f,
                         const double *restrict t, double g, int64_t a, int64_t e)
{
    for (int64_t u = a; u <= e; u++)
        d[u] += f * s[u] + g * t[u];
}

/* sum of x[0..n-1] in four interleaved partial sums */
static inline double sum4(const double *x, size_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t u = 0;
    for (; u + 4 <= n; u += 4) {
        s0 += x[u];
        s1 += x[u + 1];
        s2 += x[u + 2];
        s3 += x[u + 3];
    }
    for (; u < n; u++)
        s0 += x[u];
    return (s0 + s1) + (s2 + s3);
}

/* P(k of the next t items go to the first group), a first-group places left
 * and b second-group places left among rem = a + b items: C(t, k) prod (a - u) /
 * (rem - u) prod (b - v) / (rem - k - v); 0 when impossible. */
static double run_weight(size_t t, size_t k, double a, double b, double rem)
{
    double w = 1.0;
    for (size_t u = 0; u < k; u++) /* C(t, k) exactly: t <= RUN_MAX */
        w = w * (double)(t - u) / (double)(u + 1);
    for (size_t u = 0; u < k; u++)
        w *= (a - (double)u) / (rem - (double)u);
    for (size_t v = 0; v < t - k; v++)
        w *= (b - (double)v) / (rem - (double)k - (double)v);
    return w > 0.0 ? w : 0.0;
}

/* The programme over items c[0..L-1] (reduced scores, any order) with group
 * sizes mm, nn out of N = mm + nn items in all: afterwards row j of ctx holds
 * P(j of these L items are in the first group and their scores sum to s).
 * States below delta at the ends of a row are dropped (mass into *dropped). */
RK__SIMD_CLONES
static int sweep(const int64_t *c, size_t L, size_t mm, size_t nn, double delta, band_ctx *ctx,
                 size_t *pjlo, size_t *pjhi, double *dropped, double *work)
{
    size_t N = mm + nn;
    for (size_t j = 0; j <= mm; j++)
        ctx->rows[j].lo = 1, ctx->rows[j].hi = 0;
    if (!row_reserve(ctx, &ctx->rows[0], 0, 0)) return 0;
    ctx->rows[0].lo = ctx->rows[0].hi = 0;
    ctx->rows[0].v[0] = 1.0;
    size_t jlo = 0, jhi = 0;
    double wk[RUN_MAX + 1], acc[BLOCK], sf[RUN_MAX + 1];
    const double *sp[RUN_MAX + 1];
    int64_t sa[RUN_MAX + 1], se[RUN_MAX + 1];
    int64_t slo[RUN_MAX + 1], shi[RUN_MAX + 1];
    size_t i = 0; /* items done */
    while (i < L) {
        int64_t cv = c[i];
        /* a run widens its rows by up to t cv before the ends are pruned: shorter
         * runs once the layers are big (memory, not speed, is then the limit) */
        size_t tmax = ctx->cells > ctx->max_cells / 16 ? RUN_MAX_BIG : RUN_MAX, t = 1;
        while (i + t < L && t < tmax && c[i + t] == cv)
            t++;
        double rem = (double)(N - i);
        size_t top = jhi + t < mm ? jhi + t : mm;
        size_t bot = jlo;
        /* rows j with i + t - j > nn cannot exist after the run */
        if (i + t > nn && i + t - nn > bot) bot = i + t - nn;
        for (size_t j = top + 1; j-- > bot;) {
            brow *r = &ctx->rows[j];
            /* sources: old rows j - k, k = 0..t, within [jlo, jhi] and non-empty */
            size_t kmin = j > jhi ? j - jhi : 0, kmax = j - jlo < t ? j - jlo : t;
            int64_t nlo = INT64_MAX, nhi = INT64_MIN;
            int any = 0;
            for (size_t k = kmin; k <= kmax && kmin <= kmax; k++) {
                const brow *q = &ctx->rows[j - k];
                wk[k] = 0.0;
                if (q->lo > q->hi) continue;
                size_t jj = j - k; /* old row: jj of the i items in the first group */
                if (i < jj || i - jj > nn || jj > mm) continue;
                wk[k] = run_weight(t, k, (double)(mm - jj), (double)(nn - (i - jj)), rem);
                if (!(wk[k] > 0.0)) continue;
                slo[k] = q->lo + (int64_t)k * cv;
                shi[k] = q->hi + (int64_t)k * cv;
                if (slo[k] < nlo) nlo = slo[k];
                if (shi[k] > nhi) nhi = shi[k];
                any = 1;
            }
            if (!any) {
                r->lo = 1;
                r->hi = 0;
                continue;
            }
            /* row j itself is a source (k = 0) only inside its old range */
            int self = kmin == 0 && wk[0] > 0.0 && r->lo <= r->hi;
            if (!self) { /* old values not needed (and maybe outside the new range) */
                r->lo = 1;
                r->hi = 0;
            }
            int64_t olo = self ? r->lo : 1, ohi = self ? r->hi : 0;
            if (!row_reserve(ctx, r, self && olo < nlo ? olo : nlo, self && ohi > nhi ? ohi : nhi))
                return 0;
            double *v = r->v - r->base;
            for (int64_t b0 = nlo; b0 <= nhi; b0 += BLOCK) {
                int64_t b1 = b0 + BLOCK - 1 < nhi ? b0 + BLOCK - 1 : nhi;
                size_t w = (size_t)(b1 - b0 + 1);
                for (size_t u = 0; u < w; u++)
                    acc[u] = 0.0;
                /* the sources present in this block, two at a time */
                size_t ns = 0;
                for (size_t k = kmin; k <= kmax; k++) {
                    if (!(wk[k] > 0.0)) continue;
                    int64_t a = slo[k] > b0 ? slo[k] : b0, e = shi[k] < b1 ? shi[k] : b1;
                    if (a > e) continue;
                    const brow *q = &ctx->rows[j - k];
                    sp[ns] = q->v - q->base - (int64_t)k * cv + b0; /* sp[ns][s - b0] */
                    sf[ns] = wk[k];
                    sa[ns] = a - b0;
                    se[ns] = e - b0;
                    *work += (double)(e - a + 1);
                    ns++;
                }
                size_t u0 = 0;
                for (; u0 + 2 <= ns; u0 += 2) {
                    int64_t a1 = sa[u0], e1 = se[u0], a2 = sa[u0 + 1], e2 = se[u0 + 1];
                    int64_t A = a1 > a2 ? a1 : a2, E = e1 < e2 ? e1 : e2;
                    if (A > E) {
                        axpy(acc, sp[u0], sf[u0], a1, e1);
                        axpy(acc, sp[u0 + 1], sf[u0 + 1], a2, e2);
                        continue;
                    }
                    axpy2(acc, sp[u0], sf[u0], sp[u0 + 1], sf[u0 + 1], A, E);
                    axpy(acc, sp[u0], sf[u0], a1, A - 1);
                    axpy(acc, sp[u0], sf[u0], E + 1, e1);
                    axpy(acc, sp[u0 + 1], sf[u0 + 1], a2, A - 1);
                    axpy(acc, sp[u0 + 1], sf[u0 + 1], E + 1, e2);
                }
                if (u0 < ns) axpy(acc, sp[u0], sf[u0], sa[u0], se[u0]);
                double *restrict d = v + b0;
                for (size_t u = 0; u < w; u++)
                    d[u] = acc[u];
            }
            r->lo = nlo;
            r->hi = nhi;
            if (delta > 0.0) {
                /* find the cuts first, then sum (no long chain of dependent adds) */
                int64_t a = r->lo, e = r->hi;
                while (a <= e && v[a] < delta)
                    a++;
                while (e >= a && v[e] < delta)
                    e--;
                *dropped +=
                    sum4(v + r->lo, (size_t)(a - r->lo)) + sum4(v + e + 1, (size_t)(r->hi - e));
                r->lo = a;
                r->hi = e;
            }
        }
        i += t;
        size_t a = bot, b = top;
        while (a <= b && ctx->rows[a].lo > ctx->rows[a].hi)
            a++;
        while (b > a && ctx->rows[b].lo > ctx->rows[b].hi)
            b--;
        if (a > b) { /* cannot happen unless delta is absurd: everything dropped */
            jlo = 1;
            jhi = 0;
            break;
        }
        if (a > jlo) rows_release(ctx, jlo, a);
        rows_release(ctx, b + 1, top + 1);
        jlo = a;
        jhi = b;
    }
    *pjlo = jlo;
    *pjhi = jhi;
    return 1;
}

struct rk__ranksum_mid {
    size_t mm, nn, h;
    int swap;
    int64_t total, base, g;
    band_ctx fw, bw;
    size_t fjlo, fjhi, bjlo, bjhi;
    double *btot; /* row totals of the backward layer */
    double delta, dropped_f, dropped_b, work_f, work_b;
    int ok_f, ok_b;
    const int64_t *c; /* sorted reduced scores (owned) */
    int64_t *rev;     /* the last N - h of them, descending (owned) */
};

static void *sweep_fw(void *arg)
{
    rk__ranksum_mid *M = arg;
    M->ok_f = sweep(M->c, M->h, M->mm, M->nn, M->delta, &M->fw, &M->fjlo, &M->fjhi, &M->dropped_f,
                    &M->work_f);
    return NULL;
}

void rk__ranksum_mid_free(rk__ranksum_mid *M)
{
    if (!M) return;
    for (size_t j = 0; j <= M->mm; j++) {
        if (M->fw.rows) free(M->fw.rows[j].v);
        if (M->bw.rows) free(M->bw.rows[j].v);
    }
    free(M->fw.rows);
    free(M->bw.rows);
    free(M->btot);
    free((void *)M->c);
    free(M->rev);
    free(M);
}

rk_status rk__ranksum_mid_build(const int64_t *scores, size_t m, size_t n, double delta,
                                rk__ranksum_mid **out, rk_error *err)
{
    *out = NULL;
    if (m == 0 || n == 0)
        return rk_error_set(err, RK_EINVAL, "exact rank-sum distribution: %s group is empty",
                            m == 0 ? "first" : "second");
    size_t N = m + n;
    for (size_t i = 0; i < N; i++)
        if (scores[i] < 0 || scores[i] > ((int64_t)1 << 40))
            return rk_error_set(err, RK_EINVAL,
                                "exact rank-sum distribution: score %zu (%lld) is outside 0..2^40",
                                i + 1, (long long)scores[i]);
    rk__ranksum_mid *M = calloc(1, sizeof *M);
    if (!M)
        return rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
    M->swap = m > n;
    M->mm = M->swap ? n : m;
    M->nn = M->swap ? m : n;
    M->h = N / 2;
    int64_t *c = malloc(N * sizeof *c);
    M->c = c;
    M->rev = malloc((N - M->h + 1) * sizeof *M->rev);
    M->fw.rows = calloc(M->mm + 1, sizeof(brow));
    M->bw.rows = calloc(M->mm + 1, sizeof(brow));
    M->fw.max_cells = M->bw.max_cells = RK__RANKSUM_MAX_CELLS / 2; /* 4 GiB in all */
    M->btot = calloc(M->mm + 1, sizeof *M->btot);
    if (!c || !M->rev || !M->fw.rows || !M->bw.rows || !M->btot) {
        rk__ranksum_mid_free(M);
        return rk_error_set(err, RK_ENOMEM, "out of memory for the exact rank-sum distribution");
    }
    M->total = 0;
    for (size_t i = 0; i < N; i++)
        M->total += scores[i];
    rk__ranksum_reduce(scores, N, c, &M->base, &M->g);
    for (size_t i = 0; i < N - M->h; i++)
        M->rev[i] = c[N - 1 - i];
    /* forward half on a second thread, backward half here */
    M->delta = delta;
    pthread_t th;
    int threaded = pthread_create(&th, NULL, sweep_fw, M) == 0;
    if (!threaded) sweep_fw(M);
    double dropped_b = 0.0;
    M->ok_b = sweep(M->rev, N - M->h, M->mm, M->nn, delta, &M->bw, &M->bjlo, &M->bjhi, &dropped_b,
                    &M->work_b);
    M->dropped_b = dropped_b;
    if (threaded) pthread_join(th, NULL);
    if (!M->ok_f || !M->ok_b) {
        uint64_t cells = M->fw.cells + M->bw.cells;
        rk__ranksum_mid_free(M);
        return rk_error_set(err, RK_ERANGE,
                            "exact rank-sum distribution for group sizes %zu and %zu needs more "
                            "than %.1f GiB (limit 4 GiB); use the asymptotic method",
                            m, n, (double)cells * 8.0 / 1073741824.0);
    }
    for (size_t k = M->bjlo; k <= M->bjhi; k++) {
        brow *r = &M->bw.rows[k];
        if (r->lo <= r->hi) M->btot[k] = sum_range(r, r->lo, r->hi);
    }
    *out = M;
    return RK_OK;
}

/* P(S <= y) (upper = 0) or P(S >= y) (upper = 1), S = sum of the reduced scores of
 * the mm-group: sum over the middle rows j of F_j(s) * B_{mm-j}(y - s) / |B_{mm-j}|. */
static double mid_tail(const rk__ranksum_mid *M, int64_t y, int upper)
{
    double acc = 0.0;
    for (size_t j = M->fjlo; j <= M->fjhi; j++) {
        const brow *F = &M->fw.rows[j];
        if (F->lo > F->hi || M->mm - j < M->bjlo || M->mm - j > M->bjhi) continue;
        const brow *B = &M->bw.rows[M->mm - j];
        double bt = M->btot[M->mm - j];
        if (B->lo > B->hi || !(bt > 0.0)) continue;
        const double *f = F->v - F->base, *b = B->v - B->base;
        double part = 0.0, full = 0.0;
        if (!upper) {
            /* s <= y - B.hi: all of B counts; s > y - B.lo: none */
            int64_t sA = y - B->hi, sB = y - B->lo;
            for (int64_t s = F->lo; s <= F->hi && s <= sA; s++)
                full += f[s];
            int64_t hi = F->hi < sB ? F->hi : sB, lo = F->lo > sA + 1 ? F->lo : sA + 1;
            if (lo <= hi) {
                int64_t z = y - hi; /* ascends as s descends */
                double cum = 0.0;
                for (int64_t t = B->lo; t <= z; t++)
                    cum += b[t];
                part += f[hi] * cum;
                for (int64_t s = hi - 1; s >= lo; s--) {
                    cum += b[++z];
                    part += f[s] * cum;
                }
            }
        } else {
            /* s >= y - B.lo: all of B counts; s < y - B.hi: none */
            int64_t sA = y - B->lo, sB = y - B->hi;
            for (int64_t s = F->hi; s >= F->lo && s >= sA; s--)
                full += f[s];
            int64_t lo = F->lo > sB ? F->lo : sB, hi = F->hi < sA - 1 ? F->hi : sA - 1;
            if (lo <= hi) {
                int64_t z = y - lo; /* descends as s ascends */
                double cum = 0.0;
                for (int64_t t = B->hi; t >= z; t--)
                    cum += b[t];
                part += f[lo] * cum;
                for (int64_t s = lo + 1; s <= hi; s++) {
                    cum += b[--z];
                    part += f[s] * cum;
                }
            }
        }
        acc += full + part / bt;
    }
    return acc;
}

double rk__ranksum_mid_cdf(const rk__ranksum_mid *M, int64_t x)
{
    /* T = mm * base + g * S for the mm-group; T_first = total - T_mm when swapped */
    int64_t mb = (int64_t)M->mm * M->base;
    if (!M->swap) return mid_tail(M, fdiv(x - mb, M->g), 0);
    return mid_tail(M, cdiv(M->total - x - mb, M->g), 1);
}

double rk__ranksum_mid_sf(const rk__ranksum_mid *M, int64_t x)
{
    int64_t mb = (int64_t)M->mm * M->base;
    if (!M->swap) return mid_tail(M, cdiv(x - mb, M->g), 1);
    return mid_tail(M, fdiv(M->total - x - mb, M->g), 0);
}

double rk__ranksum_mid_error(const rk__ranksum_mid *M)
{
    return M->dropped_f + 2.0 * M->dropped_b;
}

void rk__ranksum_mid_stats(const rk__ranksum_mid *M, double *work, uint64_t *cells, uint64_t *live)
{
    *work = M->work_f + M->work_b;
    *cells = M->fw.cells + M->bw.cells;
    *live = 0;
    for (size_t j = 0; j <= M->mm; j++) {
        const brow *a = &M->fw.rows[j], *b = &M->bw.rows[j];
        if (a->lo <= a->hi) *live += (uint64_t)(a->hi - a->lo + 1);
        if (b->lo <= b->hi) *live += (uint64_t)(b->hi - b->lo + 1);
    }
}
