/*
 * lrelu-info: what liblrelu sees on this machine, for bug reports.
 *
 * Prints the library version, the CPU features that matter as cpu_features
 * (x86) or the kernel's AT_HWCAP (AArch64) report them, every kernel of this architecture with
 * whether it is compiled in and usable (and if not, why: the build, the CPU, the operating system,
 * or LRELU_MAX_ISA), the active kernel, the thread setting, and with --bench a quick forward
 * throughput per usable kernel. --json prints the same as one JSON object.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "lrelu.h"

#if LRELU_HAVE_CPU_FEATURES && (defined(__x86_64__) || defined(__i386__))
#include <cpu_features/cpuinfo_x86.h>
#include <cpuid.h>
#define INFO_X86 1
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#define INFO_ARM64 1
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1ul << 1)
#endif
#ifndef HWCAP_FP
#define HWCAP_FP (1ul << 0)
#endif
#endif

/* A CPU feature as reported, and whether the CPU itself has it (CPUID),
 * so that "the OS does not enable it" can be told apart. */
struct feature {
    const char *name;
    int reported; /* by cpu_features: CPU and OS */
    int in_cpu;   /* by the CPU alone */
};

struct kernel {
    const char *name;
    int compiled;
    const char *needs; /* feature name, NULL for none */
    int usable;
    const char *reason; /* why not usable */
};

#define MAX_FEATURES 12
static struct feature features[MAX_FEATURES];
static size_t feature_count;
static char cpu_brand[64] = "unknown";

#if defined(INFO_X86) || defined(INFO_ARM64)
static void add_feature(const char *name, int reported, int in_cpu)
{
    features[feature_count++] = (struct feature){name, reported != 0, in_cpu != 0};
}
#endif

static const struct feature *find_feature(const char *name)
{
    for (size_t i = 0; i < feature_count; i++)
        if (strcmp(features[i].name, name) == 0)
            return &features[i];
    return NULL;
}

static void detect(void)
{
#if defined(INFO_X86)
    const X86Info info = GetX86Info();
    unsigned a = 0, b = 0, c = 0, d = 0, b7 = 0, c7 = 0;
    __get_cpuid(1, &a, &b, &c, &d);
    const unsigned ecx1 = c, edx1 = d;
    if (__get_cpuid_count(7, 0, &a, &b7, &c7, &d) == 0)
        b7 = c7 = 0;
    add_feature("sse2", info.features.sse2, edx1 & (1u << 26));
    add_feature("avx", info.features.avx, ecx1 & (1u << 28));
    add_feature("avx2", info.features.avx2, b7 & (1u << 5));
    add_feature("fma3", info.features.fma3, ecx1 & (1u << 12));
    add_feature("avx512f", info.features.avx512f, b7 & (1u << 16));
    add_feature("avx512vl", info.features.avx512vl, b7 & (1u << 31));
    add_feature("avx512bw", info.features.avx512bw, b7 & (1u << 30));
    add_feature("avx512vbmi", info.features.avx512vbmi, c7 & (1u << 1));
    char brand[49];
    snprintf(brand, sizeof brand, "%s", info.brand_string);
    size_t s = 0, e = strlen(brand);
    while (brand[s] == ' ')
        s++;
    while (e > s && brand[e - 1] == ' ')
        e--;
    for (size_t i = s; i < e; i++)
        if (brand[i] == '"' || brand[i] == '\\' || brand[i] < 0x20)
            brand[i] = '?';
    if (e > s)
        snprintf(cpu_brand, sizeof cpu_brand, "%.*s", (int)(e - s), brand + s);
#elif defined(INFO_ARM64)
    /* The kernel's answer, as the library itself reads it. */
    const unsigned long hwcap = getauxval(AT_HWCAP);
    add_feature("asimd", hwcap & HWCAP_ASIMD, hwcap & HWCAP_ASIMD);
    add_feature("fp", hwcap & HWCAP_FP, hwcap & HWCAP_FP);
#endif
}

static int is_usable(const char *name)
{
    for (size_t i = 0; i < lrelu_kernel_count(); i++)
        if (strcmp(lrelu_kernel_name(i), name) == 0)
            return 1;
    return 0;
}

