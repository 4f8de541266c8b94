/* Report figures (src/report/figure.c): a figure is drawn once through these calls, which write
 * the SVG text (readable: the numbers are <text> elements) and paint a cairo image surface for
 * the PNG at the same time.  Coordinates are in SVG user units (pixels), origin top left. */
#ifndef RK_REPORT_FIGURE_H
#define RK_REPORT_FIGURE_H

#include <stddef.h>

#include "rctkit/models.h"
#include "rctkit/report.h"

typedef struct rk__fig rk__fig;

enum { RK_FIG_LEFT = 0, RK_FIG_MIDDLE, RK_FIG_RIGHT };

/* A w x h figure (free with rk__fig_free, or hand it to rk__fig_finish). */
rk_status rk__fig_new(double w, double h, rk__fig **out, rk_error *err);
void rk__fig_free(rk__fig *f);
/* Drawing; errors (out of memory) are kept and returned by rk__fig_finish.  color: index into
 * a fixed palette (0 black, 1 blue, 2 orange, 3 grey). */
void rk__fig_rect(rk__fig *f, double x, double y, double w, double h, int color, int filled);
void rk__fig_line(rk__fig *f, double x1, double y1, double x2, double y2, int color, int dashed);
void rk__fig_arrow(rk__fig *f, double x1, double y1, double x2, double y2);
void rk__fig_circle(rk__fig *f, double x, double y, double r, int color);
/* A staircase (Kaplan-Meier) or plain polyline through n points. */
void rk__fig_polyline(rk__fig *f, const double *x, const double *y, size_t n, int color);
void rk__fig_text(rk__fig *f, double x, double y, double size, int anchor, int bold, const char *s);
/* Width the layout assumes for text (the same for SVG and PNG). */
double rk__fig_text_width(const char *s, double size);
/* Render to SVG and PNG bytes and append the figure to r (also its two manifest entries);
 * frees f in all cases. */
rk_status rk__fig_finish(rk__fig *f, rk_report *r, const char *id, const char *title,
                         rk_error *err);

/* ---- the report's figures, from plain data ---- */

typedef struct rk__consort_counts {
    int has_screening;
    size_t screened, excluded;
    size_t nreason;
    const char *const *reason;
    const size_t *reason_n;
    size_t narms;
    const char *const *arm_label;
    const size_t *randomized, *untreated; /* per arm */
    const char *untreated_label;          /* NULL: no untreated box line */
    size_t npops;
    const char *const *pop_name;
    const size_t *popN; /* npops x narms */
} rk__consort_counts;

/* The CONSORT flow diagram (figure "consort"). */
rk_status rk__fig_consort(rk_report *r, const rk__consort_counts *cc, rk_error *err);
/* Box plots by arm (Tukey whiskers at 1.5 IQR, quartiles as the tables: SAS QNTLDEF=5). */
rk_status rk__fig_boxplot(rk_report *r, const char *id, const char *title, const char *ylabel,
                          size_t narms, const char *const *arm_label, const double *const *val,
                          const size_t *n, rk_error *err);
/* Cumulative proportion with the event, 1 - Kaplan-Meier, by arm, up to `tmax`. */
rk_status rk__fig_km(rk_report *r, const char *id, const char *title, const char *xlabel,
                     const char *ylabel, const rk_km *km, const char *const *arm_label, double tmax,
                     rk_error *err);
#endif
