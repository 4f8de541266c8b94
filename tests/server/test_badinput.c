/* Bad input over real HTTP: malformed JSON, oversized bodies, unknown fields, wrong types,
 * SQL-looking strings, bad and expired tokens, password guessing (locked out): each a 4xx
 * with a clear JSON message, and the server keeps serving. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server_util.h"

static rk__http H;

/* Request and compare status and the error message exactly. */
static void expect(const char *method, const char *path, const char *tok, const char *body,
                   int want_status, const char *want_error)
{
    int st;
    char *raw = NULL;
    json_t *j = tu_req(&H, method, path, tok, body, &st, &raw);
    if (st != want_status)
        fail_msg("%s %s: status %d, expected %d: %s", method, path, st, want_status,
                 raw ? raw : "");
    if (want_error) {
        const char *e = json_string_value(json_object_get(j, "error"));
        if (!e || strcmp(e, want_error))
            fail_msg("%s %s: error '%s', expected '%s'", method, path, e ? e : raw, want_error);
    }
    json_decref(j);
    free(raw);
}

static void still_serving(const char *tok)
{
    expect("GET", "/api/me", tok, NULL, 200, NULL);
}

static void test_bad_input(void **state)
{
    (void)state;
    tu_trial t;
    tu_make_trial(&t, 8);
    rk_server *srv = tu_start(&t, 0);
    H.fd = -1;
    H.port = rk_server_port(srv);
    char inv[65], pha[65];
    assert_int_equal(tu_login(&H, "inv1", inv), 0);
    assert_int_equal(tu_login(&H, "pha1", pha), 0);

    /* malformed JSON, not an object, oversized */
    expect("POST", "/api/login", NULL, "{\"username\": \"inv1\",", 400,
           "malformed JSON at line 1, column 20: string or '}' expected near end of file");
    expect("POST", "/api/subjects", inv, "[1, 2]", 400, "the request body must be a JSON object");
    expect("POST", "/api/subjects", inv, "{\"subject_id\": \"a\\u0000b\"}", 400,
           "malformed JSON at line 1, column 25: \\u0000 is not allowed without JSON_ALLOW_NUL "
           "near '\"a\\u0000b\"'");
    char *big = malloc(1 << 20);
    memset(big, ' ', 1 << 20);
    big[0] = '{';
    big[(1 << 20) - 2] = '}';
    big[(1 << 20) - 1] = '\0';
    expect("POST", "/api/subjects", inv, big, 413,
           "request body too large (the limit is 4096 bytes)");
    free(big);
    still_serving(inv);

    /* unknown fields, wrong types, missing fields */
    expect("POST", "/api/login", NULL,
           "{\"username\": \"inv1\", \"password\": \"inv1-pass-1\", \"role\": \"administrator\"}",
           400, "unknown field 'role' (expected username, password)");
    expect("POST", "/api/login", NULL, "{\"username\": 5, \"password\": \"x\"}", 400,
           "field 'username' must be a string");
    expect("POST", "/api/subjects", inv, "", 400, "missing field 'subject_id'");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B1\", \"strata\": {\"sex\": 1}, \"eligibility\": {\"adult\": "
           "true, \"pregnant\": false}}",
           400, "strata: 'sex' must be a string (one of its levels)");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B1\", \"strata\": {}, \"eligibility\": {\"adult\": true, "
           "\"pregnant\": false}}",
           400, "strata: missing stratification factor 'sex'");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B1\", \"strata\": {\"sex\": \"F\", \"age\": \"old\"}, "
           "\"eligibility\": {\"adult\": true, \"pregnant\": false}}",
           400, "strata: 'age' is not a stratification factor of this trial");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B1\", \"strata\": {\"sex\": \"X\"}, \"eligibility\": {\"adult\": "
           "true, \"pregnant\": false}}",
           400, "strata: 'X' is not a level of sex");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B1\", \"strata\": {\"sex\": \"F\"}, \"eligibility\": {\"adult\": "
           "\"yes\", \"pregnant\": false}}",
           400, "eligibility: 'adult' must be true or false");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B1\", \"strata\": {\"sex\": \"F\"}, \"eligibility\": {\"adult\": "
           "true}}",
           400, "eligibility: criterion 'pregnant' is not answered");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B1\", \"strata\": {\"sex\": \"F\"}, \"eligibility\": {\"adult\": "
           "true, \"pregnant\": true}}",
           422, "subject B1 is not eligible: exclusion criterion 'pregnant' answered true");
    expect("POST", "/api/subjects/B1/randomize", inv, NULL, 404, "subject B1 is not enrolled");
    expect("POST", "/api/subjects/B1/randomize", inv, "{\"arm\": \"arm_a\"}", 400,
           "unknown field 'arm' (expected an empty object)");

    /* SQL-looking strings are data, never SQL */
    expect("POST", "/api/login", NULL,
           "{\"username\": \"inv1' OR '1'='1\", \"password\": \"' OR '1'='1\"}", 401,
           "wrong user name or password");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"x'); DROP TABLE subjects;--\", \"strata\": {\"sex\": \"F\"}, "
           "\"eligibility\": {\"adult\": true, \"pregnant\": false}}",
           400, "subject_id must be letters, digits, '_', '-', '.', '@'");
    expect("GET", "/api/subjects/x'%20OR%20'1'='1", inv, NULL, 404,
           "subject x' OR '1'='1 is not enrolled");
    expect("POST", "/api/subjects", inv,
           "{\"subject_id\": \"B2\", \"strata\": {\"sex\": \"F' OR 1=1 --\"}, \"eligibility\": "
           "{\"adult\": true, \"pregnant\": false}}",
           400, "strata: 'F' OR 1=1 --' is not a level of sex");
    /* ... and the tables are intact: a normal enrolment and randomization work */
    char body[300];
    tu_enrol_body(body, sizeof body, "B3", "F");
    expect("POST", "/api/subjects", inv, body, 201, NULL);
    expect("POST", "/api/subjects", inv, body, 409, "subject B3 is already enrolled");
    expect("POST", "/api/subjects/B3/randomize", inv, NULL, 200, NULL);

    /* routes, methods, tokens */
    expect("GET", "/api/nope", inv, NULL, 404, "no endpoint GET /api/nope");
    expect("GET", "/api/lock", inv, NULL, 405, "GET is not allowed on /api/lock");
    expect("DELETE", "/api/me", inv, NULL, 405, "only GET and POST are served");
    expect("GET", "/api/me", "0123456789", NULL, 401,
           "log in first: send 'Authorization: Bearer TOKEN' with a token from POST /api/login");
    char forged[65];
    memset(forged, 'a', 64);
    forged[64] = '\0';
    expect("GET", "/api/me", forged, NULL, 401,
           "log in first: send 'Authorization: Bearer TOKEN' with a token from POST /api/login");

    /* emergency unblinding with a wrong password: refused and audited */
    expect("POST", "/api/subjects/B3/unblind", inv,
           "{\"reason\": \"rash\", \"password\": \"guess\"}", 401,
           "wrong password: emergency unblinding needs your password again");
    expect("POST", "/api/subjects/B3/unblind", inv, "{\"reason\": \"rash\"}", 400,
           "missing field 'password'");

    /* password guessing: 5 failures lock the user out, even with the right password */
    for (int i = 0; i < 5; i++)
        expect("POST", "/api/login", NULL, "{\"username\": \"bstat\", \"password\": \"guess\"}",
               401, "wrong user name or password");
    int st;
    char *raw;
    json_decref(tu_req(&H, "POST", "/api/login", NULL,
                       "{\"username\": \"bstat\", \"password\": \"bstat-pass-1\"}", &st, &raw));
    assert_int_equal(st, 429);
    assert_non_null(strstr(raw, "too many failed logins for 'bstat': try again in "));
    free(raw);
    /* others are not affected, and the server keeps serving */
    char mon[65];
    assert_int_equal(tu_login(&H, "mon", mon), 0);
    still_serving(inv);
    json_t *a = tu_req(&H, "GET", "/api/audit", mon, NULL, &st, &raw);
    assert_int_equal(st, 200);
    int failed = 0, refused = 0, unblind_failed = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(json_object_get(a, "records"), i, rec)
    {
        const char *act = json_string_value(json_object_get(rec, "action"));
        const char *who = json_string_value(json_object_get(rec, "who"));
        if (!strcmp(act, "login_failed") && !strcmp(who, "bstat@127.0.0.1")) failed++;
        if (!strcmp(act, "login_refused") && !strcmp(who, "bstat@127.0.0.1")) refused++;
        if (!strcmp(act, "unblind_failed")) unblind_failed++;
    }
    assert_int_equal(failed, 5);
    assert_int_equal(refused, 1);
    assert_int_equal(unblind_failed, 1);
    assert_null(strstr(raw, "guess")); /* passwords are never recorded */
    json_decref(a);
    free(raw);
    rk__http_close(&H);
    rk_server_stop(srv);

    /* expired tokens: a server with 3-second sessions (expiry has 1-second resolution) */
    srv = tu_start(&t, 3);
    H.fd = -1;
    H.port = rk_server_port(srv);
    assert_int_equal(tu_login(&H, "inv2", inv), 0);
    still_serving(inv);
    struct timespec ts = {4, 100000000};
    nanosleep(&ts, NULL);
    expect("GET", "/api/me", inv, NULL, 401,
           "your session has expired: log in again (POST /api/login)");
    assert_int_equal(tu_login(&H, "inv2", inv), 0);
    still_serving(inv);
    rk__http_close(&H);
    rk_server_stop(srv);
    assert_true(tu_verify(t.db, NULL));
    tu_remove_trial(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_input)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
