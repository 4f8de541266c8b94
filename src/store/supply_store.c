/* Supply tracking in the trial store: the kit list with its (unblinded) arm link, batch
 * release data and every kit transition as a row of kit_events written together with its
 * audit record in the same hash chain; the tracking state rebuilt from those rows; and the
 * cross-check of rk_audit_verify.
 *
 * Audit record of a transition: who = the user, action = "kit_" + the library's action
 * ("kit_scan", "kit_release", "kit_allocate", "kit_auto-quarantine", "kit_expire"), why = the
 * reason, what = "kit=CODE seq=N from=S to=S site=.. subject=.. shipment=.. where=.. role=..
 * when=..[ infusion=JSON]" (blinded: no arm, no batch).  A kit list load is one record
 * "kit_load" whose what carries the BLAKE2b-256 of the kits loaded, arm link included, so that
 * a changed link is detected without showing it. */
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store/supply_store.h"

const char rk__supply_schema[] =
    "CREATE TABLE IF NOT EXISTS kits(code TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE,\n"
    "  lot TEXT NOT NULL, expiry TEXT NOT NULL, arm TEXT NOT NULL, batch TEXT NOT NULL,\n"
    "  audit_seq INTEGER NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS kit_batches(id INTEGER PRIMARY KEY, batch TEXT NOT NULL,\n"
    "  data TEXT NOT NULL, audit_seq INTEGER NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS kit_events(seq INTEGER PRIMARY KEY, kit TEXT NOT NULL\n"
    "  REFERENCES kits, action TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,\n"
    "  who TEXT NOT NULL, role TEXT NOT NULL, place TEXT NOT NULL, why TEXT NOT NULL, at TEXT\n"
    "  NOT NULL, site TEXT NOT NULL, subject TEXT NOT NULL, shipment TEXT NOT NULL, infusion\n"
    "  TEXT, audit_seq INTEGER NOT NULL UNIQUE);\n"
    "CREATE TRIGGER IF NOT EXISTS kits_no_update BEFORE UPDATE ON kits BEGIN\n"
    "  SELECT RAISE(ABORT, 'the kit list is never changed'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS kits_no_delete BEFORE DELETE ON kits BEGIN\n"
    "  SELECT RAISE(ABORT, 'the kit list is never changed'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS kit_batches_no_update BEFORE UPDATE ON kit_batches BEGIN\n"
    "  SELECT RAISE(ABORT, 'batch release data are append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS kit_batches_no_delete BEFORE DELETE ON kit_batches BEGIN\n"
    "  SELECT RAISE(ABORT, 'batch release data are append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS kit_events_no_update BEFORE UPDATE ON kit_events BEGIN\n"
    "  SELECT RAISE(ABORT, 'kit transitions are append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS kit_events_no_delete BEFORE DELETE ON kit_events BEGIN\n"
    "  SELECT RAISE(ABORT, 'kit transitions are append-only'); END;\n"
    "CREATE TABLE IF NOT EXISTS supply_settings(id INTEGER PRIMARY KEY, data TEXT NOT NULL,\n"
    "  audit_seq INTEGER NOT NULL UNIQUE);\n"
    "CREATE TABLE IF NOT EXISTS subject_visits(id INTEGER PRIMARY KEY, subject TEXT NOT NULL,\n"
    "  visit TEXT NOT NULL, kind TEXT NOT NULL, day INTEGER NOT NULL, done TEXT NOT NULL,\n"
    "  kit TEXT NOT NULL, who TEXT NOT NULL, audit_seq INTEGER NOT NULL UNIQUE,\n"
    "  UNIQUE(subject, visit));\n"
    "CREATE TRIGGER IF NOT EXISTS supply_settings_no_update BEFORE UPDATE ON supply_settings\n"
    "  BEGIN SELECT RAISE(ABORT, 'supply settings are append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS supply_settings_no_delete BEFORE DELETE ON supply_settings\n"
    "  BEGIN SELECT RAISE(ABORT, 'supply settings are append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS subject_visits_no_update BEFORE UPDATE ON subject_visits\n"
    "  BEGIN SELECT RAISE(ABORT, 'visit records are append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS subject_visits_no_delete BEFORE DELETE ON subject_visits\n"
    "  BEGIN SELECT RAISE(ABORT, 'visit records are append-only'); END;\n";

static const char *col(sqlite3_stmt *q, int i)
{
    const char *t = (const char *)sqlite3_column_text(q, i);
    return t ? t : "";
}

int rk__supply_arm_index(const rk__trial *t, const char *arm)
{
    for (size_t a = 0; a < t->n_arms; a++)
        if (!strcmp(t->arms[a], arm)) return (int)a;
    return -1;
}

/* ---------------------------------------------------------------- records */

static json_t *num_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static char *infusion_json(const rk_infusion *in)
{
    char a[24], b[24];
    rk_time_format(in->start, a, sizeof a);
    rk_time_format(in->end, b, sizeof b);
    json_t *o =
        json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "start", a, "end", b, "temp_c",
                  num_or_null(in->temp_c), "pulse", num_or_null(in->pulse), "resp_rate",
                  num_or_null(in->resp_rate), "sbp", num_or_null(in->sbp), "dbp",
                  num_or_null(in->dbp), "spo2", num_or_null(in->spo2), "reactions", in->reactions);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(o);
    return s;
}

static double get_num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int infusion_parse(const char *text, rk_infusion *in)
{
    rk_infusion_init(in);
    json_t *o = json_loads(text, 0, NULL);
    if (!o) return 0;
    const char *a = json_string_value(json_object_get(o, "start"));
    const char *b = json_string_value(json_object_get(o, "end"));
    int ok = a && b && rk_time_parse(a, &in->start, NULL) == RK_OK &&
             rk_time_parse(b, &in->end, NULL) == RK_OK;
    in->temp_c = get_num(o, "temp_c");
    in->pulse = get_num(o, "pulse");
    in->resp_rate = get_num(o, "resp_rate");
    in->sbp = get_num(o, "sbp");
    in->dbp = get_num(o, "dbp");
    in->spo2 = get_num(o, "spo2");
    const char *r = json_string_value(json_object_get(o, "reactions"));
    snprintf(in->reactions, sizeof in->reactions, "%s", r ? r : "none");
    json_decref(o);
    return ok;
}

