/* `rctkit data check|derive|convert`: validate a trial's subjects, measurements and adverse
 * events and count the populations; write the derived data sets; convert file formats. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cmd_data.h"
#include "rctkit/data.h"

#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARMS 64
#define MAX_WINDOWS 64

static const rk__opt trial_opts[] = {
    {"subjects", "FILE", "subject-level data set (ADSL): USUBJID, ARM, ... (required)"},
    {"measurements", "FILE", "measurements (BDS): USUBJID, PARAMCD, AVAL, AVISIT and/or ADY"},
    {"ae", "FILE", "adverse events (ADAE): USUBJID, AEDECOD, AETOXGR, ASTDY, ..."},
    {"arms", "A,B,...", "the planned arms in order (default: as found, sorted)"},
    {"windows", "SPEC", "visit windows NAME=LO..HI@TARGET,...; the first is baseline"},
    {"baseline-visit", "NAME", "without windows: the baseline AVISIT (default BASELINE)"},
    {"primary", "PARAMCD[@VISIT]", "primary endpoint: LOCF in mITT, per-protocol population"},
    {"no-locf", NULL, "do not carry the last observation forward"},
    {"improvement", "PARAMCD", "ordinal clinical status: improvement = fall of 2 or category 1"},
    {"out", "DIR", "derive: directory for adsl, adbds, adtte"},
    {"out-format", "FMT", "derive: csv (default) or xpt (SAS XPORT v5)"},
    {"format", "FMT", "text (default) or json"},
};

static int fail(const char *sub, const rk_error *err, rk_status st)
{
    fprintf(stderr, "rctkit data %s: %s\n", sub, err->msg[0] ? err->msg : rk_strerror(st));
    return rk__exit_code(st);
}

static void usage(FILE *f)
{
    fputs("usage: rctkit data check --subjects FILE [--measurements FILE] [--ae FILE] [options]\n"
          "       rctkit data derive --subjects FILE [--measurements FILE] [--ae FILE] --out DIR "
          "[options]\n"
          "       rctkit data convert IN OUT [--member NAME]\n"
          "\n"
          "check   validate the data sets, print counts per population and arm\n"
          "derive  also write the derived data sets (populations, BASE/CHG/PCHG, LOCF, ...)\n"
          "convert csv, sas7bdat, xpt, dta or sav to csv (OUT '-': standard output) or xpt\n"
          "\n"
          "Run 'rctkit data check --help' for the options.\n",
          f);
}

/* Everything the trial options point into lives here. */
typedef struct trial_args {
    rk_trial_opts o;
    char *armbuf, *winbuf, *primbuf;
    const char *arms[MAX_ARMS];
    rk_visit_window win[MAX_WINDOWS];
} trial_args;

static rk_status parse_windows(trial_args *ta, const char *spec, rk_error *err)
{
    if (!(ta->winbuf = strdup(spec))) return rk_error_set(err, RK_ENOMEM, "out of memory");
    char *p = ta->winbuf;
    size_t n = 0;
    while (p && *p) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (n == MAX_WINDOWS) return rk_error_set(err, RK_EINVAL, "--windows: more than 64");
        char *eq = strchr(p, '='), *dots = eq ? strstr(eq, "..") : NULL;
        char *at = dots ? strchr(dots, '@') : NULL;
        if (!eq || !dots || !at || eq == p)
            return rk_error_set(err, RK_EINVAL,
                                "--windows: '%s' is not NAME=LO..HI@TARGET (e.g. DAY28=21..35@28)",
                                p);
        *eq = *dots = *at = '\0';
        rk_visit_window *w = &ta->win[n];
        w->name = p;
        rk_status st;
        if ((st = rk__parse_option_number(eq + 1, "windows", &w->lo, err)) ||
            (st = rk__parse_option_number(dots + 2, "windows", &w->hi, err)) ||
            (st = rk__parse_option_number(at + 1, "windows", &w->target, err)))
            return st;
        n++;
        p = comma ? comma + 1 : NULL;
    }
    ta->o.windows = ta->win;
    ta->o.n_windows = n;
    return RK_OK;
}

