/*
 * Kernel switches under load: worker threads run forward, backward and
 * backward_from_output on their own arrays, in place and out of place, in a
 * loop, while another thread switches the active kernel with
 * lrelu_set_kernel through every usable kernel and back to the default.
 * Every kernel gives the same bits, so every result must equal the one the
 * scalar kernel gave before the threads started, whichever kernel ran it.
 *
 * No clock is involved: each worker runs at least ROUNDS rounds and keeps
 * going until SWITCHES kernel switches have happened since it started, so
 * its calls overlap the switches however the threads are scheduled.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define WORKERS  3
#define ROUNDS   60
#define SWITCHES 40
#define SIZES    3
#define ALPHAS   2

static const float alphas[ALPHAS] = {0.01f, 3.0f}; /* >= 0: every function takes them */

struct worker {
    size_t id, n[SIZES];
    float *x[SIZES], *dy[SIZES], *out, *want[SIZES][OP_COUNT][ALPHAS];
    unsigned seen; /* bit k: lrelu_active_kernel() named usable kernel k */
    int fails;
};

static atomic_ulong switches;
static atomic_int workers_left = WORKERS;
static size_t kernel_count;

static float *floats(size_t n)
{
    float *p = malloc((n + 1) * sizeof *p);
    if (p == NULL) {
        printf("FAIL out of memory\n");
        exit(1);
    }
    return p;
}

static void prepare(struct worker *w, size_t id)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    /* a short tail, a few vectors and a tail, many vectors and a tail */
    const size_t n[SIZES] = {3 + id, 67 + 5 * id, 1021 + 13 * id};
    size_t max = 0;
    for (size_t s = 0; s < SIZES; s++) {
        w->n[s] = n[s];
        max = n[s] > max ? n[s] : max;
        /* misaligned by id floats */
        w->x[s] = floats(n[s] + WORKERS) + id;
        w->dy[s] = floats(n[s] + WORKERS) + id;
        for (size_t i = 0; i < n[s]; i++) {
            w->x[s][i] = pool[(97 * id + 31 * s + i) % POOL_SIZE];
            w->dy[s][i] = pool[(53 * id + 17 * s + i + 1000) % POOL_SIZE];
        }
        for (int op = 0; op < OP_COUNT; op++)
            for (size_t a = 0; a < ALPHAS; a++) {
                w->want[s][op][a] = floats(n[s]);
                const int st = call_api((enum op)op, w->x[s], w->dy[s], w->want[s][op][a], n[s],
                                        alphas[a], LRELU_STORE_AUTO);
                if (st != LRELU_OK) {
                    printf("FAIL scalar %s returned %d\n", op_names[op], st);
                    exit(1);
                }
            }
    }
    w->out = floats(max);
}

static void release(struct worker *w)
{
    for (size_t s = 0; s < SIZES; s++) {
        free(w->x[s] - w->id);
        free(w->dy[s] - w->id);
        for (int op = 0; op < OP_COUNT; op++)
            for (size_t a = 0; a < ALPHAS; a++)
                free(w->want[s][op][a]);
    }
    free(w->out);
}

