/*
 * make-national-store.c: writes an England-scale store for the benchmark
 * (docs/performance.md), deterministically, so that every machine measures
 * the same bytes: 32,844 small areas (LSOA-like codes E01000001...) in 533
 * constituencies (E14000530...), 240 months (2000-01 to 2019-12), and every
 * measure the four plugins need in one monthly frame. The figures are
 * SYNTHETIC: each value is a hash of (measure, area, month), shaped so the
 * plugins have something plausible to score (rates of a few percent,
 * suppressed small counts, trends, seasonal swings).
 *
 * Memory stays bounded whatever the size: areas are generated and written
 * one chunk-aligned block at a time through the store writer.
 *
 * It also writes the two configurations the benchmark runs: the four
 * metrics over `areas = all` (lsoa-SIZE.ini) and over every constituency
 * (constituency-SIZE.ini, the parent codes listed, members aggregated).
 *
 * Usage: make-national-store full|half|quarter DIRECTORY
 * writes DIRECTORY/national-SIZE.h5, lsoa-SIZE.ini and constituency-SIZE.ini.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "store.h"

#define ENGLAND_AREAS 32844
#define ENGLAND_CONSTITUENCIES 533
#define FIRST_CONSTITUENCY 530 /* E14000530 */
#define FIRST_YEAR 2000
#define MONTHS 240

enum measure_id {
    CLAIMANTS, WORKING_AGE, KS2_FSM, KS2_FSM_EXPECTED, KS2_OTHER, KS2_OTHER_EXPECTED,
    KS4_FSM, KS4_FSM_5AC, KS4_OTHER, KS4_OTHER_5AC, HOUSEHOLD_WASTE, RECYCLED, FLYTIPPING,
    POPULATION, ACUTE_SPEND, PREVENTION_SPEND, MEASURE_COUNT
};

static const oc__store_measure_spec measure_specs[MEASURE_COUNT] = {
    {"esa_ib_claimants", "people", "ESA and incapacity benefit claimants", "month", "Synthetic"},
    {"working_age_population", "people", "Residents aged 16-64", "month", "Synthetic"},
    {"ks2_fsm_pupils", "pupils", "KS2 pupils eligible for free school meals", "month", "Synthetic"},
    {"ks2_fsm_expected", "pupils", "KS2 FSM pupils at the expected standard", "month", "Synthetic"},
    {"ks2_other_pupils", "pupils", "KS2 pupils not eligible for free school meals", "month", "Synthetic"},
    {"ks2_other_expected", "pupils", "KS2 other pupils at the expected standard", "month", "Synthetic"},
    {"ks4_fsm_pupils", "pupils", "KS4 pupils eligible for free school meals", "month", "Synthetic"},
    {"ks4_fsm_5ac", "pupils", "KS4 FSM pupils with 5 A*-C including English and maths", "month", "Synthetic"},
    {"ks4_other_pupils", "pupils", "KS4 pupils not eligible for free school meals", "month", "Synthetic"},
    {"ks4_other_5ac", "pupils", "KS4 other pupils with 5 A*-C including English and maths", "month", "Synthetic"},
    {"household_waste_tonnes", "tonnes", "Household waste collected", "month", "Synthetic"},
    {"recycled_tonnes", "tonnes", "Household waste reused, recycled or composted", "month", "Synthetic"},
    {"flytipping_incidents", "incidents", "Fly-tipping incidents", "month", "Synthetic"},
    {"population", "people", "Resident population", "month", "Synthetic"},
    {"acute_spend", "pounds", "Spend on acute health services", "month", "Synthetic"},
    {"prevention_spend", "pounds", "Spend on prevention and early intervention", "month", "Synthetic"},
};

/* splitmix64: a fixed, portable hash, so the store is the same everywhere. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Uniform in [0, 1) from (stream, area, month). */
static double uniform(unsigned stream, size_t area, size_t month)
{
    uint64_t key = ((uint64_t)stream << 56) ^ ((uint64_t)area << 20) ^ (uint64_t)month;
    return (double)(mix(key) >> 11) / 9007199254740992.0;
}

/* Roughly normal (sum of four uniforms, mean 0, sd 1). */
static double noise(unsigned stream, size_t area, size_t month)
{
    double sum = 0;
    for (unsigned k = 0; k < 4; k++)
        sum += uniform(stream * 8 + k + 64, area, month);
    return (sum - 2.0) * 1.7320508075688772;
}

/* An area's fixed character: a value in [low, high). */
static double trait(unsigned stream, size_t area, double low, double high)
{
    return low + (high - low) * uniform(stream + 32, area, 0);
}

