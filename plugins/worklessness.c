/*
 * worklessness.c: the health-related worklessness metric (NI 152 family).
 * It exists so that a partnership's commitment to fewer out-of-work benefit
 * claimants (the seeds: 770 fewer ESA/IB claimants in Birkenhead) is scored
 * as a count, as a rate of the working-age population and as a change on the
 * like quarter a year earlier, and so that a fall in claimants can be valued
 * in pounds. The engine does baselines, targets, RAG, SPC and trend on these
 * series; this file only turns inputs into series. docs/plugins/worklessness.md
 * gives the definitions, sources and a worked example.
 */
#include <math.h>
#include <stddef.h>

#include <outcomes/outcomes.h>

enum worklessness_input { INPUT_CLAIMANTS, INPUT_POPULATION };
enum worklessness_indicator {
    INDICATOR_CLAIMANTS,
    INDICATOR_CLAIMANT_RATE,
    INDICATOR_YEAR_ON_YEAR,
    INDICATOR_COUNT
};

#define NO_PERIOD ((size_t)-1)

static int evaluate(oc_evaluation *evaluation, oc_error *error);
static int fiscal_benefit(const oc_evaluation *evaluation, size_t indicator, double change,
                          double *benefit, oc_error *error);

static const oc_input_spec inputs[] = {
    {"claimants", "people",
     "people claiming the benefit group (ESA/IB by default; JSA or UC work the same way)",
     0, OC_AGGREGATE_SUM},
    {"population", "people aged 16-64",
     "working-age residents (ONS mid-year estimate); without it only counts are produced",
     1, OC_AGGREGATE_SUM},
    {0}};

static const oc_parameter_spec parameters[] = {
    {"unit_cost", OC_PARAMETER_NUMBER, "8632",
     "fiscal benefit per claimant-year in pounds; 8,632 reproduces the seeds' "
     "£6,646,640 for 770 claimants"},
    {"deadweight", OC_PARAMETER_NUMBER, "0",
     "share of the fall that would have happened anyway"},
    {"attribution", OC_PARAMETER_NUMBER, "1",
     "share of the fall attributable to the programme"},
    {"optimism_bias", OC_PARAMETER_NUMBER, "0",
     "haircut for the quality of the evidence behind the unit cost"},
    {"persistence_years", OC_PARAMETER_NUMBER, "1",
     "years the benefit lasts; a fraction counts part of the last year"},
    {"drop_off", OC_PARAMETER_NUMBER, "0",
     "share of the benefit lost in each year after the first"},
    {"discount_rate", OC_PARAMETER_NUMBER, "0.035",
     "annual discount rate for later years (HM Treasury Green Book: 0.035, i.e. 3.5%)"},
    {0}};

/* The host refuses a configured value outside these (and says which
 * values are accepted) before any area is evaluated, so the valuation
 * below never sees one. The shares and the years are those
 * oc_present_value accepts; the discount rate is a share a year too (the
 * Green Book's 3.5% is 0.035: 3.5 would be 350%). */
static const oc_parameter_range parameter_ranges[] = {
    {"unit_cost", 0, INFINITY, 0},
    {"deadweight", 0, 1, 0},
    {"attribution", 0, 1, 0},
    {"optimism_bias", 0, 1, 0},
    {"persistence_years", 0, 1000, OC_RANGE_EXCLUSIVE_MINIMUM},
    {"drop_off", 0, 1, 0},
    {"discount_rate", 0, 1, 0},
    {0}};

static const oc_indicator_spec indicators[] = {
    {"claimants", "people", OC_LOWER_IS_BETTER,
     "claimants at the snapshot, with Byar's interval on the count",
     OC_INDICATOR_FISCAL_BENEFIT},
    {"claimant_rate", "% of working-age population", OC_LOWER_IS_BETTER,
     "100 x claimants / population aged 16-64 (NI 152), Wilson score interval",
     OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE},
    {"claimants_year_on_year", "people", OC_LOWER_IS_BETTER,
     "claimants minus claimants at the like quarter a year earlier (not seasonally adjusted)",
     0},
    {0}};

static const oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "worklessness",
    .version = "1.0.0",
    .description = "Out-of-work benefit claimants: count, rate of working-age "
                   "population (NI 152), year-on-year change and fiscal benefit",
    .license = "MIT",
    .inputs = inputs,
    .parameters = parameters,
    .indicators = indicators,
    .evaluate = evaluate,
    .fiscal_benefit = fiscal_benefit,
    .parameter_ranges = parameter_ranges,
};

OC_PLUGIN_DEFINE(descriptor)

/* A head count is usable when it is present (not NaN: missing or
 * suppressed) and not negative. */
static int is_count(double value)
{
    return isfinite(value) && value >= 0.0;
}

/* Returns 1 when the rate could be computed: the population must be a
 * positive count no smaller than the claimant count. */
static int write_rate(oc_indicator_series *series, size_t period, double claimants,
                      double population)
{
    if (!is_count(population) || population <= 0.0 || claimants > population)
        return 0;
    series->value[period] = 100.0 * claimants / population;
    series->numerator[period] = claimants;
    series->denominator[period] = population;
    return 1;
}

