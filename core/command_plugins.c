/*
 * command_plugins.c: `outcomes plugins` lists the plugins a directory
 * holds and `outcomes plugins info NAME` describes one, so an evaluator can
 * check that a plugin loads, and what it needs and emits, before writing a
 * configuration for it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "plugin_loader.h"

/* The options both subcommands share. */
#define OPTIONS_HELP \
    "Options:\n" \
    "  --plugin-dir DIR  look in DIR; otherwise $OUTCOMES_PLUGIN_DIR, otherwise\n" \
    "                    " OC_PLUGIN_DIR "\n" \
    "  -h, --help        show this help\n"

static const char list_usage[] =
    "Usage: outcomes plugins [--plugin-dir DIR]\n"
    "       outcomes plugins info NAME [--plugin-dir DIR]\n"
    "\n"
    "Lists the plugins (*.so) in the plugin directory: name, version, plugin ABI,\n"
    "indicators and file. A plugin that cannot be loaded is reported on stderr,\n"
    "one line each, and the listing goes on.\n"
    "\n"
    OPTIONS_HELP
    "\n"
    "Plugin files and their directory must be owned by root or you and not be\n"
    "writable by group or others; OUTCOMES_ALLOW_INSECURE_PLUGINS=1 allows them\n"
    "(for development only).\n"
    "\n"
    "Exit status: 0 every plugin loaded (or there are none), 2 usage,\n"
    "3 the plugin directory does not exist or cannot be read, 5 a plugin (or\n"
    "the directory's permissions) was refused.\n";

static const char info_usage[] =
    "Usage: outcomes plugins info NAME [--plugin-dir DIR]\n"
    "\n"
    "Describes one plugin: description, licence, the inputs it reads (role,\n"
    "units, whether optional, how it aggregates), its parameters (type, default,\n"
    "the values it accepts) and the indicators it emits (units, which direction\n"
    "is better).\n"
    "NAME is a plugin name, loaded from DIR/NAME.so, or a path to a .so file.\n"
    "\n"
    OPTIONS_HELP
    "\n"
    "Exit status: 0 described, 2 usage, 5 the plugin was not found or refused.\n";

typedef struct plugins_arguments {
    const char *plugin_directory; /* NULL: not given */
    const char *positional[2];
    int positional_count;
    int help;
} plugins_arguments;

static int parse_arguments(int argc, char **argv, plugins_arguments *arguments)
{
    memset(arguments, 0, sizeof *arguments);
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0) {
            arguments->help = 1;
        } else if (strcmp(argument, "--plugin-dir") == 0) {
            if (i + 1 >= argc) {
                oc__print_error("plugins: --plugin-dir needs a directory");
                return -1;
            }
            arguments->plugin_directory = argv[++i];
        } else if (strncmp(argument, "--plugin-dir=", 13) == 0) {
            arguments->plugin_directory = argument + 13;
        } else if (argument[0] == '-' && argument[1] != '\0') {
            oc__print_error("plugins: unknown option '%s' (try 'outcomes plugins --help')",
                            argument);
            return -1;
        } else if (arguments->positional_count < 2) {
            arguments->positional[arguments->positional_count++] = argument;
        } else {
            oc__print_error("plugins: unexpected argument '%s' (try 'outcomes plugins --help')",
                            argument);
            return -1;
        }
    }
    if (arguments->plugin_directory != NULL && arguments->plugin_directory[0] == '\0') {
        oc__print_error("plugins: --plugin-dir is empty");
        return -1;
    }
    return 0;
}

static const char *or_dash(const char *text)
{
    return text != NULL && text[0] != '\0' ? text : "-";
}

/* Writes the indicators' names, comma-separated, into buffer. */
static const char *indicator_names(const oc__plugin *plugin, char *buffer, size_t size)
{
    size_t used = 0;
    buffer[0] = '\0';
    for (size_t i = 0; i < plugin->indicator_count && used < size; i++) {
        int written = snprintf(buffer + used, size - used, "%s%s", i ? "," : "",
                               plugin->descriptor.indicators[i].name);
        if (written < 0)
            break;
        used += (size_t)written;
    }
    return buffer;
}

