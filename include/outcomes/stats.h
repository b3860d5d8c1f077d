/*
 * outcomes/stats.h: the statistical methods the field uses to score
 * outcomes, in the core so that plugin authors never rewrite them. Each
 * follows a published definition (docs/statistics.md gives the formulas and
 * sources) and is unit-tested against published values.
 *
 * All functions are pure: they allocate nothing and keep no state (no
 * static or global variables), so they are reentrant and safe to call from
 * several threads at once, as long as two calls do not share an output
 * (out, chart, points, latest, error). Caller owns every array passed in
 * or out.
 */
#ifndef OUTCOMES_STATS_H
#define OUTCOMES_STATS_H

#include <outcomes/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OC_Z_95 1.959964
#define OC_Z_99_8 3.090232
/* chi-squared (1 df) critical value for p < 0.002, Fingertips recent trend */
#define OC_TREND_CHI_SQUARED_CRITICAL 9.5495

typedef struct oc_interval {
    double lower;
    double upper;
} oc_interval;

/* z for a two-sided confidence level in percent: 95 or 99.8 (the two levels
 * Fingertips uses). Returns NaN for any other level. */
OC_EXPORT double oc_z_for_confidence(double level_percent);

/* Wilson score interval for a proportion x/n, as a proportion (0..1):
 *   (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))
 * x = 0 gives lower 0 exactly, x = n upper 1 exactly. z must be finite and
 * > 0. Errors: n == 0 is OC_ERROR_INSUFFICIENT_DATA; NaN, infinite or
 * negative values, or x > n, are OC_ERROR_INVALID. On error out is set to
 * NaN, NaN. out is caller-owned. */
OC_EXPORT int oc_wilson_interval(double x, double n, double z, oc_interval *out,
                                 oc_error *error);

/* Byar's approximation to the Poisson interval for a count x >= 0 (the
 * interval is for the count: divide by the population for a rate):
 *   lower = x (1 - 1/(9x) - z/(3 sqrt(x)))^3
 *   upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
 * A count of 0 has lower limit 0; a lower limit the approximation would
 * put below 0 (tiny counts at 99.8%) is 0. Negative, NaN or infinite x, or
 * a bad z, are OC_ERROR_INVALID (out set to NaN, NaN). */
OC_EXPORT int oc_byar_interval(double x, double z, oc_interval *out, oc_error *error);

/* Newcombe's hybrid score interval (method 10) for p1 - p2 where
 * p1 = x1/n1, p2 = x2/n2, as a difference of proportions (-1..1). With
 * (l1, u1), (l2, u2) the Wilson intervals of p1 and p2:
 *   lower = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2)
 *   upper = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2)
 * Errors as oc_wilson_interval for either proportion. */
OC_EXPORT int oc_newcombe_interval(double x1, double n1, double x2, double n2,
                                   double z, oc_interval *out, oc_error *error);

/* ---- Statistical process control: XmR chart (Making Data Count) ---- */

typedef enum oc_spc_rule {
    OC_SPC_RULE_NONE = 0,
    OC_SPC_RULE_OUTSIDE_LIMITS = 1, /* a point beyond the process limits */
    OC_SPC_RULE_TREND = 2,          /* 7 points in a row rising or falling */
    OC_SPC_RULE_TWO_OF_THREE = 3,   /* 2 of 3 beyond the near limits, same side */
    OC_SPC_RULE_SHIFT = 4           /* 7 points in a row on one side of the mean */
} oc_spc_rule;

typedef enum oc_spc_variation {
    OC_SPC_COMMON_CAUSE = 0,
    OC_SPC_IMPROVEMENT = 1,
    OC_SPC_CONCERN = 2,
    OC_SPC_NEITHER = 3  /* special cause on an indicator with no direction */
} oc_spc_variation;

typedef enum oc_spc_assurance {
    OC_SPC_ASSURANCE_NONE = 0,  /* no target */
    OC_SPC_CONSISTENT_PASS = 1,
    OC_SPC_CONSISTENT_FAIL = 2,
    OC_SPC_INCONSISTENT = 3
} oc_spc_assurance;

typedef struct oc_spc_options {
    int direction;          /* oc_direction: -1 lower is better, 0 none, +1 higher */
    size_t baseline_length; /* fix limits on the first N periods (array
                               elements, gaps included); 0 or >= count = all */
    int screen_outliers;    /* drop moving ranges >= 3.267 aMR, recompute */
    double target;          /* NaN for none */
} oc_spc_options;

/* No direction, limits on all points, no screening, no target. */
OC_EXPORT oc_spc_options oc_spc_defaults(void);

typedef struct oc_spc_point {
    oc_spc_rule rule;           /* highest-precedence rule flagging it */
    oc_spc_variation variation;
    int side;                   /* +1 above the mean or in a rising trend,
                                   -1 below or falling, 0 common cause */
} oc_spc_point;

typedef struct oc_spc_chart {
    double mean;
    double average_moving_range;
    double upper_limit, lower_limit;   /* mean +/- 2.66 aMR */
    double upper_near, lower_near;     /* mean +/- (2/3) 2.66 aMR */
    size_t points;          /* non-missing points used for the limits */
    size_t moving_ranges;   /* moving ranges averaged into aMR (after screening) */
    size_t gaps;            /* missing points (NaN) in the series */
    oc_spc_assurance assurance;
} oc_spc_chart;

