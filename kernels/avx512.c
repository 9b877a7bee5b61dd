/* AVX-512F: compare to a mask register, masked blend, masked tails. */
#include <simde/x86/avx512.h>

#define LRELU_ISA avx512
#define LRELU_W   16
typedef simde__m512 vf;
typedef simde__mmask16 vm;

static inline vf v_set1(float a) { return simde_mm512_set1_ps(a); }
static inline vf v_load(const float *p) { return simde_mm512_loadu_ps(p); }
static inline void v_store(float *p, vf v) { simde_mm512_storeu_ps(p, v); }
static inline vm v_gt0(vf x)
{
    return simde_mm512_cmp_ps_mask(x, simde_mm512_setzero_ps(), SIMDE_CMP_GT_OQ);
}
static inline vf v_mul(vf a, vf b) { return simde_mm512_mul_ps(a, b); }
static inline vf v_select(vm m, vf t, vf f) { return simde_mm512_mask_blend_ps(m, f, t); }

#if defined(SIMDE_X86_AVX512F_NATIVE)
/* SIMDe 0.7.4 has no masked unaligned load/store and no 512-bit streaming
 * store: use the native ones. */
#define LRELU_STREAM
static inline void v_stream(float *p, vf v) { _mm512_stream_ps(p, v); }
static inline void v_fence(void) { _mm_sfence(); }
static inline vf v_load_part(const float *p, size_t k)
{
    return _mm512_maskz_loadu_ps((__mmask16)((1u << k) - 1u), p);
}
static inline void v_store_part(float *p, size_t k, vf v)
{
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << k) - 1u), v);
}
#else
#define LRELU_PART_BY_COPY
#endif

#include "kernel_body.h"
