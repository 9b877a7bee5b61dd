/* The kernel table and the active kernel (see dispatch.c). */
#ifndef LRELU_DISPATCH_H
#define LRELU_DISPATCH_H

#include <stdatomic.h>

#include "kernels.h"

struct lrelu_kernel {
    const char *name;
    unsigned level; /* rank among this architecture's ISA levels, scalar = 0 */
    unsigned cpu;   /* LRELU_CPU_* flags it needs */
    lrelu_forward_fn forward;
    lrelu_backward_fn backward;
    lrelu_forward_fn forward_stream; /* streaming-store variants, or NULL */
    lrelu_backward_fn backward_stream;
};

/* Out-of-place calls that move at least this many bytes (read + written)
 * use the streaming variants: set at initialisation from the cache size,
 * SIZE_MAX when it is unknown. Also as element counts per operation. */
extern size_t lrelu_stream_min_bytes, lrelu_stream_min_forward, lrelu_stream_min_backward;

/* NULL until the first initialisation has finished. */
extern _Atomic(const struct lrelu_kernel *) lrelu_active;

/* Initialise once (later and concurrent callers wait for the first), then
 * return the active kernel. */
const struct lrelu_kernel *lrelu_dispatch_init(void);

/* The kernel for this call: one load, and the initialisation only on the
 * very first call of a program whose constructors have not run yet. */
static inline const struct lrelu_kernel *lrelu_current(void)
{
    const struct lrelu_kernel *k = atomic_load_explicit(&lrelu_active, memory_order_acquire);
    return __builtin_expect(k != NULL, 1) ? k : lrelu_dispatch_init();
}

#endif /* LRELU_DISPATCH_H */
