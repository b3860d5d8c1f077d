/*
 * test_plugin_attainment_gap.c: the attainment_gap plugin's descriptor and
 * its per-key-stage rates (Wilson) and FSM gap (Newcombe), against values
 * worked out by hand below from the formulas in docs/statistics.md.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "plugin_harness.h"

const oc_plugin_descriptor *oc_plugin_entry(void);

/* Academic years 2012/13 to 2015/16, days since 1970-01-01 of 1 September:
 * 2012-09-01 15584, 2013-09-01 15949, 2014-09-01 16314, 2015-09-01 16679. */
static const int32_t academic_years[] = {15584, 15949, 16314, 16679};

/* KS2: a zero FSM cohort in 2014/15, a missing (NaN) one in 2015/16. */
static const double fsm_pupils_ks2[] = {600, 580, 0, NAN};
static const double fsm_achieving_ks2[] = {360, 371, 0, 300};
static const double other_pupils_ks2[] = {2400, 2450, 2500, 2420};
static const double other_achieving_ks2[] = {1920, 1984, 2050, 1990};
/* KS4: 2013/14 has more FSM pupils achieving than sitting and an empty
 * other cohort; 2014/15 a negative suppression marker; 2015/16 a
 * suppressed (NaN) FSM count. */
static const double fsm_pupils_ks4[] = {500, 510, 520, 530};
static const double fsm_achieving_ks4[] = {150, 600, 170, NAN};
static const double other_pupils_ks4[] = {2000, 0, 2100, 2200};
static const double other_achieving_ks4[] = {1100, 0, -1, 1300};

#define RATE_TOLERANCE 1e-5 /* percent or points; the working keeps 6 decimals */

/* The plugin's input roles are GROUP_STAGE, in this order. */
static const char *const stages[] = {"eyfs", "ks1", "ks2", "ks4"};
static const char *const groups[] = {"fsm_pupils", "fsm_achieving", "other_pupils",
                                     "other_achieving"};

/* Maps the four inputs of one key stage, in the order of groups, to these
 * series; a NULL series leaves its role unmapped. */
static void map_key_stage(plugin_harness *harness, const char *stage, const double *fsm_pupils,
                          const double *fsm_achieving, const double *other_pupils,
                          const double *other_achieving)
{
    const double *const series[] = {fsm_pupils, fsm_achieving, other_pupils, other_achieving};
    char role[64];

    for (size_t group = 0; group < 4; group++) {
        if (series[group] == NULL)
            continue;
        snprintf(role, sizeof role, "%s_%s", groups[group], stage);
        plugin_harness_map_input(harness, role, series[group]);
    }
}

static void map_full_data(plugin_harness *harness)
{
    map_key_stage(harness, "ks2", fsm_pupils_ks2, fsm_achieving_ks2, other_pupils_ks2,
                  other_achieving_ks2);
    map_key_stage(harness, "ks4", fsm_pupils_ks4, fsm_achieving_ks4, other_pupils_ks4,
                  other_achieving_ks4);
    /* KS1 half-mapped: FSM only, so the key stage is not computed. */
    map_key_stage(harness, "ks1", fsm_pupils_ks2, fsm_achieving_ks2, NULL, NULL);
}

