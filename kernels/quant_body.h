/*
 * The one shape of every quantized kernel (kernels.h: lrelu_forward_qs8_<isa>
 * and lrelu_forward_qu8_<isa>), included by each ISA file once per type,
 * after it has defined LRELU_ISA, LRELU_Q (qs8 or qu8) and that type's
 * primitives, named <qtype>_<primitive>:
 *
 *   elem                     int8_t or uint8_t
 *   lanes                    elements per step (an enum constant)
 *   vb                       lanes elements as stored
 *   vb   load(const elem *p)           unaligned
 *   void store(elem *p, vb v)          unaligned
 *   and either, with LRELU_OWN_QFWD defined,
 *   vb   fwd(vb x, const qc *c)        the definition (kernels.h), every lane
 *   or the 16-bit form below (LRELU_Q16), from
 *   vw   widen128_lo(vb v), widen128_hi(vb v)  half the lanes each, as int16
 *                                      times 128 (exact: |x| * 128 <= 32640),
 *                                      in an order of the ISA's choosing
 *   vb   narrow(vw lo, vw hi)          lo and hi back in the lanes they came
 *                                      from, saturating to the type
 *   and, with LRELU_Q_PARTS defined (every ISA with more than one lane),
 *   vb   load_part(const elem *p, size_t k)     p[0, k), 0 < k < lanes, in
 *                                      lanes of the ISA's choosing (an
 *                                      element may fill several; the rest
 *                                      hold anything defined)
 *   void store_part(elem *p, size_t k, vb v)    back to p[0, k) from the
 *                                      same lanes, touching no byte past
 *                                      them
 *   (masked byte moves where the ISA has them; else the first and the
 *   last bytes in registers, quant_ends.h)
 *
 * Once per ISA, before the first inclusion: the type qc (the parameters as
 * the kernel wants them) and qc qc_make(const struct lrelu_quant_params *p);
 * with LRELU_Q16 instead, the 16-bit arithmetic, from which this file makes
 * qc and qc_make:
 *
 *   vw   w_set(int16_t v)              broadcast
 *   vw   w_sub(vw a, vw b)             wrapping
 *   vw   w_gt0(vw a)                   all ones where a > 0, else 0
 *   vw   w_sel(vw m, vw t, vw f)       t where m is all ones, f where 0
 *   vw   w_mulhrs(vw a, vw b)          (a * b + 2^14) >> 15, a != -32768
 *   vw   w_adds(vw a, vw b)            saturating
 *
 * The 16-bit form (XNNPACK's x86 and NEON kernels compute the same way):
 * a = (zx - x) * 128 = -d * 128 is exact in int16 (|d| <= 255), so are
 * -Mp and -Mn (kernels.h), and mulhrs(a, -M) = (d * M * 128 + 2^14) >> 15
 * = (d * M + 128) >> 8 exactly, an arithmetic shift. Adding
 * output_zero_point after the shift is exact too (output_zero_point * 256
 * is a multiple of 256); the saturating add and the saturating narrowing
 * both clamp monotonically, so the result is the definition's clamp.
 * Where d = 0, a = 0 and the multiplier chosen does not matter.
 *
 * The loop: four steps at a time, then single steps, then the last
 * (n mod lanes) elements as one overlapping step on the last `lanes`
 * elements, loaded before anything is stored (so in place works: the
 * overlap is recomputed from the original input); 0 < n < lanes in one
 * step of parts (LRELU_Q_PARTS). Reads and writes stay within [0, n).
 */
#include <stdint.h>

#include "kernels.h"

#ifndef LRELU_QUANT_BODY_ONCE
#define LRELU_QUANT_BODY_ONCE

#define LRELU_QCAT_(a, b) a##_##b
#define LRELU_QCAT(a, b)  LRELU_QCAT_(a, b)

#ifdef LRELU_Q16
typedef struct {
    vw zx128, neg_mp, neg_mn, zy;
} qc;

static inline qc qc_make(const struct lrelu_quant_params *p)
{
    qc c;
    c.zx128 = w_set((int16_t)(p->input_zero_point * 128));
    c.neg_mp = w_set((int16_t)-p->positive_multiplier);
    c.neg_mn = w_set((int16_t)-p->negative_multiplier);
    c.zy = w_set((int16_t)p->output_zero_point);
    return c;
}

/* x128: the input times 128 (widen128_lo or _hi). */
static inline vw lrelu_q16_step(vw x128, const qc *c)
{
    const vw a = w_sub(c->zx128, x128); /* -d * 128 */
    const vw m = w_sel(w_gt0(a), c->neg_mn, c->neg_mp);
    return w_adds(w_mulhrs(a, m), c->zy);
}
#endif

#endif /* LRELU_QUANT_BODY_ONCE */

#define Q(name) LRELU_QCAT(LRELU_Q, name)
#define QELEM   Q(elem)
#define QVB     Q(vb)
#define QW      Q(lanes)

#ifndef LRELU_OWN_QFWD
static inline QVB Q(fwd)(QVB x, const qc *c)
{
    return Q(narrow)(lrelu_q16_step(Q(widen128_lo)(x), c), lrelu_q16_step(Q(widen128_hi)(x), c));
}
#endif

int LRELU_QCAT(LRELU_QCAT(lrelu_forward, LRELU_Q), LRELU_ISA)(const void *xv, void *yv, size_t n,
                                                              const struct lrelu_quant_params *p)
{
    const QELEM *x = xv;
    QELEM *y = yv;
    const qc c = qc_make(p);
    if (n < (size_t)QW) {
#ifdef LRELU_Q_PARTS
        if (n != 0)
            Q(store_part)(y, n, Q(fwd)(Q(load_part)(x, n), &c));
#else
        _Static_assert(QW == 1, "an ISA with more than one lane defines LRELU_Q_PARTS");
#endif
        return 0;
    }
    const QVB last = Q(load)(x + n - QW);
    size_t i = 0;
    for (; i + 4 * QW <= n; i += 4 * QW) {
        const QVB x0 = Q(load)(x + i), x1 = Q(load)(x + i + QW);
        const QVB x2 = Q(load)(x + i + 2 * QW), x3 = Q(load)(x + i + 3 * QW);
        Q(store)(y + i, Q(fwd)(x0, &c));
        Q(store)(y + i + QW, Q(fwd)(x1, &c));
        Q(store)(y + i + 2 * QW, Q(fwd)(x2, &c));
        Q(store)(y + i + 3 * QW, Q(fwd)(x3, &c));
    }
    for (; i + QW <= n; i += QW)
        Q(store)(y + i, Q(fwd)(Q(load)(x + i), &c));
    if (i < n)
        Q(store)(y + n - QW, Q(fwd)(last, &c));
    return 0;
}

#undef Q
#undef QELEM
#undef QVB
#undef QW
#undef LRELU_OWN_QFWD
#undef LRELU_Q
