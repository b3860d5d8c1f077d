/* test_plugin_loader.c: loading plugins (core/plugin_loader.c): every way
 * a plugin can be refused gives one line naming the file and the reason,
 * insecure files are refused unless overridden, and a directory scan keeps
 * going past bad files. Plugins are copied into a private temporary
 * directory with safe permissions first, so the result does not depend on
 * the umask of the build. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_runner.h"
#include "evaluation_internal.h"
#include "plugin_loader.h"

static char directory[4096];

static void copy_file(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "rb");
    ck_assert_msg(in != NULL, "cannot open %s (built by make check?)", from);
    FILE *out = fopen(to, "wb");
    ck_assert_msg(out != NULL, "cannot create %s", to);
    char buffer[65536];
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, in)) > 0)
        ck_assert_uint_eq(fwrite(buffer, 1, got, out), got);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_int_eq(chmod(to, mode), 0);
}

/* Copies build/tests/plugins/SUBDIR/.libs/NAME.so to DIRECTORY/AS.so and
 * returns the new path (static buffer). */
static const char *install(const char *subdirectory, const char *name, const char *as)
{
    static char target[8192];
    char source[8192];
    snprintf(source, sizeof source, "%s%s%s/.libs/%s.so", OC_TEST_PLUGIN_BUILD_DIR,
             subdirectory[0] ? "/" : "", subdirectory, name);
    snprintf(target, sizeof target, "%s/%s.so", directory, as);
    copy_file(source, target, 0755);
    return target;
}

static void setup(void)
{
    const char *temporary = getenv("TMPDIR");
    snprintf(directory, sizeof directory, "%s/oc-loader-XXXXXX",
             temporary != NULL && temporary[0] ? temporary : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    unsetenv(OC__PLUGIN_INSECURE_ENVIRONMENT);
}

static void teardown(void)
{
    char command[8300];
    snprintf(command, sizeof command, "rm -rf '%s'", directory);
    ck_assert_int_eq(system(command), 0);
}

static void assert_contains(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL, "'%s' lacks '%s'", text, part);
}

START_TEST(loads_good_plugin)
{
    const char *path = install("", "good", "good");
    oc__plugin *plugin;
    oc_error error;
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_OK);
    ck_assert_str_eq(plugin->descriptor.name, "good");
    ck_assert_str_eq(plugin->descriptor.version, "1.2.3");
    ck_assert_str_eq(plugin->path, path);
    ck_assert_uint_eq(plugin->input_count, 2);
    ck_assert_uint_eq(plugin->parameter_count, 2);
    ck_assert_uint_eq(plugin->indicator_count, 1);
    ck_assert_str_eq(plugin->descriptor.indicators[0].name, "rate");
    oc__plugin_close(plugin);
    oc__plugin_close(NULL);
}
END_TEST

/* A plugin built for ABI 1.0 (good.so: abi_minor 0, never calls
 * oc_evaluation_reported_index) loads in a 1.1 host and runs as before:
 * rate = 100 x count / population in every period (25/1000 = 2.5,
 * 36/1200 = 3.0) with its counts, and the host reports it at the
 * evaluation period, where it has a value. */
START_TEST(runs_plugin_built_for_abi_1_0)
{
    static const int32_t times[] = {16740, 17106}; /* 2015-11-01, 2016-11-01 */
    static const double count[] = {25, 36}, population[] = {1000, 1200};
    const double *inputs[] = {count, population};
    double series[5][2];
    oc_indicator_series rate = {2, series[0], series[1], series[2], series[3], series[4]};
    oc__parameter_value parameters[2];
    oc__plugin *plugin;
    oc_error error;

    ck_assert_int_eq(oc__plugin_open(install("", "good", "good"), 0, &plugin, &error), OC_OK);
    ck_assert_uint_eq(plugin->descriptor.abi_major, OC_ABI_MAJOR);
    ck_assert_uint_eq(plugin->descriptor.abi_minor, 0);
    ck_assert_uint_gt(OC_ABI_MINOR, 0);
    ck_assert_uint_eq(plugin->parameter_count, 2);
    for (size_t i = 0; i < 2; i++) {
        const oc_parameter_spec *spec = &plugin->descriptor.parameters[i];
        parameters[i] = (oc__parameter_value){spec->name, spec->type, spec->default_value, 0};
        ck_assert_int_eq(oc__parameter_parse(spec->type, spec->default_value,
                                             &parameters[i].number, &error), OC_OK);
    }
    oc_evaluation evaluation = {
        .descriptor = &plugin->descriptor, .area_code = "E14000559", .area_name = "Birkenhead",
        .time_count = 2, .times = times, .inputs = inputs, .input_count = 2, .outputs = &rate,
        .output_count = 1, .parameters = parameters, .parameter_count = 2, .z = 1.959964,
        .period_index = 1, .baseline_index = 0};
    oc__evaluation_reset_outputs(&evaluation);
    ck_assert_int_eq(plugin->descriptor.evaluate(&evaluation, &error), OC_OK);

    ck_assert_uint_eq(oc_evaluation_reported_index(&evaluation, &rate), 1);
    ck_assert_double_eq_tol(rate.value[0], 2.5, 1e-12);
    ck_assert_double_eq_tol(rate.value[1], 3.0, 1e-12);
    ck_assert_double_eq(rate.numerator[0], 25);
    ck_assert_double_eq(rate.denominator[0], 1000);
    ck_assert_double_eq(rate.numerator[1], 36);
    ck_assert_double_eq(rate.denominator[1], 1200);
    oc__plugin_close(plugin);
}
END_TEST

