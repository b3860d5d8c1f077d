/*
 * recycling_flytipping.c: household waste recycling (NI 192) and fly-tipping
 * incidents per 1,000 people (Defra statistics). It exists so that the
 * commitment "more residents will recycle more waste, and we will have
 * reduced the incidents of fly-tipping" is scored on the two measures the
 * field publishes. Each measure's inputs may be mapped on its own, since
 * the two come from different returns (WasteDataFlow, Flycapture).
 * docs/plugins/recycling_flytipping.md gives definitions, sources and a
 * worked example.
 */
#include <math.h>
#include <stddef.h>

#include <outcomes/outcomes.h>

enum recycling_input {
    INPUT_HOUSEHOLD_WASTE,
    INPUT_RECYCLED,
    INPUT_FLYTIPPING_INCIDENTS,
    INPUT_POPULATION,
    INPUT_COUNT
};
enum recycling_indicator { INDICATOR_RECYCLING_RATE, INDICATOR_FLYTIPPING_RATE };

#define NO_YEAR ((size_t)-1)

static int evaluate(oc_evaluation *evaluation, oc_error *error);

static const oc_input_spec inputs[] = {
    {"household_waste_tonnes", "tonnes", "household waste collected (NI 192 denominator)", 1,
     OC_AGGREGATE_SUM},
    {"recycled_tonnes", "tonnes", "household waste sent for reuse, recycling or composting", 1,
     OC_AGGREGATE_SUM},
    {"flytipping_incidents", "incidents", "fly-tipping incidents dealt with (Flycapture)", 1,
     OC_AGGREGATE_SUM},
    {"population", "people", "resident population, ONS mid-year estimate", 1,
     OC_AGGREGATE_SUM},
    {0}};

static const oc_indicator_spec indicators[] = {
    {"recycling_rate", "% of household waste", OC_HIGHER_IS_BETTER,
     "100 x tonnes reused, recycled or composted / household waste tonnes (NI 192); "
     "no interval: tonnes are not trials",
     OC_INDICATOR_COMPARABLE},
    {"flytipping_per_1000", "incidents per 1,000 people", OC_LOWER_IS_BETTER,
     "1000 x fly-tipping incidents / population, Byar interval on the count",
     OC_INDICATOR_COMPARABLE},
    {0}};

static const oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "recycling_flytipping",
    .version = "1.0.0",
    .description = "Household waste reused, recycled or composted (NI 192) and fly-tipping "
                   "incidents per 1,000 people",
    .license = "MIT",
    .inputs = inputs,
    .parameters = NULL, /* nothing to tune: both measures are definitions */
    .indicators = indicators,
    .evaluate = evaluate,
};

OC_PLUGIN_DEFINE(descriptor)

static int is_amount(double value)
{
    return isfinite(value) && value >= 0.0;
}

/* Returns 1 when the period's rate could be computed. */
static int write_recycling(oc_indicator_series *series, size_t year, double household,
                           double recycled)
{
    if (!is_amount(household) || !is_amount(recycled) || household <= 0.0
        || recycled > household)
        return 0;
    /* numerator and denominator are filled so that a parent area's rate can
     * be rebuilt from sums, but no interval: a tonne is not a Bernoulli
     * trial, so Wilson on tonnes would claim a precision (thousands of
     * "trials") the measure does not have. */
    series->value[year] = 100.0 * recycled / household;
    series->numerator[year] = recycled;
    series->denominator[year] = household;
    return 1;
}

/* Returns 1 when the period's rate could be computed. Incidents above the
 * population are kept: this is a rate of events, not a proportion of
 * people, so it has no upper bound of 1,000. */
static int write_flytipping(oc_indicator_series *series, size_t year, double incidents,
                            double population)
{
    if (!is_amount(incidents) || !is_amount(population) || population <= 0.0)
        return 0;
    series->value[year] = 1000.0 * incidents / population;
    return 1;
}

/* Byar's interval on the incident count, scaled like the rate, computed
 * only in the year the host reports (oc_evaluation_reported_index): over
 * every small area in England, the intervals of years nobody reports cost
 * more than the rest of the plugin. */
static void write_flytipping_interval(oc_evaluation *evaluation, oc_indicator_series *series,
                                      const double *incidents, const double *population,
                                      double z)
{
    size_t year = oc_evaluation_reported_index(evaluation, series);
    oc_interval interval;

    if (year != NO_YEAR && oc_byar_interval(incidents[year], z, &interval, NULL) == OC_OK) {
        series->lower[year] = 1000.0 * interval.lower / population[year];
        series->upper[year] = 1000.0 * interval.upper / population[year];
    }
}

/* Checks that each measure's pair of inputs is mapped together; sets
 * *recycling and *flytipping to whether each measure can be computed. */
static int check_mapping(const double *const series[INPUT_COUNT], int *recycling,
                         int *flytipping, oc_error *error)
{
    static const struct {
        int first, second;
    } pairs[] = {{INPUT_HOUSEHOLD_WASTE, INPUT_RECYCLED},
                 {INPUT_FLYTIPPING_INCIDENTS, INPUT_POPULATION}};
    int *complete[] = {recycling, flytipping};

    for (size_t i = 0; i < 2; i++) {
        int first = series[pairs[i].first] != NULL, second = series[pairs[i].second] != NULL;
        if (first != second)
            return oc_error_set(error, OC_ERROR_CONFIG,
                                "recycling_flytipping: input role '%s' is mapped but '%s' is "
                                "not; map both or neither",
                                inputs[first ? pairs[i].first : pairs[i].second].role,
                                inputs[first ? pairs[i].second : pairs[i].first].role);
        *complete[i] = first;
    }
    if (!*recycling && !*flytipping)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "recycling_flytipping: no indicator has its inputs mapped: map "
                            "household_waste_tonnes and recycled_tonnes, or "
                            "flytipping_incidents and population");
    return OC_OK;
}

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    const double *series[INPUT_COUNT];
    oc_indicator_series *recycling_output = oc_evaluation_output(evaluation,
                                                                 INDICATOR_RECYCLING_RATE);
    oc_indicator_series *flytipping_output = oc_evaluation_output(evaluation,
                                                                  INDICATOR_FLYTIPPING_RATE);
    size_t period_count = oc_evaluation_time_count(evaluation);
    double z = oc_evaluation_z(evaluation);
    int recycling = 0, flytipping = 0, status;
    size_t computed = 0;

    for (size_t i = 0; i < INPUT_COUNT; i++)
        series[i] = oc_evaluation_input(evaluation, i);
    status = check_mapping(series, &recycling, &flytipping, error);
    if (status != OC_OK)
        return status;
    if (recycling_output == NULL || flytipping_output == NULL)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "recycling_flytipping: the host gave fewer than 2 outputs");

    for (size_t period = 0; period < period_count; period++) {
        if (recycling)
            computed += write_recycling(recycling_output, period,
                                        series[INPUT_HOUSEHOLD_WASTE][period],
                                        series[INPUT_RECYCLED][period]);
        if (flytipping)
            computed += write_flytipping(flytipping_output, period,
                                         series[INPUT_FLYTIPPING_INCIDENTS][period],
                                         series[INPUT_POPULATION][period]);
    }
    if (flytipping)
        write_flytipping_interval(evaluation, flytipping_output,
                                  series[INPUT_FLYTIPPING_INCIDENTS], series[INPUT_POPULATION],
                                  z);
    if (computed == 0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "recycling_flytipping: area %s has no usable waste or fly-tipping "
                            "values in any of its %zu periods",
                            oc_evaluation_area_code(evaluation), period_count);
    return OC_OK;
}
