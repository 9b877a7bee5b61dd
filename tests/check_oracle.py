#!/usr/bin/python3
"""liblrelu against independent implementations, bit for bit, on every
usable kernel:

  bfloat16  every code that is not a NaN, as x and as dy, several alphas,
            against PyTorch's CPU leaky_relu and leaky_relu_backward on
            bfloat16 tensors
  float64   a large random set and the special values, the same way, on
            float64 tensors
  float16   every code that is not a NaN, as x and as dy, against NumPy:
            float16(float32(alpha) * float32(v)) where x <= 0 (NumPy's
            float32 -> float16 conversion rounds to nearest even), v where
            x > 0 (PyTorch's CPU kernels have no float16 leaky_relu)

Inputs are never NaN; where the product is a NaN (0 * infinity) any NaN is
accepted (the payload is the hardware's, and PyTorch's bfloat16 conversion
writes its own). Usage: check_oracle.py LIBLRELU_SO
"""
import ctypes
import sys

import numpy as np
import torch

torch.set_num_threads(1)
lib = ctypes.CDLL(sys.argv[1])
lib.lrelu_kernel_count.restype = ctypes.c_size_t
lib.lrelu_kernel_name.restype = ctypes.c_char_p
lib.lrelu_kernel_name.argtypes = [ctypes.c_size_t]
lib.lrelu_set_kernel.argtypes = [ctypes.c_char_p]
P, N = ctypes.c_void_p, ctypes.c_size_t
for sfx, alpha_t in (("_f16", ctypes.c_float), ("_bf16", ctypes.c_float),
                     ("_f64", ctypes.c_double)):
    getattr(lib, "lrelu_forward" + sfx).argtypes = [P, P, N, alpha_t]
    getattr(lib, "lrelu_backward" + sfx).argtypes = [P, P, P, N, alpha_t]
    getattr(lib, "lrelu_backward_from_output" + sfx).argtypes = [P, P, P, N, alpha_t]

KERNELS = [lib.lrelu_kernel_name(i).decode() for i in range(lib.lrelu_kernel_count())]
FAILS = []
CHECKED = {}
MAX_SHOWN = 10

# float32 values (the 16-bit functions take a float alpha): the usual, ReLU
# and its negative zero, above 1, negative, one whose products are mostly
# subnormal, the smallest subnormal, one whose products overflow.
ALPHAS32 = [0.01, 0.0, -0.0, 0.2, 1.0, 1.5, 3.0, -0.5, -2.0, 1e-30, 2.0**-149, 3.4e38]
# float64: the same, 0.01 as the double, and the double extremes.
ALPHAS64 = [0.01, 0.0, -0.0, 0.2, 1.5, 3.0, -0.5, -2.0, 1e-300, 2.0**-1074,
            1.7976931348623157e308, 1e300]


def ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


def lib_call(t, op, a, b, alpha):
    """The library's result of op (forward: a = x; backward: a = x, b = dy;
    from_output: a = y, b = dy) on the active kernel."""
    out = np.empty_like(a)
    fn = getattr(lib, f"lrelu_{op}_{t}")
    st = fn(ptr(a), ptr(out), a.size, alpha) if op == "forward" else \
        fn(ptr(a), ptr(b), ptr(out), a.size, alpha)
    if st != 0:
        FAILS.append(f"{t} {op} alpha={alpha!r}: status {st}")
    return out


def compare(t, what, alpha, kernel, got, want, want_nan, x, dy):
    """got, want: unsigned codes; want_nan: where any NaN is right."""
    key = f"{t} {what}"
    CHECKED[key] = CHECKED.get(key, 0) + got.size
    bad = (got != want) & ~(want_nan & is_nan(t, got))
    if bad.any():
        idx = np.flatnonzero(bad)
        w = 2 * got.itemsize
        for i in idx[:MAX_SHOWN]:
            d = "" if dy is None else f" dy=0x{int(dy[i]):0{w}x}"
            FAILS.append(f"{t} {what} kernel={kernel} alpha={alpha!r} ({float(alpha).hex()}): "
                         f"x=0x{int(x[i]):0{w}x}{d} liblrelu=0x{int(got[i]):0{w}x} "
                         f"oracle=0x{int(want[i]):0{w}x}")
        if idx.size > MAX_SHOWN:
            FAILS.append(f"{t} {what} kernel={kernel} alpha={alpha!r}: "
                         f"{idx.size} differences in all")


def is_nan(t, u):
    if t == "f16":
        return (u & 0x7C00 == 0x7C00) & (u & 0x3FF != 0)
    if t == "bf16":
        return (u & 0x7F80 == 0x7F80) & (u & 0x7F != 0)
    return (u & 0x7FF0000000000000 == 0x7FF0000000000000) & (u & 0xFFFFFFFFFFFFF != 0)


def run_kernels(t, op, a, b, alpha, want, want_nan, what, x_codes, dy_codes):
    for k in KERNELS:
        if lib.lrelu_set_kernel(k.encode()) != 0:
            FAILS.append(f"lrelu_set_kernel({k}) refused a listed kernel")
            continue
        got = lib_call(t, op, a, b, alpha)
        got = got.view(np.uint64 if got.itemsize == 8 else np.uint16)
        compare(t, what, alpha, k, got, want, want_nan, x_codes, dy_codes)
    lib.lrelu_set_kernel(None)


# --- bfloat16 against PyTorch -------------------------------------------------

def bf16_tensor(codes):
    return torch.from_numpy(codes.view(np.int16).copy()).view(torch.bfloat16)


