/* `rctkit supply`: kit lists, labels, batch release, scans, logger files, schedule, reports. */
#ifndef RK_CLI_CMD_SUPPLY_H
#define RK_CLI_CMD_SUPPLY_H

/* rctkit supply ACTION [options]; argv[0] is the action.  Returns an exit code (RK_EXIT_*). */
int rk__cmd_supply(int argc, char **argv);

#endif
