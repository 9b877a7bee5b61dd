"""The lrelu ufuncs against NumPy formulas, bit for bit.

The contract: float32 and float64 y = x > 0 ? x : alpha * x in the type's
own arithmetic; float16 widens exactly to float32, multiplies by alpha
rounded to float32 and rounds to nearest even; backward dx = x > 0 ? dy :
alpha * dy with dy copied bit for bit where x > 0. The references below
compute exactly that with NumPy; every comparison is on the bits.
"""
import numpy as np
import pytest

import lrelu

DTYPES = [np.float16, np.float32, np.float64]
UINT = {np.float16: np.uint16, np.float32: np.uint32, np.float64: np.uint64}
ALPHAS = [0.01, 0.2, 1.0, 1.5, 0.0, -0.0, -0.3, 3e-5, 1e-30, 7.0]


def alpha_of(dtype, alpha):
    """alpha as the loop takes it: float32 for float16 and float32."""
    return np.float64(alpha) if dtype == np.float64 else np.float32(alpha)


def gt0(x):
    return x > 0


def scale(x, alpha):
    """alpha * x in the contract's arithmetic, elementwise (alpha may be an
    array broadcast over x)."""
    if x.dtype == np.float16:
        with np.errstate(all="ignore"):
            return (x.astype(np.float32) * np.asarray(alpha, np.float32)).astype(np.float16)
    with np.errstate(all="ignore"):
        return x * np.asarray(alpha, x.dtype)


def ref_forward(x, alpha):
    return np.where(gt0(x), x, scale(x, alpha))


def ref_backward(x, dy, alpha):
    # np.where copies dy's bits (no arithmetic) where x > 0.
    return np.where(gt0(x), dy, scale(dy, alpha))


def assert_bits(got, want):
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    u = UINT[want.dtype.type]
    g = np.ascontiguousarray(got).view(u)
    w = np.ascontiguousarray(want).view(u)
    bad = np.flatnonzero(g != w)
    if bad.size:
        i = bad[0]
        pytest.fail(f"{bad.size} of {g.size} elements differ; first at {i}: "
                    f"got {int(g.flat[i]):#x}, want {int(w.flat[i]):#x}")


def specials(dtype, n=4099, seed=1):
    """Random values of every magnitude plus the special ones: signed zeros,
    infinities, quiet and signalling NaNs with payloads, subnormals, the
    largest values; length not a multiple of any vector width."""
    rng = np.random.default_rng(seed)
    u = UINT[dtype]
    bits = rng.integers(0, np.iinfo(u).max, size=n, dtype=u, endpoint=True)
    x = bits.view(dtype).copy()
    fi = np.finfo(dtype)
    extra = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, fi.max, -fi.max,
                      fi.tiny, -fi.tiny, fi.tiny / 4, -fi.tiny / 4, 1.0, -1.0], dtype=dtype)
    x[:extra.size] = extra
    # a signalling NaN with a payload, both signs
    nbits = np.dtype(dtype).itemsize * 8
    mant = {16: 10, 32: 23, 64: 52}[nbits]
    exp_all = ((1 << (nbits - 1 - mant)) - 1) << mant
    snan = np.array([exp_all | 1, exp_all | 0x15, (1 << (nbits - 1)) | exp_all | 3], dtype=u)
    x[extra.size:extra.size + 3] = snan.view(dtype)
    return x


# ----------------------------------------------------------- every value


def test_float16_every_code_forward():
    x = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
    for a in ALPHAS:
        assert_bits(lrelu.leaky_relu(x, a), ref_forward(x, a))


