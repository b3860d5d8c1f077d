/* test_result.c: the result record's lifetime (core/result.c): every
 * number starts NaN and every string NULL, clearing frees the strings (the
 * sanitizer build's leak check proves it) and starts over, a copy owns
 * its strings, and the list grows without losing what it holds. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outcomes/common.h>

#include "check_runner.h"
#include "result.h"

/* Every double member, read through the struct: a field added to
 * oc__result must be added here too. */
static void assert_numbers_nan(const oc__result *r)
{
    const double numbers[] = {r->value, r->ci_lower, r->ci_upper, r->baseline_value,
                              r->change, r->change_pct, r->target_value, r->expected_value,
                              r->progress_pct, r->comparator_change, r->did,
                              r->fiscal_benefit, r->score};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        ck_assert_msg(isnan(numbers[i]), "number %zu is %g, not NaN", i, numbers[i]);
}

static void assert_strings_null(const oc__result *r)
{
    const char *strings[] = {r->metric, r->indicator, r->plugin, r->plugin_version, r->area,
                             r->area_name, r->period, r->baseline_period, r->target_date,
                             r->rag, r->spc_signal, r->spc_rule, r->assurance, r->trend,
                             r->comparator, r->message};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        ck_assert_msg(strings[i] == NULL, "string %zu is not NULL", i);
}

START_TEST(init_sets_nan_null_and_ok)
{
    oc__result result;
    memset(&result, 0x5A, sizeof result); /* garbage, as on the stack */
    oc__result_init(&result);
    assert_numbers_nan(&result);
    assert_strings_null(&result);
    ck_assert_int_eq(result.status, OC_RESULT_OK);
}
END_TEST

START_TEST(clear_frees_every_string_and_reinitialises)
{
    oc__result result;
    oc__result_init(&result);
    char **strings[] = {&result.metric, &result.indicator, &result.plugin,
                        &result.plugin_version, &result.area, &result.area_name,
                        &result.period, &result.baseline_period, &result.target_date,
                        &result.rag, &result.spc_signal, &result.spc_rule, &result.assurance,
                        &result.trend, &result.comparator, &result.message};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        ck_assert_ptr_nonnull(*strings[i] = strdup("owned"));
    result.value = 7700;
    result.score = 96.4;
    result.status = OC_RESULT_FAILED;
    oc__result_clear(&result); /* a leak here fails the sanitizer build */
    assert_numbers_nan(&result);
    assert_strings_null(&result);
    ck_assert_int_eq(result.status, OC_RESULT_OK);
    oc__result_clear(&result); /* twice is harmless: nothing left to free */
    assert_strings_null(&result);
}
END_TEST

START_TEST(copy_owns_every_string_in_one_block)
{
    /* Borrowed strings, as a view of a received stream has them. */
    char area[] = "E05000001", name[] = "Birkenhead and Tranmere", empty[] = "";
    oc__result view;
    oc__result_init(&view);
    view.area = area;
    view.area_name = name;
    view.message = empty;
    view.value = 770;
    view.fiscal_benefit = 6646640;
    view.status = OC_RESULT_INSUFFICIENT_DATA;
    oc__result copy;
    ck_assert_int_eq(oc__result_copy(&copy, &view), OC_OK);
    memset(area, 'x', sizeof area - 1); /* the original may go away */
    memset(name, 'x', sizeof name - 1);
    ck_assert_str_eq(copy.area, "E05000001");
    ck_assert_str_eq(copy.area_name, "Birkenhead and Tranmere");
    ck_assert_str_eq(copy.message, "");
    ck_assert_ptr_null(copy.metric);
    ck_assert_ptr_null(copy.rag);
    ck_assert_ptr_eq(copy.area, copy.text_block);
    ck_assert(copy.value == 770 && copy.fiscal_benefit == 6646640);
    ck_assert(isnan(copy.score));
    ck_assert_int_eq(copy.status, OC_RESULT_INSUFFICIENT_DATA);
    oc__result_clear(&copy); /* one free: a leak or double free fails the sanitizer build */
    assert_strings_null(&copy);

    oc__result none;
    oc__result_init(&none);
    ck_assert_int_eq(oc__result_copy(&copy, &none), OC_OK);
    ck_assert_ptr_null(copy.text_block); /* nothing to hold */
    assert_strings_null(&copy);
}
END_TEST

START_TEST(status_names_follow_the_schema)
{
    /* docs/results.md: status is "ok", "insufficient_data" or "failed". */
    ck_assert_str_eq(oc__result_status_name(OC_RESULT_OK), "ok");
    ck_assert_str_eq(oc__result_status_name(OC_RESULT_INSUFFICIENT_DATA), "insufficient_data");
    ck_assert_str_eq(oc__result_status_name(OC_RESULT_FAILED), "failed");
    ck_assert_str_eq(oc__result_status_name((oc__result_status)7), "failed");
}
END_TEST

START_TEST(list_grows_and_keeps_its_results)
{
    oc__result_list list = {0};
    /* 100 appends: past the first capacity (16) and several doublings. */
    for (size_t i = 0; i < 100; i++) {
        oc__result *result = oc__result_list_append(&list);
        ck_assert_ptr_nonnull(result);
        assert_numbers_nan(result);
        assert_strings_null(result);
        result->value = (double)i;
        char code[16];
        snprintf(code, sizeof code, "E%zu", i);
        ck_assert_ptr_nonnull(result->area = strdup(code));
    }
    ck_assert_uint_eq(list.count, 100);
    ck_assert_uint_ge(list.capacity, 100);
    for (size_t i = 0; i < 100; i++) {
        char code[16];
        snprintf(code, sizeof code, "E%zu", i);
        ck_assert_double_eq(list.items[i].value, (double)i);
        ck_assert_str_eq(list.items[i].area, code);
    }
    oc__result_list_free(&list);
    ck_assert_ptr_null(list.items);
    ck_assert_uint_eq(list.count, 0);
    ck_assert_uint_eq(list.capacity, 0);
    /* A freed list is empty and can be used again. */
    ck_assert_ptr_nonnull(oc__result_list_append(&list));
    ck_assert_uint_eq(list.count, 1);
    oc__result_list_free(&list);
    oc__result_list_free(&list);
}
END_TEST

static Suite *result_suite(void)
{
    Suite *suite = suite_create("result");
    TCase *cases = tcase_create("result");
    tcase_add_test(cases, init_sets_nan_null_and_ok);
    tcase_add_test(cases, clear_frees_every_string_and_reinitialises);
    tcase_add_test(cases, copy_owns_every_string_in_one_block);
    tcase_add_test(cases, status_names_follow_the_schema);
    tcase_add_test(cases, list_grows_and_keeps_its_results);
    suite_add_tcase(suite, cases);
    return suite;
}

int main(void)
{
    return check_runner_run_suite(result_suite());
}
