/* Fisher's exact test: 2x2 as R's fisher.test, r x c by a network algorithm. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "stats/contingency.h"
#include "stats/fisher.h"
#include "stats/htest.h"

/* R fisher.test: relErr <- 1 + 10^(-7) when comparing table probabilities */
#define FISHER_REL_ERR 1e-7
/* 2x2: largest support (possible values of the [1,1] cell) evaluated */
#define FISHER_2X2_MAX_SUPPORT ((int64_t)20000000)
/* r x c: largest total count (size of the log-factorial table) */
#define FISHER_RXC_MAX_N ((int64_t)10000000)
/* r x c: pasts closer than 1e-10 in log probability are merged (true ties
 * differ only by rounding, ~1e-13; far inside R's 1e-7 tolerance) */
#define FISHER_PAST_SCALE 1e10

/* ================================================================== 2x2 */

/* The conditional distribution of the [1,1] cell given the margins: the
 * (noncentral) hypergeometric on lo..hi, as in R's fisher.test. */
typedef struct nhyper {
    int64_t lo, hi, x;
    size_t len;
    double *logdc; /* log central density up to a constant, index s - lo */
    double *w;     /* scratch weights */
} nhyper;

static void nhyper_free(nhyper *h)
{
    free(h->logdc);
    free(h->w);
}

/* Table (a b / c d): m = a + c, n = b + d, k = a + b, x = a. */
static rk_status nhyper_init(nhyper *h, const int64_t *t, rk_error *err)
{
    int64_t m = t[0] + t[2], n = t[1] + t[3], k = t[0] + t[1];
    memset(h, 0, sizeof *h);
    h->lo = k - n > 0 ? k - n : 0;
    h->hi = k < m ? k : m;
    h->x = t[0];
    int64_t len = h->hi - h->lo + 1;
    if (len > FISHER_2X2_MAX_SUPPORT)
        return rk_error_set(err, RK_ERANGE,
                            "Fisher's exact test: margins too large (%lld possible tables); use "
                            "the chi-square test",
                            (long long)len);
    h->len = (size_t)len;
    h->logdc = malloc(h->len * sizeof *h->logdc);
    h->w = malloc(h->len * sizeof *h->w);
    if (!h->logdc || !h->w) {
        nhyper_free(h);
        return rk_error_set(err, RK_ENOMEM, "Fisher's exact test: out of memory");
    }
    /* Recurrence d(s+1)/d(s) = (m-s)(k-s) / ((s+1)(n-k+s+1)) outward from the
     * mode, so rounding grows with the distance from the bulk of the mass. */
    double md = floor(((double)k + 1.0) * ((double)m + 1.0) / ((double)(m + n) + 2.0));
    int64_t mode = (int64_t)md;
    if (mode < h->lo) mode = h->lo;
    if (mode > h->hi) mode = h->hi;
    h->logdc[mode - h->lo] = 0.0;
    for (int64_t s = mode; s < h->hi; s++)
        h->logdc[s + 1 - h->lo] = h->logdc[s - h->lo] + log((double)(m - s)) +
                                  log((double)(k - s)) - log((double)(s + 1)) -
                                  log((double)(n - k + s + 1));
    for (int64_t s = mode; s > h->lo; s--)
        h->logdc[s - 1 - h->lo] = h->logdc[s - h->lo] - log((double)(m - s + 1)) -
                                  log((double)(k - s + 1)) + log((double)s) +
                                  log((double)(n - k + s));
    return RK_OK;
}

/* w[i] proportional to the density at s = lo + i with odds ratio exp(u);
 * returns the sum of the weights (max weight is 1). */
static double nhyper_weights(nhyper *h, double u)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < h->len; i++) {
        double v = h->logdc[i] + (double)i * u;
        h->w[i] = v;
        if (v > mx) mx = v;
    }
    double sum = 0.0;
    for (size_t i = 0; i < h->len; i++) {
        h->w[i] = exp(h->w[i] - mx);
        sum += h->w[i];
    }
    return sum;
}

/* P(X <= q) with odds ratio exp(u), u finite. */
static double nhyper_le(nhyper *h, int64_t q, double u)
{
    double tot = nhyper_weights(h, u), s = 0.0;
    for (int64_t v = h->lo; v <= q && v <= h->hi; v++)
        s += h->w[v - h->lo];
    return s / tot;
}

/* P(X >= q) with odds ratio exp(u), u finite. */
static double nhyper_ge(nhyper *h, int64_t q, double u)
{
    double tot = nhyper_weights(h, u), s = 0.0;
    for (int64_t v = q < h->lo ? h->lo : q; v <= h->hi; v++)
        s += h->w[v - h->lo];
    return s / tot;
}

