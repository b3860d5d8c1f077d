/*
 * test_stats_spc.c: the XmR chart of core/stats_spc.c on hand-worked series
 * and on NHSRplotthedots' own published test case, one rule at a time,
 * then precedence, gaps, screening, assurance and refused input.
 *
 * Most series start with a 10-point baseline alternating 10, 12 and fix the
 * limits on it (baseline_length 10):
 *   mean 11; 9 moving ranges of 2, aMR 2;
 *   limits 11 +/- 2.66 x 2 = 5.68 .. 16.32;
 *   near limits 11 +/- (2/3)(2.66)(2) = 11 +/- 3.546667 = 7.453333 .. 14.546667.
 * The alternation itself never signals: no run on one side, no trend, no
 * point near a limit.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outcomes/stats.h>

#include "check_runner.h"

#define BASELINE 10
#define MAXIMUM_POINTS 64

#define ck_assert_near(actual, expected, tolerance) \
    ck_assert_msg(fabs((actual) - (expected)) <= (tolerance), \
                  "%s = %.10f, expected %.10f", #actual, (double)(actual), (double)(expected))

typedef struct fixture {
    double values[MAXIMUM_POINTS];
    size_t count;
    oc_spc_chart chart;
    oc_spc_point points[MAXIMUM_POINTS];
    oc_spc_point latest;    /* from oc_spc_xmr_latest */
} fixture;

static void assert_same_double(double actual, double expected, const char *name)
{
    ck_assert_msg(memcmp(&actual, &expected, sizeof actual) == 0, "%s: %.17g, expected %.17g",
                  name, actual, expected);
}

static void assert_same_chart(const oc_spc_chart *actual, const oc_spc_chart *expected)
{
    assert_same_double(actual->mean, expected->mean, "mean");
    assert_same_double(actual->average_moving_range, expected->average_moving_range, "aMR");
    assert_same_double(actual->upper_limit, expected->upper_limit, "upper_limit");
    assert_same_double(actual->lower_limit, expected->lower_limit, "lower_limit");
    assert_same_double(actual->upper_near, expected->upper_near, "upper_near");
    assert_same_double(actual->lower_near, expected->lower_near, "lower_near");
    ck_assert_uint_eq(actual->points, expected->points);
    ck_assert_uint_eq(actual->moving_ranges, expected->moving_ranges);
    ck_assert_uint_eq(actual->gaps, expected->gaps);
    ck_assert_int_eq(actual->assurance, expected->assurance);
}

static void assert_same_point(const oc_spc_point *actual, const oc_spc_point *expected)
{
    ck_assert_int_eq(actual->rule, expected->rule);
    ck_assert_int_eq(actual->variation, expected->variation);
    ck_assert_int_eq(actual->side, expected->side);
}

/* oc_spc_xmr_latest on the same input as a call of oc_spc_xmr that
 * returned status, chart and points: same status, chart and last point
 * (points may be NULL: the chart alone). Returns the latest point. */
static oc_spc_point latest_matches(const double *values, size_t count,
                                   const oc_spc_options *options, int status,
                                   const oc_spc_chart *chart, const oc_spc_point *points)
{
    oc_spc_chart latest_chart;
    oc_spc_point latest;
    oc_error error;
    ck_assert_int_eq(oc_spc_xmr_latest(values, count, options, &latest_chart, &latest, &error),
                     status);
    assert_same_chart(&latest_chart, chart);
    if (points != NULL && count > 0)
        assert_same_point(&latest, &points[count - 1]);
    return latest;
}

/* Charts the baseline followed by tail[0..tail_count), limits fixed on the
 * baseline. Tail point k is at index BASELINE + k. */
static void chart_after_baseline(fixture *f, const double *tail, size_t tail_count,
                                 int direction)
{
    ck_assert_uint_le(BASELINE + tail_count, MAXIMUM_POINTS);
    for (size_t i = 0; i < BASELINE; i++)
        f->values[i] = i % 2 == 0 ? 10.0 : 12.0;
    memcpy(f->values + BASELINE, tail, tail_count * sizeof *tail);
    f->count = BASELINE + tail_count;
    oc_spc_options options = oc_spc_defaults();
    options.direction = direction;
    options.baseline_length = BASELINE;
    oc_error error;
    ck_assert_int_eq(oc_spc_xmr(f->values, f->count, &options, &f->chart, f->points, &error),
                     OC_OK);
    f->latest = latest_matches(f->values, f->count, &options, OC_OK, &f->chart, f->points);
}

/* Asserts the rule of every point from `from` on, given as a string with
 * one letter per point: '.' none, 'O' outside, 'T' trend, '2' two of
 * three, 'S' shift. */
static void assert_rules(const fixture *f, size_t from, const char *expected)
{
    ck_assert_uint_eq(strlen(expected), f->count - from);
    for (size_t i = from; i < f->count; i++) {
        char letter = ".OT2S"[f->points[i].rule];
        ck_assert_msg(letter == expected[i - from], "point %zu has rule %s, expected '%c'", i,
                      oc_spc_rule_name(f->points[i].rule), expected[i - from]);
    }
    char latest_letter = ".OT2S"[f->latest.rule];
    ck_assert_msg(latest_letter == expected[f->count - 1 - from],
                  "oc_spc_xmr_latest: rule %s, expected '%c'", oc_spc_rule_name(f->latest.rule),
                  expected[f->count - 1 - from]);
}

