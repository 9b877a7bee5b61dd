/*
 * The API contract outside the arithmetic: every error returns its code and
 * writes nothing; in place and n == 0 work; the kernel-selection calls,
 * status strings and version behave as documented.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static int fails;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            fails++;                                                                               \
        }                                                                                          \
    } while (0)

#define N 64
static float buf[4 * N];
static const uint32_t SENT = 0x7fa5a5a5u;

static void fill(void)
{
    for (size_t i = 0; i < 4 * N; i++)
        buf[i] = u2f(SENT);
    for (size_t i = 0; i < N; i++) {
        buf[i] = (float)i - 20.0f;           /* x  at buf[0..N)   */
        buf[N + i] = 0.5f * (float)i - 3.0f; /* dy at buf[N..2N) */
    }
}

/* Everything from buf + 2N on is output space: still all sentinels? */
static int outputs_untouched(void)
{
    for (size_t i = 2 * N; i < 4 * N; i++)
        if (f2u(buf[i]) != SENT)
            return 0;
    return 1;
}

/* The store flags a caller may pass; every error holds with each. */
static const unsigned all_flags[] = {LRELU_STORE_AUTO, LRELU_STORE_STREAM, LRELU_STORE_CACHED};

static void expect_refused(enum op op, const float *in, const float *dy, float *out, size_t n,
                           float alpha, int want, const char *what)
{
    for (size_t f = 0; f < sizeof all_flags / sizeof all_flags[0]; f++) {
        fill();
        int st = call_api(op, in, dy, out, n, alpha, all_flags[f]);
        CHECK(st == want, "%s %s flags=%u: returned %d (%s), want %d", op_names[op], what,
              all_flags[f], st, lrelu_strerror(st), want);
        CHECK(outputs_untouched(), "%s %s flags=%u: refused call wrote its output", op_names[op],
              what, all_flags[f]);
    }
}

static void test_errors(void)
{
    float *x = buf, *dy = buf + N, *out = buf + 2 * N;
    const float bad_alphas[] = {INFINITY, -INFINITY, NAN, -NAN};
    for (int op = 0; op < OP_COUNT; op++) {
        /* n == 0: OK, NULL allowed, nothing written */
        fill();
        CHECK(call_api((enum op)op, NULL, NULL, NULL, 0, 0.01f, 0) == LRELU_OK, "%s n=0 NULL",
              op_names[op]);
        CHECK(call_api((enum op)op, x, dy, out, 0, 0.01f, 0) == LRELU_OK, "%s n=0", op_names[op]);
        CHECK(outputs_untouched(), "%s n=0 wrote", op_names[op]);

        /* NULL arrays with n > 0 */
        expect_refused((enum op)op, NULL, dy, out, N, 0.01f, LRELU_EINVAL, "x=NULL");
        expect_refused((enum op)op, x, dy, NULL, N, 0.01f, LRELU_EINVAL, "out=NULL");
        if (op != OP_FORWARD)
            expect_refused((enum op)op, x, NULL, out, N, 0.01f, LRELU_EINVAL, "dy=NULL");

        /* non-finite alpha, with n > 0 and with n == 0 */
        for (size_t a = 0; a < sizeof bad_alphas / sizeof bad_alphas[0]; a++) {
            expect_refused((enum op)op, x, dy, out, N, bad_alphas[a], LRELU_EINVAL,
                           "non-finite alpha");
            expect_refused((enum op)op, x, dy, out, 0, bad_alphas[a], LRELU_EINVAL,
                           "non-finite alpha, n=0");
        }

        /* n whose byte range wraps the address space or exceeds it */
        const size_t huge[] = {SIZE_MAX, SIZE_MAX / sizeof(float) + 1,
                               (SIZE_MAX - (uintptr_t)out) / sizeof(float) + 1};
        for (size_t h = 0; h < sizeof huge / sizeof huge[0]; h++)
            expect_refused((enum op)op, x, dy, out, huge[h], 0.01f, LRELU_EINVAL, "huge n");

        /* partial overlap of the output with an input */
        float *o = buf + 2 * N;
        expect_refused((enum op)op, o + 1, dy, o, 8, 0.01f, LRELU_EOVERLAP, "out = in - 1");
        expect_refused((enum op)op, o, dy, o + 7, 8, 0.01f, LRELU_EOVERLAP, "out = in + 7");
        expect_refused((enum op)op, (const float *)((const char *)o + 2), dy, o, 8, 0.01f,
                       LRELU_EOVERLAP, "out = in + 2 bytes");
        if (op != OP_FORWARD) {
            expect_refused((enum op)op, x, o + 3, o, 8, 0.01f, LRELU_EOVERLAP, "out = dy - 3");
            expect_refused((enum op)op, x, o, o + 1, 8, 0.01f, LRELU_EOVERLAP, "out = dy + 1");
        }

        /* adjacent arrays do not overlap; inputs may overlap each other */
        fill();
        CHECK(call_api((enum op)op, buf + N, buf + N, buf + 2 * N, N, 0.01f, 0) == LRELU_OK,
              "%s adjacent arrays / x == dy refused", op_names[op]);
        CHECK(call_api((enum op)op, x, x + 1, out, N - 1, 0.01f, 0) == LRELU_OK,
              "%s overlapping inputs refused", op_names[op]);
    }

    /* backward from output: alpha < 0 refused (even tiny), -0.0 and 0 allowed */
    expect_refused(OP_BACKWARD_FROM_OUTPUT, x, dy, out, N, -0.5f, LRELU_EINVAL, "alpha=-0.5");
    expect_refused(OP_BACKWARD_FROM_OUTPUT, x, dy, out, N, -FLT_TRUE_MIN, LRELU_EINVAL,
                   "alpha=-denorm_min");
    fill();
    CHECK(lrelu_backward_from_output(x, dy, out, N, -0.0f) == LRELU_OK, "alpha=-0.0 refused");
    CHECK(lrelu_backward_from_output(x, dy, out, N, 0.0f) == LRELU_OK, "alpha=0 refused");
    /* lrelu_backward itself takes negative alphas */
    CHECK(lrelu_backward(x, dy, out, N, -0.5f) == LRELU_OK, "backward alpha=-0.5 refused");
}

