/*
 * The public entry points: check the arguments, then one indirect tail call
 * into the active kernel. Nothing is written unless every check passes.
 */
#include <math.h>
#include <stdint.h>

#include "config.h"
#include "dispatch.h"
#include "lrelu.h"

#define UNLIKELY(c) __builtin_expect(!!(c), 0)

/* Whether p is NULL, or p + bytes wraps the address space: with
 * last = UINTPTR_MAX - bytes, one compare (NULL - 1 is UINTPTR_MAX). */
static int bad_array(const void *p, uintptr_t last) { return (uintptr_t)p - 1 >= last; }

/* out and in share some byte but are not the very same array:
 * 0 < |out - in| < bytes, with bytes <= SIZE_MAX / 4. */
static int partial_overlap(const void *out, const void *in, uintptr_t bytes)
{
    const uintptr_t d = (uintptr_t)out - (uintptr_t)in;
    return d != 0 && d + (bytes - 1) < 2 * bytes - 1;
}

static const unsigned known_flags = LRELU_STORE_STREAM | LRELU_STORE_CACHED;

/* alpha finite, flags known and not contradictory. */
static int valid_params(float alpha, unsigned flags)
{
    return isfinite(alpha) && (flags & ~known_flags) == 0 && flags != known_flags;
}

/* Whether an out-of-place call of n elements stores with the streaming
 * variant: automatically from min_n elements on, or when the caller asks;
 * never when asked not to, when the kernel has none (then min_n is
 * SIZE_MAX), or when the output is not float-aligned. */
static int streams(int has_stream, const void *out, size_t n, size_t min_n, unsigned flags)
{
    if (flags == LRELU_STORE_AUTO ? n < min_n : flags != LRELU_STORE_STREAM)
        return 0;
    return has_stream && ((uintptr_t)out & (sizeof(float) - 1)) == 0;
}

static int forward(const float *x, float *y, size_t n, float alpha, unsigned flags)
{
    if (UNLIKELY(!valid_params(alpha, flags)))
        return LRELU_EINVAL;
    if (UNLIKELY(n == 0))
        return LRELU_OK;
    const uintptr_t bytes = n * sizeof(float), last = UINTPTR_MAX - bytes;
    if (UNLIKELY(n > SIZE_MAX / sizeof(float) || bad_array(x, last) || bad_array(y, last)))
        return LRELU_EINVAL;
    if (UNLIKELY(partial_overlap(y, x, bytes)))
        return LRELU_EOVERLAP;
    const struct lrelu_kernel *k = lrelu_current();
    if (UNLIKELY(streams(k->forward_stream != NULL, y, n, k->stream_min_forward, flags) && y != x))
        return k->forward_stream(x, y, n, alpha);
    return k->forward(x, y, n, alpha);
}

static int backward(const float *x, const float *dy, float *dx, size_t n, float alpha,
                    unsigned flags)
{
    if (UNLIKELY(!valid_params(alpha, flags)))
        return LRELU_EINVAL;
    if (UNLIKELY(n == 0))
        return LRELU_OK;
    const uintptr_t bytes = n * sizeof(float), last = UINTPTR_MAX - bytes;
    if (UNLIKELY(n > SIZE_MAX / sizeof(float) || bad_array(x, last) || bad_array(dy, last) ||
                 bad_array(dx, last)))
        return LRELU_EINVAL;
    if (UNLIKELY(partial_overlap(dx, x, bytes) || partial_overlap(dx, dy, bytes)))
        return LRELU_EOVERLAP;
    const struct lrelu_kernel *k = lrelu_current();
    if (UNLIKELY(streams(k->backward_stream != NULL, dx, n, k->stream_min_backward, flags) &&
                 dx != x && dx != dy))
        return k->backward_stream(x, dy, dx, n, alpha);
    return k->backward(x, dy, dx, n, alpha);
}

/* For alpha >= 0 (including -0.0), y > 0 exactly when x > 0. */
static int backward_from_output(const float *y, const float *dy, float *dx, size_t n, float alpha,
                                unsigned flags)
{
    if (UNLIKELY(alpha < 0.0f))
        return LRELU_EINVAL;
    return backward(y, dy, dx, n, alpha, flags);
}

int lrelu_forward(const float *x, float *y, size_t n, float alpha)
{
    return forward(x, y, n, alpha, LRELU_STORE_AUTO);
}

int lrelu_backward(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    return backward(x, dy, dx, n, alpha, LRELU_STORE_AUTO);
}

int lrelu_backward_from_output(const float *y, const float *dy, float *dx, size_t n, float alpha)
{
    return backward_from_output(y, dy, dx, n, alpha, LRELU_STORE_AUTO);
}

int lrelu_forward_ex(const float *x, float *y, size_t n, float alpha, unsigned flags)
{
    return forward(x, y, n, alpha, flags);
}

int lrelu_backward_ex(const float *x, const float *dy, float *dx, size_t n, float alpha,
                      unsigned flags)
{
    return backward(x, dy, dx, n, alpha, flags);
}

int lrelu_backward_from_output_ex(const float *y, const float *dy, float *dx, size_t n, float alpha,
                                  unsigned flags)
{
    return backward_from_output(y, dy, dx, n, alpha, flags);
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
