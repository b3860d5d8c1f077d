/* test_import_csv.c: tidy CSV to a store, read back with the reader.
 * Days since 1970-01-01 worked by hand: 2016-01-01 = 46 * 365 + 11 leap
 * days = 16801; 2016-04-01 = 16801 + 31 + 29 + 31 = 16892; 2016-09-01 =
 * 16801 + 244 (Jan-Aug 2016: 31+29+31+30+31+30+31+31) = 17045. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_runner.h"
#include "import_csv.h"
#include "store.h"

static char directory[64], csv_path[128], store_path[128];
static char reported[4096];

static void setup(void)
{
    snprintf(directory, sizeof directory, "/tmp/test_import_csv.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(directory));
    snprintf(csv_path, sizeof csv_path, "%s/input.csv", directory);
    snprintf(store_path, sizeof store_path, "%s/store.h5", directory);
    reported[0] = '\0';
}

static void teardown(void)
{
    unlink(csv_path);
    unlink(store_path);
    ck_assert_int_eq(rmdir(directory), 0); /* nothing else left behind */
}

static void write_csv(const char *text)
{
    FILE *file = fopen(csv_path, "w");
    fputs(text, file);
    fclose(file);
}

static void collect(void *context, const char *message)
{
    (void)context;
    strncat(reported, message, sizeof reported - strlen(reported) - 2);
    strcat(reported, "\n");
}

/* The problems reported so far include text. */
static void expect_reported(const char *text)
{
    ck_assert_msg(strstr(reported, text) != NULL, "'%s' not in: %s", text, reported);
}

static int run_import(const oc__import_options *options, oc__import_summary *summary, oc_error *error)
{
    return oc__import_csv(csv_path, store_path, options, summary, collect, NULL, error);
}

/* Imports text with no options (but skip_bad_rows), which must succeed;
 * summary (caller-owned) is filled. */
static void expect_imported(const char *text, int skip_bad_rows, oc__import_summary *summary)
{
    oc__import_options options = {0};
    options.skip_bad_rows = skip_bad_rows;
    oc_error error;
    write_csv(text);
    ck_assert_msg(run_import(&options, summary, &error) == OC_OK, "%s", error.message);
}

/* The store's first value: the first area at the first time of the first
 * frame's first measure. */
static double first_stored_value(void)
{
    oc__store *store;
    oc_error error;
    ck_assert_int_eq(oc__store_open(store_path, &store, &error), OC_OK);
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    double values[64];
    ck_assert_uint_le(oc__store_time_count(frame), 64);
    ck_assert_int_eq(oc__store_read_measure_block(frame, oc__store_measure_at(frame, 0), 0, 1,
                                                  values, &error), OC_OK);
    oc__store_close(store);
    return values[0];
}

