/* rctkit data: tables of text cells read from CSV, SAS (sas7bdat, XPORT), Stata
 * and SPSS files, written as CSV or SAS XPORT v5; strict number and date
 * parsing; the trial data model (subjects, measurements, adverse events, close
 * to CDISC ADaM ADSL/BDS/ADAE) and its derivations. */
#ifndef RCTKIT_DATA_H
#define RCTKIT_DATA_H

#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>

#include "rctkit/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A rectangular table read from a file: a header row of unique column names
 * and nrows data rows of cells kept as text. */
typedef struct rk_table rk_table;

/* Read an RFC 4180 CSV file (comma separated, "quoted" fields with "" escapes,
 * LF or CRLF line ends, optional UTF-8 BOM).  The first row is the header.
 * Errors name the file and line: ragged rows, an unterminated quote, an
 * empty or duplicate column name, an empty file.  *out is owned by the
 * caller: free it with rk_table_free. */
rk_status rk_csv_read(const char *path, rk_table **out, rk_error *err);

/* Same, from a memory buffer; `name` is used in messages. */
rk_status rk_csv_parse(const char *text, size_t len, const char *name, rk_table **out,
                       rk_error *err);

void rk_table_free(rk_table *t);
size_t rk_table_nrows(const rk_table *t);
size_t rk_table_ncols(const rk_table *t);
const char *rk_table_colname(const rk_table *t, size_t col);
/* Index of the column called `name`, or -1. */
long rk_table_find(const rk_table *t, const char *name);
/* Like rk_table_find, but a missing column is an RK_EINVAL error that lists
 * the columns the file has. */
rk_status rk_table_column(const rk_table *t, const char *name, size_t *col, rk_error *err);
/* Cell text (never NULL; "" for an empty cell). */
const char *rk_table_cell(const rk_table *t, size_t row, size_t col);
/* Source line (1-based) where data row `row` starts. */
size_t rk_table_line(const rk_table *t, size_t row);
/* Name of the source (file path) the table came from. */
const char *rk_table_source(const rk_table *t);

/* 1 when a cell means "missing": empty, "NA", "." (SAS) or blanks only. */
int rk_cell_is_missing(const char *s);

/* Column `col` as numbers into out[0..nrows-1]; missing cells become NaN and
 * are counted in *n_missing (may be NULL).  A cell that is neither a finite
 * number nor missing is an RK_EPARSE error naming file, line and column. */
rk_status rk_table_numeric(const rk_table *t, size_t col, double *out, size_t *n_missing,
                           rk_error *err);

/* ---- building tables, column metadata ---- */

/* What a column holds.  CSV columns start as RK_COL_AUTO (decided when needed,
 * see rk_table_infer_type); ReadStat readers set TEXT, NUMBER or DATE. */
typedef enum rk_coltype {
    RK_COL_AUTO = 0,
    RK_COL_TEXT,
    RK_COL_NUMBER,
    RK_COL_DATE /* ISO 8601 calendar dates "YYYY-MM-DD" */
} rk_coltype;

/* An empty table with the given column names (copied; must be non-empty and
 * unique) and `source` used in messages.  Free with rk_table_free. */
rk_status rk_table_new(const char *source, size_t ncols, const char *const *names, rk_table **out,
                       rk_error *err);
/* Append a row of ncols cells (copied; NULL means missing, stored as "").
 * `line` is what messages call the row: a CSV line or a record number. */
rk_status rk_table_add_row(rk_table *t, const char *const *cells, size_t line, rk_error *err);
/* Say that rk_table_line numbers are records of a binary file, not text lines. */
void rk_table_set_records(rk_table *t);
/* Where data row `row` came from, for messages: "adsl.csv:12" or
 * "adsl.xpt: record 11".  Writes into buf (always NUL-terminated). */
const char *rk_table_where(const rk_table *t, size_t row, char *buf, size_t size);

/* Column label ("" when none) and type. */
const char *rk_table_label(const rk_table *t, size_t col);
rk_status rk_table_set_label(rk_table *t, size_t col, const char *label, rk_error *err);
rk_coltype rk_table_coltype(const rk_table *t, size_t col);
void rk_table_set_coltype(rk_table *t, size_t col, rk_coltype type);
/* The column's type: the stored one, or for RK_COL_AUTO, DATE when every
 * non-missing cell is a valid ISO date, NUMBER when every one is a number
 * (but never a code with a leading zero such as "007"), otherwise TEXT.
 * An all-missing column is NUMBER. */
rk_coltype rk_table_infer_type(const rk_table *t, size_t col);

/* ---- dates ---- */

/* Strict ISO 8601 calendar date "YYYY-MM-DD" (years 1583-9999) to days since
 * 1960-01-01 (the SAS and Stata epoch; negative before). */
