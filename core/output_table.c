/* output_table.c: the table a scrutiny commission reads in a terminal or a
 * report: the columns that matter first, numbers rounded for people, and
 * lines that fit the given width instead of wrapping into a jumble. Every
 * field in full is in the CSV and JSON formats. */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "period.h"

enum table_column {
    COLUMN_METRIC, COLUMN_INDICATOR, COLUMN_AREA, COLUMN_PERIOD, COLUMN_VALUE,
    COLUMN_BENCHMARK, COLUMN_BASELINE, COLUMN_CHANGE, COLUMN_TARGET, COLUMN_EXPECTED,
    COLUMN_PROGRESS, COLUMN_RAG, COLUMN_SPC, COLUMN_BENEFIT, COLUMN_STATUS, COLUMN_COUNT
};

/* keep_rank: when the width is too small, columns are hidden lowest rank
 * first; those ranked ESSENTIAL_RANK or more only once shortening names
 * is not enough. shrink_to: text columns may be shortened (with "...")
 * down to this many columns; 0 = never shortened. */
#define ESSENTIAL_RANK 10
static const struct {
    const char *header;
    int right_aligned;
    int keep_rank;
    size_t shrink_to;
} columns[COLUMN_COUNT] = {
    [COLUMN_METRIC] = {"metric", 0, 7, 8},
    [COLUMN_INDICATOR] = {"indicator", 0, 10, 10},
    [COLUMN_AREA] = {"area", 0, 14, 12},
    [COLUMN_PERIOD] = {"period", 0, 4, 0},
    [COLUMN_VALUE] = {"value (CI)", 1, 13, 0},
    [COLUMN_BENCHMARK] = {"vs benchmark", 0, 0, 0},
    [COLUMN_BASELINE] = {"baseline", 1, 5, 0},
    [COLUMN_CHANGE] = {"change", 1, 8, 0},
    [COLUMN_TARGET] = {"target", 1, 6, 0},
    [COLUMN_EXPECTED] = {"expected", 1, 3, 0},
    [COLUMN_PROGRESS] = {"progress", 1, 9, 0},
    [COLUMN_RAG] = {"RAG", 0, 11, 0},
    [COLUMN_SPC] = {"SPC", 0, 1, 0},
    [COLUMN_BENEFIT] = {"benefit", 1, 2, 0},
    [COLUMN_STATUS] = {"status", 0, 12, 0},
};

#define CELL_SIZE 192
/* A formatted number: 18 digits, separators, 10 decimals, sign and "£". */
#define NUMBER_SIZE 48
#define COLUMN_GAP 2
/* Narrower than this, no table is readable; treat it as this. */
#define MINIMUM_WIDTH 24

typedef char table_row[COLUMN_COUNT][CELL_SIZE];

/* ---- Text ---- */

static int is_continuation(unsigned char byte)
{
    return (byte & 0xc0) == 0x80;
}

/* Display columns of valid UTF-8: one per code point (no wide-character
 * tables; area names are Latin script). */
static size_t display_width(const char *text)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        width += !is_continuation(*p);
    return width;
}

/* Bytes making up the first `width` code points of text. */
static size_t prefix_bytes(const char *text, size_t width)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t bytes = 0;
    while (p[bytes] != '\0') {
        if (!is_continuation(p[bytes])) {
            if (width == 0)
                break;
            width--;
        }
        bytes++;
    }
    return bytes;
}

/* Copies text into a cell as printable valid UTF-8: invalid bytes become
 * U+FFFD and control characters (newlines, escape sequences that could
 * drive the terminal) spaces; shortened with "..." if it does not fit. */
static void copy_text(char cell[CELL_SIZE], const char *text)
{
    char *repaired = text != NULL ? oc__output_valid_utf8(text) : NULL;
    if (repaired == NULL) {
        snprintf(cell, CELL_SIZE, "%s", text != NULL ? "?" : "-");
        return;
    }
    unsigned char *p = (unsigned char *)repaired;
    for (size_t i = 0; p[i] != '\0'; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            p[i] = ' ';
        else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) /* C1 controls */
            p[i] = p[i + 1] = ' ';
    }
    size_t length = strlen(repaired);
    if (length < CELL_SIZE) {
        memcpy(cell, repaired, length + 1);
    } else {
        size_t keep = length;
        while (keep + 4 > CELL_SIZE || (keep > 0 && is_continuation(p[keep])))
            keep--;
        memcpy(cell, repaired, keep);
        memcpy(cell + keep, "...", 4);
    }
    free(repaired);
}

