/*
 * plugin_loader.c: loading and validating plugins (see plugin_loader.h).
 * The order of the checks matters: file permissions before dlopen (which
 * runs the plugin's constructors), the ABI version before any other field
 * (another major version may lay the struct out differently), and the
 * struct size before reading a field.
 */
#define _GNU_SOURCE /* pipe2 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "number.h"
#include "plugin_loader.h"
#include "plugin_runner.h"
#include "utf8.h"

#ifndef OC_PLUGIN_DIR
#error "OC_PLUGIN_DIR must be defined (Makefile.am sets it to $(pkglibdir))"
#endif

/* Longest version string accepted from a plugin. */
#define OC_VERSION_TEXT_MAX 64

unsigned oc__plugin_flags_from_environment(int configuration_allows_insecure)
{
    const char *value = getenv(OC__PLUGIN_INSECURE_ENVIRONMENT);
    if (configuration_allows_insecure || (value != NULL && strcmp(value, "1") == 0))
        return OC__PLUGIN_ALLOW_INSECURE;
    return 0;
}

const char *oc__plugin_directory(const char *option_directory, const char *configured_directory)
{
    if (option_directory != NULL && option_directory[0] != '\0')
        return option_directory;
    if (configured_directory != NULL && configured_directory[0] != '\0')
        return configured_directory;
    const char *environment = getenv(OC__PLUGIN_DIR_ENVIRONMENT);
    if (environment != NULL && environment[0] != '\0')
        return environment;
    return OC_PLUGIN_DIR;
}

int oc__plugin_name_is_valid(const char *name)
{
    if (name == NULL)
        return 0;
    size_t length = 0;
    for (; name[length] != '\0'; length++) {
        char c = name[length];
        if (length >= OC_NAME_MAX || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return length > 0;
}

/* Copies at most OC_NAME_MAX + 1 bytes of untrusted text for a message
 * (buffer of size >= 5 bytes, caller-owned), so that a broken plugin or a
 * careless value cannot garble the one-line error: each control character
 * (C0, DEL, the C1 controls U+0080 to U+009F) and each byte that is not
 * valid UTF-8 becomes '?'. Valid UTF-8 is kept whole, so `£100` is quoted
 * as written (docs/configuration.md); a character that does not fit is
 * left out, never cut, and "..." marks the text as cut short. */
static const char *printable(const char *text, char *buffer, size_t size)
{
    if (text == NULL)
        return "(null)";
    size_t limit = size - 4 < OC_NAME_MAX + 1 ? size - 4 : OC_NAME_MAX + 1;
    const unsigned char *input = (const unsigned char *)text;
    size_t read = 0, written = 0;
    while (input[read] != '\0') {
        size_t length = oc__utf8_sequence_length(input + read);
        int replaced = length == 0 || (length == 1 && (input[read] < 0x20 || input[read] == 0x7f))
                       || (length == 2 && input[read] == 0xc2 && input[read + 1] < 0xa0);
        size_t kept = replaced ? 1 : length;
        if (written + kept > limit)
            break;
        if (replaced)
            buffer[written] = '?';
        else
            memcpy(buffer + written, input + read, length);
        written += kept;
        read += length == 0 ? 1 : length;
    }
    if (input[read] != '\0') {
        memcpy(buffer + written, "...", 3);
        written += 3;
    }
    buffer[written] = '\0';
    return buffer;
}

/* ---- file security ---- */

static int check_owner_and_mode(const char *what, const char *path, const struct stat *status,
                                oc_error *error)
{
    uid_t effective_user = geteuid();
    if (status->st_uid != 0 && status->st_uid != effective_user)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "%s %s: owned by uid %lu, not by root or the current user (uid %lu): "
                            "refusing it (set %s=1 to allow it for development)",
                            what, path, (unsigned long)status->st_uid,
                            (unsigned long)effective_user, OC__PLUGIN_INSECURE_ENVIRONMENT);
    if (status->st_mode & (S_IWGRP | S_IWOTH))
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "%s %s: writable by %s (mode %04o): refusing it (chmod go-w it, or "
                            "set %s=1 to allow it for development)",
                            what, path, (status->st_mode & S_IWOTH) ? "others" : "group",
                            (unsigned)(status->st_mode & 07777), OC__PLUGIN_INSECURE_ENVIRONMENT);
    return OC_OK;
}

