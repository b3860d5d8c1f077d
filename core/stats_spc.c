/*
 * stats_spc.c: XmR statistical process control charts as NHS England's
 * "Making Data Count" defines them, following the conventions of its
 * reference implementation, the NHSRplotthedots R package, so that a chart
 * here flags the same points as the charts boards already read. Missing
 * periods are an extension of ours: a gap breaks moving ranges, runs and
 * trends instead of joining the points either side. docs/statistics.md
 * lists every convention and why.
 *
 * oc_spc_xmr flags every point in four passes (one per rule, lowest
 * precedence first so that a stronger rule overwrites a weaker one). The
 * engine only reports the latest point, for every area and indicator, so
 * oc_spc_xmr_latest shares the one pass that builds the limits and then
 * reads no more than the last 7 points. Neither allocates anything.
 */
#include "config.h"

#include <math.h>

#include <outcomes/stats.h>

#define LIMIT_SIGMAS 2.66            /* 3 / d2, d2 = 1.128 for ranges of 2 */
#define NEAR_LIMIT_SIGMAS (2.0 * LIMIT_SIGMAS / 3.0)
#define OUTLIER_MOVING_RANGE 3.267   /* D4 for ranges of 2 */
#define RUN_LENGTH 7                 /* points in a shift or a trend */

oc_spc_options oc_spc_defaults(void)
{
    oc_spc_options options = {
        .direction = 0, .baseline_length = 0, .screen_outliers = 0, .target = NAN,
    };
    return options;
}

const char *oc_spc_rule_name(oc_spc_rule rule)
{
    switch (rule) {
    case OC_SPC_RULE_NONE: return "none";
    case OC_SPC_RULE_OUTSIDE_LIMITS: return "outside_limits";
    case OC_SPC_RULE_TREND: return "trend";
    case OC_SPC_RULE_TWO_OF_THREE: return "two_of_three";
    case OC_SPC_RULE_SHIFT: return "shift";
    }
    return "unknown";
}

const char *oc_spc_variation_name(oc_spc_variation variation)
{
    switch (variation) {
    case OC_SPC_COMMON_CAUSE: return "common_cause";
    case OC_SPC_IMPROVEMENT: return "improvement";
    case OC_SPC_CONCERN: return "concern";
    case OC_SPC_NEITHER: return "neither";
    }
    return "unknown";
}

const char *oc_spc_assurance_name(oc_spc_assurance assurance)
{
    switch (assurance) {
    case OC_SPC_ASSURANCE_NONE: return "none";
    case OC_SPC_CONSISTENT_PASS: return "consistent_pass";
    case OC_SPC_CONSISTENT_FAIL: return "consistent_fail";
    case OC_SPC_INCONSISTENT: return "inconsistent";
    }
    return "unknown";
}

static void clear_chart(oc_spc_chart *chart)
{
    chart->mean = NAN;
    chart->average_moving_range = NAN;
    chart->upper_limit = chart->lower_limit = NAN;
    chart->upper_near = chart->lower_near = NAN;
    chart->points = 0;
    chart->moving_ranges = 0;
    chart->gaps = 0;
    chart->assurance = OC_SPC_ASSURANCE_NONE;
}

static void clear_points(oc_spc_point *points, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        points[i].rule = OC_SPC_RULE_NONE;
        points[i].variation = OC_SPC_COMMON_CAUSE;
        points[i].side = 0;
    }
}

static int sign_of(double value)
{
    return (value > 0.0) - (value < 0.0);
}

/* -1, 0 or +1 relative to the mean; 0 for a missing point or one exactly
 * on the mean, which therefore breaks a run. */
static int side_of_mean(double value, double mean)
{
    return isnan(value) ? 0 : sign_of(value - mean);
}

static void flag(oc_spc_point *point, oc_spc_rule rule, int side, int direction)
{
    point->rule = rule;
    point->side = side;
    if (direction == 0)
        point->variation = OC_SPC_NEITHER;
    else
        point->variation = side == direction ? OC_SPC_IMPROVEMENT : OC_SPC_CONCERN;
}

