/* command_import.c: `outcomes import CSV -o FILE`, the command line around
 * oc__import_csv (core/import_csv.h). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "commands.h"
#include "import_csv.h"
#include "utf8.h"

static const char usage[] =
    "Usage: outcomes import CSV -o FILE [OPTIONS]\n"
    "\n"
    "Builds a store from tidy CSV: a header naming the columns area, period,\n"
    "measure and value (and optionally area_name, area_parent, units and\n"
    "long_name), then one row per value. Periods: 2016-11-30, 2016-11, 2016Q4,\n"
    "2016/17 Q3, 2016/17 (a financial year; see --academic-years), 2016.\n"
    "Suppressed values (x, c, .., *, - or empty) are stored as missing.\n"
    "Measures with different frequencies go into one frame each.\n"
    "\n"
    "  -o, --output FILE          the store to write (replaced atomically)\n"
    "  -u, --units [MEASURE=]UNITS  units of a measure, or of every measure\n"
    "  -l, --long-name MEASURE=TEXT a measure's description\n"
    "  -s, --source TEXT          where the data come from, e.g. \"DWP\"\n"
    "  -a, --academic-years       read 2016/17 as an academic year (Sep-Aug)\n"
    "  -k, --skip-bad-rows        report bad rows but write the good ones\n"
    "  -h, --help                 show this help\n"
    "\n"
    "CSV must be a regular file (not a pipe or a device); a row may be at most\n"
    "1 MiB long.\n"
    "\n"
    "Exit status: 0 written, 1 out of memory or the store could not be written\n"
    "(its directory missing, no permission, a full disk), 2 usage, 4 bad input\n"
    "(each bad row is reported with its line number; nothing is written).\n";

#define MAX_SETTINGS 256

static int add_setting(oc__import_setting *settings, size_t *count, char *text, int measure_required)
{
    if (*count == MAX_SETTINGS)
        return -1;
    char *equals = strchr(text, '=');
    if (equals == NULL) {
        if (measure_required)
            return -1;
        settings[(*count)++] = (oc__import_setting){NULL, text};
        return 0;
    }
    *equals = '\0';
    if (text[0] == '\0' || equals[1] == '\0')
        return -1;
    settings[(*count)++] = (oc__import_setting){text, equals + 1};
    return 0;
}

/* Refuses an option's text holding a control character, as a CSV row's
 * names are (core/import_csv.c): what it holds is stored as a measure's
 * units, description or the store's source, and printed with results. */
static int option_is_text(const char *option, const char *text)
{
    size_t at = text != NULL ? oc__text_control_offset(text) : OC__TEXT_NO_CONTROL;
    if (at == OC__TEXT_NO_CONTROL)
        return 1;
    oc__print_error("import: %s '%s' holds a control character (0x%02X at byte %zu): it is text",
                    option, text, (unsigned char)text[at], at + 1);
    return 0;
}

static void print_problem(void *context, const char *message)
{
    size_t *printed = context;
    if (++*printed <= 50)
        oc__print_error("%s", message);
    else if (*printed == 51)
        oc__print_error("(further problems not shown)");
}

int oc__command_import(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"output", required_argument, NULL, 'o'},       {"units", required_argument, NULL, 'u'},
        {"long-name", required_argument, NULL, 'l'},    {"source", required_argument, NULL, 's'},
        {"academic-years", no_argument, NULL, 'a'},     {"skip-bad-rows", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},               {NULL, 0, NULL, 0}};
    static oc__import_setting units[MAX_SETTINGS], long_names[MAX_SETTINGS];
    oc__import_options options = {units, 0, long_names, 0, NULL, 0, 0};
    const char *output = NULL;
    int option;
    optind = 1;
    opterr = 0;
    while ((option = getopt_long(argc, argv, "o:u:l:s:akh", long_options, NULL)) != -1) {
        switch (option) {
        case 'o': output = optarg; break;
        case 'u':
            if (add_setting(units, &options.units_count, optarg, 0) != 0) {
                oc__print_error("import: --units '%s' is not MEASURE=UNITS or UNITS", optarg);
                return OC_EXIT_USAGE;
            }
            break;
        case 'l':
            if (add_setting(long_names, &options.long_name_count, optarg, 1) != 0) {
                oc__print_error("import: --long-name '%s' is not MEASURE=TEXT", optarg);
                return OC_EXIT_USAGE;
            }
            break;
        case 's': options.source = optarg; break;
        case 'a': options.academic_years = 1; break;
        case 'k': options.skip_bad_rows = 1; break;
        case 'h': fputs(usage, stdout); return OC_EXIT_OK;
        default:
            oc__print_error("import: unknown or incomplete option '%s' (try 'outcomes import --help')",
                            argv[optind - 1]);
            return OC_EXIT_USAGE;
        }
    }
    for (size_t i = 0; i < options.units_count; i++)
        if (!option_is_text("--units", units[i].measure) || !option_is_text("--units", units[i].text))
            return OC_EXIT_USAGE;
    for (size_t i = 0; i < options.long_name_count; i++)
        if (!option_is_text("--long-name", long_names[i].measure)
            || !option_is_text("--long-name", long_names[i].text))
            return OC_EXIT_USAGE;
    if (!option_is_text("--source", options.source))
        return OC_EXIT_USAGE;
    if (optind != argc - 1 || output == NULL) {
        oc__print_error("import: expected one CSV file and -o FILE (try 'outcomes import --help')");
        return OC_EXIT_USAGE;
    }
    const char *input = argv[optind];
    oc__import_summary summary;
    oc_error error;
    if (oc__atomic_file_check_target(output, &input, 1, &error) != OC_OK) {
        oc__print_error("import: -o: %s", error.message);
        /* A directory that is missing or cannot be written in is a store
         * that cannot be written (1), found before the CSV is read. */
        return error.status == OC_ERROR_IO ? OC_EXIT_INTERNAL : OC_EXIT_USAGE;
    }
    size_t printed = 0;
    int status = oc__import_csv(input, output, &options, &summary, print_problem, &printed, &error);
    if (status != OC_OK) {
        oc__print_error("%s", error.message);
        /* As for `run` (docs/exit-status.md): results that cannot be
         * written are status 1; 4 is for input that is wrong. */
        return status == OC_ERROR_NO_MEMORY || summary.output_failed ? OC_EXIT_INTERNAL
                                                                     : OC_EXIT_DATA;
    }
    printf("%s: %zu row%s, %zu value%s, %zu suppressed or empty (stored as missing), "
           "%zu bad row%s skipped\n",
           input, summary.rows, summary.rows == 1 ? "" : "s", summary.values,
           summary.values == 1 ? "" : "s", summary.suppressed, summary.bad_rows,
           summary.bad_rows == 1 ? "" : "s");
    printf("%s: written: %zu frame%s, %zu measure%s, %zu area%s\n", output, summary.frames,
           summary.frames == 1 ? "" : "s", summary.measures, summary.measures == 1 ? "" : "s",
           summary.areas, summary.areas == 1 ? "" : "s");
    return OC_EXIT_OK;
}
