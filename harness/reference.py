"""An independent float64 Conv2d in NumPy: the ground truth no framework is.

Cross-correlation (no kernel flip), NCHW input, OIHW weight, per-side pads
where a negative pad crops. The output is a sum over kernel taps of strided
views of the padded input: short enough to check by eye.
"""

from __future__ import annotations

import numpy as np


def pad(x: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    """Zero-pad (or, for negative pads, crop) the two spatial axes of an NCHW array."""
    top, bottom, left, right = pads
    x = np.pad(x, ((0, 0), (0, 0), (max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0))))
    height, width = x.shape[2], x.shape[3]
    rows = slice(max(-top, 0), height - max(-bottom, 0))
    cols = slice(max(-left, 0), width - max(-right, 0))
    if rows.stop < rows.start or cols.stop < cols.start:
        raise ValueError(f"pads {pads} crop more than the input's {x.shape[2:]}")
    return x[:, :, rows, cols]


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    pads: tuple[int, int, int, int],
    groups: int,
) -> np.ndarray:
    """float64 Conv2d; an output axis the formula makes <= 0 comes back empty."""
    x = pad(np.asarray(x, np.float64), pads)
    w = np.asarray(w, np.float64)
    n, _, height, width = x.shape
    out_channels, group_channels, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    oh = max((height - dh * (kh - 1) - 1) // sh + 1, 0)
    ow = max((width - dw * (kw - 1) - 1) // sw + 1, 0)
    out = np.zeros((n, out_channels, oh, ow))
    per_group = out_channels // groups
    for g in range(groups):
        xg = x[:, g * group_channels : (g + 1) * group_channels]
        wg = w[g * per_group : (g + 1) * per_group]
        for i in range(kh):
            for j in range(kw):
                # rows i*dh, i*dh + sh, ..., one per output row
                window = xg[:, :, i * dh : i * dh + sh * oh : sh, j * dw : j * dw + sw * ow : sw]
                out[:, g * per_group : (g + 1) * per_group] += np.einsum(
                    "nchw,oc->nohw", window, wg[:, :, i, j]
                )
    if b is not None:
        out += np.asarray(b, np.float64)[None, :, None, None]
    return out
