/*
 * The scalar reference: the contract written as C. Every other kernel must
 * give exactly these bits.
 */
#include "kernels.h"

int lrelu_forward_scalar(const float *x, float *y, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : alpha * v;
    }
    return 0;
}

int lrelu_backward_scalar(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++) {
        const float g = dy[i];
        dx[i] = x[i] > 0.0f ? g : alpha * g;
    }
    return 0;
}
