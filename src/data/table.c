/* rk_table: the in-memory table of text cells every reader fills, its builder,
 * column metadata (labels, types) and ISO date conversion. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/table.h"

#define ARENA_BLOCK ((size_t)1 << 20)

rk_table *rk__table_alloc(const char *source)
{
    rk_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (!(t->source = strdup(source ? source : ""))) {
        free(t);
        return NULL;
    }
    return t;
}

void rk_table_free(rk_table *t)
{
    if (!t) return;
    rk__arena_block *b = t->arena;
    while (b) {
        rk__arena_block *nx = b->next;
        free(b);
        b = nx;
    }
    free(t->names);
    free(t->labels);
    free(t->types);
    free(t->cells);
    free(t->lines);
    free(t->text);
    free(t->source);
    free(t);
}

char *rk__table_strndup(rk_table *t, const char *s, size_t n)
{
    rk__arena_block *b = t->arena;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > ARENA_BLOCK / 4 ? n + 1 : ARENA_BLOCK;
        rk__arena_block *nb = malloc(sizeof *nb + cap);
        if (!nb) return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && cap != ARENA_BLOCK) { /* a big string: keep filling the current block */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            t->arena = nb;
        }
        b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

rk_status rk__table_push(rk_table *t, char **cells, size_t line, rk_error *err)
{
    if (t->nrows == t->rows_cap) {
        size_t cap = t->rows_cap ? t->rows_cap * 2 : 64;
        char **c = realloc(t->cells, cap * (t->ncols ? t->ncols : 1) * sizeof *c);
        if (!c) return rk_error_set(err, RK_ENOMEM, "%s: out of memory", t->source);
        t->cells = c;
        size_t *l = realloc(t->lines, cap * sizeof *l);
        if (!l) return rk_error_set(err, RK_ENOMEM, "%s: out of memory", t->source);
        t->lines = l;
        t->rows_cap = cap;
    }
    memcpy(t->cells + t->nrows * t->ncols, cells, t->ncols * sizeof *cells);
    t->lines[t->nrows++] = line;
    return RK_OK;
}

rk_status rk_table_new(const char *source, size_t ncols, const char *const *names, rk_table **out,
                       rk_error *err)
{
    *out = NULL;
    if (ncols == 0) return rk_error_set(err, RK_EINVAL, "%s: a table needs a column", source);
    for (size_t j = 0; j < ncols; j++) {
        if (!names[j] || !names[j][0])
            return rk_error_set(err, RK_EINVAL, "%s: column %zu has no name", source, j + 1);
        for (size_t k = 0; k < j; k++)
            if (!strcmp(names[k], names[j]))
                return rk_error_set(err, RK_EINVAL, "%s: column name '%s' appears twice", source,
                                    names[j]);
    }
    rk_table *t = rk__table_alloc(source);
    if (!t || !(t->names = calloc(ncols, sizeof *t->names)) || !(t->types = calloc(ncols, 1))) {
        rk_table_free(t);
        return rk_error_set(err, RK_ENOMEM, "%s: out of memory", source);
    }
    t->ncols = ncols;
    for (size_t j = 0; j < ncols; j++)
        if (!(t->names[j] = rk__table_strndup(t, names[j], strlen(names[j])))) {
            rk_table_free(t);
            return rk_error_set(err, RK_ENOMEM, "%s: out of memory", source);
        }
    *out = t;
    return RK_OK;
}

rk_status rk_table_add_row(rk_table *t, const char *const *cells, size_t line, rk_error *err)
{
    char *small[64], **row = t->ncols <= 64 ? small : malloc(t->ncols * sizeof *row);
    if (!row) return rk_error_set(err, RK_ENOMEM, "%s: out of memory", t->source);
    rk_status st = RK_OK;
    for (size_t j = 0; j < t->ncols && !st; j++) {
        const char *c = cells[j] ? cells[j] : "";
        if (!(row[j] = rk__table_strndup(t, c, strlen(c))))
            st = rk_error_set(err, RK_ENOMEM, "%s: out of memory", t->source);
    }
    if (!st) st = rk__table_push(t, row, line, err);
    if (row != small) free(row);
    return st;
}

