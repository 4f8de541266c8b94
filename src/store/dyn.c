/* Allocation-time randomization in the store (complete, Efron, big stick, minimization): the
 * allocation inside the request's transaction, the in-memory state kept in step with the
 * database, and the auditor's replay from the seed. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dyn.h"
#include "store/store_int.h"

void rk__dyn_free(rk__dyn *y)
{
    if (!y) return;
    rk_rand_state_free(y->st);
    rk_rand_design_free(y->d);
    free(y->levels);
    sodium_memzero(y->key, sizeof y->key);
    free(y);
}

static rk_status key_from_hex(const char *hex, unsigned char key[RK_RAND_KEYBYTES], rk_error *err)
{
    size_t n = 0;
    if (!hex || strlen(hex) != 2 * RK_RAND_KEYBYTES ||
        sodium_hex2bin(key, RK_RAND_KEYBYTES, hex, strlen(hex), NULL, &n, NULL) != 0 ||
        n != RK_RAND_KEYBYTES)
        return rk_error_set(err, RK_EINTERNAL,
                            "the trial's randomization key (meta 'rand_key') is damaged");
    return RK_OK;
}

rk_status rk__dyn_load(rk_store *s, rk__dyn **out, rk_error *err)
{
    *out = NULL;
    char *text = rk__meta_get(s, "design");
    if (!text) return RK_OK; /* a list trial */
    rk__dyn *y = calloc(1, sizeof *y);
    if (!y) {
        free(text);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    rk_status st = rk_rand_design_parse(text, strlen(text), "design", &y->d, err);
    free(text);
    if (st == RK_OK) {
        char *hex = rk__meta_get(s, "rand_key");
        st = key_from_hex(hex, y->key, err);
        if (hex) sodium_memzero(hex, strlen(hex));
        free(hex);
    }
    if (st == RK_OK) st = rk_rand_state_new(y->d, &y->st, err);
    if (st == RK_OK && !(y->levels = calloc(y->d->nfactors + 1, sizeof *y->levels)))
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
    if (st == RK_OK) st = rk__dyn_sync(s, y, err);
    if (st != RK_OK) {
        rk__dyn_free(y);
        return st;
    }
    *out = y;
    return RK_OK;
}

rk_status rk__dyn_levels(const rk_rand_design *d, const char *stratum, size_t *levels,
                         rk_error *err)
{
    const char *p = stratum;
    for (size_t f = 0; f < d->nfactors; f++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if ((bar == NULL) != (f + 1 == d->nfactors)) break;
        const rk_rand_factor *fa = &d->factors[f];
        size_t k;
        for (k = 0; k < fa->nlevels; k++)
            if (strlen(fa->levels[k]) == n && !memcmp(fa->levels[k], p, n)) break;
        if (k == fa->nlevels)
            return rk_error_set(err, RK_EINVAL,
                                "stratum '%.100s': '%.*s' is not a level of %s in the design",
                                stratum, (int)(n > 60 ? 60 : n), p, fa->name);
        levels[f] = k;
        p = bar ? bar + 1 : p + n;
        if (f + 1 == d->nfactors) return RK_OK;
    }
    if (d->nfactors == 0 && !strcmp(stratum, "all")) return RK_OK;
    return rk_error_set(err, RK_EINVAL, "stratum '%.100s' does not have the design's %zu levels",
                        stratum, d->nfactors);
}

static size_t arm_index(const rk_rand_design *d, const char *arm)
{
    size_t a;
    for (a = 0; a < d->narms && strcmp(d->arms[a].name, arm); a++)
        ;
    return a;
}

static int64_t db_count(rk_store *s, rk_error *err, int *ok)
{
    *ok = 0;
    sqlite3_stmt *q = rk__stmt(s, "SELECT coalesce(max(n), 0) FROM dyn_allocs", err);
    if (!q) return 0;
    int64_t n = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        n = sqlite3_column_int64(q, 0);
        *ok = 1;
    }
    sqlite3_reset(q);
    if (!*ok) rk__sql_error(s, "counting the allocations", err);
    return n;
}