/* E[X] with odds ratio exp(u), u finite. */
static double nhyper_mean(nhyper *h, double u)
{
    double tot = nhyper_weights(h, u), s = 0.0;
    for (size_t i = 0; i < h->len; i++)
        s += (double)i * h->w[i];
    return (double)h->lo + s / tot;
}

enum nh_fn { NH_MEAN, NH_GE, NH_LE_NEG };

static double nhyper_eval(nhyper *h, enum nh_fn f, double u)
{
    switch (f) {
    case NH_MEAN: return nhyper_mean(h, u);
    case NH_GE: return nhyper_ge(h, h->x, u);
    default: return -nhyper_le(h, h->x, u);
    }
}

/* The odds ratio exp(u) solving f(u) = target for f increasing in u (R uses
 * uniroot with tolerance 1.2e-4; we bisect in log(odds ratio) until the
 * bracket cannot shrink, i.e. to full double precision). */
static double nhyper_solve(nhyper *h, enum nh_fn f, double target)
{
    double a = -1.0, b = 1.0;
    while (nhyper_eval(h, f, a) > target && a > -1e6)
        a *= 2.0;
    while (nhyper_eval(h, f, b) < target && b < 1e6)
        b *= 2.0;
    for (int it = 0; it < 300; it++) {
        double mid = 0.5 * (a + b);
        if (mid <= a || mid >= b) break;
        if (nhyper_eval(h, f, mid) < target)
            a = mid;
        else
            b = mid;
    }
    return exp(0.5 * (a + b));
}

/* R ncp.U: the largest odds ratio with P(X <= x) >= alpha. */
static double ncp_upper(nhyper *h, double alpha)
{
    if (h->x == h->hi) return INFINITY;
    return nhyper_solve(h, NH_LE_NEG, -alpha);
}

/* R ncp.L: the smallest odds ratio with P(X >= x) >= alpha. */
static double ncp_lower(nhyper *h, double alpha)
{
    if (h->x == h->lo) return 0.0;
    return nhyper_solve(h, NH_GE, alpha);
}

static rk_status fisher_2x2(const int64_t *t, rk_alternative alt, double conf_level, rk_htest *res,
                            rk_error *err)
{
    nhyper h;
    rk_status st = nhyper_init(&h, t, err);
    if (st) return st;
    double p;
    if (alt == RK_ALT_LESS) {
        p = nhyper_le(&h, h.x, 0.0);
    } else if (alt == RK_ALT_GREATER) {
        p = nhyper_ge(&h, h.x, 0.0);
    } else {
        double tot = nhyper_weights(&h, 0.0), s = 0.0;
        double thr = h.w[h.x - h.lo] * (1.0 + FISHER_REL_ERR);
        for (size_t i = 0; i < h.len; i++)
            if (h.w[i] <= thr) s += h.w[i];
        p = s / tot;
    }
    if (p > 1.0) p = 1.0;

    /* conditional MLE: solve E[X | odds ratio] = x; 0 / Inf at the ends (R) */
    double est;
    if (h.x == h.lo)
        est = 0.0;
    else if (h.x == h.hi)
        est = INFINITY;
    else
        est = nhyper_solve(&h, NH_MEAN, (double)h.x);

    double lower, upper;
    if (alt == RK_ALT_LESS) {
        lower = 0.0;
        upper = ncp_upper(&h, 1.0 - conf_level);
    } else if (alt == RK_ALT_GREATER) {
        lower = ncp_lower(&h, 1.0 - conf_level);
        upper = INFINITY;
    } else {
        double alpha = (1.0 - conf_level) / 2.0;
        lower = ncp_lower(&h, alpha);
        upper = ncp_upper(&h, alpha);
    }
    nhyper_free(&h);

    res->p_value = p;
    snprintf(res->estimate_name, sizeof res->estimate_name, "odds ratio");
    res->estimate = est;
    res->conf_int[0] = lower;
    res->conf_int[1] = upper;
    res->conf_level = conf_level;
    rk_htest_add(res, "odds_ratio", est);
    return RK_OK;
}

/* ================================================================== r x c */

/* Network algorithm (Mehta & Patel 1983) over columns: a node at stage s is
 * the multiset of row totals still to be filled by columns s..K-1 (kept
 * sorted).  Each node carries its "pasts": distinct log probabilities of the
 * partial tables leading to it, with multiplicities.  Every node's completions
 * have total conditional probability 1, and bounds on the largest / smallest
 * completion let whole groups of tables be counted or dropped at once. */

