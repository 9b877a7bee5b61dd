// liblrelu's benchmark suite: every usable kernel, the memory limit and the
// peers, side by side, in one run of Google Benchmark.
//
// Names are <op>/<impl>/<n>: op is forward, forward_inplace, backward,
// backward_from_output, forward_subnormal (every product subnormal) or
// tiny_forward; impl is lrelu:<kernel>,
// limit:<loop> or peer:<name>. Throughput counts bytes read + written
// (forward 8 per element, backward 12). Each benchmark's output is checked
// against the scalar reference afterwards: `mismatches` counts the elements
// that differ on the benchmark input, `special_mismatches` on a short array
// of special values (subnormal products, signed zeros, infinities, NaN).
//
// Own flags (everything else goes to Google Benchmark):
//   --sizes=N,N,...   array lengths in floats (default 1Ki,16Ki,256Ki,4Mi,64Mi)
//   --tiny=N,N,...    lengths for the per-call cost (default 1,8,16,64)
//   --smoke           tiny lengths and one iteration each: checks that it runs
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <sys/mman.h>

#include "limit_loops.h"
#include "lrelu.h"
#include "naive.h"
#include "peers.h"

namespace
{

const float kAlpha = 0.01f;

enum class Op { Forward, ForwardInPlace, Backward, BackwardFromOutput, ForwardSubnormal };
const char *const kOpNames[] = {"forward", "forward_inplace", "backward", "backward_from_output",
                                "forward_subnormal"};

bool is_forward(Op op)
{
    return op == Op::Forward || op == Op::ForwardInPlace || op == Op::ForwardSubnormal;
}

size_t bytes_per_element(Op op) { return is_forward(op) ? 8 : 12; }

// Aligned, touched arrays as long as the largest size: inputs x and dy
// (random normal), xs (tiny negatives: every product with alpha is
// subnormal), fy = forward(x), outputs, and the reference.
struct Arena {
    size_t cap = 0;
    float *x, *dy, *xs, *fy, *out, *ref;
    // Large arrays are 2 MiB-aligned and asked for transparent huge pages,
    // as NumPy does for its arrays: the C and the Python peers then run on
    // the same kind of memory.
    static float *alloc(size_t n)
    {
        const size_t bytes = (n ? n : 1) * sizeof(float), huge = size_t(2) << 20;
        void *p = nullptr;
        if (posix_memalign(&p, bytes >= 2 * huge ? huge : 64, bytes) != 0) {
            std::fprintf(stderr, "bench: out of memory for %zu floats\n", n);
            std::exit(1);
        }
#ifdef MADV_HUGEPAGE
        if (bytes >= 2 * huge)
            madvise(p, bytes, MADV_HUGEPAGE);
#endif
        return static_cast<float *>(p);
    }
    void init(size_t n)
    {
        cap = n;
        x = alloc(n), dy = alloc(n), xs = alloc(n), fy = alloc(n), out = alloc(n), ref = alloc(n);
        std::mt19937 rng(12345);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::uniform_real_distribution<float> uniform(1.0f, 9.0f);
        for (size_t i = 0; i < n; i++) {
            x[i] = normal(rng);
            dy[i] = normal(rng);
            xs[i] = -1e-37f * uniform(rng); /* times 0.01: below FLT_MIN */
        }
        lrelu_set_kernel("scalar");
        lrelu_forward(x, fy, n, kAlpha);
        lrelu_set_kernel(nullptr);
        std::memset(out, 0, n * sizeof(float));
        std::memset(ref, 0, n * sizeof(float));
    }
} arena;

// Special values, repeated to 64 floats: products that are subnormal,
// subnormal inputs, signed zeros, infinities, NaN, large values.
struct Special {
    float x[64], dy[64], fy[64];
    Special()
    {
        const float v[] = {-1e-37f,   -3e-38f, -1e-40f, 1e-40f, -0.0f, 0.0f,  INFINITY,
                           -INFINITY, NAN,     1e30f,   -1e30f, 3.0f,  -3.0f, -1e-36f};
        for (size_t i = 0; i < 64; i++) {
            x[i] = v[i % (sizeof v / sizeof v[0])];
            dy[i] = v[(i * 5 + 3) % (sizeof v / sizeof v[0])];
        }
        for (size_t i = 0; i < 64; i++)
            fy[i] = x[i] > 0 ? x[i] : kAlpha * x[i];
    }
} special;

// The reference for op on (in, dy): the library's scalar kernel.
void reference(Op op, const float *in, const float *dy, float *out, size_t n)
{
    lrelu_set_kernel("scalar");
    if (is_forward(op))
        lrelu_forward(in, out, n, kAlpha);
    else
        lrelu_backward(in, dy, out, n, kAlpha);
    lrelu_set_kernel(nullptr);
}

size_t mismatches(const float *got, const float *want, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t g, w;
        std::memcpy(&g, &got[i], 4);
        std::memcpy(&w, &want[i], 4);
        bad += g != w && !(std::isnan(got[i]) && std::isnan(want[i]));
    }
    return bad;
}

