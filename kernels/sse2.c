/*
 * SSE2: no blend instruction, so the select is and / andnot / or; the
 * compares are integer compares on the bits (64-bit ones built from 32-bit
 * halves); float16 and bfloat16 are converted with integer arithmetic;
 * tails in in-bounds pieces of 8, 4 and 2 bytes.
 */
#include <simde/x86/sse2.h>

#include "kernels.h"
#include "quant_ends.h"

#define LRELU_ISA sse2

typedef simde__m128i vi;

/*
 * Tails: the first b bytes at p (b = 0, 2, 4, 6, 8, 12 or 16: the parts of
 * every element type) in the low bytes, zero above, reading those bytes and
 * no other; and the low b bytes of v stored at p, writing those bytes and no
 * other. In pieces, not through a buffer on the stack: a vector load of a
 * buffer just written in pieces waits for the pieces to reach the cache
 * (about 10 ns a call on Zen 5).
 */
static inline vi load_bytes(const void *p, size_t b)
{
    const unsigned char *c = p;
    if (b == 16)
        return simde_mm_loadu_si128((const vi *)(const void *)c);
    if (b >= 8) {
        const vi lo = simde_mm_loadl_epi64((const vi *)(const void *)c);
        return b == 8 ? lo
                      : simde_mm_unpacklo_epi64(
                            lo, simde_mm_cvtsi32_si128((int32_t)lrelu_get32(c + 8)));
    }
    if (b == 0)
        return simde_mm_setzero_si128();
    if (b == 2)
        return simde_mm_cvtsi32_si128(lrelu_get16(c));
    const vi w = simde_mm_cvtsi32_si128((int32_t)lrelu_get32(c));
    if (b == 4)
        return w;
    /* b == 6: the third 16-bit element from the 4 bytes that end with it. */
    return simde_mm_unpacklo_epi32(w, simde_mm_cvtsi32_si128((int32_t)(lrelu_get32(c + 2) >> 16)));
}

static inline void store_bytes(void *p, size_t b, vi v)
{
    unsigned char *c = p;
    if (b == 16) {
        simde_mm_storeu_si128((vi *)(void *)c, v);
        return;
    }
    if (b >= 8) {
        simde_mm_storel_epi64((vi *)(void *)c, v);
        if (b == 12)
            lrelu_put32(c + 8, (uint32_t)simde_mm_cvtsi128_si32(simde_mm_srli_si128(v, 8)));
        return;
    }
    if (b == 0)
        return;
    if (b == 2) {
        lrelu_put16(c, (uint16_t)simde_mm_cvtsi128_si32(v));
        return;
    }
    lrelu_put32(c, (uint32_t)simde_mm_cvtsi128_si32(v));
    if (b == 6)
        lrelu_put16(c + 4, (uint16_t)simde_mm_extract_epi16(v, 2));
}

static inline vi i32(int32_t v) { return simde_mm_set1_epi32(v); }
static inline vi sel(vi m, vi t, vi f)
{
    return simde_mm_or_si128(simde_mm_and_si128(m, t), simde_mm_andnot_si128(m, f));
}
static inline void lrelu_fence(void) { simde_mm_sfence(); }

/* float32 */
typedef float f32_elem;
typedef simde__m128 f32_vs, f32_vc;
typedef vi f32_vm;
enum { f32_lanes = 4 };
static inline f32_vc f32_alpha(double a) { return simde_mm_set1_ps((float)a); }
static inline f32_vs f32_load(const float *p) { return simde_mm_loadu_ps(p); }
static inline void f32_store(float *p, f32_vs v) { simde_mm_storeu_ps(p, v); }
static inline void f32_stream(float *p, f32_vs v) { simde_mm_stream_ps(p, v); }
static inline f32_vs f32_load_part(const float *p, size_t k)
{
    return simde_mm_castsi128_ps(load_bytes(p, 4 * k));
}
static inline void f32_store_part(float *p, size_t k, f32_vs v)
{
    store_bytes(p, 4 * k, simde_mm_castps_si128(v));
}
/* Lanes where 1 <= x <= +inf as unsigned bits: x - 1 below the bits of
 * +inf, as a signed compare after adding 2^31 (x + 0x7fffffff). */
