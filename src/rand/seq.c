/* The sequential engine: one stratum's allocation state and the conditional weights of the next
 * allocation under each list procedure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rand/seq.h"

int rk__seq_blocked(const rk_rand_design *d)
{
    return d->proc == RK_RAND_BLOCKS || d->proc == RK_RAND_RAR || d->proc == RK_RAND_MAXIMAL;
}

static double *maximal_paths(unsigned b, unsigned mti)
{
    size_t w = 2 * (size_t)mti + 1;
    double *t = calloc(((size_t)b + 1) * w, sizeof *t);
    if (!t) return NULL;
    /* t[j][D + mti] = number of ways to finish the block from j slots used and imbalance D,
     * never exceeding mti in absolute value and ending balanced. */
    t[(size_t)b * w + mti] = 1;
    for (size_t j = b; j-- > 0;)
        for (size_t x = 0; x < w; x++) {
            double v = 0;
            if (x + 1 < w) v += t[(j + 1) * w + x + 1];
            if (x > 0) v += t[(j + 1) * w + x - 1];
            t[j * w + x] = v;
        }
    return t;
}

rk_status rk__seq_init(rk__seq *q, const rk_rand_design *d, rk_error *err)
{
    memset(q, 0, sizeof *q);
    q->d = d;
    q->count = calloc(d->narms, sizeof *q->count);
    q->block_count = calloc(d->narms, sizeof *q->block_count);
    if (!q->count || !q->block_count) goto nomem;
    if (d->proc == RK_RAND_MAXIMAL) {
        q->paths = calloc(d->nblock_sizes, sizeof *q->paths);
        if (!q->paths) goto nomem;
        for (size_t i = 0; i < d->nblock_sizes; i++)
            if (!(q->paths[i] = maximal_paths(d->block_sizes[i], d->mti))) goto nomem;
    }
    return RK_OK;
nomem:
    rk__seq_free(q);
    return rk_error_set(err, RK_ENOMEM, "out of memory");
}

void rk__seq_free(rk__seq *q)
{
    if (!q) return;
    free(q->count);
    free(q->block_count);
    if (q->paths)
        for (size_t i = 0; i < q->d->nblock_sizes; i++)
            free(q->paths[i]);
    free(q->paths);
    memset(q, 0, sizeof *q);
}

void rk__seq_reset(rk__seq *q)
{
    q->n = q->block_no = q->block_size = q->block_used = q->block_index = 0;
    memset(q->count, 0, q->d->narms * sizeof *q->count);
    memset(q->block_count, 0, q->d->narms * sizeof *q->block_count);
}

void rk__seq_copy(rk__seq *dst, const rk__seq *src)
{
    size_t k = src->d->narms;
    dst->n = src->n;
    dst->block_no = src->block_no;
    dst->block_size = src->block_size;
    dst->block_used = src->block_used;
    dst->block_index = src->block_index;
    memcpy(dst->count, src->count, k * sizeof *dst->count);
    memcpy(dst->block_count, src->block_count, k * sizeof *dst->block_count);
}

int rk__seq_needs_block(const rk__seq *q)
{
    return rk__seq_blocked(q->d) && q->block_used == q->block_size;
}

size_t rk__seq_nsizes(const rk__seq *q)
{
    return q->d->proc == RK_RAND_RAR ? 1 : q->d->nblock_sizes;
}

void rk__seq_start_block(rk__seq *q, size_t i)
{
    q->block_no++;
    q->block_index = i;
    q->block_size = q->d->proc == RK_RAND_RAR ? q->d->list_length : q->d->block_sizes[i];
    q->block_used = 0;
    memset(q->block_count, 0, q->d->narms * sizeof *q->block_count);
}

int rk__seq_weights(const rk__seq *q, double *w)
{
    const rk_rand_design *d = q->d;
    size_t k = d->narms;
    switch (d->proc) {
    case RK_RAND_COMPLETE:
        for (size_t i = 0; i < k; i++)
            w[i] = d->arms[i].ratio;
        return 1;
    case RK_RAND_BLOCKS:
    case RK_RAND_RAR:
        for (size_t i = 0; i < k; i++)
            w[i] = (double)(q->block_size / d->ratio_sum * d->arms[i].ratio - q->block_count[i]);
        return 1;
    case RK_RAND_EFRON: {
        if (q->count[0] == q->count[1]) {
            w[0] = w[1] = 1;
            return 1;
        }
        int lag0 = q->count[0] < q->count[1];
        w[0] = lag0 ? d->p : 1 - d->p;
        w[1] = lag0 ? 1 - d->p : d->p;
        return d->p == 1; /* 1 and 0 */
    }
    case RK_RAND_BIGSTICK: {
        double D = (double)q->count[0] - (double)q->count[1];
        w[0] = D >= d->mti ? 0 : 1;
        w[1] = -D >= d->mti ? 0 : 1;
        return 1;
    }
    case RK_RAND_MAXIMAL: {
        size_t wd = 2 * (size_t)d->mti + 1;
        const double *t = q->paths[q->block_index];
        long D = (long)q->block_count[0] - (long)q->block_count[1];
        size_t x = (size_t)(D + (long)d->mti), j = q->block_used + 1;
        w[0] = x + 1 < wd ? t[j * wd + x + 1] : 0;
        w[1] = x > 0 ? t[j * wd + x - 1] : 0;
        return w[0] + w[1] <= 4294967295.0;
    }
    case RK_RAND_MINIMIZATION: break;
    }
    for (size_t i = 0; i < k; i++)
        w[i] = 1;
    return 1;
}

void rk__seq_push(rk__seq *q, size_t arm)
{
    q->n++;
    q->count[arm]++;
    if (rk__seq_blocked(q->d)) {
        q->block_used++;
        q->block_count[arm]++;
    }
}

size_t rk__draw(rk_rand_stream *s, const double *w, size_t k, int integral)
{
    size_t npos = 0, last = 0;
    double sum = 0;
    for (size_t i = 0; i < k; i++)
        if (w[i] > 0) {
            npos++;
            last = i;
            sum += w[i];
        }
    if (npos <= 1) return last;
    double u = integral && sum <= 4294967295.0 ? (double)rk_rand_below(s, (uint32_t)sum)
                                               : rk_rand_unit(s) * sum;
    double cum = 0;
    for (size_t i = 0; i < k; i++) {
        if (!(w[i] > 0)) continue;
        cum += w[i];
        if (u < cum) return i;
    }
    return last;
}