/* Each refused plugin: the message starts with "plugin PATH: " and says
 * why. */
static const struct {
    const char *name;
    const char *reason;
} refusals[] = {
    {"no_entry", "not an outcomes plugin: no entry symbol oc_plugin_entry"},
    {"entry_null", "oc_plugin_entry() returned NULL"},
    {"abi_major", "incompatible ABI: plugin ABI 2.0, host ABI 1.3"},
    {"abi_minor", "needs a newer host: plugin ABI 1.4, host ABI 1.3"},
    {"bad_name", "plugin name 'Bad-Name' is invalid (use 1-63 characters of a-z, 0-9 and _)"},
    {"no_indicators", "declares no indicators"},
    {"bad_default", "parameter 'threshold' default is not a valid integer: '2.5' is not a whole number"},
    {"no_sentinel", "indicator list has no end (no entry with a NULL name within 256 entries)"},
    {"small_struct", "is smaller than the"},
    {"bad_direction", "indicator 'value' has unknown direction 2"},
    {"duplicate_indicator", "indicator name 'value' appears twice (if the second is not one of "
                            "yours, the indicator list lacks its closing {0})"},
};

START_TEST(refuses_broken_plugin)
{
    const char *path = install("broken", refusals[_i].name, refusals[_i].name);
    oc__plugin *plugin = (oc__plugin *)1;
    oc_error error;
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_ptr_null(plugin);
    char prefix[8300];
    snprintf(prefix, sizeof prefix, "plugin %s: ", path);
    ck_assert_msg(strncmp(error.message, prefix, strlen(prefix)) == 0, "'%s' does not name %s",
                  error.message, path);
    assert_contains(error.message, refusals[_i].reason);
    ck_assert_ptr_null(strchr(error.message, '\n'));
}
END_TEST

START_TEST(quotes_dlerror_in_full)
{
    /* dlsym's own text names the file and the symbol. */
    const char *path = install("broken", "no_entry", "no_entry");
    oc__plugin *plugin;
    oc_error error;
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_ERROR_PLUGIN);
    assert_contains(error.message, "undefined symbol: oc_plugin_entry");

    char text_file[8300], source[8300];
    snprintf(source, sizeof source, "%s/not_a_plugin.so", OC_TEST_PLUGIN_SOURCE_DIR);
    snprintf(text_file, sizeof text_file, "%s/not_a_plugin.so", directory);
    copy_file(source, text_file, 0644);
    ck_assert_int_eq(oc__plugin_open(text_file, 0, &plugin, &error), OC_ERROR_PLUGIN);
    char expected[17000];
    /* dlerror() begins with the path it was given. */
    snprintf(expected, sizeof expected, "plugin %s: cannot load: %s: ", text_file, text_file);
    assert_contains(error.message, expected);

    char missing[8300];
    snprintf(missing, sizeof missing, "%s/absent.so", directory);
    ck_assert_int_eq(oc__plugin_open(missing, 0, &plugin, &error), OC_ERROR_NOT_FOUND);
    snprintf(expected, sizeof expected, "plugin %s: No such file or directory", missing);
    ck_assert_str_eq(error.message, expected);
}
END_TEST

