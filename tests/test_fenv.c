/*
 * The floating-point environment: every kernel raises exactly the
 * exceptions of the scalar formula, traps where it traps, computes in the
 * caller's environment as the scalar kernel does, and leaves the
 * environment as it found it.
 *
 * 1. Flags. For values that raise each exception (0 * inf, overflow,
 *    underflow to a subnormal and to zero, inexact, signalling NaNs), and
 *    quiet NaNs, which raise nothing, in the lane that takes the product
 *    and in the lane that does not, for every
 *    kernel, type and function, at several lengths and positions: the
 *    flags raised (fetestexcept after feclearexcept) are the scalar
 *    kernel's. The rule: the exceptions of the multiply alone (binary32 for
 *    float16 and bfloat16, whose conversions raise none); nothing for a lane
 *    where x > 0.
 * 2. Traps. The same cases with every exception unmasked (feenableexcept)
 *    in a child process, at a short length and a long one: SIGFPE exactly
 *    where the scalar kernel gets it.
 * 3. The environment. Under each rounding mode and, on x86, FTZ, DAZ and
 *    both (MXCSR), on AArch64 FZ (FPCR): every kernel gives the scalar
 *    kernel's bits on the test pool, the scalar kernel gives the formula
 *    evaluated in that environment (x > 0 decided on the bits), and the
 *    control state (MXCSR and the x87 control word, FPCR, the rounding
 *    mode) is the same after every call as before.
 * 4. PReLU's slope gradient of one row (a channel's one term, the row
 *    kernel): in the default environment and each of those, every kernel
 *    gives the scalar kernel's dslope and dx, and the scalar kernel's
 *    dslope is the documented sum evaluated in that environment, +0 + x * dy
 *    in binary64 rounded to float once (x > 0 decided on the bits), for
 *    every pair of values of a list: zeros, subnormals, products that
 *    round to +-0 or to the smallest subnormal, infinities, NaNs.
 * 5. Refused parameters. A non-finite alpha (a signalling NaN among them;
 *    for backward from the output also a negative one), for every type and
 *    function, plain and _ex; a non-finite PReLU slope, shared and among
 *    several (each kernel's check); a signalling NaN quantized scale or
 *    alpha: LRELU_EINVAL, nothing written, no flag raised, and in a child
 *    with every exception unmasked, no trap. Such a value is judged on its
 *    bits before any floating-point instruction touches it (widening a
 *    signalling NaN alpha to double raised invalid and, unmasked, killed
 *    the caller with SIGFPE).
 */
#define _GNU_SOURCE /* feenableexcept */
#include <fenv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define MAX_IMPLS 16
#define POOL_N    300

static struct impl impls[MAX_IMPLS];
static size_t impl_count;
static int fails;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        printf("FAIL " __VA_ARGS__);                                                               \
        if (++fails > 40)                                                                          \
            exit(1);                                                                               \
    } while (0)

/* ---- the control state, as the hardware holds it ---- */

struct control {
    unsigned long a, b; /* x86: MXCSR without its flags, x87 control word; AArch64: FPCR */
    int round;
};

static struct control get_control(void)
{
    struct control c = {0, 0, fegetround()};
#if defined(__x86_64__) || (defined(__i386__) && defined(__SSE__))
    unsigned int csr;
    unsigned short cw;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    c.a = csr & ~0x3fu;
    c.b = cw;
#elif defined(__aarch64__)
    unsigned long fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    c.a = fpcr;
#endif
    return c;
}

/* The environments under test: a name and what it sets on top of the
 * default environment. */
enum env_kind { ENV_ROUND, ENV_CSR };
struct env {
    const char *name;
    enum env_kind kind;
    unsigned long value; /* rounding mode, or the MXCSR / FPCR bits to set */
};

static const struct env envs[] = {
    {"FE_UPWARD", ENV_ROUND, FE_UPWARD},
    {"FE_DOWNWARD", ENV_ROUND, FE_DOWNWARD},
    {"FE_TOWARDZERO", ENV_ROUND, FE_TOWARDZERO},
#if defined(__x86_64__) || (defined(__i386__) && defined(__SSE__))
    {"FTZ", ENV_CSR, 0x8000},
    {"DAZ", ENV_CSR, 0x0040},
    {"FTZ+DAZ", ENV_CSR, 0x8040},
#elif defined(__aarch64__)
    {"FZ", ENV_CSR, 1ul << 24},
#endif
};

static int same_control(struct control x, struct control y)
{
    return x.a == y.a && x.b == y.b && x.round == y.round;
}

static void set_env(const struct env *e)
{
    if (e->kind == ENV_ROUND) {
        fesetround((int)e->value);
        return;
    }
#if defined(__x86_64__) || (defined(__i386__) && defined(__SSE__))
    unsigned int csr;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    csr |= (unsigned int)e->value;
    __asm__ volatile("ldmxcsr %0" : : "m"(csr));
#elif defined(__aarch64__)
    unsigned long fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    fpcr |= e->value;
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
#endif
}

/* ---- values of each type, by kind ---- */

enum kind { ZERO, ONE, MAX, MIN_NORMAL, MIN_SUB, INF, SNAN, QNAN };
static const char *const kind_names[] = {"0",   "1",    "max", "min_normal", "min_subnormal",
                                         "inf", "sNaN", "qNaN"};