/* The intervals are computed only where the host reads them
 * (oc_evaluation_reported_index): over every small area in England, the
 * intervals of periods nobody reports cost more than the rest of the
 * plugin. A count or fraction the interval routine rejects keeps its
 * value; only its interval stays NaN. */
static void write_count_interval(oc_indicator_series *series, size_t period, double z)
{
    oc_interval interval;

    if (period != NO_PERIOD
        && oc_byar_interval(series->value[period], z, &interval, NULL) == OC_OK) {
        series->lower[period] = interval.lower;
        series->upper[period] = interval.upper;
    }
}

static void write_rate_interval(oc_indicator_series *series, size_t period, double z)
{
    oc_interval interval;

    if (period != NO_PERIOD
        && oc_wilson_interval(series->numerator[period], series->denominator[period], z,
                              &interval, NULL) == OC_OK) {
        series->lower[period] = 100.0 * interval.lower;
        series->upper[period] = 100.0 * interval.upper;
    }
}

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    const double *claimants = oc_evaluation_input(evaluation, INPUT_CLAIMANTS);
    const double *population = oc_evaluation_input(evaluation, INPUT_POPULATION);
    size_t period_count = oc_evaluation_time_count(evaluation);
    double z = oc_evaluation_z(evaluation);
    oc_indicator_series *outputs[INDICATOR_COUNT];
    size_t computed = 0;

    if (claimants == NULL)
        return oc_error_set(error, OC_ERROR_CONFIG,
                            "worklessness: input role 'claimants' is not mapped");
    for (size_t i = 0; i < INDICATOR_COUNT; i++) {
        outputs[i] = oc_evaluation_output(evaluation, i);
        if (outputs[i] == NULL)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "worklessness: the host gave no output for indicator '%s'",
                                indicators[i].name);
    }

    for (size_t period = 0; period < period_count; period++) {
        size_t earlier;

        if (!is_count(claimants[period]))
            continue;
        outputs[INDICATOR_CLAIMANTS]->value[period] = claimants[period];
        computed++;
        if (population != NULL)
            write_rate(outputs[INDICATOR_CLAIMANT_RATE], period, claimants[period],
                       population[period]);
        /* NI 152 counts are not seasonally adjusted: only the same quarter a
         * year earlier is a fair comparison, never the previous quarter. */
        earlier = oc_evaluation_like_period_index(evaluation, period, 1);
        if (earlier != NO_PERIOD && earlier < period_count && is_count(claimants[earlier]))
            outputs[INDICATOR_YEAR_ON_YEAR]->value[period] =
                claimants[period] - claimants[earlier];
    }

    write_count_interval(outputs[INDICATOR_CLAIMANTS],
                         oc_evaluation_reported_index(evaluation, outputs[INDICATOR_CLAIMANTS]),
                         z);
    write_rate_interval(outputs[INDICATOR_CLAIMANT_RATE],
                        oc_evaluation_reported_index(evaluation,
                                                     outputs[INDICATOR_CLAIMANT_RATE]),
                        z);

    if (computed == 0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "worklessness: area %s has no usable 'claimants' value in any of "
                            "its %zu periods",
                            oc_evaluation_area_code(evaluation), period_count);
    return OC_OK;
}

/* Reads the valuation parameters the descriptor declares into options;
 * the host has held each to its declared range. */
static int read_benefit_options(const oc_evaluation *evaluation, double *unit_cost,
                                oc_benefit_options *options, oc_error *error)
{
    const struct {
        const char *name;
        double *value;
    } fields[] = {
        {"unit_cost", unit_cost},
        {"deadweight", &options->deadweight},
        {"attribution", &options->attribution},
        {"optimism_bias", &options->optimism_bias},
        {"persistence_years", &options->years},
        {"drop_off", &options->drop_off},
        {"discount_rate", &options->discount_rate},
    };

    *options = oc_benefit_defaults();
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (oc_evaluation_parameter_number(evaluation, fields[i].name, fields[i].value) != OC_OK)
            return oc_error_set(error, OC_ERROR_CONFIG,
                                "worklessness: parameter '%s' has no value", fields[i].name);
    }
    return OC_OK;
}

/* A fall in claimants (negative change) saves unit_cost per claimant-year;
 * a rise is a cost, so it comes out as a negative benefit. */
static int fiscal_benefit(const oc_evaluation *evaluation, size_t indicator, double change,
                          double *benefit, oc_error *error)
{
    oc_benefit_options options;
    double unit_cost;
    int status;

    *benefit = NAN;
    if (indicator != INDICATOR_CLAIMANTS || !isfinite(change))
        return OC_OK;
    status = read_benefit_options(evaluation, &unit_cost, &options, error);
    if (status != OC_OK)
        return status;
    status = oc_present_value(-change * unit_cost, &options, benefit, error);
    if (status != OC_OK) {
        *benefit = NAN;
        return status;
    }
    return OC_OK;
}
