/* The memory limit, measured with the same bytes as the operations:
 * a non-temporal-store copy and a plain vector copy loop (forward's
 * traffic) and a plain two-in, one-out loop (backward's traffic). Built
 * once per x86 ISA; the benchmark uses the best the CPU supports. */
#ifndef LRELU_BENCH_LIMITS_H
#define LRELU_BENCH_LIMITS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Either copy, limit_nt_copy_<isa> or limit_copy_<isa>. */
typedef void (*limit_copy_fn)(const float *src, float *dst, size_t n);
typedef void (*limit_add2_fn)(const float *a, const float *b, float *out, size_t n);

#define LIMIT_DECLARE(isa)                                                                         \
    void limit_nt_copy_##isa(const float *src, float *dst, size_t n);                              \
    void limit_copy_##isa(const float *src, float *dst, size_t n);                                 \
    void limit_add2_##isa(const float *a, const float *b, float *out, size_t n)

LIMIT_DECLARE(base);
LIMIT_DECLARE(avx2);
LIMIT_DECLARE(avx512);

#ifdef __cplusplus
}
#endif

#endif
