/* The visit schedule: infusion, CT and follow-up visits with windows, and a visit's status on a
 * given date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"
#include "supply/supply_internal.h"

static void add(rk_schedule *s, const char *name, rk_visit_kind k, int day, int before, int after)
{
    rk_visit_def *v = &s->visit[s->n++];
    snprintf(v->name, sizeof v->name, "%s", name);
    v->kind = k;
    v->day = day;
    v->before = before;
    v->after = after;
}

void rk_schedule_default(rk_schedule *s)
{
    s->n = 0;
    /* Seed trial: CT at baseline, day 10, day 28; infusions on days 0, 3 and 6.  The windows
     * are this implementation's defaults (the paper gives none): replace them with the
     * protocol's by a schedule file. */
    add(s, "ct-baseline", RK_VISIT_CT, 0, 2, 0);
    add(s, "infusion-1", RK_VISIT_INFUSION, 0, 0, 0);
    add(s, "infusion-2", RK_VISIT_INFUSION, 3, 1, 1);
    add(s, "infusion-3", RK_VISIT_INFUSION, 6, 1, 1);
    add(s, "ct-day10", RK_VISIT_CT, 10, 2, 2);
    add(s, "ct-day28", RK_VISIT_CT, 28, 3, 3);
    add(s, "followup-day28", RK_VISIT_FOLLOWUP, 28, 3, 3);
    add(s, "followup-day90", RK_VISIT_FOLLOWUP, 90, 7, 7);
}

static rk_status int_cell(const rk_table *t, size_t r, size_t c, int lo, int hi, int *out,
                          rk_error *err)
{
    const char *s = rk_table_cell(t, r, c);
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return rk_error_set(
            err, RK_EPARSE, "%s:%zu: column '%s': '%s' is not a whole number %d to %d",
            rk_table_source(t), rk_table_line(t, r), rk_table_colname(t, c), s, lo, hi);
    *out = (int)v;
    return RK_OK;
}

rk_status rk_schedule_read(const char *path, rk_schedule *s, rk_error *err)
{
    static const char *const names[] = {"visit", "kind", "day", "before", "after"};
    rk_table *t = NULL;
    rk_status st = rk_csv_read(path, &t, err);
    if (st) return st;
    size_t c[5];
    s->n = 0;
    for (int i = 0; i < 5 && !st; i++)
        st = rk_table_column(t, names[i], &c[i], err);
    size_t nr = rk_table_nrows(t);
    if (!st && (nr == 0 || nr > sizeof s->visit / sizeof s->visit[0]))
        st = rk_error_set(err, RK_EPARSE, "%s: a schedule has 1 to %zu visits, not %zu", path,
                          sizeof s->visit / sizeof s->visit[0], nr);
    for (size_t r = 0; r < nr && !st; r++) {
        rk_visit_def *v = &s->visit[r];
        const char *k = rk_table_cell(t, r, c[1]);
        if ((st = rk__copy_id(v->name, sizeof v->name, rk_table_cell(t, r, c[0]), "visit name", 1,
                              err)))
            break;
        if (!strcmp(k, "infusion"))
            v->kind = RK_VISIT_INFUSION;
        else if (!strcmp(k, "ct"))
            v->kind = RK_VISIT_CT;
        else if (!strcmp(k, "followup"))
            v->kind = RK_VISIT_FOLLOWUP;
        else {
            st = rk_error_set(err, RK_EPARSE, "%s:%zu: kind '%s' must be infusion, ct or followup",
                              path, rk_table_line(t, r), k);
            break;
        }
        if ((st = int_cell(t, r, c[2], -365, 3650, &v->day, err)) ||
            (st = int_cell(t, r, c[3], 0, 365, &v->before, err)) ||
            (st = int_cell(t, r, c[4], 0, 365, &v->after, err)))
            break;
        s->n++;
    }
    rk_table_free(t);
    return st;
}

const char *rk_visit_status_name(rk_visit_status s)
{
    static const char *const n[] = {"upcoming", "due",  "overdue",
                                    "missed",   "done", "done-out-of-window"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

rk_visit_status rk_visit_status_on(const rk_visit_def *v, rk_date day0, rk_date today, rk_date done)
{
    rk_date target = day0 + v->day, open = target - v->before, close = target + v->after;
    if (done != RK_NOT_DONE) return done >= open && done <= close ? RK_VS_DONE : RK_VS_DONE_LATE;
    if (today < open) return RK_VS_UPCOMING;
    if (today <= target) return RK_VS_DUE;
    if (today <= close) return RK_VS_OVERDUE;
    return RK_VS_MISSED;
}
