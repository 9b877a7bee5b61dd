/*
 * The argument checks at the limits of the address space, through every
 * public entry point (lrelu_forward, lrelu_backward,
 * lrelu_backward_from_output and their _ex variants with each store flag).
 *
 * The arrays are addresses, never memory: each call here is one the
 * contract refuses, so a correct library returns without touching them.
 * They are chosen for the cases a 32-bit target meets in practice and a
 * 64-bit one in principle:
 *
 *   - arrays of more than SIZE_MAX / 2 bytes whose ranges fit below the
 *     top of the address space but partially overlap: LRELU_EOVERLAP (an
 *     overlap check computing 2 * bytes wraps there and lets them pass);
 *   - an n whose byte count overflows size_t, or an array whose range runs
 *     past the top of the address space: LRELU_EINVAL.
 *
 * An output equal to an input with such an n is in place and would run,
 * and two distinct arrays of more than half the address space always
 * overlap, so no call here may be accepted. Were one accepted, the kernel
 * would read the lowest pages, which are never mapped: the SIGSEGV handler
 * names the call and the test fails.
 */
#define _POSIX_C_SOURCE 200809L /* sigaction, sigsetjmp */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lrelu.h"

static int fails, checks;

#define W UINTPTR_MAX
#define F ((uintptr_t)sizeof(float))
/* Well below the lowest address Linux maps (vm.mmap_min_addr). */
#define LOW ((uintptr_t)0x1000)

static const float *cp(uintptr_t a) { return (const float *)a; }
static float *mp(uintptr_t a) { return (float *)a; }

/* [p, p + n floats) lies in the address space, end included. */
static int fits(uintptr_t p, size_t n) { return n <= (W - p) / F; }

static sigjmp_buf on_fault;
static volatile sig_atomic_t in_call;

static void fault(int sig)
{
    if (!in_call) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    siglongjmp(on_fault, 1);
}

enum op { FORWARD, BACKWARD, FROM_OUTPUT };
static const char *const op_name[] = {"forward", "backward", "backward_from_output"};
static const unsigned flags_ex[] = {LRELU_STORE_AUTO, LRELU_STORE_STREAM, LRELU_STORE_CACHED};

static int call(enum op op, int ex, unsigned flags, uintptr_t in, uintptr_t dy, uintptr_t out,
                size_t n)
{
    const float alpha = 0.25f;
    switch (op) {
    case FORWARD:
        return ex ? lrelu_forward_ex(cp(in), mp(out), n, alpha, flags)
                  : lrelu_forward(cp(in), mp(out), n, alpha);
    case BACKWARD:
        return ex ? lrelu_backward_ex(cp(in), cp(dy), mp(out), n, alpha, flags)
                  : lrelu_backward(cp(in), cp(dy), mp(out), n, alpha);
    default:
        return ex ? lrelu_backward_from_output_ex(cp(in), cp(dy), mp(out), n, alpha, flags)
                  : lrelu_backward_from_output(cp(in), cp(dy), mp(out), n, alpha);
    }
}

/* One call; 1 in *faulted when it touched the arrays (and did not return). */
static int guarded_call(enum op op, int ex, unsigned flags, uintptr_t in, uintptr_t dy,
                        uintptr_t out, size_t n, int *faulted)
{
    *faulted = 0;
    if (sigsetjmp(on_fault, 1) != 0) {
        in_call = 0;
        *faulted = 1;
        return 0;
    }
    in_call = 1;
    const int st = call(op, ex, flags, in, dy, out, n);
    in_call = 0;
    return st;
}

/* The call (in, dy, out, n) through op's plain entry point and its _ex
 * variant with each flag must return want. dy is ignored by forward. */
