/*
 * The scalar reference: one element per step, in portable C, through the
 * same loop shape as the SIMD kernels (kernel_body.h). Every other kernel
 * must give exactly these bits.
 *
 * Elements are handled as their bits: the compare x > 0 is an integer
 * compare, the select masks the bits, the conversions between binary16 /
 * bfloat16 and binary32 are integer arithmetic. Only the product is a
 * floating-point operation. So the loop has no branch on the data (its
 * speed does not depend on the signs), a value that passes through is not
 * touched by a floating-point register (an x87 load would quiet a
 * signalling NaN), and the result does not depend on the rounding mode
 * except through the multiply.
 */
#include <stdint.h>
#include <string.h>

#define LRELU_ISA scalar
#define LRELU_PART_BY_COPY
#define LRELU_NO_STREAM

/* All ones where c holds, else 0. */
#define MASK32(c) (0u - (uint32_t)(c))
#define MASK64(c) (0u - (uint64_t)(c))

/* A mask hidden from the optimiser, at no cost: seeing the and/or select of
 * a compare's mask, clang rebuilds a conditional, and compiles it as a
 * branch on the data. */
#if defined(__GNUC__)
#define OPAQUE(m) __asm__("" : "+r"(m))
#else
#define OPAQUE(m) ((void)0)
#endif
static inline uint32_t gt0_mask32(uint32_t x, uint32_t inf)
{
    uint32_t m = MASK32(x - 1u < inf); /* 1 <= x <= inf: x > 0, not NaN */
    OPAQUE(m);
    return m;
}

static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* t where m is all ones, f where it is 0; the mask hidden, so that the
 * select stays and / or. */
static inline uint32_t sel32(uint32_t m, uint32_t t, uint32_t f)
{
    OPAQUE(m);
    return (t & m) | (f & ~m);
}

/* binary16 -> binary32, exact. A subnormal is m * 2^-24: an exact
 * conversion of a 10-bit integer times a power of two, a normal number. */
static inline uint32_t half_to_single(uint32_t h)
{
    const uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    const uint32_t normal = ((e + 112u) << 23) | (m << 13);
    const uint32_t special = 0x7f800000u | (m << 13); /* inf, NaN with its payload */
    const uint32_t sub = f2u((float)(int32_t)m * 0x1p-24f);
    const uint32_t r = sel32(MASK32(e == 0), sub, sel32(MASK32(e == 31), special, normal));
    return r | (h & 0x8000u) << 16;
}

/* binary32 -> binary16, rounded to nearest even; NaN keeps its sign and the
 * top of its payload and becomes quiet; overflow gives infinity. */
static inline uint32_t single_to_half(uint32_t u)
{
    const uint32_t a = u & 0x7fffffffu;
    const uint32_t nan = 0x7e00u | ((a >> 13) & 0x3ffu);
    /* Normal results, |x| in [2^-14, 65536): rebias, round at bit 13. */
    const uint32_t normal = (a - 0x38000000u + 0xfffu + ((a >> 13) & 1u)) >> 13;
    /* Subnormal results: the significand shifted right by s = 126 - e,
     * rounded; e is clamped so that s stays in 13..25 (below 2^-25
     * everything rounds to zero). */
    const uint32_t e = a >> 23;
    const uint32_t ec = sel32(MASK32(e < 101u), 101u, sel32(MASK32(e > 113u), 113u, e));
    const uint32_t s = 126u - ec, sig = (a & 0x7fffffu) | 0x800000u;
    const uint32_t sub = (sig + (1u << (s - 1u)) - 1u + ((sig >> s) & 1u)) >> s;
    const uint32_t r = sel32(
        MASK32(a > 0x7f800000u), nan,
        sel32(MASK32(a >= 0x47800000u), 0x7c00u, sel32(MASK32(a >= 0x38800000u), normal, sub)));
    return r | (u >> 16 & 0x8000u);
}

/* binary32 -> bfloat16, rounded to nearest even; NaN keeps its sign and
 * payload top and becomes quiet. */
static inline uint32_t single_to_bfloat(uint32_t u)
{
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    return sel32(MASK32((u & 0x7fffffffu) > 0x7f800000u), (u >> 16) | 0x40u, rounded);
}

