// PReLU rows of the benchmark suite: lrelu_prelu_forward and
// lrelu_prelu_backward (dx and dslope, and dslope alone) on every kernel, next to
// lrelu_forward / lrelu_backward of the same size (the targets: PReLU
// forward >= 0.95x, backward with dslope >= 0.8x), and oneDNN's PReLU
// (one thread) where Debian's libdnnl has it. Names:
// prelu_<op>/<impl>/<shape>, with counter n (elements) and bytes moved.
// A PReLU row of a kernel also times lrelu of the same size on the same
// arrays in alternate batches (counter time_vs_lrelu, the ratio of the
// two times), so that its target's ratio sees one machine state.
#include "prelu.h"

#include <benchmark/benchmark.h>
#include <lrelu.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#ifdef HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace
{

struct Shape {
    const char *name;
    size_t outer, channels, inner; // the library's view
    int64_t n, c, h, w;            // the tensor
    bool nhwc;
};

const Shape kShapes[] = {
    // Larger than the caches (forward moves 51 MB): stores stream, as
    // lrelu's of the same size do.
    {"NCHW_32x64x56x56", 32, 64, 56 * 56, 32, 64, 56, 56, false},
    {"NCHW_8x64x56x56", 8, 64, 56 * 56, 8, 64, 56, 56, false},
    {"NHWC_8x56x56x64", 8 * 56 * 56, 64, 1, 8, 64, 56, 56, true},
    {"NCHW_1x16x7x7", 1, 16, 49, 1, 16, 7, 7, false},
    // A fully connected layer's output, batch of one: one row of channels.
    {"NHWC_1x1x1x1024", 1, 1024, 1, 1, 1024, 1, 1, true},
    // PyTorch's default nn.PReLU(): one slope shared by the whole tensor.
    {"shared_1x16x7x7", 1, 1, 16 * 7 * 7, 1, 16, 7, 7, false},
};

// The arrays: the benchmark's (alloc_array), as the lrelu rows' arrays
// are. From malloc, x and y sat on offsets within a cache line that
// depended on the allocator's history (after the first large free, glibc
// serves such sizes from its heap), and a mutual offset changes a call's
// time from memory (on Zen 5 it doubled AVX-512 forward's before the
// kernels kept x in a register; backward with dslope streams dx only
// where its runs start on a line).
struct Buffers {
    size_t n;
    Owned<float> x, dy, out, slope, dslope;
    explicit Buffers(const Shape &s)
        : n(s.outer * s.channels * s.inner), x(alloc_array<float>(n)), dy(alloc_array<float>(n)),
          out(alloc_array<float>(n)), slope(alloc_array<float>(s.channels)),
          dslope(alloc_array<float>(s.channels))
    {
        unsigned r = 12345;
        for (size_t i = 0; i < n; i++) {
            r = r * 1103515245u + 12345u;
            x[i] = (float)((int)(r >> 8) % 2001 - 1000) / 100.0f;
            dy[i] = (float)((int)(r >> 4) % 2001 - 1000) / 1000.0f;
        }
        for (size_t c = 0; c < s.channels; c++)
            slope[c] = 0.01f * (float)(c + 1);
    }
};

// An iteration is `calls` calls (counter batch, when more than one; not
// `calls`, which in-cache rows use for the arrays they go round).
void counters(benchmark::State &st, size_t n, size_t bytes_per_elem, size_t calls = 1)
{
    st.counters["n"] = (double)n;
    if (calls > 1)
        st.counters["batch"] = (double)calls;
    st.SetBytesProcessed((int64_t)st.iterations() * (int64_t)(calls * n * bytes_per_elem));
}

// Calls per timed batch: enough for the clock's cost to vanish on the
// small shapes.
size_t batch_of(size_t n) { return n < 65536 ? 64 : 1; }

template <typename F> double timed(const F &f, size_t calls)
{
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < calls; i++)
        f();
    benchmark::ClobberMemory();
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(t1 - t0).count();
}

// Times own in batches (an iteration), alternating with batches of same,
// which goes first in every other iteration. Returns the calls a batch.
template <typename F, typename G>
size_t alternate(benchmark::State &st, size_t n, const F &own, const G &same)
{
    const size_t calls = batch_of(n);
    own(), same(); // warms the caches
    double t_own = 0, t_same = 0;
    bool same_first = false;
    for (auto _ : st) {
        const double a = same_first ? timed(same, calls) : 0;
        const double t = timed(own, calls);
        const double b = same_first ? 0 : timed(same, calls);
        same_first = !same_first;
        t_own += t, t_same += a + b;
        st.SetIterationTime(t);
    }
    if (t_same > 0)
        st.counters["time_vs_lrelu"] = t_own / t_same;
    return calls;
}

#ifdef HAVE_ONEDNN
struct Dnnl {
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm{eng};
    dnnl::memory::desc data_md, w_md;
    dnnl::prelu_forward::primitive_desc fwd_pd;
    dnnl::prelu_backward::primitive_desc bwd_pd;
    explicit Dnnl(const Shape &s)
    {
        using tag = dnnl::memory::format_tag;
        using dt = dnnl::memory::data_type;
        data_md = dnnl::memory::desc({s.n, s.c, s.h, s.w}, dt::f32, s.nhwc ? tag::nhwc : tag::nchw);
        // One slope: weights of one element, broadcast over the tensor.
        w_md = dnnl::memory::desc({1, s.channels == 1 ? 1 : s.c, 1, 1}, dt::f32, tag::nchw);
        fwd_pd = dnnl::prelu_forward::primitive_desc(
            dnnl::prelu_forward::desc(dnnl::prop_kind::forward_training, data_md, w_md), eng);
        bwd_pd = dnnl::prelu_backward::primitive_desc(
            dnnl::prelu_backward::desc(data_md, w_md, data_md, w_md), eng, fwd_pd);
    }
};
#endif

} // namespace

