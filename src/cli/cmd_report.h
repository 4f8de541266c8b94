/* `rctkit report` and `rctkit simulate`: the paper's tables from an analysis plan, and the
 * synthetic demo trial. */
#ifndef RK_CLI_CMD_REPORT_H
#define RK_CLI_CMD_REPORT_H

/* rctkit report PLAN.yaml [--out DIR] [--format FMT].  Returns an exit code. */
int rk__cmd_report(int argc, char **argv);
/* rctkit simulate trial --out DIR [--seed N] [--subjects N].  Returns an exit code. */
int rk__cmd_simulate(int argc, char **argv);

#endif