/* Hash slot of a past: its key inline, so a probe touches one cache line. */
typedef struct past_slot {
    int64_t bucket;
    uint32_t node;
    uint32_t idx; /* 1-based past index, 0 = empty */
} past_slot;

typedef struct stage_tab {
    size_t nr; /* key length */
    size_t nn, ncap;
    int32_t *keys;   /* nn * nr */
    double *ub, *lb; /* bounds on the log probability of a completion */
    uint32_t *first; /* 1-based index of the node's first past, 0 = none */
    uint32_t *nslot; /* open addressing: 1-based node index */
    size_t nslots;
    size_t np, pcap;
    double *plp, *pcnt;
    uint32_t *pnext, *pnode;
    past_slot *pslot;
    size_t npslots;
} stage_tab;

typedef struct rxc_ctx {
    size_t nr, nc;       /* after transposing: nr <= nc */
    const int64_t *cols; /* column totals in processing order */
    const double *lfact; /* log(i!) */
    double **caps_asc;   /* caps_asc[s]: columns s..nc-1 sorted ascending */
    double *clf;         /* clf[s] = sum_{j >= s} log(c_j!) */
    int64_t *ntot;       /* ntot[s] = sum_{j >= s} c_j */
    double log_thresh;
    double pval;
    stage_tab *next;
    int terminal; /* children are complete tables */
    /* edge enumeration scratch */
    const int32_t *rows;
    int32_t *alloc, *child;
    int64_t *capafter;
    int32_t *scratch;  /* allocation scratch for node bounds */
    double *rcap;      /* row totals of a node as doubles (bounds scratch) */
    double *klp, *kpm; /* kept pasts: log p ascending, prefix mass */
    double *kcnt;
    size_t nkept;
    double kref;
    uint64_t work; /* edges plus past insertions so far */
    rk_status st;
    rk_error *err;
} rxc_ctx;

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_key(const int32_t *k, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++)
        h = mix64(h ^ (uint64_t)(uint32_t)k[i]) + i;
    return h;
}

static void tab_free(stage_tab *t)
{
    free(t->keys);
    free(t->ub);
    free(t->lb);
    free(t->first);
    free(t->nslot);
    free(t->plp);
    free(t->pcnt);
    free(t->pnext);
    free(t->pnode);
    free(t->pslot);
    memset(t, 0, sizeof *t);
}

static void tab_reset(stage_tab *t)
{
    t->nn = 0;
    t->np = 0;
    if (t->nslot) memset(t->nslot, 0, t->nslots * sizeof *t->nslot);
    if (t->pslot) memset(t->pslot, 0, t->npslots * sizeof *t->pslot);
}

static int grow(void **p, size_t n, size_t elem)
{
    void *q = realloc(*p, n * elem);
    if (!q) return 0;
    *p = q;
    return 1;
}

static rk_status tab_no_room(rk_error *err)
{
    return rk_error_set(err, RK_ERANGE,
                        "Fisher's exact test: the table is too large for the exact network "
                        "algorithm (more than %zu intermediate states); use the chi-square test "
                        "or a simulated p-value",
                        RK_FISHER_MAX_ENTRIES);
}

static rk_status tab_rehash_nodes(stage_tab *t, size_t nslots, rk_error *err)
{
    uint32_t *s = calloc(nslots, sizeof *s);
    if (!s) return rk_error_set(err, RK_ENOMEM, "Fisher's exact test: out of memory");
    for (size_t i = 0; i < t->nn; i++) {
        size_t j = hash_key(t->keys + i * t->nr, t->nr) & (nslots - 1);
        while (s[j])
            j = (j + 1) & (nslots - 1);
        s[j] = (uint32_t)(i + 1);
    }
    free(t->nslot);
    t->nslot = s;
    t->nslots = nslots;
    return RK_OK;
}

static uint64_t past_hash(uint32_t node, int64_t bucket)
{
    return mix64(((uint64_t)node << 1) ^ mix64((uint64_t)bucket));
}

static int64_t past_bucket(double lp)
{
    return (int64_t)llround(lp * FISHER_PAST_SCALE);
}

