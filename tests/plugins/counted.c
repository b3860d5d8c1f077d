/*
 * counted.c: the good test plugin, counting how often the host opens it:
 * its entry point appends a line to the file $OC_TEST_LOAD_LOG names
 * (when set) each time it is called, which the loader does once in its
 * trial child and once in the host for every opening (a constructor
 * would not do: a library already loaded is not loaded again). Built
 * alone, as good.so, in tests/plugins/counted/.libs: it calls itself
 * 'good' and is opened by that name.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <outcomes/outcomes.h>

static void count_this_call(void)
{
    const char *log = getenv("OC_TEST_LOAD_LOG");
    if (log == NULL)
        return;
    int descriptor = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (descriptor < 0)
        return;
    if (write(descriptor, "opened\n", 7) != 7)
        abort(); /* a short count would make the test's count wrong, silently */
    close(descriptor);
}

/* good.c's OC_PLUGIN_DEFINE(descriptor), with the count. */
#undef OC_PLUGIN_DEFINE
#define OC_PLUGIN_DEFINE(descriptor_variable)                                                   \
    OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void);                        \
    OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void)                         \
    {                                                                                          \
        count_this_call();                                                                     \
        return &(descriptor_variable);                                                         \
    }

#include "good.c"
