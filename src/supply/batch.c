/* Batch release: viability, ISCT identity markers and sterility decide whether a manufacturing
 * batch may be shipped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"
#include "supply/supply_internal.h"

void rk_release_criteria_init(rk_release_criteria *c)
{
    c->min_viability = 80.0; /* sponsor's release limit; configurable */
    c->min_positive = 95.0;  /* ISCT minimal criteria: CD73, CD90, CD105 > 95% */
    c->max_negative = 2.0;   /* ISCT: CD34, CD45, CD11b, CD19, HLA-DR < 2% */
}

/* Appends "; WHAT V% is not OP LIM%" (or "not measured") to b. */
static void add(rk_buf *b, const char *what, double v, const char *op, double lim)
{
    if (isnan(v))
        rk_buf_appendf(b, NULL, "; %s not measured", what);
    else
        rk_buf_appendf(b, NULL, "; %s %.1f%% is not %s %.0f%%", what, v, op, lim);
}

rk_status rk_batch_check(const rk_batch_release *b, const rk_release_criteria *c, rk_error *err)
{
    rk_release_criteria def;
    if (!c) {
        rk_release_criteria_init(&def);
        c = &def;
    }
    rk_buf m;
    rk_buf_init(&m, 4096);
    if (b->sterile == 0) rk_buf_appendf(&m, NULL, "; sterility failed");
    if (b->sterile < 0) rk_buf_appendf(&m, NULL, "; sterility result pending");
    if (!b->placebo) {
        if (!(b->viability_trypan >= c->min_viability))
            add(&m, "viability (trypan blue)", b->viability_trypan, ">=", c->min_viability);
        if (!(b->viability_7aad >= c->min_viability))
            add(&m, "viability (7-AAD/Annexin V)", b->viability_7aad, ">=", c->min_viability);
        const char *pn[] = {"CD73", "CD90", "CD105"};
        double pv[] = {b->cd73, b->cd90, b->cd105};
        for (int i = 0; i < 3; i++)
            if (!(pv[i] > c->min_positive)) add(&m, pn[i], pv[i], ">", c->min_positive);
        const char *nn[] = {"CD34", "CD45", "CD11b", "CD19", "HLA-DR"};
        double nv[] = {b->cd34, b->cd45, b->cd11b, b->cd19, b->hla_dr};
        for (int i = 0; i < 5; i++)
            if (!(nv[i] < c->max_negative)) add(&m, nn[i], nv[i], "<", c->max_negative);
    }
    rk_status st = RK_OK;
    if (m.len)
        st = rk_error_set(err, RK_ESTATE, "batch %s fails release: %s; it cannot be shipped",
                          b->batch, m.data + 2);
    rk_buf_free(&m);
    return st;
}

static rk_status num(const rk_table *t, size_t row, size_t col, double *out, rk_error *err)
{
    const char *s = rk_table_cell(t, row, col);
    if (rk_cell_is_missing(s)) {
        *out = NAN;
        return RK_OK;
    }
    if (rk_parse_number(s, out, NULL) != RK_OK)
        return rk_error_set(err, RK_EPARSE, "%s:%zu: column '%s': '%s' is not a number",
                            rk_table_source(t), rk_table_line(t, row), rk_table_colname(t, col), s);
    return RK_OK;
}

rk_status rk_batch_read(const char *path, rk_batch_release **out, size_t *n, rk_error *err)
{
    static const char *const names[] = {"batch",          "placebo", "viability_trypan",
                                        "viability_7aad", "cd73",    "cd90",
                                        "cd105",          "cd34",    "cd45",
                                        "cd11b",          "cd19",    "hla_dr",
                                        "sterility"};
    *out = NULL;
    *n = 0;
    rk_table *t = NULL;
    rk_status st = rk_csv_read(path, &t, err);
    if (st) return st;
    size_t c[13], nr = rk_table_nrows(t);
    rk_batch_release *b = NULL;
    for (size_t i = 0; i < 13; i++)
        if ((st = rk_table_column(t, names[i], &c[i], err))) goto done;
    if (!(b = calloc(nr ? nr : 1, sizeof *b))) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < nr; r++) {
        size_t line = rk_table_line(t, r);
        if ((st = rk__copy_id(b[r].batch, RK_SUPPLY_ID, rk_table_cell(t, r, c[0]), "batch", 1,
                              err))) {
            char m[RK_ERROR_MSG_MAX];
            snprintf(m, sizeof m, "%s", err ? err->msg : "");
            st = rk_error_set(err, st, "%s:%zu: %s", path, line, m);
            goto done;
        }
        const char *pl = rk_table_cell(t, r, c[1]);
        if (!strcmp(pl, "1") || !strcmp(pl, "yes"))
            b[r].placebo = 1;
        else if (strcmp(pl, "0") != 0 && strcmp(pl, "no") != 0) {
            st = rk_error_set(err, RK_EPARSE, "%s:%zu: placebo must be yes/no or 1/0, not '%s'",
                              path, line, pl);
            goto done;
        }
        double *f[] = {&b[r].viability_trypan,
                       &b[r].viability_7aad,
                       &b[r].cd73,
                       &b[r].cd90,
                       &b[r].cd105,
                       &b[r].cd34,
                       &b[r].cd45,
                       &b[r].cd11b,
                       &b[r].cd19,
                       &b[r].hla_dr};
        for (size_t i = 0; i < 10; i++)
            if ((st = num(t, r, c[i + 2], f[i], err))) goto done;
        const char *s = rk_table_cell(t, r, c[12]);
        if (!strcmp(s, "pass"))
            b[r].sterile = 1;
        else if (!strcmp(s, "fail"))
            b[r].sterile = 0;
        else if (!strcmp(s, "pending") || rk_cell_is_missing(s))
            b[r].sterile = -1;
        else {
            st = rk_error_set(err, RK_EPARSE,
                              "%s:%zu: sterility must be pass, fail or pending, not '%s'", path,
                              line, s);
            goto done;
        }
    }
done:
    rk_table_free(t);
    if (st) {
        free(b);
        return st;
    }
    *out = b;
    *n = nr;
    return RK_OK;
}
