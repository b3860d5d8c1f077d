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

static int run_import(const oc__import_options *options, oc__import_summary *summary, oc_error *error)
{
    return oc__import_csv(csv_path, store_path, options, summary, collect, NULL, error);
}

START_TEST(test_quarterly_with_names)
{
    /* A byte-order mark, quoted names with commas, every suppression mark,
     * a thousands separator, and the columns in an unusual order. */
    write_csv("\xEF\xBB\xBF" "Area,Period,area_name,area_parent,Measure,Value,units\n"
              "E14000546,2016Q1,\"Birkenhead, Wirral\",E08000015,claimants,\"1,234\",people\n"
              "E14000546,2016Q2,\"Birkenhead, Wirral\",E08000015,claimants,1200.5,people\n"
              "E14001013,2016Q1,Wallasey,E08000015,claimants,x,people\n"
              "E14001013,2016 Q2,Wallasey,E08000015,claimants,c,people\n"
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
    ck_assert_str_eq(oc__store_area_codes(frame)[0], "E14000546");
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
    write_csv(text);
    oc__import_options options = {0};
    oc__import_summary summary;
    oc_error error;
    ck_assert_msg(run_import(&options, &summary, &error) == OC_OK, "%s", error.message);
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

static Suite *import_suite(void)
{
    Suite *suite = suite_create("import_csv");
    TCase *tcase = tcase_create("import");
    tcase_add_checked_fixture(tcase, setup, teardown);
    tcase_add_test(tcase, test_quarterly_with_names);
    tcase_add_test(tcase, test_frames_by_frequency);
    tcase_add_test(tcase, test_bad_rows_write_nothing);
    tcase_add_test(tcase, test_hexadecimal_is_not_a_number);
    tcase_add_test(tcase, test_skip_bad_rows);
    tcase_add_test(tcase, test_refusals);
    tcase_add_test(tcase, test_wide_header);
    tcase_add_test(tcase, test_nul_byte);
    tcase_add_test(tcase, test_repeated_column);
    tcase_add_test(tcase, test_not_utf8);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(import_suite());
}
