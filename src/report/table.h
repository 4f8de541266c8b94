/* Internal helpers to build report tables (src/report/table.c). */
#ifndef RK_REPORT_TABLE_H
#define RK_REPORT_TABLE_H

#include "rctkit/report.h"

/* Append a new table to r; *out points into r->tab (valid until the next add). */
rk_status rk__report_add_table(rk_report *r, const char *id, const char *title, size_t ncol,
                               const char *const *header, rk_rtable **out, rk_error *err);
/* Append a row of t->ncol cells (copied). */
rk_status rk__rtable_row(rk_rtable *t, int kind, const char *const *cells, rk_error *err);
/* Set the column-group labels of t (ncol strings, copied; "" for none). */
rk_status rk__rtable_span(rk_rtable *t, const char *const *span, rk_error *err);
/* Append a footnote (printf-style). */
rk_status rk__rtable_foot(rk_rtable *t, rk_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Record a named statistic (printf-style key). */
rk_status rk__report_stat(rk_report *r, double value, rk_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
char *rk__strdup(const char *s);

#endif