/* The audit `what` of a transition (as written, and as recomputed by the verification). */
static void event_what(rk_buf *b, const char *kit, int64_t seq, const char *from, const char *to,
                       const char *site, const char *subject, const char *shipment,
                       const char *place, const char *role, const char *when, const char *infusion)
{
    rk_buf_reset(b);
    rk_buf_appendf(b, NULL,
                   "kit=%s seq=%" PRId64
                   " from=%s to=%s site=%s subject=%s shipment=%s where=%s role=%s when=%s",
                   kit, seq, from, to, site, subject, shipment, place, role, when);
    if (infusion) rk_buf_appendf(b, NULL, " infusion=%s", infusion);
}

/* The sink: one audit record and one kit_events row, atomically (a savepoint: inside the
 * caller's transaction when there is one, else its own). */
static rk_status sink_record(void *ctx, const rk_supply_record *r, rk_error *err)
{
    rk_store *s = ctx;
    char when[32], action[48];
    rk_time_format(r->when, when, sizeof when);
    snprintf(action, sizeof action, "kit_%s", r->action);
    char *inf = r->infusion ? infusion_json(r->infusion) : NULL;
    if (r->infusion && !inf) return rk_error_set(err, RK_ENOMEM, "out of memory");
    const char *from = rk_kit_state_name(r->from), *to = rk_kit_state_name(r->to);
    const char *role = rk_role_name(r->role);
    rk_buf what;
    rk_buf_init(&what, 0);
    event_what(&what, r->kit, (int64_t)r->seq, from, to, r->site, r->subject, r->shipment, r->where,
               role, when, inf);
    rk_status st = what.data ? RK_OK : rk_error_set(err, RK_ENOMEM, "out of memory");
    int64_t aseq = 0;
    if (!st) st = rk__exec(s, "SAVEPOINT kit_event", err);
    if (!st) {
        st = rk__audit_append(s, r->who, action, what.data, r->why, &aseq, err);
        sqlite3_stmt *q =
            st ? NULL
               : rk__stmt(s,
                          "INSERT INTO kit_events(seq, kit, action, from_state, to_state, who, "
                          "role, place, why, at, site, subject, shipment, infusion, audit_seq) "
                          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                          err);
        if (!st && !q) st = err ? err->code : RK_EINTERNAL;
        if (q) {
            sqlite3_bind_int64(q, 1, (int64_t)r->seq);
            sqlite3_bind_text(q, 2, r->kit, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, r->action, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, from, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 5, to, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 6, r->who, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 7, role, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 8, r->where, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 9, r->why, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 10, when, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 11, r->site, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 12, r->subject, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 13, r->shipment, -1, SQLITE_STATIC);
            if (inf)
                sqlite3_bind_text(q, 14, inf, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(q, 14);
            sqlite3_bind_int64(q, 15, aseq);
            int rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc != SQLITE_DONE) st = rk__sql_error(s, "recording a kit transition", err);
        }
        if (st) {
            sqlite3_exec(s->db, "ROLLBACK TO kit_event", NULL, NULL, NULL);
            sqlite3_exec(s->db, "RELEASE kit_event", NULL, NULL, NULL);
        } else {
            st = rk__exec(s, "RELEASE kit_event", err);
        }
    }
    rk_buf_free(&what);
    free(inf);
    return st;
}

/* ------------------------------------------------------------- loading */

static void release_to_json(const rk_batch_release *b, char **out)
{
    json_t *o = json_pack(
        "{s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:i}", "batch", b->batch, "placebo",
        b->placebo, "viability_trypan", num_or_null(b->viability_trypan), "viability_7aad",
        num_or_null(b->viability_7aad), "cd73", num_or_null(b->cd73), "cd90", num_or_null(b->cd90),
        "cd105", num_or_null(b->cd105), "cd34", num_or_null(b->cd34), "cd45", num_or_null(b->cd45),
        "cd11b", num_or_null(b->cd11b), "cd19", num_or_null(b->cd19), "hla_dr",
        num_or_null(b->hla_dr), "sterile", b->sterile);
    *out = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(o);
}

static int release_from_json(const char *text, rk_batch_release *b)
{
    memset(b, 0, sizeof *b);
    json_t *o = json_loads(text, 0, NULL);
    if (!o) return 0;
    const char *id = json_string_value(json_object_get(o, "batch"));
    snprintf(b->batch, sizeof b->batch, "%s", id ? id : "");
    b->placebo = json_is_true(json_object_get(o, "placebo"));
    b->viability_trypan = get_num(o, "viability_trypan");
    b->viability_7aad = get_num(o, "viability_7aad");
    b->cd73 = get_num(o, "cd73");
    b->cd90 = get_num(o, "cd90");
    b->cd105 = get_num(o, "cd105");
    b->cd34 = get_num(o, "cd34");
    b->cd45 = get_num(o, "cd45");
    b->cd11b = get_num(o, "cd11b");
    b->cd19 = get_num(o, "cd19");
    b->hla_dr = get_num(o, "hla_dr");
    b->sterile = (int)json_integer_value(json_object_get(o, "sterile"));
    json_decref(o);
    return 1;
}

static void hash_kit_row(crypto_generichash_state *h, const char *code, int64_t number,
                         const char *lot, const char *expiry, const char *arm, const char *batch)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s,%" PRId64 ",%s,%s,%s,%s\n", code, number, lot, expiry,
                     arm, batch);
    crypto_generichash_update(h, (const unsigned char *)line,
                              (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
}

static void hex32(const unsigned char *b, char out[65])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[64] = '\0';
}

