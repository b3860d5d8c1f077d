/*
 * outcomes/stats.h: the statistical methods the field uses to score
 * outcomes, in the core so that plugin authors never rewrite them. Each
 * follows a published definition (docs/statistics.md gives the formulas and
 * sources) and is unit-tested against published values.
 *
 * All functions are pure: they allocate nothing and keep no state. Caller
 * owns every array passed in or out.
 */
#ifndef OUTCOMES_STATS_H
#define OUTCOMES_STATS_H

#include <outcomes/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OC_Z_95 1.959964
#define OC_Z_99_8 3.090232

typedef struct oc_interval {
    double lower;
    double upper;
} oc_interval;

/* z for a two-sided confidence level in percent: 95 or 99.8. Returns NaN for
 * any other level. */
OC_EXPORT double oc_z_for_confidence(double level_percent);

/* Wilson score interval for a proportion x/n, as a proportion (0..1).
 * Requires 0 <= x <= n, n > 0. */
OC_EXPORT int oc_wilson_interval(double x, double n, double z, oc_interval *out,
                                 oc_error *error);

/* Byar's approximation to the Poisson interval for a count x >= 0 (the
 * interval is for the count: divide by the population for a rate). A count
 * of 0 has lower limit 0. */
OC_EXPORT int oc_byar_interval(double x, double z, oc_interval *out, oc_error *error);

/* Newcombe's hybrid score interval (method 10) for p1 - p2 where
 * p1 = x1/n1, p2 = x2/n2, as a difference of proportions (-1..1). */
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
    int direction;          /* oc_direction: -1, 0 or +1 */
    size_t baseline_length; /* fix limits on the first N points; 0 = all */
    int screen_outliers;    /* drop moving ranges >= 3.267 aMR, recompute */
    double target;          /* NaN for none */
} oc_spc_options;

typedef struct oc_spc_point {
    oc_spc_rule rule;           /* highest-precedence rule flagging it */
    oc_spc_variation variation;
} oc_spc_point;

typedef struct oc_spc_chart {
    double mean;
    double average_moving_range;
    double upper_limit, lower_limit;   /* mean +/- 2.66 aMR */
    double upper_near, lower_near;     /* mean +/- (2/3) 2.66 aMR */
    size_t points;          /* non-missing points used for the limits */
    size_t gaps;            /* missing points (NaN) in the series */
    oc_spc_assurance assurance;
} oc_spc_chart;

/* Builds an XmR chart over values[0..count) (NaN = missing: a gap breaks
 * moving ranges and runs rather than joining across it) and flags every
 * point. points may be NULL; otherwise it has count elements. Needs at
 * least 2 non-missing points in the limit-setting range, else
 * OC_ERROR_INSUFFICIENT_DATA. */
OC_EXPORT int oc_spc_xmr(const double *values, size_t count,
                         const oc_spc_options *options, oc_spc_chart *chart,
                         oc_spc_point *points, oc_error *error);

/* Static names for reports: "outside_limits", "improvement",
 * "consistent_pass", ...; "" for NONE/common cause is "common_cause". */
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
 * equally spaced periods (Fingertips recent trend: use the last 5).
 * Significant when chi^2 > 9.5495 (p < 0.002) and every leave-one-out
 * refit has the same slope sign. */
OC_EXPORT int oc_trend_chi_squared(const double *x, const double *n, size_t count,
                                   oc_trend *out, oc_error *error);

/* ---- Targets, comparisons and value ---- */

/* The value on the linear trajectory from (start_time, start_value) to
 * (target_time, target_value) at at_time (times in days). Before start it is
 * start_value, after the target date the target value. */
OC_EXPORT double oc_trajectory_value(double start_time, double start_value,
                                     double target_time, double target_value,
                                     double at_time);

/* (pilot_after - pilot_before) - (comparator_after - comparator_before). */
OC_EXPORT double oc_difference_in_differences(double pilot_before, double pilot_after,
                                              double comparator_before,
                                              double comparator_after);

typedef struct oc_benefit_options {
    double discount_rate;   /* per year; Green Book 0.035 */
    double years;           /* persistence: years the benefit lasts (>= 1) */
    double deadweight;      /* share that would have happened anyway, 0..1 */
    double attribution;     /* share attributable to the programme, 0..1 */
    double optimism_bias;   /* haircut for evidence quality, 0..1 */
    double drop_off;        /* share of the benefit lost each later year, 0..1 */
} oc_benefit_options;

/* Green Book defaults: 3.5%, 1 year, no deadweight, attribution 1, no
 * optimism bias, no drop-off. */
OC_EXPORT oc_benefit_options oc_benefit_defaults(void);

/* Present value of an annual gross benefit:
 *   net = annual * (1 - deadweight) * attribution * (1 - optimism_bias)
 *   PV  = sum over year y = 0..ceil(years)-1 of
 *         net * (1 - drop_off)^y * w_y / (1 + discount_rate)^y
 * where w_y is 1, or the fraction of the last year when years is not whole.
 * Year 0 is not discounted (Green Book convention). */
OC_EXPORT int oc_present_value(double annual_benefit, const oc_benefit_options *options,
                               double *present_value, oc_error *error);

#ifdef __cplusplus
}
#endif
#endif
