/* Random-intercept linear mixed model: REML/ML (lme4 profiled theta), GLS, Satterthwaite df. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_vector.h>

#include "models/fit.h"
#include "models/mixed.h"
#include "stats/htest.h"

void rk_mixed_opts_init(rk_mixed_opts *o)
{
    if (!o) return;
    o->ml = 0;
    o->conf_level = 0.95;
}

void rk__mixed_sums_free(rk__mixed_sums *s)
{
    if (!s) return;
    free(s->nj);
    free(s->mx);
    free(s->my);
    free(s->wxx);
    free(s->wxy);
    memset(s, 0, sizeof *s);
}

rk_status rk__mixed_sums_init(const rk_design *d, rk__mixed_sums *s, rk_error *err)
{
    memset(s, 0, sizeof *s);
    if (!d) return rk_error_set(err, RK_EINVAL, "mixed model: no design");
    if (!d->cluster || d->n_clusters == 0)
        return rk_error_set(
            err, RK_EINVAL,
            "mixed model: the formula needs a random intercept such as (1 | center)");
    if (d->p == 0 || !d->X || !d->y)
        return rk_error_set(err, RK_EINVAL, "mixed model: the design has no fixed-effect columns");
    if (d->n <= d->p)
        return rk_error_set(err, RK_EINVAL,
                            "mixed model: %zu observations are too few for %zu fixed effects", d->n,
                            d->p);
    rk_status st;
    if ((st = rk__check_finite(d->y, d->n, "mixed model response", err))) return st;
    if ((st = rk__check_finite(d->X, d->n * d->p, "mixed model design matrix", err))) return st;
    const size_t n = d->n, p = d->p, K = d->n_clusters;
    for (size_t i = 0; i < n; i++)
        if (d->cluster[i] >= K)
            return rk_error_set(
                err, RK_EINVAL,
                "mixed model: row %zu has cluster index %zu but there are %zu clusters", i + 1,
                d->cluster[i], K);

    size_t *count = calloc(K, sizeof *count);
    size_t *slot = malloc(K * sizeof *slot);
    if (!count || !slot) {
        free(count);
        free(slot);
        return rk_error_set(err, RK_ENOMEM, "out of memory (mixed model, %zu clusters)", K);
    }
    for (size_t i = 0; i < n; i++)
        count[d->cluster[i]]++;
    size_t J = 0;
    for (size_t k = 0; k < K; k++)
        slot[k] = count[k] ? J++ : (size_t)-1;
    free(count);
    if (J < 2) {
        free(slot);
        return rk_error_set(err, RK_EINVAL,
                            "mixed model: the random intercept needs at least 2 clusters with data "
                            "(%s has %zu)",
                            d->cluster_var ? d->cluster_var : "the grouping variable", J);
    }
    /* lme4's check: the number of levels of a grouping factor must be < n. */
    if (J >= n) {
        free(slot);
        return rk_error_set(err, RK_EINVAL,
                            "mixed model: %zu clusters for %zu observations: every cluster has one "
                            "observation, so the random intercept is confounded with the residual",
                            J, n);
    }
    s->n = n;
    s->p = p;
    s->J = J;
    s->nj = calloc(J, sizeof *s->nj);
    s->mx = calloc(J * p, sizeof *s->mx);
    s->my = calloc(J, sizeof *s->my);
    s->wxx = calloc(p * p, sizeof *s->wxx);
    s->wxy = calloc(p, sizeof *s->wxy);
    if (!s->nj || !s->mx || !s->my || !s->wxx || !s->wxy) {
        free(slot);
        rk__mixed_sums_free(s);
        return rk_error_set(err, RK_ENOMEM, "out of memory (mixed model sums)");
    }
    /* Two passes: cluster means, then centred cross-products (no cancellation
     * when a cluster's mean is large compared with its spread). */
    for (size_t i = 0; i < n; i++) {
        size_t j = slot[d->cluster[i]];
        const double *x = d->X + i * p;
        s->nj[j] += 1.0;
        for (size_t a = 0; a < p; a++)
            s->mx[j * p + a] += x[a];
        s->my[j] += d->y[i];
    }
    for (size_t j = 0; j < J; j++) {
        for (size_t a = 0; a < p; a++)
            s->mx[j * p + a] /= s->nj[j];
        s->my[j] /= s->nj[j];
    }
    double *dx = malloc(p * sizeof *dx);
    if (!dx) {
        free(slot);
        rk__mixed_sums_free(s);
        return rk_error_set(err, RK_ENOMEM, "out of memory (mixed model sums)");
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = slot[d->cluster[i]];
        const double *x = d->X + i * p;
        double dy = d->y[i] - s->my[j];
        for (size_t a = 0; a < p; a++)
            dx[a] = x[a] - s->mx[j * p + a];
        for (size_t a = 0; a < p; a++) {
            for (size_t b = 0; b <= a; b++)
                s->wxx[a * p + b] += dx[a] * dx[b];
            s->wxy[a] += dx[a] * dy;
        }
        s->wyy += dy * dy;
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < a; b++)
            s->wxx[b * p + a] = s->wxx[a * p + b];
    free(dx);
    free(slot);
    return RK_OK;
}

