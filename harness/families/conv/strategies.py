"""The convolution's Hypothesis strategy (conv1d, conv2d, conv3d): small, composable cases
biased towards the edges, and `coverage(case)`, the regions a case falls in, per axis and at
any rank; `regions(op)` the ones each operator must reach."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from harness.case import Case, Padding, Pads, op_rank, pairs
from harness.model import oracle
from harness.model.features import features
from harness.model.strategies import (
    ANISOTROPY,
    KERNELS,
    SHARED_REGIONS,
    SIZES,
    batches,
    dilations,
    dtypes,
    groupings,
    shared_coverage,
    strides,
)


@cache  # a strategy is immutable: built once, not at every draw
def paddings(rank: int = 2) -> st.SearchStrategy[Padding]:
    """Words, symmetric ints, per-axis pads, and per-side pads that may crop (negative)."""
    return st.one_of(
        st.just(Padding("valid")),
        st.just(Padding("same")),
        st.just(Padding("same_lower")),
        st.integers(-1, 3).map(lambda p: Padding.parse(p, rank)),
        st.tuples(*[st.integers(0, 3)] * rank).map(lambda p: Padding.parse(list(p), rank)),
        st.tuples(*[st.integers(-2, 4)] * (2 * rank)).map(lambda p: Padding.explicit(*p)),
    )


@st.composite
def cases(
    draw,
    padding: st.SearchStrategy[Padding] | None = None,
    stride: st.SearchStrategy[int] = strides,
    dtype: st.SearchStrategy[str] = dtypes,
    op: str = "conv2d",
) -> Case:
    """A case of `op`; pass a strategy to pin or narrow one part of it."""
    rank = op_rank(op)
    groups = draw(groupings)
    batch = draw(batches)
    in_channels = groups * draw(st.integers(1, 2))
    out_channels = groups * draw(st.integers(1, 2))
    spatial = tuple(draw(SIZES[rank]) for _ in range(rank))
    kernel = tuple(draw(KERNELS[rank]) for _ in range(rank))
    strided = tuple(draw(stride) for _ in range(rank))
    dilation = tuple(draw(dilations) for _ in range(rank))
    return Case(
        op=op,
        batch=batch,
        in_channels=in_channels,
        out_channels=out_channels,
        spatial=spatial,
        kernel=kernel,
        stride=strided,
        dilation=dilation,
        padding=draw(padding if padding is not None else paddings(rank)),
        groups=groups,
        bias=draw(st.booleans()),
        dtype=draw(dtype),
    )


def _typical_pads(case: Case) -> Pads:
    """Pads under the most common convention (TF/JAX 'same'), to place a case on the map."""
    kind = case.padding.kind
    if kind == "explicit":
        return case.padding.pads
    if kind == "valid":
        return (0,) * (2 * case.rank)
    split = "extra_at_end" if kind == "same" else "extra_at_start"
    return tuple(
        pad
        for i, k, s, d in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
        for pad in oracle.split(split, oracle.same_total("minimal", i, k, s, d))
    )


def coverage(case: Case) -> list[str]:
    """The interesting regions a case falls in."""
    pads = _typical_pads(case)
    facts = features(case, pads)
    axes = list(
        zip(
            case.spatial,
            case.kernel,
            case.stride,
            case.dilation,
            [low + high for low, high in pairs(pads)],
            strict=True,
        )
    )
    labels = {
        "odd total 'same' padding": case.padding.kind in ("same", "same_lower")
        and any(total % 2 for *_, total in axes),
        ANISOTROPY[0]: len(set(case.kernel)) > 1,
        ANISOTROPY[1]: len(set(case.stride)) > 1,
        ANISOTROPY[2]: len(set(case.dilation)) > 1,
        "stride does not divide (i + pads - eff)": any(
            (i + total - oracle.effective_kernel(k, d)) % s for i, k, s, d, total in axes
        ),
        "even kernel": any(k % 2 == 0 for k in case.kernel),
        "dilated and strided": facts["dilated"] and facts["strided"],
        "grouped": facts["grouped"],
        "stride larger than kernel": any(s > k for _, k, s, *_ in axes),
        "kernel larger than padded input": facts["output"] != "positive",
        "output size 0": facts["output"] == "zero",
        "output size negative": facts["output"] == "negative",
        "empty batch": facts["empty_batch"],
        "negative explicit pad": facts["negative_pad"],
        "asymmetric explicit pads": facts["asymmetric_pad"],
    }
    return [name for name, hit in labels.items() if hit] + shared_coverage(case)


REGIONS = (
    "odd total 'same' padding",
    *ANISOTROPY,
    "stride does not divide (i + pads - eff)",
    "even kernel",
    "dilated and strided",
    "grouped",
    "stride larger than kernel",
    "kernel larger than padded input",
    "output size 0",
    "output size negative",
    "empty batch",
    "negative explicit pad",
    "asymmetric explicit pads",
    *SHARED_REGIONS,
)


def regions(op: str) -> tuple[str, ...]:
    """Every region at every rank, but differences across axes, which need two of them."""
    one_axis = op == "conv1d"
    return tuple(r for r in REGIONS if not (one_axis and r in ANISOTROPY))
