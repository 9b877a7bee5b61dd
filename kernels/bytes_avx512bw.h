/*
 * AVX-512BW byte parts: the first k <= 64 bytes at p in a vector (zero
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
/* The lowest k <= 64 bits set (two shifts: no shift by 64). */
static inline __mmask64 below64(size_t k)
{
    return (__mmask64)(((UINT64_C(1) << (k / 2)) << (k - k / 2)) - 1u);
}
/* The load through the stack, out of line: a caller then needs no stack
 * frame of its own for the buffer (an aligned one costs every call of a
 * short array). */
static __attribute__((noinline)) vb load_part_copy(const uint8_t *p, size_t k)
{
    uint8_t b[64] = {0};
    memcpy(b, p, k);
    return _mm512_loadu_si512(b);
}
/* SIMDe 0.7.4 has no masked unaligned byte load/store: the native ones;
 * the load through the stack where it would be slow (lrelu_masked_crossing,
 * kernels.h; a part load here is outside every loop). */
static inline vb load_part(const uint8_t *p, size_t k)
{
    if (__builtin_expect(lrelu_masked_crossing(p, k), 0))
        return load_part_copy(p, k);
    return _mm512_maskz_loadu_epi8(below64(k), p);
}
static inline void store_part(uint8_t *p, size_t k, vb v)
{
    _mm512_mask_storeu_epi8(p, below64(k), v);
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
