/*
 * Threads: large calls split over OpenMP threads or a caller's
 * parallel-for give the same bits as the unsplit call, for every operation,
 * element type, store flag and alignment; with 1, 2, 3 and 8 threads and
 * through test pools that run the tasks in reverse order on threads of
 * their own. The chunks a pool sees are contiguous, disjoint, cover the
 * call, start on 64-byte boundaries of the output and number bytes / task
 * size; the pool is never called for calls below the threshold. PReLU
 * (forward, dx alone, dslope alone, both) on NCHW, NHWC and shared-slope
 * shapes gives one thread's bits, dslope included, likewise. Many
 * caller threads call concurrently while the settings (and the kernel)
 * change under them.
 * LRELU_NUM_THREADS is read at load (child processes).
 *
 * Linked with the library's objects (as test_cpu), so that the internals
 * (thresholds, the task runner) can be checked too.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "child.h"
#include "config.h"
#include "cpu.h"
#include "dispatch.h"
#include "lrelu.h"
#include "parallel.h"

static int quick;

static const size_t sizes[LRELU_TYPE_COUNT] = {4, 2, 2, 8};
static const char *const type_names[LRELU_TYPE_COUNT] = {"f32", "f16", "bf16", "f64"};
static const char *const op_names[3] = {"forward", "backward", "backward_from_output"};

/* op 0 forward, 1 backward, 2 backward from the output; alpha 0.01. */
static int call(enum lrelu_type t, int op, const void *in, const void *dy, void *out, size_t n,
                unsigned flags)
{
#define CALL(sfx, elem, a)                                                                         \
    switch (op) {                                                                                  \
    case 0:                                                                                        \
        return lrelu_forward##sfx##_ex(in, out, n, a, flags);                                      \
    case 1:                                                                                        \
        return lrelu_backward##sfx##_ex(in, dy, out, n, a, flags);                                 \
    default:                                                                                       \
        return lrelu_backward_from_output##sfx##_ex(in, dy, out, n, a, flags);                     \
    }
    switch (t) {
    case LRELU_TYPE_f32:
        CALL(, float, 0.01f)
    case LRELU_TYPE_f16:
        CALL(_f16, uint16_t, 0.01f)
    case LRELU_TYPE_bf16:
        CALL(_bf16, uint16_t, 0.01f)
    default:
        CALL(_f64, double, 0.01)
    }
#undef CALL
}

static void *xmalloc(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (p == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    return p;
}

static uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* The same bits, or both NaN: which of a channel's NaN terms a NaN dslope
 * carries is left open (C does not fix the payload of a sum of two NaNs,
 * and the compiler may order each addition's operands either way), as in
 * test_prelu. */
static int same_float(float a, float b)
{
    const uint32_t u = f2u(a), v = f2u(b);
    return u == v || ((u & 0x7fffffffu) > 0x7f800000u && (v & 0x7fffffffu) > 0x7f800000u);
}

static uint64_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 11;
}

/* Random bytes: every bit pattern of every type, NaNs and all. */
static void fill_random(void *p, size_t bytes, uint64_t seed)
{
    unsigned char *b = p;
    for (size_t i = 0; i < bytes; i++)
        b[i] = (unsigned char)(rng(&seed) >> 24);
}

/* ---- test pools ----------------------------------------------------- */

/* Runs the tasks on POOL_THREADS threads of its own (never the caller's),
 * each taking every POOL_THREADS-th task from the last one down. */
#define POOL_THREADS 3
struct test_pool {
    atomic_size_t calls, tasks;
    atomic_int on_caller; /* a task ran on the calling thread */
};

struct pool_job {
    lrelu_task_fn task;
    void *arg;
    size_t count, first;
    pthread_t caller;
    struct test_pool *pool;
};

/* A test pool's thread. Its stack is smaller than the OpenMP runtime's
 * (8 MiB by default): glibc keeps a joined thread's stack, with its
 * thread-local storage, for the next thread that asks for at most that
 * size, and an OpenMP thread taking over a pool thread's stack, alive at
 * exit, would make memcheck report that storage as allocated here (the
 * suppression in valgrind.supp matches the runtime's own allocations). */
static void start_pool_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, (size_t)1 << 20) != 0 ||
        pthread_create(th, &attr, fn, arg) != 0) {
        printf("FAIL pthread_create\n");
        exit(1);
    }
    pthread_attr_destroy(&attr);
}

static void *pool_worker(void *p)
{
    struct pool_job *j = p;
    if (pthread_equal(pthread_self(), j->caller))
        atomic_store(&j->pool->on_caller, 1);
    for (size_t k = j->first; k < j->count; k += POOL_THREADS) {
        j->task(j->arg, j->count - 1 - k);
        atomic_fetch_add(&j->pool->tasks, 1);
    }
    return NULL;
}

static void reverse_pool(void *pool, lrelu_task_fn task, void *arg, size_t count)
{
    struct test_pool *tp = pool;
    atomic_fetch_add(&tp->calls, 1);
    struct pool_job jobs[POOL_THREADS];
    pthread_t th[POOL_THREADS];
    for (size_t i = 0; i < POOL_THREADS; i++) {
        jobs[i] = (struct pool_job){task, arg, count, i, pthread_self(), tp};
        start_pool_thread(&th[i], pool_worker, &jobs[i]);
    }
    for (size_t i = 0; i < POOL_THREADS; i++)
        pthread_join(th[i], NULL);
}

/* The split settings checked against one thread: 1, 2, 3 and 8 OpenMP
 * threads, then (0) one thread and the reverse-order pool. The quick mode
 * leaves out the first. */
static const size_t split_settings[] = {1, 2, 3, 8, 0};
#define SPLIT_SETTINGS (sizeof split_settings / sizeof split_settings[0])

/* Makes split_settings[s] the library's; 0 when this build has no such
 * setting (no OpenMP). */
static int use_split_setting(size_t s, struct test_pool *tp)
{
    if (split_settings[s] == 0) {
        lrelu_set_num_threads(1);
        lrelu_set_parallel_for(reverse_pool, tp);
        return 1;
    }
    return lrelu_set_num_threads(split_settings[s]) == LRELU_OK;
}

