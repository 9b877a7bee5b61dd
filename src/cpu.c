/*
 * CPU detection, the only file that asks the CPU anything.
 *
 * x86 flags: cpu_features' report (which includes the OS's register-state
 * support, XCR0) reduced to the flags the kernels need. Where it reports
 * nothing (a vendor it does not know; no XCR0 and no /proc/cpuinfo to ask
 * instead; a build without it, such as i386), CPUID and XGETBV read here.
 * SSE2 is architectural on x86-64: never below it there.
 *
 * The streaming threshold, in this order: LRELU_STREAM_THRESHOLD; the
 * largest data or unified cache in cpu_features' GetX86CacheInfo; the same
 * from CPUID's deterministic cache parameters read here (leaf 4 on Intel,
 * 0x8000001D on AMD); a constant. (Some hypervisors hide leaf 0x8000001D,
 * and cpu_features 0.7 reads no other AMD leaf. The legacy AMD leaf
 * 0x80000006, which glibc's sysconf reads, gives the whole package's L3,
 * not what one core reaches, so it is not used.)
 *
 * AArch64: the kernel's own answer, AT_HWCAP's Advanced SIMD bit. Debian's
 * cpu_features for arm64 is built with its debug messages on and prints a
 * line into the program's stdout on every CPU whose AT_HWCAP2 is 0
 * (Cortex-A53/A72, Neoverse-N1, ...), which a library must not do; one bit
 * of the auxiliary vector needs no library anyway.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu.h"
#include "env.h"

#if defined(__x86_64__) || defined(__i386__)
#define CPU_X86 1
#include <cpuid.h>
#if LRELU_HAVE_CPU_FEATURES
#include <cpu_features/cpu_features_cache_info.h>
#include <cpu_features/cpuinfo_x86.h>
#endif
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1ul << 1)
#endif
#endif

/* ---- Pure functions ---------------------------------------------------- */

#define BIT(n) (1u << (n))

unsigned lrelu_cpu_x86_flags(const struct lrelu_x86_id *id)
{
    const uint32_t c1 = id->leaf1.ecx, d1 = id->leaf1.edx, b7 = id->leaf7.ebx, c7 = id->leaf7.ecx;
    /* XCR0 exists only when the OS has set CR4.OSXSAVE, which CPUID.1:ECX
     * bit 27 mirrors; bits 1-2: XMM and YMM state; 5-7: opmask, ZMM0-15
     * upper halves, ZMM16-31. */
    const int os_ymm = (c1 & BIT(27)) && (id->xcr0 & 0x06) == 0x06;
    const int os_zmm = os_ymm && (id->xcr0 & 0xe6) == 0xe6;
    const int avx = os_ymm && (c1 & BIT(28));
    unsigned flags = 0;
    if (d1 & BIT(26))
        flags |= LRELU_CPU_SSE2;
    if (avx && (b7 & BIT(5)))
        flags |= LRELU_CPU_AVX2;
    if (avx && (c1 & BIT(29)))
        flags |= LRELU_CPU_F16C;
    /* The AVX-512 kernel is built with -mavx512f, which implies AVX2. */
    if (os_zmm && (flags & LRELU_CPU_AVX2) && (b7 & BIT(16)))
        flags |= LRELU_CPU_AVX512;
    /* Extensions of AVX-512F: only with it. */
    if ((flags & LRELU_CPU_AVX512) && (b7 & BIT(30)))
        flags |= LRELU_CPU_AVX512BW;
    if ((flags & LRELU_CPU_AVX512) && (c7 & BIT(1)))
        flags |= LRELU_CPU_AVX512VBMI;
    return flags;
}

unsigned lrelu_cpu_report_flags(const struct lrelu_cpu_report *r)
{
    /* cpu_features gates avx, avx2 and avx512f on the OS's support, and in
     * some versions not f16c: its OS gate is AVX's. */
    unsigned flags = 0;
    if (r->sse2)
        flags |= LRELU_CPU_SSE2;
    if (r->avx && r->avx2)
        flags |= LRELU_CPU_AVX2;
    if (r->avx && r->f16c)
        flags |= LRELU_CPU_F16C;
    if ((flags & LRELU_CPU_AVX2) && r->avx512f)
        flags |= LRELU_CPU_AVX512;
    if ((flags & LRELU_CPU_AVX512) && r->avx512bw)
        flags |= LRELU_CPU_AVX512BW;
    if ((flags & LRELU_CPU_AVX512) && r->avx512vbmi)
        flags |= LRELU_CPU_AVX512VBMI;
    return flags;
}

unsigned lrelu_cpu_x86_choose(unsigned from_cpu_features, unsigned from_cpuid, int sse2_baseline)
{
    unsigned flags = (from_cpu_features & LRELU_CPU_SSE2) ? from_cpu_features : from_cpuid;
    if (sse2_baseline)
        flags |= LRELU_CPU_SSE2;
    return flags;
}

