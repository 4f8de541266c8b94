/* Allocation-time randomization in the store: the design and key of a trial configured with a
 * dynamic procedure, its allocation state kept in step with the database, and the allocation
 * done inside the caller's transaction. */
#ifndef RK_STORE_DYN_H
#define RK_STORE_DYN_H

#include <stdint.h>

#include "rctkit/rand.h"
#include "rctkit/store.h"

typedef struct rk__dyn {
    rk_rand_design *d;
    unsigned char key[RK_RAND_KEYBYTES];
    rk_rand_state *st; /* the history in memory: rebuilt whenever it is not the database's */
    size_t *levels;    /* scratch: one level index per factor */
} rk__dyn;

/* The trial's dynamic procedure; *out is NULL (and RK_OK) for a trial with an uploaded list. */
rk_status rk__dyn_load(rk_store *s, rk__dyn **out, rk_error *err);
void rk__dyn_free(rk__dyn *y);

/* Level indices (design order) of a stratum "S01|F". */
rk_status rk__dyn_levels(const rk_rand_design *d, const char *stratum, size_t *levels,
                         rk_error *err);

/* Rebuild y->st from the table dyn_allocs unless it already holds exactly its rows. */
rk_status rk__dyn_sync(rk_store *s, rk__dyn *y, rk_error *err);

/* Draw the arm of a new subject in `stratum` inside the caller's transaction: bring the state
 * in step with the database, then rk_rand_assign (the state now holds the new subject).  If the
 * allocation is then not recorded (rk__dyn_record) and committed, the next rk__dyn_sync sees
 * that the state is ahead of the database and rebuilds it. */
rk_status rk__dyn_draw(rk_store *s, rk__dyn *y, const char *stratum, size_t *arm, size_t *varm,
                       rk_error *err);
/* Record the allocation just drawn: the new slot of the stratum (rand_no = the allocation
 * number N, block 0) and row N of dyn_allocs.  *slot gets the slot's seq within the stratum. */
rk_status rk__dyn_record(rk_store *s, rk__dyn *y, const char *subject, const char *stratum,
                         size_t arm, size_t varm, int64_t *slot, char *rand_no, size_t rand_no_size,
                         rk_error *err);

#endif