/* The library's defaults again: the best kernel, no pool, one thread. */
static void restore_defaults(void)
{
    lrelu_set_kernel(NULL);
    lrelu_set_parallel_for(NULL, NULL);
    lrelu_set_num_threads(1);
}

/* One task at a time, last first, on one thread of its own, noting after
 * each which elements of the output it wrote: the output buffer is filled
 * with a byte no call writes here, scanned whole after each task, and the
 * task's range filled again. */
struct probe {
    size_t calls, count;
    unsigned char *base; /* the whole buffer, 64-byte aligned */
    size_t base_len;     /* a multiple of 8 */
    const unsigned char *out;
    size_t size, n;
    unsigned char fill;
    size_t begin[4096], end[4096];
    int bad;         /* a task wrote nothing, a broken range, or outside the output */
    int quiet_first; /* the first call's tasks write nothing (dslope's units) */
};

struct probe_job {
    struct probe *p;
    lrelu_task_fn task;
    void *arg;
};

static int written(const struct probe *p, size_t i)
{
    for (size_t b = 0; b < p->size; b++)
        if (p->out[i * p->size + b] != p->fill)
            return 1;
    return 0;
}

static void *probe_worker(void *arg)
{
    struct probe_job *j = arg;
    struct probe *p = j->p;
    uint64_t fill8;
    memset(&fill8, p->fill, 8);
    for (size_t k = p->count; k-- > 0;) {
        j->task(j->arg, k);
        size_t lo = SIZE_MAX, hi = 0; /* first and last changed byte */
        for (size_t w = 0; w < p->base_len; w += 8) {
            uint64_t v;
            memcpy(&v, p->base + w, 8);
            if (v == fill8)
                continue;
            for (size_t b = w; b < w + 8; b++)
                if (p->base[b] != p->fill) {
                    lo = b < lo ? b : lo;
                    hi = b;
                }
        }
        const size_t start = (size_t)(p->out - p->base);
        if (lo == SIZE_MAX || lo < start || hi >= start + p->n * p->size) {
            p->bad = 1;
            continue;
        }
        const size_t b = (lo - start) / p->size, e = (hi - start) / p->size + 1;
        for (size_t i = b; i < e; i++)
            if (!written(p, i))
                p->bad = 1;
        p->begin[k] = b;
        p->end[k] = e;
        memset(p->base + start + b * p->size, p->fill, (e - b) * p->size);
    }
    return NULL;
}

static void probe_pool(void *pool, lrelu_task_fn task, void *arg, size_t count)
{
    struct probe *p = pool;
    p->calls++;
    if (p->quiet_first && p->calls == 1) {
        /* Run them, and check that they wrote nothing. */
        for (size_t k = 0; k < count; k++)
            task(arg, k);
        for (size_t w = 0; w < p->base_len; w++)
            if (p->base[w] != p->fill)
                p->bad = 1;
        return;
    }
    p->count = count;
    if (count > 4096) {
        p->bad = 1;
        return;
    }
    struct probe_job j = {p, task, arg};
    pthread_t th;
    start_pool_thread(&th, probe_worker, &j);
    pthread_join(th, NULL);
}

/* ---- the tests ------------------------------------------------------ */

#if LRELU_HAVE_OPENMP
static void note(void *arg, size_t i) { ((pthread_t *)arg)[i] = pthread_self(); }
#endif

/* The number of elements of type t from which op is split. */
static size_t split_n(enum lrelu_type t, int op)
{
    const size_t per = (op == 0 ? 2 : 3) * sizes[t];
    return (LRELU_SPLIT_MIN_BYTES + per - 1) / per;
}

static void test_settings(void)
{
    if (getenv("LRELU_NUM_THREADS") == NULL) {
        CHECK(lrelu_num_threads() == 1, "default thread count %zu, want 1", lrelu_num_threads());
        for (int op = 0; op < 2; op++)
            for (int t = 0; t < LRELU_TYPE_COUNT; t++)
                CHECK(lrelu_split_min_n(op, (enum lrelu_type)t) == SIZE_MAX,
                      "1 thread, no pool: %s %s splits from %zu elements", op_names[op],
                      type_names[t], lrelu_split_min_n(op, (enum lrelu_type)t));
    }
    CHECK(lrelu_set_num_threads(1) == LRELU_OK, "set 1");
    CHECK(lrelu_set_num_threads(1025) == LRELU_EINVAL, "1025 threads accepted");
    CHECK(lrelu_num_threads() == 1, "a refused setting changed the count");
#if LRELU_HAVE_OPENMP
    CHECK(lrelu_set_num_threads(3) == LRELU_OK && lrelu_num_threads() == 3, "set 3: %zu",
          lrelu_num_threads());
    for (int op = 0; op < 2; op++)
        for (int t = 0; t < LRELU_TYPE_COUNT; t++)
            CHECK(lrelu_split_min_n(op, (enum lrelu_type)t) == split_n((enum lrelu_type)t, op),
                  "3 threads: %s %s splits from %zu elements, want %zu", op_names[op],
                  type_names[t], lrelu_split_min_n(op, (enum lrelu_type)t),
                  split_n((enum lrelu_type)t, op));
    CHECK(lrelu_set_num_threads(0) == LRELU_OK && lrelu_num_threads() >= 1, "set 0: %zu",
          lrelu_num_threads());
    /* The runner really uses the threads: 8 tasks on 2 threads. */
    lrelu_set_num_threads(2);
    struct lrelu_parallel p;
    lrelu_parallel_get(&p);
    CHECK(p.fn == NULL && p.threads == 2, "snapshot: fn %p threads %zu", (void *)p.fn, p.threads);
    static pthread_t ids[8];
    lrelu_parallel_run(&p, note, ids, 8);
    size_t distinct = 1;
    for (size_t i = 1; i < 8; i++) {
        size_t j = 0;
        while (j < i && !pthread_equal(ids[i], ids[j]))
            j++;
        distinct += j == i;
    }
    CHECK(distinct == 2, "8 tasks on 2 OpenMP threads ran on %zu threads", distinct);
#else
    CHECK(lrelu_set_num_threads(2) == LRELU_EUNSUPPORTED, "no OpenMP: 2 threads accepted");
    CHECK(lrelu_set_num_threads(0) == LRELU_EUNSUPPORTED, "no OpenMP: 0 threads accepted");
    CHECK(lrelu_num_threads() == 1, "no OpenMP: count %zu", lrelu_num_threads());
#endif
    lrelu_set_num_threads(1);
    struct test_pool tp = {0};
    lrelu_set_parallel_for(reverse_pool, &tp);
    CHECK(lrelu_split_min_n(0, LRELU_TYPE_f32) == split_n(LRELU_TYPE_f32, 0),
          "a pool with 1 thread does not split");
    lrelu_set_parallel_for(NULL, &tp);
    CHECK(lrelu_split_min_n(0, LRELU_TYPE_f32) == SIZE_MAX, "NULL pool, 1 thread: still splits");
}

