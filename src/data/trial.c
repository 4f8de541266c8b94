/* The trial data model: subjects (ADSL), adverse events (ADAE) and the measurements'
 * loader, validated with file/line/column messages; populations; derived tables out. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/table.h"
#include "data/trial.h"

void rk_trial_opts_init(rk_trial_opts *o)
{
    memset(o, 0, sizeof *o);
    o->baseline_visit = "BASELINE";
    o->locf = 1;
    o->improve_drop = 2;    /* "a decline of 2 categories" (issue 4, seed trial's scale) */
    o->discharge_value = 1; /* six-category scale: 1 = discharged */
}

/* ---- USUBJID hash index (open addressing, FNV-1a) ---- */

typedef struct subj_index {
    size_t cap;   /* power of two */
    size_t *slot; /* subject index + 1, 0 = empty */
} subj_index;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

long rk__trial_subject(const rk_trial *t, const char *usubjid)
{
    const subj_index *ix = t->index;
    if (!ix) return -1;
    size_t m = ix->cap - 1;
    for (size_t h = (size_t)fnv1a(usubjid) & m;; h = (h + 1) & m) {
        size_t k = ix->slot[h];
        if (!k) return -1;
        if (!strcmp(t->subjects[k - 1].usubjid, usubjid)) return (long)(k - 1);
    }
}

rk_status rk__trial_note(rk_trial *t, rk_error *err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **n = realloc(t->notes, (t->n_notes + 1) * sizeof *n);
    if (!n) return rk_error_set(err, RK_ENOMEM, "out of memory");
    t->notes = n;
    if (!(n[t->n_notes] = strdup(buf))) return rk_error_set(err, RK_ENOMEM, "out of memory");
    t->n_notes++;
    return RK_OK;
}

void rk_trial_free(rk_trial *t)
{
    if (!t) return;
    rk_table_free(t->subjects_table);
    rk_table_free(t->measures_table);
    rk_table_free(t->ae_table);
    for (size_t i = 0; i < t->n_arms; i++)
        free(t->arms[i]);
    free(t->arms);
    for (size_t i = 0; i < t->n_params; i++)
        free(t->params[i]);
    free(t->params);
    for (size_t i = 0; i < t->n_visits; i++)
        free(t->visits[i]);
    free(t->visits);
    free(t->visit_target);
    free(t->subjects);
    free(t->measures);
    free(t->aes);
    free(t->tti);
    for (size_t i = 0; i < t->n_notes; i++)
        free(t->notes[i]);
    free(t->notes);
    subj_index *ix = t->index;
    if (ix) free(ix->slot);
    free(ix);
    free(t);
}

/* ---- cells ---- */

static const char *where(const rk_table *tb, size_t row, char *buf, size_t n)
{
    return rk_table_where(tb, row, buf, n);
}

rk_status rk__cell_number(const rk_table *tb, size_t row, size_t col, double *v, rk_error *err)
{
    const char *c = rk_table_cell(tb, row, col);
    if (rk_cell_is_missing(c)) {
        *v = NAN;
        return RK_OK;
    }
    if (rk_parse_number(c, v, NULL) == RK_OK) return RK_OK;
    char w[300];
    return rk_error_set(err, RK_EPARSE, "%s: column '%s': '%s' is not a number",
                        where(tb, row, w, sizeof w), rk_table_colname(tb, col), c);
}

static rk_status cell_date(const rk_table *tb, size_t row, long col, long *d, rk_error *err)
{
    *d = RK_DATE_MISSING;
    if (col < 0) return RK_OK;
    const char *c = rk_table_cell(tb, row, (size_t)col);
    if (rk_cell_is_missing(c)) return RK_OK;
    rk_error e2;
    if (rk_parse_date(c, d, &e2) == RK_OK) return RK_OK;
    char w[300];
    return rk_error_set(err, RK_EPARSE, "%s: column '%s': %s", where(tb, row, w, sizeof w),
                        rk_table_colname(tb, (size_t)col), e2.msg);
}

