// liblrelu's benchmark suite: every usable kernel, the memory limit and the
// peers, side by side, in one run of Google Benchmark.
//
// Names are <op>/<impl>/<n>, for float32; the other types add _f16, _bf16,
// _f64, _qs8 or _qu8 to the op (forward_f16/lrelu:avx2/1024), n counting
// elements of the type. The quantized types (int8 and uint8, qs8 and qu8)
// have forward rows only (and tiny calls on the dispatched kernel), with
// one fixed parameter set (kQuant), against
// memcpy of the same bytes (one row for both, under the first quantized
// type of the run) and XNNPACK's qu8 operator, at the in-cache sizes and
// the largest (quant_size). op is forward, forward_inplace, backward,
// backward_from_output, tiny_forward, forward_misaligned and
// backward_misaligned (float32 on the dispatched kernel, in cache: x, dy and
// the output 16, 32 and 48 bytes past a 64-byte line, as malloc may give
// them), or one of the data-independence ops:
// forward_positive and backward_positive (the same magnitudes as the random
// input, every sign positive), forward_subnormal and backward_subnormal
// (every product with alpha subnormal). impl is lrelu:<kernel>,
// limit:<loop> or peer:<name>, and for the quantized types also
// lrelu_prepared:<kernel> (the dispatched kernel through parameters
// prepared once per run, forward and tiny_forward, as the one-shot row of
// that kernel); a type's limits move the same bytes as its
// rows. Throughput counts bytes read + written (forward 2 elements' bytes
// per element, backward 3: float32 8 and 12).
//
// Inputs that fit in the cache change between iterations: each timed
// iteration is a batch of calls on `calls` arrays (as many as fill half the
// cache level that one call's arrays fit in), whose signs were drawn afresh
// outside the timed region, so no figure rests on a sign pattern that the
// branch predictor has learned. Larger inputs (over kFreshMax elements: more
// branches than any predictor holds) are one array, timed call after call.
//
// Each benchmark's code is checked against the scalar reference afterwards,
// with the kernel it was timed on still active: `mismatches` counts the
// elements that differ on the benchmark input (all of it up to 128 Ki
// elements, else its first and last 64 Ki: `checked_elements`), `special_mismatches` on an
// array of special values (subnormal products, signed zeros, infinities,
// NaN).
//
// Own flags (everything else goes to Google Benchmark):
//   --sizes=N,N,...   array lengths (default 1Ki,16Ki,256Ki,4Mi,64Mi)
//   --tiny=N,N,...    lengths for the per-call cost (default 1,8,16,64)
//   --types=T,T,...   element types (default f32,f16,bf16,f64,qs8,qu8)
//   --smoke           tiny lengths and one iteration each: checks that it runs
//   --no-pin          leave the process free to move between CPUs; by
//                     default the single-threaded rows run on the first CPU
//                     the process may use (sched_setaffinity), so that every
//                     ratio of a run compares rows timed on one CPU, the same
//                     one from run to run (the threads rows run on all CPUs)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fresh.h"
#include "limit_loops.h"
#include "lrelu.h"
#include "naive.h"
#include "peers.h"
#include "prelu.h"

namespace
{

const double kAlpha = 0.01;

// Inputs longer than this are timed on one array: a sign pattern of more
// than a million branches is beyond what any branch predictor holds, and
// refreshing it would cost more than the call.
const size_t kFreshMax = size_t(1) << 20;

// The benchmark input is checked at both ends of an array longer than
// twice this: the scalar reference converts float16 one element at a time.
const size_t kCheckEnds = size_t(64) << 10;

// Element types: float32 (the names carry no type), float16 and bfloat16
// (bit patterns in uint16_t; alpha a float), float64 (alpha a double) and
// the quantized int8 and uint8 (forward only; their parameters are
// kQuant's, not alpha). A new type gets an entry here, its conversions in
// to_bits/is_nan, its special values and its entry points in lrelu_fn.
enum class DType { F32, F16, BF16, F64, QS8, QU8 };
struct TypeInfo {
    const char *name;   // as in the report
    const char *suffix; // appended to the op in benchmark names
    size_t bytes;
    uint32_t sign_mask; // the sign bits of the 32-bit words the elements fill
};
const TypeInfo kTypes[] = {{"float32", "", 4, 0x80000000u},
                           {"float16", "_f16", 2, 0x80008000u},
                           {"bfloat16", "_bf16", 2, 0x80008000u},
                           // The low word's bit 31 (a mantissa bit) goes
                           // with the sign: the magnitudes move by less
                           // than 2^-20 of themselves.
                           {"float64", "_f64", 8, 0x80000000u},
                           // Bytes: a magnitude in the low 7 bits, the top
                           // bit as the "sign" (see Arena::init).
                           {"int8", "_qs8", 1, 0x80808080u},
                           {"uint8", "_qu8", 1, 0x80808080u}};
const DType kAllTypes[] = {DType::F32, DType::F16, DType::BF16, DType::F64, DType::QS8, DType::QU8};
const size_t kTypeCount = sizeof kAllTypes / sizeof kAllTypes[0];
const TypeInfo &tinfo(DType t) { return kTypes[(int)t]; }
bool is_quant(DType t) { return t == DType::QS8 || t == DType::QU8; }

// The quantized rows' parameters (lrelu_quant: input_scale, output_scale,
// alpha, input_zero_point, output_zero_point): r = 0.5 / 0.25 = 2 and
// s = r * alpha = 0.2, inside the valid range (2^-8 <= r <= 2^7,
// 2^-8 <= |s| <= 2^7), so Mp = 512 and Mn = lrintf(51.2) = 51; and inside
// what Debian's XNNPACK accepts (alpha in (0, 1], r < 2^8).
const lrelu_quant kQuantQs8 = {0.5f, 0.25f, 0.1f, 3, -5};
const lrelu_quant kQuantQu8 = {0.5f, 0.25f, 0.1f, 128, 120};

// What an op computes, on which signs.
enum class Kind { Forward, Backward, BackwardFromOutput };
enum class Signs { Random, Positive, Negative };
struct OpInfo {
    const char *name;
    Kind kind;
    bool in_place;
    Signs signs;
    bool tiny_values; // magnitudes whose products with alpha are subnormal
    bool misaligned;  // x, dy and the output 16, 32, 48 bytes past a line
};

enum class Op {
    Forward,
    ForwardInPlace,
    Backward,
    BackwardFromOutput,
    ForwardPositive,
    ForwardSubnormal,
    BackwardPositive,
    BackwardSubnormal,
    TinyForward,
    ForwardMisaligned,
    BackwardMisaligned,
};
const OpInfo kOps[] = {
    {"forward", Kind::Forward, false, Signs::Random, false, false},
    {"forward_inplace", Kind::Forward, true, Signs::Random, false, false},
    {"backward", Kind::Backward, false, Signs::Random, false, false},
    {"backward_from_output", Kind::BackwardFromOutput, false, Signs::Random, false, false},
    {"forward_positive", Kind::Forward, false, Signs::Positive, false, false},
    {"forward_subnormal", Kind::Forward, false, Signs::Negative, true, false},
    {"backward_positive", Kind::Backward, false, Signs::Positive, false, false},
    {"backward_subnormal", Kind::Backward, false, Signs::Negative, true, false},
    {"tiny_forward", Kind::Forward, false, Signs::Random, false, false},
    {"forward_misaligned", Kind::Forward, false, Signs::Random, false, true},
    {"backward_misaligned", Kind::Backward, false, Signs::Random, false, true},
};
const OpInfo &info(Op op) { return kOps[(int)op]; }

size_t bytes_per_element(Op op, DType type)
{
    return (info(op).kind == Kind::Forward ? 2 : 3) * tinfo(type).bytes;
}

} // namespace

// Aligned arrays as long as the largest size (and 64 bytes more: the
// fresh-sign maker works in 32-bit words), touched before timing. Large
// arrays are 2 MiB-aligned and asked for transparent huge pages, as NumPy
// does for its arrays: the C and the Python peers then run on the same kind
// of memory. The PReLU rows' arrays too (prelu.h).
unsigned char *alloc_bytes(size_t bytes)
{
    const size_t huge = size_t(2) << 20;
    bytes += 64;
    void *p = nullptr;
    if (posix_memalign(&p, bytes >= 2 * huge ? huge : 64, bytes) != 0) {
        std::fprintf(stderr, "bench: out of memory for %zu bytes\n", bytes);
        std::exit(1);
    }
#ifdef MADV_HUGEPAGE
    if (bytes >= 2 * huge)
        madvise(p, bytes, MADV_HUGEPAGE);
#endif
    std::memset(p, 0, bytes);
    return static_cast<unsigned char *>(p);
}

