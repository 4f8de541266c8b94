/* Authorization matrix over real HTTP: every endpoint x every role x own/other site gets the
 * expected status, and no response to a blinded role contains an arm, a block or the list
 * (the one exception by design: the arm in an investigator's own emergency unblinding).  The
 * same matrix for a trial randomized at allocation time (minimization), where no response to
 * anyone contains the randomization key either. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>

#include "rctkit/rand.h"
#include "server_util.h"

enum {
    E_ME,
    E_MSG,
    E_ENROL,
    E_SUBJECTS,
    E_SUBJECT,
    E_RAND,
    E_UNBLIND,
    E_LIST,
    E_EXPORT,
    E_AUDIT,
    E_USERS,
    E_ROLE,
    E_COUNT
};
static const char *const ename[E_COUNT] = {"me",      "messages",  "enrol",   "subjects",
                                           "subject", "randomize", "unblind", "list",
                                           "export",  "audit",     "users",   "role"};

static rk__http H;
static char tokens[TU_NUSERS][65];
static char inv_tok[2][65]; /* inv1 (S01), inv2 (S02) for setting up subjects */
static int serial;

static int role_of(int u, rk_role *r)
{
    return rk_role_parse(tu_users[u][1], r, NULL) == RK_OK;
}

/* Enrol (and randomize) a fresh subject at site ts (0: S01, 1: S02); its id goes to id. */
static char pool[2][32][32]; /* randomized subjects made before the lock, per site */
static int pool_n[2], locked_now;

static void fresh_subject(int ts, int randomize, char *id, size_t n)
{
    if (locked_now) { /* no enrolment after the lock: reuse subjects made before */
        assert_true(pool_n[ts] > 0);
        snprintf(id, n, "%s", pool[ts][--pool_n[ts]]);
        return;
    }
    snprintf(id, n, "M%04d", serial++);
    char body[300], path[100];
    tu_enrol_body(body, sizeof body, id, "F");
    int st;
    json_decref(tu_req(&H, "POST", "/api/subjects", inv_tok[ts], body, &st, NULL));
    assert_int_equal(st, 201);
    if (!randomize) return;
    snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
    json_decref(tu_req(&H, "POST", path, inv_tok[ts], NULL, &st, NULL));
    assert_int_equal(st, 200);
}

/* The status the rules say user u gets for endpoint e on site ts. */
static int expected(int e, int u, int ts, int locked)
{
    rk_role r;
    assert_true(role_of(u, &r));
    const char *site = ts ? "S02" : "S01";
    int own = !rk_role_site_bound(r) || !strcmp(tu_users[u][2], site);
    switch (e) {
    case E_ME:
    case E_MSG:
    case E_SUBJECTS: return 200;
    case E_SUBJECT: return own ? 200 : 403;
    case E_ENROL: return r == RK_ROLE_INVESTIGATOR ? (own ? 201 : 403) : 403;
    case E_RAND:
    case E_UNBLIND: return r == RK_ROLE_INVESTIGATOR ? (own ? 200 : 403) : 403;
    case E_LIST: return (r == RK_ROLE_PHARMACIST || r == RK_ROLE_UNBLINDED_STAT) ? 200 : 403;
    case E_EXPORT: return r == RK_ROLE_UNBLINDED_STAT ? (locked ? 200 : 409) : 403;
    case E_AUDIT: return (r == RK_ROLE_MONITOR || r == RK_ROLE_ADMIN) ? 200 : 403;
    case E_USERS: return r == RK_ROLE_ADMIN ? 201 : 403;
    case E_ROLE: return r == RK_ROLE_ADMIN ? 200 : 403;
    }
    return -1;
}

/* Perform endpoint e as user u (token tok, may be NULL) on site ts; returns the status and the
 * raw body in *raw. */