// The input of op: x, or for backward from the output, y = forward(x).
const float *op_input(Op op, const float *x, const float *fy)
{
    return op == Op::BackwardFromOutput ? fy : x;
}

// The benchmark input of op: the arena's, subnormal products for that op.
const float *bench_input(Op op)
{
    return op == Op::ForwardSubnormal ? arena.xs : op_input(op, arena.x, arena.fy);
}

// How a benchmark calls the code under test on given arrays.
using Caller =
    std::function<void(const float *in, const float *dy, float *out, size_t n, float alpha)>;

// Times `call` on the arena for op and n, then checks it.
void time_op(benchmark::State &state, Op op, size_t n, const Caller &call)
{
    const float *in = bench_input(op);
    float *out = arena.out;
    if (op == Op::ForwardInPlace) {
        // In place, alpha alternates 0.01 and 100 so that negative values
        // stay normal instead of decaying to subnormals and zeros.
        std::memcpy(out, arena.x, n * sizeof(float));
        call(out, nullptr, out, n, kAlpha);
        bool odd = true;
        for (auto _ : state) {
            call(out, nullptr, out, n, odd ? 100.0f : kAlpha);
            odd = !odd;
            benchmark::ClobberMemory();
        }
        std::memcpy(out, arena.x, n * sizeof(float));
        call(out, nullptr, out, n, kAlpha);
    } else {
        call(in, arena.dy, out, n, kAlpha);
        for (auto _ : state) {
            call(in, arena.dy, out, n, kAlpha);
            benchmark::ClobberMemory();
        }
    }
    state.SetBytesProcessed((int64_t)(state.iterations() * n * bytes_per_element(op)));
    state.SetItemsProcessed((int64_t)(state.iterations() * n));
    state.counters["n"] = (double)n;
    reference(op, in, arena.dy, arena.ref, n);
    state.counters["mismatches"] = (double)mismatches(out, arena.ref, n);
    float sref[64], sout[64];
    const float *sin = op_input(op, special.x, special.fy);
    reference(op, sin, special.dy, sref, 64);
    if (op == Op::ForwardInPlace) {
        std::memcpy(sout, sin, sizeof sout);
        call(sout, nullptr, sout, 64, kAlpha);
    } else {
        call(sin, special.dy, sout, 64, kAlpha);
    }
    state.counters["special_mismatches"] = (double)mismatches(sout, sref, 64);
}

Caller lrelu_caller(Op op)
{
    if (is_forward(op))
        return [](const float *in, const float *, float *out, size_t n, float a) {
            lrelu_forward(in, out, n, a);
        };
    if (op == Op::Backward)
        return [](const float *in, const float *dy, float *out, size_t n, float a) {
            lrelu_backward(in, dy, out, n, a);
        };
    return [](const float *in, const float *dy, float *out, size_t n, float a) {
        lrelu_backward_from_output(in, dy, out, n, a);
    };
}

