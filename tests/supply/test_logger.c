/* Tests for src/supply/logger.c: excursions with durations, transit limit, gaps, out-of-order and
 * malformed rows with line numbers, unreadable files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rctkit/supply.h"

static rk_status parse(const char *text, rk_logger_report *r, rk_error *err)
{
    return rk_logger_parse(text, strlen(text), "ship.csv", NULL, r, err);
}

static void test_clean_file_releasable(void **state)
{
    (void)state;
    const char *t = "time,temp_c,lat,lon\n"
                    "2020-03-01T08:00:00Z,10.1,39.1,117.2\n"
                    "2020-03-01T08:05:00Z,10.3,39.0,117.0\n"
                    "2020-03-01T08:10:00Z,9.8,38.8,116.9\n";
    rk_logger_report r;
    assert_int_equal(parse(t, &r, NULL), RK_OK);
    assert_int_equal(r.n_readings, 3);
    assert_int_equal(r.n_excursions, 0);
    assert_int_equal(r.n_issues, 0);
    assert_true(r.release_ok);
    assert_true(r.min_c == 9.8 && r.max_c == 10.3);
    assert_string_equal(r.verdict, "OK: 3 readings within 8-12 C, transit 10m00s");
    rk_logger_report_free(&r);
}

static void test_excursions_with_duration(void **state)
{
    (void)state;
    const char *t = "time,temp_c\n"
                    "2020-03-01T08:00:00Z,10\n"
                    "2020-03-01T08:05:00Z,12.5\n" /* line 3: hot starts */
                    "2020-03-01T08:10:00Z,13.9\n"
                    "2020-03-01T08:15:00Z,12\n"   /* line 5: back (12 is in range) */
                    "2020-03-01T08:20:00Z,7.9\n"  /* line 6: cold starts */
                    "2020-03-01T08:25:00Z,7.5\n"; /* open at the end */
    rk_logger_report r;
    assert_int_equal(parse(t, &r, NULL), RK_OK);
    assert_int_equal(r.n_excursions, 2);
    assert_int_equal(r.excursions[0].hot, 1);
    assert_int_equal(r.excursions[0].line_start, 3);
    assert_int_equal(r.excursions[0].line_end, 5);
    assert_int_equal(r.excursions[0].end - r.excursions[0].start, 600);
    assert_true(r.excursions[0].extreme_c == 13.9);
    assert_int_equal(r.excursions[1].hot, 0);
    assert_int_equal(r.excursions[1].line_start, 6);
    assert_int_equal(r.excursions[1].line_end, 7);
    assert_int_equal(r.excursions[1].end - r.excursions[1].start, 300);
    assert_true(r.excursions[1].extreme_c == 7.5);
    assert_false(r.release_ok);
    assert_string_equal(r.verdict,
                        "QUARANTINE: 2 excursion(s), 0 bad row(s)/gap(s), transit 25m00s");
    rk_logger_report_free(&r);
    /* hot straight to cold: two excursions */
    const char *t2 = "time,temp_c\n2020-03-01T08:00:00Z,13\n2020-03-01T08:05:00Z,7\n"
                     "2020-03-01T08:10:00Z,9\n";
    assert_int_equal(parse(t2, &r, NULL), RK_OK);
    assert_int_equal(r.n_excursions, 2);
    assert_int_equal(r.excursions[0].end - r.excursions[0].start, 300);
    assert_int_equal(r.excursions[1].line_start, 3);
    rk_logger_report_free(&r);
}

static void test_transit_limit(void **state)
{
    (void)state;
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "time,temp_c\n");
    for (int i = 0; i <= 73; i++) /* 73 intervals of 5 min = 6h05 */
        n += (size_t)snprintf(text + n, sizeof text - n, "2020-03-01T%02d:%02d:00Z,10\n",
                              8 + i * 5 / 60, i * 5 % 60);
    rk_logger_report r;
    assert_int_equal(parse(text, &r, NULL), RK_OK);
    assert_true(r.transit_exceeded);
    assert_false(r.release_ok);
    assert_string_equal(r.verdict, "QUARANTINE: 0 excursion(s), 0 bad row(s)/gap(s), transit "
                                   "6h05m (over the limit)");
    rk_logger_report_free(&r);
}

