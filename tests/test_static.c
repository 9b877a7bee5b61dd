/*
 * A static link, and calls before the library's constructor has run: this
 * program's constructor (priority 101 runs before the default priority)
 * starts several threads whose very first act is a liblrelu call (lrelu_forward
 * or lrelu_prelu_forward). Each must get the right answer from the best
 * usable kernel, with the choice made exactly once.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lrelu.h"

#define THREADS 4
static const float x[5] = {-2.0f, -0.0f, 0.0f, 1.5f, -1e-37f};
static float y[THREADS][5];
static int status[THREADS];
static const char *seen[THREADS];

static void *first_call(void *arg)
{
    const size_t t = (size_t)arg;
    static const float slope[1] = {0.25f};
    /* Half of them start with PReLU, whose kernel table is the same. */
    status[t] =
        t % 2 ? lrelu_prelu_forward(x, y[t], slope, 1, 1, 5) : lrelu_forward(x, y[t], 5, 0.25f);
    seen[t] = lrelu_active_kernel();
    return NULL;
}

__attribute__((constructor(101))) static void before_library_constructor(void)
{
    pthread_t th[THREADS];
    for (size_t t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, first_call, (void *)t);
    for (size_t t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
}

int main(void)
{
    int fails = 0;
    const char *best = lrelu_kernel_name(lrelu_kernel_count() - 1);
    for (size_t t = 0; t < THREADS; t++) {
        if (status[t] != LRELU_OK) {
            printf("FAIL thread %zu: first call returned %d\n", t, status[t]);
            fails++;
        }
        if (seen[t] == NULL || strcmp(seen[t], best) != 0) {
            printf("FAIL thread %zu: first call ran on %s, the best usable is %s\n", t,
                   seen[t] ? seen[t] : "(null)", best);
            fails++;
        }
        for (size_t i = 0; i < 5; i++) {
            const float want = x[i] > 0 ? x[i] : 0.25f * x[i];
            if (memcmp(&want, &y[t][i], sizeof want) != 0) {
                printf("FAIL thread %zu index %zu: got %a want %a\n", t, i, (double)y[t][i],
                       (double)want);
                fails++;
            }
        }
    }
    printf("static link, first calls from %d threads before the constructor: %s on %s\n", THREADS,
           fails ? "FAILED" : "ok", best);
    return fails != 0;
}