/* In place through the API gives the same bits as out of place. */
static void test_in_place(void)
{
    float x[N], dy[N], want[N], io[N];
    for (size_t i = 0; i < N; i++) {
        x[i] = pool[i];
        dy[i] = pool[N + i];
    }
    for (size_t k = 0; k < lrelu_kernel_count(); k++) {
        const char *name = lrelu_kernel_name(k);
        CHECK(lrelu_set_kernel(name) == LRELU_OK, "set %s", name);
        lrelu_forward(x, want, N, 0.1f);
        memcpy(io, x, sizeof io);
        CHECK(lrelu_forward(io, io, N, 0.1f) == LRELU_OK && !memcmp(io, want, sizeof io),
              "%s forward in place", name);
        lrelu_backward(x, dy, want, N, 0.1f);
        memcpy(io, dy, sizeof io);
        CHECK(lrelu_backward(x, io, io, N, 0.1f) == LRELU_OK && !memcmp(io, want, sizeof io),
              "%s backward dx == dy", name);
        memcpy(io, x, sizeof io);
        CHECK(lrelu_backward(io, dy, io, N, 0.1f) == LRELU_OK && !memcmp(io, want, sizeof io),
              "%s backward dx == x", name);
        lrelu_backward_from_output(x, dy, want, N, 0.1f);
        memcpy(io, x, sizeof io);
        CHECK(lrelu_backward_from_output(io, dy, io, N, 0.1f) == LRELU_OK &&
                  !memcmp(io, want, sizeof io),
              "%s backward_from_output dx == y", name);
    }
    lrelu_set_kernel(NULL);
}

/* backward_from_output equals backward for alpha >= 0, y = forward(x). */
static void test_from_output_matches(void)
{
    float x[N], y[N], dy[N], a[N], b[N];
    const float alphas[] = {0.0f, 0.01f, 1.0f, 3.0f};
    for (size_t i = 0; i < N; i++) {
        x[i] = pool[2 * N + i];
        dy[i] = pool[3 * N + i];
    }
    for (size_t k = 0; k < 4; k++) {
        lrelu_forward(x, y, N, alphas[k]);
        lrelu_backward(x, dy, a, N, alphas[k]);
        lrelu_backward_from_output(y, dy, b, N, alphas[k]);
        CHECK(!memcmp(a, b, sizeof a), "backward_from_output != backward at alpha=%g",
              (double)alphas[k]);
    }
}

/* Unknown or contradictory flags are refused, whatever the arrays. */
static void test_flags(void)
{
    float *x = buf, *dy = buf + N, *out = buf + 2 * N;
    const unsigned bad[] = {LRELU_STORE_STREAM | LRELU_STORE_CACHED, 1u << 2, 1u << 31, ~0u};
    for (int op = 0; op < OP_COUNT; op++) {
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            for (size_t n = 0; n <= N; n += N) {
                fill();
                int st = call_api((enum op)op, x, dy, out, n, 0.01f, bad[b]);
                CHECK(st == LRELU_EINVAL && outputs_untouched(),
                      "%s flags=0x%x n=%zu: returned %d, want EINVAL and nothing written",
                      op_names[op], bad[b], n, st);
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
    static const char *const all[] = {"scalar", "sse2", "avx2", "avx512", "neon"};
    for (size_t i = 0; i < 5; i++) {
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
    test_errors();
    test_in_place();
    test_from_output_matches();
    test_flags();
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