void rk_table_set_records(rk_table *t)
{
    t->records = 1;
}

const char *rk_table_where(const rk_table *t, size_t row, char *buf, size_t size)
{
    if (t->records)
        snprintf(buf, size, "%s: record %zu", t->source, t->lines[row]);
    else
        snprintf(buf, size, "%s:%zu", t->source, t->lines[row]);
    return buf;
}

const char *rk_table_label(const rk_table *t, size_t col)
{
    return t->labels && t->labels[col] ? t->labels[col] : "";
}

rk_status rk_table_set_label(rk_table *t, size_t col, const char *label, rk_error *err)
{
    if (!t->labels && !(t->labels = calloc(t->ncols, sizeof *t->labels)))
        return rk_error_set(err, RK_ENOMEM, "%s: out of memory", t->source);
    if (!(t->labels[col] = rk__table_strndup(t, label, strlen(label))))
        return rk_error_set(err, RK_ENOMEM, "%s: out of memory", t->source);
    return RK_OK;
}

rk_coltype rk_table_coltype(const rk_table *t, size_t col)
{
    return t->types ? (rk_coltype)t->types[col] : RK_COL_AUTO;
}

void rk_table_set_coltype(rk_table *t, size_t col, rk_coltype type)
{
    if (t->types) t->types[col] = (unsigned char)type;
}

static int leading_zero_code(const char *s)
{
    while (*s == ' ')
        s++;
    if (*s == '+' || *s == '-') s++;
    return s[0] == '0' && isdigit((unsigned char)s[1]);
}

rk_coltype rk_table_infer_type(const rk_table *t, size_t col)
{
    rk_coltype ty = rk_table_coltype(t, col);
    if (ty != RK_COL_AUTO) return ty;
    int maybe_date = 1, maybe_num = 1, any = 0;
    for (size_t i = 0; i < t->nrows && (maybe_date || maybe_num); i++) {
        const char *c = rk_table_cell(t, i, col);
        if (rk_cell_is_missing(c)) continue;
        any = 1;
        long d;
        double v;
        if (maybe_date && rk_parse_date(c, &d, NULL)) maybe_date = 0;
        if (maybe_num && (leading_zero_code(c) || rk_parse_number(c, &v, NULL))) maybe_num = 0;
    }
    if (!any) return RK_COL_NUMBER;
    return maybe_date ? RK_COL_DATE : maybe_num ? RK_COL_NUMBER : RK_COL_TEXT;
}

/* ---- dates: days from civil (proleptic Gregorian), H. Hinnant's algorithm ---- */

static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468; /* days since 1970-01-01 */
}

#define EPOCH_1960 (-3653L) /* days_from_civil(1960, 1, 1) */

rk_status rk_parse_date(const char *s, long *days, rk_error *err)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    long v[3] = {0, 0, 0};
    int w[3] = {4, 2, 2};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < w[k]; i++, p++) {
            if (!isdigit((unsigned char)*p))
                return rk_error_set(err, RK_EPARSE, "'%s' is not a date (YYYY-MM-DD)", s);
            v[k] = v[k] * 10 + (*p - '0');
        }
        if (k < 2 && *p++ != '-')
            return rk_error_set(err, RK_EPARSE, "'%s' is not a date (YYYY-MM-DD)", s);
    }
    while (*p == ' ')
        p++;
    if (*p) return rk_error_set(err, RK_EPARSE, "'%s' is not a date (YYYY-MM-DD)", s);
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
    if (v[0] < 1583 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
        (v[1] == 2 && v[2] == 29 && !leap))
        return rk_error_set(err, RK_EPARSE, "'%s' is not a valid calendar date", s);
    *days = days_from_civil(v[0], v[1], v[2]) - EPOCH_1960;
    return RK_OK;
}

void rk_format_date(long days, char *buf, size_t size)
{
    long z = days + EPOCH_1960 + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    snprintf(buf, size, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}
