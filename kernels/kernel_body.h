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
 *                             binary32; binary64 for f64; with LRELU_VC_PAIR
 *                             defined, a struct of two vectors lo and hi) and
 *                             the mask
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
 *                                           (v is always a product, so a NaN
 *                                           in it is quiet; and alpha is
 *                                           finite and the other factor a
 *                                           widened element or +0, so the NaN
 *                                           is that element's, quieted, or
 *                                           the default NaN: for bfloat16,
 *                                           its lower 16 bits are zero)
 *   vc   mul(vc a, vc b)                    one IEEE multiply per lane
 *   vs   select(vm m, vs t, vs f)           t where m is set, f elsewhere
 *   and either
 *   vs   load_part(const elem *p, size_t k)     lanes [0, k), k <= lanes,
 *   void store_part(elem *p, size_t k, vs v)    touching no memory past them
 *   or LRELU_PART_BY_COPY, which builds both from a copy through the stack;
 *   with LRELU_OWN_LOAD_TAIL defined, also
 *   vs   load_tail(const elem *p, size_t k)     load_part's contract, for the
 *                                               input of a call's last part (or
 *                                               its only one): once per call,
 *                                               after every loop, so it may
 *                                               branch on the address (gcc has
 *                                               folded a head's load_part into
 *                                               a loop);
 *   and unless LRELU_NO_STREAM:
 *   void stream(elem *p, vs v)              aligned to the vector, bypassing
 *                                           the caches (or a plain store)
 *   and, with LRELU_OWN_LOAD_FAR defined,
 *   vs   load_far(const elem *p)            load's contract, for the inputs
 *                                           of the streaming variants' loops
 *                                           (from memory)
 *   and once per ISA, void lrelu_fence(void), ordering streaming stores,
 *   and optionally LRELU_STREAM_BY_VECTOR: the streaming forward variant
 *   stores one vector a step rather than four.
 *   An ISA whose fast narrowing instruction is exact but raises exceptions
 *   of its own (F16C's) may define LRELU_NARROW_APART and provide
 *   void   vc_store(float *p, vc v)         the lanes floats of v, unaligned
 *   vc     vc_load(const float *p)
 *   vs     narrow_clean(vc v)               narrow's bits, in the environment
 *                                           of narrow_begin only
 *   vc     widen_fast(vs v)                 widen's bits where widen_fast_ok()
 *                                           (in the caller's environment);
 *                                           raises invalid for a signalling
 *                                           NaN (quieting it), as the
 *                                           multiply of it would, and nothing
 *                                           else
 *   int    widen_fast_ok(void)
 *   unsigned narrow_begin(void)             saves the caller's environment
 *                                           (with the flags raised so far) and
 *                                           enters one with every exception
 *                                           masked, to nearest, no flushing
 *   void   narrow_end(unsigned s)           restores it
 *   vc     fwd_wide(vc w, vc a)             the blend form on widened lanes:
 *                                           w where w > 0, else a * w, the
 *                                           multiply seeing +0 where w > 0
 *   Calls of LRELU_APART_MIN elements and more then run in blocks: a block's
 *   products (forward: its results, widened) in the caller's environment
 *   into a buffer on the stack (their rounding, flushing, flags and traps
 *   are the multiply's, as always), then the loop below narrowing them
 *   with narrow_clean between narrow_begin and narrow_end, whose own
 *   exceptions are thus discarded. Shorter calls widen with widen_fast
 *   too where widen_fast_ok() (and narrow with narrow).
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
 * With LRELU_PRELU defined (for the f32 inclusion only), the PReLU
 * functions of kernels.h too, from these primitives besides:
 *
 *   acc                                 eight binary64 partial sums
 *   acc  acc_load(const double *p)      p[0..8) -> sums 0..7
 *   void acc_store(double *p, acc a)
 *   acc  acc_add(acc a, vs x, vs dy, size_t l)
 *                                       adds x[k] * dy[k] (exact, binary64)
 *                                       to sum l + k for lanes k < min(lanes,
 *                                       8); with 16 lanes, then lanes 8..15
 *                                       to sums 0..7 (l is then 0)
 *   lsum                                W binary64 sums, one a lane
 *   lsum lsum_zero(void)                every sum +0
 *   lsum lsum_add(lsum a, vs x, vs dy)  adds x[k] * dy[k] (exact) to sum k
 *   lsum lsum_sum(lsum a, lsum b)       a[k] + b[k]
 *   void lsum_store(double *p, lsum a)  the W sums to p[0..W)
 *   vc   add_zero(vc v)                 +0 + v, one IEEE add a lane
 *   vm   zero_either(vs a, vs b)        lanes where a or b compares equal to
 *                                       zero (a float compare: +-0, and a
 *                                       subnormal under DAZ)
 *   vc   alpha_split(vc a, vc b, size_t r)  lanes [0, r) from a, the others
 *                                       from b (r < lanes; with
 *                                       LRELU_BLOCKS_SHORT, r < 2 lanes)
 *   void dacc(double *a0, double *a1, vs x, vs dy)
 *                                       a0[k] += x[k] * dy[k] for k <
 *                                       min(lanes, 8); with 16 lanes,
 *                                       a1[k - 8] += x[k] * dy[k] for k >= 8
 *   and, with LRELU_OWN_PRELU_TERMS, acc_add_at(acc a, vs x, const elem *xp,
 *   const elem *dyp, size_t l), dacc_at(double *a0, double *a1, vs x,
 *   const elem *xp, const elem *dyp) and lsum_add_at(lsum a, vs x, const
 *   elem *xp, const elem *dyp): the same sums of the terms of the
 *   whole vectors at xp and dyp (x is the one at xp), where x > 0 adding
 *   +0 and raising nothing, as the cleared vectors do.
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

#if defined(__GNUC__)
#define LRELU_INLINE   static inline __attribute__((always_inline))
#define LRELU_NOINLINE static __attribute__((noinline))
#else
#define LRELU_INLINE   static inline
#define LRELU_NOINLINE static
#endif

/* A hint to fetch the line at p into the cache; never faults. */
#if defined(__GNUC__)
#define LRELU_PREFETCH(p) __builtin_prefetch(p)
#else
#define LRELU_PREFETCH(p) ((void)(p))
#endif

/* An integer hidden from the optimiser in a register, at no cost: a mask
 * made from a compare stays a mask instead of becoming a branch. */
#if defined(__GNUC__)
#define LRELU_OPAQUE(v) __asm__("" : "+r"(v))
#else
#define LRELU_OPAQUE(v) ((void)0)
#endif

#endif /* LRELU_KERNEL_BODY_ONCE */

#define P(name) LRELU_CAT(LRELU_T, name)
#ifdef LRELU_VC_PAIR
#define LRELU_HIDE_VC(v)                                                                           \
    do {                                                                                           \
        LRELU_HIDE((v).lo);                                                                        \
        LRELU_HIDE((v).hi);                                                                        \
    } while (0)
#else
#define LRELU_HIDE_VC(v) LRELU_HIDE(v)
#endif
#define ELEM P(elem)
#define VS   P(vs)
#define VC   P(vc)
#define W    P(lanes)

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

/* 1 where the streaming forward loop takes one vector a step. */
#ifdef LRELU_STREAM_BY_VECTOR
#define LRELU_STREAM_STEP1 1
#else
#define LRELU_STREAM_STEP1 0
#endif

#ifdef LRELU_NO_STREAM
#define LRELU_PUT(p, v, streaming) P(store)(p, v)
#else
/* A full-vector store, streaming or through the cache; `streaming` is a
 * constant in every caller, so each variant compiles to one kind. */
#define LRELU_PUT(p, v, streaming)                                                                 \
    do {                                                                                           \
        if (streaming)                                                                             \
            P(stream)(p, v);                                                                       \
        else                                                                                       \
            P(store)(p, v);                                                                        \
    } while (0)
#endif

/* The widening, with widen_fast where `fast` (LRELU_NARROW_APART). */
#ifdef LRELU_NARROW_APART
#define LRELU_WIDEN_AS(v_, fast_) ((fast_) ? P(widen_fast)(v_) : P(widen)(v_))
#else
#define LRELU_WIDEN_AS(v_, fast_) ((void)(fast_), P(widen)(v_))
#endif

#ifndef LRELU_OWN_FWD
/* The multiply's operand is hidden too: seeing that it is x with the
 * selected lanes cleared, clang multiplies x itself (the selected lanes'
 * products are discarded anyway), which raises the exceptions of products
 * the formula never computes (0 * inf where x = +inf, alpha = 0). */
LRELU_INLINE VS P(fwd_as)(VS x, VC a, int fast)
{
    const P(vm) m = P(gt0)(x);
    VC w = LRELU_WIDEN_AS(P(clear)(m, x), fast);
    LRELU_HIDE_VC(w);
    return P(select)(m, x, P(narrow)(P(mul)(a, w)));
}
LRELU_INLINE VS P(fwd)(VS x, VC a) { return P(fwd_as)(x, a, 0); }
#endif

#ifndef LRELU_OWN_BWD
LRELU_INLINE VS P(bwd_as)(VS x, VS dy, VC a, int fast)
{
    const P(vm) m = P(gt0)(x);
    VC w = LRELU_WIDEN_AS(P(clear)(m, dy), fast);
    LRELU_HIDE_VC(w);
    VC p = P(mul)(a, w);
    LRELU_HIDE_VC(p);
    return P(select)(m, dy, P(narrow)(p));
}
LRELU_INLINE VS P(bwd)(VS x, VS dy, VC a) { return P(bwd_as)(x, dy, a, 0); }
#endif

#ifdef LRELU_NARROW_APART
/* The step from a result or product computed before: t points at its
 * lanes (forward's x is not read again). */
static inline VS P(fwd_apart)(VS x, const float *t)
{
    (void)x;
    return P(narrow_clean)(P(vc_load)(t));
}
static inline VS P(bwd_apart)(VS x, VS dy, const float *t)
{
    return P(select)(P(gt0)(x), dy, P(narrow_clean)(P(vc_load)(t)));
}
#ifndef LRELU_APART_BLOCK
#define LRELU_APART_BLOCK 1024 /* elements: 4 KiB of products */
#endif
/* The first pass over a block of n elements: into t, t[j] element j's
 * backward product, alpha * widen(dy) where x is not > 0 and alpha * +0
 * elsewhere, or its forward result, widened, from the blend form on the
 * widened lanes (fwd_wide: where x > 0, never a NaN, the widening raises
 * nothing and the narrowing gives x back exactly), so that the loop after
 * it only narrows. g is dy (unread for forward). The loops read a
 * vector's lanes from any t + j with j < n, so t has room for n rounded
 * up to a vector and one vector more, which is cleared (past n: the
 * values of the +0 a part load gives, then +0). */
LRELU_INLINE VC P(first)(VS x, VS g, VC a, int fast, int backward)
{
    if (!backward)
        return P(fwd_wide)(LRELU_WIDEN_AS(x, fast), a);
    VC w = LRELU_WIDEN_AS(P(clear)(P(gt0)(x), g), fast);
    LRELU_HIDE_VC(w);
    return P(mul)(a, w);
}
/* The address a block further on than p, as an integer: it may lie past
 * the array, which a prefetch may name but a pointer may not. */
static inline const void *P(next_block)(const ELEM *p)
{
    return (const void *)((uintptr_t)p + LRELU_APART_BLOCK * sizeof *p);
}
/* With `ahead` (the streaming variants, whose second pass reads nothing
 * from memory), each step also prefetches the next block's input, so that
 * memory keeps reading while a block is narrowed and stored. */
LRELU_INLINE void P(first_pass)(const ELEM *x, const ELEM *g, float *t, size_t n, VC a, int fast,
                                int backward, int ahead)
{
    size_t i = 0;
    for (; i + W <= n; i += W) {
        if (ahead) {
            LRELU_PREFETCH(P(next_block)(x + i));
            if (backward)
                LRELU_PREFETCH(P(next_block)(g + i));
        }
        const VS v = P(load)(x + i);
        P(vc_store)(t + i, P(first)(v, backward ? P(load)(g + i) : v, a, fast, backward));
    }
    if (i < n) {
        const VS v = P(load_part)(x + i, n - i);
        const VS u = backward ? P(load_part)(g + i, n - i) : v;
        P(vc_store)(t + i, P(first)(v, u, a, fast, backward));
        i += W;
    }
    memset(t + i, 0, W * sizeof *t);
}
/* A step of the loops below: from t's products when there are any (a
 * constant in each inlined copy), else the blend form in one go, widened
 * with widen_fast where `fast` (also a constant). */
#define LRELU_FWD(x_, i_)     (t ? P(fwd_apart)(x_, t + (i_)) : P(fwd_as)(x_, a, fast))
#define LRELU_BWD(x_, g_, i_) (t ? P(bwd_apart)(x_, g_, t + (i_)) : P(bwd_as)(x_, g_, a, fast))
#else
#define LRELU_FWD(x_, i_)     P(fwd)(x_, a)
#define LRELU_BWD(x_, g_, i_) P(bwd)(x_, g_, a)
#endif

#ifdef LRELU_OWN_LOAD_TAIL
#define LRELU_LOAD_TAIL(p, k) P(load_tail)(p, k)
#else
#define LRELU_LOAD_TAIL(p, k) P(load_part)(p, k)
#endif
/* The loads of the loops after the head, in a function with `stream` (a
 * constant): load_far in the streaming variants, whose inputs come from
 * memory, where the ISA has one. */
#ifdef LRELU_OWN_LOAD_FAR
#define LRELU_LD(p) ((stream) ? P(load_far)(p) : P(load)(p))
#else
#define LRELU_LD(p) P(load)(p)
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

/* Whether n elements are done as two (n <= 2 W) or four whole vectors, the
 * last one ending at n and overlapping the one before: W <= n <= 4 W,
 * through the cache. Every load comes before the first store, so that in
 * place too each lane is computed from the input (twice, with the same bits
 * and exceptions, where vectors overlap). No mask, loop or head: a call of
 * 17 floats on avx512 took 7.2 ticks instead of 10.2, of 40 floats 8.5
 * instead of 10.8 (Zen 5). */
static inline int P(few)(size_t n, int stream) { return !stream && W > 1 && n - W <= 3 * W; }

/* Elements stored before the loop: up to a 64-byte boundary of the output
 * for streaming stores; otherwise up to a vector boundary, in one masked
 * step where the ISA has one (then no store of the loop splits a cache
 * line, which costs a third of the speed in the L2 cache with arrays
 * aligned to 16 bytes, as malloc gives them). */
static inline size_t P(head)(const void *out, size_t n, int stream)
{
#ifdef LRELU_PART_BY_COPY
    if (!stream)
        return 0;
#endif
    const uintptr_t a = stream ? 63 : W * sizeof(ELEM) - 1;
    const size_t h = (size_t)(-(uintptr_t)out & a) / sizeof(ELEM);
    return h < n ? h : n;
}

/* Always inlined, so that `stream` (and t's being NULL, and `fast`) is a
 * constant in each exported variant (gcc at -O2 would otherwise test it in
 * every iteration). t: the products of LRELU_NARROW_APART, or NULL; fast:
 * widen with widen_fast (LRELU_NARROW_APART, t NULL). */
LRELU_INLINE void P(forward_run)(const ELEM *x, ELEM *y, size_t n, const float *t, VC a, int stream,
                                 int fast)
{
    (void)t;
    (void)fast;
    if (P(one_part)(n)) {
        P(store_part)(y, n, LRELU_FWD(LRELU_LOAD_TAIL(x, n), 0));
        return;
    }
    if (P(few)(n, stream)) {
        const size_t d = n - W;
        const VS x0 = P(load)(x), x3 = P(load)(x + d);
        if (n <= 2 * W) {
            const VS y0 = LRELU_FWD(x0, 0), y3 = LRELU_FWD(x3, d);
            P(store)(y, y0);
            P(store)(y + d, y3);
            return;
        }
        const VS x1 = P(load)(x + W), x2 = P(load)(x + d - W);
        const VS y0 = LRELU_FWD(x0, 0), y1 = LRELU_FWD(x1, W);
        const VS y2 = LRELU_FWD(x2, d - W), y3 = LRELU_FWD(x3, d);
        P(store)(y, y0);
        P(store)(y + W, y1);
        P(store)(y + d - W, y2);
        P(store)(y + d, y3);
        return;
    }
    size_t i = 0;
    const size_t head = P(head)(y, n, stream);
    for (; i + W <= head; i += W)
        P(store)(y + i, LRELU_FWD(P(load)(x + i), i));
    if (i < head) {
        P(store_part)(y + i, head - i, LRELU_FWD(P(load_part)(x + i, head - i), i));
        i = head;
    }
    for (; !(stream && LRELU_STREAM_STEP1) && i + 4 * W <= n; i += 4 * W) {
        const VS x0 = LRELU_LD(x + i), x1 = LRELU_LD(x + i + W);
        const VS x2 = LRELU_LD(x + i + 2 * W), x3 = LRELU_LD(x + i + 3 * W);
        LRELU_PUT(y + i, LRELU_FWD(x0, i), stream);
        LRELU_PUT(y + i + W, LRELU_FWD(x1, i + W), stream);
        LRELU_PUT(y + i + 2 * W, LRELU_FWD(x2, i + 2 * W), stream);
        LRELU_PUT(y + i + 3 * W, LRELU_FWD(x3, i + 3 * W), stream);
    }
    for (; i + W <= n; i += W)
        LRELU_PUT(y + i, LRELU_FWD(LRELU_LD(x + i), i), stream);
    if (i < n)
        P(store_part)(y + i, n - i, LRELU_FWD(LRELU_LOAD_TAIL(x + i, n - i), i));
}

LRELU_INLINE void P(backward_run)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n, const float *t,
                                  VC a, int stream, int fast)
{
    (void)t;
    (void)fast;
    if (P(one_part)(n)) {
        P(store_part)(dx, n, LRELU_BWD(LRELU_LOAD_TAIL(x, n), LRELU_LOAD_TAIL(dy, n), 0));
        return;
    }
    if (P(few)(n, stream)) {
        const size_t d = n - W;
        const VS x0 = P(load)(x), x3 = P(load)(x + d), g0 = P(load)(dy), g3 = P(load)(dy + d);
        if (n <= 2 * W) {
            const VS r0 = LRELU_BWD(x0, g0, 0), r3 = LRELU_BWD(x3, g3, d);
            P(store)(dx, r0);
            P(store)(dx + d, r3);
            return;
        }
        const VS x1 = P(load)(x + W), x2 = P(load)(x + d - W);
        const VS g1 = P(load)(dy + W), g2 = P(load)(dy + d - W);
        const VS r0 = LRELU_BWD(x0, g0, 0), r1 = LRELU_BWD(x1, g1, W);
        const VS r2 = LRELU_BWD(x2, g2, d - W), r3 = LRELU_BWD(x3, g3, d);
        P(store)(dx, r0);
        P(store)(dx + W, r1);
        P(store)(dx + d - W, r2);
        P(store)(dx + d, r3);
        return;
    }
    size_t i = 0;
    const size_t head = P(head)(dx, n, stream);
    for (; i + W <= head; i += W)
        P(store)(dx + i, LRELU_BWD(P(load)(x + i), P(load)(dy + i), i));
    if (i < head) {
        P(store_part)
        (dx + i, head - i,
         LRELU_BWD(P(load_part)(x + i, head - i), P(load_part)(dy + i, head - i), i));
        i = head;
    }
    for (; i + 4 * W <= n; i += 4 * W) {
        const VS x0 = LRELU_LD(x + i), x1 = LRELU_LD(x + i + W);
        const VS x2 = LRELU_LD(x + i + 2 * W), x3 = LRELU_LD(x + i + 3 * W);
        const VS g0 = LRELU_LD(dy + i), g1 = LRELU_LD(dy + i + W);
        const VS g2 = LRELU_LD(dy + i + 2 * W), g3 = LRELU_LD(dy + i + 3 * W);
        LRELU_PUT(dx + i, LRELU_BWD(x0, g0, i), stream);
        LRELU_PUT(dx + i + W, LRELU_BWD(x1, g1, i + W), stream);
        LRELU_PUT(dx + i + 2 * W, LRELU_BWD(x2, g2, i + 2 * W), stream);
        LRELU_PUT(dx + i + 3 * W, LRELU_BWD(x3, g3, i + 3 * W), stream);
    }
    for (; i + W <= n; i += W)
        LRELU_PUT(dx + i, LRELU_BWD(LRELU_LD(x + i), LRELU_LD(dy + i), i), stream);
    if (i < n)
        P(store_part)
    (dx + i, n - i, LRELU_BWD(LRELU_LOAD_TAIL(x + i, n - i), LRELU_LOAD_TAIL(dy + i, n - i), i));
}

#ifdef LRELU_NARROW_APART
/* One block of k <= LRELU_APART_BLOCK elements: its first pass (widened
 * with widen_fast when `fast`), then the loop narrowing it. g is x for
 * forward. */
LRELU_INLINE void P(apart_block)(const ELEM *x, const ELEM *g, ELEM *out, size_t k, VC a, int fast,
                                 int stream, int backward)
{
    float t[LRELU_APART_BLOCK + W] __attribute__((aligned(64)));
    if (fast)
        P(first_pass)(x, g, t, k, a, 1, backward, stream);
    else
        P(first_pass)(x, g, t, k, a, 0, backward, stream);
    const unsigned s = P(narrow_begin)();
    if (backward)
        P(backward_run)(x, g, out, k, t, a, stream, 0);
    else
        P(forward_run)(x, out, k, t, a, stream, 0);
    P(narrow_end)(s);
}
/* Each variant of a block in a function of its own, so that the loop over
 * blocks holds no branch but its own test (a block's head and tail tests
 * stay outside every loop). alpha arrives as the caller's double, not as a
 * vector: gcc 12 puts no VZEROUPPER at the end of a function that takes a
 * 256-bit vector argument, nor at the end of its caller, which takes the
 * call for the end of the wide state; so the caller (an entry point)
 * returned with the upper halves in use, which cost about 100 ns a call on
 * a Zen 3 (tests/check_vzeroupper.py). */
#define LRELU_APART_VARIANT(name, stream, backward)                                                \
    static __attribute__((noinline)) void P(name)(const ELEM *x, const ELEM *g, ELEM *out,         \
                                                  size_t k, double alpha, int fast)                \
    {                                                                                              \
        P(apart_block)(x, g, out, k, P(alpha)(alpha), fast, stream, backward);                     \
    }
LRELU_APART_VARIANT(fwd_block, 0, 0)
LRELU_APART_VARIANT(bwd_block, 0, 1)
#ifndef LRELU_NO_STREAM
LRELU_APART_VARIANT(fwd_block_stream, 1, 0)
LRELU_APART_VARIANT(bwd_block_stream, 1, 1)
#endif
#undef LRELU_APART_VARIANT
/* The calls from LRELU_APART_MIN elements on: whole blocks, then the
 * rest. */
LRELU_INLINE void P(apart)(const ELEM *x, const ELEM *g, ELEM *out, size_t n, double alpha,
                           void (*block)(const ELEM *, const ELEM *, ELEM *, size_t, double, int))
{
    const int fast = P(widen_fast_ok)();
    size_t b = 0;
    for (; b + LRELU_APART_BLOCK <= n; b += LRELU_APART_BLOCK)
        block(x + b, g + b, out + b, LRELU_APART_BLOCK, alpha, fast);
    if (b < n)
        block(x + b, g + b, out + b, n - b, alpha, fast);
}
/* Shorter calls: the blend form in one go, widened with widen_fast where
 * the environment allows it. */
#define LRELU_FORWARD(x_, y_, n_, alpha_, stream_)                                                 \
    ((n_) >= LRELU_APART_MIN                                                                       \
         ? P(apart)(x_, x_, y_, n_, alpha_, (stream_) ? LRELU_STREAM_BLOCK(fwd) : P(fwd_block))    \
     : P(widen_fast_ok)() ? P(forward_run)(x_, y_, n_, NULL, P(alpha)(alpha_), stream_, 1)         \
                          : P(forward_run)(x_, y_, n_, NULL, P(alpha)(alpha_), stream_, 0))
#define LRELU_BACKWARD(x_, g_, dx_, n_, alpha_, stream_)                                           \
    ((n_) >= LRELU_APART_MIN                                                                       \
         ? P(apart)(x_, g_, dx_, n_, alpha_, (stream_) ? LRELU_STREAM_BLOCK(bwd) : P(bwd_block))   \
     : P(widen_fast_ok)() ? P(backward_run)(x_, g_, dx_, n_, NULL, P(alpha)(alpha_), stream_, 1)   \
                          : P(backward_run)(x_, g_, dx_, n_, NULL, P(alpha)(alpha_), stream_, 0))
#ifdef LRELU_NO_STREAM
#define LRELU_STREAM_BLOCK(op) P(op##_block)
#else
#define LRELU_STREAM_BLOCK(op) P(op##_block_stream)
#endif
#else
#define LRELU_FORWARD(x_, y_, n_, alpha_, stream_)                                                 \
    P(forward_run)(x_, y_, n_, NULL, P(alpha)(alpha_), stream_, 0)
#define LRELU_BACKWARD(x_, g_, dx_, n_, alpha_, stream_)                                           \
    P(backward_run)(x_, g_, dx_, n_, NULL, P(alpha)(alpha_), stream_, 0)
#endif

int LRELU_EXPORT(lrelu_forward, LRELU_T)(const void *x, void *y, size_t n, double alpha)
{
    LRELU_FORWARD((const ELEM *)x, (ELEM *)y, n, alpha, 0);
    return 0;
}

int LRELU_EXPORT(lrelu_backward, LRELU_T)(const void *x, const void *dy, void *dx, size_t n,
                                          double alpha)
{
    LRELU_BACKWARD((const ELEM *)x, (const ELEM *)dy, (ELEM *)dx, n, alpha, 0);
    return 0;
}

#ifndef LRELU_NO_STREAM
int LRELU_EXPORT(lrelu_forward_stream, LRELU_T)(const void *x, void *y, size_t n, double alpha)
{
    LRELU_FORWARD((const ELEM *)x, (ELEM *)y, n, alpha, 1);
    lrelu_fence();
    return 0;
}

int LRELU_EXPORT(lrelu_backward_stream, LRELU_T)(const void *x, const void *dy, void *dx, size_t n,
                                                 double alpha)
{
    LRELU_BACKWARD((const ELEM *)x, (const ELEM *)dy, (ELEM *)dx, n, alpha, 1);
    lrelu_fence();
    return 0;
}
#endif

#ifdef LRELU_PRELU
/* PReLU (kernels.h). A slope vector is loaded from ext + j; j runs modulo
 * the period (at least 8) without a branch: j < 3 * period. */
static inline size_t P(wrap)(size_t j, size_t period)
{
    size_t m = 0 - (size_t)(j >= period);
    LRELU_OPAQUE(m); /* clang would branch on the compare */
    j -= period & m;
    m = 0 - (size_t)(j >= period);
    LRELU_OPAQUE(m);
    return j - (period & m);
}

/* One vector of forward (x) or backward (x, dy) with the slopes at sp. */
LRELU_INLINE VS P(prelu_step)(VS xv, VS gv, const ELEM *sp, int bwd)
{
    const VC s = P(widen)(P(load)(sp));
    return bwd ? P(bwd)(xv, gv, s) : P(fwd)(xv, s);
}

/* j + k modulo the period, for j < period and k <= period: one
 * conditional subtraction (prelu_run's steps: 4 W <= 64 <= period, or no
 * wrap at all within the call). */
static inline size_t P(wrap1)(size_t j, size_t k, size_t period)
{
    j += k;
    size_t m = 0 - (size_t)(j >= period);
    LRELU_OPAQUE(m); /* clang would branch on the compare */
    return j - (period & m);
}

/* flat: the call stays within one period (j + n <= period), so that the
 * slopes of element i are at ext + j + i, with no wrap to follow (a
 * channels-last row). stream: whole vectors from the output's first 64-byte
 * boundary on with streaming stores (those before it, and the last part,
 * through the cache). */
LRELU_INLINE void P(prelu_run)(const ELEM *x, const ELEM *dy, ELEM *out, size_t n, const ELEM *ext,
                               size_t period, size_t j, int bwd, int flat, int stream)
{
    size_t i = 0;
    /* The slopes of element i: ext + j in the wrapping variant (j follows
     * i modulo the period), ext + i in the flat one. */
#define LRELU_SLOPES(i_) (flat ? ext + (i_) : ext + j)
    if (flat)
        ext += j;
#ifndef LRELU_PART_BY_COPY
    /* Up to the output's next vector boundary in one masked step: no store
     * of the loop then splits a cache line. */
    const size_t head = P(head)(out, n, 0);
    if (head != 0 && head < n) {
        const VC s = P(widen)(P(load_part)(LRELU_SLOPES(0), head));
        const VS xv = P(load_part)(x, head);
        P(store_part)(out, head, bwd ? P(bwd)(xv, P(load_part)(dy, head), s) : P(fwd)(xv, s));
        i = head;
        if (!flat)
            j = P(wrap1)(j, head, period);
    }
#endif
    /* Streaming: whole vectors through the cache up to a 64-byte boundary
     * (a test of the address, not of the data). */
    for (; stream && i + W <= n && ((uintptr_t)(out + i) & 63) != 0; i += W) {
        const VS xv = P(load)(x + i);
        P(store)(out + i, P(prelu_step)(xv, bwd ? P(load)(dy + i) : xv, LRELU_SLOPES(i), bwd));
        if (!flat)
            j = P(wrap1)(j, W, period);
    }
    /* Four vectors a step, so that the wrap of j (a chain of dependent
     * operations) is paid once for four (period >= 4 * lanes). Their loads
     * come before their stores, as in forward_run: a load is never held up
     * behind a store to an address 4 KiB apart (out a few lines ahead of x
     * modulo 4 KiB, as two heap blocks can be). Written out, not as arrays
     * of four, which gcc -O2 keeps on the stack (a store and a load more
     * per vector). */
    for (; i + 4 * W <= n; i += 4 * W) {
        const VS x0 = LRELU_LD(x + i), x1 = LRELU_LD(x + i + W);
        const VS x2 = LRELU_LD(x + i + 2 * W), x3 = LRELU_LD(x + i + 3 * W);
        const VS g0 = bwd ? LRELU_LD(dy + i) : x0, g1 = bwd ? LRELU_LD(dy + i + W) : x1;
        const VS g2 = bwd ? LRELU_LD(dy + i + 2 * W) : x2, g3 = bwd ? LRELU_LD(dy + i + 3 * W) : x3;
        const ELEM *sp = LRELU_SLOPES(i);
        LRELU_PUT(out + i, P(prelu_step)(x0, g0, sp, bwd), stream);
        LRELU_PUT(out + i + W, P(prelu_step)(x1, g1, sp + W, bwd), stream);
        LRELU_PUT(out + i + 2 * W, P(prelu_step)(x2, g2, sp + 2 * W, bwd), stream);
        LRELU_PUT(out + i + 3 * W, P(prelu_step)(x3, g3, sp + 3 * W, bwd), stream);
        if (!flat)
            j = P(wrap1)(j, 4 * W, period);
    }
    for (; i + W <= n; i += W) {
        const VC s = P(widen)(P(load)(LRELU_SLOPES(i)));
        const VS xv = LRELU_LD(x + i);
        LRELU_PUT(out + i, bwd ? P(bwd)(xv, LRELU_LD(dy + i), s) : P(fwd)(xv, s), stream);
        if (!flat)
            j = P(wrap1)(j, W, period);
    }
    if (i < n) {
        const VC s = P(widen)(LRELU_LOAD_TAIL(LRELU_SLOPES(i), n - i));
        const VS xv = LRELU_LOAD_TAIL(x + i, n - i);
        P(store_part)
        (out + i, n - i, bwd ? P(bwd)(xv, P(load_part)(dy + i, n - i), s) : P(fwd)(xv, s));
    }
#undef LRELU_SLOPES
}

/* A call within one period takes the flat loop (constants in each
 * variant, as prelu_run is always inlined). */
LRELU_INLINE void P(prelu_call)(const ELEM *x, const ELEM *dy, ELEM *out, size_t n, const ELEM *ext,
                                size_t period, size_t j, int bwd, int stream)
{
    if (j + n <= period)
        P(prelu_run)(x, dy, out, n, ext, period, j, bwd, 1, stream);
    else
        P(prelu_run)(x, dy, out, n, ext, period, j, bwd, 0, stream);
}

int LRELU_EXPORT(lrelu_prelu_forward, LRELU_T)(const float *x, float *y, size_t n, const float *ext,
                                               size_t period, size_t j)
{
    P(prelu_call)(x, NULL, y, n, ext, period, j, 0, 0);
    return 0;
}

int LRELU_EXPORT(lrelu_prelu_backward, LRELU_T)(const float *x, const float *dy, float *dx,
                                                size_t n, const float *ext, size_t period, size_t j)
{
    P(prelu_call)(x, dy, dx, n, ext, period, j, 1, 0);
    return 0;
}

#ifndef LRELU_NO_STREAM
int LRELU_EXPORT(lrelu_prelu_forward_stream, LRELU_T)(const float *x, float *y, size_t n,
                                                      const float *ext, size_t period, size_t j)
{
    P(prelu_call)(x, NULL, y, n, ext, period, j, 0, 1);
    lrelu_fence();
    return 0;
}

int LRELU_EXPORT(lrelu_prelu_backward_stream, LRELU_T)(const float *x, const float *dy, float *dx,
                                                       size_t n, const float *ext, size_t period,
                                                       size_t j)
{
    P(prelu_call)(x, dy, dx, n, ext, period, j, 1, 1);
    lrelu_fence();
    return 0;
}
#endif

/* Whole channel blocks of inner >= 2 W elements, block b with slope[b]:
 * whole vectors on the output's vector boundaries, one after another
 * across the blocks, so that no store splits a cache line and no element
 * is computed twice but in the first and the last vector. A loop over the
 * blocks holds a loop over a block's vectors (it runs at least once: no
 * test before it) and then the vector across the block's end, whose
 * lanes take this block's slope and the next one's (alpha_split; the
 * block may end on the boundary, and then it is all the next one's). The
 * last block is the loops' own, after them. The first and the last W
 * elements are a vector each, on the first and the last block's slope
 * (inner >= W), loaded and computed before every store (right in place
 * too) and stored after them over the elements they share with the other
 * vectors (the same values). No partial vector, no mask, no branch but
 * the loops'. */
LRELU_INLINE VS P(blocks_one)(const ELEM *x, const ELEM *dy, size_t i, VC a, int bwd)
{
    return bwd ? P(bwd)(P(load)(x + i), P(load)(dy + i), a) : P(fwd)(P(load)(x + i), a);
}

LRELU_INLINE void P(blocks_run)(const ELEM *x, const ELEM *dy, ELEM *out, size_t blocks,
                                const float *slope, size_t inner, int bwd)
{
    const size_t n = blocks * inner;
    VC a = P(alpha)(slope[0]);
    const VS head = P(blocks_one)(x, dy, 0, a, bwd);
    const VS tail = P(blocks_one)(x, dy, n - W, P(alpha)(slope[blocks - 1]), bwd);
    size_t i = (size_t)(-(uintptr_t)out & (W * sizeof(ELEM) - 1)) / sizeof(ELEM), end = inner;
    for (size_t b = 1; b < blocks; b++, end += inner) {
        do {
            P(store)(out + i, P(blocks_one)(x, dy, i, a, bwd));
            i += W;
        } while (i + W <= end);
        const VC next = P(alpha)(slope[b]);
        P(store)(out + i, P(blocks_one)(x, dy, i, P(alpha_split)(a, next, end - i), bwd));
        i += W;
        a = next;
    }
    do {
        P(store)(out + i, P(blocks_one)(x, dy, i, a, bwd));
        i += W;
    } while (i + W <= n);
    P(store)(out, head);
    P(store)(out + n - W, tail);
}

/* With more than 8 float32 lanes (LRELU_BLOCKS_SHORT, defined by the
 * ISA), blocks of W <= inner < 2 W elements, where a block may hold no whole
 * aligned vector: one loop over the output's aligned vectors, each on the
 * slope of its first lane's block and the next one's (alpha_split at the
 * block's end, r = end - i, which may exceed W: then all this block's),
 * the block advanced after each vector by a conditional move, not a
 * branch (a vector reaches at most one block's end, as inner >= W). The
 * first and the last vector as in blocks_run. */
#ifdef LRELU_BLOCKS_SHORT
LRELU_INLINE void P(blocks_short)(const ELEM *x, const ELEM *dy, ELEM *out, size_t blocks,
                                  const float *slope, size_t inner, int bwd)
{
    const size_t n = blocks * inner, last = blocks - 1;
    const VS head = P(blocks_one)(x, dy, 0, P(alpha)(slope[0]), bwd);
    const VS tail = P(blocks_one)(x, dy, n - W, P(alpha)(slope[last]), bwd);
    size_t i = (size_t)(-(uintptr_t)out & (W * sizeof(ELEM) - 1)) / sizeof(ELEM), b = 0,
           end = inner;
    for (; i + W <= n; i += W) {
        const size_t next = b + (b < last);
        const VC a = P(alpha_split)(P(alpha)(slope[b]), P(alpha)(slope[next]), end - i);
        P(store)(out + i, P(blocks_one)(x, dy, i, a, bwd));
        const size_t on = end <= i + W, moved = end + inner;
        b += on;
        end = on ? moved : end; /* a conditional move: two steps a vector */
    }
    P(store)(out, head);
    P(store)(out + n - W, tail);
}
#define LRELU_BLOCKS_(x, dy, out, blocks, slope, inner, bwd)                                       \
    do {                                                                                           \
        if (inner < 2 * (size_t)W)                                                                 \
            P(blocks_short)(x, dy, out, blocks, slope, inner, bwd);                                \
        else                                                                                       \
            P(blocks_run)(x, dy, out, blocks, slope, inner, bwd);                                  \
    } while (0)
#else
/* Otherwise every block the kernel takes holds two vectors or more. */
_Static_assert(2 * (size_t)W <= LRELU_PRELU_BLOCKS_MIN, "blocks of fewer than 2 W elements");
#define LRELU_BLOCKS_ P(blocks_run)
#endif
#undef LRELU_BLOCKS_SHORT

int LRELU_EXPORT(lrelu_prelu_forward_blocks, LRELU_T)(const float *x, float *y, size_t blocks,
                                                      const float *slope, size_t inner)
{
    LRELU_BLOCKS_(x, NULL, y, blocks, slope, inner, 0);
    return 0;
}

int LRELU_EXPORT(lrelu_prelu_backward_blocks, LRELU_T)(const float *x, const float *dy, float *dx,
                                                       size_t blocks, const float *slope,
                                                       size_t inner)
{
    LRELU_BLOCKS_(x, dy, dx, blocks, slope, inner, 1);
    return 0;
}
#undef LRELU_BLOCKS_

#ifndef LRELU_NO_STREAM
/* The streaming table's blocks functions: blocks of long runs (the
 * driver's PRELU_STREAM_RUN_MIN), each lrelu_forward_stream's run with
 * alpha = slope[b] (lrelu_backward_stream's), and one fence for all of
 * them instead of one a run: a call a run of 3136 elements, 51 MB moved,
 * took 1.25-1.3x the time of one call over the whole (Zen 5). */
LRELU_NOINLINE void P(run_stream)(const float *x, const float *dy, float *out, size_t n,
                                  double alpha)
{
    if (dy == NULL)
        LRELU_FORWARD(x, out, n, alpha, 1);
    else
        LRELU_BACKWARD(x, dy, out, n, alpha, 1);
}

int LRELU_EXPORT(lrelu_prelu_forward_blocks_stream,
                 LRELU_T)(const float *x, float *y, size_t blocks, const float *slope, size_t inner)
{
    for (size_t b = 0; b < blocks; b++)
        P(run_stream)(x + b * inner, NULL, y + b * inner, inner, slope[b]);
    lrelu_fence();
    return 0;
}

int LRELU_EXPORT(lrelu_prelu_backward_blocks_stream, LRELU_T)(const float *x, const float *dy,
                                                              float *dx, size_t blocks,
                                                              const float *slope, size_t inner)
{
    for (size_t b = 0; b < blocks; b++)
        P(run_stream)(x + b * inner, dy + b * inner, dx + b * inner, inner, slope[b]);
    lrelu_fence();
    return 0;
}
#endif

/* The terms of one vector: x and dy cleared where x > 0 (so a term there
 * is +0 * +0, whatever dy holds), or, with LRELU_OWN_PRELU_TERMS, x itself
 * and the two addresses, from which the ISA's acc_add and dacc form the
 * same terms (and raise the same exceptions); dx where wanted (want_dx 1,
 * or 2: a streaming store to an aligned vector), as backward's step
 * computes it. Without dx, an ISA whose terms load dy under a mask may
 * load its whole vector too (LRELU_PRELU_TOUCH(gp)). */
#ifdef LRELU_OWN_PRELU_TERMS
#define LRELU_TERMS_(m, xv, gv, xp, gp) (xv), (xp), (gp)
#define LRELU_ACC_FN_                   P(acc_add_at)
#define LRELU_DACC_FN_                  P(dacc_at)
#else
#define LRELU_TERMS_(m, xv, gv, xp, gp) P(clear)(m, xv), P(clear)(m, gv)
#define LRELU_ACC_FN_                   P(acc_add)
#define LRELU_DACC_FN_                  P(dacc)
#endif
#ifndef LRELU_PRELU_TOUCH
#define LRELU_PRELU_TOUCH(gp) ((void)0)
#endif
#define LRELU_PRELU_STEP(xp, gp, dxp, s, want_dx, ACCUMULATE)                                      \
    do {                                                                                           \
        const VS xv_ = P(load)(xp), gv_ = P(load)(gp);                                             \
        const P(vm) m_ = P(gt0)(xv_);                                                              \
        (void)m_;                                                                                  \
        if (!(want_dx))                                                                            \
            LRELU_PRELU_TOUCH(gp);                                                                 \
        ACCUMULATE(LRELU_TERMS_(m_, xv_, gv_, xp, gp));                                            \
        if (want_dx)                                                                               \
            LRELU_PUT(dxp, P(bwd)(xv_, gv_, s), (want_dx) == 2);                                   \
    } while (0)

/* Terms per group: whole vectors covering whole sets of the eight sums. */
enum { P(group) = W < 8 ? 8 : W };

/* One group of terms into the eight sums (x, dy, dx at a term index that is
 * a multiple of 8). */
LRELU_INLINE P(acc)
    P(dslope_group)(const ELEM *x, const ELEM *dy, ELEM *dx, VC a, P(acc) acc, int want_dx)
{
    /* Unrolled (two vectors on SSE2 and NEON): with v a constant, the
     * ISA's eight sums stay in registers; gcc -O2 would otherwise index
     * them in memory, a store and a load per vector. */
#pragma GCC unroll 8
    for (size_t v = 0; v < P(group) / W; v++) {
#define LRELU_ACC_(...) acc = LRELU_ACC_FN_(acc, __VA_ARGS__, (v * W) & 7)
        LRELU_PRELU_STEP(x + v * W, dy + v * W, dx + v * W, a, want_dx, LRELU_ACC_);
#undef LRELU_ACC_
    }
    return acc;
}

/* A group of which only the first k terms are real, through zeroed copies
 * (the others are +0 * +0). */
LRELU_INLINE P(acc)
    P(dslope_part)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t k, VC a, P(acc) acc, int want_dx)
{
    ELEM bx[P(group)], bg[P(group)], bd[P(group)];
    memset(bx, 0, sizeof bx);
    memset(bg, 0, sizeof bg);
    memcpy(bx, x, k * sizeof *x);
    memcpy(bg, dy, k * sizeof *dy);
    acc = P(dslope_group)(bx, bg, bd, a, acc, want_dx != 0); /* bd: through the cache */
    if (want_dx)
        memcpy(dx, bd, k * sizeof *dx);
    return acc;
}

/* The eight sums rotated by ph (< 8): lane l of the accumulator holds
 * lanes[(ph + l) mod 8], so that a run whose first term belongs in
 * lanes[ph] is taken in whole groups from that term on, each lane still
 * receiving its own terms in increasing order. */
#ifndef LRELU_OWN_ACC_ROTATE
LRELU_INLINE P(acc) P(acc_load_rot)(const double *lanes, size_t ph)
{
    if (ph == 0) /* the shape's, not the data's: no rotation, no copy */
        return P(acc_load)(lanes);
    double r[8];
    for (size_t l = 0; l < 8; l++)
        r[l] = lanes[(ph + l) & 7];
    return P(acc_load)(r);
}
LRELU_INLINE void P(acc_store_rot)(double *lanes, size_t ph, P(acc) acc)
{
    if (ph == 0) {
        P(acc_store)(lanes, acc);
        return;
    }
    double r[8];
    P(acc_store)(r, acc);
    for (size_t l = 0; l < 8; l++)
        lanes[(ph + l) & 7] = r[l];
}
#endif
#undef LRELU_OWN_ACC_ROTATE

/* How far ahead of its group a run reads x and dy with `far` (the
 * streaming table's dslope, for calls larger than the caches): the
 * hardware's prefetching alone left one thread at about half the speed
 * memory gives lrelu_backward. */
#define LRELU_DSLOPE_AHEAD 4096
LRELU_INLINE void P(dslope_run)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n, VC a, size_t ph,
                                double *lanes, int want_dx, int far)
{
    P(acc) acc = P(acc_load_rot)(lanes, ph);
    size_t i = 0;
    for (; i + P(group) <= n; i += P(group)) {
        if (far) { /* addresses as integers: they may lie past the arrays */
            LRELU_PREFETCH((const void *)((uintptr_t)(x + i) + LRELU_DSLOPE_AHEAD));
            LRELU_PREFETCH((const void *)((uintptr_t)(dy + i) + LRELU_DSLOPE_AHEAD));
        }
        acc = P(dslope_group)(x + i, dy + i, dx + i, a, acc, want_dx);
    }
#ifndef LRELU_PART_BY_COPY
    /* Masked loads and stores (a group is one vector here). */
    if (i < n && (size_t)P(group) == (size_t)W) {
        const VS xv = LRELU_LOAD_TAIL(x + i, n - i), gv = LRELU_LOAD_TAIL(dy + i, n - i);
#ifdef LRELU_OWN_PRELU_TERMS
        acc = P(acc_add_part_at)(acc, xv, x + i, dy + i, n - i);
#else
        const P(vm) m = P(gt0)(xv);
        acc = P(acc_add)(acc, P(clear)(m, xv), P(clear)(m, gv), 0);
#endif
        if (want_dx)
            P(store_part)(dx + i, n - i, P(bwd)(xv, gv, a));
        i = n;
    }
#endif
    if (i < n)
        acc = P(dslope_part)(x + i, dy + i, dx + i, n - i, a, acc, want_dx);
    P(acc_store_rot)(lanes, ph, acc);
}

