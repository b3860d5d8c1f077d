/*
 * engine.c: runs a configuration: plugins loaded once in the parent, one
 * plan per metric, each plan cut into jobs of roughly equal work (areas
 * read), and the jobs run in isolated workers by core/plugin_runner.c,
 * each worker serving one metric.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "engine.h"
#include "digest_worker.h"
#include "engine_plan.h"
#include "plugin_runner.h"

/* Fewest areas a job reads: below this, handing out a job costs more
 * than it balances. */
#define MIN_AREAS_PER_JOB 1024
/* Most areas a job reads: the host holds the streams of a few jobs per
 * worker (core/plugin_runner.h), so this, not the store's size, bounds
 * its memory (about 0.8 MB of stream per indicator a job reports). */
#define MAX_AREAS_PER_JOB 4096
/* Jobs per worker, so that uneven jobs still keep every worker busy to
 * the end. A worker runs job after job of its metric (core/runner_worker.h),
 * so a job costs little more than its work: when each job forked, opened
 * the store and faulted in its pages (10-20 ms), two per worker was the
 * best trade (docs/performance-history.md). */
#define JOBS_PER_WORKER 4
/* Jobs per worker over parents (`areas = parents`). Each reads every
 * member's rows but reports one unit per parent, and where two jobs meet
 * inside a chunk row both decompress it: one worker running both reads it
 * once (it keeps its last block), two workers twice. With four jobs per
 * worker, `--jobs 2` over every constituency used 11-18% more CPU than
 * `--jobs 1` for the same work; with two, its workers still did 13% more
 * instructions at quarter size, and with one 8.5%
 * (docs/performance-history.md).
 * Their streams being small, fewer and larger jobs cost nothing in
 * memory, and the guided share of what the run has left (job_areas) still
 * cuts the last metric's jobs small, so that workers end together. */
#define JOBS_PER_WORKER_OVER_PARENTS 1
/* The bytes a job may send per result it owes: a result takes about 200
 * on the wire, so this leaves room for long messages while a plugin that
 * floods its pipe fails its own job long before the host runs short of
 * memory holding what it sent. */
#define RESULT_BYTES_ALLOWED 16384u

typedef struct job_context {
    const oc__metric_plan *plan;
    size_t first_unit;
    size_t unit_count;
} job_context;

static int run_job(void *context, oc__wire_writer *writer, oc_error *error)
{
    const job_context *job = context;
    return oc__engine_evaluate_units_again(job->plan, job->first_unit, job->unit_count, writer,
                                           error);
}

/* A job that crashed, hung or sent garbage stands for all its work: one
 * failed result per area and indicator, so every row can still be traced. */
static int expand_failure(void *context, const char *reason, oc__result_list *results)
{
    const job_context *job = context;
    const oc__metric_plan *plan = job->plan;
    for (size_t u = job->first_unit; u < job->first_unit + job->unit_count; u++) {
        const oc__evaluation_unit *unit = &plan->units[u];
        for (size_t k = 0; k < plan->reported_count; k++) {
            oc__result *result = oc__result_list_append(results);
            if (result == NULL)
                return OC_ERROR_NO_MEMORY;
            result->status = OC_RESULT_FAILED;
            result->metric = oc__result_copy_text(plan->metric);
            result->indicator =
                oc__result_copy_text(plan->descriptor->indicators[plan->reported[k]].name);
            result->plugin = oc__result_copy_text(plan->descriptor->name);
            result->plugin_version = oc__result_copy_text(plan->descriptor->version);
            result->area = oc__result_copy_text(unit->code);
            result->area_name =
                unit->name && unit->name[0] ? oc__result_copy_text(unit->name) : NULL;
            result->comparator =
                plan->comparator ? oc__result_copy_text(plan->comparator->code) : NULL;
            result->benchmark =
                plan->benchmark ? oc__result_copy_text(plan->benchmark->code) : NULL;
            result->message = oc__result_copy_text(reason);
            if (result->metric == NULL || result->indicator == NULL || result->area == NULL
                || result->message == NULL)
                return OC_ERROR_NO_MEMORY;
        }
    }
    return OC_OK;
}

/* The areas a plan's jobs read in all (a parent's members each count). */
static size_t plan_areas_read(const oc__metric_plan *plan)
{
    size_t areas = 0;
    for (size_t u = 0; u < plan->unit_count; u++)
        areas += plan->units[u].member_count;
    return areas;
}