static double count_at_least_zero(double value)
{
    return value < 0 ? 0 : round(value);
}

/* Fills the values of every measure for one area: values[m][t]. */
static void generate_area(size_t area, double values[MEASURE_COUNT][MONTHS])
{
    double working_age = round(trait(0, area, 700, 1300));
    double claimant_rate = trait(1, area, 0.01, 0.12);
    double claimant_trend = trait(2, area, -0.5, 0.2); /* relative change over 20 years */
    double fsm_share = trait(3, area, 0.05, 0.45);
    double fsm_success = trait(4, area, 0.35, 0.65), other_success = trait(5, area, 0.6, 0.85);
    double waste = trait(6, area, 25, 45), recycling = trait(7, area, 0.25, 0.5);
    double flytipping = trait(8, area, 0.2, 4);
    double acute = trait(9, area, 1.2e5, 2.2e5), prevention = trait(10, area, 0.02, 0.06);
    for (size_t t = 0; t < MONTHS; t++) {
        double years = (double)t / 12.0;
        int month = (int)(t % 12);
        double seasonal = month == 1 ? 0.02 : month == 7 ? -0.015 : 0;
        double population = round(working_age * (1.0 + 0.004 * years) * 1.6);
        double people = round(working_age * (1.0 + 0.004 * years));
        double expected = people * claimant_rate * (1.0 + claimant_trend * years / 20.0)
                          * (1.0 + seasonal);
        double claimants = count_at_least_zero(expected + noise(0, area, t) * sqrt(expected));
        /* DWP suppresses a few small counts: about 1 in 400 is missing. */
        if (uniform(1, area, t) < 0.0025)
            claimants = NAN;
        values[CLAIMANTS][t] = claimants;
        values[WORKING_AGE][t] = people;

        double pupils = round(trait(11, area, 14, 40) * (1.0 + 0.1 * noise(2, area, t) / 3.0));
        double ks2_fsm = round(pupils * fsm_share), ks2_other = pupils - ks2_fsm;
        double gain = 0.004 * years;
        values[KS2_FSM][t] = ks2_fsm;
        values[KS2_FSM_EXPECTED][t] =
            fmin(ks2_fsm, count_at_least_zero(ks2_fsm * (fsm_success + gain) + noise(3, area, t)));
        values[KS2_OTHER][t] = ks2_other;
        values[KS2_OTHER_EXPECTED][t] =
            fmin(ks2_other, count_at_least_zero(ks2_other * (other_success + gain / 2)
                                                + noise(4, area, t)));
        double ks4_fsm = round(ks2_fsm * 0.9), ks4_other = round(ks2_other * 0.95);
        values[KS4_FSM][t] = ks4_fsm;
        values[KS4_FSM_5AC][t] =
            fmin(ks4_fsm, count_at_least_zero(ks4_fsm * (fsm_success - 0.2 + gain)
                                              + noise(5, area, t)));
        values[KS4_OTHER][t] = ks4_other;
        values[KS4_OTHER_5AC][t] =
            fmin(ks4_other, count_at_least_zero(ks4_other * (other_success - 0.15)
                                                + noise(6, area, t)));

        double tonnes = waste * (1.0 - 0.005 * years) * (1.0 + 0.03 * noise(7, area, t));
        values[HOUSEHOLD_WASTE][t] = round(tonnes * 10) / 10;
        values[RECYCLED][t] =
            round(tonnes * fmin(0.95, recycling + 0.008 * years + 0.01 * noise(8, area, t)) * 10)
            / 10;
        double incidents = flytipping * (1.0 + 0.02 * years);
        values[FLYTIPPING][t] = count_at_least_zero(incidents + noise(9, area, t) * sqrt(incidents));
        values[POPULATION][t] = population;
        double spend = acute * (1.0 + 0.03 * years) * (1.0 + 0.02 * noise(10, area, t));
        values[ACUTE_SPEND][t] = round(spend);
        values[PREVENTION_SPEND][t] =
            round(spend * prevention * (1.0 + 0.01 * years) * (1.0 + 0.05 * noise(11, area, t)));
    }
}

typedef struct national_size {
    const char *name;
    size_t divisor;
} national_size;

static const national_size sizes[] = {{"full", 1}, {"half", 2}, {"quarter", 4}};

/* The constituency of small area a: contiguous runs of about 62 areas, as
 * LSOA codes run through local authorities. */