/* Full-rank check of X'X = Wxx + sum n_j m_j m_j', scaled to unit diagonal:
 * a Cholesky pivot below 1e-7 (R lm's qr tolerance, tol = 1e-7) means column
 * a is (nearly) a linear combination of the earlier ones.  Returns the first
 * such column, or -1. */
static long rank_deficient_column(const rk__mixed_sums *s, rk_error *err, int *oom)
{
    const size_t p = s->p;
    *oom = 0;
    double *c = malloc(p * p * sizeof *c);
    if (!c) {
        *oom = 1;
        rk_error_set(err, RK_ENOMEM, "out of memory (mixed model rank check)");
        return -1;
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) {
            double v = s->wxx[a * p + b];
            for (size_t j = 0; j < s->J; j++)
                v += s->nj[j] * s->mx[j * p + a] * s->mx[j * p + b];
            c[a * p + b] = v;
        }
    long bad = -1;
    for (size_t a = 0; a < p && bad < 0; a++)
        if (!(c[a * p + a] > 0.0)) bad = (long)a;
    if (bad < 0) {
        double *sc = malloc(p * sizeof *sc);
        if (!sc) {
            free(c);
            *oom = 1;
            rk_error_set(err, RK_ENOMEM, "out of memory (mixed model rank check)");
            return -1;
        }
        for (size_t a = 0; a < p; a++)
            sc[a] = 1.0 / sqrt(c[a * p + a]);
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                c[a * p + b] *= sc[a] * sc[b];
        free(sc);
        for (size_t a = 0; a < p && bad < 0; a++) {
            double v = c[a * p + a];
            for (size_t k = 0; k < a; k++)
                v -= c[a * p + k] * c[a * p + k];
            if (!(v > 1e-14)) { /* pivot 1e-7, squared */
                bad = (long)a;
                break;
            }
            double l = sqrt(v);
            c[a * p + a] = l;
            for (size_t b = a + 1; b < p; b++) {
                double w = c[b * p + a];
                for (size_t k = 0; k < a; k++)
                    w -= c[b * p + k] * c[a * p + k];
                c[b * p + a] = w / l;
            }
        }
    }
    free(c);
    return bad;
}

/* Everything the criterion needs at one theta. */
typedef struct mixed_eval {
    gsl_matrix *chol; /* Cholesky factor of A(theta) = X'(I + theta^2 ZZ')^-1 X */
    gsl_vector *beta;
    gsl_vector *work;
    double *e;       /* J: my_j - mx_j' beta */
    double *q;       /* J: mx_j' A^-1 mx_j */
    double r2;       /* penalised residual sum of squares (lme4's pwrss) */
    double logdet_a; /* log |A| (lme4's ldRX2) */
    double logdet_l; /* sum log(1 + theta^2 n_j) (lme4's ldL2) */
} mixed_eval;

