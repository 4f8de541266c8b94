/* The sequential engine shared by list generation, allocation and assessment: the state of one
 * stratum's sequence and the conditional weights of the next allocation. */
#ifndef RK_RAND_SEQ_H
#define RK_RAND_SEQ_H

#include "rctkit/rand.h"

typedef struct rk__seq {
    const rk_rand_design *d;
    size_t n;            /* allocated so far */
    size_t *count;       /* per arm */
    size_t block_no;     /* 1-based number of the current block, 0 before the first */
    size_t block_size;   /* current block size (0: no blocks) */
    size_t block_used;   /* slots used in the current block */
    size_t *block_count; /* per arm, in the current block */
    size_t block_index;  /* index of the current block size in d->block_sizes */
    double **paths;      /* maximal: per block size, (size + 1) x (2 mti + 1) path counts */
} rk__seq;

rk_status rk__seq_init(rk__seq *q, const rk_rand_design *d, rk_error *err);
void rk__seq_free(rk__seq *q);
void rk__seq_reset(rk__seq *q);
/* Copy the state of src into dst (same design, both initialised). */
void rk__seq_copy(rk__seq *dst, const rk__seq *src);
/* Whether the procedure uses blocks. */
int rk__seq_blocked(const rk_rand_design *d);
/* Whether a new block must start before the next allocation. */
int rk__seq_needs_block(const rk__seq *q);
/* Number of block sizes to choose from (1 for the random allocation rule). */
size_t rk__seq_nsizes(const rk__seq *q);
/* Start a block of the i-th size. */
void rk__seq_start_block(rk__seq *q, size_t i);
/* Conditional weights of the next allocation (w[k] >= 0, not all 0); returns 1 when every
 * weight is a whole number and their sum is below 2^32. */
int rk__seq_weights(const rk__seq *q, double *w);
void rk__seq_push(rk__seq *q, size_t arm);
/* Draw an index from weights: rk_rand_below on the sum when integral, else rk_rand_unit times
 * the sum; no draw when only one weight is positive. */
size_t rk__draw(rk_rand_stream *s, const double *w, size_t k, int integral);

#endif
