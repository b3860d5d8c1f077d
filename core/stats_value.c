/*
 * stats_value.c: progress against a target, comparison with a comparator
 * area and the money value of an outcome (HM Treasury 2014 cost-benefit
 * guidance for local partnerships and the Green Book), so that every plugin
 * applies the same haircuts and discounting. docs/statistics.md cites
 * sources and worked figures.
 */
#include "config.h"

#include <math.h>

#include <outcomes/stats.h>

/* Longest persistence accepted: far beyond any appraisal period, and it
 * bounds the loop in oc_present_value. */
#define MAXIMUM_YEARS 1000.0

double oc_trajectory_value(double start_time, double start_value, double target_time,
                           double target_value, double at_time)
{
    if (isnan(start_time) || isnan(start_value) || isnan(target_time) || isnan(target_value)
        || isnan(at_time) || target_time < start_time)
        return NAN;
    if (at_time <= start_time)
        return start_value;
    if (at_time >= target_time)
        return target_value;
    double fraction = (at_time - start_time) / (target_time - start_time);
    return start_value + fraction * (target_value - start_value);
}

double oc_difference_in_differences(double pilot_before, double pilot_after,
                                    double comparator_before, double comparator_after)
{
    return (pilot_after - pilot_before) - (comparator_after - comparator_before);
}

oc_benefit_options oc_benefit_defaults(void)
{
    oc_benefit_options options = {
        .discount_rate = 0.035, .years = 1.0, .deadweight = 0.0,
        .attribution = 1.0, .optimism_bias = 0.0, .drop_off = 0.0,
    };
    return options;
}

double oc_discount_factor(double discount_rate, double year)
{
    if (!isfinite(discount_rate) || discount_rate < 0.0 || !isfinite(year) || year < 0.0)
        return NAN;
    return 1.0 / pow(1.0 + discount_rate, year);
}

static int is_share(double value)
{
    return value >= 0.0 && value <= 1.0; /* false for NaN too */
}

static int check_benefit_options(const oc_benefit_options *options, oc_error *error)
{
    if (!isfinite(options->discount_rate) || options->discount_rate < 0.0)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "present value: discount rate %g must be finite and not negative",
                            options->discount_rate);
    if (!(options->years > 0.0 && options->years <= MAXIMUM_YEARS))
        return oc_error_set(error, OC_ERROR_INVALID,
                            "present value: years %g must be above 0 and at most %g",
                            options->years, MAXIMUM_YEARS);
    const struct {
        const char *name;
        double value;
    } shares[] = {
        {"deadweight", options->deadweight},
        {"attribution", options->attribution},
        {"optimism bias", options->optimism_bias},
        {"drop-off", options->drop_off},
    };
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++) {
        if (!is_share(shares[i].value))
            return oc_error_set(error, OC_ERROR_INVALID,
                                "present value: %s %g must be a share between 0 and 1",
                                shares[i].name, shares[i].value);
    }
    return OC_OK;
}

int oc_present_value(double annual_benefit, const oc_benefit_options *options,
                     double *present_value, oc_error *error)
{
    oc_benefit_options defaults = oc_benefit_defaults();
    if (options == NULL)
        options = &defaults;
    if (present_value == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "present value: no output");
    *present_value = NAN;
    if (!isfinite(annual_benefit))
        return oc_error_set(error, OC_ERROR_INVALID,
                            "present value: annual benefit %g is not finite", annual_benefit);
    int status = check_benefit_options(options, error);
    if (status != OC_OK)
        return status;

    double net = annual_benefit * (1.0 - options->deadweight) * options->attribution
                 * (1.0 - options->optimism_bias);
    /* Each later year keeps (1 - drop_off) of the year before and is worth
     * 1 / (1 + rate) as much today. */
    double yearly_factor = (1.0 - options->drop_off) / (1.0 + options->discount_rate);
    double factor = 1.0, total = 0.0;
    double whole_years = floor(options->years);
    double last_fraction = options->years - whole_years;
    for (double year = 0.0; year < whole_years; year += 1.0) {
        total += factor;
        factor *= yearly_factor;
    }
    total += last_fraction * factor;
    *present_value = net * total;
    return OC_OK;
}
