/* rk_server_call: one API request in this process (the CLI's way to act on the trial database
 * with the server's checks and audit records). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/api.h"
#include "server/supply_api.h"
#include "store/store_int.h"
#include "store/supply_store.h"

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

rk_status rk_server_call(const char *db, const char *user, const char *password, const char *method,
                         const char *path, const char *body, int *status, char **response,
                         rk_error *err)
{
    *status = 0;
    *response = NULL;
    if (!user || !*user || !password)
        return rk_error_set(err, RK_EINVAL, "a user name and a password are needed");
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
    if (sodium_init() < 0) {
        json_decref(jb);
        return rk_error_set(err, RK_EINTERNAL, "libsodium could not be initialised");
    }
    rk__api_ctx c;
    memset(&c, 0, sizeof c);
    c.session_ttl = 300;
    c.kit = rk__supply_kit_hook;
    c.kit_ctx = &c;
    rk_status st = rk_store_open(db, 0, &c.store, err);
    if (!st) st = rk__trial_load(c.store, &c.trial, err);
    if (!st) st = rk__dyn_load(c.store, &c.dyn, err);
    rk__api_resp resp = {0};
    char token[80] = "";
    if (!st) { /* log in: the password checked here, as the server's connection thread does */
        rk__who w;
        memset(&w, 0, sizeof w);
        int found = rk__api_lookup(&c, user, NULL, &w, NULL);
        int ok = found && rk_password_check(w.pwhash, password);
        sodium_memzero(&w, sizeof w);
        json_t *lb = json_pack("{s:s,s:s}", "username", user, "password", "-");
        rk__api_req lr = {.method = "POST",
                          .path = "/api/login",
                          .body = lb,
                          .client = "cli",
                          .pw = ok ? RK__PW_OK : RK__PW_WRONG};
        st = lb ? run(&c, &lr, &resp, err) : rk_error_set(err, RK_ENOMEM, "out of memory");
        json_decref(lb);
        const char *t = json_string_value(json_object_get(resp.json, "token"));
        if (!st && resp.status == 200 && t) snprintf(token, sizeof token, "%s", t);
    }
    if (!st && token[0]) {
        json_decref(resp.json);
        resp.json = NULL;
        rk__api_req r = {.method = method,
                         .path = path,
                         .token = token,
                         .body = jb,
                         .client = "cli",
                         .pw = RK__PW_NONE};
        const char *q = strchr(path, '?');
        char p[600], on[40] = "";
        if (q) { /* ?on=DATE (the schedule endpoints) */
            snprintf(p, sizeof p, "%.*s", (int)(q - path), path);
            r.path = p;
            if (!strncmp(q, "?on=", 4)) {
                snprintf(on, sizeof on, "%s", q + 4);
                r.query_on = on;
            }
        }
        st = run(&c, &r, &resp, err);
        rk__api_resp lo = {0};
        json_t *ob = json_object();
        rk__api_req out = {
            .method = "POST", .path = "/api/logout", .token = token, .body = ob, .client = "cli"};
        if (!st && ob) st = run(&c, &out, &lo, err);
        json_decref(ob);
        json_decref(lo.json);
        sodium_memzero(token, sizeof token);
    }
    if (!st) {
        *status = resp.status;
        *response = resp.json ? json_dumps(resp.json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        if (!*response) st = rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    json_decref(resp.json);
    json_decref(jb);
    rk__supply_cache_free(c.supply);
    rk__trial_free(c.trial);
    rk__dyn_free(c.dyn);
    rk_store_close(c.store);
    return st;
}
