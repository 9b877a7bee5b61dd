"""Leaky ReLU as NumPy ufuncs, computed by liblrelu.

    >>> import numpy as np, lrelu
    >>> lrelu.leaky_relu(np.array([-2.0, 3.0], dtype=np.float32), 0.5)
    array([-1.,  3.], dtype=float32)

leaky_relu(x, alpha), leaky_relu_backward(x, dy, alpha) and
leaky_relu_backward_from_output(y, dy, alpha) are NumPy ufuncs (float16,
float32, float64): broadcasting, out=, where=, any strides and
__array_ufunc__ (Dask arrays) come from NumPy. A scalar alpha over
contiguous data is one call of the library's SIMD kernel; an array of
slopes broadcast over x is PReLU, e.g. leaky_relu(x_nchw, slope[:, None, None]).

leaky_relu_quantized(x, input_scale, input_zero_point, output_scale,
output_zero_point, alpha) is quantized Leaky ReLU of an int8 or uint8 array
(XNNPACK's fixed-point definition): a new array of x's dtype and shape.
"""

import numpy as _np

from ._lrelu import (  # noqa: F401
    HAVE_PRELU_BACKWARD,
    HAVE_THREADS,
    __version__,
    active_kernel,
    kernels,
    leaky_relu,
    leaky_relu_backward,
    leaky_relu_backward_from_output,
    leaky_relu_quantized,
    num_threads,
    set_kernel,
    set_num_threads,
)
from . import _lrelu

__all__ = [
    "leaky_relu",
    "leaky_relu_backward",
    "leaky_relu_backward_from_output",
    "leaky_relu_quantized",
    "prelu_backward",
    "kernels",
    "active_kernel",
    "set_kernel",
    "num_threads",
    "set_num_threads",
    "__version__",
]


def prelu_backward(x, dy, slope, axis=1):
    """Gradients of PReLU y = x > 0 ? x : slope[c] * x over channel axis `axis`
    (1 for NCHW, -1 for channels-last), through liblrelu's float32 PReLU.

    Returns (dx, dslope): dx = x > 0 ? dy : slope[c] * dy, and dslope[c] the
    sum of x * dy over the elements of channel c where x <= 0.
    """
    if not HAVE_PRELU_BACKWARD:
        raise NotImplementedError(
            "this build of liblrelu has no lrelu_prelu_backward")
    x = _np.ascontiguousarray(x, dtype=_np.float32)
    dy = _np.ascontiguousarray(dy, dtype=_np.float32)
    slope = _np.ascontiguousarray(slope, dtype=_np.float32)
    if x.shape != dy.shape:
        raise ValueError(f"x and dy differ in shape: {x.shape} and {dy.shape}")
    if x.ndim == 0:
        raise ValueError("prelu_backward needs at least one dimension")
    ax = axis + x.ndim if axis < 0 else axis
    if not 0 <= ax < x.ndim:
        raise _np.AxisError(axis, x.ndim)
    channels = x.shape[ax]
    if slope.shape != (channels,):
        raise ValueError(f"slope must have shape ({channels},), not {slope.shape}")
    outer = int(_np.prod(x.shape[:ax], dtype=_np.int64))
    inner = int(_np.prod(x.shape[ax + 1:], dtype=_np.int64))
    dx = _np.empty_like(x)
    dslope = _np.empty_like(slope)
    _lrelu._prelu_backward(x, dy, slope, dx, dslope, outer, channels, inner)
    return dx, dslope
