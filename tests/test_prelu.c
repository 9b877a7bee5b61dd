/*
 * PReLU (lrelu_prelu_forward, lrelu_prelu_backward) on every kernel.
 *
 * For every shape (NCHW with long and short channel blocks, NHWC, one
 * shared slope, channel counts that are multiples of no vector width,
 * shapes that cross the 8192-term blocks of dslope, more than 256 NHWC
 * channels, empty ones):
 *  - y and dx equal, bit for bit, lrelu_forward and lrelu_backward of the
 *    same kernel called on each channel block with alpha = slope[c] (those
 *    are checked against the contract by test_kernels), out of place and in
 *    place, with dx alone and with dslope;
 *  - dslope is within 1 ulp + 2^-40 * sum |x * dy| of the exact sum
 *    (computed here in double-double), NaN exactly when the formula says;
 *  - the scalar kernel's dslope has the bits of the documented order,
 *    written out plainly here, and every kernel's the scalar kernel's (two
 *    NaNs agree), also on inputs whose sums depend on the order at float
 *    precision (products of +-2^60 that cancel, absorbing small ones or
 *    not);
 *  - no byte outside the outputs is written.
 * The kernels' slope functions alone, on their contract: every phase and
 * period, wrapping or within one period (test_kernel_slopes).
 * Then the argument checks: every error leaves every output untouched.
 *
 * Kernels: every usable kernel of the library through the API, and the
 * NEON source built for this CPU through SIMDe (where there is no NEON)
 * through the same driver (lrelu_prelu_*_with).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "dslope_bound.h"
#include "dispatch.h"
#include "lrelu.h"

#define MAX_FAILS 30
#define MARGIN    16

#ifdef LRELU_TEST_NEON_PORTABLE
static const struct lrelu_kernel_fns neon_fns = LRELU_KERNEL_FNS(neon);
#endif

struct impl {
    const char *name;
    const struct lrelu_kernel_fns *fns; /* NULL: the library's kernel `name` */
};
static struct impl impls[8];
static size_t impl_count;

static uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A value of varied sign and magnitude (2^-20 .. 2^20), or with `special`,
 * now and then a signed zero, subnormal, infinity or NaN. */
static float value(int special)
{
    const uint64_t r = rng();
    if (special == 2) /* small values, for order_sensitive */
        return (float)ldexp((r >> 63) ? -1.0 - (double)((r >> 8) & 0xff) / 256
                                      : 1.0 + (double)((r >> 8) & 0xff) / 256,
                            (int)((r >> 20) % 21) - 10);
    if (special && (r & 63) == 0) {
        static const uint32_t specials[] = {0x00000000u, 0x80000000u, 0x00000001u, 0x80400000u,
                                            0x7f800000u, 0xff800000u, 0x7fc00001u, 0xffa00002u,
                                            0x7f7fffffu, 0xff7fffffu};
        return u2f(specials[(r >> 6) % (sizeof specials / sizeof specials[0])]);
    }
    const double m = (double)((r >> 11) & 0xffffff) / 0x1p24 + 0.5;
    const int e = (int)((r >> 40) % 41) - 20;
    return (float)((r >> 63) ? -ldexp(m, e) : ldexp(m, e));
}

static float *alloc_floats(size_t n)
{
    float *p = malloc((n + 2 * MARGIN) * sizeof *p + 1);
    if (p == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    return p;
}

#define SENTINEL 0x7fa5a5a5u

static void fill_sentinel(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = u2f(SENTINEL);
}

static int all_sentinel(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f2u(p[i]) != SENTINEL)
            return 0;
    return 1;
}

/* The library under kernel impl (or a test-only kernel through the same
 * driver; only with valid arguments). */
static int run_forward(const struct impl *im, const float *x, float *y, const float *s, size_t o,
                       size_t c, size_t i)
{
    if (im->fns != NULL)
        return o * c * i == 0 ? LRELU_OK : lrelu_prelu_forward_with(im->fns, x, y, s, o, c, i);
    if (lrelu_set_kernel(im->name) != LRELU_OK)
        FAIL("lrelu_set_kernel(%s)", im->name);
    return lrelu_prelu_forward(x, y, s, o, c, i);
}

static int run_backward(const struct impl *im, const float *x, const float *dy, float *dx,
                        const float *s, float *ds, size_t o, size_t c, size_t i)
{
    if (im->fns != NULL) {
        if (o * c * i == 0) {
            for (size_t k = 0; ds != NULL && k < c; k++)
                ds[k] = 0.0f;
            return LRELU_OK;
        }
        return lrelu_prelu_backward_with(im->fns, x, dy, dx, s, ds, o, c, i);
    }
    if (lrelu_set_kernel(im->name) != LRELU_OK)
        FAIL("lrelu_set_kernel(%s)", im->name);
    return lrelu_prelu_backward(x, dy, dx, s, ds, o, c, i);
}

/* The contract of y and dx: lrelu_forward / lrelu_backward per channel
 * block, on the scalar kernel. */
static void ref_elementwise(const float *x, const float *dy, float *out, const float *s, size_t o,
                            size_t c, size_t in)
{
    lrelu_set_kernel("scalar");
    for (size_t a = 0; a < o; a++)
        for (size_t b = 0; b < c; b++) {
            const size_t at = (a * c + b) * in;
            if (dy == NULL)
                lrelu_forward(x + at, out + at, in, s[b]);
            else
                lrelu_backward(x + at, dy + at, out + at, in, s[b]);
        }
}

/* Double-double sum: s + e, |e| <= ulp(s) / 2. */
struct dd {
    double s, e;
};
static void dd_add(struct dd *a, double t)
{
    const double s = a->s + t, bb = s - a->s, err = (a->s - (s - bb)) + (t - bb);
    a->s = s;
    a->e += err;
}

