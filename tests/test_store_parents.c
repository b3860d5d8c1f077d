/* test_store_parents.c: core/store_parents.c, a frame's areas grouped by
 * parent code. Stores are written with the store writer and read back;
 * the grouping is checked against the definition worked out the obvious
 * way here (a stable sort by parent code with strcmp). */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_runner.h"
#include "store.h"
#include "temporary_directory.h"

/* Writes path: one root frame of area_count areas with these codes,
 * parents (NULL for no area_parent dataset; an entry NULL or "" for an
 * area without one) and parents' names (NULL for no area_parent_name), and
 * one measure. */
static void write_frame(const char *path, size_t area_count, const char *const *codes,
                        const char *const *parents, const char *const *parent_names)
{
    const int32_t times[2] = {16801, 16832};
    oc__store_writer *writer;
    oc__store_writer_frame *frame;
    oc__store_writer_measure *measure;
    oc__store_measure_spec spec = {"claimants", "people", "Claimants", "month", "test"};
    oc_error error;
    ck_assert_int_eq(oc__store_writer_create(path, &writer, &error), OC_OK);
    ck_assert_int_eq(oc__store_writer_add_frame(writer, NULL, area_count, codes, NULL, parents,
                                                2, times, &frame, &error), OC_OK);
    ck_assert_msg(oc__store_writer_add_parent_names(writer, frame, parent_names, &error) == OC_OK,
                  "%s", error.message);
    ck_assert_int_eq(oc__store_writer_add_measure(writer, frame, &spec, &measure, &error), OC_OK);
    ck_assert_msg(oc__store_writer_commit(writer, &error) == OC_OK, "%s", error.message);
}

/* write_frame with codes A000000, A000001, ..., and opens it. */
static oc__store *write_and_open(size_t area_count, const char *const *parents)
{
    char (*texts)[16] = calloc(area_count, sizeof *texts);
    const char **codes = calloc(area_count, sizeof *codes);
    ck_assert_ptr_nonnull(texts);
    ck_assert_ptr_nonnull(codes);
    for (size_t a = 0; a < area_count; a++) {
        snprintf(texts[a], sizeof texts[a], "A%06zu", a);
        codes[a] = texts[a];
    }
    write_frame(test_path("store.h5"), area_count, codes, parents, NULL);
    free(codes);
    free(texts);
    oc_error error;
    oc__store *store = NULL;
    ck_assert_msg(oc__store_open(test_path("store.h5"), &store, &error) == OC_OK, "%s",
                  error.message);
    return store;
}

/* The definition: areas with a parent, stably sorted by parent code. */
static const char *const *definition_parents;

static int by_parent_then_area(const void *left, const void *right)
{
    size_t a = *(const size_t *)left, b = *(const size_t *)right;
    int order = strcmp(definition_parents[a], definition_parents[b]);
    return order != 0 ? order : (a > b) - (a < b);
}

static void assert_grouped_as_defined(size_t area_count, const char *const *parents)
{
    size_t *expected = calloc(area_count + 1, sizeof *expected);
    ck_assert_ptr_nonnull(expected);
    size_t expected_count = 0;
    for (size_t a = 0; a < area_count; a++)
        if (parents[a] != NULL && parents[a][0] != '\0')
            expected[expected_count++] = a;
    definition_parents = parents;
    qsort(expected, expected_count, sizeof *expected, by_parent_then_area);

    oc__store *store = write_and_open(area_count, parents);
    oc__store_frame *frame = oc__store_frame_at(store, 0);
    const size_t *order;
    size_t count;
    ck_assert_int_eq(oc__store_parent_order(frame, &order, &count), OC_OK);
    ck_assert_uint_eq(count, expected_count);
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(order[i] == expected[i], "position %zu: area %zu, expected %zu (%s)", i,
                      order[i], expected[i], parents[expected[i]]);
    /* The groups: each distinct code once, in strcmp order, each with the
     * contiguous range of order that holds exactly its members. */
    const oc__store_parent_group *groups;
    size_t group_count;
    ck_assert_int_eq(oc__store_parent_groups(frame, &groups, &group_count), OC_OK);
    size_t covered = 0;
    for (size_t g = 0; g < group_count; g++) {
        ck_assert_uint_eq(groups[g].first, covered);
        ck_assert_uint_gt(groups[g].count, 0);
        if (g > 0)
            ck_assert_int_lt(strcmp(groups[g - 1].code, groups[g].code), 0);
        for (size_t i = groups[g].first; i < groups[g].first + groups[g].count; i++)
            ck_assert_str_eq(parents[order[i]], groups[g].code);
        covered += groups[g].count;
    }
    ck_assert_uint_eq(covered, count);
    /* Kept: asked again, the same grouping, not worked out anew. */
    const size_t *again;
    size_t again_count;
    ck_assert_int_eq(oc__store_parent_order(frame, &again, &again_count), OC_OK);
    ck_assert_ptr_eq(again, order);
    ck_assert_uint_eq(again_count, count);
    oc__store_close(store);
    free(expected);
}

