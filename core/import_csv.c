/* import_csv.c: tidy CSV to a store (see import_csv.h). Reading (libcsv,
 * row by row, checking each) is kept apart from building the frames, so
 * that nothing is written until the whole input is known to be good. */
#include "config.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "atomic_file.h"
#include "import_csv.h"
#include "number.h"
#include "period.h"
#include "store_internal.h"
#include "utf8.h"

enum column {
    AREA, PERIOD, MEASURE, VALUE, AREA_NAME, AREA_PARENT, AREA_PARENT_NAME, UNITS, LONG_NAME,
    COLUMN_COUNT
};
static const char *const column_names[COLUMN_COUNT] = {
    "area", "period", "measure", "value", "area_name", "area_parent", "area_parent_name", "units",
    "long_name"};

typedef struct import_row {
    size_t area;
    size_t measure;
    int32_t start;
    double value;
    size_t line;
} import_row;

/* Distinct texts in first-seen order, with a hash index, and for each an
 * optional pair of attached texts (area name and parent; measure units and
 * long name). */
typedef struct name_table {
    char **items;
    char **first;      /* area_name / units, NULL when unknown */
    char **second;     /* area_parent / long_name */
    oc__frequency *frequency;
    size_t count;
    size_t capacity;
    oc__store_index index;
} name_table;

typedef struct importer {
    const char *path;
    const oc__import_options *options;
    oc__import_summary *summary;
    oc__import_report report;
    void *context;
    int out_of_memory;
    size_t line;             /* the physical line being parsed */
    size_t row_line;         /* the line the current row started on */
    int awaiting_row;        /* no row begun since the last one ended */
    size_t row_start_line;   /* where the row being parsed began */
    size_t row_bytes;        /* of it, before the line being parsed */
    /* Only the fields of the known columns are kept, by column, so that a
     * header may have any number of other columns. */
    char *fields[COLUMN_COUNT];
    size_t field_count;
    int header_done;
    int column_of[COLUMN_COUNT];  /* -1 when absent */
    int repeated_column;          /* a column named twice, else -1 */
    int repeated_at[2];           /* its two positions, from 0 */
    size_t header_columns;
    import_row *rows;
    size_t *measure_rows;    /* rows kept per measure, after drop_duplicates */
    size_t row_count;
    size_t row_capacity;
    name_table areas;
    name_table measures;
    /* Parent codes, each with its name (first) from area_parent_name: a
     * parent is one place, so all its areas must name it alike. */
    name_table parents;
} importer;