static int is_vendor(const struct lrelu_cpuid_regs *leaf0, const char *name)
{
    char v[12];
    memcpy(v, &leaf0->ebx, 4);
    memcpy(v + 4, &leaf0->edx, 4);
    memcpy(v + 8, &leaf0->ecx, 4);
    return memcmp(v, name, 12) == 0;
}

uint32_t lrelu_cpu_cache_leaf(const struct lrelu_cpuid_regs *leaf0, uint32_t max_ext,
                              uint32_t ext1_ecx)
{
    if (is_vendor(leaf0, "GenuineIntel") || is_vendor(leaf0, "CentaurHauls") ||
        is_vendor(leaf0, "  Shanghai  "))
        return leaf0->eax >= 4 ? 4 : 0;
    if (is_vendor(leaf0, "AuthenticAMD") || is_vendor(leaf0, "HygonGenuine"))
        return max_ext >= 0x8000001D && (ext1_ecx & BIT(22)) ? 0x8000001D : 0;
    return 0;
}

size_t lrelu_cpu_cache_from_subleaves(const struct lrelu_cpuid_regs *sub, size_t count)
{
    uint64_t largest = 0;
    for (size_t i = 0; i < count; i++) {
        const unsigned type = sub[i].eax & 0x1f; /* 1 data, 2 instruction, 3 unified */
        if (type == 0)
            break;
        if (type != 1 && type != 3)
            continue;
        const uint64_t ways = (sub[i].ebx >> 22) + 1, partitions = ((sub[i].ebx >> 12) & 0x3ff) + 1,
                       line = (sub[i].ebx & 0xfff) + 1, sets = (uint64_t)sub[i].ecx + 1;
        const uint64_t per_set = ways * partitions * line; /* < 2^32 */
        const uint64_t size = per_set > UINT64_MAX / sets ? UINT64_MAX : per_set * sets;
        if (size > largest)
            largest = size;
    }
    return largest > SIZE_MAX ? SIZE_MAX : (size_t)largest;
}

int lrelu_cpu_parse_bytes(const char *value, size_t *bytes)
{
    if (lrelu_name_equal(value, "off")) {
        *bytes = SIZE_MAX;
        return 0;
    }
    const char *p = value;
    if (*p < '0' || *p > '9')
        return -1;
    uint64_t n = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        const unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return -1;
        n = n * 10 + d;
    }
    unsigned shift = 0;
    if (*p != '\0') {
        switch (lrelu_ascii_lower((unsigned char)*p)) {
        case 'k':
            shift = 10;
            break;
        case 'm':
            shift = 20;
            break;
        case 'g':
            shift = 30;
            break;
        default:
            return -1;
        }
        p++;
        if (*p != '\0' && !lrelu_name_equal(p, "ib"))
            return -1;
    }
    if (n > (UINT64_MAX >> shift))
        return -1;
    n <<= shift;
    *bytes = n == 0 || n > SIZE_MAX ? SIZE_MAX : (size_t)n;
    return 0;
}

size_t lrelu_cpu_stream_choose(const char *env, size_t from_cpu_features, size_t from_cpuid,
                               uint32_t cpuid_leaf, enum lrelu_stream_source *source,
                               int *malformed)
{
    *malformed = 0;
    if (env != NULL && env[0] != '\0') {
        size_t bytes;
        if (lrelu_cpu_parse_bytes(env, &bytes) == 0) {
            *source = LRELU_STREAM_FROM_ENV;
            return bytes;
        }
        *malformed = 1;
    }
    if (from_cpu_features != 0) {
        *source = LRELU_STREAM_FROM_CPU_FEATURES;
        return from_cpu_features;
    }
    if (from_cpuid != 0 && (cpuid_leaf == 4 || cpuid_leaf == 0x8000001D)) {
        *source = cpuid_leaf == 4 ? LRELU_STREAM_FROM_CPUID_4 : LRELU_STREAM_FROM_CPUID_8000001D;
        return from_cpuid;
    }
    *source = LRELU_STREAM_FROM_DEFAULT;
    return LRELU_CPU_DEFAULT_CACHE_BYTES;
}

const char *lrelu_cpu_stream_source_name(enum lrelu_stream_source source)
{
    switch (source) {
    case LRELU_STREAM_FROM_ENV:
        return "LRELU_STREAM_THRESHOLD";
    case LRELU_STREAM_FROM_CPU_FEATURES:
        return "cpu_features";
    case LRELU_STREAM_FROM_CPUID_4:
        return "cpuid leaf 4";
    case LRELU_STREAM_FROM_CPUID_8000001D:
        return "cpuid leaf 0x8000001d";
    case LRELU_STREAM_FROM_DEFAULT:
        break;
    }
    return "default";
}

/* ---- What this machine says ------------------------------------------- */

#if defined(CPU_X86)

static struct lrelu_cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct lrelu_cpuid_regs r = {0, 0, 0, 0};
    /* 0 for a leaf past the maximum (and, on i386, without CPUID at all). */
    if (__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx) == 0)
        r = (struct lrelu_cpuid_regs){0, 0, 0, 0};
    return r;
}

