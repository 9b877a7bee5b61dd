/*
 * liblrelu - Leaky ReLU on float32, float16, bfloat16 and float64 arrays
 * (and quantized int8 / uint8 ones, lrelu_forward_qs8 / _qu8),
 * dispatched at load time to the fastest kernel the CPU and the operating
 * system support.
 *
 * Every function is thread safe. Every kernel produces exactly the bits of
 * the scalar reference:
 *
 *   forward:  y[i]  = x[i] > 0 ? x[i]  : alpha * x[i]
 *   backward: dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i]
 *
 * with the ordered compare (a NaN is not > 0, so NaN in gives NaN out)
 * decided on the bits of x, and one IEEE multiply (binary32; binary64 for
 * float64), no FMA. Where x > 0 the input passes through as stored (a
 * signalling NaN in dy included).
 *
 * The floating-point environment: the multiply, and nothing else, is
 * evaluated in the caller's environment, on every kernel alike: its
 * rounding mode, and flush-to-zero / denormals-are-zero (MXCSR.FTZ/DAZ on
 * x86, FPCR.FZ on AArch64) if the caller set them. In the default
 * environment that is round to nearest with subnormals kept. The compare
 * does not depend on the environment (DAZ cannot make a positive subnormal
 * "not > 0"), and the library leaves it as it found it: the control state
 * (MXCSR, the x87 control word, FPCR) is the same after every call, and
 * the caller's wherever a multiply runs (the AVX2 kernel masks every
 * exception while it narrows float16 products, README). The status
 * flags raised are exactly those of the formula's multiplies, in the
 * elements where x is not > 0; none where x > 0 (no 0 * inf for x = +inf
 * and alpha = 0, no overflow for a large x taken as is). So with traps
 * enabled (feenableexcept), a call traps on every kernel exactly where the
 * formula's multiply would.
 *
 * float16 (IEEE binary16) and bfloat16 elements are passed as their bit
 * patterns (uint16_t) and computed as
 *
 *   y = x > 0 ? x : round(alpha * widen(x))
 *
 * widen: exact, to binary32; one binary32 multiply; round: once, to the
 * 16-bit type, to nearest even whatever the rounding mode, FTZ or DAZ,
 * subnormals kept, overflow to infinity. The conversions raise no
 * exception: the flags are those of the binary32 multiply alone (a product
 * that overflows only in the 16-bit type gives infinity and raises
 * nothing). A NaN keeps its sign and the top bits of its
 * payload and becomes quiet. (PyTorch's CPU kernels compute the same for
 * every input that is not a NaN, but for the sign of the NaN of 0 * inf.)
 *
 * Arrays are contiguous, of any length, and aligned to their element type
 * (_Alignof(float), _Alignof(uint16_t), _Alignof(double)); an array that is
 * not (a float pointer at an odd address, say, which C leaves undefined) is
 * refused with LRELU_EINVAL. An output may be the very same array as an input (in place); an
 * output that partially overlaps an input is refused. On any error nothing
 * is written.
 */
#ifndef LRELU_H
#define LRELU_H

#include <stddef.h>
#include <stdint.h>

#define LRELU_VERSION_MAJOR 1
#define LRELU_VERSION_MINOR 3
#define LRELU_VERSION_PATCH 6

#if defined(_WIN32) && defined(LRELU_BUILDING_DLL)
#define LRELU_API __declspec(dllexport)
#elif defined(__GNUC__)
#define LRELU_API __attribute__((visibility("default")))
#else
#define LRELU_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Every function that returns int returns one of these. */
enum lrelu_status {
    LRELU_OK = 0,
    /* An argument is invalid: a NULL array with n > 0, a non-finite alpha,
     * an n whose byte range does not fit in the address space, an array
     * not aligned to its element type (with n > 0, and not partially
     * overlapping: that is LRELU_EOVERLAP), a negative alpha in
     * lrelu_backward_from_output, or quantization parameters out of
     * range (lrelu_forward_qs8). */
    LRELU_EINVAL = -1,
    /* An output array partially overlaps an input array (exactly the same
     * array is allowed: that is in place). */
    LRELU_EOVERLAP = -2,
    /* The named kernel is unknown, not compiled in, not supported by this
     * CPU and operating system, or above the LRELU_MAX_ISA cap. */
    LRELU_EUNSUPPORTED = -3
};

