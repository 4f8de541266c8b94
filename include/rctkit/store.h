/* rctkit store: the trial database behind the concealed-allocation server (SQLite, WAL,
 * synchronous FULL), its hash-chained append-only audit trail, users, roles and sessions.
 *
 * One database file holds one trial: its configuration (trial file, sites, users), the
 * uploaded randomization list (one row per slot), enrolled subjects, allocations, emergency
 * unblindings, per-role message lists and the audit trail.  Every action is written together
 * with its audit record in one transaction.  Audit rows are never updated or deleted: SQLite
 * triggers refuse it, and each record carries BLAKE2b(previous hash || record) so that
 * rk_audit_verify detects an edited, deleted or reordered record.
 */
#ifndef RCTKIT_STORE_H
#define RCTKIT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The six roles.  Site-bound roles (investigator, pharmacist) only see their own site. */
typedef enum rk_role {
    RK_ROLE_INVESTIGATOR = 0, /* blinded; enrols, randomizes, may unblind in an emergency */
    RK_ROLE_PHARMACIST,       /* unblinded to dispense, own site only */
    RK_ROLE_BLINDED_STAT,     /* blinded statistician */
    RK_ROLE_UNBLINDED_STAT,   /* unblinded statistician: list, export after lock */
    RK_ROLE_MONITOR,          /* data monitor: blinded, reads subjects and audit */
    RK_ROLE_ADMIN,            /* administrator: users, roles, lock; blinded */
    RK_ROLE_COUNT
} rk_role;

/* "investigator", "pharmacist", "blinded_statistician", "unblinded_statistician",
 * "data_monitor", "administrator"; "?" for an out-of-range value. */
const char *rk_role_name(rk_role r);
/* Parse a role name (as above); an unknown name is RK_EINVAL listing the names. */
rk_status rk_role_parse(const char *s, rk_role *out, rk_error *err);
/* 1 for the roles allowed to see arms (pharmacist, unblinded statistician). */
int rk_role_unblinded(rk_role r);
/* 1 for the roles tied to one site (investigator, pharmacist). */
int rk_role_site_bound(rk_role r);

typedef struct rk_store rk_store;

/* Open (create = 1: create, the file must not exist yet) a trial database.  Sets WAL mode,
 * synchronous FULL, foreign keys and a busy timeout.  *out is the caller's; rk_store_close. */
rk_status rk_store_open(const char *path, int create, rk_store **out, rk_error *err);
void rk_store_close(rk_store *s);

/* Argon2id cost for new password hashes (libsodium crypto_pwhash_str). */
typedef enum rk_pwcost {
    RK_PWCOST_INTERACTIVE = 0, /* libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE (64 MiB): default */
    RK_PWCOST_MODERATE,        /* OPSLIMIT/MEMLIMIT_MODERATE (256 MiB) */
    RK_PWCOST_MIN              /* the minimum: for tests only */
} rk_pwcost;

/* Hash a password with Argon2id into out (crypto_pwhash_STRBYTES = 128 bytes suffice). */
rk_status rk_password_hash(const char *password, rk_pwcost cost, char *out, size_t size,
                           rk_error *err);
/* 1 when password matches the stored Argon2id string, else 0. */
int rk_password_check(const char *hash, const char *password);

/* The files that configure a trial (see docs/server.md for their formats):
 *  trial  the randomization design YAML (trial:, arms: [{name, ratio}], strata: [{name,
 *         levels}], procedure: ...; a factor 'site' is required), or JSON: {"name", "arms": [...],
 * "factors": [{"name": "site"}, {"name": "sex", "levels": ["F","M"]}], "eligibility": [{"id",
 * "kind": "inclusion"|"exclusion", "text"}]}; the factor "site" takes its levels from the sites
 * file. sites  CSV site,name users  CSV username,role,site,password (or password_hash, an Argon2id
 * string); site is
 *         "*" for roles not tied to a site.
 *  list   CSV rand_no,stratum,block,block_size,arm as written by `rctkit rand list`.
 *  seed   instead of a list, with a design YAML whose procedure is complete, efron, big-stick
 *         or minimization: the trial randomizes at allocation time from this seed. */
typedef struct rk_trial_files {
    const char *trial; /* trial JSON, or the design YAML of `rctkit rand list` (*.yaml, *.yml) */
    const char *sites;
    const char *users;
    const char *list;
    const char *eligibility; /* with a design YAML: CSV id,kind,text of the eligibility
                                criteria (NULL: none) */
    const char *seed;        /* with a design YAML and no list: allocation time (see above) */
} rk_trial_files;

/* Configure a new (empty) store from files in one transaction, audited as done by `who`.
 * Every error names the file, line and field. */
rk_status rk_store_configure(rk_store *s, const rk_trial_files *f, rk_pwcost cost, const char *who,
                             rk_error *err);

/* Result of rk_audit_verify. */
typedef struct rk_audit_report {
    int64_t n_records;              /* records checked */
    int ok;                         /* 1 when the chain and the cross-checks hold */
    int64_t first_bad;              /* sequence number of the first bad record (0 when ok) */
    char head[65];                  /* hex BLAKE2b-256 of the last record: keep it elsewhere */
    char problem[RK_ERROR_MSG_MAX]; /* what is wrong, in words ("" when ok) */
} rk_audit_report;

/* Walk the audit trail in sequence order: contiguous sequence numbers from 1, each record's
 * prev equal to the previous record's hash, each hash recomputed; then every allocation,
 * unblinding and subject has its audit record.  expect_head (NULL to skip) is a head kept
 * elsewhere, as "N:HEX", which detects a truncated tail.  A broken chain is not an error
 * (rep->ok = 0); errors are I/O or a database that is not a trial store. */
rk_status rk_audit_verify(rk_store *s, const char *expect_head, rk_audit_report *rep,
                          rk_error *err);

/* Dynamic procedures (complete, Efron, big stick, minimization: docs/server.md).  A trial
 * configured from a design with --seed and no list randomizes at allocation time: the
 * randomize endpoint computes the arm with rk_rand_assign inside the request's transaction,
 * from the trial's allocation history, with the stream keyed by the seed's key and the
 * allocation number ("alloc:N"), and records it as a new slot of the subject's stratum (so the
 * audit trail, the blinding rules and the exports stay as they are) plus a row of dyn_allocs
 * (allocation number, subject, stratum, arm, virtual arm).  The key is kept in the database
 * (meta 'rand_key'), which no endpoint reads. */

/* Result of rk_audit_replay. */
typedef struct rk_replay_report {
    char procedure[32];           /* the design's procedure name */
    size_t n;                     /* dynamic allocations replayed */
    size_t mismatches;            /* allocations whose recorded arm differs from the replay */
    int key_matches;              /* with a seed: 1 when it gives the trial's stored key */
    char first[RK_ERROR_MSG_MAX]; /* the first mismatch in words ("" when none) */
} rk_replay_report;

/* Recompute every dynamic allocation in order from the key and the recorded strata and
 * history (rk_rand_assign on a fresh state), and compare with the recorded arms (and virtual
 * arms), also checking that every allocation of the trial is in the dynamic history and
 * served the arm recorded there.  seed NULL: the key stored in the database; otherwise the key
 * of that seed (rep->key_matches says whether it is the trial's).  A trial with an uploaded
 * list is RK_EINVAL. */
rk_status rk_audit_replay(rk_store *s, const char *seed, rk_replay_report *rep, rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
