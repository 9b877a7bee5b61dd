/*
 * AVX-512BW: the quantized int8 and uint8 functions in the 16-bit form of
 * quant_body.h, 64 bytes a step (two vectors of 32 16-bit lanes), the
 * last n mod 64 bytes one step with masked loads and stores (which touch
 * no byte outside the arrays).
 *
 * A level above avx512 for the CPUs with AVX-512BW but not VBMI (Intel's
 * Skylake-SP to Cooper Lake): the avx512 kernel is AVX-512F only, whose
 * quantized step works on 128-bit quarters. The float types and PReLU are
 * the AVX-512 kernel's (src/dispatch.c). The avx512vbmi level uses these
 * functions below LRELU_VBMI_MIN_N elements and to build its table.
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
