/* test_plugin_runner.c: isolation in worker processes
 * (core/plugin_runner.c, core/runner_worker.c). In one run, a good
 * plugin's results come back intact while plugins that segfault, abort,
 * hang, write garbage, exit early or return an error each become one
 * failed record with the reason, and no process is left behind. Jobs of
 * one group share a worker, never another group's; a failure costs its
 * worker, not the next job; the host runs only a few jobs ahead. A job
 * is complete at its END record, even while a process the plugin started
 * holds its pipe, and such processes die with their worker. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_runner.h"
#include "evaluation_internal.h"
#include "no_child_left.h"
#include "plugin_loader.h"
#include "plugin_runner.h"
#include "temporary_directory.h"

/* A small stand-in for the engine: evaluates one area with synthetic data
 * and writes one result per period that has a value. */
typedef struct harness {
    oc__plugin *plugin;
    const char *metric;
} harness;

/* Two quarters: 2015-11-01 (16740) and 2016-11-01 (17106). count and
 * population give rates 100 * 25 / 1000 = 2.5 and 100 * 36 / 1200 = 3.0. */
static const int32_t times[] = {16740, 17106};
static const char *const periods[] = {"2015-11-01", "2016-11-01"};
static const double count[] = {25, 36};
static const double population[] = {1000, 1200};

static int run_harness(void *context, oc__wire_writer *writer, oc_error *error)
{
    harness *h = context;
    const oc_plugin_descriptor *descriptor = &h->plugin->descriptor;
    double values[2], lower[2], upper[2], numerator[2], denominator[2];
    oc_indicator_series output = {2, values, lower, upper, numerator, denominator};
    const double *inputs[] = {count, population};
    oc__parameter_value parameters[8];
    size_t parameter_count = h->plugin->parameter_count < 8 ? h->plugin->parameter_count : 8;
    for (size_t i = 0; i < parameter_count; i++) {
        const oc_parameter_spec *spec = &descriptor->parameters[i];
        parameters[i].name = spec->name;
        parameters[i].type = spec->type;
        parameters[i].text = spec->default_value;
        oc__parameter_parse(spec->type, spec->default_value, &parameters[i].number, NULL);
    }
    oc_evaluation evaluation = {
        .descriptor = descriptor, .area_code = "E14000559", .area_name = "Birkenhead",
        .time_count = 2, .times = times, .inputs = inputs,
        .input_count = h->plugin->input_count < 2 ? h->plugin->input_count : 2,
        .outputs = &output, .output_count = 1, .parameters = parameters,
        .parameter_count = parameter_count, .z = 1.959964, .period_index = 1,
        .baseline_index = 0};
    oc__evaluation_reset_outputs(&evaluation);
    int status = descriptor->evaluate(&evaluation, error);
    if (status != OC_OK)
        return status;
    for (size_t t = 0; t < 2; t++) {
        if (isnan(values[t]))
            continue;
        oc__result result;
        oc__result_init(&result);
        result.metric = (char *)h->metric;
        result.indicator = (char *)descriptor->indicators[0].name;
        result.plugin = (char *)descriptor->name;
        result.plugin_version = (char *)descriptor->version;
        result.area = "E14000559";
        result.period = (char *)periods[t];
        result.value = values[t];
        result.ci_lower = lower[t];
        status = oc__wire_write_result(writer, &result, error);
        if (status != OC_OK)
            return status;
    }
    return OC_OK;
}

/* Jobs that are not plugins: the host's own failure modes. */
static int run_returns_error(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context, (void)writer;
    return oc_error_set(error, OC_ERROR_IO, "store wirral.h5: cannot open");
}

/* Dies where HDF5 dies on a damaged file: in the worker's own reading. */
static int run_crashes_reading(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context, (void)writer, (void)error;
    oc__runner_activity("reading store s.h5, dataset /quarterly/claimants");
    signal(SIGSEGV, SIG_DFL); /* the kernel's verdict, not a sanitizer's */
    raise(SIGSEGV);
    return OC_OK;
}

static int run_killed(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context, (void)writer, (void)error;
    raise(SIGKILL); /* as the out-of-memory killer would */
    return OC_OK;
}

static int run_floods(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context;
    oc__result result;
    oc__result_init(&result);
    result.metric = "flood";
    for (;;)
        if (oc__wire_write_result(writer, &result, error) != OC_OK)
            return OC_ERROR_IO;
}

static int run_oversize(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context, (void)error;
    /* A record header claiming 16 MiB. */
    static const unsigned char record[8] = {1, 0, 0, 0, 0, 0, 0, 1};
    return write(writer->fd, record, sizeof record) == 8 ? OC_OK : OC_ERROR_IO;
}

static oc__plugin *load(const char *subdirectory, const char *name)
{
    char path[8192];
    snprintf(path, sizeof path, "%s%s%s/.libs/%s.so", OC_TEST_PLUGIN_BUILD_DIR,
             subdirectory[0] ? "/" : "", subdirectory, name);
    oc__plugin *plugin;
    oc_error error;
    /* The permissions of the build tree are not under test here. */
    ck_assert_msg(oc__plugin_open(path, OC__PLUGIN_ALLOW_INSECURE, &plugin, &error) == OC_OK,
                  "%s", error.message);
    return plugin;
}

static const struct {
    const char *subdirectory;
    const char *plugin;
    unsigned time_limit;
    const char *message; /* NULL: succeeds */
} plugin_jobs[] = {
    {"", "good", 60, NULL},
    {"misbehaving", "segfault", 60, "crashed: Segmentation fault (signal 11)"},
    {"misbehaving", "abort", 60, "aborted (signal 6)"},
    {"misbehaving", "hang", 1, "timed out after 1 s"},
    /* The header is sent before the plugin runs; 0xA5 junk follows it. */
    {"misbehaving", "garbage", 60, "sent malformed results: unknown record type 165"},
    {"misbehaving", "exit_early", 60, "exited with status 3 before finishing"},
    {"misbehaving", "fail", 60, "fail: population missing for E14000559"},
    {"", "good", 60, NULL},
};
#define PLUGIN_JOBS (sizeof plugin_jobs / sizeof plugin_jobs[0])
#define ALL_JOBS (PLUGIN_JOBS + 5)

