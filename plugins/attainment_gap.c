/*
 * attainment_gap.c: the attainment gap between pupils eligible for free
 * school meals (FSM) and their peers (NI 102 and its successors), for each
 * key stage the configuration maps. It exists so that a commitment to
 * "reduce the attainment gap ... across all key stages" is scored on the
 * two achievement rates and the percentage-point gap between them, each
 * with the interval Fingertips would publish. docs/plugins/attainment_gap.md
 * gives the definitions, sources and a worked example.
 */
#include <math.h>
#include <stddef.h>

#include <outcomes/outcomes.h>

#define KEY_STAGE_COUNT 4
#define INPUTS_PER_KEY_STAGE 4
#define INDICATORS_PER_KEY_STAGE 3
#define NO_YEAR ((size_t)-1)

/* Offsets inside one key stage's block of inputs and of indicators; the
 * descriptor lists the key stages in the order EYFS, KS1, KS2, KS4. */
enum key_stage_input { FSM_PUPILS, FSM_ACHIEVING, OTHER_PUPILS, OTHER_ACHIEVING };
enum key_stage_indicator { FSM_RATE, OTHER_RATE, GAP };

static int evaluate(oc_evaluation *evaluation, oc_error *error);

#define KEY_STAGE_INPUTS(stage, label)                                                    \
    {"fsm_pupils_" stage, "pupils", "pupils eligible for free school meals, " label, 1,    \
     OC_AGGREGATE_SUM},                                                                   \
    {"fsm_achieving_" stage, "pupils",                                                    \
     "of those, pupils achieving the expected standard, " label, 1, OC_AGGREGATE_SUM},     \
    {"other_pupils_" stage, "pupils", "pupils not eligible for free school meals, " label, \
     1, OC_AGGREGATE_SUM},                                                                \
    {"other_achieving_" stage, "pupils",                                                  \
     "of those, pupils achieving the expected standard, " label, 1, OC_AGGREGATE_SUM}

#define KEY_STAGE_INDICATORS(stage, label)                                                 \
    {"fsm_rate_" stage, "% of FSM pupils", OC_HIGHER_IS_BETTER,                            \
     "FSM pupils achieving the expected standard, " label ", Wilson interval",             \
     OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE},                                   \
    {"other_rate_" stage, "% of other pupils", OC_HIGHER_IS_BETTER,                        \
     "other pupils achieving the expected standard, " label ", Wilson interval",           \
     OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE},                                   \
    {"gap_" stage, "percentage points", OC_LOWER_IS_BETTER,                                \
     "other rate minus FSM rate (NI 102), " label ", Newcombe interval",                 \
     OC_INDICATOR_COMPARABLE}

static const oc_input_spec inputs[] = {
    KEY_STAGE_INPUTS("eyfs", "Early Years Foundation Stage"),
    KEY_STAGE_INPUTS("ks1", "key stage 1"),
    KEY_STAGE_INPUTS("ks2", "key stage 2"),
    KEY_STAGE_INPUTS("ks4", "key stage 4"),
    {0}};

static const oc_indicator_spec indicators[] = {
    KEY_STAGE_INDICATORS("eyfs", "Early Years Foundation Stage"),
    KEY_STAGE_INDICATORS("ks1", "key stage 1"),
    KEY_STAGE_INDICATORS("ks2", "key stage 2"),
    KEY_STAGE_INDICATORS("ks4", "key stage 4"),
    {0}};

static const oc_plugin_descriptor descriptor = {
    .struct_size = sizeof descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "attainment_gap",
    .version = "1.0.0",
    .description = "Attainment of pupils eligible for free school meals and of their peers, "
                   "and the gap between them (NI 102), per key stage",
    .license = "MIT",
    .inputs = inputs,
    .parameters = NULL, /* nothing to tune: the rates and gap are definitions */
    .indicators = indicators,
    .evaluate = evaluate,
};

OC_PLUGIN_DEFINE(descriptor)

/* One group's pupils for one academic year. */
typedef struct cohort {
    double pupils;
    double achieving;
} cohort;

/* A cohort is usable when both counts are present (not missing or
 * suppressed), the cohort is not empty and no more pupils achieve than sit. */
static int is_usable(cohort group)
{
    return isfinite(group.pupils) && isfinite(group.achieving) && group.pupils > 0.0
           && group.achieving >= 0.0 && group.achieving <= group.pupils;
}

static void write_rate(oc_indicator_series *series, size_t year, cohort group)
{
    series->value[year] = 100.0 * group.achieving / group.pupils;
    series->numerator[year] = group.achieving;
    series->denominator[year] = group.pupils;
}

/* The intervals are computed only in the year the host reports
 * (oc_evaluation_reported_index), from the counts written with the rates:
 * over every small area in England, the intervals of years nobody reports
 * cost more than the rest of the plugin. */
