/*
 * CPU detection, the only file that asks the CPU anything: cpu_features'
 * report (which includes the OS's register-state support, XCR0) reduced to
 * the flags the kernels need.
 */
#include "config.h"
#include "cpu.h"

#if LRELU_HAVE_CPU_FEATURES && (defined(__x86_64__) || defined(__i386__))
#include <cpu_features/cpuinfo_x86.h>

unsigned lrelu_cpu_detect(void)
{
    const X86Features f = GetX86Info().features;
    unsigned flags = 0;
    /* cpu_features' fields are signed 1-bit bitfields: a set flag reads -1. */
    if (f.sse2)
        flags |= LRELU_CPU_SSE2;
    if (f.avx2)
        flags |= LRELU_CPU_AVX2;
    if (f.avx512f)
        flags |= LRELU_CPU_AVX512;
    return flags;
}

#elif LRELU_HAVE_CPU_FEATURES && defined(__aarch64__)
#include <cpu_features/cpuinfo_aarch64.h>

unsigned lrelu_cpu_detect(void) { return GetAarch64Info().features.asimd ? LRELU_CPU_NEON : 0u; }

#else

unsigned lrelu_cpu_detect(void) { return 0; }

#endif