START_TEST(test_limits_hand_worked)
{
    /* 1, 3, 2, 4, 3: mean 13/5 = 2.6; moving ranges 2, 1, 2, 1, aMR 1.5;
     * limits 2.6 +/- 3.99; near 2.6 +/- 2.66. */
    static const double values[] = {1, 3, 2, 4, 3};
    oc_spc_chart chart;
    oc_spc_point points[5];
    ck_assert_int_eq(oc_spc_xmr(values, 5, NULL, &chart, points, NULL), OC_OK);
    latest_matches(values, 5, NULL, OC_OK, &chart, points);
    ck_assert_near(chart.mean, 2.6, 1e-12);
    ck_assert_near(chart.average_moving_range, 1.5, 1e-12);
    ck_assert_near(chart.upper_limit, 6.59, 1e-12);
    ck_assert_near(chart.lower_limit, -1.39, 1e-12);
    ck_assert_near(chart.upper_near, 5.26, 1e-12);
    ck_assert_near(chart.lower_near, -0.06, 1e-12);
    ck_assert_uint_eq(chart.points, 5);
    ck_assert_uint_eq(chart.moving_ranges, 4);
    ck_assert_uint_eq(chart.gaps, 0);
    ck_assert_int_eq(chart.assurance, OC_SPC_ASSURANCE_NONE);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(points[i].rule, OC_SPC_RULE_NONE);
        ck_assert_int_eq(points[i].variation, OC_SPC_COMMON_CAUSE);
    }
    /* The chart alone, without per-point flags. */
    ck_assert_int_eq(oc_spc_xmr(values, 5, NULL, &chart, NULL, NULL), OC_OK);
    latest_matches(values, 5, NULL, OC_OK, &chart, NULL);
    ck_assert_near(chart.mean, 2.6, 1e-12);
}
END_TEST

START_TEST(test_baseline_fixes_limits)
{
    fixture f;
    static const double tail[] = {11, 11.2};
    chart_after_baseline(&f, tail, 2, 1);
    ck_assert_near(f.chart.mean, 11.0, 1e-12);
    ck_assert_near(f.chart.average_moving_range, 2.0, 1e-12);
    ck_assert_near(f.chart.upper_limit, 16.32, 1e-12);
    ck_assert_near(f.chart.lower_limit, 5.68, 1e-12);
    ck_assert_near(f.chart.upper_near, 11.0 + 2.0 * 2.66 * 2.0 / 3.0, 1e-12);
    ck_assert_near(f.chart.lower_near, 11.0 - 2.0 * 2.66 * 2.0 / 3.0, 1e-12);
    ck_assert_uint_eq(f.chart.points, BASELINE);
    ck_assert_uint_eq(f.chart.moving_ranges, BASELINE - 1);
}
END_TEST

START_TEST(test_outside_limits_and_direction)
{
    fixture f;
    static const double tail[] = {17, 5, 16};
    /* 17 > 16.32 above; 5 < 5.68 below; 16 is near the limit, not beyond. */
    chart_after_baseline(&f, tail, 3, 1);
    assert_rules(&f, BASELINE, "OO.");
    ck_assert_int_eq(f.points[10].side, 1);
    ck_assert_int_eq(f.points[10].variation, OC_SPC_IMPROVEMENT);
    ck_assert_int_eq(f.points[11].side, -1);
    ck_assert_int_eq(f.points[11].variation, OC_SPC_CONCERN);

    chart_after_baseline(&f, tail, 3, -1);
    ck_assert_int_eq(f.points[10].variation, OC_SPC_CONCERN);
    ck_assert_int_eq(f.points[11].variation, OC_SPC_IMPROVEMENT);

    chart_after_baseline(&f, tail, 3, 0);
    ck_assert_int_eq(f.points[10].variation, OC_SPC_NEITHER);
    ck_assert_int_eq(f.points[11].variation, OC_SPC_NEITHER);
    ck_assert_int_eq(f.points[12].variation, OC_SPC_COMMON_CAUSE);
}
END_TEST

