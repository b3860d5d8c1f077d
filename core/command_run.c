/* command_run.c: `outcomes run CONFIG`, the command scheduled evaluations
 * call; its exit statuses are a contract (core/commands.h). */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic_file.h"
#include "commands.h"
#include "configuration.h"
#include "engine.h"
#include "output.h"
#include "plugin_runner.h"

static const char run_usage[] =
    "Usage: outcomes run [OPTIONS] CONFIG\n"
    "\n"
    "Evaluates every metric that the configuration CONFIG defines and writes\n"
    "the results (docs/results.md).\n"
    "\n"
    "Options:\n"
    "  -p, --period PERIOD   evaluation period: 2016-11-30, 2016-11, 2016Q4,\n"
    "                        '2016/17 Q3' or latest (default: the configuration's)\n"
    "  -f, --format FORMAT   table (default), csv or json\n"
    "  -o, --output FILE     write to FILE, atomically, instead of the configuration's\n"
    "                        output (or standard output)\n"
    "  -j, --jobs N          evaluate with up to N processes (default: CPUs)\n"
    "      --plugin-dir DIR  find plugins in DIR\n"
    "      --fail-on LEVEL   exit 6 when any result is red (LEVEL red) or amber\n"
    "                        or red (LEVEL amber)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 every metric evaluated; 2 bad command line; 3 configuration\n"
    "error; 4 a store cannot be used; 5 a plugin failed (the other results are\n"
    "written); 6 --fail-on matched; 1 internal error (docs/exit-status.md).\n";

typedef struct run_options {
    const char *config_path;
    const char *period;
    const char *format;
    const char *output;
    const char *plugin_dir;
    const char *fail_on;
    size_t jobs;
} run_options;

static int parse_jobs(const char *text, size_t *jobs)
{
    char *end;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 1 || value > 1024)
        return -1;
    *jobs = (size_t)value;
    return 0;
}

/* Takes an option's value, refusing a second one: with the last one
 * silently winning, `-o r.json -o r2.json` in a cron line wrote only
 * r2.json, and the typo went unnoticed until someone looked for r.json.
 * 0, or -1 having said so. */
static int take_once(const char *option, const char **value, const char *given)
{
    if (*value != NULL) {
        oc__print_error("run: %s given twice ('%s', then '%s'): give it once", option, *value,
                        given);
        return -1;
    }
    *value = given;
    return 0;
}

/* Returns OC_EXIT_OK to go on, or the exit status to stop with. */
static int parse_arguments(int argc, char **argv, run_options *options, int *stop)
{
    enum { OPTION_PLUGIN_DIR = 256, OPTION_FAIL_ON };
    static const struct option long_options[] = {
        {"period", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"plugin-dir", required_argument, NULL, OPTION_PLUGIN_DIR},
        {"fail-on", required_argument, NULL, OPTION_FAIL_ON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(options, 0, sizeof *options);
    *stop = 0;
    optind = 1;
    opterr = 0;
    int option;
    const char *jobs_given = NULL;
    while ((option = getopt_long(argc, argv, ":p:f:o:j:h", long_options, NULL)) != -1) {
        switch (option) {
        case 'p':
            if (take_once("--period", &options->period, optarg) != 0)
                return OC_EXIT_USAGE;
            break;
        case 'f':
            if (take_once("--format", &options->format, optarg) != 0)
                return OC_EXIT_USAGE;
            break;
        case 'o':
            if (take_once("--output", &options->output, optarg) != 0)
                return OC_EXIT_USAGE;
            break;
        case 'j':
            if (take_once("--jobs", &jobs_given, optarg) != 0)
                return OC_EXIT_USAGE;
            if (parse_jobs(optarg, &options->jobs) != 0) {
                oc__print_error("run: --jobs: '%s' is not a whole number from 1 to 1024", optarg);
                return OC_EXIT_USAGE;
            }
            break;
        case OPTION_PLUGIN_DIR:
            if (take_once("--plugin-dir", &options->plugin_dir, optarg) != 0)
                return OC_EXIT_USAGE;
            break;
        case OPTION_FAIL_ON:
            if (take_once("--fail-on", &options->fail_on, optarg) != 0)
                return OC_EXIT_USAGE;
            if (strcmp(optarg, "red") != 0 && strcmp(optarg, "amber") != 0) {
                oc__print_error("run: --fail-on: '%s' is not red or amber", optarg);
                return OC_EXIT_USAGE;
            }
            options->fail_on = optarg;
            break;
        case 'h':
            fputs(run_usage, stdout);
            *stop = 1;
            return OC_EXIT_OK;
        case ':':
            oc__print_error("run: option '%s' needs a value", argv[optind - 1]);
            return OC_EXIT_USAGE;
        default:
            oc__print_error("run: unknown option '%s' (try 'outcomes run --help')", argv[optind - 1]);
            return OC_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        oc__print_error(optind >= argc ? "run: no configuration file given (try 'outcomes run --help')"
                                       : "run: one configuration file expected, got %d arguments",
                        argc - optind);
        return OC_EXIT_USAGE;
    }
    options->config_path = argv[optind];
    return OC_EXIT_OK;
}

/* ---- stopping cleanly when told to ----
 *
 * A scheduler's SIGTERM, a terminal's SIGINT or SIGHUP while results are
 * being written must not leave a half-written temporary file (at national
 * scale some 300 MB) or orphaned jobs: the handler only records the
 * signal and tells the runner, which kills and reaps its children; the
 * command then removes the unfinished file and dies of the same signal,
 * so whoever sent it sees the usual status. */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signal_number)
{
    stop_signal = signal_number;
    oc__runner_request_stop(signal_number);
}

static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP};
#define STOP_SIGNAL_COUNT (sizeof stop_signals / sizeof stop_signals[0])

/* Installs the handlers (saving the old ones in saved), and ignores
 * SIGXFSZ so that a file-size limit is a write error (exit 1), not a kill. */
static void catch_stop_signals(struct sigaction saved[STOP_SIGNAL_COUNT + 1])
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = on_stop_signal;
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; i++)
        sigaction(stop_signals[i], &action, &saved[i]);
    action.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &action, &saved[STOP_SIGNAL_COUNT]);
}

