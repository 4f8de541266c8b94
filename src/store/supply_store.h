/* Supply tracking inside the trial store (internal): the schema of the kit tables, the
 * tracking state cached by the server and rebuilt from the store, and the audit cross-check. */
#ifndef RK_STORE_SUPPLY_STORE_H
#define RK_STORE_SUPPLY_STORE_H

#include "rctkit/supply.h"
#include "store/store_int.h"
#include "store/trial.h"

/* Tables kits, kit_batches, kit_events with their append-only triggers (part of the schema). */
extern const char rk__supply_schema[];

/* The tracking state of the store's kits with a sink that writes every transition to the
 * audit chain and kit_events (in the caller's transaction).  Rebuilt from the store when the
 * store has moved on without it (another process, a rolled back request). */
typedef struct rk__supply_cache rk__supply_cache;

/* The current tracking state (*cache created on first use).  *out is NULL when no kit list is
 * loaded.  Valid until the next call or rk__supply_cache_free. */
rk_status rk__supply_get(rk_store *s, const rk__trial *t, rk__supply_cache **cache, rk_supply **out,
                         rk_error *err);
/* Forget the state (after a refused or rolled back request that may have changed it). */
void rk__supply_invalidate(rk__supply_cache *c);
void rk__supply_cache_free(rk__supply_cache *c);

/* Arm index (in the trial's arms) of an arm name, or -1. */
int rk__supply_arm_index(const rk__trial *t, const char *arm);

/* Every kit event has its audit record with the same content, events are numbered 1..n, and
 * every kit list load's fingerprint matches the kits stored.  Problems go to rep (ok = 0). */
rk_status rk__supply_audit_check(rk_store *s, int64_t n_records, rk_audit_report *rep,
                                 rk_error *err);

#endif
