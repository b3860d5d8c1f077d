/*
 * make-demo-store.c: writes the Wirral demo store, deterministically, so
 * the README's first command can run a real evaluation without shipping a
 * binary file. The figures are SYNTHETIC but shaped like Wirral's: the four
 * constituencies (Birkenhead, Wallasey, Wirral South, Wirral West) built
 * from small areas (LSOA-like codes), the Wirral total, and a comparator
 * constituency; with the seeds' headline numbers built in exactly:
 * Birkenhead's ESA/IB claimants are 7,700 in November 2013 and 6,930 (770
 * fewer, the 10% target) in November 2016, when the DWP series ends.
 *
 * Usage: make-demo-store OUTPUT.h5
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "store.h"

#define SMALL_AREAS_PER_CONSTITUENCY 10
#define CONSTITUENCIES 5 /* four in Wirral, then the comparator */
#define SMALL_AREAS (SMALL_AREAS_PER_CONSTITUENCY * CONSTITUENCIES)
#define AREAS (SMALL_AREAS + 1) /* plus the Wirral total row */
#define WIRRAL_SMALL_AREAS (SMALL_AREAS_PER_CONSTITUENCY * 4)

typedef struct constituency {
    const char *code;
    const char *name;
    double claimants_2010, claimants_2013, claimants_2016; /* ESA/IB, November */
    double working_age;          /* residents aged 16-64 */
    double fsm_rate_ks2_2011, fsm_rate_ks2_2017; /* % FSM pupils at the expected standard */
    double other_rate_ks2;
} constituency;

/* Birkenhead's 7,700 and 6,930 are the seeds'; the rest is made up to look
 * plausible (Wallasey falling more slowly, the Wirral South and West seats
 * flat, the comparator falling a little). */
static const constituency constituencies[CONSTITUENCIES] = {
    {"E14000559", "Birkenhead", 8250, 7700, 6930, 88000, 52, 61, 79},
    {"E14001010", "Wallasey", 6300, 6050, 5800, 84000, 54, 59, 80},
    {"E14001043", "Wirral South", 2900, 2850, 2840, 70000, 58, 60, 84},
    {"E14001044", "Wirral West", 2700, 2700, 2760, 68000, 57, 58, 85},
    {"E14000794", "Liverpool Walton", 9100, 8800, 8550, 82000, 50, 54, 77}, /* the comparator */
};

/* Shares of a constituency's counts in each of its small areas: fixed, sum
 * to 1, unequal so that the small areas look different. */
static double small_area_share(int small_area)
{
    static const double weights[SMALL_AREAS_PER_CONSTITUENCY] = {14, 12, 11, 10, 10,
                                                                 9,  9,  9,  8,  8};
    return weights[small_area] / 100.0;
}

/* Splits an integer total over the small areas so that the parts are whole
 * and add up exactly (largest remainder), as published counts do. */
static void split_total(double total, double parts[SMALL_AREAS_PER_CONSTITUENCY])
{
    double remainders[SMALL_AREAS_PER_CONSTITUENCY];
    double assigned = 0;
    for (int i = 0; i < SMALL_AREAS_PER_CONSTITUENCY; i++) {
        double exact = total * small_area_share(i);
        parts[i] = floor(exact);
        remainders[i] = exact - parts[i];
        assigned += parts[i];
    }
    for (double left = round(total - assigned); left > 0; left--) {
        int best = 0;
        for (int i = 1; i < SMALL_AREAS_PER_CONSTITUENCY; i++)
            if (remainders[i] > remainders[best])
                best = i;
        parts[best] += 1;
        remainders[best] = -1;
    }
}

/* Piecewise-linear path through the three November anchors, with a small
 * seasonal swing (claims peak in February), rounded to whole people. */
static double claimants_at(const constituency *c, int year, int month)
{
    double t = year + (month - 1) / 12.0;
    double anchor_2010 = 2010 + 10 / 12.0, anchor_2013 = 2013 + 10 / 12.0,
           anchor_2016 = 2016 + 10 / 12.0;
    double level;
    if (t <= anchor_2013)
        level = c->claimants_2010
                + (c->claimants_2013 - c->claimants_2010) * (t - anchor_2010) / (anchor_2013 - anchor_2010);
    else
        level = c->claimants_2013
                + (c->claimants_2016 - c->claimants_2013) * (t - anchor_2013) / (anchor_2016 - anchor_2013);
    double seasonal = month == 2 ? 0.006 : month == 5 ? 0.002 : month == 8 ? -0.004 : 0;
    if (month == 11)
        seasonal = 0; /* the anchors are exact */
    return round(level * (1 + seasonal));
}

