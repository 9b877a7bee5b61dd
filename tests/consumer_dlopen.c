/* Loads the installed library with dlopen and calls it through dlsym, as
 * plugin hosts and language bindings do: every public symbol must resolve
 * at its version node (LRELU_1, LRELU_1.1). Usage: consumer_dlopen PATH_TO_LIBRARY */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static const char *const names[] = {
        "lrelu_forward",       "lrelu_backward",   "lrelu_backward_from_output",
        "lrelu_active_kernel", "lrelu_set_kernel", "lrelu_kernel_count",
        "lrelu_kernel_name",   "lrelu_strerror",   "lrelu_version"};
    static const char *const names_1_1[] = {"lrelu_forward_ex", "lrelu_backward_ex",
                                            "lrelu_backward_from_output_ex",
                                            "lrelu_stream_threshold"};
    if (argc != 2) {
        fprintf(stderr, "usage: consumer_dlopen LIBRARY\n");
        return 2;
    }
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        printf("FAIL dlopen: %s\n", dlerror());
        return 1;
    }
    int fails = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (dlvsym(h, names[i], "LRELU_1") == NULL) {
            printf("FAIL %s@LRELU_1 not found\n", names[i]);
            fails++;
        }
    }
    for (size_t i = 0; i < sizeof names_1_1 / sizeof names_1_1[0]; i++) {
        if (dlvsym(h, names_1_1[i], "LRELU_1.1") == NULL) {
            printf("FAIL %s@LRELU_1.1 not found\n", names_1_1[i]);
            fails++;
        }
    }
    int (*forward)(const float *, float *, size_t, float);
    const char *(*version)(void);
    *(void **)&forward = dlsym(h, "lrelu_forward");
    *(void **)&version = dlsym(h, "lrelu_version");
    float x[3] = {-2.0f, 0.0f, 3.0f}, y[3];
    if (forward == NULL || version == NULL || forward(x, y, 3, 0.25f) != 0 || y[0] != -0.5f ||
        y[1] != 0.0f || y[2] != 3.0f) {
        printf("FAIL calling lrelu_forward through dlsym\n");
        fails++;
    }
    printf("dlopen: liblrelu %s, %s\n", version ? version() : "?", fails ? "FAILED" : "ok");
    dlclose(h);
    return fails != 0;
}