rk_status rk__dyn_sync(rk_store *s, rk__dyn *y, rk_error *err)
{
    int ok;
    int64_t n = db_count(s, err, &ok);
    if (!ok) return err ? err->code : RK_EINTERNAL;
    if ((int64_t)rk_rand_state_count(y->st) == n) return RK_OK;
    /* not in step (a request or a batch rolled back, or a restart): rebuild from the rows */
    rk_rand_state *st = NULL;
    rk_status r = rk_rand_state_new(y->d, &st, err);
    if (r) return r;
    sqlite3_stmt *q = rk__stmt(s, "SELECT n, stratum, arm, varm FROM dyn_allocs ORDER BY n", err);
    if (!q) {
        rk_rand_state_free(st);
        return err ? err->code : RK_EINTERNAL;
    }
    int rc = SQLITE_DONE;
    int64_t expect = 1;
    while (r == RK_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *stratum = (const char *)sqlite3_column_text(q, 1);
        const char *arm = (const char *)sqlite3_column_text(q, 2);
        size_t a = arm ? arm_index(y->d, arm) : y->d->narms;
        if (sqlite3_column_int64(q, 0) != expect++ || !stratum || a == y->d->narms)
            r = rk_error_set(err, RK_EINTERNAL,
                             "dynamic allocation %" PRId64 " is missing or damaged", expect - 1);
        else if ((r = rk__dyn_levels(y->d, stratum, y->levels, err)) == RK_OK)
            r = rk_rand_state_add(y->d, st, y->levels, a, (size_t)sqlite3_column_int64(q, 3), err);
    }
    if (r == RK_OK && rc != SQLITE_DONE) r = rk__sql_error(s, "reading the allocations", err);
    sqlite3_reset(q);
    if (r != RK_OK) {
        rk_rand_state_free(st);
        return r;
    }
    rk_rand_state_free(y->st);
    y->st = st;
    return RK_OK;
}

rk_status rk__dyn_draw(rk_store *s, rk__dyn *y, const char *stratum, size_t *arm, size_t *varm,
                       rk_error *err)
{
    rk_status r = rk__dyn_sync(s, y, err);
    if (r) return r;
    if ((r = rk__dyn_levels(y->d, stratum, y->levels, err))) return r;
    /* from here on the state is one ahead of the database until the transaction commits; if
     * it does not, the next rk__dyn_sync sees the difference and rebuilds */
    return rk_rand_assign(y->d, y->st, y->key, y->levels, arm, varm, err);
}