/* Lowest precedence: 7 points in a row on the same side of the mean. */
static void flag_shifts(const double *values, size_t count, double mean, int direction,
                        oc_spc_point *points)
{
    size_t run_start = 0, run_length = 0;
    int run_side = 0;
    for (size_t i = 0; i < count; i++) {
        int side = side_of_mean(values[i], mean);
        if (side != 0 && side == run_side) {
            run_length++;
        } else {
            run_side = side;
            run_start = i;
            run_length = side != 0 ? 1 : 0;
        }
        if (run_length == RUN_LENGTH) {
            for (size_t j = run_start; j <= i; j++)
                flag(&points[j], OC_SPC_RULE_SHIFT, run_side, direction);
        } else if (run_length > RUN_LENGTH) {
            flag(&points[i], OC_SPC_RULE_SHIFT, run_side, direction);
        }
    }
}

/* Between the near limit and the process limit on the given side; a point
 * beyond the process limit is not "near" (NHSRplotthedots' close_to_limits). */
static int is_near_limit(double value, int side, const oc_spc_chart *chart)
{
    if (side > 0)
        return value > chart->upper_near && value <= chart->upper_limit;
    return value < chart->lower_near && value >= chart->lower_limit;
}

/* NHSRplotthedots' "2 in 3": a window of 3 consecutive points all on one
 * side of the mean with at least 2 of them near the limit on that side;
 * only those near points are flagged. Points beyond the process limits are
 * flagged by their own rule and do not count here. A gap in the window
 * (side 0) disqualifies it. */
static void flag_two_of_three(const double *values, size_t count, const oc_spc_chart *chart,
                              int direction, oc_spc_point *points)
{
    for (size_t start = 0; start + 2 < count; start++) {
        int side = side_of_mean(values[start], chart->mean);
        if (side == 0 || side_of_mean(values[start + 1], chart->mean) != side
            || side_of_mean(values[start + 2], chart->mean) != side)
            continue;
        int near_count = 0;
        for (size_t j = start; j < start + 3; j++)
            near_count += is_near_limit(values[j], side, chart);
        if (near_count < 2)
            continue;
        for (size_t j = start; j < start + 3; j++)
            if (is_near_limit(values[j], side, chart))
                flag(&points[j], OC_SPC_RULE_TWO_OF_THREE, side, direction);
    }
}

/* 7 points in a row each strictly above (or below) the one before: 6
 * increases. A tie or a gap ends the run. A point shared by a rising and a
 * falling run (a peak) takes the later run, as NHSRplotthedots does. */
static void flag_trends(const double *values, size_t count, int direction,
                        oc_spc_point *points)
{
    size_t run_start = 0, run_length = 0;
    int run_step = 0;
    for (size_t i = 1; i < count; i++) {
        int step = 0;
        if (!isnan(values[i]) && !isnan(values[i - 1]))
            step = sign_of(values[i] - values[i - 1]);
        if (step != 0 && step == run_step) {
            run_length++;
        } else {
            run_step = step;
            run_start = i - 1;
            run_length = step != 0 ? 2 : 0;
        }
        if (run_length == RUN_LENGTH) {
            for (size_t j = run_start; j <= i; j++)
                flag(&points[j], OC_SPC_RULE_TREND, run_step, direction);
        } else if (run_length > RUN_LENGTH) {
            flag(&points[i], OC_SPC_RULE_TREND, run_step, direction);
        }
    }
}

/* Highest precedence: strictly beyond a process limit. */
static void flag_outside_limits(const double *values, size_t count, const oc_spc_chart *chart,
                                int direction, oc_spc_point *points)
{
    for (size_t i = 0; i < count; i++) {
        if (values[i] > chart->upper_limit)
            flag(&points[i], OC_SPC_RULE_OUTSIDE_LIMITS, 1, direction);
        else if (values[i] < chart->lower_limit)
            flag(&points[i], OC_SPC_RULE_OUTSIDE_LIMITS, -1, direction);
    }
}

static oc_spc_assurance assurance_for(const oc_spc_chart *chart, int direction, double target)
{
    if (isnan(target) || direction == 0)
        return OC_SPC_ASSURANCE_NONE;
    if (target > chart->upper_limit)
        return direction > 0 ? OC_SPC_CONSISTENT_FAIL : OC_SPC_CONSISTENT_PASS;
    if (target < chart->lower_limit)
        return direction > 0 ? OC_SPC_CONSISTENT_PASS : OC_SPC_CONSISTENT_FAIL;
    return OC_SPC_INCONSISTENT;
}

/* The chart both entry points share, in one pass over the series: gaps
 * counted and infinities refused over all of it, the mean and the moving
 * ranges summed over the limit-setting values[0..limit_count) (moving
 * ranges only between adjacent non-missing points), then, if screening, one
 * more pass over that range. An infinite value anywhere is reported before
 * a missing moving range. */
