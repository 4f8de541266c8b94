/* Report figures: each drawing call writes an SVG element and paints the same shape on a cairo
 * image surface (the PNG).  The SVG is plain text with the numbers as <text> elements and
 * coordinates printed with two decimals, so the same data give the same bytes; the PNG comes
 * from cairo's image surface and libpng (same bytes for the same cairo, fonts and libpng). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <sodium.h>

#include "rctkit/stats.h"
#include "report/figure.h"
#include "report/table.h"

struct rk__fig {
    double w, h;
    rk_buf svg;
    rk_status st; /* first failure (out of memory) */
    rk_error err;
    cairo_surface_t *surf;
    cairo_t *cr;
};

static const char *const svg_color[4] = {"#000000", "#1f5fa8", "#d9661f", "#8c8c8c"};
static const double rgb[4][3] = {{0, 0, 0},
                                 {0x1f / 255.0, 0x5f / 255.0, 0xa8 / 255.0},
                                 {0xd9 / 255.0, 0x66 / 255.0, 0x1f / 255.0},
                                 {0x8c / 255.0, 0x8c / 255.0, 0x8c / 255.0}};

static int col_ok(int c)
{
    return c >= 0 && c < 4 ? c : 0;
}

static void put(rk__fig *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void put(rk__fig *f, const char *fmt, ...)
{
    if (f->st) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    f->st = rk_buf_append(&f->svg, line, len, &f->err);
}

static void put_escaped(rk__fig *f, const char *s)
{
    for (; *s && !f->st; s++) {
        if (*s == '&')
            put(f, "&amp;");
        else if (*s == '<')
            put(f, "&lt;");
        else if (*s == '>')
            put(f, "&gt;");
        else if (*s == '"')
            put(f, "&quot;");
        else
            f->st = rk_buf_append(&f->svg, s, 1, &f->err);
    }
}

rk_status rk__fig_new(double w, double h, rk__fig **out, rk_error *err)
{
    *out = NULL;
    rk__fig *f = calloc(1, sizeof *f);
    if (!f) return rk_error_set(err, RK_ENOMEM, "out of memory");
    f->w = w;
    f->h = h;
    rk_buf_init(&f->svg, 0);
    rk_error_clear(&f->err);
    f->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(w), (int)ceil(h));
    if (cairo_surface_status(f->surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(f->surf);
        free(f);
        return rk_error_set(err, RK_ENOMEM, "cannot create a %gx%g image", w, h);
    }
    f->cr = cairo_create(f->surf);
    cairo_set_source_rgb(f->cr, 1, 1, 1);
    cairo_paint(f->cr);
    cairo_set_line_width(f->cr, 1.2);
    cairo_select_font_face(f->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    put(f,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
        "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
        "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
        w, h, w, h, w, h);
    *out = f;
    return RK_OK;
}

void rk__fig_free(rk__fig *f)
{
    if (!f) return;
    if (f->cr) cairo_destroy(f->cr);
    if (f->surf) cairo_surface_destroy(f->surf);
    rk_buf_free(&f->svg);
    free(f);
}

static void set_col(rk__fig *f, int c)
{
    c = col_ok(c);
    cairo_set_source_rgb(f->cr, rgb[c][0], rgb[c][1], rgb[c][2]);
}

void rk__fig_rect(rk__fig *f, double x, double y, double w, double h, int color, int filled)
{
    color = col_ok(color);
    put(f,
        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" stroke=\"%s\" "
        "stroke-width=\"1.2\"%s/>\n",
        x, y, w, h, filled ? svg_color[color] : "none", svg_color[color],
        filled ? " fill-opacity=\"0.25\"" : "");
    cairo_rectangle(f->cr, x, y, w, h);
    if (filled) {
        cairo_set_source_rgba(f->cr, rgb[color][0], rgb[color][1], rgb[color][2], 0.25);
        cairo_fill_preserve(f->cr);
    }
    set_col(f, color);
    cairo_stroke(f->cr);
}

void rk__fig_line(rk__fig *f, double x1, double y1, double x2, double y2, int color, int dashed)
{
    color = col_ok(color);
    put(f,
        "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
        "stroke-width=\"1.2\"%s/>\n",
        x1, y1, x2, y2, svg_color[color], dashed ? " stroke-dasharray=\"4 3\"" : "");
    set_col(f, color);
    if (dashed) {
        const double d[2] = {4, 3};
        cairo_set_dash(f->cr, d, 2, 0);
    }
    cairo_move_to(f->cr, x1, y1);
    cairo_line_to(f->cr, x2, y2);
    cairo_stroke(f->cr);
    cairo_set_dash(f->cr, NULL, 0, 0);
}

void rk__fig_arrow(rk__fig *f, double x1, double y1, double x2, double y2)
{
    rk__fig_line(f, x1, y1, x2, y2, 0, 0);
    double a = atan2(y2 - y1, x2 - x1), L = 7, s = 0.45;
    double xa = x2 - L * cos(a - s), ya = y2 - L * sin(a - s);
    double xb = x2 - L * cos(a + s), yb = y2 - L * sin(a + s);
    put(f, "<polygon points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\" fill=\"#000000\"/>\n", x2, y2, xa, ya,
        xb, yb);
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    cairo_move_to(f->cr, x2, y2);
    cairo_line_to(f->cr, xa, ya);
    cairo_line_to(f->cr, xb, yb);
    cairo_close_path(f->cr);
    cairo_fill(f->cr);
}

void rk__fig_circle(rk__fig *f, double x, double y, double r, int color)
{
    color = col_ok(color);
    put(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"none\" stroke=\"%s\"/>\n", x, y, r,
        svg_color[color]);
    set_col(f, color);
    cairo_new_sub_path(f->cr);
    cairo_arc(f->cr, x, y, r, 0, 2 * M_PI);
    cairo_stroke(f->cr);
}

void rk__fig_polyline(rk__fig *f, const double *x, const double *y, size_t n, int color)
{
    if (!n) return;
    color = col_ok(color);
    put(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"",
        svg_color[color]);
    for (size_t i = 0; i < n; i++)
        put(f, "%s%.2f,%.2f", i ? " " : "", x[i], y[i]);
    put(f, "\"/>\n");
    set_col(f, color);
    cairo_set_line_width(f->cr, 1.8);
    cairo_move_to(f->cr, x[0], y[0]);
    for (size_t i = 1; i < n; i++)
        cairo_line_to(f->cr, x[i], y[i]);
    cairo_stroke(f->cr);
    cairo_set_line_width(f->cr, 1.2);
}

double rk__fig_text_width(const char *s, double size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++; /* UTF-8 characters */
    return 0.6 * size * (double)n;
}

void rk__fig_text(rk__fig *f, double x, double y, double size, int anchor, int bold, const char *s)
{
    static const char *const anch[3] = {"start", "middle", "end"};
    if (anchor < 0 || anchor > 2) anchor = 0;
    put(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\" text-anchor=\"%s\"%s>", x, y, size,
        anch[anchor], bold ? " font-weight=\"bold\"" : "");
    put_escaped(f, s);
    put(f, "</text>\n");
    cairo_select_font_face(f->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(f->cr, size);
    cairo_text_extents_t ex;
    cairo_text_extents(f->cr, s, &ex);
    double x0 = anchor == 0 ? x : anchor == 1 ? x - ex.x_advance / 2 : x - ex.x_advance;
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    cairo_move_to(f->cr, x0, y);
    cairo_show_text(f->cr, s);
}

typedef struct png_sink {
    rk_buf b;
    rk_status st;
    rk_error err;
} png_sink;

static cairo_status_t png_sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    png_sink *s = closure;
    if (s->st) return CAIRO_STATUS_WRITE_ERROR;
    s->st = rk_buf_append(&s->b, data, len, &s->err);
    return s->st ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void sha_hex(const void *data, size_t len, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

static rk_status add_manifest(rk_report *r, const char *path, const void *data, size_t len,
                              rk_error *err)
{
    rk_rfile *nf = realloc(r->file, (r->nfile + 1) * sizeof *nf);
    if (!nf) return rk_error_set(err, RK_ENOMEM, "out of memory");
    r->file = nf;
    rk_rfile *fl = &r->file[r->nfile];
    memset(fl, 0, sizeof *fl);
    r->nfile++;
    fl->role = rk__strdup("figure");
    fl->path = rk__strdup(path);
    if (!fl->role || !fl->path) return rk_error_set(err, RK_ENOMEM, "out of memory");
    sha_hex(data, len, fl->sha256);
    return RK_OK;
}

rk_status rk__fig_finish(rk__fig *f, rk_report *r, const char *id, const char *title, rk_error *err)
{
    put(f, "</svg>\n");
    if (f->st) {
        rk_status st = rk_error_set(err, f->st, "%s", f->err.msg);
        rk__fig_free(f);
        return st;
    }
    cairo_surface_flush(f->surf);
    png_sink sink;
    memset(&sink, 0, sizeof sink);
    rk_buf_init(&sink.b, 0);
    cairo_status_t cs = cairo_surface_write_to_png_stream(f->surf, png_sink_write, &sink);
    if (cs != CAIRO_STATUS_SUCCESS || sink.st) {
        rk_buf_free(&sink.b);
        rk__fig_free(f);
        return rk_error_set(err, RK_ENOMEM, "figure %s: cannot encode the PNG (%s)", id,
                            cairo_status_to_string(cs));
    }
    rk_rfigure *nf = realloc(r->fig, (r->nfig + 1) * sizeof *nf);
    if (!nf) {
        rk_buf_free(&sink.b);
        rk__fig_free(f);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    r->fig = nf;
    rk_rfigure *g = &r->fig[r->nfig++];
    memset(g, 0, sizeof *g);
    g->id = rk__strdup(id);
    g->title = rk__strdup(title);
    g->svg = f->svg.data;
    g->svg_len = f->svg.len;
    f->svg.data = NULL;
    g->png = (unsigned char *)sink.b.data;
    g->png_len = sink.b.len;
    rk__fig_free(f);
    if (!g->id || !g->title || !g->svg || !g->png)
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    char path[300];
    snprintf(path, sizeof path, "figure_%s.svg", id);
    /* Only the SVG goes in the manifest: rctkit writes its bytes itself, so they are the same on
     * every machine.  The PNG is the same drawing rasterised by cairo, whose bytes also depend on
     * the installed fonts, FreeType and libpng: a manifest must not change with those. */
    return add_manifest(r, path, g->svg, g->svg_len, err);
}

/* ------------------------------------------------------------ the report's figures */

#define LINE_H 16.0
#define FONT 12.0

/* A box of text lines centred on cx from y; returns its height. */
static double text_box(rk__fig *f, double cx, double y, double w, const char *const *lines,
                       size_t n)
{
    double h = 10 + LINE_H * (double)n;
    rk__fig_rect(f, cx - w / 2, y, w, h, 0, 0);
    for (size_t i = 0; i < n; i++)
        rk__fig_text(f, cx, y + 4 + LINE_H * (double)(i + 1) - 3, FONT, RK_FIG_MIDDLE, i == 0,
                     lines[i]);
    return h;
}

static double lines_width(const char *const *lines, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        double x = rk__fig_text_width(lines[i], FONT);
        if (x > w) w = x;
    }
    return w + 20;
}

rk_status rk__fig_consort(rk_report *r, const rk__consort_counts *cc, rk_error *err)
{
    size_t na = cc->narms;
    if (!na || na > 8) return RK_OK;
    enum { MAXL = 40 };
    char txt[MAXL][200];
    const char *ln[MAXL];
    for (size_t i = 0; i < MAXL; i++)
        ln[i] = txt[i];
    double colw = 260, W = fmax(760, colw * (double)na + 40), y = 20;
    /* heights first: the side box of exclusions can be tall */
    size_t nre = cc->nreason < MAXL - 2 ? cc->nreason : MAXL - 2;
    double H = 20 + (cc->has_screening ? 26 + 20 + 10 + LINE_H * (double)(nre + 1) + 20 : 0) + 26 +
               40 + (10 + LINE_H * 2) + 30 + (10 + LINE_H * (double)(cc->npops + 1)) + 20;
    rk__fig *f;
    rk_status st = rk__fig_new(W, H, &f, err);
    if (st) return st;
    double mx = W / 2; /* the main column */
    if (cc->has_screening) {
        snprintf(txt[0], sizeof txt[0], "Assessed for eligibility (n = %zu)", cc->screened);
        double h = text_box(f, mx, y, lines_width(ln, 1), ln, 1);
        double yl = y + h;
        snprintf(txt[0], sizeof txt[0], "Excluded (n = %zu)", cc->excluded);
        for (size_t k = 0; k < nre; k++)
            snprintf(txt[1 + k], sizeof txt[0], "%s (n = %zu)", cc->reason[k], cc->reason_n[k]);
        double w2 = lines_width(ln, nre + 1);
        double bx = mx + 40 + w2 / 2;
        if (bx + w2 / 2 > W - 10) bx = W - 10 - w2 / 2;
        double y2 = yl + 20, h2 = text_box(f, bx, y2, w2, ln, nre + 1);
        rk__fig_arrow(f, mx, y2 + h2 / 2, bx - w2 / 2, y2 + h2 / 2);
        y = y2 + h2 + 20;
        rk__fig_arrow(f, mx, yl, mx, y);
    }
    size_t nrand = 0;
    for (size_t a = 0; a < na; a++)
        nrand += cc->randomized[a];
    snprintf(txt[0], sizeof txt[0], "Randomized (n = %zu)", nrand);
    double rx = mx, h = text_box(f, rx, y, lines_width(ln, 1), ln, 1);
    double ybar = y + h + 20;
    double x0 = (W - colw * (double)na) / 2 + colw / 2;
    rk__fig_line(f, rx, y + h, rx, ybar, 0, 0);
    rk__fig_line(f, x0, ybar, x0 + colw * (double)(na - 1), ybar, 0, 0);
    double ya = ybar + 20, yb = 0;
    for (size_t a = 0; a < na; a++) {
        double ax = x0 + colw * (double)a;
        rk__fig_arrow(f, ax, ybar, ax, ya);
        snprintf(txt[0], sizeof txt[0], "Allocated to %s (n = %zu)", cc->arm_label[a],
                 cc->randomized[a]);
        size_t nl = 1;
        if (cc->untreated_label)
            snprintf(txt[nl++], sizeof txt[0], "%s (n = %zu)", cc->untreated_label,
                     cc->untreated[a]);
        double bw = fmin(colw - 10, lines_width(ln, nl));
        double bh = text_box(f, ax, ya, bw, ln, nl);
        double y3 = ya + bh + 30;
        rk__fig_arrow(f, ax, ya + bh, ax, y3);
        snprintf(txt[0], sizeof txt[0], "Analysed");
        size_t np = cc->npops < MAXL - 1 ? cc->npops : MAXL - 1;
        for (size_t k = 0; k < np; k++)
            snprintf(txt[1 + k], sizeof txt[0], "%s (n = %zu)", cc->pop_name[k],
                     cc->popN[k * na + a]);
        bw = fmin(colw - 10, lines_width(ln, np + 1));
        double h3 = text_box(f, ax, y3, bw, ln, np + 1);
        if (y3 + h3 > yb) yb = y3 + h3;
    }
    (void)yb;
    return rk__fig_finish(f, r, "consort", "CONSORT flow diagram", err);
}

/* Round tick step for a range. */
static double nice_step(double range, int nticks)
{
    double raw = range / nticks, p = pow(10, floor(log10(raw))), m = raw / p;
    double s = m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10;
    return s * p;
}

static void fmt_tick(char *b, size_t n, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(b, n, "%.*f", dec, fabs(v) < step / 1e6 ? 0.0 : v);
}

typedef struct frame {
    double x0, y0, w, h; /* plot area */
    double lo, hi;       /* y range */
} frame;

static double fy(const frame *fr, double v)
{
    return fr->y0 + fr->h - (v - fr->lo) / (fr->hi - fr->lo) * fr->h;
}

/* Left axis with ticks and a rotated-free label above it, plus the title. */
static void y_axis(rk__fig *f, frame *fr, double lo, double hi, const char *ylabel,
                   const char *title)
{
    double step = nice_step(hi - lo > 0 ? hi - lo : 1, 5);
    fr->lo = floor(lo / step) * step;
    fr->hi = ceil(hi / step) * step;
    if (fr->hi <= fr->lo) fr->hi = fr->lo + step;
    rk__fig_text(f, fr->x0 + fr->w / 2, 22, 14, RK_FIG_MIDDLE, 1, title);
    rk__fig_text(f, fr->x0 - 50, fr->y0 - 12, FONT, RK_FIG_LEFT, 0, ylabel);
    rk__fig_line(f, fr->x0, fr->y0, fr->x0, fr->y0 + fr->h, 0, 0);
    rk__fig_line(f, fr->x0, fr->y0 + fr->h, fr->x0 + fr->w, fr->y0 + fr->h, 0, 0);
    char b[64];
    for (double v = fr->lo; v <= fr->hi + step / 2; v += step) {
        double y = fy(fr, v);
        rk__fig_line(f, fr->x0 - 5, y, fr->x0, y, 0, 0);
        rk__fig_line(f, fr->x0, y, fr->x0 + fr->w, y, 3, 1);
        fmt_tick(b, sizeof b, v, step);
        rk__fig_text(f, fr->x0 - 8, y + 4, FONT - 1, RK_FIG_RIGHT, 0, b);
    }
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

rk_status rk__fig_boxplot(rk_report *r, const char *id, const char *title, const char *ylabel,
                          size_t narms, const char *const *arm_label, const double *const *val,
                          const size_t *n, rk_error *err)
{
    if (!narms) return RK_OK;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t a = 0; a < narms; a++)
        for (size_t i = 0; i < n[a]; i++) {
            if (val[a][i] < lo) lo = val[a][i];
            if (val[a][i] > hi) hi = val[a][i];
        }
    if (!isfinite(lo)) return RK_OK;
    double W = fmax(640, 140 + 160 * (double)narms);
    rk__fig *f;
    rk_status st = rk__fig_new(W, 420, &f, err);
    if (st) return st;
    frame fr = {80, 60, W - 110, 300, 0, 1};
    y_axis(f, &fr, lo, hi, ylabel, title);
    for (size_t a = 0; a < narms && !st; a++) {
        if (!n[a]) continue;
        double *x = malloc(n[a] * sizeof *x);
        if (!x) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            break;
        }
        memcpy(x, val[a], n[a] * sizeof *x);
        qsort(x, n[a], sizeof *x, cmp_dbl);
        rk_summary s;
        st = rk_describe(x, n[a], RK_QUANTILE_DEFAULT, &s, err);
        if (!st) {
            double cx = fr.x0 + fr.w * ((double)a + 0.5) / (double)narms, bw = 60;
            double iqr = s.q3 - s.q1, wlo = s.q3, whi = s.q1;
            for (size_t i = 0; i < n[a]; i++)
                if (x[i] >= s.q1 - 1.5 * iqr && x[i] <= s.q3 + 1.5 * iqr) {
                    if (x[i] < wlo) wlo = x[i];
                    if (x[i] > whi) whi = x[i];
                }
            int c = 1 + (int)(a % 2);
            rk__fig_rect(f, cx - bw / 2, fy(&fr, s.q3), bw, fy(&fr, s.q1) - fy(&fr, s.q3), c, 1);
            rk__fig_line(f, cx - bw / 2, fy(&fr, s.median), cx + bw / 2, fy(&fr, s.median), 0, 0);
            rk__fig_line(f, cx, fy(&fr, s.q3), cx, fy(&fr, whi), c, 0);
            rk__fig_line(f, cx, fy(&fr, s.q1), cx, fy(&fr, wlo), c, 0);
            rk__fig_line(f, cx - bw / 4, fy(&fr, whi), cx + bw / 4, fy(&fr, whi), c, 0);
            rk__fig_line(f, cx - bw / 4, fy(&fr, wlo), cx + bw / 4, fy(&fr, wlo), c, 0);
            for (size_t i = 0; i < n[a]; i++)
                if (x[i] < wlo || x[i] > whi) rk__fig_circle(f, cx, fy(&fr, x[i]), 3, c);
            char lab[200];
            rk__fig_text(f, cx, fr.y0 + fr.h + 20, FONT, RK_FIG_MIDDLE, 0, arm_label[a]);
            snprintf(lab, sizeof lab, "n = %zu, median %.2f", n[a], s.median);
            rk__fig_text(f, cx, fr.y0 + fr.h + 36, FONT - 1, RK_FIG_MIDDLE, 0, lab);
        }
        free(x);
    }
    if (st) {
        rk__fig_free(f);
        return st;
    }
    rk__fig_text(f, 10, 410, FONT - 2, RK_FIG_LEFT, 0,
                 "Box: quartiles (SAS QNTLDEF=5) and median; whiskers: extreme values within "
                 "1.5 IQR; circles: beyond.");
    return rk__fig_finish(f, r, id, title, err);
}

rk_status rk__fig_km(rk_report *r, const char *id, const char *title, const char *xlabel,
                     const char *ylabel, const rk_km *km, const char *const *arm_label, double tmax,
                     rk_error *err)
{
    rk__fig *f;
    rk_status st = rk__fig_new(640, 440, &f, err);
    if (st) return st;
    frame fr = {80, 60, 520, 300, 0, 1};
    y_axis(f, &fr, 0, 1, ylabel, title);
    double step = nice_step(tmax, 7);
    char b[64];
    for (double t = 0; t <= tmax + 1e-9; t += step) {
        double x = fr.x0 + t / tmax * fr.w;
        rk__fig_line(f, x, fr.y0 + fr.h, x, fr.y0 + fr.h + 5, 0, 0);
        fmt_tick(b, sizeof b, t, step);
        rk__fig_text(f, x, fr.y0 + fr.h + 18, FONT - 1, RK_FIG_MIDDLE, 0, b);
    }
    rk__fig_text(f, fr.x0 + fr.w / 2, fr.y0 + fr.h + 36, FONT, RK_FIG_MIDDLE, 0, xlabel);
    for (size_t g = 0; g < km->n_groups && !st; g++) {
        const rk_km_curve *cv = &km->curve[g];
        size_t m = 2 * cv->n_times + 2, k = 0;
        double *x = malloc(m * sizeof *x), *y = malloc(m * sizeof *y);
        if (!x || !y) {
            free(x);
            free(y);
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            break;
        }
        double prev = 0, last_t = 0;
        x[k] = fr.x0;
        y[k++] = fy(&fr, 0);
        for (size_t i = 0; i < cv->n_times && cv->time[i] <= tmax; i++) {
            double inc = 1 - cv->surv[i], xt = fr.x0 + cv->time[i] / tmax * fr.w;
            last_t = cv->time[i];
            if (inc == prev) continue;
            x[k] = xt;
            y[k++] = fy(&fr, prev);
            x[k] = xt;
            y[k++] = fy(&fr, inc);
            prev = inc;
        }
        x[k] = fr.x0 + last_t / tmax * fr.w;
        y[k++] = fy(&fr, prev);
        int c = 1 + (int)(g % 2);
        rk__fig_polyline(f, x, y, k, c);
        free(x);
        free(y);
        double ly = fr.y0 + 16 + 18 * (double)g;
        rk__fig_line(f, fr.x0 + 12, ly - 4, fr.x0 + 36, ly - 4, c, 0);
        char lab[200];
        snprintf(lab, sizeof lab, "%s (n = %zu, %.0f events)", arm_label[g], cv->n, cv->n_events);
        rk__fig_text(f, fr.x0 + 42, ly, FONT, RK_FIG_LEFT, 0, lab);
    }
    if (st) {
        rk__fig_free(f);
        return st;
    }
    rk__fig_text(f, 10, 430, FONT - 2, RK_FIG_LEFT, 0,
                 "1 - Kaplan-Meier estimate; patients without the event are censored at their "
                 "last assessment.");
    return rk__fig_finish(f, r, id, title, err);
}
