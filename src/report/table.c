/* The report's table model and its renderers (text, Markdown, CSV, HTML, LaTeX, JSON), the
 * manifest, SHA-256 of files and atomic file writes. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "report/table.h"

char *rk__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void rtable_clear(rk_rtable *t)
{
    free(t->id);
    free(t->title);
    for (size_t j = 0; t->header && j < t->ncol; j++)
        free(t->header[j]);
    free(t->header);
    for (size_t j = 0; t->span && j < t->ncol; j++)
        free(t->span[j]);
    free(t->span);
    for (size_t i = 0; i < t->nrow; i++) {
        for (size_t j = 0; j < t->ncol; j++)
            free(t->rows[i].cells[j]);
        free(t->rows[i].cells);
    }
    free(t->rows);
    for (size_t i = 0; i < t->nfoot; i++)
        free(t->foot[i]);
    free(t->foot);
}

void rk_report_free(rk_report *r)
{
    if (!r) return;
    free(r->title);
    for (size_t i = 0; i < r->ntab; i++)
        rtable_clear(&r->tab[i]);
    free(r->tab);
    for (size_t i = 0; i < r->nstat; i++)
        free(r->stat[i].key);
    free(r->stat);
    for (size_t i = 0; i < r->nfile; i++) {
        free(r->file[i].role);
        free(r->file[i].path);
    }
    free(r->file);
    for (size_t i = 0; i < r->nfig; i++) {
        free(r->fig[i].id);
        free(r->fig[i].title);
        free(r->fig[i].svg);
        free(r->fig[i].png);
    }
    free(r->fig);
    free(r);
}

double rk_report_stat(const rk_report *r, const char *key)
{
    for (size_t i = 0; i < r->nstat; i++)
        if (!strcmp(r->stat[i].key, key)) return r->stat[i].value;
    return NAN;
}

rk_status rk__report_add_table(rk_report *r, const char *id, const char *title, size_t ncol,
                               const char *const *header, rk_rtable **out, rk_error *err)
{
    rk_rtable *nt = realloc(r->tab, (r->ntab + 1) * sizeof *nt);
    if (!nt) return rk_error_set(err, RK_ENOMEM, "out of memory");
    r->tab = nt;
    rk_rtable *t = &r->tab[r->ntab];
    memset(t, 0, sizeof *t);
    r->ntab++;
    t->id = rk__strdup(id);
    t->title = rk__strdup(title);
    t->ncol = ncol;
    t->header = calloc(ncol, sizeof *t->header);
    if (!t->id || !t->title || !t->header) return rk_error_set(err, RK_ENOMEM, "out of memory");
    for (size_t j = 0; j < ncol; j++)
        if (!(t->header[j] = rk__strdup(header[j])))
            return rk_error_set(err, RK_ENOMEM, "out of memory");
    *out = t;
    return RK_OK;
}

rk_status rk__rtable_row(rk_rtable *t, int kind, const char *const *cells, rk_error *err)
{
    if (t->nrow == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        rk_rrow *nr = realloc(t->rows, cap * sizeof *nr);
        if (!nr) return rk_error_set(err, RK_ENOMEM, "out of memory");
        t->rows = nr;
        t->cap = cap;
    }
    rk_rrow *row = &t->rows[t->nrow];
    row->kind = kind;
    row->cells = calloc(t->ncol, sizeof *row->cells);
    if (!row->cells) return rk_error_set(err, RK_ENOMEM, "out of memory");
    t->nrow++;
    for (size_t j = 0; j < t->ncol; j++)
        if (!(row->cells[j] = rk__strdup(cells[j] ? cells[j] : "")))
            return rk_error_set(err, RK_ENOMEM, "out of memory");
    return RK_OK;
}

rk_status rk__rtable_span(rk_rtable *t, const char *const *span, rk_error *err)
{
    t->span = calloc(t->ncol, sizeof *t->span);
    if (!t->span) return rk_error_set(err, RK_ENOMEM, "out of memory");
    for (size_t j = 0; j < t->ncol; j++)
        if (!(t->span[j] = rk__strdup(span[j] ? span[j] : "")))
            return rk_error_set(err, RK_ENOMEM, "out of memory");
    return RK_OK;
}

/* End (exclusive) of the run of columns from j sharing j's span label. */
static size_t span_end(const rk_rtable *t, size_t j)
{
    size_t k = j + 1;
    while (k < t->ncol && t->span[j][0] && !strcmp(t->span[k], t->span[j]))
        k++;
    return k;
}