/* NHSRplotthedots counts a trend as 7 points (6 successive increases). */
START_TEST(test_trend_is_seven_points)
{
    fixture f;
    /* From 12 down to 6, then 6, 7, 8, 9, 10, 11.5, 12.5 rise six times:
     * all 7 are flagged. 6 and 7 are also 2 of 3 near the lower limit
     * (below 7.453333, above 5.68) but a trend takes precedence. Points
     * below the mean in a rising trend are improvement when higher is
     * better: the trend's direction decides, not the side of the mean. */
    static const double seven[] = {6, 7, 8, 9, 10, 11.5, 12.5};
    chart_after_baseline(&f, seven, 7, 1);
    assert_rules(&f, BASELINE, "TTTTTTT");
    for (size_t i = BASELINE; i < f.count; i++) {
        ck_assert_int_eq(f.points[i].side, 1);
        ck_assert_int_eq(f.points[i].variation, OC_SPC_IMPROVEMENT);
    }
    ck_assert_int_eq(f.points[BASELINE - 1].rule, OC_SPC_RULE_NONE);

    /* Six points (five increases) are not a trend; the 2 of 3 remains. */
    static const double six[] = {6, 7, 8, 9, 10, 11.5};
    chart_after_baseline(&f, six, 6, 1);
    assert_rules(&f, BASELINE, "22....");
    ck_assert_int_eq(f.points[BASELINE].variation, OC_SPC_CONCERN);

    /* A tie breaks the run: 6 7 8 | 8 9 10 11.5 12.5. */
    static const double tie[] = {6, 7, 8, 8, 9, 10, 11.5, 12.5};
    chart_after_baseline(&f, tie, 8, 1);
    assert_rules(&f, BASELINE, "22......");

    /* A falling trend from the baseline's last 12: 12, 11.8, ..., 10.8 is 7
     * points with 6 decreases, all flagged, the baseline point included. */
    static const double falling[] = {11.8, 11.6, 11.4, 11.2, 11.0, 10.8};
    chart_after_baseline(&f, falling, 6, 1);
    assert_rules(&f, BASELINE - 1, "TTTTTTT");
    ck_assert_int_eq(f.points[BASELINE - 1].side, -1);
    ck_assert_int_eq(f.points[BASELINE - 1].variation, OC_SPC_CONCERN);
}
END_TEST

START_TEST(test_gap_breaks_trend)
{
    fixture f;
    static const double tail[] = {6, 7, 8, NAN, 9, 10, 11.5, 12.5};
    chart_after_baseline(&f, tail, 8, 1);
    /* 6 and 7 are still 2 of 3 near the lower limit; nothing else. */
    assert_rules(&f, BASELINE, "22......");
    ck_assert_uint_eq(f.chart.gaps, 1);
    ck_assert_int_eq(f.points[BASELINE + 3].variation, OC_SPC_COMMON_CAUSE);
}
END_TEST

/* A peak shared by a rising and a falling trend takes the later, falling
 * one (NHSRplotthedots uses the difference to its right). Baseline 0, 10
 * alternating: mean 5, aMR 10, limits -21.6 .. 31.6, near -12.73 .. 22.73,
 * so only the trend rule can fire; 5 is on the mean and breaks any shift. */
START_TEST(test_peak_takes_later_trend)
{
    double values[23];
    for (size_t i = 0; i < BASELINE; i++)
        values[i] = i % 2 == 0 ? 0.0 : 10.0;
    static const double tail[] = {1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1};
    memcpy(values + BASELINE, tail, sizeof tail);
    oc_spc_options options = oc_spc_defaults();
    options.direction = 1;
    options.baseline_length = BASELINE;
    oc_spc_chart chart;
    oc_spc_point points[23];
    ck_assert_int_eq(oc_spc_xmr(values, 23, &options, &chart, points, NULL), OC_OK);
    latest_matches(values, 23, &options, OC_OK, &chart, points);
    ck_assert_near(chart.mean, 5.0, 1e-12);
    ck_assert_near(chart.average_moving_range, 10.0, 1e-12);
    for (size_t i = BASELINE; i < 23; i++)
        ck_assert_int_eq(points[i].rule, OC_SPC_RULE_TREND);
    ck_assert_int_eq(points[15].side, 1);
    ck_assert_int_eq(points[15].variation, OC_SPC_IMPROVEMENT);
    ck_assert_int_eq(points[16].side, -1); /* the peak, 7 */
    ck_assert_int_eq(points[16].variation, OC_SPC_CONCERN);
    ck_assert_int_eq(points[BASELINE - 1].rule, OC_SPC_RULE_NONE);
}
END_TEST

START_TEST(test_shift_seven_on_one_side)
{
    fixture f;
    /* 11 sits exactly on the mean and breaks runs. Then 6 points above (not
     * enough), 11 again, then 7 points above: only those 7 are flagged. */
    static const double tail[] = {11, 11.5, 11.5, 11.5, 11.5, 11.5, 11.5, 11,
                                  11.5, 11.5, 11.5, 11.5, 11.5, 11.5, 11.5};
    chart_after_baseline(&f, tail, 15, -1);
    assert_rules(&f, BASELINE - 1, "." "." "......" "." "SSSSSSS");
    ck_assert_int_eq(f.points[f.count - 1].side, 1);
    ck_assert_int_eq(f.points[f.count - 1].variation, OC_SPC_CONCERN);

    /* Without the point on the mean the run starts at the baseline's last
     * point (12) and every point of it is flagged: 1 + 7 = 8 points. */
    static const double longer[] = {11.5, 11.5, 11.5, 11.5, 11.5, 11.5, 11.5};
    chart_after_baseline(&f, longer, 7, 1);
    assert_rules(&f, BASELINE - 2, "." "S" "SSSSSSS");
    ck_assert_int_eq(f.points[BASELINE].variation, OC_SPC_IMPROVEMENT);
}
END_TEST

START_TEST(test_gap_breaks_shift)
{
    fixture f;
    static const double tail[] = {11, 11.5, 11.5, 11.5, NAN, 11.5, 11.5, 11.5, 11.5};
    chart_after_baseline(&f, tail, 9, 1);
    assert_rules(&f, BASELINE, ".........");
    ck_assert_uint_eq(f.chart.gaps, 1);
}
END_TEST