void register_prelu(bool smoke)
{
    auto reg = [smoke](const std::string &name, std::function<void(benchmark::State &)> fn,
                       bool manual = false) {
        auto *b = benchmark::RegisterBenchmark(name.c_str(), fn);
        if (manual)
            b->UseManualTime();
        else
            b->UseRealTime();
        if (smoke)
            b->Iterations(1);
    };
    for (const Shape &s : kShapes) {
        const size_t n = s.outer * s.channels * s.inner;
        for (size_t k = 0; k < lrelu_kernel_count(); k++) {
            const std::string kernel = lrelu_kernel_name(k), impl = "lrelu:" + kernel;
            if (kernel != float_level(kernel))
                continue;
            // A kernel's PReLU row: its call alternating with lrelu's of
            // the same size (bytes a element: 8 forward, 12 backward).
            auto paired = [&](const char *op, size_t bytes, auto own, auto same) {
                reg(
                    std::string(op) + "/" + impl + "/" + s.name,
                    [=](benchmark::State &st) {
                        Buffers b(s);
                        lrelu_set_kernel(kernel.c_str());
                        const size_t calls = alternate(
                            st, n, [&] { own(b); }, [&] { same(b); });
                        lrelu_set_kernel(nullptr);
                        counters(st, n, bytes, calls);
                    },
                    true);
            };
            paired(
                "prelu_forward", 8,
                [s](Buffers &b) {
                    lrelu_prelu_forward(b.x.get(), b.out.get(), b.slope.get(), s.outer, s.channels,
                                        s.inner);
                },
                [n](Buffers &b) { lrelu_forward(b.x.get(), b.out.get(), n, 0.01f); });
            reg("prelu_forward/lrelu_same_size:" + kernel + "/" + s.name,
                [=](benchmark::State &st) {
                    Buffers b(s);
                    lrelu_set_kernel(kernel.c_str());
                    for (auto _ : st)
                        lrelu_forward(b.x.get(), b.out.get(), n, 0.01f);
                    lrelu_set_kernel(nullptr);
                    counters(st, n, 8);
                });
            paired(
                "prelu_backward", 12,
                [s](Buffers &b) {
                    lrelu_prelu_backward(b.x.get(), b.dy.get(), b.out.get(), b.slope.get(),
                                         b.dslope.get(), s.outer, s.channels, s.inner);
                },
                [n](Buffers &b) { lrelu_backward(b.x.get(), b.dy.get(), b.out.get(), n, 0.01f); });
            // dslope alone (dx NULL: the first layer's input needs no
            // gradient), next to lrelu_backward, which reads the same two
            // arrays; no bar.
            paired(
                "prelu_dslope", 8,
                [s](Buffers &b) {
                    lrelu_prelu_backward(b.x.get(), b.dy.get(), nullptr, b.slope.get(),
                                         b.dslope.get(), s.outer, s.channels, s.inner);
                },
                [n](Buffers &b) { lrelu_backward(b.x.get(), b.dy.get(), b.out.get(), n, 0.01f); });
            reg("prelu_backward/lrelu_same_size:" + kernel + "/" + s.name,
                [=](benchmark::State &st) {
                    Buffers b(s);
                    lrelu_set_kernel(kernel.c_str());
                    for (auto _ : st)
                        lrelu_backward(b.x.get(), b.dy.get(), b.out.get(), n, 0.01f);
                    lrelu_set_kernel(nullptr);
                    counters(st, n, 12);
                });
        }
#ifdef HAVE_ONEDNN
        reg(std::string("prelu_forward/peer:onednn/") + s.name, [=](benchmark::State &st) {
            Buffers b(s);
            Dnnl d(s);
            dnnl::memory src(d.data_md, d.eng, b.x.get()), w(d.w_md, d.eng, b.slope.get()),
                dst(d.data_md, d.eng, b.out.get());
            dnnl::prelu_forward prim(d.fwd_pd);
            for (auto _ : st) {
                prim.execute(d.strm,
                             {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}});
                d.strm.wait();
            }
            counters(st, n, 8);
        });
        reg(std::string("prelu_backward/peer:onednn/") + s.name, [=](benchmark::State &st) {
            Buffers b(s);
            Dnnl d(s);
            dnnl::memory src(d.data_md, d.eng, b.x.get()), w(d.w_md, d.eng, b.slope.get()),
                ddst(d.data_md, d.eng, b.dy.get()), dsrc(d.data_md, d.eng, b.out.get()),
                dw(d.w_md, d.eng, b.dslope.get());
            dnnl::prelu_backward prim(d.bwd_pd);
            for (auto _ : st) {
                prim.execute(d.strm, {{DNNL_ARG_SRC, src},
                                      {DNNL_ARG_WEIGHTS, w},
                                      {DNNL_ARG_DIFF_DST, ddst},
                                      {DNNL_ARG_DIFF_SRC, dsrc},
                                      {DNNL_ARG_DIFF_WEIGHTS, dw}});
                d.strm.wait();
            }
            counters(st, n, 12);
        });
#endif
    }
}
