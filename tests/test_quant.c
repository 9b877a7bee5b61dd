/*
 * Quantized Leaky ReLU (lrelu_forward_qs8, lrelu_forward_qu8, and the
 * same through prepared parameters: lrelu_quant_prepare_qs8 / _qu8 and
 * lrelu_forward_qs8_prepared / _qu8_prepared) on every
 * kernel, against the definition of lrelu.h written out here on its own:
 * the multipliers with the C library's binary32 division, multiply and
 * lrintf in the default environment, every element in int64 arithmetic
 * with a floor division.
 *
 *  - every one of the 256 inputs, for each of many parameter sets (the
 *    ends of the valid range of r and s, ties of 256 * r and 256 * s, which
 *    lrintf rounds to even, negative alpha, alpha > 1, zero points at the
 *    type's limits, random ones), in an order and at lengths that put every
 *    value in every lane and through the tails;
 *  - every n 0..300, arrays ending right before a PROT_NONE page and
 *    starting right after one, out of place and in place: no fault, no
 *    byte outside the output written; the same for every n from just
 *    below LRELU_VBMI_MIN_N (where avx512vbmi turns to its table) to 300
 *    past it, and lengths up to 1 MiB;
 *  - the multipliers do not depend on the rounding mode or FTZ / DAZ, and
 *    no call raises a floating-point exception;
 *  - every invalid parameter (each bound crossed by one step), NULL
 *    arrays and parameters, a size out of range: LRELU_EINVAL and the
 *    output untouched; partial overlap: LRELU_EOVERLAP.
 *
 * All of that once through lrelu_forward_qs8 / _qu8 and once through the
 * prepared functions (prepared right before each call); then the prepared
 * struct itself: refused when NULL, zeroed, left by a failed prepare,
 * prepared for the other type or with a field outside the kernels' ranges;
 * accepted at every bound of those ranges with the definition's results;
 * a copy prepared once works on every kernel. The multipliers themselves
 * over two million random parameter sets, near every bound. The
 * multipliers a thread derived last, which the library keeps for its next
 * call: never given to a call whose scales or alpha differ from them in
 * one field only, nor after an invalid call, nor across threads, nor torn
 * by a call from a signal handler in the middle of another.
 *
 * Kernels: every usable kernel of the library through the API, and the
 * test-only NEON build (on CPUs without NEON) directly, with the
 * multipliers computed here.
 */
#include <fenv.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "check.h"
#include "common.h"

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#define MAX_N     300
#define MAX_FAILS 20

static struct impl impls[16];
static size_t impl_count;

static const char *const qnames[LRELU_QTYPE_COUNT] = {"qs8", "qu8"};
static const char *const qnames_prepared[LRELU_QTYPE_COUNT] = {"qs8 (prepared)", "qu8 (prepared)"};
static int use_prepared; /* see call_api_q */
/* The type's name in a report, and the way the API was called. */
#define QN(t) (use_prepared ? qnames_prepared[t] : qnames[t])
static const int32_t zmin[LRELU_QTYPE_COUNT] = {-128, 0}, zmax[LRELU_QTYPE_COUNT] = {127, 255};

/* The reference multipliers; 0 when the parameters are not valid. */
static int ref_params(enum lrelu_qtype t, const lrelu_quant *q, long *mp, long *mn)
{
    if (!(isfinite(q->input_scale) && q->input_scale > 0 && isfinite(q->output_scale) &&
          q->output_scale > 0 && isfinite(q->alpha)))
        return 0;
    if (q->input_zero_point < zmin[t] || q->input_zero_point > zmax[t] ||
        q->output_zero_point < zmin[t] || q->output_zero_point > zmax[t])
        return 0;
    volatile float r = q->input_scale / q->output_scale;
    volatile float s = r * q->alpha;
    if (!(r >= 0x1p-8f && r <= 0x1p7f && fabsf(s) >= 0x1p-8f && s <= 0x1p7f && s >= -0x1.FFFCp6f))
        return 0;
    *mp = lrintf(256.0f * r);
    *mn = lrintf(256.0f * s);
    return 1;
}

static int64_t floor_div256(int64_t v) { return v >= 0 ? v / 256 : -((-v + 255) / 256); }

static int ref_elem(enum lrelu_qtype t, int x, const lrelu_quant *q, long mp, long mn)
{
    const int64_t d = (int64_t)x - q->input_zero_point;
    const int64_t m = d >= 0 ? mp : mn;
    const int64_t v = floor_div256((int64_t)q->output_zero_point * 256 + 128 + d * m);
    return (int)(v < zmin[t] ? zmin[t] : v > zmax[t] ? zmax[t] : v);
}

static int get_q(enum lrelu_qtype t, const void *p, size_t i)
{
    return t == LRELU_QTYPE_qs8 ? ((const int8_t *)p)[i] : ((const uint8_t *)p)[i];
}

static void put_q(enum lrelu_qtype t, void *p, size_t i, int v)
{
    if (t == LRELU_QTYPE_qs8)
        ((int8_t *)p)[i] = (int8_t)v;
    else
        ((uint8_t *)p)[i] = (uint8_t)v;
}

/* use_prepared: whether the API calls go through the prepared parameters
 * (lrelu_quant_prepare_*, then lrelu_forward_*_prepared); every test but
 * the prepared struct's own runs once each way. */

static int prepare_q(enum lrelu_qtype t, const lrelu_quant *q, lrelu_quant_prepared *prep)
{
    return t == LRELU_QTYPE_qs8 ? lrelu_quant_prepare_qs8(q, prep)
                                : lrelu_quant_prepare_qu8(q, prep);
}

static int call_prepared_q(enum lrelu_qtype t, const void *x, void *y, size_t n,
                           const lrelu_quant_prepared *prep)
{
    return t == LRELU_QTYPE_qs8 ? lrelu_forward_qs8_prepared(x, y, n, prep)
                                : lrelu_forward_qu8_prepared(x, y, n, prep);
}

static int call_api_q(enum lrelu_qtype t, const void *x, void *y, size_t n, const lrelu_quant *q)
{
    if (!use_prepared)
        return t == LRELU_QTYPE_qs8 ? lrelu_forward_qs8(x, y, n, q) : lrelu_forward_qu8(x, y, n, q);
    lrelu_quant_prepared prep;
    memset(&prep, 0x3c, sizeof prep);
    const int ps = prepare_q(t, q, &prep);
    const int st = call_prepared_q(t, x, y, n, &prep);
    if (ps != LRELU_OK && st != LRELU_EINVAL)
        FAIL("%s: the prepare call returned %d, the call %d (want LRELU_EINVAL)", QN(t), ps, st);
    return st;
}

