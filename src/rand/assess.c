/* Assessment of a randomization design: expected correct guesses under the convergence
 * strategy, imbalance, loss and the chronological-bias type-I error, by exhaustive enumeration
 * of the sequence tree when it is small enough and by simulation otherwise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "rand/seq.h"

#define CHRON_NODES 64
#define MAX_EXACT_DEPTH 64

void rk_rand_assess_opts_init(rk_rand_assess_opts *o)
{
    memset(o, 0, sizeof *o);
    o->sims = 10000;
    o->max_exact_nodes = 1000000;
    o->theta = 1;
    o->alpha = 0.05;
    rk_rand_seed_key("1", o->key, NULL);
}

/* ---- chronological bias: the doubly noncentral t ---- */

typedef struct chron {
    size_t n;
    double theta, crit, df;
    size_t ntab;
    double **x, **w; /* per Poisson index j: nodes in y = sqrt(W) and normalised weights for
                        W ~ chi-square(df + 2j) */
    gsl_integration_glfixed_table *gl;
} chron;

static void chron_free(chron *c)
{
    for (size_t j = 0; j < c->ntab; j++) {
        free(c->x[j]);
        free(c->w[j]);
    }
    free(c->x);
    free(c->w);
    if (c->gl) gsl_integration_glfixed_table_free(c->gl);
    memset(c, 0, sizeof *c);
}

/* Nodes and normalised weights for E[g(sqrt(W))], W ~ chi-square(df + 2j): Y = sqrt(W) has
 * density proportional to y^(nu - 1) exp(-y^2 / 2), smooth on [0, inf), concentrated within
 * a few units of its mode sqrt(nu - 1) (sd < 0.8); a Gauss-Legendre rule on
 * [max(0, mode - 9), mode + 9] (mass outside < 1e-16) with the weights renormalised. */
static rk_status chron_table(chron *c, size_t j, rk_error *err)
{
    if (j < c->ntab && c->x[j]) return RK_OK;
    if (j >= c->ntab) {
        size_t nt = (j + 1) * 2;
        double **x = realloc(c->x, nt * sizeof *x);
        if (!x) return rk_error_set(err, RK_ENOMEM, "out of memory");
        c->x = x;
        double **w = realloc(c->w, nt * sizeof *w);
        if (!w) return rk_error_set(err, RK_ENOMEM, "out of memory");
        c->w = w;
        for (size_t i = c->ntab; i < nt; i++)
            c->x[i] = c->w[i] = NULL;
        c->ntab = nt;
    }
    if (!c->gl && !(c->gl = gsl_integration_glfixed_table_alloc(CHRON_NODES)))
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    double nu = c->df + 2.0 * (double)j, mode = sqrt(nu - 1 > 0 ? nu - 1 : 0);
    double lo = mode - 9 > 0 ? mode - 9 : 0, hi = mode + 9;
    c->x[j] = malloc(CHRON_NODES * sizeof **c->x);
    c->w[j] = malloc(CHRON_NODES * sizeof **c->w);
    if (!c->x[j] || !c->w[j]) return rk_error_set(err, RK_ENOMEM, "out of memory");
    double lmax = -INFINITY;
    for (size_t i = 0; i < CHRON_NODES; i++) {
        double y, wi;
        gsl_integration_glfixed_point(lo, hi, i, &y, &wi, c->gl);
        double lw = log(wi) + (nu - 1) * log(y) - y * y / 2;
        c->x[j][i] = y;
        c->w[j][i] = lw;
        if (lw > lmax) lmax = lw;
    }
    double sw = 0;
    for (size_t i = 0; i < CHRON_NODES; i++)
        sw += (c->w[j][i] = exp(c->w[j][i] - lmax));
    for (size_t i = 0; i < CHRON_NODES; i++)
        c->w[j][i] /= sw;
    return RK_OK;
}