static void problem(importer *state, size_t line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(importer *state, size_t line, const char *format, ...)
{
    char message[OC_ERROR_MESSAGE_SIZE], text[OC_ERROR_MESSAGE_SIZE + 300];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    snprintf(text, sizeof text, "%s:%zu: %s", state->path, line, message);
    if (state->report != NULL)
        state->report(state->context, text);
}

static void bad_row(importer *state, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void bad_row(importer *state, const char *format, ...)
{
    char message[OC_ERROR_MESSAGE_SIZE];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    state->summary->bad_rows++;
    problem(state, state->row_line, "%s", message);
}

static void free_table(name_table *table)
{
    for (size_t i = 0; i < table->count; i++) {
        free(table->items[i]);
        free(table->first[i]);
        free(table->second[i]);
    }
    free(table->items);
    free(table->first);
    free(table->second);
    free(table->frequency);
    oc__store_index_free(&table->index);
    memset(table, 0, sizeof *table);
}

/* The position of text in the table, adding it if new; OC__STORE_NO_INDEX
 * when out of memory. */
static size_t table_intern(name_table *table, const char *text)
{
    size_t found = oc__store_index_find(&table->index, (const char *const *)table->items, text);
    if (found != OC__STORE_NO_INDEX)
        return found;
    if (table->count == table->capacity) {
        size_t capacity = table->capacity ? table->capacity * 2 : 64;
        char **items = realloc(table->items, capacity * sizeof *items);
        if (items != NULL)
            table->items = items;
        char **first = realloc(table->first, capacity * sizeof *first);
        if (first != NULL)
            table->first = first;
        char **second = realloc(table->second, capacity * sizeof *second);
        if (second != NULL)
            table->second = second;
        oc__frequency *frequency = realloc(table->frequency, capacity * sizeof *frequency);
        if (frequency != NULL)
            table->frequency = frequency;
        if (items == NULL || first == NULL || second == NULL || frequency == NULL)
            return OC__STORE_NO_INDEX;
        table->capacity = capacity;
    }
    size_t position = table->count, existing;
    if ((table->items[position] = strdup(text)) == NULL)
        return OC__STORE_NO_INDEX;
    table->first[position] = table->second[position] = NULL;
    table->frequency[position] = OC__FREQUENCY_NONE;
    table->count++;
    if (oc__store_index_add(&table->index, (const char *const *)table->items, position, &existing) != OC_OK) {
        free(table->items[--table->count]);
        return OC__STORE_NO_INDEX;
    }
    return position;
}

/* Sets an attached text, or reports a conflict with the one already set. */
static int attach_text(importer *state, char **slot, const char *text, const char *what,
                       const char *owner)
{
    if (text == NULL || text[0] == '\0')
        return OC_OK;
    if (*slot == NULL) {
        if ((*slot = strdup(text)) == NULL)
            state->out_of_memory = 1;
        return OC_OK;
    }
    if (strcmp(*slot, text) == 0)
        return OC_OK;
    bad_row(state, "%s '%s' for '%s' conflicts with '%s' given earlier", what, text, owner, *slot);
    return OC_ERROR_FORMAT;
}

static int is_suppressed(const char *text)
{
    static const char *const markers[] = {"", "x", "X", "c", "C", "..", "*", "-"};
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
        if (strcmp(text, markers[i]) == 0)
            return 1;
    return 0;
}

/* A finite number, allowing thousands separators ("12,345.6"). */
static int parse_number(const char *text, double *value)
{
    char plain[128];
    size_t length = 0;
    const char *digits_start = text + (*text == '-' || *text == '+');
    const char *point = strchr(text, '.');
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor == ',') {
            /* Only between groups of three digits before any decimal point. */
            if (cursor == digits_start || (point != NULL && cursor > point))
                return OC_ERROR_FORMAT;
            for (int i = 1; i <= 3; i++)
                if (cursor[i] < '0' || cursor[i] > '9')
                    return OC_ERROR_FORMAT;
            if (cursor[4] >= '0' && cursor[4] <= '9')
                return OC_ERROR_FORMAT;
            continue;
        }
        if (length + 1 >= sizeof plain)
            return OC_ERROR_FORMAT;
        plain[length++] = *cursor;
    }
    plain[length] = '\0';
    return oc__parse_decimal(plain, value) == OC_OK ? OC_OK : OC_ERROR_FORMAT;
}

static const char *field(const importer *state, enum column column)
{
    return state->fields[column];
}

/* Names and codes are text shown in results and on terminals
 * (docs/store-format.md): a control character (an escape sequence, a line
 * break in a quoted field) is refused at its row, rather than stored to
 * redraw or split every line that prints it. */
static int has_control_character(importer *state, enum column column)
{
    const char *text = field(state, column);
    size_t at = text != NULL ? oc__text_control_offset(text) : OC__TEXT_NO_CONTROL;
    if (at == OC__TEXT_NO_CONTROL)
        return 0;
    bad_row(state, "%s holds a control character (0x%02X at byte %zu): names are text",
            column_names[column], (unsigned char)text[at], at + 1);
    return 1;
}

/* Which of two columns of the same name was meant cannot be guessed (a
 * second `value` column taken silently is a wrong store), so the second
 * is kept aside for check_header to refuse. */
static void note_column(importer *state, int column, int position)
{
    if (state->column_of[column] < 0)
        state->column_of[column] = position;
    else if (state->repeated_column < 0) {
        state->repeated_column = column;
        state->repeated_at[0] = state->column_of[column];
        state->repeated_at[1] = position;
    }
}

/* One name of the header, at position (from 0), as on_field reads it. */
static void read_header_name(importer *state, const char *name, size_t position)
{
    if (position == 0 && strncmp(name, "\xEF\xBB\xBF", 3) == 0)
        name += 3; /* the UTF-8 byte-order mark spreadsheets write */
    for (int c = 0; c < COLUMN_COUNT; c++)
        if (strcasecmp(name, column_names[c]) == 0
            || (c == AREA && strcasecmp(name, "area_code") == 0))
            note_column(state, c, (int)position);
}

