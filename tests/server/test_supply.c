/* Supply through the server over real HTTP: a whole simulated trial (ship, logger files with
 * automatic quarantine, receive, randomize with a kit, dispense, administer, reconcile),
 * illegal transitions refused with the library's messages, the role/site matrix of the supply
 * endpoints with no arm in any blinded response, the audit chain over kit records (and the
 * tampering it detects), and SIGKILL during scans losing nothing acknowledged. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <sys/prctl.h>

#include "rctkit/supply.h"
#include "server_util.h"
#include "store/store_int.h"

#define NKITS 48 /* 24 blocks of 2: kits 1-24 go to S01, 25-48 to S02 */

static rk_kitlist *kits;

/* Load a kit list for arms arm_a / arm_b (batches BATCH-A / BATCH-B, both released). */
static void load_kits(const tu_trial *t, size_t n_blocks, rk_kitlist **out)
{
    rk_kitlist_spec spec = {.seed = "supply server test",
                            .n_arms = 2,
                            .arm = {"arm_a", "arm_b"},
                            .ratio = {1, 1},
                            .n_blocks = n_blocks,
                            .lot = "LOT-7",
                            .batch = {"BATCH-A", "BATCH-B"}};
    rk_error err = {0};
    assert_int_equal(rk_date_parse("2099-12-31", &spec.expiry, &err), RK_OK);
    rk_kitlist *l = NULL;
    assert_int_equal(rk_kitlist_generate(&spec, &l, &err), RK_OK);
    rk_batch_release b[2];
    memset(b, 0, sizeof b);
    for (int i = 0; i < 2; i++) {
        snprintf(b[i].batch, sizeof b[i].batch, "%s", i ? "BATCH-B" : "BATCH-A");
        b[i].viability_trypan = b[i].viability_7aad = 95;
        b[i].cd73 = b[i].cd90 = b[i].cd105 = 99;
        b[i].cd34 = b[i].cd45 = b[i].cd11b = b[i].cd19 = b[i].hla_dr = 0.5;
        b[i].sterile = 1;
        b[i].placebo = i;
    }
    rk_store *s = NULL;
    assert_int_equal(rk_store_open(t->db, 0, &s, &err), RK_OK);
    rk_status st = rk_supply_store_load(s, l, b, 2, "depot", &err);
    if (st) fprintf(stderr, "load: %s\n", err.msg);
    assert_int_equal(st, RK_OK);
    /* a second kit list is refused */
    assert_int_equal(rk_supply_store_load(s, l, NULL, 0, "depot", &err), RK_ESTATE);
    assert_non_null(strstr(err.msg, "already has its kit list"));
    rk_store_close(s);
    *out = l;
}

static rk_server *start(const tu_trial *t)
{
    rk_server_opts o;
    rk_server_opts_init(&o);
    o.db = t->db;
    o.pwcost = RK_PWCOST_MIN;
    rk_server *s = NULL;
    rk_error err = {0};
    if (rk_server_start(&o, &s, &err)) fail_msg("server: %s", err.msg);
    return s;
}

typedef struct client {
    rk__http h;
    char tok[TU_NUSERS][65];
} client;

static int uidx(const char *user)
{
    for (int i = 0; i < TU_NUSERS; i++)
        if (!strcmp(tu_users[i][0], user)) return i;
    fail_msg("no user %s", user);
    return -1;
}

static void login_all(client *c, unsigned port)
{
    c->h.fd = -1;
    c->h.port = port;
    for (int i = 0; i < TU_NUSERS; i++)
        assert_int_equal(tu_login(&c->h, tu_users[i][0], c->tok[i]), 0);
}

/* A request as `user`; the raw body is kept in *raw when raw != NULL.  Every answer to a
 * blinded user is checked: no arm, no (arm-specific) manufacturing batch. */
static json_t *req(client *c, const char *user, const char *method, const char *path,
                   const char *body, int *status, char **raw)
{
    char *r = NULL;
    json_t *j = tu_req(&c->h, method, path, user ? c->tok[uidx(user)] : NULL, body, status, &r);
    int blinded = user && strcmp(user, "pha1") && strcmp(user, "pha2") && strcmp(user, "ustat");
    if (blinded && r &&
        (strstr(r, "arm_a") || strstr(r, "arm_b") || strstr(r, "BATCH-") || strstr(r, "\"arm\"")))
        fail_msg("%s %s as blinded %s shows an arm or a batch: %s", method, path, user, r);
    if (raw)
        *raw = r;
    else
        free(r);
    return j;
}

/* POST expecting `want`; returns the JSON (caller frees). */
static json_t *post(client *c, const char *user, const char *path, const char *body, int want)
{
    int st;
    char *raw = NULL;
    json_t *j = req(c, user, "POST", path, body, &st, &raw);
    if (st != want) fail_msg("POST %s as %s: status %d, want %d: %s", path, user, st, want, raw);
    free(raw);
    return j;
}

static const char *err_of(json_t *j)
{
    const char *e = json_string_value(json_object_get(j, "error"));
    return e ? e : "";
}

static void scan(client *c, const char *user, const char *code, const char *body, int want,
                 const char *msg_part)
{
    char path[100];
    snprintf(path, sizeof path, "/api/supply/kits/%s/scan", code);
    json_t *j = post(c, user, path, body, want);
    if (msg_part && !strstr(err_of(j), msg_part))
        fail_msg("scan %s %s: '%s' lacks '%s'", code, body, err_of(j), msg_part);
    json_decref(j);
}