static void run_everything(size_t max_parallel)
{
    oc__plugin *plugins[PLUGIN_JOBS];
    harness harnesses[PLUGIN_JOBS];
    oc__runner_job jobs[ALL_JOBS];
    memset(jobs, 0, sizeof jobs);
    for (size_t i = 0; i < PLUGIN_JOBS; i++) {
        plugins[i] = load(plugin_jobs[i].subdirectory, plugin_jobs[i].plugin);
        harnesses[i] = (harness){plugins[i], plugin_jobs[i].plugin};
        jobs[i] = (oc__runner_job){plugin_jobs[i].plugin, plugins[i]->descriptor.name,
                                   plugins[i]->descriptor.version, plugin_jobs[i].time_limit,
                                   run_harness, &harnesses[i], NULL, 0, NULL};
    }
    jobs[PLUGIN_JOBS] = (oc__runner_job){"store_error", "good", "1.2.3", 60, run_returns_error, NULL, NULL, 0, NULL};
    jobs[PLUGIN_JOBS + 1] = (oc__runner_job){"flood", "good", "1.2.3", 1, run_floods, NULL, NULL, 0, NULL};
    jobs[PLUGIN_JOBS + 2] = (oc__runner_job){"oversize", "good", "1.2.3", 60, run_oversize, NULL, NULL, 0, NULL};
    jobs[PLUGIN_JOBS + 3] = (oc__runner_job){"killed", "good", "1.2.3", 60, run_killed, NULL, NULL, 0, NULL};
    jobs[PLUGIN_JOBS + 4] = (oc__runner_job){"reading", "good", "1.2.3", 60, run_crashes_reading, NULL, NULL, 0, NULL};

    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    ck_assert_int_eq(oc__runner_run(jobs, ALL_JOBS, max_parallel, &results, &summary, &error), OC_OK);
    ck_assert_uint_eq(summary.succeeded, 2);
    ck_assert_uint_eq(summary.failed, ALL_JOBS - 2);

    /* In job order: good (2 results), one failure per bad job, good (2),
     * then the five host-side jobs. */
    ck_assert_uint_eq(results.count, 2 + (PLUGIN_JOBS - 2) + 2 + 5);
    size_t r = 0;
    for (size_t i = 0; i < PLUGIN_JOBS; i++) {
        if (plugin_jobs[i].message == NULL) {
            for (size_t t = 0; t < 2; t++, r++) {
                const oc__result *result = &results.items[r];
                ck_assert_int_eq(result->status, OC_RESULT_OK);
                ck_assert_str_eq(result->metric, "good");
                ck_assert_str_eq(result->plugin_version, "1.2.3");
                ck_assert_str_eq(result->period, periods[t]);
                ck_assert_double_eq_tol(result->value, t == 0 ? 2.5 : 3.0, 1e-12);
            }
            continue;
        }
        const oc__result *failure = &results.items[r++];
        ck_assert_int_eq(failure->status, OC_RESULT_FAILED);
        ck_assert_str_eq(failure->metric, plugin_jobs[i].plugin);
        ck_assert_str_eq(failure->plugin, plugin_jobs[i].plugin);
        ck_assert_str_eq(failure->plugin_version, "0.0.1");
        ck_assert_ptr_null(failure->indicator);
        ck_assert_msg(strncmp(failure->message, plugin_jobs[i].message,
                              strlen(plugin_jobs[i].message)) == 0,
                      "%s: '%s' is not '%s'", plugin_jobs[i].plugin, failure->message,
                      plugin_jobs[i].message);
    }
    ck_assert_str_eq(results.items[r].metric, "store_error");
    ck_assert_str_eq(results.items[r++].message, "store wirral.h5: cannot open");
    ck_assert_str_eq(results.items[r].metric, "flood");
    ck_assert_str_eq(results.items[r++].message, "timed out after 1 s");
    ck_assert_str_eq(results.items[r].metric, "oversize");
    ck_assert_str_eq(results.items[r++].message,
                     "sent malformed results: record of 16777216 bytes exceeds the 1048576-byte limit");
    /* SIGKILL the host did not send is not called the job's crash. */
    ck_assert_str_eq(results.items[r].metric, "killed");
    ck_assert_str_eq(results.items[r++].message,
                     "killed by signal 9, which the run did not send: most likely the "
                     "system's out-of-memory killer (the job may have used too much memory) "
                     "or an operator");
    /* A crash in the worker's own reading names what it read, not the
     * plugin (the segfault job above crashed in the plugin: "crashed:"). */
    ck_assert_str_eq(results.items[r].metric, "reading");
    ck_assert_str_eq(results.items[r++].message,
                     "crashed while reading store s.h5, dataset /quarterly/claimants "
                     "(Segmentation fault, signal 11): the store may be damaged ('outcomes "
                     "store check' tells)");

    /* Every child was reaped. */
    assert_no_child_left();

    oc__result_list_free(&results);
    for (size_t i = 0; i < PLUGIN_JOBS; i++)
        oc__plugin_close(plugins[i]);
}

START_TEST(isolates_failures_in_parallel)
{
    run_everything(4);
}
END_TEST

START_TEST(isolates_failures_one_at_a_time)
{
    run_everything(1);
}
END_TEST

/* Stands for two areas' work: the engine expands a failure like this. */
static int two_failed_areas(void *context, const char *reason, oc__result_list *results)
{
    static const char *const areas[] = {"E14000559", "E14001010"};
    for (size_t a = 0; a < 2; a++) {
        oc__result *result = oc__result_list_append(results);
        if (result == NULL)
            return OC_ERROR_NO_MEMORY;
        result->status = OC_RESULT_FAILED;
        result->metric = strdup((const char *)context);
        result->area = strdup(areas[a]);
        result->message = strdup(reason);
    }
    return OC_OK;
}

START_TEST(failure_callback_stands_for_the_work)
{
    oc__plugin *plugin = load("misbehaving", "segfault");
    harness crash = {plugin, "segfault"};
    oc__runner_job jobs[2] = {
        {"crashing", plugin->descriptor.name, plugin->descriptor.version, 60, run_harness,
         &crash, NULL, 0, NULL},
        {"flood", "good", "1.2.3", 1, run_floods, (void *)"flooding", two_failed_areas, 0, NULL},
    };
    oc__result_list results = {0};
    oc__runner_summary summary;
    ck_assert_int_eq(oc__runner_run(jobs, 2, 2, &results, &summary, NULL), OC_OK);
    ck_assert_uint_eq(summary.failed, 2);
    /* Without a callback: one row; with one: the rows it made, in order. */
    ck_assert_uint_eq(results.count, 3);
    ck_assert_ptr_null(results.items[0].area);
    ck_assert_str_eq(results.items[1].metric, "flooding");
    ck_assert_str_eq(results.items[1].area, "E14000559");
    ck_assert_str_eq(results.items[2].area, "E14001010");
    ck_assert_str_eq(results.items[2].message, "timed out after 1 s");
    ck_assert_int_eq(results.items[2].status, OC_RESULT_FAILED);
    oc__result_list_free(&results);
    oc__plugin_close(plugin);
}
END_TEST

/* A job that sends more than its limit fails alone, at once, whatever its
 * time limit: the host does not hold an endless stream. A job sending just
 * under its limit is kept. */
START_TEST(a_job_sending_more_than_its_limit_fails_alone)
{
    oc__runner_job jobs[2] = {
        {"flood", "good", "1.2.3", 3600, run_floods, NULL, NULL, 1024 * 1024, NULL},
        {"store_error", "good", "1.2.3", 60, run_returns_error, NULL, NULL, 1024 * 1024, NULL},
    };
    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    ck_assert_int_eq(oc__runner_run(jobs, 2, 2, &results, &summary, &error), OC_OK);
    ck_assert_uint_eq(summary.failed, 2);
    ck_assert_uint_eq(results.count, 2);
    ck_assert_str_eq(results.items[0].metric, "flood");
    ck_assert_str_eq(results.items[0].message, "sent more than 1048576 bytes of results");
    ck_assert_str_eq(results.items[1].message, "store wirral.h5: cannot open");
    oc__result_list_free(&results);
    assert_no_child_left(); /* reaped */
}
END_TEST

/* ---- delivering results as jobs finish ---- */

/* Job k sends k + 1 results labelled "k"; job 1 first waits for a byte on
 * a FIFO that only the sink writes, so it cannot finish before job 0's
 * results have been delivered: proof that results leave while jobs run. */
typedef struct numbered_job {
    size_t index;
    const char *wait_on; /* FIFO path, or NULL */
    char label[8];
} numbered_job;

static int run_numbered(void *context, oc__wire_writer *writer, oc_error *error)
{
    numbered_job *job = context;
    if (job->wait_on != NULL) {
        int fd = open(job->wait_on, O_RDONLY);
        char byte;
        if (fd < 0 || read(fd, &byte, 1) != 1)
            return oc_error_set(error, OC_ERROR_IO, "no signal from the sink");
        close(fd);
    }
    for (size_t i = 0; i <= job->index; i++) {
        oc__result result;
        oc__result_init(&result);
        result.metric = job->label;
        int status = oc__wire_write_result(writer, &result, error);
        if (status != OC_OK)
            return status;
    }
    return OC_OK;
}

typedef struct collecting_sink {
    oc__result_list taken;   /* every result delivered, in delivery order */
    size_t deliveries;
    const char *signal_path; /* FIFO to write to at the first delivery */
    int fail;                /* return an error instead of taking results */
} collecting_sink;

static int collect_into(void *context, const oc__result_list *results, oc_error *error)
{
    collecting_sink *sink = context;
    sink->deliveries++;
    if (sink->fail)
        return oc_error_set(error, OC_ERROR_IO, "results.json: No space left on device");
    for (size_t i = 0; i < results->count; i++) {
        oc__result *copy = oc__result_list_append(&sink->taken);
        ck_assert_ptr_nonnull(copy);
        copy->metric = strdup(results->items[i].metric);
    }
    if (sink->deliveries == 1 && sink->signal_path != NULL) {
        int fd = open(sink->signal_path, O_WRONLY);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "x", 1), 1);
        close(fd);
    }
    return OC_OK;
}