START_TEST(refuses_insecure_files_unless_overridden)
{
    const char *path = install("", "good", "good");
    oc__plugin *plugin;
    oc_error error;

    ck_assert_int_eq(chmod(path, 0775), 0);
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_ERROR_PLUGIN);
    assert_contains(error.message, "writable by group (mode 0775): refusing it");
    assert_contains(error.message, path);
    /* The two overrides: the environment, and the flag the engine sets
     * from its configuration. */
    ck_assert_int_eq(oc__plugin_open(path, OC__PLUGIN_ALLOW_INSECURE, &plugin, &error), OC_OK);
    oc__plugin_close(plugin);
    setenv(OC__PLUGIN_INSECURE_ENVIRONMENT, "1", 1);
    ck_assert_uint_eq(oc__plugin_flags_from_environment(0), OC__PLUGIN_ALLOW_INSECURE);
    ck_assert_int_eq(oc__plugin_open(path, oc__plugin_flags_from_environment(0), &plugin, &error),
                     OC_OK);
    oc__plugin_close(plugin);
    setenv(OC__PLUGIN_INSECURE_ENVIRONMENT, "yes please", 1); /* only "1" counts */
    ck_assert_uint_eq(oc__plugin_flags_from_environment(0), 0);
    ck_assert_uint_eq(oc__plugin_flags_from_environment(1), OC__PLUGIN_ALLOW_INSECURE);
    unsetenv(OC__PLUGIN_INSECURE_ENVIRONMENT);

    ck_assert_int_eq(chmod(path, 0755), 0);
    ck_assert_int_eq(chmod(directory, 0777), 0);
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_ERROR_PLUGIN);
    char expected[8300];
    snprintf(expected, sizeof expected, "plugin directory %s: writable by others (mode 0777)",
             directory);
    assert_contains(error.message, expected);
    ck_assert_int_eq(chmod(directory, 0700), 0);
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_OK);
    oc__plugin_close(plugin);
}
END_TEST

START_TEST(refuses_file_owned_by_another_user)
{
    const struct passwd *nobody = getpwnam("nobody");
    if (geteuid() != 0 || nobody == NULL)
        return; /* needs root to give a file away; covered where tests run as root */
    const char *path = install("", "good", "good");
    ck_assert_int_eq(chown(path, nobody->pw_uid, nobody->pw_gid), 0);
    oc__plugin *plugin;
    oc_error error;
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_ERROR_PLUGIN);
    char expected[8300];
    snprintf(expected, sizeof expected, "plugin %s: owned by uid %lu, not by root or the current "
             "user (uid 0)", path, (unsigned long)nobody->pw_uid);
    assert_contains(error.message, expected);
}
END_TEST

START_TEST(scans_directory_past_bad_files)
{
    install("", "good", "good");
    install("", "template", "template");
    char first[8300], second[8300], text_file[8300], source[8300];
    snprintf(first, sizeof first, "%s", install("broken", "duplicate_a", "duplicate_a"));
    snprintf(second, sizeof second, "%s", install("broken", "duplicate_b", "duplicate_b"));
    install("broken", "abi_major", "abi_major");
    snprintf(source, sizeof source, "%s/not_a_plugin.so", OC_TEST_PLUGIN_SOURCE_DIR);
    snprintf(text_file, sizeof text_file, "%s/not_a_plugin.so", directory);
    copy_file(source, text_file, 0644);
    snprintf(source, sizeof source, "%s/README", directory); /* not *.so: ignored */
    copy_file(text_file, source, 0644);

    oc__plugin_registry registry;
    oc_error error;
    ck_assert_int_eq(oc__plugin_registry_scan(&registry, directory, 0, &error), OC_OK);
    ck_assert_uint_eq(registry.count, 2);
    ck_assert_str_eq(registry.plugins[0]->descriptor.name, "good"); /* sorted by file */
    ck_assert_str_eq(registry.plugins[1]->descriptor.name, "template");
    ck_assert_uint_eq(registry.problem_count, 4);
    assert_contains(registry.problems[0], "plugin ABI 2.0, host ABI 1.3");
    /* Two files that both call themselves 'duplicate': neither is named
     * after its plugin, so neither could be used by name; both refused, as
     * `plugin = duplicate_a` would be. */
    char expected[17000];
    snprintf(expected, sizeof expected,
             "plugin %s: calls itself 'duplicate', not 'duplicate_a' (rename the file to "
             "duplicate.so)", first);
    ck_assert_str_eq(registry.problems[1], expected);
    snprintf(expected, sizeof expected,
             "plugin %s: calls itself 'duplicate', not 'duplicate_b' (rename the file to "
             "duplicate.so)", second);
    ck_assert_str_eq(registry.problems[2], expected);
    assert_contains(registry.problems[3], "not_a_plugin.so: cannot load");

    ck_assert_ptr_eq(oc__plugin_registry_find(&registry, "good", &error), registry.plugins[0]);
    ck_assert_ptr_null(oc__plugin_registry_find(&registry, "duplicate", &error));
    ck_assert_int_eq(error.status, OC_ERROR_NOT_FOUND);
    ck_assert_ptr_null(oc__plugin_registry_find(&registry, "absent", &error));
    ck_assert_int_eq(error.status, OC_ERROR_NOT_FOUND);
    oc__plugin_registry_free(&registry);

    ck_assert_int_eq(oc__plugin_registry_scan(&registry, "/nonexistent/plugins", 0, &error),
                     OC_ERROR_NOT_FOUND);
    ck_assert_str_eq(error.message, "plugin directory /nonexistent/plugins: No such file or directory");
    oc__plugin_registry_free(&registry);
}
END_TEST