/* One run, out of line: the loops over runs below then hold a call, and
 * no branch but their own (a run's last part branches on n). */
LRELU_NOINLINE void P(dslope_one)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n, double alpha,
                                  size_t ph, double *lanes)
{
    P(dslope_run)(x, dy, dx, n, P(alpha)(alpha), ph, lanes, 1, 0);
}
LRELU_NOINLINE void P(dslope_one_nodx)(const ELEM *x, const ELEM *dy, size_t n, double alpha,
                                       size_t ph, double *lanes)
{
    /* x as dx: never written */
    P(dslope_run)(x, dy, (ELEM *)x, n, P(alpha)(alpha), ph, lanes, 0, 0);
}

/* The runs of a call, those with dx through `one` (dslope_one, or
 * dslope_one_stream), those without through `nodx` (dslope_one_nodx or
 * dslope_one_nodx_far): constants, so direct calls. */
typedef void (*P(one_fn))(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n, double alpha,
                          size_t ph, double *lanes);
typedef void (*P(nodx_fn))(const ELEM *x, const ELEM *dy, size_t n, double alpha, size_t ph,
                           double *lanes);
LRELU_INLINE void P(dslope_runs)(const float *x, const float *dy, float *dx, size_t n,
                                 size_t blocks, size_t stride, const float *slope, size_t phase,
                                 double *lanes, P(one_fn) one, P(nodx_fn) nodx)
{
    const size_t ph = phase & 7;
    for (size_t b = 0; dx != NULL && b < blocks; b++) {
        const size_t at = b * stride;
        one(x + at, dy + at, dx + at, n, slope[b], ph, lanes + 8 * b);
    }
    for (size_t b = 0; dx == NULL && b < blocks; b++) {
        const size_t at = b * stride;
        nodx(x + at, dy + at, n, slope[b], ph, lanes + 8 * b);
    }
}

