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

/* A subject's randomization date (UTC day of the allocation): *found 0 when not randomized. */
rk_status rk__subject_day0(rk_store *s, const char *subject, rk_date *day0, int *found,
                           rk_error *err);

/* What the store says of one scheduled visit of a subject. */
typedef struct rk__visit_done {
    rk_date done;              /* RK_NOT_DONE when not recorded */
    char kit[RK_KITCODE_SIZE]; /* infusion visits: the administered kit */
} rk__visit_done;

/* The recorded visits of a subject, one entry per visit of sch (by name). */
rk_status rk__visits_done(rk_store *s, const char *subject, const rk_schedule *sch,
                          rk__visit_done *out, rk_error *err);
/* Record a visit as done (append-only row subject_visits + audit record "visit_done" with
 * subject, visit, kind, day, date and kit: no arm), in the caller's transaction. */
rk_status rk__visit_record(rk_store *s, const char *subject, const rk_visit_def *v, rk_date done,
                           const char *kit, const char *who, rk_error *err);
/* The infusion record (JSON: start, end, vital signs, reactions) of the kit's administration,
 * or *json NULL; malloc'd. */
rk_status rk__infusion_of(rk_store *s, const char *kit, char **json, rk_error *err);

#endif
