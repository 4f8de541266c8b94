/* The rk_htest result object and small helpers shared by all tests. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "stats/htest.h"

void rk_htest_init(rk_htest *h)
{
    memset(h, 0, sizeof *h);
    h->statistic = NAN;
    h->p_value = NAN;
    h->estimate = NAN;
    h->conf_int[0] = h->conf_int[1] = NAN;
    h->conf_level = NAN;
}

void rk_htest_add(rk_htest *h, const char *name, double value)
{
    if (h->n_extra >= RK_HTEST_MAX_EXTRA) return;
    rk_htest_extra *e = &h->extra[h->n_extra++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->value = value;
}

double rk_htest_get(const rk_htest *h, const char *name)
{
    for (size_t i = 0; i < h->n_extra; i++)
        if (strcmp(h->extra[i].name, name) == 0) return h->extra[i].value;
    return NAN;
}

const char *rk_alternative_name(rk_alternative alt)
{
    switch (alt) {
    case RK_ALT_LESS: return "less";
    case RK_ALT_GREATER: return "greater";
    case RK_ALT_NONE: return "none";
    default: return "two-sided";
    }
}

rk_status rk_alternative_parse(const char *s, rk_alternative *alt, rk_error *err)
{
    if (!strcmp(s, "two-sided") || !strcmp(s, "two.sided") || !strcmp(s, "two_sided"))
        *alt = RK_ALT_TWO_SIDED;
    else if (!strcmp(s, "less"))
        *alt = RK_ALT_LESS;
    else if (!strcmp(s, "greater"))
        *alt = RK_ALT_GREATER;
    else
        return rk_error_set(err, RK_EINVAL,
                            "unknown alternative '%s' (expected two-sided, less or greater)", s);
    return RK_OK;
}

rk_status rk__check_finite(const double *x, size_t n, const char *what, rk_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return rk_error_set(err, RK_EINVAL, "%s: value %zu is %s; remove or fix it", what,
                                i + 1, isnan(x[i]) ? "NaN (missing)" : "infinite");
    return RK_OK;
}

rk_status rk__check_conf_level(double level, rk_error *err)
{
    if (!(level > 0.0 && level < 1.0))
        return rk_error_set(err, RK_EINVAL, "confidence level %g is outside (0, 1)", level);
    return RK_OK;
}

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;
static void gsl_init_once(void) { gsl_set_error_handler_off(); }
void rk__gsl_init(void) { pthread_once(&gsl_once, gsl_init_once); }

int rk__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double *rk__sorted_copy(const double *x, size_t n, rk_error *err)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (!s) {
        rk_error_set(err, RK_ENOMEM, "out of memory copying %zu values", n);
        return NULL;
    }
    if (n) memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, rk__cmp_double);
    return s;
}