static rk_status tab_rehash_pasts(stage_tab *t, size_t nslots, rk_error *err)
{
    past_slot *s = calloc(nslots, sizeof *s);
    if (!s) return rk_error_set(err, RK_ENOMEM, "Fisher's exact test: out of memory");
    for (size_t i = 0; i < t->np; i++) {
        int64_t b = past_bucket(t->plp[i]);
        size_t j = past_hash(t->pnode[i], b) & (nslots - 1);
        while (s[j].idx)
            j = (j + 1) & (nslots - 1);
        s[j].bucket = b;
        s[j].node = t->pnode[i];
        s[j].idx = (uint32_t)(i + 1);
    }
    free(t->pslot);
    t->pslot = s;
    t->npslots = nslots;
    return RK_OK;
}

/* Sum of log(n!) over the most even split of `total` into cells with the
 * given ascending capacities: the smallest possible (log(n!) is convex). */
static double even_min(int64_t total, const double *caps, size_t m, const double *lfact)
{
    int64_t rem = total, left = (int64_t)m;
    double s = 0.0;
    for (size_t j = 0; j < m && rem > 0; j++) {
        int64_t q = rem / left, cap = (int64_t)caps[j];
        if (cap <= q) {
            s += lfact[cap];
            rem -= cap;
            left--;
        } else {
            int64_t r = rem % left;
            return s + (double)r * lfact[q + 1] + (double)(left - r) * lfact[q];
        }
    }
    return s;
}

/* Sum of log(n!) when `total` fills the largest capacities first: the largest
 * possible (log(n!) is superadditive). */
static double greedy_max(int64_t total, const double *caps, size_t m, const double *lfact)
{
    int64_t rem = total;
    double s = 0.0;
    for (size_t j = m; j-- > 0 && rem > 0;) {
        int64_t c = (int64_t)caps[j];
        int64_t t = c < rem ? c : rem;
        s += lfact[t];
        rem -= t;
    }
    return s;
}

/* Exact extremes when two columns remain: the completion is fixed by the
 * allocation n of column s, with log probability sum_i log C(r_i, n_i) -
 * log C(N, c).  The maximum (a concave separable function) is reached by
 * adding units greedily by marginal gain; the minimum sits at a vertex of
 * {sum n_i = c, 0 <= n_i <= r_i}: all rows but one at 0 or r_i.  Returns 0
 * (use the relaxation bounds) when that search would be too long. */
static int two_column_bounds(const rxc_ctx *c, size_t s, const int32_t *rows, double *ub,
                             double *lb)
{
    size_t nr = c->nr;
    int64_t col = c->cols[s], n = c->ntot[s];
    if (nr > 12 || (double)col * (double)nr > 2e5) return 0;
    const double *lf = c->lfact;
    double base = -(lf[n] - lf[col] - lf[n - col]);
    /* maximum: greedy increments, gain log((r - v) / (v + 1)) decreasing in v */
    int32_t *v = c->scratch;
    for (size_t i = 0; i < nr; i++)
        v[i] = 0;
    for (int64_t u = 0; u < col; u++) {
        size_t best = nr;
        double bg = -INFINITY;
        for (size_t i = 0; i < nr; i++)
            if (v[i] < rows[i]) {
                double g = log((double)(rows[i] - v[i])) - log((double)v[i] + 1.0);
                if (g > bg) {
                    bg = g;
                    best = i;
                }
            }
        if (best == nr) return 0; /* cannot happen: rows sum to >= col */
        v[best]++;
    }
    double mx = base;
    for (size_t i = 0; i < nr; i++)
        mx += lf[rows[i]] - lf[v[i]] - lf[rows[i] - v[i]];
    /* minimum: vertices */
    double mn = INFINITY;
    for (size_t f = 0; f < nr; f++) {
        size_t others = nr - 1;
        for (uint32_t mask = 0; mask < (1u << others); mask++) {
            int64_t sum = 0;
            double val = base;
            size_t bit = 0;
            for (size_t i = 0; i < nr; i++) {
                if (i == f) continue;
                if (mask & (1u << bit)) sum += rows[i]; /* n_i = r_i: log C = 0 */
                bit++;
            }
            int64_t nf = col - sum;
            if (nf < 0 || nf > rows[f]) continue;
            val += lf[rows[f]] - lf[nf] - lf[rows[f] - nf];
            if (val < mn) mn = val;
        }
    }
    if (!isfinite(mn)) return 0;
    *ub = mx > 0.0 ? 0.0 : mx;
    *lb = mn > *ub ? *ub : mn;
    return 1;
}

/* Bounds on the log probability of any completion of node `rows` (ascending)
 * at stage s: the sub-table probability is A - sum log(n_ij!); the extreme
 * sums are bounded by relaxing either the column or the row constraints. */