/*
 * y[i] = x[i] > 0 ? x[i] : alpha * x[i], for i in [0, n).
 * y == x (in place) is allowed.
 * Returns LRELU_OK; LRELU_EINVAL (x or y NULL with n > 0, alpha not finite,
 * n too large for the address range, an array misaligned); LRELU_EOVERLAP
 * (y partially overlaps x).
 * n == 0 returns LRELU_OK and accepts NULL pointers.
 */
LRELU_API int lrelu_forward(const float *x, float *y, size_t n, float alpha);

/*
 * dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i], for i in [0, n).
 * The gradient at x == +0.0 or -0.0 is alpha * dy, as in PyTorch, TensorFlow
 * and oneDNN. With alpha == 0 it is 0 * dy where x is not > 0: +0.0, -0.0
 * for a negative dy, NaN for an infinite or NaN dy. dx == dy or dx == x (in
 * place) is allowed.
 * Returns LRELU_OK; LRELU_EINVAL (a NULL array with n > 0, alpha not finite,
 * n too large, an array misaligned); LRELU_EOVERLAP (dx partially overlaps x
 * or dy).
 */
LRELU_API int lrelu_backward(const float *x, const float *dy, float *dx, size_t n, float alpha);

/*
 * The backward pass computed from the forward output y instead of the input:
 * dx[i] = y[i] > 0 ? dy[i] : alpha * dy[i]. For alpha >= 0, y > 0 exactly
 * when x > 0, so this equals lrelu_backward; for alpha < 0 it would not, and
 * the call is refused. dx == dy or dx == y is allowed.
 * Returns LRELU_OK; LRELU_EINVAL (as lrelu_backward, and alpha < 0);
 * LRELU_EOVERLAP (dx partially overlaps y or dy).
 */
LRELU_API int lrelu_backward_from_output(const float *y, const float *dy, float *dx, size_t n,
                                         float alpha);

/*
 * How an out-of-place call writes its output (the `flags` of the _ex
 * functions). Large outputs that cannot stay in the cache are written
 * fastest with streaming (non-temporal) stores, which bypass the cache; for
 * outputs that fit, they are 2-3x slower. LRELU_STORE_AUTO chooses by the
 * size of the call against lrelu_stream_threshold(). A caller that splits
 * one large array into chunks (a thread pool) should choose by the size of
 * the whole array and pass LRELU_STORE_STREAM or LRELU_STORE_CACHED.
 * In-place calls always store through the cache. The results are the same
 * bits whatever the flags.
 */
enum lrelu_flags {
    LRELU_STORE_AUTO = 0,         /* choose by size (what the plain functions do) */
    LRELU_STORE_STREAM = 1u << 0, /* streaming stores where the kernel has them */
    LRELU_STORE_CACHED = 1u << 1  /* always store through the cache */
};

/* lrelu_forward, lrelu_backward and lrelu_backward_from_output with flags.
 * Unknown flag bits, or LRELU_STORE_STREAM together with
 * LRELU_STORE_CACHED, give LRELU_EINVAL. Since 1.1. */
LRELU_API int lrelu_forward_ex(const float *x, float *y, size_t n, float alpha, unsigned flags);
LRELU_API int lrelu_backward_ex(const float *x, const float *dy, float *dx, size_t n, float alpha,
                                unsigned flags);
LRELU_API int lrelu_backward_from_output_ex(const float *y, const float *dy, float *dx, size_t n,
                                            float alpha, unsigned flags);

/*
 * The same three operations on float16, bfloat16 (bit patterns, uint16_t)
 * and float64, with the same arguments, rules and status codes as the
 * float32 functions; alpha is a float for the 16-bit types (they multiply
 * in binary32) and a double for float64. Since 1.2.
 */
LRELU_API int lrelu_forward_f16(const uint16_t *x, uint16_t *y, size_t n, float alpha);
LRELU_API int lrelu_backward_f16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n,
                                 float alpha);
LRELU_API int lrelu_backward_from_output_f16(const uint16_t *y, const uint16_t *dy, uint16_t *dx,
                                             size_t n, float alpha);
LRELU_API int lrelu_forward_bf16(const uint16_t *x, uint16_t *y, size_t n, float alpha);
LRELU_API int lrelu_backward_bf16(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n,
                                  float alpha);
LRELU_API int lrelu_backward_from_output_bf16(const uint16_t *y, const uint16_t *dy, uint16_t *dx,
                                              size_t n, float alpha);
LRELU_API int lrelu_forward_f64(const double *x, double *y, size_t n, double alpha);
LRELU_API int lrelu_backward_f64(const double *x, const double *dy, double *dx, size_t n,
                                 double alpha);
LRELU_API int lrelu_backward_from_output_f64(const double *y, const double *dy, double *dx,
                                             size_t n, double alpha);