static void read_row(importer *state)
{
    state->summary->rows++;
    for (int c = AREA; c <= VALUE; c++)
        if (state->column_of[c] < 0 || state->repeated_column >= 0)
            return; /* check_header reports it once */
    if (state->field_count != state->header_columns) {
        bad_row(state, "has %zu fields, the header has %zu", state->field_count, state->header_columns);
        return;
    }
    const char *area = field(state, AREA), *period_text = field(state, PERIOD);
    const char *measure = field(state, MEASURE), *value_text = field(state, VALUE);
    if (area[0] == '\0' || measure[0] == '\0' || period_text[0] == '\0') {
        bad_row(state, "empty %s", area[0] == '\0' ? "area" : measure[0] == '\0' ? "measure" : "period");
        return;
    }
    for (int c = 0; c < COLUMN_COUNT; c++)
        if (c != VALUE && has_control_character(state, (enum column)c))
            return;
    if (!oc__store_is_measure_name(measure)) {
        bad_row(state, "'%s' cannot name a measure (the store refuses it)", measure);
        return;
    }
    oc__period period;
    oc_error period_error;
    if (oc__period_parse(period_text, state->options->academic_years ? OC__FREQUENCY_ACADEMIC_YEAR
                                                                     : OC__FREQUENCY_FINANCIAL_YEAR,
                         &period, &period_error) != OC_OK) {
        bad_row(state, "%s", period_error.message);
        return;
    }
    double value = NAN;
    int suppressed = is_suppressed(value_text);
    if (!suppressed && parse_number(value_text, &value) != OC_OK) {
        bad_row(state, "value '%s' is not a number (nor a suppression mark x, c, .., *, -)", value_text);
        return;
    }
    size_t area_index = table_intern(&state->areas, area);
    size_t measure_index = table_intern(&state->measures, measure);
    if (area_index == OC__STORE_NO_INDEX || measure_index == OC__STORE_NO_INDEX) {
        state->out_of_memory = 1;
        return;
    }
    oc__frequency *frequency = &state->measures.frequency[measure_index];
    if (*frequency == OC__FREQUENCY_NONE)
        *frequency = period.frequency;
    else if (*frequency != period.frequency) {
        bad_row(state, "period '%s' is a %s, but measure '%s' has %s periods", period_text,
                oc__frequency_name(period.frequency), measure, oc__frequency_name(*frequency));
        return;
    }
    const char *parent = field(state, AREA_PARENT), *parent_name = field(state, AREA_PARENT_NAME);
    int named_parent = parent_name != NULL && parent_name[0] != '\0';
    if (named_parent && (parent == NULL || parent[0] == '\0')) {
        bad_row(state, "area_parent_name '%s' for '%s' without an area_parent", parent_name, area);
        return;
    }
    size_t parent_index = named_parent ? table_intern(&state->parents, parent) : 0;
    if (parent_index == OC__STORE_NO_INDEX) {
        state->out_of_memory = 1;
        return;
    }
    if (attach_text(state, &state->areas.first[area_index], field(state, AREA_NAME), "area_name", area) != OC_OK
        || attach_text(state, &state->areas.second[area_index], parent, "area_parent", area) != OC_OK
        || (named_parent
            && attach_text(state, &state->parents.first[parent_index], parent_name,
                           "area_parent_name", parent) != OC_OK)
        || attach_text(state, &state->measures.first[measure_index], field(state, UNITS), "units", measure) != OC_OK
        || attach_text(state, &state->measures.second[measure_index], field(state, LONG_NAME), "long_name", measure) != OC_OK)
        return;
    if (state->row_count == state->row_capacity) {
        size_t capacity = state->row_capacity ? state->row_capacity * 2 : 1024;
        import_row *rows = realloc(state->rows, capacity * sizeof *rows);
        if (rows == NULL) {
            state->out_of_memory = 1;
            return;
        }
        state->rows = rows;
        state->row_capacity = capacity;
    }
    state->rows[state->row_count++] = (import_row){area_index, measure_index, period.start_day, value, state->row_line};
    if (suppressed)
        state->summary->suppressed++;
    else
        state->summary->values++;
}

