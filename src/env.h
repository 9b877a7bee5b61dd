/* Reading the environment: secure_getenv where the C library has it, so
 * that a set-user-ID program using liblrelu ignores its caller's settings.
 * A file including this defines _GNU_SOURCE before any system header. */
#ifndef LRELU_ENV_H
#define LRELU_ENV_H

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

#endif /* LRELU_ENV_H */
