/*
 * The API contract outside the arithmetic, for every element type: every
 * error returns its code, writes nothing and raises no invalid-operation
 * exception (a quiet NaN alpha included), with every store flag; in
 * place and n == 0 work; float64's alpha is a double; the kernel-selection calls,
 * status strings and version behave as documented.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "common.h"

#define N 64
/* x at [0, N), dy at [N, 2N), output space from 2N to 4N elements, of the
 * type under test (16-bit types use the first quarter of the bytes). */
static union {
    double align;
    unsigned char b[4 * N * sizeof(double)];
} mem;
static const unsigned char SENT = 0xa5;

static unsigned char *elem(enum lrelu_type t, size_t i) { return mem.b + i * type_sizes[t]; }

static void fill(enum lrelu_type t)
{
    uint64_t s = 0x617069u + (uint64_t)t;
    memset(mem.b, SENT, sizeof mem.b);
    for (size_t i = 0; i < 2 * N; i++)
        put_bits(t, mem.b, i, pool_bits(t, &s));
}

/* Everything from element 2N on is output space: still all sentinels? */
static int outputs_untouched(enum lrelu_type t)
{
    for (const unsigned char *p = elem(t, 2 * N); p < mem.b + sizeof mem.b; p++)
        if (*p != SENT)
            return 0;
    return 1;
}

/* The store flags a caller may pass; every error holds with each. */
static const unsigned all_flags[] = {LRELU_STORE_AUTO, LRELU_STORE_STREAM, LRELU_STORE_CACHED};
#define FLAG_COUNT (sizeof all_flags / sizeof all_flags[0])

static void expect_refused(enum lrelu_type t, enum op op, const void *in, const void *dy, void *out,
                           size_t n, double alpha, int want, const char *what)
{
    for (size_t f = 0; f < FLAG_COUNT; f++) {
        fill(t);
        feclearexcept(FE_INVALID);
        int st = call_api_t(t, op, in, dy, out, n, alpha, all_flags[f]);
        const int invalid = fetestexcept(FE_INVALID);
        CHECK(st == want, "%s %s %s alpha=%a flags=%u: returned %d (%s), want %d", type_names[t],
              op_names[op], what, alpha, all_flags[f], st, lrelu_strerror(st), want);
        CHECK(!invalid, "%s %s %s alpha=%a flags=%u: refused call raised FE_INVALID", type_names[t],
              op_names[op], what, alpha, all_flags[f]);
        CHECK(outputs_untouched(t), "%s %s %s flags=%u: refused call wrote its output",
              type_names[t], op_names[op], what, all_flags[f]);
    }
}

/* Accepted with every flag; writes only [out, out + n). */
static void expect_ok(enum lrelu_type t, enum op op, const void *in, const void *dy, void *out,
                      size_t n, double alpha, const char *what)
{
    for (size_t f = 0; f < FLAG_COUNT; f++) {
        fill(t);
        int st = call_api_t(t, op, in, dy, out, n, alpha, all_flags[f]);
        CHECK(st == LRELU_OK, "%s %s %s alpha=%a flags=%u: returned %d (%s)", type_names[t],
              op_names[op], what, alpha, all_flags[f], st, lrelu_strerror(st));
    }
}

static volatile double big = 1e300; /* big * big: +inf, computed at run time */