/* A plugin whose constructor crashes, exits or hangs is refused with one
 * line that says which and names the file; the test process (the host)
 * lives on, and a listing of the directory still finds the good plugin. */
static const struct {
    const char *name, *reason;
} loading_failures[] = {
    {"crash", "crashed while loading: Segmentation fault (signal 11)"},
    {"exit", "exited with status 0 while loading (a constructor or " OC_PLUGIN_ENTRY_SYMBOL
             "() called exit)"},
    {"hang", "did not finish loading within 10 s (killed)"},
};

START_TEST(refuses_plugin_that_misbehaves_while_loading)
{
    const char *path = install("loading", loading_failures[_i].name, loading_failures[_i].name);
    oc__plugin *plugin = (oc__plugin *)1;
    oc_error error;
    ck_assert_int_eq(oc__plugin_open(path, 0, &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_ptr_null(plugin);
    char expected[8300];
    snprintf(expected, sizeof expected, "plugin %s: %s", path, loading_failures[_i].reason);
    assert_contains(error.message, expected);
    ck_assert_ptr_null(strchr(error.message, '\n'));

    install("", "good", "good");
    oc__plugin_registry registry;
    ck_assert_int_eq(oc__plugin_registry_scan(&registry, directory, 0, &error), OC_OK);
    ck_assert_uint_eq(registry.count, 1);
    ck_assert_str_eq(registry.plugins[0]->descriptor.name, "good");
    ck_assert_uint_eq(registry.problem_count, 1);
    assert_contains(registry.problems[0], loading_failures[_i].reason);
    oc__plugin_registry_free(&registry);
}
END_TEST

START_TEST(resolves_names_and_directories)
{
    char *path;
    oc_error error;
    ck_assert_int_eq(oc__plugin_resolve_name("/usr/lib/outcomes", "worklessness", 0, &path, &error), OC_OK);
    ck_assert_str_eq(path, "/usr/lib/outcomes/worklessness.so");
    free(path);
    ck_assert_int_eq(oc__plugin_resolve_name("/d", "../evil", 0, &path, &error), OC_ERROR_INVALID);
    ck_assert_ptr_null(path);
    assert_contains(error.message, "plugin name '../evil' is invalid");
    ck_assert_int_eq(oc__plugin_resolve_name("/d", "sub/x", OC__PLUGIN_ALLOW_PATH, &path, &error),
                     OC_ERROR_INVALID);
    ck_assert_int_eq(oc__plugin_resolve_name("/d", "Upper", 0, &path, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__plugin_resolve_name("/d", "", 0, &path, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__plugin_resolve_name("/d", "/opt/x.so", 0, &path, &error), OC_ERROR_INVALID);
    assert_contains(error.message, "not a path");
    ck_assert_int_eq(oc__plugin_resolve_name("/d", "/opt/x.so", OC__PLUGIN_ALLOW_PATH, &path, &error), OC_OK);
    ck_assert_str_eq(path, "/opt/x.so");
    free(path);

    char long_name[OC_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[OC_NAME_MAX] = '\0';
    ck_assert(oc__plugin_name_is_valid(long_name));
    long_name[OC_NAME_MAX] = 'a';
    long_name[OC_NAME_MAX + 1] = '\0';
    ck_assert(!oc__plugin_name_is_valid(long_name));

    /* Precedence: option > configuration > environment > compiled default. */
    setenv(OC__PLUGIN_DIR_ENVIRONMENT, "/from/environment", 1);
    ck_assert_str_eq(oc__plugin_directory("/from/option", "/from/config"), "/from/option");
    ck_assert_str_eq(oc__plugin_directory(NULL, "/from/config"), "/from/config");
    ck_assert_str_eq(oc__plugin_directory("", NULL), "/from/environment");
    unsetenv(OC__PLUGIN_DIR_ENVIRONMENT);
    ck_assert_str_eq(oc__plugin_directory(NULL, NULL), OC_PLUGIN_DIR);

    /* By name: DIR/NAME.so, and the plugin must call itself NAME. */
    install("", "good", "good");
    install("", "good", "other");
    oc__plugin *plugin;
    ck_assert_int_eq(oc__plugin_open_by_name(directory, "good", 0, &plugin, &error), OC_OK);
    oc__plugin_close(plugin);
    ck_assert_int_eq(oc__plugin_open_by_name(directory, "other", 0, &plugin, &error), OC_ERROR_PLUGIN);
    assert_contains(error.message, "calls itself 'good', not 'other' (rename the file to good.so)");
    ck_assert_int_eq(oc__plugin_open_by_name(directory, "absent", 0, &plugin, &error),
                     OC_ERROR_NOT_FOUND);
    assert_contains(error.message, "plugin 'absent' not found: no file");
}
END_TEST

static int evaluate_nothing(struct oc_evaluation *evaluation, oc_error *error)
{
    (void)evaluation;
    (void)error;
    return OC_OK;
}

static int no_benefit(const struct oc_evaluation *evaluation, size_t indicator, double change,
                      double *benefit, oc_error *error)
{
    (void)evaluation, (void)indicator, (void)change, (void)error;
    *benefit = 0;
    return OC_OK;
}

/* Descriptor rules that need no .so of their own. */
START_TEST(validates_descriptor_rules)
{
    static const oc_input_spec inputs[] = {{"count", "people", "", 0, (oc_aggregation)7}, {0}};
    static const oc_parameter_spec bad_type[] = {{"x", (oc_parameter_type)9, "1", ""}, {0}};
    static const oc_parameter_spec good_parameters[] = {
        {"n", OC_PARAMETER_NUMBER, "8632", ""}, {"i", OC_PARAMETER_INTEGER, "-3", ""},
        {"b", OC_PARAMETER_BOOLEAN, "Yes", ""}, {"s", OC_PARAMETER_STRING, "", ""},
        {"required", OC_PARAMETER_NUMBER, NULL, ""}, {0}};
    static const oc_indicator_spec indicators[] = {{"v", "", OC_NO_DIRECTION, "", 0}, {0}};
    static const oc_indicator_spec fiscal[] = {
        {"v", "", OC_NO_DIRECTION, "", OC_INDICATOR_FISCAL_BENEFIT}, {0}};
    static const oc_indicator_spec unknown_flag[] = {{"v", "", OC_NO_DIRECTION, "", 0x80}, {0}};
    oc_plugin_descriptor base = {
        .struct_size = sizeof base, .abi_major = OC_ABI_MAJOR, .abi_minor = OC_ABI_MINOR,
        .name = "x", .version = "1", .parameters = good_parameters,
        .indicators = indicators, .evaluate = evaluate_nothing};
    oc__plugin plugin = {0};
    oc_error error;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&base, "p.so", &plugin, &error), OC_OK);
    ck_assert_uint_eq(plugin.input_count, 0); /* NULL inputs: none */
    ck_assert_uint_eq(plugin.parameter_count, 5);

    oc_plugin_descriptor d = base;
    d.evaluate = NULL;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: descriptor has no evaluate callback");
    d = base, d.name = NULL;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: descriptor has no name");
    d = base, d.version = NULL;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    d = base, d.inputs = inputs;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: input 'count' has unknown aggregation 7 (if "
                                    "'count' is not one of your inputs, the input list lacks its "
                                    "closing {0})");
    d = base, d.parameters = bad_type;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: parameter 'x' has unknown type 9 (if 'x' is "
                                    "not one of your parameters, the parameter list lacks its "
                                    "closing {0})");
    d = base, d.indicators = fiscal;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    assert_contains(error.message, "has no fiscal_benefit callback");
    d.fiscal_benefit = no_benefit;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_OK);
    d = base, d.indicators = unknown_flag;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: indicator 'v' has unknown flags 0x80");
    /* OC_INDICATOR_COMPARABLE is ABI 1.3's: a 1.3 plugin may set it, an
     * older one that does is refused, with the fix. */
    static const oc_indicator_spec comparable[] = {
        {"v", "", OC_NO_DIRECTION, "", OC_INDICATOR_COMPARABLE}, {0}};
    d = base, d.indicators = comparable;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_OK);
    ck_assert_uint_eq(plugin.descriptor.indicators[0].flags, OC_INDICATOR_COMPARABLE);
    d.abi_minor = 2;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: indicator 'v' has unknown flags 0x4 "
                                    "(OC_INDICATOR_COMPARABLE is ABI 1.3: set abi_minor to "
                                    "OC_ABI_MINOR)");
    d = base, d.reserved[3] = &d;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: descriptor reserved[3] is not zero");
    d = base, d.struct_size = 4;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: descriptor struct_size 4 is too small to be a "
                                    "descriptor (set .struct_size = sizeof "
                                    "(oc_plugin_descriptor))");
    /* A struct cut after the callbacks (no reserved words) is read safely:
     * the missing fields count as zero. */
    d = base, d.struct_size = (uint32_t)offsetof(oc_plugin_descriptor, reserved);
    d.reserved[0] = &d; /* outside struct_size: never read */
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_OK);
    ck_assert_ptr_null(plugin.descriptor.reserved[0]);
    ck_assert_uint_eq(plugin.descriptor.struct_size, offsetof(oc_plugin_descriptor, reserved));
}
END_TEST