/* This architecture's kernels, lowest first, with why each is not usable. */
static size_t list_kernels(struct kernel *k)
{
    size_t n = 0;
    k[n++] = (struct kernel){"scalar", 1, NULL, 0, NULL};
#if defined(__x86_64__) || defined(__i386__)
    k[n++] = (struct kernel){"sse2", LRELU_HAVE_SSE2, "sse2", 0, NULL};
    k[n++] = (struct kernel){"avx2", LRELU_HAVE_AVX2, "avx2", 0, NULL};
    k[n++] = (struct kernel){"avx512", LRELU_HAVE_AVX512, "avx512f", 0, NULL};
    k[n++] = (struct kernel){"avx512bw", LRELU_HAVE_AVX512BW, "avx512bw", 0, NULL};
    k[n++] = (struct kernel){"avx512vbmi", LRELU_HAVE_AVX512VBMI, "avx512vbmi", 0, NULL};
#elif defined(__aarch64__)
    k[n++] = (struct kernel){"neon", LRELU_HAVE_NEON, "asimd", 0, NULL};
#endif
    for (size_t i = 0; i < n; i++) {
        k[i].usable = is_usable(k[i].name);
        if (k[i].usable)
            continue;
        const struct feature *f = k[i].needs ? find_feature(k[i].needs) : NULL;
        if (!k[i].compiled)
            k[i].reason = "not compiled in (build option or compiler)";
        else if (f && !f->in_cpu)
            k[i].reason = "the CPU lacks it";
        else if (f && !f->reported)
            k[i].reason = "the operating system does not enable its registers";
        else
            k[i].reason = "above LRELU_MAX_ISA";
    }
    return n;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Forward throughput in GB/s (8 bytes per element) of the active kernel on
 * n floats: the best of a few batches of about 20 ms. */
static double forward_gbps(float *x, float *y, size_t n)
{
    double best = 0.0;
    for (int batch = 0; batch < 5; batch++) {
        size_t calls = 0;
        const double t0 = now();
        double t;
        do {
            lrelu_forward(x, y, n, 0.01f);
            calls++;
        } while ((t = now() - t0) < 0.02);
        const double gbps = 8.0 * (double)n * (double)calls / t / 1e9;
        best = gbps > best ? gbps : best;
    }
    return best;
}

enum { BENCH_SIZES = 2 };
static const size_t bench_sizes[BENCH_SIZES] = {16 << 10, 16 << 20};
static const char *const bench_labels[BENCH_SIZES] = {"16Ki", "16Mi"};

static int bench(const struct kernel *k, size_t n, double gbps[][BENCH_SIZES])
{
    const size_t cap = bench_sizes[BENCH_SIZES - 1];
    float *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    if (x == NULL || y == NULL) {
        free(x);
        free(y);
        return -1;
    }
    for (size_t i = 0; i < cap; i++) {
        x[i] = (float)((i * 2654435761u) % 2001) / 1000.0f - 1.0f;
        y[i] = 0.0f;
    }
    for (size_t i = 0; i < n; i++) {
        if (!k[i].usable)
            continue;
        lrelu_set_kernel(k[i].name);
        for (size_t s = 0; s < BENCH_SIZES; s++)
            gbps[i][s] = forward_gbps(x, y, bench_sizes[s]);
    }
    lrelu_set_kernel(NULL);
    free(x);
    free(y);
    return 0;
}

/* An environment value, printable and short (as the library shows it). */
static const char *printable(const char *v)
{
    static char buf[40];
    size_t i = 0;
    for (; v[i] != '\0' && i < 32; i++)
        buf[i] = v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' && v[i] != '\\' ? v[i] : '?';
    buf[i] = '\0';
    return buf;
}

/* The LRELU_MAX_ISA value, printable and short (as the library shows it). */
static const char *max_isa(char *buf, size_t size)
{
    const char *v = getenv("LRELU_MAX_ISA");
    if (v == NULL)
        return NULL;
    size_t i = 0;
    for (; v[i] != '\0' && i + 1 < size && i < 32; i++)
        buf[i] = v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' && v[i] != '\\' ? v[i] : '?';
    buf[i] = '\0';
    return buf;
}

static void print_text(const struct kernel *k, size_t n, const char *cap, int benched,
                       double gbps[][BENCH_SIZES])
{
    printf("liblrelu %s\n", lrelu_version());
    printf("cpu: %s\n", cpu_brand);
#if defined(INFO_ARM64)
    printf("cpu features (AT_HWCAP):");
#else
    printf("cpu features (cpu_features, CPU and OS):");
#endif
    if (feature_count == 0)
        printf(" none that liblrelu uses on this architecture");
    for (size_t i = 0; i < feature_count; i++)
        printf(" %s%s", features[i].reported ? "+" : "-", features[i].name);
    printf("\nLRELU_MAX_ISA: %s\n", cap ? cap : "(unset)");
    printf("kernels:\n");
    for (size_t i = 0; i < n; i++) {
        printf("  %-10s %s", k[i].name, k[i].usable ? "usable" : "not usable");
        if (!k[i].usable)
            printf(" (%s)", k[i].reason);
        if (benched && k[i].usable)
            for (size_t s = 0; s < BENCH_SIZES; s++)
                printf("  forward %s: %.1f GB/s", bench_labels[s], gbps[i][s]);
        printf("\n");
    }
    printf("active kernel: %s\n", lrelu_active_kernel());
    const size_t t = lrelu_stream_threshold();
    if (t == SIZE_MAX)
        printf("streaming stores: not used by this kernel here\n");
    else
        printf("streaming stores from: %zu MiB moved per call\n", t >> 20);
    const char *nt = getenv("LRELU_NUM_THREADS");
    printf("threads: %zu (LRELU_NUM_THREADS: %s)\n", lrelu_num_threads(),
           nt != NULL && nt[0] != '\0' ? printable(nt) : "(unset)");
}

static void print_json(const struct kernel *k, size_t n, const char *cap, int benched,
                       double gbps[][BENCH_SIZES])
{
    printf("{\"version\": \"%s\", \"cpu\": \"%s\", \"features\": {", lrelu_version(), cpu_brand);
    for (size_t i = 0; i < feature_count; i++)
        printf("%s\"%s\": %s", i ? ", " : "", features[i].name,
               features[i].reported ? "true" : "false");
    printf("}, \"max_isa\": ");
    printf(cap ? "\"%s\"" : "null", cap);
    const size_t t = lrelu_stream_threshold();
    printf(", \"active\": \"%s\", \"stream_threshold_bytes\": ", lrelu_active_kernel());
    if (t == SIZE_MAX)
        printf("null");
    else
        printf("%zu", t);
    printf(", \"threads\": %zu", lrelu_num_threads());
    printf(", \"kernels\": [");
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"name\": \"%s\", \"compiled\": %s, \"usable\": %s, \"reason\": ", i ? ", " : "",
               k[i].name, k[i].compiled ? "true" : "false", k[i].usable ? "true" : "false");
        printf(k[i].reason ? "\"%s\"" : "null", k[i].reason);
        if (benched && k[i].usable) {
            printf(", \"forward_gbps\": {");
            for (size_t s = 0; s < BENCH_SIZES; s++)
                printf("%s\"%s\": %.2f", s ? ", " : "", bench_labels[s], gbps[i][s]);
            printf("}");
        }
        printf("}");
    }
    printf("]}\n");
}

