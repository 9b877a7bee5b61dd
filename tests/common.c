#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, write, _exit */
#include "common.h"

#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *const op_names[OP_COUNT] = {"forward", "backward", "backward_from_output"};
const char *const type_names[LRELU_TYPE_COUNT] = {"f32", "f16", "bf16", "f64"};
const size_t type_sizes[LRELU_TYPE_COUNT] = {4, 2, 2, 8};

#ifdef LRELU_TEST_NEON_PORTABLE
/* kernels/neon.c built for this CPU through SIMDe's portable NEON. */
static const struct lrelu_kernel_fns neon_fns = LRELU_KERNEL_FNS(neon);
#define TEST_ONLY_NEON {"neon-portable", &neon_fns},
#else
#define TEST_ONLY_NEON
#endif

size_t test_impls(struct impl *out, size_t max)
{
    static const struct impl test_only[] = {TEST_ONLY_NEON{NULL, NULL}};
    size_t k = 0;
    for (size_t i = 0; i < lrelu_kernel_count() && k < max; i++)
        out[k++] = (struct impl){lrelu_kernel_name(i), NULL};
    for (size_t i = 0; test_only[i].name != NULL && k < max; i++)
        out[k++] = test_only[i];
    return k;
}

int run_op_t(const struct impl *impl, enum lrelu_type t, enum op op, const void *in, const void *dy,
             void *out, size_t n, double alpha, unsigned flags)
{
    if (impl->fns != NULL) {
        if (op == OP_FORWARD)
            impl->fns->forward[t](in, out, n, alpha);
        else
            impl->fns->backward[t](in, dy, out, n, alpha);
        return LRELU_OK;
    }
    int st = lrelu_set_kernel(impl->name);
    if (st != LRELU_OK) {
        printf("FAIL lrelu_set_kernel(\"%s\") returned %d for a listed kernel\n", impl->name, st);
        return st;
    }
    return call_api_t(t, op, in, dy, out, n, alpha, flags);
}

int run_op(const struct impl *impl, enum op op, const float *in, const float *dy, float *out,
           size_t n, float alpha, unsigned flags)
{
    return run_op_t(impl, LRELU_TYPE_f32, op, in, dy, out, n, alpha, flags);
}

/* The public functions of one type, plain (flags 0) or _ex. */
#define CALL_TYPE(sfx, elem, alpha_t)                                                              \
    switch (op) {                                                                                  \
    case OP_FORWARD:                                                                               \
        return flags ? lrelu_forward##sfx##_ex(in, out, n, (alpha_t)alpha, flags)                  \
                     : lrelu_forward##sfx(in, out, n, (alpha_t)alpha);                             \
    case OP_BACKWARD:                                                                              \
        return flags ? lrelu_backward##sfx##_ex(in, dy, out, n, (alpha_t)alpha, flags)             \
                     : lrelu_backward##sfx(in, dy, out, n, (alpha_t)alpha);                        \
    default:                                                                                       \
        return flags ? lrelu_backward_from_output##sfx##_ex(in, dy, out, n, (alpha_t)alpha, flags) \
                     : lrelu_backward_from_output##sfx(in, dy, out, n, (alpha_t)alpha);            \
    }

int call_api_t(enum lrelu_type t, enum op op, const void *in, const void *dy, void *out, size_t n,
               double alpha, unsigned flags)
{
    /* LRELU_STORE_AUTO goes through the plain functions, others through _ex. */
    switch (t) {
    case LRELU_TYPE_f32:
        CALL_TYPE(, float, float)
    case LRELU_TYPE_f16:
        CALL_TYPE(_f16, uint16_t, float)
    case LRELU_TYPE_bf16:
        CALL_TYPE(_bf16, uint16_t, float)
    default:
        CALL_TYPE(_f64, double, double)
    }
}

int call_api(enum op op, const float *in, const float *dy, float *out, size_t n, float alpha,
             unsigned flags)
{
    return call_api_t(LRELU_TYPE_f32, op, in, dy, out, n, alpha, flags);
}

