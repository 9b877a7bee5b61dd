/*
 * A program that loads liblrelu with dlopen, splits calls over OpenMP
 * threads, and unloads it, five times. The OpenMP runtime's threads outlive
 * the calls; run with OMP_WAIT_POLICY=active they keep spinning inside the
 * runtime, which must therefore stay loaded after dlclose (a segmentation
 * fault otherwise). Usage: test_parallel_dlclose LIBRARY
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        printf("usage: test_parallel_dlclose LIBRARY\n");
        return 2;
    }
    const size_t n = (size_t)1 << 21; /* 16 MiB moved forward: split */
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    if (x == NULL || y == NULL)
        return 1;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(i % 1000) - 500.0f;
    for (int round = 0; round < 5; round++) {
        void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (h == NULL) {
            printf("FAIL dlopen: %s\n", dlerror());
            return 1;
        }
        int (*set)(size_t) = (int (*)(size_t))dlsym(h, "lrelu_set_num_threads");
        int (*fwd)(const float *, float *, size_t, float) =
            (int (*)(const float *, float *, size_t, float))dlsym(h, "lrelu_forward");
        if (set == NULL || fwd == NULL || set(2) != 0) {
            printf("FAIL symbols, or 2 threads refused\n");
            return 1;
        }
        for (int k = 0; k < 4; k++) {
            memset(y, 0, n * sizeof *y);
            const float last = x[n - 1] > 0 ? x[n - 1] : 0.5f * x[n - 1];
            if (fwd(x, y, n, 0.5f) != 0 || y[0] != -250.0f || y[n - 1] != last) {
                printf("FAIL forward: y[0] %g, y[n - 1] %g, want %g\n", (double)y[0],
                       (double)y[n - 1], (double)last);
                return 1;
            }
        }
        dlclose(h);
    }
    free(x);
    free(y);
    printf("five dlopen, threaded calls, dlclose rounds\n");
    return 0;
}
