/*
 * AVX-512F: integer compares on the bits into mask registers, merge-masked
 * multiplies, masked tails; float16 through the 512-bit conversions (round
 * to nearest even, exceptions suppressed), bfloat16 with integer arithmetic
 * in 32-bit lanes. AVX-512F has no 16-bit masked moves or compares (those
 * are AVX-512BW), so 16-bit tails are masked 32-bit lanes plus one odd
 * element, and float16 backward uses AVX2 compares and blends on 256 bits.
 */
#include <simde/x86/avx512.h>
#include <simde/x86/f16c.h>
#include <string.h>

#include "half_avx2.h"
#include "kernels.h"
#include "quant_ends.h"

#define LRELU_ISA avx512
/* Streaming forward one vector a step (a whole 64-byte line for float32 and
 * float64): on Zen 5, at 64 Mi elements, 10-14% faster for float32 and 7-9%
 * for float64 than four vectors a step, no change for the 16-bit types
 * (README, "Large arrays"; on AVX2 and SSE2 one a step was slower).
 * Backward, with two inputs, keeps four. */
#define LRELU_STREAM_BY_VECTOR

typedef simde__m512i vi;

static inline vi i32(int32_t v) { return simde_mm512_set1_epi32(v); }

#if defined(SIMDE_X86_AVX512F_NATIVE)
/* SIMDe 0.7.4 has no masked unaligned load/store, no 512-bit streaming
 * store and no 512-bit float16 conversion: use the native ones. */
static inline void lrelu_fence(void) { _mm_sfence(); }
static inline __mmask16 below16(size_t k) { return (__mmask16)((1u << k) - 1u); }
static inline __mmask8 below8(size_t k) { return (__mmask8)((1u << k) - 1u); }
/* w <= 16 32-bit lanes from p, the others zero: a masked load; where its
 * 64 bytes would reach into the next page with masked-off lanes only
 * (lrelu_masked_crossing, kernels.h: slow), the 64 bytes that end with the
 * w lanes instead (within the page), shifted down. Without a branch: the
 * shift is 0 otherwise. */
static inline __m512i load_lanes32(const void *p, size_t w)
{
    const unsigned s = (unsigned)(16 - w) & (0u - (unsigned)lrelu_masked_crossing(p, 4 * w));
    const void *q = (const void *)((uintptr_t)p - 4 * (uintptr_t)s);
    const __m512i v = _mm512_maskz_loadu_epi32((__mmask16)(below16(w) << s), q);
    const __m512i idx =
        _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32((int)s));
    return _mm512_maskz_permutexvar_epi32(below16(w), idx, v);
}
/* The same for a call's last part (load_tail, kernel_body.h): a branch on
 * the address, taken only within 64 bytes of a page's end, instead of the
 * shift's dozen instructions: 3.6 -> 3.2 ns for a call of 16 floats, 5.1 ->
 * 4.2 for 17 (Zen 5). */
static inline __m512i load_lanes32_tail(const void *p, size_t w)
{
    if (__builtin_expect(((uintptr_t)p & 4095u) <= 4096u - 64u, 1))
        return _mm512_maskz_loadu_epi32(below16(w), p);
    return load_lanes32(p, w);
}
#define f32_load_part(p, k)     _mm512_castsi512_ps(load_lanes32(p, k))
#define f32_load_tail(p, k)     _mm512_castsi512_ps(load_lanes32_tail(p, k))
#define f32_store_part(p, k, v) _mm512_mask_storeu_ps(p, below16(k), v)
#define f32_stream(p, v)        _mm512_stream_ps(p, v)
#define f64_load_part(p, k)     _mm512_castsi512_pd(load_lanes32(p, 2 * (k)))
#define f64_load_tail(p, k)     _mm512_castsi512_pd(load_lanes32_tail(p, 2 * (k)))
#define f64_store_part(p, k, v) _mm512_mask_storeu_pd(p, below8(k), v)
#define f64_stream(p, v)        _mm512_stream_pd(p, v)
#define stream16(p, v)          _mm256_stream_si256((__m256i *)(void *)(p), v)
#define cvtph_ps(v)             _mm512_cvtph_ps(v)
#define widen16(v)              _mm512_cvtepu16_epi32(v)
#define narrow16(v)             _mm512_cvtepi32_epi16(v)
#define cvtps_pd512(v)          _mm512_cvtps_pd(v)
/* Round to nearest even with exceptions suppressed: the {sae} form, which
 * the compilers' _mm512_cvt_roundps_ph does not give (there _MM_FROUND_NO_EXC
 * lands in bit 3 of the immediate, which vcvtps2ph ignores, and overflow,
 * underflow and inexact are raised). */
static inline __m256i cvtps_ph(__m512 v)
{
    __m256i r;
    __asm__("vcvtps2ph $0, %{sae%}, %1, %0" : "=v"(r) : "v"(v));
    return r;
}
#else
/* Emulated (SIMDE_NO_NATIVE, other architectures): plain stores, tails
 * through the stack, conversions in two halves. */
