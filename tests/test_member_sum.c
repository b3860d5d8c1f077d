/* test_member_sum.c: core/member_sum.c adds a member's series into a sum
 * with the same bits at every width (plain, SSE2, AVX where the processor
 * has it) as one value at a time, and finds a missing value exactly when
 * one lies among the values checked, whatever the lengths (odd ones and
 * those shorter than a vector included). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check_runner.h"
#include "member_sum.h"

#define LONGEST 245

/* The reference: the definition, one value at a time. */
static int reference_add(double *sum, const double *member, size_t times, size_t checked)
{
    int missing = 0;
    for (size_t t = 0; t < times; t++) {
        if (t < checked && isnan(member[t]))
            missing = 1;
        sum[t] = sum[t] + member[t];
    }
    return missing;
}

/* A deterministic value with bits in every place (xorshift). */
static double some_value(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (double)(*state % 2000001) / 7.0 - 100000.0;
}

static int same_bits(double left, double right)
{
    uint64_t a, b;
    memcpy(&a, &left, sizeof a);
    memcpy(&b, &right, sizeof b);
    return a == b || (isnan(left) && isnan(right));
}

/* Every width against the reference, for every length up to LONGEST and
 * checked counts around the vector sizes, with a NaN at `gap` (or none:
 * gap >= times). */
static void check_all(size_t gap)
{
    uint64_t state = 0x9e3779b97f4a7c15u + gap;
    double member[LONGEST], start[LONGEST], expected[LONGEST], got[LONGEST];
    for (size_t t = 0; t < LONGEST; t++) {
        member[t] = t == gap ? NAN : some_value(&state);
        start[t] = some_value(&state);
    }
    /* every length up to 20, and around the 240 months of a national
     * store; each with checked counts around the vector sizes */
    for (size_t times = 0; times <= LONGEST; times = times == 20 ? 236 : times + 1) {
        size_t checks[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, times / 2, times > 0 ? times - 1 : 0, times};
        for (size_t c = 0; c < sizeof checks / sizeof checks[0]; c++) {
            size_t checked = checks[c] <= times ? checks[c] : times;
            memcpy(expected, start, sizeof start);
            int expected_missing = reference_add(expected, member, times, checked);
            if (expected_missing != (gap < checked))
                ck_abort_msg("the reference is wrong: gap %zu, %zu checked", gap, checked);
            for (int widest = OC__MEMBER_SUM_PLAIN; widest <= OC__MEMBER_SUM_WIDEST; widest++) {
                memcpy(got, start, sizeof start);
                int missing = oc__member_sum_add(got, member, times, checked, widest);
                if (missing != expected_missing)
                    ck_abort_msg("width %d, %zu times, %zu checked, gap at %zu: missing %d",
                                 widest, times, checked, gap, missing);
                for (size_t t = 0; t < LONGEST; t++)
                    if (!same_bits(got[t], expected[t]))
                        ck_abort_msg("width %d, %zu times, %zu checked: sum[%zu] %.17g, not %.17g",
                                     widest, times, checked, t, got[t], expected[t]);
            }
        }
    }
}

START_TEST(every_width_adds_the_same_bits)
{
    check_all(LONGEST); /* no missing value */
}
END_TEST

START_TEST(a_missing_value_is_found_where_it_is_checked)
{
    /* at the start, inside a vector, at each lane, in an odd tail */
    static const size_t gaps[] = {0, 1, 2, 3, 4, 5, 6, 7, 100, 238, 239, 240, 243, 244};
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++)
        check_all(gaps[i]);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("member_sum");
    TCase *tcase = tcase_create("member_sum");
    tcase_add_test(tcase, every_width_adds_the_same_bits);
    tcase_add_test(tcase, a_missing_value_is_found_where_it_is_checked);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
