/* A stand-in for liblrelu's compute entry points (float32, float16,
 * bfloat16, float64, and the quantized int8 and uint8 forward, one-shot and
 * prepared), linked ahead of the library into a second benchmark binary
 * (lrelu-bench-shim), for the tests of the benchmark itself. It exports
 * them under the library's version nodes (shim.map), so the benchmark
 * binds to it; each call goes on to the library's own function. What it
 * adds is chosen by the environment:
 *
 *   LRELU_SHIM_WRONG_KERNEL=name  while kernel `name` is active, every -0.0
 *       in an output becomes +0.0 (in every type): a kernel wrong on special values only
 *       (random normal inputs never give -0.0), which the benchmark must
 *       flag on that kernel's rows and on no others. The quantized
 *       functions have no -0: there the lowest bit of y[i] flips wherever
 *       x[i] is 0 or 0x80 (out of place), bytes that only the special
 *       values have (the benchmark draws its random bytes without them).
 *   LRELU_SHIM_LOG=path  appends one line per call: the function, n, the
 *       input's address and a hash of its sign bits (what a branch
 *       predictor sees), so a test can tell whether inputs change between
 *       calls and how many arrays they rotate through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef int (*forward_fn)(const float *, float *, size_t, float);
typedef int (*backward_fn)(const float *, const float *, float *, size_t, float);
typedef const char *(*name_fn)(void);

static void *next_v(const char *name, const char *version)
{
    void *p = dlvsym(RTLD_NEXT, name, version);
    if (p == NULL) {
        fprintf(stderr, "lrelu-bench-shim: %s@%s not found after the shim\n", name, version);
        abort();
    }
    return p;
}

static void *next(const char *name) { return next_v(name, "LRELU_1"); }

static const char *wrong;
static FILE *log_file;

static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    wrong = getenv("LRELU_SHIM_WRONG_KERNEL");
    const char *path = getenv("LRELU_SHIM_LOG");
    if (path != NULL && (log_file = fopen(path, "a")) == NULL) {
        perror(path);
        abort();
    }
}

/* Logs a call's input, before the call (in place, it is gone after):
 * elements of `size` bytes, whose sign is the top bit. */
static void before_t(const char *fn, const void *in, size_t n, size_t size)
{
    setup();
    if (log_file == NULL)
        return;
    const unsigned char *p = in;
    uint64_t h = 14695981039346656037u; /* FNV-1a over the sign bits */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint64_t)(p[i * size + size - 1] >> 7)) * 1099511628211u;
    fprintf(log_file, "%s %zu %p %016llx\n", fn, n, in, (unsigned long long)h);
}

static void before(const char *fn, const float *in, size_t n) { before_t(fn, in, n, 4); }

/* Spoils a call's output while the wrong kernel is active: every negative
 * zero (the sign bit alone) of `size` bytes becomes a positive one. */
static void after_t(void *out, size_t n, size_t size)
{
    static name_fn active;
    if (wrong == NULL)
        return;
    if (active == NULL)
        active = (name_fn)next("lrelu_active_kernel");
    if (strcmp(active(), wrong) != 0)
        return;
    unsigned char *p = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char *e = p + i * size;
        int negative_zero = e[size - 1] == 0x80;
        for (size_t k = 0; k + 1 < size; k++)
            negative_zero &= e[k] == 0;
        if (negative_zero)
            e[size - 1] = 0;
    }
}

static void after(float *out, size_t n) { after_t(out, n, 4); }

EXPORT int lrelu_forward(const float *x, float *y, size_t n, float alpha)
{
    static forward_fn f;
    if (f == NULL)
        f = (forward_fn)next("lrelu_forward");
    before("forward", x, n);
    int st = f(x, y, n, alpha);
    if (st == 0)
        after(y, n);
    return st;
}

EXPORT int lrelu_backward(const float *x, const float *dy, float *dx, size_t n, float alpha)
{
    static backward_fn f;
    if (f == NULL)
        f = (backward_fn)next("lrelu_backward");
    before("backward", x, n);
    int st = f(x, dy, dx, n, alpha);
    if (st == 0)
        after(dx, n);
    return st;
}

