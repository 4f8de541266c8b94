/* Server requests run in this process (the CLI's way to act on the trial database with the
 * server's checks and audit records): rk_server_session_* and rk_server_call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/api.h"
#include "server/supply_api.h"
#include "store/store_int.h"
#include "store/supply_store.h"

struct rk_server_session {
    rk__api_ctx c;
    char token[80];
};

/* One request in its own transaction, as the server's database thread runs it. */
static rk_status run(rk__api_ctx *c, const rk__api_req *r, rk__api_resp *resp, rk_error *err)
{
    rk_error e = {0};
    rk_status st = rk__begin(c->store, err);
    if (st) return st;
    st = rk__api_handle(c, r, resp, &e);
    if (st) {
        rk__rollback(c->store);
        rk__supply_invalidate(c->supply);
        json_decref(resp->json);
        resp->json = json_pack("{s:s}", "error", e.msg);
        resp->status = st == RK_EIO ? 503 : st == RK_ESTATE ? 409 : 500;
        return RK_OK;
    }
    return rk__commit(c->store, err);
}

static rk_status answer(rk__api_resp *resp, int *status, char **response, rk_error *err)
{
    *status = resp->status;
    *response = resp->json ? json_dumps(resp->json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(resp->json);
    resp->json = NULL;
    return *response ? RK_OK : rk_error_set(err, RK_ENOMEM, "out of memory");
}

static void ctx_free(rk_server_session *s)
{
    rk__supply_cache_free(s->c.supply);
    rk__trial_free(s->c.trial);
    rk__dyn_free(s->c.dyn);
    rk_store_close(s->c.store);
    sodium_memzero(s->token, sizeof s->token);
    free(s);
}

rk_status rk_server_session_open(const char *db, const char *user, const char *password,
                                 rk_server_session **out, int *status, char **response,
                                 rk_error *err)
{
    *out = NULL;
    *status = 0;
    *response = NULL;
    if (!user || !*user || !password)
        return rk_error_set(err, RK_EINVAL, "a user name and a password are needed");
    if (sodium_init() < 0) return rk_error_set(err, RK_EINTERNAL, "libsodium could not start");
    rk_server_session *s = calloc(1, sizeof *s);
    if (!s) return rk_error_set(err, RK_ENOMEM, "out of memory");
    s->c.session_ttl = 3600;
    s->c.kit = rk__supply_kit_hook;
    s->c.kit_ctx = &s->c;
    rk_status st = rk_store_open(db, 0, &s->c.store, err);
    if (!st) st = rk__trial_load(s->c.store, &s->c.trial, err);
    if (!st) st = rk__dyn_load(s->c.store, &s->c.dyn, err);
    rk__api_resp resp = {0};
    if (!st) { /* the password checked here, as the server's connection thread does */
        rk__who w;
        memset(&w, 0, sizeof w);
        int found = rk__api_lookup(&s->c, user, NULL, &w, NULL);
        int ok = found && rk_password_check(w.pwhash, password);
        sodium_memzero(&w, sizeof w);
        json_t *lb = json_pack("{s:s,s:s}", "username", user, "password", "-");
        rk__api_req lr = {.method = "POST",
                          .path = "/api/login",
                          .body = lb,
                          .client = "cli",
                          .pw = ok ? RK__PW_OK : RK__PW_WRONG};
        st = lb ? run(&s->c, &lr, &resp, err) : rk_error_set(err, RK_ENOMEM, "out of memory");
        json_decref(lb);
        const char *t = json_string_value(json_object_get(resp.json, "token"));
        if (!st && resp.status == 200 && t) snprintf(s->token, sizeof s->token, "%s", t);
        if (!st && !s->token[0]) st = answer(&resp, status, response, err); /* refused */
    }
    json_decref(resp.json);
    if (st || !s->token[0]) {
        ctx_free(s);
        return st;
    }
    *status = 200;
    *out = s;
    return RK_OK;
}

rk_status rk_server_session_call(rk_server_session *s, const char *method, const char *path,
                                 const char *body, int *status, char **response, rk_error *err)
{
    *status = 0;
    *response = NULL;
    if (strcmp(method, "GET") && strcmp(method, "POST"))
        return rk_error_set(err, RK_EINVAL, "method must be GET or POST, not '%s'", method);
    json_t *jb = NULL;
    if (!strcmp(method, "POST")) {
        json_error_t je;
        jb = body && *body ? json_loads(body, JSON_REJECT_DUPLICATES, &je) : json_object();
        if (!jb || !json_is_object(jb)) {
            json_decref(jb);
            return rk_error_set(err, RK_EINVAL, "the request body is not a JSON object");
        }
    }
    rk__api_req r = {.method = method,
                     .path = path,
                     .token = s->token,
                     .body = jb,
                     .client = "cli",
                     .pw = RK__PW_NONE};
    const char *q = strchr(path, '?');
    char p[600], on[40] = "";
    if (q) { /* ?on=DATE (the schedule endpoints) and ?after=N (the audit trail) */
        snprintf(p, sizeof p, "%.*s", (int)(q - path), path);
        r.path = p;
        if (!strncmp(q, "?on=", 4)) {
            snprintf(on, sizeof on, "%s", q + 4);
            r.query_on = on;
        } else if (!strncmp(q, "?after=", 7)) {
            snprintf(on, sizeof on, "%s", q + 7);
            r.query_after = on;
        }
    }
    rk__api_resp resp = {0};
    rk_status st = run(&s->c, &r, &resp, err);
    json_decref(jb);
    if (!st) st = answer(&resp, status, response, err);
    json_decref(resp.json);
    return st;
}

void rk_server_session_close(rk_server_session *s)
{
    if (!s) return;
    json_t *ob = json_object();
    rk__api_req out = {
        .method = "POST", .path = "/api/logout", .token = s->token, .body = ob, .client = "cli"};
    rk__api_resp lo = {0};
    rk_error e = {0};
    if (ob) run(&s->c, &out, &lo, &e); /* the session expires anyway if this fails */
    json_decref(ob);
    json_decref(lo.json);
    ctx_free(s);
}

rk_status rk_server_call(const char *db, const char *user, const char *password, const char *method,
                         const char *path, const char *body, int *status, char **response,
                         rk_error *err)
{
    rk_server_session *s = NULL;
    rk_status st = rk_server_session_open(db, user, password, &s, status, response, err);
    if (st || !s) return st;
    st = rk_server_session_call(s, method, path, body, status, response, err);
    rk_server_session_close(s);
    return st;
}
