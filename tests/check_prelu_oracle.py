#!/usr/bin/env python3
"""PReLU against PyTorch, on every usable kernel of the library.

For NCHW, NHWC, shared-slope and odd shapes, with inputs that hold signed
zeros, subnormals, infinities and NaNs:
  - y (torch.nn.functional.prelu) and dx (autograd) bit for bit, except
    that where PyTorch gives a NaN any NaN is accepted (IEEE does not fix
    the payload);
  - dslope against autograd's weight gradient: NaN in the same channels,
    else within 2^-20 of the sum of |x * dy| plus 1 ulp (PyTorch sums in
    float32, in an order of its own; channels where a product x * dy
    overflows float32, which PyTorch forms in float32, are compared with the
    exact sum only);
  - dslope against the exact sum (math.fsum of the binary64 products):
    within 1 ulp plus 2^-40 of the sum of |x * dy|.
Exits 77 (skipped) when torch or numpy cannot be imported.
Usage: check_prelu_oracle.py LIBLRELU_SHARED_LIBRARY"""
import ctypes
import math
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print(f"check_prelu_oracle.py: skipped, {e}")
    sys.exit(77)

torch.set_num_threads(1)
lib = ctypes.CDLL(sys.argv[1])
fp = ctypes.POINTER(ctypes.c_float)
sz = ctypes.c_size_t
lib.lrelu_prelu_forward.argtypes = [fp, fp, fp, sz, sz, sz]
lib.lrelu_prelu_backward.argtypes = [fp, fp, fp, fp, fp, sz, sz, sz]
lib.lrelu_kernel_name.restype = ctypes.c_char_p
lib.lrelu_kernel_count.restype = sz
lib.lrelu_set_kernel.argtypes = [ctypes.c_char_p]

fails = []


def fail(msg):
    if len(fails) < 30:
        print("FAIL " + msg)
    fails.append(msg)


def ptr(a):
    return a.ctypes.data_as(fp)


rng = np.random.default_rng(20261130)
SPECIALS = np.array([0.0, -0.0, 1e-45, -1e-45, -1e-38, np.inf, -np.inf, np.nan, 3.0e38,
                     -3.0e38], dtype=np.float32)


def values(n, special):
    v = (rng.standard_normal(n) * np.exp2(rng.integers(-20, 20, n))).astype(np.float32)
    if special:
        pick = rng.random(n) < 0.05
        v[pick] = rng.choice(SPECIALS, pick.sum())
    return v


def same(got, want):
    """Bitwise equal, or both NaN."""
    gb, wb = got.view(np.uint32), want.view(np.uint32)
    return (gb == wb) | (np.isnan(got) & np.isnan(want))


def ulp(v):
    v = abs(float(np.float32(v)))
    if math.isinf(v):
        return 2.0 ** 104
    return float(np.nextafter(np.float32(v), np.float32(np.inf))) - v


# (outer, channels, inner) and the PyTorch tensor shape with channels on
# dimension 1 that gives the same memory order.
SHAPES = [
    ((2, 3, 35), (2, 3, 5, 7)),  # NCHW
    ((1, 16, 49), (1, 16, 7, 7)),
    ((4, 17, 100), (4, 17, 10, 10)),
    ((3 * 5 * 5, 19, 1), (75, 19)),  # NHWC as [N*H*W][C]
    ((2 * 28 * 28, 64, 1), (1568, 64)),
    ((1, 1, 20000), (1, 1, 20000)),  # one shared slope
    ((5, 1, 7), (5, 1, 7)),
    ((3, 300, 1), (3, 300)),
    ((1, 1024, 1), (1, 1024)),  # one row: on the slopes themselves
    ((2, 3000, 1), (2, 3000)),  # rows longer than a slope pattern
    ((8, 16, 49), (8, 16, 7, 7)),  # runs at every phase of the 8 sums
    ((2, 5, 9000), (2, 5, 9000)),  # crosses 8192-term blocks
]

