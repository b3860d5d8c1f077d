/*
 * good.c: a well-behaved test plugin. It computes rate = scale * count /
 * population for every period, with the proportion's numerator and
 * denominator, so the loader, runner and command tests can check real
 * numbers coming back from a child process.
 *
 * It is deliberately an ABI 1.0 plugin (abi_minor 0): it does not call
 * oc_evaluation_reported_index() (ABI 1.1). The tests that load and run it
 * (the loader, runner, command and run tests) prove that a newer host still
 * accepts such a plugin and reports its results unchanged. It has no
 * interval: the run tests expect none.
 */
#include <math.h>

#include <outcomes/outcomes.h>

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    const double *count = oc_evaluation_input(evaluation, 0);
    const double *population = oc_evaluation_input(evaluation, 1);
    oc_indicator_series *rate = oc_evaluation_output(evaluation, 0);
    double scale;
    if (count == NULL || population == NULL || rate == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "good: inputs or output missing");
    if (oc_evaluation_parameter_number(evaluation, "scale", &scale) != OC_OK)
        return oc_error_set(error, OC_ERROR_INVALID, "good: no scale parameter");
    for (size_t i = 0; i < oc_evaluation_time_count(evaluation); i++) {
        if (!(population[i] > 0) || isnan(count[i]))
            continue;
        rate->value[i] = scale * count[i] / population[i];
        rate->numerator[i] = count[i];
        rate->denominator[i] = population[i];
    }
    return OC_OK;
}

static const oc_input_spec inputs[] = {
    {"count", "people", "people counted", 0, OC_AGGREGATE_SUM},
    {"population", "people", "the population they are counted in", 0, OC_AGGREGATE_SUM},
    {0},
};

static const oc_parameter_spec parameters[] = {
    {"scale", OC_PARAMETER_NUMBER, "100", "multiplier: 100 for a percentage"},
    {"label", OC_PARAMETER_STRING, "test", "free text"},
    {0},
};

static const oc_indicator_spec indicators[] = {
    {"rate", "%", OC_LOWER_IS_BETTER, "scale x count / population", OC_INDICATOR_PROPORTION},
    {0},
};

static const oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = 0, /* ABI 1.0, on purpose: see the top of this file */
    .name = "good",
    .version = "1.2.3",
    .description = "test plugin: a rate from a count and a population",
    .license = "MIT",
    .inputs = inputs,
    .parameters = parameters,
    .indicators = indicators,
    .evaluate = evaluate,
};

OC_PLUGIN_DEFINE(descriptor)
