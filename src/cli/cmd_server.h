/* `rctkit trial`, `rctkit serve`, `rctkit audit`: the concealed-allocation server's commands. */
#ifndef RK_CLI_CMD_SERVER_H
#define RK_CLI_CMD_SERVER_H

/* rctkit trial init|hash-password ... ; argv[0] is the subcommand. */
int rk__cmd_trial(int argc, char **argv);
/* rctkit serve --db FILE [--bind ADDR] [--port N] ... */
int rk__cmd_serve(int argc, char **argv);
/* rctkit audit verify --db FILE [--head N:HEX] [--format json] */
int rk__cmd_audit(int argc, char **argv);

#endif
