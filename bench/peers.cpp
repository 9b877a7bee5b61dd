// The peers, each compiled in when its Debian package was found.
#include "peers.h"

#include <cstdio>
#include <cstdlib>

#include "naive.h"

#ifdef HAVE_EIGEN
#include <Eigen/Core>
#endif
#ifdef HAVE_XNNPACK
#include <xnnpack.h>
#endif
#ifdef HAVE_ONEDNN
#include <dnnl.h>
#ifdef HAVE_OPENMP
#include <omp.h>
#endif
#endif

namespace
{

PeerCall *plain(std::function<void()> run) { return new PeerCall{std::move(run), nullptr}; }

// The naive loop, built for the baseline target or for one ISA.
Peer naive_peer(const char *name, void (*fwd)(const float *, float *, size_t, float),
                void (*bwd)(const float *, const float *, float *, size_t, float))
{
    return {name,
            [fwd](const float *x, float *y, size_t n, float a) {
                return plain([=] { fwd(x, y, n, a); });
            },
            [bwd](const float *x, const float *dy, float *dx, size_t n, float a) {
                return plain([=] { bwd(x, dy, dx, n, a); });
            }};
}

#ifdef HAVE_EIGEN
Peer eigen_peer()
{
    using Arr = Eigen::Array<float, Eigen::Dynamic, 1>;
    return {"eigen",
            [](const float *x, float *y, size_t n, float a) {
                return plain([=] {
                    Eigen::Map<const Arr> X(x, (Eigen::Index)n);
                    Eigen::Map<Arr> Y(y, (Eigen::Index)n);
                    Y = (X > 0.0f).select(X, a * X);
                });
            },
            [](const float *x, const float *dy, float *dx, size_t n, float a) {
                return plain([=] {
                    Eigen::Map<const Arr> X(x, (Eigen::Index)n), G(dy, (Eigen::Index)n);
                    Eigen::Map<Arr> D(dx, (Eigen::Index)n);
                    D = (X > 0.0f).select(G, a * G);
                });
            }};
}
#endif

#ifdef HAVE_XNNPACK
// XNNPACK's leaky ReLU operator over one row of n channels, single-threaded
// (no thread pool). It has no backward pass.
Peer xnnpack_peer()
{
    return {"xnnpack",
            [](const float *x, float *y, size_t n, float a) -> PeerCall * {
                xnn_operator_t op = nullptr;
                if (xnn_create_leaky_relu_nc_f32(n, n, n, a, 0, &op) != xnn_status_success ||
                    xnn_setup_leaky_relu_nc_f32(op, 1, x, y, nullptr) != xnn_status_success) {
                    std::fprintf(stderr, "bench: XNNPACK operator setup failed for n=%zu\n", n);
                    std::exit(1);
                }
                return new PeerCall{[op] { xnn_run_operator(op, nullptr); },
                                    [op] { xnn_delete_operator(op); }};
            },
            nullptr};
}
#endif

#ifdef HAVE_XNNPACK
// XNNPACK's quantized uint8 leaky ReLU operator over one row of n channels.
// Releases before its fixed-point qu8-vlrelu kernels (Debian 12's among
// them) fill a 256-entry table in float arithmetic and refuse alpha outside
// (0, 1]: its results may differ from lrelu_forward_qu8 by one near a
// rounding boundary, which the benchmark's check counts.
QuantPeer xnnpack_qu8_peer()
{
    return {"xnnpack",
            [](const uint8_t *x, uint8_t *y, size_t n, const lrelu_quant &q) -> PeerCall * {
                xnn_operator_t op = nullptr;
                if (xnn_create_leaky_relu_nc_qu8(n, n, n, q.alpha, (uint8_t)q.input_zero_point,
                                                 q.input_scale, (uint8_t)q.output_zero_point,
                                                 q.output_scale, 0, 255, 0,
                                                 &op) != xnn_status_success ||
                    xnn_setup_leaky_relu_nc_qu8(op, 1, x, y, nullptr) != xnn_status_success) {
                    std::fprintf(stderr, "bench: XNNPACK qu8 operator setup failed for n=%zu\n", n);
                    std::exit(1);
                }
                return new PeerCall{[op] { xnn_run_operator(op, nullptr); },
                                    [op] { xnn_delete_operator(op); }};
            }};
}
#endif

#ifdef HAVE_ONEDNN
// oneDNN 2.x C API: eltwise ReLU with alpha as the negative slope.
dnnl_engine_t dnnl_eng;
dnnl_stream_t dnnl_str;

void dnnl_check(dnnl_status_t st, const char *what)
{
    if (st != dnnl_success) {
        std::fprintf(stderr, "bench: oneDNN %s failed (%d)\n", what, (int)st);
        std::exit(1);
    }
}

struct DnnlCall {
    dnnl_primitive_desc_t fwd_pd = nullptr, pd = nullptr;
    dnnl_primitive_t prim = nullptr;
    std::vector<dnnl_memory_t> mems;
    std::vector<dnnl_exec_arg_t> args;

