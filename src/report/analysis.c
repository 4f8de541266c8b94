/* The report's analyses: reads the plan's ADaM-style CSV files and computes Table 1 (baseline),
 * Table 2 (outcomes), Table 3 (adverse events), the CONSORT counts and the sensitivity models
 * with the statistics core (rk_describe, rk_wilcoxon_rank_sum, rk_t_test, rk_fisher_test,
 * rk_chisq_test) and the models (rk_ordinal_fit, rk_linear_fit, rk_mixed_fit). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rctkit/data.h"
#include "rctkit/models.h"
#include "rctkit/stats.h"
#include "report/figure.h"
#include "report/plan.h"
#include "report/table.h"

#define TRY(x)                                                                                     \
    do {                                                                                           \
        rk_status st_ = (x);                                                                       \
        if (st_) return st_;                                                                       \
    } while (0)

typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;

static rk_status dvec_push(dvec *d, double x, rk_error *err)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        double *nv = realloc(d->v, cap * sizeof *nv);
        if (!nv) return rk_error_set(err, RK_ENOMEM, "out of memory");
        d->v = nv;
        d->cap = cap;
    }
    d->v[d->n++] = x;
    return RK_OK;
}

typedef struct actx {
    const rk_plan *p;
    rk_report *r;
    rk_error *err;
    rk_table *adsl, *meas, *ae, *scr;
    rk_trial *trial; /* plan 'derive': the data layer's derivations (else NULL) */
    double *dnum;    /* plan 'derive': per measurement row AVAL, BASE, CHG, PCHG (columns 3-6 of
                        c->meas, left empty there: no text round trip) */
    size_t nsub;
    int *arm;          /* per ADSL row */
    unsigned char *in; /* nsub * npops: 1 when in population */
    size_t *order;     /* ADSL rows sorted by subject id */
    size_t id_col;
    size_t *popN;      /* npops * narms */
    size_t nfoot_mark; /* running footnote marker */
    long *msubj;       /* per measurement row: ADSL row of its subject */
    int *mkey;         /* per measurement row: index of its (PARAMCD, AVISIT) among the plan's
                          endpoints' pairs, -1 when no endpoint uses it */
} actx;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64-bit offset basis and prime */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Index of endpoint (param, visit) pair: the first endpoint with the same pair. */
static int pair_index(const rk_plan *p, const char *param, const char *visit)
{
    for (size_t k = 0; k < p->neps; k++)
        if (!strcmp(p->eps[k].param, param) && !strcmp(p->eps[k].visit, visit)) return (int)k;
    return -1;
}

/* One pass over the measurements: which endpoint pair each row belongs to (hash, then
 * strcmp to confirm), so each endpoint's extraction compares integers. */
static rk_status key_measurements(actx *c)
{
    const rk_plan *p = c->p;
    rk_table *m = c->meas;
    if (!m || !p->neps) return RK_OK;
    size_t pj, vj;
    TRY(rk_table_column(m, "PARAMCD", &pj, c->err));
    TRY(rk_table_column(m, "AVISIT", &vj, c->err));
    size_t nr = rk_table_nrows(m), ne = p->neps;
    uint64_t *hp = malloc(ne * sizeof *hp), *hv = malloc(ne * sizeof *hv);
    c->mkey = malloc((nr + 1) * sizeof *c->mkey);
    if (!hp || !hv || !c->mkey) {
        free(hp);
        free(hv);
        return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < ne; k++) {
        hp[k] = fnv1a(p->eps[k].param);
        hv[k] = fnv1a(p->eps[k].visit);
    }
    for (size_t i = 0; i < nr; i++) {
        const char *ps = rk_table_cell(m, i, pj), *vs = rk_table_cell(m, i, vj);
        uint64_t a = fnv1a(ps), b = fnv1a(vs);
        int key = -1;
        for (size_t k = 0; k < ne && key < 0; k++)
            if (hp[k] == a && hv[k] == b && !strcmp(p->eps[k].param, ps) &&
                !strcmp(p->eps[k].visit, vs))
                key = pair_index(p, ps, vs);
        c->mkey[i] = key;
    }
    free(hp);
    free(hv);
    return RK_OK;
}

/* Per-subject values of one endpoint in one population. */
typedef struct evals {
    size_t narms;
    dvec val[8];  /* per arm */
    dvec base[8]; /* BASE of the same records */
    dvec row[8];  /* ADSL row (as double) */
    size_t n_locf[8];
} evals;

static void evals_free(evals *e)
{
    for (size_t a = 0; a < 8; a++) {
        free(e->val[a].v);
        free(e->base[a].v);
        free(e->row[a].v);
    }
}

static const char *cell(const rk_table *t, size_t r, size_t c)
{
    return rk_table_cell(t, r, c);
}

static rk_status col(actx *c, const rk_table *t, const char *name, size_t *j)
{
    return rk_table_column(t, name, j, c->err);
}

static rk_status num_cell(actx *c, const rk_table *t, size_t r, size_t j, double *out)
{
    const char *s = cell(t, r, j);
    if (rk_cell_is_missing(s)) {
        *out = NAN;
        return RK_OK;
    }
    if (rk_parse_number(s, out, NULL))
        return rk_error_set(c->err, RK_EPARSE, "%s:%zu: column '%s': '%s' is not a number",
                            rk_table_source(t), rk_table_line(t, r), rk_table_colname(t, j), s);
    return RK_OK;
}

/* A value outside the plan's range (a negative volume, a proportion over 100%). */
static rk_status range_check(actx *c, const rk_table *t, size_t r, size_t j, double y, double lo,
                             double hi, int plan_line)
{
    if (!isfinite(y) || (y >= lo && y <= hi)) return RK_OK;
    char num[32];
    const char *txt = rk_table_cell(t, r, j);
    if (!*txt) { /* derived records keep their numbers apart (actx.dnum) */
        snprintf(num, sizeof num, "%.15g", y);
        txt = num;
    }
    if (!rk_table_line(t, r)) /* a record the derivation made (LOCF) */
        return rk_error_set(c->err, RK_EINVAL,
                            "%s: LOCF record of subject '%s': column '%s': %s is outside the "
                            "plan's range [%g, %g] (%s:%d)",
                            rk_table_source(t), rk_table_cell(t, r, 0), rk_table_colname(t, j), txt,
                            lo, hi, c->p->path, plan_line);
    return rk_error_set(c->err, RK_EINVAL,
                        "%s:%zu: column '%s': %s is outside the plan's range [%g, %g] (%s:%d)",
                        rk_table_source(t), rk_table_line(t, r), rk_table_colname(t, j), txt, lo,
                        hi, c->p->path, plan_line);
}

/* A number of the measurements table: from actx.dnum for the derived numeric columns. */
static rk_status meas_num(actx *c, size_t r, size_t j, double *out)
{
    if (c->dnum && j >= 3 && j <= 6) {
        *out = c->dnum[4 * r + (j - 3)];
        return RK_OK;
    }
    return num_cell(c, c->meas, r, j, out);
}

typedef struct idrow {
    const char *id;
    size_t row;
} idrow;

static int cmp_idrow(const void *a, const void *b)
{
    const idrow *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c) return c;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* ADSL row of subject `id`, or -1. */
