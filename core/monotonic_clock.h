/* monotonic_clock.h: the time waits with limits are measured in. The
 * monotonic clock, which neither a change of the date nor an NTP step can
 * move, in one integer, so that deadlines are a sum and a comparison. */
#ifndef OC_MONOTONIC_CLOCK_H
#define OC_MONOTONIC_CLOCK_H

#include <time.h>

static inline long long oc__monotonic_nanoseconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

#endif
