/* test_configuration.c: unit tests for core/configuration*.c: every key,
 * every error (its one line must name the file, section and key), and the
 * iniparser traps the loader guards against. Each test writes its INI text
 * into a private mkdtemp directory. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_runner.h"
#include "configuration.h"
#include "configuration_internal.h"

static char directory[4096];
static char config_path[4200];

static void make_directory(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(directory, sizeof directory, "%s/oc-config-XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(directory));
}

static void remove_directory(void)
{
    char command[4300];
    snprintf(command, sizeof command, "rm -rf '%s'", directory);
    ck_assert_int_eq(system(command), 0);
}

/* Writes text to DIRECTORY/name and returns its path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
    snprintf(config_path, sizeof config_path, "%s/%s", directory, name);
    FILE *file = fopen(config_path, "w");
    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    ck_assert_int_eq(fclose(file), 0);
    return config_path;
}

static oc__config *load_ok(const char *text)
{
    oc__config *config = NULL;
    oc_error error = {0, ""};
    const char *path = write_file("outcomes.ini", text);
    int status = oc__config_load(path, &config, &error);
    ck_assert_msg(status == OC_OK, "load failed: %s", error.message);
    ck_assert_ptr_nonnull(config);
    return config;
}

/* Loads text and expects failure with a one-line message that contains
 * every one of the NULL-terminated fragments (in order). */
static void assert_load_fails(const char *text, ...)
{
    oc__config *config = (oc__config *)1;
    oc_error error = {0, ""};
    const char *path = write_file("outcomes.ini", text);
    int status = oc__config_load(path, &config, &error);
    ck_assert_msg(status == OC_ERROR_CONFIG, "accepted (status %d) with no error:\n%s", status,
                  text);
    ck_assert_ptr_null(config);
    ck_assert_int_eq(error.status, OC_ERROR_CONFIG);
    ck_assert_msg(strchr(error.message, '\n') == NULL, "not one line: %s", error.message);
    ck_assert_msg(strncmp(error.message, path, strlen(path)) == 0,
                  "message does not start with the file: %s", error.message);
    va_list fragments;
    va_start(fragments, text);
    const char *from = error.message;
    for (const char *fragment; (fragment = va_arg(fragments, const char *)) != NULL;) {
        const char *found = strstr(from, fragment);
        ck_assert_msg(found != NULL, "message '%s' lacks '%s'", error.message, fragment);
        from = found + strlen(fragment);
    }
    va_end(fragments);
}

#define MINIMAL "[outcomes]\nstore = data.h5\n[esa]\nplugin = worklessness\n"

START_TEST(test_every_key)
{
    oc__config *config = load_ok(
        "; a comment line\n"
        "# another comment line\n"
        "[outcomes]\n"
        "store = a.h5 /abs/b.h5\n"
        "plugin_dir = plugins\n"
        "period = 2016Q4\n"
        "baseline = 2013/14 Q4\n"
        "output = results/out.json\n"
        "format = json\n"
        "jobs = 4\n"
        "time_limit = 30.5\n"
        "confidence = 99.8\n"
        "allow_insecure_plugins = yes\n"
        "\n"
        "[birkenhead_esa]\n"
        "plugin = worklessness\n"
        "frame = lsoa\n"
        "store = /abs/b.h5\n"
        "areas = E14000559, E14000547  E02001\n"
        "comparator = E14000700\n"
        "benchmark = E92000001\n"
        "input.claimants = ESA_IB_Claimants\n"
        "input.population = Population16to64\n"
        "baseline = 2014-02\n"
        "target = 6930\n"
        "target_date = 2020/21\n"
        "rag_green = 95\n"
        "rag_amber = 80.5\n"
        "confidence = 95\n"
        "spc_baseline = 12\n"
        "spc_screen_outliers = true\n"
        "time_limit = 5\n"
        "unit_cost = 8632\n"
        "label = Birkenhead ESA/IB\n"
        "[wirral_relative]\n"
        "plugin = worklessness\n"
        "store = c.h5\n"
        "target = -10%\n"
        "target_date = 2018-03-31\n");
    char expected[4400];
    ck_assert_str_eq(config->path, config_path);
    ck_assert_str_eq(config->directory, directory);
    ck_assert_uint_eq(config->store_count, 3);
    ck_assert_uint_eq(config->global_store_count, 2);
    snprintf(expected, sizeof expected, "%s/a.h5", directory);
    ck_assert_str_eq(config->stores[0], expected);
    ck_assert_str_eq(config->stores[1], "/abs/b.h5");
    snprintf(expected, sizeof expected, "%s/c.h5", directory);
    ck_assert_str_eq(config->stores[2], expected);
    snprintf(expected, sizeof expected, "%s/plugins", directory);
    ck_assert_str_eq(config->plugin_dir, expected);
    ck_assert_str_eq(config->period_text, "2016Q4");
    ck_assert(!config->period_is_latest);
    /* 2016Q4 = 2016-10-01 (17075) .. 2017-01-01 (17167), see test_period.c */
    ck_assert_int_eq(config->period.start_day, 17075);
    ck_assert_int_eq(config->period.end_day, 17167);
    ck_assert_str_eq(config->baseline_text, "2013/14 Q4");
    /* FY 2013/14 Q4 = Jan-Mar 2014: 2014-01-01 = 44 * 365 + 11 leap days
     * (1972..2012) = 16071; 2014-04-01 = 16071 + 31 + 28 + 31 = 16161 */
    ck_assert_int_eq(config->baseline.start_day, 16071);
    ck_assert_int_eq(config->baseline.end_day, 16161);
    snprintf(expected, sizeof expected, "%s/results/out.json", directory);
    ck_assert_str_eq(config->output, expected);
    ck_assert_int_eq(config->format, OC_OUTPUT_JSON);
    ck_assert_int_eq(config->jobs, 4);
    ck_assert(config->time_limit == 30.5);
    ck_assert(config->confidence == 99.8);
    ck_assert_int_eq(config->allow_insecure_plugins, 1);

    ck_assert_uint_eq(config->metric_count, 2);
    const oc__config_metric *metric = oc__config_find_metric(config, "birkenhead_esa");
    ck_assert_ptr_eq(metric, &config->metrics[0]);
    ck_assert_str_eq(metric->plugin, "worklessness");
    ck_assert_str_eq(metric->frame, "lsoa");
    ck_assert_uint_eq(metric->store_index, 1);
    ck_assert(!metric->all_areas);
    ck_assert_uint_eq(metric->area_count, 3);
    ck_assert_str_eq(metric->areas[0], "E14000559");
    ck_assert_str_eq(metric->areas[1], "E14000547");
    ck_assert_str_eq(metric->areas[2], "E02001");
    ck_assert_str_eq(metric->comparator, "E14000700");
    ck_assert_str_eq(metric->benchmark, "E92000001");
    /* measure names are values: their case survives iniparser */
    ck_assert_str_eq(oc__config_metric_input(metric, "claimants"), "ESA_IB_Claimants");
    ck_assert_str_eq(oc__config_metric_input(metric, "population"), "Population16to64");
    ck_assert_ptr_null(oc__config_metric_input(metric, "other"));
    ck_assert_str_eq(metric->baseline_text, "2014-02");
    /* 2014-02-01 = 16071 + 31 = 16102 */
    ck_assert_int_eq(metric->baseline.start_day, 16102);
    ck_assert_int_eq(metric->scoring.target_kind, OC__TARGET_ABSOLUTE);
    ck_assert(metric->scoring.target_amount == 6930);
    ck_assert_str_eq(metric->target_date_text, "2020/21");
    /* FY 2020/21 starts 2020-04-01: 2020-01-01 = 50 * 365 + 12 leap days
     * (1972..2016) = 18262; + 31 + 29 + 31 = 18353 */
    ck_assert_int_eq(metric->target_period.start_day, 18353);
    ck_assert_int_eq(metric->scoring.target_day, 18353);
    ck_assert(metric->scoring.rag_green == 95);
    ck_assert(metric->scoring.rag_amber == 80.5);
    ck_assert(metric->confidence == 95);
    ck_assert_uint_eq(metric->scoring.spc_baseline, 12);
    ck_assert_int_eq(metric->scoring.spc_screen_outliers, 1);
    ck_assert(metric->time_limit == 5);
    ck_assert_uint_eq(metric->parameter_count, 2);
    ck_assert_str_eq(metric->parameters[0].key, "unit_cost");
    ck_assert_str_eq(metric->parameters[0].value, "8632");
    ck_assert_str_eq(metric->parameters[1].key, "label");
    ck_assert_str_eq(metric->parameters[1].value, "Birkenhead ESA/IB");

    const oc__config_metric *relative = &config->metrics[1];
    ck_assert_str_eq(relative->name, "wirral_relative");
    ck_assert_uint_eq(relative->store_index, 2);
    ck_assert(relative->all_areas);
    ck_assert_ptr_null(relative->frame);
    ck_assert_int_eq(relative->scoring.target_kind, OC__TARGET_RELATIVE);
    ck_assert(relative->scoring.target_amount == -10);
    /* inherited from [outcomes] */
    ck_assert_str_eq(relative->baseline_text, "2013/14 Q4");
    ck_assert_int_eq(relative->baseline.start_day, 16071);
    ck_assert(relative->confidence == 99.8);
    ck_assert(relative->time_limit == 30.5);
    ck_assert_ptr_null(oc__config_find_metric(config, "missing"));
    oc__config_free(config);
}
END_TEST

