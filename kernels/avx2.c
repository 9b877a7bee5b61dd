/*
 * AVX2: integer compares on the bits, blendv, tails from overlapping
 * in-bounds pieces (16-bit ones with an odd last element on its own),
 * float16 (eight elements a vector) converted with F16C from 32 elements
 * on, apart from the multiply (below), and with integer arithmetic
 * (half_avx2.h) in shorter calls, bfloat16 (sixteen) with integer
 * arithmetic.
 */
#include <simde/x86/avx2.h>

#include "half_avx2.h"
#include "kernels.h"

#define LRELU_ISA avx2

typedef simde__m256i vi;

/* The tails' helpers and float16's conversions, inlined by force: the
 * float16 blocks (kernel_body.h's LRELU_NARROW_APART) make this file large
 * enough that gcc would otherwise call them out of line, in every type's
 * tails. */
#define LRELU_AVX2_INLINE static inline __attribute__((always_inline))

static inline vi i32(int32_t v) { return simde_mm256_set1_epi32(v); }
static inline void lrelu_fence(void) { simde_mm_sfence(); }

static inline vi lane_index(void) { return simde_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }

/*
 * Tails: the first b bytes at p (4 <= b <= 32, a multiple of 4) in the low
 * lanes, zero above, reading those bytes and no other; and the low b bytes
 * of v stored at p, writing those bytes and no other. No VMASKMOV: whether
 * a masked-off element of it can fault is implementation dependent (AMD's
 * manual says so; qemu 7.2 reads the whole vector and faults at a page
 * boundary). Instead two loads or stores that overlap each other but not
 * the outside: 16 bytes at each end of the span (8 bytes each for spans
 * shorter than 16), their lanes moved into place with one permute.
 */
LRELU_AVX2_INLINE vi load_bytes(const void *p, size_t b)
{
    const unsigned char *c = p;
    const int32_t m = (int32_t)(b / 4);
    if (b == 32)
        return simde_mm256_loadu_si256((const vi *)(const void *)c);
    const vi lane = lane_index();
    vi v;
    int32_t h;
    if (b >= 16) {
        v = simde_mm256_setr_m128i(
            simde_mm_loadu_si128((const simde__m128i *)(const void *)c),
            simde_mm_loadu_si128((const simde__m128i *)(const void *)(c + b - 16)));
        h = 4;
    } else if (b >= 8) {
        v = simde_mm256_zextsi128_si256(simde_mm_unpacklo_epi64(
            simde_mm_loadl_epi64((const simde__m128i *)(const void *)c),
            simde_mm_loadl_epi64((const simde__m128i *)(const void *)(c + b - 8))));
        h = 2;
    } else {
        return simde_mm256_zextsi128_si256(simde_mm_cvtsi32_si128((int32_t)lrelu_get32(c)));
    }
    /* Lane j >= h holds element j + m - 2h: move it to lane j, then clear
     * the lanes from m up. */
    const vi hi = simde_mm256_cmpgt_epi32(lane, i32(h - 1));
    const vi idx = simde_mm256_add_epi32(lane, simde_mm256_and_si256(hi, i32(2 * h - m)));
    return simde_mm256_and_si256(simde_mm256_permutevar8x32_epi32(v, idx),
                                 simde_mm256_cmpgt_epi32(i32(m), lane));
}

LRELU_AVX2_INLINE void store_bytes(void *p, size_t b, vi v)
{
    unsigned char *c = p;
    const int32_t m = (int32_t)(b / 4);
    if (b == 32) {
        simde_mm256_storeu_si256((vi *)(void *)c, v);
        return;
    }
    /* The lanes of the span's last 16 (8) bytes, from lane m - 4 (m - 2). */
    if (b >= 16) {
        const vi end =
            simde_mm256_permutevar8x32_epi32(v, simde_mm256_add_epi32(lane_index(), i32(m - 4)));
        simde_mm_storeu_si128((simde__m128i *)(void *)c, simde_mm256_castsi256_si128(v));
        simde_mm_storeu_si128((simde__m128i *)(void *)(c + b - 16),
                              simde_mm256_castsi256_si128(end));
    } else if (b >= 8) {
        const vi end =
            simde_mm256_permutevar8x32_epi32(v, simde_mm256_add_epi32(lane_index(), i32(m - 2)));
        simde_mm_storel_epi64((simde__m128i *)(void *)c, simde_mm256_castsi256_si128(v));
        simde_mm_storel_epi64((simde__m128i *)(void *)(c + b - 8),
                              simde_mm256_castsi256_si128(end));
    } else {
        lrelu_put32(c, (uint32_t)simde_mm_cvtsi128_si32(simde_mm256_castsi256_si128(v)));
    }
}

