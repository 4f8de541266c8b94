/* `rctkit supply ACTION`: kit lists, labels, batch release, scans with a JSON-lines journal,
 * logger files, the visit schedule and supply reports.  A trial's supply lives in one directory:
 * kits.csv (blinded), kits-unblinded.csv, release.csv, subjects.csv and journal.jsonl. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "cli/cli.h"
#include "cli/cmd_supply.h"
#include "rctkit/data.h"
#include "rctkit/rand.h"
#include "rctkit/server.h"
#include "rctkit/supply.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

/* fontconfig (loaded by cairo to draw label text) keeps a process-wide cache that it never frees;
 * this only matters to LeakSanitizer builds. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

static char cmdname[64] = "supply";

static int fail(const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit %s: %s\n", cmdname, err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "rctkit %s: %s\n", cmdname, msg);
    return RK_EXIT_USAGE;
}

static void path_in(char *buf, size_t n, const char *dir, const char *file)
{
    snprintf(buf, n, "%s/%s", dir, file);
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* The server's roles (rctkit/store.h); default investigator (blinded). */
static rk_status parse_role(const char *s, rk_role *r, rk_error *err)
{
    if (!s) {
        *r = RK_ROLE_INVESTIGATOR;
        return RK_OK;
    }
    rk_error e = {0};
    rk_status st = rk_role_parse(s, r, &e);
    if (st) return rk_error_set(err, st, "--role: %s", e.msg);
    return RK_OK;
}

static rk_status parse_at(const char *s, rk_time *t, rk_error *err)
{
    if (!s) {
        *t = (rk_time)time(NULL);
        return RK_OK;
    }
    rk_error e = {0};
    rk_status st = rk_time_parse(s, t, &e);
    if (st) return rk_error_set(err, st, "--at: %s", e.msg);
    return RK_OK;
}

