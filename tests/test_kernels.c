/*
 * Every kernel against the contract, bit for bit.
 *
 * For each function, alpha, input offset and n, the expected output is the
 * formula evaluated here (NaN-aware: where the IEEE result is a NaN, any NaN
 * is right) and the library's scalar kernel must match it; then every other
 * kernel must give exactly the scalar kernel's bits (NaN payloads included),
 * at every output offset, out of place and in place, without touching a
 * byte outside its output.
 *
 * LRELU_TEST_QUICK=1 (for runs under valgrind, some 50 times slower) keeps
 * every kernel, every function and every n 0..300 but takes four input
 * offsets (0, 5, 10, 15 floats: every misalignment of a 16-byte vector, four
 * of a 64-byte one), five alphas, three output offsets, and of the large n
 * only those below a million.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define MAX_SMALL_N 300
#define MAX_OFF     16 /* element offsets 0..15: every misalignment of a 64-byte vector */
#define MARGIN      32 /* sentinel floats before and after every output */
#define MAX_FAILS   20

static int fails;
static struct impl impls[16];
static size_t impl_count;
static const uint32_t SENTINEL = 0x7fa5a5a5u; /* a signalling NaN no kernel produces */

static float *alloc_floats(size_t n)
{
    float *p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
    if (p == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    return p;
}

static void fill_sentinel(float *p, size_t n)
{
    const float s = u2f(SENTINEL);
    for (size_t i = 0; i < n; i++)
        p[i] = s;
}

/* Index of the first element of p[0..n) that is not the sentinel, or n. */
static size_t first_changed(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f2u(p[i]) != SENTINEL)
            return i;
    return n;
}

enum mode { OUT_OF_PLACE, IN_PLACE_ON_INPUT, IN_PLACE_ON_DY };
static const char *const mode_names[] = {"out-of-place", "in-place(out=x)", "in-place(out=dy)"};
static const char *const store_names[] = {"auto", "stream", "cached"};

struct bufs {
    float *in, *dy, *want, *scal, *out; /* out has MARGIN + MAX_OFF + n + MARGIN floats */
};

/* Runs one case and checks it; returns 0 when right. */
static int check_case(const struct impl *impl, enum op op, enum mode mode, unsigned flags, size_t n,
                      size_t in_off, size_t out_off, float alpha, const struct bufs *b,
                      const float *in, const float *dy)
{
    char how[64];
    snprintf(how, sizeof how, "%s,%s", mode_names[mode], store_names[flags]);
    const size_t total = MARGIN + MAX_OFF + n + MARGIN;
    float *out = b->out + MARGIN + out_off;
    fill_sentinel(b->out, total);
    const float *a_in = in, *a_dy = dy;
    if (mode == IN_PLACE_ON_INPUT) {
        memcpy(out, in, n * sizeof *out);
        a_in = out;
    } else if (mode == IN_PLACE_ON_DY) {
        memcpy(out, dy, n * sizeof *out);
        a_dy = out;
    }
    const int expect_status =
        op == OP_BACKWARD_FROM_OUTPUT && alpha < 0.0f ? LRELU_EINVAL : LRELU_OK;
    if (expect_status != LRELU_OK && impl->forward != NULL)
        return 0; /* the API refuses this call: a kernel never sees it */
    const int st = run_op(impl, op, a_in, a_dy, out, n, alpha, flags);
    if (st != expect_status) {
        printf("FAIL status: kernel=%s function=%s n=%zu alpha=%g mode=%s returned %d, want %d\n",
               impl->name, op_names[op], n, (double)alpha, how, st, expect_status);
        return 1;
    }
    if (expect_status != LRELU_OK) {
        /* Refused: the output must be exactly what it was. */
        for (size_t i = 0; i < n; i++) {
            const float before = mode == OUT_OF_PLACE ? u2f(SENTINEL) : a_in == out ? in[i] : dy[i];
            if (f2u(out[i]) != f2u(before)) {
                report(impl->name, op, n, in_off, out_off, how, alpha, i, in[i], dy[i], out[i],
                       before, "refused call wrote its output");
                return 1;
            }
        }
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (f2u(out[i]) != f2u(b->scal[i])) {
            report(impl->name, op, n, in_off, out_off, how, alpha, i, in[i], dy[i], out[i],
                   b->scal[i], "differs from the scalar kernel");
            return 1;
        }
    }
    size_t before = first_changed(b->out, MARGIN + out_off);
    size_t after = first_changed(out + n, total - MARGIN - out_off - n);
    if (before != MARGIN + out_off || after != total - MARGIN - out_off - n) {
        printf("FAIL wrote outside its output: kernel=%s function=%s n=%zu in_offset=%zu "
               "out_offset=%zu mode=%s alpha=%g: element %td changed\n",
               impl->name, op_names[op], n, in_off, out_off, how, (double)alpha,
               before != MARGIN + out_off ? (ptrdiff_t)before - (ptrdiff_t)(MARGIN + out_off)
                                          : (ptrdiff_t)(n + after));
        return 1;
    }
    return 0;
}

