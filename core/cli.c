/* cli.c: the `outcomes` command's entry point; it only dispatches. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <outcomes/outcomes.h>

#include "commands.h"

static const char usage[] =
    "Usage: outcomes [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "Evaluates outcome metrics (plugins) against HDF5 time-series stores.\n"
    "\n"
    "Commands:\n"
    "  run CONFIG            evaluate the metrics a configuration defines\n"
    "  plugins [info NAME]   list the plugins found, or describe one\n"
    "  store info FILE       summarise a store: frames, measures, periods\n"
    "  store check FILE      validate a store's layout, listing every problem\n"
    "  import CSV -o FILE    build a store from tidy CSV\n"
    "\n"
    "Run 'outcomes COMMAND --help' for a command's options.\n"
    "Exit status: 0 ok, 1 internal error, 2 usage, 3 configuration, 4 data,\n"
    "5 plugin failure, 6 --fail-on matched (docs/exit-status.md).\n";

/* Output that stdio still held, or that it failed to write earlier, is
 * lost without a word unless someone looks: `outcomes run > /dev/full`
 * would otherwise exit 0 with no results written. A command that already
 * failed has said why; one that succeeded (or only had plugins fail) has
 * not, and its output was the point. */
static int finish_standard_output(int status)
{
    errno = 0;
    int failed = fflush(stdout) != 0;
    int error_number = errno;
    failed |= ferror(stdout) != 0;
    if (!failed || (status != OC_EXIT_OK && status != OC_EXIT_PLUGIN && status != OC_EXIT_FAIL_ON))
        return status;
    if (error_number != 0)
        oc__print_error("standard output: write failed: %s", strerror(error_number));
    else
        oc__print_error("standard output: write failed");
    return OC_EXIT_INTERNAL;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return OC_EXIT_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 || strcmp(command, "help") == 0) {
        fputs(usage, stdout);
        return OC_EXIT_OK;
    }
    if (strcmp(command, "--version") == 0 || strcmp(command, "-V") == 0) {
        printf("outcomes %s (plugin ABI %d.%d)\n", oc_version(), OC_ABI_MAJOR, OC_ABI_MINOR);
        return OC_EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {
        {"run", oc__command_run},
        {"plugins", oc__command_plugins},
        {"store", oc__command_store},
        {"import", oc__command_import},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(command, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    oc__print_error("unknown command '%s' (try 'outcomes --help')", command);
    return OC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    return finish_standard_output(dispatch(argc, argv));
}
