/* Internal interface of the trial store shared by src/store and src/server: the SQLite
 * handle, cached statements, transactions, UTC time and the audit append. */
#ifndef RK_STORE_STORE_INT_H
#define RK_STORE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "rctkit/store.h"

#define RK__STMT_CACHE 64

struct rk_store {
    sqlite3 *db;
    struct {
        const char *sql; /* identity: a string literal */
        sqlite3_stmt *st;
    } cache[RK__STMT_CACHE];
};

/* A prepared statement for the string literal sql, reset and with bindings cleared; cached
 * per store (the store is used by one thread at a time). NULL on error (err set). */
sqlite3_stmt *rk__stmt(rk_store *s, const char *sql, rk_error *err);
/* err from the connection's last error, prefixed by what was being done. */
rk_status rk__sql_error(rk_store *s, const char *what, rk_error *err);
/* Run SQL without results. */
rk_status rk__exec(rk_store *s, const char *sql, rk_error *err);
/* BEGIN IMMEDIATE (waits for the write lock), COMMIT, ROLLBACK. */
rk_status rk__begin(rk_store *s, rk_error *err);
rk_status rk__commit(rk_store *s, rk_error *err);
void rk__rollback(rk_store *s);

/* Current UTC time as "2026-11-30T06:01:02.123Z" (24 chars + NUL). */
void rk__utc_now(char out[32]);
/* Current Unix time in seconds. */
int64_t rk__unix_now(void);

/* Append one audit record (inside the caller's transaction); *seq_out (may be NULL) gets its
 * sequence number.  what/why may be "" but not NULL. */
rk_status rk__audit_append(rk_store *s, const char *who, const char *action, const char *what,
                           const char *why, int64_t *seq_out, rk_error *err);

/* Trial metadata stored at configuration: value of meta key (malloc'd) or NULL. */
char *rk__meta_get(rk_store *s, const char *key);

/* Copy at most size-1 bytes of src into dst, always NUL-terminated. */
void rk__strlcpy(char *dst, const char *src, size_t size);

#endif