START_TEST(test_two_of_three)
{
    fixture f;
    /* 15 and 15 are near the upper limit (14.546667 < 15 <= 16.32) with
     * 11.5 between them on the same side: the two near points are flagged,
     * the middle one is not. */
    static const double pair[] = {11, 15, 11.5, 15, 11};
    chart_after_baseline(&f, pair, 5, 1);
    assert_rules(&f, BASELINE, ".2.2.");
    ck_assert_int_eq(f.points[BASELINE + 1].variation, OC_SPC_IMPROVEMENT);

    /* Near points on opposite sides of the mean do not count. */
    static const double opposite[] = {11, 15, 7, 11};
    chart_after_baseline(&f, opposite, 4, 1);
    assert_rules(&f, BASELINE, "....");

    /* NHSRplotthedots needs all 3 points of a window on one side: the
     * window 15, 15, 10.5 does not qualify, but 12 (the baseline's last
     * point), 15, 15 does, so the two 15s are flagged. */
    static const double with_below[] = {15, 15, 10.5};
    chart_after_baseline(&f, with_below, 3, 1);
    assert_rules(&f, BASELINE, "22.");

    /* A point beyond the limit is not "near": in the window 17, 15, 12 (all
     * above the mean) 17 is outside and 15 is the only near point. */
    static const double beyond[] = {11, 17, 15, 12};
    chart_after_baseline(&f, beyond, 4, 1);
    assert_rules(&f, BASELINE, ".O..");

    /* A gap inside the window disqualifies it. */
    static const double gap[] = {11, 15, NAN, 15, 11};
    chart_after_baseline(&f, gap, 5, 1);
    assert_rules(&f, BASELINE, ".....");
}
END_TEST

/* NHSRplotthedots tests/testthat/test-ptd_spc_standard.R, "it only reports
 * special cause for 2 of 3 points close to limits when they are on the
 * same side of the mean": 1, -1 alternating over 16 points, then points 15
 * and 16 set to 5.5 and -5.5; both must be common cause. Hand-worked
 * without screening: mean 0; ranges 13 x 2, 6.5, 11: aMR 43.5/15 = 2.9;
 * near limits +/- 5.1427, limits +/- 7.714. With screening (its default):
 * 11 >= 3.267 x 2.9 = 9.4743 is dropped, aMR 32.5/14 = 2.321429. */
START_TEST(test_plotthedots_opposite_sides)
{
    double values[16];
    for (size_t i = 0; i < 16; i++)
        values[i] = i % 2 == 0 ? 1.0 : -1.0;
    values[14] = 5.5;
    values[15] = -5.5;
    for (int screen = 0; screen <= 1; screen++) {
        oc_spc_options options = oc_spc_defaults();
        options.screen_outliers = screen;
        oc_spc_chart chart;
        oc_spc_point points[16];
        ck_assert_int_eq(oc_spc_xmr(values, 16, &options, &chart, points, NULL), OC_OK);
        latest_matches(values, 16, &options, OC_OK, &chart, points);
        ck_assert_near(chart.mean, 0.0, 1e-12);
        ck_assert_near(chart.average_moving_range, screen ? 32.5 / 14.0 : 2.9, 1e-12);
        ck_assert_uint_eq(chart.moving_ranges, screen ? 14 : 15);
        ck_assert(values[14] > chart.upper_near && values[14] <= chart.upper_limit);
        for (size_t i = 0; i < 16; i++)
            ck_assert_int_eq(points[i].variation, OC_SPC_COMMON_CAUSE);
    }
}
END_TEST

START_TEST(test_outlier_screening)
{
    /* 10 12 10 12 10 12 10 30 10 12: sum 128, mean 12.8; ranges six 2s,
     * 20, 20, 2: aMR 54/9 = 6. Screening drops ranges >= 3.267 x 6 =
     * 19.602, the two 20s: aMR 14/7 = 2, limits 12.8 +/- 5.32. */
    static const double values[] = {10, 12, 10, 12, 10, 12, 10, 30, 10, 12};
    oc_spc_options options = oc_spc_defaults();
    oc_spc_chart chart;
    ck_assert_int_eq(oc_spc_xmr(values, 10, &options, &chart, NULL, NULL), OC_OK);
    latest_matches(values, 10, &options, OC_OK, &chart, NULL);
    ck_assert_near(chart.average_moving_range, 6.0, 1e-12);
    ck_assert_uint_eq(chart.moving_ranges, 9);
    options.screen_outliers = 1;
    ck_assert_int_eq(oc_spc_xmr(values, 10, &options, &chart, NULL, NULL), OC_OK);
    latest_matches(values, 10, &options, OC_OK, &chart, NULL);
    ck_assert_near(chart.mean, 12.8, 1e-12);
    ck_assert_near(chart.average_moving_range, 2.0, 1e-12);
    ck_assert_uint_eq(chart.moving_ranges, 7);
    ck_assert_near(chart.upper_limit, 18.12, 1e-12);

    /* A flat series has aMR 0; screening must not discard every range. */
    static const double flat[] = {4, 4, 4, 4};
    ck_assert_int_eq(oc_spc_xmr(flat, 4, &options, &chart, NULL, NULL), OC_OK);
    latest_matches(flat, 4, &options, OC_OK, &chart, NULL);
    ck_assert(chart.average_moving_range == 0.0);
    ck_assert(chart.upper_limit == 4.0);
}
END_TEST