static size_t constituency_of(size_t area, size_t area_count, size_t constituency_count)
{
    return area * constituency_count / area_count;
}

static int fail(const char *what, const char *message)
{
    fprintf(stderr, "make-national-store: %s: %s\n", what, message);
    return EXIT_FAILURE;
}

/* The area axis: codes, names and parent codes, in one allocation each. */
typedef struct area_axis {
    char *text;           /* owned: every string */
    const char **codes;   /* owned array, strings in text */
    const char **names;
    const char **parents;
} area_axis;

static void area_axis_free(area_axis *axis)
{
    free(axis->text);
    free(axis->codes);
    free(axis->names);
    free(axis->parents);
}

enum { CODE_SIZE = 16, NAME_SIZE = 40 };

static int area_axis_build(area_axis *axis, size_t area_count, size_t constituency_count)
{
    size_t per_area = 2 * CODE_SIZE + NAME_SIZE;
    axis->text = malloc(area_count * per_area);
    axis->codes = malloc(area_count * sizeof *axis->codes);
    axis->names = malloc(area_count * sizeof *axis->names);
    axis->parents = malloc(area_count * sizeof *axis->parents);
    if (!axis->text || !axis->codes || !axis->names || !axis->parents)
        return -1;
    size_t previous = (size_t)-1, within = 0;
    for (size_t a = 0; a < area_count; a++) {
        char *code = axis->text + a * per_area, *parent = code + CODE_SIZE,
             *name = parent + CODE_SIZE;
        size_t c = constituency_of(a, area_count, constituency_count);
        within = c == previous ? within + 1 : 0;
        previous = c;
        snprintf(code, CODE_SIZE, "E01%06zu", a + 1);
        snprintf(parent, CODE_SIZE, "E14%06zu", c + FIRST_CONSTITUENCY);
        snprintf(name, NAME_SIZE, "Constituency %zu %03zu%c", c + 1, within / 4 + 1,
                 (char)('A' + within % 4));
        axis->codes[a] = code;
        axis->parents[a] = parent;
        axis->names[a] = name;
    }
    return 0;
}

/* The four metrics; AREAS is replaced by the areas key. */
static const char *const metric_sections =
    "[worklessness]\n"
    "plugin = worklessness\n"
    "input.claimants = esa_ib_claimants\n"
    "input.population = working_age_population\n"
    "AREAS\n"
    "[attainment_gap]\n"
    "plugin = attainment_gap\n"
    "input.fsm_pupils_ks2 = ks2_fsm_pupils\n"
    "input.fsm_achieving_ks2 = ks2_fsm_expected\n"
    "input.other_pupils_ks2 = ks2_other_pupils\n"
    "input.other_achieving_ks2 = ks2_other_expected\n"
    "input.fsm_pupils_ks4 = ks4_fsm_pupils\n"
    "input.fsm_achieving_ks4 = ks4_fsm_5ac\n"
    "input.other_pupils_ks4 = ks4_other_pupils\n"
    "input.other_achieving_ks4 = ks4_other_5ac\n"
    "indicators = fsm_rate_ks2 other_rate_ks2 gap_ks2 fsm_rate_ks4 other_rate_ks4 gap_ks4\n"
    "AREAS\n"
    "[recycling_flytipping]\n"
    "plugin = recycling_flytipping\n"
    "input.household_waste_tonnes = household_waste_tonnes\n"
    "input.recycled_tonnes = recycled_tonnes\n"
    "input.flytipping_incidents = flytipping_incidents\n"
    "input.population = population\n"
    "AREAS\n"
    "[prevention_spend]\n"
    "plugin = acute_prevention_spend\n"
    "input.acute_spend = acute_spend\n"
    "input.prevention_spend = prevention_spend\n"
    "AREAS\n";

/* Writes one configuration: the four metrics over every small area
 * (`areas = all`) or over every constituency (`areas = parents`, each
 * aggregated from its small areas). */
static int write_configuration(const char *path, const char *store_name, const char *size_name,
                               const char *kind, int constituencies)
{
    FILE *file = fopen(path, "w");
    if (file == NULL)
        return -1;
    fprintf(file,
            "; Benchmark configuration written by bench/make-national-store (%s size):\n"
            "; the four plugins over %s. See docs/performance.md.\n"
            "[outcomes]\n"
            "store = %s\n"
            "period = 2019-12\n"
            "baseline = 2016-12\n"
            "format = json\n"
            "output = results-%s-%s.json\n"
            "time_limit = 3600\n\n",
            size_name, constituencies ? "every constituency" : "every small area", store_name,
            kind, size_name);
    for (const char *p = metric_sections; *p != '\0';) {
        const char *end = strchr(p, '\n');
        if (end - p == 5 && strncmp(p, "AREAS", 5) == 0)
            fputs(constituencies ? "areas = parents\n\n" : "areas = all\n\n", file);
        else
            fwrite(p, 1, (size_t)(end - p) + 1, file);
        p = end + 1;
    }
    return fclose(file) == 0 ? 0 : -1;
}

