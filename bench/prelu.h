// PReLU rows of the benchmark suite (bench/prelu.cpp), and what they share
// with the lrelu rows (bench.cpp): the arrays.
#pragma once

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

void register_prelu(bool smoke);

// Zeroed arrays of at least `bytes`, 64-byte aligned, large ones on 2 MiB
// boundaries with transparent huge pages asked for (bench.cpp); free().
unsigned char *alloc_bytes(size_t bytes);

// An array from alloc_bytes, freed with its owner.
struct FreeBytes {
    void operator()(void *p) const { std::free(p); }
};
template <class T> using Owned = std::unique_ptr<T[], FreeBytes>;
template <class T> Owned<T> alloc_array(size_t n)
{
    return Owned<T>(reinterpret_cast<T *>(alloc_bytes(n * sizeof(T))));
}

// The level whose float functions kernel k runs (bench.cpp).
std::string float_level(const std::string &k);