static rk_status count(rk_store *s, const char *sql, int64_t *n, rk_error *err)
{
    sqlite3_stmt *q = rk__stmt(s, sql, err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    int rc = sqlite3_step(q);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? RK_OK : rk__sql_error(s, "reading the kit tables", err);
}

static rk_status load_tx(rk_store *s, const rk__trial *t, const rk_kitlist *l,
                         const rk_batch_release *b, size_t nb, const char *who, rk_error *err)
{
    rk_status st = rk__exec(s, rk__supply_schema, err);
    if (st) return st;
    if (l) {
        int64_t have;
        if ((st = count(s, "SELECT count(*) FROM kits", &have, err))) return st;
        if (have)
            return rk_error_set(err, RK_ESTATE,
                                "this trial already has its kit list (%" PRId64
                                " kits): a kit list is loaded once",
                                have);
        if (!l->n) return rk_error_set(err, RK_EINVAL, "the kit list is empty");
        for (size_t a = 0; a < l->n_arms; a++)
            if (rk__supply_arm_index(t, l->arm[a]) < 0)
                return rk_error_set(err, RK_EINVAL,
                                    "the kit list's arm '%s' is not an arm of the trial (give the "
                                    "kit list written for this trial's arms)",
                                    l->arm[a]);
        crypto_generichash_state h;
        crypto_generichash_init(&h, NULL, 0, 32);
        for (size_t i = 0; i < l->n; i++) {
            const rk_kit *k = &l->kit[i];
            if (k->arm < 0)
                return rk_error_set(err, RK_EINVAL,
                                    "kit %s has no arm: load the kit list together with its "
                                    "unblinded arm link (kits-unblinded.csv)",
                                    k->code);
            char exp[16];
            rk_date_format(k->expiry, exp, sizeof exp);
            hash_kit_row(&h, k->code, k->number, k->lot, exp, l->arm[k->arm], k->batch);
        }
        unsigned char d[32];
        char hex[65], what[200];
        crypto_generichash_final(&h, d, 32);
        hex32(d, hex);
        snprintf(what, sizeof what, "kits=%zu first=%" PRIu32 " last=%" PRIu32 " fingerprint=%s",
                 l->n, l->kit[0].number, l->kit[l->n - 1].number, hex);
        int64_t aseq;
        if ((st = rk__audit_append(s, who, "kit_load", what, "", &aseq, err))) return st;
        sqlite3_stmt *q = rk__stmt(s,
                                   "INSERT INTO kits(code, number, lot, expiry, arm, batch, "
                                   "audit_seq) VALUES(?,?,?,?,?,?,?)",
                                   err);
        if (!q) return err ? err->code : RK_EINTERNAL;
        for (size_t i = 0; i < l->n; i++) {
            const rk_kit *k = &l->kit[i];
            char exp[16];
            rk_date_format(k->expiry, exp, sizeof exp);
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, k->code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 2, k->number);
            sqlite3_bind_text(q, 3, k->lot, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 4, exp, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 5, l->arm[k->arm], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 6, k->batch, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 7, aseq);
            if (sqlite3_step(q) != SQLITE_DONE) {
                sqlite3_reset(q);
                return rk__sql_error(s, "storing the kit list", err);
            }
        }
        sqlite3_reset(q);
    }
    if (!nb) return RK_OK;
    /* release data: one audit record for the lot, with counts and a fingerprint of the data
     * (batch names are arm-specific, so they stay out of the blinded trail) */
    char **data = calloc(nb, sizeof *data);
    if (!data) return rk_error_set(err, RK_ENOMEM, "out of memory");
    size_t released = 0;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    for (size_t i = 0; i < nb && !st; i++) {
        release_to_json(&b[i], &data[i]);
        if (!data[i]) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            break;
        }
        crypto_generichash_update(&h, (const unsigned char *)data[i], strlen(data[i]) + 1);
        released += rk_batch_check(&b[i], NULL, NULL) == RK_OK;
    }
    unsigned char d[32];
    char hex[65], what[200];
    crypto_generichash_final(&h, d, 32);
    hex32(d, hex);
    snprintf(what, sizeof what, "batches=%zu released=%zu fingerprint=%s", nb, released, hex);
    int64_t aseq = 0;
    if (!st) st = rk__audit_append(s, who, "kit_batches", what, "", &aseq, err);
    sqlite3_stmt *q =
        st ? NULL
           : rk__stmt(s, "INSERT INTO kit_batches(batch, data, audit_seq) VALUES(?,?,?)", err);
    if (!st && !q) st = err ? err->code : RK_EINTERNAL;
    for (size_t i = 0; i < nb && q && !st; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, b[i].batch, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, data[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, aseq);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = rk__sql_error(s, "storing batch release data", err);
    }
    if (q) sqlite3_reset(q);
    for (size_t i = 0; i < nb; i++)
        free(data[i]);
    free(data);
    return st;
}

rk_status rk_supply_store_load(rk_store *s, const rk_kitlist *list, const rk_batch_release *b,
                               size_t nb, const char *who, rk_error *err)
{
    if (!who || !*who) return rk_error_set(err, RK_EINVAL, "who loads the kit list? give a name");
    rk__trial *t = NULL;
    rk_status st = rk__trial_load(s, &t, err);
    if (st) return st;
    if ((st = rk__begin(s, err)) == RK_OK) {
        st = load_tx(s, t, list, b, nb, who, err);
        if (st)
            rk__rollback(s);
        else
            st = rk__commit(s, err);
    }
    rk__trial_free(t);
    return st;
}

/* ------------------------------------------------------------- rebuilding */

/* A tracking state from the store: kit list, batches, randomized subjects, then every event
 * replayed.  *out NULL when no kit list is loaded. */
