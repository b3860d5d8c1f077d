/*
 * stats_intervals.c: the confidence intervals Fingertips publishes beside
 * every indicator value (Wilson for proportions, Byar for counts and rates,
 * Newcombe for a gap between two proportions), so that plugins report the
 * same intervals as the national tools. docs/statistics.md cites sources.
 */
#include "config.h"

#include <math.h>

#include <outcomes/stats.h>

static void set_undefined(oc_interval *out)
{
    if (out != NULL) {
        out->lower = NAN;
        out->upper = NAN;
    }
}

static int check_z(double z, oc_error *error)
{
    if (!isfinite(z) || z <= 0.0)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "confidence interval: z must be finite and positive, got %g", z);
    return OC_OK;
}

double oc_z_for_confidence(double level_percent)
{
    /* Compared with a tolerance so that 99.8 typed in a config file and
     * 99.8 computed as 100 - 0.2 both match. */
    if (fabs(level_percent - 95.0) < 1e-9)
        return OC_Z_95;
    if (fabs(level_percent - 99.8) < 1e-9)
        return OC_Z_99_8;
    return NAN;
}

int oc_wilson_interval(double x, double n, double z, oc_interval *out, oc_error *error)
{
    set_undefined(out);
    if (out == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "wilson interval: no output interval");
    int status = check_z(z, error);
    if (status != OC_OK)
        return status;
    if (!isfinite(x) || !isfinite(n) || x < 0.0 || n < 0.0)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "wilson interval: numerator %g and denominator %g must be "
                            "finite and not negative", x, n);
    if (n == 0.0)
        return oc_error_set(error, OC_ERROR_INSUFFICIENT_DATA,
                            "wilson interval: denominator is 0");
    if (x > n)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "wilson interval: numerator %g exceeds denominator %g", x, n);

    double z_squared = z * z;
    double centre = 2.0 * x + z_squared;
    double half_width = z * sqrt(z_squared + 4.0 * x * (1.0 - x / n));
    double scale = 2.0 * (n + z_squared);
    /* At x = 0 and x = n the limits are exactly 0 and 1 in exact arithmetic;
     * rounding must not leave -1e-17 or 1.0000000000000002 in a report. */
    out->lower = x == 0.0 ? 0.0 : fmax(0.0, (centre - half_width) / scale);
    out->upper = x == n ? 1.0 : fmin(1.0, (centre + half_width) / scale);
    return OC_OK;
}

int oc_byar_interval(double x, double z, oc_interval *out, oc_error *error)
{
    set_undefined(out);
    if (out == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "byar interval: no output interval");
    int status = check_z(z, error);
    if (status != OC_OK)
        return status;
    if (!isfinite(x) || x < 0.0)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "byar interval: count %g must be finite and not negative", x);

    if (x == 0.0) {
        out->lower = 0.0;
    } else {
        double base = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * sqrt(x));
        /* For tiny counts at high confidence the approximation's base goes
         * negative; a count's limit cannot, so the limit is 0. */
        out->lower = base <= 0.0 ? 0.0 : x * base * base * base;
    }
    double next = x + 1.0;
    double base = 1.0 - 1.0 / (9.0 * next) + z / (3.0 * sqrt(next));
    out->upper = next * base * base * base;
    return OC_OK;
}

int oc_newcombe_interval(double x1, double n1, double x2, double n2, double z,
                         oc_interval *out, oc_error *error)
{
    set_undefined(out);
    if (out == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "newcombe interval: no output interval");
    oc_interval first, second;
    int status = oc_wilson_interval(x1, n1, z, &first, error);
    if (status != OC_OK)
        return status;
    status = oc_wilson_interval(x2, n2, z, &second, error);
    if (status != OC_OK)
        return status;

    double p1 = x1 / n1, p2 = x2 / n2;
    double difference = p1 - p2;
    /* Every term is a difference of proportions, at most 1 in size, so the
     * plain square root cannot overflow; hypot's extra care was 5.6% of all
     * CPU of a national run (perf, docs/performance-history.md). */
    double below_1 = p1 - first.lower, above_2 = second.upper - p2;
    double above_1 = first.upper - p1, below_2 = p2 - second.lower;
    out->lower = difference - sqrt(below_1 * below_1 + above_2 * above_2);
    out->upper = difference + sqrt(above_1 * above_1 + below_2 * below_2);
    return OC_OK;
}
