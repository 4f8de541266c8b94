/* Tests for src/data/trial.c and derive.c: the synthetic trial of
 * tests/fixtures/make_data_trial.R derived by rctkit and compared with the derivations R
 * made independently (populations, windows, BASE/CHG/PCHG, LOCF, improvement, time to
 * improvement); bad input gives the exact message with file, line and column. */
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

#define FIX RK_FIXTURE_DIR "/data/trial/"

static const char *arms[] = {"UC-MSC", "Placebo"};
static const rk_visit_window windows[] = {
    {"BASELINE", 1, -7, 1}, {"DAY10", 10, 7, 13}, {"DAY28", 28, 21, 35}};

static void seed_opts(rk_trial_opts *o)
{
    rk_trial_opts_init(o);
    o->arms = arms;
    o->n_arms = 2;
    o->windows = windows;
    o->n_windows = 3;
    o->primary_param = "LESPROP";
    o->primary_visit = "DAY28";
    o->improve_param = "CS6";
}

static rk_table *read_ok(const char *path)
{
    rk_table *t = NULL;
    rk_error err;
    if (rk_data_read(path, RK_FILE_AUTO, &t, &err)) fail_msg("%s", err.msg);
    return t;
}

/* Every column of `want` equals the same-named column of `got`, row by row;
 * numbers compared as doubles. */
static void assert_columns_equal(const rk_table *want, const rk_table *got)
{
    assert_int_equal(rk_table_nrows(got), rk_table_nrows(want));
    for (size_t j = 0; j < rk_table_ncols(want); j++) {
        long g = rk_table_find(got, rk_table_colname(want, j));
        if (g < 0) fail_msg("no column %s", rk_table_colname(want, j));
        for (size_t i = 0; i < rk_table_nrows(want); i++) {
            const char *a = rk_table_cell(want, i, j), *b = rk_table_cell(got, i, (size_t)g);
            double x, y;
            if (rk_parse_number(a, &x, NULL) == RK_OK && rk_parse_number(b, &y, NULL) == RK_OK) {
                if (x != y)
                    fail_msg("row %zu %s: R %s, rctkit %s", i + 1, rk_table_colname(want, j), a, b);
            } else if (strcmp(a, b) != 0) {
                fail_msg("row %zu %s: R '%s', rctkit '%s' (subject %s)", i + 1,
                         rk_table_colname(want, j), a, b, rk_table_cell(got, i, 0));
            }
        }
    }
}

static void test_derivations_match_r(void **state)
{
    (void)state;
    rk_trial_opts o;
    seed_opts(&o);
    rk_trial *t;
    rk_error err;
    if (rk_trial_read(FIX "adsl.csv", FIX "adlb.csv", FIX "adae.csv", &o, &t, &err))
        fail_msg("%s", err.msg);
    rk_table *adsl, *bds, *tte, *want;
    assert_int_equal(rk_trial_adsl(t, &adsl, &err), RK_OK);
    want = read_ok(FIX "expected_adsl.csv");
    assert_columns_equal(want, adsl);
    rk_table_free(want);
    assert_int_equal(rk_trial_bds(t, &bds, &err), RK_OK);
    want = read_ok(FIX "expected_bds.csv");
    assert_columns_equal(want, bds);
    rk_table_free(want);
    assert_int_equal(rk_trial_adtte(t, &tte, &err), RK_OK);
    want = read_ok(FIX "expected_tte.csv");
    assert_columns_equal(want, tte);
    rk_table_free(want);
    /* adverse events: related and treatment-emergent flags */
    assert_int_equal(t->n_aes, 6);
    assert_int_equal(t->aes[0].related, 0);
    assert_int_equal(t->aes[1].related, 1);
    assert_int_equal(t->aes[5].serious, 1);
    assert_int_equal(t->aes[4].trtem, 0); /* subject never dosed, day -1 */
    assert_int_equal(t->aes[3].grade, 3);
    /* notes name what was decided */
    int saw_base0 = 0, saw_locf = 0;
    for (size_t i = 0; i < t->n_notes; i++) {
        saw_base0 |= !strcmp(t->notes[i], "PCHG: 2 post-baseline records have BASE = 0 (first: "
                                          "subject MSC-007, LESPROP); their percent change is "
                                          "missing");
        saw_locf |= !strcmp(t->notes[i], "LOCF: 12 records of LESPROP carried forward for 10 "
                                         "mITT subjects (DTYPE = LOCF)");
    }
    assert_true(saw_base0);
    assert_true(saw_locf);
    rk_table_free(adsl);
    rk_table_free(bds);
    rk_table_free(tte);
    rk_trial_free(t);
}

/* Load in-memory CSV texts; returns the status and leaves the message in err. */
static rk_status load(const char *adsl, const char *adlb, const char *adae, rk_error *err)
{
    rk_table *s = NULL, *m = NULL, *a = NULL;
    rk_error e2;
    if (rk_csv_parse(adsl, strlen(adsl), "adsl.csv", &s, &e2)) fail_msg("%s", e2.msg);
    if (adlb && rk_csv_parse(adlb, strlen(adlb), "adlb.csv", &m, &e2)) fail_msg("%s", e2.msg);
    if (adae && rk_csv_parse(adae, strlen(adae), "adae.csv", &a, &e2)) fail_msg("%s", e2.msg);
    rk_trial_opts o;
    seed_opts(&o);
    rk_trial *t = (rk_trial *)1;
    rk_status st = rk_trial_from_tables(s, m, a, &o, &t, err);
    if (st) assert_null(t);
    rk_trial_free(st ? NULL : t);
    return st;
}

