"""An independent float64 max and average pooling in NumPy, at any rank: the pooling ground truth.

Input [N, C, *spatial]; windows of `kernel` taps, `dilation` apart, `stride` apart, over the
input padded by `pads` ((low, high) per axis, negative crops). The output size per axis is the
floor formula over the padded extent, so a rounding that goes up (ceil_mode) is stated as a
larger high pad: the overhang. Padding never wins a max (it is -inf), so a window of padding
alone gives -inf. An average divides the sum of the input elements its window covers by
either the number of those elements (`include=False`) or that number plus the padding it
covers (`include=True`), where only the `counted` pads are padding: the overhang beyond them
is never counted. A window that covers no element to divide by gives NaN (0/0).
"""

from __future__ import annotations

import itertools

import numpy as np

from harness.case import Pads, pairs


def padded(x: np.ndarray, pads: Pads, value: float) -> np.ndarray:
    """Pad the spatial axes of [N, C, *spatial] with `value` (negative pads crop)."""
    per_axis = pairs(pads)
    widths = [(0, 0), (0, 0)] + [(max(low, 0), max(high, 0)) for low, high in per_axis]
    x = np.pad(x, widths, constant_values=value)
    crops = [
        slice(max(-low, 0), size - max(-high, 0))
        for size, (low, high) in zip(x.shape[2:], per_axis, strict=True)
    ]
    if any(s.stop < s.start for s in crops):
        raise ValueError(f"pads {pads} crop more than the input's {x.shape[2:]}")
    return x[(slice(None), slice(None), *crops)]


def _windows(x: np.ndarray, kernel, stride, dilation):
    """Each tap's strided view of a padded [N, C, *spatial] array, one per output."""
    out = [
        max((size - d * (k - 1) - 1) // s + 1, 0)
        for size, k, s, d in zip(x.shape[2:], kernel, stride, dilation, strict=True)
    ]
    for tap in itertools.product(*(range(k) for k in kernel)):
        yield x[
            (slice(None), slice(None))
            + tuple(
                slice(t * d, t * d + s * o, s)
                for t, d, s, o in zip(tap, dilation, stride, out, strict=True)
            )
        ]


def max_pool(x: np.ndarray, kernel, stride, dilation, pads: Pads) -> np.ndarray:
    """float64 max pooling with -inf padding.

    A window's maximum is the maximum, axis by axis, of the maxima along each axis (a box is a
    product of intervals, and max is exact in any order), so each axis is reduced in turn: k
    passes per axis instead of the product of the kernel's taps."""
    x = padded(np.asarray(x, np.float64), pads, -np.inf)
    for axis, (k, s, d) in enumerate(zip(kernel, stride, dilation, strict=True), start=2):
        out = max((x.shape[axis] - d * (k - 1) - 1) // s + 1, 0)
        lead = (slice(None),) * axis
        reduced = x[(*lead, slice(0, s * out, s))].copy()
        for tap in range(1, k):
            np.maximum(reduced, x[(*lead, slice(tap * d, tap * d + s * out, s))], out=reduced)
        x = reduced
    return x


def avg_pool(
    x: np.ndarray, kernel, stride, dilation, pads: Pads, counted: Pads, include: bool
) -> np.ndarray:
    """float64 average pooling; `counted` (each side <= `pads`) is the padding an including
    divisor counts."""
    x = np.asarray(x, np.float64)
    total = sum(_windows(padded(x, pads, 0.0), kernel, stride, dilation))
    inside = np.ones((1, 1, *x.shape[2:]))
    if include:
        inside = padded(inside, counted, 1.0)
        overhang = tuple(p - c for p, c in zip(pads, counted, strict=True))
        inside = padded(inside, overhang, 0.0)
    else:
        inside = padded(inside, pads, 0.0)
    count = sum(_windows(inside, kernel, stride, dilation))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(total / count, np.float64)