static rk_status parse_trial_args(const rk__args *a, trial_args *ta, rk_error *err)
{
    rk_trial_opts_init(&ta->o);
    const char *s;
    if ((s = rk__arg(a, "arms"))) {
        if (!(ta->armbuf = strdup(s))) return rk_error_set(err, RK_ENOMEM, "out of memory");
        char *p = ta->armbuf;
        while (p) {
            char *comma = strchr(p, ',');
            if (comma) *comma = '\0';
            if (!*p) return rk_error_set(err, RK_EINVAL, "--arms: an empty arm name");
            if (ta->o.n_arms == MAX_ARMS) return rk_error_set(err, RK_EINVAL, "--arms: over 64");
            ta->arms[ta->o.n_arms++] = p;
            p = comma ? comma + 1 : NULL;
        }
        ta->o.arms = ta->arms;
    }
    rk_status st;
    if ((s = rk__arg(a, "windows")) && (st = parse_windows(ta, s, err))) return st;
    if ((s = rk__arg(a, "baseline-visit"))) ta->o.baseline_visit = s;
    if ((s = rk__arg(a, "primary"))) {
        if (!(ta->primbuf = strdup(s))) return rk_error_set(err, RK_ENOMEM, "out of memory");
        char *at = strchr(ta->primbuf, '@');
        if (at) {
            *at = '\0';
            ta->o.primary_visit = at + 1;
        }
        ta->o.primary_param = ta->primbuf;
    }
    if (rk__flag(a, "no-locf")) ta->o.locf = 0;
    ta->o.improve_param = rk__arg(a, "improvement");
    return RK_OK;
}

static void trial_args_free(trial_args *ta)
{
    free(ta->armbuf);
    free(ta->winbuf);
    free(ta->primbuf);
}

/* ---- counts ---- */

enum { POP_ITT, POP_MITT, POP_PP, POP_SAF, NPOP };
static const char *pop_names[NPOP] = {"ITT", "mITT", "PP", "safety"};

typedef struct counts {
    size_t pop[NPOP][MAX_ARMS + 1]; /* last column: total */
    size_t not_randomized;
} counts;

static void count(const rk_trial *t, counts *c)
{
    memset(c, 0, sizeof *c);
    size_t k = t->n_arms;
    for (size_t i = 0; i < t->n_subjects; i++) {
        const rk_subject *s = &t->subjects[i];
        if (s->arm < 0) c->not_randomized++;
        unsigned char f[NPOP] = {s->itt, s->mitt, s->pp, s->saf};
        /* safety by the treatment received (ACTARM) when known */
        int arms[NPOP] = {s->arm, s->arm, s->arm, s->actarm >= 0 ? s->actarm : s->arm};
        for (int p = 0; p < NPOP; p++)
            if (f[p]) {
                if (arms[p] >= 0) c->pop[p][arms[p]]++;
                c->pop[p][k]++;
            }
    }
}

static int report(const rk_trial *t, const rk__args *a, rk__format fmt, const char **written,
                  size_t n_written)
{
    counts c;
    count(t, &c);
    size_t k = t->n_arms, n_locf = 0;
    for (size_t i = 0; i < t->n_measures; i++)
        n_locf += t->measures[i].locf;
    const char *mf = rk__arg(a, "measurements"), *af = rk__arg(a, "ae");
    if (fmt == RK_FMT_JSON) {
        json_t *o = json_object(), *arms = json_array(), *pops = json_object();
        json_object_set_new(o, "subjects", json_string(rk__arg(a, "subjects")));
        json_object_set_new(o, "n_subjects", json_integer((json_int_t)t->n_subjects));
        json_object_set_new(o, "not_randomized", json_integer((json_int_t)c.not_randomized));
        for (size_t j = 0; j < k; j++)
            json_array_append_new(arms, json_string(t->arms[j]));
        json_object_set_new(o, "arms", arms);
        for (int p = 0; p < NPOP; p++) {
            json_t *row = json_object();
            for (size_t j = 0; j < k; j++)
                json_object_set_new(row, t->arms[j], json_integer((json_int_t)c.pop[p][j]));
            json_object_set_new(row, "total", json_integer((json_int_t)c.pop[p][k]));
            json_object_set_new(pops, pop_names[p], row);
        }
        json_object_set_new(o, "populations", pops);
        if (mf) {
            json_object_set_new(o, "measurements", json_string(mf));
            json_object_set_new(o, "n_records", json_integer((json_int_t)t->n_measures));
            json_object_set_new(o, "n_locf", json_integer((json_int_t)n_locf));
            json_t *pa = json_array();
            for (size_t j = 0; j < t->n_params; j++)
                json_array_append_new(pa, json_string(t->params[j]));
            json_object_set_new(o, "parameters", pa);
            json_t *va = json_array();
            for (size_t j = 0; j < t->n_visits; j++)
                json_array_append_new(va, json_string(t->visits[j]));
            json_object_set_new(o, "visits", va);
        }
        if (af) {
            json_object_set_new(o, "ae", json_string(af));
            json_object_set_new(o, "n_ae", json_integer((json_int_t)t->n_aes));
        }
        json_t *wr = json_array();
        for (size_t j = 0; j < n_written; j++)
            json_array_append_new(wr, json_string(written[j]));
        if (n_written)
            json_object_set_new(o, "written", wr);
        else
            json_decref(wr);
        json_t *notes = json_array();
        for (size_t j = 0; j < t->n_notes; j++)
            json_array_append_new(notes, json_string(t->notes[j]));
        json_object_set_new(o, "notes", notes);
        return rk__print_json(o);
    }
    printf("subjects: %s (%zu subjects", rk__arg(a, "subjects"), t->n_subjects);
    if (c.not_randomized) printf(", %zu not randomized", c.not_randomized);
    printf(")\n");
    if (mf) {
        printf("measurements: %s (%zu records, %zu parameters, %zu visits", mf,
               t->n_measures - n_locf, t->n_params, t->n_visits);
        if (n_locf) printf(", %zu LOCF records derived", n_locf);
        printf(")\n");
    }
    if (af) printf("adverse events: %s (%zu events)\n", af, t->n_aes);
    printf("\n%-12s", "population");
    /* planned arm; safety by the arm received (ACTARM) when the data say */
    int w[MAX_ARMS];
    for (size_t j = 0; j < k; j++) {
        w[j] = (int)strlen(t->arms[j]) > 6 ? (int)strlen(t->arms[j]) : 6;
        printf("  %*s", w[j], t->arms[j]);
    }
    printf("  %6s\n", "total");
    for (int p = 0; p < NPOP; p++) {
        printf("%-12s", pop_names[p]);
        for (size_t j = 0; j < k; j++)
            printf("  %*zu", w[j], c.pop[p][j]);
        printf("  %6zu\n", c.pop[p][k]);
    }
    if (t->n_notes) printf("\n");
    for (size_t j = 0; j < t->n_notes; j++)
        printf("note: %s\n", t->notes[j]);
    if (n_written) printf("\n");
    for (size_t j = 0; j < n_written; j++)
        printf("wrote %s\n", written[j]);
    return RK_EXIT_OK;
}

