#ifndef LRELU_BENCH_NAIVE_H
#define LRELU_BENCH_NAIVE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NAIVE_DECLARE(isa)                                                                         \
    void naive_forward_##isa(const float *x, float *y, size_t n, float alpha);                     \
    void naive_backward_##isa(const float *x, const float *dy, float *dx, size_t n, float alpha)

NAIVE_DECLARE(base);
NAIVE_DECLARE(avx2);
NAIVE_DECLARE(avx512);

#ifdef __cplusplus
}
#endif

#endif
