/* The kit code hook over real HTTP with a real supply state (rctkit/supply.h): randomizing
 * allocates the kit of the subject's arm stored at the subject's site, the investigator gets
 * its code and never the arm, the code is in the audit record; a site without a suitable kit
 * refuses the randomization (409, audited, administrator alerted) and allocates nothing.
 * For a trial serving a list and for a minimization trial randomized at allocation time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "rctkit/supply.h"
#include "server_util.h"

typedef struct supply_ctx {
    rk_supply *sup;
    int calls;
} supply_ctx;

/* The hook: the subject's arm into the supply state, then the next kit of that arm at the
 * site; a subject that already has a kit keeps it (a retry after a failed commit). */
static rk_status kit_hook(void *ctx, const char *subject, const char *site, const char *arm,
                          const char *user, char *code, size_t size, rk_error *err)
{
    supply_ctx *c = ctx;
    c->calls++;
    const rk_kitlist *l = rk_supply_kits(c->sup);
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->kit[i].subject, subject)) {
            snprintf(code, size, "%s", l->kit[i].code);
            return RK_OK;
        }
    int a;
    for (a = 0; a < (int)l->n_arms && strcmp(l->arm[a], arm); a++)
        ;
    if (a == (int)l->n_arms) return rk_error_set(err, RK_EINTERNAL, "arm not in the kit list");
    rk_status st = rk_supply_set_subject(c->sup, subject, a, site, err);
    if (st) return st;
    rk_date on = 0;
    rk_time when = 0;
    rk_date_parse("2020-03-02", &on, NULL);
    rk_time_parse("2020-03-02T09:00:00Z", &when, NULL);
    char kc[RK_KITCODE_SIZE];
    if ((st = rk_supply_allocate(c->sup, subject, on, user, when, kc, err))) return st;
    snprintf(code, size, "%s", kc);
    return RK_OK;
}

/* 24 kits of arm_a and arm_b (1:1, blocks of 4); kits 1..16 stored at S01, none at S02. */
static void make_supply(supply_ctx *c, rk_kitlist **list)
{
    rk_kitlist_spec s;
    memset(&s, 0, sizeof s);
    s.seed = "kits";
    s.n_arms = 2;
    s.arm[0] = "arm_a";
    s.arm[1] = "arm_b";
    s.ratio[0] = s.ratio[1] = 1;
    s.block_mult = 2;
    s.n_blocks = 6;
    s.lot = "LOT1";
    s.batch[0] = "B-A";
    s.batch[1] = "B-B";
    rk_date_parse("2021-01-01", &s.expiry, NULL);
    assert_int_equal(rk_kitlist_generate(&s, list, NULL), RK_OK);
    assert_int_equal(rk_supply_new(*list, NULL, &c->sup, NULL), RK_OK);
    rk_batch_release b[2];
    memset(b, 0, sizeof b);
    for (int i = 0; i < 2; i++) { /* both released (as placebo-like batches: sterility only) */
        snprintf(b[i].batch, sizeof b[i].batch, "%s", i ? "B-B" : "B-A");
        b[i].placebo = 1;
        b[i].sterile = 1;
        b[i].viability_trypan = b[i].viability_7aad = b[i].cd73 = b[i].cd90 = b[i].cd105 = NAN;
        b[i].cd34 = b[i].cd45 = b[i].cd11b = b[i].cd19 = b[i].hla_dr = NAN;
    }
    assert_int_equal(rk_supply_set_batches(c->sup, b, 2, NULL, NULL), RK_OK);
    rk_time t0 = 0;
    rk_time_parse("2020-03-01T06:00:00Z", &t0, NULL);
    static const rk_kit_state path[] = {RK_KIT_PACKAGED, RK_KIT_SHIPPED, RK_KIT_RECEIVED,
                                        RK_KIT_STORED};
    for (size_t i = 0; i < (*list)->n; i++)
        for (size_t p = 0; p < (i < 16 ? 4u : 1u); p++) {
            rk_scan sc = {.kit = (*list)->kit[i].code,
                          .to = path[p],
                          .who = "depot",
                          .where = "depot",
                          .why = "",
                          .when = t0 + 60 * (rk_time)p,
                          .site = "S01",
                          .shipment = "SH1"};
            rk_error e = {0};
            if (rk_supply_scan(c->sup, &sc, &e)) fail_msg("scan: %s", e.msg);
        }
}