/* 16-bit tails (1 <= k <= 16 elements): the even part as bytes, as above,
 * and an odd last element on its own, broadcast from memory into its lane
 * or stored from a copy of the vector. Not the whole tail through a buffer
 * on the stack: a vector load of a buffer just written in pieces waits for
 * the pieces to reach the cache (about 14 ns a call on Zen 5). */
LRELU_AVX2_INLINE vi load_halves(const uint16_t *p, size_t k)
{
    const size_t even = k & ~(size_t)1;
    vi v = even != 0 ? load_bytes(p, 2 * even) : simde_mm256_setzero_si256();
    if (k & 1) {
        const vi lane =
            simde_mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        const vi at = simde_mm256_cmpeq_epi16(lane, simde_mm256_set1_epi16((int16_t)(k - 1)));
        v = simde_mm256_blendv_epi8(v, simde_mm256_set1_epi16((int16_t)p[k - 1]), at);
    }
    return v;
}

LRELU_AVX2_INLINE void store_halves(uint16_t *p, size_t k, vi v)
{
    const size_t even = k & ~(size_t)1;
    if (even != 0)
        store_bytes(p, 2 * even, v);
    if (k & 1) {
        uint16_t b[16];
        simde_mm256_storeu_si256((vi *)(void *)b, v);
        p[k - 1] = b[k - 1];
    }
}

/* float32 */
typedef float f32_elem;
typedef simde__m256 f32_vs, f32_vc;
typedef vi f32_vm;
enum { f32_lanes = 8 };
static inline f32_vc f32_alpha(double a) { return simde_mm256_set1_ps((float)a); }
static inline f32_vs f32_load(const float *p) { return simde_mm256_loadu_ps(p); }
static inline void f32_store(float *p, f32_vs v) { simde_mm256_storeu_ps(p, v); }
static inline void f32_stream(float *p, f32_vs v) { simde_mm256_stream_ps(p, v); }
static inline f32_vs f32_load_part(const float *p, size_t k)
{
    return simde_mm256_castsi256_ps(load_bytes(p, 4 * k));
}
static inline void f32_store_part(float *p, size_t k, f32_vs v)
{
    store_bytes(p, 4 * k, simde_mm256_castps_si256(v));
}
/* Lanes where 1 <= x <= +inf as unsigned bits: x - 1 below the bits of
 * +inf, as a signed compare after adding 2^31 (x + 0x7fffffff). */
static inline f32_vm f32_gt0(f32_vs x)
{
    return simde_mm256_cmpgt_epi32(
        i32(-0x800000), simde_mm256_add_epi32(simde_mm256_castps_si256(x), i32(0x7fffffff)));
}
static inline f32_vs f32_clear(f32_vm m, f32_vs v)
{
    return simde_mm256_andnot_ps(simde_mm256_castsi256_ps(m), v);
}
static inline f32_vc f32_widen(f32_vs v) { return v; }
static inline f32_vs f32_narrow(f32_vc v) { return v; }
static inline f32_vc f32_mul(f32_vc a, f32_vc b) { return simde_mm256_mul_ps(a, b); }
static inline f32_vs f32_select(f32_vm m, f32_vs t, f32_vs f)
{
    return simde_mm256_blendv_ps(f, t, simde_mm256_castsi256_ps(m));
}

