/* Proportional-odds (cumulative logit) model: Newton-Raphson fit, CIs, LR and PO score tests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "models/fit.h"
#include "models/ordinal.h"
#include "stats/htest.h"

/* Span of the linear predictor (sum |beta_m| * range of x_m) beyond which fitted
 * probabilities are numerically 0 or 1 (e^-40 < DBL_EPSILON^2): separation. */
#define ORD_SEPARATION_SPAN 40.0
/* Newton-Raphson stops (and reports divergence) beyond this span. */
#define ORD_DIVERGE_SPAN 80.0
/* Relative step size below which a Newton step is negligible. */
#define ORD_STEP_TOL 1e-6

void rk_ordinal_opts_init(rk_ordinal_opts *o)
{
    if (!o) return;
    o->convention = RK_ORDINAL_SAS;
    o->ci = RK_ORDINAL_CI_WALD;
    o->conf_level = 0.95;
    o->tolerance = 1e-10;
    o->max_iter = 100;
}

/* Logistic cdf F(z) and F(-z) = 1 - F(z) from one exp, both to full relative
 * accuracy and without overflow. */
static void plogis2(double z, double *lower, double *upper)
{
    double e = exp(-fabs(z)), a = 1.0 / (1.0 + e), b = e / (1.0 + e);
    if (z >= 0)
        *lower = a, *upper = b;
    else
        *lower = b, *upper = a;
}

double rk__ordinal_eval(const double *X, const double *y, const double *w, size_t n, size_t p,
                        size_t K, const double *theta, const double *beta, int general, double *g,
                        double *info)
{
    size_t q = general ? (K - 1) * (1 + p) : K - 1 + p;
    if (g) memset(g, 0, q * sizeof *g);
    if (info) memset(info, 0, q * q * sizeof *info);
    /* the nonzero derivatives of u = theta_k - x'beta and l = theta_{k-1} - x'beta */
    size_t mmax = 2 + 2 * p;
    double ll = 0.0;
    size_t *ix = malloc(mmax * sizeof *ix);
    double *vu = malloc(mmax * sizeof *vu), *vl = malloc(mmax * sizeof *vl);
    double *dp = malloc(mmax * sizeof *dp);
    if (!ix || !vu || !vl || !dp) {
        free(ix), free(vu), free(vl), free(dp);
        return NAN;
    }
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0.0) continue;
        const double *x = X + i * p;
        size_t k = (size_t)y[i];
        double eta = 0.0;
        for (size_t m = 0; m < p; m++)
            eta += x[m] * beta[m];
        int has_u = k<K - 1, has_l = k> 0;
        double u = has_u ? theta[k] - eta : INFINITY;
        double l = has_l ? theta[k - 1] - eta : -INFINITY;
        double Fu = 1.0, Su = 0.0, Fl = 0.0, Sl = 1.0; /* F and 1 - F at u and l */
        if (has_u) plogis2(u, &Fu, &Su);
        if (has_l) plogis2(l, &Fl, &Sl);
        /* both in the upper tail: difference of upper tails, for accuracy */
        double pr = has_l && l > 0 ? Sl - Su : Fu - Fl;
        if (!(pr > 0.0)) {
            ll = -INFINITY;
            break;
        }
        ll += wi * log(pr);
        if (!g && !info) continue;
        double fu = 0, fl = 0, fpu = 0, fpl = 0;
        if (has_u) {
            fu = Fu * Su;
            fpu = fu * (Su - Fu);
        }
        if (has_l) {
            fl = Fl * Sl;
            fpl = fl * (Sl - Fl);
        }
        size_t m = 0;
        if (has_u) ix[m] = k, vu[m] = 1.0, vl[m] = 0.0, m++;
        if (has_l) ix[m] = k - 1, vu[m] = 0.0, vl[m] = 1.0, m++;
        if (!general) {
            for (size_t c = 0; c < p; c++)
                ix[m] = K - 1 + c, vu[m] = has_u ? -x[c] : 0.0, vl[m] = has_l ? -x[c] : 0.0, m++;
        } else {
            if (has_u)
                for (size_t c = 0; c < p; c++)
                    ix[m] = K - 1 + k * p + c, vu[m] = -x[c], vl[m] = 0.0, m++;
            if (has_l)
                for (size_t c = 0; c < p; c++)
                    ix[m] = K - 1 + (k - 1) * p + c, vu[m] = 0.0, vl[m] = -x[c], m++;
        }
        for (size_t a = 0; a < m; a++)
            dp[a] = fu * vu[a] - fl * vl[a];
        if (g)
            for (size_t a = 0; a < m; a++)
                g[ix[a]] += wi * dp[a] / pr;
        if (info) {
            double pr2 = pr * pr;
            for (size_t a = 0; a < m; a++)
                for (size_t b = 0; b < m; b++)
                    info[ix[a] * q + ix[b]] +=
                        wi *
                        (dp[a] * dp[b] / pr2 - (fpu * vu[a] * vu[b] - fpl * vl[a] * vl[b]) / pr);
        }
    }
    free(ix), free(vu), free(vl), free(dp);
    return ll;
}