static int fail(const char *what, const oc_error *error)
{
    fprintf(stderr, "make-demo-store: %s: %s\n", what, error->message);
    return EXIT_FAILURE;
}

/* The area axis shared by the small-area frames: small areas, then Wirral. */
typedef struct area_axis {
    char codes[AREAS][16];
    char names[AREAS][64];
    const char *code_pointers[AREAS], *name_pointers[AREAS], *parent_pointers[AREAS];
    const char *parent_name_pointers[AREAS]; /* each small area's constituency's name */
} area_axis;

static void build_area_axis(area_axis *axis)
{
    for (int c = 0; c < CONSTITUENCIES; c++) {
        for (int s = 0; s < SMALL_AREAS_PER_CONSTITUENCY; s++) {
            int a = c * SMALL_AREAS_PER_CONSTITUENCY + s;
            snprintf(axis->codes[a], sizeof axis->codes[a], "E0100%04d", 7100 + a);
            snprintf(axis->names[a], sizeof axis->names[a], "%s %03d", constituencies[c].name, s + 1);
            axis->parent_pointers[a] = constituencies[c].code;
            axis->parent_name_pointers[a] = constituencies[c].name;
        }
    }
    snprintf(axis->codes[SMALL_AREAS], sizeof axis->codes[0], "E08000015");
    snprintf(axis->names[SMALL_AREAS], sizeof axis->names[0], "Wirral");
    axis->parent_pointers[SMALL_AREAS] = NULL;
    axis->parent_name_pointers[SMALL_AREAS] = NULL;
    for (int a = 0; a < AREAS; a++) {
        axis->code_pointers[a] = axis->codes[a];
        axis->name_pointers[a] = axis->names[a];
    }
}

/* Adds a measure whose values the caller computed for every area and time. */
static int add_measure(oc__store_writer *writer, oc__store_writer_frame *frame,
                       const oc__store_measure_spec *spec, size_t area_count, const double *values,
                       oc_error *error)
{
    oc__store_writer_measure *measure;
    int status = oc__store_writer_add_measure(writer, frame, spec, &measure, error);
    if (status == OC_OK)
        status = oc__store_writer_write_block(writer, measure, 0, area_count, values, error);
    return status;
}

/* Wirral's row is the sum of its 40 small areas (what the ONS would publish). */
static void fill_wirral_total(double *values, size_t time_count)
{
    for (size_t t = 0; t < time_count; t++) {
        double sum = 0;
        for (int a = 0; a < WIRRAL_SMALL_AREAS; a++)
            sum += values[(size_t)a * time_count + t];
        values[(size_t)SMALL_AREAS * time_count + t] = sum;
    }
}

enum { QUARTERS = 32 }; /* February 2010 to November 2017 */

static int write_quarterly(oc__store_writer *writer, const area_axis *axis, oc_error *error)
{
    int32_t times[QUARTERS];
    for (int q = 0; q < QUARTERS; q++)
        times[q] = oc__days_from_civil(2010 + q / 4, 2 + 3 * (q % 4), 1);
    oc__store_writer_frame *frame;
    int status = oc__store_writer_add_frame(writer, "quarterly", AREAS, axis->code_pointers,
                                            axis->name_pointers, axis->parent_pointers, QUARTERS,
                                            times, &frame, error);
    if (status == OC_OK)
        status = oc__store_writer_add_parent_names(writer, frame, axis->parent_name_pointers,
                                                   error);
    if (status != OC_OK)
        return status;
    static double claimants[AREAS * QUARTERS], population[AREAS * QUARTERS];
    for (int c = 0; c < CONSTITUENCIES; c++) {
        for (int q = 0; q < QUARTERS; q++) {
            int year = 2010 + q / 4, month = 2 + 3 * (q % 4);
            double claimant_parts[SMALL_AREAS_PER_CONSTITUENCY], population_parts[SMALL_AREAS_PER_CONSTITUENCY];
            /* The DWP series ends in November 2016: later quarters are missing. */
            int published = year < 2016 || (year == 2016 && month <= 11);
            split_total(claimants_at(&constituencies[c], year, month), claimant_parts);
            split_total(constituencies[c].working_age * (1 - 0.002 * (year - 2010)), population_parts);
            for (int s = 0; s < SMALL_AREAS_PER_CONSTITUENCY; s++) {
                size_t a = (size_t)(c * SMALL_AREAS_PER_CONSTITUENCY + s);
                claimants[a * QUARTERS + (size_t)q] = published ? claimant_parts[s] : NAN;
                population[a * QUARTERS + (size_t)q] = population_parts[s];
            }
        }
    }
    /* One suppressed small-area count (Wallasey, May 2012), as DWP does for
     * small numbers: the Wallasey total is then missing for that quarter. */
    claimants[(size_t)(SMALL_AREAS_PER_CONSTITUENCY + 9) * QUARTERS + 9] = NAN;
    fill_wirral_total(claimants, QUARTERS);
    fill_wirral_total(population, QUARTERS);
    const oc__store_measure_spec claimant_spec = {
        "esa_ib_claimants", "people",
        "Out-of-work sickness benefit (ESA and incapacity benefits) claimants", "quarter",
        "Synthetic, shaped like DWP benefit claimants (NI 152 statistical group)"};
    const oc__store_measure_spec population_spec = {
        "working_age_population", "people", "Residents aged 16-64", "quarter",
        "Synthetic, shaped like ONS mid-year estimates"};
    status = add_measure(writer, frame, &claimant_spec, AREAS, claimants, error);
    if (status == OC_OK)
        status = add_measure(writer, frame, &population_spec, AREAS, population, error);
    return status;
}