static int check_directory_security(const char *directory, unsigned flags, oc_error *error)
{
    struct stat status;
    if (stat(directory, &status) != 0)
        return oc_error_set(error, errno == ENOENT ? OC_ERROR_NOT_FOUND : OC_ERROR_IO,
                            "plugin directory %s: %s", directory, strerror(errno));
    if (!S_ISDIR(status.st_mode))
        return oc_error_set(error, OC_ERROR_IO, "plugin directory %s: not a directory", directory);
    if (flags & OC__PLUGIN_ALLOW_INSECURE)
        return OC_OK;
    return check_owner_and_mode("plugin directory", directory, &status, error);
}

int oc__plugin_check_security(const char *path, unsigned flags, oc_error *error)
{
    struct stat status;
    if (stat(path, &status) != 0)
        return oc_error_set(error, errno == ENOENT ? OC_ERROR_NOT_FOUND : OC_ERROR_IO,
                            "plugin %s: %s", path, strerror(errno));
    if (!S_ISREG(status.st_mode))
        return oc_error_set(error, OC_ERROR_PLUGIN, "plugin %s: not a regular file", path);
    if (flags & OC__PLUGIN_ALLOW_INSECURE)
        return OC_OK;
    int result = check_owner_and_mode("plugin", path, &status, error);
    if (result != OC_OK)
        return result;

    const char *slash = strrchr(path, '/');
    char *directory = slash == NULL ? strdup(".")
                      : slash == path ? strdup("/")
                                      : strndup(path, (size_t)(slash - path));
    if (directory == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    result = check_directory_security(directory, flags, error);
    free(directory);
    return result;
}

/* ---- parameter values ---- */

const char *oc__parameter_type_name(oc_parameter_type type)
{
    switch (type) {
    case OC_PARAMETER_NUMBER: return "number";
    case OC_PARAMETER_INTEGER: return "integer";
    case OC_PARAMETER_STRING: return "string";
    case OC_PARAMETER_BOOLEAN: return "boolean";
    }
    return "unknown";
}

const char *oc__direction_name(oc_direction direction)
{
    switch (direction) {
    case OC_LOWER_IS_BETTER: return "lower is better";
    case OC_NO_DIRECTION: return "no direction";
    case OC_HIGHER_IS_BETTER: return "higher is better";
    }
    return "unknown";
}

const char *oc__aggregation_name(oc_aggregation aggregation)
{
    switch (aggregation) {
    case OC_AGGREGATE_SUM: return "sum";
    case OC_AGGREGATE_NONE: return "none";
    }
    return "unknown";
}

int oc__parameter_parse(oc_parameter_type type, const char *text, double *number, oc_error *error)
{
    char shown[OC_NAME_MAX + 8];
    if (text == NULL)
        return oc_error_set(error, OC_ERROR_INVALID, "no value");
    double value = NAN;
    char *end = NULL;
    switch (type) {
    case OC_PARAMETER_NUMBER:
        if (oc__parse_decimal(text, &value) != OC_OK)
            return oc_error_set(error, OC_ERROR_INVALID, "'%s' is not a finite number",
                                printable(text, shown, sizeof shown));
        break;
    case OC_PARAMETER_INTEGER: {
        errno = 0;
        long whole = strtol(text, &end, 10);
        if (end == text || *end != '\0' || errno == ERANGE)
            return oc_error_set(error, OC_ERROR_INVALID, "'%s' is not a whole number",
                                printable(text, shown, sizeof shown));
        value = (double)whole;
        break;
    }
    case OC_PARAMETER_BOOLEAN: {
        static const char *const truths[] = {"true", "yes", "on", "1"};
        static const char *const falsehoods[] = {"false", "no", "off", "0"};
        for (size_t i = 0; i < 4 && isnan(value); i++) {
            if (strcasecmp(text, truths[i]) == 0)
                value = 1;
            else if (strcasecmp(text, falsehoods[i]) == 0)
                value = 0;
        }
        if (isnan(value))
            return oc_error_set(error, OC_ERROR_INVALID,
                                "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)",
                                printable(text, shown, sizeof shown));
        break;
    }
    case OC_PARAMETER_STRING:
        break;
    default:
        return oc_error_set(error, OC_ERROR_INVALID, "unknown parameter type %d", (int)type);
    }
    if (number != NULL)
        *number = value;
    return OC_OK;
}

/* ---- parameter ranges ---- */

const oc_parameter_range *oc__parameter_range_find(const oc_plugin_descriptor *descriptor,
                                                   const char *name)
{
    for (const oc_parameter_range *range = descriptor->parameter_ranges;
         range != NULL && range->name != NULL; range++)
        if (strcmp(range->name, name) == 0)
            return range;
    return NULL;
}

int oc__parameter_range_contains(const oc_parameter_range *range, double value)
{
    if (range == NULL)
        return 1;
    int above = (range->flags & OC_RANGE_EXCLUSIVE_MINIMUM) ? value > range->minimum
                                                            : value >= range->minimum;
    int below = (range->flags & OC_RANGE_EXCLUSIVE_MAXIMUM) ? value < range->maximum
                                                            : value <= range->maximum;
    return above && below; /* false for NaN */
}

const char *oc__parameter_range_text(const oc_parameter_range *range, char *buffer, size_t size)
{
    int has_minimum = range != NULL && range->minimum != -INFINITY;
    int has_maximum = range != NULL && range->maximum != INFINITY;
    int exclusive_minimum = has_minimum && (range->flags & OC_RANGE_EXCLUSIVE_MINIMUM);
    int exclusive_maximum = has_maximum && (range->flags & OC_RANGE_EXCLUSIVE_MAXIMUM);
    if (!has_minimum && !has_maximum)
        snprintf(buffer, size, "any value");
    else if (has_minimum && has_maximum && !exclusive_minimum && !exclusive_maximum)
        snprintf(buffer, size, "%.15g to %.15g", range->minimum, range->maximum);
    else if (has_minimum && has_maximum)
        snprintf(buffer, size, "%s %.15g and %s %.15g", exclusive_minimum ? "above" : "at least",
                 range->minimum, exclusive_maximum ? "below" : "at most", range->maximum);
    else if (has_minimum)
        snprintf(buffer, size, "%s %.15g", exclusive_minimum ? "above" : "at least",
                 range->minimum);
    else
        snprintf(buffer, size, "%s %.15g", exclusive_maximum ? "below" : "at most",
                 range->maximum);
    return buffer;
}

/* ---- descriptor validation ---- */

/* Counts the entries of a NULL-name terminated list whose entries are
 * entry_size bytes with the name first; -1 when no sentinel comes within
 * OC__PLUGIN_LIST_MAX entries. */
static long count_list(const void *list, size_t entry_size)
{
    if (list == NULL)
        return 0;
    for (long i = 0; i <= OC__PLUGIN_LIST_MAX; i++) {
        const char *name;
        memcpy(&name, (const char *)list + (size_t)i * entry_size, sizeof name);
        if (name == NULL)
            return i;
    }
    return -1;
}

static const char *entry_name(const void *list, size_t entry_size, size_t index)
{
    const char *name;
    memcpy(&name, (const char *)list + index * entry_size, sizeof name);
    return name;
}

/* Counts a list and checks its names: valid and unique. */
static int check_list(const char *path, const char *what, const void *list, size_t entry_size,
                      size_t *count, oc_error *error)
{
    char shown[OC_NAME_MAX + 8];
    long entries = count_list(list, entry_size);
    if (entries < 0)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: %s list has no end (no entry with a NULL name within "
                            "%d entries)", path, what, OC__PLUGIN_LIST_MAX);
    for (long i = 0; i < entries; i++) {
        const char *name = entry_name(list, entry_size, (size_t)i);
        if (!oc__plugin_name_is_valid(name))
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: %s %ld name '%s' is invalid (use 1-%d characters "
                                "of a-z, 0-9 and _)", path, what, i + 1,
                                printable(name, shown, sizeof shown), OC_NAME_MAX);
        for (long j = 0; j < i; j++)
            if (strcmp(name, entry_name(list, entry_size, (size_t)j)) == 0)
                return oc_error_set(error, OC_ERROR_PLUGIN,
                                    "plugin %s: %s name '%s' appears twice (if the second is "
                                    "not one of yours, the %s list lacks its closing {0})",
                                    path, what, name, what);
    }
    *count = (size_t)entries;
    return OC_OK;
}

/* ABI 1.2 put parameter_ranges where reserved[0] was: a 1.0 or 1.1 plugin's
 * descriptor has the same size and offsets, and zero in that place. */
_Static_assert(offsetof(oc_plugin_descriptor, parameter_ranges)
                   == offsetof(oc_plugin_descriptor, fiscal_benefit) + sizeof(void *)
               && sizeof(oc_plugin_descriptor)
                      == offsetof(oc_plugin_descriptor, parameter_ranges) + 8 * sizeof(void *),
               "parameter_ranges must take reserved[0]'s place and change no offset");

/* The ranges of ABI 1.2: each names a number or integer parameter, holds
 * at least one value, and contains the parameter's default, so that a
 * configuration that leaves the parameter out is always accepted. */
static int check_parameter_ranges(const char *path, const oc_plugin_descriptor *copy,
                                  size_t parameter_count, oc_error *error)
{
    const unsigned known_flags = OC_RANGE_EXCLUSIVE_MINIMUM | OC_RANGE_EXCLUSIVE_MAXIMUM;
    char text[128], shown[OC_NAME_MAX + 8];
    size_t range_count;
    if (copy->parameter_ranges != NULL && copy->abi_minor < 2)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: descriptor sets parameter_ranges (reserved[0] before "
                            "ABI 1.2) but says ABI %u.%u (set abi_minor to OC_ABI_MINOR)",
                            path, (unsigned)copy->abi_major, (unsigned)copy->abi_minor);
    int status = check_list(path, "parameter range", copy->parameter_ranges,
                            sizeof *copy->parameter_ranges, &range_count, error);
    if (status != OC_OK)
        return status;
    for (size_t i = 0; i < range_count; i++) {
        const oc_parameter_range *range = &copy->parameter_ranges[i];
        size_t index = 0;
        while (index < parameter_count && strcmp(copy->parameters[index].name, range->name) != 0)
            index++;
        if (index == parameter_count)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: parameter range '%s' names no parameter of the "
                                "plugin", path, range->name);
        const oc_parameter_spec *parameter = &copy->parameters[index];
        if (parameter->type != OC_PARAMETER_NUMBER && parameter->type != OC_PARAMETER_INTEGER)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: parameter range '%s': the parameter is a %s (only "
                                "number and integer parameters have ranges)", path, range->name,
                                oc__parameter_type_name(parameter->type));
        if (range->flags & ~known_flags)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: parameter range '%s' has unknown flags 0x%x", path,
                                range->name, range->flags & ~known_flags);
        int empty = isnan(range->minimum) || isnan(range->maximum)
                    || range->minimum == INFINITY || range->maximum == -INFINITY
                    || range->minimum > range->maximum
                    || (range->minimum == range->maximum && range->flags != 0);
        if (empty)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: parameter range '%s' holds no value (minimum %g, "
                                "maximum %g, flags 0x%x)", path, range->name, range->minimum,
                                range->maximum, range->flags);
        double value;
        if (parameter->default_value != NULL
            && oc__parameter_parse(parameter->type, parameter->default_value, &value, NULL) == OC_OK
            && !oc__parameter_range_contains(range, value))
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: parameter '%s' default %s is outside its range (%s)",
                                path, range->name,
                                printable(parameter->default_value, shown, sizeof shown),
                                oc__parameter_range_text(range, text, sizeof text));
    }
    return OC_OK;
}