int LRELU_EXPORT(lrelu_prelu_dslope, LRELU_T)(const float *x, const float *dy, float *dx, size_t n,
                                              size_t blocks, size_t stride, const float *slope,
                                              size_t phase, double *lanes)
{
    P(dslope_runs)
    (x, dy, dx, n, blocks, stride, slope, phase, lanes, P(dslope_one), P(dslope_one_nodx));
    return 0;
}

#ifndef LRELU_NO_STREAM
/* For calls larger than the caches: x and dy read ahead (`far`), and dx
 * streamed: a run whose dx starts on a group's alignment stores its whole
 * groups with streaming stores (its last part through the cache); another
 * run, whose groups would all straddle that alignment, stores through the
 * cache. */
LRELU_NOINLINE void P(dslope_one_stream)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n,
                                         double alpha, size_t ph, double *lanes)
{
    if (((uintptr_t)dx & (P(group) * sizeof(ELEM) - 1)) == 0)
        P(dslope_run)(x, dy, dx, n, P(alpha)(alpha), ph, lanes, 2, 1);
    else
        P(dslope_run)(x, dy, dx, n, P(alpha)(alpha), ph, lanes, 1, 1);
}
LRELU_NOINLINE void P(dslope_one_nodx_far)(const ELEM *x, const ELEM *dy, size_t n, double alpha,
                                           size_t ph, double *lanes)
{
    P(dslope_run)(x, dy, (ELEM *)x, n, P(alpha)(alpha), ph, lanes, 0, 1);
}