/* Header text of column j for formats without spans: "span: header". */
static void flat_header(const rk_rtable *t, size_t j, char *buf, size_t n)
{
    if (t->span && t->span[j][0])
        snprintf(buf, n, "%s: %s", t->span[j], t->header[j]);
    else
        snprintf(buf, n, "%s", t->header[j]);
}

rk_status rk__rtable_foot(rk_rtable *t, rk_error *err, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (t->nfoot == t->foot_cap) {
        size_t cap = t->foot_cap ? 2 * t->foot_cap : 8;
        char **nf = realloc(t->foot, cap * sizeof *nf);
        if (!nf) return rk_error_set(err, RK_ENOMEM, "out of memory");
        t->foot = nf;
        t->foot_cap = cap;
    }
    if (!(t->foot[t->nfoot] = rk__strdup(buf)))
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    t->nfoot++;
    return RK_OK;
}

rk_status rk__report_stat(rk_report *r, double value, rk_error *err, const char *fmt, ...)
{
    char key[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    if (r->nstat == r->stat_cap) {
        size_t cap = r->stat_cap ? 2 * r->stat_cap : 64;
        rk_rstat *ns = realloc(r->stat, cap * sizeof *ns);
        if (!ns) return rk_error_set(err, RK_ENOMEM, "out of memory");
        r->stat = ns;
        r->stat_cap = cap;
    }
    if (!(r->stat[r->nstat].key = rk__strdup(key)))
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    r->stat[r->nstat].value = value;
    r->nstat++;
    return RK_OK;
}

/* ------------------------------------------------------------ formats */

static const char *const format_names[] = {"text", "md", "csv", "html", "latex", "json"};
static const char *const format_ext[] = {"txt", "md", "csv", "html", "tex", "json"};

rk_status rk_report_format_parse(const char *s, rk_report_format *f, rk_error *err)
{
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, format_names[i])) {
            *f = (rk_report_format)i;
            return RK_OK;
        }
    return rk_error_set(err, RK_EINVAL,
                        "unknown report format '%s' (text, md, csv, html, latex or json)", s);
}

const char *rk_report_format_ext(rk_report_format f)
{
    return (unsigned)f < 6 ? format_ext[f] : "txt";
}

/* Display width of UTF-8 text: code points (continuation bytes do not count). */
static size_t u8width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static rk_status pad(rk_buf *b, size_t n, rk_error *err)
{
    static const char sp[] = "                                        ";
    while (n) {
        size_t k = n < 40 ? n : 40;
        rk_status st = rk_buf_append(b, sp, k, err);
        if (st) return st;
        n -= k;
    }
    return RK_OK;
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        rk_status st_ = (x);                                                                       \
        if (st_) return st_;                                                                       \
    } while (0)

