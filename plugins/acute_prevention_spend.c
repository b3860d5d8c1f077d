/*
 * acute_prevention_spend.c: the balance of spending between acute health
 * services and prevention / early intervention. It exists so that the
 * commitment to "re-balance our spending on acute health services which
 * currently cost £100 million per year and prevention / early intervention
 * services which cost £3 million per year" is scored as the prevention
 * share of the two and as the acute : prevention ratio (33.3 : 1 at the
 * seeds' baseline). The target share is configuration, applied by the
 * engine. docs/plugins/acute_prevention_spend.md gives the definitions and
 * a worked example.
 */
#include <math.h>
#include <stddef.h>

#include <outcomes/outcomes.h>

enum spend_input { INPUT_ACUTE, INPUT_PREVENTION };
enum spend_indicator { INDICATOR_PREVENTION_SHARE, INDICATOR_RATIO };

static int evaluate(oc_evaluation *evaluation, oc_error *error);

static const oc_input_spec inputs[] = {
    {"acute_spend", "pounds", "spend on acute health services in the period", 0,
     OC_AGGREGATE_SUM},
    {"prevention_spend", "pounds", "spend on prevention and early intervention in the period", 0,
     OC_AGGREGATE_SUM},
    {0}};

static const oc_indicator_spec indicators[] = {
    {"prevention_share", "% of acute and prevention spend", OC_HIGHER_IS_BETTER,
     "100 x prevention / (acute + prevention); no interval: spend is not a sample",
     OC_INDICATOR_COMPARABLE},
    {"acute_to_prevention_ratio", "to 1", OC_LOWER_IS_BETTER,
     "acute / prevention spend, pounds of acute spend per pound of prevention",
     OC_INDICATOR_COMPARABLE},
    {0}};

static const oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "acute_prevention_spend",
    .version = "1.0.0",
    .description = "Prevention share of acute plus prevention spend, and the acute : "
                   "prevention ratio",
    .license = "MIT",
    .inputs = inputs,
    .parameters = NULL, /* the target share belongs to the engine's configuration */
    .indicators = indicators,
    .evaluate = evaluate,
};

OC_PLUGIN_DEFINE(descriptor)

/* Spend is usable when present and not negative: a net negative figure
 * (income above spend) has no meaning as a share of spend. */
static int is_spend(double pounds)
{
    return isfinite(pounds) && pounds >= 0.0;
}

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    const double *acute = oc_evaluation_input(evaluation, INPUT_ACUTE);
    const double *prevention = oc_evaluation_input(evaluation, INPUT_PREVENTION);
    oc_indicator_series *share = oc_evaluation_output(evaluation, INDICATOR_PREVENTION_SHARE);
    oc_indicator_series *ratio = oc_evaluation_output(evaluation, INDICATOR_RATIO);
    size_t period_count = oc_evaluation_time_count(evaluation);
    size_t computed = 0;

    if (acute == NULL || prevention == NULL)
        return oc_error_set(error, OC_ERROR_CONFIG,
                            "acute_prevention_spend: input role '%s' is not mapped",
                            acute == NULL ? "acute_spend" : "prevention_spend");
    if (share == NULL || ratio == NULL)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "acute_prevention_spend: the host gave fewer than 2 outputs");

    for (size_t period = 0; period < period_count; period++) {
        double total;

        if (!is_spend(acute[period]) || !is_spend(prevention[period]))
            continue;
        total = acute[period] + prevention[period];
        /* The intervals stay NaN: these are the whole of the spend, not a
         * sample of it, so there is no sampling error to show. numerator and
         * denominator are filled so that a parent area's share can be rebuilt
         * from sums. */
        if (total > 0.0) {
            share->value[period] = 100.0 * prevention[period] / total;
            share->numerator[period] = prevention[period];
            share->denominator[period] = total;
            computed++;
        }
        if (prevention[period] > 0.0) {
            ratio->value[period] = acute[period] / prevention[period];
            computed++;
        }
    }
    if (computed == 0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "acute_prevention_spend: area %s has no period with usable "
                            "acute_spend and prevention_spend",
                            oc_evaluation_area_code(evaluation));
    return OC_OK;
}
