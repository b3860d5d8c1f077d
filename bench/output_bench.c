/*
 * output_bench.c: a hand-run micro benchmark of the result writers
 * (docs/performance.md, "Result writers"). It builds a national-sized
 * result list in memory, shaped like `outcomes run` output (4 metrics x
 * 4 indicators x 37,500 areas = 600,000 results, ordered metric, area,
 * indicator, so identity strings come in runs; rates and intervals with
 * full-precision doubles, counts whole), and times the JSON and CSV
 * writers to /dev/null and to a file. The SHA-256 of each file is printed
 * so that two builds can be checked to write the same bytes.
 *
 * Usage: output-bench [RESULTS [REPEATS [FILE]]]
 *   RESULTS  how many results (default 600000; rounded to whole areas)
 *   REPEATS  runs of each measurement, the fastest kept (default 3)
 *   FILE     the file written (default output-bench.out, removed after)
 *
 * Not run by `make check` or `make bench`: build it with
 * `make bench/output-bench` and run it by hand.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manifest.h"
#include "output.h"

#define METRICS 4
#define INDICATORS 4

static const char *const metric_names[METRICS] = {"esa_ib", "attainment_gap", "recycling",
                                                  "acute_prevention"};
static const char *const plugin_names[METRICS] = {"worklessness", "attainment_gap",
                                                  "recycling_flytipping",
                                                  "acute_prevention_spend"};
static const char *const indicator_names[INDICATORS] = {"claimants", "claimant_rate",
                                                        "rate_change", "spend_per_head"};
static const char *const signals[] = {"common_cause", "improvement", "concern"};
static const char *const rules[] = {"none", "shift", "trend", "outside_limits"};
static const char *const rags[] = {"green", "amber", "red"};
static const char *const trends[] = {"increasing", "decreasing", "no_significant_change"};

/* Deterministic, so every build measures (and hashes) the same results. */
static uint64_t random_state = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

/* Uniform in [0, 1) with 53 random bits: a full-precision double. */
static double random_unit(void)
{
    return (double)(next_random() >> 11) * 0x1p-53;
}

static char *copy(const char *text)
{
    char *duplicate = strdup(text);
    if (duplicate == NULL) {
        fputs("output-bench: out of memory\n", stderr);
        exit(EXIT_FAILURE);
    }
    return duplicate;
}

/* Strings are copied per result, as the host's result list holds them. */
static void fill_result(oc__result *r, size_t metric, size_t area, size_t indicator)
{
    char text[64];
    oc__result_init(r);
    r->metric = copy(metric_names[metric]);
    r->indicator = copy(indicator_names[indicator]);
    r->plugin = copy(plugin_names[metric]);
    r->plugin_version = copy("1.0.0");
    snprintf(text, sizeof text, "E01%06zu", area + 1);
    r->area = copy(text);
    snprintf(text, sizeof text, "Lower layer area %zu", area + 1);
    r->area_name = copy(text);
    r->period = copy("2019-12-01");
    r->baseline_period = copy("2016-12-01");
    r->status = OC_RESULT_OK;
    if (next_random() % 50 == 0) {
        r->status = OC_RESULT_INSUFFICIENT_DATA;
        r->message = copy("only 3 of the 5 periods: need \"2016-12-01\"");
        return;
    }
    double population = (double)(1000 + next_random() % 2000);
    if (indicator == 0) {   /* a count: whole numbers */
        r->value = (double)(next_random() % 400);
        r->baseline_value = (double)(next_random() % 400);
        r->change = r->value - r->baseline_value;
        r->change_pct = r->baseline_value != 0 ? 100 * r->change / r->baseline_value : NAN;
        r->ci_lower = r->value - 1.96 * sqrt(r->value);
        r->ci_upper = r->value + 1.96 * sqrt(r->value);
    } else {                /* a rate per 1,000: full precision */
        r->value = 1000 * random_unit() * 0.2;
        r->baseline_value = 1000 * random_unit() * 0.2;
        double half_width = 1.96 * sqrt(r->value * (1000 - r->value) / population);
        r->ci_lower = r->value - half_width;
        r->ci_upper = r->value + half_width;
        r->change = r->value - r->baseline_value;
        r->change_pct = 100 * r->change / r->baseline_value;
    }
    r->target_value = r->baseline_value * 0.9;
    r->target_date = copy("2020-03-01");
    r->expected_value = r->baseline_value - 0.1 * r->baseline_value * 36 / 39;
    r->progress_pct = r->change / (r->target_value - r->baseline_value) * 100;
    r->rag = copy(rags[next_random() % 3]);
    r->spc_signal = copy(signals[next_random() % 3]);
    r->spc_rule = copy(rules[next_random() % 4]);
    r->assurance = copy("inconsistent");
    r->trend = copy(trends[next_random() % 3]);
    r->fiscal_benefit = indicator == 0 ? 8632 * -r->change : NAN;
    r->score = round(r->progress_pct * 100) / 100;
}