START_TEST(results_are_delivered_in_job_order_as_jobs_finish)
{
    make_test_directory();
    const char *fifo = test_path("signal");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    enum { JOBS = 5 };
    numbered_job contexts[JOBS];
    oc__runner_job jobs[JOBS];
    memset(jobs, 0, sizeof jobs);
    for (size_t k = 0; k < JOBS; k++) {
        contexts[k] = (numbered_job){k, k == 1 ? fifo : NULL, ""};
        snprintf(contexts[k].label, sizeof contexts[k].label, "%zu", k);
        jobs[k] = (oc__runner_job){"numbered", "none", "1", 20, run_numbered, &contexts[k], NULL, 0, NULL};
    }
    collecting_sink collected = {{0}, 0, fifo, 0};
    oc__runner_sink sink = {collect_into, &collected};
    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    /* Three at once: jobs 2 and 3 finish while job 1 waits, yet their
     * results must not overtake job 1's. */
    ck_assert_msg(oc__runner_run_delivering(jobs, JOBS, 3, &sink, &results, &summary, &error)
                      == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.succeeded, JOBS);
    ck_assert_uint_eq(results.count, 0); /* the sink took everything */
    ck_assert_uint_ge(collected.deliveries, 2);
    /* 1 + 2 + 3 + 4 + 5 results: "0", "1", "1", "2", "2", "2", ... */
    ck_assert_uint_eq(collected.taken.count, JOBS * (JOBS + 1) / 2);
    size_t position = 0;
    for (size_t k = 0; k < JOBS; k++)
        for (size_t i = 0; i <= k; i++)
            ck_assert_str_eq(collected.taken.items[position++].metric, contexts[k].label);
    oc__result_list_free(&collected.taken);
    remove_test_directory();
}
END_TEST

/* Sleeps an hour: only being killed ends it in time. */
static int run_sleeps(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context, (void)writer, (void)error;
    sleep(3600);
    return OC_OK;
}

START_TEST(a_failing_sink_stops_the_run_and_reaps_every_child)
{
    numbered_job first = {0, NULL, "0"};
    oc__runner_job jobs[3] = {
        {"numbered", "none", "1", 0, run_numbered, &first, NULL, 0, NULL},
        {"sleeper", "none", "1", 0, run_sleeps, NULL, NULL, 0, NULL},
        {"sleeper", "none", "1", 0, run_sleeps, NULL, NULL, 0, NULL},
    };
    collecting_sink collected = {{0}, 0, NULL, 1};
    oc__runner_sink sink = {collect_into, &collected};
    oc__result_list results = {0};
    oc_error error;
    /* No time limit: only the sink's failure can end the sleepers. */
    ck_assert_int_eq(oc__runner_run_delivering(jobs, 3, 3, &sink, &results, NULL, &error),
                     OC_ERROR_IO);
    ck_assert_str_eq(error.message, "results.json: No space left on device");
    ck_assert_uint_eq(collected.deliveries, 1);
    assert_no_child_left(); /* no child left, not even a zombie */
    oc__result_list_free(&results);
}
END_TEST

/* Sends one result a little after it starts: well within a second. */
static int run_numbered_after_a_moment(void *context, oc__wire_writer *writer, oc_error *error)
{
    struct timespec moment = {0, 300 * 1000000L};
    nanosleep(&moment, NULL);
    return run_numbered(context, writer, error);
}

/* Takes its time over the first delivery, as a host writing a large batch
 * to a slow disk does. */
static int collect_slowly(void *context, const oc__result_list *results, oc_error *error)
{
    collecting_sink *sink = context;
    if (sink->deliveries == 0) {
        struct timespec pause = {1, 500 * 1000000L};
        nanosleep(&pause, NULL);
    }
    return collect_into(context, results, error);
}

START_TEST(a_job_whose_results_all_came_in_time_is_not_timed_out_by_a_busy_host)
{
    numbered_job first = {0, NULL, "0"}, second = {0, NULL, "1"};
    /* The second job ends 0.3 s in, within its 1 s; the host reads its
     * results only after the first job's delivery, 1.5 s in. */
    oc__runner_job jobs[2] = {
        {"numbered", "none", "1", 0, run_numbered, &first, NULL, 0, NULL},
        {"numbered", "none", "1", 1, run_numbered_after_a_moment, &second, NULL, 0, NULL},
    };
    collecting_sink collected = {{0}, 0, NULL, 0};
    oc__runner_sink sink = {collect_slowly, &collected};
    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    ck_assert_msg(oc__runner_run_delivering(jobs, 2, 2, &sink, &results, &summary, &error)
                      == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.failed, 0);
    ck_assert_uint_eq(summary.succeeded, 2);
    ck_assert_uint_eq(collected.taken.count, 2);
    ck_assert_str_eq(collected.taken.items[1].metric, "1");
    oc__result_list_free(&collected.taken);
    oc__result_list_free(&results);
}
END_TEST

/* While a long job's results are being written, a worker that finishes
 * gets its next job: the host delivers a few batches at a time and looks
 * at its workers between them, rather than leaving them idle until every
 * result finished before theirs has been written. One worker runs three
 * jobs: the first sends many batches of results, which the sink writes
 * slowly; the second finishes at once; the third leaves a mark as it
 * starts, which the sink must find before the first job's last batch. */
/* A hundred of the host's batches of 512. */
enum { FIRST_JOB_RESULTS = 51200 };

typedef struct marking_job {
    size_t results;
    const char *mark; /* created when the job starts, or NULL */
} marking_job;

static int run_marking(void *context, oc__wire_writer *writer, oc_error *error)
{
    const marking_job *job = context;
    if (job->mark != NULL) {
        FILE *file = fopen(job->mark, "w");
        if (file == NULL || fclose(file) != 0)
            return oc_error_set(error, OC_ERROR_IO, "cannot mark");
    }
    for (size_t i = 0; i < job->results; i++) {
        oc__result result;
        oc__result_init(&result);
        result.metric = job->mark != NULL ? "third" : job->results > 1 ? "first" : "second";
        int status = oc__wire_write_result(writer, &result, error);
        if (status != OC_OK)
            return status;
    }
    return OC_OK;
}

typedef struct slow_sink {
    const char *mark;
    size_t first_results; /* of the first job, taken so far */
    size_t total;
    int mark_seen_in_time; /* the mark was there by the first job's last batch */
} slow_sink;

static int write_slowly(void *context, const oc__result_list *results, oc_error *error)
{
    (void)error;
    slow_sink *sink = context;
    sink->total += results->count;
    if (strcmp(results->items[0].metric, "first") != 0)
        return OC_OK;
    struct timespec pause = {0, 3 * 1000000L}; /* a slow disk: 0.3 s in all */
    nanosleep(&pause, NULL);
    sink->first_results += results->count;
    if (sink->first_results == FIRST_JOB_RESULTS) {
        /* Waits (5 s at most) for the third job to start, which it can
         * only have done if the host started it during this delivery. */
        for (int waited = 0; waited < 500 && access(sink->mark, F_OK) != 0; waited++)
            usleep(10000);
        sink->mark_seen_in_time = access(sink->mark, F_OK) == 0;
    }
    return OC_OK;
}

START_TEST(a_worker_gets_its_next_job_while_a_long_delivery_is_under_way)
{
    make_test_directory();
    static const char group = 'g';
    const char *mark = test_path("third-started");
    marking_job contexts[3] = {
        {FIRST_JOB_RESULTS, NULL}, {1, NULL}, {1, mark}};
    oc__runner_job jobs[3];
    for (size_t k = 0; k < 3; k++)
        jobs[k] = (oc__runner_job){"marking", "none", "1", 60, run_marking, &contexts[k],
                                   NULL, 0, &group};
    slow_sink written = {mark, 0, 0, 0};
    oc__runner_sink sink = {write_slowly, &written};
    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    ck_assert_msg(oc__runner_run_delivering(jobs, 3, 1, &sink, &results, &summary, &error)
                      == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.succeeded, 3);
    ck_assert_uint_eq(written.total, contexts[0].results + 2);
    ck_assert_msg(written.mark_seen_in_time,
                  "the third job started only after the first job's results were all written");
    oc__result_list_free(&results);
    remove_test_directory();
}
END_TEST