static void note_kernel(struct worker *w)
{
    const char *name = lrelu_active_kernel();
    for (size_t k = 0; k < kernel_count; k++)
        if (strcmp(name, lrelu_kernel_name(k)) == 0)
            w->seen |= 1u << k;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    const unsigned long start = atomic_load(&switches);
    for (size_t r = 0; (r < ROUNDS || atomic_load(&switches) < start + SWITCHES) && w->fails < 5;
         r++) {
        const size_t s = r % SIZES, a = r / SIZES % ALPHAS, n = w->n[s];
        const enum op op = (enum op)(r / (SIZES * ALPHAS) % OP_COUNT);
        const int in_place = r / (SIZES * ALPHAS * OP_COUNT) % 2;
        const float *in = w->x[s], *dy = w->dy[s];
        if (in_place) {
            /* out = x for forward, out = dy for the backward functions */
            memcpy(w->out, op == OP_FORWARD ? in : dy, n * sizeof *w->out);
            if (op == OP_FORWARD)
                in = w->out;
            else
                dy = w->out;
        }
        note_kernel(w);
        /* every other round forces streaming stores (out of place) */
        const unsigned flags =
            r / (SIZES * ALPHAS * OP_COUNT * 2) % 2 ? LRELU_STORE_STREAM : LRELU_STORE_AUTO;
        const int st = call_api(op, in, dy, w->out, n, alphas[a], flags);
        const float *want = w->want[s][op][a];
        if (st != LRELU_OK) {
            printf("FAIL worker %zu: %s n=%zu returned %d\n", w->id, op_names[op], n, st);
            w->fails++;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (f2u(w->out[i]) != f2u(want[i])) {
                report(lrelu_active_kernel(), op, n, w->id, w->id,
                       in_place ? "in-place, during switches" : "out-of-place, during switches",
                       alphas[a], i, w->x[s][i], w->dy[s][i], w->out[i], want[i], "wrong result");
                w->fails++;
                break;
            }
        }
    }
    atomic_fetch_sub(&workers_left, 1);
    return NULL;
}

/* Through every usable kernel, then back to the default, until the
 * workers are done. */
static void *switcher(void *arg)
{
    int *fails = arg;
    const char *best = lrelu_kernel_name(kernel_count - 1);
    while (atomic_load(&workers_left) > 0) {
        for (size_t k = 0; k <= kernel_count; k++) {
            const char *name = k < kernel_count ? lrelu_kernel_name(k) : NULL;
            const int st = lrelu_set_kernel(name);
            const char *now = lrelu_active_kernel();
            if (st != LRELU_OK || strcmp(now, name ? name : best) != 0) {
                if (++*fails <= 5)
                    printf("FAIL lrelu_set_kernel(%s) returned %d, active is %s\n",
                           name ? name : "NULL", st, now);
            }
            atomic_fetch_add(&switches, 1);
        }
    }
    return NULL;
}

int main(void)
{
    pool_init(0x7468726561647300ull);
    kernel_count = lrelu_kernel_count();
    static struct worker w[WORKERS];
    lrelu_set_kernel("scalar"); /* the expected results */
    for (size_t t = 0; t < WORKERS; t++)
        prepare(&w[t], t);
    lrelu_set_kernel(NULL);

    int switch_fails = 0;
    pthread_t sw, th[WORKERS];
    if (pthread_create(&sw, NULL, switcher, &switch_fails) != 0) {
        printf("FAIL pthread_create\n");
        return 1;
    }
    for (size_t t = 0; t < WORKERS; t++) {
        if (pthread_create(&th[t], NULL, work, &w[t]) != 0) {
            printf("FAIL pthread_create\n");
            return 1;
        }
    }
    int fails = 0;
    for (size_t t = 0; t < WORKERS; t++) {
        pthread_join(th[t], NULL);
        fails += w[t].fails;
        printf("worker %zu: n = %zu, %zu, %zu; kernels seen active:", t, w[t].n[0], w[t].n[1],
               w[t].n[2]);
        for (size_t k = 0; k < kernel_count; k++)
            if (w[t].seen & (1u << k))
                printf(" %s", lrelu_kernel_name(k));
        printf("\n");
        release(&w[t]);
    }
    pthread_join(sw, NULL);
    fails += switch_fails;
    printf("%lu kernel switches during the run\n", (unsigned long)atomic_load(&switches));
    if (atomic_load(&switches) < SWITCHES) {
        printf("FAIL fewer kernel switches than asked for\n");
        fails++;
    }
    if (fails) {
        printf("%d failure(s)\n", fails);
        return 1;
    }
    printf("every result exact while the kernel switched\n");
    return 0;
}
