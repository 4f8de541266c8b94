/* The synthetic demo trial: patient-level ADaM-style CSV files calibrated to the published design
 * and summaries of the seed phase 2 UC-MSC trial (Shi et al. 2021), generated deterministically
 * from a seed with libsodium's randombytes_buf_deterministic.  Synthetic data, not patients. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <sodium.h>

#include "rctkit/data.h"
#include "rctkit/report.h"

void rk_sim_opts_init(rk_sim_opts *o)
{
    o->seed = 20200305; /* the trial's first screening day */
    o->n_random = 101;
    o->extra_visits = 0;
}

/* ---------------------------------------------------------------- rng */

typedef struct rng {
    unsigned char key[randombytes_SEEDBYTES];
    uint64_t block;
    unsigned char buf[4096];
    size_t pos;
} rng;

static void rng_init(rng *r, uint64_t seed, const char *stream)
{
    unsigned char in[64];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 8; i++)
        in[i] = (unsigned char)(seed >> (8 * i));
    size_t sl = strlen(stream);
    memcpy(in + 8, stream, sl < 56 ? sl : 56);
    crypto_generichash(r->key, sizeof r->key, in, sizeof in, NULL, 0);
    r->block = 0;
    r->pos = sizeof r->buf;
}

static uint64_t rng_u64(rng *r)
{
    if (r->pos + 8 > sizeof r->buf) {
        unsigned char k[randombytes_SEEDBYTES];
        memcpy(k, r->key, sizeof k);
        for (int i = 0; i < 8; i++)
            k[i] ^= (unsigned char)(r->block >> (8 * i));
        randombytes_buf_deterministic(r->buf, sizeof r->buf, k);
        r->block++;
        r->pos = 0;
    }
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)r->buf[r->pos + (size_t)i] << (8 * i);
    r->pos += 8;
    return x;
}

/* Uniform in (0, 1). */
static double rng_unif(rng *r)
{
    return ((double)(rng_u64(r) >> 11) + 0.5) * 0x1p-53;
}

static size_t rng_below(rng *r, size_t n)
{
    return (size_t)(rng_unif(r) * (double)n) % n;
}

