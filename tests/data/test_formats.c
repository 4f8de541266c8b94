/* Tests for src/data/readstat.c and xport.c: Stata, SPSS, SAS XPORT and sas7bdat files
 * written by R (tests/fixtures/make_data_formats.R) read cell by cell against the CSV R
 * wrote; XPORT v5 written by rctkit read back through ReadStat; v5 limits refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rctkit/data.h"

#define FIX RK_FIXTURE_DIR "/data/"

static rk_table *read_ok(const char *path)
{
    rk_table *t = NULL;
    rk_error err;
    if (rk_data_read(path, RK_FILE_AUTO, &t, &err)) fail_msg("%s", err.msg);
    return t;
}

/* Same columns, rows and values; numbers compared as doubles (exactly). */
static void assert_same_table(const rk_table *want, const rk_table *got)
{
    assert_int_equal(rk_table_ncols(got), rk_table_ncols(want));
    assert_int_equal(rk_table_nrows(got), rk_table_nrows(want));
    for (size_t j = 0; j < rk_table_ncols(want); j++) {
        assert_string_equal(rk_table_colname(got, j), rk_table_colname(want, j));
        for (size_t i = 0; i < rk_table_nrows(want); i++) {
            const char *a = rk_table_cell(want, i, j), *b = rk_table_cell(got, i, j);
            double x, y;
            if (rk_parse_number(a, &x, NULL) == RK_OK && rk_parse_number(b, &y, NULL) == RK_OK) {
                if (x != y) fail_msg("row %zu col %zu: %s vs %s", i, j, a, b);
            } else if (strcmp(a, b) != 0) {
                fail_msg("row %zu col %s: want '%s' got '%s'", i, rk_table_colname(want, j), a, b);
            }
        }
    }
}

static void check_format(const char *file)
{
    rk_table *want = read_ok(FIX "adsl_expected.csv");
    rk_table *got = read_ok(file);
    assert_same_table(want, got);
    assert_int_equal(rk_table_coltype(got, 0), RK_COL_TEXT);
    assert_int_equal(rk_table_coltype(got, 3), RK_COL_NUMBER);
    assert_int_equal(rk_table_coltype(got, 6), RK_COL_DATE);
    assert_string_equal(rk_table_label(got, 3), "Age (years)");
    char where[300];
    assert_non_null(strstr(rk_table_where(got, 1, where, sizeof where), ": record 2"));
    rk_table_free(want);
    rk_table_free(got);
}

static void test_read_stata(void **s)
{
    (void)s;
    check_format(FIX "adsl.dta");
}
static void test_read_spss(void **s)
{
    (void)s;
    check_format(FIX "adsl.sav");
}
static void test_read_xport(void **s)
{
    (void)s;
    check_format(FIX "adsl.xpt");
}
static void test_read_sas7bdat(void **s)
{
    (void)s;
    check_format(FIX "adsl.sas7bdat");
}

static void tmpname(char *buf, size_t n, const char *base)
{
    snprintf(buf, n, "/tmp/rk_test_formats_%ld_%s", (long)getpid(), base);
}

static void test_xport_round_trip(void **s)
{
    (void)s;
    rk_table *want = read_ok(FIX "adsl_expected.csv");
    rk_error err;
    assert_int_equal(rk_table_set_label(want, 5, "Lesion proportion (%)", &err), RK_OK);
    char path[256], path2[256];
    tmpname(path, sizeof path, "adsl.xpt");
    tmpname(path2, sizeof path2, "adsl2.xpt");
    if (rk_xport_write(want, path, "ADSL", &err)) fail_msg("%s", err.msg);
    rk_table *got = read_ok(path);
    assert_same_table(want, got);
    assert_int_equal(rk_table_coltype(got, 1), RK_COL_TEXT); /* "01" stays a code */
    assert_int_equal(rk_table_coltype(got, 4), RK_COL_NUMBER);
    assert_int_equal(rk_table_coltype(got, 6), RK_COL_DATE);
    assert_string_equal(rk_table_label(got, 5), "Lesion proportion (%)");
    /* deterministic bytes: writing again gives the same file */
    if (rk_xport_write(got, path2, "ADSL", &err)) fail_msg("%s", err.msg);
    FILE *a = fopen(path, "rb"), *b = fopen(path2, "rb");
    assert_non_null(a);
    assert_non_null(b);
    int ca, cb;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        assert_int_equal(ca, cb);
    } while (ca != EOF);
    fclose(a);
    fclose(b);
    remove(path);
    remove(path2);
    rk_table_free(want);
    rk_table_free(got);
}

