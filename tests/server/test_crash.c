/* The server process killed with SIGKILL at random moments under load, restarted each time:
 * no acknowledged allocation lost, none duplicated or half-written, slots used without gaps,
 * and the audit chain still verifies.  The server runs in a child process (this executable
 * re-run with --serve-child).  Twice: a trial serving an uploaded list, and a minimization
 * trial randomized at allocation time, whose every allocation (before and after each restart)
 * must still be the one the replay from the seed gives. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <sys/prctl.h>

#include "server_util.h"

#define ROUNDS 6
#define NTHREADS 8
#define PER_STRATUM 3000
#define MAXSUBJ (4 * PER_STRATUM)

typedef struct subj {
    char id[16];
    int enrolled;   /* 1 acknowledged */
    int randomized; /* 1 acknowledged */
    char rand_no[16];
} subj;

static subj subjects[MAXSUBJ];
static int n_subjects;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned cur_port;
static int n_acked; /* acknowledged randomizations so far */

static int child_main(const char *db, const char *port_file)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a test that failed half-way */
    rk_server_opts o;
    rk_server_opts_init(&o);
    o.db = db;
    o.port = 0;
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
        pause(); /* until SIGKILL */
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
    for (int i = 0; i < 1000; i++) { /* up to 10 s */
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

static void *load(void *arg)
{
    (void)arg;
    rk__http h = {.fd = -1, .port = cur_port};
    char tok[2][65];
    if (tu_login(&h, "inv1", tok[0]) || tu_login(&h, "inv2", tok[1])) return NULL;
    for (;;) {
        pthread_mutex_lock(&mu);
        if (n_subjects >= MAXSUBJ - 4) {
            pthread_mutex_unlock(&mu);
            break;
        }
        int i = n_subjects++;
        subj *s = &subjects[i];
        snprintf(s->id, sizeof s->id, "C%05d", i);
        pthread_mutex_unlock(&mu);
        int st, k = i % 4;
        char body[300], path[100];
        tu_enrol_body(body, sizeof body, s->id, k % 2 ? "M" : "F");
        json_t *j = tu_req(&h, "POST", "/api/subjects", tok[k / 2], body, &st, NULL);
        json_decref(j);
        if (st == 0) break; /* server gone */
        if (st != 201) fail_msg("enrol %s: status %d", s->id, st);
        s->enrolled = 1;
        snprintf(path, sizeof path, "/api/subjects/%.15s/randomize", s->id);
        j = tu_req(&h, "POST", path, tok[k / 2], NULL, &st, NULL);
        if (st == 0) {
            json_decref(j);
            break;
        }
        const char *r = json_string_value(json_object_get(j, "rand_no"));
        if (st != 200 || !r) fail_msg("randomize %s: status %d", s->id, st);
        snprintf(s->rand_no, sizeof s->rand_no, "%s", r);
        s->randomized = 1;
        pthread_mutex_lock(&mu);
        n_acked++;
        pthread_mutex_unlock(&mu);
        json_decref(j);
    }
    rk__http_close(&h);
    return NULL;
}

static void sigkill_under_load(int dynamic)
{
    tu_trial t;
    memset(subjects, 0, sizeof subjects);
    n_subjects = 0;
    n_acked = 0;
    if (dynamic)
        tu_make_dyn_trial(&t, "{name: minimization, p: 0.8}");
    else
        tu_make_trial(&t, PER_STRATUM);
    srand((unsigned)time(NULL));
    int64_t last_records = 0;
    int acked_before = 0;
    for (int round = 0; round < ROUNDS; round++) {
        unsigned port = 0;
        pid_t pid = spawn_server(&t, &port);
        cur_port = port;
        pthread_t th[NTHREADS];
        for (int i = 0; i < NTHREADS; i++)
            assert_int_equal(pthread_create(&th[i], NULL, load, NULL), 0);
        /* kill at a random moment once the load is really running (a slow, busy machine may
         * take a while to start the child and log the clients in) */
        pthread_mutex_lock(&mu);
        int target = n_acked + 20;
        pthread_mutex_unlock(&mu);
        for (int w = 0; w < 3000; w++) { /* up to 30 s */
            pthread_mutex_lock(&mu);
            int now_acked = n_acked;
            pthread_mutex_unlock(&mu);
            if (now_acked >= target) break;
            struct timespec tick = {0, 10000000};
            nanosleep(&tick, NULL);
        }
        struct timespec ts = {0, (long)(rand() % 200) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int wst;
        waitpid(pid, &wst, 0);
        for (int i = 0; i < NTHREADS; i++)
            pthread_join(th[i], NULL);
        int64_t nrec = 0;
        assert_true(tu_verify(t.db, &nrec)); /* the chain verifies after every crash */
        if (dynamic) assert_true(tu_replay_ok(t.db) != (size_t)-1); /* and the replay matches */
        assert_true(nrec > last_records);
        last_records = nrec;
        int acked_now = 0;
        for (int i = 0; i < n_subjects; i++)
            acked_now += subjects[i].randomized;
        assert_true(acked_now > acked_before); /* the load really randomized this round */
        assert_true(n_subjects < MAXSUBJ - 4); /* and was still running when killed */
        acked_before = acked_now;
    }

    /* the database after the last crash: compare with what clients were told */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t.db, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    /* slots used per stratum are exactly 1..k: nothing skipped or taken twice */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT stratum, count(*), max(seq), count(DISTINCT seq) "
                                        "FROM allocations GROUP BY stratum",
                                        -1, &q, NULL),
                     SQLITE_OK);
    int total = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        int cnt = sqlite3_column_int(q, 1);
        assert_int_equal(cnt, sqlite3_column_int(q, 2));
        assert_int_equal(cnt, sqlite3_column_int(q, 3));
        total += cnt;
    }
    sqlite3_finalize(q);
    /* every acknowledged allocation is there with the number the client got */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT s.rand_no FROM allocations a JOIN slots s ON "
                                        "s.stratum = a.stratum AND s.seq = a.seq WHERE "
                                        "a.subject_id = ?",
                                        -1, &q, NULL),
                     SQLITE_OK);
    int acked = 0, unacked_committed = 0;
    for (int i = 0; i < n_subjects; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, subjects[i].id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (subjects[i].randomized) {
            assert_int_equal(rc, SQLITE_ROW);
            assert_string_equal((const char *)sqlite3_column_text(q, 0), subjects[i].rand_no);
            acked++;
        } else if (rc == SQLITE_ROW) {
            unacked_committed++; /* committed, the reply lost in the crash: allowed */
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_int_equal(total, acked + unacked_committed);
    assert_true(acked > 0);
    /* a client retrying an unacknowledged request after the restart gets a consistent answer */
    unsigned port = 0;
    pid_t pid = spawn_server(&t, &port);
    rk__http h = {.fd = -1, .port = port};
    char tok[2][65];
    assert_int_equal(tu_login(&h, "inv1", tok[0]), 0);
    assert_int_equal(tu_login(&h, "inv2", tok[1]), 0);
    for (int i = 0; i < n_subjects; i++) {
        if (subjects[i].randomized || !subjects[i].enrolled) continue;
        char path[100];
        snprintf(path, sizeof path, "/api/subjects/%.15s/randomize", subjects[i].id);
        int st;
        json_t *j = tu_req(&h, "POST", path, tok[(i % 4) / 2], NULL, &st, NULL);
        if (st == 409)
            assert_non_null(strstr(json_string_value(json_object_get(j, "error")),
                                   "is already randomized (randomization number"));
        else
            assert_int_equal(st, 200);
        json_decref(j);
    }
    rk__http_close(&h);
    kill(pid, SIGKILL);
    int wst;
    waitpid(pid, &wst, 0);
    assert_true(tu_verify(t.db, NULL));
    if (dynamic) { /* every allocation, before and after each restart, is the seed's */
        size_t n = tu_replay_ok(t.db);
        assert_true(n != (size_t)-1);
        assert_true(n >= (size_t)(acked + unacked_committed));
    }
    fprintf(stderr, "# %s: %d rounds, %d allocations acknowledged, %d committed unacknowledged\n",
            dynamic ? "minimization" : "list", ROUNDS, acked, unacked_committed);
    tu_remove_trial(&t);
}

static void test_sigkill_under_load(void **state)
{
    (void)state;
    sigkill_under_load(0);
}

static void test_sigkill_under_load_dynamic(void **state)
{
    (void)state;
    sigkill_under_load(1);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--serve-child")) return child_main(argv[2], argv[3]);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sigkill_under_load),
                                       cmocka_unit_test(test_sigkill_under_load_dynamic)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