static void ship(client *c, const char *shipment, const char *site, size_t from, size_t to)
{
    json_t *arr = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(arr, json_string(kits->kit[i].code));
    json_t *b = json_pack("{s:s,s:s,s:o}", "shipment", shipment, "site", site, "kits", arr);
    char *body = json_dumps(b, 0);
    json_t *j = post(c, "admin", "/api/supply/shipments", body, 201);
    assert_int_equal(json_integer_value(json_object_get(j, "kits")), (json_int_t)(to - from));
    json_decref(j);
    free(body);
    json_decref(b);
}

/* A logger file: 6 h at 5 min, 10 C, with a 25-minute hot excursion when hot != 0. */
static char *logger_body(int hot)
{
    rk_buf b;
    rk_buf_init(&b, 0);
    rk_buf_appendf(&b, NULL, "time,temp_c\n");
    for (int i = 0; i < 60; i++) {
        char t[32];
        rk_time_format(1767225600 + 300 * i, t, sizeof t); /* 2026-01-01 */
        rk_buf_appendf(&b, NULL, "%s,%.1f\n", t, hot && i >= 20 && i < 25 ? 14.5 : 10.0);
    }
    json_t *o = json_pack("{s:s}", "csv", b.data);
    char *s = json_dumps(o, 0);
    json_decref(o);
    rk_buf_free(&b);
    return s;
}

static const char *kit_state(client *c, const char *user, const char *code)
{
    static char state[32];
    char path[100];
    snprintf(path, sizeof path, "/api/supply/kits/%s", code);
    int st;
    json_t *j = req(c, user, "GET", path, NULL, &st, NULL);
    assert_int_equal(st, 200);
    snprintf(state, sizeof state, "%s", json_string_value(json_object_get(j, "state")));
    json_decref(j);
    return state;
}

static const char *kit_arm(client *c, const char *code)
{
    static char arm[32];
    char path[100];
    snprintf(path, sizeof path, "/api/supply/kits/%s", code);
    int st;
    json_t *j = req(c, "ustat", "GET", path, NULL, &st, NULL);
    assert_int_equal(st, 200);
    snprintf(arm, sizeof arm, "%s", json_string_value(json_object_get(j, "arm")));
    json_decref(j);
    return arm;
}

static void infusion_body(char *b, size_t n, const char *subject)
{
    snprintf(b, n,
             "{\"to\": \"administered\", \"subject\": \"%s\", \"infusion\": {\"start\": "
             "\"2026-03-01T09:00:00Z\", \"end\": \"2026-03-01T10:00:00Z\", \"temp_c\": 36.8, "
             "\"pulse\": 72, \"resp_rate\": 16, \"sbp\": 120, \"dbp\": 80, \"spo2\": 97, "
             "\"reactions\": \"none\"}}",
             subject);
}

/* Randomize a subject as inv (site S01 or S02); returns the kit code (static). */
static const char *enrol_randomize(client *c, const char *inv, const char *id, const char *sex,
                                   char *rand_no)
{
    static char kit[16];
    char body[300], path[100];
    tu_enrol_body(body, sizeof body, id, sex);
    json_decref(post(c, inv, "/api/subjects", body, 201));
    snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
    int st;
    char *raw = NULL;
    json_t *j = req(c, inv, "POST", path, NULL, &st, &raw);
    if (st != 200) fail_msg("randomize %s: %d %s", id, st, raw);
    assert_null(strstr(raw, "arm_")); /* the investigator gets a code, never the arm */
    free(raw);
    snprintf(kit, sizeof kit, "%s", json_string_value(json_object_get(j, "kit_code")));
    if (rand_no) snprintf(rand_no, 16, "%s", json_string_value(json_object_get(j, "rand_no")));
    json_decref(j);
    assert_int_equal(strlen(kit), RK_KITCODE_LEN + 1);
    return kit;
}

