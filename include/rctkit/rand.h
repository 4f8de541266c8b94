/* rctkit randomization: designs read from YAML, a reproducible ChaCha20 stream, list
 * procedures (complete, permuted blocks, random allocation rule, Efron, big stick, maximal),
 * allocation-time procedures (the same sequential ones, and Pocock-Simon minimization) and the
 * assessment of a design (guessing, imbalance, loss, chronological bias).
 *
 * docs/randomization.md describes the design file, the stream, every procedure and every figure.
 */
#ifndef RCTKIT_RAND_H
#define RCTKIT_RAND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rctkit/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the stream ---- */

#define RK_RAND_KEYBYTES 32

/* A deterministic byte stream: exactly the bytes libsodium's
 * randombytes_buf_deterministic(buf, size, key) writes, for any size (a prefix property),
 * produced 64-byte block by block.  No heap memory. */
typedef struct rk_rand_stream {
    unsigned char key[RK_RAND_KEYBYTES];
    uint32_t block;        /* next ChaCha20 block counter */
    unsigned char buf[64]; /* current block */
    unsigned pos;          /* bytes of buf used */
} rk_rand_stream;

/* key = BLAKE2b-256 (crypto_generichash, unkeyed) of "rctkit-rand-v1:" followed by the seed
 * text.  Fails (RK_EINVAL) on an empty seed. */
rk_status rk_rand_seed_key(const char *seed, unsigned char key[RK_RAND_KEYBYTES], rk_error *err);
/* A derived key: BLAKE2b-256 keyed with `parent` of the bytes of `label` (a stratum name,
 * "alloc:17" ...). */
void rk_rand_derive_key(const unsigned char parent[RK_RAND_KEYBYTES], const char *label,
                        unsigned char out[RK_RAND_KEYBYTES]);
void rk_rand_stream_init(rk_rand_stream *s, const unsigned char key[RK_RAND_KEYBYTES]);
/* Next n bytes of the stream. */
void rk_rand_bytes(rk_rand_stream *s, unsigned char *out, size_t n);
/* Next 4 bytes as a little-endian integer. */
uint32_t rk_rand_u32(rk_rand_stream *s);
/* Uniform integer in [0, n), 1 <= n <= 2^32 - 1, without modulo bias: draw x = rk_rand_u32
 * until x < 2^32 - (2^32 mod n), return x mod n. */
uint32_t rk_rand_below(rk_rand_stream *s, uint32_t n);
/* Uniform double in [0, 1): the top 53 bits of a little-endian 8-byte draw, times 2^-53. */
double rk_rand_unit(rk_rand_stream *s);

/* ---- designs ---- */

typedef enum rk_rand_proc {
    RK_RAND_COMPLETE = 0, /* complete (simple) randomization with the allocation ratio */
    RK_RAND_BLOCKS,       /* permuted blocks, fixed or randomly chosen sizes */
    RK_RAND_RAR,          /* random allocation rule: one block of list_length per stratum */
    RK_RAND_EFRON,        /* Efron's biased coin (2 arms, 1:1) */
    RK_RAND_BIGSTICK,     /* big stick design (2 arms, 1:1) */
    RK_RAND_MAXIMAL,      /* maximal procedure in blocks (2 arms, 1:1) */
    RK_RAND_MINIMIZATION  /* Pocock-Simon minimization (allocation time only) */
} rk_rand_proc;

/* Name as in the design file ("permuted-blocks" ...); never NULL. */
const char *rk_rand_proc_name(rk_rand_proc p);

typedef struct rk_rand_arm {
    char *name;
    unsigned ratio;
} rk_rand_arm;

typedef struct rk_rand_factor {
    char *name;
    size_t nlevels;
    char **levels;
    double weight; /* minimization weight (default 1) */
} rk_rand_factor;

typedef struct rk_rand_design {
    char *source; /* file name used in messages */
    char *trial;  /* optional title, may be NULL */
    size_t narms;
    rk_rand_arm *arms;
    unsigned ratio_sum;
    size_t nfactors;
    rk_rand_factor *factors;
    rk_rand_proc proc;
    size_t nblock_sizes;
    unsigned *block_sizes; /* blocks / maximal */
    double p;              /* efron: probability for the lagging arm; minimization: base p */
    unsigned mti;          /* big stick / maximal: maximum tolerated imbalance */
    size_t list_length;    /* slots per stratum (at least; lists end on a whole block) */
} rk_rand_design;

/* Parse a design from YAML text; `source` names it in messages ("design.yaml:4:7: ...").
 * Unknown keys, wrong types and impossible combinations are RK_EPARSE / RK_EINVAL with the
 * line and column. */
rk_status rk_rand_design_parse(const char *text, size_t len, const char *source,
                               rk_rand_design **out, rk_error *err);
/* Read and parse a design file. */
rk_status rk_rand_design_read(const char *path, rk_rand_design **out, rk_error *err);
void rk_rand_design_free(rk_rand_design *d);

/* Number of strata (product of the factors' level counts; 1 without factors). */
size_t rk_rand_nstrata(const rk_rand_design *d);
/* Level indices of stratum s (factor order, last factor fastest). */
void rk_rand_stratum_levels(const rk_rand_design *d, size_t s, size_t *levels);
/* Stratum index of the given level indices. */
size_t rk_rand_stratum_index(const rk_rand_design *d, const size_t *levels);
/* Stratum label: the levels joined with '|' in factor order ("S01|F"); "all" without factors. */
rk_status rk_rand_stratum_label(const rk_rand_design *d, size_t s, rk_buf *out, rk_error *err);

