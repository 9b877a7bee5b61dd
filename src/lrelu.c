/*
 * The public entry points: check the arguments, then one indirect tail call
 * into the active kernel's function for the operation and element type.
 * Every operation and type goes through the same checks (check_call);
 * nothing is written unless every check passes.
 */
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "lrelu.h"
#include "parallel.h"

#define UNLIKELY(c) __builtin_expect(!!(c), 0)
#define LIKELY(c)   __builtin_expect(!!(c), 1)
/* The checks and the call of every entry point, inlined into each, so
 * that its element size, alignment and flags are constants there. */
#define LRELU_ALWAYS_INLINE static inline __attribute__((always_inline))

/* Whether p is NULL, or p + bytes wraps the address space: with
 * last = UINTPTR_MAX - bytes, one compare (NULL - 1 is UINTPTR_MAX). */
static inline int bad_array(const void *p, uintptr_t last) { return (uintptr_t)p - 1 >= last; }

/* out and in share some byte but are not the very same array. Both
 * ranges of bytes fit in the address space (bad_array, checked first), so
 * neither sum wraps: a disjoint pair is told in one compare when out comes
 * after in, two when before. */
static inline int partial_overlap(const void *out, const void *in, uintptr_t bytes)
{
    const uintptr_t o = (uintptr_t)out, i = (uintptr_t)in;
    return o < i + bytes && i < o + bytes && o != i;
}

static const unsigned known_flags = LRELU_STORE_STREAM | LRELU_STORE_CACHED;

/* Flags known and not contradictory. */
static inline int valid_flags(unsigned flags)
{
    return (flags & ~known_flags) == 0 && flags != known_flags;
}

/*
 * The rules every call follows, in this order: a bad alpha or flags is
 * LRELU_EINVAL whatever n is; n == 0 is LRELU_OK (NULL accepted); then a
 * NULL array or a byte range that does not fit in the address space is
 * LRELU_EINVAL, an output partially overlapping an input LRELU_EOVERLAP,
 * and an array not aligned to its element type (align, its _Alignof)
 * LRELU_EINVAL. dy is the second input of backward (binary), unused by
 * forward. Returns 1 when the kernel should run, else stores the status in
 * *status.
 */
LRELU_ALWAYS_INLINE int check_call(int params_ok, int binary, const void *in, const void *dy,
                                   const void *out, size_t n, size_t size, size_t align,
                                   int *status)
{
    *status = LRELU_OK;
    if (UNLIKELY(!params_ok)) {
        *status = LRELU_EINVAL;
        return 0;
    }
    /* n == 0, or n * size beyond size_t: one compare for both. */
    if (UNLIKELY(n - 1 >= SIZE_MAX / size)) {
        *status = n == 0 ? LRELU_OK : LRELU_EINVAL;
        return 0;
    }
    const uintptr_t bytes = n * size, last = UINTPTR_MAX - bytes;
    if (UNLIKELY(bad_array(in, last) || bad_array(out, last) || (binary && bad_array(dy, last)))) {
        *status = LRELU_EINVAL;
        return 0;
    }
    if (UNLIKELY(partial_overlap(out, in, bytes) || (binary && partial_overlap(out, dy, bytes)))) {
        *status = LRELU_EOVERLAP;
        return 0;
    }
    const uintptr_t addr_bits =
        (uintptr_t)in | (uintptr_t)out | (binary ? (uintptr_t)dy : (uintptr_t)0);
    if (UNLIKELY((addr_bits & (align - 1)) != 0)) {
        *status = LRELU_EINVAL;
        return 0;
    }
    return 1;
}

/* Whether an out-of-place call of n elements stores with the streaming
 * variant: automatically from min_n elements on, or when the caller asks;
 * never when asked not to, when the kernel has none (then min_n is
 * SIZE_MAX), or when the output is not aligned to its element. */
static inline int streams(int has_stream, const void *out, size_t size, size_t n, size_t min_n,
                          unsigned flags)
{
    if (flags == LRELU_STORE_AUTO ? n < min_n : flags != LRELU_STORE_STREAM)
        return 0;
    return has_stream && ((uintptr_t)out & (size - 1)) == 0;
}

/*
 * A large call cut into chunks, one task each. The chunks after the first
 * start on 64-byte boundaries of the output (where the output is aligned to
 * its element, as streaming needs): no two threads write one cache line,
 * and a streaming chunk stores whole lines. Every chunk runs the same
 * kernel function, chosen (streaming or not) for the whole call.
 */
struct split_call {
    lrelu_forward_fn forward; /* one of forward and backward is set */
    lrelu_backward_fn backward;
    const char *x, *dy;
    char *out;
    size_t size;
    struct lrelu_lines lines; /* the chunks: line boundaries shared out evenly */
    double alpha;
};

static void split_task(void *arg, size_t i)
{
    const struct split_call *c = arg;
    const size_t b = lrelu_lines_start(&c->lines, i), e = lrelu_lines_start(&c->lines, i + 1);
    if (e <= b)
        return;
    const size_t off = b * c->size;
    if (c->forward != NULL)
        c->forward(c->x + off, c->out + off, e - b, c->alpha);
    else
        c->backward(c->x + off, c->dy + off, c->out + off, e - b, c->alpha);
}

static __attribute__((noinline)) int split(lrelu_forward_fn f, lrelu_backward_fn b, size_t size,
                                           const void *x, const void *dy, void *out, size_t n,
                                           double alpha)
{
    struct lrelu_parallel p;
    lrelu_parallel_get(&p);
    const size_t bytes = n * size;
    /* Bytes read + written, saturating (n * size fits, 3 * n * size may not). */
    const size_t k = f != NULL ? 2 : 3;
    const size_t total = bytes > SIZE_MAX / k ? SIZE_MAX : k * bytes;
    const size_t count = lrelu_parallel_tasks(&p, total);
    if (count < 2)
        return f != NULL ? f(x, out, n, alpha) : b(x, dy, out, n, alpha);
    struct split_call c = {f, b, x, dy, out, size, lrelu_lines_of(out, size, n, count), alpha};
    lrelu_parallel_run(&p, split_task, &c, count);
    return LRELU_OK;
}

/* The call of forward once its checks have passed (n > 0): streaming or
 * not, on threads or not. Shared with PReLU of one slope. */
LRELU_ALWAYS_INLINE int run_forward(const struct lrelu_kernel *k, enum lrelu_type t, size_t size,
                                    const void *x, void *y, size_t n, double alpha, unsigned flags)
{
    if (LIKELY(flags == LRELU_STORE_AUTO && n < lrelu_direct_max_n(LRELU_OP_FORWARD, t)))
        return k->fns.forward[t](x, y, n, alpha);
    const lrelu_forward_fn s = k->stream.forward[t];
    const int stream =
        streams(s != NULL, y, size, n, k->stream_min[LRELU_OP_FORWARD][t], flags) && y != x;
    if (UNLIKELY(n >= lrelu_split_min_n(LRELU_OP_FORWARD, t)))
        return split(stream ? s : k->fns.forward[t], NULL, size, x, NULL, y, n, alpha);
    if (UNLIKELY(stream))
        return s(x, y, n, alpha);
    return k->fns.forward[t](x, y, n, alpha);
}

/* The call of backward once its checks have passed (n > 0). */
LRELU_ALWAYS_INLINE int run_backward(const struct lrelu_kernel *k, enum lrelu_type t, size_t size,
                                     const void *x, const void *dy, void *dx, size_t n,
                                     double alpha, unsigned flags)
{
    if (LIKELY(flags == LRELU_STORE_AUTO && n < lrelu_direct_max_n(LRELU_OP_BACKWARD, t)))
        return k->fns.backward[t](x, dy, dx, n, alpha);
    const lrelu_backward_fn s = k->stream.backward[t];
    const int stream =
        streams(s != NULL, dx, size, n, k->stream_min[LRELU_OP_BACKWARD][t], flags) && dx != x &&
        dx != dy;
    if (UNLIKELY(n >= lrelu_split_min_n(LRELU_OP_BACKWARD, t)))
        return split(NULL, stream ? s : k->fns.backward[t], size, x, dy, dx, n, alpha);
    if (UNLIKELY(stream))
        return s(x, dy, dx, n, alpha);
    return k->fns.backward[t](x, dy, dx, n, alpha);
}

LRELU_ALWAYS_INLINE int forward(enum lrelu_type t, size_t size, size_t align, const void *x,
                                void *y, size_t n, double alpha, int params_ok, unsigned flags)
{
    int status;
    if (UNLIKELY(
            !check_call(params_ok && valid_flags(flags), 0, x, NULL, y, n, size, align, &status)))
        return status;
    return run_forward(lrelu_current(), t, size, x, y, n, alpha, flags);
}

/* Backward, and backward from the output (with y as x): for alpha >= 0
 * (including -0.0), y > 0 exactly when x > 0. */