/* float64 */
typedef double f64_elem;
typedef simde__m256d f64_vs, f64_vc;
typedef vi f64_vm;
enum { f64_lanes = 4 };
static inline f64_vc f64_alpha(double a) { return simde_mm256_set1_pd(a); }
static inline f64_vs f64_load(const double *p) { return simde_mm256_loadu_pd(p); }
static inline void f64_store(double *p, f64_vs v) { simde_mm256_storeu_pd(p, v); }
static inline void f64_stream(double *p, f64_vs v) { simde_mm256_stream_pd(p, v); }
static inline f64_vs f64_load_part(const double *p, size_t k)
{
    return simde_mm256_castsi256_pd(load_bytes(p, 8 * k));
}
static inline void f64_store_part(double *p, size_t k, f64_vs v)
{
    store_bytes(p, 8 * k, simde_mm256_castpd_si256(v));
}
/* The same on 64-bit lanes (x + INT64_MAX). */
static inline f64_vm f64_gt0(f64_vs x)
{
    return simde_mm256_cmpgt_epi64(
        simde_mm256_set1_epi64x(-0x10000000000000),
        simde_mm256_add_epi64(simde_mm256_castpd_si256(x), simde_mm256_set1_epi64x(INT64_MAX)));
}
static inline f64_vs f64_clear(f64_vm m, f64_vs v)
{
    return simde_mm256_andnot_pd(simde_mm256_castsi256_pd(m), v);
}
static inline f64_vc f64_widen(f64_vs v) { return v; }
static inline f64_vs f64_narrow(f64_vc v) { return v; }
static inline f64_vc f64_mul(f64_vc a, f64_vc b) { return simde_mm256_mul_pd(a, b); }
static inline f64_vs f64_select(f64_vm m, f64_vs t, f64_vs f)
{
    return simde_mm256_blendv_pd(f, t, simde_mm256_castsi256_pd(m));
}

/* float16 and bfloat16: eight elements in 128 bits, computed as eight
 * floats. */
typedef simde__m128i vh;
static inline vh load8(const uint16_t *p)
{
    return simde_mm_loadu_si128((const vh *)(const void *)p);
}
static inline void store8(uint16_t *p, vh v) { simde_mm_storeu_si128((vh *)(void *)p, v); }
static inline void stream8(uint16_t *p, vh v) { simde_mm_stream_si128((vh *)(void *)p, v); }
LRELU_AVX2_INLINE vh load8_part(const uint16_t *p, size_t k)
{
    return simde_mm256_castsi256_si128(load_halves(p, k));
}
LRELU_AVX2_INLINE void store8_part(uint16_t *p, size_t k, vh v)
{
    store_halves(p, k, simde_mm256_zextsi128_si256(v));
}
/* 16-bit lanes where 1 <= x <= inf (as unsigned bits, sign clear): x - 1
 * below inf as unsigned, a signed compare after adding 0x7fff. */
static inline vh gt0_16(vh x, uint16_t inf)
{
    return simde_mm_cmpgt_epi16(simde_mm_set1_epi16((int16_t)(uint16_t)(inf + 0x8000u)),
                                simde_mm_add_epi16(x, simde_mm_set1_epi16(0x7fff)));
}
static inline vh sel16(vh m, vh t, vh f) { return simde_mm_blendv_epi8(f, t, m); }

typedef uint16_t f16_elem;
typedef vh f16_vs, f16_vm;
typedef simde__m256 f16_vc;
enum { f16_lanes = 8 };
static inline f16_vc f16_alpha(double a) { return simde_mm256_set1_ps((float)a); }
static inline f16_vs f16_load(const uint16_t *p) { return load8(p); }
static inline void f16_store(uint16_t *p, f16_vs v) { store8(p, v); }
static inline void f16_stream(uint16_t *p, f16_vs v) { stream8(p, v); }
LRELU_AVX2_INLINE f16_vs f16_load_part(const uint16_t *p, size_t k) { return load8_part(p, k); }
LRELU_AVX2_INLINE void f16_store_part(uint16_t *p, size_t k, f16_vs v) { store8_part(p, k, v); }
static inline f16_vm f16_gt0(f16_vs x) { return gt0_16(x, 0x7c00); }
static inline f16_vs f16_clear(f16_vm m, f16_vs v) { return simde_mm_andnot_si128(m, v); }
/* The conversions. Short calls narrow with integer arithmetic (half_avx2.h),
 * as the scalar kernel does, and widen so too under DAZ. Otherwise
 * (kernel_body.h's LRELU_NARROW_APART) vcvtph2ps widens in the caller's
 * environment, and from LRELU_APART_MIN elements on vcvtps2ph narrows a
 * block's products afterwards, with every exception masked and its flags
 * discarded: it is exact, but raises overflow, underflow and inexact of
 * its own, which the contract leaves to the multiply alone.
 * The two switches of MXCSR cost about 10 ns a block (LDMXCSR, Zen 5
 * VM), which the integer narrowing outweighs from some 32 elements. */