namespace
{

using Bytes = Owned<unsigned char>;

// The bits of v in type t, rounded to nearest even.
uint64_t to_bits(DType t, double v)
{
    const float f = (float)v;
    uint32_t u;
    std::memcpy(&u, &f, 4);
    switch (t) {
    case DType::F32:
        return u;
    case DType::F64: {
        uint64_t d;
        std::memcpy(&d, &v, 8);
        return d;
    }
    case DType::BF16:
        if ((u & 0x7fffffffu) > 0x7f800000u)
            return (u >> 16) | 0x40;
        return (u + 0x7fffu + ((u >> 16) & 1)) >> 16;
    case DType::QS8:
    case DType::QU8: // not used: the quantized inputs are drawn as bytes
        return (uint64_t)(int64_t)v & 0xffu;
    case DType::F16:
        break;
    }
    const uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
    if (a > 0x7f800000u)
        return sign | 0x7e00u;
    if (a >= 0x477ff000u) // rounds to 65536 or more
        return sign | 0x7c00u;
    if (a >= 0x38800000u) { // normal in float16
        const uint32_t b = a - (112u << 23);
        return sign | ((b + 0xfffu + ((b >> 13) & 1)) >> 13);
    }
    // Subnormal in float16: units of 2^-24 (exact scaling), rounded to even.
    return sign | (uint32_t)std::nearbyint(std::fabs(f) * 16777216.0f);
}

uint64_t load_bits(DType t, const void *p, size_t i)
{
    const unsigned char *b = static_cast<const unsigned char *>(p) + i * tinfo(t).bytes;
    uint64_t v = 0;
    std::memcpy(&v, b, tinfo(t).bytes); // little-endian hosts
    return v;
}

void store_bits(DType t, void *p, size_t i, uint64_t v)
{
    std::memcpy(static_cast<unsigned char *>(p) + i * tinfo(t).bytes, &v, tinfo(t).bytes);
}

bool is_nan(DType t, uint64_t b)
{
    switch (t) {
    case DType::F32:
        return (b & 0x7fffffffu) > 0x7f800000u;
    case DType::F16:
        return (b & 0x7fffu) > 0x7c00u;
    case DType::BF16:
        return (b & 0x7fffu) > 0x7f80u;
    case DType::QS8:
    case DType::QU8:
        return false;
    case DType::F64:
        break;
    }
    return (b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}

// liblrelu's entry point for a type and kind, through one signature.
using LreluFn = void (*)(const void *in, const void *dy, void *out, size_t n, double alpha);

// A refused quantized call would leave the output as it was: it ends the
// run instead. The function's name is fn, the type's suffix, then after.
void quant_ok(int st, const char *fn, DType t, const char *after = "")
{
    if (st == LRELU_OK)
        return;
    std::fprintf(stderr, "bench: %s%s%s failed: %s\n", fn, tinfo(t).suffix + 1, after,
                 lrelu_strerror(st));
    std::exit(1);
}

// The quantized forward with kQuant's parameters (alpha unused).
void lrelu_quant_forward(DType t, const void *in, void *out, size_t n)
{
    quant_ok(t == DType::QS8 ? lrelu_forward_qs8(static_cast<const int8_t *>(in),
                                                 static_cast<int8_t *>(out), n, &kQuantQs8)
                             : lrelu_forward_qu8(static_cast<const uint8_t *>(in),
                                                 static_cast<uint8_t *>(out), n, &kQuantQu8),
             "lrelu_forward_", t);
}

template <DType T, Kind K>
void lrelu_typed(const void *in, const void *dy, void *out, size_t n, double alpha)
{
    using U16 = uint16_t;
    const float a = (float)alpha;
    auto f = [](const void *p) { return static_cast<const float *>(p); };
    auto h = [](const void *p) { return static_cast<const U16 *>(p); };
    auto d = [](const void *p) { return static_cast<const double *>(p); };
    float *fo = static_cast<float *>(out);
    U16 *ho = static_cast<U16 *>(out);
    double *dout = static_cast<double *>(out);
    if (T == DType::F32) {
        if (K == Kind::Forward)
            lrelu_forward(f(in), fo, n, a);
        else if (K == Kind::Backward)
            lrelu_backward(f(in), f(dy), fo, n, a);
        else
            lrelu_backward_from_output(f(in), f(dy), fo, n, a);
    } else if (T == DType::F16) {
        if (K == Kind::Forward)
            lrelu_forward_f16(h(in), ho, n, a);
        else if (K == Kind::Backward)
            lrelu_backward_f16(h(in), h(dy), ho, n, a);
        else
            lrelu_backward_from_output_f16(h(in), h(dy), ho, n, a);
    } else if (T == DType::BF16) {
        if (K == Kind::Forward)
            lrelu_forward_bf16(h(in), ho, n, a);
        else if (K == Kind::Backward)
            lrelu_backward_bf16(h(in), h(dy), ho, n, a);
        else
            lrelu_backward_from_output_bf16(h(in), h(dy), ho, n, a);
    } else if (T == DType::QS8 || T == DType::QU8) {
        lrelu_quant_forward(T, in, out, n); // forward only: every kind is the forward
    } else {
        if (K == Kind::Forward)
            lrelu_forward_f64(d(in), dout, n, alpha);
        else if (K == Kind::Backward)
            lrelu_backward_f64(d(in), d(dy), dout, n, alpha);
        else
            lrelu_backward_from_output_f64(d(in), d(dy), dout, n, alpha);
    }
}

// f(std::integral_constant<Kind, K>()) for the kind K that k names.
template <typename F> auto with_kind(Kind k, F f)
{
    if (k == Kind::Forward)
        return f(std::integral_constant<Kind, Kind::Forward>());
    if (k == Kind::Backward)
        return f(std::integral_constant<Kind, Kind::Backward>());
    return f(std::integral_constant<Kind, Kind::BackwardFromOutput>());
}

template <DType T> LreluFn lrelu_fn_of(Kind k)
{
    return with_kind(k, [](auto c) -> LreluFn { return lrelu_typed<T, decltype(c)::value>; });
}

// f(std::integral_constant<DType, T>()) for the type T that t names: one
// switch for everything templated on the type.
template <typename F> auto with_type(DType t, F f)
{
    switch (t) {
    case DType::F32:
        return f(std::integral_constant<DType, DType::F32>());
    case DType::F16:
        return f(std::integral_constant<DType, DType::F16>());
    case DType::BF16:
        return f(std::integral_constant<DType, DType::BF16>());
    case DType::QS8:
        return f(std::integral_constant<DType, DType::QS8>());
    case DType::QU8:
        return f(std::integral_constant<DType, DType::QU8>());
    case DType::F64:
        break;
    }
    return f(std::integral_constant<DType, DType::F64>());
}

LreluFn lrelu_fn(DType t, Kind k)
{
    return with_type(t, [k](auto c) { return lrelu_fn_of<decltype(c)::value>(k); });
}

} // namespace

// The level whose float32 functions (and PReLU, float16, float64) kernel
// `k` runs: avx512bw and avx512vbmi upgrade only the quantized and bfloat16
// functions of avx512, so their float32 rows would time avx512's functions
// again.
std::string float_level(const std::string &k)
{
    return k == "avx512bw" || k == "avx512vbmi" ? "avx512" : k;
}

namespace
{

// The level whose functions of type t kernel `k` runs (src/dispatch.c):
// its own quantized ones, avx512bw's bfloat16 ones from that level up.
std::string type_level(const std::string &k, DType t)
{
    if (is_quant(t))
        return k;
    if (t == DType::BF16 && (k == "avx512bw" || k == "avx512vbmi"))
        return "avx512bw";
    return float_level(k);
}

// The reference for kind on (in, dy): the library's scalar kernel. The
// kernel active before is active again afterwards, so that whatever runs
// next runs on the kernel it was meant to.
void reference(DType t, Kind kind, const void *in, const void *dy, void *out, size_t n)
{
    const char *active = lrelu_active_kernel();
    lrelu_set_kernel("scalar");
    lrelu_fn(t, kind)(in, dy, out, n, kAlpha);
    lrelu_set_kernel(active);
}

// The benchmark inputs of one type: x (random normal), xpos = |x| (the same
// magnitudes, every sign positive), dy (random normal), xs (tiny
// negatives: every product with alpha is subnormal in the type), fy =
// forward(x); an output and the reference (of the elements checked).
// float32's values are drawn,
// the other types' converted from them (float64's have float32's
// mantissas: the limit loops, which add words as float32, then see no
// subnormals). The quantized types' bytes are drawn as a magnitude 1..127
// (xpos) and a random top bit, as the floats' magnitude and sign: uniform
// over every byte but 0 and 0x80 (which only the special values have);
// they have no dy and no tiny values (dy and xs are x).
struct Arena {
    DType type = DType::F32;
    size_t cap = 0;
    unsigned char *x, *xpos, *dy, *xs, *fy, *out, *ref;
    void init(DType t, size_t n, const Arena *from)
    {
        type = t;
        cap = n;
        const size_t bytes = n * tinfo(t).bytes;
        if (is_quant(t)) {
            for (unsigned char **p : {&x, &xpos, &fy, &out, &ref})
                *p = alloc_bytes(bytes);
            dy = xs = x;
            uint64_t state = 0x71756e74ull + (uint64_t)t; // splitmix64
            for (size_t i = 0; i < n; i += 4) {
                uint64_t z = (state += 0x9e3779b97f4a7c15ull);
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
                z ^= z >> 31;
                for (size_t k = i; k < i + 4 && k < n; k++, z >>= 16) {
                    xpos[k] = (unsigned char)(1 + (z & 0x7fff) % 127);
                    x[k] = (unsigned char)(xpos[k] | ((z >> 8) & 0x80));
                }
            }
            lrelu_fn(t, Kind::Forward)(x, nullptr, fy, n, kAlpha);
            return;
        }
        for (unsigned char **p : {&x, &xpos, &dy, &xs, &fy, &out, &ref})
            *p = alloc_bytes(bytes);
        if (from == nullptr) {
            std::mt19937 rng(12345);
            std::normal_distribution<float> normal(0.0f, 1.0f);
            std::uniform_real_distribution<float> uniform(1.0f, 9.0f);
            float *fx = (float *)x, *fp = (float *)xpos, *fd = (float *)dy, *fs = (float *)xs;
            for (size_t i = 0; i < n; i++) {
                fx[i] = normal(rng);
                fp[i] = std::fabs(fx[i]);
                fd[i] = normal(rng);
                fs[i] = -1e-37f * uniform(rng); /* times 0.01: below FLT_MIN */
            }
        } else {
            const float *fx = (const float *)from->x, *fd = (const float *)from->dy,
                        *fs = (const float *)from->xs;
            for (size_t i = 0; i < n; i++) {
                const double u = fs[i] / -1e-37f; // in [1, 9)
                // Tiny negatives whose products with 0.01 are subnormal:
                // float16's below 2^-14, float64's below 2^-1022.
                const double tiny = t == DType::F16   ? -5e-4 * u
                                    : t == DType::F64 ? std::ldexp(-(double)(float)u, -1020)
                                                      : fs[i];
                store_bits(t, x, i, to_bits(t, fx[i]));
                store_bits(t, xpos, i, to_bits(t, std::fabs(fx[i])));
                store_bits(t, dy, i, to_bits(t, fd[i]));
                store_bits(t, xs, i, to_bits(t, tiny));
            }
        }
        // An input, not a result under test: the dispatched kernel (which
        // the tests prove exact) makes it; the scalar one would take
        // seconds for a large float16 array.
        lrelu_fn(t, Kind::Forward)(x, nullptr, fy, n, kAlpha);
    }
    // The benchmark input of op (the first n elements), and its dy.
    const unsigned char *input(Op op) const
    {
        const OpInfo &o = info(op);
        if (o.kind == Kind::BackwardFromOutput)
            return fy;
        return o.signs == Signs::Random ? x : o.signs == Signs::Positive ? xpos : xs;
    }
    const unsigned char *grad(Op op) const { return info(op).tiny_values ? xs : dy; }
    // What fresh inputs of op are made from: magnitudes (or, for negative
    // signs, the values themselves) and the masks for fresh_signs.
    const unsigned char *magnitudes(Op op) const { return info(op).tiny_values ? xs : xpos; }
} arenas[kTypeCount];

Arena &arena_of(DType t) { return arenas[(int)t]; }

// Special values, repeated to 64 elements: products that are subnormal (and
// that round to zero), subnormal inputs, signed zeros, infinities, quiet
// and signalling NaNs, large values (for the quantized types: the ends of
// the type, the zero point, the saturations); with the reference of each
// kind, made once per type.
struct Special {
    static const size_t kLen = 64;
    DType type = DType::F32;
    uint64_t x[kLen], dy[kLen], fy[kLen], ref[3][kLen]; // elements packed from the start
    void init(DType t)
    {
        type = t;
        std::vector<uint64_t> v;
        switch (t) {
        case DType::F32:
            // -1e-37 and -3e-38 (products below FLT_MIN), the subnormals
            // -1e-40 and 1e-40, signed zeros, infinities, NaN, signalling
            // NaN, 1e30, -1e30, 3, -3, -1e-36, the smallest negative
            // subnormal (product rounds to -0), -NaN.
            v = {to_bits(t, -1e-37), to_bits(t, -3e-38), to_bits(t, -1e-40), to_bits(t, 1e-40),
                 0x80000000u,        0x00000000u,        0x7F800000u,        0xFF800000u,
                 0x7FC00000u,        0x7F800001u,        to_bits(t, 1e30),   to_bits(t, -1e30),
                 to_bits(t, 3.0),    to_bits(t, -3.0),   to_bits(t, -1e-36), 0x80000001u,
                 0xFFC00000u};
            break;
        case DType::BF16:
            // The same values as float32 where bfloat16 has them.
            v = {to_bits(t, -1e-37),
                 to_bits(t, -3e-38),
                 0x8001,
                 0x0001,
                 0x8000,
                 0x0000,
                 0x7F80,
                 0xFF80,
                 0x7FC0,
                 0x7F81,
                 to_bits(t, 1e30),
                 to_bits(t, -1e30),
                 0x4040,
                 0xC040,
                 to_bits(t, -1e-36),
                 0x807F,
                 0xFFC0};
            break;
        case DType::F16:
            // -1e-3 and -4e-3 (products below 2^-14), -1e-5 and 1e-5
            // (subnormal), signed zeros, infinities, NaN, signalling NaN,
            // 65504, -65504, 3, -3, -6e-3, the smallest negative subnormal
            // (product rounds to -0), -NaN.
            v = {to_bits(t, -1e-3),
                 to_bits(t, -4e-3),
                 to_bits(t, -1e-5),
                 to_bits(t, 1e-5),
                 0x8000,
                 0x0000,
                 0x7C00,
                 0xFC00,
                 0x7E00,
                 0x7D00,
                 0x7BFF,
                 0xFBFF,
                 0x4200,
                 0xC200,
                 to_bits(t, -6e-3),
                 0x8001,
                 0xFE00};
            break;
        case DType::QS8:
            // kQuantQs8 (zero points 3, -5; y = 2 d - 5 for d >= 0): the
            // ends of the type, 0 and -128 (bytes the random input never
            // has), the zero point and its neighbours, where the output
            // saturates at 127 (from x = 69 on), the largest negative d.
            for (int b : {-128, -127, -126, -100, -64, -31, -2, -1, 0,  1,   2,   3,
                          4,    5,    6,    33,   64,  67,  68, 69, 70, 100, 126, 127})
                v.push_back((uint64_t)(uint8_t)(int8_t)b);
            break;
        case DType::QU8:
            // kQuantQu8 (zero points 128, 120): the same, saturating at 255
            // from x = 196 on.
            for (int b : {0,   1,   2,   50,  100, 126, 127, 128, 129, 130,
                          131, 150, 180, 194, 195, 196, 197, 200, 254, 255})
                v.push_back((uint64_t)b);
            break;
        case DType::F64:
            v = {to_bits(t, -1e-307),   to_bits(t, -3e-308),   to_bits(t, -1e-310),
                 to_bits(t, 1e-310),    0x8000000000000000ull, 0,
                 0x7FF0000000000000ull, 0xFFF0000000000000ull, 0x7FF8000000000000ull,
                 0x7FF0000000000001ull, to_bits(t, 1e300),     to_bits(t, -1e300),
                 to_bits(t, 3.0),       to_bits(t, -3.0),      to_bits(t, -1e-306),
                 0x8000000000000001ull, 0xFFF8000000000000ull};
            break;
        }
        const size_t nv = v.size();
        for (size_t i = 0; i < kLen; i++) {
            store_bits(t, x, i, v[i % nv]);
            store_bits(t, dy, i, v[(i * 5 + 3) % nv]);
        }
        reference(t, Kind::Forward, x, nullptr, fy, kLen);
        for (Kind k : {Kind::Forward, Kind::Backward, Kind::BackwardFromOutput})
            if (k == Kind::Forward || !is_quant(t))
                reference(t, k, input(k), dy, ref[(int)k], kLen);
    }
    const void *input(Kind kind) const { return kind == Kind::BackwardFromOutput ? fy : x; }
} specials[kTypeCount];

size_t mismatches(DType t, const void *got, const void *want, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t g = load_bits(t, got, i), w = load_bits(t, want, i);
        bad += g != w && !(is_nan(t, g) && is_nan(t, w));
    }
    return bad;
}

// One call of the code under test. `slot` tells which of a benchmark's
// arrays the call is on (a peer sets up one call per set of arrays).
struct Call {
    size_t slot;
    const void *in, *dy;
    void *out;
    size_t n; // elements of the row's type
    double alpha;
};
using Caller = std::function<void(const Call &)>;

// A row of the benchmark: one implementation of one op on one type, timed
// at every size of its op. `make` gives a fresh caller for each run (peers
// keep the calls they set up in it); `kernel` is the liblrelu kernel made
// active for the run; `checked` compares the output with the reference.
struct Row {
    DType type;
    Op op;
    std::string impl;
    std::string kernel;
    std::function<Caller()> make;
    bool checked;
    // lrelu_set_num_threads(threads) around the run (0: the library's
    // setting untouched).
    size_t threads = 0;
    // A threads row (lrelu's, or a limit's copy by several threads): only
    // at the largest size, and on every CPU however the run is pinned.
    bool threads_row = false;
    mutable std::map<size_t, std::pair<double, double>> checks = {}; // n: the counts
};

// The cache levels a core's data goes through, smallest first, and where a
// benchmark's arrays fit.
std::vector<size_t> caches;

void find_caches()
{
    long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE),
         l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    // The largest level as the library sees it (what its streaming
    // threshold is), else the OS's answer, which in a virtual machine can
    // be the whole host's: no more than 32 MiB is counted on.
    size_t last = lrelu_stream_threshold();
    if (last == SIZE_MAX || last == 0)
        last = l3 > 0 ? std::min<size_t>((size_t)l3, size_t(32) << 20) : 0;
    for (size_t c : {l1 > 0 ? (size_t)l1 : 0, l2 > 0 ? (size_t)l2 : 0, last})
        if (c > 0 && (caches.empty() || c > caches.back()))
            caches.push_back(c);
}