static rk_status chron_init(chron *c, size_t n, double theta, double alpha, rk_error *err)
{
    memset(c, 0, sizeof *c);
    if (!(alpha > 0 && alpha < 1))
        return rk_error_set(err, RK_EINVAL, "alpha must be in (0, 1), not %g", alpha);
    if (!isfinite(theta)) return rk_error_set(err, RK_EINVAL, "theta must be finite");
    c->n = n;
    c->theta = theta;
    c->df = n >= 3 ? (double)(n - 2) : 1;
    c->crit = gsl_cdf_tdist_Pinv(1 - alpha / 2, c->df);
    return RK_OK;
}

/* P(|Z + delta| > crit sqrt(W / df)), W ~ noncentral chi-square(df, lambda). */
static rk_status chron_prob(chron *c, double delta, double lambda, double *out, rk_error *err)
{
    double mu = lambda / 2, total = 0, mass = 0;
    size_t j0 = 0, j1 = 0;
    if (mu > 0) {
        double sd = sqrt(mu);
        j0 = mu - 12 * sd - 12 > 0 ? (size_t)(mu - 12 * sd - 12) : 0;
        j1 = (size_t)(mu + 12 * sd + 12);
    }
    for (size_t j = j0; j <= j1; j++) {
        double pj = mu > 0 ? exp(-mu + (double)j * log(mu) - gsl_sf_lngamma((double)j + 1)) : 1;
        if (pj < 1e-17 && j > mu) break;
        if (pj < 1e-17) continue;
        rk_status st = chron_table(c, j, err);
        if (st) return st;
        double e = 0;
        for (size_t i = 0; i < CHRON_NODES; i++) {
            double a = c->crit * c->x[j][i] / sqrt(c->df);
            e += c->w[j][i] *
                 (0.5 * erfc((a + delta) / M_SQRT2) + 0.5 * erfc((a - delta) / M_SQRT2));
        }
        total += pj * e;
        mass += pj;
    }
    *out = total / mass;
    return RK_OK;
}

static rk_status chron_seq(chron *c, const size_t *arm, size_t n, double *out, rk_error *err)
{
    double s[2] = {0, 0}, ss[2] = {0, 0};
    size_t m[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double t = c->theta * (double)(i + 1) / (double)n;
        size_t a = arm[i] ? 1 : 0;
        m[a]++;
        s[a] += t;
        ss[a] += t * t;
    }
    if (n < 3 || m[0] == 0 || m[1] == 0) {
        *out = 0;
        return RK_OK;
    }
    double mean0 = s[0] / (double)m[0], mean1 = s[1] / (double)m[1];
    double delta = (mean0 - mean1) / sqrt(1 / (double)m[0] + 1 / (double)m[1]);
    double lambda = ss[0] - s[0] * mean0 + ss[1] - s[1] * mean1;
    if (lambda < 0) lambda = 0;
    return chron_prob(c, delta, lambda, out, err);
}

rk_status rk_rand_chron_t1e(const unsigned char *arms, size_t n, double theta, double alpha,
                            double *out, rk_error *err)
{
    chron c;
    rk_status st = chron_init(&c, n, theta, alpha, err);
    if (st) return st;
    size_t *a = malloc((n ? n : 1) * sizeof *a);
    if (!a) return rk_error_set(err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        a[i] = arms[i];
    st = chron_seq(&c, a, n, out, err);
    free(a);
    chron_free(&c);
    return st;
}

/* ---- the walk over sequences ---- */

typedef struct walk {
    const rk_rand_design *d;
    size_t n, k;
    int two_arms;
    rk__seq *lv, *blk; /* per depth */
    size_t nlv;        /* entries of lv and blk */
    size_t *path;
    double *w; /* per depth weights */
    chron ch;
    int count_only;
    size_t nodes, budget;
    int over;
    /* accumulators (probability-weighted) */
    double correct, maxim, worst, final, loss, t1e, correct_sq, t1e_sq;
    size_t sequences;
    rk_status st;
    rk_error *err;
} walk;

/* Convergence strategy: guess the arm(s) furthest behind the target after this allocation,
 * (i + 1) r_k / R - N_k; the expected credit is the mean probability of the guessed arms. */
static double guess_credit(const rk_rand_design *d, const size_t *count, size_t i, const double *p)
{
    long long best = 0;
    size_t m = 0;
    double c = 0;
    for (size_t k = 0; k < d->narms; k++) {
        long long s =
            (long long)(i + 1) * d->arms[k].ratio - (long long)d->ratio_sum * (long long)count[k];
        if (m == 0 || s > best) {
            best = s;
            m = 1;
            c = p[k];
        } else if (s == best) {
            m++;
            c += p[k];
        }
    }
    return c / (double)m;
}

static double imbalance(const rk_rand_design *d, const size_t *count, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < d->narms; k++)
        s += fabs((double)d->ratio_sum * (double)count[k] - (double)n * d->arms[k].ratio);
    return s / d->ratio_sum;
}

