/*
 * AVX-512BW byte parts: the first k < 64 bytes at p in a vector (zero
 * above), reading those bytes and no other, and the first k bytes of v
 * stored at p, writing those and no other. For the kernels built with
 * AVX-512BW (avx512bw.c, avx512vbmi.c).
 */
#ifndef LRELU_BYTES_AVX512BW_H
#define LRELU_BYTES_AVX512BW_H

#include <stdint.h>
#include <string.h>

#include <simde/x86/avx512.h>

#include "kernels.h"

typedef simde__m512i vb;

#if defined(SIMDE_X86_AVX512BW_NATIVE)
/* SIMDe 0.7.4 has no masked unaligned byte load/store: the native ones;
 * the load through the stack where it would be slow (lrelu_masked_crossing,
 * kernels.h; a part load here is outside every loop). */
static inline vb load_part(const uint8_t *p, size_t k)
{
    if (lrelu_masked_crossing(p, k)) {
        uint8_t b[64] = {0};
        memcpy(b, p, k);
        return _mm512_loadu_si512(b);
    }
    return _mm512_maskz_loadu_epi8((__mmask64)((UINT64_C(1) << k) - 1u), p);
}
static inline void store_part(uint8_t *p, size_t k, vb v)
{
    _mm512_mask_storeu_epi8(p, (__mmask64)((UINT64_C(1) << k) - 1u), v);
}
#else
/* Emulated (SIMDE_NO_NATIVE): through a copy on the stack. */
static inline vb load_part(const uint8_t *p, size_t k)
{
    uint8_t b[64] = {0};
    memcpy(b, p, k);
    return simde_mm512_loadu_si512(b);
}
static inline void store_part(uint8_t *p, size_t k, vb v)
{
    uint8_t b[64];
    simde_mm512_storeu_si512(b, v);
    memcpy(p, b, k);
}
#endif

#endif /* LRELU_BYTES_AVX512BW_H */
