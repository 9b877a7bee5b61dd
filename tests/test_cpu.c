/*
 * CPU detection (src/cpu.c): its pure functions on synthetic CPUID
 * registers, cpu_features reports and LRELU_STREAM_THRESHOLD values (each
 * fallback step, the SSE2 floor, no OSXSAVE, unknown vendors, the cache
 * tables of known CPUs), then what it finds on this machine, checked
 * against the compiler's own CPU checks and printed.
 *
 * Linked with the library's objects: these functions are not exported.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static int fails;

#define CHECK_EQ(what, got, want)                                                                  \
    do {                                                                                           \
        const unsigned long long g_ = (unsigned long long)(got), w_ = (unsigned long long)(want);  \
        if (g_ != w_) {                                                                            \
            printf("FAIL %s: got %llu (0x%llx), want %llu (0x%llx)\n", what, g_, g_, w_, w_);      \
            fails++;                                                                               \
        }                                                                                          \
    } while (0)

enum {
    SSE2 = LRELU_CPU_SSE2,
    AVX2 = LRELU_CPU_AVX2,
    AVX512 = LRELU_CPU_AVX512,
    F16C = LRELU_CPU_F16C,
    BW = LRELU_CPU_AVX512BW,
    VBMI = LRELU_CPU_AVX512VBMI
};

/* ---- Flags ---- */

#define EDX1_SSE2     (1u << 26)
#define ECX1_OSXSAVE  (1u << 27)
#define ECX1_AVX      (1u << 28)
#define ECX1_F16C     (1u << 29)
#define EBX7_AVX2     (1u << 5)
#define EBX7_AVX512F  (1u << 16)
#define EBX7_AVX512BW (1u << 30)
#define ECX7_VBMI     (1u << 1)

static unsigned x86_flags7(uint32_t ecx1, uint32_t edx1, uint32_t ebx7, uint32_t ecx7,
                           uint64_t xcr0)
{
    const struct lrelu_x86_id id = {{0x00b00f21, 0, ecx1, edx1}, {0, ebx7, ecx7, 0}, xcr0};
    return lrelu_cpu_x86_flags(&id);
}

static unsigned x86_flags(uint32_t ecx1, uint32_t edx1, uint32_t ebx7, uint64_t xcr0)
{
    return x86_flags7(ecx1, edx1, ebx7, 0, xcr0);
}