/* float32: the bits, computed as float. */
typedef float f32_elem;
typedef uint32_t f32_vs, f32_vm;
typedef float f32_vc;
enum { f32_lanes = 1 };
static inline f32_vc f32_alpha(double a) { return (float)a; }
static inline f32_vs f32_load(const float *p)
{
    uint32_t u;
    memcpy(&u, p, sizeof u);
    return u;
}
static inline void f32_store(float *p, f32_vs v) { memcpy(p, &v, sizeof v); }
static inline f32_vm f32_gt0(f32_vs x) { return gt0_mask32(x, 0x7f800000u); }
static inline f32_vs f32_clear(f32_vm m, f32_vs v) { return v & ~m; }
static inline f32_vc f32_widen(f32_vs v) { return u2f(v); }
static inline f32_vs f32_narrow(f32_vc v) { return f2u(v); }
static inline f32_vc f32_mul(f32_vc a, f32_vc b) { return a * b; }
static inline f32_vs f32_select(f32_vm m, f32_vs t, f32_vs f) { return sel32(m, t, f); }

/* float16 and bfloat16: the bits, computed as float. */
typedef uint16_t f16_elem, bf16_elem;
typedef uint32_t f16_vs, f16_vm, bf16_vs, bf16_vm;
typedef float f16_vc, bf16_vc;
enum { f16_lanes = 1, bf16_lanes = 1 };
static inline float f16_alpha(double a) { return (float)a; }
static inline uint32_t f16_load(const uint16_t *p) { return *p; }
static inline void f16_store(uint16_t *p, uint32_t v) { *p = (uint16_t)v; }
static inline uint32_t f16_gt0(uint32_t x) { return gt0_mask32(x, 0x7c00u); }
static inline uint32_t f16_clear(uint32_t m, uint32_t v) { return v & ~m; }
static inline float f16_widen(uint32_t v) { return u2f(half_to_single(v)); }
static inline uint32_t f16_narrow(float v) { return single_to_half(f2u(v)); }
static inline float f16_mul(float a, float b) { return a * b; }
static inline uint32_t f16_select(uint32_t m, uint32_t t, uint32_t f) { return sel32(m, t, f); }

static inline float bf16_alpha(double a) { return (float)a; }
static inline uint32_t bf16_load(const uint16_t *p) { return *p; }
static inline void bf16_store(uint16_t *p, uint32_t v) { *p = (uint16_t)v; }
static inline uint32_t bf16_gt0(uint32_t x) { return gt0_mask32(x, 0x7f80u); }
static inline uint32_t bf16_clear(uint32_t m, uint32_t v) { return v & ~m; }
static inline float bf16_widen(uint32_t v) { return u2f(v << 16); }
static inline uint32_t bf16_narrow(float v) { return single_to_bfloat(f2u(v)); }
static inline float bf16_mul(float a, float b) { return a * b; }
static inline uint32_t bf16_select(uint32_t m, uint32_t t, uint32_t f) { return sel32(m, t, f); }

/* float64: the bits, computed as double. */
typedef double f64_elem;
typedef uint64_t f64_vs, f64_vm;
typedef double f64_vc;
enum { f64_lanes = 1 };
static inline f64_vc f64_alpha(double a) { return a; }
static inline f64_vs f64_load(const double *p)
{
    uint64_t u;
    memcpy(&u, p, sizeof u);
    return u;
}
static inline void f64_store(double *p, f64_vs v) { memcpy(p, &v, sizeof v); }
static inline f64_vm f64_gt0(f64_vs x)
{
#if SIZE_MAX > 0xffffffffu
    uint64_t m = MASK64(x - 1u < 0x7ff0000000000000u);
    OPAQUE(m);
    return m;
#else
    /* 32-bit targets: from the halves, each compare a flag, so that no
     * compare of the low half hides behind a branch on the high one. */
    const uint32_t hi = (uint32_t)(x >> 32), lo = (uint32_t)x;
    const uint32_t c = ((uint32_t)(hi < 0x7ff00000u) & (uint32_t)((hi | lo) != 0)) |
                       ((uint32_t)(hi == 0x7ff00000u) & (uint32_t)(lo == 0));
    uint32_t m = MASK32(c);
    OPAQUE(m);
    return (uint64_t)m << 32 | m;
#endif
}
static inline f64_vs f64_clear(f64_vm m, f64_vs v) { return v & ~m; }
static inline f64_vc f64_widen(f64_vs v)
{
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}
static inline f64_vs f64_narrow(f64_vc v) { return f64_load(&v); }
static inline f64_vc f64_mul(f64_vc a, f64_vc b) { return a * b; }
static inline f64_vs f64_select(f64_vm m, f64_vs t, f64_vs f) { return (t & m) | (f & ~m); }

