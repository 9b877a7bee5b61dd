/*
 * The one shape of every kernel, included by each ISA file once per element
 * type, after it has defined LRELU_ISA (the suffix of the exported names),
 * LRELU_T (f32, f16, bf16 or f64) and that type's primitives, named
 * <type>_<primitive>:
 *
 *   elem                      the element as stored (float, uint16_t, double)
 *   lanes                     elements per vector (an enum constant)
 *   vs, vc, vm                the storage vector (lanes elements as stored),
 *                             the compute vector (the same lanes widened to
 *                             binary32; binary64 for f64) and the mask
 *   vc   alpha(double a)                    alpha broadcast in the compute type
 *   vs   load(const elem *p)                unaligned
 *   void store(elem *p, vs v)               unaligned
 *   vm   gt0(vs x)                          lanes where x > 0, decided on the
 *                                           bits: ordered (NaN is not > 0)
 *                                           and independent of DAZ
 *   vs   clear(vm m, vs v)                  +0 where m is set, v elsewhere
 *   vc   widen(vs v)                        exact
 *   vs   narrow(vc v)                       round to nearest even, whatever
 *                                           the rounding mode; NaN payload kept
 *   vc   mul(vc a, vc b)                    one IEEE multiply per lane
 *   vs   select(vm m, vs t, vs f)           t where m is set, f elsewhere
 *   and either
 *   vs   load_part(const elem *p, size_t k)     lanes [0, k), k <= lanes,
 *   void store_part(elem *p, size_t k, vs v)    touching no memory past them
 *   or LRELU_PART_BY_COPY, which builds both from a copy through the stack;
 *   and unless LRELU_NO_STREAM:
 *   void stream(elem *p, vs v)              aligned to the vector, bypassing
 *                                           the caches (or a plain store)
 *   and once per ISA, void lrelu_fence(void), ordering streaming stores.
 *   An ISA with a shorter instruction sequence for one step may define
 *   LRELU_OWN_FWD (and/or LRELU_OWN_BWD) before the include and provide
 *   vs fwd(vs x, vc a) (and vs bwd(vs x, vs dy, vc a)) itself, with the same
 *   bits and exceptions as the blend form below.
 *
 * Forward is select(x > 0, x, narrow(alpha * widen(clear(x > 0, x)))) and
 * backward the same with dy in the select's two arms: the blend form, right
 * for every alpha. Where x > 0 the input passes through as stored (a
 * signalling NaN in dy included), and the multiply sees +0 there, so it
 * raises no floating-point exception that the formula would not.
 *
 * Each function comes in two variants: the plain one stores through the
 * cache; the _stream one stores the head through the cache until the output
 * is 64-byte aligned, then whole vectors with streaming stores, then the
 * tail through the cache again, and ends with a fence.
 */
#include <stdint.h>
#include <string.h>

#include "kernels.h"

#ifndef LRELU_KERNEL_BODY_ONCE
#define LRELU_KERNEL_BODY_ONCE

#define LRELU_CAT_(a, b)       a##_##b
#define LRELU_CAT(a, b)        LRELU_CAT_(a, b)
#define LRELU_CAT3(a, b, c)    LRELU_CAT(LRELU_CAT(a, b), c)
#define LRELU_EXPORT(fn, type) LRELU_CAT3(fn, type, LRELU_ISA)

/* A value hidden from the optimiser in a register, at no cost. Seeing
 * select(m, dy, a * dy), clang would compute select(m, 1, a) * dy, which
 * quiets a signalling NaN in dy where x > 0 and breaks bit-exactness. */
#if defined(__GNUC__) && defined(__AVX512F__)
#define LRELU_HIDE(v) __asm__("" : "+v"(v))
#elif defined(__GNUC__) && defined(__SSE2__)
#define LRELU_HIDE(v) __asm__("" : "+x"(v))
#elif defined(__GNUC__) && defined(__aarch64__)
#define LRELU_HIDE(v) __asm__("" : "+w"(v))
#else
#define LRELU_HIDE(v) ((void)0)
#endif