/* Y / N / blank (blank = absent: -1). */
static rk_status cell_flag(const rk_table *tb, size_t row, long col, int *f, rk_error *err)
{
    *f = -1;
    if (col < 0) return RK_OK;
    const char *c = rk_table_cell(tb, row, (size_t)col);
    if (rk_cell_is_missing(c)) return RK_OK;
    if (!strcmp(c, "Y"))
        *f = 1;
    else if (!strcmp(c, "N"))
        *f = 0;
    else {
        char w[300];
        return rk_error_set(err, RK_EPARSE, "%s: column '%s': '%s' is not a flag (Y, N or blank)",
                            where(tb, row, w, sizeof w), rk_table_colname(tb, (size_t)col), c);
    }
    return RK_OK;
}

static rk_status required(const rk_table *tb, const char *name, size_t *col, rk_error *err)
{
    long j = rk_table_find(tb, name);
    if (j >= 0) {
        *col = (size_t)j;
        return RK_OK;
    }
    return rk_table_column(tb, name, col, err);
}

/* ---- arms ---- */

static int not_randomized(const char *arm)
{
    static const char *none[] = {"Screen Failure", "Not Randomized", "Not Assigned", "Not Treated"};
    if (rk_cell_is_missing(arm)) return 1;
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        if (!strcasecmp(arm, none[i])) return 1;
    return 0;
}

static int arm_index(const rk_trial *t, const char *arm)
{
    for (size_t i = 0; i < t->n_arms; i++)
        if (!strcmp(t->arms[i], arm)) return (int)i;
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static rk_status set_arms(rk_trial *t, const rk_trial_opts *o, size_t arm_col, rk_error *err)
{
    const rk_table *tb = t->subjects_table;
    if (o->arms && o->n_arms) {
        if (!(t->arms = calloc(o->n_arms, sizeof *t->arms)))
            return rk_error_set(err, RK_ENOMEM, "out of memory");
        for (size_t i = 0; i < o->n_arms; i++) {
            if (!(t->arms[i] = strdup(o->arms[i])))
                return rk_error_set(err, RK_ENOMEM, "out of memory");
            t->n_arms++;
        }
        return RK_OK;
    }
    for (size_t r = 0; r < rk_table_nrows(tb); r++) {
        const char *a = rk_table_cell(tb, r, arm_col);
        if (not_randomized(a) || arm_index(t, a) >= 0) continue;
        char **na = realloc(t->arms, (t->n_arms + 1) * sizeof *na);
        if (!na) return rk_error_set(err, RK_ENOMEM, "out of memory");
        t->arms = na;
        if (!(na[t->n_arms] = strdup(a))) return rk_error_set(err, RK_ENOMEM, "out of memory");
        t->n_arms++;
        if (t->n_arms > 64)
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'ARM' has more than 64 different arms: is it the "
                                "arm column?",
                                rk_table_source(tb));
    }
    qsort(t->arms, t->n_arms, sizeof *t->arms, cmp_str);
    return RK_OK;
}

static rk_status arms_list(const rk_trial *t, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_arms && off < n; i++)
        off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? ", " : "", t->arms[i]);
    return RK_OK;
}

/* ---- subjects ---- */

static const char *const adsl_known[] = {"USUBJID", "SITEID",  "ARM",    "ACTARM",
                                         "RANDDT",  "TRTSDT",  "TRTEDT", "ITTFL",
                                         "MITTFL",  "PPROTFL", "SAFFL",  "MAJDEVFL"};