// How a benchmark of op at n runs: on `calls` arrays per timed iteration,
// with fresh signs before each (`fresh`), or on one array call after call.
struct Plan {
    size_t calls;
    bool fresh;
};

Plan plan_for(Op op, DType type, size_t n)
{
    if (n > kFreshMax)
        return {1, false};
    // As many inputs as fill half the smallest cache level that holds twice
    // one call's arrays: the level the single call is measured in.
    // In place, each array has its magnitudes beside it (the call changes
    // the values).
    const size_t call_bytes = n * bytes_per_element(op, type),
                 in_bytes = n * kTypes[(int)type].bytes * (info(op).in_place ? 2 : 1);
    const size_t most = n <= 64 ? 64 : 16;
    for (size_t c : caches)
        if (c >= 2 * call_bytes)
            return {std::max<size_t>(1, std::min(most, c / 2 / in_bytes)), true};
    return {1, true};
}

size_t max_calls(size_t n) { return n > kFreshMax ? 1 : n <= 64 ? 64 : 16; }

// Fresh signs, from the build of the best ISA this CPU supports, and the
// generators' state: one for the whole run, so that no two batches of any
// benchmark (nor two runs of one) see the same signs.
fresh_signs_fn fresh_signs = fresh_signs_base;
fresh_state gen; // seeded in main

