/* Tests for src/stats/rank.c: midranks and tie statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "rctkit/stats.h"

static void test_midranks_with_ties(void **state)
{
    (void)state;
    /* R: rank(c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5)) */
    const double x[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
    const double want[] = {4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8};
    double r[11];
    rk_ties t;
    rk_error err;
    assert_int_equal(rk_rank(x, 11, r, &t, &err), RK_OK);
    for (int i = 0; i < 11; i++) assert_true(r[i] == want[i]);
    assert_int_equal(t.n_tie_groups, 3);
    assert_int_equal(t.n_tied, 7);
    assert_true(t.sum_t3_t == 6 + 6 + 24);
}

static void test_rank_rejects_nan(void **state)
{
    (void)state;
    const double x[] = {1, NAN, 2};
    double r[3];
    rk_error err;
    assert_int_equal(rk_rank(x, 3, r, NULL, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "value 2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_midranks_with_ties),
        cmocka_unit_test(test_rank_rejects_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