static long find_subject(const actx *c, const idrow *idx, const char *id)
{
    size_t lo = 0, hi = c->nsub;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int k = strcmp(idx[mid].id, id);
        if (!k) return (long)idx[mid].row;
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int arm_index(const rk_plan *p, const char *s)
{
    for (size_t a = 0; a < p->narms; a++)
        if (!strcmp(p->arm[a], s)) return (int)a;
    return -1;
}

static rk_status arm_list(const rk_plan *p, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < p->narms && o < size; a++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", a ? ", " : "", p->arm[a]);
    return RK_OK;
}

/* Subjects: IDs unique, arms from the plan, population flags Y/N/blank. */
static rk_status load_subjects(actx *c, idrow **idx_out)
{
    const rk_plan *p = c->p;
    rk_table *t = c->adsl;
    size_t armc;
    TRY(col(c, t, p->subject_id, &c->id_col));
    TRY(col(c, t, p->arm_var, &armc));
    c->nsub = rk_table_nrows(t);
    c->arm = calloc(c->nsub ? c->nsub : 1, sizeof *c->arm);
    c->in = calloc(c->nsub * p->npops + 1, 1);
    c->popN = calloc(p->npops * p->narms + 1, sizeof *c->popN);
    idrow *idx = calloc(c->nsub + 1, sizeof *idx);
    *idx_out = idx;
    if (!c->arm || !c->in || !c->popN || !idx)
        return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    size_t popc[64];
    if (p->npops > 64) return rk_error_set(c->err, RK_EINVAL, "at most 64 populations");
    for (size_t k = 0; k < p->npops; k++)
        TRY(col(c, t, p->pop[k].flag, &popc[k]));
    for (size_t i = 0; i < c->nsub; i++) {
        const char *id = cell(t, i, c->id_col);
        if (rk_cell_is_missing(id))
            return rk_error_set(c->err, RK_EINVAL, "%s:%zu: column '%s': empty subject ID",
                                rk_table_source(t), rk_table_line(t, i), p->subject_id);
        idx[i].id = id;
        idx[i].row = i;
        const char *a = cell(t, i, armc);
        int ai = arm_index(p, a);
        if (ai < 0) {
            char list[256];
            arm_list(p, list, sizeof list);
            return rk_error_set(c->err, RK_EINVAL,
                                "%s:%zu: column '%s': arm '%s' is not in the plan (arms: %s)",
                                rk_table_source(t), rk_table_line(t, i), p->arm_var, a, list);
        }
        c->arm[i] = ai;
        for (size_t k = 0; k < p->npops; k++) {
            const char *f = cell(t, i, popc[k]);
            int y = !strcmp(f, "Y");
            if (!y && strcmp(f, "N") && !rk_cell_is_missing(f))
                return rk_error_set(c->err, RK_EINVAL,
                                    "%s:%zu: column '%s': population flag must be Y, N or empty, "
                                    "not '%s'",
                                    rk_table_source(t), rk_table_line(t, i), p->pop[k].flag, f);
            c->in[i * p->npops + k] = (unsigned char)y;
            if (y) c->popN[k * p->narms + (size_t)ai]++;
        }
    }
    qsort(idx, c->nsub, sizeof *idx, cmp_idrow);
    for (size_t i = 1; i < c->nsub; i++)
        if (!strcmp(idx[i].id, idx[i - 1].id))
            return rk_error_set(
                c->err, RK_EINVAL,
                "%s:%zu: column '%s': duplicate subject ID '%s' (first on line %zu)",
                rk_table_source(t), rk_table_line(t, idx[i].row), p->subject_id, idx[i].id,
                rk_table_line(t, idx[i - 1].row));
    return RK_OK;
}

/* ------------------------------------------------------------ formatting */

static void fmt2(char *b, size_t n, double x)
{
    if (!isfinite(x)) {
        snprintf(b, n, "NA");
        return;
    }
    snprintf(b, n, "%.2f", x);
    if (!strcmp(b, "-0.00")) snprintf(b, n, "0.00");
}

static void fmt_p(char *b, size_t n, double p)
{
    if (!isfinite(p))
        snprintf(b, n, "NA");
    else if (p < 0.001)
        snprintf(b, n, "<0.001");
    else {
        snprintf(b, n, "%.3f", p);
    }
}

static void fmt_est_ci(char *b, size_t n, double e, double lo, double hi)
{
    char x[32], y[32], z[32];
    fmt2(x, sizeof x, e);
    fmt2(y, sizeof y, lo);
    fmt2(z, sizeof z, hi);
    snprintf(b, n, "%s (%s, %s)", x, y, z);
}

static void fmt_npct(char *b, size_t n, size_t k, size_t d)
{
    if (!d)
        snprintf(b, n, "%zu (NA)", k);
    else
        snprintf(b, n, "%zu (%.2f%%)", k, 100.0 * (double)k / (double)d);
}

static rk_status summarise(actx *c, const double *x, size_t n, int summary, char *b, size_t bn,
                           const char *key)
{
    rk_summary s;
    TRY(rk_describe(x, n, RK_QUANTILE_DEFAULT, &s, c->err));
    char m[32], q1[32];
    TRY(rk__report_stat(c->r, (double)s.n, c->err, "%s.n", key));
    if (summary == RK_SUM_MEAN_SD) {
        fmt2(m, sizeof m, s.mean);
        fmt2(q1, sizeof q1, s.sd);
        snprintf(b, bn, "%s (%s)", m, q1);
        TRY(rk__report_stat(c->r, s.mean, c->err, "%s.mean", key));
        TRY(rk__report_stat(c->r, s.sd, c->err, "%s.sd", key));
    } else {
        fmt_est_ci(b, bn, s.median, s.q1, s.q3);
        TRY(rk__report_stat(c->r, s.median, c->err, "%s.median", key));
        TRY(rk__report_stat(c->r, s.q1, c->err, "%s.q1", key));
        TRY(rk__report_stat(c->r, s.q3, c->err, "%s.q3", key));
    }
    return RK_OK;
}

/* "[k] <label> values were available for 59 patients in the A group and 33 in the B group." */
static rk_status availability_note(actx *c, rk_rtable *t, const char *label, const size_t *avail,
                                   const size_t *N, char *marker, size_t mn)
{
    const rk_plan *p = c->p;
    int short_ = 0;
    for (size_t a = 0; a < p->narms; a++)
        if (avail[a] < N[a]) short_ = 1;
    marker[0] = '\0';
    if (!short_) return RK_OK;
    c->nfoot_mark++;
    snprintf(marker, mn, " [%zu]", c->nfoot_mark);
    char list[512];
    size_t o = 0;
    for (size_t a = 0; a < p->narms && o < sizeof list; a++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%zu patients in the %s",
                              a == 0 ? "" : (a + 1 == p->narms ? " and " : ", "), avail[a],
                              p->arm_label[a]);
    return rk__rtable_foot(t, c->err, "[%zu] %s: values were available for %s.", c->nfoot_mark,
                           label, list);
}

static rk_status plan_footnotes(actx *c, rk_rtable *t)
{
    for (size_t i = 0; i < c->p->nfoot; i++)
        if (!strcmp(c->p->foot_table[i], t->id))
            TRY(rk__rtable_foot(t, c->err, "%s", c->p->foot[i]));
    return RK_OK;
}

static rk_status arm_header(actx *c, long pop, char ***hdr_out, size_t extra_front,
                            size_t extra_back, const char *const *front, const char *const *back)
{
    const rk_plan *p = c->p;
    size_t n = extra_front + p->narms + extra_back;
    char **h = calloc(n, sizeof *h);
    *hdr_out = h;
    if (!h) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < extra_front; i++)
        h[i] = rk__strdup(front[i]);
    for (size_t a = 0; a < p->narms; a++) {
        char b[256];
        snprintf(b, sizeof b, "%s (n = %zu)", p->arm_label[a],
                 pop >= 0 ? c->popN[(size_t)pop * p->narms + a] : (size_t)0);
        h[extra_front + a] = rk__strdup(b);
    }
    for (size_t i = 0; i < extra_back; i++)
        h[extra_front + p->narms + i] = rk__strdup(back[i]);
    for (size_t i = 0; i < n; i++)
        if (!h[i]) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    return RK_OK;
}

static void free_strs(char **a, size_t n)
{
    if (!a) return;
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    free(a);
}

/* ------------------------------------------------------------ Table 1 */

static rk_status table1(actx *c)
{
    const rk_plan *p = c->p;
    if (!p->nvars) return RK_OK;
    long pop = rk__plan_pop(p, p->baseline_pop);
    size_t ncol = 1 + p->narms;
    char **hdr = NULL;
    static const char *const front[] = {"Characteristic"};
    rk_rtable *t;
    rk_status st = arm_header(c, pop, &hdr, 1, 0, front, NULL);
    char title[300];
    snprintf(title, sizeof title, "Table 1. Baseline characteristics (%s population)",
             p->baseline_pop);
    if (!st)
        st =
            rk__report_add_table(c->r, "table1", title, ncol, (const char *const *)hdr, &t, c->err);
    free_strs(hdr, ncol);
    if (st) return st;
    const size_t *N = &c->popN[(size_t)pop * p->narms];
    int used[3] = {0, 0, 0};
    size_t n = c->nsub;
    dvec byarm[8] = {{0}};
    char **cells = calloc(ncol, sizeof *cells);
    char(*buf)[128] = calloc(ncol, sizeof *buf);
    if (!cells || !buf) st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t a = 0; a < ncol; a++)
        cells[a] = buf[a];
    for (size_t vi = 0; !st && vi < p->nvars; vi++) {
        const rk__pvar *v = &p->vars[vi];
        size_t j;
        used[v->summary] = 1;
        if ((st = col(c, c->adsl, v->var, &j))) break;
        size_t avail[8] = {0};
        char marker[32], key[256];
        if (v->summary != RK_SUM_N_PCT) {
            for (size_t a = 0; a < p->narms; a++)
                byarm[a].n = 0;
            for (size_t i = 0; !st && i < n; i++) {
                if (!c->in[i * p->npops + (size_t)pop]) continue;
                double y;
                if ((st = num_cell(c, c->adsl, i, j, &y))) break;
                if (v->has_range && (st = range_check(c, c->adsl, i, j, y, v->lo, v->hi, v->line)))
                    break;
                if (isfinite(y)) st = dvec_push(&byarm[c->arm[i]], y, c->err);
            }
            if (st) break;
            for (size_t a = 0; a < p->narms; a++)
                avail[a] = byarm[a].n;
            if ((st = availability_note(c, t, v->label, avail, N, marker, sizeof marker))) break;
            snprintf(buf[0], sizeof buf[0], "%s%s", v->label, marker);
            for (size_t a = 0; !st && a < p->narms; a++) {
                snprintf(key, sizeof key, "table1.%s.%s", v->var, p->arm[a]);
                st = summarise(c, byarm[a].v, byarm[a].n, v->summary, buf[1 + a], sizeof buf[0],
                               key);
            }
            if (!st) st = rk__rtable_row(t, RK_ROW_DATA, (const char *const *)cells, c->err);
            continue;
        }
        /* n (%) */
        size_t nl = v->event ? 1 : v->nlevels;
        size_t cnt[8][32] = {{0}};
        if (nl > 32) {
            st = rk_error_set(c->err, RK_EINVAL, "%s:%d: at most 32 levels", p->path, v->line);
            break;
        }
        for (size_t i = 0; !st && i < n; i++) {
            if (!c->in[i * p->npops + (size_t)pop]) continue;
            const char *s = cell(c->adsl, i, j);
            if (rk_cell_is_missing(s)) continue;
            avail[c->arm[i]]++;
            if (v->event) {
                if (!strcmp(s, v->event)) cnt[c->arm[i]][0]++;
                continue;
            }
            size_t l = 0;
            while (l < nl && strcmp(v->levels[l], s))
                l++;
            if (l == nl)
                st = rk_error_set(c->err, RK_EINVAL,
                                  "%s:%zu: column '%s': value '%s' is not one of the plan's "
                                  "levels (%s:%d)",
                                  rk_table_source(c->adsl), rk_table_line(c->adsl, i), v->var, s,
                                  p->path, v->line);
            else
                cnt[c->arm[i]][l]++;
        }
        if (st) break;
        if ((st = availability_note(c, t, v->label, avail, N, marker, sizeof marker))) break;
        snprintf(buf[0], sizeof buf[0], "%s%s", v->label, marker);
        if (v->event) {
            for (size_t a = 0; !st && a < p->narms; a++) {
                fmt_npct(buf[1 + a], sizeof buf[0], cnt[a][0], avail[a]);
                st = rk__report_stat(c->r, (double)cnt[a][0], c->err, "table1.%s.%s.count", v->var,
                                     p->arm[a]);
                if (!st)
                    st = rk__report_stat(c->r, (double)avail[a], c->err, "table1.%s.%s.n", v->var,
                                         p->arm[a]);
            }
            if (!st) st = rk__rtable_row(t, RK_ROW_DATA, (const char *const *)cells, c->err);
            continue;
        }
        for (size_t a = 0; a < p->narms; a++)
            buf[1 + a][0] = '\0';
        if ((st = rk__rtable_row(t, RK_ROW_HEADING, (const char *const *)cells, c->err))) break;
        for (size_t l = 0; !st && l < nl; l++) {
            snprintf(buf[0], sizeof buf[0], "%s",
                     v->level_labels ? v->level_labels[l] : v->levels[l]);
            for (size_t a = 0; !st && a < p->narms; a++) {
                fmt_npct(buf[1 + a], sizeof buf[0], cnt[a][l], avail[a]);
                st = rk__report_stat(c->r, (double)cnt[a][l], c->err, "table1.%s.%s.%s.count",
                                     v->var, p->arm[a], v->levels[l]);
            }
            if (!st) st = rk__rtable_row(t, RK_ROW_LEVEL, (const char *const *)cells, c->err);
        }
    }
    free(cells);
    free(buf);
    for (size_t a = 0; a < 8; a++)
        free(byarm[a].v);
    if (st) return st;
    char what[128] = "";
    size_t o = 0;
    const char *names[3] = {"mean (SD)", "median (IQR)", "n (%)"};
    size_t nu = (size_t)(used[0] + used[1] + used[2]), k = 0;
    for (int i = 0; i < 3; i++)
        if (used[i]) {
            k++;
            o += (size_t)snprintf(what + o, sizeof what - o, "%s%s",
                                  k == 1 ? "" : (k == nu ? " or " : ", "), names[i]);
        }
    TRY(rk__rtable_foot(t, c->err,
                        "Data are %s; quartiles as SAS QNTLDEF=5 (R type 2); percentages of the "
                        "patients with a value.",
                        what));
    return plan_footnotes(c, t);
}

