/* Kaplan-Meier curves, the log-rank test and the competing-death rule for time to improvement. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>

#include "models/survival.h"
#include "stats/htest.h"

rk_status rk__surv_check(const double *time, const int *event, size_t n, const char *what,
                         rk_error *err)
{
    if (n == 0) return rk_error_set(err, RK_EINVAL, "%s: no observations", what);
    if (!time || !event) return rk_error_set(err, RK_EINVAL, "%s: time or event is NULL", what);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(time[i]))
            return rk_error_set(err, RK_EINVAL, "%s: time of observation %zu is %s", what, i + 1,
                                isnan(time[i]) ? "missing (NaN)" : "infinite");
        if (time[i] < 0)
            return rk_error_set(err, RK_EINVAL, "%s: time of observation %zu is negative (%g)",
                                what, i + 1, time[i]);
        if (event[i] != 0 && event[i] != 1)
            return rk_error_set(err, RK_EINVAL,
                                "%s: event of observation %zu is %d (expected 0 = censored or "
                                "1 = event)",
                                what, i + 1, event[i]);
    }
    return RK_OK;
}

rk_status rk__surv_check_index(const size_t *idx, size_t n, size_t k, const char *what,
                               const char *label, rk_error *err)
{
    if (!idx) return RK_OK;
    if (k == 0) return rk_error_set(err, RK_EINVAL, "%s: number of %s levels is 0", what, label);
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= k)
            return rk_error_set(err, RK_EINVAL,
                                "%s: observation %zu has %s index %zu, outside 0..%zu", what, i + 1,
                                label, idx[i], k - 1);
    return RK_OK;
}

/* ------------------------------------------------------------ Kaplan-Meier */

typedef struct {
    double time;
    int event;
} surv_obs;

static int cmp_obs(const void *a, const void *b)
{
    double x = ((const surv_obs *)a)->time, y = ((const surv_obs *)b)->time;
    return (x > y) - (x < y);
}

const char *rk_km_ci_name(rk_km_ci ci)
{
    switch (ci) {
    case RK_KM_CI_LOGLOG: return "log-log";
    case RK_KM_CI_PLAIN: return "plain";
    default: return "log";
    }
}

rk_status rk_km_ci_parse(const char *s, rk_km_ci *ci, rk_error *err)
{
    if (!s) return rk_error_set(err, RK_EINVAL, "confidence interval type is NULL");
    if (!strcmp(s, "log"))
        *ci = RK_KM_CI_LOG;
    else if (!strcmp(s, "log-log") || !strcmp(s, "loglog"))
        *ci = RK_KM_CI_LOGLOG;
    else if (!strcmp(s, "plain"))
        *ci = RK_KM_CI_PLAIN;
    else
        return rk_error_set(err, RK_EINVAL,
                            "unknown survival CI type '%s' (expected log, log-log or plain)", s);
    return RK_OK;
}

static void km_curve_free(rk_km_curve *c)
{
    free(c->time);
    free(c->n_risk);
    free(c->n_event);
    free(c->n_censor);
    free(c->surv);
    free(c->std_err);
    free(c->std_err_surv);
    free(c->lower);
    free(c->upper);
}

void rk_km_free(rk_km *km)
{
    if (!km) return;
    if (km->curve)
        for (size_t g = 0; g < km->n_groups; g++)
            km_curve_free(&km->curve[g]);
    free(km->curve);
    free(km);
}

/* print.survfit's median rule (survival:::survmean, minmin): the first time
 * whose y is below 0.5 + sqrt(DBL_EPSILON), ignoring NA; if that y equals 0.5
 * (within the tolerance) and y drops lower later, the midpoint between that
 * time and the first time with a smaller y. */
static double km_minmin(const double *y, const double *x, size_t n)
{
    const double tol = sqrt(DBL_EPSILON); /* R: .Machine$double.eps^0.5, as all.equal() */
    size_t first = n;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i]) && y[i] < 0.5 + tol) {
            first = i;
            break;
        }
    if (first == n) return NAN;
    if (fabs(y[first] - 0.5) < tol)
        for (size_t j = first + 1; j < n; j++)
            if (!isnan(y[j]) && y[j] < y[first]) return (x[first] + x[j]) / 2.0;
    return x[first];
}