int LRELU_EXPORT(lrelu_prelu_dslope_stream,
                 LRELU_T)(const float *x, const float *dy, float *dx, size_t n, size_t blocks,
                          size_t stride, const float *slope, size_t phase, double *lanes)
{
    P(dslope_runs)
    (x, dy, dx, n, blocks, stride, slope, phase, lanes, P(dslope_one_stream),
     P(dslope_one_nodx_far));
    lrelu_fence();
    return 0;
}
#endif

/* The last n < W elements of a rows run, through zeroed copies, with
 * DACC (a macro of j) adding their terms. */
#define LRELU_ROWS_TAIL_(DACC)                                                                     \
    do {                                                                                           \
        ELEM bx[W], bg[W], bd[W];                                                                  \
        memset(bx, 0, sizeof bx);                                                                  \
        memset(bg, 0, sizeof bg);                                                                  \
        memcpy(bx, x, n * sizeof *x);                                                              \
        memcpy(bg, dy, n * sizeof *dy);                                                            \
        const VC s = P(widen)(P(load)(ext + j));                                                   \
        LRELU_PRELU_STEP(bx, bg, bd, s, want_dx, DACC);                                            \
        if (want_dx)                                                                               \
            memcpy(dx, bd, n * sizeof *dx);                                                        \
    } while (0)