static void test_flags(void)
{
    const uint32_t all_ecx = ECX1_OSXSAVE | ECX1_AVX | ECX1_F16C;
    const uint32_t all_ebx7 = EBX7_AVX2 | EBX7_AVX512F;
    /* A Zen 4/5 or Skylake-X with an OS that saves every state. */
    CHECK_EQ("cpuid: everything", x86_flags(all_ecx, EDX1_SSE2, all_ebx7, 0xe7),
             SSE2 | AVX2 | AVX512 | F16C);
    /* No CPUID (an i486) or leaf 1 absent. */
    CHECK_EQ("cpuid: nothing", x86_flags(0, 0, 0, 0), 0);
    CHECK_EQ("cpuid: SSE2 only", x86_flags(0, EDX1_SSE2, 0, 0), SSE2);
    /* OSXSAVE absent: no XCR0 to read, so no AVX state; whatever XCR0 says
     * is not looked at. */
    CHECK_EQ("cpuid: no OSXSAVE", x86_flags(ECX1_AVX | ECX1_F16C, EDX1_SSE2, all_ebx7, 0xe7), SSE2);
    /* The OS saves XMM only, or XMM and YMM without the AVX-512 state. */
    CHECK_EQ("cpuid: XCR0 = XMM", x86_flags(all_ecx, EDX1_SSE2, all_ebx7, 0x03), SSE2);
    CHECK_EQ("cpuid: XCR0 = XMM|YMM", x86_flags(all_ecx, EDX1_SSE2, all_ebx7, 0x07),
             SSE2 | AVX2 | F16C);
    CHECK_EQ("cpuid: XCR0 without ZMM16-31", x86_flags(all_ecx, EDX1_SSE2, all_ebx7, 0x67),
             SSE2 | AVX2 | F16C);
    CHECK_EQ("cpuid: XCR0 without YMM", x86_flags(all_ecx, EDX1_SSE2, all_ebx7, 0xe3), SSE2);
    /* The CPU's own bits. */
    CHECK_EQ("cpuid: no AVX bit", x86_flags(ECX1_OSXSAVE | ECX1_F16C, EDX1_SSE2, all_ebx7, 0xe7),
             SSE2);
    CHECK_EQ("cpuid: AVX, no AVX2 or F16C (Sandy Bridge)",
             x86_flags(ECX1_OSXSAVE | ECX1_AVX, EDX1_SSE2, 0, 0x07), SSE2);
    CHECK_EQ("cpuid: AVX and F16C, no AVX2 (Ivy Bridge)",
             x86_flags(ECX1_OSXSAVE | ECX1_AVX | ECX1_F16C, EDX1_SSE2, 0, 0x07), SSE2 | F16C);
    CHECK_EQ("cpuid: AVX-512F without AVX2", x86_flags(all_ecx, EDX1_SSE2, EBX7_AVX512F, 0xe7),
             SSE2 | F16C);
    /* AVX-512BW and VBMI: Zen 4/5, Ice Lake and later (both); Skylake-X
     * (BW only); only with AVX-512F and the OS's ZMM state. */
    const uint32_t bw_ebx7 = all_ebx7 | EBX7_AVX512BW;
    CHECK_EQ("cpuid: AVX-512 with BW and VBMI (Zen 4, Ice Lake)",
             x86_flags7(all_ecx, EDX1_SSE2, bw_ebx7, ECX7_VBMI, 0xe7),
             SSE2 | AVX2 | AVX512 | F16C | BW | VBMI);
    CHECK_EQ("cpuid: AVX-512 with BW, no VBMI (Skylake-X)",
             x86_flags7(all_ecx, EDX1_SSE2, bw_ebx7, 0, 0xe7), SSE2 | AVX2 | AVX512 | F16C | BW);
    CHECK_EQ("cpuid: VBMI without BW", x86_flags7(all_ecx, EDX1_SSE2, all_ebx7, ECX7_VBMI, 0xe7),
             SSE2 | AVX2 | AVX512 | F16C | VBMI);
    CHECK_EQ("cpuid: BW and VBMI without AVX-512F",
             x86_flags7(all_ecx, EDX1_SSE2, EBX7_AVX2 | EBX7_AVX512BW, ECX7_VBMI, 0xe7),
             SSE2 | AVX2 | F16C);
    CHECK_EQ("cpuid: BW and VBMI, XCR0 without ZMM state",
             x86_flags7(all_ecx, EDX1_SSE2, bw_ebx7, ECX7_VBMI, 0x07), SSE2 | AVX2 | F16C);

    /* cpu_features' report. */
    const struct lrelu_cpu_report none = {0, 0, 0, 0, 0, 0, 0}, all = {-1, -1, -1, -1, -1, -1, -1};
    CHECK_EQ("report: unknown vendor", lrelu_cpu_report_flags(&none), 0);
    CHECK_EQ("report: everything", lrelu_cpu_report_flags(&all),
             SSE2 | AVX2 | AVX512 | F16C | BW | VBMI);
    const struct lrelu_cpu_report f16c_no_avx = {-1, 0, 0, -1, 0, 0, 0};
    CHECK_EQ("report: F16C without AVX state", lrelu_cpu_report_flags(&f16c_no_avx), SSE2);
    const struct lrelu_cpu_report avx512_no_avx2 = {-1, -1, 0, -1, -1, -1, -1};
    CHECK_EQ("report: AVX-512F without AVX2", lrelu_cpu_report_flags(&avx512_no_avx2), SSE2 | F16C);
    const struct lrelu_cpu_report skylake_x = {-1, -1, -1, -1, -1, -1, 0};
    CHECK_EQ("report: AVX-512 with BW, no VBMI (Skylake-X)", lrelu_cpu_report_flags(&skylake_x),
             SSE2 | AVX2 | AVX512 | F16C | BW);
    const struct lrelu_cpu_report vbmi_no_f = {-1, -1, -1, -1, 0, -1, -1};
    CHECK_EQ("report: BW and VBMI without AVX-512F", lrelu_cpu_report_flags(&vbmi_no_f),
             SSE2 | AVX2 | F16C);

    /* Which report counts, and the SSE2 floor. */
    CHECK_EQ("choose: cpu_features recognised the CPU",
             lrelu_cpu_x86_choose(SSE2 | AVX2, SSE2 | AVX2 | AVX512, 1), SSE2 | AVX2);
    CHECK_EQ("choose: cpu_features reported nothing, CPUID read here",
             lrelu_cpu_x86_choose(0, SSE2 | AVX2 | F16C, 1), SSE2 | AVX2 | F16C);
    CHECK_EQ("choose: x86-64, nothing anywhere", lrelu_cpu_x86_choose(0, 0, 1), SSE2);
    /* cpu_features without XCR0 asks /proc/cpuinfo, absent in some sandboxes:
     * it reports nothing, and CPUID says SSE2 and no AVX state. */
    CHECK_EQ("choose: no /proc and no OSXSAVE",
             lrelu_cpu_x86_choose(lrelu_cpu_report_flags(&none),
                                  x86_flags(ECX1_AVX | ECX1_F16C, EDX1_SSE2, all_ebx7, 0), 1),
             SSE2);
    CHECK_EQ("choose: i386 without SSE2", lrelu_cpu_x86_choose(0, 0, 0), 0);
    CHECK_EQ("choose: i386 with SSE2", lrelu_cpu_x86_choose(0, SSE2, 0), SSE2);
}