static uint64_t value_bits(enum lrelu_type t, enum kind k, int neg)
{
    static const uint64_t v[LRELU_TYPE_COUNT][8] = {
        [LRELU_TYPE_f32] = {0, 0x3f800000, 0x7f7fffff, 0x00800000, 1, 0x7f800000, 0x7f800001,
                            0x7fc00001},
        [LRELU_TYPE_f16] = {0, 0x3c00, 0x7bff, 0x0400, 1, 0x7c00, 0x7c01, 0x7e01},
        [LRELU_TYPE_bf16] = {0, 0x3f80, 0x7f7f, 0x0080, 1, 0x7f80, 0x7f81, 0x7fc1},
        [LRELU_TYPE_f64] = {0, 0x3ff0000000000000, 0x7fefffffffffffff, 0x0010000000000000, 1,
                            0x7ff0000000000000, 0x7ff0000000000001, 0x7ff8000000000001},
    };
    const uint64_t sign = (uint64_t)1 << (8 * type_sizes[t] - 1);
    return v[t][k] | (neg ? sign : 0);
}

/* One element that raises (or, where x > 0, must not raise) an exception:
 * x and dy by kind and sign, and alpha. */
struct fcase {
    enum kind x;
    int xneg;
    enum kind dy;
    int dyneg;
    double alpha;
};

static const struct fcase cases[] = {
    {INF, 0, INF, 0, 0.0},               /* x > 0: no 0 * inf */
    {INF, 1, INF, 1, 0.0},               /* 0 * inf: invalid */
    {MAX, 0, MAX, 0, 3.0},               /* x > 0: no overflow */
    {MAX, 1, MAX, 1, 3.0},               /* overflow (in binary32 for bfloat16) */
    {MAX, 1, MAX, 1, -3.0},              /* the same with a negative alpha */
    {MIN_NORMAL, 1, MIN_NORMAL, 1, 0.3}, /* underflow to a subnormal, inexact */
    {MIN_SUB, 1, MIN_SUB, 1, 0.3},       /* underflow to zero */
    {MIN_SUB, 0, MIN_SUB, 0, 0.3},       /* x > 0: nothing */
    {ONE, 1, ONE, 1, 0.1},               /* inexact */
    /* Exact in binary32, inexact, overflowing or underflowing in the
     * 16-bit types' rounding: no exception in any type. */
    {ONE, 1, ONE, 1, 1.00000095367431640625}, /* 1 + 2^-20 */
    {MAX, 1, MAX, 1, 1.00000095367431640625},
    {ONE, 1, ONE, 1, 0x1.8p-24},
    {SNAN, 0, ONE, 0, 0.5}, /* a NaN is not > 0: invalid forward, none backward */
    {SNAN, 1, ONE, 0, 0.5},
    {QNAN, 0, ONE, 0, 0.5}, /* a quiet NaN: no exception forward or backward */
    {QNAN, 1, ONE, 1, 0.5},
    {ONE, 1, QNAN, 0, 0.5}, /* backward, x < 0: the product of a quiet NaN */
    {ONE, 0, SNAN, 0, 0.5}, /* backward, x > 0: dy passes through untouched */
    {ONE, 1, SNAN, 0, 0.5}, /* backward, x < 0: invalid */
    {ONE, 0, INF, 1, 0.0},  /* backward, x > 0: no 0 * inf */
    {ONE, 1, INF, 1, 0.0},  /* backward, x < 0: 0 * inf */
    {ONE, 0, MAX, 1, 3.0},  /* backward, x > 0: no overflow */
    {ONE, 1, MAX, 1, 3.0},  /* backward, x < 0: overflow */
    {ONE, 1, MIN_SUB, 0, 0.3},
    {ZERO, 1, MAX, 0, 3.0}, /* x = -0 takes the product */
};
#define CASE_COUNT (sizeof cases / sizeof cases[0])

static const int all_except = FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INEXACT;

static void flag_names(int f, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s%s%s", f ? "" : "none", f & FE_INVALID ? "invalid " : "",
             f & FE_DIVBYZERO ? "divbyzero " : "", f & FE_OVERFLOW ? "overflow " : "",
             f & FE_UNDERFLOW ? "underflow " : "", f & FE_INEXACT ? "inexact " : "");
}

/* Arrays of n elements: filler that raises nothing (x = +1 with dy = +1,
 * taken; x = -0 with dy = +0, a product of zero), the case at `pos`. */
static void fill_case(enum lrelu_type t, const struct fcase *c, size_t n, size_t pos, void *x,
                      void *dy)
{
    for (size_t i = 0; i < n; i++) {
        put_bits(t, x, i, i % 2 ? value_bits(t, ZERO, 1) : value_bits(t, ONE, 0));
        put_bits(t, dy, i, i % 2 ? value_bits(t, ZERO, 0) : value_bits(t, ONE, 0));
    }
    put_bits(t, x, pos, value_bits(t, c->x, c->xneg));
    put_bits(t, dy, pos, value_bits(t, c->dy, c->dyneg));
}

