/* Allocation time: the state of a running trial, the allocation probabilities of a new subject
 * (complete, Efron, big stick within its stratum; Pocock-Simon minimization over the factors)
 * and the reproducible draw. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rand/seq.h"

struct rk_rand_state {
    const rk_rand_design *d;
    size_t n;
    size_t *stratum_count; /* efron / big stick: nstrata x narms */
    size_t **level_count;  /* minimization: per factor, nlevels x ratio_sum virtual arms */
    size_t *varm_parent;   /* minimization: parent arm of each virtual arm */
};

static int dynamic(rk_rand_proc p)
{
    return p == RK_RAND_COMPLETE || p == RK_RAND_EFRON || p == RK_RAND_BIGSTICK ||
           p == RK_RAND_MINIMIZATION;
}

rk_status rk_rand_state_new(const rk_rand_design *d, rk_rand_state **out, rk_error *err)
{
    *out = NULL;
    if (!dynamic(d->proc))
        return rk_error_set(err, RK_EINVAL,
                            "%s: procedure %s makes lists; allocation time applies to complete, "
                            "efron, big-stick and minimization",
                            d->source, rk_rand_proc_name(d->proc));
    rk_rand_state *st = calloc(1, sizeof *st);
    if (!st) return rk_error_set(err, RK_ENOMEM, "out of memory");
    st->d = d;
    if (d->proc == RK_RAND_EFRON || d->proc == RK_RAND_BIGSTICK) {
        st->stratum_count = calloc(rk_rand_nstrata(d) * d->narms, sizeof *st->stratum_count);
        if (!st->stratum_count) goto nomem;
    }
    if (d->proc == RK_RAND_MINIMIZATION) {
        st->level_count = calloc(d->nfactors, sizeof *st->level_count);
        st->varm_parent = calloc(d->ratio_sum, sizeof *st->varm_parent);
        if (!st->level_count || !st->varm_parent) goto nomem;
        for (size_t f = 0; f < d->nfactors; f++)
            if (!(st->level_count[f] =
                      calloc(d->factors[f].nlevels * d->ratio_sum, sizeof **st->level_count)))
                goto nomem;
        size_t v = 0;
        for (size_t k = 0; k < d->narms; k++)
            for (unsigned r = 0; r < d->arms[k].ratio; r++)
                st->varm_parent[v++] = k;
    }
    *out = st;
    return RK_OK;
nomem:
    rk_rand_state_free(st);
    return rk_error_set(err, RK_ENOMEM, "out of memory");
}

void rk_rand_state_free(rk_rand_state *st)
{
    if (!st) return;
    free(st->stratum_count);
    if (st->level_count)
        for (size_t f = 0; f < st->d->nfactors; f++)
            free(st->level_count[f]);
    free(st->level_count);
    free(st->varm_parent);
    free(st);
}

size_t rk_rand_state_count(const rk_rand_state *st)
{
    return st->n;
}

static rk_status check_levels(const rk_rand_design *d, const size_t *levels, rk_error *err)
{
    for (size_t f = 0; f < d->nfactors; f++)
        if (!levels || levels[f] >= d->factors[f].nlevels)
            return rk_error_set(err, RK_EINVAL,
                                "factor '%s': level index %zu out of range (%zu levels)",
                                d->factors[f].name, levels ? levels[f] : 0, d->factors[f].nlevels);
    return RK_OK;
}

/* Minimization over virtual arms: see docs/randomization.md. */
static void minimization_vprobs(const rk_rand_state *st, const size_t *levels, double *vp)
{
    const rk_rand_design *d = st->d;
    size_t R = d->ratio_sum;
    double gmin = INFINITY;
    double *g = vp; /* imbalance scores first, probabilities after */
    for (size_t v = 0; v < R; v++) {
        double G = 0;
        for (size_t f = 0; f < d->nfactors; f++) {
            const size_t *c = st->level_count[f] + levels[f] * R;
            size_t lo = (size_t)-1, hi = 0;
            for (size_t u = 0; u < R; u++) {
                size_t x = c[u] + (u == v);
                if (x < lo) lo = x;
                if (x > hi) hi = x;
            }
            G += d->factors[f].weight * (double)(hi - lo);
        }
        g[v] = G;
        if (G < gmin) gmin = G;
    }
    size_t m = 0;
    for (size_t v = 0; v < R; v++)
        m += g[v] == gmin;
    for (size_t v = 0; v < R; v++) {
        if (m == R)
            vp[v] = 1.0 / (double)R;
        else
            vp[v] = g[v] == gmin ? d->p / (double)m : (1 - d->p) / (double)(R - m);
    }
}