/* Parents out of order, repeated apart, "P10" before "P2" (strcmp, not
 * numbers), areas without a parent left out. */
START_TEST(areas_are_grouped_by_parent_code_in_area_order)
{
    static const char *const parents[] = {"P2", "P1", "",   "P2", NULL, "P10",
                                          "P1", "P2", "P10", "",  "Q",  "P1"};
    assert_grouped_as_defined(sizeof parents / sizeof parents[0], parents);
}
END_TEST

/* Many areas and parents, shuffled, with multi-byte UTF-8 codes: a hash
 * index that lost or merged a parent, or a counting sort that put a group
 * in the wrong place, would show here. */
START_TEST(a_large_shuffled_frame_is_grouped_as_defined)
{
    enum { AREAS = 5000, PARENTS = 577 };
    static char texts[PARENTS][24];
    static const char *parents[AREAS];
    for (size_t p = 0; p < PARENTS; p++)
        snprintf(texts[p], sizeof texts[p], p % 7 == 0 ? "Ynys M\xc3\xb4n %zu" : "E14%06zu",
                 (p * 7919) % 100003);
    uint64_t state = 0x9e3779b97f4a7c15u;
    for (size_t a = 0; a < AREAS; a++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        size_t pick = (size_t)(state >> 33) % (PARENTS + 20);
        parents[a] = pick < PARENTS ? texts[pick] : ""; /* some without a parent */
    }
    assert_grouped_as_defined(AREAS, parents);
}
END_TEST

START_TEST(a_frame_without_parents_has_no_groups)
{
    oc__store *store = write_and_open(5, NULL);
    const size_t *order;
    size_t count = 99;
    ck_assert_int_eq(oc__store_parent_order(oc__store_frame_at(store, 0), &order, &count), OC_OK);
    ck_assert_uint_eq(count, 0);
    const oc__store_parent_group *groups;
    size_t group_count = 99;
    ck_assert_int_eq(oc__store_parent_groups(oc__store_frame_at(store, 0), &groups, &group_count),
                     OC_OK);
    ck_assert_uint_eq(group_count, 0);
    oc__store_close(store);

    static const char *const none[] = {"", "", NULL};
    assert_grouped_as_defined(3, none);
}
END_TEST

/* area_parent_name, written beside area_parent and read back as the host
 * reads it (in a child, over a pipe) and directly: each area's parent's
 * name, NULL where there is no parent or no name. */
START_TEST(parent_names_are_read_back_both_ways)
{
    static const char *const codes[] = {"A1", "A2", "A3", "C"};
    static const char *const parents[] = {"P1", "P1", "P2", ""};
    static const char *const names[] = {"Birkenhead", "Birkenhead", "", NULL};
    const char *path = test_path("named.h5");
    write_frame(path, 4, codes, parents, names);
    oc_error error;
    for (int contained = 0; contained <= 1; contained++) {
        oc__store *store = NULL;
        int status = contained ? oc__store_open_contained(path, &store, &error)
                               : oc__store_open(path, &store, &error);
        ck_assert_msg(status == OC_OK, "%s", error.message);
        const oc__store_frame *read = oc__store_frame_at(store, 0);
        ck_assert_str_eq(oc__store_parent_name(read, 0), "Birkenhead");
        ck_assert_str_eq(oc__store_parent_name(read, 1), "Birkenhead");
        ck_assert_ptr_null(oc__store_parent_name(read, 2)); /* a parent without a name */
        ck_assert_ptr_null(oc__store_parent_name(read, 3)); /* no parent */
        ck_assert_ptr_null(oc__store_parent_name(read, 4)); /* past the last area */
        ck_assert_uint_eq(oc__store_measure_count(read), 1); /* not a measure */
        oc__store_close(store);
    }
    /* Without the dataset: no names, however many parents. */
    oc__store *store = write_and_open(4, parents);
    ck_assert_ptr_null(oc__store_parent_name(oc__store_frame_at(store, 0), 0));
    oc__store_close(store);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("store_parents");
    TCase *tcase = tcase_create("store_parents");
    tcase_add_checked_fixture(tcase, make_test_directory, remove_test_directory);
    tcase_add_test(tcase, areas_are_grouped_by_parent_code_in_area_order);
    tcase_add_test(tcase, a_large_shuffled_frame_is_grouped_as_defined);
    tcase_add_test(tcase, a_frame_without_parents_has_no_groups);
    tcase_add_test(tcase, parent_names_are_read_back_both_ways);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
