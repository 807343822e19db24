"""Hypothesis strategies for transposed convolution cases at rank 1, 2 and 3, and the regions
they must reach: strides up to 4, dilation, groups, output_padding over its whole legal range
and one past it, kernels smaller than the stride (outputs with gaps), output sizes asked for
(TensorFlow and ONNX style) and empty batches.
"""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from harness.case import DTYPES, Case, Padding, op_rank
from harness.families.conv_transpose.sizes import full_size, output_shape_range
from harness.model.strategies import ANISOTROPY, SHARED_REGIONS, family_paddings, shared_coverage

SIZES = {1: st.integers(1, 12), 2: st.integers(1, 8), 3: st.integers(1, 4)}
KERNELS = {1: st.integers(1, 5), 2: st.integers(1, 4), 3: st.integers(1, 3)}
strides = st.sampled_from([1, 2, 1, 2, 3, 4])
dilations = st.sampled_from([1, 1, 2, 1, 3])
batches = st.sampled_from([1, 2, 1, 3, 1, 2, 1, 0])
groupings = st.sampled_from([1, 2, 1, 3])
dtypes = st.sampled_from(DTYPES)


@cache  # a strategy is immutable: built once, not at every draw
def paddings(rank: int) -> st.SearchStrategy[Padding]:
    """Words, a crop on every side, one per axis, and crops per side (some extending)."""
    return family_paddings(rank, -1, 3)


@st.composite
def cases(draw, op: str = "conv_transpose2d") -> Case:
    """A transposed case of `op`: the output size given by output_padding (often none, over
    0..max(stride, dilation), one past the legal range), or asked for as output_shape."""
    rank = op_rank(op)
    groups = draw(groupings)
    spatial = tuple(draw(SIZES[rank]) for _ in range(rank))
    kernel = tuple(draw(KERNELS[rank]) for _ in range(rank))
    stride = tuple(draw(strides) for _ in range(rank))
    dilation = tuple(draw(dilations) for _ in range(rank))
    case = Case(
        op=op,
        batch=draw(batches),
        in_channels=groups * draw(st.integers(1, 2)),
        out_channels=groups * draw(st.integers(1, 2)),
        spatial=spatial,
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        padding=draw(paddings(rank)),
        groups=groups,
        bias=draw(st.booleans()),
        dtype=draw(dtypes),
    )
    how = draw(st.sampled_from(["none", "none", "padding", "padding", "shape"]))
    if how == "padding":
        output_padding = tuple(
            draw(st.integers(0, max(s, d))) for s, d in zip(stride, dilation, strict=True)
        )
        return Case(**{**case.__dict__, "output_padding": output_padding})
    if how == "shape":
        ranges = [output_shape_range(case, axis) for axis in range(rank)]
        if min(high for _, high in ranges) < 0:  # no size to ask for
            return case
        shape = tuple(draw(st.integers(max(low, 0), high)) for low, high in ranges)
        return Case(**{**case.__dict__, "output_shape": shape})
    return case


REGIONS = (
    *ANISOTROPY,
    "stride 3 or 4",
    "kernel smaller than stride",
    "dilated",
    "dilated and strided",
    "grouped",
    "output_padding given",
    "output_padding at its largest legal value",
    "output_padding just past its range",
    "output_shape given",
    "asymmetric crop",
    "negative crop",
    "empty batch",
    "output size 0",
    *SHARED_REGIONS,
)


def regions(op: str) -> tuple[str, ...]:
    one_axis = op_rank(op) == 1
    return tuple(r for r in REGIONS if not (one_axis and r in ANISOTROPY))


def coverage(case: Case) -> list[str]:
    """The interesting regions a transposed case falls in."""
    given = case.output_padding or ()
    axes = list(zip(given, case.stride, case.dilation, strict=False))
    pads = case.padding.pads
    crops = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    full = [
        full_size(i, k, s, d)
        for i, k, s, d in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    ]
    labels = {
        ANISOTROPY[0]: len(set(case.kernel)) > 1,
        ANISOTROPY[1]: len(set(case.stride)) > 1,
        ANISOTROPY[2]: len(set(case.dilation)) > 1,
        "stride 3 or 4": max(case.stride) >= 3,
        "kernel smaller than stride": any(
            k < s for k, s in zip(case.kernel, case.stride, strict=True)
        ),
        "dilated": max(case.dilation) > 1,
        "dilated and strided": max(case.dilation) > 1 and max(case.stride) > 1,
        "grouped": case.groups > 1,
        "output_padding given": bool(given),
        "output_padding at its largest legal value": any(
            p == max(s, d) - 1 and p > 0 for p, s, d in axes
        ),
        "output_padding just past its range": any(p == max(s, d) for p, s, d in axes),
        "output_shape given": case.output_shape is not None,
        "asymmetric crop": any(low != high for low, high in crops),
        "negative crop": bool(pads) and min(pads) < 0,
        "empty batch": case.batch == 0,
        "output size 0": any(
            f - low - high <= 0 for f, (low, high) in zip(full, crops, strict=True)
        ),
    }
    return [name for name, hit in labels.items() if hit] + shared_coverage(case)