START_TEST(test_defaults)
{
    oc__config *config = load_ok(MINIMAL);
    ck_assert(config->period_is_latest);
    ck_assert_str_eq(config->period_text, "latest");
    ck_assert_ptr_null(config->baseline_text);
    ck_assert_ptr_null(config->output);
    ck_assert_ptr_null(config->plugin_dir);
    ck_assert_int_eq(config->format, OC_OUTPUT_TABLE);
    ck_assert_int_eq(config->jobs, 0);
    ck_assert(config->time_limit == 60);
    ck_assert(config->confidence == 95);
    ck_assert_int_eq(config->allow_insecure_plugins, 0);
    const oc__config_metric *metric = &config->metrics[0];
    ck_assert_str_eq(metric->name, "esa");
    ck_assert_uint_eq(metric->store_index, OC__CONFIG_ANY_STORE);
    ck_assert(metric->all_areas);
    ck_assert_uint_eq(metric->area_count, 0);
    ck_assert_ptr_null(metric->comparator);
    ck_assert_ptr_null(metric->benchmark);
    ck_assert(isnan(metric->intervention_cost));
    ck_assert_ptr_null(metric->baseline_text);
    ck_assert_int_eq(metric->scoring.target_kind, OC__TARGET_NONE);
    ck_assert(metric->scoring.rag_green == 100);
    ck_assert(metric->scoring.rag_amber == 90);
    ck_assert_uint_eq(metric->scoring.spc_baseline, 0);
    ck_assert_int_eq(metric->scoring.spc_screen_outliers, 0);
    ck_assert(metric->confidence == 95);
    ck_assert(metric->time_limit == 60);
    ck_assert_uint_eq(metric->input_count, 0);
    ck_assert_uint_eq(metric->parameter_count, 0);
    ck_assert_ptr_null(metric->parameter_values);
    oc__config_free(config);
}
END_TEST

START_TEST(test_values_and_variants)
{
    oc__config *config = load_ok(
        "[outcomes]\nstore = a.h5, a.h5\nperiod = latest\nformat = csv\n"
        "allow_insecure_plugins = OFF\n"
        "[one]\nplugin = worklessness\nareas = all\nstore = a.h5\ntarget = +5%\n"
        "baseline = 2016/17\ntarget_date = 2017/18 Q1\n"
        "spc_screen_outliers = 0\nrag_green = 90\nrag_amber = 90\n"
        "[two]\nplugin = x2\nstore = /elsewhere/a.h5\nareas = parents\n");
    ck_assert_uint_eq(config->store_count, 2); /* a.h5 listed twice is one store */
    ck_assert_uint_eq(config->global_store_count, 1);
    ck_assert(config->period_is_latest);
    ck_assert_int_eq(config->format, OC_OUTPUT_CSV);
    ck_assert_int_eq(config->allow_insecure_plugins, 0);
    ck_assert(config->metrics[0].all_areas);
    ck_assert_uint_eq(config->metrics[0].store_index, 0);
    ck_assert_int_eq(config->metrics[0].scoring.target_kind, OC__TARGET_RELATIVE);
    ck_assert(config->metrics[0].scoring.target_amount == 5);
    ck_assert_uint_eq(config->metrics[1].store_index, 1);
    ck_assert(config->metrics[1].all_parents && !config->metrics[1].all_areas);
    ck_assert(!config->metrics[0].all_parents);
    ck_assert_uint_eq(config->metrics[1].area_count, 0);
    oc__config_free(config);

    /* a file name with no directory part resolves against the working
     * directory, which is where the file is */
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    write_file("outcomes.ini", MINIMAL);
    ck_assert_int_eq(chdir(directory), 0);
    oc_error error;
    oc__config *local = NULL;
    int status = oc__config_load("outcomes.ini", &local, &error);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_int_eq(status, OC_OK);
    ck_assert_ptr_null(local->directory);
    ck_assert_str_eq(local->stores[0], "data.h5");
    oc__config_free(local);
}
END_TEST

/* The exact message of the issue, with the file named as the user typed it. */
START_TEST(test_message_names_file_section_key)
{
    write_file("outcomes.ini", "[outcomes]\nstore = s.h5\nbaseline = 2014-02\n"
                               "[birkenhead_esa]\nplugin = worklessness\ntarget = 6930\n"
                               "target_date = 2017-02-30\n");
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(directory), 0);
    oc_error error;
    oc__config *config = NULL;
    int status = oc__config_load("outcomes.ini", &config, &error);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_int_eq(status, OC_ERROR_CONFIG);
    /* the file as given, then section and key (the period parser may add
     * a reason after this) */
    static const char expected[] = "outcomes.ini: [birkenhead_esa] target_date: '2017-02-30' "
                                   "is not a valid date";
    ck_assert_msg(strncmp(error.message, expected, strlen(expected)) == 0, "message: %s",
                  error.message);
}
END_TEST

START_TEST(test_global_key_errors)
{
    assert_load_fails("[outcomes]\nstore = s.h5\ncolour = red\n[m]\nplugin = p\n",
                      "[outcomes] colour: unknown key", NULL);
    assert_load_fails("[outcomes]\nstore =\n[m]\nplugin = p\n", "[outcomes] store: empty", NULL);
    assert_load_fails("[outcomes]\nstore = ,\n[m]\nplugin = p\n",
                      "[outcomes] store: the list is empty", NULL);
    assert_load_fails("[outcomes]\nstore = s\nperiod = 2016Q5\n[m]\nplugin = p\n",
                      "[outcomes] period: '2016Q5' is not a valid period", NULL);
    assert_load_fails("[outcomes]\nstore = s\nperiod = 2017-02-29\n[m]\nplugin = p\n",
                      "[outcomes] period: '2017-02-29' is not a valid date", NULL);
    assert_load_fails("[outcomes]\nstore = s\nbaseline = latest\n[m]\nplugin = p\n",
                      "[outcomes] baseline: 'latest' is not a valid period", NULL);
    assert_load_fails("[outcomes]\nstore = s\nformat = xml\n[m]\nplugin = p\n",
                      "[outcomes] format: ", "xml", NULL);
    assert_load_fails("[outcomes]\nstore = s\njobs = 0\n[m]\nplugin = p\n",
                      "[outcomes] jobs: '0' is out of range", NULL);
    assert_load_fails("[outcomes]\nstore = s\njobs = -3\n[m]\nplugin = p\n",
                      "[outcomes] jobs: '-3' is out of range", NULL);
    assert_load_fails("[outcomes]\nstore = s\njobs = 2.5\n[m]\nplugin = p\n",
                      "[outcomes] jobs: '2.5' is not a whole number", NULL);
    assert_load_fails("[outcomes]\nstore = s\ntime_limit = 0\n[m]\nplugin = p\n",
                      "[outcomes] time_limit: '0' is not a positive number", NULL);
    assert_load_fails("[outcomes]\nstore = s\ntime_limit = -1\n[m]\nplugin = p\n",
                      "[outcomes] time_limit: '-1' is out of range", NULL);
    assert_load_fails("[outcomes]\nstore = s\nconfidence = 90\n[m]\nplugin = p\n",
                      "[outcomes] confidence: '90' is not a supported confidence level", NULL);
    assert_load_fails("[outcomes]\nstore = s\nallow_insecure_plugins = maybe\n[m]\nplugin = p\n",
                      "[outcomes] allow_insecure_plugins: 'maybe' is not a boolean", NULL);
}
END_TEST

/* [outcomes] is checked at once: a metric key there is sent to the metric's
 * section, a near miss of a key of either kind gets a "did you mean". */
START_TEST(test_global_key_misplaced_or_mistyped)
{
    assert_load_fails("[outcomes]\nstore = s\ntarget = -10%\n[m]\nplugin = p\n",
                      "[outcomes] target: 'target' is a metric key: put it in the metric's "
                      "section", NULL);
    assert_load_fails("[outcomes]\nstore = s\ninput.claimants = C\n[m]\nplugin = p\n",
                      "[outcomes] input.claimants: 'input.claimants' is a metric key", NULL);
    assert_load_fails("[outcomes]\nstore = s\njbos = 2\n[m]\nplugin = p\n",
                      "[outcomes] jbos: unknown key: did you mean 'jobs'?", NULL);
    assert_load_fails("[outcomes]\nstore = s\nperoid = 2016\n[m]\nplugin = p\n",
                      "[outcomes] peroid: unknown key: did you mean 'period'?", NULL);
    assert_load_fails("[outcomes]\nstore = s\nspc_basline = 3\n[m]\nplugin = p\n",
                      "[outcomes] spc_basline: unknown key: did you mean 'spc_baseline'? "
                      "(a metric key: put it in the metric's section)", NULL);
    oc__config *config = (oc__config *)1;
    oc_error error;
    const char *path = write_file("outcomes.ini", "[outcomes]\nstore = s\ncolour = red\n"
                                                  "[m]\nplugin = p\n");
    ck_assert_int_eq(oc__config_load(path, &config, &error), OC_ERROR_CONFIG);
    char expected[4500];
    snprintf(expected, sizeof expected,
             "%s: [outcomes] colour: unknown key (known: store, plugin_dir, period, baseline, "
             "output, format, jobs, time_limit, confidence, allow_insecure_plugins; metric "
             "keys and plugin parameters go in the metric's section)", path);
    ck_assert_str_eq(error.message, expected);
}
END_TEST

