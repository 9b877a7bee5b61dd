// The C and C++ peers liblrelu is compared with, each optional.
#ifndef LRELU_BENCH_PEERS_H
#define LRELU_BENCH_PEERS_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lrelu.h"

// A peer's operation bound to its arrays: setup happens when it is made,
// run() is the timed call, and the destructor releases what setup made.
struct PeerCall {
    std::function<void()> run;
    std::function<void()> release;
    ~PeerCall()
    {
        if (release)
            release();
    }
};

struct Peer {
    std::string name; // as in the benchmark names: "xnnpack", "onednn", ...
    std::function<PeerCall *(const float *x, float *y, size_t n, float alpha)> forward;
    // Empty when the peer has no backward pass.
    std::function<PeerCall *(const float *x, const float *dy, float *dx, size_t n, float alpha)>
        backward;
};

// The peers built in; `skipped` gets one line for each that is not.
std::vector<Peer> make_peers(std::vector<std::string> &skipped);

// A peer of the quantized uint8 forward (qu8), with its parameters.
struct QuantPeer {
    std::string name;
    std::function<PeerCall *(const uint8_t *x, uint8_t *y, size_t n, const lrelu_quant &q)> forward;
};

// The qu8 peers built in (XNNPACK's leaky ReLU operator where Debian's
// libxnnpack has it); `skipped` gets one line for each that is not.
std::vector<QuantPeer> make_qu8_peers(std::vector<std::string> &skipped);

#endif