unsigned lrelu_cpu_detect_from_cpuid(void)
{
    struct lrelu_x86_id id = {cpuid(1, 0), cpuid(7, 0), 0};
    if (id.leaf1.ecx & BIT(27)) {
        /* XGETBV with ECX = 0, as bytes: no -mxsave needed. */
        uint32_t lo, hi;
        __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
        id.xcr0 = ((uint64_t)hi << 32) | lo;
    }
    return lrelu_cpu_x86_flags(&id);
}

unsigned lrelu_cpu_detect(void)
{
#if defined(LRELU_EMULATE_ISAS)
    /* A test build (-Demulate_isas=true): every kernel is portable code. */
    return LRELU_CPU_SSE2 | LRELU_CPU_AVX2 | LRELU_CPU_F16C | LRELU_CPU_AVX512 |
           LRELU_CPU_AVX512BW | LRELU_CPU_AVX512VBMI;
#endif
    unsigned from_cpu_features = 0;
#if LRELU_HAVE_CPU_FEATURES
    /* cpu_features' fields are signed 1-bit bitfields: a set flag reads -1. */
    const X86Features f = GetX86Info().features;
    const struct lrelu_cpu_report r = {f.sse2,    f.avx,      f.avx2,      f.f16c,
                                       f.avx512f, f.avx512bw, f.avx512vbmi};
    from_cpu_features = lrelu_cpu_report_flags(&r);
#endif
    const unsigned from_cpuid =
        (from_cpu_features & LRELU_CPU_SSE2) ? 0 : lrelu_cpu_detect_from_cpuid();
#if defined(__x86_64__) || defined(__SSE2__)
    const int sse2_baseline = 1; /* the compiler already assumes it */
#else
    const int sse2_baseline = 0;
#endif
    return lrelu_cpu_x86_choose(from_cpu_features, from_cpuid, sse2_baseline);
}

size_t lrelu_cpu_cache_from_cpu_features(void)
{
#if LRELU_HAVE_CPU_FEATURES
    /* Sizes per cache instance, i.e. what one core reaches (unlike sysconf
     * on some CPUs, which sums the L3 slices of the whole package). */
    const CacheInfo info = GetX86CacheInfo();
    size_t largest = 0;
    for (int i = 0; i < info.size && i < CPU_FEATURES_MAX_CACHE_LEVEL; i++) {
        const CacheLevelInfo *c = &info.levels[i];
        if ((c->cache_type == CPU_FEATURE_CACHE_DATA ||
             c->cache_type == CPU_FEATURE_CACHE_UNIFIED) &&
            c->cache_size > 0 && (size_t)c->cache_size > largest)
            largest = (size_t)c->cache_size;
    }
    return largest;
#else
    return 0;
#endif
}

size_t lrelu_cpu_cache_from_cpuid(uint32_t *leaf)
{
    const struct lrelu_cpuid_regs leaf0 = cpuid(0, 0);
    *leaf = lrelu_cpu_cache_leaf(&leaf0, cpuid(0x80000000, 0).eax, cpuid(0x80000001, 0).ecx);
    if (*leaf == 0)
        return 0;
    struct lrelu_cpuid_regs sub[16];
    size_t n = 0;
    while (n < sizeof sub / sizeof sub[0]) {
        sub[n] = cpuid(*leaf, (uint32_t)n);
        if ((sub[n++].eax & 0x1f) == 0)
            break;
    }
    return lrelu_cpu_cache_from_subleaves(sub, n);
}

#else /* not x86 */

#if defined(__aarch64__) && defined(__linux__)
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

unsigned lrelu_cpu_detect_from_cpuid(void) { return 0; }

/* Only the x86 kernels have streaming stores: no cache detection here. */
size_t lrelu_cpu_cache_from_cpu_features(void) { return 0; }
size_t lrelu_cpu_cache_from_cpuid(uint32_t *leaf)
{
    *leaf = 0;
    return 0;
}

#endif

/* ---- The streaming threshold, decided once ----------------------------- */

static pthread_once_t stream_once = PTHREAD_ONCE_INIT;
static size_t stream_bytes;
static enum lrelu_stream_source stream_source;

static void stream_decide(void)
{
    const char *env = lrelu_getenv("LRELU_STREAM_THRESHOLD");
    uint32_t leaf = 0;
    const size_t from_cpu_features = lrelu_cpu_cache_from_cpu_features();
    const size_t from_cpuid = from_cpu_features ? 0 : lrelu_cpu_cache_from_cpuid(&leaf);
    int malformed;
    stream_bytes = lrelu_cpu_stream_choose(env, from_cpu_features, from_cpuid, leaf, &stream_source,
                                           &malformed);
    if (malformed)
        lrelu_warn_env("LRELU_STREAM_THRESHOLD", env,
                       "not a byte count (such as 512K, 64M, 1G) or off");
}

size_t lrelu_cpu_stream_bytes(void)
{
    pthread_once(&stream_once, stream_decide);
    return stream_bytes;
}

enum lrelu_stream_source lrelu_cpu_stream_source(void)
{
    pthread_once(&stream_once, stream_decide);
    return stream_source;
}
