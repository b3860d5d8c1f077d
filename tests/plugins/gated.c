/*
 * gated.c: the good test plugin, waiting at a gate so that a test can act
 * while a run is surely still reading its store (tests/run_store_changes.py:
 * a store replaced or rewritten during a run). When $OC_TEST_GATE names a
 * directory, every evaluation creates `started` in it and then waits until
 * `open` appears there (for at most two minutes, so that a test that fails
 * leaves nothing stuck), before computing good's rate. Fixed sleeps would
 * race the run on a loaded machine; the gate cannot. Built as gated.so
 * in tests/plugins/.libs, and named 'gated'.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <outcomes/outcomes.h>

#define GATE_POLL_NANOSECONDS 10000000L /* 10 ms */
#define GATE_WAIT_POLLS 12000            /* two minutes */

static void wait_at_gate(void)
{
    const char *gate = getenv("OC_TEST_GATE");
    char path[PATH_MAX];
    if (gate == NULL || snprintf(path, sizeof path, "%s/started", gate) >= (int)sizeof path)
        return;
    int descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (descriptor >= 0)
        close(descriptor);
    snprintf(path, sizeof path, "%s/open", gate);
    struct timespec poll = {0, GATE_POLL_NANOSECONDS};
    for (int i = 0; i < GATE_WAIT_POLLS && access(path, F_OK) != 0; i++)
        while (nanosleep(&poll, &poll) != 0 && errno == EINTR)
            ;
}

static int evaluate_after_gate(oc_evaluation *evaluation, oc_error *error);

/* good.c's OC_PLUGIN_DEFINE(descriptor), giving its descriptor under
 * another name with the gate before its evaluate. */
static oc_plugin_descriptor gated_descriptor;
#undef OC_PLUGIN_DEFINE
#define OC_PLUGIN_DEFINE(descriptor_variable)                                                   \
    OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void);                        \
    OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void)                         \
    {                                                                                          \
        gated_descriptor = (descriptor_variable);                                              \
        gated_descriptor.name = "gated";                                                       \
        gated_descriptor.evaluate = evaluate_after_gate;                                       \
        return &gated_descriptor;                                                              \
    }

#include "good.c"

static int evaluate_after_gate(oc_evaluation *evaluation, oc_error *error)
{
    wait_at_gate();
    return evaluate(evaluation, error);
}
