/*
 * NEON (AArch64 Advanced SIMD): unsigned compares on the bits, bit select,
 * tails in in-bounds pieces. float16 and bfloat16 convert with integer
 * arithmetic (FCVTN would round by the FPCR's mode).
 */
#include <simde/arm/neon.h>

#include "kernels.h"
#include "quant_ends.h"

#define LRELU_ISA neon
#define LRELU_NO_STREAM

typedef simde_uint32x4_t vu;

static inline vu u32(uint32_t v) { return simde_vdupq_n_u32(v); }
static inline vu bits(simde_float32x4_t v) { return simde_vreinterpretq_u32_f32(v); }
static inline simde_float32x4_t flt(vu v) { return simde_vreinterpretq_f32_u32(v); }

/*
 * Tails: the first b bytes at p (b = 0, 4, 8, 12 or 16) in the low lanes,
 * zero above, reading those bytes and no other; and the low b bytes of v
 * stored at p, writing those bytes and no other. In pieces of 8 and 4 bytes
 * moved through general registers, not through a buffer on the stack: a
 * vector load of a buffer just written in pieces cannot take its data from
 * those stores and waits until they reach the cache.
 */
static inline vu load_bytes(const void *p, size_t b)
{
    const unsigned char *c = p;
    if (b == 16)
        return simde_vreinterpretq_u32_u8(simde_vld1q_u8(c));
    if (b < 8)
        return b == 0 ? u32(0) : simde_vsetq_lane_u32(lrelu_get32(c), u32(0), 0);
    const vu lo =
        simde_vreinterpretq_u32_u64(simde_vsetq_lane_u64(lrelu_get64(c), simde_vdupq_n_u64(0), 0));
    return b == 8 ? lo : simde_vsetq_lane_u32(lrelu_get32(c + 8), lo, 2);
}

static inline void store_bytes(void *p, size_t b, vu v)
{
    unsigned char *c = p;
    if (b == 16) {
        simde_vst1q_u8(c, simde_vreinterpretq_u8_u32(v));
    } else if (b >= 8) {
        lrelu_put64(c, simde_vgetq_lane_u64(simde_vreinterpretq_u64_u32(v), 0));
        if (b == 12)
            lrelu_put32(c + 8, simde_vgetq_lane_u32(v, 2));
    } else if (b == 4) {
        lrelu_put32(c, simde_vgetq_lane_u32(v, 0));
    }
}

/* float32 */
typedef float f32_elem;
typedef simde_float32x4_t f32_vs, f32_vc;
typedef vu f32_vm;
enum { f32_lanes = 4 };
static inline f32_vc f32_alpha(double a) { return simde_vdupq_n_f32((float)a); }
static inline f32_vs f32_load(const float *p) { return simde_vld1q_f32(p); }
static inline void f32_store(float *p, f32_vs v) { simde_vst1q_f32(p, v); }
static inline f32_vs f32_load_part(const float *p, size_t k) { return flt(load_bytes(p, 4 * k)); }
static inline void f32_store_part(float *p, size_t k, f32_vs v) { store_bytes(p, 4 * k, bits(v)); }
static inline f32_vm f32_gt0(f32_vs x)
{
    return simde_vcltq_u32(simde_vsubq_u32(bits(x), u32(1)), u32(0x7f800000));
}
static inline f32_vs f32_clear(f32_vm m, f32_vs v) { return flt(simde_vbicq_u32(bits(v), m)); }
static inline f32_vc f32_widen(f32_vs v) { return v; }
static inline f32_vs f32_narrow(f32_vc v) { return v; }
static inline f32_vc f32_mul(f32_vc a, f32_vc b) { return simde_vmulq_f32(a, b); }
static inline f32_vs f32_select(f32_vm m, f32_vs t, f32_vs f) { return simde_vbslq_f32(m, t, f); }

