/* Shared by the tests: the kernels under test, input values, reporting. */
#ifndef LRELU_TEST_COMMON_H
#define LRELU_TEST_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "lrelu.h"

enum op { OP_FORWARD, OP_BACKWARD, OP_BACKWARD_FROM_OUTPUT, OP_COUNT };
extern const char *const op_names[OP_COUNT];

/* The element types of the API, in the kernels' table order
 * (enum lrelu_type), with their names and sizes. */
extern const char *const type_names[LRELU_TYPE_COUNT];
extern const size_t type_sizes[LRELU_TYPE_COUNT];

/* A kernel under test: a usable kernel of the library, run through the
 * public API after lrelu_set_kernel, or a test-only build of a kernel
 * (the NEON source through SIMDe's portable code on other CPUs), run
 * directly. */
struct impl {
    const char *name;
    const struct lrelu_kernel_fns *fns; /* NULL: the library's kernel `name` */
};

/* Fills `out` with every usable kernel of the library, then the test-only
 * builds; returns how many. */
size_t test_impls(struct impl *out, size_t max);

/* Runs op on impl with the store flags (LRELU_STORE_*; a test-only kernel
 * has one store path and ignores them). `in` is x (or y for
 * backward-from-output); dy is ignored by forward. Returns the status. */
int run_op(const struct impl *impl, enum op op, const float *in, const float *dy, float *out,
           size_t n, float alpha, unsigned flags);

/* Runs op through the public API on the active kernel. */
int call_api(enum op op, const float *in, const float *dy, float *out, size_t n, float alpha,
             unsigned flags);

/* The same for any element type: arrays of that type, alpha a double (cast
 * to float for the float32 and 16-bit functions). */
int run_op_t(const struct impl *impl, enum lrelu_type t, enum op op, const void *in, const void *dy,
             void *out, size_t n, double alpha, unsigned flags);
int call_api_t(enum lrelu_type t, enum op op, const void *in, const void *dy, void *out, size_t n,
               double alpha, unsigned flags);

/* The contract, element by element. */
float ref_op(enum op op, float in, float dy, float alpha);

/* The contract for any type, on bit patterns (zero-extended), written
 * independently of the kernels: float16 and bfloat16 rounded through
 * double arithmetic; NaN results as the contract says (the input NaN,
 * quieted). For float32 and float64 a NaN result is any NaN (the IEEE
 * formula does not fix its payload): *any_nan is set then. */
uint64_t ref_bits(enum lrelu_type t, enum op op, uint64_t in, uint64_t dy, double alpha,
                  int *any_nan);
int is_nan_t(enum lrelu_type t, uint64_t bits);

/* Element i of an array of type t, as zero-extended bits, and back. */
uint64_t get_bits(enum lrelu_type t, const void *p, size_t i);
void put_bits(enum lrelu_type t, void *p, size_t i, uint64_t v);

/* A deterministic input value of type t: special values (signed zeros,
 * infinities, NaNs with payloads, subnormals, the largest values), values
 * whose products are subnormal, random normals (seeded by *state). */
uint64_t pool_bits(enum lrelu_type t, uint64_t *state);

/* The bits of a float and back: inline, because a float returned by a call
 * passes through an x87 register on 32-bit x86, which quiets a signalling
 * NaN. */
static inline uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
int is_nan_bits(uint32_t u);

/* Deterministic input values: a mix of special values (signed zeros,
 * infinities, quiet and signalling NaNs with payloads, subnormals,
 * FLT_MAX, values whose products are subnormal) and random normals. */
#define POOL_SIZE 4096
extern float pool[POOL_SIZE];
void pool_init(uint64_t seed);
uint64_t rng_next(uint64_t *state);

/* The alphas every kernel is tested with. */
extern const float test_alphas[];
extern const size_t test_alpha_count;

/* A readable, writable span of `bytes` rounded up to whole pages, between
 * two PROT_NONE pages; exits when the system refuses. */
struct guarded {
    unsigned char *lo, *hi; /* first byte of the span, one past its end */
};
struct guarded guarded_alloc(size_t bytes);

/* The case being run (one line, its newline included), for the fault
 * handler to name. */
extern char fault_case[256];

/* on: a fault (SIGSEGV, SIGBUS) prints "FAIL fault (a read or write outside
 * the array): " and fault_case on stdout and exits with status 1; !on: the
 * default actions again. */
void catch_faults(int on);

/* Prints a failure naming everything needed to reproduce it. */
void report(const char *kernel, enum op op, size_t n, size_t in_off, size_t out_off,
            const char *mode, float alpha, size_t index, float in, float dy, float got, float want,
            const char *what);

/* The same for any type: values as bit patterns, shown in hex. */
void report_t(const char *kernel, enum lrelu_type t, enum op op, size_t n, size_t in_off,
              size_t out_off, const char *mode, double alpha, size_t index, uint64_t in,
              uint64_t dy, uint64_t got, uint64_t want, const char *what);

/* The alphas every type is tested with (float32 values, exact in every
 * type's alpha), and the extra ones of float64. */
extern const double type_alphas[];
extern const size_t type_alpha_count;

#endif
