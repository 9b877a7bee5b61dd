#define _DEFAULT_SOURCE /* setenv, strtok_r */
#include "child.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The command prefix children are started with (none: run directly). */
#define MAX_WRAPPER_WORDS 32
static char wrapper_buf[1024];
static char *wrapper[MAX_WRAPPER_WORDS + 3]; /* + self, arg, NULL */
static size_t wrapper_words;

int child_wrapper(void)
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
    wrapper_words = 0;
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

int run_child(const char *self, const char *arg, const struct child_var *vars, size_t nvars,
              char *out, size_t outsz, char *err, size_t errsz)
{
    int po[2], pe[2];
    pid_t pid = -1;
    fflush(stdout);
    if (pipe(po) != 0 || pipe(pe) != 0 || (pid = fork()) < 0) {
        perror("run_child: pipe or fork");
        exit(1);
    }
    if (pid == 0) {
        for (size_t i = 0; i < nvars; i++) {
            if (vars[i].value)
                setenv(vars[i].name, vars[i].value, 1);
            else
                unsetenv(vars[i].name);
        }
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        char *direct[] = {(char *)self, (char *)arg, NULL};
        char **argv = direct;
        if (wrapper_words > 0) {
            wrapper[wrapper_words] = (char *)self;
            wrapper[wrapper_words + 1] = (char *)arg;
            wrapper[wrapper_words + 2] = NULL;
            argv = wrapper;
        }
        execvp(argv[0], argv);
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
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

const char *printable(const char *s)
{
    static char buf[41];
    size_t i = 0;
    for (; s[i] != '\0' && i < sizeof buf - 1; i++)
        buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    buf[i] = '\0';
    return buf;
}

int check_warning(const char *name, const char *shown, const char *err, int warn)
{
    int fails = 0;
    size_t lines = 0;
    for (const char *s = err; *s; s++)
        lines += *s == '\n';
    if (!warn && err[0] != '\0') {
        printf("FAIL %s=\"%s\": library printed on stderr: %s", name, shown, err);
        fails++;
    }
    if (warn && (lines != 1 || err[strlen(err) - 1] != '\n' || strstr(err, name) == NULL)) {
        printf("FAIL %s=\"%s\": want one warning line on stderr, got \"%.200s\"\n", name, shown,
               err);
        fails++;
    }
    /* The line is short and printable whatever the value holds. */
    for (size_t i = 0; warn && err[i] != '\0' && err[i] != '\n'; i++) {
        const unsigned char c = (unsigned char)err[i];
        if (c < 0x20 || c > 0x7e || i >= MAX_WARNING) {
            printf("FAIL %s=\"%s\": warning byte %zu is 0x%02x%s\n", name, shown, i, c,
                   i >= MAX_WARNING ? ": the line is too long" : ": not printable ASCII");
            fails++;
            break;
        }
    }
    return fails;
}