static inline f32_vm f32_gt0(f32_vs x)
{
    return simde_mm_cmpgt_epi32(i32(-0x800000),
                                simde_mm_add_epi32(simde_mm_castps_si128(x), i32(0x7fffffff)));
}
static inline f32_vs f32_clear(f32_vm m, f32_vs v)
{
    return simde_mm_andnot_ps(simde_mm_castsi128_ps(m), v);
}
static inline f32_vc f32_widen(f32_vs v) { return v; }
static inline f32_vs f32_narrow(f32_vc v) { return v; }
static inline f32_vc f32_mul(f32_vc a, f32_vc b) { return simde_mm_mul_ps(a, b); }
static inline f32_vs f32_select(f32_vm m, f32_vs t, f32_vs f)
{
    return simde_mm_castsi128_ps(sel(m, simde_mm_castps_si128(t), simde_mm_castps_si128(f)));
}

/* float64: x > 0 on the bits as 1 <= x <= 0x7ff0000000000000, from the
 * 32-bit halves (SSE2 has no 64-bit compare). */
typedef double f64_elem;
typedef simde__m128d f64_vs, f64_vc;
typedef vi f64_vm;
enum { f64_lanes = 2 };
static inline f64_vc f64_alpha(double a) { return simde_mm_set1_pd(a); }
static inline f64_vs f64_load(const double *p) { return simde_mm_loadu_pd(p); }
static inline void f64_store(double *p, f64_vs v) { simde_mm_storeu_pd(p, v); }
static inline void f64_stream(double *p, f64_vs v) { simde_mm_stream_pd(p, v); }
static inline f64_vs f64_load_part(const double *p, size_t k)
{
    return simde_mm_castsi128_pd(load_bytes(p, 8 * k));
}
static inline void f64_store_part(double *p, size_t k, f64_vs v)
{
    store_bytes(p, 8 * k, simde_mm_castpd_si128(v));
}
static inline f64_vm f64_gt0(f64_vs x)
{
    const vi b = simde_mm_castpd_si128(x);
    const vi zero = simde_mm_cmpeq_epi32(b, i32(0));
    const vi lo_zero = simde_mm_slli_epi64(zero, 32); /* low half == 0, in the high half */
    const vi pos =
        simde_mm_or_si128(simde_mm_cmpgt_epi32(b, i32(0)), simde_mm_andnot_si128(lo_zero, zero));
    const vi le_inf =
        simde_mm_or_si128(simde_mm_cmpgt_epi32(i32(0x7ff00000), b),
                          simde_mm_and_si128(simde_mm_cmpeq_epi32(b, i32(0x7ff00000)), lo_zero));
    return simde_mm_shuffle_epi32(simde_mm_and_si128(pos, le_inf), SIMDE_MM_SHUFFLE(3, 3, 1, 1));
}
static inline f64_vs f64_clear(f64_vm m, f64_vs v)
{
    return simde_mm_andnot_pd(simde_mm_castsi128_pd(m), v);
}
static inline f64_vc f64_widen(f64_vs v) { return v; }
static inline f64_vs f64_narrow(f64_vc v) { return v; }
static inline f64_vc f64_mul(f64_vc a, f64_vc b) { return simde_mm_mul_pd(a, b); }
static inline f64_vs f64_select(f64_vm m, f64_vs t, f64_vs f)
{
    return simde_mm_castsi128_pd(sel(m, simde_mm_castpd_si128(t), simde_mm_castpd_si128(f)));
}

/* float16 and bfloat16: four elements in the low 64 bits, computed as four
 * floats. (The streaming variant stores them through the cache.) */
static inline vi load4(const uint16_t *p)
{
    return simde_mm_loadl_epi64((const vi *)(const void *)p);
}
static inline void store4(uint16_t *p, vi v) { simde_mm_storel_epi64((vi *)(void *)p, v); }
/* 16-bit lanes where 1 <= x <= inf (as unsigned bits, sign clear): x - 1
 * below inf as unsigned, a signed compare after adding 0x7fff. */