/* ---- lists ---- */

typedef struct rk_rand_slot {
    size_t rand_no;    /* 1-based, unique across the list */
    size_t stratum;    /* stratum index */
    size_t block;      /* 1-based block number within the stratum; 0 when there are no blocks */
    size_t block_size; /* 0 when there are no blocks */
    size_t arm;        /* index into design->arms */
} rk_rand_slot;

typedef struct rk_rand_list {
    size_t n;
    rk_rand_slot *slot; /* stratum by stratum, allocation order within a stratum */
} rk_rand_list;

/* Generate the list of every stratum from the seed key (stratum s uses the stream keyed
 * rk_rand_derive_key(key, label of s)).  Minimization has no list (RK_EINVAL). */
rk_status rk_rand_list_make(const rk_rand_design *d, const unsigned char key[RK_RAND_KEYBYTES],
                            rk_rand_list **out, rk_error *err);
void rk_rand_list_free(rk_rand_list *l);
/* CSV: header rand_no,stratum,block,block_size,arm then one row per slot. */
rk_status rk_rand_list_write_csv(const rk_rand_design *d, const rk_rand_list *l, FILE *f,
                                 rk_error *err);

/* ---- allocation time ---- */

/* What has been allocated so far (per stratum and, for minimization, per factor level). */
typedef struct rk_rand_state rk_rand_state;

rk_status rk_rand_state_new(const rk_rand_design *d, rk_rand_state **out, rk_error *err);
void rk_rand_state_free(rk_rand_state *st);
/* Number of subjects recorded. */
size_t rk_rand_state_count(const rk_rand_state *st);

/* Allocation probabilities for a new subject with the given level indices (one per factor),
 * given the state: probs[k] for arm k (they sum to 1).  Procedures: complete, efron, big-stick
 * and minimization (the others are lists: RK_EINVAL).  For minimization, `vprobs` (may be NULL)
 * receives the probabilities of the ratio_sum virtual arms (see docs). */
rk_status rk_rand_probs(const rk_rand_design *d, const rk_rand_state *st, const size_t *levels,
                        double *probs, double *vprobs, rk_error *err);

/* Allocate the next subject: draws from the stream keyed rk_rand_derive_key(key, "alloc:N")
 * where N is the number of subjects already recorded (so every allocation is reproducible from
 * the seed, the design and the history), records the subject and returns its arm (and, for
 * minimization, the virtual arm in *varm; may be NULL). */
rk_status rk_rand_assign(const rk_rand_design *d, rk_rand_state *st,
                         const unsigned char key[RK_RAND_KEYBYTES], const size_t *levels,
                         size_t *arm, size_t *varm, rk_error *err);
/* Record a subject allocated earlier (replaying a history); varm is the virtual arm for
 * minimization (ignored otherwise). */
rk_status rk_rand_state_add(const rk_rand_design *d, rk_rand_state *st, const size_t *levels,
                            size_t arm, size_t varm, rk_error *err);

/* ---- assessment ---- */

typedef struct rk_rand_assess_opts {
    size_t n;    /* sequence length; 0 = design->list_length */
    size_t sims; /* simulated sequences when exact enumeration is too large (default 10000) */
    size_t max_exact_nodes; /* enumeration budget (default 4e6 tree nodes) */
    double theta;           /* linear time trend over the sequence, in SD units (default 1) */
    double alpha;           /* two-sided level of the t-test (default 0.05) */
    unsigned char key[RK_RAND_KEYBYTES]; /* simulation stream key */
} rk_rand_assess_opts;

void rk_rand_assess_opts_init(rk_rand_assess_opts *o);

typedef struct rk_rand_assessment {
    int exact;                  /* 1: exhaustive enumeration, 0: simulation */
    size_t n;                   /* sequence length */
    size_t sequences;           /* sequences enumerated (positive probability) or simulated */
    double correct_guesses;     /* expected number of correct guesses (convergence strategy) */
    double prop_correct;        /* correct_guesses / n */
    double max_imbalance;       /* expected maximum imbalance over the sequence */
    double max_imbalance_worst; /* largest maximum imbalance seen (any sequence) */
    double final_imbalance;     /* expected final imbalance */
    double loss;                /* expected loss at the end */
    double chron_t1e;           /* expected type-I error of the t-test under the linear trend
                                   (NaN when the design has more than 2 arms) */
    double se_prop_correct;     /* Monte Carlo standard errors (NaN when exact) */
    double se_chron_t1e;
} rk_rand_assessment;

/* Assess the design's sequence within one stratum (minimization: the whole trial, with each
 * factor's levels equally likely and independent). */
rk_status rk_rand_assess(const rk_rand_design *d, const rk_rand_assess_opts *o,
                         rk_rand_assessment *out, rk_error *err);

/* Type-I error of the two-sided two-sample t-test at level alpha when responses are
 * tau_i + N(0,1) with tau_i = theta * i / n (i = 1..n) and arms[i-1] in {0,1}: exact, via the
 * doubly noncentral t distribution.  0 when an arm has fewer than 1 subject or n < 3. */
rk_status rk_rand_chron_t1e(const unsigned char *arms, size_t n, double theta, double alpha,
                            double *out, rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