LRELU_ALWAYS_INLINE int backward(enum lrelu_type t, size_t size, size_t align, const void *x,
                                 const void *dy, void *dx, size_t n, double alpha, int params_ok,
                                 unsigned flags)
{
    int status;
    if (UNLIKELY(
            !check_call(params_ok && valid_flags(flags), 1, x, dy, dx, n, size, align, &status)))
        return status;
    return run_backward(lrelu_current(), t, size, x, dy, dx, n, alpha, flags);
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Whether alpha is valid: finite, and with nonneg not below zero (-0.0
 * is not). Decided on its bits, before any floating-point instruction
 * touches it: a signalling NaN alpha is refused with LRELU_EINVAL and
 * raises nothing, and traps nothing where the caller unmasked invalid (a
 * compare of it, or its widening to double, would). */
static inline int alpha_valid_f32(float a, int nonneg)
{
    const uint32_t b = float_bits(a);
    return (b & 0x7f800000u) != 0x7f800000u && !(nonneg && b > 0x80000000u);
}
static inline int alpha_valid_f64(double a, int nonneg)
{
    uint64_t b;
    memcpy(&b, &a, sizeof b);
    return (b & 0x7ff0000000000000u) != 0x7ff0000000000000u && !(nonneg && b > 0x8000000000000000u);
}
#define ALPHA_VALID(a, nonneg)                                                                     \
    _Generic((a), float : alpha_valid_f32, double : alpha_valid_f64)(a, nonneg)

/* The entry points of one element type: the plain functions store with
 * LRELU_STORE_AUTO, the _ex ones take the flags. alpha is checked first
 * (a bad alpha is LRELU_EINVAL whatever else), and only then widened for
 * forward() / backward(). */
#define ENTRY_POINTS(sfx, elem, alpha_t, type)                                                     \
    int lrelu_forward##sfx##_ex(const elem *x, elem *y, size_t n, alpha_t alpha, unsigned flags)   \
    {                                                                                              \
        if (UNLIKELY(!ALPHA_VALID(alpha, 0)))                                                      \
            return LRELU_EINVAL;                                                                   \
        return forward(LRELU_TYPE_##type, sizeof(elem), _Alignof(elem), x, y, n, alpha, 1, flags); \
    }                                                                                              \
    int lrelu_forward##sfx(const elem *x, elem *y, size_t n, alpha_t alpha)                        \
    {                                                                                              \
        if (UNLIKELY(!ALPHA_VALID(alpha, 0)))                                                      \
            return LRELU_EINVAL;                                                                   \
        return forward(LRELU_TYPE_##type, sizeof(elem), _Alignof(elem), x, y, n, alpha, 1,         \
                       LRELU_STORE_AUTO);                                                          \
    }                                                                                              \
    int lrelu_backward##sfx##_ex(const elem *x, const elem *dy, elem *dx, size_t n, alpha_t alpha, \
                                 unsigned flags)                                                   \
    {                                                                                              \
        if (UNLIKELY(!ALPHA_VALID(alpha, 0)))                                                      \
            return LRELU_EINVAL;                                                                   \
        return backward(LRELU_TYPE_##type, sizeof(elem), _Alignof(elem), x, dy, dx, n, alpha, 1,   \
                        flags);                                                                    \
    }                                                                                              \
    int lrelu_backward##sfx(const elem *x, const elem *dy, elem *dx, size_t n, alpha_t alpha)      \
    {                                                                                              \
        if (UNLIKELY(!ALPHA_VALID(alpha, 0)))                                                      \
            return LRELU_EINVAL;                                                                   \
        return backward(LRELU_TYPE_##type, sizeof(elem), _Alignof(elem), x, dy, dx, n, alpha, 1,   \
                        LRELU_STORE_AUTO);                                                         \
    }                                                                                              \
    int lrelu_backward_from_output##sfx##_ex(const elem *y, const elem *dy, elem *dx, size_t n,    \
                                             alpha_t alpha, unsigned flags)                        \
    {                                                                                              \
        if (UNLIKELY(!ALPHA_VALID(alpha, 1)))                                                      \
            return LRELU_EINVAL;                                                                   \
        return backward(LRELU_TYPE_##type, sizeof(elem), _Alignof(elem), y, dy, dx, n, alpha, 1,   \
                        flags);                                                                    \
    }                                                                                              \
    int lrelu_backward_from_output##sfx(const elem *y, const elem *dy, elem *dx, size_t n,         \
                                        alpha_t alpha)                                             \
    {                                                                                              \
        if (UNLIKELY(!ALPHA_VALID(alpha, 1)))                                                      \
            return LRELU_EINVAL;                                                                   \
        return backward(LRELU_TYPE_##type, sizeof(elem), _Alignof(elem), y, dy, dx, n, alpha, 1,   \
                        LRELU_STORE_AUTO);                                                         \
    }

ENTRY_POINTS(, float, float, f32)
ENTRY_POINTS(_f16, uint16_t, float, f16)
ENTRY_POINTS(_bf16, uint16_t, float, bf16)
ENTRY_POINTS(_f64, double, double, f64)

/*
 * Quantized forward (lrelu.h): XNNPACK's definition, whose parameters are
 * binary32 arithmetic: r = input_scale / output_scale, s = r * alpha,
 * Mp = lrintf(256 * r), Mn = lrintf(256 * s), all rounded to nearest even.
 * They are computed here with integers, exactly as that arithmetic rounds,
 * so that they depend neither on the caller's rounding mode nor on
 * flush-to-zero / denormals-are-zero, and raise no floating-point
 * exception.
 */

LRELU_ALWAYS_INLINE int bit_length(uint64_t m)
{
#if defined(__GNUC__)
    return m != 0 ? 64 - __builtin_clzll(m) : 0;
#else
    int b = 0;
    for (; m != 0; m >>= 1)
        b++;
    return b;
#endif
}

/* A positive value m * 2^e, m in [2^23, 2^24): a binary32's significand
 * and exponent, the exponent unbounded. */
struct qfp {
    uint32_t m;
    int e;
};

/* A finite float's magnitude (not zero), exactly (a subnormal normalized). */
LRELU_ALWAYS_INLINE struct qfp qfp_of(uint32_t u)
{
    const uint32_t exp = u >> 23 & 0xffu, frac = u & 0x7fffffu;
    const uint32_t m = exp != 0 ? (frac | 0x800000u) : frac;
    const int shift = 24 - bit_length(m);
    return (struct qfp){m << shift, (exp != 0 ? (int)exp : 1) - 150 - shift};
}

/* m * 2^e, m of 24 + k bits (k > 0), plus less than one unit of m's last
 * place when sticky, rounded to 24 bits, to nearest, ties to even. */
LRELU_ALWAYS_INLINE struct qfp qfp_round(uint64_t m, int e, int k, int sticky)
{
    const uint64_t half = (uint64_t)1 << (k - 1), rem = m & ((half << 1) - 1);
    uint64_t q = m >> k;
    q += rem > half || (rem == half && (sticky || (q & 1)));
    const int carry = (int)(q >> 24); /* rounded up to 2^24 */
    return (struct qfp){(uint32_t)(q >> carry), e + k + carry};
}

/* A key that orders values as they compare: the binary32 bits of v, with
 * the exponent field unbounded. */
LRELU_ALWAYS_INLINE int64_t qfp_key(struct qfp v)
{
    return (int64_t)(v.e + 150) * 0x800000 + (v.m & 0x7fffffu);
}

/* 256 * v rounded to an integer, to nearest, ties to even, for v in
 * [2^-8, 2^7] (so that 8 to 23 bits of m are dropped). */
LRELU_ALWAYS_INLINE int32_t qfp_rint256(struct qfp v)
{
    const int k = -(v.e + 8);
    return (int32_t)((v.m + ((1u << (k - 1)) - 1) + (v.m >> k & 1)) >> k);
}

/* Whether v is in [lo, hi], in one compare. */
static inline int within(int32_t v, int32_t lo, int32_t hi)
{
    return (uint32_t)v - (uint32_t)lo <= (uint32_t)hi - (uint32_t)lo;
}

/* The multipliers from the scales' and alpha's bits (each finite, the
 * scales > 0, alpha not zero); 0 when they are out of range (lrelu.h). */
static int quant_multipliers(uint32_t in_scale, uint32_t out_scale, uint32_t alpha, int32_t *mp,
                             int32_t *mn)
{
    const uint32_t alpha_abs = alpha & 0x7fffffffu;
    const struct qfp a = qfp_of(in_scale), b = qfp_of(out_scale), al = qfp_of(alpha_abs);
    /* r: the significands' quotient, in (1/2, 2), to 40 bits after the
     * point (so of 40 or 41 bits), rounded once (the remainder as sticky
     * bit). */
    const uint64_t num = (uint64_t)a.m << 40, quo = num / b.m;
    const struct qfp r = qfp_round(quo, a.e - b.e - 40, 16 + (int)(quo >> 40), num % b.m != 0);
    /* s: the exact product of the significands (47 or 48 bits), rounded
     * once. */
    const uint64_t prod = (uint64_t)r.m * al.m;
    const struct qfp s = qfp_round(prod, r.e + al.e, 23 + (int)(prod >> 47), 0);
    /* The range checks on the rounded values (every valid r and s is a
     * normal binary32, whose rounding qfp_round gives), by their keys:
     * 2^-8, 2^7 and 0x1.FFFCp6 as binary32 bits. */
    const int neg = alpha >> 31 != 0;
    const int64_t kr = qfp_key(r), ks = qfp_key(s);
    if (kr < 0x3b800000 || kr > 0x43000000 || ks < 0x3b800000 ||
        ks > (neg ? 0x42fffe00 : 0x43000000))
        return 0;
    const int32_t m = qfp_rint256(s);
    *mp = qfp_rint256(r);
    *mn = neg ? -m : m;
    return 1;
}

/*
 * The multipliers last derived on this thread, and the bits they came
 * from: an engine calls with the same scales and alpha again and again,
 * and the derivation (a 64-bit division and two roundings) took about as
 * long as the rest of a call of 16 elements. in_scale is 0 (never a valid
 * scale) while the memo is empty. seq is odd while the memo is being
 * written and changes with every write, so that a call from a signal
 * handler that interrupts another one's reading or writing neither uses
 * nor leaves a torn entry: a read counts only if seq was even and the
 * same before and after it, and a call that finds seq odd does not write
 * (volatile accesses, in program order, which is the order a handler on
 * the same thread sees).
 */