/* Same bits for every setting, operation, type, flag and alignment. */
static void test_same_bits(void)
{
    const unsigned flag_set[3] = {LRELU_STORE_AUTO, LRELU_STORE_STREAM, LRELU_STORE_CACHED};
    const size_t offs[][2] = {{0, 0}, {1, 3}, {5, 0}}; /* input, output offset in elements */
    struct test_pool tp = {0};
    size_t checked = 0;
    /* The best kernel, then the scalar one: ThreadSanitizer sees the
     * scalar kernel's plain stores, not the SIMD kernels' intrinsics. The
     * quick mode (valgrind, TSan) takes the scalar one, 2, 3, 8 threads and
     * the pool, the streaming flag and misaligned arrays. */
    for (int kern = quick; kern < 2; kern++) {
        lrelu_set_kernel(kern ? "scalar" : NULL);
        for (int t = 0; t < LRELU_TYPE_COUNT; t++) {
            const size_t size = sizes[t];
            /* over the threshold of both operations, not a whole number of lines */
            const size_t n = LRELU_SPLIT_MIN_BYTES / size + 37 + 64;
            const size_t bytes = (n + 8) * size;
            unsigned char *x = xmalloc(bytes), *dy = xmalloc(bytes), *want = xmalloc(bytes),
                          *got = xmalloc(bytes);
            fill_random(x, bytes, 1 + (uint64_t)t);
            fill_random(dy, bytes, 100 + (uint64_t)t);
            for (int op = 0; op < 3; op++)
                for (size_t f = 0; f < 3; f++)
                    for (size_t o = 0; o < sizeof offs / sizeof offs[0]; o++) {
                        if (quick && (f != 1 || o != 1))
                            continue;
                        const unsigned char *in = x + offs[o][0] * size,
                                            *d = dy + offs[o][0] * size;
                        lrelu_set_parallel_for(NULL, NULL);
                        lrelu_set_num_threads(1);
                        memset(want, 0x5a, bytes);
                        int st = call((enum lrelu_type)t, op, in, d, want + offs[o][1] * size, n,
                                      flag_set[f]);
                        CHECK(st == LRELU_OK, "reference call: %d", st);
                        for (size_t s = quick; s < SPLIT_SETTINGS; s++) {
                            if (!use_split_setting(s, &tp))
                                continue; /* no OpenMP */
                            memset(got, 0x5a, bytes);
                            st = call((enum lrelu_type)t, op, in, d, got + offs[o][1] * size, n,
                                      flag_set[f]);
                            CHECK(st == LRELU_OK, "status %d", st);
                            if (memcmp(got, want, bytes) != 0) {
                                size_t i = 0;
                                while (got[i] == want[i])
                                    i++;
                                CHECK(0,
                                      "%s %s n=%zu flags %u offsets %zu/%zu, %s %zu: byte %zu "
                                      "differs from the unsplit call",
                                      op_names[op], type_names[t], n, flag_set[f], offs[o][0],
                                      offs[o][1], split_settings[s] ? "threads" : "pool",
                                      split_settings[s], i);
                            }
                            checked++;
                        }
                        /* in place, split */
                        lrelu_set_parallel_for(reverse_pool, &tp);
                        memcpy(got, op == 0 ? x : dy, bytes);
                        st = call((enum lrelu_type)t, op, op == 0 ? got : x, got, got, n,
                                  flag_set[f]);
                        lrelu_set_parallel_for(NULL, NULL);
                        memcpy(want, op == 0 ? x : dy, bytes);
                        st |= call((enum lrelu_type)t, op, op == 0 ? want : x, want, want, n,
                                   flag_set[f]);
                        CHECK(st == LRELU_OK && memcmp(got, want, bytes) == 0,
                              "%s %s in place through the pool differs", op_names[op],
                              type_names[t]);
                    }
            free(x);
            free(dy);
            free(want);
            free(got);
        }
    }
    restore_defaults();
    CHECK(atomic_load(&tp.calls) > 0 && atomic_load(&tp.on_caller) == 0,
          "pool calls %zu, a task on the caller's thread: %d", atomic_load(&tp.calls),
          atomic_load(&tp.on_caller));
    printf("same bits: %zu split calls checked against the unsplit ones, pool called %zu times\n",
           checked, atomic_load(&tp.calls));
}

