/*
 * configuration.c: the small shared pieces of the configuration: the
 * "FILE: [section] key: message" prefix every error carries, the known
 * keys and the near miss of one for its hints, freeing, and look-ups the
 * engine uses. Loading is in configuration_load.c, the
 * checks against a plugin in configuration_metric.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configuration_internal.h"

int oc__config_verror_at(const char *path, const char *section, const char *key,
                         oc_error *error, const char *format, va_list arguments)
{
    char message[OC_ERROR_MESSAGE_SIZE];
    vsnprintf(message, sizeof message, format, arguments);
    if (key != NULL)
        return oc_error_set(error, OC_ERROR_CONFIG, "%s: [%s] %s: %s", path, section, key,
                            message);
    return oc_error_set(error, OC_ERROR_CONFIG, "%s: [%s]: %s", path, section, message);
}

int oc__config_error_at(const char *path, const char *section, const char *key,
                        oc_error *error, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int status = oc__config_verror_at(path, section, key, error, format, arguments);
    va_end(arguments);
    return status;
}

int oc__config_error(const oc__config *config, const oc__config_metric *metric,
                     const char *key, oc_error *error, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int status = oc__config_verror_at(config->path,
                                      metric != NULL ? metric->name : OC__CONFIG_GLOBAL_SECTION,
                                      key, error, format, arguments);
    va_end(arguments);
    return status;
}

int oc__config_read_milestones(const oc__config *config, const oc__config_metric *metric,
                               oc__frequency frequency, oc__milestone *milestones,
                               oc_error *error)
{
    /* Every text was read once already (as financial years), so each reads
     * again; the fallbacks only keep the days defined. */
    oc__period period;
    int32_t baseline_end_day = INT32_MIN, target_day = metric->target_period.start_day;
    if (metric->baseline_text != NULL
        && oc__period_parse(metric->baseline_text, frequency, &period, NULL) == OC_OK)
        baseline_end_day = period.end_day;
    if (metric->target_date_text != NULL
        && oc__period_parse(metric->target_date_text, frequency, &period, NULL) == OC_OK)
        target_day = period.start_day;
    for (size_t m = 0; m < metric->milestone_count; m++) {
        milestones[m] = metric->milestones[m];
        if (oc__period_parse(metric->milestone_texts[m], frequency, &period, NULL) == OC_OK)
            milestones[m].day = period.start_day;
    }
    for (size_t m = 0; m < metric->milestone_count; m++) {
        const char *text = metric->milestone_texts[m];
        if (milestones[m].day < baseline_end_day)
            return oc__config_error(config, metric, "milestones",
                                    error, "'%s' is not after the baseline '%s'", text,
                                    metric->baseline_text);
        if (m > 0 && milestones[m].day <= milestones[m - 1].day)
            return oc__config_error(config, metric, "milestones", error,
                                    "'%s' is not after the milestone before it, '%s' (list them "
                                    "in date order)", text, metric->milestone_texts[m - 1]);
        if (milestones[m].day >= target_day)
            return oc__config_error(config, metric, "milestones", error,
                                    "'%s' is not before the target_date '%s'", text,
                                    metric->target_date_text);
    }
    return OC_OK;
}

/* ---- known keys, and the near miss of one ---- */

/* In the order docs/configuration.md lists them. */
const char *const oc__config_global_keys[] = {
    "store", "plugin_dir", "period", "baseline", "output", "format", "jobs", "time_limit",
    "confidence", "allow_insecure_plugins", NULL};
const char *const oc__config_metric_keys[] = {
    "plugin", "store", "frame", "areas", "comparator", "benchmark", "intervention_cost",
    "indicators", "baseline", "target", "target_date", "milestones", "target_indicator",
    "rag_green", "rag_amber", "confidence", "spc_baseline", "spc_rebase",
    "spc_screen_outliers", "time_limit", NULL};

int oc__config_key_listed(const char *const *keys, const char *key)
{
    for (size_t i = 0; keys[i] != NULL; i++)
        if (strcmp(keys[i], key) == 0)
            return 1;
    return 0;
}

const char *oc__config_name_list(const void *list, size_t entry_size, char *buffer, size_t size)
{
    size_t used = 0;
    buffer[0] = '\0';
    for (size_t i = 0; list != NULL; i++) {
        const char *name;
        memcpy(&name, (const char *)list + i * entry_size, sizeof name);
        if (name == NULL)
            break;
        int written = snprintf(buffer + used, size - used, "%s%s", i ? ", " : "", name);
        if (written < 0 || (size_t)written >= size - used)
            break;
        used += (size_t)written;
    }
    return used > 0 ? buffer : "none";
}

