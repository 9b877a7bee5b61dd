#ifndef LRELU_BENCH_NAIVE_H
#define LRELU_BENCH_NAIVE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void naive_forward(const float *x, float *y, size_t n, float alpha);
void naive_backward(const float *x, const float *dy, float *dx, size_t n, float alpha);

#ifdef __cplusplus
}
#endif

#endif
