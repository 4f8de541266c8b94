/* Randomization lists: every stratum's sequence from its own stream, and the list CSV. */
#include <stdlib.h>
#include <string.h>

#include "rand/seq.h"

#define RK_RAND_MAX_SLOTS ((size_t)100000000) /* 1e8 slots, 4 GB of slots at most */

rk_status rk_rand_list_make(const rk_rand_design *d, const unsigned char key[RK_RAND_KEYBYTES],
                            rk_rand_list **out, rk_error *err)
{
    *out = NULL;
    if (d->proc == RK_RAND_MINIMIZATION)
        return rk_error_set(err, RK_EINVAL,
                            "%s: minimization runs at allocation time and has no list "
                            "(use rk_rand_assign)",
                            d->source);
    size_t ns = rk_rand_nstrata(d);
    size_t maxblock = 0;
    for (size_t i = 0; i < d->nblock_sizes; i++)
        if (d->block_sizes[i] > maxblock) maxblock = d->block_sizes[i];
    size_t per = d->list_length + maxblock; /* a whole last block at most */
    if (per > RK_RAND_MAX_SLOTS / ns)
        return rk_error_set(err, RK_ERANGE,
                            "%s: the list would have more than %.0e slots (%zu strata x %zu); "
                            "shorten list_length",
                            d->source, (double)RK_RAND_MAX_SLOTS, ns, d->list_length);
    rk_rand_list *l = calloc(1, sizeof *l);
    double *w = malloc(d->narms * sizeof *w);
    rk__seq q;
    rk_status st = rk__seq_init(&q, d, err);
    if (st) {
        free(l);
        free(w);
        return st;
    }
    if (!l || !w || !(l->slot = malloc(ns * per * sizeof *l->slot))) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto fail;
    }
    rk_buf label;
    rk_buf_init(&label, 1 << 16);
    for (size_t s = 0; s < ns; s++) {
        if ((st = rk_rand_stratum_label(d, s, &label, err))) {
            rk_buf_free(&label);
            goto fail;
        }
        unsigned char skey[RK_RAND_KEYBYTES];
        rk_rand_derive_key(key, label.data, skey);
        rk_rand_stream str;
        rk_rand_stream_init(&str, skey);
        rk__seq_reset(&q);
        int blocked = rk__seq_blocked(d);
        while (q.n < d->list_length || (blocked && q.block_used < q.block_size)) {
            if (rk__seq_needs_block(&q)) {
                size_t m = rk__seq_nsizes(&q);
                rk__seq_start_block(&q, m > 1 ? rk_rand_below(&str, (uint32_t)m) : 0);
            }
            int integral = rk__seq_weights(&q, w);
            size_t arm = rk__draw(&str, w, d->narms, integral);
            rk_rand_slot *sl = &l->slot[l->n];
            sl->rand_no = l->n + 1;
            sl->stratum = s;
            sl->block = blocked ? q.block_no : 0;
            sl->block_size = blocked ? q.block_size : 0;
            sl->arm = arm;
            l->n++;
            rk__seq_push(&q, arm);
        }
    }
    rk_buf_free(&label);
    rk__seq_free(&q);
    free(w);
    *out = l;
    return RK_OK;
fail:
    rk__seq_free(&q);
    free(w);
    rk_rand_list_free(l);
    return st;
}

void rk_rand_list_free(rk_rand_list *l)
{
    if (!l) return;
    free(l->slot);
    free(l);
}

rk_status rk_rand_list_write_csv(const rk_rand_design *d, const rk_rand_list *l, FILE *f,
                                 rk_error *err)
{
    rk_buf label;
    rk_buf_init(&label, 1 << 16);
    size_t cur = (size_t)-1;
    rk_status st = RK_OK;
    if (fputs("rand_no,stratum,block,block_size,arm\n", f) < 0) goto io;
    for (size_t i = 0; i < l->n; i++) {
        const rk_rand_slot *s = &l->slot[i];
        if (s->stratum != cur) {
            if ((st = rk_rand_stratum_label(d, s->stratum, &label, err))) goto done;
            cur = s->stratum;
        }
        if (fprintf(f, "%zu,%s,%zu,%zu,%s\n", s->rand_no, label.data, s->block, s->block_size,
                    d->arms[s->arm].name) < 0)
            goto io;
    }
    goto done;
io:
    st = rk_error_set(err, RK_EIO, "write error");
done:
    rk_buf_free(&label);
    return st;
}
