/*
 * A function that returns with the upper halves of the vector registers in
 * use, for check_vzeroupper.py to catch: the check must fail on this
 * library, or it cannot see what it looks for. Built with -mavx
 * -mno-vzeroupper (x86 only) and never linked into anything.
 */
#include <immintrin.h>

void dirty_add(float *y, const float *x);

void dirty_add(float *y, const float *x)
{
    _mm256_storeu_ps(y, _mm256_add_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(y)));
}