/* Pointwise CI as survival:::survfit_confint with logse = TRUE. */
static void km_ci(double s, double se, double z, rk_km_ci type, double *lo, double *hi)
{
    switch (type) {
    case RK_KM_CI_PLAIN: {
        double w = se * s * z; /* Klein & Moeschberger 4.3.1 */
        if (isnan(w)) {
            *lo = *hi = NAN;
        } else {
            *lo = fmax(s - w, 0.0);
            *hi = fmin(s + w, 1.0);
        }
        break;
    }
    case RK_KM_CI_LOGLOG:
        if (s == 0.0 || s == 1.0) {
            *lo = *hi = NAN;
        } else {
            double w = z * se / log(s);
            double ll = log(-log(s));
            *lo = exp(-exp(ll - w));
            *hi = exp(-exp(ll + w));
        }
        break;
    default:
        if (s == 0.0) {
            *lo = *hi = NAN;
        } else {
            *lo = exp(log(s) - z * se);
            *hi = fmin(exp(log(s) + z * se), 1.0);
        }
        break;
    }
}

static rk_status km_one(surv_obs *obs, size_t m, double z, rk_km_ci type, rk_km_curve *c,
                        rk_error *err)
{
    qsort(obs, m, sizeof *obs, cmp_obs);
    size_t nt = 0;
    for (size_t i = 0; i < m; i++)
        if (i == 0 || obs[i].time != obs[i - 1].time) nt++;
    c->n = m;
    c->n_times = nt;
    double **arrs[] = {&c->time,    &c->n_risk,       &c->n_event, &c->n_censor, &c->surv,
                       &c->std_err, &c->std_err_surv, &c->lower,   &c->upper};
    for (size_t a = 0; a < sizeof arrs / sizeof arrs[0]; a++) {
        *arrs[a] = malloc(nt * sizeof(double));
        if (!*arrs[a])
            return rk_error_set(err, RK_ENOMEM, "Kaplan-Meier: out of memory for %zu times", nt);
    }
    double s = 1.0, varhaz = 0.0, events = 0.0;
    size_t k = 0;
    for (size_t i = 0; i < m;) {
        double t = obs[i].time, d = 0, cens = 0, risk = (double)(m - i);
        while (i < m && obs[i].time == t) {
            if (obs[i].event)
                d++;
            else
                cens++;
            i++;
        }
        if (d > 0) {
            s *= (risk - d) / risk;
            /* Greenwood: sum d / (n (n - d)); infinite once everyone at risk has died (R) */
            varhaz = (risk > d) ? varhaz + d / (risk * (risk - d)) : INFINITY;
        }
        events += d;
        c->time[k] = t;
        c->n_risk[k] = risk;
        c->n_event[k] = d;
        c->n_censor[k] = cens;
        c->surv[k] = s;
        c->std_err[k] = sqrt(varhaz);
        c->std_err_surv[k] = s * c->std_err[k]; /* 0 * Inf = NaN as summary.survfit */
        km_ci(s, c->std_err[k], z, type, &c->lower[k], &c->upper[k]);
        k++;
    }
    c->n_events = events;
    c->median = km_minmin(c->surv, c->time, nt);
    /* the lower curve crosses 0.5 first: it gives the lower limit (survmean) */
    c->median_lower = km_minmin(c->lower, c->time, nt);
    c->median_upper = km_minmin(c->upper, c->time, nt);
    return RK_OK;
}