/* The areas of the next job: a share of its plan, and near the end of the
 * run a share of what the run has left, so that the last jobs are small
 * and no worker is left alone with a large one while the others have
 * finished (what is left of the run halves as it goes: guided
 * scheduling). Whole chunk rows: a row split between two jobs would be
 * decompressed by both. */
static size_t job_areas(const oc__metric_plan *plan, size_t plan_areas, size_t run_left,
                        size_t workers)
{
    int over_parents = plan->unit_count > 0 && plan->units[0].aggregated;
    size_t per_job = plan_areas / (workers * (over_parents ? JOBS_PER_WORKER_OVER_PARENTS
                                                           : JOBS_PER_WORKER)) + 1;
    size_t share_of_rest = run_left / (2 * workers) + 1;
    /* The cap bounds a job's results: over parents, as many units as a
     * job over single areas has areas. */
    size_t most = over_parents ? MAX_AREAS_PER_JOB * (plan_areas / plan->unit_count + 1)
                               : MAX_AREAS_PER_JOB;
    if (per_job > share_of_rest)
        per_job = share_of_rest;
    if (per_job < MIN_AREAS_PER_JOB)
        per_job = MIN_AREAS_PER_JOB;
    if (per_job > most)
        per_job = most;
    if (plan->chunk_areas > 0 && plan->chunk_areas <= per_job)
        per_job = (per_job + plan->chunk_areas - 1) / plan->chunk_areas * plan->chunk_areas;
    return per_job;
}

/* Cuts every plan into jobs; *contexts and *jobs are allocated here. */
static int make_jobs(const oc__metric_plan *plans, size_t plan_count, size_t workers,
                     job_context **contexts_out, oc__runner_job **jobs_out, size_t *job_count,
                     oc_error *error)
{
    size_t capacity = 0;
    for (size_t p = 0; p < plan_count; p++)
        capacity += plans[p].unit_count;
    job_context *contexts = calloc(capacity ? capacity : 1, sizeof *contexts);
    oc__runner_job *jobs = calloc(capacity ? capacity : 1, sizeof *jobs);
    if (contexts == NULL || jobs == NULL) {
        free(contexts);
        free(jobs);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    }
    size_t count = 0, run_left = 0;
    for (size_t p = 0; p < plan_count; p++)
        run_left += plan_areas_read(&plans[p]);
    for (size_t p = 0; p < plan_count; p++) {
        const oc__metric_plan *plan = &plans[p];
        size_t plan_areas = plan_areas_read(plan);
        for (size_t u = 0; u < plan->unit_count;) {
            size_t per_job = job_areas(plan, plan_areas, run_left, workers);
            size_t first = u, work = 0;
            while (u < plan->unit_count && (u == first || work + plan->units[u].member_count <= per_job))
                work += plan->units[u++].member_count;
            run_left -= work;
            size_t results = (u - first) * plan->reported_count;
            contexts[count] = (job_context){plan, first, u - first};
            jobs[count] = (oc__runner_job){
                .metric = plan->metric,
                .plugin = plan->descriptor->name,
                .plugin_version = plan->descriptor->version,
                .time_limit_seconds = (unsigned)(plan->time_limit + 0.999),
                .run = run_job,
                .context = &contexts[count],
                .on_failure = expand_failure,
                .stream_limit = results * RESULT_BYTES_ALLOWED + OC__WIRE_RECORD_MAX,
                .group = plan,
            };
            count++;
        }
    }
    *contexts_out = contexts;
    *jobs_out = jobs;
    *job_count = count;
    return OC_OK;
}

/* Opens each metric's plugin into plugins[m], once for each plugin name:
 * metrics that name the same plugin share one oc__plugin (opening it is a
 * trial fork and a dlopen, about a millisecond, which a configuration of a
 * section per area, thousands of them, paid for every section). opened
 * receives the indices of the metrics whose plugins were opened, the ones
 * to close, and *opened_count how many. */
