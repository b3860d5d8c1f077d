/*
 * plugin_harness.c: a hand-built struct oc_evaluation for the plugin unit
 * tests (see plugin_harness.h), so each test states only its own series and
 * expected values.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_runner.h"
#include "plugin_harness.h"

static size_t count_inputs(const oc_input_spec *inputs)
{
    size_t count = 0;
    while (inputs[count].role != NULL)
        count++;
    return count;
}

static size_t count_indicators(const oc_indicator_spec *indicators)
{
    size_t count = 0;
    while (indicators[count].name != NULL)
        count++;
    return count;
}

/* The host parses each default with the declared type; every parameter
 * our plugins declare is a number, so strtod is the whole job. */
static void load_default_parameters(plugin_harness *harness,
                                    const oc_plugin_descriptor *descriptor)
{
    size_t count = 0;

    for (const oc_parameter_spec *spec = descriptor->parameters; spec != NULL && spec->name != NULL;
         spec++) {
        ck_assert_uint_lt(count, PLUGIN_HARNESS_MAX_PARAMETERS);
        snprintf(harness->parameter_text[count], PLUGIN_HARNESS_TEXT_SIZE, "%s",
                 spec->default_value);
        harness->parameters[count] = (oc__parameter_value){
            .name = spec->name,
            .type = spec->type,
            .text = harness->parameter_text[count],
            .number = strtod(spec->default_value, NULL),
        };
        count++;
    }
    harness->evaluation.parameters = harness->parameters;
    harness->evaluation.parameter_count = count;
}

void plugin_harness_init(plugin_harness *harness, const oc_plugin_descriptor *descriptor,
                         const int32_t *times, size_t count)
{
    size_t indicator_count = count_indicators(descriptor->indicators);

    ck_assert_uint_le(count, PLUGIN_HARNESS_MAX_TIMES);
    ck_assert_uint_le(count_inputs(descriptor->inputs), PLUGIN_HARNESS_MAX_INPUTS);
    ck_assert_uint_le(indicator_count, PLUGIN_HARNESS_MAX_INDICATORS);
    memset(harness, 0, sizeof *harness);
    for (size_t i = 0; i < indicator_count; i++) {
        harness->outputs[i] = (oc_indicator_series){
            .count = count,
            .value = harness->storage[i][0],
            .lower = harness->storage[i][1],
            .upper = harness->storage[i][2],
            .numerator = harness->storage[i][3],
            .denominator = harness->storage[i][4],
        };
    }
    harness->evaluation = (oc_evaluation){
        .descriptor = descriptor,
        .area_code = "E14000559",
        .area_name = "Birkenhead",
        .time_count = count,
        .times = times,
        .inputs = harness->inputs,
        .input_count = count_inputs(descriptor->inputs),
        .outputs = harness->outputs,
        .output_count = indicator_count,
        .z = OC_Z_95,
        .period_index = (size_t)-1,
        .baseline_index = (size_t)-1,
    };
    load_default_parameters(harness, descriptor);
}

void plugin_harness_map_input(plugin_harness *harness, const char *role, const double *series)
{
    const oc_input_spec *inputs = harness->evaluation.descriptor->inputs;

    for (size_t i = 0; inputs[i].role != NULL; i++) {
        if (strcmp(inputs[i].role, role) == 0) {
            harness->inputs[i] = series;
            return;
        }
    }
    ck_abort_msg("the plugin declares no input role '%s'", role);
}

void plugin_harness_set_parameter(plugin_harness *harness, const char *name, double value)
{
    for (size_t i = 0; i < harness->evaluation.parameter_count; i++) {
        if (strcmp(harness->parameters[i].name, name) == 0) {
            snprintf(harness->parameter_text[i], PLUGIN_HARNESS_TEXT_SIZE, "%.17g", value);
            harness->parameters[i].number = value;
            return;
        }
    }
    ck_abort_msg("the plugin declares no parameter '%s'", name);
}