/* The same with store flags, as the float32 _ex functions. Since 1.2. */
LRELU_API int lrelu_forward_f16_ex(const uint16_t *x, uint16_t *y, size_t n, float alpha,
                                   unsigned flags);
LRELU_API int lrelu_backward_f16_ex(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n,
                                    float alpha, unsigned flags);
LRELU_API int lrelu_backward_from_output_f16_ex(const uint16_t *y, const uint16_t *dy, uint16_t *dx,
                                                size_t n, float alpha, unsigned flags);
LRELU_API int lrelu_forward_bf16_ex(const uint16_t *x, uint16_t *y, size_t n, float alpha,
                                    unsigned flags);
LRELU_API int lrelu_backward_bf16_ex(const uint16_t *x, const uint16_t *dy, uint16_t *dx, size_t n,
                                     float alpha, unsigned flags);
LRELU_API int lrelu_backward_from_output_bf16_ex(const uint16_t *y, const uint16_t *dy,
                                                 uint16_t *dx, size_t n, float alpha,
                                                 unsigned flags);
LRELU_API int lrelu_forward_f64_ex(const double *x, double *y, size_t n, double alpha,
                                   unsigned flags);
LRELU_API int lrelu_backward_f64_ex(const double *x, const double *dy, double *dx, size_t n,
                                    double alpha, unsigned flags);
LRELU_API int lrelu_backward_from_output_f64_ex(const double *y, const double *dy, double *dx,
                                                size_t n, double alpha, unsigned flags);

/*
 * PReLU, float32: a learnable slope per channel. x, y, dy and dx are
 * viewed as [outer][channels][inner] (element (o, c, i) at
 * (o * channels + c) * inner + i), slope and dslope have `channels`
 * elements:
 *   NCHW: outer = N, channels = C, inner = H * W
 *   NHWC: outer = N * H * W, channels = C, inner = 1
 *   one shared slope: channels = 1
 * (any slope shape that broadcasts over one contiguous block of axes maps
 * to this).
 *
 *   forward:  y = x > 0 ? x : slope[c] * x
 *   backward: dx = x > 0 ? dy : slope[c] * dy
 *             dslope[c] = sum over o and i of (x > 0 ? 0 : x * dy)
 *
 * y and dx as lrelu_forward and lrelu_backward with alpha = slope[c], bit
 * for bit (one binary32 multiply, the same NaN and signed-zero rules).
 * dslope as PyTorch defines it (a NaN x makes its channel's dslope NaN; an
 * infinite x with dy = 0 too, inf * 0 being NaN): every product x * dy is
 * formed exactly in binary64 and summed in binary64 in a fixed order (in
 * blocks of 8192 terms of the channel, taken in (o, i) order; in a block,
 * eight partial sums by term index mod 8, combined as
 * ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)); the blocks' results
 * added in order), then rounded to float once. So dslope has the same bits
 * on every kernel, every machine and for every thread count or pool (a
 * NaN's payload aside); a channel
 * with no nonzero term gives +0, an empty one (outer * inner == 0) too.
 * Its error before the final rounding is below (1026 + blocks) * 2^-53
 * times the sum of |x * dy|.
 *
 * dx or dslope may be NULL (that output is skipped), not both. y == x,
 * dx == x and dx == dy are allowed (in place).
 * Returns LRELU_OK; LRELU_EINVAL (both dx and dslope NULL; a NULL array, or
 * a non-finite slope, when outer * channels * inner > 0; a byte size that
 * does not fit in a size_t or an array that does not fit in the address
 * space); LRELU_EOVERLAP (y or dx partially overlapping x or dy, or
 * overlapping slope; dslope overlapping any other array). On an error
 * nothing is written. With outer * channels * inner == 0 nothing is read,
 * and backward sets dslope (when not NULL) to zeros. Since 1.2.
 */
LRELU_API int lrelu_prelu_forward(const float *x, float *y, const float *slope, size_t outer,
                                  size_t channels, size_t inner);
LRELU_API int lrelu_prelu_backward(const float *x, const float *dy, float *dx, const float *slope,
                                   float *dslope, size_t outer, size_t channels, size_t inner);

/*
 * Quantized Leaky ReLU on int8 (qs8) and uint8 (qu8) arrays, with the
 * fixed-point definition of XNNPACK's qs8-vlrelu / qu8-vlrelu kernels
 * (XNNPACK since 2022), so that the results match theirs bit for bit.
 * (Older XNNPACK releases, Debian 12's among them, compute a table in float
 * arithmetic instead, which differs by one near rounding boundaries.)
 * Since 1.2.
 *
 * The parameters, passed by pointer and only read during the call (never
 * stored). The layout of this struct is part of the ABI from 1.2 on:
 * three floats, then two int32_t, in this order.
 */
