/*
 * The public entry points: check the arguments, then one indirect tail call
 * into the active kernel's function for the operation and element type.
 * Every operation and type goes through the same checks (check_call);
 * nothing is written unless every check passes.
 */
#include <math.h>
#include <stdint.h>

#include "config.h"
#include "dispatch.h"
#include "lrelu.h"
#include "parallel.h"

#define UNLIKELY(c) __builtin_expect(!!(c), 0)

/* Whether p is NULL, or p + bytes wraps the address space: with
 * last = UINTPTR_MAX - bytes, one compare (NULL - 1 is UINTPTR_MAX). */
static inline int bad_array(const void *p, uintptr_t last) { return (uintptr_t)p - 1 >= last; }

/* out and in share some byte but are not the very same array: their
 * distance, either way round, is below bytes. No sum that could wrap,
 * whatever the size of the address space. */
static inline int partial_overlap(const void *out, const void *in, uintptr_t bytes)
{
    const uintptr_t d = (uintptr_t)out - (uintptr_t)in;
    return d != 0 && (d < bytes || 0 - d < bytes);
}

static const unsigned known_flags = LRELU_STORE_STREAM | LRELU_STORE_CACHED;

/* Flags known and not contradictory. */
static inline int valid_flags(unsigned flags)
{
    return (flags & ~known_flags) == 0 && flags != known_flags;
}

/*
 * The rules every call follows, in this order: a bad alpha or flags is
 * LRELU_EINVAL whatever n is; n == 0 is LRELU_OK (NULL accepted); then a
 * NULL array or a byte range that does not fit in the address space is
 * LRELU_EINVAL, and an output partially overlapping an input
 * LRELU_EOVERLAP. dy is the second input of backward (binary), unused by
 * forward. Returns 1 when the kernel should run, else stores the status in
 * *status.
 */
static inline int check_call(int params_ok, int binary, const void *in, const void *dy,
                             const void *out, size_t n, size_t size, int *status)
{
    *status = LRELU_OK;
    if (UNLIKELY(!params_ok)) {
        *status = LRELU_EINVAL;
        return 0;
    }
    if (UNLIKELY(n == 0))
        return 0;
    const uintptr_t bytes = n * size, last = UINTPTR_MAX - bytes;
    if (UNLIKELY(n > SIZE_MAX / size || bad_array(in, last) || bad_array(out, last) ||
                 (binary && bad_array(dy, last)))) {
        *status = LRELU_EINVAL;
        return 0;
    }
    if (UNLIKELY(partial_overlap(out, in, bytes) || (binary && partial_overlap(out, dy, bytes)))) {
        *status = LRELU_EOVERLAP;
        return 0;
    }
    return 1;
}

/* Whether an out-of-place call of n elements stores with the streaming
 * variant: automatically from min_n elements on, or when the caller asks;
 * never when asked not to, when the kernel has none (then min_n is
 * SIZE_MAX), or when the output is not aligned to its element. */
static inline int streams(int has_stream, const void *out, size_t size, size_t n, size_t min_n,
                          unsigned flags)
{
    if (flags == LRELU_STORE_AUTO ? n < min_n : flags != LRELU_STORE_STREAM)
        return 0;
    return has_stream && ((uintptr_t)out & (size - 1)) == 0;
}

/*
 * A large call cut into chunks, one task each. The chunks after the first
 * start on 64-byte boundaries of the output (where the output is aligned to
 * its element, as streaming needs): no two threads write one cache line,
 * and a streaming chunk stores whole lines. Every chunk runs the same
 * kernel function, chosen (streaming or not) for the whole call.
 */
struct split_call {
    lrelu_forward_fn forward; /* one of forward and backward is set */
    lrelu_backward_fn backward;
    const char *x, *dy;
    char *out;
    size_t size, n, head, line, lines, count;
    double alpha;
};

/* First element of chunk i: line boundaries shared out evenly. */
static size_t chunk_start(const struct split_call *c, size_t i)
{
    if (i == 0)
        return 0;
    if (i >= c->count)
        return c->n;
    const size_t q = c->lines / c->count, r = c->lines % c->count;
    const size_t start = c->head + (i * q + (i < r ? i : r)) * c->line;
    return start < c->n ? start : c->n;
}

static void split_task(void *arg, size_t i)
{
    const struct split_call *c = arg;
    const size_t b = chunk_start(c, i), e = chunk_start(c, i + 1);
    if (e <= b)
        return;
    const size_t off = b * c->size;
    if (c->forward != NULL)
        c->forward(c->x + off, c->out + off, e - b, c->alpha);
    else
        c->backward(c->x + off, c->dy + off, c->out + off, e - b, c->alpha);
}

static __attribute__((noinline)) int split(lrelu_forward_fn f, lrelu_backward_fn b, size_t size,
                                           const void *x, const void *dy, void *out, size_t n,
                                           double alpha)
{
    struct lrelu_parallel p;
    lrelu_parallel_get(&p);
    const size_t bytes = n * size;
    /* Bytes read + written, saturating (n * size fits, 3 * n * size may not). */
    const size_t k = f != NULL ? 2 : 3;
    const size_t total = bytes > SIZE_MAX / k ? SIZE_MAX : k * bytes;
    const size_t count = lrelu_parallel_tasks(&p, total);
    if (count < 2)
        return f != NULL ? f(x, out, n, alpha) : b(x, dy, out, n, alpha);
    const size_t line = LRELU_LINE_BYTES / size;
    const uintptr_t o = (uintptr_t)out;
    size_t head = (o & (size - 1)) == 0 ? ((0 - o) & (LRELU_LINE_BYTES - 1)) / size : 0;
    head = head < n ? head : n;
    struct split_call c = {
        f, b, x, dy, out, size, n, head, line, (n - head + line - 1) / line, count, alpha};
    lrelu_parallel_run(&p, split_task, &c, count);
    return LRELU_OK;
}

