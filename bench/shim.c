/* A stand-in for liblrelu's three compute entry points, linked ahead of the
 * library into a second benchmark binary (lrelu-bench-shim), for the tests
 * of the benchmark itself. It exports them under the library's version node
 * (shim.map), so the benchmark binds to it; each call goes on to the
 * library's own function. What it adds is chosen by the environment:
 *
 *   LRELU_SHIM_WRONG_KERNEL=name  while kernel `name` is active, every -0.0
 *       in an output becomes +0.0: a kernel wrong on special values only
 *       (random normal inputs never give -0.0), which the benchmark must
 *       flag on that kernel's rows and on no others.
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

static void *next(const char *name)
{
    void *p = dlvsym(RTLD_NEXT, name, "LRELU_1");
    if (p == NULL) {
        fprintf(stderr, "lrelu-bench-shim: %s@LRELU_1 not found after the shim\n", name);
        abort();
    }
    return p;
}

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

/* Logs a call's input, before the call (in place, it is gone after). */
static void before(const char *fn, const float *in, size_t n)
{
    setup();
    if (log_file == NULL)
        return;
    uint64_t h = 14695981039346656037u; /* FNV-1a over the sign bits */
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &in[i], 4);
        h = (h ^ (b >> 31)) * 1099511628211u;
    }
    fprintf(log_file, "%s %zu %p %016llx\n", fn, n, (const void *)in, (unsigned long long)h);
}

/* Spoils a call's output while the wrong kernel is active. */
static void after(float *out, size_t n)
{
    static name_fn active;
    if (wrong == NULL)
        return;
    if (active == NULL)
        active = (name_fn)next("lrelu_active_kernel");
    if (strcmp(active(), wrong) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &out[i], 4);
        if (b == 0x80000000u)
            out[i] = 0.0f;
    }
}

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
