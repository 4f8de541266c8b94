/* `rctkit survival`: Kaplan-Meier curves and the log-rank test from a CSV file. */
#ifndef RK_CLI_CMD_SURVIVAL_H
#define RK_CLI_CMD_SURVIVAL_H

#include <stddef.h>

#include <jansson.h>

#include "cli/cli.h"
#include "rctkit/data.h"
#include "rctkit/models.h"

/* rctkit survival km|logrank --data FILE.csv --time COL --event COL [options].
 * argv[0] is the analysis name.  Returns an exit code (RK_EXIT_*). */
int rk__cmd_survival(int argc, char **argv);

/* The (time, event) pairs of a set of table rows, after the death rule. */
typedef struct rk__surv_data {
    size_t n;          /* rows kept */
    size_t n_dropped;  /* rows dropped for a missing time, event (or died / death time) */
    size_t n_died;     /* kept rows that died without the event (0 without --died) */
    double *time;      /* n */
    int *event;        /* n */
    size_t *row;       /* n: table row of each kept pair */
    size_t *pos;       /* n: index into the caller's `rows` of each kept pair */
    rk_ttci_rule rule; /* the death rule applied (meaningful when died_col != NULL) */
    double followup;   /* --followup (NAN without --died) */
} rk__surv_data;

/* Options shared by every command that reads (time, event) data: --time, --event,
 * --died, --death-time, --followup, --death-rule. */
#define RK__SURV_OPTS                                                                              \
    {"time", "COL", "follow-up time (e.g. days to improvement or last seen)"},                     \
        {"event", "COL", "1 = event (e.g. improved), 0 = censored"},                               \
        {"died", "COL", "1 = died without the event: a competing terminal event (--death-rule)"},  \
        {"death-time", "COL", "time of death (default: the --time value of that row)"},            \
        {"followup", "T", "end of follow-up (required with --died; every time must be <= T)"},     \
    {                                                                                              \
        "death-rule", "RULE", "followup (default): censored at T; death: censored at death; never" \
    }

/* Read the (time, event) data of the table rows `rows` (n_rows of them; NULL =
 * every row) from the options in `a`.  Rows with a missing time or event (or
 * died flag) are dropped and counted; with --died, a death before the event is
 * handled by rk_ttci_events under --death-rule.  Errors name the file and
 * line.  Free with rk__surv_data_free. */
rk_status rk__surv_read(const rk_table *t, const rk__args *a, const size_t *rows, size_t n_rows,
                        rk__surv_data *out, rk_error *err);
void rk__surv_data_free(rk__surv_data *s);

/* A categorical column: levels sorted as R's factor() (numerically when every value is a
 * number, else strcmp), or in the order of `levels` ("A,B"; other values are left out).
 * idx[r] for table row r: level index, -1 for a value left out, -2 when missing. */
typedef struct rk__factor {
    size_t k;
    char **name;
    long *idx;
} rk__factor;

rk_status rk__factor_read(const rk_table *t, const char *name, const char *levels, rk__factor *f,
                          rk_error *err);
void rk__factor_free(rk__factor *f);
/* One line saying how deaths were handled, e.g. "deaths without the event (died): 4,
 * censored at the end of follow-up (28) [--death-rule followup]"; "" without --died. */
void rk__surv_rule_text(const rk__surv_data *s, const rk__args *a, char *buf, size_t size);
/* The same as a JSON object {column, rule, followup, n_died_without_event}; NULL without --died. */
json_t *rk__surv_rule_json(const rk__surv_data *s, const rk__args *a);

#endif