/* A design row for sorting: identical (y, x) rows are merged into one weighted row. */
typedef struct ord_row {
    const double *x;
    size_t p;
    double y, w;
} ord_row;

static int ord_row_cmp(const void *pa, const void *pb)
{
    const ord_row *a = pa, *b = pb;
    if (a->y != b->y) return a->y < b->y ? -1 : 1;
    for (size_t m = 0; m < a->p; m++)
        if (a->x[m] != b->x[m]) return a->x[m] < b->x[m] ? -1 : 1;
    return 0;
}

/* Merge identical rows of (X, y, w) in place into the first *n rows, summing
 * weights and dropping zero weights; *w is allocated (the caller frees it).
 * The likelihood is a sum over rows, so the fit is unchanged; grouped counts
 * and one row per patient then run the same arithmetic.  0 on success. */
static int ord_collapse(double *X, double *y, double **w, const double *w_in, size_t *n, size_t p)
{
    size_t N = *n;
    ord_row *r = malloc((N + 1) * sizeof *r);
    double *Xc = malloc((N * p + 1) * sizeof *Xc), *ww = malloc((N + 1) * sizeof *ww);
    if (!r || !Xc || !ww) {
        free(r), free(Xc), free(ww);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        double wi = w_in ? w_in[i] : 1.0;
        if (wi == 0) continue;
        r[k].x = X + i * p, r[k].p = p, r[k].y = y[i], r[k].w = wi;
        k++;
    }
    qsort(r, k, sizeof *r, ord_row_cmp);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && ord_row_cmp(&r[i], &r[i - 1]) == 0) {
            ww[m - 1] += r[i].w;
            continue;
        }
        memcpy(Xc + m * p, r[i].x, p * sizeof *Xc);
        y[m] = r[i].y;
        ww[m] = r[i].w;
        m++;
    }
    memcpy(X, Xc, m * p * sizeof *X);
    free(r), free(Xc);
    *w = ww;
    *n = m;
    return 0;
}

/* The problem after input checks: X without an intercept column. */
typedef struct ord_prob {
    const double *X, *y, *w;
    size_t n, p, K;
    double W;       /* total weight */
    double *range;  /* p: max - min of each column */
    double *gscale; /* q: W * max(1, max |x|) -- bound on |score| */
} ord_prob;

enum { ORD_OK, ORD_SINGULAR, ORD_NOCONV, ORD_DIVERGE, ORD_NOMEM };

static double ord_span(const ord_prob *d, const double *par)
{
    double s = 0;
    for (size_t m = 0; m < d->p; m++)
        s += fabs(par[d->K - 1 + m]) * d->range[m];
    return s;
}

static int ord_thresholds_increasing(const double *theta, size_t K)
{
    for (size_t j = 0; j + 1 < K - 1; j++)
        if (!(theta[j] < theta[j + 1])) return 0;
    for (size_t j = 0; j < K - 1; j++)
        if (!isfinite(theta[j])) return 0;
    return 1;
}

/* Newton-Raphson with step halving on par (q = K-1+p), holding par[fixed]
 * constant when fixed < q.  On ORD_OK, *ll and (when info != NULL) the full
 * observed information at the solution are set; g always holds the score. */