/* One call on a kernel: a library kernel through the API, a test-only one
 * directly with the reference multipliers (valid parameters only). */
static int run_q(const struct impl *k, enum lrelu_qtype t, const void *x, void *y, size_t n,
                 const lrelu_quant *q)
{
    if (k->fns == NULL) {
        if (lrelu_set_kernel(k->name) != LRELU_OK) {
            FAIL("lrelu_set_kernel(\"%s\") refused a listed kernel", k->name);
            return LRELU_EUNSUPPORTED;
        }
        return call_api_q(t, x, y, n, q);
    }
    long mp, mn;
    if (!ref_params(t, q, &mp, &mn))
        return LRELU_EINVAL;
    const struct lrelu_quant_params p = {q->input_zero_point, q->output_zero_point, (int32_t)mp,
                                         (int32_t)mn};
    return k->fns->forward_q[t](x, y, n, &p);
}

/* The parameter sets: fixed ones, then random ones (invalid random ones
 * are skipped here; the invalid cases have their own test). */
#define MAX_SETS 400
static lrelu_quant sets[MAX_SETS];
static size_t set_count;

static uint64_t rng_state = 0x51756e74ull;
static uint64_t rnd(void) { return rng_next(&rng_state); }

static void add_set(float is, float os, float alpha, int32_t zx, int32_t zy)
{
    if (set_count < MAX_SETS)
        sets[set_count++] = (lrelu_quant){is, os, alpha, zx, zy};
}

static void make_sets(enum lrelu_qtype t)
{
    set_count = 0;
    const int32_t lo = zmin[t], hi = zmax[t], mid = (lo + hi + 1) / 2;
    const int32_t zps[][2] = {{lo, lo},   {hi, hi},          {lo, hi},         {hi, lo},
                              {mid, mid}, {mid - 1, lo + 3}, {lo + 1, hi - 1}, {hi - 2, mid + 5}};
    for (size_t z = 0; z < sizeof zps / sizeof zps[0]; z++) {
        const int32_t zx = zps[z][0], zy = zps[z][1];
        add_set(1.0f, 256.0f, 1.0f, zx, zy);               /* r = s = 2^-8 */
        add_set(128.0f, 1.0f, 1.0f, zx, zy);               /* r = s = 2^7 */
        add_set(1.0f, 1.0f, 0x1p-8f, zx, zy);              /* s = 2^-8 */
        add_set(1.0f, 1.0f, -0x1p-8f, zx, zy);             /* s = -2^-8 */
        add_set(1.0f, 1.0f, 128.0f, zx, zy);               /* s = 2^7 */
        add_set(1.0f, 1.0f, -0x1.FFFCp6f, zx, zy);         /* s at its lower end */
        add_set(0x1p-8f, 0x1p-15f, -0x1.FFFCp-1f, zx, zy); /* Mp = 32768, Mn = -32767 */
        add_set(0.5f, 0.25f, 0.1f, zx, zy);                /* r = 2 */
        add_set(0.1f, 0.3f, 0.25f, zx, zy);
        add_set(1.0f, 0.37f, -0.7f, zx, zy);  /* negative alpha */
        add_set(0.013f, 0.05f, 3.7f, zx, zy); /* alpha > 1 */
        add_set(2.0f, 1.0f, 1.5f, zx, zy);
        add_set(5.0f, 512.0f, 1.0f, zx, zy);         /* 256 r = 2.5: a tie, to 2 */
        add_set(7.0f, 512.0f, 1.0f, zx, zy);         /* 256 r = 3.5: a tie, to 4 */
        add_set(1.0f, 1.0f, 0x1.4p-7f, zx, zy);      /* 256 s = 2.5 */
        add_set(1.0f, 1.0f, -0x1.4p-7f, zx, zy);     /* 256 s = -2.5 */
        add_set(1.0f, 1.0f, 0x1.8p-8f, zx, zy);      /* 256 s = 1.5 */
        add_set(1e-30f, 3e-30f, 0.02f, zx, zy);      /* small scales */
        add_set(0x1p-149f, 0x1p-147f, 1.0f, zx, zy); /* subnormal scales, r = 1/4 */
        add_set(3e38f, 1e38f, -0.5f, zx, zy);        /* large scales */
    }
    const float alphas[] = {0.01f, 0.1f,  0.2f,   0.3333f, 0.5f,  1.0f,
                            1.7f,  10.0f, -0.01f, -0.5f,   -1.0f, -3.0f};
    while (set_count < MAX_SETS) {
        const uint64_t r = rnd();
        const float is = ldexpf(1.0f + (float)(r & 0xfffff) / 0x1p20f, (int)(r >> 20 & 15) - 10);
        const float os =
            ldexpf(1.0f + (float)(r >> 24 & 0xfffff) / 0x1p20f, (int)(r >> 44 & 7) - 4);
        const float alpha = alphas[(r >> 47) % (sizeof alphas / sizeof alphas[0])];
        const int32_t zx = lo + (int32_t)((r >> 52) % 256), zy = lo + (int32_t)(rnd() % 256);
        const lrelu_quant q = {is, os, alpha, zx, zy};
        long mp, mn;
        if (ref_params(t, &q, &mp, &mn))
            sets[set_count++] = q;
    }
}

/* Every input value on every kernel, for every parameter set: x holds the
 * 256 values three times over (a stride that moves each value through
 * every lane), at lengths 256, 256 + 37 and 3 * 256 - 1, out of place and
 * in place. */
