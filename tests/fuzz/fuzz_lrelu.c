/*
 * Differential fuzzing (libFuzzer). Each input becomes one call (or one
 * PReLU call: see below the input format): the element type, the
 * function, the store flags, n, the misalignments, in place or not,
 * overlaps, NULL arrays, huge n, alpha (any bits of the type's alpha: NaN,
 * infinities, negative, subnormal) and the values. The
 * call runs on every usable kernel, on arrays placed in regions that end at
 * a PROT_NONE page (the arrays end there, or up to 63 bytes before it so as
 * to reach every misalignment of the type; AddressSanitizer poisons every
 * byte of a region outside the arrays). Each status code must be the one
 * the contract gives; every output must be the scalar reference's bits
 * (the scalar kernel itself is checked against the contract as
 * tests/common.c's ref_bits writes it: float16 and bfloat16 rounded
 * through double arithmetic; any NaN where it leaves the payload open: a
 * float32 or float64 NaN result, or the NaN of 0 times infinity); no other
 * byte of any region may change. A difference prints the case and aborts:
 * libFuzzer saves the input.
 *
 * Input bytes (missing ones read as zero; multi-byte fields little endian):
 *   0      bits 0-1: function: forward, backward, backward_from_output (mod 3)
 *          bits 2-3: store flags: 0 automatic, 1 LRELU_STORE_STREAM,
 *            2 LRELU_STORE_CACHED, 3 both (refused)
 *   1      layout, bits 0-1, the output: 0 an array of its own, 1 the x
 *            array (in place), 2 the dy array (in place; forward: its own),
 *            3 partly overlapping x (bit 5 clear) or dy (bit 5 set)
 *          bit 2: dy overlaps x, shifted by byte 8 (0: the same array)
 *          bits 3-4: NULL array: 0 none, 1 x, 2 dy, 3 the output
 *          bit 6: huge n: past SIZE_MAX / element size (bit 7 clear) or one
 *            whose byte range wraps the address space (bit 7 set)
 *   2      bits 0-6: element type (mod 4): float32, float16, bfloat16,
 *            float64; bit 7: a PReLU call (below)
 *   3, 4, 5  misalignment in elements of x, dy and the output, modulo the
 *            elements of a 64-byte vector (16, 32, 32, 8)
 *   6-7    n, mod MAX_N + 1
 *   8      dy's shift from x, signed, mod n
 *   9      the partial overlap's shift, signed, 1 .. n - 1 either way
 *   10-17  alpha: binary32 in bytes 10-13 for float32, float16 and
 *            bfloat16 (their alpha is a float), binary64 for float64
 *   18-    values, elements of the type (2, 4 or 8 bytes), repeated as
 *            needed: x takes n, then dy n
 *
 * With bit 7 of byte 2 set, the input is one PReLU call (float32,
 * [outer][channels][inner], a slope per channel) instead:
 *   0      bits 0-1: forward, backward (dx and dslope), backward (dx
 *            alone), backward (dslope alone)
 *   1      bits 0-1, y or dx: 0 an array of its own, 1 the x array (in
 *            place), 2 the dy array (in place; forward: its own)
 *   3, 4, 5  misalignment in floats of x, dy and the output, modulo 16
 *   6, 7   outer (0..255), channels (0..255)
 *   8      inner, bits 0-7; byte 9 bit 0 is its bit 8 (0..511). A shape of
 *            more than PRELU_MAX_N elements is cut: inner to
 *            PRELU_MAX_N / channels when channels * inner is more, then
 *            outer to PRELU_MAX_N / (channels * inner)
 *   9      bit 1: slopes as raw bits (non-finite ones are errors); clear:
 *            a non-finite slope has its exponent's top bit cleared (finite)
 *   10     misalignment in floats of the slopes (bits 0-3) and of dslope
 *            (bits 4-7), modulo 16
 *   18-    float32 values, repeated as needed: the slopes (channels of
 *            them), then x (n), then dy (n)
 * Each usable kernel's status must be the contract's; the scalar kernel's
 * y and dx must be the contract's (tests/common.c's ref_bits with the
 * channel's slope), every other kernel's its bits; the scalar kernel's
 * dslope must be within 1 ulp + 2^-40 of the sum of |terms| of the exact
 * sum (a double-double sum here; NaN and infinities as the formula says)
 * and have the bits of the documented order (written out plainly here),
 * every other kernel's the scalar kernel's bits (any NaN equal to any NaN:
 * the payload is left open); no other byte may change.
 *
 * tests/fuzz/make_corpus.py writes the seed corpus in this format.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dispatch.h"
#include "dslope_bound.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define POISON(p, bytes)   __asan_poison_memory_region((p), (bytes))
#define UNPOISON(p, bytes) __asan_unpoison_memory_region((p), (bytes))
#endif
#endif
#ifndef POISON
#define POISON(p, bytes)   ((void)(p), (void)(bytes))
#define UNPOISON(p, bytes) ((void)(p), (void)(bytes))
#endif

#define MAX_N     1024
#define HEADER    18
#define VEC_BYTES 64 /* the widest vector: misalignments of 0..63 bytes */
#define MAX_ELEM  8  /* the largest element, float64 */
#define NONE      (-1)

