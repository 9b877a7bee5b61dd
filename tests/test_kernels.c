/*
 * Every kernel against the contract, bit for bit, for every element type.
 *
 * One loop over type x function x alpha x input offset x n: the expected
 * output is the contract evaluated here (tests/common.c's ref_bits, written
 * apart from the kernels: float16 and bfloat16 rounded through double
 * arithmetic) and the library's scalar kernel must match it (for float32
 * and float64, where the IEEE result is a NaN, any NaN is right); then
 * every other kernel must give exactly the scalar kernel's bits (NaN
 * payloads included), at every output offset, out of place and in place,
 * with stores through the cache and streaming stores forced, without
 * touching a byte outside its output.
 *
 * Then the 16-bit types exhaustively: every one of the 65536 codes as x
 * (forward, backward and backward from the output) and as dy, for every
 * kernel and several alphas, against the contract.
 *
 * LRELU_TEST_QUICK=1 (for runs under valgrind or qemu, some 50 times
 * slower) keeps every kernel, type, function and every n 0..300 but takes
 * four input offsets and five alphas for float32, two offsets and four
 * alphas for the other types (quick_case), three output offsets, two alphas
 * in the exhaustive part, and of the large n only those below a million.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define MAX_SMALL_N 300
#define MAX_OFF     16 /* element offsets 0..15: every misalignment of a 64-byte vector */
#define MARGIN      32 /* sentinel elements before and after every output */
#define MAX_FAILS   20

static int fails;
static struct impl impls[16];
static size_t impl_count;
/* Signalling NaNs of each type that the input pools never hold. */
static const uint64_t sentinels[LRELU_TYPE_COUNT] = {0x7fa5a5a5u, 0x7da5u, 0x7fa5u,
                                                     0x7ff5a5a5a5a5a5a5u};