static void node_bounds(const rxc_ctx *c, size_t s, const int32_t *rows, double *ub, double *lb)
{
    size_t m = c->nc - s, nr = c->nr;
    if (m <= 1) {
        *ub = *lb = 0.0;
        return;
    }
    if (m == 2 && two_column_bounds(c, s, rows, ub, lb)) return;
    const double *caps = c->caps_asc[s];
    double a = c->clf[s] - c->lfact[c->ntot[s]];
    double rmin = 0.0, rmax = 0.0, cmin = 0.0, cmax = 0.0;
    for (size_t i = 0; i < nr; i++) {
        a += c->lfact[rows[i]];
        rmin += even_min(rows[i], caps, m, c->lfact);
        rmax += greedy_max(rows[i], caps, m, c->lfact);
        c->rcap[i] = (double)rows[i];
    }
    for (size_t j = 0; j < m; j++) {
        int64_t cj = (int64_t)caps[j];
        cmin += even_min(cj, c->rcap, nr, c->lfact);
        cmax += greedy_max(cj, c->rcap, nr, c->lfact);
    }
    double smin = rmin > cmin ? rmin : cmin, smax = rmax < cmax ? rmax : cmax;
    *ub = a - smin;
    *lb = a - smax;
    if (*ub > 0.0) *ub = 0.0;
    if (*lb > *ub) *lb = *ub;
}

/* Find or add the node with `key` in t (computing its bounds for stage s). */
static rk_status tab_node(stage_tab *t, const rxc_ctx *c, size_t s, const int32_t *key,
                          uint32_t *idx, rk_error *err)
{
    rk_status st;
    if (!t->nslots) {
        st = tab_rehash_nodes(t, 1024, err);
        if (st) return st;
    }
    size_t nr = t->nr;
    size_t j = hash_key(key, nr) & (t->nslots - 1);
    while (t->nslot[j]) {
        uint32_t i = t->nslot[j] - 1;
        if (memcmp(t->keys + (size_t)i * nr, key, nr * sizeof *key) == 0) {
            *idx = i;
            return RK_OK;
        }
        j = (j + 1) & (t->nslots - 1);
    }
    if (t->nn + t->np >= RK_FISHER_MAX_ENTRIES) return tab_no_room(err);
    if (t->nn == t->ncap) {
        size_t cap = t->ncap ? 2 * t->ncap : 1024;
        if (!grow((void **)&t->keys, cap * nr, sizeof *t->keys) ||
            !grow((void **)&t->ub, cap, sizeof *t->ub) ||
            !grow((void **)&t->lb, cap, sizeof *t->lb) ||
            !grow((void **)&t->first, cap, sizeof *t->first))
            return rk_error_set(err, RK_ENOMEM, "Fisher's exact test: out of memory");
        t->ncap = cap;
    }
    uint32_t i = (uint32_t)t->nn++;
    memcpy(t->keys + (size_t)i * nr, key, nr * sizeof *key);
    node_bounds(c, s, key, &t->ub[i], &t->lb[i]);
    t->first[i] = 0;
    t->nslot[j] = i + 1;
    *idx = i;
    if (2 * t->nn > t->nslots) return tab_rehash_nodes(t, 2 * t->nslots, err);
    return RK_OK;
}

/* Add `cnt` paths with log probability lp to node `node` of t. */
static rk_status tab_past(stage_tab *t, uint32_t node, double lp, double cnt, rk_error *err)
{
    rk_status st;
    if (!t->npslots) {
        st = tab_rehash_pasts(t, 1024, err);
        if (st) return st;
    }
    int64_t b = past_bucket(lp);
    size_t j = past_hash(node, b) & (t->npslots - 1);
    while (t->pslot[j].idx) {
        if (t->pslot[j].node == node && t->pslot[j].bucket == b) {
            t->pcnt[t->pslot[j].idx - 1] += cnt;
            return RK_OK;
        }
        j = (j + 1) & (t->npslots - 1);
    }
    if (t->nn + t->np >= RK_FISHER_MAX_ENTRIES) return tab_no_room(err);
    if (t->np == t->pcap) {
        size_t cap = t->pcap ? 2 * t->pcap : 1024;
        if (!grow((void **)&t->plp, cap, sizeof *t->plp) ||
            !grow((void **)&t->pcnt, cap, sizeof *t->pcnt) ||
            !grow((void **)&t->pnext, cap, sizeof *t->pnext) ||
            !grow((void **)&t->pnode, cap, sizeof *t->pnode))
            return rk_error_set(err, RK_ENOMEM, "Fisher's exact test: out of memory");
        t->pcap = cap;
    }
    uint32_t i = (uint32_t)t->np++;
    t->plp[i] = lp;
    t->pcnt[i] = cnt;
    t->pnode[i] = node;
    t->pnext[i] = t->first[node];
    t->first[node] = i + 1;
    t->pslot[j].bucket = b;
    t->pslot[j].node = node;
    t->pslot[j].idx = i + 1;
    if (2 * t->np > t->npslots) return tab_rehash_pasts(t, 2 * t->npslots, err);
    return RK_OK;
}