static inline void lrelu_fence(void) {}
#define LRELU_PART_BY_COPY
#define f32_stream(p, v) simde_mm512_storeu_ps(p, v)
#define f64_stream(p, v) simde_mm512_storeu_pd(p, v)
#define stream16(p, v)   simde_mm256_storeu_si256((simde__m256i *)(void *)(p), v)
/* Conversions with integer arithmetic (half_avx2.h), as the scalar kernel:
 * SIMDe's emulated F16C does not keep NaN payloads. */
static inline simde__m512 cvtph_ps(simde__m256i v)
{
    const simde__m256 lo = half8_widen(simde_mm256_castsi256_si128(v));
    const simde__m256 hi = half8_widen(simde_mm256_extracti128_si256(v, 1));
    return simde_mm512_castpd_ps(simde_mm512_insertf64x4(
        simde_mm512_castpd256_pd512(simde_mm256_castps_pd(lo)), simde_mm256_castps_pd(hi), 1));
}
static inline simde__m256i cvtps_ph(simde__m512 v)
{
    const simde__m256 lo = simde_mm512_castps512_ps256(v);
    const simde__m256 hi =
        simde_mm256_castpd_ps(simde_mm512_extractf64x4_pd(simde_mm512_castps_pd(v), 1));
    return simde_mm256_setr_m128i(half8_narrow(lo), half8_narrow(hi));
}
/* 16-bit lanes zero-extended to 32 bits, and back (values below 0x10000). */
static inline simde__m512i widen16(simde__m256i v)
{
    return simde_mm512_inserti64x4(
        simde_mm512_castsi256_si512(simde_mm256_cvtepu16_epi32(simde_mm256_castsi256_si128(v))),
        simde_mm256_cvtepu16_epi32(simde_mm256_extracti128_si256(v, 1)), 1);
}
static inline simde__m256i narrow16(simde__m512i v)
{
    const simde__m256i lo = simde_mm512_castsi512_si256(v),
                       hi = simde_mm512_extracti64x4_epi64(v, 1);
    return simde_mm256_permute4x64_epi64(simde_mm256_packus_epi32(lo, hi),
                                         SIMDE_MM_SHUFFLE(3, 1, 2, 0));
}
static inline simde__m512d cvtps_pd512(simde__m256 v)
{
    return simde_mm512_insertf64x4(
        simde_mm512_castpd256_pd512(simde_mm256_cvtps_pd(simde_mm256_castps256_ps128(v))),
        simde_mm256_cvtps_pd(simde_mm256_extractf128_ps(v, 1)), 1);
}
#endif

/* float32 */
typedef float f32_elem;
typedef simde__m512 f32_vs, f32_vc;
typedef simde__mmask16 f32_vm;
enum { f32_lanes = 16 };
static inline f32_vc f32_alpha(double a) { return simde_mm512_set1_ps((float)a); }
static inline f32_vs f32_load(const float *p) { return simde_mm512_loadu_ps(p); }
static inline void f32_store(float *p, f32_vs v) { simde_mm512_storeu_ps(p, v); }
static inline f32_vm f32_gt0(f32_vs x)
{
    const vi b = simde_mm512_castps_si512(x);
    return simde_mm512_cmpgt_epi32_mask(b, simde_mm512_setzero_si512()) &
           simde_mm512_cmpgt_epi32_mask(i32(0x7f800001), b);
}
static inline f32_vs f32_clear(f32_vm m, f32_vs v)
{
    return simde_mm512_mask_blend_ps(m, v, simde_mm512_setzero_ps());
}
static inline f32_vc f32_widen(f32_vs v) { return v; }
static inline f32_vs f32_narrow(f32_vc v) { return v; }
static inline f32_vc f32_mul(f32_vc a, f32_vc b) { return simde_mm512_mul_ps(a, b); }
static inline f32_vs f32_select(f32_vm m, f32_vs t, f32_vs f)
{
    return simde_mm512_mask_blend_ps(m, f, t);
}

/* float64 */
typedef double f64_elem;
typedef simde__m512d f64_vs, f64_vc;
typedef simde__mmask8 f64_vm;
enum { f64_lanes = 8 };
static inline f64_vc f64_alpha(double a) { return simde_mm512_set1_pd(a); }
static inline f64_vs f64_load(const double *p) { return simde_mm512_loadu_pd(p); }
static inline void f64_store(double *p, f64_vs v) { simde_mm512_storeu_pd(p, v); }
static inline f64_vm f64_gt0(f64_vs x)
{
    const vi b = simde_mm512_castpd_si512(x);
    return simde_mm512_cmpgt_epi64_mask(b, simde_mm512_setzero_si512()) &
           simde_mm512_cmpgt_epi64_mask(simde_mm512_set1_epi64(0x7ff0000000000001), b);
}
static inline f64_vs f64_clear(f64_vm m, f64_vs v)
{
    return simde_mm512_mask_blend_pd(m, v, simde_mm512_setzero_pd());
}
static inline f64_vc f64_widen(f64_vs v) { return v; }
static inline f64_vs f64_narrow(f64_vc v) { return v; }
static inline f64_vc f64_mul(f64_vc a, f64_vc b) { return simde_mm512_mul_pd(a, b); }
static inline f64_vs f64_select(f64_vm m, f64_vs t, f64_vs f)
{
    return simde_mm512_mask_blend_pd(m, f, t);
}