LRELU_AVX2_INLINE f16_vc f16_widen(f16_vs v) { return half8_widen(v); }
LRELU_AVX2_INLINE f16_vs f16_narrow(f16_vc v) { return half8_narrow(v); }
#if defined(SIMDE_X86_F16C_NATIVE) && defined(__GNUC__)
#define LRELU_F16_APART
#define LRELU_APART_MIN 32
static inline void f16_vc_store(float *p, f16_vc v) { simde_mm256_storeu_ps(p, v); }
static inline f16_vc f16_vc_load(const float *p) { return simde_mm256_loadu_ps(p); }
/* F16C's widening, exact but for a signalling NaN, which it quiets raising
 * invalid, the multiply's exception on it (so the flags and traps stay
 * the multiply's); it raises no other (not the denormal operand for a
 * subnormal input, measured on Zen 5), and ignores DAZ there, but qemu
 * 7.2's flushes subnormal inputs under DAZ: not used when DAZ is set.
 * F16C's own intrinsics: SIMDe 0.7's narrowing passes on only the
 * exception bit of its rounding argument. */
static inline f16_vc f16_widen_fast(f16_vs v) { return _mm256_cvtph_ps(v); }
static inline int f16_widen_fast_ok(void)
{
    unsigned s;
    __asm__ volatile("stmxcsr %0" : "=m"(s));
    return !(s & 0x40);
}
static inline f16_vs f16_narrow_clean(f16_vc v)
{
    return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT);
}
/* MXCSR through inline assembly whose memory clobber keeps the products'
 * stores before the switch and the narrowing's loads after it. */
static inline unsigned f16_narrow_begin(void)
{
    unsigned s;
    const unsigned clean = 0x1f80; /* every exception masked, to nearest, no FTZ or DAZ */
    __asm__ volatile("stmxcsr %0" : "=m"(s) : : "memory");
    __asm__ volatile("ldmxcsr %0" : : "m"(clean) : "memory");
    return s;
}
static inline void f16_narrow_end(unsigned s)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(s) : "memory");
}
#endif
static inline f16_vc f16_mul(f16_vc a, f16_vc b) { return simde_mm256_mul_ps(a, b); }
static inline f16_vs f16_select(f16_vm m, f16_vs t, f16_vs f) { return sel16(m, t, f); }

/* bfloat16: sixteen elements in 256 bits, computed as two vectors of eight
 * floats. Widening interleaves each 128-bit lane's 16-bit codes with zeros
 * (lo: elements 0-3 and 8-11, hi: 4-7 and 12-15), and narrowing's
 * saturating pack, also per 128-bit lane, puts them back in order. */
typedef uint16_t bf16_elem;
typedef vi bf16_vs, bf16_vm;
typedef struct {
    simde__m256 lo, hi;
} bf16_vc;
enum { bf16_lanes = 16 };
static inline bf16_vc bf16_alpha(double a)
{
    const simde__m256 v = simde_mm256_set1_ps((float)a);
    return (bf16_vc){v, v};
}
static inline bf16_vs bf16_load(const uint16_t *p)
{
    return simde_mm256_loadu_si256((const vi *)(const void *)p);
}
static inline void bf16_store(uint16_t *p, bf16_vs v)
{
    simde_mm256_storeu_si256((vi *)(void *)p, v);
}
static inline void bf16_stream(uint16_t *p, bf16_vs v)
{
    simde_mm256_stream_si256((vi *)(void *)p, v);
}
LRELU_AVX2_INLINE bf16_vs bf16_load_part(const uint16_t *p, size_t k) { return load_halves(p, k); }
LRELU_AVX2_INLINE void bf16_store_part(uint16_t *p, size_t k, bf16_vs v) { store_halves(p, k, v); }
/* Lanes where 1 <= x <= inf (as unsigned bits, sign clear), as gt0_16. */
static inline bf16_vm bf16_gt0(bf16_vs x)
{
    return simde_mm256_cmpgt_epi16(simde_mm256_set1_epi16((int16_t)(uint16_t)(0x7f80 + 0x8000u)),
                                   simde_mm256_add_epi16(x, simde_mm256_set1_epi16(0x7fff)));
}
static inline bf16_vs bf16_clear(bf16_vm m, bf16_vs v) { return simde_mm256_andnot_si256(m, v); }
static inline bf16_vc bf16_widen(bf16_vs v)
{
    const vi z = simde_mm256_setzero_si256();
    return (bf16_vc){simde_mm256_castsi256_ps(simde_mm256_unpacklo_epi16(z, v)),
                     simde_mm256_castsi256_ps(simde_mm256_unpackhi_epi16(z, v))};
}
/* Round to nearest even on the integer bits, the code in the low 16 bits
 * of each 32-bit lane, with no NaN test (kernel_body.h: narrow's input is
 * a product, whose NaN has a zero lower half, so the increment of at most
 * 0x8000 leaves its sign and payload top as they are). */
