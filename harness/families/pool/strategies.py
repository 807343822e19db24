"""Hypothesis strategies for pooling cases (max and average, rank 1, 2 and 3), and the regions
of the pooling map each case falls in: kernel against stride, ceil_mode with and without
padding and where it drops a window, pads up to and past half the kernel, windows that start in
the padding or hold nothing but padding, dilation, empty batches.
"""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from harness.case import Case, Padding, Pads, op_rank, pairs
from harness.families.pool.rules import ceil_output
from harness.model import oracle
from harness.model.features import features
from harness.model.strategies import (
    ANISOTROPY,
    KERNELS,
    SHARED_REGIONS,
    SIZES,
    batches,
    dtypes,
    family_paddings,
    shared_coverage,
)

KINDS = ("max", "avg")
WEIGHTS = {f"{kind}_pool{rank}d": 2 if rank == 2 else 1 for kind in KINDS for rank in (1, 2, 3)}
pool_strides = st.sampled_from([0, 1, 2, 0, 3, 2])  # 0: the kernel (the pooling default)
pool_dilations = st.sampled_from([1, 1, 1, 2])


@cache  # a strategy is immutable: built once, not at every draw
def pool_paddings(rank: int) -> st.SearchStrategy[Padding]:
    """Words, symmetric ints up to and past half the kernel, per-axis and per-side pads."""
    return family_paddings(rank, 0, 4)


@st.composite
def cases(
    draw,
    padding: st.SearchStrategy[Padding] | None = None,
    stride: st.SearchStrategy[int] = pool_strides,
    dtype: st.SearchStrategy[str] = dtypes,
    op: str = "max_pool2d",
) -> Case:
    """A pooling case of `op`; a drawn stride of 0 leaves the stride at its default, the kernel."""
    rank = op_rank(op)
    channels = draw(st.integers(1, 3))
    kernel = tuple(draw(KERNELS[rank]) for _ in range(rank))
    strides = tuple(draw(stride) for _ in range(rank))
    drawn = draw(padding if padding is not None else pool_paddings(rank))
    words = drawn.kind in ("same", "same_lower")
    return Case(
        op=op,
        batch=draw(batches),
        in_channels=channels,
        out_channels=channels,
        spatial=tuple(draw(SIZES[rank]) for _ in range(rank)),
        kernel=kernel,
        stride=tuple(s or k for s, k in zip(strides, kernel, strict=True)),
        dilation=tuple(draw(pool_dilations) for _ in range(rank)),
        padding=drawn,
        bias=False,
        dtype=draw(dtype),
        ceil_mode=False if words else draw(st.booleans()),
        count_include_pad=op.startswith("avg_") and draw(st.booleans()),
    )


def _pads(case: Case) -> Pads:
    """Pads under the common readings (TF/JAX 'same', PyTorch's ceil_mode) to place a case."""
    kind = case.padding.kind
    if kind in ("same", "same_lower"):
        split = "extra_at_end" if kind == "same" else "extra_at_start"
        return tuple(
            pad
            for i, k, s, d in zip(
                case.spatial, case.kernel, case.stride, case.dilation, strict=True
            )
            for pad in oracle.split(split, oracle.same_total("minimal", i, k, s, d))
        )
    return case.padding.pads if kind == "explicit" else (0,) * (2 * case.rank)


def _drops_a_window(case: Case, pads: Pads) -> bool:
    """ceil_mode, where the last-window rule takes away a window the plain ceiling gives."""
    for i, k, s, d, (low, high) in zip(
        case.spatial, case.kernel, case.stride, case.dilation, pairs(pads), strict=True
    ):
        span = i + low + high - oracle.effective_kernel(k, d)
        if -(-span // s) + 1 != ceil_output("last_window_starts_inside", i, k, s, d, low, high):
            return True
    return False


def coverage(case: Case) -> list[str]:
    """The regions of the pooling map a case falls in."""
    pads = _pads(case)
    facts = features(case, pads)
    explicit = case.padding.kind == "explicit" and any(pads)
    labels = {
        ANISOTROPY[0]: len(set(case.kernel)) > 1,
        ANISOTROPY[1]: len(set(case.stride)) > 1,
        "kernel differs from stride": case.kernel != case.stride,
        "stride larger than kernel": any(
            s > k for k, s in zip(case.kernel, case.stride, strict=True)
        ),
        "ceil_mode without padding": case.ceil_mode and not explicit,
        "ceil_mode with padding": case.ceil_mode and explicit,
        "ceil_mode drops the last window": case.ceil_mode and _drops_a_window(case, pads),
        "pads up to half the kernel": explicit and not facts["pad_past_half"],
        "pads past half the kernel": facts["pad_past_half"],
        "windows start in the padding": any(pads[0::2]),
        "window of padding alone": facts["window_outside"],
        "dilated": facts["dilated"],
        "count_include_pad": case.count_include_pad,
        "kernel larger than padded input": facts["output"] != "positive",
        "empty batch": facts["empty_batch"],
        "asymmetric explicit pads": facts["asymmetric_pad"],
    }
    return [name for name, hit in labels.items() if hit] + shared_coverage(case)


REGIONS = (
    "kernel differs from stride",
    "stride larger than kernel",
    "ceil_mode without padding",
    "ceil_mode with padding",
    "ceil_mode drops the last window",
    "pads up to half the kernel",
    "pads past half the kernel",
    "windows start in the padding",
    "window of padding alone",
    "dilated",
    "kernel larger than padded input",
    "empty batch",
    "asymmetric explicit pads",
    *ANISOTROPY[:2],
    *SHARED_REGIONS,
)


def regions(op: str) -> tuple[str, ...]:
    """Every pooling region; count_include_pad for averages; two-axis ones from rank 2."""
    wanted = REGIONS + (("count_include_pad",) if op.startswith("avg_") else ())
    return tuple(r for r in wanted if not (op_rank(op) == 1 and r in ANISOTROPY))