/* Checks dslope[c] against the exact sum of its terms. */
static void check_dslope(const char *name, const float *x, const float *dy, const float *ds,
                         size_t o, size_t c, size_t in, const char *shape)
{
    for (size_t b = 0; b < c; b++) {
        struct dd sum = {0, 0};
        double abs = 0;
        int nan = 0, pinf = 0, ninf = 0;
        for (size_t a = 0; a < o; a++)
            for (size_t i = 0; i < in; i++) {
                const size_t at = (a * c + b) * in + i;
                if (x[at] > 0)
                    continue;
                const double t = (double)x[at] * (double)dy[at];
                if (isnan(t))
                    nan = 1;
                else if (isinf(t))
                    *(t > 0 ? &pinf : &ninf) = 1;
                else {
                    dd_add(&sum, t);
                    abs += fabs(t);
                }
            }
        const float got = ds[b];
        if (nan || (pinf && ninf)) {
            if (!isnan(got))
                FAIL("%s %s dslope[%zu] = %a, want NaN", name, shape, b, got);
            continue;
        }
        if (pinf || ninf) {
            if (got != (pinf ? INFINITY : -INFINITY))
                FAIL("%s %s dslope[%zu] = %a, want %s", name, shape, b, got,
                     pinf ? "+inf" : "-inf");
            continue;
        }
        const double exact = sum.s + sum.e;
        double tol;
        if (!dslope_within(got, exact, abs, &tol))
            FAIL("%s %s dslope[%zu] = %a, exact %a (off by %g, tolerance %g)", name, shape, b, got,
                 exact, fabs((double)got - exact), tol);
    }
}

static int same_bits(float a, float b) { return f2u(a) == f2u(b) || (isnan(a) && isnan(b)); }

/* The documented order of dslope, written out plainly: the terms of
 * channel c in (outer, inner) order, in blocks of 8192; in a block, eight
 * partial sums by term index mod 8, each in increasing index from +0, then
 * ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)); the blocks' results
 * added in order from +0; one rounding to float. */
static float canonical_dslope(const float *x, const float *dy, size_t o, size_t c, size_t in,
                              size_t ch)
{
    const size_t terms = o * in;
    double sum = 0;
    for (size_t b0 = 0; b0 < terms; b0 += 8192) {
        double p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (size_t k = b0; k < terms && k < b0 + 8192; k++) {
            const size_t at = ((k / in) * c + ch) * in + k % in;
            p[k % 8] += x[at] > 0 ? 0.0 : (double)x[at] * (double)dy[at];
        }
        sum += ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
    }
    return (float)sum;
}

static void check_canonical(const char *name, const float *x, const float *dy, const float *ds,
                            size_t o, size_t c, size_t in, const char *shape)
{
    for (size_t b = 0; b < c; b++) {
        const float want = canonical_dslope(x, dy, o, c, in, b);
        if (!same_bits(ds[b], want)) {
            FAIL("%s %s dslope[%zu] = %a, the documented order gives %a", name, shape, b, ds[b],
                 want);
            return;
        }
    }
}

/* Sums whose float result depends on the order: in each channel, products
 * of +2^60 and -2^60 (x = -2^30, dy = +-2^30) in equal numbers, alternating,
 * among small ones, which they absorb or not depending on where they fall
 * in the order. */
static void order_sensitive(float *x, float *dy, size_t o, size_t c, size_t in)
{
    for (size_t ch = 0; ch < c; ch++) {
        size_t last = 0;
        int sign = 1;
        for (size_t k = 0; k < o * in; k++) {
            const size_t at = ((k / in) * c + ch) * in + k % in;
            x[at] = -fabsf(x[at]);
            if (rng() % 8 == 0) {
                x[at] = -0x1p30f;
                dy[at] = sign > 0 ? 0x1p30f : -0x1p30f;
                sign = -sign;
                last = at;
            }
        }
        if (sign < 0)
            dy[last] = 1.0f;
    }
}

struct shape {
    size_t outer, channels, inner;
};

static void test_shape(struct shape sh, int special)
{
    const size_t o = sh.outer, c = sh.channels, in = sh.inner, n = o * c * in;
    char label[96];
    snprintf(label, sizeof label, "[%zu][%zu][%zu]%s", o, c, in,
             special == 2 ? " order"
             : special    ? " special"
                          : "");
    float *x = alloc_floats(n), *dy = alloc_floats(n), *s = alloc_floats(c);
    float *want = alloc_floats(n), *wantdx = alloc_floats(n);
    float *out = alloc_floats(n), *dx = alloc_floats(n), *tmp = alloc_floats(n);
    float *ds = alloc_floats(c), *ds_scalar = alloc_floats(c);
    for (size_t k = 0; k < n; k++) {
        x[k] = value(special);
        dy[k] = value(special);
    }
    for (size_t k = 0; k < c; k++)
        s[k] = (rng() & 7) == 0 ? 0.0f : value(0) / 64;
    if (special == 2)
        order_sensitive(x, dy, o, c, in);
    ref_elementwise(x, NULL, want, s, o, c, in);
    ref_elementwise(x, dy, wantdx, s, o, c, in);

    for (size_t m = 0; m < impl_count; m++) {
        const struct impl *im = &impls[m];
        /* Forward, out of place, with margins, the output shifted by a
         * different number of elements for each kernel and shape (the
         * kernels' heads up to a vector boundary). */
        const size_t sh = (m * 7 + n) % (2 * MARGIN);
        fill_sentinel(out, n + 2 * MARGIN);
        int st = run_forward(im, x, out + sh, s, o, c, in);
        if (st != LRELU_OK)
            FAIL("%s %s forward returned %d", im->name, label, st);
        if (!all_sentinel(out, sh) || !all_sentinel(out + sh + n, 2 * MARGIN - sh))
            FAIL("%s %s forward wrote outside y", im->name, label);
        for (size_t k = 0; k < n; k++)
            if (f2u(out[sh + k]) != f2u(want[k])) {
                FAIL("%s %s forward (y shifted %zu) y[%zu] = %08x, want %08x (x %08x)", im->name,
                     label, sh, k, f2u(out[sh + k]), f2u(want[k]), f2u(x[k]));
                break;
            }
        /* In place. */
        memcpy(tmp, x, n * sizeof *x);
        run_forward(im, tmp, tmp, s, o, c, in);
        if (n && memcmp(tmp, want, n * sizeof *x) != 0)
            FAIL("%s %s forward in place differs", im->name, label);

        /* Backward with both outputs. */
        fill_sentinel(dx, n + 2 * MARGIN);
        fill_sentinel(ds, c + 2 * MARGIN);
        st = run_backward(im, x, dy, dx + sh, s, ds + MARGIN, o, c, in);
        if (st != LRELU_OK)
            FAIL("%s %s backward returned %d", im->name, label, st);
        if (!all_sentinel(dx, sh) || !all_sentinel(dx + sh + n, 2 * MARGIN - sh) ||
            !all_sentinel(ds, MARGIN) || !all_sentinel(ds + MARGIN + c, MARGIN))
            FAIL("%s %s backward wrote outside dx or dslope", im->name, label);
        if (n && memcmp(dx + sh, wantdx, n * sizeof *x) != 0)
            FAIL("%s %s backward dx differs from lrelu_backward per channel", im->name, label);
        if (m == 0) {
            memcpy(ds_scalar, ds + MARGIN, c * sizeof *ds);
            check_dslope(im->name, x, dy, ds_scalar, o, c, in, label);
            check_canonical(im->name, x, dy, ds_scalar, o, c, in, label);
        } else {
            for (size_t k = 0; k < c; k++)
                if (!same_bits(ds[MARGIN + k], ds_scalar[k])) {
                    FAIL("%s %s dslope[%zu] = %a (%08x), scalar %a (%08x)", im->name, label, k,
                         ds[MARGIN + k], f2u(ds[MARGIN + k]), ds_scalar[k], f2u(ds_scalar[k]));
                    break;
                }
        }
        /* dslope alone, then dx alone. */
        fill_sentinel(ds, c);
        run_backward(im, x, dy, NULL, s, ds, o, c, in);
        for (size_t k = 0; k < c; k++)
            if (!same_bits(ds[k], ds_scalar[k])) {
                FAIL("%s %s dslope alone [%zu] = %a, with dx %a", im->name, label, k, ds[k],
                     ds_scalar[k]);
                break;
            }
        fill_sentinel(dx, n);
        run_backward(im, x, dy, dx, s, NULL, o, c, in);
        if (n && memcmp(dx, wantdx, n * sizeof *x) != 0)
            FAIL("%s %s backward dx alone differs", im->name, label);
        /* In place: dx == x, then dx == dy, with dslope. */
        memcpy(tmp, x, n * sizeof *x);
        run_backward(im, tmp, dy, tmp, s, ds, o, c, in);
        if (n && memcmp(tmp, wantdx, n * sizeof *x) != 0)
            FAIL("%s %s backward dx == x differs", im->name, label);
        for (size_t k = 0; k < c; k++)
            if (!same_bits(ds[k], ds_scalar[k])) {
                FAIL("%s %s dslope with dx == x [%zu] = %a, want %a", im->name, label, k, ds[k],
                     ds_scalar[k]);
                break;
            }
        memcpy(tmp, dy, n * sizeof *x);
        run_backward(im, x, tmp, tmp, s, ds, o, c, in);
        if (n && memcmp(tmp, wantdx, n * sizeof *x) != 0)
            FAIL("%s %s backward dx == dy differs", im->name, label);
        for (size_t k = 0; k < c; k++)
            if (!same_bits(ds[k], ds_scalar[k])) {
                FAIL("%s %s dslope with dx == dy [%zu] = %a, want %a", im->name, label, k, ds[k],
                     ds_scalar[k]);
                break;
            }
    }
    free(x);
    free(dy);
    free(s);
    free(want);
    free(wantdx);
    free(out);
    free(dx);
    free(tmp);
    free(ds);
    free(ds_scalar);
}

