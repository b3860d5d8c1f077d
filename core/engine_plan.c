/*
 * engine_plan.c: turns one metric of the configuration into a plan, in the
 * parent, before any child starts: it checks the plugin's inputs against
 * the store's measures, resolves areas (an area, a parent whose members are
 * summed, or all), and finds the time indices of the evaluation and
 * baseline periods. Every mistake is reported against the file, section
 * and key where it was written.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outcomes/stats.h>

#include "engine_plan.h"

/* ---- parents: which areas each parent code gathers ---- */

/* The frame's areas grouped by parent code (oc__store_parent_order), and
 * its distinct parent codes in code order with the range of each
 * (oc__store_parent_groups). */
typedef struct parent_groups {
    const size_t *order;
    const oc__store_parent_group *groups;
    size_t group_count;
} parent_groups;

/* The groups, worked out by the frame the first time a unit needs them (a
 * run over every area never does); NULL only when out of memory. */
static const parent_groups *need_parents(oc__store_frame *frame, parent_groups *parents)
{
    if (parents->order == NULL) {
        size_t count;
        if (oc__store_parent_order(frame, &parents->order, &count) != OC_OK
            || oc__store_parent_groups(frame, &parents->groups, &parents->group_count) != OC_OK) {
            parents->order = NULL;
            return NULL;
        }
    }
    return parents;
}