#if defined(SIMDE_X86_AVX512F_NATIVE)
/* One step in two instructions after the load: the lanes where x is not
 * > 0 (b - 1 >= the bits of +inf as unsigned, as a signed compare on
 * b - 1 + 2^(w-1)) into a mask, and a merge-masked multiply that leaves the
 * other lanes as they are. Masked-off lanes raise no exception, as the blend
 * form's +0 does not. Fewer mask-register operations than gt0's two
 * compares and their AND, which bound the blend form in the L1 cache. */
static inline simde__mmask16 f32_le0(f32_vs x)
{
    return simde_mm512_cmpgt_epi32_mask(
        simde_mm512_add_epi32(simde_mm512_castps_si512(x), i32(0x7fffffff)), i32(-0x800001));
}
/* The kept lanes come from a copy hidden from the optimiser: seeing
 * select(m, a * v, v), clang may compute select(m, a, 1) * v, which quiets
 * a signalling NaN in the kept lanes (it did, in an instrumented build).
 * The multiplied vector is hidden too, so that it stays in a register:
 * gcc otherwise loaded it again as the multiply's masked memory operand,
 * and a masked load that splits a cache line missing the cache is slow on
 * Zen 5: from memory, with x and y on different offsets within a 64-byte
 * line (so that x's loads split lines), forward of 4 Mi floats took
 * 1.6-1.9x the time of the aligned call, now level with it. */
static inline f32_vs f32_fwd(f32_vs x, f32_vc a)
{
    LRELU_HIDE(x);
    f32_vs keep = x;
    LRELU_HIDE(keep);
    return _mm512_mask_mul_ps(keep, f32_le0(x), a, x);
}
static inline f32_vs f32_bwd(f32_vs x, f32_vs dy, f32_vc a)
{
    LRELU_HIDE(dy);
    f32_vs keep = dy;
    LRELU_HIDE(keep);
    return _mm512_mask_mul_ps(keep, f32_le0(x), a, dy);
}
static inline simde__mmask8 f64_le0(f64_vs x)
{
    return simde_mm512_cmpgt_epi64_mask(
        simde_mm512_add_epi64(simde_mm512_castpd_si512(x), simde_mm512_set1_epi64(INT64_MAX)),
        simde_mm512_set1_epi64(-0x10000000000001));
}
static inline f64_vs f64_fwd(f64_vs x, f64_vc a)
{
    LRELU_HIDE(x);
    f64_vs keep = x;
    LRELU_HIDE(keep);
    return _mm512_mask_mul_pd(keep, f64_le0(x), a, x);
}
static inline f64_vs f64_bwd(f64_vs x, f64_vs dy, f64_vc a)
{
    LRELU_HIDE(dy);
    f64_vs keep = dy;
    LRELU_HIDE(keep);
    return _mm512_mask_mul_pd(keep, f64_le0(x), a, dy);
}
#define LRELU_OWN_FWD
#define LRELU_OWN_BWD
#endif
/* PReLU's eight partial sums in one vector, and its terms: exact binary64
 * products of the low and the high eight lanes. */