static inline vi bf16_round(simde__m256 v)
{
    const vi u = simde_mm256_castps_si256(v);
    const vi odd = simde_mm256_and_si256(simde_mm256_srli_epi32(u, 16), i32(1));
    return simde_mm256_srli_epi32(simde_mm256_add_epi32(u, simde_mm256_add_epi32(odd, i32(0x7fff))),
                                  16);
}
static inline bf16_vs bf16_narrow(bf16_vc v)
{
    return simde_mm256_packus_epi32(bf16_round(v.lo), bf16_round(v.hi));
}
static inline bf16_vc bf16_mul(bf16_vc a, bf16_vc b)
{
    return (bf16_vc){simde_mm256_mul_ps(a.lo, b.lo), simde_mm256_mul_ps(a.hi, b.hi)};
}
static inline bf16_vs bf16_select(bf16_vm m, bf16_vs t, bf16_vs f)
{
    return simde_mm256_blendv_epi8(f, t, m);
}

/* PReLU's eight partial sums in two vectors of four, and its terms: exact
 * binary64 products of the low and the high four lanes. */
typedef struct {
    simde__m256d lo, hi;
} f32_acc;
static inline f32_acc f32_acc_load(const double *p)
{
    return (f32_acc){simde_mm256_loadu_pd(p), simde_mm256_loadu_pd(p + 4)};
}
static inline void f32_acc_store(double *p, f32_acc a)
{
    simde_mm256_storeu_pd(p, a.lo);
    simde_mm256_storeu_pd(p + 4, a.hi);
}
static inline simde__m256d term_lo(f32_vs x, f32_vs g)
{
    return simde_mm256_mul_pd(simde_mm256_cvtps_pd(simde_mm256_castps256_ps128(x)),
                              simde_mm256_cvtps_pd(simde_mm256_castps256_ps128(g)));
}
static inline simde__m256d term_hi(f32_vs x, f32_vs g)
{
    return simde_mm256_mul_pd(simde_mm256_cvtps_pd(simde_mm256_extractf128_ps(x, 1)),
                              simde_mm256_cvtps_pd(simde_mm256_extractf128_ps(g, 1)));
}
/* The terms of the vectors at xp and gp (x the one at xp), where x > 0
 * adding +0 and raising nothing, as kernel_body.h's LRELU_OWN_PRELU_TERMS
 * asks. x is converted straight from memory (only its +inf, the one x > 0
 * whose product with +0 would not be +0, set to +0 after, by a quiet
 * compare), dy cleared where x > 0 in the register before its conversion
 * (a converted signalling NaN would raise "invalid"): one extract a vector
 * where converting both cleared vectors takes two, the cost on Zen 3
 * (0.70 -> 0.58 TSC ticks an element in cache). x > 0 is tested on the
 * bits, so a positive subnormal x under DAZ (converted to +0) still meets
 * a cleared dy. */
static inline simde__m256d x_at(const float *p)
{
    const simde__m256d d = simde_mm256_cvtps_pd(simde_mm_loadu_ps(p));
    return simde_mm256_andnot_pd(
        simde_mm256_cmp_pd(d, simde_mm256_set1_pd(SIMDE_MATH_INFINITY), SIMDE_CMP_EQ_OQ), d);
}
static inline f32_acc terms_at(f32_vs x, const float *xp, const float *gp)
{
    const f32_vs g = f32_clear(f32_gt0(x), simde_mm256_loadu_ps(gp));
    return (f32_acc){
        simde_mm256_mul_pd(x_at(xp), simde_mm256_cvtps_pd(simde_mm256_castps256_ps128(g))),
        simde_mm256_mul_pd(x_at(xp + 4), simde_mm256_cvtps_pd(simde_mm256_extractf128_ps(g, 1)))};
}
static inline f32_acc f32_acc_add_at(f32_acc a, f32_vs x, const float *xp, const float *gp,
                                     size_t l)
{
    (void)l;
    const f32_acc t = terms_at(x, xp, gp);
    a.lo = simde_mm256_add_pd(a.lo, t.lo);
    a.hi = simde_mm256_add_pd(a.hi, t.hi);
    return a;
}
/* A run's last k < 8 terms (x loaded as k lanes and zeros): nothing read
 * past them, so the cleared vectors converted in the register. */
