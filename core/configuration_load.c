/*
 * configuration_load.c: phase 1 of reading a configuration (see
 * configuration.h): every section and key of the dictionary, each known
 * key parsed and range-checked, every unknown global key refused, then the
 * checks that involve several keys (a target needs a target_date after the
 * baseline, amber <= green, a store for every metric).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "configuration_internal.h"
#include "plugin_loader.h"

typedef struct loader {
    oc__config *config;
    dictionary *dictionary;
    oc_error *error;
    /* Each section's keys as positions in the dictionary, in file order
     * (see index_section_keys): section s, a metric's index or
     * metric_count for [outcomes], has key_positions[section_first[s]]
     * up to key_positions[section_first[s + 1]]. Owned. */
    ssize_t *key_positions;
    size_t *section_first;
} loader;

/* Prefixes an inner parser's message with file, section and key; keeps an
 * out-of-memory status as it is. */
static int key_error(const loader *state, const char *section, const char *key,
                     const oc_error *inner)
{
    if (inner->status == OC_ERROR_NO_MEMORY)
        return oc_error_set(state->error, OC_ERROR_NO_MEMORY, "out of memory");
    return oc__config_error_at(state->config->path, section, key, state->error, "%s",
                               inner->message);
}

static int out_of_memory(const loader *state)
{
    return oc_error_set(state->error, OC_ERROR_NO_MEMORY, "out of memory");
}

static int name_is_valid(const char *name)
{
    size_t length = strlen(name);
    return length > 0 && length <= OC_NAME_MAX &&
           strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == length;
}

/* Replaces *field with a copy of text. */
static int set_text(const loader *state, char **field, const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL)
        return out_of_memory(state);
    free(*field);
    *field = copy;
    return OC_OK;
}

static int set_resolved_path(const loader *state, char **field, const char *text)
{
    char *path = oc__config_resolve_path(state->config->directory, text);
    if (path == NULL)
        return out_of_memory(state);
    free(*field);
    *field = path;
    return OC_OK;
}

/* A period key: its text kept, its parse (no hint) checked. */
static int set_period(const loader *state, const char *section, const char *key,
                      const char *value, char **text, oc__period *period)
{
    oc_error inner;
    if (oc__period_parse(value, OC__FREQUENCY_NONE, period, &inner) != OC_OK)
        return key_error(state, section, key, &inner);
    return set_text(state, text, value);
}

static int set_positive_time_limit(const loader *state, const char *section,
                                   const char *value, double *time_limit)
{
    oc_error inner;
    double seconds;
    if (oc__config_parse_number(value, 0, OC__CONFIG_MAX_TIME_LIMIT, &seconds, &inner) != OC_OK)
        return key_error(state, section, "time_limit", &inner);
    if (!(seconds > 0))
        return oc__config_error_at(state->config->path, section, "time_limit", state->error,
                                   "'%s' is not a positive number of seconds", value);
    *time_limit = seconds;
    return OC_OK;
}

/* Index of path in the config's store list, appending it when new. */
static int add_store(const loader *state, const char *text, size_t *index)
{
    oc__config *config = state->config;
    char *path = oc__config_resolve_path(config->directory, text);
    if (path == NULL)
        return out_of_memory(state);
    for (size_t i = 0; i < config->store_count; i++) {
        if (strcmp(config->stores[i], path) == 0) {
            free(path);
            *index = i;
            return OC_OK;
        }
    }
    char **stores = realloc(config->stores, (config->store_count + 1) * sizeof *stores);
    if (stores == NULL) {
        free(path);
        return out_of_memory(state);
    }
    config->stores = stores;
    config->stores[config->store_count] = path;
    *index = config->store_count++;
    return OC_OK;
}

/* ---- walking the dictionary ---- */

/* Finds every section's keys in one pass over the dictionary: looking
 * for one section's keys in the whole dictionary, once per section, made
 * a file of many sections quadratic (4,000 sections took 0.8 s). The
 * sections are found by name in a jansson object used as a hash table.
 * iniparser 4.1 files a key as "section:key", and a section name here
 * (a valid metric name or [outcomes]) has no ':', so the first ':' ends
 * it. */