static void *alloc_elems(size_t n, size_t size)
{
    void *p = aligned_alloc(64, ((n * size + 63) / 64) * 64);
    if (p == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    return p;
}

/* Sentinel elements of each type, as many as the largest output needs. */
static unsigned char *sentinel_fill[LRELU_TYPE_COUNT];
static size_t sentinel_cap;

static void make_sentinels(size_t n)
{
    for (int t = 0; t < LRELU_TYPE_COUNT; t++) {
        free(sentinel_fill[t]);
        sentinel_fill[t] = malloc(n * type_sizes[t]);
        if (sentinel_fill[t] == NULL) {
            printf("FAIL out of memory\n");
            exit(1);
        }
        for (size_t i = 0; i < n; i++)
            put_bits((enum lrelu_type)t, sentinel_fill[t], i, sentinels[t]);
    }
    sentinel_cap = n;
}

static void fill_sentinel(enum lrelu_type t, void *p, size_t n)
{
    memcpy(p, sentinel_fill[t], n * type_sizes[t]);
}

/* Index of the first element of p[0..n) that is not the sentinel, or n. */
static size_t first_changed(enum lrelu_type t, const void *p, size_t n)
{
    if (memcmp(p, sentinel_fill[t], n * type_sizes[t]) == 0)
        return n;
    for (size_t i = 0; i < n; i++)
        if (get_bits(t, p, i) != sentinels[t])
            return i;
    return n;
}

static void *at(enum lrelu_type t, void *p, size_t i)
{
    return (unsigned char *)p + i * type_sizes[t];
}

enum mode { OUT_OF_PLACE, IN_PLACE_ON_INPUT, IN_PLACE_ON_DY };
static const char *const mode_names[] = {"out-of-place", "in-place(out=x)", "in-place(out=dy)"};
static const char *const store_names[] = {"auto", "stream", "cached"};

struct bufs {
    void *in, *dy, *want, *scal, *out; /* out has MARGIN + MAX_OFF + n + MARGIN elements */
    int *any_nan;
};

struct call {
    enum lrelu_type t;
    enum op op;
    size_t n, in_off;
    double alpha;
};

/* Runs one case and checks it; returns 0 when right. */
static int check_case(const struct impl *impl, const struct call *c, enum mode mode, unsigned flags,
                      size_t out_off, const struct bufs *b, const void *in, const void *dy)
{
    const enum lrelu_type t = c->t;
    const size_t n = c->n, size = type_sizes[t];
    char how[64];
    snprintf(how, sizeof how, "%s,%s", mode_names[mode], store_names[flags]);
    const size_t total = MARGIN + MAX_OFF + n + MARGIN;
    void *out = at(t, b->out, MARGIN + out_off);
    fill_sentinel(t, b->out, total);
    const void *a_in = in, *a_dy = dy;
    if (mode == IN_PLACE_ON_INPUT) {
        memcpy(out, in, n * size);
        a_in = out;
    } else if (mode == IN_PLACE_ON_DY) {
        memcpy(out, dy, n * size);
        a_dy = out;
    }
    const int expect_status =
        c->op == OP_BACKWARD_FROM_OUTPUT && c->alpha < 0.0 ? LRELU_EINVAL : LRELU_OK;
    if (expect_status != LRELU_OK && impl->fns != NULL)
        return 0; /* the API refuses this call: a kernel never sees it */
    const int st = run_op_t(impl, t, c->op, a_in, a_dy, out, n, c->alpha, flags);
    if (st != expect_status) {
        printf("FAIL status: kernel=%s type=%s function=%s n=%zu alpha=%a mode=%s returned %d, "
               "want %d\n",
               impl->name, type_names[t], op_names[c->op], n, c->alpha, how, st, expect_status);
        return 1;
    }
    const void *expect = expect_status == LRELU_OK ? b->scal
                         : mode == OUT_OF_PLACE    ? sentinel_fill[t]
                         : a_in == out             ? in
                                                   : dy;
    for (size_t i = memcmp(out, expect, n * size) == 0 ? n : 0; i < n; i++) {
        const uint64_t got = get_bits(t, out, i);
        /* Refused: the output must be exactly what it was. */
        const uint64_t want =
            expect_status != LRELU_OK
                ? (mode == OUT_OF_PLACE ? sentinels[t] : get_bits(t, a_in == out ? in : dy, i))
                : get_bits(t, b->scal, i);
        if (got != want) {
            report_t(impl->name, t, c->op, n, c->in_off, out_off, how, c->alpha, i,
                     get_bits(t, in, i), get_bits(t, dy, i), got, want,
                     expect_status != LRELU_OK ? "refused call wrote its output"
                                               : "differs from the scalar kernel");
            return 1;
        }
    }
    size_t before = first_changed(t, b->out, MARGIN + out_off);
    size_t after = first_changed(t, at(t, out, n), total - MARGIN - out_off - n);
    if (before != MARGIN + out_off || after != total - MARGIN - out_off - n) {
        printf("FAIL wrote outside its output: kernel=%s type=%s function=%s n=%zu in_offset=%zu "
               "out_offset=%zu mode=%s alpha=%a: element %td changed\n",
               impl->name, type_names[t], op_names[c->op], n, c->in_off, out_off, how, c->alpha,
               before != MARGIN + out_off ? (ptrdiff_t)before - (ptrdiff_t)(MARGIN + out_off)
                                          : (ptrdiff_t)(n + after));
        return 1;
    }
    return 0;
}

/* One (type, op, alpha, in_off, n): the contract, the scalar kernel, then all. */
static void check_all(const struct call *c, const struct bufs *b, uint64_t seed,
                      int all_out_offsets)
{
    const enum lrelu_type t = c->t;
    const size_t n = c->n;
    void *in = at(t, b->in, MAX_OFF + c->in_off), *dy = at(t, b->dy, MAX_OFF + c->in_off);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        put_bits(t, in, i, pool_bits(t, &s));
        put_bits(t, dy, i, pool_bits(t, &s));
        put_bits(
            t, b->want, i,
            ref_bits(t, c->op, get_bits(t, in, i), get_bits(t, dy, i), c->alpha, &b->any_nan[i]));
    }
    const struct impl scalar = {"scalar", NULL};
    fill_sentinel(t, b->scal, n);
    int st = run_op_t(&scalar, t, c->op, in, dy, b->scal, n, c->alpha, LRELU_STORE_AUTO);
    if (st == LRELU_OK) {
        for (size_t i = 0; i < n; i++) {
            const uint64_t got = get_bits(t, b->scal, i), want = get_bits(t, b->want, i);
            if (got != want && !(b->any_nan[i] && is_nan_t(t, got))) {
                report_t("scalar", t, c->op, n, c->in_off, 0, mode_names[0], c->alpha, i,
                         get_bits(t, in, i), get_bits(t, dy, i), got, want,
                         "differs from the contract");
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
                const size_t out_off = all_out_offsets ? o : (c->in_off + 5 * o) % MAX_OFF;
                fails += check_case(&impls[k], c, OUT_OF_PLACE, fl, out_off, b, in, dy);
            }
            fails += check_case(&impls[k], c, IN_PLACE_ON_INPUT, fl, c->in_off, b, in, dy);
            if (c->op != OP_FORWARD)
                fails += check_case(&impls[k], c, IN_PLACE_ON_DY, fl, c->in_off, b, in, dy);
        }
    }
}

