/*
 * configuration_values.c: parsing the values of the configuration's known
 * keys. Numbers go through oc__parameter_parse (the one place that says
 * what a number, whole number or boolean looks like in a configuration, so
 * plugin parameters and known keys agree); never iniparser_getint, which
 * turns garbage into 0.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configuration_internal.h"
#include "plugin_loader.h"

int oc__config_parse_number(const char *text, double minimum, double maximum,
                            double *number, oc_error *error)
{
    double value;
    int status = oc__parameter_parse(OC_PARAMETER_NUMBER, text, &value, error);
    if (status != OC_OK)
        return status;
    if (value < minimum || value > maximum)
        return oc_error_set(error, OC_ERROR_INVALID, "'%.40s' is out of range (%g to %g)",
                            text, minimum, maximum);
    *number = value;
    return OC_OK;
}

int oc__config_parse_integer(const char *text, long minimum, long maximum, long *number,
                             oc_error *error)
{
    double value;
    int status = oc__parameter_parse(OC_PARAMETER_INTEGER, text, &value, error);
    if (status != OC_OK)
        return status;
    if (value < (double)minimum || value > (double)maximum)
        return oc_error_set(error, OC_ERROR_INVALID, "'%.40s' is out of range (%ld to %ld)",
                            text, minimum, maximum);
    *number = (long)value;
    return OC_OK;
}

int oc__config_parse_boolean(const char *text, int *value, oc_error *error)
{
    double number;
    int status = oc__parameter_parse(OC_PARAMETER_BOOLEAN, text, &number, error);
    if (status == OC_OK)
        *value = number != 0;
    return status;
}

int oc__config_parse_confidence(const char *text, double *level, oc_error *error)
{
    double value;
    int status = oc__parameter_parse(OC_PARAMETER_NUMBER, text, &value, error);
    if (status != OC_OK)
        return status;
    if (value != 95.0 && value != 99.8)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "'%.40s' is not a supported confidence level (95 or 99.8)", text);
    *level = value;
    return OC_OK;
}

int oc__config_parse_target(const char *text, oc__target_kind *kind, double *amount,
                            oc_error *error)
{
    size_t length = text != NULL ? strlen(text) : 0;
    if (length > 0 && text[length - 1] == '%') {
        char *number_text = strndup(text, length - 1);
        if (number_text == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
        double value;
        int status = oc__parameter_parse(OC_PARAMETER_NUMBER, number_text, &value, NULL);
        free(number_text);
        if (status != OC_OK)
            return oc_error_set(error, OC_ERROR_INVALID,
                                "'%.40s' is not a target (a number like 6930 or a change "
                                "like -10%%)", text);
        if (value < -100.0)
            return oc_error_set(error, OC_ERROR_INVALID,
                                "'%.40s' is below -100%%: nothing can fall by more than "
                                "all of it", text);
        if (value > OC__CONFIG_MAX_TARGET_PERCENT)
            return oc_error_set(error, OC_ERROR_INVALID,
                                "'%.40s' is above +%g%%, %g times the baseline: write an "
                                "absolute target", text, OC__CONFIG_MAX_TARGET_PERCENT,
                                1 + OC__CONFIG_MAX_TARGET_PERCENT / 100);
        *kind = OC__TARGET_RELATIVE;
        *amount = value;
        return OC_OK;
    }
    double value;
    if (oc__parameter_parse(OC_PARAMETER_NUMBER, text, &value, NULL) != OC_OK)
        return oc_error_set(error, OC_ERROR_INVALID,
                            "'%.40s' is not a target (a number like 6930 or a change like "
                            "-10%%)", text != NULL ? text : "");
    if (fabs(value) > OC__CONFIG_MAX_TARGET)
        return oc_error_set(error, OC_ERROR_INVALID, "'%.40s' is out of range (%g to %g)", text,
                            -OC__CONFIG_MAX_TARGET, OC__CONFIG_MAX_TARGET);
    *kind = OC__TARGET_ABSOLUTE;
    *amount = value;
    return OC_OK;
}

static const char list_separators[] = " \t\r\n,";

int oc__config_split_list(const char *text, char ***items, size_t *count, oc_error *error)
{
    size_t found = 0;
    for (const char *cursor = text; *cursor != '\0';) {
        cursor += strspn(cursor, list_separators);
        size_t length = strcspn(cursor, list_separators);
        found += length > 0;
        cursor += length;
    }
    if (found == 0)
        return oc_error_set(error, OC_ERROR_INVALID, "the list is empty");
    char **result = calloc(found, sizeof *result);
    if (result == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    size_t index = 0;
    for (const char *cursor = text; index < found;) {
        cursor += strspn(cursor, list_separators);
        size_t length = strcspn(cursor, list_separators);
        result[index] = strndup(cursor, length);
        if (result[index] == NULL) {
            oc__config_free_list(result, index);
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
        }
        index++;
        cursor += length;
    }
    *items = result;
    *count = found;
    return OC_OK;
}

char *oc__config_resolve_path(const char *directory, const char *text)
{
    if (directory == NULL || text[0] == '/')
        return strdup(text);
    size_t length = strlen(directory) + 1 + strlen(text) + 1;
    char *path = malloc(length);
    if (path != NULL)
        snprintf(path, length, "%s/%s", directory, text);
    return path;
}

void oc__config_free_list(char **items, size_t count)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

void oc__config_free_entries(oc__config_entry *entries, size_t count)
{
    if (entries == NULL)
        return;
    for (size_t i = 0; i < count; i++) {
        free(entries[i].key);
        free(entries[i].value);
    }
    free(entries);
}