static int ord_newton(const ord_prob *d, double *par, size_t fixed, double tol, int max_iter,
                      double *ll_out, int *iter_out, double *g, double *info)
{
    size_t K = d->K, p = d->p, q = K - 1 + p;
    size_t nf = fixed < q ? q - 1 : q;
    double *trial = malloc(q * sizeof *trial);
    double *I = malloc(q * q * sizeof *I);
    size_t *fr = malloc(q * sizeof *fr);
    gsl_matrix *A = gsl_matrix_alloc(nf, nf);
    gsl_vector *gv = gsl_vector_alloc(nf), *dv = gsl_vector_alloc(nf);
    int rc = ORD_NOCONV, it = 0;
    if (!trial || !I || !fr || !A || !gv || !dv) {
        rc = ORD_NOMEM;
        goto done;
    }
    for (size_t a = 0, m = 0; a < q; a++)
        if (a != fixed) fr[m++] = a;
    double ll = rk__ordinal_eval(d->X, d->y, d->w, d->n, p, K, par, par + K - 1, 0, g, I);
    if (!isfinite(ll)) {
        rc = ORD_SINGULAR;
        goto done;
    }
    for (it = 0; it <= max_iter; it++) {
        double gmax = 0;
        for (size_t a = 0; a < nf; a++) {
            double r = fabs(g[fr[a]]) / d->gscale[fr[a]];
            if (r > gmax) gmax = r;
            gsl_vector_set(gv, a, g[fr[a]]);
            for (size_t b = 0; b < nf; b++)
                gsl_matrix_set(A, a, b, I[fr[a] * q + fr[b]]);
        }
        if (gsl_linalg_cholesky_decomp1(A) != GSL_SUCCESS) {
            rc = ORD_SINGULAR;
            break;
        }
        gsl_linalg_cholesky_solve(A, gv, dv);
        double smax = 0;
        for (size_t a = 0; a < nf; a++) {
            double r = fabs(gsl_vector_get(dv, a)) / (1.0 + fabs(par[fr[a]]));
            if (r > smax) smax = r;
        }
        if (gmax <= tol && smax <= ORD_STEP_TOL) {
            rc = ORD_OK;
            break;
        }
        if (it == max_iter) break;
        double step = 1.0;
        int accepted = 0;
        for (int h = 0; h < 40; h++, step /= 2) {
            memcpy(trial, par, q * sizeof *par);
            for (size_t a = 0; a < nf; a++)
                trial[fr[a]] += step * gsl_vector_get(dv, a);
            if (!ord_thresholds_increasing(trial, K)) continue;
            double lt =
                rk__ordinal_eval(d->X, d->y, d->w, d->n, p, K, trial, trial + K - 1, 0, g, I);
            if (isfinite(lt) && lt >= ll - 1e-12 * (1.0 + fabs(ll))) {
                memcpy(par, trial, q * sizeof *par);
                ll = lt;
                accepted = 1;
                break;
            }
        }
        if (!accepted) {
            /* no ascent possible: at the optimum up to rounding, or stuck */
            ll = rk__ordinal_eval(d->X, d->y, d->w, d->n, p, K, par, par + K - 1, 0, g, I);
            rc = gmax <= sqrt(tol) ? ORD_OK : ORD_NOCONV;
            break;
        }
        if (ord_span(d, par) > ORD_DIVERGE_SPAN) {
            rc = ORD_DIVERGE;
            break;
        }
    }
    *ll_out = ll;
    if (info) memcpy(info, I, q * q * sizeof *I);
done:
    if (iter_out) *iter_out = it;
    free(trial), free(I), free(fr);
    if (A) gsl_matrix_free(A);
    if (gv) gsl_vector_free(gv);
    if (dv) gsl_vector_free(dv);
    return rc;
}

/* Inverse of a symmetric positive definite q x q matrix in place; 0 on success. */
static int spd_inverse(double *M, size_t q)
{
    gsl_matrix_view v = gsl_matrix_view_array(M, q, q);
    if (gsl_linalg_cholesky_decomp1(&v.matrix) != GSL_SUCCESS) return -1;
    if (gsl_linalg_cholesky_invert(&v.matrix) != GSL_SUCCESS) return -1;
    return 0;
}