std::string bench_name(const char *op, const std::string &impl, size_t n)
{
    return std::string(op) + "/" + impl + "/" + std::to_string(n);
}

// The limit loops of the best ISA this CPU supports.
limit_nt_copy_fn nt_copy = limit_nt_copy_base;
limit_add2_fn add2 = limit_add2_base;
const char *limits_isa = "baseline";

void pick_limits()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
#ifdef HAVE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        nt_copy = limit_nt_copy_avx512, add2 = limit_add2_avx512, limits_isa = "avx512";
        return;
    }
#endif
#ifdef HAVE_AVX2
    if (__builtin_cpu_supports("avx2")) {
        nt_copy = limit_nt_copy_avx2, add2 = limit_add2_avx2, limits_isa = "avx2";
        return;
    }
#endif
#endif
}

// A peer call set up for one set of arrays, n and alpha (outside the timed
// loop: the first call with new arguments sets it up, later ones only run).
struct BoundPeer {
    std::unique_ptr<PeerCall> call;
    const float *in = nullptr, *dy = nullptr;
    float *out = nullptr;
    size_t n = 0;
    float alpha = 0;
    void run(const float *i, const float *d, float *o, size_t m, float a,
             const std::function<PeerCall *()> &make)
    {
        if (!call || i != in || d != dy || o != out || m != n || a != alpha) {
            call.reset(make());
            in = i, dy = d, out = o, n = m, alpha = a;
        }
        call->run();
    }
};

// memcpy through a pointer the compiler cannot see through, for tiny calls.
void *(*volatile memcpy_indirect)(void *, const void *, size_t) = std::memcpy;