/* ABI 1.2's parameter ranges: a declaration the host cannot use refuses
 * the plugin at load time, in one line naming the range. */
START_TEST(validates_parameter_ranges)
{
    static const oc_parameter_spec parameters[] = {
        {"share", OC_PARAMETER_NUMBER, "0.2", ""}, {"years", OC_PARAMETER_INTEGER, "3", ""},
        {"required", OC_PARAMETER_NUMBER, NULL, ""}, {"label", OC_PARAMETER_STRING, "x", ""},
        {"flag", OC_PARAMETER_BOOLEAN, "no", ""}, {0}};
    static const oc_indicator_spec indicators[] = {{"v", "", OC_NO_DIRECTION, "", 0}, {0}};
    static const oc_parameter_range good[] = {
        {"share", 0, 1, 0}, {"years", 1, INFINITY, 0},
        {"required", -INFINITY, 0, OC_RANGE_EXCLUSIVE_MAXIMUM}, {0}};
    static const oc_parameter_range unknown[] = {{"share", 0, 1, 0}, {"sahre", 0, 1, 0}, {0}};
    static const oc_parameter_range on_string[] = {{"label", 0, 1, 0}, {0}};
    static const oc_parameter_range on_boolean[] = {{"flag", 0, 1, 0}, {0}};
    static const oc_parameter_range twice[] = {{"share", 0, 1, 0}, {"share", 0, 2, 0}, {0}};
    static const oc_parameter_range bad_name[] = {{"Share", 0, 1, 0}, {0}};
    static const oc_parameter_range reversed[] = {{"share", 1, 0, 0}, {0}};
    static const oc_parameter_range not_a_number[] = {{"share", NAN, 1, 0}, {0}};
    static const oc_parameter_range open_point[] = {{"share", 1, 1, OC_RANGE_EXCLUSIVE_MINIMUM}, {0}};
    static const oc_parameter_range above_infinity[] = {{"share", INFINITY, INFINITY, 0}, {0}};
    static const oc_parameter_range unknown_flag[] = {{"share", 0, 1, 0x10}, {0}};
    static const oc_parameter_range default_outside[] = {{"years", 5, 10, 0}, {0}};
    static const oc_parameter_range default_on_open_end[] = {
        {"share", 0.2, 1, OC_RANGE_EXCLUSIVE_MINIMUM}, {0}};
    const oc_plugin_descriptor base = {
        .struct_size = sizeof base, .abi_major = OC_ABI_MAJOR, .abi_minor = OC_ABI_MINOR,
        .name = "x", .version = "1", .parameters = parameters, .indicators = indicators,
        .evaluate = evaluate_nothing, .parameter_ranges = good};
    oc__plugin plugin = {0};
    oc_error error;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&base, "p.so", &plugin, &error), OC_OK);
    ck_assert_ptr_eq(plugin.descriptor.parameter_ranges, good);
    ck_assert_ptr_eq(oc__parameter_range_find(&plugin.descriptor, "years"), &good[1]);
    ck_assert_ptr_null(oc__parameter_range_find(&plugin.descriptor, "label"));

    static const struct {
        const oc_parameter_range *ranges;
        const char *message;
    } bad_ranges[] = {
        {unknown, "plugin p.so: parameter range 'sahre' names no parameter of the plugin"},
        {on_string, "plugin p.so: parameter range 'label': the parameter is a string (only "
                    "number and integer parameters have ranges)"},
        {on_boolean, "plugin p.so: parameter range 'flag': the parameter is a boolean (only "
                     "number and integer parameters have ranges)"},
        {twice, "plugin p.so: parameter range name 'share' appears twice (if the second is not "
                "one of yours, the parameter range list lacks its closing {0})"},
        {bad_name, "plugin p.so: parameter range 1 name 'Share' is invalid (use 1-63 "
                   "characters of a-z, 0-9 and _)"},
        {reversed, "plugin p.so: parameter range 'share' holds no value (minimum 1, maximum 0, "
                   "flags 0x0)"},
        {not_a_number, "plugin p.so: parameter range 'share' holds no value (minimum nan, "
                       "maximum 1, flags 0x0)"},
        {open_point, "plugin p.so: parameter range 'share' holds no value (minimum 1, "
                     "maximum 1, flags 0x1)"},
        {above_infinity, "plugin p.so: parameter range 'share' holds no value (minimum inf, "
                         "maximum inf, flags 0x0)"},
        {unknown_flag, "plugin p.so: parameter range 'share' has unknown flags 0x10"},
        {default_outside, "plugin p.so: parameter 'years' default 3 is outside its range (5 to "
                          "10)"},
        {default_on_open_end, "plugin p.so: parameter 'share' default 0.2 is outside its range "
                              "(above 0.2 and at most 1)"},
    };
    for (size_t i = 0; i < sizeof bad_ranges / sizeof bad_ranges[0]; i++) {
        oc_plugin_descriptor d = base;
        d.parameter_ranges = bad_ranges[i].ranges;
        ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error),
                         OC_ERROR_PLUGIN);
        ck_assert_str_eq(error.message, bad_ranges[i].message);
    }

    /* A 1.0 or 1.1 plugin had reserved[0] there, which had to be zero. */
    oc_plugin_descriptor d = base;
    d.abi_minor = 1;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: descriptor sets parameter_ranges (reserved[0] "
                                    "before ABI 1.2) but says ABI 1.1 (set abi_minor to "
                                    "OC_ABI_MINOR)");
    d.parameter_ranges = NULL;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_OK);
    ck_assert_ptr_null(plugin.descriptor.parameter_ranges);
    /* A struct that ends before parameter_ranges is never read there. */
    d = base, d.struct_size = (uint32_t)offsetof(oc_plugin_descriptor, parameter_ranges);
    d.parameter_ranges = reversed;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_OK);
    ck_assert_ptr_null(plugin.descriptor.parameter_ranges);
}
END_TEST

