/* Tests for src/supply/schedule.c and time.c: visit windows and statuses, the default schedule,
 * schedule files, and date/time parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rctkit/supply.h"

static void test_dates(void **state)
{
    (void)state;
    rk_date d;
    rk_time t;
    /* days since 1970-01-01 from Python's datetime.date arithmetic */
    assert_int_equal(rk_date_parse("2020-03-01", &d, NULL), RK_OK);
    assert_int_equal(d, 18322);
    assert_int_equal(rk_date_parse("2000-02-29", &d, NULL), RK_OK);
    assert_int_equal(d, 11016);
    assert_int_equal(rk_date_parse("1900-03-01", &d, NULL), RK_OK);
    assert_int_equal(d, -25508);
    rk_error err;
    assert_int_equal(rk_date_parse("2019-02-29", &d, &err), RK_EPARSE);
    assert_string_equal(err.msg, "'2019-02-29' is not a date (expected YYYY-MM-DD)");
    assert_int_equal(rk_date_parse("1900-02-29", &d, NULL), RK_EPARSE);
    assert_int_equal(rk_date_parse("2020-3-01", &d, NULL), RK_EPARSE);
    /* every day 1900-2100 formats back to itself */
    for (rk_date x = -25567; x < 47482; x++) {
        char b[16];
        rk_date y;
        rk_date_format(x, b, sizeof b);
        assert_int_equal(rk_date_parse(b, &y, NULL), RK_OK);
        assert_int_equal(y, x);
    }
    assert_int_equal(rk_time_parse("2020-03-01T08:05:09Z", &t, NULL), RK_OK);
    assert_int_equal(t, 18322LL * 86400 + 8 * 3600 + 5 * 60 + 9);
    assert_int_equal(rk_time_parse("2020-03-01 08:05", &t, NULL), RK_OK);
    assert_int_equal(t, 18322LL * 86400 + 8 * 3600 + 5 * 60);
    char b[32];
    rk_time_format(t, b, sizeof b);
    assert_string_equal(b, "2020-03-01T08:05:00Z");
    rk_time_format(-1, b, sizeof b);
    assert_string_equal(b, "1969-12-31T23:59:59Z");
    assert_int_equal(rk_time_parse("2020-03-01T08:05+08:00", &t, &err), RK_EPARSE);
    assert_string_equal(err.msg, "'2020-03-01T08:05+08:00' is not a time (expected "
                                 "YYYY-MM-DDTHH:MM[:SS][Z], UTC)");
    assert_int_equal(rk_time_parse("2020-03-01T24:00", &t, NULL), RK_EPARSE);
}

static void test_default_schedule_and_statuses(void **state)
{
    (void)state;
    rk_schedule s;
    rk_schedule_default(&s);
    assert_int_equal(s.n, 8);
    int inf_days[3], k = 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.visit[i].kind == RK_VISIT_INFUSION) inf_days[k++] = s.visit[i].day;
    assert_int_equal(k, 3);
    assert_int_equal(inf_days[0], 0); /* seed trial: days 0, 3 and 6 */
    assert_int_equal(inf_days[1], 3);
    assert_int_equal(inf_days[2], 6);
    const rk_visit_def *v = &s.visit[2]; /* infusion-2: day 3, window 2..4 */
    assert_string_equal(v->name, "infusion-2");
    rk_date d0 = 18322;
    rk_visit_status want[] = {RK_VS_UPCOMING, RK_VS_UPCOMING, RK_VS_DUE,   RK_VS_DUE,
                              RK_VS_OVERDUE,  RK_VS_MISSED,   RK_VS_MISSED};
    for (int day = 0; day < 7; day++)
        assert_int_equal(rk_visit_status_on(v, d0, d0 + day, RK_NOT_DONE), want[day]);
    assert_int_equal(rk_visit_status_on(v, d0, d0 + 9, d0 + 4), RK_VS_DONE);
    assert_int_equal(rk_visit_status_on(v, d0, d0 + 9, d0 + 5), RK_VS_DONE_LATE);
    assert_int_equal(rk_visit_status_on(v, d0, d0 + 9, d0 + 1), RK_VS_DONE_LATE);
    assert_string_equal(rk_visit_status_name(RK_VS_DONE_LATE), "done-out-of-window");
}

static void test_schedule_file(void **state)
{
    (void)state;
    char p[] = "/tmp/rk_sched_XXXXXX";
    int fd = mkstemp(p);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("visit,kind,day,before,after\ninf1,infusion,0,0,0\nct10,ct,10,2,2\nbad,xray,3,0,0\n", f);
    fclose(f);
    rk_schedule s;
    rk_error err;
    assert_int_equal(rk_schedule_read(p, &s, &err), RK_EPARSE);
    char want[200];
    snprintf(want, sizeof want, "%s:4: kind 'xray' must be infusion, ct or followup", p);
    assert_string_equal(err.msg, want);
    f = fopen(p, "w");
    fputs("visit,kind,day,before,after\ninf1,infusion,0,0,0\nct10,ct,10,2,-1\n", f);
    fclose(f);
    assert_int_equal(rk_schedule_read(p, &s, &err), RK_EPARSE);
    snprintf(want, sizeof want, "%s:3: column 'after': '-1' is not a whole number 0 to 365", p);
    assert_string_equal(err.msg, want);
    f = fopen(p, "w");
    fputs("visit,kind,day,before,after\ninf1,infusion,0,0,0\nct10,ct,10,2,2\n", f);
    fclose(f);
    assert_int_equal(rk_schedule_read(p, &s, NULL), RK_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.visit[1].kind, RK_VISIT_CT);
    assert_int_equal(s.visit[1].before, 2);
    unlink(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_default_schedule_and_statuses),
        cmocka_unit_test(test_schedule_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