static void test_errors(enum lrelu_type t)
{
    const size_t es = type_sizes[t];
    unsigned char *x = elem(t, 0), *dy = elem(t, N), *out = elem(t, 2 * N);
    const double bad_alphas[] = {INFINITY, -INFINITY, NAN, -NAN, big * big, -big * big};
    for (int op = 0; op < OP_COUNT; op++) {
        const enum op o = (enum op)op;
        /* n == 0: OK, NULL allowed, nothing written, every flag */
        for (size_t f = 0; f < FLAG_COUNT; f++) {
            fill(t);
            CHECK(call_api_t(t, o, NULL, NULL, NULL, 0, 0.01f, all_flags[f]) == LRELU_OK,
                  "%s %s n=0 NULL flags=%u", type_names[t], op_names[op], all_flags[f]);
            CHECK(call_api_t(t, o, x, dy, out, 0, 0.01f, all_flags[f]) == LRELU_OK,
                  "%s %s n=0 flags=%u", type_names[t], op_names[op], all_flags[f]);
            CHECK(outputs_untouched(t), "%s %s n=0 wrote", type_names[t], op_names[op]);
        }

        /* NULL arrays with n > 0 */
        expect_refused(t, o, NULL, dy, out, N, 0.01f, LRELU_EINVAL, "x=NULL");
        expect_refused(t, o, x, dy, NULL, N, 0.01f, LRELU_EINVAL, "out=NULL");
        expect_refused(t, o, NULL, NULL, NULL, N, 0.01f, LRELU_EINVAL, "all NULL");
        if (op != OP_FORWARD)
            expect_refused(t, o, x, NULL, out, N, 0.01f, LRELU_EINVAL, "dy=NULL");

        /* non-finite alpha (of the type's alpha: float, or double for
         * float64), with n > 0 and with n == 0 */
        for (size_t a = 0; a < sizeof bad_alphas / sizeof bad_alphas[0]; a++) {
            expect_refused(t, o, x, dy, out, N, bad_alphas[a], LRELU_EINVAL, "non-finite alpha");
            expect_refused(t, o, x, dy, out, 0, bad_alphas[a], LRELU_EINVAL,
                           "non-finite alpha, n=0");
            expect_refused(t, o, NULL, NULL, NULL, 0, bad_alphas[a], LRELU_EINVAL,
                           "non-finite alpha, n=0, NULL");
        }

        /* n whose byte range wraps the address space or exceeds it */
        const size_t huge[] = {SIZE_MAX, SIZE_MAX / es + 1, (SIZE_MAX - (uintptr_t)out) / es + 1};
        for (size_t h = 0; h < sizeof huge / sizeof huge[0]; h++)
            expect_refused(t, o, x, dy, out, huge[h], 0.01f, LRELU_EINVAL, "huge n");

        /* partial overlap of the output with an input, by whole elements
         * and by half an element */
        unsigned char *ob = out;
        expect_refused(t, o, ob + es, dy, ob, 8, 0.01f, LRELU_EOVERLAP, "out = in - 1");
        expect_refused(t, o, ob, dy, ob + 7 * es, 8, 0.01f, LRELU_EOVERLAP, "out = in + 7");
        expect_refused(t, o, ob + 7 * es, dy, ob, 8, 0.01f, LRELU_EOVERLAP, "out = in - 7");
        expect_refused(t, o, ob + es / 2, dy, ob, 8, 0.01f, LRELU_EOVERLAP,
                       "out = in + half an element");
        if (op != OP_FORWARD) {
            expect_refused(t, o, x, ob + 3 * es, ob, 8, 0.01f, LRELU_EOVERLAP, "out = dy - 3");
            expect_refused(t, o, x, ob, ob + es, 8, 0.01f, LRELU_EOVERLAP, "out = dy + 1");
            /* in place on x, partial overlap with dy: still refused */
            expect_refused(t, o, ob, ob + es, ob, 8, 0.01f, LRELU_EOVERLAP, "out = x, dy = x + 1");
        }

        /* adjacent arrays do not overlap; inputs may overlap each other */
        expect_ok(t, o, dy, dy, out, N, 0.01f, "adjacent arrays / x == dy");
        expect_ok(t, o, x, x + es, out, N - 1, 0.01f, "overlapping inputs");
        expect_ok(t, o, out + N * es, dy, out, N, 0.01f, "out just before in");
    }

    /* backward from output: alpha < 0 refused (even tiny), -0.0 and 0
     * allowed; lrelu_backward itself takes negative alphas */
    const double neg[] = {-0.5, -0x1p-149, -0x1p-1074};
    for (size_t a = 0; a < sizeof neg / sizeof neg[0]; a++) {
        if (t != LRELU_TYPE_f64 && (float)neg[a] == 0.0f)
            continue; /* -0x1p-1074 is -0.0 as a float: allowed below */
        expect_refused(t, OP_BACKWARD_FROM_OUTPUT, x, dy, out, N, neg[a], LRELU_EINVAL,
                       "negative alpha");
        expect_refused(t, OP_BACKWARD_FROM_OUTPUT, x, dy, out, 0, neg[a], LRELU_EINVAL,
                       "negative alpha, n=0");
        expect_ok(t, OP_BACKWARD, x, dy, out, N, neg[a], "negative alpha");
    }
    expect_ok(t, OP_BACKWARD_FROM_OUTPUT, x, dy, out, N, -0.0, "alpha=-0.0");
    expect_ok(t, OP_BACKWARD_FROM_OUTPUT, x, dy, out, N, 0.0, "alpha=0");
}