/* Prints text in exactly width columns, cut with "..." or padded. */
static void print_cell(FILE *stream, const char *text, size_t width, int right_aligned,
                       int pad)
{
    size_t text_width = display_width(text);
    if (text_width > width) {
        size_t keep = width > 3 ? width - 3 : width;
        fwrite(text, 1, prefix_bytes(text, keep), stream);
        if (width > 3)
            fputs("...", stream);
        return;
    }
    size_t padding = width - text_width;
    if (right_aligned)
        fprintf(stream, "%*s", (int)padding, "");
    fputs(text, stream);
    if (!right_aligned && pad)
        fprintf(stream, "%*s", (int)padding, "");
}

/* Prints a line cut to width (0 = whole). */
static void print_line(FILE *stream, const char *text, size_t width)
{
    if (width > 0 && display_width(text) > width)
        print_cell(stream, text, width, 0, 0);
    else
        fputs(text, stream);
    fputc('\n', stream);
}

/* Prints text word-wrapped to width (0 = one line), continuation lines
 * indented by `indent` spaces. */
static void print_wrapped(FILE *stream, const char *text, size_t width, size_t indent)
{
    if (width == 0 || display_width(text) <= width) {
        fputs(text, stream);
        fputc('\n', stream);
        return;
    }
    size_t available = width;
    const char *line = text;
    while (*line != '\0') {
        if (display_width(line) <= available) {
            fputs(line, stream);
            break;
        }
        size_t fit = prefix_bytes(line, available);
        size_t cut = fit;
        while (cut > 0 && line[cut] != ' ')
            cut--;
        if (cut == 0)
            cut = fit; /* one word longer than the line: break inside it */
        fwrite(line, 1, cut, stream);
        fputc('\n', stream);
        line += cut;
        while (*line == ' ')
            line++;
        if (*line == '\0')
            return;
        for (size_t i = 0; i < indent; i++)
            fputc(' ', stream);
        available = width > indent + 8 ? width - indent : 8;
    }
    fputc('\n', stream);
}

/* ---- Numbers ---- */

static int is_whole(double value)
{
    return fabs(value) < 1e15 && fabs(value - round(value)) < 1e-9 * fmax(1.0, fabs(value));
}

/* Decimals a person wants: none for whole numbers (counts), one from 10
 * up, two below, and two significant digits for small fractions. */
static int decimals_for(double value)
{
    double magnitude = fabs(value);
    if (!isfinite(value) || is_whole(value))
        return 0;
    if (magnitude >= 10)
        return 1;
    if (magnitude >= 0.1)
        return 2;
    int decimals = 1 - (int)floor(log10(magnitude));
    return decimals > 10 ? 10 : decimals;
}

/* value with `decimals` decimals and thousands separators: "6,646,640",
 * "-1,234.5". prefix goes between the sign and the digits ("£"). */
static void format_fixed(char *out, size_t size, double value, int decimals, const char *prefix,
                         int explicit_plus)
{
    if (!isfinite(value)) {
        snprintf(out, size, "-");
        return;
    }
    if (fabs(value) >= 1e18) {  /* beyond grouping sensibly */
        snprintf(out, size, "%.3g", value);
        return;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(value));
    int nonzero = strspn(digits, "0.") != strlen(digits);
    const char *sign = value < 0 && nonzero ? "-" : (explicit_plus && nonzero ? "+" : "");
    size_t integer_length = strcspn(digits, ".");
    char grouped[96];
    size_t position = 0;
    for (size_t i = 0; i < integer_length; i++) {
        if (i > 0 && (integer_length - i) % 3 == 0)
            grouped[position++] = ',';
        grouped[position++] = digits[i];
    }
    snprintf(grouped + position, sizeof grouped - position, "%s", digits + integer_length);
    snprintf(out, size, "%s%s%s", sign, prefix, grouped);
}