/* A covariate that is numeric except for a few cells: report the first text cell. */
static rk_status check_covariates(const rk_table *tb, rk_error *err)
{
    for (size_t j = 0; j < rk_table_ncols(tb); j++) {
        const char *nm = rk_table_colname(tb, j);
        int known = 0;
        for (size_t k = 0; k < sizeof adsl_known / sizeof *adsl_known; k++)
            known |= !strcmp(nm, adsl_known[k]);
        if (known || rk_table_coltype(tb, j) == RK_COL_TEXT) continue;
        size_t num = 0, text = 0, first = 0;
        for (size_t r = 0; r < rk_table_nrows(tb); r++) {
            const char *c = rk_table_cell(tb, r, j);
            double v;
            if (rk_cell_is_missing(c)) continue;
            if (rk_parse_number(c, &v, NULL) == RK_OK)
                num++;
            else if (!text++)
                first = r;
        }
        /* mostly numbers (at least 90%): the text cells are typing errors */
        if (text && num >= 9 * text) {
            char w[300];
            return rk_error_set(err, RK_EPARSE,
                                "%s: column '%s': '%s' is text in a numeric column (%zu other "
                                "values are numbers)",
                                where(tb, first, w, sizeof w), nm, rk_table_cell(tb, first, j),
                                num);
        }
    }
    return RK_OK;
}

static rk_status load_subjects(rk_trial *t, const rk_trial_opts *o, rk_error *err)
{
    const rk_table *tb = t->subjects_table;
    size_t c_id, c_arm;
    rk_status st;
    if ((st = required(tb, "USUBJID", &c_id, err)) || (st = required(tb, "ARM", &c_arm, err)))
        return st;
    long c_site = rk_table_find(tb, "SITEID"), c_act = rk_table_find(tb, "ACTARM"),
         c_rand = rk_table_find(tb, "RANDDT"), c_trts = rk_table_find(tb, "TRTSDT"),
         c_trte = rk_table_find(tb, "TRTEDT"), c_dev = rk_table_find(tb, "MAJDEVFL");
    if ((st = set_arms(t, o, c_arm, err))) return st;
    size_t n = rk_table_nrows(tb);
    if (n == 0)
        return rk_error_set(err, RK_EINVAL, "%s: no subjects (the table has no rows)",
                            rk_table_source(tb));
    if (!(t->subjects = calloc(n, sizeof *t->subjects)))
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    subj_index *ix = calloc(1, sizeof *ix);
    if (!ix) return rk_error_set(err, RK_ENOMEM, "out of memory");
    t->index = ix;
    ix->cap = 16;
    while (ix->cap < 2 * n)
        ix->cap *= 2;
    if (!(ix->slot = calloc(ix->cap, sizeof *ix->slot)))
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    char w[300], arms[400];
    size_t undosed_rand = 0;
    for (size_t r = 0; r < n; r++) {
        rk_subject *s = &t->subjects[r];
        s->row = r;
        s->usubjid = rk_table_cell(tb, r, c_id);
        s->siteid = c_site >= 0 ? rk_table_cell(tb, r, (size_t)c_site) : "";
        if (rk_cell_is_missing(s->usubjid))
            return rk_error_set(err, RK_EINVAL, "%s: column 'USUBJID': empty subject ID",
                                where(tb, r, w, sizeof w));
        size_t m = ix->cap - 1, h = (size_t)fnv1a(s->usubjid) & m;
        for (; ix->slot[h]; h = (h + 1) & m)
            if (!strcmp(t->subjects[ix->slot[h] - 1].usubjid, s->usubjid)) {
                char w2[300];
                return rk_error_set(err, RK_EINVAL,
                                    "%s: column 'USUBJID': subject '%s' appears twice (first at "
                                    "%s)",
                                    where(tb, r, w, sizeof w), s->usubjid,
                                    where(tb, ix->slot[h] - 1, w2, sizeof w2));
            }
        ix->slot[h] = r + 1;
        t->n_subjects = r + 1;
        const char *a = rk_table_cell(tb, r, c_arm);
        s->arm = not_randomized(a) ? -1 : arm_index(t, a);
        if (!not_randomized(a) && s->arm < 0) {
            arms_list(t, arms, sizeof arms);
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'ARM': arm '%s' is not in the plan (arms: %s)",
                                where(tb, r, w, sizeof w), a, arms);
        }
        s->actarm = -1;
        if (c_act >= 0) {
            const char *aa = rk_table_cell(tb, r, (size_t)c_act);
            s->actarm = not_randomized(aa) ? -1 : arm_index(t, aa);
            if (!not_randomized(aa) && s->actarm < 0) {
                arms_list(t, arms, sizeof arms);
                return rk_error_set(err, RK_EINVAL,
                                    "%s: column 'ACTARM': arm '%s' is not in the plan (arms: "
                                    "%s)",
                                    where(tb, r, w, sizeof w), aa, arms);
            }
        }
        if ((st = cell_date(tb, r, c_rand, &s->randdt, err)) ||
            (st = cell_date(tb, r, c_trts, &s->trtsdt, err)) ||
            (st = cell_date(tb, r, c_trte, &s->trtedt, err)))
            return st;
        char d1[16], d2[16];
        if (s->randdt != RK_DATE_MISSING && s->trtsdt != RK_DATE_MISSING && s->trtsdt < s->randdt) {
            rk_format_date(s->trtsdt, d1, sizeof d1);
            rk_format_date(s->randdt, d2, sizeof d2);
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'TRTSDT': dates out of order: first dose %s is "
                                "before randomization (RANDDT %s)",
                                where(tb, r, w, sizeof w), d1, d2);
        }
        if (s->trtsdt != RK_DATE_MISSING && s->trtedt != RK_DATE_MISSING && s->trtedt < s->trtsdt) {
            rk_format_date(s->trtedt, d1, sizeof d1);
            rk_format_date(s->trtsdt, d2, sizeof d2);
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'TRTEDT': dates out of order: last dose %s is before "
                                "the first (TRTSDT %s)",
                                where(tb, r, w, sizeof w), d1, d2);
        }
        if (c_trts < 0 && s->trtedt != RK_DATE_MISSING)
            return rk_error_set(err, RK_EINVAL, "%s: TRTEDT without a TRTSDT column",
                                rk_table_source(tb));
        int dev;
        if ((st = cell_flag(tb, r, c_dev, &dev, err))) return st;
        s->majdev = dev == 1;
        /* populations by rule (issue 4): ITT = randomized; safety = any dose;
         * mITT = randomized and at least one dose; PP after the measurements */
        int randomized = s->arm >= 0 && (c_rand < 0 || s->randdt != RK_DATE_MISSING);
        int dosed = c_trts >= 0  ? s->trtsdt != RK_DATE_MISSING
                    : c_act >= 0 ? s->actarm >= 0
                                 : randomized;
        if (c_rand >= 0 && s->arm >= 0 && s->randdt == RK_DATE_MISSING)
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'RANDDT': subject '%s' has arm '%s' but no "
                                "randomization date",
                                where(tb, r, w, sizeof w), s->usubjid, a);
        if (randomized && !dosed) undosed_rand++;
        s->itt = (unsigned char)randomized;
        s->saf = (unsigned char)dosed;
        s->mitt = (unsigned char)(randomized && dosed);
    }
    if (c_trts < 0 && c_act < 0)
        return rk__trial_note(t, err,
                              "no TRTSDT or ACTARM column: every randomized subject is counted "
                              "as dosed (mITT = ITT, safety = ITT)");
    (void)undosed_rand;
    return check_covariates(tb, err);
}