static inline f32_acc f32_acc_add_part_at(f32_acc a, f32_vs x, const float *xp, const float *gp,
                                          size_t k)
{
    (void)xp;
    const f32_vm m = f32_gt0(x);
    const f32_vs xc = f32_clear(m, x), gc = f32_clear(m, f32_load_part(gp, k));
    a.lo = simde_mm256_add_pd(a.lo, term_lo(xc, gc));
    a.hi = simde_mm256_add_pd(a.hi, term_hi(xc, gc));
    return a;
}
static inline void f32_dacc_at(double *a0, double *a1, f32_vs x, const float *xp, const float *gp)
{
    (void)a1;
    const f32_acc t = terms_at(x, xp, gp);
    simde_mm256_storeu_pd(a0, simde_mm256_add_pd(simde_mm256_loadu_pd(a0), t.lo));
    simde_mm256_storeu_pd(a0 + 4, simde_mm256_add_pd(simde_mm256_loadu_pd(a0 + 4), t.hi));
}
/* Eight sums, one a lane, in two registers. */
typedef struct {
    simde__m256d lo, hi;
} f32_lsum;
static inline f32_lsum f32_lsum_zero(void)
{
    const f32_lsum a = {simde_mm256_setzero_pd(), simde_mm256_setzero_pd()};
    return a;
}
static inline f32_lsum f32_lsum_add(f32_lsum a, f32_vs x, f32_vs g)
{
    a.lo = simde_mm256_add_pd(a.lo, term_lo(x, g));
    a.hi = simde_mm256_add_pd(a.hi, term_hi(x, g));
    return a;
}
static inline f32_lsum f32_lsum_add_at(f32_lsum a, f32_vs x, const float *xp, const float *gp)
{
    const f32_acc t = terms_at(x, xp, gp);
    a.lo = simde_mm256_add_pd(a.lo, t.lo);
    a.hi = simde_mm256_add_pd(a.hi, t.hi);
    return a;
}
static inline void f32_lsum_store(double *p, f32_lsum a)
{
    simde_mm256_storeu_pd(p, a.lo);
    simde_mm256_storeu_pd(p + 4, a.hi);
}
static inline f32_lsum f32_lsum_sum(f32_lsum a, f32_lsum b)
{
    a.lo = simde_mm256_add_pd(a.lo, b.lo);
    a.hi = simde_mm256_add_pd(a.hi, b.hi);
    return a;
}
/* One-term sums: +0 + v; lanes where a or b compares equal to zero. */
static inline f32_vc f32_add_zero(f32_vc v)
{
    return simde_mm256_add_ps(v, simde_mm256_setzero_ps());
}
static inline f32_vm f32_zero_either(f32_vs a, f32_vs b)
{
    const simde__m256 z = simde_mm256_setzero_ps();
    return simde_mm256_castps_si256(simde_mm256_or_ps(simde_mm256_cmp_ps(a, z, SIMDE_CMP_EQ_OQ),
                                                      simde_mm256_cmp_ps(b, z, SIMDE_CMP_EQ_OQ)));
}

/* PReLU's blocks: lanes [0, r) of a, the others of b. */
static inline f32_vc f32_alpha_split(f32_vc a, f32_vc b, size_t r)
{
    const vi below = simde_mm256_cmpgt_epi32(simde_mm256_set1_epi32((int32_t)r),
                                             simde_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return simde_mm256_blendv_ps(b, a, simde_mm256_castsi256_ps(below));
}

#define LRELU_OWN_PRELU_TERMS
#define LRELU_PRELU
#define LRELU_T f32
#include "kernel_body.h"
#define LRELU_T f64
#include "kernel_body.h"

#ifdef LRELU_F16_APART
#define LRELU_NARROW_APART
/* float16 forward's results, widened: float32's blend form (its mask on
 * the bits, so the same under DAZ), exact where x > 0. */
static inline f16_vc f16_fwd_wide(f16_vc w, f16_vc a) { return f32_fwd(w, a); }
#endif
#define LRELU_T f16
#include "kernel_body.h"
#define LRELU_VC_PAIR
#define LRELU_T bf16
#include "kernel_body.h"

/* Quantized int8 and uint8: the 16-bit form of quant_body.h on 256 bits. */
#include "quant_avx2.h"
#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_Q qu8
#include "quant_body.h"