static void format_number(char *out, size_t size, double value)
{
    format_fixed(out, size, value, decimals_for(value), "", 0);
}

/* ---- Rows ---- */

static int has_text(const char *text)
{
    return text != NULL && text[0] != '\0';
}

/* ---- Periods ---- */

/* The frequency of the named metric's periods, as the manifest has it. */
static oc__frequency metric_frequency(const oc__manifest *manifest, const char *metric)
{
    if (manifest == NULL || metric == NULL)
        return OC__FREQUENCY_NONE;
    for (size_t m = 0; m < manifest->metric_count; m++)
        if (strcmp(manifest->metrics[m].name, metric) == 0)
            return manifest->metrics[m].frequency;
    return OC__FREQUENCY_NONE;
}

/* A period as people name it: "2016/17" for a financial or academic year,
 * "2016" for a calendar year, "2016-11" for a month. Results carry the date
 * a period starts on, and "40 by 2016-04-01" for a target of the financial
 * year 2016/17 reads as a deadline a year early. The date itself where the
 * frequency is unknown, a day or a quarter, or the date does not start a
 * period of it. Quarters keep their dates: DWP's run from February, May,
 * August and November, and "2017Q2" beside "2016-11-01" would mix two ways
 * of counting in one column. */
static void period_label(char cell[CELL_SIZE], const char *start, oc__frequency frequency)
{
    int32_t day;
    oc__period period;
    char label[CELL_SIZE];
    /* A year starting in 9999 has no period_starting: "9999/00" would
     * name no period. A period that starts off its calendar (a "month"
     * from the 15th) is labelled by its dates: "..". */
    if (frequency == OC__FREQUENCY_QUARTER || frequency == OC__FREQUENCY_DAY || start == NULL
        || oc__date_parse(start, &day, NULL) != OC_OK
        || oc__period_starting(day, frequency, &period) != OC_OK
        || oc__period_label(&period, label, sizeof label) != OC_OK || strstr(label, "..") != NULL)
        copy_text(cell, start);
    else
        copy_text(cell, label);
}

/* The label of a period field (period or baseline_period) when every
 * result that has one has the same period: the same start and the same
 * label (a financial and an academic 2016/17 share a label, not a
 * period); 0 when they differ or none has one. */
static int common_label(const oc__result_list *results, const oc__manifest *manifest,
                        size_t offset, char label[CELL_SIZE])
{
    const char *first = NULL;
    char each[CELL_SIZE];
    for (size_t i = 0; i < results->count; i++) {
        const oc__result *result = &results->items[i];
        const char *start = *(char *const *)((const char *)result + offset);
        if (start == NULL)
            continue;
        period_label(first != NULL ? each : label, start,
                     metric_frequency(manifest, result->metric));
        if (first != NULL && (strcmp(start, first) != 0 || strcmp(each, label) != 0))
            return 0;
        first = start;
    }
    return first != NULL;
}

/* Fills the cells of one result. frequency: its metric's periods'.
 * baseline_in_title: the baseline period is the same for every row and
 * printed in the title instead. note: the footnote number of the row's
 * message, 0 for none. */