int oc__plugin_validate_descriptor(const oc_plugin_descriptor *descriptor, const char *path,
                                   oc__plugin *plugin, oc_error *error)
{
    char shown[OC_NAME_MAX + 8];
    if (descriptor == NULL)
        return oc_error_set(error, OC_ERROR_PLUGIN, "plugin %s: no descriptor", path);
    uint32_t struct_size = descriptor->struct_size;
    size_t version_end = offsetof(oc_plugin_descriptor, abi_minor) + sizeof descriptor->abi_minor;
    if (struct_size < version_end)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: descriptor struct_size %lu is too small to be a "
                            "descriptor (set .struct_size = sizeof (oc_plugin_descriptor))",
                            path, (unsigned long)struct_size);
    unsigned major = descriptor->abi_major, minor = descriptor->abi_minor;
    if (major != OC_ABI_MAJOR)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: incompatible ABI: plugin ABI %u.%u, host ABI %d.%d "
                            "(rebuild the plugin against this version of outcomes)",
                            path, major, minor, OC_ABI_MAJOR, OC_ABI_MINOR);
    if (minor > OC_ABI_MINOR)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: needs a newer host: plugin ABI %u.%u, host ABI %d.%d "
                            "(upgrade outcomes)", path, major, minor, OC_ABI_MAJOR, OC_ABI_MINOR);
    /* Every field of ABI 1.0 up to the callbacks is required. */
    size_t required = offsetof(oc_plugin_descriptor, evaluate) + sizeof descriptor->evaluate;
    if (struct_size < required)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: descriptor struct_size %lu is smaller than the %zu bytes "
                            "of ABI %u.0 (set .struct_size = sizeof (oc_plugin_descriptor))",
                            path, (unsigned long)struct_size, required, major);

    oc_plugin_descriptor copy;
    memset(&copy, 0, sizeof copy);
    memcpy(&copy, descriptor, struct_size < sizeof copy ? struct_size : sizeof copy);

    if (copy.name == NULL)
        return oc_error_set(error, OC_ERROR_PLUGIN, "plugin %s: descriptor has no name", path);
    if (!oc__plugin_name_is_valid(copy.name))
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: plugin name '%s' is invalid (use 1-%d characters of "
                            "a-z, 0-9 and _)", path, printable(copy.name, shown, sizeof shown),
                            OC_NAME_MAX);
    if (copy.version == NULL || copy.version[0] == '\0'
        || strnlen(copy.version, OC_VERSION_TEXT_MAX + 1) > OC_VERSION_TEXT_MAX)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: descriptor needs a version of 1-%d characters",
                            path, OC_VERSION_TEXT_MAX);
    if (copy.evaluate == NULL)
        return oc_error_set(error, OC_ERROR_PLUGIN, "plugin %s: descriptor has no evaluate callback",
                            path);
    for (size_t i = 0; i < sizeof copy.reserved / sizeof copy.reserved[0]; i++)
        if (copy.reserved[i] != NULL)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: descriptor reserved[%zu] is not zero", path, i);

    size_t input_count, parameter_count, indicator_count;
    int status = check_list(path, "input", copy.inputs, sizeof *copy.inputs, &input_count, error);
    if (status == OC_OK)
        status = check_list(path, "parameter", copy.parameters, sizeof *copy.parameters,
                            &parameter_count, error);
    if (status == OC_OK)
        status = check_list(path, "indicator", copy.indicators, sizeof *copy.indicators,
                            &indicator_count, error);
    if (status != OC_OK)
        return status;
    if (indicator_count == 0)
        return oc_error_set(error, OC_ERROR_PLUGIN, "plugin %s: declares no indicators", path);

    for (size_t i = 0; i < input_count; i++) {
        const oc_input_spec *input = &copy.inputs[i];
        if (input->aggregation != OC_AGGREGATE_SUM && input->aggregation != OC_AGGREGATE_NONE)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: input '%s' has unknown aggregation %d (if '%s' is "
                                "not one of your inputs, the input list lacks its closing {0})",
                                path, input->role, (int)input->aggregation, input->role);
    }
    for (size_t i = 0; i < parameter_count; i++) {
        const oc_parameter_spec *parameter = &copy.parameters[i];
        if (parameter->type < OC_PARAMETER_NUMBER || parameter->type > OC_PARAMETER_BOOLEAN)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: parameter '%s' has unknown type %d (if '%s' is not "
                                "one of your parameters, the parameter list lacks its closing "
                                "{0})", path, parameter->name, (int)parameter->type,
                                parameter->name);
        oc_error reason;
        if (parameter->default_value != NULL
            && oc__parameter_parse(parameter->type, parameter->default_value, NULL, &reason) != OC_OK)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: parameter '%s' default is not a valid %s: %s", path,
                                parameter->name, oc__parameter_type_name(parameter->type),
                                reason.message);
    }
    status = check_parameter_ranges(path, &copy, parameter_count, error);
    if (status != OC_OK)
        return status;
    /* A flag a plugin's ABI did not have is refused, as a field it did not
     * have would be (docs/plugin-abi.md). */
    const unsigned known_flags = OC_INDICATOR_PROPORTION | OC_INDICATOR_FISCAL_BENEFIT
                                 | (copy.abi_minor >= 3 ? OC_INDICATOR_COMPARABLE : 0u);
    for (size_t i = 0; i < indicator_count; i++) {
        const oc_indicator_spec *indicator = &copy.indicators[i];
        if (indicator->direction != OC_LOWER_IS_BETTER && indicator->direction != OC_NO_DIRECTION
            && indicator->direction != OC_HIGHER_IS_BETTER)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: indicator '%s' has unknown direction %d (use -1, 0 "
                                "or 1)", path, indicator->name, (int)indicator->direction);
        if (indicator->flags & ~known_flags)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: indicator '%s' has unknown flags 0x%x%s", path,
                                indicator->name, indicator->flags & ~known_flags,
                                (indicator->flags & ~known_flags) == OC_INDICATOR_COMPARABLE
                                    ? " (OC_INDICATOR_COMPARABLE is ABI 1.3: set abi_minor to "
                                      "OC_ABI_MINOR)"
                                    : "");
        if ((indicator->flags & OC_INDICATOR_FISCAL_BENEFIT) && copy.fiscal_benefit == NULL)
            return oc_error_set(error, OC_ERROR_PLUGIN,
                                "plugin %s: indicator '%s' is flagged for fiscal benefit but the "
                                "descriptor has no fiscal_benefit callback", path, indicator->name);
    }

    plugin->descriptor = copy;
    plugin->input_count = input_count;
    plugin->parameter_count = parameter_count;
    plugin->indicator_count = indicator_count;
    return OC_OK;
}