static void usage(FILE *to)
{
    fprintf(to, "usage: lrelu-info [--json] [--bench] [--help] [--version]\n"
                "Shows liblrelu's version, the CPU features it uses, every kernel of this\n"
                "architecture (usable or not, and why), the active kernel and the number\n"
                "of threads a large call may use (LRELU_NUM_THREADS).\n"
                "  --json     one JSON object instead of text\n"
                "  --bench    also a quick forward throughput per usable kernel\n"
                "  --version  the library version\n"
                "  --help     this text\n");
}

int main(int argc, char **argv)
{
    int json = 0, do_bench = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--bench") == 0) {
            do_bench = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("lrelu-info (liblrelu) %s\n", lrelu_version());
            return 0;
        } else {
            fprintf(stderr, "lrelu-info: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    detect();
    struct kernel k[8];
    const size_t n = list_kernels(k);
    char capbuf[40];
    const char *cap = max_isa(capbuf, sizeof capbuf);
    double gbps[8][BENCH_SIZES] = {{0}};
    if (do_bench && bench(k, n, gbps) != 0) {
        fprintf(stderr, "lrelu-info: not enough memory for --bench\n");
        do_bench = 0;
    }
    if (json)
        print_json(k, n, cap, do_bench, gbps);
    else
        print_text(k, n, cap, do_bench, gbps);
    return 0;
}
