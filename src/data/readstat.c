/* Reading SAS (sas7bdat, XPORT), Stata (.dta) and SPSS (.sav) files through ReadStat
 * into an rk_table; choosing a reader or writer from a file name. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readstat.h>

#include "data/table.h"

static const struct {
    const char *ext;
    rk_file_format fmt;
    const char *name;
} formats[] = {
    {"csv", RK_FILE_CSV, "csv"},   {"sas7bdat", RK_FILE_SAS7BDAT, "sas7bdat"},
    {"xpt", RK_FILE_XPORT, "xpt"}, {"dta", RK_FILE_DTA, "dta"},
    {"sav", RK_FILE_SAV, "sav"},   {"zsav", RK_FILE_SAV, "sav"},
};

rk_status rk_file_format_of(const char *path, rk_file_format *fmt, rk_error *err)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot)
        for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
            if (!strcasecmp(dot + 1, formats[i].ext)) {
                *fmt = formats[i].fmt;
                return RK_OK;
            }
    return rk_error_set(err, RK_EINVAL,
                        "%s: unknown file type (expected .csv, .sas7bdat, .xpt, .dta, .sav)", path);
}

const char *rk_file_format_name(rk_file_format fmt)
{
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (formats[i].fmt == fmt) return formats[i].name;
    return "auto";
}

/* ---- reader ---- */

typedef enum { DATE_NONE = 0, DATE_DAYS_1960, DATE_SECONDS_1582 } date_kind;

typedef struct rs_ctx {
    const char *path;
    rk_file_format fmt;
    rk_table *t;
    size_t nvars;
    char **names, **labels;
    unsigned char *kind; /* per variable: 0 text, 1 number, 2 date */
    date_kind *dates;
    char **row;
    long cur_obs;
    rk_status st;
    rk_error *err;
    char rs_msg[200]; /* ReadStat's own message */
} rs_ctx;

/* Is a variable with this display format a date, and counted how? */
static date_kind date_format(rk_file_format fmt, const char *format)
{
    if (!format || !*format) return DATE_NONE;
    char f[32];
    size_t n = 0;
    for (const char *p = format; *p && n + 1 < sizeof f; p++)
        if (!isdigit((unsigned char)*p) && *p != '.') f[n++] = (char)toupper((unsigned char)*p);
    f[n] = '\0';
    if (fmt == RK_FILE_DTA)
        return (!strncmp(f, "%TD", 3) || !strcmp(f, "%D")) ? DATE_DAYS_1960 : DATE_NONE;
    if (fmt == RK_FILE_SAV) {
        static const char *spss[] = {"DATE", "ADATE", "EDATE", "SDATE", "JDATE"};
        for (size_t i = 0; i < sizeof spss / sizeof *spss; i++)
            if (!strcmp(f, spss[i])) return DATE_SECONDS_1582;
        return DATE_NONE;
    }
    if (!strncmp(f, "DATETIME", 8) || !strncmp(f, "DATEAMPM", 8)) return DATE_NONE;
    static const char *sas[] = {"DATE",   "YYMMDD",   "E8601DA",  "IS8601DA", "B8601DA", "MMDDYY",
                                "DDMMYY", "WORDDATE", "WEEKDATE", "NLDATE",   "YYMMDDN", "EURDFDD"};
    for (size_t i = 0; i < sizeof sas / sizeof *sas; i++)
        if (!strncmp(f, sas[i], strlen(sas[i]))) return DATE_DAYS_1960;
    return DATE_NONE;
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *vctx)
{
    (void)val_labels;
    rs_ctx *c = vctx;
    size_t i = (size_t)index;
    if (i >= c->nvars) {
        size_t n = i + 1 > c->nvars * 2 ? i + 1 : c->nvars * 2;
        char **nm = realloc(c->names, n * sizeof *nm);
        if (nm) c->names = nm;
        char **lb = realloc(c->labels, n * sizeof *lb);
        if (lb) c->labels = lb;
        unsigned char *k = realloc(c->kind, n);
        if (k) c->kind = k;
        date_kind *d = realloc(c->dates, n * sizeof *d);
        if (d) c->dates = d;
        if (!nm || !lb || !k || !d) {
            c->st = rk_error_set(c->err, RK_ENOMEM, "%s: out of memory", c->path);
            return READSTAT_HANDLER_ABORT;
        }
        for (size_t j = c->nvars; j < n; j++)
            c->names[j] = c->labels[j] = NULL;
        c->nvars = n;
    }
    const char *name = readstat_variable_get_name(v), *label = readstat_variable_get_label(v);
    c->names[i] = strdup(name ? name : "");
    c->labels[i] = strdup(label ? label : "");
    if (!c->names[i] || !c->labels[i]) {
        c->st = rk_error_set(c->err, RK_ENOMEM, "%s: out of memory", c->path);
        return READSTAT_HANDLER_ABORT;
    }
    int numeric = readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_NUMERIC;
    c->dates[i] = numeric ? date_format(c->fmt, readstat_variable_get_format(v)) : DATE_NONE;
    c->kind[i] = !numeric ? 0 : c->dates[i] ? 2 : 1;
    return READSTAT_HANDLER_OK;
}

