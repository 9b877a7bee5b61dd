/*
 * Short quantized arrays in registers: the first and the last bytes of
 * p[0, n), 0 < n <= 16, as two 64-bit words (lo from the lower addresses):
 * p[0, 8) and p[n - 8, n) from 8 on, p[0, 4) and p[n - 4, n) from 4 on,
 * else p[0], p[n / 2], p[n - 1] in lo. The two may hold a byte twice; being
 * one input, both copies compute the same output. The part primitives of
 * quant_body.h move these words to and from a vector, so that a short array
 * never makes the trip through a buffer on the stack, whose wide load right
 * after narrow stores (a store-to-load forwarding stall) costs more than
 * the arithmetic.
 */
#ifndef LRELU_QUANT_ENDS_H
#define LRELU_QUANT_ENDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct lrelu_q_ends {
    uint64_t lo, hi;
};

static inline struct lrelu_q_ends lrelu_q_ends_load(const void *pv, size_t n)
{
    const unsigned char *p = pv;
    struct lrelu_q_ends e = {0, 0};
    if (n >= 8) {
        memcpy(&e.lo, p, 8);
        memcpy(&e.hi, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        e.lo = a;
        e.hi = b;
    } else {
        e.lo = p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
    }
    return e;
}

static inline void lrelu_q_ends_store(void *pv, size_t n, struct lrelu_q_ends e)
{
    unsigned char *p = pv;
    if (n >= 8) {
        memcpy(p + n - 8, &e.hi, 8);
        memcpy(p, &e.lo, 8);
    } else if (n >= 4) {
        const uint32_t a = (uint32_t)e.lo, b = (uint32_t)e.hi;
        memcpy(p + n - 4, &b, 4);
        memcpy(p, &a, 4);
    } else {
        p[n - 1] = (unsigned char)(e.lo >> 16);
        p[n / 2] = (unsigned char)(e.lo >> 8);
        p[0] = (unsigned char)e.lo;
    }
}

#if defined(SIMDE_X86_SSE2_H)
/* On x86 (a file that has included SIMDe's SSE2 or a later x86 header):
 * the two words as the lower and upper halves of a 128-bit vector. */
static inline simde__m128i lrelu_q_ends_to_m128(struct lrelu_q_ends e)
{
    return simde_mm_set_epi64x((int64_t)e.hi, (int64_t)e.lo);
}
static inline struct lrelu_q_ends lrelu_q_ends_of_m128(simde__m128i v)
{
    return (struct lrelu_q_ends){(uint64_t)simde_mm_cvtsi128_si64(v),
                                 (uint64_t)simde_mm_cvtsi128_si64(simde_mm_unpackhi_epi64(v, v))};
}
#endif

#endif /* LRELU_QUANT_ENDS_H */