typedef simde__m512d f32_acc;
static inline f32_acc f32_acc_load(const double *p) { return simde_mm512_loadu_pd(p); }
static inline void f32_acc_store(double *p, f32_acc a) { simde_mm512_storeu_pd(p, a); }
static inline simde__m256 half_hi(f32_vs v)
{
    return simde_mm256_castpd_ps(simde_mm512_extractf64x4_pd(simde_mm512_castps_pd(v), 1));
}
static inline simde__m512d term_lo(f32_vs x, f32_vs g)
{
    return simde_mm512_mul_pd(cvtps_pd512(simde_mm512_castps512_ps256(x)),
                              cvtps_pd512(simde_mm512_castps512_ps256(g)));
}
static inline simde__m512d term_hi(f32_vs x, f32_vs g)
{
    return simde_mm512_mul_pd(cvtps_pd512(half_hi(x)), cvtps_pd512(half_hi(g)));
}
static inline f32_acc f32_acc_add(f32_acc a, f32_vs x, f32_vs g, size_t l)
{
    (void)l;
    return simde_mm512_add_pd(simde_mm512_add_pd(a, term_lo(x, g)), term_hi(x, g));
}
/* a1 may be a0 (one channel): the two adds stay in order. */
static inline void f32_dacc(double *a0, double *a1, f32_vs x, f32_vs g)
{
    simde_mm512_storeu_pd(a0, simde_mm512_add_pd(simde_mm512_loadu_pd(a0), term_lo(x, g)));
    simde_mm512_storeu_pd(a1, simde_mm512_add_pd(simde_mm512_loadu_pd(a1), term_hi(x, g)));
}
/* Sixteen sums, one a lane, in two registers. */
typedef struct {
    simde__m512d lo, hi;
} f32_lsum;
static inline f32_lsum f32_lsum_zero(void)
{
    const f32_lsum a = {simde_mm512_setzero_pd(), simde_mm512_setzero_pd()};
    return a;
}
static inline f32_lsum f32_lsum_add(f32_lsum a, f32_vs x, f32_vs g)
{
    a.lo = simde_mm512_add_pd(a.lo, term_lo(x, g));
    a.hi = simde_mm512_add_pd(a.hi, term_hi(x, g));
    return a;
}
static inline void f32_lsum_store(double *p, f32_lsum a)
{
    simde_mm512_storeu_pd(p, a.lo);
    simde_mm512_storeu_pd(p + 8, a.hi);
}
static inline f32_lsum f32_lsum_sum(f32_lsum a, f32_lsum b)
{
    a.lo = simde_mm512_add_pd(a.lo, b.lo);
    a.hi = simde_mm512_add_pd(a.hi, b.hi);
    return a;
}
/* One-term sums: +0 + v; lanes where a or b compares equal to zero. */
static inline f32_vc f32_add_zero(f32_vc v)
{
    return simde_mm512_add_ps(v, simde_mm512_setzero_ps());
}
static inline f32_vm f32_zero_either(f32_vs a, f32_vs b)
{
    const simde__m512 z = simde_mm512_setzero_ps();
    return simde_mm512_cmp_ps_mask(a, z, SIMDE_CMP_EQ_OQ) |
           simde_mm512_cmp_ps_mask(b, z, SIMDE_CMP_EQ_OQ);
}

#if defined(SIMDE_X86_AVX512F_NATIVE)
/* The terms straight from memory: each half converted under the mask of
 * the lanes where x is not > 0 (zeroed elsewhere, and masked-off lanes
 * raise nothing), no blends and no extracts. */
static inline __m512d cvt_masked(simde__mmask8 k, const float *p)
{
    /* In asm: clang would otherwise convert every lane and blend after,
     * raising "invalid" for a signalling NaN in a lane where x > 0. */
    __m512d r;
    __asm__("vcvtps2pd %1, %0%{%2%}%{z%}"
            : "=v"(r)
            : "m"(*(const __m256 *)(const void *)p), "Yk"(k));
    return r;
}
static inline simde__m512d term_at(simde__mmask8 k, const float *xp, const float *gp)
{
    return _mm512_mul_pd(cvt_masked(k, xp), cvt_masked(k, gp));
}
/* dy's whole vector, loaded and kept (kernel_body.h's LRELU_PRELU_TOUCH,
 * for the steps without dx, whose conversions above would be dy's only
 * loads): a masked load that misses the cache is slow. Zen 5, dslope alone
 * from memory: 8 Mi terms of one channel 8.4 M -> 3.3 M TSC ticks,
 * 32x64x3136 5.5 M -> 3.3 M, NHWC 100000x64 5.6 M -> 2.2 M. x is loaded
 * whole for its mask anyway; with dx, so is dy. */
static inline void touch(const float *gp)
{
    const __m512 g = _mm512_loadu_ps(gp);
    __asm__("" ::"v"(g));
}
#define LRELU_PRELU_TOUCH(gp) touch(gp)
/* The terms of the first k lanes only (a run's last part). */
static inline f32_acc f32_acc_add_part_at(f32_acc a, f32_vs x, const float *xp, const float *gp,
                                          size_t k)
{
    const simde__mmask16 m = f32_le0(x) & below16(k);
    return _mm512_add_pd(_mm512_add_pd(a, term_at((simde__mmask8)m, xp, gp)),
                         term_at((simde__mmask8)(m >> 8), xp + 8, gp + 8));
}
static inline f32_acc f32_acc_add_at(f32_acc a, f32_vs x, const float *xp, const float *gp,
                                     size_t l)
{
    (void)l;
    return f32_acc_add_part_at(a, x, xp, gp, 16);
}
static inline void f32_dacc_at(double *a0, double *a1, f32_vs x, const float *xp, const float *gp)
{
    const simde__mmask16 k = f32_le0(x);
    _mm512_storeu_pd(a0, _mm512_add_pd(_mm512_loadu_pd(a0), term_at((simde__mmask8)k, xp, gp)));
    _mm512_storeu_pd(
        a1, _mm512_add_pd(_mm512_loadu_pd(a1), term_at((simde__mmask8)(k >> 8), xp + 8, gp + 8)));
}
static inline f32_lsum f32_lsum_add_at(f32_lsum a, f32_vs x, const float *xp, const float *gp)
{
    const simde__mmask16 k = f32_le0(x);
    a.lo = _mm512_add_pd(a.lo, term_at((simde__mmask8)k, xp, gp));
    a.hi = _mm512_add_pd(a.hi, term_at((simde__mmask8)(k >> 8), xp + 8, gp + 8));
    return a;
}
/* The sums rotated in the register (kernel_body.h's acc_load_rot). */
static inline __m512i lane_rot(size_t ph)
{
    return _mm512_and_si512(_mm512_add_epi64(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
                                             _mm512_set1_epi64((long long)ph)),
                            _mm512_set1_epi64(7));
}
static inline f32_acc f32_acc_load_rot(const double *lanes, size_t ph)
{
    return _mm512_permutexvar_pd(lane_rot(ph), _mm512_loadu_pd(lanes));
}
static inline void f32_acc_store_rot(double *lanes, size_t ph, f32_acc a)
{
    _mm512_storeu_pd(lanes, _mm512_permutexvar_pd(lane_rot(8 - ph), a));
}
#define LRELU_OWN_ACC_ROTATE
#define LRELU_OWN_PRELU_TERMS
#define LRELU_OWN_LOAD_TAIL
/* The streaming variants' loads, from memory, in two 256-bit halves: a
 * 512-bit load that splits two cache lines and misses the cache is slow on
 * Zen 5. In a standalone loop of two inputs and one streamed output
 * (4 Mi floats), inputs 4 bytes off the output's line offset took 1.9x
 * the time of aligned ones with 512-bit loads, 1.04x with halves; aligned,
 * the halves are level. */