START_TEST(test_gap_breaks_moving_range)
{
    /* 10 12 _ 20 22: mean 64/4 = 16; ranges |12-10| and |22-20| only, aMR
     * 2 (joining across the gap would add |20-12| = 8 and give 4). */
    static const double values[] = {10, 12, NAN, 20, 22};
    oc_spc_chart chart;
    ck_assert_int_eq(oc_spc_xmr(values, 5, NULL, &chart, NULL, NULL), OC_OK);
    latest_matches(values, 5, NULL, OC_OK, &chart, NULL);
    ck_assert_near(chart.mean, 16.0, 1e-12);
    ck_assert_near(chart.average_moving_range, 2.0, 1e-12);
    ck_assert_uint_eq(chart.points, 4);
    ck_assert_uint_eq(chart.moving_ranges, 2);
    ck_assert_uint_eq(chart.gaps, 1);
}
END_TEST

START_TEST(test_flat_series)
{
    /* A series that never moves (the demo's Wirral South KS4 gap, 7
     * academic years) has aMR 0 and limits on its mean. Summed as they
     * are, seven of these values average one rounding step off the value
     * itself, which put every point "outside the limits". A flat stretch
     * after a gap is as flat; a baseline fixed on it as well. */
    static const double flat[] = {27.8624064311304, 27.8624064311304, 27.8624064311304,
                                  27.8624064311304, 27.8624064311304, 27.8624064311304,
                                  27.8624064311304};
    static const double gapped[] = {0.1, 0.1, NAN, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    const struct {
        const double *values;
        size_t count;
        int direction;
        size_t baseline_length;
    } cases[] = {{flat, 7, 1, 0}, {flat, 7, -1, 0}, {gapped, 10, 1, 0}, {gapped, 10, -1, 5}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        oc_spc_options options = oc_spc_defaults();
        options.direction = cases[c].direction;
        options.baseline_length = cases[c].baseline_length;
        oc_spc_chart chart;
        oc_spc_point points[10];
        ck_assert_int_eq(oc_spc_xmr(cases[c].values, cases[c].count, &options, &chart, points,
                                    NULL),
                         OC_OK);
        latest_matches(cases[c].values, cases[c].count, &options, OC_OK, &chart, points);
        ck_assert(chart.mean == cases[c].values[0]);
        ck_assert(chart.average_moving_range == 0.0);
        for (size_t i = 0; i < cases[c].count; i++) {
            ck_assert_int_eq(points[i].rule, OC_SPC_RULE_NONE);
            ck_assert_int_eq(points[i].variation, OC_SPC_COMMON_CAUSE);
        }
    }
}
END_TEST

START_TEST(test_values_too_large_for_a_chart)
{
    /* Finite, but their moving ranges overflow: no chart, rather than
     * limits at infinity and every point a special cause. */
    static const double huge[] = {1e308, NAN, -1e308, -1e308, NAN, 1e308, NAN, -1e308, -1e308};
    oc_spc_chart chart;
    oc_spc_point points[9];
    oc_error error;
    ck_assert_int_eq(oc_spc_xmr(huge, 9, NULL, &chart, points, &error), OC_ERROR_INVALID);
    ck_assert_str_eq(error.message,
                     "spc: the values are too large for a chart (its mean or limits overflow)");
    ck_assert(isnan(chart.mean) && isnan(chart.upper_limit));
    latest_matches(huge, 9, NULL, OC_ERROR_INVALID, &chart, NULL);
    /* Near the largest double but a chart's worth apart: a chart. */
    static const double large[] = {1e307, 1.1e307, 1.2e307, 1.1e307, 1e307};
    ck_assert_int_eq(oc_spc_xmr(large, 5, NULL, &chart, points, NULL), OC_OK);
    ck_assert(isfinite(chart.upper_limit));
}
END_TEST

START_TEST(test_assurance)
{
    static const struct {
        int direction;
        double target;
        oc_spc_assurance expected;
    } cases[] = {
        {1, 20, OC_SPC_CONSISTENT_FAIL},  /* above the upper limit 16.32 */
        {1, 5, OC_SPC_CONSISTENT_PASS},   /* below the lower limit 5.68 */
        {1, 11, OC_SPC_INCONSISTENT},
        {1, 16, OC_SPC_INCONSISTENT},     /* just inside the upper limit */
        {-1, 20, OC_SPC_CONSISTENT_PASS},
        {-1, 5, OC_SPC_CONSISTENT_FAIL},
        {-1, 11, OC_SPC_INCONSISTENT},
        {0, 20, OC_SPC_ASSURANCE_NONE},   /* no direction, no pass or fail */
        {1, NAN, OC_SPC_ASSURANCE_NONE},
    };
    double values[BASELINE];
    for (size_t i = 0; i < BASELINE; i++)
        values[i] = i % 2 == 0 ? 10.0 : 12.0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        oc_spc_options options = oc_spc_defaults();
        options.direction = cases[i].direction;
        options.target = cases[i].target;
        oc_spc_chart chart;
        ck_assert_int_eq(oc_spc_xmr(values, BASELINE, &options, &chart, NULL, NULL), OC_OK);
        latest_matches(values, BASELINE, &options, OC_OK, &chart, NULL);
        ck_assert_msg(chart.assurance == cases[i].expected, "case %zu: %s", i,
                      oc_spc_assurance_name(chart.assurance));
    }
}
END_TEST

