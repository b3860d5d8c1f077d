/*
 * template.c: a complete outcomes metric plugin to copy and adapt.
 *
 * It turns two input series, a count of people with some outcome and the
 * population they come from, into a rate per `per` people (default 100:
 * a percentage) for every period of every area, with a Wilson score
 * confidence interval for the period the host reports. Rename the plugin
 * (the file, .name and the .so must agree: myplugin.c -> "myplugin" ->
 * myplugin.so), change the inputs, parameters and indicators, and rewrite
 * evaluate().
 *
 * Build (docs/writing-plugins.md explains each step):
 *     cc -shared -fPIC -o template.so template.c $(pkg-config --cflags --libs outcomes)
 * Check it loads:
 *     outcomes plugins info template --plugin-dir .
 *
 * Licence: this file is in the public domain (CC0-1.0); copy it freely.
 */
#include <math.h>

#include <outcomes/outcomes.h>

/* Indexes into the lists below: the host hands inputs and outputs over in
 * the order the descriptor declares them. */
enum { INPUT_EVENTS, INPUT_POPULATION };
enum { INDICATOR_RATE };

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    const double *events = oc_evaluation_input(evaluation, INPUT_EVENTS);
    const double *population = oc_evaluation_input(evaluation, INPUT_POPULATION);
    oc_indicator_series *rate = oc_evaluation_output(evaluation, INDICATOR_RATE);
    double per;
    /* Above 0: the host held it to parameter_ranges below. */
    if (oc_evaluation_parameter_number(evaluation, "per", &per) != OC_OK)
        return oc_error_set(error, OC_ERROR_CONFIG, "template: parameter 'per' has no value");

    /* First the values, in every period: the host's baseline, SPC and
     * trend read them all. Every output arrives NaN-filled: leave NaN
     * wherever a period's value cannot be computed (missing or suppressed
     * input, empty population). */
    for (size_t t = 0; t < oc_evaluation_time_count(evaluation); t++) {
        double x = events[t], n = population[t];
        if (isnan(x) || isnan(n) || !(n > 0) || x < 0 || x > n)
            continue;
        rate->value[t] = per * x / n;
        rate->numerator[t] = x;   /* OC_INDICATOR_PROPORTION: the host's trend */
        rate->denominator[t] = n; /* test needs the counts, not just the rate */
    }

    /* Then the interval, only where the host reports it (ABI 1.1): run
     * over every small area in England, intervals for periods nobody
     * reads would cost more than everything else here. */
    size_t t = oc_evaluation_reported_index(evaluation, rate);
    oc_interval interval;
    if (t != (size_t)-1
        && oc_wilson_interval(events[t], population[t], oc_evaluation_z(evaluation), &interval,
                              NULL) == OC_OK) {
        rate->lower[t] = per * interval.lower;
        rate->upper[t] = per * interval.upper;
    }
    return OC_OK;
}

/* What the plugin reads. The configuration maps each role to a measure in
 * the store; counts are summed when a larger area is evaluated. */
static const oc_input_spec inputs[] = {
    {"events", "people", "people with the outcome in the period", 0, OC_AGGREGATE_SUM},
    {"population", "people", "people the events are counted among", 0, OC_AGGREGATE_SUM},
    {0}, /* the list ends with a NULL name */
};

/* What the configuration may set; values arrive checked against the type
 * (and against parameter_ranges below). */
static const oc_parameter_spec parameters[] = {
    {"per", OC_PARAMETER_NUMBER, "100", "rate per this many people (100 = percentage)"},
    {0},
};

/* The values each number parameter accepts (ABI 1.2): the host refuses
 * anything else when it reads the configuration, naming file, section and
 * key, so evaluate() need not check. -INFINITY or INFINITY leave a side
 * open; OC_RANGE_EXCLUSIVE_MINIMUM/MAXIMUM leave out an endpoint. */
static const oc_parameter_range parameter_ranges[] = {
    {"per", 0, INFINITY, OC_RANGE_EXCLUSIVE_MINIMUM}, /* above 0 */
    {0},
};

/* What the plugin emits, and which way is good. */
static const oc_indicator_spec indicators[] = {
    {"rate", "per 100 people", OC_LOWER_IS_BETTER,
     "events per `per` people, with a Wilson score interval",
     OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE},
    {0},
};

static const oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor, /* lets the host read old plugins safely */
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "template",
    .version = "1.0.0",
    .description = "template: a rate with a Wilson interval, to copy and adapt",
    .license = "CC0-1.0",
    .inputs = inputs,
    .parameters = parameters,
    .indicators = indicators,
    .evaluate = evaluate,
    .parameter_ranges = parameter_ranges,
};

OC_PLUGIN_DEFINE(descriptor)
