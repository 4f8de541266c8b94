/* Internal interface of the model-frame module: the parsed formula. */
#ifndef RK_MODELS_FRAME_H
#define RK_MODELS_FRAME_H

#include <stddef.h>

#include "rctkit/models.h"

typedef struct rk__formula_term {
    char *name;        /* column name */
    int forced_factor; /* written factor(col) */
    size_t pos;        /* 0-based offset of the term in the formula */
} rk__formula_term;

typedef struct rk__formula {
    char *response; /* NULL for "~ x" */
    size_t response_pos;
    int intercept; /* 0 after "0 +" or "- 1" */
    size_t n_terms;
    rk__formula_term *terms;
    char *cluster; /* "(1 | g)": g, or NULL */
    size_t cluster_pos;
} rk__formula;

/* Parse "y ~ a + factor(b) + (1 | g)".  Errors name the position (1-based).
 * On success free with rk__formula_free. */
rk_status rk__formula_parse(const char *formula, rk__formula *f, rk_error *err);
void rk__formula_free(rk__formula *f);

/* Index of the design column named `colname`, or -1. */
long rk__design_find(const rk_design *d, const char *colname);

#endif
