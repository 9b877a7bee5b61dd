// The header from C++: extern "C" linkage, the constants, a real call.
#include <cstdio>
#include <cstring>
#include <vector>

#include "lrelu.h"

int main()
{
    std::vector<float> x = {-4.0f, -1.0f, 0.0f, 3.0f}, y(x.size());
    int st = lrelu_forward(x.data(), y.data(), x.size(), 0.5f);
    const float want[] = {-2.0f, -0.5f, 0.0f, 3.0f};
    if (st != LRELU_OK || std::memcmp(y.data(), want, sizeof want) != 0) {
        std::printf("FAIL C++ call: status %d, y = %g %g %g %g\n", st, y[0], y[1], y[2], y[3]);
        return 1;
    }
    if (lrelu_forward(nullptr, y.data(), 1, 0.5f) != LRELU_EINVAL) {
        std::printf("FAIL C++ call with nullptr not refused\n");
        return 1;
    }
    std::printf("C++: %s on %s\n", lrelu_version(), lrelu_active_kernel());
    return 0;
}