static inline vi gt0_16(vi x, uint16_t inf)
{
    return simde_mm_cmpgt_epi16(simde_mm_set1_epi16((int16_t)(uint16_t)(inf + 0x8000u)),
                                simde_mm_add_epi16(x, simde_mm_set1_epi16(0x7fff)));
}
/* Four 32-bit lanes holding 16-bit codes -> packed in the low 64 bits. */
static inline vi pack16(vi v)
{
    v = simde_mm_srai_epi32(simde_mm_slli_epi32(v, 16), 16);
    return simde_mm_packs_epi32(v, v);
}

typedef uint16_t bf16_elem;
typedef vi bf16_vs, bf16_vm;
typedef simde__m128 bf16_vc;
enum { bf16_lanes = 4 };
static inline bf16_vc bf16_alpha(double a) { return simde_mm_set1_ps((float)a); }
static inline bf16_vs bf16_load(const uint16_t *p) { return load4(p); }
static inline void bf16_store(uint16_t *p, bf16_vs v) { store4(p, v); }
static inline void bf16_stream(uint16_t *p, bf16_vs v) { store4(p, v); }
static inline bf16_vs bf16_load_part(const uint16_t *p, size_t k) { return load_bytes(p, 2 * k); }
static inline void bf16_store_part(uint16_t *p, size_t k, bf16_vs v) { store_bytes(p, 2 * k, v); }
static inline bf16_vm bf16_gt0(bf16_vs x) { return gt0_16(x, 0x7f80); }
static inline bf16_vs bf16_clear(bf16_vm m, bf16_vs v) { return simde_mm_andnot_si128(m, v); }
static inline bf16_vc bf16_widen(bf16_vs v)
{
    return simde_mm_castsi128_ps(simde_mm_unpacklo_epi16(simde_mm_setzero_si128(), v));
}
/* Round to nearest even on the integer bits, with no NaN test
 * (kernel_body.h: narrow's input is a product, whose NaN has a zero lower
 * half, so the increment of at most 0x8000 leaves its sign and payload top
 * as they are). */
static inline bf16_vs bf16_narrow(bf16_vc v)
{
    const vi u = simde_mm_castps_si128(v);
    const vi odd = simde_mm_and_si128(simde_mm_srli_epi32(u, 16), i32(1));
    return pack16(
        simde_mm_srli_epi32(simde_mm_add_epi32(u, simde_mm_add_epi32(odd, i32(0x7fff))), 16));
}
static inline bf16_vc bf16_mul(bf16_vc a, bf16_vc b) { return simde_mm_mul_ps(a, b); }
static inline bf16_vs bf16_select(bf16_vm m, bf16_vs t, bf16_vs f) { return sel(m, t, f); }

typedef uint16_t f16_elem;
typedef vi f16_vs, f16_vm;
typedef simde__m128 f16_vc;
enum { f16_lanes = 4 };
static inline f16_vc f16_alpha(double a) { return simde_mm_set1_ps((float)a); }
static inline f16_vs f16_load(const uint16_t *p) { return load4(p); }
static inline void f16_store(uint16_t *p, f16_vs v) { store4(p, v); }
static inline void f16_stream(uint16_t *p, f16_vs v) { store4(p, v); }
static inline f16_vs f16_load_part(const uint16_t *p, size_t k) { return load_bytes(p, 2 * k); }
static inline void f16_store_part(uint16_t *p, size_t k, f16_vs v) { store_bytes(p, 2 * k, v); }
static inline f16_vm f16_gt0(f16_vs x) { return gt0_16(x, 0x7c00); }
static inline f16_vs f16_clear(f16_vm m, f16_vs v) { return simde_mm_andnot_si128(m, v); }
/* Exact: normal and special codes by rebiasing the bits, subnormals as
 * m * 2^-24 (an exact conversion and an exact multiply). */
