/*
 * plugin_loader.h: finding, checking and loading metric plugins. A plugin
 * is foreign code run inside the host, so everything here is about
 * refusing a bad one with a one-line message (naming the file, quoting
 * dlerror() in full) before it can do harm: unsafe file permissions, a
 * missing entry symbol, another ABI, a descriptor that breaks the rules in
 * include/outcomes/plugin.h.
 */
#ifndef OC_PLUGIN_LOADER_H
#define OC_PLUGIN_LOADER_H

#include <stddef.h>

#include <outcomes/plugin.h>

/* Flags for oc__plugin_open and the functions that load plugins. */
#define OC__PLUGIN_ALLOW_INSECURE 0x1u /* skip the ownership/permission checks */
#define OC__PLUGIN_ALLOW_PATH 0x2u     /* oc__plugin_resolve_name accepts an absolute path */

/* The environment variable that, set to 1, allows insecure plugin files
 * (for development: a plugin built in a group-writable checkout). */
#define OC__PLUGIN_INSECURE_ENVIRONMENT "OUTCOMES_ALLOW_INSECURE_PLUGINS"
#define OC__PLUGIN_DIR_ENVIRONMENT "OUTCOMES_PLUGIN_DIR"

/* Most entries a descriptor list may hold before its NULL sentinel. */
#define OC__PLUGIN_LIST_MAX 256

/* A loaded, validated plugin. */
typedef struct oc__plugin {
    void *handle;          /* dlopen handle, owned */
    char *path;            /* owned: the file it was loaded from */
    /* The plugin's descriptor copied up to its struct_size, the rest zero:
     * the host reads only this copy, so it never reads past a shorter,
     * older struct. Its pointers point into the plugin (valid while the
     * plugin stays open). */
    oc_plugin_descriptor descriptor;
    size_t input_count;
    size_t parameter_count;
    size_t indicator_count;
} oc__plugin;

/* The flags the environment asks for: OC__PLUGIN_ALLOW_INSECURE when
 * OUTCOMES_ALLOW_INSECURE_PLUGINS=1 or configuration_allows_insecure is
 * non-zero (the engine passes its configuration key). */
unsigned oc__plugin_flags_from_environment(int configuration_allows_insecure);

/* The plugin directory to use, by precedence: option_directory (from
 * --plugin-dir), configured_directory (from the configuration), the
 * environment variable OUTCOMES_PLUGIN_DIR, the compiled-in OC_PLUGIN_DIR.
 * Either argument may be NULL or "". Returns a borrowed string. */
const char *oc__plugin_directory(const char *option_directory, const char *configured_directory);

/* Non-zero when name is 1..OC_NAME_MAX characters of [a-z0-9_]. */
int oc__plugin_name_is_valid(const char *name);

/* Refuses a plugin file or directory that another user could replace:
 * writable by group or others, or owned by someone other than root or the
 * effective user (sshd StrictModes). Checks path and its directory.
 * OC_ERROR_NOT_FOUND when missing, OC_ERROR_PLUGIN when insecure. */
int oc__plugin_check_security(const char *path, unsigned flags, oc_error *error);

/* Checks a descriptor against the ABI rules of outcomes/plugin.h, parameter
 * ranges included (each names a number or integer parameter, is not empty
 * and holds the default); path is only used in messages. On success fills
 * plugin->descriptor and the counts (other members untouched). */
int oc__plugin_validate_descriptor(const oc_plugin_descriptor *descriptor, const char *path,
                                   oc__plugin *plugin, oc_error *error);

/* Parses a parameter value as written in a configuration file against its
 * type: NUMBER a finite double, INTEGER a whole number that fits a long,
 * BOOLEAN true/false/yes/no/on/off/1/0 (any case), STRING anything. Sets
 * *number (if not NULL) to the value (BOOLEAN as 0/1, STRING as NaN).
 * OC_ERROR_INVALID with a reason when it does not parse. */
int oc__parameter_parse(oc_parameter_type type, const char *text, double *number,
                        oc_error *error);

/* The range the descriptor declares for parameter name (ABI 1.2), or NULL
 * when there is none; borrowed from the plugin. The descriptor must have
 * passed oc__plugin_validate_descriptor (or hold no ranges). */
const oc_parameter_range *oc__parameter_range_find(const oc_plugin_descriptor *descriptor,
                                                   const char *name);

/* Non-zero when value lies in range (NULL: any value does); zero for NaN. */
int oc__parameter_range_contains(const oc_parameter_range *range, double value);

/* The range in words for messages and `outcomes plugins info`: "0 to 1",
 * "at least 0", "above 0 and at most 1000", "any value" (NULL). Writes into
 * buffer and returns it. */
const char *oc__parameter_range_text(const oc_parameter_range *range, char *buffer, size_t size);

/* The name of a type, direction or aggregation, for `outcomes plugins info`. */
const char *oc__parameter_type_name(oc_parameter_type type);
const char *oc__direction_name(oc_direction direction);
const char *oc__aggregation_name(oc_aggregation aggregation);

/* Loads the plugin at path: security check, dlopen(RTLD_NOW | RTLD_LOCAL),
 * entry symbol, ABI and descriptor. On success *out is a new plugin the
 * caller frees with oc__plugin_close. Errors are OC_ERROR_NOT_FOUND
 * (missing file) or OC_ERROR_PLUGIN, message "plugin PATH: ...". */
int oc__plugin_open(const char *path, unsigned flags, oc__plugin **out, oc_error *error);

/* Unloads and frees; NULL is allowed. */
void oc__plugin_close(oc__plugin *plugin);

/* Turns a plugin name from the configuration into a file path: a bare
 * name ([a-z0-9_]) becomes DIRECTORY/NAME.so; an absolute path is accepted
 * as is only with OC__PLUGIN_ALLOW_PATH (a path the user typed on the
 * command line). *path is allocated; the caller frees it. */
int oc__plugin_resolve_name(const char *directory, const char *name, unsigned flags,
                            char **path, oc_error *error);

/* Resolves name as above and opens it; a bare name must also match the
 * descriptor's name (so configuration, file and results agree). */
int oc__plugin_open_by_name(const char *directory, const char *name, unsigned flags,
                            oc__plugin **out, oc_error *error);

/* Everything found in a plugin directory. */
typedef struct oc__plugin_registry {
    char *directory;           /* owned */
    oc__plugin **plugins;      /* owned; loaded plugins, sorted by file name */
    size_t count;
    char **problems;           /* owned; one line per file that failed */
    size_t problem_count;
} oc__plugin_registry;

/* Loads every *.so in directory into a zeroed registry. A file that fails
 * to load, or whose plugin calls itself other than the file (NAME.so must
 * hold plugin NAME, as oc__plugin_open_by_name requires), is recorded in
 * registry->problems and scanning goes on.
 * Fails as a whole (OC_ERROR_NOT_FOUND, OC_ERROR_IO or OC_ERROR_PLUGIN)
 * only when the directory itself cannot be read or is insecure. Free with
 * oc__plugin_registry_free even after a failure. */
int oc__plugin_registry_scan(oc__plugin_registry *registry, const char *directory,
                             unsigned flags, oc_error *error);

/* The loaded plugin called name (borrowed from the registry), or NULL with
 * an error (OC_ERROR_NOT_FOUND). */
const oc__plugin *oc__plugin_registry_find(const oc__plugin_registry *registry,
                                           const char *name, oc_error *error);

void oc__plugin_registry_free(oc__plugin_registry *registry);

#endif