static double loss_of(const rk_rand_design *d, const size_t *count, size_t n)
{
    double s = 0;
    if (n == 0) return 0;
    for (size_t k = 0; k < d->narms; k++) {
        double e = (double)n * d->arms[k].ratio / d->ratio_sum;
        s += ((double)count[k] - e) * ((double)count[k] - e) / e;
    }
    return s;
}

static void leaf(walk *W, double prob, double corr, double mx, const size_t *count)
{
    W->sequences++;
    if (W->count_only) return;
    double t = 0;
    if (W->two_arms && !W->st) W->st = chron_seq(&W->ch, W->path, W->n, &t, W->err);
    W->correct += prob * corr;
    W->correct_sq += prob * corr * corr;
    W->maxim += prob * mx;
    if (mx > W->worst) W->worst = mx;
    W->final += prob * imbalance(W->d, count, W->n);
    W->loss += prob * loss_of(W->d, count, W->n);
    W->t1e += prob * t;
    W->t1e_sq += prob * t * t;
}

static void dfs(walk *W, size_t depth, double prob, double corr, double mx);

static void expand(walk *W, const rk__seq *q, size_t depth, double prob, double corr, double mx)
{
    double *w = W->w + depth * W->k, sum = 0;
    rk__seq_weights(q, w);
    for (size_t k = 0; k < W->k; k++)
        sum += w[k];
    for (size_t k = 0; k < W->k; k++)
        w[k] /= sum;
    corr += guess_credit(W->d, q->count, q->n, w);
    for (size_t k = 0; k < W->k && !W->over; k++) {
        if (!(w[k] > 0)) continue;
        rk__seq *c = &W->lv[depth + 1];
        rk__seq_copy(c, q);
        rk__seq_push(c, k);
        W->path[depth] = k;
        double im = imbalance(W->d, c->count, c->n);
        dfs(W, depth + 1, prob * w[k], corr, im > mx ? im : mx);
    }
}

static void dfs(walk *W, size_t depth, double prob, double corr, double mx)
{
    if (++W->nodes > W->budget) W->over = 1;
    if (W->over) return;
    const rk__seq *q = &W->lv[depth];
    if (depth == W->n) {
        leaf(W, prob, corr, mx, q->count);
        return;
    }
    if (rk__seq_needs_block(q)) {
        size_t m = rk__seq_nsizes(q);
        for (size_t i = 0; i < m && !W->over; i++) {
            rk__seq_copy(&W->blk[depth], q);
            rk__seq_start_block(&W->blk[depth], i);
            expand(W, &W->blk[depth], depth, prob / (double)m, corr, mx);
        }
    } else {
        expand(W, q, depth, prob, corr, mx);
    }
}

static void walk_free(walk *W)
{
    for (size_t i = 0; i < W->nlv; i++) {
        if (W->lv) rk__seq_free(&W->lv[i]);
        if (W->blk) rk__seq_free(&W->blk[i]);
    }
    free(W->lv);
    free(W->blk);
    free(W->path);
    free(W->w);
    chron_free(&W->ch);
}