static int index_section_keys(loader *state)
{
    const oc__config *config = state->config;
    const dictionary *dictionary = state->dictionary;
    size_t entry_count = dictionary->size > 0 ? (size_t)dictionary->size : 1;
    size_t section_count = config->metric_count + 1;
    size_t *owner = malloc(entry_count * sizeof *owner);
    size_t *next = malloc(section_count * sizeof *next);
    state->key_positions = malloc(entry_count * sizeof *state->key_positions);
    state->section_first = calloc(section_count + 1, sizeof *state->section_first);
    json_t *sections = json_object();
    int status = owner != NULL && next != NULL && state->key_positions != NULL &&
                         state->section_first != NULL && sections != NULL
                     ? OC_OK
                     : OC_ERROR_NO_MEMORY;
    for (size_t s = 0; status == OC_OK && s < section_count; s++)
        if (json_object_set_new_nocheck(sections,
                                        s < config->metric_count ? config->metrics[s].name
                                                                 : OC__CONFIG_GLOBAL_SECTION,
                                        json_integer((json_int_t)s)) != 0)
            status = OC_ERROR_NO_MEMORY;
    for (size_t i = 0; status == OC_OK && i < (size_t)dictionary->size; i++) {
        owner[i] = section_count; /* no section's */
        const char *key = dictionary->key[i];
        const char *colon = key != NULL ? strchr(key, ':') : NULL;
        if (colon == NULL || colon - key > OC_NAME_MAX)
            continue;
        char name[OC_NAME_MAX + 1];
        memcpy(name, key, (size_t)(colon - key));
        name[colon - key] = '\0';
        json_t *section = json_object_get(sections, name);
        if (section == NULL)
            continue;
        owner[i] = (size_t)json_integer_value(section);
        state->section_first[owner[i] + 1]++;
    }
    if (status == OC_OK) {
        for (size_t s = 0; s < section_count; s++) {
            state->section_first[s + 1] += state->section_first[s];
            next[s] = state->section_first[s];
        }
        for (size_t i = 0; i < (size_t)dictionary->size; i++)
            if (owner[i] < section_count)
                state->key_positions[next[owner[i]]++] = (ssize_t)i;
    }
    json_decref(sections);
    free(owner);
    free(next);
    return status == OC_OK ? OC_OK : out_of_memory(state);
}

/* Calls visit for every key of section (its index in section_first) in
 * file order. */
typedef int (*key_visitor)(loader *state, void *target, const char *key, const char *value);

static int for_each_key(loader *state, size_t section, key_visitor visit, void *target)
{
    const dictionary *dictionary = state->dictionary;
    for (size_t k = state->section_first[section]; k < state->section_first[section + 1]; k++) {
        ssize_t i = state->key_positions[k];
        const char *key = strchr(dictionary->key[i], ':') + 1;
        const char *value = dictionary->val[i] != NULL ? dictionary->val[i] : "";
        int status = visit(state, target, key, value);
        if (status != OC_OK)
            return status;
    }
    return OC_OK;
}

/* ---- [outcomes] ---- */

/* A key [outcomes] does not know: a metric key in the wrong section, a
 * near miss of a key of either kind, or else unknown, with the keys
 * [outcomes] knows and where the others go. Plugin parameters are not
 * known yet (phase 2), so a parameter given here is just unknown. */
static int unknown_global_key(const loader *state, const char *key)
{
    const char *path = state->config->path, *section = OC__CONFIG_GLOBAL_SECTION;
    static const char in_metric[] = " (a metric key: put it in the metric's section)";
    if (oc__config_key_listed(oc__config_metric_keys, key)
        || strncmp(key, OC__CONFIG_INPUT_PREFIX, strlen(OC__CONFIG_INPUT_PREFIX)) == 0)
        return oc__config_error_at(path, section, key, state->error,
                                   "'%s' is a metric key: put it in the metric's section", key);
    oc__config_suggestion suggestion = {0};
    oc__config_suggest_from(&suggestion, key, oc__config_global_keys,
                            sizeof *oc__config_global_keys, "", NULL);
    oc__config_suggest_from(&suggestion, key, oc__config_metric_keys,
                            sizeof *oc__config_metric_keys, "", in_metric);
    if (suggestion.key[0] != '\0')
        return oc__config_error_at(path, section, key, state->error,
                                   "unknown key: did you mean '%s'?%s", suggestion.key,
                                   suggestion.where != NULL ? suggestion.where : "");
    char names[256];
    return oc__config_error_at(path, section, key, state->error,
                               "unknown key (known: %s; metric keys and plugin parameters go "
                               "in the metric's section)",
                               oc__config_name_list(oc__config_global_keys,
                                                    sizeof *oc__config_global_keys, names,
                                                    sizeof names));
}

