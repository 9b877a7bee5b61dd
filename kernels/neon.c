/* NEON (AArch64 Advanced SIMD): compare, bit select, exact tails by copy. */
#include <simde/arm/neon.h>

#define LRELU_ISA neon
#define LRELU_W   4
#define LRELU_PART_BY_COPY
typedef simde_float32x4_t vf;
typedef simde_uint32x4_t vm;

static inline vf v_set1(float a) { return simde_vdupq_n_f32(a); }
static inline vf v_load(const float *p) { return simde_vld1q_f32(p); }
static inline void v_store(float *p, vf v) { simde_vst1q_f32(p, v); }
static inline vm v_gt0(vf x) { return simde_vcgtq_f32(x, simde_vdupq_n_f32(0.0f)); }
static inline vf v_mul(vf a, vf b) { return simde_vmulq_f32(a, b); }
static inline vf v_select(vm m, vf t, vf f) { return simde_vbslq_f32(m, t, f); }

#include "kernel_body.h"