/* Signalling NaNs no kernel produces: the filler outside the arrays. */
static const uint64_t fillers[LRELU_TYPE_COUNT] = {0x7fa5a5a5u, 0x7da5u, 0x7fa5u,
                                                   0x7ff5a5a5a5a5a5a5u};

/* A region's worth of each type's filler. */
static unsigned char *filled[LRELU_TYPE_COUNT];

enum { REG_X, REG_DY, REG_OUT, REG_SLOPE, REG_DSLOPE, REGIONS };
static const char *const region_names[REGIONS] = {"x", "dy", "out", "slope", "dslope"};

/* A span of whole pages between two PROT_NONE pages, [start, end); of
 * it, the input's type uses the last `bytes` (a multiple of VEC_BYTES, as
 * much as float64 needs for the type's element size: base = end - bytes;
 * the rest stays poisoned); its contents before each call; [lo, hi): the
 * arrays placed in it, in elements of the type; cap: `bytes` in those
 * elements. */
static struct region {
    unsigned char *start, *end, *base, *image;
    size_t bytes;
    ptrdiff_t cap, lo, hi;
} reg[REGIONS];

/* The bytes of a region the arrays of one type need: x, dy shifted by < n
 * and an output shifted by < n from either, plus up to 63 bytes to reach a
 * misalignment, rounded up to VEC_BYTES. */
static size_t region_bytes(size_t es)
{
    return (3 * MAX_N * es + 2 * VEC_BYTES + VEC_BYTES - 1) / VEC_BYTES * VEC_BYTES;
}

static struct impl impls[16];
static size_t impl_count;
static size_t library_kernels; /* impls[0..library_kernels): through the API */

/* One decoded input. */
static struct fcase {
    enum lrelu_type t;
    size_t es; /* element size */
    enum op op;
    unsigned flags;                 /* LRELU_STORE_* bits */
    size_t n;                       /* elements placed in memory */
    size_t n_call;                  /* n passed to the call: n, or a huge one */
    double alpha;                   /* the float alpha exactly, or float64's double */
    unsigned char *px, *pdy, *pout; /* where the arrays are (pdy NULL for forward) */
    int out_region;                 /* the region that holds the output */
    const unsigned char *x, *dy;    /* what the call gets: the same, or one NULL */
    unsigned char *out;
    char layout[128];
} c;

/* The inputs as placed, the contract's results (and where any NaN is
 * right), the scalar kernel's. */
static uint64_t in_v[MAX_N], dy_v[MAX_N], formula[MAX_N];
static int any_nan[MAX_N];
static unsigned char reference[MAX_N * MAX_ELEM];

static void die(const char *what)
{
    fprintf(stderr, "fuzz_lrelu: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (int r = 0; r < REGIONS; r++) {
        const struct guarded g = guarded_alloc(region_bytes(MAX_ELEM));
        reg[r].start = g.lo;
        reg[r].end = g.hi;
        reg[r].image = malloc(region_bytes(MAX_ELEM));
        if (reg[r].image == NULL)
            die("out of memory");
        POISON(g.lo, (size_t)(g.hi - g.lo));
    }
    for (int t = 0; t < LRELU_TYPE_COUNT; t++) {
        const size_t bytes = region_bytes(MAX_ELEM); /* PReLU takes the whole region */
        filled[t] = malloc(bytes);
        if (filled[t] == NULL)
            die("out of memory");
        for (size_t i = 0; i < bytes / type_sizes[t]; i++)
            put_bits((enum lrelu_type)t, filled[t], i, fillers[t]);
    }
    impl_count = test_impls(impls, sizeof impls / sizeof impls[0]);
    library_kernels = lrelu_kernel_count();
    if (strcmp(impls[0].name, "scalar") != 0)
        die("the first kernel is not the scalar reference");
    fprintf(stderr, "fuzz_lrelu: kernels under test:");
    for (size_t k = 0; k < impl_count; k++)
        fprintf(stderr, " %s", impls[k].name);
    fprintf(stderr, "\n");
    return 0;
}

