/* What the CPU and the operating system support, as flags; and from how
 * many bytes moved a call should use streaming stores. */
#ifndef LRELU_CPU_H
#define LRELU_CPU_H

#include <stddef.h>
#include <stdint.h>

enum {
    LRELU_CPU_SSE2 = 1u << 0,
    LRELU_CPU_AVX2 = 1u << 1,   /* AVX2, with the OS saving YMM state */
    LRELU_CPU_AVX512 = 1u << 2, /* AVX-512F, with the OS saving ZMM and mask state */
    LRELU_CPU_NEON = 1u << 3,   /* AArch64 Advanced SIMD */
    LRELU_CPU_F16C = 1u << 4,   /* F16C (VEX float16 conversions), with the OS saving YMM state */
    /* AVX-512BW and AVX-512 VBMI (byte permutes), only with LRELU_CPU_AVX512 */
    LRELU_CPU_AVX512BW = 1u << 5,
    LRELU_CPU_AVX512VBMI = 1u << 6
};

/* The flags of this machine; 0 where nothing beyond the C baseline is known.
 * On x86-64 always at least LRELU_CPU_SSE2. */
unsigned lrelu_cpu_detect(void);

/* Bytes moved (read + written) from which calls that leave the choice to
 * the library use streaming stores: LRELU_STREAM_THRESHOLD if it is set and
 * well formed, else the size of the largest data cache one core reaches,
 * else LRELU_CPU_DEFAULT_CACHE_BYTES. SIZE_MAX: never (LRELU_STREAM_THRESHOLD
 * "off" or "0"). Decided once; a malformed LRELU_STREAM_THRESHOLD is reported
 * then with one line on stderr. */
size_t lrelu_cpu_stream_bytes(void);

/* Where lrelu_cpu_stream_bytes' value comes from. */
enum lrelu_stream_source {
    LRELU_STREAM_FROM_ENV,            /* LRELU_STREAM_THRESHOLD */
    LRELU_STREAM_FROM_CPU_FEATURES,   /* cpu_features' GetX86CacheInfo */
    LRELU_STREAM_FROM_CPUID_4,        /* CPUID leaf 4, read here */
    LRELU_STREAM_FROM_CPUID_8000001D, /* CPUID leaf 0x8000001D, read here */
    LRELU_STREAM_FROM_DEFAULT         /* LRELU_CPU_DEFAULT_CACHE_BYTES */
};
enum lrelu_stream_source lrelu_cpu_stream_source(void);

/* A short name for a source, e.g. "cpuid leaf 0x8000001d". */
const char *lrelu_cpu_stream_source_name(enum lrelu_stream_source source);

/* The threshold when no cache size is known: the L3 one core reaches on
 * current x86 server and desktop parts (a Zen 3/4/5 CCD, most Intel client
 * parts: 24-36 MiB). Too large costs little (cached stores run near the
 * streaming speed at this size); too small costs 2-3x on outputs that
 * would have stayed in the cache. */
#define LRELU_CPU_DEFAULT_CACHE_BYTES ((size_t)32 << 20)

/*
 * The logic above as pure functions of what the CPU, cpu_features and the
 * environment report, for the tests. Internal: not exported from the
 * shared library.
 */

struct lrelu_cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

/* What the x86 flags depend on, as CPUID and XGETBV give it. */
struct lrelu_x86_id {
    struct lrelu_cpuid_regs leaf1; /* all zero when leaf 1 is absent */
    struct lrelu_cpuid_regs leaf7; /* subleaf 0; all zero when absent */
    uint64_t xcr0;                 /* XGETBV(0); ignored unless leaf 1 has OSXSAVE */
};

/* The flags CPUID and XCR0 give, with the OS-support rules: AVX2 and F16C
 * need OSXSAVE and XCR0 bits 1-2 (XMM, YMM) and CPUID's AVX bit; AVX-512F
 * also XCR0 bits 5-7 (opmask, ZMM); AVX-512BW and VBMI (leaf 7 EBX bit 30,
 * ECX bit 1) are reported only with AVX-512F. */
unsigned lrelu_cpu_x86_flags(const struct lrelu_x86_id *id);

/* What cpu_features reports (its fields, read as 0 or not 0). */
struct lrelu_cpu_report {
    int sse2, avx, avx2, f16c, avx512f, avx512bw, avx512vbmi;
};
unsigned lrelu_cpu_report_flags(const struct lrelu_cpu_report *r);

/* The flags to use: cpu_features' when it reports SSE2 (every x86 CPU with
 * a SIMD kernel here has it: without it, cpu_features did not recognise
 * the CPU or could not ask the OS), else CPUID's read here; and never
 * below SSE2 where it is architectural (x86-64). */
unsigned lrelu_cpu_x86_choose(unsigned from_cpu_features, unsigned from_cpuid, int sse2_baseline);

/* The deterministic cache parameters leaf of this CPU: 4 (Intel, Centaur,
 * Zhaoxin), 0x8000001D (AMD, Hygon, with topology extensions,
 * CPUID 0x80000001 ECX bit 22), or 0 (none known). leaf0 is CPUID leaf 0,
 * max_ext CPUID 0x80000000's EAX, ext1_ecx CPUID 0x80000001's ECX. */
uint32_t lrelu_cpu_cache_leaf(const struct lrelu_cpuid_regs *leaf0, uint32_t max_ext,
                              uint32_t ext1_ecx);

/* The largest data or unified cache among the subleaves of leaf 4 or
 * 0x8000001D (same layout), up to the first of type 0: ways * partitions *
 * line size * sets; 0 when there is none. */
size_t lrelu_cpu_cache_from_subleaves(const struct lrelu_cpuid_regs *sub, size_t count);

/* LRELU_STREAM_THRESHOLD's value: a decimal byte count, optionally with a
 * suffix K, M, G, KiB, MiB or GiB (any case; powers of 1024), or "off";
 * "0" and "off" give SIZE_MAX (never), as does a count past the address
 * space. Returns 0 and the bytes, or -1 for anything else. */
int lrelu_cpu_parse_bytes(const char *value, size_t *bytes);

/* The steps on this machine, for the tests: the flags from CPUID and XGETBV
 * read here (0 off x86), the largest cache cpu_features reports, and the
 * largest from CPUID's deterministic cache parameters with the leaf read
 * (0 when unknown). */
unsigned lrelu_cpu_detect_from_cpuid(void);
size_t lrelu_cpu_cache_from_cpu_features(void);
size_t lrelu_cpu_cache_from_cpuid(uint32_t *leaf);

/* The decision: LRELU_STREAM_THRESHOLD (NULL or "": unset; malformed:
 * *malformed = 1 and ignored), else cpu_features' cache size, else CPUID's
 * (from the leaf named), else the default; sizes of 0 are unknown. */
size_t lrelu_cpu_stream_choose(const char *env, size_t from_cpu_features, size_t from_cpuid,
                               uint32_t cpuid_leaf, enum lrelu_stream_source *source,
                               int *malformed);

#endif /* LRELU_CPU_H */