void register_all(const std::vector<size_t> &sizes, const std::vector<size_t> &tiny,
                  std::vector<Peer> &peers, bool smoke)
{
    auto reg = [smoke](const std::string &name, std::function<void(benchmark::State &)> fn) {
        auto *b = benchmark::RegisterBenchmark(name.c_str(), fn)->UseRealTime();
        if (smoke)
            b->Iterations(1);
    };
    const size_t kernels = lrelu_kernel_count();
    // Subnormal products: in cache, where their cost shows, and the largest size.
    const size_t largest = *std::max_element(sizes.begin(), sizes.end());
    auto subnormal_size = [largest](size_t n) { return n <= (size_t(1) << 20) || n == largest; };
    for (size_t n : sizes) {
        for (Op op : {Op::Forward, Op::ForwardInPlace, Op::Backward, Op::BackwardFromOutput,
                      Op::ForwardSubnormal}) {
            if (op == Op::ForwardSubnormal && !subnormal_size(n))
                continue;
            const char *opn = kOpNames[(int)op];
            for (size_t k = 0; k < kernels; k++) {
                std::string kernel = lrelu_kernel_name(k);
                reg(bench_name(opn, "lrelu:" + kernel, n), [=](benchmark::State &st) {
                    lrelu_set_kernel(kernel.c_str());
                    time_op(st, op, n, lrelu_caller(op));
                    lrelu_set_kernel(nullptr);
                });
            }
        }
        reg(bench_name("forward", "limit:memcpy", n), [=](benchmark::State &st) {
            time_op(st, Op::Forward, n,
                    [](const float *in, const float *, float *out, size_t m, float) {
                        std::memcpy(out, in, m * sizeof(float));
                    });
            st.counters.erase("mismatches");
            st.counters.erase("special_mismatches");
        });
#if defined(__SSE2__)
        reg(bench_name("forward", "limit:nt_copy", n), [=](benchmark::State &st) {
            time_op(st, Op::Forward, n,
                    [](const float *in, const float *, float *out, size_t m, float) {
                        nt_copy(in, out, m);
                    });
            st.counters.erase("mismatches");
            st.counters.erase("special_mismatches");
        });
#endif
        reg(bench_name("backward", "limit:stream_2in1out", n), [=](benchmark::State &st) {
            time_op(st, Op::Backward, n,
                    [](const float *in, const float *dy, float *out, size_t m, float) {
                        add2(in, dy, out, m);
                    });
            st.counters.erase("mismatches");
            st.counters.erase("special_mismatches");
        });
        for (Peer &p : peers) {
            // A peer call is set up for the arrays before timing.
            for (Op op : {Op::Forward, Op::ForwardSubnormal}) {
                if (op == Op::ForwardSubnormal && !subnormal_size(n))
                    continue;
                reg(bench_name(kOpNames[(int)op], "peer:" + p.name, n),
                    [=, &p](benchmark::State &st) {
                        BoundPeer bound;
                        time_op(st, op, n,
                                [&](const float *in, const float *, float *out, size_t m, float a) {
                                    bound.run(in, nullptr, out, m, a,
                                              [&] { return p.forward(in, out, m, a); });
                                });
                    });
            }
            if (!p.backward)
                continue;
            reg(bench_name("backward", "peer:" + p.name, n), [=, &p](benchmark::State &st) {
                BoundPeer bound;
                time_op(st, Op::Backward, n,
                        [&](const float *in, const float *dy, float *out, size_t m, float a) {
                            bound.run(in, dy, out, m, a,
                                      [&] { return p.backward(in, dy, out, m, a); });
                        });
            });
        }
    }
    for (size_t n : tiny) {
        for (size_t k = 0; k < kernels; k++) {
            std::string kernel = lrelu_kernel_name(k);
            reg(bench_name("tiny_forward", "lrelu:" + kernel, n), [=](benchmark::State &st) {
                lrelu_set_kernel(kernel.c_str());
                time_op(st, Op::Forward, n, lrelu_caller(Op::Forward));
                lrelu_set_kernel(nullptr);
            });
        }
        reg(bench_name("tiny_forward", "limit:memcpy", n), [=](benchmark::State &st) {
            time_op(st, Op::Forward, n,
                    [](const float *in, const float *, float *out, size_t m, float) {
                        memcpy_indirect(out, in, m * sizeof(float));
                    });
            st.counters.erase("mismatches");
            st.counters.erase("special_mismatches");
        });
        reg(bench_name("tiny_forward", "peer:naive", n), [=](benchmark::State &st) {
            time_op(st, Op::Forward, n,
                    [](const float *in, const float *, float *out, size_t m, float a) {
                        naive_forward_base(in, out, m, a);
                    });
        });
    }
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
    bool smoke = false;
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (std::strncmp(argv[i], "--sizes=", 8) == 0)
            sizes = parse_sizes(argv[i] + 8);
        else if (std::strncmp(argv[i], "--tiny=", 7) == 0)
            tiny = parse_sizes(argv[i] + 7);
        else if (std::strcmp(argv[i], "--smoke") == 0)
            smoke = true;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    if (smoke)
        sizes = {1, 37, 1000}, tiny = {1, 16};

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;

    size_t cap = 64;
    for (size_t n : sizes)
        cap = n > cap ? n : cap;
    arena.init(cap);
    pick_limits();

    std::vector<std::string> skipped;
    std::vector<Peer> peers = make_peers(skipped);
    std::string skipped_all;
    for (const auto &s : skipped) {
        std::fprintf(stderr, "bench: skipping %s\n", s.c_str());
        skipped_all += (skipped_all.empty() ? "" : "; ") + s;
    }

    std::string kernels;
    for (size_t k = 0; k < lrelu_kernel_count(); k++)
        kernels += (k ? "," : "") + std::string(lrelu_kernel_name(k));
    benchmark::AddCustomContext("lrelu_version", lrelu_version());
    benchmark::AddCustomContext("lrelu_default_kernel", lrelu_active_kernel());
    benchmark::AddCustomContext("lrelu_kernels", kernels);
    benchmark::AddCustomContext("cpu_model", cpu_model());
    benchmark::AddCustomContext("limits_isa", limits_isa);
    benchmark::AddCustomContext("peers_skipped", skipped_all);
    benchmark::AddCustomContext("alpha", "0.01");

    register_all(sizes, tiny, peers, smoke);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