static struct bufs make_bufs(size_t cap)
{
    struct bufs b;
    b.in = alloc_elems(MAX_OFF + cap + MAX_OFF, 8);
    b.dy = alloc_elems(MAX_OFF + cap + MAX_OFF, 8);
    b.want = alloc_elems(cap, 8);
    b.scal = alloc_elems(cap, 8);
    b.out = alloc_elems(MARGIN + MAX_OFF + cap + MARGIN, 8);
    b.any_nan = alloc_elems(cap, sizeof(int));
    if (sentinel_cap < MARGIN + MAX_OFF + cap + MARGIN)
        make_sentinels(MARGIN + MAX_OFF + cap + MARGIN);
    return b;
}

static void free_bufs(struct bufs *b)
{
    free(b->in);
    free(b->dy);
    free(b->want);
    free(b->scal);
    free(b->out);
    free(b->any_nan);
}

/* The alphas of a type: the double-only ones are for float64. */
static size_t alpha_count(enum lrelu_type t)
{
    return t == LRELU_TYPE_f64 ? type_alpha_count : type_alpha_count - 2;
}

/* The alphas of the quick mode: ReLU, the usual, above 1, negative, and
 * one whose products overflow. */
static int quick_alpha(double a)
{
    return a == 0.0 || a == (double)0.01f || a == 1.5 || a == -0.5 || a == (double)FLT_MAX;
}

/* The cases of the quick mode: float32 at four input offsets (0, 5, 10,
 * 15: every misalignment of a 16-byte vector, four of a 64-byte one) with
 * the quick alphas; the other types, which share the loops and differ in
 * their primitives, at two offsets without alpha = 1.5. */
static int quick_case(enum lrelu_type t, size_t in_off, double alpha)
{
    if (t == LRELU_TYPE_f32)
        return in_off % 5 == 0 && quick_alpha(alpha);
    return (in_off == 0 || in_off == 5) && quick_alpha(alpha) && alpha != 1.5;
}

