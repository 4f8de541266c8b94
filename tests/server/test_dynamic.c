/* Allocation-time randomization over real HTTP: many clients randomizing a minimization (or
 * Efron, big stick) trial at once get exactly the arms that a sequential replay from the seed
 * gives in the order of allocation; the probabilities of the arms drawn are the engine's; the
 * server restarted continues the same sequence; the key never appears in any response. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "rctkit/rand.h"
#include "server_util.h"

#define NTHREADS 16
#define MAXSUBJ 400

typedef struct worker {
    unsigned port;
    int t, nsubj;
    int errors;
} worker;

static worker workers[NTHREADS];

/* subject i: site S0(1 + i % 2), sex F for i % 3 == 0 else M (unbalanced on purpose) */
static const char *sex_of(int i)
{
    return i % 3 == 0 ? "F" : "M";
}

static int randomize_one(rk__http *h, const char *tok, const char *id, const char *sex)
{
    char body[300], path[100];
    tu_enrol_body(body, sizeof body, id, sex);
    int st;
    json_decref(tu_req(h, "POST", "/api/subjects", tok, body, &st, NULL));
    if (st != 201) return -1;
    snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
    char *raw = NULL;
    json_t *j = tu_req(h, "POST", path, tok, NULL, &st, &raw);
    int ok = st == 200 && json_string_value(json_object_get(j, "rand_no")) && raw &&
             !strstr(raw, "arm"); /* blinded: never the arm */
    json_decref(j);
    free(raw);
    return ok ? 0 : -1;
}

static void *run(void *arg)
{
    worker *w = arg;
    rk__http h = {.fd = -1, .port = w->port};
    char tok[2][65];
    if (tu_login(&h, "inv1", tok[0]) || tu_login(&h, "inv2", tok[1])) {
        w->errors++;
        return NULL;
    }
    for (int i = w->t; i < w->nsubj; i += NTHREADS) {
        char id[32];
        snprintf(id, sizeof id, "P%04d", i);
        if (randomize_one(&h, tok[i % 2], id, sex_of(i))) w->errors++;
    }
    rk__http_close(&h);
    return NULL;
}

/* The allocations in order (rand_no = 1..n) as the unblinded statistician's list shows them:
 * stratum and arm of each; returns n. */
static int read_allocations(rk__http *h, const char *tok, char (*stratum)[16], char (*arm)[16],
                            char **raw_out)
{
    int st;
    json_t *j = tu_req(h, "GET", "/api/list", tok, NULL, &st, raw_out);
    assert_int_equal(st, 200);
    size_t i;
    json_t *x;
    int n = 0;
    json_array_foreach(json_object_get(j, "slots"), i, x)
    {
        int k = tu_int(json_string_value(json_object_get(x, "rand_no")));
        assert_true(k >= 1 && k <= MAXSUBJ);
        assert_int_equal(stratum[k - 1][0], 0); /* each number once */
        snprintf(stratum[k - 1], 16, "%s", json_string_value(json_object_get(x, "stratum")));
        snprintf(arm[k - 1], 16, "%s", json_string_value(json_object_get(x, "arm")));
        n++;
    }
    json_decref(j);
    for (int k = 0; k < n; k++)
        assert_true(stratum[k][0] != 0); /* no number skipped */
    return n;
}

/* Replay the n allocations sequentially with the engine from TU_SEED: every arm must be the
 * one served; returns the z statistic of sum(x - p) for arm_a (x: drawn, p: the engine's
 * probability given the history). */
static double replay_check(const tu_trial *t, int n, char (*stratum)[16], char (*arm)[16],
                           double *p_first)
{
    char path[300];
    snprintf(path, sizeof path, "%s/design.yaml", t->dir);
    rk_rand_design *d = NULL;
    rk_rand_state *st = NULL;
    rk_error err = {0};
    unsigned char key[RK_RAND_KEYBYTES];
    assert_int_equal(rk_rand_design_read(path, &d, &err), RK_OK);
    assert_int_equal(rk_rand_seed_key(TU_SEED, key, &err), RK_OK);
    assert_int_equal(rk_rand_state_new(d, &st, &err), RK_OK);
    double sum = 0, var = 0;
    for (int k = 0; k < n; k++) {
        size_t lv[2];
        lv[0] = strncmp(stratum[k], "S01", 3) ? 1 : 0;
        lv[1] = stratum[k][4] == 'F' ? 0 : 1;
        double p[2];
        assert_int_equal(rk_rand_probs(d, st, lv, p, NULL, &err), RK_OK);
        if (k == 0) *p_first = p[0];
        size_t a;
        assert_int_equal(rk_rand_assign(d, st, key, lv, &a, NULL, &err), RK_OK);
        if (strcmp(d->arms[a].name, arm[k]))
            fail_msg("allocation %d (%s): the server gave %s, the replay from the seed %s", k + 1,
                     stratum[k], arm[k], d->arms[a].name);
        sum += (a == 0) - p[0];
        var += p[0] * (1 - p[0]);
    }
    rk_rand_state_free(st);
    rk_rand_design_free(d);
    return var > 0 ? sum / sqrt(var) : 0;
}

