/*
 * The one shape of every SIMD kernel, included once by each ISA file after
 * it has defined its handful of primitives:
 *
 *   LRELU_ISA                the suffix of the exported names (sse2, avx2, ...)
 *   LRELU_W                  floats per vector
 *   vf, vm                   the vector type and the mask type
 *   vf   v_set1(float)
 *   vf   v_load(const float *p)          unaligned
 *   void v_store(float *p, vf v)         unaligned
 *   vm   v_gt0(vf x)                     lanes where x > 0; ordered, NaN gives false
 *   vf   v_mul(vf a, vf b)               one IEEE multiply per lane
 *   vf   v_select(vm m, vf t, vf f)      t where m is set, f elsewhere
 *   and either
 *   vf   v_load_part(const float *p, size_t k)   lanes [0, k), k <= LRELU_W,
 *   void v_store_part(float *p, size_t k, vf v)  touching no memory past them
 *   or LRELU_PART_BY_COPY, which builds both from a copy through the stack;
 *   and, where the ISA has non-temporal stores, LRELU_STREAM with
 *   void v_stream(float *p, vf v)        aligned to the vector, bypassing caches
 *   void v_fence(void)                   orders the streaming stores
 *
 * Forward is select(x > 0, x, alpha * x); backward is
 * select(x > 0, dy, alpha * dy): the blend form, right for every alpha.
 *
 * Each function comes in two variants: the plain one stores through the
 * cache; the _stream one (LRELU_STREAM only) stores the head through the
 * cache until the output is 64-byte aligned, then whole vectors with
 * streaming stores, then the tail through the cache again, and ends with a
 * fence. The output must be 4-byte aligned for the _stream variant.
 */
#include <stdint.h>
#include <string.h>

#include "kernels.h"

#define LRELU_CAT_(a, b) a##_##b
#define LRELU_CAT(a, b)  LRELU_CAT_(a, b)
#define LRELU_NAME(fn)   LRELU_CAT(fn, LRELU_ISA)

#ifdef LRELU_PART_BY_COPY
static inline vf v_load_part(const float *p, size_t k)
{
    float b[LRELU_W] = {0};
    memcpy(b, p, k * sizeof *p);
    return v_load(b);
}

static inline void v_store_part(float *p, size_t k, vf v)
{
    float b[LRELU_W];
    v_store(b, v);
    memcpy(p, b, k * sizeof *p);
}
#endif

static inline vf fwd(vf x, vf a) { return v_select(v_gt0(x), x, v_mul(a, x)); }

/* The product, hidden from the optimiser in a vector register at no cost.
 * Seeing select(m, dy, a * dy), clang would compute select(m, 1, a) * dy,
 * which quiets a signalling NaN in dy where x > 0 and breaks bit-exactness. */
#if defined(__GNUC__) && defined(__AVX512F__)
#define LRELU_HIDE(v) __asm__("" : "+v"(v))
#elif defined(__GNUC__) && defined(__SSE__)
#define LRELU_HIDE(v) __asm__("" : "+x"(v))
#elif defined(__GNUC__) && defined(__aarch64__)
#define LRELU_HIDE(v) __asm__("" : "+w"(v))
#else
#define LRELU_HIDE(v) ((void)0)
#endif

static inline vf bwd(vf x, vf dy, vf a)
{
    vf p = v_mul(a, dy);
    LRELU_HIDE(p);
    return v_select(v_gt0(x), dy, p);
}

enum { W = LRELU_W };

#ifndef LRELU_STREAM
static inline void v_stream(float *p, vf v) { v_store(p, v); }
static inline void v_fence(void) {}
#endif

/* A full-vector store, streaming or through the cache; `stream` is a
 * constant in every caller, so each variant compiles to one kind. */
static inline void put(float *p, vf v, int stream)
{
    if (stream)
        v_stream(p, v);
    else
        v_store(p, v);
}

/* Floats to store through the cache before out + i is 64-byte aligned. */
static inline size_t head_count(const float *out, size_t n, int stream)
{
    if (!stream)
        return 0;
    const size_t h = (size_t)(-(uintptr_t)out & 63) / sizeof(float);
    return h < n ? h : n;
}