static int visit_global_key(loader *state, void *target, const char *key, const char *value)
{
    oc__config *config = target;
    const char *section = OC__CONFIG_GLOBAL_SECTION;
    oc_error inner;
    if (value[0] == '\0')
        return oc__config_error_at(config->path, section, key, state->error, "empty value");
    if (strcmp(key, "store") == 0) {
        char **paths;
        size_t count;
        if (oc__config_split_list(value, &paths, &count, &inner) != OC_OK)
            return key_error(state, section, key, &inner);
        int status = OC_OK;
        for (size_t i = 0; i < count && status == OC_OK; i++) {
            size_t index;
            status = add_store(state, paths[i], &index);
        }
        oc__config_free_list(paths, count);
        config->global_store_count = config->store_count;
        return status;
    }
    if (strcmp(key, "plugin_dir") == 0)
        return set_resolved_path(state, &config->plugin_dir, value);
    if (strcmp(key, "output") == 0)
        return set_resolved_path(state, &config->output, value);
    if (strcmp(key, "period") == 0) {
        config->period_is_latest = strcmp(value, "latest") == 0;
        if (config->period_is_latest)
            return set_text(state, &config->period_text, value);
        return set_period(state, section, key, value, &config->period_text, &config->period);
    }
    if (strcmp(key, "baseline") == 0)
        return set_period(state, section, key, value, &config->baseline_text, &config->baseline);
    if (strcmp(key, "format") == 0) {
        if (oc__output_format_parse(value, &config->format, &inner) != OC_OK)
            return key_error(state, section, key, &inner);
        return OC_OK;
    }
    if (strcmp(key, "jobs") == 0) {
        if (oc__config_parse_integer(value, 1, OC__CONFIG_MAX_JOBS, &config->jobs, &inner) != OC_OK)
            return key_error(state, section, key, &inner);
        return OC_OK;
    }
    if (strcmp(key, "time_limit") == 0)
        return set_positive_time_limit(state, section, value, &config->time_limit);
    if (strcmp(key, "confidence") == 0) {
        if (oc__config_parse_confidence(value, &config->confidence, &inner) != OC_OK)
            return key_error(state, section, key, &inner);
        return OC_OK;
    }
    if (strcmp(key, "allow_insecure_plugins") == 0) {
        if (oc__config_parse_boolean(value, &config->allow_insecure_plugins, &inner) != OC_OK)
            return key_error(state, section, key, &inner);
        return OC_OK;
    }
    return unknown_global_key(state, key);
}

/* ---- metric sections ---- */

static int add_entry(const loader *state, oc__config_entry **entries, size_t *count,
                     const char *key, const char *value)
{
    oc__config_entry *grown = realloc(*entries, (*count + 1) * sizeof *grown);
    if (grown == NULL)
        return out_of_memory(state);
    *entries = grown;
    grown[*count].key = strdup(key);
    grown[*count].value = strdup(value);
    if (grown[*count].key == NULL || grown[*count].value == NULL) {
        free(grown[*count].key);
        free(grown[*count].value);
        return out_of_memory(state);
    }
    (*count)++;
    return OC_OK;
}

static int set_areas(loader *state, oc__config_metric *metric, const char *value)
{
    oc_error inner;
    char **areas;
    size_t count;
    if (oc__config_split_list(value, &areas, &count, &inner) != OC_OK)
        return key_error(state, metric->name, "areas", &inner);
    if (count == 1 && (strcmp(areas[0], "all") == 0 || strcmp(areas[0], "parents") == 0)) {
        metric->all_areas = strcmp(areas[0], "all") == 0;
        metric->all_parents = !metric->all_areas;
        oc__config_free_list(areas, count);
        return OC_OK;
    }
    for (size_t i = 0; i < count; i++) {
        const char *problem = strcmp(areas[i], "all") == 0 || strcmp(areas[i], "parents") == 0
                                  ? "must stand alone"
                                  : NULL;
        for (size_t j = 0; j < i && problem == NULL; j++)
            if (strcmp(areas[i], areas[j]) == 0)
                problem = "listed twice";
        if (problem != NULL) {
            oc__config_error_at(state->config->path, metric->name, "areas", state->error,
                                "'%s' %s", areas[i], problem);
            oc__config_free_list(areas, count);
            return OC_ERROR_CONFIG;
        }
    }
    oc__config_free_list(metric->areas, metric->area_count);
    metric->areas = areas;
    metric->area_count = count;
    metric->all_areas = 0;
    metric->all_parents = 0;
    return OC_OK;
}