static void write_rate_interval(oc_evaluation *evaluation, oc_indicator_series *rate, double z)
{
    size_t year = oc_evaluation_reported_index(evaluation, rate);
    oc_interval interval;

    if (year != NO_YEAR
        && oc_wilson_interval(rate->numerator[year], rate->denominator[year], z, &interval,
                              NULL) == OC_OK) {
        rate->lower[year] = 100.0 * interval.lower;
        rate->upper[year] = 100.0 * interval.upper;
    }
}

/* The gap is written only in years where both rates are, so the two rate
 * series hold that year's cohorts. */
static void write_gap_interval(oc_evaluation *evaluation, oc_indicator_series *gap,
                               const oc_indicator_series *fsm, const oc_indicator_series *other,
                               double z)
{
    size_t year = oc_evaluation_reported_index(evaluation, gap);
    oc_interval interval;

    if (year != NO_YEAR
        && oc_newcombe_interval(other->numerator[year], other->denominator[year],
                                fsm->numerator[year], fsm->denominator[year], z, &interval,
                                NULL) == OC_OK) {
        gap->lower[year] = 100.0 * interval.lower;
        gap->upper[year] = 100.0 * interval.upper;
    }
}

/* Evaluates one key stage whose four inputs are all mapped; returns how
 * many values it wrote, or a negative status. */
static long evaluate_key_stage(oc_evaluation *evaluation, size_t stage,
                               const double *const series[INPUTS_PER_KEY_STAGE], oc_error *error)
{
    size_t year_count = oc_evaluation_time_count(evaluation);
    double z = oc_evaluation_z(evaluation);
    oc_indicator_series *outputs[INDICATORS_PER_KEY_STAGE];
    long written = 0;

    for (size_t i = 0; i < INDICATORS_PER_KEY_STAGE; i++) {
        size_t indicator = stage * INDICATORS_PER_KEY_STAGE + i;
        outputs[i] = oc_evaluation_output(evaluation, indicator);
        if (outputs[i] == NULL)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "attainment_gap: the host gave no output for indicator '%s'",
                                indicators[indicator].name);
    }
    for (size_t year = 0; year < year_count; year++) {
        cohort fsm = {series[FSM_PUPILS][year], series[FSM_ACHIEVING][year]};
        cohort other = {series[OTHER_PUPILS][year], series[OTHER_ACHIEVING][year]};
        int fsm_usable = is_usable(fsm), other_usable = is_usable(other);

        if (fsm_usable)
            write_rate(outputs[FSM_RATE], year, fsm);
        if (other_usable)
            write_rate(outputs[OTHER_RATE], year, other);
        /* The gap is other minus FSM, so a positive gap means FSM pupils
         * are behind and a narrowing gap falls towards zero. */
        if (fsm_usable && other_usable)
            outputs[GAP]->value[year] =
                100.0 * (other.achieving / other.pupils - fsm.achieving / fsm.pupils);
        written += fsm_usable + other_usable;
    }
    write_rate_interval(evaluation, outputs[FSM_RATE], z);
    write_rate_interval(evaluation, outputs[OTHER_RATE], z);
    write_gap_interval(evaluation, outputs[GAP], outputs[FSM_RATE], outputs[OTHER_RATE], z);
    return written;
}

static int evaluate(oc_evaluation *evaluation, oc_error *error)
{
    size_t mapped_stages = 0;
    long written = 0;

    for (size_t stage = 0; stage < KEY_STAGE_COUNT; stage++) {
        const double *series[INPUTS_PER_KEY_STAGE];
        size_t mapped = 0;

        for (size_t i = 0; i < INPUTS_PER_KEY_STAGE; i++) {
            series[i] = oc_evaluation_input(evaluation, stage * INPUTS_PER_KEY_STAGE + i);
            mapped += series[i] != NULL;
        }
        /* A key stage is all or nothing: a rate without its comparison
         * group says nothing about the gap this plugin exists to score. */
        if (mapped < INPUTS_PER_KEY_STAGE)
            continue;
        mapped_stages++;
        long stage_written = evaluate_key_stage(evaluation, stage, series, error);
        if (stage_written < 0)
            return (int)stage_written;
        written += stage_written;
    }

    if (mapped_stages == 0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "attainment_gap: no key stage has all four inputs mapped "
                            "(fsm_pupils_KS, fsm_achieving_KS, other_pupils_KS, "
                            "other_achieving_KS for KS = eyfs, ks1, ks2 or ks4)");
    if (written == 0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "attainment_gap: area %s has no usable pupil counts in any "
                            "mapped key stage",
                            oc_evaluation_area_code(evaluation));
    return OC_OK;
}