typedef struct lrelu_quant {
    float input_scale, output_scale, alpha;
    int32_t input_zero_point, output_zero_point;
} lrelu_quant;

/*
 * The definition. Once per call, in binary32 arithmetic rounded to nearest
 * even (whatever the caller's rounding mode or flush-to-zero setting;
 * computed exactly, raising no floating-point exception):
 *
 *   r  = input_scale / output_scale,   s  = r * alpha
 *   Mp = lrintf(256 * r),              Mn = lrintf(256 * s)
 *
 * then for every element, in integers:
 *
 *   d    = x[i] - input_zero_point
 *   M    = d >= 0 ? Mp : Mn
 *   y[i] = clamp((output_zero_point * 256 + 128 + d * M) >> 8, min, max)
 *
 * with an arithmetic shift (a floor: ties round up) and min, max those of
 * int8_t (-128, 127) or uint8_t (0, 255).
 *
 * Valid parameters, as XNNPACK requires them: input_scale and output_scale
 * finite and > 0 (subnormals included); alpha finite; 2^-8 <= r <= 2^7;
 * 2^-8 <= |s|, s <= 2^7 and s >= -0x1.FFFCp6 (-127.99); both zero points
 * within the element type's range. So alpha = 0 is refused (|s| < 2^-8),
 * as XNNPACK refuses it: a plain ReLU is a clamp. Negative alpha and
 * alpha > 1 are allowed.
 *
 * y == x (in place) is allowed. Returns LRELU_OK; LRELU_EINVAL (q NULL,
 * parameters not valid (whatever n), x or y NULL with n > 0, n too large
 * for the address range); LRELU_EOVERLAP (y partially overlaps x). On an
 * error nothing is written. n == 0 returns LRELU_OK (given valid
 * parameters) and accepts NULL arrays.
 */
LRELU_API int lrelu_forward_qs8(const int8_t *x, int8_t *y, size_t n, const lrelu_quant *q);
LRELU_API int lrelu_forward_qu8(const uint8_t *x, uint8_t *y, size_t n, const lrelu_quant *q);

/*
 * Prepared parameters (since 1.3), for a caller that applies one parameter
 * set many times, as an inference engine applies a layer's: the check and
 * the derivation of Mp and Mn, which the functions above do at every call
 * (each thread keeps the multipliers it derived last, so a call with the
 * scales and alpha of the thread's previous one skips the derivation, but
 * not the checks), done once.
 *
 * lrelu_quant_prepare_qs8 / _qu8 check q as lrelu_forward_qs8 / _qu8 do and
 * fill *prep. Returns LRELU_OK; LRELU_EINVAL (q or prep NULL, parameters
 * not valid), and then *prep is set to a state every prepared call refuses
 * (unless prep is NULL).
 *
 * lrelu_forward_qs8_prepared / _qu8_prepared then give exactly the bits of
 * lrelu_forward_qs8 / _qu8 with those parameters, with the same rules for
 * the arrays, on whichever kernel is active. The struct is opaque and may
 * be copied; it does not depend on the kernel. Each call checks it: one
 * not filled by the prepare function of the same type (the other type's,
 * a zeroed or a failed one) is refused with LRELU_EINVAL whatever n,
 * nothing written. (The check is a tag and the ranges the kernels rely
 * on, so a struct forged to pass it still gives defined results.)
 */
typedef struct lrelu_quant_prepared {
    int32_t opaque[8];
} lrelu_quant_prepared;

LRELU_API int lrelu_quant_prepare_qs8(const lrelu_quant *q, lrelu_quant_prepared *prep);
LRELU_API int lrelu_quant_prepare_qu8(const lrelu_quant *q, lrelu_quant_prepared *prep);
LRELU_API int lrelu_forward_qs8_prepared(const int8_t *x, int8_t *y, size_t n,
                                         const lrelu_quant_prepared *prep);
LRELU_API int lrelu_forward_qu8_prepared(const uint8_t *x, uint8_t *y, size_t n,
                                         const lrelu_quant_prepared *prep);