static void format_row(table_row cells, const oc__result *result, oc__frequency frequency,
                       int baseline_in_title, int note)
{
    copy_text(cells[COLUMN_METRIC], result->metric);
    copy_text(cells[COLUMN_INDICATOR], result->indicator);
    copy_text(cells[COLUMN_AREA], has_text(result->area_name) ? result->area_name : result->area);
    period_label(cells[COLUMN_PERIOD], result->period, frequency);

    char value[NUMBER_SIZE], lower[NUMBER_SIZE], upper[NUMBER_SIZE];
    int decimals = decimals_for(result->value);
    format_fixed(value, sizeof value, result->value, decimals, "", 0);
    if (isfinite(result->value) && isfinite(result->ci_lower) && isfinite(result->ci_upper)) {
        format_fixed(lower, sizeof lower, result->ci_lower, decimals, "", 0);
        format_fixed(upper, sizeof upper, result->ci_upper, decimals, "", 0);
        snprintf(cells[COLUMN_VALUE], CELL_SIZE, "%s (%s to %s)", value, lower, upper);
    } else {
        snprintf(cells[COLUMN_VALUE], CELL_SIZE, "%s", value);
    }

    char baseline[NUMBER_SIZE];
    format_number(baseline, sizeof baseline, result->baseline_value);
    if (!baseline_in_title && isfinite(result->baseline_value) && result->baseline_period != NULL) {
        char period[CELL_SIZE];
        period_label(period, result->baseline_period, frequency);
        snprintf(cells[COLUMN_BASELINE], CELL_SIZE, "%s (%.*s)", baseline, 64, period);
    } else {
        snprintf(cells[COLUMN_BASELINE], CELL_SIZE, "%s", baseline);
    }

    char change[NUMBER_SIZE], change_pct[NUMBER_SIZE];
    format_fixed(change, sizeof change, result->change, decimals_for(result->change), "", 1);
    if (isfinite(result->change) && isfinite(result->change_pct)) {
        format_fixed(change_pct, sizeof change_pct, result->change_pct, 1, "", 1);
        snprintf(cells[COLUMN_CHANGE], CELL_SIZE, "%s (%s%%)", change, change_pct);
    } else {
        snprintf(cells[COLUMN_CHANGE], CELL_SIZE, "%s", change);
    }

    char target[NUMBER_SIZE];
    format_number(target, sizeof target, result->target_value);
    if (isfinite(result->target_value) && result->target_date != NULL) {
        char date[CELL_SIZE];
        period_label(date, result->target_date, frequency);
        snprintf(cells[COLUMN_TARGET], CELL_SIZE, "%s by %.*s", target, 64, date);
    } else {
        snprintf(cells[COLUMN_TARGET], CELL_SIZE, "%s", target);
    }

    format_number(cells[COLUMN_EXPECTED], CELL_SIZE, result->expected_value);
    char progress[NUMBER_SIZE];
    format_fixed(progress, sizeof progress, result->progress_pct, 1, "", 0);
    snprintf(cells[COLUMN_PROGRESS], CELL_SIZE, "%s%s", progress,
             isfinite(result->progress_pct) ? "%" : "");
    copy_text(cells[COLUMN_BENCHMARK], result->benchmark_comparison);
    for (char *c = cells[COLUMN_BENCHMARK]; *c != '\0'; c++)
        if (*c == '_')
            *c = ' '; /* "not compared" */
    copy_text(cells[COLUMN_RAG], result->rag);
    copy_text(cells[COLUMN_SPC], result->spc_signal);
    /* Pounds, whole: the precision of a fiscal estimate is far coarser. */
    format_fixed(cells[COLUMN_BENEFIT], CELL_SIZE, result->fiscal_benefit, 0, "\xc2\xa3", 0);
    if (note > 0)
        snprintf(cells[COLUMN_STATUS], CELL_SIZE, "%s [%d]",
                 oc__result_status_name(result->status), note);
    else
        snprintf(cells[COLUMN_STATUS], CELL_SIZE, "%s", oc__result_status_name(result->status));
}

static int has_note(const oc__result *result)
{
    return result->status != OC_RESULT_OK && has_text(result->message);
}

/* ---- Layout ---- */

typedef struct table_layout {
    size_t widths[COLUMN_COUNT];
    int visible[COLUMN_COUNT];
    int absent[COLUMN_COUNT]; /* nothing to show in any row: never shown, never "not shown" */
} table_layout;

static size_t total_width(const table_layout *layout)
{
    size_t total = 0, shown = 0;
    for (int c = 0; c < COLUMN_COUNT; c++)
        if (layout->visible[c]) {
            total += layout->widths[c];
            shown++;
        }
    return shown > 0 ? total + COLUMN_GAP * (shown - 1) : 0;
}

/* Hides visible columns of keep_rank below `below_rank`, lowest first,
 * until the table fits width; never the last column. */