/* Builds an XmR chart over values[0..count) (NaN = missing: a gap breaks
 * moving ranges, runs and trends rather than joining across it) and flags
 * every point; missing points are common cause. Rules, in precedence:
 * outside the limits; 7 points in a row rising or falling (6 increases);
 * 2 of 3 consecutive points on one side of the mean with at least 2
 * between the near limit and the limit; 7 points in a row on one side of
 * the mean. The assurance uses the target (none without a direction or a
 * target). options may be NULL (oc_spc_defaults()). points may be NULL;
 * otherwise it has count caller-owned elements. Needs a moving range (two
 * adjacent non-missing points) in the limit-setting range, else
 * OC_ERROR_INSUFFICIENT_DATA; infinite values or a bad option are
 * OC_ERROR_INVALID. O(count), allocates nothing. */
OC_EXPORT int oc_spc_xmr(const double *values, size_t count,
                         const oc_spc_options *options, oc_spc_chart *chart,
                         oc_spc_point *points, oc_error *error);

/* The same chart as oc_spc_xmr, and in *latest exactly what oc_spc_xmr
 * gives points[count - 1] (rule, variation and side), without flagging the
 * other points: one pass over the series for the limits, then at most the
 * last 7 points. Same statuses and errors as oc_spc_xmr; latest is one
 * caller-owned point, required (OC_ERROR_INVALID if NULL), and is common
 * cause whenever the status is not OC_OK. Allocates nothing. */
OC_EXPORT int oc_spc_xmr_latest(const double *values, size_t count,
                                const oc_spc_options *options, oc_spc_chart *chart,
                                oc_spc_point *latest, oc_error *error);

/* Static names for reports. Rules: "none", "outside_limits", "trend",
 * "two_of_three", "shift". Variations: "common_cause", "improvement",
 * "concern", "neither". Assurance: "none", "consistent_pass",
 * "consistent_fail", "inconsistent". "unknown" for any other value. */
OC_EXPORT const char *oc_spc_rule_name(oc_spc_rule rule);
OC_EXPORT const char *oc_spc_variation_name(oc_spc_variation variation);
OC_EXPORT const char *oc_spc_assurance_name(oc_spc_assurance assurance);

/* ---- Trend ---- */

typedef enum oc_trend_direction {
    OC_TREND_NONE = 0,        /* could not be calculated */
    OC_TREND_NO_SIGNIFICANT_CHANGE = 1,
    OC_TREND_INCREASING = 2,
    OC_TREND_DECREASING = 3
} oc_trend_direction;

typedef struct oc_trend {
    double chi_squared;   /* the test statistic, 1 degree of freedom */
    double slope;         /* fitted change in proportion per period */
    oc_trend_direction direction;
} oc_trend;

/* Chi-squared test for linear trend in proportions x[i]/n[i] over `count`
 * equally spaced periods scored 1..count (Fingertips recent trend: use the
 * last 5). Significant when chi^2 > 9.5495 (p < 0.002) and every
 * leave-one-out refit has the same slope sign. Needs count >= 3, else
 * OC_ERROR_INSUFFICIENT_DATA; n[i] must be > 0 and 0 <= x[i] <= n[i], else
 * OC_ERROR_INVALID. When every proportion is 0 or every one is 1 the
 * statistic is undefined: OC_OK with direction OC_TREND_NONE and NaN
 * chi_squared. Arrays are caller-owned and only read. */
OC_EXPORT int oc_trend_chi_squared(const double *x, const double *n, size_t count,
                                   oc_trend *out, oc_error *error);

/* ---- Targets, comparisons and value ---- */

/* The value on the linear trajectory from (start_time, start_value) to
 * (target_time, target_value) at at_time (times in days). Before start it is
 * start_value, after the target date the target value. NaN if any input is
 * NaN or target_time < start_time. */
OC_EXPORT double oc_trajectory_value(double start_time, double start_value,
                                     double target_time, double target_value,
                                     double at_time);

/* (pilot_after - pilot_before) - (comparator_after - comparator_before);
 * NaN if any input is NaN. */
OC_EXPORT double oc_difference_in_differences(double pilot_before, double pilot_after,
                                              double comparator_before,
                                              double comparator_after);

typedef struct oc_benefit_options {
    double discount_rate;   /* per year; Green Book 0.035 */
    double years;           /* persistence: years the benefit lasts (> 0) */
    double deadweight;      /* share that would have happened anyway, 0..1 */
    double attribution;     /* share attributable to the programme, 0..1 */
    double optimism_bias;   /* haircut for evidence quality, 0..1 */
    double drop_off;        /* share of the benefit lost each later year, 0..1 */
} oc_benefit_options;

/* Green Book defaults: 3.5%, 1 year, no deadweight, attribution 1, no
 * optimism bias, no drop-off. */
OC_EXPORT oc_benefit_options oc_benefit_defaults(void);

/* 1 / (1 + discount_rate)^year: the Green Book discount factor for a
 * value `year` years after the base year (year 0 is 1). NaN for a negative
 * or non-finite rate or year. */
OC_EXPORT double oc_discount_factor(double discount_rate, double year);

/* Present value of an annual gross benefit:
 *   net = annual * (1 - deadweight) * attribution * (1 - optimism_bias)
 *   PV  = sum over year y = 0..ceil(years)-1 of
 *         net * (1 - drop_off)^y * w_y / (1 + discount_rate)^y
 * where w_y is 1, or the fraction of the last year when years is not whole.
 * Year 0 is not discounted (Green Book convention). Options may be NULL
 * (oc_benefit_defaults()). A non-finite benefit, a negative or non-finite
 * discount rate, shares outside 0..1, or years outside (0, 1000] are
 * OC_ERROR_INVALID (present_value set to NaN). */
OC_EXPORT int oc_present_value(double annual_benefit, const oc_benefit_options *options,
                               double *present_value, oc_error *error);

#ifdef __cplusplus
}
#endif
#endif
