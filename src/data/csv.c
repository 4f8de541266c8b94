/* CSV reading (RFC 4180) into an rk_table of text cells, and number parsing. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"

struct rk_table {
    char *source;
    size_t ncols, nrows, rows_cap;
    char **names;   /* ncols */
    char **cells;   /* nrows * ncols, row-major */
    size_t *lines;  /* nrows: line where each data row starts */
};

void rk_table_free(rk_table *t)
{
    if (!t) return;
    for (size_t j = 0; j < t->ncols; j++) free(t->names[j]);
    for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->names);
    free(t->cells);
    free(t->lines);
    free(t->source);
    free(t);
}

size_t rk_table_nrows(const rk_table *t) { return t->nrows; }
size_t rk_table_ncols(const rk_table *t) { return t->ncols; }
const char *rk_table_colname(const rk_table *t, size_t col) { return t->names[col]; }
const char *rk_table_cell(const rk_table *t, size_t row, size_t col)
{
    return t->cells[row * t->ncols + col];
}
size_t rk_table_line(const rk_table *t, size_t row) { return t->lines[row]; }
const char *rk_table_source(const rk_table *t) { return t->source; }

long rk_table_find(const rk_table *t, const char *name)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (strcmp(t->names[j], name) == 0) return (long)j;
    return -1;
}

rk_status rk_table_column(const rk_table *t, const char *name, size_t *col, rk_error *err)
{
    long j = rk_table_find(t, name);
    if (j >= 0) {
        *col = (size_t)j;
        return RK_OK;
    }
    rk_buf b;
    rk_buf_init(&b, 400);
    for (size_t k = 0; k < t->ncols; k++)
        if (rk_buf_appendf(&b, NULL, "%s%s", k ? ", " : "", t->names[k])) break;
    rk_error_set(err, RK_EINVAL, "%s: no column '%s' (columns: %s)", t->source, name,
                 b.data ? b.data : "");
    rk_buf_free(&b);
    return RK_EINVAL;
}

int rk_cell_is_missing(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '\0') return 1;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return (n == 2 && s[0] == 'N' && s[1] == 'A') || (n == 1 && s[0] == '.');
}

rk_status rk_parse_number(const char *s, double *out, rk_error *err)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t') p++;
    /* strtod accepts "nan", "inf" and hex floats; a data value must be decimal */
    const char *q = p;
    if (*q == '+' || *q == '-') q++;
    if (!(isdigit((unsigned char)*q) || (*q == '.' && isdigit((unsigned char)q[1]))))
        return rk_error_set(err, RK_EPARSE, "'%s' is not a number", s);
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
        return rk_error_set(err, RK_EPARSE, "'%s' is not a decimal number", s);
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (*end != '\0') return rk_error_set(err, RK_EPARSE, "'%s' is not a number", s);
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return rk_error_set(err, RK_EPARSE, "'%s' is out of the range of a double", s);
    *out = v;
    return RK_OK;
}

rk_status rk_table_numeric(const rk_table *t, size_t col, double *out, size_t *n_missing,
                           rk_error *err)
{
    size_t miss = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *c = rk_table_cell(t, i, col);
        if (rk_cell_is_missing(c)) {
            out[i] = NAN;
            miss++;
            continue;
        }
        rk_error e2;
        if (rk_parse_number(c, &out[i], &e2))
            return rk_error_set(err, RK_EPARSE, "%s:%zu: column '%s': %s", t->source,
                                t->lines[i], t->names[col], e2.msg);
    }
    if (n_missing) *n_missing = miss;
    return RK_OK;
}

/* ---- parser ---- */

typedef struct csv_state {
    rk_table *t;
    char **row;        /* cells of the row being read */
    size_t row_n, row_cap;
    rk_buf field;
    int header_done;
} csv_state;

static rk_status push_field(csv_state *s, rk_error *err)
{
    if (s->row_n == s->row_cap) {
        size_t cap = s->row_cap ? s->row_cap * 2 : 16;
        char **r = realloc(s->row, cap * sizeof *r);
        if (!r) return rk_error_set(err, RK_ENOMEM, "out of memory reading CSV");
        s->row = r;
        s->row_cap = cap;
    }
    char *f = strdup(s->field.data ? s->field.data : "");
    if (!f) return rk_error_set(err, RK_ENOMEM, "out of memory reading CSV");
    s->row[s->row_n++] = f;
    rk_buf_reset(&s->field);
    return RK_OK;
}

static void drop_row(csv_state *s)
{
    for (size_t i = 0; i < s->row_n; i++) free(s->row[i]);
    s->row_n = 0;
}

