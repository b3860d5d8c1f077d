/* scoring.c: one indicator series to scored result fields; see scoring.h and
 * the formulas in docs/results.md. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outcomes/stats.h>

#include "period.h"
#include "scoring.h"

oc__scoring_settings oc__scoring_defaults(void)
{
    oc__scoring_settings settings = {
        .target_kind = OC__TARGET_NONE,
        .target_amount = NAN,
        .target_day = 0,
        .rag_green = 100.0,
        .rag_amber = 90.0,
        .spc_baseline = 0,
        .spc_screen_outliers = 0,
        .trend_points = 5,
        .evaluation_start_day = INT32_MIN,
        .frequency = OC__FREQUENCY_NONE,
    };
    return settings;
}

size_t oc__latest_observation(const double *values, size_t last_index)
{
    if (last_index == OC__NO_INDEX)
        return OC__NO_INDEX;
    /* An infinity (a plugin's division by zero) is no more an observation
     * than a NaN: results.md has no infinite numbers, only nulls. */
    for (size_t i = last_index + 1; i-- > 0;)
        if (isfinite(values[i]))
            return i;
    return OC__NO_INDEX;
}

/* Collects the notes that become the result's message. */
typedef struct message_builder {
    char text[512];
    size_t length;
} message_builder;

__attribute__((format(printf, 2, 3)))
static void note(message_builder *builder, const char *format, ...)
{
    if (builder->length >= sizeof builder->text - 1)
        return;
    if (builder->length > 0)
        builder->length += (size_t)snprintf(builder->text + builder->length,
                                            sizeof builder->text - builder->length, "; ");
    if (builder->length >= sizeof builder->text - 1)
        return;
    va_list args;
    va_start(args, format);
    int written = vsnprintf(builder->text + builder->length,
                            sizeof builder->text - builder->length, format, args);
    va_end(args);
    if (written > 0)
        builder->length += (size_t)written;
    if (builder->length > sizeof builder->text - 1)
        builder->length = sizeof builder->text - 1;
}

static char *date_text(int32_t day)
{
    char buffer[OC__DATE_TEXT_SIZE];
    oc__format_date(day, buffer, sizeof buffer);
    return strdup(buffer);
}

/* The latest infinite value in values[from..to] (to inclusive), or
 * OC__NO_INDEX. */
static size_t latest_infinity(const double *values, size_t from, size_t to)
{
    for (size_t i = to + 1; i-- > from;)
        if (isinf(values[i]))
            return i;
    return OC__NO_INDEX;
}

/* A value from a period that ended before the evaluation period began:
 * a store not brought up to date, or a quarter not yet published. The
 * value is still the latest there is (docs/results.md), but a scheduled
 * run must not report last year's figure as this quarter's in silence. */
static void note_older_than_asked(int32_t used_start, const oc__scoring_settings *settings,
                                  message_builder *message)
{
    oc__period used_period;
    if (settings->evaluation_start_day == INT32_MIN
        || oc__period_starting(used_start, settings->frequency, &used_period) != OC_OK
        || used_period.end_day > settings->evaluation_start_day)
        return;
    char used[OC__DATE_TEXT_SIZE], asked[OC__DATE_TEXT_SIZE];
    oc__format_date(used_start, used, sizeof used);
    oc__format_date(settings->evaluation_start_day, asked, sizeof asked);
    note(message, "no value for the evaluation period (from %s): the latest, for %s, is used",
         asked, used);
}

/* An infinity is taken as missing (oc__latest_observation), but unlike a
 * NaN it is not data the store lacked: it is the plugin's division by
 * zero. Passed over in silence, the value (or baseline) of an earlier
 * period took its place with nothing to say why. Notes the latest infinity
 * passed over between the observation used (found, or OC__NO_INDEX) and
 * last, unless it is the one already noted (*noted). */
static void note_infinity_passed_over(const oc__indicator_view *indicator, size_t found,
                                      size_t last, size_t *noted, message_builder *message)
{
    if (last == OC__NO_INDEX)
        return;
    size_t infinity = latest_infinity(indicator->series->value,
                                      found == OC__NO_INDEX ? 0 : found + 1, last);
    if (infinity == OC__NO_INDEX || infinity == *noted)
        return;
    char date[OC__DATE_TEXT_SIZE];
    oc__format_date(indicator->times[infinity], date, sizeof date);
    note(message, "the plugin gave an infinite value for %s, taken as missing", date);
    *noted = infinity;
}