/* Given flags win over the rule; disagreements become notes. */
static rk_status apply_given_flags(rk_trial *t, unsigned mask, rk_error *err)
{
    const rk_table *tb = t->subjects_table;
    static const char *names[4] = {"ITTFL", "MITTFL", "PPROTFL", "SAFFL"};
    for (int k = 0; k < 4; k++) {
        long c = rk_table_find(tb, names[k]);
        if (c < 0 || !(mask & (1u << k))) continue;
        size_t differ = 0;
        const char *first = NULL;
        for (size_t i = 0; i < t->n_subjects; i++) {
            rk_subject *s = &t->subjects[i];
            unsigned char *f = k == 0 ? &s->itt : k == 1 ? &s->mitt : k == 2 ? &s->pp : &s->saf;
            int g;
            rk_status st = cell_flag(tb, s->row, c, &g, err);
            if (st) return st;
            if (g < 0) g = 0;
            if (g != *f) {
                if (!differ++) first = s->usubjid;
                *f = (unsigned char)g;
            }
        }
        if (differ) {
            rk_status st = rk__trial_note(t, err,
                                          "%s as given differs from the rule for %zu subject%s "
                                          "(first: %s); the given flags are used",
                                          names[k], differ, differ == 1 ? "" : "s", first);
            if (st) return st;
        }
    }
    return RK_OK;
}