static void hide_columns(table_layout *layout, size_t width, int below_rank)
{
    while (total_width(layout) > width) {
        int lowest = -1, shown = 0;
        for (int c = 0; c < COLUMN_COUNT; c++)
            if (layout->visible[c]) {
                shown++;
                if (columns[c].keep_rank < below_rank
                    && (lowest < 0 || columns[c].keep_rank < columns[lowest].keep_rank))
                    lowest = c;
            }
        if (shown <= 1 || lowest < 0)
            return;
        layout->visible[lowest] = 0;
    }
}

/* Makes the table fit width: first hides the secondary columns, then
 * shortens long names (shortening first would make "claimant_rate" and
 * "claimants_year_on_year" both "claiman..."), then hides essential ones. */
static void fit_layout(table_layout *layout, size_t width)
{
    hide_columns(layout, width, ESSENTIAL_RANK);
    while (total_width(layout) > width) {
        int widest = -1;
        for (int c = 0; c < COLUMN_COUNT; c++)
            if (layout->visible[c] && columns[c].shrink_to > 0
                && layout->widths[c] > columns[c].shrink_to
                && (widest < 0 || layout->widths[c] > layout->widths[widest]))
                widest = c;
        if (widest < 0)
            break;
        layout->widths[widest]--;
    }
    hide_columns(layout, width, INT_MAX);
    /* One column left and still too wide: cut it. */
    if (total_width(layout) > width)
        for (int c = 0; c < COLUMN_COUNT; c++)
            if (layout->visible[c])
                layout->widths[c] = width;
}

static void print_row(FILE *stream, const table_layout *layout, const char *const cells[])
{
    int last = -1;
    for (int c = 0; c < COLUMN_COUNT; c++)
        if (layout->visible[c])
            last = c;
    int first = 1;
    for (int c = 0; c < COLUMN_COUNT; c++) {
        if (!layout->visible[c])
            continue;
        if (!first)
            fprintf(stream, "%*s", COLUMN_GAP, "");
        first = 0;
        print_cell(stream, cells[c], layout->widths[c], columns[c].right_aligned, c != last);
    }
    fputc('\n', stream);
}

/* ---- Title ---- */

#define TITLE_PERIODS 4

typedef struct title_period {
    char label[CELL_SIZE];
    const char *start;       /* borrowed from a result */
    oc__frequency frequency;
} title_period;

/* The periods the results use, in the order they first appear: their
 * count, or 0 when there are more than TITLE_PERIODS (or none). Two
 * periods are one when they start on the same day and have the same
 * label. */
static size_t distinct_periods(const oc__result_list *results, const oc__manifest *manifest,
                               title_period periods[TITLE_PERIODS])
{
    size_t count = 0;
    const char *last_period = NULL, *last_metric = NULL;
    for (size_t i = 0; i < results->count; i++) {
        const oc__result *result = &results->items[i];
        if (result->period == NULL
            || (result->period == last_period && result->metric == last_metric))
            continue;
        last_period = result->period, last_metric = result->metric;
        title_period period = {.start = result->period,
                               .frequency = metric_frequency(manifest, result->metric)};
        period_label(period.label, result->period, period.frequency);
        size_t k = 0;
        while (k < count && (strcmp(periods[k].label, period.label) != 0
                             || strcmp(periods[k].start, period.start) != 0))
            k++;
        if (k < count)
            continue;
        if (count == TITLE_PERIODS)
            return 0;
        periods[count++] = period;
    }
    return count;
}

/* A title's period, told apart from another of the same label: the
 * financial and the academic 2016/17 are both "2016/17". */
static void title_period_text(const title_period *periods, size_t count, size_t k, char *out,
                              size_t size)
{
    int shared = 0;
    for (size_t j = 0; j < count; j++)
        shared |= j != k && strcmp(periods[j].label, periods[k].label) == 0;
    const char *kind = !shared ? ""
                       : periods[k].frequency == OC__FREQUENCY_FINANCIAL_YEAR ? " (financial year)"
                       : periods[k].frequency == OC__FREQUENCY_ACADEMIC_YEAR  ? " (academic year)"
                                                                              : NULL;
    if (kind != NULL)
        snprintf(out, size, "%.64s%s", periods[k].label, kind);
    else
        snprintf(out, size, "%.64s (from %.32s)", periods[k].label, periods[k].start);
}