static void reset_acc(walk *W)
{
    W->correct = W->maxim = W->worst = W->final = W->loss = W->t1e = 0;
    W->correct_sq = W->t1e_sq = 0;
    W->sequences = W->nodes = 0;
    W->over = 0;
}

/* Exhaustive enumeration; returns 0 (and leaves W untouched) when over budget. */
static int enumerate(walk *W)
{
    size_t nl = W->n + 1;
    W->lv = calloc(nl, sizeof *W->lv);
    W->blk = calloc(nl, sizeof *W->blk);
    if (!W->lv || !W->blk) {
        W->st = rk_error_set(W->err, RK_ENOMEM, "out of memory");
        return 0;
    }
    W->nlv = nl;
    for (size_t i = 0; i < nl; i++)
        if ((W->st = rk__seq_init(&W->lv[i], W->d, W->err)) ||
            (W->st = rk__seq_init(&W->blk[i], W->d, W->err)))
            return 0;
    W->count_only = 1;
    reset_acc(W);
    dfs(W, 0, 1, 0, 0);
    if (W->over) return 0;
    W->count_only = 0;
    reset_acc(W);
    dfs(W, 0, 1, 0, 0);
    return !W->st;
}

static void simulate_lists(walk *W, rk_rand_stream *s, size_t sims)
{
    rk__seq *q = &W->lv[0];
    double wt = 1.0 / (double)sims;
    for (size_t r = 0; r < sims && !W->st; r++) {
        rk__seq_reset(q);
        double corr = 0, mx = 0;
        for (size_t i = 0; i < W->n; i++) {
            if (rk__seq_needs_block(q)) {
                size_t m = rk__seq_nsizes(q);
                rk__seq_start_block(q, m > 1 ? rk_rand_below(s, (uint32_t)m) : 0);
            }
            double *w = W->w, sum = 0;
            int integral = rk__seq_weights(q, w);
            size_t a = rk__draw(s, w, W->k, integral);
            for (size_t k = 0; k < W->k; k++)
                sum += w[k];
            for (size_t k = 0; k < W->k; k++)
                w[k] /= sum;
            corr += guess_credit(W->d, q->count, q->n, w);
            rk__seq_push(q, a);
            W->path[i] = a;
            double im = imbalance(W->d, q->count, q->n);
            if (im > mx) mx = im;
        }
        leaf(W, wt, corr, mx, q->count);
    }
}