rk_status rk_parse_date(const char *s, long *days, rk_error *err);
/* Days since 1960-01-01 to "YYYY-MM-DD" (buf of at least 11 bytes). */
void rk_format_date(long days, char *buf, size_t size);

/* ---- other file formats ---- */

typedef enum rk_file_format {
    RK_FILE_AUTO = 0, /* from the file name's extension */
    RK_FILE_CSV,
    RK_FILE_SAS7BDAT,
    RK_FILE_XPORT, /* .xpt */
    RK_FILE_DTA,   /* Stata */
    RK_FILE_SAV    /* SPSS (.sav, .zsav) */
} rk_file_format;

/* Format of `path` from its extension (case-insensitive); an unknown
 * extension is an RK_EINVAL error listing the known ones. */
rk_status rk_file_format_of(const char *path, rk_file_format *fmt, rk_error *err);
const char *rk_file_format_name(rk_file_format fmt);

/* Read any supported format into a table.  SAS/Stata/SPSS files go through
 * ReadStat: numbers become shortest round-trip decimal text, system and
 * user-defined missing values become "", variables with a date format become
 * ISO dates (RK_COL_DATE), labels are kept. */
rk_status rk_data_read(const char *path, rk_file_format fmt, rk_table **out, rk_error *err);

/* Write CSV (RFC 4180, LF line ends; fields quoted when needed) to a
 * temporary file renamed to `path` when complete: no partial file is left. */
rk_status rk_csv_write(const rk_table *t, const char *path, rk_error *err);
/* Same to an open stream; `name` is used in messages. */
rk_status rk_csv_write_stream(const rk_table *t, FILE *f, const char *name, rk_error *err);

/* Write a SAS transport (XPORT) file, version 5, the format regulators accept.
 * Version 5 limits are enforced, not truncated: the member name (`member`,
 * or the file's base name when NULL) and column names must be 1-8 letters,
 * digits or underscores not starting with a digit, labels at most 40
 * characters, text values at most 200 bytes; each violation is an RK_EINVAL
 * error naming the column.  Column types come from rk_table_infer_type;
 * dates are written as SAS dates with format DATE9. */
rk_status rk_xport_write(const rk_table *t, const char *path, const char *member, rk_error *err);

/* Write CSV or XPORT according to fmt (RK_FILE_AUTO: from the extension). */
rk_status rk_data_write(const rk_table *t, const char *path, rk_file_format fmt, rk_error *err);

/* Strict decimal number: the whole of s (surrounding blanks allowed) must be a
 * finite number.  "nan", "inf", "1e999", "3x" and "" are RK_EPARSE errors. */
rk_status rk_parse_number(const char *s, double *out, rk_error *err);

/* ==== the trial data model ====
 *
 * Three tables, named and shaped as CDISC ADaM so that existing data fits
 * (docs/data.md has the column list):
 *  - subjects (ADSL): one row per subject: USUBJID, ARM (planned), and
 *    optionally SITEID, ACTARM, RANDDT, TRTSDT, TRTEDT (ISO dates), ITTFL,
 *    MITTFL, PPROTFL, SAFFL (Y/N; derived when absent), MAJDEVFL (Y = major
 *    protocol deviation); every other column is a baseline covariate.
 *  - measurements (BDS): one row per subject, parameter and assessment:
 *    USUBJID, PARAMCD, AVAL, and AVISIT and/or ADY (study day); optionally
 *    AVALU (unit: "%" values must lie in 0-100, volumes (mL, L, cm3) >= 0).
 *  - adverse events (ADAE): USUBJID, AEDECOD (or AETERM), AETOXGR (grade
 *    1-5), ASTDY, and optionally AENDY, AESER (Y/N), AEREL.
 * Derived: populations, the analysis visit (windows), baseline (ABLFL, BASE),
 * CHG, PCHG, LOCF records (DTYPE = "LOCF"), clinical improvement (CRIT1FL)
 * and time to improvement. */

#define RK_DATE_MISSING LONG_MIN

/* A visit window on the study day: records with lo <= ADY <= hi belong to the
 * visit; with several, the one nearest the target (then the earlier) is
 * analysed.  The first window of a list is the baseline window. */
typedef struct rk_visit_window {
    const char *name;
    double target, lo, hi;
} rk_visit_window;

