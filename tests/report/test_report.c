/* Tests for src/report: every statistic of the demo report against R (tests/fixtures/report.txt,
 * made by tests/fixtures/make_report.R), bad plans and bad data with exact messages, renderers,
 * determinism, atomic writes. */
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

#include <jansson.h>

#include "rctkit/report.h"

#define ROOT RK_FIXTURE_DIR "/../.."
#define DEMO_PLAN ROOT "/examples/msc-trial/plan.yaml"

/* fontconfig (under cairo's text drawing for the PNG figures) keeps a few allocations of its
 * own that LeakSanitizer reports when many reports are drawn in one process; they are not
 * rctkit's. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig\n";
}

static rk_report *run_plan(const char *path)
{
    rk_plan *p = NULL;
    rk_report *r = NULL;
    rk_error err;
    rk_error_clear(&err);
    if (rk_plan_read(path, &p, &err) || rk_report_run(p, &r, &err))
        fail_msg("unexpected error: %s", err.msg);
    rk_plan_free(p);
    return r;
}

/* Tolerance by statistic: R's lmer optimizer stops at ~1e-7 relative, ordinal::clm at ~1e-9;
 * the rest (descriptives, HL, Moses limits, Wilcoxon p, t-test, lm) agree to rounding. */
static double tolerance(const char *key)
{
    if (!strncmp(key, "sens.", 5) && (strstr(key, ".m4.") || strstr(key, ".m5."))) return 1e-5;
    if (strstr(key, ".or") || strstr(key, ".scale10.p") || strstr(key, ".mmrc.p")) return 1e-7;
    return 1e-9;
}

static void test_demo_matches_r(void **state)
{
    (void)state;
    rk_report *r = run_plan(DEMO_PLAN);
    FILE *f = fopen(RK_FIXTURE_DIR "/report.txt", "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        char *sp = strrchr(line, ' ');
        assert_non_null(sp);
        *sp = '\0';
        double want = strtod(sp + 1, NULL);
        double got = rk_report_stat(r, line);
        if (isnan(got)) fail_msg("statistic %s is not in the report", line);
        double tol = tolerance(line) * fmax(1.0, fabs(want));
        if (fabs(got - want) > tol) fail_msg("%s: rctkit %.12g, R %.12g", line, got, want);
        n++;
    }
    fclose(f);
    /* and the other way round: no statistic in the report goes unchecked */
    assert_int_equal(n, r->nstat);
    assert_true(n > 650);
    rk_report_free(r);
}

static void test_demo_counts_match_seed_design(void **state)
{
    (void)state;
    rk_report *r = run_plan(DEMO_PLAN);
    assert_true(rk_report_stat(r, "consort.screened") == 288);
    assert_true(rk_report_stat(r, "consort.excluded") == 187);
    assert_true(rk_report_stat(r, "consort.randomized.UC-MSC") == 66);
    assert_true(rk_report_stat(r, "consort.randomized.Placebo") == 35);
    assert_true(rk_report_stat(r, "consort.untreated.UC-MSC") == 1);
    assert_true(rk_report_stat(r, "consort.mITT.UC-MSC") == 65);
    assert_true(rk_report_stat(r, "consort.PP.UC-MSC") == 49);
    assert_true(rk_report_stat(r, "consort.PP.Placebo") == 25);
    assert_true(rk_report_stat(r, "table3.ANY.UC-MSC.1") == 36);
    assert_true(rk_report_stat(r, "table3.ANY.UC-MSC.2") == 1);
    assert_true(rk_report_stat(r, "table3.ANY.Placebo.1") == 21);
    assert_true(rk_report_stat(r, "table1.SEX.UC-MSC.M.count") == 37);
    rk_report_free(r);
}

/* The demo's data are as collected: no population flags, no BASE/CHG/PCHG, no LOCF rows; the
 * counts above come from the derivation rules. */