static void eval_free(mixed_eval *ev)
{
    if (ev->chol) gsl_matrix_free(ev->chol);
    if (ev->beta) gsl_vector_free(ev->beta);
    if (ev->work) gsl_vector_free(ev->work);
    free(ev->e);
    free(ev->q);
    memset(ev, 0, sizeof *ev);
}

static rk_status eval_alloc(const rk__mixed_sums *s, mixed_eval *ev, rk_error *err)
{
    memset(ev, 0, sizeof *ev);
    ev->chol = gsl_matrix_alloc(s->p, s->p);
    ev->beta = gsl_vector_alloc(s->p);
    ev->work = gsl_vector_alloc(s->p);
    ev->e = malloc(s->J * sizeof *ev->e);
    ev->q = malloc(s->J * sizeof *ev->q);
    if (!ev->chol || !ev->beta || !ev->work || !ev->e || !ev->q) {
        eval_free(ev);
        return rk_error_set(err, RK_ENOMEM, "out of memory (mixed model workspace)");
    }
    return RK_OK;
}

static double g_of(double n, double t2)
{
    return n / (1.0 + t2 * n);
}

/* Fill ev at theta; with_q also computes q_j (needed by REML derivatives). */
static rk_status eval_at(const rk__mixed_sums *s, double theta, int with_q, mixed_eval *ev,
                         rk_error *err)
{
    const size_t p = s->p, J = s->J;
    const double t2 = theta * theta;
    gsl_matrix *A = ev->chol;
    gsl_vector *b = ev->beta;
    for (size_t a = 0; a < p; a++) {
        for (size_t c = 0; c < p; c++)
            gsl_matrix_set(A, a, c, s->wxx[a * p + c]);
        gsl_vector_set(b, a, s->wxy[a]);
    }
    double logdet_l = 0.0;
    for (size_t j = 0; j < J; j++) {
        double g = g_of(s->nj[j], t2);
        const double *m = s->mx + j * p;
        for (size_t a = 0; a < p; a++) {
            double gm = g * m[a];
            for (size_t c = 0; c <= a; c++)
                *gsl_matrix_ptr(A, a, c) += gm * m[c];
            *gsl_vector_ptr(b, a) += gm * s->my[j];
        }
        logdet_l += log1p(t2 * s->nj[j]);
    }
    for (size_t a = 0; a < p; a++)
        for (size_t c = 0; c < a; c++)
            gsl_matrix_set(A, c, a, gsl_matrix_get(A, a, c));
    rk__gsl_init();
    if (gsl_linalg_cholesky_decomp1(A) != GSL_SUCCESS)
        return rk_error_set(
            err, RK_EINVAL,
            "mixed model: X'V^-1 X is not positive definite (rank-deficient design)");
    double logdet_a = 0.0;
    for (size_t a = 0; a < p; a++)
        logdet_a += 2.0 * log(gsl_matrix_get(A, a, a));
    gsl_linalg_cholesky_svx(A, b); /* b now holds beta */
    /* r2 = within-cluster part + sum_j g_j e_j^2 */
    double within = s->wyy;
    for (size_t a = 0; a < p; a++) {
        double ba = gsl_vector_get(b, a), wb = 0.0;
        for (size_t c = 0; c < p; c++)
            wb += s->wxx[a * p + c] * gsl_vector_get(b, c);
        within += ba * (wb - 2.0 * s->wxy[a]);
    }
    if (within < 0.0) within = 0.0;
    double between = 0.0;
    for (size_t j = 0; j < J; j++) {
        const double *m = s->mx + j * p;
        double fit = 0.0;
        for (size_t a = 0; a < p; a++)
            fit += m[a] * gsl_vector_get(b, a);
        ev->e[j] = s->my[j] - fit;
        between += g_of(s->nj[j], t2) * ev->e[j] * ev->e[j];
        if (with_q) {
            for (size_t a = 0; a < p; a++)
                gsl_vector_set(ev->work, a, m[a]);
            gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, A, ev->work);
            double qq;
            gsl_blas_ddot(ev->work, ev->work, &qq);
            ev->q[j] = qq;
        }
    }
    ev->r2 = within + between;
    ev->logdet_a = logdet_a;
    ev->logdet_l = logdet_l;
    if (!(ev->r2 > 0.0))
        return rk_error_set(
            err, RK_EINVAL,
            "mixed model: the fixed effects fit the response exactly (zero residual "
            "variance)");
    return RK_OK;
}