static void test_values(enum lrelu_qtype t)
{
    unsigned char x[768], y[768], want[768];
    const size_t lengths[] = {256, 293, 767};
    make_sets(t);
    for (size_t si = 0; si < set_count; si++) {
        const lrelu_quant *q = &sets[si];
        long mp, mn;
        if (!ref_params(t, q, &mp, &mn)) {
            FAIL("%s set %zu: the reference refuses a fixed parameter set", QN(t), si);
            continue;
        }
        for (size_t i = 0; i < sizeof x; i++) {
            put_q(t, x, i, zmin[t] + (int)((i * 167 + i / 256) & 255));
            want[i] = 0;
            put_q(t, want, i, ref_elem(t, get_q(t, x, i), q, mp, mn));
        }
        for (size_t k = 0; k < impl_count; k++) {
            for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
                for (int in_place = 0; in_place < 2; in_place++) {
                    const size_t n = lengths[l];
                    memset(y, 0x5a, sizeof y);
                    if (in_place)
                        memcpy(y, x, n);
                    const int st = run_q(&impls[k], t, in_place ? (const void *)y : x, y, n, q);
                    if (st != LRELU_OK) {
                        FAIL("%s %s set %zu: returned %d", impls[k].name, QN(t), si, st);
                        continue;
                    }
                    for (size_t i = 0; i < n; i++) {
                        if (get_q(t, y, i) != get_q(t, want, i)) {
                            FAIL("%s %s n=%zu in_place=%d: x[%zu]=%d gives %d, want %d (is=%a "
                                 "os=%a alpha=%a zx=%d zy=%d Mp=%ld Mn=%ld)",
                                 impls[k].name, QN(t), n, in_place, i, get_q(t, x, i),
                                 get_q(t, y, i), get_q(t, want, i), q->input_scale, q->output_scale,
                                 q->alpha, (int)q->input_zero_point, (int)q->output_zero_point, mp,
                                 mn);
                            break;
                        }
                    }
                    for (size_t i = n; i < sizeof y; i++) {
                        if (y[i] != 0x5a) {
                            FAIL("%s %s n=%zu: byte %zu past the end written", impls[k].name, QN(t),
                                 n, i);
                            break;
                        }
                    }
                }
            }
        }
    }
    printf("%s: %zu parameter sets, every input value, %zu kernels\n", QN(t), set_count,
           impl_count);
}

/* Guard pages: every n 0..MAX_N at both ends of a guarded span. */
static void test_guard(enum lrelu_qtype t)
{
    static const unsigned char FILL = 0xa5;
    struct guarded gin = guarded_alloc(MAX_N), gout = guarded_alloc(MAX_N);
    const lrelu_quant q = {0.3f, 0.2f, -0.3f, zmin[t] + 100, zmin[t] + 17};
    long mp, mn;
    ref_params(t, &q, &mp, &mn);
    catch_faults(1);
    for (size_t k = 0; k < impl_count; k++) {
        for (size_t n = 0; n <= MAX_N; n++) {
            for (int c = 0; c < 4; c++) {
                const int at_end = c & 1, in_place = c >> 1;
                unsigned char *x = at_end ? gin.hi - n : gin.lo;
                unsigned char *y = at_end ? gout.hi - n : gout.lo;
                memset(gout.lo, FILL, (size_t)(gout.hi - gout.lo));
                for (size_t i = 0; i < n; i++)
                    x[i] = (unsigned char)(i * 97 + n);
                const unsigned char *src = x;
                if (in_place) {
                    memcpy(y, x, n);
                    src = y;
                }
                snprintf(fault_case, sizeof fault_case, "kernel=%s type=%s n=%zu %s in_place=%d\n",
                         impls[k].name, QN(t), n, at_end ? "at-upper-guard" : "at-lower-guard",
                         in_place);
                const int st = run_q(&impls[k], t, src, y, n, &q);
                if (st != LRELU_OK) {
                    FAIL("returned %d: %s", st, fault_case);
                    continue;
                }
                for (size_t i = 0; i < n; i++) {
                    const int want = ref_elem(t, get_q(t, x, i), &q, mp, mn);
                    if (get_q(t, y, i) != want) {
                        FAIL("element %zu is %d, want %d: %s", i, get_q(t, y, i), want, fault_case);
                        break;
                    }
                }
                for (const unsigned char *p = gout.lo; p < gout.hi; p++) {
                    if ((p < y || p >= y + n) && *p != FILL) {
                        FAIL("byte %td outside the output changed: %s", p - y, fault_case);
                        break;
                    }
                }
            }
        }
    }
    catch_faults(0);
    printf("%s: guard pages, n = 0..%d, %zu kernels\n", QN(t), MAX_N, impl_count);
}

/* Longer arrays, where a kernel may take another path (avx512vbmi: the
 * table lookups from LRELU_VBMI_MIN_N elements on): every n from just
 * below that length to 300 past it (every tail length, every loop shape),
 * then lengths up to 1 MiB, for a range of parameter sets; at both guard
 * pages, out of place and in place; against the definition. */
static void check_one(const struct impl *k, enum lrelu_qtype t, struct guarded gin,
                      struct guarded gout, size_t n, int c, const lrelu_quant *q,
                      const int want[256])
{
    static const unsigned char FILL = 0x3c;
    const int at_end = c & 1, in_place = c >> 1;
    unsigned char *x = at_end ? gin.hi - n : gin.lo;
    unsigned char *y = at_end ? gout.hi - n : gout.lo;
    /* The output and up to 4 KiB on either side (the rest is never near). */
    unsigned char *lo = y - (size_t)(y - gout.lo < 4096 ? y - gout.lo : 4096);
    unsigned char *hi = y + n + (size_t)(gout.hi - (y + n) < 4096 ? gout.hi - (y + n) : 4096);
    memset(lo, FILL, (size_t)(hi - lo));
    for (size_t i = 0; i < n; i++)
        put_q(t, x, i, zmin[t] + (int)((i * 167 + i / 256 + n) & 255));
    const unsigned char *src = x;
    if (in_place) {
        memcpy(y, x, n);
        src = y;
    }
    snprintf(fault_case, sizeof fault_case, "kernel=%s type=%s n=%zu %s in_place=%d\n", k->name,
             QN(t), n, at_end ? "at-upper-guard" : "at-lower-guard", in_place);
    const int st = run_q(k, t, src, y, n, q);
    if (st != LRELU_OK) {
        FAIL("returned %d: %s", st, fault_case);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const int v = (int)((i * 167 + i / 256 + n) & 255), w = want[v];
        if (get_q(t, y, i) != w) {
            FAIL("element %zu (x=%d) is %d, want %d (is=%a os=%a alpha=%a zx=%d zy=%d): %s", i,
                 zmin[t] + v, get_q(t, y, i), w, q->input_scale, q->output_scale, q->alpha,
                 (int)q->input_zero_point, (int)q->output_zero_point, fault_case);
            break;
        }
    }
    for (const unsigned char *p = lo; p < hi; p++) {
        if ((p < y || p >= y + n) && *p != FILL) {
            FAIL("byte %td outside the output changed: %s", p - y, fault_case);
            break;
        }
    }
}