/* The next comma-separated item of *cursor (the value at first, NULL
 * once the last item is read), blanks trimmed, copied into text. Items
 * that are or hold periods are split at commas only: a period may hold a
 * space ("2016/17 Q3"). Every comma is followed by an item, so a
 * trailing comma ("2015-04, 2016-04,") gives an empty one, like ",,":
 * an item left out, not a list that ends. */
enum comma_item { ITEM_NONE, ITEM_FOUND, ITEM_EMPTY, ITEM_TOO_LONG };
static enum comma_item next_comma_item(const char **cursor, char *text, size_t size)
{
    const char *item = *cursor;
    if (item == NULL)
        return ITEM_NONE;
    size_t length = strcspn(item, ",");
    size_t start = strspn(item, " \t"), end = length;
    while (end > start && (item[end - 1] == ' ' || item[end - 1] == '\t'))
        end--;
    *cursor = item[length] == ',' ? item + length + 1 : NULL;
    if (end <= start)
        return ITEM_EMPTY;
    if (end - start >= size)
        return ITEM_TOO_LONG;
    memcpy(text, item + start, end - start);
    text[end - start] = '\0';
    return ITEM_FOUND;
}

/* `milestones = -5% by 2015-04, -8% by 2016-04`: comma-separated points,
 * each a target (as `target` is written) by a period (as `target_date`
 * is). Order and bounds are checked by finish_metric, once the baseline
 * and target_date are known. */
static int set_milestones(loader *state, oc__config_metric *metric, const char *value)
{
    const char *path = state->config->path, *section = metric->name;
    static const char key[] = "milestones";
    oc__config_free_list(metric->milestone_texts, metric->milestone_count);
    free(metric->milestones);
    metric->milestone_texts = calloc(OC__MAX_MILESTONES, sizeof *metric->milestone_texts);
    metric->milestones = calloc(OC__MAX_MILESTONES, sizeof *metric->milestones);
    metric->milestone_count = 0;
    if (metric->milestone_texts == NULL || metric->milestones == NULL)
        return out_of_memory(state);
    char text[160];
    enum comma_item found;
    for (const char *cursor = value; (found = next_comma_item(&cursor, text, sizeof text));) {
        if (found == ITEM_EMPTY)
            return oc__config_error_at(path, section, key, state->error,
                                       "an empty milestone (write them as '-5%% by 2015-04, "
                                       "-8%% by 2016-04')");
        if (found == ITEM_TOO_LONG)
            return oc__config_error_at(path, section, key, state->error,
                                       "a milestone longer than %zu bytes", sizeof text - 1);
        if (metric->milestone_count == OC__MAX_MILESTONES)
            return oc__config_error_at(path, section, key, state->error,
                                       "more than %d milestones", OC__MAX_MILESTONES);
        /* "by" between blanks (spaces or tabs) */
        char *by = text;
        while ((by = strstr(by, "by")) != NULL
               && !(by > text && (by[-1] == ' ' || by[-1] == '\t')
                    && (by[2] == ' ' || by[2] == '\t')))
            by++;
        if (by == NULL)
            return oc__config_error_at(path, section, key, state->error,
                                       "'%.80s' is not a milestone: write a target by a period, "
                                       "like '-5%% by 2015-04'", text);
        by[-1] = '\0';
        const char *period_text = by + 2 + strspn(by + 2, " \t");
        size_t cut = strlen(text);
        while (cut > 0 && (text[cut - 1] == ' ' || text[cut - 1] == '\t'))
            text[--cut] = '\0';
        oc__milestone *milestone = &metric->milestones[metric->milestone_count];
        oc__period period;
        oc_error inner;
        if (oc__config_parse_target(text, &milestone->kind, &milestone->amount, &inner) != OC_OK
            || oc__period_parse(period_text, OC__FREQUENCY_NONE, &period, &inner) != OC_OK)
            return oc__config_error_at(path, section, key, state->error, "milestone '%s by %s': %s",
                                       text, period_text, inner.message);
        milestone->day = period.start_day;
        metric->milestone_texts[metric->milestone_count] = strdup(period_text);
        if (metric->milestone_texts[metric->milestone_count] == NULL)
            return out_of_memory(state);
        metric->milestone_count++;
    }
    return OC_OK;
}

