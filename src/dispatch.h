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
    /* Out-of-place calls that move at least this many bytes (read +
     * written) use the streaming variants; also as element counts per
     * operation. Set at initialisation from the cache size; SIZE_MAX when
     * it is unknown or there are no streaming variants. */
    size_t stream_min_bytes, stream_min_forward, stream_min_backward;
};

/* Never NULL: until the initialisation has run, a bootstrap kernel whose
 * functions run it and then call the chosen kernel. */
extern _Atomic(const struct lrelu_kernel *) lrelu_active;

/* Initialise once (later and concurrent callers wait for the first), then
 * return the active kernel. */
const struct lrelu_kernel *lrelu_dispatch_init(void);

/* The kernel for this call: one load. */
static inline const struct lrelu_kernel *lrelu_current(void)
{
    return atomic_load_explicit(&lrelu_active, memory_order_acquire);
}

#endif /* LRELU_DISPATCH_H */