static void test_xport_v5_limits(void **s)
{
    (void)s;
    rk_error err;
    char path[256];
    tmpname(path, sizeof path, "lim.xpt");
    const char *names[] = {"USUBJID", "LONGNAME9"};
    rk_table *t;
    assert_int_equal(rk_table_new("mem", 2, names, &t, &err), RK_OK);
    const char *row[] = {"S1", "1"};
    assert_int_equal(rk_table_add_row(t, row, 2, &err), RK_OK);
    assert_int_equal(rk_xport_write(t, path, "ADSL", &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, ": column 'LONGNAME9' is not a SAS XPORT v5 name (1-8 "
                                    "letters, digits or _, not starting with a digit); rename it"));
    rk_table_free(t);

    const char *names2[] = {"USUBJID", "AVAL"};
    assert_int_equal(rk_table_new("mem", 2, names2, &t, &err), RK_OK);
    assert_int_equal(rk_table_add_row(t, row, 2, &err), RK_OK);
    assert_int_equal(
        rk_table_set_label(t, 1, "Analysis value of the total lesion proportion", &err), RK_OK);
    assert_int_equal(rk_xport_write(t, path, "ADSL", &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, ": the label of column 'AVAL' has 45 characters; SAS XPORT "
                                    "v5 allows 40: shorten it"));
    assert_int_equal(rk_table_set_label(t, 1, "Analysis value", &err), RK_OK);
    assert_int_equal(rk_xport_write(t, path, "ADSL_TOO_LONG", &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "data set name 'ADSL_TOO_LONG' is not a SAS XPORT v5 name"));
    assert_int_equal(rk_xport_write(t, "/tmp/9lives.xpt", NULL, &err), RK_EINVAL);
    assert_non_null(strstr(err.msg, "data set name '9LIVES'"));
    char big[300];
    memset(big, 'x', 250);
    big[250] = '\0';
    const char *row2[] = {big, "2"};
    assert_int_equal(rk_table_add_row(t, row2, 3, &err), RK_OK);
    assert_int_equal(rk_xport_write(t, path, "ADSL", &err), RK_EINVAL);
    assert_string_equal(err.msg,
                        "mem:3: column 'USUBJID': a value of 250 bytes; SAS XPORT v5 allows 200");
    assert_int_equal(access(path, F_OK), -1); /* nothing left behind */
    rk_table_free(t);

    /* numbers IBM floating point (as ReadStat writes it) cannot hold: 1e308 was written as
     * 7.2e75 (read back as inf by ReadStat) and 1e-300 as 0, silently */
    const char *big_row[] = {"S1", "1e308"}, *tiny_row[] = {"S1", "-1e-300"},
               *ok_row[] = {"S1", "-9e74"};
    assert_int_equal(rk_table_new("mem", 2, names2, &t, &err), RK_OK);
    assert_int_equal(rk_table_add_row(t, ok_row, 2, &err), RK_OK);
    assert_int_equal(rk_xport_write(t, path, "ADSL", &err), RK_OK);
    assert_int_equal(rk_table_add_row(t, big_row, 3, &err), RK_OK);
    assert_int_equal(rk_xport_write(t, path, "ADSL", &err), RK_EINVAL);
    assert_string_equal(err.msg, "mem:3: column 'AVAL': 1e+308 is outside what SAS XPORT v5 "
                                 "holds (magnitudes 5.4e-79 to 9.0e+74, or 0)");
    rk_table_free(t);
    assert_int_equal(rk_table_new("mem", 2, names2, &t, &err), RK_OK);
    assert_int_equal(rk_table_add_row(t, tiny_row, 2, &err), RK_OK);
    assert_int_equal(rk_xport_write(t, path, "ADSL", &err), RK_EINVAL);
    assert_string_equal(err.msg, "mem:2: column 'AVAL': -1e-300 is outside what SAS XPORT v5 "
                                 "holds (magnitudes 5.4e-79 to 9.0e+74, or 0)");
    rk_table_free(t);
    remove(path);
}

static void test_format_errors(void **s)
{
    (void)s;
    rk_table *t;
    rk_error err;
    assert_int_equal(rk_data_read(FIX "adsl_expected.csv.gz", RK_FILE_AUTO, &t, &err), RK_EINVAL);
    assert_non_null(
        strstr(err.msg, "unknown file type (expected .csv, .sas7bdat, .xpt, .dta, .sav)"));
    /* a CSV file named .dta is not a Stata file */
    assert_int_equal(rk_data_read(FIX "adsl_expected.csv", RK_FILE_DTA, &t, &err), RK_EPARSE);
    assert_non_null(strstr(err.msg, "adsl_expected.csv: not a readable dta file"));
    assert_null(t);
    assert_int_equal(rk_data_read("/nonexistent.sav", RK_FILE_AUTO, &t, &err), RK_EIO);
}

