/* SSE2: no blend instruction, so the select is and / andnot / or. */
#include <simde/x86/sse2.h>

#define LRELU_ISA sse2
#define LRELU_W   4
#define LRELU_PART_BY_COPY
#define LRELU_STREAM
typedef simde__m128 vf;
typedef simde__m128 vm;

static inline vf v_set1(float a) { return simde_mm_set1_ps(a); }
static inline vf v_load(const float *p) { return simde_mm_loadu_ps(p); }
static inline void v_store(float *p, vf v) { simde_mm_storeu_ps(p, v); }
static inline vm v_gt0(vf x) { return simde_mm_cmpgt_ps(x, simde_mm_setzero_ps()); }
static inline vf v_mul(vf a, vf b) { return simde_mm_mul_ps(a, b); }
static inline vf v_select(vm m, vf t, vf f)
{
    return simde_mm_or_ps(simde_mm_and_ps(m, t), simde_mm_andnot_ps(m, f));
}
static inline void v_stream(float *p, vf v) { simde_mm_stream_ps(p, v); }
static inline void v_fence(void) { simde_mm_sfence(); }

#include "kernel_body.h"