/*
 * Wilson, z = 1.959964, z^2 = 3.841459, as % (x100):
 *   (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))
 *  360/600:   2x+z^2 = 723.841459; z^2+4x(1-x/n) = 3.841459 + 1440 * 0.4 = 579.841459;
 *             z sqrt(.) = 47.195732; 2(n+z^2) = 1207.682918;
 *             (723.841459 -/+ 47.195732) / 1207.682918 = 0.560284257, 0.638443402.
 *  371/580:   745.841459; 538.593183; 45.486081; 1167.682918 -> 0.599782156, 0.677690431.
 *  1920/2400: 3843.841459; 1539.841459; 76.910582; 4807.682918 -> 0.783523153, 0.815518017.
 *  1984/2450: 3971.841459; 1513.301051; 76.244893; 4907.682918 -> 0.793775114, 0.824846760.
 *  2050/2500: 4103.841459; 1479.841459; 75.397282; 5007.682918 -> 0.804452727, 0.834565369.
 *  1990/2420: 3983.841459; 1418.221624; 73.810840; 4847.682918 -> 0.806577222, 0.837029230.
 *  150/500:   303.841459; 423.841459; 40.350583; 1007.682918 -> 0.261481932, 0.341567804.
 *  1100/2000: 2203.841459; 1983.841459; 87.297454; 4007.682918 -> 0.528121623, 0.571686673.
 *  170/520:   343.841459; 461.533767; 42.106567; 1047.682918 -> 0.288002111, 0.368382475.
 *  1300/2200: 2603.841459; 2131.114186; 90.479763; 4407.682918 -> 0.570222891, 0.611278368.
 *
 * Newcombe for gap = p1 - p2 with p1 the other pupils' rate, p2 the FSM rate:
 *   lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
 *  KS2 2012/13: p1 = 0.8, p2 = 0.6, d = 0.2; p1-l1 = 0.016476847, u2-p2 = 0.038443402,
 *             u1-p1 = 0.015518017, p2-l2 = 0.039715743;
 *             lower = 0.2 - sqrt(0.000271486 + 0.001477896) = 0.2 - 0.041825610 = 0.158174390,
 *             upper = 0.2 + sqrt(0.000240809 + 0.001577340) = 0.2 + 0.042639759 = 0.242639759.
 *  KS2 2013/14: p1 = 1984/2450 = 0.809795918, p2 = 371/580 = 0.639655172, d = 0.170140746;
 *             p1-l1 = 0.016020805, u2-p2 = 0.038035259, u1-p1 = 0.015050841,
 *             p2-l2 = 0.039873016 -> lower 0.128869120, upper 0.212759818.
 *  KS4 2012/13: p1 = 0.55, p2 = 0.3, d = 0.25; p1-l1 = 0.021878377, u2-p2 = 0.041567804,
 *             u1-p1 = 0.021686673, p2-l2 = 0.038518068 -> lower 0.203026116, upper 0.294203544.
 */
START_TEST(test_key_stages_with_gaps_and_bad_values)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), academic_years, 4);
    map_full_data(&harness);
    ck_assert_int_eq(plugin_harness_evaluate(&harness, &error), OC_OK);

    /* KS2 */
    static const plugin_harness_proportion fsm_ks2[] = {
        {0, 60.0, 56.028426, 63.844340, 360, 600},
        {1, 63.965517, 59.978216, 67.769043, 371, 580},
    };
    plugin_harness_expect_proportions(&harness, "fsm_rate_ks2", RATE_TOLERANCE, fsm_ks2, 2);
    for (size_t t = 2; t < 4; t++) { /* zero pupils, then missing pupils */
        plugin_harness_expect_none(&harness, "fsm_rate_ks2", t);
        plugin_harness_expect(&harness, "gap_ks2", t, NAN, NAN, NAN, 0);
    }
    static const plugin_harness_proportion other_ks2[] = {
        {0, 80.0, 78.352315, 81.551802, 1920, 2400},
        {1, 80.979592, 79.377511, 82.484676, 1984, 2450},
        {2, 82.0, 80.445273, 83.456537, 2050, 2500},
        {3, 82.231405, 80.657722, 83.702923, 1990, 2420},
    };
    plugin_harness_expect_proportions(&harness, "other_rate_ks2", RATE_TOLERANCE, other_ks2, 4);
    plugin_harness_expect_reported(&harness, "gap_ks2", 0, 20.0, 15.817439, 24.263976,
                                   RATE_TOLERANCE);
    plugin_harness_expect_reported(&harness, "gap_ks2", 1, 17.014075, 12.886912, 21.275982,
                                   RATE_TOLERANCE);
    for (size_t t = 0; t < 4; t++) /* a gap is not a proportion */
        plugin_harness_expect_fraction(&harness, "gap_ks2", t, NAN, NAN);

    /* KS4 */
    plugin_harness_expect_reported_and_fraction(&harness, "fsm_rate_ks4", 0, 30.0, 26.148193,
                                                34.156780, RATE_TOLERANCE, 150, 500);
    plugin_harness_expect_none(&harness, "fsm_rate_ks4", 1); /* 600 > 510 */
    plugin_harness_expect_reported_and_fraction(&harness, "fsm_rate_ks4", 2, 32.692308, 28.800211,
                                                36.838247, RATE_TOLERANCE, 170, 520);
    plugin_harness_expect(&harness, "fsm_rate_ks4", 3, NAN, NAN, NAN, 0); /* suppressed */
    plugin_harness_expect_reported(&harness, "other_rate_ks4", 0, 55.0, 52.812162, 57.168667,
                                   RATE_TOLERANCE);
    plugin_harness_expect(&harness, "other_rate_ks4", 1, NAN, NAN, NAN, 0); /* 0 pupils */
    plugin_harness_expect(&harness, "other_rate_ks4", 2, NAN, NAN, NAN, 0); /* marker -1 */
    plugin_harness_expect_reported_and_fraction(&harness, "other_rate_ks4", 3, 59.090909, 57.022289,
                                                61.127837, RATE_TOLERANCE, 1300, 2200);
    plugin_harness_expect_reported(&harness, "gap_ks4", 0, 25.0, 20.302612, 29.420354,
                                   RATE_TOLERANCE);
    for (size_t t = 1; t < 4; t++)
        plugin_harness_expect(&harness, "gap_ks4", t, NAN, NAN, NAN, 0);

    /* EYFS unmapped and KS1 half-mapped: nothing computed. */
    static const char *const untouched[] = {"fsm_rate_eyfs", "other_rate_eyfs", "gap_eyfs",
                                            "fsm_rate_ks1", "other_rate_ks1", "gap_ks1"};
    for (size_t i = 0; i < sizeof untouched / sizeof untouched[0]; i++)
        plugin_harness_expect_all_nan(&harness, untouched[i]);
}
END_TEST

