/*
 * Alignment: an array not aligned to its element type (_Alignof: a float
 * pointer at an odd address is undefined behaviour in C, and faults on some
 * CPUs) is refused with LRELU_EINVAL and nothing is written, for every
 * type, function and array (x, dy, the output), on every kernel; n == 0
 * still returns LRELU_OK; every offset that is a multiple of the alignment
 * works and gives the scalar kernel's bits.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

#define N     19
#define BYTES (N * 8 + 64)

static _Alignas(64) unsigned char in_buf[BYTES], dy_buf[BYTES], out_buf[BYTES], want_buf[BYTES];

static const size_t aligns[LRELU_TYPE_COUNT] = {
    [LRELU_TYPE_f32] = _Alignof(float),
    [LRELU_TYPE_f16] = _Alignof(uint16_t),
    [LRELU_TYPE_bf16] = _Alignof(uint16_t),
    [LRELU_TYPE_f64] = _Alignof(double),
};

int main(void)
{
    struct impl impls[16];
    const size_t count = test_impls(impls, 16);
    int fails = 0;
    unsigned long refused = 0, run = 0;

    for (size_t k = 0; k < count; k++) {
        if (impls[k].fns != NULL)
            continue; /* test-only kernels have no argument checks */
        for (int t = 0; t < LRELU_TYPE_COUNT; t++) {
            const size_t align = aligns[t], size = type_sizes[t];
            uint64_t state = 3;
            for (size_t i = 0; i < BYTES / size; i++) {
                put_bits((enum lrelu_type)t, in_buf, i, pool_bits((enum lrelu_type)t, &state));
                put_bits((enum lrelu_type)t, dy_buf, i, pool_bits((enum lrelu_type)t, &state));
            }
            for (int op = 0; op < OP_COUNT; op++) {
                /* Which array is moved (0 x, 1 dy, 2 out) and by how many
                 * bytes, 0..15. */
                for (int which = 0; which < 3; which++) {
                    if (which == 1 && op == OP_FORWARD)
                        continue;
                    for (size_t off = 0; off < 16; off++) {
                        const unsigned char *in = in_buf + 8 + (which == 0 ? off : 0);
                        const unsigned char *dy = dy_buf + 8 + (which == 1 ? off : 0);
                        unsigned char *out = out_buf + 8 + (which == 2 ? off : 0);
                        const int misaligned = off % align != 0;
                        memset(out_buf, 0x5a, BYTES);
                        int st = run_op_t(&impls[k], (enum lrelu_type)t, (enum op)op, in, dy, out,
                                          N, 0.25, 0);
                        if (misaligned) {
                            refused++;
                            int untouched = 1;
                            for (size_t i = 0; i < BYTES; i++)
                                untouched &= out_buf[i] == 0x5a;
                            if (st != LRELU_EINVAL || !untouched) {
                                printf("FAIL kernel=%s type=%s function=%s %s misaligned by "
                                       "%zu bytes: status %d, %s\n",
                                       impls[k].name, type_names[t], op_names[op],
                                       which == 0   ? "x"
                                       : which == 1 ? "dy"
                                                    : "out",
                                       off, st, untouched ? "nothing written" : "output written");
                                fails++;
                            }
                            /* n == 0 accepts any pointer, as it accepts NULL. */
                            st = run_op_t(&impls[k], (enum lrelu_type)t, (enum op)op, in, dy, out,
                                          0, 0.25, 0);
                            if (st != LRELU_OK) {
                                printf("FAIL kernel=%s type=%s function=%s n=0 misaligned: "
                                       "status %d\n",
                                       impls[k].name, type_names[t], op_names[op], st);
                                fails++;
                            }
                            continue;
                        }
                        run++;
                        int st0 = run_op_t(&impls[0], (enum lrelu_type)t, (enum op)op, in, dy,
                                           want_buf, N, 0.25, 0);
                        if (st != LRELU_OK || st0 != LRELU_OK ||
                            memcmp(out, want_buf, N * size) != 0) {
                            printf("FAIL kernel=%s type=%s function=%s %s at offset %zu (aligned): "
                                   "status %d, %s\n",
                                   impls[k].name, type_names[t], op_names[op],
                                   which == 0   ? "x"
                                   : which == 1 ? "dy"
                                                : "out",
                                   off, st, "not the scalar kernel's bits");
                            fails++;
                        }
                        if (fails > 20)
                            return 1;
                    }
                }
            }
        }
    }
    printf("%lu misaligned calls refused with nothing written, %lu aligned calls right\n", refused,
           run);
    return fails ? 1 : 0;
}