static int compute_chart(const double *values, size_t count, size_t limit_count,
                         int screen_outliers, oc_spc_chart *chart, oc_error *error)
{
    /* The mean is summed as differences from the first point: a flat
     * series then has exactly its value as mean. Summed as they are, seven
     * points of 27.8624064311304 average one rounding step away from
     * themselves, so with aMR = 0 every point lay outside limits equal to
     * that mean, a special cause on a series that never moved. (R's mean(),
     * which NHSRplotthedots uses, corrects the same error with a second
     * pass; shifting costs no pass.) */
    double origin = NAN, sum = 0.0, range_sum = 0.0;
    size_t points = 0, ranges = 0, gaps = 0;
    for (size_t i = 0; i < count; i++) {
        if (isnan(values[i])) {
            gaps++;
            continue;
        }
        if (isinf(values[i]))
            return oc_error_set(error, OC_ERROR_INVALID, "spc: value at period %zu is infinite", i);
        if (i >= limit_count)
            continue;
        if (points == 0)
            origin = values[i];
        sum += values[i] - origin;
        points++;
        if (i > 0 && !isnan(values[i - 1])) {
            range_sum += fabs(values[i] - values[i - 1]);
            ranges++;
        }
    }
    if (ranges == 0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "spc: no chart: it needs values in two consecutive periods "
                            "(%zu value%s in %zu period%s)",
                            points, points == 1 ? "" : "s", limit_count,
                            limit_count == 1 ? "" : "s");
    double average_range = range_sum / (double)ranges;

    /* With aMR = 0 every range would be ">= 3.267 aMR" and screening would
     * leave nothing; a flat baseline has no outliers to screen. */
    if (screen_outliers && average_range > 0.0) {
        double cutoff = OUTLIER_MOVING_RANGE * average_range;
        double kept_sum = 0.0;
        size_t kept = 0;
        for (size_t i = 1; i < limit_count; i++) {
            if (isnan(values[i]) || isnan(values[i - 1]))
                continue;
            double range = fabs(values[i] - values[i - 1]);
            if (range < cutoff) {
                kept_sum += range;
                kept++;
            }
        }
        /* At least one range is below the cutoff: not all can exceed 3.267
         * times their own mean. */
        average_range = kept_sum / (double)kept;
        ranges = kept;
    }

    chart->points = points;
    chart->moving_ranges = ranges;
    chart->gaps = gaps;
    chart->mean = origin + sum / (double)points;
    chart->average_moving_range = average_range;
    chart->upper_limit = chart->mean + LIMIT_SIGMAS * average_range;
    chart->lower_limit = chart->mean - LIMIT_SIGMAS * average_range;
    chart->upper_near = chart->mean + NEAR_LIMIT_SIGMAS * average_range;
    chart->lower_near = chart->mean - NEAR_LIMIT_SIGMAS * average_range;
    /* Finite values near the largest double can still sum or subtract to
     * an infinity; a chart on it would call every point a special cause. */
    if (!isfinite(chart->upper_limit) || !isfinite(chart->lower_limit)) {
        clear_chart(chart);
        return oc_error_set(error, OC_ERROR_INVALID,
                            "spc: the values are too large for a chart (its mean or limits "
                            "overflow)");
    }
    return OC_OK;
}

/* Checks the input and builds the chart: what oc_spc_xmr and
 * oc_spc_xmr_latest have in common. On any error a chart is left cleared. */
static int build_chart(const double *values, size_t count, const oc_spc_options *options,
                       oc_spc_chart *chart, oc_error *error)
{
    oc_spc_options defaults = oc_spc_defaults();
    if (options == NULL)
        options = &defaults;
    if (chart == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "spc: no output chart");
    clear_chart(chart);
    if (values == NULL && count > 0)
        return oc_error_set(error, OC_ERROR_INVALID, "spc: no values");
    if (options->direction < -1 || options->direction > 1)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "spc: direction must be -1, 0 or 1, got %d", options->direction);
    if (isinf(options->target))
        return oc_error_set(error, OC_ERROR_INVALID, "spc: target is infinite");

    size_t limit_count = options->baseline_length == 0 || options->baseline_length > count
                             ? count : options->baseline_length;
    int status = compute_chart(values, count, limit_count, options->screen_outliers, chart,
                               error);
    if (status != OC_OK)
        return status;
    chart->assurance = assurance_for(chart, options->direction, options->target);
    return OC_OK;
}

