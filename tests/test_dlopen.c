/*
 * The shared library loaded with dlopen from several threads at once. In
 * each round, THREADS threads are released together; each opens the
 * library, looks up the API, checks that the active kernel is the best
 * usable one, computes a forward and a backward pass and checks them, then
 * closes it. The threads wait for each other between rounds, so the last
 * dlclose of a round unloads the library (checked with RTLD_NOLOAD) and the
 * next round loads and initialises it afresh while other threads are
 * loading it too.
 *
 * This program does not link the library; it takes its path as argument.
 */
#define _GNU_SOURCE /* RTLD_NOLOAD; pthread barriers */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lrelu.h"

#define THREADS 4
#define ROUNDS  8
#define N       37

static const char *path;
static pthread_barrier_t barrier;
static float x[N], dy[N];
static char first_kernel[32];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct api {
    int (*forward)(const float *, float *, size_t, float);
    int (*backward)(const float *, const float *, float *, size_t, float);
    const char *(*active_kernel)(void);
    size_t (*kernel_count)(void);
    const char *(*kernel_name)(size_t);
};

static int fail(size_t t, size_t round, const char *what, const char *detail)
{
    printf("FAIL thread %zu round %zu: %s%s%s\n", t, round, what, detail ? ": " : "",
           detail ? detail : "");
    return 1;
}

/* A function pointer from dlsym, as POSIX stores it (a data pointer's bits). */
static void lookup(void *h, const char *name, void *fn, size_t size)
{
    void *p = dlsym(h, name);
    memset(fn, 0, size);
    if (size == sizeof p)
        memcpy(fn, &p, sizeof p);
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* One round in one thread: open, check, compute, close. */
static int one_round(size_t t, size_t round)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        return fail(t, round, "dlopen", dlerror());
    int fails = 0;
    struct api a;
    lookup(h, "lrelu_forward", &a.forward, sizeof a.forward);
    lookup(h, "lrelu_backward", &a.backward, sizeof a.backward);
    lookup(h, "lrelu_active_kernel", &a.active_kernel, sizeof a.active_kernel);
    lookup(h, "lrelu_kernel_count", &a.kernel_count, sizeof a.kernel_count);
    lookup(h, "lrelu_kernel_name", &a.kernel_name, sizeof a.kernel_name);
    if (!a.forward || !a.backward || !a.active_kernel || !a.kernel_count || !a.kernel_name) {
        fails += fail(t, round, "dlsym", dlerror());
    } else {
        const char *active = a.active_kernel();
        const size_t count = a.kernel_count();
        const char *best = count ? a.kernel_name(count - 1) : NULL;
        if (best == NULL || strcmp(active, best) != 0)
            fails += fail(t, round, "the active kernel is not the best usable one", active);
        pthread_mutex_lock(&lock);
        if (first_kernel[0] == '\0')
            snprintf(first_kernel, sizeof first_kernel, "%s", active);
        else if (strcmp(first_kernel, active) != 0)
            fails += fail(t, round, "another load chose another kernel", active);
        pthread_mutex_unlock(&lock);

        float y[N], dx[N];
        const float alpha = 0.125f * (float)(t + 1);
        if (a.forward(x, y, N, alpha) != LRELU_OK || a.backward(x, dy, dx, N, alpha) != LRELU_OK)
            fails += fail(t, round, "a call returned an error", NULL);
        for (size_t i = 0; i < N && !fails; i++) {
            /* inputs are small exact values: alpha * v is exact */
            const float fy = x[i] > 0 ? x[i] : alpha * x[i];
            const float fdx = x[i] > 0 ? dy[i] : alpha * dy[i];
            if (!same_bits(y[i], fy) || !same_bits(dx[i], fdx))
                fails += fail(t, round, "wrong result", active);
        }
    }
    if (dlclose(h) != 0)
        fails += fail(t, round, "dlclose", dlerror());
    return fails;
}

static void *run(void *arg)
{
    const size_t t = (size_t)arg;
    size_t fails = 0;
    for (size_t round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&barrier); /* all load together */
        fails += (size_t)one_round(t, round);
        pthread_barrier_wait(&barrier); /* all closed: the library unloads */
        if (t == 0) {
            void *still = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
            if (still != NULL) {
                fails +=
                    (size_t)fail(t, round, "the library stayed loaded after every dlclose", NULL);
                dlclose(still);
            }
        }
    }
    return (void *)fails;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        printf("usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    path = argv[1];
    for (size_t i = 0; i < N; i++) {
        x[i] = (float)((int)(i % 11) - 5) * 0.5f; /* negatives, zeros, positives */
        dy[i] = (float)(i + 1) * 0.25f;
    }
    x[3] = -0.0f;
    pthread_barrier_init(&barrier, NULL, THREADS);
    pthread_t th[THREADS];
    for (size_t t = 0; t < THREADS; t++) {
        if (pthread_create(&th[t], NULL, run, (void *)t) != 0) {
            printf("FAIL pthread_create\n");
            return 1;
        }
    }
    size_t fails = 0;
    for (size_t t = 0; t < THREADS; t++) {
        void *r;
        pthread_join(th[t], &r);
        fails += (size_t)r;
    }
    pthread_barrier_destroy(&barrier);
    if (fails) {
        printf("%zu failure(s)\n", fails);
        return 1;
    }
    printf("%d threads x %d rounds of dlopen, check, dlclose: kernel %s every time\n", THREADS,
           ROUNDS, first_kernel);
    return 0;
}
