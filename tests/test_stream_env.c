/*
 * LRELU_STREAM_THRESHOLD, as a program sees it through the API: each value
 * in a child process (the library reads it once, at load), which prints
 * lrelu_stream_threshold(); stdout and stderr are checked: nothing on
 * stderr for a valid value, exactly one short printable line for a
 * malformed one, which is then ignored.
 *
 * The children run with LRELU_MAX_ISA=sse2 on x86, a kernel with streaming
 * stores on every x86 CPU that has it. Elsewhere, or where that kernel is
 * not usable, no kernel streams: the threshold must be SIZE_MAX whatever
 * the value, and a malformed one still gets its line.
 *
 * Under an emulator, children start under LRELU_TEST_WRAPPER (else
 * MESON_EXE_WRAPPER), a command prefix split at spaces (child.h).
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "lrelu.h"

static int fails;

#define MiB ((size_t)1 << 20)

#if defined(__x86_64__) || defined(__i386__)
#define STREAMING_CAP "sse2"
#else
#define STREAMING_CAP NULL
#endif

/* The child's kernel and threshold; *streams: whether that kernel has
 * streaming stores (the x86 SIMD kernels: sse2 and every avx level). */
static size_t child(const char *self, const char *threshold, const char *cap, int warn,
                    int *streams)
{
    char out[512], err[512], kernel[32] = "";
    const struct child_var vars[] = {{"LRELU_STREAM_THRESHOLD", threshold}, {"LRELU_MAX_ISA", cap}};
    const int status = run_child(self, "--child", vars, 2, out, sizeof out, err, sizeof err);
    const char *shown = threshold ? printable(threshold) : "(unset)";
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("FAIL child with LRELU_STREAM_THRESHOLD=%s ended with status 0x%x\n", shown, status);
        fails++;
    }
    unsigned long long t = 0;
    if (sscanf(out, "kernel=%31s threshold=%llu", kernel, &t) != 2) {
        printf("FAIL LRELU_STREAM_THRESHOLD=\"%s\": child printed \"%.200s\"\n", shown, out);
        fails++;
    }
    *streams = strcmp(kernel, "sse2") == 0 || strncmp(kernel, "avx", 3) == 0;
    fails += check_warning("LRELU_STREAM_THRESHOLD", shown, err, warn);
    printf("LRELU_STREAM_THRESHOLD=%-22s LRELU_MAX_ISA=%-7s -> %s", shown, cap ? cap : "(unset)",
           out[0] ? out : "(no output)\n");
    if (warn)
        printf("    stderr: %s", err);
    return (size_t)t;
}

static void expect(const char *self, const char *threshold, const char *cap, size_t want_streaming,
                   int warn)
{
    int streams;
    const size_t got = child(self, threshold, cap, warn, &streams);
    const size_t want = streams ? want_streaming : SIZE_MAX;
    if (got != want) {
        printf("FAIL LRELU_STREAM_THRESHOLD=\"%s\": threshold %zu, want %zu\n",
               threshold ? printable(threshold) : "(unset)", got, want);
        fails++;
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0) {
        printf("kernel=%s threshold=%llu\n", lrelu_active_kernel(),
               (unsigned long long)lrelu_stream_threshold());
        return 0;
    }
    if (child_wrapper() != 0)
        return 1;
    char self[4096];
    const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        printf("FAIL cannot find this program\n");
        return 1;
    }
    self[len] = '\0';
    const char *cap = STREAMING_CAP;

    /* Unset: the detected size, or the default; never "never" for a
     * kernel with streaming stores. */
    int streams;
    const size_t detected = child(self, NULL, cap, 0, &streams);
    if (streams && (detected == SIZE_MAX || detected < MiB / 4 || detected > 2048 * MiB)) {
        printf("FAIL unset: the %s kernel streams from %zu bytes, not a cache size\n",
               cap ? cap : "active", detected);
        fails++;
    }
    expect(self, "", cap, detected, 0);

    /* Byte counts, with and without suffixes, and "never". */
    expect(self, "67108864", cap, 64 * MiB, 0);
    expect(self, "3000000", cap, 3000000, 0);
    expect(self, "1", cap, 1, 0);
    expect(self, "512K", cap, MiB / 2, 0);
    expect(self, "512kib", cap, MiB / 2, 0);
    expect(self, "48M", cap, 48 * MiB, 0);
    expect(self, "96MiB", cap, 96 * MiB, 0);
    expect(self, "1G", cap, 1024 * MiB, 0);
    expect(self, "2gib", cap, 2048 * MiB, 0);
    expect(self, "off", cap, SIZE_MAX, 0);
    expect(self, "OFF", cap, SIZE_MAX, 0);
    expect(self, "0", cap, SIZE_MAX, 0);

    /* Malformed: ignored, with one line. */
    static char big[8192];
    for (size_t i = 0; i + 1 < sizeof big; i++)
        big[i] = "64M"[i % 3];
    const char *bad[] = {
        "lots",
        "64 M",
        " 64M",
        "64M ",
        "-1",
        "1.5G",
        "64MB",
        "64T",
        "0x100000",
        "auto",
        "18446744073709551616",
        "\x1b[31m64M\x1b[0m",
        "64M\n64M",
        "\xc3\xa9\xff",
        big,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect(self, bad[i], cap, detected, 1);

    /* A kernel without streaming stores never streams, whatever the value. */
    int scalar_streams;
    const size_t scalar = child(self, "1M", "scalar", 0, &scalar_streams);
    if (scalar_streams || scalar != SIZE_MAX) {
        printf("FAIL LRELU_MAX_ISA=scalar: threshold %zu, want SIZE_MAX\n", scalar);
        fails++;
    }

    if (fails) {
        printf("%d failure(s)\n", fails);
        return 1;
    }
    printf("LRELU_STREAM_THRESHOLD is followed\n");
    return 0;
}
