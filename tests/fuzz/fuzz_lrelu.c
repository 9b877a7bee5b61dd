/*
 * Differential fuzzing (libFuzzer). Each input becomes one call: the
 * function, the store flags, n, the misalignments, in place or not,
 * overlaps, NULL arrays,
 * huge n, alpha (any bits: NaN, infinities, negative, subnormal) and the
 * values. The call runs on every usable kernel, on arrays placed in regions
 * that end at a PROT_NONE page (the arrays end there, or up to 15 floats
 * before it so as to reach every misalignment; AddressSanitizer poisons
 * every byte of a region outside the arrays). Each status code must be the
 * one the contract gives; every output must be the scalar reference's bits
 * (the scalar kernel itself is checked against the formula, any NaN where
 * the formula gives a NaN); no other byte of any region may change. A
 * difference prints the case and aborts: libFuzzer saves the input.
 *
 * Input bytes (missing ones read as zero; multi-byte fields little endian):
 *   0      bits 0-1: function: forward, backward, backward_from_output (mod 3)
 *          bits 2-3: store flags: 0 automatic, 1 LRELU_STORE_STREAM,
 *            2 LRELU_STORE_CACHED, 3 both (refused)
 *   1      layout, bits 0-1, the output: 0 an array of its own, 1 the x
 *            array (in place), 2 the dy array (in place; forward: its own),
 *            3 partly overlapping x (bit 5 clear) or dy (bit 5 set)
 *          bit 2: dy overlaps x, shifted by byte 10 (0: the same array)
 *          bits 3-4: NULL array: 0 none, 1 x, 2 dy, 3 the output
 *          bit 6: huge n: past SIZE_MAX / 4 (bit 7 clear) or one whose byte
 *            range wraps the address space (bit 7 set)
 *   2      misalignment in floats of x (bits 0-3) and the output (4-7)
 *   3      misalignment in floats of dy (bits 0-3)
 *   4-5    n, mod MAX_N + 1
 *   6-9    alpha, binary32
 *   10     dy's shift from x, signed, mod n
 *   11     the partial overlap's shift, signed, 1 .. n - 1 either way
 *   12-    values, binary32, repeated as needed: x takes n, then dy n
 *
 * tests/fuzz/make_corpus.py writes the seed corpus in this format.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

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

#define MAX_N  1024
#define HEADER 12
#define VEC    16 /* floats in the widest vector: misalignments 0..15 */
#define NONE   (-1)
#define FILLER 0x7fa5a5a5u /* a signalling NaN no kernel produces */

enum { REG_X, REG_DY, REG_OUT, REGIONS };
static const char *const region_names[REGIONS] = {"x", "dy", "out"};

/* A span of `cap` floats (a multiple of VEC) between two PROT_NONE pages;
 * its contents before each call; [lo, hi): the arrays placed in it. */
static struct region {
    float *base, *image;
    ptrdiff_t cap, lo, hi;
} reg[REGIONS];

static struct impl impls[16];
static size_t impl_count;
static size_t library_kernels; /* impls[0..library_kernels): through the API */

/* One decoded input. */
static struct fcase {
    enum op op;
    unsigned flags; /* LRELU_STORE_* bits */
    size_t n;       /* elements placed in memory */
    size_t n_call;  /* n passed to the call: n, or a huge one */
    float alpha;
    float *px, *pdy, *pout; /* where the arrays are (pdy NULL for forward) */
    int out_region;         /* the region that holds the output */
    const float *x, *dy;    /* what the call gets: the same, or one NULL */
    float *out;
    char layout[96];
} c;

/* The inputs as placed, the formula's results, the scalar kernel's. */
static float in_v[MAX_N], dy_v[MAX_N], formula[MAX_N], reference[MAX_N];

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
        /* x, dy shifted by < n and an output shifted by < n from either,
         * plus up to 15 floats to reach a misalignment; whole pages, so a
         * multiple of VEC floats */
        const struct guarded g = guarded_alloc((3 * MAX_N + 2 * VEC) * sizeof(float));
        reg[r].base = (float *)g.lo;
        reg[r].cap = (g.hi - g.lo) / (ptrdiff_t)sizeof(float);
        reg[r].image = malloc((size_t)(g.hi - g.lo));
        if (reg[r].image == NULL)
            die("out of memory");
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

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The contract in its own words, written apart from the library's checks:
 * p holds n floats whose bytes fit below the top of the address space... */
static int fits(const void *p, size_t n)
{
    return p != NULL && n <= (UINTPTR_MAX - (uintptr_t)p) / sizeof(float);
}