/* The chunks a pool sees, and when it is called at all. */
static void test_chunks(void)
{
    static struct probe p;
    lrelu_set_num_threads(1);
    size_t checked = 0;
    for (int t = 0; t < LRELU_TYPE_COUNT; t++)
        for (int op = 0; op < 2; op++)
            for (size_t o = 0; o < 4; o++) {
                const size_t off = (size_t[]){0, 1, 3, 64 / sizes[t] - 1}[o];
                if (quick && o != 2)
                    continue;
                const size_t size = sizes[t], min = split_n((enum lrelu_type)t, op);
                const size_t lens[] = {64, min - 1, min, 3 * min + 5};
                const size_t cap = 3 * min + 5 + 64;
                const size_t cap_bytes = (cap * size + 63) / 64 * 64;
                unsigned char *x = xmalloc(cap * size), *dy = xmalloc(cap * size),
                              *out = xmalloc(cap_bytes);
                /* inputs that never give 0xee bytes everywhere: 1.0 or so */
                memset(x, 0x3c, cap * size);
                memset(dy, 0x3c, cap * size);
                for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
                    const size_t n = lens[l];
                    memset(&p, 0, sizeof p);
                    p.fill = 0xee;
                    p.base = out;
                    p.base_len = cap_bytes;
                    p.out = out + off * size;
                    p.size = size;
                    p.n = n;
                    memset(out, p.fill, cap_bytes);
                    lrelu_set_parallel_for(probe_pool, &p);
                    const int st =
                        call((enum lrelu_type)t, op, x, dy, out + off * size, n, LRELU_STORE_AUTO);
                    lrelu_set_parallel_for(NULL, NULL);
                    CHECK(st == LRELU_OK, "status %d", st);
                    const int split = n >= min;
                    CHECK(p.calls == (size_t)split,
                          "%s %s n=%zu (split from %zu): pool called %zu times", op_names[op],
                          type_names[t], n, min, p.calls);
                    if (!split) {
                        size_t i = 0;
                        while (i < n && written(&p, i))
                            i++;
                        CHECK(i == n, "unsplit call did not write element %zu", i);
                        continue;
                    }
                    const size_t moved = (op == 0 ? 2 : 3) * size * n;
                    const size_t want = moved / LRELU_TASK_BYTES;
                    CHECK(p.count == (want < 2 ? 1 : want) && p.count >= 2,
                          "%s %s n=%zu: %zu tasks, want %zu", op_names[op], type_names[t], n,
                          p.count, want);
                    CHECK(!p.bad, "%s %s n=%zu off %zu: a task wrote no or a broken range",
                          op_names[op], type_names[t], n, off);
                    CHECK(p.bad || (p.begin[0] == 0 && p.end[p.count - 1] == n),
                          "the tasks do not cover the call");
                    for (size_t k = 1; k < p.count && !p.bad; k++) {
                        const uintptr_t a = (uintptr_t)(out + (off + p.begin[k]) * size);
                        CHECK(a % 64 == 0,
                              "%s %s n=%zu off %zu: task %zu starts at %zu, not on a line",
                              op_names[op], type_names[t], n, off, k, p.begin[k]);
                        CHECK(p.begin[k] == p.end[k - 1], "tasks %zu and %zu leave a gap", k - 1,
                              k);
                    }
                    /* even: no task more than a line longer than another */
                    size_t lo = SIZE_MAX, hi = 0;
                    for (size_t k = 1; k + 1 < p.count; k++) {
                        const size_t len = p.end[k] - p.begin[k];
                        lo = len < lo ? len : lo;
                        hi = len > hi ? len : hi;
                    }
                    CHECK(p.count < 3 || hi - lo <= 64 / size, "uneven chunks: %zu to %zu", lo, hi);
                    checked++;
                }
                free(x);
                free(dy);
                free(out);
            }
    printf("chunks: %zu split calls, tasks on 64-byte lines, contiguous, even\n", checked);
}

/* ---- PReLU ---------------------------------------------------------- */

static const char *const prelu_op_names[4] = {"forward", "backward dx alone",
                                              "backward dslope alone", "backward dx and dslope"};

/* op 0 forward (out = y), 1 dx alone, 2 dslope alone, 3 both. */
static int prelu_call(int op, const float *x, const float *dy, float *out, const float *slope,
                      float *dslope, size_t o, size_t c, size_t in)
{
    if (op == 0)
        return lrelu_prelu_forward(x, out, slope, o, c, in);
    return lrelu_prelu_backward(x, dy, op == 2 ? NULL : out, slope, op == 1 ? NULL : dslope, o, c,
                                in);
}

/* The elements of op from which it is split: 8 bytes an element forward
 * and for dslope alone, 12 with dx. */
static size_t prelu_split_n(int op) { return split_n(LRELU_TYPE_f32, op == 1 || op == 3); }

/* Finite data whose dslope depends on the order of the additions, across
 * blocks: all x <= 0, small terms (|x * dy| below 2^8, multiples of
 * 2^-16), and one term in 4096 (two a block) of +-2^60 (x = -2^30,
 * dy = +-2^30; ulp(2^60) = 2^8): a block's result is either a small sum or
 * +-2^60 plus what it did not absorb, and the small sums of other blocks
 * are absorbed or not depending on the order in which the blocks' results
 * are added. The large terms of each channel cancel, so that dslope is
 * what survived. */
