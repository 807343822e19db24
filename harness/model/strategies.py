"""Hypothesis strategies for convolution cases at rank 1, 2 and 3: small, composable, biased
towards the edges.

One place decides what "interesting" means: `coverage(case)` names the regions a case falls
in (odd 'same' totals, strides that do not divide, kernels larger than the padded input, ...),
per axis and at any rank. Tests report them with `hypothesis.event`, and a test checks that
each one is drawn often enough for every operator.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from harness.case import DTYPES, OPS, PADDING_KINDS, Case, Padding, Pads, op_rank, pairs
from harness.model import oracle
from harness.model.features import features

# sampled_from shrinks towards its first element; repeats set how often a value is drawn.
# Spatial sizes and kernels shrink with the rank, so a 3-d case stays as cheap as a 2-d one.
SIZES = {1: st.integers(1, 32), 2: st.integers(min_value=1, max_value=24), 3: st.integers(1, 9)}
KERNELS = {1: st.integers(1, 7), 2: st.integers(min_value=1, max_value=7), 3: st.integers(1, 4)}
strides = st.sampled_from([1, 2, 1, 2, 3, 4])
dilations = st.sampled_from([1, 2, 1, 3])
batches = st.sampled_from([1, 2, 1, 3, 1, 2, 1, 2, 3, 0])
dtypes = st.sampled_from(DTYPES)
groupings = st.sampled_from([1, 2, 1, 3])

# How many drawn cases each operator gets, relative to the others, in a plan over several.
# The regions every family's strategy must reach: each padding kind and each dtype.
SHARED_REGIONS = tuple(f"padding {kind}" for kind in PADDING_KINDS) + tuple(
    f"dtype {dtype}" for dtype in DTYPES
)

WEIGHTS = {"conv1d": 1, "conv2d": 2, "conv3d": 1}
WEIGHTS.update({"conv_transpose1d": 1, "conv_transpose2d": 2, "conv_transpose3d": 1})


def family_paddings(rank: int, low: int, high: int) -> st.SearchStrategy[Padding]:
    """Words, an int on every side (0..3), one per axis (0..3), and one per side (low..high):
    the paddings the transposed and pooling strategies draw (theirs differ in `low`, `high`)."""
    return st.one_of(
        st.just(Padding("valid")),
        st.just(Padding("same")),
        st.just(Padding("same_lower")),
        st.integers(0, 3).map(lambda p: Padding.parse(p, rank)),
        st.tuples(*[st.integers(0, 3)] * rank).map(lambda p: Padding.parse(list(p), rank)),
        st.tuples(*[st.integers(low, high)] * (2 * rank)).map(lambda p: Padding.explicit(*p)),
    )


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


# Regions that need two axes or more to exist.
ANISOTROPY = (
    "kernel differs across axes",
    "stride differs across axes",
    "dilation differs across axes",
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
    return [name for name, hit in labels.items() if hit] + [
        f"op {case.op}",
        f"padding {case.padding.kind}",
        f"dtype {case.dtype}",
    ]


def draw_cases(
    count: int, seed: int, strategy: st.SearchStrategy[Case] | None = None
) -> list[Case]:
    """`count` distinct cases, the same ones for the same seed and Hypothesis version."""
    strategy = strategy if strategy is not None else cases()
    found: dict[str, Case] = {}
    attempt = 0
    while len(found) < count and attempt < 20:

        @settings(
            max_examples=count,
            database=None,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis_seed(seed + attempt)
        @given(strategy)
        def collect(case: Case) -> None:
            found.setdefault(case.id, case)

        collect()
        attempt += 1
    return list(found.values())[:count]


def weight(op: str) -> int:
    """An operator's share of a family's cases: WEIGHTS, else 2 at rank 2 and 1 otherwise."""
    return WEIGHTS.get(op, 2 if op_rank(op) == 2 else 1)


def split_count(count: int, ops: tuple[str, ...]) -> dict[str, int]:
    """`count` drawn cases shared among `ops` by weight (largest remainders; every op >= 1)."""
    total = sum(weight(op) for op in ops)
    shares = {op: max(1, count * weight(op) // total) for op in ops}
    for op in sorted(ops, key=lambda o: -weight(o)):
        if sum(shares.values()) >= count:
            break
        shares[op] += 1
    return shares


def draw_plan(
    count: int,
    seed: int,
    ops: tuple[str, ...] = tuple(OPS),
    strategy_of: Callable[[str], st.SearchStrategy[Case]] | None = None,
) -> list[Case]:
    """About `count` drawn cases over `ops`, each operator drawn on its own with `seed`: a plan
    of conv2d alone is the plan a survey drew before operators had names. `strategy_of(op)`
    gives each operator's strategy (its family's; convolution's `cases` by default)."""
    strategy_of = strategy_of or (lambda op: cases(op=op))
    return [
        case
        for op, n in split_count(count, ops).items()
        for case in draw_cases(n, seed, strategy_of(op))
    ]
