/* `rctkit model`: regression models fitted from a CSV file and a formula. */
#ifndef RK_CLI_CMD_MODEL_H
#define RK_CLI_CMD_MODEL_H

/* rctkit model linear|logistic|ordinal|mixed|cox --data FILE.csv --formula F [options].
 * argv[0] is the model name.  Returns an exit code (RK_EXIT_*). */
int rk__cmd_model(int argc, char **argv);

#endif
