/*
 * Loops that branch on the data, for check_branchfree.py to catch: the
 * check must fail on this library, or it cannot see what it looks for.
 * Built with the scalar kernel's flags and never linked into anything.
 */
#include <stddef.h>

void branchy_select(const float *x, float *y, size_t n, float alpha);
void branchy_long(const float *x, float *y, size_t n, float alpha);
void branchy_two_entries(const float *x, float *y, size_t n, float alpha);

/* The portable kernel's old shape. The compiler keeps a branch around the
 * multiply, which may trap and so is not computed where it is not asked
 * for; only a target that predicates it (ARM's IT block) has none. */
void branchy_select(const float *x, float *y, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}

/* The same with more work on one side than any target predicates (an IT
 * block holds four instructions): a branch on every target. */
void branchy_long(const float *x, float *y, size_t n, float alpha)
{
    for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : ((((((alpha * v) * v) * alpha) * v) * alpha) * v) * alpha;
    }
}

/* The long one entered in two places (irreducible, as jump threading lays
 * out loops): an odd n starts in the middle of the body. */
void branchy_two_entries(const float *x, float *y, size_t n, float alpha)
{
    size_t i = 0;
    if (n & 1)
        goto second;
    while (i < n) {
        y[i] = x[i] * alpha;
        i++;
    second:
        if (i >= n)
            break;
        const float v = x[i];
        y[i] = v > 0.0f ? v : ((((((alpha * v) * v) * alpha) * v) * alpha) * v) * alpha;
        i++;
    }
}