static void order_sensitive(float *x, float *dy, size_t o, size_t c, size_t in, uint64_t seed)
{
    int *sign = malloc(c * sizeof *sign);
    size_t *last = malloc(c * sizeof *last);
    if (sign == NULL || last == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    for (size_t ch = 0; ch < c; ch++)
        sign[ch] = 1;
    for (size_t i = 0; i < o * c * in; i++) {
        const uint64_t r = rng(&seed);
        const size_t ch = i / in % c;
        if ((r & 4095) == 0) {
            x[i] = -0x1p30f;
            dy[i] = sign[ch] > 0 ? 0x1p30f : -0x1p30f;
            sign[ch] = -sign[ch];
            last[ch] = i;
        } else {
            x[i] = -(float)((r >> 8) % 4096) / 256.0f;
            dy[i] = (float)((int)((r >> 24) % 8192) - 4096) / 256.0f;
        }
    }
    for (size_t ch = 0; ch < c; ch++)
        if (sign[ch] < 0)
            dy[last[ch]] = 1.0f; /* an odd count: the last one made small */
    free(sign);
    free(last);
}

/* Large PReLU calls: forward, dx alone, dslope alone and both, on NCHW
 * (long channel blocks, stretches of short ones, one pattern, many dslope
 * blocks a channel), NHWC (channels a multiple of no vector width, more
 * than 256), one shared slope; 1, 2, 3, 8 threads and the reverse-order
 * pool against one thread, byte for byte (dslope too, but that any NaN
 * equals any NaN), on random bits and on order-sensitive finite data; in
 * place through the pool. */
static void test_prelu_same_bits(void)
{
    static const struct {
        size_t outer, channels, inner;
    } shapes[] = {
        {4, 24, 3000},  /* NCHW: a call per channel block; 2 dslope blocks */
        {20000, 13, 1}, /* NHWC: 3 dslope blocks of 8192 rows */
        {48, 300, 11},  /* NCHW, short blocks: stretches of channels */
        {3000, 7, 9},   /* NCHW: one slope pattern; 4 dslope blocks */
        {3, 5, 30011},  /* 11 dslope blocks a channel, crossing rows */
        {1500, 300, 1}, /* NHWC, more than 256 channels */
        {1, 1, 300001}, /* one shared slope: 37 dslope blocks */
        {10000, 17, 1}, /* NHWC, 2 blocks: narrower channel groups */
        {60, 64, 49},   /* the blocks kernel, ranges cut inside blocks */
        {1, 5003, 77},  /* the blocks kernel, one outer index */
        {2, 10007, 23}, /* its short blocks (16 to 31) in two outer indices */
        {1, 300001, 1}, /* one row of channels, cut by the tasks */
        {100, 3001, 1}, /* rows longer than a slope pattern */
        /* dx on a line (these two, out_off 0) and the units beginning and
         * ending on lines: dx in the units' pass. */
        {6, 16, 3072},  /* inner a multiple of 16: blocks end inside rows */
        {1, 1, 300032}, /* one channel: blocks of 8192 elements */
    };
    const size_t n_shapes = sizeof shapes / sizeof shapes[0];
    struct test_pool tp = {0};
    size_t checked = 0;
    for (int kern = quick; kern < 2; kern++) {
        lrelu_set_kernel(kern ? "scalar" : NULL);
        for (size_t sh = 0; sh < n_shapes; sh++) {
            if (quick && sh != 0 && sh != 1 && sh != 4 && sh != 7 && sh + 2 != n_shapes)
                continue; /* the last but one: dx from dslope's units */
            const size_t o = shapes[sh].outer, c = shapes[sh].channels, in = shapes[sh].inner;
            /* The last two shapes on 64-byte lines (x, dy, dx, and in place). */
            const int on_lines = sh + 2 >= n_shapes;
            const size_t n = o * c * in, off = on_lines ? 0 : 1 + sh % 3,
                         out_off = on_lines ? 0 : (5 * sh + 3) % 16;
            const size_t bytes = (n + 32) * sizeof(float), cbytes = (c + 32) * sizeof(float);
            float *x = xmalloc(bytes), *dy = xmalloc(bytes), *want = xmalloc(bytes),
                  *got = xmalloc(bytes), *slope = xmalloc(cbytes), *ds_want = xmalloc(cbytes),
                  *ds_got = xmalloc(cbytes);
            for (size_t k = 0; k < c; k++)
                slope[k] = (float)((int)(k % 7) - 2) / 8.0f; /* -0.25 .. 0.5, 0 */
            for (int data = 0; data < 2; data++) {
                if (data == 0) {
                    fill_random(x, bytes, 31 + sh);
                    fill_random(dy, bytes, 310 + sh);
                } else {
                    order_sensitive(x + off, dy + off, o, c, in, 3100 + sh);
                }
                for (int op = 0; op < 4; op++) {
                    if (quick && data == 0 && op == 3)
                        continue;
                    CHECK(n >= prelu_split_n(op), "shape %zu below the split threshold", sh);
                    lrelu_set_parallel_for(NULL, NULL);
                    lrelu_set_num_threads(1);
                    memset(want, 0x5a, bytes);
                    memset(ds_want, 0x5a, cbytes);
                    int st = prelu_call(op, x + off, dy + off, want + out_off, slope, ds_want + 8,
                                        o, c, in);
                    CHECK(st == LRELU_OK, "reference PReLU call: %d", st);
                    for (size_t s = quick; s < SPLIT_SETTINGS; s++) {
                        const size_t calls = atomic_load(&tp.calls);
                        if (!use_split_setting(s, &tp))
                            continue; /* no OpenMP */
                        memset(got, 0x5a, bytes);
                        memset(ds_got, 0x5a, cbytes);
                        st = prelu_call(op, x + off, dy + off, got + out_off, slope, ds_got + 8, o,
                                        c, in);
                        lrelu_set_parallel_for(NULL, NULL);
                        CHECK(st == LRELU_OK, "status %d", st);
                        /* with dx and dslope: dslope's units, then dx's chunks,
                         * unless the units begin and end on lines of dx (with dx
                         * on a line: one channel, or inner a multiple of 16) */
                        const int one_pass = (uintptr_t)(got + out_off) % 64 == 0 &&
                                             (c == 1 || (in > 1 && in % 16 == 0));
                        const size_t runs = op == 3 && !one_pass ? 2 : 1;
                        CHECK(split_settings[s] != 0 || atomic_load(&tp.calls) == calls + runs,
                              "PReLU %s [%zu][%zu][%zu]: pool called %zu times, want %zu",
                              prelu_op_names[op], o, c, in, atomic_load(&tp.calls) - calls, runs);
                        const char *how = split_settings[s] ? "threads" : "pool";
                        if (memcmp(got, want, bytes) != 0) {
                            size_t i = 0;
                            while (memcmp(&got[i], &want[i], 4) == 0)
                                i++;
                            CHECK(0,
                                  "PReLU %s [%zu][%zu][%zu] data %d, %s %zu: %s[%zu] %08x, one "
                                  "thread %08x",
                                  prelu_op_names[op], o, c, in, data, how, split_settings[s],
                                  op == 0 ? "y" : "dx", i - out_off, f2u(got[i]), f2u(want[i]));
                        }
                        size_t i = 0;
                        while (i < c + 32 && same_float(ds_got[i], ds_want[i]))
                            i++;
                        if (i < c + 32) {
                            CHECK(0,
                                  "PReLU %s [%zu][%zu][%zu] data %d, %s %zu: dslope[%zu] %a "
                                  "(%08x), one thread %a (%08x)",
                                  prelu_op_names[op], o, c, in, data, how, split_settings[s], i - 8,
                                  (double)ds_got[i], f2u(ds_got[i]), (double)ds_want[i],
                                  f2u(ds_want[i]));
                        }
                        checked++;
                    }
                    /* In place (y == x; dx == dy, dx == x), through the pool. */
                    if (op == 2)
                        continue;
                    const int on_dy = op == 3 && data == 1;
                    memcpy(got, on_dy ? dy : x, bytes);
                    memcpy(ds_got, ds_want, cbytes);
                    lrelu_set_parallel_for(reverse_pool, &tp);
                    st = prelu_call(op, on_dy ? x + off : got + off, on_dy ? got + off : dy + off,
                                    got + off, slope, ds_got + 8, o, c, in);
                    lrelu_set_parallel_for(NULL, NULL);
                    int same_ds = 1;
                    for (size_t i = 0; i < c + 32; i++)
                        same_ds &= same_float(ds_got[i], ds_want[i]);
                    CHECK(st == LRELU_OK &&
                              memcmp(got + off, want + out_off, n * sizeof(float)) == 0 && same_ds,
                          "PReLU %s [%zu][%zu][%zu] in place on %s through the pool differs",
                          prelu_op_names[op], o, c, in, on_dy ? "dy" : "x");
                }
            }
            free(x);
            free(dy);
            free(want);
            free(got);
            free(slope);
            free(ds_want);
            free(ds_got);
        }
    }
    restore_defaults();
    CHECK(atomic_load(&tp.on_caller) == 0, "a PReLU task ran on the caller's thread");
    printf("PReLU same bits: %zu split calls checked against one thread, pool called %zu times\n",
           checked, atomic_load(&tp.calls));
}

/* Small PReLU calls never reach the pool; the first split sizes do. The
 * chunks of y and dx are whole lines of the output, contiguous (with
 * dslope, dx comes in a second parallel run, after the units of dslope,
 * which write no dx; or, one channel on a line, from the units, blocks
 * of 8192 elements). */
static void test_prelu_chunks(void)
{
    static struct probe p;
    size_t checked = 0;
    lrelu_set_num_threads(1);
    for (int op = 0; op < 4; op++) {
        const size_t min = prelu_split_n(op), cap = min + 64;
        const size_t cap_bytes = (cap * 4 + 63) / 64 * 64;
        float *x = xmalloc(cap * 4), *dy = xmalloc(cap * 4), slope[3] = {0.25f, -0.5f, 2.0f}, ds[3];
        unsigned char *out = xmalloc(cap_bytes);
        memset(x, 0x3c, cap * 4); /* positive: y = x, dx = dy, never the fill byte */
        memset(dy, 0x3c, cap * 4);
        /* n, the shape's channels (1: [1][1][n]; 3: NHWC [n / 3][3][1]),
         * and the output's offset in floats (0: on a line, where dslope's
         * units of one channel write dx in their own pass) */
        const size_t lens[][3] = {{64, 1, 3},  {64, 3, 3},      {min - 1, 1, 3}, {min - 3, 3, 3},
                                  {min, 1, 3}, {min + 3, 3, 3}, {min + 16, 1, 0}};
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            const size_t c = lens[l][1], n = lens[l][0] / c * c, off = lens[l][2];
            const size_t o = c == 1 ? 1 : n / c, in = c == 1 ? n : 1;
            memset(&p, 0, sizeof p);
            p.fill = 0xee;
            p.base = out;
            p.base_len = cap_bytes;
            p.out = out + off * 4;
            p.size = 4;
            p.n = n;
            const int one_pass = off == 0 && c == 1;
            p.quiet_first = op == 3 && !one_pass;
            memset(out, p.fill, cap_bytes);
            lrelu_set_parallel_for(probe_pool, &p);
            /* dslope alone writes no array: the pool still sees its tasks */
            const int st = prelu_call(op, x, dy, (float *)(out + off * 4), slope, ds, o, c, in);
            lrelu_set_parallel_for(NULL, NULL);
            CHECK(st == LRELU_OK, "status %d", st);
            const int split = n >= min;
            CHECK(p.calls == (size_t)split * (op == 3 && !one_pass ? 2 : 1),
                  "PReLU %s n=%zu (split from %zu): pool called %zu times", prelu_op_names[op], n,
                  min, p.calls);
            if (!split || op == 2) /* dslope alone: tasks are blocks, checked by the bits */
                continue;
            CHECK(!p.bad && p.count >= 2,
                  "PReLU %s n=%zu: %zu tasks, a task wrote no or a "
                  "broken range",
                  prelu_op_names[op], n, p.count);
            CHECK(p.bad || (p.begin[0] == 0 && p.end[p.count - 1] == n),
                  "PReLU tasks do not cover the call");
            for (size_t k = 1; k < p.count && !p.bad; k++) {
                CHECK((uintptr_t)(out + (off + p.begin[k]) * 4) % 64 == 0,
                      "PReLU %s n=%zu: task %zu starts at %zu, not on a line", prelu_op_names[op],
                      n, k, p.begin[k]);
                CHECK(p.begin[k] == p.end[k - 1], "PReLU tasks %zu and %zu leave a gap", k - 1, k);
            }
            checked++;
        }
        free(x);
        free(dy);
        free(out);
    }
    printf("PReLU chunks: small calls stay off the pool; %zu split calls on 64-byte lines\n",
           checked);
}