static void expect(enum op op, uintptr_t in, uintptr_t dy, uintptr_t out, size_t n, int want,
                   const char *what)
{
    for (int v = 0; v <= 3; v++) {
        const int ex = v > 0;
        const unsigned flags = ex ? flags_ex[v - 1] : 0;
        int faulted;
        const int st = guarded_call(op, ex, flags, in, dy, out, n, &faulted);
        checks++;
        if (faulted || st != want) {
            printf("FAIL %s%s flags=%u, %s (n=%#zx, in=%#jx, dy=%#jx, out=%#jx): ", op_name[op],
                   ex ? "_ex" : "", flags, what, n, (uintmax_t)in, (uintmax_t)dy, (uintmax_t)out);
            if (faulted)
                printf("accepted, and the kernel touched the arrays; want %d\n", want);
            else
                printf("returned %d (%s), want %d\n", st, lrelu_strerror(st), want);
            fails++;
        }
    }
}

/* A case the test builds must be the case it names. */
static void require(int cond, const char *what)
{
    if (!cond) {
        printf("FAIL test setup: %s\n", what);
        fails++;
    }
}

/* Partial overlap of arrays of more than half the address space, each of
 * which fits: EOVERLAP, out above or below the input, by a float or by one
 * byte, at the bottom and at the top of the address space. */
