/* `rctkit rand`: randomization lists and the assessment of a design. */
#ifndef RK_CLI_CMD_RAND_H
#define RK_CLI_CMD_RAND_H

/* rctkit rand list|assess --design DESIGN.yaml [options].  argv[0] is the subcommand.
 * Returns an exit code (RK_EXIT_*). */
int rk__cmd_rand(int argc, char **argv);

#endif