START_TEST(test_insufficient_and_invalid)
{
    oc_spc_chart chart;
    oc_spc_point points[4];
    oc_error error;
    static const double alternate_gaps[] = {NAN, 1, NAN, 2};
    ck_assert_int_eq(oc_spc_xmr(alternate_gaps, 4, NULL, &chart, points, &error),
                     OC_ERROR_INSUFFICIENT_DATA);
    latest_matches(alternate_gaps, 4, NULL, OC_ERROR_INSUFFICIENT_DATA, &chart, points);
    ck_assert(isnan(chart.mean));
    ck_assert_int_eq(points[1].rule, OC_SPC_RULE_NONE);
    ck_assert_str_ne(error.message, "");
    static const double one[] = {5};
    ck_assert_int_eq(oc_spc_xmr(one, 1, NULL, &chart, NULL, &error), OC_ERROR_INSUFFICIENT_DATA);
    latest_matches(one, 1, NULL, OC_ERROR_INSUFFICIENT_DATA, &chart, NULL);
    ck_assert_int_eq(oc_spc_xmr(NULL, 0, NULL, &chart, NULL, &error),
                     OC_ERROR_INSUFFICIENT_DATA);
    latest_matches(NULL, 0, NULL, OC_ERROR_INSUFFICIENT_DATA, &chart, NULL);

    static const double values[] = {1, 2, 3, 4};
    oc_spc_options options = oc_spc_defaults();
    options.baseline_length = 1;
    ck_assert_int_eq(oc_spc_xmr(values, 4, &options, &chart, NULL, &error),
                     OC_ERROR_INSUFFICIENT_DATA);
    latest_matches(values, 4, &options, OC_ERROR_INSUFFICIENT_DATA, &chart, NULL);
    options.baseline_length = 99; /* longer than the series: all of it */
    ck_assert_int_eq(oc_spc_xmr(values, 4, &options, &chart, NULL, &error), OC_OK);
    latest_matches(values, 4, &options, OC_OK, &chart, NULL);
    ck_assert_near(chart.mean, 2.5, 1e-12);

    options = oc_spc_defaults();
    options.direction = 2;
    ck_assert_int_eq(oc_spc_xmr(values, 4, &options, &chart, points, &error), OC_ERROR_INVALID);
    latest_matches(values, 4, &options, OC_ERROR_INVALID, &chart, points);
    options = oc_spc_defaults();
    options.target = INFINITY;
    ck_assert_int_eq(oc_spc_xmr(values, 4, &options, &chart, points, &error), OC_ERROR_INVALID);
    latest_matches(values, 4, &options, OC_ERROR_INVALID, &chart, points);
    /* An infinite value is refused even where a missing moving range would
     * also be an error: the status does not depend on which is found first. */
    static const double infinite[] = {1, INFINITY, 3};
    ck_assert_int_eq(oc_spc_xmr(infinite, 3, NULL, &chart, points, &error), OC_ERROR_INVALID);
    latest_matches(infinite, 3, NULL, OC_ERROR_INVALID, &chart, points);
    ck_assert_int_eq(oc_spc_xmr(NULL, 3, NULL, &chart, NULL, &error), OC_ERROR_INVALID);
    latest_matches(NULL, 3, NULL, OC_ERROR_INVALID, &chart, NULL);
    ck_assert_int_eq(oc_spc_xmr(values, 4, NULL, NULL, NULL, &error), OC_ERROR_INVALID);

    /* oc_spc_xmr_latest needs both outputs; the point is cleared first. */
    oc_spc_point latest = {OC_SPC_RULE_SHIFT, OC_SPC_CONCERN, 1};
    ck_assert_int_eq(oc_spc_xmr_latest(values, 4, NULL, NULL, &latest, &error),
                     OC_ERROR_INVALID);
    ck_assert_int_eq(latest.rule, OC_SPC_RULE_NONE);
    ck_assert_int_eq(latest.variation, OC_SPC_COMMON_CAUSE);
    ck_assert_int_eq(latest.side, 0);
    ck_assert_int_eq(oc_spc_xmr_latest(values, 4, NULL, &chart, NULL, &error),
                     OC_ERROR_INVALID);
    ck_assert_str_ne(error.message, "");
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(oc_spc_rule_name(OC_SPC_RULE_NONE), "none");
    ck_assert_str_eq(oc_spc_rule_name(OC_SPC_RULE_OUTSIDE_LIMITS), "outside_limits");
    ck_assert_str_eq(oc_spc_rule_name(OC_SPC_RULE_TREND), "trend");
    ck_assert_str_eq(oc_spc_rule_name(OC_SPC_RULE_TWO_OF_THREE), "two_of_three");
    ck_assert_str_eq(oc_spc_rule_name(OC_SPC_RULE_SHIFT), "shift");
    ck_assert_str_eq(oc_spc_rule_name((oc_spc_rule)42), "unknown");
    ck_assert_str_eq(oc_spc_variation_name(OC_SPC_COMMON_CAUSE), "common_cause");
    ck_assert_str_eq(oc_spc_variation_name(OC_SPC_IMPROVEMENT), "improvement");
    ck_assert_str_eq(oc_spc_variation_name(OC_SPC_CONCERN), "concern");
    ck_assert_str_eq(oc_spc_variation_name(OC_SPC_NEITHER), "neither");
    ck_assert_str_eq(oc_spc_assurance_name(OC_SPC_ASSURANCE_NONE), "none");
    ck_assert_str_eq(oc_spc_assurance_name(OC_SPC_CONSISTENT_PASS), "consistent_pass");
    ck_assert_str_eq(oc_spc_assurance_name(OC_SPC_CONSISTENT_FAIL), "consistent_fail");
    ck_assert_str_eq(oc_spc_assurance_name(OC_SPC_INCONSISTENT), "inconsistent");
}
END_TEST