/* The longest case: past a kernel's first block of 1024 elements where it
 * narrows apart from the multiply (kernels/kernel_body.h). */
#define CASE_MAX_N 1100

/* Runs the case and returns the flags raised. */
static int case_flags(const struct impl *im, enum lrelu_type t, enum op op, const struct fcase *c,
                      size_t n, size_t pos, void *out)
{
    static uint64_t x[CASE_MAX_N], dy[CASE_MAX_N];
    fill_case(t, c, n, pos, x, dy);
    feclearexcept(FE_ALL_EXCEPT);
    const int st = run_op_t(im, t, op, x, dy, out, n, c->alpha, 0);
    const int f = fetestexcept(FE_ALL_EXCEPT);
    if (st != LRELU_OK)
        FAIL("kernel=%s type=%s function=%s returned %d\n", im->name, type_names[t], op_names[op],
             st);
    return f;
}

static void describe(char *buf, size_t size, const struct impl *im, enum lrelu_type t, enum op op,
                     const struct fcase *c, size_t n, size_t pos)
{
    snprintf(buf, size, "kernel=%s type=%s function=%s x=%s%s dy=%s%s alpha=%a n=%zu pos=%zu",
             im->name, type_names[t], op_names[op], c->xneg ? "-" : "+", kind_names[c->x],
             c->dyneg ? "-" : "+", kind_names[c->dy], c->alpha, n, pos);
}

static void test_flags(void)
{
    static const size_t lengths[] = {1, 3, 8, 13, 37, 300, CASE_MAX_N};
    unsigned long checked = 0;
    for (size_t k = 0; k < impl_count; k++)
        for (int t = 0; t < LRELU_TYPE_COUNT; t++)
            for (int op = 0; op < OP_COUNT; op++)
                for (size_t ci = 0; ci < CASE_COUNT; ci++) {
                    const struct fcase *c = &cases[ci];
                    if (op == OP_BACKWARD_FROM_OUTPUT && c->alpha < 0)
                        continue;
                    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
                        const size_t n = lengths[li];
                        const size_t positions[] = {0, n / 2, n - 1};
                        for (size_t pi = 0; pi < 3; pi++) {
                            if (pi > 0 && positions[pi] == positions[pi - 1])
                                continue;
                            static uint64_t want_out[CASE_MAX_N], got_out[CASE_MAX_N];
                            const int want = case_flags(&impls[0], (enum lrelu_type)t, (enum op)op,
                                                        c, n, positions[pi], want_out);
                            const int got = case_flags(&impls[k], (enum lrelu_type)t, (enum op)op,
                                                       c, n, positions[pi], got_out);
                            checked++;
                            if (got != want || memcmp(got_out, want_out, n * type_sizes[t]) != 0) {
                                char d[256], w[64], g[64];
                                describe(d, sizeof d, &impls[k], (enum lrelu_type)t, (enum op)op, c,
                                         n, positions[pi]);
                                flag_names(want, w, sizeof w);
                                flag_names(got, g, sizeof g);
                                FAIL("%s: raised %s, the scalar kernel %s%s\n", d, g, w,
                                     got == want ? " (the results differ)" : "");
                            }
                        }
                    }
                }
    if (fails == 0)
        printf("flags: %lu calls, every kernel raised the scalar kernel's exceptions\n", checked);
}

/* ---- traps ---- */

/* 1 when the case (n elements, at n - 1) dies of SIGFPE with every
 * exception unmasked, 0 when it completes, -1 on anything else. */
/* fork() for a child that may die of a trap: stdout flushed first, and no
 * core file in the child. Exits when no process can be made. */
static pid_t fork_trapping(void)
{
    fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        const struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
    }
    return pid;
}

static int case_traps(const struct impl *im, enum lrelu_type t, enum op op, const struct fcase *c,
                      size_t n)
{
    const pid_t pid = fork_trapping();
    if (pid == 0) {
        static uint64_t x[CASE_MAX_N], dy[CASE_MAX_N], out[CASE_MAX_N];
        fill_case(t, c, n, n - 1, x, dy);
        if (im->fns == NULL && lrelu_set_kernel(im->name) != LRELU_OK)
            _exit(3);
        feclearexcept(FE_ALL_EXCEPT);
        feenableexcept(all_except);
        const int st = im->fns != NULL ? run_op_t(im, t, op, x, dy, out, n, c->alpha, 0)
                                       : call_api_t(t, op, x, dy, out, n, c->alpha, 0);
        fedisableexcept(all_except);
        _exit(st == LRELU_OK ? 0 : 4);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGFPE)
        return 1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    return -1;
}

