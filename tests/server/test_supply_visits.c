/* The visit schedule and infusion records through the server over real HTTP: a subject's
 * schedule (windows and status, on a given date), the site's due / overdue / missed list,
 * recording infusions tied to the administered kit and CT / follow-up visits, the refusals,
 * the role x site matrix of these endpoints with no arm or batch in any blinded answer, the
 * audit chain over visit and settings records (and the tampering it detects); the kit
 * allocated at randomization audited as done by the investigator; the resupply endpoint with
 * the trial's configured settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "rctkit/supply.h"
#include "server_util.h"
#include "store/store_int.h"

static rk_kitlist *kits;

/* A kit list for arms arm_a / arm_b (batches BATCH-A / BATCH-B, both released). */
static void load_kits(const tu_trial *t, size_t n_blocks)
{
    rk_kitlist_spec spec = {.seed = "supply visits test",
                            .n_arms = 2,
                            .arm = {"arm_a", "arm_b"},
                            .ratio = {1, 1},
                            .n_blocks = n_blocks,
                            .lot = "LOT-9",
                            .batch = {"BATCH-A", "BATCH-B"}};
    rk_error err = {0};
    assert_int_equal(rk_date_parse("2099-12-31", &spec.expiry, &err), RK_OK);
    assert_int_equal(rk_kitlist_generate(&spec, &kits, &err), RK_OK);
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
    rk_status st = rk_supply_store_load(s, kits, b, 2, "depot", &err);
    if (st) fail_msg("load: %s", err.msg);
    rk_store_close(s);
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

static int is_blinded(const char *user)
{
    return strcmp(user, "pha1") && strcmp(user, "pha2") && strcmp(user, "ustat");
}

static int shows_arm(const char *raw)
{
    return raw && (strstr(raw, "arm_a") || strstr(raw, "arm_b") || strstr(raw, "BATCH-") ||
                   strstr(raw, "\"arm\""));
}

/* A request as `user`: every answer to a blinded user is checked for arms and batches. */
static json_t *req(client *c, const char *user, const char *method, const char *path,
                   const char *body, int *status, char **raw)
{
    char *r = NULL;
    json_t *j = tu_req(&c->h, method, path, c->tok[uidx(user)], body, status, &r);
    if (is_blinded(user) && shows_arm(r))
        fail_msg("%s %s as blinded %s shows an arm or a batch: %s", method, path, user, r);
    if (raw)
        *raw = r;
    else
        free(r);
    return j;
}

static json_t *call(client *c, const char *user, const char *method, const char *path,
                    const char *body, int want)
{
    int st;
    char *raw = NULL;
    json_t *j = req(c, user, method, path, body, &st, &raw);
    if (st != want)
        fail_msg("%s %s as %s: status %d, want %d: %s", method, path, user, st, want, raw);
    free(raw);
    return j;
}

static const char *err_of(json_t *j)
{
    const char *e = json_string_value(json_object_get(j, "error"));
    return e ? e : "";
}

/* The call must fail with `want` and an error message equal to msg. */
static void refused(client *c, const char *user, const char *method, const char *path,
                    const char *body, int want, const char *msg)
{
    json_t *j = call(c, user, method, path, body, want);
    if (strcmp(err_of(j), msg)) fail_msg("%s %s: '%s', want '%s'", method, path, err_of(j), msg);
    json_decref(j);
}

static void scan(client *c, const char *user, const char *code, const char *body)
{
    char path[100];
    snprintf(path, sizeof path, "/api/supply/kits/%s/scan", code);
    json_decref(call(c, user, "POST", path, body, 200));
}

/* Ship kits [from, to) to site, receive and store them there. */
static void stock(client *c, const char *shipment, const char *site, const char *pharmacist,
                  size_t from, size_t to)
{
    json_t *arr = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(arr, json_string(kits->kit[i].code));
    json_t *b = json_pack("{s:s,s:s,s:o}", "shipment", shipment, "site", site, "kits", arr);
    char *body = json_dumps(b, 0);
    json_decref(call(c, "admin", "POST", "/api/supply/shipments", body, 201));
    free(body);
    json_decref(b);
    for (size_t i = from; i < to; i++) {
        scan(c, pharmacist, kits->kit[i].code, "{\"to\": \"received\"}");
        scan(c, pharmacist, kits->kit[i].code, "{\"to\": \"stored\"}");
    }
}

/* Enrol and randomize; returns the kit code allocated (static). */
static const char *randomize(client *c, const char *inv, const char *id, const char *sex)
{
    static char kit[16];
    char body[300], path[100];
    tu_enrol_body(body, sizeof body, id, sex);
    json_decref(call(c, inv, "POST", "/api/subjects", body, 201));
    snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
    json_t *j = call(c, inv, "POST", path, NULL, 200);
    snprintf(kit, sizeof kit, "%s", json_string_value(json_object_get(j, "kit_code")));
    json_decref(j);
    assert_int_equal(strlen(kit), RK_KITCODE_LEN + 1);
    return kit;
}

/* Today (UTC) as a date and an infusion body on today: start and end between midnight and now. */
static rk_date today(void)
{
    return (rk_date)(time(NULL) / 86400);
}

static void day_str(rk_date d, char out[16])
{
    rk_date_format(d, out, 16);
}

static void infusion_body(char *b, size_t n, const char *kit, const char *visit)
{
    rk_time now = (rk_time)time(NULL), midnight = now - now % 86400;
    char s[32], e[32], v[64] = "";
    rk_time_format(midnight + (now - midnight) / 2, s, sizeof s);
    rk_time_format(now, e, sizeof e);
    if (visit) snprintf(v, sizeof v, "\"visit\": \"%s\", ", visit);
    snprintf(b, n,
             "{\"kit\": \"%s\", %s\"infusion\": {\"start\": \"%s\", \"end\": \"%s\", "
             "\"temp_c\": 36.9, \"pulse\": 74, \"resp_rate\": 18, \"sbp\": 118, \"dbp\": 76, "
             "\"spo2\": 96, \"reactions\": \"mild chills\"}}",
             kit, v, s, e);
}

static sqlite3 *open_db(const char *db)
{
    sqlite3 *d;
    assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
    return d;
}

static int count_sql(const char *db, const char *sql)
{
    sqlite3 *d = open_db(db);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(d, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(d);
    return n;
}

/* Copy the database, run sql on the copy (append-only triggers dropped), verify it. */
static void tamper(const tu_trial *t, const char *sql, const char *problem_part)
{
    char copy[300], cmd[1200];
    snprintf(copy, sizeof copy, "%s/tampered.db", t->dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", t->db, copy, copy, copy);
    assert_int_equal(system(cmd), 0);
    sqlite3 *d = open_db(copy);
    char *msg = NULL;
    int rc = sqlite3_exec(d,
                          "DROP TRIGGER audit_no_update; DROP TRIGGER subject_visits_no_update; "
                          "DROP TRIGGER supply_settings_no_update; DROP TRIGGER "
                          "subject_visits_no_delete;",
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

static json_t *visit_named(json_t *visits, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(
        visits, i, v) if (!strcmp(json_string_value(json_object_get(v, "visit")), name)) return v;
    fail_msg("no visit %s", name);
    return NULL;
}

static const char *status_of(json_t *visits, const char *name)
{
    return json_string_value(json_object_get(visit_named(visits, name), "status"));
}

static void test_schedule_and_infusions(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    load_kits(&t, 8);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    stock(&c, "SH1", "S01", "pha1", 0, 10);
    stock(&c, "SH2", "S02", "pha2", 10, 14);
    char k1[16], path[120], body[600], d0[16], d[16];
    snprintf(k1, sizeof k1, "%s", randomize(&c, "inv1", "A001", "M"));
    day_str(today(), d0);

    /* the kit allocated at randomization is audited as done by the investigator */
    {
        char sql[300];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM audit WHERE action = 'kit_allocate' AND who = 'inv1' AND "
                 "what LIKE 'kit=%s %%subject=A001 %%'",
                 k1);
        assert_int_equal(count_sql(t.db, sql), 1);
        assert_int_equal(count_sql(t.db, "SELECT count(*) FROM kit_events WHERE action = "
                                         "'allocate' AND who = 'iwrs'"),
                         0);
    }

    /* the schedule from day 0 = the randomization date */
    json_t *j = call(&c, "inv1", "GET", "/api/supply/subjects/A001/schedule", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(j, "randomized")), d0);
    json_t *vs = json_object_get(j, "visits");
    assert_int_equal(json_array_size(vs), 8);
    assert_string_equal(status_of(vs, "ct-baseline"), "due");
    assert_string_equal(status_of(vs, "infusion-1"), "due");
    assert_string_equal(status_of(vs, "infusion-2"), "upcoming");
    json_t *v2 = visit_named(vs, "infusion-2");
    day_str(today() + 2, d);
    assert_string_equal(json_string_value(json_object_get(v2, "window_start")), d);
    day_str(today() + 4, d);
    assert_string_equal(json_string_value(json_object_get(v2, "window_end")), d);
    day_str(today() + 3, d);
    assert_string_equal(json_string_value(json_object_get(v2, "target")), d);
    json_decref(j);

    /* on day 3 (?on=): infusion-1 and ct-baseline missed, infusion-2 due */
    day_str(today() + 3, d);
    snprintf(path, sizeof path, "/api/supply/subjects/A001/schedule?on=%s", d);
    j = call(&c, "mon", "GET", path, NULL, 200);
    vs = json_object_get(j, "visits");
    assert_string_equal(status_of(vs, "infusion-1"), "missed");
    assert_string_equal(status_of(vs, "ct-baseline"), "missed");
    assert_string_equal(status_of(vs, "infusion-2"), "due");
    json_decref(j);
    day_str(today() + 4, d);
    snprintf(path, sizeof path, "/api/supply/schedule?on=%s", d);
    j = call(&c, "inv1", "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "missed")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "overdue")), 1); /* infusion-2 */
    assert_int_equal(json_integer_value(json_object_get(j, "due")), 0);
    json_decref(j);
    refused(&c, "inv1", "GET", "/api/supply/schedule?on=tomorrow", NULL, 400,
            "?on=tomorrow: give a date YYYY-MM-DD");

    /* an infusion needs the kit dispensed first (the library's refusal, audited) */
    infusion_body(body, sizeof body, k1, NULL);
    j = call(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", body, 409);
    assert_non_null(strstr(err_of(j), "is stored; it cannot become administered"));
    json_decref(j);
    snprintf(path, sizeof path, "{\"to\": \"dispensed\", \"subject\": \"A001\"}");
    scan(&c, "pha1", k1, path);
    /* another site's investigator cannot record it; neither can a monitor */
    json_decref(call(&c, "inv2", "POST", "/api/supply/subjects/A001/infusions", body, 403));
    json_decref(call(&c, "mon", "POST", "/api/supply/subjects/A001/infusions", body, 403));
    j = call(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", body, 201);
    assert_string_equal(json_string_value(json_object_get(j, "visit")), "infusion-1");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "done");
    assert_string_equal(json_string_value(json_object_get(j, "done")), d0);
    assert_string_equal(json_string_value(json_object_get(j, "kit_code")), k1);
    json_t *inf = json_object_get(j, "infusion");
    assert_true(json_number_value(json_object_get(inf, "spo2")) == 96);
    assert_string_equal(json_string_value(json_object_get(inf, "reactions")), "mild chills");
    json_decref(j);
    snprintf(path, sizeof path, "/api/supply/kits/%s", k1);
    j = call(&c, "inv1", "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "administered");
    json_decref(j);

    /* refusals with their exact messages */
    infusion_body(body, sizeof body, k1, "infusion-1");
    snprintf(d, sizeof d, "%s", d0);
    {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "subject A001: visit infusion-1 was already recorded on %s (kit %s)", d0, k1);
        refused(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", body, 409, msg);
    }
    infusion_body(body, sizeof body, k1, "ct-day10");
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", body, 400,
            "visit ct-day10 is a ct visit, not an infusion: record it with POST "
            "/api/supply/subjects/A001/visits");
    infusion_body(body, sizeof body, k1, "infusion-9");
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", body, 400,
            "no visit 'infusion-9' in the trial's schedule");
    infusion_body(body, sizeof body, "ABCDEFGH2", NULL);
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", body, 400,
            "'ABCDEFGH2' is not a valid kit code (length or check symbol wrong): scan the label "
            "again or retype the code");
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", "{\"kit\": \"X\"}", 400,
            "missing field 'infusion' (start, end, vital signs, reactions)");
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions",
            "{\"kit\": \"X\", \"infusion\": {}, \"dose\": 1}", 400,
            "unknown field 'dose' (expected kit, visit, infusion, where)");
    snprintf(body, sizeof body,
             "{\"kit\": \"%s\", \"infusion\": {\"start\": \"2026-03-01T10:00:00Z\", \"end\": "
             "\"2026-03-01T09:00:00Z\"}}",
             k1);
    refused(&c, "inv1", "POST", "/api/supply/subjects/A009/infusions", body, 404,
            "subject A009 is not enrolled");
    snprintf(body, sizeof body,
             "{\"kit\": \"%s\", \"visit\": \"infusion-2\", \"infusion\": {\"start\": "
             "\"2999-03-01T09:00:00Z\", \"end\": \"2999-03-01T10:00:00Z\"}}",
             k1);
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/infusions", body, 400,
            "infusion: 'end' 2999-03-01T10:00:00Z is in the future: record an infusion once it is "
            "over");

    /* CT and follow-up visits */
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/visits", "{\"visit\": \"infusion-2\"}",
            400,
            "visit infusion-2 is an infusion: record it with POST "
            "/api/supply/subjects/A001/infusions (the kit and the infusion)");
    refused(&c, "inv1", "POST", "/api/supply/subjects/A001/visits",
            "{\"visit\": \"ct-day10\", \"date\": \"2999-01-01\"}", 400,
            "field 'date': 2999-01-01 is in the future: record a visit once it is done");
    json_decref(call(&c, "pha1", "POST", "/api/supply/subjects/A001/visits",
                     "{\"visit\": \"ct-baseline\"}", 403));
    json_decref(call(&c, "inv2", "POST", "/api/supply/subjects/A001/visits",
                     "{\"visit\": \"ct-baseline\"}", 403));
    j = call(&c, "inv1", "POST", "/api/supply/subjects/A001/visits", "{\"visit\": \"ct-baseline\"}",
             201);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "done");
    json_decref(j);
    {
        char msg[200];
        snprintf(msg, sizeof msg, "subject A001: visit ct-baseline was already recorded on %s", d0);
        refused(&c, "inv1", "POST", "/api/supply/subjects/A001/visits",
                "{\"visit\": \"ct-baseline\"}", 409, msg);
    }

    /* the second kit administered through the plain scan: infusion-2 recorded too (today, so
     * outside its window: a deviation the schedule shows) */
    j = call(&c, "pha1", "POST", "/api/supply/subjects/A001/allocate", NULL, 200);
    char k2[16];
    snprintf(k2, sizeof k2, "%s", json_string_value(json_object_get(j, "kit_code")));
    json_decref(j);
    scan(&c, "pha1", k2, "{\"to\": \"dispensed\", \"subject\": \"A001\"}");
    {
        rk_time now = (rk_time)time(NULL);
        char s[32];
        rk_time_format(now, s, sizeof s);
        snprintf(body, sizeof body,
                 "{\"to\": \"administered\", \"subject\": \"A001\", \"infusion\": {\"start\": "
                 "\"%s\", \"end\": \"%s\"}}",
                 s, s);
        scan(&c, "inv1", k2, body);
    }
    j = call(&c, "inv1", "GET", "/api/supply/subjects/A001/schedule", NULL, 200);
    vs = json_object_get(j, "visits");
    assert_string_equal(status_of(vs, "infusion-1"), "done");
    assert_string_equal(status_of(vs, "infusion-2"), "done-out-of-window");
    assert_string_equal(status_of(vs, "ct-baseline"), "done");
    assert_string_equal(status_of(vs, "infusion-3"), "upcoming");
    assert_string_equal(
        json_string_value(json_object_get(visit_named(vs, "infusion-2"), "kit_code")), k2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(visit_named(vs, "infusion-1"), "infusion"), "reactions")),
        "mild chills");
    json_decref(j);

    /* not randomized yet: no schedule */
    tu_enrol_body(body, sizeof body, "A002", "F");
    json_decref(call(&c, "inv1", "POST", "/api/subjects", body, 201));
    refused(
        &c, "inv1", "GET", "/api/supply/subjects/A002/schedule", NULL, 409,
        "subject A002 is not randomized yet: the visit schedule starts at randomization (day 0)");
    /* the site list: S02's investigator sees none of S01's subjects */
    j = call(&c, "inv2", "GET", "/api/supply/schedule", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "visits")), 0);
    json_decref(j);
    j = call(&c, "inv1", "GET", "/api/supply/schedule", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "visits")), 0); /* all done or upcoming */
    json_decref(j);

    /* restart: the same schedule, from the store */
    rk__http_close(&c.h);
    rk_server_stop(srv);
    srv = start(&t);
    login_all(&c, rk_server_port(srv));
    j = call(&c, "bstat", "GET", "/api/supply/subjects/A001/schedule", NULL, 200);
    vs = json_object_get(j, "visits");
    assert_string_equal(status_of(vs, "infusion-2"), "done-out-of-window");
    json_decref(j);
    rk__http_close(&c.h);
    rk_server_stop(srv);

    /* the same from the library (what `supply report --db --what visits` prints) */
    {
        rk_store *st = NULL;
        rk_error err = {0};
        rk_supply_settings set;
        rk_subject_visit *v = NULL;
        size_t nv = 0;
        assert_int_equal(rk_store_open(t.db, 0, &st, &err), RK_OK);
        assert_int_equal(rk_supply_store_visits(st, &set, &v, &nv, &err), RK_OK);
        rk_store_close(st);
        assert_int_equal(nv, 8); /* A001 only: A002 is not randomized */
        size_t done = 0;
        for (size_t i = 0; i < nv; i++) {
            assert_string_equal(v[i].subject, "A001");
            assert_string_equal(v[i].site, "S01");
            assert_int_equal(v[i].day0, today());
            const char *name = set.schedule.visit[v[i].visit].name;
            if (!strcmp(name, "infusion-1")) assert_string_equal(v[i].kit, k1);
            if (!strcmp(name, "infusion-2")) assert_string_equal(v[i].kit, k2);
            if (!strcmp(name, "ct-day10")) assert_int_equal(v[i].done, RK_NOT_DONE);
            done += v[i].done != RK_NOT_DONE;
        }
        assert_int_equal(done, 3);
        free(v);
    }

    /* the audit trail: verifies, has the visit records, detects tampering */
    assert_true(tu_verify(t.db, NULL));
    assert_int_equal(count_sql(t.db, "SELECT count(*) FROM audit WHERE action = 'visit_done'"), 3);
    assert_int_equal(count_sql(t.db, "SELECT count(*) FROM subject_visits"), 3);
    tamper(&t, "UPDATE subject_visits SET done = '2000-01-01' WHERE visit = 'infusion-2'",
           "subject A001 visit infusion-2 differs from its audit record");
    tamper(&t, "UPDATE subject_visits SET kit = 'XXXX' WHERE visit = 'infusion-1'",
           "differs from its audit record");
    tamper(&t, "UPDATE subject_visits SET who = 'mallory' WHERE visit = 'ct-baseline'",
           "differs from its audit record");
    tamper(&t, "DELETE FROM subject_visits WHERE visit = 'ct-baseline'",
           "has no row in subject_visits (the row was deleted)");
    tamper(&t,
           "UPDATE audit SET what = replace(what, 'visit=ct-baseline', 'visit=ct-day10') "
           "WHERE action = 'visit_done'",
           "was edited");
    /* the tables are append-only */
    sqlite3 *db = open_db(t.db);
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM subject_visits", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "visit records are append-only"));
    sqlite3_free(msg);
    sqlite3_close(db);
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* Supply settings in the store: checked, audited, used by the resupply and schedule endpoints. */
static void test_settings(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    load_kits(&t, 12);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    /* defaults: trigger 2, buffer 4 per arm -> 8 kits for an empty site */
    json_t *j = call(&c, "admin", "GET", "/api/supply/sites/S01/resupply", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "trigger")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "buffer")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "min_shelf_days")), 14);
    assert_int_equal(json_array_size(json_object_get(j, "kits")), 8);
    json_decref(j);

    rk_store *s = NULL;
    rk_error err = {0};
    rk_supply_settings set;
    assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
    assert_int_equal(rk_supply_store_settings(s, &set, &err), RK_OK);
    assert_int_equal(set.schedule.n, 8);
    set.resupply_trigger = 3;
    set.resupply_buffer = 2;
    assert_int_equal(rk_supply_store_configure(s, &set, "admin", &err), RK_EINVAL);
    assert_string_equal(err.msg, "resupply buffer 2 is below the trigger 3: the buffer is the "
                                 "level a shipment restores, at least the trigger");
    set.resupply_buffer = 6;
    set.min_shelf_days = -1;
    assert_int_equal(rk_supply_store_configure(s, &set, "admin", &err), RK_EINVAL);
    assert_string_equal(err.msg, "minimum shelf life -1 days: give 0 to 3650");
    set.min_shelf_days = 0;
    snprintf(set.schedule.visit[2].name, sizeof set.schedule.visit[2].name, "infusion-1");
    assert_int_equal(rk_supply_store_configure(s, &set, "admin", &err), RK_EINVAL);
    assert_string_equal(
        err.msg, "schedule visit 'infusion-1' is listed twice: give each visit its own name");
    /* a protocol's schedule: infusions on days 0 and 2 (+-0) */
    set.schedule.n = 0;
    rk_visit_def v1 = {.name = "inf-a", .kind = RK_VISIT_INFUSION, .day = 0};
    rk_visit_def v2 = {.name = "inf-b", .kind = RK_VISIT_INFUSION, .day = 2};
    set.schedule.visit[set.schedule.n++] = v1;
    set.schedule.visit[set.schedule.n++] = v2;
    assert_int_equal(rk_supply_store_configure(s, &set, "admin", &err), RK_OK);
    rk_supply_settings back;
    assert_int_equal(rk_supply_store_settings(s, &back, &err), RK_OK);
    assert_int_equal(back.resupply_trigger, 3);
    assert_int_equal(back.resupply_buffer, 6);
    assert_int_equal(back.min_shelf_days, 0);
    assert_int_equal(back.schedule.n, 2);
    assert_string_equal(back.schedule.visit[1].name, "inf-b");
    assert_int_equal(back.schedule.visit[1].day, 2);
    rk_store_close(s);

    /* the running server uses them at once */
    j = call(&c, "admin", "GET", "/api/supply/sites/S01/resupply", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "trigger")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "buffer")), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "min_shelf_days")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "kits")), 12);
    json_decref(j);
    stock(&c, "SH1", "S01", "pha1", 0, 12);
    j = call(&c, "admin", "GET", "/api/supply/sites/S01/resupply", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "kits")), 0); /* 6 usable per arm */
    json_decref(j);
    randomize(&c, "inv1", "B001", "F");
    j = call(&c, "inv1", "GET", "/api/supply/subjects/B001/schedule", NULL, 200);
    json_t *vs = json_object_get(j, "visits");
    assert_int_equal(json_array_size(vs), 2);
    char d[16];
    day_str(today() + 2, d);
    assert_string_equal(json_string_value(json_object_get(visit_named(vs, "inf-b"), "target")), d);
    json_decref(j);
    rk__http_close(&c.h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    assert_int_equal(count_sql(t.db, "SELECT count(*) FROM audit WHERE action = 'supply_settings' "
                                     "AND what LIKE 'settings={\"resupply\":{\"buffer\":6,%'"),
                     1);
    tamper(&t, "UPDATE supply_settings SET data = replace(data, '\"buffer\":6', '\"buffer\":60')",
           "supply settings 1 differ from their audit record");
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* Arm of a kit code in the test's kit list (the unblinded link). */
static int arm_of(const char *code)
{
    for (size_t i = 0; i < kits->n; i++)
        if (!strcmp(kits->kit[i].code, code)) return kits->kit[i].arm;
    return -1;
}

/* The resupply answer of a blinded role says nothing about arms: when one arm runs low the
 * shipment still carries the same number of kits of every arm, and no arm, batch or per-arm count
 * is in it.  Unblinded roles (the site's pharmacist, the unblinded statistician) get the per-arm
 * detail. */
static void test_resupply_blinded(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    load_kits(&t, 12); /* 24 kits, 12 of each arm */
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    stock(&c, "SH1", "S01", "pha1", 0, 12); /* 6 of each arm at S01, 6 of each at the depot */
    char k1[16];
    snprintf(k1, sizeof k1, "%s", randomize(&c, "inv1", "B001", "F"));
    int low = arm_of(k1); /* that arm now has 5 usable kits at S01, the other 6 */
    assert_true(low == 0 || low == 1);
    rk_store *s = NULL;
    rk_error err = {0};
    rk_supply_settings set;
    assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
    assert_int_equal(rk_supply_store_settings(s, &set, &err), RK_OK);
    set.resupply_trigger = 6;
    set.resupply_buffer = 6;
    assert_int_equal(rk_supply_store_configure(s, &set, "admin", &err), RK_OK);
    rk_store_close(s);

    json_t *j = call(&c, "admin", "GET", "/api/supply/sites/S01/resupply", NULL, 200);
    json_t *arr = json_object_get(j, "kits");
    /* before: 1 kit, of the arm of B001's kit */
    assert_int_equal(json_array_size(arr), 12);
    assert_int_equal(json_integer_value(json_object_get(j, "n_kits")), 12);
    size_t per[2] = {0, 0};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        int a = arm_of(json_string_value(json_array_get(arr, i)));
        assert_true(a == 0 || a == 1);
        per[a]++;
    }
    assert_int_equal(per[0], 6);
    assert_int_equal(per[1], 6);
    assert_null(json_object_get(j, "arms"));
    char *dump = json_dumps(j, 0);
    assert_null(strstr(dump, "arm_"));
    assert_null(strstr(dump, "BATCH"));
    free(dump);
    json_decref(j);

    /* unblinded: arm by arm */
    const char *const unbl[] = {"pha1", "ustat"};
    for (size_t u = 0; u < 2; u++) {
        j = call(&c, unbl[u], "GET", "/api/supply/sites/S01/resupply", NULL, 200);
        json_t *arms = json_object_get(j, "arms");
        assert_int_equal(json_array_size(arms), 2);
        for (size_t a = 0; a < 2; a++) {
            json_t *o = json_array_get(arms, a);
            assert_string_equal(json_string_value(json_object_get(o, "arm")),
                                a ? "arm_b" : "arm_a");
            assert_int_equal(json_integer_value(json_object_get(o, "usable")),
                             (int)a == low ? 5 : 6);
            assert_int_equal(json_integer_value(json_object_get(o, "depot")), 6);
            json_t *ka = json_object_get(o, "kits");
            assert_int_equal(json_array_size(ka), 6);
            for (size_t i = 0; i < 6; i++)
                assert_int_equal(arm_of(json_string_value(json_array_get(ka, i))), (int)a);
        }
        json_decref(j);
    }
    j = call(&c, "pha2", "GET", "/api/supply/sites/S01/resupply", NULL, 403);
    json_decref(j);
    j = call(&c, "inv1", "GET", "/api/supply/sites/S01/resupply", NULL, 403);
    json_decref(j);
    rk__http_close(&c.h);
    rk_server_stop(srv);
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* Role x site matrix of the schedule and infusion endpoints; no blinded answer shows an arm. */
static void test_visits_authz(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    load_kits(&t, 6);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    stock(&c, "SH1", "S01", "pha1", 0, 8);
    char k1[16], inf[600];
    snprintf(k1, sizeof k1, "%s", randomize(&c, "inv1", "A001", "M"));
    scan(&c, "pha1", k1, "{\"to\": \"dispensed\", \"subject\": \"A001\"}");
    /* an infusion of a visit that does not exist: 400 for whoever may record, after the
     * role and site checks */
    infusion_body(inf, sizeof inf, k1, "nope");
    static const char *const roles_order[TU_NUSERS] = {"admin", "inv1",  "inv2",  "pha1",
                                                       "pha2",  "bstat", "ustat", "mon"};
    struct {
        const char *method, *path, *body;
        int want[TU_NUSERS];
    } m[] = {
        {"GET", "/api/supply/schedule", NULL, {200, 200, 200, 200, 200, 200, 200, 200}},
        {"GET",
         "/api/supply/subjects/A001/schedule",
         NULL,
         {200, 200, 403, 200, 403, 200, 200, 200}},
        {"POST",
         "/api/supply/subjects/A001/infusions",
         inf,
         {403, 400, 403, 400, 403, 403, 403, 403}},
        {"POST",
         "/api/supply/subjects/A001/visits",
         "{\"visit\": \"nope\"}",
         {403, 400, 403, 403, 403, 403, 403, 403}},
    };
    for (size_t e = 0; e < sizeof m / sizeof m[0]; e++)
        for (int r = 0; r < TU_NUSERS; r++) {
            int st;
            char *raw = NULL;
            json_t *j = req(&c, roles_order[r], m[e].method, m[e].path, m[e].body, &st, &raw);
            if (st != m[e].want[r])
                fail_msg("%s %s as %s: %d, want %d: %s", m[e].method, m[e].path, roles_order[r], st,
                         m[e].want[r], raw);
            free(raw);
            json_decref(j);
        }
    /* the real thing, then every role reads the schedule with the infusion: no arm, no batch
     * for the blinded ones (checked by req) */
    infusion_body(inf, sizeof inf, k1, NULL);
    json_decref(call(&c, "pha1", "POST", "/api/supply/subjects/A001/infusions", inf, 201));
    json_decref(call(&c, "inv1", "POST", "/api/supply/subjects/A001/visits",
                     "{\"visit\": \"ct-baseline\"}", 201));
    for (int r = 0; r < TU_NUSERS; r++) {
        int st;
        json_t *j =
            req(&c, roles_order[r], "GET", "/api/supply/subjects/A001/schedule", NULL, &st, NULL);
        assert_int_equal(
            st, strcmp(roles_order[r], "inv2") && strcmp(roles_order[r], "pha2") ? 200 : 403);
        json_decref(j);
        json_decref(
            req(&c, roles_order[r], "GET", "/api/supply/schedule?on=2999-01-01", NULL, &st, NULL));
        assert_int_equal(st, 200);
    }
    /* the monitor's audit trail has the visit records and no arm */
    int st;
    char *raw = NULL;
    json_decref(req(&c, "mon", "GET", "/api/audit", NULL, &st, &raw));
    assert_int_equal(st, 200);
    assert_false(shows_arm(raw));
    assert_non_null(strstr(raw, "visit_done"));
    free(raw);
    rk__http_close(&c.h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

/* rk_server_call (what `rctkit supply scan --db` uses) while the server runs: the same checks
 * and audit records, and the server sees the change at once. */
static void test_server_call(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    load_kits(&t, 4);
    rk_server *srv = start(&t);
    client c;
    login_all(&c, rk_server_port(srv));
    stock(&c, "SH1", "S01", "pha1", 0, 4);
    char path[100], pw[64], *resp = NULL;
    int status = 0;
    rk_error err = {0};
    snprintf(path, sizeof path, "/api/supply/kits/%s/scan", kits->kit[0].code);
    tu_password("pha1", pw, sizeof pw);
    assert_int_equal(rk_server_call(t.db, "pha1", pw, "POST", path,
                                    "{\"to\": \"damaged\", \"why\": \"bag torn\"}", &status, &resp,
                                    &err),
                     RK_OK);
    assert_int_equal(status, 200);
    assert_non_null(strstr(resp, "\"state\":\"damaged\""));
    free(resp);
    snprintf(path, sizeof path, "/api/supply/kits/%s", kits->kit[0].code);
    json_t *j = call(&c, "inv1", "GET", path, NULL, 200); /* the server rebuilt its state */
    assert_string_equal(json_string_value(json_object_get(j, "state")), "damaged");
    json_decref(j);
    /* a wrong password, another site, a blinded role reading: the server's answers */
    snprintf(path, sizeof path, "/api/supply/kits/%s/scan", kits->kit[1].code);
    assert_int_equal(rk_server_call(t.db, "pha1", "nope", "POST", path, "{\"to\": \"lost\"}",
                                    &status, &resp, &err),
                     RK_OK);
    assert_int_equal(status, 401);
    assert_string_equal(resp, "{\"error\":\"wrong user name or password\"}");
    free(resp);
    tu_password("pha2", pw, sizeof pw);
    assert_int_equal(
        rk_server_call(t.db, "pha2", pw, "POST", path, "{\"to\": \"lost\"}", &status, &resp, &err),
        RK_OK);
    assert_int_equal(status, 403);
    assert_string_equal(resp, "{\"error\":\"pharmacist 'pha2' works at site S02, not S01\"}");
    free(resp);
    tu_password("inv1", pw, sizeof pw);
    assert_int_equal(
        rk_server_call(t.db, "inv1", pw, "GET", "/api/supply/kits", NULL, &status, &resp, &err),
        RK_OK);
    assert_int_equal(status, 200);
    assert_false(shows_arm(resp));
    free(resp);
    assert_int_equal(
        rk_server_call(t.db, "inv1", pw, "PUT", "/api/supply/kits", NULL, &status, &resp, &err),
        RK_EINVAL);
    assert_string_equal(err.msg, "method must be GET or POST, not 'PUT'");
    /* a session: one login, several requests, one logout */
    rk_server_session *ses = NULL;
    tu_password("pha1", pw, sizeof pw);
    assert_int_equal(rk_server_session_open(t.db, "pha1", pw, &ses, &status, &resp, &err), RK_OK);
    assert_non_null(ses);
    assert_null(resp);
    for (int i = 1; i < 3; i++) {
        snprintf(path, sizeof path, "/api/supply/kits/%s/scan", kits->kit[i].code);
        assert_int_equal(rk_server_session_call(ses, "POST", path,
                                                "{\"to\": \"quarantined\", \"why\": \"alarm\"}",
                                                &status, &resp, &err),
                         RK_OK);
        assert_int_equal(status, 200);
        free(resp);
    }
    assert_int_equal(rk_server_session_call(ses, "POST", path, "[1]", &status, &resp, &err),
                     RK_EINVAL);
    assert_string_equal(err.msg, "the request body is not a JSON object");
    rk_server_session_close(ses);
    assert_int_equal(rk_server_session_open(t.db, "nobody", pw, &ses, &status, &resp, &err), RK_OK);
    assert_null(ses);
    assert_int_equal(status, 401);
    free(resp);
    rk__http_close(&c.h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    assert_int_equal(count_sql(t.db, "SELECT count(*) FROM audit WHERE action = 'login_failed' AND "
                                     "who = 'pha1@cli'"),
                     1);
    assert_int_equal(count_sql(t.db, "SELECT count(*) FROM audit WHERE action = 'login' AND who = "
                                     "'pha1' AND what LIKE '%from=cli'"),
                     2); /* the damaged scan's call and the session */
    assert_int_equal(count_sql(t.db, "SELECT count(*) FROM audit WHERE action = 'access_denied' "
                                     "AND who = 'pha2'"),
                     1);
    assert_int_equal(count_sql(t.db, "SELECT count(*) FROM sessions"),
                     8); /* the 8 HTTP logins: rk_server_call logged out */
    rk_kitlist_free(kits);
    kits = NULL;
    tu_remove_trial(&t);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_and_infusions),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_resupply_blinded),
        cmocka_unit_test(test_visits_authz),
        cmocka_unit_test(test_server_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