START_TEST(test_quarterly_with_names)
{
    /* A byte-order mark, quoted names with commas, every suppression mark,
     * a thousands separator, and the columns in an unusual order. */
    write_csv("\xEF\xBB\xBF" "Area,Period,area_name,area_parent,Measure,Value,units\n"
              "E14000559,2016Q1,\"Birkenhead, Wirral\",E08000015,claimants,\"1,234\",people\n"
              "E14000559,2016Q2,\"Birkenhead, Wirral\",E08000015,claimants,1200.5,people\n"
              "E14001010,2016Q1,Wallasey,E08000015,claimants,x,people\n"
              "E14001010,2016 Q2,Wallasey,E08000015,claimants,c,people\n"
              "E14001014,2016Q1,Wirral South,E08000015,claimants,..,people\n"
              "E14001014,2016Q2,Wirral South,E08000015,claimants,*,people\n"
              "E14001015,2016Q1,Wirral West,E08000015,claimants,-,people\n"
              "E14001015,2016Q2,Wirral West,E08000015,claimants,,people\n");
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    ck_assert_msg(run_import(&options, &summary, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.rows, 8);
    ck_assert_uint_eq(summary.values, 2);
    ck_assert_uint_eq(summary.suppressed, 6);
    ck_assert_uint_eq(summary.bad_rows, 0);
    ck_assert_uint_eq(summary.frames, 1);
    ck_assert_uint_eq(summary.areas, 4);
    oc__store *store;
    ck_assert_int_eq(oc__store_open(store_path, &store, &error), OC_OK);
    oc__store_frame *frame = oc__store_find_frame(store, "/");
    ck_assert_ptr_nonnull(frame);
    ck_assert_uint_eq(oc__store_area_count(frame), 4);
    ck_assert_uint_eq(oc__store_time_count(frame), 2);
    ck_assert_int_eq(oc__store_times(frame)[0], 16801);
    ck_assert_int_eq(oc__store_times(frame)[1], 16892);
    ck_assert_str_eq(oc__store_area_codes(frame)[0], "E14000559");
    ck_assert_str_eq(oc__store_area_name(frame, 0), "Birkenhead, Wirral");
    ck_assert_str_eq(oc__store_area_parent(frame, 3), "E08000015");
    const oc__store_measure *measure = oc__store_find_measure(frame, "claimants");
    ck_assert_str_eq(measure->units, "people");
    ck_assert_str_eq(measure->frequency, "quarter");
    double values[8];
    ck_assert_int_eq(oc__store_read_measure_block(frame, measure, 0, 4, values, &error), OC_OK);
    ck_assert_double_eq(values[0], 1234.0);
    ck_assert_double_eq(values[1], 1200.5);
    for (int i = 2; i < 8; i++)
        ck_assert(isnan(values[i]));
    oc__store_close(store);
}
END_TEST

/* Two frequencies make two frames; --academic-years reads 2016/17 as
 * September 2016; the options' units and long names win. */
/* area_parent_name names each area's parent: stored beside area_parent
 * (read back as the engine reads it), one name a parent, and only with a
 * parent. */
START_TEST(test_parent_names)
{
    write_csv("area,period,measure,value,area_parent,area_parent_name,units\n"
              "A1,2016Q1,claimants,10,E14000559,Birkenhead,people\n"
              "A2,2016Q1,claimants,20,E14000559,,people\n"
              "A3,2016Q1,claimants,30,E14001010,Wallasey,people\n"
              "A4,2016Q1,claimants,40,,,people\n");
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    ck_assert_msg(run_import(&options, &summary, &error) == OC_OK, "%s", error.message);
    oc__store *store;
    ck_assert_int_eq(oc__store_open(store_path, &store, &error), OC_OK);
    const oc__store_frame *frame = oc__store_frame_at(store, 0);
    ck_assert_str_eq(oc__store_parent_name(frame, 0), "Birkenhead");
    ck_assert_str_eq(oc__store_parent_name(frame, 1), "Birkenhead"); /* its parent's name */
    ck_assert_str_eq(oc__store_parent_name(frame, 2), "Wallasey");
    ck_assert_ptr_null(oc__store_parent_name(frame, 3));
    oc__store_close(store);

    write_csv("area,period,measure,value,area_parent,area_parent_name,units\n"
              "A1,2016Q1,claimants,10,E14000559,Birkenhead,people\n"
              "A2,2016Q1,claimants,20,E14000559,Wallasey,people\n"
              "A3,2016Q1,claimants,30,,Nowhere,people\n");
    ck_assert_int_eq(run_import(&options, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_uint_eq(summary.bad_rows, 2);
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:3: area_parent_name 'Wallasey' for "
                                           "'E14000559' conflicts with 'Birkenhead' given "
                                           "earlier"));
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:4: area_parent_name 'Nowhere' for 'A3' "
                                           "without an area_parent"));
    /* Written without the bad rows: the summary counts only the areas
     * stored (A2 and A3 had no other row). */
    options.skip_bad_rows = 1;
    ck_assert_msg(run_import(&options, &summary, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.areas, 1);
    ck_assert_int_eq(oc__store_open(store_path, &store, &error), OC_OK);
    ck_assert_uint_eq(oc__store_area_count(oc__store_frame_at(store, 0)), 1);
    oc__store_close(store);
}
END_TEST