/* Number of variables actually seen (the arrays may be over-allocated). */
static size_t seen_vars(const rs_ctx *c)
{
    size_t n = 0;
    while (n < c->nvars && c->names[n])
        n++;
    return n;
}

static rk_status make_table(rs_ctx *c)
{
    size_t n = seen_vars(c);
    if (n == 0) return rk_error_set(c->err, RK_EPARSE, "%s: the file has no variables", c->path);
    rk_status st = rk_table_new(c->path, n, (const char *const *)c->names, &c->t, c->err);
    if (st) return st;
    rk_table_set_records(c->t);
    for (size_t j = 0; j < n && !st; j++) {
        rk_table_set_coltype(c->t, j,
                             c->kind[j] == 0   ? RK_COL_TEXT
                             : c->kind[j] == 1 ? RK_COL_NUMBER
                                               : RK_COL_DATE);
        if (c->labels[j][0]) st = rk_table_set_label(c->t, j, c->labels[j], c->err);
    }
    if (!st && !(c->row = calloc(n, sizeof *c->row)))
        st = rk_error_set(c->err, RK_ENOMEM, "%s: out of memory", c->path);
    return st;
}

static rk_status flush_row(rs_ctx *c)
{
    if (c->cur_obs < 0) return RK_OK;
    size_t n = c->t->ncols;
    for (size_t j = 0; j < n; j++)
        if (!c->row[j]) c->row[j] = rk__table_strndup(c->t, "", 0);
    for (size_t j = 0; j < n; j++)
        if (!c->row[j]) return rk_error_set(c->err, RK_ENOMEM, "%s: out of memory", c->path);
    rk_status st = rk__table_push(c->t, c->row, (size_t)c->cur_obs + 1, c->err);
    memset(c->row, 0, n * sizeof *c->row);
    return st;
}

/* Shortest decimal text that reads back as exactly v. */
static void format_double(double v, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static int on_value(int obs_index, readstat_variable_t *v, readstat_value_t value, void *vctx)
{
    rs_ctx *c = vctx;
    if (!c->t && (c->st = make_table(c))) return READSTAT_HANDLER_ABORT;
    if (obs_index != c->cur_obs) {
        if ((c->st = flush_row(c))) return READSTAT_HANDLER_ABORT;
        c->cur_obs = obs_index;
    }
    size_t j = (size_t)readstat_variable_get_index(v);
    if (j >= c->t->ncols) return READSTAT_HANDLER_OK;
    char buf[64];
    const char *text = "";
    size_t len = 0;
    if (!readstat_value_is_missing(value, v)) {
        if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
            text = readstat_string_value(value);
            if (!text) text = "";
            len = strlen(text);
            while (len && text[len - 1] == ' ')
                len--;
        } else {
            double d;
            switch (readstat_value_type(value)) {
            case READSTAT_TYPE_INT8: d = readstat_int8_value(value); break;
            case READSTAT_TYPE_INT16: d = readstat_int16_value(value); break;
            case READSTAT_TYPE_INT32: d = readstat_int32_value(value); break;
            case READSTAT_TYPE_FLOAT: d = readstat_float_value(value); break;
            default: d = readstat_double_value(value); break;
            }
            if (c->dates[j] == DATE_SECONDS_1582) /* SPSS: seconds since 1582-10-14 */
                d = d / 86400.0 - 137775.0;       /* 1582-10-14 is day -137775 of 1960 */
            if (c->dates[j] && isfinite(d) && fabs(d) < 3e6 && d == floor(d))
                rk_format_date((long)d, buf, sizeof buf);
            else if (c->dates[j] && isfinite(d)) {
                c->st = rk_error_set(c->err, RK_EPARSE,
                                     "%s: record %d: variable '%s' has a date format but the "
                                     "value %.17g is not a whole day",
                                     c->path, obs_index + 1, c->t->names[j], d);
                return READSTAT_HANDLER_ABORT;
            } else
                format_double(d, buf, sizeof buf);
            text = buf;
            len = strlen(buf);
        }
    }
    if (!(c->row[j] = rk__table_strndup(c->t, text, len))) {
        c->st = rk_error_set(c->err, RK_ENOMEM, "%s: out of memory", c->path);
        return READSTAT_HANDLER_ABORT;
    }
    return READSTAT_HANDLER_OK;
}

