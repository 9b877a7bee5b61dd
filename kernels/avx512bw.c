/*
 * AVX-512BW: the quantized int8 and uint8 functions in the 16-bit form of
 * quant_body.h, 64 bytes a step (two vectors of 32 16-bit lanes), the
 * last n mod 64 bytes one step with masked loads and stores (which touch
 * no byte outside the arrays); and bfloat16, whose products are rounded
 * and packed with 16-bit operations.
 *
 * A level above avx512 for the CPUs with AVX-512BW but not VBMI (Intel's
 * Skylake-SP to Cooper Lake): the avx512 kernel is AVX-512F only, whose
 * quantized step works on 128-bit quarters. float32, float16, float64 and
 * PReLU are the AVX-512 kernel's (src/dispatch.c). The avx512vbmi level
 * uses these functions below LRELU_VBMI_MIN_N elements and to build its
 * table, and these bfloat16 functions.
 */
#include <stdint.h>

#include <simde/x86/avx512.h>

#include "bytes_avx512bw.h"
#include "kernels.h"

/* The 16-bit arithmetic of quant_body.h on 32 lanes. */
typedef simde__m512i vw;
static inline vw w_set(int16_t v) { return simde_mm512_set1_epi16(v); }
static inline vw w_sub(vw a, vw b) { return simde_mm512_sub_epi16(a, b); }
/* All ones where a > 0: the sign of -a (a = -d * 128 is never -32768).
 * Shifts, not a compare into a mask register and back, which SIMDe 0.7.4
 * emulates element by element. */
static inline vw w_gt0(vw a)
{
    return simde_mm512_srai_epi16(simde_mm512_sub_epi16(simde_mm512_setzero_si512(), a), 15);
}
static inline vw w_sel(vw m, vw t, vw f) { return simde_mm512_ternarylogic_epi64(m, t, f, 0xca); }
static inline vw w_mulhrs(vw a, vw b) { return simde_mm512_mulhrs_epi16(a, b); }
static inline vw w_adds(vw a, vw b) { return simde_mm512_adds_epi16(a, b); }
#define LRELU_Q16

/* Widening times 128: each byte unpacked into the upper half of a 16-bit
 * lane (x * 256), then shifted down by one, arithmetically for int8
 * (shift s) or not (u). The unpacks work within 128-bit lanes, as the
 * saturating packs do, which so put the bytes back in order. */
static inline vw q_lo512(vb v) { return simde_mm512_unpacklo_epi8(simde_mm512_setzero_si512(), v); }
static inline vw q_hi512(vb v) { return simde_mm512_unpackhi_epi8(simde_mm512_setzero_si512(), v); }
static inline vw shift_s(vw v) { return simde_mm512_srai_epi16(v, 1); }
static inline vw shift_u(vw v) { return simde_mm512_srli_epi16(v, 1); }

