/*
 * Dispatch: which kernels exist, which are usable here, which one runs.
 *
 * The table lists the kernels compiled in, lowest ISA first. Once, at load
 * time (a constructor, or the first call of a program whose constructors
 * have not run yet, through the bootstrap kernel), the usable ones are
 * picked: those whose CPU flags the CPU and OS have and whose level is
 * within LRELU_MAX_ISA, with their streaming threshold from the cache size.
 * The best of them becomes active. lrelu_set_kernel swaps the active pointer
 * atomically; a call loads it once, so it runs wholly on one kernel.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu.h"
#include "dispatch.h"
#include "lrelu.h"

/* This architecture's ISA levels, lowest first: the values of LRELU_MAX_ISA. */
#if defined(__x86_64__) || defined(__i386__)
static const char *const levels[] = {"scalar", "sse2", "avx2", "avx512"};
#elif defined(__aarch64__)
static const char *const levels[] = {"scalar", "neon"};
#else
static const char *const levels[] = {"scalar"};
#endif
enum { LEVEL_COUNT = sizeof levels / sizeof levels[0] };

/* clang-format off */
#define KERNEL(isa, level, cpu) \
    {#isa, level, cpu, lrelu_forward_##isa, lrelu_backward_##isa, NULL, NULL, 0, 0, 0}
#define KERNEL_WITH_STREAM(isa, level, cpu) \
    {#isa, level, cpu, lrelu_forward_##isa, lrelu_backward_##isa, \
     lrelu_forward_stream_##isa, lrelu_backward_stream_##isa, 0, 0, 0}
/* clang-format on */
static const struct lrelu_kernel kernels[] = {
    KERNEL(scalar, 0, 0),
#if LRELU_HAVE_SSE2
    KERNEL_WITH_STREAM(sse2, 1, LRELU_CPU_SSE2),
#endif
#if LRELU_HAVE_AVX2
    KERNEL_WITH_STREAM(avx2, 2, LRELU_CPU_AVX2),
#endif
#if LRELU_HAVE_AVX512
    KERNEL_WITH_STREAM(avx512, 3, LRELU_CPU_AVX512),
#endif
#if LRELU_HAVE_NEON
    KERNEL(neon, 1, LRELU_CPU_NEON),
#endif
};
enum { KERNEL_COUNT = sizeof kernels / sizeof kernels[0] };

/* The usable kernels, with their thresholds: written once, by init, before
 * the first of them is published. */
static struct lrelu_kernel usable[KERNEL_COUNT];
static size_t usable_count;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Before initialisation: run it, then the chosen kernel (never streaming). */
static int bootstrap_forward(const float *x, float *y, size_t n, float alpha)
{
    return lrelu_dispatch_init()->forward(x, y, n, alpha);
}

static int bootstrap_backward(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    return lrelu_dispatch_init()->backward(x, dy, dx, n, alpha);
}

static const struct lrelu_kernel bootstrap = {"bootstrap",        0,       0,    bootstrap_forward,
                                              bootstrap_backward, NULL,    NULL, SIZE_MAX,
                                              SIZE_MAX,           SIZE_MAX};

_Atomic(const struct lrelu_kernel *) lrelu_active = &bootstrap;

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int name_equal(const char *a, const char *b)
{
    for (; *a && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b); a++, b++)
        ;
    return *a == '\0' && *b == '\0';
}

/* One line on stderr: the only output the library ever makes. The value is
 * shown printable and short, whatever the environment holds. */
static void warn_unknown_cap(const char *value)
{
    char shown[36], known[64] = "";
    size_t i = 0;
    for (; value[i] != '\0' && i < 32; i++) {
        const unsigned char c = (unsigned char)value[i];
        shown[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    shown[i] = '\0';
    for (size_t l = 0; l < LEVEL_COUNT; l++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", l ? ", " : "",
                 levels[l]);
    fprintf(stderr, "liblrelu: ignoring LRELU_MAX_ISA=\"%s%s\": not one of %s\n", shown,
            value[i] != '\0' ? "..." : "", known);
}

/* The highest level LRELU_MAX_ISA allows (unset or empty: no cap). */
static unsigned max_level(void)
{
    const char *cap = getenv("LRELU_MAX_ISA");
    if (cap == NULL || cap[0] == '\0')
        return LEVEL_COUNT - 1;
    for (unsigned l = 0; l < LEVEL_COUNT; l++)
        if (name_equal(cap, levels[l]))
            return l;
    warn_unknown_cap(cap);
    return LEVEL_COUNT - 1;
}

/* Streaming stores pay off when the data a call moves cannot stay in the
 * cache anyway: from the size of the largest cache one core reaches
 * (0 when unknown: then streaming only when a caller asks for it). */
static void set_stream_threshold(struct lrelu_kernel *k, size_t cache)
{
    const int on = k->forward_stream != NULL && cache != 0;
    k->stream_min_bytes = on ? cache : SIZE_MAX;
    k->stream_min_forward = on ? cache / (2 * sizeof(float)) : SIZE_MAX;
    k->stream_min_backward = on ? cache / (3 * sizeof(float)) : SIZE_MAX;
}

static void init(void)
{
    const size_t cache = lrelu_cpu_cache_bytes();
    const unsigned cpu = lrelu_cpu_detect();
    const unsigned cap = max_level();
    for (size_t i = 0; i < KERNEL_COUNT; i++) {
        if ((kernels[i].cpu & cpu) == kernels[i].cpu && kernels[i].level <= cap) {
            usable[usable_count] = kernels[i];
            set_stream_threshold(&usable[usable_count++], cache);
        }
    }
    atomic_store_explicit(&lrelu_active, &usable[usable_count - 1], memory_order_release);
}

const struct lrelu_kernel *lrelu_dispatch_init(void)
{
    pthread_once(&once, init);
    return atomic_load_explicit(&lrelu_active, memory_order_acquire);
}

__attribute__((constructor)) static void lrelu_constructor(void) { lrelu_dispatch_init(); }

const char *lrelu_active_kernel(void) { return lrelu_dispatch_init()->name; }

int lrelu_set_kernel(const char *name)
{
    lrelu_dispatch_init();
    const struct lrelu_kernel *k = NULL;
    if (name == NULL)
        k = &usable[usable_count - 1];
    for (size_t i = 0; k == NULL && i < usable_count; i++)
        if (name_equal(name, usable[i].name))
            k = &usable[i];
    if (k == NULL)
        return LRELU_EUNSUPPORTED;
    atomic_store_explicit(&lrelu_active, k, memory_order_release);
    return LRELU_OK;
}

size_t lrelu_kernel_count(void)
{
    lrelu_dispatch_init();
    return usable_count;
}

const char *lrelu_kernel_name(size_t i)
{
    lrelu_dispatch_init();
    return i < usable_count ? usable[i].name : NULL;
}

size_t lrelu_stream_threshold(void) { return lrelu_dispatch_init()->stream_min_bytes; }
