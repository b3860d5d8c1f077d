/*
 * configuration_metric.c: phase 2 of reading a configuration: a metric's
 * plugin parameters and input roles checked against the descriptor of the
 * plugin the engine loaded, giving the typed parameter values and the
 * measure for each input role that the evaluation hands the plugin.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configuration_internal.h"
#include "plugin_loader.h"

static size_t count_parameters(const oc_plugin_descriptor *descriptor)
{
    size_t count = 0;
    while (descriptor->parameters != NULL && descriptor->parameters[count].name != NULL)
        count++;
    return count;
}

static size_t count_inputs(const oc_plugin_descriptor *descriptor)
{
    size_t count = 0;
    while (descriptor->inputs != NULL && descriptor->inputs[count].role != NULL)
        count++;
    return count;
}

/* A key of a metric section that is neither a metric key nor one of its
 * plugin's parameters: a near miss of one of them (or of an [outcomes]
 * key), an [outcomes] key in the wrong section, or else unknown, named
 * with both kinds of key a metric section takes. */
static int unknown_key(const oc__config *config, const oc__config_metric *metric,
                       const oc_plugin_descriptor *descriptor, const char *key,
                       oc_error *error)
{
    static const char in_outcomes[] = " (it belongs in [" OC__CONFIG_GLOBAL_SECTION "])";
    if (oc__config_key_listed(oc__config_global_keys, key))
        return oc__config_error(config, metric, key, error,
                                "'%s' belongs in [" OC__CONFIG_GLOBAL_SECTION "], not in a "
                                "metric's section", key);
    oc__config_suggestion suggestion = {0};
    oc__config_suggest_from(&suggestion, key, oc__config_metric_keys,
                            sizeof *oc__config_metric_keys, "", NULL);
    oc__config_suggest_from(&suggestion, key, descriptor->parameters,
                            sizeof *descriptor->parameters, "", NULL);
    oc__config_suggest_from(&suggestion, key, descriptor->inputs, sizeof *descriptor->inputs,
                            OC__CONFIG_INPUT_PREFIX, NULL);
    oc__config_suggest_from(&suggestion, key, oc__config_global_keys,
                            sizeof *oc__config_global_keys, "", in_outcomes);
    if (suggestion.key[0] != '\0')
        return oc__config_error(config, metric, key, error, "unknown key: did you mean '%s'?%s",
                                suggestion.key, suggestion.where != NULL ? suggestion.where : "");
    char names[256];
    return oc__config_error(config, metric, key, error,
                            "unknown key: not a metric key (see docs/configuration.md) nor a "
                            "parameter of plugin '%s' (parameters: %s)",
                            metric->plugin,
                            oc__config_name_list(descriptor->parameters,
                                                 sizeof *descriptor->parameters, names,
                                                 sizeof names));
}

static int check_parameters(const oc__config *config, const oc__config_metric *metric,
                            const oc_plugin_descriptor *descriptor,
                            oc__parameter_value *values, size_t count, oc_error *error)
{
    for (size_t i = 0; i < metric->parameter_count; i++) {
        const oc__config_entry *entry = &metric->parameters[i];
        size_t index = 0;
        while (index < count && strcmp(descriptor->parameters[index].name, entry->key) != 0)
            index++;
        if (index == count)
            return unknown_key(config, metric, descriptor, entry->key, error);
        values[index].text = entry->value;
    }
    for (size_t i = 0; i < count; i++) {
        const oc_parameter_spec *spec = &descriptor->parameters[i];
        values[i].name = spec->name;
        values[i].type = spec->type;
        int configured = values[i].text != NULL;
        if (!configured)
            values[i].text = spec->default_value;
        if (values[i].text == NULL)
            return oc__config_error(config, metric, spec->name, error,
                                    "missing: plugin '%s' needs this parameter (%s)",
                                    metric->plugin, oc__parameter_type_name(spec->type));
        oc_error inner;
        if (oc__parameter_parse(spec->type, values[i].text, &values[i].number, &inner) != OC_OK) {
            if (configured)
                return oc__config_error(config, metric, spec->name, error, "%s (%s expected)",
                                        inner.message, oc__parameter_type_name(spec->type));
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin '%s': parameter %s: bad default: %s", metric->plugin,
                                spec->name, inner.message);
        }
        /* The plugin's declared range (ABI 1.2), checked here so that a
         * share of 200 is one configuration error, not a message in every
         * result the plugin could not value. */
        const oc_parameter_range *range = oc__parameter_range_find(descriptor, spec->name);
        if (range != NULL && !oc__parameter_range_contains(range, values[i].number)) {
            char accepted[128];
            oc__parameter_range_text(range, accepted, sizeof accepted);
            if (configured)
                return oc__config_error(config, metric, spec->name, error,
                                        "'%.40s' is out of range: plugin '%s' accepts %s",
                                        values[i].text, metric->plugin, accepted);
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin '%s': parameter %s: default %s is out of range (%s)",
                                metric->plugin, spec->name, values[i].text, accepted);
        }
    }
    return OC_OK;
}

/* "input.ROLE" in buffer, the key that maps role. */
static const char *input_key(const char *role, char *buffer, size_t size)
{
    snprintf(buffer, size, "%s%s", OC__CONFIG_INPUT_PREFIX, role);
    return buffer;
}