static int audit_count(const char *db, const char *action)
{
    sqlite3 *d;
    assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(
        sqlite3_prepare_v2(d, "SELECT count(*) FROM audit WHERE action LIKE ?", -1, &q, NULL),
        SQLITE_OK);
    sqlite3_bind_text(q, 1, action, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(d);
    return n;
}

/* Copy the database, run sql on the copy (triggers dropped first), verify it. */
static void tamper(const tu_trial *t, const char *sql, const char *problem_part)
{
    char copy[300], cmd[1200];
    snprintf(copy, sizeof copy, "%s/tampered.db", t->dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", t->db, copy, copy, copy);
    assert_int_equal(system(cmd), 0);
    sqlite3 *d;
    assert_int_equal(sqlite3_open(copy, &d), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(d,
                          "DROP TRIGGER audit_no_update; DROP TRIGGER kit_events_no_update; "
                          "DROP TRIGGER kits_no_update;",
                          NULL, NULL, &msg);
    if (rc == SQLITE_OK) rc = sqlite3_exec(d, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("tamper: %s", msg);
    assert_true(sqlite3_changes(d) > 0);
    sqlite3_close(d);
    rk_store *s = NULL;
    rk_error err = {0};
    rk_audit_report rep;
    assert_int_equal(rk_store_open(copy, 0, &s, &err), RK_OK);
    assert_int_equal(rk_audit_verify(s, NULL, &rep, &err), RK_OK);
    rk_store_close(s);
    assert_int_equal(rep.ok, 0);
    if (!strstr(rep.problem, problem_part))
        fail_msg("verify after '%s': '%s' lacks '%s'", sql, rep.problem, problem_part);
    unlink(copy);
}

static void test_full_trial(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 40);
    load_kits(&t, NKITS / 2, &kits);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    int st;

    /* before shipping: S01 sees no kits, the depot holds all 48 as prepared */
    json_t *j = req(&c, "inv1", "GET", "/api/supply/kits", NULL, &st, NULL);
    assert_int_equal(st, 200);
    assert_int_equal(json_array_size(json_object_get(j, "kits")), 0);
    json_decref(j);

    /* ship: S01 kits 1-24 (SH1), S02 kits 25-48 (SH2); shipping a kit twice is refused whole */
    ship(&c, "SH1", "S01", 0, NKITS / 2);
    ship(&c, "SH2", "S02", NKITS / 2, NKITS);
    {
        char body[300];
        snprintf(body, sizeof body,
                 "{\"shipment\": \"SH3\", \"site\": \"S01\", \"kits\": [\"%s\"]}",
                 kits->kit[0].code);
        j = post(&c, "admin", "/api/supply/shipments", body, 409);
        assert_non_null(strstr(err_of(j), "shipment SH3 not shipped: kits[0]: kit "));
        assert_non_null(strstr(err_of(j), "is shipped; it cannot become shipped"));
        json_decref(j);
    }

    /* logger files: SH1 clean, SH2 with a hot excursion -> its 24 kits quarantined */
    char *lb = logger_body(0);
    j = post(&c, "inv1", "/api/supply/shipments/SH1/logger", lb, 200);
    assert_true(json_is_true(json_object_get(j, "release_ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "quarantined")), 0);
    json_decref(j);
    free(lb);
    lb = logger_body(1);
    json_decref(post(&c, "inv1", "/api/supply/shipments/SH2/logger", lb, 403)); /* other site */
    j = post(&c, "inv2", "/api/supply/shipments/SH2/logger", lb, 200);
    free(lb);
    assert_false(json_is_true(json_object_get(j, "release_ok")));
    assert_int_equal(json_array_size(json_object_get(j, "excursions")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "quarantined")), NKITS / 2);
    json_decref(j);
    const char *k25 = kits->kit[NKITS / 2].code;
    assert_string_equal(kit_state(&c, "inv2", k25), "quarantined");
    /* a quarantined kit cannot be received; an investigator cannot release it (blinded) */
    scan(&c, "inv2", k25, "{\"to\": \"received\"}", 409,
         "is quarantined; it cannot become received");
    char path[120];
    snprintf(path, sizeof path, "/api/supply/kits/%s/release", k25);
    json_decref(post(&c, "inv2", path, "{\"why\": \"reviewed\"}", 403));
    json_decref(post(&c, "pha1", path, "{\"why\": \"reviewed\"}", 403)); /* other site */
    j = post(&c, "ustat", path, "{}", 400);
    assert_string_equal(err_of(j), "missing field 'why'");
    json_decref(j);
    /* the unblinded statistician reviews the excursion and releases the S02 kits */
    for (size_t i = NKITS / 2; i < NKITS; i++) {
        snprintf(path, sizeof path, "/api/supply/kits/%s/release", kits->kit[i].code);
        j = post(&c, i % 2 ? "ustat" : "pha2", path,
                 "{\"why\": \"excursion 25 min at 14.5 C within stability data\"}", 200);
        assert_string_equal(json_string_value(json_object_get(j, "state")), "shipped");
        json_decref(j);
    }

    /* receive and store at both sites (each site scans its own kits only) */
    scan(&c, "inv2", kits->kit[0].code, "{\"to\": \"received\"}", 403, "works at site S02");
    for (size_t i = 0; i < NKITS; i++) {
        const char *who = i < NKITS / 2 ? (i % 2 ? "inv1" : "pha1") : (i % 2 ? "inv2" : "pha2");
        scan(&c, who, kits->kit[i].code, "{\"to\": \"received\", \"where\": \"pharmacy\"}", 200,
             NULL);
        scan(&c, who, kits->kit[i].code, "{\"to\": \"stored\", \"where\": \"fridge 2\"}", 200,
             NULL);
    }
    scan(&c, "inv1", kits->kit[0].code, "{\"to\": \"received\"}", 409,
         "was already received (now stored at S01): do not receive it again");
    scan(&c, "inv1", "0BCDEFGH2", "{\"to\": \"received\"}", 400, "is not a valid kit code");
    scan(&c, "inv1", kits->kit[0].code, "{\"to\": \"shipped\"}", 403, "done at the depot");
    scan(&c, "inv1", kits->kit[0].code, "{\"to\": \"teleported\"}", 400, "unknown kit state");

    /* randomize with a kit: the kit is of the subject's arm (as the list says) at its site */
    const char *subj[4] = {"P001", "P002", "P003", "P004"};
    char kit_of[4][16], rand_no[16];
    for (int i = 0; i < 4; i++) {
        snprintf(kit_of[i], 16, "%s",
                 enrol_randomize(&c, i < 2 ? "inv1" : "inv2", subj[i], "F", rand_no));
        assert_string_equal(kit_arm(&c, kit_of[i]), tu_list_arm(i % 2));
        assert_string_equal(kit_state(&c, "mon", kit_of[i]), "stored");
    }
    /* dispensing: only the subject's allocated kit */
    const char *other = NULL; /* a stored S01 kit allocated to nobody */
    for (int i = 0; i < NKITS / 2 && !other; i++)
        if (strcmp(kits->kit[i].code, kit_of[0]) && strcmp(kits->kit[i].code, kit_of[1]))
            other = kits->kit[i].code;
    char b[600];
    snprintf(b, sizeof b, "{\"to\": \"dispensed\", \"subject\": \"P001\"}");
    char msg[200];
    snprintf(msg, sizeof msg,
             "is not the kit allocated to subject P001: put it back in storage "
             "and dispense kit %s",
             kit_of[0]);
    scan(&c, "pha1", other, b, 409, msg);
    scan(&c, "pha1", kit_of[1], b, 409, "is not the kit allocated to subject P001");
    scan(&c, "admin", kit_of[0], b, 403, "done at the site");
    scan(&c, "pha1", kit_of[0], b, 200, NULL);
    infusion_body(b, sizeof b, "P002");
    scan(&c, "inv1", kit_of[0], b, 409, "was dispensed to subject P001, not P002");
    infusion_body(b, sizeof b, "P001");
    scan(&c, "inv1", kit_of[0], b, 200, NULL);
    scan(&c, "inv1", kit_of[0], b, 409,
         "is administered; it cannot become administered (allowed: none: this is a final state)");
    /* the other subjects: dispensed and administered; P004's kit dispensed, not yet given */
    for (int i = 1; i < 4; i++) {
        const char *who = i < 2 ? "inv1" : "inv2";
        snprintf(b, sizeof b, "{\"to\": \"dispensed\", \"subject\": \"%s\"}", subj[i]);
        scan(&c, who, kit_of[i], b, 200, NULL);
        if (i == 3) continue;
        infusion_body(b, sizeof b, subj[i]);
        scan(&c, who, kit_of[i], b, 200, NULL);
    }
    /* second visit of P001: the next kit of its arm */
    j = post(&c, "inv1", "/api/supply/subjects/P001/allocate", NULL, 200);
    char second[16];
    snprintf(second, sizeof second, "%s", json_string_value(json_object_get(j, "kit_code")));
    json_decref(j);
    assert_string_equal(kit_arm(&c, second), kit_arm(&c, kit_of[0]));
    assert_string_not_equal(second, kit_of[0]);
    j = post(&c, "inv1", "/api/supply/subjects/P001/allocate", NULL, 409);
    assert_non_null(strstr(err_of(j), "already has kit"));
    json_decref(j);
    json_decref(post(&c, "inv2", "/api/supply/subjects/P001/allocate", NULL, 403));
    /* damage one stored kit with a reason (required) */
    const char *spare = NULL;
    for (int i = 0; i < NKITS / 2 && !spare; i++)
        if (!strcmp(kit_state(&c, "pha1", kits->kit[i].code), "stored") &&
            strcmp(kits->kit[i].code, second))
            spare = kits->kit[i].code;
    assert_non_null(spare);
    scan(&c, "pha1", spare, "{\"to\": \"damaged\"}", 400, "say why it is damaged");
    scan(&c, "pha1", spare, "{\"to\": \"damaged\", \"why\": \"bag punctured\"}", 200, NULL);

    /* reconciliation of S01: balanced */
    j = req(&c, "mon", "GET", "/api/supply/sites/S01/reconcile", NULL, &st, NULL);
    assert_int_equal(st, 200);
    assert_true(json_is_true(json_object_get(j, "balanced")));
    assert_int_equal(json_integer_value(json_object_get(j, "received")), NKITS / 2);
    assert_int_equal(json_integer_value(json_object_get(j, "administered")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "damaged")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "stored")), NKITS / 2 - 3);
    json_decref(j);
    j = req(&c, "inv2", "GET", "/api/supply/sites/S02/reconcile", NULL, &st, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "dispensed_open")), 1);
    json_decref(j);
    json_decref(req(&c, "inv2", "GET", "/api/supply/sites/S01/reconcile", NULL, &st, NULL));
    assert_int_equal(st, 403);
    j = req(&c, "pha1", "GET", "/api/supply/inventory", NULL, &st, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "sites")), 1); /* own site only */
    json_t *s01 = json_array_get(json_object_get(j, "sites"), 0);
    assert_string_equal(json_string_value(json_object_get(s01, "site")), "S01");
    assert_int_equal(json_integer_value(json_object_get(s01, "allocated")), 1); /* 2nd visit */
    json_decref(j);

    /* restart: the state rebuilt from the store is the same */
    rk__http_close(&c.h);
    rk_server_stop(srv);
    srv = start(&t);
    login_all(&c, rk_server_port(srv));
    assert_string_equal(kit_state(&c, "inv1", kit_of[0]), "administered");
    assert_string_equal(kit_state(&c, "inv2", kit_of[3]), "dispensed");
    assert_string_equal(kit_state(&c, "inv1", spare), "damaged");
    snprintf(b, sizeof b, "{\"to\": \"dispensed\", \"subject\": \"P001\"}");
    scan(&c, "inv1", second, b, 200, NULL); /* the allocation survived the restart */
    rk__http_close(&c.h);
    rk_server_stop(srv);

    /* the audit trail: verifies, has the kit records, detects tampering */
    int64_t n = 0;
    assert_true(tu_verify(t.db, &n));
    assert_int_equal(audit_count(t.db, "kit_load"), 1);
    assert_int_equal(audit_count(t.db, "kit_allocate"), 5);
    assert_int_equal(audit_count(t.db, "kit_auto-quarantine"), NKITS / 2);
    assert_int_equal(audit_count(t.db, "kit_release"), NKITS / 2);
    assert_true(audit_count(t.db, "kit_refused") >= 8);
    tamper(&t,
           "UPDATE audit SET what = replace(what, 'to=stored', 'to=lost') WHERE seq = (SELECT "
           "min(audit_seq) FROM kit_events WHERE to_state = 'stored')",
           "was edited (its hash does not match its content)");
    tamper(&t, "UPDATE kit_events SET to_state = 'lost' WHERE seq = 60",
           "differs from its audit record");
    tamper(&t, "UPDATE kit_events SET who = 'mallory' WHERE seq = 70",
           "differs from its audit record");
    tamper(&t,
           "UPDATE kits SET arm = CASE arm WHEN 'arm_a' THEN 'arm_b' ELSE 'arm_a' END WHERE "
           "number = 3",
           "was changed (its fingerprint does not match)");
    tamper(&t,
           "DROP TRIGGER kit_batches_no_update; UPDATE kit_batches SET data = replace(data, "
           "'\"sterile\":1', '\"sterile\":0') WHERE id = 1",
           "were changed (their fingerprint does not match)");
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* Every supply endpoint for every role: the route's roles and site rules, and no response to a
 * blinded role names an arm or a manufacturing batch. */