/* ------------------------------------------------ endpoint values */

typedef struct mcols {
    size_t id, param, visit, dtype, base;
    int has_dtype, has_base;
} mcols;

/* Values of (param, visit, value column) for subjects in population `pop`; LOCF records
 * (DTYPE = LOCF) used when `locf`.  Duplicate records per subject are an error. */
static rk_status extract(actx *c, const char *param, const char *visit, const char *value, long pop,
                         int locf, const idrow *idx, const rk__pendpoint *rng, evals *out)
{
    const rk_plan *p = c->p;
    rk_table *m = c->meas;
    memset(out, 0, sizeof *out);
    out->narms = p->narms;
    mcols mc = {0};
    size_t vj;
    TRY(col(c, m, p->subject_id, &mc.id));
    TRY(col(c, m, "PARAMCD", &mc.param));
    TRY(col(c, m, "AVISIT", &mc.visit));
    TRY(col(c, m, value, &vj));
    long dj = rk_table_find(m, "DTYPE"), bj = rk_table_find(m, "BASE");
    long aj = rk_table_find(m, "ANL01FL"); /* derived data: only the analysed record per visit */
    mc.has_dtype = dj >= 0;
    mc.has_base = bj >= 0;
    size_t nr = rk_table_nrows(m);
    long *seen = malloc((c->nsub + 1) * sizeof *seen); /* meas row that gave the value, or -1 */
    if (!seen) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->nsub; i++)
        seen[i] = -1;
    rk_status st = RK_OK;
    int key = c->mkey ? pair_index(p, param, visit) : -1;
    for (size_t i = 0; !st && i < nr; i++) {
        if (key >= 0 ? c->mkey[i] != key
                     : (strcmp(cell(m, i, mc.param), param) || strcmp(cell(m, i, mc.visit), visit)))
            continue;
        int is_locf = 0;
        if (aj >= 0 && strcmp(cell(m, i, (size_t)aj), "Y")) continue;
        if (mc.has_dtype) {
            const char *d = cell(m, i, (size_t)dj);
            if (!strcmp(d, "LOCF"))
                is_locf = 1;
            else if (!rk_cell_is_missing(d))
                continue; /* other derived records are not used */
        }
        if (rng && rng->has_range) {
            long cols[2] = {rk_table_find(m, "AVAL"), bj};
            for (int k = 0; !st && k < 2; k++) {
                double y;
                if (cols[k] < 0) continue;
                st = meas_num(c, i, (size_t)cols[k], &y);
                if (!st) st = range_check(c, m, i, (size_t)cols[k], y, rng->lo, rng->hi, rng->line);
            }
            if (st) break;
        }
        if (is_locf && !locf) continue;
        long s = c->msubj ? c->msubj[i] : find_subject(c, idx, cell(m, i, mc.id));
        if (s < 0) continue; /* checked once in check_subject_refs */
        if (!c->in[(size_t)s * p->npops + (size_t)pop]) continue;
        if (seen[s] >= 0) {
            st = rk_error_set(c->err, RK_EINVAL,
                              "%s:%zu: second record for subject '%s', PARAMCD '%s', AVISIT '%s' "
                              "(first on line %zu)",
                              rk_table_source(m), rk_table_line(m, i), cell(m, i, mc.id), param,
                              visit, rk_table_line(m, (size_t)seen[s]));
            break;
        }
        seen[s] = (long)i;
        double y, b = NAN;
        if ((st = meas_num(c, i, vj, &y))) break;
        if (mc.has_base && (st = meas_num(c, i, (size_t)bj, &b))) break;
        if (!isfinite(y)) continue;
        int a = c->arm[s];
        if ((st = dvec_push(&out->val[a], y, c->err))) break;
        if ((st = dvec_push(&out->base[a], b, c->err))) break;
        if ((st = dvec_push(&out->row[a], (double)s, c->err))) break;
        if (is_locf) out->n_locf[a]++;
    }
    free(seen);
    return st;
}

/* Every measurement and AE record must belong to a subject of the ADSL; the subject of each
 * row is kept in *rows (may be NULL) so later passes need no lookups. */
static rk_status check_subject_refs(actx *c, rk_table *t, const idrow *idx, long **rows)
{
    if (!t) return RK_OK;
    size_t j;
    TRY(col(c, t, c->p->subject_id, &j));
    size_t nr = rk_table_nrows(t);
    long *sr = rows ? malloc((nr + 1) * sizeof *sr) : NULL;
    if (rows && !sr) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < nr; i++) {
        const char *id = cell(t, i, j);
        /* consecutive rows usually belong to the same subject */
        long s = (sr && i && !strcmp(id, cell(t, i - 1, j))) ? sr[i - 1] : find_subject(c, idx, id);
        if (sr) sr[i] = s;
        if (s < 0) {
            free(sr);
            return rk_error_set(c->err, RK_EINVAL,
                                "%s:%zu: column '%s': subject '%s' is not in the subjects file %s",
                                rk_table_source(t), rk_table_line(t, i), c->p->subject_id, id,
                                rk_table_source(c->adsl));
        }
    }
    if (rows) *rows = sr;
    return RK_OK;
}

/* ------------------------------------------------------------ Table 2 */

/* Design from arrays through an in-memory CSV (the model frame reads rk_table). */
static rk_status csv_design(actx *c, rk_buf *csv, const char *formula, const rk_frame_opts *o,
                            rk_design **d)
{
    rk_table *t = NULL;
    TRY(rk_csv_parse(csv->data, csv->len, "(model data)", &t, c->err));
    rk_status st = rk_design_new(t, formula, o, d, c->err);
    rk_table_free(t);
    return st;
}

static const rk_coef *arm_coef(const rk_fit *f)
{
    for (size_t i = 0; i < f->n_coef; i++)
        if (!strncmp(f->coef[i].term, "arm", 3)) return &f->coef[i];
    return NULL;
}

static void fmt_median_ci(char *b, size_t n, double m, double lo, double hi)
{
    char x[32], y[32], z[32];
    if (isfinite(m))
        fmt2(x, sizeof x, m);
    else
        snprintf(x, sizeof x, "NR");
    if (isfinite(lo))
        fmt2(y, sizeof y, lo);
    else
        snprintf(y, sizeof y, "NR");
    if (isfinite(hi))
        fmt2(z, sizeof z, hi);
    else
        snprintf(z, sizeof z, "NR");
    snprintf(b, n, "%s (%s, %s)", x, y, z);
}

/* Time to clinical improvement (the data layer's ADTTE) in population `pop`: Kaplan-Meier
 * median (95% CI) per arm, log-rank P, Cox hazard ratio (95% CI), deaths by the plan's rule. */