static void test_traps(void)
{
    /* Whether this system delivers traps at all: glibc refuses where the
     * FPU has no trap enables (most AArch64 CPUs); an emulator may accept
     * and never trap. */
    if (feenableexcept(FE_INVALID) == -1) {
        printf("traps: not supported on this system (feenableexcept fails): not checked\n");
        return;
    }
    fedisableexcept(all_except);
    int delivered = 0;
    for (size_t ci = 0; ci < CASE_COUNT && !delivered; ci++)
        delivered = case_traps(&impls[0], LRELU_TYPE_f32, OP_FORWARD, &cases[ci], 5) == 1;
    if (!delivered) {
        printf("traps: the scalar kernel never traps here (an emulator that ignores the "
               "exception masks?): not checked\n");
        return;
    }
    const int fails_before = fails;
    unsigned long checked = 0, trapped = 0;
    static const size_t lengths[] = {5, CASE_MAX_N}; /* the case last */
    for (int t = 0; t < LRELU_TYPE_COUNT; t++)
        for (int op = 0; op < OP_COUNT; op++)
            for (size_t ci = 0; ci < CASE_COUNT; ci++)
                for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
                    const struct fcase *c = &cases[ci];
                    const size_t n = lengths[li];
                    if (op == OP_BACKWARD_FROM_OUTPUT && c->alpha < 0)
                        continue;
                    static uint64_t out[CASE_MAX_N];
                    const int raised = case_flags(&impls[0], (enum lrelu_type)t, (enum op)op, c, n,
                                                  n - 1, out) != 0;
                    const int want = case_traps(&impls[0], (enum lrelu_type)t, (enum op)op, c, n);
                    char d[256];
                    if (want != raised) {
                        describe(d, sizeof d, &impls[0], (enum lrelu_type)t, (enum op)op, c, n,
                                 n - 1);
                        FAIL("%s: trapped %d where it raises %d\n", d, want, raised);
                        continue;
                    }
                    for (size_t k = 1; k < impl_count; k++) {
                        const int got =
                            case_traps(&impls[k], (enum lrelu_type)t, (enum op)op, c, n);
                        checked++;
                        trapped += got == 1;
                        if (got != want) {
                            describe(d, sizeof d, &impls[k], (enum lrelu_type)t, (enum op)op, c, n,
                                     n - 1);
                            FAIL("%s: %s, the scalar kernel %s\n", d,
                                 got == 1   ? "SIGFPE"
                                 : got == 0 ? "no trap"
                                            : "died otherwise",
                                 want ? "traps" : "does not");
                        }
                    }
                }
    if (fails == fails_before)
        printf("traps: %lu children, %lu of them trapped, every kernel as the scalar one\n",
               checked, trapped);
}

/* ---- the environment ---- */

/* x > 0 on the bits (1 <= x <= +inf), as the contract decides it. */
static int positive_bits(enum lrelu_type t, uint64_t b) { return b - 1 < value_bits(t, INF, 0); }

/* The formula in the current environment, for float32 and float64. */
static uint64_t formula(enum lrelu_type t, enum op op, uint64_t x, uint64_t dy, double alpha)
{
    const uint64_t v = op == OP_FORWARD ? x : dy;
    if (positive_bits(t, x))
        return v;
    if (t == LRELU_TYPE_f32) {
        volatile float a = (float)alpha, f;
        uint32_t u = (uint32_t)v;
        memcpy((void *)&f, &u, 4);
        volatile float p = a * f;
        memcpy(&u, (const void *)&p, 4);
        return u;
    }
    volatile double a = alpha, d;
    memcpy((void *)&d, &v, 8);
    volatile double p = a * d;
    uint64_t u;
    memcpy(&u, (const void *)&p, 8);
    return u;
}

static uint64_t in_buf[POOL_N], dy_buf[POOL_N];

