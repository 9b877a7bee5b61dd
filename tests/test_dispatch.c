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
 * Under an emulator (qemu user mode), the children run under the same
 * emulator, through LRELU_TEST_WRAPPER or MESON_EXE_WRAPPER (child.h).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
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
        (struct level){"avx512bw", LRELU_HAVE_AVX512BW,
                       __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")};
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

static void check(const char *self, const char *value, const char *want, int warn)
{
    char out[512], err[512];
    const struct child_var var = {"LRELU_MAX_ISA", value};
    const int status = run_child(self, "--child", &var, 1, out, sizeof out, err, sizeof err);
    const char *shown = value ? printable(value) : "(unset)";
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("FAIL child with LRELU_MAX_ISA=%s ended with status 0x%x\n", shown, status);
        fails++;
    }
    if (strcmp(out, want) != 0) {
        printf("FAIL LRELU_MAX_ISA=\"%s\": child printed %s want %s", shown, out, want);
        fails++;
    }
    fails += check_warning("LRELU_MAX_ISA", shown, err, warn);
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

    if (child_wrapper() != 0)
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