// The limit loops of the best ISA this CPU supports (pick_isa_builds).
limit_copy_fn nt_copy = limit_nt_copy_base, copy_loop = limit_copy_base;
limit_add2_fn add2 = limit_add2_base;
const char *limits_isa = "baseline";

// The clock, and what reading it twice costs (subtracted from each batch).
using Clock = std::chrono::steady_clock;
double clock_cost_s = 0;

void calibrate_clock()
{
    std::vector<double> d(2001);
    for (double &v : d) {
        auto a = Clock::now();
        auto b = Clock::now();
        v = std::chrono::duration<double>(b - a).count();
    }
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    clock_cost_s = d[d.size() / 2];
}

bool data_independence_op(Op op)
{
    return op == Op::ForwardPositive || op == Op::ForwardSubnormal || op == Op::BackwardPositive ||
           op == Op::BackwardSubnormal;
}

// Times the calls of one batch, less the clock's own cost.
template <typename F> double timed(const std::vector<Call> &calls, const F &call)
{
    const auto t0 = Clock::now();
    for (const Call &c : calls)
        call(c);
    benchmark::ClobberMemory();
    const auto t1 = Clock::now();
    return std::max(std::chrono::duration<double>(t1 - t0).count() - clock_cost_s, 1e-12);
}

// The CPUs the process may run on, and the one the single-threaded rows
// are pinned to (-1: not pinned). Virtual machines may give their CPUs
// unequal speeds; a run that moves between them mixes both in its ratios.
#ifdef __linux__
cpu_set_t all_cpus;
#endif
int pinned_cpu = -1;

#ifdef __linux__
bool pin_to(int c)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(c, &one);
    return sched_setaffinity(0, sizeof one, &one) == 0;
}
#endif

void pin_to_first_cpu()
{
#ifdef __linux__
    if (sched_getaffinity(0, sizeof all_cpus, &all_cpus) != 0)
        return;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all_cpus)) {
            if (pin_to(c))
                pinned_cpu = c;
            return;
        }
#endif
}

// Every CPU for the duration of a threads row (its threads inherit the
// mask), then the one CPU again.
struct Unpinned {
    bool on;
    explicit Unpinned(bool threads_row) : on(threads_row && pinned_cpu >= 0)
    {
#ifdef __linux__
        if (on)
            sched_setaffinity(0, sizeof all_cpus, &all_cpus);
#endif
    }
    ~Unpinned()
    {
#ifdef __linux__
        if (on)
            pin_to(pinned_cpu);
#endif
    }
    Unpinned(const Unpinned &) = delete;
    Unpinned &operator=(const Unpinned &) = delete;
};

// memcpy of a tiny call's bytes, and a kind's limit loop on a call's
// bytes (defined with the limit rows).
Caller tiny_memcpy_caller(size_t esize);
Caller limit_caller(Kind kind, size_t esize);

