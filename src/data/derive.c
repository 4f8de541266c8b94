/* Derivations on the measurements (BDS): analysis visits by window, baseline, change and
 * percent change, LOCF for the primary endpoint in mITT, the per-protocol population,
 * clinical improvement and time to improvement. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/table.h"
#include "data/trial.h"

/* Index of `name` in a growing list (last hit first), adding it when new. */
typedef struct name_list {
    char ***items;
    size_t *n;
    size_t last;
} name_list;

static long list_find_add(name_list *l, const char *name, rk_error *err)
{
    char **it = *l->items;
    if (l->last < *l->n && !strcmp(it[l->last], name)) return (long)l->last;
    for (size_t i = 0; i < *l->n; i++)
        if (!strcmp(it[i], name)) return (long)(l->last = i);
    char **ni = realloc(it, (*l->n + 1) * sizeof *ni);
    if (!ni) return rk_error_set(err, RK_ENOMEM, "out of memory"), -1;
    *l->items = ni;
    if (!(ni[*l->n] = strdup(name))) return rk_error_set(err, RK_ENOMEM, "out of memory"), -1;
    l->last = (*l->n)++;
    return (long)l->last;
}

static int is_volume_unit(const char *u)
{
    static const char *v[] = {"mL", "ml", "L", "l", "cm3", "cm^3", "mm3", "mm^3", "cc"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (!strcmp(u, v[i])) return 1;
    return 0;
}

/* Sorting one subject's records: parameter, visit (none last), a value before a missing
 * one, nearest the window's target, earlier day, file order. */
typedef struct sort_ctx {
    const double *target; /* per visit */
    int windows;
} sort_ctx;

static int cmp_measure(const sort_ctx *c, const rk_measure *a, const rk_measure *b)
{
    if (a->param != b->param) return a->param < b->param ? -1 : 1;
    unsigned va = (unsigned)a->visit, vb = (unsigned)b->visit; /* -1 sorts last */
    if (va != vb) return va < vb ? -1 : 1;
    int ma = isnan(a->aval), mb = isnan(b->aval);
    if (ma != mb) return ma - mb;
    if (c->windows && a->visit >= 0) {
        double t = c->target[a->visit], da = fabs(a->ady - t), db = fabs(b->ady - t);
        if (da != db) return da < db ? -1 : 1;
    }
    if (a->ady != b->ady && !isnan(a->ady) && !isnan(b->ady)) return a->ady < b->ady ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* Merge sort (qsort has no context argument; the library keeps no static state). */
static void sort_measures(rk_measure *a, rk_measure *tmp, size_t n, const sort_ctx *c)
{
    if (n < 12) {
        for (size_t i = 1; i < n; i++) {
            rk_measure x = a[i];
            size_t j = i;
            while (j > 0 && cmp_measure(c, &a[j - 1], &x) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2, i = 0, j = h, k = 0;
    sort_measures(a, tmp, h, c);
    sort_measures(a + h, tmp, n - h, c);
    while (i < h && j < n)
        tmp[k++] = cmp_measure(c, &a[j], &a[i]) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static rk_status check_windows(const rk_trial_opts *o, rk_error *err)
{
    for (size_t i = 0; i < o->n_windows; i++) {
        const rk_visit_window *w = &o->windows[i];
        if (!w->name || !*w->name)
            return rk_error_set(err, RK_EINVAL, "visit window %zu has no name", i + 1);
        if (!(w->lo <= w->target && w->target <= w->hi))
            return rk_error_set(err, RK_EINVAL,
                                "visit window %s: the target day %g is not within %g..%g", w->name,
                                w->target, w->lo, w->hi);
        if (i && !(o->windows[i - 1].hi < w->lo))
            return rk_error_set(err, RK_EINVAL,
                                "visit windows %s and %s overlap or are out of order (each must "
                                "start after the previous one ends)",
                                o->windows[i - 1].name, w->name);
    }
    return RK_OK;
}

/* Visits found in the data (no windows): order them by their earliest study day and
 * return in inv[old] the new index of each. */
static rk_status order_visits(rk_trial *t, size_t *inv, rk_error *err)
{
    size_t k = t->n_visits;
    size_t *perm = malloc((k ? k : 1) * sizeof *perm);
    char **names = malloc((k ? k : 1) * sizeof *names);
    double *tg = malloc((k ? k : 1) * sizeof *tg);
    if (!perm || !names || !tg) {
        free(perm);
        free(names);
        free(tg);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    for (size_t v = 0; v < k; v++)
        perm[v] = v;
    /* insertion sort: few visits; no day (NaN) keeps first-appearance order at the end */
    for (size_t a = 1; a < k; a++) {
        size_t x = perm[a], b = a;
        while (b > 0) {
            double p = t->visit_target[perm[b - 1]], q = t->visit_target[x];
            if (!(!isnan(q) && (isnan(p) || q < p))) break;
            perm[b] = perm[b - 1];
            b--;
        }
        perm[b] = x;
    }
    for (size_t v = 0; v < k; v++) {
        inv[perm[v]] = v;
        names[v] = t->visits[perm[v]];
        tg[v] = t->visit_target[perm[v]];
    }
    memcpy(t->visits, names, k * sizeof *names);
    memcpy(t->visit_target, tg, k * sizeof *tg);
    free(perm);
    free(names);
    free(tg);
    return RK_OK;
}

/* Everything the per-subject derivation needs. */
typedef struct derive_ctx {
    rk_trial *t;
    const rk_trial_opts *o;
    const rk_table *tb;
    int windows;
    long bi, prim; /* baseline visit, primary parameter (-1: none) */
    int do_locf;
    const unsigned char *locf_par; /* [param]: carried forward (the primary, locf_params) */
    const unsigned char *has;      /* [param * n_visits + visit]: measured in the trial */
    double *obs;                   /* n_visits scratch */
    size_t n_locf, locf_subj, zero_base;
    const char *zero_param, *zero_subj;
} derive_ctx;

/* One subject's sorted records in[0..n) -> out (room for n + n_visits records): analysis
 * flags, baseline, CHG, PCHG, LOCF records.  Returns the number written, via *n_out. */
static rk_status derive_subject(derive_ctx *c, size_t s, const rk_measure *in, size_t n,
                                rk_measure *out, size_t *n_out, rk_error *err)
{
    rk_trial *t = c->t;
    rk_subject *subj = &t->subjects[s];
    size_t nv = t->n_visits, no = 0, i = 0, locf0 = c->n_locf;
    char w[300], w2[300];
    while (i < n) {
        int p = in[i].param;
        size_t j = i;
        while (j < n && in[j].param == p)
            j++;
        /* [i, j): one parameter, by visit */
        double base = NAN;
        size_t first_out = no;
        for (size_t k = i; k < j; k++) {
            rk_measure x = in[k];
            const rk_measure *prev = k > i ? &in[k - 1] : NULL;
            if (x.visit >= 0 && !isnan(x.aval) &&
                (!prev || prev->visit != x.visit || isnan(prev->aval)))
                x.anl01fl = 1;
            if (!c->windows && prev && x.visit >= 0 && prev->visit == x.visit) {
                size_t r1 = prev->row, r2 = x.row;
                if (r1 > r2) { /* name them in file order */
                    size_t tmp = r1;
                    r1 = r2;
                    r2 = tmp;
                }
                return rk_error_set(err, RK_EINVAL,
                                    "%s: subject '%s' has a second %s record at visit %s (the "
                                    "first at %s); give visit windows to choose one",
                                    rk_table_where(c->tb, r2, w, sizeof w), subj->usubjid,
                                    t->params[p], t->visits[x.visit],
                                    rk_table_where(c->tb, r1, w2, sizeof w2));
            }
            if (x.anl01fl && x.visit == c->bi) {
                x.ablfl = 1;
                base = x.aval;
            }
            out[no++] = x;
        }
        /* LOCF for the primary parameter in mITT: the last observation, baseline included */
        size_t end_obs = no;
        if (c->do_locf && c->locf_par[p] && subj->mitt && !isnan(base)) {
            for (size_t v = 0; v < nv; v++)
                c->obs[v] = NAN;
            for (size_t k = first_out; k < end_obs; k++)
                if (out[k].anl01fl) c->obs[out[k].visit] = out[k].aval;
            double last = base;
            for (size_t v = (size_t)c->bi + 1; v < nv; v++) {
                if (!c->has[(size_t)p * nv + v]) continue;
                if (!isnan(c->obs[v])) {
                    last = c->obs[v];
                    continue;
                }
                rk_measure y = {0};
                y.subject = s;
                y.param = p;
                y.visit = (int)v;
                y.ady = NAN;
                y.aval = last;
                y.locf = 1;
                y.anl01fl = 1;
                y.crit1fl = -1;
                y.row = (size_t)-1;
                out[no++] = y;
                c->n_locf++;
            }
        }
        /* BASE on every record; CHG and PCHG after the baseline visit */
        for (size_t k = first_out; k < no; k++) {
            rk_measure *x = &out[k];
            x->base = base;
            x->chg = x->pchg = NAN;
            if (c->bi < 0 || x->visit <= c->bi || isnan(x->aval) || isnan(base)) continue;
            x->chg = x->aval - base;
            if (base == 0) {
                if (!c->zero_base++) {
                    c->zero_param = t->params[p];
                    c->zero_subj = subj->usubjid;
                }
            } else
                x->pchg = x->chg / base * 100; /* (post - base) / base x 100 */
        }
        /* LOCF records were appended: put them in visit order (stable) */
        if (no > end_obs) {
            rk_measure *a = out + first_out;
            size_t len = no - first_out;
            for (size_t q = 1; q < len; q++) {
                rk_measure y = a[q];
                size_t b = q;
                while (b > 0 && (unsigned)a[b - 1].visit > (unsigned)y.visit) {
                    a[b] = a[b - 1];
                    b--;
                }
                a[b] = y;
            }
        }
        i = j;
    }
    c->locf_subj += c->n_locf > locf0;
    *n_out = no;
    return RK_OK;
}

/* Read one record's fields (the subject is known). */
static rk_status parse_record(rk_trial *t, const rk_trial_opts *o, const rk_table *tb,
                              const long *col, size_t r, size_t s, name_list *params,
                              name_list *visits, rk_measure *x, size_t *outside, rk_error *err)
{
    enum { C_PARAM, C_AVAL, C_VISIT, C_ADY, C_ADT, C_UNIT };
    char w[300];
    rk_status st;
    memset(x, 0, sizeof *x);
    x->row = r;
    x->subject = s;
    x->base = x->chg = x->pchg = NAN;
    x->crit1fl = -1;
    const char *pc = rk_table_cell(tb, r, (size_t)col[C_PARAM]);
    if (rk_cell_is_missing(pc))
        return rk_error_set(err, RK_EINVAL, "%s: column 'PARAMCD': empty parameter code",
                            rk_table_where(tb, r, w, sizeof w));
    long p = list_find_add(params, pc, err);
    if (p < 0) return RK_ENOMEM;
    x->param = (int)p;
    if ((st = rk__cell_number(tb, r, (size_t)col[C_AVAL], &x->aval, err))) return st;
    x->ady = NAN;
    if (col[C_ADY] >= 0) {
        if ((st = rk__cell_number(tb, r, (size_t)col[C_ADY], &x->ady, err))) return st;
    } else if (col[C_ADT] >= 0) {
        const char *dc = rk_table_cell(tb, r, (size_t)col[C_ADT]);
        long d, ref = t->subjects[s].trtsdt;
        if (ref == RK_DATE_MISSING) ref = t->subjects[s].randdt;
        if (!rk_cell_is_missing(dc)) {
            rk_error e2;
            if (rk_parse_date(dc, &d, &e2))
                return rk_error_set(err, RK_EPARSE, "%s: column 'ADT': %s",
                                    rk_table_where(tb, r, w, sizeof w), e2.msg);
            /* CDISC study day: no day 0 */
            if (ref != RK_DATE_MISSING) x->ady = (double)(d - ref + (d >= ref));
        }
    }
    if (col[C_UNIT] >= 0 && !isnan(x->aval)) {
        const char *u = rk_table_cell(tb, r, (size_t)col[C_UNIT]);
        if (!strcmp(u, "%") && (x->aval < 0 || x->aval > 100))
            return rk_error_set(
                err, RK_EINVAL, "%s: column 'AVAL': %s is %s, but %s is a proportion (AVALU %%)",
                rk_table_where(tb, r, w, sizeof w), rk_table_cell(tb, r, (size_t)col[C_AVAL]),
                x->aval < 0 ? "negative" : "over 100", pc);
        if (is_volume_unit(u) && x->aval < 0)
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'AVAL': %s is negative, but %s is a volume (AVALU %s)",
                                rk_table_where(tb, r, w, sizeof w),
                                rk_table_cell(tb, r, (size_t)col[C_AVAL]), pc, u);
    }
    x->visit = -1;
    if (o->windows && o->n_windows) {
        for (size_t v = 0; v < o->n_windows; v++)
            if (x->ady >= o->windows[v].lo && x->ady <= o->windows[v].hi) {
                x->visit = (int)v;
                break;
            }
        if (x->visit < 0) (*outside)++;
    } else {
        const char *vc = rk_table_cell(tb, r, (size_t)col[C_VISIT]);
        if (!rk_cell_is_missing(vc)) {
            long v = list_find_add(visits, vc, err); /* found (and ordered) already */
            if (v < 0) return RK_ENOMEM;
            x->visit = (int)v;
        }
    }
    return RK_OK;
}

rk_status rk__trial_measures(rk_trial *t, const rk_trial_opts *o, rk_error *err)
{
    const rk_table *tb = t->measures_table;
    const char *src = rk_table_source(tb);
    size_t c_id, c_param, c_aval;
    rk_status st;
    char w[300];
    if ((st = rk_table_column(tb, "USUBJID", &c_id, err)) ||
        (st = rk_table_column(tb, "PARAMCD", &c_param, err)) ||
        (st = rk_table_column(tb, "AVAL", &c_aval, err)))
        return st;
    long c_visit = rk_table_find(tb, "AVISIT"), c_ady = rk_table_find(tb, "ADY"),
         c_adt = rk_table_find(tb, "ADT"), c_unit = rk_table_find(tb, "AVALU"),
         c_dtype = rk_table_find(tb, "DTYPE");
    const long col[6] = {(long)c_param, (long)c_aval, c_visit, c_ady, c_adt, c_unit};
    int windows = o->windows && o->n_windows;
    if ((st = check_windows(o, err))) return st;
    if (windows && c_ady < 0 && c_adt < 0)
        return rk_error_set(err, RK_EINVAL,
                            "%s: visit windows need the study day: a column ADY, or ADT (date) "
                            "with TRTSDT or RANDDT in the subjects",
                            src);
    if (!windows && c_visit < 0)
        return rk_error_set(err, RK_EINVAL,
                            "%s: no column 'AVISIT': give the visit of each record or visit "
                            "windows on the study day (ADY)",
                            src);
    if (windows) {
        if (!(t->visits = calloc(o->n_windows, sizeof *t->visits)) ||
            !(t->visit_target = calloc(o->n_windows, sizeof *t->visit_target)))
            return rk_error_set(err, RK_ENOMEM, "out of memory");
        for (size_t v = 0; v < o->n_windows; v++) {
            if (!(t->visits[v] = strdup(o->windows[v].name)))
                return rk_error_set(err, RK_ENOMEM, "out of memory");
            t->visit_target[v] = o->windows[v].target;
            t->n_visits++;
        }
    }
    size_t n = rk_table_nrows(tb), ns = t->n_subjects, used = 0, outside = 0, dropped = 0;
    if (ns >= UINT32_MAX) return rk_error_set(err, RK_ERANGE, "too many subjects");
    name_list params = {&t->params, &t->n_params, 0}, visits = {&t->visits, &t->n_visits, 0};
    uint32_t *sid = malloc((n ? n : 1) * sizeof *sid);
    size_t *start = calloc(ns + 1, sizeof *start), *cnt = calloc(ns ? ns : 1, sizeof *cnt);
    size_t *visit_inv = NULL;
    rk_measure *m = NULL, *buf = NULL, *tmp = NULL;
    unsigned char *has = NULL, *locf_par = NULL;
    double *obs = NULL;
    if (!sid || !start || !cnt) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    /* pass 1: the subject of each record (records come grouped by subject: skip most hash
     * lookups) and, without windows, the visit names */
    const char *last_id = NULL;
    long last_s = -1;
    for (size_t r = 0; r < n; r++) {
        if (c_dtype >= 0 && !rk_cell_is_missing(rk_table_cell(tb, r, (size_t)c_dtype))) {
            sid[r] = UINT32_MAX; /* derived records (LOCF ...) are derived again */
            dropped++;
            continue;
        }
        const char *id = rk_table_cell(tb, r, c_id);
        long s = last_id && !strcmp(id, last_id) ? last_s : rk__trial_subject(t, id);
        last_id = id;
        last_s = s;
        if (s < 0) {
            st = rk_error_set(
                err, RK_EINVAL, "%s: column 'USUBJID': subject '%s' is not in the subjects file %s",
                rk_table_where(tb, r, w, sizeof w), id, rk_table_source(t->subjects_table));
            goto done;
        }
        sid[r] = (uint32_t)s;
        cnt[s]++;
        used++;
        if (!windows) {
            const char *vc = rk_table_cell(tb, r, (size_t)c_visit);
            if (rk_cell_is_missing(vc)) continue;
            size_t before = t->n_visits;
            if (list_find_add(&visits, vc, err) < 0) {
                st = RK_ENOMEM;
                goto done;
            }
            if (t->n_visits > before) {
                double *tg = realloc(t->visit_target, t->n_visits * sizeof *tg);
                if (!tg) {
                    st = rk_error_set(err, RK_ENOMEM, "out of memory");
                    goto done;
                }
                t->visit_target = tg;
                tg[t->n_visits - 1] = NAN;
            }
        }
    }
    size_t nv = t->n_visits;
    if (!(visit_inv = malloc((nv ? nv : 1) * sizeof *visit_inv))) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t v = 0; v < nv; v++)
        visit_inv[v] = v;
    if (!windows) { /* earliest study day of each visit, then the visit order */
        size_t vlast = 0;
        const char *vname = NULL;
        for (size_t r = 0; r < n; r++) {
            if (sid[r] == UINT32_MAX) continue;
            const char *vc = rk_table_cell(tb, r, (size_t)c_visit);
            if (rk_cell_is_missing(vc)) continue;
            if (!vname || strcmp(vc, vname) != 0) {
                for (vlast = 0; vlast < nv && strcmp(t->visits[vlast], vc); vlast++)
                    continue;
                vname = vc;
            }
            double d = NAN;
            if (c_ady >= 0) {
                if (rk_parse_number(rk_table_cell(tb, r, (size_t)c_ady), &d, NULL)) d = NAN;
            } else if (c_adt >= 0) {
                long dd, ref = t->subjects[sid[r]].trtsdt;
                if (ref == RK_DATE_MISSING) ref = t->subjects[sid[r]].randdt;
                if (ref != RK_DATE_MISSING &&
                    !rk_parse_date(rk_table_cell(tb, r, (size_t)c_adt), &dd, NULL))
                    d = (double)(dd - ref + (dd >= ref));
            }
            double *tg = &t->visit_target[vlast];
            if (!isnan(d) && (isnan(*tg) || d < *tg)) *tg = d;
        }
        if ((st = order_visits(t, visit_inv, err))) goto done;
    }
    long bi = windows ? 0 : -1;
    if (!windows)
        for (size_t v = 0; v < nv; v++)
            if (!strcasecmp(t->visits[v], o->baseline_visit ? o->baseline_visit : "BASELINE"))
                bi = (long)v;
    /* room: each subject's records, plus one LOCF record per visit for mITT subjects */
    int locf_possible = o->locf && o->primary_param && bi >= 0;
    size_t max_n = 0;
    for (size_t s = 0; s < ns; s++) {
        size_t room =
            cnt[s] + (locf_possible && t->subjects[s].mitt ? nv * (1 + o->n_locf_params) : 0);
        start[s + 1] = start[s] + room;
        if (room > max_n) max_n = room;
        cnt[s] = 0;
    }
    if (!(m = malloc((start[ns] ? start[ns] : 1) * sizeof *m)) ||
        !(buf = malloc((max_n + nv + 1) * sizeof *buf)) ||
        !(tmp = malloc((max_n + 1) * sizeof *tmp))) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    /* pass 2: read every record into its subject's slice, in file order */
    for (size_t r = 0; r < n; r++) {
        if (sid[r] == UINT32_MAX) continue;
        size_t s = sid[r];
        if ((st = parse_record(t, o, tb, col, r, s, &params, &visits, &m[start[s] + cnt[s]],
                               &outside, err)))
            goto done;
        cnt[s]++;
    }
    free(sid);
    sid = NULL;
    if (dropped && (st = rk__trial_note(t, err,
                                        "%s: %zu records with a DTYPE (derived) were dropped and "
                                        "derived again",
                                        src, dropped)))
        goto done;
    if (outside && (st = rk__trial_note(t, err,
                                        "%s: %zu records fall outside every visit window (kept, "
                                        "not analysed)",
                                        src, outside)))
        goto done;
    if (bi < 0 && (st = rk__trial_note(t, err,
                                       "%s: no baseline visit '%s': BASE, CHG and PCHG are not "
                                       "derived",
                                       src, o->baseline_visit ? o->baseline_visit : "BASELINE")))
        goto done;
    size_t np = t->n_params;
    if (!(has = calloc(np * (nv ? nv : 1) + 1, 1)) || !(obs = malloc((nv + 1) * sizeof *obs))) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t s = 0; s < ns; s++)
        for (size_t k = start[s]; k < start[s] + cnt[s]; k++)
            if (m[k].visit >= 0 && !isnan(m[k].aval))
                has[(size_t)m[k].param * nv + (size_t)m[k].visit] = 1;
    long prim = -1, impr = -1;
    if (!(locf_par = calloc(np + 1, 1))) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t p = 0; p < np; p++) {
        if (o->primary_param && !strcmp(t->params[p], o->primary_param)) prim = (long)p;
        if (o->improve_param && !strcmp(t->params[p], o->improve_param)) impr = (long)p;
        for (size_t k = 0; k < o->n_locf_params; k++)
            if (!strcmp(t->params[p], o->locf_params[k])) locf_par[p] = 1;
    }
    if (prim >= 0) locf_par[prim] = 1;
    if (o->primary_param && prim < 0 &&
        (st = rk__trial_note(t, err, "%s: no records of the primary parameter %s", src,
                             o->primary_param)))
        goto done;
    long pv = -1; /* primary visit */
    if (prim >= 0) {
        for (size_t v = 0; v < nv; v++)
            if (o->primary_visit ? !strcmp(t->visits[v], o->primary_visit)
                                 : has[(size_t)prim * nv + v])
                pv = (long)v;
        if (pv < 0) {
            st = rk_error_set(err, RK_EINVAL, "primary visit '%s' is not a visit of %s",
                              o->primary_visit ? o->primary_visit : "(last)", src);
            goto done;
        }
    }
    /* each subject: sort, derive into buf, copy back into its slice; then close the gaps */
    derive_ctx dc = {.t = t,
                     .o = o,
                     .tb = tb,
                     .windows = windows,
                     .bi = bi,
                     .prim = prim,
                     .do_locf = locf_possible && prim >= 0,
                     .locf_par = locf_par,
                     .has = has,
                     .obs = obs};
    sort_ctx sc = {t->visit_target, windows};
    size_t total = 0;
    for (size_t s = 0; s < ns; s++) {
        rk_measure *a = m + start[s];
        size_t k = cnt[s], no = 0;
        sort_measures(a, tmp, k, &sc);
        if ((st = derive_subject(&dc, s, a, k, buf, &no, err))) goto done;
        memcpy(m + total, buf, no * sizeof *buf); /* total <= start[s]: moves left only */
        total += no;
    }
    rk_measure *shrunk = realloc(m, (total ? total : 1) * sizeof *m);
    if (shrunk) m = shrunk;
    t->measures = m;
    t->n_measures = total;
    m = NULL;
    rk_measure *out = t->measures;
    size_t no = total;
    if (dc.zero_base &&
        (st = rk__trial_note(t, err,
                             "PCHG: %zu post-baseline records have BASE = 0 (first: subject %s, "
                             "%s); their percent change is missing",
                             dc.zero_base, dc.zero_subj, dc.zero_param)))
        goto done;
    if (dc.n_locf) {
        char names[512];
        size_t used = (size_t)snprintf(names, sizeof names, "%s", o->primary_param);
        for (size_t k = 0; k < o->n_locf_params && used < sizeof names; k++)
            if (strcmp(o->locf_params[k], o->primary_param))
                used +=
                    (size_t)snprintf(names + used, sizeof names - used, ", %s", o->locf_params[k]);
        if ((st = rk__trial_note(t, err,
                                 "LOCF: %zu records of %s carried forward for %zu mITT subjects "
                                 "(DTYPE = LOCF)",
                                 dc.n_locf, names, dc.locf_subj)))
            goto done;
    }
    /* PP: mITT, the primary endpoint observed at its visit inside the window, no major
     * deviation */
    if (!st && prim >= 0 && pv >= 0) {
        for (size_t k = 0; k < no; k++) {
            const rk_measure *x = &out[k];
            if (x->param == prim && x->visit == pv && x->anl01fl && !x->locf)
                t->subjects[x->subject].pp = 1;
        }
        for (size_t s = 0; s < ns; s++) {
            rk_subject *subj = &t->subjects[s];
            subj->pp = subj->pp && subj->mitt && !subj->majdev;
        }
    } else if (!st) {
        st = rk__trial_note(t, err,
                            "no primary endpoint given: the per-protocol population is "
                            "not derived (PPROTFL from the subjects file, else empty)");
    }

    /* clinical improvement: a fall of improve_drop categories or discharge */
    if (!st && o->improve_param && impr < 0)
        st = rk__trial_note(t, err, "%s: no records of the clinical status %s", src,
                            o->improve_param);
    if (!st && impr >= 0 && bi >= 0) {
        if (!(t->tti = malloc((ns ? ns : 1) * sizeof *t->tti))) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            goto done;
        }
        size_t k = 0, no_time = 0;
        while (k < no) {
            size_t s = out[k].subject;
            if (out[k].param != impr) {
                k++;
                continue;
            }
            size_t j = k;
            while (j < no && out[j].subject == s && out[j].param == impr)
                j++;
            double base = out[k].base, event = NAN, last = NAN;
            for (size_t q = k; q < j; q++) {
                rk_measure *x = &out[q];
                if (isnan(base) || !x->anl01fl || x->locf || x->visit <= bi) continue;
                x->crit1fl = (signed char)(x->aval <= base - o->improve_drop ||
                                           x->aval == o->discharge_value);
                double day = !isnan(x->ady) ? x->ady : t->visit_target[x->visit];
                if (x->crit1fl && isnan(event)) event = day;
                if (isnan(last) || day > last) last = day;
            }
            if (!isnan(base)) {
                if (!isnan(event))
                    t->tti[t->n_tti++] = (rk_tte){s, event, 0};
                else if (!isnan(last))
                    t->tti[t->n_tti++] = (rk_tte){s, last, 1};
                else
                    no_time++;
            }
            k = j;
        }
        if (no_time)
            st = rk__trial_note(t, err,
                                "time to improvement: %zu subjects with a baseline %s "
                                "have no later assessment (left out)",
                                no_time, o->improve_param);
    }
done:
    free(sid);
    free(start);
    free(cnt);
    free(visit_inv);
    free(m);
    free(buf);
    free(tmp);
    free(has);
    free(locf_par);
    free(obs);
    return st;
}