/* Bytes moved (read + written: twice the element size per element
 * forward, three times backward; 8 and 12 for float32) from which an
 * out-of-place LRELU_STORE_AUTO call uses streaming stores with the active
 * kernel: the size of the largest cache a core reaches, as the CPU
 * reports it at load time. SIZE_MAX when the active kernel has no streaming
 * stores or the cache size is unknown. Since 1.1. PReLU's y and dx follow
 * it for inner >= 1024, and for channels last with up to 2048 channels, but
 * for dx computed in one pass with dslope (one thread; README, Large
 * arrays). */
LRELU_API size_t lrelu_stream_threshold(void);

/*
 * Threads (since 1.2). A call moving enough bytes (read + written, as for
 * streaming; see the README, Threads) can be split into chunks that run on
 * several threads. Each chunk starts on a 64-byte boundary of the output
 * (PReLU's dslope is split by its summation blocks, and its dx comes from
 * them where they begin and end on lines of dx, else in a second pass, by
 * lines), and the store variant
 * (streaming or cached) is chosen once, by the size of the whole call. The
 * results are the same bits whatever the number of threads or the pool.
 * Small calls are never split: they pay one compare.
 *
 * Two engines: OpenMP (when the library is built with it, the default) and
 * a parallel-for the caller hands in, such as an engine's own thread pool.
 * The settings are process-wide, and may change while other threads call:
 * each call runs wholly on the settings it found when it started.
 */

/* One task of a split call: the library's own function, run for each task
 * in [0, count). */
typedef void (*lrelu_task_fn)(void *arg, size_t task);

/* A caller's parallel-for: run task(arg, i) for every i in [0, count), in
 * any order, on any threads (the calling one included), and return when
 * all have finished. pool is the pointer given to lrelu_set_parallel_for. */
typedef void (*lrelu_parallel_for_fn)(void *pool, lrelu_task_fn task, void *arg, size_t count);

/*
 * The number of OpenMP threads a large call may use: 1 never splits (the
 * default, unless the environment variable LRELU_NUM_THREADS, read once at
 * load, says otherwise), 0 means OpenMP's default (all cores, or
 * OMP_NUM_THREADS), n > 1 at most n threads. Ignored while a parallel-for
 * is set. Returns LRELU_OK; LRELU_EINVAL for n > 1024; LRELU_EUNSUPPORTED
 * for any n other than 1 when the library is built without OpenMP (a
 * parallel-for still works there). On error nothing changes.
 */
LRELU_API int lrelu_set_num_threads(size_t n);

/* The number of threads a large call may use without a parallel-for:
 * the setting, with 0 resolved to OpenMP's default for the calling thread;
 * 1 when built without OpenMP. */
LRELU_API size_t lrelu_num_threads(void);

/*
 * Hand liblrelu a parallel-for: from now on every large call is cut into
 * tasks of at least 512 KiB moved each, passed to fn(pool, task, arg,
 * count) with count >= 2, and the library starts no thread of its own
 * (the thread count is then ignored). fn must not return before every
 * task has run; fn and pool must stay valid while any call may use them.
 * NULL goes back to the built-in threads (lrelu_set_num_threads); pool is
 * then ignored. Returns LRELU_OK.
 */
LRELU_API int lrelu_set_parallel_for(lrelu_parallel_for_fn fn, void *pool);

/* Name of the kernel every call uses now: "scalar", "sse2", "avx2",
 * "avx512", "avx512bw", "avx512vbmi" or "neon". Never NULL. */
LRELU_API const char *lrelu_active_kernel(void);

/*
 * Switch every later call, in every thread, to the named kernel (ASCII case
 * is ignored); NULL goes back to the default choice, the best usable kernel.
 * Safe while other threads are calling: each call runs wholly on one kernel.
 * Returns LRELU_OK, or LRELU_EUNSUPPORTED when the name is not one of the
 * usable kernels (see lrelu_kernel_count); the active kernel is then left
 * as it was.
 */
LRELU_API int lrelu_set_kernel(const char *name);

/* Number of kernels usable here: compiled in, supported by the CPU and the
 * operating system, and within the LRELU_MAX_ISA cap. At least 1. */
LRELU_API size_t lrelu_kernel_count(void);

/* Name of usable kernel i: 0 is "scalar", lrelu_kernel_count() - 1 the best
 * (the default). NULL when i >= lrelu_kernel_count(). */
LRELU_API const char *lrelu_kernel_name(size_t i);

/* A static English sentence for a status code; never NULL (an unknown code
 * gives a sentence saying so). */
LRELU_API const char *lrelu_strerror(int status);

/* The library's version, "MAJOR.MINOR.PATCH" (of the library loaded at run
 * time, which may be newer than the header). */
LRELU_API const char *lrelu_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LRELU_H */