uint64_t get_bits(enum lrelu_type t, const void *p, size_t i)
{
    const unsigned char *b = (const unsigned char *)p + i * type_sizes[t];
    uint16_t h;
    uint32_t w;
    uint64_t d;
    switch (type_sizes[t]) {
    case 2:
        memcpy(&h, b, 2);
        return h;
    case 4:
        memcpy(&w, b, 4);
        return w;
    default:
        memcpy(&d, b, 8);
        return d;
    }
}

void put_bits(enum lrelu_type t, void *p, size_t i, uint64_t v)
{
    unsigned char *b = (unsigned char *)p + i * type_sizes[t];
    const uint16_t h = (uint16_t)v;
    const uint32_t w = (uint32_t)v;
    switch (type_sizes[t]) {
    case 2:
        memcpy(b, &h, 2);
        break;
    case 4:
        memcpy(b, &w, 4);
        break;
    default:
        memcpy(b, &v, 8);
    }
}

int is_nan_t(enum lrelu_type t, uint64_t u)
{
    switch (t) {
    case LRELU_TYPE_f32:
        return is_nan_bits((uint32_t)u);
    case LRELU_TYPE_f16:
        return (u & 0x7c00u) == 0x7c00u && (u & 0x3ffu) != 0;
    case LRELU_TYPE_bf16:
        return (u & 0x7f80u) == 0x7f80u && (u & 0x7fu) != 0;
    default:
        return (u & 0x7ff0000000000000u) == 0x7ff0000000000000u && (u & 0xfffffffffffffu) != 0;
    }
}

/* The value of a float16 or bfloat16 code, exactly, as a double. */
static double half_value(uint64_t h)
{
    const int e = (int)(h >> 10 & 0x1f), m = (int)(h & 0x3ff);
    const double v = e == 0 ? ldexp(m, -24) : e == 31 ? INFINITY : ldexp(1024 + m, e - 25);
    return h & 0x8000 ? -v : v;
}

static double bfloat_value(uint64_t h)
{
    const int e = (int)(h >> 7 & 0xff), m = (int)(h & 0x7f);
    const double v = e == 0 ? ldexp(m, -133) : e == 255 ? INFINITY : ldexp(128 + m, e - 134);
    return h & 0x8000 ? -v : v;
}

/* The code of a 16-bit format (p significand bits with the leading one,
 * emin the smallest normal exponent, emax the largest) nearest to the
 * finite double d, ties to even, overflow to infinity; by rounding d scaled
 * to an integer significand. Sign handled by the caller. */
static uint64_t round_to_format(double d, int p, int emin, int emax, int ebits)
{
    int e;
    frexp(d, &e); /* d = f * 2^e, f in [0.5, 1): the leading bit has exponent e - 1 */
    int lead = e - 1 < emin ? emin : e - 1;
    double q = nearbyint(ldexp(d, p - 1 - lead)); /* default mode: ties to even */
    if (q >= ldexp(1, p)) {
        q /= 2;
        lead++;
    }
    const uint64_t inf = ((uint64_t)1 << ebits) - 1;
    if (lead > emax)
        return inf << (p - 1);
    if (q < ldexp(1, p - 1)) /* subnormal (or zero) */
        return (uint64_t)q;
    return (uint64_t)(lead - emin + 1) << (p - 1) | ((uint64_t)q - ((uint64_t)1 << (p - 1)));
}