static void simulate_minimization(walk *W, rk_rand_stream *s, size_t sims)
{
    const rk_rand_design *d = W->d;
    double wt = 1.0 / (double)sims;
    size_t *lv = malloc((d->nfactors + 1) * sizeof *lv), *count = calloc(d->narms, sizeof *count);
    double *vp = malloc(d->ratio_sum * sizeof *vp);
    if (!lv || !count || !vp) {
        W->st = rk_error_set(W->err, RK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < sims && !W->st; r++) {
        rk_rand_state *st;
        if ((W->st = rk_rand_state_new(d, &st, W->err))) break;
        memset(count, 0, d->narms * sizeof *count);
        double corr = 0, mx = 0;
        for (size_t i = 0; i < W->n && !W->st; i++) {
            for (size_t f = 0; f < d->nfactors; f++)
                lv[f] = rk_rand_below(s, (uint32_t)d->factors[f].nlevels);
            if ((W->st = rk_rand_probs(d, st, lv, W->w, vp, W->err))) break;
            corr += guess_credit(d, count, i, W->w);
            size_t v = rk__draw(s, vp, d->ratio_sum, 0), a = 0;
            for (unsigned cum = 0; a < d->narms; a++) {
                cum += d->arms[a].ratio;
                if (v < cum) break;
            }
            if ((W->st = rk_rand_state_add(d, st, lv, a, v, W->err))) break;
            count[a]++;
            W->path[i] = a;
            double im = imbalance(d, count, i + 1);
            if (im > mx) mx = im;
        }
        rk_rand_state_free(st);
        if (!W->st) leaf(W, wt, corr, mx, count);
    }
done:
    free(lv);
    free(count);
    free(vp);
}

rk_status rk_rand_assess(const rk_rand_design *d, const rk_rand_assess_opts *o,
                         rk_rand_assessment *out, rk_error *err)
{
    memset(out, 0, sizeof *out);
    walk W;
    memset(&W, 0, sizeof W);
    W.d = d;
    W.err = err;
    W.k = d->narms;
    W.n = o->n ? o->n : d->list_length;
    W.two_arms = d->narms == 2;
    W.budget = o->max_exact_nodes;
    if (W.n > 100000000)
        return rk_error_set(err, RK_EINVAL, "sequence length %zu is too large", W.n);
    if (o->sims == 0 && (d->proc == RK_RAND_MINIMIZATION || W.n > MAX_EXACT_DEPTH))
        return rk_error_set(err, RK_EINVAL, "simulation needs at least 1 sequence (sims = 0)");
    rk_status st = chron_init(&W.ch, W.n, o->theta, o->alpha, err);
    if (st) return st;
    W.path = calloc(W.n + 1, sizeof *W.path);
    W.w = calloc((W.n + 1) * W.k + d->ratio_sum, sizeof *W.w);
    if (!W.path || !W.w) {
        walk_free(&W);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    int exact = 0;
    if (d->proc != RK_RAND_MINIMIZATION && W.n <= MAX_EXACT_DEPTH) exact = enumerate(&W);
    if (W.st) {
        st = W.st;
        walk_free(&W);
        return st;
    }
    size_t sims = o->sims;
    if (!exact) {
        if (sims == 0) {
            walk_free(&W);
            return rk_error_set(err, RK_ERANGE,
                                "exact enumeration needs more than %zu tree nodes; give a number "
                                "of simulations",
                                W.budget);
        }
        reset_acc(&W);
        W.count_only = 0;
        rk_rand_stream s;
        rk_rand_stream_init(&s, o->key);
        if (d->proc == RK_RAND_MINIMIZATION) {
            simulate_minimization(&W, &s, sims);
        } else {
            if (!W.lv) {
                W.lv = calloc(1, sizeof *W.lv);
                if (!W.lv)
                    W.st = rk_error_set(err, RK_ENOMEM, "out of memory");
                else
                    W.st = rk__seq_init(&W.lv[0], d, err);
                if (W.st) {
                    free(W.lv);
                    W.lv = NULL;
                } else {
                    W.nlv = 1;
                }
            }
            if (!W.st) simulate_lists(&W, &s, sims);
        }
    }
    if (W.st) {
        st = W.st;
        walk_free(&W);
        return st;
    }
    out->exact = exact;
    out->n = W.n;
    out->sequences = W.sequences;
    out->correct_guesses = W.correct;
    out->prop_correct = W.n ? W.correct / (double)W.n : 0;
    out->max_imbalance = W.maxim;
    out->max_imbalance_worst = W.worst;
    out->final_imbalance = W.final;
    out->loss = W.loss;
    out->chron_t1e = W.two_arms ? W.t1e : NAN;
    out->se_prop_correct = out->se_chron_t1e = exact ? NAN : 0;
    if (!exact && sims > 1) {
        double v = (W.correct_sq - W.correct * W.correct) * (double)sims / (double)(sims - 1);
        out->se_prop_correct = sqrt(v > 0 ? v : 0) / sqrt((double)sims) / (double)W.n;
        double v2 = (W.t1e_sq - W.t1e * W.t1e) * (double)sims / (double)(sims - 1);
        out->se_chron_t1e = W.two_arms ? sqrt(v2 > 0 ? v2 : 0) / sqrt((double)sims) : NAN;
    }
    walk_free(&W);
    return RK_OK;
}