/* float64 */
typedef double f64_elem;
typedef simde_float64x2_t f64_vs, f64_vc;
typedef simde_uint64x2_t f64_vm;
enum { f64_lanes = 2 };
static inline f64_vc f64_alpha(double a) { return simde_vdupq_n_f64(a); }
static inline f64_vs f64_load(const double *p) { return simde_vld1q_f64(p); }
static inline void f64_store(double *p, f64_vs v) { simde_vst1q_f64(p, v); }
static inline f64_vs f64_load_part(const double *p, size_t k)
{
    return simde_vreinterpretq_f64_u32(load_bytes(p, 8 * k));
}
static inline void f64_store_part(double *p, size_t k, f64_vs v)
{
    store_bytes(p, 8 * k, simde_vreinterpretq_u32_f64(v));
}
static inline f64_vm f64_gt0(f64_vs x)
{
    const simde_uint64x2_t b = simde_vreinterpretq_u64_f64(x);
    return simde_vcltq_u64(simde_vsubq_u64(b, simde_vdupq_n_u64(1)),
                           simde_vdupq_n_u64(0x7ff0000000000000u));
}
static inline f64_vs f64_clear(f64_vm m, f64_vs v)
{
    return simde_vreinterpretq_f64_u64(simde_vbicq_u64(simde_vreinterpretq_u64_f64(v), m));
}
static inline f64_vc f64_widen(f64_vs v) { return v; }
static inline f64_vs f64_narrow(f64_vc v) { return v; }
static inline f64_vc f64_mul(f64_vc a, f64_vc b) { return simde_vmulq_f64(a, b); }
static inline f64_vs f64_select(f64_vm m, f64_vs t, f64_vs f) { return simde_vbslq_f64(m, t, f); }

/* float16 and bfloat16: four elements in 64 bits, computed as four floats. */
typedef simde_uint16x4_t vh;
/* 16-bit lanes where 1 <= x <= inf, as unsigned bits. */
static inline vh gt0_16(vh x, uint16_t inf)
{
    return simde_vclt_u16(simde_vsub_u16(x, simde_vdup_n_u16(1)), simde_vdup_n_u16(inf));
}
/* 16-bit tails (k <= 4 elements): the even part as one 32-bit piece, an
 * odd last element on its own. */
static inline vh load_halves(const uint16_t *p, size_t k)
{
    const unsigned char *c = (const unsigned char *)p;
    if (k == 4)
        return simde_vld1_u16(p);
    vh v = simde_vdup_n_u16(0);
    if (k >= 2)
        v = simde_vreinterpret_u16_u32(simde_vset_lane_u32(lrelu_get32(c), simde_vdup_n_u32(0), 0));
    if (k == 1)
        v = simde_vset_lane_u16(p[0], v, 0);
    if (k == 3)
        v = simde_vset_lane_u16(p[2], v, 2);
    return v;
}
static inline void store_halves(uint16_t *p, size_t k, vh v)
{
    unsigned char *c = (unsigned char *)p;
    if (k == 4) {
        simde_vst1_u16(p, v);
        return;
    }
    if (k >= 2)
        lrelu_put32(c, simde_vget_lane_u32(simde_vreinterpret_u32_u16(v), 0));
    if (k == 1)
        p[0] = simde_vget_lane_u16(v, 0);
    if (k == 3)
        p[2] = simde_vget_lane_u16(v, 2);
}

typedef uint16_t f16_elem;
typedef vh f16_vs, f16_vm;
typedef simde_float32x4_t f16_vc;
enum { f16_lanes = 4 };
static inline f16_vc f16_alpha(double a) { return simde_vdupq_n_f32((float)a); }
static inline f16_vs f16_load(const uint16_t *p) { return simde_vld1_u16(p); }
static inline void f16_store(uint16_t *p, f16_vs v) { simde_vst1_u16(p, v); }
static inline f16_vs f16_load_part(const uint16_t *p, size_t k) { return load_halves(p, k); }
static inline void f16_store_part(uint16_t *p, size_t k, f16_vs v) { store_halves(p, k, v); }
static inline f16_vm f16_gt0(f16_vs x) { return gt0_16(x, 0x7c00); }
static inline f16_vs f16_clear(f16_vm m, f16_vs v) { return simde_vbic_u16(v, m); }
/* Rebiasing the bits, subnormals computed as m * 2^-24 (exact), as the
 * scalar kernel does. Not simde_vcvt_f32_f16: without the FP16 extension
 * (plain ARMv8.0, a Cortex-A72) SIMDe converts through the C compiler,
 * which turns +0 into -0 when rounding downwards, and loses NaN payloads
 * where it emulates NEON. */