uint64_t ref_bits(enum lrelu_type t, enum op op, uint64_t in, uint64_t dy, double alpha,
                  int *any_nan)
{
    *any_nan = 0;
    if (t == LRELU_TYPE_f32) {
        const float r = ref_op(op, u2f((uint32_t)in), u2f((uint32_t)dy), (float)alpha);
        *any_nan = isnan(r);
        return f2u(r);
    }
    if (t == LRELU_TYPE_f64) {
        double x, g, r;
        memcpy(&x, &in, 8);
        memcpy(&g, &dy, 8);
        r = x > 0 ? (op == OP_FORWARD ? x : g) : alpha * (op == OP_FORWARD ? x : g);
        *any_nan = isnan(r);
        uint64_t u;
        memcpy(&u, &r, 8);
        return u;
    }
    const int half = t == LRELU_TYPE_f16;
    const uint64_t v = op == OP_FORWARD ? in : dy;
    const double xv = half ? half_value(in) : bfloat_value(in);
    if (!is_nan_t(t, in) && xv > 0)
        return v;
    if (is_nan_t(t, v)) /* the NaN itself, quieted */
        return v | (half ? 0x200u : 0x40u);
    const float p = (float)alpha * (float)(half ? half_value(v) : bfloat_value(v));
    const uint64_t sign = signbit(p) ? 0x8000u : 0;
    if (isnan(p)) { /* 0 * inf: the hardware's default NaN, whatever it is */
        *any_nan = 1;
        return half ? 0x7e00u : 0x7fc0u;
    }
    if (isinf(p))
        return sign | (half ? 0x7c00u : 0x7f80u);
    return sign | (half ? round_to_format(fabs((double)p), 11, -14, 15, 5)
                        : round_to_format(fabs((double)p), 8, -126, 127, 8));
}

