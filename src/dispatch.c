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
#define _GNU_SOURCE /* secure_getenv */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu.h"
#include "dispatch.h"
#include "env.h"
#include "lrelu.h"

/* This architecture's kernels, lowest level first: K(isa, level, cpu flags,
 * table initialiser of the streaming variants, of the plain ones). The
 * level names are the values of LRELU_MAX_ISA; a kernel not compiled in
 * keeps its level but has no row in the table. A level that provides only
 * some functions takes the others from the level below (UPGRADE_AVX512). */
#define PLAIN_ONLY(isa)                                                                            \
    {                                                                                              \
        {NULL}, {NULL}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, { NULL }             \
    }
/* AVX-512BW and AVX-512 VBMI: AVX-512's tables with AVX-512BW's bfloat16
 * functions and their own quantized ones. */
#define UPGRADE_AVX512(isa)        LRELU_KERNEL_FNS_UP(avx512, avx512bw, isa)
#define STREAM_OF_AVX512(isa)      LRELU_KERNEL_STREAM_FNS_UP(avx512, avx512bw)
#define LRELU_CPU_AVX512BW_LEVEL   (LRELU_CPU_AVX512 | LRELU_CPU_AVX512BW)
#define LRELU_CPU_AVX512VBMI_LEVEL (LRELU_CPU_AVX512BW_LEVEL | LRELU_CPU_AVX512VBMI)
#if defined(__x86_64__) || defined(__i386__)
#define LEVELS(K)                                                                                  \
    K(scalar, 0, 0u, PLAIN_ONLY, LRELU_KERNEL_FNS)                                                 \
    K(sse2, 1, LRELU_CPU_SSE2, LRELU_KERNEL_STREAM_FNS, LRELU_KERNEL_FNS)                          \
    K(avx2, 2, LRELU_CPU_AVX2 | LRELU_CPU_F16C, LRELU_KERNEL_STREAM_FNS, LRELU_KERNEL_FNS)         \
    K(avx512, 3, LRELU_CPU_AVX512, LRELU_KERNEL_STREAM_FNS, LRELU_KERNEL_FNS)                      \
    K(avx512bw, 4, LRELU_CPU_AVX512BW_LEVEL, STREAM_OF_AVX512, UPGRADE_AVX512)                     \
    K(avx512vbmi, 5, LRELU_CPU_AVX512VBMI_LEVEL, STREAM_OF_AVX512, UPGRADE_AVX512)
#elif defined(__aarch64__)
#define LEVELS(K)                                                                                  \
    K(scalar, 0, 0u, PLAIN_ONLY, LRELU_KERNEL_FNS)                                                 \
    K(neon, 1, LRELU_CPU_NEON, PLAIN_ONLY, LRELU_KERNEL_FNS)
#else
#define LEVELS(K) K(scalar, 0, 0u, PLAIN_ONLY, LRELU_KERNEL_FNS)
#endif

#define LEVEL_NAME(isa, level, cpu, stream, fns) #isa,
static const char *const levels[] = {LEVELS(LEVEL_NAME)};
enum { LEVEL_COUNT = sizeof levels / sizeof levels[0] };

/* IF_<isa>(...): its arguments where that kernel is compiled in. */
#define IF_scalar(...) __VA_ARGS__
#if LRELU_HAVE_SSE2
#define IF_sse2(...) __VA_ARGS__
#else
#define IF_sse2(...)
#endif
#if LRELU_HAVE_AVX2
#define IF_avx2(...) __VA_ARGS__
#else
#define IF_avx2(...)
#endif
#if LRELU_HAVE_AVX512
#define IF_avx512(...) __VA_ARGS__
#else
#define IF_avx512(...)
#endif
#if LRELU_HAVE_AVX512BW
#define IF_avx512bw(...) __VA_ARGS__
#else
#define IF_avx512bw(...)
#endif
#if LRELU_HAVE_AVX512VBMI
#define IF_avx512vbmi(...) __VA_ARGS__
#else
#define IF_avx512vbmi(...)
#endif
#if LRELU_HAVE_NEON
#define IF_neon(...) __VA_ARGS__
#else
#define IF_neon(...)
#endif

/* The kernels compiled in, lowest first. */
#define ROW(isa, level, cpu, stream, fns)                                                          \
    IF_##isa({#isa, level, cpu, fns(isa), stream(isa), 0, {{0}}}, )
static const struct lrelu_kernel kernels[] = {LEVELS(ROW)};
enum { KERNEL_COUNT = sizeof kernels / sizeof kernels[0] };

/* The usable kernels, with their thresholds: written once, by init, before
 * the first of them is published. */