#if defined(__GNUC__)
#define LRELU_INLINE static inline __attribute__((always_inline))
#else
#define LRELU_INLINE static inline
#endif

/* Elements to store through the cache before out + i is 64-byte aligned. */
static inline size_t lrelu_head_count(const void *out, size_t size, size_t n, int stream)
{
    if (!stream)
        return 0;
    const size_t h = (size_t)(-(uintptr_t)out & 63) / size;
    return h < n ? h : n;
}

#endif /* LRELU_KERNEL_BODY_ONCE */

#define P(name) LRELU_CAT(LRELU_T, name)
#define ELEM    P(elem)
#define VS      P(vs)
#define VC      P(vc)
#define W       P(lanes)

#ifdef LRELU_PART_BY_COPY
static inline VS P(load_part)(const ELEM *p, size_t k)
{
    ELEM b[W];
    memset(b, 0, sizeof b);
    memcpy(b, p, k * sizeof *p);
    return P(load)(b);
}

static inline void P(store_part)(ELEM *p, size_t k, VS v)
{
    ELEM b[W];
    P(store)(b, v);
    memcpy(p, b, k * sizeof *p);
}
#endif

#ifdef LRELU_NO_STREAM
#define LRELU_PUT(p, v, stream) P(store)(p, v)
#else
/* A full-vector store, streaming or through the cache; `stream` is a
 * constant in every caller, so each variant compiles to one kind. */
#define LRELU_PUT(p, v, stream)                                                                    \
    do {                                                                                           \
        if (stream)                                                                                \
            P(stream)(p, v);                                                                       \
        else                                                                                       \
            P(store)(p, v);                                                                        \
    } while (0)
#endif

#ifndef LRELU_OWN_FWD
static inline VS P(fwd)(VS x, VC a)
{
    const P(vm) m = P(gt0)(x);
    return P(select)(m, x, P(narrow)(P(mul)(a, P(widen)(P(clear)(m, x)))));
}
#endif

#ifndef LRELU_OWN_BWD
static inline VS P(bwd)(VS x, VS dy, VC a)
{
    const P(vm) m = P(gt0)(x);
    VC p = P(mul)(a, P(widen)(P(clear)(m, dy)));
    LRELU_HIDE(p);
    return P(select)(m, dy, P(narrow)(p));
}
#endif

/* Whether n elements are done in one masked step: short calls then cost
 * one load, one store and no loop (not with parts copied through the
 * stack, which cost more than a full vector). */
static inline int P(one_part)(size_t n)
{
#ifdef LRELU_PART_BY_COPY
    (void)n;
    return 0;
#else
    return n <= W;
#endif
}

/* Always inlined, so that `stream` is a constant in each exported variant
 * (gcc at -O2 would otherwise test it in every iteration). */
LRELU_INLINE void P(forward_run)(const ELEM *x, ELEM *y, size_t n, VC a, int stream)
{
    if (P(one_part)(n)) {
        P(store_part)(y, n, P(fwd)(P(load_part)(x, n), a));
        return;
    }
    size_t i = 0;
    const size_t head = lrelu_head_count(y, sizeof *y, n, stream);
    for (; i + W <= head; i += W)
        P(store)(y + i, P(fwd)(P(load)(x + i), a));
    if (i < head) {
        P(store_part)(y + i, head - i, P(fwd)(P(load_part)(x + i, head - i), a));
        i = head;
    }
    for (; i + 4 * W <= n; i += 4 * W) {
        const VS x0 = P(load)(x + i), x1 = P(load)(x + i + W);
        const VS x2 = P(load)(x + i + 2 * W), x3 = P(load)(x + i + 3 * W);
        LRELU_PUT(y + i, P(fwd)(x0, a), stream);
        LRELU_PUT(y + i + W, P(fwd)(x1, a), stream);
        LRELU_PUT(y + i + 2 * W, P(fwd)(x2, a), stream);
        LRELU_PUT(y + i + 3 * W, P(fwd)(x3, a), stream);
    }
    for (; i + W <= n; i += W)
        LRELU_PUT(y + i, P(fwd)(P(load)(x + i), a), stream);
    if (i < n)
        P(store_part)(y + i, n - i, P(fwd)(P(load_part)(x + i, n - i), a));
#ifndef LRELU_NO_STREAM
    if (stream)
        lrelu_fence();
#endif
}