#define LRELU_ISA avx512bw
#define LRELU_Q_PARTS
#define Q_PRIMITIVES(qtype, elem, ext, pack)                                                       \
    typedef elem qtype##_elem;                                                                     \
    typedef vb qtype##_vb;                                                                         \
    enum { qtype##_lanes = 64 };                                                                   \
    static inline vb qtype##_load(const elem *p) { return simde_mm512_loadu_si512(p); }            \
    static inline void qtype##_store(elem *p, vb v) { simde_mm512_storeu_si512(p, v); }            \
    static inline vb qtype##_load_part(const elem *p, size_t k)                                    \
    {                                                                                              \
        return load_part((const uint8_t *)p, k);                                                   \
    }                                                                                              \
    static inline void qtype##_store_part(elem *p, size_t k, vb v)                                 \
    {                                                                                              \
        store_part((uint8_t *)p, k, v);                                                            \
    }                                                                                              \
    static inline vw qtype##_widen128_lo(vb v) { return shift_##ext(q_lo512(v)); }                 \
    static inline vw qtype##_widen128_hi(vb v) { return shift_##ext(q_hi512(v)); }                 \
    static inline vb qtype##_narrow(vw lo, vw hi) { return pack(lo, hi); }
Q_PRIMITIVES(qs8, int8_t, s, simde_mm512_packs_epi16)
Q_PRIMITIVES(qu8, uint8_t, u, simde_mm512_packus_epi16)
#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_Q qu8
#include "quant_body.h"

/*
 * bfloat16: thirty-two elements in 512 bits, computed in their 32-bit lanes
 * as two halves of sixteen floats, the odd elements (the upper halves, low
 * bits cleared) and the even ones (shifted up), as the avx512 kernel does;
 * the halves' lanes not > 0 are found with two 16-bit operations on x, and
 * the rounding to bfloat16 and the packing back into element order are
 * 16-bit operations on both halves at once: 14 instructions for 32
 * elements where the AVX-512F sequence takes 18 (forward of 16 Ki elements
 * in the L2 cache: 1743 -> 1449 ticks; backward 1848 -> 1449; Zen 5).
 */
#if defined(SIMDE_X86_AVX512BW_NATIVE)
/* SIMDe 0.7.4 has no 512-bit streaming store. */
static inline void lrelu_fence(void) { _mm_sfence(); }
static inline void bf16_stream(uint16_t *p, simde__m512i v) { _mm512_stream_si512((void *)p, v); }
#else
static inline void lrelu_fence(void) {}
static inline void bf16_stream(uint16_t *p, simde__m512i v) { simde_mm512_storeu_si512(p, v); }
#endif
typedef uint16_t bf16_elem;
typedef simde__m512i bf16_vs;
typedef simde__m512 bf16_vc;
enum { bf16_lanes = 32 };
static inline bf16_vc bf16_alpha(double a) { return simde_mm512_set1_ps((float)a); }
static inline bf16_vs bf16_load(const uint16_t *p) { return simde_mm512_loadu_si512(p); }
static inline void bf16_store(uint16_t *p, bf16_vs v) { simde_mm512_storeu_si512(p, v); }
#if defined(SIMDE_X86_AVX512BW_NATIVE)
static inline __mmask32 below32(size_t k) { return (__mmask32)((UINT64_C(1) << k) - 1u); }
static const uint16_t word_index[32]
    __attribute__((aligned(64))) = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
/* k <= 32 16-bit elements from p, the others zero: a masked load; where its
 * 64 bytes would reach into the next page with masked-off lanes only
 * (lrelu_masked_crossing, kernels.h: slow), the 64 bytes that end with the
 * k elements instead (within the page), shifted down. Without a branch:
 * the shift is 0 otherwise. No call, so that a short call's kernel needs no
 * stack frame (the byte parts' copy through the stack made the bfloat16
 * calls of up to 32 elements 2 ticks slower). */
static inline __m512i bf16_load_part(const uint16_t *p, size_t k)
{
    const unsigned s = (unsigned)(32 - k) & (0u - (unsigned)lrelu_masked_crossing(p, 2 * k));
    const void *q = (const void *)((uintptr_t)p - 2 * (uintptr_t)s);
    const __m512i v = _mm512_maskz_loadu_epi16(below32(k) << s, q);
    const __m512i idx =
        _mm512_add_epi16(_mm512_load_si512(word_index), _mm512_set1_epi16((short)s));
    return _mm512_maskz_permutexvar_epi16(below32(k), idx, v);
}
/* The same for a call's last part (load_tail, kernel_body.h): a branch on
 * the address, taken only within 64 bytes of a page's end. */
#define LRELU_OWN_LOAD_TAIL
static inline __m512i bf16_load_tail(const uint16_t *p, size_t k)
{
    if (__builtin_expect(((uintptr_t)p & 4095u) <= 4096u - 64u, 1))
        return _mm512_maskz_loadu_epi16(below32(k), p);
    return bf16_load_part(p, k);
}
static inline void bf16_store_part(uint16_t *p, size_t k, bf16_vs v)
{
    _mm512_mask_storeu_epi16(p, below32(k), v);
}
#else
/* Emulated (SIMDE_NO_NATIVE): parts through the stack (kernel_body.h). */
#define LRELU_PART_BY_COPY
#endif
static inline simde__m512i i32(int32_t v) { return simde_mm512_set1_epi32(v); }
/* Bit 15 of each 16-bit lane set where that element is not > 0 (on the
 * bits: +0, negative, NaN): b - 1 (0 wraps to 0xffff), plus 0x80 with
 * unsigned saturation, reaches 0x8000 exactly when b - 1 >= 0x7f80, the
 * bits of +inf. The 1 is hidden from gcc, which would add all ones made by
 * vpternlogd, an instruction that waits for its register's last value on
 * Zen 5 (a call of 64 elements took 17 ticks instead of 9). */
static inline simde__m512i bf16_le0_words(simde__m512i x)
{
    simde__m512i one = simde_mm512_set1_epi16(1);
    LRELU_HIDE(one);
    return simde_mm512_adds_epu16(simde_mm512_sub_epi16(x, one), simde_mm512_set1_epi16(0x80));
}
/* g (one element a 32-bit lane, in the upper half, the lower half zero)
 * times a where k is set, by a merge-masked multiply (the other lanes keep
 * g, raising nothing), in binary32. Natively in assembly: clang made the
 * intrinsic a multiply of every lane and a masked move of g over it, which
 * raised invalid for 0 * inf where x > 0. */
static inline simde__m512i bf16_product(simde__m512i g, simde__mmask16 k, simde__m512 a)
{
#if defined(SIMDE_X86_AVX512F_NATIVE)
    __m512 p = _mm512_castsi512_ps(g);
    __asm__("vmulps %2, %1, %0%{%3%}" : "+v"(p) : "v"(a), "v"(_mm512_castsi512_ps(g)), "Yk"(k));
    return _mm512_castps_si512(p);
#else
    /* Emulated, a masked multiply is a multiply of every lane: the lanes
     * out of k multiply +0 instead, which raises nothing (a is finite). */
    simde__m512 keep = simde_mm512_castsi512_ps(g); /* hidden: see f32_fwd in avx512.c */
    LRELU_HIDE(keep);
    const simde__m512 p = simde_mm512_mul_ps(a, simde_mm512_maskz_mov_ps(k, keep));
    return simde_mm512_castps_si512(simde_mm512_mask_mov_ps(keep, k, p));
#endif
}
/* The permutes' indices (tables: gcc 12 builds such constants in the loop
 * otherwise, lane by lane): word 2j of the result from lane j of even,
 * word 2j + 1 from lane j of odd, upper halves (words 2j + 1 and 32 + 2j +
 * 1 of the pair) and lower halves (2j and 32 + 2j). */
static const uint16_t bf16_upper_words[32]
    __attribute__((aligned(64))) = {1,  33, 3,  35, 5,  37, 7,  39, 9,  41, 11, 43, 13, 45, 15, 47,
                                    17, 49, 19, 51, 21, 53, 23, 55, 25, 57, 27, 59, 29, 61, 31, 63};
static const uint16_t bf16_lower_words[32]
    __attribute__((aligned(64))) = {0,  32, 2,  34, 4,  36, 6,  38, 8,  40, 10, 42, 12, 44, 14, 46,
                                    16, 48, 18, 50, 20, 52, 22, 54, 24, 56, 26, 58, 28, 60, 30, 62};
/* The 32 products, odd elements' in `odd`, even ones' in `even`, rounded
 * to nearest even and in element order: the upper halves T (a permute of
 * both) plus the carry of L + 0x7fff + (T & 1), L the lower halves (a
 * second permute). vpavgw halves L + ((T & 1) | 0x7ffe) + 1 in 17 bits,
 * so its bit 15 is that carry. A lane that kept its input has L = 0 and no
 * carry; a NaN product has L = 0 too (it is the quieted input or the
 * default NaN), so it keeps its sign and payload top. */
static inline bf16_vs bf16_round_pack(simde__m512i odd, simde__m512i even)
{
    const simde__m512i upper = simde_mm512_load_si512(bf16_upper_words);
    const simde__m512i lower = simde_mm512_load_si512(bf16_lower_words);
    const simde__m512i t = simde_mm512_permutex2var_epi16(even, upper, odd);
    const simde__m512i l = simde_mm512_permutex2var_epi16(even, lower, odd);
    const simde__m512i half = simde_mm512_avg_epu16(
        l, simde_mm512_ternarylogic_epi32(t, i32(0x00010001), i32(0x7ffe7ffe), 0xea));
    return simde_mm512_add_epi16(t, simde_mm512_srli_epi16(half, 15));
}
/* dy where x > 0, else alpha * dy rounded (forward: dy is x). */
static inline __attribute__((always_inline)) bf16_vs bf16_step(bf16_vs x, bf16_vs dy, bf16_vc a)
{
    const simde__m512i m = bf16_le0_words(x);
    const simde__mmask16 odd = simde_mm512_test_epi32_mask(m, i32((int32_t)0x80000000u));
    const simde__mmask16 even = simde_mm512_test_epi32_mask(m, i32(0x8000));
    return bf16_round_pack(
        bf16_product(simde_mm512_and_si512(dy, i32((int32_t)0xffff0000u)), odd, a),
        bf16_product(simde_mm512_slli_epi32(dy, 16), even, a));
}
#define LRELU_OWN_FWD
#define LRELU_OWN_BWD
static inline bf16_vs bf16_fwd(bf16_vs x, bf16_vc a) { return bf16_step(x, x, a); }
static inline bf16_vs bf16_bwd(bf16_vs x, bf16_vs dy, bf16_vc a) { return bf16_step(x, dy, a); }
#define LRELU_T bf16
#include "kernel_body.h"