def bf16_codes(tensor):
    return tensor.view(torch.int16).numpy().view(np.uint16)


def check_bf16(rng):
    t = "bf16"
    codes = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    every = codes[~is_nan(t, codes)]
    others = rng.choice(every, every.size)  # the other operand: random, not NaN
    for alpha in ALPHAS32:
        a32 = float(np.float32(alpha))  # the library's alpha, exactly
        x_t = bf16_tensor(every)
        # forward
        y_t = torch.nn.functional.leaky_relu(x_t, a32)
        want = bf16_codes(y_t)
        run_kernels(t, "forward", every, None, a32, want, is_nan(t, want), "forward", every, None)
        # backward, every code as x, then every code as dy
        for role, (xc, gc) in (("x", (every, others)), ("dy", (others, every))):
            xt, gt = bf16_tensor(xc), bf16_tensor(gc)
            want = bf16_codes(torch.ops.aten.leaky_relu_backward(gt, xt, a32, False))
            run_kernels(t, "backward", xc, gc, a32, want, is_nan(t, want),
                        f"backward (every code as {role})", xc, gc)
            if alpha >= 0:  # PyTorch takes the result only for alpha >= 0
                yt = torch.nn.functional.leaky_relu(xt, a32)
                yc = bf16_codes(yt)
                want = bf16_codes(torch.ops.aten.leaky_relu_backward(gt, yt, a32, True))
                run_kernels(t, "backward_from_output", yc, gc, a32, want, is_nan(t, want),
                            f"backward_from_output (every code as {role})", yc, gc)


# --- float64 against PyTorch --------------------------------------------------

def f64_inputs(rng, n):
    """Special values, random bit patterns (not NaN), normal values, tiny
    negatives whose products are subnormal, huge ones whose products
    overflow."""
    special = np.array([0.0, -0.0, np.inf, -np.inf, 5e-324, -5e-324, 2.2250738585072014e-308,
                        -2.2250738585072014e-308, 2.225073858507201e-308,
                        -2.225073858507201e-308, 1.7976931348623157e308,
                        -1.7976931348623157e308, 1.0, -1.0, 0.5, -0.5, 1e-300, -1e-300])
    bits = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    raw = bits.view(np.float64)
    raw = raw[~np.isnan(raw)]
    normal = rng.standard_normal(n)
    tiny = -np.ldexp(rng.random(n) + 0.5, rng.integers(-1075, -1000, n))
    huge = -np.ldexp(rng.random(n) + 0.5, rng.integers(1000, 1024, n))
    v = np.concatenate([np.tile(special, 64), raw, normal, tiny, huge])
    return rng.permutation(v)


def check_f64(rng):
    t = "f64"
    x = f64_inputs(rng, 250000)
    dy = f64_inputs(rng, 250000)[: x.size]
    x = x[: dy.size]
    u = lambda a: a.view(np.uint64)  # noqa: E731
    for alpha in ALPHAS64:
        xt, gt = torch.from_numpy(x), torch.from_numpy(dy)
        want = u(torch.nn.functional.leaky_relu(xt, alpha).numpy())
        run_kernels(t, "forward", x, None, alpha, want, is_nan(t, want), "forward", u(x), None)
        want = u(torch.ops.aten.leaky_relu_backward(gt, xt, alpha, False).numpy())
        run_kernels(t, "backward", x, dy, alpha, want, is_nan(t, want), "backward", u(x), u(dy))
        if alpha >= 0:
            yt = torch.nn.functional.leaky_relu(xt, alpha)
            want = u(torch.ops.aten.leaky_relu_backward(gt, yt, alpha, True).numpy())
            y = yt.numpy()
            run_kernels(t, "backward_from_output", y, dy, alpha, want, is_nan(t, want),
                        "backward_from_output", u(y), u(dy))


# --- float16 against NumPy ----------------------------------------------------

def check_f16(rng):
    t = "f16"
    codes = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    every = codes[~is_nan(t, codes)]
    others = rng.choice(every, every.size)
    h = lambda c: c.view(np.float16)  # noqa: E731

    def formula(x, v, alpha):
        """x > 0 ? v : float16(float32(alpha) * float32(v)), as codes."""
        with np.errstate(invalid="ignore", over="ignore"):
            prod = (np.float32(alpha) * h(v).astype(np.float32)).astype(np.float16)
        return np.where(h(x) > 0, h(v), prod).view(np.uint16)

    for alpha in ALPHAS32:
        a32 = float(np.float32(alpha))
        want = formula(every, every, a32)
        run_kernels(t, "forward", every, None, a32, want, is_nan(t, want), "forward", every, None)
        for role, (xc, gc) in (("x", (every, others)), ("dy", (others, every))):
            want = formula(xc, gc, a32)
            run_kernels(t, "backward", xc, gc, a32, want, is_nan(t, want),
                        f"backward (every code as {role})", xc, gc)
            if alpha >= 0:
                yc = formula(xc, xc, a32)
                run_kernels(t, "backward_from_output", yc, gc, a32, want, is_nan(t, want),
                            f"backward_from_output (every code as {role})", yc, gc)


def main():
    rng = np.random.default_rng(20261130)
    print(f"kernels: {' '.join(KERNELS)}; PyTorch {torch.__version__}, NumPy {np.__version__}")
    check_bf16(rng)
    check_f64(rng)
    check_f16(rng)
    for key, count in CHECKED.items():
        print(f"{key}: {count} results compared")
    if FAILS:
        for f in FAILS:
            print("FAIL", f)
        return 1
    print("liblrelu agrees bit for bit with PyTorch (bfloat16, float64) and NumPy (float16)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
