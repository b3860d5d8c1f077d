/* store_dump.c: `store_dump FILE` prints every value of a store through
 * the store reader, one "frame|area|date|measure|value" line each, so the
 * interoperability test can compare what outcomes reads with what xarray
 * reads. Values are printed with %.6f, missing ones as "nan". */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "period.h"
#include "store.h"

static int dump_frame(oc__store_frame *frame)
{
    size_t area_count = oc__store_area_count(frame), time_count = oc__store_time_count(frame);
    double *values = malloc(time_count * sizeof *values);
    if (values == NULL)
        return 1;
    for (size_t m = 0; m < oc__store_measure_count(frame); m++) {
        const oc__store_measure *measure = oc__store_measure_at(frame, m);
        for (size_t a = 0; a < area_count; a++) {
            oc_error error;
            if (oc__store_read_measure_block(frame, measure, a, 1, values, &error) != OC_OK) {
                fprintf(stderr, "%s\n", error.message);
                free(values);
                return 1;
            }
            for (size_t t = 0; t < time_count; t++) {
                char date[OC__DATE_TEXT_SIZE];
                oc__format_date(oc__store_times(frame)[t], date, sizeof date);
                if (isnan(values[t]))
                    printf("%s|%s|%s|%s|nan\n", oc__store_frame_name(frame), oc__store_area_codes(frame)[a],
                           date, measure->name);
                else
                    printf("%s|%s|%s|%s|%.6f\n", oc__store_frame_name(frame), oc__store_area_codes(frame)[a],
                           date, measure->name, values[t]);
            }
        }
    }
    free(values);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: store_dump FILE\n");
        return 2;
    }
    oc__store *store;
    oc_error error;
    if (oc__store_open(argv[1], &store, &error) != OC_OK) {
        fprintf(stderr, "%s\n", error.message);
        return 1;
    }
    int failed = 0;
    for (size_t f = 0; f < oc__store_frame_count(store) && !failed; f++)
        failed = dump_frame(oc__store_frame_at(store, f));
    oc__store_close(store);
    return failed;
}
