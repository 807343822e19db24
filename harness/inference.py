"""Infer the padding a framework applied, per side, from its output values.

The reference is computed once with generous padding and stride 1 (a "dense" map);
the output for pads (top, left) and stride s is then the strided slice of that map
starting at (P - top, P - left). Every (top, left) whose slice reproduces the
framework's output is consistent with it. The bottom and right pads never move a
window: they only decide how many outputs there are, so each is a range given by
the output size. The answer is what the output proves: [min, max] per side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import reference
from .case import Case
from .oracle import effective_kernel

Range = tuple[int, int]

# A shifted window gives errors near 1; precision differences stay far below these.
MATCH_TOLERANCE = {"float64": 1e-3, "float32": 1e-3, "float16": 2e-2, "bfloat16": 5e-2}


@dataclass(frozen=True)
class Inferred:
    """Per side (top, bottom, left, right), the pads consistent with an output.

    `proven` is False where the values cannot pin the pads down: an empty output, or one
    whose windows hold nothing but padding.
    """

    ranges: tuple[Range, Range, Range, Range]
    proven: bool = True

    def contains(self, pads: tuple[int, int, int, int]) -> bool:
        return all(lo <= p <= hi for p, (lo, hi) in zip(pads, self.ranges, strict=True))

    def overlaps(self, other: Inferred) -> bool:
        return all(
            a[0] <= b[1] and b[0] <= a[1] for a, b in zip(self.ranges, other.ranges, strict=True)
        )

    def to_json(self) -> list[list[int]] | None:
        return [list(r) for r in self.ranges] if self.proven else None


def _far_side(size: int, near: int, out: int, k: int, s: int, d: int) -> Range:
    """The far-side pads that give `out` outputs along an axis, given the near-side pad."""
    low = (out - 1) * s + effective_kernel(k, d) - size - near
    return (low, low + s - 1)


def margin_for(case: Case, out_hw: tuple[int, int]) -> int:
    """Pads on every side of the dense map wide enough for any window of an output this size.

    A window run of `o` outputs spans (o - 1)s + d(k-1) + 1 rows; beyond a near pad of the
    kernel's extent plus a stride, windows hold nothing but padding.
    """
    return max(
        max(effective_kernel(k, d) + s, (o - 1) * s + effective_kernel(k, d))
        for k, s, d, o in zip(case.kernel, case.stride, case.dilation, out_hw, strict=True)
    )


def dense_reference(case: Case, x, w, b, margin: int) -> np.ndarray:
    """The float64 reference at stride 1 with `margin` pads on every side."""
    return reference.conv2d(x, w, b, (1, 1), case.dilation, (margin,) * 4, case.groups)


def infer(
    case: Case, output: np.ndarray, dense_for: Callable[[int], np.ndarray]
) -> Inferred | None:
    """The pads consistent with `output` (NCHW), or None when no padding reproduces it.

    `dense_for(margin)` gives dense_reference(case, x, w, b, margin) for the case's arrays.
    Near-side pads are searched up to the margin: beyond it, windows are pure padding.
    """
    n, o, oh, ow = output.shape
    if (n, o) != (case.batch, case.out_channels) or min(oh, ow) < 0:
        return None
    margin = margin_for(case, (oh, ow))
    (sh, sw), (kh, kw), (dh, dw) = case.stride, case.kernel, case.dilation
    if output.size == 0:  # nothing to compare: only the size speaks, for the far sides
        near = (-case.height, margin), (-case.width, margin)
        return Inferred((near[0], (-margin, margin), near[1], (-margin, margin)), proven=False)
    dense = dense_for(margin)
    # starts[a, c] = the output a slice of the dense map would give for pads (margin-a, margin-c)
    rows = dense.shape[2] - (oh - 1) * sh
    cols = dense.shape[3] - (ow - 1) * sw
    if rows < 1 or cols < 1:
        return None
    s_n, s_o, s_h, s_w = dense.strides
    starts = np.lib.stride_tricks.as_strided(
        dense,
        shape=(rows, cols, n, o, oh, ow),
        strides=(s_h, s_w, s_n, s_o, s_h * sh, s_w * sw),
        writeable=False,
    )
    error = np.sqrt(((starts - output) ** 2).sum(axis=(2, 3, 4, 5)))
    scale = max(float(np.linalg.norm(output)), 1e-30)
    fit_rows, fit_cols = np.nonzero(error <= MATCH_TOLERANCE[case.dtype] * scale)
    if fit_rows.size == 0:
        return None
    # A fit at the edge of the search means windows of pure padding: the range goes on
    # beyond what was searched, and the values prove no particular pad.
    proven = 0 < fit_rows.min() and fit_rows.max() < rows - 1
    proven = proven and 0 < fit_cols.min() and fit_cols.max() < cols - 1
    top = (margin - int(fit_rows.max()), margin - int(fit_rows.min()))
    left = (margin - int(fit_cols.max()), margin - int(fit_cols.min()))
    bottoms = [_far_side(case.height, t, oh, kh, sh, dh) for t in top]
    rights = [_far_side(case.width, lf, ow, kw, sw, dw) for lf in left]
    bottom = (min(r[0] for r in bottoms), max(r[1] for r in bottoms))
    right = (min(r[0] for r in rights), max(r[1] for r in rights))
    return Inferred((top, bottom, left, right), proven=bool(proven))