/* Score statistic U' J^+ U with J^+ the Moore-Penrose inverse (symmetric eigen-
 * decomposition, eigenvalues below 1e-10 * the largest treated as zero): SAS
 * prints the test even when the unconstrained model's information is singular
 * (empty cells), and the cheese example's 17.2868 needs the generalized inverse. */
static int score_quadratic(const double *U, double *J, size_t Q, double *stat)
{
    gsl_matrix_view Jv = gsl_matrix_view_array(J, Q, Q);
    gsl_vector *ev = gsl_vector_alloc(Q);
    gsl_matrix *V = gsl_matrix_alloc(Q, Q);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(Q);
    int rc = -1;
    if (ev && V && ws && gsl_eigen_symmv(&Jv.matrix, ev, V, ws) == GSL_SUCCESS) {
        double emax = 0;
        for (size_t a = 0; a < Q; a++)
            if (gsl_vector_get(ev, a) > emax) emax = gsl_vector_get(ev, a);
        double s = 0;
        for (size_t a = 0; a < Q; a++) {
            double e = gsl_vector_get(ev, a);
            if (!(e > 1e-10 * emax)) continue;
            double c = 0;
            for (size_t b = 0; b < Q; b++)
                c += gsl_matrix_get(V, b, a) * U[b];
            s += c * c / e;
        }
        *stat = s;
        rc = 0;
    }
    if (ev) gsl_vector_free(ev);
    if (V) gsl_matrix_free(V);
    if (ws) gsl_eigen_symmv_free(ws);
    return rc;
}

/* One profile-likelihood limit for par[a] on side s (-1 lower, +1 upper), in the
 * internal (R) parametrization: the root of |r(b)| = z with r the signed root of
 * 2 (l_max - l_p(b)).  *limit = +-INFINITY when the profile never reaches z. */
static rk_status profile_limit(const ord_prob *d, const double *mle, double llmax, size_t a,
                               double se, double s, double z, double tol, int max_iter,
                               double *limit, const char *name, rk_error *err)
{
    size_t q = d->K - 1 + d->p;
    double *par = malloc(q * sizeof *par), *g = malloc(q * sizeof *g);
    double *best = malloc(q * sizeof *best);
    rk_status st = RK_OK;
    if (!par || !g || !best) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory profiling '%s'", name);
        goto done;
    }
    double bhat = mle[a];
    memcpy(best, mle, q * sizeof *mle);
    /* h(b) = |r(b)| - z, increasing in |b - bhat|; dh/db = -g_a / |r| */
#define PROFILE_AT(bval, hout, dout)                                                               \
    do {                                                                                           \
        memcpy(par, best, q * sizeof *par);                                                        \
        par[a] = (bval);                                                                           \
        double llb;                                                                                \
        int rc_ = ord_newton(d, par, a, tol, max_iter, &llb, NULL, g, NULL);                       \
        if (rc_ == ORD_NOMEM) {                                                                    \
            st = rk_error_set(err, RK_ENOMEM, "out of memory profiling '%s'", name);               \
            goto done;                                                                             \
        }                                                                                          \
        if (rc_ != ORD_OK) {                                                                       \
            st = rk_error_set(err, RK_ENOCONV,                                                     \
                              "profile likelihood for '%s': the constrained fit at %g did not "    \
                              "converge; use Wald intervals",                                      \
                              name, (bval));                                                       \
            goto done;                                                                             \
        }                                                                                          \
        memcpy(best, par, q * sizeof *par);                                                        \
        double dev_ = 2.0 * (llmax - llb);                                                         \
        double r_ = sqrt(dev_ > 0 ? dev_ : 0);                                                     \
        (hout) = r_ - z;                                                                           \
        (dout) = r_ > 0 ? -s * g[a] / r_ : INFINITY;                                               \
        (void)(dout);                                                                              \
    } while (0)
    double lo = bhat, hi = NAN, hhi = NAN, dh = 0;
    /* bracket: walk out from the Wald limit */
    double b = bhat + s * z * se;
    for (int k = 0; k < 12; k++) {
        double h;
        PROFILE_AT(b, h, dh);
        if (h >= 0) {
            hi = b;
            hhi = h;
            break;
        }
        lo = b;
        b = bhat + s * z * se * (double)(2 << k);
    }
    if (isnan(hi)) {
        *limit = s * INFINITY;
        goto done;
    }
    /* safeguarded Newton inside [lo, hi] (as points on side s) */
    b = hi;
    double h = hhi;
    for (int it = 0; it < 200 && fabs(h) > 1e-11; it++) {
        double nb = (dh > 0 && isfinite(dh)) ? b - s * h / dh : NAN;
        double left = s > 0 ? lo : hi, right = s > 0 ? hi : lo;
        if (!(nb > left && nb < right)) nb = 0.5 * (lo + hi);
        b = nb;
        PROFILE_AT(b, h, dh);
        if (h < 0)
            lo = b;
        else
            hi = b;
        if (fabs(hi - lo) <= 1e-13 * (1.0 + fabs(b))) break;
    }