enum { ACADEMIC_YEARS = 7 }; /* 2010/11 to 2016/17 */

static int write_academic(oc__store_writer *writer, const area_axis *axis, oc_error *error)
{
    int32_t times[ACADEMIC_YEARS];
    for (int y = 0; y < ACADEMIC_YEARS; y++)
        times[y] = oc__days_from_civil(2010 + y, 9, 1);
    oc__store_writer_frame *frame;
    int status = oc__store_writer_add_frame(writer, "academic_year", AREAS, axis->code_pointers,
                                            axis->name_pointers, axis->parent_pointers,
                                            ACADEMIC_YEARS, times, &frame, error);
    if (status == OC_OK)
        status = oc__store_writer_add_parent_names(writer, frame, axis->parent_name_pointers,
                                                   error);
    if (status != OC_OK)
        return status;
    enum { FSM_PUPILS, FSM_ACHIEVING, OTHER_PUPILS, OTHER_ACHIEVING, KS4_FSM_PUPILS,
           KS4_FSM_ACHIEVING, KS4_OTHER_PUPILS, KS4_OTHER_ACHIEVING, SERIES };
    static double data[SERIES][AREAS * ACADEMIC_YEARS];
    for (int c = 0; c < CONSTITUENCIES; c++) {
        const constituency *k = &constituencies[c];
        for (int s = 0; s < SMALL_AREAS_PER_CONSTITUENCY; s++) {
            size_t a = (size_t)(c * SMALL_AREAS_PER_CONSTITUENCY + s);
            for (int y = 0; y < ACADEMIC_YEARS; y++) {
                size_t i = a * ACADEMIC_YEARS + (size_t)y;
                double fsm_rate = k->fsm_rate_ks2_2011
                                  + (k->fsm_rate_ks2_2017 - k->fsm_rate_ks2_2011) * y / (ACADEMIC_YEARS - 1);
                double fsm = 12 + (s % 4) * 3, other = 48 + (s % 3) * 6;
                data[FSM_PUPILS][i] = fsm;
                data[FSM_ACHIEVING][i] = round(fsm * fsm_rate / 100);
                data[OTHER_PUPILS][i] = other;
                data[OTHER_ACHIEVING][i] = round(other * (k->other_rate_ks2 + 0.3 * y) / 100);
                data[KS4_FSM_PUPILS][i] = fsm - 2;
                data[KS4_FSM_ACHIEVING][i] = round((fsm - 2) * (fsm_rate - 22) / 100);
                data[KS4_OTHER_PUPILS][i] = other - 4;
                data[KS4_OTHER_ACHIEVING][i] = round((other - 4) * (k->other_rate_ks2 - 18) / 100);
            }
        }
    }
    static const oc__store_measure_spec specs[SERIES] = {
        {"ks2_fsm_pupils", "pupils", "KS2 pupils eligible for free school meals", "academic_year", "Synthetic, shaped like DfE KS2 attainment"},
        {"ks2_fsm_expected", "pupils", "KS2 FSM pupils at the expected standard in reading, writing and maths", "academic_year", "Synthetic"},
        {"ks2_other_pupils", "pupils", "KS2 pupils not eligible for free school meals", "academic_year", "Synthetic"},
        {"ks2_other_expected", "pupils", "KS2 other pupils at the expected standard", "academic_year", "Synthetic"},
        {"ks4_fsm_pupils", "pupils", "KS4 pupils eligible for free school meals", "academic_year", "Synthetic, shaped like DfE KS4 attainment"},
        {"ks4_fsm_5ac", "pupils", "KS4 FSM pupils with 5 A*-C GCSEs including English and maths", "academic_year", "Synthetic"},
        {"ks4_other_pupils", "pupils", "KS4 pupils not eligible for free school meals", "academic_year", "Synthetic"},
        {"ks4_other_5ac", "pupils", "KS4 other pupils with 5 A*-C GCSEs including English and maths", "academic_year", "Synthetic"},
    };
    for (int m = 0; status == OC_OK && m < SERIES; m++) {
        fill_wirral_total(data[m], ACADEMIC_YEARS);
        status = add_measure(writer, frame, &specs[m], AREAS, data[m], error);
    }
    return status;
}