// Times row at n, then checks it with its kernel still active. A
// data-independence row also times the same code on random signs in
// alternate batches, so that both see the same machine: its counter
// time_vs_random is the ratio of the two times. A tiny-call row of the
// library likewise alternates with memcpy of the same bytes on the same
// arrays (counter time_vs_memcpy): a virtual CPU whose host sibling gets
// busy runs the same short call up to twice as slowly, and rows timed
// minutes apart would put that into their ratio. For the same reason a
// library row of forward, backward or backward from output in cache (on
// fresh arrays) alternates with its limit loop on the same arrays: memcpy
// of the same bytes forward, the two-in, one-out loop backward (counter
// time_vs_limit).
void run_row(benchmark::State &state, const Row &row, size_t n)
{
    const OpInfo &op = info(row.op);
    if (!row.kernel.empty() && lrelu_set_kernel(row.kernel.c_str()) != LRELU_OK) {
        state.SkipWithError("cannot select the kernel");
        return;
    }
    if (row.threads && lrelu_set_num_threads(row.threads) != LRELU_OK) {
        state.SkipWithError("cannot set the number of threads (built without threads?)");
        return;
    }
    // Back to one thread however the run ends.
    struct RestoreThreads {
        bool on;
        ~RestoreThreads()
        {
            if (on)
                lrelu_set_num_threads(1);
        }
    } restore_threads{row.threads != 0};
    const Unpinned unpinned(row.threads_row);
    const DType t = row.type;
    const Arena &arena = arena_of(t);
    const size_t esize = tinfo(t).bytes;
    // fresh_signs works in 32-bit words: a float16 or bfloat16 array of odd
    // length has one more element, in the padding.
    const size_t words = (n * esize + 3) / 4;
    Caller call = row.make();
    const Plan plan = plan_for(row.op, t, n);
    // Bytes past a 64-byte line: x, dy, the output (0 but for the
    // misaligned ops, whose input arrays are a line further apart).
    const size_t sx = op.misaligned ? 16 : 0, sd = op.misaligned ? 32 : 0,
                 so = op.misaligned ? 48 : 0;
    const size_t stride = (n * esize + 63) / 64 * 64 + (op.misaligned ? 64 : 0);
    const unsigned char *dy = arena.grad(row.op) + sd;
    unsigned char *out = arena.out + so;

    Bytes pool, mags;
    std::vector<Call> calls;
    const uint32_t sign = tinfo(t).sign_mask;
    const uint32_t rmask = op.signs == Signs::Random ? sign : 0,
                   omask = op.signs == Signs::Negative ? sign : 0;
    const unsigned char *mag = arena.magnitudes(row.op);
    if (plan.fresh) {
        pool.reset(alloc_bytes(plan.calls * stride));
        for (size_t r = 0; r < plan.calls; r++) {
            unsigned char *in = pool.get() + r * stride + sx;
            calls.push_back({r, in, dy, op.in_place ? in : out, n, kAlpha});
            fresh_signs(&gen, mag + r * n * esize, in, words, rmask, omask);
        }
        if (op.in_place) {
            mags.reset(alloc_bytes(plan.calls * stride));
            std::memcpy(mags.get(), pool.get(), plan.calls * stride);
        }
    } else if (op.in_place) {
        std::memcpy(out, arena.input(row.op), n * esize);
        calls.push_back({0, out, nullptr, out, n, kAlpha});
    } else {
        calls.push_back({0, arena.input(row.op) + sx, dy, out, n, kAlpha});
    }
    // New signs on the same magnitudes, in place where the calls leave
    // their inputs as they were: only the arrays timed are touched.
    const unsigned char *from = op.in_place ? mags.get() : pool.get();
    auto refresh = [&] {
        for (size_t r = 0; r < plan.calls; r++)
            fresh_signs(&gen, from + r * stride + sx, pool.get() + r * stride + sx, words, rmask,
                        omask);
    };
    // In place on one array, alpha alternates 0.01 and 100 so that negative
    // values stay normal instead of decaying to subnormals and zeros.
    const bool alternate = op.in_place && !plan.fresh;

    // The random-sign twin of a data-independence row: the same number of
    // arrays of the same length, the benchmark's random input and dy.
    const bool paired = data_independence_op(row.op);
    Bytes twin;
    std::vector<Call> twin_calls;
    if (paired) {
        if (plan.fresh) {
            twin.reset(alloc_bytes(plan.calls * stride));
            for (size_t r = 0; r < plan.calls; r++) {
                unsigned char *in = twin.get() + r * stride;
                fresh_signs(&gen, arena.xpos + r * n * esize, in, words, sign, 0);
                twin_calls.push_back({plan.calls + 2 + r, in, arena.dy, out, n, kAlpha});
            }
        } else {
            twin_calls.push_back({2, arena.x, arena.dy, out, n, kAlpha});
        }
    }
    auto refresh_twin = [&] {
        for (size_t r = 0; r < twin_calls.size() && plan.fresh; r++)
            fresh_signs(&gen, twin.get() + r * stride, twin.get() + r * stride, words, sign, 0);
    };
    const bool library = !row.kernel.empty();
    const bool vs_memcpy = row.op == Op::TinyForward && library;
    const bool vs_limit = library && plan.fresh &&
                          (row.op == Op::Forward || row.op == Op::Backward ||
                           row.op == Op::BackwardFromOutput || op.misaligned);
    const Caller copy = vs_memcpy  ? tiny_memcpy_caller(esize)
                        : vs_limit ? limit_caller(op.kind, esize)
                                   : Caller();
    const bool alternate_copy = vs_memcpy || vs_limit;
    // Forward in cache, also against the plain vector copy loop (the
    // ceiling of a loop that loads, computes and stores), in alternate
    // batches too.
#if defined(__SSE2__)
    const bool vs_loop = vs_limit && op.kind == Kind::Forward && !is_quant(t);
#else
    const bool vs_loop = false;
#endif
    const Caller loop = vs_loop ? Caller([esize](const Call &c) {
        copy_loop((const float *)c.in, (float *)c.out, (c.n * esize + 3) / 4);
    })
                                : Caller();

    if (plan.fresh)
        refresh();
    for (const Call &c : calls)
        call(c); // sets up peers, warms the caches
    for (const Call &c : twin_calls)
        call(c);
    double own = 0, random = 0, copied = 0, looped = 0;
    bool twin_first = false;
    for (auto _ : state) {
        if (plan.fresh)
            refresh(), refresh_twin();
        // Alternate which goes first, so neither gains from the order.
        const double tw = twin_first && paired ? timed(twin_calls, call) : 0;
        const double tc = twin_first && alternate_copy ? timed(calls, copy) : 0;
        const double tl = twin_first && vs_loop ? timed(calls, loop) : 0;
        const double tt = timed(calls, call);
        const double tw2 = !twin_first && paired ? timed(twin_calls, call) : 0;
        const double tc2 = !twin_first && alternate_copy ? timed(calls, copy) : 0;
        const double tl2 = !twin_first && vs_loop ? timed(calls, loop) : 0;
        twin_first = !twin_first;
        own += tt, random += tw + tw2, copied += tc + tc2, looped += tl + tl2;
        if (alternate)
            calls[0].alpha = calls[0].alpha == kAlpha ? 100.0 : kAlpha;
        state.SetIterationTime(tt);
    }
    if (paired && random > 0)
        state.counters["time_vs_random"] = own / random;
    if (alternate_copy && copied > 0)
        state.counters[vs_memcpy ? "time_vs_memcpy" : "time_vs_limit"] = own / copied;
    if (vs_loop && looped > 0)
        state.counters["time_vs_copy_loop"] = own / looped;
    const int64_t elements = (int64_t)(state.iterations() * plan.calls * n);
    state.SetBytesProcessed(elements * (int64_t)bytes_per_element(row.op, t));
    state.SetItemsProcessed(elements);
    state.counters["n"] = (double)n;
    state.counters["calls"] = (double)plan.calls;
    state.counters["fresh"] = plan.fresh;

    // Google Benchmark runs a benchmark a few times to find how many
    // iterations fill the minimum time; the code is checked on the first.
    auto done = row.checks.find(n);
    if (done != row.checks.end()) {
        state.counters["mismatches"] = done->second.first;
        state.counters["special_mismatches"] = done->second.second;
    } else if (row.checked) {
        // The benchmark input, then the special values, through this row's
        // code on this row's kernel.
        const unsigned char *in = arena.input(row.op) + sx;
        if (op.in_place) {
            std::memcpy(out, in, n * esize);
            call({plan.calls, out, nullptr, out, n, kAlpha});
        } else {
            call({plan.calls, in, dy, out, n, kAlpha});
        }
        // The first and the last kCheckEnds elements (all of a short
        // array): every path of the kernel, at the price of two short
        // reference calls.
        size_t bad = 0, checked = 0;
        for (size_t from : {size_t(0), n > 2 * kCheckEnds ? n - kCheckEnds : n}) {
            const size_t len = std::min(n - from, n > 2 * kCheckEnds ? kCheckEnds : n);
            if (len == 0)
                continue;
            const size_t off = from * esize;
            reference(t, op.kind, in + off, dy + off, arena.ref, len);
            bad += mismatches(t, out + off, arena.ref, len);
            checked += len;
        }
        state.counters["mismatches"] = (double)bad;
        state.counters["checked_elements"] = (double)checked;
        const Special &special = specials[(int)t];
        const size_t len = Special::kLen;
        uint64_t sout[Special::kLen];
        const void *sin = special.input(op.kind);
        if (op.in_place) {
            std::memcpy(sout, sin, sizeof sout);
            call({plan.calls + 1, sout, nullptr, sout, len, kAlpha});
        } else {
            call({plan.calls + 1, sin, special.dy, sout, len, kAlpha});
        }
        state.counters["special_mismatches"] =
            (double)mismatches(t, sout, special.ref[(int)op.kind], len);
        row.checks[n] = {state.counters["mismatches"], state.counters["special_mismatches"]};
    }
    if (!row.kernel.empty()) {
        if (row.kernel != lrelu_active_kernel())
            state.SkipWithError("the kernel changed during the run");
        lrelu_set_kernel(nullptr);
    }
}

