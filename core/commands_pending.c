/* commands_pending.c: TEMPORARY scaffolding while the subcommands are being
 * written in parallel. Weak definitions, overridden by each real command as
 * it lands; this file must be deleted before the first release. */
#include "config.h"

#include "commands.h"

#define OC_PENDING(name)                                                   \
    __attribute__((weak)) int name(int argc, char **argv)                  \
    {                                                                      \
        (void)argc;                                                        \
        oc__print_error("'%s' is not built yet", argv[0]);                 \
        return OC_EXIT_INTERNAL;                                           \
    }

OC_PENDING(oc__command_run)
OC_PENDING(oc__command_plugins)
OC_PENDING(oc__command_store)
OC_PENDING(oc__command_import)