/* n bytes little endian (n <= 8). */
static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* The contract in its own words, written apart from the library's checks:
 * p holds n elements whose bytes fit below the top of the address space... */
static int fits(const void *p, size_t n)
{
    return p != NULL && n <= (UINTPTR_MAX - (uintptr_t)p) / c.es;
}

/* ... and out shares a byte with in without being the same array. */
static int partly_overlaps(const void *out, const void *in, size_t n)
{
    const uintptr_t o = (uintptr_t)out, i = (uintptr_t)in;
    return o != i && (o > i ? o - i : i - o) < n * c.es;
}

/* The status the contract gives for this call. */
static int contract_status(void)
{
    const int bwd = c.op != OP_FORWARD;
    const size_t n = c.n_call;
    if (!isfinite(c.alpha) || (c.op == OP_BACKWARD_FROM_OUTPUT && c.alpha < 0.0) ||
        c.flags == (LRELU_STORE_STREAM | LRELU_STORE_CACHED))
        return LRELU_EINVAL;
    if (n == 0)
        return LRELU_OK;
    if (!fits(c.x, n) || !fits(c.out, n) || (bwd && !fits(c.dy, n)))
        return LRELU_EINVAL;
    if (partly_overlaps(c.out, c.x, n) || (bwd && partly_overlaps(c.out, c.dy, n)))
        return LRELU_EOVERLAP;
    return LRELU_OK;
}

/* An array's place: a region and an offset in elements from the first
 * array of that region's group. */
struct placed {
    int region; /* NONE: not used */
    ptrdiff_t at;
};

/*
 * Places the arrays. x has REG_X, dy REG_DY and the output REG_OUT unless
 * they share another's; each region's group is put as close to the
 * region's end as the misalignment of its first array allows.
 */
static void place(const uint8_t *h)
{
    const int bwd = c.op != OP_FORWARD;
    const ptrdiff_t n = (ptrdiff_t)c.n, es = (ptrdiff_t)c.es, vec = VEC_BYTES / es;
    const unsigned out_mode = h[1] & 3u, null_mode = h[1] >> 3 & 3u;
    const ptrdiff_t mis[REGIONS] = {h[3] % vec, h[4] % vec, h[5] % vec};
    struct placed x = {REG_X, 0}, dy = {NONE, 0}, out = {REG_OUT, 0};
    const char *out_desc = "own";
    char dy_desc[32] = "own";

    if (bwd) {
        dy = (struct placed){REG_DY, 0};
        if (h[1] & 4 && n > 0) {
            dy = (struct placed){REG_X, (int8_t)h[8] % n};
            snprintf(dy_desc, sizeof dy_desc, "x%+td", dy.at);
        }
    }
    if (out_mode == 1) {
        out = x;
        out_desc = "x (in place)";
    } else if (out_mode == 2 && bwd) {
        out = dy;
        out_desc = "dy (in place)";
    } else if (out_mode == 3 && n >= 2) {
        const int on_dy = bwd && (h[1] & 32);
        ptrdiff_t d = (int8_t)h[9] % (n - 1);
        out = on_dy ? dy : x;
        out.at += d >= 0 ? d + 1 : d - 1;
        out_desc = on_dy ? "dy shifted (partial overlap)" : "x shifted (partial overlap)";
    }

    const struct placed *all[3] = {&x, &dy, &out};
    unsigned char *first[REGIONS];
    for (int r = 0; r < REGIONS; r++) {
        struct region *g = &reg[r];
        ptrdiff_t lo = PTRDIFF_MAX, hi = PTRDIFF_MIN;
        for (int a = 0; a < 3; a++) {
            if (all[a]->region == r) {
                lo = all[a]->at < lo ? all[a]->at : lo;
                hi = all[a]->at + n > hi ? all[a]->at + n : hi;
            }
        }
        POISON(g->start, (size_t)(g->end - g->start));
        g->bytes = region_bytes(c.es);
        g->base = g->end - g->bytes;
        g->cap = (ptrdiff_t)(g->bytes / c.es);
        UNPOISON(g->base, g->bytes);
        memcpy(g->base, filled[c.t], g->bytes);
        if (lo == PTRDIFF_MAX) { /* unused */
            first[r] = NULL;
            g->lo = g->hi = g->cap;
            continue;
        }
        /* the first array at mis (mod vec), the group's end 0..vec-1
         * elements before the guard page */
        const ptrdiff_t slack = ((g->cap - hi - mis[r]) % vec + vec) % vec;
        const ptrdiff_t p = g->cap - hi - slack;
        first[r] = g->base + p * es;
        g->lo = p + lo;
        g->hi = p + hi;
    }
    c.px = first[REG_X] + x.at * es;
    c.pdy = dy.region == NONE ? NULL : first[dy.region] + dy.at * es;
    c.pout = first[out.region] + out.at * es;
    c.out_region = out.region;
    c.x = null_mode == 1 ? NULL : c.px;
    c.dy = null_mode == 2 ? NULL : c.pdy;
    c.out = null_mode == 3 ? NULL : c.pout;
    snprintf(c.layout, sizeof c.layout, "misalign x=%td dy=%td out=%td; dy %s; out %s; null=%u",
             mis[REG_X], mis[REG_DY], mis[REG_OUT], bwd ? dy_desc : "unused", out_desc, null_mode);
}