static rk_status rebuild(rk_store *s, const rk__trial *t, rk_supply **out, int64_t *n_batches,
                         rk_error *err)
{
    *out = NULL;
    int64_t n;
    rk_status st = count(
        s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kits'", &n, err);
    if (!st && n) st = count(s, "SELECT count(*) FROM kits", &n, err);
    if (st || !n) return st; /* no kit tables yet, or no kits: supply is not tracked */
    if (t->n_arms > RK_SUPPLY_MAX_ARMS)
        return rk_error_set(err, RK_EINVAL, "supply tracking handles at most %d arms",
                            RK_SUPPLY_MAX_ARMS);
    rk_kitlist *l = calloc(1, sizeof *l);
    if (l) l->kit = calloc((size_t)n, sizeof *l->kit);
    if (!l || !l->kit) {
        rk_kitlist_free(l);
        return rk_error_set(err, RK_ENOMEM, "out of memory for %" PRId64 " kits", n);
    }
    l->n_arms = t->n_arms;
    for (size_t a = 0; a < t->n_arms; a++)
        snprintf(l->arm[a], RK_SUPPLY_ID, "%s", t->arms[a]);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT code, number, lot, expiry, arm, batch FROM kits ORDER BY number",
                           -1, &q, NULL) != SQLITE_OK) {
        rk_kitlist_free(l);
        return rk__sql_error(s, "reading the kit list", err);
    }
    while (!st && l->n < (size_t)n && sqlite3_step(q) == SQLITE_ROW) {
        rk_kit *k = &l->kit[l->n];
        snprintf(k->code, sizeof k->code, "%s", col(q, 0));
        k->number = (uint32_t)sqlite3_column_int64(q, 1);
        snprintf(k->lot, sizeof k->lot, "%s", col(q, 2));
        st = rk_date_parse(col(q, 3), &k->expiry, err);
        k->arm = rk__supply_arm_index(t, col(q, 4));
        snprintf(k->batch, sizeof k->batch, "%s", col(q, 5));
        k->state = RK_KIT_PREPARED;
        l->n++;
    }
    sqlite3_finalize(q);
    rk_supply *sup = NULL;
    rk_supply_sink sink = {s, sink_record};
    if (!st) st = rk_supply_new(l, &sink, &sup, err);
    rk_supply_set_random_allocation(sup, 1); /* blinded users see kit numbers: docs/supply.md */
    rk_kitlist_free(l);
    /* batches: the latest data of each */
    if (!st && sqlite3_prepare_v2(s->db,
                                  "SELECT data FROM kit_batches k WHERE id = (SELECT max(id) FROM "
                                  "kit_batches WHERE batch = k.batch) ORDER BY id",
                                  -1, &q, NULL) == SQLITE_OK) {
        rk_batch_release *bs = NULL;
        size_t nb = 0, cap = 0;
        while (!st && sqlite3_step(q) == SQLITE_ROW) {
            if (nb == cap) {
                cap = cap ? 2 * cap : 8;
                rk_batch_release *x = realloc(bs, cap * sizeof *x);
                if (!x) {
                    st = rk_error_set(err, RK_ENOMEM, "out of memory");
                    break;
                }
                bs = x;
            }
            if (release_from_json(col(q, 0), &bs[nb])) nb++;
        }
        sqlite3_finalize(q);
        if (!st) st = rk_supply_set_batches(sup, bs, nb, NULL, err);
        free(bs);
        if (n_batches) {
            int64_t all = 0;
            if (!st) st = count(s, "SELECT count(*) FROM kit_batches", &all, err);
            *n_batches = all;
        }
    } else if (!st) {
        st = rk__sql_error(s, "reading batch release data", err);
    }
    /* randomized subjects with their arm and site */
    if (!st && sqlite3_prepare_v2(s->db,
                                  "SELECT a.subject_id, s.arm, x.site FROM allocations a JOIN "
                                  "slots s ON s.stratum = a.stratum AND s.seq = a.seq JOIN "
                                  "subjects x ON x.subject_id = a.subject_id ORDER BY a.audit_seq",
                                  -1, &q, NULL) == SQLITE_OK) {
        while (!st && sqlite3_step(q) == SQLITE_ROW) {
            int arm = rk__supply_arm_index(t, col(q, 1));
            if (arm >= 0) st = rk_supply_set_subject(sup, col(q, 0), arm, col(q, 2), err);
        }
        sqlite3_finalize(q);
    } else if (!st) {
        st = rk__sql_error(s, "reading allocations", err);
    }
    /* the events */
    if (!st && sqlite3_prepare_v2(s->db,
                                  "SELECT seq, kit, action, from_state, to_state, who, role, "
                                  "place, why, at, site, subject, shipment, infusion FROM "
                                  "kit_events ORDER BY seq",
                                  -1, &q, NULL) == SQLITE_OK) {
        while (!st && sqlite3_step(q) == SQLITE_ROW) {
            rk_supply_record r = {0};
            rk_infusion inf;
            r.seq = (uint64_t)sqlite3_column_int64(q, 0);
            r.kit = col(q, 1);
            r.action = col(q, 2);
            st = rk_kit_state_parse(col(q, 3), &r.from, err);
            if (!st) st = rk_kit_state_parse(col(q, 4), &r.to, err);
            r.who = col(q, 5);
            if (!st) st = rk_role_parse(col(q, 6), &r.role, err);
            r.where = col(q, 7);
            r.why = col(q, 8);
            if (!st) st = rk_time_parse(col(q, 9), &r.when, err);
            r.site = col(q, 10);
            r.subject = col(q, 11);
            r.shipment = col(q, 12);
            if (sqlite3_column_type(q, 13) != SQLITE_NULL) {
                infusion_parse(col(q, 13), &inf);
                r.infusion = &inf;
            }
            if (!st && r.seq != rk_supply_seq(sup) + 1)
                st =
                    rk_error_set(err, RK_EINVAL,
                                 "kit transition %" PRIu64 " is missing: run 'rctkit audit verify'",
                                 rk_supply_seq(sup) + 1);
            if (!st) st = rk_supply_replay(sup, &r, err);
        }
        sqlite3_finalize(q);
    } else if (!st) {
        st = rk__sql_error(s, "reading kit transitions", err);
    }
    if (st) {
        rk_supply_free(sup);
        return st;
    }
    *out = sup;
    return RK_OK;
}

rk_status rk_supply_store_open(rk_store *s, rk_supply **out, rk_error *err)
{
    *out = NULL;
    rk__trial *t = NULL;
    rk_status st = rk__trial_load(s, &t, err);
    if (!st) st = rebuild(s, t, out, NULL, err);
    if (!st && !*out)
        st = rk_error_set(err, RK_ESTATE,
                          "this trial has no kit list: load one with 'rctkit supply load'");
    rk__trial_free(t);
    return st;
}

struct rk__supply_cache {
    rk_supply *sup;
    int64_t n_kits, n_batches;
};

void rk__supply_invalidate(rk__supply_cache *c)
{
    if (!c) return;
    rk_supply_free(c->sup);
    c->sup = NULL;
}

void rk__supply_cache_free(rk__supply_cache *c)
{
    rk__supply_invalidate(c);
    free(c);
}

rk_status rk__supply_get(rk_store *s, const rk__trial *t, rk__supply_cache **cache, rk_supply **out,
                         rk_error *err)
{
    *out = NULL;
    if (!*cache && !(*cache = calloc(1, sizeof **cache)))
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    rk__supply_cache *c = *cache;
    if (c->sup) { /* still the store's state? */
        int64_t ev = -1, nb = -1;
        rk_status st = count(s, "SELECT coalesce(max(seq), 0) FROM kit_events", &ev, err);
        if (!st) st = count(s, "SELECT count(*) FROM kit_batches", &nb, err);
        if (st) return st;
        if ((uint64_t)ev == rk_supply_seq(c->sup) && nb == c->n_batches) {
            *out = c->sup;
            return RK_OK;
        }
        rk__supply_invalidate(c);
    }
    rk_status st = rebuild(s, t, &c->sup, &c->n_batches, err);
    if (st) return st;
    *out = c->sup;
    return RK_OK;
}

/* -------------------------------------------------------------- verification */

static rk_status check_settings_visits(rk_store *s, int64_t n_records, rk_audit_report *rep,
                                       rk_error *err);