/* PReLU's eight partial sums, and its terms: exact binary64 products. */
typedef struct {
    double v[8];
} f32_acc;
static inline f32_acc f32_acc_load(const double *p)
{
    f32_acc a;
    memcpy(a.v, p, sizeof a.v);
    return a;
}
static inline void f32_acc_store(double *p, f32_acc a) { memcpy(p, a.v, sizeof a.v); }
static inline double f32_term(f32_vs x, f32_vs g) { return (double)u2f(x) * (double)u2f(g); }
static inline f32_acc f32_acc_add(f32_acc a, f32_vs x, f32_vs g, size_t l)
{
    a.v[l] += f32_term(x, g);
    return a;
}
static inline void f32_dacc(double *a0, double *a1, f32_vs x, f32_vs g)
{
    (void)a1;
    a0[0] += f32_term(x, g);
}
/* One sum (one lane). */
typedef double f32_lsum;
static inline f32_lsum f32_lsum_zero(void) { return 0.0; }
static inline f32_lsum f32_lsum_add(f32_lsum a, f32_vs x, f32_vs g) { return a + f32_term(x, g); }
static inline void f32_lsum_store(double *p, f32_lsum a) { *p = a; }
static inline f32_lsum f32_lsum_sum(f32_lsum a, f32_lsum b) { return a + b; }
/* One-term sums: +0 + v; whether a or b compares equal to zero. */
static inline f32_vc f32_add_zero(f32_vc v) { return v + 0.0f; }
static inline f32_vm f32_zero_either(f32_vs a, f32_vs b)
{
    return MASK32(u2f(a) == 0.0f) | MASK32(u2f(b) == 0.0f);
}

/* PReLU's blocks: lanes [0, r) of a, the others of b. With one lane, r is
 * always 0 (a block ends on a lane boundary): b. */
static inline f32_vc f32_alpha_split(f32_vc a, f32_vc b, size_t r)
{
    (void)a;
    (void)r;
    return b;
}

#define LRELU_PRELU
#define LRELU_T f32
#include "kernel_body.h"
#define LRELU_T f16
#include "kernel_body.h"
#define LRELU_T bf16
#include "kernel_body.h"
#define LRELU_T f64
#include "kernel_body.h"

/* Quantized int8 and uint8 (quant_body.h): the definition itself, in int32
 * arithmetic, with masks for the choice of multiplier and the clamp.
 * (>> of a negative int32 is an arithmetic shift with every compiler the
 * library supports; C leaves it to the implementation.) */
typedef struct {
    int32_t zx, mp, mn, bias;
} qc;
static inline qc qc_make(const struct lrelu_quant_params *p)
{
    return (qc){p->input_zero_point, p->positive_multiplier, p->negative_multiplier,
                p->output_zero_point * 256 + 128};
}
/* v clamped to [lo, hi], by masks. */
static inline int32_t clamp32(int32_t v, int32_t lo, int32_t hi)
{
    uint32_t below = MASK32(v < lo), above = MASK32(v > hi);
    OPAQUE(below);
    OPAQUE(above);
    const uint32_t u = sel32(below, (uint32_t)lo, (uint32_t)v);
    return (int32_t)sel32(above, (uint32_t)hi, u);
}
static inline int32_t quant_one(int32_t x, const qc *c, int32_t lo, int32_t hi)
{
    const int32_t d = x - c->zx;
    const int32_t m = (int32_t)sel32(MASK32(d >= 0), (uint32_t)c->mp, (uint32_t)c->mn);
    return clamp32((c->bias + d * m) >> 8, lo, hi);
}

typedef int8_t qs8_elem;
typedef int32_t qs8_vb;
enum { qs8_lanes = 1 };
static inline qs8_vb qs8_load(const int8_t *p) { return *p; }
static inline void qs8_store(int8_t *p, qs8_vb v) { *p = (int8_t)v; }
static inline qs8_vb qs8_fwd(qs8_vb x, const qc *c) { return quant_one(x, c, -128, 127); }

typedef uint8_t qu8_elem;
typedef int32_t qu8_vb;
enum { qu8_lanes = 1 };
static inline qu8_vb qu8_load(const uint8_t *p) { return *p; }
static inline void qu8_store(uint8_t *p, qu8_vb v) { *p = (uint8_t)v; }
static inline qu8_vb qu8_fwd(qu8_vb x, const qc *c) { return quant_one(x, c, 0, 255); }

#define LRELU_OWN_QFWD
#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_OWN_QFWD
#define LRELU_Q qu8
#include "quant_body.h"
