/*
 * loading.c: the good test plugin, with a constructor that misbehaves
 * while the plugin is being loaded, before the host could call anything:
 * OC_TEST_LOADING 1 crashes, 2 calls exit(0), 3 hangs. The loader tries
 * each plugin in a child process first (core/plugin_loader.c), so none of
 * them may take the host, or the plugin listing, with it.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "good.c"

__attribute__((constructor)) static void misbehave_while_loading(void)
{
#if OC_TEST_LOADING == 1
    raise(SIGSEGV);
#elif OC_TEST_LOADING == 2
    exit(0);
#elif OC_TEST_LOADING == 3
    for (;;)
        pause();
#else
#error "OC_TEST_LOADING must be 1, 2 or 3"
#endif
}