static rk_status render_text_table(const rk_rtable *t, rk_buf *b, rk_error *err)
{
    size_t w[32] = {0};
    size_t nc = t->ncol < 32 ? t->ncol : 32;
    for (size_t j = 0; j < nc; j++)
        w[j] = u8width(t->header[j]);
    for (size_t i = 0; i < t->nrow; i++)
        for (size_t j = 0; j < nc; j++) {
            size_t x =
                u8width(t->rows[i].cells[j]) + (j == 0 && t->rows[i].kind == RK_ROW_LEVEL ? 2 : 0);
            if (x > w[j]) w[j] = x;
        }
    if (t->span) /* a group label wider than its columns widens the last one */
        for (size_t j = 0; j < nc; j = span_end(t, j)) {
            size_t e = span_end(t, j), cw = 0;
            if (e > nc) e = nc;
            for (size_t k = j; k < e; k++)
                cw += w[k] + (k > j ? 2 : 0);
            size_t lw = u8width(t->span[j]);
            if (lw > cw) w[e - 1] += lw - cw;
        }
    size_t total = 0;
    for (size_t j = 0; j < nc; j++)
        total += w[j] + (j ? 2 : 0);
    TRY(rk_buf_appendf(b, err, "%s\n", t->title));
    for (size_t k = 0; k < total; k++)
        TRY(rk_buf_append(b, "=", 1, err));
    TRY(rk_buf_append(b, "\n", 1, err));
    if (t->span) {
        rk_buf line;
        rk_buf_init(&line, 0);
        rk_status st = RK_OK;
        for (size_t j = 0; !st && j < nc; j = span_end(t, j)) {
            size_t e = span_end(t, j), cw = 0;
            if (e > nc) e = nc;
            for (size_t k = j; k < e; k++)
                cw += w[k] + (k > j ? 2 : 0);
            if (j) st = pad(&line, 2, err);
            if (!st) st = rk_buf_appendf(&line, err, "%s", t->span[j]);
            if (!st) st = pad(&line, cw - u8width(t->span[j]), err);
        }
        /* no trailing blanks */
        while (!st && line.len && line.data[line.len - 1] == ' ')
            line.data[--line.len] = '\0';
        if (!st) st = rk_buf_appendf(b, err, "%s\n", line.data ? line.data : "");
        rk_buf_free(&line);
        if (st) return st;
    }
    for (size_t j = 0; j < nc; j++) {
        if (j) TRY(pad(b, 2, err));
        TRY(rk_buf_appendf(b, err, "%s", t->header[j]));
        if (j + 1 < nc) TRY(pad(b, w[j] - u8width(t->header[j]), err));
    }
    TRY(rk_buf_append(b, "\n", 1, err));
    for (size_t k = 0; k < total; k++)
        TRY(rk_buf_append(b, "-", 1, err));
    TRY(rk_buf_append(b, "\n", 1, err));
    for (size_t i = 0; i < t->nrow; i++) {
        const rk_rrow *r = &t->rows[i];
        size_t used = 0;
        /* trailing blanks are dropped */
        size_t last = 0;
        for (size_t j = 0; j < nc; j++)
            if (r->cells[j][0]) last = j;
        for (size_t j = 0; j <= last; j++) {
            if (j) TRY(pad(b, 2, err));
            if (j == 0 && r->kind == RK_ROW_LEVEL) {
                TRY(pad(b, 2, err));
                used = 2;
            } else
                used = 0;
            TRY(rk_buf_appendf(b, err, "%s", r->cells[j]));
            if (j < last) TRY(pad(b, w[j] - used - u8width(r->cells[j]), err));
        }
        TRY(rk_buf_append(b, "\n", 1, err));
    }
    for (size_t k = 0; k < total; k++)
        TRY(rk_buf_append(b, "-", 1, err));
    TRY(rk_buf_append(b, "\n", 1, err));
    for (size_t i = 0; i < t->nfoot; i++)
        TRY(rk_buf_appendf(b, err, "%s\n", t->foot[i]));
    return RK_OK;
}

static rk_status md_cell(rk_buf *b, const char *s, rk_error *err)
{
    for (; *s; s++) {
        if (*s == '|')
            TRY(rk_buf_append(b, "\\|", 2, err));
        else
            TRY(rk_buf_append(b, s, 1, err));
    }
    return RK_OK;
}

