/* The trial store: opening the SQLite database (WAL, synchronous FULL), its schema with the
 * append-only triggers, statement cache, transactions, and roles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store_int.h"

static const char *const role_names[RK_ROLE_COUNT] = {
    "investigator",           "pharmacist",   "blinded_statistician",
    "unblinded_statistician", "data_monitor", "administrator"};

const char *rk_role_name(rk_role r)
{
    return (r >= 0 && r < RK_ROLE_COUNT) ? role_names[r] : "?";
}

rk_status rk_role_parse(const char *s, rk_role *out, rk_error *err)
{
    for (int i = 0; i < RK_ROLE_COUNT; i++)
        if (s && !strcmp(s, role_names[i])) {
            *out = (rk_role)i;
            return RK_OK;
        }
    return rk_error_set(err, RK_EINVAL,
                        "unknown role '%s' (expected investigator, pharmacist, "
                        "blinded_statistician, unblinded_statistician, data_monitor or "
                        "administrator)",
                        s ? s : "");
}

int rk_role_unblinded(rk_role r)
{
    return r == RK_ROLE_PHARMACIST || r == RK_ROLE_UNBLINDED_STAT;
}

int rk_role_site_bound(rk_role r)
{
    return r == RK_ROLE_INVESTIGATOR || r == RK_ROLE_PHARMACIST;
}

void rk__strlcpy(char *dst, const char *src, size_t size)
{
    if (!size) return;
    size_t n = strlen(src);
    if (n >= size) n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void rk__utc_now(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03dZ", day, (int)(ts.tv_nsec / 1000000L));
}

int64_t rk__unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

rk_status rk__sql_error(rk_store *s, const char *what, rk_error *err)
{
    int code = sqlite3_extended_errcode(s->db);
    rk_status st = (code == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR) ? RK_EIO : RK_EINTERNAL;
    return rk_error_set(err, st, "%s: database error: %s", what, sqlite3_errmsg(s->db));
}

sqlite3_stmt *rk__stmt(rk_store *s, const char *sql, rk_error *err)
{
    size_t i;
    for (i = 0; i < RK__STMT_CACHE && s->cache[i].sql; i++)
        if (s->cache[i].sql == sql) {
            sqlite3_stmt *st = s->cache[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        rk__sql_error(s, "preparing a statement", err);
        return NULL;
    }
    if (i < RK__STMT_CACHE) {
        s->cache[i].sql = sql;
        s->cache[i].st = st;
        return st;
    }
    sqlite3_finalize(st); /* cache full: a bug (too many distinct statements) */
    rk_error_set(err, RK_EINTERNAL, "statement cache full");
    return NULL;
}

rk_status rk__exec(rk_store *s, const char *sql, rk_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        rk_status st = rk_error_set(err, RK_EINTERNAL, "database error: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return st;
    }
    return RK_OK;
}

rk_status rk__begin(rk_store *s, rk_error *err)
{
    return rk__exec(s, "BEGIN IMMEDIATE", err);
}

rk_status rk__commit(rk_store *s, rk_error *err)
{
    rk_status st = rk__exec(s, "COMMIT", err);
    if (st != RK_OK) rk__rollback(s);
    return st;
}