#undef PROFILE_AT
    *limit = b;
done:
    free(par), free(g), free(best);
    return st;
}

/* Weighted Gram-Schmidt on the centred columns: names a constant or collinear column. */
static rk_status check_columns(const double *X, const double *w, size_t n, size_t p,
                               char *const *names, rk_error *err)
{
    if (p == 0) return RK_OK;
    double *Q = malloc(n * p * sizeof *Q);
    if (!Q) return rk_error_set(err, RK_ENOMEM, "out of memory checking the design");
    double W = 0;
    for (size_t i = 0; i < n; i++)
        W += w ? w[i] : 1.0;
    rk_status st = RK_OK;
    for (size_t j = 0; j < p && st == RK_OK; j++) {
        double *v = Q + j * n, mean = 0;
        for (size_t i = 0; i < n; i++)
            mean += (w ? w[i] : 1.0) * X[i * p + j];
        mean /= W;
        double n0 = 0;
        for (size_t i = 0; i < n; i++) {
            v[i] = X[i * p + j] - mean;
            n0 += (w ? w[i] : 1.0) * v[i] * v[i];
        }
        if (!(n0 > 1e-24 * (1.0 + mean * mean) * W)) {
            st = rk_error_set(err, RK_EINVAL,
                              "column '%s' is constant; it cannot be estimated alongside the "
                              "thresholds (remove it)",
                              names ? names[j] : "?");
            break;
        }
        for (size_t k = 0; k < j; k++) {
            const double *u = Q + k * n;
            double c = 0;
            for (size_t i = 0; i < n; i++)
                c += (w ? w[i] : 1.0) * v[i] * u[i];
            for (size_t i = 0; i < n; i++)
                v[i] -= c * u[i];
        }
        double n1 = 0;
        for (size_t i = 0; i < n; i++)
            n1 += (w ? w[i] : 1.0) * v[i] * v[i];
        if (!(n1 > 1e-18 * n0)) {
            st = rk_error_set(err, RK_EINVAL,
                              "column '%s' is a linear combination of the other columns "
                              "(collinear); remove it",
                              names ? names[j] : "?");
            break;
        }
        double nn = sqrt(n1);
        for (size_t i = 0; i < n; i++)
            v[i] /= nn;
    }
    free(Q);
    return st;
}