rk_status rk_km_fit(const double *time, const int *event, const size_t *group, size_t n,
                    size_t n_groups, double conf_level, rk_km_ci conf_type, rk_km **out,
                    rk_error *err)
{
    const char *what = "Kaplan-Meier";
    if (!out) return rk_error_set(err, RK_EINVAL, "%s: output pointer is NULL", what);
    *out = NULL;
    rk_status st;
    if ((st = rk__surv_check(time, event, n, what, err))) return st;
    if ((st = rk__check_conf_level(conf_level, err))) return st;
    if (!group) n_groups = 1;
    if ((st = rk__surv_check_index(group, n, n_groups, what, "group", err))) return st;
    if (n_groups == 0) return rk_error_set(err, RK_EINVAL, "%s: no groups", what);
    if (conf_type != RK_KM_CI_LOG && conf_type != RK_KM_CI_LOGLOG && conf_type != RK_KM_CI_PLAIN)
        return rk_error_set(err, RK_EINVAL, "%s: unknown CI type %d", what, (int)conf_type);
    rk__gsl_init();

    rk_km *km = calloc(1, sizeof *km);
    size_t *cnt = calloc(n_groups, sizeof *cnt);
    surv_obs *obs = malloc(n * sizeof *obs);
    if (km) km->curve = calloc(n_groups, sizeof *km->curve);
    if (!km || !cnt || !obs || !km->curve) {
        st = rk_error_set(err, RK_ENOMEM, "%s: out of memory for %zu observations", what, n);
        goto done;
    }
    km->n_groups = n_groups;
    km->conf_level = conf_level;
    km->conf_type = conf_type;
    for (size_t i = 0; i < n; i++)
        cnt[group ? group[i] : 0]++;
    for (size_t g = 0; g < n_groups; g++)
        if (cnt[g] == 0) {
            st = rk_error_set(err, RK_EINVAL, "%s: group index %zu has no observations", what, g);
            goto done;
        }
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - conf_level) / 2.0); /* R qnorm */
    for (size_t g = 0; g < n_groups; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if ((group ? group[i] : 0) == g) obs[m++] = (surv_obs){time[i], event[i]};
        if ((st = km_one(obs, m, z, conf_type, &km->curve[g], err))) goto done;
    }
    *out = km;
    km = NULL;
    st = RK_OK;
done:
    rk_km_free(km);
    free(cnt);
    free(obs);
    return st;
}

/* ---------------------------------------------------------------- log-rank */

void rk_logrank_free(rk_logrank *lr)
{
    if (!lr) return;
    free(lr->observed);
    free(lr->expected);
    free(lr->variance);
    free(lr);
}

typedef struct {
    double time;
    size_t stratum, group;
    int event;
} lr_obs;

static int cmp_lr(const void *a, const void *b)
{
    const lr_obs *x = a, *y = b;
    if (x->stratum != y->stratum) return (x->stratum > y->stratum) - (x->stratum < y->stratum);
    return (x->time > y->time) - (x->time < y->time);
}