/* float64's alpha is a double: finite doubles beyond float's range, or
 * finer than float's precision, are taken as they are. */
static void test_f64_alpha(void)
{
    const double x[4] = {-1.0, -1e-300, 2.0, -0.0};
    const double alphas[] = {1e300, -1e300, 0.1, 0x1.fffffffffffffp1023, 0x1p-1074, 1e-320};
    double y[4], dx[4];
    for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
        const double al = alphas[a];
        CHECK(lrelu_forward_f64(x, y, 4, al) == LRELU_OK, "f64 forward alpha=%a refused", al);
        for (size_t i = 0; i < 4; i++) {
            const double want = x[i] > 0 ? x[i] : al * x[i];
            CHECK(memcmp(&y[i], &want, 8) == 0, "f64 forward alpha=%a x=%a: got %a want %a", al,
                  x[i], y[i], want);
        }
        CHECK(lrelu_backward_f64_ex(x, x, dx, 4, al, LRELU_STORE_STREAM) == LRELU_OK,
              "f64 backward alpha=%a refused", al);
        CHECK(memcmp(dx, y, sizeof y) == 0, "f64 backward alpha=%a differs from forward", al);
        if (al >= 0)
            CHECK(lrelu_backward_from_output_f64(y, x, dx, 4, al) == LRELU_OK,
                  "f64 backward_from_output alpha=%a refused", al);
    }
}

/* In place through the API gives the same bits as out of place, for every
 * type, kernel and store flag. */
static void test_in_place(void)
{
    enum { M = 77 };
    static uint64_t x[M], dy[M], want[M], io[M]; /* room for M doubles */
    for (int ti = 0; ti < LRELU_TYPE_COUNT; ti++) {
        const enum lrelu_type t = (enum lrelu_type)ti;
        const size_t bytes = M * type_sizes[t];
        uint64_t s = 5 + (uint64_t)t;
        for (size_t i = 0; i < M; i++) {
            put_bits(t, x, i, pool_bits(t, &s));
            put_bits(t, dy, i, pool_bits(t, &s));
        }
        for (size_t k = 0; k < lrelu_kernel_count(); k++) {
            const char *name = lrelu_kernel_name(k);
            CHECK(lrelu_set_kernel(name) == LRELU_OK, "set %s", name);
            for (size_t f = 0; f < FLAG_COUNT; f++) {
                const unsigned fl = all_flags[f];
                const char *tn = type_names[t];
                call_api_t(t, OP_FORWARD, x, NULL, want, M, 0.1f, LRELU_STORE_CACHED);
                memcpy(io, x, bytes);
                CHECK(call_api_t(t, OP_FORWARD, io, NULL, io, M, 0.1f, fl) == LRELU_OK &&
                          !memcmp(io, want, bytes),
                      "%s %s flags=%u forward in place", name, tn, fl);
                call_api_t(t, OP_BACKWARD, x, dy, want, M, 0.1f, LRELU_STORE_CACHED);
                memcpy(io, dy, bytes);
                CHECK(call_api_t(t, OP_BACKWARD, x, io, io, M, 0.1f, fl) == LRELU_OK &&
                          !memcmp(io, want, bytes),
                      "%s %s flags=%u backward dx == dy", name, tn, fl);
                memcpy(io, x, bytes);
                CHECK(call_api_t(t, OP_BACKWARD, io, dy, io, M, 0.1f, fl) == LRELU_OK &&
                          !memcmp(io, want, bytes),
                      "%s %s flags=%u backward dx == x", name, tn, fl);
                memcpy(io, x, bytes);
                CHECK(call_api_t(t, OP_BACKWARD, io, io, io, M, 0.1f, fl) == LRELU_OK,
                      "%s %s flags=%u backward dx == x == dy", name, tn, fl);
                call_api_t(t, OP_BACKWARD_FROM_OUTPUT, x, dy, want, M, 0.1f, LRELU_STORE_CACHED);
                memcpy(io, x, bytes);
                CHECK(call_api_t(t, OP_BACKWARD_FROM_OUTPUT, io, dy, io, M, 0.1f, fl) == LRELU_OK &&
                          !memcmp(io, want, bytes),
                      "%s %s flags=%u backward_from_output dx == y", name, tn, fl);
                memcpy(io, dy, bytes);
                CHECK(call_api_t(t, OP_BACKWARD_FROM_OUTPUT, x, io, io, M, 0.1f, fl) == LRELU_OK &&
                          !memcmp(io, want, bytes),
                      "%s %s flags=%u backward_from_output dx == dy", name, tn, fl);
            }
        }
    }
    lrelu_set_kernel(NULL);
}

