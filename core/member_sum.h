/* member_sum.h: adding a member area's series into its parent's sum, the
 * innermost loop of a job over parent areas (core/engine_evaluate.c). */
#ifndef OC_MEMBER_SUM_H
#define OC_MEMBER_SUM_H

#include <stddef.h>

/* How wide the additions may be: the widest the processor has, up to this
 * (tests compare every width with the plain loop). */
enum {
    OC__MEMBER_SUM_PLAIN = 0, /* one value at a time */
    OC__MEMBER_SUM_SSE2 = 1,  /* two, where built for x86-64 (every one has SSE2) */
    OC__MEMBER_SUM_AVX = 2,   /* four, where the processor and system support AVX */
    OC__MEMBER_SUM_WIDEST = OC__MEMBER_SUM_AVX
};

/* Adds member[0..times) into sum[0..times), time by time; returns 1 when
 * any of member's first `checked` values (checked <= times) is NaN, else
 * 0. Each sum[t] gets one addition, so whatever the width the totals are
 * the same to the last bit. Both arrays are borrowed. */
int oc__member_sum_add(double *sum, const double *member, size_t times, size_t checked,
                       int widest);

#endif