float ref_op(enum op op, float in, float dy, float alpha)
{
    if (op == OP_FORWARD)
        return in > 0.0f ? in : alpha * in;
    return in > 0.0f ? dy : alpha * dy;
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

char fault_case[256];

static void on_fault(int sig)
{
    static const char head[] = "FAIL fault (a read or write outside the array): ";
    (void)sig;
    if (write(1, head, sizeof head - 1) < 0 || write(1, fault_case, strlen(fault_case)) < 0)
        _exit(2);
    _exit(1);
}

void catch_faults(int on)
{
    signal(SIGSEGV, on ? on_fault : SIG_DFL);
    signal(SIGBUS, on ? on_fault : SIG_DFL);
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

/* One value of type t, drawn afresh (pool_bits draws from a pool of them). */
static uint64_t draw_bits(enum lrelu_type t, uint64_t *s)
{
    static const uint64_t f16_special[] = {
        0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7e55, 0xffff, /* zeros, infs, qNaNs */
        0x7c01, 0xfd23, 0x7d00,                                         /* signalling NaNs */
        0x0001, 0x8001, 0x03ff, 0x83ff, 0x0123,                         /* subnormals */
        0x0400, 0x8400, 0x7bff, 0xfbff, 0x3c00, 0xbc00};                /* min, max, +-1 */
    static const uint64_t bf16_special[] = {
        0x0000, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0xffc0, 0x7fd5, 0xffff, /* zeros, infs, qNaNs */
        0x7f81, 0xffa3, 0x7fbf,                                         /* signalling NaNs */
        0x0001, 0x8001, 0x007f, 0x807f, 0x0042,                         /* subnormals */
        0x0080, 0x8080, 0x7f7f, 0xff7f, 0x3f80, 0xbf80};                /* min, max, +-1 */
    static const uint64_t f64_special[] = {
        0x0000000000000000u, 0x8000000000000000u, 0x7ff0000000000000u, 0xfff0000000000000u,
        0x7ff8000000000000u, 0xfff8000000000000u, 0x7ff8123456789abcu, /* qNaNs */
        0x7ff0000000000001u, 0xfff4000000000000u, 0x7ff00000deadbeefu, /* signalling NaNs */
        0x0000000000000001u, 0x8000000000000001u, 0x000fffffffffffffu, 0x800fffffffffffffu,
        0x0010000000000000u, 0x8010000000000000u, 0x7fefffffffffffffu, 0xffefffffffffffffu,
        0x3ff0000000000000u, 0xbff0000000000000u};
    const uint64_t r = rng_next(s) % 8;
    switch (t) {
    case LRELU_TYPE_f32:
        return f2u(pool[rng_next(s) % POOL_SIZE]);
    case LRELU_TYPE_f16:
        if (r == 0)
            return f16_special[rng_next(s) % (sizeof f16_special / sizeof f16_special[0])];
        if (r == 1) /* tiny negatives: products with small alphas are subnormal */
            return 0x8000u | (0x0400u + rng_next(s) % 0x1c00u);
        if (r == 2) /* any code */
            return rng_next(s) & 0xffffu;
        break;
    case LRELU_TYPE_bf16:
        if (r == 0)
            return bf16_special[rng_next(s) % (sizeof bf16_special / sizeof bf16_special[0])];
        if (r == 1)
            return 0x8000u | (0x0080u + rng_next(s) % 0x0180u);
        if (r == 2)
            return rng_next(s) & 0xffffu;
        break;
    default:
        if (r == 0)
            return f64_special[rng_next(s) % (sizeof f64_special / sizeof f64_special[0])];
        if (r == 1) {
            const double v = -1e-307 * (1.0 + 8.0 * uniform01(s));
            uint64_t u;
            memcpy(&u, &v, 8);
            return u;
        }
        break;
    }
    /* A random normal value, in the type (16-bit: rounded by the test's own
     * conversion). */
    const double u1 = uniform01(s), u2 = uniform01(s);
    const double v = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    if (t == LRELU_TYPE_f64) {
        uint64_t u;
        memcpy(&u, &v, 8);
        return u;
    }
    const uint64_t sign = v < 0 ? 0x8000u : 0;
    return sign | (t == LRELU_TYPE_f16 ? round_to_format(fabs(v), 11, -14, 15, 5)
                                       : round_to_format(fabs(v), 8, -126, 127, 8));
}

void report_t(const char *kernel, enum lrelu_type t, enum op op, size_t n, size_t in_off,
              size_t out_off, const char *mode, double alpha, size_t index, uint64_t in,
              uint64_t dy, uint64_t got, uint64_t want, const char *what)
{
    const int w = (int)(2 * type_sizes[t]);
    printf("FAIL %s: kernel=%s type=%s function=%s n=%zu in_offset=%zu out_offset=%zu mode=%s "
           "alpha=%a index=%zu %s=0x%0*llx",
           what, kernel, type_names[t], op_names[op], n, in_off, out_off, mode, alpha, index,
           op == OP_BACKWARD_FROM_OUTPUT ? "y" : "x", w, (unsigned long long)in);
    if (op != OP_FORWARD)
        printf(" dy=0x%0*llx", w, (unsigned long long)dy);
    printf(" got=0x%0*llx want=0x%0*llx\n", w, (unsigned long long)got, w,
           (unsigned long long)want);
}

const double type_alphas[] = {0.0,
                              0.01f,
                              0.2f,
                              1.0,
                              1.5,
                              3.0,
                              -0.5,
                              -2.0,
                              0x1p-149 /* smallest
                                    float subnormal */
                              ,
                              0x1.fffffep127 /* FLT_MAX */,
                              0x1p-1074 /* smallest double
                                          subnormal */
                              ,
                              0x1.fffffffffffffp1023 /* DBL_MAX */};
const size_t type_alpha_count = sizeof type_alphas / sizeof type_alphas[0];

uint64_t pool_bits(enum lrelu_type t, uint64_t *s)
{
    static uint64_t pools[LRELU_TYPE_COUNT][POOL_SIZE];
    static int made[LRELU_TYPE_COUNT];
    if (!made[t]) {
        uint64_t seed = 0x706f6f6cu + (uint64_t)t;
        for (size_t i = 0; i < POOL_SIZE; i++)
            pools[t][i] = draw_bits(t, &seed);
        made[t] = 1;
    }
    return pools[t][rng_next(s) % POOL_SIZE];
}
