/* The server log is one line per event: text a user typed (an emergency unblinding's reason)
 * must not be able to start a line of its own, which would forge a log entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include <cmocka.h>

#include "server_util.h"

typedef struct {
    pthread_mutex_t mu;
    char text[4096];
    size_t n;
} captured;

static void capture(void *ctx, const char *line)
{
    captured *c = ctx;
    pthread_mutex_lock(&c->mu);
    size_t len = strlen(line);
    if (c->n + len + 2 < sizeof c->text) {
        memcpy(c->text + c->n, line, len);
        c->n += len;
        c->text[c->n++] = '\n';
        c->text[c->n] = '\0';
    }
    pthread_mutex_unlock(&c->mu);
}

static void test_reason_cannot_forge_a_log_line(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    captured cap = {.mu = PTHREAD_MUTEX_INITIALIZER};
    rk_server_opts o;
    rk_server_opts_init(&o);
    o.db = t.db;
    o.port = 0;
    o.pwcost = RK_PWCOST_MIN;
    o.log = capture;
    o.log_ctx = &cap;
    rk_server *srv = NULL;
    rk_error err = {0};
    assert_int_equal(rk_server_start(&o, &srv, &err), RK_OK);
    rk__http h = {.fd = -1, .port = rk_server_port(srv)};
    char inv[65], body[300];
    int st;
    assert_int_equal(tu_login(&h, "inv1", inv), 0);
    tu_enrol_body(body, sizeof body, "L1", "F");
    json_decref(tu_req(&h, "POST", "/api/subjects", inv, body, &st, NULL));
    assert_int_equal(st, 201);
    json_decref(tu_req(&h, "POST", "/api/subjects/L1/randomize", inv, NULL, &st, NULL));
    assert_int_equal(st, 200);
    json_decref(tu_req(&h, "POST", "/api/subjects/L1/unblind", inv,
                       "{\"reason\": \"rash\\n2026-01-01T00:00:00Z rctkit serve: forged\\r\\t\", "
                       "\"password\": \"inv1-pass-1\"}",
                       &st, NULL));
    assert_int_equal(st, 200);
    rk_server_stop(srv);
    /* one line, the control characters shown as '?' */
    assert_non_null(strstr(cap.text, "reason: rash?2026-01-01T00:00:00Z rctkit serve: forged??\n"));
    size_t lines = 0;
    for (const char *p = cap.text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1);
    tu_remove_trial(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reason_cannot_forge_a_log_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
