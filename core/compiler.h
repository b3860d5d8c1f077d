/* compiler.h: the one compiler-specific hint the hot paths use. */
#ifndef OC_COMPILER_H
#define OC_COMPILER_H

/* For the few small functions of the per-result paths (decoding records,
 * formatting numbers) that GCC would otherwise call: a national run calls
 * each of them millions of times. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#endif