/* backward_from_output equals backward for alpha >= 0, y = forward(x),
 * every type. */
static void test_from_output_matches(void)
{
    static uint64_t x[N], y[N], dy[N], a[N], b[N];
    const double alphas[] = {0.0, -0.0, 0.01f, 1.0, 3.0};
    for (int ti = 0; ti < LRELU_TYPE_COUNT; ti++) {
        const enum lrelu_type t = (enum lrelu_type)ti;
        uint64_t s = 11 + (uint64_t)t;
        for (size_t i = 0; i < N; i++) {
            put_bits(t, x, i, pool_bits(t, &s));
            put_bits(t, dy, i, pool_bits(t, &s));
        }
        for (size_t k = 0; k < sizeof alphas / sizeof alphas[0]; k++) {
            call_api_t(t, OP_FORWARD, x, NULL, y, N, alphas[k], 0);
            call_api_t(t, OP_BACKWARD, x, dy, a, N, alphas[k], 0);
            call_api_t(t, OP_BACKWARD_FROM_OUTPUT, y, dy, b, N, alphas[k], 0);
            CHECK(!memcmp(a, b, N * type_sizes[t]),
                  "%s backward_from_output != backward at alpha=%g", type_names[t], alphas[k]);
        }
    }
}

/* Unknown or contradictory flags are refused, whatever the arrays. */
static void test_flags(enum lrelu_type t)
{
    unsigned char *x = elem(t, 0), *dy = elem(t, N), *out = elem(t, 2 * N);
    const unsigned bad[] = {LRELU_STORE_STREAM | LRELU_STORE_CACHED, 1u << 2, 1u << 31, ~0u};
    for (int op = 0; op < OP_COUNT; op++) {
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            for (size_t n = 0; n <= N; n += N) {
                fill(t);
                int st = call_api_t(t, (enum op)op, x, dy, out, n, 0.01f, bad[b]);
                CHECK(st == LRELU_EINVAL && outputs_untouched(t),
                      "%s %s flags=0x%x n=%zu: returned %d, want EINVAL and nothing written",
                      type_names[t], op_names[op], bad[b], n, st);
            }
        }
    }
}

/* The threshold query, and a caller that splits one array into chunks and
 * asks for streaming stores on each: the same bits as one call, on every
 * kernel, at odd chunk sizes and misaligned chunk starts. */
static void test_streaming_knob(void)
{
    enum { BIG = 10007 };
    static float x[BIG], whole[BIG], chunked[BIG + 1];
    for (size_t i = 0; i < BIG; i++)
        x[i] = pool[i % POOL_SIZE];
    for (size_t k = 0; k < lrelu_kernel_count(); k++) {
        const char *name = lrelu_kernel_name(k);
        lrelu_set_kernel(name);
        const size_t t = lrelu_stream_threshold();
        CHECK(t > 0, "%s: stream threshold 0", name);
        if (strcmp(name, "scalar") == 0)
            CHECK(t == SIZE_MAX, "scalar has no streaming stores, threshold %zu", t);
        lrelu_forward(x, whole, BIG, 0.3f);
        float *out = chunked + 1; /* misaligned for every vector width */
        size_t done = 0;
        for (size_t c = 1; done < BIG; c = c * 3 + 1) {
            const size_t len = c < BIG - done ? c : BIG - done;
            CHECK(lrelu_forward_ex(x + done, out + done, len, 0.3f, LRELU_STORE_STREAM) == LRELU_OK,
                  "%s: chunk at %zu refused", name, done);
            done += len;
        }
        CHECK(!memcmp(out, whole, sizeof whole), "%s: chunked streaming differs from one call",
              name);
    }
    lrelu_set_kernel(NULL);
}