/* Arrays of up to GUARD_MAX floats that end right before a PROT_NONE page:
 * a read or write past an array's last element faults, and the handler
 * names the case. */
#define GUARD_MAX 6002
static char guard_case[160];

static void on_guard_fault(int sig)
{
    static const char head[] = "FAIL fault (a read or write past an array's end): ";
    (void)sig;
    if (write(1, head, sizeof head - 1) < 0 || write(1, guard_case, strlen(guard_case)) < 0)
        _exit(2);
    _exit(1);
}

/* The end of a span of GUARD_MAX floats followed by a PROT_NONE page. */
static float *guarded_end(void)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t span = (GUARD_MAX * sizeof(float) + page - 1) / page * page;
    unsigned char *base =
        mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + span, page, PROT_NONE) != 0) {
        printf("FAIL mmap/mprotect\n");
        exit(1);
    }
    return (float *)(void *)(base + span);
}

/*
 * Channels last (inner = 1) with one outer index, or rows longer than a
 * slope pattern (2048 elements): y and dx are computed on the slope array
 * itself, so no kernel may read a slope past the last one. x, dy, the
 * slopes and dslope end right before a guard page, y and dx up to 15
 * elements before theirs; y and dx must be the per-channel contract's bits,
 * dslope the scalar kernel's.
 */