static void test_demo_data_are_collected(void **state)
{
    (void)state;
    char line[4096];
    FILE *f = fopen(ROOT "/examples/msc-trial/data/adsl.csv", "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    static const char *const flags[] = {"ITTFL", "MITTFL", "PPROTFL", "SAFFL"};
    for (size_t i = 0; i < 4; i++)
        assert_null(strstr(line, flags[i]));
    assert_non_null(strstr(line, "TRTSDT"));
    assert_non_null(strstr(line, "MAJDEVFL"));
    f = fopen(ROOT "/examples/msc-trial/data/admeas.csv", "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "USUBJID,PARAMCD,ADY,AVAL\n");
}

static const rk_rfigure *figure(const rk_report *r, const char *id)
{
    for (size_t i = 0; i < r->nfig; i++)
        if (!strcmp(r->fig[i].id, id)) return &r->fig[i];
    fail_msg("no figure %s", id);
    return NULL;
}

static void test_figures(void **state)
{
    (void)state;
    rk_report *r = run_plan(DEMO_PLAN), *r2 = run_plan(DEMO_PLAN);
    assert_int_equal(r->nfig, 3);
    assert_int_equal(r2->nfig, 3);
    for (size_t i = 0; i < r->nfig; i++) { /* same inputs, same bytes */
        assert_string_equal(r->fig[i].id, r2->fig[i].id);
        assert_int_equal(r->fig[i].svg_len, r2->fig[i].svg_len);
        assert_memory_equal(r->fig[i].svg, r2->fig[i].svg, r->fig[i].svg_len);
        assert_int_equal(r->fig[i].png_len, r2->fig[i].png_len);
        assert_memory_equal(r->fig[i].png, r2->fig[i].png, r->fig[i].png_len);
        assert_int_equal(strlen(r->fig[i].svg), r->fig[i].svg_len);
        assert_true(!strncmp(r->fig[i].svg, "<?xml", 5));
        assert_non_null(strstr(r->fig[i].svg, "</svg>\n"));
        assert_memory_equal(r->fig[i].png, "\x89PNG", 4);
    }
    /* the CONSORT diagram shows the derived counts */
    const char *svg = figure(r, "consort")->svg;
    static const char *const want[] = {">Assessed for eligibility (n = 288)<",
                                       ">Excluded (n = 187)<",
                                       ">did not meet eligibility criteria (n = 161)<",
                                       ">withdrew (n = 26)<",
                                       ">Randomized (n = 101)<",
                                       ">Allocated to UC-MSC group (n = 66)<",
                                       ">Allocated to Placebo group (n = 35)<",
                                       ">Did not start treatment (n = 1)<",
                                       ">mITT (n = 65)<",
                                       ">mITT (n = 35)<",
                                       ">PP (n = 49)<",
                                       ">PP (n = 25)<"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(svg, want[i])) fail_msg("consort SVG lacks %s", want[i]);
    /* the box plot's medians are Table 2's */
    char lab[128];
    snprintf(lab, sizeof lab, ">n = 65, median %.2f<",
             rk_report_stat(r, "table2.tles.UC-MSC.median"));
    assert_non_null(strstr(figure(r, "primary")->svg, lab));
    snprintf(lab, sizeof lab, ">UC-MSC group (n = 65, %.0f events)<",
             rk_report_stat(r, "table2.tti.UC-MSC.events"));
    assert_non_null(strstr(figure(r, "tti")->svg, lab));
    /* each figure's SVG is in the manifest with its digest; the PNG (font-dependent bytes) is not */
    size_t nfig_files = 0;
    for (size_t k = 0; k < r->nfile; k++)
        if (!strcmp(r->file[k].role, "figure")) {
            nfig_files++;
            assert_int_equal(strlen(r->file[k].sha256), 64);
            assert_non_null(strstr(r->file[k].path, ".svg"));
        }
    assert_int_equal(nfig_files, 3);
    rk_report_free(r);
    rk_report_free(r2);
}

static void test_renderers(void **state)
{
    (void)state;
    rk_report *r = run_plan(DEMO_PLAN);
    rk_error err;
    for (int f = RK_REPORT_TEXT; f <= RK_REPORT_JSON; f++) {
        rk_buf a, b;
        rk_buf_init(&a, 0);
        rk_buf_init(&b, 0);
        assert_int_equal(rk_report_render(r, (rk_report_format)f, &a, &err), RK_OK);
        assert_int_equal(rk_report_render(r, (rk_report_format)f, &b, &err), RK_OK);
        assert_true(a.len > 1000);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len); /* deterministic */
        /* every table title and the manifest digests appear in every format */
        for (size_t k = 0; k < r->ntab; k++)
            if (f == RK_REPORT_TEXT || f == RK_REPORT_MD || f == RK_REPORT_CSV)
                assert_non_null(strstr(a.data, r->tab[k].title));
        for (size_t k = 0; k < r->nfile; k++)
            assert_non_null(strstr(a.data, r->file[k].sha256));
        if (f == RK_REPORT_JSON) {
            json_error_t je;
            json_t *j = json_loads(a.data, 0, &je);
            assert_non_null(j);
            assert_int_equal(json_array_size(json_object_get(j, "tables")), r->ntab);
            json_decref(j);
        }
        if (f == RK_REPORT_CSV) /* rectangular: every line has the same number of fields */
            assert_non_null(strstr(a.data, "table2,row,\"Change in total lesion proportion"));
        rk_buf_free(&a);
        rk_buf_free(&b);
    }
    rk_report_format fmt;
    assert_int_equal(rk_report_format_parse("xml", &fmt, &err), RK_EINVAL);
    assert_string_equal(err.msg,
                        "unknown report format 'xml' (text, md, csv, html, latex or json)");
    rk_report_free(r);
}

/* ------------------------------------------------------------ bad input */

static char tmpdir[64];

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char plan_head[] = "title: mini\n"
                                "data:\n"
                                "  subjects: adsl.csv\n"
                                "  measurements: meas.csv\n"
                                "arms:\n"
                                "  - {code: A, label: Arm A}\n"
                                "  - {code: B, label: Arm B}\n"
                                "populations:\n"
                                "  ITT: ITTFL\n";
static const char plan_ep[] = "endpoints:\n"
                              "  - {id: y, parameter: Y, visit: D28, population: ITT,\n"
                              "     summary: median_iqr, method: hl_wilcoxon}\n";
static const char good_adsl[] = "USUBJID,TRT01P,ITTFL,AGE\n"
                                "s1,A,Y,50\ns2,A,Y,51\ns3,A,Y,52\ns4,B,Y,60\ns5,B,Y,61\n";
static const char good_meas[] = "USUBJID,PARAMCD,AVISIT,AVAL\n"
                                "s1,Y,D28,1\ns2,Y,D28,2\ns3,Y,D28,3\ns4,Y,D28,4\ns5,Y,D28,5\n";

/* Run the plan text with the given data; return the error message (static buffer). */
static const char *run_err(const char *plan, const char *adsl, const char *meas, rk_status *st)
{
    static char msg[RK_ERROR_MSG_MAX];
    put("plan.yaml", plan);
    put("adsl.csv", adsl);
    put("meas.csv", meas);
    char path[256];
    snprintf(path, sizeof path, "%s/plan.yaml", tmpdir);
    rk_plan *p = NULL;
    rk_report *r = NULL;
    rk_error err;
    rk_error_clear(&err);
    *st = rk_plan_read(path, &p, &err);
    if (!*st) *st = rk_report_run(p, &r, &err);
    rk_plan_free(p);
    rk_report_free(r);
    /* messages name the files: strip the temporary directory wherever it occurs */
    size_t tl = strlen(tmpdir), o = 0;
    for (const char *m = err.msg; *m && o + 1 < sizeof msg;) {
        if (!strncmp(m, tmpdir, tl) && m[tl] == '/') {
            m += tl + 1;
            continue;
        }
        msg[o++] = *m++;
    }
    msg[o] = '\0';
    return msg;
}

static void test_bad_input(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rk_report_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    char plan[2048];
    rk_status st;
    snprintf(plan, sizeof plan, "%s%s", plan_head, plan_ep);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st), "");
    assert_int_equal(st, RK_OK);

    /* unknown key, with its line */
    snprintf(plan, sizeof plan,
             "%sendpoints:\n  - id: y\n    parameter: Y\n    visit: D28\n    colour: red\n",
             plan_head);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:14: unknown key 'colour' in an endpoint (allowed: id, label, "
                        "parameter, visit, value, population, locf, summary, method, levels, "
                        "level_labels, range, followup, death_rule, death_day)");
    assert_int_equal(st, RK_EINVAL);
    snprintf(plan, sizeof plan, "%s%sfootnote: x\n", plan_head, plan_ep);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:13: unknown key 'footnote' in the plan (allowed: title, data, "
                        "subject_id, arm_variable, site_variable, arms, populations, baseline, "
                        "endpoints, supplementary_populations, sensitivity, adverse_events, "
                        "footnotes, derive)");
    /* a newline in a text value broke out of the LaTeX report's '% title' comment line (a
     * "\\input{...}" on the next line was compiled) and out of the Markdown heading */
    snprintf(plan, sizeof plan, "title: \"mini\\n\\\\input{/etc/passwd}\"\n%s%s",
             plan_head + strlen("title: mini\n"), plan_ep);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:1: 'title' in the plan must be one line of text (no line "
                        "breaks or other control characters)");
    assert_int_equal(st, RK_EINVAL);
    snprintf(plan, sizeof plan, "%s", plan_head);
    memcpy(strstr(plan, "label: Arm A"), "label:  \"\\t\"", 12);
    strncat(plan, plan_ep, sizeof plan - strlen(plan) - 1);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:6: 'label' in an arm must be one line of text (no line "
                        "breaks or other control characters)");
    /* impossible combinations */
    snprintf(plan, sizeof plan,
             "%sendpoints:\n  - {id: y, parameter: Y, visit: D28, population: ITT,\n"
             "     summary: mean_sd, method: ordinal}\n",
             plan_head);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:12: a categorical method needs summary n_pct with levels");
    snprintf(plan, sizeof plan,
             "%sendpoints:\n  - {id: y, parameter: Y, visit: D28, population: PP,\n"
             "     summary: mean_sd, method: t_test}\n",
             plan_head);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:11: population 'PP' is not defined under 'populations'");
    snprintf(plan, sizeof plan, "%sendpoints: [\n", plan_head);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:11: YAML syntax error: did not find expected node content");

    snprintf(plan, sizeof plan, "%s%s", plan_head, plan_ep);
    /* arm not in the plan */
    assert_string_equal(run_err(plan, "USUBJID,TRT01P,ITTFL\ns1,A,Y\ns2,C,Y\n", good_meas, &st),
                        "adsl.csv:3: column 'TRT01P': arm 'C' is not in the plan (arms: A, B)");
    assert_int_equal(st, RK_EINVAL);
    /* duplicate subject IDs */
    assert_string_equal(
        run_err(plan, "USUBJID,TRT01P,ITTFL\ns1,A,Y\ns2,B,Y\ns1,B,Y\n", good_meas, &st),
        "adsl.csv:4: column 'USUBJID': duplicate subject ID 's1' (first on line 2)");
    /* text in a numeric column */
    assert_string_equal(
        run_err(plan, good_adsl, "USUBJID,PARAMCD,AVISIT,AVAL\ns1,Y,D28,1\ns4,Y,D28,4x\n", &st),
        "meas.csv:3: column 'AVAL': '4x' is not a number");
    assert_int_equal(st, RK_EPARSE);
    /* a measurement for an unknown subject */
    const char *m =
        run_err(plan, good_adsl, "USUBJID,PARAMCD,AVISIT,AVAL\ns1,Y,D28,1\ns9,Y,D28,4\n", &st);
    assert_string_equal(m, "meas.csv:3: column 'USUBJID': subject 's9' is not in the subjects "
                           "file adsl.csv");
    /* two records for one subject and visit */
    assert_string_equal(
        run_err(plan, good_adsl,
                "USUBJID,PARAMCD,AVISIT,AVAL\ns1,Y,D28,1\ns4,Y,D28,4\ns1,Y,D28,2\n", &st),
        "meas.csv:4: second record for subject 's1', PARAMCD 'Y', AVISIT 'D28' (first on line 2)");
    /* a proportion over 100% and a negative volume, against the plan's range */
    snprintf(plan, sizeof plan,
             "%sendpoints:\n  - {id: y, parameter: Y, visit: D28, population: ITT,\n"
             "     summary: median_iqr, method: hl_wilcoxon, range: [0, 100]}\n",
             plan_head);
    assert_string_equal(
        run_err(plan, good_adsl, "USUBJID,PARAMCD,AVISIT,AVAL\ns1,Y,D28,1\ns4,Y,D28,100.5\n", &st),
        "meas.csv:3: column 'AVAL': 100.5 is outside the plan's range [0, 100] (plan.yaml:11)");
    snprintf(plan, sizeof plan,
             "%sbaseline:\n  population: ITT\n  variables:\n"
             "    - {variable: AGE, summary: mean_sd, range: [0, 120]}\n",
             plan_head);
    assert_string_equal(run_err(plan,
                                "USUBJID,TRT01P,ITTFL,AGE\ns1,A,Y,50\ns2,A,Y,-3\ns3,A,Y,52\n"
                                "s4,B,Y,60\ns5,B,Y,61\n",
                                good_meas, &st),
                        "adsl.csv:3: column 'AGE': -3 is outside the plan's range [0, 120] "
                        "(plan.yaml:13)");
    snprintf(plan, sizeof plan,
             "%sbaseline:\n  population: ITT\n  variables:\n"
             "    - {variable: AGE, summary: mean_sd, range: [120, 0]}\n",
             plan_head);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:13: range: the lower limit is above the upper one");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
}