static void restore_signals(const struct sigaction saved[STOP_SIGNAL_COUNT + 1])
{
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
    sigaction(SIGXFSZ, &saved[STOP_SIGNAL_COUNT], NULL);
}

/* What the exit status needs to know of the results, counted as they
 * pass: a failed job always stands as failed results, so counting these
 * covers crashed children and plugin errors alike. */
typedef struct result_tally {
    const char *fail_on;   /* NULL, "red" or "amber" */
    size_t failed;
    int fail_on_matched;
} result_tally;

static void tally(result_tally *counts, const oc__result_list *results)
{
    for (size_t i = 0; i < results->count; i++) {
        const oc__result *result = &results->items[i];
        counts->failed += result->status == OC_RESULT_FAILED;
        if (counts->fail_on != NULL && result->rag != NULL
            && (strcmp(result->rag, "red") == 0
                || (strcmp(counts->fail_on, "amber") == 0 && strcmp(result->rag, "amber") == 0)))
            counts->fail_on_matched = 1;
    }
}

/* Results written to the output file as jobs finish (JSON and CSV): the
 * writing overlaps the evaluation and the host holds one job's results at
 * a time, not the whole run's. */
typedef struct streaming_output {
    const char *path;
    oc__output_format format;
    oc__output_file_writer *writer; /* made at the first results, so that a
                                     * configuration or store error is
                                     * still reported first (exit 3, 4) */
    result_tally *counts;
    int write_failed;               /* the output could not be written: exit 1 */
} streaming_output;

/* The output file, created the first time it is needed. */
static int open_streamed_output(streaming_output *streaming, oc_error *error)
{
    if (streaming->writer != NULL)
        return OC_OK;
    return oc__output_file_writer_begin(streaming->path, streaming->format, &streaming->writer,
                                        error);
}

static int deliver_to_file(void *context, const oc__result_list *results, oc_error *error)
{
    streaming_output *streaming = context;
    tally(streaming->counts, results);
    int status = open_streamed_output(streaming, error);
    if (status == OC_OK)
        status = oc__output_file_writer_add(streaming->writer, results, error);
    streaming->write_failed = status != OC_OK;
    return status;
}

/* Ends the streamed file: created now if no job had results, then
 * committed (the commit frees the writer, and removes the file if it
 * fails). */
static int commit_streamed_output(streaming_output *streaming, const oc__manifest *manifest,
                                  oc_error *error)
{
    int status = open_streamed_output(streaming, error);
    if (status == OC_OK)
        status = oc__output_file_writer_commit(streaming->writer, manifest, error);
    streaming->writer = NULL;
    return status;
}

/* The output must be somewhere results can go without destroying
 * anything: before any work, so that the mistake costs nothing. OC_EXIT_OK,
 * or the exit status (usage for -o, configuration for the key) with the
 * message in error. */
static int check_output_path(const oc__config *config, const char *output, int from_command_line,
                             oc_error *error)
{
    size_t count = config->store_count + 1;
    const char **inputs = malloc(count * sizeof *inputs);
    if (inputs == NULL) {
        oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
        return OC_EXIT_INTERNAL;
    }
    inputs[0] = config->path;
    for (size_t i = 0; i < config->store_count; i++)
        inputs[i + 1] = config->stores[i];
    oc_error check;
    int status = oc__atomic_file_check_target(output, inputs, count, &check);
    free(inputs);
    if (status == OC_OK)
        return OC_EXIT_OK;
    /* A directory that is missing or cannot be written in: results that
     * cannot be written, status 1 (docs/exit-status.md), said before any
     * work rather than once the jobs are done. */
    int io = status == OC_ERROR_IO;
    if (from_command_line) {
        oc_error_set(error, status, "run: -o: %s", check.message);
        return io ? OC_EXIT_INTERNAL : OC_EXIT_USAGE;
    }
    oc_error_set(error, status, "%s: [outcomes] output: %s", config->path, check.message);
    return io ? OC_EXIT_INTERNAL : OC_EXIT_CONFIG;
}