/* Terms to acc + j, lanes 8..15 (with 16 lanes, the only dacc that uses
 * a1) to acc + j + 8: within one period. */
#define LRELU_DACC_FLAT_(...) LRELU_DACC_FN_(acc + j, acc + j + 8, __VA_ARGS__)
/* A run within one period (j + n <= period): j counts up, no wrap. */
LRELU_INLINE void P(dslope_rows_flat)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n,
                                      const ELEM *ext, size_t j, double *acc, int want_dx)
{
    for (; n >= W; n -= W, j += W, x += W, dy += W, dx += W) {
        const VC s = P(widen)(P(load)(ext + j));
        LRELU_PRELU_STEP(x, dy, dx, s, want_dx, LRELU_DACC_FLAT_);
    }
    if (n != 0)
        LRELU_ROWS_TAIL_(LRELU_DACC_FLAT_);
}
/* t[i] into acc[(j + i) mod period]. Within one period, or in whole
 * periods from j = 0 where a period is whole vectors (every NHWC tensor
 * but one of an odd number of channels with 16 lanes), the flat loop
 * above, a period at a time; otherwise j wraps every vector, a chain of
 * dependent operations (ten, gcc on x86-64) that sets the pace: 11 cycles
 * a vector where the flat loop takes 4-5 (Zen 5, AVX-512; NHWC 2048 x 64
 * backward 27.2 -> 20.4 us, dslope alone 26.4 -> 14.4). */