static void test_envs(void)
{
    static const double alphas[] = {0.01, 3.0, 0x1p-20, 0.0, -2.0};
    const struct control base = get_control();
    fenv_t saved;
    fegetenv(&saved);
    unsigned long calls = 0;
    for (size_t e = 0; e < sizeof envs / sizeof envs[0]; e++) {
        const int fails_before = fails;
        size_t changed = 0;  /* scalar float32 results that differ from the default environment */
        size_t honoured = 0; /* the same for the formula evaluated by this test */
        for (int t = 0; t < LRELU_TYPE_COUNT; t++) {
            uint64_t state = 7 + (uint64_t)t;
            for (size_t i = 0; i < POOL_N; i++) {
                put_bits((enum lrelu_type)t, in_buf, i, pool_bits((enum lrelu_type)t, &state));
                put_bits((enum lrelu_type)t, dy_buf, i, pool_bits((enum lrelu_type)t, &state));
            }
            for (int op = 0; op < OP_COUNT; op++)
                for (size_t ai = 0; ai < sizeof alphas / sizeof alphas[0]; ai++) {
                    const double alpha = alphas[ai];
                    if (op == OP_BACKWARD_FROM_OUTPUT && alpha < 0)
                        continue;
                    uint64_t plain[POOL_N], want[POOL_N], got[POOL_N];
                    run_op_t(&impls[0], (enum lrelu_type)t, (enum op)op, in_buf, dy_buf, plain,
                             POOL_N, alpha, 0);
                    set_env(&envs[e]);
                    const struct control before = get_control();
                    feclearexcept(FE_ALL_EXCEPT);
                    run_op_t(&impls[0], (enum lrelu_type)t, (enum op)op, in_buf, dy_buf, want,
                             POOL_N, alpha, 0);
                    const int want_flags = fetestexcept(FE_ALL_EXCEPT);
                    /* What the environment changes: the scalar kernel's
                     * results, and the formula's evaluated here (which
                     * tells whether this machine, or its emulator,
                     * honours the environment at all). */
                    for (size_t i = 0; i < POOL_N && t == LRELU_TYPE_f32; i++) {
                        const uint64_t x = get_bits((enum lrelu_type)t, in_buf, i),
                                       d = get_bits((enum lrelu_type)t, dy_buf, i);
                        changed += get_bits((enum lrelu_type)t, want, i) !=
                                   get_bits((enum lrelu_type)t, plain, i);
                        fesetenv(&saved);
                        const uint64_t f0 = formula((enum lrelu_type)t, (enum op)op, x, d, alpha);
                        set_env(&envs[e]);
                        honoured += formula((enum lrelu_type)t, (enum op)op, x, d, alpha) != f0;
                    }
                    if (t == LRELU_TYPE_f32 || t == LRELU_TYPE_f64)
                        for (size_t i = 0; i < POOL_N; i++) {
                            const uint64_t x = get_bits((enum lrelu_type)t, in_buf, i),
                                           d = get_bits((enum lrelu_type)t, dy_buf, i);
                            const uint64_t f = formula((enum lrelu_type)t, (enum op)op, x, d,
                                                       alpha),
                                           w = get_bits((enum lrelu_type)t, want, i);
                            if (f != w && !(is_nan_t((enum lrelu_type)t, f) &&
                                            is_nan_t((enum lrelu_type)t, w))) {
                                FAIL("env=%s type=%s function=%s alpha=%a i=%zu x=%#llx "
                                     "dy=%#llx: scalar gives %#llx, the formula %#llx\n",
                                     envs[e].name, type_names[t], op_names[op], alpha, i,
                                     (unsigned long long)x, (unsigned long long)d,
                                     (unsigned long long)w, (unsigned long long)f);
                                break;
                            }
                        }
                    for (size_t k = 0; k < impl_count; k++) {
                        feclearexcept(FE_ALL_EXCEPT);
                        run_op_t(&impls[k], (enum lrelu_type)t, (enum op)op, in_buf, dy_buf, got,
                                 POOL_N, alpha, 0);
                        const int got_flags = fetestexcept(FE_ALL_EXCEPT);
                        const struct control after = get_control();
                        calls++;
                        if (!same_control(after, before))
                            FAIL("env=%s kernel=%s type=%s function=%s: control state "
                                 "%#lx/%#lx/%d after the call, %#lx/%#lx/%d before\n",
                                 envs[e].name, impls[k].name, type_names[t], op_names[op], after.a,
                                 after.b, after.round, before.a, before.b, before.round);
                        if (got_flags != want_flags) {
                            char w[64], g[64];
                            flag_names(want_flags, w, sizeof w);
                            flag_names(got_flags, g, sizeof g);
                            FAIL("env=%s kernel=%s type=%s function=%s alpha=%a: raised %s, "
                                 "the scalar kernel %s\n",
                                 envs[e].name, impls[k].name, type_names[t], op_names[op], alpha, g,
                                 w);
                        }
                        for (size_t i = 0; i < POOL_N; i++) {
                            const uint64_t g = get_bits((enum lrelu_type)t, got, i),
                                           w = get_bits((enum lrelu_type)t, want, i);
                            if (g != w) {
                                report_t(impls[k].name, (enum lrelu_type)t, (enum op)op, POOL_N, 0,
                                         0, envs[e].name, alpha, i,
                                         get_bits((enum lrelu_type)t, in_buf, i),
                                         get_bits((enum lrelu_type)t, dy_buf, i), g, w,
                                         "not the scalar kernel's bits in this environment");
                                if (++fails > 40)
                                    exit(1);
                                break;
                            }
                        }
                    }
                    fesetenv(&saved);
                }
        }
        /* Where the machine honours the environment, it must have changed
         * some result, or this part tests nothing. Valgrind, for one,
         * ignores FTZ, DAZ and most rounding modes. */
        if (honoured == 0)
            printf("env %s: not honoured on this machine (an emulator?): every kernel gives the "
                   "scalar kernel's bits, but the environment changes nothing\n",
                   envs[e].name);
        else if (changed == 0)
            FAIL("env=%s changed no float32 result of the scalar kernel\n", envs[e].name);
        else if (fails == fails_before)
            printf("env %s: %zu float32 results differ from the default environment's; every "
                   "kernel gives the scalar kernel's bits and flags\n",
                   envs[e].name, changed);
    }
    const struct control end = get_control();
    if (!same_control(end, base))
        FAIL("the default environment was not restored\n");
    if (fails == 0)
        printf("environments: %lu calls, control state unchanged by every call\n", calls);
}

/* ---- 4. PReLU's one-row slope gradient ---- */

/* The values whose every pair (x, dy) is one channel of the row. */
static const uint32_t row_values[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x80000001u, /* zeros, smallest subnormals */
    0x00000003u, 0x80000003u, 0x00400000u, 0x80400000u, /* subnormals */
    0x1a000000u, 0x9a000000u, 0x19800000u, 0x99800000u, /* 2^-75, 2^-76: products 2^-150.. */
    0x1a800000u, 0x9a800000u, 0x1a3504f3u, 0x9a3504f3u, /* 2^-74, about 2^-74.5 */
    0x3f800000u, 0xbf800000u, 0x3fc00000u, 0xbfc00000u, /* +-1, +-1.5 */
    0x7f7fffffu, 0xff7fffffu, 0x7f800000u, 0xff800000u, /* largest, infinities */
    0x7fc00000u, 0xffc12345u, 0x7fa00000u, 0x00800000u, /* NaNs, FLT_MIN */
};
#define ROW_V (sizeof row_values / sizeof row_values[0])
#define ROW_N (ROW_V * ROW_V)