/* Engine style: caller threads call concurrently while the settings change. */
#define CALLERS 4
struct caller {
    size_t id, n, rounds;
    float *x, *dy, *y, *dx, *want_y, *want_dx;
    int fails;
};
static atomic_int callers_left;

static void *caller_main(void *arg)
{
    struct caller *c = arg;
    for (size_t r = 0; r < c->rounds; r++) {
        memset(c->y, 0, c->n * sizeof(float));
        memset(c->dx, 0, c->n * sizeof(float));
        if (lrelu_forward(c->x, c->y, c->n, 0.01f) != LRELU_OK ||
            lrelu_backward(c->x, c->dy, c->dx, c->n, 0.01f) != LRELU_OK ||
            memcmp(c->y, c->want_y, c->n * sizeof(float)) != 0 ||
            memcmp(c->dx, c->want_dx, c->n * sizeof(float)) != 0)
            c->fails++;
    }
    atomic_fetch_sub(&callers_left, 1);
    return NULL;
}

static void test_engine(void)
{
    struct caller c[CALLERS];
    lrelu_set_parallel_for(NULL, NULL);
    lrelu_set_num_threads(1);
    for (size_t i = 0; i < CALLERS; i++) {
        const size_t n = split_n(LRELU_TYPE_f32, 1) + 1000 * i + 3;
        c[i] = (struct caller){i, n, quick ? 3 : 30, NULL, NULL, NULL, NULL, NULL, NULL, 0};
        c[i].x = xmalloc(n * 4);
        c[i].dy = xmalloc(n * 4);
        c[i].y = xmalloc(n * 4);
        c[i].dx = xmalloc(n * 4);
        c[i].want_y = xmalloc(n * 4);
        c[i].want_dx = xmalloc(n * 4);
        fill_random(c[i].x, n * 4, 7 + i);
        fill_random(c[i].dy, n * 4, 70 + i);
        lrelu_forward(c[i].x, c[i].want_y, n, 0.01f);
        lrelu_backward(c[i].x, c[i].dy, c[i].dx, n, 0.01f);
        memcpy(c[i].want_dx, c[i].dx, n * 4);
    }
    struct test_pool tp = {0};
    if (lrelu_set_num_threads(2) != LRELU_OK)
        lrelu_set_parallel_for(reverse_pool, &tp);
    atomic_store(&callers_left, CALLERS);
    pthread_t th[CALLERS];
    for (size_t i = 0; i < CALLERS; i++)
        if (pthread_create(&th[i], NULL, caller_main, &c[i]) != 0) {
            printf("FAIL pthread_create\n");
            exit(1);
        }
    /* the settings change while they call */
    size_t changes = 0;
    while (atomic_load(&callers_left) > 0) {
        if (changes % 3 == 0)
            lrelu_set_kernel(changes % 2 ? "scalar" : NULL);
        switch (changes++ % 4) {
        case 0:
            lrelu_set_parallel_for(reverse_pool, &tp);
            break;
        case 1:
            lrelu_set_parallel_for(NULL, NULL);
            break;
        case 2:
            lrelu_set_num_threads(3);
            break;
        default:
            lrelu_set_num_threads(2);
            break;
        }
        usleep(1000);
    }
    int f = 0;
    for (size_t i = 0; i < CALLERS; i++) {
        pthread_join(th[i], NULL);
        f += c[i].fails;
        free(c[i].x);
        free(c[i].dy);
        free(c[i].y);
        free(c[i].dx);
        free(c[i].want_y);
        free(c[i].want_dx);
    }
    restore_defaults();
    CHECK(f == 0, "%d concurrent calls gave other bits", f);
    printf("engine: %d caller threads, %zu setting changes, pool called %zu times\n", CALLERS,
           changes, atomic_load(&tp.calls));
}