static void bad(rk_audit_report *rep, int64_t seq, const char *msg)
{
    rep->ok = 0;
    rep->first_bad = seq;
    snprintf(rep->problem, sizeof rep->problem, "%s", msg);
}

rk_status rk__supply_audit_check(rk_store *s, int64_t n_records, rk_audit_report *rep,
                                 rk_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE name = 'kit_events'", -1, &q,
                           NULL) != SQLITE_OK)
        return rk__sql_error(s, "verifying the audit trail", err);
    int have = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (!have) return RK_OK; /* no supply tracking in this trial */
    char msg[RK_ERROR_MSG_MAX];
    rk_buf what;
    rk_buf_init(&what, 0);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT e.seq, e.kit, e.action, e.from_state, e.to_state, e.who, "
                           "e.role, e.place, e.why, e.at, e.site, e.subject, e.shipment, "
                           "e.infusion, e.audit_seq, a.who, a.action, a.what, a.why FROM "
                           "kit_events e LEFT JOIN audit a ON a.seq = e.audit_seq ORDER BY e.seq",
                           -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "verifying the audit trail", err);
    int64_t expect = 1;
    while (rep->ok && sqlite3_step(q) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(q, 0), aseq = sqlite3_column_int64(q, 14);
        const char *kit = col(q, 1);
        if (seq != expect) {
            snprintf(msg, sizeof msg,
                     "kit transition %" PRId64 " is missing (the kit_events table was edited)",
                     expect);
            bad(rep, aseq, msg);
            break;
        }
        expect++;
        if (sqlite3_column_type(q, 17) == SQLITE_NULL || aseq > n_records) {
            snprintf(msg, sizeof msg,
                     "kit %s transition %" PRId64 " has no audit record (record %" PRId64
                     " is missing: the trail was truncated or records deleted)",
                     kit, seq, aseq);
            bad(rep, aseq, msg);
            break;
        }
        char action[48];
        snprintf(action, sizeof action, "kit_%s", col(q, 2));
        event_what(&what, kit, seq, col(q, 3), col(q, 4), col(q, 10), col(q, 11), col(q, 12),
                   col(q, 7), col(q, 6), col(q, 9),
                   sqlite3_column_type(q, 13) == SQLITE_NULL ? NULL : col(q, 13));
        if (!what.data || strcmp(what.data, col(q, 17)) || strcmp(action, col(q, 16)) ||
            strcmp(col(q, 5), col(q, 15)) || strcmp(col(q, 8), col(q, 18))) {
            snprintf(msg, sizeof msg,
                     "kit %s transition %" PRId64 " differs from its audit record %" PRId64
                     " (the kit_events table was edited)",
                     kit, seq, aseq);
            bad(rep, aseq, msg);
        }
    }
    sqlite3_finalize(q);
    rk_buf_free(&what);
    if (!rep->ok) return RK_OK;
    /* every kit list load: the fingerprint of its kits */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT k.audit_seq, a.what, k.code, k.number, k.lot, k.expiry, "
                           "k.arm, k.batch FROM kits k LEFT JOIN audit a ON a.seq = k.audit_seq "
                           "AND a.action = 'kit_load' ORDER BY k.audit_seq, k.number",
                           -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "verifying the audit trail", err);
    int64_t cur = -1;
    char want[80] = "";
    crypto_generichash_state h;
    int rc;
    for (;;) {
        rc = sqlite3_step(q);
        int64_t aseq = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -2;
        if (aseq != cur && cur != -1) { /* close the previous load */
            unsigned char d[32];
            char hex[65];
            crypto_generichash_final(&h, d, 32);
            hex32(d, hex);
            if (strcmp(hex, want) != 0) {
                snprintf(msg, sizeof msg,
                         "the kit list loaded by audit record %" PRId64
                         " was changed (its fingerprint does not match)",
                         cur);
                bad(rep, cur, msg);
                break;
            }
        }
        if (rc != SQLITE_ROW) break;
        if (aseq != cur) {
            cur = aseq;
            const char *w = sqlite3_column_type(q, 1) == SQLITE_NULL ? NULL : col(q, 1);
            const char *f = w ? strstr(w, "fingerprint=") : NULL;
            if (!f) {
                snprintf(msg, sizeof msg,
                         "kit %s has no kit_load audit record (record %" PRId64 ")", col(q, 2),
                         aseq);
                bad(rep, aseq, msg);
                break;
            }
            snprintf(want, sizeof want, "%.64s", f + 12);
            crypto_generichash_init(&h, NULL, 0, 32);
        }
        hash_kit_row(&h, col(q, 2), sqlite3_column_int64(q, 3), col(q, 4), col(q, 5), col(q, 6),
                     col(q, 7));
    }
    sqlite3_finalize(q);
    if (!rep->ok) return RK_OK;
    /* every release data load: the fingerprint of its rows */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT k.audit_seq, a.what, k.data FROM kit_batches k LEFT JOIN audit "
                           "a ON a.seq = k.audit_seq AND a.action = 'kit_batches' ORDER BY "
                           "k.audit_seq, k.id",
                           -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "verifying the audit trail", err);
    cur = -1;
    for (;;) {
        rc = sqlite3_step(q);
        int64_t aseq = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -2;
        if (aseq != cur && cur != -1) {
            unsigned char d[32];
            char hex[65];
            crypto_generichash_final(&h, d, 32);
            hex32(d, hex);
            if (strcmp(hex, want) != 0) {
                snprintf(msg, sizeof msg,
                         "the batch release data loaded by audit record %" PRId64
                         " were changed (their fingerprint does not match)",
                         cur);
                bad(rep, cur, msg);
                break;
            }
        }
        if (rc != SQLITE_ROW) break;
        if (aseq != cur) {
            cur = aseq;
            const char *w = sqlite3_column_type(q, 1) == SQLITE_NULL ? NULL : col(q, 1);
            const char *f = w ? strstr(w, "fingerprint=") : NULL;
            if (!f) {
                snprintf(msg, sizeof msg,
                         "batch release data have no kit_batches audit record (record %" PRId64 ")",
                         aseq);
                bad(rep, aseq, msg);
                break;
            }
            snprintf(want, sizeof want, "%.64s", f + 12);
            crypto_generichash_init(&h, NULL, 0, 32);
        }
        const char *data = col(q, 2);
        crypto_generichash_update(&h, (const unsigned char *)data, strlen(data) + 1);
    }
    sqlite3_finalize(q);
    if (!rep->ok) return RK_OK;
    return check_settings_visits(s, n_records, rep, err);
}