LRELU_INLINE void P(dslope_rows_run)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n,
                                     const ELEM *ext, size_t period, size_t j, double *acc,
                                     int want_dx)
{
    if (j + n <= period) {
        P(dslope_rows_flat)(x, dy, dx, n, ext, j, acc, want_dx);
        return;
    }
    if (j == 0 && period % W == 0) {
        size_t i = 0;
        for (; n - i >= period; i += period) {
            /* A whole period: at least one vector, no test before the
             * first (no branch in the loop but the loops' own). */
            j = 0;
            do {
                const VC s = P(widen)(P(load)(ext + j));
                LRELU_PRELU_STEP(x + i + j, dy + i + j, dx + i + j, s, want_dx, LRELU_DACC_FLAT_);
                j += W;
            } while (j < period);
        }
        P(dslope_rows_flat)(x + i, dy + i, dx + i, n - i, ext, 0, acc, want_dx);
        return;
    }
#define LRELU_DACC_(...) LRELU_DACC_FN_(acc + j, acc + P(wrap)(j + 8, period), __VA_ARGS__)
    for (; n >= W; n -= W, x += W, dy += W, dx += W) {
        const VC s = P(widen)(P(load)(ext + j));
        LRELU_PRELU_STEP(x, dy, dx, s, want_dx, LRELU_DACC_);
        j = P(wrap)(j + W, period);
    }
    if (n != 0)
        LRELU_ROWS_TAIL_(LRELU_DACC_);
#undef LRELU_DACC_
}
#undef LRELU_DACC_FLAT_
#undef LRELU_ROWS_TAIL_