static inline simde__m512d far512(const void *p)
{
    return _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd((const double *)p)),
                              _mm256_loadu_pd((const double *)p + 4), 1);
}
static inline f32_vs f32_load_far(const float *p) { return _mm512_castpd_ps(far512(p)); }
static inline f64_vs f64_load_far(const double *p) { return far512(p); }
#define LRELU_OWN_LOAD_FAR
#endif
/* PReLU's blocks: lanes [0, r) of a, the others of b (r < 32). Blocks of
 * 16 to 31 elements need the short blocks loop. */
static inline f32_vc f32_alpha_split(f32_vc a, f32_vc b, size_t r)
{
    return simde_mm512_mask_blend_ps((simde__mmask16)(0xffffu << r), a, b);
}
#define LRELU_BLOCKS_SHORT

#define LRELU_PRELU
#define LRELU_T f32
#include "kernel_body.h"
#if defined(SIMDE_X86_AVX512F_NATIVE)
#define LRELU_OWN_FWD
#define LRELU_OWN_BWD
#define LRELU_OWN_LOAD_TAIL
#define LRELU_OWN_LOAD_FAR
#endif
#define LRELU_T f64
#include "kernel_body.h"

/* float16 and bfloat16: sixteen elements in 256 bits, computed as sixteen
 * floats. */
typedef simde__m256i vh;
static inline vh load16(const uint16_t *p)
{
    return simde_mm256_loadu_si256((const vh *)(const void *)p);
}
static inline void store16(uint16_t *p, vh v) { simde_mm256_storeu_si256((vh *)(void *)p, v); }
/* 16-bit lanes where 1 <= x <= inf (as unsigned bits, sign clear): x - 1 is
 * below inf as unsigned, a signed compare after adding 0x7fff. */
static inline vh gt0_16(vh x, uint16_t inf)
{
    return simde_mm256_cmpgt_epi16(simde_mm256_set1_epi16((int16_t)(uint16_t)(inf + 0x8000u)),
                                   simde_mm256_add_epi16(x, simde_mm256_set1_epi16(0x7fff)));
}
static inline vh sel16(vh m, vh t, vh f) { return simde_mm256_blendv_epi8(f, t, m); }

typedef uint16_t f16_elem;
typedef vh f16_vs, f16_vm;
typedef simde__m512 f16_vc;
enum { f16_lanes = 16 };
static inline f16_vc f16_alpha(double a) { return simde_mm512_set1_ps((float)a); }
static inline f16_vs f16_load(const uint16_t *p) { return load16(p); }
static inline void f16_store(uint16_t *p, f16_vs v) { store16(p, v); }
static inline void f16_stream(uint16_t *p, f16_vs v) { stream16(p, v); }
static inline f16_vm f16_gt0(f16_vs x) { return gt0_16(x, 0x7c00); }
static inline f16_vs f16_clear(f16_vm m, f16_vs v) { return simde_mm256_andnot_si256(m, v); }
static inline f16_vc f16_widen(f16_vs v) { return cvtph_ps(v); }
static inline f16_vs f16_narrow(f16_vc v) { return cvtps_ph(v); }
static inline f16_vc f16_mul(f16_vc a, f16_vc b) { return simde_mm512_mul_ps(a, b); }
static inline f16_vs f16_select(f16_vm m, f16_vs t, f16_vs f) { return sel16(m, t, f); }

#if defined(SIMDE_X86_AVX512F_NATIVE)
/* Parts of k <= 32 16-bit elements: k / 2 whole 32-bit lanes masked, and an
 * odd last element on its own, so that no byte past p + k is touched. */