static void test_long(enum lrelu_qtype t)
{
    const size_t sweep_lo = LRELU_VBMI_MIN_N - 1, sweep_hi = LRELU_VBMI_MIN_N + 300;
    const size_t lengths[] = {
        2 * LRELU_VBMI_MIN_N + 255, 4095, 4096, 4097, 65536 + 77, (1u << 20) + 13};
    const size_t big = (1u << 20) + 13;
    struct guarded gin = guarded_alloc(big), gout = guarded_alloc(big);
    catch_faults(1);
    make_sets(t);
    size_t calls = 0, nsets = 0;
    for (size_t si = 0; si < set_count; si += 23, nsets++) {
        const lrelu_quant *q = &sets[si];
        long mp, mn;
        ref_params(t, q, &mp, &mn);
        int want[256];
        for (int v = 0; v < 256; v++)
            want[v] = ref_elem(t, zmin[t] + v, q, mp, mn);
        for (size_t k = 0; k < impl_count; k++) {
            for (int c = 0; c < 4; c++) {
                /* The sweep for every third set, the long ones for all. */
                for (size_t n = sweep_lo; si % 3 == 0 && n <= sweep_hi; n++, calls++)
                    check_one(&impls[k], t, gin, gout, n, c, q, want);
                for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++, calls++)
                    check_one(&impls[k], t, gin, gout, lengths[l], c, q, want);
            }
        }
    }
    catch_faults(0);
    printf("%s: n = %zu..%zu and up to %zu at guard pages, %zu parameter sets, %zu kernels, %zu "
           "calls\n",
           QN(t), sweep_lo, sweep_hi, big, nsets, impl_count, calls);
}

/* The multipliers do not depend on the environment: every rounding mode,
 * and FTZ / DAZ where there are; and no call raises an exception. Library
 * kernels only (the test-only build takes the multipliers from here). */
static void test_environment(enum lrelu_qtype t)
{
    static const int modes[] = {FE_TONEAREST,
#ifdef FE_UPWARD
                                FE_UPWARD,
#endif
#ifdef FE_DOWNWARD
                                FE_DOWNWARD,
#endif
#ifdef FE_TOWARDZERO
                                FE_TOWARDZERO
#endif
    };
    unsigned char x[256], y[256];
    for (size_t i = 0; i < 256; i++)
        put_q(t, x, i, zmin[t] + (int)i);
    make_sets(t);
    size_t checked = 0;
    for (size_t si = 0; si < set_count; si += 7) {
        const lrelu_quant *q = &sets[si];
        long mp, mn;
        ref_params(t, q, &mp, &mn);
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            for (int daz = 0; daz < 2; daz++) {
#if defined(__SSE2__)
                const unsigned csr = _mm_getcsr();
                if (daz)
                    _mm_setcsr(csr | 0x8040u); /* FTZ and DAZ */
#else
                if (daz)
                    continue;
#endif
                fesetround(modes[m]);
                feclearexcept(FE_ALL_EXCEPT);
                const int st = call_api_q(t, x, y, 256, q);
                const int raised = fetestexcept(FE_ALL_EXCEPT);
                fesetround(FE_TONEAREST);
#if defined(__SSE2__)
                _mm_setcsr(csr);
#endif
                checked++;
                if (st != LRELU_OK) {
                    FAIL("%s mode %zu daz=%d set %zu: returned %d", QN(t), m, daz, si, st);
                    continue;
                }
                if (raised != 0)
                    FAIL("%s mode %zu daz=%d set %zu: raised exceptions 0x%x", QN(t), m, daz, si,
                         (unsigned)raised);
                for (size_t i = 0; i < 256; i++) {
                    const int want = ref_elem(t, get_q(t, x, i), q, mp, mn);
                    if (get_q(t, y, i) != want) {
                        FAIL("%s rounding mode %zu daz=%d: x=%d gives %d, want %d (is=%a os=%a "
                             "alpha=%a)",
                             QN(t), m, daz, get_q(t, x, i), get_q(t, y, i), want, q->input_scale,
                             q->output_scale, q->alpha);
                        break;
                    }
                }
            }
        }
    }
    printf("%s: the same results in %zu calls under every rounding mode and FTZ/DAZ, no "
           "exception\n",
           QN(t), checked);
}

/* A call's status as wanted, and y (when y_before is given) untouched. */
static void expect_status(enum lrelu_qtype t, const char *what, int st, int want, const void *y,
                          const unsigned char *y_before, size_t y_bytes)
{
    if (st != want)
        FAIL("%s %s: returned %d, want %d", QN(t), what, st, want);
    if (y_before != NULL && memcmp(y, y_before, y_bytes) != 0)
        FAIL("%s %s: the output was written", QN(t), what);
}

/* Every invalid case, through the API (call_api_q). */
static void expect(enum lrelu_qtype t, const char *what, const void *x, void *y, size_t n,
                   const lrelu_quant *q, int want, const unsigned char *y_before, size_t y_bytes)
{
    expect_status(t, what, call_api_q(t, x, y, n, q), want, y, y_before, y_bytes);
}

