/*
 * The public entry points: check the arguments, then one indirect call into
 * the active kernel. Nothing is written unless every check passes.
 */
#include <math.h>
#include <stdint.h>

#include "config.h"
#include "dispatch.h"
#include "lrelu.h"

#define UNLIKELY(c) __builtin_expect(!!(c), 0)

/* p holds n > 0 floats and its byte range does not wrap the address space. */
static int valid_array(const void *p, size_t n)
{
    return p != NULL && n <= SIZE_MAX / sizeof(float) &&
           (uintptr_t)p <= UINTPTR_MAX - n * sizeof(float);
}

/* out and in share some byte but are not the very same array. */
static int partial_overlap(const void *out, const void *in, size_t n)
{
    const uintptr_t o = (uintptr_t)out, i = (uintptr_t)in, bytes = n * sizeof(float);
    return o != i && o < i + bytes && i < o + bytes;
}

int lrelu_forward(const float *x, float *y, size_t n, float alpha)
{
    if (UNLIKELY(!isfinite(alpha)))
        return LRELU_EINVAL;
    if (UNLIKELY(n == 0))
        return LRELU_OK;
    if (UNLIKELY(!valid_array(x, n) || !valid_array(y, n)))
        return LRELU_EINVAL;
    if (UNLIKELY(partial_overlap(y, x, n)))
        return LRELU_EOVERLAP;
    lrelu_current()->forward(x, y, n, alpha);
    return LRELU_OK;
}

int lrelu_backward(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    if (UNLIKELY(!isfinite(alpha)))
        return LRELU_EINVAL;
    if (UNLIKELY(n == 0))
        return LRELU_OK;
    if (UNLIKELY(!valid_array(x, n) || !valid_array(dy, n) || !valid_array(dx, n)))
        return LRELU_EINVAL;
    if (UNLIKELY(partial_overlap(dx, x, n) || partial_overlap(dx, dy, n)))
        return LRELU_EOVERLAP;
    lrelu_current()->backward(x, dy, dx, n, alpha);
    return LRELU_OK;
}

int lrelu_backward_from_output(const float *y, const float *dy, float *dx, size_t n, float alpha)
{
    /* For alpha >= 0 (including -0.0), y > 0 exactly when x > 0. */
    if (UNLIKELY(alpha < 0.0f))
        return LRELU_EINVAL;
    return lrelu_backward(y, dy, dx, n, alpha);
}

const char *lrelu_strerror(int status)
{
    switch (status) {
    case LRELU_OK:
        return "success";
    case LRELU_EINVAL:
        return "invalid argument (NULL array, non-finite alpha, size out of range, or "
               "negative alpha for backward from output)";
    case LRELU_EOVERLAP:
        return "an output array partially overlaps an input array";
    case LRELU_EUNSUPPORTED:
        return "kernel unknown, not compiled in, not supported by this CPU, or above "
               "LRELU_MAX_ISA";
    default:
        return "unknown liblrelu status code";
    }
}

const char *lrelu_version(void) { return LRELU_VERSION_STRING; }
