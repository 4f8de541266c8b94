/* `rctkit data`: check trial data sets, derive the analysis data sets, convert formats. */
#ifndef RK_CLI_CMD_DATA_H
#define RK_CLI_CMD_DATA_H

/* rctkit data check|derive|convert ...; argv[0] is the subcommand.  Returns an exit code. */
int rk__cmd_data(int argc, char **argv);

#endif