/* Number of kept pasts with log probability <= v (they are ascending). */
static size_t kept_upto(const rxc_ctx *c, double v)
{
    size_t a = 0, b = c->nkept;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (c->klp[mid] <= v)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* One edge: the column allocation c->alloc with log probability `le`. */
static void rxc_edge(rxc_ctx *c, size_t s, double le)
{
    size_t nr = c->nr;
    for (size_t i = 0; i < nr; i++)
        c->child[i] = c->rows[i] - c->alloc[i];
    /* insertion sort: keys stay canonical */
    for (size_t i = 1; i < nr; i++) {
        int32_t v = c->child[i];
        size_t k = i;
        while (k > 0 && c->child[k - 1] > v) {
            c->child[k] = c->child[k - 1];
            k--;
        }
        c->child[k] = v;
    }
    double cub = 0.0, clb = 0.0;
    uint32_t node = 0;
    if (!c->terminal) {
        size_t before = c->next->nn;
        c->st = tab_node(c->next, c, s + 1, c->child, &node, c->err);
        if (c->st) return;
        if (c->next->nn != before) c->work += c->nr * (c->nc - s); /* bounds of a new node */
        cub = c->next->ub[node];
        clb = c->next->lb[node];
    }
    /* pasts whose every completion is at most the threshold: count them all */
    size_t a = kept_upto(c, c->log_thresh - le - cub);
    if (a > 0) c->pval += exp(le + c->kref) * c->kpm[a - 1];
    if (c->terminal) return;
    /* pasts with some completions on each side: carry them to the child */
    size_t b = kept_upto(c, c->log_thresh - le - clb);
    c->work += c->nr + (b - a);
    if (c->work > RK_FISHER_MAX_WORK) {
        c->st = rk_error_set(c->err, RK_ERANGE,
                             "Fisher's exact test: the table is too large for the exact network "
                             "algorithm (more than %.0e steps); use the chi-square test or a "
                             "simulated p-value",
                             (double)RK_FISHER_MAX_WORK);
        return;
    }
    for (size_t i = a; i < b; i++) {
        c->st = tab_past(c->next, node, c->klp[i] + le, c->kcnt[i], c->err);
        if (c->st) return;
    }
}

/* Enumerate the allocations of column total `rem` over rows i.. (recursive). */
static void rxc_enum(rxc_ctx *c, size_t s, size_t i, int64_t rem, double lp)
{
    if (c->st) return;
    size_t nr = c->nr;
    if (i == nr - 1) {
        if (rem > c->rows[i]) return;
        c->alloc[i] = (int32_t)rem;
        int32_t r = c->rows[i];
        double le = lp + c->lfact[r] - c->lfact[rem] - c->lfact[r - rem];
        int64_t n = c->ntot[s], k = c->cols[s];
        le -= c->lfact[n] - c->lfact[k] - c->lfact[n - k];
        rxc_edge(c, s, le);
        return;
    }
    int32_t r = c->rows[i];
    int64_t lo = rem - c->capafter[i];
    if (lo < 0) lo = 0;
    int64_t hi = rem < r ? rem : r;
    for (int64_t v = lo; v <= hi && !c->st; v++) {
        c->alloc[i] = (int32_t)v;
        rxc_enum(c, s, i + 1, rem - v, lp + c->lfact[r] - c->lfact[v] - c->lfact[r - v]);
    }
}

typedef struct past_pair {
    double lp, cnt;
} past_pair;

static int cmp_past(const void *a, const void *b)
{
    double x = ((const past_pair *)a)->lp, y = ((const past_pair *)b)->lp;
    return (x > y) - (x < y);
}

static int cmp_int64_asc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

rk_status rk__fisher_rxc_pvalue(const int64_t *table, size_t nr0, size_t nc0, double *p,
                                rk_error *err)
{
    int transpose = nr0 > nc0;
    size_t nr = transpose ? nc0 : nr0, nc = transpose ? nr0 : nc0;
    rk_status st = RK_OK;
    int64_t *rowt = calloc(nr, sizeof *rowt), *colt = calloc(nc, sizeof *colt);
    double *lfact = NULL, *clf = NULL, **caps = NULL, *kbuf = NULL;
    int64_t *ntot = NULL, *capafter = NULL;
    int32_t *root = NULL, *alloc = NULL, *child = NULL;
    double *rcap = NULL;
    int32_t *scratch = NULL;
    past_pair *pp = NULL;
    size_t ppcap = 0;
    stage_tab ta, tb;
    memset(&ta, 0, sizeof ta);
    memset(&tb, 0, sizeof tb);
    ta.nr = tb.nr = nr;
    if (!rowt || !colt) goto nomem;
    int64_t n = 0;
    for (size_t i = 0; i < nr0; i++)
        for (size_t j = 0; j < nc0; j++) {
            int64_t v = table[i * nc0 + j];
            rowt[transpose ? j : i] += v;
            colt[transpose ? i : j] += v;
            n += v;
        }
    if (n > FISHER_RXC_MAX_N) {
        st = rk_error_set(err, RK_ERANGE,
                          "Fisher's exact test: %lld observations is too many for the exact "
                          "r x c algorithm; use the chi-square test",
                          (long long)n);
        goto done;
    }
    lfact = malloc(((size_t)n + 1) * sizeof *lfact);
    if (!lfact) goto nomem;
    lfact[0] = 0.0;
    rk__gsl_init();
    for (int64_t i = 1; i <= n; i++)
        lfact[i] = gsl_sf_lngamma((double)i + 1.0);

    /* log probability of the observed table and the counting threshold */
    double lpo = -lfact[n];
    for (size_t i = 0; i < nr; i++)
        lpo += lfact[rowt[i]];
    for (size_t j = 0; j < nc; j++)
        lpo += lfact[colt[j]];
    for (size_t i = 0; i < nr0 * nc0; i++)
        lpo -= lfact[table[i]];

    /* columns in increasing order: the last (forced) column is the largest */
    qsort(colt, nc, sizeof *colt, cmp_int64_asc);
    clf = malloc(nc * sizeof *clf);
    ntot = malloc(nc * sizeof *ntot);
    caps = calloc(nc, sizeof *caps);
    if (!clf || !ntot || !caps) goto nomem;
    for (size_t s = nc; s-- > 0;) {
        clf[s] = lfact[colt[s]] + (s + 1 < nc ? clf[s + 1] : 0.0);
        ntot[s] = colt[s] + (s + 1 < nc ? ntot[s + 1] : 0);
        caps[s] = malloc((nc - s) * sizeof **caps);
        if (!caps[s]) goto nomem;
        for (size_t j = s; j < nc; j++)
            caps[s][j - s] = (double)colt[j];
        qsort(caps[s], nc - s, sizeof **caps, rk__cmp_double);
    }
    root = malloc(nr * sizeof *root);
    alloc = malloc(nr * sizeof *alloc);
    child = malloc(nr * sizeof *child);
    capafter = malloc(nr * sizeof *capafter);
    rcap = malloc(nr * sizeof *rcap);
    scratch = malloc(nr * sizeof *scratch);
    if (!root || !alloc || !child || !capafter || !rcap || !scratch) goto nomem;
    for (size_t i = 0; i < nr; i++)
        root[i] = (int32_t)rowt[i];
    qsort(root, nr, sizeof *root, cmp_int32);

    rxc_ctx c;
    memset(&c, 0, sizeof c);
    c.nr = nr;
    c.nc = nc;
    c.cols = colt;
    c.lfact = lfact;
    c.caps_asc = caps;
    c.clf = clf;
    c.ntot = ntot;
    /* R fisher.test: relErr 1 + 1e-7 */
    c.log_thresh = lpo + log1p(FISHER_REL_ERR);
    c.alloc = alloc;
    c.child = child;
    c.capafter = capafter;
    c.rcap = rcap;
    c.scratch = scratch;
    c.err = err;

    stage_tab *cur = &ta, *nxt = &tb;
    uint32_t rnode;
    st = tab_node(cur, &c, 0, root, &rnode, err);
    if (st) goto done;
    st = tab_past(cur, rnode, 0.0, 1.0, err);
    if (st) goto done;

    for (size_t s = 0; s + 1 < nc; s++) {
        tab_reset(nxt);
        c.next = nxt;
        c.terminal = (s + 2 == nc);
        for (size_t v = 0; v < cur->nn; v++) {
            if (!cur->first[v]) continue;
            double ub = cur->ub[v], lb = cur->lb[v];
            size_t k = 0;
            for (uint32_t e = cur->first[v]; e; e = cur->pnext[e - 1]) {
                double lp = cur->plp[e - 1], cnt = cur->pcnt[e - 1];
                if (lp + ub <= c.log_thresh) {
                    c.pval += cnt * exp(lp);
                } else if (lp + lb > c.log_thresh) {
                    continue;
                } else {
                    if (k == ppcap) {
                        size_t cap = ppcap ? 2 * ppcap : 256;
                        if (!grow((void **)&pp, cap, sizeof *pp) ||
                            !grow((void **)&kbuf, 3 * cap, sizeof *kbuf))
                            goto nomem;
                        ppcap = cap;
                    }
                    pp[k].lp = lp;
                    pp[k].cnt = cnt;
                    k++;
                }
            }
            if (!k) continue;
            qsort(pp, k, sizeof *pp, cmp_past);
            c.klp = kbuf;
            c.kcnt = kbuf + ppcap;
            c.kpm = kbuf + 2 * ppcap;
            c.nkept = k;
            c.kref = pp[k - 1].lp;
            double acc = 0.0;
            for (size_t i = 0; i < k; i++) {
                c.klp[i] = pp[i].lp;
                c.kcnt[i] = pp[i].cnt;
                acc += pp[i].cnt * exp(pp[i].lp - c.kref);
                c.kpm[i] = acc;
            }
            c.rows = cur->keys + (size_t)v * nr;
            int64_t sum = 0;
            for (size_t i = nr; i-- > 0;) {
                capafter[i] = sum;
                sum += c.rows[i];
            }
            c.st = RK_OK;
            rxc_enum(&c, s, 0, colt[s], 0.0);
            if (c.st) {
                st = c.st;
                goto done;
            }
        }
        stage_tab *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    *p = c.pval > 1.0 ? 1.0 : c.pval;
    goto done;
nomem:
    st = rk_error_set(err, RK_ENOMEM, "Fisher's exact test: out of memory");
done:
    if (caps)
        for (size_t s = 0; s < nc; s++)
            free(caps[s]);
    free(caps);
    free(rowt);
    free(colt);
    free(lfact);
    free(clf);
    free(ntot);
    free(root);
    free(alloc);
    free(child);
    free(capafter);
    free(rcap);
    free(scratch);
    free(pp);
    free(kbuf);
    tab_free(&ta);
    tab_free(&tb);
    return st;
}

/* ============================================================= public */

/* Fisher's exact test of an nr x nc table: see rctkit/stats.h.  2x2 follows R's
 * fisher.test (p, conditional MLE, exact conditional limits); larger tables
 * get the exact two-sided p only. */
rk_status rk_fisher_test(const int64_t *table, size_t nr, size_t nc, rk_alternative alt,
                         double conf_level, rk_htest *res, rk_error *err)
{
    if (!res) return rk_error_set(err, RK_EINVAL, "Fisher's exact test: no result object given");
    rk_htest_init(res);
    if (!table || nr < 2 || nc < 2)
        return rk__table_margins(table, nr, nc, "Fisher's exact test", NULL, NULL, NULL, err);
    if (alt != RK_ALT_TWO_SIDED && alt != RK_ALT_LESS && alt != RK_ALT_GREATER)
        return rk_error_set(err, RK_EINVAL, "Fisher's exact test: unknown alternative %d",
                            (int)alt);
    rk_status st = rk__check_conf_level(conf_level, err);
    if (st) return st;
    int64_t *row = malloc(nr * sizeof *row), *col = malloc(nc * sizeof *col);
    if (!row || !col) {
        free(row);
        free(col);
        return rk_error_set(err, RK_ENOMEM, "Fisher's exact test: out of memory");
    }
    int64_t total;
    st = rk__table_margins(table, nr, nc, "Fisher's exact test", row, col, &total, err);
    free(row);
    free(col);
    if (st) return st;
    snprintf(res->method, sizeof res->method, "Fisher's Exact Test for Count Data");
    res->alternative = alt;
    res->exact = 1;
    if (nr == 2 && nc == 2) return fisher_2x2(table, alt, conf_level, res, err);
    if (alt != RK_ALT_TWO_SIDED)
        return rk_error_set(err, RK_EINVAL,
                            "Fisher's exact test: a %zu x %zu table only has a two-sided test "
                            "(alternative '%s' needs a 2x2 table)",
                            nr, nc, rk_alternative_name(alt));
    res->alternative = RK_ALT_NONE;
    return rk__fisher_rxc_pvalue(table, nr, nc, &res->p_value, err);
}