/* ---- loading ---- */

void oc__plugin_close(oc__plugin *plugin)
{
    if (plugin == NULL)
        return;
    if (plugin->handle != NULL)
        dlclose(plugin->handle);
    free(plugin->path);
    free(plugin);
}

/* How long a plugin may take to load (its constructors and its entry
 * function) in the trial child: loading reads a file and runs a little
 * initialisation, so more than this is a hang. */
#define LOAD_TRIAL_SECONDS 10

/* Loads the plugin once in a child process and calls its entry function
 * there, before the host does: a constructor that crashes, exits or hangs
 * would otherwise take the host with it (a scheduled run ending with status
 * 0 and no results, or never ending), and one bad file would take down the
 * whole plugin listing. Whatever else goes wrong (dlopen's own errors, a
 * bad descriptor) the child does not judge: the host's own load reports it
 * with the details. The child leaves with _exit, so that no exit handler
 * of the host's runs twice. */
static long milliseconds_since(struct timespec start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
}

static int load_in_a_child(const char *path, oc_error *error)
{
    int reached[2];
    if (pipe2(reached, O_CLOEXEC) != 0)
        return oc_error_set(error, OC_ERROR_IO, "plugin %s: cannot make a pipe: %s", path,
                            strerror(errno));
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t child = fork();
    if (child < 0) {
        int fork_errno = errno;
        close(reached[0]);
        close(reached[1]);
        return oc_error_set(error, OC_ERROR_IO, "plugin %s: cannot fork to try loading it: %s",
                            path, strerror(fork_errno));
    }
    if (child == 0) {
        close(reached[0]);
        oc__runner_child_signals_default(); /* a crash is seen as one */
        void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        void *symbol = handle != NULL ? dlsym(handle, OC_PLUGIN_ENTRY_SYMBOL) : NULL;
        if (symbol != NULL) {
            oc_plugin_entry_fn entry;
            memcpy(&entry, &symbol, sizeof entry);
            (void)entry();
        }
        ssize_t written = write(reached[1], "", 1);
        _exit(written == 1 ? 0 : 1);
    }
    close(reached[1]);
    /* The byte comes once the plugin has loaded; end of file, when the
     * child died first. Either wakes the poll at once: no sleeping in
     * steps, as loading takes about a millisecond and every run loads
     * each of its plugins. */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long waited_ms = 0, limit_ms = LOAD_TRIAL_SECONDS * 1000L;
    struct pollfd readable = {reached[0], POLLIN, 0};
    int ready;
    while ((ready = poll(&readable, 1, (int)(limit_ms - waited_ms))) < 0 && errno == EINTR)
        if ((waited_ms = milliseconds_since(start)) >= limit_ms)
            break;
    char byte;
    ssize_t got_byte = 0;
    if (ready > 0)
        while ((got_byte = read(reached[0], &byte, 1)) < 0 && errno == EINTR)
            ;
    close(reached[0]);
    int status = 0, finished = 0;
    if (got_byte == 1) {
        /* loaded: the child's next step is _exit */
        while (!(finished = waitpid(child, &status, 0) == child) && errno == EINTR)
            ;
    } else if (ready > 0) {
        /* died, or closed the pipe itself: give it what is left of the
         * time to be seen gone */
        for (;;) {
            pid_t got = waitpid(child, &status, WNOHANG);
            if (got == child || (got < 0 && errno != EINTR) || milliseconds_since(start) >= limit_ms) {
                finished = got == child;
                break;
            }
            struct timespec pause = {0, 1000000L};
            nanosleep(&pause, NULL);
        }
    }
    if (!finished) {
        kill(child, SIGKILL);
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (!finished)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: did not finish loading within %d s (killed): a "
                            "constructor or %s() hangs",
                            path, LOAD_TRIAL_SECONDS, OC_PLUGIN_ENTRY_SYMBOL);
    if (WIFSIGNALED(status))
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: crashed while loading: %s (signal %d)", path,
                            strsignal(WTERMSIG(status)), WTERMSIG(status));
    if (got_byte != 1)
        return oc_error_set(error, OC_ERROR_PLUGIN,
                            "plugin %s: exited with status %d while loading (a constructor "
                            "or %s() called exit)",
                            path, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                            OC_PLUGIN_ENTRY_SYMBOL);
    return OC_OK;
}