/* Reads the input into c and the regions, and takes their image. */
static void decode(const uint8_t *data, size_t size)
{
    uint8_t h[HEADER] = {0};
    memcpy(h, data, size < HEADER ? size : HEADER);
    c.op = (enum op)((h[0] & 3) % OP_COUNT);
    c.flags = (h[0] >> 2) & 3;
    c.t = (enum lrelu_type)(h[2] % LRELU_TYPE_COUNT);
    c.es = type_sizes[c.t];
    c.n = ((size_t)h[6] | (size_t)h[7] << 8) % (MAX_N + 1);
    if (c.t == LRELU_TYPE_f64) {
        const uint64_t a = le(h + 10, 8);
        memcpy(&c.alpha, &a, 8);
    } else {
        c.alpha = (double)u2f((uint32_t)le(h + 10, 4));
    }
    place(h);

    /* the values: x first, then dy (over x where they overlap) */
    const size_t nv = size > HEADER ? (size - HEADER) / c.es : 0;
    for (size_t i = 0; i < c.n; i++)
        put_bits(c.t, c.px, i, nv ? le(data + HEADER + c.es * (i % nv), c.es) : 0);
    for (size_t i = 0; c.pdy && i < c.n; i++)
        put_bits(c.t, c.pdy, i, nv ? le(data + HEADER + c.es * ((c.n + i) % nv), c.es) : 0);
    for (size_t i = 0; i < c.n; i++) {
        in_v[i] = get_bits(c.t, c.px, i);
        dy_v[i] = c.pdy ? get_bits(c.t, c.pdy, i) : 0;
        formula[i] = ref_bits(c.t, c.op, in_v[i], dy_v[i], c.alpha, &any_nan[i]);
    }
    /* an output of its own starts as the complement of the right answer,
     * so that an element left unwritten is seen */
    if (c.out_region == REG_OUT)
        for (size_t i = 0; i < c.n; i++)
            put_bits(c.t, c.pout, i, ~formula[i]);

    c.n_call = c.n;
    if (h[1] & 64) {
        uintptr_t top = 0;
        const void *arrays[3] = {c.x, c.dy, c.out};
        for (int a = 0; a < 3; a++)
            top = (uintptr_t)arrays[a] > top ? (uintptr_t)arrays[a] : top;
        c.n_call =
            h[1] & 128 ? (UINTPTR_MAX - top) / c.es + 1 + c.n % 64 : SIZE_MAX / c.es + 1 + c.n;
    }
    for (int r = 0; r < REGIONS; r++)
        memcpy(reg[r].image, reg[r].base, reg[r].bytes);
}

/* Back to the image, with everything outside the arrays poisoned. */
static void restore(void)
{
    for (int r = 0; r < REGIONS; r++) {
        struct region *g = &reg[r];
        UNPOISON(g->base, g->bytes);
        memcpy(g->base, g->image, g->bytes);
        POISON(g->base, (size_t)g->lo * c.es);
        POISON(g->base + g->hi * (ptrdiff_t)c.es, g->bytes - (size_t)g->hi * c.es);
    }
}

