/* Printing results: text for people, JSON (one object) for programs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

rk_status rk__parse_format(const char *s, rk__format *f, rk_error *err)
{
    if (!s || !strcmp(s, "text"))
        *f = RK_FMT_TEXT;
    else if (!strcmp(s, "json"))
        *f = RK_FMT_JSON;
    else
        return rk_error_set(err, RK_EINVAL, "--format: unknown format '%s' (text or json)", s);
    return RK_OK;
}

void rk__fmt_num(char *buf, size_t size, double v, int sig)
{
    if (isnan(v))
        snprintf(buf, size, "NaN");
    else if (isinf(v))
        snprintf(buf, size, "%sInf", v < 0 ? "-" : "");
    else if (v == 0)
        snprintf(buf, size, "0");
    else
        snprintf(buf, size, "%.*g", sig, v);
}

json_t *rk__jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int rk__print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(o);
    if (!s) return RK_EXIT_FAIL;
    puts(s);
    free(s);
    return RK_EXIT_OK;
}

static int print_htest_json(const rk_htest *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "method", json_string(h->method));
    json_object_set_new(o, "statistic_name", json_string(h->statistic_name));
    json_object_set_new(o, "statistic", rk__jnum(h->statistic));
    json_object_set_new(o, "p_value", rk__jnum(h->p_value));
    json_object_set_new(o, "exact", json_boolean(h->exact));
    json_object_set_new(o, "alternative",
                        h->alternative == RK_ALT_NONE
                            ? json_null()
                            : json_string(rk_alternative_name(h->alternative)));
    if (h->estimate_name[0]) {
        json_object_set_new(o, "estimate_name", json_string(h->estimate_name));
        json_object_set_new(o, "estimate", rk__jnum(h->estimate));
    } else {
        json_object_set_new(o, "estimate", json_null());
    }
    if (!isnan(h->conf_level)) {
        json_object_set_new(o, "conf_int",
                            json_pack("[oo]", rk__jnum(h->conf_int[0]), rk__jnum(h->conf_int[1])));
        json_object_set_new(o, "conf_level", json_real(h->conf_level));
    } else {
        json_object_set_new(o, "conf_int", json_null());
    }
    for (size_t i = 0; i < h->n_extra; i++)
        json_object_set_new(o, h->extra[i].name, rk__jnum(h->extra[i].value));
    if (h->note[0]) json_object_set_new(o, "note", json_string(h->note));
    return rk__print_json(o);
}

int rk__print_htest(const rk_htest *h, rk__format fmt, const char *data)
{
    if (fmt == RK_FMT_JSON) return print_htest_json(h);
    char a[64], b[64];
    printf("%s\n", h->method);
    if (data && *data) printf("data: %s\n", data);
    rk__fmt_num(a, sizeof a, h->statistic, 7);
    rk__fmt_num(b, sizeof b, h->p_value, 7);
    if (h->statistic_name[0]) printf("%s = %s, ", h->statistic_name, a);
    double df = rk_htest_get(h, "df");
    if (!isnan(df)) {
        rk__fmt_num(a, sizeof a, df, 7);
        printf("df = %s, ", a);
    }
    double df1 = rk_htest_get(h, "df1"), df2 = rk_htest_get(h, "df2");
    if (!isnan(df1) && !isnan(df2)) {
        rk__fmt_num(a, sizeof a, df1, 7);
        printf("df = %s", a);
        rk__fmt_num(a, sizeof a, df2, 7);
        printf(" and %s, ", a);
    }
    if (h->alternative == RK_ALT_NONE)
        printf("p-value = %s%s\n", b, h->exact ? " (exact)" : "");
    else
        printf("p-value = %s (%s%s)\n", b, rk_alternative_name(h->alternative),
               h->exact ? ", exact" : "");
    if (h->estimate_name[0]) {
        rk__fmt_num(a, sizeof a, h->estimate, 7);
        printf("estimate: %s = %s\n", h->estimate_name, a);
    }
    if (!isnan(h->conf_level)) {
        rk__fmt_num(a, sizeof a, h->conf_int[0], 7);
        rk__fmt_num(b, sizeof b, h->conf_int[1], 7);
        char lv[32];
        rk__fmt_num(lv, sizeof lv, 100 * h->conf_level, 6);
        printf("%s%% confidence interval: %s to %s\n", lv, a, b);
    }
    int shown = 0;
    for (size_t i = 0; i < h->n_extra; i++) {
        const char *n = h->extra[i].name;
        if (!strcmp(n, "df") || !strcmp(n, "df1") || !strcmp(n, "df2")) continue;
        rk__fmt_num(a, sizeof a, h->extra[i].value, 7);
        printf("%s%s = %s", shown ? ", " : "", n, a);
        shown = 1;
    }
    if (shown) printf("\n");
    if (h->note[0]) printf("note: %s\n", h->note);
    return RK_EXIT_OK;
}