static void test_slope_guard(void)
{
    static const size_t wide[] = {2047, 2048, 2049, 2100, 3001};
    float *const xe = guarded_end(), *const dye = guarded_end(), *const oute = guarded_end();
    float *const se = guarded_end(), *const dse = guarded_end();
    float *want = malloc(GUARD_MAX * sizeof *want), *wantdx = malloc(GUARD_MAX * sizeof *want);
    float *ds_ref = malloc(GUARD_MAX * sizeof *ds_ref);
    if (want == NULL || wantdx == NULL || ds_ref == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    signal(SIGSEGV, on_guard_fault);
    signal(SIGBUS, on_guard_fault);
    const size_t n_wide = sizeof wide / sizeof wide[0];
    for (size_t k = 0; k < 130 + 2 * n_wide; k++) {
        const size_t o = k < 130 + n_wide ? 1 : 2;
        const size_t c = k < 130 ? k + 1 : wide[(k - 130) % n_wide], n = o * c;
        /* y and dx at every offset in a 64-byte line (the kernels' heads
         * up to the output's vector boundary), ending up to 15 elements
         * before their guard page. */
        float *x = xe - n, *dy = dye - n, *out = oute - n - k % 16, *s = se - c, *ds = dse - c;
        for (size_t i = 0; i < n; i++) {
            x[i] = value(0);
            dy[i] = value(0);
        }
        for (size_t i = 0; i < c; i++)
            s[i] = value(0) / 64;
        ref_elementwise(x, NULL, want, s, o, c, 1);
        ref_elementwise(x, dy, wantdx, s, o, c, 1);
        for (size_t m = 0; m < impl_count; m++) {
            const struct impl *im = &impls[m];
            snprintf(guard_case, sizeof guard_case, "kernel=%s shape=[%zu][%zu][1] forward\n",
                     im->name, o, c);
            run_forward(im, x, out, s, o, c, 1);
            if (memcmp(out, want, n * sizeof *out) != 0)
                FAIL("%s [%zu][%zu][1] at a guard page: forward differs", im->name, o, c);
            snprintf(guard_case, sizeof guard_case, "kernel=%s shape=[%zu][%zu][1] backward\n",
                     im->name, o, c);
            run_backward(im, x, dy, out, s, ds, o, c, 1);
            if (memcmp(out, wantdx, n * sizeof *out) != 0)
                FAIL("%s [%zu][%zu][1] at a guard page: dx differs", im->name, o, c);
            if (m == 0)
                memcpy(ds_ref, ds, c * sizeof *ds);
            else if (memcmp(ds, ds_ref, c * sizeof *ds) != 0)
                FAIL("%s [%zu][%zu][1] at a guard page: dslope differs from %s's", im->name, o, c,
                     impls[0].name);
            snprintf(guard_case, sizeof guard_case,
                     "kernel=%s shape=[%zu][%zu][1] backward, dx alone\n", im->name, o, c);
            run_backward(im, x, dy, out, s, NULL, o, c, 1);
            if (memcmp(out, wantdx, n * sizeof *out) != 0)
                FAIL("%s [%zu][%zu][1] at a guard page: dx alone differs", im->name, o, c);
        }
    }
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    free(want);
    free(wantdx);
    free(ds_ref);
}

/* Terms that cancel: only a sum in a fixed order gives the same bits, and
 * only an accurate one passes the tolerance. One channel, 3 blocks. */
static void test_cancellation(void)
{
    const size_t n = 3 * 8192 + 77;
    float *x = alloc_floats(n), *dy = alloc_floats(n), ds[1], s[1] = {0.25f};
    for (size_t k = 0; k < n; k++) {
        x[k] = -(float)ldexp(1.0 + (double)(rng() % 1000) / 1000, (int)(rng() % 60) - 30);
        dy[k] = (k & 1 ? -1.0f : 1.0f) * (float)ldexp(1.0, (int)(rng() % 40) - 20);
    }
    float first = 0;
    for (size_t m = 0; m < impl_count; m++) {
        for (size_t inner = 1; inner <= n; inner = inner == 1 ? n : n + 1) {
            /* The same terms as [n][1][1] (NHWC path) and [1][1][n]. */
            run_backward(&impls[m], x, dy, NULL, s, ds, inner == 1 ? n : 1, 1, inner);
            if (m == 0 && inner == 1) {
                first = ds[0];
                check_dslope(impls[m].name, x, dy, ds, 1, 1, n, "cancellation");
            } else if (f2u(ds[0]) != f2u(first)) {
                FAIL("%s cancellation inner %zu: dslope %a, scalar %a", impls[m].name, inner, ds[0],
                     first);
            }
        }
    }
    free(x);
    free(dy);
}

/* The NaN and infinity rules of dslope, on every kernel. */
static void test_specials(void)
{
    /* channel 0: x NaN; 1: x = -inf, dy = 0; 2: x = +inf, dy = inf (x > 0:
     * term 0, then -1); 3: x = -1, dy = +inf; 4: +inf and -inf terms; 5: x > 0 with
     * dy NaN (term 0). inner = 3. */
    const float inf = INFINITY, nan = NAN;
    const float x[] = {1, nan, -2, -inf, 1, 1, inf, 2, -1, -1, inf, 0, -1, -1, 3, 2, 5, -1};
    const float dy[] = {1, 1, 1, 0, 1, 1, inf, 1, 1, inf, 1, 1, inf, -inf, 1, nan, 1, 4};
    const float s[6] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    for (size_t m = 0; m < impl_count; m++) {
        float ds[6], dx[18];
        run_backward(&impls[m], x, dy, dx, s, ds, 1, 6, 3);
        if (!isnan(ds[0]) || !isnan(ds[1]) || ds[2] != -1 || ds[3] != -inf || !isnan(ds[4]) ||
            f2u(ds[5]) != f2u(-4.0f))
            FAIL("%s specials: dslope %a %a %a %a %a %a, want NaN NaN -1 -inf NaN -4",
                 impls[m].name, ds[0], ds[1], ds[2], ds[3], ds[4], ds[5]);
        /* One row (dslope's row kernel), one term a channel: x NaN; -inf *
         * 0; x > 0 with dy = inf; -1 * inf; x > 0 with dy NaN; -0 * 1 (the
         * term -0, the sum +0 + -0 = +0). */
        const float xr[6] = {nan, -inf, inf, -1, 1, -0.0f}, gr[6] = {1, 0, inf, inf, nan, 1};
        float dr[6];
        run_backward(&impls[m], xr, gr, NULL, s, dr, 1, 6, 1);
        if (!isnan(dr[0]) || !isnan(dr[1]) || f2u(dr[2]) != 0 || dr[3] != -inf || f2u(dr[4]) != 0 ||
            f2u(dr[5]) != 0)
            FAIL("%s one-row specials: dslope %a %a %a %a %a %a, want NaN NaN +0 -inf +0 +0",
                 impls[m].name, dr[0], dr[1], dr[2], dr[3], dr[4], dr[5]);
        /* A channel with only positive x: +0, not -0. */
        const float xp[4] = {1, 2, 3, 4}, dyp[4] = {-1, -2, -3, -4};
        float d1[1];
        run_backward(&impls[m], xp, dyp, NULL, s, d1, 4, 1, 1);
        if (f2u(d1[0]) != 0)
            FAIL("%s dslope of all x > 0 is %a, want +0", impls[m].name, d1[0]);
    }
}

/* dslope follows the caller's rounding mode, on every kernel: terms that
 * cancel exactly in each of the eight sums (x = -1, dy = +1 then -1 in each
 * lane) give +0, but -0 rounding downward (1 - 1 is -0 there), in one
 * block of terms and over two; both layouts. The sign wanted is that of
 * this machine's own 1 + -1 in the mode: where it does not honour the mode
 * (valgrind ignores most rounding modes) that is +0, and said. */
static void test_rounding(void)
{
    const size_t sizes[] = {16, 8192 + 16};
    const size_t n = sizes[1];
    float *x = alloc_floats(n), *dy = alloc_floats(n), s[1] = {0.25f};
    for (size_t k = 0; k < n; k++) {
        x[k] = -1.0f;
        dy[k] = k / 8 % 2 ? -1.0f : 1.0f;
    }
    const int modes[] = {FE_TONEAREST, FE_DOWNWARD};
    const char *names[] = {"to nearest", "downward"};
    volatile double one = 1.0, minus_one = -1.0;
    for (size_t r = 0; r < 2; r++) {
        if (fesetround(modes[r]) != 0)
            FAIL("fesetround(%s)", names[r]);
        volatile double zero = one + minus_one; /* between the two calls */
        fesetround(FE_TONEAREST);
        const uint32_t want = signbit(zero) ? 0x80000000u : 0;
        if (r == 1 && want == 0)
            printf("rounding %s not honoured on this machine (an emulator?): dslope wanted +0\n",
                   names[r]);
        for (size_t m = 0; m < impl_count; m++)
            for (size_t z = 0; z < 2; z++)
                for (size_t nhwc = 0; nhwc < 2; nhwc++) {
                    float ds[1] = {1.0f};
                    fesetround(modes[r]);
                    run_backward(&impls[m], x, dy, NULL, s, ds, nhwc ? sizes[z] : 1, 1,
                                 nhwc ? 1 : sizes[z]);
                    fesetround(FE_TONEAREST);
                    if (f2u(ds[0]) != want)
                        FAIL("%s dslope of cancelling terms, %zu terms, %s, %s: %a, want %s",
                             impls[m].name, sizes[z], nhwc ? "NHWC" : "NCHW", names[r], ds[0],
                             want ? "-0" : "+0");
                }
    }
    free(x);
    free(dy);
}

/* The slope check on every kernel: one slope at each position of 1 to 72
 * channels (the widest kernel takes 32 a step, then one at a time);
 * non-finite ones refused (nothing written), the largest finite and the
 * subnormal ones taken. */
static void test_slope_check(void)
{
    const float edge[] = {INFINITY,         -INFINITY,        NAN,
                          u2f(0x7f800001u), u2f(0xffc00000u), FLT_MAX,
                          -FLT_MAX,         u2f(0x00000001u), -0.0f};
    enum { C = 72 };
    float x[C], out[C], many[C];
    for (size_t i = 0; i < C; i++)
        x[i] = value(0);
    for (size_t m = 0; m < impl_count; m++)
        for (size_t c = 1; c <= C; c++)
            for (size_t at = 0; at < c; at++)
                for (size_t k = 0; k < sizeof edge / sizeof edge[0]; k++) {
                    for (size_t i = 0; i < c; i++)
                        many[i] = 0.25f;
                    many[at] = edge[k];
                    const int finite = isfinite(edge[k]);
                    int got;
                    if (impls[m].fns != NULL) {
                        got = impls[m].fns->prelu_finite(many, c) ? LRELU_OK : LRELU_EINVAL;
                    } else {
                        fill_sentinel(out, c);
                        got = run_forward(&impls[m], x, out, many, 1, c, 1);
                        if (!finite && !all_sentinel(out, c))
                            FAIL("%s refused slopes but wrote y", impls[m].name);
                    }
                    if (got != (finite ? LRELU_OK : LRELU_EINVAL))
                        FAIL("%s forward, %zu channels, slope[%zu] = %08x: got %d, want %d",
                             impls[m].name, c, at, f2u(edge[k]), got,
                             finite ? LRELU_OK : LRELU_EINVAL);
                }
}

/* Every error leaves every output untouched; the allowed aliasing works. */
static void test_errors(void)
{
    lrelu_set_kernel(NULL);
    enum { N = 64, C = 4, I = 16 };
    float buf[4 * N + 16], slope[C] = {0.1f, 0.2f, 0.3f, 0.4f}, ds[C + 8];
    float *x = buf, *dy = buf + N, *out = buf + 2 * N, *sl2 = buf + 3 * N;
    for (size_t k = 0; k < 2 * N; k++)
        buf[k] = value(0);
    for (size_t k = 0; k < C + 1; k++)
        sl2[k] = 0.5f;
#define EXPECT(call, want, what)                                                                   \
    do {                                                                                           \
        fill_sentinel(out, N);                                                                     \
        fill_sentinel(ds, C + 8);                                                                  \
        const int st_ = (call);                                                                    \
        if (st_ != (want))                                                                         \
            FAIL("%s: returned %d, want %d", what, st_, want);                                     \
        if ((want) != LRELU_OK && (!all_sentinel(out, N) || !all_sentinel(ds, C + 8)))             \
            FAIL("%s: wrote an output on error", what);                                            \
    } while (0)
    const size_t big = SIZE_MAX / 4 + 1;
    EXPECT(lrelu_prelu_forward(x, out, slope, 1, C, I), LRELU_OK, "forward ok");
    EXPECT(lrelu_prelu_forward(NULL, out, slope, 1, C, I), LRELU_EINVAL, "forward NULL x");
    EXPECT(lrelu_prelu_forward(x, NULL, slope, 1, C, I), LRELU_EINVAL, "forward NULL y");
    EXPECT(lrelu_prelu_forward(x, out, NULL, 1, C, I), LRELU_EINVAL, "forward NULL slope");
    EXPECT(lrelu_prelu_forward(x, out, slope, 2, big / 2, 1), LRELU_EINVAL,
           "forward bytes overflow");
    EXPECT(lrelu_prelu_forward(x, out, slope, SIZE_MAX, 3, SIZE_MAX), LRELU_EINVAL,
           "forward count overflow");
    EXPECT(lrelu_prelu_forward(NULL, NULL, NULL, 0, C, I), LRELU_OK, "forward empty");
    EXPECT(lrelu_prelu_forward(NULL, NULL, NULL, 3, 0, I), LRELU_OK, "forward no channels");
    EXPECT(lrelu_prelu_forward(x, x + 1, slope, 1, C, I), LRELU_EOVERLAP, "forward y overlaps x");
    EXPECT(lrelu_prelu_forward(x, sl2 - 10, sl2, 1, C, I), LRELU_EOVERLAP,
           "forward y overlaps slope");
    float bad[C] = {0.1f, 0.2f, 0.3f, 0.4f};
    const float nonfinite[] = {INFINITY, -INFINITY, NAN};
    for (size_t k = 0; k < 3; k++) {
        bad[2] = nonfinite[k];
        EXPECT(lrelu_prelu_forward(x, out, bad, 1, C, I), LRELU_EINVAL, "forward non-finite slope");
        EXPECT(lrelu_prelu_backward(x, dy, out, bad, ds, 1, C, I), LRELU_EINVAL,
               "backward non-finite slope");
        EXPECT(lrelu_prelu_backward(x, dy, NULL, bad, ds, 1, C, I), LRELU_EINVAL,
               "backward non-finite slope, dslope alone");
    }
    /* In place allowed. */
    memcpy(out, x, N * sizeof *x);
    if (lrelu_prelu_forward(out, out, slope, 1, C, I) != LRELU_OK)
        FAIL("forward in place refused");

    EXPECT(lrelu_prelu_backward(x, dy, out, slope, ds, 1, C, I), LRELU_OK, "backward ok");
    EXPECT(lrelu_prelu_backward(x, dy, NULL, NULL, NULL, 1, C, I), LRELU_EINVAL,
           "backward no output");
    EXPECT(lrelu_prelu_backward(x, dy, NULL, slope, NULL, 1, C, I), LRELU_EINVAL,
           "backward both outputs NULL");
    EXPECT(lrelu_prelu_backward(NULL, NULL, NULL, NULL, NULL, 0, 0, 0), LRELU_EINVAL,
           "backward empty, both outputs NULL");
    EXPECT(lrelu_prelu_backward(NULL, dy, out, slope, ds, 1, C, I), LRELU_EINVAL,
           "backward NULL x");
    EXPECT(lrelu_prelu_backward(x, NULL, out, slope, ds, 1, C, I), LRELU_EINVAL,
           "backward NULL dy");
    EXPECT(lrelu_prelu_backward(x, dy, out, NULL, ds, 1, C, I), LRELU_EINVAL,
           "backward NULL slope");
    EXPECT(lrelu_prelu_backward(x, dy, out, slope, ds, big, 1, 1), LRELU_EINVAL,
           "backward bytes overflow");
    EXPECT(lrelu_prelu_backward(x, dy, out, slope, ds, 1, big, 0), LRELU_EINVAL,
           "backward slope bytes overflow, empty");
    EXPECT(lrelu_prelu_backward(x, dy, x + 1, slope, ds, 1, C, I), LRELU_EOVERLAP,
           "backward dx overlaps x");
    EXPECT(lrelu_prelu_backward(x, dy, dy + 2, slope, ds, 1, C, I), LRELU_EOVERLAP,
           "backward dx overlaps dy");
    EXPECT(lrelu_prelu_backward(x, dy, sl2 - 10, sl2, ds, 1, C, I), LRELU_EOVERLAP,
           "backward dx overlaps slope");
    EXPECT(lrelu_prelu_backward(x, dy, out, slope, (float *)x + 3, 1, C, I), LRELU_EOVERLAP,
           "backward dslope overlaps x");
    EXPECT(lrelu_prelu_backward(x, dy, NULL, slope, (float *)dy + N - 2, 1, C, I), LRELU_EOVERLAP,
           "backward dslope overlaps dy");
    EXPECT(lrelu_prelu_backward(x, dy, out, slope, out + 7, 1, C, I), LRELU_EOVERLAP,
           "backward dslope overlaps dx");
    EXPECT(lrelu_prelu_backward(x, dy, out, sl2, sl2 + 1, 1, C, I), LRELU_EOVERLAP,
           "backward dslope overlaps slope");
    EXPECT(lrelu_prelu_backward(x, dy, out, sl2, sl2, 1, C, I), LRELU_EOVERLAP,
           "backward dslope == slope");
    /* One shared slope (channels == 1): the calls that become one Leaky
     * ReLU call keep PReLU's rules and their order. */
    for (size_t k = 0; k < 3; k++) {
        const float one = nonfinite[k];
        EXPECT(lrelu_prelu_forward(x, out, &one, 1, 1, N), LRELU_EINVAL,
               "shared slope forward, non-finite");
        EXPECT(lrelu_prelu_backward(x, dy, out, &one, NULL, 1, 1, N), LRELU_EINVAL,
               "shared slope backward dx, non-finite");
        EXPECT(lrelu_prelu_backward(x, dy, out, &one, ds, 1, 1, N), LRELU_EINVAL,
               "shared slope backward, non-finite");
    }
    EXPECT(lrelu_prelu_forward(x, out, slope, 1, 1, N), LRELU_OK, "shared slope forward ok");
    EXPECT(lrelu_prelu_forward(x, out, NULL, N, 1, 1), LRELU_EINVAL,
           "shared slope forward, NULL slope");
    EXPECT(lrelu_prelu_forward(x, out, (const float *)((const char *)slope + 1), 1, 1, N),
           LRELU_EINVAL, "shared slope forward, misaligned slope");
    EXPECT(lrelu_prelu_forward(x, out, slope, big, 1, 1), LRELU_EINVAL,
           "shared slope forward, bytes overflow");
    EXPECT(lrelu_prelu_forward(x, out, slope, SIZE_MAX, 1, 2), LRELU_EINVAL,
           "shared slope forward, count overflow");
    EXPECT(lrelu_prelu_forward(x, sl2 - 10, sl2, 1, 1, N / 4), LRELU_EOVERLAP,
           "shared slope forward, y overlaps slope");
    EXPECT(lrelu_prelu_forward(x, x + 1, slope, 1, 1, N / 2), LRELU_EOVERLAP,
           "shared slope forward, y overlaps x");
    EXPECT(lrelu_prelu_forward(x + 1, (float *)((char *)out + 2), slope, 1, 1, N / 2), LRELU_EINVAL,
           "shared slope forward, misaligned y");
    EXPECT(lrelu_prelu_backward(x, dy, out, NULL, NULL, 1, 1, N), LRELU_EINVAL,
           "shared slope backward dx, NULL slope");
    EXPECT(lrelu_prelu_backward(x, NULL, out, slope, NULL, 1, 1, N), LRELU_EINVAL,
           "shared slope backward dx, NULL dy");
    EXPECT(lrelu_prelu_backward(x, dy, sl2 - 10, sl2, NULL, 1, 1, N / 4), LRELU_EOVERLAP,
           "shared slope backward dx, dx overlaps slope");
    EXPECT(lrelu_prelu_backward(x, dy, dy + 2, slope, NULL, 1, 1, N / 2), LRELU_EOVERLAP,
           "shared slope backward dx, dx overlaps dy");
    /* Empty: dslope set to +0 (and NULL arrays accepted). */
    fill_sentinel(ds, C);
    if (lrelu_prelu_backward(NULL, NULL, NULL, NULL, ds, 0, C, I) != LRELU_OK || f2u(ds[0]) != 0 ||
        f2u(ds[C - 1]) != 0)
        FAIL("backward empty: dslope not zeroed");
    if (lrelu_prelu_backward(NULL, NULL, NULL, NULL, NULL, 0, C, I) != LRELU_EINVAL)
        FAIL("backward empty with both outputs NULL accepted");
    if (lrelu_prelu_backward(NULL, NULL, out, NULL, NULL, 2, C, 0) != LRELU_OK)
        FAIL("backward empty, dx alone refused");
}

/* Floating-point exceptions: every kernel raises exactly the scalar
 * kernel's flags for forward, backward (dx and dslope, each alone) in the
 * NCHW and NHWC layouts, with one special element among filler that
 * raises nothing (x = +1, dy = +1; x = -0, dy = +0). Where x > 0 nothing
 * may be raised for that element: no product, no conversion of dy. */
static void test_flags(void)
{
    static const struct {
        uint32_t x, dy;
        float slope;
    } cases[] = {
        {0xbf800000u, 0x7fa00001u, 0.5f}, /* x < 0, dy a signalling NaN: invalid */
        {0x3f800000u, 0x7fa00001u, 0.5f}, /* x > 0, dy a signalling NaN: nothing */
        {0x3f800000u, 0xffa00001u, 0.5f}, /* the same, negative */
        {0x7fa00001u, 0x3f800000u, 0.5f}, /* x a signalling NaN: invalid */
        {0xff800000u, 0x00000000u, 0.5f}, /* x = -inf, dy = 0: the term is invalid */
        {0x7f800000u, 0x00000000u, 0.0f}, /* x = +inf: nothing */
        {0xbf800000u, 0xff800000u, 0.0f}, /* 0 * inf in dx */
        {0xff7fffffu, 0x7f7fffffu, 3.0f}, /* overflow in y, dx and dslope */
        {0x7f7fffffu, 0xff7fffffu, 3.0f}, /* x > 0: nothing */
        {0x80000001u, 0x00000001u, 0.3f}, /* underflow */
        {0xbdcccccdu, 0x3dcccccdu, 0.1f}, /* inexact */
    };
    static const size_t lengths[] = {1, 13, 37};
    const size_t C = 3;
    float x[3 * 2 * 37], dy[3 * 2 * 37], out[3 * 2 * 37], s[3], ds[3];
    unsigned long checked = 0;
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++)
        for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++)
            for (int nhwc = 0; nhwc < 2; nhwc++) {
                const size_t len = lengths[li], o = nhwc ? len : 2, in = nhwc ? 1 : len;
                const size_t n = o * C * in;
                const size_t positions[] = {0, n / 2, n - 1};
                for (size_t pi = 0; pi < 3; pi++)
                    for (int op = 0; op < 4; op++) {
                        int want = 0;
                        for (size_t m = 0; m < impl_count; m++) {
                            for (size_t k = 0; k < n; k++) {
                                x[k] = u2f(k % 2 ? 0x80000000u : 0x3f800000u);
                                dy[k] = u2f(k % 2 ? 0u : 0x3f800000u);
                            }
                            x[positions[pi]] = u2f(cases[ci].x);
                            dy[positions[pi]] = u2f(cases[ci].dy);
                            for (size_t c = 0; c < C; c++)
                                s[c] = cases[ci].slope;
                            feclearexcept(FE_ALL_EXCEPT);
                            if (op == 0)
                                run_forward(&impls[m], x, out, s, o, C, in);
                            else
                                run_backward(&impls[m], x, dy, op == 2 ? NULL : out, s,
                                             op == 3 ? NULL : ds, o, C, in);
                            const int f = fetestexcept(FE_ALL_EXCEPT);
                            checked++;
                            if (m == 0)
                                want = f;
                            else if (f != want)
                                FAIL("%s flags: %s %s x=%08x dy=%08x slope=%a n=%zu pos=%zu: "
                                     "raised %#x, the scalar kernel %#x",
                                     impls[m].name,
                                     op == 0   ? "forward"
                                     : op == 1 ? "backward"
                                     : op == 2 ? "dslope alone"
                                               : "dx alone",
                                     nhwc ? "NHWC" : "NCHW", cases[ci].x, cases[ci].dy,
                                     (double)cases[ci].slope, n, positions[pi], (unsigned)f,
                                     (unsigned)want);
                        }
                    }
            }
    printf("flags: %lu calls\n", checked);
}