static int exit_for_engine_error(int status)
{
    switch (status) {
    case OC_ERROR_CONFIG: return OC_EXIT_CONFIG;
    case OC__ERROR_ENGINE_OPTION: return OC_EXIT_USAGE; /* docs/exit-status.md */
    case OC_ERROR_NO_MEMORY: return OC_EXIT_INTERNAL;
    case OC_ERROR_PLUGIN: return OC_EXIT_PLUGIN;
    default: return OC_EXIT_DATA;
    }
}

int oc__command_run(int argc, char **argv)
{
    run_options options;
    int stop;
    int exit_status = parse_arguments(argc, argv, &options, &stop);
    if (exit_status != OC_EXIT_OK || stop)
        return exit_status;

    oc_error error;
    oc__output_format format = OC_OUTPUT_TABLE;
    if (options.format != NULL && oc__output_format_parse(options.format, &format, &error) != OC_OK) {
        oc__print_error("run: --format: %s", error.message);
        return OC_EXIT_USAGE;
    }
    if (options.period != NULL && strcmp(options.period, "latest") != 0) {
        oc__period period;
        if (oc__period_parse(options.period, OC__FREQUENCY_NONE, &period, &error) != OC_OK) {
            oc__print_error("run: --period: %s", error.message);
            return OC_EXIT_USAGE;
        }
    }

    oc__config *config;
    if (oc__config_load(options.config_path, &config, &error) != OC_OK) {
        oc__print_error("%s", error.message);
        return error.status == OC_ERROR_NO_MEMORY ? OC_EXIT_INTERNAL : OC_EXIT_CONFIG;
    }
    if (options.format == NULL)
        format = config->format;
    const char *output = options.output ? options.output : config->output;
    if (output != NULL && strcmp(output, "-") != 0) {
        int status = check_output_path(config, output, options.output != NULL, &error);
        if (status != OC_EXIT_OK) {
            oc__print_error("%s", error.message);
            oc__config_free(config);
            return status;
        }
    }

    oc__manifest *manifest = NULL;
    oc__result_list results = {0};
    result_tally counts = {options.fail_on, 0, 0};
    oc__engine_options engine_options = {options.period, options.plugin_dir, options.jobs, NULL};
    int streamed = output != NULL && strcmp(output, "-") != 0 && format != OC_OUTPUT_TABLE;
    streaming_output streaming = {output, format, NULL, &counts, 0};
    oc__runner_sink sink = {deliver_to_file, &streaming};
    if (streamed)
        engine_options.sink = &sink;
    struct sigaction saved_actions[STOP_SIGNAL_COUNT + 1];
    catch_stop_signals(saved_actions);
    int status = oc__manifest_create(&manifest, time(NULL), &error);
    if (status == OC_OK)
        status = oc__engine_run(config, &engine_options, manifest, &results, NULL, &error);
    /* A signal during the commit below comes too late to matter. */
    int stopped_by = stop_signal;
    if (stopped_by != 0) {
        /* Nothing is written: the unfinished file goes, an older one stays. */
        oc__output_file_writer_abort(streaming.writer);
        oc__print_error("run: stopped by signal %d (%s); no results written", stopped_by,
                        strsignal(stopped_by));
        exit_status = OC_EXIT_INTERNAL; /* only if the signal does not end the process */
    } else if (status != OC_OK) {
        /* An option the engine could not use (--period before a store's
         * first period) is a usage error, printed as the options' are. */
        oc__print_error("%s%s", status == OC__ERROR_ENGINE_OPTION ? "run: " : "", error.message);
        oc__output_file_writer_abort(streaming.writer);
        /* A result file that could not be written is the host's failure. */
        exit_status = streaming.write_failed ? OC_EXIT_INTERNAL : exit_for_engine_error(status);
    } else {
        tally(&counts, &results);
        if (streamed)
            status = commit_streamed_output(&streaming, manifest, &error);
        else
            /* no output, or "-": standard output, flushed and checked */
            status = oc__output_write_file(output, format, manifest, &results, &error);
        if (status != OC_OK) {
            oc__print_error("%s", error.message);
            exit_status = OC_EXIT_INTERNAL;
        } else if (counts.failed > 0) {
            oc__print_error("%zu result%s failed (see their messages); the others were written",
                            counts.failed, counts.failed == 1 ? "" : "s");
            exit_status = OC_EXIT_PLUGIN;
        } else if (counts.fail_on_matched) {
            exit_status = OC_EXIT_FAIL_ON;
        }
    }
    restore_signals(saved_actions);
    oc__result_list_free(&results);
    oc__manifest_free(manifest);
    oc__config_free(config);
    if (stopped_by != 0) {
        /* Die of the same signal, so whoever sent it sees the usual status. */
        signal(stopped_by, SIG_DFL);
        raise(stopped_by);
    }
    return exit_status;
}
