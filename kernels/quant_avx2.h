/*
 * The 16-bit arithmetic and the int8 / uint8 primitives of the quantized
 * kernels (quant_body.h) on 256-bit AVX2 vectors, 32 elements a step:
 * shared by the AVX2 kernel and the AVX-512 kernel's emulated build.
 */
#ifndef LRELU_QUANT_AVX2_H
#define LRELU_QUANT_AVX2_H

#include <simde/x86/avx2.h>
#include <stdint.h>

#include "quant_ends.h"

typedef simde__m256i vw;
static inline vw w_set(int16_t v) { return simde_mm256_set1_epi16(v); }
static inline vw w_sub(vw a, vw b) { return simde_mm256_sub_epi16(a, b); }
static inline vw w_gt0(vw a) { return simde_mm256_cmpgt_epi16(a, simde_mm256_setzero_si256()); }
static inline vw w_sel(vw m, vw t, vw f) { return simde_mm256_blendv_epi8(f, t, m); }
static inline vw w_mulhrs(vw a, vw b) { return simde_mm256_mulhrs_epi16(a, b); }
static inline vw w_adds(vw a, vw b) { return simde_mm256_adds_epi16(a, b); }
#define LRELU_Q16

/* Widening times 128: each byte unpacked into the upper half of a 16-bit
 * lane (x * 256), then shifted down by one, arithmetically for int8. The
 * unpacks work within 128-bit halves (lo: bytes 0-7 and 16-23, hi: 8-15
 * and 24-31), as the saturating packs do, which so put them back in
 * order. */
static inline vw q_lo256(simde__m256i v)
{
    return simde_mm256_unpacklo_epi8(simde_mm256_setzero_si256(), v);
}
static inline vw q_hi256(simde__m256i v)
{
    return simde_mm256_unpackhi_epi8(simde_mm256_setzero_si256(), v);
}
static inline simde__m256i q_load(const void *p)
{
    return simde_mm256_loadu_si256((const simde__m256i *)p);
}
static inline void q_store(void *p, simde__m256i v)
{
    simde_mm256_storeu_si256((simde__m256i *)p, v);
}
/* Parts, in registers: from 16 bytes on, the first and the last 16 as the
 * two halves; below, the first and the last bytes (quant_ends.h). */
static inline simde__m256i q_load_part(const void *p, size_t k)
{
    const unsigned char *b = p;
    if (k >= 16)
        return simde_mm256_loadu2_m128i((const simde__m128i *)(const void *)(b + k - 16),
                                        (const simde__m128i *)p);
    return simde_mm256_zextsi128_si256(lrelu_q_ends_to_m128(lrelu_q_ends_load(p, k)));
}
static inline void q_store_part(void *p, size_t k, simde__m256i v)
{
    unsigned char *b = p;
    if (k >= 16)
        simde_mm256_storeu2_m128i((simde__m128i *)(void *)(b + k - 16), (simde__m128i *)p, v);
    else
        lrelu_q_ends_store(p, k, lrelu_q_ends_of_m128(simde_mm256_castsi256_si128(v)));
}
#define LRELU_Q_PARTS

typedef int8_t qs8_elem;
typedef simde__m256i qs8_vb;
enum { qs8_lanes = 32 };
static inline qs8_vb qs8_load(const int8_t *p) { return q_load(p); }
static inline void qs8_store(int8_t *p, qs8_vb v) { q_store(p, v); }
static inline qs8_vb qs8_load_part(const int8_t *p, size_t k) { return q_load_part(p, k); }
static inline void qs8_store_part(int8_t *p, size_t k, qs8_vb v) { q_store_part(p, k, v); }
static inline vw qs8_widen128_lo(qs8_vb v) { return simde_mm256_srai_epi16(q_lo256(v), 1); }
static inline vw qs8_widen128_hi(qs8_vb v) { return simde_mm256_srai_epi16(q_hi256(v), 1); }
static inline qs8_vb qs8_narrow(vw lo, vw hi) { return simde_mm256_packs_epi16(lo, hi); }

typedef uint8_t qu8_elem;
typedef simde__m256i qu8_vb;
enum { qu8_lanes = 32 };
static inline qu8_vb qu8_load(const uint8_t *p) { return q_load(p); }
static inline void qu8_store(uint8_t *p, qu8_vb v) { q_store(p, v); }
static inline qu8_vb qu8_load_part(const uint8_t *p, size_t k) { return q_load_part(p, k); }
static inline void qu8_store_part(uint8_t *p, size_t k, qu8_vb v) { q_store_part(p, k, v); }
static inline vw qu8_widen128_lo(qu8_vb v) { return simde_mm256_srli_epi16(q_lo256(v), 1); }
static inline vw qu8_widen128_hi(qu8_vb v) { return simde_mm256_srli_epi16(q_hi256(v), 1); }
static inline qu8_vb qu8_narrow(vw lo, vw hi) { return simde_mm256_packus_epi16(lo, hi); }

#endif /* LRELU_QUANT_AVX2_H */