/* ---- oc_spc_xmr_latest against oc_spc_xmr on pseudo-random series ---- */

#define PROPERTY_SERIES 200000
#define PROPERTY_LONG_LENGTH 240

/* splitmix64, fixed seed: the same series on every run and machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static size_t random_below(uint64_t *state, size_t bound)
{
    return (size_t)(next_random(state) % bound);
}

/* Series of few distinct values, so that ties, points exactly on the mean
 * and long runs are common: small integer levels (scaled by 0.5 or 0.1),
 * a random walk that keeps its step most of the time (trends), levels with
 * rare far spikes (outside limits, screened moving ranges), or wide noise
 * then a walk (trends inside the wide limits the noise sets); NaN gaps at
 * one of four rates. */
static void random_series(uint64_t *state, double *values, size_t count)
{
    static const double scales[] = {1.0, 0.5, 0.1};
    static const size_t gap_per_mille[] = {0, 30, 150, 400};
    size_t mode = random_below(state, 4);
    size_t levels = 2 + random_below(state, 4);
    double scale = scales[random_below(state, 3)];
    size_t gap_rate = gap_per_mille[random_below(state, 4)];
    long level = (long)random_below(state, levels);
    int step = 1;
    for (size_t i = 0; i < count; i++) {
        if (mode == 1 || (mode == 3 && i >= count / 2)) {
            if (random_below(state, 8) == 0)
                step = (int)random_below(state, 3) - 1;
            level += step;
        } else if (mode == 3) {
            level = (long)random_below(state, 10);
        } else {
            level = (long)random_below(state, levels);
            if (mode == 2 && random_below(state, 12) == 0)
                level += random_below(state, 2) ? 12 : -12;
        }
        values[i] = random_below(state, 1000) < gap_rate ? NAN : (double)level * scale;
    }
}

/* Every option combination the engine can pass: direction -1, 0, +1;
 * baseline none, inside the series, the whole series or longer; screening
 * or not; no target, or one near the levels. */
static oc_spc_options random_options(uint64_t *state, size_t count)
{
    oc_spc_options options = oc_spc_defaults();
    options.direction = (int)random_below(state, 3) - 1;
    switch (random_below(state, 4)) {
    case 0: options.baseline_length = 0; break;
    case 1: options.baseline_length = 1 + random_below(state, count + 1); break;
    case 2: options.baseline_length = count; break;
    default: options.baseline_length = count + 1 + random_below(state, 3); break;
    }
    options.screen_outliers = (int)random_below(state, 2);
    if (random_below(state, 2))
        options.target = (double)random_below(state, 12) - 3.0;
    return options;
}

/* With limits fixed on a baseline, points after it can be set to exactly
 * the mean, a limit or a near limit without moving the chart: the
 * boundaries of every comparison. */