/* ---- adverse events ---- */

static int parse_related(const char *s, int *rel)
{
    static const char *yes[] = {"Y",
                                "YES",
                                "RELATED",
                                "POSSIBLE",
                                "PROBABLE",
                                "DEFINITE",
                                "POSSIBLY RELATED",
                                "PROBABLY RELATED",
                                "DEFINITELY RELATED"};
    static const char *no[] = {"N",         "NO",       "NOT RELATED",
                               "UNRELATED", "UNLIKELY", "UNLIKELY RELATED"};
    *rel = 0;
    if (rk_cell_is_missing(s)) return 1;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!strcasecmp(s, yes[i])) return *rel = 1;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (!strcasecmp(s, no[i])) return 1;
    return 0;
}

static rk_status load_aes(rk_trial *t, rk_error *err)
{
    const rk_table *tb = t->ae_table;
    size_t c_id, c_term, c_grade;
    rk_status st;
    char w[300];
    if ((st = required(tb, "USUBJID", &c_id, err))) return st;
    long ct = rk_table_find(tb, "AEDECOD");
    if (ct < 0) ct = rk_table_find(tb, "AETERM");
    if (ct < 0) return rk_table_column(tb, "AEDECOD", &c_term, err);
    c_term = (size_t)ct;
    long cg = rk_table_find(tb, "AETOXGR");
    if (cg < 0) cg = rk_table_find(tb, "ATOXGR");
    if (cg < 0) return rk_table_column(tb, "AETOXGR", &c_grade, err);
    c_grade = (size_t)cg;
    long c_st = rk_table_find(tb, "ASTDY"), c_en = rk_table_find(tb, "AENDY"),
         c_ser = rk_table_find(tb, "AESER"), c_rel = rk_table_find(tb, "AEREL");
    size_t n = rk_table_nrows(tb);
    if (n && !(t->aes = calloc(n, sizeof *t->aes)))
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    for (size_t r = 0; r < n; r++) {
        rk_ae *a = &t->aes[r];
        a->row = r;
        const char *id = rk_table_cell(tb, r, c_id);
        long s = rk__trial_subject(t, id);
        if (s < 0)
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'USUBJID': subject '%s' is not in the subjects file "
                                "%s",
                                where(tb, r, w, sizeof w), id, rk_table_source(t->subjects_table));
        a->subject = (size_t)s;
        a->term = rk_table_cell(tb, r, c_term);
        if (rk_cell_is_missing(a->term))
            return rk_error_set(err, RK_EINVAL, "%s: column '%s': empty adverse event term",
                                where(tb, r, w, sizeof w), rk_table_colname(tb, c_term));
        double g;
        if ((st = rk__cell_number(tb, r, c_grade, &g, err))) return st;
        if (!(g >= 1 && g <= 5 && g == floor(g)))
            return rk_error_set(err, RK_EINVAL,
                                "%s: column '%s': grade '%s' is not 1, 2, 3, 4 or 5",
                                where(tb, r, w, sizeof w), rk_table_colname(tb, c_grade),
                                rk_table_cell(tb, r, c_grade));
        a->grade = (int)g;
        a->astdy = a->aendy = NAN;
        if (c_st >= 0 && (st = rk__cell_number(tb, r, (size_t)c_st, &a->astdy, err))) return st;
        if (c_en >= 0 && (st = rk__cell_number(tb, r, (size_t)c_en, &a->aendy, err))) return st;
        if (a->astdy > a->aendy) /* false when either is NaN */
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'AENDY': dates out of order: the event ends on day "
                                "%g, before it starts (ASTDY %g)",
                                where(tb, r, w, sizeof w), a->aendy, a->astdy);
        int ser;
        if ((st = cell_flag(tb, r, c_ser, &ser, err))) return st;
        a->serious = ser == 1;
        int rel = 0;
        if (c_rel >= 0 && !parse_related(rk_table_cell(tb, r, (size_t)c_rel), &rel))
            return rk_error_set(err, RK_EINVAL,
                                "%s: column 'AEREL': '%s' is not a relatedness (Y/N, RELATED, "
                                "NOT RELATED, POSSIBLE, PROBABLE, DEFINITE, UNLIKELY)",
                                where(tb, r, w, sizeof w), rk_table_cell(tb, r, (size_t)c_rel));
        a->related = (unsigned char)rel;
        a->trtem = t->subjects[s].saf && !(a->astdy < 1);
        t->n_aes = r + 1;
    }
    return RK_OK;
}