/* iniparser_getint would read these as 0 or wrap them; we refuse them. */
START_TEST(test_numbers_are_checked_whole)
{
    assert_load_fails("[outcomes]\nstore = s\njobs = 4x\n[m]\nplugin = p\n",
                      "[outcomes] jobs: '4x' is not a whole number", NULL);
    assert_load_fails("[outcomes]\nstore = s\njobs = abc\n[m]\nplugin = p\n",
                      "[outcomes] jobs: 'abc' is not a whole number", NULL);
    assert_load_fails("[outcomes]\nstore = s\njobs = 99999999999999999999\n[m]\nplugin = p\n",
                      "[outcomes] jobs: ", "is not a whole number", NULL);
    assert_load_fails("[outcomes]\nstore = s\ntime_limit = nan\n[m]\nplugin = p\n",
                      "[outcomes] time_limit: 'nan' is not a finite number", NULL);
    assert_load_fails("[outcomes]\nstore = s\ntime_limit = inf\n[m]\nplugin = p\n",
                      "[outcomes] time_limit: 'inf' is not a finite number", NULL);
    assert_load_fails("[outcomes]\nstore = s\ntime_limit = 1e999\n[m]\nplugin = p\n",
                      "[outcomes] time_limit: '1e999' is not a finite number", NULL);
    assert_load_fails("[outcomes]\nstore = s\ntime_limit = 1e6\n[m]\nplugin = p\n",
                      "[outcomes] time_limit: '1e6' is out of range", NULL);
    assert_load_fails("[outcomes]\nstore = s\ntime_limit = 30 s\n[m]\nplugin = p\n",
                      "[outcomes] time_limit: '30 s' is not a finite number", NULL);
    assert_load_fails(MINIMAL "rag_green = 1e400\n",
                      "[esa] rag_green: '1e400' is not a finite number", NULL);
    assert_load_fails(MINIMAL "rag_green = NaN\n", "[esa] rag_green: 'NaN' is not a finite", NULL);
    /* strtod would take these as 16 and 5. */
    assert_load_fails(MINIMAL "rag_green = 0x10\n", "[esa] rag_green: '0x10' is not a finite", NULL);
    assert_load_fails(MINIMAL "rag_amber = \" 5\"\n", "[esa] rag_amber: ' 5' is not a finite", NULL);
    assert_load_fails(MINIMAL "spc_baseline = -1\n", "[esa] spc_baseline: '-1' is out of range",
                      NULL);
    assert_load_fails(MINIMAL "spc_baseline = 12.5\n",
                      "[esa] spc_baseline: '12.5' is not a whole number", NULL);
    assert_load_fails(MINIMAL "target = 10 %\n", "[esa] target: '10 %' is not a target", NULL);
    assert_load_fails(MINIMAL "target = %\n", "[esa] target: '%' is not a target", NULL);
    assert_load_fails(MINIMAL "target = nan%\n", "[esa] target: 'nan%' is not a target", NULL);
    assert_load_fails(MINIMAL "target = lots\n", "[esa] target: 'lots' is not a target", NULL);
    assert_load_fails(MINIMAL "target = -150%\n", "[esa] target: '-150%' is below -100%", NULL);
    /* Values so large that the trajectory between them overflows (a
     * result with no target value but a red RAG), or a typing mistake. */
    assert_load_fails(MINIMAL "target = 1e308%\n",
                      "[esa] target: '1e308%' is above +1e+06%, 10001 times the baseline: "
                      "write an absolute target", NULL);
    assert_load_fails(MINIMAL "target = 1000001%\n", "[esa] target: '1000001%' is above", NULL);
    assert_load_fails(MINIMAL "target = 1.7e308\n",
                      "[esa] target: '1.7e308' is out of range (-1e+15 to 1e+15)", NULL);
    assert_load_fails(MINIMAL "target = -1000000000000001\n",
                      "[esa] target: '-1000000000000001' is out of range", NULL);
    oc__config_free(load_ok(MINIMAL "baseline = 2014\ntarget = 1e6%\ntarget_date = 2020\n"));
    oc__config_free(load_ok(MINIMAL "baseline = 2014\ntarget = -1e15\ntarget_date = 2020\n"));
}
END_TEST