static void on_error(const char *msg, void *vctx)
{
    rs_ctx *c = vctx;
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    snprintf(c->rs_msg, sizeof c->rs_msg, "%.*s", (int)n, msg);
}

static rk_status read_readstat(const char *path, rk_file_format fmt, rk_table **out, rk_error *err)
{
    FILE *probe = fopen(path, "rb");
    if (!probe) return rk_error_set(err, RK_EIO, "%s: cannot open", path);
    fclose(probe);
    rs_ctx c = {.path = path, .fmt = fmt, .cur_obs = -1, .err = err};
    readstat_parser_t *p = readstat_parser_init();
    if (!p) return rk_error_set(err, RK_ENOMEM, "%s: out of memory", path);
    readstat_set_variable_handler(p, on_variable);
    readstat_set_value_handler(p, on_value);
    readstat_set_error_handler(p, on_error);
    readstat_error_t e;
    switch (fmt) {
    case RK_FILE_SAS7BDAT: e = readstat_parse_sas7bdat(p, path, &c); break;
    case RK_FILE_XPORT: e = readstat_parse_xport(p, path, &c); break;
    case RK_FILE_DTA: e = readstat_parse_dta(p, path, &c); break;
    default: e = readstat_parse_sav(p, path, &c); break;
    }
    readstat_parser_free(p);
    rk_status st = c.st;
    if (!st && e != READSTAT_OK)
        st = rk_error_set(err, RK_EPARSE, "%s: not a readable %s file: %s%s%s", path,
                          rk_file_format_name(fmt), readstat_error_message(e),
                          c.rs_msg[0] ? ": " : "", c.rs_msg);
    if (!st && !c.t) st = make_table(&c);
    if (!st) st = flush_row(&c);
    for (size_t j = 0; j < c.nvars; j++) {
        free(c.names[j]);
        free(c.labels[j]);
    }
    free(c.names);
    free(c.labels);
    free(c.kind);
    free(c.dates);
    free(c.row);
    if (st) {
        rk_table_free(c.t);
        return st;
    }
    *out = c.t;
    return RK_OK;
}

rk_status rk_data_read(const char *path, rk_file_format fmt, rk_table **out, rk_error *err)
{
    *out = NULL;
    rk_status st = RK_OK;
    if (fmt == RK_FILE_AUTO && (st = rk_file_format_of(path, &fmt, err))) return st;
    if (fmt == RK_FILE_CSV) return rk_csv_read(path, out, err);
    return read_readstat(path, fmt, out, err);
}

rk_status rk_data_write(const rk_table *t, const char *path, rk_file_format fmt, rk_error *err)
{
    rk_status st = RK_OK;
    if (fmt == RK_FILE_AUTO && (st = rk_file_format_of(path, &fmt, err))) return st;
    if (fmt == RK_FILE_CSV) return rk_csv_write(t, path, err);
    if (fmt == RK_FILE_XPORT) return rk_xport_write(t, path, NULL, err);
    return rk_error_set(err, RK_EINVAL, "%s: rctkit writes csv and xpt (SAS XPORT v5), not %s",
                        path, rk_file_format_name(fmt));
}
