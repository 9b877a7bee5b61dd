/* The naive loops a user would write, compiled once per ISA: NAIVE_ISA
 * names the suffix (base: the architecture's baseline target). */
#include "naive.h"

#define CAT_(a, b)     a##_##b
#define CAT(a, b)      CAT_(a, b)
#define NAIVE_NAME(fn) CAT(fn, NAIVE_ISA)

void NAIVE_NAME(naive_forward)(const float *x, float *y, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}

void NAIVE_NAME(naive_backward)(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = x[i] > 0.0f ? dy[i] : alpha * dy[i];
}