int oc_spc_xmr(const double *values, size_t count, const oc_spc_options *options,
               oc_spc_chart *chart, oc_spc_point *points, oc_error *error)
{
    if (points != NULL)
        clear_points(points, count);
    int status = build_chart(values, count, options, chart, error);
    if (status != OC_OK || points == NULL)
        return status;
    int direction = options != NULL ? options->direction : oc_spc_defaults().direction;
    flag_shifts(values, count, chart->mean, direction, points);
    flag_two_of_three(values, count, chart, direction, points);
    flag_trends(values, count, direction, points);
    flag_outside_limits(values, count, chart, direction, points);
    return OC_OK;
}

/* The rules for the last point alone. Each pass above can flag the last
 * point only through a run or a window that ends at it: a run flags its
 * points while it is being extended, so the last point belongs to the run
 * still open after it and to no other (a peak shared by two runs cannot be
 * the last point), and the only 2-of-3 window holding it is the last 3
 * points. So at most 7 points are read, and the rules are tried in
 * precedence order, the first that fires deciding. */

/* Consecutive points ending at the last with the same nonzero side of the
 * mean, counting no further than RUN_LENGTH. */
static size_t shift_run_at_end(const double *values, size_t count, double mean, int side)
{
    size_t length = 0;
    while (length < RUN_LENGTH && length < count
           && side_of_mean(values[count - 1 - length], mean) == side)
        length++;
    return length;
}

/* Points in the rising or falling run ending at the last point (steps + 1),
 * counting no further than RUN_LENGTH; step is the sign of the last step,
 * 0 if a tie or a gap (no run). */
static size_t trend_run_at_end(const double *values, size_t count, int *step)
{
    *step = 0;
    if (count < 2 || isnan(values[count - 1]) || isnan(values[count - 2]))
        return 0;
    *step = sign_of(values[count - 1] - values[count - 2]);
    if (*step == 0)
        return 0;
    size_t length = 2;
    while (length < RUN_LENGTH && length < count) {
        double later = values[count - length], earlier = values[count - 1 - length];
        if (isnan(earlier) || sign_of(later - earlier) != *step)
            break;
        length++;
    }
    return length;
}

/* The last point's 2-of-3 flag: the window of the last 3 points all on its
 * side, at least 2 of them near, the last among them. */
static int last_is_two_of_three(const double *values, size_t count, const oc_spc_chart *chart,
                                int side)
{
    if (count < 3 || side == 0 || !is_near_limit(values[count - 1], side, chart))
        return 0;
    if (side_of_mean(values[count - 2], chart->mean) != side
        || side_of_mean(values[count - 3], chart->mean) != side)
        return 0;
    return is_near_limit(values[count - 2], side, chart)
           || is_near_limit(values[count - 3], side, chart);
}

static void flag_latest(const double *values, size_t count, const oc_spc_chart *chart,
                        int direction, oc_spc_point *latest)
{
    double last = values[count - 1];
    if (isnan(last))
        return;
    if (last > chart->upper_limit) {
        flag(latest, OC_SPC_RULE_OUTSIDE_LIMITS, 1, direction);
        return;
    }
    if (last < chart->lower_limit) {
        flag(latest, OC_SPC_RULE_OUTSIDE_LIMITS, -1, direction);
        return;
    }
    int step;
    if (trend_run_at_end(values, count, &step) == RUN_LENGTH) {
        flag(latest, OC_SPC_RULE_TREND, step, direction);
        return;
    }
    int side = side_of_mean(last, chart->mean);
    if (last_is_two_of_three(values, count, chart, side)) {
        flag(latest, OC_SPC_RULE_TWO_OF_THREE, side, direction);
        return;
    }
    if (side != 0 && shift_run_at_end(values, count, chart->mean, side) == RUN_LENGTH)
        flag(latest, OC_SPC_RULE_SHIFT, side, direction);
}

int oc_spc_xmr_latest(const double *values, size_t count, const oc_spc_options *options,
                      oc_spc_chart *chart, oc_spc_point *latest, oc_error *error)
{
    if (latest == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "spc: no output point");
    clear_points(latest, 1);
    int status = build_chart(values, count, options, chart, error);
    if (status != OC_OK)
        return status;
    /* A chart needs a moving range, so count >= 2 here. */
    int direction = options != NULL ? options->direction : oc_spc_defaults().direction;
    flag_latest(values, count, chart, direction, latest);
    return OC_OK;
}