int LRELU_EXPORT(lrelu_prelu_dslope_rows, LRELU_T)(const float *x, const float *dy, float *dx,
                                                   size_t n, const float *ext, size_t period,
                                                   size_t j, double *acc)
{
    if (dx != NULL)
        P(dslope_rows_run)(x, dy, dx, n, ext, period, j, acc, 1);
    else
        P(dslope_rows_run)(x, dy, (float *)x, n, ext, period, j, acc, 0); /* never written */
    return 0;
}
/* The terms of W channels into W sums in registers (lsum), for the rows
 * of channels below (the one-row kernel's single terms need no sums). */
#ifdef LRELU_OWN_PRELU_TERMS
#define LRELU_LSUM_FN_ P(lsum_add_at)
#else
#define LRELU_LSUM_FN_ P(lsum_add)
#endif
enum { P(cl) = W < 2 ? 2 : W }; /* lanes of the tree (at least two) */
#if defined(__GNUC__)
typedef double P(sums) __attribute__((vector_size(P(cl) * sizeof(double))));
typedef float P(floats) __attribute__((vector_size(P(cl) * sizeof(float))));
#endif
/* The sums of s, lanes [from, from + k): into r and rounded to float into
 * ds (in the compilers' generic vectors where there are, so that it is
 * vector code at every optimisation level, and one vector store where k is
 * W). */
LRELU_INLINE void P(lsum_round)(P(lsum) s, double *r, float *ds, size_t from, size_t k)
{
    double t[P(cl)] = {0}; /* lanes past W: +0 */
    P(lsum_store)(t, s);
    memcpy(r, t + from, k * sizeof *r);
#if defined(__GNUC__)
    P(sums) v;
    memcpy(&v, t, sizeof v);
    const P(floats) g = __builtin_convertvector(v, P(floats));
    memcpy(ds, (const char *)&g + from * sizeof(float), k * sizeof *ds);
#else
    for (size_t l = 0; l < k; l++)
        ds[l] = (float)t[from + l];
#endif
}
/* t = ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)), lane by lane in
 * registers; k lanes of it from lane `from` on into r, and rounded to
 * float into ds. */
LRELU_INLINE void P(cols_tree)(const P(lsum) * p, double *r, float *ds, size_t from, size_t k)
{
    const P(lsum) s = P(lsum_sum)(P(lsum_sum)(P(lsum_sum)(p[0], p[4]), P(lsum_sum)(p[2], p[6])),
                                  P(lsum_sum)(P(lsum_sum)(p[1], p[5]), P(lsum_sum)(p[3], p[7])));
    P(lsum_round)(s, r, ds, from, k);
}
/* One row of channels, one term each: a channel's dslope is +0 + t, t
 * the term (x * dy where x <= 0, else +0) exact in binary64, rounded to
 * float once. That is the float product of the cleared x and dy (a
 * multiply rounds the exact product once, with its sign: -0 where a
 * negative product underflows), except where the exact product is zero,
 * where a float +0 + (+-0) gives the sum's sign in the rounding mode. The
 * same bits as the binary64 sum (in every rounding mode, with FTZ and DAZ
 * too), in less than half the instructions. */
LRELU_INLINE VS P(one_term)(P(vm) m, VS xv, VS gv)
{
    const VS xc = P(clear)(m, xv), gc = P(clear)(m, gv);
    const VC p = P(mul)(P(widen)(xc), P(widen)(gc));
    return P(select)(P(zero_either)(xc, gc), P(narrow)(P(add_zero)(p)), P(narrow)(p));
}
LRELU_INLINE void P(dslope_row_step)(const ELEM *x, const ELEM *dy, ELEM *dx, const ELEM *slope,
                                     float *ds, int want_dx)
{
    const VS xv = P(load)(x), gv = P(load)(dy);
    const P(vm) m = P(gt0)(xv);
    P(store)(ds, P(one_term)(m, xv, gv));
    if (want_dx)
        P(store)(dx, P(bwd)(xv, gv, P(widen)(P(load)(slope))));
}
LRELU_INLINE void P(dslope_row_run)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t n,
                                    const ELEM *slope, float *ds, int want_dx)
{
    size_t i = 0;
    for (; i + W <= n; i += W)
        P(dslope_row_step)(x + i, dy + i, dx + i, slope + i, ds + i, want_dx);
#ifndef LRELU_PART_BY_COPY
    /* The last part with masked loads and stores (lanes past it are
     * computed and not stored). */
    if (i < n) {
        const size_t k = n - i;
        const VS xv = LRELU_LOAD_TAIL(x + i, k), gv = LRELU_LOAD_TAIL(dy + i, k);
        const P(vm) m = P(gt0)(xv);
        if (want_dx)
            P(store_part)(dx + i, k, P(bwd)(xv, gv, P(widen)(P(load_part)(slope + i, k))));
        P(store_part)(ds + i, k, P(one_term)(m, xv, gv));
        i = n;
    }
#endif
    if (i < n) {
        ELEM bx[W], bg[W], bd[W], bs[W];
        float bds[W];
        memset(bx, 0, sizeof bx);
        memset(bg, 0, sizeof bg);
        memset(bs, 0, sizeof bs);
        memcpy(bx, x + i, (n - i) * sizeof *x);
        memcpy(bg, dy + i, (n - i) * sizeof *dy);
        memcpy(bs, slope + i, (n - i) * sizeof *slope);
        P(dslope_row_step)(bx, bg, bd, bs, bds, want_dx);
        if (want_dx)
            memcpy(dx + i, bd, (n - i) * sizeof *dx);
        memcpy(ds + i, bds, (n - i) * sizeof *ds);
    }
}

int LRELU_EXPORT(lrelu_prelu_dslope_row, LRELU_T)(const float *x, const float *dy, float *dx,
                                                  size_t n, const float *slope, float *dslope)
{
    if (dx != NULL)
        P(dslope_row_run)(x, dy, dx, n, slope, dslope, 1);
    else
        P(dslope_row_run)(x, dy, (float *)x, n, slope, dslope, 0); /* never written */
    return 0;
}

/* Rows of channels, one term a channel a row (inner = 1), the rows of one
 * block: a group of W channels keeps its eight sets of sums in registers
 * (lsum, indexed by constants), row k's terms added to set k mod 8 in
 * increasing k, from +0, then combined in the tree's order; dx as backward.
 * Memory is walked a group of channels at a time, down the rows. */
/* Row at of set l into the sums p (l a constant after unrolling). */
#define LRELU_CACC_(...) p[l] = LRELU_LSUM_FN_(p[l], __VA_ARGS__)
/* p where `in`, else z: a select, not a branch (the loops hold none but
 * their own). */
static inline uintptr_t P(pick)(uintptr_t p, uintptr_t z, int in)
{
    uintptr_t m = 0 - (uintptr_t)in;
    LRELU_OPAQUE(m);
    return (p & m) | (z & ~m);
}
/* One row of a group: its terms into set l, dx as backward. With part (a
 * constant), the group is the call's last W channels, of which only the
 * lanes not in `low` are new. The lanes in it (channels of the group
 * before) add their terms again to sums that are discarded (the same
 * operations as before: no new exception), and their dx, already stored
 * (over x or dy in place), is stored again as it is. */
#define LRELU_COLS_ROW_(xr, gr, dr)                                                                \
    do {                                                                                           \
        if (part) {                                                                                \
            const VS xv_ = P(load)(xr), gv_ = P(load)(gr);                                         \
            const P(vm) m_ = P(gt0)(xv_);                                                          \
            p[l] = P(lsum_add)(p[l], P(clear)(m_, xv_), P(clear)(m_, gv_));                        \
            if (want_dx)                                                                           \
                P(store)(dr, P(select)(low, P(load)(dr), P(bwd)(xv_, gv_, s)));                    \
        } else {                                                                                   \
            LRELU_PRELU_STEP(xr, gr, dr, s, want_dx, LRELU_CACC_);                                 \
        }                                                                                          \
    } while (0)
/* One group of W channels (x, dy, dx at its first channel of the first
 * row; rows `stride` elements apart), with their slopes s; its results
 * from lane `from` on (k of them) into r and ds. With short_rows (a
 * constant, 1 to 8) rows == short_rows, one step a row; otherwise eight
 * rows a step, those past the last (in the last step) reading zero (+0
 * terms, which change no sum) and writing dx to sink. */