/* ------------------------------------------------------------- settings */

static const char *kind_name(rk_visit_kind k)
{
    return k == RK_VISIT_INFUSION ? "infusion" : k == RK_VISIT_CT ? "ct" : "followup";
}

static int kind_parse(const char *s, rk_visit_kind *k)
{
    if (!strcmp(s, "infusion"))
        *k = RK_VISIT_INFUSION;
    else if (!strcmp(s, "ct"))
        *k = RK_VISIT_CT;
    else if (!strcmp(s, "followup"))
        *k = RK_VISIT_FOLLOWUP;
    else
        return 0;
    return 1;
}

void rk_supply_settings_init(rk_supply_settings *set)
{
    memset(set, 0, sizeof *set);
    rk_schedule_default(&set->schedule);
    set->resupply_trigger = 2;
    set->resupply_buffer = 4;
    set->min_shelf_days = 14;
}

static char *settings_json(const rk_supply_settings *set)
{
    json_t *v = json_array();
    for (size_t i = 0; i < set->schedule.n; i++) {
        const rk_visit_def *d = &set->schedule.visit[i];
        json_array_append_new(v, json_pack("{s:s,s:s,s:i,s:i,s:i}", "visit", d->name, "kind",
                                           kind_name(d->kind), "day", d->day, "before", d->before,
                                           "after", d->after));
    }
    json_t *o = json_pack(
        "{s:{s:I,s:I,s:i},s:o}", "resupply", "trigger", (json_int_t)set->resupply_trigger, "buffer",
        (json_int_t)set->resupply_buffer, "min_shelf_days", set->min_shelf_days, "schedule", v);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return s;
}

static int settings_parse(const char *text, rk_supply_settings *set)
{
    rk_supply_settings_init(set);
    json_t *o = json_loads(text, 0, NULL);
    json_t *r = json_object_get(o, "resupply"), *v = json_object_get(o, "schedule");
    int ok = json_is_object(r) && json_is_array(v) && json_array_size(v) >= 1 &&
             json_array_size(v) <= sizeof set->schedule.visit / sizeof set->schedule.visit[0];
    if (ok) {
        set->resupply_trigger = (size_t)json_integer_value(json_object_get(r, "trigger"));
        set->resupply_buffer = (size_t)json_integer_value(json_object_get(r, "buffer"));
        set->min_shelf_days = (int)json_integer_value(json_object_get(r, "min_shelf_days"));
        set->schedule.n = 0;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            rk_visit_def *d = &set->schedule.visit[set->schedule.n++];
            const char *name = json_string_value(json_object_get(e, "visit"));
            const char *kind = json_string_value(json_object_get(e, "kind"));
            if (!name || !kind || !kind_parse(kind, &d->kind)) ok = 0;
            snprintf(d->name, sizeof d->name, "%s", name ? name : "");
            d->day = (int)json_integer_value(json_object_get(e, "day"));
            d->before = (int)json_integer_value(json_object_get(e, "before"));
            d->after = (int)json_integer_value(json_object_get(e, "after"));
        }
    }
    json_decref(o);
    if (!ok) rk_supply_settings_init(set);
    return ok;
}

static int table_exists(rk_store *s, const char *name)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int have = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return have;
}

rk_status rk_supply_store_settings(rk_store *s, rk_supply_settings *out, rk_error *err)
{
    rk_supply_settings_init(out);
    if (!table_exists(s, "supply_settings")) return RK_OK;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT data FROM supply_settings ORDER BY id DESC LIMIT 1", -1,
                           &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "reading the supply settings", err);
    rk_status st = RK_OK;
    if (sqlite3_step(q) == SQLITE_ROW && !settings_parse(col(q, 0), out))
        st = rk_error_set(err, RK_EINVAL,
                          "the stored supply settings are damaged: run 'rctkit audit verify'");
    sqlite3_finalize(q);
    return st;
}

static rk_status settings_check(const rk_supply_settings *set, rk_error *err)
{
    const rk_schedule *sc = &set->schedule;
    if (sc->n < 1 || sc->n > sizeof sc->visit / sizeof sc->visit[0])
        return rk_error_set(err, RK_EINVAL, "a schedule has 1 to %zu visits, not %zu",
                            sizeof sc->visit / sizeof sc->visit[0], sc->n);
    for (size_t i = 0; i < sc->n; i++) {
        const rk_visit_def *d = &sc->visit[i];
        if (!rk__good_id(d->name))
            return rk_error_set(err, RK_EINVAL,
                                "schedule visit %zu: the name '%s' must be 1-31 characters of "
                                "letters, digits, '_', '.', '@', '-'",
                                i + 1, d->name);
        if (d->before < 0 || d->after < 0 || d->day < -365 || d->day > 3650)
            return rk_error_set(err, RK_EINVAL,
                                "schedule visit %s: day -365..3650 and windows >= 0 days", d->name);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sc->visit[j].name, d->name))
                return rk_error_set(err, RK_EINVAL,
                                    "schedule visit '%s' is listed twice: give each visit its own "
                                    "name",
                                    d->name);
    }
    if (set->resupply_trigger < 1 || set->resupply_trigger > 100000)
        return rk_error_set(err, RK_EINVAL, "resupply trigger %zu: give 1 to 100000 kits",
                            set->resupply_trigger);
    if (set->resupply_buffer < set->resupply_trigger || set->resupply_buffer > 100000)
        return rk_error_set(err, RK_EINVAL,
                            "resupply buffer %zu is below the trigger %zu: the buffer is the "
                            "level a shipment restores, at least the trigger",
                            set->resupply_buffer, set->resupply_trigger);
    if (set->min_shelf_days < 0 || set->min_shelf_days > 3650)
        return rk_error_set(err, RK_EINVAL, "minimum shelf life %d days: give 0 to 3650",
                            set->min_shelf_days);
    return RK_OK;
}