/* ---- Cache sizes ---- */

static struct lrelu_cpuid_regs vendor(const char *name, uint32_t max_leaf)
{
    struct lrelu_cpuid_regs r = {max_leaf, 0, 0, 0};
    memcpy(&r.ebx, name, 4);
    memcpy(&r.edx, name + 4, 4);
    memcpy(&r.ecx, name + 8, 4);
    return r;
}

/* A subleaf of leaf 4 / 0x8000001D from its fields. */
static struct lrelu_cpuid_regs cache(unsigned type, unsigned level, unsigned ways,
                                     unsigned partitions, unsigned line, unsigned sets)
{
    return (struct lrelu_cpuid_regs){type | level << 5 | 1u << 8,
                                     (ways - 1) << 22 | (partitions - 1) << 12 | (line - 1),
                                     sets - 1, 0};
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define KiB      ((size_t)1 << 10)
#define MiB      ((size_t)1 << 20)

static void test_cache(void)
{
    const uint32_t topoext = 1u << 22;
    const struct lrelu_cpuid_regs intel = vendor("GenuineIntel", 0x20),
                                  amd = vendor("AuthenticAMD", 0x10),
                                  hygon = vendor("HygonGenuine", 0xd),
                                  zhaoxin = vendor("  Shanghai  ", 0x14),
                                  unknown = vendor("GenuineTMx86", 0x10);
    CHECK_EQ("leaf: Intel", lrelu_cpu_cache_leaf(&intel, 0x80000008, 0), 4);
    const struct lrelu_cpuid_regs old_intel = vendor("GenuineIntel", 3);
    CHECK_EQ("leaf: Intel without leaf 4", lrelu_cpu_cache_leaf(&old_intel, 0x80000008, 0), 0);
    CHECK_EQ("leaf: Zhaoxin", lrelu_cpu_cache_leaf(&zhaoxin, 0x80000008, 0), 4);
    CHECK_EQ("leaf: AMD with topology extensions", lrelu_cpu_cache_leaf(&amd, 0x80000021, topoext),
             0x8000001D);
    CHECK_EQ("leaf: Hygon with topology extensions",
             lrelu_cpu_cache_leaf(&hygon, 0x8000001f, topoext), 0x8000001D);
    /* A hypervisor that hides the topology extensions (leaf 0x8000001D
     * then reads all zero), or an older AMD. */
    CHECK_EQ("leaf: AMD without topology extensions", lrelu_cpu_cache_leaf(&amd, 0x80000021, 0), 0);
    CHECK_EQ("leaf: AMD, 0x8000001D past the maximum",
             lrelu_cpu_cache_leaf(&amd, 0x8000001a, topoext), 0);
    CHECK_EQ("leaf: unknown vendor", lrelu_cpu_cache_leaf(&unknown, 0x80000021, topoext), 0);

    /* Leaf 4 of a Core i7-6700K as it reads: 32 KiB L1D and L1I, 256 KiB
     * L2, 8 MiB L3. */
    const struct lrelu_cpuid_regs skylake[] = {
        {0x1c004121, 0x01c0003f, 0x0000003f, 0x00000000},
        {0x1c004122, 0x01c0003f, 0x0000003f, 0x00000000},
        {0x1c004143, 0x00c0003f, 0x000003ff, 0x00000000},
        {0x1c03c163, 0x03c0003f, 0x00001fff, 0x00000006},
        {0x00000000, 0x00000000, 0x00000000, 0x00000000},
    };
    CHECK_EQ("cache: Skylake leaf 4", lrelu_cpu_cache_from_subleaves(skylake, COUNT(skylake)),
             8 * MiB);
    CHECK_EQ("cache: Skylake leaf 4, L1 and L2 only", lrelu_cpu_cache_from_subleaves(skylake, 3),
             256 * KiB);
    /* Leaf 0x8000001D of a Zen 3 as it reads: 32 KiB L1D and L1I, 512 KiB
     * L2, 32 MiB L3 per CCX. */
    const struct lrelu_cpuid_regs zen3[] = {
        {0x00004121, 0x01c0003f, 0x0000003f, 0x00000000},
        {0x00004122, 0x01c0003f, 0x0000003f, 0x00000000},
        {0x00004143, 0x01c0003f, 0x000003ff, 0x00000002},
        {0x0001c163, 0x03c0003f, 0x00007fff, 0x00000001},
        {0x00000000, 0x00000000, 0x00000000, 0x00000000},
    };
    CHECK_EQ("cache: Zen 3 leaf 0x8000001D", lrelu_cpu_cache_from_subleaves(zen3, COUNT(zen3)),
             32 * MiB);
    /* An Intel server part: 48 KiB L1D, 32 KiB L1I, 2 MiB L2, 36 MiB L3
     * (12 ways, 49152 sets). */
    const struct lrelu_cpuid_regs xeon[] = {
        cache(1, 1, 12, 1, 64, 64),    cache(2, 1, 8, 1, 64, 64), cache(3, 2, 16, 1, 64, 2048),
        cache(3, 3, 12, 1, 64, 49152), cache(0, 0, 1, 1, 1, 1),
    };
    CHECK_EQ("cache: 36 MiB L3", lrelu_cpu_cache_from_subleaves(xeon, COUNT(xeon)), 36 * MiB);
    /* Partitions count: 8 ways x 2 partitions x 64 B x 1024 sets. */
    const struct lrelu_cpuid_regs parts[] = {cache(3, 2, 8, 2, 64, 1024)};
    CHECK_EQ("cache: partitions", lrelu_cpu_cache_from_subleaves(parts, 1), 1 * MiB);
    /* Instruction caches do not count; nothing after the first null
     * subleaf counts. */
    const struct lrelu_cpuid_regs code_only[] = {cache(2, 1, 8, 1, 64, 64),
                                                 cache(2, 2, 16, 1, 64, 65536)};
    CHECK_EQ("cache: instruction caches only", lrelu_cpu_cache_from_subleaves(code_only, 2), 0);
    const struct lrelu_cpuid_regs after_null[] = {
        cache(1, 1, 8, 1, 64, 64), {0, 0, 0, 0}, cache(3, 3, 16, 1, 64, 65536)};
    CHECK_EQ("cache: stops at the null subleaf", lrelu_cpu_cache_from_subleaves(after_null, 3),
             32 * KiB);
    /* A hidden leaf reads all zero. */
    const struct lrelu_cpuid_regs hidden[] = {{0, 0, 0, 0}};
    CHECK_EQ("cache: leaf hidden", lrelu_cpu_cache_from_subleaves(hidden, 1), 0);
}

/* ---- LRELU_STREAM_THRESHOLD and the order of the steps ---- */

static void parse_ok(const char *value, size_t want)
{
    size_t got = 12345;
    char what[96];
    snprintf(what, sizeof what, "parse \"%s\"", value);
    CHECK_EQ(what, lrelu_cpu_parse_bytes(value, &got), 0);
    CHECK_EQ(what, got, want);
}

static void parse_bad(const char *value)
{
    size_t got = 12345;
    char what[96];
    snprintf(what, sizeof what, "parse \"%.40s\" (malformed)", value);
    CHECK_EQ(what, lrelu_cpu_parse_bytes(value, &got), (unsigned long long)-1);
    CHECK_EQ(what, got, 12345);
}

static void test_parse(void)
{
    parse_ok("67108864", 64 * MiB);
    parse_ok("1", 1);
    parse_ok("000512", 512);
    parse_ok("512K", 512 * KiB);
    parse_ok("512k", 512 * KiB);
    parse_ok("512KiB", 512 * KiB);
    parse_ok("512kib", 512 * KiB);
    parse_ok("64M", 64 * MiB);
    parse_ok("64MiB", 64 * MiB);
    parse_ok("1G", 1024 * MiB);
    parse_ok("1GiB", 1024 * MiB);
    parse_ok("0", SIZE_MAX);
    parse_ok("0K", SIZE_MAX);
    parse_ok("off", SIZE_MAX);
    parse_ok("OFF", SIZE_MAX);
    parse_ok("Off", SIZE_MAX);
    /* Past the address space: no call can move that much. */
    parse_ok("4G", (uint64_t)4 << 30 > SIZE_MAX ? SIZE_MAX : (size_t)((uint64_t)4 << 30));
    parse_ok("18446744073709551615", SIZE_MAX);
    const char *bad[] = {
        "",
        " 64M",
        "64M ",
        "64 M",
        "-1",
        "+1",
        "1.5M",
        "64MB",
        "64Mi",
        "64iB",
        "64T",
        "64KK",
        "M",
        "K64",
        "0x40",
        "of",
        "offf",
        "off ",
        "auto",
        "1e6",
        "64M\n",
        "\xff",
        "18446744073709551616", /* 2^64 */
        "17179869184G",         /* 2^64 too */
    };
    for (size_t i = 0; i < COUNT(bad); i++)
        parse_bad(bad[i]);
}

static void choose(const char *what, const char *env, size_t cf, size_t own, uint32_t leaf,
                   size_t want, enum lrelu_stream_source want_source, int want_malformed)
{
    enum lrelu_stream_source source = (enum lrelu_stream_source) - 1;
    int malformed = -1;
    const size_t got = lrelu_cpu_stream_choose(env, cf, own, leaf, &source, &malformed);
    char w[128];
    snprintf(w, sizeof w, "choose: %s: bytes", what);
    CHECK_EQ(w, got, want);
    snprintf(w, sizeof w, "choose: %s: source (%s)", what, lrelu_cpu_stream_source_name(source));
    CHECK_EQ(w, source, want_source);
    snprintf(w, sizeof w, "choose: %s: malformed", what);
    CHECK_EQ(w, malformed, want_malformed);
}

static void test_choose(void)
{
    const uint32_t amd = 0x8000001D;
    choose("cpu_features", NULL, 36 * MiB, 32 * MiB, amd, 36 * MiB, LRELU_STREAM_FROM_CPU_FEATURES,
           0);
    choose("leaf 4", NULL, 0, 36 * MiB, 4, 36 * MiB, LRELU_STREAM_FROM_CPUID_4, 0);
    choose("leaf 0x8000001D", NULL, 0, 32 * MiB, amd, 32 * MiB, LRELU_STREAM_FROM_CPUID_8000001D,
           0);
    choose("nothing known", NULL, 0, 0, 0, LRELU_CPU_DEFAULT_CACHE_BYTES, LRELU_STREAM_FROM_DEFAULT,
           0);
    choose("nothing known, no leaf", NULL, 0, 0, amd, LRELU_CPU_DEFAULT_CACHE_BYTES,
           LRELU_STREAM_FROM_DEFAULT, 0);
    choose("override", "64M", 36 * MiB, 32 * MiB, amd, 64 * MiB, LRELU_STREAM_FROM_ENV, 0);
    choose("override off", "off", 36 * MiB, 0, 0, SIZE_MAX, LRELU_STREAM_FROM_ENV, 0);
    choose("override 0", "0", 0, 0, 0, SIZE_MAX, LRELU_STREAM_FROM_ENV, 0);
    choose("empty override", "", 0, 32 * MiB, amd, 32 * MiB, LRELU_STREAM_FROM_CPUID_8000001D, 0);
    choose("malformed override", "lots", 0, 36 * MiB, 4, 36 * MiB, LRELU_STREAM_FROM_CPUID_4, 1);
    choose("malformed override, nothing known", "64 M", 0, 0, 0, LRELU_CPU_DEFAULT_CACHE_BYTES,
           LRELU_STREAM_FROM_DEFAULT, 1);
    CHECK_EQ("the default is 32 MiB", LRELU_CPU_DEFAULT_CACHE_BYTES, 32 * MiB);
}

/* ---- This machine ---- */

static void test_this_machine(void)
{
    const unsigned flags = lrelu_cpu_detect();
    uint32_t leaf = 0;
    const size_t from_cpu_features = lrelu_cpu_cache_from_cpu_features();
    const size_t from_cpuid = lrelu_cpu_cache_from_cpuid(&leaf);
    const size_t bytes = lrelu_cpu_stream_bytes();
    const enum lrelu_stream_source source = lrelu_cpu_stream_source();
    const char *env = getenv("LRELU_STREAM_THRESHOLD");
    printf("this machine: flags 0x%x (own CPUID 0x%x); largest cache: cpu_features %zu, "
           "cpuid leaf 0x%x %zu; stream from %zu bytes (%s)\n",
           flags, lrelu_cpu_detect_from_cpuid(), from_cpu_features, (unsigned)leaf, from_cpuid,
           bytes, lrelu_cpu_stream_source_name(source));

#if defined(__x86_64__) || defined(__i386__)
    /* The flags agree with the compiler's own checks (which also ask XCR0),
     * through cpu_features and through CPUID read here alike. */
    __builtin_cpu_init();
    const unsigned want = (__builtin_cpu_supports("sse2") ? SSE2 : 0) |
                          (__builtin_cpu_supports("avx2") ? AVX2 : 0) |
                          (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2")
                               ? AVX512 | (__builtin_cpu_supports("avx512bw") ? BW : 0) |
                                     (__builtin_cpu_supports("avx512vbmi") ? VBMI : 0)
                               : 0);
    unsigned a, b, c = 0, d;
    const int f16c =
        __get_cpuid(1, &a, &b, &c, &d) && (c & ECX1_F16C) && __builtin_cpu_supports("avx");
    CHECK_EQ("this machine: flags", flags & (SSE2 | AVX2 | AVX512 | BW | VBMI), want);
    CHECK_EQ("this machine: F16C", (flags & F16C) != 0, f16c);
    CHECK_EQ("this machine: flags from CPUID read here", lrelu_cpu_detect_from_cpuid(), flags);
#if defined(__x86_64__)
    CHECK_EQ("this machine: SSE2 on x86-64", flags & SSE2, SSE2);
#endif
#else
    CHECK_EQ("this machine: no CPUID off x86", lrelu_cpu_detect_from_cpuid(), 0);
#endif

    /* The steps were taken in order, and the size is one a core can have. */
    const enum lrelu_stream_source want_source =
        env != NULL && env[0] != '\0' && lrelu_cpu_parse_bytes(env, &(size_t){0}) == 0
            ? LRELU_STREAM_FROM_ENV
        : from_cpu_features != 0 ? LRELU_STREAM_FROM_CPU_FEATURES
        : from_cpuid != 0
            ? (leaf == 4 ? LRELU_STREAM_FROM_CPUID_4 : LRELU_STREAM_FROM_CPUID_8000001D)
            : LRELU_STREAM_FROM_DEFAULT;
    CHECK_EQ("this machine: source", source, want_source);
    if (source != LRELU_STREAM_FROM_ENV) {
        if (bytes < 256 * KiB || bytes > 2048 * MiB) {
            printf("FAIL this machine: a largest cache of %zu bytes is not plausible\n", bytes);
            fails++;
        }
    }
    /* Where both know, CPUID read here agrees with cpu_features. */
    if (from_cpu_features != 0 && from_cpuid != 0)
        CHECK_EQ("this machine: CPUID's cache size is cpu_features'", from_cpuid,
                 from_cpu_features);
    for (size_t i = 0; i < 2; i++) {
        const size_t c2 = i ? from_cpuid : from_cpu_features;
        if (c2 != 0 && (c2 < 16 * KiB || c2 > 2048 * MiB)) {
            printf("FAIL this machine: a cache of %zu bytes is not plausible\n", c2);
            fails++;
        }
    }
}

int main(void)
{
    test_flags();
    test_cache();
    test_parse();
    test_choose();
    test_this_machine();
    if (fails) {
        printf("%d failure(s)\n", fails);
        return 1;
    }
    printf("cpu detection: all checks passed\n");
    return 0;
}
