/*
 * engine_evaluate.c: the work of one job, run in a forked child. It streams
 * the areas its units need from the store in blocks lined up with the
 * store's chunks (bounded memory whatever the store's size; every chunk is
 * decompressed once), evaluates single areas straight from the block
 * buffer, sums members into parent areas, and scores and sends one result
 * per unit and indicator.
 *
 * A plugin is handed its inputs as const, but nothing stops one from
 * casting that away: what it could write must never change another
 * area's result. Its inputs (the block buffer, the parents' sums) are
 * read-only while it runs, so such a write crashes its own job, and the
 * area code and name it sees are a copy (see protect_memory).
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine.h"
#include "member_sum.h"
#include "period.h"
#include "plugin_runner.h"
#include "store.h"

/* The outputs of an area every unit is compared with (the comparator, the
 * benchmark), evaluated once when the evaluator is prepared. */
typedef struct reference_outputs {
    double *storage;                    /* a copy of its output series (owned) */
    oc_indicator_series *series;        /* per indicator, into storage (owned) */
    int status;                         /* the plugin's status for it */
} reference_outputs;

/* Largest block of areas read at once: with a dozen measures and 240
 * periods, 512 areas is 12 MiB of buffers. */
#define MAX_BLOCK_AREAS 512

typedef struct evaluator {
    const oc__metric_plan *plan;
    oc__store *store;
    oc__store_frame *frame;
    const oc__store_measure **measures; /* per role, NULL when unmapped */
    const int32_t *times;               /* in axes: the frame's, copied */
    size_t *year_earlier_index;         /* in axes, see oc_evaluation */
    void *axes;                         /* the two above, read-only once filled */
    size_t axes_bytes;                  /* allocated: whole pages (allocate_pages) */
    int axes_read_only;
    size_t time_count;
    size_t area_count;
    size_t block_areas;
    double *block;                      /* role_count x block_areas x time_count */
    size_t block_bytes;                 /* allocated: whole pages (allocate_pages) */
    int block_read_only;                /* whether protect_memory made it read-only */
    int protection_off;                 /* mprotect failed once: no more tries */
    char *area_text;                    /* the plugin's copy of code and name (owned) */
    size_t area_text_size;
    size_t block_first;                 /* first area in block, or OC__NO_INDEX */
    const double **inputs;              /* per role, handed to the plugin */
    double *output_storage;             /* see output_storage_size */
    oc_indicator_series *outputs;
    oc_evaluation evaluation;
    reference_outputs comparator;       /* storage NULL without one */
    reference_outputs benchmark;        /* likewise */
    oc__wire_writer *writer;
    oc__result **unit_results;          /* per unit: reported_count results scored and
                                         * not yet sent (owned), or NULL */
    size_t next_to_send;                /* units before it have been sent */
    size_t unit_count;                  /* this job's units */
} evaluator;

/* An area that a unit needs; sorted by area so blocks are read in order. */
typedef struct member_slot {
    size_t area;
    size_t unit;
} member_slot;

static int compare_slots(const void *left, const void *right)
{
    const member_slot *a = left, *b = right;
    if (a->area != b->area)
        return a->area < b->area ? -1 : 1;
    return a->unit < b->unit ? -1 : a->unit > b->unit;
}

/* Whether the slots are in order already, as they are when the units are
 * areas in store order or parents whose members run together (the
 * usual layouts): checking is cheaper than sorting 32,844 slots again. */
static int slots_sorted(const member_slot *slots, size_t count)
{
    for (size_t s = 1; s < count; s++)
        if (compare_slots(&slots[s - 1], &slots[s]) > 0)
            return 0;
    return 1;
}

/* ---- the plugin's output series, and the guards between them ----
 *
 * An indicator's five series (value, lower, upper, numerator, denominator)
 * lie one after another, each after a guard value, with one guard after
 * the last: a plugin that writes one element before or past a series (an
 * off-by-one, the commonest slip) changes a guard, not the next series,
 * and its results fail with a message instead of being silently wrong. */
#define SERIES_PER_INDICATOR 5
static const char *const series_names[SERIES_PER_INDICATOR] = {"value", "lower", "upper",
                                                               "numerator", "denominator"};
/* A NaN no arithmetic produces (quiet, payload 0xdead0ff5e7) and no plugin
 * means as "missing" (NAN has no payload): compared by its bits. */
static const uint64_t guard_bits = UINT64_C(0x7ff800dead0ff5e7);

static size_t output_storage_size(size_t indicators, size_t time_count)
{
    return indicators * SERIES_PER_INDICATOR * (time_count + 1) + 1;
}

/* Binds indicator `indicator`'s series into storage laid out as above. */
static void series_bind(oc_indicator_series *series, double *storage, size_t indicator,
                        size_t time_count)
{
    double *first = storage + indicator * SERIES_PER_INDICATOR * (time_count + 1) + 1;
    size_t stride = time_count + 1;
    series->count = time_count;
    series->value = first;
    series->lower = first + stride;
    series->upper = first + 2 * stride;
    series->numerator = first + 3 * stride;
    series->denominator = first + 4 * stride;
}