static inline __m512i part16_odd(__m512i v, const uint16_t *p, size_t k)
{
    const uint16_t last = k ? p[k - 1] : 0;
    return _mm512_mask_set1_epi32(v, (__mmask16)((k & 1) << (k / 2)), last);
}
static inline __m512i part16_load(const uint16_t *p, size_t k)
{
    return part16_odd(load_lanes32(p, k / 2), p, k);
}
static inline __m512i part16_load_tail(const uint16_t *p, size_t k)
{
    return part16_odd(load_lanes32_tail(p, k / 2), p, k);
}
static inline void part16_store(uint16_t *p, size_t k, __m512i v)
{
    _mm512_mask_storeu_epi32(p, below16(k / 2), v);
    if (k & 1)
        p[k - 1] = (uint16_t)_mm_cvtsi128_si32(
            _mm512_castsi512_si128(_mm512_permutexvar_epi32(_mm512_set1_epi32((int)(k / 2)), v)));
}
static inline f16_vs f16_load_part(const uint16_t *p, size_t k)
{
    return _mm512_castsi512_si256(part16_load(p, k));
}
#define LRELU_OWN_LOAD_TAIL
static inline f16_vs f16_load_tail(const uint16_t *p, size_t k)
{
    return _mm512_castsi512_si256(part16_load_tail(p, k));
}
static inline void f16_store_part(uint16_t *p, size_t k, f16_vs v)
{
    part16_store(p, k, _mm512_castsi256_si512(v));
}
/* Forward in four instructions: widen (exact: every float16 is a normal
 * binary32 or zero, and a signalling NaN becomes quiet, raising invalid as
 * the multiply of it would), the lanes not > 0 by a quiet floating-point
 * compare (no exception: w holds no signalling NaN and no subnormal, so
 * DAZ does not matter either), a merge-masked multiply, narrow. Where
 * x > 0 the widened value narrows back to x exactly (it is positive and
 * finite or +inf), so no select is needed. The compare is one instruction
 * where f32_le0 is two: a call of 1 Ki elements 118 -> 104 ticks, of
 * 16 Ki 1877 -> 1651 (Zen 5). Backward keeps the blend form, whose select passes a
 * signalling NaN in dy through as stored. */
#define LRELU_OWN_FWD
static inline f16_vs f16_fwd(f16_vs x, f16_vc a)
{
    const __m512 w = cvtph_ps(x);
    return cvtps_ph(
        _mm512_mask_mul_ps(w, _mm512_cmp_ps_mask(w, _mm512_setzero_ps(), _CMP_NGT_UQ), a, w));
}
#endif
#define LRELU_T f16
#include "kernel_body.h"

#if defined(SIMDE_X86_AVX512F_NATIVE)
/* bfloat16: thirty-two elements in 512 bits, computed in place in their
 * 32-bit lanes as two halves of sixteen floats, the odd elements (the upper
 * halves, low bits cleared) and the even ones (shifted up): no widening or
 * narrowing across lanes. In each half, the lanes not > 0 (on the bits, as
 * for float32) get one merge-masked multiply and the rounding; the others
 * keep the input exactly (a signalling NaN in dy included), with no
 * exception from the masked multiply, compare or add. */
typedef uint16_t bf16_elem;
typedef __m512i bf16_vs;
typedef __m512 bf16_vc;
enum { bf16_lanes = 32 };
static inline bf16_vc bf16_alpha(double a) { return _mm512_set1_ps((float)a); }
static inline bf16_vs bf16_load(const uint16_t *p) { return _mm512_loadu_si512(p); }
static inline void bf16_store(uint16_t *p, bf16_vs v) { _mm512_storeu_si512(p, v); }
static inline void bf16_stream(uint16_t *p, bf16_vs v) { _mm512_stream_si512((void *)p, v); }
static inline bf16_vs bf16_load_part(const uint16_t *p, size_t k) { return part16_load(p, k); }
#define LRELU_OWN_LOAD_TAIL
static inline bf16_vs bf16_load_tail(const uint16_t *p, size_t k) { return part16_load_tail(p, k); }
static inline void bf16_store_part(uint16_t *p, size_t k, bf16_vs v) { part16_store(p, k, v); }
/* dy (a bfloat16 in the upper half of each lane, the lower half zero) where
 * x (likewise) is > 0, else alpha * dy rounded to nearest even in the upper
 * half. Adding 0x7fff plus the kept lowest bit leaves a value whose lower
 * half is zero as it is: so the lanes where x > 0 keep dy (a signalling NaN
 * included), and a NaN product (the quieted input, or the default NaN of
 * 0 * inf) keeps its sign and payload top with no NaN test. */
