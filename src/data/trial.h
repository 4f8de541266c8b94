/* Internal interface between the trial loader (trial.c) and the derivations (derive.c). */
#ifndef RK_DATA_TRIAL_H
#define RK_DATA_TRIAL_H

#include "rctkit/data.h"

/* Append a note (printf-style) to t->notes. */
rk_status rk__trial_note(rk_trial *t, rk_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Index of a subject by USUBJID, or -1. */
long rk__trial_subject(const rk_trial *t, const char *usubjid);
/* A cell as a number: missing -> NaN; text -> RK_EPARSE naming place and column. */
rk_status rk__cell_number(const rk_table *tb, size_t row, size_t col, double *v, rk_error *err);
/* Measurements: visits, baseline, CHG/PCHG, LOCF, PP, improvement (after subjects). */
rk_status rk__trial_measures(rk_trial *t, const rk_trial_opts *o, rk_error *err);

#endif