static inline f16_vc f16_widen(f16_vs v)
{
    const vu h = simde_vmovl_u16(v);
    const vu e = simde_vandq_u32(h, u32(0x7c00)), m = simde_vandq_u32(h, u32(0x3ff));
    const vu normal =
        simde_vaddq_u32(simde_vshlq_n_u32(simde_vandq_u32(h, u32(0x7fff)), 13), u32(112u << 23));
    const vu special = simde_vorrq_u32(simde_vshlq_n_u32(m, 13), u32(0x7f800000));
    const vu sub = bits(simde_vmulq_f32(simde_vcvtq_f32_u32(m), simde_vdupq_n_f32(0x1p-24f)));
    const vu r = simde_vbslq_u32(simde_vceqq_u32(e, u32(0)), sub,
                                 simde_vbslq_u32(simde_vceqq_u32(e, u32(0x7c00)), special, normal));
    return flt(simde_vorrq_u32(r, simde_vshlq_n_u32(simde_vandq_u32(h, u32(0x8000)), 16)));
}
/* Round to nearest even with integer arithmetic, as the scalar kernel:
 * subnormal results are the significand shifted right by 126 - e. */
static inline f16_vs f16_narrow(f16_vc v)
{
    const vu u = bits(v), a = simde_vandq_u32(u, u32(0x7fffffff));
    const vu nan =
        simde_vorrq_u32(simde_vandq_u32(simde_vshrq_n_u32(a, 13), u32(0x3ff)), u32(0x7e00));
    const vu odd = simde_vandq_u32(simde_vshrq_n_u32(a, 13), u32(1));
    const vu normal =
        simde_vshrq_n_u32(simde_vaddq_u32(simde_vsubq_u32(a, u32(0x38000000 - 0xfff)), odd), 13);
    const vu e = simde_vminq_u32(simde_vmaxq_u32(simde_vshrq_n_u32(a, 23), u32(101)), u32(113));
    const simde_int32x4_t s = simde_vreinterpretq_s32_u32(simde_vsubq_u32(u32(126), e));
    const simde_int32x4_t neg_s = simde_vnegq_s32(s);
    const vu sig = simde_vorrq_u32(simde_vandq_u32(a, u32(0x7fffff)), u32(0x800000));
    const vu bias =
        simde_vsubq_u32(simde_vshlq_u32(u32(1), simde_vsubq_s32(s, simde_vdupq_n_s32(1))), u32(1));
    const vu sodd = simde_vandq_u32(simde_vshlq_u32(sig, neg_s), u32(1));
    const vu sub = simde_vshlq_u32(simde_vaddq_u32(simde_vaddq_u32(sig, bias), sodd), neg_s);
    const vu r = simde_vbslq_u32(
        simde_vcgtq_u32(a, u32(0x7f800000)), nan,
        simde_vbslq_u32(simde_vcgeq_u32(a, u32(0x47800000)), u32(0x7c00),
                        simde_vbslq_u32(simde_vcgeq_u32(a, u32(0x38800000)), normal, sub)));
    const vu sign = simde_vandq_u32(simde_vshrq_n_u32(u, 16), u32(0x8000));
    return simde_vmovn_u32(simde_vorrq_u32(r, sign));
}
static inline f16_vc f16_mul(f16_vc a, f16_vc b) { return simde_vmulq_f32(a, b); }
static inline f16_vs f16_select(f16_vm m, f16_vs t, f16_vs f) { return simde_vbsl_u16(m, t, f); }

typedef uint16_t bf16_elem;
typedef vh bf16_vs, bf16_vm;
typedef simde_float32x4_t bf16_vc;
enum { bf16_lanes = 4 };
static inline bf16_vc bf16_alpha(double a) { return simde_vdupq_n_f32((float)a); }
static inline bf16_vs bf16_load(const uint16_t *p) { return simde_vld1_u16(p); }
static inline void bf16_store(uint16_t *p, bf16_vs v) { simde_vst1_u16(p, v); }
static inline bf16_vs bf16_load_part(const uint16_t *p, size_t k) { return load_halves(p, k); }
static inline void bf16_store_part(uint16_t *p, size_t k, bf16_vs v) { store_halves(p, k, v); }
static inline bf16_vm bf16_gt0(bf16_vs x) { return gt0_16(x, 0x7f80); }
static inline bf16_vs bf16_clear(bf16_vm m, bf16_vs v) { return simde_vbic_u16(v, m); }
static inline bf16_vc bf16_widen(bf16_vs v)
{
    return flt(simde_vshlq_n_u32(simde_vmovl_u16(v), 16));
}
/* Round to nearest even on the integer bits, with no NaN test
 * (kernel_body.h: narrow's input is a product, whose NaN has a zero lower
 * half, so the increment of at most 0x8000 leaves its sign and payload top
 * as they are). */