static void place_on_boundaries(uint64_t *state, double *values, size_t count,
                                size_t limit_count, const oc_spc_chart *chart)
{
    const double boundaries[] = {chart->mean, chart->upper_limit, chart->lower_limit,
                                 chart->upper_near, chart->lower_near};
    for (size_t i = limit_count; i < count; i++)
        if (random_below(state, 3) == 0)
            values[i] = boundaries[random_below(state, 5)];
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int same_chart(const oc_spc_chart *a, const oc_spc_chart *b)
{
    return same_double(a->mean, b->mean)
           && same_double(a->average_moving_range, b->average_moving_range)
           && same_double(a->upper_limit, b->upper_limit)
           && same_double(a->lower_limit, b->lower_limit)
           && same_double(a->upper_near, b->upper_near)
           && same_double(a->lower_near, b->lower_near) && a->points == b->points
           && a->moving_ranges == b->moving_ranges && a->gaps == b->gaps
           && a->assurance == b->assurance;
}

static int same_point(const oc_spc_point *a, const oc_spc_point *b)
{
    return a->rule == b->rule && a->variation == b->variation && a->side == b->side;
}

/* The series and options of the first disagreement, for the failure message. */
static void describe_series(char *text, size_t size, size_t series, const double *values,
                            size_t count, const oc_spc_options *options)
{
    int used = snprintf(text, size, "series %zu: direction %d baseline %zu screen %d target %g:",
                        series, options->direction, options->baseline_length,
                        options->screen_outliers, options->target);
    for (size_t i = 0; i < count && used > 0 && (size_t)used < size; i++)
        used += snprintf(text + used, size - (size_t)used, " %.17g", values[i]);
}

START_TEST(test_latest_matches_full_chart)
{
    uint64_t state = 20240601;
    double values[PROPERTY_LONG_LENGTH];
    oc_spc_point points[PROPERTY_LONG_LENGTH];
    size_t disagreements = 0, flagged_last[5] = {0}, charted = 0, missing_last = 0;
    size_t on_mean_last = 0, long_series = 0;
    char first_disagreement[8192] = "";
    for (size_t series = 0; series < PROPERTY_SERIES; series++) {
        size_t count = random_below(&state, 20) == 0 ? PROPERTY_LONG_LENGTH
                                                     : random_below(&state, 41);
        long_series += count == PROPERTY_LONG_LENGTH;
        random_series(&state, values, count);
        oc_spc_options options = random_options(&state, count);
        oc_spc_chart chart, latest_chart;
        oc_error error, latest_error;
        size_t limit_count = options.baseline_length == 0 || options.baseline_length > count
                                 ? count : options.baseline_length;
        if (limit_count < count && random_below(&state, 2)
            && oc_spc_xmr(values, count, &options, &chart, NULL, NULL) == OC_OK)
            place_on_boundaries(&state, values, count, limit_count, &chart);

        error.message[0] = latest_error.message[0] = '\0';
        int status = oc_spc_xmr(values, count, &options, &chart, points, &error);
        /* Stale output, to see that the new function writes every field. */
        oc_spc_point latest = {OC_SPC_RULE_SHIFT, OC_SPC_CONCERN, 7};
        memset(&latest_chart, 0xA5, sizeof latest_chart);
        int latest_status = oc_spc_xmr_latest(values, count, &options, &latest_chart, &latest,
                                              &latest_error);
        oc_spc_point cleared = {OC_SPC_RULE_NONE, OC_SPC_COMMON_CAUSE, 0};
        const oc_spc_point *expected = count > 0 ? &points[count - 1] : &cleared;
        int agree = latest_status == status && same_chart(&latest_chart, &chart)
                    && same_point(&latest, expected)
                    && strcmp(latest_error.message, error.message) == 0;
        if (!agree && disagreements++ == 0)
            describe_series(first_disagreement, sizeof first_disagreement, series, values,
                            count, &options);
        if (status == OC_OK) {
            charted++;
            flagged_last[expected->rule]++;
            missing_last += isnan(values[count - 1]);
            on_mean_last += values[count - 1] == chart.mean;
        }
    }
    fprintf(stderr, "latest point property: %zu series (%zu of %d points), %zu charted; last "
            "point none %zu, outside %zu, trend %zu, two of three %zu, shift %zu, missing %zu, "
            "on the mean %zu\n", (size_t)PROPERTY_SERIES, long_series, PROPERTY_LONG_LENGTH,
            charted, flagged_last[0], flagged_last[1], flagged_last[2], flagged_last[3],
            flagged_last[4], missing_last, on_mean_last);
    ck_assert_msg(disagreements == 0, "%zu disagreement(s); first %s", disagreements,
                  first_disagreement);
    /* The generator must reach every case the comparison is meant to cover. */
    ck_assert_uint_gt(long_series, 5000);
    ck_assert_uint_gt(charted, PROPERTY_SERIES / 2);
    for (int rule = OC_SPC_RULE_NONE; rule <= OC_SPC_RULE_SHIFT; rule++)
        ck_assert_msg(flagged_last[rule] > 1000, "only %zu last points flagged %s",
                      flagged_last[rule], oc_spc_rule_name((oc_spc_rule)rule));
    ck_assert_uint_gt(missing_last, 1000);
    ck_assert_uint_gt(on_mean_last, 1000);
}
END_TEST

static Suite *spc_suite(void)
{
    Suite *suite = suite_create("stats_spc");
    TCase *tcase = tcase_create("core");
    tcase_add_test(tcase, test_limits_hand_worked);
    tcase_add_test(tcase, test_baseline_fixes_limits);
    tcase_add_test(tcase, test_outside_limits_and_direction);
    tcase_add_test(tcase, test_trend_is_seven_points);
    tcase_add_test(tcase, test_gap_breaks_trend);
    tcase_add_test(tcase, test_peak_takes_later_trend);
    tcase_add_test(tcase, test_shift_seven_on_one_side);
    tcase_add_test(tcase, test_gap_breaks_shift);
    tcase_add_test(tcase, test_two_of_three);
    tcase_add_test(tcase, test_plotthedots_opposite_sides);
    tcase_add_test(tcase, test_outlier_screening);
    tcase_add_test(tcase, test_gap_breaks_moving_range);
    tcase_add_test(tcase, test_flat_series);
    tcase_add_test(tcase, test_values_too_large_for_a_chart);
    tcase_add_test(tcase, test_assurance);
    tcase_add_test(tcase, test_insufficient_and_invalid);
    tcase_add_test(tcase, test_names);
    suite_add_tcase(suite, tcase);
    /* 200,000 series under the sanitizers take a few seconds. */
    TCase *property = tcase_create("latest_point_property");
    tcase_set_timeout(property, 120);
    tcase_add_test(property, test_latest_matches_full_chart);
    suite_add_tcase(suite, property);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(spc_suite());
}
