/* Tests for src/data/csv.c: RFC 4180 parsing, errors with file and line, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"

static rk_table *parse_ok(const char *text)
{
    rk_table *t = NULL;
    rk_error err;
    rk_status st = rk_csv_parse(text, strlen(text), "mem.csv", &t, &err);
    if (st) fail_msg("unexpected error: %s", err.msg);
    return t;
}

static rk_status parse_err(const char *text, rk_error *err)
{
    rk_table *t = (rk_table *)1;
    rk_status st = rk_csv_parse(text, strlen(text), "bad.csv", &t, err);
    assert_null(t);
    return st;
}

static void test_quotes_crlf_bom_and_blank_lines(void **state)
{
    (void)state;
    rk_table *t =
        parse_ok("\xEF\xBB\xBFid,name,score\r\n1,\"Smith, J\",3.5\r\n\r\n2,\"say \"\"hi\"\"\",\r\n"
                 "3,\"two\nlines\",NA");
    assert_int_equal(rk_table_ncols(t), 3);
    assert_int_equal(rk_table_nrows(t), 3);
    assert_string_equal(rk_table_colname(t, 0), "id");
    assert_string_equal(rk_table_cell(t, 0, 1), "Smith, J");
    assert_string_equal(rk_table_cell(t, 1, 1), "say \"hi\"");
    assert_string_equal(rk_table_cell(t, 1, 2), "");
    assert_string_equal(rk_table_cell(t, 2, 1), "two\nlines");
    assert_int_equal(rk_table_line(t, 0), 2);
    assert_int_equal(rk_table_line(t, 1), 4);
    assert_int_equal(rk_table_line(t, 2), 5);
    double v[3];
    size_t miss;
    rk_error err;
    assert_int_equal(rk_table_numeric(t, 2, v, &miss, &err), RK_OK);
    assert_true(v[0] == 3.5);
    assert_true(isnan(v[1]) && isnan(v[2]));
    assert_int_equal(miss, 2);
    assert_int_equal(rk_table_find(t, "score"), 2);
    assert_int_equal(rk_table_find(t, "nope"), -1);
    size_t col;
    assert_int_equal(rk_table_column(t, "nope", &col, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "columns: id, name, score"));
    rk_table_free(t);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    rk_error err;
    assert_int_equal(parse_err("a,b\n1,2\n3\n", &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv:3: 1 fields, but the header has 2");
    assert_int_equal(parse_err("a,b\n1,\"2\n", &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv:2: a quoted field is never closed");
    assert_int_equal(parse_err("a,a\n1,2\n", &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv:1: column name 'a' appears twice");
    assert_int_equal(parse_err("", &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv: the file is empty (no header row)");
    assert_int_equal(parse_err("a,\n", &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv:1: column 2 of the header has no name");
    assert_int_equal(parse_err("a\n\"x\"y\n", &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv:2: text after a closing quote in field 1");
}

static void test_numeric_column_reports_bad_cell(void **state)
{
    (void)state;
    rk_table *t = parse_ok("g,v\nA,1\nB,2x\n");
    double v[2];
    rk_error err;
    assert_int_equal(rk_table_numeric(t, 1, v, NULL, &err), RK_EPARSE);
    assert_string_equal(err.msg, "mem.csv:3: column 'v': '2x' is not a number");
    rk_table_free(t);
}

static void test_parse_number_is_strict(void **state)
{
    (void)state;
    double v;
    assert_int_equal(rk_parse_number(" -1.5e3 ", &v, NULL), RK_OK);
    assert_true(v == -1500);
    assert_int_equal(rk_parse_number(".5", &v, NULL), RK_OK);
    assert_true(v == 0.5);
    const char *bad[] = {"", "nan", "NaN", "inf", "-Infinity", "1e999", "0x10", "1,5", "--1", "."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(rk_parse_number(bad[i], &v, NULL), RK_EPARSE);
    assert_true(rk_cell_is_missing(" NA "));
    assert_true(rk_cell_is_missing("."));
    assert_true(rk_cell_is_missing(""));
    assert_false(rk_cell_is_missing("NAN"));
}

static void test_read_missing_file(void **state)
{
    (void)state;
    rk_table *t;
    rk_error err;
    assert_int_equal(rk_csv_read("/nonexistent/x.csv", &t, &err), RK_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csv: cannot open"));
}

static void test_non_utf8_is_rejected_with_line(void **state)
{
    (void)state;
    rk_error err;
    /* Latin-1 e-acute: would otherwise reach JSON output, where jansson drops the string */
    assert_int_equal(parse_err("id,arm\n1,A\n2,caf\xE9\n", &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv:3: byte 6 of the line (0xE9) is not UTF-8 text; save "
                                 "the file as UTF-8");
    assert_int_equal(parse_err("a\n\xC0\xAF\n", &err), RK_EPARSE);     /* overlong '/' */
    assert_int_equal(parse_err("a\n\xED\xA0\x80\n", &err), RK_EPARSE); /* surrogate */
    assert_int_equal(parse_err("a\n\xF4\x90\x80\x80\n", &err), RK_EPARSE);
    assert_int_equal(parse_err("a\n\xE2\x82\n", &err), RK_EPARSE); /* truncated */
    rk_table *t = parse_ok("\xEF\xBB\xBFname\ncaf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n");
    assert_string_equal(rk_table_cell(t, 0, 0), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    rk_table_free(t);
}

static void test_wide_header_duplicates(void **state)
{
    (void)state;
    /* 100,000 columns, the last named like the first: found (the old pairwise check took
     * minutes here, past the test's timeout) */
    enum { NC = 100000 };
    size_t cap = (size_t)NC * 8 + 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int j = 0; j < NC; j++)
        len += (size_t)snprintf(text + len, cap - len, "%sc%d", j ? "," : "", j == NC - 1 ? 0 : j);
    len += (size_t)snprintf(text + len, cap - len, "\n");
    rk_error err;
    assert_int_equal(parse_err(text, &err), RK_EPARSE);
    assert_string_equal(err.msg, "bad.csv:1: column name 'c0' appears twice");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quotes_crlf_bom_and_blank_lines),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_numeric_column_reports_bad_cell),
        cmocka_unit_test(test_parse_number_is_strict),
        cmocka_unit_test(test_read_missing_file),
        cmocka_unit_test(test_non_utf8_is_rejected_with_line),
        cmocka_unit_test(test_wide_header_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
