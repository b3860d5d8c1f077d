/*
 * plugin_harness.h: builds a struct oc_evaluation by hand so that a
 * plugin's evaluate and fiscal_benefit callbacks can be unit-tested without
 * the engine, a store or dlopen. Shared by the four tests/test_plugin_*.c
 * programs (one program per plugin, since each plugin defines
 * oc_plugin_entry).
 *
 * Everything lives inside the caller's plugin_harness (usually on the
 * stack): nothing is allocated, nothing needs freeing. Series passed to
 * plugin_harness_map_input are borrowed and must outlive the harness.
 */
#ifndef OC_TEST_PLUGIN_HARNESS_H
#define OC_TEST_PLUGIN_HARNESS_H

#include <check.h>

#include <outcomes/outcomes.h>

#include "evaluation_internal.h"

#define PLUGIN_HARNESS_MAX_TIMES 16
#define PLUGIN_HARNESS_MAX_INPUTS 16
#define PLUGIN_HARNESS_MAX_INDICATORS 12
#define PLUGIN_HARNESS_MAX_PARAMETERS 8
#define PLUGIN_HARNESS_TEXT_SIZE 40

typedef struct plugin_harness {
    oc_evaluation evaluation;
    const double *inputs[PLUGIN_HARNESS_MAX_INPUTS];
    oc_indicator_series outputs[PLUGIN_HARNESS_MAX_INDICATORS];
    /* per indicator: value, lower, upper, numerator, denominator */
    double storage[PLUGIN_HARNESS_MAX_INDICATORS][5][PLUGIN_HARNESS_MAX_TIMES];
    oc__parameter_value parameters[PLUGIN_HARNESS_MAX_PARAMETERS];
    char parameter_text[PLUGIN_HARNESS_MAX_PARAMETERS][PLUGIN_HARNESS_TEXT_SIZE];
} plugin_harness;

/* Sets up an evaluation of area "E14000559" (Birkenhead) over times[0..count)
 * with every input unmapped, every parameter at the descriptor's default
 * (as the host would), z = 1.959964 and no evaluation or baseline period.
 * times is borrowed. Fails the running Check test on a descriptor the
 * harness cannot hold. */
void plugin_harness_init(plugin_harness *harness, const oc_plugin_descriptor *descriptor,
                         const int32_t *times, size_t count);

/* Maps the input role to series (time count values, borrowed). */
void plugin_harness_map_input(plugin_harness *harness, const char *role, const double *series);

/* Overrides a declared parameter as if the configuration had set it. */
void plugin_harness_set_parameter(plugin_harness *harness, const char *name, double value);

/* Index of the named indicator in the descriptor; fails the test if absent. */
size_t plugin_harness_indicator(const plugin_harness *harness, const char *name);

/* Sets the evaluation period's index (the engine's last time index on or
 * before the period's end), or (size_t)-1 for none, the default. */
void plugin_harness_set_period(plugin_harness *harness, size_t period_index);

/* Refills every output with NaN (as the host does before each area) and calls the plugin's evaluate. */
int plugin_harness_evaluate(plugin_harness *harness, oc_error *error);

/* Evaluates into *error and asserts that it returns status with a message
 * that contains fragment. */
void plugin_harness_expect_failure(plugin_harness *harness, int status, const char *fragment,
                                   oc_error *error);

/* The named indicator's output series. */
const oc_indicator_series *plugin_harness_output(const plugin_harness *harness,
                                                 const char *indicator);

/* Asserts the named indicator's value, lower and upper at period, each
 * within tolerance; an expected NaN asserts NaN. */
void plugin_harness_expect(const plugin_harness *harness, const char *indicator, size_t period,
                           double value, double lower, double upper, double tolerance);

/* Evaluates with the evaluation period at `period` and asserts that the
 * host reports the named indicator there (oc_evaluation_reported_index)
 * with this value, lower and upper, each within tolerance, and that the
 * interval is NaN in every other period: plugins compute it only where the
 * host reads it. Leaves the evaluation period at `period`. */
void plugin_harness_expect_reported(plugin_harness *harness, const char *indicator, size_t period,
                                    double value, double lower, double upper, double tolerance);

/* Asserts the numerator and denominator at period (exactly; NaN = NaN). */
void plugin_harness_expect_fraction(const plugin_harness *harness, const char *indicator,
                                    size_t period, double numerator, double denominator);

/* plugin_harness_expect_reported, then plugin_harness_expect_fraction at
 * the same period: a proportion reported with its interval. */
void plugin_harness_expect_reported_and_fraction(plugin_harness *harness, const char *indicator,
                                                 size_t period, double value, double lower,
                                                 double upper, double tolerance,
                                                 double numerator, double denominator);

/* A proportion's expected value, interval and fraction at one period. */
typedef struct plugin_harness_proportion {
    size_t period;
    double value, lower, upper;
    double numerator, denominator;
} plugin_harness_proportion;

/* plugin_harness_expect_reported_and_fraction for each of count rows
 * (borrowed), in their order. */
void plugin_harness_expect_proportions(plugin_harness *harness, const char *indicator,
                                       double tolerance, const plugin_harness_proportion *rows,
                                       size_t count);

/* Asserts the value at period within tolerance, no interval (NaN lower and
 * upper), and the numerator and denominator exactly. */
void plugin_harness_expect_value_and_fraction(const plugin_harness *harness,
                                              const char *indicator, size_t period, double value,
                                              double tolerance, double numerator,
                                              double denominator);

/* Asserts that every field of the named indicator is NaN at period. */
void plugin_harness_expect_none(const plugin_harness *harness, const char *indicator,
                                size_t period);

/* Asserts that every field of the named indicator is NaN in every period. */
void plugin_harness_expect_all_nan(const plugin_harness *harness, const char *indicator);

/* Asserts what every bundled plugin's descriptor must satisfy: struct size,
 * ABI version, the given name, an evaluate callback, and names in every
 * list that are [a-z0-9_], at most OC_NAME_MAX bytes and unique (plugin.h,
 * ABI rule 6). */
void plugin_harness_check_descriptor(const oc_plugin_descriptor *descriptor, const char *name);

/* Asserts the name, direction and flags of descriptor->indicators[index]. */
void plugin_harness_expect_indicator_spec(const oc_plugin_descriptor *descriptor, size_t index,
                                          const char *name, oc_direction direction,
                                          unsigned flags);

/* Runs the tests (START_TEST names) in one suite; returns the exit status
 * for main: EXIT_SUCCESS when all pass, EXIT_FAILURE otherwise
 * (tests/check_runner.h). */
int plugin_harness_run(const char *suite_name, const TTest *const *tests, size_t count);

#endif
