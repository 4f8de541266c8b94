/* The audit trail: append-only records chained by BLAKE2b-256 (libsodium crypto_generichash),
 * and the verification that detects an edited, deleted or reordered record.
 *
 * hash(n) = BLAKE2b-256(prev || le64(seq) || field(at) || field(who) || field(action)
 *                        || field(what) || field(why)),  field(x) = le32(len(x)) || x,
 * prev = hash(n-1), 32 zero bytes for the first record. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "store/supply_store.h"

#define HASH_BYTES 32

static void put_field(crypto_generichash_state *h, const char *s)
{
    size_t n = strlen(s);
    unsigned char len[4] = {(unsigned char)(n & 0xff), (unsigned char)((n >> 8) & 0xff),
                            (unsigned char)((n >> 16) & 0xff), (unsigned char)((n >> 24) & 0xff)};
    crypto_generichash_update(h, len, 4);
    crypto_generichash_update(h, (const unsigned char *)s, n);
}

static void record_hash(const unsigned char prev[HASH_BYTES], int64_t seq, const char *at,
                        const char *who, const char *action, const char *what, const char *why,
                        unsigned char out[HASH_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, HASH_BYTES);
    crypto_generichash_update(&h, prev, HASH_BYTES);
    unsigned char le[8];
    uint64_t u = (uint64_t)seq;
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)((u >> (8 * i)) & 0xff);
    crypto_generichash_update(&h, le, 8);
    put_field(&h, at);
    put_field(&h, who);
    put_field(&h, action);
    put_field(&h, what);
    put_field(&h, why);
    crypto_generichash_final(&h, out, HASH_BYTES);
}

rk_status rk__audit_append(rk_store *s, const char *who, const char *action, const char *what,
                           const char *why, int64_t *seq_out, rk_error *err)
{
    sqlite3_stmt *q = rk__stmt(s, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", err);
    if (!q) return err ? err->code : RK_EINTERNAL;
    unsigned char prev[HASH_BYTES] = {0};
    int64_t seq = 1;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        seq = sqlite3_column_int64(q, 0) + 1;
        if (sqlite3_column_bytes(q, 1) != HASH_BYTES) {
            sqlite3_reset(q);
            return rk_error_set(err, RK_EINTERNAL,
                                "audit record %" PRId64 " has a damaged hash: run "
                                "'rctkit audit verify'",
                                seq - 1);
        }
        memcpy(prev, sqlite3_column_blob(q, 1), HASH_BYTES);
    } else if (rc != SQLITE_DONE) {
        sqlite3_reset(q);
        return rk__sql_error(s, "reading the audit trail", err);
    }
    sqlite3_reset(q);
    char at[32];
    rk__utc_now(at);
    unsigned char hash[HASH_BYTES];
    record_hash(prev, seq, at, who, action, what, why, hash);
    sqlite3_stmt *ins = rk__stmt(
        s, "INSERT INTO audit(seq, at, who, action, what, why, prev, hash) VALUES(?,?,?,?,?,?,?,?)",
        err);
    if (!ins) return err ? err->code : RK_EINTERNAL;
    sqlite3_bind_int64(ins, 1, seq);
    sqlite3_bind_text(ins, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, what, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, why, -1, SQLITE_STATIC);
    sqlite3_bind_blob(ins, 7, prev, HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(ins, 8, hash, HASH_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE) return rk__sql_error(s, "appending to the audit trail", err);
    if (seq_out) *seq_out = seq;
    return RK_OK;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const char *t = (const char *)sqlite3_column_text(q, i);
    return t ? t : "";
}

static void bad(rk_audit_report *rep, int64_t seq, const char *fmt, const char *a, int64_t n)
{
    rep->ok = 0;
    rep->first_bad = seq;
    snprintf(rep->problem, sizeof rep->problem, fmt, a, n);
}

/* Cross-check: every row of `table` with an audit_seq must point at a record of `action`
 * whose `what` starts with "subject=<id> ". */
