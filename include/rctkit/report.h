/* rctkit report: the statistical analysis plan (a YAML file), the paper's tables
 * computed from the trial's data, either as collected (derived through the data
 * layer, include/rctkit/data.h) or analysis-ready ADaM-style CSV files (Table 1
 * baseline, Table 2 outcomes and time to event, Table 3 adverse events, CONSORT
 * counts, sensitivity models), figures (CONSORT diagram, primary endpoint,
 * Kaplan-Meier curves) as SVG and PNG, one table model with several renderers, a
 * manifest of SHA-256 digests, and the synthetic demo trial generator.
 * docs/report.md describes the plan format. */
#ifndef RCTKIT_REPORT_H
#define RCTKIT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ plan */

/* A parsed analysis plan (opaque). */
typedef struct rk_plan rk_plan;

/* Read and validate the plan at `path`.  Unknown keys, wrong types, missing
 * required keys and impossible combinations (a difference column with three
 * arms, an ordinal method without levels, a population that is not defined)
 * are RK_EINVAL errors naming "path:line".  Data file names in the plan are
 * relative to the plan's directory.  *out belongs to the caller (rk_plan_free). */
rk_status rk_plan_read(const char *path, rk_plan **out, rk_error *err);
void rk_plan_free(rk_plan *p);

/* ----------------------------------------------------------- table model */

typedef struct rk_rrow {
    int kind;     /* RK_ROW_DATA, RK_ROW_HEADING (a label-only row), RK_ROW_LEVEL (indented) */
    char **cells; /* ncol strings */
} rk_rrow;

enum { RK_ROW_DATA = 0, RK_ROW_HEADING, RK_ROW_LEVEL };

typedef struct rk_rtable {
    char *id; /* "table1", "table2", "table3", "consort", "sensitivity" */
    char *title;
    size_t ncol;
    char **header; /* ncol */
    char **span;   /* ncol or NULL: a group label over consecutive columns with the same
                      label ("" for none), e.g. the arm over its grade columns */
    size_t nrow, cap;
    rk_rrow *rows;
    size_t nfoot, foot_cap;
    char **foot;
} rk_rtable;

typedef struct rk_rstat {
    char *key; /* "table2.tles.UC-MSC.median" */
    double value;
} rk_rstat;

typedef struct rk_rfile {
    char *role; /* "plan", "subjects", "measurements", "adverse_events", "screening" */
    char *path; /* as given (relative to the plan's directory when read from it) */
    char sha256[65];
} rk_rfile;

/* A figure: SVG text and PNG bytes (cairo), both deterministic functions of the data. */
typedef struct rk_rfigure {
    char *id; /* "consort", "primary", "tti" */
    char *title;
    char *svg; /* NUL-terminated SVG document */
    size_t svg_len;
    unsigned char *png;
    size_t png_len;
} rk_rfigure;

/* A computed report: tables, figures, every statistic behind them by name, manifest (the
 * input files, role "plan", "subjects", ..., and the figures' files, role "figure"). */
typedef struct rk_report {
    char *title;
    size_t ntab;
    rk_rtable *tab;
    size_t nfig;
    rk_rfigure *fig; /* written as figure_<id>.svg and figure_<id>.png */
    size_t nstat, stat_cap;
    rk_rstat *stat;
    size_t nfile;
    rk_rfile *file;
} rk_report;

void rk_report_free(rk_report *r);
/* The statistic called `key`, NAN when absent. */
double rk_report_stat(const rk_report *r, const char *key);

/* Read the plan's data files (with a 'derive' section through rk_trial_read:
 * populations, visit windows, BASE/CHG/PCHG, LOCF, time to improvement), compute
 * every table and draw the figures.  Data errors (duplicate
 * subject IDs, a measurement for an unknown subject, an arm not in the plan,
 * text in a numeric column, a missing column) are RK_EINVAL/RK_EPARSE naming
 * file, line and column.  *out belongs to the caller (rk_report_free). */
rk_status rk_report_run(const rk_plan *plan, rk_report **out, rk_error *err);

typedef enum rk_report_format {
    RK_REPORT_TEXT = 0,
    RK_REPORT_MD,
    RK_REPORT_CSV,
    RK_REPORT_HTML,
    RK_REPORT_LATEX,
    RK_REPORT_JSON
} rk_report_format;

/* "text", "md", "csv", "html", "latex", "json". */
rk_status rk_report_format_parse(const char *s, rk_report_format *f, rk_error *err);
/* File extension for a format: "txt", "md", "csv", "html", "tex", "json". */
const char *rk_report_format_ext(rk_report_format f);

/* Render the whole report (tables, footnotes, manifest) into out (appended). */
rk_status rk_report_render(const rk_report *r, rk_report_format f, rk_buf *out, rk_error *err);

/* Write `len` bytes to `path` atomically: a temporary file in the same
 * directory, then rename, so a failed run never leaves a partial file. */
rk_status rk_write_file_atomic(const char *path, const char *data, size_t len, rk_error *err);

/* SHA-256 of a file as 64 lowercase hex digits + NUL. */
rk_status rk_sha256_file(const char *path, char hex[65], rk_error *err);

/* ------------------------------------------------------ synthetic trial */

typedef struct rk_sim_opts {
    uint64_t seed;       /* the whole data set is a function of the seed */
    size_t n_random;     /* randomized subjects; 101 = the seed trial's design (default) */
    size_t extra_visits; /* extra repeated measurements per subject (benchmarks), default 0 */
} rk_sim_opts;

void rk_sim_opts_init(rk_sim_opts *o);

/* Write a synthetic trial calibrated to the seed phase 2 UC-MSC trial into
 * directory `dir` (which must exist), as collected (no population flags, no
 * baseline/change columns, no LOCF records: the data layer derives them):
 * screening.csv (screening log), adsl.csv (subjects: arms, randomization and
 * dosing dates, major deviations, baseline covariates), admeas.csv (USUBJID,
 * PARAMCD, ADY, AVAL), adae.csv.  Deterministic: libsodium's randombytes_buf_deterministic keyed by
 * the seed.  The data are synthetic, not the trial's patients. */
rk_status rk_simulate_trial(const char *dir, const rk_sim_opts *o, rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