static void shuffle(rng *r, size_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_below(r, i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* Stratified uniforms for n draws: one in each of n equal slices, in random order, so that the
 * sample quantiles sit close to the target distribution's. */
static void strat_unif(rng *r, double *u, size_t n)
{
    size_t *perm = malloc((n + 1) * sizeof *perm);
    if (!perm) {
        for (size_t i = 0; i < n; i++)
            u[i] = rng_unif(r);
        return;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    shuffle(r, perm, n);
    for (size_t i = 0; i < n; i++)
        u[i] = ((double)perm[i] + rng_unif(r)) / (double)n;
    free(perm);
}

/* Piecewise-linear quantile function through (0, min), (.25, q1), (.5, med), (.75, q3), (1, max).
 */
static double qpl(const double q[5], double u)
{
    double pos = u * 4.0;
    int k = (int)pos;
    if (k >= 4) return q[4];
    double f = pos - k;
    return q[k] + f * (q[k + 1] - q[k]);
}

static double round_to(double x, int dec)
{
    double m = pow(10.0, dec);
    return round(x * m) / m;
}

/* -------------------------------------------------------------- specs */

/* A continuous baseline variable: per arm (UC-MSC, placebo) either mean, sd (kind 0) or
 * min, q1, median, q3, max (kind 1); available counts out of the seed's mITT 65 / 35. */
typedef struct cspec {
    const char *name;
    int kind;
    double a[2][5];
    int avail[2];
    int mgroup; /* 0: own missingness; 1: lymphocyte subsets share it */
    int dec;
} cspec;

static const cspec cont[] = {
    {"AGE", 0, {{60.72, 9.14}, {59.94, 7.79}}, {65, 35}, 0, 0},
    {"BMI", 0, {{24.71, 3.19}, {25.01, 3.12}}, {59, 33}, 0, 1},
    {"ONSETDY", 1, {{20, 39, 45, 51, 70}, {22, 41, 47, 53, 72}}, {65, 35}, 0, 0},
    {"TLESBL", 1, {{1.5, 11.62, 26.31, 38.42, 75}, {1.5, 11.57, 27.98, 44.14, 78}}, {65, 35}, 0, 2},
    {"SLESBL", 1, {{0.05, 0.69, 2.59, 5.20, 18}, {0.05, 0.77, 2.52, 4.91, 17}}, {65, 35}, 0, 2},
    {"WBC", 1, {{3.0, 5.00, 5.70, 6.60, 10.5}, {3.1, 5.00, 5.80, 6.80, 10.8}}, {65, 35}, 0, 1},
    {"LYMPH", 1, {{0.6, 1.19, 1.39, 1.80, 3.2}, {0.6, 1.24, 1.47, 1.84, 3.1}}, {65, 35}, 0, 2},
    {"CD4", 1, {{150, 482, 641, 760, 1400}, {160, 502, 734, 1031, 1600}}, {62, 34}, 1, 0},
    {"CD8", 1, {{90, 275, 371, 520, 1100}, {100, 307, 401, 593, 1150}}, {62, 34}, 1, 0},
    {"BCELL", 1, {{30, 99.6, 148.5, 251, 520}, {28, 94.7, 148.5, 248, 500}}, {62, 34}, 1, 1},
    {"NKCELL", 1, {{40, 151, 233.5, 393, 800}, {35, 136, 197.5, 309, 700}}, {62, 34}, 1, 1},
    {"NEUT", 1, {{1.5, 2.91, 3.48, 4.32, 7.5}, {1.4, 2.85, 3.83, 4.48, 7.8}}, {65, 35}, 0, 2},
    {"PLT", 1, {{100, 174, 214, 255, 380}, {105, 176, 210, 247, 370}}, {65, 35}, 0, 0},
    {"HGB", 0, {{122.68, 14.44}, {124.26, 11.83}}, {65, 35}, 0, 0},
    {"DDIMER", 1, {{0.1, 0.36, 0.58, 1.11, 4.5}, {0.1, 0.31, 0.56, 1.12, 4.2}}, {55, 29}, 0, 2},
    {"IL6", 1, {{1.5, 5.63, 7.86, 9.84, 25}, {1.6, 6.54, 8.76, 11.77, 28}}, {64, 35}, 0, 2},
    {"CRP", 1, {{0.1, 0.84, 1.95, 3.53, 12}, {0.1, 0.68, 1.38, 2.26, 10}}, {27, 14}, 0, 2},
};
#define NCONT (sizeof cont / sizeof cont[0])

/* Yes/no baseline variables: "Y" counts per arm, available counts; parent: the yes set it is
 * drawn inside (-1: all). mgroup 2: the serology tests share their missingness. */
typedef struct bspec {
    const char *name;
    int count[2], avail[2];
    int parent;
    int mgroup;
} bspec;

static const bspec bins[] = {
    {"COMORB", {34, 18}, {65, 35}, -1, 0},  {"HTN", {17, 10}, {65, 35}, 0, 0},
    {"DIAB", {12, 5}, {65, 35}, 0, 0},      {"CHRBRON", {2, 3}, {65, 35}, 0, 0},
    {"COPD", {2, 0}, {65, 35}, 0, 0},       {"ANTIVIR", {32, 20}, {65, 35}, -1, 0},
    {"ANTIBIO", {27, 12}, {65, 35}, -1, 0}, {"CORTICO", {13, 9}, {65, 35}, -1, 0},
    {"IGG", {63, 34}, {63, 34}, -1, 2},     {"IGM", {58, 32}, {63, 34}, -1, 2},
    {"NAT", {47, 20}, {65, 35}, -1, 0},     {"SEX", {37, 19}, {65, 35}, -1, 0},
};
#define SEX_INDEX 11 /* written as SEX = M (yes) / F (no) */
#define NBIN (sizeof bins / sizeof bins[0])

/* Adverse events (preferred term, subjects with a grade 1-2 event per arm), seed Table 3. */
typedef struct aespec {
    const char *term;
    int count[2];
} aespec;

static const aespec aes[] = {
    {"Increased lactic acid dehydrogenase", {9, 7}},
    {"Increased alanine aminotransferase", {7, 4}},
    {"Hypokalaemia", {6, 1}},
    {"Increased aspartate aminotransferase", {5, 4}},
    {"Increased serum uric acid", {5, 3}},
    {"Diarrhea", {4, 0}},
    {"Palpitations", {3, 0}},
    {"Increased gamma-glutamyl transferase", {2, 1}},
    {"Dizziness", {2, 0}},
    {"Cough", {2, 1}},
    {"Abdominal distention", {2, 0}},
    {"Anemia", {2, 0}},
    {"Metabolic alkalosis", {1, 0}},
    {"Urinary tract infection", {1, 0}},
    {"Bacterial infection", {1, 0}},
    {"Pharyngitis", {1, 0}},
    {"Increased heart rate", {1, 0}},
    {"Creatine phosphate stimulation", {1, 1}},
    {"Elevated blood urea", {1, 1}},
    {"Poor sleep quality", {1, 0}},
    {"Taste reversal", {1, 0}},
    {"Chest musculoskeletal", {1, 0}},
    {"Pulmonary edema", {1, 0}},
    {"Pharyngeal diseases", {1, 0}},
    {"Anxious", {1, 0}},
    {"Nervous", {1, 0}},
    {"Rash", {1, 0}},
    {"Thirsty", {1, 0}},
    {"Nausea", {1, 0}},
    {"Countercurrent", {1, 0}},
    {"Non-infectious gingivitis", {1, 0}},
    {"Abdominal pain", {1, 0}},
    {"Functional gastrointestinal turbulence", {1, 0}},
    {"Vomit", {1, 0}},
    {"Gastroesophageal reflux disease", {1, 1}},
    {"Toothache", {1, 0}},
    {"Heart failure", {1, 0}},
    {"Hypocalcemia", {0, 2}},
    {"Hepatic cyst", {0, 2}},
    {"Elevated serum creatinine", {0, 1}},
    {"Respiratory alkalosis", {0, 1}},
    {"Pleural effusion", {0, 1}},
    {"Difficulty in falling asleep", {0, 1}},
    {"Pruritus", {0, 3}},
};
#define NAE (sizeof aes / sizeof aes[0])

/* ------------------------------------------------------------ subjects */

typedef struct subj {
    int arm;       /* 0 UC-MSC, 1 placebo */
    int treated;   /* mITT / safety */
    int majdev;    /* a major protocol deviation (MAJDEVFL = Y) */
    int ct_status; /* 0 day-28 CT observed in its window, 1 missed, 2 done outside the window */
    int site;
    int day; /* randomization day offset */
} subj;

typedef struct sim {
    rng r;
    size_t n, nt[2]; /* randomized; treated per arm */
    subj *s;
    size_t *treated[2];  /* subject indices of treated subjects per arm */
    double *cval[NCONT]; /* per subject, NAN missing */
    int *bval[NBIN];     /* per subject: 1 yes, 0 no, -1 missing */
    int *scale_bl;
} sim;

/* Scale a count given for the seed's arm size (65 or 35) to this arm's size. */
static size_t scale_count(int k, int base, size_t n)
{
    double x = (double)k * (double)n / (double)base;
    size_t r = (size_t)floor(x + 0.5);
    return r > n ? n : r;
}

static const int seed_n[2] = {65, 35};

/* Choose exactly k of the m indices in `from` (random order): out[0..k-1]. */
static void choose(rng *r, const size_t *from, size_t m, size_t k, size_t *out)
{
    size_t *tmp = malloc((m + 1) * sizeof *tmp);
    if (!tmp) return;
    memcpy(tmp, from, m * sizeof *tmp);
    shuffle(r, tmp, m);
    memcpy(out, tmp, (k < m ? k : m) * sizeof *out);
    free(tmp);
}

static rk_status gen_baseline(sim *S, rk_error *err)
{
    size_t n = S->n;
    for (size_t v = 0; v < NCONT; v++) {
        S->cval[v] = malloc((n + 1) * sizeof(double));
        if (!S->cval[v]) return rk_error_set(err, RK_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            S->cval[v][i] = NAN;
    }
    for (size_t v = 0; v < NBIN; v++) {
        S->bval[v] = malloc((n + 1) * sizeof(int));
        if (!S->bval[v]) return rk_error_set(err, RK_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            S->bval[v][i] = -1;
    }
    S->scale_bl = malloc((n + 1) * sizeof(int));
    size_t m = S->nt[0] > S->nt[1] ? S->nt[0] : S->nt[1];
    double *u = malloc((m + 1) * sizeof *u);
    size_t *pick = malloc((m + 1) * sizeof *pick), *miss1[2] = {NULL, NULL},
           *miss2[2] = {NULL, NULL};
    int *flag = malloc((n + 1) * sizeof *flag);
    if (!S->scale_bl || !u || !pick || !flag) {
        free(u);
        free(pick);
        free(flag);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    for (int a = 0; a < 2; a++) {
        size_t nt = S->nt[a];
        const size_t *T = S->treated[a];
        /* shared missingness groups: the first n - avail subjects of a shuffled copy */
        miss1[a] = malloc((nt + 1) * sizeof(size_t));
        miss2[a] = malloc((nt + 1) * sizeof(size_t));
        if (!miss1[a] || !miss2[a]) break;
        memcpy(miss1[a], T, nt * sizeof(size_t));
        memcpy(miss2[a], T, nt * sizeof(size_t));
        shuffle(&S->r, miss1[a], nt);
        shuffle(&S->r, miss2[a], nt);
        for (size_t v = 0; v < NCONT; v++) {
            const cspec *c = &cont[v];
            size_t avail = scale_count(c->avail[a], seed_n[a], nt);
            const size_t *order;
            if (c->mgroup == 1)
                order = miss1[a] + (nt - avail);
            else {
                choose(&S->r, T, nt, avail, pick);
                order = pick;
            }
            strat_unif(&S->r, u, avail);
            for (size_t i = 0; i < avail; i++) {
                double x = c->kind == 0 ? c->a[a][0] + c->a[a][1] * gsl_cdf_ugaussian_Pinv(u[i])
                                        : qpl(c->a[a], u[i]);
                S->cval[v][order[i]] = round_to(x, c->dec);
            }
        }
        for (size_t v = 0; v < NBIN; v++) {
            const bspec *b = &bins[v];
            size_t avail = scale_count(b->avail[a], seed_n[a], nt);
            size_t k = scale_count(b->count[a], seed_n[a], nt);
            const size_t *pool;
            size_t npool = 0;
            size_t *avail_set = malloc((nt + 1) * sizeof(size_t));
            if (!avail_set) break;
            if (b->mgroup == 2)
                memcpy(avail_set, miss2[a] + (nt - avail), avail * sizeof(size_t));
            else
                choose(&S->r, T, nt, avail, avail_set);
            for (size_t i = 0; i < avail; i++)
                S->bval[v][avail_set[i]] = 0;
            if (b->parent >= 0) {
                /* inside the parent's yes set (and available) */
                size_t *ps = malloc((nt + 1) * sizeof(size_t));
                if (!ps) {
                    free(avail_set);
                    break;
                }
                for (size_t i = 0; i < nt; i++)
                    if (S->bval[b->parent][T[i]] == 1 && S->bval[v][T[i]] == 0) ps[npool++] = T[i];
                if (k > npool) k = npool;
                choose(&S->r, ps, npool, k, pick);
                free(ps);
            } else {
                pool = avail_set;
                npool = avail;
                if (k > npool) k = npool;
                choose(&S->r, pool, npool, k, pick);
            }
            for (size_t i = 0; i < k; i++)
                S->bval[v][pick[i]] = 1;
            free(avail_set);
        }
        /* six-category scale at baseline: 2, 3, 4 */
        size_t k2 = scale_count(a ? 10 : 14, seed_n[a], nt),
               k4 = scale_count(a ? 0 : 1, seed_n[a], nt);
        memcpy(pick, T, nt * sizeof(size_t));
        shuffle(&S->r, pick, nt);
        for (size_t i = 0; i < nt; i++)
            S->scale_bl[pick[i]] = i < k2 ? 2 : (i < k2 + k4 ? 4 : 3);
    }
    for (int a = 0; a < 2; a++) {
        free(miss1[a]);
        free(miss2[a]);
    }
    /* untreated (withdrawn) subjects: plain draws from their arm's targets */
    for (size_t i = 0; i < n; i++) {
        if (S->s[i].treated) continue;
        int a = S->s[i].arm;
        for (size_t v = 0; v < NCONT; v++) {
            const cspec *c = &cont[v];
            double x = c->kind == 0
                           ? c->a[a][0] + c->a[a][1] * gsl_cdf_ugaussian_Pinv(rng_unif(&S->r))
                           : qpl(c->a[a], rng_unif(&S->r));
            S->cval[v][i] = round_to(x, c->dec);
        }
        for (size_t v = 0; v < NBIN; v++)
            S->bval[v][i] = rng_unif(&S->r) < (double)bins[v].count[a] / bins[v].avail[a];
        S->scale_bl[i] = 3;
    }
    free(u);
    free(pick);
    free(flag);
    return RK_OK;
}

/* ------------------------------------------------------------ writing */

typedef struct outf {
    FILE *f;
    char *path, *tmp;
} outf;

static rk_status out_open(outf *o, const char *dir, const char *name, rk_error *err)
{
    size_t n = strlen(dir) + strlen(name) + 8;
    o->path = malloc(n);
    o->tmp = malloc(n + 4);
    if (!o->path || !o->tmp) return rk_error_set(err, RK_ENOMEM, "out of memory");
    snprintf(o->path, n, "%s/%s", dir, name);
    snprintf(o->tmp, n + 4, "%s.tmp", o->path);
    o->f = fopen(o->tmp, "wb");
    if (!o->f) return rk_error_set(err, RK_EIO, "%s: cannot create: %s", o->tmp, strerror(errno));
    return RK_OK;
}

static rk_status out_close(outf *o, int ok, rk_error *err)
{
    rk_status st = RK_OK;
    if (o->f) {
        int bad = ferror(o->f) | fclose(o->f);
        if (ok && bad) st = rk_error_set(err, RK_EIO, "%s: write error", o->tmp);
        if (ok && !st && rename(o->tmp, o->path))
            st = rk_error_set(err, RK_EIO, "%s: cannot rename: %s", o->path, strerror(errno));
        if (!ok || st) remove(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    o->f = NULL;
    o->path = o->tmp = NULL;
    return st;
}

static const char *const arm_code[2] = {"UC-MSC", "Placebo"};

static void put_num(FILE *f, double x, int dec)
{
    if (isfinite(x)) fprintf(f, "%.*f", dec, x);
}

static void subj_id(char *b, size_t n, size_t i)
{
    snprintf(b, n, "MSC-%04zu", i + 1);
}

static void write_adsl(sim *S, FILE *f)
{
    /* as collected: arms, dates and deviations, no population flags (the report derives them).
     * ARM/ACTARM (what the data layer reads) and TRT01P/TRT01A (the ADaM treatment variables) */
    fprintf(f, "USUBJID,SITEID,ARM,ACTARM,TRT01P,TRT01A,RANDDT,TRTSDT,TRTEDT,MAJDEVFL,SEX");
    for (size_t v = 0; v < NCONT; v++)
        fprintf(f, ",%s", cont[v].name);
    for (size_t v = 0; v < NBIN; v++)
        if (v != SEX_INDEX) fprintf(f, ",%s", bins[v].name);
    fprintf(f, ",SCALEBL\n");
    long day0 = 0; /* 2020-03-05, the first randomization */
    rk_parse_date("2020-03-05", &day0, NULL);
    for (size_t i = 0; i < S->n; i++) {
        const subj *s = &S->s[i];
        char id[32];
        subj_id(id, sizeof id, i);
        int d = s->day % 24;
        char rd[16], ed[16];
        rk_format_date(day0 + d, rd, sizeof rd);
        rk_format_date(day0 + d + 6, ed, sizeof ed);
        fprintf(f, "%s,%02d,%s,%s,%s,%s,%s,", id, s->site + 1, arm_code[s->arm],
                s->treated ? arm_code[s->arm] : "Not Treated", arm_code[s->arm],
                s->treated ? arm_code[s->arm] : "", rd);
        /* three infusions on days 0, 3 and 6 */
        if (s->treated)
            fprintf(f, "%s,%s", rd, ed);
        else
            fputc(',', f);
        fprintf(f, ",%s,%s", s->majdev ? "Y" : "N", S->bval[SEX_INDEX][i] ? "M" : "F");
        for (size_t v = 0; v < NCONT; v++) {
            fputc(',', f);
            put_num(f, S->cval[v][i], cont[v].dec);
        }
        for (size_t v = 0; v < NBIN; v++)
            if (v != SEX_INDEX)
                fprintf(f, ",%s", S->bval[v][i] < 0 ? "" : (S->bval[v][i] ? "Y" : "N"));
        fprintf(f, ",%d\n", S->scale_bl[i]);
    }
}

/* One collected measurement: subject, parameter, study day, value. */
static void meas(FILE *f, const char *id, const char *param, int ady, double aval, int dec)
{
    fprintf(f, "%s,%s,%d,", id, param, ady);
    put_num(f, aval, dec);
    fputc('\n', f);
}

/* Outcome targets per arm: min, q1, median, q3, max of the day-28 value (or percent change). */
static const double pchg_tles[2][5] = {{-96, -53.40, -19.40, -2.62, 90},
                                       {-95, -46.59, -7.30, 19.12, 120}};
static const double pchg_sles[2][5] = {{-99, -74.95, -57.70, -36.56, 60},
                                       {-99, -62.24, -44.45, -8.82, 90}};
static const double pchg_ggo[2][5] = {{-97, -51.55, -14.95, 7.29, 110},
                                      {-96, -43.99, -3.94, 32.55, 140}};
static const double walk[2][5] = {{300, 392, 420, 465, 560}, {280, 352, 403, 447, 540}};
static const double vcmax[2][5] = {{1.3, 2.13, 2.57, 3.04, 4.4}, {1.2, 2.05, 2.49, 2.76, 4.1}};
static const double o2dur[2][5] = {{3, 13, 22, 32, 50}, {4, 16, 31, 36, 52}};

/* Values for the treated subjects T[0..nt-1] of one arm: `avail` of them get a value. */
static void outcome(sim *S, const size_t *T, size_t nt, size_t avail, int kind, const double *q,
                    double *out)
{
    size_t *pick = malloc((nt + 1) * sizeof *pick);
    double *u = malloc((nt + 1) * sizeof *u);
    if (!pick || !u) {
        free(pick);
        free(u);
        return;
    }
    for (size_t i = 0; i < S->n; i++)
        out[i] = NAN;
    choose(&S->r, T, nt, avail, pick);
    strat_unif(&S->r, u, avail);
    for (size_t i = 0; i < avail; i++)
        out[pick[i]] = kind == 0 ? q[0] + q[1] * gsl_cdf_ugaussian_Pinv(u[i]) : qpl(q, u[i]);
    free(pick);
    free(u);
}

/* Categorical outcome with exact counts per level (seed counts of 65 / 35, scaled). */
static void outcome_cat(sim *S, const size_t *T, size_t nt, const int *counts, size_t nlev,
                        int base, double first_level, double *out)
{
    size_t *pick = malloc((nt + 1) * sizeof *pick);
    if (!pick) return;
    memcpy(pick, T, nt * sizeof *pick);
    shuffle(&S->r, pick, nt);
    size_t k = 0;
    for (size_t l = 0; l < nlev; l++) {
        size_t c = scale_count(counts[l], base, nt);
        for (size_t j = 0; j < c && k < nt; j++)
            out[pick[k++]] = first_level + (double)l;
    }
    free(pick);
}

static rk_status write_meas(sim *S, FILE *f, size_t extra, rk_error *err)
{
    size_t n = S->n;
    double *v[9];
    for (int k = 0; k < 9; k++) {
        v[k] = malloc((n + 1) * sizeof(double));
        if (!v[k]) {
            for (int j = 0; j < k; j++)
                free(v[j]);
            return rk_error_set(err, RK_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
            v[k][i] = NAN;
    }
    /* 0-2 lesion percent changes, 3 walk, 4 vcmax, 5 dlco, 6 o2dur, 7 spo2, 8 scale10; mmrc in
     * v[2]'s place is separate below */
    double *mmrc = malloc((n + 1) * sizeof *mmrc);
    if (!mmrc) {
        for (int k = 0; k < 9; k++)
            free(v[k]);
        return rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        mmrc[i] = NAN;
    for (int a = 0; a < 2; a++) {
        const size_t *T = S->treated[a];
        size_t nt = S->nt[a];
        double tmp[5];
        double *buf = malloc((n + 1) * sizeof *buf);
        if (!buf) break;
#define MERGE(dst)                                                                                 \
    for (size_t i_ = 0; i_ < nt; i_++)                                                             \
        if (isfinite(buf[T[i_]])) (dst)[T[i_]] = buf[T[i_]];
        outcome(S, T, nt, nt, 1, pchg_tles[a], buf);
        MERGE(v[0]);
        outcome(S, T, nt, nt, 1, pchg_sles[a], buf);
        MERGE(v[1]);
        outcome(S, T, nt, nt, 1, pchg_ggo[a], buf);
        MERGE(v[2]);
        outcome(S, T, nt, nt, 1, walk[a], buf);
        /* the seed's three patients who could not complete the test: 0 m */
        {
            size_t zeros = scale_count(a ? 1 : 2, seed_n[a], nt), z = 0;
            for (size_t i = 0; i < nt && z < zeros; i++)
                if (i % 7 == 3) {
                    buf[T[i]] = 0;
                    z++;
                }
        }
        MERGE(v[3]);
        outcome(S, T, nt, scale_count(a ? 31 : 53, seed_n[a], nt), 1, vcmax[a], buf);
        MERGE(v[4]);
        tmp[0] = a ? 5.06 : 5.12;
        tmp[1] = a ? 1.57 : 1.62;
        outcome(S, T, nt, scale_count(a ? 27 : 53, seed_n[a], nt), 0, tmp, buf);
        MERGE(v[5]);
        outcome(S, T, nt, scale_count(a ? 11 : 29, seed_n[a], nt), 1, o2dur[a], buf);
        MERGE(v[6]);
        tmp[0] = a ? 96.97 : 97.10;
        tmp[1] = a ? 1.29 : 1.31;
        outcome(S, T, nt, scale_count(a ? 35 : 61, seed_n[a], nt), 0, tmp, buf);
        MERGE(v[7]);
#undef MERGE
        static const int sc10[2][4] = {{11, 8, 44, 2}, {6, 6, 23, 0}};
        outcome_cat(S, T, nt, sc10[a], 4, seed_n[a], 1, v[8]);
        /* mMRC: available 61 / 35 */
        static const int mm[2][5] = {{29, 24, 5, 3, 0}, {13, 16, 4, 1, 1}};
        size_t avail = scale_count(a ? 35 : 61, seed_n[a], nt);
        size_t *pk = malloc((nt + 1) * sizeof *pk);
        if (pk) {
            choose(&S->r, T, nt, avail, pk);
            outcome_cat(S, pk, avail, mm[a], 5, a ? 35 : 61, 0, mmrc);
            free(pk);
        }
        free(buf);
    }
    fprintf(f, "USUBJID,PARAMCD,ADY,AVAL\n");
    static const char *const lp[3] = {"TLESPRP", "SLESPRP", "GGOPRP"};
    for (size_t i = 0; i < n; i++) {
        char id[32];
        subj_id(id, sizeof id, i);
        const subj *s = &S->s[i];
        double bl[3];
        bl[0] = S->cval[3][i];
        bl[1] = S->cval[4][i];
        bl[2] = round_to(bl[0] - bl[1], 2);
        if (bl[2] <= 0) bl[2] = 0.01;
        for (int k = 0; k < 3; k++) {
            meas(f, id, lp[k], 0, bl[k], 4);
            if (!s->treated) continue;
            /* proportions of the lung volume stay <= 100% */
            double d28 = round_to(fmin(bl[k] * (1 + v[k][i] / 100.0), 100.0), 4);
            double d10 = round_to(fmin(bl[k] * (1 + 0.5 * v[k][i] / 100.0), 100.0), 4);
            if (s->ct_status == 1) {
                /* day-28 scan missed: the day-10 scan is the last observation (carried forward
                 * to day 28 by the derivation); it gets the outcome drawn for the patient */
                meas(f, id, lp[k], 10, d28, 4);
            } else {
                meas(f, id, lp[k], 10, d10, 4);
                meas(f, id, lp[k], s->ct_status == 2 ? 38 : 28, d28, 4);
            }
        }
        if (!s->treated) continue;
        meas(f, id, "WALK6M", 28, round(v[3][i]), 0);
        if (isfinite(v[4][i])) meas(f, id, "VCMAX", 28, v[4][i], 2);
        if (isfinite(v[5][i])) meas(f, id, "DLCO", 28, v[5][i], 2);
        if (isfinite(v[6][i])) meas(f, id, "O2DUR", 28, round(v[6][i]), 0);
        if (isfinite(v[7][i])) meas(f, id, "SPO2", 28, v[7][i], 1);
        /* six-category scale on days 0, 3, 7, 10, 14, 21, 28: the day-10 category as the seed's
         * Table 2, earlier days between baseline and day 10, later days improving further (a
         * little faster with UC-MSC); 1 (discharged) is final */
        int b = S->scale_bl[i], c10 = isfinite(v[8][i]) ? (int)v[8][i] : b;
        int c3 = b > c10 && rng_unif(&S->r) < 0.3 ? b - 1 : b;
        int c7 = c3 > c10 && rng_unif(&S->r) < 0.5 ? c3 - 1 : c3;
        if (c10 > b) c3 = c7 = b; /* worse at day 10 */
        double q = s->arm == 0 ? 0.75 : 0.6;
        int c14 = c10 > 1 && rng_unif(&S->r) < q ? c10 - 1 : c10;
        int c21 = c14 > 1 && rng_unif(&S->r) < q ? c14 - 1 : c14;
        int c28 = c21 > 1 && rng_unif(&S->r) < q ? c21 - 1 : c21;
        const int sday[7] = {0, 3, 7, 10, 14, 21, 28}, sval[7] = {b, c3, c7, c10, c14, c21, c28};
        for (int k = 0; k < 7; k++)
            meas(f, id, "SCALE6", sday[k], sval[k], 0);
        if (isfinite(mmrc[i])) meas(f, id, "MMRC", 28, mmrc[i], 0);
        for (size_t e = 0; e < extra; e++)
            meas(f, id, "SPO2X", (int)(7 * (e + 1)), 96 + 2 * rng_unif(&S->r), 1);
    }
    for (int k = 0; k < 9; k++)
        free(v[k]);
    free(mmrc);
    return RK_OK;
}

static rk_status write_ae(sim *S, FILE *f, rk_error *err)
{
    fprintf(f, "USUBJID,AEDECOD,AETOXGR,ASTDY,AESER,AEREL\n");
    for (int a = 0; a < 2; a++) {
        size_t nt = S->nt[a];
        const size_t *T = S->treated[a];
        size_t nany = scale_count(a ? 21 : 36, seed_n[a], nt);
        size_t *anyset = malloc((nt + 1) * sizeof *anyset), *pick = malloc((nt + 1) * sizeof *pick);
        unsigned char *covered = calloc(nt + 1, 1), *used = calloc(nt + 1, 1);
        if (!anyset || !pick || !covered || !used) {
            free(anyset);
            free(pick);
            free(covered);
            free(used);
            return rk_error_set(err, RK_ENOMEM, "out of memory");
        }
        choose(&S->r, T, nt, nany, anyset);
        /* each term's subjects: uncovered members of the any-AE set first, so that the union is
         * exactly that set */
        for (size_t t = 0; t < NAE; t++) {
            size_t k = scale_count(aes[t].count[a], seed_n[a], nt);
            if (k > nany) k = nany;
            memset(used, 0, nany);
            size_t got = 0;
            for (size_t i = 0; i < nany && got < k; i++)
                if (!covered[i]) {
                    pick[got++] = i;
                    used[i] = 1;
                    covered[i] = 1;
                }
            while (got < k) {
                size_t i = rng_below(&S->r, nany);
                if (used[i]) continue;
                used[i] = 1;
                pick[got++] = i;
            }
            for (size_t j = 0; j < got; j++) {
                char id[32];
                subj_id(id, sizeof id, anyset[pick[j]]);
                int grade = rng_unif(&S->r) < 0.7 ? 1 : 2;
                fprintf(f, "%s,%s,%d,%d,N,NOT RELATED\n", id, aes[t].term, grade,
                        1 + (int)rng_below(&S->r, 28));
            }
        }
        if (a == 0) {
            /* the seed's one grade 3 event: pneumothorax */
            size_t k = scale_count(1, 65, nt);
            for (size_t j = 0; j < k && j < nany; j++) {
                char id[32];
                subj_id(id, sizeof id, anyset[j]);
                fprintf(f, "%s,Pneumothorax,3,%d,Y,NOT RELATED\n", id,
                        1 + (int)rng_below(&S->r, 28));
            }
        }
        free(anyset);
        free(pick);
        free(covered);
        free(used);
    }
    return RK_OK;
}

static void write_screening(sim *S, FILE *f)
{
    size_t nscr = (size_t)floor((double)S->n * 288.0 / 101.0 + 0.5);
    size_t ninel = (size_t)floor((double)S->n * 161.0 / 101.0 + 0.5);
    if (nscr < S->n + ninel) nscr = S->n + ninel;
    fprintf(f, "SCRNID,USUBJID,EXCLREAS\n");
    size_t r = 0;
    for (size_t i = 0; i < nscr; i++) {
        /* randomized patients in screening order, exclusions spread between them */
        int is_rand = r < S->n && (i * S->n) / nscr >= r;
        if (nscr - i == S->n - r) is_rand = 1;
        if (is_rand) {
            char id[32];
            subj_id(id, sizeof id, r++);
            fprintf(f, "SCR-%05zu,%s,\n", i + 1, id);
        } else {
            size_t e = i - r;
            fprintf(f, "SCR-%05zu,,%s\n", i + 1,
                    e < ninel ? "did not meet eligibility criteria" : "withdrew");
        }
    }
}

rk_status rk_simulate_trial(const char *dir, const rk_sim_opts *o, rk_error *err)
{
    rk_sim_opts d;
    if (!o) {
        rk_sim_opts_init(&d);
        o = &d;
    }
    if (o->n_random < 20 || o->n_random > 10000000)
        return rk_error_set(err, RK_EINVAL,
                            "the number of randomized subjects must be 20 to "
                            "10000000, not %zu",
                            o->n_random);
    if (o->extra_visits > 100)
        return rk_error_set(err, RK_EINVAL, "at most 100 extra visits, not %zu", o->extra_visits);
    if (sodium_init() < 0) return rk_error_set(err, RK_EINTERNAL, "libsodium failed to start");
    sim S;
    memset(&S, 0, sizeof S);
    rng_init(&S.r, o->seed, "rctkit msc-trial v1");
    size_t n = o->n_random;
    S.n = n;
    S.s = calloc(n, sizeof *S.s);
    size_t *perm = malloc(n * sizeof *perm);
    S.treated[0] = malloc(n * sizeof(size_t));
    S.treated[1] = malloc(n * sizeof(size_t));
    rk_status st = RK_OK;
    if (!S.s || !perm || !S.treated[0] || !S.treated[1])
        st = rk_error_set(err, RK_ENOMEM, "out of memory");
    if (!st) {
        /* 2:1 allocation: 66 of 101 to UC-MSC; one UC-MSC patient withdraws before treatment */
        size_t n0 = (size_t)floor((double)n * 66.0 / 101.0 + 0.5);
        size_t nw = (size_t)floor((double)n / 101.0 + 0.5);
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        shuffle(&S.r, perm, n);
        for (size_t i = 0; i < n; i++) {
            subj *s = &S.s[perm[i]];
            s->arm = i < n0 ? 0 : 1;
            s->treated = !(i < nw);
        }
        for (size_t i = 0; i < n; i++) {
            S.s[i].site = rng_unif(&S.r) < 0.6 ? 0 : 1;
            S.s[i].day = (int)((i * 24) / n);
            if (S.s[i].treated) {
                int a = S.s[i].arm;
                S.treated[a][S.nt[a]++] = i;
            }
        }
        /* per protocol (derived): 49 of 65 and 25 of 35 have the day-28 CT inside its window
         * and no major deviation; of the others a third missed the CT (carried forward in
         * mITT), a third had it outside the window, a third had a major deviation */
        for (int a = 0; a < 2; a++) {
            size_t nt = S.nt[a];
            size_t npp = scale_count(a ? 25 : 49, seed_n[a], nt);
            memcpy(perm, S.treated[a], nt * sizeof *perm);
            shuffle(&S.r, perm, nt);
            for (size_t i = 0; i < nt; i++) {
                subj *s = &S.s[perm[i]];
                size_t k = i < npp ? 0 : 1 + (i - npp) % 3;
                s->ct_status = k == 1 || k == 2 ? (int)k : 0;
                s->majdev = k == 3;
            }
        }
        st = gen_baseline(&S, err);
    }
    outf fa = {0}, fm = {0}, fe = {0}, fs = {0};
    if (!st) st = out_open(&fa, dir, "adsl.csv", err);
    if (!st) st = out_open(&fm, dir, "admeas.csv", err);
    if (!st) st = out_open(&fe, dir, "adae.csv", err);
    if (!st) st = out_open(&fs, dir, "screening.csv", err);
    if (!st) {
        write_adsl(&S, fa.f);
        st = write_meas(&S, fm.f, o->extra_visits, err);
    }
    if (!st) st = write_ae(&S, fe.f, err);
    if (!st) write_screening(&S, fs.f);
    rk_status s2;
    s2 = out_close(&fa, !st, err);
    if (!st) st = s2;
    s2 = out_close(&fm, !st, err);
    if (!st) st = s2;
    s2 = out_close(&fe, !st, err);
    if (!st) st = s2;
    s2 = out_close(&fs, !st, err);
    if (!st) st = s2;
    for (size_t v = 0; v < NCONT; v++)
        free(S.cval[v]);
    for (size_t v = 0; v < NBIN; v++)
        free(S.bval[v]);
    free(S.scale_bl);
    free(S.s);
    free(perm);
    free(S.treated[0]);
    free(S.treated[1]);
    return st;
}
