/* rctkit server: the concealed-allocation server (IWRS), an HTTP + JSON API (libmicrohttpd,
 * jansson) over a trial store (rctkit/store.h).  The endpoints are listed in docs/server.md.
 *
 * One database thread owns the store and runs every request's database work; requests that
 * arrive together share one transaction (group commit: BEGIN IMMEDIATE ... COMMIT, each
 * request inside its own SAVEPOINT), and no response leaves before its transaction is durable
 * (WAL, synchronous FULL).  Password hashing and checking (Argon2id) run on the connection
 * threads, never on the database thread.
 */
#ifndef RCTKIT_SERVER_H
#define RCTKIT_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/core.h"
#include "rctkit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kit code hook: called on the database thread inside the randomize request's
 * transaction once the subject's arm is known (from the list or drawn at allocation time) and
 * before anything is written, with the subject, its site, the arm's name and the user who
 * randomizes (the session's user name: the kit allocation is audited as done by them).  It writes
 * the code of the kit to dispense to `code` (for example rk_supply_set_subject and
 * rk_supply_allocate of rctkit/supply.h on the trial's supply state).  The code is added to the
 * answer as "kit_code" (a kit code carries no arm, so blinded roles may see it) and to the
 * randomization's audit record.  RK_ESTATE or RK_EINVAL (no kit at the site ...) refuses the
 * randomization: nothing is allocated, the answer is 409 with the hook's message (which must
 * not name an arm), the refusal is audited and the administrator alerted; any other error is
 * an internal error.  The store cannot undo the hook's own side effects if the transaction then
 * fails to commit (the client gets 503 and retries): allocate idempotently per subject. */
typedef rk_status (*rk_kit_fn)(void *ctx, const char *subject, const char *site, const char *arm,
                               const char *user, char *code, size_t code_size, rk_error *err);

typedef struct rk_server_opts {
    const char *db;           /* trial database made by rk_store_configure */
    const char *bind;         /* IPv4 address to listen on; NULL: 127.0.0.1 */
    unsigned port;            /* 0: chosen by the OS (see rk_server_port) */
    int session_ttl;          /* seconds a session token lives; 0: 1800 */
    size_t max_body;          /* largest request body accepted; 0: 64 KiB */
    int max_failures;         /* failed passwords in a row before a lockout; 0: 5 */
    int lockout_seconds;      /* how long a user is locked out; 0: 60 */
    rk_pwcost pwcost;         /* cost of hashes for users added through the API */
    unsigned max_connections; /* 0: 256 */
    /* Log sink (may be NULL): one line per notable event (start, unblinding, alerts). */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    rk_kit_fn kit; /* kit code hook (see above); NULL: answers carry no kit code */
    void *kit_ctx;
} rk_server_opts;

/* Defaults as documented above. */
void rk_server_opts_init(rk_server_opts *o);

typedef struct rk_server rk_server;

/* Open the store, start the database thread and the HTTP daemon.  Returns when the server
 * listens. *out belongs to the caller: rk_server_stop. */
rk_status rk_server_start(const rk_server_opts *o, rk_server **out, rk_error *err);
/* The TCP port the server listens on. */
unsigned rk_server_port(const rk_server *s);
/* Stop accepting, finish the requests in flight, close the store, free. NULL is fine. */
void rk_server_stop(rk_server *s);

/* API requests run in this process on the trial database, without HTTP: the same handlers, role
 * and site checks, audit records and messages as the server (docs/server.md).  A session logs
 * `user` in with `password` (the login audited as from client "cli"; a wrong password is the
 * server's 401 and its login_failed record, with no lockout: the caller has the database file
 * anyway); each call runs in its own transaction (rolled back when it fails); closing logs out.
 * The database may be served at the same time (SQLite locking; the server rebuilds its kit
 * state when the store moved on).
 *
 * rk_server_session_open: *out NULL when the login is refused, with *status and *response (the
 * server's answer, malloc'd) set.  rk_server_session_call: method "GET" or "POST", path with an
 * optional ?on=DATE or ?after=N, body JSON text or NULL; *status is the HTTP status the server
 * would answer and *response its JSON text (malloc'd).  RK_OK whenever there is an answer. */
typedef struct rk_server_session rk_server_session;
rk_status rk_server_session_open(const char *db, const char *user, const char *password,
                                 rk_server_session **out, int *status, char **response,
                                 rk_error *err);
rk_status rk_server_session_call(rk_server_session *s, const char *method, const char *path,
                                 const char *body, int *status, char **response, rk_error *err);
/* Log out and close; NULL is fine. */
void rk_server_session_close(rk_server_session *s);
/* Open, one call, close. */
rk_status rk_server_call(const char *db, const char *user, const char *password, const char *method,
                         const char *path, const char *body, int *status, char **response,
                         rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