/* The child must be reapable: a scheduler may start the host with
 * SIGCHLD ignored, and then waitpid would find no child to judge. */
static int try_loading_in_a_child(const char *path, oc_error *error)
{
    struct sigaction saved;
    oc__runner_children_reapable(&saved);
    int status = load_in_a_child(path, error);
    sigaction(SIGCHLD, &saved, NULL);
    return status;
}

int oc__plugin_open(const char *path, unsigned flags, oc__plugin **out, oc_error *error)
{
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return oc_error_set(error, OC_ERROR_INVALID, "plugin: empty path");
    int status = oc__plugin_check_security(path, flags, error);
    if (status != OC_OK)
        return status;

    oc__plugin *plugin = calloc(1, sizeof *plugin);
    /* dlopen searches the library path for a name without a slash. */
    size_t length = strlen(path);
    if (plugin != NULL)
        plugin->path = malloc(length + 3);
    if (plugin == NULL || plugin->path == NULL) {
        free(plugin);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory loading plugin %s", path);
    }
    snprintf(plugin->path, length + 3, "%s%s", strchr(path, '/') != NULL ? "" : "./", path);

    status = try_loading_in_a_child(plugin->path, error);
    if (status != OC_OK) {
        oc__plugin_close(plugin);
        return status;
    }
    dlerror();
    plugin->handle = dlopen(plugin->path, RTLD_NOW | RTLD_LOCAL);
    if (plugin->handle == NULL) {
        const char *reason = dlerror();
        status = oc_error_set(error, OC_ERROR_PLUGIN, "plugin %s: cannot load: %s", plugin->path,
                              reason != NULL ? reason : "unknown dlopen error");
        oc__plugin_close(plugin);
        return status;
    }
    dlerror();
    void *symbol = dlsym(plugin->handle, OC_PLUGIN_ENTRY_SYMBOL);
    if (symbol == NULL) {
        const char *reason = dlerror();
        status = oc_error_set(error, OC_ERROR_PLUGIN,
                              "plugin %s: not an outcomes plugin: no entry symbol %s (define it "
                              "with OC_PLUGIN_DEFINE): %s", plugin->path, OC_PLUGIN_ENTRY_SYMBOL,
                              reason != NULL ? reason : "symbol is NULL");
        oc__plugin_close(plugin);
        return status;
    }
    oc_plugin_entry_fn entry;
    memcpy(&entry, &symbol, sizeof entry);
    const oc_plugin_descriptor *descriptor = entry();
    if (descriptor == NULL) {
        status = oc_error_set(error, OC_ERROR_PLUGIN, "plugin %s: %s() returned NULL",
                              plugin->path, OC_PLUGIN_ENTRY_SYMBOL);
        oc__plugin_close(plugin);
        return status;
    }
    status = oc__plugin_validate_descriptor(descriptor, plugin->path, plugin, error);
    if (status != OC_OK) {
        oc__plugin_close(plugin);
        return status;
    }
    *out = plugin;
    return OC_OK;
}