rk_status rk_supply_store_configure(rk_store *s, const rk_supply_settings *set, const char *who,
                                    rk_error *err)
{
    if (!who || !*who) return rk_error_set(err, RK_EINVAL, "who configures supply? give a name");
    rk_status st = settings_check(set, err);
    if (st) return st;
    char *data = settings_json(set);
    if (!data) return rk_error_set(err, RK_ENOMEM, "out of memory");
    rk_buf what;
    rk_buf_init(&what, 0);
    rk_buf_appendf(&what, NULL, "settings=%s", data);
    if (!what.data) st = rk_error_set(err, RK_ENOMEM, "out of memory");
    if (!st && (st = rk__begin(s, err)) == RK_OK) {
        int64_t aseq = 0;
        st = rk__exec(s, rk__supply_schema, err);
        if (!st) st = rk__audit_append(s, who, "supply_settings", what.data, "", &aseq, err);
        sqlite3_stmt *q =
            st ? NULL
               : rk__stmt(s, "INSERT INTO supply_settings(data, audit_seq) VALUES(?,?)", err);
        if (!st && !q) st = err ? err->code : RK_EINTERNAL;
        if (q) {
            sqlite3_bind_text(q, 1, data, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 2, aseq);
            int rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc != SQLITE_DONE) st = rk__sql_error(s, "storing the supply settings", err);
        }
        if (st)
            rk__rollback(s);
        else
            st = rk__commit(s, err);
    }
    rk_buf_free(&what);
    free(data);
    return st;
}

/* --------------------------------------------------------------- visits */

static void visit_what(rk_buf *b, const char *subject, const char *visit, const char *kind,
                       int64_t day, const char *done, const char *kit)
{
    rk_buf_reset(b);
    rk_buf_appendf(b, NULL, "subject=%s visit=%s kind=%s day=%" PRId64 " done=%s kit=%s", subject,
                   visit, kind, day, done, kit);
}

rk_status rk__subject_day0(rk_store *s, const char *subject, rk_date *day0, int *found,
                           rk_error *err)
{
    *found = 0;
    sqlite3_stmt *q = rk__stmt(s, "SELECT at FROM allocations WHERE subject_id = ?", err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, subject, -1, SQLITE_STATIC);
    rk_status st = RK_OK;
    if (sqlite3_step(q) == SQLITE_ROW) {
        char d[16];
        snprintf(d, sizeof d, "%.10s", col(q, 0));
        st = rk_date_parse(d, day0, err);
        *found = st == RK_OK;
    }
    sqlite3_reset(q);
    return st;
}

rk_status rk__visits_done(rk_store *s, const char *subject, const rk_schedule *sch,
                          rk__visit_done *out, rk_error *err)
{
    for (size_t i = 0; i < sch->n; i++) {
        out[i].done = RK_NOT_DONE;
        out[i].kit[0] = '\0';
    }
    if (!table_exists(s, "subject_visits")) return RK_OK;
    sqlite3_stmt *q = rk__stmt(
        s, "SELECT visit, done, kit FROM subject_visits WHERE subject = ? ORDER BY id", err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, subject, -1, SQLITE_STATIC);
    rk_status st = RK_OK;
    while (!st && sqlite3_step(q) == SQLITE_ROW)
        for (size_t i = 0; i < sch->n; i++)
            if (!strcmp(sch->visit[i].name, col(q, 0))) {
                st = rk_date_parse(col(q, 1), &out[i].done, err);
                snprintf(out[i].kit, sizeof out[i].kit, "%s", col(q, 2));
            }
    sqlite3_reset(q);
    return st;
}

rk_status rk__visit_record(rk_store *s, const char *subject, const rk_visit_def *v, rk_date done,
                           const char *kit, const char *who, rk_error *err)
{
    rk_status st = rk__exec(s, rk__supply_schema, err);
    if (st) return st;
    char d[16];
    rk_date_format(done, d, sizeof d);
    rk_buf what;
    rk_buf_init(&what, 0);
    visit_what(&what, subject, v->name, kind_name(v->kind), v->day, d, kit ? kit : "");
    if (!what.data) return rk_error_set(err, RK_ENOMEM, "out of memory");
    int64_t aseq = 0;
    st = rk__audit_append(s, who, "visit_done", what.data, "", &aseq, err);
    rk_buf_free(&what);
    sqlite3_stmt *q = st ? NULL
                         : rk__stmt(s,
                                    "INSERT INTO subject_visits(subject, visit, kind, day, done, "
                                    "kit, who, audit_seq) VALUES(?,?,?,?,?,?,?,?)",
                                    err);
    if (!st && !q) return err ? err->code : RK_EINTERNAL;
    if (q) {
        sqlite3_bind_text(q, 1, subject, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, v->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, kind_name(v->kind), -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 4, v->day);
        sqlite3_bind_text(q, 5, d, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, kit ? kit : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, who, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, aseq);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) st = rk__sql_error(s, "recording a visit", err);
    }
    return st;
}