static int load_plugins(const oc__config *config, const char *directory, unsigned flags,
                        oc__plugin **plugins, size_t *opened, size_t *opened_count,
                        oc_error *error)
{
    *opened_count = 0;
    for (size_t m = 0; m < config->metric_count; m++) {
        const oc__config_metric *metric = &config->metrics[m];
        /* The plugins opened so far are few (a directory's worth), the
         * metrics possibly many: look among the plugins. */
        for (size_t i = 0; plugins[m] == NULL && i < *opened_count; i++)
            if (strcmp(config->metrics[opened[i]].plugin, metric->plugin) == 0)
                plugins[m] = plugins[opened[i]];
        if (plugins[m] != NULL)
            continue;
        oc_error load_error;
        if (oc__plugin_open_by_name(directory, metric->plugin, flags, &plugins[m], &load_error)
            != OC_OK)
            return oc__config_error(config, metric, "plugin", error, "%s", load_error.message);
        opened[(*opened_count)++] = m;
    }
    return OC_OK;
}

/* Everything but the stores' digests, which a child works out while the
 * jobs run (core/digest_worker.h); record_store_digests adds them. */
static int record_manifest(const oc__config *config, const char *period_text,
                           const oc__plugin *const *plugins, const oc__metric_plan *plans,
                           oc__manifest *manifest, oc_error *error)
{
    int status = oc__manifest_set_configuration(manifest, config->path, error);
    for (size_t m = 0; status == OC_OK && m < config->metric_count; m++) {
        status = oc__manifest_add_plugin(manifest, plugins[m]->descriptor.name,
                                         plugins[m]->descriptor.version, error);
        if (status == OC_OK)
            status = oc__manifest_add_metric(manifest, config->metrics[m].name,
                                             config->metrics[m].confidence, plans[m].frequency,
                                             error);
    }
    if (status == OC_OK)
        status = oc__manifest_set_period_requested(manifest, period_text, error);
    return status;
}

static int record_store_digests(const oc__config *config, oc__digest_worker *worker,
                                oc__manifest *manifest, oc_error *error)
{
    char (*digests)[OC_SHA256_HEX_SIZE] = calloc(config->store_count + 1, sizeof *digests);
    if (digests == NULL) {
        oc__digest_worker_stop(worker);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    }
    int status = oc__digest_worker_finish(worker, digests, error);
    if (status != OC_OK && status != OC_ERROR_NO_MEMORY) {
        /* The digests come in order up to the file that failed (a store
         * removed or made unreadable since the run was planned). */
        size_t failed = 0;
        while (failed < config->store_count && digests[failed][0] != '\0')
            failed++;
        if (failed < config->store_count)
            status = oc__plan_store_error(config, failed, error, error);
    }
    for (size_t s = 0; status == OC_OK && s < config->store_count; s++)
        status = oc__manifest_add_store_digest(manifest, config->stores[s], digests[s], error);
    free(digests);
    return status;
}

/* Whether every metric reports only parents (`areas = parents`), which
 * are named by area_parent_name (still read), not area_name, and compares
 * with none of its own (a comparator or benchmark may be an area, whose
 * name its plugin is given): then no store's area names are read. */
static int reports_only_parents(const oc__config *config)
{
    for (size_t m = 0; m < config->metric_count; m++)
        if (!config->metrics[m].all_parents || config->metrics[m].comparator != NULL
            || config->metrics[m].benchmark != NULL)
            return 0;
    return config->metric_count > 0;
}

/* A store that no metric reads (listed in [outcomes] beside the one that
 * holds every frame) is only hashed for the manifest, so it need only be
 * a file that can be read. Checked before any job runs, so that a missing
 * one stops the run at once, in the words and with the key a store that
 * is read would get, rather than once every result has been worked out;
 * and a FIFO is refused instead of waited on for ever by the hashing.
 * stores holds the ones planning opened (NULL: not read). */
static int check_unread_stores(const oc__config *config, oc__store *const *stores,
                               oc_error *error)
{
    for (size_t s = 0; s < config->store_count; s++) {
        if (stores[s] != NULL)
            continue;
        oc_error cause;
        int descriptor;
        if (oc__open_regular_file(config->stores[s], "an HDF5 store", &descriptor, &cause) != OC_OK)
            return oc__plan_store_error(config, s, &cause, error);
        close(descriptor);
    }
    return OC_OK;
}

/* ---- stores that change under a run ----
 *
 * Workers open each store by path, job after job, and the digest child
 * hashes it by path: a store rewritten in place (`cp new.h5 store.h5`) or
 * replaced (`mv new.h5 store.h5`) while the run goes on gave results from
 * two files in one results file, with the manifest's SHA-256 naming only
 * one of them. Rather than hold every store open (workers and the hashing
 * would then have to share one descriptor, and HDF5 state cannot cross
 * fork), the run notes what stat says of each store before anything
 * reads it and again once everything has been read, and fails if the two
 * differ. */
