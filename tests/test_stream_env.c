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
 * MESON_EXE_WRAPPER), a command prefix split at spaces, as in
 * test_dispatch.c.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lrelu.h"

static int fails;

#define MAX_WARNING 160
#define MiB         ((size_t)1 << 20)

#if defined(__x86_64__) || defined(__i386__)
#define STREAMING_CAP "sse2"
#else
#define STREAMING_CAP NULL
#endif

static const char *printable(const char *s)
{
    static char buf[41];
    size_t i = 0;
    for (; s[i] != '\0' && i < sizeof buf - 1; i++)
        buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    buf[i] = '\0';
    return buf;
}

#define MAX_WRAPPER_WORDS 32
static char wrapper_buf[1024];
static char *wrapper[MAX_WRAPPER_WORDS + 3];
static size_t wrapper_words;

static int read_wrapper(void)
{
    const char *w = getenv("LRELU_TEST_WRAPPER");
    if (w == NULL || w[0] == '\0')
        w = getenv("MESON_EXE_WRAPPER");
    if (w == NULL || w[0] == '\0')
        return 0;
    if (strlen(w) >= sizeof wrapper_buf || strpbrk(w, "'\"\\") != NULL) {
        printf("FAIL wrapper \"%s\": too long, or quoted (words are split at spaces only)\n", w);
        return -1;
    }
    strcpy(wrapper_buf, w);
    for (char *save = NULL, *word = strtok_r(wrapper_buf, " ", &save); word != NULL;
         word = strtok_r(NULL, " ", &save)) {
        if (wrapper_words == MAX_WRAPPER_WORDS) {
            printf("FAIL the wrapper has more than %d words\n", MAX_WRAPPER_WORDS);
            return -1;
        }
        wrapper[wrapper_words++] = word;
    }
    printf("children run under: %s\n", w);
    return 0;
}

/* Runs this program as a child with the variables given (NULL: unset);
 * returns its stdout and stderr. */
static void run_child(const char *self, const char *threshold, const char *cap, char *out,
                      size_t outsz, char *err, size_t errsz)
{
    int po[2], pe[2];
    if (pipe(po) || pipe(pe)) {
        perror("pipe");
        exit(1);
    }
    const pid_t pid = fork();
    if (pid == 0) {
        if (threshold)
            setenv("LRELU_STREAM_THRESHOLD", threshold, 1);
        else
            unsetenv("LRELU_STREAM_THRESHOLD");
        if (cap)
            setenv("LRELU_MAX_ISA", cap, 1);
        else
            unsetenv("LRELU_MAX_ISA");
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        if (wrapper_words > 0) {
            static char child_flag[] = "--child";
            wrapper[wrapper_words] = (char *)self;
            wrapper[wrapper_words + 1] = child_flag;
            wrapper[wrapper_words + 2] = NULL;
            execvp(wrapper[0], wrapper);
        } else {
            execl(self, self, "--child", (char *)NULL);
        }
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    size_t no = 0, ne = 0;
    ssize_t r;
    while ((r = read(po[0], out + no, outsz - 1 - no)) > 0)
        no += (size_t)r;
    while ((r = read(pe[0], err + ne, errsz - 1 - ne)) > 0)
        ne += (size_t)r;
    out[no] = err[ne] = '\0';
    close(po[0]);
    close(pe[0]);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("FAIL child with LRELU_STREAM_THRESHOLD=%s ended with status 0x%x\n",
               threshold ? printable(threshold) : "(unset)", status);
        fails++;
    }
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The child's kernel and threshold; *streams: whether that kernel has
 * streaming stores (x86 SIMD kernels). */
static size_t child(const char *self, const char *threshold, const char *cap, int warn,
                    int *streams)
{
    char out[512], err[512], kernel[32] = "";
    run_child(self, threshold, cap, out, sizeof out, err, sizeof err);
    const char *shown = threshold ? printable(threshold) : "(unset)";
    unsigned long long t = 0;
    if (sscanf(out, "kernel=%31s threshold=%llu", kernel, &t) != 2) {
        printf("FAIL LRELU_STREAM_THRESHOLD=\"%s\": child printed \"%.200s\"\n", shown, out);
        fails++;
    }
    *streams = strcmp(kernel, "sse2") == 0 || strcmp(kernel, "avx2") == 0 ||
               strcmp(kernel, "avx512") == 0 || strcmp(kernel, "avx512vbmi") == 0;
    if (!warn && err[0] != '\0') {
        printf("FAIL LRELU_STREAM_THRESHOLD=\"%s\": library printed on stderr: %s", shown, err);
        fails++;
    }
    if (warn && (count_lines(err) != 1 || err[strlen(err) - 1] != '\n' ||
                 strstr(err, "LRELU_STREAM_THRESHOLD") == NULL)) {
        printf("FAIL LRELU_STREAM_THRESHOLD=\"%s\": want one warning line on stderr, got "
               "\"%.200s\"\n",
               shown, err);
        fails++;
    }
    for (size_t i = 0; warn && err[i] != '\0' && err[i] != '\n'; i++) {
        const unsigned char c = (unsigned char)err[i];
        if (c < 0x20 || c > 0x7e || i >= MAX_WARNING) {
            printf("FAIL LRELU_STREAM_THRESHOLD=\"%s\": warning byte %zu is 0x%02x%s\n", shown, i,
                   c, i >= MAX_WARNING ? ": the line is too long" : ": not printable ASCII");
            fails++;
            break;
        }
    }
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
    if (read_wrapper() != 0)
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