size_t plugin_harness_indicator(const plugin_harness *harness, const char *name)
{
    const oc_indicator_spec *indicators = harness->evaluation.descriptor->indicators;

    for (size_t i = 0; indicators[i].name != NULL; i++) {
        if (strcmp(indicators[i].name, name) == 0)
            return i;
    }
    ck_abort_msg("the plugin declares no indicator '%s'", name);
    return 0;
}

void plugin_harness_set_period(plugin_harness *harness, size_t period_index)
{
    harness->evaluation.period_index = period_index;
}

int plugin_harness_evaluate(plugin_harness *harness, oc_error *error)
{
    oc__evaluation_reset_outputs(&harness->evaluation);
    return harness->evaluation.descriptor->evaluate(&harness->evaluation, error);
}

const oc_indicator_series *plugin_harness_output(const plugin_harness *harness,
                                                 const char *indicator)
{
    return &harness->outputs[plugin_harness_indicator(harness, indicator)];
}

static void expect_close(const char *indicator, const char *field, size_t period, double actual,
                         double expected, double tolerance)
{
    if (isnan(expected)) {
        ck_assert_msg(isnan(actual), "%s %s[%zu]: expected NaN, got %.10g", indicator, field,
                      period, actual);
        return;
    }
    ck_assert_msg(fabs(actual - expected) <= tolerance,
                  "%s %s[%zu]: expected %.10g (+/- %g), got %.10g", indicator, field, period,
                  expected, tolerance, actual);
}

void plugin_harness_expect_failure(plugin_harness *harness, int status, const char *fragment,
                                   oc_error *error)
{
    ck_assert_int_eq(plugin_harness_evaluate(harness, error), status);
    ck_assert_ptr_nonnull(strstr(error->message, fragment));
}

void plugin_harness_expect(const plugin_harness *harness, const char *indicator, size_t period,
                           double value, double lower, double upper, double tolerance)
{
    const oc_indicator_series *series = plugin_harness_output(harness, indicator);

    expect_close(indicator, "value", period, series->value[period], value, tolerance);
    expect_close(indicator, "lower", period, series->lower[period], lower, tolerance);
    expect_close(indicator, "upper", period, series->upper[period], upper, tolerance);
}

