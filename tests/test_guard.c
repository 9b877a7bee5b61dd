/*
 * Guard pages: every element type, every kernel, every function, every n
 * 0..300, on arrays that end right before a PROT_NONE page and on arrays
 * that start right after one, with automatic and with streaming stores,
 * out of place and in place. A kernel that reads or writes one element
 * (16-bit, 32-bit or 64-bit) outside [0, n) faults here. The output must
 * be the contract's bits (tests/common.c's ref_bits), and the rest of each
 * output page must keep its sentinel bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define MAX_N 300

static const unsigned char FILL = 0xa5;

/* The alphas of each type: float32 takes three, the newer types (whose
 * kernels share the loop shape) two, and only their first under
 * LRELU_TEST_QUICK=1 (valgrind, qemu), so that the run stays short there.
 * backward_from_output skips the negative ones (refused before any kernel
 * runs: test_api covers that). */
static const double alphas[LRELU_TYPE_COUNT][3] = {
    {0.01f, 1.5, -2.0}, /* f32 */
    {0.01f, -2.0},      /* f16 */
    {0.2f, -0.5},       /* bf16 */
    {0.01, -2.0},       /* f64: 0.01 is the double, not the float */
};
static const size_t alpha_counts[LRELU_TYPE_COUNT] = {3, 2, 2, 2};

int main(void)
{
    struct impl impls[16];
    const size_t count = test_impls(impls, 16);
    const size_t max_bytes = MAX_N * sizeof(double); /* the largest element */
    struct guarded gin = guarded_alloc(max_bytes);
    struct guarded gdy = guarded_alloc(max_bytes);
    struct guarded gout = guarded_alloc(max_bytes);
    const size_t out_bytes = (size_t)(gout.hi - gout.lo);
    static uint64_t in_v[MAX_N], dy_v[MAX_N], want[MAX_N];
    static int any_nan[MAX_N];
    int fails = 0;
    const char *q = getenv("LRELU_TEST_QUICK");
    const int quick = q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;

    pool_init(42);
    catch_faults(1);
    for (size_t k = 0; k < count; k++) {
        for (int ti = 0; ti < LRELU_TYPE_COUNT; ti++) {
            const enum lrelu_type t = (enum lrelu_type)ti;
            const size_t es = type_sizes[t];
            for (int op = 0; op < OP_COUNT; op++) {
                for (size_t a = 0; a < (quick && t != LRELU_TYPE_f32 ? 1 : alpha_counts[t]); a++) {
                    const double alpha = alphas[t][a];
                    if (op == OP_BACKWARD_FROM_OUTPUT && alpha < 0.0)
                        continue;
                    for (size_t n = 0; n <= MAX_N; n++) {
                        uint64_t s = 0x6775617264ull + n;
                        for (size_t i = 0; i < n; i++) {
                            in_v[i] = pool_bits(t, &s);
                            dy_v[i] = pool_bits(t, &s);
                            want[i] =
                                ref_bits(t, (enum op)op, in_v[i], dy_v[i], alpha, &any_nan[i]);
                        }
                        /* at_end 1: arrays end at the upper guard; 0: start
                         * at the lower. store: automatic (0) or streaming
                         * forced. */
                        for (int c = 0; c < 4; c++) {
                            const int at_end = c & 1;
                            const unsigned store = c >> 1 ? LRELU_STORE_STREAM : LRELU_STORE_AUTO;
                            const char *where = at_end ? "at-upper-guard" : "at-lower-guard";
                            for (int in_place = 0; in_place < 2; in_place++) {
                                unsigned char *in = at_end ? gin.hi - n * es : gin.lo;
                                unsigned char *dy = at_end ? gdy.hi - n * es : gdy.lo;
                                unsigned char *out = at_end ? gout.hi - n * es : gout.lo;
                                memset(gout.lo, FILL, out_bytes);
                                for (size_t i = 0; i < n; i++) {
                                    put_bits(t, in, i, in_v[i]);
                                    put_bits(t, dy, i, dy_v[i]);
                                }
                                const void *src = in;
                                if (in_place) {
                                    memcpy(out, in, n * es);
                                    src = out;
                                }
                                snprintf(fault_case, sizeof fault_case,
                                         "kernel=%s type=%s function=%s n=%zu %s in_place=%d "
                                         "store=%s alpha=%a\n",
                                         impls[k].name, type_names[t], op_names[op], n, where,
                                         in_place, store ? "stream" : "auto", alpha);
                                int st = run_op_t(&impls[k], t, (enum op)op, src, dy, out, n, alpha,
                                                  store);
                                if (st != LRELU_OK) {
                                    printf("FAIL returned %d: %s", st, fault_case);
                                    fails++;
                                    continue;
                                }
                                for (size_t i = 0; i < n; i++) {
                                    const uint64_t w = want[i], g = get_bits(t, out, i);
                                    if (g != w && !(any_nan[i] && is_nan_t(t, g))) {
                                        report_t(impls[k].name, t, (enum op)op, n, 0, 0,
                                                 in_place ? (at_end ? "at-upper-guard in-place"
                                                                    : "at-lower-guard in-place")
                                                          : where,
                                                 alpha, i, in_v[i], dy_v[i], g, w, "wrong value");
                                        fails++;
                                        break;
                                    }
                                }
                                for (const unsigned char *p = gout.lo; p < gout.hi; p++) {
                                    if ((p < out || p >= out + n * es) && *p != FILL) {
                                        printf("FAIL byte %td outside the output changed: %s",
                                               p - out, fault_case);
                                        fails++;
                                        break;
                                    }
                                }
                                if (fails > 20)
                                    return 1;
                            }
                        }
                    }
                }
            }
        }
        printf("%s: no fault, no stray write, every type, n = 0..%d\n", impls[k].name, MAX_N);
    }
    return fails ? 1 : 0;
}