static void test_invalid(enum lrelu_qtype t)
{
    unsigned char buf[64], x[16], y[16], keep[16];
    memset(x, 3, sizeof x);
    memset(y, 0x77, sizeof y);
    memcpy(keep, y, sizeof y);
    const lrelu_quant ok = {0.5f, 0.25f, 0.1f, zmin[t] + 5, zmin[t] + 9};
    const float below = nextafterf(1.0f, 0.0f), above = nextafterf(1.0f, 2.0f);
    struct {
        const char *what;
        lrelu_quant q;
    } bad[] = {
        {"input_scale 0", {0.0f, 1.0f, 0.5f, 0, 0}},
        {"input_scale -0", {-0.0f, 1.0f, 0.5f, 0, 0}},
        {"input_scale < 0", {-1.0f, 1.0f, 0.5f, 0, 0}},
        {"input_scale inf", {INFINITY, 1.0f, 0.5f, 0, 0}},
        {"input_scale NaN", {NAN, 1.0f, 0.5f, 0, 0}},
        {"output_scale 0", {1.0f, 0.0f, 0.5f, 0, 0}},
        {"output_scale < 0", {1.0f, -1.0f, 0.5f, 0, 0}},
        {"output_scale inf", {1.0f, INFINITY, 0.5f, 0, 0}},
        {"output_scale NaN", {1.0f, NAN, 0.5f, 0, 0}},
        {"alpha 0", {1.0f, 1.0f, 0.0f, 0, 0}},
        {"alpha -0", {1.0f, 1.0f, -0.0f, 0, 0}},
        {"alpha NaN", {1.0f, 1.0f, NAN, 0, 0}},
        {"alpha inf", {1.0f, 1.0f, INFINITY, 0, 0}},
        {"alpha -inf", {1.0f, 1.0f, -INFINITY, 0, 0}},
        {"r just below 2^-8", {below, 256.0f, 1.0f, 0, 0}},
        {"r just above 2^7", {128.0f * above, 1.0f, 0.5f, 0, 0}},
        {"s just below 2^-8", {1.0f, 1.0f, 0x1p-8f * below, 0, 0}},
        {"s just above -2^-8", {1.0f, 1.0f, -0x1p-8f * below, 0, 0}},
        {"s just above 2^7", {1.0f, 1.0f, 128.0f * above, 0, 0}},
        {"s just below -0x1.FFFCp6", {1.0f, 1.0f, nextafterf(-0x1.FFFCp6f, -200.0f), 0, 0}},
        {"s = -2^7", {1.0f, 1.0f, -128.0f, 0, 0}},
        {"alpha tiny", {1.0f, 1.0f, 0x1p-149f, 0, 0}},
        {"alpha huge", {1.0f, 1.0f, 3e38f, 0, 0}},
        {"r overflows", {3e38f, 1e-30f, 0.5f, 0, 0}},
        {"r underflows", {1e-30f, 3e38f, 0.5f, 0, 0}},
        {"input_zero_point below", {1.0f, 1.0f, 0.5f, zmin[t] - 1, 0}},
        {"input_zero_point above", {1.0f, 1.0f, 0.5f, zmax[t] + 1, 0}},
        {"output_zero_point below", {1.0f, 1.0f, 0.5f, 0, zmin[t] - 1}},
        {"output_zero_point above", {1.0f, 1.0f, 0.5f, 0, zmax[t] + 1}},
        {"input_zero_point INT32_MIN", {1.0f, 1.0f, 0.5f, INT32_MIN, 0}},
        {"output_zero_point INT32_MAX", {1.0f, 1.0f, 0.5f, 0, INT32_MAX}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long mp, mn;
        if (ref_params(t, &bad[i].q, &mp, &mn))
            FAIL("%s %s: the reference accepts it (the test is wrong)", QN(t), bad[i].what);
        for (size_t k = 0; k < impl_count; k++) {
            if (impls[k].fns != NULL)
                continue;
            lrelu_set_kernel(impls[k].name);
            expect(t, bad[i].what, x, y, sizeof x, &bad[i].q, LRELU_EINVAL, keep, sizeof y);
            expect(t, bad[i].what, x, y, 0, &bad[i].q, LRELU_EINVAL, keep, sizeof y);
            expect(t, bad[i].what, NULL, NULL, 0, &bad[i].q, LRELU_EINVAL, NULL, 0);
        }
    }
    lrelu_set_kernel(NULL);
    /* The valid neighbours of the bounds are accepted. */
    const lrelu_quant edge[] = {{1.0f, 256.0f, 1.0f, 0, 0},
                                {128.0f, 1.0f, 1.0f, 0, 0},
                                {1.0f, 1.0f, -0x1.FFFCp6f, 0, 0},
                                {1.0f, 1.0f, -0x1p-8f, 0, 0},
                                {0x1p-149f, 0x1p-149f, 0.5f, 0, 0}};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        expect(t, "a valid bound", x, buf, sizeof x, &edge[i], LRELU_OK, NULL, 0);
    expect(t, "NULL parameters", x, y, sizeof x, NULL, LRELU_EINVAL, keep, sizeof y);
    expect(t, "NULL parameters, n = 0", x, y, 0, NULL, LRELU_EINVAL, keep, sizeof y);
    expect(t, "NULL x", NULL, y, sizeof x, &ok, LRELU_EINVAL, keep, sizeof y);
    expect(t, "NULL y", x, NULL, sizeof x, &ok, LRELU_EINVAL, NULL, 0);
    expect(t, "NULL arrays, n = 0", NULL, NULL, 0, &ok, LRELU_OK, NULL, 0);
    expect(t, "n = SIZE_MAX", x, y, SIZE_MAX, &ok, LRELU_EINVAL, keep, sizeof y);
    expect(t, "n past the address space", x, y, SIZE_MAX - (uintptr_t)y / 2, &ok, LRELU_EINVAL,
           keep, sizeof y);
    /* Overlap: y one byte after x and before, for every kernel; the very
     * same array is in place. */
    for (size_t k = 0; k < impl_count; k++) {
        if (impls[k].fns != NULL)
            continue;
        lrelu_set_kernel(impls[k].name);
        memset(buf, 0x11, sizeof buf);
        unsigned char before[64];
        memcpy(before, buf, sizeof buf);
        expect(t, "y = x + 1", buf, buf + 1, 40, &ok, LRELU_EOVERLAP, NULL, 0);
        expect(t, "y = x - 1", buf + 1, buf, 40, &ok, LRELU_EOVERLAP, NULL, 0);
        expect(t, "y = x + 39", buf, buf + 39, 40, &ok, LRELU_EOVERLAP, NULL, 0);
        if (memcmp(buf, before, sizeof buf) != 0)
            FAIL("%s %s: an overlapping call wrote", QN(t), impls[k].name);
        expect(t, "y = x + 40 (adjacent)", buf, buf + 40, 20, &ok, LRELU_OK, NULL, 0);
        expect(t, "y = x (in place)", buf, buf, 40, &ok, LRELU_OK, NULL, 0);
    }
    lrelu_set_kernel(NULL);
    printf("%s: %zu invalid parameter sets, NULL, size and overlap cases\n", QN(t),
           sizeof bad / sizeof bad[0]);
}

/* The prepared struct itself: refused when it is not one the prepare
 * function of the same type filled (NULL, zeroed, a failed prepare, the
 * other type's, a field out of the kernels' ranges), nothing written,
 * whatever n; accepted at every bound of those ranges, with the
 * definition's results on every kernel; copyable; prepared once and used
 * on every kernel. */
static void expect_prepared(enum lrelu_qtype t, const char *what, const void *x, void *y, size_t n,
                            const lrelu_quant_prepared *prep, int want,
                            const unsigned char *y_before, size_t y_bytes)
{
    char label[96];
    snprintf(label, sizeof label, "prepared, %s", what);
    expect_status(t, label, call_prepared_q(t, x, y, n, prep), want, y, y_before, y_bytes);
}

static void test_prepared_struct(enum lrelu_qtype t)
{
    const enum lrelu_qtype other = t == LRELU_QTYPE_qs8 ? LRELU_QTYPE_qu8 : LRELU_QTYPE_qs8;
    unsigned char x[256], y[256], keep[256];
    for (size_t i = 0; i < sizeof x; i++)
        x[i] = (unsigned char)i;
    memset(y, 0x77, sizeof y);
    memcpy(keep, y, sizeof y);
    const lrelu_quant ok = {0.5f, 0.25f, 0.1f, zmin[t] + 5, zmin[t] + 9};
    const lrelu_quant ok_other = {0.5f, 0.25f, 0.1f, zmin[other] + 5, zmin[other] + 9};
    const lrelu_quant invalid = {0.5f, 0.25f, 0.0f, 0, 0};
    lrelu_quant_prepared good, theirs, zero, failed;
    if (prepare_q(t, &ok, &good) != LRELU_OK || prepare_q(other, &ok_other, &theirs) != LRELU_OK) {
        FAIL("%s prepared: a valid parameter set refused", QN(t));
        return;
    }
    memset(&zero, 0, sizeof zero);
    memset(&failed, 0x3c, sizeof failed);
    if (prepare_q(t, &invalid, &failed) != LRELU_EINVAL)
        FAIL("%s prepared: alpha = 0 accepted by the prepare call", QN(t));
    if (prepare_q(t, &ok, NULL) != LRELU_EINVAL)
        FAIL("%s prepared: a NULL struct accepted by the prepare call", QN(t));
    if (prepare_q(t, NULL, &failed) != LRELU_EINVAL)
        FAIL("%s prepared: NULL parameters accepted by the prepare call", QN(t));
    const struct {
        const char *what;
        const lrelu_quant_prepared *prep;
    } refused[] = {{"NULL", NULL},
                   {"zeroed", &zero},
                   {"a failed prepare", &failed},
                   {"the other type's", &theirs}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        expect_prepared(t, refused[i].what, x, y, sizeof x, refused[i].prep, LRELU_EINVAL, keep,
                        sizeof y);
        expect_prepared(t, refused[i].what, x, y, 0, refused[i].prep, LRELU_EINVAL, keep, sizeof y);
        expect_prepared(t, refused[i].what, NULL, NULL, 0, refused[i].prep, LRELU_EINVAL, NULL, 0);
    }
    /* Each field (opaque[1..4]: the zero points, Mp, Mn) just outside its
     * range, and at the bounds inside it. */
    const struct {
        int field;
        int32_t value;
        int valid;
    } fields[] = {
        {1, zmin[t] - 1, 0}, {1, zmax[t] + 1, 0}, {1, INT32_MIN, 0},   {1, zmin[t], 1},
        {1, zmax[t], 1},     {2, zmin[t] - 1, 0}, {2, zmax[t] + 1, 0}, {2, INT32_MAX, 0},
        {2, zmin[t], 1},     {2, zmax[t], 1},     {3, 0, 0},           {3, 32769, 0},
        {3, -1, 0},          {3, 1, 1},           {3, 32768, 1},       {4, 0, 0},
        {4, -32768, 0},      {4, 32769, 0},       {4, -32767, 1},      {4, -1, 1},
        {4, 1, 1},           {4, 32768, 1},
    };
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        lrelu_quant_prepared forged = good;
        forged.opaque[fields[f].field] = fields[f].value;
        memcpy(y, keep, sizeof y);
        char what[64];
        snprintf(what, sizeof what, "opaque[%d] = %ld", fields[f].field, (long)fields[f].value);
        if (!fields[f].valid) {
            expect_prepared(t, what, x, y, sizeof x, &forged, LRELU_EINVAL, keep, sizeof y);
            expect_prepared(t, what, x, y, 0, &forged, LRELU_EINVAL, keep, sizeof y);
            continue;
        }
        /* The definition with the forged numbers. */
        const lrelu_quant q = {ok.input_scale, ok.output_scale, ok.alpha, forged.opaque[1],
                               forged.opaque[2]};
        const long mp = forged.opaque[3], mn = forged.opaque[4];
        for (size_t k = 0; k < impl_count; k++) {
            if (impls[k].fns != NULL)
                continue;
            lrelu_set_kernel(impls[k].name);
            memset(y, 0x77, sizeof y);
            if (call_prepared_q(t, x, y, sizeof x, &forged) != LRELU_OK) {
                FAIL("%s prepared %s, %s: refused", QN(t), impls[k].name, what);
                continue;
            }
            for (size_t i = 0; i < sizeof x; i++) {
                const int want = ref_elem(t, get_q(t, x, i), &q, mp, mn);
                if (get_q(t, y, i) != want) {
                    FAIL("%s prepared %s, %s: x[%zu]=%d gives %d, want %d", QN(t), impls[k].name,
                         what, i, get_q(t, x, i), get_q(t, y, i), want);
                    break;
                }
            }
        }
        lrelu_set_kernel(NULL);
    }
    memset(y, 0x77, sizeof y);
    /* A copy, prepared under one kernel, used on every kernel. */
    long mp, mn;
    if (!ref_params(t, &ok, &mp, &mn)) {
        FAIL("%s prepared: the reference refuses a valid set", QN(t));
        return;
    }
    lrelu_quant_prepared copy;
    memcpy(&copy, &good, sizeof copy);
    for (size_t k = 0; k < impl_count; k++) {
        if (impls[k].fns != NULL)
            continue;
        lrelu_set_kernel(impls[k].name);
        unsigned char out[256];
        if (call_prepared_q(t, x, out, sizeof x, &copy) != LRELU_OK) {
            FAIL("%s prepared %s: a copy refused", QN(t), impls[k].name);
            continue;
        }
        for (size_t i = 0; i < sizeof x; i++) {
            if (get_q(t, out, i) != ref_elem(t, get_q(t, x, i), &ok, mp, mn)) {
                FAIL("%s prepared %s: a copy gives x[%zu]=%d -> %d", QN(t), impls[k].name, i,
                     get_q(t, x, i), get_q(t, out, i));
                break;
            }
        }
    }
    lrelu_set_kernel(NULL);
    printf("%s: the prepared struct refused in %zu ways and at %zu forged fields checked\n", QN(t),
           sizeof refused / sizeof refused[0], sizeof fields / sizeof fields[0]);
}

