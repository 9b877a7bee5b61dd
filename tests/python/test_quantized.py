"""lrelu.leaky_relu_quantized: every int8 and uint8 input against the
definition written out with NumPy int64 arithmetic, on every kernel; any
strides; the errors."""

import numpy as np
import pytest

import lrelu

INFO = {np.int8: (-128, 127), np.uint8: (0, 255)}


def reference(x, input_scale, input_zero_point, output_scale, output_zero_point, alpha):
    """The definition of lrelu.h: multipliers from binary32 arithmetic
    (256 * r and 256 * s are exact scalings, rounded to nearest even), then
    integers only."""
    lo, hi = INFO[x.dtype.type]
    r = np.float32(input_scale) / np.float32(output_scale)
    s = r * np.float32(alpha)
    mp = np.int64(np.rint(np.float32(256) * r))
    mn = np.int64(np.rint(np.float32(256) * s))
    d = x.astype(np.int64) - input_zero_point
    m = np.where(d >= 0, mp, mn)
    y = (np.int64(output_zero_point) * 256 + 128 + d * m) >> 8
    return np.clip(y, lo, hi).astype(x.dtype)


def every_value(dtype):
    lo, hi = INFO[dtype]
    return np.arange(lo, hi + 1).astype(dtype)


# (input_scale, input_zero_point, output_scale, output_zero_point, alpha);
# zero points given for int8, uint8 adds 128 to both.
PARAMS = [
    (0.5, 3, 0.25, -5, 0.1),            # the benchmark's set
    (0.05, -3, 0.04, 5, 0.1),           # the README's example
    (1.0, 0, 1.0, 0, 0.01),
    (0.02, 10, 0.05, -20, 0.25),        # r < 1
    (1.0 + 3 / 512, 0, 1.0, 0, 0.5),    # 256 * r = 257.5: a tie, to even (258)
    (1.0 + 1 / 512, 0, 1.0, 0, 0.5),    # 256 * r = 256.5: a tie, to even (256)
    (0.3, -1, 0.1, 2, -0.5),            # negative alpha
    (0.1, 7, 0.2, -7, 3.0),             # alpha > 1
    (2.0 ** -8, 0, 1.0, 0, -1.0),       # r and |s| at their lower limit
    (128.0, 0, 1.0, 0, 0.5),            # r at its upper limit
    (0.7, -128, 0.35, 127, 0.2),        # zero points at the limits
    (0.7, 127, 0.35, -128, 0.2),
]


def params_for(dtype, p):
    input_scale, izp, output_scale, ozp, alpha = p
    if dtype is np.uint8:
        izp, ozp = izp + 128, ozp + 128
    return input_scale, izp, output_scale, ozp, alpha


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize("p", PARAMS)
def test_every_input(dtype, p, default_kernel):
    args = params_for(dtype, p)
    x = every_value(dtype)
    want = reference(x, *args)
    for k in lrelu.kernels():
        lrelu.set_kernel(k)
        y = lrelu.leaky_relu_quantized(x, *args)
        assert y.dtype == x.dtype and y.shape == x.shape
        np.testing.assert_array_equal(y, want, err_msg=f"kernel {k}, parameters {args}")