struct quant_memo {
    unsigned seq;
    uint32_t in_scale, out_scale, alpha;
    int32_t mp, mn;
};
#if defined(__GNUC__)
/* Initial-exec: one load of the thread's offset, no call; a few bytes of
 * the static TLS that glibc reserves for libraries loaded with dlopen. */
static _Thread_local struct quant_memo quant_memo __attribute__((tls_model("initial-exec")));
#else
static _Thread_local struct quant_memo quant_memo;
#endif

static int quant_lookup(uint32_t in_scale, uint32_t out_scale, uint32_t alpha, int32_t *mp,
                        int32_t *mn)
{
    volatile struct quant_memo *const m = &quant_memo;
    const unsigned seq = m->seq;
    atomic_signal_fence(memory_order_acquire);
    const int hit = m->in_scale == in_scale && m->out_scale == out_scale && m->alpha == alpha;
    *mp = m->mp;
    *mn = m->mn;
    atomic_signal_fence(memory_order_acquire);
    if (LIKELY(hit && m->seq == seq && (seq & 1) == 0))
        return 1;
    if (!quant_multipliers(in_scale, out_scale, alpha, mp, mn))
        return 0;
    /* Kept unless this call interrupted another one's writing (then it
     * leaves the memo to that one). */
    const unsigned w = m->seq;
    if ((w & 1) == 0) {
        m->seq = w + 1;
        atomic_signal_fence(memory_order_release);
        m->in_scale = in_scale;
        m->out_scale = out_scale;
        m->alpha = alpha;
        m->mp = *mp;
        m->mn = *mn;
        atomic_signal_fence(memory_order_release);
        m->seq = w + 2;
    }
    return 1;
}

/* The kernel's parameters from the caller's, for zero points in
 * [zmin, zmax]; 0 when they are not valid (lrelu.h). */
static int quant_params(const lrelu_quant *q, int32_t zmin, int32_t zmax,
                        struct lrelu_quant_params *p)
{
    if (q == NULL)
        return 0;
    /* On the bits, so that DAZ cannot make a subnormal scale zero. */
    const uint32_t in_scale = float_bits(q->input_scale), out_scale = float_bits(q->output_scale);
    const uint32_t alpha = float_bits(q->alpha), alpha_abs = alpha & 0x7fffffffu;
    if (in_scale - 1u >= 0x7f7fffffu || out_scale - 1u >= 0x7f7fffffu ||
        alpha_abs - 1u >= 0x7f7fffffu)
        return 0; /* a scale not finite and > 0, alpha not finite or zero */
    if (!within(q->input_zero_point, zmin, zmax) || !within(q->output_zero_point, zmin, zmax))
        return 0;
    int32_t mp, mn;
    if (!quant_lookup(in_scale, out_scale, alpha, &mp, &mn))
        return 0;
    p->input_zero_point = q->input_zero_point;
    p->output_zero_point = q->output_zero_point;
    p->positive_multiplier = mp;
    p->negative_multiplier = mn;
    return 1;
}

/* The checks of the arrays and the call, once the parameters are known
 * (params_ok, and then p). */
LRELU_ALWAYS_INLINE int quant_run(enum lrelu_qtype t, const void *x, void *y, size_t n,
                                  int params_ok, const struct lrelu_quant_params *p)
{
    int status;
    if (UNLIKELY(!check_call(params_ok, 0, x, NULL, y, n, 1, 1, &status)))
        return status;
    return lrelu_current()->fns.forward_q[t](x, y, n, p);
}

static inline int quant_forward(enum lrelu_qtype t, const void *x, void *y, size_t n,
                                const lrelu_quant *q, int32_t zmin, int32_t zmax)
{
    struct lrelu_quant_params p;
    const int ok = quant_params(q, zmin, zmax, &p);
    return quant_run(t, x, y, n, ok, &p);
}

int lrelu_forward_qs8(const int8_t *x, int8_t *y, size_t n, const lrelu_quant *q)
{
    return quant_forward(LRELU_QTYPE_qs8, x, y, n, q, INT8_MIN, INT8_MAX);
}

int lrelu_forward_qu8(const uint8_t *x, uint8_t *y, size_t n, const lrelu_quant *q)
{
    return quant_forward(LRELU_QTYPE_qu8, x, y, n, q, 0, UINT8_MAX);
}

/*
 * Prepared parameters: opaque[0] a tag naming the type, then the zero
 * points and the multipliers, in the order of struct lrelu_quant_params
 * (the rest zero). A prepared call checks the tag and the ranges the
 * kernels rely on (kernels.h) on the struct itself and passes the kernel
 * a pointer to opaque[1], so whatever the struct holds, the kernels' input
 * is valid and every kernel gives the same bits. Passed in place, not
 * copied to the stack first: the entry point then jumps to the kernel
 * (int8 prepared calls of 1, 16, 64 and 1024 elements 5-18% faster; Zen
 * 5, README).
 */
enum {
    QPREP_TAG_qs8 = 0x3853514c, /* "LQS8" */
    QPREP_TAG_qu8 = 0x3855514c, /* "LQU8" */
    QPREP_ZP_IN = 1,
    QPREP_ZP_OUT,
    QPREP_MP,
    QPREP_MN
};

static int quant_prepare(const lrelu_quant *q, lrelu_quant_prepared *prep, int32_t tag,
                         int32_t zmin, int32_t zmax)
{
    struct lrelu_quant_params p;
    if (prep == NULL)
        return LRELU_EINVAL;
    memset(prep, 0, sizeof *prep);
    if (!quant_params(q, zmin, zmax, &p))
        return LRELU_EINVAL;
    prep->opaque[0] = tag;
    prep->opaque[QPREP_ZP_IN] = p.input_zero_point;
    prep->opaque[QPREP_ZP_OUT] = p.output_zero_point;
    prep->opaque[QPREP_MP] = p.positive_multiplier;
    prep->opaque[QPREP_MN] = p.negative_multiplier;
    return LRELU_OK;
}

_Static_assert(offsetof(struct lrelu_quant_params, input_zero_point) ==
                       (QPREP_ZP_IN - 1) * sizeof(int32_t) &&
                   offsetof(struct lrelu_quant_params, output_zero_point) ==
                       (QPREP_ZP_OUT - 1) * sizeof(int32_t) &&
                   offsetof(struct lrelu_quant_params, positive_multiplier) ==
                       (QPREP_MP - 1) * sizeof(int32_t) &&
                   offsetof(struct lrelu_quant_params, negative_multiplier) ==
                       (QPREP_MN - 1) * sizeof(int32_t) &&
                   sizeof(struct lrelu_quant_params) == QPREP_MN * sizeof(int32_t),
               "the prepared struct holds the kernels' parameters in place");

/* The kernels' parameters in *prep (opaque[1] on), or NULL where the
 * struct was not prepared for this type or a field is out of range. */
LRELU_ALWAYS_INLINE const struct lrelu_quant_params *
quant_unprepare(const lrelu_quant_prepared *prep, int32_t tag, int32_t zmin, int32_t zmax)
{
    if (prep == NULL || prep->opaque[0] != tag)
        return NULL;
    const int32_t mn = prep->opaque[QPREP_MN];
    const int ok = within(prep->opaque[QPREP_ZP_IN], zmin, zmax) &
                   within(prep->opaque[QPREP_ZP_OUT], zmin, zmax) &
                   within(prep->opaque[QPREP_MP], 1, 32768) & within(mn, -32767, 32768) & (mn != 0);
    return ok ? (const struct lrelu_quant_params *)(const void *)&prep->opaque[QPREP_ZP_IN] : NULL;
}