/* ---- entry points ---- */

rk_status rk_trial_from_tables(rk_table *subjects, rk_table *measurements, rk_table *ae,
                               const rk_trial_opts *opts, rk_trial **out, rk_error *err)
{
    *out = NULL;
    rk_trial_opts def;
    if (!opts) {
        rk_trial_opts_init(&def);
        opts = &def;
    }
    rk_trial *t = calloc(1, sizeof *t);
    if (!t) {
        rk_table_free(subjects);
        rk_table_free(measurements);
        rk_table_free(ae);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    t->subjects_table = subjects;
    t->measures_table = measurements;
    t->ae_table = ae;
    rk_status st = load_subjects(t, opts, err);
    /* given ITTFL, MITTFL, SAFFL before the measurements (LOCF is for mITT), PPROTFL after */
    if (!st) st = apply_given_flags(t, 0xB, err);
    if (!st && measurements) st = rk__trial_measures(t, opts, err);
    if (!st && !measurements && rk_table_find(subjects, "PPROTFL") < 0)
        st = rk__trial_note(t, err,
                            "no measurements and no PPROTFL: the per-protocol "
                            "population is empty");
    if (!st) st = apply_given_flags(t, 0x4, err);
    if (!st && ae) st = load_aes(t, err);
    if (st) {
        rk_trial_free(t);
        return st;
    }
    *out = t;
    return RK_OK;
}

rk_status rk_trial_read(const char *subjects, const char *measurements, const char *ae,
                        const rk_trial_opts *opts, rk_trial **out, rk_error *err)
{
    *out = NULL;
    rk_table *s = NULL, *m = NULL, *a = NULL;
    rk_status st = rk_data_read(subjects, RK_FILE_AUTO, &s, err);
    if (!st && measurements) st = rk_data_read(measurements, RK_FILE_AUTO, &m, err);
    if (!st && ae) st = rk_data_read(ae, RK_FILE_AUTO, &a, err);
    if (st) {
        rk_table_free(s);
        rk_table_free(m);
        rk_table_free(a);
        return st;
    }
    return rk_trial_from_tables(s, m, a, opts, out, err);
}

/* ---- derived tables ---- */

static const char *flag_text(int f)
{
    return f ? "Y" : "N";
}

rk_status rk_trial_adsl(const rk_trial *t, rk_table **out, rk_error *err)
{
    *out = NULL;
    const rk_table *src = t->subjects_table;
    static const char *flags[4] = {"ITTFL", "MITTFL", "PPROTFL", "SAFFL"};
    size_t nc = rk_table_ncols(src), extra = 0;
    const char *names[512 + 4];
    long fcol[4];
    if (nc > 512) return rk_error_set(err, RK_ERANGE, "more than 512 columns");
    for (size_t j = 0; j < nc; j++)
        names[j] = rk_table_colname(src, j);
    for (int k = 0; k < 4; k++) {
        fcol[k] = rk_table_find(src, flags[k]);
        if (fcol[k] < 0) {
            fcol[k] = (long)(nc + extra);
            names[nc + extra++] = flags[k];
        }
    }
    rk_table *o;
    rk_status st = rk_table_new(rk_table_source(src), nc + extra, names, &o, err);
    if (st) return st;
    for (size_t j = 0; j < nc && !st; j++) {
        rk_table_set_coltype(o, j, rk_table_coltype(src, j));
        if (*rk_table_label(src, j)) st = rk_table_set_label(o, j, rk_table_label(src, j), err);
    }
    const char *row[512 + 4];
    for (size_t i = 0; i < t->n_subjects && !st; i++) {
        const rk_subject *s = &t->subjects[i];
        for (size_t j = 0; j < nc; j++)
            row[j] = rk_table_cell(src, s->row, j);
        row[fcol[0]] = flag_text(s->itt);
        row[fcol[1]] = flag_text(s->mitt);
        row[fcol[2]] = flag_text(s->pp);
        row[fcol[3]] = flag_text(s->saf);
        st = rk_table_add_row(o, row, rk_table_line(src, s->row), err);
    }
    if (st) {
        rk_table_free(o);
        return st;
    }
    *out = o;
    return RK_OK;
}

static void fmt_num(double v, char *buf, size_t n)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    for (int prec = 10; prec <= 17; prec++) { /* shortest that reads back */
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

rk_status rk_trial_bds(const rk_trial *t, rk_table **out, rk_error *err)
{
    *out = NULL;
    static const char *names[] = {"USUBJID", "ARM",     "PARAMCD", "AVISIT", "ADY",
                                  "AVAL",    "ABLFL",   "BASE",    "CHG",    "PCHG",
                                  "DTYPE",   "ANL01FL", "CRIT1FL"};
    size_t nc = sizeof names / sizeof *names;
    rk_table *o;
    rk_status st = rk_table_new("derived measurements", nc, names, &o, err);
    if (st) return st;
    char num[5][32];
    for (size_t i = 0; i < t->n_measures && !st; i++) {
        const rk_measure *m = &t->measures[i];
        const rk_subject *s = &t->subjects[m->subject];
        fmt_num(m->ady, num[0], 32);
        fmt_num(m->aval, num[1], 32);
        fmt_num(m->base, num[2], 32);
        fmt_num(m->chg, num[3], 32);
        fmt_num(m->pchg, num[4], 32);
        const char *row[] = {s->usubjid,
                             s->arm >= 0 ? t->arms[s->arm] : "",
                             t->params[m->param],
                             m->visit >= 0 ? t->visits[m->visit] : "",
                             num[0],
                             num[1],
                             m->ablfl ? "Y" : "",
                             num[2],
                             num[3],
                             num[4],
                             m->locf ? "LOCF" : "",
                             m->anl01fl ? "Y" : "",
                             m->crit1fl < 0 ? "" : flag_text(m->crit1fl)};
        st = rk_table_add_row(o, row, i + 2, err);
    }
    if (st) {
        rk_table_free(o);
        return st;
    }
    *out = o;
    return RK_OK;
}

rk_status rk_trial_adtte(const rk_trial *t, rk_table **out, rk_error *err)
{
    *out = NULL;
    static const char *names[] = {"USUBJID", "ARM", "PARAMCD", "AVAL", "CNSR"};
    rk_table *o;
    rk_status st = rk_table_new("derived time to improvement", 5, names, &o, err);
    if (st) return st;
    char num[32];
    for (size_t i = 0; i < t->n_tti && !st; i++) {
        const rk_tte *e = &t->tti[i];
        const rk_subject *s = &t->subjects[e->subject];
        fmt_num(e->time, num, sizeof num);
        const char *row[] = {s->usubjid, s->arm >= 0 ? t->arms[s->arm] : "", "TTCLIMP", num,
                             e->censored ? "1" : "0"};
        st = rk_table_add_row(o, row, i + 2, err);
    }
    if (st) {
        rk_table_free(o);
        return st;
    }
    *out = o;
    return RK_OK;
}