rk_status rk_rand_probs(const rk_rand_design *d, const rk_rand_state *st, const size_t *levels,
                        double *probs, double *vprobs, rk_error *err)
{
    rk_status s = check_levels(d, levels, err);
    if (s) return s;
    if (d->proc == RK_RAND_MINIMIZATION) {
        double *vp = vprobs ? vprobs : malloc(d->ratio_sum * sizeof *vp);
        if (!vp) return rk_error_set(err, RK_ENOMEM, "out of memory");
        minimization_vprobs(st, levels, vp);
        for (size_t k = 0; k < d->narms; k++)
            probs[k] = 0;
        for (size_t v = 0; v < d->ratio_sum; v++)
            probs[st->varm_parent[v]] += vp[v];
        if (!vprobs) free(vp);
        return RK_OK;
    }
    rk__seq q;
    if ((s = rk__seq_init(&q, d, err))) return s;
    if (st->stratum_count) {
        size_t si = rk_rand_stratum_index(d, levels);
        memcpy(q.count, st->stratum_count + si * d->narms, d->narms * sizeof *q.count);
    }
    rk__seq_weights(&q, probs);
    rk__seq_free(&q);
    double sum = 0;
    for (size_t k = 0; k < d->narms; k++)
        sum += probs[k];
    for (size_t k = 0; k < d->narms; k++)
        probs[k] /= sum;
    return RK_OK;
}

rk_status rk_rand_state_add(const rk_rand_design *d, rk_rand_state *st, const size_t *levels,
                            size_t arm, size_t varm, rk_error *err)
{
    rk_status s = check_levels(d, levels, err);
    if (s) return s;
    if (arm >= d->narms) return rk_error_set(err, RK_EINVAL, "arm index %zu out of range", arm);
    if (d->proc == RK_RAND_MINIMIZATION) {
        if (varm >= d->ratio_sum || st->varm_parent[varm] != arm)
            return rk_error_set(err, RK_EINVAL, "virtual arm %zu does not belong to arm '%s'", varm,
                                d->arms[arm].name);
        for (size_t f = 0; f < d->nfactors; f++)
            st->level_count[f][levels[f] * d->ratio_sum + varm]++;
    }
    if (st->stratum_count) st->stratum_count[rk_rand_stratum_index(d, levels) * d->narms + arm]++;
    st->n++;
    return RK_OK;
}

rk_status rk_rand_assign(const rk_rand_design *d, rk_rand_state *st,
                         const unsigned char key[RK_RAND_KEYBYTES], const size_t *levels,
                         size_t *arm, size_t *varm, rk_error *err)
{
    size_t R = d->ratio_sum, k = d->narms;
    double *p = malloc((R + k) * sizeof *p);
    if (!p) return rk_error_set(err, RK_ENOMEM, "out of memory");
    rk_status s = rk_rand_probs(d, st, levels, p, p + k, err);
    if (s) {
        free(p);
        return s;
    }
    char label[48];
    snprintf(label, sizeof label, "alloc:%zu", st->n);
    unsigned char akey[RK_RAND_KEYBYTES];
    rk_rand_derive_key(key, label, akey);
    rk_rand_stream str;
    rk_rand_stream_init(&str, akey);
    size_t a, v = 0;
    if (d->proc == RK_RAND_MINIMIZATION) {
        v = rk__draw(&str, p + k, R, 0);
        a = st->varm_parent[v];
    } else {
        /* Draw with the procedure's own weights so that integral weights use integers. */
        rk__seq q;
        if ((s = rk__seq_init(&q, d, err))) {
            free(p);
            return s;
        }
        if (st->stratum_count)
            memcpy(q.count, st->stratum_count + rk_rand_stratum_index(d, levels) * k,
                   k * sizeof *q.count);
        int integral = rk__seq_weights(&q, p);
        a = rk__draw(&str, p, k, integral);
        rk__seq_free(&q);
    }
    free(p);
    if ((s = rk_rand_state_add(d, st, levels, a, v, err))) return s;
    *arm = a;
    if (varm) *varm = v;
    return RK_OK;
}
