"""What every family's Hypothesis strategies share: the sizes, kernels, strides, dtypes and
paddings they draw from, the regions every family must reach, and the drawing of a plan (a
seed's distinct cases, shared among operators by weight).

Each family's strategy and its `coverage(case)` (the regions a case falls in: odd 'same'
totals, strides that do not divide, kernels larger than the padded input, ...) are its own
(harness/families/<family>/strategies.py). Tests report the regions with `hypothesis.event`,
and a test checks that each one is drawn often enough for every operator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from harness.case import DTYPES, PADDING_KINDS, Case, Padding, op_rank

# sampled_from shrinks towards its first element; repeats set how often a value is drawn.
# Spatial sizes and kernels shrink with the rank, so a 3-d case stays as cheap as a 2-d one.
SIZES = {1: st.integers(1, 32), 2: st.integers(min_value=1, max_value=24), 3: st.integers(1, 9)}
KERNELS = {1: st.integers(1, 7), 2: st.integers(min_value=1, max_value=7), 3: st.integers(1, 4)}
strides = st.sampled_from([1, 2, 1, 2, 3, 4])
dilations = st.sampled_from([1, 2, 1, 3])
batches = st.sampled_from([1, 2, 1, 3, 1, 2, 1, 2, 3, 0])
dtypes = st.sampled_from(DTYPES)
groupings = st.sampled_from([1, 2, 1, 3])

# The regions every family's strategy must reach: each padding kind and each dtype.
SHARED_REGIONS = tuple(f"padding {kind}" for kind in PADDING_KINDS) + tuple(
    f"dtype {dtype}" for dtype in DTYPES
)

# Regions that need two axes or more to exist.
ANISOTROPY = (
    "kernel differs across axes",
    "stride differs across axes",
    "dilation differs across axes",
)


def shared_coverage(case: Case) -> list[str]:
    """The labels every family's coverage ends with: the operator, the padding kind, the dtype
    (SHARED_REGIONS are among them)."""
    return [f"op {case.op}", f"padding {case.padding.kind}", f"dtype {case.dtype}"]


@cache  # a strategy is immutable: built once, not at every draw
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


class _Enough(Exception):
    """Raised inside a draw once `count` distinct cases are found: Hypothesis stops there."""


def draw_cases(count: int, seed: int, strategy: st.SearchStrategy[Case]) -> list[Case]:
    """`count` distinct cases, the same ones for the same seed and Hypothesis version: the first
    `count` distinct ones Hypothesis generates for the seed (then for seed + 1, ... where it
    generates fewer), drawing none past the last one kept."""
    found: dict[str, Case] = {}
    attempt = 0
    while len(found) < count and attempt < 20:

        @settings(
            max_examples=count,
            database=None,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
        )
        @hypothesis_seed(seed + attempt)
        @given(strategy)
        def collect(case: Case) -> None:
            if len(found) >= count:
                raise _Enough
            found.setdefault(case.id, case)

        try:
            collect()
        except _Enough:
            break
        attempt += 1
    return list(found.values())[:count]


def weight(op: str) -> int:
    """An operator's share of the drawn cases, relative to the others in a plan over several:
    2 at rank 2 and 1 otherwise."""
    return 2 if op_rank(op) == 2 else 1


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
    ops: tuple[str, ...],
    strategy_of: Callable[[str], st.SearchStrategy[Case]],
) -> list[Case]:
    """About `count` drawn cases over `ops`, each operator drawn on its own with `seed` and
    `strategy_of(op)`, its family's strategy: a plan of conv2d alone drawn by the convolution's
    plain strategy is the plan a survey drew before operators had names."""
    return [
        case
        for op, n in split_count(count, ops).items()
        for case in draw_cases(n, seed, strategy_of(op))
    ]