START_TEST(test_frames_by_frequency)
{
    write_csv("area,period,measure,value\n"
              "E08000015,2016/17,fsm_gap,27.5\n"
              "E08000015,2017/18,fsm_gap,26\n"
              "E08000015,2016-11,claimants,15000\n");
    oc__import_setting units[] = {{"fsm_gap", "percentage points"}, {NULL, "people"}};
    oc__import_setting long_names[] = {{"fsm_gap", "KS2 FSM attainment gap"}};
    oc__import_options options = {units, 2, long_names, 1, "DfE", 1, 0};
    oc__import_summary summary;
    oc_error error;
    ck_assert_msg(run_import(&options, &summary, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.frames, 2);
    oc__store *store;
    ck_assert_int_eq(oc__store_open(store_path, &store, &error), OC_OK);
    oc__store_frame *academic = oc__store_find_frame(store, "academic_year");
    ck_assert_ptr_nonnull(academic);
    ck_assert_int_eq(oc__store_times(academic)[0], 17045);
    const oc__store_measure *gap = oc__store_find_measure(academic, "fsm_gap");
    ck_assert_str_eq(gap->units, "percentage points");
    ck_assert_str_eq(gap->long_name, "KS2 FSM attainment gap");
    ck_assert_str_eq(gap->source, "DfE");
    oc__store_frame *monthly = oc__store_find_frame(store, "monthly");
    ck_assert_ptr_nonnull(monthly);
    ck_assert_str_eq(oc__store_find_measure(monthly, "claimants")->units, "people");
    /* 2016-11-01 = 16801 + 305 (Jan-Oct 2016). */
    ck_assert_int_eq(oc__store_times(monthly)[0], 17106);
    oc__store_close(store);
}
END_TEST

static const char bad_input[] =
    "area,period,measure,value\n"
    "E1,2016Q1,claimants,10\n"
    "E1,2016Q5,claimants,11\n"       /* line 3: not a period */
    "E1,2016Q2,claimants,lots\n"     /* line 4: not a number */
    "E1,2016Q1,claimants,12\n"       /* line 5: a second value for line 2 */
    "E1,2016Q3\n"                    /* line 6: too few fields */
    "E2,2016Q3,claimants,13\n";

START_TEST(test_bad_rows_write_nothing)
{
    write_csv(bad_input);
    oc__import_setting units[] = {{NULL, "people"}};
    oc__import_options options = {units, 1, NULL, 0, NULL, 0, 0};
    oc__import_summary summary;
    oc_error error;
    ck_assert_int_eq(run_import(&options, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_int_eq(access(store_path, F_OK), -1);
    ck_assert_uint_eq(summary.bad_rows, 4);
    ck_assert_ptr_nonnull(strstr(error.message, "4 bad rows; nothing written"));
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:3: '2016Q5' is not a valid period"));
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:4: value 'lots' is not a number"));
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:5: a second value for area E1, measure claimants, period starting 2016-01-01 (first on line 2)"));
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:6: has 2 fields, the header has 4"));
}
END_TEST

START_TEST(test_hexadecimal_is_not_a_number)
{
    /* strtod would read 0x10 as 16 and 1e999 as infinity. */
    write_csv("area,period,measure,value\n"
              "E1,2016Q1,claimants,0x10\n"
              "E1,2016Q2,claimants,1e999\n");
    oc__import_setting units[] = {{NULL, "people"}};
    oc__import_options options = {units, 1, NULL, 0, NULL, 0, 0};
    oc__import_summary summary;
    oc_error error;
    ck_assert_int_eq(run_import(&options, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_int_eq(access(store_path, F_OK), -1);
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:2: value '0x10' is not a number"));
    ck_assert_ptr_nonnull(strstr(reported, "input.csv:3: value '1e999' is not a number"));
}
END_TEST

START_TEST(test_skip_bad_rows)
{
    write_csv(bad_input);
    oc__import_setting units[] = {{NULL, "people"}};
    oc__import_options options = {units, 1, NULL, 0, NULL, 0, 1};
    oc__import_summary summary;
    oc_error error;
    ck_assert_msg(run_import(&options, &summary, &error) == OC_OK, "%s", error.message);
    ck_assert_uint_eq(summary.bad_rows, 4);
    ck_assert_uint_eq(summary.values, 2); /* lines 2 and 7 */
    oc__store *store;
    ck_assert_int_eq(oc__store_open(store_path, &store, &error), OC_OK);
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    ck_assert_uint_eq(oc__store_area_count(frame), 2);
    ck_assert_uint_eq(oc__store_time_count(frame), 2); /* 2016Q1 and 2016Q3 */
    double values[4];
    ck_assert_int_eq(oc__store_read_measure_block(frame, oc__store_measure_at(frame, 0), 0, 2, values, &error), OC_OK);
    ck_assert_double_eq(values[0], 10);
    ck_assert(isnan(values[1]));
    ck_assert(isnan(values[2]));
    ck_assert_double_eq(values[3], 13);
    oc__store_close(store);
}
END_TEST

START_TEST(test_refusals)
{
    oc__import_options no_units = {0};
    oc__import_summary summary;
    oc_error error;
    write_csv("area,period,value\nE1,2016,3\n");
    ck_assert_int_eq(run_import(&no_units, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_nonnull(strstr(error.message, "input.csv:1: no 'measure' column"));
    write_csv("area,period,measure,value\nE1,2016,spend,3\n");
    ck_assert_int_eq(run_import(&no_units, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_nonnull(strstr(error.message, "measure 'spend' has no units"));
    write_csv("area,period,measure,value\nE1,2016,spend,3\n\"E2,2016,spend,4\n");
    ck_assert_int_eq(run_import(&no_units, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_ptr_nonnull(strstr(error.message, "malformed CSV"));
    write_csv("");
    ck_assert_int_eq(run_import(&no_units, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_int_eq(access(store_path, F_OK), -1);
    unlink(csv_path);
    ck_assert_int_eq(run_import(&no_units, &summary, &error), OC_ERROR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(error.message, csv_path));
}
END_TEST

/* More columns than the importer keeps (64): the extra ones are ignored
 * like any other unknown column, and the row still imports. */
START_TEST(test_wide_header)
{
    char text[4096] = "area,period,measure,value,units";
    char row[1024] = "E1,2016,spend,3,GBP";
    for (int i = 5; i < 70; i++) {
        snprintf(text + strlen(text), sizeof text - strlen(text), ",extra%d", i);
        strcat(row, ",");
    }
    strcat(text, "\n");
    strcat(text, row);
    strcat(text, "\n");
    oc__import_summary summary;
    expect_imported(text, 0, &summary);
    ck_assert_uint_eq(summary.values, 1);
    ck_assert_uint_eq(summary.bad_rows, 0);
}
END_TEST

/* A NUL byte inside a field would cut the text short in C ("1<NUL>000"
 * read as 1): the line is refused instead of misread. */
START_TEST(test_nul_byte)
{
    static const char text[] = "area,period,measure,value,units\nE1,2016,spend,1\0" "000,GBP\n";
    FILE *file = fopen(csv_path, "w");
    ck_assert_uint_eq(fwrite(text, 1, sizeof text - 1, file), sizeof text - 1);
    fclose(file);
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    ck_assert_int_eq(run_import(&options, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_msg(strstr(error.message, "input.csv:2: malformed CSV: a NUL byte") != NULL, "%s",
                  error.message);
    ck_assert_int_eq(access(store_path, F_OK), -1);
}
END_TEST

/* Imports text with no options, which must be refused as a format error
 * whose message holds message, with no store written. */
static void expect_refused(const char *text, const char *message)
{
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    write_csv(text);
    ck_assert_int_eq(run_import(&options, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_msg(strstr(error.message, message) != NULL, "'%s' not in: %s", message,
                  error.message);
    ck_assert_int_eq(access(store_path, F_OK), -1);
}

/* Two columns for one thing: which was meant cannot be guessed, so the
 * file is refused whole, naming both columns, with no row reported. */
START_TEST(test_repeated_column)
{
    expect_refused("area,period,measure,value,units,Value\nE1,2016,spend,3,GBP,4\n",
                   "input.csv:1: columns 4 and 6 both give the value: keep one");
    expect_refused("area_code,period,measure,value,units,area\nE1,2016,spend,3,GBP,E2\n",
                   "input.csv:1: columns 1 and 6 both give the area (area or area_code): keep one");
    ck_assert_str_eq(reported, "");
}
END_TEST

/* A file saved as Windows-1252 ("Ynys M\xf4n"): refused at the line and
 * byte, not stored to come out as "Ynys M\ufffdn" in every result; the
 * same name in UTF-8 imports. */
START_TEST(test_not_utf8)
{
    expect_refused("area,area_name,period,measure,value,units\n"
                   "W1,Ynys M\xc3\xb4n,2016,spend,3,GBP\n"
                   "W2,Ynys M\xf4n,2016,spend,4,GBP\n",
                   "input.csv:3: not UTF-8 at byte 10 of the line (0xF4)");
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    write_csv("area,area_name,period,measure,value,units\n"
              "W1,Ynys M\xc3\xb4n,2016,spend,3,GBP\n");
    ck_assert_msg(run_import(&options, &summary, &error) == OC_OK, "%s", error.message);
}
END_TEST

/* Columns beyond the 64th were once counted but never kept, so a header
 * whose area, period, measure and value came after them had "no 'area'
 * column": any number of columns is read. */
START_TEST(test_known_columns_after_many_others)
{
    char header[4096] = "", row[4096] = "";
    for (int i = 0; i < 70; i++) {
        snprintf(header + strlen(header), sizeof header - strlen(header), "c%d,", i);
        strcat(row, "x,");
    }
    strcat(header, "area,period,measure,value,units\n");
    strcat(row, "E1,2016Q1,claimants,7,people\n");
    char text[8192];
    snprintf(text, sizeof text, "%s%s", header, row);
    oc__import_summary summary;
    expect_imported(text, 0, &summary);
    ck_assert_uint_eq(summary.values, 1);
    ck_assert_double_eq(first_stored_value(), 7);
}
END_TEST

static void expect_not_regular(const char *path, const char *kind)
{
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    char expected[256];
    snprintf(expected, sizeof expected, "%s: is %s, not a regular file", path, kind);
    ck_assert_int_eq(oc__import_csv(path, store_path, &options, &summary, collect, NULL, &error),
                     OC_ERROR_IO);
    ck_assert_msg(strstr(error.message, expected) != NULL, "%s", error.message);
    ck_assert_int_eq(access(store_path, F_OK), -1);
}

/* A FIFO nobody writes to once made import wait for ever, and /dev/zero
 * read until memory ran out: only a regular file is read. */
START_TEST(test_only_regular_files)
{
    ck_assert_int_eq(mkfifo(csv_path, 0600), 0);
    expect_not_regular(csv_path, "a FIFO");
    expect_not_regular("/dev/zero", "a character device");
    expect_not_regular(directory, "a directory");
}
END_TEST

/* A line, or a row of lines (a quote never closed), is read up to
 * OC__IMPORT_MAX_ROW_BYTES, not until memory runs out; a long row within
 * it imports. */
START_TEST(test_row_length_limit)
{
    size_t size = OC__IMPORT_MAX_ROW_BYTES + 100;
    char *text = malloc(size + 200);
    ck_assert_ptr_nonnull(text);
    int header = sprintf(text, "area,period,measure,value,units,note\nE1,2016Q1,m,1,p,");
    /* within the limit: the row is 1 MiB less 100 bytes */
    memset(text + header, 'n', OC__IMPORT_MAX_ROW_BYTES - 100 - 15);
    strcpy(text + header + OC__IMPORT_MAX_ROW_BYTES - 100 - 15, "\n");
    oc__import_summary summary;
    expect_imported(text, 0, &summary);
    unlink(store_path);
    /* one line over the limit, with no line end */
    memset(text + header, 'n', size - header);
    text[size] = '\0';
    expect_refused(text, "input.csv:2: a line longer than 1048576 bytes (1 MiB): not tidy CSV");
    /* short lines inside a quote never closed */
    strcpy(text + header, "\"");
    for (size_t at = header + 1; at + 2 < size; at += 2)
        memcpy(text + at, "n\n", 3);
    expect_refused(text, "input.csv:2: a row longer than 1048576 bytes (1 MiB) from this line on: "
                         "is a quote never closed?");
    free(text);
    expect_refused("area,period,measure,value,units\nE1,2016Q1,m,1,p\n\"E2,2016\n",
                   "input.csv:3: malformed CSV: a quoted field of the row that begins here is "
                   "never closed");
}
END_TEST

/* A quoted field may hold line breaks: the row is named by the line it
 * starts on, and the lines after it are still counted right. */
START_TEST(test_row_named_by_its_first_line)
{
    expect_refused("note,area,period,measure,value,units\n"
                   "\"first\nsecond\",E1,2016Q5,m,1,p\n"
                   "plain,E1,2016Q6,m,1,p\n",
                   "2 bad rows");
    expect_reported("input.csv:2: '2016Q5'");
    expect_reported("input.csv:4: '2016Q6'");
}
END_TEST

/* Lines end at LF, CRLF or a lone CR (Excel's "CSV (Macintosh)"): each
 * counts as one line. */
START_TEST(test_line_ends)
{
    expect_refused("area,period,measure,value,units\r\nE1,2016Q1,m,1,p\r\n\r\nE1,2016Q5,m,1,p\r\n",
                   "1 bad row");
    expect_reported("input.csv:4: '2016Q5'");
    reported[0] = '\0';
    expect_refused("area,period,measure,value,units\rE1,2016Q1,m,1,p\rE1,2016Q5,m,1,p\r",
                   "1 bad row");
    expect_reported("input.csv:3: '2016Q5'");
    oc__import_summary summary;
    expect_imported("area,period,measure,value,units\rE1,2016Q1,m,1,p\rE2,2016Q1,m,2,p", 0, &summary);
    ck_assert_uint_eq(summary.values, 2);
}
END_TEST

/* A measure the store would refuse ('.', an axis's name, a '/') is a bad
 * row named by its line, not an error of the output store. */
START_TEST(test_measure_names_checked_per_row)
{
    expect_refused("area,period,measure,value,units\n"
                   "E1,2016Q1,.,1,p\n"
                   "E1,2016Q1,area,1,p\n"
                   "E1,2016Q1,a/b,1,p\n",
                   "3 bad rows");
    expect_reported("input.csv:2: '.' cannot name a measure");
    expect_reported("input.csv:3: 'area' cannot name a measure");
    expect_reported("input.csv:4: 'a/b' cannot name a measure");
    /* with --skip-bad-rows, the good rows are written */
    oc__import_summary summary;
    expect_imported("area,period,measure,value,units\nE1,2016Q1,.,1,p\nE1,2016Q1,..,2,p\n", 1, &summary);
    ck_assert_uint_eq(summary.bad_rows, 1);
    ck_assert_uint_eq(summary.measures, 1);
}
END_TEST

/* strtod says ERANGE for a subnormal; it is a number all the same. */
START_TEST(test_subnormal_value)
{
    oc__import_summary summary;
    expect_imported("area,period,measure,value,units\nE1,2016Q1,m,4.9e-324,p\n", 0, &summary);
    ck_assert_double_eq(first_stored_value(), 4.9406564584124654e-324);
}
END_TEST

/* Codes and names are text: an escape sequence or a line break in one is
 * refused at its row. */
START_TEST(test_control_characters)
{
    expect_refused("area,area_name,period,measure,value,units\n"
                   "E1\x1b[2K,Wirral,2016Q1,m,1,p\n"
                   "E2,\"Wirral\nSouth\",2016Q1,m,1,p\n"
                   "E3,Wirral,2016Q1,m\t2,1,p\n"
                   "E4,Wirral,2016Q1,m,1,p\x7f\n",
                   "4 bad rows");
    expect_reported("input.csv:2: area holds a control character (0x1B at byte 3)");
    expect_reported("input.csv:3: area_name holds a control character (0x0A at byte 7)");
    expect_reported("input.csv:5: measure holds a control character (0x09 at byte 2)");
    expect_reported("input.csv:6: units holds a control character (0x7F at byte 2)");
}
END_TEST

/* A store that cannot be written (its directory missing) is told apart
 * from bad input, for the exit status (docs/exit-status.md). */
START_TEST(test_output_failure_flagged)
{
    write_csv("area,period,measure,value,units\nE1,2016Q1,m,1,p\n");
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    char missing[256];
    snprintf(missing, sizeof missing, "%s/no-such-directory/store.h5", directory);
    ck_assert_int_ne(oc__import_csv(csv_path, missing, &options, &summary, collect, NULL, &error), OC_OK);
    ck_assert_int_eq(summary.output_failed, 1);
    write_csv("area,period,measure,value,units\nE1,2016Q5,m,1,p\n");
    ck_assert_int_eq(run_import(&options, &summary, &error), OC_ERROR_FORMAT);
    ck_assert_int_eq(summary.output_failed, 0);
}
END_TEST

static Suite *import_suite(void)
{
    Suite *suite = suite_create("import_csv");
    TCase *tcase = tcase_create("import");
    tcase_add_checked_fixture(tcase, setup, teardown);
    tcase_add_test(tcase, test_quarterly_with_names);
    tcase_add_test(tcase, test_parent_names);
    tcase_add_test(tcase, test_frames_by_frequency);
    tcase_add_test(tcase, test_bad_rows_write_nothing);
    tcase_add_test(tcase, test_hexadecimal_is_not_a_number);
    tcase_add_test(tcase, test_skip_bad_rows);
    tcase_add_test(tcase, test_refusals);
    tcase_add_test(tcase, test_wide_header);
    tcase_add_test(tcase, test_nul_byte);
    tcase_add_test(tcase, test_repeated_column);
    tcase_add_test(tcase, test_not_utf8);
    tcase_add_test(tcase, test_known_columns_after_many_others);
    tcase_add_test(tcase, test_only_regular_files);
    tcase_add_test(tcase, test_row_length_limit);
    tcase_add_test(tcase, test_row_named_by_its_first_line);
    tcase_add_test(tcase, test_line_ends);
    tcase_add_test(tcase, test_measure_names_checked_per_row);
    tcase_add_test(tcase, test_subnormal_value);
    tcase_add_test(tcase, test_control_characters);
    tcase_add_test(tcase, test_output_failure_flagged);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(import_suite());
}