typedef struct store_identity {
    int found;                 /* stat succeeded; the rest is unset if not */
    dev_t device;
    ino_t inode;
    off_t size;
    struct timespec modified;  /* st_mtim */
    struct timespec changed;   /* st_ctim: also moves for a write that keeps
                                * or restores mtime (touch -r, cp -p) */
} store_identity;

/* What stat says of path now; a store missing now has found 0 (and
 * fails planning or the hashing if it is still missing then). */
static void identify_store(const char *path, store_identity *identity)
{
    struct stat status;
    memset(identity, 0, sizeof *identity);
    if (stat(path, &status) != 0)
        return;
    identity->found = 1;
    identity->device = status.st_dev;
    identity->inode = status.st_ino;
    identity->size = status.st_size;
    identity->modified = status.st_mtim;
    identity->changed = status.st_ctim;
}

static int same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int same_store(const store_identity *a, const store_identity *b)
{
    if (!a->found || !b->found)
        return a->found == b->found;
    return a->device == b->device && a->inode == b->inode && a->size == b->size
           && same_time(a->modified, b->modified) && same_time(a->changed, b->changed);
}

/* Whether each store is still the file it was when the run began (before:
 * one identity per config->stores entry, taken then): a data error naming the first that is not, in the
 * words and with the key a store that cannot be used gets.
 *
 * Called once every job has ended and every digest is in, so that nothing
 * of the run reads a store afterwards: a change at any moment between the
 * first look, before the digest child and the planning's readers start,
 * and this one is caught, whether it came before, during or after a
 * particular read. What stat cannot see is left: a rewrite that keeps the
 * size and falls in the same tick of the file system's clock (a few
 * milliseconds on Linux, coarser on some file systems) as a write made
 * just before the run began; that is, a store still being written when
 * the run started. */
static int check_stores_unchanged(const oc__config *config, const store_identity *before,
                                  oc_error *error)
{
    for (size_t s = 0; s < config->store_count; s++) {
        store_identity now;
        identify_store(config->stores[s], &now);
        if (same_store(&before[s], &now))
            continue;
        oc_error cause;
        oc_error_set(&cause, OC_ERROR_IO,
                     "%s: changed while the run read it (replaced or rewritten): no results "
                     "written; run again once it is complete", config->stores[s]);
        return oc__plan_store_error(config, s, &cause, error);
    }
    return OC_OK;
}

/* Records each result in the manifest (plugins, periods used) as it
 * arrives, then hands it on to the caller's sink, or without one keeps a
 * copy in the caller's list. */
typedef struct recording_sink {
    oc__manifest *manifest;
    const oc__runner_sink *next; /* may be NULL */
    oc__result_list *results;    /* the copies when next is NULL */
} recording_sink;

static int record_results(void *context, const oc__result_list *results, oc_error *error)
{
    recording_sink *recording = context;
    int status = oc__manifest_add_results(recording->manifest, results, error);
    if (status != OC_OK || recording->next != NULL)
        return status == OC_OK ? recording->next->deliver(recording->next->context, results, error)
                               : status;
    if (oc__result_list_append_copies(recording->results, results) != OC_OK)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory collecting results");
    return OC_OK;
}