static int check_inputs(const oc__config *config, const oc__config_metric *metric,
                        const oc_plugin_descriptor *descriptor, const char **measures,
                        size_t count, oc_error *error)
{
    char names[256];
    char key[sizeof OC__CONFIG_INPUT_PREFIX + OC_NAME_MAX];
    for (size_t i = 0; i < metric->input_count; i++) {
        const oc__config_entry *entry = &metric->inputs[i];
        size_t index = 0;
        while (index < count && strcmp(descriptor->inputs[index].role, entry->key) != 0)
            index++;
        if (index == count) {
            /* input.claimant (for claimants) is a near miss like any key. */
            oc__config_suggestion suggestion = {0};
            oc__config_suggest_from(&suggestion, entry->key, descriptor->inputs,
                                    sizeof *descriptor->inputs, "", NULL);
            if (suggestion.key[0] != '\0')
                return oc__config_error(config, metric, input_key(entry->key, key, sizeof key),
                                        error, "unknown key: did you mean '%s%s'?",
                                        OC__CONFIG_INPUT_PREFIX, suggestion.key);
            return oc__config_error(config, metric, input_key(entry->key, key, sizeof key),
                                    error, "unknown key: plugin '%s' has no input role '%s' "
                                    "(roles: %s)", metric->plugin, entry->key,
                                    oc__config_name_list(descriptor->inputs,
                                                         sizeof *descriptor->inputs, names,
                                                         sizeof names));
        }
        measures[index] = entry->value;
    }
    for (size_t i = 0; i < count; i++)
        if (measures[i] == NULL && !descriptor->inputs[i].optional)
            return oc__config_error(config, metric,
                                    input_key(descriptor->inputs[i].role, key, sizeof key),
                                    error, "missing: plugin '%s' needs a measure for its "
                                    "input role '%s' (%s)", metric->plugin,
                                    descriptor->inputs[i].role,
                                    descriptor->inputs[i].units != NULL
                                        ? descriptor->inputs[i].units : "no units");
    return OC_OK;
}

static size_t count_indicators(const oc_plugin_descriptor *descriptor)
{
    size_t count = 0;
    while (descriptor->indicators != NULL && descriptor->indicators[count].name != NULL)
        count++;
    return count;
}

/* The index of the indicator called name, or count when there is none. */
static size_t find_indicator(const oc_plugin_descriptor *descriptor, size_t count,
                             const char *name)
{
    size_t index = 0;
    while (index < count && strcmp(descriptor->indicators[index].name, name) != 0)
        index++;
    return index;
}

static int check_indicators(const oc__config *config, const oc__config_metric *metric,
                            const oc_plugin_descriptor *descriptor, size_t *indices,
                            size_t *target_index, oc_error *error)
{
    char names[256];
    size_t count = count_indicators(descriptor);
    for (size_t i = 0; i < metric->indicator_count; i++) {
        indices[i] = find_indicator(descriptor, count, metric->indicators[i]);
        if (indices[i] == count)
            return oc__config_error(config, metric, "indicators", error,
                                    "plugin '%s' has no indicator '%s' (indicators: %s)",
                                    metric->plugin, metric->indicators[i],
                                    oc__config_name_list(descriptor->indicators,
                                                         sizeof *descriptor->indicators,
                                                         names, sizeof names));
    }
    *target_index = OC__CONFIG_NO_INDICATOR;
    if (metric->scoring.target_kind == OC__TARGET_NONE)
        return OC_OK;
    if (metric->target_indicator == NULL) {
        if (count == 1) {
            *target_index = 0;
            return OC_OK;
        }
        return oc__config_error(config, metric, "target_indicator", error,
                                "missing: plugin '%s' has several indicators (%s); name the "
                                "one the target is for",
                                metric->plugin,
                                oc__config_name_list(descriptor->indicators,
                                                     sizeof *descriptor->indicators, names,
                                                     sizeof names));
    }
    *target_index = find_indicator(descriptor, count, metric->target_indicator);
    if (*target_index == count)
        return oc__config_error(config, metric, "target_indicator", error,
                                "plugin '%s' has no indicator '%s' (indicators: %s)",
                                metric->plugin, metric->target_indicator,
                                oc__config_name_list(descriptor->indicators,
                                                     sizeof *descriptor->indicators, names,
                                                     sizeof names));
    return OC_OK;
}

int oc__config_validate_metric(const oc__config *config, oc__config_metric *metric,
                               const oc_plugin_descriptor *descriptor, oc_error *error)
{
    size_t parameter_count = count_parameters(descriptor);
    size_t input_count = count_inputs(descriptor);
    /* calloc(0) may return NULL: allocate at least one entry. */
    oc__parameter_value *values = calloc(parameter_count + 1, sizeof *values);
    const char **measures = calloc(input_count + 1, sizeof *measures);
    size_t *indices = calloc(metric->indicator_count + 1, sizeof *indices);
    size_t target_index = OC__CONFIG_NO_INDICATOR;
    int status = OC_OK;
    if (values == NULL || measures == NULL || indices == NULL)
        status = oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    if (status == OC_OK)
        status = check_parameters(config, metric, descriptor, values, parameter_count, error);
    if (status == OC_OK)
        status = check_inputs(config, metric, descriptor, measures, input_count, error);
    if (status == OC_OK)
        status = check_indicators(config, metric, descriptor, indices, &target_index, error);
    if (status != OC_OK) {
        free(values);
        free(measures);
        free(indices);
        return status;
    }
    free(metric->parameter_values);
    free(metric->input_measures);
    free(metric->indicator_indices);
    metric->indicator_indices = indices;
    metric->target_indicator_index = target_index;
    metric->parameter_values = values;
    metric->parameter_value_count = parameter_count;
    metric->input_measures = measures;
    metric->input_measure_count = input_count;
    return OC_OK;
}