/* ---- workers that run several jobs ---- */

/* One result whose area is the pid of the process that ran the job. */
static int run_reports_worker(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context;
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    oc__result result;
    oc__result_init(&result);
    result.metric = "worker";
    result.area = pid;
    result.value = 1;
    return oc__wire_write_result(writer, &result, error);
}

static int run_crashes(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context, (void)writer, (void)error;
    raise(SIGSEGV);
    return OC_OK;
}

static oc__runner_job worker_job(oc__runner_function run, const void *group, unsigned limit)
{
    return (oc__runner_job){"worker", "none", "1", limit, run, NULL, NULL, 0, group};
}

/* Runs jobs one at a time (max_parallel 1) with oc__runner_run; each
 * job's pid (its result's area), or "" for a failed job, into pids. */
static void run_for_pids(oc__runner_job *jobs, size_t job_count, char pids[][32],
                         oc__runner_summary *summary)
{
    oc__result_list results = {0};
    oc_error error;
    ck_assert_msg(oc__runner_run(jobs, job_count, 1, &results, summary, &error) == OC_OK, "%s",
                  error.message);
    ck_assert_uint_eq(results.count, job_count);
    for (size_t k = 0; k < job_count; k++) {
        const oc__result *result = &results.items[k];
        snprintf(pids[k], 32, "%s", result->status == OC_RESULT_OK ? result->area : "");
    }
    oc__result_list_free(&results);
    assert_no_child_left(); /* every worker reaped */
}

START_TEST(jobs_of_one_group_share_a_worker_and_no_other)
{
    static const char metric_a = 'a', metric_b = 'b';
    /* The same strings in every job of a worker: a stream that said "the
     * same as before" of the previous job's last result would be refused. */
    oc__runner_job jobs[7] = {
        worker_job(run_reports_worker, &metric_a, 60), worker_job(run_reports_worker, &metric_a, 60),
        worker_job(run_reports_worker, &metric_a, 60), worker_job(run_reports_worker, &metric_b, 60),
        worker_job(run_reports_worker, &metric_b, 60), worker_job(run_reports_worker, NULL, 60),
        worker_job(run_reports_worker, NULL, 60),
    };
    char pids[7][32];
    oc__runner_summary summary;
    run_for_pids(jobs, 7, pids, &summary);
    ck_assert_uint_eq(summary.succeeded, 7);
    ck_assert_str_eq(pids[1], pids[0]);
    ck_assert_str_eq(pids[2], pids[0]);
    ck_assert_str_eq(pids[4], pids[3]);
    ck_assert_str_ne(pids[3], pids[0]);
    ck_assert_str_ne(pids[5], pids[3]);
    ck_assert_str_ne(pids[6], pids[5]);
    char host[32];
    snprintf(host, sizeof host, "%ld", (long)getpid());
    for (size_t k = 0; k < 7; k++)
        ck_assert_str_ne(pids[k], host);
}
END_TEST

/* A switch from one group to the next does not wait for the idle worker
 * of the last group to exit: it is told to go and left to exit while its
 * successor starts. One slot and ten groups of one job each: each even
 * job writes its worker's pid to a file and leaves 128 MiB of touched
 * memory for its exit to tear down (tens of milliseconds); each odd job,
 * in the next worker, reports whether that pid is still there (alive or
 * not yet reaped). A host that waited for every exit would always say
 * no; one that does not says yes, if not at every switch (a busy machine
 * may let the old worker go first). Afterwards no child is left. */
enum { SWITCHES = 5, LEAVING_BYTES = 128 << 20 };

typedef struct switch_job {
    const char *pid_file;
    int leaves_memory; /* the even jobs; the odd ones look for their pid */
} switch_job;

static int run_switch_job(void *context, oc__wire_writer *writer, oc_error *error)
{
    const switch_job *job = context;
    oc__result result;
    oc__result_init(&result);
    result.metric = "switch";
    if (job->leaves_memory) {
        unsigned char *memory = mmap(NULL, LEAVING_BYTES, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "cannot map");
        (void)madvise(memory, LEAVING_BYTES, MADV_NOHUGEPAGE); /* pages to free one by one */
        memset(memory, 1, LEAVING_BYTES);
        FILE *file = fopen(job->pid_file, "w");
        if (file == NULL || fprintf(file, "%ld\n", (long)getpid()) < 0 || fclose(file) != 0)
            return oc_error_set(error, OC_ERROR_IO, "cannot write the pid");
        result.value = 0;
    } else {
        FILE *file = fopen(job->pid_file, "r");
        long previous = 0;
        if (file == NULL || fscanf(file, "%ld", &previous) != 1)
            return oc_error_set(error, OC_ERROR_IO, "cannot read the pid");
        fclose(file);
        result.value = kill((pid_t)previous, 0) == 0 ? 1 : 0;
    }
    return oc__wire_write_result(writer, &result, error);
}

START_TEST(a_switch_of_groups_does_not_wait_for_the_old_worker_to_exit)
{
    make_test_directory();
    static const char groups[2 * SWITCHES] = {0};
    switch_job contexts[2 * SWITCHES];
    oc__runner_job jobs[2 * SWITCHES];
    for (size_t k = 0; k < 2 * SWITCHES; k++) {
        contexts[k] = (switch_job){test_path("previous-pid"), k % 2 == 0};
        jobs[k] = (oc__runner_job){"switch", "none", "1", 60, run_switch_job, &contexts[k],
                                   NULL, 0, &groups[k]};
    }
    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    ck_assert_msg(oc__runner_run(jobs, 2 * SWITCHES, 1, &results, &summary, &error) == OC_OK,
                  "%s", error.message);
    ck_assert_uint_eq(summary.succeeded, 2 * SWITCHES);
    ck_assert_uint_eq(results.count, 2 * SWITCHES);
    double still_there = 0;
    for (size_t k = 1; k < 2 * SWITCHES; k += 2)
        still_there += results.items[k].value;
    ck_assert_msg(still_there > 0,
                  "at every switch the next worker started only after the old one was reaped");
    assert_no_child_left(); /* no child left, not even a zombie */
    oc__result_list_free(&results);
    remove_test_directory();
}
END_TEST

START_TEST(a_crash_or_hang_costs_its_worker_not_the_next_job)
{
    static const char metric = 'm';
    oc__runner_job jobs[5] = {
        worker_job(run_reports_worker, &metric, 60), worker_job(run_crashes, &metric, 60),
        worker_job(run_reports_worker, &metric, 60), worker_job(run_sleeps, &metric, 1),
        worker_job(run_reports_worker, &metric, 60),
    };
    char pids[5][32];
    oc__runner_summary summary;
    run_for_pids(jobs, 5, pids, &summary);
    ck_assert_uint_eq(summary.succeeded, 3);
    ck_assert_uint_eq(summary.failed, 2);
    ck_assert_str_eq(pids[1], "");
    ck_assert_str_eq(pids[3], "");
    /* Each failure took its worker down; the next job had a new one. */
    ck_assert_str_ne(pids[0], "");
    ck_assert_str_ne(pids[2], "");
    ck_assert_str_ne(pids[4], "");
    ck_assert_str_ne(pids[2], pids[0]);
    ck_assert_str_ne(pids[4], pids[2]);
}
END_TEST

/* Whether the process has closed its descriptors: it is a zombie (or
 * gone). A process killed is not at once: under AddressSanitizer its
 * exit takes a while, and its socket stays open until late in it. */
static int has_exited(pid_t pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return 1;
    size_t got = fread(line, 1, sizeof line - 1, file);
    fclose(file);
    line[got] = '\0';
    const char *state = strrchr(line, ')');
    return state == NULL || state[1] == '\0' || state[2] == 'Z' || state[2] == 'X';
}

/* The worker's socket, on which its jobs arrive: the one socket a job has
 * open. */
static int worker_socket(void)
{
    for (int fd = 3; fd < 64; fd++) {
        struct stat status;
        if (fstat(fd, &status) == 0 && S_ISSOCK(status.st_mode))
            return fd;
    }
    return -1;
}

