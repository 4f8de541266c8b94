/* Internal interface of the rctkit command-line tool: option parsing, input
 * gathering, output, and the command entry points. */
#ifndef RK_CLI_H
#define RK_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rctkit/core.h"
#include "rctkit/stats.h"

/* Exit codes (documented in `rctkit --help` and docs/cli.md). */
enum { RK_EXIT_OK = 0, RK_EXIT_FAIL = 1, RK_EXIT_USAGE = 2 };

/* Exit code for a library status: bad input or usage is 2, anything else 1. */
int rk__exit_code(rk_status st);

/* ---- options ---- */
typedef struct rk__opt {
    const char *name;    /* without the leading "--" */
    const char *metavar; /* NULL for a flag */
    const char *help;
} rk__opt;

#define RK__MAX_OPTS 32

typedef struct rk__args {
    const rk__opt *spec;
    size_t nspec;
    const char *value[RK__MAX_OPTS]; /* value, "" for a set flag, NULL when absent */
    int help;                        /* --help or -h given */
} rk__args;

/* Parse argv[0..argc-1] (the words after the command name) against spec;
 * unknown options, missing values and repeated options are RK_EINVAL. */
rk_status rk__args_parse(rk__args *a, const rk__opt *spec, size_t nspec, int argc, char **argv,
                         rk_error *err);
const char *rk__arg(const rk__args *a, const char *name);
/* Who acts, for the audit trail: --by, else $USER, else "unknown". */
const char *rk__arg_by(const rk__args *a);
int rk__flag(const rk__args *a, const char *name);
/* Print "usage: ..." and the option table. */
void rk__print_usage(FILE *f, const char *usage, const char *about, const rk__opt *spec,
                     size_t nspec);

/* ---- inputs ---- */
/* A comma-separated list of numbers; "NA" entries are missing: dropped and counted. */
rk_status rk__parse_list(const char *s, const char *what, double **out, size_t *n,
                         size_t *n_missing, rk_error *err);
/* Strict numeric option (e.g. --conf-level). */
rk_status rk__parse_option_number(const char *s, const char *opt, double *out, rk_error *err);

/* Samples of a value column split by a group column of a CSV file. */
typedef struct rk__groups {
    size_t k;
    char **level;     /* k level names */
    double **value;   /* k arrays */
    size_t *n;        /* k sizes */
    size_t n_missing; /* rows dropped: missing value or group */
} rk__groups;

/* Read FILE, split column `value` by column `group` (or one group when group is
 * NULL).  levels: NULL for all levels in sorted (C locale) order, or a
 * comma-separated list that fixes order and keeps only those levels. */
rk_status rk__read_groups(const char *path, const char *value, const char *group,
                          const char *levels, rk__groups *g, rk_error *err);
void rk__groups_free(rk__groups *g);

/* "7,5/5,24": rows separated by '/', cells by ','; non-negative integers. */
rk_status rk__parse_table(const char *s, int64_t **cells, size_t *nr, size_t *nc, rk_error *err);

/* ---- output ---- */
typedef enum { RK_FMT_TEXT = 0, RK_FMT_JSON } rk__format;
rk_status rk__parse_format(const char *s, rk__format *f, rk_error *err);
/* Print a test result; `data` describes the input in words for text output. */
int rk__print_htest(const rk_htest *h, rk__format fmt, const char *data);
/* Format a number with up to `sig` significant digits, R style ("NaN", "Inf"). */
void rk__fmt_num(char *buf, size_t size, double v, int sig);
/* A JSON number, or null for NaN/Inf (JSON has neither). */
json_t *rk__jnum(double v);
/* Print o as one indented JSON document (17 significant digits) and release it; exit code. */
int rk__print_json(json_t *o);

/* ---- commands: each returns an exit code ---- */
int rk__cmd_test(int argc, char **argv);
int rk__cmd_describe(int argc, char **argv);
int rk__cmd_ci(int argc, char **argv);

#endif
