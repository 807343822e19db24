"""The float64 reference of the transposed convolution at any rank: the adjoint of
reference.conv, written as a scatter."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from harness.families.conv_transpose.sizes import full_size
from harness.fields import Pads, pairs
from harness.model.reference import pad


def conv_transpose(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    crops: Pads,
    groups: int,
) -> np.ndarray:
    """float64 transposed convolution: x [N, C, *i], w [C, O/groups, *k], (low, high) crops of
    the full output per axis (negative ones extend it with zeros), then the bias.

    Each input pixel scatters its kernel-weighted copy to s·position + d·tap: the adjoint of
    reference.conv with the same stride, dilation and groups.
    """
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    in_channels, group_out, *kernel = w.shape
    spatial = x.shape[2:]
    full = [
        full_size(i, k, s, d) for i, k, s, d in zip(spatial, kernel, stride, dilation, strict=True)
    ]
    out = np.zeros((x.shape[0], group_out * groups, *full))
    group_in = in_channels // groups
    for g in range(groups):
        xg = x[:, g * group_in : (g + 1) * group_in]
        for tap in itertools.product(*(range(k) for k in kernel)):
            # along each axis, input position j lands on s·j + d·tap
            target = tuple(
                slice(t * d, t * d + s * (i - 1) + 1, s)
                for t, d, s, i in zip(tap, dilation, stride, spatial, strict=True)
            )
            at_tap: tuple[Any, ...] = (slice(None), slice(None), *tap)
            tap_weights = w[g * group_in : (g + 1) * group_in][at_tap]  # [C/groups, O/groups]
            out[(slice(None), slice(g * group_out, (g + 1) * group_out), *target)] += np.einsum(
                "co,nc...->no...", tap_weights, xg
            )
    sizes = [f - low - high for f, (low, high) in zip(full, pairs(crops), strict=True)]
    if min(sizes) <= 0:  # an axis cropped to nothing (or less): an empty output
        out = np.zeros((*out.shape[:2], *[max(size, 0) for size in sizes]))
    else:
        out = pad(out, tuple(-c for c in crops))
    if b is not None:
        out += np.asarray(b, np.float64).reshape(1, -1, *[1] * len(kernel))
    return out
