/*
 * AVX-512 VBMI: the quantized int8 and uint8 functions as a table lookup.
 *
 * Quantized Leaky ReLU is a function of one byte, y = T[x] for a table T of
 * 256 bytes. The table is built by this file's arithmetic (the 16-bit form
 * of quant_body.h on AVX-512BW, 64 bytes a step, masked below 64) run over
 * the 256 byte values, so it holds the arithmetic's bits, which the tests
 * check against the definition. Then every 64
 * bytes are two VPERMI2B lookups, each into 128 bytes of the table indexed
 * by the low seven bits, and a select on the top bit (VPMOVB2M, VPBLENDMB):
 * a few instructions per 64 bytes instead of the arithmetic's dozens. The
 * last n mod 64 bytes are one step with masked loads and stores, which
 * touch no byte outside the arrays (no fault either: masked-off bytes are
 * not accessed). In place works: each step loads before it stores.
 *
 * Below LRELU_VBMI_MIN_N elements the table would cost more than it saves:
 * the arithmetic runs directly.
 *
 * The float types and PReLU are the AVX-512 kernel's (src/dispatch.c); this
 * file provides only lrelu_forward_qs8_avx512vbmi and
 * lrelu_forward_qu8_avx512vbmi.
 */
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

/* The 16-bit arithmetic of quant_body.h on 32 lanes. */
typedef simde__m512i vw;
static inline vw w_set(int16_t v) { return simde_mm512_set1_epi16(v); }
static inline vw w_sub(vw a, vw b) { return simde_mm512_sub_epi16(a, b); }
static inline vw w_shl7(vw a) { return simde_mm512_slli_epi16(a, 7); }
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

static inline vw widen_lo_s(vb v)
{
    return simde_mm512_cvtepi8_epi16(simde_mm512_castsi512_si256(v));
}
static inline vw widen_hi_s(vb v)
{
    return simde_mm512_cvtepi8_epi16(simde_mm512_extracti64x4_epi64(v, 1));
}
/* Zero-extended: sign-extended, then the high byte cleared (SIMDe 0.7.4
 * has no 512-bit zero extension). */
static inline vw widen_lo_u(vb v)
{
    return simde_mm512_and_si512(widen_lo_s(v), simde_mm512_set1_epi16(0xff));
}
static inline vw widen_hi_u(vb v)
{
    return simde_mm512_and_si512(widen_hi_s(v), simde_mm512_set1_epi16(0xff));
}
/* Packing works within 128-bit lanes: lo's and hi's quarters interleave,
 * which one permute of 64-bit lanes puts back in order. */
static inline vb q_order(vb v)
{
    static const int64_t order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    return simde_mm512_permutexvar_epi64(simde_mm512_loadu_si512(order), v);
}

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
    static inline vw qtype##_widen_lo(vb v) { return widen_lo_##ext(v); }                          \
    static inline vw qtype##_widen_hi(vb v) { return widen_hi_##ext(v); }                          \
    static inline vb qtype##_narrow(vw lo, vw hi) { return q_order(pack(lo, hi)); }
Q_PRIMITIVES(qs8, int8_t, s, simde_mm512_packs_epi16)
Q_PRIMITIVES(qu8, uint8_t, u, simde_mm512_packus_epi16)
int lrelu_forward_qs8_avx512bw(const void *x, void *y, size_t n,
                               const struct lrelu_quant_params *p);
int lrelu_forward_qu8_avx512bw(const void *x, void *y, size_t n,
                               const struct lrelu_quant_params *p);
#define LRELU_Q qs8
#include "quant_body.h"
#define LRELU_Q qu8
#include "quant_body.h"

/* Every byte value, the table's index. */
static const uint8_t all_bytes[256] = {
#define B4(i)  (i), (i) + 1, (i) + 2, (i) + 3
#define B16(i) B4(i), B4((i) + 4), B4((i) + 8), B4((i) + 12)
#define B64(i) B16(i), B16((i) + 16), B16((i) + 32), B16((i) + 48)
    B64(0), B64(64), B64(128), B64(192)
#undef B64
#undef B16
#undef B4
};

struct table {
    vb t0, t1, t2, t3; /* T[0..63], T[64..127], T[128..191], T[192..255] */
};

static inline vb lookup(vb x, const struct table *t)
{
    const vb lo = simde_mm512_permutex2var_epi8(t->t0, x, t->t1);
    const vb hi = simde_mm512_permutex2var_epi8(t->t2, x, t->t3);
    return simde_mm512_mask_blend_epi8(simde_mm512_movepi8_mask(x), lo, hi);
}

static int table_forward(const uint8_t *x, uint8_t *y, size_t n, const uint8_t *tab)
{
    const struct table t = {simde_mm512_loadu_si512(tab), simde_mm512_loadu_si512(tab + 64),
                            simde_mm512_loadu_si512(tab + 128), simde_mm512_loadu_si512(tab + 192)};
    size_t i = 0;
    for (; i + 256 <= n; i += 256) {
        const vb x0 = simde_mm512_loadu_si512(x + i), x1 = simde_mm512_loadu_si512(x + i + 64);
        const vb x2 = simde_mm512_loadu_si512(x + i + 128),
                 x3 = simde_mm512_loadu_si512(x + i + 192);
        simde_mm512_storeu_si512(y + i, lookup(x0, &t));
        simde_mm512_storeu_si512(y + i + 64, lookup(x1, &t));
        simde_mm512_storeu_si512(y + i + 128, lookup(x2, &t));
        simde_mm512_storeu_si512(y + i + 192, lookup(x3, &t));
    }
    for (; i + 64 <= n; i += 64)
        simde_mm512_storeu_si512(y + i, lookup(simde_mm512_loadu_si512(x + i), &t));
    if (i < n)
        store_part(y + i, n - i, lookup(load_part(x + i, n - i), &t));
    return 0;
}

#define LRELU_VBMI_QTYPE(qtype, unused)                                                            \
    int lrelu_forward_##qtype##_avx512vbmi(const void *x, void *y, size_t n,                       \
                                           const struct lrelu_quant_params *p)                     \
    {                                                                                              \
        if (n < LRELU_VBMI_MIN_N)                                                                  \
            return lrelu_forward_##qtype##_avx512bw(x, y, n, p);                                   \
        _Alignas(64) uint8_t tab[256];                                                             \
        lrelu_forward_##qtype##_avx512bw(all_bytes, tab, 256, p);                                  \
        return table_forward(x, y, n, tab);                                                        \
    }
LRELU_FOR_QTYPES(LRELU_VBMI_QTYPE, )
