#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "common.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *const op_names[OP_COUNT] = {"forward", "backward", "backward_from_output"};

#ifdef LRELU_TEST_NEON_PORTABLE
/* kernels/neon.c built for this CPU through SIMDe's portable NEON. */
#define TEST_ONLY_NEON {"neon-portable", lrelu_forward_neon, lrelu_backward_neon},
#else
#define TEST_ONLY_NEON
#endif

size_t test_impls(struct impl *out, size_t max)
{
    static const struct impl test_only[] = {TEST_ONLY_NEON{NULL, NULL, NULL}};
    size_t k = 0;
    for (size_t i = 0; i < lrelu_kernel_count() && k < max; i++)
        out[k++] = (struct impl){lrelu_kernel_name(i), NULL, NULL};
    for (size_t i = 0; test_only[i].name != NULL && k < max; i++)
        out[k++] = test_only[i];
    return k;
}

int run_op(const struct impl *impl, enum op op, const float *in, const float *dy, float *out,
           size_t n, float alpha, unsigned flags)
{
    if (impl->forward != NULL) {
        if (op == OP_FORWARD)
            impl->forward(in, out, n, alpha);
        else
            impl->backward(in, dy, out, n, alpha);
        return LRELU_OK;
    }
    int st = lrelu_set_kernel(impl->name);
    if (st != LRELU_OK) {
        printf("FAIL lrelu_set_kernel(\"%s\") returned %d for a listed kernel\n", impl->name, st);
        return st;
    }
    return call_api(op, in, dy, out, n, alpha, flags);
}

int call_api(enum op op, const float *in, const float *dy, float *out, size_t n, float alpha,
             unsigned flags)
{
    /* LRELU_STORE_AUTO goes through the plain functions, others through _ex. */
    switch (op) {
    case OP_FORWARD:
        return flags ? lrelu_forward_ex(in, out, n, alpha, flags)
                     : lrelu_forward(in, out, n, alpha);
    case OP_BACKWARD:
        return flags ? lrelu_backward_ex(in, dy, out, n, alpha, flags)
                     : lrelu_backward(in, dy, out, n, alpha);
    default:
        return flags ? lrelu_backward_from_output_ex(in, dy, out, n, alpha, flags)
                     : lrelu_backward_from_output(in, dy, out, n, alpha);
    }
}

float ref_op(enum op op, float in, float dy, float alpha)
{
    if (op == OP_FORWARD)
        return in > 0.0f ? in : alpha * in;
    return in > 0.0f ? dy : alpha * dy;
}

uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

int is_nan_bits(uint32_t u) { return (u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu) != 0; }

float pool[POOL_SIZE];

uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform01(uint64_t *s)
{
    return ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

void pool_init(uint64_t seed)
{
    static const uint32_t special_bits[] = {
        0x00000000u, 0x80000000u, /* +0, -0 */
        0x7f800000u, 0xff800000u, /* +inf, -inf */
        0x7fc00000u, 0xffc00000u, /* quiet NaNs */
        0x7fc12345u, 0xffd5a5a5u, /* quiet NaNs with payloads */
        0x7f800001u, 0xff800001u, /* signalling NaNs */
        0x7fa00000u, 0xffb54321u, /* signalling NaNs with payloads */
        0x00000001u, 0x80000001u, /* smallest subnormals */
        0x007fffffu, 0x807fffffu, /* largest subnormals */
        0x00012345u, 0x80400000u, /* other subnormals */
        0x00800000u, 0x80800000u, /* FLT_MIN */
        0x7f7fffffu, 0xff7fffffu, /* FLT_MAX */
        0x3f800000u, 0xbf800000u, /* +-1 */
    };
    static const float product_subnormal[] = {-1e-37f,   -1e-38f, -3e-39f, -5e-37f,
                                              -1.5e-36f, 1e-37f,  -2e-38f, -7e-39f};
    const size_t ns = sizeof special_bits / sizeof special_bits[0];
    const size_t np = sizeof product_subnormal / sizeof product_subnormal[0];
    uint64_t s = seed;
    for (size_t i = 0; i < POOL_SIZE; i++) {
        const uint64_t r = rng_next(&s) % 8;
        if (r == 0) {
            pool[i] = u2f(special_bits[rng_next(&s) % ns]);
        } else if (r == 1) {
            pool[i] = product_subnormal[rng_next(&s) % np];
        } else {
            /* Box-Muller normal */
            double u1 = uniform01(&s), u2 = uniform01(&s);
            pool[i] = (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
        }
    }
}

const float test_alphas[] = {
    0.0f,   0.01f, 0.2f, 1.0f, 1.5f, 3.0f, -0.5f, -2.0f, 1.40129846e-45f /* smallest subnormal */,
    FLT_MAX};
const size_t test_alpha_count = sizeof test_alphas / sizeof test_alphas[0];

struct guarded guarded_alloc(size_t bytes)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t span = (bytes + page - 1) / page * page;
    unsigned char *base =
        mmap(NULL, span + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + page, span, PROT_READ | PROT_WRITE) != 0) {
        printf("FAIL mmap/mprotect\n");
        _exit(1);
    }
    return (struct guarded){base + page, base + page + span};
}

void report(const char *kernel, enum op op, size_t n, size_t in_off, size_t out_off,
            const char *mode, float alpha, size_t index, float in, float dy, float got, float want,
            const char *what)
{
    printf("FAIL %s: kernel=%s function=%s n=%zu in_offset=%zu out_offset=%zu mode=%s "
           "alpha=0x%08x (%g) index=%zu %s=0x%08x (%g)",
           what, kernel, op_names[op], n, in_off, out_off, mode, (unsigned)f2u(alpha),
           (double)alpha, index, op == OP_BACKWARD_FROM_OUTPUT ? "y" : "x", (unsigned)f2u(in),
           (double)in);
    if (op != OP_FORWARD)
        printf(" dy=0x%08x (%g)", (unsigned)f2u(dy), (double)dy);
    printf(" got=0x%08x (%g) want=0x%08x (%g)\n", (unsigned)f2u(got), (double)got,
           (unsigned)f2u(want), (double)want);
}
