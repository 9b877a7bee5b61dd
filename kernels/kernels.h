/*
 * The kernel interface. Every kernel (one per ISA) provides, for every
 * element type and operation, a function named
 *
 *   lrelu_<op>_<type>_<isa>          stores through the cache
 *   lrelu_<op>_stream_<type>_<isa>   streaming stores past a 64-byte-aligned head
 *                                    (every SIMD kernel; the output must be
 *                                    aligned to its element)
 *
 * with op forward (x -> y) or backward (x, dy -> dx), type f32, f16, bf16 or
 * f64; and lrelu_forward_<qtype>_<isa> for the quantized types qs8 and qu8
 * (below; no streaming variant). alpha arrives as a double: exactly the
 * caller's float for f32, f16 and bf16 (whose kernels multiply in
 * binary32), the caller's double for f64.
 * Arguments are already checked: pointers valid for n elements, alpha
 * finite, an output either equal to an input or disjoint from it. They
 * return 0 (LRELU_OK), so that an entry point can end in a tail call.
 */
#ifndef LRELU_KERNELS_H
#define LRELU_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A value hidden from the optimiser in a register, at no cost. Seeing
 * select(m, dy, a * dy), clang would compute select(m, 1, a) * dy, which
 * quiets a signalling NaN in dy where x > 0 and breaks bit-exactness. */
#if defined(__GNUC__) && defined(LRELU_EMULATE_ISAS)
#define LRELU_HIDE(v) __asm__("" : "+m"(v)) /* any width, on any CPU */
#elif defined(__GNUC__) && defined(__AVX512F__)
#define LRELU_HIDE(v) __asm__("" : "+v"(v))
#elif defined(__GNUC__) && defined(__SSE2__)
#define LRELU_HIDE(v) __asm__("" : "+x"(v))
#elif defined(__GNUC__) && defined(__aarch64__)
#define LRELU_HIDE(v) __asm__("" : "+w"(v))
#else
#define LRELU_HIDE(v) ((void)0)
#endif

/* A library-wide object declared in one file and defined in another:
 * known to the compiler as the library's own, so that the entry points
 * reach it with one RIP-relative load, not through the GOT. */
#if defined(__GNUC__) && !defined(_WIN32)
#define LRELU_LOCAL __attribute__((visibility("hidden")))
#else
#define LRELU_LOCAL
#endif

/* The element types, in the order of the dispatch table (named so that
 * LRELU_TYPE_##type works in the X-macros). */
enum lrelu_type {
    LRELU_TYPE_f32,
    LRELU_TYPE_f16,
    LRELU_TYPE_bf16,
    LRELU_TYPE_f64,
    LRELU_TYPE_COUNT
};

/* The bytes of an element of type t. */
static inline size_t lrelu_type_bytes(enum lrelu_type t)
{
    return t == LRELU_TYPE_f64 ? 8 : t == LRELU_TYPE_f32 ? 4 : 2;
}

/* The bytes a call moves per element of type t, the streaming and
 * splitting thresholds' measure: forward (op 0) reads one and writes one,
 * backward (op 1) reads two and writes one. */
static inline size_t lrelu_moved_bytes(int op, enum lrelu_type t)
{
    return (size_t)(op + 2) * lrelu_type_bytes(t);
}

/* X(type, arg) for every element type, in table order. */
#define LRELU_FOR_TYPES(X, arg) X(f32, arg) X(f16, arg) X(bf16, arg) X(f64, arg)

typedef int (*lrelu_forward_fn)(const void *x, void *y, size_t n, double alpha);

/*
 * Quantized forward, int8 (qs8) and uint8 (qu8), XNNPACK's fixed-point
 * definition: with d = x - input_zero_point and M = d >= 0 ? Mp : Mn,
 *
 *   y = clamp((bias + d * M) >> 8, type min, type max)
 *
 * (arithmetic shift; bias = output_zero_point * 256 + 128). src/lrelu.c
 * checks the parameters and computes the multipliers once per call (or
 * takes the ones it derived last on the thread); the kernels may rely on
 * these ranges: zero points within the type, Mp in
 * [1, 32768], Mn in [-32767, -1] or [1, 32768] (so that -Mp and -Mn fit
 * in int16, and |d * M| < 2^23). A prepared call passes these fields in
 * place in the caller's lrelu_quant_prepared (src/lrelu.c checks that the
 * two layouts agree).
 */