def test_float16_every_code_backward():
    x = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
    rng = np.random.default_rng(7)
    for a in ALPHAS:
        # every code as dy, once against negative x and once against positive x
        for xs in (-np.abs(x[::-1]), rng.permutation(x)):
            assert_bits(lrelu.leaky_relu_backward(xs, x, a), ref_backward(xs, x, a))
        if not np.signbit(a):
            assert_bits(lrelu.leaky_relu_backward_from_output(x[::-1].copy(), x, a),
                        ref_backward(x[::-1], x, a))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_forward_bits(dtype, alpha):
    x = specials(dtype)
    y = lrelu.leaky_relu(x, alpha)
    assert y.dtype == dtype
    assert_bits(y, ref_forward(x, alpha_of(dtype, alpha)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_backward_bits(dtype, alpha):
    x = specials(dtype, seed=2)
    dy = specials(dtype, seed=3)
    want = ref_backward(x, dy, alpha_of(dtype, alpha))
    assert_bits(lrelu.leaky_relu_backward(x, dy, alpha), want)
    if not np.signbit(alpha):
        want_o = ref_backward(x, dy, alpha_of(dtype, alpha))
        assert_bits(lrelu.leaky_relu_backward_from_output(x, dy, alpha), want_o)


# ------------------------------------------- the fast and the strided path


@pytest.mark.parametrize("dtype", DTYPES)
def test_strided_and_array_alpha_paths_match_the_library(dtype):
    """The strided path (strided data; alpha as an array) gives the
    library's bits (the contiguous call with a scalar alpha)."""
    x = specials(dtype, n=6001, seed=4)
    dy = specials(dtype, n=6001, seed=5)
    for a in (0.01, 1.5, -0.25):
        fast = lrelu.leaky_relu(x, a)
        assert_bits(fast, ref_forward(x, alpha_of(dtype, a)))
        assert_bits(lrelu.leaky_relu(x[::3], a), fast[::3])
        arr = np.full(x.shape, a, dtype=np.float64 if dtype == np.float64 else np.float32)
        assert_bits(lrelu.leaky_relu(x, arr), fast)
        fast_b = lrelu.leaky_relu_backward(x, dy, a)
        assert_bits(lrelu.leaky_relu_backward(x[1::2], dy[::2][:3000], a),
                    ref_backward(x[1::2], dy[::2][:3000], alpha_of(dtype, a)))
        assert_bits(lrelu.leaky_relu_backward(x, dy, arr), fast_b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transposed_and_2d_views(dtype):
    x = specials(dtype, n=97 * 61, seed=6).reshape(97, 61)
    dy = specials(dtype, n=97 * 61, seed=8).reshape(97, 61)
    for v, g in ((x.T, dy.T), (x[::2, 1::3], dy[::2, 1::3]), (x[:, ::-1], dy[:, ::-1])):
        assert_bits(lrelu.leaky_relu(v, 0.1), ref_forward(v, alpha_of(dtype, 0.1)))
        assert_bits(lrelu.leaky_relu_backward(v, g, 0.1),
                    ref_backward(v, g, alpha_of(dtype, 0.1)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_out_and_in_place(dtype):
    x = specials(dtype, seed=9)
    want = ref_forward(x, alpha_of(dtype, 0.05))
    out = np.empty_like(x)
    r = lrelu.leaky_relu(x, 0.05, out=out)
    assert r is out
    assert_bits(out, want)
    buf = x.copy()
    lrelu.leaky_relu(buf, 0.05, out=buf)
    assert_bits(buf, want)
    # out= a strided view of a larger array: only that view changes
    big = np.zeros(2 * x.size, dtype=dtype)
    lrelu.leaky_relu(x, 0.05, out=big[::2])
    assert_bits(big[::2], want)
    assert not np.any(big[1::2].view(UINT[dtype]))
    # backward in place over dy
    dy = specials(dtype, seed=10)
    want_b = ref_backward(x, dy, alpha_of(dtype, 0.05))
    lrelu.leaky_relu_backward(x, dy, 0.05, out=dy)
    assert_bits(dy, want_b)


def test_where():
    x = np.linspace(-4, 4, 1001, dtype=np.float32)
    out = np.full_like(x, 42.0)
    mask = np.arange(x.size) % 3 == 0
    lrelu.leaky_relu(x, 0.5, out=out, where=mask)
    assert_bits(out[mask], ref_forward(x[mask], np.float32(0.5)))
    assert np.all(out[~mask] == 42.0)


def test_dtype_resolution():
    assert lrelu.leaky_relu(np.ones(3, np.float16), 0.01).dtype == np.float16
    assert lrelu.leaky_relu(np.ones(3, np.float32), 0.01).dtype == np.float32
    assert lrelu.leaky_relu(np.ones(3, np.float64), 0.01).dtype == np.float64
    assert lrelu.leaky_relu(np.float32(-2), 0.5) == np.float32(-1)
    assert isinstance(lrelu.leaky_relu, np.ufunc)
    assert lrelu.leaky_relu.nin == 2 and lrelu.leaky_relu_backward.nin == 3


# -------------------------------------------------------------- PReLU


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_nchw_and_nhwc(dtype):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 5, 7, 9)).astype(dtype)
    x.flat[::17] = specials(dtype, n=x.size // 17 + 1, seed=12)[:x.size // 17 + 1]
    at = np.float64 if dtype == np.float64 else np.float32
    slope = rng.uniform(-0.5, 2.0, 5).astype(at)
    # NCHW: slope over axis 1
    assert_bits(lrelu.leaky_relu(x, slope[:, None, None]),
                ref_forward(x, slope[:, None, None]))
    # NHWC: slope over the last axis (a strided alpha in the inner loop)
    xh = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    assert_bits(lrelu.leaky_relu(xh, slope), ref_forward(xh, slope))
    dy = rng.standard_normal(xh.shape).astype(dtype)
    assert_bits(lrelu.leaky_relu_backward(xh, dy, slope), ref_backward(xh, dy, slope))


@pytest.mark.skipif(not lrelu.HAVE_PRELU_BACKWARD, reason="liblrelu built without PReLU")
@pytest.mark.parametrize("axis", [1, -1])
def test_prelu_backward(axis):
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 4, 6, 8)).astype(np.float32)
    if axis == -1:
        x = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    dy = rng.standard_normal(x.shape).astype(np.float32)
    slope = np.array([0.25, 0.0, 1.5, -0.1], np.float32)
    shape = [1] * x.ndim
    shape[axis] = 4
    s = slope.reshape(shape)
    dx, dslope = lrelu.prelu_backward(x, dy, slope, axis=axis)
    assert_bits(dx, ref_backward(x, dy, s))
    ax = axis % x.ndim
    other = tuple(i for i in range(x.ndim) if i != ax)
    want = np.where(x > 0, 0, x.astype(np.float64) * dy).sum(axis=other)
    np.testing.assert_allclose(dslope, want, rtol=1e-5, atol=1e-5)


def test_prelu_backward_without_the_c_function():
    if lrelu.HAVE_PRELU_BACKWARD:
        pytest.skip("this build has lrelu_prelu_backward: test_prelu_backward runs")
    with pytest.raises(NotImplementedError):
        lrelu.prelu_backward(np.ones((1, 2)), np.ones((1, 2)), np.ones(2))


# -------------------------------------------------------------- errors


@pytest.mark.parametrize("ufunc,nargs", [(lrelu.leaky_relu, 1), (lrelu.leaky_relu_backward, 2),
                                         (lrelu.leaky_relu_backward_from_output, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, "nan32", "array", "array_big"])
def test_bad_alpha_raises_and_leaves_out_untouched(ufunc, nargs, dtype, bad):
    x = np.linspace(-3, 3, 4096).astype(dtype)
    if bad == "nan32":
        alpha = np.float32("nan")
    elif bad == "array":
        alpha = np.full(x.shape, 0.1, np.float32)
        alpha[-1] = np.nan
    elif bad == "array_big":
        alpha = np.array([0.1, np.inf], np.float64 if dtype == np.float64 else np.float32)
        x = np.linspace(-3, 3, 2 * 4096).astype(dtype).reshape(2, -1)
        alpha = alpha[:, None]
    else:
        alpha = bad
    out = np.full_like(x, 7)
    with pytest.raises(ValueError, match="alpha"):
        ufunc(*([x] * nargs), alpha, out=out)
    assert np.all(out == 7), "out was written"


@pytest.mark.parametrize("dtype", DTYPES)
def test_bad_slope_in_a_later_channel_writes_nothing(dtype):
    # NCHW with a slope per channel: NumPy calls the inner loop row by row,
    # so only a check of the whole operand before the call keeps out intact.
    x = np.linspace(-3, 3, 2 * 16 * 9 * 9).astype(dtype).reshape(2, 16, 9, 9)
    st = np.float64 if dtype == np.float64 else np.float32
    for layout in ("nchw", "nhwc", "strided"):
        slope = np.full(16, 0.25, st)
        slope[-1] = np.nan
        xs = x if layout == "nchw" else np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        s = slope[:, None, None] if layout == "nchw" else slope
        if layout == "strided":
            xs = xs[:, ::2, :, :]
        out = np.full_like(xs, 7)
        with pytest.raises(ValueError, match="alpha"):
            lrelu.leaky_relu(xs, s, out=out)
        assert np.all(out == 7), layout
        with pytest.raises(ValueError, match="alpha"):
            lrelu.leaky_relu_backward(xs, xs, s, out=out)
        assert np.all(out == 7), layout
        # a masked-out bad slope is refused too (every alpha of a call is checked)
        with pytest.raises(ValueError, match="alpha"):
            lrelu.leaky_relu(xs, s, out=out, where=np.zeros(xs.shape, bool))
        slope[-1] = -0.5
        lrelu.leaky_relu_backward_from_output(xs, xs, np.abs(s), out=out)
        with pytest.raises(ValueError, match=">= 0"):
            out[...] = 7
            lrelu.leaky_relu_backward_from_output(xs, xs, s, out=out)
        assert np.all(out == 7), layout


@pytest.mark.parametrize("dtype", DTYPES)
def test_backward_from_output_refuses_negative_alpha(dtype):
    y = np.linspace(-3, 3, 1000).astype(dtype)
    out = np.full_like(y, 7)
    for a in (-0.01, -1e-30, np.float32(-2)):
        with pytest.raises(ValueError, match=">= 0"):
            lrelu.leaky_relu_backward_from_output(y, y, a, out=out)
        assert np.all(out == 7)
    # -0.0 is not negative; neither is it refused by the other functions
    lrelu.leaky_relu_backward_from_output(y, y, -0.0, out=out)
    assert_bits(out, ref_backward(y, y, alpha_of(dtype, -0.0)))
    lrelu.leaky_relu_backward(y, y, -0.5)


# -------------------------------------------------------------- kernels


def test_kernels_listing():
    ks = lrelu.kernels()
    assert ks[0] == "scalar"
    assert lrelu.active_kernel() == ks[-1]
    assert isinstance(lrelu.__version__, str) and lrelu.__version__.count(".") == 2


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_kernel(dtype, default_kernel):
    x = specials(dtype, n=1037, seed=14)
    dy = specials(dtype, n=1037, seed=15)
    for k in lrelu.kernels():
        lrelu.set_kernel(k)
        assert lrelu.active_kernel() == k
        for a in (0.01, -0.5, 2.0):
            assert_bits(lrelu.leaky_relu(x, a), ref_forward(x, alpha_of(dtype, a)))
            assert_bits(lrelu.leaky_relu_backward(x, dy, a),
                        ref_backward(x, dy, alpha_of(dtype, a)))
    lrelu.set_kernel(None)
    assert lrelu.active_kernel() == lrelu.kernels()[-1]


def test_set_kernel_errors(default_kernel):
    before = lrelu.active_kernel()
    for bad in ("avx9", "", "scalar\0"):
        with pytest.raises(ValueError):
            lrelu.set_kernel(bad)
        assert lrelu.active_kernel() == before
    with pytest.raises(TypeError):
        lrelu.set_kernel(3)


# -------------------------------------------------------------- threads


@pytest.mark.skipif(not lrelu.HAVE_THREADS, reason="liblrelu built without threads")
def test_num_threads():
    old = lrelu.num_threads()
    x = specials(np.float32, n=1 << 22, seed=16)
    want = ref_forward(x, np.float32(0.01))
    try:
        lrelu.set_num_threads(1)
        assert lrelu.num_threads() == 1
        assert_bits(lrelu.leaky_relu(x, 0.01), want)
        try:
            lrelu.set_num_threads(2)
        except NotImplementedError:  # a build without OpenMP: 1 only
            assert lrelu.num_threads() == 1
            return
        for n in (2, 3):
            lrelu.set_num_threads(n)
            assert lrelu.num_threads() == n
            assert_bits(lrelu.leaky_relu(x, 0.01), want)
            assert_bits(lrelu.leaky_relu_backward(x, x, 0.01),
                        ref_backward(x, x, np.float32(0.01)))
        with pytest.raises(ValueError):
            lrelu.set_num_threads(100000)
        assert lrelu.num_threads() == 3
    finally:
        lrelu.set_num_threads(old)


@pytest.mark.parametrize("ufunc,nargs", [(lrelu.leaky_relu, 1), (lrelu.leaky_relu_backward, 2),
                                         (lrelu.leaky_relu_backward_from_output, 2)])
def test_gil_released_around_the_loops(ufunc, nargs):
    """The inner loops of a large call run without the GIL (NumPy releases
    it for loops that do not need Python); a tiny call keeps it, which
    shows that the probe can tell."""
    from lrelu import _lrelu
    big = np.linspace(-1, 1, 1 << 16, dtype=np.float32)
    ufunc(*([big] * nargs), 0.01)
    assert _lrelu._gil_held_in_last_loop() is False
    ufunc(*([big[:4]] * nargs), 0.01)
    assert _lrelu._gil_held_in_last_loop() is True


def test_no_floating_point_warnings():
    """Results are the formula's (inf, NaN included); the products the
    kernels compute and then do not select raise nothing."""
    x = np.array([np.inf, 3e38, -1.0, 0.0, np.nan] * 300, np.float32)
    with np.errstate(all="raise"):
        assert_bits(lrelu.leaky_relu(x, 0.0), ref_forward(x, np.float32(0.0)))
        assert_bits(lrelu.leaky_relu(x, 10.0), ref_forward(x, np.float32(10.0)))
        assert_bits(lrelu.leaky_relu(x[::2], 10.0), ref_forward(x[::2], np.float32(10.0)))
        assert_bits(lrelu.leaky_relu_backward(x, x, 10.0), ref_backward(x, x, np.float32(10.0)))
