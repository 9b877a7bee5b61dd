/*
 * The accuracy PReLU's dslope promises, for the tests that check it
 * against an exact (double-double) sum: test_prelu and the fuzz harness.
 * Header only.
 */
#ifndef LRELU_TEST_DSLOPE_BOUND_H
#define LRELU_TEST_DSLOPE_BOUND_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Whether got, a channel's float32 dslope, is within 1 ulp (of the exact
 * sum rounded to float32) plus 2^-40 of abs_sum (the sum of |terms|) of
 * exact, the exact finite sum; *bound is set to that tolerance. An
 * infinity is within it where exact plus (for +inf) or minus (for -inf) the
 * bound reaches the float32 overflow threshold (FLT_MAX and half an ulp,
 * 0x1.ffffffp+127), as a binary64 sum of huge cancelling terms may: of
 * either sign, when the bound exceeds the exact sum's magnitude by that. */
static inline int dslope_within(float got, double exact, double abs_sum, double *bound)
{
    const float want = (float)exact;
    const double ulp =
        isinf(want) ? 0x1p104 : (double)nextafterf(fabsf(want), INFINITY) - fabsf(want);
    *bound = ulp + ldexp(abs_sum, -40);
    uint32_t g, w;
    memcpy(&g, &got, sizeof g);
    memcpy(&w, &want, sizeof w);
    if (g == w)
        return 1;
    if (isinf(got)) /* within where [exact - bound, exact + bound] reaches its side's threshold */
        return got > 0 ? exact + *bound >= 0x1.ffffffp+127 : exact - *bound <= -0x1.ffffffp+127;
    return fabs((double)got - exact) <= *bound;
}

#endif
