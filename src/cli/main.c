/* rctkit command-line entry point: dispatches to the command modules. */
#include <stdio.h>
#include <string.h>

#include "rctkit/core.h"

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("rctkit %s\n", RK_VERSION);
        return 0;
    }
    return 2;
}