/*
 * The kernels' prelu_forward and prelu_backward called directly, on their
 * contract (kernels.h): element i takes the slope ext[(j + i) mod period].
 * Wrapping calls (period >= 64, j < period, ext holding period + 64 slopes
 * that repeat), and calls within one period (j + n <= period), whose ext
 * is allocated with exactly j + n slopes (AddressSanitizer sees a read
 * past them). y and dx against x > 0 ? x : s * x (dy), bit for bit, and
 * nothing written outside [0, n).
 */
static void kernel_slope_case(const char *name, const struct lrelu_kernel_fns *f, size_t n,
                              size_t period, size_t j, int flat)
{
    const size_t len = flat ? j + n : period + 64;
    float *ext = malloc(len * sizeof *ext);
    float *x = alloc_floats(n), *dy = alloc_floats(n), *out = alloc_floats(n);
    if (ext == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    for (size_t k = 0; k < len; k++)
        ext[k] = k < period ? value(0) : ext[k % period];
    for (size_t i = 0; i < n; i++) {
        x[i] = i % 5 == 0 ? (i % 10 == 0 ? 0.0f : -0.0f) : value(0);
        dy[i] = value(0);
    }
    for (int bwd = 0; bwd < 2; bwd++) {
        fill_sentinel(out, n + 2 * MARGIN);
        if (bwd)
            f->prelu_backward(x, dy, out + MARGIN, n, ext, period, j);
        else
            f->prelu_forward(x, out + MARGIN, n, ext, period, j);
        for (size_t i = 0; i < n; i++) {
            const float s = ext[(j + i) % period], g = bwd ? dy[i] : x[i];
            volatile float want = x[i] > 0 ? g : s * g;
            if (f2u(out[MARGIN + i]) != f2u(want)) {
                FAIL("%s prelu_%s n=%zu period=%zu j=%zu: element %zu is %a, want %a", name,
                     bwd ? "backward" : "forward", n, period, j, i, out[MARGIN + i], want);
                break;
            }
        }
        if (!all_sentinel(out, MARGIN) || !all_sentinel(out + MARGIN + n, MARGIN))
            FAIL("%s prelu_%s n=%zu period=%zu j=%zu: wrote outside its output", name,
                 bwd ? "backward" : "forward", n, period, j);
    }
    free(ext);
    free(x);
    free(dy);
    free(out);
}

static void test_kernel_slopes(void)
{
    static const size_t ns[] = {1, 7, 15, 16, 17, 31, 63, 64, 65, 127, 200, 333};
    static const size_t periods[] = {64, 80, 100, 129, 1024};
    for (size_t m = 0; m < impl_count; m++) {
        const struct lrelu_kernel_fns *f = impls[m].fns;
        if (f == NULL) {
            lrelu_set_kernel(impls[m].name);
            f = &lrelu_current()->fns;
        }
        for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++) {
            const size_t n = ns[a];
            for (size_t b = 0; b < sizeof periods / sizeof periods[0]; b++) {
                const size_t p = periods[b];
                const size_t js[] = {0, 1, 17, p / 2, p - 1};
                for (size_t c = 0; c < sizeof js / sizeof js[0]; c++)
                    kernel_slope_case(impls[m].name, f, n, p, js[c], 0);
            }
            /* Within one period: the period just long enough, or longer. */
            static const size_t flat_js[] = {0, 3, 40};
            for (size_t c = 0; c < sizeof flat_js / sizeof flat_js[0]; c++) {
                kernel_slope_case(impls[m].name, f, n, flat_js[c] + n, flat_js[c], 1);
                kernel_slope_case(impls[m].name, f, n, flat_js[c] + n + 9, flat_js[c], 1);
            }
        }
    }
    lrelu_set_kernel(NULL);
}

