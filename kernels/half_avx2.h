/*
 * binary16 <-> binary32 on eight lanes with AVX2 integer arithmetic, as the
 * scalar kernel converts: exact widening, narrowing rounded to nearest even,
 * neither raising an exception nor depending on the rounding mode, FTZ or
 * DAZ. For the AVX2 kernel (narrowing; widening where F16C is not native)
 * and the AVX-512 kernel where SIMDe emulates AVX-512 (F16C's emulation in
 * SIMDe 0.7 converts through the C compiler, which loses NaN payloads and
 * turns +0 into -0 when rounding downwards).
 */
#ifndef LRELU_HALF_AVX2_H
#define LRELU_HALF_AVX2_H

#include <simde/x86/avx2.h>

static inline simde__m256i h8_i32(int32_t v) { return simde_mm256_set1_epi32(v); }

/* Exact: normal and special codes by rebiasing the bits, subnormals as
 * m * 2^-24 (an exact conversion and an exact multiply with a normal
 * result). */
static inline simde__m256 half8_widen(simde__m128i v)
{
    const simde__m256i h = simde_mm256_cvtepu16_epi32(v);
    const simde__m256i e = simde_mm256_and_si256(h, h8_i32(0x7c00)),
                       m = simde_mm256_and_si256(h, h8_i32(0x3ff));
    const simde__m256i normal = simde_mm256_add_epi32(
        simde_mm256_slli_epi32(simde_mm256_and_si256(h, h8_i32(0x7fff)), 13), h8_i32(112 << 23));
    const simde__m256i special =
        simde_mm256_or_si256(simde_mm256_slli_epi32(m, 13), h8_i32(0x7f800000));
    const simde__m256i sub = simde_mm256_castps_si256(
        simde_mm256_mul_ps(simde_mm256_cvtepi32_ps(m), simde_mm256_set1_ps(0x1p-24f)));
    const simde__m256i r = simde_mm256_blendv_epi8(
        simde_mm256_blendv_epi8(normal, special, simde_mm256_cmpeq_epi32(e, h8_i32(0x7c00))), sub,
        simde_mm256_cmpeq_epi32(e, simde_mm256_setzero_si256()));
    const simde__m256i sign = simde_mm256_slli_epi32(simde_mm256_and_si256(h, h8_i32(0x8000)), 16);
    return simde_mm256_castsi256_ps(simde_mm256_or_si256(r, sign));
}

/* Round to nearest even; NaN keeps its sign and the top of its payload and
 * becomes quiet; overflow gives infinity. Subnormal results are the
 * significand shifted right by 126 - e (e clamped to 101..113). */
static inline simde__m128i half8_narrow(simde__m256 v)
{
    const simde__m256i u = simde_mm256_castps_si256(v),
                       a = simde_mm256_and_si256(u, h8_i32(0x7fffffff));
    const simde__m256i nan = simde_mm256_or_si256(
        simde_mm256_and_si256(simde_mm256_srli_epi32(a, 13), h8_i32(0x3ff)), h8_i32(0x7e00));
    const simde__m256i odd = simde_mm256_and_si256(simde_mm256_srli_epi32(a, 13), h8_i32(1));
    const simde__m256i normal = simde_mm256_srli_epi32(
        simde_mm256_add_epi32(simde_mm256_sub_epi32(a, h8_i32(0x38000000 - 0xfff)), odd), 13);
    const simde__m256i e = simde_mm256_min_epi32(
        simde_mm256_max_epi32(simde_mm256_srli_epi32(a, 23), h8_i32(101)), h8_i32(113));
    const simde__m256i s = simde_mm256_sub_epi32(h8_i32(126), e);
    const simde__m256i sig =
        simde_mm256_or_si256(simde_mm256_and_si256(a, h8_i32(0x7fffff)), h8_i32(0x800000));
    const simde__m256i bias = simde_mm256_sub_epi32(
        simde_mm256_sllv_epi32(h8_i32(1), simde_mm256_sub_epi32(s, h8_i32(1))), h8_i32(1));
    const simde__m256i sodd = simde_mm256_and_si256(simde_mm256_srlv_epi32(sig, s), h8_i32(1));
    const simde__m256i sub =
        simde_mm256_srlv_epi32(simde_mm256_add_epi32(simde_mm256_add_epi32(sig, bias), sodd), s);
    const simde__m256i r = simde_mm256_blendv_epi8(
        simde_mm256_blendv_epi8(
            simde_mm256_blendv_epi8(sub, normal, simde_mm256_cmpgt_epi32(a, h8_i32(0x387fffff))),
            h8_i32(0x7c00), simde_mm256_cmpgt_epi32(a, h8_i32(0x477fffff))),
        nan, simde_mm256_cmpgt_epi32(a, h8_i32(0x7f800000)));
    const simde__m256i h = simde_mm256_or_si256(
        r, simde_mm256_and_si256(simde_mm256_srli_epi32(u, 16), h8_i32(0x8000)));
    return simde_mm_packus_epi32(simde_mm256_castsi256_si128(h),
                                 simde_mm256_extracti128_si256(h, 1));
}

#endif /* LRELU_HALF_AVX2_H */