typedef struct rk_trial_opts {
    const char *const *arms; /* planned arms in display order; NULL: as found, sorted */
    size_t n_arms;
    const rk_visit_window *windows; /* NULL: AVISIT as given */
    size_t n_windows;
    const char *baseline_visit;     /* without windows: the baseline AVISIT ("BASELINE") */
    const char *primary_param;      /* PARAMCD of the primary endpoint (LOCF, PP); NULL: none */
    const char *primary_visit;      /* its visit (default: the last window / visit) */
    int locf;                       /* carry the last observation forward in mITT (default 1) */
    const char *const *locf_params; /* more parameters carried forward like the primary one */
    size_t n_locf_params;           /* (e.g. the other lesion proportions), or NULL, 0 */
    const char *improve_param;      /* ordinal clinical status PARAMCD (e.g. "CS6"); NULL: none */
    double improve_drop;            /* improvement = a fall of this many categories (2) ... */
    double discharge_value;         /* ... or this category, discharge (1) */
} rk_trial_opts;

void rk_trial_opts_init(rk_trial_opts *o);

enum { RK_FLAG_N = 0, RK_FLAG_Y = 1 };

typedef struct rk_subject {
    const char *usubjid, *siteid;             /* siteid "" when absent */
    int arm;                                  /* planned arm index, -1: not randomized */
    int actarm;                               /* actual arm index, -1: none or not treated */
    long randdt, trtsdt, trtedt;              /* days since 1960-01-01 or RK_DATE_MISSING */
    unsigned char itt, mitt, pp, saf, majdev; /* RK_FLAG_Y / RK_FLAG_N */
    size_t row;                               /* row of the subjects table (covariates) */
} rk_subject;

typedef struct rk_measure {
    size_t subject;                    /* index into rk_trial.subjects */
    int param;                         /* index into rk_trial.params */
    int visit;                         /* analysis visit index into rk_trial.visits, -1: none */
    double ady, aval, base, chg, pchg; /* NaN when missing */
    unsigned char locf;                /* DTYPE = "LOCF" (a derived record) */
    unsigned char ablfl, anl01fl;      /* baseline record; the record analysed at its visit */
    signed char crit1fl;               /* improvement: 1 Y, 0 N, -1 not applicable */
    size_t row;                        /* source row, SIZE_MAX for a derived record */
} rk_measure;

typedef struct rk_ae {
    size_t subject;
    const char *term;
    int grade;                             /* 1-5 */
    double astdy, aendy;                   /* NaN when missing */
    unsigned char serious, related, trtem; /* AESER = Y; AEREL says related; start >= day 1 */
    size_t row;
} rk_ae;

/* Time to clinical improvement, one per subject with a baseline category. */
typedef struct rk_tte {
    size_t subject;
    double time;  /* study day of the first improvement, or of the last assessment */
    int censored; /* 1: no improvement seen */
} rk_tte;

typedef struct rk_trial {
    rk_table *subjects_table, *measures_table, *ae_table; /* the sources (owned) */
    char **arms;
    size_t n_arms;
    char **params;
    size_t n_params;
    char **visits; /* analysis visits in time order */
    double *visit_target;
    size_t n_visits;
    rk_subject *subjects;
    size_t n_subjects;
    rk_measure *measures; /* sorted by subject, parameter, visit, day */
    size_t n_measures;
    rk_ae *aes;
    size_t n_aes;
    rk_tte *tti; /* time to improvement */
    size_t n_tti;
    char **notes; /* things a statistician should know, in words */
    size_t n_notes;
    void *index; /* internal: USUBJID hash */
} rk_trial;

/* Read the three files (any rk_data_read format; measurements and ae may be
 * NULL), validate them and derive everything above.  Bad input is an
 * RK_EINVAL/RK_EPARSE error naming file, line (or record) and column:
 * duplicate subject IDs, a measurement or AE for an unknown subject, an arm
 * not in opts->arms, text in a numeric column, dates out of order
 * (RANDDT <= TRTSDT <= TRTEDT, ASTDY <= AENDY), negative volumes,
 * proportions over 100%. */
rk_status rk_trial_read(const char *subjects, const char *measurements, const char *ae,
                        const rk_trial_opts *opts, rk_trial **out, rk_error *err);
/* Same from tables, which the trial takes over (they are freed with it, also
 * when this fails).  measurements and ae may be NULL. */
rk_status rk_trial_from_tables(rk_table *subjects, rk_table *measurements, rk_table *ae,
                               const rk_trial_opts *opts, rk_trial **out, rk_error *err);
void rk_trial_free(rk_trial *t);

/* Derived data sets as tables (caller frees): ADSL (the subjects' columns with
 * ITTFL, MITTFL, PPROTFL, SAFFL set), the measurements with AVISIT, ABLFL,
 * BASE, CHG, PCHG, DTYPE, ANL01FL, CRIT1FL, and ADTTE (time to improvement:
 * USUBJID, ARM, PARAMCD, AVAL, CNSR). */
rk_status rk_trial_adsl(const rk_trial *t, rk_table **out, rk_error *err);
rk_status rk_trial_bds(const rk_trial *t, rk_table **out, rk_error *err);
rk_status rk_trial_adtte(const rk_trial *t, rk_table **out, rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