static void on_field(void *data, size_t length, void *context)
{
    importer *state = context;
    size_t position = state->field_count++;
    int column = COLUMN_COUNT;
    if (state->header_done) {
        column = 0;
        while (column < COLUMN_COUNT && state->column_of[column] != (int)position)
            column++;
        if (column == COLUMN_COUNT)
            return; /* a column the store does not use */
    }
    const char *text = data != NULL ? data : "";
    while (length > 0 && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        length--;
    }
    while (length > 0 && (text[length - 1] == ' ' || text[length - 1] == '\t' || text[length - 1] == '\r'))
        length--;
    char *copy = malloc(length + 1);
    if (copy == NULL) {
        state->out_of_memory = 1;
        return;
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    if (state->header_done)
        state->fields[column] = copy;
    else {
        read_header_name(state, copy, position);
        free(copy);
    }
}

static void clear_fields(importer *state)
{
    for (int c = 0; c < COLUMN_COUNT; c++) {
        free(state->fields[c]);
        state->fields[c] = NULL;
    }
    state->field_count = 0;
}

static void on_row(int terminator, void *context)
{
    importer *state = context;
    (void)terminator;
    /* A quoted field may hold line breaks: errors name the line the row
     * began on, not the one it ended on. */
    state->row_line = state->awaiting_row ? state->line : state->row_start_line;
    state->awaiting_row = 1;
    if (!state->out_of_memory) {
        if (!state->header_done) {
            state->header_columns = state->field_count;
            state->header_done = 1;
        } else
            read_row(state);
    }
    clear_fields(state);
}

/* Lines read in blocks from a file descriptor, each at most a given length,
 * so that a file with no line ends (/dev/zero, a binary file given by
 * mistake) costs a bounded amount of memory rather than all of it. A line
 * ends at LF, CRLF or a lone CR (Excel's "CSV (Macintosh)"), so that line
 * numbers and the limit mean the same in all three. */
typedef struct line_reader {
    int fd;
    char block[65536];
    size_t next, end;  /* the unread part of block */
    int after_cr;      /* the last line ended in CR at the end of a block */
    char *line;        /* owned: the line read, with its end, NUL-terminated */
    size_t length, capacity;
} line_reader;

enum { LINE_READ = 1, LINE_END = 0, LINE_TOO_LONG = -1, LINE_NO_MEMORY = -2, LINE_READ_FAILED = -3 };

/* Reads the next line, of at most limit bytes counting its end. */
static int read_line(line_reader *reader, size_t limit)
{
    reader->length = 0;
    for (;;) {
        if (reader->next == reader->end) {
            ssize_t got = read(reader->fd, reader->block, sizeof reader->block);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                return LINE_READ_FAILED;
            if (got == 0)
                return reader->length > 0 ? LINE_READ : LINE_END;
            reader->next = 0;
            reader->end = (size_t)got;
        }
        if (reader->after_cr) { /* the LF of a CRLF split between blocks */
            reader->after_cr = 0;
            reader->next += reader->block[reader->next] == '\n';
            continue;
        }
        const char *start = reader->block + reader->next;
        size_t available = reader->end - reader->next;
        const char *newline = memchr(start, '\n', available);
        const char *cr = memchr(start, '\r', newline != NULL ? (size_t)(newline - start) : available);
        const char *last = cr != NULL && cr + 1 != newline ? cr : newline;
        size_t take = last != NULL ? (size_t)(last - start) + 1 : available;
        if (take > limit - reader->length)
            return LINE_TOO_LONG;
        if (reader->length + take + 1 > reader->capacity) {
            size_t capacity = reader->capacity ? reader->capacity : 4096;
            while (capacity < reader->length + take + 1)
                capacity *= 2;
            char *line = realloc(reader->line, capacity);
            if (line == NULL)
                return LINE_NO_MEMORY;
            reader->line = line;
            reader->capacity = capacity;
        }
        memcpy(reader->line + reader->length, start, take);
        reader->length += take;
        reader->line[reader->length] = '\0';
        reader->next += take;
        if (last != NULL) {
            reader->after_cr = last == cr && reader->next == reader->end;
            return LINE_READ;
        }
    }
}

/* The line about what stopped read_line, with status; LINE_TOO_LONG
 * names the row's first line when the row began on an earlier one. */
static int line_failure(importer *state, int result, oc_error *error)
{
    if (result == LINE_NO_MEMORY)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s:%zu: out of memory reading the line",
                            state->path, state->line + 1);
    if (result == LINE_READ_FAILED)
        return oc_error_set(error, OC_ERROR_IO, "%s:%zu: %s", state->path, state->line + 1,
                            strerror(errno));
    if (state->awaiting_row)
        return oc_error_set(error, OC_ERROR_FORMAT,
                            "%s:%zu: a line longer than %d bytes (1 MiB): not tidy CSV",
                            state->path, state->line + 1, OC__IMPORT_MAX_ROW_BYTES);
    return oc_error_set(error, OC_ERROR_FORMAT,
                        "%s:%zu: a row longer than %d bytes (1 MiB) from this line on: is a "
                        "quote never closed?",
                        state->path, state->row_start_line, OC__IMPORT_MAX_ROW_BYTES);
}

