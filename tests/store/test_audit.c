/* Trial configuration from files and the audit chain: intact after configuration, and every
 * kind of tampering (edit, delete, reorder, truncate) detected; triggers refuse changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "rctkit/store.h"
#include "store/store_int.h"

#define EX RK_FIXTURE_DIR "/../../examples/server/"
#define SD RK_FIXTURE_DIR "/../store/data/"

static char dir[256];
static char db[300];
static char tmpf[300];

static void fresh_db(void)
{
    snprintf(dir, sizeof dir, "/tmp/rk-audit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/trial.db", dir);
}

static void cleanup(void)
{
    char p[400];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        unlink(p);
    }
    unlink(tmpf);
    rmdir(dir);
}

static rk_status configure(const char *trial, const char *sites, const char *users,
                           const char *list, rk_error *err)
{
    rk_store *s = NULL;
    rk_status st = rk_store_open(db, 1, &s, err);
    if (st) return st;
    rk_trial_files f = {.trial = trial, .sites = sites, .users = users, .list = list};
    st = rk_store_configure(s, &f, RK_PWCOST_MIN, "tester", err);
    rk_store_close(s);
    return st;
}

static void configure_ok(void)
{
    rk_error err = {0};
    rk_status st = configure(EX "trial.json", EX "sites.csv", EX "users.csv", EX "list.csv", &err);
    if (st) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(st, RK_OK);
}

static rk_audit_report verify(const char *head)
{
    rk_store *s = NULL;
    rk_error err = {0};
    assert_int_equal(rk_store_open(db, 0, &s, &err), RK_OK);
    rk_audit_report rep;
    assert_int_equal(rk_audit_verify(s, head, &rep, &err), RK_OK);
    rk_store_close(s);
    return rep;
}

/* Run SQL on the database directly, as an attacker with the file would. */
static int raw(const char *sql, char *errbuf, size_t n)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
    if (errbuf) snprintf(errbuf, n, "%s", msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(h);
    return rc;
}

static const char untrigger[] = "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;";

static void test_intact(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    rk_audit_report r = verify(NULL);
    /* configure + 2 sites + 8 users + the list upload */
    assert_int_equal(r.n_records, 12);
    assert_true(r.ok);
    assert_int_equal(strlen(r.head), 64);
    char head[100];
    snprintf(head, sizeof head, "12:%s", r.head);
    assert_true(verify(head).ok);
    cleanup();
}

static void test_triggers_refuse(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    char m[256];
    assert_int_not_equal(raw("UPDATE audit SET why = 'x' WHERE seq = 2", m, sizeof m), SQLITE_OK);
    assert_string_equal(m, "audit records are append-only");
    assert_int_not_equal(raw("DELETE FROM audit WHERE seq = 12", m, sizeof m), SQLITE_OK);
    assert_string_equal(m, "audit records are append-only");
    assert_int_not_equal(raw("UPDATE slots SET arm = 'B'", m, sizeof m), SQLITE_OK);
    assert_string_equal(m, "the randomization list is never changed");
    assert_true(verify(NULL).ok);
    cleanup();
}

static void test_edit_detected(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    char sql[300];
    snprintf(sql, sizeof sql, "%s UPDATE audit SET who = 'mallory' WHERE seq = 5;", untrigger);
    assert_int_equal(raw(sql, NULL, 0), SQLITE_OK);
    rk_audit_report r = verify(NULL);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 5);
    assert_string_equal(r.problem, "record 5 was edited (its hash does not match its content)");
    cleanup();
}

static void test_edit_with_rehash_detected(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    /* an attacker who edits a record and copies a plausible hash still breaks the link */
    char sql[300];
    snprintf(sql, sizeof sql,
             "%s UPDATE audit SET hash = (SELECT hash FROM audit WHERE seq = 7) WHERE seq = 6;",
             untrigger);
    assert_int_equal(raw(sql, NULL, 0), SQLITE_OK);
    rk_audit_report r = verify(NULL);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 6);
    cleanup();
}

