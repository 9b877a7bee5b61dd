/* The naive loops a user would write, built for the baseline target. */
#include "naive.h"

void naive_forward(const float *x, float *y, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}

void naive_backward(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = x[i] > 0.0f ? dy[i] : alpha * dy[i];
}