static int is_nan_f32(uint32_t u) { return is_nan_t(LRELU_TYPE_f32, u); }

/* The documented sum of one term, in the current environment. */
static uint32_t row_formula(uint32_t x, uint32_t dy)
{
    volatile double zero = 0.0, t = 0.0;
    if (!positive_bits(LRELU_TYPE_f32, x)) {
        float xf, df;
        memcpy(&xf, &x, 4);
        memcpy(&df, &dy, 4);
        volatile double a = xf, b = df;
        t = a * b;
    }
    volatile float f = (float)(zero + t);
    uint32_t u;
    memcpy(&u, (const void *)&f, 4);
    return u;
}

/* Whether this machine rounds a float product as it rounds the exact
 * binary64 product to float, as IEEE 754 has it (an emulator may honour
 * the environment in one and not the other: valgrind does). */
static int product_rounds_once(uint32_t x, uint32_t dy)
{
    volatile float a, b;
    memcpy((void *)&a, &x, 4);
    memcpy((void *)&b, &dy, 4);
    volatile float p = a * b;
    volatile double wide = (double)a * (double)b;
    volatile float q = (float)wide;
    uint32_t pu, qu;
    memcpy(&pu, (const void *)&p, 4);
    memcpy(&qu, (const void *)&q, 4);
    return pu == qu || (is_nan_f32(pu) && is_nan_f32(qu));
}

static void prelu_row(const struct impl *im, const float *x, const float *dy, float *dx,
                      const float *slope, float *ds, size_t n)
{
    if (im->fns != NULL) {
        im->fns->prelu_dslope_row(x, dy, dx, n, slope, ds);
        return;
    }
    if (lrelu_set_kernel(im->name) != LRELU_OK ||
        lrelu_prelu_backward(x, dy, dx, slope, ds, 1, n, 1) != LRELU_OK)
        FAIL("kernel=%s: lrelu_prelu_backward of one row of %zu channels failed\n", im->name, n);
}

static void test_prelu_row(void)
{
    static float x[ROW_N], dy[ROW_N], slope[ROW_N], want_ds[ROW_N], want_dx[ROW_N], ds[ROW_N],
        dx[ROW_N];
    for (size_t i = 0; i < ROW_N; i++) {
        memcpy(&x[i], &row_values[i / ROW_V], 4);
        memcpy(&dy[i], &row_values[i % ROW_V], 4);
        slope[i] = 0.25f;
    }
    /* Lengths: the whole row, and ones ending in a part vector. */
    static const size_t lengths[] = {ROW_N, ROW_N - 5, ROW_N - 13, 7, 1};
    fenv_t saved;
    fegetenv(&saved);
    size_t checked = 0;
    for (size_t e = 0; e <= sizeof envs / sizeof envs[0]; e++) {
        const char *env = e == 0 ? "default" : envs[e - 1].name;
        for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
            const size_t n = lengths[li];
            if (e > 0)
                set_env(&envs[e - 1]);
            const struct control before = get_control();
            prelu_row(&impls[0], x, dy, want_dx, slope, want_ds, n);
            size_t odd = 0;
            for (size_t i = 0; i < n; i++)
                odd += !product_rounds_once(f2u(x[i]), f2u(dy[i]));
            if (odd != 0 && li == 0)
                printf("env %s: %zu float products here are not the binary64 products rounded "
                       "to float (an emulator?): the formula not checked, every kernel against "
                       "the scalar kernel\n",
                       env, odd);
            for (size_t i = 0; i < n && odd == 0; i++) {
                const uint32_t f = row_formula(f2u(x[i]), f2u(dy[i])), w = f2u(want_ds[i]);
                if (f != w && !(is_nan_f32(f) && is_nan_f32(w))) {
                    FAIL("env=%s prelu one row n=%zu channel %zu x=%#x dy=%#x: scalar dslope "
                         "%#x, the formula %#x\n",
                         env, n, i, (unsigned)f2u(x[i]), (unsigned)f2u(dy[i]), (unsigned)w,
                         (unsigned)f);
                    break;
                }
            }
            for (size_t k = 0; k < impl_count; k++)
                for (int with_dx = 0; with_dx < 2; with_dx++) {
                    prelu_row(&impls[k], x, dy, with_dx ? dx : NULL, slope, ds, n);
                    const struct control after = get_control();
                    if (!same_control(after, before))
                        FAIL("env=%s kernel=%s prelu one row: control state changed\n", env,
                             impls[k].name);
                    for (size_t i = 0; i < n; i++) {
                        const uint32_t g = f2u(ds[i]), w = f2u(want_ds[i]);
                        const int dx_bad = with_dx && f2u(dx[i]) != f2u(want_dx[i]) &&
                                           !(is_nan_f32(f2u(dx[i])) && is_nan_f32(f2u(want_dx[i])));
                        checked++;
                        if ((g != w && !(is_nan_f32(g) && is_nan_f32(w))) || dx_bad) {
                            FAIL("env=%s kernel=%s prelu one row n=%zu%s channel %zu x=%#x "
                                 "dy=%#x: dslope %#x dx %#x, the scalar kernel's %#x %#x\n",
                                 env, impls[k].name, n, with_dx ? " with dx" : "", i,
                                 (unsigned)f2u(x[i]), (unsigned)f2u(dy[i]), (unsigned)g,
                                 with_dx ? (unsigned)f2u(dx[i]) : 0u, (unsigned)w,
                                 with_dx ? (unsigned)f2u(want_dx[i]) : 0u);
                            break;
                        }
                    }
                }
            fesetenv(&saved);
        }
    }
    if (fails == 0)
        printf("prelu one row: %zu slope gradients checked in %zu environments\n", checked,
               sizeof envs / sizeof envs[0] + 1);
}