static rk_status tte_row(actx *c, rk_rtable *t, const rk__pendpoint *e, long pop, const char *pfx)
{
    const rk_plan *p = c->p;
    const rk_trial *tr = c->trial;
    size_t n = tr->n_tti, m = 0, ndied = 0;
    double *tti = malloc((n + 1) * sizeof *tti), *time = malloc((n + 1) * sizeof *time);
    double *dtime = malloc((n + 1) * sizeof *dtime), *x = malloc((n + 1) * sizeof *x);
    int *imp = malloc((n + 1) * sizeof *imp), *died = malloc((n + 1) * sizeof *died);
    int *event = malloc((n + 1) * sizeof *event);
    size_t *grp = malloc((n + 1) * sizeof *grp);
    rk_km *km = NULL;
    rk_logrank *lr = NULL;
    rk_fit *cox = NULL;
    rk_status st = RK_OK;
    if (!tti || !time || !dtime || !x || !imp || !died || !event || !grp)
        st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    size_t dj = 0;
    if (!st && e->death_day) st = col(c, c->adsl, e->death_day, &dj);
    for (size_t i = 0; !st && i < n; i++) {
        size_t s = tr->tti[i].subject; /* subjects are the ADSL rows, in order */
        if (!c->in[s * p->npops + (size_t)pop]) continue;
        tti[m] = tr->tti[i].time;
        imp[m] = !tr->tti[i].censored;
        died[m] = 0;
        dtime[m] = NAN;
        if (e->death_day) {
            st = num_cell(c, c->adsl, s, dj, &dtime[m]);
            /* a death after an improvement does not change the improvement */
            died[m] = !st && isfinite(dtime[m]) && !imp[m];
            ndied += (size_t)died[m];
        }
        grp[m] = (size_t)c->arm[s];
        x[m] = c->arm[s] == 0;
        m++;
    }
    if (!st)
        st = rk_ttci_events(tti, imp, died, dtime, m, e->followup, (rk_ttci_rule)e->death_rule,
                            time, event, c->err);
    if (!st) st = rk_km_fit(time, event, grp, m, 2, 0.95, RK_KM_CI_LOG, &km, c->err);
    if (!st) st = rk_logrank_test(time, event, grp, m, 2, NULL, 0, &lr, c->err);
    const char *nm[1] = {p->arm[0]};
    if (!st) st = rk_cox_fit(time, event, x, m, 1, nm, NULL, NULL, &cox, c->err);
    char cells[5][160];
    const char *cp[5] = {cells[0], cells[1], cells[2], cells[3], cells[4]};
    if (!st) {
        c->nfoot_mark++;
        snprintf(cells[0], sizeof cells[0], "%s, days [%zu]", e->label, c->nfoot_mark);
        for (size_t a = 0; a < 2; a++) {
            const rk_km_curve *cv = &km->curve[a];
            fmt_median_ci(cells[1 + a], sizeof cells[1], cv->median, cv->median_lower,
                          cv->median_upper);
            rk__report_stat(c->r, (double)cv->n, c->err, "%s.%s.%s.n", pfx, e->id, p->arm[a]);
            rk__report_stat(c->r, cv->n_events, c->err, "%s.%s.%s.events", pfx, e->id, p->arm[a]);
            if (isfinite(cv->median))
                rk__report_stat(c->r, cv->median, c->err, "%s.%s.%s.median", pfx, e->id, p->arm[a]);
            if (isfinite(cv->median_lower))
                rk__report_stat(c->r, cv->median_lower, c->err, "%s.%s.%s.median_lower", pfx, e->id,
                                p->arm[a]);
            if (isfinite(cv->median_upper))
                rk__report_stat(c->r, cv->median_upper, c->err, "%s.%s.%s.median_upper", pfx, e->id,
                                p->arm[a]);
        }
        const rk_coef *k = &cox->coef[0];
        char e3[120];
        fmt_est_ci(e3, sizeof e3, k->ratio, k->ratio_conf_int[0], k->ratio_conf_int[1]);
        snprintf(cells[3], sizeof cells[3], "HR %s", e3);
        fmt_p(cells[4], sizeof cells[4], lr->p_value);
        rk__report_stat(c->r, k->ratio, c->err, "%s.%s.hr", pfx, e->id);
        rk__report_stat(c->r, k->ratio_conf_int[0], c->err, "%s.%s.hr_lower", pfx, e->id);
        rk__report_stat(c->r, k->ratio_conf_int[1], c->err, "%s.%s.hr_upper", pfx, e->id);
        rk__report_stat(c->r, lr->p_value, c->err, "%s.%s.p", pfx, e->id);
        st = rk__rtable_row(t, RK_ROW_DATA, cp, c->err);
    }
    if (!st && !strcmp(pfx, "table2")) {
        char ti[300], fid[160];
        snprintf(ti, sizeof ti, "%s (%s population)", e->label, p->pop[pop].name);
        snprintf(fid, sizeof fid, "%s", e->id);
        st = rk__fig_km(c->r, fid, ti, "Study day", "Proportion improved", km,
                        (const char *const *)p->arm_label, e->followup, c->err);
    }
    if (!st) {
        static const char *const rule[3] = {
            "censored at the end of follow-up (day %g)", "censored at the day of death",
            "counted as never improving (censored at the end of follow-up, day %g)"};
        char r[160];
        snprintf(r, sizeof r, rule[e->death_rule], e->followup);
        st = rk__rtable_foot(
            t, c->err,
            "[%zu] %s: clinical improvement = a decline of %g categories on %s from baseline, or "
            "category %g (discharge); patients without improvement are censored at their last "
            "assessment. Patients who died before improving are %s: %zu in this population%s. "
            "Median (95%% CI): Kaplan-Meier, log transformation (R survfit); HR: Cox "
            "proportional hazards (%s vs %s, Efron ties, Wald 95%% CI); P: log-rank test.",
            c->nfoot_mark, e->label, p->improve_drop, e->param, p->discharge, r, ndied,
            e->death_day ? "" : " (no death day recorded in the data)", p->arm_label[0],
            p->arm_label[1]);
    }
    rk_km_free(km);
    rk_logrank_free(lr);
    rk_fit_free(cox);
    free(tti);
    free(time);
    free(dtime);
    free(x);
    free(imp);
    free(died);
    free(event);
    free(grp);
    return st;
}

/* One endpoint's rows.  popname: NULL for the endpoint's own population (with its LOCF rule),
 * or a supplementary population (observed values only); pfx names its statistics. */