/* Reports its pid, then leaves its worker unable to take another job: it
 * puts /dev/null where the worker's socket was, so the worker exits as
 * soon as it is idle and reads for its next job. The job itself is
 * complete (its END arrives) while the worker still lives.
 * hold_socket: a process that left the worker's group (so that the host
 * does not kill it with the worker) keeps the socket open for half a
 * second more, so that the host's next job reaches the socket of a dead
 * worker, as it does when a worker dies just after the host sent it a
 * job, and is lost with it. Without, the host finds the socket closed. */
static int report_then_die_idle(oc__wire_writer *writer, int hold_socket, oc_error *error)
{
    int status = run_reports_worker(NULL, writer, error);
    int socket_fd = worker_socket();
    if (socket_fd < 0)
        return oc_error_set(error, OC_ERROR_IO, "no socket");
    if (hold_socket) {
        pid_t holder = fork();
        if (holder == 0) {
            close(writer->fd);
            usleep(500000);
            _exit(0);
        }
        if (holder < 0 || setpgid(holder, holder) != 0)
            return oc_error_set(error, OC_ERROR_IO, "no holder");
    }
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd < 0 || dup2(null_fd, socket_fd) < 0)
        return oc_error_set(error, OC_ERROR_IO, "cannot open /dev/null");
    close(null_fd);
    return status;
}

static int run_then_die_idle(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context;
    return report_then_die_idle(writer, 0, error);
}

/* Job 0 (first) leaves its worker to die while idle; job 1, of the same
 * group, must still succeed, in another process. */
static void assert_next_job_survives(oc__runner_function first)
{
    static const char metric = 'm';
    oc__runner_job jobs[2] = {
        worker_job(first, &metric, 60),
        worker_job(run_reports_worker, &metric, 60),
    };
    char pids[2][32];
    oc__runner_summary summary;
    run_for_pids(jobs, 2, pids, &summary);
    ck_assert_uint_eq(summary.succeeded, 2);
    ck_assert_str_ne(pids[1], pids[0]);
}

START_TEST(a_worker_that_died_idle_is_replaced)
{
    assert_next_job_survives(run_then_die_idle);
}
END_TEST

static int run_then_die_idle_holding_its_socket(void *context, oc__wire_writer *writer,
                                                oc_error *error)
{
    (void)context;
    return report_then_die_idle(writer, 1, error);
}

START_TEST(a_job_sent_to_a_worker_that_died_is_run_again_not_failed)
{
    /* Job 1 is sent to the dead worker and never begins there (not even
     * its stream's header arrives): that is not its failure. */
    assert_next_job_survives(run_then_die_idle_holding_its_socket);
}
END_TEST

START_TEST(failures_in_a_worker_say_what_happened)
{
    static const char metric = 'm';
    oc__runner_job jobs[3] = {
        worker_job(run_crashes, &metric, 60), worker_job(run_sleeps, &metric, 1),
        worker_job(run_returns_error, &metric, 60),
    };
    oc__result_list results = {0};
    oc__runner_summary summary;
    ck_assert_int_eq(oc__runner_run(jobs, 3, 1, &results, &summary, NULL), OC_OK);
    ck_assert_uint_eq(summary.failed, 3);
    ck_assert_uint_eq(results.count, 3);
    ck_assert_str_eq(results.items[0].message, "crashed: Segmentation fault (signal 11)");
    ck_assert_str_eq(results.items[1].message, "timed out after 1 s");
    ck_assert_str_eq(results.items[2].message, "store wirral.h5: cannot open");
    oc__result_list_free(&results);
}
END_TEST

/* Puts /dev/null where its result pipe was and returns as if all went
 * well: the host sees the stream end without END, yet the worker lives
 * on, writes its END into /dev/null and waits for its next job. */
static int run_drops_its_pipe(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context;
    int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd < 0 || dup2(null_fd, writer->fd) < 0)
        return oc_error_set(error, OC_ERROR_IO, "cannot open /dev/null");
    close(null_fd);
    return OC_OK;
}

START_TEST(a_job_whose_stream_ends_early_in_a_live_worker_fails_without_a_hang)
{
    static const char metric = 'm';
    /* No time limit: before the fix the host waited for the worker to
     * exit, and an idle worker never does. */
    oc__runner_job jobs[2] = {
        worker_job(run_drops_its_pipe, &metric, 0), worker_job(run_reports_worker, &metric, 0),
    };
    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    ck_assert_msg(oc__runner_run(jobs, 2, 1, &results, &summary, &error) == OC_OK, "%s",
                  error.message);
    ck_assert_uint_eq(summary.failed, 1);
    ck_assert_uint_eq(summary.succeeded, 1);
    ck_assert_uint_eq(results.count, 2);
    ck_assert_str_eq(results.items[0].message,
                     "closed its result stream before finishing: "
                     "stream ended without an END record after 0 results");
    ck_assert_int_eq(results.items[1].status, OC_RESULT_OK);
    oc__result_list_free(&results);
    assert_no_child_left(); /* every worker reaped */
}
END_TEST

#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
/* A block the size of a decompressed chunk: the result's value is how
 * many blocks malloc took straight from the kernel for it (counted as a
 * difference: the host's own mapped blocks, such as its array of result
 * views, are inherited and counted too). */
static int run_counts_mapped_blocks(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context;
    struct mallinfo2 before = mallinfo2();
    void *block = malloc(1 << 20);
    struct mallinfo2 info = mallinfo2();
    free(block);
    oc__result result;
    oc__result_init(&result);
    result.metric = "blocks";
    result.value = (double)info.hblks - (double)before.hblks;
    return block != NULL ? oc__wire_write_result(writer, &result, error) : OC_ERROR_NO_MEMORY;
}

START_TEST(a_worker_keeps_chunk_sized_blocks_in_its_heap)
{
    /* By default glibc maps a megabyte on its own and unmaps it when
     * freed, to be faulted in again for the next chunk. */
    oc__runner_job job = worker_job(run_counts_mapped_blocks, NULL, 60);
    oc__result_list results = {0};
    oc__runner_summary summary;
    ck_assert_int_eq(oc__runner_run(&job, 1, 1, &results, &summary, NULL), OC_OK);
    ck_assert_uint_eq(summary.succeeded, 1);
    ck_assert_double_eq(results.items[0].value, 0);
    oc__result_list_free(&results);
}
END_TEST
#endif

/* Job 0 waits until it sees that no more jobs start, then reports how
 * many had started by then; every other job records its start in the
 * log and finishes at once. */
typedef struct window_job {
    const char *log;
    int is_first;
} window_job;

static size_t lines_in(const char *path)
{
    FILE *file = fopen(path, "r");
    size_t lines = 0;
    if (file == NULL)
        return 0;
    for (int c; (c = fgetc(file)) != EOF;)
        lines += c == '\n';
    fclose(file);
    return lines;
}

static int run_window_job(void *context, oc__wire_writer *writer, oc_error *error)
{
    const window_job *job = context;
    oc__result result;
    oc__result_init(&result);
    result.metric = "window";
    if (job->is_first) {
        /* Settled: the count has not moved for 1.5 s (at most 30 s): long
         * enough that a worker slowed by a loaded machine or the
         * sanitizers still starts its next job within it. */
        size_t seen = (size_t)-1;
        for (int quiet = 0, rounds = 0; quiet < 150 && rounds < 3000; rounds++) {
            size_t now_seen = lines_in(job->log);
            quiet = now_seen == seen ? quiet + 1 : 0;
            seen = now_seen;
            usleep(10000);
        }
        result.value = (double)seen;
    } else {
        FILE *file = fopen(job->log, "a");
        if (file == NULL || fputs("started\n", file) < 0 || fclose(file) != 0)
            return oc_error_set(error, OC_ERROR_IO, "cannot log");
    }
    return oc__wire_write_result(writer, &result, error);
}