/* ---- refused parameters ---- */

/* The bits of each refused alpha, for the float and the double functions
 * (the last `neg` of each only for backward from the output). */
static const uint32_t bad_alpha32[] = {0x7fa00001u, 0xffa00001u, 0x7fc00000u, 0x7f800000u,
                                       0xff800000u, 0xbf800000u, 0x80000001u};
static const uint64_t bad_alpha64[] = {
    0x7ff4000000000001u, 0xfff4000000000001u, 0x7ff8000000000000u, 0x7ff0000000000000u,
    0xfff0000000000000u, 0xbff0000000000000u, 0x8000000000000001u};
enum { BAD_ALPHAS = 7, BAD_NEG = 2 };

/* One public function (type t, op, plain or _ex) with alpha made from its
 * bits, with no floating-point operation on it here. */
#define REFUSED_CALL(sfx, alpha)                                                                   \
    switch (op) {                                                                                  \
    case OP_FORWARD:                                                                               \
        return ex ? lrelu_forward##sfx##_ex(in, out, n, alpha, LRELU_STORE_AUTO)                   \
                  : lrelu_forward##sfx(in, out, n, alpha);                                         \
    case OP_BACKWARD:                                                                              \
        return ex ? lrelu_backward##sfx##_ex(in, in, out, n, alpha, LRELU_STORE_AUTO)              \
                  : lrelu_backward##sfx(in, in, out, n, alpha);                                    \
    default:                                                                                       \
        return ex ? lrelu_backward_from_output##sfx##_ex(in, in, out, n, alpha, LRELU_STORE_AUTO)  \
                  : lrelu_backward_from_output##sfx(in, in, out, n, alpha);                        \
    }
static int refused_call(enum lrelu_type t, enum op op, int ex, size_t k, const void *in, void *out,
                        size_t n)
{
    float a32;
    double a64;
    memcpy(&a32, &bad_alpha32[k], sizeof a32);
    memcpy(&a64, &bad_alpha64[k], sizeof a64);
    switch (t) {
    case LRELU_TYPE_f32:
        REFUSED_CALL(, a32)
    case LRELU_TYPE_f16:
        REFUSED_CALL(_f16, a32)
    case LRELU_TYPE_bf16:
        REFUSED_CALL(_bf16, a32)
    default:
        REFUSED_CALL(_f64, a64)
    }
}

/* The refused calls of one kind (0: alpha, 1: PReLU slopes, 2: quantized)
 * on kernel im; returns how many misbehaved (wrong status, an output
 * written, a flag raised). */