static rk_status push_row(csv_state *s, size_t line, rk_error *err)
{
    rk_table *t = s->t;
    /* A line with one empty field is a blank line: skip it. */
    if (s->row_n == 1 && s->row[0][0] == '\0') {
        drop_row(s);
        return RK_OK;
    }
    if (!s->header_done) {
        for (size_t j = 0; j < s->row_n; j++) {
            char *nm = s->row[j];
            size_t a = 0, b = strlen(nm);
            while (a < b && isspace((unsigned char)nm[a])) a++;
            while (b > a && isspace((unsigned char)nm[b - 1])) b--;
            memmove(nm, nm + a, b - a);
            nm[b - a] = '\0';
            if (!*nm) {
                drop_row(s);
                return rk_error_set(err, RK_EPARSE, "%s:%zu: column %zu of the header has no name",
                                    t->source, line, j + 1);
            }
            for (size_t k = 0; k < j; k++)
                if (!strcmp(s->row[k], nm)) {
                    rk_error_set(err, RK_EPARSE, "%s:%zu: column name '%s' appears twice",
                                 t->source, line, nm);
                    drop_row(s);
                    return RK_EPARSE;
                }
        }
        t->names = s->row;
        t->ncols = s->row_n;
        s->row = NULL;
        s->row_n = s->row_cap = 0;
        s->header_done = 1;
        return RK_OK;
    }
    if (s->row_n != t->ncols) {
        size_t got = s->row_n;
        drop_row(s);
        return rk_error_set(err, RK_EPARSE, "%s:%zu: %zu fields, but the header has %zu",
                            t->source, line, got, t->ncols);
    }
    if (t->nrows == t->rows_cap) {
        size_t cap = t->rows_cap ? t->rows_cap * 2 : 64;
        char **c = realloc(t->cells, cap * t->ncols * sizeof *c);
        if (!c) {
            drop_row(s);
            return rk_error_set(err, RK_ENOMEM, "out of memory reading CSV");
        }
        t->cells = c;
        size_t *l = realloc(t->lines, cap * sizeof *l);
        if (!l) {
            drop_row(s);
            return rk_error_set(err, RK_ENOMEM, "out of memory reading CSV");
        }
        t->lines = l;
        t->rows_cap = cap;
    }
    memcpy(t->cells + t->nrows * t->ncols, s->row, t->ncols * sizeof *s->row);
    t->lines[t->nrows++] = line;
    s->row_n = 0;
    return RK_OK;
}

rk_status rk_csv_parse(const char *text, size_t len, const char *name, rk_table **out,
                       rk_error *err)
{
    *out = NULL;
    rk_table *t = calloc(1, sizeof *t);
    if (!t || !(t->source = strdup(name))) {
        free(t);
        return rk_error_set(err, RK_ENOMEM, "out of memory reading %s", name);
    }
    csv_state s = {.t = t};
    rk_buf_init(&s.field, (size_t)1 << 24); /* one field may not exceed 16 MiB */
    rk_status st = RK_OK;
    size_t i = 0, line = 1, row_line = 1;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        i = 3;
    int quoted = 0, after_quote = 0, field_started = 0;
    for (; i < len && st == RK_OK; i++) {
        char c = text[i];
        if (c == '\0') {
            st = rk_error_set(err, RK_EPARSE, "%s:%zu: NUL byte: this is not a text file", name,
                              line);
            break;
        }
        if (quoted) {
            if (c == '"') {
                if (i + 1 < len && text[i + 1] == '"') {
                    st = rk_buf_append(&s.field, "\"", 1, err);
                    i++;
                } else {
                    quoted = 0;
                    after_quote = 1;
                }
            } else {
                if (c == '\n') line++;
                st = rk_buf_append(&s.field, &c, 1, err);
            }
            continue;
        }
        if (c == ',') {
            st = push_field(&s, err);
            after_quote = 0;
            field_started = 1;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < len && text[i + 1] == '\n') i++;
            st = push_field(&s, err);
            if (!st) st = push_row(&s, row_line, err);
            line++;
            row_line = line;
            after_quote = 0;
            field_started = 0;
        } else if (c == '"' && s.field.len == 0 && !after_quote) {
            quoted = 1;
            field_started = 1;
        } else if (after_quote) {
            if (c != ' ' && c != '\t')
                st = rk_error_set(err, RK_EPARSE,
                                  "%s:%zu: text after a closing quote in field %zu", name, line,
                                  s.row_n + 1);
        } else {
            st = rk_buf_append(&s.field, &c, 1, err);
            field_started = 1;
        }
    }
    if (st == RK_OK && quoted)
        st = rk_error_set(err, RK_EPARSE, "%s:%zu: a quoted field is never closed", name,
                          row_line);
    if (st == RK_OK && (field_started || s.field.len || s.row_n)) {
        st = push_field(&s, err);
        if (!st) st = push_row(&s, row_line, err);
    }
    if (st == RK_OK && !s.header_done)
        st = rk_error_set(err, RK_EPARSE, "%s: the file is empty (no header row)", name);
    drop_row(&s);
    free(s.row);
    rk_buf_free(&s.field);
    if (st) {
        rk_table_free(t);
        return st;
    }
    *out = t;
    return RK_OK;
}

rk_status rk_csv_read(const char *path, rk_table **out, rk_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return rk_error_set(err, RK_EIO, "%s: cannot open: %s", path, strerror(errno));
    rk_buf b;
    rk_buf_init(&b, 0);
    char chunk[65536];
    size_t n;
    rk_status st = RK_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if ((st = rk_buf_append(&b, chunk, n, err))) break;
    if (!st && ferror(f)) st = rk_error_set(err, RK_EIO, "%s: read error", path);
    fclose(f);
    if (!st) st = rk_csv_parse(b.data ? b.data : "", b.len, path, out, err);
    rk_buf_free(&b);
    return st;
}