static double now(void)
{
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec * 1e-9;
}

/* The fastest of repeats writes of results in format to path; exits on a
 * write error. *bytes is set to the size written. */
static double time_write(const char *path, oc__output_format format,
                         const oc__manifest *manifest, const oc__result_list *results,
                         int repeats, long *bytes)
{
    double best = INFINITY;
    for (int i = 0; i < repeats; i++) {
        FILE *stream = fopen(path, "w");
        if (stream == NULL) {
            perror(path);
            exit(EXIT_FAILURE);
        }
        oc_error error;
        double start = now();
        int status = oc__output_write(stream, format, manifest, results, 0, &error);
        int flushed = fflush(stream);
        double elapsed = now() - start;
        *bytes = ftell(stream);
        if (status != OC_OK || flushed != 0 || fclose(stream) != 0) {
            fprintf(stderr, "output-bench: %s: %s\n", path,
                    status != OC_OK ? error.message : "write failed");
            exit(EXIT_FAILURE);
        }
        if (elapsed < best)
            best = elapsed;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t wanted = argc > 1 ? strtoul(argv[1], NULL, 10) : 600000;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    const char *file = argc > 3 ? argv[3] : "output-bench.out";
    if (wanted == 0 || repeats <= 0) {
        fputs("usage: output-bench [RESULTS [REPEATS [FILE]]]\n", stderr);
        return 2;
    }
    size_t areas = (wanted + METRICS * INDICATORS - 1) / (METRICS * INDICATORS);
    oc__result_list results = {0};
    results.capacity = areas * METRICS * INDICATORS;
    results.items = calloc(results.capacity, sizeof *results.items);
    if (results.items == NULL) {
        fputs("output-bench: out of memory\n", stderr);
        return 1;
    }
    for (size_t metric = 0; metric < METRICS; metric++)
        for (size_t area = 0; area < areas; area++)
            for (size_t indicator = 0; indicator < INDICATORS; indicator++)
                fill_result(&results.items[results.count++], metric, area, indicator);

    oc__manifest *manifest;
    if (oc__manifest_create(&manifest, 1577836800, NULL) != OC_OK)
        return 1;
    for (size_t metric = 0; metric < METRICS; metric++)
        oc__manifest_add_plugin(manifest, plugin_names[metric], "1.0.0", NULL);
    oc__manifest_add_period_used(manifest, "2019-12-01", NULL);

    printf("%zu results, fastest of %d runs\n", results.count, repeats);
    printf("%-5s %-10s %9s %10s %8s  %s\n", "form", "to", "seconds", "ns/result", "MB/s",
           "sha256 of the file");
    const oc__output_format formats[] = {OC_OUTPUT_JSON, OC_OUTPUT_CSV};
    for (size_t f = 0; f < 2; f++) {
        const char *targets[] = {"/dev/null", file};
        for (size_t t = 0; t < 2; t++) {
            long bytes = 0;
            double seconds = time_write(targets[t], formats[f], manifest, &results, repeats,
                                        &bytes);
            char digest[OC_SHA256_HEX_SIZE] = "-";
            if (t == 1 && oc__sha256_file(file, digest, NULL) != OC_OK)
                strcpy(digest, "(hash failed)");
            printf("%-5s %-10s %9.3f %10.0f %8.1f  %s\n", oc__output_format_name(formats[f]),
                   t == 0 ? "/dev/null" : "file", seconds, seconds * 1e9 / (double)results.count,
                   t == 1 ? (double)bytes / seconds / 1e6 : 0.0, digest);
        }
    }
    remove(file);
    oc__manifest_free(manifest);
    for (size_t i = 0; i < results.count; i++)
        oc__result_clear(&results.items[i]);
    free(results.items);
    return 0;
}
