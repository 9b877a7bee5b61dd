/*
 * lrelu_forward_qu8 against XNNPACK's own operator (xnn_create_leaky_relu_
 * nc_qu8), every input value, many parameter sets, every usable kernel.
 *
 * XNNPACK defines quantized Leaky ReLU with the fixed-point multipliers of
 * lrelu.h since its qs8-vlrelu / qu8-vlrelu kernels (2022); releases before
 * them, such as Debian 12's (a snapshot of February 2022), fill a 256-entry
 * table in float arithmetic instead, y = lrintf(dequantized x times alpha
 * where negative, / output_scale) + output_zero_point, clamped. The two
 * agree except near a rounding boundary: the multipliers' rounding moves
 * d * M / 256 by at most |d| / 512. So, whichever XNNPACK is linked:
 *  - the outputs differ by at most 1 everywhere;
 *  - they are equal wherever the exact value (double arithmetic on the
 *    parameters) lies farther than that bound, plus the float arithmetic's
 *    error, from a rounding boundary;
 *  - where the linked XNNPACK is the fixed-point one, all are equal: the
 *    test says which it found (the count of elements that differ by one).
 * Built only where the build finds XNNPACK (tests/meson.build).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrelu.h"

#ifndef HAVE_XNNPACK
#error "built only with XNNPACK (tests/meson.build)"
#else
#include <xnnpack.h>

static uint64_t rng_state = 0x786e6e70ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

int main(void)
{
    if (xnn_initialize(NULL) != xnn_status_success) {
        printf("FAIL xnn_initialize\n");
        return 1;
    }
    uint8_t x[256], want[256], got[256];
    for (int i = 0; i < 256; i++)
        x[i] = (uint8_t)i;
    static const float alphas[] = {0.01f, 0.1f, 0.2f, 0.25f, 0.3333f, 0.5f,  0.75f,
                                   1.0f,  1.5f, 3.0f, -0.1f, -0.5f,   -1.0f, -2.0f};
    const size_t kernels = lrelu_kernel_count();
    size_t sets = 0, refused = 0, compared = 0, strict = 0, off_by_one = 0;
    int fails = 0;
    for (int iter = 0; iter < 3000 && fails < 20; iter++) {
        const uint64_t r = rnd();
        lrelu_quant q;
        q.input_scale = ldexpf(1.0f + (float)(r & 0xfffff) / 0x1p20f, (int)(r >> 20 & 7) - 6);
        q.output_scale =
            ldexpf(1.0f + (float)(r >> 24 & 0xfffff) / 0x1p20f, (int)(r >> 44 & 7) - 6);
        q.alpha = alphas[(r >> 48) % (sizeof alphas / sizeof alphas[0])];
        q.input_zero_point = (int32_t)(r >> 56);
        q.output_zero_point = (int32_t)(rnd() & 255);
        if (iter < 4) /* the zero points at their limits */
            q.input_zero_point = iter & 1 ? 255 : 0, q.output_zero_point = iter & 2 ? 255 : 0;
        lrelu_set_kernel(NULL);
        if (lrelu_forward_qu8(x, got, 256, &q) != LRELU_OK)
            continue; /* outside the valid range */
        xnn_operator_t op = NULL;
        if (xnn_create_leaky_relu_nc_qu8(1, 1, 1, q.alpha, (uint8_t)q.input_zero_point,
                                         q.input_scale, (uint8_t)q.output_zero_point,
                                         q.output_scale, 0, 255, 0, &op) != xnn_status_success) {
            refused++;
            continue;
        }
        if (xnn_setup_leaky_relu_nc_qu8(op, 256, x, want, NULL) != xnn_status_success ||
            xnn_run_operator(op, NULL) != xnn_status_success) {
            printf("FAIL XNNPACK's setup or run failed\n");
            return 1;
        }
        xnn_delete_operator(op);
        sets++;
        for (size_t k = 0; k < kernels; k++) {
            lrelu_set_kernel(lrelu_kernel_name(k));
            memset(got, 0, sizeof got);
            lrelu_forward_qu8(x, got, 256, &q);
            for (int i = 0; i < 256; i++) {
                const int d = i - q.input_zero_point;
                const double v =
                    (double)q.input_scale * d * (d < 0 ? (double)q.alpha : 1.0) / q.output_scale;
                /* Distance from v to the nearest rounding boundary (a half
                 * integer), and the two definitions' errors before it. */
                const double frac = v - floor(v);
                const double dist = fabs(frac - 0.5);
                const double slack = fabs((double)d) / 512.0 + fabs(v) * 0x1p-20 + 1e-9;
                const int must_equal = dist > slack;
                const int diff = abs((int)got[i] - (int)want[i]);
                compared++;
                strict += must_equal;
                if (k == 0 && diff == 1)
                    off_by_one++;
                if (diff > 1 || (must_equal && diff != 0)) {
                    if (fails++ < 20)
                        printf("FAIL kernel %s x=%d: %d, XNNPACK %d (is=%a os=%a alpha=%a zx=%d "
                               "zy=%d, exact %.6f)\n",
                               lrelu_kernel_name(k), i, got[i], want[i], q.input_scale,
                               q.output_scale, q.alpha, (int)q.input_zero_point,
                               (int)q.output_zero_point, v + q.output_zero_point);
                }
            }
        }
    }
    lrelu_set_kernel(NULL);
    printf("%zu parameter sets (%zu more refused by XNNPACK), %zu kernels: %zu elements "
           "compared, %zu of them away from a rounding boundary (must be equal)\n",
           sets, refused, kernels, compared, strict);
    printf("XNNPACK %s: %zu of %zu elements differ by one\n",
           off_by_one ? "computes the older float table" : "agrees bit for bit", off_by_one,
           sets * 256);
    if (sets < 100) {
        printf("FAIL only %zu parameter sets compared\n", sets);
        return 1;
    }
    return fails ? 1 : 0;
}
#endif