static inline int forward(enum lrelu_type t, size_t size, const void *x, void *y, size_t n,
                          double alpha, int params_ok, unsigned flags)
{
    int status;
    if (UNLIKELY(!check_call(params_ok && valid_flags(flags), 0, x, NULL, y, n, size, &status)))
        return status;
    const struct lrelu_kernel *k = lrelu_current();
    const lrelu_forward_fn s = k->stream.forward[t];
    const int stream =
        streams(s != NULL, y, size, n, k->stream_min[LRELU_OP_FORWARD][t], flags) && y != x;
    if (UNLIKELY(n >= lrelu_split_min_n(LRELU_OP_FORWARD, t)))
        return split(stream ? s : k->fns.forward[t], NULL, size, x, NULL, y, n, alpha);
    if (UNLIKELY(stream))
        return s(x, y, n, alpha);
    return k->fns.forward[t](x, y, n, alpha);
}

/* Backward, and backward from the output (with y as x): for alpha >= 0
 * (including -0.0), y > 0 exactly when x > 0. */
static inline int backward(enum lrelu_type t, size_t size, const void *x, const void *dy, void *dx,
                           size_t n, double alpha, int params_ok, unsigned flags)
{
    int status;
    if (UNLIKELY(!check_call(params_ok && valid_flags(flags), 1, x, dy, dx, n, size, &status)))
        return status;
    const struct lrelu_kernel *k = lrelu_current();
    const lrelu_backward_fn s = k->stream.backward[t];
    const int stream =
        streams(s != NULL, dx, size, n, k->stream_min[LRELU_OP_BACKWARD][t], flags) && dx != x &&
        dx != dy;
    if (UNLIKELY(n >= lrelu_split_min_n(LRELU_OP_BACKWARD, t)))
        return split(NULL, stream ? s : k->fns.backward[t], size, x, dy, dx, n, alpha);
    if (UNLIKELY(stream))
        return s(x, dy, dx, n, alpha);
    return k->fns.backward[t](x, dy, dx, n, alpha);
}

/* The entry points of one element type: the plain functions store with
 * LRELU_STORE_AUTO, the _ex ones take the flags. */
#define ENTRY_POINTS(sfx, elem, alpha_t, type)                                                     \
    int lrelu_forward##sfx##_ex(const elem *x, elem *y, size_t n, alpha_t alpha, unsigned flags)   \
    {                                                                                              \
        return forward(LRELU_TYPE_##type, sizeof(elem), x, y, n, alpha, isfinite(alpha), flags);   \
    }                                                                                              \
    int lrelu_forward##sfx(const elem *x, elem *y, size_t n, alpha_t alpha)                        \
    {                                                                                              \
        return forward(LRELU_TYPE_##type, sizeof(elem), x, y, n, alpha, isfinite(alpha),           \
                       LRELU_STORE_AUTO);                                                          \
    }                                                                                              \
    int lrelu_backward##sfx##_ex(const elem *x, const elem *dy, elem *dx, size_t n, alpha_t alpha, \
                                 unsigned flags)                                                   \
    {                                                                                              \
        return backward(LRELU_TYPE_##type, sizeof(elem), x, dy, dx, n, alpha, isfinite(alpha),     \
                        flags);                                                                    \
    }                                                                                              \
    int lrelu_backward##sfx(const elem *x, const elem *dy, elem *dx, size_t n, alpha_t alpha)      \
    {                                                                                              \
        return backward(LRELU_TYPE_##type, sizeof(elem), x, dy, dx, n, alpha, isfinite(alpha),     \
                        LRELU_STORE_AUTO);                                                         \
    }                                                                                              \
    int lrelu_backward_from_output##sfx##_ex(const elem *y, const elem *dy, elem *dx, size_t n,    \
                                             alpha_t alpha, unsigned flags)                        \
    {                                                                                              \
        return backward(LRELU_TYPE_##type, sizeof(elem), y, dy, dx, n, alpha,                      \
                        isfinite(alpha) && !(alpha < 0), flags);                                   \
    }                                                                                              \
    int lrelu_backward_from_output##sfx(const elem *y, const elem *dy, elem *dx, size_t n,         \
                                        alpha_t alpha)                                             \
    {                                                                                              \
        return backward(LRELU_TYPE_##type, sizeof(elem), y, dy, dx, n, alpha,                      \
                        isfinite(alpha) && !(alpha < 0), LRELU_STORE_AUTO);                        \
    }

ENTRY_POINTS(, float, float, f32)
ENTRY_POINTS(_f16, uint16_t, float, f16)
ENTRY_POINTS(_bf16, uint16_t, float, bf16)
ENTRY_POINTS(_f64, double, double, f64)

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