static int cmd_trial(const char *sub, int argc, char **argv)
{
    rk__args a;
    rk_error err;
    rk_error_clear(&err);
    rk_status st = rk__args_parse(&a, trial_opts, NOPTS(trial_opts), argc, argv, &err);
    if (st) return fail(sub, &err, st);
    int derive = !strcmp(sub, "derive");
    if (a.help) {
        rk__print_usage(stdout,
                        derive ? "rctkit data derive --subjects FILE [--measurements FILE] [--ae "
                                 "FILE] --out DIR [options]"
                               : "rctkit data check --subjects FILE [--measurements FILE] [--ae "
                                 "FILE] [options]",
                        "Files may be csv, sas7bdat, xpt, dta or sav. Column names follow CDISC "
                        "ADaM (docs/data.md).",
                        trial_opts, NOPTS(trial_opts));
        return RK_EXIT_OK;
    }
    rk__format fmt;
    if ((st = rk__parse_format(rk__arg(&a, "format"), &fmt, &err))) return fail(sub, &err, st);
    if (!rk__arg(&a, "subjects")) {
        rk_error_set(&err, RK_EINVAL, "--subjects FILE is required (see --help)");
        return fail(sub, &err, RK_EINVAL);
    }
    const char *out = rk__arg(&a, "out"), *ofs = rk__arg(&a, "out-format");
    if (derive && !out) {
        rk_error_set(&err, RK_EINVAL, "--out DIR is required (see --help)");
        return fail(sub, &err, RK_EINVAL);
    }
    if (!derive && (out || ofs)) {
        rk_error_set(&err, RK_EINVAL, "--out and --out-format belong to 'rctkit data derive'");
        return fail(sub, &err, RK_EINVAL);
    }
    rk_file_format ofmt = RK_FILE_CSV;
    if (ofs && !strcmp(ofs, "xpt"))
        ofmt = RK_FILE_XPORT;
    else if (ofs && strcmp(ofs, "csv") != 0) {
        rk_error_set(&err, RK_EINVAL, "--out-format must be csv or xpt, not '%s'", ofs);
        return fail(sub, &err, RK_EINVAL);
    }
    trial_args ta;
    memset(&ta, 0, sizeof ta);
    rk_trial *t = NULL;
    int rc;
    if ((st = parse_trial_args(&a, &ta, &err)) ||
        (st = rk_trial_read(rk__arg(&a, "subjects"), rk__arg(&a, "measurements"), rk__arg(&a, "ae"),
                            &ta.o, &t, &err))) {
        rc = fail(sub, &err, st);
        goto done;
    }
    char paths[3][4096];
    const char *written[3];
    size_t n_written = 0;
    if (derive) {
        static const char *names[3] = {"adsl", "adbds", "adtte"};
        rk_status (*make[3])(const rk_trial *, rk_table **,
                             rk_error *) = {rk_trial_adsl, rk_trial_bds, rk_trial_adtte};
        for (int i = 0; i < 3 && !st; i++) {
            if (i == 1 && !t->measures_table) continue;
            if (i == 2 && !t->n_tti) continue;
            rk_table *tb = NULL;
            snprintf(paths[i], sizeof paths[i], "%s/%s.%s", out, names[i],
                     ofmt == RK_FILE_XPORT ? "xpt" : "csv");
            if (!(st = make[i](t, &tb, &err))) st = rk_data_write(tb, paths[i], ofmt, &err);
            rk_table_free(tb);
            if (!st) written[n_written++] = paths[i];
        }
        if (st) {
            rc = fail(sub, &err, st);
            goto done;
        }
    }
    rc = report(t, &a, fmt, written, n_written);
done:
    rk_trial_free(t);
    trial_args_free(&ta);
    return rc;
}