/* ---- where a call goes --------------------------------------------- */

/* Stand-ins for a kernel's float32 functions that count their calls
 * ([op][streaming]) and touch nothing: the arrays below are addresses
 * only. */
static atomic_size_t routed[2][2];
static int fwd_plain(const void *x, void *y, size_t n, double a)
{
    (void)x, (void)y, (void)n, (void)a;
    routed[0][0]++;
    return LRELU_OK;
}
static int fwd_stream(const void *x, void *y, size_t n, double a)
{
    (void)x, (void)y, (void)n, (void)a;
    routed[0][1]++;
    return LRELU_OK;
}
static int bwd_plain(const void *x, const void *dy, void *dx, size_t n, double a)
{
    (void)x, (void)dy, (void)dx, (void)n, (void)a;
    routed[1][0]++;
    return LRELU_OK;
}
static int bwd_stream(const void *x, const void *dy, void *dx, size_t n, double a)
{
    (void)x, (void)dy, (void)dx, (void)n, (void)a;
    routed[1][1]++;
    return LRELU_OK;
}

/* One float32 call of op (0 forward, 1 backward) of n elements, in place
 * or not, with flags; what it reached: 0 the plain function, 1 the
 * streaming one, 2 both or another count (a split has several calls), -1
 * none (an error). *tasks: the pool's tasks it ran. */
static int route(int op, size_t n, int in_place, unsigned flags, struct test_pool *tp,
                 size_t *tasks)
{
    const float *x = (const float *)(uintptr_t)0x10000;
    const float *dy = x + n;
    float *out = in_place ? (float *)x : (float *)(x + 2 * n);
    memset(routed, 0, sizeof routed);
    const size_t before = atomic_load(&tp->tasks);
    const int st = op == 0 ? lrelu_forward_ex(x, out, n, 0.5f, flags)
                           : lrelu_backward_ex(x, dy, out, n, 0.5f, flags);
    *tasks = atomic_load(&tp->tasks) - before;
    const size_t plain = atomic_load(&routed[op][0]), stream = atomic_load(&routed[op][1]);
    if (st != LRELU_OK)
        return -1;
    return plain == 1 && stream == 0 ? 0 : plain == 0 && stream == 1 ? 1 : 2;
}

/* The entry points' choice, on a kernel whose float32 functions count
 * their calls (and which streams as a kernel with streaming stores does,
 * whatever this CPU's): below both thresholds the plain function, once;
 * from the streaming threshold on the streaming one, unless the flags say
 * otherwise or the call is in place; from the split threshold on, through
 * the pool. The thresholds come from LRELU_STREAM_THRESHOLD or the cache
 * (parallel_stream: one byte, so every call streams) and the bytes each
 * element moves. */