static double k_of(const rk__mixed_sums *s, int ml)
{
    return (double)(ml ? s->n : s->n - s->p);
}

static double profiled_dev(const rk__mixed_sums *s, int ml, const mixed_eval *ev)
{
    const double k = k_of(s, ml);
    /* lme4: ldL2 + ldRX2 + (n-p) (1 + log(2 pi pwrss / (n-p))) for REML,
     *       ldL2 + n (1 + log(2 pi pwrss / n)) for ML */
    return ev->logdet_l + (ml ? 0.0 : ev->logdet_a) + k * (1.0 + log(2.0 * M_PI * ev->r2 / k));
}

/* (d dev / d theta) / theta: finite at theta = 0, its sign decides the boundary. */
static double profiled_h(const rk__mixed_sums *s, int ml, double theta, const mixed_eval *ev)
{
    const double t2 = theta * theta, k = k_of(s, ml);
    double h = 0.0;
    for (size_t j = 0; j < s->J; j++) {
        double n = s->nj[j], u = 1.0 + t2 * n;
        h += 2.0 * n / u -
             2.0 * n * n / (u * u) * ((ml ? 0.0 : ev->q[j]) + k * ev->e[j] * ev->e[j] / ev->r2);
    }
    return h;
}

rk_status rk__mixed_profile(const rk__mixed_sums *s, int ml, double theta, double *dev,
                            double *dprime, double *beta, double *r2, rk_error *err)
{
    if (!(theta >= 0.0) || !isfinite(theta))
        return rk_error_set(err, RK_EINVAL, "mixed model: theta must be finite and >= 0");
    mixed_eval ev;
    rk_status st = eval_alloc(s, &ev, err);
    if (st) return st;
    if ((st = eval_at(s, theta, 1, &ev, err))) {
        eval_free(&ev);
        return st;
    }
    if (dev) *dev = profiled_dev(s, ml, &ev);
    if (dprime) *dprime = theta * profiled_h(s, ml, theta, &ev);
    if (beta)
        for (size_t a = 0; a < s->p; a++)
            beta[a] = gsl_vector_get(ev.beta, a);
    if (r2) *r2 = ev.r2;
    eval_free(&ev);
    return RK_OK;
}

rk_status rk__mixed_deviance_vp(const rk__mixed_sums *s, int ml, double theta, double sigma,
                                double *dev, rk_error *err)
{
    if (!(sigma > 0.0)) return rk_error_set(err, RK_EINVAL, "mixed model: sigma must be > 0");
    mixed_eval ev;
    rk_status st = eval_alloc(s, &ev, err);
    if (st) return st;
    if ((st = eval_at(s, fabs(theta), 0, &ev, err))) {
        eval_free(&ev);
        return st;
    }
    const double s2 = sigma * sigma;
    /* lmerTest devfun_vp: ldL2 + pwrss / sigma^2 + n log(2 pi sigma^2) (+ ldRX2 - p log(2 pi
     * sigma^2) for REML) */
    *dev = ev.logdet_l + (ml ? 0.0 : ev.logdet_a) + ev.r2 / s2 + k_of(s, ml) * log(2.0 * M_PI * s2);
    eval_free(&ev);
    return RK_OK;
}

