/*
 * broken.c: test plugins the loader must refuse, one per way a plugin can
 * be wrong. Built once per variant with -DOC_TEST_BROKEN=N (build/host.am).
 */
#include <stddef.h>

#include <outcomes/outcomes.h>

#define NO_ENTRY 1
#define ENTRY_NULL 2
#define ABI_MAJOR 3
#define ABI_MINOR 4
#define BAD_NAME 5
#define NO_INDICATORS 6
#define BAD_DEFAULT 7
#define NO_SENTINEL 8
#define SMALL_STRUCT 9
#define BAD_DIRECTION 10
#define DUPLICATE 11
#define DUPLICATE_INDICATOR 12

#ifndef OC_TEST_BROKEN
#error "define OC_TEST_BROKEN"
#endif

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    (void)evaluation;
    (void)error;
    return OC_OK;
}

static const oc_input_spec inputs[] = {
    {"count", "people", "anything", 0, OC_AGGREGATE_SUM},
    {0},
};

static const oc_parameter_spec parameters[] = {
#if OC_TEST_BROKEN == BAD_DEFAULT
    {"threshold", OC_PARAMETER_INTEGER, "2.5", "must be whole"},
#endif
    {0},
};

static const oc_indicator_spec indicators[] = {
#if OC_TEST_BROKEN == BAD_DIRECTION
    {"value", "people", (oc_direction)2, "bad direction", 0},
#elif OC_TEST_BROKEN == DUPLICATE_INDICATOR
    {"value", "people", OC_NO_DIRECTION, "first", 0},
    {"value", "people", OC_NO_DIRECTION, "second", 0},
#elif OC_TEST_BROKEN != NO_INDICATORS
    {"value", "people", OC_NO_DIRECTION, "anything", 0},
#endif
    {0},
};

#if OC_TEST_BROKEN == NO_SENTINEL
/* Filled by the entry function: 300 named entries and no sentinel. */
static oc_indicator_spec endless[300];
#endif

static oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
#if OC_TEST_BROKEN == BAD_NAME
    .name = "Bad-Name",
#elif OC_TEST_BROKEN == DUPLICATE
    .name = "duplicate",
#else
    .name = "broken",
#endif
    .version = "0.0.1",
    .description = "test plugin the loader must refuse",
    .license = "MIT",
    .inputs = inputs,
    .parameters = parameters,
    .indicators = indicators,
    .evaluate = evaluate,
};

#if OC_TEST_BROKEN != NO_ENTRY
OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void);
OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry(void)
{
    switch (OC_TEST_BROKEN) {
    case ENTRY_NULL:
        return NULL;
    case ABI_MAJOR:
        descriptor.abi_major = OC_ABI_MAJOR + 1;
        descriptor.abi_minor = 0;
        break;
    case ABI_MINOR:
        descriptor.abi_minor = OC_ABI_MINOR + 1;
        break;
#if OC_TEST_BROKEN == NO_SENTINEL
    case NO_SENTINEL:
        for (size_t i = 0; i < sizeof endless / sizeof endless[0]; i++)
            endless[i] = indicators[0];
        descriptor.indicators = endless;
        break;
#endif
    case SMALL_STRUCT:
        descriptor.struct_size = (uint32_t)offsetof(oc_plugin_descriptor, indicators);
        break;
    }
    return &descriptor;
}
#else
/* Exports a descriptor, but not under the entry symbol's name. */
OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry_misspelt(void);
OC_PLUGIN_EXPORT const oc_plugin_descriptor *oc_plugin_entry_misspelt(void)
{
    return &descriptor;
}
#endif