static void test_bad_rows_with_line_numbers(void **state)
{
    (void)state;
    const char *t = "time,temp_c\n"
                    "2020-03-01T08:00:00Z,10\n"
                    "2020-03-01T08:05:00Z\n"       /* 3: too few fields */
                    "2020-03-01T08:05:00Z,abc\n"   /* 4: bad number */
                    "2020-03-01 08:05,10\n"        /* 5: fine (space, no seconds) */
                    "2020-03-01T08:03:00Z,10\n"    /* 6: out of order */
                    "2020-03-01T08:30:00Z,10\n"    /* 7: gap of 25 min */
                    "yesterday,10\n"               /* 8: bad time */
                    "\n"                           /* 9: blank, ignored */
                    "2020-03-01T08:35:00Z,10\r\n"; /* 10: CRLF fine */
    rk_logger_report r;
    assert_int_equal(parse(t, &r, NULL), RK_OK);
    assert_int_equal(r.n_readings, 4);
    assert_int_equal(r.n_issues, 5);
    size_t lines[] = {3, 4, 6, 7, 8};
    rk_logger_issue_kind kinds[] = {RK_LOG_MALFORMED, RK_LOG_MALFORMED, RK_LOG_OUT_OF_ORDER,
                                    RK_LOG_GAP, RK_LOG_MALFORMED};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r.issues[i].line, lines[i]);
        assert_int_equal(r.issues[i].kind, kinds[i]);
    }
    assert_string_equal(r.issues[0].msg, "line 3: malformed row: 1 fields, the header has 2");
    assert_string_equal(r.issues[1].msg,
                        "line 4: malformed row: temperature 'abc' is not a number");
    assert_string_equal(r.issues[2].msg, "line 6: out of order: 2020-03-01T08:03:00Z is not after "
                                         "2020-03-01T08:05:00Z (line 5); reading ignored");
    assert_string_equal(r.issues[3].msg, "line 7: gap of 25m00s after line 5 (logging interval "
                                         "300s): temperature unknown in between");
    assert_string_equal(r.issues[4].msg,
                        "line 8: malformed row: time 'yesterday' is not YYYY-MM-DDTHH:MM:SSZ");
    assert_false(r.release_ok);
    rk_logger_report_free(&r);
}

/* A reading no logger can record (1e308 C, -300 C) is a malformed row, not an excursion of
 * 1e308 C printed with 300 digits. */
static void test_impossible_temperature_malformed(void **state)
{
    (void)state;
    const char *t = "time,temp_c\n"
                    "2020-03-01T08:00:00Z,10\n"
                    "2020-03-01T08:05:00Z,1e308\n"
                    "2020-03-01T08:10:00Z,-300\n"
                    "2020-03-01T08:15:00Z,10\n";
    rk_logger_report r;
    assert_int_equal(parse(t, &r, NULL), RK_OK);
    assert_int_equal(r.n_readings, 2);
    assert_int_equal(r.n_issues, 3); /* two malformed rows, then the gap they leave */
    assert_string_equal(r.issues[0].msg, "line 3: malformed row: temperature 1e+308 C is not a "
                                         "plausible reading (-100 to 100 C)");
    assert_int_equal(r.issues[0].kind, RK_LOG_MALFORMED);
    assert_string_equal(r.issues[1].msg, "line 4: malformed row: temperature -300 C is not a "
                                         "plausible reading (-100 to 100 C)");
    assert_false(r.release_ok);
    rk_logger_report_free(&r);
}

static void test_unreadable_never_releases(void **state)
{
    (void)state;
    rk_logger_report r;
    rk_error err;
    assert_int_equal(rk_logger_read("/nonexistent/ship.csv", NULL, &r, &err), RK_EIO);
    assert_false(r.release_ok);
    assert_string_equal(err.msg, "/nonexistent/ship.csv: cannot open: No such file or directory; "
                                 "the shipment stays quarantined");
    assert_int_equal(parse("", &r, &err), RK_EPARSE);
    assert_false(r.release_ok);
    assert_string_equal(err.msg, "ship.csv: the logger file is empty: the shipment stays "
                                 "quarantined");
    assert_int_equal(parse("when,temp\n2020-03-01T08:00:00Z,10\n", &r, &err), RK_EPARSE);
    assert_false(r.release_ok);
    assert_int_equal(parse("time,temp_c\n2020-03-01T08:00:00Z,10\n", &r, NULL), RK_OK);
    assert_false(r.release_ok); /* one reading proves nothing */
    assert_string_equal(r.verdict, "QUARANTINE: 1 usable readings; the cold chain cannot be shown");
    rk_logger_report_free(&r);
}

static void test_many_issues_counted_not_all_kept(void **state)
{
    (void)state;
    char text[65536];
    size_t n = (size_t)snprintf(text, sizeof text, "time,temp_c\n");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "bad,row\n");
    rk_logger_report r;
    assert_int_equal(parse(text, &r, NULL), RK_OK);
    assert_int_equal(r.n_issues, 300);
    assert_int_equal(r.n_issues_kept, RK_LOGGER_MAX_ISSUES);
    assert_int_equal(r.n_readings, 0);
    assert_false(r.release_ok);
    rk_logger_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_file_releasable),
        cmocka_unit_test(test_excursions_with_duration),
        cmocka_unit_test(test_transit_limit),
        cmocka_unit_test(test_bad_rows_with_line_numbers),
        cmocka_unit_test(test_impossible_temperature_malformed),
        cmocka_unit_test(test_unreadable_never_releases),
        cmocka_unit_test(test_many_issues_counted_not_all_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