void plugin_harness_expect_reported(plugin_harness *harness, const char *indicator, size_t period,
                                    double value, double lower, double upper, double tolerance)
{
    const oc_indicator_series *series = plugin_harness_output(harness, indicator);
    oc_error error = {0};

    plugin_harness_set_period(harness, period);
    ck_assert_msg(plugin_harness_evaluate(harness, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(oc_evaluation_reported_index(&harness->evaluation, series), period);
    plugin_harness_expect(harness, indicator, period, value, lower, upper, tolerance);
    for (size_t t = 0; t < series->count; t++) {
        if (t == period)
            continue;
        expect_close(indicator, "lower", t, series->lower[t], NAN, 0.0);
        expect_close(indicator, "upper", t, series->upper[t], NAN, 0.0);
    }
}

void plugin_harness_expect_fraction(const plugin_harness *harness, const char *indicator,
                                    size_t period, double numerator, double denominator)
{
    const oc_indicator_series *series = plugin_harness_output(harness, indicator);

    expect_close(indicator, "numerator", period, series->numerator[period], numerator, 0.0);
    expect_close(indicator, "denominator", period, series->denominator[period], denominator, 0.0);
}

void plugin_harness_expect_reported_and_fraction(plugin_harness *harness, const char *indicator,
                                                 size_t period, double value, double lower,
                                                 double upper, double tolerance,
                                                 double numerator, double denominator)
{
    plugin_harness_expect_reported(harness, indicator, period, value, lower, upper, tolerance);
    plugin_harness_expect_fraction(harness, indicator, period, numerator, denominator);
}

void plugin_harness_expect_proportions(plugin_harness *harness, const char *indicator,
                                       double tolerance, const plugin_harness_proportion *rows,
                                       size_t count)
{
    for (size_t i = 0; i < count; i++)
        plugin_harness_expect_reported_and_fraction(harness, indicator, rows[i].period,
                                                    rows[i].value, rows[i].lower, rows[i].upper,
                                                    tolerance, rows[i].numerator,
                                                    rows[i].denominator);
}

void plugin_harness_expect_value_and_fraction(const plugin_harness *harness,
                                              const char *indicator, size_t period, double value,
                                              double tolerance, double numerator,
                                              double denominator)
{
    plugin_harness_expect(harness, indicator, period, value, NAN, NAN, tolerance);
    plugin_harness_expect_fraction(harness, indicator, period, numerator, denominator);
}

void plugin_harness_expect_none(const plugin_harness *harness, const char *indicator,
                                size_t period)
{
    plugin_harness_expect_value_and_fraction(harness, indicator, period, NAN, 0.0, NAN, NAN);
}

void plugin_harness_expect_all_nan(const plugin_harness *harness, const char *indicator)
{
    const oc_indicator_series *series = plugin_harness_output(harness, indicator);

    for (size_t t = 0; t < series->count; t++)
        plugin_harness_expect_none(harness, indicator, t);
}

static void check_name(const char *kind, const char *name)
{
    size_t length = strlen(name);

    ck_assert_msg(length > 0 && length <= OC_NAME_MAX, "%s name '%s' has a bad length", kind,
                  name);
    ck_assert_msg(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == length,
                  "%s name '%s' is not [a-z0-9_]", kind, name);
}

/* Names are read through a stride so that one loop serves inputs,
 * parameters and indicators, whose structs all start with the name. */
static void check_name_list(const char *kind, const void *list, size_t stride)
{
    const char *base = list;

    for (size_t i = 0; base != NULL && *(const char *const *)(base + i * stride) != NULL; i++) {
        const char *name = *(const char *const *)(base + i * stride);
        check_name(kind, name);
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(strcmp(*(const char *const *)(base + j * stride), name) != 0,
                          "%s name '%s' appears twice", kind, name);
    }
}

void plugin_harness_check_descriptor(const oc_plugin_descriptor *descriptor, const char *name)
{
    ck_assert_ptr_nonnull(descriptor);
    ck_assert_uint_eq(descriptor->struct_size, sizeof *descriptor);
    ck_assert_uint_eq(descriptor->abi_major, OC_ABI_MAJOR);
    ck_assert_uint_eq(descriptor->abi_minor, OC_ABI_MINOR);
    ck_assert_str_eq(descriptor->name, name);
    check_name("plugin", descriptor->name);
    ck_assert_ptr_nonnull(descriptor->version);
    ck_assert_ptr_nonnull(descriptor->description);
    ck_assert_ptr_nonnull(descriptor->license);
    ck_assert_ptr_nonnull(descriptor->evaluate);
    ck_assert_ptr_nonnull(descriptor->inputs);
    ck_assert_ptr_nonnull(descriptor->indicators);
    ck_assert_ptr_nonnull(descriptor->indicators[0].name);
    check_name_list("input", descriptor->inputs, sizeof(oc_input_spec));
    check_name_list("parameter", descriptor->parameters, sizeof(oc_parameter_spec));
    check_name_list("indicator", descriptor->indicators, sizeof(oc_indicator_spec));
    for (size_t i = 0; i < sizeof descriptor->reserved / sizeof descriptor->reserved[0]; i++)
        ck_assert_ptr_null(descriptor->reserved[i]);
}

void plugin_harness_expect_indicator_spec(const oc_plugin_descriptor *descriptor, size_t index,
                                          const char *name, oc_direction direction,
                                          unsigned flags)
{
    const oc_indicator_spec *indicator = &descriptor->indicators[index];

    ck_assert_str_eq(indicator->name, name);
    ck_assert_int_eq(indicator->direction, direction);
    ck_assert_uint_eq(indicator->flags, flags);
}

int plugin_harness_run(const char *suite_name, const TTest *const *tests, size_t count)
{
    Suite *suite = suite_create(suite_name);
    TCase *tcase = tcase_create("plugin");
    for (size_t i = 0; i < count; i++)
        tcase_add_test(tcase, tests[i]);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
