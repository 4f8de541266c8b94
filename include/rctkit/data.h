/* rctkit data: reading delimited text (CSV) into a table of string cells, and
 * strict number parsing.  Later: ReadStat formats and the trial data model. */
#ifndef RCTKIT_DATA_H
#define RCTKIT_DATA_H

#include <stddef.h>

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

/* Strict decimal number: the whole of s (surrounding blanks allowed) must be a
 * finite number.  "nan", "inf", "1e999", "3x" and "" are RK_EPARSE errors. */
rk_status rk_parse_number(const char *s, double *out, rk_error *err);

#ifdef __cplusplus
}
#endif
#endif