START_TEST(the_host_runs_only_a_few_jobs_past_the_first_undelivered)
{
    make_test_directory();
    static const char metric = 'w';
    enum { JOBS = 30 };
    window_job contexts[JOBS];
    oc__runner_job jobs[JOBS];
    for (size_t k = 0; k < JOBS; k++) {
        contexts[k] = (window_job){test_path("log"), k == 0};
        jobs[k] = (oc__runner_job){"window", "none", "1", 60, run_window_job, &contexts[k],
                                   NULL, 0, &metric};
    }
    oc__result_list results = {0};
    oc__runner_summary summary;
    oc_error error;
    ck_assert_msg(oc__runner_run(jobs, JOBS, 2, &results, &summary, &error) == OC_OK, "%s",
                  error.message);
    ck_assert_uint_eq(summary.succeeded, JOBS);
    /* Two workers, three jobs each past job 0: jobs 1-5 ran while job 0
     * waited, and job 6 had to wait for job 0's results to leave. */
    ck_assert_double_eq(results.items[0].value, 5);
    ck_assert_uint_eq(lines_in(test_path("log")), JOBS - 1);
    oc__result_list_free(&results);
    remove_test_directory();
}
END_TEST

/* ---- processes a plugin leaves behind ---- */

static double seconds_since(const struct timespec *start)
{
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    return (double)(end.tv_sec - start->tv_sec) + (end.tv_nsec - start->tv_nsec) / 1e9;
}

/* Runs the jobs, which must run (whatever becomes of each), into results
 * and summary (both the caller's), and returns how many seconds it took. */
static double run_timed(const oc__runner_job *jobs, size_t job_count, size_t max_parallel,
                        oc__result_list *results, oc__runner_summary *summary)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    oc_error error;
    ck_assert_msg(oc__runner_run(jobs, job_count, max_parallel, results, summary, &error) == OC_OK,
                  "%s", error.message);
    return seconds_since(&start);
}

/* Counts the live processes (a zombie is not: where init does not reap
 * orphans, killed processes stay zombies) whose parent is parent (0: any)
 * and whose group is group (0: any); *stopped (may be NULL): how many of
 * them are stopped. Linux: /proc. */
static size_t count_processes(pid_t parent, pid_t group, size_t *stopped)
{
    DIR *processes = opendir("/proc");
    size_t matching = 0;
    if (stopped != NULL)
        *stopped = 0;
    for (struct dirent *entry; processes != NULL && (entry = readdir(processes));) {
        char path[300], line[512];
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        FILE *file = fopen(path, "r");
        if (file == NULL)
            continue;
        size_t got = fread(line, 1, sizeof line - 1, file);
        fclose(file);
        line[got] = '\0';
        const char *after_name = strrchr(line, ')');
        char state;
        long parent_of, member_of;
        if (after_name == NULL
            || sscanf(after_name + 1, " %c %ld %ld", &state, &parent_of, &member_of) != 3
            || state == 'Z' || state == 'X' || (parent != 0 && parent_of != (long)parent)
            || (group != 0 && member_of != (long)group))
            continue;
        matching++;
        if (stopped != NULL && state == 'T')
            (*stopped)++;
    }
    if (processes != NULL)
        closedir(processes);
    return matching;
}

/* Whether a process of group `group` lives. */
static int group_alive(pid_t group)
{
    return count_processes(0, group, NULL) > 0;
}

/* Whether nothing is left, within five seconds (a killed process takes a
 * moment to die), of process pid (> 0) or of process group -pid (pid <
 * 0), which must not be this process's own. What is left is killed, so
 * that a failing test leaves no ten-minute sleeper behind. */
static int gone_soon(pid_t pid)
{
    if (pid == 0 || -pid == getpgrp())
        return 0;
    for (int waited = 0; waited < 5000; waited++) {
        if (pid > 0 ? has_exited(pid) : !group_alive(-pid))
            return 1;
        usleep(1000);
    }
    kill(pid, SIGKILL);
    return 0;
}

/* The leaves_child plugin (tests/plugins/misbehaving.c) forks a child
 * that sleeps ten minutes holding the job's pipe, and reports its pid as
 * every value and its process group as every lower bound. Its jobs must
 * succeed at once, not at their time limit, and no process of theirs may
 * outlive the run: two jobs in one worker (the second is sent while the
 * first's pipe is still held), one in a worker of its own (which exits
 * after it), and a good plugin's. */
static void run_plugin_leaving_children(size_t max_parallel)
{
    oc__plugin *leaving = load("misbehaving", "leaves_child");
    oc__plugin *good = load("", "good");
    harness leaving_harness = {leaving, "leaves_child"}, good_harness = {good, "good"};
    static const char group = 'l';
    const char *name = leaving->descriptor.name, *version = leaving->descriptor.version;
    oc__runner_job jobs[4] = {
        {"leaves_child", name, version, 5, run_harness, &leaving_harness, NULL, 0, &group},
        {"leaves_child", name, version, 5, run_harness, &leaving_harness, NULL, 0, &group},
        {"leaves_child", name, version, 5, run_harness, &leaving_harness, NULL, 0, NULL},
        {"good", good->descriptor.name, good->descriptor.version, 5, run_harness, &good_harness,
         NULL, 0, &group},
    };
    oc__result_list results = {0};
    oc__runner_summary summary;
    double elapsed = run_timed(jobs, 4, max_parallel, &results, &summary);
    assert_no_child_left(); /* every worker reaped */

    int left = 0;
    for (size_t r = 0; r < results.count && r < 6; r++)
        if (results.items[r].status == OC_RESULT_OK && results.items[r].value > 0) {
            left += !gone_soon((pid_t)results.items[r].value);
            left += !gone_soon(-(pid_t)results.items[r].ci_lower);
        }
    /* Two results (periods) a job. Before the fix: every leaves_child job
     * "timed out after 5 s". */
    ck_assert_uint_eq(results.count, 8);
    for (size_t r = 0; r < 8; r++)
        ck_assert_msg(results.items[r].status == OC_RESULT_OK, "result %zu: %s", r,
                      results.items[r].message ? results.items[r].message : "");
    ck_assert_uint_eq(summary.succeeded, 4);
    ck_assert_msg(elapsed < 10, "the run took %.1f s", elapsed);
    ck_assert_int_eq(left, 0); /* no child, no process of its group, is alive */
    /* Each job's own child, each worker's own group (one at a time, the
     * first two jobs share a worker). */
    ck_assert_double_ne(results.items[0].value, results.items[2].value);
    if (max_parallel == 1)
        ck_assert_double_eq(results.items[0].ci_lower, results.items[2].ci_lower);
    ck_assert_double_ne(results.items[0].ci_lower, results.items[4].ci_lower);
    ck_assert_double_ne(results.items[0].ci_lower, (double)getpgrp());
    oc__result_list_free(&results);
    oc__plugin_close(leaving);
    oc__plugin_close(good);
}

START_TEST(a_plugin_that_leaves_a_process_running_spoils_nothing)
{
    run_plugin_leaving_children(1);
    run_plugin_leaving_children(3);
}
END_TEST

enum { THEN_RETURN, THEN_CRASH, THEN_HANG, ESCAPE_THEN_CRASH };

/* Forks a child that sleeps ten minutes holding the job's pipe, logs
 * "pid group" of it to log, then returns one result, crashes or hangs.
 * ESCAPE_THEN_CRASH: the child first leaves the worker's group (setsid),
 * where killing the group cannot reach it, and the worker crashes only
 * once it has. */
typedef struct leaving_job {
    const char *log;
    int then;
} leaving_job;

static int run_leaves_sleeper(void *context, oc__wire_writer *writer, oc_error *error)
{
    const leaving_job *job = context;
    int escaped[2];
    if (job->then == ESCAPE_THEN_CRASH && pipe(escaped) != 0)
        return oc_error_set(error, OC_ERROR_IO, "cannot make a pipe");
    pid_t sleeper = fork();
    if (sleeper == 0) {
        if (job->then == ESCAPE_THEN_CRASH) {
            setsid();
            (void)!write(escaped[1], "e", 1);
        }
        sleep(600);
        _exit(0);
    }
    FILE *log = fopen(job->log, "a");
    if (sleeper < 0 || log == NULL)
        return oc_error_set(error, OC_ERROR_IO, "cannot fork or log");
    fprintf(log, "%ld %ld\n", (long)sleeper, (long)getpgrp());
    fclose(log);
    if (job->then == ESCAPE_THEN_CRASH) {
        char byte;
        (void)!read(escaped[0], &byte, 1);
    }
    if (job->then == THEN_CRASH || job->then == ESCAPE_THEN_CRASH)
        raise(SIGSEGV);
    else if (job->then == THEN_HANG)
        sleep(3600);
    return run_reports_worker(NULL, writer, error);
}

