/* Fresh signs for the benchmark's in-cache inputs: each timed batch runs on
 * arrays whose sign pattern no branch predictor has seen before. Built once
 * per x86 ISA, as the limit loops are; the benchmark uses the best the CPU
 * supports, so that refreshing costs little next to the timed calls. */
#ifndef LRELU_BENCH_FRESH_H
#define LRELU_BENCH_FRESH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The state of 16 xorshift32 generators, one per lane; never all zero. */
struct fresh_state {
    uint32_t lane[16];
};

/* dst[i] = src[i] with its sign bit XORed with a fresh random bit where
 * `random_mask` is 0x80000000 (src holds magnitudes), or with `or_mask`
 * ORed in (0x80000000: every value negative). The same work whatever the
 * masks, so that random, positive and negative inputs cost the same to
 * make. Arrays of floats, handled as their bits; the masks have a bit per
 * element of a 32-bit word (0x80008000 for 16-bit types, 0x80808080 for
 * bytes), each of which gets its own random bit. */
typedef void (*fresh_signs_fn)(struct fresh_state *s, const void *src, void *dst, size_t n,
                               uint32_t random_mask, uint32_t or_mask);

#define FRESH_DECLARE(isa)                                                                         \
    void fresh_signs_##isa(struct fresh_state *s, const void *src, void *dst, size_t n,            \
                           uint32_t random_mask, uint32_t or_mask)

FRESH_DECLARE(base);
FRESH_DECLARE(avx2);
FRESH_DECLARE(avx512);

#ifdef __cplusplus
}
#endif

#endif