static int line_is_blank(const char *line)
{
    return line[strspn(line, " \t\r\n")] == '\0';
}

static int parse_file(importer *state, oc_error *error)
{
    line_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL)
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", state->path);
    int status = oc__open_regular_file(state->path,
                                       "a regular file (save the CSV in a file and give its path)",
                                       &reader->fd, error);
    if (status != OC_OK) {
        free(reader);
        return status;
    }
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        close(reader->fd);
        free(reader);
        return oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", state->path);
    }
    state->awaiting_row = 1;
    int result;
    while (status == OC_OK) {
        size_t room = OC__IMPORT_MAX_ROW_BYTES - (state->awaiting_row ? 0 : state->row_bytes);
        if ((result = read_line(reader, room)) != LINE_READ) {
            if (result != LINE_END)
                status = line_failure(state, result, error);
            break;
        }
        const char *line = reader->line;
        size_t length = reader->length;
        state->line++;
        /* A NUL would end a field's text early ("1<NUL>000" read as 1). */
        if (memchr(line, '\0', length) != NULL) {
            status = oc_error_set(error, OC_ERROR_FORMAT, "%s:%zu: malformed CSV: a NUL byte",
                                  state->path, state->line);
            break;
        }
        /* Stores hold UTF-8 (docs/store-format.md); a file saved as
         * Latin-1 or Windows-1252 would otherwise reach every result
         * with its accents turned into U+FFFD. */
        size_t invalid = oc__utf8_invalid_offset(line);
        if (invalid != OC__UTF8_VALID) {
            status = oc_error_set(error, OC_ERROR_FORMAT,
                                  "%s:%zu: not UTF-8 at byte %zu of the line (0x%02X): save "
                                  "the file as UTF-8 (\"CSV UTF-8\" in Excel)",
                                  state->path, state->line, invalid + 1,
                                  (unsigned char)line[invalid]);
            break;
        }
        if (state->awaiting_row && !line_is_blank(line)) {
            state->awaiting_row = 0;
            state->row_start_line = state->line;
            state->row_bytes = 0;
        }
        if (csv_parse(&parser, line, length, on_field, on_row, state) != length)
            status = oc_error_set(error, OC_ERROR_FORMAT, "%s:%zu: malformed CSV: %s", state->path,
                                  state->line, csv_strerror(csv_error(&parser)));
        state->row_bytes += length;
    }
    if (status == OC_OK && csv_fini(&parser, on_field, on_row, state) != 0)
        status = oc_error_set(error, OC_ERROR_FORMAT,
                              "%s:%zu: malformed CSV: a quoted field of the row that begins "
                              "here is never closed",
                              state->path, state->row_start_line);
    clear_fields(state);
    csv_free(&parser);
    free(reader->line);
    close(reader->fd);
    free(reader);
    if (status == OC_OK && state->out_of_memory)
        status = oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", state->path);
    if (status == OC_OK && !state->header_done)
        status = oc_error_set(error, OC_ERROR_FORMAT, "%s: empty: expected a header line", state->path);
    return status;
}