/* A collected mini trial derived by the plan: populations from dates, LOCF, time to
 * improvement with a death before improvement; and bad derive sections. */
static const char derive_plan[] =
    "title: derived\n"
    "data: {subjects: adsl.csv, measurements: meas.csv}\n"
    "arm_variable: ARM\n"
    "arms: [{code: A, label: Arm A}, {code: B, label: Arm B}]\n"
    "populations: {ITT: ITTFL, mITT: MITTFL}\n"
    "derive:\n"
    "  windows:\n"
    "    - {visit: BASELINE, day: 0, from: -3, to: 0}\n"
    "    - {visit: D10, day: 10, from: 7, to: 13}\n"
    "    - {visit: D28, day: 28, from: 21, to: 35}\n"
    "  primary: y\n"
    "  improvement: {parameter: CS}\n"
    "endpoints:\n"
    "  - {id: y, parameter: Y, visit: D28, value: PCHG, population: mITT, locf: true,\n"
    "     summary: median_iqr, method: hl_wilcoxon}\n"
    "  - {id: tti, label: TTI, parameter: CS, population: mITT, method: time_to_event,\n"
    "     followup: 28, death_rule: death, death_day: DTHDY}\n";
static const char derive_adsl[] = "USUBJID,ARM,RANDDT,TRTSDT,DTHDY\n"
                                  "s1,A,2020-01-01,2020-01-01,\n"
                                  "s2,A,2020-01-01,2020-01-02,\n"
                                  "s3,A,2020-01-01,,\n" /* never dosed: not mITT */
                                  "s4,B,2020-01-01,2020-01-01,20\n"
                                  "s5,B,2020-01-01,2020-01-01,\n"
                                  "s6,B,2020-01-01,2020-01-01,\n";