static void test_delete_detected(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    char sql[300];
    snprintf(sql, sizeof sql, "%s DELETE FROM audit WHERE seq = 4;", untrigger);
    assert_int_equal(raw(sql, NULL, 0), SQLITE_OK);
    rk_audit_report r = verify(NULL);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 4);
    assert_string_equal(r.problem, "record 4 is missing (deleted?)");
    /* ... and renumbering the rest to hide the gap breaks the chain instead */
    snprintf(sql, sizeof sql, "UPDATE audit SET seq = seq - 1 WHERE seq > 4;");
    assert_int_equal(raw(sql, NULL, 0), SQLITE_OK);
    r = verify(NULL);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 4);
    cleanup();
}

static void test_reorder_detected(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    /* swap records 8 and 9 completely (content, prev and hash), keeping sequence numbers */
    char sql[900];
    snprintf(sql, sizeof sql,
             "%s CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (8, 9);"
             "UPDATE audit SET (at, who, action, what, why, prev, hash) = (SELECT at, who, "
             "action, what, why, prev, hash FROM t WHERE t.seq = 17 - audit.seq) WHERE seq IN "
             "(8, 9);",
             untrigger);
    assert_int_equal(raw(sql, NULL, 0), SQLITE_OK);
    rk_audit_report r = verify(NULL);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, 8);
    cleanup();
}

static void test_truncation_needs_head(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    rk_audit_report r = verify(NULL);
    char head[100];
    snprintf(head, sizeof head, "12:%s", r.head);
    char sql[300];
    snprintf(sql, sizeof sql, "%s DELETE FROM audit WHERE seq = 12;", untrigger);
    assert_int_equal(raw(sql, NULL, 0), SQLITE_OK);
    assert_true(verify(NULL).ok); /* a chain alone cannot see its missing tail ... */
    r = verify(head);             /* ... the head kept elsewhere does */
    assert_false(r.ok);
    assert_non_null(strstr(r.problem, "the trail ends at 11:"));
    cleanup();
}