/* baseline: the label every result's baseline shares, or NULL. */
static void print_title(FILE *stream, const oc__manifest *manifest,
                        const oc__result_list *results, const char *baseline, size_t width)
{
    char period_text[600], baseline_text[160] = "";
    char title[sizeof period_text + sizeof baseline_text + 16];
    title_period periods[TITLE_PERIODS];
    size_t period_count = distinct_periods(results, manifest, periods);
    int any_period = 0;
    for (size_t i = 0; i < results->count && !any_period; i++)
        any_period = results->items[i].period != NULL;
    if (period_count == 1) {
        snprintf(period_text, sizeof period_text, "period %.64s", periods[0].label);
    } else if (period_count > 1) {
        /* "periods 2016-11 and 2016/17", "periods A, B and C" */
        int length = snprintf(period_text, sizeof period_text, "periods");
        for (size_t k = 0; k < period_count && length > 0 && (size_t)length < sizeof period_text;
             k++) {
            char one[128];
            title_period_text(periods, period_count, k, one, sizeof one);
            length += snprintf(period_text + length, sizeof period_text - (size_t)length, "%s%s",
                               k == 0 ? " " : k + 1 == period_count ? " and " : ", ", one);
        }
    } else if (any_period) {
        snprintf(period_text, sizeof period_text, "several periods");
    } else if (manifest != NULL && manifest->period_requested != NULL) {
        char requested[CELL_SIZE];
        copy_text(requested, manifest->period_requested);
        snprintf(period_text, sizeof period_text, "period %.64s (requested)", requested);
    } else {
        snprintf(period_text, sizeof period_text, "no period");
    }
    if (baseline != NULL)
        snprintf(baseline_text, sizeof baseline_text, ", baseline %.64s", baseline);
    snprintf(title, sizeof title, "Outcomes: %s%s", period_text, baseline_text);
    print_line(stream, title, width);
    if (manifest != NULL) {
        char provenance[512];
        char version[CELL_SIZE];
        copy_text(version, manifest->outcomes_version);
        int length = snprintf(provenance, sizeof provenance, "outcomes %.32s, run %s",
                              version, manifest->started_at);
        if (manifest->configuration.path != NULL && length > 0
            && (size_t)length < sizeof provenance)
            snprintf(provenance + length, sizeof provenance - (size_t)length,
                     ", configuration sha256 %.12s", manifest->configuration.sha256);
        print_line(stream, provenance, width);
    }
}

/* The line under the table that says what the "vs benchmark" column's
 * words mean and against what: one benchmark is named (as its own rows
 * name it), several are left to the benchmark field. */
static void print_benchmark_legend(FILE *stream, const oc__result_list *results, size_t width)
{
    const char *code = NULL;
    for (size_t i = 0; i < results->count; i++) {
        const oc__result *result = &results->items[i];
        if (result->benchmark_comparison == NULL || result->benchmark == NULL)
            continue;
        if (code != NULL && strcmp(code, result->benchmark) != 0) {
            code = NULL;
            break;
        }
        code = result->benchmark;
    }
    char against[CELL_SIZE + 32] = "its metric's benchmark (the benchmark field in csv or json)";
    if (code != NULL) {
        /* Named as its own rows name it, when it is one of the areas of
         * a metric it is the benchmark of (another metric's store may
         * name the same code otherwise). */
        const char *name = NULL;
        for (size_t i = 0; i < results->count && name == NULL; i++) {
            const oc__result *row = &results->items[i];
            if (row->area != NULL && strcmp(row->area, code) == 0 && row->benchmark != NULL
                && strcmp(row->benchmark, code) == 0 && has_text(row->area_name))
                name = row->area_name;
        }
        char shown[CELL_SIZE], shown_name[CELL_SIZE];
        copy_text(shown, code);
        if (name != NULL) {
            copy_text(shown_name, name);
            snprintf(against, sizeof against, "%.80s (%.40s)", shown_name, shown);
        } else {
            snprintf(against, sizeof against, "%s", shown);
        }
    }
    char legend[640];
    snprintf(legend, sizeof legend,
             "vs benchmark: each value against the value of %s in the same period: similar "
             "when the benchmark's value lies within the value's confidence interval; better "
             "or worse (higher or lower where neither way is better) when outside it; not "
             "compared when the value has no interval, or the benchmark has no value then "
             "(the message field says so); - for a count, which grows with the area, where "
             "there is no value, on the benchmark's own row, and where the metric has no "
             "benchmark.", against);
    fputc('\n', stream);
    print_wrapped(stream, legend, width, 4);
}