static void set_guards(double *storage, size_t indicators, size_t time_count)
{
    for (size_t k = 0; k <= indicators * SERIES_PER_INDICATOR; k++)
        memcpy(&storage[k * (time_count + 1)], &guard_bits, sizeof guard_bits);
}

/* After the plugin ran: OC_OK when every guard is intact, else
 * OC_ERROR_PLUGIN with the series whose edge was crossed (and the guards
 * put back for the next area). */
static int check_guards(double *storage, const oc_plugin_descriptor *descriptor,
                        size_t indicators, size_t time_count, oc_error *error)
{
    for (size_t k = 0; k <= indicators * SERIES_PER_INDICATOR; k++) {
        uint64_t bits;
        memcpy(&bits, &storage[k * (time_count + 1)], sizeof bits);
        if (bits == guard_bits)
            continue;
        char after[160] = "", before[160] = "";
        if (k > 0)
            snprintf(after, sizeof after, "past the end of indicator '%s' %s[%zu]",
                     descriptor->indicators[(k - 1) / SERIES_PER_INDICATOR].name,
                     series_names[(k - 1) % SERIES_PER_INDICATOR], time_count);
        if (k < indicators * SERIES_PER_INDICATOR)
            snprintf(before, sizeof before, "before the start of indicator '%s' %s[]",
                     descriptor->indicators[k / SERIES_PER_INDICATOR].name,
                     series_names[k % SERIES_PER_INDICATOR]);
        set_guards(storage, indicators, time_count);
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "the plugin wrote outside its output series, %s%s%s: its results "
                            "are not used", after, after[0] && before[0] ? " or " : "", before);
    }
    return OC_OK;
}

/* The identity fields (metric, indicator, plugin, plugin_version, area,
 * area_name, comparator, benchmark) of a result the job builds are
 * BORROWED from the plan and the descriptor, which outlive it: copying
 * eight strings per result cost more than scoring it. They are cleared
 * before the result is, so oc__result_clear frees only what scoring
 * allocated. */
static void release_identity(oc__result *result)
{
    result->metric = result->indicator = result->plugin = result->plugin_version = NULL;
    result->area = result->area_name = result->comparator = result->benchmark = NULL;
    oc__result_clear(result);
}

static void free_unit_results(const evaluator *ev, oc__result *results)
{
    for (size_t k = 0; results != NULL && k < ev->plan->reported_count; k++)
        release_identity(&results[k]);
    free(results);
}

/* Memory a plugin reads (the block buffer, the parents' sums), in whole
 * pages of its own, so that protect_memory can make exactly it read-only.
 * In transparent huge pages where the kernel offers them: a worker's
 * block is 1-8 MiB (2-8 measures of 512 areas by 240 months), written once
 * from start to end when the first block is read, and the 4 KiB page
 * faults that filled it took more time than zeroing it (1.6 us a page
 * against 0.6 us in 2 MiB pages, on the benchmark's machine). Rounded up
 * to whole huge pages; smaller memory, where that would cost more than it
 * saves, to whole ordinary pages. *allocated: the rounded size. Freed with
 * release_pages. */