#define ADSL_HEAD "USUBJID,ARM,RANDDT,TRTSDT,AGE\n"
#define ADSL_OK ADSL_HEAD "S1,UC-MSC,2020-03-05,2020-03-06,60\nS2,Placebo,2020-03-05,,50\n"

static void test_bad_input_messages(void **state)
{
    (void)state;
    rk_error err;
    assert_int_equal(load(ADSL_OK, NULL, NULL, &err), RK_OK);
    assert_int_equal(load(ADSL_OK "S1,Placebo,2020-03-07,,40\n", NULL, NULL, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adsl.csv:4: column 'USUBJID': subject 'S1' appears twice "
                                 "(first at adsl.csv:2)");
    assert_int_equal(load(ADSL_OK "S3,Plaecbo,2020-03-07,,40\n", NULL, NULL, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adsl.csv:4: column 'ARM': arm 'Plaecbo' is not in the plan "
                                 "(arms: UC-MSC, Placebo)");
    assert_int_equal(load(ADSL_OK "S3,Placebo,2020-03-07,2020-03-01,40\n", NULL, NULL, &err),
                     RK_EINVAL);
    assert_string_equal(err.msg, "adsl.csv:4: column 'TRTSDT': dates out of order: first dose "
                                 "2020-03-01 is before randomization (RANDDT 2020-03-07)");
    assert_int_equal(load(ADSL_OK "S3,Placebo,2020-02-30,,40\n", NULL, NULL, &err), RK_EPARSE);
    assert_string_equal(err.msg, "adsl.csv:4: column 'RANDDT': '2020-02-30' is not a valid "
                                 "calendar date");
    /* a covariate that is numeric except for one cell */
    char many[2000] = ADSL_HEAD;
    for (int i = 0; i < 12; i++) {
        char row[80];
        snprintf(row, sizeof row, "S%d,UC-MSC,2020-03-05,2020-03-05,%s\n", i,
                 i == 7 ? "sixty" : "61");
        strncat(many, row, sizeof many - strlen(many) - 1);
    }
    assert_int_equal(load(many, NULL, NULL, &err), RK_EPARSE);
    assert_string_equal(err.msg, "adsl.csv:9: column 'AGE': 'sixty' is text in a numeric column "
                                 "(11 other values are numbers)");

    const char *lb = "USUBJID,PARAMCD,ADY,AVAL,AVALU\nS1,LESPROP,1,20,%\n";
    assert_int_equal(load(ADSL_OK, lb, NULL, &err), RK_OK);
    char buf[400];
    snprintf(buf, sizeof buf, "%sS9,LESPROP,1,20,%%\n", lb);
    assert_int_equal(load(ADSL_OK, buf, NULL, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adlb.csv:3: column 'USUBJID': subject 'S9' is not in the "
                                 "subjects file adsl.csv");
    snprintf(buf, sizeof buf, "%sS1,LESPROP,28,12..5,%%\n", lb);
    assert_int_equal(load(ADSL_OK, buf, NULL, &err), RK_EPARSE);
    assert_string_equal(err.msg, "adlb.csv:3: column 'AVAL': '12..5' is not a number");
    snprintf(buf, sizeof buf, "%sS1,LESPROP,28,104.5,%%\n", lb);
    assert_int_equal(load(ADSL_OK, buf, NULL, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adlb.csv:3: column 'AVAL': 104.5 is over 100, but LESPROP is a "
                                 "proportion (AVALU %)");
    snprintf(buf, sizeof buf, "%sS1,LESVOL,28,-3,mL\n", lb);
    assert_int_equal(load(ADSL_OK, buf, NULL, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adlb.csv:3: column 'AVAL': -3 is negative, but LESVOL is a "
                                 "volume (AVALU mL)");

    const char *ae = "USUBJID,AEDECOD,AETOXGR,ASTDY,AENDY\nS1,Fever,2,3,5\n";
    assert_int_equal(load(ADSL_OK, NULL, ae, &err), RK_OK);
    snprintf(buf, sizeof buf, "%sS1,Rash,1,9,4\n", ae);
    assert_int_equal(load(ADSL_OK, NULL, buf, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adae.csv:3: column 'AENDY': dates out of order: the event ends "
                                 "on day 4, before it starts (ASTDY 9)");
    snprintf(buf, sizeof buf, "%sS1,Rash,6,9,10\n", ae);
    assert_int_equal(load(ADSL_OK, NULL, buf, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adae.csv:3: column 'AETOXGR': grade '6' is not 1, 2, 3, 4 or 5");
    snprintf(buf, sizeof buf, "%sS7,Rash,1,9,10\n", ae);
    assert_int_equal(load(ADSL_OK, NULL, buf, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adae.csv:3: column 'USUBJID': subject 'S7' is not in the "
                                 "subjects file adsl.csv");
    assert_int_equal(load("USUBJID,TRT\nS1,A\n", NULL, NULL, &err), RK_EINVAL);
    assert_string_equal(err.msg, "adsl.csv: no column 'ARM' (columns: USUBJID, TRT)");
}

static void test_populations_and_given_flags(void **state)
{
    (void)state;
    const char *adsl = "USUBJID,ARM,RANDDT,TRTSDT,MITTFL\n"
                       "S1,UC-MSC,2020-03-05,2020-03-06,Y\n"
                       "S2,Placebo,2020-03-05,,Y\n"
                       "S3,,,,\n";
    rk_table *s;
    rk_error err;
    assert_int_equal(rk_csv_parse(adsl, strlen(adsl), "adsl.csv", &s, &err), RK_OK);
    rk_trial *t;
    assert_int_equal(rk_trial_from_tables(s, NULL, NULL, NULL, &t, &err), RK_OK);
    assert_int_equal(t->n_arms, 2); /* sorted when the plan gives none */
    assert_string_equal(t->arms[0], "Placebo");
    assert_int_equal(t->subjects[0].itt, 1);
    assert_int_equal(t->subjects[1].saf, 0);
    assert_int_equal(t->subjects[1].mitt, 1); /* as given ... */
    assert_int_equal(t->subjects[2].itt, 0);
    int noted = 0; /* ... with a note that the rule says otherwise */
    for (size_t i = 0; i < t->n_notes; i++)
        noted |= !strcmp(t->notes[i], "MITTFL as given differs from the rule for 1 subject "
                                      "(first: S2); the given flags are used");
    assert_true(noted);
    rk_trial_free(t);
}

/* Without windows: AVISIT as given, visits ordered by day, baseline by name; ADT gives ADY
 * (CDISC: no day 0); two records at one visit are an error. */
static void test_avisit_and_adt(void **state)
{
    (void)state;
    const char *adsl = "USUBJID,ARM,RANDDT,TRTSDT\n"
                       "S1,A,2020-03-05,2020-03-06\n"
                       "S2,B,2020-03-05,2020-03-05\n";
    const char *adlb = "USUBJID,PARAMCD,AVISIT,ADT,AVAL\n"
                       "S1,X,WEEK 4,2020-04-03,30\n"
                       "S1,X,SCREENING,2020-03-05,40\n"
                       "S2,X,SCREENING,2020-03-04,8\n"
                       "S2,X,WEEK 4,2020-04-01,6\n";
    rk_table *s, *m;
    rk_error err;
    assert_int_equal(rk_csv_parse(adsl, strlen(adsl), "adsl.csv", &s, &err), RK_OK);
    assert_int_equal(rk_csv_parse(adlb, strlen(adlb), "adlb.csv", &m, &err), RK_OK);
    rk_trial_opts o;
    rk_trial_opts_init(&o);
    o.baseline_visit = "SCREENING";
    o.primary_param = "X";
    rk_trial *t;
    if (rk_trial_from_tables(s, m, NULL, &o, &t, &err)) fail_msg("%s", err.msg);
    assert_int_equal(t->n_visits, 2);
    assert_string_equal(t->visits[0], "SCREENING");
    assert_string_equal(t->visits[1], "WEEK 4");
    assert_int_equal(t->n_measures, 4);
    /* S1: baseline 2020-03-05 is the day before TRTSDT: day -1, not 0 */
    assert_true(t->measures[0].ady == -1);
    assert_true(t->measures[0].ablfl);
    assert_true(t->measures[1].ady == 29); /* 2020-04-03 - 2020-03-06 + 1 */
    assert_true(t->measures[1].chg == -10);
    assert_true(t->measures[1].pchg == -25);
    assert_true(t->measures[3].pchg == -25); /* S2: (6 - 8) / 8 x 100 */
    assert_int_equal(t->subjects[0].pp, 1);  /* PP: primary visit = the last visit */
    rk_trial_free(t);

    const char *dup = "USUBJID,PARAMCD,AVISIT,ADY,AVAL\n"
                      "S1,X,SCREENING,-1,30\n"
                      "S1,X,SCREENING,-2,31\n";
    assert_int_equal(rk_csv_parse(adsl, strlen(adsl), "adsl.csv", &s, &err), RK_OK);
    assert_int_equal(rk_csv_parse(dup, strlen(dup), "adlb.csv", &m, &err), RK_OK);
    t = (rk_trial *)1;
    assert_int_equal(rk_trial_from_tables(s, m, NULL, &o, &t, &err), RK_EINVAL);
    assert_null(t);
    assert_string_equal(err.msg, "adlb.csv:3: subject 'S1' has a second X record at visit "
                                 "SCREENING (the first at adlb.csv:2); give visit windows to "
                                 "choose one");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derivations_match_r),
        cmocka_unit_test(test_bad_input_messages),
        cmocka_unit_test(test_populations_and_given_flags),
        cmocka_unit_test(test_avisit_and_adt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