static int set_string(char **field, const char *text)
{
    *field = text ? strdup(text) : NULL;
    return text == NULL || *field != NULL ? OC_OK : OC_ERROR_NO_MEMORY;
}

static const char *rag_for(double progress_pct, double change, int good_sign,
                           const oc__scoring_settings *settings)
{
    if (isfinite(progress_pct)) {
        if (progress_pct >= settings->rag_green)
            return "green";
        return progress_pct >= settings->rag_amber ? "amber" : "red";
    }
    /* No change expected yet: on or on the good side of the baseline. */
    if (good_sign == 0)
        return change == 0 ? "green" : "amber";
    return change * good_sign >= 0 ? "green" : "amber";
}

/* The value of a target or milestone amount measured from baseline. */
static double amount_value(oc__target_kind kind, double amount, double baseline)
{
    return kind == OC__TARGET_ABSOLUTE ? amount : baseline * (1.0 + amount / 100.0);
}

/* Where the trajectory is at `day`: straight from the baseline to the
 * first milestone, from each to the next, and from the last to the
 * target (domain.md: linear unless configured otherwise; milestones are
 * how it is configured otherwise). */
static double expected_on_trajectory(const oc__scoring_settings *settings, double start_day,
                                     double baseline, double target_value, double day)
{
    double from_day = start_day, from_value = baseline;
    for (size_t m = 0; m < settings->milestone_count; m++) {
        const oc__milestone *milestone = &settings->milestones[m];
        double value = amount_value(milestone->kind, milestone->amount, baseline);
        if (day <= milestone->day)
            return oc_trajectory_value(from_day, from_value, milestone->day, value, day);
        from_day = milestone->day;
        from_value = value;
    }
    return oc_trajectory_value(from_day, from_value, settings->target_day, target_value, day);
}

static int score_target(const oc__indicator_view *indicator, size_t period_index,
                        size_t baseline_index, const oc__scoring_settings *settings,
                        oc__result *result, message_builder *message)
{
    if (settings->target_kind == OC__TARGET_NONE)
        return OC_OK;
    result->target_date = date_text(settings->target_day);
    if (result->target_date == NULL)
        return OC_ERROR_NO_MEMORY;
    if (baseline_index == OC__NO_INDEX) {
        if (settings->target_kind == OC__TARGET_ABSOLUTE)
            result->target_value = settings->target_amount;
        note(message, "no baseline value, so no trajectory or progress");
        return OC_OK;
    }
    double baseline = result->baseline_value;
    result->target_value = amount_value(settings->target_kind, settings->target_amount, baseline);
    result->expected_value = expected_on_trajectory(settings, indicator->times[baseline_index],
                                                    baseline, result->target_value,
                                                    indicator->times[period_index]);
    /* Bounded in the configuration (|x| <= 1e15, at most +1e6%), a target
     * can still overflow on a baseline near the largest double: no number
     * to report, and progress against it would be 0 and the RAG red. */
    if (!isfinite(result->target_value) || !isfinite(result->expected_value)) {
        result->target_value = result->expected_value = NAN;
        note(message, "the target is too large to compute from this baseline, so no "
                      "trajectory or progress");
        return OC_OK;
    }
    double expected_change = result->expected_value - baseline;
    /* A milestone on the far side of the baseline from the target makes
     * the trajectory head away from the target for a while: there the
     * progress formula's sign convention (results.md) would call a move
     * towards the target "the wrong way", and crossing the baseline it
     * divides by nearly 0. No progress, score or RAG for such a period. */
    if (expected_change * (result->target_value - baseline) < 0) {
        note(message, "the trajectory through the milestones is on the other side of the "
                      "baseline from the target at %s, so no progress or RAG", result->period);
        return OC_OK;
    }
    if (expected_change != 0) {
        result->progress_pct = 100.0 * result->change / expected_change;
        if (isfinite(result->progress_pct))
            result->score = fmin(100.0, fmax(0.0, result->progress_pct));
    }
    int good_sign = indicator->direction != OC_NO_DIRECTION
                        ? (int)indicator->direction
                        : (result->target_value > baseline) - (result->target_value < baseline);
    return set_string(&result->rag, rag_for(result->progress_pct, result->change, good_sign,
                                            settings));
}