/* A^-1 (from the Cholesky factor) and A' = dA/dtheta = sum g_j' m_j m_j'. */
static rk_status inverse_and_dA(const rk__mixed_sums *s, double theta, const mixed_eval *ev,
                                gsl_matrix **ainv, gsl_matrix **da, rk_error *err)
{
    const size_t p = s->p;
    const double t2 = theta * theta;
    *ainv = gsl_matrix_alloc(p, p);
    *da = gsl_matrix_calloc(p, p);
    if (!*ainv || !*da) {
        if (*ainv) gsl_matrix_free(*ainv);
        if (*da) gsl_matrix_free(*da);
        *ainv = *da = NULL;
        return rk_error_set(err, RK_ENOMEM, "out of memory (mixed model)");
    }
    gsl_matrix_memcpy(*ainv, ev->chol);
    gsl_linalg_cholesky_invert(*ainv);
    for (size_t j = 0; j < s->J; j++) {
        double n = s->nj[j], u = 1.0 + t2 * n;
        double gp = -2.0 * theta * n * n / (u * u);
        const double *m = s->mx + j * p;
        for (size_t a = 0; a < p; a++)
            for (size_t c = 0; c < p; c++)
                *gsl_matrix_ptr(*da, a, c) += gp * m[a] * m[c];
    }
    return RK_OK;
}

static rk_status hessian_from_eval(const rk__mixed_sums *s, int ml, double theta, double sigma,
                                   const mixed_eval *ev, double h[3], rk_error *err)
{
    const size_t p = s->p, J = s->J;
    const double t2 = theta * theta, k = k_of(s, ml), s2 = sigma * sigma;
    gsl_matrix *ainv, *da;
    rk_status st = inverse_and_dA(s, theta, ev, &ainv, &da, err);
    if (st) return st;
    gsl_vector *u = gsl_vector_calloc(p);
    gsl_vector *v = gsl_vector_alloc(p);
    gsl_matrix *m1 = gsl_matrix_alloc(p, p);
    if (!u || !v || !m1) {
        if (u) gsl_vector_free(u);
        if (v) gsl_vector_free(v);
        if (m1) gsl_matrix_free(m1);
        gsl_matrix_free(ainv);
        gsl_matrix_free(da);
        return rk_error_set(err, RK_ENOMEM, "out of memory (mixed model)");
    }
    double ldl2 = 0.0, r2p = 0.0, r2pp = 0.0, tr_app = 0.0;
    for (size_t j = 0; j < J; j++) {
        double n = s->nj[j], w = 1.0 + t2 * n;
        double gp = -2.0 * theta * n * n / (w * w);
        double gpp = -2.0 * n * n * (1.0 - 3.0 * t2 * n) / (w * w * w);
        double e2 = ev->e[j] * ev->e[j];
        ldl2 += 2.0 * n * (1.0 - t2 * n) / (w * w);
        r2p += gp * e2;
        r2pp += gpp * e2;
        tr_app += gpp * ev->q[j];
        for (size_t a = 0; a < p; a++)
            *gsl_vector_ptr(u, a) += gp * ev->e[j] * s->mx[j * p + a];
    }
    /* r2'' = sum g'' e^2 - 2 u' A^-1 u (envelope theorem, beta moves with theta) */
    double uau;
    gsl_blas_dsymv(CblasLower, 1.0, ainv, u, 0.0, v);
    gsl_blas_ddot(u, v, &uau);
    r2pp -= 2.0 * uau;
    double hth = ldl2 + r2pp / s2;
    if (!ml) {
        /* d2 log|A| = tr(A^-1 A'') - tr(A^-1 A' A^-1 A') */
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, ainv, da, 0.0, m1);
        double tr2 = 0.0;
        for (size_t a = 0; a < p; a++)
            for (size_t c = 0; c < p; c++)
                tr2 += gsl_matrix_get(m1, a, c) * gsl_matrix_get(m1, c, a);
        hth += tr_app - tr2;
    }
    h[0] = hth;
    h[1] = -2.0 * r2p / (s2 * sigma);
    h[2] = 6.0 * ev->r2 / (s2 * s2) - 2.0 * k / s2;
    gsl_vector_free(u);
    gsl_vector_free(v);
    gsl_matrix_free(m1);
    gsl_matrix_free(ainv);
    gsl_matrix_free(da);
    return RK_OK;
}