START_TEST(describes_parameter_ranges)
{
    char text[128];
    const oc_parameter_range closed = {"x", 0, 1, 0};
    const oc_parameter_range half_open = {"x", 0, 1000, OC_RANGE_EXCLUSIVE_MINIMUM};
    const oc_parameter_range open = {"x", 0, 1, OC_RANGE_EXCLUSIVE_MINIMUM | OC_RANGE_EXCLUSIVE_MAXIMUM};
    const oc_parameter_range at_least = {"x", 0, INFINITY, 0};
    const oc_parameter_range above = {"x", 0, INFINITY, OC_RANGE_EXCLUSIVE_MINIMUM};
    const oc_parameter_range at_most = {"x", -INFINITY, 0.035, 0};
    const oc_parameter_range below = {"x", -INFINITY, -2.5, OC_RANGE_EXCLUSIVE_MAXIMUM};
    const oc_parameter_range everything = {"x", -INFINITY, INFINITY, 0};
    ck_assert_str_eq(oc__parameter_range_text(&closed, text, sizeof text), "0 to 1");
    ck_assert_str_eq(oc__parameter_range_text(&half_open, text, sizeof text),
                     "above 0 and at most 1000");
    ck_assert_str_eq(oc__parameter_range_text(&open, text, sizeof text), "above 0 and below 1");
    ck_assert_str_eq(oc__parameter_range_text(&at_least, text, sizeof text), "at least 0");
    ck_assert_str_eq(oc__parameter_range_text(&above, text, sizeof text), "above 0");
    ck_assert_str_eq(oc__parameter_range_text(&at_most, text, sizeof text), "at most 0.035");
    ck_assert_str_eq(oc__parameter_range_text(&below, text, sizeof text), "below -2.5");
    ck_assert_str_eq(oc__parameter_range_text(&everything, text, sizeof text), "any value");
    ck_assert_str_eq(oc__parameter_range_text(NULL, text, sizeof text), "any value");

    ck_assert(oc__parameter_range_contains(&closed, 0) && oc__parameter_range_contains(&closed, 1));
    ck_assert(!oc__parameter_range_contains(&closed, 200));
    ck_assert(!oc__parameter_range_contains(&closed, -0.001));
    ck_assert(!oc__parameter_range_contains(&open, 0) && !oc__parameter_range_contains(&open, 1));
    ck_assert(oc__parameter_range_contains(&open, 0.5));
    ck_assert(oc__parameter_range_contains(&at_least, 1e300));
    ck_assert(!oc__parameter_range_contains(&below, -2.5));
    ck_assert(!oc__parameter_range_contains(&everything, NAN));
    ck_assert(oc__parameter_range_contains(NULL, 5));
}
END_TEST