/* The derivation of the multipliers over many parameter sets drawn as bit
 * patterns (output_scale's exponent from 12 below input_scale's to 19 above,
 * alpha's from 2^-12 to 2^19, so that r and s fall on both sides of every
 * bound; subnormals; NaN, infinities, zero and negative scales now and
 * then; significands of two bits, whose quotients and products are often
 * exact, 256 * r and 256 * s then ties): the prepared struct holds the
 * reference's multipliers (opaque[3] = Mp, opaque[4] = Mn, see
 * test_prepared_struct), and the prepare call and lrelu_forward_qs8 /
 * _qu8 accept exactly the sets the reference accepts. */
static uint32_t draw_float_bits(int32_t e, uint32_t sign)
{
    const uint64_t r = rnd();
    const uint32_t frac = (uint32_t)(r >> 20) & 0x7fffffu;
    switch (r % 16) {
    case 0:
        return (uint32_t)(r >> 16); /* anything, NaN and infinity included */
    case 1:
        return frac | sign; /* subnormal or zero */
    case 2:
    case 3:
    case 4:
        return (uint32_t)(0x3f800000 + e * 0x800000) | (frac & 0x600000u) | sign;
    default:
        return (uint32_t)(0x3f800000 + e * 0x800000) | frac | sign;
    }
}

