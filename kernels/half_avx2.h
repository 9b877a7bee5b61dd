/*
 * binary16 <-> binary32 on eight lanes with AVX2, as the scalar kernel
 * converts: exact widening, narrowing rounded to nearest even, neither
 * raising an exception nor depending on the rounding mode, FTZ or DAZ. For
 * the AVX2 kernel (its short calls, and widening under DAZ) and the AVX-512
 * kernel where SIMDe emulates AVX-512 (F16C's emulation in SIMDe 0.7
 * converts through the C compiler, which loses NaN payloads and turns +0
 * into -0 when rounding downwards).
 *
 * Narrowing rounds with ROUNDPS, whose own rounding mode and exception
 * suppression make it independent of MXCSR, on a magnitude scaled exactly
 * so that the result's quantum is 1; no per-lane shifts, few constants
 * (the loops keep four vectors in sixteen registers).
 */
#ifndef LRELU_HALF_AVX2_H
#define LRELU_HALF_AVX2_H

#include <simde/x86/avx2.h>

/* Always inlined: a copy out of line returns a 128-bit result with the
 * upper halves of the 256-bit registers in use, which the vzeroupper check
 * rejects (gcc's hardened -O2 build made one when the kernels grew). */
#if defined(__GNUC__)
#define LRELU_H8_INLINE static inline __attribute__((always_inline))
#else
#define LRELU_H8_INLINE static inline
#endif

LRELU_H8_INLINE simde__m256i h8_i32(int32_t v) { return simde_mm256_set1_epi32(v); }

/* Rounded to an integer, nearest even, whatever the rounding mode, raising
 * nothing (ROUNDPS with its own mode and the precision exception
 * suppressed). SIMDe 0.7's portable 256-bit form follows the current
 * rounding mode instead; its 128-bit form rounds to nearest even. */
LRELU_H8_INLINE simde__m256 h8_round(simde__m256 v)
{
    enum { mode = SIMDE_MM_FROUND_TO_NEAREST_INT | SIMDE_MM_FROUND_NO_EXC };
#if defined(SIMDE_X86_AVX_NATIVE)
    return simde_mm256_round_ps(v, mode);
#else
    return simde_mm256_set_m128(simde_mm_round_ps(simde_mm256_extractf128_ps(v, 1), mode),
                                simde_mm_round_ps(simde_mm256_castps256_ps128(v), mode));
#endif
}

/* Exact. The magnitude's bits shifted to binary32's places (t) and rebiased
 * by 112 (twice for infinity and NaN); subnormals as t converted and scaled
 * by 2^-37 (= m * 2^-24, exact, with a normal result). */
LRELU_H8_INLINE simde__m256 half8_widen(simde__m128i v)
{
    const simde__m256i h = simde_mm256_slli_epi32(simde_mm256_cvtepu16_epi32(v), 16);
    const simde__m256i mag = simde_mm256_and_si256(h, h8_i32(0x7fff0000));
    const simde__m256i t = simde_mm256_srli_epi32(mag, 3);
    const simde__m256i bias = h8_i32(112 << 23);
    const simde__m256i special = simde_mm256_cmpgt_epi32(t, h8_i32(0x0f7fffff));
    const simde__m256i normal =
        simde_mm256_add_epi32(simde_mm256_add_epi32(t, bias), simde_mm256_and_si256(special, bias));
    const simde__m256i sub = simde_mm256_castps_si256(
        simde_mm256_mul_ps(simde_mm256_cvtepi32_ps(t), simde_mm256_set1_ps(0x1p-37f)));
    const simde__m256i r =
        simde_mm256_blendv_epi8(sub, normal, simde_mm256_cmpgt_epi32(t, h8_i32((1 << 23) - 1)));
    return simde_mm256_castsi256_ps(simde_mm256_or_si256(r, simde_mm256_xor_si256(h, mag)));
}

/* Round to nearest even; NaN keeps its sign and the top of its payload and
 * becomes quiet; overflow gives infinity. The magnitude (clamped to 2^16)
 * is scaled by 2^(137 - E), E its biased exponent but at least 113 (2^-14),
 * so that the quantum of the result is 1: exact, in [0, 2^11]. Rounded to
 * an integer r, the bits are ((E - 113) << 10) + r: r carries into the
 * exponent when it rounds up to 2^11, and is the whole result below 2^-14
 * (subnormal, or 0x400 for 2^-14). */
LRELU_H8_INLINE simde__m128i half8_narrow(simde__m256 v)
{
    const simde__m256i u = simde_mm256_castps_si256(v),
                       a = simde_mm256_and_si256(u, h8_i32(0x7fffffff));
    const simde__m256i c = simde_mm256_min_epi32(a, h8_i32(0x47800000));
    const simde__m256i e = simde_mm256_max_epi32(simde_mm256_srli_epi32(c, 23), h8_i32(113));
    const simde__m256 scale =
        simde_mm256_castsi256_ps(simde_mm256_slli_epi32(simde_mm256_sub_epi32(h8_i32(264), e), 23));
    const simde__m256i r =
        simde_mm256_cvttps_epi32(h8_round(simde_mm256_mul_ps(simde_mm256_castsi256_ps(c), scale)));
    const simde__m256i bits =
        simde_mm256_add_epi32(simde_mm256_slli_epi32(simde_mm256_sub_epi32(e, h8_i32(113)), 10), r);
    const simde__m256i nan = simde_mm256_or_si256(
        simde_mm256_and_si256(simde_mm256_srli_epi32(a, 13), h8_i32(0x3ff)), h8_i32(0x7e00));
    const simde__m256i h = simde_mm256_or_si256(
        simde_mm256_blendv_epi8(bits, nan, simde_mm256_cmpgt_epi32(a, h8_i32(0x7f800000))),
        simde_mm256_and_si256(simde_mm256_srli_epi32(u, 16), h8_i32(0x8000)));
    return simde_mm_packus_epi32(simde_mm256_castsi256_si128(h),
                                 simde_mm256_extracti128_si256(h, 1));
}

#endif /* LRELU_HALF_AVX2_H */