#define HUGE_PAGE_SIZE ((size_t)2 << 20)
static double *allocate_pages(size_t bytes, size_t *allocated)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t unit = bytes >= HUGE_PAGE_SIZE / 2 ? HUGE_PAGE_SIZE
                  : page > 0                   ? (size_t)page
                                               : 4096;
    size_t rounded = bytes > 0 ? (bytes + unit - 1) / unit * unit : unit;
    void *memory = NULL;
    if (rounded < bytes || posix_memalign(&memory, unit, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (unit == HUGE_PAGE_SIZE)
        (void)madvise(memory, rounded, MADV_HUGEPAGE); /* advice: without it, small pages */
#endif
    *allocated = rounded;
    return memory;
}

/* Makes memory from allocate_pages read-only while plugins read it, or
 * writable again before the host writes it; whether it now is as asked.
 * A plugin that casts away const and writes into its input then faults:
 * its worker crashes and its job's results say so (docs/plugin-abi.md),
 * where the write would otherwise have changed the parents summed from
 * the same block after it, or the next job's areas. Protection is a
 * safeguard, not a condition of running: when mprotect fails, *off is set
 * and the evaluator runs unprotected from then on (asking to make memory
 * read-only then does nothing). */
static int protect_memory(void *memory, size_t bytes, int read_only, int *off)
{
    if (read_only && *off)
        return 0;
    if (mprotect(memory, bytes, read_only ? PROT_READ : PROT_READ | PROT_WRITE) == 0)
        return 1;
    *off = 1;
    return 0;
}

/* Frees memory from allocate_pages, made writable first (free writes into
 * it). Memory that stays read-only is left allocated: handing it back to
 * malloc would crash the worker. */
static void release_pages(void *memory, size_t bytes, int read_only, int *off)
{
    if (memory != NULL && (!read_only || protect_memory(memory, bytes, 0, off)))
        free(memory);
}

static void evaluator_close(evaluator *ev)
{
    if (ev->store != NULL) {
        char activity[OC__RUNNER_ACTIVITY_SIZE];
        snprintf(activity, sizeof activity, "closing store %s", ev->plan->store_path);
        oc__runner_activity(activity);
        oc__store_close(ev->store);
        oc__runner_activity(NULL);
    }
    release_pages(ev->axes, ev->axes_bytes, ev->axes_read_only, &ev->protection_off);
    free(ev->measures);
    release_pages(ev->block, ev->block_bytes, ev->block_read_only, &ev->protection_off);
    free(ev->area_text);
    free(ev->inputs);
    free(ev->output_storage);
    free(ev->outputs);
    free(ev->comparator.storage);
    free(ev->comparator.series);
    free(ev->benchmark.storage);
    free(ev->benchmark.series);
    for (size_t u = 0; ev->unit_results != NULL && u < ev->unit_count; u++)
        free_unit_results(ev, ev->unit_results[u]);
    free(ev->unit_results);
}

static int evaluator_open(evaluator *ev, const oc__metric_plan *plan, oc__wire_writer *writer,
                          oc_error *error)
{
    memset(ev, 0, sizeof *ev);
    ev->plan = plan;
    ev->writer = writer;
    ev->block_first = OC__NO_INDEX;
    /* Only the plan's measures are opened (role_measures: NULL for a role
     * left unmapped, which the store skips). */
    char activity[OC__RUNNER_ACTIVITY_SIZE];
    snprintf(activity, sizeof activity, "opening store %s", plan->store_path);
    oc__runner_activity(activity); /* until the frame and measures are found below */
    int status = oc__store_open_for_reading(plan->store_path,
                                            (const char *const *)plan->role_measures,
                                            plan->role_count, &ev->store, error);
    if (status != OC_OK) {
        oc__runner_activity(NULL);
        return status;
    }
    ev->frame = plan->frame_name ? oc__store_find_frame(ev->store, plan->frame_name)
                                 : oc__store_frame_at(ev->store, 0);
    if (ev->frame == NULL)
        return oc_error_set(error, OC_ERROR_NOT_FOUND, "%s: no frame '%s'", plan->store_path,
                            plan->frame_name ? plan->frame_name : "/");
    ev->time_count = oc__store_time_count(ev->frame);
    ev->area_count = oc__store_area_count(ev->frame);

    size_t roles = plan->role_count, indicators = plan->indicator_count, times = ev->time_count;
    ev->measures = calloc(roles ? roles : 1, sizeof *ev->measures);
    ev->inputs = calloc(roles ? roles : 1, sizeof *ev->inputs);
    ev->outputs = calloc(indicators, sizeof *ev->outputs);
    ev->output_storage = malloc(output_storage_size(indicators, times) * sizeof(double));
    /* The time axis and the year-earlier table, which every area's
     * plugin call and scoring share, in pages of their own made read-only,
     * as the blocks are: a plugin writing through oc_evaluation_times()
     * would otherwise change the periods every later result is scored
     * and dated by. */
    size_t *table = oc__evaluation_year_earlier_table(oc__store_times(ev->frame), times);
    ev->axes = table != NULL ? allocate_pages(times * (sizeof(size_t) + sizeof(int32_t)),
                                              &ev->axes_bytes)
                             : NULL;
    if (!ev->measures || !ev->inputs || !ev->outputs || !ev->output_storage || !ev->axes) {
        free(table);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    }
    ev->year_earlier_index = ev->axes;
    memcpy(ev->year_earlier_index, table, times * sizeof(size_t));
    free(table);
    int32_t *axis = (int32_t *)(ev->year_earlier_index + times);
    memcpy(axis, oc__store_times(ev->frame), times * sizeof(int32_t));
    ev->times = axis;
    ev->axes_read_only = protect_memory(ev->axes, ev->axes_bytes, 1, &ev->protection_off);
    ev->block_areas = MAX_BLOCK_AREAS;
    for (size_t r = 0; r < roles; r++) {
        if (plan->role_measures[r] == NULL)
            continue;
        ev->measures[r] = oc__store_find_measure(ev->frame, plan->role_measures[r]);
        if (ev->measures[r] == NULL)
            return oc_error_set(error, OC_ERROR_NOT_FOUND, "%s: no measure '%s'",
                                plan->store_path, plan->role_measures[r]);
        size_t chunk = oc__store_measure_chunk_areas(ev->frame, ev->measures[r]);
        if (chunk > 0 && chunk < ev->block_areas)
            ev->block_areas = chunk;
    }
    oc__runner_activity(NULL); /* the store is open, its frame and measures found */
    ev->block = allocate_pages(roles * ev->block_areas * times * sizeof(double),
                               &ev->block_bytes);
    if (ev->block == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < indicators; i++)
        series_bind(&ev->outputs[i], ev->output_storage, i, times);
    set_guards(ev->output_storage, indicators, times);

    oc_evaluation *evaluation = &ev->evaluation;
    evaluation->descriptor = plan->descriptor;
    evaluation->time_count = times;
    evaluation->times = ev->times;
    evaluation->inputs = ev->inputs;
    evaluation->input_count = roles;
    evaluation->outputs = ev->outputs;
    evaluation->output_count = indicators;
    evaluation->parameters = plan->parameters;
    evaluation->parameter_count = plan->parameter_count;
    evaluation->z = plan->z;
    evaluation->period_index = plan->period_end_index;
    evaluation->baseline_index = plan->baseline_end_index;
    evaluation->year_earlier_index = ev->year_earlier_index;
    return OC_OK;
}

/* The first area of the block holding `area`, and how many areas that
 * block has (the last block of a frame may be short). */
static size_t block_start(const evaluator *ev, size_t area)
{
    return area / ev->block_areas * ev->block_areas;
}

static size_t block_length(const evaluator *ev, size_t first)
{
    return ev->area_count - first < ev->block_areas ? ev->area_count - first : ev->block_areas;
}

/* Before the block is written: marks it unloaded and makes it writable.
 * Should that fail, the block stays read-only for good: a new one takes
 * its place (the old one is left allocated, see release_pages), and
 * protection is off. */
static int begin_block_write(evaluator *ev, oc_error *error)
{
    ev->block_first = OC__NO_INDEX;
    if (!ev->block_read_only)
        return OC_OK;
    if (!protect_memory(ev->block, ev->block_bytes, 0, &ev->protection_off))
        ev->block = allocate_pages(ev->block_bytes, &ev->block_bytes);
    ev->block_read_only = 0;
    return ev->block != NULL ? OC_OK : oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
}

/* Reads role r's measure for the block starting at `first` into its part
 * of ev->block (nothing for an unmapped role). The caller makes the block
 * writable first (begin_block_write) and marks it loaded once every role
 * is. */
static int load_role(evaluator *ev, size_t first, size_t r, oc_error *error)
{
    if (ev->measures[r] == NULL)
        return OC_OK;
    double *target = ev->block + r * ev->block_areas * ev->time_count;
    /* Said to the host, should a damaged store crash the reading (once a
     * block of a measure: 64 times a measure at national size). */
    char activity[OC__RUNNER_ACTIVITY_SIZE];
    const char *frame = oc__store_frame_name(ev->frame);
    snprintf(activity, sizeof activity, "reading store %s, dataset %s/%s", ev->plan->store_path,
             strcmp(frame, "/") == 0 ? "" : frame, ev->plan->role_measures[r]);
    oc__runner_activity(activity);
    int status = oc__store_read_measure_block(ev->frame, ev->measures[r], first,
                                              block_length(ev, first), target, error);
    oc__runner_activity(NULL);
    return status;
}

/* Loads the block of areas holding `area` into ev->block, read-only. */
static int load_block(evaluator *ev, size_t area, oc_error *error)
{
    size_t first = block_start(ev, area);
    if (first != ev->block_first) {
        int status = begin_block_write(ev, error);
        for (size_t r = 0; status == OC_OK && r < ev->plan->role_count; r++)
            status = load_role(ev, first, r, error);
        if (status != OC_OK)
            return status;
        ev->block_first = first;
    }
    /* Plugins read it from now until the next load. */
    if (!ev->block_read_only)
        ev->block_read_only = protect_memory(ev->block, ev->block_bytes, 1, &ev->protection_off);
    return OC_OK;
}

static const double *block_series(const evaluator *ev, size_t role, size_t area)
{
    if (ev->measures[role] == NULL)
        return NULL;
    return ev->block + (role * ev->block_areas + (area - ev->block_first)) * ev->time_count;
}

/* Hands the plugin a copy of the unit's code and name, made afresh for
 * each call: the results name their area from the plan (fill_identity),
 * so a plugin that writes into the strings it was given changes only its
 * own copy. */
static int copy_area_text(evaluator *ev, const oc__evaluation_unit *unit)
{
    const char *name = unit->name ? unit->name : "";
    size_t code_size = strlen(unit->code) + 1, name_size = strlen(name) + 1;
    if (code_size + name_size > ev->area_text_size) {
        char *grown = realloc(ev->area_text, code_size + name_size);
        if (grown == NULL)
            return OC_ERROR_NO_MEMORY;
        ev->area_text = grown;
        ev->area_text_size = code_size + name_size;
    }
    memcpy(ev->area_text, unit->code, code_size);
    memcpy(ev->area_text + code_size, name, name_size);
    ev->evaluation.area_code = ev->area_text;
    ev->evaluation.area_name = ev->area_text + code_size;
    return OC_OK;
}

/* Calls the plugin on the inputs already in ev->inputs. */
static int call_plugin(evaluator *ev, const oc__evaluation_unit *unit, oc_error *plugin_error)
{
    oc__runner_activity(NULL); /* a crash from here on is the plugin's */
    oc_error_clear(plugin_error);
    if (copy_area_text(ev, unit) != OC_OK)
        return oc_error_set(plugin_error, OC_ERROR_NO_MEMORY, "out of memory");
    oc__evaluation_reset_outputs(&ev->evaluation);
    int status = ev->plan->descriptor->evaluate(&ev->evaluation, plugin_error);
    if (check_guards(ev->output_storage, ev->plan->descriptor, ev->plan->indicator_count,
                     ev->time_count, plugin_error) != OC_OK)
        return OC_ERROR_PLUGIN;
    if (status != OC_OK && plugin_error->message[0] == '\0')
        oc_error_set(plugin_error, status, "the plugin failed without a message (%s)",
                     oc_status_name(status));
    return status;
}

static void borrow_string(char **field, const char *text)
{
    *field = (char *)text; /* see release_identity: never freed through the result */
}

static int append_message(oc__result *result, const char *text)
{
    if (text == NULL || text[0] == '\0')
        return OC_OK;
    size_t old_length = result->message ? strlen(result->message) : 0;
    char *joined = malloc(old_length + strlen(text) + 3);
    if (joined == NULL)
        return OC_ERROR_NO_MEMORY;
    if (old_length > 0)
        sprintf(joined, "%s; %s", result->message, text);
    else
        strcpy(joined, text);
    free(result->message);
    result->message = joined;
    return OC_OK;
}

static void fill_identity(const evaluator *ev, const oc__evaluation_unit *unit, size_t indicator,
                          oc__result *result)
{
    const oc__metric_plan *plan = ev->plan;
    const oc_plugin_descriptor *descriptor = plan->descriptor;
    borrow_string(&result->metric, plan->metric);
    borrow_string(&result->indicator, descriptor->indicators[indicator].name);
    borrow_string(&result->plugin, descriptor->name);
    borrow_string(&result->plugin_version, descriptor->version);
    borrow_string(&result->area, unit->code);
    borrow_string(&result->area_name, unit->name && unit->name[0] ? unit->name : NULL);
    if (plan->comparator != NULL)
        borrow_string(&result->comparator, plan->comparator->code);
    if (plan->benchmark != NULL)
        borrow_string(&result->benchmark, plan->benchmark->code);
}

static int add_fiscal_benefit(evaluator *ev, size_t indicator, oc__result *result)
{
    const oc_plugin_descriptor *descriptor = ev->plan->descriptor;
    if (!(descriptor->indicators[indicator].flags & OC_INDICATOR_FISCAL_BENEFIT)
        || descriptor->fiscal_benefit == NULL || !isfinite(result->change))
        return OC_OK;
    double benefit = NAN;
    oc_error benefit_error;
    oc_error_clear(&benefit_error);
    int status = descriptor->fiscal_benefit(&ev->evaluation, indicator, result->change,
                                            &benefit, &benefit_error);
    if (status != OC_OK) {
        /* As for evaluate (call_plugin): a failure the plugin gave no
         * words for is named by its status, not left as "fiscal benefit: ". */
        if (benefit_error.message[0] == '\0')
            oc_error_set(&benefit_error, status, "the plugin failed without a message (%s)",
                         oc_status_name(status));
        char text[OC_ERROR_MESSAGE_SIZE + 32];
        snprintf(text, sizeof text, "fiscal benefit: %s", benefit_error.message);
        return append_message(result, text);
    }
    /* A plugin that prices a fall as -change x cost makes no change
     * -0, which every format would print as "-0": adding +0 makes it 0. */
    result->fiscal_benefit = isfinite(benefit) ? benefit + 0.0 : NAN;
    /* HM Treasury's return on investment: the (present value of the)
     * benefit per pound the intervention cost. */
    if (isfinite(result->fiscal_benefit) && ev->plan->intervention_cost > 0)
        result->return_on_investment = result->fiscal_benefit / ev->plan->intervention_cost;
    return OC_OK;
}

/* An insufficient_data result still carries the configured target
 * (docs/results.md); a relative one would need the baseline value. */
static int add_configured_target(const oc__scoring_settings *settings, oc__result *result)
{
    if (settings->target_kind == OC__TARGET_NONE)
        return OC_OK;
    char date[OC__DATE_TEXT_SIZE];
    oc__format_date(settings->target_day, date, sizeof date);
    if ((result->target_date = strdup(date)) == NULL)
        return OC_ERROR_NO_MEMORY;
    if (settings->target_kind == OC__TARGET_ABSOLUTE)
        result->target_value = settings->target_amount;
    return OC_OK;
}

/* Sends the results of every unit that is ready and has no unsent unit
 * before it, then frees them: results leave in the order of the job's
 * units, and a job over single areas (read in order) sends each unit's
 * results as soon as they are scored, so the job holds one unit's results
 * at a time. The wire writer gathers them and writes a full buffer at a
 * time: the host keeps a job's results until the job has finished anyway,
 * and every write wakes it. */
static int send_ready_units(evaluator *ev, oc_error *error)
{
    int status = OC_OK;
    while (status == OC_OK && ev->next_to_send < ev->unit_count
           && ev->unit_results[ev->next_to_send] != NULL) {
        oc__result *results = ev->unit_results[ev->next_to_send];
        for (size_t k = 0; status == OC_OK && k < ev->plan->reported_count; k++)
            status = oc__wire_write_result(ev->writer, &results[k], error);
        free_unit_results(ev, results);
        ev->unit_results[ev->next_to_send++] = NULL;
    }
    return status;
}

/* Scores one result per reported indicator for a unit just evaluated, then
 * sends whatever is ready (send_ready_units). */
static int score_unit_results(evaluator *ev, const oc__evaluation_unit *unit, size_t unit_index,
                              int plugin_status, const oc_error *plugin_error, const char *note,
                              oc_error *error)
{
    const oc__metric_plan *plan = ev->plan;
    oc__result *results = malloc((plan->reported_count ? plan->reported_count : 1)
                                 * sizeof *results);
    if (results == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    for (size_t k = 0; k < plan->reported_count; k++)
        oc__result_init(&results[k]);
    ev->unit_results[unit_index] = results;
    /* The benchmark area's own row: "similar" to itself would read as a
     * finding, where there is no comparison to make. */
    int own_benchmark = plan->benchmark != NULL && strcmp(unit->code, plan->benchmark->code) == 0;
    for (size_t k = 0; k < plan->reported_count; k++) {
        size_t i = plan->reported[k];
        oc__result *result = &results[k];
        fill_identity(ev, unit, i, result);
        int status = OC_OK;
        if (plugin_status == OC_OK) {
            oc__scoring_settings settings = plan->settings;
            if (i != plan->target_indicator)
                settings.target_kind = OC__TARGET_NONE;
            const oc_indicator_spec *spec = &plan->descriptor->indicators[i];
            oc__indicator_view view = {ev->times, &ev->outputs[i], spec->direction, spec->flags};
            oc__indicator_view comparator_view = {ev->times, NULL, spec->direction, spec->flags};
            if (ev->comparator.series != NULL && ev->comparator.status == OC_OK)
                comparator_view.series = &ev->comparator.series[i];
            /* A benchmark that could not be evaluated is still passed, with
             * no series: its results say so (not_compared). */
            oc__indicator_view benchmark_view = {ev->times, NULL, spec->direction, spec->flags};
            if (ev->benchmark.series != NULL && ev->benchmark.status == OC_OK)
                benchmark_view.series = &ev->benchmark.series[i];
            status = oc__score_indicator(&view, plan->period_end_index, plan->baseline_end_index,
                                         &settings, comparator_view.series ? &comparator_view : NULL,
                                         plan->benchmark != NULL ? &benchmark_view : NULL, result,
                                         error);
            if (status == OC_OK)
                status = add_fiscal_benefit(ev, i, result);
            if (status == OC_OK && own_benchmark) {
                free(result->benchmark_comparison);
                result->benchmark_comparison = NULL;
            }
        } else {
            result->status = plugin_status == OC_ERROR_INSUFFICIENT_DATA ? OC_RESULT_INSUFFICIENT_DATA
                                                                          : OC_RESULT_FAILED;
            status = append_message(result, plugin_error->message);
            if (status == OC_OK && plugin_status == OC_ERROR_INSUFFICIENT_DATA
                && i == plan->target_indicator)
                status = add_configured_target(&plan->settings, result);
        }
        if (status == OC_OK && plan->comparator != NULL && ev->comparator.status != OC_OK)
            status = append_message(result, "comparator could not be evaluated");
        if (status == OC_OK)
            status = append_message(result, note);
        if (status != OC_OK)
            return status == OC_ERROR_NO_MEMORY ? oc_error_set(error, status, "out of memory")
                                                : status;
    }
    return send_ready_units(ev, error);
}

/* Calls the plugin for a unit whose inputs are ready, then sends its
 * results, or with `keep` (a comparator or benchmark) keeps its outputs
 * there instead. */
static int finish_unit(evaluator *ev, const oc__evaluation_unit *unit, size_t unit_index,
                       reference_outputs *keep, const char *note, oc_error *error)
{
    oc_error plugin_error;
    int plugin_status = call_plugin(ev, unit, &plugin_error);
    if (keep == NULL)
        return score_unit_results(ev, unit, unit_index, plugin_status, &plugin_error, note, error);
    keep->status = plugin_status;
    memcpy(keep->storage, ev->output_storage,
           output_storage_size(ev->plan->indicator_count, ev->time_count) * sizeof(double));
    return OC_OK;
}

/* Adds a member's series into its parent's sum (core/member_sum.h);
 * whether any of its first `checked` values is missing. */
static int add_member(double *sum, const double *member, size_t times, size_t checked)
{
    return oc__member_sum_add(sum, member, times, checked, OC__MEMBER_SUM_WIDEST);
}

/* Adds the members of slots[0..count), all in the block starting at
 * `first` and all of parents, into their parents' sums role by role: each
 * role's part of the block is added up as soon as it is read, while the
 * cache still holds it, rather than after every role's is (eight measures
 * of 512 areas are 7.5 MiB, more than a core's cache). The sums are the
 * same: each still adds its members in order. missing[s]: set when slot
 * s has a missing value in any role. Leaves the whole block loaded, and
 * writable: no plugin reads it before load_block protects it. */
static int add_block_role_by_role(evaluator *ev, const member_slot *slots, size_t count,
                                  size_t first, double *const *sums, unsigned char *missing,
                                  size_t checked, oc_error *error)
{
    const size_t times = ev->time_count;
    int status = begin_block_write(ev, error);
    if (status != OC_OK)
        return status;
    for (size_t r = 0; r < ev->plan->role_count; r++) {
        if (ev->measures[r] == NULL)
            continue;
        status = load_role(ev, first, r, error);
        if (status != OC_OK)
            return status;
        const double *part = ev->block + r * ev->block_areas * times;
        for (size_t s = 0; s < count; s++)
            missing[s] |= (unsigned char)add_member(sums[slots[s].unit] + r * times,
                                                    part + (slots[s].area - first) * times,
                                                    times, checked);
    }
    ev->block_first = first;
    return OC_OK;
}

/* Evaluates `count` units: one pass over the areas they need, in order. */
static int process_units(evaluator *ev, const oc__evaluation_unit *units, size_t count,
                         reference_outputs *keep, oc_error *error)
{
    const size_t roles = ev->plan->role_count, times = ev->time_count;
    /* a member's values up to the period are the ones tested for NaN */
    const size_t checked =
        ev->plan->period_end_index < times ? ev->plan->period_end_index + 1 : times;
    size_t slot_count = 0, aggregated_count = 0;
    for (size_t u = 0; u < count; u++) {
        slot_count += units[u].member_count;
        aggregated_count += units[u].aggregated != 0;
    }
    member_slot *slots = malloc((slot_count ? slot_count : 1) * sizeof *slots);
    double **sums = calloc(count, sizeof *sums);
    /* The parents' sums, in pages of their own that their plugins read
     * read-only (protect_memory). Summing NaN gives NaN: a parent is
     * missing where any member is. */
    size_t sum_bytes = 0;
    int sums_read_only = 0;
    double *sum_storage = aggregated_count > 0 ? allocate_pages(aggregated_count * roles * times
                                                                    * sizeof(double),
                                                                &sum_bytes)
                                               : NULL;
    size_t *members_missing = calloc(count, sizeof *members_missing);
    unsigned char *slot_missing = calloc(slot_count ? slot_count : 1, 1); /* any role's */
    int status = slots && sums && members_missing && slot_missing
                         && (aggregated_count == 0 || sum_storage != NULL)
                     ? OC_OK
                     : oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    if (sum_storage != NULL)
        memset(sum_storage, 0, aggregated_count * roles * times * sizeof(double));
    int all_aggregated = 1;
    size_t filled = 0, next_sum = 0;
    for (size_t u = 0; status == OC_OK && u < count; u++) {
        all_aggregated &= units[u].aggregated != 0;
        for (size_t m = 0; m < units[u].member_count; m++)
            slots[filled++] = (member_slot){units[u].members[m], u};
        if (units[u].aggregated)
            sums[u] = sum_storage + roles * times * next_sum++;
    }
    if (status == OC_OK && !slots_sorted(slots, slot_count))
        qsort(slots, slot_count, sizeof *slots, compare_slots);
    /* sorted: an area out of range is last */
    if (status == OC_OK && slot_count > 0 && slots[slot_count - 1].area >= ev->area_count) {
        size_t s = 0;
        while (slots[s].area < ev->area_count)
            s++;
        status = oc_error_set(error, OC_ERROR_INVALID, "area index %zu out of range",
                              slots[s].area);
    }

    for (size_t s = 0; status == OC_OK && s < slot_count;) {
        size_t first = block_start(ev, slots[s].area), end = s + 1;
        while (end < slot_count && slots[end].area < first + ev->block_areas)
            end++;
        if (all_aggregated && first != ev->block_first) {
            status = add_block_role_by_role(ev, slots + s, end - s, first, sums,
                                            slot_missing + s, checked, error);
            s = end;
            continue;
        }
        status = load_block(ev, first, error);
        for (; status == OC_OK && s < end; s++) {
            size_t area = slots[s].area, u = slots[s].unit;
            if (!units[u].aggregated) {
                for (size_t r = 0; r < roles; r++)
                    ev->inputs[r] = block_series(ev, r, area);
                status = finish_unit(ev, &units[u], u, keep, NULL, error);
                continue;
            }
            for (size_t r = 0; r < roles; r++) {
                const double *member = block_series(ev, r, area);
                if (member != NULL)
                    slot_missing[s] |= (unsigned char)add_member(sums[u] + r * times, member,
                                                                 times, checked);
            }
        }
    }
    for (size_t s = 0; status == OC_OK && s < slot_count; s++)
        members_missing[slots[s].unit] += slot_missing[s];
    if (status == OC_OK && sum_storage != NULL)
        sums_read_only = protect_memory(sum_storage, sum_bytes, 1, &ev->protection_off);

    for (size_t u = 0; status == OC_OK && u < count; u++) {
        if (!units[u].aggregated)
            continue;
        for (size_t r = 0; r < roles; r++)
            ev->inputs[r] = ev->measures[r] ? sums[u] + r * times : NULL;
        char note[160];
        snprintf(note, sizeof note, "aggregated from %zu member areas", units[u].member_count);
        if (members_missing[u] > 0)
            snprintf(note, sizeof note,
                     "aggregated from %zu member areas, %zu with missing values (the total is "
                     "missing where any member is)",
                     units[u].member_count, members_missing[u]);
        status = finish_unit(ev, &units[u], u, keep, note, error);
    }

    release_pages(sum_storage, sum_bytes, sums_read_only, &ev->protection_off);
    free(sums);
    free(slots);
    free(members_missing);
    free(slot_missing);
    return status;
}

/* Evaluates a comparator or benchmark unit (NULL: none) into *keep. */
static int evaluate_reference(evaluator *ev, const oc__evaluation_unit *unit,
                              reference_outputs *keep, oc_error *error)
{
    const oc__metric_plan *plan = ev->plan;
    if (unit == NULL)
        return OC_OK;
    size_t size = output_storage_size(plan->indicator_count, ev->time_count);
    keep->storage = malloc(size * sizeof(double));
    keep->series = calloc(plan->indicator_count, sizeof *keep->series);
    if (keep->storage == NULL || keep->series == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < plan->indicator_count; i++)
        series_bind(&keep->series[i], keep->storage, i, ev->time_count);
    return process_units(ev, unit, 1, keep, error);
}

/* Opens the evaluator and evaluates the comparator and the benchmark once:
 * every job of the plan compares its units with the same outputs. */
static int evaluator_prepare(evaluator *ev, const oc__metric_plan *plan, oc__wire_writer *writer,
                             oc_error *error)
{
    int status = evaluator_open(ev, plan, writer, error);
    if (status == OC_OK)
        status = evaluate_reference(ev, plan->comparator, &ev->comparator, error);
    if (status == OC_OK)
        status = evaluate_reference(ev, plan->benchmark, &ev->benchmark, error);
    return status;
}

static int evaluate_units(evaluator *ev, size_t first_unit, size_t unit_count, oc_error *error)
{
    const oc__metric_plan *plan = ev->plan;
    ev->next_to_send = 0;
    ev->unit_count = unit_count;
    ev->unit_results = calloc(unit_count + 1, sizeof *ev->unit_results);
    int status = ev->unit_results != NULL ? OC_OK
                 : oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    if (status == OC_OK)
        status = process_units(ev, plan->units + first_unit, unit_count, NULL, error);
    if (status == OC_OK)
        status = send_ready_units(ev, error);
    if (status == OC_OK && ev->next_to_send != unit_count)
        status = oc_error_set(error, OC_ERROR_INVALID, "%zu of %zu units were not evaluated",
                              unit_count - ev->next_to_send, unit_count);
    for (size_t u = 0; ev->unit_results != NULL && u < unit_count; u++)
        free_unit_results(ev, ev->unit_results[u]);
    free(ev->unit_results);
    ev->unit_results = NULL;
    ev->unit_count = 0;
    return status;
}

int oc__engine_evaluate_units(const oc__metric_plan *plan, size_t first_unit,
                              size_t unit_count, oc__wire_writer *writer, oc_error *error)
{
    evaluator ev;
    int status = evaluator_prepare(&ev, plan, writer, error);
    if (status == OC_OK)
        status = evaluate_units(&ev, first_unit, unit_count, error);
    evaluator_close(&ev);
    return status;
}

/* The evaluator a worker keeps between jobs of its plan, and the process
 * that built it: a process forked from one that kept an evaluator must
 * not use that one's HDF5 handles. */
static evaluator kept;
static const oc__metric_plan *kept_plan;
static pid_t kept_by;

int oc__engine_evaluate_units_again(const oc__metric_plan *plan, size_t first_unit,
                                    size_t unit_count, oc__wire_writer *writer, oc_error *error)
{
    if (kept_plan != NULL && (kept_plan != plan || kept_by != getpid())) {
        if (kept_by == getpid())
            evaluator_close(&kept);
        kept_plan = NULL;
    }
    int status = OC_OK;
    if (kept_plan == NULL) {
        status = evaluator_prepare(&kept, plan, writer, error);
        if (status != OC_OK) {
            evaluator_close(&kept);
            return status;
        }
        kept_plan = plan;
        kept_by = getpid();
    }
    kept.writer = writer;
    status = evaluate_units(&kept, first_unit, unit_count, error);
    if (status != OC_OK) {
        /* Half-done state is not kept: the next job starts afresh. */
        evaluator_close(&kept);
        kept_plan = NULL;
    }
    return status;
}

void oc__engine_evaluate_forget(void)
{
    if (kept_plan != NULL && kept_by == getpid())
        evaluator_close(&kept);
    kept_plan = NULL;
}

void oc__metric_plan_free(oc__metric_plan *plan)
{
    if (plan == NULL)
        return;
    free(plan->metric);
    free(plan->store_path);
    free(plan->frame_name);
    for (size_t r = 0; plan->role_measures != NULL && r < plan->role_count; r++)
        free(plan->role_measures[r]);
    free(plan->role_measures);
    free(plan->parameters);
    free(plan->reported);
    free(plan->units);
    free(plan->comparator);
    free(plan->benchmark);
    free(plan->milestones);
    free(plan->spc_rebase_days);
    oc__arena_free(&plan->unit_text);
    memset(plan, 0, sizeof *plan);
}