/* input_scale / output_scale within 2^-40 of a tie of binary32 rounding
 * (the quotient's bits after the 24th: a one, zeros, then not only zeros),
 * from r's bits: the significands b (odd) and a = (b * t + d) / 2^25 for
 * a small odd d and t = -d / b modulo 2^25, so that a / b = t / 2^25 +
 * d / (b * 2^25) with t odd. 0 when a is not a 24-bit significand. */
static int near_tie(lrelu_quant *q, uint64_t r)
{
    const uint32_t b = 0x800001u | (uint32_t)(r >> 8 & 0x7ffffeu),
                   d = (uint32_t)(r >> 32 & 0x7e) | 1;
    uint32_t inv = b; /* b * inv = 1 modulo 2^(3 * 2^k) after k steps */
    for (int k = 0; k < 4; k++)
        inv *= 2 - b * inv;
    const uint64_t t = (uint64_t)(0u - d * inv) & 0x1ffffffu;
    const uint64_t a = ((uint64_t)b * t + d) >> 25;
    if (a < 0x800000u || a > 0xffffffu)
        return 0;
    const int shift = (int)(r >> 40 & 15) - 7;
    q->input_scale = ldexpf((float)a, shift - 20);
    q->output_scale = ldexpf((float)b, -20);
    q->alpha = (r >> 63) ? -1.0f : 0.5f;
    return 1;
}

static void check_derivation(enum lrelu_qtype t, const lrelu_quant *q, size_t *valid)
{
    long mp = 0, mn = 0;
    const int want = ref_params(t, q, &mp, &mn);
    lrelu_quant_prepared prep;
    const int st = prepare_q(t, q, &prep);
    const int direct = call_api_q(t, NULL, NULL, 0, q);
    *valid += (size_t)want;
    if (st != (want ? LRELU_OK : LRELU_EINVAL) || direct != st)
        FAIL("%s parameters %a %a %a: prepare %d, direct call %d, the reference %s them", qnames[t],
             q->input_scale, q->output_scale, q->alpha, st, direct, want ? "accepts" : "refuses");
    else if (want && (prep.opaque[3] != mp || prep.opaque[4] != mn))
        FAIL("%s parameters %a %a %a: Mp %ld, Mn %ld, want %ld, %ld", qnames[t], q->input_scale,
             q->output_scale, q->alpha, (long)prep.opaque[3], (long)prep.opaque[4], mp, mn);
}

static void test_derivation(enum lrelu_qtype t)
{
    const size_t count = 2000000;
    size_t valid = 0, ties = 0;
    for (size_t i = 0; i < count && fails <= MAX_FAILS; i++) {
        const uint64_t r = rnd();
        lrelu_quant q = {0, 0, 0, zmin[t] + (int32_t)(r % 256), zmin[t] + (int32_t)(r >> 8 & 255)};
        if (i % 4 == 0) {
            if (near_tie(&q, rnd())) {
                ties++;
                check_derivation(t, &q, &valid);
            }
            continue;
        }
        const int32_t e = (int32_t)(r >> 16 & 127) - 64;
        const uint32_t bits[3] = {
            draw_float_bits(e, 0), draw_float_bits(e + (int32_t)(r >> 24 & 31) - 12, 0),
            draw_float_bits((int32_t)(r >> 32 & 31) - 12, (uint32_t)(r >> 63) << 31)};
        memcpy(&q.input_scale, &bits[0], sizeof(float));
        memcpy(&q.output_scale, &bits[1], sizeof(float));
        memcpy(&q.alpha, &bits[2], sizeof(float));
        check_derivation(t, &q, &valid);
    }
    printf("%s: the multipliers of %zu random parameter sets (%zu near a tie of r; %zu valid)\n",
           qnames[t], count, ties, valid);
    if (valid < count / 50 || ties < count / 40)
        FAIL("%s: only %zu valid random parameter sets, %zu near a tie (the test is wrong)",
             qnames[t], valid, ties);
}

/*
 * The memo of the last multipliers (src/lrelu.c). Each call runs on the
 * 256 byte values and is compared with the definition; a count of
 * mismatching elements, 0 when the call is right.
 */
static uint8_t memo_in[256];

static int memo_wrong(enum lrelu_qtype t, const lrelu_quant *q, int want_status)
{
    uint8_t out[256];
    memset(out, 0x5a, sizeof out);
    const int st = call_api_q(t, memo_in, out, 256, q); /* use_prepared is 0 here */
    if (st != want_status)
        return 1000; /* a wrong status */
    long mp, mn;
    if (st != LRELU_OK)
        return 0;
    if (!ref_params(t, q, &mp, &mn))
        return 2000;
    int wrong = 0;
    for (int i = 0; i < 256; i++)
        wrong += get_q(t, out, (size_t)i) != ref_elem(t, get_q(t, memo_in, (size_t)i), q, mp, mn);
    return wrong;
}

/* Sets A, B and C of the memo's threads and signal handler: they differ
 * in input_scale alone (different multipliers), so that a torn entry (one
 * set's key with another's multipliers) would be taken as a hit. */
static const lrelu_quant memo_a = {0.5f, 0.25f, 0.1f, 3, 5}, memo_b = {0.75f, 0.25f, 0.1f, 3, 5},
                         memo_c = {0.625f, 0.25f, 0.1f, 3, 5};

struct memo_worker {
    enum lrelu_qtype t;
    const lrelu_quant *q;
    int rounds, wrong;
};

static void *memo_thread(void *arg)
{
    struct memo_worker *w = arg;
    for (int r = 0; r < w->rounds; r++)
        w->wrong += memo_wrong(w->t, w->q, LRELU_OK) != 0;
    return NULL;
}

/* The signal part: results compared with ones computed beforehand, so
 * that the calls, and the memo's writes in them, take most of the time. */
static enum lrelu_qtype memo_signal_type;
static uint8_t memo_want_a[256], memo_want_c[256];
static volatile sig_atomic_t memo_signal_wrong, memo_signals;