static int cmd_convert(int argc, char **argv)
{
    rk_error err;
    rk_error_clear(&err);
    const char *in = NULL, *out = NULL, *member = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: rctkit data convert IN OUT [--member NAME]\n\n"
                   "Reads csv, sas7bdat, xpt, dta or sav; writes csv (OUT '-': standard\n"
                   "output) or xpt (SAS XPORT version 5: names of at most 8 characters, labels\n"
                   "of at most 40, text of at most 200 bytes; longer ones are refused, never\n"
                   "truncated).  --member names the XPORT data set (default: OUT's base name in\n"
                   "capitals).\n");
            return RK_EXIT_OK;
        }
        if (!strcmp(argv[i], "--member")) {
            if (i + 1 >= argc) {
                rk_error_set(&err, RK_EINVAL, "option --member needs a value (NAME)");
                return fail("convert", &err, RK_EINVAL);
            }
            member = argv[++i];
        } else if (!strncmp(argv[i], "--", 2)) {
            rk_error_set(&err, RK_EINVAL, "unknown option '%s' (see --help)", argv[i]);
            return fail("convert", &err, RK_EINVAL);
        } else if (!in) {
            in = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            rk_error_set(&err, RK_EINVAL, "unexpected argument '%s'", argv[i]);
            return fail("convert", &err, RK_EINVAL);
        }
    }
    if (!in || !out) {
        rk_error_set(&err, RK_EINVAL, "usage: rctkit data convert IN OUT [--member NAME]");
        return fail("convert", &err, RK_EINVAL);
    }
    rk_file_format of = RK_FILE_CSV;
    int to_stdout = !strcmp(out, "-");
    rk_status st = to_stdout ? RK_OK : rk_file_format_of(out, &of, &err);
    if (!st && of != RK_FILE_CSV && of != RK_FILE_XPORT)
        st = rk_error_set(&err, RK_EINVAL, "%s: rctkit writes csv and xpt (SAS XPORT v5), not %s",
                          out, rk_file_format_name(of));
    if (!st && member && of != RK_FILE_XPORT)
        st = rk_error_set(&err, RK_EINVAL, "--member is for xpt output");
    rk_table *t = NULL;
    if (!st) st = rk_data_read(in, RK_FILE_AUTO, &t, &err);
    if (!st && to_stdout) {
        st = rk_csv_write_stream(t, stdout, "standard output", &err);
        rk_table_free(t);
        return st ? fail("convert", &err, st) : RK_EXIT_OK;
    }
    if (!st)
        st =
            of == RK_FILE_XPORT ? rk_xport_write(t, out, member, &err) : rk_csv_write(t, out, &err);
    if (!st) printf("wrote %s: %zu rows, %zu columns\n", out, rk_table_nrows(t), rk_table_ncols(t));
    rk_table_free(t);
    return st ? fail("convert", &err, st) : RK_EXIT_OK;
}

int rk__cmd_data(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        usage(argc < 1 ? stderr : stdout);
        return argc < 1 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    if (!strcmp(argv[0], "check") || !strcmp(argv[0], "derive"))
        return cmd_trial(argv[0], argc - 1, argv + 1);
    if (!strcmp(argv[0], "convert")) return cmd_convert(argc - 1, argv + 1);
    fprintf(stderr, "rctkit data: unknown subcommand '%s'\n\n", argv[0]);
    usage(stderr);
    return RK_EXIT_USAGE;
}