static int check_header(const importer *state, oc_error *error)
{
    for (int c = AREA; c <= VALUE; c++)
        if (state->column_of[c] < 0)
            return oc_error_set(error, OC_ERROR_FORMAT,
                                "%s:1: no '%s' column (the header needs area, period, measure and value)",
                                state->path, column_names[c]);
    if (state->repeated_column >= 0)
        return oc_error_set(error, OC_ERROR_FORMAT,
                            "%s:1: columns %d and %d both give the %s%s: keep one", state->path,
                            state->repeated_at[0] + 1, state->repeated_at[1] + 1,
                            column_names[state->repeated_column],
                            state->repeated_column == AREA ? " (area or area_code)" : "");
    return OC_OK;
}

static int compare_rows(const void *left, const void *right)
{
    const import_row *a = left, *b = right;
    if (a->measure != b->measure)
        return a->measure < b->measure ? -1 : 1;
    if (a->area != b->area)
        return a->area < b->area ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Sorts the rows and reports (and drops) repeated area/period/measure. */
static void drop_duplicates(importer *state)
{
    if (state->row_count == 0)
        return;
    qsort(state->rows, state->row_count, sizeof *state->rows, compare_rows);
    size_t kept = 1;
    for (size_t i = 1; i < state->row_count; i++) {
        import_row *previous = &state->rows[kept - 1], *row = &state->rows[i];
        if (row->measure == previous->measure && row->area == previous->area && row->start == previous->start) {
            char date[OC__DATE_TEXT_SIZE];
            oc__format_date(row->start, date, sizeof date);
            state->summary->bad_rows++;
            if (isnan(row->value))
                state->summary->suppressed--;
            else
                state->summary->values--;
            problem(state, row->line, "a second value for area %s, measure %s, period starting %s (first on line %zu)",
                    state->areas.items[row->area], state->measures.items[row->measure], date, previous->line);
            continue;
        }
        state->rows[kept++] = *row;
    }
    state->row_count = kept;
}

static int count_measure_rows(importer *state)
{
    state->measure_rows = calloc(state->measures.count ? state->measures.count : 1,
                                 sizeof *state->measure_rows);
    if (state->measure_rows == NULL)
        return OC_ERROR_NO_MEMORY;
    for (size_t i = 0; i < state->row_count; i++)
        if (state->measure_rows[state->rows[i].measure]++ == 0)
            state->summary->measures++;
    return OC_OK;
}

/* Units and long names: the options win over the CSV's columns. */
static int resolve_measure_texts(importer *state, oc_error *error)
{
    const oc__import_options *options = state->options;
    for (size_t m = 0; m < state->measures.count; m++) {
        if (state->measure_rows[m] == 0)
            continue; /* every row of it was bad and skipped */
        const char *name = state->measures.items[m];
        const char *units = NULL, *long_name = NULL;
        for (size_t i = 0; i < options->units_count; i++)
            if (options->units[i].measure == NULL ? units == NULL : strcmp(options->units[i].measure, name) == 0)
                units = options->units[i].text;
        for (size_t i = 0; i < options->long_name_count; i++)
            if (strcmp(options->long_names[i].measure, name) == 0)
                long_name = options->long_names[i].text;
        char **slots[2] = {&state->measures.first[m], &state->measures.second[m]};
        const char *chosen[2] = {units, long_name};
        for (int s = 0; s < 2; s++)
            if (chosen[s] != NULL) {
                free(*slots[s]);
                if ((*slots[s] = strdup(chosen[s])) == NULL)
                    return oc_error_set(error, OC_ERROR_NO_MEMORY, "out of memory");
            }
        if (state->measures.first[m] == NULL)
            return oc_error_set(error, OC_ERROR_FORMAT,
                                "%s: measure '%s' has no units: add a units column or --units %s=UNITS",
                                state->path, name, name);
    }
    return OC_OK;
}

static int compare_days(const void *left, const void *right)
{
    int32_t a = *(const int32_t *)left, b = *(const int32_t *)right;
    return (a > b) - (a < b);
}

static const char *frame_name_for(oc__frequency frequency)
{
    switch (frequency) {
    case OC__FREQUENCY_DAY: return "daily";
    case OC__FREQUENCY_MONTH: return "monthly";
    case OC__FREQUENCY_QUARTER: return "quarterly";
    case OC__FREQUENCY_YEAR: return "yearly";
    case OC__FREQUENCY_ACADEMIC_YEAR: return "academic_year";
    case OC__FREQUENCY_FINANCIAL_YEAR: return "financial_year";
    default: return "other";
    }
}

/* Everything one frame needs while it is written; freed by free_frame. */
typedef struct frame_build {
    size_t *local_area;    /* global area -> frame area, or NO_INDEX */
    const char **codes, **names, **parents, **parent_names;
    size_t area_count;
    int32_t *times;
    size_t time_count;
    double *matrix;
} frame_build;

static void free_frame(frame_build *build)
{
    free(build->local_area);
    free(build->codes);
    free(build->names);
    free(build->parents);
    free(build->parent_names);
    free(build->times);
    free(build->matrix);
}

static int gather_axes(importer *state, oc__frequency frequency, frame_build *build)
{
    size_t area_total = state->areas.count;
    build->local_area = malloc(area_total * sizeof *build->local_area);
    build->codes = malloc(area_total * sizeof *build->codes);
    build->names = malloc(area_total * sizeof *build->names);
    build->parents = malloc(area_total * sizeof *build->parents);
    build->parent_names = malloc(area_total * sizeof *build->parent_names);
    build->times = malloc(state->row_count * sizeof *build->times);
    if (!build->local_area || !build->codes || !build->names || !build->parents
        || !build->parent_names || !build->times)
        return OC_ERROR_NO_MEMORY;
    for (size_t a = 0; a < area_total; a++)
        build->local_area[a] = OC__STORE_NO_INDEX;
    for (size_t i = 0; i < state->row_count; i++)
        if (state->measures.frequency[state->rows[i].measure] == frequency) {
            build->local_area[state->rows[i].area] = 0;
            build->times[build->time_count++] = state->rows[i].start;
        }
    int has_names = 0, has_parents = 0, has_parent_names = 0;
    for (size_t a = 0; a < area_total; a++)
        if (build->local_area[a] == 0) {
            const char *parent = state->areas.second[a];
            size_t named = parent != NULL ? oc__store_index_find(
                                                &state->parents.index,
                                                (const char *const *)state->parents.items, parent)
                                          : OC__STORE_NO_INDEX;
            const char *parent_name = named != OC__STORE_NO_INDEX ? state->parents.first[named]
                                                                  : NULL;
            build->local_area[a] = build->area_count;
            build->codes[build->area_count] = state->areas.items[a];
            build->names[build->area_count] = state->areas.first[a];
            build->parent_names[build->area_count] = parent_name;
            build->parents[build->area_count++] = parent;
            has_names |= state->areas.first[a] != NULL;
            has_parents |= parent != NULL;
            has_parent_names |= parent_name != NULL;
        }
    if (!has_names) {
        free(build->names);
        build->names = NULL;
    }
    if (!has_parents) {
        free(build->parents);
        build->parents = NULL;
    }
    if (!has_parent_names) {
        free(build->parent_names);
        build->parent_names = NULL;
    }
    qsort(build->times, build->time_count, sizeof *build->times, compare_days);
    size_t unique = 0;
    for (size_t i = 0; i < build->time_count; i++)
        if (unique == 0 || build->times[i] != build->times[unique - 1])
            build->times[unique++] = build->times[i];
    build->time_count = unique;
    build->matrix = malloc(build->area_count * build->time_count * sizeof *build->matrix);
    return build->matrix != NULL ? OC_OK : OC_ERROR_NO_MEMORY;
}

static int write_frame(importer *state, oc__store_writer *writer, oc__frequency frequency,
                       int only_frame, oc_error *error)
{
    frame_build build = {0};
    int status = gather_axes(state, frequency, &build);
    oc__store_writer_frame *frame;
    if (status != OC_OK)
        status = oc_error_set(error, status, "%s: out of memory", state->path);
    else
        status = oc__store_writer_add_frame(writer, only_frame ? NULL : frame_name_for(frequency),
                                            build.area_count, build.codes, build.names, build.parents,
                                            build.time_count, build.times, &frame, error);
    if (status == OC_OK)
        status = oc__store_writer_add_parent_names(writer, frame, build.parent_names, error);
    for (size_t m = 0; status == OC_OK && m < state->measures.count; m++) {
        if (state->measures.frequency[m] != frequency || state->measure_rows[m] == 0)
            continue;
        for (size_t i = 0; i < build.area_count * build.time_count; i++)
            build.matrix[i] = NAN;
        for (size_t i = 0; i < state->row_count; i++) {
            const import_row *row = &state->rows[i];
            if (row->measure != m)
                continue;
            const int32_t *time = bsearch(&row->start, build.times, build.time_count, sizeof *build.times, compare_days);
            build.matrix[build.local_area[row->area] * build.time_count + (size_t)(time - build.times)] = row->value;
        }
        const char *name = state->measures.items[m];
        oc__store_measure_spec spec = {name, state->measures.first[m],
                                       state->measures.second[m] ? state->measures.second[m] : name,
                                       oc__frequency_name(frequency), state->options->source};
        oc__store_writer_measure *measure;
        status = oc__store_writer_add_measure(writer, frame, &spec, &measure, error);
        if (status == OC_OK)
            status = oc__store_writer_write_block(writer, measure, 0, build.area_count, build.matrix, error);
    }
    free_frame(&build);
    return status;
}

static int write_store(importer *state, const char *store_path, oc_error *error)
{
    oc__frequency used[8];
    size_t used_count = 0;
    for (size_t m = 0; m < state->measures.count; m++) {
        if (state->measure_rows[m] == 0)
            continue;
        size_t u = 0;
        while (u < used_count && used[u] != state->measures.frequency[m])
            u++;
        if (u == used_count && used_count < 8)
            used[used_count++] = state->measures.frequency[m];
    }
    oc__store_writer *writer;
    state->summary->output_failed = 1; /* until committed */
    int status = oc__store_writer_create(store_path, &writer, error);
    if (status != OC_OK)
        return status;
    for (size_t u = 0; u < used_count && status == OC_OK; u++)
        status = write_frame(state, writer, used[u], used_count == 1, error);
    if (status != OC_OK) {
        oc__store_writer_abort(writer);
        return status;
    }
    state->summary->frames = used_count;
    status = oc__store_writer_commit(writer, error);
    state->summary->output_failed = status != OC_OK;
    return status;
}

/* The areas the store will hold: those with a row kept. An area is named
 * by every row that mentions it, also by a bad one (a clashing name, say),
 * so the table of areas can hold some that no kept row has. */
static size_t areas_with_rows(const importer *state)
{
    unsigned char *seen = calloc(state->areas.count + 1, 1);
    if (seen == NULL)
        return state->areas.count;
    size_t count = 0;
    for (size_t i = 0; i < state->row_count; i++)
        if (!seen[state->rows[i].area]) {
            seen[state->rows[i].area] = 1;
            count++;
        }
    free(seen);
    return count;
}

int oc__import_csv(const char *csv_path, const char *store_path,
                   const oc__import_options *options, oc__import_summary *summary,
                   oc__import_report report, void *context, oc_error *error)
{
    importer state;
    memset(&state, 0, sizeof state);
    memset(summary, 0, sizeof *summary);
    state.path = csv_path;
    state.options = options;
    state.summary = summary;
    state.report = report;
    state.context = context;
    for (int c = 0; c < COLUMN_COUNT; c++)
        state.column_of[c] = -1;
    state.repeated_column = -1;
    int status = parse_file(&state, error);
    if (status == OC_OK)
        status = check_header(&state, error);
    if (status == OC_OK) {
        drop_duplicates(&state);
        if (count_measure_rows(&state) != OC_OK)
            status = oc_error_set(error, OC_ERROR_NO_MEMORY, "%s: out of memory", csv_path);
        summary->areas = areas_with_rows(&state);
        if (status != OC_OK)
            ;
        else if (summary->bad_rows > 0 && !options->skip_bad_rows)
            status = oc_error_set(error, OC_ERROR_FORMAT, "%s: %zu bad row%s; nothing written (--skip-bad-rows writes the rest)",
                                  csv_path, summary->bad_rows, summary->bad_rows == 1 ? "" : "s");
        else if (state.row_count == 0)
            status = oc_error_set(error, OC_ERROR_FORMAT, "%s: no data rows", csv_path);
    }
    if (status == OC_OK)
        status = resolve_measure_texts(&state, error);
    if (status == OC_OK)
        status = write_store(&state, store_path, error);
    free(state.rows);
    free(state.measure_rows);
    free_table(&state.areas);
    free_table(&state.measures);
    free_table(&state.parents);
    return status;
}