static rk_status endpoint_row(actx *c, rk_rtable *t, const rk__pendpoint *e, const idrow *idx,
                              int used[8], const char *popname, const char *pfx)
{
    const rk_plan *p = c->p;
    const char *pn = popname ? popname : e->population;
    long pop = rk__plan_pop(p, pn);
    const size_t *N = &c->popN[(size_t)pop * p->narms];
    if (e->method == RK_EP_TTE) {
        used[RK_EP_TTE] = 1;
        return tte_row(c, t, e, pop, pfx);
    }
    evals ev;
    rk_status st =
        extract(c, e->param, e->visit, e->value, pop, popname ? 0 : e->locf, idx, e, &ev);
    char cells[5][160];
    const char *cp[5] = {cells[0], cells[1], cells[2], cells[3], cells[4]};
    char marker[32] = "", key[256];
    size_t avail[8];
    for (size_t a = 0; a < p->narms; a++)
        avail[a] = ev.val[a].n;
    if (!st) st = availability_note(c, t, e->label, avail, N, marker, sizeof marker);
    size_t locf_total = 0;
    for (size_t a = 0; a < p->narms; a++)
        locf_total += ev.n_locf[a];
    if (!st && locf_total) {
        c->nfoot_mark++;
        char m2[16];
        snprintf(m2, sizeof m2, " [%zu]", c->nfoot_mark);
        strncat(marker, m2, sizeof marker - strlen(marker) - 1);
        st = rk__rtable_foot(t, c->err,
                             "[%zu] %s: last observation carried forward for %zu patients in the "
                             "%s and %zu in the %s.",
                             c->nfoot_mark, e->label, ev.n_locf[0], p->arm_label[0], ev.n_locf[1],
                             p->arm_label[1]);
    }
    for (size_t a = 0; !st && a < p->narms; a++)
        if (!ev.val[a].n)
            st = rk_error_set(c->err, RK_EINVAL,
                              "%s:%d: endpoint '%s': no values in arm '%s' (PARAMCD '%s', AVISIT "
                              "'%s', population %s)",
                              p->path, e->line, e->id, p->arm[a], e->param, e->visit, pn);
    if (st) {
        evals_free(&ev);
        return st;
    }
    used[e->method] = 1;
    snprintf(cells[0], sizeof cells[0], "%s%s", e->label, marker);
    int primary = p->primary ? !strcmp(e->id, p->primary) : e == &p->eps[0];
    if (!st && !popname && primary && e->summary != RK_SUM_N_PCT) {
        const double *vv[8];
        size_t nn[8];
        for (size_t a = 0; a < p->narms; a++) {
            vv[a] = ev.val[a].v;
            nn[a] = ev.val[a].n;
        }
        char yl[200], ti[300];
        snprintf(yl, sizeof yl, "%s (%s population%s)", e->value, pn, e->locf ? ", LOCF" : "");
        snprintf(ti, sizeof ti, "%s", e->label);
        st = rk__fig_boxplot(c->r, "primary", ti, yl, p->narms, (const char *const *)p->arm_label,
                             vv, nn, c->err);
    }
    if (e->summary != RK_SUM_N_PCT) {
        for (size_t a = 0; !st && a < 2; a++) {
            snprintf(key, sizeof key, "%s.%s.%s", pfx, e->id, p->arm[a]);
            st = summarise(c, ev.val[a].v, ev.val[a].n, e->summary, cells[1 + a], sizeof cells[0],
                           key);
        }
        rk_htest h;
        if (!st && e->method == RK_EP_HL_WILCOXON) {
            rk_wilcoxon_opts o;
            rk_wilcoxon_opts_init(&o);
            o.method = RK_METHOD_ASYMPTOTIC; /* SAS NPAR1WAY: normal approximation, Moses CI */
            o.correct = 1;
            o.conf_int = 1;
            o.conf_level = 0.95;
            st = rk_wilcoxon_rank_sum(ev.val[0].v, ev.val[0].n, ev.val[1].v, ev.val[1].n, &o, &h,
                                      c->err);
            if (!st) {
                fmt_est_ci(cells[3], sizeof cells[3], h.estimate, h.conf_int[0], h.conf_int[1]);
                fmt_p(cells[4], sizeof cells[4], h.p_value);
                rk__report_stat(c->r, h.estimate, c->err, "%s.%s.hl", pfx, e->id);
                rk__report_stat(c->r, h.conf_int[0], c->err, "%s.%s.hl_lower", pfx, e->id);
                rk__report_stat(c->r, h.conf_int[1], c->err, "%s.%s.hl_upper", pfx, e->id);
                rk__report_stat(c->r, h.p_value, c->err, "%s.%s.p", pfx, e->id);
            }
        } else if (!st) {
            st = rk_t_test(ev.val[0].v, ev.val[0].n, ev.val[1].v, ev.val[1].n, 0, RK_ALT_TWO_SIDED,
                           0, 0.95, &h, c->err);
            if (!st) {
                fmt_est_ci(cells[3], sizeof cells[3], h.estimate, h.conf_int[0], h.conf_int[1]);
                fmt_p(cells[4], sizeof cells[4], h.p_value);
                rk__report_stat(c->r, h.estimate, c->err, "%s.%s.diff", pfx, e->id);
                rk__report_stat(c->r, h.conf_int[0], c->err, "%s.%s.diff_lower", pfx, e->id);
                rk__report_stat(c->r, h.conf_int[1], c->err, "%s.%s.diff_upper", pfx, e->id);
                rk__report_stat(c->r, h.p_value, c->err, "%s.%s.p", pfx, e->id);
            }
        }
        if (!st) st = rk__rtable_row(t, RK_ROW_DATA, cp, c->err);
        evals_free(&ev);
        return st;
    }
    /* categorical: counts per level (values are level codes) */
    size_t nl = e->nlevels;
    int64_t cnt[2][32] = {{0}};
    if (nl > 32) st = rk_error_set(c->err, RK_EINVAL, "%s:%d: at most 32 levels", p->path, e->line);
    for (size_t a = 0; !st && a < 2; a++)
        for (size_t i = 0; !st && i < ev.val[a].n; i++) {
            size_t l = 0;
            char s[64];
            snprintf(s, sizeof s, "%.15g", ev.val[a].v[i]);
            while (l < nl && strcmp(e->levels[l], s))
                l++;
            if (l == nl)
                st = rk_error_set(c->err, RK_EINVAL,
                                  "endpoint '%s' (%s:%d): value %s of PARAMCD '%s' is not one of "
                                  "the plan's levels",
                                  e->id, p->path, e->line, s, e->param);
            else
                cnt[a][l]++;
        }
    cells[1][0] = cells[2][0] = cells[3][0] = cells[4][0] = '\0';
    if (!st && e->method == RK_EP_ORDINAL) {
        rk_buf csv;
        rk_buf_init(&csv, 0);
        st = rk_buf_appendf(&csv, c->err, "y,arm\n");
        for (size_t a = 0; !st && a < 2; a++)
            for (size_t i = 0; !st && i < ev.val[a].n; i++)
                st = rk_buf_appendf(&csv, c->err, "%.15g,%s\n", ev.val[a].v[i], a ? "ref" : "trt");
        char lev[512];
        size_t o = (size_t)snprintf(lev, sizeof lev, "y=");
        int first = 1;
        for (size_t l = 0; l < nl && o < sizeof lev; l++)
            if (cnt[0][l] + cnt[1][l] > 0) {
                o += (size_t)snprintf(lev + o, sizeof lev - o, "%s%s", first ? "" : ",",
                                      e->levels[l]);
                first = 0;
            }
        const char *levs[1] = {lev}, *ref[1] = {"arm=ref"};
        rk_frame_opts fo = {0};
        fo.response_kind = RK_RESPONSE_FACTOR;
        fo.levels = levs;
        fo.n_levels = 1;
        fo.reference = ref;
        fo.n_reference = 1;
        rk_design *d = NULL;
        rk_fit *f = NULL;
        if (!st) st = csv_design(c, &csv, "y ~ arm", &fo, &d);
        rk_buf_free(&csv);
        if (!st) st = rk_ordinal_fit(d, NULL, &f, c->err);
        const rk_coef *k = st ? NULL : arm_coef(f);
        if (!st && !k) st = rk_error_set(c->err, RK_EINTERNAL, "ordinal fit without an arm term");
        if (!st) {
            char e3[120];
            fmt_est_ci(e3, sizeof e3, k->ratio, k->ratio_conf_int[0], k->ratio_conf_int[1]);
            snprintf(cells[3], sizeof cells[3], "OR %s", e3);
            fmt_p(cells[4], sizeof cells[4], k->p_value);
            rk__report_stat(c->r, k->ratio, c->err, "%s.%s.or", pfx, e->id);
            rk__report_stat(c->r, k->ratio_conf_int[0], c->err, "%s.%s.or_lower", pfx, e->id);
            rk__report_stat(c->r, k->ratio_conf_int[1], c->err, "%s.%s.or_upper", pfx, e->id);
            rk__report_stat(c->r, k->p_value, c->err, "%s.%s.p", pfx, e->id);
        }
        rk_fit_free(f);
        rk_design_free(d);
    } else if (!st) {
        /* Fisher / chi-square on the arms x levels table, empty levels dropped */
        int64_t tab[64];
        size_t nc = 0;
        for (size_t l = 0; l < nl; l++)
            if (cnt[0][l] + cnt[1][l] > 0) nc++;
        size_t k = 0;
        for (size_t l = 0; l < nl; l++)
            if (cnt[0][l] + cnt[1][l] > 0) {
                tab[k] = cnt[0][l];
                tab[nc + k] = cnt[1][l];
                k++;
            }
        rk_htest h;
        if (nc < 2) {
            snprintf(cells[4], sizeof cells[4], "NA");
        } else {
            if (e->method == RK_EP_FISHER)
                st = rk_fisher_test(tab, 2, nc, RK_ALT_TWO_SIDED, 0.95, &h, c->err);
            else
                st = rk_chisq_test(tab, 2, nc, 0, &h, c->err);
            if (!st) {
                fmt_p(cells[4], sizeof cells[4], h.p_value);
                rk__report_stat(c->r, h.p_value, c->err, "%s.%s.p", pfx, e->id);
            }
        }
    }
    if (!st) st = rk__rtable_row(t, RK_ROW_HEADING, cp, c->err);
    for (size_t l = 0; !st && l < nl; l++) {
        snprintf(cells[0], sizeof cells[0], "%s",
                 e->level_labels ? e->level_labels[l] : e->levels[l]);
        for (size_t a = 0; a < 2; a++) {
            fmt_npct(cells[1 + a], sizeof cells[1], (size_t)cnt[a][l], ev.val[a].n);
            rk__report_stat(c->r, (double)cnt[a][l], c->err, "%s.%s.%s.%s.count", pfx, e->id,
                            p->arm[a], e->levels[l]);
        }
        cells[3][0] = cells[4][0] = '\0';
        st = rk__rtable_row(t, RK_ROW_LEVEL, cp, c->err);
    }
    evals_free(&ev);
    return st;
}

/* Table 2 (popname NULL), or the same endpoints in a supplementary population (observed values,
 * no LOCF: the seed's per-protocol Tables S2-S3). */
static rk_status table2(actx *c, const idrow *idx, const char *popname, size_t supp_no)
{
    const rk_plan *p = c->p;
    if (!p->neps) return RK_OK;
    const char *pop0 = popname ? popname : p->eps[0].population;
    int same = 1;
    for (size_t i = 1; !popname && i < p->neps; i++)
        if (strcmp(p->eps[i].population, pop0)) same = 0;
    char title[300], id[128];
    snprintf(id, sizeof id, popname ? "table2_%s" : "table2", popname);
    if (popname)
        snprintf(title, sizeof title,
                 "Table S%zu. Primary and secondary outcomes (%s population, observed values)",
                 supp_no, popname);
    else if (same)
        snprintf(title, sizeof title, "Table 2. Primary and secondary outcomes (%s population)",
                 pop0);
    else
        snprintf(title, sizeof title,
                 "Table 2. Primary and secondary outcomes (n: %s population; see footnotes)", pop0);
    char **hdr = NULL;
    static const char *const front[] = {"Outcome"};
    static const char *const back[] = {"Difference (95% CI)", "P"};
    rk_rtable *t;
    TRY(arm_header(c, rk__plan_pop(p, pop0), &hdr, 1, 2, front, back));
    rk_status st = rk__report_add_table(c->r, id, title, 5, (const char *const *)hdr, &t, c->err);
    free_strs(hdr, 5);
    if (st) return st;
    int used[8] = {0};
    for (size_t i = 0; i < p->neps; i++) {
        TRY(endpoint_row(c, t, &p->eps[i], idx, used, popname, id));
        if (!same && strcmp(p->eps[i].population, pop0)) {
            c->nfoot_mark++;
            TRY(rk__rtable_foot(t, c->err, "%s: analysed in the %s population.", p->eps[i].label,
                                p->eps[i].population));
        }
    }
    const char *A = p->arm_label[0], *B = p->arm_label[1];
    if (used[RK_EP_HL_WILCOXON])
        TRY(rk__rtable_foot(t, c->err,
                            "Median (IQR) per group; difference: Hodges-Lehmann estimate of the "
                            "shift (%s minus %s) with Moses 95%% CI; P: Wilcoxon rank-sum test, "
                            "normal approximation with continuity correction (SAS NPAR1WAY).",
                            A, B));
    if (used[RK_EP_TTEST])
        TRY(rk__rtable_foot(t, c->err,
                            "Mean (SD) per group; difference in means (%s minus %s) with 95%% CI "
                            "and P from Student's two-sample t-test.",
                            A, B));
    if (used[RK_EP_ORDINAL])
        TRY(rk__rtable_foot(t, c->err,
                            "n (%%) per group; OR: proportional-odds (ordinal logistic) model, SAS "
                            "convention (odds of a lower category, %s vs %s), Wald 95%% CI and P.",
                            A, B));
    if (used[RK_EP_FISHER]) TRY(rk__rtable_foot(t, c->err, "P: Fisher's exact test."));
    if (used[RK_EP_CHISQ])
        TRY(rk__rtable_foot(t, c->err,
                            "P: Pearson chi-square test without continuity correction."));
    return plan_footnotes(c, t);
}

/* ------------------------------------------------------------ Table 3 */

typedef struct aerec {
    size_t term; /* index into terms */
    size_t subj;
    int group;
} aerec;

static int cmp_aerec(const void *a, const void *b)
{
    const aerec *x = a, *y = b;
    if (x->term != y->term) return x->term < y->term ? -1 : 1;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    return x->subj < y->subj ? -1 : x->subj > y->subj;
}

typedef struct termrow {
    const char *name;
    size_t *count; /* narms * ngroups */
    size_t key1, key2;
} termrow;