/* ---- The table ---- */

int oc__output_write_table(FILE *stream, const oc__manifest *manifest,
                           const oc__result_list *results, size_t width, oc_error *error)
{
    if (width > 0 && width < MINIMUM_WIDTH)
        width = MINIMUM_WIDTH;
    table_row *cells = malloc(sizeof *cells);
    if (cells == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing the table");
    char baseline_label[CELL_SIZE];
    const char *baseline = common_label(results, manifest, offsetof(oc__result, baseline_period),
                                        baseline_label)
                               ? baseline_label
                               : NULL;

    /* Pass 1: column widths and counts. Rows are formatted twice rather
     * than stored, so a national run needs no memory per row. */
    table_layout layout;
    size_t counts[3] = {0, 0, 0};
    /* An interval is read by its level: "value (95% CI)" when every metric
     * shares one, else the levels are listed under the table. */
    const char *headers[COLUMN_COUNT];
    char value_header[32];
    double confidence = oc__manifest_common_confidence(manifest);
    for (int c = 0; c < COLUMN_COUNT; c++)
        headers[c] = columns[c].header;
    if (!isnan(confidence)) {
        snprintf(value_header, sizeof value_header, "value (%g%% CI)", confidence);
        headers[COLUMN_VALUE] = value_header;
    }
    for (int c = 0; c < COLUMN_COUNT; c++) {
        layout.widths[c] = display_width(headers[c]);
        layout.visible[c] = 1;
        layout.absent[c] = 0;
    }
    int notes = 0;
    /* An ok result's note (a missing period in its chart, a caveat on its
     * assurance, members with missing values) is left out of the table to
     * keep it short, but not out of sight: the reader is told it exists. */
    size_t ok_notes = 0;
    size_t compared = 0;
    for (size_t i = 0; i < results->count; i++) {
        const oc__result *result = &results->items[i];
        int note = has_note(result) ? ++notes : 0;
        format_row(*cells, result, metric_frequency(manifest, result->metric), baseline != NULL,
                   note);
        for (int c = 0; c < COLUMN_COUNT; c++) {
            size_t cell_width = display_width((*cells)[c]);
            if (cell_width > layout.widths[c])
                layout.widths[c] = cell_width;
        }
        if ((size_t)result->status < 3)
            counts[result->status]++;
        ok_notes += result->status == OC_RESULT_OK && has_text(result->message);
        compared += result->benchmark_comparison != NULL;
    }
    /* Only a run that has a benchmark shows the column. */
    if (compared == 0)
        layout.visible[COLUMN_BENCHMARK] = 0, layout.absent[COLUMN_BENCHMARK] = 1;
    if (width > 0 && results->count > 0)
        fit_layout(&layout, width);

    print_title(stream, manifest, results, baseline, width);
    fputc('\n', stream);
    if (results->count == 0) {
        fputs("No results.\n", stream);
    } else {
        const char *row[COLUMN_COUNT];
        char rules[COLUMN_COUNT][CELL_SIZE];
        for (int c = 0; c < COLUMN_COUNT; c++) {
            row[c] = headers[c];
            size_t rule_width = layout.widths[c] < CELL_SIZE ? layout.widths[c] : CELL_SIZE - 1;
            memset(rules[c], '-', rule_width);
            rules[c][rule_width] = '\0';
        }
        print_row(stream, &layout, row);
        for (int c = 0; c < COLUMN_COUNT; c++)
            row[c] = rules[c];
        print_row(stream, &layout, row);
        notes = 0;
        for (size_t i = 0; i < results->count; i++) {
            const oc__result *result = &results->items[i];
            format_row(*cells, result, metric_frequency(manifest, result->metric),
                       baseline != NULL, has_note(result) ? ++notes : 0);
            for (int c = 0; c < COLUMN_COUNT; c++)
                row[c] = (*cells)[c];
            print_row(stream, &layout, row);
        }
    }

    if (notes > 0) {
        fputc('\n', stream);
        notes = 0;
        for (size_t i = 0; i < results->count; i++) {
            const oc__result *result = &results->items[i];
            if (!has_note(result))
                continue;
            char *message = oc__output_valid_utf8(result->message);
            char *line = message != NULL ? malloc(strlen(message) + 3 * CELL_SIZE + 32) : NULL;
            if (line == NULL) {
                free(message);
                free(cells);
                return oc_error_set(error, OC_ERROR_NO_MEMORY,
                                    "out of memory while writing the table");
            }
            format_row(*cells, result, metric_frequency(manifest, result->metric), 1, 0);
            for (unsigned char *p = (unsigned char *)message; *p != '\0'; p++)
                if (*p < 0x20 || *p == 0x7f)
                    *p = ' ';
            sprintf(line, "[%d] %s %s %s: %s", ++notes, (*cells)[COLUMN_METRIC],
                    (*cells)[COLUMN_INDICATOR], (*cells)[COLUMN_AREA], message);
            print_wrapped(stream, line, width, 4);
            free(line);
            free(message);
        }
    }
    free(cells);

    size_t hidden = 0;
    for (int c = 0; c < COLUMN_COUNT; c++)
        hidden += !layout.visible[c] && !layout.absent[c];
    if (hidden > 0) {
        char note[512] = "Not shown at this width:";
        size_t length = strlen(note);
        const char *separator = " ";
        for (int c = 0; c < COLUMN_COUNT; c++)
            if (!layout.visible[c] && !layout.absent[c]) {
                length += (size_t)snprintf(note + length, sizeof note - length, "%s%s",
                                           separator, headers[c]);
                separator = ", ";
            }
        snprintf(note + length, sizeof note - length, " (every field: csv or json format).");
        fputc('\n', stream);
        print_wrapped(stream, note, width, 4);
    }
    if (isnan(confidence) && manifest != NULL && manifest->metric_count > 0
        && results->count > 0) {
        /* Sized for every metric (a fixed buffer cut the list mid-name):
         * per metric ", ", its name, " ", a %g level and "%". */
        static const char lead[] = "Confidence intervals:";
        size_t size = sizeof lead + 1;
        for (size_t m = 0; m < manifest->metric_count; m++)
            size += strlen(manifest->metrics[m].name) + 32;
        char *levels = malloc(size);
        if (levels == NULL)
            return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory while writing the table");
        size_t length = (size_t)snprintf(levels, size, "%s", lead);
        for (size_t m = 0; m < manifest->metric_count; m++)
            length += (size_t)snprintf(levels + length, size - length, "%s %s %g%%",
                                       m > 0 ? "," : "", manifest->metrics[m].name,
                                       manifest->metrics[m].confidence);
        snprintf(levels + length, size - length, ".");
        fputc('\n', stream);
        print_wrapped(stream, levels, width, 4);
        free(levels);
    }
    if (compared > 0 && layout.visible[COLUMN_BENCHMARK])
        print_benchmark_legend(stream, results, width);
    if (ok_notes > 0) {
        char pointer[256];
        snprintf(pointer, sizeof pointer,
                 "%zu ok result%s also carr%s a note (missing periods, caveats on assurance, "
                 "aggregation): see the message field in csv or json output.",
                 ok_notes, ok_notes == 1 ? "" : "s", ok_notes == 1 ? "ies" : "y");
        fputc('\n', stream);
        print_wrapped(stream, pointer, width, 4);
    }
    char summary[128];
    snprintf(summary, sizeof summary, "%zu ok, %zu insufficient_data, %zu failed",
             counts[OC_RESULT_OK], counts[OC_RESULT_INSUFFICIENT_DATA], counts[OC_RESULT_FAILED]);
    fputc('\n', stream);
    print_wrapped(stream, summary, width, 0);
    if (ferror(stream))
        return oc_error_set(error, OC_ERROR_IO, "write failed while writing the table");
    return OC_OK;
}