static inline f16_vc f16_widen(f16_vs v)
{
    const vi h = simde_mm_unpacklo_epi16(v, simde_mm_setzero_si128());
    const vi e = simde_mm_and_si128(h, i32(0x7c00)), m = simde_mm_and_si128(h, i32(0x3ff));
    const vi normal = simde_mm_add_epi32(
        simde_mm_slli_epi32(simde_mm_and_si128(h, i32(0x7fff)), 13), i32(112 << 23));
    const vi special = simde_mm_or_si128(simde_mm_slli_epi32(m, 13), i32(0x7f800000));
    const vi sub =
        simde_mm_castps_si128(simde_mm_mul_ps(simde_mm_cvtepi32_ps(m), simde_mm_set1_ps(0x1p-24f)));
    const vi r = sel(simde_mm_cmpeq_epi32(e, i32(0)), sub,
                     sel(simde_mm_cmpeq_epi32(e, i32(0x7c00)), special, normal));
    const vi sign = simde_mm_slli_epi32(simde_mm_and_si128(h, i32(0x8000)), 16);
    return simde_mm_castsi128_ps(simde_mm_or_si128(r, sign));
}
/* RNE(p >> 25) of 64-bit lanes. */
static inline vi rne25(vi p)
{
    const vi odd = simde_mm_and_si128(simde_mm_srli_epi64(p, 25), simde_mm_set_epi32(0, 1, 0, 1));
    const vi bias = simde_mm_set_epi32(0, 0xffffff, 0, 0xffffff);
    return simde_mm_srli_epi64(simde_mm_add_epi64(simde_mm_add_epi64(p, bias), odd), 25);
}
/* Round to nearest even, whatever the rounding mode, with integer
 * arithmetic. Subnormal results are the significand times 2^(e - 126),
 * rounded: SSE2 has no per-lane shift, so the significand is multiplied by
 * 2^k (k = e - 101 clamped to 0..12, made exactly by converting the float
 * 2^k) and the 64-bit product shifted right by 25. */
static inline f16_vs f16_narrow(f16_vc v)
{
    const vi u = simde_mm_castps_si128(v);
    const vi a = simde_mm_and_si128(u, i32(0x7fffffff));
    const vi nan =
        simde_mm_or_si128(simde_mm_and_si128(simde_mm_srli_epi32(a, 13), i32(0x3ff)), i32(0x7e00));
    const vi odd = simde_mm_and_si128(simde_mm_srli_epi32(a, 13), i32(1));
    const vi normal = simde_mm_srli_epi32(
        simde_mm_add_epi32(simde_mm_sub_epi32(a, i32(0x38000000 - 0xfff)), odd), 13);
    vi e = simde_mm_srli_epi32(a, 23);
    e = sel(simde_mm_cmpgt_epi32(i32(101), e), i32(101),
            sel(simde_mm_cmpgt_epi32(e, i32(113)), i32(113), e));
    const vi pow = simde_mm_cvttps_epi32(
        simde_mm_castsi128_ps(simde_mm_slli_epi32(simde_mm_add_epi32(e, i32(127 - 101)), 23)));
    const vi sig = simde_mm_or_si128(simde_mm_and_si128(a, i32(0x7fffff)), i32(0x800000));
    const vi even = rne25(simde_mm_mul_epu32(sig, pow));
    const vi oddl =
        rne25(simde_mm_mul_epu32(simde_mm_srli_epi64(sig, 32), simde_mm_srli_epi64(pow, 32)));
    const vi sub = simde_mm_or_si128(even, simde_mm_slli_epi64(oddl, 32));
    const vi r = sel(simde_mm_cmpgt_epi32(a, i32(0x7f800000)), nan,
                     sel(simde_mm_cmpgt_epi32(a, i32(0x477fffff)), i32(0x7c00),
                         sel(simde_mm_cmpgt_epi32(a, i32(0x387fffff)), normal, sub)));
    const vi sign = simde_mm_and_si128(simde_mm_srli_epi32(u, 16), i32(0x8000));
    return pack16(simde_mm_or_si128(r, sign));
}
static inline f16_vc f16_mul(f16_vc a, f16_vc b) { return simde_mm_mul_ps(a, b); }
static inline f16_vs f16_select(f16_vm m, f16_vs t, f16_vs f) { return sel(m, t, f); }