/* Names the case and ends the run: libFuzzer saves the input. */
static void fail_now(const char *kernel)
{
    fflush(stdout);
    fprintf(stderr,
            "FAIL case: kernel=%s type=%s function=%s flags=%u n=%zu (passed: %zu) "
            "alpha=%a %s\n",
            kernel, type_names[c.t], op_names[c.op], c.flags, c.n, c.n_call, c.alpha, c.layout);
    fflush(stderr);
    abort();
}

/* Bytes [from, to) of region r are as they were before the call. */
static void check_unchanged(int r, size_t from, size_t to, const char *kernel)
{
    const struct region *g = &reg[r];
    if (to <= from || memcmp(g->base + from, g->image + from, to - from) == 0)
        return;
    size_t i = from;
    while (g->base[i] == g->image[i])
        i++;
    fprintf(stderr,
            "FAIL kernel=%s wrote outside its output: region %s byte %zu (element %zu; its "
            "arrays: elements %td..%td) was 0x%02x, is 0x%02x\n",
            kernel, region_names[r], i, i / c.es, g->lo, g->hi, g->image[i], g->base[i]);
    fail_now(kernel);
}

/* The output of a successful call: the scalar kernel's against the
 * contract (any NaN where it says so), then kept as the reference for the
 * others' bits. */
static void check_output(size_t k)
{
    const unsigned char *o = c.out;
    const size_t n = c.n_call, bytes = n * c.es;
    size_t j = 0;
    if (k == 0) {
        for (; j < n; j++) {
            const uint64_t got = get_bits(c.t, o, j);
            if (got != formula[j] && !(any_nan[j] && is_nan_t(c.t, got)))
                break;
        }
        memcpy(reference, o, bytes);
    } else if (memcmp(o, reference, bytes) != 0) {
        while (get_bits(c.t, o, j) == get_bits(c.t, reference, j))
            j++;
    } else {
        j = n;
    }
    if (j < n) {
        report_t(impls[k].name, c.t, c.op, n, 0, 0, c.layout, c.alpha, j, in_v[j], dy_v[j],
                 get_bits(c.t, o, j), k == 0 ? formula[j] : get_bits(c.t, reference, j),
                 k == 0 ? "differs from the contract" : "differs from the scalar kernel");
        fail_now(impls[k].name);
    }
}

/* After a call: every region as it was, but for the output of a success. */
static void check_memory(size_t k, int status)
{
    for (int r = 0; r < REGIONS; r++) {
        const struct region *g = &reg[r];
        UNPOISON(g->base, g->bytes);
        size_t o_lo = g->bytes, o_hi = g->bytes;
        if (status == LRELU_OK && c.n_call > 0 && c.out_region == r) {
            o_lo = (size_t)(c.out - g->base);
            o_hi = o_lo + c.n_call * c.es;
        }
        check_unchanged(r, 0, o_lo, impls[k].name);
        check_unchanged(r, o_hi, g->bytes, impls[k].name);
        if (o_lo < o_hi)
            check_output(k);
    }
}

/* ---- PReLU ----------------------------------------------------------- */

#define PRELU_FLAG  0x80
#define PRELU_MAX_N 4096
#define PRELU_MAX_C 255

enum { P_FORWARD, P_BOTH, P_DX, P_DSLOPE };
static const char *const prelu_names[4] = {"prelu_forward", "prelu_backward (dx, dslope)",
                                           "prelu_backward (dx alone)",
                                           "prelu_backward (dslope alone)"};

/* One decoded PReLU input; the contract's y or dx (any NaN where
 * any_nan), the exact dslope and what bounds its error, the documented
 * order's dslope; the scalar kernel's outputs. */
static struct pcase {
    int op;
    size_t outer, channels, inner, n;
    float *x, *dy, *out, *slope, *dslope; /* out NULL for dslope alone, dslope for dx alone */
    int out_region;
    char layout[96];
} pc;
static uint32_t p_x[PRELU_MAX_N], p_dy[PRELU_MAX_N], p_slope[PRELU_MAX_C], p_formula[PRELU_MAX_N];
static int p_any_nan[PRELU_MAX_N];
static double p_exact[PRELU_MAX_C], p_abs[PRELU_MAX_C];
static int p_special[PRELU_MAX_C]; /* 0 finite; 1 NaN; 2 +inf; 3 -inf */
static uint32_t p_canonical[PRELU_MAX_C], p_ref_out[PRELU_MAX_N], p_ref_ds[PRELU_MAX_C];

static int nan_u(uint32_t u) { return (u & 0x7fffffffu) > 0x7f800000u; }
static int same_or_nans(uint32_t a, uint32_t b) { return a == b || (nan_u(a) && nan_u(b)); }