/* Whether n floats are done in one masked step: short calls then cost
 * one load, one store and no loop (not with parts copied through the
 * stack, which cost more than a full vector). */
static inline int one_part(size_t n)
{
#ifdef LRELU_PART_BY_COPY
    (void)n;
    return 0;
#else
    return n <= W;
#endif
}

static inline void forward_run(const float *x, float *y, size_t n, float alpha, int stream)
{
    const vf a = v_set1(alpha);
    if (one_part(n)) {
        v_store_part(y, n, fwd(v_load_part(x, n), a));
        return;
    }
    size_t i = 0;
    const size_t head = head_count(y, n, stream);
    for (; i + W <= head; i += W)
        v_store(y + i, fwd(v_load(x + i), a));
    if (i < head) {
        v_store_part(y + i, head - i, fwd(v_load_part(x + i, head - i), a));
        i = head;
    }
    for (; i + 4 * W <= n; i += 4 * W) {
        const vf x0 = v_load(x + i), x1 = v_load(x + i + W);
        const vf x2 = v_load(x + i + 2 * W), x3 = v_load(x + i + 3 * W);
        put(y + i, fwd(x0, a), stream);
        put(y + i + W, fwd(x1, a), stream);
        put(y + i + 2 * W, fwd(x2, a), stream);
        put(y + i + 3 * W, fwd(x3, a), stream);
    }
    for (; i + W <= n; i += W)
        put(y + i, fwd(v_load(x + i), a), stream);
    if (i < n)
        v_store_part(y + i, n - i, fwd(v_load_part(x + i, n - i), a));
    if (stream)
        v_fence();
}

static inline void backward_run(const float *x, const float *dy, float *dx, size_t n, float alpha,
                                int stream)
{
    const vf a = v_set1(alpha);
    if (one_part(n)) {
        v_store_part(dx, n, bwd(v_load_part(x, n), v_load_part(dy, n), a));
        return;
    }
    size_t i = 0;
    const size_t head = head_count(dx, n, stream);
    for (; i + W <= head; i += W)
        v_store(dx + i, bwd(v_load(x + i), v_load(dy + i), a));
    if (i < head) {
        v_store_part(dx + i, head - i,
                     bwd(v_load_part(x + i, head - i), v_load_part(dy + i, head - i), a));
        i = head;
    }
    for (; i + 4 * W <= n; i += 4 * W) {
        const vf x0 = v_load(x + i), x1 = v_load(x + i + W);
        const vf x2 = v_load(x + i + 2 * W), x3 = v_load(x + i + 3 * W);
        const vf g0 = v_load(dy + i), g1 = v_load(dy + i + W);
        const vf g2 = v_load(dy + i + 2 * W), g3 = v_load(dy + i + 3 * W);
        put(dx + i, bwd(x0, g0, a), stream);
        put(dx + i + W, bwd(x1, g1, a), stream);
        put(dx + i + 2 * W, bwd(x2, g2, a), stream);
        put(dx + i + 3 * W, bwd(x3, g3, a), stream);
    }
    for (; i + W <= n; i += W)
        put(dx + i, bwd(v_load(x + i), v_load(dy + i), a), stream);
    if (i < n)
        v_store_part(dx + i, n - i, bwd(v_load_part(x + i, n - i), v_load_part(dy + i, n - i), a));
    if (stream)
        v_fence();
}

int LRELU_NAME(lrelu_forward)(const float *x, float *y, size_t n, float alpha)
{
    forward_run(x, y, n, alpha, 0);
    return 0;
}

int LRELU_NAME(lrelu_backward)(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    backward_run(x, dy, dx, n, alpha, 0);
    return 0;
}

#ifdef LRELU_STREAM
int LRELU_NAME(lrelu_forward_stream)(const float *x, float *y, size_t n, float alpha)
{
    forward_run(x, y, n, alpha, 1);
    return 0;
}

int LRELU_NAME(lrelu_backward_stream)(const float *x, const float *dy, float *dx, size_t n,
                                      float alpha)
{
    backward_run(x, dy, dx, n, alpha, 1);
    return 0;
}
#endif