/* `spc_rebase = 2015-04, 2016/17`: periods at which the process changed.
 * Each must be a period; their order depends on how the frame reads year
 * spans, so the engine checks it (core/engine_plan.c). */
static int set_spc_rebase(loader *state, oc__config_metric *metric, const char *value)
{
    const char *path = state->config->path, *section = metric->name;
    static const char key[] = "spc_rebase";
    oc__config_free_list(metric->spc_rebase_texts, metric->spc_rebase_count);
    metric->spc_rebase_count = 0;
    metric->spc_rebase_texts = calloc(OC__MAX_REBASES, sizeof *metric->spc_rebase_texts);
    if (metric->spc_rebase_texts == NULL)
        return out_of_memory(state);
    char text[64];
    enum comma_item found;
    for (const char *cursor = value; (found = next_comma_item(&cursor, text, sizeof text));) {
        oc__period period;
        oc_error inner;
        if (found == ITEM_EMPTY)
            return oc__config_error_at(path, section, key, state->error,
                                       "an empty period (write them as '2015-04, 2016-04')");
        if (found == ITEM_TOO_LONG)
            return oc__config_error_at(path, section, key, state->error,
                                       "a period longer than %zu bytes", sizeof text - 1);
        if (metric->spc_rebase_count == OC__MAX_REBASES)
            return oc__config_error_at(path, section, key, state->error,
                                       "more than %d periods", OC__MAX_REBASES);
        if (oc__period_parse(text, OC__FREQUENCY_NONE, &period, &inner) != OC_OK)
            return key_error(state, section, key, &inner);
        if ((metric->spc_rebase_texts[metric->spc_rebase_count] = strdup(text)) == NULL)
            return out_of_memory(state);
        metric->spc_rebase_count++;
    }
    return OC_OK;
}

static int set_indicators(loader *state, oc__config_metric *metric, const char *value)
{
    oc_error inner;
    char **names;
    size_t count;
    if (oc__config_split_list(value, &names, &count, &inner) != OC_OK)
        return key_error(state, metric->name, "indicators", &inner);
    for (size_t i = 0; i < count; i++) {
        const char *problem = name_is_valid(names[i]) ? NULL : "is not an indicator name";
        for (size_t j = 0; j < i && problem == NULL; j++)
            if (strcmp(names[i], names[j]) == 0)
                problem = "listed twice";
        if (problem != NULL) {
            oc__config_error_at(state->config->path, metric->name, "indicators", state->error,
                                "'%.80s' %s", names[i], problem);
            oc__config_free_list(names, count);
            return OC_ERROR_CONFIG;
        }
    }
    oc__config_free_list(metric->indicators, metric->indicator_count);
    metric->indicators = names;
    metric->indicator_count = count;
    return OC_OK;
}