static int cmp_term(const void *a, const void *b)
{
    const termrow *x = a, *y = b;
    if (x->key1 != y->key1) return x->key1 > y->key1 ? -1 : 1;
    if (x->key2 != y->key2) return x->key2 > y->key2 ? -1 : 1;
    return strcmp(x->name, y->name);
}

static rk_status table3(actx *c, const idrow *idx)
{
    const rk_plan *p = c->p;
    if (!p->ae_pop) return RK_OK;
    rk_table *t3 = c->ae;
    long pop = rk__plan_pop(p, p->ae_pop);
    const size_t *N = &c->popN[(size_t)pop * p->narms];
    size_t idj, termj, gradej;
    TRY(col(c, t3, p->subject_id, &idj));
    TRY(col(c, t3, "AEDECOD", &termj));
    TRY(col(c, t3, "AETOXGR", &gradej));
    size_t nr = rk_table_nrows(t3);
    /* distinct terms */
    idrow *terms = calloc(nr + 1, sizeof *terms);
    aerec *rec = calloc(nr + 1, sizeof *rec);
    size_t nrec = 0, nterm = 0;
    rk_status st = (!terms || !rec) ? rk_error_set(c->err, RK_ENOMEM, "out of memory") : RK_OK;
    for (size_t i = 0; !st && i < nr; i++) {
        terms[i].id = cell(t3, i, termj);
        terms[i].row = i;
    }
    if (!st) qsort(terms, nr, sizeof *terms, cmp_idrow);
    size_t *term_of_row = st ? NULL : malloc((nr + 1) * sizeof *term_of_row);
    const char **term_name = st ? NULL : malloc((nr + 1) * sizeof *term_name);
    if (!st && (!term_of_row || !term_name)) st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < nr; i++) {
        if (i == 0 || strcmp(terms[i].id, terms[i - 1].id)) term_name[nterm++] = terms[i].id;
        term_of_row[terms[i].row] = nterm - 1;
    }
    for (size_t i = 0; !st && i < nr; i++) {
        if (rk_cell_is_missing(cell(t3, i, termj))) {
            st = rk_error_set(c->err, RK_EINVAL, "%s:%zu: column 'AEDECOD': empty term",
                              rk_table_source(t3), rk_table_line(t3, i));
            break;
        }
        double g;
        if ((st = num_cell(c, t3, i, gradej, &g))) break;
        if (!isfinite(g) || g != floor(g) || g < 1 || g > 5) {
            st = rk_error_set(c->err, RK_EINVAL,
                              "%s:%zu: column 'AETOXGR': grade must be a whole number 1 to 5, not "
                              "'%s'",
                              rk_table_source(t3), rk_table_line(t3, i), cell(t3, i, gradej));
            break;
        }
        long s = find_subject(c, idx, cell(t3, i, idj));
        if (s < 0 || !c->in[(size_t)s * p->npops + (size_t)pop]) continue;
        int grp = -1;
        for (size_t k = 0; k < p->ngrades; k++)
            if (g >= (double)p->grades[k].lo && g <= (double)p->grades[k].hi) grp = (int)k;
        if (grp < 0) continue;
        rec[nrec].term = term_of_row[i];
        rec[nrec].subj = (size_t)s;
        rec[nrec].group = grp;
        nrec++;
    }
    size_t ng = p->ngrades, na = p->narms;
    size_t *counts = st ? NULL : calloc((nterm + 1) * na * ng + 1, sizeof *counts);
    if (!st && !counts) st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    if (!st) {
        qsort(rec, nrec, sizeof *rec, cmp_aerec);
        for (size_t i = 0; i < nrec; i++) {
            if (i && rec[i].term == rec[i - 1].term && rec[i].group == rec[i - 1].group &&
                rec[i].subj == rec[i - 1].subj)
                continue;
            counts[(rec[i].term * na + (size_t)c->arm[rec[i].subj]) * ng + (size_t)rec[i].group]++;
        }
        /* any AE: distinct subjects per group */
        for (size_t i = 0; i < nrec; i++)
            rec[i].term = 0;
        qsort(rec, nrec, sizeof *rec, cmp_aerec);
        for (size_t i = 0; i < nrec; i++) {
            if (i && rec[i].group == rec[i - 1].group && rec[i].subj == rec[i - 1].subj) continue;
            counts[(nterm * na + (size_t)c->arm[rec[i].subj]) * ng + (size_t)rec[i].group]++;
        }
    }
    termrow *rows = st ? NULL : calloc(nterm + 1, sizeof *rows);
    if (!st && !rows) st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t k = 0; !st && k < nterm; k++) {
        rows[k].name = term_name[k];
        rows[k].count = &counts[k * na * ng];
        for (size_t g = 0; g < ng; g++) {
            rows[k].key1 += rows[k].count[0 * ng + g];
            if (na > 1) rows[k].key2 += rows[k].count[1 * ng + g];
        }
    }
    if (!st) qsort(rows, nterm, sizeof *rows, cmp_term);
    /* table */
    size_t ncol = 1 + na * ng;
    char **hdr = st ? NULL : calloc(ncol, sizeof *hdr);
    rk_rtable *t = NULL;
    if (!st && !hdr) st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    if (!st) {
        hdr[0] = rk__strdup("Adverse event");
        for (size_t a = 0; a < na; a++)
            for (size_t g = 0; g < ng; g++)
                hdr[1 + a * ng + g] = rk__strdup(p->grades[g].label);
        char title[256];
        snprintf(title, sizeof title, "Table 3. Adverse events by grade (%s population)",
                 p->ae_pop);
        st =
            rk__report_add_table(c->r, "table3", title, ncol, (const char *const *)hdr, &t, c->err);
        /* the arm, with its n, over its grade-group columns (the seed's layout) */
        char(*sp)[200] = st ? NULL : calloc(ncol, sizeof *sp);
        const char **spp = st ? NULL : calloc(ncol, sizeof *spp);
        if (!st && (!sp || !spp)) st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
        for (size_t j = 0; !st && j < ncol; j++) {
            if (j)
                snprintf(sp[j], sizeof sp[j], "%s (n = %zu)", p->arm_label[(j - 1) / ng],
                         N[(j - 1) / ng]);
            spp[j] = sp[j];
        }
        if (!st) st = rk__rtable_span(t, spp, c->err);
        free(sp);
        free(spp);
    }
    free_strs(hdr, ncol);
    char(*buf)[96] = st ? NULL : calloc(ncol, sizeof *buf);
    const char **cp = st ? NULL : calloc(ncol, sizeof *cp);
    if (!st && (!buf || !cp)) st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t k = 0; !st && k <= nterm; k++) {
        const char *name = k == 0 ? "Any adverse event" : rows[k - 1].name;
        const size_t *cnt = k == 0 ? &counts[nterm * na * ng] : rows[k - 1].count;
        snprintf(buf[0], sizeof buf[0], "%s", name);
        cp[0] = buf[0];
        for (size_t a = 0; a < na; a++)
            for (size_t g = 0; g < ng; g++) {
                size_t j = 1 + a * ng + g;
                fmt_npct(buf[j], sizeof buf[j], cnt[a * ng + g], N[a]);
                cp[j] = buf[j];
                st = rk__report_stat(c->r, (double)cnt[a * ng + g], c->err, "table3.%s.%s.%zu",
                                     k == 0 ? "ANY" : name, p->arm[a], g + 1);
                if (st) break;
            }
        if (!st) st = rk__rtable_row(t, RK_ROW_DATA, cp, c->err);
    }
    if (!st)
        st = rk__rtable_foot(t, c->err,
                             "n (%%) of patients with at least one event of the term in the grade "
                             "group; percentages of the %s population per group; %zu event "
                             "records read.",
                             p->ae_pop, nr);
    if (!st) st = plan_footnotes(c, t);
    free(buf);
    free(cp);
    free(rows);
    free(counts);
    free(term_of_row);
    free(term_name);
    free(terms);
    free(rec);
    return st;
}

/* ------------------------------------------------------------ CONSORT */