struct lrelu_quant_params {
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t positive_multiplier; /* Mp */
    int32_t negative_multiplier; /* Mn */
};
enum lrelu_qtype { LRELU_QTYPE_qs8, LRELU_QTYPE_qu8, LRELU_QTYPE_COUNT };
#define LRELU_FOR_QTYPES(X, arg) X(qs8, arg) X(qu8, arg)
typedef int (*lrelu_quant_fn)(const void *x, void *y, size_t n, const struct lrelu_quant_params *p);
typedef int (*lrelu_backward_fn)(const void *x, const void *dy, void *dx, size_t n, double alpha);

/*
 * PReLU (float32 only; src/lrelu.c drives them, see its comments):
 *
 *   prelu_forward   y[i] = x[i] > 0 ? x[i] : s[i] * x[i]
 *   prelu_backward  dx[i] = x[i] > 0 ? dy[i] : s[i] * dy[i]
 *     with s[i] = ext[(j + i) mod period], j < period; ext holds
 *     period + 64 readable slopes, ext[k] = ext[k mod period] (so that
 *     four vectors of slopes are loads wherever they start), and
 *     period >= 64; or, when j + n <= period, ext[j, j + n) only (no
 *     slope is read past the last element's).
 *   prelu_forward_blocks, prelu_backward_blocks  y (dx) as forward_f32
 *     (backward_f32) on `blocks` whole channel blocks of `inner` elements,
 *     block b with alpha = slope[b]; inner >= LRELU_PRELU_BLOCKS_MIN (at
 *     least every kernel's float32 lanes).
 *   prelu_dslope    on `blocks` runs of n elements, run b at b * stride with
 *     slope[b] and its eight binary64 partial sums at lanes + 8 * b: dx as
 *     backward with alpha = slope[b] (skipped when dx is NULL), and the
 *     terms t[i] = x[i] > 0 ? 0 : (double)x[i] * dy[i] added to the run's
 *     sums, t[i] to lanes[(phase + i) mod 8], each lane in increasing i.
 *   prelu_dslope_rows  dx as backward (skipped when dx is NULL), and t[i]
 *     added to acc[(j + i) mod period] in increasing i (j < period, period
 *     a multiple of 8); the slopes s[i] = ext[(j + i) mod period], ext
 *     holding period + 16 readable slopes; acc holds
 *     period + 16 doubles (the 16 past the end receive only zero terms);
 *     when j + n <= period, only ext and acc at [j, j + n + 16) are used.
 *     (NHWC: period = 8 * channels, acc = 8 partial sums of each channel;
 *     a tensor of fewer than 8 rows fills only its rows' part of both.)
 *   prelu_dslope_row  one row of n channels, one term each (a tensor of
 *     one outer index and inner = 1): dx as backward with slope[i]
 *     (skipped when dx is NULL), and dslope[i] = (float)(+0 + t[i]), what
 *     the eight sums and the rounding give for one term.
 *   prelu_dslope_cols  rows of n channels (a block's rows of a tensor with
 *     inner = 1), row o at o * stride: dx as backward with slope[i]
 *     (skipped when dx is NULL), and r[i] = the block's result of channel i
 *     (row o's term to partial sum o mod 8, the sums from +0 combined as
 *     ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7))), or, when ds is not
 *     NULL (a tensor of one block), ds[i] = (float)r[i] instead (r unused);
 *     1 <= rows <= 8192. Returns 1; or 0, reading and writing nothing, when
 *     n is below the kernel's float32 lanes (its last group of channels is
 *     the last full vector of each row, overlapping the one before).
 *   prelu_finite    1 if every one of the n slopes is finite, else 0:
 *     decided on the bits (no floating-point operation, no exception),
 *     every slope read whatever the others are (no early exit).
 *
 * Every term is exact (a product of two binary32 values in binary64) and
 * every sum a binary64 addition in the order given: every kernel gives the
 * same partial sums, bit for bit. No partial sum is ever -0 (they start at
 * +0 and a term where x > 0 is +0 * +0), so the zero terms of padding lanes
 * change nothing.
 */
typedef int (*lrelu_prelu_forward_fn)(const float *x, float *y, size_t n, const float *ext,
                                      size_t period, size_t j);