static int list_plugins(const char *directory, unsigned flags)
{
    oc__plugin_registry registry;
    oc_error error;
    int status = oc__plugin_registry_scan(&registry, directory, flags, &error);
    for (size_t i = 0; i < registry.problem_count; i++)
        oc__print_error("%s", registry.problems[i]);
    if (status != OC_OK) {
        oc__print_error("%s", error.message);
        oc__plugin_registry_free(&registry);
        return status == OC_ERROR_PLUGIN ? OC_EXIT_PLUGIN
               : status == OC_ERROR_NO_MEMORY ? OC_EXIT_INTERNAL : OC_EXIT_CONFIG;
    }

    if (registry.count == 0) {
        if (registry.problem_count == 0)
            oc__print_error("no plugins found in %s (no *.so files; use --plugin-dir DIR or "
                            "set OUTCOMES_PLUGIN_DIR)", directory);
    } else {
        int name_width = 4, version_width = 7;
        for (size_t i = 0; i < registry.count; i++) {
            const oc_plugin_descriptor *descriptor = &registry.plugins[i]->descriptor;
            int length = (int)strlen(descriptor->name);
            name_width = length > name_width ? length : name_width;
            length = (int)strlen(descriptor->version);
            version_width = length > version_width ? length : version_width;
        }
        printf("%-*s  %-*s  %-5s  %s\n", name_width, "NAME", version_width, "VERSION", "ABI",
               "INDICATORS / FILE");
        for (size_t i = 0; i < registry.count; i++) {
            const oc__plugin *plugin = registry.plugins[i];
            char abi[16], names[1024];
            snprintf(abi, sizeof abi, "%u.%u", (unsigned)plugin->descriptor.abi_major,
                     (unsigned)plugin->descriptor.abi_minor);
            printf("%-*s  %-*s  %-5s  %s\n%-*s  %s\n", name_width, plugin->descriptor.name,
                   version_width, plugin->descriptor.version, abi,
                   indicator_names(plugin, names, sizeof names),
                   name_width + version_width + 9, "", plugin->path);
        }
    }
    int exit_status = registry.problem_count > 0 ? OC_EXIT_PLUGIN : OC_EXIT_OK;
    oc__plugin_registry_free(&registry);
    return exit_status;
}

/* A column as wide as its longest text, and at least minimum: a plugin's
 * units ("% of working-age population") and names run past any fixed
 * width, which pushed the columns after them out of line. */
static int widen(int width, const char *text)
{
    size_t length = strlen(or_dash(text));
    return length > (size_t)width && length < 256 ? (int)length : width;
}

