/* Placeholder until the TUI lands (issue 3): says so instead of pretending. */
#include <stdio.h>
#include "commands.h"

int tui_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "wscope: the TUI is not built yet; see `wscope --help` for the commands\n");
    return 1;
}