typedef int (*lrelu_prelu_backward_fn)(const float *x, const float *dy, float *dx, size_t n,
                                       const float *ext, size_t period, size_t j);
typedef int (*lrelu_prelu_forward_blocks_fn)(const float *x, float *y, size_t blocks,
                                             const float *slope, size_t inner);
typedef int (*lrelu_prelu_backward_blocks_fn)(const float *x, const float *dy, float *dx,
                                              size_t blocks, const float *slope, size_t inner);
#define LRELU_PRELU_BLOCKS_MIN ((size_t)16)
typedef int (*lrelu_prelu_dslope_fn)(const float *x, const float *dy, float *dx, size_t n,
                                     size_t blocks, size_t stride, const float *slope, size_t phase,
                                     double *lanes);
typedef int (*lrelu_prelu_dslope_rows_fn)(const float *x, const float *dy, float *dx, size_t n,
                                          const float *ext, size_t period, size_t j, double *acc);
typedef int (*lrelu_prelu_dslope_row_fn)(const float *x, const float *dy, float *dx, size_t n,
                                         const float *slope, float *dslope);
typedef int (*lrelu_prelu_dslope_cols_fn)(const float *x, const float *dy, float *dx, size_t rows,
                                          size_t stride, size_t n, const float *slope, double *r,
                                          float *ds);
typedef int (*lrelu_prelu_finite_fn)(const float *slope, size_t n);

/* One kernel's functions, indexed by element type; then the PReLU ones
 * and the quantized ones. The streaming table has the element types',
 * prelu_forward, prelu_backward, prelu_forward_blocks and
 * prelu_backward_blocks (blocks of long runs, each streamed as
 * lrelu_forward_stream's, one fence for all) and prelu_dslope (whose dx it
 * streams: the runs whose dx starts on the alignment of the kernel's group
 * of terms, two vectors of 4 lanes or one of more), NULL for the others. */
struct lrelu_kernel_fns {
    lrelu_forward_fn forward[LRELU_TYPE_COUNT];
    lrelu_backward_fn backward[LRELU_TYPE_COUNT];
    lrelu_prelu_forward_fn prelu_forward;
    lrelu_prelu_backward_fn prelu_backward;
    lrelu_prelu_forward_blocks_fn prelu_forward_blocks;
    lrelu_prelu_backward_blocks_fn prelu_backward_blocks;
    lrelu_prelu_dslope_fn prelu_dslope;
    lrelu_prelu_dslope_rows_fn prelu_dslope_rows;
    lrelu_prelu_dslope_row_fn prelu_dslope_row;
    lrelu_prelu_dslope_cols_fn prelu_dslope_cols;
    lrelu_prelu_finite_fn prelu_finite;
    lrelu_quant_fn forward_q[LRELU_QTYPE_COUNT];
};

#define LRELU_DECLARE_TYPE_(type, isa)                                                             \
    int lrelu_forward_##type##_##isa(const void *x, void *y, size_t n, double alpha);              \
    int lrelu_backward_##type##_##isa(const void *x, const void *dy, void *dx, size_t n,           \
                                      double alpha);                                               \
    int lrelu_forward_stream_##type##_##isa(const void *x, void *y, size_t n, double alpha);       \
    int lrelu_backward_stream_##type##_##isa(const void *x, const void *dy, void *dx, size_t n,    \
                                             double alpha);
