/*
 * commands.h: the subcommands of the `outcomes` command and the exit
 * statuses they share (documented in docs/exit-status.md; scheduled jobs
 * depend on them, so never renumber).
 */
#ifndef OC_COMMANDS_H
#define OC_COMMANDS_H

enum oc__exit_status {
    OC_EXIT_OK = 0,            /* everything was evaluated / done */
    OC_EXIT_INTERNAL = 1,      /* out of memory or an unexpected failure */
    OC_EXIT_USAGE = 2,         /* bad command line */
    OC_EXIT_CONFIG = 3,        /* the configuration is wrong */
    OC_EXIT_DATA = 4,          /* a store or input file is unreadable or invalid */
    OC_EXIT_PLUGIN = 5,        /* a plugin failed; the other results were written */
    OC_EXIT_FAIL_ON = 6        /* --fail-on matched (e.g. a red RAG) */
};

/* Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand itself) and returns an oc__exit_status. */
int oc__command_run(int argc, char **argv);
int oc__command_plugins(int argc, char **argv);
int oc__command_store(int argc, char **argv);
int oc__command_import(int argc, char **argv);

/* Prints "outcomes: MESSAGE" on stderr: the one-line error format. */
void oc__print_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
