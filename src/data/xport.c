/* Writing SAS transport (XPORT) version 5 files through ReadStat, with the version 5
 * limits checked up front instead of silently truncated. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readstat.h>

#include "data/table.h"

#define XPORT_NAME_MAX 8     /* SAS XPORT v5: member and variable names */
#define XPORT_LABEL_MAX 40   /* v5 variable labels */
#define XPORT_STRING_MAX 200 /* v5 character variables */

static int valid_v5_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > XPORT_NAME_MAX) return 0;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
    return 1;
}

static ssize_t write_bytes(const void *data, size_t len, void *ctx)
{
    return fwrite(data, 1, len, (FILE *)ctx) == len ? (ssize_t)len : -1;
}

/* Member name from the file's base name without extension, upper-cased. */
static void member_from_path(const char *path, char *out, size_t size)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = 0;
    for (; b[n] && b[n] != '.' && n + 1 < size; n++)
        out[n] = (char)toupper((unsigned char)b[n]);
    out[n] = '\0';
}

rk_status rk_xport_write(const rk_table *t, const char *path, const char *member, rk_error *err)
{
    char mem[64];
    if (member)
        snprintf(mem, sizeof mem, "%s", member);
    else
        member_from_path(path, mem, sizeof mem);
    if (!valid_v5_name(mem))
        return rk_error_set(err, RK_EINVAL,
                            "%s: data set name '%s' is not a SAS XPORT v5 name (1-8 letters, "
                            "digits or _, not starting with a digit); rename the file or give "
                            "another member name",
                            path, mem);
    size_t nc = t->ncols;
    rk_coltype *type = malloc(nc * sizeof *type);
    size_t *width = calloc(nc, sizeof *width);
    if (!type || !width) {
        free(type);
        free(width);
        return rk_error_set(err, RK_ENOMEM, "out of memory writing %s", path);
    }
    rk_status st = RK_OK;
    for (size_t j = 0; j < nc && !st; j++) {
        const char *nm = t->names[j], *lb = rk_table_label(t, j);
        if (!valid_v5_name(nm))
            st = rk_error_set(err, RK_EINVAL,
                              "%s: column '%s' is not a SAS XPORT v5 name (1-8 letters, digits "
                              "or _, not starting with a digit); rename it",
                              path, nm);
        else if (strlen(lb) > XPORT_LABEL_MAX)
            st = rk_error_set(err, RK_EINVAL,
                              "%s: the label of column '%s' has %zu characters; SAS XPORT v5 "
                              "allows %d: shorten it",
                              path, nm, strlen(lb), XPORT_LABEL_MAX);
        for (size_t k = 0; k < j && !st; k++)
            if (!strcasecmp(t->names[k], nm))
                st = rk_error_set(err, RK_EINVAL, "%s: columns '%s' and '%s' are the same SAS name",
                                  path, t->names[k], nm);
        if (st) break;
        type[j] = rk_table_infer_type(t, j);
        if (type[j] == RK_COL_TEXT || type[j] == RK_COL_AUTO) {
            type[j] = RK_COL_TEXT;
            width[j] = 1;
            for (size_t i = 0; i < t->nrows; i++) {
                size_t n = strlen(rk_table_cell(t, i, j));
                if (n > XPORT_STRING_MAX) {
                    char where[300];
                    st = rk_error_set(err, RK_EINVAL,
                                      "%s: column '%s': a value of %zu bytes; SAS XPORT v5 "
                                      "allows %d",
                                      rk_table_where(t, i, where, sizeof where), nm, n,
                                      XPORT_STRING_MAX);
                    break;
                }
                if (n > width[j]) width[j] = n;
            }
        }
    }
    if (st) {
        free(type);
        free(width);
        return st;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(type);
        free(width);
        return rk_error_set(err, RK_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    }
    readstat_writer_t *w = readstat_writer_init();
    readstat_variable_t **vars = calloc(nc, sizeof *vars);
    readstat_error_t e = READSTAT_OK;
    if (!w || !vars) st = rk_error_set(err, RK_ENOMEM, "out of memory writing %s", path);
    if (!st) {
        readstat_set_data_writer(w, write_bytes);
        readstat_writer_set_file_format_version(w, 5);
        readstat_writer_set_table_name(w, mem);
        readstat_writer_set_file_timestamp(w, 0); /* fixed: the same table gives the same bytes */
        for (size_t j = 0; j < nc; j++) {
            vars[j] = readstat_add_variable(w, t->names[j],
                                            type[j] == RK_COL_TEXT ? READSTAT_TYPE_STRING
                                                                   : READSTAT_TYPE_DOUBLE,
                                            type[j] == RK_COL_TEXT ? width[j] : 8);
            const char *lb = rk_table_label(t, j);
            if (*lb) readstat_variable_set_label(vars[j], lb);
            if (type[j] == RK_COL_DATE) readstat_variable_set_format(vars[j], "DATE9");
        }
        e = readstat_begin_writing_xport(w, f, (long)t->nrows);
    }
    for (size_t i = 0; i < t->nrows && !st && e == READSTAT_OK; i++) {
        e = readstat_begin_row(w);
        for (size_t j = 0; j < nc && !st && e == READSTAT_OK; j++) {
            const char *c = rk_table_cell(t, i, j);
            if (type[j] == RK_COL_TEXT) {
                e = readstat_insert_string_value(w, vars[j], c);
                continue;
            }
            if (rk_cell_is_missing(c)) {
                e = readstat_insert_missing_value(w, vars[j]);
                continue;
            }
            double v = 0;
            long d = 0;
            rk_error e2;
            rk_status s2 =
                type[j] == RK_COL_DATE ? rk_parse_date(c, &d, &e2) : rk_parse_number(c, &v, &e2);
            if (s2) {
                char where[300];
                st = rk_error_set(err, RK_EPARSE, "%s: column '%s': %s",
                                  rk_table_where(t, i, where, sizeof where), t->names[j], e2.msg);
                break;
            }
            /* IBM floating point as ReadStat writes it: magnitudes below 16^-65 became 0 and
             * from 2 * 16^62 on the largest number (read back as inf), silently */
            if (type[j] != RK_COL_DATE && v != 0 && (fabs(v) < 0x1p-260 || fabs(v) >= 0x1p249)) {
                char where[300];
                st = rk_error_set(err, RK_EINVAL,
                                  "%s: column '%s': %g is outside what SAS XPORT v5 holds "
                                  "(magnitudes 5.4e-79 to 9.0e+74, or 0)",
                                  rk_table_where(t, i, where, sizeof where), t->names[j], v);
                break;
            }
            e = readstat_insert_double_value(w, vars[j], type[j] == RK_COL_DATE ? (double)d : v);
        }
        if (!st && e == READSTAT_OK) e = readstat_end_row(w);
    }
    if (!st && e == READSTAT_OK) e = readstat_end_writing(w);
    if (!st && e != READSTAT_OK)
        st = rk_error_set(err, RK_EIO, "%s: writing SAS XPORT failed: %s", path,
                          readstat_error_message(e));
    readstat_writer_free(w);
    free(vars);
    free(type);
    free(width);
    if (fclose(f) != 0 && !st) st = rk_error_set(err, RK_EIO, "%s: write error", path);
    if (!st && rename(tmp, path) != 0)
        st = rk_error_set(err, RK_EIO, "%s: cannot rename %s: %s", path, tmp, strerror(errno));
    if (st) remove(tmp);
    return st;
}
