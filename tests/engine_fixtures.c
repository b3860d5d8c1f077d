/* engine_fixtures.c: see engine_fixtures.h. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixtures.h"
#include "engine_plan.h"
#include "period.h"
#include "store.h"

const char *fixture_area_code(size_t index)
{
    static char code[32];
    snprintf(code, sizeof code, "A%04zu", index);
    return code;
}

static void write_frame(oc__store_writer *writer, const fixture_frame *spec)
{
    oc_error error;
    char **generated = NULL;
    const char *const *codes = spec->codes;
    if (codes == NULL) {
        generated = calloc(spec->area_count, sizeof *generated);
        ck_assert_ptr_nonnull(generated);
        for (size_t a = 0; a < spec->area_count; a++)
            ck_assert_ptr_nonnull(generated[a] = strdup(fixture_area_code(a)));
        codes = (const char *const *)generated;
    }
    oc__store_writer_frame *frame;
    ck_assert_msg(oc__store_writer_add_frame(writer, spec->name, spec->area_count, codes,
                                             spec->names, spec->parents, spec->time_count,
                                             spec->times, &frame, &error) == OC_OK,
                  "%s", error.message);
    double *values = malloc(spec->area_count * spec->time_count * sizeof *values);
    ck_assert_ptr_nonnull(values);
    for (size_t m = 0; m < spec->measure_count; m++) {
        oc__store_measure_spec measure_spec = {spec->measures[m], "people", spec->measures[m],
                                               spec->frequency, NULL};
        oc__store_writer_measure *measure;
        ck_assert_msg(oc__store_writer_add_measure(writer, frame, &measure_spec, &measure, &error)
                          == OC_OK, "%s", error.message);
        for (size_t a = 0; a < spec->area_count; a++)
            for (size_t t = 0; t < spec->time_count; t++)
                values[a * spec->time_count + t] = spec->value(m, a, t);
        ck_assert_msg(oc__store_writer_write_block(writer, measure, 0, spec->area_count, values,
                                                   &error) == OC_OK, "%s", error.message);
    }
    free(values);
    for (size_t a = 0; generated != NULL && a < spec->area_count; a++)
        free(generated[a]);
    free(generated);
}

void fixture_store_write(const char *path, const fixture_frame *frames, size_t frame_count)
{
    oc_error error;
    oc__store_writer *writer;
    ck_assert_msg(oc__store_writer_create(path, &writer, &error) == OC_OK, "%s", error.message);
    for (size_t f = 0; f < frame_count; f++)
        write_frame(writer, &frames[f]);
    ck_assert_msg(oc__store_writer_commit(writer, &error) == OC_OK, "%s", error.message);
}

void fixture_text_write(const char *path, const char *text)
{
    FILE *stream = fopen(path, "w");
    ck_assert_ptr_nonnull(stream);
    ck_assert_int_eq(fputs(text, stream) >= 0, 1);
    ck_assert_int_eq(fclose(stream), 0);
}

void fixture_config_load(const char *path, const char *text, oc__config **config)
{
    oc_error error;
    fixture_text_write(path, text);
    ck_assert_msg(oc__config_load(path, config, &error) == OC_OK, "%s", error.message);
}

void fixture_quarters(int year, size_t count, int32_t *times)
{
    for (size_t q = 0; q < count; q++)
        times[q] = oc__days_from_civil(year + (int)(q / 4), 1 + 3 * (int)(q % 4), 1);
}

double fixture_small_value(size_t measure, size_t area, size_t time)
{
    if (measure == 1)
        return 1000.0 * (double)(area + 1);
    if (area == 3 && time == 2)
        return NAN;
    return 100.0 * (double)(area + 1) + 10.0 * (double)time;
}

static const char *const small_codes[] = {"A1", "A2", "A3", "A4", "A5"};
static const char *const small_names[] = {"Alpha", "Beta", "Gamma", "Delta", "Epsilon"};
static const char *const small_parents[] = {"P2", "P1", "P2", "P1", NULL};
static const char *const small_measures[] = {"claimants", "population"};

static fixture_frame small_frame(const char *name, const int32_t *times)
{
    return (fixture_frame){name, 5, small_codes, small_names, small_parents, 5, times,
                           2, small_measures, "quarter", fixture_small_value};
}

void fixture_small_store(const char *path)
{
    int32_t times[5];
    fixture_quarters(2015, 5, times);
    ck_assert_int_eq(times[0], 16436);
    ck_assert_int_eq(times[4], 16801);
    fixture_frame frame = small_frame(NULL, times);
    fixture_store_write(path, &frame, 1);
}

void fixture_two_frame_store(const char *path)
{
    int32_t quarters[5], years[2] = {16436, 16801};
    fixture_quarters(2015, 5, quarters);
    fixture_frame frames[2] = {small_frame("quarterly", quarters), small_frame("yearly", years)};
    frames[1].area_count = 2;
    frames[1].time_count = 2;
    frames[1].frequency = "year";
    fixture_store_write(path, frames, 2);
}

int fixture_plan_build(const char *config_path, const char *text, const oc__plugin *plugin,
                       const char *period_text, oc__config **config, oc__metric_plan *plan,
                       oc_error *error)
{
    fixture_config_load(config_path, text, config);
    ck_assert_uint_ge((*config)->metric_count, 1);
    oc__store **stores = calloc((*config)->store_count + 1, sizeof *stores);
    ck_assert_ptr_nonnull(stores);
    int status = oc__metric_plan_build(*config, &(*config)->metrics[0], plugin, period_text,
                                       stores, NULL, plan, error);
    for (size_t s = 0; s < (*config)->store_count; s++)
        oc__store_close(stores[s]);
    free(stores);
    if (status != OC_OK)
        oc__metric_plan_free(plan);
    return status;
}