#define LRELU_QUANT_PREPARED(qtype, elem, zmin, zmax)                                              \
    int lrelu_quant_prepare_##qtype(const lrelu_quant *q, lrelu_quant_prepared *prep)              \
    {                                                                                              \
        return quant_prepare(q, prep, QPREP_TAG_##qtype, zmin, zmax);                              \
    }                                                                                              \
    int lrelu_forward_##qtype##_prepared(const elem *x, elem *y, size_t n,                         \
                                         const lrelu_quant_prepared *prep)                         \
    {                                                                                              \
        const struct lrelu_quant_params *p = quant_unprepare(prep, QPREP_TAG_##qtype, zmin, zmax); \
        return quant_run(LRELU_QTYPE_##qtype, x, y, n, p != NULL, p);                              \
    }
LRELU_QUANT_PREPARED(qs8, int8_t, INT8_MIN, INT8_MAX)
LRELU_QUANT_PREPARED(qu8, uint8_t, 0, UINT8_MAX)

/*
 * PReLU, float32: x, dy, dx, y viewed as [outer][channels][inner], one
 * slope per channel.
 *
 * Forward and dx: with one channel (a slope shared by every element), the
 * forward and backward kernels with alpha = slope[0] on the whole range;
 * where a channel's block (inner elements) is long, the same kernels with
 * alpha = slope[c], block by block; where it is of middle length, the
 * blocks kernels, the blocks of an outer index a call; otherwise the
 * slopes of a stretch of whole channels are laid out element by element
 * (pattern[k] = slope[c0 + k / inner]) and the PReLU kernels apply them,
 * the pattern repeating every stretch (channels last: the slopes
 * themselves, one row a call).
 *
 * dslope[c], the canonical order (what every kernel computes, bit for bit):
 * the terms of channel c, t[k] = x > 0 ? 0 : (double)x * dy at
 * (outer o, inner i), k = o * inner + i, are cut into blocks of
 * PRELU_BLOCK terms (k / PRELU_BLOCK; the last may be shorter). In a block,
 * t[k] goes to partial sum k mod 8; each partial sum adds its terms in
 * increasing k, starting from +0 (binary64 additions). A block's result is
 * ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)); the results of the
 * blocks are added in block order, starting from +0; the sum is rounded to
 * float once. Every product is exact, so the only roundings are those
 * additions, and the result depends on nothing but the shape and the data:
 * not on the kernel, nor on how the blocks are shared out (a block of a
 * range of channels is the unit of work: dslope_block, dslope_walk and
 * dslope_rows_block compute one or more). Error
 * bound: (PRELU_BLOCK / 8 + 2 + blocks) * 2^-53 * sum |t| before the final
 * rounding.
 */
#define PRELU_BLOCK ((size_t)8192)
/* Longest slope pattern laid out element by element (floats, on the
 * stack), and the kernels' reach past its end. */
#define PRELU_PATTERN_MAX ((size_t)2048)
#define PRELU_REACH       ((size_t)64)
/*
 * How the channel blocks (inner elements each) are cut into kernel calls,
 * as measured on Zen 5 (TSC ticks a call, the library before and after in
 * one process):
 * - from PRELU_RUN_MIN elements, a call per block (8x64x14x14: 0.74x
 *   lrelu_forward of the same size; from 256 elements a block the blocks
 *   kernel is no faster: 4x8x300 1.08x the time);
 * - from PRELU_BLOCKS_MIN, the whole blocks of an outer index in one call
 *   of the blocks kernel, whose aligned vectors run across the blocks: a
 *   call per block took 1.3-1.4x its time from 128 to 255 elements
 *   (8x64x196 forward 13.4-19.7 K -> 10.0-15.1 K ticks, 1x64x128 1.06-1.40
 *   K -> 0.90-1.06 K), and the slope pattern, laid out at every call, up
 *   to 1.9x (2x16x100 forward 490-752 -> 268-412; 8x16x49 level);
 * - from PRELU_BLOCKS_FEW_MIN, in a tensor of at most PRELU_BLOCKS_FEW
 *   outer indices, the blocks kernel too, where the pattern would serve
 *   one or two: 1x64x25 forward 387-389 -> 207-209 ticks, 1x256x25
 *   1.5-1.7 K -> 0.8-0.9 K, 1x16x16 74-79 -> 62-64, 2x64x25 483-486 ->
 *   398-403 (2x16x16 92-93 -> 97, dx 106-108 -> 100-101); with more outer
 *   indices the pattern, reused, is faster (4x32x16 412 against 616,
 *   8x512x16 13.4 K against 17.4 K);
 * - otherwise (blocks shorter than that, or a call large enough to
 *   stream, whose outer indices the pattern holds: the blocks kernel has
 *   no streaming variant) the slope pattern, reused over the outer
 *   indices.
 */
#define PRELU_RUN_MIN        ((size_t)256)
#define PRELU_BLOCKS_MIN     ((size_t)32)
#define PRELU_BLOCKS_FEW_MIN LRELU_PRELU_BLOCKS_MIN
#define PRELU_BLOCKS_FEW     ((size_t)2)
/* Channels of an NHWC (inner = 1) dslope pass: eight partial sums each. */
#define PRELU_ROWS_MAX_C ((size_t)256)
/* NHWC blocks (inner = 1) whose dslope goes to the kernels'
 * prelu_dslope_cols: a group of channels at a time down the rows, its sums
 * in registers. Measured on Zen 5 (backward with dx and dslope, against
 * the rows kernel's walk through memory in order): faster up to 16 rows
 * whatever the channels (2 x 1024: 4.5x, 16 x 1024: 2x) and on blocks of
 * up to 65536 elements of at most 64 channels (1024 x 64: 1.7x), 32768 of
 * at most 256, 16384 above; slower beyond, where rows a stride apart
 * collide in the L1 cache (64 x 1024: 3x, 256 x 256: 1.6x) or the walk
 * down the columns leaves the cache before the lines' other channels are
 * read (NHWC 8x56x56x64, blocks of 8192 x 64, from memory: 1.4x). */
static inline int cols_fit(size_t rows, size_t channels)
{
    const size_t max = channels <= 64 ? 65536 : channels <= 256 ? 32768 : 16384;
    return rows <= 16 || rows * channels <= max;
}
/* Channels of a dslope pass otherwise (eight partial sums each). */
#define PRELU_CHUNK_C ((size_t)256)

/* n = outer * channels * inner, if its bytes (and those of the slopes) fit
 * in a size_t. */
static int prelu_count(size_t outer, size_t channels, size_t inner, size_t *n)
{
    *n = 0;
    if (channels > SIZE_MAX / sizeof(float))
        return 0;
    if (outer == 0 || channels == 0 || inner == 0)
        return 1;
    /* Products checked by the compiler's overflow builtins: no division
     * on every call. */
    size_t oc, total;
    if (__builtin_mul_overflow(outer, channels, &oc) || __builtin_mul_overflow(oc, inner, &total) ||
        total > SIZE_MAX / sizeof(float))
        return 0;
    *n = total;
    return 1;
}

/* Whether the byte ranges [p, p + pb) and [q, q + qb) (both in the address
 * space) share a byte. */
static inline int ranges_overlap(const void *p, uintptr_t pb, const void *q, uintptr_t qb)
{
    const uintptr_t d = (uintptr_t)p - (uintptr_t)q;
    return pb != 0 && qb != 0 && (d < qb || 0 - d < pb);
}

/* The checks of a PReLU call with n > 0 elements (binary: backward; out:
 * y, or dx, which may be NULL; dslope may be NULL): every EINVAL before
 * any EOVERLAP, nothing written. */
static int prelu_check(const struct lrelu_kernel_fns *k, int binary, const float *x,
                       const float *dy, const float *out, const float *slope, const float *dslope,
                       size_t n, size_t channels)
{
    const uintptr_t cb = channels * sizeof(float), nb = n * sizeof(float);
    const uintptr_t slope_bits = (uintptr_t)slope | (uintptr_t)dslope;
    if (UNLIKELY(bad_array(slope, UINTPTR_MAX - cb) ||
                 (dslope != NULL && bad_array(dslope, UINTPTR_MAX - cb)) ||
                 (slope_bits & (_Alignof(float) - 1)) != 0))
        return LRELU_EINVAL;
    /* One slope: on its bits, as the kernels' check (a signalling NaN
     * raises nothing). */
    const int finite =
        channels == 1 ? alpha_valid_f32(slope[0], 0) : k->prelu_finite(slope, channels);
    int status;
    /* Backward without dx: x stands for it (valid, no partial overlap). */
    const void *checked_out = out == NULL && binary ? (const void *)x : (const void *)out;
    if (!check_call(finite, binary, x, dy, checked_out, n, sizeof(float), _Alignof(float), &status))
        return status;
    if (UNLIKELY(out != NULL && ranges_overlap(out, nb, slope, cb)))
        return LRELU_EOVERLAP;
    if (UNLIKELY(dslope != NULL && (ranges_overlap(dslope, cb, x, nb) ||
                                    (binary && ranges_overlap(dslope, cb, dy, nb)) ||
                                    (out != NULL && ranges_overlap(dslope, cb, out, nb)) ||
                                    ranges_overlap(dslope, cb, slope, cb))))
        return LRELU_EOVERLAP;
    return LRELU_OK;
}

/* p[k, total) = p[0, k) repeated, by doubling copies of whole prefixes (k
 * stays a multiple of the first k): a few memcpy calls, not an element at
 * a time. */
static void repeat_prefix(float *p, size_t k, size_t total)
{
    while (k < total) {
        const size_t c = k < total - k ? k : total - k;
        memcpy(p + k, p, c * sizeof *p);
        k += c;
    }
}

/* pattern[k] = slope[k / inner] for k < channels * inner, then repeating:
 * the period returned (a multiple of channels * inner, at least
 * PRELU_REACH, below PRELU_PATTERN_MAX + PRELU_REACH), and PRELU_REACH
 * more. */
static size_t prelu_pattern(float *pattern, const float *slope, size_t channels, size_t inner)
{
    const size_t len = channels * inner;
    size_t k = 0, period = len;
    while (period < PRELU_REACH)
        period += len;
    if (inner >= 4) {
        /* Four floats a store (the last one overlapping): the kernel's
         * vector loads then wait for a quarter as many stores. */
        for (size_t c = 0; c < channels; c++, k += inner) {
            const float four[4] = {slope[c], slope[c], slope[c], slope[c]};
            for (size_t i = 0; i + 4 < inner; i += 4)
                memcpy(pattern + k + i, four, sizeof four);
            memcpy(pattern + k + inner - 4, four, sizeof four);
        }
    } else if (inner == 1) {
        memcpy(pattern, slope, len * sizeof *pattern);
        k = len;
    } else {
        for (size_t c = 0; c < channels; c++)
            for (size_t i = 0; i < inner; i++)
                pattern[k++] = slope[c];
    }
    repeat_prefix(pattern, k, period + PRELU_REACH);
    return period;
}

/* One PReLU kernel call: forward (dy == NULL) or dx, elements [at, at + n),
 * the first with pattern phase j. */
static inline void prelu_call(const struct lrelu_kernel_fns *k, const float *x, const float *dy,
                              float *out, size_t at, size_t n, const float *pattern, size_t period,
                              size_t j)
{
    if (dy == NULL)
        k->prelu_forward(x + at, out + at, n, pattern, period, j);
    else
        k->prelu_backward(x + at, dy + at, out + at, n, pattern, period, j);
}

/* Forward (dy == NULL) or dx of the elements [lo, hi) of one channel
 * block, with its slope. */
static inline void prelu_block(const struct lrelu_kernel_fns *k, const float *x, const float *dy,
                               float *out, size_t lo, size_t hi, float alpha)
{
    if (dy == NULL)
        k->forward[LRELU_TYPE_f32](x + lo, out + lo, hi - lo, alpha);
    else
        k->backward[LRELU_TYPE_f32](x + lo, dy + lo, out + lo, hi - lo, alpha);
}

/* The paths of prelu_elementwise that lay out a slope pattern (blocks
 * the blocks kernel does not take, and calls that stream), in a function of
 * their own: the others then set up no frame for its buffer. */
static __attribute__((noinline)) void prelu_patterned(const struct lrelu_kernel_fns *k,
                                                      const struct lrelu_kernel_fns *out_fns,
                                                      const float *x, const float *dy, float *out,
                                                      const float *slope, size_t channels,
                                                      size_t inner, size_t b, size_t e)
{
    const size_t len = channels * inner;
    /* The pattern placed at out's offset within a 64-byte line: where the
     * period is a multiple of 16, the kernels' slope loads are then as
     * aligned as their stores (after the head), and none splits a line. */
    _Alignas(64) float buf[PRELU_PATTERN_MAX + 2 * PRELU_REACH + 16];
    float *pattern = buf + (uintptr_t)out / sizeof(float) % 16;
    if (len <= PRELU_PATTERN_MAX) {
        /* The whole pattern: one call (element f at phase f mod period). */
        const size_t period = prelu_pattern(pattern, slope, channels, inner);
        prelu_call(out_fns, x, dy, out, b, e - b, pattern, period, b % period);
        return;
    }
    /* Stretches of whole channels, each with its pattern (laid out when the
     * range first meets the stretch), for every outer index. */
    const size_t per = PRELU_PATTERN_MAX / inner, o0 = b / len, o1 = (e - 1) / len;
    for (size_t c0 = 0; c0 < channels; c0 += per) {
        const size_t cn = channels - c0 < per ? channels - c0 : per;
        size_t period = 0;
        for (size_t o = o0; o <= o1; o++) {
            const size_t at = o * len + c0 * inner;
            const size_t lo = at > b ? at : b, hi = at + cn * inner < e ? at + cn * inner : e;
            if (lo >= hi)
                continue;
            if (period == 0)
                period = prelu_pattern(pattern, slope + c0, cn, inner);
            prelu_call(k, x, dy, out, lo, hi - lo, pattern, period, lo - at);
        }
    }
}

/*
 * Forward (dy == NULL) or dx alone, on any kernel's functions: the elements
 * [b, e) of the tensor (all of them: b = 0, e = n). A range is the same
 * kernel calls as the whole tensor, cut at b and e, the slope pattern
 * entered at the phase of element b; every element is computed on its own,
 * so its bits do not depend on where a range starts (the thread split).
 * out_fns: k, or for a large out-of-place call the kernel's streaming
 * table (prelu_out_fns), whose functions give the same bits; taken where
 * one call covers much of the output: the whole pattern's one call, and
 * channel blocks of PRELU_STREAM_RUN_MIN elements or more, through the
 * streaming table's blocks functions: one fence for an outer index's
 * blocks. A call and a fence per block, as before, made the fence cost
 * more than streaming saves below 1024 elements (one thread, Zen 3, 33-51
 * MiB moved, against the cached stores: blocks of 256 1.2-1.4x the time,
 * 512 0.95-0.98x, 1024 0.84-0.88x), and cost 1.25-1.3x the time of one
 * streaming call over the whole at 32x64x56x56 (Zen 5). With one fence,
 * on Zen 5 (32 to 51 MB moved, the two libraries in turn, two rounds):
 * blocks of 3136 forward 0.77-0.82x the time, dx 0.89-0.97x; blocks of 256
 * to 784, streamed now, forward 0.78-0.99x, dx 0.77-0.94x, dx with dslope
 * (its dslope pass's rule, below) 0.83-0.93x. Blocks of 260, whose runs
 * mostly start inside a line: dx 0.78-0.87x, forward 0.94-1.15x (four
 * rounds, as noisy as that).
 */
#define PRELU_STREAM_RUN_MIN PRELU_RUN_MIN
static void prelu_elementwise(const struct lrelu_kernel_fns *k,
                              const struct lrelu_kernel_fns *out_fns, const float *x,
                              const float *dy, float *out, const float *slope, size_t outer,
                              size_t channels, size_t inner, size_t b, size_t e)
{
    const size_t len = channels * inner;
    if (channels == 1) {
        /* One slope shared by every element (PyTorch's default PReLU):
         * Leaky ReLU of the range with alpha = slope[0], one call. */
        prelu_block(out_fns, x, dy, out, b, e, slope[0]);
        return;
    }
    if (inner == 1 && (outer == 1 || len > PRELU_PATTERN_MAX)) {
        /* Channels last, one row or rows too long for a pattern: each row
         * (its part in [b, e)) one call, on the slopes themselves. */
        for (size_t o = b / len; o < outer && o * len < e; o++) {
            const size_t lo = o * len > b ? o * len : b;
            const size_t hi = (o + 1) * len < e ? (o + 1) * len : e;
            prelu_call(k, x, dy, out, lo, hi - lo, slope + (lo - o * len), hi - lo, 0);
        }
        return;
    }
    /* The blocks kernel stores through the cache: a call that streams
     * (out_fns) keeps the pattern where it holds whole outer indices. */
    const int runs = inner >= PRELU_RUN_MIN;
    const size_t blocks_min = outer <= PRELU_BLOCKS_FEW ? PRELU_BLOCKS_FEW_MIN : PRELU_BLOCKS_MIN;
    const int blocks = !runs && inner >= blocks_min && (out_fns == k || len > PRELU_PATTERN_MAX);
    /* Long runs that stream: the streaming table's blocks functions, which
     * stream each run as a call per block would and fence once. */
    const int stream_runs = runs && inner >= PRELU_STREAM_RUN_MIN && out_fns != k;
    if (blocks || stream_runs) {
        /* The whole blocks in [b, e): one call per outer index; a block cut
         * by b or e: its part on its own. */
        const struct lrelu_kernel_fns *bf = blocks ? k : out_fns;
        size_t blk = b / inner, end = e / inner;
        if (b % inner != 0) {
            const size_t hi = (blk + 1) * inner < e ? (blk + 1) * inner : e;
            prelu_block(bf, x, dy, out, b, hi, slope[blk % channels]);
            blk++;
        }
        while (blk < end) {
            const size_t c = blk % channels,
                         cnt = end - blk < channels - c ? end - blk : channels - c;
            const size_t at = blk * inner;
            if (dy == NULL)
                bf->prelu_forward_blocks(x + at, out + at, cnt, slope + c, inner);
            else
                bf->prelu_backward_blocks(x + at, dy + at, out + at, cnt, slope + c, inner);
            blk += cnt;
        }
        if (e % inner != 0 && end * inner >= b)
            prelu_block(bf, x, dy, out, end * inner, e, slope[end % channels]);
        return;
    }
    if (runs) {
        /* One call per channel block (its part in [b, e)), slope[c] as alpha. */
        for (size_t blk = b / inner; blk < outer * channels && blk * inner < e; blk++) {
            const size_t lo = blk * inner > b ? blk * inner : b;
            const size_t hi = (blk + 1) * inner < e ? (blk + 1) * inner : e;
            prelu_block(k, x, dy, out, lo, hi, slope[blk % channels]);
        }
        return;
    }
    prelu_patterned(k, out_fns, x, dy, out, slope, channels, inner, b, e);
}

/* A block's result from its eight partial sums p0 .. p7 (or p[0..8)). */
static inline double prelu_tree8(double p0, double p1, double p2, double p3, double p4, double p5,
                                 double p6, double p7)
{
    return ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7));
}
static inline double prelu_tree(const double *p)
{
    return prelu_tree8(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
}

/* The dslope function of a call (inner > 1): out_fns's (for calls larger
 * than the caches the streaming table's, which reads x and dy ahead and
 * streams dx) without dx, and with dx where the channels' runs are long
 * (as a call per block streams: PRELU_STREAM_RUN_MIN, or one channel,
 * whose run is the whole block); else the kernel's own. */
static inline lrelu_prelu_dslope_fn dslope_fn(const struct lrelu_kernel_fns *k,
                                              const struct lrelu_kernel_fns *out_fns,
                                              const float *dx, size_t channels, size_t inner)
{
    const int long_runs = channels == 1 || inner >= PRELU_STREAM_RUN_MIN;
    return dx == NULL || long_runs ? out_fns->prelu_dslope : k->prelu_dslope;
}

/* Block b of the channels [c0, c0 + cn) (inner > 1), through the kernel
 * function dfn (the plain or the streaming prelu_dslope): their results
 * into r[0..cn), dx of their elements (dx may be NULL). Memory is walked
 * in order: outer index, then channel, then inner. */
static void dslope_block(lrelu_prelu_dslope_fn dfn, const float *x, const float *dy, float *dx,
                         const float *slope, size_t outer, size_t channels, size_t inner, size_t c0,
                         size_t cn, size_t b, double *r)
{
    _Alignas(64) double lanes[PRELU_CHUNK_C][8];
    memset(lanes, 0, cn * sizeof lanes[0]);
    const size_t terms = outer * inner;
    const size_t end = terms - b * PRELU_BLOCK < PRELU_BLOCK ? terms : (b + 1) * PRELU_BLOCK;
    for (size_t t = b * PRELU_BLOCK; t < end;) {
        const size_t o = t / inner, i = t % inner;
        /* One channel: its terms are contiguous across the outer indices
         * (term k is element k), so a run is the rest of the block. */
        const size_t run = channels == 1 || inner - i >= end - t ? end - t : inner - i;
        const size_t at = (o * channels + c0) * inner + i;
        dfn(x + at, dy + at, dx != NULL ? dx + at : NULL, run, cn, inner, slope + c0, t & 7,
            lanes[0]);
        t += run;
    }
    for (size_t c = 0; c < cn; c++)
        r[c] = prelu_tree(lanes[c]);
}

/* Where dslope_walk puts each block's results: added to sum[0..cn) (one
 * thread: the blocks' results added in block order from +0, unrounded),
 * or stored at r[b * stride + c] for block b (the units on threads, whose
 * results the calling thread adds in that order). */
struct dslope_sink {
    double *sum, *r;
    size_t stride;
};

/* Block b's result of channel c from its partial sums p, into out; p
 * then starts again from +0. */
static inline void dslope_close(struct dslope_sink out, double *p, size_t b, size_t c)
{
    const double res = prelu_tree(p);
    if (out.sum != NULL)
        out.sum[c] += res;
    else
        out.r[b * out.stride + c] = res;
    memset(p, 0, 8 * sizeof *p);
}

/* The blocks [b0, b1) of the channels [c0, c0 + cn) (inner > 1, channels
 * > 1), in the order of memory: outer index, channel, inner index, each
 * row of a channel one run of dfn. A channel's row that crosses the end of
 * a block is cut there: the first part completes that block's partial
 * sums, which then give its result and start again from +0 for the second
 * part. dslope_block, a block of all channels at a time, reads the row
 * that holds a block's end in two passes over its channels (the second
 * after a whole block of them) and its read-ahead past the first parts'
 * ends fetches lines read only then: NCHW 32x64x56x56 with dx took
 * 1.15-1.3x the time of lrelu_backward of the same size, where a shape
 * whose rows tile the blocks (32x64x64x64) took 1.0x (Zen 5); on two
 * threads, whose units walked a block at a time, dslope alone took 19-24%
 * less time walking each task's blocks in order (NCHW 32x64x3136 and
 * 16x64x6272; with dx 12-18%). One thread's call of one block (all its
 * rows in one pass already) takes dslope_block, whose result needs no
 * sum. */
static void dslope_walk(lrelu_prelu_dslope_fn dfn, const float *x, const float *dy, float *dx,
                        const float *slope, size_t outer, size_t channels, size_t inner, size_t c0,
                        size_t cn, size_t b0, size_t b1, struct dslope_sink out)
{
    _Alignas(64) double lanes[PRELU_CHUNK_C][8];
    memset(lanes, 0, cn * sizeof lanes[0]);
    const size_t terms = outer * inner, t_end = b1 * PRELU_BLOCK < terms ? b1 * PRELU_BLOCK : terms;
    for (size_t t = b0 * PRELU_BLOCK; t < t_end;) {
        const size_t o = t / inner, lo = t - o * inner;
        const size_t hi = (o + 1) * inner < t_end ? inner : t_end - o * inner;
        const size_t at = (o * channels + c0) * inner, b = t / PRELU_BLOCK;
        const size_t block_end = (b + 1) * PRELU_BLOCK;
        if (o * inner + hi <= block_end) {
            /* Within one block: the channels in one call. */
            dfn(x + at + lo, dy + at + lo, dx != NULL ? dx + at + lo : NULL, hi - lo, cn, inner,
                slope + c0, t & 7, lanes[0]);
            if (o * inner + hi == block_end || o * inner + hi == terms) /* its last row */
                for (size_t c = 0; c < cn; c++)
                    dslope_close(out, lanes[c], b, c);
        } else {
            for (size_t c = 0; c < cn; c++) {
                const size_t ac = at + c * inner;
                for (size_t i = lo; i < hi;) {
                    const size_t ti = o * inner + i, end = (ti / PRELU_BLOCK + 1) * PRELU_BLOCK;
                    const size_t run = end - ti < hi - i ? end - ti : hi - i;
                    dfn(x + ac + i, dy + ac + i, dx != NULL ? dx + ac + i : NULL, run, 1, inner,
                        slope + c0 + c, ti & 7, lanes[c]);
                    i += run;
                    if (ti + run == end || ti + run == terms) /* a block's last term */
                        dslope_close(out, lanes[c], ti / PRELU_BLOCK, c);
                }
            }
        }
        t = o * inner + hi;
    }
}

/* The sums of rows a block does not reach. */
static const double zero_sums[PRELU_ROWS_MAX_C];

/* Block b of the channels [c0, c0 + cn) of an NHWC tensor (inner = 1):
 * their results into r[0..cn), dx of their elements (dx may be NULL).
 * pattern: the cn slopes repeated (prelu_pattern, 8 * cn long). */
static void dslope_rows_block(const struct lrelu_kernel_fns *k, const float *x, const float *dy,
                              float *dx, const float *pattern, size_t outer, size_t channels,
                              size_t c0, size_t cn, size_t b, double *r)
{
    const size_t r0 = b * PRELU_BLOCK, r1 = outer - r0 < PRELU_BLOCK ? outer : r0 + PRELU_BLOCK;
    if (cols_fit(r1 - r0, channels)) {
        const size_t at = r0 * channels + c0;
        if (k->prelu_dslope_cols(x + at, dy + at, dx != NULL ? dx + at : NULL, r1 - r0, channels,
                                 cn, pattern, r, NULL))
            return;
    }
    double acc[8 * PRELU_ROWS_MAX_C + PRELU_REACH];
    /* Fewer than eight rows fill as many sets of sums (and the kernel's
     * reach past them): only those are cleared, the tree (prelu_tree8's
     * order) taking the others from zero_sums. */
    const size_t live = r1 - r0 < 8 ? r1 - r0 : 8;
    memset(acc, 0, (live * cn + PRELU_REACH) * sizeof *acc);
    if (cn == channels) {
        /* Contiguous rows: one call (r0 is a multiple of 8). */
        const size_t at = r0 * channels;
        k->prelu_dslope_rows(x + at, dy + at, dx != NULL ? dx + at : NULL, (r1 - r0) * channels,
                             pattern, 8 * cn, 0, acc);
    } else {
        for (size_t row = r0; row < r1; row++) {
            const size_t at = row * channels + c0;
            k->prelu_dslope_rows(x + at, dy + at, dx != NULL ? dx + at : NULL, cn, pattern, 8 * cn,
                                 (row & 7) * cn, acc);
        }
    }
    if (live == 1) {
        /* One row (a batch of one): its sums are the results, the tree
         * adding only +0 to each. */
        memcpy(r, acc, cn * sizeof *r);
        return;
    }
    const double *row[8];
    for (size_t l = 0; l < 8; l++)
        row[l] = l < live ? acc + l * cn : zero_sums;
    for (size_t c = 0; c < cn; c++)
        r[c] = prelu_tree8(row[0][c], row[1][c], row[2][c], row[3][c], row[4][c], row[5][c],
                           row[6][c], row[7][c]);
}

/* The slopes of cn channels, once for each set of sums in use (eight, or
 * the rows of a tensor of fewer: outer), then the reach (the pattern of
 * dslope_rows_block). */
static void rows_pattern(float *pattern, const float *slope, size_t cn, size_t outer)
{
    memcpy(pattern, slope, cn * sizeof *pattern);
    repeat_prefix(pattern, cn, (outer < 8 ? outer : 8) * cn + PRELU_REACH);
}

/* The results of a block added to the channels' sums, sum[c] += r[c], and
 * the sums rounded to float, out[c] = (float)sum[c] (c < cn): one binary64
 * operation per channel either way, two a step in the compilers' generic
 * vectors, vector code at every optimisation level (as plain loops, scalar
 * at a distribution's -O2: a third of a one-row backward of 1024 channels). */
#if defined(__GNUC__)
typedef double two_sums __attribute__((vector_size(16)));
typedef float two_floats __attribute__((vector_size(8)));
#endif
static void add_results(double *sum, const double *r, size_t cn)
{
    size_t c = 0;
#if defined(__GNUC__)
    for (; c + 2 <= cn; c += 2) {
        two_sums s, t;
        memcpy(&s, sum + c, sizeof s);
        memcpy(&t, r + c, sizeof t);
        s += t;
        memcpy(sum + c, &s, sizeof s);
    }
#endif
    for (; c < cn; c++)
        sum[c] += r[c];
}
static void round_sums(float *out, const double *sum, size_t cn)
{
    size_t c = 0;
#if defined(__GNUC__)
    for (; c + 2 <= cn; c += 2) {
        two_sums s;
        memcpy(&s, sum + c, sizeof s);
        const two_floats f = __builtin_convertvector(s, two_floats);
        memcpy(out + c, &f, sizeof f);
    }
#endif
    for (; c < cn; c++)
        out[c] = (float)sum[c];
}

/* dslope, and dx where dx is not NULL; out_fns: the kernel's table, or
 * for calls larger than the caches the streaming one (dslope_fn). */
static void prelu_dslope(const struct lrelu_kernel_fns *k, const struct lrelu_kernel_fns *out_fns,
                         const float *x, const float *dy, float *dx, const float *slope,
                         float *dslope, size_t outer, size_t channels, size_t inner)
{
    const lrelu_prelu_dslope_fn dfn = dslope_fn(k, out_fns, dx, channels, inner);
    if (outer == 1 && inner == 1) {
        /* One row, one term a channel (a batch of one, channels last). */
        k->prelu_dslope_row(x, dy, dx, channels, slope, dslope);
        return;
    }
    const size_t blocks = (outer * inner + PRELU_BLOCK - 1) / PRELU_BLOCK;
    /* One block of few rows: straight to dslope, no slope pattern. */
    if (inner == 1 && blocks == 1 && cols_fit(outer, channels) &&
        k->prelu_dslope_cols(x, dy, dx, outer, channels, channels, slope, NULL, dslope))
        return;
    const size_t chunk = inner > 1 ? PRELU_CHUNK_C : PRELU_ROWS_MAX_C;
    double r[PRELU_CHUNK_C > PRELU_ROWS_MAX_C ? PRELU_CHUNK_C : PRELU_ROWS_MAX_C];
    double sum[sizeof r / sizeof r[0]];
    float pattern[8 * PRELU_ROWS_MAX_C + PRELU_REACH];
    for (size_t c0 = 0; c0 < channels; c0 += chunk) {
        const size_t cn = channels - c0 < chunk ? channels - c0 : chunk;
        if (inner > 1 && channels > 1 && blocks > 1) {
            memset(sum, 0, cn * sizeof *sum); /* +0 */
            dslope_walk(dfn, x, dy, dx, slope, outer, channels, inner, c0, cn, 0, blocks,
                        (struct dslope_sink){sum, NULL, 0});
            round_sums(dslope + c0, sum, cn);
            continue;
        }
        if (inner == 1)
            rows_pattern(pattern, slope + c0, cn, outer);
        /* One block (up to PRELU_BLOCK terms a channel): its results are
         * the sums, since +0 + r is r for every result r of a block (r is
         * -0 only rounding downward, where +0 + -0 is -0 too; never a
         * signalling NaN). */
        double *const into = blocks == 1 ? sum : r;
        if (blocks > 1)
            memset(sum, 0, cn * sizeof *sum); /* +0 */
        for (size_t b = 0; b < blocks; b++) {
            if (inner > 1)
                dslope_block(dfn, x, dy, dx, slope, outer, channels, inner, c0, cn, b, into);
            else
                dslope_rows_block(k, x, dy, dx, pattern, outer, channels, c0, cn, b, into);
            if (blocks > 1)
                add_results(sum, r, cn);
        }
        round_sums(dslope + c0, sum, cn);
    }
}

/* After the checks (n > 0), on any kernel's functions: the entry points
 * with the active kernel, the tests with test-only builds. One thread. */
int lrelu_prelu_forward_with(const struct lrelu_kernel_fns *k, const float *x, float *y,
                             const float *slope, size_t outer, size_t channels, size_t inner)
{
    prelu_elementwise(k, k, x, NULL, y, slope, outer, channels, inner, 0, outer * channels * inner);
    return LRELU_OK;
}

int lrelu_prelu_backward_with(const struct lrelu_kernel_fns *k, const float *x, const float *dy,
                              float *dx, const float *slope, float *dslope, size_t outer,
                              size_t channels, size_t inner)
{
    if (dslope != NULL)
        prelu_dslope(k, k, x, dy, dx, slope, dslope, outer, channels, inner);
    else
        prelu_elementwise(k, k, x, dy, dx, slope, outer, channels, inner, 0,
                          outer * channels * inner);
    return LRELU_OK;
}

/*
 * Large PReLU calls over threads (src/parallel.h), as large lrelu calls:
 * only from the same threshold (LRELU_SPLIT_MIN_BYTES moved: 8 bytes an
 * element forward and for dslope alone, 12 with dx), the same number of
 * tasks (one per OpenMP thread, or bytes / LRELU_TASK_BYTES for a caller's
 * pool), and the same bits as one thread whatever the tasks and threads:
 *
 * - y, or dx alone: chunks of whole 64-byte lines of the output, each the
 *   elements [b, e) of prelu_elementwise (the pattern entered at phase
 *   b mod period): every element gets the kernel function and slope it
 *   gets in one thread.
 * - dslope (and dx with it): the unit of work is one dslope block of a
 *   group of channels (dslope_walk, dslope_block, dslope_rows_block),
 *   which writes its results, one double per channel, into a scratch
 *   array at [block][channel], and dx of its own elements. The calling thread then
 *   adds each channel's results in block order from +0 and rounds once:
 *   the documented order, whichever thread computed which block. A
 *   channel's results do not depend on the group that holds it (each
 *   channel keeps its own eight partial sums, its terms in increasing
 *   order), so the groups are made smaller (down to one channel; eight for
 *   NHWC, whose narrower groups take a call per row) until there are as
 *   many units as tasks; a task takes a run of consecutive units: with
 *   inner > 1 a group's blocks in order, then the next group's, which it
 *   walks in the order of memory as one thread does (dslope_walk: a row
 *   that holds a block's end is read in one pass, not the first parts of
 *   all the group's channels and then the second ones); NHWC a block's
 *   groups in channel order, then the next block's.
 *   Two units may write one 64-byte line of dx, where a group's channels
 *   or a block's terms end inside a line: block ends are fixed by the
 *   order (8192 terms) and group ends by the shape, so they cannot all be
 *   moved onto lines without giving up the single pass over x and dy. It
 *   is harmless: every float of dx is written by exactly one unit (the
 *   kernels write nothing outside their elements, and the dslope path
 *   never uses streaming stores, which could leave a partial line), so no two
 *   threads write the same bytes; the cost is a line passed between two
 *   cores at each such boundary, one or two per block and group.
 * - The scratch array comes from malloc; if that fails, the call runs on
 *   one thread, with the same bits.
 * (A NaN dslope is some NaN: which NaN term's payload it carries is not
 * fixed, as C leaves the payload of a sum of two NaNs to the compiler's
 * order of operands.)
 */
#define PRELU_ROWS_MIN_C ((size_t)8)

struct prelu_split {
    const struct lrelu_kernel_fns *k, *out_fns; /* prelu_elementwise's */
    const float *x, *dy, *slope;
    float *out; /* y or dx; NULL for dslope alone */
    size_t outer, channels, inner;
    struct lrelu_lines lines;                   /* y, or dx alone */
    size_t blocks, group, groups, units, count; /* dslope */
    double *r;                                  /* results, [block][channel] */
};

static void prelu_elementwise_task(void *arg, size_t i)
{
    const struct prelu_split *s = arg;
    const size_t b = lrelu_lines_start(&s->lines, i), e = lrelu_lines_start(&s->lines, i + 1);
    if (b < e)
        prelu_elementwise(s->k, s->out_fns, s->x, s->dy, s->out, s->slope, s->outer, s->channels,
                          s->inner, b, e);
}

/* Whether the units of dslope can write dx too, no two of them writing
 * one 64-byte line of it: dx on a line, and every unit's elements
 * beginning and ending on lines. With one channel a block is 8192
 * consecutive elements. With inner a multiple of 16 (64 bytes), rows start
 * on lines, and a unit's runs begin and end at inner indices that are
 * multiples of 16 (a block's end, term 8192 b, is o * inner + i with i one
 * of them). NHWC (inner 1) groups end inside rows. */
static int units_on_lines(const float *dx, size_t channels, size_t inner)
{
    return ((uintptr_t)dx & 63) == 0 && (channels == 1 || (inner > 1 && inner % 16 == 0));
}

/* The units [u0, u1). With inner > 1 unit u is block u mod blocks of the
 * group u / blocks: a task's units are consecutive blocks of a group (or
 * of two or more groups, one after another), which it walks in the order
 * of memory (dslope_walk, where there are several channels), as one thread
 * does. NHWC (inner 1): unit u is the group u mod groups of the block u /
 * groups, a block at a time (dslope_rows_block), its rows contiguous. */
static void prelu_dslope_units(const struct prelu_split *s, size_t u0, size_t u1)
{
    if (s->inner > 1) {
        /* s->out: NULL where the units write no dx. */
        const lrelu_prelu_dslope_fn dfn =
            dslope_fn(s->k, s->out_fns, s->out, s->channels, s->inner);
        for (size_t u = u0; u < u1;) {
            const size_t g = u / s->blocks, b0 = u % s->blocks;
            const size_t b1 = u1 - u < s->blocks - b0 ? b0 + (u1 - u) : s->blocks;
            const size_t c0 = g * s->group;
            const size_t cn = s->channels - c0 < s->group ? s->channels - c0 : s->group;
            if (s->channels > 1)
                dslope_walk(dfn, s->x, s->dy, s->out, s->slope, s->outer, s->channels, s->inner, c0,
                            cn, b0, b1, (struct dslope_sink){NULL, s->r + c0, s->channels});
            else
                for (size_t b = b0; b < b1; b++)
                    dslope_block(dfn, s->x, s->dy, s->out, s->slope, s->outer, 1, s->inner, 0, 1, b,
                                 s->r + b);
            u += b1 - b0;
        }
        return;
    }
    float pattern[8 * PRELU_ROWS_MAX_C + PRELU_REACH];
    for (size_t u = u0; u < u1; u++) {
        const size_t b = u / s->groups, c0 = u % s->groups * s->group;
        const size_t cn = s->channels - c0 < s->group ? s->channels - c0 : s->group;
        rows_pattern(pattern, s->slope + c0, cn, s->outer);
        dslope_rows_block(s->k, s->x, s->dy, s->out, pattern, s->outer, s->channels, c0, cn, b,
                          s->r + b * s->channels + c0);
    }
}

/* Task i: units [start(i), start(i + 1)), shared out evenly. */
static void prelu_dslope_task(void *arg, size_t i)
{
    const struct prelu_split *s = arg;
    const size_t q = s->units / s->count, rem = s->units % s->count;
    const size_t u0 = i * q + (i < rem ? i : rem), u1 = u0 + q + (i < rem);
    prelu_dslope_units(s, u0, u1);
}

/* n >= the split threshold of the call's operation; per: bytes moved an
 * element (8 or 12). */
static __attribute__((noinline)) int
prelu_split(const struct lrelu_kernel_fns *k, const struct lrelu_kernel_fns *out_fns,
            const float *x, const float *dy, float *out, const float *slope, float *dslope,
            size_t outer, size_t channels, size_t inner, size_t n, size_t per)
{
    struct lrelu_parallel p;
    lrelu_parallel_get(&p);
    /* Bytes read + written, saturating (n * 4 fits, n * 12 may not). */
    const size_t total = n > SIZE_MAX / per ? SIZE_MAX : n * per;
    size_t count = lrelu_parallel_tasks(&p, total);
    struct prelu_split s = {k,     out_fns, x, dy, slope, out, outer, channels,
                            inner, {0},     0, 0,  0,     0,   0,     NULL};
    if (dslope == NULL) {
        if (count < 2) {
            prelu_elementwise(k, out_fns, x, dy, out, slope, outer, channels, inner, 0, n);
            return LRELU_OK;
        }
        s.lines = lrelu_lines_of(out, sizeof(float), n, count);
        lrelu_parallel_run(&p, prelu_elementwise_task, &s, count);
        return LRELU_OK;
    }
    if (count < 2)
        return lrelu_prelu_backward_with(k, x, dy, out, slope, dslope, outer, channels, inner);
    s.blocks = (outer * inner + PRELU_BLOCK - 1) / PRELU_BLOCK;
    const size_t min_c = inner > 1 ? 1 : PRELU_ROWS_MIN_C;
    s.group = inner > 1 ? PRELU_CHUNK_C : PRELU_ROWS_MAX_C;
    s.group = channels < s.group ? channels : s.group;
    for (;;) {
        s.groups = (channels + s.group - 1) / s.group;
        s.units = s.blocks * s.groups;
        if (s.units >= count || s.group <= min_c)
            break;
        s.group = (s.group + 1) / 2 > min_c ? (s.group + 1) / 2 : min_c;
    }
    s.count = count < s.units ? count : s.units;
    if (s.count >= 2 && s.blocks <= SIZE_MAX / sizeof(double) / channels)
        s.r = malloc(s.blocks * channels * sizeof(double));
    if (s.r == NULL)
        return lrelu_prelu_backward_with(k, x, dy, out, slope, dslope, outer, channels, inner);
    /* dslope by units, which end where blocks and channel groups end: with
     * dx, where they all end on lines of it, in the same pass (x and dy
     * read once); otherwise inside lines, so dx comes after, in chunks of
     * whole lines as dx alone. No two threads write one line. */
    const int one_pass = out != NULL && units_on_lines(out, channels, inner);
    s.out = one_pass ? out : NULL;
    lrelu_parallel_run(&p, prelu_dslope_task, &s, s.count);
    for (size_t c = 0; c < channels; c++) {
        double sum = 0;
        for (size_t b = 0; b < s.blocks; b++)
            sum += s.r[b * channels + c];
        dslope[c] = (float)sum;
    }
    free(s.r);
    if (out != NULL && !one_pass) {
        s.out = out;
        s.lines = lrelu_lines_of(out, sizeof(float), n, count);
        lrelu_parallel_run(&p, prelu_elementwise_task, &s, count);
    }
    return LRELU_OK;
}

/* The table of a call's output (prelu_elementwise's out_fns): the
 * streaming one where lrelu_forward / lrelu_backward of as many elements
 * would stream, automatically (out of place, from the threshold of the
 * same operation); else the kernel's own. */
static inline const struct lrelu_kernel_fns *prelu_out_fns(const struct lrelu_kernel *kern, int bwd,
                                                           const float *x, const float *dy,
                                                           const float *out, size_t n)
{
    const int has = bwd ? kern->stream.prelu_backward != NULL : kern->stream.prelu_forward != NULL;
    const size_t min_n =
        kern->stream_min[bwd ? LRELU_OP_BACKWARD : LRELU_OP_FORWARD][LRELU_TYPE_f32];
    return streams(has, out, sizeof(float), n, min_n, LRELU_STORE_AUTO) && out != x && out != dy
               ? &kern->stream
               : &kern->fns;
}

int lrelu_prelu_forward(const float *x, float *y, const float *slope, size_t outer, size_t channels,
                        size_t inner)
{
    size_t n;
    if (UNLIKELY(!prelu_count(outer, channels, inner, &n)))
        return LRELU_EINVAL;
    if (n == 0)
        return LRELU_OK;
    const struct lrelu_kernel *kern = lrelu_current();
    const struct lrelu_kernel_fns *k = &kern->fns;
    const int status = prelu_check(k, 0, x, NULL, y, slope, NULL, n, channels);
    if (UNLIKELY(status != LRELU_OK))
        return status;
    if (channels == 1)
        /* One slope for every element (PyTorch's default nn.PReLU()): the
         * call of lrelu_forward with alpha = slope[0], the same bits. */
        return run_forward(kern, LRELU_TYPE_f32, sizeof(float), x, y, n, slope[0],
                           LRELU_STORE_AUTO);
    const struct lrelu_kernel_fns *out_fns = prelu_out_fns(kern, 0, x, NULL, y, n);
    if (UNLIKELY(n >= lrelu_split_min_n(LRELU_OP_FORWARD, LRELU_TYPE_f32)))
        return prelu_split(k, out_fns, x, NULL, y, slope, NULL, outer, channels, inner, n,
                           2 * sizeof(float));
    prelu_elementwise(k, out_fns, x, NULL, y, slope, outer, channels, inner, 0, n);
    return LRELU_OK;
}

int lrelu_prelu_backward(const float *x, const float *dy, float *dx, const float *slope,
                         float *dslope, size_t outer, size_t channels, size_t inner)
{
    size_t n;
    if (UNLIKELY((dx == NULL && dslope == NULL) || !prelu_count(outer, channels, inner, &n)))
        return LRELU_EINVAL;
    if (n == 0) {
        /* No terms: dslope is +0 (an empty sum). */
        if (dslope != NULL && channels != 0) {
            if (UNLIKELY(bad_array(dslope, UINTPTR_MAX - channels * sizeof(float))))
                return LRELU_EINVAL;
            for (size_t c = 0; c < channels; c++)
                dslope[c] = 0.0f;
        }
        return LRELU_OK;
    }
    const struct lrelu_kernel *kern = lrelu_current();
    const struct lrelu_kernel_fns *k = &kern->fns;
    const int status = prelu_check(k, 1, x, dy, dx, slope, dslope, n, channels);
    if (UNLIKELY(status != LRELU_OK))
        return status;
    if (channels == 1 && dslope == NULL)
        /* dx alone with one shared slope: lrelu_backward's call. */
        return run_backward(kern, LRELU_TYPE_f32, sizeof(float), x, dy, dx, n, slope[0],
                            LRELU_STORE_AUTO);
    /* dx alone may stream, and so may dx over threads after dslope (its
     * own pass); in one pass with dslope (one thread, or the units of
     * prelu_split on lines of dx) it comes from the dslope kernels, which
     * stream it where the runs are long (prelu_dslope). */
    /* dslope alone reads 8 bytes an element, as forward moves: from
     * forward's streaming threshold, the streaming table's dslope, which
     * reads ahead (and writes nothing). */
    const int op = dx != NULL ? LRELU_OP_BACKWARD : LRELU_OP_FORWARD;
    const struct lrelu_kernel_fns *out_fns =
        dx != NULL ? prelu_out_fns(kern, 1, x, dy, dx, n)
        : kern->stream.prelu_dslope != NULL && n >= kern->stream_min[op][LRELU_TYPE_f32]
            ? &kern->stream
            : k;
    if (UNLIKELY(n >= lrelu_split_min_n(op, LRELU_TYPE_f32)))
        return prelu_split(k, out_fns, x, dy, dx, slope, dslope, outer, channels, inner, n,
                           (dx != NULL ? 3 : 2) * sizeof(float));
    if (dslope != NULL)
        prelu_dslope(k, out_fns, x, dy, dx, slope, dslope, outer, channels, inner);
    else
        prelu_elementwise(k, out_fns, x, dy, dx, slope, outer, channels, inner, 0, n);
    return LRELU_OK;
}

const char *lrelu_strerror(int status)
{
    switch (status) {
    case LRELU_OK:
        return "success";
    case LRELU_EINVAL:
        return "invalid argument (NULL array, non-finite alpha, size out of range, or "
               "negative alpha for backward from output)";
    case LRELU_EOVERLAP:
        return "an output array partially overlaps an input array";
    case LRELU_EUNSUPPORTED:
        return "kernel unknown, not compiled in, not supported by this CPU, or above "
               "LRELU_MAX_ISA";
    default:
        return "unknown liblrelu status code";
    }
}

const char *lrelu_version(void) { return LRELU_VERSION_STRING; }