static const char derive_meas[] = "USUBJID,PARAMCD,ADY,AVAL\n"
                                  "s1,Y,0,10\ns1,Y,28,5\n"
                                  "s2,Y,0,20\ns2,Y,10,15\n" /* day 28 missing: LOCF 15 */
                                  "s3,Y,0,10\n"
                                  "s4,Y,0,10\ns4,Y,28,10\ns5,Y,-1,10\ns5,Y,27,12\n"
                                  "s6,Y,0,10\ns6,Y,40,11\n" /* outside the window: LOCF 10 */
                                  "s1,CS,0,4\ns1,CS,10,3\ns1,CS,28,2\n"
                                  "s2,CS,0,3\ns2,CS,10,1\n"
                                  "s4,CS,0,3\ns4,CS,10,3\n" /* died on day 20 */
                                  "s5,CS,0,3\ns5,CS,10,2\ns5,CS,28,1\n"
                                  "s6,CS,0,2\ns6,CS,10,2\ns6,CS,28,2\n";

/* src with the first `from` replaced by `to`, into out. */
static void replace_in(char *out, size_t n, const char *src, const char *from, const char *to)
{
    const char *w = strstr(src, from);
    assert_non_null(w);
    snprintf(out, n, "%.*s%s%s", (int)(w - src), src, to, w + strlen(from));
}