/* ... and out shares a byte with in without being the same array. */
static int partly_overlaps(const void *out, const void *in, size_t n)
{
    const uintptr_t o = (uintptr_t)out, i = (uintptr_t)in;
    return o != i && (o > i ? o - i : i - o) < n * sizeof(float);
}

/* The status the contract gives for this call. */
static int contract_status(void)
{
    const int bwd = c.op != OP_FORWARD;
    const size_t n = c.n_call;
    if (!isfinite(c.alpha) || (c.op == OP_BACKWARD_FROM_OUTPUT && c.alpha < 0.0f) ||
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

static void fill(float *p, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i++)
        p[i] = u2f(FILLER);
}

/* An array's place: a region and an offset in floats from the first array
 * of that region's group. */
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
    const ptrdiff_t n = (ptrdiff_t)c.n;
    const unsigned out_mode = h[1] & 3u, null_mode = h[1] >> 3 & 3u;
    const ptrdiff_t mis[REGIONS] = {h[2] & 15, h[3] & 15, h[2] >> 4};
    struct placed x = {REG_X, 0}, dy = {NONE, 0}, out = {REG_OUT, 0};
    const char *out_desc = "own";
    char dy_desc[32] = "own";

    if (bwd) {
        dy = (struct placed){REG_DY, 0};
        if (h[1] & 4 && n > 0) {
            dy = (struct placed){REG_X, (int8_t)h[10] % n};
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
        ptrdiff_t d = (int8_t)h[11] % (n - 1);
        out = on_dy ? dy : x;
        out.at += d >= 0 ? d + 1 : d - 1;
        out_desc = on_dy ? "dy shifted (partial overlap)" : "x shifted (partial overlap)";
    }

    const struct placed *all[3] = {&x, &dy, &out};
    float *first[REGIONS];
    for (int r = 0; r < REGIONS; r++) {
        struct region *g = &reg[r];
        ptrdiff_t lo = PTRDIFF_MAX, hi = PTRDIFF_MIN;
        for (int a = 0; a < 3; a++) {
            if (all[a]->region == r) {
                lo = all[a]->at < lo ? all[a]->at : lo;
                hi = all[a]->at + n > hi ? all[a]->at + n : hi;
            }
        }
        UNPOISON(g->base, (size_t)g->cap * sizeof(float));
        fill(g->base, g->cap);
        if (lo == PTRDIFF_MAX) { /* unused */
            first[r] = NULL;
            g->lo = g->hi = g->cap;
            continue;
        }
        /* the first array at mis (mod VEC), the group's end 0..15 floats
         * before the guard page */
        const ptrdiff_t slack = ((g->cap - hi - mis[r]) % VEC + VEC) % VEC;
        const ptrdiff_t p = g->cap - hi - slack;
        first[r] = g->base + p;
        g->lo = p + lo;
        g->hi = p + hi;
    }
    c.px = first[REG_X] + x.at;
    c.pdy = dy.region == NONE ? NULL : first[dy.region] + dy.at;
    c.pout = first[out.region] + out.at;
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
    c.n = ((size_t)h[4] | (size_t)h[5] << 8) % (MAX_N + 1);
    c.alpha = u2f(le32(h + 6));
    place(h);

    /* the values: x first, then dy (over x where they overlap) */
    const size_t nv = size > HEADER ? (size - HEADER) / 4 : 0;
    for (size_t i = 0; i < c.n; i++)
        c.px[i] = nv ? u2f(le32(data + HEADER + 4 * (i % nv))) : 0.0f;
    for (size_t i = 0; c.pdy && i < c.n; i++)
        c.pdy[i] = nv ? u2f(le32(data + HEADER + 4 * ((c.n + i) % nv))) : 0.0f;
    for (size_t i = 0; i < c.n; i++) {
        in_v[i] = c.px[i];
        dy_v[i] = c.pdy ? c.pdy[i] : 0.0f;
        formula[i] = ref_op(c.op, in_v[i], dy_v[i], c.alpha);
    }
    /* an output of its own starts as the complement of the right answer,
     * so that an element left unwritten is seen */
    if (c.out_region == REG_OUT)
        for (size_t i = 0; i < c.n; i++)
            c.pout[i] = u2f(~f2u(formula[i]));

    c.n_call = c.n;
    if (h[1] & 64) {
        uintptr_t top = 0;
        const void *arrays[3] = {c.x, c.dy, c.out};
        for (int a = 0; a < 3; a++)
            top = (uintptr_t)arrays[a] > top ? (uintptr_t)arrays[a] : top;
        c.n_call = h[1] & 128 ? (UINTPTR_MAX - top) / sizeof(float) + 1 + c.n % 64
                              : SIZE_MAX / sizeof(float) + 1 + c.n;
    }
    for (int r = 0; r < REGIONS; r++)
        memcpy(reg[r].image, reg[r].base, (size_t)reg[r].cap * sizeof(float));
}

/* Back to the image, with everything outside the arrays poisoned. */
static void restore(void)
{
    for (int r = 0; r < REGIONS; r++) {
        struct region *g = &reg[r];
        UNPOISON(g->base, (size_t)g->cap * sizeof(float));
        memcpy(g->base, g->image, (size_t)g->cap * sizeof(float));
        POISON(g->base, (size_t)g->lo * sizeof(float));
        POISON(g->base + g->hi, (size_t)(g->cap - g->hi) * sizeof(float));
    }
}

/* Names the case and ends the run: libFuzzer saves the input. */
static void fail_now(const char *kernel)
{
    fflush(stdout);
    fprintf(stderr,
            "FAIL case: kernel=%s function=%s flags=%u n=%zu (passed: %zu) alpha=0x%08x (%g) %s\n",
            kernel, op_names[c.op], c.flags, c.n, c.n_call, (unsigned)f2u(c.alpha), (double)c.alpha,
            c.layout);
    fflush(stderr);
    abort();
}

/* Floats [from, to) of region r are as they were before the call. */
static void check_unchanged(int r, ptrdiff_t from, ptrdiff_t to, const char *kernel)
{
    const struct region *g = &reg[r];
    if (to <= from ||
        memcmp(g->base + from, g->image + from, (size_t)(to - from) * sizeof(float)) == 0)
        return;
    ptrdiff_t i = from;
    while (f2u(g->base[i]) == f2u(g->image[i]))
        i++;
    fprintf(stderr,
            "FAIL kernel=%s wrote outside its output: region %s float %td (its arrays: %td..%td) "
            "was 0x%08x, is 0x%08x\n",
            kernel, region_names[r], i, g->lo, g->hi, (unsigned)f2u(g->image[i]),
            (unsigned)f2u(g->base[i]));
    fail_now(kernel);
}

/* The output of a successful call: the scalar kernel's against the formula
 * (any NaN for a NaN), then kept as the reference for the others' bits. */
static void check_output(size_t k)
{
    const float *o = c.out;
    const size_t n = c.n_call;
    size_t j = 0;
    if (k == 0) {
        for (; j < n; j++) {
            const uint32_t got = f2u(o[j]), exp = f2u(formula[j]);
            if (got != exp && !(is_nan_bits(got) && is_nan_bits(exp)))
                break;
        }
        memcpy(reference, o, n * sizeof *o);
    } else if (memcmp(o, reference, n * sizeof *o) != 0) {
        while (f2u(o[j]) == f2u(reference[j]))
            j++;
    } else {
        j = n;
    }
    if (j < n) {
        report(impls[k].name, c.op, n, 0, 0, c.layout, c.alpha, j, in_v[j], dy_v[j], o[j],
               k == 0 ? formula[j] : reference[j],
               k == 0 ? "differs from the formula" : "differs from the scalar kernel");
        fail_now(impls[k].name);
    }
}

/* After a call: every region as it was, but for the output of a success. */
static void check_memory(size_t k, int status)
{
    for (int r = 0; r < REGIONS; r++) {
        const struct region *g = &reg[r];
        UNPOISON(g->base, (size_t)g->cap * sizeof(float));
        ptrdiff_t o_lo = g->cap, o_hi = g->cap;
        if (status == LRELU_OK && c.n_call > 0 && c.out_region == r) {
            o_lo = c.out - g->base;
            o_hi = o_lo + (ptrdiff_t)c.n_call;
        }
        check_unchanged(r, 0, o_lo, impls[k].name);
        check_unchanged(r, o_hi, g->cap, impls[k].name);
        if (o_lo < o_hi)
            check_output(k);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode(data, size);
    const int want = contract_status();
    for (size_t k = 0; k < impl_count; k++) {
        const int api = k < library_kernels;
        /* a test-only build is a bare kernel: only what the API lets through */
        if (!api && (want != LRELU_OK || c.n_call == 0))
            continue;
        restore();
        const int st = run_op(&impls[k], c.op, c.x, c.dy, c.out, c.n_call, c.alpha, c.flags);
        if (api && st != want) {
            fprintf(stderr, "FAIL status %d, the contract says %d\n", st, want);
            fail_now(impls[k].name);
        }
        check_memory(k, st);
    }
    return 0;
}
