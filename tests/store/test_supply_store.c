/* Supply in the trial store, without the server: loading (with its refusals), the sink writing
 * each transition with its audit record atomically (a failing write leaves neither and the kit
 * unchanged), the state rebuilt on reopening, and the triggers on the kit tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "../server/server_util.h"
#include "rctkit/supply.h"
#include "store/store_int.h"

static rk_kitlist *make_list(const char *arm_b)
{
    rk_kitlist_spec spec = {.seed = "store test",
                            .n_arms = 2,
                            .arm = {"arm_a", arm_b},
                            .ratio = {1, 1},
                            .n_blocks = 3,
                            .lot = "L1",
                            .batch = {"BA", "BB"}};
    rk_error e = {0};
    assert_int_equal(rk_date_parse("2099-01-01", &spec.expiry, &e), RK_OK);
    rk_kitlist *l = NULL;
    assert_int_equal(rk_kitlist_generate(&spec, &l, &e), RK_OK);
    return l;
}

static int64_t rows(rk_store *s, const char *sql)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

static void test_load_and_sink(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 4);
    rk_store *s = NULL;
    rk_supply *sup = NULL;
    rk_error e = {0};
    assert_int_equal(rk_store_open(t.db, 0, &s, &e), RK_OK);
    /* nothing loaded yet */
    assert_int_equal(rk_supply_store_open(s, &sup, &e), RK_ESTATE);
    assert_string_equal(e.msg, "this trial has no kit list: load one with 'rctkit supply load'");
    /* an arm that is not the trial's; a list without its arm link */
    rk_kitlist *bad = make_list("arm_z");
    assert_int_equal(rk_supply_store_load(s, bad, NULL, 0, "depot", &e), RK_EINVAL);
    assert_string_equal(e.msg, "the kit list's arm 'arm_z' is not an arm of the trial (give the "
                               "kit list written for this trial's arms)");
    rk_kitlist_free(bad);
    rk_kitlist *l = make_list("arm_b");
    l->kit[2].arm = -1;
    assert_int_equal(rk_supply_store_load(s, l, NULL, 0, "depot", &e), RK_EINVAL);
    char want[200];
    snprintf(want, sizeof want,
             "kit %s has no arm: load the kit list together with its unblinded arm link "
             "(kits-unblinded.csv)",
             l->kit[2].code);
    assert_string_equal(e.msg, want);
    l->kit[2].arm = 1;
    assert_int_equal(rk_supply_store_load(s, l, NULL, 0, "", &e), RK_EINVAL);
    int64_t audit0 = rows(s, "SELECT count(*) FROM audit");
    assert_int_equal(rk_supply_store_load(s, l, NULL, 0, "depot", &e), RK_OK);
    assert_int_equal(rows(s, "SELECT count(*) FROM audit"), audit0 + 1);
    assert_int_equal(rows(s, "SELECT count(*) FROM kits"), 6);

    /* scans outside any transaction: each one committed with its audit record */
    assert_int_equal(rk_supply_store_open(s, &sup, &e), RK_OK);
    rk_scan sc = {.kit = l->kit[0].code,
                  .to = RK_KIT_PACKAGED,
                  .who = "depot",
                  .where = "depot",
                  .role = RK_ROLE_ADMIN,
                  .when = 1767225600};
    assert_int_equal(rk_supply_scan(sup, &sc, &e), RK_OK);
    sc.to = RK_KIT_QUARANTINED;
    sc.why = "label smudged";
    assert_int_equal(rk_supply_scan(sup, &sc, &e), RK_OK);
    assert_int_equal(rows(s, "SELECT count(*) FROM kit_events"), 2);
    assert_int_equal(rows(s, "SELECT count(*) FROM audit WHERE action = 'kit_scan'"), 2);
    /* a store that cannot write refuses the transition: no event, no audit record, kit as it was */
    char *msg = NULL;
    assert_int_equal(sqlite3_exec(s->db,
                                  "CREATE TEMP TRIGGER full BEFORE INSERT ON kit_events BEGIN "
                                  "SELECT RAISE(ABORT, 'disk full (simulated)'); END;",
                                  NULL, NULL, &msg),
                     SQLITE_OK);
    int64_t audit1 = rows(s, "SELECT count(*) FROM audit");
    assert_int_not_equal(rk_supply_release(sup, l->kit[0].code, "ustat", RK_ROLE_UNBLINDED_STAT,
                                           "label readable", 1767225700, &e),
                         RK_OK);
    assert_non_null(strstr(e.msg, "disk full (simulated)"));
    assert_int_equal(rows(s, "SELECT count(*) FROM audit"), audit1);
    assert_int_equal(rows(s, "SELECT count(*) FROM kit_events"), 2);
    assert_int_equal(rk_supply_kits(sup)->kit[0].state, RK_KIT_QUARANTINED);
    assert_int_equal(sqlite3_exec(s->db, "DROP TRIGGER temp.full", NULL, NULL, &msg), SQLITE_OK);
    assert_int_equal(rk_supply_release(sup, l->kit[0].code, "ustat", RK_ROLE_UNBLINDED_STAT,
                                       "label readable", 1767225700, &e),
                     RK_OK);
    rk_supply_free(sup);
    /* the kit tables refuse changes */
    assert_int_not_equal(sqlite3_exec(s->db, "UPDATE kits SET arm = 'arm_b'", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_string_equal(msg, "the kit list is never changed");
    sqlite3_free(msg);
    assert_int_not_equal(sqlite3_exec(s->db, "DELETE FROM kit_events", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_string_equal(msg, "kit transitions are append-only");
    sqlite3_free(msg);
    rk_store_close(s);

    /* reopened: the state is replayed from the store */
    assert_int_equal(rk_store_open(t.db, 0, &s, &e), RK_OK);
    assert_int_equal(rk_supply_store_open(s, &sup, &e), RK_OK);
    assert_int_equal(rk_supply_seq(sup), 3);
    assert_int_equal(rk_supply_kits(sup)->kit[0].state, RK_KIT_PACKAGED);
    assert_int_equal(rk_supply_kits(sup)->kit[1].state, RK_KIT_PREPARED);
    assert_string_equal(rk_supply_kits(sup)->arm[rk_supply_kits(sup)->kit[1].arm],
                        l->arm[l->kit[1].arm]);
    rk_supply_free(sup);
    rk_audit_report rep;
    assert_int_equal(rk_audit_verify(s, NULL, &rep, &e), RK_OK);
    assert_true(rep.ok);
    rk_store_close(s);
    rk_kitlist_free(l);
    tu_remove_trial(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_load_and_sink)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
