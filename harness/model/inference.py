"""Infer the padding a framework applied, per side of every spatial axis, from its output values:
the convolution's inference, and the machinery (Inferred, Range, fit_box) the other families'
own inference builds on.

The reference is computed once with generous padding and stride 1 (a "dense" map); the
output for low-side pads p and stride s is then the strided slice of that map starting at
P - p on each axis. Every choice of low pads whose slice reproduces the framework's output is
consistent with it. The high pads never move a window: they only decide how many outputs
there are, so each is a range given by the output size. The answer is what the output
proves: [min, max] per side, (low, high) per axis, at any rank.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from harness.case import Case
from harness.model import reference
from harness.model.oracle import effective_kernel

Range = tuple[int, int]

# A shifted window gives errors near 1; precision differences stay far below these.
MATCH_TOLERANCE = {"float64": 1e-3, "float32": 1e-3, "float16": 2e-2, "bfloat16": 5e-2}


@dataclass(frozen=True)
class Inferred:
    """Per side ((low, high) per axis: top, bottom, left, right in 2-d), the pads consistent
    with an output.

    `proven` is False where the values cannot pin the pads down: an empty output, or one
    whose windows hold nothing but padding.
    """

    ranges: tuple[Range, ...]
    proven: bool = True
    divisor: str | None = None  # average pooling: include, exclude or either (families/pool)

    def contains(self, pads: tuple[int, ...]) -> bool:
        return all(lo <= p <= hi for p, (lo, hi) in zip(pads, self.ranges, strict=True))

    def overlaps(self, other: Inferred) -> bool:
        return len(self.ranges) == len(other.ranges) and all(
            a[0] <= b[1] and b[0] <= a[1] for a, b in zip(self.ranges, other.ranges, strict=True)
        )

    def to_json(self) -> list[list[int]] | None:
        return [list(r) for r in self.ranges] if self.proven else None


def _far_side(size: int, near: int, out: int, k: int, s: int, d: int) -> Range:
    """The high-side pads that give `out` outputs along an axis, given the low-side pad."""
    low = (out - 1) * s + effective_kernel(k, d) - size - near
    return (low, low + s - 1)


def margin_for(case: Case, out_spatial: tuple[int, ...]) -> int:
    """Pads on every side of the dense map wide enough for any window of an output this size.

    A window run of `o` outputs spans (o - 1)s + d(k-1) + 1 positions; beyond a low pad of the
    kernel's extent plus a stride, windows hold nothing but padding.
    """
    return max(
        max(effective_kernel(k, d) + s, (o - 1) * s + effective_kernel(k, d))
        for k, s, d, o in zip(case.kernel, case.stride, case.dilation, out_spatial, strict=True)
    )


def dense_reference(case: Case, x, w, b, margin: int) -> np.ndarray:
    """The float64 reference at stride 1 with `margin` pads on every side."""
    ones = (1,) * case.rank
    return reference.conv(x, w, b, ones, case.dilation, (margin,) * (2 * case.rank), case.groups)


CHUNK = 2**20  # elements gathered at once: the search's memory stays bounded at any size
FIRST = (16, 4096)  # the fewest and the most output positions of the first comparison
SECOND = 4096  # output positions of the second, spread over the output, before the whole


def _loudest(output: np.ndarray, tolerance: float) -> np.ndarray:
    """The flat indices of the output's largest values, enough of them to hold four times the
    tolerance's square: a start whose slice is near zero there (a shifted, sparse or all-padding
    window) is already past the tolerance on these alone. A NaN comes first: it fits nothing."""
    energy = np.nan_to_num(output.reshape(-1) ** 2, nan=np.inf)
    order = np.argsort(-energy, kind="stable")[: FIRST[1]]
    held = np.cumsum(energy[order])
    count = int(np.searchsorted(held, 4 * tolerance**2)) + 1
    return np.sort(order[: max(FIRST[0], count)])


def _largest(output: np.ndarray, count: int) -> np.ndarray:
    """The flat indices of the output's `count` largest values (NaN first): where a sparse output
    (a strided transposed one is mostly bias) is not, a few positions spread over it tell
    shifted starts apart no better than zeros do."""
    energy = np.nan_to_num(output.reshape(-1) ** 2, nan=np.inf)
    if count >= energy.size:
        return np.arange(energy.size)
    return np.sort(np.argpartition(-energy, count)[:count])


def _spread(output: np.ndarray, count: int) -> np.ndarray:
    """`count` flat indices of the output, spread over it (a fixed draw), or every index."""
    if count >= output.size:
        return np.arange(output.size)
    return np.sort(np.random.default_rng(0).choice(output.size, size=count, replace=False))


Box = tuple[tuple[int, int], ...]  # per axis, the smallest and largest index of a fitting start
BATCH = 256  # starts compared with the whole output at once, in the order the extremes need


def _errors(flat, offsets, at, wanted) -> np.ndarray:
    """The distance of each start's slice from the output over the given positions, gathered
    at most CHUNK elements at a time."""
    errors = np.empty(len(offsets))
    rows = max(1, CHUNK // max(1, len(at)))
    for first in range(0, len(offsets), rows):
        part = flat[offsets[first : first + rows, None] + at[None, :]]
        errors[first : first + rows] = np.sqrt(((part - wanted) ** 2).sum(axis=1))
    return errors


def fit_box(
    dense: np.ndarray, output: np.ndarray, counts: list[int], stride, tolerance: float
) -> Box | None:
    """Per axis, the smallest and largest index of the starts whose slice is within `tolerance`
    of `output`, or None when none is.

    A start a = (a0, a1, ...) gives the slice dense[n, o, a0 + s0·j0, a1 + s1·j1, ...]. Every
    start is first compared on the output's few largest values, the survivors on a few positions
    spread over it. The rest are then taken in the order each axis's extremes need (by that
    axis's index, up and down), a batch at a time, each start once, and compared on the largest
    values that hold most of the output's energy, then on more positions spread over it, then on
    the whole output. The error over some positions is at most the whole error, so no fit is
    lost; a start that differs where it is looked at goes early; and an output that many starts
    fit (a strided transposed output that is mostly bias) costs a few batches, not every start.
    """
    dense = np.ascontiguousarray(dense, np.float64)
    flat = dense.reshape(-1)
    steps = np.array(dense.strides[2:]) // dense.itemsize  # elements per step along each axis
    grid = np.indices(counts).reshape(len(counts), -1).T  # every start, one row each

    def gather(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n, o, *js = np.unravel_index(positions, output.shape)
        at = (n * dense.shape[1] + o) * math.prod(dense.shape[2:]) + sum(
            j * s * step for j, s, step in zip(js, stride, steps, strict=True)
        )
        return at, output.reshape(-1)[positions]

    offsets = grid @ steps
    for positions in (_largest(output, FIRST[0]), _spread(output, FIRST[0])):
        keep = _errors(flat, offsets, *gather(positions)) <= tolerance  # NaN: no fit
        grid, offsets = grid[keep], offsets[keep]
        if not len(offsets):
            return None
    # the costlier comparisons, each on what the one before it left of a batch
    stages = [
        gather(positions)
        for positions in (_loudest(output, tolerance), _spread(output, SECOND))
        if len(positions) < output.size
    ] + [gather(np.arange(output.size))]
    verdict = np.zeros(len(offsets), np.int8)  # 0 not yet compared, 1 fits, -1 does not

    def compare(rows: np.ndarray) -> None:
        for at, wanted in stages:
            fit = _errors(flat, offsets[rows], at, wanted) <= tolerance
            verdict[rows[~fit]] = -1
            rows = rows[fit]
        verdict[rows] = 1

    def first_fit(order: np.ndarray) -> int | None:
        for begin in range(0, len(order), BATCH):
            rows = order[begin : begin + BATCH]
            compare(rows[verdict[rows] == 0])
            hits = rows[verdict[rows] == 1]
            if len(hits):
                return int(hits[0])
        return None

    box = []
    for axis in range(len(counts)):
        up = np.argsort(grid[:, axis], kind="stable")
        low = first_fit(up)
        if low is None:
            return None
        high = first_fit(up[::-1])
        assert high is not None  # `low` fits
        box.append((int(grid[low, axis]), int(grid[high, axis])))
    return tuple(box)


def infer(
    case: Case, output: np.ndarray, dense_for: Callable[[int], np.ndarray]
) -> Inferred | None:
    """The pads consistent with `output` ([N, O, *spatial]), or None when no padding
    reproduces it.

    `dense_for(margin)` gives dense_reference(case, x, w, b, margin) for the case's arrays.
    Low-side pads are searched up to the margin: beyond it, windows are pure padding.
    """
    n, o, *out = output.shape
    channels = case.operators.output_channels(case)
    if (n, o) != (case.batch, channels) or len(out) != case.rank or min(out) < 0:
        return None
    margin = margin_for(case, tuple(out))
    if output.size == 0:  # nothing to compare: only the size speaks, for the high sides
        return Inferred(
            tuple(r for i in case.spatial for r in ((-i, margin), (-margin, margin))),
            proven=False,
        )
    dense = dense_for(margin)
    # starts[a0, a1, ...] = the output a slice of the dense map gives for low pads margin - a
    counts = [
        size - (o_ - 1) * s for size, o_, s in zip(dense.shape[2:], out, case.stride, strict=True)
    ]
    if min(counts) < 1:
        return None
    tolerance = MATCH_TOLERANCE[case.dtype] * max(float(np.linalg.norm(output)), 1e-30)
    box = fit_box(dense, output, counts, case.stride, tolerance)
    if box is None:
        return None
    # A fit at the edge of the search means windows of pure padding: the range goes on
    # beyond what was searched, and the values prove no particular pad.
    proven = all(0 < lo and hi < count - 1 for (lo, hi), count in zip(box, counts, strict=True))
    ranges: list[Range] = []
    for (first, last), size, o_, k, s, d in zip(
        box, case.spatial, out, case.kernel, case.stride, case.dilation, strict=True
    ):
        low = (margin - last, margin - first)
        highs = [_far_side(size, p, o_, k, s, d) for p in low]
        ranges += [low, (min(r[0] for r in highs), max(r[1] for r in highs))]
    return Inferred(tuple(ranges), proven=bool(proven))