#define LRELU_DECLARE_PRELU_(isa)                                                                  \
    int lrelu_prelu_forward_f32_##isa(const float *x, float *y, size_t n, const float *ext,        \
                                      size_t period, size_t j);                                    \
    int lrelu_prelu_backward_f32_##isa(const float *x, const float *dy, float *dx, size_t n,       \
                                       const float *ext, size_t period, size_t j);                 \
    int lrelu_prelu_forward_stream_f32_##isa(const float *x, float *y, size_t n, const float *ext, \
                                             size_t period, size_t j);                             \
    int lrelu_prelu_backward_stream_f32_##isa(const float *x, const float *dy, float *dx,          \
                                              size_t n, const float *ext, size_t period,           \
                                              size_t j);                                           \
    int lrelu_prelu_forward_blocks_f32_##isa(const float *x, float *y, size_t blocks,              \
                                             const float *slope, size_t inner);                    \
    int lrelu_prelu_backward_blocks_f32_##isa(const float *x, const float *dy, float *dx,          \
                                              size_t blocks, const float *slope, size_t inner);    \
    int lrelu_prelu_forward_blocks_stream_f32_##isa(const float *x, float *y, size_t blocks,       \
                                                    const float *slope, size_t inner);             \
    int lrelu_prelu_backward_blocks_stream_f32_##isa(const float *x, const float *dy, float *dx,   \
                                                     size_t blocks, const float *slope,            \
                                                     size_t inner);                                \
    int lrelu_prelu_dslope_f32_##isa(const float *x, const float *dy, float *dx, size_t n,         \
                                     size_t blocks, size_t stride, const float *slope,             \
                                     size_t phase, double *lanes);                                 \
    int lrelu_prelu_dslope_stream_f32_##isa(const float *x, const float *dy, float *dx, size_t n,  \
                                            size_t blocks, size_t stride, const float *slope,      \
                                            size_t phase, double *lanes);                          \
    int lrelu_prelu_dslope_rows_f32_##isa(const float *x, const float *dy, float *dx, size_t n,    \
                                          const float *ext, size_t period, size_t j, double *acc); \
    int lrelu_prelu_dslope_row_f32_##isa(const float *x, const float *dy, float *dx, size_t n,     \
                                         const float *slope, float *dslope);                       \
    int lrelu_prelu_dslope_cols_f32_##isa(const float *x, const float *dy, float *dx, size_t rows, \
                                          size_t stride, size_t n, const float *slope, double *r,  \
                                          float *ds);                                              \
    int lrelu_prelu_finite_f32_##isa(const float *slope, size_t n);
#define LRELU_DECLARE_QTYPE_(qtype, isa)                                                           \
    int lrelu_forward_##qtype##_##isa(const void *x, void *y, size_t n,                            \
                                      const struct lrelu_quant_params *p);
#define LRELU_DECLARE_KERNEL(isa)                                                                  \
    LRELU_FOR_TYPES(LRELU_DECLARE_TYPE_, isa)                                                      \
    LRELU_DECLARE_PRELU_(isa) LRELU_FOR_QTYPES(LRELU_DECLARE_QTYPE_, isa)

/*
 * Whether a 64-byte AVX-512 masked load from p of `bytes` bytes (the
 * others masked off) would reach into the next 4 KiB page with masked-off
 * lanes only. Such a load costs about 200 ns on Zen 5, even with the page
 * mapped (measured: forward of 1024 floats from a page-aligned x, whose
 * tail's masked load ends on the page boundary: 225 ns a call, 48 ns
 * without that load); a masked load whose own bytes cross the page, or a
 * masked store, costs no more than others. The AVX-512 kernels load such a
 * part from the 64 bytes that end with it instead. (Computed without a
 * branch.)
 */
static inline int lrelu_masked_crossing(const void *p, size_t bytes)
{
    const size_t in_page = (uintptr_t)p & 4095u;
    return (in_page > 4096u - 64u) & (in_page + bytes <= 4096u);
}

/* Unaligned 16-, 32- and 64-bit moves between memory and a general
 * register: the pieces of the SIMD kernels' tails (a vector load of a
 * buffer just written in pieces would wait for the pieces to reach the
 * cache). */