static inline __m512i bf16_half(__m512i x, __m512i dy, __m512 a)
{
    __m512 keep = _mm512_castsi512_ps(dy); /* hidden: see f32_fwd */
    LRELU_HIDE(keep);
    const __m512 p =
        _mm512_mask_mul_ps(keep, f32_le0(_mm512_castsi512_ps(x)), a, _mm512_castsi512_ps(dy));
    const __m512i u = _mm512_castps_si512(p);
    return _mm512_add_epi32(
        u, _mm512_add_epi32(_mm512_and_si512(_mm512_srli_epi32(u, 16), i32(1)), i32(0x7fff)));
}
static inline __m512i bf16_hi(__m512i v) { return _mm512_and_si512(v, i32((int32_t)0xffff0000u)); }
/* The upper halves of hi's lanes and of lo's, in the lower halves. */
static inline bf16_vs bf16_join(__m512i hi, __m512i lo)
{
    return _mm512_ternarylogic_epi32(hi, _mm512_srli_epi32(lo, 16), i32((int32_t)0xffff0000u),
                                     0xe4);
}
#define LRELU_OWN_FWD
#define LRELU_OWN_BWD
static inline bf16_vs bf16_fwd(bf16_vs x, bf16_vc a)
{
    const __m512i hi = bf16_hi(x), lo = _mm512_slli_epi32(x, 16);
    return bf16_join(bf16_half(hi, hi, a), bf16_half(lo, lo, a));
}
static inline bf16_vs bf16_bwd(bf16_vs x, bf16_vs dy, bf16_vc a)
{
    return bf16_join(bf16_half(bf16_hi(x), bf16_hi(dy), a),
                     bf16_half(_mm512_slli_epi32(x, 16), _mm512_slli_epi32(dy, 16), a));
}
#else
typedef uint16_t bf16_elem;
typedef vh bf16_vs, bf16_vm;
typedef simde__m512 bf16_vc;
enum { bf16_lanes = 16 };
static inline bf16_vc bf16_alpha(double a) { return simde_mm512_set1_ps((float)a); }
static inline bf16_vs bf16_load(const uint16_t *p) { return load16(p); }
static inline void bf16_store(uint16_t *p, bf16_vs v) { store16(p, v); }
static inline void bf16_stream(uint16_t *p, bf16_vs v) { stream16(p, v); }
static inline bf16_vm bf16_gt0(bf16_vs x) { return gt0_16(x, 0x7f80); }
static inline bf16_vs bf16_clear(bf16_vm m, bf16_vs v) { return simde_mm256_andnot_si256(m, v); }
static inline bf16_vc bf16_widen(bf16_vs v)
{
    return simde_mm512_castsi512_ps(simde_mm512_slli_epi32(widen16(v), 16));
}
/* Round to nearest even on the integer bits; NaN keeps its sign and payload
 * top and becomes quiet. */
static inline bf16_vs bf16_narrow(bf16_vc v)
{
    const vi u = simde_mm512_castps_si512(v);
    const vi odd = simde_mm512_and_si512(simde_mm512_srli_epi32(u, 16), i32(1));
    const vi rounded = simde_mm512_add_epi32(simde_mm512_add_epi32(u, i32(0x7fff)), odd);
    const simde__mmask16 nan =
        simde_mm512_cmpgt_epi32_mask(simde_mm512_and_si512(u, i32(0x7fffffff)), i32(0x7f800000));
    const vi r = simde_mm512_mask_blend_epi32(
        nan, simde_mm512_srli_epi32(rounded, 16),
        simde_mm512_or_si512(simde_mm512_srli_epi32(u, 16), i32(0x40)));
    return narrow16(r);
}
static inline bf16_vc bf16_mul(bf16_vc a, bf16_vc b) { return simde_mm512_mul_ps(a, b); }
static inline bf16_vs bf16_select(bf16_vm m, bf16_vs t, bf16_vs f) { return sel16(m, t, f); }
#endif

#define LRELU_T bf16
#include "kernel_body.h"

#if defined(SIMDE_X86_AVX512F_NATIVE)
/* Quantized int8 and uint8 (quant_body.h): the definition itself, in 32-bit
 * lanes (AVX-512F has no 16-bit arithmetic on 512 bits): a 64-byte step is
 * four quarters of sixteen elements, each widened, d = x - zero point, the
 * multiplier chosen by a mask, the product plus bias shifted, and narrowed
 * with saturation (VPMOVSDB clamps to int8; for uint8, a max with 0 first,
 * then VPMOVUSDB clamps to 255). (SIMDe 0.7.4 lacks these 512-bit
 * conversions and shifts: native intrinsics.) */
