/*
 * Splitting large calls over threads: OpenMP's, or a parallel-for the
 * caller hands in (lrelu_set_parallel_for). Settings are process-wide
 * atomics; a call takes one snapshot of them and runs wholly on it.
 */
#ifndef LRELU_PARALLEL_H
#define LRELU_PARALLEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "lrelu.h"

/* Calls moving at least this many bytes (read + written: 8 per element for
 * float32 forward, 12 backward) are split when threads are on. Measured on
 * a 2-core Zen 5 VM (README, Threads): forward out of place on 2 threads
 * against 1 gains nothing at 512 KiB moved (0.55x), 0.87x at 768 KiB, 1.1x
 * at 1 MiB, 1.6x at 1.5 MiB; an OpenMP fork-join of 2 threads costs
 * about 3 us. */
#ifndef LRELU_SPLIT_MIN_BYTES /* a measuring build may set it */
#define LRELU_SPLIT_MIN_BYTES ((size_t)1 << 20)
#endif

/* With the caller's parallel-for, a call is cut into tasks of at least this
 * many bytes moved each (count = bytes / LRELU_TASK_BYTES), whatever the
 * number of threads behind the pool. */
#define LRELU_TASK_BYTES ((size_t)512 << 10)

/* Chunks start on output addresses that are multiples of this: no two
 * threads write one cache line, and streaming stores stay whole-line. */
#define LRELU_LINE_BYTES 64

/* Highest thread count lrelu_set_num_threads and LRELU_NUM_THREADS take. */
#define LRELU_MAX_THREADS 1024

/* The element count from which a call of an operation and element type is
 * split: LRELU_SPLIT_MIN_BYTES over the bytes it moves per element while
 * threads (more than 1, or OpenMP's default) or a caller's pool are on;
 * SIZE_MAX otherwise. Tiny calls do not read it: lrelu_direct_max, below,
 * covers it. */
extern LRELU_LOCAL _Atomic size_t lrelu_split_min[2][LRELU_TYPE_COUNT];

static inline size_t lrelu_split_min_n(int op, enum lrelu_type t)
{
    return atomic_load_explicit(&lrelu_split_min[op][t], memory_order_relaxed);
}

/* The element count below which a call of an operation and element type
 * that leaves the store to the library neither streams nor is split: the
 * smaller of lrelu_split_min and the streaming threshold, so that a tiny
 * call pays one load and one compare for both. 0 until initialised (every
 * call then takes the full path). A value one call reads stale only moves
 * the call between paths that give the same bits. */
extern LRELU_LOCAL _Atomic size_t lrelu_direct_max[2][LRELU_TYPE_COUNT];

static inline size_t lrelu_direct_max_n(int op, enum lrelu_type t)
{
    return atomic_load_explicit(&lrelu_direct_max[op][t], memory_order_relaxed);
}

/* One call's view of the settings. */
struct lrelu_parallel {
    lrelu_parallel_for_fn fn; /* the caller's parallel-for, or NULL */
    void *pool;
    size_t threads; /* without a pool: threads to use (>= 1) */
};

/* The settings now (a consistent pair of fn and pool). */
void lrelu_parallel_get(struct lrelu_parallel *p);

/* How many tasks a call moving `bytes` is cut into: with a pool
 * bytes / LRELU_TASK_BYTES, otherwise one per thread; at least 1. */
size_t lrelu_parallel_tasks(const struct lrelu_parallel *p, size_t bytes);

/*
 * Run task(arg, 0) ... task(arg, count - 1), in any order, on any threads,
 * and return when all have finished: through the pool when one is set
 * (which is then the only place tasks run: the library starts no thread of
 * its own), else on up to p->threads OpenMP threads, else in this thread.
 * The tasks must be independent; for a result that does not depend on the
 * threads, choose count independently of them (a reduction over a fixed
 * partition).
 */
void lrelu_parallel_run(const struct lrelu_parallel *p, lrelu_task_fn task, void *arg,
                        size_t count);

/*
 * A call of n elements (of size bytes, the output at out) cut into count
 * chunks of whole 64-byte lines of the output: chunk 0 starts at element 0,
 * every later one on a line boundary (where the output is aligned to its
 * element), the lines after the head shared out evenly. The element-wise
 * split and PReLU's use it (src/lrelu.c).
 */
struct lrelu_lines {
    size_t n, head, line, lines, count;
};

static inline struct lrelu_lines lrelu_lines_of(const void *out, size_t size, size_t n,
                                                size_t count)
{
    const uintptr_t o = (uintptr_t)out;
    size_t head = (o & (size - 1)) == 0 ? ((0 - o) & (LRELU_LINE_BYTES - 1)) / size : 0;
    head = head < n ? head : n;
    const size_t line = LRELU_LINE_BYTES / size;
    const struct lrelu_lines c = {n, head, line, (n - head + line - 1) / line, count};
    return c;
}

/* First element of chunk i (n from i = count on). */
static inline size_t lrelu_lines_start(const struct lrelu_lines *c, size_t i)
{
    if (i == 0)
        return 0;
    if (i >= c->count)
        return c->n;
    const size_t q = c->lines / c->count, r = c->lines % c->count;
    const size_t start = c->head + (i * q + (i < r ? i : r)) * c->line;
    return start < c->n ? start : c->n;
}

#endif /* LRELU_PARALLEL_H */