static void no_key_in(const char *raw, const char *key_hex)
{
    assert_non_null(raw);
    if (strstr(raw, key_hex)) fail_msg("a response holds the randomization key: %s", raw);
}

static void run_trial(const char *procedure, int nsubj, double p_first_expected)
{
    tu_trial t;
    tu_make_dyn_trial(&t, procedure);
    unsigned char key[RK_RAND_KEYBYTES];
    char key_hex[2 * RK_RAND_KEYBYTES + 1];
    rk_error err = {0};
    assert_int_equal(rk_rand_seed_key(TU_SEED, key, &err), RK_OK);
    sodium_bin2hex(key_hex, sizeof key_hex, key, sizeof key);

    rk_server *srv = tu_start(&t, 0);
    unsigned port = rk_server_port(srv);
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].port = port;
        workers[i].t = i;
        workers[i].nsubj = nsubj;
        assert_int_equal(pthread_create(&th[i], NULL, run, &workers[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(workers[i].errors, 0);

    /* the concurrent sequence is exactly the sequential replay from the seed */
    static char stratum[MAXSUBJ][16], arm[MAXSUBJ][16];
    memset(stratum, 0, sizeof stratum);
    rk__http h = {.fd = -1, .port = port};
    char us[65];
    assert_int_equal(tu_login(&h, "ustat", us), 0);
    char *raw = NULL;
    int n = read_allocations(&h, us, stratum, arm, &raw);
    no_key_in(raw, key_hex);
    free(raw);
    assert_int_equal(n, nsubj);
    double p_first = 0;
    double z = replay_check(&t, n, stratum, arm, &p_first);
    /* P(arm) of the first allocation is the engine's, and the draws follow the engine's
     * probabilities over the whole sequence: sum(x - p) / sqrt(sum p(1 - p)) is about N(0, 1)
     * since every draw has its own stream (|z| >= 4: a false alarm about once in 16000 runs of
     * a correct server; the order of the concurrent clients varies from run to run) */
    assert_true(fabs(p_first - p_first_expected) < 1e-12);
    fprintf(stderr, "# %s: %d allocations, calibration z = %.3f\n", procedure, n, z);
    assert_true(fabs(z) < 4);
    assert_int_equal(tu_replay_ok(t.db), (size_t)n);

    /* restart: the state rebuilt from the database continues the same sequence */
    rk__http_close(&h);
    rk_server_stop(srv);
    srv = tu_start(&t, 0);
    h.fd = -1;
    h.port = rk_server_port(srv);
    char tok[2][65];
    assert_int_equal(tu_login(&h, "inv1", tok[0]), 0);
    assert_int_equal(tu_login(&h, "inv2", tok[1]), 0);
    for (int i = nsubj; i < nsubj + 20; i++) {
        char id[32];
        snprintf(id, sizeof id, "P%04d", i);
        assert_int_equal(randomize_one(&h, tok[i % 2], id, sex_of(i)), 0);
    }
    assert_int_equal(tu_login(&h, "ustat", us), 0);
    memset(stratum, 0, sizeof stratum);
    n = read_allocations(&h, us, stratum, arm, NULL);
    assert_int_equal(n, nsubj + 20);
    replay_check(&t, n, stratum, arm, &p_first);
    assert_int_equal(tu_replay_ok(t.db), (size_t)n);

    /* no response to anyone holds the key: subjects, audit, list, export after lock */
    for (int u = 0; u < TU_NUSERS; u++) {
        char tk[65];
        int st;
        assert_int_equal(tu_login(&h, tu_users[u][0], tk), 0);
        static const char *const paths[] = {"/api/subjects", "/api/audit", "/api/list",
                                            "/api/messages", "/api/me",    "/api/subjects/P0000"};
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            json_decref(tu_req(&h, "GET", paths[i], tk, NULL, &st, &raw));
            no_key_in(raw, key_hex);
            rk_role r = RK_ROLE_ADMIN;
            assert_int_equal(rk_role_parse(tu_users[u][1], &r, NULL), RK_OK);
            if (!rk_role_unblinded(r))
                assert_null(strstr(raw, "arm_")); /* blinded roles never see an arm */
            free(raw);
        }
    }
    char adm[65];
    int st;
    assert_int_equal(tu_login(&h, "admin", adm), 0);
    json_decref(tu_req(&h, "POST", "/api/lock", adm, "{\"reason\": \"end\"}", &st, NULL));
    assert_int_equal(st, 200);
    assert_int_equal(tu_login(&h, "ustat", us), 0);
    json_t *j = tu_req(&h, "GET", "/api/export", us, NULL, &st, &raw);
    assert_int_equal(st, 200);
    no_key_in(raw, key_hex);
    assert_int_equal(json_array_size(json_object_get(j, "subjects")), (size_t)n);
    json_decref(j);
    free(raw);
    rk__http_close(&h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));

    /* the replay from a wrong seed says so */
    rk_store *s = NULL;
    rk_replay_report rep;
    assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
    assert_int_equal(rk_audit_replay(s, "not the seed", &rep, &err), RK_OK);
    assert_int_equal(rep.key_matches, 0);
    assert_true(rep.mismatches > 0);
    rk_store_close(s);

    /* someone with write access who drops the triggers and edits an arm is caught */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t.db, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "DROP TRIGGER slots_no_update; DROP TRIGGER dyn_allocs_no_update; "
                     "UPDATE slots SET arm = CASE arm WHEN 'arm_a' THEN 'arm_b' ELSE "
                     "'arm_a' END WHERE rand_no = '5'",
                     NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
    assert_int_equal(rk_audit_replay(s, TU_SEED, &rep, &err), RK_OK);
    assert_int_equal(rep.mismatches, 1);
    assert_non_null(strstr(rep.first, "allocation 5 (subject P"));
    assert_non_null(strstr(rep.first, "): the slot served differs from the dynamic history"));
    rk_store_close(s);
    /* ... also when the dynamic history is edited the same way */
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE dyn_allocs SET arm = (SELECT arm FROM slots WHERE "
                                  "rand_no = '5') WHERE n = 5",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
    assert_int_equal(rk_audit_replay(s, TU_SEED, &rep, &err), RK_OK);
    assert_true(rep.mismatches >= 1);
    assert_non_null(strstr(rep.first, "allocation 5 (subject P"));
    assert_non_null(strstr(rep.first, ", the replay gives "));
    rk_store_close(s);
    tu_remove_trial(&t);
}

static void test_minimization(void **state)
{
    (void)state;
    run_trial("{name: minimization, p: 0.8}", 240, 2.0 / 3.0);
}

static void test_efron(void **state)
{
    (void)state;
    run_trial("{name: efron, p: 2/3}", 96, 0.5);
}

static void test_big_stick(void **state)
{
    (void)state;
    run_trial("{name: big-stick, mti: 2}", 96, 0.5);
}

/* P(arm) of the first allocations over many trials (seeds): with 2:1 minimization every
 * allocation has marginal probability 2/3 for arm_a (docs/randomization.md); the first one
 * has exactly the engine's 2/3 given the empty history.  The server's frequencies over
 * NTRIALS seeds must match within 4 binomial standard deviations. */
#define NTRIALS 120
#define NFIRST 4
static void test_first_allocations(void **state)
{
    (void)state;
    int count_a[NFIRST] = {0};
    for (int k = 0; k < NTRIALS; k++) {
        char seed[32];
        snprintf(seed, sizeof seed, "first-%d", k);
        tu_trial t;
        tu_make_dyn_trial_seed(&t, "{name: minimization, p: 0.8}", seed);
        rk_server *srv = tu_start(&t, 0);
        rk__http h = {.fd = -1, .port = rk_server_port(srv)};
        char tok[2][65], us[65];
        assert_int_equal(tu_login(&h, "inv1", tok[0]), 0);
        assert_int_equal(tu_login(&h, "inv2", tok[1]), 0);
        for (int i = 0; i < NFIRST; i++) { /* S01|F, S02|M, S01|M, S02|F */
            char id[32];
            snprintf(id, sizeof id, "F%d", i);
            assert_int_equal(randomize_one(&h, tok[i % 2], id, (i == 0 || i == 3) ? "F" : "M"), 0);
        }
        assert_int_equal(tu_login(&h, "ustat", us), 0);
        static char stratum[MAXSUBJ][16], arm[MAXSUBJ][16];
        memset(stratum, 0, sizeof stratum);
        assert_int_equal(read_allocations(&h, us, stratum, arm, NULL), NFIRST);
        for (int i = 0; i < NFIRST; i++)
            count_a[i] += !strcmp(arm[i], "arm_a");
        rk__http_close(&h);
        rk_server_stop(srv);
        rk_store *s = NULL;
        rk_error err = {0};
        rk_replay_report rep;
        assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
        assert_int_equal(rk_audit_replay(s, seed, &rep, &err), RK_OK);
        assert_int_equal(rep.key_matches, 1);
        assert_int_equal(rep.mismatches, 0);
        assert_int_equal(rep.n, NFIRST);
        rk_store_close(s);
        tu_remove_trial(&t);
    }
    double sd = sqrt(NTRIALS * (2.0 / 3.0) * (1.0 / 3.0));
    for (int i = 0; i < NFIRST; i++) {
        fprintf(stderr, "# allocation %d: arm_a in %d of %d trials (expected %.1f)\n", i + 1,
                count_a[i], NTRIALS, NTRIALS * 2.0 / 3.0);
        assert_true(fabs(count_a[i] - NTRIALS * 2.0 / 3.0) < 4 * sd);
    }
}

/* A design that makes lists, or a list with minimization, is refused with the reason. */
static void test_configure_errors(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_dyn_trial(&t, "{name: minimization, p: 0.8}");
    char f[3][300];
    snprintf(f[0], sizeof f[0], "%s/design.yaml", t.dir);
    snprintf(f[1], sizeof f[1], "%s/sites.csv", t.dir);
    snprintf(f[2], sizeof f[2], "%s/users.csv", t.dir);
    char db[300];
    snprintf(db, sizeof db, "%s/other.db", t.dir);
    rk_store *s = NULL;
    rk_error err = {0};
    assert_int_equal(rk_store_open(db, 1, &s, &err), RK_OK);
    rk_trial_files files = {.trial = f[0], .sites = f[1], .users = f[2], .list = f[2]};
    assert_int_equal(rk_store_configure(s, &files, RK_PWCOST_MIN, "test", &err), RK_EINVAL);
    char want[1200];
    snprintf(want, sizeof want,
             "%s: procedure 'minimization' runs at allocation time and has no list: give --seed "
             "instead of --list",
             f[0]);
    assert_string_equal(err.msg, want);
    files.seed = "x";
    assert_int_equal(rk_store_configure(s, &files, RK_PWCOST_MIN, "test", &err), RK_EINVAL);
    assert_string_equal(err.msg, "give a list or a seed, not both: a seed is for a design "
                                 "randomized at allocation time (complete, efron, big-stick, "
                                 "minimization)");
    tu_write(f[0], "trial: t\narms: [{name: a}, {name: b}]\nstrata:\n  - {name: site, levels: "
                   "[S01, S02]}\nprocedure: {name: permuted-blocks, block_sizes: [4]}\n"
                   "list_length: 8\n");
    files.list = NULL;
    assert_int_equal(rk_store_configure(s, &files, RK_PWCOST_MIN, "test", &err), RK_EINVAL);
    snprintf(want, sizeof want,
             "%s: procedure permuted-blocks makes lists: make one with 'rctkit rand list --seed' "
             "and give it instead of a seed (allocation time applies to complete, efron, "
             "big-stick and minimization)",
             f[0]);
    assert_string_equal(err.msg, want);
    tu_write(f[0], "trial: t\narms: [{name: a}, {name: b}]\nstrata:\n  - {name: site, levels: "
                   "[S01]}\nprocedure: {name: complete}\nlist_length: 8\n");
    assert_int_equal(rk_store_configure(s, &files, RK_PWCOST_MIN, "test", &err), RK_EINVAL);
    snprintf(want, sizeof want,
             "%s: the design's 'site' levels must be exactly the sites of %s (allocation time "
             "needs every site's level)",
             f[0], f[1]);
    assert_string_equal(err.msg, want);
    rk_store_close(s);
    /* a dynamic trial without allocations replays nothing; a list trial cannot be replayed */
    assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
    rk_replay_report rep;
    assert_int_equal(rk_audit_replay(s, NULL, &rep, &err), RK_OK);
    assert_int_equal(rep.n, 0);
    assert_int_equal(rep.key_matches, 1);
    assert_string_equal(rep.procedure, "minimization");
    rk_store_close(s);
    tu_remove_trial(&t);
    tu_make_trial(&t, 4);
    assert_int_equal(rk_store_open(t.db, 0, &s, &err), RK_OK);
    assert_int_equal(rk_audit_replay(s, NULL, &rep, &err), RK_EINVAL);
    assert_string_equal(err.msg, "this trial serves an uploaded list: there is nothing to replay "
                                 "(the list itself is reproduced by 'rctkit rand list')");
    rk_store_close(s);
    tu_remove_trial(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimization), cmocka_unit_test(test_efron),
        cmocka_unit_test(test_big_stick), cmocka_unit_test(test_first_allocations),
        cmocka_unit_test(test_configure_errors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
