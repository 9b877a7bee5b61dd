/*
 * Guard pages: every kernel, every function, every n 0..300, on arrays that
 * end right before a PROT_NONE page and on arrays that start right after
 * one. A kernel that reads or writes one float outside [0, n) faults here.
 * The rest of each output page must keep its sentinel bytes.
 */
#define _DEFAULT_SOURCE /* write, _exit */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define MAX_N 300

static const unsigned char FILL = 0xa5;

/* The case being run, for the fault handler to name. */
static char current[256];

static void on_fault(int sig)
{
    static const char head[] = "FAIL fault (a read or write outside the array): ";
    (void)sig;
    if (write(1, head, sizeof head - 1) < 0 || write(1, current, strlen(current)) < 0)
        _exit(2);
    _exit(1);
}

int main(void)
{
    struct impl impls[16];
    const size_t count = test_impls(impls, 16);
    const float alphas[] = {0.01f, 1.5f, -2.0f};
    struct guarded gin = guarded_alloc(MAX_N * sizeof(float));
    struct guarded gdy = guarded_alloc(MAX_N * sizeof(float));
    struct guarded gout = guarded_alloc(MAX_N * sizeof(float));
    const size_t out_bytes = (size_t)(gout.hi - gout.lo);
    int fails = 0;

    pool_init(42);
    signal(SIGSEGV, on_fault);
    signal(SIGBUS, on_fault);
    for (size_t k = 0; k < count; k++) {
        for (int op = 0; op < OP_COUNT; op++) {
            for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
                const float alpha = alphas[a];
                if (op == OP_BACKWARD_FROM_OUTPUT && alpha < 0.0f)
                    continue; /* refused before any kernel runs: test_api covers it */
                for (size_t n = 0; n <= MAX_N; n++) {
                    /* at_end 1: arrays end at the upper guard; 0: start at
                     * the lower. store: automatic (0) or streaming forced. */
                    for (int c = 0; c < 4; c++) {
                        const int at_end = c & 1;
                        const unsigned store = c >> 1 ? LRELU_STORE_STREAM : LRELU_STORE_AUTO;
                        for (int in_place = 0; in_place < 2; in_place++) {
                            float *in = (float *)(at_end ? gin.hi - n * sizeof(float) : gin.lo);
                            float *dy = (float *)(at_end ? gdy.hi - n * sizeof(float) : gdy.lo);
                            float *out = (float *)(at_end ? gout.hi - n * sizeof(float) : gout.lo);
                            memset(gout.lo, FILL, out_bytes);
                            for (size_t i = 0; i < n; i++) {
                                in[i] = pool[(i + n) % POOL_SIZE];
                                dy[i] = pool[(3 * i + n + 100) % POOL_SIZE];
                            }
                            const float *src = in;
                            if (in_place) {
                                memcpy(out, in, n * sizeof(float));
                                src = out;
                            }
                            snprintf(current, sizeof current,
                                     "kernel=%s function=%s n=%zu %s in_place=%d store=%s "
                                     "alpha=%g\n",
                                     impls[k].name, op_names[op], n,
                                     at_end ? "at-upper-guard" : "at-lower-guard", in_place,
                                     store ? "stream" : "auto", (double)alpha);
                            int st = run_op(&impls[k], (enum op)op, src, dy, out, n, alpha, store);
                            if (st != LRELU_OK) {
                                printf("FAIL kernel=%s function=%s n=%zu returned %d\n",
                                       impls[k].name, op_names[op], n, st);
                                fails++;
                                continue;
                            }
                            for (size_t i = 0; i < n; i++) {
                                const float want = ref_op((enum op)op, in[i], dy[i], alpha);
                                const uint32_t w = f2u(want), g = f2u(out[i]);
                                if (w != g && !(is_nan_bits(w) && is_nan_bits(g))) {
                                    report(impls[k].name, (enum op)op, n, 0, 0,
                                           at_end ? "at-upper-guard" : "at-lower-guard", alpha, i,
                                           in[i], dy[i], out[i], want, "wrong value");
                                    fails++;
                                    break;
                                }
                            }
                            const unsigned char *o = (const unsigned char *)out;
                            for (const unsigned char *p = gout.lo; p < gout.hi; p++) {
                                if ((p < o || p >= o + n * sizeof(float)) && *p != FILL) {
                                    printf("FAIL kernel=%s function=%s n=%zu %s in_place=%d: "
                                           "byte %td outside the output changed\n",
                                           impls[k].name, op_names[op], n,
                                           at_end ? "at-upper-guard" : "at-lower-guard", in_place,
                                           p - o);
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
        printf("%s: no fault, no stray write, n = 0..%d\n", impls[k].name, MAX_N);
    }
    return fails ? 1 : 0;
}
