/*
 * outcomes/evaluation.h: what a plugin sees while it evaluates one area.
 *
 * The host owns the oc_evaluation and everything these functions return;
 * pointers stay valid until the plugin's callback returns and must not be
 * freed. The struct is opaque so that it can grow without breaking plugins.
 * The accessors only read it and keep no state, so threads the plugin
 * starts may call them too, while the callback runs.
 *
 * Time is a series of periods, each given as whole days since 1970-01-01 at
 * the period's start (the store's `time` axis). Every series has
 * oc_evaluation_time_count() values; NaN means missing or suppressed.
 */
#ifndef OUTCOMES_EVALUATION_H
#define OUTCOMES_EVALUATION_H

#include <outcomes/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct oc_evaluation oc_evaluation;

/* An indicator's output series for the area being evaluated. The arrays
 * are owned by the host, have `count` elements and arrive NaN-filled; a
 * write one element before or past one fails the area's results. NaN
 * means no value in that period. An infinite value is taken as missing
 * too; where it displaces the value or the baseline, or falls among the
 * SPC chart's periods, the result's message says so and names its
 * period. */
typedef struct oc_indicator_series {
    size_t count;
    double *value;       /* the indicator, e.g. a rate in % */
    double *lower;       /* confidence interval, NaN when not applicable */
    double *upper;
    double *numerator;   /* for OC_INDICATOR_PROPORTION: successes */
    double *denominator; /* for OC_INDICATOR_PROPORTION: trials */
} oc_indicator_series;

/* The area being evaluated: its code (e.g. "E14000559") and name (may be
 * ""). Static for the duration of the callback. */
OC_EXPORT const char *oc_evaluation_area_code(const oc_evaluation *evaluation);
OC_EXPORT const char *oc_evaluation_area_name(const oc_evaluation *evaluation);

/* Number of periods in every series. */
OC_EXPORT size_t oc_evaluation_time_count(const oc_evaluation *evaluation);

/* Period starts in days since 1970-01-01; time_count values. */
OC_EXPORT const int32_t *oc_evaluation_times(const oc_evaluation *evaluation);

/* The input series for the role at `role_index` in the descriptor's inputs
 * list, or NULL when an optional role is not mapped in the configuration. */
OC_EXPORT const double *oc_evaluation_input(const oc_evaluation *evaluation,
                                            size_t role_index);

/* The output series for the indicator at `indicator_index` in the
 * descriptor's indicators list; NULL if the index is out of range. */
OC_EXPORT oc_indicator_series *oc_evaluation_output(oc_evaluation *evaluation,
                                                    size_t indicator_index);

/* The z value for the configured confidence level (1.959964 for 95%,
 * 3.090232 for 99.8%). */
OC_EXPORT double oc_evaluation_z(const oc_evaluation *evaluation);

/* Index into the time axis of the evaluation period and of the baseline
 * period, or (size_t)-1 when there is none. The evaluation index is the
 * latest observation on or before the period's end. */
OC_EXPORT size_t oc_evaluation_period_index(const oc_evaluation *evaluation);
OC_EXPORT size_t oc_evaluation_baseline_index(const oc_evaluation *evaluation);

/* Available from ABI 1.1. The index at which the host reports `series` (one
 * of this evaluation's outputs): the latest index on or before
 * oc_evaluation_period_index() whose value is finite, which is exactly the
 * observation the host scores. (size_t)-1 when there is none, when there is
 * no evaluation period, or when either argument is NULL.
 *
 * Call it after the series' values are written. The host reads lower and
 * upper only at this index, so a plugin may compute the interval there and
 * leave it NaN in every other period: at national scale (tens of thousands
 * of areas x hundreds of periods) the intervals nobody reads cost more than
 * the rest of the plugin. Values, numerators and denominators must still be
 * written for every period: SPC, trend and the baseline use them. A plugin
 * that computes intervals in every period stays correct. */
OC_EXPORT size_t oc_evaluation_reported_index(const oc_evaluation *evaluation,
                                              const oc_indicator_series *series);

/* Index of the like period `years` years before the period at `index` (the
 * same month, quarter or academic year), or (size_t)-1 if the store has
 * none. Use it for year-on-year comparisons of seasonal series. */
OC_EXPORT size_t oc_evaluation_like_period_index(const oc_evaluation *evaluation,
                                                 size_t index, int years);

/* Parameters from the metric's configuration section, or the descriptor's
 * default when the section does not set them; the host has already
 * validated them against the declared type (and range). Return OC_OK,
 * OC_ERROR_NOT_FOUND when the plugin did not declare the name, or
 * OC_ERROR_INVALID when value is NULL or the parameter is of another type:
 * _number reads a NUMBER or INTEGER parameter, _integer only an INTEGER,
 * _boolean only a BOOLEAN. */
OC_EXPORT int oc_evaluation_parameter_number(const oc_evaluation *evaluation,
                                             const char *name, double *value);
OC_EXPORT int oc_evaluation_parameter_integer(const oc_evaluation *evaluation,
                                              const char *name, long *value);
OC_EXPORT int oc_evaluation_parameter_boolean(const oc_evaluation *evaluation,
                                              const char *name, int *value);
/* Any parameter's value as text, as written in the configuration (or the
 * default), whatever its type. The string is owned by the host; NULL when
 * the name is not declared. */
OC_EXPORT const char *oc_evaluation_parameter_string(const oc_evaluation *evaluation,
                                                     const char *name);

#ifdef __cplusplus
}
#endif
#endif
