/* Internal helpers shared by the survival modules (Kaplan-Meier, log-rank, Cox). */
#ifndef RK_MODELS_SURVIVAL_H
#define RK_MODELS_SURVIVAL_H

#include <stddef.h>

#include "rctkit/models.h"

/* Check survival data: n > 0, time finite and >= 0, event 0 or 1.  `what`
 * names the analysis in messages ("Kaplan-Meier"). */
rk_status rk__surv_check(const double *time, const int *event, size_t n, const char *what,
                         rk_error *err);

/* Check that idx[i] < k for all i (idx may be NULL: then OK); `label` is
 * "group" or "stratum". */
rk_status rk__surv_check_index(const size_t *idx, size_t n, size_t k, const char *what,
                               const char *label, rk_error *err);

#endif