static rk_status consort(actx *c, const idrow *idx)
{
    const rk_plan *p = c->p;
    size_t na = p->narms, ncol = na + 2;
    char **hdr = calloc(ncol, sizeof *hdr);
    if (!hdr) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    hdr[0] = rk__strdup("Stage");
    for (size_t a = 0; a < na; a++)
        hdr[1 + a] = rk__strdup(p->arm_label[a]);
    hdr[1 + na] = rk__strdup("Total");
    rk_rtable *t;
    rk_status st = rk__report_add_table(c->r, "consort", "CONSORT flow (counts)", ncol,
                                        (const char *const *)hdr, &t, c->err);
    free_strs(hdr, ncol);
    if (st) return st;
    char(*buf)[200] = calloc(ncol, sizeof *buf);
    const char **cp = calloc(ncol, sizeof *cp);
    if (!buf || !cp) {
        free(buf);
        free(cp);
        return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < ncol; j++)
        cp[j] = buf[j];
#define ROW(kind, label, vals, total)                                                              \
    do {                                                                                           \
        snprintf(buf[0], sizeof buf[0], "%s", label);                                              \
        for (size_t a_ = 0; a_ < na; a_++) {                                                       \
            if ((vals) == NULL)                                                                    \
                buf[1 + a_][0] = '\0';                                                             \
            else                                                                                   \
                snprintf(buf[1 + a_], sizeof buf[0], "%zu", ((const size_t *)(vals))[a_]);         \
        }                                                                                          \
        snprintf(buf[1 + na], sizeof buf[0], "%zu", (size_t)(total));                              \
        if (!st) st = rk__rtable_row(t, kind, cp, c->err);                                         \
    } while (0)
    size_t ns = 0, nexcl = 0, nreason = 0, rcount[32] = {0};
    const char *reason[32];
    if (c->scr) {
        size_t sidj, rj;
        st = col(c, c->scr, p->subject_id, &sidj);
        if (!st) st = col(c, c->scr, "EXCLREAS", &rj);
        size_t nrand = 0;
        ns = rk_table_nrows(c->scr);
        for (size_t i = 0; !st && i < ns; i++) {
            const char *id = cell(c->scr, i, sidj), *why = cell(c->scr, i, rj);
            if (!rk_cell_is_missing(id)) {
                if (find_subject(c, idx, id) < 0)
                    st = rk_error_set(c->err, RK_EINVAL,
                                      "%s:%zu: column '%s': randomized subject '%s' is not in %s",
                                      rk_table_source(c->scr), rk_table_line(c->scr, i),
                                      p->subject_id, id, rk_table_source(c->adsl));
                nrand++;
                continue;
            }
            if (rk_cell_is_missing(why))
                st = rk_error_set(c->err, RK_EINVAL,
                                  "%s:%zu: column 'EXCLREAS': a screened patient who was not "
                                  "randomized needs a reason",
                                  rk_table_source(c->scr), rk_table_line(c->scr, i));
            size_t k = 0;
            while (k < nreason && strcmp(reason[k], why))
                k++;
            if (k == nreason && nreason < 32) reason[nreason++] = why;
            if (k < 32) rcount[k]++;
            nexcl++;
        }
        if (!st && nrand != c->nsub)
            st = rk_error_set(c->err, RK_EINVAL,
                              "%s: %zu randomized subjects listed, but %s has %zu subjects",
                              rk_table_source(c->scr), nrand, rk_table_source(c->adsl), c->nsub);
        ROW(RK_ROW_DATA, "Screened", NULL, ns);
        ROW(RK_ROW_HEADING, "Excluded", NULL, nexcl);
        for (size_t k = 0; k < nreason; k++)
            ROW(RK_ROW_LEVEL, reason[k], NULL, rcount[k]);
        if (!st) rk__report_stat(c->r, (double)ns, c->err, "consort.screened");
        if (!st) rk__report_stat(c->r, (double)nexcl, c->err, "consort.excluded");
    }
    size_t rand[8] = {0}, tot = 0;
    for (size_t i = 0; i < c->nsub; i++)
        rand[c->arm[i]]++;
    for (size_t a = 0; a < na; a++)
        tot += rand[a];
    ROW(RK_ROW_DATA, "Randomized", rand, tot);
    for (size_t a = 0; !st && a < na; a++)
        st = rk__report_stat(c->r, (double)rand[a], c->err, "consort.randomized.%s", p->arm[a]);
    size_t w[8] = {0};
    char untreated_lab[160] = "";
    if (p->ae_pop) {
        long sp = rk__plan_pop(p, p->ae_pop);
        size_t tw = 0;
        for (size_t i = 0; i < c->nsub; i++)
            if (!c->in[i * p->npops + (size_t)sp]) {
                w[c->arm[i]]++;
                tw++;
            }
        char lab[160];
        snprintf(lab, sizeof lab, "Did not start treatment (not in %s)", p->ae_pop);
        snprintf(untreated_lab, sizeof untreated_lab, "Did not start treatment");
        ROW(RK_ROW_DATA, lab, w, tw);
        for (size_t a = 0; !st && a < na; a++)
            st = rk__report_stat(c->r, (double)w[a], c->err, "consort.untreated.%s", p->arm[a]);
    }
    if (!st) {
        snprintf(buf[0], sizeof buf[0], "Analysed");
        for (size_t j = 1; j < ncol; j++)
            buf[j][0] = '\0';
        st = rk__rtable_row(t, RK_ROW_HEADING, cp, c->err);
    }
    for (size_t k = 0; !st && k < p->npops; k++) {
        size_t tk = 0;
        for (size_t a = 0; a < na; a++)
            tk += c->popN[k * na + a];
        ROW(RK_ROW_LEVEL, p->pop[k].name, &c->popN[k * na], tk);
        for (size_t a = 0; !st && a < na; a++)
            st = rk__report_stat(c->r, (double)c->popN[k * na + a], c->err, "consort.%s.%s",
                                 p->pop[k].name, p->arm[a]);
    }
#undef ROW
    if (!st) {
        const char *pn[64];
        for (size_t k = 0; k < p->npops && k < 64; k++)
            pn[k] = p->pop[k].name;
        rk__consort_counts cc = {.has_screening = c->scr != NULL,
                                 .screened = ns,
                                 .excluded = nexcl,
                                 .nreason = nreason,
                                 .reason = reason,
                                 .reason_n = rcount,
                                 .narms = na,
                                 .arm_label = (const char *const *)p->arm_label,
                                 .randomized = rand,
                                 .untreated = w,
                                 .untreated_label = p->ae_pop ? untreated_lab : NULL,
                                 .npops = p->npops < 64 ? p->npops : 64,
                                 .pop_name = pn,
                                 .popN = c->popN};
        st = rk__fig_consort(c->r, &cc, c->err);
    }
    if (!st && p->derive) {
        const rk__pendpoint *pe = NULL;
        for (size_t i = 0; i < p->neps; i++)
            if (p->primary && !strcmp(p->eps[i].id, p->primary)) pe = &p->eps[i];
        char ppr[400] = "PP: not derived (no primary endpoint under 'derive')";
        if (pe) {
            char win[64] = "";
            for (size_t w = 0; w < p->nwin; w++)
                if (!strcmp(p->win[w].name, pe->visit))
                    snprintf(win, sizeof win, " (study days %g to %g)", p->win[w].lo, p->win[w].hi);
            snprintf(ppr, sizeof ppr,
                     "PP = mITT with %s measured at %s inside its window%s, not carried forward, "
                     "and no major protocol deviation (MAJDEVFL)",
                     pe->param, pe->visit, win);
        }
        st = rk__rtable_foot(t, c->err,
                             "Populations derived from the collected data: ITT = randomized; "
                             "safety = received any dose (TRTSDT); mITT = randomized and dosed; "
                             "%s.",
                             ppr);
        for (size_t i = 0; !st && c->trial && i < c->trial->n_notes; i++)
            st = rk__rtable_foot(t, c->err, "Data note: %s.", c->trial->notes[i]);
    }
    if (!st) st = plan_footnotes(c, t);
    free(buf);
    free(cp);
    return st;
}

/* -------------------------------------------------------- sensitivity */

