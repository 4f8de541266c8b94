/* Internal helpers shared by the contingency-table tests (chi-square, Fisher). */
#ifndef RK_STATS_CONTINGENCY_H
#define RK_STATS_CONTINGENCY_H

#include <stddef.h>
#include <stdint.h>

#include "rctkit/stats.h"

/* Validate an nr x nc row-major table of counts for test `what` and fill its
 * margins: row[0..nr-1], col[0..nc-1] (caller-allocated) and *total.
 * RK_EINVAL for a NULL table, fewer than 2 rows or columns, a negative count,
 * or a row / column whose margin is zero (named, 1-based); RK_ERANGE when the
 * total count does not fit in int64. */
rk_status rk__table_margins(const int64_t *table, size_t nr, size_t nc, const char *what,
                            int64_t *row, int64_t *col, int64_t *total, rk_error *err);

#endif
