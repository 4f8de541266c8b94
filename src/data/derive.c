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

typedef struct sort_ctx {
    const rk_measure *m;
    const double *target; /* per visit, windows only */
    int windows;
} sort_ctx;

/* qsort has no context argument: the comparator reads these through a
 * per-call pointer stored in the keys themselves. */
typedef struct key {
    const sort_ctx *c;
    size_t i;
} key;

static int cmp_key(const void *pa, const void *pb)
{
    const key *ka = pa, *kb = pb;
    const rk_measure *a = &ka->c->m[ka->i], *b = &kb->c->m[kb->i];
    if (a->param != b->param) return a->param < b->param ? -1 : 1;
    unsigned va = (unsigned)a->visit, vb = (unsigned)b->visit; /* -1 sorts last */
    if (va != vb) return va < vb ? -1 : 1;
    int ma = isnan(a->aval), mb = isnan(b->aval);
    if (ma != mb) return ma - mb;
    if (ka->c->windows && a->visit >= 0) {
        double t = ka->c->target[a->visit], da = fabs(a->ady - t), db = fabs(b->ady - t);
        if (da != db) return da < db ? -1 : 1;
    }
    if (a->ady != b->ady && !isnan(a->ady) && !isnan(b->ady)) return a->ady < b->ady ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
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

/* Reorder visits (found in the data) by their earliest study day. */
static rk_status order_visits(rk_trial *t, rk_measure *m, size_t n, rk_error *err)
{
    size_t k = t->n_visits;
    size_t *perm = malloc((k ? k : 1) * sizeof *perm), *inv = malloc((k ? k : 1) * sizeof *inv);
    char **names = malloc((k ? k : 1) * sizeof *names);
    double *tg = malloc((k ? k : 1) * sizeof *tg);
    if (!perm || !inv || !names || !tg) {
        free(perm);
        free(inv);
        free(names);
        free(tg);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    for (size_t v = 0; v < k; v++)
        perm[v] = v;
    /* insertion sort: few visits; NaN (no day) keeps first-appearance order at the end */
    for (size_t a = 1; a < k; a++) {
        size_t x = perm[a], b = a;
        while (b > 0) {
            double p = t->visit_target[perm[b - 1]], q = t->visit_target[x];
            int before = !isnan(q) && (isnan(p) || q < p);
            if (!before) break;
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
    for (size_t i = 0; i < n; i++)
        if (m[i].visit >= 0) m[i].visit = (int)inv[m[i].visit];
    memcpy(t->visits, names, k * sizeof *names);
    memcpy(t->visit_target, tg, k * sizeof *tg);
    free(perm);
    free(inv);
    free(names);
    free(tg);
    return RK_OK;
}

rk_status rk__trial_measures(rk_trial *t, const rk_trial_opts *o, rk_error *err)
{
    const rk_table *tb = t->measures_table;
    const char *src = rk_table_source(tb);
    size_t c_id, c_param, c_aval;
    rk_status st;
    char w[300], w2[300];
    if ((st = rk_table_column(tb, "USUBJID", &c_id, err)) ||
        (st = rk_table_column(tb, "PARAMCD", &c_param, err)) ||
        (st = rk_table_column(tb, "AVAL", &c_aval, err)))
        return st;
    long c_visit = rk_table_find(tb, "AVISIT"), c_ady = rk_table_find(tb, "ADY"),
         c_adt = rk_table_find(tb, "ADT"), c_unit = rk_table_find(tb, "AVALU"),
         c_dtype = rk_table_find(tb, "DTYPE");
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
    size_t n = rk_table_nrows(tb), used = 0, outside = 0, dropped = 0;
    rk_measure *m = malloc((n ? n : 1) * sizeof *m);
    if (!m) return rk_error_set(err, RK_ENOMEM, "out of memory");
    name_list params = {&t->params, &t->n_params, 0}, visits = {&t->visits, &t->n_visits, 0};
    const char *last_id = NULL; /* records come grouped by subject: skip most hash lookups */
    long last_s = -1;
    for (size_t r = 0; r < n; r++) {
        if (c_dtype >= 0 && !rk_cell_is_missing(rk_table_cell(tb, r, (size_t)c_dtype))) {
            dropped++; /* derived records (LOCF ...) are derived again */
            continue;
        }
        rk_measure *x = &m[used];
        memset(x, 0, sizeof *x);
        x->row = r;
        x->base = x->chg = x->pchg = NAN;
        x->crit1fl = -1;
        const char *id = rk_table_cell(tb, r, c_id);
        long s = last_id && !strcmp(id, last_id) ? last_s : rk__trial_subject(t, id);
        last_id = id;
        last_s = s;
        if (s < 0) {
            st = rk_error_set(
                err, RK_EINVAL, "%s: column 'USUBJID': subject '%s' is not in the subjects file %s",
                rk_table_where(tb, r, w, sizeof w), id, rk_table_source(t->subjects_table));
            break;
        }
        x->subject = (size_t)s;
        const char *pc = rk_table_cell(tb, r, c_param);
        if (rk_cell_is_missing(pc)) {
            st = rk_error_set(err, RK_EINVAL, "%s: column 'PARAMCD': empty parameter code",
                              rk_table_where(tb, r, w, sizeof w));
            break;
        }
        long p = list_find_add(&params, pc, err);
        if (p < 0) {
            st = RK_ENOMEM;
            break;
        }
        x->param = (int)p;
        if ((st = rk__cell_number(tb, r, c_aval, &x->aval, err))) break;
        x->ady = NAN;
        if (c_ady >= 0) {
            if ((st = rk__cell_number(tb, r, (size_t)c_ady, &x->ady, err))) break;
        } else if (c_adt >= 0) {
            const char *dc = rk_table_cell(tb, r, (size_t)c_adt);
            long d, ref = t->subjects[s].trtsdt;
            if (ref == RK_DATE_MISSING) ref = t->subjects[s].randdt;
            if (!rk_cell_is_missing(dc)) {
                rk_error e2;
                if (rk_parse_date(dc, &d, &e2)) {
                    st = rk_error_set(err, RK_EPARSE, "%s: column 'ADT': %s",
                                      rk_table_where(tb, r, w, sizeof w), e2.msg);
                    break;
                }
                /* CDISC study day: no day 0 */
                if (ref != RK_DATE_MISSING) x->ady = (double)(d - ref + (d >= ref));
            }
        }
        if (c_unit >= 0 && !isnan(x->aval)) {
            const char *u = rk_table_cell(tb, r, (size_t)c_unit);
            if (!strcmp(u, "%") && (x->aval < 0 || x->aval > 100)) {
                st = rk_error_set(err, RK_EINVAL,
                                  "%s: column 'AVAL': %s is %s, but %s is a proportion (AVALU %%)",
                                  rk_table_where(tb, r, w, sizeof w), rk_table_cell(tb, r, c_aval),
                                  x->aval < 0 ? "negative" : "over 100", pc);
                break;
            }
            if (is_volume_unit(u) && x->aval < 0) {
                st = rk_error_set(err, RK_EINVAL,
                                  "%s: column 'AVAL': %s is negative, but %s is a volume "
                                  "(AVALU %s)",
                                  rk_table_where(tb, r, w, sizeof w), rk_table_cell(tb, r, c_aval),
                                  pc, u);
                break;
            }
        }
        x->visit = -1;
        if (windows) {
            for (size_t v = 0; v < o->n_windows; v++)
                if (x->ady >= o->windows[v].lo && x->ady <= o->windows[v].hi) {
                    x->visit = (int)v;
                    break;
                }
            if (x->visit < 0) outside++;
        } else {
            const char *vc = rk_table_cell(tb, r, (size_t)c_visit);
            if (!rk_cell_is_missing(vc)) {
                size_t before = t->n_visits;
                long v = list_find_add(&visits, vc, err);
                if (v < 0) {
                    st = RK_ENOMEM;
                    break;
                }
                if (t->n_visits > before) {
                    double *tg = realloc(t->visit_target, t->n_visits * sizeof *tg);
                    if (!tg) {
                        st = rk_error_set(err, RK_ENOMEM, "out of memory");
                        break;
                    }
                    t->visit_target = tg;
                    tg[v] = NAN;
                }
                x->visit = (int)v;
                double *tg = &t->visit_target[v];
                if (!isnan(x->ady) && (isnan(*tg) || x->ady < *tg)) *tg = x->ady;
            }
        }
        used++;
    }
    if (!st && !windows) st = order_visits(t, m, used, err);
    if (st) {
        free(m);
        return st;
    }
    if (dropped)
        st = rk__trial_note(t, err,
                            "%s: %zu records with a DTYPE (derived) were dropped and "
                            "derived again",
                            src, dropped);
    if (!st && outside)
        st = rk__trial_note(t, err,
                            "%s: %zu records fall outside every visit window (kept, not "
                            "analysed)",
                            src, outside);
    if (st) {
        free(m);
        return st;
    }

    /* baseline visit */
    long bi = windows ? 0 : -1;
    if (!windows)
        for (size_t v = 0; v < t->n_visits; v++)
            if (!strcasecmp(t->visits[v], o->baseline_visit ? o->baseline_visit : "BASELINE"))
                bi = (long)v;
    if (bi < 0 && (st = rk__trial_note(t, err,
                                       "%s: no baseline visit '%s': BASE, CHG and PCHG are not "
                                       "derived",
                                       src, o->baseline_visit ? o->baseline_visit : "BASELINE"))) {
        free(m);
        return st;
    }

    /* group by subject (counting sort), then sort each subject's records */
    size_t ns = t->n_subjects;
    size_t *start = calloc(ns + 1, sizeof *start);
    key *keys = malloc((used ? used : 1) * sizeof *keys);
    unsigned char *has = calloc(t->n_params * (t->n_visits ? t->n_visits : 1) + 1, 1);
    long prim = -1, impr = -1;
    for (size_t p = 0; p < t->n_params; p++) {
        if (o->primary_param && !strcmp(t->params[p], o->primary_param)) prim = (long)p;
        if (o->improve_param && !strcmp(t->params[p], o->improve_param)) impr = (long)p;
    }
    sort_ctx sc = {m, t->visit_target, windows};
    if (!start || !keys || !has) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < used; i++)
        start[m[i].subject + 1]++;
    for (size_t s = 0; s < ns; s++)
        start[s + 1] += start[s];
    {
        size_t *fill = malloc((ns ? ns : 1) * sizeof *fill);
        if (!fill) {
            st = rk_error_set(err, RK_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(fill, start, ns * sizeof *fill);
        for (size_t i = 0; i < used; i++)
            keys[fill[m[i].subject]++] = (key){&sc, i};
        free(fill);
    }
    for (size_t s = 0; s < ns; s++)
        if (start[s + 1] - start[s] > 1)
            qsort(keys + start[s], start[s + 1] - start[s], sizeof *keys, cmp_key);
    for (size_t i = 0; i < used; i++)
        if (m[i].visit >= 0 && !isnan(m[i].aval))
            has[(size_t)m[i].param * t->n_visits + (size_t)m[i].visit] = 1;

    /* count LOCF records to size the output */
    int do_locf = o->locf && prim >= 0 && bi >= 0;
    if (o->primary_param && prim < 0)
        st = rk__trial_note(t, err, "%s: no records of the primary parameter %s", src,
                            o->primary_param);
    long pv = -1; /* primary visit */
    if (prim >= 0) {
        for (size_t v = 0; v < t->n_visits; v++)
            if (o->primary_visit ? !strcmp(t->visits[v], o->primary_visit)
                                 : has[(size_t)prim * t->n_visits + v])
                pv = (long)v;
        if (pv < 0 && !st)
            st = rk_error_set(err, RK_EINVAL, "primary visit '%s' is not a visit of %s",
                              o->primary_visit ? o->primary_visit : "(last)", src);
    }
    if (st) goto done;
    size_t cap = used + (do_locf ? ns * t->n_visits : 0);
    rk_measure *out = malloc((cap ? cap : 1) * sizeof *out);
    if (!out) {
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    size_t no = 0, n_locf = 0, zero_base = 0, locf_subj = 0;
    const char *zero_param = NULL, *zero_subj = NULL;
    double *obs = malloc((t->n_visits ? t->n_visits : 1) * sizeof *obs);
    if (!obs) {
        free(out);
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t s = 0; s < ns; s++) {
        rk_subject *subj = &t->subjects[s];
        size_t i = start[s];
        while (i < start[s + 1]) {
            int p = m[keys[i].i].param;
            size_t j = i;
            while (j < start[s + 1] && m[keys[j].i].param == p)
                j++;
            /* [i, j): one subject and parameter, by visit */
            double base = NAN;
            size_t first_out = no;
            for (size_t k = i; k < j; k++) {
                rk_measure x = m[keys[k].i];
                if (x.visit >= 0 && !isnan(x.aval) &&
                    (k == i || m[keys[k - 1].i].visit != x.visit || isnan(m[keys[k - 1].i].aval)))
                    x.anl01fl = 1;
                if (!windows && k > i && x.visit >= 0 && m[keys[k - 1].i].visit == x.visit) {
                    size_t r1 = m[keys[k - 1].i].row, r2 = x.row;
                    if (r1 > r2) { /* name them in file order */
                        size_t tmp = r1;
                        r1 = r2;
                        r2 = tmp;
                    }
                    st = rk_error_set(err, RK_EINVAL,
                                      "%s: subject '%s' has a second %s record at visit %s (the "
                                      "first at %s); give visit windows to choose one",
                                      rk_table_where(tb, r2, w, sizeof w), subj->usubjid,
                                      t->params[p], t->visits[x.visit],
                                      rk_table_where(tb, r1, w2, sizeof w2));
                    break;
                }
                if (x.anl01fl && x.visit == bi) {
                    x.ablfl = 1;
                    base = x.aval;
                }
                out[no++] = x;
            }
            if (st) break;
            /* BASE, CHG, PCHG; LOCF for the primary parameter in mITT */
            int locf_here = do_locf && p == prim && subj->mitt;
            size_t end_obs = no;
            for (size_t v = 0; v < t->n_visits; v++)
                obs[v] = NAN;
            for (size_t k = first_out; k < end_obs; k++)
                if (out[k].anl01fl) obs[out[k].visit] = out[k].aval;
            if (locf_here && !isnan(base)) {
                double last = base;
                size_t before = n_locf;
                for (size_t v = (size_t)bi + 1; v < t->n_visits; v++) {
                    if (!has[(size_t)p * t->n_visits + v]) continue;
                    if (!isnan(obs[v])) {
                        last = obs[v];
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
                    n_locf++;
                }
                locf_subj += n_locf > before;
            }
            for (size_t k = first_out; k < no; k++) {
                rk_measure *x = &out[k];
                x->base = base;
                x->chg = x->pchg = NAN;
                if (bi < 0 || x->visit <= bi || isnan(x->aval) || isnan(base)) continue;
                x->chg = x->aval - base;
                if (base == 0) {
                    if (!zero_base++) {
                        zero_param = t->params[p];
                        zero_subj = subj->usubjid;
                    }
                } else
                    x->pchg = x->chg / base * 100; /* (post - base) / base x 100 */
            }
            /* keep visit order when LOCF records were appended */
            if (no > end_obs) {
                size_t a = first_out, len = no - first_out;
                for (size_t q = 1; q < len; q++) {
                    rk_measure y = out[a + q];
                    size_t b = q;
                    unsigned vy = (unsigned)y.visit;
                    while (b > 0 && (unsigned)out[a + b - 1].visit > vy) {
                        out[a + b] = out[a + b - 1];
                        b--;
                    }
                    out[a + b] = y;
                }
            }
            i = j;
        }
        if (st) break;
    }
    free(obs);
    if (st) {
        free(out);
        goto done;
    }
    free(m);
    m = NULL;
    if (no < cap) { /* give back the room reserved for LOCF records */
        rk_measure *shrunk = realloc(out, (no ? no : 1) * sizeof *out);
        if (shrunk) out = shrunk;
    }
    t->measures = out;
    t->n_measures = no;
    if (zero_base)
        st = rk__trial_note(t, err,
                            "PCHG: %zu post-baseline records have BASE = 0 (first: subject %s, "
                            "%s); their percent change is missing",
                            zero_base, zero_subj, zero_param);
    if (!st && n_locf)
        st = rk__trial_note(t, err,
                            "LOCF: %zu records of %s carried forward for %zu mITT "
                            "subjects (DTYPE = LOCF)",
                            n_locf, o->primary_param, locf_subj);

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
    free(m);
    free(start);
    free(keys);
    free(has);
    return st;
}
