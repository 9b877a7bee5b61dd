/* What the CPU and the operating system support, as flags. */
#ifndef LRELU_CPU_H
#define LRELU_CPU_H

#include <stddef.h>

enum {
    LRELU_CPU_SSE2 = 1u << 0,
    LRELU_CPU_AVX2 = 1u << 1,   /* AVX2, with the OS saving YMM state */
    LRELU_CPU_AVX512 = 1u << 2, /* AVX-512F, with the OS saving ZMM and mask state */
    LRELU_CPU_NEON = 1u << 3,   /* AArch64 Advanced SIMD */
    LRELU_CPU_F16C = 1u << 4    /* F16C (half-float conversions), with the OS saving YMM state */
};

/* The flags of this machine; 0 where nothing beyond the C baseline is known. */
unsigned lrelu_cpu_detect(void);

/* The size in bytes of the largest data or unified cache one core reaches
 * (the last-level cache), as the CPU reports it; 0 when unknown. */
size_t lrelu_cpu_cache_bytes(void);

#endif /* LRELU_CPU_H */