int main(void)
{
    for (size_t i = 0; i < lrelu_kernel_count() && impl_count < 8; i++)
        impls[impl_count++] = (struct impl){lrelu_kernel_name(i), NULL};
#ifdef LRELU_TEST_NEON_PORTABLE
    impls[impl_count++] = (struct impl){"neon-portable", &neon_fns};
#endif
    const int quick = getenv("LRELU_TEST_QUICK") != NULL;
    static const struct shape shapes[] = {
        /* NCHW, long channel blocks (per-block kernels, phases of 8). */
        {2, 3, 1000},
        {3, 5, 299},
        {1, 2, 3000},
        {3, 2, 1031}, /* long blocks at every alignment, streamed under prelu_stream */
        {3, 9, 300},  /* > 2048 elements per outer, inner >= 256 */
        /* Blocks of 256 or more: a call per block (streamed, one fence for
         * the blocks, under prelu_stream). */
        {2, 3, 256},
        /* Blocks of 32 to 255: the blocks kernel, an outer index a call,
         * its vectors across the blocks' ends (which fall on a vector
         * boundary for some of the output's shifts: 32, 48, 64). */
        {2, 3, 255},
        {3, 4, 130},
        {1, 3, 128},
        {1, 16, 49},
        {1, 7, 32},
        {1, 5, 127},
        {3, 40, 60},
        {2, 70, 33},
        {2, 3, 127},
        {8, 3, 49},
        {3, 5, 64},
        {1, 9, 48},
        {4, 6, 40},
        /* Blocks of 16 to 31 in one or two outer indices: the blocks
         * kernel too, where a block may hold no whole vector of 16. */
        {1, 5, 31},
        {1, 16, 16},
        {1, 9, 17},
        {2, 7, 20},
        {1, 40, 25},
        {2, 3, 24},
        /* Shorter blocks, or 16 to 31 in more outer indices: the slope
         * laid out as a pattern. */
        {3, 5, 16},
        {4, 17, 7},
        {5, 200, 11}, /* > 2048 elements per outer, inner < 128: stretches */
        {7, 33, 2},
        {9, 13, 3},
        /* NHWC. */
        {1000, 7, 1},
        {301, 64, 1},
        {37, 3, 1},
        {100, 300, 1}, /* more than 256 channels */
        {1, 300, 1},   /* one row: y and dx on the slopes themselves, dslope's row kernel */
        {1, 7, 1},
        {1, 33, 1},
        {2, 3000, 1}, /* rows longer than a slope pattern */
        {5, 40, 1},   /* fewer rows than dslope's eight sums */
        {65, 1, 1},
        /* dslope's column kernel (up to 16 rows, or a block small enough
         * for the cache: cols_fit, src/lrelu.c) and the rows kernel on
         * either side of its bounds. */
        {8, 16, 1},
        {12, 48, 1},
        {16, 1000, 1},
        {17, 1000, 1},
        {9000, 1, 1}, /* two blocks, each down the column */
        /* The rows kernel in whole periods (eight rows of an even number
         * of channels), a last part period and a tail; and of an odd
         * number, where a vector of 16 lanes crosses each period's end. */
        {1100, 64, 1},
        {300, 130, 1},
        {1100, 63, 1},
        /* One shared slope: one kernel call for the whole tensor, and
         * dslope's runs across the outer indices, up to the blocks' ends
         * (8192 terms: within an outer index, and between two). */
        {1, 1, 50000},
        {7, 1, 13},
        {3, 1, 1},
        {1, 1, 16},
        {5, 1, 20},
        {64, 1, 100},
        {100, 1, 100},
        {3, 1, 3000},
        {2, 1, 4096},
        /* Crossing dslope's blocks of 8192 terms. */
        {20000, 3, 1},
        {9000, 257, 1},
        {3, 2, 7001},
        {700, 2, 29},
        {3, 3, 4096},   /* rows ending on the blocks' ends */
        {2, 2, 20000},  /* a row across two ends */
        {2, 260, 4100}, /* more than 256 channels, rows across an end */
        /* Empty. */
        {0, 3, 5},
        {2, 0, 5},
        {2, 3, 0},
    };
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        if (quick && shapes[k].outer * shapes[k].channels * shapes[k].inner > 100000)
            continue;
        test_shape(shapes[k], 0);
        test_shape(shapes[k], 1);
        test_shape(shapes[k], 2);
    }
    /* Random small shapes. */
    for (int r = 0; r < (quick ? 20 : 300); r++) {
        const struct shape sh = {1 + rng() % 20, 1 + rng() % 40, 1 + rng() % 70};
        test_shape(sh, (int)(rng() % 3));
    }
    test_kernel_slopes();
    test_slope_guard();
    test_cancellation();
    test_specials();
    test_rounding();
    test_slope_check();
    test_flags();
    test_errors();
    lrelu_set_kernel(NULL);
    if (fails) {
        printf("%d failures\n", fails);
        return 1;
    }
    printf("ok: PReLU on %zu kernels\n", impl_count);
    return 0;
}