rk_status rk__mixed_hessian(const rk__mixed_sums *s, int ml, double theta, double sigma,
                            double h[3], rk_error *err)
{
    if (!(theta >= 0.0) || !(sigma > 0.0))
        return rk_error_set(err, RK_EINVAL, "mixed model: need theta >= 0 and sigma > 0");
    mixed_eval ev;
    rk_status st = eval_alloc(s, &ev, err);
    if (st) return st;
    if (!(st = eval_at(s, theta, 1, &ev, err)))
        st = hessian_from_eval(s, ml, theta, sigma, &ev, h, err);
    eval_free(&ev);
    return st;
}

/* ----------------------------------------------------------- optimisation */

typedef struct root_ctx {
    const rk__mixed_sums *s;
    int ml;
    mixed_eval *ev;
    rk_status st;
    rk_error *err;
} root_ctx;

static double root_fn(double theta, void *params)
{
    root_ctx *c = params;
    if (c->st) return NAN;
    if ((c->st = eval_at(c->s, theta, !c->ml, c->ev, c->err))) return NAN;
    return profiled_h(c->s, c->ml, theta, c->ev);
}

static rk_status dev_at(const rk__mixed_sums *s, int ml, double theta, mixed_eval *ev, double *dev,
                        rk_error *err)
{
    rk_status st = eval_at(s, theta, 0, ev, err);
    if (!st) *dev = profiled_dev(s, ml, ev);
    return st;
}

/* Golden-section search on [lo, hi] (fallback when h does not change sign). */
static rk_status golden(const rk__mixed_sums *s, int ml, double lo, double hi, mixed_eval *ev,
                        double *theta, int *iters, rk_error *err)
{
    const double r = 0.5 * (sqrt(5.0) - 1.0);
    double x1 = hi - r * (hi - lo), x2 = lo + r * (hi - lo), f1, f2;
    rk_status st;
    if ((st = dev_at(s, ml, x1, ev, &f1, err)) || (st = dev_at(s, ml, x2, ev, &f2, err))) return st;
    int it = 0;
    while (hi - lo > 1e-12 * (1.0 + fabs(lo)) && it < 300) {
        it++;
        if (f1 <= f2) {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - r * (hi - lo);
            if ((st = dev_at(s, ml, x1, ev, &f1, err))) return st;
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + r * (hi - lo);
            if ((st = dev_at(s, ml, x2, ev, &f2, err))) return st;
        }
    }
    *theta = 0.5 * (lo + hi);
    *iters += it;
    return RK_OK;
}

/* theta >= 0 minimising the profiled criterion: a grid over [0, 1e4]
 * (0 and 10^(-4 + i/10)) for the global picture, then the root of
 * (d dev / d theta) / theta by Brent's method inside the best grid cell. */