enum { FINANCIAL_YEARS = 7 }; /* 2010/11 to 2016/17, Wirral only */

static int write_financial(oc__store_writer *writer, oc_error *error)
{
    int32_t times[FINANCIAL_YEARS];
    for (int y = 0; y < FINANCIAL_YEARS; y++)
        times[y] = oc__days_from_civil(2010 + y, 4, 1);
    const char *codes[] = {"E08000015"}, *names[] = {"Wirral"};
    oc__store_writer_frame *frame;
    int status = oc__store_writer_add_frame(writer, "financial_year", 1, codes, names, NULL,
                                            FINANCIAL_YEARS, times, &frame, error);
    if (status != OC_OK)
        return status;
    /* Waste and fly-tipping (NI 192, Defra) and spend: the seeds' £100m
     * acute and £3m prevention in 2013/14, then a gradual rebalancing. */
    static const double household_waste[FINANCIAL_YEARS] = {142300, 140100, 138900, 137600, 136200, 135500, 134800};
    static const double recycled[FINANCIAL_YEARS] = {50400, 50300, 50100, 51200, 52600, 53500, 54200};
    static const double flytipping[FINANCIAL_YEARS] = {2710, 2650, 2590, 2480, 2390, 2300, 2240};
    static const double population[FINANCIAL_YEARS] = {319800, 320300, 320900, 321200, 321900, 322600, 323200};
    static const double acute[FINANCIAL_YEARS] = {96e6, 98e6, 99e6, 100e6, 100e6, 99.5e6, 99e6};
    static const double prevention[FINANCIAL_YEARS] = {3.2e6, 3.1e6, 3.0e6, 3.0e6, 3.6e6, 4.4e6, 5.1e6};
    static const oc__store_measure_spec specs[] = {
        {"household_waste_tonnes", "tonnes", "Household waste collected", "financial_year", "Synthetic, shaped like Defra WasteDataFlow"},
        {"recycled_tonnes", "tonnes", "Household waste sent for reuse, recycling or composting", "financial_year", "Synthetic, shaped like Defra WasteDataFlow (NI 192)"},
        {"flytipping_incidents", "incidents", "Fly-tipping incidents reported", "financial_year", "Synthetic, shaped like Defra fly-tipping statistics"},
        {"population", "people", "Resident population", "financial_year", "Synthetic, shaped like ONS mid-year estimates"},
        {"acute_spend", "pounds", "Spend on acute health services", "financial_year", "Synthetic; the 2013/14 figure is the seeds' 100 million"},
        {"prevention_spend", "pounds", "Spend on prevention and early intervention", "financial_year", "Synthetic; the 2013/14 figure is the seeds' 3 million"},
    };
    const double *series[] = {household_waste, recycled, flytipping, population, acute, prevention};
    for (size_t m = 0; status == OC_OK && m < sizeof specs / sizeof specs[0]; m++)
        status = add_measure(writer, frame, &specs[m], 1, series[m], error);
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-demo-store OUTPUT.h5\n");
        return 2;
    }
    static area_axis axis;
    build_area_axis(&axis);
    oc_error error;
    oc__store_writer *writer;
    if (oc__store_writer_create(argv[1], &writer, &error) != OC_OK)
        return fail(argv[1], &error);
    int status = write_quarterly(writer, &axis, &error);
    if (status == OC_OK)
        status = write_academic(writer, &axis, &error);
    if (status == OC_OK)
        status = write_financial(writer, &error);
    if (status != OC_OK) {
        oc__store_writer_abort(writer);
        return fail(argv[1], &error);
    }
    if (oc__store_writer_commit(writer, &error) != OC_OK)
        return fail(argv[1], &error);
    return EXIT_SUCCESS;
}