int oc__plugin_resolve_name(const char *directory, const char *name, unsigned flags, char **path,
                            oc_error *error)
{
    char shown[OC_NAME_MAX + 8];
    *path = NULL;
    if (name == NULL || name[0] == '\0')
        return oc_error_set(error, OC_ERROR_INVALID, "empty plugin name");
    if (name[0] == '/') {
        if (!(flags & OC__PLUGIN_ALLOW_PATH))
            return oc_error_set(error, OC_ERROR_INVALID,
                                "plugin '%s': give a plugin name (a-z, 0-9, _), not a path; "
                                "plugins are found in the plugin directory %s",
                                printable(name, shown, sizeof shown), directory);
        *path = strdup(name);
    } else {
        if (!oc__plugin_name_is_valid(name))
            return oc_error_set(error, OC_ERROR_INVALID,
                                "plugin name '%s' is invalid: use 1-%d characters of a-z, 0-9 and "
                                "_ (no '/' or '..')%s", printable(name, shown, sizeof shown),
                                OC_NAME_MAX,
                                (flags & OC__PLUGIN_ALLOW_PATH) ? ", or an absolute path" : "");
        size_t size = strlen(directory) + strlen(name) + 5;
        *path = malloc(size);
        if (*path != NULL)
            snprintf(*path, size, "%s/%s.so", directory, name);
    }
    if (*path == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    return OC_OK;
}

/* A plugin is used by its file's name (a configuration's `plugin = NAME`
 * opens DIR/NAME.so), so a descriptor that calls itself otherwise is
 * refused wherever it is found: file_name is the file's name without
 * ".so", its first name_length bytes. */
static int refuse_misnamed(const char *path, const char *called, const char *file_name,
                           int name_length, oc_error *error)
{
    return oc_error_set(error, OC_ERROR_PLUGIN,
                        "plugin %s: calls itself '%s', not '%.*s' (rename the file to %s.so)",
                        path, called, name_length, file_name, called);
}

int oc__plugin_open_by_name(const char *directory, const char *name, unsigned flags,
                            oc__plugin **out, oc_error *error)
{
    char *path;
    *out = NULL;
    int status = oc__plugin_resolve_name(directory, name, flags, &path, error);
    if (status != OC_OK)
        return status;
    status = oc__plugin_open(path, flags, out, error);
    if (status == OC_ERROR_NOT_FOUND && name[0] != '/')
        oc_error_set(error, status, "plugin '%s' not found: no file %s (see 'outcomes plugins "
                     "--plugin-dir %s')", name, path, directory);
    else if (status == OC_OK && name[0] != '/' && strcmp((*out)->descriptor.name, name) != 0) {
        status = refuse_misnamed(path, (*out)->descriptor.name, name, (int)strlen(name), error);
        oc__plugin_close(*out);
        *out = NULL;
    }
    free(path);
    return status;
}

/* ---- registry ---- */

static int append_string(char ***list, size_t *count, const char *text)
{
    char *copy = strdup(text);
    char **grown = copy != NULL ? realloc(*list, (*count + 1) * sizeof *grown) : NULL;
    if (grown == NULL) {
        free(copy);
        return OC_ERROR_NO_MEMORY;
    }
    grown[(*count)++] = copy;
    *list = grown;
    return OC_OK;
}

static int is_plugin_file(const struct dirent *entry)
{
    size_t length = strlen(entry->d_name);
    return entry->d_name[0] != '.' && length > 3
           && strcmp(entry->d_name + length - 3, ".so") == 0;
}

/* Adds a loaded plugin (taking ownership of it). Its name is its file's,
 * so no two plugins of one directory share a name. */
static int register_plugin(oc__plugin_registry *registry, oc__plugin *plugin, oc_error *error)
{
    oc__plugin **grown = realloc(registry->plugins, (registry->count + 1) * sizeof *grown);
    if (grown == NULL) {
        oc__plugin_close(plugin);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    }
    grown[registry->count++] = plugin;
    registry->plugins = grown;
    return OC_OK;
}

int oc__plugin_registry_scan(oc__plugin_registry *registry, const char *directory, unsigned flags,
                             oc_error *error)
{
    memset(registry, 0, sizeof *registry);
    registry->directory = strdup(directory);
    if (registry->directory == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
    int status = check_directory_security(directory, flags, error);
    if (status != OC_OK)
        return status;

    struct dirent **entries = NULL;
    int entry_count = scandir(directory, &entries, is_plugin_file, alphasort);
    if (entry_count < 0)
        return oc_error_set(error, OC_ERROR_IO, "plugin directory %s: %s", directory,
                            strerror(errno));
    for (int i = 0; i < entry_count; i++) {
        if (status == OC_OK) {
            size_t size = strlen(directory) + strlen(entries[i]->d_name) + 2;
            char *path = malloc(size);
            if (path == NULL) {
                status = oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
            } else {
                snprintf(path, size, "%s/%s", directory, entries[i]->d_name);
                oc__plugin *plugin;
                oc_error reason;
                const char *file_name = entries[i]->d_name;
                int name_length = (int)strlen(file_name) - 3; /* without ".so" */
                int opened = oc__plugin_open(path, flags, &plugin, &reason) == OC_OK;
                if (opened && (strncmp(plugin->descriptor.name, file_name, (size_t)name_length) != 0
                               || plugin->descriptor.name[name_length] != '\0')) {
                    refuse_misnamed(path, plugin->descriptor.name, file_name, name_length,
                                    &reason);
                    oc__plugin_close(plugin);
                    opened = 0;
                }
                if (opened)
                    status = register_plugin(registry, plugin, error);
                else if (append_string(&registry->problems, &registry->problem_count,
                                       reason.message) != OC_OK)
                    status = oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
                free(path);
            }
        }
        free(entries[i]);
    }
    free(entries);
    return status;
}

const oc__plugin *oc__plugin_registry_find(const oc__plugin_registry *registry, const char *name,
                                           oc_error *error)
{
    char shown[OC_NAME_MAX + 8];
    if (name == NULL)
        name = "";
    for (size_t i = 0; i < registry->count; i++)
        if (strcmp(registry->plugins[i]->descriptor.name, name) == 0)
            return registry->plugins[i];
    oc_error_set(error, OC_ERROR_NOT_FOUND, "plugin '%s' not found in %s",
                 printable(name, shown, sizeof shown),
                 registry->directory != NULL ? registry->directory : "(no directory)");
    return NULL;
}

static void free_strings(char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

void oc__plugin_registry_free(oc__plugin_registry *registry)
{
    for (size_t i = 0; i < registry->count; i++)
        oc__plugin_close(registry->plugins[i]);
    free(registry->plugins);
    free_strings(registry->problems, registry->problem_count);
    free(registry->directory);
    memset(registry, 0, sizeof *registry);
}