START_TEST(parses_parameter_values)
{
    double value;
    oc_error error;
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_NUMBER, "0.035", &value, &error), OC_OK);
    ck_assert_double_eq(value, 0.035);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_NUMBER, "nan", &value, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_NUMBER, "1e999", &value, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_NUMBER, "12abc", &value, &error), OC_ERROR_INVALID);
    ck_assert_str_eq(error.message, "'12abc' is not a finite number");
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_INTEGER, "770", &value, &error), OC_OK);
    ck_assert_double_eq(value, 770);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_INTEGER, "", &value, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_INTEGER, "99999999999999999999", &value, &error),
                     OC_ERROR_INVALID);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_BOOLEAN, "OFF", &value, &error), OC_OK);
    ck_assert_double_eq(value, 0);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_BOOLEAN, "true", &value, &error), OC_OK);
    ck_assert_double_eq(value, 1);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_BOOLEAN, "2", &value, &error), OC_ERROR_INVALID);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_STRING, "anything at all", &value, &error), OC_OK);
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_STRING, NULL, &value, &error), OC_ERROR_INVALID);
}
END_TEST

/* A quoted value keeps valid UTF-8 as written (docs/configuration.md; '£'
 * was once shown as "??"), while control characters and bytes that are
 * not UTF-8 still become '?'; a long value is cut between characters. */