static rk_status render_md_table(const rk_rtable *t, rk_buf *b, rk_error *err)
{
    TRY(rk_buf_appendf(b, err, "### %s\n\n|", t->title));
    for (size_t j = 0; j < t->ncol; j++) {
        char h[512];
        flat_header(t, j, h, sizeof h);
        TRY(rk_buf_append(b, " ", 1, err));
        TRY(md_cell(b, h, err));
        TRY(rk_buf_append(b, " |", 2, err));
    }
    TRY(rk_buf_append(b, "\n|", 2, err));
    for (size_t j = 0; j < t->ncol; j++)
        TRY(rk_buf_appendf(b, err, "%s|", j ? "---:" : ":---"));
    TRY(rk_buf_append(b, "\n", 1, err));
    for (size_t i = 0; i < t->nrow; i++) {
        TRY(rk_buf_append(b, "|", 1, err));
        for (size_t j = 0; j < t->ncol; j++) {
            TRY(rk_buf_append(b, " ", 1, err));
            if (j == 0 && t->rows[i].kind == RK_ROW_LEVEL)
                TRY(rk_buf_appendf(b, err, "&nbsp;&nbsp;"));
            if (j == 0 && t->rows[i].kind == RK_ROW_HEADING && t->rows[i].cells[0][0]) {
                TRY(rk_buf_append(b, "**", 2, err));
                TRY(md_cell(b, t->rows[i].cells[j], err));
                TRY(rk_buf_append(b, "**", 2, err));
            } else
                TRY(md_cell(b, t->rows[i].cells[j], err));
            TRY(rk_buf_append(b, " |", 2, err));
        }
        TRY(rk_buf_append(b, "\n", 1, err));
    }
    if (t->nfoot) TRY(rk_buf_append(b, "\n", 1, err));
    for (size_t i = 0; i < t->nfoot; i++)
        TRY(rk_buf_appendf(b, err, "%s  \n", t->foot[i]));
    return RK_OK;
}

static rk_status csv_field(rk_buf *b, const char *s, int last, rk_error *err)
{
    int q = strpbrk(s, ",\"\n\r") != NULL;
    if (q) TRY(rk_buf_append(b, "\"", 1, err));
    for (; *s; s++) {
        if (*s == '"')
            TRY(rk_buf_append(b, "\"\"", 2, err));
        else
            TRY(rk_buf_append(b, s, 1, err));
    }
    if (q) TRY(rk_buf_append(b, "\"", 1, err));
    return rk_buf_append(b, last ? "\n" : ",", 1, err);
}

/* CSV: one rectangular file; columns table,kind,c1..cN (N = widest table). */
static rk_status render_csv(const rk_report *r, size_t maxc, rk_buf *b, rk_error *err)
{
    TRY(rk_buf_appendf(b, err, "table,kind"));
    for (size_t j = 0; j < maxc; j++)
        TRY(rk_buf_appendf(b, err, ",c%zu", j + 1));
    TRY(rk_buf_append(b, "\n", 1, err));
    static const char *const kinds[] = {"row", "heading", "level"};
    for (size_t k = 0; k < r->ntab; k++) {
        const rk_rtable *t = &r->tab[k];
        TRY(csv_field(b, t->id, 0, err));
        TRY(csv_field(b, "title", 0, err));
        for (size_t j = 0; j < maxc; j++)
            TRY(csv_field(b, j ? "" : t->title, j + 1 == maxc, err));
        TRY(csv_field(b, t->id, 0, err));
        TRY(csv_field(b, "header", 0, err));
        for (size_t j = 0; j < maxc; j++) {
            char h[512] = "";
            if (j < t->ncol) flat_header(t, j, h, sizeof h);
            TRY(csv_field(b, h, j + 1 == maxc, err));
        }
        for (size_t i = 0; i < t->nrow; i++) {
            TRY(csv_field(b, t->id, 0, err));
            TRY(csv_field(b, kinds[t->rows[i].kind], 0, err));
            for (size_t j = 0; j < maxc; j++)
                TRY(csv_field(b, j < t->ncol ? t->rows[i].cells[j] : "", j + 1 == maxc, err));
        }
        for (size_t i = 0; i < t->nfoot; i++) {
            TRY(csv_field(b, t->id, 0, err));
            TRY(csv_field(b, "footnote", 0, err));
            for (size_t j = 0; j < maxc; j++)
                TRY(csv_field(b, j ? "" : t->foot[i], j + 1 == maxc, err));
        }
    }
    for (size_t i = 0; i < r->nfile; i++) {
        char line[512];
        snprintf(line, sizeof line, "%s %s sha256:%s", r->file[i].role, r->file[i].path,
                 r->file[i].sha256);
        TRY(csv_field(b, "manifest", 0, err));
        TRY(csv_field(b, "file", 0, err));
        for (size_t j = 0; j < maxc; j++)
            TRY(csv_field(b, j ? "" : line, j + 1 == maxc, err));
    }
    return RK_OK;
}