rk_status rk__infusion_of(rk_store *s, const char *kit, char **json, rk_error *err)
{
    *json = NULL;
    sqlite3_stmt *q = rk__stmt(s,
                               "SELECT infusion FROM kit_events WHERE kit = ? AND to_state = "
                               "'administered' AND infusion IS NOT NULL ORDER BY seq DESC LIMIT 1",
                               err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_text(q, 1, kit, -1, SQLITE_STATIC);
    rk_status st = RK_OK;
    if (sqlite3_step(q) == SQLITE_ROW && !(*json = strdup(col(q, 0))))
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
    sqlite3_reset(q);
    return st;
}

/* The settings and visit rows against their audit records (part of rk__supply_audit_check). */
static rk_status check_settings_visits(rk_store *s, int64_t n_records, rk_audit_report *rep,
                                       rk_error *err)
{
    char msg[RK_ERROR_MSG_MAX];
    sqlite3_stmt *q = NULL;
    if (table_exists(s, "supply_settings")) {
        if (sqlite3_prepare_v2(s->db,
                               "SELECT e.id, e.data, e.audit_seq, a.action, a.what FROM "
                               "supply_settings e LEFT JOIN audit a ON a.seq = e.audit_seq "
                               "ORDER BY e.id",
                               -1, &q, NULL) != SQLITE_OK)
            return rk__sql_error(s, "verifying the audit trail", err);
        while (rep->ok && sqlite3_step(q) == SQLITE_ROW) {
            int64_t aseq = sqlite3_column_int64(q, 2);
            const char *w = col(q, 4);
            if (sqlite3_column_type(q, 4) == SQLITE_NULL || aseq > n_records ||
                strcmp(col(q, 3), "supply_settings") || strncmp(w, "settings=", 9) ||
                strcmp(w + 9, col(q, 1))) {
                snprintf(msg, sizeof msg,
                         "supply settings %" PRId64 " differ from their audit record %" PRId64
                         " (the supply_settings table was edited)",
                         (int64_t)sqlite3_column_int64(q, 0), aseq);
                bad(rep, aseq, msg);
            }
        }
        sqlite3_finalize(q);
    }
    if (!rep->ok || !table_exists(s, "subject_visits")) return RK_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT e.subject, e.visit, e.kind, e.day, e.done, e.kit, e.who, "
                           "e.audit_seq, a.action, a.what, a.who FROM subject_visits e LEFT JOIN "
                           "audit a ON a.seq = e.audit_seq ORDER BY e.id",
                           -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "verifying the audit trail", err);
    rk_buf what;
    rk_buf_init(&what, 0);
    while (rep->ok && sqlite3_step(q) == SQLITE_ROW) {
        int64_t aseq = sqlite3_column_int64(q, 7);
        visit_what(&what, col(q, 0), col(q, 1), col(q, 2), sqlite3_column_int64(q, 3), col(q, 4),
                   col(q, 5));
        if (sqlite3_column_type(q, 9) == SQLITE_NULL || aseq > n_records || !what.data ||
            strcmp(col(q, 8), "visit_done") || strcmp(what.data, col(q, 9)) ||
            strcmp(col(q, 6), col(q, 10))) {
            snprintf(msg, sizeof msg,
                     "subject %.40s visit %.40s differs from its audit record %" PRId64
                     " (the subject_visits table was edited)",
                     col(q, 0), col(q, 1), aseq);
            bad(rep, aseq, msg);
        }
    }
    sqlite3_finalize(q);
    rk_buf_free(&what);
    if (!rep->ok) return RK_OK;
    /* every visit_done / supply_settings record has its row (none deleted) */
    static const char *const orphans[][2] = {
        {"SELECT a.seq FROM audit a LEFT JOIN subject_visits e ON e.audit_seq = a.seq WHERE "
         "a.action = 'visit_done' AND e.id IS NULL ORDER BY a.seq LIMIT 1",
         "subject_visits"},
        {"SELECT a.seq FROM audit a LEFT JOIN supply_settings e ON e.audit_seq = a.seq WHERE "
         "a.action = 'supply_settings' AND e.id IS NULL ORDER BY a.seq LIMIT 1",
         "supply_settings"}};
    for (size_t i = 0; i < 2 && rep->ok; i++) {
        if (!table_exists(s, orphans[i][1])) continue;
        if (sqlite3_prepare_v2(s->db, orphans[i][0], -1, &q, NULL) != SQLITE_OK)
            return rk__sql_error(s, "verifying the audit trail", err);
        if (sqlite3_step(q) == SQLITE_ROW) {
            int64_t aseq = sqlite3_column_int64(q, 0);
            snprintf(msg, sizeof msg,
                     "audit record %" PRId64 " has no row in %s (the row was deleted)", aseq,
                     orphans[i][1]);
            bad(rep, aseq, msg);
        }
        sqlite3_finalize(q);
    }
    return RK_OK;
}

rk_status rk_supply_store_kits_blinded(rk_store *s, rk_kitlist **out, rk_error *err)
{
    *out = NULL;
    int64_t n = 0;
    rk_status st = table_exists(s, "kits") ? count(s, "SELECT count(*) FROM kits", &n, err) : RK_OK;
    if (st) return st;
    if (!n)
        return rk_error_set(err, RK_ESTATE,
                            "this trial has no kit list: load one with 'rctkit supply load'");
    rk_kitlist *l = calloc(1, sizeof *l);
    if (l) l->kit = calloc((size_t)n, sizeof *l->kit);
    if (!l || !l->kit) {
        rk_kitlist_free(l);
        return rk_error_set(err, RK_ENOMEM, "out of memory for %" PRId64 " kits", n);
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT number, code, lot, expiry FROM kits ORDER BY number", -1,
                           &q, NULL) != SQLITE_OK) {
        rk_kitlist_free(l);
        return rk__sql_error(s, "reading the kit list", err);
    }
    while (!st && l->n < (size_t)n && sqlite3_step(q) == SQLITE_ROW) {
        rk_kit *k = &l->kit[l->n++];
        k->number = (uint32_t)sqlite3_column_int64(q, 0);
        snprintf(k->code, sizeof k->code, "%s", col(q, 1));
        snprintf(k->lot, sizeof k->lot, "%s", col(q, 2));
        st = rk_date_parse(col(q, 3), &k->expiry, err);
        k->arm = -1;
        k->state = RK_KIT_PREPARED;
    }
    sqlite3_finalize(q);
    if (st) {
        rk_kitlist_free(l);
        return st;
    }
    *out = l;
    return RK_OK;
}

rk_status rk_supply_store_visits(rk_store *s, rk_supply_settings *set, rk_subject_visit **out,
                                 size_t *n, rk_error *err)
{
    *out = NULL;
    *n = 0;
    rk_status st = rk_supply_store_settings(s, set, err);
    if (st) return st;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT a.subject_id, x.site, a.at FROM allocations a JOIN subjects x "
                           "ON x.subject_id = a.subject_id ORDER BY a.audit_seq",
                           -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "reading allocations", err);
    rk_subject_visit *v = NULL;
    size_t cap = 0, nv = 0, ns = set->schedule.n;
    rk__visit_done done[sizeof set->schedule.visit / sizeof set->schedule.visit[0]];
    while (!st && sqlite3_step(q) == SQLITE_ROW) {
        if (nv + ns > cap) {
            cap = 2 * (nv + ns) + 64;
            rk_subject_visit *x = realloc(v, cap * sizeof *x);
            if (!x) {
                st = rk_error_set(err, RK_ENOMEM, "out of memory");
                break;
            }
            v = x;
        }
        char d[16];
        rk_date day0;
        snprintf(d, sizeof d, "%.10s", col(q, 2));
        if ((st = rk_date_parse(d, &day0, err))) break;
        if ((st = rk__visits_done(s, col(q, 0), &set->schedule, done, err))) break;
        for (size_t i = 0; i < ns; i++, nv++) {
            rk_subject_visit *w = &v[nv];
            snprintf(w->subject, sizeof w->subject, "%s", col(q, 0));
            snprintf(w->site, sizeof w->site, "%s", col(q, 1));
            w->day0 = day0;
            w->visit = i;
            w->done = done[i].done;
            snprintf(w->kit, sizeof w->kit, "%s", done[i].kit);
        }
    }
    sqlite3_finalize(q);
    if (st) {
        free(v);
        return st;
    }
    *out = v;
    *n = nv;
    return RK_OK;
}