/* Puts an array of count floats in region r, starting mis floats past a
 * 64-byte boundary and ending 0..15 floats before the guard page; the
 * rest of the region holds the float32 filler. */
static float *place_floats(int r, size_t count, size_t mis)
{
    struct region *g = &reg[r];
    POISON(g->start, (size_t)(g->end - g->start));
    g->bytes = region_bytes(MAX_ELEM);
    g->base = g->end - g->bytes;
    g->cap = (ptrdiff_t)(g->bytes / 4);
    UNPOISON(g->base, g->bytes);
    memcpy(g->base, filled[LRELU_TYPE_f32], g->bytes);
    const ptrdiff_t slack = ((g->cap - (ptrdiff_t)count - (ptrdiff_t)mis) % 16 + 16) % 16;
    const ptrdiff_t p = g->cap - (ptrdiff_t)count - slack;
    g->lo = p;
    g->hi = p + (ptrdiff_t)count;
    return (float *)(void *)g->base + p;
}

static void unused_region(int r)
{
    place_floats(r, 0, 0);
    reg[r].lo = reg[r].hi = reg[r].cap;
}

/* Double-double addition: s + e, |e| <= ulp(s) / 2. */
static void dd_add(double *s, double *e, double t)
{
    const double sum = *s + t, bb = sum - *s;
    *e += (*s - (sum - bb)) + (t - bb);
    *s = sum;
}

static void prelu_decode(const uint8_t *data, size_t size)
{
    uint8_t h[HEADER] = {0};
    memcpy(h, data, size < HEADER ? size : HEADER);
    memset(&pc, 0, sizeof pc);
    pc.op = h[0] & 3;
    size_t o = h[6], ch = h[7], in = h[8] | (size_t)(h[9] & 1) << 8;
    if (ch * in > PRELU_MAX_N)
        in = PRELU_MAX_N / ch;
    if (o * ch * in > PRELU_MAX_N)
        o = PRELU_MAX_N / (ch * in);
    pc.outer = o;
    pc.channels = ch;
    pc.inner = in;
    const size_t n = pc.n = o * ch * in;
    /* c describes float32 arrays for the shared helpers (restore, checks) */
    c.t = LRELU_TYPE_f32;
    c.es = 4;

    const unsigned out_mode = h[1] & 3u;
    pc.x = place_floats(REG_X, n, h[3] % 16);
    if (pc.op != P_FORWARD)
        pc.dy = place_floats(REG_DY, n, h[4] % 16);
    else
        unused_region(REG_DY);
    pc.out_region = NONE;
    if (pc.op != P_DSLOPE) {
        if (out_mode == 1) {
            pc.out = pc.x;
            pc.out_region = REG_X;
        } else if (out_mode == 2 && pc.op != P_FORWARD) {
            pc.out = pc.dy;
            pc.out_region = REG_DY;
        }
    }
    if (pc.op != P_DSLOPE && pc.out == NULL) {
        pc.out = place_floats(REG_OUT, n, h[5] % 16);
        pc.out_region = REG_OUT;
    } else {
        unused_region(REG_OUT);
    }
    pc.slope = place_floats(REG_SLOPE, ch, h[10] & 15);
    if (pc.op == P_BOTH || pc.op == P_DSLOPE)
        pc.dslope = place_floats(REG_DSLOPE, ch, h[10] >> 4);
    else
        unused_region(REG_DSLOPE);
    snprintf(pc.layout, sizeof pc.layout, "misalign x=%u dy=%u out=%u slope=%u dslope=%u; out %s",
             h[3] % 16, h[4] % 16, h[5] % 16, h[10] & 15, h[10] >> 4,
             pc.out_region == REG_X    ? "x (in place)"
             : pc.out_region == REG_DY ? "dy (in place)"
             : pc.out == NULL          ? "none"
                                       : "own");

    /* the values: slopes, x, dy */
    const size_t nv = size > HEADER ? (size - HEADER) / 4 : 0;
    size_t v = 0;
#define NEXT() (nv ? (uint32_t)le(data + HEADER + 4 * (v++ % nv), 4) : (v++, 0u))
    for (size_t k = 0; k < ch; k++) {
        uint32_t s = NEXT();
        if (!(h[9] & 2) && (s & 0x7f800000u) == 0x7f800000u)
            s &= ~0x40000000u;
        p_slope[k] = s;
        pc.slope[k] = u2f(s);
    }
    for (size_t i = 0; i < n; i++) {
        p_x[i] = NEXT();
        pc.x[i] = u2f(p_x[i]);
    }
    for (size_t i = 0; pc.dy && i < n; i++) {
        p_dy[i] = NEXT();
        pc.dy[i] = u2f(p_dy[i]);
    }
#undef NEXT
    /* the contract's y or dx; an output of its own starts as its
     * complement, so that an element left unwritten is seen */
    const enum op eop = pc.op == P_FORWARD ? OP_FORWARD : OP_BACKWARD;
    for (size_t i = 0; i < n; i++)
        p_formula[i] = (uint32_t)ref_bits(LRELU_TYPE_f32, eop, p_x[i], pc.dy ? p_dy[i] : 0,
                                          (double)u2f(p_slope[i / in % ch]), &p_any_nan[i]);
    if (pc.out_region == REG_OUT)
        for (size_t i = 0; i < n; i++)
            pc.out[i] = u2f(~p_formula[i]);
    /* dslope: the exact sum (double-double), the sum of |terms|, NaN and
     * infinities; the documented order written out plainly (blocks of
     * 8192 terms, eight partial sums by index mod 8 from +0, the fixed
     * tree, the blocks added in order from +0, one rounding) */
    for (size_t k = 0; pc.dslope && k < ch; k++) {
        double s = 0, e = 0, a = 0, sum = 0;
        int nan = 0, pinf = 0, ninf = 0;
        const size_t terms = o * in;
        for (size_t b0 = 0; b0 < terms; b0 += 8192) {
            double p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (size_t t = b0; t < terms && t < b0 + 8192; t++) {
                const size_t at = (t / in * ch + k) * in + t % in;
                const float xv = u2f(p_x[at]), gv = u2f(p_dy[at]);
                const double term = xv > 0 ? 0.0 : (double)xv * (double)gv;
                p[t % 8] += term;
                if (isnan(term))
                    nan = 1;
                else if (isinf(term))
                    *(term > 0 ? &pinf : &ninf) = 1;
                else {
                    dd_add(&s, &e, term);
                    a += fabs(term);
                }
            }
            sum += ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
        }
        p_canonical[k] = f2u((float)sum);
        p_exact[k] = s + e;
        p_abs[k] = a;
        p_special[k] = nan || (pinf && ninf) ? 1 : pinf ? 2 : ninf ? 3 : 0;
        pc.dslope[k] = u2f(0x3f9e3779u); /* not a NaN: an unwritten NaN channel is seen */
    }
    for (int r = 0; r < REGIONS; r++)
        memcpy(reg[r].image, reg[r].base, reg[r].bytes);
}