static int visit_metric_key(loader *state, void *target, const char *key, const char *value)
{
    oc__config_metric *metric = target;
    const char *section = metric->name;
    const char *path = state->config->path;
    oc_error inner;
    oc__scoring_settings *scoring = &metric->scoring;
    size_t prefix_length = strlen(OC__CONFIG_INPUT_PREFIX);

    if (strncmp(key, OC__CONFIG_INPUT_PREFIX, prefix_length) == 0) {
        const char *role = key + prefix_length;
        if (!name_is_valid(role))
            return oc__config_error_at(path, section, key, state->error,
                                       "'%s' is not an input role name ([a-z0-9_])", role);
        if (value[0] == '\0')
            return oc__config_error_at(path, section, key, state->error,
                                       "empty value (name the store measure for this role)");
        return add_entry(state, &metric->inputs, &metric->input_count, role, value);
    }
    /* Any other key is a plugin parameter, checked in phase 2: only the
     * plugin's declared parameters tell a misplaced or mistyped key from
     * one. */
    if (!oc__config_key_listed(oc__config_metric_keys, key))
        return add_entry(state, &metric->parameters, &metric->parameter_count, key, value);
    if (value[0] == '\0')
        return oc__config_error_at(path, section, key, state->error, "empty value");

    if (strcmp(key, "plugin") == 0) {
        if (!oc__plugin_name_is_valid(value))
            return oc__config_error_at(path, section, key, state->error,
                                       "'%.80s' is not a bare plugin name ([a-z0-9_], no "
                                       "path)", value);
        return set_text(state, &metric->plugin, value);
    }
    if (strcmp(key, "frame") == 0)
        return set_text(state, &metric->frame, value);
    if (strcmp(key, "target_indicator") == 0) {
        if (!name_is_valid(value))
            return oc__config_error_at(path, section, key, state->error,
                                       "'%.80s' is not an indicator name ([a-z0-9_])", value);
        return set_text(state, &metric->target_indicator, value);
    }
    if (strcmp(key, "indicators") == 0)
        return set_indicators(state, metric, value);
    if (strcmp(key, "milestones") == 0)
        return set_milestones(state, metric, value);
    if (strcmp(key, "spc_rebase") == 0)
        return set_spc_rebase(state, metric, value);
    if (strcmp(key, "store") == 0)
        return add_store(state, value, &metric->store_index);
    if (strcmp(key, "areas") == 0)
        return set_areas(state, metric, value);
    if (strcmp(key, "comparator") == 0 || strcmp(key, "benchmark") == 0) {
        if (value[strcspn(value, " \t,")] != '\0')
            return oc__config_error_at(path, section, key, state->error,
                                       "'%.80s' is not one area code", value);
        return set_text(state, key[0] == 'c' ? &metric->comparator : &metric->benchmark, value);
    }
    if (strcmp(key, "baseline") == 0)
        return set_period(state, section, key, value, &metric->baseline_text,
                          &metric->baseline);
    if (strcmp(key, "target_date") == 0)
        return set_period(state, section, key, value, &metric->target_date_text,
                          &metric->target_period);
    int status = OC_OK;
    if (strcmp(key, "target") == 0) {
        status = oc__config_parse_target(value, &scoring->target_kind, &scoring->target_amount,
                                         &inner);
    } else if (strcmp(key, "rag_green") == 0) {
        status = oc__config_parse_number(value, 0, 1000, &scoring->rag_green, &inner);
    } else if (strcmp(key, "rag_amber") == 0) {
        status = oc__config_parse_number(value, 0, 1000, &scoring->rag_amber, &inner);
    } else if (strcmp(key, "confidence") == 0) {
        status = oc__config_parse_confidence(value, &metric->confidence, &inner);
    } else if (strcmp(key, "spc_baseline") == 0) {
        long points;
        status = oc__config_parse_integer(value, 0, 1000000, &points, &inner);
        if (status == OC_OK)
            scoring->spc_baseline = (size_t)points;
    } else if (strcmp(key, "spc_screen_outliers") == 0) {
        status = oc__config_parse_boolean(value, &scoring->spc_screen_outliers, &inner);
    } else if (strcmp(key, "intervention_cost") == 0) {
        /* Pounds, as a fiscal benefit is: at least one (a cost written in
         * millions, 0.5, or a tiny one the ratio would overflow on, is a
         * mistake), at most a trillion, beyond any partnership's budget.
         * Read first without bounds, so that a cost below 1 says why and one
         * above the trillion names the range as 1 to 1e+12. */
        status = oc__config_parse_number(value, -INFINITY, INFINITY, &metric->intervention_cost,
                                         &inner);
        if (status == OC_OK && !(metric->intervention_cost >= 1))
            return oc__config_error_at(path, section, key, state->error,
                                       "'%s': the cost must be at least 1 (pounds; return on "
                                       "investment divides the benefit by it)", value);
        if (status == OC_OK)
            status = oc__config_parse_number(value, 1, 1e12, &metric->intervention_cost, &inner);
    } else { /* time_limit */
        return set_positive_time_limit(state, section, value, &metric->time_limit);
    }
    return status == OC_OK ? OC_OK : key_error(state, section, key, &inner);
}

/* Whether target_date starts after the baseline ends with year spans
 * read as academic years: the frame is not known yet, and "2016/17" starts
 * in September there, so a baseline of 2016-06 comes before it after all.
 * The engine checks again with the frame's frequency (core/engine_plan.c). */
