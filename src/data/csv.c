/* CSV reading (RFC 4180, parsed in place) and writing, cell access and number parsing. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/table.h"

size_t rk_table_nrows(const rk_table *t)
{
    return t->nrows;
}
size_t rk_table_ncols(const rk_table *t)
{
    return t->ncols;
}
const char *rk_table_colname(const rk_table *t, size_t col)
{
    return t->names[col];
}
const char *rk_table_cell(const rk_table *t, size_t row, size_t col)
{
    return t->cells[row * t->ncols + col];
}
size_t rk_table_line(const rk_table *t, size_t row)
{
    return t->lines[row];
}
const char *rk_table_source(const rk_table *t)
{
    return t->source;
}

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
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0') return 1;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return (n == 2 && s[0] == 'N' && s[1] == 'A') || (n == 1 && s[0] == '.');
}

rk_status rk_parse_number(const char *s, double *out, rk_error *err)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
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
    while (*end == ' ' || *end == '\t')
        end++;
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
        if (rk_parse_number(c, &out[i], &e2)) {
            char where[300];
            return rk_error_set(err, RK_EPARSE, "%s: column '%s': %s",
                                rk_table_where(t, i, where, sizeof where), t->names[col], e2.msg);
        }
    }
    if (n_missing) *n_missing = miss;
    return RK_OK;
}

/* ---- parser: fields are unquoted in place in t->text and NUL-terminated ---- */

typedef struct csv_state {
    rk_table *t;
    char **row; /* cells of the row being read */
    size_t row_n, row_cap;
    int header_done;
} csv_state;

static rk_status push_field(csv_state *s, char *f, rk_error *err)
{
    if (s->row_n == s->row_cap) {
        size_t cap = s->row_cap ? s->row_cap * 2 : 16;
        char **r = realloc(s->row, cap * sizeof *r);
        if (!r) return rk_error_set(err, RK_ENOMEM, "out of memory reading CSV");
        s->row = r;
        s->row_cap = cap;
    }
    s->row[s->row_n++] = f;
    return RK_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static rk_status push_row(csv_state *s, size_t line, rk_error *err)
{
    rk_table *t = s->t;
    size_t n = s->row_n;
    s->row_n = 0;
    /* A line with one empty field is a blank line: skip it. */
    if (n == 1 && s->row[0][0] == '\0') return RK_OK;
    if (!s->header_done) {
        for (size_t j = 0; j < n; j++) {
            char *nm = s->row[j];
            size_t a = 0, b = strlen(nm);
            while (a < b && isspace((unsigned char)nm[a]))
                a++;
            while (b > a && isspace((unsigned char)nm[b - 1]))
                b--;
            memmove(nm, nm + a, b - a);
            nm[b - a] = '\0';
            if (!*nm)
                return rk_error_set(err, RK_EPARSE, "%s:%zu: column %zu of the header has no name",
                                    t->source, line, j + 1);
        }
        /* duplicate names: sorted copy, O(n log n) (a pairwise check hung on 100,000 columns) */
        char **sorted = malloc(n * sizeof *sorted);
        if (!sorted) return rk_error_set(err, RK_ENOMEM, "out of memory reading CSV");
        memcpy(sorted, s->row, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, cmp_names);
        for (size_t j = 1; j < n; j++)
            if (!strcmp(sorted[j - 1], sorted[j])) {
                rk_error_set(err, RK_EPARSE, "%s:%zu: column name '%s' appears twice", t->source,
                             line, sorted[j]);
                free(sorted);
                return RK_EPARSE;
            }
        free(sorted);
        t->names = malloc(n * sizeof *t->names);
        t->types = calloc(n, 1);
        if (!t->names || !t->types)
            return rk_error_set(err, RK_ENOMEM, "out of memory reading CSV");
        memcpy(t->names, s->row, n * sizeof *s->row);
        t->ncols = n;
        s->header_done = 1;
        return RK_OK;
    }
    if (n != t->ncols)
        return rk_error_set(err, RK_EPARSE, "%s:%zu: %zu fields, but the header has %zu", t->source,
                            line, n, t->ncols);
    return rk__table_push(t, s->row, line, err);
}

/* Length of the well-formed UTF-8 sequence at s[0..n-1] (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t k = c >= 0xC2 && c <= 0xDF   ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (k == 0 || k > n) return 0;
    for (size_t j = 1; j < k; j++)
        if ((s[j] & 0xC0) != 0x80) return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return k;
}

/* Text must be UTF-8: it ends up in JSON output, which cannot carry other bytes. */
static rk_status check_utf8(const char *text, size_t from, size_t len, const char *name,
                            rk_error *err)
{
    size_t line = 1, line_start = from;
    for (size_t i = from; i < len;) {
        if (text[i] == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        size_t k = utf8_len((const unsigned char *)text + i, len - i);
        if (k == 0)
            return rk_error_set(err, RK_EPARSE,
                                "%s:%zu: byte %zu of the line (0x%02X) is not UTF-8 text; save the "
                                "file as UTF-8",
                                name, line, i - line_start + 1, (unsigned)(unsigned char)text[i]);
        i += k;
    }
    return RK_OK;
}

/* Parse t->text[0..len-1] (with room for one more byte) in place. */
static rk_status parse_in_place(rk_table *t, size_t len, rk_error *err)
{
    char *text = t->text;
    const char *name = t->source;
    csv_state s = {.t = t};
    rk_status st = RK_OK;
    size_t i = 0, w = 0, line = 1, row_line = 1, fstart = 0;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        i = w = fstart = 3;
    if ((st = check_utf8(text, i, len, name, err))) return st;
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
                    text[w++] = '"';
                    i++;
                } else {
                    quoted = 0;
                    after_quote = 1;
                }
            } else {
                if (c == '\n') line++;
                text[w++] = c;
            }
            continue;
        }
        if (c == ',') {
            text[w++] = '\0';
            st = push_field(&s, text + fstart, err);
            fstart = w;
            after_quote = 0;
            field_started = 1;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < len && text[i + 1] == '\n') i++;
            text[w++] = '\0';
            st = push_field(&s, text + fstart, err);
            fstart = w;
            if (!st) st = push_row(&s, row_line, err);
            line++;
            row_line = line;
            after_quote = 0;
            field_started = 0;
        } else if (c == '"' && w == fstart && !after_quote) {
            quoted = 1;
            field_started = 1;
        } else if (after_quote) {
            if (c != ' ' && c != '\t')
                st = rk_error_set(err, RK_EPARSE, "%s:%zu: text after a closing quote in field %zu",
                                  name, line, s.row_n + 1);
        } else {
            text[w++] = c;
            field_started = 1;
        }
    }
    if (st == RK_OK && quoted)
        st = rk_error_set(err, RK_EPARSE, "%s:%zu: a quoted field is never closed", name, row_line);
    if (st == RK_OK && (field_started || w > fstart || s.row_n)) {
        text[w++] = '\0'; /* the buffer has one spare byte for this */
        st = push_field(&s, text + fstart, err);
        if (!st) st = push_row(&s, row_line, err);
    }
    if (st == RK_OK && !s.header_done)
        st = rk_error_set(err, RK_EPARSE, "%s: the file is empty (no header row)", name);
    free(s.row);
    return st;
}

