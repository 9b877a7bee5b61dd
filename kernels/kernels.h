/*
 * The kernel interface: every kernel, one per ISA, provides these two
 * functions with the ISA's name as suffix (lrelu_forward_avx2, ...).
 * Arguments are already checked: pointers valid for n floats, alpha finite,
 * an output either equal to an input or disjoint from it. They return 0
 * (LRELU_OK), so that an entry point can end in a tail call.
 */
#ifndef LRELU_KERNELS_H
#define LRELU_KERNELS_H

#include <stddef.h>

typedef int (*lrelu_forward_fn)(const float *x, float *y, size_t n, float alpha);
typedef int (*lrelu_backward_fn)(const float *x, const float *dy, float *dx, size_t n, float alpha);

#define LRELU_DECLARE_KERNEL(isa)                                                                  \
    int lrelu_forward_##isa(const float *x, float *y, size_t n, float alpha);                      \
    int lrelu_backward_##isa(const float *x, const float *dy, float *dx, size_t n, float alpha)

LRELU_DECLARE_KERNEL(scalar);
LRELU_DECLARE_KERNEL(sse2);
LRELU_DECLARE_KERNEL(avx2);
LRELU_DECLARE_KERNEL(avx512);
LRELU_DECLARE_KERNEL(neon);

/* The streaming-store variants (x86): the same results, with the output
 * written by non-temporal stores past a 64-byte-aligned head. The output
 * must be 4-byte aligned. */
LRELU_DECLARE_KERNEL(stream_sse2);
LRELU_DECLARE_KERNEL(stream_avx2);
LRELU_DECLARE_KERNEL(stream_avx512);

#endif /* LRELU_KERNELS_H */
