/* Reading the environment: secure_getenv where the C library has it, so
 * that a set-user-ID program using liblrelu ignores its caller's settings;
 * values matched without case; the one line a malformed value gets on
 * stderr. A file including this defines _GNU_SOURCE before any system
 * header. */
#ifndef LRELU_ENV_H
#define LRELU_ENV_H

#include <stdio.h>
#include <stdlib.h>

#include "config.h"

static inline const char *lrelu_getenv(const char *name)
{
#if LRELU_HAVE_SECURE_GETENV
    return secure_getenv(name);
#else
    return getenv(name);
#endif
}

/* Values are matched without case, in ASCII only (not the locale's). */
static inline int lrelu_ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static inline int lrelu_name_equal(const char *a, const char *b)
{
    for (; *a && lrelu_ascii_lower((unsigned char)*a) == lrelu_ascii_lower((unsigned char)*b);
         a++, b++)
        ;
    return *a == '\0' && *b == '\0';
}

/* One line on stderr, the only output the library ever makes: the
 * variable's value ignored, and why. The value is shown printable and
 * short (its first 32 bytes, others as '?', then "..."), whatever the
 * environment holds. */
static inline void lrelu_warn_env(const char *name, const char *value, const char *why)
{
    char shown[36];
    size_t i = 0;
    for (; value[i] != '\0' && i < 32; i++) {
        const unsigned char c = (unsigned char)value[i];
        shown[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    shown[i] = '\0';
    fprintf(stderr, "liblrelu: ignoring %s=\"%s%s\": %s\n", name, shown,
            value[i] != '\0' ? "..." : "", why);
}

#endif /* LRELU_ENV_H */