LRELU_INLINE void P(cols_group)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t rows, size_t stride,
                                VC s, const ELEM *zero, ELEM *sink, double *r, float *ds,
                                size_t from, P(vm) low, int part, int want_dx, size_t short_rows)
{
    P(lsum) p[8];
#pragma GCC unroll 8
    for (size_t l = 0; l < 8; l++)
        p[l] = P(lsum_zero)();
    if (short_rows != 0) {
#pragma GCC unroll 8
        for (size_t l = 0; l < short_rows; l++) {
            const size_t at = l * stride;
            LRELU_COLS_ROW_(x + at, dy + at, dx + at);
        }
    } else {
        size_t o = 0;
        do {
#pragma GCC unroll 8
            for (size_t l = 0; l < 8; l++) {
                const int in = o + l < rows;
                const uintptr_t at = (o + l) * stride * sizeof(ELEM);
                const ELEM *xr = (const ELEM *)P(pick)((uintptr_t)x + at, (uintptr_t)zero, in);
                const ELEM *gr = (const ELEM *)P(pick)((uintptr_t)dy + at, (uintptr_t)zero, in);
                ELEM *dr = (ELEM *)P(pick)((uintptr_t)dx + at, (uintptr_t)sink, in);
                LRELU_COLS_ROW_(xr, gr, dr);
            }
            o += 8;
        } while (o < rows);
    }
    P(cols_tree)(p, r, ds, from, W - from);
}
#undef LRELU_COLS_ROW_
#undef LRELU_CACC_
/* The call's last W channels (x, dy, dx, slope at the first of them), of
 * which the top k < W are new, eight rows a step; out of line, one for
 * each want_dx (no branch on it in the loop). */
#define LRELU_COLS_PART_(name, want_dx)                                                            \
    LRELU_NOINLINE void P(name)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t rows,              \
                                size_t stride, const ELEM *slope, double *r, float *ds, size_t k)  \
    {                                                                                              \
        ELEM zero[W], sink[W], ramp[2 * W]; /* ramp: 1 then +0 */                                  \
        memset(zero, 0, sizeof zero);                                                              \
        memset(sink, 0, sizeof sink);                                                              \
        for (size_t j = 0; j < 2 * W; j++)                                                         \
            ramp[j] = j < W ? 1.0f : 0.0f;                                                         \
        const P(vm) low = P(gt0)(P(load)(ramp + k)); /* lanes [0, W - k) */                        \
        const VC s = P(widen)(P(load)(slope));                                                     \
        P(cols_group)(x, dy, dx, rows, stride, s, zero, sink, r, ds, W - k, low, 1, want_dx, 0);   \
    }
LRELU_COLS_PART_(cols_part_dx, 1)
LRELU_COLS_PART_(cols_part_nodx, 0)
#undef LRELU_COLS_PART_
/* The groups, then the last channels: the results into r, or rounded into
 * ds when ds is not NULL (the other into scratch; addresses as integers,
 * none formed from NULL). want_dx and short_rows constants. */
LRELU_INLINE void P(cols_run)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t rows, size_t stride,
                              size_t n, const ELEM *slope, double *r, float *ds, int want_dx,
                              size_t short_rows)
{
    ELEM zero[W], sink[W];
    double rs[W];
    float fs[W];
    memset(zero, 0, sizeof zero);
    const P(vm) none = P(gt0)(P(load)(zero)); /* unused without part */
    const int to_float = ds != NULL;
    size_t c = 0;
    for (; c <= n; c += W) {
        const uintptr_t ro = (uintptr_t)r + c * sizeof(double);
        const uintptr_t fo = (uintptr_t)ds + c * sizeof(float);
        double *const rc = (double *)P(pick)((uintptr_t)rs, ro, to_float);
        float *const dc = (float *)P(pick)(fo, (uintptr_t)fs, to_float);
        if (c + W > n) {
            /* The rest (n >= W): the last W channels, their top n - c new. */
            const size_t e = n - W;
            if (c < n && want_dx)
                P(cols_part_dx)(x + e, dy + e, dx + e, rows, stride, slope + e, rc, dc, n - c);
            if (c < n && !want_dx)
                P(cols_part_nodx)(x + e, dy + e, dx + e, rows, stride, slope + e, rc, dc, n - c);
            break;
        }
        const VC s = P(widen)(P(load)(slope + c));
        P(cols_group)
        (x + c, dy + c, dx + c, rows, stride, s, zero, sink, rc, dc, 0, none, 0, want_dx,
         short_rows);
    }
}
LRELU_INLINE void P(cols_rows)(const ELEM *x, const ELEM *dy, ELEM *dx, size_t rows, size_t stride,
                               size_t n, const ELEM *slope, double *r, float *ds, int want_dx)
{
    switch (rows) {
#define LRELU_COLS_SHORT_(k)                                                                       \
    case k:                                                                                        \
        P(cols_run)(x, dy, dx, rows, stride, n, slope, r, ds, want_dx, k);                         \
        break;
        LRELU_COLS_SHORT_(1)
        LRELU_COLS_SHORT_(2)
        LRELU_COLS_SHORT_(3)
        LRELU_COLS_SHORT_(4)
        LRELU_COLS_SHORT_(5)
        LRELU_COLS_SHORT_(6)
        LRELU_COLS_SHORT_(7)
        LRELU_COLS_SHORT_(8)
#undef LRELU_COLS_SHORT_
    default:
        P(cols_run)(x, dy, dx, rows, stride, n, slope, r, ds, want_dx, 0);
    }
}

int LRELU_EXPORT(lrelu_prelu_dslope_cols, LRELU_T)(const float *x, const float *dy, float *dx,
                                                   size_t rows, size_t stride, size_t n,
                                                   const float *slope, double *r, float *ds)
{
    if (n < W)
        return 0; /* fewer channels than lanes: not handled */
    if (dx != NULL)
        P(cols_rows)(x, dy, dx, rows, stride, n, slope, r, ds, 1);
    else
        P(cols_rows)(x, dy, (float *)x, rows, stride, n, slope, r, ds, 0); /* never written */
    return 1;
}

/* Whether every slope is finite: the top bit of LRELU_NONFINITE(u) (of
 * bits or of a vector of them) and of nonfinite's is set exactly where the
 * exponent field of u is all ones (infinity, NaN). With
 * AVX-512, (u + its lowest bit) ^ u (the add carries into the top bit then
 * alone, whatever the sign), which is two instructions with the OR that
 * gathers it (ternary logic), u loaded once (hidden: else gcc loads it
 * twice, and the loads bound the loop); elsewhere the field plus its
 * lowest bit, three. In the compilers' generic vectors as wide as the
 * ISA's (16 bytes at least, which gcc lowers to plain code where there are
 * no vectors), ORed into four chains, then one vector, then one slope at a
 * time: 1024 slopes 34 -> 25 ticks (Zen 5, as against two chains of the
 * three-instruction form). */
#ifndef LRELU_NONFINITE
#define LRELU_NONFINITE(u) (((u)&0x7f800000u) + 0x00800000u)
#endif
#if defined(__GNUC__)
typedef uint32_t P(bits) __attribute__((vector_size(W * 4 > 16 ? W * 4 : 16)));
LRELU_INLINE P(bits) P(nonfinite)(const float *p)
{
    P(bits) u;
    memcpy(&u, p, sizeof u);
#if defined(__AVX512F__)
    __asm__("" : "+v"(u));
    return (u + 0x00800000u) ^ u;
#else
    return LRELU_NONFINITE(u);
#endif
}
#endif
int LRELU_EXPORT(lrelu_prelu_finite, LRELU_T)(const float *slope, size_t n)
{
    uint32_t top = 0;
    size_t c = 0;
#if defined(__GNUC__)
    enum { L = sizeof(P(bits)) / 4 };
    P(bits) t0 = {0}, t1 = {0}, t2 = {0}, t3 = {0};
    for (; c + 4 * L <= n; c += 4 * L) {
        t0 |= P(nonfinite)(slope + c);
        t1 |= P(nonfinite)(slope + c + L);
        t2 |= P(nonfinite)(slope + c + 2 * L);
        t3 |= P(nonfinite)(slope + c + 3 * L);
    }
    for (; c + L <= n; c += L)
        t0 |= P(nonfinite)(slope + c);
    t0 |= t1 | t2 | t3;
    for (size_t l = 0; l < L; l++)
        top |= t0[l];
#endif
    for (; c < n; c++)
        top |= LRELU_NONFINITE(lrelu_get32(slope + c));
    return (top & 0x80000000u) == 0;
}

#undef LRELU_PRELU_STEP
#undef LRELU_TERMS_
#undef LRELU_ACC_FN_
#undef LRELU_DACC_FN_
#undef LRELU_LSUM_FN_
#undef LRELU_OWN_PRELU_TERMS
#undef LRELU_PRELU_TOUCH
#undef LRELU_DSLOPE_AHEAD
#undef LRELU_PRELU
#endif /* LRELU_PRELU */

#undef P
#undef ELEM
#undef VS
#undef VC
#undef W
#undef LRELU_PUT
#undef LRELU_STREAM_STEP1
#undef LRELU_OWN_FWD
#undef LRELU_OWN_BWD
#undef LRELU_OWN_LOAD_TAIL
#undef LRELU_OWN_LOAD_FAR
#undef LRELU_LD
#undef LRELU_LOAD_TAIL
#undef LRELU_FWD
#undef LRELU_WIDEN_AS
#undef LRELU_BWD
#undef LRELU_FORWARD
#undef LRELU_BACKWARD
#undef LRELU_STREAM_BLOCK
#undef LRELU_NARROW_APART
#undef LRELU_HIDE_VC
#undef LRELU_VC_PAIR
#undef LRELU_T