static int refused_kind(const struct impl *im, int kind)
{
    enum { N = 40, C = 5 };
    static uint64_t in[N], out[N + 8];
    static const unsigned char sentinel = 0xa5;
    int bad = 0;
    for (size_t i = 0; i < N; i++)
        in[i] = 0x3ff0000040000000u; /* positive in every type */
    if (lrelu_set_kernel(im->name) != LRELU_OK)
        return 1;
/* st_ the status; the flags and out are checked around `call`. */
#define REFUSED(call, what)                                                                        \
    do {                                                                                           \
        memset(out, sentinel, sizeof out);                                                         \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
        const int st_ = (call);                                                                    \
        const int raised_ = fetestexcept(FE_ALL_EXCEPT);                                           \
        int written_ = 0;                                                                          \
        for (size_t b_ = 0; b_ < sizeof out; b_++)                                                 \
            written_ |= ((const unsigned char *)out)[b_] != sentinel;                              \
        if (st_ != LRELU_EINVAL || raised_ != 0 || written_) {                                     \
            bad++;                                                                                 \
            printf("FAIL %s %s: status %d, flags %#x, %s\n", im->name, what, st_, raised_,         \
                   written_ ? "wrote" : "wrote nothing");                                          \
        }                                                                                          \
    } while (0)
    char what[96];
    if (kind == 0) {
        for (int t = 0; t < LRELU_TYPE_COUNT; t++)
            for (int op = 0; op < OP_COUNT; op++)
                for (int ex = 0; ex < 2; ex++)
                    for (size_t k = 0; k < BAD_ALPHAS; k++) {
                        if (k >= BAD_ALPHAS - BAD_NEG && op != OP_BACKWARD_FROM_OUTPUT)
                            continue;
                        snprintf(what, sizeof what, "%s %s%s alpha %#llx", type_names[t],
                                 op_names[op], ex ? " _ex" : "",
                                 t == LRELU_TYPE_f64 ? (unsigned long long)bad_alpha64[k]
                                                     : (unsigned long long)bad_alpha32[k]);
                        REFUSED(refused_call((enum lrelu_type)t, (enum op)op, ex, k, in, out, N),
                                what);
                    }
    } else if (kind == 1) {
        for (size_t k = 0; k < 5; k++) {
            float slope[C] = {0.25f, 0.5f, 0.125f, 2.0f, -1.0f};
            const size_t at = k % C;
            memcpy(&slope[at], &bad_alpha32[k], sizeof slope[at]);
            const float *x = (const float *)in;
            float *y = (float *)out, *ds = (float *)out + 2 * N - C;
            for (size_t ch = 1; ch <= C; ch += C - 1) {
                const float *s = ch == 1 ? slope + at : slope;
                snprintf(what, sizeof what, "PReLU %zu channels, slope %#x", ch,
                         (unsigned)bad_alpha32[k]);
                REFUSED(lrelu_prelu_forward(x, y, s, 2, ch, 4), what);
                REFUSED(lrelu_prelu_backward(x, x, y, s, NULL, 2, ch, 4), what);
                REFUSED(lrelu_prelu_backward(x, x, NULL, s, ds, 2, ch, 4), what);
                REFUSED(lrelu_prelu_backward(x, x, y, s, ds, 2, ch, 4), what);
            }
        }
    } else {
        const int8_t *x8 = (const int8_t *)in;
        int8_t *y8 = (int8_t *)out;
        for (int f = 0; f < 3; f++) {
            lrelu_quant qs = {0.05f, 0.04f, 0.1f, -3, 5}, qu = {0.05f, 0.04f, 0.1f, 128, 120};
            memcpy(f == 0   ? &qs.input_scale
                   : f == 1 ? &qs.output_scale
                            : &qs.alpha,
                   &bad_alpha32[0], sizeof(float));
            memcpy(f == 0   ? &qu.input_scale
                   : f == 1 ? &qu.output_scale
                            : &qu.alpha,
                   &bad_alpha32[0], sizeof(float));
            lrelu_quant_prepared prep;
            snprintf(what, sizeof what, "quantized, a signalling NaN in field %d", f);
            REFUSED(lrelu_forward_qs8(x8, y8, N, &qs), what);
            REFUSED(lrelu_forward_qu8((const uint8_t *)x8, (uint8_t *)y8, N, &qu), what);
            feclearexcept(FE_ALL_EXCEPT);
            if (lrelu_quant_prepare_qs8(&qs, &prep) != LRELU_EINVAL ||
                lrelu_quant_prepare_qu8(&qu, &prep) != LRELU_EINVAL ||
                fetestexcept(FE_ALL_EXCEPT) != 0) {
                bad++;
                printf("FAIL %s prepare: accepted or raised a flag\n", what);
            }
        }
    }
#undef REFUSED
    lrelu_set_kernel(NULL);
    return bad;
}

/* In a child with every exception unmasked: 0 when every refused call of
 * the kind returned quietly, else 1 (SIGFPE, or a misbehaving call). */
static int refused_traps(const struct impl *im, int kind)
{
    const pid_t pid = fork_trapping();
    if (pid == 0) {
        feclearexcept(FE_ALL_EXCEPT);
        feenableexcept(all_except);
        const int bad = refused_kind(im, kind);
        fedisableexcept(all_except);
        _exit(bad ? 4 : 0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 1;
    if (WIFSIGNALED(status)) {
        printf("FAIL %s refused parameters (kind %d): killed by signal %d with exceptions "
               "unmasked\n",
               im->name, kind, WTERMSIG(status));
        return 1;
    }
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_refused(void)
{
    const int traps = feenableexcept(FE_INVALID) != -1;
    fedisableexcept(all_except);
    int bad = 0;
    size_t runs = 0;
    for (size_t k = 0; k < impl_count; k++) {
        if (impls[k].fns != NULL)
            continue; /* the public functions, under each of the library's kernels */
        for (int kind = 0; kind < 3; kind++) {
            bad += refused_kind(&impls[k], kind);
            if (traps)
                bad += refused_traps(&impls[k], kind);
            runs++;
        }
    }
    fails += bad;
    if (bad == 0)
        printf("refused parameters: %zu kernel x kind runs, LRELU_EINVAL, nothing written, no "
               "flag%s\n",
               runs, traps ? ", no trap with exceptions unmasked" : " (traps not supported here)");
}

int main(void)
{
    impl_count = test_impls(impls, MAX_IMPLS);
    if (impl_count == 0 || strcmp(impls[0].name, "scalar") != 0) {
        printf("FAIL the first kernel under test is not scalar\n");
        return 1;
    }
    pool_init(42);
    test_flags();
    test_envs();
    test_traps();
    test_prelu_row();
    test_refused();
    return fails ? 1 : 0;
}