rk_status rk__dyn_record(rk_store *s, rk__dyn *y, const char *subject, const char *stratum,
                         size_t arm, size_t varm, int64_t *slot, char *rand_no, size_t rand_no_size,
                         rk_error *err)
{
    size_t n = rk_rand_state_count(y->st);
    snprintf(rand_no, rand_no_size, "%zu", n);
    sqlite3_stmt *q =
        rk__stmt(s, "SELECT coalesce(max(seq), 0) + 1 FROM slots WHERE stratum = ?", err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, stratum, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *slot = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (rc != SQLITE_ROW) return rk__sql_error(s, "finding the stratum's next slot", err);
    q = rk__stmt(s,
                 "INSERT INTO slots(stratum, seq, rand_no, block, block_size, arm) VALUES(?, ?, "
                 "?, 0, 0, ?)",
                 err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, stratum, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, *slot);
    sqlite3_bind_text(q, 3, rand_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, y->d->arms[arm].name, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return rk__sql_error(s, "recording the allocation's slot", err);
    q = rk__stmt(
        s, "INSERT INTO dyn_allocs(n, subject_id, stratum, arm, varm) VALUES(?, ?, ?, ?, ?)", err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_int64(q, 1, (int64_t)n);
    sqlite3_bind_text(q, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, stratum, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, y->d->arms[arm].name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, (int64_t)varm);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) return rk__sql_error(s, "recording the dynamic allocation", err);
    return RK_OK;
}

/* ---- the auditor's replay ---- */

static void mismatch(rk_replay_report *rep, int64_t n, const char *subject, const char *what)
{
    if (!rep->mismatches++)
        snprintf(rep->first, sizeof rep->first, "allocation %" PRId64 " (subject %.64s): %s", n,
                 subject, what);
}

rk_status rk_audit_replay(rk_store *s, const char *seed, rk_replay_report *rep, rk_error *err)
{
    memset(rep, 0, sizeof *rep);
    char *text = rk__meta_get(s, "design");
    if (!text)
        return rk_error_set(err, RK_EINVAL,
                            "this trial serves an uploaded list: there is nothing to replay "
                            "(the list itself is reproduced by 'rctkit rand list')");
    rk_rand_design *d = NULL;
    rk_rand_state *st = NULL;
    size_t *levels = NULL;
    sqlite3_stmt *q = NULL;
    unsigned char key[RK_RAND_KEYBYTES], stored[RK_RAND_KEYBYTES];
    rk_status r = rk_rand_design_parse(text, strlen(text), "design", &d, err);
    free(text);
    if (r == RK_OK) {
        char *hex = rk__meta_get(s, "rand_key");
        r = key_from_hex(hex, stored, err);
        free(hex);
    }
    if (r == RK_OK) {
        rk__strlcpy(rep->procedure, rk_rand_proc_name(d->proc), sizeof rep->procedure);
        if (seed) {
            if ((r = rk_rand_seed_key(seed, key, err)) == RK_OK)
                rep->key_matches = !sodium_memcmp(key, stored, sizeof key);
        } else {
            memcpy(key, stored, sizeof key);
            rep->key_matches = 1;
        }
    }
    if (r == RK_OK) r = rk_rand_state_new(d, &st, err);
    if (r == RK_OK && !(levels = calloc(d->nfactors + 1, sizeof *levels)))
        r = rk_error_set(err, RK_ENOMEM, "out of memory");
    /* every allocation of the trial, in dynamic order, with the arm its slot served */
    if (r == RK_OK && sqlite3_prepare_v2(s->db,
                                         "SELECT a.subject_id, a.stratum, s.arm, d.n, d.stratum, "
                                         "d.arm, d.varm FROM allocations a JOIN slots s ON "
                                         "s.stratum = a.stratum AND s.seq = a.seq LEFT JOIN "
                                         "dyn_allocs d ON d.subject_id = a.subject_id ORDER BY "
                                         "d.n IS NULL, d.n",
                                         -1, &q, NULL) != SQLITE_OK)
        r = rk__sql_error(s, "reading the allocations", err);
    int rc = SQLITE_DONE;
    int64_t expect = 1;
    while (r == RK_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *subj = (const char *)sqlite3_column_text(q, 0);
        const char *stratum = (const char *)sqlite3_column_text(q, 1);
        const char *served = (const char *)sqlite3_column_text(q, 2);
        if (sqlite3_column_type(q, 3) == SQLITE_NULL) {
            mismatch(rep, expect, subj, "not in the dynamic history");
            expect++;
            continue;
        }
        int64_t n = sqlite3_column_int64(q, 3);
        const char *dstratum = (const char *)sqlite3_column_text(q, 4);
        const char *darm = (const char *)sqlite3_column_text(q, 5);
        size_t dvarm = (size_t)sqlite3_column_int64(q, 6);
        if (n != expect) {
            char e[64];
            snprintf(e, sizeof e, "numbered %" PRId64 " in the dynamic history (a gap)", n);
            mismatch(rep, expect, subj, e);
            break; /* the history has a gap: what follows cannot be replayed */
        }
        expect++;
        if (strcmp(stratum, dstratum) || strcmp(served, darm)) {
            mismatch(rep, n, subj, "the slot served differs from the dynamic history");
        }
        if ((r = rk__dyn_levels(d, dstratum, levels, err))) break;
        size_t arm, varm;
        if ((r = rk_rand_assign(d, st, key, levels, &arm, &varm, err))) break;
        size_t rec = arm_index(d, darm);
        if (rec != arm || (d->proc == RK_RAND_MINIMIZATION && dvarm != varm)) {
            char what[200];
            snprintf(what, sizeof what, "recorded %.60s, the replay gives %.60s", darm,
                     d->arms[arm].name);
            if (rec == arm)
                snprintf(what, sizeof what, "recorded virtual arm %zu, the replay gives %zu", dvarm,
                         varm);
            mismatch(rep, n, subj, what);
        }
        rep->n++;
    }
    if (r == RK_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        r = rk__sql_error(s, "reading the allocations", err);
    sqlite3_finalize(q);
    q = NULL;
    /* history rows that no allocation uses */
    if (r == RK_OK && sqlite3_prepare_v2(s->db,
                                         "SELECT n, subject_id FROM dyn_allocs WHERE subject_id "
                                         "NOT IN (SELECT subject_id FROM allocations) ORDER BY n",
                                         -1, &q, NULL) != SQLITE_OK)
        r = rk__sql_error(s, "reading the allocation history", err);
    while (r == RK_OK && sqlite3_step(q) == SQLITE_ROW)
        mismatch(rep, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
                 "in the dynamic history but not allocated");
    sqlite3_finalize(q);
    free(levels);
    rk_rand_state_free(st);
    rk_rand_design_free(d);
    sodium_memzero(key, sizeof key);
    sodium_memzero(stored, sizeof stored);
    return r;
}
