/* AVX2: compare to a lane mask, blendv, tails through maskload/maskstore. */
#include <simde/x86/avx2.h>

#define LRELU_ISA avx2
#define LRELU_W   8
#define LRELU_STREAM
typedef simde__m256 vf;
typedef simde__m256 vm;

static inline vf v_set1(float a) { return simde_mm256_set1_ps(a); }
static inline vf v_load(const float *p) { return simde_mm256_loadu_ps(p); }
static inline void v_store(float *p, vf v) { simde_mm256_storeu_ps(p, v); }
static inline vm v_gt0(vf x)
{
    return simde_mm256_cmp_ps(x, simde_mm256_setzero_ps(), SIMDE_CMP_GT_OQ);
}
static inline vf v_mul(vf a, vf b) { return simde_mm256_mul_ps(a, b); }
static inline vf v_select(vm m, vf t, vf f) { return simde_mm256_blendv_ps(f, t, m); }

/* All ones in the lanes below k. */
static inline simde__m256i lanes_below(size_t k)
{
    return simde_mm256_cmpgt_epi32(simde_mm256_set1_epi32((int)k),
                                   simde_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline vf v_load_part(const float *p, size_t k)
{
    return simde_mm256_maskload_ps(p, lanes_below(k));
}
static inline void v_store_part(float *p, size_t k, vf v)
{
    simde_mm256_maskstore_ps(p, lanes_below(k), v);
}
static inline void v_stream(float *p, vf v) { simde_mm256_stream_ps(p, v); }
static inline void v_fence(void) { simde_mm_sfence(); }

#include "kernel_body.h"