static void test_dates(void **s)
{
    (void)s;
    long d;
    char buf[16];
    assert_int_equal(rk_parse_date("1960-01-01", &d, NULL), RK_OK);
    assert_int_equal(d, 0);
    assert_int_equal(rk_parse_date("2020-03-05", &d, NULL), RK_OK);
    assert_int_equal(d, 21979); /* SAS: '05MAR2020'd = 21979 */
    assert_int_equal(rk_parse_date("1583-01-01", &d, NULL), RK_OK);
    assert_int_equal(d, -137696);
    assert_int_equal(rk_parse_date("1582-12-31", &d, NULL), RK_EPARSE);
    assert_int_equal(rk_parse_date("2020-02-30", &d, NULL), RK_EPARSE);
    assert_int_equal(rk_parse_date("2019-02-29", &d, NULL), RK_EPARSE);
    assert_int_equal(rk_parse_date("2000-02-29", &d, NULL), RK_OK);
    assert_int_equal(rk_parse_date("2020-3-5", &d, NULL), RK_EPARSE);
    assert_int_equal(rk_parse_date("05MAR2020", &d, NULL), RK_EPARSE);
    /* brute force: every day from 1900 to 2100 formats and parses back */
    for (long k = -21915; k < 51500; k++) {
        rk_format_date(k, buf, sizeof buf);
        assert_int_equal(rk_parse_date(buf, &d, NULL), RK_OK);
        assert_int_equal(d, k);
    }
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Property: random tables (numbers of every magnitude, awkward text, missing cells) come back
 * cell for cell through CSV (write, read) and XPORT v5 (write, read through ReadStat). */
static void test_random_round_trips(void **s)
{
    (void)s;
    char csv[256], xpt[256];
    tmpname(csv, sizeof csv, "rt.csv");
    tmpname(xpt, sizeof xpt, "rt.xpt");
    static const char *words[] = {"a",      "Smith, J", "say \"hi\"", "two\nlines", " lead", "x\ty",
                                  "UC-MSC", "Placebo",  "é ü",        "0042",       "NA?",   "-"};
    for (int rep = 0; rep < 40; rep++) {
        const char *names[] = {"ID", "NUM", "TXT", "DT"};
        rk_table *t;
        rk_error err;
        assert_int_equal(rk_table_new("rand", 4, names, &t, &err), RK_OK);
        size_t nrow = 1 + next() % 30;
        for (size_t i = 0; i < nrow; i++) {
            char id[32], num[64], dt[16];
            snprintf(id, sizeof id, "S%zu", i);
            double v;
            switch (next() % 4) {
            case 0: v = (double)(int64_t)(next() % 2000001) - 1000000; break;
            case 1: v = ((double)(next() >> 11) / 9007199254740992.0 - 0.5) * 1e6; break;
            case 2: v = ((double)(next() >> 11) / 9007199254740992.0) * 1e-30; break;
            default: v = ((double)(next() >> 11) / 9007199254740992.0) * 1e40; break;
            }
            snprintf(num, sizeof num, "%.17g", v);
            rk_format_date((long)(next() % 40000) - 10000, dt, sizeof dt);
            int miss = next() % 5 == 0;
            const char *row[] = {id, miss ? "" : num, words[next() % 12], miss ? "" : dt};
            assert_int_equal(rk_table_add_row(t, row, i + 2, &err), RK_OK);
        }
        if (rk_csv_write(t, csv, &err)) fail_msg("%s", err.msg);
        rk_table *back = read_ok(csv);
        assert_same_table(t, back);
        rk_table_free(back);
        if (rk_xport_write(t, xpt, "RT", &err)) fail_msg("%s", err.msg);
        back = read_ok(xpt);
        assert_same_table(t, back);
        rk_table_free(back);
        rk_table_free(t);
    }
    remove(csv);
    remove(xpt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_stata),         cmocka_unit_test(test_read_spss),
        cmocka_unit_test(test_read_xport),         cmocka_unit_test(test_read_sas7bdat),
        cmocka_unit_test(test_xport_round_trip),   cmocka_unit_test(test_xport_v5_limits),
        cmocka_unit_test(test_format_errors),      cmocka_unit_test(test_dates),
        cmocka_unit_test(test_random_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
