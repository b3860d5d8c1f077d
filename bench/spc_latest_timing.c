/*
 * spc_latest_timing.c: how much oc_spc_xmr_latest saves the engine over
 * oc_spc_xmr, on the shape the engine charts: 33,000 areas x 240 monthly
 * periods, once per indicator. Run by hand (docs/performance.md, "SPC
 * latest point", gives the command); it is not a test and asserts no time.
 * It also counts the series where the two disagree, which must be 0.
 *
 * With -DSPC_TIMING_FULL_ONLY it times oc_spc_xmr alone, so that it can be
 * built against a core/stats_spc.c from before oc_spc_xmr_latest existed.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <outcomes/stats.h>

#define AREAS 33000
#define PERIODS 240
#define REPEATS 5

/* splitmix64: the same series on every run. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state)
{
    return (double)(next_random(state) >> 11) / 9007199254740992.0;
}

/* A rate per area around its own level, rounded to one decimal as
 * published, with a step change in the last two years for one area in
 * four and 2% of months missing (suppressed). */
static void make_series(uint64_t *state, double *values)
{
    double level = 5.0 + 20.0 * uniform(state);
    double step = uniform(state) < 0.25 ? 2.0 * (uniform(state) - 0.5) * level / 5.0 : 0.0;
    for (size_t t = 0; t < PERIODS; t++) {
        double noise = (uniform(state) + uniform(state) + uniform(state) - 1.5) * level / 10.0;
        double value = level + noise + (t >= PERIODS - 24 ? step : 0.0);
        values[t] = uniform(state) < 0.02 ? NAN : round(value * 10.0) / 10.0;
    }
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static oc_spc_options options_for(size_t area)
{
    oc_spc_options options = oc_spc_defaults();
    options.direction = (int)(area % 3) - 1;
    options.target = area % 2 == 0 ? 15.0 : NAN;
    return options;
}

int main(void)
{
    double *values = malloc(sizeof(double) * AREAS * PERIODS);
    if (values == NULL)
        return 1;
    uint64_t state = 33000240;
    for (size_t area = 0; area < AREAS; area++)
        make_series(&state, values + area * PERIODS);

    /* What score_spc did before: every point flagged, the last one read. */
    unsigned long full_signals = 0;
    oc_spc_point points[PERIODS];
    struct timespec start;
    double full_best = INFINITY;
    for (int repeat = 0; repeat < REPEATS; repeat++) {
        full_signals = 0;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (size_t area = 0; area < AREAS; area++) {
            oc_spc_options options = options_for(area);
            oc_spc_chart chart;
            if (oc_spc_xmr(values + area * PERIODS, PERIODS, &options, &chart, points, NULL)
                == OC_OK)
                full_signals += points[PERIODS - 1].rule != OC_SPC_RULE_NONE;
        }
        full_best = fmin(full_best, seconds_since(&start));
    }
    printf("oc_spc_xmr:        %.1f ms per %d x %d series (best of %d), %.0f ns a series, "
           "%lu latest points flagged\n", 1e3 * full_best, AREAS, PERIODS, REPEATS,
           1e9 * full_best / AREAS, full_signals);

#ifndef SPC_TIMING_FULL_ONLY
    unsigned long latest_signals = 0, disagreements = 0;
    double latest_best = INFINITY;
    for (int repeat = 0; repeat < REPEATS; repeat++) {
        latest_signals = 0;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (size_t area = 0; area < AREAS; area++) {
            oc_spc_options options = options_for(area);
            oc_spc_chart chart;
            oc_spc_point latest;
            if (oc_spc_xmr_latest(values + area * PERIODS, PERIODS, &options, &chart, &latest,
                                  NULL) == OC_OK)
                latest_signals += latest.rule != OC_SPC_RULE_NONE;
        }
        latest_best = fmin(latest_best, seconds_since(&start));
    }
    for (size_t area = 0; area < AREAS; area++) {
        oc_spc_options options = options_for(area);
        oc_spc_chart chart, latest_chart;
        oc_spc_point latest;
        int status = oc_spc_xmr(values + area * PERIODS, PERIODS, &options, &chart, points, NULL);
        int latest_status = oc_spc_xmr_latest(values + area * PERIODS, PERIODS, &options,
                                              &latest_chart, &latest, NULL);
        const oc_spc_point *last = &points[PERIODS - 1];
        disagreements += status != latest_status || last->rule != latest.rule
                         || last->variation != latest.variation || last->side != latest.side
                         || chart.upper_limit != latest_chart.upper_limit;
    }
    printf("oc_spc_xmr_latest: %.1f ms per %d x %d series (best of %d), %.0f ns a series, "
           "%lu latest points flagged\n", 1e3 * latest_best, AREAS, PERIODS, REPEATS,
           1e9 * latest_best / AREAS, latest_signals);
    printf("speed-up %.2f, %lu disagreement(s)\n", full_best / latest_best, disagreements);
    free(values);
    return disagreements == 0 ? 0 : 1;
#else
    free(values);
    return 0;
#endif
}