static rk_status optimise_theta(const rk__mixed_sums *s, int ml, mixed_eval *ev, double *theta_out,
                                int *iters, rk_error *err)
{
    enum { NGRID = 82 };
    double grid[NGRID], dev[NGRID];
    rk_status st;
    grid[0] = 0.0;
    for (int i = 1; i < NGRID; i++)
        grid[i] = pow(10.0, -4.0 + 0.1 * (i - 1));
    size_t best = 0;
    double dmin = INFINITY, dmax = -INFINITY;
    for (int i = 0; i < NGRID; i++) {
        if ((st = dev_at(s, ml, grid[i], ev, &dev[i], err))) return st;
        if (dev[i] < dev[best]) best = (size_t)i;
        dmin = fmin(dmin, dev[i]);
        dmax = fmax(dmax, dev[i]);
    }
    *iters = NGRID;
    if (!ml && dmax - dmin <= 1e-9 * (1.0 + fabs(dmin)))
        return rk_error_set(err, RK_EINVAL,
                            "mixed model: the REML criterion does not depend on the cluster "
                            "variance: the fixed effects fit every cluster mean exactly (e.g. a "
                            "cluster-level covariate with too few clusters); the random intercept "
                            "is not identifiable");
    if (best == NGRID - 1)
        return rk_error_set(err, RK_ENOCONV,
                            "mixed model: the cluster SD is over 1e4 times the residual SD (theta "
                            "> 1e4): the response is (almost) constant within clusters");
    double lo = best == 0 ? 0.0 : grid[best - 1], hi = grid[best + 1];
    root_ctx ctx = {s, ml, ev, RK_OK, err};
    double hlo = root_fn(lo, &ctx), hhi = root_fn(hi, &ctx);
    if (ctx.st) return ctx.st;
    if (best == 0 && hlo >= 0.0) {
        *theta_out = 0.0; /* boundary: the criterion increases from theta = 0 */
        return RK_OK;
    }
    if (!(hlo < 0.0 && hhi > 0.0)) return golden(s, ml, lo, hi, ev, theta_out, iters, err);

    rk__gsl_init();
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!solver) return rk_error_set(err, RK_ENOMEM, "out of memory (root finder)");
    gsl_function fn = {root_fn, &ctx};
    gsl_root_fsolver_set(solver, &fn, lo, hi);
    int status = GSL_CONTINUE, it = 0;
    while (status == GSL_CONTINUE && it < 200) {
        it++;
        if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS) break;
        double a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver);
        /* theta to 1e-13 relative (1e-16 absolute near the boundary) */
        status = gsl_root_test_interval(a, b, 1e-16, 1e-13);
    }
    double root = gsl_root_fsolver_root(solver);
    gsl_root_fsolver_free(solver);
    *iters += it;
    if (ctx.st) return ctx.st;
    if (status != GSL_SUCCESS) return golden(s, ml, lo, hi, ev, theta_out, iters, err);
    *theta_out = root;
    return RK_OK;
}

/* ------------------------------------------------------------------- fit */