void pick_isa_builds()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
#ifdef HAVE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        nt_copy = limit_nt_copy_avx512, add2 = limit_add2_avx512, limits_isa = "avx512";
        copy_loop = limit_copy_avx512;
        fresh_signs = fresh_signs_avx512;
        return;
    }
#endif
#ifdef HAVE_AVX2
    if (__builtin_cpu_supports("avx2")) {
        nt_copy = limit_nt_copy_avx2, add2 = limit_add2_avx2, limits_isa = "avx2";
        copy_loop = limit_copy_avx2;
        fresh_signs = fresh_signs_avx2;
        return;
    }
#endif
#endif
}

// A peer call set up for one set of arrays, n and alpha (outside the timed
// loop: the first call with new arguments sets it up, later ones only run).
struct BoundPeer {
    std::unique_ptr<PeerCall> call;
    const void *in = nullptr, *dy = nullptr;
    void *out = nullptr;
    size_t n = 0;
    double alpha = 0;
    template <typename Make> void run(const Call &c, Make make)
    {
        if (!call || c.in != in || c.dy != dy || c.out != out || c.n != n || c.alpha != alpha) {
            call.reset(make());
            in = c.in, dy = c.dy, out = c.out, n = c.n, alpha = c.alpha;
        }
        call->run();
    }
};

// A caller of a peer (float32): one bound call per slot.
std::function<Caller()> peer_caller(const Peer &p, Kind kind)
{
    return [&p, kind] {
        auto bound = std::make_shared<std::vector<BoundPeer>>();
        return [&p, kind, bound](const Call &c) {
            if (c.slot >= bound->size())
                bound->resize(c.slot + 1);
            if (kind == Kind::Forward)
                (*bound)[c.slot].run(c, [&] {
                    return p.forward((const float *)c.in, (float *)c.out, c.n, (float)c.alpha);
                });
            else
                (*bound)[c.slot].run(c, [&] {
                    return p.backward((const float *)c.in, (const float *)c.dy, (float *)c.out, c.n,
                                      (float)c.alpha);
                });
        };
    };
}

// A caller of a qu8 peer, with kQuantQu8's parameters: one bound call per
// slot.
std::function<Caller()> qu8_peer_caller(const QuantPeer &p)
{
    return [&p] {
        auto bound = std::make_shared<std::vector<BoundPeer>>();
        return Caller([&p, bound](const Call &c) {
            if (c.slot >= bound->size())
                bound->resize(c.slot + 1);
            (*bound)[c.slot].run(c, [&] {
                return p.forward(static_cast<const uint8_t *>(c.in), static_cast<uint8_t *>(c.out),
                                 c.n, kQuantQu8);
            });
        });
    };
}

// The quantized forward through prepared parameters (kQuant's, prepared
// once per run, as an engine prepares a layer's): per call only the
// prepared function.
std::function<Caller()> lrelu_prepared_caller(DType t)
{
    return [t] {
        auto prep = std::make_shared<lrelu_quant_prepared>();
        const bool qs8 = t == DType::QS8;
        quant_ok(qs8 ? lrelu_quant_prepare_qs8(&kQuantQs8, prep.get())
                     : lrelu_quant_prepare_qu8(&kQuantQu8, prep.get()),
                 "lrelu_quant_prepare_", t);
        return Caller([t, qs8, prep](const Call &c) {
            quant_ok(qs8 ? lrelu_forward_qs8_prepared(static_cast<const int8_t *>(c.in),
                                                      static_cast<int8_t *>(c.out), c.n, prep.get())
                         : lrelu_forward_qu8_prepared(static_cast<const uint8_t *>(c.in),
                                                      static_cast<uint8_t *>(c.out), c.n,
                                                      prep.get()),
                     "lrelu_forward_", t, "_prepared");
        });
    };
}

std::function<Caller()> plain(void (*fn)(const Call &))
{
    return [fn] { return Caller(fn); };
}

// A library row's calls: lrelu_typed inlined into the caller, so that a
// call reaches the entry point as directly as the memcpy a tiny row is
// timed against reaches memcpy (no adapter called through a pointer).
template <DType T> Caller lrelu_direct(Kind kind)
{
    return with_kind(kind, [](auto k) {
        using K = decltype(k);
        return Caller(
            [](const Call &c) { lrelu_typed<T, K::value>(c.in, c.dy, c.out, c.n, c.alpha); });
    });
}

std::function<Caller()> lrelu_caller(DType t, Kind kind)
{
    return [t, kind] {
        return with_type(t, [kind](auto c) { return lrelu_direct<decltype(c)::value>(kind); });
    };
}

// memcpy through a pointer the compiler cannot see through, for tiny calls.
void *(*volatile memcpy_indirect)(void *, const void *, size_t) = std::memcpy;

// The limit loops move the same bytes as a row of type B bytes an element:
// n elements are n * B / 4 words (rounded up: the padding).
template <size_t B> void limit_memcpy(const Call &c) { std::memcpy(c.out, c.in, c.n * B); }
template <size_t B> void limit_nt(const Call &c)
{
    nt_copy((const float *)c.in, (float *)c.out, (c.n * B + 3) / 4);
}
template <size_t B> void limit_copy(const Call &c)
{
    copy_loop((const float *)c.in, (float *)c.out, (c.n * B + 3) / 4);
}
template <size_t B> void limit_add2(const Call &c)
{
    add2((const float *)c.in, (const float *)c.dy, (float *)c.out, (c.n * B + 3) / 4);
}
// The tiny rows' limit, and what each of the library's tiny rows is timed
// against in alternate batches: the same function.
Caller tiny_memcpy_caller(size_t esize)
{
    return Caller([esize](const Call &c) { memcpy_indirect(c.out, c.in, c.n * esize); });
}

// What a library row in cache is timed against in alternate batches: the
// loop of its limit row on the same bytes.
Caller limit_caller(Kind kind, size_t esize)
{
    if (kind == Kind::Forward)
        return Caller([esize](const Call &c) { std::memcpy(c.out, c.in, c.n * esize); });
    return Caller([esize](const Call &c) {
        add2((const float *)c.in, (const float *)c.dy, (float *)c.out, (c.n * esize + 3) / 4);
    });
}

template <size_t B> void add_limits(std::vector<Row> &rows, DType t)
{
    rows.push_back({t, Op::Forward, "limit:memcpy", "", plain(limit_memcpy<B>), false});
#if defined(__SSE2__)
    rows.push_back({t, Op::Forward, "limit:nt_copy", "", plain(limit_nt<B>), false});
    rows.push_back({t, Op::Forward, "limit:copy_loop", "", plain(limit_copy<B>), false});
#endif
    rows.push_back({t, Op::Backward, "limit:stream_2in1out", "", plain(limit_add2<B>), false});
    rows.push_back(
        {t, Op::TinyForward, "limit:memcpy", "", [] { return tiny_memcpy_caller(B); }, false});
}