START_TEST(test_metric_key_errors)
{
    assert_load_fails("[outcomes]\nstore = s\n[esa]\nframe = lsoa\n",
                      "[esa] plugin: missing", NULL);
    assert_load_fails("[outcomes]\nstore = s\n[esa]\nplugin = ../evil\n",
                      "[esa] plugin: '../evil' is not a bare plugin name", NULL);
    assert_load_fails("[outcomes]\nstore = s\n[esa]\nplugin = /usr/lib/x.so\n",
                      "[esa] plugin: '/usr/lib/x.so' is not a bare plugin name", NULL);
    assert_load_fails("[outcomes]\nstore = s\n[esa]\nplugin = Worklessness\n",
                      "[esa] plugin: 'Worklessness' is not a bare plugin name", NULL);
    assert_load_fails("[outcomes]\nstore = s\n[esa]\nplugin =\n", "[esa] plugin: empty", NULL);
    assert_load_fails("[esa]\nplugin = p\n", "[esa] store: missing", NULL);
    assert_load_fails(MINIMAL "frame =\n", "[esa] frame: empty value", NULL);
    assert_load_fails(MINIMAL "areas = A1 all\n", "[esa] areas: 'all' must stand alone", NULL);
    assert_load_fails(MINIMAL "areas = parents A1\n", "[esa] areas: 'parents' must stand alone", NULL);
    assert_load_fails(MINIMAL "areas = A1, A2, A1\n", "[esa] areas: 'A1' listed twice", NULL);
    assert_load_fails(MINIMAL "areas = ,,\n", "[esa] areas: the list is empty", NULL);
    assert_load_fails(MINIMAL "comparator = A1 A2\n",
                      "[esa] comparator: 'A1 A2' is not one area code", NULL);
    assert_load_fails(MINIMAL "benchmark = E92000001,W92000004\n",
                      "[esa] benchmark: 'E92000001,W92000004' is not one area code", NULL);
    assert_load_fails(MINIMAL "benchmark =\n", "[esa] benchmark: empty value", NULL);
    /* The cost of one area's intervention, in pounds above 0. */
    assert_load_fails(MINIMAL "areas = A1\nintervention_cost = 0\n",
                      "[esa] intervention_cost: '0': the cost must be at least 1 (pounds;",
                      NULL);
    /* £0.5 is a cost in millions written as pounds; 5e-324 would overflow
     * the ratio into a silent null. */
    assert_load_fails(MINIMAL "areas = A1\nintervention_cost = 0.5\n",
                      "[esa] intervention_cost: '0.5': the cost must be at least 1", NULL);
    assert_load_fails(MINIMAL "areas = A1\nintervention_cost = 5e-324\n",
                      "[esa] intervention_cost: '5e-324': the cost must be at least 1", NULL);
    assert_load_fails(MINIMAL "areas = A1\nintervention_cost = -2500000\n",
                      "[esa] intervention_cost: '-2500000': the cost must be at least 1", NULL);
    assert_load_fails(MINIMAL "areas = A1\nintervention_cost = lots\n",
                      "[esa] intervention_cost:", NULL);
    assert_load_fails(MINIMAL "areas = A1\nintervention_cost = 2e12\n",
                      "[esa] intervention_cost: '2e12' is out of range (1 to 1e+12)", NULL);
    assert_load_fails(MINIMAL "areas = A1 A2\nintervention_cost = 2500000\n",
                      "[esa] intervention_cost: needs exactly one area in areas", NULL);
    assert_load_fails(MINIMAL "intervention_cost = 2500000\n", /* areas = all */
                      "[esa] intervention_cost: needs exactly one area", NULL);
    assert_load_fails(MINIMAL "input.claimants =\n", "[esa] input.claimants: empty value", NULL);
    assert_load_fails(MINIMAL "input. = x\n", "[esa] input.: '' is not an input role", NULL);
    assert_load_fails(MINIMAL "input.a-b = x\n", "[esa] input.a-b: 'a-b' is not an input role",
                      NULL);
    assert_load_fails(MINIMAL "baseline = 2016-13\n",
                      "[esa] baseline: '2016-13' is not a valid period", NULL);
    assert_load_fails(MINIMAL "baseline = 2016/18\n",
                      "[esa] baseline: '2016/18' is not a valid period", NULL);
    assert_load_fails(MINIMAL "baseline = 2014\ntarget = 5\n",
                      "[esa] target_date: missing", NULL);
    assert_load_fails(MINIMAL "target = 5\ntarget_date = 2020\n", "[esa] baseline: missing", NULL);
    assert_load_fails(MINIMAL "baseline = 2014\ntarget_date = 2020\n",
                      "[esa] target_date: given without a target", NULL);
    assert_load_fails(MINIMAL "baseline = 2016Q4\ntarget = 5\ntarget_date = 2016-12-31\n",
                      "[esa] target_date: '2016-12-31' is not after the baseline '2016Q4'",
                      NULL);
    /* A year span may be academic (September) in the frame, not known
     * yet: 2016/17 then starts after a June 2016 baseline, and the engine
     * decides. Neither reading puts 2016/17 after a 2017 baseline. */
    oc__config_free(load_ok(MINIMAL "baseline = 2016-06\ntarget = 5\ntarget_date = 2016/17\n"));
    assert_load_fails(MINIMAL "baseline = 2017-01\ntarget = 5\ntarget_date = 2016/17\n",
                      "[esa] target_date: '2016/17' is not after the baseline '2017-01'", NULL);
    assert_load_fails(MINIMAL "baseline = 2016Q4\ntarget = 5\ntarget_date = 2016Q3\n",
                      "[esa] target_date: '2016Q3' is not after the baseline", NULL);
#define TARGETED MINIMAL "baseline = 2013-11\ntarget = -10%\ntarget_date = 2017-04\n"
    assert_load_fails(MINIMAL "baseline = 2013-11\nmilestones = -3% by 2015-04\n",
                      "[esa] milestones: given without a target", NULL);
    assert_load_fails(TARGETED "milestones = -3% by 2013-04\n",
                      "[esa] milestones: '2013-04' is not after the baseline '2013-11'", NULL);
    assert_load_fails(TARGETED "milestones = -6% by 2016-04, -3% by 2015-04\n",
                      "[esa] milestones: '2015-04' is not after the milestone before it, "
                      "'2016-04' (list them in date order)", NULL);
    assert_load_fails(TARGETED "milestones = -3% by 2015-04, -4% by 2015-04\n",
                      "[esa] milestones: '2015-04' is not after the milestone before it", NULL);
    assert_load_fails(TARGETED "milestones = -9% by 2017-04\n",
                      "[esa] milestones: '2017-04' is not before the target_date '2017-04'",
                      NULL);
    assert_load_fails(TARGETED "milestones = -3% 2015-04\n",
                      "[esa] milestones: '-3% 2015-04' is not a milestone: write a target by a "
                      "period", NULL);
    assert_load_fails(TARGETED "milestones = lots by 2015-04\n",
                      "[esa] milestones: milestone 'lots by 2015-04': 'lots' is not a target",
                      NULL);
    assert_load_fails(TARGETED "milestones = 1.7e308 by 2015-04, -1.7e308 by 2016-04\n",
                      "[esa] milestones: milestone '1.7e308 by 2015-04': '1.7e308' is out of "
                      "range (-1e+15 to 1e+15)", NULL);
    assert_load_fails(TARGETED "milestones = -5% by 2015-04, 2e6% by 2016-04\n",
                      "[esa] milestones: milestone '2e6% by 2016-04': '2e6%' is above +1e+06%",
                      NULL);
    assert_load_fails(TARGETED "milestones = -3% by 2015-13\n",
                      "[esa] milestones: milestone '-3% by 2015-13': '2015-13' is not a valid "
                      "period", NULL);
    assert_load_fails(MINIMAL "spc_rebase = 2015-13\n",
                      "[esa] spc_rebase: '2015-13' is not a valid period", NULL);
    assert_load_fails(MINIMAL "spc_rebase = 2015-04, , 2016-04\n",
                      "[esa] spc_rebase: an empty period", NULL);
    assert_load_fails(MINIMAL "spc_rebase = 2015-04 2016-04\n",
                      "[esa] spc_rebase: '2015-04 2016-04' is not a valid period", NULL);
    assert_load_fails(TARGETED "milestones = -3% by 2015-04,, -6% by 2016-04\n",
                      "[esa] milestones: an empty milestone", NULL);
    /* A trailing comma is an item left out, not a list that ends. */
    assert_load_fails(TARGETED "milestones = -5% by 2015-04, -8% by 2016-04,\n",
                      "[esa] milestones: an empty milestone", NULL);
    assert_load_fails(TARGETED "milestones = -5% by 2015-04, -8% by 2016-04 , \t\n",
                      "[esa] milestones: an empty milestone", NULL);
    assert_load_fails(TARGETED "milestones = , -5% by 2015-04\n",
                      "[esa] milestones: an empty milestone", NULL);
    assert_load_fails(TARGETED "milestones = \",\"\n", "[esa] milestones: an empty milestone",
                      NULL);
    assert_load_fails(MINIMAL "spc_rebase = 2014-04, 2016-04,\n",
                      "[esa] spc_rebase: an empty period", NULL);
    assert_load_fails(MINIMAL "spc_rebase = 2014-04,2016-04,,\n",
                      "[esa] spc_rebase: an empty period", NULL);
    assert_load_fails(MINIMAL "spc_rebase = 2014-04,,2016-04\n",
                      "[esa] spc_rebase: an empty period", NULL);
    char long_item[400] = TARGETED "milestones = -3";
    memset(long_item + strlen(long_item), '0', 200);
    strcat(long_item, " by 2015-04\n");
    assert_load_fails(long_item, "[esa] milestones: a milestone longer than 159 bytes", NULL);
    char many[1024] = TARGETED "milestones = ";
    for (int m = 0; m <= OC__MAX_MILESTONES; m++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s-1%% by 2014-%02d",
                 m ? ", " : "", m % 12 + 1);
    strcat(many, "\n");
    assert_load_fails(many, "[esa] milestones: more than 24 milestones", NULL);
#undef TARGETED
    assert_load_fails(MINIMAL "rag_green = 80\nrag_amber = 85\n",
                      "[esa] rag_amber: 85 is above rag_green 80", NULL);
    assert_load_fails(MINIMAL "rag_amber = -1\n", "[esa] rag_amber: '-1' is out of range", NULL);
    assert_load_fails(MINIMAL "confidence = 99\n",
                      "[esa] confidence: '99' is not a supported confidence level", NULL);
    assert_load_fails(MINIMAL "spc_screen_outliers = sometimes\n",
                      "[esa] spc_screen_outliers: 'sometimes' is not a boolean", NULL);
    assert_load_fails(MINIMAL "time_limit = 0\n", "[esa] time_limit: '0' is not a positive",
                      NULL);
    assert_load_fails(MINIMAL "[birkenhead-esa]\nplugin = p\n",
                      "[birkenhead-esa]: not a valid metric name", NULL);
    /* iniparser files keys as "section:key", so a ':' in a section name
     * must not make the section look like a key and vanish unevaluated */
    assert_load_fails(MINIMAL "[birkenhead:esa]\nplugin = p\n",
                      "[birkenhead:esa]: not a valid metric name", NULL);
}
END_TEST

START_TEST(test_files_that_cannot_be_used)
{
    oc__config *config = (oc__config *)1;
    oc_error error;
    char path[4300];
    snprintf(path, sizeof path, "%s/absent.ini", directory);
    ck_assert_int_eq(oc__config_load(path, &config, &error), OC_ERROR_CONFIG);
    ck_assert_ptr_null(config);
    ck_assert(strstr(error.message, "absent.ini: cannot be read: No such file") != NULL);
    ck_assert_int_eq(oc__config_load(directory, &config, &error), OC_ERROR_CONFIG);
    ck_assert(strstr(error.message, "is a directory") != NULL);
    ck_assert_int_eq(oc__config_load("", &config, &error), OC_ERROR_CONFIG);
    if (geteuid() != 0) { /* root reads anything */
        write_file("locked.ini", MINIMAL);
        ck_assert_int_eq(chmod(config_path, 0), 0);
        ck_assert_int_eq(oc__config_load(config_path, &config, &error), OC_ERROR_CONFIG);
        ck_assert(strstr(error.message, "locked.ini: cannot be read: Permission denied") != NULL);
    }
    assert_load_fails("", "outcomes.ini: no metric sections", NULL);
    assert_load_fails("; only a comment\n\n", "no metric sections", NULL);
    assert_load_fails("[outcomes]\nstore = s.h5\n", "no metric sections", NULL);
}
END_TEST

/* Runs oc__config_load with stderr sent to a file, and returns how many
 * bytes were written to stderr: iniparser must print nothing. */
