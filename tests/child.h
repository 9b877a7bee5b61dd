/*
 * Child processes, for the tests of what the library reads from the
 * environment once, at load: the test runs itself again with each setting
 * and checks what the child prints.
 *
 * Under an emulator (qemu user mode), the children must run under the same
 * emulator: a foreign binary cannot be started directly, and an x86 child
 * started directly would escape the emulated CPU model. LRELU_TEST_WRAPPER
 * (else MESON_EXE_WRAPPER, which meson test sets in cross builds) is a
 * command prefix, words separated by spaces, no quoting, that each child is
 * started with, e.g. "qemu-x86_64-static -cpu Haswell".
 *
 * No dependency on the library: linked into tests built against the shared
 * library and into tests built from its objects alike.
 */
#ifndef LRELU_TEST_CHILD_H
#define LRELU_TEST_CHILD_H

#include <stddef.h>

/* Reads the wrapper (before the first run_child) and prints it, if there is
 * one. Returns 0, or -1 after a FAIL line when it is too long, quoted or of
 * more than 32 words. */
int child_wrapper(void);

/* A variable of a child's environment: set to value, or unset (NULL). */
struct child_var {
    const char *name, *value;
};

/* Runs the program self with the one argument arg, under the wrapper, with
 * the nvars variables of vars set or unset; its stdout into out and its
 * stderr into err, each cut at outsz - 1 (errsz - 1) bytes and
 * NUL-terminated. Returns its status as waitpid gives it (-1 when waitpid
 * fails). Exits when no pipe or process can be made. */
int run_child(const char *self, const char *arg, const struct child_var *vars, size_t nvars,
              char *out, size_t outsz, char *err, size_t errsz);

/* The first 40 bytes of s, each non-printable one as '?', for the log (in
 * a buffer that the next call overwrites). */
const char *printable(const char *s);

/* Longest warning line accepted, newline excluded. */
#define MAX_WARNING 160

/* Checks a child's stderr: empty when !warn; else exactly one line, naming
 * the variable `name`, of at most MAX_WARNING printable ASCII bytes. Prints
 * a FAIL line (the value shown as `shown`) for each check that fails and
 * returns how many did. */
int check_warning(const char *name, const char *shown, const char *err, int warn);

#endif