rk_status rk_logrank_test(const double *time, const int *event, const size_t *group, size_t n,
                          size_t n_groups, const size_t *strata, size_t n_strata, rk_logrank **out,
                          rk_error *err)
{
    const char *what = "log-rank test";
    if (!out) return rk_error_set(err, RK_EINVAL, "%s: output pointer is NULL", what);
    *out = NULL;
    rk_status st;
    if ((st = rk__surv_check(time, event, n, what, err))) return st;
    if (!group) return rk_error_set(err, RK_EINVAL, "%s: group is NULL", what);
    if (n_groups < 2)
        return rk_error_set(err, RK_EINVAL, "%s needs at least 2 groups (got %zu)", what, n_groups);
    if (n_groups > RK_LOGRANK_MAX_GROUPS) /* the work grows with groups^2 per event time */
        return rk_error_set(err, RK_EINVAL,
                            "%s: %zu groups; it compares at most %d (is the group column the "
                            "treatment arm?)",
                            what, n_groups, RK_LOGRANK_MAX_GROUPS);
    if (!strata) n_strata = 1;
    if ((st = rk__surv_check_index(group, n, n_groups, what, "group", err))) return st;
    if ((st = rk__surv_check_index(strata, n, n_strata, what, "stratum", err))) return st;
    rk__gsl_init();

    size_t k = n_groups;
    rk_logrank *lr = calloc(1, sizeof *lr);
    lr_obs *obs = malloc(n * sizeof *obs);
    double *risk = calloc(k, sizeof *risk), *dg = calloc(k, sizeof *dg);
    size_t *cnt = calloc(k, sizeof *cnt);
    gsl_matrix *V = NULL;
    gsl_vector *b = NULL, *x = NULL;
    gsl_permutation *perm = NULL;
    size_t *keep = NULL;
    if (lr) {
        lr->observed = calloc(k, sizeof(double));
        lr->expected = calloc(k, sizeof(double));
        lr->variance = calloc(k * k, sizeof(double));
    }
    if (!lr || !obs || !risk || !dg || !cnt || !lr->observed || !lr->expected || !lr->variance) {
        st = rk_error_set(err, RK_ENOMEM, "%s: out of memory for %zu observations", what, n);
        goto done;
    }
    lr->n_groups = k;
    lr->n_strata = n_strata;
    double total_events = 0;
    for (size_t i = 0; i < n; i++) {
        obs[i] = (lr_obs){time[i], strata ? strata[i] : 0, group[i], event[i]};
        cnt[group[i]]++;
        total_events += event[i];
    }
    for (size_t g = 0; g < k; g++)
        if (cnt[g] == 0) {
            st = rk_error_set(err, RK_EINVAL, "%s: group index %zu has no observations", what, g);
            goto done;
        }
    if (total_events == 0) {
        st = rk_error_set(err, RK_EINVAL, "%s: there are no events, so there is nothing to test",
                          what);
        goto done;
    }
    qsort(obs, n, sizeof *obs, cmp_lr);

    double *O = lr->observed, *E = lr->expected, *Vs = lr->variance;
    for (size_t s0 = 0; s0 < n;) {
        size_t s1 = s0;
        while (s1 < n && obs[s1].stratum == obs[s0].stratum)
            s1++;
        for (size_t g = 0; g < k; g++)
            risk[g] = 0;
        for (size_t i = s0; i < s1; i++)
            risk[obs[i].group]++;
        double nrisk = (double)(s1 - s0);
        for (size_t i = s0; i < s1;) {
            double t = obs[i].time, d = 0, leaving = 0;
            for (size_t g = 0; g < k; g++)
                dg[g] = 0;
            size_t j = i;
            for (; j < s1 && obs[j].time == t; j++)
                if (obs[j].event) {
                    dg[obs[j].group]++;
                    d++;
                }
            if (d > 0) {
                for (size_t g = 0; g < k; g++) {
                    O[g] += dg[g];
                    E[g] += d * risk[g] / nrisk;
                }
                if (nrisk > 1) {
                    double f = d * (nrisk - d) / (nrisk * (nrisk - 1));
                    for (size_t g = 0; g < k; g++) {
                        Vs[g * k + g] += f * risk[g] * (nrisk - risk[g]) / nrisk;
                        for (size_t h = 0; h < g; h++) {
                            double v = f * risk[g] * risk[h] / nrisk;
                            Vs[g * k + h] -= v;
                            Vs[h * k + g] -= v;
                        }
                    }
                }
            }
            for (; i < j; i++) {
                risk[obs[i].group]--;
                leaving++;
            }
            nrisk -= leaving;
        }
        s0 = s1;
    }
    /* survdiff: drop groups with expected 0, then the first remaining one */
    keep = malloc(k * sizeof *keep);
    if (!keep) {
        st = rk_error_set(err, RK_ENOMEM, "%s: out of memory", what);
        goto done;
    }
    size_t nk = 0;
    for (size_t g = 0; g < k; g++)
        if (E[g] > 0) keep[nk++] = g;
    if (nk < 2) {
        st = rk_error_set(err, RK_EINVAL,
                          "%s: fewer than 2 groups have subjects at risk at an event time", what);
        goto done;
    }
    size_t m = nk - 1;
    V = gsl_matrix_alloc(m, m);
    b = gsl_vector_alloc(m);
    x = gsl_vector_alloc(m);
    perm = gsl_permutation_alloc(m);
    if (!V || !b || !x || !perm) {
        st = rk_error_set(err, RK_ENOMEM, "%s: out of memory", what);
        goto done;
    }
    for (size_t a = 0; a < m; a++) {
        gsl_vector_set(b, a, O[keep[a + 1]] - E[keep[a + 1]]);
        for (size_t c = 0; c < m; c++)
            gsl_matrix_set(V, a, c, Vs[keep[a + 1] * k + keep[c + 1]]);
    }
    int signum;
    if (gsl_linalg_LU_decomp(V, perm, &signum) || gsl_linalg_LU_det(V, signum) == 0.0 ||
        gsl_linalg_LU_solve(V, perm, b, x)) {
        st = rk_error_set(err, RK_EINVAL,
                          "%s: the variance matrix of O - E is singular (no information to "
                          "compare the groups)",
                          what);
        goto done;
    }
    double chi = 0;
    for (size_t a = 0; a < m; a++)
        chi += gsl_vector_get(x, a) * gsl_vector_get(b, a);
    lr->statistic = chi;
    lr->df = (double)m;
    lr->p_value = gsl_cdf_chisq_Q(chi, lr->df);
    *out = lr;
    lr = NULL;
    st = RK_OK;
done:
    rk_logrank_free(lr);
    free(obs);
    free(risk);
    free(dg);
    free(cnt);
    free(keep);
    if (V) gsl_matrix_free(V);
    if (b) gsl_vector_free(b);
    if (x) gsl_vector_free(x);
    if (perm) gsl_permutation_free(perm);
    return st;
}