// The same bytes as a float32 forward call copied by t threads, each its
// own 64-byte-aligned share (memcpy, or the streaming copy): the limit of
// the threads rows.
std::function<Caller()> threads_copy(size_t t, bool nt)
{
    return [t, nt] {
        return Caller([t, nt](const Call &c) {
            const float *in = (const float *)c.in;
            float *out = (float *)c.out;
            const size_t m = c.n, line = 16; // floats per 64-byte line
            std::vector<std::thread> th;
            for (size_t i = 0; i < t; i++) {
                const size_t b = i == 0 ? 0 : m * i / t / line * line;
                const size_t e = i + 1 == t ? m : m * (i + 1) / t / line * line;
                th.emplace_back([=] {
                    if (nt)
                        nt_copy(in + b, out + b, e - b);
                    else
                        std::memcpy(out + b, in + b, (e - b) * sizeof(float));
                });
            }
            for (auto &x : th)
                x.join();
        });
    };
}

// Which types the run covers (--types), and the ops each gets.
std::vector<DType> run_types = {DType::F32, DType::F16, DType::BF16,
                                DType::F64, DType::QS8, DType::QU8};

// Every row: (type, op, impl, caller). To add rows (another op, another
// implementation), push them here; a new op needs its entry in kOps and its
// name in report.py.
std::vector<Row> make_rows(const std::vector<Peer> &peers, const std::vector<QuantPeer> &qu8_peers)
{
    std::vector<Row> rows;
    const std::vector<Op> lrelu_ops = {
        Op::Forward,         Op::ForwardInPlace,   Op::Backward,         Op::BackwardFromOutput,
        Op::ForwardPositive, Op::ForwardSubnormal, Op::BackwardPositive, Op::BackwardSubnormal,
        Op::TinyForward};
    // The other types: every kernel forward and backward and the data
    // independence ops; in place, from output and tiny calls on the
    // dispatched kernel.
    const std::vector<Op> other_ops = {Op::Forward,          Op::Backward,
                                       Op::ForwardPositive,  Op::ForwardSubnormal,
                                       Op::BackwardPositive, Op::BackwardSubnormal};
    bool quant_memcpy = false;
    for (DType t : run_types) {
        const std::string dispatched = type_level(lrelu_active_kernel(), t);
        for (size_t k = 0; k < lrelu_kernel_count(); k++) {
            const std::string kernel = lrelu_kernel_name(k);
            if (kernel != type_level(kernel, t))
                continue; // the same functions as the level below
            std::vector<Op> ops = t == DType::F32 ? lrelu_ops
                                  : is_quant(t)   ? std::vector<Op>{Op::Forward}
                                                  : other_ops;
            if (t != DType::F32 && !is_quant(t) && kernel == dispatched)
                ops.insert(ops.end(),
                           {Op::ForwardInPlace, Op::BackwardFromOutput, Op::TinyForward});
            if (t == DType::F32 && kernel == dispatched)
                ops.insert(ops.end(), {Op::ForwardMisaligned, Op::BackwardMisaligned});
            // The quantized types' dispatched kernel: tiny calls too, and
            // both through the prepared parameters.
            const bool quant_dispatched = is_quant(t) && kernel == lrelu_active_kernel();
            if (quant_dispatched)
                ops.push_back(Op::TinyForward);
            for (Op op : ops) {
                rows.push_back(
                    {t, op, "lrelu:" + kernel, kernel, lrelu_caller(t, info(op).kind), true});
                if (quant_dispatched)
                    rows.push_back({t, op, "lrelu_prepared:" + kernel, kernel,
                                    lrelu_prepared_caller(t), true});
            }
        }
        switch (tinfo(t).bytes) {
        case 1: // forward only: memcpy of the same bytes, and the peers
            // int8 and uint8 move the same bytes: one memcpy row serves
            // both (under the first of them in the run).
            if (!quant_memcpy) {
                rows.push_back({t, Op::Forward, "limit:memcpy", "", plain(limit_memcpy<1>), false});
                rows.push_back({t, Op::TinyForward, "limit:memcpy", "",
                                [] { return tiny_memcpy_caller(1); }, false});
            }
            quant_memcpy = true;
            if (t == DType::QU8)
                for (const QuantPeer &p : qu8_peers)
                    rows.push_back(
                        {t, Op::Forward, "peer:" + p.name, "", qu8_peer_caller(p), true});
            break;
        case 2:
            add_limits<2>(rows, t);
            break;
        case 8:
            add_limits<8>(rows, t);
            break;
        default:
            add_limits<4>(rows, t);
        }
    }
    if (std::find(run_types.begin(), run_types.end(), DType::F32) == run_types.end())
        return rows;
    // Forward out of place at the largest size with 1..N threads (N: the
    // CPUs here; the dispatched kernel), and the same bytes copied by as
    // many threads: the multi-threaded limit.
    const size_t cpus = std::max<size_t>(1, std::thread::hardware_concurrency());
    for (size_t t = 1; t <= cpus; t++) {
        const std::string ts = std::to_string(t);
        rows.push_back({DType::F32, Op::Forward, "lrelu:threads" + ts, "",
                        lrelu_caller(DType::F32, Kind::Forward), true, t, true});
        rows.push_back({DType::F32, Op::Forward, "limit:memcpy_threads" + ts, "",
                        threads_copy(t, false), false, 0, true});
#if defined(__SSE2__)
        rows.push_back({DType::F32, Op::Forward, "limit:nt_copy_threads" + ts, "",
                        threads_copy(t, true), false, 0, true});
#endif
    }
    for (const Peer &p : peers) {
        std::vector<Op> ops = {Op::Forward, Op::ForwardSubnormal};
        if (p.backward)
            ops.push_back(Op::Backward);
        // The naive loop, branchy as gcc builds it for the baseline, is the
        // witness that the in-cache inputs are not learned.
        if (p.name == "naive")
            for (Op op : {Op::ForwardPositive, Op::BackwardPositive, Op::BackwardSubnormal,
                          Op::TinyForward})
                ops.push_back(op);
        for (Op op : ops) {
            const Kind kind = info(op).kind;
            rows.push_back({DType::F32, op, "peer:" + p.name, "", peer_caller(p, kind), true});
        }
    }
    return rows;
}

std::string bench_name(const Row &row, size_t n)
{
    // float32 names carry no type; the others add theirs to the op.
    return std::string(info(row.op).name) + tinfo(row.type).suffix + "/" + row.impl + "/" +
           std::to_string(n);
}

// The data-independence sizes: 16 Ki (in cache) and 4 Mi where the size
// list has them, else its smallest and largest.
std::vector<size_t> data_independence_sizes(const std::vector<size_t> &sizes)
{
    std::vector<size_t> di;
    for (size_t n : sizes)
        if (n == (size_t(16) << 10) || n == (size_t(4) << 20))
            di.push_back(n);
    if (di.empty()) {
        di.push_back(*std::min_element(sizes.begin(), sizes.end()));
        const size_t largest = *std::max_element(sizes.begin(), sizes.end());
        if (largest != di[0])
            di.push_back(largest);
    }
    return di;
}

// The quantized rows' sizes: those of the list that are timed in cache (up
// to kFreshMax elements) and the largest, which is beyond every cache: the
// sizes in between add run time more than information (default list: all
// but 4 Mi).
bool quant_size(size_t n, size_t largest) { return n <= kFreshMax || n == largest; }

// Kernels that convert a 16-bit type one element at a time (scalar for
// float16 and bfloat16; sse2 for float16, which SSE2 cannot convert):
// 20-130 ns an element, seconds a call beyond the caches; and the scalar
// quantized kernel (about 5 ns an element). They run only the in-cache
// sizes (up to kFreshMax elements), where their speed is already plain.
bool slow_row(const Row &row)
{
    return (row.type == DType::F16 && (row.kernel == "scalar" || row.kernel == "sse2")) ||
           (row.type == DType::BF16 && row.kernel == "scalar") ||
           (is_quant(row.type) && row.kernel == "scalar");
}

