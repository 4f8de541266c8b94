/* Tests for src/core: the error object and the capped buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "rctkit/core.h"

static void test_error_set_returns_code_and_message(void **state)
{
    (void)state;
    rk_error err;
    rk_error_clear(&err);
    assert_int_equal(rk_error_set(&err, RK_EPARSE, "line %d: bad '%s'", 7, "x"), RK_EPARSE);
    assert_int_equal(err.code, RK_EPARSE);
    assert_string_equal(err.msg, "line 7: bad 'x'");
    assert_int_equal(rk_error_set(NULL, RK_EIO, "ignored"), RK_EIO);
    assert_string_equal(rk_strerror(RK_ENOMEM), "out of memory");
    assert_string_equal(rk_strerror((rk_status)999), "unknown status");
}

static void test_buf_grows_and_respects_cap(void **state)
{
    (void)state;
    rk_buf b;
    rk_error err;
    rk_buf_init(&b, 16);
    assert_int_equal(rk_buf_append(&b, "hello", 5, &err), RK_OK);
    assert_int_equal(rk_buf_appendf(&b, &err, " %d", 42), RK_OK);
    assert_string_equal(b.data, "hello 42");
    assert_int_equal(rk_buf_appendf(&b, &err, "%s", "0123456789"), RK_ERANGE);
    assert_string_equal(b.data, "hello 42"); /* unchanged on failure */
    rk_buf_reset(&b);
    assert_int_equal(b.len, 0);
    rk_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set_returns_code_and_message),
        cmocka_unit_test(test_buf_grows_and_respects_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
