"""The wide regime: where frameworks pick other kernels. Every family's small edge cases are
drawn as they are; some of them are then widened: channel counts up to 64, depthwise (groups =
C_in, with a channel multiplier) for the families with a weight, the 1x1 and 3x3 kernels the
fast paths take (Winograd's 3x3 at stride 1), spatial sizes up to 64 and a few larger.

`widened(strategy, memory)` is the combinator every family's strategy goes through
(harness/ops/__init__.py); `coverage(case)` names the wide regions a case falls in and
`regions(op)` the ones each operator must reach. A widened case that is not a case (CaseError)
or costs more than WIDE_MEMORY bytes or WIDE_WORK multiply-adds gives back the case drawn.
Every choice shrinks towards "keep what was drawn", so a shrunk wide case narrows again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from hypothesis import strategies as st

from harness.case import OPS, Case, CaseError
from harness.families import OPERATORS

WIDE_SHARE = 0.3  # the share of drawn cases that are widened: the small edges keep the rest
WIDE_MEMORY = 16 * 2**20  # bytes: a quarter of the default budget of a machine of 1 GiB
WIDE_WORK = 4 * 10**7  # multiply-adds the float64 reference does for one case, at most
WIDTHS = (24, 32, 64, 17, 48)  # channels past 16 (XLA's and oneDNN's thresholds)
DEPTHWISE = (8, 32, 64, 3, 16)  # channels of a depthwise case
MULTIPLIERS = (1, 2)  # a depthwise case's output channels per input channel
WIDE_SPATIAL = "spatial >= 32 (16 in 3-d)"
SIZES = {1: (64, 32, 48, 128, 256), 2: (32, 64, 48, 96), 3: (16, 32, 24)}  # spatial, wide


def _channels(draw, case: Case) -> Case:
    """Wider channels: dense, grouped wide, or depthwise (groups = C_in = C_out / multiplier)."""
    if not case.operators.weighted:  # channels pass through
        choice = draw(st.sampled_from(["keep", "wide"]))
        if choice == "keep":
            return case
        width = draw(st.sampled_from(WIDTHS))
        return replace(case, in_channels=width, out_channels=width)
    choice = draw(st.sampled_from(["keep", "wide", "depthwise", "depthwise", "grouped"]))
    if choice == "keep":
        return case
    if choice == "depthwise":
        channels = draw(st.sampled_from(DEPTHWISE))
        multiplier = draw(st.sampled_from(MULTIPLIERS))
        return replace(
            case, in_channels=channels, out_channels=channels * multiplier, groups=channels
        )
    if choice == "grouped":
        groups = draw(st.sampled_from([2, 4]))
        width = draw(st.sampled_from((32, 64)))
        return replace(case, in_channels=width, out_channels=width, groups=groups)
    return replace(
        case,
        in_channels=draw(st.sampled_from(WIDTHS)),
        out_channels=draw(st.sampled_from(WIDTHS)),
        groups=1,
    )


def _kernel(draw, case: Case) -> Case:
    """1x1 (any stride) or 3x3 (often at stride 1, no dilation: Winograd's case) on every axis."""
    choice = draw(st.sampled_from(["keep", "1x1", "3x3", "3x3 stride 1"]))
    if choice == "keep":
        return case
    size = 1 if choice == "1x1" else 3
    kernel = (size,) * case.rank
    stride, dilation = case.stride, case.dilation
    if choice == "3x3 stride 1":
        stride, dilation = (1,) * case.rank, (1,) * case.rank
    elif case.operators.stride_defaults_to_kernel and case.stride == case.kernel:
        stride = kernel  # the family's default: the stride is the kernel
    return replace(case, kernel=kernel, stride=stride, dilation=dilation)


def _spatial(draw, case: Case) -> Case:
    """Spatial sizes up to 64 on every axis (a few larger), the same or not across axes."""
    if draw(st.sampled_from(["keep", "wide"])) == "keep":
        return case
    sizes = st.sampled_from(SIZES[case.rank])
    first = draw(sizes)
    rest = (first if draw(st.booleans()) else draw(sizes) for _ in range(case.rank - 1))
    return replace(case, spatial=(first, *rest))


def work(case: Case) -> int:
    """Multiply-adds of the reference at most: every input position against every tap (an
    upper bound for each family: strides and crops only make it smaller)."""
    per_group = case.in_channels // case.groups
    positions = case.batch * math.prod(case.spatial) * case.out_channels
    return positions * per_group * math.prod(case.kernel) * math.prod(case.stride)


def widen(draw, case: Case, memory: Callable[[Case], int]) -> Case:
    """With probability WIDE_SHARE, `case` with wide channels, kernel and/or spatial sizes; the
    case drawn where the wide one is not a case or costs too much."""
    if draw(st.integers(0, 99)) >= 100 * WIDE_SHARE:
        return case
    try:
        wide = _channels(draw, case)
        if not case.operators.asks_size(case):  # an asked-for size is about the drawn ones
            wide = _spatial(draw, _kernel(draw, wide))
    except CaseError:
        return case
    if memory(wide) > WIDE_MEMORY or work(wide) > WIDE_WORK:
        return case
    return wide


def widened(
    strategy: st.SearchStrategy[Case], memory: Callable[[Case], int]
) -> st.SearchStrategy[Case]:
    """`strategy`'s cases, some widened (see widen); `memory(case)` is the family's estimate."""

    @st.composite
    def drawn(draw) -> Case:
        return widen(draw, draw(strategy), memory)

    return drawn()


def coverage(case: Case) -> list[str]:
    """The wide regions a case falls in."""
    labels = {
        "channels > 16": max(case.in_channels, case.out_channels) > 16,
        "depthwise": case.operators.weighted and case.groups == case.in_channels > 1,
        "depthwise with multiplier": case.operators.weighted
        and case.groups == case.in_channels > 1
        and case.out_channels > case.in_channels,
        "kernel 1x1": set(case.kernel) == {1},
        "kernel 3x3": set(case.kernel) == {3},
        "kernel 3x3 stride 1": set(case.kernel) == {3} and set(case.stride) == {1},
        WIDE_SPATIAL: min(case.spatial) >= (16 if case.rank == 3 else 32),
    }
    return [name for name, hit in labels.items() if hit]


def regions(op: str) -> tuple[str, ...]:
    """The wide regions `op` must reach: depthwise for a family with a weight only."""
    convolution = OPERATORS[OPS[op][0]].weighted
    return tuple(
        name
        for name in (
            "channels > 16",
            "depthwise",
            "depthwise with multiplier",
            "kernel 1x1",
            "kernel 3x3",
            "kernel 3x3 stride 1",
            WIDE_SPATIAL,
        )
        if convolution or "depthwise" not in name
    )