void register_all(const std::vector<size_t> &sizes, const std::vector<size_t> &tiny,
                  const std::vector<Peer> &peers, const std::vector<QuantPeer> &qu8_peers,
                  bool smoke)
{
    static std::vector<Row> rows;
    rows = make_rows(peers, qu8_peers);
    const std::vector<size_t> di = data_independence_sizes(sizes);
    auto reg = [smoke](const Row &row, size_t n) {
        auto *b = benchmark::RegisterBenchmark(
            bench_name(row, n).c_str(), [&row, n](benchmark::State &st) { run_row(st, row, n); });
        b->UseManualTime();
        if (smoke)
            b->Iterations(1);
    };
    const size_t largest = *std::max_element(sizes.begin(), sizes.end());
    for (size_t n : sizes)
        for (const Row &row : rows)
            if (row.op != Op::TinyForward && (!row.threads_row || n == largest) &&
                (!data_independence_op(row.op) || std::count(di.begin(), di.end(), n)) &&
                (!info(row.op).misaligned || n <= kFreshMax) &&
                (n <= kFreshMax || !slow_row(row)) &&
                (!is_quant(row.type) || quant_size(n, largest)))
                reg(row, n);
    for (size_t n : tiny)
        for (const Row &row : rows)
            if (row.op == Op::TinyForward)
                reg(row, n);
}

std::vector<size_t> parse_sizes(const char *s)
{
    std::vector<size_t> v;
    while (*s) {
        char *end;
        unsigned long long n = std::strtoull(s, &end, 10);
        if (end == s || n == 0) {
            std::fprintf(stderr, "bench: bad size list at \"%s\"\n", s);
            std::exit(2);
        }
        if (*end == 'K' || *end == 'k')
            n <<= 10, end++;
        else if (*end == 'M' || *end == 'm')
            n <<= 20, end++;
        v.push_back((size_t)n);
        s = *end == ',' ? end + 1 : end;
        if (*end != ',' && *end != '\0') {
            std::fprintf(stderr, "bench: bad size list at \"%s\"\n", end);
            std::exit(2);
        }
    }
    return v;
}

std::vector<DType> parse_types(const char *s)
{
    std::vector<DType> v;
    std::string list = s;
    size_t pos = 0;
    while (pos <= list.size()) {
        const size_t end = std::min(list.find(',', pos), list.size());
        const std::string name = list.substr(pos, end - pos);
        bool found = false;
        for (DType t : kAllTypes)
            if (name == tinfo(t).name || (tinfo(t).suffix[0] && name == tinfo(t).suffix + 1) ||
                (t == DType::F32 && name == "f32")) {
                v.push_back(t);
                found = true;
            }
        if (!found) {
            std::fprintf(stderr, "bench: unknown type \"%s\" (f32, f16, bf16, f64, qs8, qu8)\n",
                         name.c_str());
            std::exit(2);
        }
        pos = end + 1;
    }
    return v;
}

std::string cpu_model()
{
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown";
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<size_t> sizes = {1 << 10, 16 << 10, 256 << 10, 4 << 20, 64 << 20};
    std::vector<size_t> tiny = {1, 8, 16, 64};
    bool smoke = false, pin = true;
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (std::strncmp(argv[i], "--sizes=", 8) == 0)
            sizes = parse_sizes(argv[i] + 8);
        else if (std::strncmp(argv[i], "--tiny=", 7) == 0)
            tiny = parse_sizes(argv[i] + 7);
        else if (std::strncmp(argv[i], "--types=", 8) == 0)
            run_types = parse_types(argv[i] + 8);
        else if (std::strcmp(argv[i], "--smoke") == 0)
            smoke = true;
        else if (std::strcmp(argv[i], "--no-pin") == 0)
            pin = false;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    if (smoke)
        sizes = {1, 37, 1000}, tiny = {1, 16};

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;

    // Long enough for every size, and for the magnitudes of every fresh
    // array of a benchmark.
    size_t cap = Special::kLen;
    for (const auto *list : {&sizes, &tiny})
        for (size_t n : *list)
            cap = std::max(cap, n * max_calls(n));
    // float32's arrays are always made: the other types' come from them.
    arena_of(DType::F32).init(DType::F32, cap, nullptr);
    for (DType t : run_types)
        if (t != DType::F32)
            arena_of(t).init(t, cap, &arena_of(DType::F32));
    std::mt19937 seeds(54321);
    for (uint32_t &lane : gen.lane)
        lane = (uint32_t)seeds() | 1;
    for (DType t : kAllTypes)
        specials[(int)t].init(t);
    pick_isa_builds();
    find_caches();
    if (pin)
        pin_to_first_cpu();
    calibrate_clock();

    std::vector<std::string> skipped;
    std::vector<Peer> peers = make_peers(skipped);
    std::vector<QuantPeer> qu8_peers = make_qu8_peers(skipped);
    std::string skipped_all;
    for (const auto &s : skipped) {
        std::fprintf(stderr, "bench: skipping %s\n", s.c_str());
        skipped_all += (skipped_all.empty() ? "" : "; ") + s;
    }

    std::string kernels, levels;
    for (size_t k = 0; k < lrelu_kernel_count(); k++)
        kernels += (k ? "," : "") + std::string(lrelu_kernel_name(k));
    for (size_t c : caches)
        levels += (levels.empty() ? "" : ",") + std::to_string(c);
    benchmark::AddCustomContext("lrelu_version", lrelu_version());
    // The dispatched kernel of the float types, and of the quantized ones.
    benchmark::AddCustomContext("lrelu_default_kernel", float_level(lrelu_active_kernel()));
    // Each float type's, where a level takes them from different kernels.
    std::string type_kernels;
    for (DType t : kAllTypes)
        if (!is_quant(t))
            type_kernels += (type_kernels.empty() ? "" : ",") + std::string(tinfo(t).name) + "=" +
                            type_level(lrelu_active_kernel(), t);
    benchmark::AddCustomContext("lrelu_type_kernels", type_kernels);
    benchmark::AddCustomContext("lrelu_default_quant_kernel", lrelu_active_kernel());
    benchmark::AddCustomContext("lrelu_kernels", kernels);
    benchmark::AddCustomContext("cpu_model", cpu_model());
    benchmark::AddCustomContext("limits_isa", limits_isa);
    benchmark::AddCustomContext("peers_skipped", skipped_all);
    benchmark::AddCustomContext("alpha", "0.01");
    char quant[160];
    std::snprintf(
        quant, sizeof quant,
        "input_scale %g, output_scale %g, alpha %g; zero points %d, %d (qs8), %d, %d (qu8)",
        (double)kQuantQs8.input_scale, (double)kQuantQs8.output_scale, (double)kQuantQs8.alpha,
        (int)kQuantQs8.input_zero_point, (int)kQuantQs8.output_zero_point,
        (int)kQuantQu8.input_zero_point, (int)kQuantQu8.output_zero_point);
    benchmark::AddCustomContext("quant_params", quant);
    benchmark::AddCustomContext("cache_levels_bytes", levels);
    // The cache sizes as each source gives them, for the report's header.
    {
        std::string sc;
        const std::pair<const char *, int> levels_sc[] = {{"L1d", _SC_LEVEL1_DCACHE_SIZE},
                                                          {"L2", _SC_LEVEL2_CACHE_SIZE},
                                                          {"L3", _SC_LEVEL3_CACHE_SIZE}};
        for (const auto &l : levels_sc) {
            const long v = sysconf(l.second);
            sc += (sc.empty() ? "" : ",") + std::string(l.first) + "=" +
                  std::to_string(v > 0 ? v : 0);
        }
        benchmark::AddCustomContext("cache_sysconf_bytes", sc);
        std::string sys;
        for (int i = 0; i < 8; i++) {
            const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i);
            std::ifstream lv(dir + "/level"), ty(dir + "/type"), sz(dir + "/size");
            std::string level, type, size;
            if (!(lv >> level) || !(ty >> type) || !(sz >> size))
                continue;
            sys += (sys.empty() ? "" : ",") + ("L" + level) + type.substr(0, 1) + "=" + size;
        }
        benchmark::AddCustomContext("cache_sys", sys.empty() ? "none" : sys);
        const size_t st = lrelu_stream_threshold();
        benchmark::AddCustomContext("lrelu_stream_threshold",
                                    st == SIZE_MAX ? "never" : std::to_string(st));
    }
    benchmark::AddCustomContext("clock_cost_ns", std::to_string(clock_cost_s * 1e9));
    benchmark::AddCustomContext("pinned_cpu", std::to_string(pinned_cpu));

    register_all(sizes, tiny, peers, qu8_peers, smoke);
    register_prelu(smoke);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