def test_ties_of_the_multiplier_round_to_even():
    """256 * r = 256.5 rounds to 256 (to even; 257 away from zero): then
    y = x for every uint8 with zero points 0, where 257 would give x + 1
    from x = 128 on."""
    x = every_value(np.uint8)
    np.testing.assert_array_equal(lrelu.leaky_relu_quantized(x, 1.0 + 1 / 512, 0, 1.0, 0, 0.5), x)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_long_arrays_and_shapes(dtype):
    args = params_for(dtype, PARAMS[0])
    rng = np.random.default_rng(17)
    x = rng.integers(0, 256, size=(3, 5, 1001)).astype(np.uint8).view(dtype)
    y = lrelu.leaky_relu_quantized(x, *args)
    assert y.shape == x.shape and y.dtype == x.dtype and y.flags.c_contiguous
    np.testing.assert_array_equal(y, reference(x, *args))
    for shape in [(0,), (2, 0, 3), ()]:
        x0 = np.zeros(shape, dtype)
        y0 = lrelu.leaky_relu_quantized(x0, *args)
        assert y0.shape == shape and y0.dtype == x0.dtype
        np.testing.assert_array_equal(y0, reference(x0, *args))
    # Keywords, and the input left as it was.
    keep = x.copy()
    y = lrelu.leaky_relu_quantized(x=x, input_scale=args[0], input_zero_point=args[1],
                                   output_scale=args[2], output_zero_point=args[3],
                                   alpha=args[4])
    np.testing.assert_array_equal(y, reference(x, *args))
    np.testing.assert_array_equal(x, keep)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_strided_views(dtype):
    args = params_for(dtype, PARAMS[6])
    base = np.tile(every_value(dtype), 12).reshape(48, 64)
    base = np.roll(base, 7)
    keep = base.copy()
    views = [base[:, ::3], base[::-1], base.T, base[5:40:2, 60:3:-5], base.reshape(-1)[1::2]]
    for v in views:
        assert not v.flags.c_contiguous
        y = lrelu.leaky_relu_quantized(v, *args)
        assert y.shape == v.shape and y.dtype == v.dtype
        np.testing.assert_array_equal(y, reference(np.array(v), *args))
    np.testing.assert_array_equal(base, keep)
    ro = base.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(lrelu.leaky_relu_quantized(ro, *args), reference(base, *args))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_invalid_parameters_raise_value_error(dtype):
    lo, hi = INFO[dtype]
    izp = 3 if dtype is np.int8 else 131
    bad = [
        (0.5, izp, 0.25, izp, 0.0),             # alpha = 0: a clamp, refused
        (0.5, izp, 0.25, izp, float("nan")),
        (0.5, izp, 0.25, izp, float("inf")),
        (0.0, izp, 0.25, izp, 0.1),
        (-0.5, izp, 0.25, izp, 0.1),
        (float("inf"), izp, 0.25, izp, 0.1),
        (0.5, izp, float("nan"), izp, 0.1),
        (1e39, izp, 1e39, izp, 0.1),             # rounds to infinity in binary32
        (1.0, izp, 1000.0, izp, 1.0),            # r < 2**-8
        (256.0, izp, 1.0, izp, 0.1),             # r > 2**7
        (1.0, izp, 1.0, izp, 0.001),             # |s| < 2**-8
        (1.0, izp, 1.0, izp, -128.0),            # s < -127.99
        (0.5, hi + 1, 0.25, izp, 0.1),           # zero points outside the type
        (0.5, izp, 0.25, lo - 1, 0.1),
        (0.5, 2 ** 31, 0.25, izp, 0.1),          # outside int32
        (0.5, izp, 0.25, -(2 ** 70), 0.1),
    ]
    x = every_value(dtype)
    keep = x.copy()
    for p in bad:
        with pytest.raises(ValueError):
            lrelu.leaky_relu_quantized(x, *p)
        with pytest.raises(ValueError):
            lrelu.leaky_relu_quantized(x[:0], *p)
    np.testing.assert_array_equal(x, keep)
    # The edges that are valid: s just at -127.99 (0x1.FFFCp6).
    y = lrelu.leaky_relu_quantized(x, 1.0, izp, 1.0, izp, -float.fromhex("0x1.FFFCp6"))
    np.testing.assert_array_equal(
        y, reference(x, 1.0, izp, 1.0, izp, -float.fromhex("0x1.FFFCp6")))


def test_other_types_raise_type_error():
    args = PARAMS[0]
    for dtype in [np.int16, np.int32, np.int64, np.uint16, np.float16, np.float32,
                  np.float64, np.bool_]:
        with pytest.raises(TypeError):
            lrelu.leaky_relu_quantized(np.zeros(8, dtype), *args)
    with pytest.raises(TypeError):
        lrelu.leaky_relu_quantized([1, 2, 3], *args)  # int64 once converted
    with pytest.raises(TypeError):
        lrelu.leaky_relu_quantized(np.zeros(8, np.int8), "0.5", 3, 0.25, -5, 0.1)
    with pytest.raises(TypeError):
        lrelu.leaky_relu_quantized(np.zeros(8, np.int8), 0.5, 3.0, 0.25, -5, 0.1)
    with pytest.raises(TypeError):
        lrelu.leaky_relu_quantized(np.zeros(8, np.int8), 0.5, 3, 0.25, -5)
    # NumPy scalars are parameters like Python numbers.
    y = lrelu.leaky_relu_quantized(every_value(np.int8), np.float32(0.5), np.int8(3),
                                   np.float64(0.25), np.int64(-5), np.float32(0.1))
    np.testing.assert_array_equal(y, reference(every_value(np.int8), 0.5, 3, 0.25, -5,
                                               np.float32(0.1)))


def test_gil_released_around_the_call():
    """The C call runs without the GIL, even for a tiny array (a tiny ufunc
    call before shows that the probe can tell)."""
    from lrelu import _lrelu
    lrelu.leaky_relu(np.float32([1, -1]), 0.01)
    assert _lrelu._gil_held_in_last_loop() is True
    lrelu.leaky_relu_quantized(np.int8([1, -1]), *PARAMS[0])
    assert _lrelu._gil_held_in_last_loop() is False
    lrelu.leaky_relu(np.float32([1, -1]), 0.01)
    lrelu.leaky_relu_quantized(np.zeros(1 << 16, np.uint8), *params_for(np.uint8, PARAMS[0]))
    assert _lrelu._gil_held_in_last_loop() is False