typedef struct {
    __m512i zx, mp, mn, bias;
} qc;
static inline qc qc_make(const struct lrelu_quant_params *p)
{
    return (qc){_mm512_set1_epi32(p->input_zero_point), _mm512_set1_epi32(p->positive_multiplier),
                _mm512_set1_epi32(p->negative_multiplier),
                _mm512_set1_epi32(p->output_zero_point * 256 + 128)};
}
typedef struct {
    __m128i q0, q1, q2, q3;
} q64;
static inline q64 q64_load(const void *p)
{
    const __m128i *v = p;
    return (q64){_mm_loadu_si128(v), _mm_loadu_si128(v + 1), _mm_loadu_si128(v + 2),
                 _mm_loadu_si128(v + 3)};
}
static inline void q64_store(void *p, q64 r)
{
    __m128i *v = p;
    _mm_storeu_si128(v, r.q0);
    _mm_storeu_si128(v + 1, r.q1);
    _mm_storeu_si128(v + 2, r.q2);
    _mm_storeu_si128(v + 3, r.q3);
}
/* Parts, in registers: from 32 bytes on, the first and the last 32; from
 * 16 on, the first and the last 16; below, the first and the last bytes
 * (quant_ends.h). The quarters left over hold zeros. */
static inline __m128i q16_at(const unsigned char *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline void q16_put(unsigned char *p, __m128i v) { _mm_storeu_si128((__m128i *)p, v); }
static inline q64 q64_load_part(const void *pv, size_t k)
{
    const unsigned char *p = pv;
    const __m128i z = _mm_setzero_si128();
    if (k >= 32)
        return (q64){q16_at(p), q16_at(p + 16), q16_at(p + k - 32), q16_at(p + k - 16)};
    if (k >= 16)
        return (q64){q16_at(p), q16_at(p + k - 16), z, z};
    return (q64){lrelu_q_ends_to_m128(lrelu_q_ends_load(p, k)), z, z, z};
}
static inline void q64_store_part(void *pv, size_t k, q64 r)
{
    unsigned char *p = pv;
    if (k >= 32) {
        q16_put(p + k - 16, r.q3);
        q16_put(p + k - 32, r.q2);
        q16_put(p + 16, r.q1);
        q16_put(p, r.q0);
    } else if (k >= 16) {
        q16_put(p + k - 16, r.q1);
        q16_put(p, r.q0);
    } else {
        lrelu_q_ends_store(p, k, lrelu_q_ends_of_m128(r.q0));
    }
}
#define LRELU_Q_PARTS
/* (bias + d * M) >> 8 of sixteen widened elements. */
static inline __m512i q_acc(__m512i x, const qc *c)
{
    const __m512i d = _mm512_sub_epi32(x, c->zx);
    const __mmask16 pos = _mm512_cmp_epi32_mask(d, _mm512_setzero_si512(), _MM_CMPINT_NLT);
    const __m512i m = _mm512_mask_blend_epi32(pos, c->mn, c->mp);
    return _mm512_srai_epi32(_mm512_add_epi32(c->bias, _mm512_mullo_epi32(d, m)), 8);
}
static inline __m128i qs8_quarter(__m128i x, const qc *c)
{
    return _mm512_cvtsepi32_epi8(q_acc(_mm512_cvtepi8_epi32(x), c));
}
static inline __m128i qu8_quarter(__m128i x, const qc *c)
{
    const __m512i v = _mm512_max_epi32(q_acc(_mm512_cvtepu8_epi32(x), c), _mm512_setzero_si512());
    return _mm512_cvtusepi32_epi8(v);
}

typedef int8_t qs8_elem;
typedef q64 qs8_vb;
enum { qs8_lanes = 64 };
static inline qs8_vb qs8_load(const int8_t *p) { return q64_load(p); }
static inline void qs8_store(int8_t *p, qs8_vb v) { q64_store(p, v); }
static inline qs8_vb qs8_load_part(const int8_t *p, size_t k) { return q64_load_part(p, k); }
static inline void qs8_store_part(int8_t *p, size_t k, qs8_vb v) { q64_store_part(p, k, v); }
static inline qs8_vb qs8_fwd(qs8_vb x, const qc *c)
{
    return (q64){qs8_quarter(x.q0, c), qs8_quarter(x.q1, c), qs8_quarter(x.q2, c),
                 qs8_quarter(x.q3, c)};
}

typedef uint8_t qu8_elem;
typedef q64 qu8_vb;
enum { qu8_lanes = 64 };
static inline qu8_vb qu8_load(const uint8_t *p) { return q64_load(p); }
static inline void qu8_store(uint8_t *p, qu8_vb v) { q64_store(p, v); }
static inline qu8_vb qu8_load_part(const uint8_t *p, size_t k) { return q64_load_part(p, k); }
static inline void qu8_store_part(uint8_t *p, size_t k, qu8_vb v) { q64_store_part(p, k, v); }
static inline qu8_vb qu8_fwd(qu8_vb x, const qc *c)
{
    return (q64){qu8_quarter(x.q0, c), qu8_quarter(x.q1, c), qu8_quarter(x.q2, c),
                 qu8_quarter(x.q3, c)};
}
#define LRELU_OWN_QFWD
#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_OWN_QFWD
#define LRELU_Q qu8
#include "quant_body.h"
#else
/* Emulated: the AVX2 kernel's 16-bit form. */
#include "quant_avx2.h"
#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_Q qu8
#include "quant_body.h"
#endif