/* Every 16-bit code as x, then as dy, on every kernel, against the contract. */
static void exhaustive16(enum lrelu_type t, int quick)
{
    static const double alphas[] = {0.01f, -2.0, 0.0, 3.0, 0x1p-149, 1.0};
    const size_t N = 65536;
    uint16_t *x = alloc_elems(N, 2), *dy = alloc_elems(N, 2), *out = alloc_elems(N, 2);
    uint16_t *want = alloc_elems(N, 2);
    int *any = alloc_elems(N, sizeof(int));
    uint64_t s = 99;
    for (size_t a = 0; a < (quick ? 2 : sizeof alphas / sizeof alphas[0]); a++) {
        for (int op = 0; op < OP_COUNT; op++) {
            if (op == OP_BACKWARD_FROM_OUTPUT && alphas[a] < 0)
                continue;
            for (int role = 0; role < (op == OP_FORWARD ? 1 : 2); role++) {
                /* role 0: every code as x (dy random), 1: every code as dy (x random) */
                for (size_t i = 0; i < N; i++) {
                    const uint16_t r = (uint16_t)pool_bits(t, &s);
                    x[i] = role == 0 ? (uint16_t)i : r;
                    dy[i] = role == 0 ? r : (uint16_t)i;
                    want[i] = (uint16_t)ref_bits(t, (enum op)op, x[i], dy[i], alphas[a], &any[i]);
                }
                for (size_t k = 0; k < impl_count; k++) {
                    memset(out, 0, N * 2);
                    if (run_op_t(&impls[k], t, (enum op)op, x, dy, out, N, alphas[a], 0) != 0) {
                        printf("FAIL %s %s %s: call refused\n", impls[k].name, type_names[t],
                               op_names[op]);
                        fails++;
                        continue;
                    }
                    for (size_t i = 0; i < N; i++) {
                        if (out[i] != want[i] && !(any[i] && is_nan_t(t, out[i]))) {
                            report_t(impls[k].name, t, (enum op)op, N, 0, 0,
                                     role ? "every code as dy" : "every code as x", alphas[a], i,
                                     x[i], dy[i], out[i], want[i], "differs from the contract");
                            fails++;
                            break;
                        }
                    }
                }
            }
        }
    }
    printf("%s: every code, every kernel, as x and as dy: checked\n", type_names[t]);
    free(x);
    free(dy);
    free(out);
    free(want);
    free(any);
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
    for (int t = 0; t < LRELU_TYPE_COUNT; t++)
        for (int op = 0; op < OP_COUNT; op++)
            for (size_t a = 0; a < alpha_count((enum lrelu_type)t); a++)
                for (size_t in_off = 0; in_off < MAX_OFF; in_off++) {
                    if (quick && !quick_case((enum lrelu_type)t, in_off, type_alphas[a]))
                        continue;
                    for (size_t n = 0; n <= MAX_SMALL_N && fails < MAX_FAILS; n++) {
                        const struct call c = {(enum lrelu_type)t, (enum op)op, n, in_off,
                                               type_alphas[a]};
                        check_all(&c, &b, seed++, !quick && a % 3 == 0);
                    }
                }
    free_bufs(&b);

    for (int t = 0; t < LRELU_TYPE_COUNT && fails < MAX_FAILS; t++)
        if (type_sizes[t] == 2)
            exhaustive16((enum lrelu_type)t, quick);

    /* A few large n, through every loop of every kernel. */
    static const size_t large[] = {4099, 65536 + 3, 1000007};
    for (size_t l = 0; l < sizeof large / sizeof large[0]; l++) {
        if (quick && large[l] > 1000000)
            continue;
        b = make_bufs(large[l]);
        /* (the largest with float32 only: the same loops as the others) */
        for (int t = 0; t < (large[l] > 100000 ? 1 : LRELU_TYPE_COUNT); t++)
            for (int op = 0; op < OP_COUNT; op++)
                for (size_t a = 0; a < alpha_count((enum lrelu_type)t); a += 3)
                    for (size_t in_off = 0; in_off < MAX_OFF && fails < MAX_FAILS; in_off += 7) {
                        const struct call c = {(enum lrelu_type)t, (enum op)op, large[l], in_off,
                                               type_alphas[a]};
                        check_all(&c, &b, seed++, 0);
                    }
        free_bufs(&b);
    }

    /* Around the size from which automatic calls switch to streaming
     * stores (the default kernel's threshold; every kernel runs there):
     * float32 and float16, each function, one element below and above it
     * (the quick mode: float32 forward, one element above). */
    const size_t thr = lrelu_stream_threshold();
    if (thr == SIZE_MAX) {
        printf("no automatic streaming threshold here (no streaming kernel or cache size)\n");
    } else {
        for (int t = 0; t < (quick ? 1 : 2); t++)
            for (int op = 0; op < (quick ? 1 : OP_COUNT); op++) {
                const size_t base = thr / ((op == OP_FORWARD ? 2 : 3) * type_sizes[t]);
                b = make_bufs(base + 2);
                for (size_t n = quick ? base + 1 : base - 1; n <= base + 1 && fails < MAX_FAILS;
                     n += 2) {
                    const struct call c = {(enum lrelu_type)t, (enum op)op, n, n % MAX_OFF, 0.01f};
                    check_all(&c, &b, seed++, 0);
                }
                free_bufs(&b);
            }
        printf("checked around the streaming threshold, %zu bytes moved\n", thr);
    }

    lrelu_set_kernel(NULL);
    if (fails) {
        printf("%d failure(s)\n", fails);
        return 1;
    }
    printf("all kernels bit-exact, every type\n");
    return 0;
}