static long load_counting_stderr(const char *text, oc_error *error, int *status)
{
    char capture_path[4300];
    snprintf(capture_path, sizeof capture_path, "%s/stderr.txt", directory);
    int capture = open(capture_path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    ck_assert_int_ge(capture, 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(capture, 2);
    oc__config *config = NULL;
    *status = oc__config_load(write_file("outcomes.ini", text), &config, error);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(capture);
    oc__config_free(config);
    struct stat information;
    ck_assert_int_eq(stat(capture_path, &information), 0);
    return (long)information.st_size;
}

START_TEST(test_syntax_errors_are_one_line)
{
    oc_error error;
    int status;
    long printed = load_counting_stderr(MINIMAL "this line has no equals sign\n", &error, &status);
    ck_assert_int_eq(status, OC_ERROR_CONFIG);
    ck_assert_int_eq(printed, 0);
    ck_assert_msg(strstr(error.message, "outcomes.ini: line 5: syntax error: 'this line has "
                                        "no equals sign'") != NULL, "%s", error.message);
    ck_assert(strchr(error.message, '\n') == NULL);

    /* a section header with trailing text */
    printed = load_counting_stderr("[outcomes] x\nstore = s\n[m]\nplugin = p\n", &error, &status);
    ck_assert_int_eq(status, OC_ERROR_CONFIG);
    ck_assert_int_eq(printed, 0);
    ck_assert(strstr(error.message, "line 1: syntax error") != NULL);

    /* iniparser reads at most 1024 characters a line */
    char long_file[3000];
    snprintf(long_file, sizeof long_file, MINIMAL "label = %02000d\n", 7);
    printed = load_counting_stderr(long_file, &error, &status);
    ck_assert_int_eq(status, OC_ERROR_CONFIG);
    ck_assert_int_eq(printed, 0);
    ck_assert_msg(strstr(error.message, "outcomes.ini: line 5: line too long") != NULL, "%s",
                  error.message);

    /* the callback is restored: a later good load still works */
    printed = load_counting_stderr(MINIMAL, &error, &status);
    ck_assert_int_eq(status, OC_OK);
    ck_assert_int_eq(printed, 0);
}
END_TEST

START_TEST(test_duplicates_and_stray_keys)
{
    assert_load_fails(MINIMAL "frame = a\nframe = b\n",
                      "[esa] frame: key given twice (lines 5 and 6)", NULL);
    /* iniparser lower-cases keys, so these are the same key */
    assert_load_fails(MINIMAL "Frame = a\nFRAME = b\n", "[esa] frame: key given twice", NULL);
    assert_load_fails(MINIMAL "input.claimants = A\ninput.Claimants = B\n",
                      "[esa] input.claimants: key given twice", NULL);
    assert_load_fails(MINIMAL "[ESA]\nframe = x\n",
                      "[esa]: section given twice (lines 3 and 5)", NULL);
    assert_load_fails("[outcomes]\nstore = a\n[outcomes]\nstore = b\n[m]\nplugin = p\n",
                      "[outcomes]: section given twice", NULL);
    assert_load_fails("store = s.h5\n[m]\nplugin = p\n",
                      "line 1: key 'store' comes before any section", NULL);
    /* iniparser keeps the section before a nameless one: its keys would
     * replace [esa]'s without a word */
    assert_load_fails(MINIMAL "[]\nareas = Z9\n", "line 5: a section needs a name: '[]'", NULL);
    /* Notepad's UTF-8 */
    assert_load_fails("\xEF\xBB\xBF" MINIMAL, "line 1: starts with a byte-order mark", NULL);
    /* a key of the same name in another section is no duplicate */
    oc__config *config = load_ok(MINIMAL "frame = a\n[other]\nplugin = p\nframe = a\n");
    ck_assert_uint_eq(config->metric_count, 2);
    oc__config_free(config);
}
END_TEST

/* The duplicate checks look names up in a hash table, not a list; they
 * must still find a duplicate among thousands of names sharing a long
 * prefix (which defeats a hash of the first characters only), forget a
 * section's keys when the next section starts, and give both lines. */
START_TEST(test_duplicates_among_many_names)
{
    enum { KEY_COUNT = 10000, SECTION_COUNT = 2000 };
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(stream);
    fputs(MINIMAL, stream); /* 4 lines: key i is on line 5 + i */
    for (int i = 0; i < KEY_COUNT; i++)
        fprintf(stream, "a_parameter_with_a_long_shared_prefix.%05d = %d\n", i, i);
    fputs("[other]\nplugin = p\n", stream);
    for (int i = 0; i < KEY_COUNT; i++)
        fprintf(stream, "a_parameter_with_a_long_shared_prefix.%05d = %d\n", i, i);
    ck_assert_int_eq(fflush(stream), 0);
    oc__config *config = load_ok(text);
    ck_assert_uint_eq(config->metric_count, 2);
    oc__config_free(config);

    /* the same key again (in another case) at the end of [other] */
    fprintf(stream, "A_Parameter_With_A_Long_Shared_Prefix.04321 = again\n");
    ck_assert_int_eq(fflush(stream), 0);
    assert_load_fails(text, "[other] a_parameter_with_a_long_shared_prefix.04321: key given twice",
                      "(lines 14328 and 20007)", NULL);
    ck_assert_int_eq(fclose(stream), 0);
    free(text);

    stream = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(stream);
    fputs(MINIMAL, stream); /* section i starts on line 5 + 2 i */
    for (int i = 0; i < SECTION_COUNT; i++)
        fprintf(stream, "[metric_with_a_long_shared_prefix_%04d]\nplugin = p\n", i);
    fprintf(stream, "[Metric_With_A_Long_Shared_Prefix_0999]\nplugin = p\n");
    ck_assert_int_eq(fclose(stream), 0);
    assert_load_fails(text, "[metric_with_a_long_shared_prefix_0999]: section given twice",
                      "(lines 2003 and 4005)", NULL);
    free(text);
}
END_TEST

/* Each section's keys are found in one pass over the dictionary; every
 * key must still reach its own section among thousands, also one whose
 * name starts with another's ([m_1] and [m_10]), and the global keys
 * that come after the metric sections. */
START_TEST(test_keys_reach_their_sections_among_many)
{
    enum { SECTION_COUNT = 3000 };
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(stream);
    for (int i = 0; i < SECTION_COUNT; i++)
        fprintf(stream, "[m_%d]\nplugin = p%d\nframe = f%d\n", i, i, i);
    fputs("[outcomes]\nstore = data.h5\n", stream);
    ck_assert_int_eq(fclose(stream), 0);
    oc__config *config = load_ok(text);
    free(text);
    ck_assert_uint_eq(config->metric_count, SECTION_COUNT);
    ck_assert_uint_eq(config->store_count, 1);
    for (size_t m = 0; m < config->metric_count; m++) {
        char expected[32];
        int i = atoi(config->metrics[m].name + strlen("m_"));
        snprintf(expected, sizeof expected, "p%d", i);
        ck_assert_str_eq(config->metrics[m].plugin, expected);
        snprintf(expected, sizeof expected, "f%d", i);
        ck_assert_str_eq(config->metrics[m].frame, expected);
    }
    oc__config_free(config);
}
END_TEST

START_TEST(test_iniparser_traps)
{
    /* keys and sections are lower-cased, values keep their case; an
     * unquoted ; or # starts a comment; quotes keep them */
    oc__config *config = load_ok(
        "[Outcomes]\nSTORE = Data/Store.H5 ; where the data are\n"
        "[Birkenhead_ESA]\nPlugin = worklessness # the plugin\n"
        "Input.Claimants = ESA_IB_Claimants\n"
        "frame = \"Frame;With#Marks\"\n"
        "label = 'single ; quoted'\n"
        "note = \n"
        "areas = A1 \\\n  A2\n");
    char expected[4400];
    snprintf(expected, sizeof expected, "%s/Data/Store.H5", directory);
    ck_assert_str_eq(config->stores[0], expected);
    const oc__config_metric *metric = &config->metrics[0];
    ck_assert_str_eq(metric->name, "birkenhead_esa");
    ck_assert_str_eq(metric->plugin, "worklessness");
    ck_assert_str_eq(oc__config_metric_input(metric, "claimants"), "ESA_IB_Claimants");
    ck_assert_str_eq(metric->frame, "Frame;With#Marks");
    ck_assert_uint_eq(metric->parameter_count, 2);
    ck_assert_str_eq(metric->parameters[0].value, "single ; quoted");
    ck_assert_str_eq(metric->parameters[1].key, "note");
    ck_assert_str_eq(metric->parameters[1].value, "");
    /* a backslash continues a value on the next line */
    ck_assert_uint_eq(metric->area_count, 2);
    ck_assert_str_eq(metric->areas[1], "A2");
    oc__config_free(config);

    /* a global key named like a section is just an unknown key (asking
     * iniparser for a section as a key would crash) */
    assert_load_fails("[outcomes]\nstore = s\nesa = 1\n[esa]\nplugin = p\n",
                      "[outcomes] esa: unknown key", NULL);
    /* a comment ending in a backslash swallows the next line, as in
     * iniparser: the plugin key is gone, and we say so */
    assert_load_fails("[outcomes]\nstore = s\n[esa]\n; note \\\nplugin = p\n",
                      "[esa] plugin: missing", NULL);
    /* an unquoted value cut by a comment to nothing is empty */
    assert_load_fails(MINIMAL "frame = ; nothing\n", "[esa] frame: empty value", NULL);
    /* iniparser reads a quote never closed as if it were, and a quoted
     * value only to its first closing quote: both are refused, naming the
     * line, rather than read as something else */
    assert_load_fails(MINIMAL "frame = \"quarterly\n", "[esa] frame: the value opens a quote (\")",
                      "never closes (line 5)", NULL);
    assert_load_fails(MINIMAL "label = 'it's'\n", "[esa] label: text after the value's closing quote",
                      NULL);
    assert_load_fails("[outcomes]\nstore = \"a.h5\" b.h5\n[esa]\nplugin = worklessness\n",
                      "[outcomes] store: text after the value's closing quote", NULL);
    assert_load_fails(MINIMAL "label = 'single\n", "[esa] label: the value opens a quote (')", NULL);
    /* an unquoted value ends at a ; or #, which iniparser takes for a
     * comment: glued to the value it drops the rest unseen, so it is
     * refused; after a blank it is the comment it looks like */
    assert_load_fails(MINIMAL "areas = A1;A2\n",
                      "[esa] areas: ';' inside the value would end it (iniparser reads the rest "
                      "as a comment): separate items with commas", "(line 5)", NULL);
    assert_load_fails("[outcomes]\nstore = run#2.h5\n[esa]\nplugin = worklessness\n",
                      "[outcomes] store: '#' inside the value would end it", NULL);
    config = load_ok(MINIMAL "areas = A1 A2 ; and A3 later\nframe = q # the frame\n");
    ck_assert_uint_eq(config->metrics[0].area_count, 2);
    ck_assert_str_eq(config->metrics[0].frame, "q");
    oc__config_free(config);
    /* quotes inside an unquoted value, and a comment after a quoted one,
     * are as before */
    config = load_ok(MINIMAL "input.claimants = claimants\nlabel = say \"hello\"\n"
                             "frame = \"q\" ; the frame\n");
    ck_assert_str_eq(config->metrics[0].frame, "q");
    ck_assert_str_eq(config->metrics[0].parameters[0].value, "say \"hello\"");
    oc__config_free(config);
}
END_TEST

/* Difference in differences of an area against itself is 0 by
 * construction: a comparator that is also an evaluated area is a mistake. */
START_TEST(test_comparator_is_not_an_evaluated_area)
{
    assert_load_fails(MINIMAL "areas = A1 A2\ncomparator = A2\n",
                      "[esa] comparator: 'A2' is also in areas: an area cannot be its own "
                      "comparator", NULL);
    /* the order of the keys does not matter */
    assert_load_fails(MINIMAL "comparator = A1\nareas = A1\n",
                      "[esa] comparator: 'A1' is also in areas", NULL);
    oc__config *config = load_ok(MINIMAL "areas = A1 A2\ncomparator = P2\n");
    ck_assert_str_eq(config->metrics[0].comparator, "P2");
    oc__config_free(config);
    /* every area of a frame, or every parent, may include the comparator:
     * only the store knows, and the other areas' comparison is sound */
    config = load_ok(MINIMAL "areas = all\ncomparator = A1\n");
    oc__config_free(config);
    /* A benchmark may be one of the areas: its own row is "similar". */
    config = load_ok(MINIMAL "areas = A1 A2\nbenchmark = A2\n");
    ck_assert_str_eq(config->metrics[0].benchmark, "A2");
    oc__config_free(config);
    /* Milestones in order, with a period that holds a space, kept as
     * written for the engine to read again by the frame's frequency. */
    config = load_ok(MINIMAL "baseline = 2013/14\ntarget = 6930\ntarget_date = 2017/18\n"
                             "milestones = -3% by 2014/15 Q2 , 7238\tby\t2016/17\n");
    const oc__config_metric *steps = &config->metrics[0];
    ck_assert_uint_eq(steps->milestone_count, 2);
    ck_assert_str_eq(steps->milestone_texts[0], "2014/15 Q2");
    ck_assert_str_eq(steps->milestone_texts[1], "2016/17");
    ck_assert_int_eq(steps->milestones[0].kind, OC__TARGET_RELATIVE);
    ck_assert_double_eq(steps->milestones[0].amount, -3);
    ck_assert_int_eq(steps->milestones[1].kind, OC__TARGET_ABSOLUTE);
    ck_assert_double_eq(steps->milestones[1].amount, 7238);
    ck_assert_int_eq(steps->milestones[1].day, oc__days_from_civil(2016, 4, 1));
    ck_assert_ptr_eq(steps->scoring.milestones, steps->milestones);
    ck_assert_uint_eq(steps->scoring.milestone_count, 2);
    oc__config_free(config);
    /* "2016-06" is after a financial 2016/17 starts but before an
     * academic one does: kept for the engine, which knows the frame. */
    config = load_ok(MINIMAL "baseline = 2013/14\ntarget = -20%\ntarget_date = 2016/17\n"
                             "milestones = -10% by 2016-06\n");
    ck_assert_uint_eq(config->metrics[0].scoring.milestone_count, 1);
    oc__config_free(config);
    assert_load_fails(MINIMAL "baseline = 2013/14\ntarget = -20%\ntarget_date = 2016/17\n"
                              "milestones = -10% by 2016-10\n",
                      "[esa] milestones: '2016-10' is not before the target_date '2016/17'", NULL);
    /* Rebase periods as written, a space inside one; their order is the
     * engine's to check, by the frame's reading of year spans. */
    config = load_ok(MINIMAL "spc_rebase = 2016/17 Q3 ,2015-04\n");
    ck_assert_uint_eq(config->metrics[0].spc_rebase_count, 2);
    ck_assert_str_eq(config->metrics[0].spc_rebase_texts[0], "2016/17 Q3");
    ck_assert_str_eq(config->metrics[0].spc_rebase_texts[1], "2015-04");
    oc__config_free(config);
    config = load_ok(MINIMAL "areas = P1\nintervention_cost = 2.5e6\n");
    ck_assert_double_eq(config->metrics[0].intervention_cost, 2500000);
    oc__config_free(config);
}
END_TEST

/* Writes size bytes to DIRECTORY/outcomes.ini and loads it, expecting
 * one line that contains expected. */
static void assert_bytes_fail(const char *bytes, size_t size, const char *expected)
{
    snprintf(config_path, sizeof config_path, "%s/outcomes.ini", directory);
    FILE *file = fopen(config_path, "wb");
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(fwrite(bytes, 1, size, file), size);
    ck_assert_int_eq(fclose(file), 0);
    oc__config *config = (oc__config *)1;
    oc_error error;
    ck_assert_int_eq(oc__config_load(config_path, &config, &error), OC_ERROR_CONFIG);
    ck_assert_ptr_null(config);
    ck_assert_msg(strstr(error.message, expected) != NULL, "'%s' lacks '%s'", error.message,
                  expected);
    ck_assert_ptr_null(strchr(error.message, '\n'));
}

/* iniparser reads lines as C strings, so a NUL byte cut a line short and
 * was called "line too long". */
START_TEST(test_nul_byte_is_named)
{
    static const char text[] = MINIMAL "fra\0me = lsoa\n";
    char expected[4400];
    snprintf(expected, sizeof expected, "%s/outcomes.ini: line 5: contains a NUL byte (is this "
             "a text file?)", directory);
    assert_bytes_fail(text, sizeof text - 1, expected);
    assert_bytes_fail("\0", 1, "outcomes.ini: line 1: contains a NUL byte");
    /* UTF-16, as some editors save: a NUL in the first line */
    assert_bytes_fail("[\0o\0u\0t\0]\0\n\0", 12, "outcomes.ini: line 1: contains a NUL");
    /* lines are counted past the reading buffer */
    static char long_text[200000];
    size_t used = 0;
    for (int line = 0; line < 9000; line++)
        used += (size_t)snprintf(long_text + used, sizeof long_text - used,
                                 "; comment line %05d\n", line);
    long_text[used++] = '\0';
    assert_bytes_fail(long_text, used, "outcomes.ini: line 9001: contains a NUL byte");
}
END_TEST

/* /dev/zero never ends and a FIFO nobody writes to never opens: both used
 * to hang the run. Only a regular file is read. */
START_TEST(test_only_regular_files_are_read)
{
    oc__config *config = (oc__config *)1;
    oc_error error;
    ck_assert_int_eq(oc__config_load("/dev/zero", &config, &error), OC_ERROR_CONFIG);
    ck_assert_ptr_null(config);
    ck_assert_str_eq(error.message, "/dev/zero: is a character device, not a regular file "
                                    "(save the configuration in a file and give its path)");
    ck_assert_int_eq(oc__config_load("/dev/null", &config, &error), OC_ERROR_CONFIG);
    ck_assert_str_eq(error.message, "/dev/null: is a character device, not a regular file "
                                    "(save the configuration in a file and give its path)");
    char fifo[4300];
    snprintf(fifo, sizeof fifo, "%s/pipe.ini", directory);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(oc__config_load(fifo, &config, &error), OC_ERROR_CONFIG);
    ck_assert_ptr_null(config);
    ck_assert(strstr(error.message, "pipe.ini: is a FIFO, not a regular file") != NULL);
    /* a symbolic link to a regular file is read */
    char link[4300];
    snprintf(link, sizeof link, "%s/link.ini", directory);
    write_file("target.ini", MINIMAL);
    ck_assert_int_eq(symlink("target.ini", link), 0);
    ck_assert_int_eq(oc__config_load(link, &config, &error), OC_OK);
    oc__config_free(config);
}
END_TEST

/* The commented example shipped as etc/outcomes.ini must load as is. */
START_TEST(test_shipped_example_loads)
{
    oc__config *config = NULL;
    oc_error error;
    int status = oc__config_load(OC_TEST_TOP_SRCDIR "/etc/outcomes.ini", &config, &error);
    ck_assert_msg(status == OC_OK, "%s", error.message);
    ck_assert_uint_eq(config->metric_count, 1);
    const oc__config_metric *metric = &config->metrics[0];
    ck_assert_str_eq(metric->name, "birkenhead_esa");
    ck_assert_str_eq(metric->plugin, "worklessness");
    ck_assert_int_eq(metric->scoring.target_kind, OC__TARGET_RELATIVE);
    ck_assert_str_eq(metric->target_date_text, "2017-04"); /* the seeds' April 2017 */
    ck_assert_str_eq(oc__config_metric_input(metric, "claimants"), "esa_ib_claimants");
    ck_assert_uint_eq(metric->parameter_count, 1);
    oc__config_free(config);
}
END_TEST

/* ---- phase 2 ---- */

static int evaluate_nothing(oc_evaluation *evaluation, oc_error *error)
{
    (void)evaluation;
    (void)error;
    return OC_OK;
}

static const oc_input_spec test_inputs[] = {
    {"claimants", "people", "claimants", 0, OC_AGGREGATE_SUM},
    {"population", "people", "population", 1, OC_AGGREGATE_SUM},
    {NULL, NULL, NULL, 0, OC_AGGREGATE_SUM}};
static const oc_parameter_spec test_parameters[] = {
    {"unit_cost", OC_PARAMETER_NUMBER, "8632", "pounds per claimant-year"},
    {"years", OC_PARAMETER_INTEGER, "5", "years"},
    {"discount", OC_PARAMETER_BOOLEAN, "no", "discount"},
    {"label", OC_PARAMETER_STRING, NULL, "required text"},
    {"share", OC_PARAMETER_NUMBER, "0.5", "a share strictly between 0 and 1"},
    {NULL, 0, NULL, NULL}};
static const oc_parameter_range test_ranges[] = {
    {"unit_cost", 0, INFINITY, 0},
    {"years", 1, 100, 0},
    {"share", 0, 1, OC_RANGE_EXCLUSIVE_MINIMUM | OC_RANGE_EXCLUSIVE_MAXIMUM},
    {NULL, 0, 0, 0}};
static const oc_indicator_spec test_indicators[] = {
    {"count", "people", OC_LOWER_IS_BETTER, "count", 0},
    {"rate", "%", OC_LOWER_IS_BETTER, "rate", 0},
    {NULL, NULL, 0, NULL, 0}};
static const oc_plugin_descriptor test_descriptor = {
    .struct_size = sizeof test_descriptor,
    .abi_major = OC_ABI_MAJOR,
    .abi_minor = OC_ABI_MINOR,
    .name = "worklessness",
    .version = "1.0.0",
    .inputs = test_inputs,
    .parameters = test_parameters,
    .indicators = test_indicators,
    .evaluate = evaluate_nothing,
    .parameter_ranges = test_ranges};

static void assert_validation_fails(const char *extra, const char *expected)
{
    char text[2048];
    snprintf(text, sizeof text, MINIMAL "%s", extra);
    oc__config *config = load_ok(text);
    oc_error error;
    int status = oc__config_validate_metric(config, &config->metrics[0], &test_descriptor,
                                            &error);
    ck_assert_msg(status == OC_ERROR_CONFIG, "accepted: %s", extra);
    ck_assert_msg(strstr(error.message, expected) != NULL, "message '%s' lacks '%s'",
                  error.message, expected);
    ck_assert(strncmp(error.message, config->path, strlen(config->path)) == 0);
    ck_assert_ptr_null(config->metrics[0].parameter_values);
    oc__config_free(config);
}

START_TEST(test_validate_metric)
{
    oc__config *config = load_ok(MINIMAL "input.claimants = ESA_IB\nlabel = Birkenhead\n"
                                         "years = 3\ndiscount = Yes\n");
    oc__config_metric *metric = &config->metrics[0];
    oc_error error;
    ck_assert_int_eq(oc__config_validate_metric(config, metric, &test_descriptor, &error), OC_OK);
    ck_assert_uint_eq(metric->parameter_value_count, 5);
    const oc__parameter_value *values = metric->parameter_values;
    ck_assert_str_eq(values[0].name, "unit_cost");
    ck_assert_str_eq(values[0].text, "8632"); /* the descriptor's default */
    ck_assert(values[0].number == 8632);
    ck_assert_int_eq(values[1].type, OC_PARAMETER_INTEGER);
    ck_assert(values[1].number == 3);
    ck_assert(values[2].number == 1);
    ck_assert_str_eq(values[3].text, "Birkenhead");
    ck_assert_uint_eq(metric->input_measure_count, 2);
    ck_assert_str_eq(metric->input_measures[0], "ESA_IB");
    ck_assert_ptr_null(metric->input_measures[1]); /* optional and unmapped */
    ck_assert_uint_eq(metric->target_indicator_index, OC__CONFIG_NO_INDICATOR);
    /* validating again replaces the earlier results without leaking */
    ck_assert_int_eq(oc__config_validate_metric(config, metric, &test_descriptor, &error), OC_OK);
    ck_assert_uint_eq(metric->parameter_value_count, 5);
    oc__config_free(config);
}
END_TEST

START_TEST(test_validate_indicators)
{
    oc__config *config = load_ok(MINIMAL "input.claimants = C\nlabel = L\n"
                                         "indicators = rate, count\nbaseline = 2014\n"
                                         "target = -10%\ntarget_date = 2017\n"
                                         "target_indicator = rate\n");
    oc__config_metric *metric = &config->metrics[0];
    ck_assert_uint_eq(metric->indicator_count, 2);
    ck_assert_str_eq(metric->target_indicator, "rate");
    oc_error error;
    ck_assert_int_eq(oc__config_validate_metric(config, metric, &test_descriptor, &error), OC_OK);
    ck_assert_uint_eq(metric->indicator_indices[0], 1);
    ck_assert_uint_eq(metric->indicator_indices[1], 0);
    ck_assert_uint_eq(metric->target_indicator_index, 1);
    oc__config_free(config);

    assert_load_fails(MINIMAL "target_indicator = rate\n",
                      "[esa] target_indicator: given without a target", NULL);
    assert_load_fails(MINIMAL "target_indicator = Rate-2\n",
                      "[esa] target_indicator: 'Rate-2' is not an indicator name", NULL);
    assert_load_fails(MINIMAL "indicators = rate rate\n",
                      "[esa] indicators: 'rate' listed twice", NULL);
    assert_load_fails(MINIMAL "indicators = RATE\n",
                      "[esa] indicators: 'RATE' is not an indicator name", NULL);
}
END_TEST

START_TEST(test_validate_metric_errors)
{
    assert_validation_fails("input.claimants = C\nlabel = L\nindicators = rate speed\n",
                            "[esa] indicators: plugin 'worklessness' has no indicator 'speed' "
                            "(indicators: count, rate)");
    assert_validation_fails("input.claimants = C\nlabel = L\nbaseline = 2014\n"
                            "target = 5\ntarget_date = 2017\n",
                            "[esa] target_indicator: missing: plugin 'worklessness' has "
                            "several indicators (count, rate)");
    assert_validation_fails("input.claimants = C\nlabel = L\nbaseline = 2014\n"
                            "target = 5\ntarget_date = 2017\ntarget_indicator = speed\n",
                            "[esa] target_indicator: plugin 'worklessness' has no indicator "
                            "'speed'");
    assert_validation_fails("input.claimants = C\nlabel = L\ncolour = red\n",
                            "[esa] colour: unknown key: not a metric key (see "
                            "docs/configuration.md) nor a parameter of plugin 'worklessness' "
                            "(parameters: unit_cost, years, discount, label, share)");
    assert_validation_fails("input.claimants = C\nlabel = L\nunit_cost = lots\n",
                            "[esa] unit_cost: 'lots' is not a finite number");
    assert_validation_fails("input.claimants = C\nlabel = L\nyears = 2.5\n",
                            "[esa] years: '2.5' is not a whole number");
    assert_validation_fails("input.claimants = C\nlabel = L\nyears =\n",
                            "[esa] years: ");
    assert_validation_fails("input.claimants = C\nlabel = L\ndiscount = perhaps\n",
                            "[esa] discount: 'perhaps' is not a boolean");
    assert_validation_fails("input.claimants = C\n",
                            "[esa] label: missing: plugin 'worklessness' needs this parameter");
    assert_validation_fails("label = L\n",
                            "[esa] input.claimants: missing: plugin 'worklessness' needs a "
                            "measure for its input role 'claimants'");
    assert_validation_fails("input.claimants = C\nlabel = L\ninput.pop = P\n",
                            "[esa] input.pop: unknown key: plugin 'worklessness' has no input "
                            "role 'pop' (roles: claimants, population)");
}
END_TEST

/* A key of a metric section that is not its plugin's: a typo of a metric
 * key or of a parameter gets a "did you mean", an [outcomes] key is sent
 * there. Only phase 2 can say so, knowing the plugin's parameters. */
START_TEST(test_validate_misplaced_and_mistyped_keys)
{
    const char *ok = "input.claimants = C\nlabel = L\n";
    char text[512];
    snprintf(text, sizeof text, "%sspc_basline = 12\n", ok);
    assert_validation_fails(text, "[esa] spc_basline: unknown key: did you mean "
                                  "'spc_baseline'?");
    snprintf(text, sizeof text, "%stagret = -10%%\n", ok); /* letters swapped */
    assert_validation_fails(text, "[esa] tagret: unknown key: did you mean 'target'?");
    snprintf(text, sizeof text, "%sunit_cots = 5\n", ok);
    assert_validation_fails(text, "[esa] unit_cots: unknown key: did you mean 'unit_cost'?");
    snprintf(text, sizeof text, "%sdiscont = yes\n", ok);
    assert_validation_fails(text, "[esa] discont: unknown key: did you mean 'discount'?");
    snprintf(text, sizeof text, "%simput.population = P\n", ok);
    assert_validation_fails(text, "[esa] imput.population: unknown key: did you mean "
                                  "'input.population'?");
    /* a mistyped role: near, a guess; far, the roles */
    snprintf(text, sizeof text, "%sinput.popluation = P\n", ok);
    assert_validation_fails(text, "[esa] input.popluation: unknown key: did you mean "
                                  "'input.population'?");
    snprintf(text, sizeof text, "%sinput.households = H\n", ok);
    assert_validation_fails(text, "[esa] input.households: unknown key: plugin 'worklessness' "
                                  "has no input role 'households' (roles: claimants, "
                                  "population)");
    snprintf(text, sizeof text, "%sjobs = 2\n", ok);
    assert_validation_fails(text, "[esa] jobs: 'jobs' belongs in [outcomes], not in a "
                                  "metric's section");
    snprintf(text, sizeof text, "%splugin_dri = /opt/p\n", ok);
    assert_validation_fails(text, "[esa] plugin_dri: unknown key: did you mean 'plugin_dir'? "
                                  "(it belongs in [outcomes])");
    /* two edits in a short key are too many to guess from */
    snprintf(text, sizeof text, "%srate = 5\n", ok);
    assert_validation_fails(text, "[esa] rate: unknown key: not a metric key (see "
                                  "docs/configuration.md) nor a parameter of plugin "
                                  "'worklessness' (parameters: unit_cost, years, discount, "
                                  "label, share)");

    /* a plugin may still declare a parameter named like an [outcomes]
     * key, or one edit away from a metric key */
    static const oc_parameter_spec parameters[] = {{"jobs", OC_PARAMETER_INTEGER, "1", "jobs"},
                                                   {"targets", OC_PARAMETER_STRING, "x", "t"},
                                                   {NULL, 0, NULL, NULL}};
    oc_plugin_descriptor descriptor = test_descriptor;
    descriptor.parameters = parameters;
    descriptor.parameter_ranges = NULL;
    oc__config *config = load_ok(MINIMAL "input.claimants = C\njobs = 3\ntargets = a\n");
    oc_error error;
    ck_assert_int_eq(oc__config_validate_metric(config, &config->metrics[0], &descriptor,
                                                &error), OC_OK);
    ck_assert(config->metrics[0].parameter_values[0].number == 3);
    oc__config_free(config);
}
END_TEST

/* A value outside the range the plugin declares (ABI 1.2) is one
 * configuration error, not a message in every result. */
START_TEST(test_validate_parameter_ranges)
{
    char expected[4500];
    snprintf(expected, sizeof expected, "%s/outcomes.ini: [esa] unit_cost: '-1' is out of range: "
             "plugin 'worklessness' accepts at least 0", directory);
    assert_validation_fails("input.claimants = C\nlabel = L\nunit_cost = -1\n", expected);
    assert_validation_fails("input.claimants = C\nlabel = L\nyears = 0\n",
                            "[esa] years: '0' is out of range: plugin 'worklessness' accepts "
                            "1 to 100");
    assert_validation_fails("input.claimants = C\nlabel = L\nyears = 101\n",
                            "[esa] years: '101' is out of range");
    assert_validation_fails("input.claimants = C\nlabel = L\nshare = 0\n",
                            "[esa] share: '0' is out of range: plugin 'worklessness' accepts "
                            "above 0 and below 1");
    assert_validation_fails("input.claimants = C\nlabel = L\nshare = 1\n",
                            "[esa] share: '1' is out of range");
    assert_validation_fails("input.claimants = C\nlabel = L\nshare = 200\n",
                            "[esa] share: '200' is out of range");

    /* the endpoints a range includes, and values just inside one it
     * excludes, are accepted */
    oc__config *config = load_ok(MINIMAL "input.claimants = C\nlabel = L\nunit_cost = 0\n"
                                         "years = 100\nshare = 0.999\n");
    oc_error error;
    ck_assert_int_eq(oc__config_validate_metric(config, &config->metrics[0], &test_descriptor,
                                                &error), OC_OK);
    ck_assert(config->metrics[0].parameter_values[4].number == 0.999);
    oc__config_free(config);

    /* a descriptor the loader did not check: an out-of-range default is
     * the plugin's fault, not the configuration's */
    static const oc_parameter_range narrow[] = {{"unit_cost", 0, 1, 0}, {NULL, 0, 0, 0}};
    oc_plugin_descriptor descriptor = test_descriptor;
    descriptor.parameter_ranges = narrow;
    config = load_ok(MINIMAL "input.claimants = C\nlabel = L\n");
    ck_assert_int_eq(oc__config_validate_metric(config, &config->metrics[0], &descriptor,
                                                &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin 'worklessness': parameter unit_cost: default 8632 "
                                    "is out of range (0 to 1)");
    oc__config_free(config);
}
END_TEST

START_TEST(test_config_error_helper)
{
    oc__config *config = load_ok(MINIMAL);
    oc_error error;
    ck_assert_int_eq(oc__config_error(config, &config->metrics[0], "input.claimants", &error,
                                      "no measure '%s' in frame '%s'", "X", "lsoa"),
                     OC_ERROR_CONFIG);
    char expected[4500];
    snprintf(expected, sizeof expected,
             "%s: [esa] input.claimants: no measure 'X' in frame 'lsoa'", config->path);
    ck_assert_str_eq(error.message, expected);
    oc__config_error(config, NULL, "store", &error, "cannot open");
    snprintf(expected, sizeof expected, "%s: [outcomes] store: cannot open", config->path);
    ck_assert_str_eq(error.message, expected);
    oc__config_error(config, &config->metrics[0], NULL, &error, "failed");
    snprintf(expected, sizeof expected, "%s: [esa]: failed", config->path);
    ck_assert_str_eq(error.message, expected);
    oc__config_free(config);
    oc__config_free(NULL);
}
END_TEST

START_TEST(test_edit_distance)
{
    ck_assert_uint_eq(oc__config_edit_distance("", ""), 0);
    ck_assert_uint_eq(oc__config_edit_distance("jobs", "jobs"), 0);
    ck_assert_uint_eq(oc__config_edit_distance("abc", ""), 3);
    ck_assert_uint_eq(oc__config_edit_distance("", "abc"), 3);
    ck_assert_uint_eq(oc__config_edit_distance("kitten", "sitting"), 3);
    ck_assert_uint_eq(oc__config_edit_distance("spc_basline", "spc_baseline"), 1);
    ck_assert_uint_eq(oc__config_edit_distance("spc_baseline", "spc_basline"), 1);
    ck_assert_uint_eq(oc__config_edit_distance("tagret", "target"), 1); /* a swap is one */
    ck_assert_uint_eq(oc__config_edit_distance("jbos", "jobs"), 1);
    ck_assert_uint_eq(oc__config_edit_distance("ab", "ba"), 1);
    ck_assert_uint_eq(oc__config_edit_distance("tagert", "target"), 2);
    ck_assert_uint_eq(oc__config_edit_distance("rate", "frame"), 2);
    /* the optimal string alignment form edits no substring twice */
    ck_assert_uint_eq(oc__config_edit_distance("ca", "abc"), 3);
    char long_key[200];
    memset(long_key, 'a', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    ck_assert_uint_eq(oc__config_edit_distance(long_key, "a"), SIZE_MAX);
    long_key[127] = '\0';
    ck_assert_uint_eq(oc__config_edit_distance(long_key, long_key), 0);
}
END_TEST

START_TEST(test_suggestion)
{
    static const char *const keys[] = {"period", "target", "store", "jobs", NULL};
    oc__config_suggestion suggestion = {0};
    oc__config_suggest_from(&suggestion, "tagret", keys, sizeof *keys, "", NULL);
    ck_assert_str_eq(suggestion.key, "target");
    ck_assert_ptr_null(suggestion.where);
    /* a nearer later candidate wins; an equally near one does not */
    oc__config_suggest(&suggestion, "tagret", "tagrets", "later");
    ck_assert_str_eq(suggestion.key, "target");
    oc__config_suggest(&suggestion, "tagret", "tagre", "elsewhere");
    ck_assert_str_eq(suggestion.key, "target");
    suggestion = (oc__config_suggestion){0};
    oc__config_suggest(&suggestion, "tagret", "tagrets", "later");
    oc__config_suggest(&suggestion, "tagret", "target", NULL);
    ck_assert_str_eq(suggestion.key, "tagrets"); /* a tie keeps the first */
    ck_assert_str_eq(suggestion.where, "later");
    /* a key itself, or one too far, is no suggestion */
    suggestion = (oc__config_suggestion){0};
    oc__config_suggest_from(&suggestion, "jobs", keys, sizeof *keys, "", NULL);
    oc__config_suggest_from(&suggestion, "colour", keys, sizeof *keys, "", NULL);
    oc__config_suggest(&suggestion, "rate", "frame", NULL); /* 2 edits in 4 letters */
    oc__config_suggest(&suggestion, "stoer", "store", NULL);
    ck_assert_str_eq(suggestion.key, "store");
    /* a prefix before each name */
    suggestion = (oc__config_suggestion){0};
    oc__config_suggest_from(&suggestion, "imput.jobs", keys, sizeof *keys, "input.", NULL);
    ck_assert_str_eq(suggestion.key, "input.jobs");
}
END_TEST

static Suite *configuration_suite(void)
{
    Suite *suite = suite_create("configuration");
    TCase *load = tcase_create("load");
    tcase_add_checked_fixture(load, make_directory, remove_directory);
    tcase_add_test(load, test_every_key);
    tcase_add_test(load, test_defaults);
    tcase_add_test(load, test_values_and_variants);
    tcase_add_test(load, test_message_names_file_section_key);
    tcase_add_test(load, test_global_key_errors);
    tcase_add_test(load, test_global_key_misplaced_or_mistyped);
    tcase_add_test(load, test_numbers_are_checked_whole);
    tcase_add_test(load, test_metric_key_errors);
    tcase_add_test(load, test_files_that_cannot_be_used);
    tcase_add_test(load, test_syntax_errors_are_one_line);
    tcase_add_test(load, test_duplicates_and_stray_keys);
    tcase_add_test(load, test_duplicates_among_many_names);
    tcase_add_test(load, test_keys_reach_their_sections_among_many);
    tcase_add_test(load, test_iniparser_traps);
    tcase_add_test(load, test_shipped_example_loads);
    tcase_add_test(load, test_comparator_is_not_an_evaluated_area);
    tcase_add_test(load, test_nul_byte_is_named);
    tcase_add_test(load, test_only_regular_files_are_read);
    suite_add_tcase(suite, load);
    TCase *validate = tcase_create("validate");
    tcase_add_checked_fixture(validate, make_directory, remove_directory);
    tcase_add_test(validate, test_validate_metric);
    tcase_add_test(validate, test_validate_indicators);
    tcase_add_test(validate, test_validate_metric_errors);
    tcase_add_test(validate, test_validate_misplaced_and_mistyped_keys);
    tcase_add_test(validate, test_validate_parameter_ranges);
    tcase_add_test(validate, test_config_error_helper);
    suite_add_tcase(suite, validate);
    TCase *hints = tcase_create("hints");
    tcase_add_test(hints, test_edit_distance);
    tcase_add_test(hints, test_suggestion);
    suite_add_tcase(suite, hints);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(configuration_suite());
}