LRELU_INLINE void P(backward_run)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n, VC a,
                                  int stream)
{
    if (P(one_part)(n)) {
        P(store_part)(dx, n, P(bwd)(P(load_part)(x, n), P(load_part)(dy, n), a));
        return;
    }
    size_t i = 0;
    const size_t head = lrelu_head_count(dx, sizeof *dx, n, stream);
    for (; i + W <= head; i += W)
        P(store)(dx + i, P(bwd)(P(load)(x + i), P(load)(dy + i), a));
    if (i < head) {
        P(store_part)
        (dx + i, head - i,
         P(bwd)(P(load_part)(x + i, head - i), P(load_part)(dy + i, head - i), a));
        i = head;
    }
    for (; i + 4 * W <= n; i += 4 * W) {
        const VS x0 = P(load)(x + i), x1 = P(load)(x + i + W);
        const VS x2 = P(load)(x + i + 2 * W), x3 = P(load)(x + i + 3 * W);
        const VS g0 = P(load)(dy + i), g1 = P(load)(dy + i + W);
        const VS g2 = P(load)(dy + i + 2 * W), g3 = P(load)(dy + i + 3 * W);
        LRELU_PUT(dx + i, P(bwd)(x0, g0, a), stream);
        LRELU_PUT(dx + i + W, P(bwd)(x1, g1, a), stream);
        LRELU_PUT(dx + i + 2 * W, P(bwd)(x2, g2, a), stream);
        LRELU_PUT(dx + i + 3 * W, P(bwd)(x3, g3, a), stream);
    }
    for (; i + W <= n; i += W)
        LRELU_PUT(dx + i, P(bwd)(P(load)(x + i), P(load)(dy + i), a), stream);
    if (i < n)
        P(store_part)
    (dx + i, n - i, P(bwd)(P(load_part)(x + i, n - i), P(load_part)(dy + i, n - i), a));
#ifndef LRELU_NO_STREAM
    if (stream)
        lrelu_fence();
#endif
}

int LRELU_EXPORT(lrelu_forward, LRELU_T)(const void *x, void *y, size_t n, double alpha)
{
    P(forward_run)(x, y, n, P(alpha)(alpha), 0);
    return 0;
}

int LRELU_EXPORT(lrelu_backward, LRELU_T)(const void *x, const void *dy, void *dx, size_t n,
                                          double alpha)
{
    P(backward_run)(x, dy, dx, n, P(alpha)(alpha), 0);
    return 0;
}

#ifndef LRELU_NO_STREAM
int LRELU_EXPORT(lrelu_forward_stream, LRELU_T)(const void *x, void *y, size_t n, double alpha)
{
    P(forward_run)(x, y, n, P(alpha)(alpha), 1);
    return 0;
}

int LRELU_EXPORT(lrelu_backward_stream, LRELU_T)(const void *x, const void *dy, void *dx, size_t n,
                                                 double alpha)
{
    P(backward_run)(x, dy, dx, n, P(alpha)(alpha), 1);
    return 0;
}
#endif

#undef P
#undef ELEM
#undef VS
#undef VC
#undef W
#undef LRELU_PUT
#undef LRELU_OWN_FWD
#undef LRELU_OWN_BWD
#undef LRELU_T
