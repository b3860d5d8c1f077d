/*
 * configuration.c: the small shared pieces of the configuration: the
 * "FILE: [section] key: message" prefix every error carries, freeing, and
 * look-ups the engine uses. Loading is in configuration_load.c, the
 * checks against a plugin in configuration_metric.c.
 */
#include "config.h"

#include <stdarg.h>
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