/* The status the contract gives: an empty shape is fine (nothing read);
 * otherwise a non-finite slope is LRELU_EINVAL. */
static int prelu_contract(void)
{
    if (pc.n == 0)
        return LRELU_OK;
    for (size_t k = 0; k < pc.channels; k++)
        if (!isfinite(u2f(p_slope[k])))
            return LRELU_EINVAL;
    return LRELU_OK;
}

static void prelu_fail(const char *kernel, const char *what, size_t index, uint32_t got,
                       uint32_t want)
{
    fflush(stdout);
    fprintf(stderr,
            "FAIL %s: kernel=%s function=%s shape=[%zu][%zu][%zu] %s; index %zu: got %08x "
            "(%a), want %08x (%a)\n",
            what, kernel, prelu_names[pc.op], pc.outer, pc.channels, pc.inner, pc.layout, index,
            got, (double)u2f(got), want, (double)u2f(want));
    fflush(stderr);
    abort();
}

/* dslope[k] of the scalar kernel against the exact sum. */
static void prelu_check_exact(const char *kernel, size_t k, uint32_t got)
{
    const float g = u2f(got);
    if (p_special[k] == 1) {
        if (!isnan(g))
            prelu_fail(kernel, "dslope is not NaN", k, got, 0x7fc00000u);
        return;
    }
    if (p_special[k] >= 2) {
        const uint32_t want = p_special[k] == 2 ? 0x7f800000u : 0xff800000u;
        if (got != want)
            prelu_fail(kernel, "dslope is not the infinity", k, got, want);
        return;
    }
    double bound;
    if (!dslope_within(g, p_exact[k], p_abs[k], &bound))
        prelu_fail(kernel, "dslope is off the exact sum by more than 1 ulp + 2^-40 sum |t|", k, got,
                   f2u((float)p_exact[k]));
}