void rk__rollback(rk_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

char *rk__meta_get(rk_store *s, const char *key)
{
    sqlite3_stmt *st = rk__stmt(s, "SELECT value FROM meta WHERE key = ?", NULL);
    if (!st) return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t) v = strdup(t);
    }
    sqlite3_reset(st);
    return v;
}

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE sites(site TEXT PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE users(username TEXT PRIMARY KEY, role TEXT NOT NULL, site TEXT NOT NULL,\n"
    "  pwhash TEXT NOT NULL);\n"
    "CREATE TABLE sessions(token_hash BLOB PRIMARY KEY, username TEXT NOT NULL,\n"
    "  created TEXT NOT NULL, expires INTEGER NOT NULL);\n"
    "CREATE TABLE slots(stratum TEXT NOT NULL, seq INTEGER NOT NULL, rand_no TEXT NOT NULL\n"
    "  UNIQUE, block INTEGER NOT NULL, block_size INTEGER NOT NULL, arm TEXT NOT NULL,\n"
    "  PRIMARY KEY(stratum, seq)) WITHOUT ROWID;\n"
    "CREATE TABLE subjects(subject_id TEXT PRIMARY KEY, site TEXT NOT NULL, stratum TEXT NOT\n"
    "  NULL, strata TEXT NOT NULL, eligibility TEXT NOT NULL, enrolled_at TEXT NOT NULL,\n"
    "  enrolled_by TEXT NOT NULL, audit_seq INTEGER NOT NULL);\n"
    "CREATE TABLE allocations(subject_id TEXT PRIMARY KEY REFERENCES subjects, stratum TEXT\n"
    "  NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL, audit_seq INTEGER\n"
    "  NOT NULL, UNIQUE(stratum, seq), FOREIGN KEY(stratum, seq) REFERENCES slots);\n"
    "CREATE TABLE unblindings(subject_id TEXT PRIMARY KEY REFERENCES allocations, by TEXT NOT\n"
    "  NULL, at TEXT NOT NULL, reason TEXT NOT NULL, audit_seq INTEGER NOT NULL);\n"
    "CREATE TABLE dyn_allocs(n INTEGER PRIMARY KEY, subject_id TEXT NOT NULL UNIQUE,\n"
    "  stratum TEXT NOT NULL, arm TEXT NOT NULL, varm INTEGER NOT NULL);\n"
    "CREATE TABLE messages(id INTEGER PRIMARY KEY, role TEXT NOT NULL, site TEXT NOT NULL,\n"
    "  at TEXT NOT NULL, text TEXT NOT NULL);\n"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, action\n"
    "  TEXT NOT NULL, what TEXT NOT NULL, why TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT\n"
    "  NULL);\n"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN\n"
    "  SELECT RAISE(ABORT, 'audit records are append-only'); END;\n"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN\n"
    "  SELECT RAISE(ABORT, 'audit records are append-only'); END;\n"
    "CREATE TRIGGER allocations_no_update BEFORE UPDATE ON allocations BEGIN\n"
    "  SELECT RAISE(ABORT, 'allocations are never changed'); END;\n"
    "CREATE TRIGGER allocations_no_delete BEFORE DELETE ON allocations BEGIN\n"
    "  SELECT RAISE(ABORT, 'allocations are never changed'); END;\n"
    "CREATE TRIGGER slots_no_update BEFORE UPDATE ON slots BEGIN\n"
    "  SELECT RAISE(ABORT, 'the randomization list is never changed'); END;\n"
    "CREATE TRIGGER slots_no_delete BEFORE DELETE ON slots BEGIN\n"
    "  SELECT RAISE(ABORT, 'the randomization list is never changed'); END;\n"
    "CREATE TRIGGER subjects_no_update BEFORE UPDATE ON subjects BEGIN\n"
    "  SELECT RAISE(ABORT, 'subjects are never changed'); END;\n"
    "CREATE TRIGGER subjects_no_delete BEFORE DELETE ON subjects BEGIN\n"
    "  SELECT RAISE(ABORT, 'subjects are never changed'); END;\n"
    "CREATE TRIGGER unblindings_no_update BEFORE UPDATE ON unblindings BEGIN\n"
    "  SELECT RAISE(ABORT, 'unblindings are never changed'); END;\n"
    "CREATE TRIGGER unblindings_no_delete BEFORE DELETE ON unblindings BEGIN\n"
    "  SELECT RAISE(ABORT, 'unblindings are never changed'); END;\n"
    "CREATE TRIGGER dyn_allocs_no_update BEFORE UPDATE ON dyn_allocs BEGIN\n"
    "  SELECT RAISE(ABORT, 'allocations are never changed'); END;\n"
    "CREATE TRIGGER dyn_allocs_no_delete BEFORE DELETE ON dyn_allocs BEGIN\n"
    "  SELECT RAISE(ABORT, 'allocations are never changed'); END;\n"
    "PRAGMA user_version = 1;\n";

void rk_store_close(rk_store *s)
{
    if (!s) return;
    for (size_t i = 0; i < RK__STMT_CACHE && s->cache[i].sql; i++)
        sqlite3_finalize(s->cache[i].st);
    sqlite3_close(s->db);
    free(s);
}

rk_status rk_store_open(const char *path, int create, rk_store **out, rk_error *err)
{
    *out = NULL;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (create && exists)
        return rk_error_set(err, RK_EINVAL,
                            "%s: already exists; a trial database is created once (choose "
                            "another --db path)",
                            path);
    if (!create && !exists)
        return rk_error_set(err, RK_EIO, "%s: cannot open: %s (create it with 'rctkit trial init')",
                            path, strerror(errno));
    rk_store *s = calloc(1, sizeof *s);
    if (!s) return rk_error_set(err, RK_ENOMEM, "out of memory opening %s", path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        rk_status st = rk_error_set(err, RK_EIO, "%s: cannot open: %s", path,
                                    s->db ? sqlite3_errmsg(s->db) : "out of memory");
        rk_store_close(s);
        return st;
    }
    /* The file holds the dynamic procedures' key (meta 'rand_key'): only its owner reads it. */
    if (create) chmod(path, S_IRUSR | S_IWUSR);
    sqlite3_busy_timeout(s->db, 10000);
    rk_status st = rk__exec(s,
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                            " PRAGMA foreign_keys = ON;",
                            err);
    if (st != RK_OK && sqlite3_errcode(s->db) == SQLITE_NOTADB)
        st = rk_error_set(err, RK_EINVAL, "%s: not an rctkit trial database (not even SQLite)",
                          path);
    if (st == RK_OK && create) {
        st = rk__exec(s, "BEGIN IMMEDIATE", err);
        if (st == RK_OK) st = rk__exec(s, schema, err);
        if (st == RK_OK)
            st = rk__commit(s, err);
        else
            rk__rollback(s);
    }
    if (st == RK_OK && !create) {
        sqlite3_stmt *q = NULL;
        int ver = -1;
        if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            ver = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (ver != 1)
            st = rk_error_set(err, RK_EINVAL,
                              "%s: not an rctkit trial database (schema version %d, expected 1)",
                              path, ver);
    }
    if (st != RK_OK) {
        if (err && st != RK_EINVAL) {
            char msg[RK_ERROR_MSG_MAX];
            rk__strlcpy(msg, err->msg, sizeof msg);
            rk_error_set(err, st, "%s: %s", path, msg);
        }
        rk_store_close(s);
        return st;
    }
    *out = s;
    return RK_OK;
}