/* Keys longer than this are never anyone's near miss (and keep the
 * table below on the stack). */
#define LONGEST_COMPARED_KEY 127

size_t oc__config_edit_distance(const char *a, const char *b)
{
    size_t a_length = strlen(a), b_length = strlen(b);
    if (a_length > LONGEST_COMPARED_KEY || b_length > LONGEST_COMPARED_KEY)
        return SIZE_MAX;
    /* The distances from a's first i - 2, i - 1 and i characters to each
     * prefix of b: the rows i - 2 and i - 1 of the usual table, enough
     * to look back over a transposition. */
    size_t rows[3][LONGEST_COMPARED_KEY + 1];
    size_t *before_previous = rows[0], *previous = rows[1], *current = rows[2];
    for (size_t j = 0; j <= b_length; j++)
        previous[j] = j;
    for (size_t i = 1; i <= a_length; i++) {
        current[0] = i;
        for (size_t j = 1; j <= b_length; j++) {
            size_t substitution = previous[j - 1] + (a[i - 1] != b[j - 1]);
            size_t deletion = previous[j] + 1, insertion = current[j - 1] + 1;
            size_t best = substitution < deletion ? substitution : deletion;
            best = insertion < best ? insertion : best;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && before_previous[j - 2] + 1 < best)
                best = before_previous[j - 2] + 1;
            current[j] = best;
        }
        size_t *oldest = before_previous;
        before_previous = previous;
        previous = current;
        current = oldest;
    }
    return previous[b_length];
}

/* Two edits in a key of four characters or fewer leave too little of it
 * to say what was meant ("rate" is two edits from "frame"). */
static size_t near_miss_limit(const char *typed)
{
    return strlen(typed) <= 4 ? 1 : 2;
}

void oc__config_suggest(oc__config_suggestion *suggestion, const char *typed,
                        const char *candidate, const char *where)
{
    if (strlen(candidate) >= sizeof suggestion->key)
        return;
    size_t distance = oc__config_edit_distance(typed, candidate);
    if (distance == 0 || distance > near_miss_limit(typed)
        || (suggestion->key[0] != '\0' && distance >= suggestion->distance))
        return;
    strcpy(suggestion->key, candidate);
    suggestion->distance = distance;
    suggestion->where = where;
}

void oc__config_suggest_from(oc__config_suggestion *suggestion, const char *typed,
                             const void *list, size_t entry_size, const char *prefix,
                             const char *where)
{
    for (size_t i = 0; list != NULL; i++) {
        const char *name;
        memcpy(&name, (const char *)list + i * entry_size, sizeof name);
        if (name == NULL)
            break;
        char candidate[sizeof suggestion->key];
        int written = snprintf(candidate, sizeof candidate, "%s%s", prefix, name);
        if (written > 0 && (size_t)written < sizeof candidate)
            oc__config_suggest(suggestion, typed, candidate, where);
    }
}

const char *oc__config_metric_input(const oc__config_metric *metric, const char *role)
{
    for (size_t i = 0; i < metric->input_count; i++)
        if (strcmp(metric->inputs[i].key, role) == 0)
            return metric->inputs[i].value;
    return NULL;
}

const oc__config_metric *oc__config_find_metric(const oc__config *config, const char *name)
{
    for (size_t i = 0; i < config->metric_count; i++)
        if (strcmp(config->metrics[i].name, name) == 0)
            return &config->metrics[i];
    return NULL;
}

static void free_metric(oc__config_metric *metric)
{
    free(metric->name);
    free(metric->plugin);
    free(metric->frame);
    oc__config_free_list(metric->areas, metric->area_count);
    free(metric->comparator);
    free(metric->benchmark);
    free(metric->baseline_text);
    free(metric->target_date_text);
    oc__config_free_list(metric->milestone_texts, metric->milestone_count);
    free(metric->milestones);
    oc__config_free_list(metric->spc_rebase_texts, metric->spc_rebase_count);
    oc__config_free_entries(metric->inputs, metric->input_count);
    oc__config_free_entries(metric->parameters, metric->parameter_count);
    free(metric->parameter_values);
    free(metric->input_measures);
    free(metric->target_indicator);
    oc__config_free_list(metric->indicators, metric->indicator_count);
    free(metric->indicator_indices);
}

void oc__config_free(oc__config *config)
{
    if (config == NULL)
        return;
    for (size_t i = 0; i < config->metric_count; i++)
        free_metric(&config->metrics[i]);
    free(config->metrics);
    free(config->path);
    free(config->directory);
    oc__config_free_list(config->stores, config->store_count);
    free(config->plugin_dir);
    free(config->period_text);
    free(config->baseline_text);
    free(config->output);
    free(config);
}