/* How many of the sleepers in log, or of their groups, are still alive
 * after a few seconds; logged: how many the log names. */
static int sleepers_left(const char *path, size_t *logged)
{
    FILE *log = fopen(path, "r");
    long pid, group;
    int left = 0;
    *logged = 0;
    while (log != NULL && fscanf(log, "%ld %ld", &pid, &group) == 2) {
        (*logged)++;
        left += !gone_soon((pid_t)pid);
        left += !gone_soon(-(pid_t)group);
    }
    if (log != NULL)
        fclose(log);
    return left;
}

START_TEST(a_worker_that_crashes_or_times_out_takes_its_processes_with_it)
{
    /* The crash is seen when the worker dies, not at the time limit: the
     * sleeper holds the pipe open. Before the fix: every job but the hang
     * "timed out after 10 s". */
    make_test_directory();
    static const char group = 's';
    leaving_job returns = {test_path("log"), THEN_RETURN}, crashes = {test_path("log"), THEN_CRASH},
                hangs = {test_path("log"), THEN_HANG};
    oc__runner_job jobs[4] = {
        {"worker", "none", "1", 10, run_leaves_sleeper, &returns, NULL, 0, &group},
        {"worker", "none", "1", 10, run_leaves_sleeper, &crashes, NULL, 0, &group},
        {"worker", "none", "1", 1, run_leaves_sleeper, &hangs, NULL, 0, &group},
        {"worker", "none", "1", 10, run_leaves_sleeper, &returns, NULL, 0, NULL},
    };
    oc__result_list results = {0};
    oc__runner_summary summary;
    double elapsed = run_timed(jobs, 4, 2, &results, &summary);
    size_t logged;
    int left = sleepers_left(test_path("log"), &logged);
    ck_assert_uint_eq(results.count, 4);
    ck_assert_int_eq(results.items[0].status, OC_RESULT_OK);
    ck_assert_str_eq(results.items[1].message, "crashed: Segmentation fault (signal 11)");
    ck_assert_str_eq(results.items[2].message, "timed out after 1 s");
    ck_assert_int_eq(results.items[3].status, OC_RESULT_OK);
    ck_assert_msg(elapsed < 10, "the run took %.1f s", elapsed);
    ck_assert_uint_eq(logged, 4);
    ck_assert_int_eq(left, 0);
    oc__result_list_free(&results);
    remove_test_directory();
}
END_TEST

/* A worker that crashes while a process that left its group (setsid)
 * holds the job's pipe: the group's death cannot close the pipe, so the
 * job's stream ends with the worker, crashed, not at its time limit (nor
 * never, without one). The escaped sleeper outlives the run, as
 * docs/plugin-abi.md says; the test ends it. */
START_TEST(a_worker_that_crashes_is_judged_though_an_escaped_process_holds_its_pipe)
{
    make_test_directory();
    leaving_job escapes = {test_path("log"), ESCAPE_THEN_CRASH},
                returns = {test_path("log"), THEN_RETURN};
    oc__runner_job jobs[3] = {
        {"worker", "none", "1", 0, run_leaves_sleeper, &escapes, NULL, 0, NULL},
        {"worker", "none", "1", 20, run_leaves_sleeper, &escapes, NULL, 0, NULL},
        {"worker", "none", "1", 20, run_leaves_sleeper, &returns, NULL, 0, NULL},
    };
    oc__result_list results = {0};
    oc__runner_summary summary;
    double elapsed = run_timed(jobs, 3, 2, &results, &summary);
    FILE *log = fopen(test_path("log"), "r");
    long pid, group;
    while (log != NULL && fscanf(log, "%ld %ld", &pid, &group) == 2)
        kill((pid_t)pid, SIGKILL);
    if (log != NULL)
        fclose(log);
    ck_assert_uint_eq(results.count, 3);
    ck_assert_str_eq(results.items[0].message, "crashed: Segmentation fault (signal 11)");
    ck_assert_str_eq(results.items[1].message, "crashed: Segmentation fault (signal 11)");
    ck_assert_int_eq(results.items[2].status, OC_RESULT_OK);
    ck_assert_msg(elapsed < 10, "the run took %.1f s", elapsed);
    oc__result_list_free(&results);
    remove_test_directory();
}
END_TEST

/* Sleeps 1.5 s in steps (a stop and continue cut a step short, not the
 * job), then reports its worker. */
static int run_slowly(void *context, oc__wire_writer *writer, oc_error *error)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (seconds_since(&start) < 1.5)
        usleep(10000);
    return run_reports_worker(context, writer, error);
}

/* Ctrl-Z reaches only the host (the terminal sends SIGTSTP to its group;
 * workers lead groups of their own): the host must stop its workers with
 * itself, continue them with itself, and not count the stop against the
 * jobs' time limits. The host runs in a child in a group of its own (so
 * that its group has a parent outside it, as under a shell, and SIGTSTP is
 * acted on); this process plays the terminal and the shell. */