static void test_derive(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rk_report_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    rk_status st;
    assert_string_equal(run_err(derive_plan, derive_adsl, derive_meas, &st), "");
    char path[256];
    snprintf(path, sizeof path, "%s/plan.yaml", tmpdir);
    rk_report *r = run_plan(path);
    assert_true(rk_report_stat(r, "consort.ITT.A") == 3);
    assert_true(rk_report_stat(r, "consort.mITT.A") == 2);
    assert_true(rk_report_stat(r, "consort.mITT.B") == 3);
    /* PCHG with LOCF: A -50 (s1), -25 (s2 carried forward); B 0, 20, 0 (s6 carried forward) */
    assert_true(rk_report_stat(r, "table2.y.A.n") == 2);
    assert_true(rk_report_stat(r, "table2.y.A.median") == -37.5);
    assert_true(rk_report_stat(r, "table2.y.B.median") == 0);
    assert_true(rk_report_stat(r, "table2.y.B.q3") == 20);
    /* improvement: s1 day 28, s2 day 10, s5 day 28; s4 died before improving, s6 censored */
    assert_true(rk_report_stat(r, "table2.tti.A.events") == 2);
    assert_true(rk_report_stat(r, "table2.tti.B.events") == 1);
    assert_true(rk_report_stat(r, "table2.tti.B.n") == 3);
    int seen = 0;
    for (size_t k = 0; k < r->ntab; k++)
        for (size_t i = 0; i < r->tab[k].nfoot; i++) {
            const char *f = r->tab[k].foot[i];
            if (strstr(f, "died before improving are censored at the day of death: 1 in this "
                          "population."))
                seen |= 1;
            if (strstr(f, "last observation carried forward for 1 patients in the Arm A and 1 "
                          "in the Arm B"))
                seen |= 2;
            if (strstr(f, "PP = mITT with Y measured at D28 inside its window (study days 21 to "
                          "35)"))
                seen |= 4;
        }
    assert_int_equal(seen, 7);
    rk_report_free(r);

    /* the plan's range on derived records: an observed one names its source line, a carried
     * forward one its subject */
    char plan[4096];
    replace_in(plan, sizeof plan, derive_plan, "locf: true,", "locf: true, range: [0, 9],");
    assert_string_equal(run_err(plan, derive_adsl, derive_meas, &st),
                        "meas.csv:3: column 'BASE': 10 is outside the plan's range [0, 9] "
                        "(plan.yaml:14)");
    replace_in(plan, sizeof plan, derive_plan, "locf: true,", "locf: true, range: [0, 14],");
    assert_string_equal(run_err(plan, derive_adsl,
                                "USUBJID,PARAMCD,ADY,AVAL\ns1,Y,0,10\n"
                                "s1,Y,28,5\ns2,Y,0,12\ns2,Y,10,14.5\n",
                                &st),
                        "meas.csv: LOCF record of subject 's2': column 'AVAL': 14.5 is outside "
                        "the plan's range [0, 14] (plan.yaml:14)");

    /* bad derive sections, with their lines */
    snprintf(plan, sizeof plan, "%s", derive_plan);
    char *w = strstr(plan, "from: 7, to: 13");
    memcpy(w, "from: 0, to: 13", 15);
    assert_string_equal(run_err(plan, derive_adsl, derive_meas, &st),
                        "plan.yaml:9: visit windows must be in time order without overlap: D10");
    assert_int_equal(st, RK_EINVAL);
    snprintf(plan, sizeof plan, "%s", derive_plan);
    w = strstr(plan, "primary: y");
    memcpy(w, "primary: z", 10);
    assert_string_equal(run_err(plan, derive_adsl, derive_meas, &st),
                        "plan.yaml:11: derive: primary is not an endpoint id: z");
    snprintf(plan, sizeof plan, "%s", derive_plan);
    w = strstr(plan, "parameter: CS}");
    memcpy(w, "parameter: CX}", 14);
    assert_string_equal(run_err(plan, derive_adsl, derive_meas, &st),
                        "plan.yaml:16: a time_to_event endpoint's parameter must be the "
                        "improvement parameter under 'derive'");
    snprintf(plan, sizeof plan,
             "%sendpoints:\n  - {id: t, parameter: CS, population: ITT, method: time_to_event,"
             " followup: 28}\n",
             plan_head);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:11: a time_to_event endpoint needs 'derive' with "
                        "'improvement'");
    snprintf(plan, sizeof plan,
             "%sendpoints:\n  - {id: t, parameter: CS, population: ITT, method: time_to_event,"
             " followup: 28, summary: mean_sd}\n",
             plan_head);
    assert_string_equal(run_err(plan, good_adsl, good_meas, &st),
                        "plan.yaml:11: time_to_event takes no summary, levels, range, locf or "
                        "value: it reports the Kaplan-Meier median (95% CI) per arm, the log-rank "
                        "P and the Cox hazard ratio");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
}

static void test_atomic_write(void **state)
{
    (void)state;
    rk_error err;
    assert_int_equal(rk_write_file_atomic("/nonexistent-dir/report.txt", "x", 1, &err), RK_EIO);
    char path[] = "/tmp/rk_atomic_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(rk_write_file_atomic(path, "hello\n", 6, &err), RK_OK);
    char hex[65];
    assert_int_equal(rk_sha256_file(path, hex, &err), RK_OK);
    /* printf 'hello\n' | sha256sum */
    assert_string_equal(hex, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_matches_r),
        cmocka_unit_test(test_demo_counts_match_seed_design),
        cmocka_unit_test(test_demo_data_are_collected),
        cmocka_unit_test(test_figures),
        cmocka_unit_test(test_renderers),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_derive),
        cmocka_unit_test(test_atomic_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