static void test_supply_authz(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    load_kits(&t, 6, &kits);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    ship(&c, "SH1", "S01", 0, 8);
    for (int i = 0; i < 8; i++) {
        scan(&c, "pha1", kits->kit[i].code, "{\"to\": \"received\"}", 200, NULL);
        scan(&c, "pha1", kits->kit[i].code, "{\"to\": \"stored\"}", 200, NULL);
    }
    const char *kit = enrol_randomize(&c, "inv1", "A001", "M", NULL);
    char k1[16];
    snprintf(k1, sizeof k1, "%s", kit);
    scan(&c, "admin", kits->kit[8].code, "{\"to\": \"quarantined\", \"why\": \"dropped\"}", 200,
         NULL);
    char p_kit[100], p_scan[100], p_rel[100], p_rel_ok[100];
    snprintf(p_kit, sizeof p_kit, "/api/supply/kits/%s", k1);
    snprintf(p_scan, sizeof p_scan, "/api/supply/kits/%s/scan",
             kits->kit[strcmp(k1, kits->kit[0].code) ? 0 : 1].code);
    snprintf(p_rel, sizeof p_rel, "/api/supply/kits/%s/release", kits->kit[10].code);
    snprintf(p_rel_ok, sizeof p_rel_ok, "/api/supply/kits/%s/release", kits->kit[8].code);
    static const char *const roles_order[TU_NUSERS] = {"admin", "inv1",  "inv2",  "pha1",
                                                       "pha2",  "bstat", "ustat", "mon"};
    struct {
        const char *method, *path, *body;
        int want[TU_NUSERS]; /* in roles_order; 0 = "not 403 and not 401" */
    } m[] = {
        {"GET", "/api/supply/kits", NULL, {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", p_kit, NULL, {200, 200, 403, 200, 403, 200, 200, 200}},
        {"GET", "/api/supply/inventory", NULL, {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET", "/api/supply/sites/S01/reconcile", NULL, {200, 200, 403, 200, 403, 200, 200, 200}},
        /* a stored S01 kit "lost" without the reason the library asks for */
        {"POST", p_scan, "{\"to\": \"lost\"}", {400, 400, 403, 400, 403, 403, 403, 403}},
        {"POST", p_rel, "{\"why\": \"x\"}", {403, 403, 403, 403, 403, 403, 409, 403}},
        {"POST", "/api/supply/shipments", "{}", {400, 403, 403, 403, 403, 403, 403, 403}},
        {"POST",
         "/api/supply/shipments/SH1/logger",
         "{}",
         {400, 400, 403, 400, 403, 403, 403, 403}},
        {"GET", "/api/supply/sites/S01/resupply", NULL, {200, 403, 403, 200, 403, 403, 200, 403}},
        {"POST", "/api/supply/expire", NULL, {200, 403, 403, 403, 403, 403, 403, 403}},
        {"POST",
         "/api/supply/subjects/A001/allocate",
         NULL,
         {403, 409, 403, 409, 403, 403, 403, 403}},
    };
    for (size_t e = 0; e < sizeof m / sizeof m[0]; e++)
        for (int r = 0; r < TU_NUSERS; r++) {
            int st;
            char *raw = NULL;
            json_t *j = req(&c, roles_order[r], m[e].method, m[e].path, m[e].body, &st, &raw);
            if (st != m[e].want[r])
                fail_msg("%s %s as %s: %d, want %d: %s", m[e].method, m[e].path, roles_order[r], st,
                         m[e].want[r], raw);
            int blinded = strcmp(roles_order[r], "pha1") && strcmp(roles_order[r], "pha2") &&
                          strcmp(roles_order[r], "ustat");
            if (blinded && raw &&
                (strstr(raw, "arm_a") || strstr(raw, "arm_b") || strstr(raw, "BATCH-") ||
                 strstr(raw, "\"arm\"")))
                fail_msg("%s %s as blinded %s shows an arm or batch: %s", m[e].method, m[e].path,
                         roles_order[r], raw);
            if (!blinded && st == 200 && !strcmp(m[e].path, p_kit))
                assert_non_null(strstr(raw, "\"arm\""));
            free(raw);
            json_decref(j);
        }
    /* the unblinded release works */
    json_decref(post(&c, "ustat", p_rel_ok, "{\"why\": \"checked, intact\"}", 200));
    /* the audit trail a blinded monitor reads has no arm either */
    int st;
    char *raw = NULL;
    json_t *j = req(&c, "mon", "GET", "/api/audit", NULL, &st, &raw);
    assert_int_equal(st, 200);
    assert_null(strstr(raw, "arm_a"));
    assert_null(strstr(raw, "arm_b"));
    assert_null(strstr(raw, "BATCH-"));
    assert_non_null(strstr(raw, "kit_allocate"));
    free(raw);
    json_decref(j);
    rk__http_close(&c.h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* Randomization with no kit of the subject's arm at the site: refused (audited, nothing
 * allocated), and the subject can be randomized once kits arrive. */
static void test_randomize_without_kits(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    load_kits(&t, 2, &kits);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    char body[300];
    tu_enrol_body(body, sizeof body, "Z001", "F");
    json_decref(post(&c, "inv1", "/api/subjects", body, 201));
    json_t *j = post(&c, "inv1", "/api/subjects/Z001/randomize", NULL, 409);
    assert_string_equal(err_of(j), "subject Z001 cannot be randomized now: no kit can be "
                                   "allocated to subject Z001 at site S01: the site's stock for "
                                   "this subject is exhausted; request an emergency shipment "
                                   "(rctkit supply report --resupply); the administrator has "
                                   "been alerted");
    json_decref(j);
    int st;
    j = req(&c, "inv1", "GET", "/api/subjects/Z001", NULL, &st, NULL);
    assert_false(json_is_true(json_object_get(j, "randomized")));
    json_decref(j);
    assert_int_equal(audit_count(t.db, "randomize_failed"), 1);
    ship(&c, "SH1", "S01", 0, 4);
    /* a logger file without its header quarantines the shipment; the pharmacist releases it */
    j = post(&c, "inv1", "/api/supply/shipments/SH1/logger", "{\"csv\": \"no header here\\n\"}",
             200);
    assert_false(json_is_true(json_object_get(j, "release_ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "quarantined")), 4);
    assert_non_null(
        strstr(json_string_value(json_object_get(j, "verdict")), "logger file unreadable"));
    json_decref(j);
    for (int i = 0; i < 4; i++) {
        char path[100];
        snprintf(path, sizeof path, "/api/supply/kits/%s/release", kits->kit[i].code);
        json_decref(post(&c, "pha1", path, "{\"why\": \"paper log reviewed: 9-11 C\"}", 200));
    }
    for (int i = 0; i < 4; i++) {
        scan(&c, "inv1", kits->kit[i].code, "{\"to\": \"received\"}", 200, NULL);
        scan(&c, "inv1", kits->kit[i].code, "{\"to\": \"stored\"}", 200, NULL);
    }
    const char *k = enrol_randomize(&c, "inv1", "Z002", "F", NULL);
    assert_string_equal(kit_arm(&c, k), tu_list_arm(0));
    j = post(&c, "inv1", "/api/subjects/Z001/randomize", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(j, "rand_no")), "R100002");
    json_decref(j);
    rk__http_close(&c.h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* A minimization trial (the arm drawn at allocation time) with kits: each subject's kit is of
 * the arm drawn for it, also after a restart (the state rebuilt from the drawn slots), and the
 * allocations still replay from the seed. */
static void test_minimization_with_kits(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_dyn_trial(&t, "{name: minimization, p: 0.8}");
    load_kits(&t, 12, &kits);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    ship(&c, "SH1", "S01", 0, 24);
    for (int i = 0; i < 24; i++) {
        scan(&c, "pha1", kits->kit[i].code, "{\"to\": \"received\"}", 200, NULL);
        scan(&c, "pha1", kits->kit[i].code, "{\"to\": \"stored\"}", 200, NULL);
    }
    for (int i = 0; i < 10; i++) {
        if (i == 6) { /* restart half-way */
            rk__http_close(&c.h);
            rk_server_stop(srv);
            srv = start(&t);
            login_all(&c, rk_server_port(srv));
        }
        char id[16], path[64], kit[16];
        snprintf(id, sizeof id, "M%03d", i);
        snprintf(kit, sizeof kit, "%s", enrol_randomize(&c, "inv1", id, i % 3 ? "F" : "M", NULL));
        snprintf(path, sizeof path, "/api/subjects/%s", id);
        int st;
        json_t *j = req(&c, "ustat", "GET", path, NULL, &st, NULL);
        assert_int_equal(st, 200);
        assert_string_equal(kit_arm(&c, kit), json_string_value(json_object_get(j, "arm")));
        json_decref(j);
    }
    rk__http_close(&c.h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    assert_int_equal(tu_replay_ok(t.db), 10);
    assert_int_equal(audit_count(t.db, "kit_allocate"), 10);
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* ---- SIGKILL during scans ---- */

#define CRASH_KITS 1200
#define CRASH_THREADS 4
#define CRASH_ROUNDS 4

static int acked[CRASH_KITS]; /* 0 none, 1 received, 2 stored acknowledged */
static int next_kit;
static unsigned crash_port;
static int n_acked_scans;
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;

static int child_main(const char *db, const char *port_file)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    rk_server_opts o;
    rk_server_opts_init(&o);
    o.db = db;
    o.pwcost = RK_PWCOST_MIN;
    rk_server *s = NULL;
    rk_error err = {0};
    if (rk_server_start(&o, &s, &err)) {
        fprintf(stderr, "child: %s\n", err.msg);
        return 1;
    }
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
    FILE *f = fopen(tmp, "w");
    if (!f) return 1;
    fprintf(f, "%u\n", rk_server_port(s));
    fclose(f);
    rename(tmp, port_file);
    for (;;)
        pause();
}

static pid_t spawn_server(const tu_trial *t, unsigned *port)
{
    char pf[300];
    snprintf(pf, sizeof pf, "%s/port", t->dir);
    unlink(pf);
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    char *argv[] = {self, "--serve-child", (char *)t->db, pf, NULL};
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, self, NULL, NULL, argv, environ), 0);
    *port = 0;
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(pf, "r");
        if (f) {
            char line[32] = "";
            if (fgets(line, sizeof line, f)) *port = (unsigned)tu_int(line);
            fclose(f);
            if (*port) return pid;
        }
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the server child did not start");
    return pid;
}

static void *scanner(void *arg)
{
    (void)arg;
    rk__http h = {.fd = -1, .port = crash_port};
    char tok[65];
    if (tu_login(&h, "pha1", tok)) return NULL;
    for (;;) {
        pthread_mutex_lock(&cmu);
        int i = next_kit < CRASH_KITS ? next_kit++ : -1;
        pthread_mutex_unlock(&cmu);
        if (i < 0) break;
        int from = acked[i]; /* refreshed after a crash: what the store has */
        if (from == 2) continue;
        char path[100];
        snprintf(path, sizeof path, "/api/supply/kits/%s/scan", kits->kit[i].code);
        static const char *const body[2] = {"{\"to\": \"received\"}", "{\"to\": \"stored\"}"};
        int st = 0;
        for (int step = from; step < 2; step++) {
            json_t *j = tu_req(&h, "POST", path, tok, body[step], &st, NULL);
            json_decref(j);
            if (st != 200) break;
            pthread_mutex_lock(&cmu);
            acked[i] = step + 1;
            n_acked_scans++;
            pthread_mutex_unlock(&cmu);
        }
        if (st == 0) break; /* server gone */
        if (st != 200) fail_msg("scan %s: status %d", kits->kit[i].code, st);
    }
    rk__http_close(&h);
    return NULL;
}

/* Randomizations (with their kits) alongside the scans: subjects R00000... at S01. */
#define CRASH_SUBJ 500
typedef struct rsubj {
    int acked; /* randomization acknowledged */
    char kit[16];
} rsubj;
static rsubj rs[CRASH_SUBJ];
static int next_subj;

static void *randomizer(void *arg)
{
    (void)arg;
    rk__http h = {.fd = -1, .port = crash_port};
    char tok[65];
    if (tu_login(&h, "inv1", tok)) return NULL;
    while (next_subj < CRASH_SUBJ) {
        int i = next_subj, st;
        char id[16], body[300], path[100];
        snprintf(id, sizeof id, "R%05d", i);
        tu_enrol_body(body, sizeof body, id, i % 2 ? "M" : "F");
        json_decref(tu_req(&h, "POST", "/api/subjects", tok, body, &st, NULL));
        if (st == 0) break;
        if (st != 201 && st != 409) fail_msg("enrol %s: %d", id, st);
        snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
        json_t *j = tu_req(&h, "POST", path, tok, NULL, &st, NULL);
        const char *e = json_string_value(json_object_get(j, "error"));
        if (st == 200) {
            const char *k = json_string_value(json_object_get(j, "kit_code"));
            if (!k) fail_msg("randomize %s: no kit code", id);
            snprintf(rs[i].kit, sizeof rs[i].kit, "%s", k);
            rs[i].acked = 1;
            next_subj++;
        } else if (st == 409 && e && strstr(e, "is already randomized")) {
            next_subj++; /* committed before a crash, the answer lost */
        } else if (st == 409 && e && strstr(e, "no kit can be allocated")) {
            struct timespec ts = {0, 5000000}; /* the scanners have not stored enough yet */
            nanosleep(&ts, NULL);
        } else if (st != 0) {
            fail_msg("randomize %s: %d %s", id, st, e ? e : "");
        }
        json_decref(j);
        if (st == 0) break;
    }
    rk__http_close(&h);
    return NULL;
}

static void test_sigkill_during_scans(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, CRASH_SUBJ / 2 + 4);
    load_kits(&t, CRASH_KITS / 2, &kits);
    { /* ship every kit to S01 through the library, in one transaction */
        rk_store *s = NULL;
        rk_supply *sup = NULL;
        rk_error err = {0};
        assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
        assert_int_equal(rk_supply_store_open(s, &sup, &err), RK_OK);
        assert_int_equal(rk__begin(s, &err), RK_OK);
        for (int i = 0; i < CRASH_KITS; i++) {
            rk_scan sc = {.kit = kits->kit[i].code,
                          .to = RK_KIT_PACKAGED,
                          .who = "depot",
                          .role = RK_ROLE_ADMIN,
                          .when = 1767225600,
                          .site = "S01",
                          .shipment = "BIG"};
            assert_int_equal(rk_supply_scan(sup, &sc, &err), RK_OK);
            sc.to = RK_KIT_SHIPPED;
            assert_int_equal(rk_supply_scan(sup, &sc, &err), RK_OK);
        }
        assert_int_equal(rk__commit(s, &err), RK_OK);
        rk_supply_free(sup);
        rk_store_close(s);
    }
    srand((unsigned)time(NULL));
    int rounds = 0;
    for (int round = 0; round < CRASH_ROUNDS && next_kit < CRASH_KITS; round++) {
        rounds++;
        unsigned port = 0;
        pid_t pid = spawn_server(&t, &port);
        crash_port = port;
        pthread_mutex_lock(&cmu);
        /* the kits handed out so far that are not known to be done: a client may have been
         * working on any of them when the server died, and the store may be ahead of what was
         * acknowledged (committed, answer lost) but never behind */
        int handed = next_kit;
        int target = n_acked_scans + 20;
        pthread_mutex_unlock(&cmu);
        rk__http h = {.fd = -1, .port = port};
        char tok[65];
        assert_int_equal(tu_login(&h, "pha1", tok), 0);
        for (int i = 0; i < handed; i++) {
            if (acked[i] == 2) continue;
            char path[100];
            snprintf(path, sizeof path, "/api/supply/kits/%s", kits->kit[i].code);
            int st;
            json_t *j = tu_req(&h, "GET", path, tok, NULL, &st, NULL);
            const char *s = json_string_value(json_object_get(j, "state"));
            assert_non_null(s);
            int have = !strcmp(s, "stored") ? 2 : !strcmp(s, "received") ? 1 : 0;
            assert_true(have >= acked[i]); /* nothing acknowledged was lost */
            acked[i] = have;
            json_decref(j);
        }
        rk__http_close(&h);
        next_kit = 0;
        while (next_kit < CRASH_KITS && acked[next_kit] == 2)
            next_kit++;
        /* the scanners skip what is already done */
        pthread_t th[CRASH_THREADS], rth;
        for (int i = 0; i < CRASH_THREADS; i++)
            assert_int_equal(pthread_create(&th[i], NULL, scanner, NULL), 0);
        assert_int_equal(pthread_create(&rth, NULL, randomizer, NULL), 0);
        for (int w = 0; w < 3000; w++) {
            pthread_mutex_lock(&cmu);
            int now = n_acked_scans;
            pthread_mutex_unlock(&cmu);
            if (now >= target) break;
            struct timespec tick = {0, 10000000};
            nanosleep(&tick, NULL);
        }
        struct timespec ts = {0, (long)(rand() % 50) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int wst;
        waitpid(pid, &wst, 0);
        for (int i = 0; i < CRASH_THREADS; i++)
            pthread_join(th[i], NULL);
        pthread_join(rth, NULL);
        assert_true(tu_verify(t.db, NULL));
    }
    /* the store after the last crash holds every acknowledged scan */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t.db, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM kit_events WHERE kit = ? AND "
                                        "to_state = ? AND action = 'scan'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    int n_ack = 0;
    for (int i = 0; i < CRASH_KITS; i++) {
        for (int step = 1; step <= acked[i]; step++) {
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, kits->kit[i].code, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, step == 1 ? "received" : "stored", -1, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(q), SQLITE_ROW);
            assert_int_equal(sqlite3_column_int(q, 0), 1); /* once, not twice */
            n_ack++;
        }
    }
    sqlite3_finalize(q);
    /* randomization and kit allocation are one transaction: each allocation has exactly one
     * kit allocated to its subject and every kit allocation its randomization; every
     * acknowledged randomization has the kit its answer named */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT count(*) FROM allocations a WHERE "
                                        "(SELECT count(*) FROM kit_events e WHERE e.action = "
                                        "'allocate' AND e.subject = a.subject_id) != 1), (SELECT "
                                        "count(*) FROM kit_events e WHERE e.action = 'allocate' "
                                        "AND NOT EXISTS (SELECT 1 FROM allocations a WHERE "
                                        "a.subject_id = e.subject)), (SELECT count(*) FROM "
                                        "allocations)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    assert_int_equal(sqlite3_column_int(q, 1), 0);
    int n_alloc = sqlite3_column_int(q, 2);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT kit FROM kit_events WHERE action = 'allocate' AND "
                                        "subject = ?",
                                        -1, &q, NULL),
                     SQLITE_OK);
    int n_rand = 0;
    for (int i = 0; i < CRASH_SUBJ; i++) {
        if (!rs[i].acked) continue;
        char id[16];
        snprintf(id, sizeof id, "R%05d", i);
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), rs[i].kit);
        n_rand++;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_true(n_ack > 0);
    assert_true(n_rand > 0);
    assert_true(n_alloc >= n_rand);
    /* and the server starts on it (the state replays) */
    unsigned port = 0;
    pid_t pid = spawn_server(&t, &port);
    kill(pid, SIGKILL);
    int wst;
    waitpid(pid, &wst, 0);
    assert_true(rounds >= 2); /* the kills really interrupted the scanning */
    fprintf(stderr, "# %d scans and %d randomizations with kits acknowledged across %d crashes\n",
            n_ack, n_rand, rounds);
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--serve-child")) return child_main(argv[2], argv[3]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_trial),
        cmocka_unit_test(test_supply_authz),
        cmocka_unit_test(test_randomize_without_kits),
        cmocka_unit_test(test_minimization_with_kits),
        cmocka_unit_test(test_sigkill_during_scans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