static void test_routing(void)
{
    restore_defaults();
    const struct lrelu_kernel *real = lrelu_dispatch_init();
    struct lrelu_kernel fake = *real;
    const size_t cache = lrelu_cpu_stream_bytes();
    for (int op = 0; op < 2; op++)
        fake.stream_min[op][LRELU_TYPE_f32] =
            cache == SIZE_MAX ? SIZE_MAX : cache / lrelu_moved_bytes(op, LRELU_TYPE_f32);
    fake.fns.forward[LRELU_TYPE_f32] = fwd_plain;
    fake.stream.forward[LRELU_TYPE_f32] = fwd_stream;
    fake.fns.backward[LRELU_TYPE_f32] = bwd_plain;
    fake.stream.backward[LRELU_TYPE_f32] = bwd_stream;
    atomic_store(&lrelu_active, &fake);
    struct test_pool tp;
    memset(&tp, 0, sizeof tp);
    size_t checked = 0, tasks = 0;
    for (int op = 0; op < 2; op++) {
        const char *name = op == 0 ? "forward" : "backward";
        const size_t s = fake.stream_min[op][LRELU_TYPE_f32];
        const size_t split = split_n(LRELU_TYPE_f32, op);
        /* One thread: the plain function below s, the streaming one
         * from s (forced or kept from it by the flags, never in place). */
        int got;
        if (s > 1 && s != SIZE_MAX) {
            got = route(op, s - 1, 0, LRELU_STORE_AUTO, &tp, &tasks);
            CHECK(got == 0, "%s of %zu (streaming from %zu): reached %d, want the plain function",
                  name, s - 1, s, got);
            got = route(op, s - 1, 0, LRELU_STORE_STREAM, &tp, &tasks);
            CHECK(got == 1, "%s of %zu with LRELU_STORE_STREAM: reached %d, want streaming", name,
                  s - 1, got);
            checked += 2;
        }
        if (s != SIZE_MAX) {
            const size_t n = s > 0 ? s : 1;
            got = route(op, n, 0, LRELU_STORE_AUTO, &tp, &tasks);
            CHECK(got == 1, "%s of %zu (streaming from %zu): reached %d, want streaming", name, n,
                  s, got);
            got = route(op, n, 0, LRELU_STORE_CACHED, &tp, &tasks);
            CHECK(got == 0, "%s of %zu with LRELU_STORE_CACHED: reached %d, want the plain one",
                  name, n, got);
            got = route(op, n, 1, LRELU_STORE_AUTO, &tp, &tasks);
            CHECK(got == 0, "%s of %zu in place: reached %d, want the plain function", name, n,
                  got);
            checked += 3;
        }
        got = route(op, 64, 0, LRELU_STORE_AUTO, &tp, &tasks);
        CHECK(got == (s <= 64 ? 1 : 0), "%s of 64 (streaming from %zu): reached %d", name, s, got);
        /* A pool: split from its threshold on, never below. */
        lrelu_set_parallel_for(reverse_pool, &tp);
        got = route(op, split - 1, 0, LRELU_STORE_AUTO, &tp, &tasks);
        CHECK(tasks == 0 && got == (split - 1 >= s ? 1 : 0),
              "%s of %zu with a pool (split from %zu): %zu tasks, reached %d", name, split - 1,
              split, tasks, got);
        route(op, split, 0, LRELU_STORE_AUTO, &tp, &tasks);
        CHECK(tasks >= 2, "%s of %zu with a pool (split from %zu): %zu tasks, want 2 or more", name,
              split, split, tasks);
        lrelu_set_parallel_for(NULL, NULL);
        checked += 3;
    }
    atomic_store(&lrelu_active, real);
    restore_defaults();
    printf("routing: %zu calls checked against the thresholds\n", checked);
}

/* ---- LRELU_NUM_THREADS, in child processes -------------------------- */

static int child_report(void)
{
    printf("%zu %zu\n", lrelu_num_threads(), lrelu_split_min_n(0, LRELU_TYPE_f32));
    return 0;
}

static void test_env(const char *self)
{
    struct {
        const char *value;
        size_t want; /* the thread count seen; 0: OpenMP's default (5, OMP_NUM_THREADS) */
        int warns;
    } cases[] = {
        {NULL, 1, 0},
        {"", 1, 0},
        {"1", 1, 0},
        {"2", 2, 0},
        {"0", 0, 0},
        {"3", 3, 0},
        {"1024", 1024, 0},
        {"1025", 1, 1},
        {"x", 1, 1},
        {" 2", 1, 1},
        {"2 ", 1, 1},
        {"-1", 1, 1},
        {"99999999999999999999", 1, 1},
        {"2\x01", 1, 1},
    };
    char out[512], err[512];
    size_t ran = 0;
    if (child_wrapper() != 0) {
        fails++;
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* quick (valgrind starts each child slowly): unset, 2, 0, 1025, x */
        if (quick && i != 0 && i != 3 && i != 4 && i != 7 && i != 8)
            continue;
        ran++;
        /* OpenMP's default made 5, to tell it from the others */
        const struct child_var vars[] = {{"LRELU_NUM_THREADS", cases[i].value},
                                         {"OMP_NUM_THREADS", "5"}};
        const int status = run_child(self, "child", vars, 2, out, sizeof out, err, sizeof err);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child with %s failed",
              cases[i].value ? cases[i].value : "(unset)");
        size_t want = cases[i].want == 0 ? 5 : cases[i].want;
        int warns = cases[i].warns, splits = cases[i].want != 1;
        if (!LRELU_HAVE_OPENMP && cases[i].want != 1) {
            want = 1;
            warns = 1;
            splits = 0;
        }
        size_t got = 0, split = 0;
        const int ok = sscanf(out, "%zu %zu", &got, &split) == 2;
        CHECK(ok && got == want, "LRELU_NUM_THREADS=%s: %zu threads, want %zu",
              cases[i].value ? cases[i].value : "(unset)", got, want);
        CHECK(ok && (split != SIZE_MAX) == splits, "LRELU_NUM_THREADS=%s: split threshold %zu",
              cases[i].value ? cases[i].value : "(unset)", split);
        const size_t len = strlen(err);
        int one_line = len > 0 && len < 160 && err[len - 1] == '\n' &&
                       strchr(err, '\n') == err + len - 1 &&
                       strncmp(err, "liblrelu: ignoring LRELU_NUM_THREADS=\"", 38) == 0;
        for (size_t k = 0; k + 1 < len; k++)
            one_line &= err[k] >= 0x20 && err[k] < 0x7f;
        CHECK(warns ? one_line : len == 0, "LRELU_NUM_THREADS=%s: stderr \"%s\"",
              cases[i].value ? cases[i].value : "(unset)", err);
    }
    printf("LRELU_NUM_THREADS: %zu values in child processes\n", ran);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child_report();
    quick = getenv("LRELU_TEST_QUICK") != NULL;
    printf("kernel %s, OpenMP %s\n", lrelu_active_kernel(), LRELU_HAVE_OPENMP ? "yes" : "no");
    test_settings();
    test_same_bits();
    test_chunks();
    test_prelu_same_bits();
    test_prelu_chunks();
    test_engine();
    test_routing();
    test_env(argv[0]);
    if (fails) {
        printf("%d failures\n", fails);
        return 1;
    }
    printf("all parallel checks passed\n");
    return 0;
}
