// PReLU rows of the benchmark suite (bench/prelu.cpp).
#pragma once

#include <functional>

void register_prelu(bool smoke);
