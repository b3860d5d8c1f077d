/* test_number.c: core/number.c, the decimal grammar for people's numbers. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <outcomes/common.h>

#include "check_runner.h"
#include "number.h"

START_TEST(accepts_decimals)
{
    static const struct { const char *text; double value; } cases[] = {
        {"8632", 8632}, {"-10", -10}, {"+5", 5}, {"0.035", 0.035}, {".5", 0.5},
        {"5.", 5}, {"1e3", 1000}, {"1E-3", 0.001}, {"2.5e+2", 250}, {"-0", 0},
        {"007", 7},
        /* strtod says ERANGE for these, but they are doubles: the smallest
         * subnormal, another, and values that round to (negative) zero. */
        {"4.9e-324", 4.9406564584124654e-324}, {"-2.5e-320", -2.5e-320},
        {"2.2250738585072009e-308", 2.2250738585072009e-308}, {"1e-400", 0}, {"-1e-400", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double value = NAN;
        ck_assert_msg(oc__parse_decimal(cases[i].text, &value) == OC_OK, "%s", cases[i].text);
        ck_assert_msg(value == cases[i].value, "%s read as %g", cases[i].text, value);
    }
}
END_TEST

START_TEST(refuses_what_strtod_would_take)
{
    /* strtod reads every one of the first ten; none is a decimal number
     * (the last three are beyond double's range). */
    static const char *const cases[] = {
        "0x10", "0X1p3", "inf", "-Infinity", "nan", " 5", "5 ", "1e999", "-1e999", "1.8e308",
        "", "-", ".", "e5", "1e", "1e+", "1.2.3", "1,000", "5%", "--5", NULL,
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double value = 42;
        ck_assert_msg(oc__parse_decimal(cases[i], &value) == OC_ERROR_INVALID, "'%s' accepted",
                      cases[i] ? cases[i] : "(null)");
        ck_assert_msg(value == 42, "'%s' changed the value on failure", cases[i] ? cases[i] : "(null)");
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("number");
    TCase *tcase = tcase_create("number");
    tcase_add_test(tcase, accepts_decimals);
    tcase_add_test(tcase, refuses_what_strtod_would_take);
    suite_add_tcase(suite, tcase);
    return check_runner_run_suite(suite);
}
