/*
 * scoring.h: turns one indicator's series for one area into the scored
 * fields of a result: the observation used, baseline, change, target and
 * trajectory, progress, RAG, score, SPC signal and assurance, trend, the
 * comparator's change with the difference-in-differences, and the
 * comparison with a benchmark. Pure: no I/O, no
 * allocation beyond the result's strings. The formulas are those of
 * docs/results.md; the statistics come from include/outcomes/stats.h.
 */
#ifndef OC_SCORING_H
#define OC_SCORING_H

#include <outcomes/evaluation.h>
#include <outcomes/plugin.h>

#include "period.h"
#include "result.h"

#define OC__NO_INDEX ((size_t)-1)

typedef enum oc__target_kind {
    OC__TARGET_NONE = 0,
    OC__TARGET_ABSOLUTE = 1, /* target_amount is the value to reach */
    OC__TARGET_RELATIVE = 2  /* target_amount is a change in percent of the baseline */
} oc__target_kind;

/* A point the trajectory passes on its way to the target: a value (or a
 * change from the baseline in percent) to reach by a day. */
typedef struct oc__milestone {
    oc__target_kind kind;    /* ABSOLUTE or RELATIVE, as the target's */
    double amount;
    int32_t day;             /* days since 1970-01-01: the period's start */
} oc__milestone;

/* At most this many milestones a target, or rebases a chart: a plan of
 * yearly steps over a decade, with room to spare. */
#define OC__MAX_MILESTONES 24
#define OC__MAX_REBASES 24

typedef struct oc__scoring_settings {
    oc__target_kind target_kind;
    double target_amount;
    int32_t target_day;      /* days since 1970-01-01 */
    /* Borrowed (the owner outlives every scoring): milestone_count points,
     * days ascending, all after the baseline and before target_day. The
     * trajectory runs straight from the baseline to each in turn and on
     * to the target. */
    const oc__milestone *milestones;
    size_t milestone_count;
    double rag_green;        /* progress % at or above which RAG is green */
    double rag_amber;        /* progress % at or above which RAG is amber */
    size_t spc_baseline;     /* fix SPC limits on the first N points; 0 = all */
    /* Borrowed, ascending days (period starts) at which the process
     * changed: the chart of a period starts at the last one on or before
     * it (NHSRplotthedots' rebase), and spc_baseline counts from there. */
    const int32_t *spc_rebase_days;
    size_t spc_rebase_count;
    int spc_screen_outliers;
    size_t trend_points;     /* annual points for the trend test (Fingertips: 5) */
    /* The evaluation period's first day, and how long the store's periods
     * are: a value whose period ends before it is said to be older than
     * the period asked for. INT32_MIN (with `latest`) or a frequency
     * OC__FREQUENCY_NONE: not checked. */
    int32_t evaluation_start_day;
    oc__frequency frequency;
} oc__scoring_settings;

/* Defaults: no target, green 100, amber 90, SPC over all points, no
 * screening, 5 trend points. */
oc__scoring_settings oc__scoring_defaults(void);

/* One indicator's series over the frame's time axis. All borrowed. */
typedef struct oc__indicator_view {
    const int32_t *times;            /* ascending days, `series->count` of them */
    const oc_indicator_series *series;
    oc_direction direction;
    unsigned flags;                  /* OC_INDICATOR_* */
} oc__indicator_view;

/* Index of the latest non-missing value at or before `last_index`, or
 * OC__NO_INDEX. */
size_t oc__latest_observation(const double *values, size_t last_index);

/* Scores `indicator` into `result`, whose identity fields (metric, area, ...)
 * the caller fills. `period_end_index` is the last time index on or before
 * the evaluation period's end; `baseline_end_index` likewise for the
 * baseline period (OC__NO_INDEX when no baseline is configured). The
 * observation used is the latest non-missing one at or before each.
 * `comparator` is the comparator area's view of the same indicator, or NULL.
 * `benchmark` is the benchmark area's view, or NULL without a benchmark;
 * its series is NULL when the benchmark could not be evaluated (then
 * "not_compared", and the message says why). Its direction is the
 * indicator's.
 * Sets result->status to insufficient_data with a message when the value or
 * baseline is missing; returns OC_OK unless memory runs out. */
int oc__score_indicator(const oc__indicator_view *indicator, size_t period_end_index,
                        size_t baseline_end_index, const oc__scoring_settings *settings,
                        const oc__indicator_view *comparator,
                        const oc__indicator_view *benchmark, oc__result *result, oc_error *error);

#endif
