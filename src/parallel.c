/*
 * Threads: the settings (lrelu_set_num_threads, lrelu_set_parallel_for,
 * LRELU_NUM_THREADS) and the one helper that runs a number of independent
 * tasks through the caller's parallel-for, OpenMP, or this thread.
 *
 * The settings are process-wide. The thread count is one atomic; the
 * caller's parallel-for is a pair (function, pool) read under a sequence
 * count, so that a call never pairs one setting's function with another's
 * pool. Writers take a mutex. Every change recomputes lrelu_split_min, the
 * element counts from which the entry points split a call (SIZE_MAX while
 * there is one thread and no pool), and with it lrelu_direct_max, below
 * which a call neither splits nor streams: a tiny call pays one load and
 * one compare for both.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cpu.h"
#include "env.h"
#include "parallel.h"

#if LRELU_HAVE_OPENMP
#include <dlfcn.h>
#include <omp.h>
#endif

#define NEVER4                                                                                     \
    {                                                                                              \
        SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX                                                     \
    }
_Atomic size_t lrelu_split_min[2][LRELU_TYPE_COUNT] = {NEVER4, NEVER4};
_Atomic size_t lrelu_direct_max[2][LRELU_TYPE_COUNT];

static _Atomic size_t threads = 1; /* 0: OpenMP's default */
static _Atomic unsigned pool_seq;  /* odd while a writer changes the pair */
static _Atomic(lrelu_parallel_for_fn) pool_fn;
static _Atomic(void *) pool_arg;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Under lock: the split thresholds for the current settings, and with
 * them the direct ones (the streaming threshold, as src/dispatch.c sets
 * it, being fixed at initialisation). */
static void update_split_min(void)
{
    const int on = atomic_load_explicit(&pool_fn, memory_order_relaxed) != NULL ||
                   atomic_load_explicit(&threads, memory_order_relaxed) != 1;
    const size_t cache = lrelu_cpu_stream_bytes();
    for (size_t t = 0; t < LRELU_TYPE_COUNT; t++) {
        for (int op = 0; op < 2; op++) {
            const size_t per = lrelu_moved_bytes(op, (enum lrelu_type)t);
            const size_t split = on ? (LRELU_SPLIT_MIN_BYTES + per - 1) / per : SIZE_MAX;
            const size_t stream = cache == SIZE_MAX ? SIZE_MAX : cache / per;
            atomic_store_explicit(&lrelu_split_min[op][t], split, memory_order_relaxed);
            atomic_store_explicit(&lrelu_direct_max[op][t], split < stream ? split : stream,
                                  memory_order_relaxed);
        }
    }
}

/* LRELU_NUM_THREADS, once: decimal digits, 0 to LRELU_MAX_THREADS. */
static void init(void)
{
    pthread_mutex_lock(&lock);
    update_split_min();
    pthread_mutex_unlock(&lock);
    const char *v = lrelu_getenv("LRELU_NUM_THREADS");
    if (v == NULL || v[0] == '\0')
        return;
    size_t n = 0, i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && n <= LRELU_MAX_THREADS; i++)
        n = 10 * n + (size_t)(v[i] - '0');
    if (v[i] != '\0' || n > LRELU_MAX_THREADS) {
        lrelu_warn_env("LRELU_NUM_THREADS", v, "not a thread count (0 for all cores, 1 to 1024)");
        return;
    }
    if (!LRELU_HAVE_OPENMP && n != 1) {
        lrelu_warn_env("LRELU_NUM_THREADS", v, "this liblrelu is built without OpenMP");
        return;
    }
    pthread_mutex_lock(&lock);
    atomic_store_explicit(&threads, n, memory_order_relaxed);
    update_split_min();
    pthread_mutex_unlock(&lock);
}

#if LRELU_HAVE_OPENMP
static pthread_once_t pin_once = PTHREAD_ONCE_INIT;
static void pin_runtime(void);
#endif