static int score_spc(const oc__indicator_view *indicator, size_t period_index,
                     const oc__scoring_settings *settings, oc__result *result,
                     message_builder *message)
{
    const double *values = indicator->series->value;
    size_t first = 0;
    /* A rebased chart starts at the last rebase on or before the period
     * scored: the limits describe the process since it changed. */
    int32_t now = indicator->times[period_index];
    size_t rebase = settings->spc_rebase_count;
    while (rebase > 0 && settings->spc_rebase_days[rebase - 1] > now)
        rebase--;
    if (rebase > 0) {
        int32_t since = settings->spc_rebase_days[rebase - 1];
        int left_out = 0; /* observations before the rebase: else it changes nothing */
        while (first < period_index && indicator->times[first] < since)
            left_out |= !isnan(values[first++]);
        if (left_out) {
            char date[OC__DATE_TEXT_SIZE];
            oc__format_date(since, date, sizeof date);
            note(message, "SPC: limits from %s on (rebased)", date);
        }
    }
    while (first < period_index && isnan(values[first]))
        first++;
    size_t count = period_index - first + 1;
    oc_spc_options options = {
        .direction = indicator->direction,
        .baseline_length = settings->spc_baseline,
        .screen_outliers = settings->spc_screen_outliers,
        .target = result->target_value,
    };
    /* Called for every area and indicator, and only the period scored is
     * reported: the latest point alone, not a flag for every period. */
    oc_spc_chart chart;
    oc_spc_point latest;
    oc_error spc_error;
    int status = oc_spc_xmr_latest(values + first, count, &options, &chart, &latest, &spc_error);
    if (status == OC_OK) {
        status = set_string(&result->spc_signal, oc_spc_variation_name(latest.variation));
        if (status == OC_OK)
            status = set_string(&result->spc_rule, oc_spc_rule_name(latest.rule));
        if (status == OC_OK && !isnan(result->target_value))
            status = set_string(&result->assurance, oc_spc_assurance_name(chart.assurance));
        /* Assurance compares the target with the chart's limits (domain.md,
         * Making Data Count); a latest point that is itself a special cause
         * has left the process those limits describe, so "consistent_fail"
         * can sit beside a target already met. Said, not hidden; not when
         * there is no assurance ("none": an indicator without a direction). */
        if (result->assurance != NULL && chart.assurance != OC_SPC_ASSURANCE_NONE
            && latest.variation != OC_SPC_COMMON_CAUSE)
            note(message, "SPC: the latest point is a special cause, so the assurance, judged "
                          "on limits it departs from, may not hold for the process now");
        if (chart.gaps > 0)
            note(message, "SPC: %zu missing period%s not joined", chart.gaps,
                 chart.gaps == 1 ? "" : "s");
    } else {
        /* The library's messages name it ("spc: ..."); the note names it
         * once, as the others do. Insufficient data or not, the result
         * stands without a chart. */
        const char *reason = spc_error.message;
        if (strncmp(reason, "spc: ", 5) == 0)
            reason += 5;
        /* The library counts periods from the chart's start; a reader
         * wants the date. */
        size_t infinity = latest_infinity(values, first, period_index);
        if (status == OC_ERROR_INVALID && infinity != OC__NO_INDEX) {
            char date[OC__DATE_TEXT_SIZE];
            oc__format_date(indicator->times[infinity], date, sizeof date);
            note(message, "SPC: no chart, the plugin gave an infinite value for %s", date);
        } else {
            note(message, "SPC: %s", reason);
        }
        status = OC_OK;
    }
    return status;
}