static void test_overlap(void)
{
    /* 3/4 of the address space. */
    const size_t big = SIZE_MAX / 16 * 3;
    /* All of it but LOW and two floats: the largest array whose range still
     * fits once more, one float higher. */
    const size_t all = (size_t)((W - LOW - 2 * F) / F);
    /* The top: an array ending as high as an array can (its end, one past
     * its last byte, is still an address). */
    const uintptr_t top = (W - F + 1) - big * F;
    const struct {
        size_t n;
        uintptr_t lo, hi; /* lo < hi, both fit with n */
        const char *name;
    } pairs[] = {
        {big, LOW, LOW + F, "3/4 of the address space, one float apart, at the bottom"},
        {big, LOW, LOW + 1, "3/4 of the address space, one byte apart"},
        {big, LOW, LOW + SIZE_MAX / 16 * 2, "3/4 of the address space, 1/8 apart"},
        {big, top - F, top, "3/4 of the address space, one float apart, at the top"},
        {all, LOW, LOW + F, "all of the address space, one float apart"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const size_t n = pairs[i].n;
        const uintptr_t lo = pairs[i].lo, hi = pairs[i].hi;
        char what[160];
        require(n * F > SIZE_MAX / 2 && lo < hi && hi - lo < n * F && fits(lo, n) && fits(hi, n),
                pairs[i].name);

        /* Forward: the output above, then below the input. */
        snprintf(what, sizeof what, "%s, out above x", pairs[i].name);
        expect(FORWARD, lo, 0, hi, n, LRELU_EOVERLAP, what);
        snprintf(what, sizeof what, "%s, out below x", pairs[i].name);
        expect(FORWARD, hi, 0, lo, n, LRELU_EOVERLAP, what);

        /* Backward: the output overlaps x, dy or both; the other input is
         * the output itself (in place) or the same array as the first. */
        for (enum op op = BACKWARD; op <= FROM_OUTPUT; op++) {
            snprintf(what, sizeof what, "%s, dx == dy above x", pairs[i].name);
            expect(op, lo, hi, hi, n, LRELU_EOVERLAP, what);
            snprintf(what, sizeof what, "%s, dx == dy below x", pairs[i].name);
            expect(op, hi, lo, lo, n, LRELU_EOVERLAP, what);
            snprintf(what, sizeof what, "%s, dx == x above dy", pairs[i].name);
            expect(op, hi, lo, hi, n, LRELU_EOVERLAP, what);
            snprintf(what, sizeof what, "%s, dx == x below dy", pairs[i].name);
            expect(op, lo, hi, lo, n, LRELU_EOVERLAP, what);
            snprintf(what, sizeof what, "%s, x == dy below dx", pairs[i].name);
            expect(op, lo, lo, hi, n, LRELU_EOVERLAP, what);
            snprintf(what, sizeof what, "%s, x == dy above dx", pairs[i].name);
            expect(op, hi, hi, lo, n, LRELU_EOVERLAP, what);
        }
    }

    /* The largest arrays two of which fit side by side, overlapping by one
     * byte (here 2 * bytes - 1 does not wrap yet). */
    const size_t half = SIZE_MAX / 8;
    const uintptr_t lo = F, hi = F + half * F - 1;
    require(fits(lo, half) && fits(hi, half) && hi - lo < half * F, "half, one byte in common");
    expect(FORWARD, lo, 0, hi, half, LRELU_EOVERLAP, "half the address space, one byte in common");
    expect(FORWARD, hi, 0, lo, half, LRELU_EOVERLAP, "half the address space, one byte in common");
    expect(BACKWARD, lo, hi, hi, half, LRELU_EOVERLAP, "half, one byte in common, dx == dy");
    expect(FROM_OUTPUT, hi, hi, lo, half, LRELU_EOVERLAP, "half, one byte in common, x == dy");
}

/* Sizes and ranges that do not fit: EINVAL, also in place (where an
 * overlap check has nothing to refuse). */
static void test_range(void)
{
    const size_t wrap_n[] = {SIZE_MAX, SIZE_MAX / F + 1, SIZE_MAX / 2 + 1, SIZE_MAX / F * 2};
    for (size_t i = 0; i < sizeof wrap_n / sizeof wrap_n[0]; i++) {
        const size_t n = wrap_n[i];
        require(n > SIZE_MAX / F, "n * sizeof(float) overflows");
        for (enum op op = FORWARD; op <= FROM_OUTPUT; op++) {
            expect(op, LOW, LOW, LOW, n, LRELU_EINVAL, "n * 4 overflows size_t, in place");
            expect(op, LOW, LOW, LOW + F, n, LRELU_EINVAL, "n * 4 overflows size_t");
        }
    }

    /* One float more than fits above LOW, in place. */
    const size_t over = (size_t)((W - LOW) / F) + 1;
    require(!fits(LOW, over) && fits(LOW, over - 1), "one float past the top");
    for (enum op op = FORWARD; op <= FROM_OUTPUT; op++)
        expect(op, LOW, LOW, LOW, over, LRELU_EINVAL, "one float past the top, in place");

    /* The last float of the address space and one more, in place. */
    const uintptr_t last = W - F + 1;
    require(!fits(last, 2), "two floats from the last one");
    for (enum op op = FORWARD; op <= FROM_OUTPUT; op++)
        expect(op, last, last, last, 2, LRELU_EINVAL, "two floats from the last one, in place");

    /* One array runs past the top, the others are small and far away. */
    const uintptr_t near_top = W - 2 * F + 1; /* two floats before the end */
    require(fits(near_top, 1) && !fits(near_top, 4), "near the top");
    expect(FORWARD, near_top, 0, LOW, 4, LRELU_EINVAL, "x runs past the top");
    expect(FORWARD, LOW, 0, near_top, 4, LRELU_EINVAL, "y runs past the top");
    for (enum op op = BACKWARD; op <= FROM_OUTPUT; op++) {
        expect(op, near_top, LOW, LOW + 64, 4, LRELU_EINVAL, "x runs past the top");
        expect(op, LOW, near_top, LOW + 64, 4, LRELU_EINVAL, "dy runs past the top");
        expect(op, LOW, LOW + 64, near_top, 4, LRELU_EINVAL, "dx runs past the top");
    }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fault;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    test_overlap();
    test_range();
    if (fails) {
        printf("%d of %d calls failed (%zu-bit addresses)\n", fails, checks, sizeof(uintptr_t) * 8);
        return 1;
    }
    printf("%d refused calls at the address-space limits (%zu-bit addresses)\n", checks,
           sizeof(uintptr_t) * 8);
    return 0;
}