static rk_status cross_check(rk_store *s, const char *sql, const char *table, int64_t n_records,
                             rk_audit_report *rep, rk_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "verifying the audit trail", err);
    int rc;
    while (rep->ok && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = col_text(q, 0);
        int64_t aseq = sqlite3_column_int64(q, 1);
        const char *what = col_text(q, 2); /* NULL when the record is missing */
        char prefix[300];
        snprintf(prefix, sizeof prefix, "subject=%s ", id);
        if (sqlite3_column_type(q, 2) == SQLITE_NULL || aseq > n_records) {
            rep->ok = 0;
            rep->first_bad = aseq;
            snprintf(rep->problem, sizeof rep->problem,
                     "%s of subject '%s' has no audit record (record %" PRId64
                     " is missing: the trail was truncated or records deleted)",
                     table, id, aseq);
        } else if (strncmp(what, prefix, strlen(prefix)) != 0) {
            rep->ok = 0;
            rep->first_bad = aseq;
            snprintf(rep->problem, sizeof rep->problem,
                     "%s of subject '%s' points at audit record %" PRId64
                     " which is about something else",
                     table, id, aseq);
        }
    }
    sqlite3_finalize(q);
    return RK_OK;
}

rk_status rk_audit_verify(rk_store *s, const char *expect_head, rk_audit_report *rep, rk_error *err)
{
    memset(rep, 0, sizeof *rep);
    rep->ok = 1;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT seq, at, who, action, what, why, prev, hash FROM audit "
                           "ORDER BY rowid",
                           -1, &q, NULL) != SQLITE_OK)
        return rk__sql_error(s, "reading the audit trail", err);
    unsigned char prev[HASH_BYTES] = {0};
    int64_t expect = 1;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(q, 0);
        if (seq != expect) {
            if (seq > expect)
                bad(rep, expect, "%srecord %" PRId64 " is missing (deleted?)", "", expect);
            else
                bad(rep, seq, "%srecord %" PRId64 " is out of order", "", seq);
            break;
        }
        const unsigned char *p = sqlite3_column_blob(q, 6);
        int np = sqlite3_column_bytes(q, 6);
        const unsigned char *h = sqlite3_column_blob(q, 7);
        int nh = sqlite3_column_bytes(q, 7);
        if (np != HASH_BYTES || nh != HASH_BYTES || memcmp(p, prev, HASH_BYTES) != 0) {
            bad(rep, seq,
                "%srecord %" PRId64 " does not follow the previous record (a record before it "
                "was deleted, replaced or reordered)",
                "", seq);
            break;
        }
        unsigned char want[HASH_BYTES];
        record_hash(prev, seq, col_text(q, 1), col_text(q, 2), col_text(q, 3), col_text(q, 4),
                    col_text(q, 5), want);
        if (memcmp(want, h, HASH_BYTES) != 0) {
            bad(rep, seq, "%srecord %" PRId64 " was edited (its hash does not match its content)",
                "", seq);
            break;
        }
        memcpy(prev, h, HASH_BYTES);
        rep->n_records = seq;
        expect++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rk__sql_error(s, "reading the audit trail", err);
    to_hex(prev, HASH_BYTES, rep->head);
    if (!rep->ok) return RK_OK;
    if (expect_head) {
        char want[128];
        snprintf(want, sizeof want, "%" PRId64 ":%s", rep->n_records, rep->head);
        if (strcmp(want, expect_head) != 0) {
            rep->ok = 0;
            rep->first_bad = rep->n_records;
            snprintf(rep->problem, sizeof rep->problem,
                     "the trail ends at %s, not at the expected head %.100s (records were "
                     "removed from its end, or it was rewritten)",
                     want, expect_head);
            return RK_OK;
        }
    }
    static const char *const checks[][2] = {
        {"SELECT x.subject_id, x.audit_seq, a.what FROM allocations x LEFT JOIN audit a ON "
         "a.seq = x.audit_seq AND a.action = 'randomize' ORDER BY x.audit_seq",
         "the randomization"},
        {"SELECT x.subject_id, x.audit_seq, a.what FROM unblindings x LEFT JOIN audit a ON "
         "a.seq = x.audit_seq AND a.action = 'unblind' ORDER BY x.audit_seq",
         "the unblinding"},
        {"SELECT x.subject_id, x.audit_seq, a.what FROM subjects x LEFT JOIN audit a ON "
         "a.seq = x.audit_seq AND a.action = 'enrol' ORDER BY x.audit_seq",
         "the enrolment"},
    };
    for (size_t i = 0; i < 3 && rep->ok; i++) {
        rk_status st = cross_check(s, checks[i][0], checks[i][1], rep->n_records, rep, err);
        if (st != RK_OK) return st;
    }
    if (rep->ok) return rk__supply_audit_check(s, rep->n_records, rep, err);
    return RK_OK;
}