EXPORT int lrelu_backward_from_output(const float *y, const float *dy, float *dx, size_t n,
                                      float alpha)
{
    static backward_fn f;
    if (f == NULL)
        f = (backward_fn)next("lrelu_backward_from_output");
    before("backward_from_output", y, n);
    int st = f(y, dy, dx, n, alpha);
    if (st == 0)
        after(dx, n);
    return st;
}

/* The other types' entry points (LRELU_1.2), the same way. */
#define SHIM_TYPE(sfx, T, A, size)                                                                 \
    EXPORT int lrelu_forward_##sfx(const T *x, T *y, size_t n, A alpha)                            \
    {                                                                                              \
        static int (*f)(const T *, T *, size_t, A);                                                \
        if (f == NULL)                                                                             \
            f = (int (*)(const T *, T *, size_t, A))next_v("lrelu_forward_" #sfx, "LRELU_1.2");    \
        before_t("forward_" #sfx, x, n, size);                                                     \
        int st = f(x, y, n, alpha);                                                                \
        if (st == 0)                                                                               \
            after_t(y, n, size);                                                                   \
        return st;                                                                                 \
    }                                                                                              \
    EXPORT int lrelu_backward_##sfx(const T *x, const T *dy, T *dx, size_t n, A alpha)             \
    {                                                                                              \
        static int (*f)(const T *, const T *, T *, size_t, A);                                     \
        if (f == NULL)                                                                             \
            f = (int (*)(const T *, const T *, T *, size_t, A))next_v("lrelu_backward_" #sfx,      \
                                                                      "LRELU_1.2");                \
        before_t("backward_" #sfx, x, n, size);                                                    \
        int st = f(x, dy, dx, n, alpha);                                                           \
        if (st == 0)                                                                               \
            after_t(dx, n, size);                                                                  \
        return st;                                                                                 \
    }                                                                                              \
    EXPORT int lrelu_backward_from_output_##sfx(const T *y, const T *dy, T *dx, size_t n, A alpha) \
    {                                                                                              \
        static int (*f)(const T *, const T *, T *, size_t, A);                                     \
        if (f == NULL)                                                                             \
            f = (int (*)(const T *, const T *, T *, size_t, A))next_v(                             \
                "lrelu_backward_from_output_" #sfx, "LRELU_1.2");                                  \
        before_t("backward_from_output_" #sfx, y, n, size);                                        \
        int st = f(y, dy, dx, n, alpha);                                                           \
        if (st == 0)                                                                               \
            after_t(dx, n, size);                                                                  \
        return st;                                                                                 \
    }

SHIM_TYPE(f16, uint16_t, float, 2)
SHIM_TYPE(bf16, uint16_t, float, 2)
SHIM_TYPE(f64, double, double, 8)

/* The quantized forward (LRELU_1.2, and the prepared one of LRELU_1.3;
 * the parameters passed on as they come): spoiled where the input byte is
 * 0 or 0x80, while the wrong kernel is active. */
static void after_quant(const void *in, void *out, size_t n)
{
    static name_fn active;
    if (wrong == NULL || in == out)
        return;
    if (active == NULL)
        active = (name_fn)next("lrelu_active_kernel");
    if (strcmp(active(), wrong) != 0)
        return;
    const unsigned char *x = in;
    unsigned char *y = out;
    for (size_t i = 0; i < n; i++)
        if ((x[i] & 0x7f) == 0)
            y[i] ^= 1;
}

#define SHIM_QUANT(sfx, T, node)                                                                   \
    EXPORT int lrelu_forward_##sfx(const T *x, T *y, size_t n, const void *q)                      \
    {                                                                                              \
        static int (*f)(const T *, T *, size_t, const void *);                                     \
        if (f == NULL)                                                                             \
            f = (int (*)(const T *, T *, size_t, const void *))next_v("lrelu_forward_" #sfx,       \
                                                                      node);                       \
        before_t("forward_" #sfx, x, n, 1);                                                        \
        int st = f(x, y, n, q);                                                                    \
        if (st == 0)                                                                               \
            after_quant(x, y, n);                                                                  \
        return st;                                                                                 \
    }

SHIM_QUANT(qs8, int8_t, "LRELU_1.2")
SHIM_QUANT(qu8, uint8_t, "LRELU_1.2")
SHIM_QUANT(qs8_prepared, int8_t, "LRELU_1.3")
SHIM_QUANT(qu8_prepared, uint8_t, "LRELU_1.3")
