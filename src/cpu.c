/*
 * CPU detection, the only file that asks the CPU anything.
 *
 * x86: cpu_features' report (which includes the OS's register-state
 * support, XCR0) reduced to the flags the kernels need.
 *
 * AArch64: the kernel's own answer, AT_HWCAP's Advanced SIMD bit. Debian's
 * cpu_features for arm64 is built with its debug messages on and prints a
 * line into the program's stdout on every CPU whose AT_HWCAP2 is 0
 * (Cortex-A53/A72, Neoverse-N1, ...), which a library must not do; one bit
 * of the auxiliary vector needs no library anyway.
 */
#include "config.h"
#include "cpu.h"

#if LRELU_HAVE_CPU_FEATURES && (defined(__x86_64__) || defined(__i386__))
#include <cpu_features/cpu_features_cache_info.h>
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
    if (f.f16c)
        flags |= LRELU_CPU_F16C;
    return flags;
}

size_t lrelu_cpu_cache_bytes(void)
{
    /* CPUID's deterministic cache parameters: sizes per cache instance,
     * i.e. what one core reaches (unlike sysconf on some CPUs, which sums
     * the L3 slices of the whole package). */
    const CacheInfo info = GetX86CacheInfo();
    size_t largest = 0;
    for (int i = 0; i < info.size; i++) {
        const CacheLevelInfo *c = &info.levels[i];
        if ((c->cache_type == CPU_FEATURE_CACHE_DATA ||
             c->cache_type == CPU_FEATURE_CACHE_UNIFIED) &&
            c->cache_size > 0 && (size_t)c->cache_size > largest)
            largest = (size_t)c->cache_size;
    }
    return largest;
}

#else

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1ul << 1)
#endif

unsigned lrelu_cpu_detect(void)
{
    return (getauxval(AT_HWCAP) & HWCAP_ASIMD) ? LRELU_CPU_NEON : 0u;
}

#elif defined(__aarch64__)

/* Other AArch64 systems: the ABI's floating point is Advanced SIMD. */
unsigned lrelu_cpu_detect(void) { return LRELU_CPU_NEON; }

#else

unsigned lrelu_cpu_detect(void) { return 0; }

#endif

/* Only the x86 kernels have streaming stores, the one use of the size. */
size_t lrelu_cpu_cache_bytes(void) { return 0; }

#endif