static int score_trend(const oc__indicator_view *indicator, size_t period_index,
                       const oc__scoring_settings *settings, oc__result *result,
                       message_builder *message)
{
    if (!(indicator->flags & OC_INDICATOR_PROPORTION) || settings->trend_points < 2
        || indicator->series->numerator == NULL || indicator->series->denominator == NULL)
        return OC_OK;
    /* A value with no counts behind it: the plugin flags a proportion but
     * did not fill its numerator and denominator, so the trend, which
     * needs them, is left out; said, or the empty column looks like data. */
    if (isnan(indicator->series->numerator[period_index])
        && isnan(indicator->series->denominator[period_index])) {
        note(message, "trend: the plugin gave no numerator or denominator for this proportion");
        return OC_OK;
    }
    enum { MAX_TREND_POINTS = 16 };
    double successes[MAX_TREND_POINTS], trials[MAX_TREND_POINTS];
    size_t wanted = settings->trend_points < MAX_TREND_POINTS ? settings->trend_points
                                                              : MAX_TREND_POINTS;
    /* Annual points ending at the period used, oldest first. */
    for (size_t k = 0; k < wanted; k++) {
        size_t index = k == 0 ? period_index
                              : oc__like_period_index(indicator->times, indicator->series->count,
                                                      period_index, (int)k);
        if (index == OC__NO_INDEX)
            return OC_OK;
        double x = indicator->series->numerator[index], n = indicator->series->denominator[index];
        if (isnan(x) || isnan(n))
            return OC_OK;
        successes[wanted - 1 - k] = x;
        trials[wanted - 1 - k] = n;
    }
    oc_trend trend;
    if (oc_trend_chi_squared(successes, trials, wanted, &trend, NULL) != OC_OK)
        return OC_OK;
    const char *name = NULL;
    switch (trend.direction) {
    case OC_TREND_INCREASING: name = "increasing"; break;
    case OC_TREND_DECREASING: name = "decreasing"; break;
    case OC_TREND_NO_SIGNIFICANT_CHANGE: name = "no_significant_change"; break;
    case OC_TREND_NONE: break;
    }
    return set_string(&result->trend, name);
}

static void score_comparator(const oc__indicator_view *comparator, size_t period_end_index,
                             size_t baseline_end_index, oc__result *result,
                             message_builder *message)
{
    const double *values = comparator->series->value;
    size_t after = oc__latest_observation(values, period_end_index);
    size_t before = oc__latest_observation(values, baseline_end_index);
    if (after == OC__NO_INDEX || before == OC__NO_INDEX) {
        note(message, "comparator has no value at the %s period",
             after == OC__NO_INDEX ? "evaluation" : "baseline");
        return;
    }
    result->comparator_change = values[after] - values[before];
    if (!isnan(result->baseline_value))
        result->did = oc_difference_in_differences(result->baseline_value, result->value,
                                                   values[before], values[after]);
}

/* Fingertips' comparison with a benchmark (domain.md, section 3): the
 * benchmark inside the value's interval, ends included, is "similar";
 * outside it the value is better or worse by the indicator's direction, or
 * only higher or lower when it has none. */
static const char *benchmark_comparison(double lower, double upper, double benchmark,
                                        oc_direction direction)
{
    int sign = lower > benchmark ? 1 : upper < benchmark ? -1 : 0;
    if (sign == 0)
        return "similar";
    if (direction == OC_NO_DIRECTION)
        return sign > 0 ? "higher" : "lower";
    return sign == (int)direction ? "better" : "worse";
}

/* The benchmark's value in the same period as the result's value, and the
 * comparison. Null for an indicator not flagged OC_INDICATOR_COMPARABLE (a
 * count: a larger benchmark area would always look "worse"), so the
 * comparison does not apply; "not_compared" when it applies but either
 * side lacks what it needs: a value without an interval (said by
 * docs/results.md, not in every message), a benchmark without a value in
 * that period or that could not be evaluated (benchmark->series NULL),
 * both said in the message. */
