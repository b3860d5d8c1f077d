/*
 * engine_fixtures.h: small stores and configuration files for the engine's
 * unit tests (test_engine_plan, test_engine_evaluate, test_engine), written
 * with the store's own writer into the test's temporary directory, so each
 * test states its data in a few lines and can work its expectations out by
 * hand. Failures abort the test through Check assertions.
 */
#ifndef OC_TEST_ENGINE_FIXTURES_H
#define OC_TEST_ENGINE_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "configuration.h"
#include "engine.h"
#include "plugin_loader.h"

/* The value of measure m at area a, time t. */
typedef double (*fixture_value_fn)(size_t measure, size_t area, size_t time);

/* One frame of a fixture store. All pointers borrowed for the call. */
typedef struct fixture_frame {
    const char *name;                 /* NULL: the layout at the root */
    size_t area_count;
    const char *const *codes;         /* NULL: generated "A0000", "A0001", ... */
    const char *const *names;         /* may be NULL */
    const char *const *parents;       /* may be NULL */
    size_t time_count;
    const int32_t *times;
    size_t measure_count;
    const char *const *measures;
    const char *frequency;            /* e.g. "quarter" */
    fixture_value_fn value;
} fixture_frame;

/* The generated code of area index, "A%04zu", in a static buffer. */
const char *fixture_area_code(size_t index);

/* Writes a store with these frames at path. */
void fixture_store_write(const char *path, const fixture_frame *frames, size_t frame_count);

/* Writes text to path. */
void fixture_text_write(const char *path, const char *text);

/* Writes text to path and loads it as a configuration (*config owned by
 * the caller: oc__config_free). */
void fixture_config_load(const char *path, const char *text, oc__config **config);

/* The first day of each of count quarters from year Q1, into times. */
void fixture_quarters(int year, size_t count, int32_t *times);

/* The small store, one frame at the root:
 *   area   A1     A2    A3     A4     A5
 *   name   Alpha  Beta  Gamma  Delta  Epsilon
 *   parent P2     P1    P2     P1     (none)
 * five quarters 2015Q1..2016Q1 (days 16436, 16526, 16617, 16709, 16801:
 * 2015-01-01 is 45 * 365 + 11 leap days = 16436, then + 90, 91, 92, 92),
 * frequency "quarter", and measures
 *   claimants  (area a = 0..4, time t = 0..4) 100 * (a + 1) + 10 * t,
 *              except A4 (a = 3) at t = 2 (2015-07-01), which is missing;
 *   population 1000 * (a + 1). */
void fixture_small_store(const char *path);
double fixture_small_value(size_t measure, size_t area, size_t time);

/* A store with two frames, "quarterly" (the small store's layout and
 * data) and "yearly" (A1, A2; 2015, 2016; the same measures). */
void fixture_two_frame_store(const char *path);

/* Loads the configuration text (written at config_path) and builds the
 * plan of its first metric with plugin and period_text, opening and
 * closing the stores. *config is the caller's to free, also on failure
 * (then the plan is freed and zeroed here). Returns the plan's status. */
int fixture_plan_build(const char *config_path, const char *text, const oc__plugin *plugin,
                       const char *period_text, oc__config **config, oc__metric_plan *plan,
                       oc_error *error);

#endif