/* The group of parent code, or NULL when no area names it as its parent. */
static const oc__store_parent_group *find_parent(const parent_groups *parents, const char *code)
{
    size_t low = 0, high = parents->group_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(parents->groups[middle].code, code);
        if (order == 0)
            return &parents->groups[middle];
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

/* ---- units ---- */

static int unit_for_area(const oc__store_frame *frame, size_t area, oc__arena *arena,
                         oc__evaluation_unit *unit)
{
    const char *name = oc__store_area_name(frame, area);
    unit->code = oc__arena_copy_text(arena, oc__store_area_codes(frame)[area]);
    unit->name = oc__arena_copy_text(arena, name ? name : "");
    unit->members = oc__arena_allocate(arena, sizeof(size_t));
    unit->member_count = 1;
    unit->aggregated = 0;
    if (unit->code == NULL || unit->name == NULL || unit->members == NULL)
        return OC_ERROR_NO_MEMORY;
    unit->members[0] = area;
    return OC_OK;
}

/* A parent as a unit summing its members, named by the store's
 * area_parent_name when a member gives one. */
static int unit_for_parent(const oc__store_frame *frame, const parent_groups *parents,
                           const oc__store_parent_group *group, oc__arena *arena,
                           oc__evaluation_unit *unit)
{
    memset(unit, 0, sizeof *unit);
    const char *name = oc__store_parent_group_name(frame, group);
    unit->code = oc__arena_copy_text(arena, group->code);
    unit->name = oc__arena_copy_text(arena, name != NULL ? name : "");
    unit->members = oc__arena_allocate(arena, group->count * sizeof(size_t));
    unit->member_count = group->count;
    unit->aggregated = 1;
    if (unit->code == NULL || unit->name == NULL || unit->members == NULL)
        return OC_ERROR_NO_MEMORY;
    memcpy(unit->members, parents->order + group->first, group->count * sizeof(size_t));
    return OC_OK;
}

/* An area by its code, or else a parent whose members are summed. Returns
 * OC_ERROR_NOT_FOUND when the code is neither. */
static int unit_for_code(oc__store_frame *frame, parent_groups *parents, const char *code,
                         oc__arena *arena, oc__evaluation_unit *unit)
{
    memset(unit, 0, sizeof *unit);
    size_t area = oc__store_find_area(frame, code);
    if (area != OC__STORE_NO_INDEX)
        return unit_for_area(frame, area, arena, unit);
    const parent_groups *index = need_parents(frame, parents);
    if (index == NULL)
        return OC_ERROR_NO_MEMORY;
    const oc__store_parent_group *group = find_parent(index, code);
    return group != NULL ? unit_for_parent(frame, index, group, arena, unit) : OC_ERROR_NOT_FOUND;
}

/* `areas = parents`: one aggregated unit per distinct parent code, in code
 * order (the frame keeps its areas grouped by parent code). */
static int plan_parent_units(const oc__config *config, const oc__config_metric *metric,
                             oc__store_frame *frame, parent_groups *lazy,
                             const char *store_path, oc__metric_plan *plan, oc_error *error)
{
    const parent_groups *parents = need_parents(frame, lazy);
    if (parents == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    size_t distinct = parents->group_count;
    if (distinct == 0)
        return oc__config_error(config, metric, "areas", error,
                                "'parents': %s frame %s names no parent areas", store_path,
                                oc__store_frame_name(frame));
    plan->units = calloc(distinct, sizeof *plan->units);
    if (plan->units == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    for (size_t g = 0; g < distinct; g++, plan->unit_count++)
        if (unit_for_parent(frame, parents, &parents->groups[g], &plan->unit_text,
                            &plan->units[plan->unit_count])
            != OC_OK)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    return OC_OK;
}

/* The unit of an area the metric's areas are compared with (`comparator`
 * or `benchmark`, named by key; code NULL when not configured): an area or
 * a parent, evaluated once by each worker (core/engine_evaluate.c). */
static int plan_reference_unit(const oc__config *config, const oc__config_metric *metric,
                               const char *key, const char *code, oc__store_frame *frame,
                               parent_groups *parents, const char *store_path,
                               oc__metric_plan *plan, oc__evaluation_unit **unit,
                               oc_error *error)
{
    if (code == NULL)
        return OC_OK;
    *unit = calloc(1, sizeof **unit);
    if (*unit == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    int status = unit_for_code(frame, parents, code, &plan->unit_text, *unit);
    if (status == OC_OK)
        return OC_OK;
    free(*unit);
    *unit = NULL;
    if (status == OC_ERROR_NOT_FOUND)
        return oc__config_error(config, metric, key, error,
                                "'%s' is neither an area nor a parent area in %s frame %s", code,
                                store_path, oc__store_frame_name(frame));
    return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
}

static int measure_error(const oc__config *config, const oc__config_metric *metric,
                         const char *key, const char *store_path, const oc__store_frame *frame,
                         oc_error *error, const char *format, ...)
    __attribute__((format(printf, 7, 8)));

/* A parent code that is also an area's: `areas = C` reads the area's own
 * row, `areas = parents` sums C's members, and one code would report two
 * different values. Only `areas = parents` can meet it: a code named
 * (in `areas`, `comparator`, `benchmark`) is the area's, always. A few
 * hundred codes in a national store. */
static int parent_codes_unambiguous(const oc__config *config, const oc__config_metric *metric,
                                    const oc__store_frame *frame, const parent_groups *parents,
                                    const char *store_path, oc_error *error)
{
    for (size_t g = 0; parents->order != NULL && g < parents->group_count; g++)
        if (oc__store_find_area(frame, parents->groups[g].code) != OC__STORE_NO_INDEX)
            return measure_error(config, metric, "areas", store_path, frame, error,
                                 "area_parent: '%s' is also an area code, so whether it means "
                                 "the area or the sum of its members is ambiguous: give the "
                                 "parent a code of its own",
                                 parents->groups[g].code);
    return OC_OK;
}

static int plan_units(const oc__config *config, const oc__config_metric *metric,
                      oc__store_frame *frame, parent_groups *parents,
                      const char *store_path, oc__metric_plan *plan, oc_error *error)
{
    if (metric->all_parents) {
        int status = plan_parent_units(config, metric, frame, parents, store_path, plan, error);
        if (status == OC_OK)
            status = parent_codes_unambiguous(config, metric, frame, parents, store_path, error);
        if (status != OC_OK || (metric->comparator == NULL && metric->benchmark == NULL))
            return status;
    }
    size_t count = metric->all_parents ? 0
                   : metric->all_areas ? oc__store_area_count(frame)
                                       : metric->area_count;
    if (!metric->all_parents) {
        plan->units = calloc(count ? count : 1, sizeof *plan->units);
        if (plan->units == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    }
    for (size_t u = 0; u < count; u++) {
        int status = metric->all_areas
                         ? unit_for_area(frame, u, &plan->unit_text, &plan->units[u])
                         : unit_for_code(frame, parents, metric->areas[u], &plan->unit_text,
                                         &plan->units[u]);
        plan->unit_count = u + 1;
        if (status == OC_ERROR_NOT_FOUND)
            return oc__config_error(config, metric, "areas",
                                    error, "'%s' is neither an area nor a parent area in %s frame %s",
                                    metric->areas[u], store_path, oc__store_frame_name(frame));
        if (status != OC_OK)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    }
    if (count == 0 && !metric->all_parents)
        return oc__config_error(config, metric, "areas", error, "%s frame %s has no areas",
                                store_path, oc__store_frame_name(frame));
    int status = plan_reference_unit(config, metric, "comparator", metric->comparator, frame,
                                     parents, store_path, plan, &plan->comparator, error);
    if (status == OC_OK)
        status = plan_reference_unit(config, metric, "benchmark", metric->benchmark, frame,
                                     parents, store_path, plan, &plan->benchmark, error);
    return status;
}

/* ---- frame, measures and periods ---- */

/* The frequency of the frame's data, from its first mapped measure: it
 * decides whether "2016/17" is a financial or an academic year. */
static oc__frequency frame_frequency(const oc__store_frame *frame, const oc__metric_plan *plan)
{
    for (size_t r = 0; r < plan->role_count; r++) {
        if (plan->role_measures[r] == NULL)
            continue;
        const oc__store_measure *measure = oc__store_find_measure(frame, plan->role_measures[r]);
        oc__frequency frequency;
        if (measure != NULL && measure->frequency != NULL
            && oc__frequency_from_name(measure->frequency, &frequency, NULL) == OC_OK)
            return frequency;
    }
    return OC__FREQUENCY_NONE;
}

/* The last time index on or before the end of the period `text`. */
/* An error about the evaluation period, named where the period was written:
 * `period` in [outcomes], or --period on the command line; the metric that
 * could not use it is named too. */
__attribute__((format(printf, 5, 6)))
static int evaluation_period_error(const oc__config *config, const oc__config_metric *metric,
                                   const char *period_text, oc_error *error, const char *format,
                                   ...)
{
    char message[OC_ERROR_MESSAGE_SIZE];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    if (period_text == config->period_text)
        return oc__config_error(config, NULL, "period", error, "%s (in [%s])", message,
                                metric->name);
    return oc_error_set(error, OC__ERROR_ENGINE_OPTION, "--period: %s (in %s: [%s])", message,
                        config->path, metric->name);
}

/* start_day (NULL, or INT32_MIN for `latest`): the period's first day. */
static int period_end_index(const oc__config *config, const oc__config_metric *metric,
                            const char *key, const char *text, oc__frequency frequency,
                            const oc__store_frame *frame, size_t *index, int32_t *start_day,
                            oc_error *error)
{
    int is_evaluation_period = strcmp(key, "period") == 0;
    const int32_t *times = oc__store_times(frame);
    size_t count = oc__store_time_count(frame);
    if (start_day != NULL)
        *start_day = INT32_MIN;
    if (strcmp(text, "latest") == 0) {
        *index = count - 1;
        return OC_OK;
    }
    oc__period period;
    oc_error parse_error;
    if (oc__period_parse(text, frequency, &period, &parse_error) != OC_OK)
        return is_evaluation_period
                   ? evaluation_period_error(config, metric, text, error, "%s", parse_error.message)
                   : oc__config_error(config, metric, key, error, "%s", parse_error.message);
    *index = oc__latest_index_before(times, count, period.end_day);
    if (start_day != NULL)
        *start_day = period.start_day;
    if (*index == (size_t)-1) {
        char first[OC__DATE_TEXT_SIZE];
        oc__format_date(times[0], first, sizeof first);
        if (is_evaluation_period)
            return evaluation_period_error(config, metric, text, error,
                                           "'%s' ends before the first period in the store (%s)",
                                           text, first);
        return oc__config_error(config, metric, key, error,
                                "'%s' ends before the first period in the store (%s)", text, first);
    }
    return OC_OK;
}

/* A measure the store describes wrongly for this metric: a data error
 * (exit status 4), named by the input key that maps it, then the store
 * and the dataset, as `store check` names it. */
__attribute__((format(printf, 7, 8)))
static int measure_error(const oc__config *config, const oc__config_metric *metric,
                         const char *key, const char *store_path, const oc__store_frame *frame,
                         oc_error *error, const char *format, ...)
{
    char message[OC_ERROR_MESSAGE_SIZE];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    const char *frame_name = oc__store_frame_name(frame);
    oc__config_error(config, metric, key, error, "%s: %s/%s", store_path,
                     strcmp(frame_name, "/") == 0 ? "" : frame_name, message);
    error->status = OC_ERROR_FORMAT;
    return OC_ERROR_FORMAT;
}

/* The measures' `frequency` decides how the metric's periods are read
 * ("2016/17" is an academic or a financial year), so a misspelt one, or
 * two measures that disagree, is refused rather than read as no frequency
 * or as the first one's: either would move the periods without a word. */
static int check_frequency(const oc__config *config, const oc__config_metric *metric,
                           const char *key, const char *store_path, const oc__store_frame *frame,
                           const char *role, const oc__store_measure *measure,
                           const oc__store_measure **first, const char **first_role,
                           oc_error *error)
{
    oc__frequency frequency;
    oc_error reason;
    if (measure->frequency == NULL)
        return OC_OK;
    if (oc__frequency_from_name(measure->frequency, &frequency, &reason) != OC_OK)
        return measure_error(config, metric, key, store_path, frame, error,
                             "%s: attribute frequency: %s", measure->name, reason.message);
    if (*first == NULL) {
        *first = measure;
        *first_role = role;
        return OC_OK;
    }
    if (strcmp((*first)->frequency, measure->frequency) != 0)
        return measure_error(config, metric, key, store_path, frame, error,
                             "%s: attribute frequency: '%s', but %s (input.%s) is '%s': the "
                             "measures of one metric must share one frequency",
                             measure->name, measure->frequency, (*first)->name, *first_role,
                             (*first)->frequency);
    return OC_OK;
}

static int plan_measures(const oc__config *config, const oc__config_metric *metric,
                         const oc__store_frame *frame, const char *store_path,
                         oc__metric_plan *plan, oc_error *error)
{
    const oc_plugin_descriptor *descriptor = plan->descriptor;
    plan->role_count = metric->input_measure_count;
    plan->role_measures = calloc(plan->role_count ? plan->role_count : 1, sizeof(char *));
    if (plan->role_measures == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    const oc__store_measure *first_with_frequency = NULL;
    const char *first_role = NULL; /* the role it is mapped to */
    for (size_t r = 0; r < plan->role_count; r++) {
        const char *measure = metric->input_measures[r];
        if (measure == NULL)
            continue;
        const char *role = descriptor->inputs[r].role;
        char key[OC_NAME_MAX + 8];
        snprintf(key, sizeof key, "input.%s", role);
        const oc__store_measure *found = oc__store_find_measure(frame, measure);
        if (found == NULL)
            return oc__config_error(config, metric, key, error,
                                    "no measure '%s' in %s frame %s", measure, store_path,
                                    oc__store_frame_name(frame));
        int status = check_frequency(config, metric, key, store_path, frame, role, found,
                                     &first_with_frequency, &first_role, error);
        if (status != OC_OK)
            return status;
        if ((plan->role_measures[r] = strdup(measure)) == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
        if (plan->chunk_areas == 0)
            plan->chunk_areas = oc__store_measure_chunk_areas(frame, found);
    }
    return OC_OK;
}

/* Non-zero when the baseline period starts at or after the end of the
 * evaluation period (for `latest`, after the last time): past the store's
 * last time both fall on the same index, which the index check misses.
 * Both texts have already been parsed successfully. */
static int baseline_starts_after(const char *baseline_text, const char *period_text,
                                 oc__frequency frequency, const oc__store_frame *frame,
                                 size_t period_end_index)
{
    oc__period baseline, period;
    if (oc__period_parse(baseline_text, frequency, &baseline, NULL) != OC_OK)
        return 0;
    int32_t evaluation_end = oc__store_times(frame)[period_end_index] + 1;
    if (strcmp(period_text, "latest") != 0
        && oc__period_parse(period_text, frequency, &period, NULL) == OC_OK)
        evaluation_end = period.end_day;
    return baseline.start_day >= evaluation_end;
}

/* The days at which the metric's SPC charts start afresh, read with the
 * frame's frequency, in order. */
static int plan_spc_rebase(const oc__config *config, const oc__config_metric *metric,
                           oc__frequency frequency, oc__metric_plan *plan, oc_error *error)
{
    plan->spc_rebase_days = malloc(metric->spc_rebase_count * sizeof *plan->spc_rebase_days);
    if (plan->spc_rebase_days == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    for (size_t r = 0; r < metric->spc_rebase_count; r++) {
        oc__period period;
        oc_error inner;
        const char *text = metric->spc_rebase_texts[r];
        if (oc__period_parse(text, frequency, &period, &inner) != OC_OK)
            return oc__config_error(config, metric, "spc_rebase", error, "%s", inner.message);
        plan->spc_rebase_days[r] = period.start_day;
        if (r > 0 && period.start_day <= plan->spc_rebase_days[r - 1])
            return oc__config_error(config, metric, "spc_rebase", error,
                                    "'%s' does not start after '%s' (list them in date order)",
                                    text, metric->spc_rebase_texts[r - 1]);
    }
    plan->settings.spc_rebase_days = plan->spc_rebase_days;
    plan->settings.spc_rebase_count = metric->spc_rebase_count;
    return OC_OK;
}

/* The plan's own milestones, their periods read again with the frame's
 * frequency as target_date's are, and their order checked again. */
static int plan_milestones(const oc__config *config, const oc__config_metric *metric,
                           oc__frequency frequency, oc__metric_plan *plan, oc_error *error)
{
    plan->milestones = malloc(metric->milestone_count * sizeof *plan->milestones);
    if (plan->milestones == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    int status = oc__config_read_milestones(config, metric, frequency, plan->milestones, error);
    if (status == OC_OK) {
        plan->settings.milestones = plan->milestones;
        plan->settings.milestone_count = metric->milestone_count;
    }
    return status;
}

static int plan_periods(const oc__config *config, const oc__config_metric *metric,
                        const char *period_text, const oc__store_frame *frame,
                        oc__metric_plan *plan, oc_error *error)
{
    if (oc__store_time_count(frame) == 0)
        return oc__config_error(config, metric, "frame", error, "the frame has no periods");
    oc__frequency frequency = frame_frequency(frame, plan);
    plan->frequency = frequency;
    int32_t evaluation_start_day;
    int status = period_end_index(config, metric, "period", period_text, frequency, frame,
                                  &plan->period_end_index, &evaluation_start_day, error);
    plan->baseline_end_index = OC__NO_INDEX;
    if (status == OC_OK && metric->baseline_text != NULL)
        status = period_end_index(config, metric, "baseline", metric->baseline_text, frequency,
                                  frame, &plan->baseline_end_index, NULL, error);
    if (status == OC_OK && plan->baseline_end_index != OC__NO_INDEX
        && (plan->baseline_end_index > plan->period_end_index
            || baseline_starts_after(metric->baseline_text, period_text, frequency, frame,
                                     plan->period_end_index)))
        status = oc__config_error(config, metric, "baseline", error,
                                  "the baseline '%s' is after the evaluation period '%s'",
                                  metric->baseline_text, period_text);
    plan->settings = metric->scoring;
    plan->settings.milestones = NULL; /* the config's; the plan's own come below */
    plan->settings.milestone_count = 0;
    plan->settings.evaluation_start_day = status == OC_OK ? evaluation_start_day : INT32_MIN;
    plan->settings.frequency = frequency;
    if (status == OC_OK && metric->spc_rebase_count > 0)
        status = plan_spc_rebase(config, metric, frequency, plan, error);
    if (status == OC_OK && metric->target_date_text != NULL) {
        /* Re-read with the frame's frequency: "2016/17" may be academic. */
        oc__period target, baseline;
        if (oc__period_parse(metric->target_date_text, frequency, &target, NULL) == OC_OK)
            plan->settings.target_day = target.start_day;
        /* The loader checked the order with financial years; an academic
         * baseline ends five months later. */
        if (metric->baseline_text != NULL
            && oc__period_parse(metric->baseline_text, frequency, &baseline, NULL) == OC_OK
            && plan->settings.target_day < baseline.end_day)
            status = oc__config_error(config, metric, "target_date", error,
                                      "'%s' is not after the baseline '%s'",
                                      metric->target_date_text, metric->baseline_text);
        if (status == OC_OK && metric->milestone_count > 0)
            status = plan_milestones(config, metric, frequency, plan, error);
    }
    return status;
}

int oc__plan_store_error(const oc__config *config, size_t store, const oc_error *cause,
                         oc_error *error)
{
    const oc__config_metric *naming = NULL;
    for (size_t m = 0; store >= config->global_store_count && m < config->metric_count; m++) {
        if (config->metrics[m].store_index == store) {
            naming = &config->metrics[m];
            break;
        }
    }
    int status = cause->status;
    oc_error prefixed;
    oc__config_error(config, naming, "store", &prefixed, "%s", cause->message);
    return oc_error_set(error, status, "%s", prefixed.message);
}

/* The stores a metric may read, [*first, *last) of config->stores: its
 * own, or every global one; empty when it has neither. */
static void metric_store_range(const oc__config *config, const oc__config_metric *metric,
                               size_t *first, size_t *last)
{
    int any = metric->store_index == OC__CONFIG_ANY_STORE;
    *first = any ? 0 : metric->store_index;
    *last = any ? config->global_store_count : metric->store_index + 1;
}

size_t oc__plan_first_store(const oc__config *config, const oc__config_metric *metric)
{
    size_t first, last;
    metric_store_range(config, metric, &first, &last);
    return first < last && first < config->store_count ? first : config->store_count;
}

/* Opens the store that holds the metric's frame, from the stores cache
 * (finishing its reader when the caller started one). */
static int choose_store(const oc__config *config, const oc__config_metric *metric,
                        oc__store **stores, oc__store_pending *pending, oc__store **store,
                        oc__store_frame **frame, size_t *store_index, oc_error *error)
{
    size_t first, last;
    metric_store_range(config, metric, &first, &last);
    if (first >= last)
        return oc__config_error(config, metric, "store", error,
                                "no store: set `store` in [outcomes] or in this section");
    for (size_t s = first; s < last; s++) {
        if (stores[s] == NULL) {
            /* In a child: a file that crashes HDF5 must not end the run. */
            if (pending != NULL && pending[s].path == NULL)
                oc__store_open_contained_start(config->stores[s], pending[s].without_area_names,
                                               &pending[s]);
            int status = pending != NULL
                             ? oc__store_open_contained_finish(&pending[s], &stores[s], error)
                             : oc__store_open_contained(config->stores[s], &stores[s], error);
            if (status != OC_OK)
                return status == OC_ERROR_NO_MEMORY ? status
                                                    : oc__plan_store_error(config, s, error, error);
        }
        oc__store_frame *candidate = NULL;
        if (metric->frame != NULL)
            candidate = oc__store_find_frame(stores[s], metric->frame);
        else if (oc__store_frame_count(stores[s]) == 1)
            candidate = oc__store_frame_at(stores[s], 0);
        else
            return oc__config_error(config, metric, "frame", error,
                                    "%s has %zu frames: name one with `frame`", config->stores[s],
                                    oc__store_frame_count(stores[s]));
        if (candidate != NULL) {
            *store = stores[s];
            *frame = candidate;
            *store_index = s;
            return OC_OK;
        }
    }
    return oc__config_error(config, metric, "frame", error, "no frame '%s' in %s", metric->frame,
                            config->stores[first]);
}

int oc__metric_plan_build(const oc__config *config, oc__config_metric *metric,
                          const oc__plugin *plugin, const char *period_text,
                          oc__store **stores, oc__store_pending *pending,
                          oc__metric_plan *plan, oc_error *error)
{
    memset(plan, 0, sizeof *plan);
    plan->descriptor = &plugin->descriptor;
    plan->indicator_count = plugin->indicator_count;
    int status = oc__config_validate_metric(config, metric, &plugin->descriptor, error);
    if (status != OC_OK)
        return status;
    plan->metric = strdup(metric->name);
    if (plan->metric == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");

    oc__store *store = NULL;
    oc__store_frame *frame = NULL;
    size_t store_index = 0;
    status = choose_store(config, metric, stores, pending, &store, &frame, &store_index, error);
    if (status != OC_OK)
        return status;
    plan->store_path = strdup(config->stores[store_index]);
    plan->frame_name = strdup(oc__store_frame_name(frame));
    if (plan->store_path == NULL || plan->frame_name == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");

    status = plan_measures(config, metric, frame, plan->store_path, plan, error);
    if (status == OC_OK)
        status = plan_periods(config, metric, period_text, frame, plan, error);
    if (status != OC_OK)
        return status;

    parent_groups parents = {NULL, NULL, 0};
    status = plan_units(config, metric, frame, &parents, plan->store_path, plan, error);
    if (status != OC_OK)
        return status;

    plan->parameter_count = metric->parameter_value_count;
    plan->parameters = malloc((plan->parameter_count ? plan->parameter_count : 1)
                              * sizeof *plan->parameters);
    if (plan->parameters == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    memcpy(plan->parameters, metric->parameter_values,
           plan->parameter_count * sizeof *plan->parameters);
    plan->z = oc_z_for_confidence(metric->confidence);
    plan->time_limit = metric->time_limit;
    plan->intervention_cost = metric->intervention_cost;
    plan->target_indicator = metric->target_indicator_index == OC__CONFIG_NO_INDICATOR
                                 ? OC__NO_INDEX
                                 : metric->target_indicator_index;
    /* `indicators` picks and orders what is reported; absent, all of them. */
    plan->reported_count = metric->indicator_count ? metric->indicator_count : plan->indicator_count;
    plan->reported = malloc(plan->reported_count * sizeof *plan->reported + 1);
    if (plan->reported == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < plan->reported_count; i++)
        plan->reported[i] = metric->indicator_count ? metric->indicator_indices[i] : i;
    return OC_OK;
}