static int perform(int e, int u, const char *tok, int ts, char **raw)
{
    char id[32], path[160], body[400], pw[64];
    const char *method = "GET";
    const char *b = NULL;
    tu_password(tu_users[u][0], pw, sizeof pw);
    switch (e) {
    case E_ME: snprintf(path, sizeof path, "/api/me"); break;
    case E_MSG: snprintf(path, sizeof path, "/api/messages"); break;
    case E_SUBJECTS: snprintf(path, sizeof path, "/api/subjects"); break;
    case E_SUBJECT:
        fresh_subject(ts, 1, id, sizeof id);
        snprintf(path, sizeof path, "/api/subjects/%s", id);
        break;
    case E_ENROL:
        method = "POST";
        snprintf(path, sizeof path, "/api/subjects");
        snprintf(id, sizeof id, "N%04d", serial++);
        snprintf(body, sizeof body,
                 "{\"subject_id\": \"%s\", \"site\": \"%s\", \"strata\": {\"sex\": \"M\"}, "
                 "\"eligibility\": {\"adult\": true, \"pregnant\": false}}",
                 id, ts ? "S02" : "S01");
        b = body;
        break;
    case E_RAND:
        fresh_subject(ts, 0, id, sizeof id);
        method = "POST";
        snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
        break;
    case E_UNBLIND:
        fresh_subject(ts, 1, id, sizeof id);
        method = "POST";
        snprintf(path, sizeof path, "/api/subjects/%s/unblind", id);
        snprintf(body, sizeof body, "{\"reason\": \"matrix test\", \"password\": \"%s\"}", pw);
        b = body;
        break;
    case E_LIST: snprintf(path, sizeof path, "/api/list"); break;
    case E_EXPORT: snprintf(path, sizeof path, "/api/export"); break;
    case E_AUDIT: snprintf(path, sizeof path, "/api/audit"); break;
    case E_USERS:
        method = "POST";
        snprintf(path, sizeof path, "/api/users");
        snprintf(body, sizeof body,
                 "{\"username\": \"new%04d\", \"role\": \"data_monitor\", \"site\": \"*\", "
                 "\"password\": \"a-long-password\"}",
                 serial++);
        b = body;
        break;
    case E_ROLE:
        method = "POST";
        snprintf(path, sizeof path, "/api/users/new%04d/role", serial - 1);
        snprintf(body, sizeof body,
                 "{\"role\": \"investigator\", \"site\": \"S02\", \"reason\": \"moved\"}");
        b = body;
        if (serial == 0) return -1;
        break;
    }
    if (e == E_ROLE) { /* a user to change: made by the admin, whoever asks */
        int st;
        snprintf(body + 200, 200,
                 "{\"username\": \"tgt%04d\", \"role\": \"data_monitor\", \"site\": \"*\", "
                 "\"password\": \"a-long-password\"}",
                 serial);
        json_decref(tu_req(&H, "POST", "/api/users", tokens[0], body + 200, &st, NULL));
        assert_int_equal(st, 201);
        snprintf(path, sizeof path, "/api/users/tgt%04d/role", serial++);
    }
    int st;
    json_decref(tu_req(&H, method, path, tok, b, &st, raw));
    return st;
}

static void check_blinded(int e, int u, int ts, int st, const char *raw)
{
    rk_role r;
    assert_true(role_of(u, &r));
    if (rk_role_unblinded(r)) return;
    if (e == E_UNBLIND && st == 200) { /* the documented exception */
        assert_true(strstr(raw, "\"arm\":\"arm_") != NULL);
        return;
    }
    static const char *const leaks[] = {"arm_a", "arm_b", "\"arm\"", "\"block", "\"slots\""};
    for (size_t i = 0; i < sizeof leaks / sizeof leaks[0]; i++)
        if (strstr(raw, leaks[i]))
            fail_msg("%s (%s) on %s, site %d: response leaks %s: %s", tu_users[u][0],
                     tu_users[u][1], ename[e], ts, leaks[i], raw);
}

static void check_content(int e, int u, int st, const char *raw)
{
    rk_role r;
    assert_true(role_of(u, &r));
    if (st != 200) return;
    json_t *j = json_loads(raw, 0, NULL);
    assert_non_null(j);
    size_t i;
    json_t *x;
    if (e == E_SUBJECTS && rk_role_site_bound(r)) /* only own-site subjects */
        json_array_foreach(json_object_get(j, "subjects"), i, x)
            assert_string_equal(json_string_value(json_object_get(x, "site")), tu_users[u][2]);
    if (e == E_LIST && r == RK_ROLE_PHARMACIST) {
        assert_true(json_array_size(json_object_get(j, "slots")) > 0);
        json_array_foreach(json_object_get(j, "slots"), i, x) assert_memory_equal(
            json_string_value(json_object_get(x, "stratum")), tu_users[u][2], 3);
    }
    if (e == E_SUBJECT && rk_role_unblinded(r)) /* the pharmacist sees the arm to dispense */
        assert_non_null(strstr(raw, "\"arm\":\"arm_"));
    json_decref(j);
}

static char key_hex[2 * RK_RAND_KEYBYTES + 1]; /* dynamic trial: must never be sent */