static int target_after_baseline_in_academic_years(const oc__config_metric *metric)
{
    oc__period baseline, target;
    return oc__period_parse(metric->baseline_text, OC__FREQUENCY_ACADEMIC_YEAR, &baseline, NULL)
               == OC_OK
           && oc__period_parse(metric->target_date_text, OC__FREQUENCY_ACADEMIC_YEAR, &target,
                               NULL) == OC_OK
           && target.start_day >= baseline.end_day;
}

/* The checks that involve several keys, and the inherited defaults. */
static int finish_metric(loader *state, oc__config_metric *metric)
{
    const oc__config *config = state->config;
    const char *path = config->path;
    oc__scoring_settings *scoring = &metric->scoring;
    if (metric->plugin == NULL)
        return oc__config_error_at(path, metric->name, "plugin", state->error,
                                   "missing (every metric section names its plugin)");
    if (metric->store_index == OC__CONFIG_ANY_STORE && config->global_store_count == 0)
        return oc__config_error_at(path, metric->name, "store", state->error,
                                   "missing (give store here or in [" OC__CONFIG_GLOBAL_SECTION
                                   "])");
    if (metric->baseline_text == NULL && config->baseline_text != NULL) {
        int status = set_text(state, &metric->baseline_text, config->baseline_text);
        if (status != OC_OK)
            return status;
        metric->baseline = config->baseline;
    }
    if (scoring->target_kind != OC__TARGET_NONE) {
        if (metric->target_date_text == NULL)
            return oc__config_error_at(path, metric->name, "target_date", state->error,
                                       "missing (a target needs the date to reach it by)");
        if (metric->baseline_text == NULL)
            return oc__config_error_at(path, metric->name, "baseline", state->error,
                                       "missing (a target is measured from a baseline; give "
                                       "it here or in [" OC__CONFIG_GLOBAL_SECTION "])");
        if (metric->target_period.start_day < metric->baseline.end_day
            && !target_after_baseline_in_academic_years(metric))
            return oc__config_error_at(path, metric->name, "target_date", state->error,
                                       "'%s' is not after the baseline '%s'",
                                       metric->target_date_text, metric->baseline_text);
        scoring->target_day = metric->target_period.start_day;
        if (metric->milestone_count > 0) {
            int status = oc__config_read_milestones(config, metric, OC__FREQUENCY_NONE,
                                                    metric->milestones, state->error);
            /* The frame is not known yet: "2016/17" is read here as a
             * financial year, but in an academic-year frame starts in
             * September, which can put a milestone dated by month
             * ("2016-06") before the target after all. A list that fits
             * either reading is kept; the engine reads it again with the
             * frame's frequency (core/engine_plan.c). */
            oc__milestone academic[OC__MAX_MILESTONES];
            oc_error ignored;
            if (status != OC_OK
                && oc__config_read_milestones(config, metric, OC__FREQUENCY_ACADEMIC_YEAR,
                                              academic, &ignored) == OC_OK)
                status = OC_OK;
            if (status != OC_OK)
                return status;
            scoring->milestones = metric->milestones;
            scoring->milestone_count = metric->milestone_count;
        }
    } else if (metric->milestone_count > 0) {
        return oc__config_error_at(path, metric->name, "milestones", state->error,
                                   "given without a target (milestones are steps on the way "
                                   "to one)");
    } else if (metric->target_date_text != NULL) {
        return oc__config_error_at(path, metric->name, "target_date", state->error,
                                   "given without a target");
    } else if (metric->target_indicator != NULL) {
        return oc__config_error_at(path, metric->name, "target_indicator", state->error,
                                   "given without a target");
    }
    /* Difference in differences against itself is always zero: a copy of
     * an area code, not a comparison. */
    for (size_t i = 0; metric->comparator != NULL && i < metric->area_count; i++)
        if (strcmp(metric->areas[i], metric->comparator) == 0)
            return oc__config_error_at(path, metric->name, "comparator", state->error,
                                       "'%.80s' is also in areas: an area cannot be its own "
                                       "comparator (difference in differences would be 0)",
                                       metric->comparator);
    /* A cost is of one intervention in one place: set against each of
     * several areas' benefits it would count the money once per area. */
    if (!isnan(metric->intervention_cost) && (metric->all_areas || metric->all_parents
                                              || metric->area_count != 1))
        return oc__config_error_at(path, metric->name, "intervention_cost", state->error,
                                   "needs exactly one area in areas, whose intervention it "
                                   "costs (give each area its own section and cost)");
    if (scoring->rag_amber > scoring->rag_green)
        return oc__config_error_at(path, metric->name, "rag_amber", state->error,
                                   "%g is above rag_green %g (amber must not need more "
                                   "progress than green)",
                                   scoring->rag_amber, scoring->rag_green);
    return OC_OK;
}