static void test_kernel_selection(void)
{
    const size_t count = lrelu_kernel_count();
    const char *def = lrelu_active_kernel();
    CHECK(count >= 1, "kernel_count = %zu", count);
    CHECK(lrelu_kernel_name(0) && !strcmp(lrelu_kernel_name(0), "scalar"), "kernel 0 not scalar");
    CHECK(lrelu_kernel_name(count) == NULL, "kernel_name(count) not NULL");
    CHECK(lrelu_kernel_name(SIZE_MAX) == NULL, "kernel_name(SIZE_MAX) not NULL");
    CHECK(!strcmp(def, lrelu_kernel_name(count - 1)), "default %s is not the best usable %s", def,
          lrelu_kernel_name(count - 1));

    /* names that are unknown, of another architecture, or not usable here */
    const char *bad[] = {"",        "bogus", "avx512x", "avx",   " scalar",
                         "scalar ", "sse",   "neon2",   "avx2\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(lrelu_set_kernel(bad[i]) == LRELU_EUNSUPPORTED, "set_kernel(\"%s\") accepted",
              bad[i]);
        CHECK(!strcmp(lrelu_active_kernel(), def), "set_kernel(\"%s\") changed the kernel", bad[i]);
    }
    static const char *const all[] = {"scalar",   "sse2",       "avx2", "avx512",
                                      "avx512bw", "avx512vbmi", "neon"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        int usable = 0;
        for (size_t k = 0; k < count; k++)
            usable |= !strcmp(all[i], lrelu_kernel_name(k));
        lrelu_set_kernel("scalar");
        int st = lrelu_set_kernel(all[i]);
        CHECK(st == (usable ? LRELU_OK : LRELU_EUNSUPPORTED), "set_kernel(%s) = %d, usable=%d",
              all[i], st, usable);
        CHECK(!strcmp(lrelu_active_kernel(), usable ? all[i] : "scalar"),
              "after set_kernel(%s) active is %s", all[i], lrelu_active_kernel());
    }
    /* ASCII case is ignored */
    CHECK(lrelu_set_kernel("SCALAR") == LRELU_OK && !strcmp(lrelu_active_kernel(), "scalar"),
          "set_kernel(SCALAR)");
    CHECK(lrelu_set_kernel(NULL) == LRELU_OK && !strcmp(lrelu_active_kernel(), def),
          "set_kernel(NULL) did not restore %s", def);
}

static void test_strings(void)
{
    const int codes[] = {LRELU_OK, LRELU_EINVAL, LRELU_EOVERLAP, LRELU_EUNSUPPORTED};
    CHECK(LRELU_OK == 0 && LRELU_EINVAL < 0 && LRELU_EOVERLAP < 0 && LRELU_EUNSUPPORTED < 0,
          "status codes");
    for (size_t i = 0; i < 4; i++) {
        const char *s = lrelu_strerror(codes[i]);
        CHECK(s != NULL && s[0] != '\0', "strerror(%d) empty", codes[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(s, lrelu_strerror(codes[j])) != 0, "strerror(%d) == strerror(%d)",
                  codes[i], codes[j]);
    }
    const char *unknown = lrelu_strerror(12345);
    CHECK(unknown != NULL && strstr(unknown, "unknown") != NULL, "strerror(12345)");

    char macro[32];
    snprintf(macro, sizeof macro, "%d.%d.%d", LRELU_VERSION_MAJOR, LRELU_VERSION_MINOR,
             LRELU_VERSION_PATCH);
    CHECK(!strcmp(lrelu_version(), macro), "lrelu_version() %s != header macros %s",
          lrelu_version(), macro);
    CHECK(!strcmp(lrelu_version(), LRELU_PROJECT_VERSION), "lrelu_version() %s != project %s",
          lrelu_version(), LRELU_PROJECT_VERSION);
}

int main(void)
{
    pool_init(7);
    for (int t = 0; t < LRELU_TYPE_COUNT; t++) {
        test_errors((enum lrelu_type)t);
        test_flags((enum lrelu_type)t);
    }
    test_f64_alpha();
    test_in_place();
    test_from_output_matches();
    test_streaming_knob();
    test_kernel_selection();
    test_strings();
    if (fails) {
        printf("%d failure(s)\n", fails);
        return 1;
    }
    printf("API contract holds\n");
    return 0;
}
