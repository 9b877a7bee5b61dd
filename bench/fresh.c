/* Fresh random signs, compiled once per ISA with FRESH_ISA naming the
 * suffix. */
#include "fresh.h"

#include <string.h>

#define CAT_(a, b)     a##_##b
#define CAT(a, b)      CAT_(a, b)
#define FRESH_NAME(fn) CAT(fn, FRESH_ISA)

/* Blocks of 512 values: each lane's generator steps once per block and
 * gives one bit to each of 32 values (bit 31 - j to value 16 j + lane), so
 * the loop vectorises over the 16 lanes. The generator's word is rotated,
 * not shifted, by j: a word of several elements (16-bit, 8-bit) gets a
 * random bit at every element's sign, not only at the top ones. */
static inline uint32_t rotl(uint32_t v, int j) { return j == 0 ? v : v << j | v >> (32 - j); }

void FRESH_NAME(fresh_signs)(struct fresh_state *s, const void *src, void *dst, size_t n,
                             uint32_t random_mask, uint32_t or_mask)
{
    const unsigned char *in = src;
    unsigned char *out = dst;
    uint32_t lane[16];
    memcpy(lane, s->lane, sizeof lane);
    for (size_t i = 0; i < n; i += 512) {
        for (int l = 0; l < 16; l++) {
            lane[l] ^= lane[l] << 13;
            lane[l] ^= lane[l] >> 17;
            lane[l] ^= lane[l] << 5;
        }
        const size_t m = n - i < 512 ? n - i : 512;
        if (m == 512) {
            for (int j = 0; j < 32; j++) {
                uint32_t v[16];
                memcpy(v, in + 4 * (i + 16 * (size_t)j), sizeof v);
                for (int l = 0; l < 16; l++)
                    v[l] = (v[l] ^ (rotl(lane[l], j) & random_mask)) | or_mask;
                memcpy(out + 4 * (i + 16 * (size_t)j), v, sizeof v);
            }
        } else {
            for (size_t k = 0; k < m; k++) {
                uint32_t v;
                memcpy(&v, in + 4 * (i + k), 4);
                v = (v ^ (rotl(lane[k % 16], (int)(k / 16)) & random_mask)) | or_mask;
                memcpy(out + 4 * (i + k), &v, 4);
            }
        }
    }
    memcpy(s->lane, lane, sizeof lane);
}