rk_status rk_mixed_fit(const rk_design *d, const rk_mixed_opts *o, rk_fit **out, rk_error *err)
{
    if (!out) return rk_error_set(err, RK_EINVAL, "mixed model: no output pointer");
    *out = NULL;
    rk_mixed_opts def;
    rk_mixed_opts_init(&def);
    if (!o) o = &def;
    rk_status st;
    if ((st = rk__check_conf_level(o->conf_level, err))) return st;
    if (!d) return rk_error_set(err, RK_EINVAL, "mixed model: no design");
    if (d->weight)
        return rk_error_set(
            err, RK_EINVAL,
            "mixed model: weights are not supported (expand grouped data to one row "
            "per patient)");
    const int ml = o->ml != 0;
    rk__mixed_sums s;
    if ((st = rk__mixed_sums_init(d, &s, err))) return st;
    int oom;
    long bad = rank_deficient_column(&s, err, &oom);
    if (oom) {
        rk__mixed_sums_free(&s);
        return RK_ENOMEM;
    }
    if (bad >= 0) {
        const char *name = d->colnames && d->colnames[bad] ? d->colnames[bad] : "?";
        rk__mixed_sums_free(&s);
        return rk_error_set(err, RK_EINVAL,
                            "mixed model: the design matrix is rank-deficient: column %ld ('%s') "
                            "is a linear combination of the columns before it; drop that term",
                            bad + 1, name);
    }
    mixed_eval ev;
    if ((st = eval_alloc(&s, &ev, err))) {
        rk__mixed_sums_free(&s);
        return st;
    }
    double theta = 0.0;
    int iters = 0;
    rk_fit *f = NULL;
    gsl_matrix *ainv = NULL, *da = NULL, *m1 = NULL;
    if ((st = optimise_theta(&s, ml, &ev, &theta, &iters, err))) goto done;
    if ((st = eval_at(&s, theta, 1, &ev, err))) goto done;

    const size_t p = s.p;
    const double k = k_of(&s, ml);
    const double sigma2 = ev.r2 / k, sigma = sqrt(sigma2);
    const double dev = profiled_dev(&s, ml, &ev);
    double h[3] = {NAN, NAN, NAN};
    if (theta > 0.0 && (st = hessian_from_eval(&s, ml, theta, sigma, &ev, h, err))) goto done;
    if ((st = inverse_and_dA(&s, theta, &ev, &ainv, &da, err))) goto done;
    m1 = gsl_matrix_alloc(p, p);
    if (!m1) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory (mixed model)");
        goto done;
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, ainv, da, 0.0, m1); /* A^-1 A' */
    if (!(f = rk__fit_new("mixed", p, err))) {
        st = RK_ENOMEM;
        goto done;
    }
    rk__gsl_init();
    const double det = h[0] * h[2] - h[1] * h[1];
    int df_failed = 0;
    for (size_t a = 0; a < p; a++) {
        double caa = gsl_matrix_get(ainv, a, a);
        double var = sigma2 * caa;
        char term[96];
        snprintf(term, sizeof term, "%s", d->colnames && d->colnames[a] ? d->colnames[a] : "?");
        rk__fit_set_coef(f, a, term, gsl_vector_get(ev.beta, a), sqrt(var));
        /* Satterthwaite (lmerTest): df = 2 V^2 / (g' Cov g), Cov = 2 H^-1 of the
         * variance parameters (theta, sigma), g = dV/d(theta, sigma). */
        double df;
        if (theta == 0.0) {
            df = k; /* dV/dtheta = 0 and H is diagonal at the boundary */
        } else {
            double cac = 0.0; /* (A^-1 A' A^-1)_aa */
            for (size_t c = 0; c < p; c++)
                cac += gsl_matrix_get(m1, a, c) * gsl_matrix_get(ainv, c, a);
            double gt = -sigma2 * cac, gs = 2.0 * sigma * caa;
            double quad = (h[2] * gt * gt - 2.0 * h[1] * gt * gs + h[0] * gs * gs) / det;
            df = det > 0.0 && h[0] > 0.0 && quad > 0.0 ? var * var / quad : NAN;
        }
        if (isfinite(df) && df > 0.0) {
            rk__fit_wald_t(f, a, o->conf_level, df);
        } else {
            df_failed = 1;
            f->coef[a].statistic = f->coef[a].estimate / f->coef[a].std_error;
        }
    }
    snprintf(f->convention, sizeof f->convention,
             "%s as lme4 (SAS PROC MIXED); Satterthwaite df as lmerTest", ml ? "ML" : "REML");
    snprintf(f->ci_method, sizeof f->ci_method, "t");
    f->n = d->n;
    f->n_dropped = d->n_dropped;
    f->converged = 1;
    f->iterations = iters;
    f->deviance = dev;
    f->log_likelihood = -0.5 * dev;
    const double sd_b = theta * sigma;
    if ((st = rk__fit_add_extra(f, "sd_intercept", sd_b, err)) ||
        (st = rk__fit_add_extra(f, "sigma", sigma, err)) ||
        (st = rk__fit_add_extra(f, "var_intercept", sd_b * sd_b, err)) ||
        (st = rk__fit_add_extra(f, "var_residual", sigma2, err)) ||
        (st = rk__fit_add_extra(f, "theta", theta, err)) ||
        (st = rk__fit_add_extra(f, "icc", sd_b * sd_b / (sd_b * sd_b + sigma2), err)) ||
        (st = rk__fit_add_extra(f, "n_clusters", (double)s.J, err)) ||
        (st = rk__fit_add_extra(f, "reml", ml ? 0.0 : 1.0, err)))
        goto done;
    if (df_failed)
        rk__fit_note(f, "the information matrix of the variance parameters is not positive "
                        "definite: no Satterthwaite df, p-values or CIs");
    else if (theta == 0.0)
        rk__fit_note(f, "boundary fit: the %s variance is estimated as 0 (singular fit); df = %s",
                     d->cluster_var ? d->cluster_var : "cluster", ml ? "n" : "n - p");
    st = RK_OK;
done:
    if (m1) gsl_matrix_free(m1);
    if (ainv) gsl_matrix_free(ainv);
    if (da) gsl_matrix_free(da);
    eval_free(&ev);
    rk__mixed_sums_free(&s);
    if (st) {
        rk_fit_free(f);
        return st;
    }
    *out = f;
    return RK_OK;
}