static rk_status parse_owned(char *buf, size_t len, const char *name, rk_table **out, rk_error *err)
{
    rk_table *t = rk__table_alloc(name);
    if (!t) {
        free(buf);
        return rk_error_set(err, RK_ENOMEM, "out of memory reading %s", name);
    }
    t->text = buf;
    rk_status st = parse_in_place(t, len, err);
    if (st) {
        rk_table_free(t);
        return st;
    }
    *out = t;
    return RK_OK;
}

rk_status rk_csv_parse(const char *text, size_t len, const char *name, rk_table **out,
                       rk_error *err)
{
    *out = NULL;
    char *buf = malloc(len + 1);
    if (!buf) return rk_error_set(err, RK_ENOMEM, "out of memory reading %s", name);
    memcpy(buf, text, len);
    buf[len] = '\0';
    return parse_owned(buf, len, name, out, err);
}

rk_status rk_csv_read(const char *path, rk_table **out, rk_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return rk_error_set(err, RK_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    size_t cap = fstat(fileno(f), &sb) == 0 && sb.st_size > 0 ? (size_t)sb.st_size + 1 : 65536;
    size_t len = 0;
    char *buf = malloc(cap);
    rk_status st = buf ? RK_OK : rk_error_set(err, RK_ENOMEM, "%s: out of memory", path);
    while (!st) {
        if (cap - len < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                st = rk_error_set(err, RK_ENOMEM, "%s: out of memory", path);
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    if (!st && ferror(f)) st = rk_error_set(err, RK_EIO, "%s: read error", path);
    fclose(f);
    if (st) {
        free(buf);
        return st;
    }
    return parse_owned(buf, len, path, out, err);
}

/* ---- writer ---- */

static int needs_quotes(const char *s)
{
    if (!*s) return 0;
    if (*s == ' ' || s[strlen(s) - 1] == ' ') return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

static int put_field(FILE *f, const char *s)
{
    if (!needs_quotes(s)) return fputs(s, f) < 0;
    if (fputc('"', f) == EOF) return 1;
    for (; *s; s++) {
        if (*s == '"' && fputc('"', f) == EOF) return 1;
        if (fputc(*s, f) == EOF) return 1;
    }
    return fputc('"', f) == EOF;
}

static int put_table(FILE *f, const rk_table *t)
{
    int bad = 0;
    for (size_t j = 0; j < t->ncols; j++) {
        if (j) bad |= fputc(',', f) == EOF;
        bad |= put_field(f, t->names[j]);
    }
    bad |= fputc('\n', f) == EOF;
    for (size_t i = 0; i < t->nrows && !bad; i++) {
        char *const *row = t->cells + i * t->ncols;
        for (size_t j = 0; j < t->ncols; j++) {
            if (j) bad |= fputc(',', f) == EOF;
            bad |= put_field(f, row[j]);
        }
        bad |= fputc('\n', f) == EOF;
    }
    return bad;
}

rk_status rk_csv_write_stream(const rk_table *t, FILE *f, const char *name, rk_error *err)
{
    if (put_table(f, t) || fflush(f) != 0)
        return rk_error_set(err, RK_EIO, "%s: write error", name);
    return RK_OK;
}

rk_status rk_csv_write(const rk_table *t, const char *path, rk_error *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return rk_error_set(err, RK_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    int bad = put_table(f, t);
    if (fclose(f) != 0) bad = 1;
    if (!bad && rename(tmp, path) != 0) {
        remove(tmp);
        return rk_error_set(err, RK_EIO, "%s: cannot rename %s: %s", path, tmp, strerror(errno));
    }
    if (bad) {
        remove(tmp);
        return rk_error_set(err, RK_EIO, "%s: write error (disk full?)", path);
    }
    return RK_OK;
}