static struct lrelu_kernel usable[KERNEL_COUNT];
static size_t usable_count;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Before initialisation: run it, then the chosen kernel (never streaming). */
#define BOOTSTRAP(type, unused)                                                                    \
    static int boot_forward_##type(const void *x, void *y, size_t n, double alpha)                 \
    {                                                                                              \
        return lrelu_dispatch_init()->fns.forward[LRELU_TYPE_##type](x, y, n, alpha);              \
    }                                                                                              \
    static int boot_backward_##type(const void *x, const void *dy, void *dx, size_t n,             \
                                    double alpha)                                                  \
    {                                                                                              \
        return lrelu_dispatch_init()->fns.backward[LRELU_TYPE_##type](x, dy, dx, n, alpha);        \
    }
LRELU_FOR_TYPES(BOOTSTRAP, )
static int boot_prelu_forward(const float *x, float *y, size_t n, const float *ext, size_t period,
                              size_t j)
{
    return lrelu_dispatch_init()->fns.prelu_forward(x, y, n, ext, period, j);
}
static int boot_prelu_backward(const float *x, const float *dy, float *dx, size_t n,
                               const float *ext, size_t period, size_t j)
{
    return lrelu_dispatch_init()->fns.prelu_backward(x, dy, dx, n, ext, period, j);
}
static int boot_prelu_forward_blocks(const float *x, float *y, size_t blocks, const float *slope,
                                     size_t inner)
{
    return lrelu_dispatch_init()->fns.prelu_forward_blocks(x, y, blocks, slope, inner);
}
static int boot_prelu_backward_blocks(const float *x, const float *dy, float *dx, size_t blocks,
                                      const float *slope, size_t inner)
{
    return lrelu_dispatch_init()->fns.prelu_backward_blocks(x, dy, dx, blocks, slope, inner);
}
static int boot_prelu_dslope(const float *x, const float *dy, float *dx, size_t n, size_t blocks,
                             size_t stride, const float *slope, size_t phase, double *lanes)
{
    return lrelu_dispatch_init()->fns.prelu_dslope(x, dy, dx, n, blocks, stride, slope, phase,
                                                   lanes);
}
static int boot_prelu_dslope_rows(const float *x, const float *dy, float *dx, size_t n,
                                  const float *ext, size_t period, size_t j, double *acc)
{
    return lrelu_dispatch_init()->fns.prelu_dslope_rows(x, dy, dx, n, ext, period, j, acc);
}
static int boot_prelu_dslope_row(const float *x, const float *dy, float *dx, size_t n,
                                 const float *slope, float *dslope)
{
    return lrelu_dispatch_init()->fns.prelu_dslope_row(x, dy, dx, n, slope, dslope);
}
static int boot_prelu_dslope_cols(const float *x, const float *dy, float *dx, size_t rows,
                                  size_t stride, size_t n, const float *slope, double *r, float *ds)
{
    return lrelu_dispatch_init()->fns.prelu_dslope_cols(x, dy, dx, rows, stride, n, slope, r, ds);
}
static int boot_prelu_finite(const float *slope, size_t n)
{
    return lrelu_dispatch_init()->fns.prelu_finite(slope, n);
}
#define BOOTSTRAP_Q(qtype, unused)                                                                 \
    static int boot_forward_##qtype(const void *x, void *y, size_t n,                              \
                                    const struct lrelu_quant_params *p)                            \
    {                                                                                              \
        return lrelu_dispatch_init()->fns.forward_q[LRELU_QTYPE_##qtype](x, y, n, p);              \
    }
LRELU_FOR_QTYPES(BOOTSTRAP_Q, )
#define BOOT_FWD(type, unused) boot_forward_##type,
#define BOOT_BWD(type, unused) boot_backward_##type,
#define NEVER                                                                                      \
    {                                                                                              \
        SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX                                                     \
    }

static const struct lrelu_kernel bootstrap = {
    "bootstrap",
    0,
    0,
    /* PReLU too: a PReLU call that starts before the initialisation makes
     * several kernel calls, each of which goes to the chosen kernel (every
     * kernel gives the same bits, partial sums included). */
    {{LRELU_FOR_TYPES(BOOT_FWD, )},
     {LRELU_FOR_TYPES(BOOT_BWD, )},
     boot_prelu_forward,
     boot_prelu_backward,
     boot_prelu_forward_blocks,
     boot_prelu_backward_blocks,
     boot_prelu_dslope,
     boot_prelu_dslope_rows,
     boot_prelu_dslope_row,
     boot_prelu_dslope_cols,
     boot_prelu_finite,
     {LRELU_FOR_QTYPES(BOOT_FWD, )}},
    {{NULL}, {NULL}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {NULL}},
    SIZE_MAX,
    {NEVER, NEVER},
};

_Atomic(const struct lrelu_kernel *) lrelu_active = &bootstrap;

/* One line on stderr (lrelu_warn_env), naming the levels. */
static void warn_unknown_cap(const char *value)
{
    char why[80] = "not one of ";
    for (size_t l = 0; l < LEVEL_COUNT; l++)
        snprintf(why + strlen(why), sizeof why - strlen(why), "%s%s", l ? ", " : "", levels[l]);
    lrelu_warn_env("LRELU_MAX_ISA", value, why);
}

/* The highest level LRELU_MAX_ISA allows (unset or empty: no cap). */
static unsigned max_level(void)
{
    const char *cap = lrelu_getenv("LRELU_MAX_ISA");
    if (cap == NULL || cap[0] == '\0')
        return LEVEL_COUNT - 1;
    for (unsigned l = 0; l < LEVEL_COUNT; l++)
        if (lrelu_name_equal(cap, levels[l]))
            return l;
    warn_unknown_cap(cap);
    return LEVEL_COUNT - 1;
}

/* Streaming stores pay off when the data a call moves cannot stay in the
 * cache anyway: from the size of the largest cache one core reaches, or
 * LRELU_STREAM_THRESHOLD (src/cpu.c; SIZE_MAX: only when a caller asks). */
static void set_stream_threshold(struct lrelu_kernel *k, size_t cache)
{
    const int on = k->stream.forward[0] != NULL && cache != SIZE_MAX;
    k->stream_min_bytes = on ? cache : SIZE_MAX;
    for (size_t t = 0; t < LRELU_TYPE_COUNT; t++)
        for (int op = 0; op < LRELU_OP_COUNT; op++)
            k->stream_min[op][t] =
                on ? cache / lrelu_moved_bytes(op, (enum lrelu_type)t) : SIZE_MAX;
}

static void init(void)
{
    const size_t cache = lrelu_cpu_stream_bytes();
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
        if (lrelu_name_equal(name, usable[i].name))
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