/* After kernel k's call: the regions, then the outputs. */
static void prelu_check(size_t k, int status)
{
    const char *name = impls[k].name;
    const int ok = status == LRELU_OK;
    for (int r = 0; r < REGIONS; r++) {
        const struct region *g = &reg[r];
        UNPOISON(g->base, g->bytes);
        size_t lo = g->bytes, hi = g->bytes;
        if (ok && r == pc.out_region && pc.n > 0) {
            lo = (size_t)g->lo * 4;
            hi = (size_t)g->hi * 4;
        }
        if (ok && r == REG_DSLOPE && pc.dslope != NULL) {
            lo = (size_t)g->lo * 4;
            hi = (size_t)g->hi * 4;
        }
        check_unchanged(r, 0, lo, name);
        check_unchanged(r, hi, g->bytes, name);
    }
    if (!ok)
        return;
    for (size_t i = 0; pc.out && i < pc.n; i++) {
        const uint32_t got = f2u(pc.out[i]);
        if (k == 0) {
            if (got != p_formula[i] && !(p_any_nan[i] && nan_u(got)))
                prelu_fail(name,
                           pc.op == P_FORWARD ? "y differs from the contract"
                                              : "dx differs from the contract",
                           i, got, p_formula[i]);
            p_ref_out[i] = got;
        } else if (got != p_ref_out[i]) {
            prelu_fail(name, "y or dx differs from the scalar kernel", i, got, p_ref_out[i]);
        }
    }
    for (size_t j = 0; pc.dslope && j < pc.channels; j++) {
        const uint32_t got = f2u(pc.dslope[j]);
        if (pc.n == 0) {
            if (got != 0)
                prelu_fail(name, "dslope of an empty shape is not +0", j, got, 0);
        } else if (k == 0) {
            prelu_check_exact(name, j, got);
            if (!same_or_nans(got, p_canonical[j]))
                prelu_fail(name, "dslope differs from the documented order", j, got,
                           p_canonical[j]);
            p_ref_ds[j] = got;
        } else if (!same_or_nans(got, p_ref_ds[j])) {
            prelu_fail(name, "dslope differs from the scalar kernel", j, got, p_ref_ds[j]);
        }
    }
}

static void prelu_one(const uint8_t *data, size_t size)
{
    prelu_decode(data, size);
    const int want = prelu_contract();
    float *dx = pc.op == P_DSLOPE ? NULL : pc.out;
    for (size_t k = 0; k < impl_count; k++) {
        const int api = k < library_kernels;
        if (!api && (want != LRELU_OK || pc.n == 0))
            continue;
        restore();
        int st;
        if (api && lrelu_set_kernel(impls[k].name) != LRELU_OK)
            die("lrelu_set_kernel refused a listed kernel");
        if (pc.op == P_FORWARD)
            st = api ? lrelu_prelu_forward(pc.x, pc.out, pc.slope, pc.outer, pc.channels, pc.inner)
                     : lrelu_prelu_forward_with(impls[k].fns, pc.x, pc.out, pc.slope, pc.outer,
                                                pc.channels, pc.inner);
        else
            st = api ? lrelu_prelu_backward(pc.x, pc.dy, dx, pc.slope, pc.dslope, pc.outer,
                                            pc.channels, pc.inner)
                     : lrelu_prelu_backward_with(impls[k].fns, pc.x, pc.dy, dx, pc.slope, pc.dslope,
                                                 pc.outer, pc.channels, pc.inner);
        if (api && st != want) {
            fprintf(stderr, "FAIL status %d, the contract says %d\n", st, want);
            prelu_fail(impls[k].name, "status", 0, 0, 0);
        }
        prelu_check(k, st);
    }
    lrelu_set_kernel(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2 && (data[2] & PRELU_FLAG) != 0) {
        prelu_one(data, size);
        return 0;
    }
    decode(data, size);
    const int want = contract_status();
    for (size_t k = 0; k < impl_count; k++) {
        const int api = k < library_kernels;
        /* a test-only build is a bare kernel: only what the API lets through */
        if (!api && (want != LRELU_OK || c.n_call == 0))
            continue;
        restore();
        const int st = run_op_t(&impls[k], c.t, c.op, c.x, c.dy, c.out, c.n_call, c.alpha, c.flags);
        if (api && st != want) {
            fprintf(stderr, "FAIL status %d, the contract says %d\n", st, want);
            fail_now(impls[k].name);
        }
        check_memory(k, st);
    }
    return 0;
}