static inline bf16_vs bf16_narrow(bf16_vc v)
{
    const vu u = bits(v);
    const vu odd = simde_vandq_u32(simde_vshrq_n_u32(u, 16), u32(1));
    return simde_vshrn_n_u32(simde_vaddq_u32(u, simde_vaddq_u32(odd, u32(0x7fff))), 16);
}
static inline bf16_vc bf16_mul(bf16_vc a, bf16_vc b) { return simde_vmulq_f32(a, b); }
static inline bf16_vs bf16_select(bf16_vm m, bf16_vs t, bf16_vs f)
{
    return simde_vbsl_u16(m, t, f);
}

/* PReLU's eight partial sums in four vectors of two, and its terms: exact
 * binary64 products of the low and the high two lanes. */
typedef struct {
    simde_float64x2_t v[4];
} f32_acc;
static inline f32_acc f32_acc_load(const double *p)
{
    f32_acc a;
    for (int i = 0; i < 4; i++)
        a.v[i] = simde_vld1q_f64(p + 2 * i);
    return a;
}
static inline void f32_acc_store(double *p, f32_acc a)
{
    for (int i = 0; i < 4; i++)
        simde_vst1q_f64(p + 2 * i, a.v[i]);
}
static inline simde_float64x2_t term_of(simde_float32x2_t x, simde_float32x2_t g)
{
    return simde_vmulq_f64(simde_vcvt_f64_f32(x), simde_vcvt_f64_f32(g));
}
static inline simde_float64x2_t term_lo(f32_vs x, f32_vs g)
{
    return term_of(simde_vget_low_f32(x), simde_vget_low_f32(g));
}
static inline simde_float64x2_t term_hi(f32_vs x, f32_vs g)
{
    return term_of(simde_vget_high_f32(x), simde_vget_high_f32(g));
}
static inline f32_acc f32_acc_add(f32_acc a, f32_vs x, f32_vs g, size_t l)
{
    a.v[l / 2] = simde_vaddq_f64(a.v[l / 2], term_lo(x, g));
    a.v[l / 2 + 1] = simde_vaddq_f64(a.v[l / 2 + 1], term_hi(x, g));
    return a;
}
static inline void f32_dacc(double *a0, double *a1, f32_vs x, f32_vs g)
{
    (void)a1;
    simde_vst1q_f64(a0, simde_vaddq_f64(simde_vld1q_f64(a0), term_lo(x, g)));
    simde_vst1q_f64(a0 + 2, simde_vaddq_f64(simde_vld1q_f64(a0 + 2), term_hi(x, g)));
}
/* Four sums, one a lane, in two registers. */
typedef struct {
    simde_float64x2_t lo, hi;
} f32_lsum;
static inline f32_lsum f32_lsum_zero(void)
{
    const f32_lsum a = {simde_vdupq_n_f64(0.0), simde_vdupq_n_f64(0.0)};
    return a;
}
static inline f32_lsum f32_lsum_add(f32_lsum a, f32_vs x, f32_vs g)
{
    a.lo = simde_vaddq_f64(a.lo, term_lo(x, g));
    a.hi = simde_vaddq_f64(a.hi, term_hi(x, g));
    return a;
}
static inline void f32_lsum_store(double *p, f32_lsum a)
{
    simde_vst1q_f64(p, a.lo);
    simde_vst1q_f64(p + 2, a.hi);
}
static inline f32_lsum f32_lsum_sum(f32_lsum a, f32_lsum b)
{
    a.lo = simde_vaddq_f64(a.lo, b.lo);
    a.hi = simde_vaddq_f64(a.hi, b.hi);
    return a;
}
/* One-term sums: +0 + v; lanes where a or b compares equal to zero. */
static inline f32_vc f32_add_zero(f32_vc v) { return simde_vaddq_f32(v, simde_vdupq_n_f32(0)); }
static inline f32_vm f32_zero_either(f32_vs a, f32_vs b)
{
    const f32_vs z = simde_vdupq_n_f32(0);
    return simde_vorrq_u32(simde_vceqq_f32(a, z), simde_vceqq_f32(b, z));
}