static int score_benchmark(const oc__indicator_view *benchmark, size_t period_index,
                           oc__result *result, message_builder *message)
{
    if (!(benchmark->flags & OC_INDICATOR_COMPARABLE))
        return OC_OK;
    const char *comparison = "not_compared";
    if (benchmark->series == NULL) {
        note(message, "benchmark could not be evaluated");
    } else if (!isfinite(benchmark->series->value[period_index])) {
        note(message, "benchmark has no value for %s", result->period);
    } else {
        result->benchmark_value = benchmark->series->value[period_index];
        if (isfinite(result->ci_lower) && isfinite(result->ci_upper))
            comparison = benchmark_comparison(result->ci_lower, result->ci_upper,
                                              result->benchmark_value, benchmark->direction);
    }
    return set_string(&result->benchmark_comparison, comparison);
}

int oc__score_indicator(const oc__indicator_view *indicator, size_t period_end_index,
                        size_t baseline_end_index, const oc__scoring_settings *settings,
                        const oc__indicator_view *comparator,
                        const oc__indicator_view *benchmark, oc__result *result, oc_error *error)
{
    const oc_indicator_series *series = indicator->series;
    message_builder message = {.length = 0};
    message.text[0] = '\0';
    int status = OC_OK;

    size_t period_index = oc__latest_observation(series->value, period_end_index);
    size_t infinity_noted = OC__NO_INDEX;
    note_infinity_passed_over(indicator, period_index, period_end_index, &infinity_noted,
                              &message);
    if (period_index == OC__NO_INDEX) {
        /* Still reported (docs/results.md): the configured target and the
         * comparator's own change; nothing that needs the value. */
        result->status = OC_RESULT_INSUFFICIENT_DATA;
        note(&message, "no value on or before the evaluation period");
        if (settings->target_kind != OC__TARGET_NONE) {
            result->target_date = date_text(settings->target_day);
            if (result->target_date == NULL)
                status = OC_ERROR_NO_MEMORY;
            if (settings->target_kind == OC__TARGET_ABSOLUTE)
                result->target_value = settings->target_amount;
        }
        if (status == OC_OK && comparator != NULL && baseline_end_index != OC__NO_INDEX)
            score_comparator(comparator, period_end_index, baseline_end_index, result, &message);
        if (status == OC_OK && (result->message = strdup(message.text)) == NULL)
            status = OC_ERROR_NO_MEMORY;
        return status == OC_OK ? OC_OK : oc_error_set(error, status, "out of memory");
    }
    result->period = date_text(indicator->times[period_index]);
    note_older_than_asked(indicator->times[period_index], settings, &message);
    result->value = series->value[period_index];
    result->ci_lower = series->lower[period_index];
    result->ci_upper = series->upper[period_index];
    if (result->period == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while scoring");

    size_t baseline_index = oc__latest_observation(series->value, baseline_end_index);
    note_infinity_passed_over(indicator, baseline_index, baseline_end_index, &infinity_noted,
                              &message);
    if (baseline_end_index != OC__NO_INDEX && baseline_index == OC__NO_INDEX) {
        result->status = OC_RESULT_INSUFFICIENT_DATA;
        note(&message, "no value on or before the baseline period");
    } else if (baseline_index != OC__NO_INDEX) {
        result->baseline_period = date_text(indicator->times[baseline_index]);
        result->baseline_value = series->value[baseline_index];
        result->change = result->value - result->baseline_value;
        if (result->baseline_value != 0)
            /* |baseline| keeps the sign of the change when the baseline is
             * itself negative (a year-on-year change, a net flow). */
            result->change_pct = 100.0 * result->change / fabs(result->baseline_value);
    }

    if (status == OC_OK)
        status = score_target(indicator, period_index, baseline_index, settings, result, &message);
    if (status == OC_OK)
        status = score_spc(indicator, period_index, settings, result, &message);
    if (status == OC_OK)
        status = score_trend(indicator, period_index, settings, result, &message);
    if (status == OC_OK && comparator != NULL && baseline_end_index != OC__NO_INDEX)
        score_comparator(comparator, period_end_index, baseline_end_index, result, &message);
    if (status == OC_OK && benchmark != NULL)
        status = score_benchmark(benchmark, period_index, result, &message);
    if (status == OC_OK && message.length > 0) {
        result->message = strdup(message.text);
        if (result->message == NULL)
            status = OC_ERROR_NO_MEMORY;
    }
    return status == OC_OK ? OC_OK : oc_error_set(error, status, "out of memory while scoring");
}