static int write_store(const char *path, size_t area_count, size_t constituency_count)
{
    area_axis axis = {0};
    if (area_axis_build(&axis, area_count, constituency_count) != 0) {
        area_axis_free(&axis);
        return fail(path, "out of memory");
    }
    int32_t times[MONTHS];
    for (int t = 0; t < MONTHS; t++)
        times[t] = oc__days_from_civil(FIRST_YEAR + t / 12, 1 + t % 12, 1);

    oc_error error;
    oc__store_writer *writer = NULL;
    oc__store_writer_frame *frame = NULL;
    oc__store_writer_measure *measures[MEASURE_COUNT];
    double (*area_values)[MONTHS] = malloc(sizeof(double[MEASURE_COUNT][MONTHS]));
    double *block = malloc((size_t)MEASURE_COUNT * OC__STORE_CHUNK_AREAS * MONTHS * sizeof(double));
    int status = area_values && block ? oc__store_writer_create(path, &writer, &error)
                                      : oc_error_set(&error, OC_ERROR_NO_MEMORY, "out of memory");
    if (status == OC_OK)
        status = oc__store_writer_add_frame(writer, NULL, area_count, axis.codes, axis.names,
                                            axis.parents, MONTHS, times, &frame, &error);
    for (size_t m = 0; status == OC_OK && m < MEASURE_COUNT; m++)
        status = oc__store_writer_add_measure(writer, frame, &measure_specs[m], &measures[m],
                                              &error);
    for (size_t first = 0; status == OC_OK && first < area_count; first += OC__STORE_CHUNK_AREAS) {
        size_t count = area_count - first < OC__STORE_CHUNK_AREAS ? area_count - first
                                                                  : OC__STORE_CHUNK_AREAS;
        for (size_t a = 0; a < count; a++) {
            generate_area(first + a, area_values);
            for (size_t m = 0; m < MEASURE_COUNT; m++)
                memcpy(block + (m * OC__STORE_CHUNK_AREAS + a) * MONTHS, area_values[m],
                       sizeof area_values[m]);
        }
        for (size_t m = 0; status == OC_OK && m < MEASURE_COUNT; m++)
            status = oc__store_writer_write_block(writer, measures[m], first, count,
                                                  block + m * OC__STORE_CHUNK_AREAS * MONTHS,
                                                  &error);
    }
    if (status == OC_OK) {
        status = oc__store_writer_commit(writer, &error);
    } else {
        oc__store_writer_abort(writer);
    }
    free(area_values);
    free(block);
    area_axis_free(&axis);
    return status == OC_OK ? EXIT_SUCCESS : fail(path, error.message);
}

int main(int argc, char **argv)
{
    const national_size *size = NULL;
    for (size_t s = 0; argc == 3 && s < sizeof sizes / sizeof sizes[0]; s++)
        if (strcmp(argv[1], sizes[s].name) == 0)
            size = &sizes[s];
    if (size == NULL) {
        fprintf(stderr, "usage: make-national-store full|half|quarter DIRECTORY\n");
        return 2;
    }
    size_t area_count = ENGLAND_AREAS / size->divisor;
    size_t constituency_count = (ENGLAND_CONSTITUENCIES + size->divisor - 1) / size->divisor;
    char path[4096], store_name[64];
    snprintf(store_name, sizeof store_name, "national-%s.h5", size->name);
    snprintf(path, sizeof path, "%s/%s", argv[2], store_name);
    int status = write_store(path, area_count, constituency_count);
    if (status != EXIT_SUCCESS)
        return status;
    const char *kinds[] = {"lsoa", "constituency"};
    for (size_t k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s-%s.ini", argv[2], kinds[k], size->name);
        if (write_configuration(path, store_name, size->name, kinds[k], k == 1) != 0)
            return fail(path, "cannot write the configuration");
    }
    printf("%s/%s: %zu areas in %zu constituencies, %d months, %d measures\n", argv[2],
           store_name, area_count, constituency_count, MONTHS, MEASURE_COUNT);
    return EXIT_SUCCESS;
}