static void describe_plugin(const oc__plugin *plugin)
{
    const oc_plugin_descriptor *descriptor = &plugin->descriptor;
    printf("%s %s (plugin ABI %u.%u)\n", descriptor->name, descriptor->version,
           (unsigned)descriptor->abi_major, (unsigned)descriptor->abi_minor);
    printf("  %s\n", or_dash(descriptor->description));
    printf("File:     %s\n", plugin->path);
    printf("Licence:  %s\n", or_dash(descriptor->license));

    printf("\nInputs (role, units, required/optional, aggregation over areas):\n");
    if (plugin->input_count == 0)
        printf("  (none)\n");
    int role_width = 20, units_width = 16;
    for (size_t i = 0; i < plugin->input_count; i++) {
        role_width = widen(role_width, descriptor->inputs[i].role);
        units_width = widen(units_width, descriptor->inputs[i].units);
    }
    for (size_t i = 0; i < plugin->input_count; i++) {
        const oc_input_spec *input = &descriptor->inputs[i];
        printf("  %-*s %-*s %-8s %-4s  %s\n", role_width, input->role, units_width,
               or_dash(input->units), input->optional ? "optional" : "required",
               oc__aggregation_name(input->aggregation), or_dash(input->doc));
    }

    printf("\nParameters (name, type, default, accepted values):\n");
    if (plugin->parameter_count == 0)
        printf("  (none)\n");
    int name_width = 20, default_width = 16, accepted_width = 16;
    char accepted[128];
    for (size_t i = 0; i < plugin->parameter_count; i++) {
        const oc_parameter_spec *parameter = &descriptor->parameters[i];
        const oc_parameter_range *range = oc__parameter_range_find(descriptor, parameter->name);
        name_width = widen(name_width, parameter->name);
        default_width = widen(default_width, parameter->default_value != NULL
                                                 ? parameter->default_value : "(required)");
        if (range != NULL)
            accepted_width = widen(accepted_width,
                                   oc__parameter_range_text(range, accepted, sizeof accepted));
    }
    for (size_t i = 0; i < plugin->parameter_count; i++) {
        const oc_parameter_spec *parameter = &descriptor->parameters[i];
        const oc_parameter_range *range = oc__parameter_range_find(descriptor, parameter->name);
        printf("  %-*s %-8s %-*s %-*s  %s\n", name_width, parameter->name,
               oc__parameter_type_name(parameter->type), default_width,
               parameter->default_value != NULL ? parameter->default_value : "(required)",
               accepted_width,
               range != NULL ? oc__parameter_range_text(range, accepted, sizeof accepted) : "-",
               or_dash(parameter->doc));
    }

    printf("\nIndicators (name, units, direction):\n");
    name_width = 20;
    units_width = 16;
    for (size_t i = 0; i < plugin->indicator_count; i++) {
        name_width = widen(name_width, descriptor->indicators[i].name);
        units_width = widen(units_width, descriptor->indicators[i].units);
    }
    for (size_t i = 0; i < plugin->indicator_count; i++) {
        const oc_indicator_spec *indicator = &descriptor->indicators[i];
        printf("  %-*s %-*s %-16s  %s%s%s%s\n", name_width, indicator->name, units_width,
               or_dash(indicator->units), oc__direction_name(indicator->direction),
               or_dash(indicator->doc),
               (indicator->flags & OC_INDICATOR_PROPORTION) ? " [proportion]" : "",
               (indicator->flags & OC_INDICATOR_FISCAL_BENEFIT) ? " [fiscal benefit]" : "",
               (indicator->flags & OC_INDICATOR_COMPARABLE) ? " [benchmarked]" : "");
    }
}

static int plugin_info(const char *directory, const char *name, unsigned flags)
{
    char absolute[PATH_MAX];
    if (strchr(name, '/') != NULL) {
        /* A path typed on the command line: accept it, relative or not. */
        if (realpath(name, absolute) == NULL) {
            oc__print_error("plugin %s: %s", name, strerror(errno));
            return OC_EXIT_PLUGIN;
        }
        name = absolute;
        flags |= OC__PLUGIN_ALLOW_PATH;
    }
    oc__plugin *plugin;
    oc_error error;
    int status = oc__plugin_open_by_name(directory, name, flags, &plugin, &error);
    if (status != OC_OK) {
        oc__print_error("%s", error.message);
        return status == OC_ERROR_INVALID ? OC_EXIT_USAGE
               : status == OC_ERROR_NO_MEMORY ? OC_EXIT_INTERNAL : OC_EXIT_PLUGIN;
    }
    describe_plugin(plugin);
    oc__plugin_close(plugin);
    return OC_EXIT_OK;
}

int oc__command_plugins(int argc, char **argv)
{
    plugins_arguments arguments;
    if (parse_arguments(argc, argv, &arguments) != 0)
        return OC_EXIT_USAGE;
    int is_info = arguments.positional_count > 0 && strcmp(arguments.positional[0], "info") == 0;
    if (arguments.help) {
        fputs(is_info ? info_usage : list_usage, stdout);
        return OC_EXIT_OK;
    }
    if (arguments.positional_count > 0 && !is_info) {
        oc__print_error("plugins: unknown subcommand '%s' (try 'outcomes plugins --help')",
                        arguments.positional[0]);
        return OC_EXIT_USAGE;
    }
    if (is_info && arguments.positional_count != 2) {
        oc__print_error("plugins info: which plugin? (usage: outcomes plugins info NAME)");
        return OC_EXIT_USAGE;
    }
    const char *directory = oc__plugin_directory(arguments.plugin_directory, NULL);
    unsigned flags = oc__plugin_flags_from_environment(0);
    int exit_status = is_info ? plugin_info(directory, arguments.positional[1], flags)
                              : list_plugins(directory, flags);
    if (fflush(stdout) != 0) {
        oc__print_error("cannot write the listing: %s", strerror(errno));
        return OC_EXIT_INTERNAL;
    }
    return exit_status;
}