rk_status rk_ordinal_fit(const rk_design *d, const rk_ordinal_opts *o, rk_fit **out, rk_error *err)
{
    rk_ordinal_opts opts;
    rk_ordinal_opts_init(&opts);
    if (o) opts = *o;
    if (out) *out = NULL;
    if (!d || !out) return rk_error_set(err, RK_EINVAL, "rk_ordinal_fit: NULL design or output");
    rk_status st = rk__check_conf_level(opts.conf_level, err);
    if (st != RK_OK) return st;
    if (!(opts.tolerance > 0 && opts.tolerance < 1))
        return rk_error_set(err, RK_EINVAL, "tolerance %g is outside (0, 1)", opts.tolerance);
    if (opts.max_iter < 1)
        return rk_error_set(err, RK_EINVAL, "max_iter must be at least 1 (got %d)", opts.max_iter);
    if (opts.convention != RK_ORDINAL_SAS && opts.convention != RK_ORDINAL_R)
        return rk_error_set(err, RK_EINVAL, "unknown ordinal convention %d", (int)opts.convention);
    if (opts.ci != RK_ORDINAL_CI_WALD && opts.ci != RK_ORDINAL_CI_PROFILE)
        return rk_error_set(err, RK_EINVAL, "unknown ordinal CI method %d", (int)opts.ci);
    size_t K = d->n_levels, n = d->n;
    if (K < 2)
        return rk_error_set(err, RK_EINVAL,
                            "the outcome has %zu level%s; a proportional-odds model needs at "
                            "least 2",
                            K, K == 1 ? "" : "s");
    if (n == 0) return rk_error_set(err, RK_EINVAL, "no observations to fit");
    if (!d->y || (d->p > 0 && !d->X))
        return rk_error_set(err, RK_EINVAL, "rk_ordinal_fit: design without X or y");
    if ((st = rk__check_finite(d->y, n, "outcome", err)) != RK_OK) return st;
    if (d->p > 0 && (st = rk__check_finite(d->X, n * d->p, "design matrix", err)) != RK_OK)
        return st;
    if (d->weight) {
        if ((st = rk__check_finite(d->weight, n, "weights", err)) != RK_OK) return st;
        for (size_t i = 0; i < n; i++)
            if (d->weight[i] < 0)
                return rk_error_set(err, RK_EINVAL, "weights: value %zu is negative (%g)", i + 1,
                                    d->weight[i]);
    }
    for (size_t i = 0; i < n; i++)
        if (d->y[i] < 0 || d->y[i] > (double)(K - 1) || d->y[i] != floor(d->y[i]))
            return rk_error_set(err, RK_EINVAL,
                                "outcome: value %zu (%g) is not a level index 0..%zu", i + 1,
                                d->y[i], K - 1);
    double *Wk = calloc(K, sizeof *Wk);
    if (!Wk) return rk_error_set(err, RK_ENOMEM, "out of memory");
    double W = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = d->weight ? d->weight[i] : 1.0;
        Wk[(size_t)d->y[i]] += wi;
        W += wi;
    }
    for (size_t k = 0; k < K; k++)
        if (!(Wk[k] > 0)) {
            const char *nm = d->levels && d->levels[k] ? d->levels[k] : "?";
            free(Wk);
            return rk_error_set(err, RK_EINVAL,
                                "outcome level '%s' has no observations; drop it from the level "
                                "order or merge it with a neighbouring level",
                                nm);
        }

    /* X without "(Intercept)": the thresholds play its role */
    size_t p = 0;
    size_t *cols = malloc((d->p + 1) * sizeof *cols);
    if (!cols) {
        free(Wk);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < d->p; j++)
        if (!(d->colnames && d->colnames[j] && strcmp(d->colnames[j], "(Intercept)") == 0))
            cols[p++] = j;
    size_t q = K - 1 + p;
    double *X = malloc((n * p + 1) * sizeof *X);
    char **names = malloc((p + 1) * sizeof *names);
    double *range = malloc((p + 1) * sizeof *range), *gscale = malloc(q * sizeof *gscale);
    double *par = malloc(q * sizeof *par), *g = malloc(q * sizeof *g);
    double *info = malloc(q * q * sizeof *info);
    rk_fit *f = NULL;
    double *U = NULL, *J = NULL, *yc = NULL, *wc = NULL;
    if (!X || !names || !range || !gscale || !par || !g || !info) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory fitting the ordinal model");
        goto done;
    }
    for (size_t m = 0; m < p; m++) {
        names[m] = d->colnames ? d->colnames[cols[m]] : NULL;
        double lo = INFINITY, hi = -INFINITY, amax = 0;
        for (size_t i = 0; i < n; i++) {
            double v = d->X[i * d->p + cols[m]];
            X[i * p + m] = v;
            if (d->weight && d->weight[i] == 0) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
            if (fabs(v) > amax) amax = fabs(v);
        }
        range[m] = hi - lo;
        gscale[K - 1 + m] = W * (amax > 1 ? amax : 1);
    }
    for (size_t j = 0; j + 1 < K; j++)
        gscale[j] = W;
    if (d->colnames && (st = check_columns(X, d->weight, n, p, names, err)) != RK_OK) goto done;
    if (!d->colnames && (st = check_columns(X, d->weight, n, p, NULL, err)) != RK_OK) goto done;

    rk__gsl_init();
    yc = malloc((n + 1) * sizeof *yc);
    if (!yc) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory fitting the ordinal model");
        goto done;
    }
    memcpy(yc, d->y, n * sizeof *yc);
    size_t nc = n;
    if (ord_collapse(X, yc, &wc, d->weight, &nc, p) != 0) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory fitting the ordinal model");
        goto done;
    }
    ord_prob pr = {X, yc, wc, nc, p, K, W, range, gscale};
    /* start: thresholds-only MLE (marginal cumulative logits), beta = 0 */
    double cum = 0, ll0 = 0;
    for (size_t k = 0; k < K; k++)
        ll0 += Wk[k] * log(Wk[k] / W);
    for (size_t j = 0; j + 1 < K; j++) {
        cum += Wk[j];
        par[j] = log(cum / (W - cum));
    }
    for (size_t m = 0; m < p; m++)
        par[K - 1 + m] = 0.0;
    double ll;
    int iters = 0;
    int rc = ord_newton(&pr, par, q, opts.tolerance, opts.max_iter, &ll, &iters, g, info);
    if (rc == ORD_NOMEM) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory fitting the ordinal model");
        goto done;
    }
    /* a failed fit whose linear predictor already spans more than half the
     * separation span was diverging (information singular at ~37 logits) */
    double span = ord_span(&pr, par);
    if (rc == ORD_DIVERGE || span > ORD_SEPARATION_SPAN ||
        (rc != ORD_OK && span > 0.5 * ORD_SEPARATION_SPAN)) {
        size_t worst = 0;
        for (size_t m = 1; m < p; m++)
            if (fabs(par[K - 1 + m]) * range[m] > fabs(par[K - 1 + worst]) * range[worst])
                worst = m;
        st = rk_error_set(err, RK_EINVAL,
                          "complete or quasi-complete separation: the estimate for '%s' diverges "
                          "(the outcome levels are perfectly ordered by the covariates); the "
                          "maximum likelihood estimate does not exist",
                          p && names[worst] ? names[worst] : "?");
        goto done;
    }
    if (rc == ORD_SINGULAR) {
        st = rk_error_set(err, RK_ENOCONV,
                          "Newton-Raphson stopped: the information matrix is singular after %d "
                          "iterations (check the design for collinear columns or separation)",
                          iters);
        goto done;
    }
    if (rc != ORD_OK) {
        st = rk_error_set(err, RK_ENOCONV,
                          "Newton-Raphson did not converge in %d iterations; raise the iteration "
                          "limit or check the data",
                          opts.max_iter);
        goto done;
    }
    if (spd_inverse(info, q) != 0) {
        st = rk_error_set(err, RK_ENOCONV, "the information matrix at the estimates is singular");
        goto done;
    }

    f = rk__fit_new("ordinal", q, err);
    if (!f) {
        st = RK_ENOMEM;
        goto done;
    }
    int sas = opts.convention == RK_ORDINAL_SAS;
    snprintf(f->convention, sizeof f->convention, "%s",
             sas ? "SAS: logit P(Y <= j) = alpha_j + x'beta; OR of a lower category"
                 : "R (MASS::polr): logit P(Y <= j) = theta_j - x'beta; OR of a higher category");
    snprintf(f->ci_method, sizeof f->ci_method, "%s",
             opts.ci == RK_ORDINAL_CI_PROFILE ? "profile" : "wald");
    f->n = (size_t)floor(W + 0.5);
    f->n_dropped = d->n_dropped;
    f->converged = 1;
    f->iterations = iters;
    f->log_likelihood = ll;
    f->deviance = -2.0 * ll;
    for (size_t j = 0; j + 1 < K; j++) {
        char term[96];
        snprintf(term, sizeof term, "%s|%s", d->levels && d->levels[j] ? d->levels[j] : "?",
                 d->levels && d->levels[j + 1] ? d->levels[j + 1] : "?");
        rk__fit_set_coef(f, j, term, par[j], sqrt(info[j * q + j]));
        rk__fit_wald_z(f, j, opts.conf_level, 0);
    }
    double z = gsl_cdf_ugaussian_Qinv((1.0 - opts.conf_level) / 2.0);
    for (size_t m = 0; m < p; m++) {
        size_t a = K - 1 + m;
        char term[96];
        if (names[m])
            snprintf(term, sizeof term, "%s", names[m]);
        else
            snprintf(term, sizeof term, "x%zu", m + 1);
        double se = sqrt(info[a * q + a]);
        rk__fit_set_coef(f, a, term, sas ? -par[a] : par[a], se);
        rk__fit_wald_z(f, a, opts.conf_level, 1);
        if (opts.ci == RK_ORDINAL_CI_PROFILE) {
            double lim[2];
            for (int side = 0; side < 2; side++) {
                st = profile_limit(&pr, par, ll, a, se, side ? 1.0 : -1.0, z, opts.tolerance,
                                   opts.max_iter, &lim[side], term, err);
                if (st != RK_OK) goto done;
            }
            rk_coef *c = &f->coef[a];
            c->conf_int[0] = sas ? -lim[1] : lim[0];
            c->conf_int[1] = sas ? -lim[0] : lim[1];
            c->ratio_conf_int[0] = exp(c->conf_int[0]);
            c->ratio_conf_int[1] = exp(c->conf_int[1]);
            if (!isfinite(c->conf_int[0]) || !isfinite(c->conf_int[1]))
                rk__fit_note(f,
                             "the profile likelihood of '%s' does not reach the %g%% limit on "
                             "one side: that confidence limit is infinite",
                             term, 100 * opts.conf_level);
        }
    }
    if ((st = rk__fit_add_extra(f, "null_log_likelihood", ll0, err)) != RK_OK) goto done;
    if ((st = rk__fit_add_extra(f, "aic", -2.0 * ll + 2.0 * (double)q, err)) != RK_OK) goto done;
    if (p > 0) {
        double lr = 2.0 * (ll - ll0);
        if (lr < 0) lr = 0; /* rounding at a null effect */
        if ((st = rk__fit_add_extra(f, "lr_statistic", lr, err)) != RK_OK ||
            (st = rk__fit_add_extra(f, "lr_df", (double)p, err)) != RK_OK ||
            (st = rk__fit_add_extra(f, "lr_p_value", gsl_cdf_chisq_Q(lr, (double)p), err)) != RK_OK)
            goto done;
    }
    if (p > 0 && K >= 3) {
        /* SAS's score test of the proportional-odds assumption (Peterson & Harrell
         * 1990): score and observed information of the model with one beta per
         * cumulative logit, at the PO estimates; df = p (K - 2). */
        size_t Q = (K - 1) * (1 + p);
        double *theta = par, *beta = par + K - 1;
        U = malloc(Q * sizeof *U);
        J = malloc(Q * Q * sizeof *J);
        if (!U || !J) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory for the proportional-odds test");
            goto done;
        }
        rk__ordinal_eval(X, yc, wc, nc, p, K, theta, beta, 1, U, J);
        double stat;
        if (score_quadratic(U, J, Q, &stat) == 0) {
            double df = (double)(p * (K - 2));
            if ((st = rk__fit_add_extra(f, "po_score_statistic", stat, err)) != RK_OK ||
                (st = rk__fit_add_extra(f, "po_score_df", df, err)) != RK_OK ||
                (st = rk__fit_add_extra(f, "po_score_p_value", gsl_cdf_chisq_Q(stat, df), err)) !=
                    RK_OK)
                goto done;
        }
    }
    *out = f;
    f = NULL;
    st = RK_OK;
done:
    rk_fit_free(f);
    free(Wk), free(cols), free(X), free(names), free(range), free(gscale), free(par), free(g);
    free(info), free(U), free(J), free(yc), free(wc);
    return st;
}