static void write_tmp(const char *text)
{
    snprintf(tmpf, sizeof tmpf, "%s/x.tmp", dir);
    FILE *f = fopen(tmpf, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void config_error(const char *which, const char *text, const char *want)
{
    fresh_db();
    write_tmp(text);
    rk_error err = {0};
    const char *t = !strcmp(which, "trial") ? tmpf : EX "trial.json";
    const char *s = !strcmp(which, "sites") ? tmpf : EX "sites.csv";
    const char *u = !strcmp(which, "users") ? tmpf : EX "users.csv";
    const char *l = !strcmp(which, "list") ? tmpf : EX "list.csv";
    assert_int_not_equal(configure(t, s, u, l, &err), RK_OK);
    char want2[600];
    snprintf(want2, sizeof want2, want, tmpf);
    assert_string_equal(err.msg, want2);
    /* nothing was half-configured: the transaction rolled back */
    rk_store *st = NULL;
    assert_int_equal(rk_store_open(db, 0, &st, &err), RK_OK);
    rk_audit_report rep;
    assert_int_equal(rk_audit_verify(st, NULL, &rep, &err), RK_OK);
    assert_int_equal(rep.n_records, 0);
    rk_store_close(st);
    cleanup();
}

static rk_status configure_design(const char *design, const char *sites, const char *elig,
                                  rk_error *err)
{
    rk_store *s = NULL;
    rk_status st = rk_store_open(db, 1, &s, err);
    if (st) return st;
    rk_trial_files f = {.trial = design,
                        .sites = sites,
                        .users = EX "users.csv",
                        .list = SD "design_list.csv",
                        .eligibility = elig};
    st = rk_store_configure(s, &f, RK_PWCOST_MIN, "tester", err);
    rk_store_close(s);
    return st;
}

/* The design YAML of `rctkit rand list` configures a trial directly. */
static void test_design_yaml(void **state)
{
    (void)state;
    fresh_db();
    rk_error err = {0};
    assert_int_equal(configure_design(SD "design.yaml", EX "sites.csv", SD "eligibility.csv", &err),
                     RK_OK);
    assert_true(verify(NULL).ok);
    rk_store *s = NULL;
    assert_int_equal(rk_store_open(db, 0, &s, &err), RK_OK);
    char *trial = rk__meta_get(s, "trial");
    assert_string_equal(
        trial, "{\"arms\":[\"UC-MSC\",\"placebo\"],\"eligibility\":[{\"id\":\"age_18_65\","
               "\"kind\":\"inclusion\",\"text\":\"aged 18 to 65 years\"},{\"id\":\"ards\","
               "\"kind\":\"exclusion\",\"text\":\"severe ARDS (PaO2/FiO2 < 100)\"}],"
               "\"factors\":[{\"name\":\"site\"}],\"name\":\"UC-MSC phase 2 (test copy)\"}");
    free(trial);
    rk_store_close(s);
    cleanup();

    fresh_db();
    assert_int_not_equal(configure_design(SD "bad_design.yaml", EX "sites.csv", NULL, &err), RK_OK);
    assert_string_equal(err.msg, SD "bad_design.yaml:5:1: invalid YAML: did not find expected ',' "
                                    "or ']'");
    cleanup();

    fresh_db();
    write_tmp("site,name\nS01,one\n");
    assert_int_not_equal(configure_design(SD "design.yaml", tmpf, NULL, &err), RK_OK);
    char want[600];
    snprintf(want, sizeof want, "%s: site 'S02' of the design is not in %s", SD "design.yaml",
             tmpf);
    assert_string_equal(err.msg, want);
    cleanup();

    fresh_db();
    snprintf(tmpf, sizeof tmpf, "%s/d.yaml", dir);
    FILE *f = fopen(tmpf, "w");
    assert_non_null(f);
    fputs("trial: x\narms: [{name: A}, {name: B}]\nstrata:\n  - name: site\nprocedure:\n  "
          "name: minimization\n",
          f);
    fclose(f);
    assert_int_not_equal(configure_design(tmpf, EX "sites.csv", NULL, &err), RK_OK);
    snprintf(want, sizeof want,
             "%s: procedure 'minimization' runs at allocation time and has no list: give --seed "
             "instead of --list",
             tmpf);
    assert_string_equal(err.msg, want);
    cleanup(); /* a failed configuration leaves an empty database behind: start afresh */
    fresh_db();
    snprintf(tmpf, sizeof tmpf, "%s/d.yaml", dir);
    f = fopen(tmpf, "w");
    assert_non_null(f);
    fputs("trial: x\narms: [{name: A}, {name: B}]\nstrata:\n  - name: sex\n    levels: [F, M]\n",
          f);
    fclose(f);
    assert_int_not_equal(configure_design(tmpf, EX "sites.csv", NULL, &err), RK_OK);
    snprintf(want, sizeof want,
             "%s: the design has no stratification factor 'site': the server randomizes by site "
             "(add it to 'strata:')",
             tmpf);
    assert_string_equal(err.msg, want);
    cleanup();
}

static void test_config_errors(void **state)
{
    (void)state;
    config_error("trial",
                 "{\"name\": \"x\", \"arms\": [\"A\", \"B\"], \"factors\": "
                 "[{\"name\": \"site\"}], \"colour\": 1}",
                 "%s: unknown field 'colour' (expected name, arms, factors, eligibility)");
    config_error("trial", "{\"name\": \"x\", \"arms\": [\"A\"], \"factors\": []}",
                 "%s: \"arms\" must be an array of 2 to 16 arm codes");
    config_error("trial",
                 "{\"name\": \"x\", \"arms\": [\"A\", \"B\"], \"factors\": "
                 "[{\"name\": \"sex\", \"levels\": [\"F\", \"M\"]}]}",
                 "%s: \"factors\" must include {\"name\": \"site\"} (randomization is "
                 "stratified by site)");
    config_error("trial", "{\"name\": ", "%s:1:9: invalid JSON: unexpected token near end of file");
    config_error("sites", "site,name\nS01,a\nS01,b\n", "%s:3: site 'S01' is listed twice");
    config_error("users",
                 "username,role,site,password\nadmin,administrator,*,admin-pass\n"
                 "bob,investigator,S09,bob-password\n",
                 "%s:3: user 'bob': an investigator works at one site: 'S09' is not a site of "
                 "this trial");
    config_error("users", "username,role,site,password\nadmin,boss,*,admin-pass\n",
                 "%s:2: column 'role': unknown role 'boss' (expected investigator, pharmacist, "
                 "blinded_statistician, unblinded_statistician, data_monitor or administrator)");
    config_error("users", "username,role,site,password\nadmin,administrator,*,short\n",
                 "%s:2: column 'password': passwords need at least 8 characters");
    config_error("users", "username,role,site,password\nmon,data_monitor,*,mon-password\n",
                 "%s: no administrator (role 'administrator')");
    config_error("list", "rand_no,stratum,block,block_size,arm\n1,S01|F,1,2,A\n2,S01|X,1,2,B\n",
                 "%s:3: column 'stratum': stratum 'S01|X': 'X' is not a level of sex");
    config_error("list", "rand_no,stratum,block,block_size,arm\n1,S01|F,1,2,A\n2,S01,1,2,B\n",
                 "%s:3: column 'stratum': stratum 'S01' does not have 2 levels joined by '|' "
                 "(factors in order: site, sex)");
    config_error("list", "rand_no,stratum,block,block_size,arm\n1,S01|F,1,2,A\n1,S01|F,1,2,B\n",
                 "%s:3: randomization number '1' is used twice");
    config_error("list", "rand_no,stratum,block,block_size,arm\n1,S01|F,1,2,C\n",
                 "%s:2: column 'arm': 'C' is not an arm of the trial");
    config_error("list", "rand_no,stratum,block,block_size,arm\n1,S01|F,0,2,A\n",
                 "%s:2: column 'block': '0' is not a positive whole number");
}

static void test_open_errors(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    rk_store *s = NULL;
    rk_error err = {0};
    assert_int_equal(rk_store_open(db, 1, &s, &err), RK_EINVAL);
    assert_null(s);
    char want[400];
    snprintf(want, sizeof want,
             "%s: already exists; a trial database is created once (choose another --db path)", db);
    assert_string_equal(err.msg, want);
    cleanup();
}

/* Durability settings of every store connection: WAL, synchronous FULL (2), foreign keys. */
static void test_pragmas(void **state)
{
    (void)state;
    fresh_db();
    configure_ok();
    rk_store *s = NULL;
    rk_error err = {0};
    assert_int_equal(rk_store_open(db, 0, &s, &err), RK_OK);
    static const char *const q[][2] = {
        {"PRAGMA journal_mode", "wal"}, {"PRAGMA synchronous", "2"}, {"PRAGMA foreign_keys", "1"}};
    for (int i = 0; i < 3; i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(s->db, q[i][0], -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), q[i][1]);
        sqlite3_finalize(st);
    }
    rk_store_close(s);
    cleanup();
}

static void test_password(void **state)
{
    (void)state;
    char h[128];
    rk_error err = {0};
    assert_int_equal(rk_password_hash("correct horse", RK_PWCOST_MIN, h, sizeof h, &err), RK_OK);
    assert_memory_equal(h, "$argon2id$", 10);
    assert_true(rk_password_check(h, "correct horse"));
    assert_false(rk_password_check(h, "correct horsE"));
    assert_false(rk_password_check("plain", "plain"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact),
        cmocka_unit_test(test_triggers_refuse),
        cmocka_unit_test(test_edit_detected),
        cmocka_unit_test(test_edit_with_rehash_detected),
        cmocka_unit_test(test_delete_detected),
        cmocka_unit_test(test_reorder_detected),
        cmocka_unit_test(test_truncation_needs_head),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_pragmas),
        cmocka_unit_test(test_design_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