static void run(int dynamic)
{
    tu_trial t;
    if (dynamic)
        tu_make_dyn_trial(&t, "{name: efron, p: 2/3}");
    else
        tu_make_trial(&t, 16);
    supply_ctx c = {0};
    rk_kitlist *list = NULL;
    make_supply(&c, &list);
    rk_server_opts o;
    rk_server_opts_init(&o);
    o.db = t.db;
    o.pwcost = RK_PWCOST_MIN;
    o.kit = kit_hook;
    o.kit_ctx = &c;
    rk_server *srv = NULL;
    rk_error err = {0};
    assert_int_equal(rk_server_start(&o, &srv, &err), RK_OK);
    rk__http h = {.fd = -1, .port = rk_server_port(srv)};
    char inv1[65], inv2[65], us[65], adm[65];
    assert_int_equal(tu_login(&h, "inv1", inv1), 0);
    assert_int_equal(tu_login(&h, "inv2", inv2), 0);
    assert_int_equal(tu_login(&h, "ustat", us), 0);
    assert_int_equal(tu_login(&h, "admin", adm), 0);
    /* eight subjects at S01: each gets a kit code, never the arm; the kit is of the arm */
    for (int i = 0; i < 8; i++) {
        char id[32], body[300], path[100], *raw = NULL;
        int st;
        snprintf(id, sizeof id, "K%02d", i);
        tu_enrol_body(body, sizeof body, id, i % 2 ? "M" : "F");
        json_decref(tu_req(&h, "POST", "/api/subjects", inv1, body, &st, NULL));
        assert_int_equal(st, 201);
        snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
        json_t *j = tu_req(&h, "POST", path, inv1, NULL, &st, &raw);
        assert_int_equal(st, 200);
        assert_null(strstr(raw, "arm"));
        const char *code = json_string_value(json_object_get(j, "kit_code"));
        assert_non_null(code);
        assert_true(rk_kitcode_valid(code));
        long k = rk_kitlist_find(rk_supply_kits(c.sup), code);
        assert_true(k >= 0);
        const rk_kit *kit = &rk_supply_kits(c.sup)->kit[k];
        assert_string_equal(kit->subject, id);
        assert_string_equal(kit->site, "S01");
        json_t *u;
        snprintf(path, sizeof path, "/api/subjects/%s", id);
        u = tu_req(&h, "GET", path, us, NULL, &st, NULL);
        assert_int_equal(st, 200);
        assert_string_equal(json_string_value(json_object_get(u, "arm")),
                            rk_supply_kits(c.sup)->arm[kit->arm]);
        json_decref(u);
        json_decref(j);
        free(raw);
    }
    assert_int_equal(c.calls, 8);
    /* S02 has no kit: refused, nothing allocated, audited, the administrator alerted */
    {
        char body[300], *raw = NULL;
        int st;
        tu_enrol_body(body, sizeof body, "NOKIT", "F");
        json_decref(tu_req(&h, "POST", "/api/subjects", inv2, body, &st, NULL));
        assert_int_equal(st, 201);
        json_t *j = tu_req(&h, "POST", "/api/subjects/NOKIT/randomize", inv2, NULL, &st, &raw);
        assert_int_equal(st, 409);
        const char *e = json_string_value(json_object_get(j, "error"));
        assert_non_null(e);
        assert_true(!strncmp(e, "subject NOKIT cannot be randomized now: ", 40));
        assert_non_null(strstr(e, "; the administrator has been alerted"));
        fprintf(stderr, "# %s\n", e);
        assert_null(strstr(raw, "arm_"));
        json_decref(j);
        free(raw);
        j = tu_req(&h, "GET", "/api/subjects/NOKIT", inv2, NULL, &st, NULL);
        assert_true(json_is_false(json_object_get(j, "randomized")));
        json_decref(j);
        json_decref(tu_req(&h, "GET", "/api/messages", adm, NULL, &st, &raw));
        assert_non_null(strstr(raw, "ALERT: no kit could be allocated at site S02; subject NOKIT"));
        assert_null(strstr(raw, "arm_"));
        free(raw);
        json_decref(tu_req(&h, "GET", "/api/audit", adm, NULL, &st, &raw));
        assert_non_null(strstr(raw, "\"action\":\"randomize_failed\",\"what\":\"subject=NOKIT "
                                    "stratum=S02|F: no kit\""));
        assert_non_null(strstr(raw, " kit=")); /* the codes given are audited */
        assert_null(strstr(raw, "arm_"));
        free(raw);
    }
    /* the next subject at S01 is randomized as usual (in a dynamic trial the refused draw was
     * never recorded: the state is rebuilt from the database before this one) */
    {
        char body[300];
        int st;
        tu_enrol_body(body, sizeof body, "AFTER", "M");
        json_decref(tu_req(&h, "POST", "/api/subjects", inv1, body, &st, NULL));
        assert_int_equal(st, 201);
        json_t *j = tu_req(&h, "POST", "/api/subjects/AFTER/randomize", inv1, NULL, &st, NULL);
        assert_int_equal(st, 200);
        assert_string_equal(json_string_value(json_object_get(j, "rand_no")),
                            dynamic ? "9" : "R200005");
        json_decref(j);
    }
    rk__http_close(&h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    if (dynamic) assert_int_equal(tu_replay_ok(t.db), 9);
    rk_supply_free(c.sup);
    rk_kitlist_free(list);
    tu_remove_trial(&t);
}

static void test_kit_list_trial(void **state)
{
    (void)state;
    run(0);
}

static void test_kit_dynamic_trial(void **state)
{
    (void)state;
    run(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kit_list_trial),
                                       cmocka_unit_test(test_kit_dynamic_trial)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
