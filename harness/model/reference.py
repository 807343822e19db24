"""An independent float64 convolution in NumPy, at any rank: the ground truth no framework is.

Cross-correlation (no kernel flip), input [N, C, *spatial], weight [O, C/groups, *kernel],
(low, high) pads per axis where a negative pad crops. The output is a sum over kernel taps
of strided views of the padded input: short enough to check by eye.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from harness.case import Pads, pairs


def pad(x: np.ndarray, pads: Pads) -> np.ndarray:
    """Zero-pad (or, for negative pads, crop) the spatial axes of an [N, C, *spatial] array."""
    per_axis = pairs(pads)
    x = np.pad(x, [(0, 0), (0, 0)] + [(max(low, 0), max(high, 0)) for low, high in per_axis])
    crops = [
        slice(max(-low, 0), size - max(-high, 0))
        for size, (low, high) in zip(x.shape[2:], per_axis, strict=True)
    ]
    if any(s.stop < s.start for s in crops):
        raise ValueError(f"pads {pads} crop more than the input's {x.shape[2:]}")
    return x[(slice(None), slice(None), *crops)]


def conv(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    pads: Pads,
    groups: int,
) -> np.ndarray:
    """float64 convolution; an output axis the formula makes <= 0 comes back empty."""
    x = pad(np.asarray(x, np.float64), pads)
    w = np.asarray(w, np.float64)
    out_channels, group_channels, *kernel = w.shape
    out_spatial = [
        max((size - d * (k - 1) - 1) // s + 1, 0)
        for size, k, s, d in zip(x.shape[2:], kernel, stride, dilation, strict=True)
    ]
    out = np.zeros((x.shape[0], out_channels, *out_spatial))
    per_group = out_channels // groups
    for g in range(groups):
        xg = x[:, g * group_channels : (g + 1) * group_channels]
        wg = w[g * per_group : (g + 1) * per_group]
        for tap in itertools.product(*(range(k) for k in kernel)):
            # along each axis: positions tap*d, tap*d + s, ..., one per output
            window = xg[
                (slice(None), slice(None))
                + tuple(
                    slice(t * d, t * d + s * o, s)
                    for t, d, s, o in zip(tap, dilation, stride, out_spatial, strict=True)
                )
            ]
            at_tap: tuple[Any, ...] = (slice(None), slice(None), *tap)
            tap_weights = wg[at_tap]  # [O/groups, C/groups]
            out[:, g * per_group : (g + 1) * per_group] += np.einsum(
                "oc,nc...->no...", tap_weights, window
            )
    if b is not None:
        out += np.asarray(b, np.float64).reshape(1, -1, *[1] * len(kernel))
    return out
