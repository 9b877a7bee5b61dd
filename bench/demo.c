/* Prints the kernel liblrelu chose on this machine and checks a few values
 * against the formula; exits non-zero on any mismatch. */
#include <stdio.h>
#include <string.h>

#include "lrelu.h"

int main(void)
{
    const float x[] = {-3.0f, -1.0f, -0.0f, 0.0f, 0.5f, 2.0f, -1e-37f, 1e30f, -1e30f};
    const size_t n = sizeof x / sizeof x[0];
    const float alpha = 0.01f;
    float y[sizeof x / sizeof x[0]];
    int bad = 0;

    printf("liblrelu %s\n", lrelu_version());
    printf("kernels usable here:");
    for (size_t i = 0; i < lrelu_kernel_count(); i++)
        printf(" %s", lrelu_kernel_name(i));
    printf("\nactive kernel: %s\n", lrelu_active_kernel());

    for (size_t k = 0; k < lrelu_kernel_count(); k++) {
        lrelu_set_kernel(lrelu_kernel_name(k));
        int st = lrelu_forward(x, y, n, alpha);
        if (st != LRELU_OK) {
            printf("%s: lrelu_forward failed: %s\n", lrelu_kernel_name(k), lrelu_strerror(st));
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            const float want = x[i] > 0 ? x[i] : alpha * x[i];
            if (memcmp(&want, &y[i], sizeof want) != 0) {
                printf("%s: x=%g gave %g, want %g\n", lrelu_kernel_name(k), x[i], y[i], want);
                bad = 1;
            }
        }
    }
    lrelu_set_kernel(NULL);
    printf("lrelu_forward(alpha=%g):", alpha);
    lrelu_forward(x, y, n, alpha);
    for (size_t i = 0; i < n; i++)
        printf(" %g->%g", x[i], y[i]);
    printf("\n%s\n", bad ? "MISMATCH" : "all kernels agree with the formula");
    return bad;
}