    void add(int arg, const dnnl_memory_desc_t *md, const float *p)
    {
        dnnl_memory_t m;
        dnnl_check(dnnl_memory_create(&m, md, dnnl_eng, const_cast<float *>(p)), "memory");
        mems.push_back(m);
        args.push_back({arg, m});
    }
    void run()
    {
        dnnl_check(dnnl_primitive_execute(prim, dnnl_str, (int)args.size(), args.data()),
                   "execute");
        dnnl_stream_wait(dnnl_str);
    }
    ~DnnlCall()
    {
        for (auto m : mems)
            dnnl_memory_destroy(m);
        dnnl_primitive_destroy(prim);
        dnnl_primitive_desc_destroy(pd);
        if (fwd_pd)
            dnnl_primitive_desc_destroy(fwd_pd);
    }
};

dnnl_memory_desc_t dnnl_md(size_t n)
{
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {(dnnl_dim_t)n};
    dnnl_check(dnnl_memory_desc_init_by_tag(&md, 1, dims, dnnl_f32, dnnl_a), "memory desc");
    return md;
}

PeerCall *wrap(DnnlCall *c)
{
    return new PeerCall{[c] { c->run(); }, [c] { delete c; }};
}

Peer onednn_peer()
{
#ifdef HAVE_OPENMP
    omp_set_num_threads(1);
#endif
    dnnl_check(dnnl_engine_create(&dnnl_eng, dnnl_cpu, 0), "engine");
    dnnl_check(dnnl_stream_create(&dnnl_str, dnnl_eng, dnnl_stream_default_flags), "stream");
    return {"onednn",
            [](const float *x, float *y, size_t n, float a) {
                auto *c = new DnnlCall;
                dnnl_memory_desc_t md = dnnl_md(n);
                dnnl_eltwise_desc_t d;
                dnnl_check(dnnl_eltwise_forward_desc_init(&d, dnnl_forward_inference,
                                                          dnnl_eltwise_relu, &md, a, 0.0f),
                           "forward desc");
                dnnl_check(dnnl_primitive_desc_create(&c->pd, &d, nullptr, dnnl_eng, nullptr),
                           "forward pd");
                dnnl_check(dnnl_primitive_create(&c->prim, c->pd), "forward primitive");
                c->add(DNNL_ARG_SRC, &md, x);
                c->add(DNNL_ARG_DST, &md, y);
                return wrap(c);
            },
            [](const float *x, const float *dy, float *dx, size_t n, float a) {
                auto *c = new DnnlCall;
                dnnl_memory_desc_t md = dnnl_md(n);
                dnnl_eltwise_desc_t fd, bd;
                dnnl_check(dnnl_eltwise_forward_desc_init(&fd, dnnl_forward_training,
                                                          dnnl_eltwise_relu, &md, a, 0.0f),
                           "forward desc");
                dnnl_check(dnnl_primitive_desc_create(&c->fwd_pd, &fd, nullptr, dnnl_eng, nullptr),
                           "forward pd");
                dnnl_check(
                    dnnl_eltwise_backward_desc_init(&bd, dnnl_eltwise_relu, &md, &md, a, 0.0f),
                    "backward desc");
                dnnl_check(dnnl_primitive_desc_create(&c->pd, &bd, nullptr, dnnl_eng, c->fwd_pd),
                           "backward pd");
                dnnl_check(dnnl_primitive_create(&c->prim, c->pd), "backward primitive");
                c->add(DNNL_ARG_SRC, &md, x);
                c->add(DNNL_ARG_DIFF_DST, &md, dy);
                c->add(DNNL_ARG_DIFF_SRC, &md, dx);
                return wrap(c);
            }};
}
#endif

} // namespace

std::vector<Peer> make_peers(std::vector<std::string> &skipped)
{
    std::vector<Peer> peers;
#ifdef HAVE_XNNPACK
    if (xnn_initialize(nullptr) == xnn_status_success)
        peers.push_back(xnnpack_peer());
    else
        skipped.push_back("XNNPACK: xnn_initialize failed on this CPU");
#else
    skipped.push_back("XNNPACK: not found at build time (libxnnpack-dev, libpthreadpool-dev)");
#endif
#ifdef HAVE_ONEDNN
    peers.push_back(onednn_peer());
#else
    skipped.push_back("oneDNN: not found at build time (libdnnl-dev)");
#endif
#ifdef HAVE_EIGEN
    peers.push_back(eigen_peer());
#else
    skipped.push_back("Eigen: not found at build time (libeigen3-dev)");
#endif
    peers.push_back(naive_peer("naive", naive_forward_base, naive_backward_base));
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
#ifdef HAVE_AVX2
    if (__builtin_cpu_supports("avx2"))
        peers.push_back(naive_peer("naive_avx2", naive_forward_avx2, naive_backward_avx2));
#endif
#ifdef HAVE_AVX512
    if (__builtin_cpu_supports("avx512f"))
        peers.push_back(naive_peer("naive_avx512", naive_forward_avx512, naive_backward_avx512));
#endif
#endif
    return peers;
}

std::vector<QuantPeer> make_qu8_peers(std::vector<std::string> &skipped)
{
    std::vector<QuantPeer> peers;
#ifdef HAVE_XNNPACK
    if (xnn_initialize(nullptr) == xnn_status_success)
        peers.push_back(xnnpack_qu8_peer());
    else
        skipped.push_back("XNNPACK qu8: xnn_initialize failed on this CPU");
#else
    (void)skipped; // said once, with the float32 peers
#endif
    return peers;
}