/* PReLU's blocks: lanes [0, r) of a, the others of b. */
static inline f32_vc f32_alpha_split(f32_vc a, f32_vc b, size_t r)
{
    static const uint32_t lane[4] = {0, 1, 2, 3};
    return simde_vbslq_f32(simde_vcltq_u32(simde_vld1q_u32(lane), simde_vdupq_n_u32((uint32_t)r)),
                           a, b);
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

/* Quantized int8 and uint8: the 16-bit form of quant_body.h, mulhrs being
 * SQRDMULH ((2ab + 2^15) >> 16, the same value; it saturates only for
 * -32768 * -32768, which a = -d * 128 never is). */
typedef simde_int16x8_t vw;
static inline vw w_set(int16_t v) { return simde_vdupq_n_s16(v); }
static inline vw w_sub(vw a, vw b) { return simde_vsubq_s16(a, b); }
static inline vw w_gt0(vw a)
{
    return simde_vreinterpretq_s16_u16(simde_vcgtq_s16(a, simde_vdupq_n_s16(0)));
}
static inline vw w_sel(vw m, vw t, vw f)
{
    return simde_vbslq_s16(simde_vreinterpretq_u16_s16(m), t, f);
}
static inline vw w_mulhrs(vw a, vw b) { return simde_vqrdmulhq_s16(a, b); }
static inline vw w_adds(vw a, vw b) { return simde_vqaddq_s16(a, b); }
#define LRELU_Q16

/* Parts: the first and the last bytes, in registers (quant_ends.h). */
static inline simde_uint8x16_t q_load_part(const void *p, size_t k)
{
    const struct lrelu_q_ends e = lrelu_q_ends_load(p, k);
    return simde_vcombine_u8(simde_vcreate_u8(e.lo), simde_vcreate_u8(e.hi));
}
static inline void q_store_part(void *p, size_t k, simde_uint8x16_t v)
{
    const simde_uint64x2_t w = simde_vreinterpretq_u64_u8(v);
    lrelu_q_ends_store(
        p, k, (struct lrelu_q_ends){simde_vgetq_lane_u64(w, 0), simde_vgetq_lane_u64(w, 1)});
}
#define LRELU_Q_PARTS

typedef int8_t qs8_elem;
typedef simde_int8x16_t qs8_vb;
enum { qs8_lanes = 16 };
static inline qs8_vb qs8_load(const int8_t *p) { return simde_vld1q_s8(p); }
static inline void qs8_store(int8_t *p, qs8_vb v) { simde_vst1q_s8(p, v); }
static inline qs8_vb qs8_load_part(const int8_t *p, size_t k)
{
    return simde_vreinterpretq_s8_u8(q_load_part(p, k));
}
static inline void qs8_store_part(int8_t *p, size_t k, qs8_vb v)
{
    q_store_part(p, k, simde_vreinterpretq_u8_s8(v));
}
/* Times 128 in one widening shift (SSHLL / USHLL). SIMDe 0.7's portable
 * vshll_n_s8 shifts a negative int left, undefined in C: there, widened
 * and multiplied. */
static inline vw s8_times128(simde_int8x8_t v)
{
#if defined(SIMDE_ARM_NEON_A32V7_NATIVE)
    return simde_vshll_n_s8(v, 7);
#else
    return simde_vmulq_n_s16(simde_vmovl_s8(v), 128);
#endif
}
static inline vw qs8_widen128_lo(qs8_vb v) { return s8_times128(simde_vget_low_s8(v)); }
static inline vw qs8_widen128_hi(qs8_vb v) { return s8_times128(simde_vget_high_s8(v)); }
static inline qs8_vb qs8_narrow(vw lo, vw hi)
{
    return simde_vcombine_s8(simde_vqmovn_s16(lo), simde_vqmovn_s16(hi));
}

typedef uint8_t qu8_elem;
typedef simde_uint8x16_t qu8_vb;
enum { qu8_lanes = 16 };
static inline qu8_vb qu8_load(const uint8_t *p) { return simde_vld1q_u8(p); }
static inline void qu8_store(uint8_t *p, qu8_vb v) { simde_vst1q_u8(p, v); }
static inline qu8_vb qu8_load_part(const uint8_t *p, size_t k) { return q_load_part(p, k); }
static inline void qu8_store_part(uint8_t *p, size_t k, qu8_vb v) { q_store_part(p, k, v); }
static inline vw qu8_widen128_lo(qu8_vb v)
{
    return simde_vreinterpretq_s16_u16(simde_vshll_n_u8(simde_vget_low_u8(v), 7));
}
static inline vw qu8_widen128_hi(qu8_vb v)
{
    return simde_vreinterpretq_s16_u16(simde_vshll_n_u8(simde_vget_high_u8(v), 7));
}
static inline qu8_vb qu8_narrow(vw lo, vw hi)
{
    return simde_vcombine_u8(simde_vqmovun_s16(lo), simde_vqmovun_s16(hi));
}

#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_Q qu8
#include "quant_body.h"