static void run_matrix(int dynamic)
{
    tu_trial t;
    serial = 0;
    locked_now = 0;
    pool_n[0] = pool_n[1] = 0;
    key_hex[0] = '\0';
    if (dynamic) {
        unsigned char key[RK_RAND_KEYBYTES];
        assert_int_equal(rk_rand_seed_key(TU_SEED, key, NULL), RK_OK);
        sodium_bin2hex(key_hex, sizeof key_hex, key, sizeof key);
        tu_make_dyn_trial(&t, "{name: minimization, p: 0.8}");
    } else {
        tu_make_trial(&t, 200);
    }
    rk_server *srv = tu_start(&t, 0);
    H.fd = -1;
    H.port = rk_server_port(srv);
    for (int u = 0; u < TU_NUSERS; u++)
        assert_int_equal(tu_login(&H, tu_users[u][0], tokens[u]), 0);
    memcpy(inv_tok[0], tokens[1], 65);
    memcpy(inv_tok[1], tokens[2], 65);
    int n_checked = 0;
    for (int pass = 0; pass < 2; pass++) { /* 0: before lock, 1: after */
        for (int e = 0; e < E_COUNT; e++) {
            if (pass == 1 && e != E_EXPORT && e != E_LIST && e != E_SUBJECT && e != E_SUBJECTS)
                continue;
            for (int u = 0; u < TU_NUSERS; u++)
                for (int ts = 0; ts < 2; ts++) {
                    char *raw = NULL;
                    int st = perform(e, u, tokens[u], ts, &raw);
                    int want = expected(e, u, ts, pass);
                    if (st != want)
                        fail_msg("%s (%s) on %s, site S0%d: status %d, expected %d: %s",
                                 tu_users[u][0], tu_users[u][1], ename[e], ts + 1, st, want,
                                 raw ? raw : "");
                    assert_non_null(raw);
                    check_blinded(e, u, ts, st, raw);
                    if (key_hex[0] && strstr(raw, key_hex))
                        fail_msg("%s on %s: the response holds the key: %s", tu_users[u][0],
                                 ename[e], raw);
                    check_content(e, u, st, raw);
                    free(raw);
                    n_checked++;
                }
            /* without a token: 401 for every endpoint */
            char *raw = NULL;
            assert_int_equal(perform(e, 0, NULL, 0, &raw), 401);
            assert_string_equal(raw, "{\"error\":\"log in first: send 'Authorization: Bearer "
                                     "TOKEN' with a token from POST /api/login\"}\n");
            free(raw);
        }
        if (pass == 0) { /* lock: only the administrator */
            int st;
            for (int ts = 0; ts < 2; ts++)
                for (int i = 0; i < 32; i++)
                    fresh_subject(ts, 1, pool[ts][pool_n[ts]++], 32);
            locked_now = 1;
            for (int u = 1; u < TU_NUSERS; u++) {
                json_decref(
                    tu_req(&H, "POST", "/api/lock", tokens[u], "{\"reason\": \"end\"}", &st, NULL));
                assert_int_equal(st, 403);
            }
            json_decref(
                tu_req(&H, "POST", "/api/lock", tokens[0], "{\"reason\": \"end\"}", &st, NULL));
            assert_int_equal(st, 200);
        }
    }
    /* messages: unblinding notices reached the unblinded roles (site-bound: own site only),
     * never the blinded ones */
    for (int u = 0; u < TU_NUSERS; u++) {
        char *raw;
        int st;
        json_t *j = tu_req(&H, "GET", "/api/messages", tokens[u], NULL, &st, &raw);
        rk_role r;
        role_of(u, &r);
        int has = strstr(raw, "EMERGENCY UNBLINDING") != NULL;
        assert_int_equal(has, rk_role_unblinded(r));
        if (r == RK_ROLE_PHARMACIST) {
            const char *other = !strcmp(tu_users[u][2], "S01") ? "site S02" : "site S01";
            assert_null(strstr(raw, other));
        }
        json_decref(j);
        free(raw);
    }
    /* a role change ends the changed user's sessions and is audited */
    {
        int st;
        json_decref(tu_req(&H, "POST", "/api/users/mon/role", tokens[0],
                           "{\"role\": \"blinded_statistician\", \"site\": \"*\", \"reason\": "
                           "\"new job\"}",
                           &st, NULL));
        assert_int_equal(st, 200);
        json_decref(tu_req(&H, "GET", "/api/me", tokens[7], NULL, &st, NULL));
        assert_int_equal(st, 401);
        assert_int_equal(tu_login(&H, "mon", tokens[7]), 0);
        char *raw;
        json_decref(tu_req(&H, "GET", "/api/me", tokens[7], NULL, &st, &raw));
        assert_non_null(strstr(raw, "\"role\":\"blinded_statistician\""));
        free(raw);
        json_decref(tu_req(&H, "GET", "/api/audit", tokens[0], NULL, &st, &raw));
        assert_non_null(strstr(raw, "\"who\":\"admin\",\"action\":\"role_change\",\"what\":"
                                    "\"user=mon role=data_monitor->blinded_statistician "
                                    "site=*->*\",\"why\":\"new job\""));
        free(raw);
    }
    /* logout ends a session */
    for (int u = 0; u < TU_NUSERS; u++) {
        int st;
        json_decref(tu_req(&H, "POST", "/api/logout", tokens[u], NULL, &st, NULL));
        assert_int_equal(st, 200);
        json_decref(tu_req(&H, "GET", "/api/me", tokens[u], NULL, &st, NULL));
        assert_int_equal(st, 401);
    }
    fprintf(stderr, "# %s: %d endpoint x user x site requests checked\n",
            dynamic ? "minimization" : "list", n_checked);
    rk__http_close(&H);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    if (dynamic) assert_true(tu_replay_ok(t.db) > 0);
    tu_remove_trial(&t);
}

static void test_matrix(void **state)
{
    (void)state;
    run_matrix(0);
}

static void test_matrix_dynamic(void **state)
{
    (void)state;
    run_matrix(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_matrix),
                                       cmocka_unit_test(test_matrix_dynamic)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