static rk_status xml_text(rk_buf *b, const char *s, rk_error *err)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': TRY(rk_buf_append(b, "&lt;", 4, err)); break;
        case '>': TRY(rk_buf_append(b, "&gt;", 4, err)); break;
        case '&': TRY(rk_buf_append(b, "&amp;", 5, err)); break;
        case '"': TRY(rk_buf_append(b, "&quot;", 6, err)); break;
        default: TRY(rk_buf_append(b, s, 1, err));
        }
    }
    return RK_OK;
}

static rk_status render_html_table(const rk_rtable *t, rk_buf *b, rk_error *err)
{
    TRY(rk_buf_appendf(b, err, "<table id=\"%s\">\n<caption>", t->id));
    TRY(xml_text(b, t->title, err));
    TRY(rk_buf_appendf(b, err, "</caption>\n<thead>"));
    if (t->span) {
        TRY(rk_buf_appendf(b, err, "<tr>"));
        for (size_t j = 0; j < t->ncol; j = span_end(t, j)) {
            TRY(rk_buf_appendf(b, err, "<th colspan=\"%zu\">", span_end(t, j) - j));
            TRY(xml_text(b, t->span[j], err));
            TRY(rk_buf_appendf(b, err, "</th>"));
        }
        TRY(rk_buf_appendf(b, err, "</tr>\n"));
    }
    TRY(rk_buf_appendf(b, err, "<tr>"));
    for (size_t j = 0; j < t->ncol; j++) {
        TRY(rk_buf_appendf(b, err, "<th>"));
        TRY(xml_text(b, t->header[j], err));
        TRY(rk_buf_appendf(b, err, "</th>"));
    }
    TRY(rk_buf_appendf(b, err, "</tr></thead>\n<tbody>\n"));
    for (size_t i = 0; i < t->nrow; i++) {
        static const char *const cls[] = {"row", "heading", "level"};
        TRY(rk_buf_appendf(b, err, "<tr class=\"%s\">", cls[t->rows[i].kind]));
        for (size_t j = 0; j < t->ncol; j++) {
            TRY(rk_buf_appendf(b, err, "<td>"));
            TRY(xml_text(b, t->rows[i].cells[j], err));
            TRY(rk_buf_appendf(b, err, "</td>"));
        }
        TRY(rk_buf_appendf(b, err, "</tr>\n"));
    }
    TRY(rk_buf_appendf(b, err, "</tbody>\n"));
    if (t->nfoot) {
        TRY(rk_buf_appendf(b, err, "<tfoot>\n"));
        for (size_t i = 0; i < t->nfoot; i++) {
            TRY(rk_buf_appendf(b, err, "<tr><td colspan=\"%zu\">", t->ncol));
            TRY(xml_text(b, t->foot[i], err));
            TRY(rk_buf_appendf(b, err, "</td></tr>\n"));
        }
        TRY(rk_buf_appendf(b, err, "</tfoot>\n"));
    }
    return rk_buf_appendf(b, err, "</table>\n");
}