static rk_date date_of(rk_time t)
{
    return (rk_date)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

/* ------------------------------------------------------------------ journal */

typedef struct journal {
    FILE *f;
    const char *path;
} journal;

static rk_status journal_write(void *ctx, const rk_supply_record *r, rk_error *err)
{
    journal *j = ctx;
    char when[32];
    rk_time_format(r->when, when, sizeof when);
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
    json_object_set_new(o, "kit", json_string(r->kit));
    json_object_set_new(o, "action", json_string(r->action));
    json_object_set_new(o, "from", json_string(rk_kit_state_name(r->from)));
    json_object_set_new(o, "to", json_string(rk_kit_state_name(r->to)));
    json_object_set_new(o, "when", json_string(when));
    json_object_set_new(o, "who", json_string(r->who));
    json_object_set_new(o, "role", json_string(rk_role_name(r->role)));
    json_object_set_new(o, "where", json_string(r->where));
    json_object_set_new(o, "why", json_string(r->why));
    json_object_set_new(o, "site", json_string(r->site));
    json_object_set_new(o, "shipment", json_string(r->shipment));
    json_object_set_new(o, "subject", json_string(r->subject));
    if (r->infusion) {
        const rk_infusion *in = r->infusion;
        json_t *i = json_object();
        char a[32], b[32];
        rk_time_format(in->start, a, sizeof a);
        rk_time_format(in->end, b, sizeof b);
        json_object_set_new(i, "start", json_string(a));
        json_object_set_new(i, "end", json_string(b));
        const char *nm[] = {"temp_c", "pulse", "resp_rate", "sbp", "dbp", "spo2"};
        double v[] = {in->temp_c, in->pulse, in->resp_rate, in->sbp, in->dbp, in->spo2};
        for (int k = 0; k < 6; k++)
            json_object_set_new(i, nm[k], isfinite(v[k]) ? json_real(v[k]) : json_null());
        json_object_set_new(i, "reactions", json_string(in->reactions));
        json_object_set_new(o, "infusion", i);
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(o);
    if (!s) return rk_error_set(err, RK_ENOMEM, "out of memory");
    int bad = fprintf(j->f, "%s\n", s) < 0 || fflush(j->f) != 0;
    free(s);
    if (bad)
        return rk_error_set(err, RK_EIO, "%s: cannot append the record: %s; nothing was changed",
                            j->path, strerror(errno));
    return RK_OK;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static rk_status journal_replay(rk_supply *s, const char *path, rk_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return RK_OK;
        return rk_error_set(err, RK_EIO, "%s: cannot open: %s", path, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0, n = 0;
    rk_status st = RK_OK;
    while (!st && getline(&line, &cap, f) > 0) {
        n++;
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!o || !json_is_object(o)) {
            st = rk_error_set(err, RK_EPARSE,
                              "%s:%zu: not a JSON record (%s): the journal is "
                              "damaged; restore it from the audit store",
                              path, n, je.text);
            json_decref(o);
            break;
        }
        rk_supply_record r = {0};
        rk_infusion inf;
        r.seq = (uint64_t)json_integer_value(json_object_get(o, "seq"));
        r.kit = jstr(o, "kit");
        r.action = jstr(o, "action");
        r.who = jstr(o, "who");
        r.where = jstr(o, "where");
        r.why = jstr(o, "why");
        r.site = jstr(o, "site");
        r.shipment = jstr(o, "shipment");
        r.subject = jstr(o, "subject");
        if (!st && r.seq != rk_supply_seq(s) + 1)
            st = rk_error_set(err, RK_EPARSE,
                              "%s:%zu: record %llu follows record %llu: the "
                              "journal has a hole or was edited",
                              path, n, (unsigned long long)r.seq,
                              (unsigned long long)rk_supply_seq(s));
        if (!st && rk_role_parse(jstr(o, "role"), &r.role, NULL) != RK_OK)
            st =
                rk_error_set(err, RK_EPARSE, "%s:%zu: unknown role '%s'", path, n, jstr(o, "role"));
        if (!st) st = rk_kit_state_parse(jstr(o, "to"), &r.to, err);
        if (!st) st = rk_kit_state_parse(jstr(o, "from"), &r.from, err);
        if (!st) st = rk_time_parse(jstr(o, "when"), &r.when, err);
        json_t *i = json_object_get(o, "infusion");
        if (!st && i) {
            memset(&inf, 0, sizeof inf);
            st = rk_time_parse(jstr(i, "start"), &inf.start, err);
            if (!st) st = rk_time_parse(jstr(i, "end"), &inf.end, err);
            double *v[] = {&inf.temp_c, &inf.pulse, &inf.resp_rate, &inf.sbp, &inf.dbp, &inf.spo2};
            const char *nm[] = {"temp_c", "pulse", "resp_rate", "sbp", "dbp", "spo2"};
            for (int k = 0; k < 6; k++) {
                json_t *x = json_object_get(i, nm[k]);
                *v[k] = json_is_number(x) ? json_number_value(x) : NAN;
            }
            snprintf(inf.reactions, sizeof inf.reactions, "%s", jstr(i, "reactions"));
            r.infusion = &inf;
        }
        if (!st) st = rk_supply_replay(s, &r, err);
        if (st && err) {
            char m[RK_ERROR_MSG_MAX];
            snprintf(m, sizeof m, "%s", err->msg);
            if (strncmp(m, path, strlen(path)) != 0)
                rk_error_set(err, st, "%s:%zu: %s", path, n, m);
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return st;
}

/* ------------------------------------------------------------- trial directory */

typedef struct trial {
    rk_kitlist *list;
    rk_supply *sup;
    journal j;
    char jpath[512];
    /* subjects.csv: randomization dates for the visit report */
    size_t n_subj;
    char (*subj)[RK_SUPPLY_ID];
    rk_date *randomized;
} trial;

static void trial_free(trial *t)
{
    rk_supply_free(t->sup);
    rk_kitlist_free(t->list);
    if (t->j.f) fclose(t->j.f);
    free(t->subj);
    free(t->randomized);
}

static rk_status load_subjects(trial *t, const char *path, rk_error *err)
{
    rk_table *tb = NULL;
    rk_status st = rk_csv_read(path, &tb, err);
    if (st) return st;
    size_t c[3];
    const char *nm[] = {"subject", "arm", "site"};
    for (int i = 0; i < 3 && !st; i++)
        st = rk_table_column(tb, nm[i], &c[i], err);
    long cr = rk_table_find(tb, "randomized");
    size_t n = rk_table_nrows(tb);
    if (!st) {
        t->subj = calloc(n ? n : 1, sizeof *t->subj);
        t->randomized = calloc(n ? n : 1, sizeof *t->randomized);
        if (!t->subj || !t->randomized) st = rk_error_set(err, RK_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < n && !st; r++) {
        const char *arm = rk_table_cell(tb, r, c[1]);
        size_t a = 0;
        while (a < t->list->n_arms && strcmp(t->list->arm[a], arm) != 0)
            a++;
        if (a == t->list->n_arms) {
            st = rk_error_set(err, RK_EPARSE, "%s:%zu: arm '%s' is not an arm of the kit list",
                              path, rk_table_line(tb, r), arm);
            break;
        }
        st = rk_supply_set_subject(t->sup, rk_table_cell(tb, r, c[0]), (int)a,
                                   rk_table_cell(tb, r, c[2]), err);
        if (st) break;
        snprintf(t->subj[r], RK_SUPPLY_ID, "%s", rk_table_cell(tb, r, c[0]));
        t->randomized[r] = RK_NOT_DONE;
        if (cr >= 0 && !rk_cell_is_missing(rk_table_cell(tb, r, (size_t)cr))) {
            st = rk_date_parse(rk_table_cell(tb, r, (size_t)cr), &t->randomized[r], err);
            if (st) {
                char m[RK_ERROR_MSG_MAX];
                snprintf(m, sizeof m, "%s", err ? err->msg : "");
                st = rk_error_set(err, st, "%s:%zu: %s", path, rk_table_line(tb, r), m);
            }
        }
        t->n_subj++;
    }
    rk_table_free(tb);
    return st;
}

/* Load DIR: the kit list with arms, release data and subjects when present, then the journal.
 * writable: open the journal for appending (the sink). */
static rk_status trial_open(trial *t, const char *dir, int writable, rk_error *err)
{
    memset(t, 0, sizeof *t);
    char kp[512], up[512], rp[512], sp[512];
    path_in(kp, sizeof kp, dir, "kits.csv");
    path_in(up, sizeof up, dir, "kits-unblinded.csv");
    path_in(rp, sizeof rp, dir, "release.csv");
    path_in(sp, sizeof sp, dir, "subjects.csv");
    path_in(t->jpath, sizeof t->jpath, dir, "journal.jsonl");
    rk_status st = rk_kitlist_read(kp, up, &t->list, err);
    if (st) return st;
    /* Replay does not call the sink, so the journal is opened for appending only afterwards. */
    t->j.path = t->jpath;
    rk_supply_sink sink = {&t->j, journal_write};
    if ((st = rk_supply_new(t->list, writable ? &sink : NULL, &t->sup, err))) return st;
    if (file_exists(rp)) {
        rk_batch_release *b = NULL;
        size_t nb = 0;
        if ((st = rk_batch_read(rp, &b, &nb, err))) return st;
        st = rk_supply_set_batches(t->sup, b, nb, NULL, err);
        free(b);
        if (st) return st;
    }
    if (file_exists(sp) && (st = load_subjects(t, sp, err))) return st;
    if ((st = journal_replay(t->sup, t->jpath, err))) return st;
    if (writable && !(t->j.f = fopen(t->jpath, "a")))
        return rk_error_set(err, RK_EIO, "%s: cannot open for appending: %s", t->jpath,
                            strerror(errno));
    return RK_OK;
}

/* The subject's administrations in journal order: dates and kit codes (at most max). */
static size_t subject_infusions(const trial *t, const char *subject, rk_date *dates,
                                char (*kits)[RK_KITCODE_SIZE], size_t max)
{
    size_t n = 0;
    FILE *f = fopen(t->jpath, "r");
    char *line = NULL;
    size_t cap = 0;
    while (f && getline(&line, &cap, f) > 0 && n < max) {
        json_t *o = json_loads(line, 0, NULL);
        rk_time w;
        if (o && !strcmp(jstr(o, "to"), "administered") && !strcmp(jstr(o, "action"), "scan") &&
            !strcmp(jstr(o, "subject"), subject) &&
            rk_time_parse(jstr(o, "when"), &w, NULL) == RK_OK) {
            dates[n] = date_of(w);
            if (kits) snprintf(kits[n], RK_KITCODE_SIZE, "%s", jstr(o, "kit"));
            n++;
        }
        json_decref(o);
    }
    free(line);
    if (f) fclose(f);
    return n;
}

/* ------------------------------------------------------------------ actions */

typedef struct action {
    const char *name;
    const char *usage;
    const char *about;
    const rk__opt *opts;
    size_t nopts;
    int (*run)(const rk__args *a);
} action;

/* kits */
static const rk__opt kits_opts[] = {
    {"seed", "TEXT", "secret seed (keep it with the unblinded statistician)"},
    {"arms", "A:r,B:r", "arms and their kits per block, e.g. UC-MSC:2,placebo:1"},
    {"design", "DESIGN.yaml", "instead of --arms: the arms and ratios of a randomization design"},
    {"blocks", "N", "number of blocks"},
    {"block-mult", "M", "block = M x sum of ratios kits (default 1)"},
    {"lot", "LOT", "packaging lot printed on every label (both arms)"},
    {"expiry", "DATE", "label expiry YYYY-MM-DD (both arms)"},
    {"batches", "B1,B2", "manufacturing batch of each arm's kits (unblinded file only)"},
    {"out", "DIR", "directory for kits.csv and kits-unblinded.csv (created)"},
};

static rk_status parse_count(const char *s, const char *opt, unsigned long lo, unsigned long hi,
                             unsigned long *out, rk_error *err)
{
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (!s || end == s || *end || errno || v < lo || v > hi || s[0] == '-')
        return rk_error_set(err, RK_EINVAL, "--%s must be a whole number %lu to %lu, not '%s'", opt,
                            lo, hi, s ? s : "");
    *out = v;
    return RK_OK;
}

static int run_kits(const rk__args *a)
{
    rk_error err = {0};
    rk_kitlist_spec spec;
    memset(&spec, 0, sizeof spec);
    const char *arms = rk__arg(a, "arms"), *out = rk__arg(a, "out"), *exp = rk__arg(a, "expiry");
    const char *design = rk__arg(a, "design");
    if (arms && design) return usage_error("give --arms or --design, not both");
    if (!rk__arg(a, "seed") || (!arms == !design) || !rk__arg(a, "blocks") || !rk__arg(a, "lot") ||
        !exp || !out)
        return usage_error(
            "needs --seed, --arms (or --design), --blocks, --lot, --expiry and --out");
    spec.seed = rk__arg(a, "seed");
    spec.lot = rk__arg(a, "lot");
    char abuf[512], bbuf[512];
    if (design) { /* arms and ratios from the randomization design, as "A:2,B:1" */
        rk_rand_design *d = NULL;
        rk_status st = rk_rand_design_read(design, &d, &err);
        if (st) return fail(&err, st);
        size_t len = 0;
        abuf[0] = 0;
        for (size_t i = 0; i < d->narms && len < sizeof abuf; i++) {
            int w = snprintf(abuf + len, sizeof abuf - len, "%s%s:%u", i ? "," : "",
                             d->arms[i].name, d->arms[i].ratio);
            len += w > 0 ? (size_t)w : 0;
        }
        rk_rand_design_free(d);
        if (len >= sizeof abuf) return usage_error("--design: too many or too long arm names");
    } else {
        snprintf(abuf, sizeof abuf, "%s", arms);
    }
    for (char *p = abuf; p && *p && spec.n_arms < RK_SUPPLY_MAX_ARMS;) {
        char *comma = strchr(p, ','), *colon;
        if (comma) *comma = 0;
        colon = strrchr(p, ':');
        unsigned long r = 0;
        if (!colon || colon == p) {
            rk_error_set(&err, RK_EINVAL, "--arms: '%s' is not NAME:RATIO (e.g. UC-MSC:2)", p);
            return fail(&err, RK_EINVAL);
        }
        *colon = 0;
        if (parse_count(colon + 1, "arms ratio", 1, 100, &r, &err)) return fail(&err, RK_EINVAL);
        spec.arm[spec.n_arms] = p;
        spec.ratio[spec.n_arms++] = (unsigned)r;
        p = comma ? comma + 1 : NULL;
    }
    if (rk__arg(a, "batches")) {
        snprintf(bbuf, sizeof bbuf, "%s", rk__arg(a, "batches"));
        size_t k = 0;
        for (char *p = bbuf; p && k < RK_SUPPLY_MAX_ARMS; k++) {
            char *comma = strchr(p, ',');
            if (comma) *comma = 0;
            spec.batch[k] = p;
            p = comma ? comma + 1 : NULL;
        }
        if (k != spec.n_arms) return usage_error("--batches needs one batch per arm");
    }
    unsigned long nb = 0, mult = 1;
    rk_status st;
    if ((st = parse_count(rk__arg(a, "blocks"), "blocks", 1, 1000000, &nb, &err)) ||
        (rk__arg(a, "block-mult") &&
         (st = parse_count(rk__arg(a, "block-mult"), "block-mult", 1, 100, &mult, &err))) ||
        (st = rk_date_parse(exp, &spec.expiry, &err)))
        return fail(&err, st);
    spec.n_blocks = nb;
    spec.block_mult = (unsigned)mult;
    rk_kitlist *l = NULL;
    if ((st = rk_kitlist_generate(&spec, &l, &err))) return fail(&err, st);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        rk_error_set(&err, RK_EIO, "%s: cannot create the directory: %s", out, strerror(errno));
        rk_kitlist_free(l);
        return fail(&err, RK_EIO);
    }
    char bp[512], up[512];
    path_in(bp, sizeof bp, out, "kits.csv");
    path_in(up, sizeof up, out, "kits-unblinded.csv");
    if (file_exists(bp) || file_exists(up)) {
        rk_kitlist_free(l);
        rk_error_set(&err, RK_EINVAL,
                     "%s already holds a kit list: a kit list is generated once; choose another "
                     "--out",
                     out);
        return fail(&err, RK_EINVAL);
    }
    if ((st = rk_kitlist_write_blinded(l, bp, &err)) ||
        (st = rk_kitlist_write_unblinded(l, up, &err))) {
        rk_kitlist_free(l);
        return fail(&err, st);
    }
    unsigned per = 0;
    for (size_t i = 0; i < spec.n_arms; i++)
        per += spec.ratio[i];
    printf("%zu kits in %lu blocks of %lu, codes of %d symbols + check symbol\n", l->n, nb,
           per * mult, RK_KITCODE_LEN);
    printf("kits.csv            blinded: number, code, lot, expiry\n");
    printf("kits-unblinded.csv  UNBLINDED: code, arm, batch (keep away from blinded staff)\n");
    rk_kitlist_free(l);
    return RK_EXIT_OK;
}

/* labels */
static const rk__opt labels_opts[] = {
    {"kits", "kits.csv", "blinded kit list"},
    {"db", "FILE", "instead of --kits: the kit list loaded in a trial database (blinded columns)"},
    {"out", "DIR", "directory for CODE.svg and CODE.png (created)"},
    {"gtin", "GTIN", "14-digit GTIN of the study product (check digit verified)"},
    {"study", "TEXT", "study name on the label"},
    {"product", "TEXT", "product text, the same for every arm"},
    {"png", NULL, "PNG only"},
    {"svg", NULL, "SVG only"},
};

static int run_labels(const rk__args *a)
{
    rk_error err = {0};
    const char *kits = rk__arg(a, "kits"), *out = rk__arg(a, "out"), *db = rk__arg(a, "db");
    const char *gtin = rk__arg(a, "gtin") ? rk__arg(a, "gtin") : "09506000134352";
    if (!kits == !db || !out)
        return usage_error("needs --kits kits.csv or --db FILE, and --out DIR");
    int svg = !rk__flag(a, "png"), png = !rk__flag(a, "svg");
    if (!svg && !png) return usage_error("--png and --svg exclude each other");
    rk_kitlist *l = NULL;
    rk_status st;
    if (db) { /* the store's kits without their arm link (never read) */
        rk_store *s = NULL;
        st = rk_store_open(db, 0, &s, &err);
        if (!st) st = rk_supply_store_kits_blinded(s, &l, &err);
        rk_store_close(s);
    } else {
        st = rk_kitlist_read(kits, NULL, &l, &err); /* blinded: no arms read at all */
    }
    if (st) return fail(&err, st);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        rk_error_set(&err, RK_EIO, "%s: cannot create the directory: %s", out, strerror(errno));
        rk_kitlist_free(l);
        return fail(&err, RK_EIO);
    }
    for (size_t i = 0; i < l->n && !st; i++) {
        const rk_kit *k = &l->kit[i];
        char ps[600], pp[600];
        snprintf(ps, sizeof ps, "%s/%s.svg", out, k->code);
        snprintf(pp, sizeof pp, "%s/%s.png", out, k->code);
        rk_label_info in = {.study = rk__arg(a, "study") ? rk__arg(a, "study") : "",
                            .product = rk__arg(a, "product") ? rk__arg(a, "product") : "",
                            .gtin = gtin,
                            .code = k->code,
                            .lot = k->lot,
                            .expiry = k->expiry,
                            .number = k->number};
        st = rk_label_render(&in, svg ? ps : NULL, png ? pp : NULL, &err);
    }
    if (!st)
        printf("%zu labels (%s) with GS1 DataMatrix (01)(21)(10)(17) and Code 128\n", l->n,
               svg && png ? "SVG and PNG"
               : svg      ? "SVG"
                          : "PNG");
    rk_kitlist_free(l);
    return st ? fail(&err, st) : RK_EXIT_OK;
}

/* batches */
static const rk__opt batches_opts[] = {
    {"release", "FILE.csv",
     "release data (batch, placebo, viability_trypan, viability_7aad, "
     "cd73 ... hla_dr, sterility)"},
};

static int run_batches(const rk__args *a)
{
    rk_error err = {0};
    if (!rk__arg(a, "release")) return usage_error("needs --release FILE.csv");
    rk_batch_release *b = NULL;
    size_t n = 0;
    rk_status st = rk_batch_read(rk__arg(a, "release"), &b, &n, &err);
    if (st) return fail(&err, st);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        rk_error e = {0};
        if (rk_batch_check(&b[i], NULL, &e) == RK_OK) {
            printf("%-10s released\n", b[i].batch);
        } else {
            printf("%-10s NOT RELEASED: %s\n", b[i].batch, e.msg);
            bad++;
        }
    }
    printf("%zu of %zu batches released (UNBLINDED report: batches are arm-specific)\n", n - bad,
           n);
    free(b);
    return RK_EXIT_OK;
}

/* scan */
static const rk__opt scan_opts[] = {
    {"dir", "DIR", "trial supply directory (kits, release data, subjects, journal)"},
    {"db", "FILE", "instead of --dir: the trial database, with the server's checks and audit"},
    {"user", "NAME", "--db: the user who scans (a user of the trial; password from stdin)"},
    {"password-file", "FILE", "--db: read the password from FILE's first line, not stdin"},
    {"kit", "CODE[,CODE]", "kit code(s) as scanned"},
    {"numbers", "A-B", "instead of --kit: kits numbered A to B (bulk depot and site scans)"},
    {"to", "STATE",
     "packaged, shipped, received, stored, dispensed, administered, quarantined, "
     "damaged, expired, lost, returned, destroyed"},
    {"who", "USER", "who scans"},
    {"role", "ROLE", "investigator (default), pharmacist, data_monitor ... (rctkit/store.h)"},
    {"where", "PLACE", "where"},
    {"why", "TEXT", "reason (required for quarantined, damaged, lost, returned, destroyed)"},
    {"at", "TIME", "when, YYYY-MM-DDTHH:MM[:SS]Z (default now)"},
    {"site", "SITE", "destination (shipped) or receiving site (received)"},
    {"shipment", "ID", "shipment id (shipped, received)"},
    {"subject", "ID", "subject (dispensed, administered)"},
    {"start", "TIME", "infusion start (administered)"},
    {"end", "TIME", "infusion end (administered)"},
    {"vitals", "T,P,R,SBP,DBP,SPO2",
     "vital signs: temperature C, pulse, respiration, blood "
     "pressure, SpO2 (NA allowed)"},
    {"reactions", "TEXT", "infusion reactions (default none)"},
};

/* The password: the first line of --password-file or of stdin, without its newline. */
static rk_status read_password(const char *file, char *pw, size_t size, rk_error *err)
{
    FILE *f = file ? fopen(file, "r") : stdin;
    if (!f) return rk_error_set(err, RK_EIO, "%s: cannot open: %s", file, strerror(errno));
    int ok = fgets(pw, (int)size, f) != NULL;
    if (file) fclose(f);
    if (!ok)
        return rk_error_set(err, RK_EINVAL, "no password on %s: give it on the first line",
                            file ? file : "stdin");
    pw[strcspn(pw, "\r\n")] = '\0';
    return RK_OK;
}

/* scan --db: each kit is one POST /api/supply/kits/CODE/scan run in this process
 * (rk_server_call): the user's role and site, the server's refusals and audit records. */
static int run_scan_db(const rk__args *a, const rk_scan *sc, const char *kits)
{
    static const char *const only_dir[] = {"who", "role", "at", "numbers"};
    for (size_t i = 0; i < NOPTS(only_dir); i++)
        if (rk__arg(a, only_dir[i])) {
            char m[200];
            snprintf(m, sizeof m,
                     "--%s goes with --dir: with --db the scan is by --user, with the user's "
                     "role, at the current time",
                     only_dir[i]);
            return usage_error(m);
        }
    const char *user = rk__arg(a, "user");
    if (!user || !kits) return usage_error("--db needs --user NAME and --kit CODE[,CODE]");
    rk_error err = {0};
    char pw[1100];
    rk_status st = read_password(rk__arg(a, "password-file"), pw, sizeof pw, &err);
    if (st) return fail(&err, st);
    json_t *b = json_pack("{s:s}", "to", rk_kit_state_name(sc->to));
    const char *f[] = {"why", "where", "site", "shipment", "subject"};
    const char *v[] = {sc->why, sc->where, sc->site, sc->shipment, sc->subject};
    for (int i = 0; i < 5; i++)
        if (v[i]) json_object_set_new(b, f[i], json_string(v[i]));
    if (sc->infusion) {
        const rk_infusion *in = sc->infusion;
        char t0[32], t1[32];
        rk_time_format(in->start, t0, sizeof t0);
        rk_time_format(in->end, t1, sizeof t1);
        json_t *i = json_pack("{s:s,s:s,s:s}", "start", t0, "end", t1, "reactions", in->reactions);
        const char *nm[] = {"temp_c", "pulse", "resp_rate", "sbp", "dbp", "spo2"};
        double x[] = {in->temp_c, in->pulse, in->resp_rate, in->sbp, in->dbp, in->spo2};
        for (int k = 0; k < 6; k++)
            if (isfinite(x[k])) json_object_set_new(i, nm[k], json_real(x[k]));
        json_object_set_new(b, "infusion", i);
    }
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    char *list = strdup(kits);
    int rc = body && list ? RK_EXIT_OK : fail(&err, rk_error_set(&err, RK_ENOMEM, "out of memory"));
    int status = 0;
    char *resp = NULL;
    rk_server_session *ses = NULL;
    if (rc == RK_EXIT_OK) { /* one login for all the kits */
        st = rk_server_session_open(rk__arg(a, "db"), user, pw, &ses, &status, &resp, &err);
        if (st) {
            rc = fail(&err, st);
        } else if (!ses) {
            json_t *r = json_loads(resp ? resp : "", 0, NULL);
            fprintf(stderr, "rctkit %s: %s\n", cmdname, jstr(r, "error"));
            json_decref(r);
            rc = RK_EXIT_FAIL;
        }
        free(resp);
        resp = NULL;
    }
    for (char *p = list; p && rc == RK_EXIT_OK;) {
        char *c = strchr(p, ',');
        if (c) *c = 0;
        char path[120];
        snprintf(path, sizeof path, "/api/supply/kits/%.40s/scan", p);
        st = rk_server_session_call(ses, "POST", path, body, &status, &resp, &err);
        if (st) {
            rc = fail(&err, st);
            break;
        }
        json_t *r = json_loads(resp ? resp : "", 0, NULL);
        if (status == 200) {
            printf("kit %s: %s -> %s (record %lld)\n", jstr(r, "code"), jstr(r, "from"),
                   jstr(r, "state"), (long long)json_integer_value(json_object_get(r, "seq")));
        } else {
            fprintf(stderr, "rctkit %s: %s\n", cmdname, jstr(r, "error"));
            rc = status == 400 ? RK_EXIT_USAGE : RK_EXIT_FAIL;
        }
        json_decref(r);
        free(resp);
        resp = NULL;
        p = c ? c + 1 : NULL;
    }
    rk_server_session_close(ses);
    sodium_memzero(pw, sizeof pw);
    free(list);
    free(body);
    return rc;
}

static int run_scan(const rk__args *a)
{
    rk_error err = {0};
    int db = rk__arg(a, "db") != NULL;
    const char *dir = rk__arg(a, "dir"), *kits = rk__arg(a, "kit"), *to = rk__arg(a, "to");
    const char *nums = rk__arg(a, "numbers");
    if (db && dir) return usage_error("--dir and --db exclude each other");
    if (!db && (!dir || (!kits == !nums) || !to || !rk__arg(a, "who")))
        return usage_error("needs --dir DIR, --kit CODE or --numbers A-B, --to STATE, --who USER");
    if (db && !to) return usage_error("needs --to STATE");
    if (!db && (rk__arg(a, "user") || rk__arg(a, "password-file")))
        return usage_error("--user and --password-file go with --db (the trial database)");
    rk_scan sc;
    memset(&sc, 0, sizeof sc);
    rk_infusion inf;
    memset(&inf, 0, sizeof inf);
    rk_status st;
    if ((st = rk_kit_state_parse(to, &sc.to, &err)) ||
        (st = parse_role(rk__arg(a, "role"), &sc.role, &err)) ||
        (st = parse_at(rk__arg(a, "at"), &sc.when, &err)))
        return fail(&err, st);
    sc.who = rk__arg(a, "who");
    sc.where = rk__arg(a, "where");
    sc.why = rk__arg(a, "why");
    sc.site = rk__arg(a, "site");
    sc.shipment = rk__arg(a, "shipment");
    sc.subject = rk__arg(a, "subject");
    if (sc.to == RK_KIT_ADMINISTERED) {
        if (!rk__arg(a, "start") || !rk__arg(a, "end"))
            return usage_error("administered: record the infusion with --start and --end "
                               "(and --vitals, --reactions)");
        if ((st = rk_time_parse(rk__arg(a, "start"), &inf.start, &err)) ||
            (st = rk_time_parse(rk__arg(a, "end"), &inf.end, &err)))
            return fail(&err, st);
        double *v[] = {&inf.temp_c, &inf.pulse, &inf.resp_rate, &inf.sbp, &inf.dbp, &inf.spo2};
        for (int k = 0; k < 6; k++)
            *v[k] = NAN;
        if (rk__arg(a, "vitals")) {
            double *x = NULL;
            size_t n = 0, nm = 0;
            if ((st = rk__parse_list(rk__arg(a, "vitals"), "--vitals", &x, &n, &nm, &err)))
                return fail(&err, st);
            free(x);
            /* NA entries are dropped by rk__parse_list; parse positionally instead */
            char buf[256];
            snprintf(buf, sizeof buf, "%s", rk__arg(a, "vitals"));
            int k = 0;
            for (char *p = buf; p && k < 6; k++) {
                char *c = strchr(p, ',');
                if (c) *c = 0;
                if (strcmp(p, "NA") != 0) rk_parse_number(p, v[k], NULL);
                p = c ? c + 1 : NULL;
            }
            if (k != 6 || n + nm != 6)
                return usage_error("--vitals needs 6 values: T,P,R,SBP,DBP,SPO2 (NA allowed)");
        }
        snprintf(inf.reactions, sizeof inf.reactions, "%s",
                 rk__arg(a, "reactions") ? rk__arg(a, "reactions") : "none");
        sc.infusion = &inf;
    }
    if (db) return run_scan_db(a, &sc, kits);
    trial t;
    if ((st = trial_open(&t, dir, 1, &err))) {
        trial_free(&t);
        return fail(&err, st);
    }
    const rk_kitlist *l = rk_supply_kits(t.sup);
    rk_buf list;
    rk_buf_init(&list, 0);
    if (nums) {
        char *end;
        unsigned long lo = strtoul(nums, &end, 10), hi = lo;
        if (*end == '-') hi = strtoul(end + 1, &end, 10);
        if (*end || lo < 1 || hi < lo || hi > l->n) {
            rk_error_set(&err, RK_EINVAL, "--numbers: '%s' is not A-B with 1 <= A <= B <= %zu",
                         nums, l->n);
            trial_free(&t);
            return fail(&err, RK_EINVAL);
        }
        for (size_t i = 0; i < l->n; i++)
            if (l->kit[i].number >= lo && l->kit[i].number <= hi)
                rk_buf_appendf(&list, NULL, "%s%s", list.len ? "," : "", l->kit[i].code);
    } else {
        rk_buf_appendf(&list, NULL, "%s", kits);
    }
    int rc = RK_EXIT_OK;
    size_t done = 0;
    uint64_t first = rk_supply_seq(t.sup) + 1;
    rk_kit_state from0 = RK_KIT_PREPARED;
    for (char *p = list.data; p;) {
        char *c = strchr(p, ',');
        if (c) *c = 0;
        sc.kit = p;
        long k = rk_supply_find(t.sup, p);
        rk_kit_state from = k >= 0 ? l->kit[k].state : RK_KIT_PREPARED;
        if ((st = rk_supply_scan(t.sup, &sc, &err))) {
            rc = fail(&err, st);
            break;
        }
        if (!done++) from0 = from;
        if (!c && done == 1)
            printf("kit %s: %s -> %s (record %llu)\n", p, rk_kit_state_name(from),
                   rk_kit_state_name(sc.to), (unsigned long long)rk_supply_seq(t.sup));
        p = c ? c + 1 : NULL;
    }
    if (done > 1)
        printf("%zu kits: %s -> %s (records %llu-%llu)\n", done, rk_kit_state_name(from0),
               rk_kit_state_name(sc.to), (unsigned long long)first,
               (unsigned long long)rk_supply_seq(t.sup));
    rk_buf_free(&list);
    trial_free(&t);
    return rc;
}

/* release */
static const rk__opt release_opts[] = {
    {"dir", "DIR", "trial supply directory"},
    {"kit", "CODE", "quarantined kit"},
    {"who", "USER", "who releases"},
    {"role", "ROLE", "an unblinded role: pharmacist or unblinded_statistician"},
    {"why", "TEXT", "reason (required)"},
    {"at", "TIME", "when (default now)"},
};

static int run_release(const rk__args *a)
{
    rk_error err = {0};
    if (!rk__arg(a, "dir") || !rk__arg(a, "kit") || !rk__arg(a, "who"))
        return usage_error("needs --dir DIR --kit CODE --who USER --role pharmacist --why TEXT");
    rk_role role = RK_ROLE_INVESTIGATOR;
    rk_time when = 0;
    rk_status st;
    if ((st = parse_role(rk__arg(a, "role"), &role, &err)) ||
        (st = parse_at(rk__arg(a, "at"), &when, &err)))
        return fail(&err, st);
    trial t;
    if ((st = trial_open(&t, rk__arg(a, "dir"), 1, &err))) {
        trial_free(&t);
        return fail(&err, st);
    }
    const rk_kitlist *l = rk_supply_kits(t.sup);
    long k = rk_supply_find(t.sup, rk__arg(a, "kit"));
    st = rk_supply_release(t.sup, rk__arg(a, "kit"), rk__arg(a, "who"), role, rk__arg(a, "why"),
                           when, &err);
    if (!st)
        printf("kit %s: quarantined -> %s (record %llu)\n", rk__arg(a, "kit"),
               rk_kit_state_name(l->kit[k].state), (unsigned long long)rk_supply_seq(t.sup));
    trial_free(&t);
    return st ? fail(&err, st) : RK_EXIT_OK;
}

/* allocate */
static const rk__opt allocate_opts[] = {
    {"dir", "DIR", "trial supply directory"},
    {"subject", "ID", "randomized subject (subjects.csv)"},
    {"who", "USER", "who asks"},
    {"at", "TIME", "when (default now)"},
};

static int run_allocate(const rk__args *a)
{
    rk_error err = {0};
    if (!rk__arg(a, "dir") || !rk__arg(a, "subject") || !rk__arg(a, "who"))
        return usage_error("needs --dir DIR --subject ID --who USER");
    rk_time when = 0;
    rk_status st = parse_at(rk__arg(a, "at"), &when, &err);
    if (st) return fail(&err, st);
    trial t;
    if ((st = trial_open(&t, rk__arg(a, "dir"), 1, &err))) {
        trial_free(&t);
        return fail(&err, st);
    }
    char code[RK_KITCODE_SIZE];
    st = rk_supply_allocate(t.sup, rk__arg(a, "subject"), date_of(when), rk__arg(a, "who"), when,
                            code, &err);
    if (!st) {
        const rk_kitlist *l = rk_supply_kits(t.sup);
        printf("subject %s: dispense kit %s (no. %u) (record %llu)\n", rk__arg(a, "subject"), code,
               (unsigned)l->kit[rk_supply_find(t.sup, code)].number,
               (unsigned long long)rk_supply_seq(t.sup));
    }
    trial_free(&t);
    return st ? fail(&err, st) : RK_EXIT_OK;
}

/* expire */
static const rk__opt expire_opts[] = {
    {"dir", "DIR", "trial supply directory"},
    {"who", "USER", "who records (default expiry-check)"},
    {"at", "TIME", "when (default now); kits whose expiry date is before this day expire"},
};

static int run_expire(const rk__args *a)
{
    rk_error err = {0};
    if (!rk__arg(a, "dir")) return usage_error("needs --dir DIR");
    rk_time when = 0;
    rk_status st = parse_at(rk__arg(a, "at"), &when, &err);
    if (st) return fail(&err, st);
    trial t;
    if ((st = trial_open(&t, rk__arg(a, "dir"), 1, &err))) {
        trial_free(&t);
        return fail(&err, st);
    }
    size_t n = 0;
    const char *who = rk__arg(a, "who") ? rk__arg(a, "who") : "expiry-check";
    st = rk_supply_expire(t.sup, date_of(when), who, when, &n, &err);
    if (!st) {
        char d[16];
        rk_date_format(date_of(when), d, sizeof d);
        printf("%zu kits recorded as expired (expiry date before %s)\n", n, d);
    }
    trial_free(&t);
    return st ? fail(&err, st) : RK_EXIT_OK;
}

/* logger */
static const rk__opt logger_opts[] = {
    {"file", "FILE.csv", "logger export: columns time, temp_c (others ignored)"},
    {"min", "C", "lowest acceptable temperature (default 8)"},
    {"max", "C", "highest acceptable temperature (default 12)"},
    {"interval", "S", "logging interval in seconds (default 300)"},
    {"max-transit", "H", "transit limit in hours (default 6)"},
    {"dir", "DIR", "with --shipment: quarantine the shipment's kits unless the file is clean"},
    {"shipment", "ID", "shipment the logger travelled with"},
    {"who", "USER", "who imports (default logger-import)"},
    {"at", "TIME", "when (default now)"},
    {"format", "FMT", "text (default) or json"},
};

static void fmt_dur(rk_time s, char *b, size_t n)
{
    if (s >= 3600)
        snprintf(b, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
    else
        snprintf(b, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
}

static int run_logger(const rk__args *a)
{
    rk_error err = {0};
    const char *file = rk__arg(a, "file"), *dir = rk__arg(a, "dir"), *ship = rk__arg(a, "shipment");
    if (!file) return usage_error("needs --file FILE.csv");
    if (!dir != !ship) return usage_error("--dir and --shipment go together");
    rk_logger_config cfg;
    rk_logger_config_init(&cfg);
    rk_status st = RK_OK;
    rk__format fmt = RK_FMT_TEXT;
    double h;
    if ((rk__arg(a, "min") &&
         (st = rk__parse_option_number(rk__arg(a, "min"), "--min", &cfg.min_c, &err))) ||
        (rk__arg(a, "max") &&
         (st = rk__parse_option_number(rk__arg(a, "max"), "--max", &cfg.max_c, &err))) ||
        (st = rk__parse_format(rk__arg(a, "format"), &fmt, &err)))
        return fail(&err, st);
    if (rk__arg(a, "interval")) {
        unsigned long s = 0;
        if ((st = parse_count(rk__arg(a, "interval"), "interval", 1, 86400, &s, &err)))
            return fail(&err, st);
        cfg.interval = (rk_time)s;
    }
    if (rk__arg(a, "max-transit")) {
        if ((st = rk__parse_option_number(rk__arg(a, "max-transit"), "--max-transit", &h, &err)))
            return fail(&err, st);
        if (!(h > 0 && h < 1000)) return usage_error("--max-transit must be in (0, 1000) hours");
        cfg.max_transit = (rk_time)llround(h * 3600);
    }
    if (!(cfg.min_c < cfg.max_c)) return usage_error("--min must be below --max");
    rk_logger_report r;
    rk_status rst = rk_logger_read(file, &cfg, &r, &err);
    int rc = RK_EXIT_OK;
    if (rst) {
        rc = fail(&err, rst);
    } else if (fmt == RK_FMT_JSON) {
        json_t *o = json_object(), *ex = json_array(), *is = json_array();
        char a1[32], a2[32];
        json_object_set_new(o, "file", json_string(file));
        json_object_set_new(o, "readings", json_integer((json_int_t)r.n_readings));
        rk_time_format(r.first, a1, sizeof a1);
        rk_time_format(r.last, a2, sizeof a2);
        json_object_set_new(o, "first", r.n_readings ? json_string(a1) : json_null());
        json_object_set_new(o, "last", r.n_readings ? json_string(a2) : json_null());
        json_object_set_new(o, "transit_s", json_integer((json_int_t)(r.last - r.first)));
        json_object_set_new(o, "min_c", r.n_readings ? json_real(r.min_c) : json_null());
        json_object_set_new(o, "max_c", r.n_readings ? json_real(r.max_c) : json_null());
        for (size_t i = 0; i < r.n_excursions; i++) {
            const rk_excursion *e = &r.excursions[i];
            json_t *x = json_object();
            rk_time_format(e->start, a1, sizeof a1);
            rk_time_format(e->end, a2, sizeof a2);
            json_object_set_new(x, "kind", json_string(e->hot ? "hot" : "cold"));
            json_object_set_new(x, "start", json_string(a1));
            json_object_set_new(x, "end", json_string(a2));
            json_object_set_new(x, "duration_s", json_integer((json_int_t)(e->end - e->start)));
            json_object_set_new(x, "extreme_c", json_real(e->extreme_c));
            json_object_set_new(x, "line_start", json_integer((json_int_t)e->line_start));
            json_object_set_new(x, "line_end", json_integer((json_int_t)e->line_end));
            json_array_append_new(ex, x);
        }
        for (size_t i = 0; i < r.n_issues_kept; i++) {
            json_t *x = json_object();
            json_object_set_new(x, "line", json_integer((json_int_t)r.issues[i].line));
            json_object_set_new(x, "message", json_string(r.issues[i].msg));
            json_array_append_new(is, x);
        }
        json_object_set_new(o, "excursions", ex);
        json_object_set_new(o, "issues", is);
        json_object_set_new(o, "n_issues", json_integer((json_int_t)r.n_issues));
        json_object_set_new(o, "release_ok", json_boolean(r.release_ok));
        json_object_set_new(o, "verdict", json_string(r.verdict));
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        puts(s);
        free(s);
        json_decref(o);
    } else {
        char a1[32], a2[32], d[48];
        rk_time_format(r.first, a1, sizeof a1);
        rk_time_format(r.last, a2, sizeof a2);
        fmt_dur(r.last - r.first, d, sizeof d);
        printf("%s: %zu readings", file, r.n_readings);
        if (r.n_readings)
            printf(" from %s to %s (%s), %.1f to %.1f C", a1, a2, d, r.min_c, r.max_c);
        printf("\n");
        for (size_t i = 0; i < r.n_excursions; i++) {
            const rk_excursion *e = &r.excursions[i];
            rk_time_format(e->start, a1, sizeof a1);
            fmt_dur(e->end - e->start, d, sizeof d);
            printf("excursion %zu: %s from %s for %s (lines %zu-%zu), %s %.1f C\n", i + 1,
                   e->hot ? "above" : "below", a1, d, e->line_start, e->line_end,
                   e->hot ? "max" : "min", e->extreme_c);
        }
        for (size_t i = 0; i < r.n_issues_kept; i++)
            printf("%s\n", r.issues[i].msg);
        if (r.n_issues > r.n_issues_kept)
            printf("... and %zu more bad rows\n", r.n_issues - r.n_issues_kept);
        printf("%s\n", r.verdict);
    }
    if (!rst && !r.release_ok) rc = RK_EXIT_FAIL;
    /* Quarantine the shipment unless the file was read and clean: an unreadable file never
     * releases a shipment. */
    if (dir && (rst || !r.release_ok)) {
        trial t;
        rk_error e2 = {0};
        rk_time when = 0;
        rk_status s2 = parse_at(rk__arg(a, "at"), &when, &e2);
        size_t n = 0;
        char why[96];
        snprintf(why, sizeof why, "logger %s: %s", ship,
                 rst                  ? "file unreadable or invalid"
                 : r.n_excursions     ? "temperature excursion"
                 : r.transit_exceeded ? "transit too long"
                                      : "incomplete record");
        size_t already = 0;
        if (!s2) s2 = trial_open(&t, dir, 1, &e2);
        if (!s2) {
            const rk_kitlist *l = rk_supply_kits(t.sup);
            for (size_t i = 0; i < l->n; i++)
                already +=
                    !strcmp(l->kit[i].shipment, ship) && l->kit[i].state == RK_KIT_QUARANTINED;
        }
        if (!s2)
            s2 = rk_supply_quarantine_shipment(
                t.sup, ship, rk__arg(a, "who") ? rk__arg(a, "who") : "logger-import", why, when, &n,
                &e2);
        if (!s2)
            printf("shipment %s: %zu kits quarantined (%s)%s\n", ship, n, why,
                   already ? ", the others were already" : "");
        trial_free(&t);
        if (s2) rc = fail(&e2, s2);
    }
    rk_logger_report_free(&r);
    return rc;
}

/* schedule */
static const rk__opt schedule_opts[] = {
    {"randomized", "DATE", "randomization date (day 0)"},
    {"on", "DATE", "status on this date"},
    {"done", "VISIT=DATE,...", "visits done and their dates"},
    {"schedule", "FILE.csv", "visit,kind,day,before,after (default: the seed trial's)"},
    {"dir", "DIR", "with --subject: randomization date and infusions from the trial directory"},
    {"subject", "ID", "subject (with --dir)"},
    {"format", "FMT", "text (default) or json"},
};

static const char *kind_name(rk_visit_kind k)
{
    return k == RK_VISIT_INFUSION ? "infusion" : k == RK_VISIT_CT ? "ct" : "followup";
}

static int run_schedule(const rk__args *a)
{
    rk_error err = {0};
    const char *dir = rk__arg(a, "dir"), *subj = rk__arg(a, "subject");
    if ((!rk__arg(a, "randomized") && !dir) || !rk__arg(a, "on"))
        return usage_error("needs --on DATE and --randomized DATE (or --dir DIR --subject ID)");
    if (!dir != !subj) return usage_error("--dir and --subject go together");
    rk_date day0 = 0, on;
    rk_schedule s;
    rk__format fmt;
    rk_status st;
    if ((rk__arg(a, "randomized") && (st = rk_date_parse(rk__arg(a, "randomized"), &day0, &err))) ||
        (st = rk_date_parse(rk__arg(a, "on"), &on, &err)) ||
        (st = rk__parse_format(rk__arg(a, "format"), &fmt, &err)))
        return fail(&err, st);
    rk_date given[8];
    char given_kit[8][RK_KITCODE_SIZE];
    size_t ng = 0;
    if (dir) {
        trial t;
        if ((st = trial_open(&t, dir, 0, &err))) {
            trial_free(&t);
            return fail(&err, st);
        }
        size_t i = 0;
        while (i < t.n_subj && strcmp(t.subj[i], subj) != 0)
            i++;
        if (i == t.n_subj || (!rk__arg(a, "randomized") && t.randomized[i] == RK_NOT_DONE)) {
            rk_error_set(&err, RK_EINVAL, "subject %s has no randomization date in %s/subjects.csv",
                         subj, dir);
            trial_free(&t);
            return fail(&err, RK_EINVAL);
        }
        if (!rk__arg(a, "randomized")) day0 = t.randomized[i];
        ng = subject_infusions(&t, subj, given, given_kit, 8);
        trial_free(&t);
    }
    if (rk__arg(a, "schedule")) {
        if ((st = rk_schedule_read(rk__arg(a, "schedule"), &s, &err))) return fail(&err, st);
    } else {
        rk_schedule_default(&s);
    }
    rk_date done[32];
    const char *kit[32] = {0};
    for (size_t i = 0, k = 0; i < s.n; i++) {
        done[i] = RK_NOT_DONE;
        if (s.visit[i].kind == RK_VISIT_INFUSION && k < ng) { /* from the journal */
            done[i] = given[k];
            kit[i] = given_kit[k++];
        }
    }
    if (rk__arg(a, "done")) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", rk__arg(a, "done"));
        for (char *p = buf; p;) {
            char *c = strchr(p, ','), *eq;
            if (c) *c = 0;
            eq = strchr(p, '=');
            size_t i = 0;
            if (eq) *eq = 0;
            while (i < s.n && strcmp(s.visit[i].name, p) != 0)
                i++;
            if (!eq || i == s.n) {
                rk_error_set(&err, RK_EINVAL,
                             "--done: '%s' is not VISIT=DATE with a visit of "
                             "the schedule",
                             p);
                return fail(&err, RK_EINVAL);
            }
            if ((st = rk_date_parse(eq + 1, &done[i], &err))) return fail(&err, st);
            p = c ? c + 1 : NULL;
        }
    }
    json_t *o = NULL, *arr = NULL;
    if (fmt == RK_FMT_JSON) {
        o = json_object();
        arr = json_array();
        json_object_set_new(o, "randomized", json_string(rk__arg(a, "randomized")));
        json_object_set_new(o, "on", json_string(rk__arg(a, "on")));
    } else {
        printf("%-16s %-9s %4s  %-10s  %-23s  %s\n", "visit", "kind", "day", "target", "window",
               "status");
    }
    for (size_t i = 0; i < s.n; i++) {
        const rk_visit_def *v = &s.visit[i];
        char t[16], w1[16], w2[16], dd[16];
        rk_date_format(day0 + v->day, t, sizeof t);
        rk_date_format(day0 + v->day - v->before, w1, sizeof w1);
        rk_date_format(day0 + v->day + v->after, w2, sizeof w2);
        rk_visit_status vs = rk_visit_status_on(v, day0, on, done[i]);
        if (o) {
            json_t *x = json_object();
            json_object_set_new(x, "visit", json_string(v->name));
            json_object_set_new(x, "kind", json_string(kind_name(v->kind)));
            json_object_set_new(x, "day", json_integer(v->day));
            json_object_set_new(x, "target", json_string(t));
            json_object_set_new(x, "window_open", json_string(w1));
            json_object_set_new(x, "window_close", json_string(w2));
            json_object_set_new(x, "status", json_string(rk_visit_status_name(vs)));
            if (kit[i]) json_object_set_new(x, "kit", json_string(kit[i]));
            json_array_append_new(arr, x);
        } else {
            char win[32];
            snprintf(win, sizeof win, "%s..%s", w1 + 5, w2 + 5);
            printf("%-16s %-9s %4d  %-10s  %-23s  %s", v->name, kind_name(v->kind), v->day, t, win,
                   rk_visit_status_name(vs));
            if (done[i] != RK_NOT_DONE) {
                rk_date_format(done[i], dd, sizeof dd);
                printf(" %s", dd);
            }
            if (kit[i]) printf(" kit %s", kit[i]);
            if (v->kind == RK_VISIT_INFUSION && (vs == RK_VS_DUE || vs == RK_VS_OVERDUE))
                printf("  (allocate and dispense the next kit)");
            printf("\n");
        }
    }
    if (o) {
        json_object_set_new(o, "visits", arr);
        char *js = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(js);
        free(js);
        json_decref(o);
    }
    return RK_EXIT_OK;
}

/* report */
static const rk__opt report_opts[] = {
    {"dir", "DIR", "trial supply directory"},
    {"db", "FILE", "instead of --dir: a trial database (rctkit supply load)"},
    {"on", "DATE", "report date (default today)"},
    {"what", "REPORT", "inventory (default), expiring, reconcile, resupply, or visits"},
    {"days", "N", "expiring: kits expiring within N days (default 30)"},
    {"site", "SITE", "reconcile, resupply: the site"},
    {"trigger", "N",
     "resupply: ship when usable kits of an arm fall below N (default 2, or the --db trial's)"},
    {"buffer", "N", "resupply: a shipment carries N kits of every arm (default 4, or the trial's)"},
    {"min-shelf", "DAYS",
     "resupply: only kits with DAYS of shelf life left (default 14, or the trial's)"},
    {"schedule", "FILE.csv", "visits, --dir: schedule file (default: the seed trial's)"},
};

static int run_report(const rk__args *a)
{
    rk_error err = {0};
    const char *dir = rk__arg(a, "dir"), *what = rk__arg(a, "what"), *db = rk__arg(a, "db");
    if (!dir == !db) return usage_error("needs --dir DIR or --db FILE");
    if (!what) what = "inventory";
    rk_date on = date_of((rk_time)time(NULL));
    rk_status st;
    if (rk__arg(a, "on") && (st = rk_date_parse(rk__arg(a, "on"), &on, &err)))
        return fail(&err, st);
    unsigned long days = 30, trig = 2, buf = 4, shelf = 14;
    if ((rk__arg(a, "days") &&
         (st = parse_count(rk__arg(a, "days"), "days", 0, 3650, &days, &err))) ||
        (rk__arg(a, "trigger") &&
         (st = parse_count(rk__arg(a, "trigger"), "trigger", 0, 100000, &trig, &err))) ||
        (rk__arg(a, "buffer") &&
         (st = parse_count(rk__arg(a, "buffer"), "buffer", 0, 100000, &buf, &err))) ||
        (rk__arg(a, "min-shelf") &&
         (st = parse_count(rk__arg(a, "min-shelf"), "min-shelf", 0, 3650, &shelf, &err))))
        return fail(&err, st);
    if (strcmp(what, "inventory") && strcmp(what, "expiring") && strcmp(what, "reconcile") &&
        strcmp(what, "resupply") && strcmp(what, "visits")) {
        rk_error_set(&err, RK_EINVAL,
                     "--what must be inventory, expiring, reconcile, resupply or visits, not "
                     "'%s'",
                     what);
        return fail(&err, RK_EINVAL);
    }
    trial t;
    rk_store *store = NULL;
    if (db) { /* the state rebuilt from the database's audited transitions */
        memset(&t, 0, sizeof t);
        rk_supply_settings set;
        if (!(st = rk_store_open(db, 0, &store, &err)))
            st = rk_supply_store_open(store, &t.sup, &err);
        if (!st && !(st = rk_supply_store_settings(store, &set, &err))) {
            /* the trial's resupply levels unless given here */
            if (!rk__arg(a, "trigger")) trig = set.resupply_trigger;
            if (!rk__arg(a, "buffer")) buf = set.resupply_buffer;
            if (!rk__arg(a, "min-shelf")) shelf = (unsigned long)set.min_shelf_days;
        }
    } else {
        st = trial_open(&t, dir, 0, &err);
    }
    if (st) {
        trial_free(&t);
        rk_store_close(store);
        return fail(&err, st);
    }
    const rk_kitlist *l = rk_supply_kits(t.sup);
    char d[16];
    rk_date_format(on, d, sizeof d);
    if (!strcmp(what, "inventory")) {
        rk_site_inventory *inv = NULL;
        size_t n = 0;
        if (!(st = rk_supply_inventory(t.sup, on, &inv, &n, &err))) {
            printf("inventory on %s (blinded: by state)\n", d);
            printf("%-8s", "site");
            static const int cols[] = {RK_KIT_PREPARED,    RK_KIT_PACKAGED,  RK_KIT_SHIPPED,
                                       RK_KIT_STORED,      RK_KIT_DISPENSED, RK_KIT_ADMINISTERED,
                                       RK_KIT_QUARANTINED, RK_KIT_EXPIRED,   RK_KIT_RETURNED};
            static const char *const hdr[] = {"prep",  "pack", "ship", "stored", "disp",
                                              "admin", "quar", "exp",  "ret"};
            for (size_t c = 0; c < 9; c++)
                printf(" %6s", hdr[c]);
            printf(" %6s %6s\n", "usable", "other");
            for (size_t i = 0; i < n; i++) {
                size_t other = inv[i].count[RK_KIT_RECEIVED] + inv[i].count[RK_KIT_DAMAGED] +
                               inv[i].count[RK_KIT_LOST] + inv[i].count[RK_KIT_DESTROYED];
                printf("%-8s", inv[i].site[0] ? inv[i].site : "(depot)");
                for (size_t c = 0; c < 9; c++)
                    printf(" %6zu", inv[i].count[cols[c]]);
                printf(" %6zu %6zu\n", inv[i].usable, other);
            }
            free(inv);
        }
    } else if (!strcmp(what, "expiring")) {
        size_t n = 0;
        printf("kits expiring by %s + %lu days, not yet used (blinded)\n", d, days);
        for (size_t i = 0; i < l->n; i++) {
            const rk_kit *k = &l->kit[i];
            if (k->expiry > on + (rk_date)days) continue;
            if (k->state == RK_KIT_ADMINISTERED || k->state >= RK_KIT_EXPIRED) continue;
            char e[16];
            rk_date_format(k->expiry, e, sizeof e);
            printf("%s  no. %-5u  %-12s  %-8s  expires %s\n", k->code, (unsigned)k->number,
                   rk_kit_state_name(k->state), k->site[0] ? k->site : "(depot)", e);
            n++;
        }
        printf("%zu kits\n", n);
    } else if (!strcmp(what, "reconcile")) {
        rk_reconciliation r;
        const char *site = rk__arg(a, "site");
        if (!(st = rk_supply_reconcile(t.sup, site, &r, &err))) {
            printf("site %s: %zu kits shipped, %zu in transit, %zu received\n", site,
                   r.received + r.in_transit, r.in_transit, r.received);
            printf("  stored %zu, dispensed (open) %zu, administered %zu, returned %zu, "
                   "destroyed %zu,\n  damaged %zu, lost %zu, expired %zu, quarantined %zu\n",
                   r.stored, r.dispensed_open, r.administered, r.returned, r.destroyed, r.damaged,
                   r.lost, r.expired, r.quarantined);
            printf("%s\n", r.balanced ? "reconciled: every kit received is accounted for"
                                      : "NOT reconciled: kits dispensed without administration or "
                                        "return; resolve them");
        }
    } else if (!strcmp(what, "resupply")) {
        char(*codes)[RK_KITCODE_SIZE] = NULL;
        size_t n = 0;
        const char *site = rk__arg(a, "site");
        if (!site) {
            st = rk_error_set(&err, RK_EINVAL, "resupply needs --site SITE");
        } else if (!(st = rk_supply_resupply(t.sup, site, on, trig, buf, (int)shelf, &codes, &n,
                                             &err))) {
            printf("resupply for site %s on %s (trigger %lu, buffer %lu per arm): %zu kits\n", site,
                   d, trig, buf, n);
            for (size_t i = 0; i < n; i++)
                printf("%s\n", codes[i]);
        }
        free(codes);
    } else if (!strcmp(what, "visits") && db) {
        /* the trial's schedule, randomization dates and recorded visits (CT and follow-up too) */
        rk_supply_settings set;
        rk_subject_visit *v = NULL;
        size_t nv = 0, shown = 0;
        if (!(st = rk_supply_store_visits(store, &set, &v, &nv, &err))) {
            printf("due, overdue and missed visits on %s\n", d);
            for (size_t i = 0; i < nv; i++) {
                const rk_visit_def *def = &set.schedule.visit[v[i].visit];
                rk_visit_status vs = rk_visit_status_on(def, v[i].day0, on, v[i].done);
                if (vs != RK_VS_DUE && vs != RK_VS_OVERDUE && vs != RK_VS_MISSED &&
                    vs != RK_VS_DONE_LATE)
                    continue;
                char tg[16];
                rk_date_format(v[i].day0 + def->day, tg, sizeof tg);
                printf("%-8s %-6s %-14s target %s  %s\n", v[i].subject, v[i].site, def->name, tg,
                       rk_visit_status_name(vs));
                shown++;
            }
            printf("%zu visits\n", shown);
        }
        free(v);
    } else if (!strcmp(what, "visits")) {
        rk_schedule s;
        if (rk__arg(a, "schedule"))
            st = rk_schedule_read(rk__arg(a, "schedule"), &s, &err);
        else
            rk_schedule_default(&s);
        /* Infusions are done when the subject's kits were administered (the journal). */
        size_t shown = 0;
        printf("overdue and missed visits on %s\n", d);
        for (size_t i = 0; i < t.n_subj && !st; i++) {
            if (t.randomized[i] == RK_NOT_DONE) continue;
            rk_date given[8];
            size_t ng = subject_infusions(&t, t.subj[i], given, NULL, 8);
            size_t inf = 0;
            for (size_t v = 0; v < s.n; v++) {
                rk_date dn = RK_NOT_DONE;
                if (s.visit[v].kind == RK_VISIT_INFUSION) {
                    if (inf < ng) dn = given[inf];
                    inf++;
                } else {
                    continue; /* CT and follow-up visits are recorded by the data module */
                }
                rk_visit_status vs = rk_visit_status_on(&s.visit[v], t.randomized[i], on, dn);
                if (vs == RK_VS_OVERDUE || vs == RK_VS_MISSED || vs == RK_VS_DONE_LATE) {
                    char tg[16];
                    rk_date_format(t.randomized[i] + s.visit[v].day, tg, sizeof tg);
                    printf("%-8s %-14s target %s  %s\n", t.subj[i], s.visit[v].name, tg,
                           rk_visit_status_name(vs));
                    shown++;
                }
            }
        }
        if (!st) printf("%zu visits\n", shown);
    } else {
        st = rk_error_set(&err, RK_EINVAL,
                          "--what must be inventory, expiring, reconcile, resupply or visits, "
                          "not '%s'",
                          what);
    }
    trial_free(&t);
    rk_store_close(store);
    return st ? fail(&err, st) : RK_EXIT_OK;
}

/* load */
static const rk__opt load_opts[] = {
    {"db", "FILE", "trial database (rctkit trial init)"},
    {"kits", "kits.csv", "blinded kit list (rctkit supply kits)"},
    {"unblinded", "FILE.csv", "its arm link, kits-unblinded.csv (required with --kits)"},
    {"release", "FILE.csv", "batch release data (may be loaded again later)"},
    {"by", "NAME", "who loads (recorded in the audit trail; default: $USER)"},
};

static int run_load(const rk__args *a)
{
    rk_error err = {0};
    const char *db = rk__arg(a, "db"), *kits = rk__arg(a, "kits"), *un = rk__arg(a, "unblinded"),
               *rel = rk__arg(a, "release");
    if (!db || (!kits && !rel))
        return usage_error("needs --db FILE and --kits kits.csv --unblinded FILE.csv and/or "
                           "--release FILE.csv");
    if (kits && !un)
        return usage_error("--kits needs --unblinded: the store keeps each kit's arm (shown to "
                           "unblinded roles only)");
    const char *by = rk__arg_by(a);
    rk_kitlist *l = NULL;
    rk_batch_release *b = NULL;
    size_t nb = 0;
    rk_store *s = NULL;
    rk_status st = kits ? rk_kitlist_read(kits, un, &l, &err) : RK_OK;
    if (!st && rel) st = rk_batch_read(rel, &b, &nb, &err);
    if (!st) st = rk_store_open(db, 0, &s, &err);
    if (!st) st = rk_supply_store_load(s, l, b, nb, by, &err);
    if (!st) printf("%s: loaded %zu kits and release data of %zu batches\n", db, l ? l->n : 0, nb);
    rk_store_close(s);
    rk_kitlist_free(l);
    free(b);
    return st ? fail(&err, st) : RK_EXIT_OK;
}

/* settings */
static const rk__opt settings_opts[] = {
    {"db", "FILE", "trial database"},
    {"schedule", "FILE.csv", "the visit schedule: visit,kind,day,before,after"},
    {"trigger", "N", "resupply when usable kits of an arm at a site fall below N"},
    {"buffer", "N", "resupply up to N usable kits per arm"},
    {"min-shelf", "DAYS", "resupply only kits with DAYS of shelf life left"},
    {"by", "NAME", "who changes them (recorded in the audit trail; default: $USER)"},
};

static int run_settings(const rk__args *a)
{
    rk_error err = {0};
    const char *db = rk__arg(a, "db");
    if (!db) return usage_error("needs --db FILE");
    rk_supply_settings set;
    rk_store *s = NULL;
    rk_status st = rk_store_open(db, 0, &s, &err);
    if (!st) st = rk_supply_store_settings(s, &set, &err);
    int change = rk__arg(a, "schedule") || rk__arg(a, "trigger") || rk__arg(a, "buffer") ||
                 rk__arg(a, "min-shelf");
    unsigned long v = 0;
    if (!st && rk__arg(a, "schedule"))
        st = rk_schedule_read(rk__arg(a, "schedule"), &set.schedule, &err);
    if (!st && rk__arg(a, "trigger") &&
        !(st = parse_count(rk__arg(a, "trigger"), "trigger", 1, 100000, &v, &err)))
        set.resupply_trigger = v;
    if (!st && rk__arg(a, "buffer") &&
        !(st = parse_count(rk__arg(a, "buffer"), "buffer", 1, 100000, &v, &err)))
        set.resupply_buffer = v;
    if (!st && rk__arg(a, "min-shelf") &&
        !(st = parse_count(rk__arg(a, "min-shelf"), "min-shelf", 0, 3650, &v, &err)))
        set.min_shelf_days = (int)v;
    if (!st && change) {
        const char *by = rk__arg_by(a);
        st = rk_supply_store_configure(s, &set, by, &err);
    }
    rk_store_close(s);
    if (st) return fail(&err, st);
    printf("%s supply settings\n", change ? "new" : "current");
    printf("resupply: trigger %zu, buffer %zu per arm, minimum shelf life %d days\n",
           set.resupply_trigger, set.resupply_buffer, set.min_shelf_days);
    printf("%-16s %-9s %4s %7s %6s\n", "visit", "kind", "day", "before", "after");
    for (size_t i = 0; i < set.schedule.n; i++) {
        const rk_visit_def *d = &set.schedule.visit[i];
        printf("%-16s %-9s %4d %7d %6d\n", d->name,
               d->kind == RK_VISIT_INFUSION ? "infusion"
               : d->kind == RK_VISIT_CT     ? "ct"
                                            : "followup",
               d->day, d->before, d->after);
    }
    return RK_EXIT_OK;
}

static const action actions[] = {
    {"kits",
     "rctkit supply kits --seed TEXT --arms A:2,B:1 --blocks N --lot LOT --expiry DATE "
     "--out DIR",
     "Generate a kit list: random codes with a check symbol, arms permuted within blocks.",
     kits_opts, NOPTS(kits_opts), run_kits},
    {"labels", "rctkit supply labels --kits kits.csv|--db FILE --out DIR [--gtin GTIN]",
     "Render one label per kit (GS1 DataMatrix + Code 128, SVG and PNG); labels carry no arm.",
     labels_opts, NOPTS(labels_opts), run_labels},
    {"batches", "rctkit supply batches --release FILE.csv",
     "Check batch release data (viability, CD markers, sterility); UNBLINDED output.", batches_opts,
     NOPTS(batches_opts), run_batches},
    {"scan", "rctkit supply scan --dir DIR --who USER | --db FILE --user NAME; --kit CODE --to S",
     "Record a kit transition (refused with advice when illegal): DIR journal or trial database.",
     scan_opts, NOPTS(scan_opts), run_scan},
    {"release", "rctkit supply release --dir DIR --kit CODE --who USER --role pharmacist --why T",
     "Release a quarantined kit back to its previous state (unblinded role and reason).",
     release_opts, NOPTS(release_opts), run_release},
    {"allocate", "rctkit supply allocate --dir DIR --subject ID --who USER",
     "Allocate the next kit of the subject's arm at the subject's site (prints a code only).",
     allocate_opts, NOPTS(allocate_opts), run_allocate},
    {"expire", "rctkit supply expire --dir DIR [--at TIME]",
     "Record every unused kit past its expiry date as expired (it can then only be returned).",
     expire_opts, NOPTS(expire_opts), run_expire},
    {"logger", "rctkit supply logger --file FILE.csv [--dir DIR --shipment ID]",
     "Import a shipment's temperature logger file: excursions, transit, bad rows; quarantine.",
     logger_opts, NOPTS(logger_opts), run_logger},
    {"schedule", "rctkit supply schedule --on DATE (--randomized DATE | --dir DIR --subject ID)",
     "The visit schedule with windows and each visit's status on a date.", schedule_opts,
     NOPTS(schedule_opts), run_schedule},
    {"load",
     "rctkit supply load --db FILE --kits kits.csv --unblinded kits-unblinded.csv [--release F]",
     "Load the kit list and batch release data into a trial database (for the server).", load_opts,
     NOPTS(load_opts), run_load},
    {"settings",
     "rctkit supply settings --db FILE [--schedule F.csv] [--trigger N] [--buffer N] "
     "[--min-shelf DAYS]",
     "Show or change the trial's visit schedule and resupply levels (used by the server).",
     settings_opts, NOPTS(settings_opts), run_settings},
    {"report", "rctkit supply report --dir DIR|--db FILE [--what REPORT] [--on DATE]",
     "Supply reports: inventory, expiring, reconcile, resupply, visits (all blinded).", report_opts,
     NOPTS(report_opts), run_report},
};

static void supply_usage(FILE *f)
{
    fprintf(f, "usage: rctkit supply ACTION [options]   (rctkit supply ACTION --help)\n\n"
               "actions:\n");
    for (size_t i = 0; i < NOPTS(actions); i++)
        fprintf(f, "  %-9s %s\n", actions[i].name, actions[i].about);
}

int rk__cmd_supply(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        supply_usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    for (size_t i = 0; i < NOPTS(actions); i++) {
        const action *ac = &actions[i];
        if (strcmp(argv[0], ac->name) != 0) continue;
        snprintf(cmdname, sizeof cmdname, "supply %s", ac->name);
        rk__args a;
        rk_error err = {0};
        rk_status st = rk__args_parse(&a, ac->opts, ac->nopts, argc - 1, argv + 1, &err);
        if (st) return fail(&err, st);
        if (a.help) {
            rk__print_usage(stdout, ac->usage, ac->about, ac->opts, ac->nopts);
            return RK_EXIT_OK;
        }
        return ac->run(&a);
    }
    fprintf(stderr, "rctkit supply: unknown action '%s'\n", argv[0]);
    supply_usage(stderr);
    return RK_EXIT_USAGE;
}
