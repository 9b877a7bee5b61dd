/*
 * AVX-512 VBMI: the quantized int8 and uint8 functions as a table lookup.
 *
 * Quantized Leaky ReLU is a function of one byte, y = T[x] for a table T of
 * 256 bytes. The table is built by the avx512bw level's arithmetic (the
 * 16-bit form of quant_body.h, avx512bw.c) run over the 256 byte values,
 * so it holds the arithmetic's bits, which the tests check against the
 * definition. Then every 64
 * bytes are two VPERMI2B lookups, each into 128 bytes of the table indexed
 * by the low seven bits, and a select on the top bit (VPMOVB2M, VPBLENDMB):
 * a few instructions per 64 bytes instead of the arithmetic's dozens. The
 * last n mod 64 bytes are one step with masked loads and stores, which
 * touch no byte outside the arrays (no fault either: masked-off bytes are
 * not accessed). In place works: each step loads before it stores.
 *
 * Below LRELU_VBMI_MIN_N elements the table would cost more than it saves:
 * the avx512bw arithmetic runs directly.
 *
 * The float types and PReLU are the AVX-512 kernel's (src/dispatch.c); this
 * file provides only lrelu_forward_qs8_avx512vbmi and
 * lrelu_forward_qu8_avx512vbmi.
 */
#include <stdint.h>
#include <string.h>

#include <simde/x86/avx512.h>

#include "bytes_avx512bw.h"
#include "kernels.h"

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

/* The table's path in a function of its own: the short calls' path is
 * then a jump to avx512bw's function, without the table's aligned frame. */
#define LRELU_VBMI_QTYPE(qtype, unused)                                                            \
    static __attribute__((noinline)) int qtype##_by_table(const void *x, void *y, size_t n,        \
                                                          const struct lrelu_quant_params *p)      \
    {                                                                                              \
        _Alignas(64) uint8_t tab[256];                                                             \
        lrelu_forward_##qtype##_avx512bw(all_bytes, tab, 256, p);                                  \
        return table_forward(x, y, n, tab);                                                        \
    }                                                                                              \
    int lrelu_forward_##qtype##_avx512vbmi(const void *x, void *y, size_t n,                       \
                                           const struct lrelu_quant_params *p)                     \
    {                                                                                              \
        if (n < LRELU_VBMI_MIN_N)                                                                  \
            return lrelu_forward_##qtype##_avx512bw(x, y, n, p);                                   \
        return qtype##_by_table(x, y, n, p);                                                       \
    }
LRELU_FOR_QTYPES(LRELU_VBMI_QTYPE, )