static rk_status tex_text(rk_buf *b, const char *s, rk_error *err)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
        case '%':
        case '$':
        case '#':
        case '_':
        case '{':
        case '}': TRY(rk_buf_appendf(b, err, "\\%c", *s)); break;
        case '~': TRY(rk_buf_appendf(b, err, "\\textasciitilde{}")); break;
        case '^': TRY(rk_buf_appendf(b, err, "\\textasciicircum{}")); break;
        case '\\': TRY(rk_buf_appendf(b, err, "\\textbackslash{}")); break;
        case '<': TRY(rk_buf_appendf(b, err, "\\textless{}")); break;
        case '>': TRY(rk_buf_appendf(b, err, "\\textgreater{}")); break;
        default: TRY(rk_buf_append(b, s, 1, err));
        }
    }
    return RK_OK;
}

static rk_status render_latex_table(const rk_rtable *t, rk_buf *b, rk_error *err)
{
    TRY(rk_buf_appendf(b, err, "\\begin{table}[ht]\n\\caption{"));
    TRY(tex_text(b, t->title, err));
    TRY(rk_buf_appendf(b, err, "}\n\\label{tab:%s}\n\\begin{tabular}{l", t->id));
    for (size_t j = 1; j < t->ncol; j++)
        TRY(rk_buf_append(b, "r", 1, err));
    TRY(rk_buf_appendf(b, err, "}\n\\hline\n"));
    if (t->span) {
        for (size_t j = 0; j < t->ncol; j = span_end(t, j)) {
            TRY(rk_buf_appendf(b, err, "%s\\multicolumn{%zu}{c}{", j ? " & " : "",
                               span_end(t, j) - j));
            TRY(tex_text(b, t->span[j], err));
            TRY(rk_buf_append(b, "}", 1, err));
        }
        TRY(rk_buf_appendf(b, err, " \\\\\n"));
    }
    for (size_t j = 0; j < t->ncol; j++) {
        TRY(tex_text(b, t->header[j], err));
        TRY(rk_buf_appendf(b, err, "%s", j + 1 < t->ncol ? " & " : " \\\\\n\\hline\n"));
    }
    for (size_t i = 0; i < t->nrow; i++) {
        for (size_t j = 0; j < t->ncol; j++) {
            if (j == 0 && t->rows[i].kind == RK_ROW_LEVEL) TRY(rk_buf_appendf(b, err, "\\quad "));
            TRY(tex_text(b, t->rows[i].cells[j], err));
            TRY(rk_buf_appendf(b, err, "%s", j + 1 < t->ncol ? " & " : " \\\\\n"));
        }
    }
    TRY(rk_buf_appendf(b, err, "\\hline\n\\end{tabular}\n"));
    for (size_t i = 0; i < t->nfoot; i++) {
        TRY(rk_buf_appendf(b, err, "\\par\\footnotesize "));
        TRY(tex_text(b, t->foot[i], err));
        TRY(rk_buf_append(b, "\n", 1, err));
    }
    return rk_buf_appendf(b, err, "\\end{table}\n\n");
}

