// PReLU rows of the benchmark suite (bench/prelu.cpp).
#pragma once

#include <functional>
#include <string>

void register_prelu(bool smoke);

// Zeroed arrays of at least `bytes`, 64-byte aligned, large ones on 2 MiB
// boundaries with transparent huge pages asked for (bench.cpp); free().
unsigned char *alloc_bytes(size_t bytes);

// The level whose float functions kernel k runs (bench.cpp).
std::string float_level(const std::string &k);