static rk_status sensitivity(actx *c, const idrow *idx)
{
    const rk_plan *p = c->p;
    if (!p->sens_endpoint) return RK_OK;
    const rk__pendpoint *e = NULL;
    for (size_t i = 0; i < p->neps; i++)
        if (!strcmp(p->eps[i].id, p->sens_endpoint)) e = &p->eps[i];
    static const char *const hdr[] = {"Population", "Model", "N", "Difference (95% CI)", "P"};
    char title[300];
    snprintf(title, sizeof title, "Sensitivity analyses of %s (post hoc)", e->label);
    rk_rtable *t;
    TRY(rk__report_add_table(c->r, "sensitivity", title, 5, hdr, &t, c->err));
    static const char *const formula[6] = {
        "",
        "y ~ arm",
        "y ~ arm + site",
        "y ~ arm + base + site",
        "y ~ arm + (1 | site)",
        "y ~ arm + base + (1 | site)",
    };
    static const char *const mname[6] = {"",
                                         "1: group",
                                         "2: group + site",
                                         "3: group + baseline + site",
                                         "4: group, site random",
                                         "5: group + baseline, site random"};
    size_t sitej;
    TRY(col(c, c->adsl, p->site_var, &sitej));
    rk_status st = RK_OK;
    for (size_t k = 0; !st && k < p->nsens_pops; k++) {
        long pop = rk__plan_pop(p, p->sens_pop[k]);
        int locf = 0;
        for (size_t i = 0; i < p->nsens_locf; i++)
            if (!strcmp(p->sens_locf[i], p->sens_pop[k])) locf = 1;
        evals ev;
        st = extract(c, e->param, e->visit, e->value, pop, locf, idx, e, &ev);
        rk_buf csv;
        rk_buf_init(&csv, 0);
        if (!st) st = rk_buf_appendf(&csv, c->err, "y,arm,base,site\n");
        for (size_t a = 0; !st && a < 2; a++)
            for (size_t i = 0; !st && i < ev.val[a].n; i++) {
                size_t s = (size_t)ev.row[a].v[i];
                const char *site = cell(c->adsl, s, sitej);
                if (strchr(site, '"') || strchr(site, ',')) site = "?";
                st = rk_buf_appendf(&csv, c->err, "%.17g,%s,%.17g,s%s\n", ev.val[a].v[i],
                                    a ? "ref" : "trt", ev.base[a].v[i], site);
            }
        rk_table *mt = NULL; /* parsed once, shared by the models */
        if (!st) st = rk_csv_parse(csv.data, csv.len, "(model data)", &mt, c->err);
        for (size_t m = 0; !st && m < p->nsens_models; m++) {
            int mi = p->sens_models[m];
            const char *ref[1] = {"arm=ref"};
            rk_frame_opts fo = {0};
            fo.reference = ref;
            fo.n_reference = 1;
            rk_design *d = NULL;
            rk_fit *f = NULL;
            st = rk_design_new(mt, formula[mi], &fo, &d, c->err);
            if (!st && mi >= 4) {
                rk_mixed_opts mo;
                rk_mixed_opts_init(&mo);
                st = rk_mixed_fit(d, &mo, &f, c->err);
            } else if (!st)
                st = rk_linear_fit(d, "arm", 0.95, &f, c->err);
            const rk_coef *co = st ? NULL : arm_coef(f);
            if (!st && !co) st = rk_error_set(c->err, RK_EINTERNAL, "model without an arm term");
            if (!st) {
                char cells[5][128];
                const char *cp[5] = {cells[0], cells[1], cells[2], cells[3], cells[4]};
                snprintf(cells[0], sizeof cells[0], "%s", p->sens_pop[k]);
                snprintf(cells[1], sizeof cells[1], "%s", mname[mi]);
                snprintf(cells[2], sizeof cells[2], "%zu", f->n);
                fmt_est_ci(cells[3], sizeof cells[3], co->estimate, co->conf_int[0],
                           co->conf_int[1]);
                fmt_p(cells[4], sizeof cells[4], co->p_value);
                st = rk__rtable_row(t, RK_ROW_DATA, cp, c->err);
                const char *pn = p->sens_pop[k];
                rk__report_stat(c->r, (double)f->n, c->err, "sens.%s.m%d.n", pn, mi);
                rk__report_stat(c->r, co->estimate, c->err, "sens.%s.m%d.est", pn, mi);
                rk__report_stat(c->r, co->conf_int[0], c->err, "sens.%s.m%d.lower", pn, mi);
                rk__report_stat(c->r, co->conf_int[1], c->err, "sens.%s.m%d.upper", pn, mi);
                rk__report_stat(c->r, co->p_value, c->err, "sens.%s.m%d.p", pn, mi);
            }
            rk_fit_free(f);
            rk_design_free(d);
        }
        rk_table_free(mt);
        rk_buf_free(&csv);
        evals_free(&ev);
    }
    if (st) return st;
    TRY(rk__rtable_foot(t, c->err,
                        "Difference: %s minus %s in %s, from linear models (least squares, t "
                        "intervals; models 1-3) and linear mixed models with a random intercept "
                        "per site (REML, Satterthwaite df; models 4-5); baseline = BASE.",
                        p->arm_label[0], p->arm_label[1], e->value));
    if (p->nsens_locf) {
        char list[256];
        size_t o = 0;
        for (size_t i = 0; i < p->nsens_locf && o < sizeof list; i++)
            o +=
                (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", p->sens_locf[i]);
        TRY(rk__rtable_foot(t, c->err,
                            "LOCF records used in: %s; other populations: observed "
                            "values only.",
                            list));
    }
    return plan_footnotes(c, t);
}

/* ------------------------------------------------------------ driver */

static rk_status add_file(actx *c, const char *role, const char *rel, const char *resolved)
{
    rk_report *r = c->r;
    rk_rfile *nf = realloc(r->file, (r->nfile + 1) * sizeof *nf);
    if (!nf) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    r->file = nf;
    rk_rfile *f = &r->file[r->nfile];
    memset(f, 0, sizeof *f);
    r->nfile++;
    f->role = rk__strdup(role);
    f->path = rk__strdup(rel);
    if (!f->role || !f->path) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    return rk_sha256_file(resolved, f->sha256, c->err);
}

static rk_status read_csv(actx *c, const char *role, const char *rel, rk_table **t)
{
    if (!rel) return RK_OK;
    char *path = rk__plan_path(c->p, rel);
    if (!path) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    rk_status st = rk_csv_read(path, t, c->err);
    if (!st) st = add_file(c, role, rel, path);
    free(path);
    return st;
}

/* The derived measurements the endpoints use: the analysed record (ANL01FL) of each endpoint's
 * parameter and visit, observed or LOCF, with the columns the analysis reads; built from the
 * trial's records directly (rk_trial_bds writes every record and column), then the trial's
 * source measurement table and records are released: time to improvement is kept apart. */
static rk_status derived_bds(actx *c)
{
    rk_trial *t = c->trial;
    const rk_plan *p = c->p;
    size_t np = t->n_params, nv = t->n_visits;
    unsigned char *use = calloc(np * nv + 1, 1);
    if (!use) return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->neps; i++) {
        if (p->eps[i].method == RK_EP_TTE) continue;
        for (size_t a = 0; a < np; a++)
            for (size_t v = 0; v < nv; v++)
                if (!strcmp(t->params[a], p->eps[i].param) &&
                    !strcmp(t->visits[v], p->eps[i].visit))
                    use[a * nv + v] = 1;
    }
    const char *names[8] = {p->subject_id, "PARAMCD", "AVISIT", "AVAL",
                            "BASE",        "CHG",     "PCHG",   "DTYPE"};
    size_t nuse = 0;
    for (size_t k = 0; k < t->n_measures; k++) {
        const rk_measure *m = &t->measures[k];
        nuse += m->anl01fl && m->visit >= 0 && use[(size_t)m->param * nv + (size_t)m->visit];
    }
    c->dnum = malloc((4 * nuse + 1) * sizeof *c->dnum);
    if (!c->dnum) {
        free(use);
        return rk_error_set(c->err, RK_ENOMEM, "out of memory");
    }
    size_t row = 0;
    rk_table *o = NULL;
    rk_status st =
        rk_table_new(t->measures_table ? rk_table_source(t->measures_table) : "(measurements)", 8,
                     names, &o, c->err);
    for (size_t k = 0; !st && k < t->n_measures; k++) {
        const rk_measure *m = &t->measures[k];
        if (!m->anl01fl || m->visit < 0 || !use[(size_t)m->param * nv + (size_t)m->visit]) continue;
        const char *cells[8];
        cells[0] = t->subjects[m->subject].usubjid;
        cells[1] = t->params[m->param];
        cells[2] = t->visits[m->visit];
        cells[3] = cells[4] = cells[5] = cells[6] = NULL; /* the numbers go to c->dnum */
        double *d = &c->dnum[4 * row++];
        d[0] = m->aval;
        d[1] = m->base;
        d[2] = m->chg;
        d[3] = m->pchg;
        cells[7] = m->locf ? "LOCF" : NULL;
        size_t line = m->row == (size_t)-1 ? 0 : rk_table_line(t->measures_table, m->row);
        st = rk_table_add_row(o, cells, line, c->err);
    }
    free(use);
    if (st) {
        rk_table_free(o);
        return st;
    }
    c->meas = o;
    /* release what the report no longer needs (the trial's fields are public, see data.h) */
    rk_table_free(t->measures_table);
    t->measures_table = NULL;
    free(t->measures);
    t->measures = NULL;
    t->n_measures = 0;
    return RK_OK;
}

/* The plan's 'derive': read the collected data through the data layer (validation, populations,
 * visit windows, BASE/CHG/PCHG, LOCF, clinical improvement, time to improvement) and analyse the
 * derived ADSL and BDS tables. */
static rk_status derive_data(actx *c)
{
    const rk_plan *p = c->p;
    rk_trial_opts o;
    rk_trial_opts_init(&o);
    o.arms = (const char *const *)p->arm;
    o.n_arms = p->narms;
    o.windows = p->win;
    o.n_windows = p->nwin;
    const char *locf[64];
    size_t nl = 0;
    for (size_t i = 0; i < p->neps; i++) {
        const rk__pendpoint *e = &p->eps[i];
        if (p->primary && !strcmp(e->id, p->primary)) {
            o.primary_param = e->param;
            o.primary_visit = e->visit;
        }
        int dup = 0;
        for (size_t k = 0; k < nl; k++)
            dup |= !strcmp(locf[k], e->param);
        if (e->locf && !dup && nl < 64) locf[nl++] = e->param;
    }
    o.locf = nl > 0;
    o.locf_params = locf;
    o.n_locf_params = nl;
    o.improve_param = p->improve;
    o.improve_drop = p->improve_drop;
    o.discharge_value = p->discharge;
    char *sp = rk__plan_path(p, p->subjects);
    char *mp = p->measurements ? rk__plan_path(p, p->measurements) : NULL;
    char *ap = p->adverse_events ? rk__plan_path(p, p->adverse_events) : NULL;
    rk_status st = RK_OK;
    if (!sp || (p->measurements && !mp) || (p->adverse_events && !ap))
        st = rk_error_set(c->err, RK_ENOMEM, "out of memory");
    if (!st) st = add_file(c, "subjects", p->subjects, sp);
    if (!st && mp) st = add_file(c, "measurements", p->measurements, mp);
    if (!st) st = rk_trial_read(sp, mp, ap, &o, &c->trial, c->err);
    if (!st) st = rk_trial_adsl(c->trial, &c->adsl, c->err);
    if (!st && mp) st = derived_bds(c);
    free(sp);
    free(mp);
    free(ap);
    return st;
}

rk_status rk_report_run(const rk_plan *plan, rk_report **out, rk_error *err)
{
    *out = NULL;
    actx c;
    memset(&c, 0, sizeof c);
    c.p = plan;
    c.err = err;
    c.r = calloc(1, sizeof *c.r);
    if (!c.r) return rk_error_set(err, RK_ENOMEM, "out of memory");
    c.r->title = rk__strdup(plan->title);
    rk_status st = c.r->title ? RK_OK : rk_error_set(err, RK_ENOMEM, "out of memory");
    const char *slash = strrchr(plan->path, '/');
    if (!st) st = add_file(&c, "plan", slash ? slash + 1 : plan->path, plan->path);
    if (!st && plan->derive)
        st = derive_data(&c);
    else if (!st) {
        st = read_csv(&c, "subjects", plan->subjects, &c.adsl);
        if (!st) st = read_csv(&c, "measurements", plan->measurements, &c.meas);
    }
    if (!st) st = read_csv(&c, "adverse_events", plan->adverse_events, &c.ae);
    if (!st) st = read_csv(&c, "screening", plan->screening, &c.scr);
    idrow *idx = NULL;
    if (!st) st = load_subjects(&c, &idx);
    if (!st) st = check_subject_refs(&c, c.meas, idx, &c.msubj);
    if (!st) st = check_subject_refs(&c, c.ae, idx, NULL);
    if (!st) st = key_measurements(&c);
    if (!st) st = table1(&c);
    if (!st) st = table2(&c, idx, NULL, 0);
    for (size_t k = 0; !st && k < plan->nsupp; k++)
        st = table2(&c, idx, plan->supp[k], k + 1);
    if (!st) st = table3(&c, idx);
    if (!st) st = consort(&c, idx);
    if (!st) st = sensitivity(&c, idx);
    free(idx);
    free(c.msubj);
    free(c.mkey);
    free(c.dnum);
    free(c.arm);
    free(c.in);
    free(c.popN);
    rk_table_free(c.adsl);
    rk_table_free(c.meas);
    rk_table_free(c.ae);
    rk_table_free(c.scr);
    rk_trial_free(c.trial);
    if (st) {
        rk_report_free(c.r);
        return st;
    }
    *out = c.r;
    return RK_OK;
}