/* --------------------------------------------- competing death in TTCI */

rk_status rk_ttci_rule_parse(const char *s, rk_ttci_rule *rule, rk_error *err)
{
    if (!s) return rk_error_set(err, RK_EINVAL, "death rule is NULL");
    if (!strcmp(s, "followup") || !strcmp(s, "censor-followup"))
        *rule = RK_TTCI_DEATH_CENSORED_AT_FOLLOWUP;
    else if (!strcmp(s, "death") || !strcmp(s, "censor-death"))
        *rule = RK_TTCI_DEATH_CENSORED_AT_DEATH;
    else if (!strcmp(s, "never"))
        *rule = RK_TTCI_DEATH_NEVER_IMPROVES;
    else
        return rk_error_set(err, RK_EINVAL,
                            "unknown rule for deaths before improvement '%s' (expected "
                            "followup, death or never)",
                            s);
    return RK_OK;
}

rk_status rk_ttci_events(const double *time_to_improvement, const int *improved, const int *died,
                         const double *death_time, size_t n, double followup, rk_ttci_rule rule,
                         double *time_out, int *event_out, rk_error *err)
{
    const char *what = "time to improvement";
    if (n == 0) return rk_error_set(err, RK_EINVAL, "%s: no subjects", what);
    if (!time_to_improvement || !improved || !time_out || !event_out)
        return rk_error_set(err, RK_EINVAL, "%s: a required array is NULL", what);
    if (died && !death_time)
        return rk_error_set(err, RK_EINVAL, "%s: death flags given without death times", what);
    if (!(isfinite(followup) && followup > 0))
        return rk_error_set(err, RK_EINVAL, "%s: follow-up length must be finite and > 0 (got %g)",
                            what, followup);
    if (rule != RK_TTCI_DEATH_CENSORED_AT_FOLLOWUP && rule != RK_TTCI_DEATH_CENSORED_AT_DEATH &&
        rule != RK_TTCI_DEATH_NEVER_IMPROVES)
        return rk_error_set(err, RK_EINVAL, "%s: unknown death rule %d", what, (int)rule);
    for (size_t i = 0; i < n; i++) {
        double t = time_to_improvement[i];
        int imp = improved[i], dead = died ? died[i] : 0;
        if (imp != 0 && imp != 1)
            return rk_error_set(err, RK_EINVAL,
                                "%s: improved flag of subject %zu is %d (expected 0 or 1)", what,
                                i + 1, imp);
        if (dead != 0 && dead != 1)
            return rk_error_set(err, RK_EINVAL,
                                "%s: death flag of subject %zu is %d (expected 0 or 1)", what,
                                i + 1, dead);
        int need_t = imp || !dead; /* a dead non-improver's own time is not used */
        if (need_t && !(isfinite(t) && t >= 0 && t <= followup))
            return rk_error_set(err, RK_EINVAL,
                                "%s: time of subject %zu is %g (must be within 0..%g, the "
                                "follow-up)",
                                what, i + 1, t, followup);
        double dt = dead ? death_time[i] : NAN;
        if (dead && !(isfinite(dt) && dt >= 0 && dt <= followup))
            return rk_error_set(err, RK_EINVAL,
                                "%s: death time of subject %zu is %g (must be within 0..%g, the "
                                "follow-up)",
                                what, i + 1, dt, followup);
        if (imp && dead && dt < t)
            return rk_error_set(err, RK_EINVAL,
                                "%s: subject %zu died (time %g) before the recorded improvement "
                                "(time %g)",
                                what, i + 1, dt, t);
        if (imp) {
            time_out[i] = t;
            event_out[i] = 1;
        } else if (dead) {
            time_out[i] = (rule == RK_TTCI_DEATH_CENSORED_AT_DEATH) ? dt : followup;
            event_out[i] = 0;
        } else {
            time_out[i] = t;
            event_out[i] = 0;
        }
    }
    return RK_OK;
}
