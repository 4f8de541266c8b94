/* The server's request handlers: everything a request does with the store, run on the
 * database thread inside the batch transaction (one SAVEPOINT per request). */
#ifndef RK_SERVER_API_H
#define RK_SERVER_API_H

#include <jansson.h>
#include <stdint.h>

#include "rctkit/server.h"
#include "rctkit/store.h"
#include "store/dyn.h"
#include "store/trial.h"

typedef struct rk__api_ctx {
    rk_store *store;
    rk__trial *trial;
    rk__dyn *dyn;  /* the dynamic procedure; NULL for a trial with an uploaded list */
    rk_kit_fn kit; /* the kit code hook (rk_server_opts), or NULL */
    void *kit_ctx;
    int session_ttl;
    struct rk__supply_cache *supply; /* kit tracking state (src/store/supply_store.h) */
} rk__api_ctx;

/* Who a session (or a user name) belongs to. */
typedef struct rk__who {
    char username[72];
    rk_role role;
    char site[40];
    char pwhash[160];
} rk__who;

typedef enum { RK__PW_NONE = 0, RK__PW_OK, RK__PW_WRONG, RK__PW_LOCKED } rk__pw;

typedef struct rk__api_req {
    const char *method;
    const char *path;
    const char *token;       /* bearer token or NULL */
    json_t *body;            /* parsed JSON object (never NULL for POST; {} when empty) */
    const char *client;      /* peer address, for the audit trail */
    const char *query_after; /* ?after=N of GET /api/audit, or NULL */
    const char *query_on;    /* ?on=DATE of the supply schedule endpoints, or NULL */
    rk__pw pw;               /* login / unblind: the password check done before */
    int lock_seconds;        /* RK__PW_LOCKED: seconds left */
    const char *new_pwhash;  /* POST /api/users: hash of the new user's password */
} rk__api_req;

typedef struct rk__api_resp {
    int status;
    json_t *json;  /* owned; NULL only on internal errors */
    char log[512]; /* a line for the server log, "" for none */
} rk__api_resp;

/* Handle one request.  A non-OK status means the request's changes must be rolled back. */
/* Match a request path against a route pattern; a '*' matches one non-empty path segment,
 * copied to id (size bytes).  1 on a match. */
int rk__api_match(const char *pattern, const char *path, char *id, size_t size);

rk_status rk__api_handle(rk__api_ctx *c, const rk__api_req *r, rk__api_resp *resp, rk_error *err);

/* Look up a user by name (token NULL) or by session token: 1 found, 0 not found/expired. */
int rk__api_lookup(rk__api_ctx *c, const char *username, const char *token, rk__who *w,
                   rk_error *err);

#endif