/* At load, the OpenMP runtime is pinned for the life of the process (see
 * pin_runtime): also when no parallel region ever runs, since a program
 * that dlopens and dlcloses liblrelu would otherwise load and unload the
 * runtime each time, losing what its initialisation allocated. */
__attribute__((constructor)) static void parallel_constructor(void)
{
    pthread_once(&once, init);
#if LRELU_HAVE_OPENMP
    pthread_once(&pin_once, pin_runtime);
#endif
}

/* The thread count a setting stands for in the calling thread. */
static size_t resolve(size_t n)
{
#if LRELU_HAVE_OPENMP
    if (n == 0) {
        const int m = omp_get_max_threads();
        return m > 1 ? (size_t)m : 1;
    }
    return n;
#else
    (void)n;
    return 1;
#endif
}

int lrelu_set_num_threads(size_t n)
{
    pthread_once(&once, init);
    if (n > LRELU_MAX_THREADS)
        return LRELU_EINVAL;
    if (!LRELU_HAVE_OPENMP && n != 1)
        return LRELU_EUNSUPPORTED;
    pthread_mutex_lock(&lock);
    atomic_store_explicit(&threads, n, memory_order_relaxed);
    update_split_min();
    pthread_mutex_unlock(&lock);
    return LRELU_OK;
}

size_t lrelu_num_threads(void)
{
    pthread_once(&once, init);
    return resolve(atomic_load_explicit(&threads, memory_order_relaxed));
}

int lrelu_set_parallel_for(lrelu_parallel_for_fn fn, void *pool)
{
    pthread_once(&once, init);
    pthread_mutex_lock(&lock);
    const unsigned s = atomic_load_explicit(&pool_seq, memory_order_relaxed);
    atomic_store_explicit(&pool_seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&pool_fn, fn, memory_order_relaxed);
    atomic_store_explicit(&pool_arg, fn != NULL ? pool : NULL, memory_order_relaxed);
    atomic_store_explicit(&pool_seq, s + 2, memory_order_release);
    update_split_min();
    pthread_mutex_unlock(&lock);
    return LRELU_OK;
}

void lrelu_parallel_get(struct lrelu_parallel *p)
{
    unsigned s;
    do {
        s = atomic_load_explicit(&pool_seq, memory_order_acquire);
        p->fn = atomic_load_explicit(&pool_fn, memory_order_relaxed);
        p->pool = atomic_load_explicit(&pool_arg, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
    } while ((s & 1) != 0 || atomic_load_explicit(&pool_seq, memory_order_relaxed) != s);
    p->threads = resolve(atomic_load_explicit(&threads, memory_order_relaxed));
}

size_t lrelu_parallel_tasks(const struct lrelu_parallel *p, size_t bytes)
{
    if (p->fn != NULL)
        return bytes >= 2 * LRELU_TASK_BYTES ? bytes / LRELU_TASK_BYTES : 1;
    return p->threads;
}

#if LRELU_HAVE_OPENMP
/* The OpenMP runtime keeps its threads after a parallel region, spinning
 * for a while, then asleep inside it. A program that loaded liblrelu with
 * dlopen and unloads it would unload the runtime too (libgomp is not
 * NODELETE), under threads still running its code. So before the first
 * parallel region, the runtime is pinned for the life of the process. */
static void pin_runtime(void)
{
    Dl_info info;
    if (dladdr((void *)(uintptr_t)omp_get_max_threads, &info) != 0 && info.dli_fname != NULL)
        (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}
#endif

void lrelu_parallel_run(const struct lrelu_parallel *p, lrelu_task_fn task, void *arg, size_t count)
{
    if (count > 1 && p->fn != NULL) {
        p->fn(p->pool, task, arg, count);
        return;
    }
#if LRELU_HAVE_OPENMP
    const size_t team = p->threads < count ? p->threads : count;
    if (team > 1) {
        pthread_once(&pin_once, pin_runtime);
#pragma omp parallel for num_threads((int)team) schedule(static)
        for (size_t i = 0; i < count; i++)
            task(arg, i);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++)
        task(arg, i);
}