/* PReLU's eight partial sums in four vectors of two, and its terms: exact
 * binary64 products of the low and the high two lanes. */
typedef struct {
    simde__m128d v[4];
} f32_acc;
static inline f32_acc f32_acc_load(const double *p)
{
    f32_acc a;
    for (int i = 0; i < 4; i++)
        a.v[i] = simde_mm_loadu_pd(p + 2 * i);
    return a;
}
static inline void f32_acc_store(double *p, f32_acc a)
{
    for (int i = 0; i < 4; i++)
        simde_mm_storeu_pd(p + 2 * i, a.v[i]);
}
static inline simde__m128d term_lo(f32_vs x, f32_vs g)
{
    return simde_mm_mul_pd(simde_mm_cvtps_pd(x), simde_mm_cvtps_pd(g));
}
static inline simde__m128d term_hi(f32_vs x, f32_vs g)
{
    return term_lo(simde_mm_movehl_ps(x, x), simde_mm_movehl_ps(g, g));
}
static inline f32_acc f32_acc_add(f32_acc a, f32_vs x, f32_vs g, size_t l)
{
    a.v[l / 2] = simde_mm_add_pd(a.v[l / 2], term_lo(x, g));
    a.v[l / 2 + 1] = simde_mm_add_pd(a.v[l / 2 + 1], term_hi(x, g));
    return a;
}
static inline void f32_dacc(double *a0, double *a1, f32_vs x, f32_vs g)
{
    (void)a1;
    simde_mm_storeu_pd(a0, simde_mm_add_pd(simde_mm_loadu_pd(a0), term_lo(x, g)));
    simde_mm_storeu_pd(a0 + 2, simde_mm_add_pd(simde_mm_loadu_pd(a0 + 2), term_hi(x, g)));
}
/* Four sums, one a lane, in two registers. */
typedef struct {
    simde__m128d lo, hi;
} f32_lsum;
static inline f32_lsum f32_lsum_zero(void)
{
    const f32_lsum a = {simde_mm_setzero_pd(), simde_mm_setzero_pd()};
    return a;
}
static inline f32_lsum f32_lsum_add(f32_lsum a, f32_vs x, f32_vs g)
{
    a.lo = simde_mm_add_pd(a.lo, term_lo(x, g));
    a.hi = simde_mm_add_pd(a.hi, term_hi(x, g));
    return a;
}
static inline void f32_lsum_store(double *p, f32_lsum a)
{
    simde_mm_storeu_pd(p, a.lo);
    simde_mm_storeu_pd(p + 2, a.hi);
}
static inline f32_lsum f32_lsum_sum(f32_lsum a, f32_lsum b)
{
    a.lo = simde_mm_add_pd(a.lo, b.lo);
    a.hi = simde_mm_add_pd(a.hi, b.hi);
    return a;
}
/* One-term sums: +0 + v; lanes where a or b compares equal to zero. */
static inline f32_vc f32_add_zero(f32_vc v) { return simde_mm_add_ps(v, simde_mm_setzero_ps()); }
static inline f32_vm f32_zero_either(f32_vs a, f32_vs b)
{
    const simde__m128 z = simde_mm_setzero_ps();
    return simde_mm_castps_si128(simde_mm_or_ps(simde_mm_cmpeq_ps(a, z), simde_mm_cmpeq_ps(b, z)));
}