kernels = [lib.lrelu_kernel_name(i) for i in range(lib.lrelu_kernel_count())]
checked = 0
for (outer, channels, inner), tshape in SHAPES:
    for special in (False, True):
        n = outer * channels * inner
        x = values(n, special)
        dy = values(n, special)
        slope = (rng.standard_normal(channels) * 0.5).astype(np.float32)
        slope[0] = 0.0
        if channels > 2:
            slope[1] = -1.5
            slope[2] = 2.0

        xt = torch.from_numpy(x.copy()).reshape(tshape).requires_grad_(True)
        wt = torch.from_numpy(slope.copy()).requires_grad_(True)
        yt = F.prelu(xt, wt)
        yt.backward(torch.from_numpy(dy.copy()).reshape(tshape))
        want_y = yt.detach().numpy().reshape(-1)
        want_dx = xt.grad.numpy().reshape(-1)
        want_ds = wt.grad.numpy()

        # The exact sums.
        with np.errstate(invalid="ignore"):
            t = np.where(x > 0, 0.0, x.astype(np.float64) * dy.astype(np.float64))
        t = t.reshape(outer, channels, inner)

        for k in kernels:
            lib.lrelu_set_kernel(k)
            name = f"{k.decode()} {(outer, channels, inner)}{' special' if special else ''}"
            y = np.empty(n, np.float32)
            dx = np.empty(n, np.float32)
            ds = np.empty(channels, np.float32)
            st = lib.lrelu_prelu_forward(ptr(x), ptr(y), ptr(slope), outer, channels, inner)
            st |= lib.lrelu_prelu_backward(ptr(x), ptr(dy), ptr(dx), ptr(slope), ptr(ds), outer,
                                           channels, inner)
            if st != 0:
                fail(f"{name}: status {st}")
                continue
            bad = np.flatnonzero(~same(y, want_y))
            if bad.size:
                i = bad[0]
                fail(f"{name}: y[{i}] = {y[i]!r} ({y.view(np.uint32)[i]:08x}), torch "
                     f"{want_y[i]!r} ({want_y.view(np.uint32)[i]:08x}), x {x[i]!r}, "
                     f"{bad.size} differ")
            bad = np.flatnonzero(~same(dx, want_dx))
            if bad.size:
                i = bad[0]
                fail(f"{name}: dx[{i}] = {dx[i]!r} ({dx.view(np.uint32)[i]:08x}), torch "
                     f"{want_dx[i]!r} ({want_dx.view(np.uint32)[i]:08x}), x {x[i]!r}, "
                     f"dy {dy[i]!r}, {bad.size} differ")
            for c in range(channels):
                terms = t[:, c, :].reshape(-1)
                got = float(ds[c])
                if np.isnan(terms).any() or (np.isposinf(terms).any() and np.isneginf(terms).any()):
                    if not (math.isnan(got) and math.isnan(float(want_ds[c]))):
                        fail(f"{name}: dslope[{c}] = {got!r}, torch {want_ds[c]!r}, want NaN")
                    continue
                # PyTorch forms x * dy in float32: where that overflows, its
                # sum is not the formula's (an inf, or inf - inf = NaN).
                torch_comparable = not (np.abs(terms) > 3.4028234663852886e38).any()
                if np.isinf(terms).any():
                    want = math.copysign(math.inf, float(terms[np.isinf(terms)][0]))
                    if got != want:
                        fail(f"{name}: dslope[{c}] = {got!r}, want {want}")
                    if torch_comparable and float(want_ds[c]) != want:
                        fail(f"{name}: dslope[{c}] = {got!r}, torch {want_ds[c]!r}")
                    continue
                exact = math.fsum(terms.tolist())
                total = math.fsum(np.abs(terms).tolist())
                with np.errstate(over="ignore"):
                    rounded = float(np.float32(exact))
                if rounded != got and not abs(got - exact) <= (
                        ulp(exact) + total * 2.0 ** -40):
                    fail(f"{name}: dslope[{c}] = {got!r}, exact {exact!r}")
                torch_ds = float(want_ds[c])
                if torch_comparable and not abs(got - torch_ds) <= ulp(got) + total * 2.0 ** -20:
                    fail(f"{name}: dslope[{c}] = {got!r}, torch {torch_ds!r}")
            checked += 1

lib.lrelu_set_kernel(None)
if fails:
    print(f"{len(fails)} failures")
    sys.exit(1)
print(f"ok: {checked} shape x kernel runs agree with PyTorch {torch.__version__}")