int oc__engine_run(oc__config *config, const oc__engine_options *options,
                   oc__manifest *manifest, oc__result_list *results,
                   oc__runner_summary *summary, oc_error *error)
{
    const char *period_text = options->period_text ? options->period_text : config->period_text;
    if (period_text == NULL)
        period_text = "latest";
    const char *directory = oc__plugin_directory(options->plugin_dir, config->plugin_dir);
    unsigned flags = oc__plugin_flags_from_environment(config->allow_insecure_plugins);
    size_t workers = options->jobs ? options->jobs
                     : config->jobs > 0 ? (size_t)config->jobs
                                        : oc__runner_default_parallelism();

    size_t metric_count = config->metric_count;
    oc__plugin **plugins = calloc(metric_count ? metric_count : 1, sizeof *plugins);
    size_t *opened_plugins = calloc(metric_count ? metric_count : 1, sizeof *opened_plugins);
    size_t opened_plugin_count = 0;
    oc__metric_plan *plans = calloc(metric_count ? metric_count : 1, sizeof *plans);
    oc__store **stores = calloc(config->store_count ? config->store_count : 1, sizeof *stores);
    oc__store_pending *pending = calloc(config->store_count ? config->store_count : 1,
                                        sizeof *pending);
    store_identity *identities = calloc(config->store_count ? config->store_count : 1,
                                        sizeof *identities);
    job_context *contexts = NULL;
    oc__runner_job *jobs = NULL;
    size_t job_count = 0;
    int status = plugins && opened_plugins && plans && stores && pending && identities ? OC_OK
                 : oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    /* Before anything reads a store: the hashing and the planning's
     * readers start next (check_stores_unchanged). */
    if (status == OC_OK)
        for (size_t s = 0; s < config->store_count; s++)
            identify_store(config->stores[s], &identities[s]);
    /* Started first, so that hashing uses the core left idle while the
     * host plans alone (60 ms at national size), and the child is forked
     * before the plugins are loaded. */
    oc__digest_worker digest_worker;
    int digesting = status == OC_OK;
    if (digesting)
        oc__digest_worker_start(&digest_worker, (const char *const *)config->stores,
                                config->store_count);
    /* The stores the metrics read first are read in children while the
     * host loads its plugins (trying each in a child of its own): a
     * store's reader takes 10-30 ms, the plugins 4 ms. SIGCHLD stays
     * reapable until every reader is finished or abandoned. */
    struct sigaction saved_child_action;
    oc__runner_children_reapable(&saved_child_action);
    int without_area_names = reports_only_parents(config);
    for (size_t s = 0; pending != NULL && s < config->store_count; s++)
        pending[s].without_area_names = without_area_names; /* for stores planning opens */
    for (size_t m = 0; status == OC_OK && m < metric_count; m++) {
        size_t s = oc__plan_first_store(config, &config->metrics[m]);
        if (s < config->store_count && pending[s].path == NULL)
            oc__store_open_contained_start(config->stores[s], without_area_names, &pending[s]);
    }
    if (status == OC_OK)
        oc__store_prepare_library(); /* beside the readers, once for every worker */
    if (status == OC_OK)
        status = load_plugins(config, directory, flags, plugins, opened_plugins,
                              &opened_plugin_count, error);
    for (size_t m = 0; status == OC_OK && m < metric_count; m++)
        status = oc__metric_plan_build(config, &config->metrics[m], plugins[m], period_text,
                                       stores, pending, &plans[m], error);
    if (status == OC_OK)
        status = check_unread_stores(config, stores, error);
    for (size_t s = 0; pending != NULL && s < config->store_count; s++)
        oc__store_open_contained_abandon(&pending[s]); /* only those planning never needed */
    sigaction(SIGCHLD, &saved_child_action, NULL);
    /* The plans need no store from here on: workers open the stores
     * themselves (HDF5 state must not cross fork). The host's were read
     * in a child (core/store_contained.c) unless fork failed; closing one
     * reaps its reader. */
    for (size_t s = 0; stores != NULL && s < config->store_count; s++)
        oc__store_close(stores[s]);
    if (status == OC_OK)
        status = record_manifest(config, period_text, (const oc__plugin *const *)plugins, plans,
                                 manifest, error);
    if (status == OC_OK)
        status = make_jobs(plans, metric_count, workers, &contexts, &jobs, &job_count, error);
    recording_sink recording = {manifest, options->sink, results};
    oc__runner_sink sink = {record_results, &recording};
    if (status == OC_OK)
        status = oc__runner_run_delivering(jobs, job_count, workers, &sink, results, summary,
                                           error);
    if (status == OC_OK)
        status = record_store_digests(config, &digest_worker, manifest, error);
    else if (digesting)
        oc__digest_worker_stop(&digest_worker);
    /* Every job has ended and every digest is in: nothing reads a store
     * after this. Failing here, after results were streamed to the
     * caller's sink, is what an engine error always means to the caller:
     * its unfinished output is thrown away (core/command_run.c). */
    if (status == OC_OK)
        status = check_stores_unchanged(config, identities, error);

    free(jobs);
    free(contexts);
    for (size_t m = 0; plans != NULL && m < metric_count; m++)
        oc__metric_plan_free(&plans[m]);
    for (size_t i = 0; i < opened_plugin_count; i++)
        oc__plugin_close(plugins[opened_plugins[i]]);
    free(plans);
    free(plugins);
    free(opened_plugins);
    free(stores);
    free(pending);
    free(identities);
    return status;
}
