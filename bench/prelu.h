// PReLU rows of the benchmark suite (bench/prelu.cpp).
#pragma once

#include <functional>
#include <string>

void register_prelu(bool smoke);

// The level whose float functions kernel k runs (bench.cpp).
std::string float_level(const std::string &k);
