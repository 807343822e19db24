"""Infer the crop a transposed convolution applied, per side of every axis, from its output values.

The full transposed output is computed once in float64 with `margin` zeros (plus the bias) on
every side; an output with low crop c is then the slice of that map starting at margin + c, at
stride 1. Every low crop whose slice reproduces the output is consistent with it, and the high
crop of each is what the output size leaves: full - out - low. A framework that crops on the
other side gives a different range; one that flips the kernel, none (PADDING_UNEXPLAINED).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from harness.case import Case
from harness.families.conv_transpose import reference
from harness.families.conv_transpose.sizes import full_size
from harness.model.inference import MATCH_TOLERANCE, Inferred, Range, fit_box
from harness.model.oracle import effective_kernel


def margin_for(case: Case, out_spatial: tuple[int, ...]) -> int:
    """Zeros on every side of the full map: room for any slice of an output this size."""
    return max(
        max(o, effective_kernel(k, d) + s)
        for o, k, s, d in zip(out_spatial, case.kernel, case.stride, case.dilation, strict=True)
    )


def dense_reference(case: Case, x, w, b, margin: int) -> np.ndarray:
    """The full transposed output, extended by `margin` on every side."""
    extend = (-margin,) * (2 * case.rank)
    return reference.conv_transpose(x, w, b, case.stride, case.dilation, extend, case.groups)


def infer(
    case: Case, output: np.ndarray, dense_for: Callable[[int], np.ndarray]
) -> Inferred | None:
    """The crops consistent with `output` ([N, O, *spatial]), or None when no crop of the
    float64 full output reproduces it. `dense_for(margin)` gives dense_reference."""
    n, o, *out = output.shape
    if (n, o) != (case.batch, case.out_channels) or len(out) != case.rank or min(out) < 0:
        return None
    margin = margin_for(case, tuple(out))
    full = [
        full_size(i, k, s, d)
        for i, k, s, d in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    ]
    if output.size == 0:  # only the size speaks
        return Inferred(
            tuple(
                r
                for f, o_ in zip(full, out, strict=True)
                for r in ((-margin, f + margin), (f - o_ - f - margin, f - o_ + margin))
            ),
            proven=False,
        )
    dense = dense_for(margin)
    counts = [size - o_ + 1 for size, o_ in zip(dense.shape[2:], out, strict=True)]
    if min(counts) < 1:
        return None
    tolerance = MATCH_TOLERANCE[case.dtype] * max(float(np.linalg.norm(output)), 1e-30)
    box = fit_box(dense, output, counts, (1,) * case.rank, tolerance)
    if box is None:
        return None
    proven = all(0 < lo and hi < count - 1 for (lo, hi), count in zip(box, counts, strict=True))
    ranges: list[Range] = []
    for (first, last), f, o_ in zip(box, full, out, strict=True):
        low = (first - margin, last - margin)
        ranges += [low, (f - o_ - low[1], f - o_ - low[0])]
    return Inferred(tuple(ranges), proven=bool(proven))
