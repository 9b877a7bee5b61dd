/*
 * Dispatch: the default kernel is the best one compiled in that the CPU and
 * OS support (detected here independently of the library, with the
 * compiler's own CPU checks), and LRELU_MAX_ISA caps both the choice and the
 * usable list. Each setting runs in a child process (the library reads the
 * variable once, at load), whose stdout and stderr are checked: nothing on
 * stderr for a valid value, exactly one line for an unknown one.
 *
 * LRELU_TEST_EXPECT_KERNEL, when set, also names the kernel the default
 * choice must be (for runs on known CPUs, such as emulators).
 *
 * Under an emulator (qemu user mode), the children must run under the same
 * emulator: a foreign binary cannot be started directly, and an x86 child
 * started directly would escape the emulated CPU model. LRELU_TEST_WRAPPER
 * (else MESON_EXE_WRAPPER, which meson test sets in cross builds) is a
 * command prefix, words separated by spaces, no quoting, that each child is
 * started with, e.g. "qemu-x86_64-static -cpu Haswell".
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "lrelu.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

static int fails;

/* This architecture's levels, lowest first, and which are compiled in and
 * supported by this CPU. */
struct level {
    const char *name;
    int compiled, supported;
};

static size_t levels(struct level *l)
{
    size_t n = 0;
    l[n++] = (struct level){"scalar", 1, 1};
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    l[n++] = (struct level){"sse2", LRELU_HAVE_SSE2, __builtin_cpu_supports("sse2")};
    l[n++] = (struct level){"avx2", LRELU_HAVE_AVX2, __builtin_cpu_supports("avx2")};
    l[n++] = (struct level){"avx512", LRELU_HAVE_AVX512, __builtin_cpu_supports("avx512f")};
    l[n++] =
        (struct level){"avx512vbmi", LRELU_HAVE_AVX512VBMI,
                       __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512vbmi")};
#elif defined(__aarch64__)
#ifdef __linux__
    l[n++] = (struct level){"neon", LRELU_HAVE_NEON, (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0};
#else
    l[n++] = (struct level){"neon", LRELU_HAVE_NEON, 1};
#endif
#endif
    return n;
}

/* Longest warning line accepted, newline excluded. */
#define MAX_WARNING 160

/* The first 40 bytes of s, each non-printable one as '?', for this log. */
static const char *printable(const char *s)
{
    static char buf[41];
    size_t i = 0;
    for (; s[i] != '\0' && i < sizeof buf - 1; i++)
        buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    buf[i] = '\0';
    return buf;
}

/* The command prefix children are started with (none: run directly). */
#define MAX_WRAPPER_WORDS 32
static char wrapper_buf[1024];
static char *wrapper[MAX_WRAPPER_WORDS + 3]; /* + self, "--child", NULL */
static size_t wrapper_words;

static int read_wrapper(void)
{
    const char *w = getenv("LRELU_TEST_WRAPPER");
    const char *from = "LRELU_TEST_WRAPPER";
    if (w == NULL || w[0] == '\0') {
        w = getenv("MESON_EXE_WRAPPER");
        from = "MESON_EXE_WRAPPER";
    }
    if (w == NULL || w[0] == '\0')
        return 0;
    if (strlen(w) >= sizeof wrapper_buf || strpbrk(w, "'\"\\") != NULL) {
        printf("FAIL %s=\"%s\": too long, or quoted (words are split at spaces only)\n", from, w);
        return -1;
    }
    strcpy(wrapper_buf, w);
    for (char *save = NULL, *word = strtok_r(wrapper_buf, " ", &save); word != NULL;
         word = strtok_r(NULL, " ", &save)) {
        if (wrapper_words == MAX_WRAPPER_WORDS) {
            printf("FAIL %s has more than %d words\n", from, MAX_WRAPPER_WORDS);
            return -1;
        }
        wrapper[wrapper_words++] = word;
    }
    printf("children run under: %s (%s)\n", w, from);
    return 0;
}

/* Runs this program as a child with LRELU_MAX_ISA = value (NULL: unset),
 * under the wrapper if there is one; returns its stdout and stderr. */
static void run_child(const char *self, const char *value, char *out, size_t outsz, char *err,
                      size_t errsz)
{
    int po[2], pe[2];
    if (pipe(po) || pipe(pe)) {
        perror("pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        if (value)
            setenv("LRELU_MAX_ISA", value, 1);
        else
            unsetenv("LRELU_MAX_ISA");
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        if (wrapper_words > 0) {
            wrapper[wrapper_words] = (char *)self;
            static char child_flag[] = "--child";
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
        printf("FAIL child with LRELU_MAX_ISA=%s ended with status 0x%x\n",
               value ? printable(value) : "(unset)", status);
        fails++;
    }
}

/* What a child must print: the active kernel and the usable list. */
static void expected(const struct level *l, size_t nl, size_t cap, char *buf, size_t sz)
{
    char list[128] = "";
    const char *best = "scalar";
    for (size_t i = 0; i < nl && i <= cap; i++) {
        if (l[i].compiled && l[i].supported) {
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "",
                     l[i].name);
            best = l[i].name;
        }
    }
    snprintf(buf, sz, "active=%s usable=%s\n", best, list);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void check(const char *self, const char *value, const char *want, int warn)
{
    char out[512], err[512];
    run_child(self, value, out, sizeof out, err, sizeof err);
    const char *shown = value ? printable(value) : "(unset)";
    if (strcmp(out, want) != 0) {
        printf("FAIL LRELU_MAX_ISA=\"%s\": child printed %s want %s", shown, out, want);
        fails++;
    }
    if (!warn && err[0] != '\0') {
        printf("FAIL LRELU_MAX_ISA=\"%s\": library printed on stderr: %s", shown, err);
        fails++;
    }
    if (warn && (count_lines(err) != 1 || err[strlen(err) - 1] != '\n' ||
                 strstr(err, "LRELU_MAX_ISA") == NULL)) {
        printf("FAIL LRELU_MAX_ISA=\"%s\": want one warning line on stderr, got \"%.200s\"\n",
               shown, err);
        fails++;
    }
    /* The line is short and printable whatever the value holds. */
    for (size_t i = 0; warn && err[i] != '\0' && err[i] != '\n'; i++) {
        const unsigned char c = (unsigned char)err[i];
        if (c < 0x20 || c > 0x7e || i >= MAX_WARNING) {
            printf("FAIL LRELU_MAX_ISA=\"%s\": warning byte %zu is 0x%02x%s\n", shown, i, c,
                   i >= MAX_WARNING ? ": the line is too long" : ": not printable ASCII");
            fails++;
            break;
        }
    }
    printf("LRELU_MAX_ISA=%-10s -> %s", shown, out[0] ? out : "(no output)\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0) {
        printf("active=%s usable=", lrelu_active_kernel());
        for (size_t i = 0; i < lrelu_kernel_count(); i++)
            printf("%s%s", i ? " " : "", lrelu_kernel_name(i));
        printf("\n");
        return 0;
    }

    if (read_wrapper() != 0)
        return 1;
    struct level l[8];
    const size_t nl = levels(l);
    char want[256], self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        printf("FAIL cannot find this program\n");
        return 1;
    }
    self[len] = '\0';

    /* No cap: the best usable kernel, and so in this very process. */
    expected(l, nl, nl - 1, want, sizeof want);
    check(self, NULL, want, 0);
    check(self, "", want, 0);

    const char *expect = getenv("LRELU_TEST_EXPECT_KERNEL");
    if (expect && expect[0]) {
        char line[128];
        snprintf(line, sizeof line, "active=%s ", expect);
        if (strncmp(want, line, strlen(line)) != 0) {
            printf("FAIL LRELU_TEST_EXPECT_KERNEL=%s but the best usable here is: %s", expect,
                   want);
            fails++;
        }
    }

    /* Each level, as written and in other cases. */
    for (size_t cap = 0; cap < nl; cap++) {
        expected(l, nl, cap, want, sizeof want);
        char upper[32], mixed[32];
        size_t i = 0;
        for (; l[cap].name[i]; i++) {
            const char c = l[cap].name[i];
            upper[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
            mixed[i] = i % 2 ? upper[i] : c;
        }
        upper[i] = mixed[i] = '\0';
        check(self, l[cap].name, want, 0);
        check(self, upper, want, 0);
        check(self, mixed, want, 0);
    }

    /* Unknown values: ignored (no cap) with one line on stderr. */
    expected(l, nl, nl - 1, want, sizeof want);
    const char *unknown[] = {
        "bogus",
        "avx1024",
        " avx2",
        "avx2,sse2",
        "scalar\nscalar",
        "\xc3\xa9\xc3\xa9\xc3\xa9", /* non-ASCII */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
#if defined(__x86_64__) || defined(__i386__)
        "neon", /* another architecture's level */
#else
        "avx2",
#endif
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        check(self, unknown[i], want, 1);

    /* Hostile values: several KiB (of a valid name repeated, and of spaces
     * after one), only high-bit bytes, control characters, a valid name
     * with a space or a high-bit byte around it. */
    static char big[3][8192];
    for (size_t i = 0; i + 1 < sizeof big[0]; i++) {
        big[0][i] = "avx2"[i % 4];
        big[1][i] = i < 4 ? "sse2"[i] : ' ';
        big[2][i] = (char)(0x80 + i % 0x80);
    }
    const char *hostile[] = {
        big[0],   big[1],  big[2],   "\xff\xfe\x80\x81", "\x1b[31mred\x1b[0m",
        "\t\r\b", "sse2 ", "\tsse2", "scalar\xa0",       "\xef\xbb\xbfscalar", /* BOM */
    };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++)
        check(self, hostile[i], want, 1);

    if (fails) {
        printf("%d failure(s)\n", fails);
        return 1;
    }
    printf("dispatch follows the CPU and LRELU_MAX_ISA\n");
    return 0;
}
