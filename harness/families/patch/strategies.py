"""Hypothesis strategies for patch-extraction cases (rank 1, 2 and 3), and the regions of the
patch map each case falls in: kernels against strides (overlapping, tiling, gaps), dilation
(TensorFlow's rates), kernels larger than the (padded) input, windows that start in the padding
or hold nothing but padding, asymmetric pads, several channels (where the patch-axis order
shows), empty batches."""

from __future__ import annotations

from hypothesis import strategies as st

from harness.case import Case, Padding, op_rank
from harness.model.features import features
from harness.model.strategies import (
    ANISOTROPY,
    KERNELS,
    SHARED_REGIONS,
    SIZES,
    batches,
    dilations,
    dtypes,
    family_paddings,
    shared_coverage,
    strides,
)

WEIGHTS = {f"patches{rank}d": 2 if rank == 2 else 1 for rank in (1, 2, 3)}


@st.composite
def cases(
    draw,
    padding: st.SearchStrategy[Padding] | None = None,
    stride: st.SearchStrategy[int] = strides,
    dtype: st.SearchStrategy[str] = dtypes,
    op: str = "patches2d",
) -> Case:
    """A patch case of `op`: one to three channels, the shared sizes, kernels and strides; at
    rank 3, one or two channels and kernels up to 3 per axis: an output has a channel per input
    channel and kernel tap, and the inference a dense map of each, so a 3-d case of three
    channels and a 4x4x4 kernel would come near the memory budget of a small machine
    (tests/test_memory.py); two channels still show the patch-axis order."""
    rank = op_rank(op)
    channels = draw(st.integers(1, 2 if rank == 3 else 3))
    kernels = st.integers(1, 3) if rank == 3 else KERNELS[rank]
    return Case(
        op=op,
        batch=draw(batches),
        in_channels=channels,
        out_channels=channels,
        spatial=tuple(draw(SIZES[rank]) for _ in range(rank)),
        kernel=tuple(draw(kernels) for _ in range(rank)),
        stride=tuple(draw(stride) for _ in range(rank)),
        dilation=tuple(draw(dilations) for _ in range(rank)),
        padding=draw(padding if padding is not None else family_paddings(rank, 0, 3)),
        bias=False,
        dtype=draw(dtype),
    )


def _pads(case: Case) -> tuple[int, ...]:
    """The case's pads, or none for a word (the regions below ask explicit pads only)."""
    return case.padding.pads if case.padding.kind == "explicit" else (0,) * (2 * case.rank)


def coverage(case: Case) -> list[str]:
    """The regions of the patch map a case falls in."""
    pads = _pads(case)
    facts = features(case, pads)
    pairs = list(zip(case.kernel, case.stride, strict=True))
    labels = {
        ANISOTROPY[0]: len(set(case.kernel)) > 1,
        ANISOTROPY[1]: len(set(case.stride)) > 1,
        "overlapping windows": any(s < k for k, s in pairs),
        "windows that tile": case.kernel == case.stride,
        "stride larger than kernel": any(s > k for k, s in pairs),
        "dilated": facts["dilated"],
        "kernel larger than padded input": facts["output"] != "positive",
        "windows start in the padding": any(pads[0::2]),
        "window of padding alone": facts["window_outside"],
        "asymmetric explicit pads": facts["asymmetric_pad"],
        "several channels": case.in_channels > 1,
        "empty batch": facts["empty_batch"],
    }
    return [name for name, hit in labels.items() if hit] + shared_coverage(case)


REGIONS = (
    "overlapping windows",
    "windows that tile",
    "stride larger than kernel",
    "dilated",
    "kernel larger than padded input",
    "windows start in the padding",
    "window of padding alone",
    "asymmetric explicit pads",
    "several channels",
    "empty batch",
    *ANISOTROPY[:2],
    *SHARED_REGIONS,
)


def regions(op: str) -> tuple[str, ...]:
    """Every patch region; the two-axis ones from rank 2."""
    return tuple(r for r in REGIONS if not (op_rank(op) == 1 and r in ANISOTROPY))