static int memo_call(enum lrelu_qtype t, const lrelu_quant *q, const uint8_t *want)
{
    uint8_t out[256];
    return call_api_q(t, memo_in, out, 256, q) != LRELU_OK || memcmp(out, want, sizeof out) != 0;
}

/* The handler realigns its stack on x86: qemu-user (7.2) can enter a
 * handler with the stack 8 bytes off the ABI's 16-byte alignment, where
 * the SSE2 kernel's aligned spills fault; a kernel never does. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MEMO_HANDLER_ALIGN __attribute__((force_align_arg_pointer))
#else
#define MEMO_HANDLER_ALIGN
#endif
MEMO_HANDLER_ALIGN static void memo_on_signal(int sig)
{
    (void)sig;
    memo_signals = memo_signals + 1;
    if (memo_call(memo_signal_type, &memo_c, memo_want_c))
        memo_signal_wrong = memo_signal_wrong + 1;
}

static void memo_after_signals(int sig) { (void)sig; }

static void test_memo(enum lrelu_qtype t)
{
    for (int i = 0; i < 256; i++)
        memo_in[i] = (uint8_t)i;
    /* In turn: A, then A with one field changed, and so on; the same set
     * twice; an invalid set between two valid ones. */
    const lrelu_quant a = memo_a;
    lrelu_quant seq[12];
    int want[12];
    size_t k = 0;
    seq[k] = a, want[k++] = LRELU_OK;
    seq[k] = a, want[k++] = LRELU_OK;
    seq[k] = a, seq[k].input_scale = 0.75f, want[k++] = LRELU_OK;
    seq[k] = a, want[k++] = LRELU_OK;
    seq[k] = a, seq[k].output_scale = 0.125f, want[k++] = LRELU_OK;
    seq[k] = a, want[k++] = LRELU_OK;
    seq[k] = a, seq[k].alpha = -0.1f, want[k++] = LRELU_OK;
    seq[k] = a, seq[k].alpha = 0.3f, want[k++] = LRELU_OK;
    seq[k] = a, seq[k].alpha = NAN, want[k++] = LRELU_EINVAL;
    seq[k] = a, seq[k].alpha = 0.3f, want[k++] = LRELU_OK;
    seq[k] = a, seq[k].input_scale = 512.0f, want[k++] = LRELU_EINVAL; /* r = 2^11 */
    seq[k] = a, want[k++] = LRELU_OK;
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < k; i++) {
            const int wrong = memo_wrong(t, &seq[i], want[i]);
            if (wrong)
                FAIL("%s memo: call %zu of the sequence (%a %a %a): %d wrong (1000: the status)",
                     qnames[t], i, seq[i].input_scale, seq[i].output_scale, seq[i].alpha, wrong);
        }

    /* Two threads, one on A and one on B, in turn and at once. */
    struct memo_worker w[2] = {{t, &memo_a, 4000, 0}, {t, &memo_b, 4000, 0}};
    pthread_t th[2];
    int started = 0;
    for (int i = 0; i < 2; i++)
        started += pthread_create(&th[i], NULL, memo_thread, &w[i]) == 0;
    if (started != 2)
        FAIL("%s memo: could not start the threads", qnames[t]);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (w[0].wrong || w[1].wrong)
        FAIL("%s memo: two threads on two parameter sets: %d and %d calls wrong", qnames[t],
             w[0].wrong, w[1].wrong);

    /* A signal handler calling with C every 20 us, while this thread
     * calls with A and C in turn: the handler's calls interrupt this
     * thread's reading and writing of the memo, and this thread's calls
     * with C would take a torn entry the handler's writing left (C's key,
     * A's multipliers), as the handler would take one this thread's left. */
    if (memo_wrong(t, &memo_a, LRELU_OK) || memo_wrong(t, &memo_c, LRELU_OK))
        FAIL("%s memo: sets A and C wrong before the signals", qnames[t]);
    call_api_q(t, memo_in, memo_want_a, 256, &memo_a);
    call_api_q(t, memo_in, memo_want_c, 256, &memo_c);
    memo_signal_type = t;
    memo_signal_wrong = 0;
    memo_signals = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = memo_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    const struct itimerval on = {{0, 20}, {0, 20}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &on, NULL);
    /* 20 000 signals, or 3 s (valgrind delivers them more slowly). */
    int main_wrong = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; memo_signals < 20000; r++) {
        main_wrong += memo_call(t, &memo_a, memo_want_a) + memo_call(t, &memo_c, memo_want_c);
        if (r % 256 == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            if (t1.tv_sec - t0.tv_sec >= 3)
                break;
        }
    }
    setitimer(ITIMER_REAL, &off, NULL);
    /* A signal still on its way (valgrind delivers late) finds a handler
     * that does nothing, rather than the default action's exit. */
    sa.sa_handler = memo_after_signals;
    sigaction(SIGALRM, &sa, NULL);
    if (main_wrong || memo_signal_wrong)
        FAIL("%s memo: calls from a signal handler (%d signals): %d wrong in the handler, %d in "
             "the interrupted thread",
             qnames[t], (int)memo_signals, (int)memo_signal_wrong, main_wrong);
    if (memo_signals < 100)
        FAIL("%s memo: only %d signals came (the test is wrong)", qnames[t], (int)memo_signals);
    printf("%s: the memo of the last multipliers: a sequence of %zu calls, two threads, %d "
           "calls from a signal handler\n",
           qnames[t], k, (int)memo_signals);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* a fault's _exit loses no report */
    impl_count = test_impls(impls, 16);
    for (int t = 0; t < LRELU_QTYPE_COUNT; t++) {
        for (use_prepared = 0; use_prepared < 2; use_prepared++) {
            printf("%s: %s\n", QN(t),
                   use_prepared ? "through lrelu_quant_prepare_* and lrelu_forward_*_prepared"
                                : "through lrelu_forward_qs8 / _qu8");
            test_values((enum lrelu_qtype)t);
            test_guard((enum lrelu_qtype)t);
            test_long((enum lrelu_qtype)t);
            test_environment((enum lrelu_qtype)t);
            test_invalid((enum lrelu_qtype)t);
        }
        use_prepared = 0;
        test_prepared_struct((enum lrelu_qtype)t);
        test_derivation((enum lrelu_qtype)t);
        test_memo((enum lrelu_qtype)t);
    }
    if (fails > MAX_FAILS)
        printf("... %d failures in all\n", fails);
    printf("%s\n", fails ? "FAILED" : "all quantized checks passed");
    return fails ? 1 : 0;
}
