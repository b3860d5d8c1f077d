/* member_sum.c: see member_sum.h. A run over every constituency adds up
 * each member's series once per measure (757 MB at national size), and
 * this loop was 6-7% of such a run's workers; each width does the same
 * additions in the same order, so choosing one at run time changes no
 * result. */
#include "config.h"

#include <math.h>

#include "member_sum.h"

#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>
#define OC__MEMBER_SUM_X86 1
#endif

static int add_plain(double *sum, const double *member, size_t t, size_t times, size_t checked)
{
    int missing = 0;
    for (; t < times; t++) {
        missing |= t < checked && isnan(member[t]) != 0;
        sum[t] += member[t];
    }
    return missing;
}

#ifdef OC__MEMBER_SUM_X86
static int add_sse2(double *sum, const double *member, size_t times, size_t checked)
{
    size_t t = 0;
    __m128d unordered = _mm_setzero_pd();
    for (; t + 2 <= checked; t += 2) {
        __m128d values = _mm_loadu_pd(member + t);
        unordered = _mm_or_pd(unordered, _mm_cmpunord_pd(values, values));
        _mm_storeu_pd(sum + t, _mm_add_pd(_mm_loadu_pd(sum + t), values));
    }
    int missing = _mm_movemask_pd(unordered) != 0;
    if (t < checked) { /* an odd number checked: the last of them alone */
        missing |= isnan(member[t]) != 0;
        sum[t] += member[t];
        t++;
    }
    for (; t + 2 <= times; t += 2)
        _mm_storeu_pd(sum + t, _mm_add_pd(_mm_loadu_pd(sum + t), _mm_loadu_pd(member + t)));
    return missing | add_plain(sum, member, t, times, checked);
}

/* Compiled for AVX whatever the build's flags, and called only where the
 * processor has it (the build targets every x86-64). */
__attribute__((target("avx"))) static int add_avx(double *sum, const double *member,
                                                   size_t times, size_t checked)
{
    size_t t = 0;
    __m256d unordered = _mm256_setzero_pd();
    for (; t + 4 <= checked; t += 4) {
        __m256d values = _mm256_loadu_pd(member + t);
        unordered = _mm256_or_pd(unordered, _mm256_cmp_pd(values, values, _CMP_UNORD_Q));
        _mm256_storeu_pd(sum + t, _mm256_add_pd(_mm256_loadu_pd(sum + t), values));
    }
    int missing = _mm256_movemask_pd(unordered) != 0;
    for (; t < checked; t++) { /* up to three checked, one at a time */
        missing |= isnan(member[t]) != 0;
        sum[t] += member[t];
    }
    for (; t + 4 <= times; t += 4)
        _mm256_storeu_pd(sum + t,
                         _mm256_add_pd(_mm256_loadu_pd(sum + t), _mm256_loadu_pd(member + t)));
    return missing | add_plain(sum, member, t, times, checked);
}

static int processor_has_avx(void)
{
    static int known = -1; /* each process asks once */
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx") != 0;
    }
    return known;
}
#endif

int oc__member_sum_add(double *sum, const double *member, size_t times, size_t checked,
                       int widest)
{
#ifdef OC__MEMBER_SUM_X86
    if (widest >= OC__MEMBER_SUM_AVX && processor_has_avx())
        return add_avx(sum, member, times, checked);
    if (widest >= OC__MEMBER_SUM_SSE2)
        return add_sse2(sum, member, times, checked);
#else
    (void)widest;
#endif
    return add_plain(sum, member, 0, times, checked);
}
