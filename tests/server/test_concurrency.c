/* Many clients randomizing at once over real HTTP: no slot given twice, none skipped, the
 * realised allocation follows the list exactly; an exhausted stratum is a clear error that
 * alerts the administrator. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server_util.h"

#define NTHREADS 16
#define PER_STRATUM 40
#define NSUBJ (4 * PER_STRATUM)

static const char *const strata[4] = {"S01|F", "S01|M", "S02|F", "S02|M"};

typedef struct worker {
    unsigned port;
    int t;
    int errors;
    char rand_no[NSUBJ][16]; /* what each subject of this worker got */
} worker;

static worker workers[NTHREADS];

static void *run(void *arg)
{
    worker *w = arg;
    rk__http h = {.fd = -1, .port = w->port};
    char tok1[65], tok2[65];
    if (tu_login(&h, "inv1", tok1) || tu_login(&h, "inv2", tok2)) {
        w->errors++;
        return NULL;
    }
    for (int i = w->t; i < NSUBJ; i += NTHREADS) {
        int s = i % 4;
        char id[32], body[300], path[100];
        snprintf(id, sizeof id, "P%04d", i);
        tu_enrol_body(body, sizeof body, id, s % 2 ? "M" : "F");
        const char *tok = s < 2 ? tok1 : tok2;
        int st;
        json_t *j = tu_req(&h, "POST", "/api/subjects", tok, body, &st, NULL);
        json_decref(j);
        if (st != 201) {
            w->errors++;
            continue;
        }
        snprintf(path, sizeof path, "/api/subjects/%s/randomize", id);
        j = tu_req(&h, "POST", path, tok, NULL, &st, NULL);
        const char *r = json_string_value(json_object_get(j, "rand_no"));
        if (st == 200 && r && !json_object_get(j, "arm"))
            snprintf(w->rand_no[i], 16, "%s", r);
        else
            w->errors++;
        json_decref(j);
    }
    rk__http_close(&h);
    return NULL;
}

static void test_concurrent_randomization(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, PER_STRATUM);
    rk_server *srv = tu_start(&t, 0);
    unsigned port = rk_server_port(srv);
    assert_true(port > 0);
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].port = port;
        workers[i].t = i;
        assert_int_equal(pthread_create(&th[i], NULL, run, &workers[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(workers[i].errors, 0);

    /* every subject got a number; numbers are distinct; each stratum used exactly its slots */
    static char got[NSUBJ][16];
    int used[4][PER_STRATUM] = {{0}};
    for (int i = 0; i < NSUBJ; i++) {
        memcpy(got[i], workers[i % NTHREADS].rand_no[i], 16);
        int s = got[i][1] - '1', k = tu_int(got[i] + 2);
        assert_int_equal(s, i % 4); /* the subject's own stratum */
        assert_true(k >= 1 && k <= PER_STRATUM);
        assert_int_equal(used[s][k - 1], 0); /* never the same slot twice */
        used[s][k - 1] = 1;
    }
    for (int s = 0; s < 4; s++)
        for (int k = 0; k < PER_STRATUM; k++)
            assert_int_equal(used[s][k], 1); /* none skipped */

    /* the order of allocation within a stratum is the list's order: from the audit trail */
    rk__http h = {.fd = -1, .port = port};
    char tok[65];
    assert_int_equal(tu_login(&h, "mon", tok), 0);
    int st;
    json_t *a = tu_req(&h, "GET", "/api/audit", tok, NULL, &st, NULL);
    assert_int_equal(st, 200);
    int next[4] = {1, 1, 1, 1}, n_rand = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(a, "records"), i, rec)
    {
        if (strcmp(json_string_value(json_object_get(rec, "action")), "randomize")) continue;
        const char *what = json_string_value(json_object_get(rec, "what"));
        const char *sp = strstr(what, "stratum="), *sl = strstr(what, "slot=");
        assert_non_null(sp);
        assert_non_null(sl);
        int s;
        for (s = 0; s < 4 && strncmp(sp + 8, strata[s], 5); s++)
            ;
        assert_true(s < 4);
        assert_int_equal(tu_int(sl + 5), next[s]);
        next[s]++;
        n_rand++;
        assert_null(strstr(what, "arm_")); /* the audit trail never holds the arm */
    }
    json_decref(a);
    assert_int_equal(n_rand, NSUBJ);

    /* an exhausted stratum: clear error, the administrator is alerted */
    char inv[65], body[300];
    assert_int_equal(tu_login(&h, "inv1", inv), 0);
    tu_enrol_body(body, sizeof body, "LATE1", "F");
    json_decref(tu_req(&h, "POST", "/api/subjects", inv, body, &st, NULL));
    assert_int_equal(st, 201);
    json_t *j = tu_req(&h, "POST", "/api/subjects/LATE1/randomize", inv, NULL, &st, NULL);
    assert_int_equal(st, 409);
    assert_string_equal(json_string_value(json_object_get(j, "error")),
                        "stratum S01|F has no randomization slots left: subject LATE1 cannot be "
                        "randomized; the administrator has been alerted");
    json_decref(j);
    char adm[65];
    assert_int_equal(tu_login(&h, "admin", adm), 0);
    j = tu_req(&h, "GET", "/api/messages", adm, NULL, &st, NULL);
    assert_int_equal(st, 200);
    json_t *m = json_array_get(json_object_get(j, "messages"), 0);
    assert_non_null(m);
    assert_non_null(strstr(json_string_value(json_object_get(m, "text")),
                           "ALERT: stratum S01|F has no randomization slots left"));
    json_decref(j);

    /* after lock, the unblinded statistician's export shows arms exactly as the list */
    json_decref(
        tu_req(&h, "POST", "/api/lock", adm, "{\"reason\": \"last visit done\"}", &st, NULL));
    assert_int_equal(st, 200);
    char us[65];
    assert_int_equal(tu_login(&h, "ustat", us), 0);
    j = tu_req(&h, "GET", "/api/export", us, NULL, &st, NULL);
    assert_int_equal(st, 200);
    int n_exp = 0;
    json_array_foreach(json_object_get(j, "subjects"), i, rec)
    {
        const char *rn = json_string_value(json_object_get(rec, "rand_no"));
        if (!rn) continue; /* LATE1 */
        int k = tu_int(rn + 2);
        assert_string_equal(json_string_value(json_object_get(rec, "arm")), tu_list_arm(k - 1));
        n_exp++;
    }
    assert_int_equal(n_exp, NSUBJ);
    json_decref(j);
    rk__http_close(&h);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    tu_remove_trial(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_concurrent_randomization)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