static rk_status render_json(const rk_report *r, rk_buf *b, rk_error *err)
{
    json_t *o = json_object();
    json_t *man = json_object(), *files = json_array(), *tabs = json_array(),
           *stats = json_object();
    if (!o || !man || !files || !tabs || !stats) goto nomem;
    json_object_set_new(o, "title", json_string(r->title));
    json_object_set_new(man, "rctkit_version", json_string(RK_VERSION));
    for (size_t i = 0; i < r->nfile; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "role", json_string(r->file[i].role));
        json_object_set_new(f, "path", json_string(r->file[i].path));
        json_object_set_new(f, "sha256", json_string(r->file[i].sha256));
        json_array_append_new(files, f);
    }
    json_object_set_new(man, "files", files);
    static const char *const kinds[] = {"row", "heading", "level"};
    for (size_t k = 0; k < r->ntab; k++) {
        const rk_rtable *t = &r->tab[k];
        json_t *jt = json_object(), *hdr = json_array(), *rows = json_array(), *foot = json_array();
        for (size_t j = 0; j < t->ncol; j++)
            json_array_append_new(hdr, json_string(t->header[j]));
        for (size_t i = 0; i < t->nrow; i++) {
            json_t *row = json_object(), *cells = json_array();
            for (size_t j = 0; j < t->ncol; j++)
                json_array_append_new(cells, json_string(t->rows[i].cells[j]));
            json_object_set_new(row, "kind", json_string(kinds[t->rows[i].kind]));
            json_object_set_new(row, "cells", cells);
            json_array_append_new(rows, row);
        }
        for (size_t i = 0; i < t->nfoot; i++)
            json_array_append_new(foot, json_string(t->foot[i]));
        json_object_set_new(jt, "id", json_string(t->id));
        json_object_set_new(jt, "title", json_string(t->title));
        json_object_set_new(jt, "header", hdr);
        if (t->span) {
            json_t *sp = json_array();
            for (size_t j = 0; j < t->ncol; j++)
                json_array_append_new(sp, json_string(t->span[j]));
            json_object_set_new(jt, "spans", sp);
        }
        json_object_set_new(jt, "rows", rows);
        json_object_set_new(jt, "footnotes", foot);
        json_array_append_new(tabs, jt);
    }
    for (size_t i = 0; i < r->nstat; i++)
        json_object_set_new(stats, r->stat[i].key,
                            isfinite(r->stat[i].value) ? json_real(r->stat[i].value) : json_null());
    json_object_set_new(o, "tables", tabs);
    json_object_set_new(o, "statistics", stats);
    json_object_set_new(o, "manifest", man);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(o);
    if (!s) return rk_error_set(err, RK_ENOMEM, "out of memory (JSON)");
    rk_status st = rk_buf_appendf(b, err, "%s\n", s);
    free(s);
    return st;
nomem:
    json_decref(o);
    json_decref(man);
    json_decref(files);
    json_decref(tabs);
    json_decref(stats);
    return rk_error_set(err, RK_ENOMEM, "out of memory (JSON)");
}