/* PReLU's blocks: lanes [0, r) of a, the others of b. */
static inline f32_vc f32_alpha_split(f32_vc a, f32_vc b, size_t r)
{
    const simde__m128 below = simde_mm_castsi128_ps(
        simde_mm_cmpgt_epi32(simde_mm_set1_epi32((int32_t)r), simde_mm_setr_epi32(0, 1, 2, 3)));
    return simde_mm_or_ps(simde_mm_and_ps(below, a), simde_mm_andnot_ps(below, b));
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

/* Quantized int8 and uint8: the 16-bit form of quant_body.h. SSE2 has no
 * PMULHRSW (SSSE3): from the high and low halves of the product,
 * (p + 2^14) >> 15 = 2 * hi + ((lo >> 14) + 1) >> 1 with lo unsigned, the
 * last term an average with zero. */
typedef vi vw;
static inline vw w_set(int16_t v) { return simde_mm_set1_epi16(v); }
static inline vw w_sub(vw a, vw b) { return simde_mm_sub_epi16(a, b); }
static inline vw w_gt0(vw a) { return simde_mm_cmpgt_epi16(a, simde_mm_setzero_si128()); }
static inline vw w_sel(vw m, vw t, vw f) { return sel(m, t, f); }
static inline vw w_mulhrs(vw a, vw b)
{
    const vw hi = simde_mm_mulhi_epi16(a, b), lo = simde_mm_mullo_epi16(a, b);
    const vw r = simde_mm_avg_epu16(simde_mm_srli_epi16(lo, 14), simde_mm_setzero_si128());
    return simde_mm_add_epi16(simde_mm_add_epi16(hi, hi), r);
}
static inline vw w_adds(vw a, vw b) { return simde_mm_adds_epi16(a, b); }
#define LRELU_Q16

/* Parts: the first and the last bytes, in registers (quant_ends.h). */
static inline vi q_load_part(const void *p, size_t k)
{
    return lrelu_q_ends_to_m128(lrelu_q_ends_load(p, k));
}
static inline void q_store_part(void *p, size_t k, vi v)
{
    lrelu_q_ends_store(p, k, lrelu_q_ends_of_m128(v));
}
#define LRELU_Q_PARTS

typedef int8_t qs8_elem;
typedef vi qs8_vb;
enum { qs8_lanes = 16 };
static inline qs8_vb qs8_load(const int8_t *p)
{
    return simde_mm_loadu_si128((const vi *)(const void *)p);
}
static inline void qs8_store(int8_t *p, qs8_vb v) { simde_mm_storeu_si128((vi *)(void *)p, v); }
static inline qs8_vb qs8_load_part(const int8_t *p, size_t k) { return q_load_part(p, k); }
static inline void qs8_store_part(int8_t *p, size_t k, qs8_vb v) { q_store_part(p, k, v); }
/* Times 128: each byte in the upper half of a 16-bit lane (x * 256),
 * shifted down by one, arithmetically for int8. */
static inline vw q_lo128(vi v) { return simde_mm_unpacklo_epi8(simde_mm_setzero_si128(), v); }
static inline vw q_hi128(vi v) { return simde_mm_unpackhi_epi8(simde_mm_setzero_si128(), v); }
static inline vw qs8_widen128_lo(qs8_vb v) { return simde_mm_srai_epi16(q_lo128(v), 1); }
static inline vw qs8_widen128_hi(qs8_vb v) { return simde_mm_srai_epi16(q_hi128(v), 1); }
static inline qs8_vb qs8_narrow(vw lo, vw hi) { return simde_mm_packs_epi16(lo, hi); }

typedef uint8_t qu8_elem;
typedef vi qu8_vb;
enum { qu8_lanes = 16 };
static inline qu8_vb qu8_load(const uint8_t *p)
{
    return simde_mm_loadu_si128((const vi *)(const void *)p);
}
static inline void qu8_store(uint8_t *p, qu8_vb v) { simde_mm_storeu_si128((vi *)(void *)p, v); }
static inline qu8_vb qu8_load_part(const uint8_t *p, size_t k) { return q_load_part(p, k); }
static inline void qu8_store_part(uint8_t *p, size_t k, qu8_vb v) { q_store_part(p, k, v); }
static inline vw qu8_widen128_lo(qu8_vb v) { return simde_mm_srli_epi16(q_lo128(v), 1); }
static inline vw qu8_widen128_hi(qu8_vb v) { return simde_mm_srli_epi16(q_hi128(v), 1); }
static inline qu8_vb qu8_narrow(vw lo, vw hi) { return simde_mm_packus_epi16(lo, hi); }

#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_Q qu8
#include "quant_body.h"
