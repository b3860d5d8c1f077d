/*
 * stats_trend.c: the chi-squared test for linear trend in proportions
 * (Armitage 1955; Altman 1991, section 10.7.4) with the Fingertips
 * "recent trend" decision on top, so that a plugin marks an indicator as
 * increasing or decreasing exactly when the national profiles would.
 */
#include "config.h"

#include <math.h>

#include <outcomes/stats.h>

/* Weighted least-squares fit of p_i = x_i/n_i on the score i + 1, with
 * weights n_i, leaving out index `skip` (count for none). Sums are taken
 * about the weighted mean score, which keeps them accurate for large
 * denominators. */
typedef struct trend_fit {
    double events;      /* sum of x */
    double trials;      /* sum of n */
    double covariance;  /* sum of x_i (score_i - mean score) */
    double spread;      /* sum of n_i (score_i - mean score)^2 */
} trend_fit;

static trend_fit fit_trend(const double *x, const double *n, size_t count, size_t skip)
{
    trend_fit fit = {0.0, 0.0, 0.0, 0.0};
    double weighted_scores = 0.0;
    for (size_t i = 0; i < count; i++) {
        if (i == skip)
            continue;
        fit.events += x[i];
        fit.trials += n[i];
        weighted_scores += n[i] * (double)(i + 1);
    }
    double mean_score = weighted_scores / fit.trials;
    for (size_t i = 0; i < count; i++) {
        if (i == skip)
            continue;
        double centred = (double)(i + 1) - mean_score;
        fit.covariance += x[i] * centred;
        fit.spread += n[i] * centred * centred;
    }
    return fit;
}

static double slope_of(const trend_fit *fit)
{
    return fit->covariance / fit->spread;
}

static int sign_of(double value)
{
    return (value > 0.0) - (value < 0.0);
}

int oc_trend_chi_squared(const double *x, const double *n, size_t count, oc_trend *out,
                         oc_error *error)
{
    if (out == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "trend: no output");
    out->chi_squared = NAN;
    out->slope = NAN;
    out->direction = OC_TREND_NONE;
    if (count > 0 && (x == NULL || n == NULL))
        return oc_error_set(error, OC_ERROR_INVALID, "trend: no numerators or denominators");
    if (count < 3)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "trend: %zu period(s), at least 3 needed", count);
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(x[i]) || !isfinite(n[i]) || n[i] <= 0.0 || x[i] < 0.0 || x[i] > n[i])
            return oc_error_set(error, OC_ERROR_INVALID,
                                "trend: period %zu has numerator %g and denominator %g; "
                                "need 0 <= numerator <= denominator, denominator > 0",
                                i, x[i], n[i]);
    }

    trend_fit fit = fit_trend(x, n, count, count);
    double overall = fit.events / fit.trials;
    out->slope = slope_of(&fit);
    if (overall <= 0.0 || overall >= 1.0)
        return OC_OK; /* no variation to test: chi-squared is 0/0 */

    out->chi_squared = fit.covariance * fit.covariance
                       / (overall * (1.0 - overall) * fit.spread);
    out->direction = OC_TREND_NO_SIGNIFICANT_CHANGE;
    int direction = sign_of(out->slope);
    if (!(out->chi_squared > OC_TREND_CHI_SQUARED_CRITICAL) || direction == 0)
        return OC_OK;
    for (size_t skip = 0; skip < count; skip++) {
        trend_fit without = fit_trend(x, n, count, skip);
        if (sign_of(slope_of(&without)) != direction)
            return OC_OK;
    }
    out->direction = direction > 0 ? OC_TREND_INCREASING : OC_TREND_DECREASING;
    return OC_OK;
}