rk_status rk_report_render(const rk_report *r, rk_report_format f, rk_buf *b, rk_error *err)
{
    if (f == RK_REPORT_JSON) return render_json(r, b, err);
    if (f == RK_REPORT_CSV) {
        size_t maxc = 1;
        for (size_t k = 0; k < r->ntab; k++)
            if (r->tab[k].ncol > maxc) maxc = r->tab[k].ncol;
        return render_csv(r, maxc, b, err);
    }
    if (f == RK_REPORT_HTML) {
        TRY(rk_buf_appendf(b, err, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"));
        TRY(xml_text(b, r->title, err));
        TRY(rk_buf_appendf(b, err,
                           "</title>\n<style>table{border-collapse:collapse;margin:1em 0}"
                           "td,th{padding:2px 8px;text-align:right}td:first-child,th:first-child"
                           "{text-align:left}tr.level td:first-child{padding-left:2em}"
                           "tr.heading td{font-weight:bold}tfoot td{font-size:small;text-align:"
                           "left}</style></head>\n<body>\n<h1>"));
        TRY(xml_text(b, r->title, err));
        TRY(rk_buf_appendf(b, err, "</h1>\n"));
    } else if (f == RK_REPORT_MD) {
        TRY(rk_buf_appendf(b, err, "# %s\n\n", r->title));
    } else if (f == RK_REPORT_LATEX) {
        TRY(rk_buf_appendf(b, err, "%% "));
        TRY(rk_buf_appendf(b, err, "%s\n%% generated by rctkit %s; needs no packages\n\n", r->title,
                           RK_VERSION));
    } else {
        TRY(rk_buf_appendf(b, err, "%s\n\n", r->title));
    }
    for (size_t k = 0; k < r->ntab; k++) {
        const rk_rtable *t = &r->tab[k];
        if (f == RK_REPORT_MD)
            TRY(render_md_table(t, b, err));
        else if (f == RK_REPORT_HTML)
            TRY(render_html_table(t, b, err));
        else if (f == RK_REPORT_LATEX)
            TRY(render_latex_table(t, b, err));
        else
            TRY(render_text_table(t, b, err));
        if (f != RK_REPORT_LATEX) TRY(rk_buf_append(b, "\n", 1, err));
    }
    /* figures: files next to the report (written by `rctkit report --out`) */
    for (size_t k2 = 0; k2 < 2 * r->nfig; k2++) { /* the CONSORT diagram first, as Fig. 1 */
        const rk_rfigure *g = &r->fig[k2 % r->nfig];
        if ((k2 < r->nfig) != !strcmp(g->id, "consort")) continue;
        if (f == RK_REPORT_HTML) {
            TRY(rk_buf_appendf(b, err, "<figure><img src=\"figure_%s.svg\" alt=\"", g->id));
            TRY(xml_text(b, g->title, err));
            TRY(rk_buf_appendf(b, err, "\"><figcaption>"));
            TRY(xml_text(b, g->title, err));
            TRY(rk_buf_appendf(b, err, "</figcaption></figure>\n"));
        } else if (f == RK_REPORT_MD) {
            TRY(rk_buf_appendf(b, err, "![%s](figure_%s.svg)\n\n", g->title, g->id));
        }
    }
    /* manifest */
    if (f == RK_REPORT_HTML) {
        TRY(rk_buf_appendf(b, err, "<h2>Manifest</h2>\n<pre>rctkit %s\n", RK_VERSION));
        for (size_t i = 0; i < r->nfile; i++) {
            TRY(rk_buf_appendf(b, err, "%s  ", r->file[i].sha256));
            TRY(xml_text(b, r->file[i].path, err));
            TRY(rk_buf_appendf(b, err, "  (%s)\n", r->file[i].role));
        }
        return rk_buf_appendf(b, err, "</pre>\n</body></html>\n");
    }
    const char *pre = f == RK_REPORT_LATEX ? "% " : "";
    if (f == RK_REPORT_MD)
        TRY(rk_buf_appendf(b, err, "### Manifest\n\n```\n"));
    else
        TRY(rk_buf_appendf(b, err, "%sManifest (SHA-256)\n", pre));
    TRY(rk_buf_appendf(b, err, "%srctkit %s\n", pre, RK_VERSION));
    for (size_t i = 0; i < r->nfile; i++)
        TRY(rk_buf_appendf(b, err, "%s%s  %s  (%s)\n", pre, r->file[i].sha256, r->file[i].path,
                           r->file[i].role));
    if (f == RK_REPORT_MD) TRY(rk_buf_appendf(b, err, "```\n"));
    return RK_OK;
}

/* ---------------------------------------------------------- files */

rk_status rk_sha256_file(const char *path, char hex[65], rk_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return rk_error_set(err, RK_EINVAL, "%s: cannot open: %s", path, strerror(errno));
    crypto_hash_sha256_state s;
    crypto_hash_sha256_init(&s);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&s, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) return rk_error_set(err, RK_EIO, "%s: read error", path);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&s, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return RK_OK;
}

rk_status rk_write_file_atomic(const char *path, const char *data, size_t len, rk_error *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) return rk_error_set(err, RK_ENOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rk_status st = rk_error_set(err, RK_EIO, "%s: cannot create: %s", path, strerror(errno));
        free(tmp);
        return st;
    }
    (void)fchmod(fd, 0644); /* mkstemp makes 0600; a report is an ordinary file */
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        free(tmp);
        return rk_error_set(err, RK_EIO, "%s: cannot write", path);
    }
    int bad = len && fwrite(data, 1, len, f) != len;
    bad |= fflush(f) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        rk_status st = rk_error_set(err, RK_EIO, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    return RK_OK;
}
