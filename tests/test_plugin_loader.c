/* test_plugin_loader.c: loading plugins (core/plugin_loader.c): every way
 * a plugin can be refused gives one line naming the file and the reason,
 * insecure files are refused unless overridden, and a directory scan keeps
 * going past bad files. Plugins are copied into a private temporary
 * directory with safe permissions first, so the result does not depend on
 * the umask of the build. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
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
        .descriptor = &plugin->descriptor, .area_code = "E14000546", .area_name = "Birkenhead",
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
    {"abi_major", "incompatible ABI: plugin ABI 2.0, host ABI 1.1"},
    {"abi_minor", "needs a newer host: plugin ABI 1.2, host ABI 1.1"},
    {"bad_name", "plugin name 'Bad-Name' is invalid (use 1-63 characters of a-z, 0-9 and _)"},
    {"no_indicators", "declares no indicators"},
    {"bad_default", "parameter 'threshold' default is not a valid integer: '2.5' is not a whole number"},
    {"no_sentinel", "indicator list has no end (no entry with a NULL name within 256 entries)"},
    {"small_struct", "is smaller than the"},
    {"bad_direction", "indicator 'value' has unknown direction 2"},
    {"duplicate_indicator", "indicator name 'value' appears twice"},
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
    ck_assert_uint_eq(registry.problem_count, 3);
    assert_contains(registry.problems[0], "plugin ABI 2.0, host ABI 1.1");
    char expected[17000];
    snprintf(expected, sizeof expected, "plugins %s and %s both call themselves 'duplicate'",
             first, second);
    assert_contains(registry.problems[1], expected);
    assert_contains(registry.problems[2], "not_a_plugin.so: cannot load");

    ck_assert_ptr_eq(oc__plugin_registry_find(&registry, "good", &error), registry.plugins[0]);
    ck_assert_ptr_null(oc__plugin_registry_find(&registry, "duplicate", &error));
    ck_assert_int_eq(error.status, OC_ERROR_PLUGIN);
    assert_contains(error.message, "two files in");
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
    ck_assert_str_eq(error.message, "plugin p.so: input 'count' has unknown aggregation 7");
    d = base, d.parameters = bad_type;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: parameter 'x' has unknown type 9");
    d = base, d.indicators = fiscal;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    assert_contains(error.message, "has no fiscal_benefit callback");
    d.fiscal_benefit = no_benefit;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_OK);
    d = base, d.indicators = unknown_flag;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: indicator 'v' has unknown flags 0x80");
    d = base, d.reserved[3] = &d;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    ck_assert_str_eq(error.message, "plugin p.so: descriptor reserved[3] is not zero");
    d = base, d.struct_size = 4;
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_ERROR_PLUGIN);
    assert_contains(error.message, "too small to be a descriptor");
    /* A struct cut after the callbacks (no reserved words) is read safely:
     * the missing fields count as zero. */
    d = base, d.struct_size = (uint32_t)offsetof(oc_plugin_descriptor, reserved);
    d.reserved[0] = &d; /* outside struct_size: never read */
    ck_assert_int_eq(oc__plugin_validate_descriptor(&d, "p.so", &plugin, &error), OC_OK);
    ck_assert_ptr_null(plugin.descriptor.reserved[0]);
    ck_assert_uint_eq(plugin.descriptor.struct_size, offsetof(oc_plugin_descriptor, reserved));
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
    tcase_add_test(rules, parses_parameter_values);
    suite_add_tcase(suite, rules);
    return check_runner_run_suite(suite);
}
