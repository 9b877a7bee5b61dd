/* A program built out of tree against the installed library, as a user
 * would: pkg-config for the flags, linked shared or static. */
#include <stdio.h>
#include <string.h>

#include <lrelu.h>

int main(void)
{
    const float x[6] = {-4.0f, -1.0f, -0.0f, 0.0f, 2.5f, -1e-37f};
    float y[6], dx[6];
    const float dy[6] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
    int fails = 0;
    if (lrelu_forward(x, y, 6, 0.5f) != LRELU_OK ||
        lrelu_backward(x, dy, dx, 6, 0.5f) != LRELU_OK) {
        printf("FAIL a call was refused\n");
        return 1;
    }
    for (int i = 0; i < 6; i++) {
        const float wy = x[i] > 0 ? x[i] : 0.5f * x[i], wd = x[i] > 0 ? dy[i] : 0.5f * dy[i];
        fails += memcmp(&wy, &y[i], sizeof wy) != 0 || memcmp(&wd, &dx[i], sizeof wd) != 0;
    }
    if (lrelu_forward(x, y, 6, 1.0f / 0.0f) != LRELU_EINVAL)
        fails++;
    printf("consumer: liblrelu %s, kernel %s, %s\n", lrelu_version(), lrelu_active_kernel(),
           fails ? "FAILED" : "ok");
    return fails != 0;
}
