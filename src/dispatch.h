/* The kernel table and the active kernel (see dispatch.c). */
#ifndef LRELU_DISPATCH_H
#define LRELU_DISPATCH_H

#include <stdatomic.h>

#include "kernels.h"

enum lrelu_op { LRELU_OP_FORWARD, LRELU_OP_BACKWARD, LRELU_OP_COUNT };

struct lrelu_kernel {
    const char *name;
    unsigned level;                 /* rank among this architecture's ISA levels, scalar = 0 */
    unsigned cpu;                   /* LRELU_CPU_* flags it needs */
    struct lrelu_kernel_fns fns;    /* storing through the cache */
    struct lrelu_kernel_fns stream; /* streaming stores; NULL where there are none */
    /* Out-of-place calls that move at least stream_min_bytes (read +
     * written) use the streaming variants; stream_min holds the same as an
     * element count per operation and type. Set at initialisation from the
     * cache size; SIZE_MAX when it is unknown or there are no streaming
     * variants. */
    size_t stream_min_bytes;
    size_t stream_min[LRELU_OP_COUNT][LRELU_TYPE_COUNT];
};

/* Never NULL: until the initialisation has run, a bootstrap kernel whose
 * functions run it and then call the chosen kernel. */
extern LRELU_LOCAL _Atomic(const struct lrelu_kernel *) lrelu_active;

/* Initialise once (later and concurrent callers wait for the first), then
 * return the active kernel. */
const struct lrelu_kernel *lrelu_dispatch_init(void);

/* The kernel for this call: one load. */
static inline const struct lrelu_kernel *lrelu_current(void)
{
    return atomic_load_explicit(&lrelu_active, memory_order_acquire);
}

/* PReLU on a kernel's functions, after the entry points' checks (n > 0):
 * src/lrelu.c. Not exported; the tests run test-only kernel builds
 * through them. */
int lrelu_prelu_forward_with(const struct lrelu_kernel_fns *k, const float *x, float *y,
                             const float *slope, size_t outer, size_t channels, size_t inner);
int lrelu_prelu_backward_with(const struct lrelu_kernel_fns *k, const float *x, const float *dy,
                              float *dx, const float *slope, float *dslope, size_t outer,
                              size_t channels, size_t inner);

#endif /* LRELU_DISPATCH_H */
