/*
 * Failure reports of a test program: each prints one line on stdout,
 * starting with "FAIL", and counts in `fails`, the program's own counter
 * (static, one a file), which its main turns into the exit status.
 * Header only, with no dependency: included by tests built against the
 * shared library and by tests built from its objects alike.
 */
#ifndef LRELU_TEST_CHECK_H
#define LRELU_TEST_CHECK_H

#include <stdio.h>

static int fails;

/* When cond is false: "FAIL file:line: " and the message (printf's
 * arguments). */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            fails++;                                                                               \
        }                                                                                          \
    } while (0)

/* "FAIL " and the message, for the first MAX_FAILS failures (defined by
 * the program); the later ones are only counted. */
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        if (fails++ < MAX_FAILS) {                                                                 \
            printf("FAIL ");                                                                       \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

#endif