START_TEST(ctrl_z_stops_and_continues_the_workers_with_the_host)
{
    pid_t host = fork();
    ck_assert_int_ge(host, 0);
    if (host == 0) {
        setpgid(0, 0);
        signal(SIGTSTP, SIG_DFL);
        oc__runner_job jobs[2] = {
            {"worker", "none", "1", 3, run_slowly, NULL, NULL, 0, NULL},
            {"worker", "none", "1", 3, run_slowly, NULL, NULL, 0, NULL},
        };
        oc__result_list results = {0};
        oc__runner_summary summary;
        int status = oc__runner_run(jobs, 2, 2, &results, &summary, NULL);
        /* 0: both jobs ran to the end, not timed out by the stop */
        _exit(status != OC_OK ? 2 : summary.succeeded != 2 ? 3 : 0);
    }
    setpgid(host, host);
    usleep(500000); /* the workers are at work */
    ck_assert_int_eq(kill(host, SIGTSTP), 0);
    int wait_status;
    ck_assert_int_eq(waitpid(host, &wait_status, WUNTRACED), host);
    ck_assert_msg(WIFSTOPPED(wait_status) && WSTOPSIG(wait_status) == SIGTSTP,
                  "the host did not stop as the terminal asked");
    size_t stopped = 0, workers = 0;
    for (int waited = 0; waited < 2000 && (workers == 0 || stopped < workers); waited++) {
        workers = count_processes(host, 0, &stopped);
        usleep(1000);
    }
    ck_assert_uint_eq(workers, 2);
    ck_assert_uint_eq(stopped, 2);
    sleep(4); /* longer than the jobs' time limit */
    ck_assert_int_eq(kill(host, SIGCONT), 0);
    for (int waited = 0; waited < 2000 && count_processes(host, 0, &stopped) > 0 && stopped > 0;
         waited++)
        usleep(1000);
    ck_assert_uint_eq(stopped, 0); /* the workers go on with the host */
    ck_assert_int_eq(waitpid(host, &wait_status, 0), host);
    ck_assert_msg(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0,
                  "the host's run: %d (3: a job failed, timed out by the stop)",
                  WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
}
END_TEST

/* Fails the run once the log names a sleeper: the host gives up with jobs
 * running. */
static int fail_once_logged(void *context, const oc__result_list *results, oc_error *error)
{
    (void)results;
    for (int waited = 0; waited < 10000 && lines_in(context) == 0; waited++)
        usleep(1000);
    return oc_error_set(error, OC_ERROR_IO, "results.json: No space left on device");
}

START_TEST(a_run_that_stops_takes_every_process_with_it)
{
    make_test_directory();
    numbered_job first = {0, NULL, "0"};
    leaving_job hangs = {test_path("log"), THEN_HANG};
    oc__runner_job jobs[2] = {
        {"numbered", "none", "1", 0, run_numbered, &first, NULL, 0, NULL},
        {"worker", "none", "1", 0, run_leaves_sleeper, &hangs, NULL, 0, NULL},
    };
    oc__runner_sink sink = {fail_once_logged, (void *)test_path("log")};
    oc__result_list results = {0};
    oc_error error;
    ck_assert_int_eq(oc__runner_run_delivering(jobs, 2, 2, &sink, &results, NULL, &error),
                     OC_ERROR_IO);
    size_t logged;
    ck_assert_int_eq(sleepers_left(test_path("log"), &logged), 0);
    ck_assert_uint_eq(logged, 1);
    remove_test_directory();
}
END_TEST

/* Whether the job's result pipe and every other descriptor above
 * stderr would be closed by exec: the value is how many are not. */
static int run_counts_inheritable(void *context, oc__wire_writer *writer, oc_error *error)
{
    (void)context;
    int inheritable = 0;
    for (int fd = 3; fd < 64; fd++) {
        int flags = fcntl(fd, F_GETFD);
        inheritable += flags >= 0 && (flags & FD_CLOEXEC) == 0;
    }
    oc__result result;
    oc__result_init(&result);
    result.metric = "descriptors";
    result.value = inheritable;
    return oc__wire_write_result(writer, &result, error);
}

START_TEST(a_program_a_plugin_runs_inherits_no_descriptor)
{
    /* Such a program holding the job's pipe would keep the host waiting
     * for the job's end as long as it lives. Two jobs in one worker: the
     * second's pipe arrives over the socket, not from fork. */
    static const char metric = 'd';
    oc__runner_job jobs[2] = {worker_job(run_counts_inheritable, &metric, 60),
                              worker_job(run_counts_inheritable, &metric, 60)};
    oc__result_list results = {0};
    oc__runner_summary summary;
    ck_assert_int_eq(oc__runner_run(jobs, 2, 1, &results, &summary, NULL), OC_OK);
    ck_assert_uint_eq(summary.succeeded, 2);
    ck_assert_double_eq(results.items[0].value, 0);
    ck_assert_double_eq(results.items[1].value, 0);
    oc__result_list_free(&results);
}
END_TEST

/* ---- stop signals ---- */

typedef struct masking_sink {
    int blocked_during_delivery; /* SIGTERM was blocked in every delivery */
    int deliveries;
    int raise_signal;            /* raise SIGTERM at the first delivery */
} masking_sink;

static int check_mask(void *context, const oc__result_list *results, oc_error *error)
{
    (void)results, (void)error;
    masking_sink *sink = context;
    sigset_t current;
    sigprocmask(SIG_BLOCK, NULL, &current);
    if (!sigismember(&current, SIGTERM))
        sink->blocked_during_delivery = 0;
    if (sink->deliveries++ == 0 && sink->raise_signal)
        raise(SIGTERM);
    return OC_OK;
}

static void stop_on_signal(int signal_number)
{
    oc__runner_request_stop(signal_number);
}

START_TEST(stop_signals_are_held_back_except_while_waiting)
{
    /* Held back outside the wait, a stop signal cannot fall between the
     * check of the stop flag and the wait, where it would go unseen. */
    numbered_job first = {0, NULL, "0"}, second = {1, NULL, "1"};
    oc__runner_job jobs[2] = {
        {"numbered", "none", "1", 20, run_numbered, &first, NULL, 0, NULL},
        {"numbered", "none", "1", 20, run_numbered, &second, NULL, 0, NULL},
    };
    masking_sink masking = {1, 0, 0};
    oc__runner_sink sink = {check_mask, &masking};
    oc__result_list results = {0};
    oc_error error;
    ck_assert_int_eq(oc__runner_run_delivering(jobs, 2, 1, &sink, &results, NULL, &error), OC_OK);
    ck_assert_int_eq(masking.deliveries, 2);
    ck_assert_int_eq(masking.blocked_during_delivery, 1);
    sigset_t after;
    sigprocmask(SIG_BLOCK, NULL, &after);
    ck_assert_int_eq(sigismember(&after, SIGTERM), 0); /* the caller's mask is back */
}
END_TEST

START_TEST(a_stop_signal_held_back_still_stops_the_run)
{
    /* The flag it sets stays set in this process: Check's fork mode keeps
     * it from the other tests. */
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode != NULL && strcmp(fork_mode, "no") == 0)
        return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = stop_on_signal;
    ck_assert_int_eq(sigaction(SIGTERM, &action, NULL), 0);
    numbered_job first = {0, NULL, "0"};
    /* No time limit: only the stop can end the sleepers. */
    oc__runner_job jobs[3] = {
        {"numbered", "none", "1", 0, run_numbered, &first, NULL, 0, NULL},
        {"sleeper", "none", "1", 0, run_sleeps, NULL, NULL, 0, NULL},
        {"sleeper", "none", "1", 0, run_sleeps, NULL, NULL, 0, NULL},
    };
    masking_sink masking = {1, 0, 1};
    oc__runner_sink sink = {check_mask, &masking};
    oc__result_list results = {0};
    oc_error error;
    ck_assert_int_eq(oc__runner_run_delivering(jobs, 3, 3, &sink, &results, NULL, &error),
                     OC_ERROR_IO);
    ck_assert_str_eq(error.message, "interrupted by signal 15");
    assert_no_child_left(); /* every worker reaped */
}
END_TEST

START_TEST(default_parallelism_and_no_jobs)
{
    ck_assert_uint_ge(oc__runner_default_parallelism(), 1);
    oc__result_list results = {0};
    oc__runner_summary summary = {5, 5};
    ck_assert_int_eq(oc__runner_run(NULL, 0, 0, &results, &summary, NULL), OC_OK);
    ck_assert_uint_eq(summary.succeeded + summary.failed, 0);
    ck_assert_uint_eq(results.count, 0);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("plugin_runner");
    TCase *tests = tcase_create("runner");
    tcase_add_test(tests, isolates_failures_in_parallel);
    tcase_add_test(tests, isolates_failures_one_at_a_time);
    tcase_add_test(tests, failure_callback_stands_for_the_work);
    tcase_add_test(tests, a_job_sending_more_than_its_limit_fails_alone);
    tcase_add_test(tests, results_are_delivered_in_job_order_as_jobs_finish);
    tcase_add_test(tests, a_job_whose_results_all_came_in_time_is_not_timed_out_by_a_busy_host);
    tcase_add_test(tests, a_worker_gets_its_next_job_while_a_long_delivery_is_under_way);
    tcase_add_test(tests, a_switch_of_groups_does_not_wait_for_the_old_worker_to_exit);
    tcase_add_test(tests, a_failing_sink_stops_the_run_and_reaps_every_child);
    tcase_add_test(tests, default_parallelism_and_no_jobs);
    tcase_add_test(tests, stop_signals_are_held_back_except_while_waiting);
    tcase_add_test(tests, a_program_a_plugin_runs_inherits_no_descriptor);
    tcase_add_test(tests, a_stop_signal_held_back_still_stops_the_run);
    tcase_add_test(tests, jobs_of_one_group_share_a_worker_and_no_other);
    tcase_add_test(tests, a_crash_or_hang_costs_its_worker_not_the_next_job);
    tcase_add_test(tests, failures_in_a_worker_say_what_happened);
    tcase_add_test(tests, a_worker_that_died_idle_is_replaced);
    tcase_add_test(tests, a_job_sent_to_a_worker_that_died_is_run_again_not_failed);
    tcase_add_test(tests, a_job_whose_stream_ends_early_in_a_live_worker_fails_without_a_hang);
    tcase_add_test(tests, a_plugin_that_leaves_a_process_running_spoils_nothing);
    tcase_add_test(tests, a_worker_that_crashes_or_times_out_takes_its_processes_with_it);
    tcase_add_test(tests,
                   a_worker_that_crashes_is_judged_though_an_escaped_process_holds_its_pipe);
    tcase_add_test(tests, ctrl_z_stops_and_continues_the_workers_with_the_host);
    tcase_add_test(tests, a_run_that_stops_takes_every_process_with_it);
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    tcase_add_test(tests, a_worker_keeps_chunk_sized_blocks_in_its_heap);
#endif
    tcase_add_test(tests, the_host_runs_only_a_few_jobs_past_the_first_undelivered);
    suite_add_tcase(suite, tests);
    return check_runner_run_suite(suite);
}