/* One (op, alpha, in_off, n): the formula, the scalar kernel, then all. */
static void check_all(enum op op, float alpha, size_t in_off, size_t n, const struct bufs *b,
                      uint64_t seed, int all_out_offsets)
{
    float *in = b->in + MAX_OFF + in_off, *dy = b->dy + MAX_OFF + in_off;
    for (size_t i = 0; i < n; i++) {
        in[i] = pool[(seed + i) % POOL_SIZE];
        dy[i] = pool[(seed * 7 + 977 + i) % POOL_SIZE];
        b->want[i] = ref_op(op, in[i], dy[i], alpha);
    }
    const struct impl scalar = {"scalar", NULL, NULL};
    fill_sentinel(b->scal, n);
    int st = run_op(&scalar, op, in, dy, b->scal, n, alpha, LRELU_STORE_AUTO);
    if (st == LRELU_OK) {
        for (size_t i = 0; i < n; i++) {
            const uint32_t got = f2u(b->scal[i]), want = f2u(b->want[i]);
            if (got != want && !(is_nan_bits(want) && is_nan_bits(got))) {
                report("scalar", op, n, in_off, 0, mode_names[0], alpha, i, in[i], dy[i],
                       b->scal[i], b->want[i], "differs from the formula");
                fails++;
                break;
            }
        }
    }
    /* Through the cache (automatic) and with streaming stores forced, so
     * that the streaming path's head, body and tail meet every n and every
     * output alignment. */
    static const unsigned store_flags[] = {LRELU_STORE_AUTO, LRELU_STORE_STREAM};
    for (size_t k = 0; k < impl_count && fails < MAX_FAILS; k++) {
        for (size_t f = 0; f < 2; f++) {
            const unsigned fl = store_flags[f];
            const size_t offs = all_out_offsets ? MAX_OFF : 3;
            for (size_t o = 0; o < offs && fails < MAX_FAILS; o++) {
                const size_t out_off = all_out_offsets ? o : (in_off + 5 * o) % MAX_OFF;
                fails += check_case(&impls[k], op, OUT_OF_PLACE, fl, n, in_off, out_off, alpha, b,
                                    in, dy);
            }
            fails += check_case(&impls[k], op, IN_PLACE_ON_INPUT, fl, n, in_off, in_off, alpha, b,
                                in, dy);
            if (op != OP_FORWARD)
                fails += check_case(&impls[k], op, IN_PLACE_ON_DY, fl, n, in_off, in_off, alpha, b,
                                    in, dy);
        }
    }
}

static struct bufs make_bufs(size_t cap)
{
    struct bufs b;
    b.in = alloc_floats(MAX_OFF + cap + MAX_OFF);
    b.dy = alloc_floats(MAX_OFF + cap + MAX_OFF);
    b.want = alloc_floats(cap);
    b.scal = alloc_floats(cap);
    b.out = alloc_floats(MARGIN + MAX_OFF + cap + MARGIN);
    return b;
}

static void free_bufs(struct bufs *b)
{
    free(b->in);
    free(b->dy);
    free(b->want);
    free(b->scal);
    free(b->out);
}

/* The alphas of the quick mode: ReLU, the usual, above 1, negative, and
 * one whose products overflow. */
static int quick_alpha(float a)
{
    return a == 0.0f || a == 0.01f || a == 1.5f || a == -0.5f || a == FLT_MAX;
}

int main(void)
{
    pool_init(0x6c72656c75ull);
    impl_count = test_impls(impls, sizeof impls / sizeof impls[0]);
    printf("kernels under test:");
    for (size_t k = 0; k < impl_count; k++)
        printf(" %s", impls[k].name);
    printf("\n");

    const char *q = getenv("LRELU_TEST_QUICK");
    const int quick = q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
    if (quick)
        printf("quick mode (LRELU_TEST_QUICK): fewer offsets and alphas, every n 0..%d\n",
               MAX_SMALL_N);

    /* Every n 0..300 and every input offset; every output offset with a
     * third of the alphas, three rotating output offsets with the rest. */
    struct bufs b = make_bufs(MAX_SMALL_N);
    uint64_t seed = 1;
    for (int op = 0; op < OP_COUNT; op++)
        for (size_t a = 0; a < test_alpha_count; a++)
            for (size_t in_off = 0; in_off < MAX_OFF; in_off++) {
                if (quick && (in_off % 5 != 0 || !quick_alpha(test_alphas[a])))
                    continue;
                for (size_t n = 0; n <= MAX_SMALL_N && fails < MAX_FAILS; n++)
                    check_all((enum op)op, test_alphas[a], in_off, n, &b, seed++,
                              !quick && a % 3 == 0);
            }
    free_bufs(&b);

    /* A few large n, through every loop of every kernel. */
    static const size_t large[] = {4099, 65536 + 3, 1000007};
    for (size_t l = 0; l < sizeof large / sizeof large[0]; l++) {
        if (quick && large[l] > 1000000)
            continue;
        b = make_bufs(large[l]);
        for (int op = 0; op < OP_COUNT; op++)
            for (size_t a = 0; a < test_alpha_count; a += 3)
                for (size_t in_off = 0; in_off < MAX_OFF && fails < MAX_FAILS; in_off += 7)
                    check_all((enum op)op, test_alphas[a], in_off, large[l], &b, seed++, 0);
        free_bufs(&b);
    }

    /* Around the size from which automatic calls switch to streaming
     * stores (the default kernel's threshold; every kernel runs there). */
    const size_t t = lrelu_stream_threshold();
    if (t == SIZE_MAX) {
        printf("no automatic streaming threshold here (no streaming kernel or cache size)\n");
    } else {
        for (int op = 0; op < OP_COUNT; op++) {
            const size_t base = t / (op == OP_FORWARD ? 8 : 12);
            b = make_bufs(base + 2);
            for (size_t n = base - 1; n <= base + 1 && fails < MAX_FAILS; n++)
                check_all((enum op)op, 0.01f, n % MAX_OFF, n, &b, seed++, 0);
            free_bufs(&b);
        }
        printf("checked around the streaming threshold, %zu bytes moved\n", t);
    }

    lrelu_set_kernel(NULL);
    if (fails) {
        printf("%d failure(s)\n", fails);
        return 1;
    }
    printf("all kernels bit-exact\n");
    return 0;
}