static inline uint16_t lrelu_get16(const void *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint32_t lrelu_get32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint64_t lrelu_get64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void lrelu_put16(void *p, uint16_t v) { memcpy(p, &v, sizeof v); }
static inline void lrelu_put32(void *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static inline void lrelu_put64(void *p, uint64_t v) { memcpy(p, &v, sizeof v); }

/* Every kernel of every architecture (a build defines those it compiles). */
#define LRELU_ALL_ISAS(X) X(scalar) X(sse2) X(avx2) X(avx512) X(neon)

LRELU_ALL_ISAS(LRELU_DECLARE_KERNEL)

/* Levels that upgrade the one below them in some functions only: the
 * quantized functions of AVX-512BW (the 16-bit arithmetic on 512 bits) and
 * of AVX-512 VBMI (table lookups). VBMI's use the table from
 * LRELU_VBMI_MIN_N elements on, AVX-512BW's arithmetic below: a call
 * through the table (about 5 ns more to build it on Zen 5, then about
 * 0.008 ns per byte in L1) and one through the arithmetic (0.017 ns per
 * byte) take the same time at about 600 elements. */
LRELU_FOR_QTYPES(LRELU_DECLARE_QTYPE_, avx512bw)
LRELU_FOR_QTYPES(LRELU_DECLARE_QTYPE_, avx512vbmi)
/* And the bfloat16 functions of AVX-512BW (16-bit rounding and packing),
 * which the avx512vbmi level runs too. */
LRELU_DECLARE_TYPE_(bf16, avx512bw)
#ifndef LRELU_VBMI_MIN_N
#define LRELU_VBMI_MIN_N 640
#endif

/* The initialisers of a kernel's function tables, plain and streaming. A
 * level may take some functions from another kernel (dav1d-style, one
 * table built on the one below): LRELU_KERNEL_FNS_UP(isa, bisa, qisa) is
 * kernel isa's table with the bfloat16 functions of kernel bisa and the
 * quantized ones of qisa. */
#define LRELU_ISA_OF_f32(isa, bisa)  isa
#define LRELU_ISA_OF_f16(isa, bisa)  isa
#define LRELU_ISA_OF_bf16(isa, bisa) bisa
#define LRELU_ISA_OF_f64(isa, bisa)  isa
#define LRELU_FN_(fn, type, isa)     LRELU_FN2_(fn, type, isa)
#define LRELU_FN2_(fn, type, isa)    fn##_##type##_##isa
#define LRELU_FWD_(type, isas)       LRELU_FN_(lrelu_forward, type, LRELU_ISA_OF_##type isas),
#define LRELU_BWD_(type, isas)       LRELU_FN_(lrelu_backward, type, LRELU_ISA_OF_##type isas),
#define LRELU_FWD_STREAM_(type, isas)                                                              \
    LRELU_FN_(lrelu_forward_stream, type, LRELU_ISA_OF_##type isas),
#define LRELU_BWD_STREAM_(type, isas)                                                              \
    LRELU_FN_(lrelu_backward_stream, type, LRELU_ISA_OF_##type isas),
#define LRELU_FWD_Q_(qtype, isa) lrelu_forward_##qtype##_##isa,
#define LRELU_KERNEL_FNS(isa)    LRELU_KERNEL_FNS_UP(isa, isa, isa)
#define LRELU_KERNEL_FNS_UP(isa, bisa, qisa)                                                       \
    {                                                                                              \
        {LRELU_FOR_TYPES(LRELU_FWD_, (isa, bisa))}, {LRELU_FOR_TYPES(LRELU_BWD_, (isa, bisa))},    \
            lrelu_prelu_forward_f32_##isa, lrelu_prelu_backward_f32_##isa,                         \
            lrelu_prelu_forward_blocks_f32_##isa, lrelu_prelu_backward_blocks_f32_##isa,           \
            lrelu_prelu_dslope_f32_##isa, lrelu_prelu_dslope_rows_f32_##isa,                       \
            lrelu_prelu_dslope_row_f32_##isa, lrelu_prelu_dslope_cols_f32_##isa,                   \
            lrelu_prelu_finite_f32_##isa,                                                          \
        {                                                                                          \
            LRELU_FOR_QTYPES(LRELU_FWD_Q_, qisa)                                                   \
        }                                                                                          \
    }
#define LRELU_KERNEL_STREAM_FNS(isa) LRELU_KERNEL_STREAM_FNS_UP(isa, isa)
#define LRELU_KERNEL_STREAM_FNS_UP(isa, bisa)                                                      \
    {                                                                                              \
        {LRELU_FOR_TYPES(LRELU_FWD_STREAM_, (isa, bisa))},                                         \
            {LRELU_FOR_TYPES(LRELU_BWD_STREAM_, (isa, bisa))},                                     \
            lrelu_prelu_forward_stream_f32_##isa, lrelu_prelu_backward_stream_f32_##isa,           \
            lrelu_prelu_forward_blocks_stream_f32_##isa,                                           \
            lrelu_prelu_backward_blocks_stream_f32_##isa, lrelu_prelu_dslope_stream_f32_##isa,     \
            NULL, NULL, NULL, NULL,                                                                \
        {                                                                                          \
            NULL                                                                                   \
        }                                                                                          \
    }

#endif /* LRELU_KERNELS_H */