/* ---- the whole file ---- */

static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return NULL; /* relative paths then resolve against the working directory */
    return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static int load_sections(loader *state)
{
    oc__config *config = state->config;
    const dictionary *dictionary = state->dictionary;
    int has_global = 0;
    size_t metric_capacity = 0;
    for (ssize_t i = 0; i < dictionary->size; i++) {
        const char *name = dictionary->key[i];
        /* iniparser 4.1 files a section with a NULL value and a key as
         * "section:key" with a value (maybe ""): a ':' alone does not tell
         * them apart, and [a:b] would vanish unevaluated. */
        if (name == NULL || (strchr(name, ':') != NULL && dictionary->val[i] != NULL))
            continue;
        if (strcmp(name, OC__CONFIG_GLOBAL_SECTION) == 0) {
            has_global = 1;
            continue;
        }
        if (!name_is_valid(name))
            return oc__config_error_at(config->path, name, NULL, state->error,
                                       "not a valid metric name (lower-case letters, digits "
                                       "and _, at most %d)", OC_NAME_MAX);
        if (config->metric_count == metric_capacity) {
            metric_capacity = metric_capacity ? metric_capacity * 2 : 8;
            oc__config_metric *metrics =
                realloc(config->metrics, metric_capacity * sizeof *metrics);
            if (metrics == NULL)
                return out_of_memory(state);
            config->metrics = metrics;
        }
        oc__config_metric *metric = &config->metrics[config->metric_count];
        *metric = (oc__config_metric){0};
        metric->name = strdup(name);
        if (metric->name == NULL)
            return out_of_memory(state);
        config->metric_count++;
    }
    if (config->metric_count == 0)
        return oc_error_set(state->error, OC_ERROR_CONFIG,
                            "%s: no metric sections (each metric is a [section] with at "
                            "least `plugin = NAME`)", config->path);
    int status = index_section_keys(state);
    if (status != OC_OK)
        return status;
    if (has_global) {
        status = for_each_key(state, config->metric_count, visit_global_key, config);
        if (status != OC_OK)
            return status;
    }
    for (size_t i = 0; i < config->metric_count; i++) {
        oc__config_metric *metric = &config->metrics[i];
        metric->store_index = OC__CONFIG_ANY_STORE;
        metric->target_indicator_index = OC__CONFIG_NO_INDICATOR;
        metric->all_areas = 1;
        metric->scoring = oc__scoring_defaults();
        metric->confidence = config->confidence;
        metric->time_limit = config->time_limit;
        metric->intervention_cost = NAN;
        status = for_each_key(state, i, visit_metric_key, metric);
        if (status == OC_OK)
            status = finish_metric(state, metric);
        if (status != OC_OK)
            return status;
    }
    return OC_OK;
}

int oc__config_load(const char *path, oc__config **out, oc_error *error)
{
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return oc_error_set(error, OC_ERROR_CONFIG, "no configuration file given");
    oc__config *config = calloc(1, sizeof *config);
    if (config == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    config->path = strdup(path);
    config->directory = directory_of(path);
    config->period_text = strdup("latest");
    if (config->path == NULL || (strchr(path, '/') != NULL && config->directory == NULL) ||
        config->period_text == NULL) {
        oc__config_free(config);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    }
    config->period_is_latest = 1;
    config->format = OC_OUTPUT_TABLE;
    config->time_limit = OC__CONFIG_DEFAULT_TIME_LIMIT;
    config->confidence = OC__CONFIG_DEFAULT_CONFIDENCE;

    loader state = {.config = config, .error = error};
    int status = oc__config_read_ini(path, &state.dictionary, error);
    if (status == OC_OK) {
        status = load_sections(&state);
        iniparser_freedict(state.dictionary);
        free(state.key_positions);
        free(state.section_first);
    }
    if (status != OC_OK) {
        oc__config_free(config);
        return status;
    }
    *out = config;
    return OC_OK;
}