START_TEST(test_no_complete_key_stage_is_insufficient_data)
{
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), academic_years, 4);
    map_key_stage(&harness, "ks2", fsm_pupils_ks2, fsm_achieving_ks2, other_pupils_ks2, NULL);
    plugin_harness_expect_failure(&harness, OC_ERROR_INSUFFICIENT_DATA, "other_achieving_KS",
                                  &error);
    ck_assert_ptr_null(strchr(error.message, '\n'));
    plugin_harness_expect_all_nan(&harness, "fsm_rate_ks2");
}
END_TEST

START_TEST(test_no_usable_counts_is_insufficient_data)
{
    static const double missing[] = {NAN, NAN, NAN, NAN};
    plugin_harness harness;
    oc_error error;

    plugin_harness_init(&harness, oc_plugin_entry(), academic_years, 4);
    map_key_stage(&harness, "eyfs", missing, missing, missing, missing);
    plugin_harness_expect_failure(&harness, OC_ERROR_INSUFFICIENT_DATA, "E14000559", &error);
}
END_TEST

START_TEST(test_descriptor)
{
    const oc_plugin_descriptor *descriptor = oc_plugin_entry();
    char expected[64];

    plugin_harness_check_descriptor(descriptor, "attainment_gap");
    ck_assert_ptr_null(descriptor->fiscal_benefit);
    ck_assert_ptr_null(descriptor->parameters);

    for (size_t stage = 0; stage < 4; stage++) {
        for (size_t group = 0; group < 4; group++) {
            const oc_input_spec *input = &descriptor->inputs[stage * 4 + group];
            snprintf(expected, sizeof expected, "%s_%s", groups[group], stages[stage]);
            ck_assert_str_eq(input->role, expected);
            ck_assert_int_ne(input->optional, 0);
            ck_assert_int_eq(input->aggregation, OC_AGGREGATE_SUM);
            ck_assert_str_eq(input->units, "pupils");
        }
        snprintf(expected, sizeof expected, "fsm_rate_%s", stages[stage]);
        plugin_harness_expect_indicator_spec(descriptor, stage * 3, expected, OC_HIGHER_IS_BETTER,
                                             OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE);
        snprintf(expected, sizeof expected, "other_rate_%s", stages[stage]);
        plugin_harness_expect_indicator_spec(descriptor, stage * 3 + 1, expected,
                                             OC_HIGHER_IS_BETTER,
                                             OC_INDICATOR_PROPORTION | OC_INDICATOR_COMPARABLE);
        snprintf(expected, sizeof expected, "gap_%s", stages[stage]);
        plugin_harness_expect_indicator_spec(descriptor, stage * 3 + 2, expected,
                                             OC_LOWER_IS_BETTER, OC_INDICATOR_COMPARABLE);
        ck_assert_str_eq(descriptor->indicators[stage * 3 + 2].units, "percentage points");
    }
    ck_assert_ptr_null(descriptor->inputs[16].role);
    ck_assert_ptr_null(descriptor->indicators[12].name);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {
        test_key_stages_with_gaps_and_bad_values,
        test_no_complete_key_stage_is_insufficient_data,
        test_no_usable_counts_is_insufficient_data,
        test_descriptor,
    };

    return plugin_harness_run("plugin_attainment_gap", tests, sizeof tests / sizeof tests[0]);
}