START_TEST(quotes_values_as_utf8)
{
    static const struct {
        oc_parameter_type type;
        const char *text, *message;
    } cases[] = {
        {OC_PARAMETER_NUMBER, "\xc2\xa3" "100", "'\xc2\xa3" "100' is not a finite number"},
        {OC_PARAMETER_INTEGER, "Ynys M\xc3\xb4n", "'Ynys M\xc3\xb4n' is not a whole number"},
        {OC_PARAMETER_NUMBER, "\xe2\x82\xac" "5 \xf0\x9f\x92\xb7",
         "'\xe2\x82\xac" "5 \xf0\x9f\x92\xb7' is not a finite number"},
        /* Latin-1, a stray continuation byte, an overlong '/', a surrogate */
        {OC_PARAMETER_NUMBER, "M\xf4n", "'M?n' is not a finite number"},
        {OC_PARAMETER_NUMBER, "1\x80" "2", "'1?2' is not a finite number"},
        {OC_PARAMETER_NUMBER, "\xc0\xaf", "'?" "?' is not a finite number"},
        {OC_PARAMETER_NUMBER, "\xed\xa0\x80", "'?" "?" "?' is not a finite number"},
        /* C0, DEL and C1 (U+009B, a terminal escape) controls */
        {OC_PARAMETER_BOOLEAN, "1\x1b[2J\t\x7f",
         "'1?[2J?" "?' is not a boolean (true/false, yes/no, on/off, 1/0)"},
        {OC_PARAMETER_NUMBER, "\xc2\x9b" "2J", "'?2J' is not a finite number"},
    };
    oc_error error;
    double value;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(oc__parameter_parse(cases[i].type, cases[i].text, &value, &error),
                         OC_ERROR_INVALID);
        ck_assert_str_eq(error.message, cases[i].message);
    }
    /* 40 pound signs are 80 bytes: 32 of them fit in OC_NAME_MAX + 1 (64),
     * none is cut in half, and "..." says there was more. */
    char pounds[81], expected[128] = "'";
    for (size_t i = 0; i < 40; i++)
        memcpy(pounds + 2 * i, "\xc2\xa3", 2);
    pounds[80] = '\0';
    memcpy(expected + 1, pounds, 64);
    strcpy(expected + 65, "...' is not a finite number");
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_NUMBER, pounds, &value, &error),
                     OC_ERROR_INVALID);
    ck_assert_str_eq(error.message, expected);
    /* One byte short of a whole character at the limit: it is left out. */
    char shifted[82] = "x";
    memcpy(shifted + 1, pounds, sizeof pounds);
    memcpy(expected + 1, shifted, 63);
    strcpy(expected + 64, "...' is not a finite number");
    ck_assert_int_eq(oc__parameter_parse(OC_PARAMETER_NUMBER, shifted, &value, &error),
                     OC_ERROR_INVALID);
    ck_assert_str_eq(error.message, expected);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("plugin_loader");
    TCase *files = tcase_create("files");
    tcase_add_checked_fixture(files, setup, teardown);
    tcase_add_test(files, loads_good_plugin);
    tcase_add_test(files, runs_plugin_built_for_abi_1_0);
    tcase_add_loop_test(files, refuses_broken_plugin, 0, (int)(sizeof refusals / sizeof refusals[0]));
    tcase_add_test(files, quotes_dlerror_in_full);
    tcase_add_test(files, refuses_insecure_files_unless_overridden);
    tcase_add_test(files, refuses_file_owned_by_another_user);
    tcase_add_test(files, scans_directory_past_bad_files);
    tcase_add_test(files, resolves_names_and_directories);
    tcase_add_loop_test(files, refuses_plugin_that_misbehaves_while_loading, 0,
                        (int)(sizeof loading_failures / sizeof loading_failures[0]));
    suite_add_tcase(suite, files);
    TCase *rules = tcase_create("rules");
    tcase_add_test(rules, validates_descriptor_rules);
    tcase_add_test(rules, validates_parameter_ranges);
    tcase_add_test(rules, describes_parameter_ranges);
    tcase_add_test(rules, parses_parameter_values);
    tcase_add_test(rules, quotes_values_as_utf8);
    suite_add_tcase(suite, rules);
    return check_runner_run_suite(suite);
}
